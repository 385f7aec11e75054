# tests/mcp: the MCP server and the command line of the runtime
# (runtime/rt_mcp.c, rt_jsonrpc.c, rt_tools.c, rt_cli.c).
#
#   mcp.unit        test_mcp.c: framing, classification, both protocol eras,
#                   cancellation, progress, logging, pagination, stdio
#   mcp.golden      golden.sh: golden/requests.jsonl -> golden/expected.jsonl
#                   (regenerate: golden.sh AIRLOCK CATALOG DIR --update)
#   mcp.cli         cli.sh: the commands for people; failing closed
#   mcp.npm         npm_ci.sh: `npm ci --prefer-offline` of package-lock.json
#                   into <build>/tests/mcp-node (fixture mcp_node)
#   mcp.sdk         sdk_test.mjs: the official MCP TypeScript clients over
#                   stdio on the full AWS catalog (fixture full_catalog)
#   mcp.inspector   inspector.sh: `npx @modelcontextprotocol/inspector --cli`
#   fuzz.jsonrpc.replay  tests/fuzz/fuzz_jsonrpc.c over
#                   tests/fuzz/corpus/jsonrpc (cmake/AirlockFuzz.cmake)
#
# The widgets catalog, compiled at build time from model/ (a small
# hand-written Smithy model with one operation of each kind), keeps the unit,
# golden, CLI and fuzz tests independent of ../shared and of model updates.
# mcp.sdk needs the full catalog, hence ../shared: without it the
# catalog.full.build fixture fails and so does mcp.sdk (never a skip).
# Node.js 20+ and npm are required; without them the node tests fail.

if(NOT TARGET airlock OR NOT TARGET airlock-compile)
  return()
endif()

set(MCP_DIR ${CMAKE_CURRENT_LIST_DIR})
set(MCP_BIN ${CMAKE_CURRENT_BINARY_DIR}/mcp)
set(MCP_WIDGETS ${MCP_BIN}/widgets.alc)

file(GLOB_RECURSE MCP_MODEL CONFIGURE_DEPENDS ${MCP_DIR}/model/*.json)
# Leak checking is off for this one run: in the fuzz build the compiler is
# instrumented too, and its exit-time leaks are not what is tested here.
add_custom_command(OUTPUT ${MCP_WIDGETS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${MCP_BIN}
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          $<TARGET_FILE:airlock-compile> build --models ${MCP_DIR}/model
          -o ${MCP_WIDGETS}
  DEPENDS airlock-compile ${MCP_MODEL}
  COMMENT "Compiling the widgets test catalog"
  VERBATIM)
add_custom_target(mcp_widgets_catalog ALL DEPENDS ${MCP_WIDGETS})

add_executable(test_mcp ${MCP_DIR}/test_mcp.c)
target_link_libraries(test_mcp PRIVATE rt_core)
add_dependencies(test_mcp mcp_widgets_catalog)
add_test(NAME mcp.unit COMMAND test_mcp ${MCP_WIDGETS})

add_test(NAME mcp.golden
         COMMAND sh ${MCP_DIR}/golden.sh $<TARGET_FILE:airlock> ${MCP_WIDGETS}
                 ${MCP_DIR}/golden)
add_test(NAME mcp.cli
         COMMAND sh ${MCP_DIR}/cli.sh $<TARGET_FILE:airlock> ${MCP_WIDGETS})

airlock_fuzz_target(jsonrpc rt_core)
foreach(t fuzz_jsonrpc_replay fuzz_jsonrpc)
  if(TARGET ${t})
    target_compile_definitions(${t} PRIVATE FUZZ_JSONRPC_CATALOG="${MCP_WIDGETS}")
    add_dependencies(${t} mcp_widgets_catalog)
  endif()
endforeach()

# ---- node: the official clients ---------------------------------------
find_program(AIRLOCK_NODE node)
find_program(AIRLOCK_NPM npm)
set(MCP_NODE_DIR ${CMAKE_CURRENT_BINARY_DIR}/mcp-node)
foreach(f package.json package-lock.json sdk_test.mjs)
  configure_file(${MCP_DIR}/${f} ${MCP_NODE_DIR}/${f} COPYONLY)
endforeach()
if(AIRLOCK_NODE AND AIRLOCK_NPM)
  add_test(NAME mcp.npm COMMAND sh ${MCP_DIR}/npm_ci.sh ${MCP_NODE_DIR})
  set_tests_properties(mcp.npm PROPERTIES FIXTURES_SETUP mcp_node TIMEOUT 900)
  add_test(NAME mcp.sdk
           COMMAND ${AIRLOCK_NODE} ${MCP_NODE_DIR}/sdk_test.mjs
                   $<TARGET_FILE:airlock> ${AIRLOCK_FULL_CATALOG} ${MCP_WIDGETS})
  set_tests_properties(mcp.sdk PROPERTIES
                       FIXTURES_REQUIRED "mcp_node;full_catalog" TIMEOUT 300)
  add_test(NAME mcp.inspector
           COMMAND sh ${MCP_DIR}/inspector.sh ${MCP_NODE_DIR}
                   $<TARGET_FILE:airlock> ${MCP_WIDGETS})
  set_tests_properties(mcp.inspector PROPERTIES FIXTURES_REQUIRED mcp_node
                       TIMEOUT 300)
else()
  foreach(t mcp.sdk mcp.inspector)
    add_test(NAME ${t}
             COMMAND sh -c "echo '${t}: node and npm (Node.js 20+) are needed' >&2; exit 1")
  endforeach()
endif()
