# tests/diff: the Diff of plans (runtime/rt_diff.c) and the EC2 DryRun check
#
#   diff.catalog  fixture diff_catalog: sts, s3, ec2, dynamodb, iam,
#                 secretsmanager, lambda from ${AIRLOCK_SHARED}'s models with
#                 tests/diff/allow.yaml (read mappings compiled in)
#   diff.unit     test_diff.c: the comparison engine on hand-built JSON
#                 (nested, lists, maps, documents, wrappers, depth, sensitive
#                 members) and the rendering
#   diff.cli      diff_moto.py cli: plan / diff / apply / approve / audit
#                 against moto on loopback with SigV4 checking on (bucket
#                 policy, EC2 instance attributes and DryRun, DynamoDB create /
#                 update / delete, read_failed, no_mapping, colours)
#   diff.sdk      diff_moto.py sdk: sdk_diff.mjs, the official MCP client,
#                 against the same moto (diff_plan, plan_operation dry_run)
#   fuzz.diff.replay  fuzz_diff.c over tests/fuzz/corpus/diff: two JSON
#                 texts compared and rendered (answers from AWS are outside
#                 input)

if(NOT TARGET rt_core OR NOT TARGET airlock-compile)
  return()
endif()

set(DIFF_DIR ${CMAKE_CURRENT_LIST_DIR})
set(DIFF_CATALOG ${CMAKE_BINARY_DIR}/diff-e2e.alc)
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

add_test(NAME diff.catalog
         COMMAND $<TARGET_FILE:airlock-compile> build
                 --models ${AIRLOCK_SHARED}/api-models-aws
                 --models ${AIRLOCK_SHARED}/models-derived
                 --services sts,s3,ec2,dynamodb,iam,secretsmanager,lambda
                 --policy ${DIFF_DIR}/allow.yaml -o ${DIFF_CATALOG})
set_tests_properties(diff.catalog PROPERTIES FIXTURES_SETUP diff_catalog)

add_executable(test_diff ${DIFF_DIR}/test_diff.c)
target_link_libraries(test_diff PRIVATE rt_core)
add_test(NAME diff.unit COMMAND test_diff ${DIFF_CATALOG})
set_tests_properties(diff.unit PROPERTIES FIXTURES_REQUIRED diff_catalog)

if(TARGET airlock)
  add_test(NAME diff.cli
           COMMAND ${AIRLOCK_PYTHON3} ${DIFF_DIR}/diff_moto.py cli $<TARGET_FILE:airlock>
                   ${DIFF_CATALOG})
  set_tests_properties(diff.cli PROPERTIES FIXTURES_REQUIRED diff_catalog TIMEOUT 600)
  # beside the packages mcp.npm installs (tests/mcp/tests.cmake)
  set(DIFF_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/mcp-node)
  configure_file(${DIFF_DIR}/sdk_diff.mjs ${DIFF_NODE_DIR}/sdk_diff.mjs COPYONLY)
  find_program(AIRLOCK_NODE node)
  if(AIRLOCK_NODE)
    add_test(NAME diff.sdk
             COMMAND ${AIRLOCK_PYTHON3} ${DIFF_DIR}/diff_moto.py sdk $<TARGET_FILE:airlock>
                     ${DIFF_CATALOG} ${AIRLOCK_NODE} ${DIFF_NODE_DIR}/sdk_diff.mjs)
    set_tests_properties(diff.sdk PROPERTIES FIXTURES_REQUIRED "diff_catalog;mcp_node"
                         TIMEOUT 600)
  else()
    add_test(NAME diff.sdk
             COMMAND sh -c "echo 'diff.sdk: node (Node.js 20+) is needed' >&2; exit 1")
  endif()
endif()

if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(diff rt_core)
endif()
