# tests/sync: `airlock-compile sync` (compiler/cc_sync.c, cc_fetch.c,
# cc_unpack.c, cc_lock.c) against a loopback HTTP server (server.py, run by
# sync_test.py in its own process) serving archives made at test time from
# ${AIRLOCK_SHARED}/api-models-aws.  One ctest test per case:
#
#   sync.fresh        download, verify, unpack; build from the cache; verify
#   sync.cached       the same pin again: no request; --url: 304, 0 bytes
#   sync.changed      upstream changes (new ETag): downloaded again
#   sync.corrupt      checksum mismatch: refused, cache unchanged
#   sync.resume       cut off after N bytes; next sync sends Range, gets the rest
#   sync.malicious    ../, /abs, symlink, hardlink, device, FIFO, huge entry,
#                     total limit, zip, junk: refused by name, cache unchanged
#   sync.http_errors  404, 500, connection refused; no secrets in messages
#   sync.layouts      root and models/ layouts, with and without a top
#                     directory; test services and other files skipped
#   sync.from         --from DIR;  sync.url_file: --url FILE [--sha256]
#   sync.update       --update against a fake GitHub API, lock rewritten
#   sync.record       an empty archive_sha256 and --record-digest
#   sync.nothing      build with nothing synced; --status; usage
#   sync.concurrent   three syncs at once (flock): one download
#   sync.killed       SIGKILL mid-download: cache unchanged
#   sync.full         the whole corpus over HTTP, then build and verify
#   sync.mirror       AIRLOCK_MODELS_URL as a base URL, a template, a full URL
#   sync.progress     a progress line on a terminal (pty), none otherwise, --quiet
#   sync.enospc       the disk fills up (enospc_shim.c) while downloading and
#                     while unpacking: "No space left on device", cache unchanged
#
# Each case works in its own directory under the build tree, with its own
# AIRLOCK_CACHE and HOME.  A missing ../shared fails the tests.
find_program(AIRLOCK_PYTHON3 NAMES python3 REQUIRED)
set(SYNC_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SYNC_WORK ${CMAKE_CURRENT_BINARY_DIR}/sync)
file(MAKE_DIRECTORY ${SYNC_WORK})

# sync.enospc runs sync under this LD_PRELOAD library: a disk that fills up.
add_library(sync_enospc_shim MODULE ${SYNC_DIR}/enospc_shim.c)
target_link_libraries(sync_enospc_shim PRIVATE ${CMAKE_DL_LIBS})

if(TARGET airlock-compile)
  add_test(NAME sync.enospc
           COMMAND ${AIRLOCK_PYTHON3} ${SYNC_DIR}/sync_test.py
                   --bin $<TARGET_FILE:airlock-compile>
                   --shared ${AIRLOCK_SHARED} --source ${CMAKE_SOURCE_DIR}
                   --work ${SYNC_WORK} --shim $<TARGET_FILE:sync_enospc_shim> enospc)
  set_tests_properties(sync.enospc PROPERTIES TIMEOUT 300 LABELS sync)
  foreach(case fresh cached changed corrupt resume malicious http_errors layouts
               from url_file update record nothing concurrent killed full mirror
               progress)
    add_test(NAME sync.${case}
             COMMAND ${AIRLOCK_PYTHON3} ${SYNC_DIR}/sync_test.py
                     --bin $<TARGET_FILE:airlock-compile>
                     --shared ${AIRLOCK_SHARED} --source ${CMAKE_SOURCE_DIR}
                     --work ${SYNC_WORK} ${case})
    set_tests_properties(sync.${case} PROPERTIES TIMEOUT 300 LABELS sync)
  endforeach()
endif()

# The parsers of outside input: lock, metadata and API text; archives.
if(COMMAND airlock_fuzz_target)
  airlock_fuzz_target(sync_text cc_core)
  airlock_fuzz_target(sync_archive cc_core)
endif()
