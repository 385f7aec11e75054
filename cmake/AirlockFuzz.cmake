# AirlockFuzz.cmake -- the project's convention for fuzz targets.
#
#   airlock_fuzz_target(NAME LIB...)
#
# tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput (and, if it needs
# one, LLVMFuzzerInitialize) and no main().  This function builds it twice:
#
#   fuzz_NAME_replay   always: linked with tests/fuzz/replay_main.c, which
#                      feeds it every file of the directories and files on
#                      its command line.  Registered as the ctest test
#                      fuzz.NAME.replay over tests/fuzz/corpus/NAME/, so
#                      the seeds and every crash ever found (add the
#                      reproducer there once fixed) are replayed by each
#                      normal and sanitizer test run.
#   fuzz_NAME          with -DAIRLOCK_FUZZ=ON (clang only): the libFuzzer
#                      binary, with ASan+UBSan (no recovery).  The LIBs
#                      that are targets of this project are compiled with
#                      coverage instrumentation (-fsanitize=fuzzer-no-link)
#                      so that libFuzzer sees inside them; in that build
#                      their users link the sanitizer runtime too.
#                        ./fuzz_NAME -max_total_time=120 NEWDIR \
#                                    tests/fuzz/corpus/NAME
#
# LIBs are linked PRIVATE to both.  Included by tests/CMakeLists.txt before
# any tests/*/tests.cmake, so any area may call it.
include_guard(GLOBAL)

set(AIRLOCK_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(AIRLOCK_FUZZ_SANITIZERS -fsanitize=address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)

if(AIRLOCK_FUZZ AND NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "AIRLOCK_FUZZ=ON needs clang: "
                      "cmake -DCMAKE_C_COMPILER=clang -DAIRLOCK_FUZZ=ON ...")
endif()

function(airlock_fuzz_target name)
  set(src ${AIRLOCK_FUZZ_DIR}/fuzz_${name}.c)
  if(NOT EXISTS ${src})
    message(FATAL_ERROR "airlock_fuzz_target(${name}): no ${src}")
  endif()
  if(NOT TARGET airlock_fuzz_replay_main)
    add_library(airlock_fuzz_replay_main OBJECT
                ${AIRLOCK_FUZZ_DIR}/replay_main.c)
  endif()

  add_executable(fuzz_${name}_replay ${src}
                 $<TARGET_OBJECTS:airlock_fuzz_replay_main>)
  target_link_libraries(fuzz_${name}_replay PRIVATE ${ARGN})
  add_test(NAME fuzz.${name}.replay
           COMMAND fuzz_${name}_replay ${AIRLOCK_FUZZ_DIR}/corpus/${name})

  if(AIRLOCK_FUZZ)
    foreach(lib ${ARGN})
      if(NOT TARGET ${lib})
        continue()
      endif()
      get_target_property(imported ${lib} IMPORTED)
      get_target_property(type ${lib} TYPE)
      get_target_property(done ${lib} AIRLOCK_FUZZ_INSTRUMENTED)
      if(NOT imported AND NOT done AND
         type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY)$")
        target_compile_options(${lib} PUBLIC -fsanitize=fuzzer-no-link
                               ${AIRLOCK_FUZZ_SANITIZERS})
        target_link_options(${lib} PUBLIC ${AIRLOCK_FUZZ_SANITIZERS})
        set_target_properties(${lib} PROPERTIES AIRLOCK_FUZZ_INSTRUMENTED ON)
      endif()
    endforeach()
    add_executable(fuzz_${name} ${src})
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer
                           ${AIRLOCK_FUZZ_SANITIZERS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer
                        ${AIRLOCK_FUZZ_SANITIZERS})
    target_link_libraries(fuzz_${name} PRIVATE ${ARGN})
  endif()
endfunction()
