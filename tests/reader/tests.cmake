# tests/reader: the catalog reader (formats/alc_reader.c) and
# `airlock-compile verify` (compiler/cc_verify.c).
#
# test_reader builds its own tiny catalogs and is linked with cc_verify.c
# directly rather than with cc_core, so that it does not depend on the rest
# of the compiler building at every moment.
set(READER_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
add_executable(test_reader ${READER_TEST_DIR}/test_reader.c
               ${CMAKE_SOURCE_DIR}/compiler/cc_verify.c)
target_include_directories(test_reader PRIVATE ${CMAKE_SOURCE_DIR}/compiler)
target_link_libraries(test_reader PRIVATE alc_format PkgConfig::XXHASH)
add_test(NAME reader.unit COMMAND test_reader)

# With the compiler: build real catalogs and check that verify accepts them
# and refuses every corruption of them (flips, truncation, spliced sections,
# swapped headers).  Exit status 77 (models missing) is a skip.
if(TARGET airlock-compile)
  add_test(NAME reader.corrupt
           COMMAND sh ${READER_TEST_DIR}/corrupt.sh
                   $<TARGET_FILE:airlock-compile>
                   ${AIRLOCK_SHARED}/api-models-aws
                   ${CMAKE_CURRENT_BINARY_DIR}/reader-corrupt)
  set_tests_properties(reader.corrupt PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT 600)
  # and the full catalog (the shared fixture of tests/CMakeLists.txt)
  if(DEFINED AIRLOCK_FULL_CATALOG)
    add_test(NAME reader.full.verify
             COMMAND $<TARGET_FILE:airlock-compile> verify
                     ${AIRLOCK_FULL_CATALOG})
    set_tests_properties(reader.full.verify PROPERTIES
                         FIXTURES_REQUIRED full_catalog)
  endif()
endif()

# The checksum's own implementation (baseline and AVX2) against libxxhash.
add_executable(test_xxh ${READER_TEST_DIR}/test_xxh.c)
target_link_libraries(test_xxh PRIVATE alc_format PkgConfig::XXHASH)
add_test(NAME reader.xxh COMMAND test_xxh)
