# tests/exec_xml: the XML protocols (runtime/rt_xml.c, rt_proto_xml.c,
# rt_proto_query.c: restXml, awsQuery, ec2Query).
#
#   exec_xml.xml     test_xml.c: the writer's escaping, the reader's tree,
#                    and what it refuses (DOCTYPE, entities, depth, two
#                    roots, malformed input); built from rt_xml.c alone
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
