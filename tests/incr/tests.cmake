# tests/incr: incremental builds -- per-model parts in the build cache
# (compiler/cc_part.c).
#
#   incr.unit      test_part: every model of tiny, edge and the full corpus
#                  round-trips through a part byte for byte, in both --docs
#                  modes; damaged parts (every truncation, a bit flip at
#                  every byte) are refused or survived; the structs of
#                  cc_model.h have the sizes cc_part.c serializes
#   incr.full      the full corpus: cold build (empty cache) == --no-cache
#                  == warm build from parts, --docs summary and full
#   incr.change    one model changed (doc string, new member, new error):
#                  one built, all others reused, == --no-cache build
#   incr.corrupt   damaged and foreign parts rejected and rebuilt
#   incr.nocache   unusable caches (note, build works), the default roots
#   incr.concurrent  three builds writing one cache at once
#   incr.prune     the size cap and stale temporary files
#   fuzz.part.replay  (tests/fuzz/corpus/part) the part reader
#
# Every test reads ${AIRLOCK_SHARED}; when it is missing they fail.
set(INCR_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(INCR_WORK ${CMAKE_CURRENT_BINARY_DIR}/incr)
file(MAKE_DIRECTORY ${INCR_WORK})
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

if(TARGET cc_core)
  add_executable(test_part ${INCR_TEST_DIR}/test_part.c)
  target_link_libraries(test_part PRIVATE cc_core)
  add_test(NAME incr.unit
           COMMAND test_part ${CMAKE_SOURCE_DIR}/tests/catalog/edge
                   ${CMAKE_SOURCE_DIR}/tests/catalog/tiny
                   ${AIRLOCK_SHARED}/api-models-aws
                   ${AIRLOCK_SHARED}/models-derived)
  set_tests_properties(incr.unit PROPERTIES TIMEOUT 900)

  airlock_fuzz_target(part cc_core)
endif()

if(TARGET airlock-compile)
  foreach(what full change corrupt nocache concurrent prune)
    add_test(NAME incr.${what}
             COMMAND ${AIRLOCK_PYTHON3} ${INCR_TEST_DIR}/incr.py ${what}
                     --bin $<TARGET_FILE:airlock-compile>
                     --shared ${AIRLOCK_SHARED}
                     --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                     --catalog-tests ${CMAKE_SOURCE_DIR}/tests/catalog
                     --work ${INCR_WORK})
  endforeach()
  set_tests_properties(incr.full PROPERTIES TIMEOUT 1200)
endif()
