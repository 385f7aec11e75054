# tests/catalog: what `airlock-compile build` stores, seen through
# `airlock-compile info` and `dump` (compiler/cc_inspect.c).
#
#   catalog.tiny.*        the made-up model tests/catalog/tiny (no ../shared);
#                         formats/FORMAT.md's worked example is built from
#                         it: change it only together with that example
#   catalog.edge.*        tests/catalog/edge: mixins (redefined members),
#                         apply to list/map members, nested resources,
#                         shapes of another namespace, defaults of every
#                         JSON kind, recursion, Unit union members
#   catalog.bad.*         broken models: the build fails, names the file and
#                         the JSON path, and writes nothing (no ../shared)
#   catalog.count         services/operations per service, counted from the
#                         model JSON, against `info --services --json`
#   catalog.roundtrip.*   `dump` against smithy_view.py, an independent
#                         rendering from the model JSON
#   catalog.golden.*      `dump` against golden/*.txt, byte for byte
#   catalog.determinism   three builds (--threads 1, 2, 2) are identical
#
# The corpus tests use the full catalog of the catalog.full.build fixture
# (tests/CMakeLists.txt).  When ../shared is missing they fail -- the
# scripts check their inputs and exit 1 -- never skip.
set(CATALOG_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
set(CATALOG_WORK ${CMAKE_CURRENT_BINARY_DIR}/catalog)
set(CATALOG_TINY_ALC ${CATALOG_WORK}/tiny.alc)
file(MAKE_DIRECTORY ${CATALOG_WORK})
set(CATALOG_CORPUS --models ${AIRLOCK_SHARED}/api-models-aws
                   --models ${AIRLOCK_SHARED}/models-derived)
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

if(TARGET airlock-compile)
  set(CC_BIN $<TARGET_FILE:airlock-compile>)

  # ---- the tiny model ------------------------------------------------------
  add_test(NAME catalog.tiny.build
           COMMAND ${CC_BIN} build --threads 2
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --models ${CATALOG_TEST_DIR}/tiny -o ${CATALOG_TINY_ALC})
  set_tests_properties(catalog.tiny.build PROPERTIES FIXTURES_SETUP tiny_catalog)

  add_test(NAME catalog.tiny.verify COMMAND ${CC_BIN} verify ${CATALOG_TINY_ALC})
  add_test(NAME catalog.tiny.info
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/check_info.py
                   --bin ${CC_BIN} --catalog ${CATALOG_TINY_ALC}
                   --models ${CATALOG_TEST_DIR}/tiny)
  add_test(NAME catalog.tiny.count
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/count_ops.py
                   --bin ${CC_BIN} --catalog ${CATALOG_TINY_ALC}
                   --models ${CATALOG_TEST_DIR}/tiny
                   --expect-services 1 --expect-operations 2)
  add_test(NAME catalog.tiny.roundtrip
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/roundtrip.py
                   --bin ${CC_BIN} --catalog ${CATALOG_TINY_ALC}
                   --models ${CATALOG_TEST_DIR}/tiny --all
                   --op tiny-notes:put-note --op "Tiny Notes:LISTNOTES"
                   --shape "tiny-notes#NoteSummary" --shape "tiny-notes#PutNoteInput"
                   --shape "tiny-notes#Priority")
  add_test(NAME catalog.tiny.golden
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/golden.py
                   --bin ${CC_BIN} --catalog ${CATALOG_TINY_ALC}
                   --dir ${CATALOG_TEST_DIR}/golden --prefix tiny-notes)
  add_test(NAME catalog.tiny.determinism
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/determinism.py
                   --bin ${CC_BIN} --work ${CATALOG_WORK}/determinism-tiny
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --models ${CATALOG_TEST_DIR}/tiny)
  set_tests_properties(catalog.tiny.verify catalog.tiny.info catalog.tiny.count
                       catalog.tiny.roundtrip catalog.tiny.golden
                       PROPERTIES FIXTURES_REQUIRED tiny_catalog)

  # ---- corner cases of the AST (mixins, apply, resources, namespaces) ------
  set(CATALOG_EDGE_ALC ${CATALOG_WORK}/edge.alc)
  add_test(NAME catalog.edge.build
           COMMAND ${CC_BIN} build --threads 2
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --models ${CATALOG_TEST_DIR}/edge -o ${CATALOG_EDGE_ALC})
  set_tests_properties(catalog.edge.build PROPERTIES FIXTURES_SETUP edge_catalog)
  add_test(NAME catalog.edge.verify COMMAND ${CC_BIN} verify ${CATALOG_EDGE_ALC})
  add_test(NAME catalog.edge.count
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/count_ops.py
                   --bin ${CC_BIN} --catalog ${CATALOG_EDGE_ALC}
                   --models ${CATALOG_TEST_DIR}/edge
                   --expect-services 1 --expect-operations 6)
  add_test(NAME catalog.edge.roundtrip
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/roundtrip.py
                   --bin ${CC_BIN} --catalog ${CATALOG_EDGE_ALC}
                   --models ${CATALOG_TEST_DIR}/edge --all
                   --shape "edge-cases#Node" --shape "edge-cases#PingInput")
  add_test(NAME catalog.edge.golden
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/golden.py
                   --bin ${CC_BIN} --catalog ${CATALOG_EDGE_ALC}
                   --dir ${CATALOG_TEST_DIR}/golden --prefix edge-cases)
  set_tests_properties(catalog.edge.verify catalog.edge.count
                       catalog.edge.roundtrip catalog.edge.golden
                       PROPERTIES FIXTURES_REQUIRED edge_catalog)

  # ---- broken models ------------------------------------------------------
  file(GLOB CATALOG_BAD_CASES LIST_DIRECTORIES true CONFIGURE_DEPENDS
       ${CATALOG_TEST_DIR}/bad/*)
  foreach(case_dir ${CATALOG_BAD_CASES})
    if(IS_DIRECTORY ${case_dir})
      get_filename_component(case ${case_dir} NAME)
      add_test(NAME catalog.bad.${case}
               COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/bad_models.py
                       --bin ${CC_BIN} --bad ${CATALOG_TEST_DIR}/bad
                       --work ${CATALOG_WORK}/bad
                       --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                       --case ${case})
    endif()
  endforeach()
  add_test(NAME catalog.bad.keep-going
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/bad_models.py
                   --bin ${CC_BIN} --bad ${CATALOG_TEST_DIR}/bad
                   --work ${CATALOG_WORK}/bad
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --keep-going)
  add_test(NAME catalog.bad.output-is-directory
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/bad_models.py
                   --bin ${CC_BIN} --bad ${CATALOG_TEST_DIR}/bad
                   --work ${CATALOG_WORK}/bad
                   --cli-names ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv
                   --output-dir --tiny ${CATALOG_TEST_DIR}/tiny)

  # the repository's internal test services are not models (as for sync)
  add_test(NAME catalog.test-services
           COMMAND sh ${CATALOG_TEST_DIR}/test_services.sh ${CC_BIN}
                   ${AIRLOCK_SHARED}/api-models-aws ${CATALOG_WORK}/test-services)

  # ---- the full corpus (../shared) ----------------------------------------
  add_test(NAME catalog.count
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/count_ops.py
                   --bin ${CC_BIN} --catalog ${AIRLOCK_FULL_CATALOG}
                   ${CATALOG_CORPUS}
                   --expect-services 403 --expect-operations 16784)
  add_test(NAME catalog.info
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/check_info.py
                   --bin ${CC_BIN} --catalog ${AIRLOCK_FULL_CATALOG}
                   ${CATALOG_CORPUS})
  add_test(NAME catalog.roundtrip.sample
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/roundtrip.py
                   --bin ${CC_BIN} --catalog ${AIRLOCK_FULL_CATALOG}
                   ${CATALOG_CORPUS}
                   --ops-file ${CATALOG_TEST_DIR}/roundtrip_ops.txt
                   --shape "dynamodb#AttributeValue" --shape "s3#ListObjectsV2Output"
                   --shape "ec2#Instance")
  # Every operation of every service: ~20 s.
  add_test(NAME catalog.roundtrip.all
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/roundtrip.py
                   --bin ${CC_BIN} --catalog ${AIRLOCK_FULL_CATALOG}
                   ${CATALOG_CORPUS} --all)
  add_test(NAME catalog.golden
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/golden.py
                   --bin ${CC_BIN} --catalog ${AIRLOCK_FULL_CATALOG}
                   --dir ${CATALOG_TEST_DIR}/golden
                   --prefix s3 --prefix dynamodb --prefix cloudformation
                   --prefix ec2 --prefix sqs --prefix lambda
                   --prefix cloudwatch-logs --prefix iam --prefix sts)
  set_tests_properties(catalog.count catalog.info catalog.roundtrip.sample
                       catalog.roundtrip.all catalog.golden
                       PROPERTIES FIXTURES_REQUIRED full_catalog TIMEOUT 600)
  add_test(NAME catalog.determinism
           COMMAND ${AIRLOCK_PYTHON3} ${CATALOG_TEST_DIR}/determinism.py
                   --bin ${CC_BIN} --work ${CATALOG_WORK}/determinism
                   ${CATALOG_CORPUS})
  set_tests_properties(catalog.determinism PROPERTIES TIMEOUT 600)
endif()
