# tests/cdiff: `airlock-compile diff` (compiler/cc_diff.c).
#
#   cdiff.build       copies real models from ${AIRLOCK_SHARED} (sqs, sns,
#                     dynamodb, ec2), mutates copies in known ways and
#                     builds the catalogs the other tests compare
#                     (known_changes.py says what each one holds)
#   cdiff.known       exactly the expected changes, in --json, text, --stat
#   cdiff.identical   the same catalog, and a rebuild of it: exit 0, nothing
#   cdiff.renamed     shapes cloned under other names: structurally equal
#   cdiff.shared      a change to a shape shared all over a service: every
#                     operation reports it, at its first path
#   cdiff.errors      corrupt / truncated / missing catalogs, usage: exit 2
#   cdiff.full-self   the full corpus against itself: exit 0, no change
#
# Missing shared data fails the build step (and so every test after it).
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
if(TARGET airlock-compile)
  set(CDIFF_DIR ${CMAKE_CURRENT_LIST_DIR})
  set(CDIFF_WORK ${CMAKE_CURRENT_BINARY_DIR}/cdiff)
  set(CDIFF_RUN ${AIRLOCK_PYTHON3} ${CDIFF_DIR}/known_changes.py
                --bin $<TARGET_FILE:airlock-compile> --work ${CDIFF_WORK})
  list(APPEND CDIFF_RUN --shared ${AIRLOCK_SHARED}
              --policy ${CDIFF_DIR}/policy-new.yaml)
  add_test(NAME cdiff.build COMMAND ${CDIFF_RUN} --case build)
  set_tests_properties(cdiff.build PROPERTIES FIXTURES_SETUP cdiff_catalogs
                       TIMEOUT 300)
  foreach(case known identical renamed shared errors)
    add_test(NAME cdiff.${case}
             COMMAND ${CDIFF_RUN} --case ${case})
    set_tests_properties(cdiff.${case} PROPERTIES FIXTURES_REQUIRED cdiff_catalogs)
  endforeach()
  add_test(NAME cdiff.full-self
           COMMAND ${CDIFF_RUN} --case self --catalog ${AIRLOCK_FULL_CATALOG})
  set_tests_properties(cdiff.full-self PROPERTIES FIXTURES_REQUIRED full_catalog
                       TIMEOUT 300)
endif()

# fuzz.catalog_diff.replay: tests/fuzz/fuzz_catalog_diff.c over
# tests/fuzz/corpus/catalog_diff (seeds: make_seeds.py).
if(TARGET cc_core)
  airlock_fuzz_target(catalog_diff cc_core)
endif()
