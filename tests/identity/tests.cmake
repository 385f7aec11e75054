# tests/identity: credentials, configuration, signing, STS
# (runtime/rt_sigv4.c, rt_creds.c, rt_awsconfig.c, rt_http.c, rt_sts.c).
#
#   identity.sigv4   test_sigv4.c: the aws-c-auth SigV4 suite (38 cases) in
#                    header and query form, from
#                    ${AIRLOCK_SHARED}/test-suites/sigv4/v4 (missing: FAIL),
#                    plus known answers (SHA-256, HMAC RFC 4231, SHA-1)
#   identity.creds   test_creds.c: config files, precedence, static keys,
#                    credential_process, role/SSO/container errors, redaction
#                    (no network)
#   identity.mutate  test_mutate.c: mutated config files, STS answers, paths,
#                    queries, header values and times through the parsers
#                    and the signer (exactly-sized workspace): never crash
#   identity.chain   chain.py: airlock whoami end to end against moto with
#                    signature checking on (AssumeRole, GetCallerIdentity), a
#                    loopback IMDSv2 / container / SSO server, the chain's
#                    precedence, and the scan of every output for secrets;
#                    needs python3 with moto and boto3 (missing: FAIL)

if(NOT TARGET rt_core)
  return()
endif()

set(IDENTITY_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(test_sigv4 ${IDENTITY_DIR}/test_sigv4.c)
target_link_libraries(test_sigv4 PRIVATE rt_core)
add_test(NAME identity.sigv4
         COMMAND test_sigv4 ${AIRLOCK_SHARED}/test-suites/sigv4/v4)

add_executable(test_creds ${IDENTITY_DIR}/test_creds.c)
target_link_libraries(test_creds PRIVATE rt_core)
add_test(NAME identity.creds COMMAND test_creds)

add_executable(test_mutate ${IDENTITY_DIR}/test_mutate.c)
target_link_libraries(test_mutate PRIVATE rt_core)
add_test(NAME identity.mutate COMMAND test_mutate 20000)

if(TARGET airlock)
  find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
  add_test(NAME identity.chain
           COMMAND ${AIRLOCK_PYTHON3} ${IDENTITY_DIR}/chain.py $<TARGET_FILE:airlock>)
  set_tests_properties(identity.chain PROPERTIES TIMEOUT 300)
endif()
