# tests/readmap: the read mappings of mutating operations (issue 9;
# compiler/cc_readmap.c, READMAP in formats/alc_format.h).
#
#   readmap.full        test_readmap over the full catalog: coverage >= 85%
#                       of mutating operations, every mapping usable
#                       (members and state path exist), expected.tsv (42
#                       mappings across 19 services, field by field through
#                       alc_op_readmap), every line of
#                       catalogs/readmap-overrides.tsv applied
#   readmap.overrides   a bad overrides file fails the build with file:line
#                       for every bad line (golden bad-overrides.err) and
#                       writes nothing; a good one shows up in `dump`
set(READMAP_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
add_executable(test_readmap ${READMAP_TEST_DIR}/test_readmap.c)
target_link_libraries(test_readmap PRIVATE alc_format)

add_test(NAME readmap.full
         COMMAND test_readmap ${AIRLOCK_FULL_CATALOG} ${READMAP_TEST_DIR}/expected.tsv
                 ${CMAKE_SOURCE_DIR}/catalogs/readmap-overrides.tsv)
set_tests_properties(readmap.full PROPERTIES FIXTURES_REQUIRED full_catalog)

if(TARGET airlock-compile)
  find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
  add_test(NAME readmap.overrides
           COMMAND ${AIRLOCK_PYTHON3} ${READMAP_TEST_DIR}/check_overrides.py
                   --bin $<TARGET_FILE:airlock-compile>
                   --models ${CMAKE_SOURCE_DIR}/tests/catalog/tiny
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --dir ${READMAP_TEST_DIR}
                   --work ${CMAKE_CURRENT_BINARY_DIR}/readmap)
endif()
