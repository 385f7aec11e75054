# tests/plans: plans, approvals and the audit log (runtime/rt_store.c,
# rt_plan.c, rt_approve.c, rt_audit.c, rt_plan_tools.c, rt_plan_cli.c).
#
#   plans.unit         test_plans.c: canonical JSON, ids, the transition table,
#                      records, the store, every transition and refusal, both
#                      elicitation eras with a fake client, the audit chain
#                      and tampering, redaction, the file store
#   plans.cli          cli_test.py: the same workflow and refusals through
#                      `airlock plan|apply|plans|show|approve|reject|audit`
#                      (approve on a pseudo-terminal)
#   plans.sdk          sdk_plans.mjs: the official MCP clients (v1 SDK,
#                      2025-11-25 elicitation/create; v2 client, 2026-07-28
#                      input_required): accept, decline, cancel, refusals
#   plans.crash        crash.py: SIGKILL at random points of 200
#                      plan/approve/apply cycles; chain intact, nothing
#                      applied twice, every reported success recorded
#   plans.concurrency  concurrency.py: 8 processes x 200 plans, one home
#   fuzz.plan_records.replay  tests/fuzz/fuzz_plan_records.c over its corpus
#
# The gadgets model (model/: a small awsJson1_1 service with sensitive
# members) is compiled twice at build time, with policies/a.yaml (catalog
# A: plans are made there) and policies/b.yaml (catalog B: the "changed"
# catalog that denies, requires approval, or no longer accepts a channel).
# Apply goes to fake_exec.c (no AWS): airlock-fake is the airlock command
# line with that executor; the airlock binary cannot load it.

if(NOT TARGET airlock OR NOT TARGET airlock-compile)
  return()
endif()

set(PLANS_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PLANS_BIN ${CMAKE_CURRENT_BINARY_DIR}/plans)
file(GLOB PLANS_MODEL CONFIGURE_DEPENDS ${PLANS_DIR}/model/*/*/*/*.json)
foreach(c a b)
  add_custom_command(OUTPUT ${PLANS_BIN}/${c}.alc
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PLANS_BIN}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
            $<TARGET_FILE:airlock-compile> build --models ${PLANS_DIR}/model
            --policy ${PLANS_DIR}/policies/${c}.yaml -o ${PLANS_BIN}/${c}.alc
    DEPENDS airlock-compile ${PLANS_MODEL} ${PLANS_DIR}/policies/${c}.yaml
    COMMENT "Compiling the gadgets test catalog ${c}"
    VERBATIM)
endforeach()
add_custom_target(plans_catalogs ALL DEPENDS ${PLANS_BIN}/a.alc ${PLANS_BIN}/b.alc)

add_library(plans_fake_exec OBJECT ${PLANS_DIR}/fake_exec.c)
target_link_libraries(plans_fake_exec PRIVATE rt_core)
target_include_directories(plans_fake_exec PUBLIC ${PLANS_DIR})

add_executable(airlock-fake ${PLANS_DIR}/fake_main.c $<TARGET_OBJECTS:plans_fake_exec>)
target_include_directories(airlock-fake PRIVATE ${PLANS_DIR})
target_link_libraries(airlock-fake PRIVATE rt_core)
add_dependencies(airlock-fake plans_catalogs)

add_executable(test_plans ${PLANS_DIR}/test_plans.c $<TARGET_OBJECTS:plans_fake_exec>)
target_include_directories(test_plans PRIVATE ${PLANS_DIR})
target_link_libraries(test_plans PRIVATE rt_core)
add_dependencies(test_plans plans_catalogs)

add_executable(plans_tamper ${PLANS_DIR}/plans_tamper.c)
target_link_libraries(plans_tamper PRIVATE rt_core)

add_test(NAME plans.unit COMMAND test_plans ${PLANS_BIN}/a.alc ${PLANS_BIN}/b.alc)
set_tests_properties(plans.unit PROPERTIES TIMEOUT 300)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(PLANS_PY ${Python3_EXECUTABLE})
else()
  set(PLANS_PY python3)
endif()
set(PLANS_ARGS $<TARGET_FILE:airlock-fake> ${PLANS_BIN}/a.alc ${PLANS_BIN}/b.alc
               $<TARGET_FILE:airlock> $<TARGET_FILE:plans_tamper>)
add_test(NAME plans.cli COMMAND ${PLANS_PY} ${PLANS_DIR}/cli_test.py ${PLANS_ARGS})
add_test(NAME plans.crash COMMAND ${PLANS_PY} ${PLANS_DIR}/crash.py
         $<TARGET_FILE:airlock-fake> ${PLANS_BIN}/a.alc 200)
add_test(NAME plans.concurrency COMMAND ${PLANS_PY} ${PLANS_DIR}/concurrency.py
         $<TARGET_FILE:airlock-fake> ${PLANS_BIN}/a.alc 8 200)
set_tests_properties(plans.cli plans.crash plans.concurrency PROPERTIES TIMEOUT 900)

# the official MCP clients, installed by mcp.npm (tests/mcp/tests.cmake)
set(PLANS_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/mcp-node)
if(EXISTS ${PLANS_DIR}/sdk_plans.mjs)
  configure_file(${PLANS_DIR}/sdk_plans.mjs ${PLANS_NODE_DIR}/sdk_plans.mjs COPYONLY)
endif()
find_program(AIRLOCK_NODE node)
if(AIRLOCK_NODE)
  add_test(NAME plans.sdk
           COMMAND ${AIRLOCK_NODE} ${PLANS_NODE_DIR}/sdk_plans.mjs ${PLANS_ARGS})
  set_tests_properties(plans.sdk PROPERTIES FIXTURES_REQUIRED mcp_node TIMEOUT 600)
else()
  add_test(NAME plans.sdk
           COMMAND sh -c "echo 'plans.sdk: node (Node.js 20+) is needed' >&2; exit 1")
endif()

airlock_fuzz_target(plan_records rt_core)
