# tests/protocol: the official Smithy AWS protocol tests
# (${AIRLOCK_SHARED}/test-suites/smithy-protocol-tests; missing: FAIL).
#
#   protocol.layout    layout.py: one model file per test service (the
#                      suite's files hold several services each), under
#                      ${CMAKE_BINARY_DIR}/protocol-models
#   protocol.catalog   airlock-compile builds protocol.alc from them
#   protocol.<name>    protocol_tests.c: every client request and response
#                      case of one protocol (awsJson1_0, awsJson1_1,
#                      restJson1, restXml, awsQuery, ec2Query) through the
#                      runtime's serializer and parser; prints each failure
#                      and skip with its reason and the pass count

if(NOT TARGET rt_core)
  return()
endif()

set(PROTOCOL_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PROTOCOL_SUITE ${AIRLOCK_SHARED}/test-suites/smithy-protocol-tests)
set(PROTOCOL_MODELS ${CMAKE_BINARY_DIR}/protocol-models)
set(PROTOCOL_CATALOG ${CMAKE_BINARY_DIR}/protocol.alc)
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)

add_executable(protocol_tests ${PROTOCOL_DIR}/protocol_tests.c)
target_link_libraries(protocol_tests PRIVATE rt_core)

add_test(NAME protocol.layout
         COMMAND ${CMAKE_COMMAND} -E env
                 ${AIRLOCK_PYTHON3} ${PROTOCOL_DIR}/layout.py --clean
                 --rules-from
                 "com.amazonaws.s3#AmazonS3=${AIRLOCK_SHARED}/api-models-aws/s3/service/2006-03-01/s3-2006-03-01.json"
                 ${PROTOCOL_SUITE}
                 ${PROTOCOL_MODELS}
                 aws-awsJson1_0.json aws-awsJson1_1.json aws-restJson1.json
                 aws-restXml.json aws-restXmlWithNamespace.json aws-awsQuery.json
                 aws-ec2Query.json)
set_tests_properties(protocol.layout PROPERTIES FIXTURES_SETUP protocol_models)

add_test(NAME protocol.catalog
         COMMAND $<TARGET_FILE:airlock-compile> build --models ${PROTOCOL_MODELS}
                 --no-policy -o ${PROTOCOL_CATALOG})
set_tests_properties(protocol.catalog PROPERTIES FIXTURES_REQUIRED protocol_models
                     FIXTURES_SETUP protocol_catalog)

foreach(p awsJson1_0 awsJson1_1 restJson1 restXml awsQuery ec2Query)
  add_test(NAME protocol.${p}
           COMMAND protocol_tests ${PROTOCOL_CATALOG} ${PROTOCOL_SUITE} ${p})
  set_tests_properties(protocol.${p} PROPERTIES FIXTURES_REQUIRED protocol_catalog)
endforeach()
