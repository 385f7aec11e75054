# tests/cfn: CloudFormation plans through change sets (runtime/rt_cfn.c).
#
#   cfn.catalog  builds cloudformation + sts from ${AIRLOCK_SHARED}'s models
#                with tests/cfn/policy.yaml (the fixture of the others)
#   cfn.e2e      e2e_cfn.py: deploy_stack, diff_plan and apply_plan over MCP
#                against moto on loopback (moto_cfn.py: moto with AWS-like
#                asynchronous execution, resource events and failures):
#                create, update through a change set (changes equal boto3's
#                DescribeChangeSet), no-change, a failing update with its
#                failed events, cleanup of unexecuted change sets, a denied
#                plan without one, DeleteStack's diff (DeletionPolicy) and
#                apply, `airlock deploy`, the audit records; needs python3
#                with moto and boto3 (missing: FAIL)
#   cfn.unit     test_cfn.c: recorded answers through a fake executor
#                (below)
#   cfn.sdk      sdk_cfn.mjs: the official MCP client (below)
#   fuzz.cfn_changeset.replay, fuzz.cfn_template.replay  (below)

if(NOT TARGET airlock OR NOT TARGET airlock-compile)
  return()
endif()

set(CFN_DIR ${CMAKE_CURRENT_LIST_DIR})
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

set(CFN_CATALOG ${CMAKE_BINARY_DIR}/cfn-e2e.alc)
add_test(NAME cfn.catalog
         COMMAND $<TARGET_FILE:airlock-compile> build
                 --models ${AIRLOCK_SHARED}/api-models-aws
                 --services cloudformation,sts
                 --policy ${CFN_DIR}/policy.yaml -o ${CFN_CATALOG})
set_tests_properties(cfn.catalog PROPERTIES FIXTURES_SETUP cfn_catalog)

add_test(NAME cfn.e2e
         COMMAND ${AIRLOCK_PYTHON3} ${CFN_DIR}/e2e_cfn.py $<TARGET_FILE:airlock> ${CFN_CATALOG})
set_tests_properties(cfn.e2e PROPERTIES FIXTURES_REQUIRED cfn_catalog TIMEOUT 300)

# cfn.unit: test_cfn.c -- recorded DescribeChangeSet / DescribeStackEvents
# answers (fixtures/, after the AWS CloudFormation User Guide's example
# change sets) through a fake executor: Modify with Replacement True /
# Conditional / False, details, two pages, a failing apply's events; the
# text for people against golden/.
add_executable(test_cfn ${CFN_DIR}/test_cfn.c)
target_link_libraries(test_cfn PRIVATE rt_core)
add_test(NAME cfn.unit
         COMMAND test_cfn ${CFN_CATALOG} ${CFN_DIR}/fixtures ${CFN_DIR}/golden)
set_tests_properties(cfn.unit PROPERTIES FIXTURES_REQUIRED cfn_catalog TIMEOUT 120)

# fuzz_cfn_changeset: DescribeChangeSet answers -> the diff and its text
# (tests/fuzz/corpus/cfn_changeset: the fixtures and damaged answers).
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(cfn_changeset rt_core)
endif()

# cfn.sdk: sdk_cfn.mjs -- deploy_stack and apply_plan through the official
# MCP client (v1 SDK) against moto_cfn.py: results checked against the
# output schemas by the SDK, a progress notification per stack event.
# The packages come from mcp.npm (tests/mcp/tests.cmake).
set(CFN_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/mcp-node)
configure_file(${CFN_DIR}/sdk_cfn.mjs ${CFN_NODE_DIR}/sdk_cfn.mjs COPYONLY)
find_program(AIRLOCK_NODE node)
if(AIRLOCK_NODE)
  add_test(NAME cfn.sdk
           COMMAND ${AIRLOCK_NODE} ${CFN_NODE_DIR}/sdk_cfn.mjs $<TARGET_FILE:airlock>
                   ${CFN_CATALOG} ${CFN_DIR}/moto_cfn.py ${AIRLOCK_PYTHON3})
  set_tests_properties(cfn.sdk PROPERTIES FIXTURES_REQUIRED "mcp_node;cfn_catalog" TIMEOUT 300)
else()
  add_test(NAME cfn.sdk
           COMMAND sh -c "echo 'cfn.sdk: node (Node.js 20+) is needed' >&2; exit 1")
endif()

# fuzz_cfn_template: templates (GetTemplate's body, JSON or YAML) ->
# DeletionPolicy per resource (runtime/rt_cfn_tpl.c).
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(cfn_template rt_core)
endif()
