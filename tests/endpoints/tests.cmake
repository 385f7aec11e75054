# tests/endpoints: endpoint resolution (runtime/rt_endpoint.c) with the
# partitions table (formats/alc_partitions.c, compiler/cc_partitions.c).
#
#   endpoints.models   all 15,320 smithy.rules#endpointTests cases of the
#                      models in $AIRLOCK_SHARED, against the full catalog
#                      (fixture full_catalog); prints
#                      "endpoint tests: N/15320 pass"
#   endpoints.engine   the 95 cases of rules-engine-tests.json, through a
#                      catalog built from them; prints
#                      "rules-engine tests: N/95 pass"
#   endpoints.unit     the partitions section byte for byte, lookups,
#                      checker rejections, regex subset, parameter set,
#                      JMESPath subset
#   endpoints.corrupt  damaged PARTITIONS sections (in a catalog of
#                      tests/catalog/tiny) are refused at open
#
# A missing ../shared fails these tests (the program checks its inputs),
# never skips them.  The evaluator is built from its own source rather than
# taken from rt_core, so these tests do not depend on every runtime module
# building at every moment.
set(ENDPOINTS_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ENDPOINTS_WORK ${CMAKE_CURRENT_BINARY_DIR}/endpoints)
file(MAKE_DIRECTORY ${ENDPOINTS_WORK})

add_library(endpoint_testlib STATIC ${CMAKE_SOURCE_DIR}/runtime/rt_endpoint.c)
target_include_directories(endpoint_testlib PUBLIC ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(endpoint_testlib PUBLIC alc_format PkgConfig::CJSON)

if(TARGET cc_core)
  add_executable(endpoints_test ${ENDPOINTS_TEST_DIR}/test_endpoints.c)
  target_link_libraries(endpoints_test PRIVATE endpoint_testlib cc_core
                        PkgConfig::XXHASH)
  target_compile_definitions(endpoints_test PRIVATE
                             AIRLOCK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

  add_test(NAME endpoints.models
           COMMAND endpoints_test models ${AIRLOCK_FULL_CATALOG} --expect 15320)
  set_tests_properties(endpoints.models PROPERTIES
                       FIXTURES_REQUIRED full_catalog)
  add_test(NAME endpoints.corrupt
           COMMAND endpoints_test corrupt ${ENDPOINTS_WORK}/corrupt)
  add_test(NAME endpoints.engine
           COMMAND endpoints_test engine ${ENDPOINTS_WORK}/engine)
  add_test(NAME endpoints.unit
           COMMAND endpoints_test unit ${ENDPOINTS_WORK}/unit)
  set_tests_properties(endpoints.models endpoints.engine endpoints.unit
                       endpoints.corrupt PROPERTIES
                       ENVIRONMENT "AIRLOCK_SHARED=${AIRLOCK_SHARED}")
endif()

# Fuzz target tests/fuzz/fuzz_partitions.c (convention: cmake/AirlockFuzz.cmake):
# fuzz_partitions_replay replays tests/fuzz/corpus/partitions/ as test
# fuzz.partitions.replay; with -DAIRLOCK_FUZZ=ON (clang) also the libFuzzer
# binary: ./fuzz_partitions -max_total_time=120 NEWDIR tests/fuzz/corpus/partitions
# Seeds: endpoints_test seeds tests/fuzz/corpus/partitions
airlock_fuzz_target(partitions alc_format)
