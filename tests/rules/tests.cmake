# tests/rules: endpoint rule sets -- compiler/cc_rules.c encodes,
# formats/alc_rules.c checks and decodes (RULES.md).
#
# Built from the two modules' own sources (plus the buffers and error
# table) rather than from cc_core / alc_format, so that these tests do not
# depend on the rest of the compiler building at every moment.
set(RULES_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(rules_testlib STATIC
  ${CMAKE_SOURCE_DIR}/compiler/cc_rules.c
  ${CMAKE_SOURCE_DIR}/compiler/cc_util.c
  ${CMAKE_SOURCE_DIR}/formats/alc_rules.c
  ${CMAKE_SOURCE_DIR}/formats/alc_err.c)
target_include_directories(rules_testlib PUBLIC
  ${CMAKE_SOURCE_DIR}/compiler ${CMAKE_SOURCE_DIR}/formats)
target_link_libraries(rules_testlib PUBLIC PkgConfig::CJSON PkgConfig::XXHASH m)

add_executable(rules_test ${RULES_TEST_DIR}/test_rules.c)
target_link_libraries(rules_test PRIVATE rules_testlib)

# unit: golden bytes of the RULES.md example, compile errors, checker
# corpus: every model in $AIRLOCK_SHARED round-trips; prints the sizes and
#         the encoding time (budget 40 ms)
# engine: the rule sets of rules-engine-tests.json (95 endpointTests)
# mutate: flipped / truncated blobs never crash the checker or decoder
foreach(mode unit corpus engine mutate)
  add_test(NAME rules.${mode} COMMAND rules_test ${mode})
  set_tests_properties(rules.${mode} PROPERTIES
    ENVIRONMENT "AIRLOCK_SHARED=${AIRLOCK_SHARED}")
endforeach()

# Fuzz target tests/fuzz/fuzz_rules.c (convention: cmake/AirlockFuzz.cmake):
# fuzz_rules_replay replays tests/fuzz/corpus/rules/ as test
# fuzz.rules.replay; with -DAIRLOCK_FUZZ=ON (clang) also the libFuzzer
# binary: ./fuzz_rules -max_total_time=120 NEWDIR tests/fuzz/corpus/rules
airlock_fuzz_target(rules rules_testlib)
