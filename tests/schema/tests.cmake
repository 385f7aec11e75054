# tests/schema: the input JSON Schema and validation (runtime/rt_schema.c,
# runtime/rt_validate.c).
#
#   schema.unit    test_schema: pattern translation known answers, validation
#                  cases with exact pointers/keywords, golden schemas of the
#                  gizmos model (tests/schema/model: every constraint kind)
#   schema.cases   run_cases.py over the full catalog: for operations of
#                  every protocol, generated valid inputs pass and an input
#                  breaking each constraint kind is rejected with the right
#                  pointer and keyword (inputs generated from the model JSON,
#                  plus tests/schema/cases.json written by hand)
#   schema.agree   check_schema.py: every operation's schema is well-formed
#                  draft 2020-12 (metaschema, every pattern compiled as ECMA
#                  262 with the u flag by node), and jsonschema and
#                  rt_validate give the same verdict on generated inputs for
#                  all operations of 20 services
#   fuzz.validate.replay   the fuzz target over its corpus
#
# The full-catalog tests need ${AIRLOCK_SHARED} (the models): they fail,
# never skip, when it is missing.
if(NOT TARGET rt_core)
  return()
endif()
set(SCHEMA_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SCHEMA_BIN ${CMAKE_BINARY_DIR}/tests/schema)
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
find_program(AIRLOCK_NODE NAMES node)

add_executable(schema_tool ${SCHEMA_DIR}/schema_tool.c)
target_link_libraries(schema_tool PRIVATE rt_core)
add_executable(test_schema ${SCHEMA_DIR}/test_schema.c)
target_link_libraries(test_schema PRIVATE rt_core)

# The gizmos catalog, built with the tree (the fuzz target embeds it).
file(GLOB_RECURSE SCHEMA_MODEL CONFIGURE_DEPENDS ${SCHEMA_DIR}/model/*.json)
add_custom_command(
  OUTPUT ${SCHEMA_BIN}/gizmos.alc
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SCHEMA_BIN}
  COMMAND $<TARGET_FILE:airlock-compile> build --models ${SCHEMA_DIR}/model
          -o ${SCHEMA_BIN}/gizmos.alc
  DEPENDS airlock-compile ${SCHEMA_MODEL}
  COMMENT "Building the gizmos test catalog")
add_custom_command(
  OUTPUT ${SCHEMA_BIN}/gizmos_alc.c
  COMMAND ${CMAKE_COMMAND} -DIN=${SCHEMA_BIN}/gizmos.alc
          -DOUT=${SCHEMA_BIN}/gizmos_alc.c -DNAME=airlock_gizmos_alc
          -P ${SCHEMA_DIR}/embed.cmake
  DEPENDS ${SCHEMA_BIN}/gizmos.alc ${SCHEMA_DIR}/embed.cmake)
add_custom_target(schema_gizmos_catalog ALL DEPENDS ${SCHEMA_BIN}/gizmos.alc)
add_dependencies(test_schema schema_gizmos_catalog)

add_test(NAME schema.unit
         COMMAND test_schema ${SCHEMA_BIN}/gizmos.alc ${SCHEMA_DIR}/golden)

add_test(NAME schema.cases
         COMMAND ${AIRLOCK_PYTHON3} ${SCHEMA_DIR}/run_cases.py
                 --tool $<TARGET_FILE:schema_tool>
                 --catalog ${AIRLOCK_FULL_CATALOG}
                 --shared ${AIRLOCK_SHARED}
                 --cases ${SCHEMA_DIR}/cases.json)
set_tests_properties(schema.cases PROPERTIES FIXTURES_REQUIRED full_catalog
                     TIMEOUT 600)

add_test(NAME schema.agree
         COMMAND ${AIRLOCK_PYTHON3} ${SCHEMA_DIR}/check_schema.py
                 --tool $<TARGET_FILE:schema_tool>
                 --catalog ${AIRLOCK_FULL_CATALOG}
                 --shared ${AIRLOCK_SHARED}
                 --node "${AIRLOCK_NODE}")
set_tests_properties(schema.agree PROPERTIES FIXTURES_REQUIRED full_catalog
                     TIMEOUT 1200)

# fuzz_validate: the embedded gizmos catalog is a library of its own so that
# airlock_fuzz_target() can link it like any other.
add_library(schema_fuzz_catalog STATIC ${SCHEMA_BIN}/gizmos_alc.c)
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(validate rt_core schema_fuzz_catalog)
endif()
