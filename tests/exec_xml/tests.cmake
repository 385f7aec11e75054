# tests/exec_xml: the XML protocols (runtime/rt_xml.c, rt_proto_xml.c,
# rt_proto_query.c: restXml, awsQuery, ec2Query).
#
#   exec_xml.xml     test_xml.c: the writer's escaping, the reader's tree,
#                    and what it refuses (DOCTYPE, entities, depth, two
#                    roots, malformed input); built from rt_xml.c alone
#   exec_xml.e2e     e2e_moto.py: rt_exec against moto with SigV4 checking
#                    on (cloudformation, ec2, s3, iam, sns, sts, sqs)
#   fuzz.xml_response.replay  the fuzz target's corpus
#
# The Smithy protocol tests for these protocols run in tests/protocol (the
# shared harness); the fuzz target for the response parsers is
# tests/fuzz/fuzz_xml_response.c.

if(NOT TARGET rt_core)
  return()
endif()

set(EXEC_XML_DIR ${CMAKE_CURRENT_LIST_DIR})

# runtime/'s PkgConfig::EXPAT is local to that directory.
pkg_check_modules(EXEC_XML_EXPAT REQUIRED IMPORTED_TARGET expat)
add_library(exec_xml_rtxml STATIC ${CMAKE_SOURCE_DIR}/runtime/rt_xml.c)
target_include_directories(exec_xml_rtxml PUBLIC ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(exec_xml_rtxml PUBLIC alc_format PkgConfig::EXEC_XML_EXPAT)

add_executable(test_xml ${EXEC_XML_DIR}/test_xml.c)
target_link_libraries(test_xml PRIVATE exec_xml_rtxml)
add_test(NAME exec_xml.xml COMMAND test_xml)

# xml_driver: a protocol's serialize/parse from JSON lines (debugging: what
# exactly is sent for an input, what an answer parses to).
add_executable(xml_driver ${EXEC_XML_DIR}/xml_driver.c)
target_link_libraries(xml_driver PRIVATE rt_core)

# The fuzz catalog: tests/exec_xml/model (restXml, awsQuery and ec2Query
# services over one recursive structure with every XML binding), built with
# the tree and embedded in fuzz_xml_response.
set(EXEC_XML_BIN ${CMAKE_CURRENT_BINARY_DIR}/exec_xml)
file(GLOB_RECURSE EXEC_XML_MODEL CONFIGURE_DEPENDS ${EXEC_XML_DIR}/model/*.json)
add_custom_command(
  OUTPUT ${EXEC_XML_BIN}/xmlfuzz.alc
  COMMAND ${CMAKE_COMMAND} -E make_directory ${EXEC_XML_BIN}
  COMMAND $<TARGET_FILE:airlock-compile> build --models ${EXEC_XML_DIR}/model
          --no-policy -o ${EXEC_XML_BIN}/xmlfuzz.alc
  DEPENDS airlock-compile ${EXEC_XML_MODEL}
  COMMENT "Building the XML protocols' fuzz catalog")
add_custom_command(
  OUTPUT ${EXEC_XML_BIN}/xmlfuzz_alc.c
  COMMAND ${CMAKE_COMMAND} -DIN=${EXEC_XML_BIN}/xmlfuzz.alc
          -DOUT=${EXEC_XML_BIN}/xmlfuzz_alc.c -DNAME=airlock_xmlfuzz_alc
          -P ${CMAKE_SOURCE_DIR}/tests/schema/embed.cmake
  DEPENDS ${EXEC_XML_BIN}/xmlfuzz.alc ${CMAKE_SOURCE_DIR}/tests/schema/embed.cmake)
add_library(exec_xml_fuzz_catalog STATIC ${EXEC_XML_BIN}/xmlfuzz_alc.c)
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(xml_response rt_core exec_xml_fuzz_catalog)
endif()

# exec_xml.e2e: rt_exec end to end against moto on loopback with SigV4
# checking on (e2e_moto.py: cloudformation, ec2, s3, iam, sns, sts, and sqs
# on awsJson1_0); needs python3 with moto and boto3 (missing: FAIL).
add_executable(exec_call ${EXEC_XML_DIR}/exec_call.c)
target_link_libraries(exec_call PRIVATE rt_core)
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
add_test(NAME exec_xml.e2e
         COMMAND ${AIRLOCK_PYTHON3} ${EXEC_XML_DIR}/e2e_moto.py
                 $<TARGET_FILE:exec_call> ${AIRLOCK_FULL_CATALOG})
set_tests_properties(exec_xml.e2e PROPERTIES FIXTURES_REQUIRED full_catalog
                     TIMEOUT 300)
