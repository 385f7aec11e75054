# tests/names: AWS CLI names for services and operations (compiler/cc_names).
#
# The driver and the unit test are built from the module's own sources
# rather than from cc_core, so that they do not depend on the rest of the
# compiler building at every moment; the code under test is the same file.
set(NAMES_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(names_testlib STATIC
  ${CMAKE_SOURCE_DIR}/compiler/cc_names.c
  ${CMAKE_SOURCE_DIR}/compiler/cc_util.c
  ${CMAKE_SOURCE_DIR}/formats/alc_err.c)
target_include_directories(names_testlib PUBLIC
  ${CMAKE_SOURCE_DIR}/compiler ${CMAKE_SOURCE_DIR}/formats)
target_link_libraries(names_testlib PUBLIC PkgConfig::XXHASH)

add_executable(names_driver ${NAMES_DIR}/names_driver.c)
target_link_libraries(names_driver PRIVATE names_testlib)

add_executable(names_unit ${NAMES_DIR}/test_names.c)
target_link_libraries(names_unit PRIVATE names_testlib)

set(AIRLOCK_CLI_NAMES_TSV ${CMAKE_SOURCE_DIR}/catalogs/cli-names.tsv)

add_test(NAME names.unit
         COMMAND names_unit ${AIRLOCK_CLI_NAMES_TSV})

# The corpus check needs a python3 with botocore and awscli (pyenv's, first
# on PATH here); override with -DAIRLOCK_PYTHON3=...
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
add_test(NAME names.corpus
         COMMAND ${AIRLOCK_PYTHON3} ${NAMES_DIR}/check_names.py
                 --driver $<TARGET_FILE:names_driver>
                 --tsv ${AIRLOCK_CLI_NAMES_TSV}
                 --shared ${AIRLOCK_SHARED})
set_tests_properties(names.corpus PROPERTIES TIMEOUT 300)
