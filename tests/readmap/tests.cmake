# tests/readmap: the read mappings of mutating operations (issue 9;
# compiler/cc_readmap.c, READMAP in formats/alc_format.h).
#
#   readmap.full        test_readmap over the full catalog: coverage >= 85%
#                       of mutating operations, every mapping usable
#                       (members and state path exist), expected.tsv (51
#                       mappings across 24 services, field by field through
#                       alc_op_readmap), every line of
#                       catalogs/readmap-overrides.tsv applied
#   readmap.overrides   a bad overrides file fails the build with file:line
#                       for every bad line (golden bad-overrides.err) and
#                       writes nothing; a good one shows up in `dump`;
#                       --readmap-report lists what has no mapping
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

# The overrides parser's fuzz target (tests/fuzz/fuzz_readmap_overrides.c)
# resolves names against the tiny catalog, compiled here at build time.
if(TARGET airlock-compile AND COMMAND airlock_fuzz_target)
  set(READMAP_FUZZ_ALC ${CMAKE_CURRENT_BINARY_DIR}/fuzz-readmap.alc)
  add_custom_command(OUTPUT ${READMAP_FUZZ_ALC}
    COMMAND airlock-compile build --no-cache --no-readmap-overrides
            --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
            --models ${CMAKE_SOURCE_DIR}/tests/catalog/tiny -o ${READMAP_FUZZ_ALC}
    DEPENDS airlock-compile
    COMMENT "Compiling the read-mapping fuzz catalog")
  add_custom_target(readmap_fuzz_catalog ALL DEPENDS ${READMAP_FUZZ_ALC})
  airlock_fuzz_target(readmap_overrides cc_core)
  foreach(t fuzz_readmap_overrides_replay fuzz_readmap_overrides)
    if(TARGET ${t})
      target_compile_definitions(${t} PRIVATE
                                 FUZZ_READMAP_CATALOG="${READMAP_FUZZ_ALC}")
      add_dependencies(${t} readmap_fuzz_catalog)
    endif()
  endforeach()
endif()
