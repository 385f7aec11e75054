# tests/exec: execution (runtime/rt_exec.c, rt_retry.c, rt_proto*.c, rt_rest.c)
#
#   exec.unit    test_exec.c: retry classes, backoff bounds and the quota,
#                timestamps, base64, the REST bindings, URLs and hosts, and
#                whole calls through the transport hook (tokens across
#                retries, modeled errors, validation, pagination); catalog:
#                tests/exec/model (gen_model.py), embedded
#   fuzz.json_response.replay  the JSON response parsers' fuzz target over
#                tests/fuzz/corpus/json_response (make_seeds.py)
#   exec.moto    e2e_moto.py: operations end to end against moto on loopback
#                with SigV4 checking on (see the script for the list and the
#                one service run without it); needs python3 with moto and
#                boto3 (missing: FAIL)
#   exec.faults  faults.py: a loopback server answering throttling, 500s,
#                connection resets and slow responses: bounded attempts, the
#                same idempotency token on every attempt, clear final errors,
#                no hang; the retry quota

if(NOT TARGET rt_core)
  return()
endif()

set(EXEC_DIR ${CMAKE_CURRENT_LIST_DIR})
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

add_executable(exec_driver ${EXEC_DIR}/exec_driver.c)
target_link_libraries(exec_driver PRIVATE rt_core)

# The services the end-to-end tests call, from ${AIRLOCK_SHARED}'s models.
set(EXEC_CATALOG ${CMAKE_BINARY_DIR}/exec-e2e.alc)
add_test(NAME exec.catalog
         COMMAND $<TARGET_FILE:airlock-compile> build
                 --models ${AIRLOCK_SHARED}/api-models-aws
                 --models ${AIRLOCK_SHARED}/models-derived
                 --services sts,dynamodb,cloudwatch-logs,lambda,cloudformation,ec2,s3,iam,sqs,sns
                 -o ${EXEC_CATALOG})
set_tests_properties(exec.catalog PROPERTIES FIXTURES_SETUP exec_catalog)

add_test(NAME exec.moto
         COMMAND ${AIRLOCK_PYTHON3} ${EXEC_DIR}/e2e_moto.py $<TARGET_FILE:exec_driver>
                 ${EXEC_CATALOG})
set_tests_properties(exec.moto PROPERTIES FIXTURES_REQUIRED exec_catalog TIMEOUT 300)

if(EXISTS ${EXEC_DIR}/faults.py)
  add_test(NAME exec.faults
           COMMAND ${AIRLOCK_PYTHON3} ${EXEC_DIR}/faults.py $<TARGET_FILE:exec_driver>
                   ${EXEC_CATALOG})
  set_tests_properties(exec.faults PROPERTIES FIXTURES_REQUIRED exec_catalog TIMEOUT 300)
endif()

# fuzz_json_response: the JSON response parsers over the catalog of
# tests/exec/model (built with the tree and embedded); seeds from
# make_seeds.py in tests/fuzz/corpus/json_response/.
set(EXEC_BIN ${CMAKE_CURRENT_BINARY_DIR}/exec)
file(GLOB_RECURSE EXEC_MODEL CONFIGURE_DEPENDS ${EXEC_DIR}/model/*.json)
add_custom_command(
  OUTPUT ${EXEC_BIN}/jsonfuzz.alc
  COMMAND ${CMAKE_COMMAND} -E make_directory ${EXEC_BIN}
  COMMAND $<TARGET_FILE:airlock-compile> build --models ${EXEC_DIR}/model
          --no-policy -o ${EXEC_BIN}/jsonfuzz.alc
  DEPENDS airlock-compile ${EXEC_MODEL}
  COMMENT "Building the JSON protocols' fuzz catalog")
add_custom_command(
  OUTPUT ${EXEC_BIN}/jsonfuzz_alc.c
  COMMAND ${CMAKE_COMMAND} -DIN=${EXEC_BIN}/jsonfuzz.alc
          -DOUT=${EXEC_BIN}/jsonfuzz_alc.c -DNAME=airlock_jsonfuzz_alc
          -P ${CMAKE_SOURCE_DIR}/tests/schema/embed.cmake
  DEPENDS ${EXEC_BIN}/jsonfuzz.alc ${CMAKE_SOURCE_DIR}/tests/schema/embed.cmake)
add_library(exec_json_fuzz_catalog STATIC ${EXEC_BIN}/jsonfuzz_alc.c)
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(json_response rt_core exec_json_fuzz_catalog)
endif()

add_executable(test_exec ${EXEC_DIR}/test_exec.c)
target_link_libraries(test_exec PRIVATE rt_core exec_json_fuzz_catalog)
add_test(NAME exec.unit COMMAND test_exec)

# exec.pages: read_operation over MCP fetching 3 pages from moto, with a
# progress notification per page (read_pages.py).
if(TARGET airlock)
  add_test(NAME exec.pages
           COMMAND ${AIRLOCK_PYTHON3} ${EXEC_DIR}/read_pages.py $<TARGET_FILE:airlock>
                   ${EXEC_CATALOG})
  set_tests_properties(exec.pages PROPERTIES FIXTURES_REQUIRED exec_catalog)
endif()

# exec.account: the account from STS GetCallerIdentity decides a policy that
# lists accounts (account_policy.py, moto on loopback).
if(TARGET airlock AND TARGET airlock-compile)
  add_test(NAME exec.account
           COMMAND ${AIRLOCK_PYTHON3} ${EXEC_DIR}/account_policy.py
                   $<TARGET_FILE:airlock-compile> $<TARGET_FILE:airlock>
                   ${AIRLOCK_SHARED}/api-models-aws)
endif()
