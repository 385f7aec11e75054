# tests/policy: the policy language, its compiler and its decisions
# (compiler/cc_policy.c, cc_risk.c, formats/alc_policy.c, runtime/rt_policy.c).
#
#   policy.build.NAME    compile policies/NAME.yaml into a catalog of the
#                        services the cases use (fixture policy_NAME)
#   policy.cases.NAME    `airlock policy test policies/NAME.test.yaml`:
#                        rules (every rule kind), defaults, custom-defaults,
#                        tags (required tags across tag shapes), envs
#                        (environments, allowed accounts and regions,
#                        approvals), bypass (case, aliases, CLI names,
#                        unknown members, duplicate keys, look-alikes)
#   policy.example       policy/examples/platform.yaml and its test file
#   policy.bad.NAME      bad/NAME.yaml's errors against bad/NAME.stderr
#                        (check_bad.sh; --update to regenerate)
#   policy.nothing-written  a build with a bad policy fails and leaves no file
#   policy.cli.*         `airlock policy explain`, describe and validate
#                        showing the decision, a --no-policy catalog
#   policy.unit          test_policy.c: risk and tag-location known answers,
#                        the section checker against corruption, serialized
#                        and source patterns agreeing, determinism
#   policy.doc           formats/POLICY-FORMAT.md's tables against alc_policy.h
#   policy.full.*        the full catalog with the default policy: its size
#                        (at most 25,000,000 bytes), the example checked
#                        against every service
#   fuzz.policy.replay, fuzz.policy_section.replay
#                        tests/fuzz/fuzz_policy*.c over their corpora
#
# The policy catalogs need ../shared (the AWS models): without it their
# builds fail and so do the tests that need them (never a skip).

if(NOT TARGET airlock OR NOT TARGET airlock-compile)
  return()
endif()

set(POLICY_DIR ${CMAKE_CURRENT_LIST_DIR})
set(POLICY_BIN ${CMAKE_CURRENT_BINARY_DIR}/policy)
file(MAKE_DIRECTORY ${POLICY_BIN})
set(POLICY_SERVICES
    ec2,s3,cloudformation,dynamodb,iam,kms,lambda,ecs,secretsmanager,sts,cloudwatch-logs,organizations,sqs,sso-admin)
set(POLICY_MODELS --models ${AIRLOCK_SHARED}/api-models-aws
                  --models ${AIRLOCK_SHARED}/models-derived)
set(CC_BIN $<TARGET_FILE:airlock-compile>)
set(RT_BIN $<TARGET_FILE:airlock>)

# ---- policies and their cases -------------------------------------------
foreach(p rules defaults custom-defaults tags envs bypass)
  add_test(NAME policy.build.${p}
           COMMAND ${CC_BIN} build --threads 2 ${POLICY_MODELS}
                   --services ${POLICY_SERVICES}
                   --policy ${POLICY_DIR}/policies/${p}.yaml
                   -o ${POLICY_BIN}/${p}.alc)
  set_tests_properties(policy.build.${p} PROPERTIES FIXTURES_SETUP policy_${p})
  add_test(NAME policy.cases.${p}
           COMMAND ${RT_BIN} policy test --catalog ${POLICY_BIN}/${p}.alc
                   ${POLICY_DIR}/policies/${p}.test.yaml)
  set_tests_properties(policy.cases.${p} PROPERTIES FIXTURES_REQUIRED policy_${p})
endforeach()

add_test(NAME policy.build.example
         COMMAND ${CC_BIN} build --threads 2 ${POLICY_MODELS}
                 --services ${POLICY_SERVICES}
                 --policy ${CMAKE_SOURCE_DIR}/policy/examples/platform.yaml
                 -o ${POLICY_BIN}/platform.alc)
set_tests_properties(policy.build.example PROPERTIES FIXTURES_SETUP policy_example)
add_test(NAME policy.example
         COMMAND ${RT_BIN} policy test --catalog ${POLICY_BIN}/platform.alc
                 ${CMAKE_SOURCE_DIR}/policy/examples/platform.test.yaml)
set_tests_properties(policy.example PROPERTIES FIXTURES_REQUIRED policy_example)

# ---- errors ---------------------------------------------------------------
file(GLOB POLICY_BAD CONFIGURE_DEPENDS ${POLICY_DIR}/bad/*.yaml)
foreach(f ${POLICY_BAD})
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME policy.bad.${n}
           COMMAND sh ${POLICY_DIR}/check_bad.sh ${CC_BIN}
                   ${AIRLOCK_FULL_CATALOG} ${n})
  set_tests_properties(policy.bad.${n} PROPERTIES FIXTURES_REQUIRED full_catalog)
endforeach()

add_test(NAME policy.nothing-written
         COMMAND sh -c "rm -f \"$2\"; if \"$0\" build --models \"$1\" --policy \"$3\" -o \"$2\" 2>/dev/null; then echo 'build succeeded'; exit 1; fi; if [ -e \"$2\" ]; then echo 'a catalog was written'; exit 1; fi; ls \"$2\".tmp.* 2>/dev/null && exit 1; exit 0"
                 ${CC_BIN} ${CMAKE_SOURCE_DIR}/tests/catalog/tiny
                 ${POLICY_BIN}/nothing.alc ${POLICY_DIR}/bad/syntax.yaml)

# ---- command line -------------------------------------------------------
add_test(NAME policy.cli.explain-alias
         COMMAND ${RT_BIN} policy explain s3api put-bucket-policy
                 --catalog ${POLICY_BIN}/bypass.alc --region us-east-1
                 --account 333333333333)
set_tests_properties(policy.cli.explain-alias PROPERTIES
  FIXTURES_REQUIRED policy_bypass
  PASS_REGULAR_EXPRESSION "decision: deny\nrule: no-bucket-policy \\(line [0-9]+\\)")
add_test(NAME policy.cli.explain-exit
         COMMAND ${RT_BIN} policy explain EC2 TERMINATE-INSTANCES
                 --catalog ${POLICY_BIN}/bypass.alc --account 333333333333
                 --input "{\"InstanceIds\":[\"i-1\"]}")
set_tests_properties(policy.cli.explain-exit PROPERTIES
  FIXTURES_REQUIRED policy_bypass WILL_FAIL TRUE)
add_test(NAME policy.cli.explain-json
         COMMAND ${RT_BIN} policy explain ecs delete-cluster --json
                 --catalog ${POLICY_BIN}/rules.alc --region us-east-1
                 --account 222222222222)
set_tests_properties(policy.cli.explain-json PROPERTIES
  FIXTURES_REQUIRED policy_rules
  PASS_REGULAR_EXPRESSION "\"decision\": \"require_approval\",\n  \"rule\": \"allow-ecs-high\"")
add_test(NAME policy.cli.describe
         COMMAND ${RT_BIN} describe cloudformation create-stack
                 --catalog ${POLICY_BIN}/rules.alc --region us-east-1
                 --account 222222222222)
set_tests_properties(policy.cli.describe PROPERTIES
  FIXTURES_REQUIRED policy_rules
  PASS_REGULAR_EXPRESSION "policy: allow \\(rule default; medium risk, write\\).*depends on the input: deny-inline-templates approve-stack-roles")
add_test(NAME policy.cli.validate
         COMMAND ${RT_BIN} validate s3 CreateBucket --input "{\"Bucket\":\"mine\"}"
                 --catalog ${POLICY_BIN}/rules.alc --region us-east-1
                 --account 222222222222)
set_tests_properties(policy.cli.validate PROPERTIES
  FIXTURES_REQUIRED policy_rules
  PASS_REGULAR_EXPRESSION "policy: deny \\(rule deny-unprefixed-buckets; medium risk, write\\)")
add_test(NAME policy.cli.no-policy
         COMMAND sh -c "\"$0\" build --models \"$1\" --no-policy -o \"$2\" && \"$3\" policy explain tiny-notes PutNote --catalog \"$2\""
                 ${CC_BIN} ${CMAKE_SOURCE_DIR}/tests/catalog/tiny
                 ${POLICY_BIN}/no-policy.alc ${RT_BIN})
set_tests_properties(policy.cli.no-policy PROPERTIES
  PASS_REGULAR_EXPRESSION "decision: deny\nrule: no-policy \\(built in\\)")

# ---- the full catalog ----------------------------------------------------
add_test(NAME policy.full.size
         COMMAND sh -c "n=$(wc -c <\"$0\"); echo \"$n bytes\"; [ \"$n\" -le 25000000 ]"
                 ${AIRLOCK_FULL_CATALOG})
set_tests_properties(policy.full.size PROPERTIES FIXTURES_REQUIRED full_catalog)
add_test(NAME policy.full.example
         COMMAND ${CC_BIN} policy check --catalog ${AIRLOCK_FULL_CATALOG}
                 ${CMAKE_SOURCE_DIR}/policy/examples/platform.yaml)
set_tests_properties(policy.full.example PROPERTIES FIXTURES_REQUIRED full_catalog)

add_test(NAME policy.doc
         COMMAND sh ${POLICY_DIR}/check_policy_doc.sh ${CMAKE_SOURCE_DIR})

# ---- unit ------------------------------------------------------------------
add_executable(test_policy ${POLICY_DIR}/test_policy.c)
target_link_libraries(test_policy PRIVATE cc_core rt_core)
add_test(NAME policy.unit
         COMMAND test_policy ${AIRLOCK_FULL_CATALOG} ${POLICY_BIN}/rules.alc
                 ${POLICY_DIR}/policies/rules.yaml)
set_tests_properties(policy.unit PROPERTIES
  FIXTURES_REQUIRED "full_catalog;policy_rules" TIMEOUT 600)

# ---- fuzz targets ----------------------------------------------------------
# Both resolve names against (or splice sections into) the widgets model
# compiled with fuzz/widgets.yaml at build time.
set(POLICY_FUZZ_ALC ${POLICY_BIN}/fuzz-widgets.alc)
add_custom_command(OUTPUT ${POLICY_FUZZ_ALC}
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          $<TARGET_FILE:airlock-compile> build
          --models ${CMAKE_SOURCE_DIR}/tests/mcp/model
          --policy ${POLICY_DIR}/fuzz/widgets.yaml -o ${POLICY_FUZZ_ALC}
  DEPENDS airlock-compile ${POLICY_DIR}/fuzz/widgets.yaml
  COMMENT "Compiling the policy fuzz catalog"
  VERBATIM)
add_custom_target(policy_fuzz_catalog ALL DEPENDS ${POLICY_FUZZ_ALC})
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(policy cc_core)
  airlock_fuzz_target(policy_section rt_core)
  foreach(t fuzz_policy_replay fuzz_policy fuzz_policy_section_replay
            fuzz_policy_section)
    if(TARGET ${t})
      target_compile_definitions(${t} PRIVATE
                                 FUZZ_POLICY_CATALOG="${POLICY_FUZZ_ALC}")
      add_dependencies(${t} policy_fuzz_catalog)
    endif()
  endforeach()
endif()
