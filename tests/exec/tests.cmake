# tests/exec: execution (runtime/rt_exec.c, rt_retry.c, rt_proto*.c, rt_rest.c)
#
#   exec.unit    test_exec.c: retry classes, backoff bounds and the quota,
#                idempotency tokens, retry safety, URLs and hosts, timestamps,
#                base64, header lists, pagination merging (no network)
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

if(EXISTS ${EXEC_DIR}/test_exec.c)
  add_executable(test_exec ${EXEC_DIR}/test_exec.c)
  target_link_libraries(test_exec PRIVATE rt_core)
  add_test(NAME exec.unit COMMAND test_exec)
endif()

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
