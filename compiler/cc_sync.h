/*
 * cc_sync.h -- `airlock-compile sync`: bring the AWS models into the cache,
 * verified, and make them the models `build` uses when given no --models.
 *
 * Sources: the revision pinned in catalogs/models.lock (downloaded with
 * cc_fetch.c from codeload.github.com, or the mirror AIRLOCK_MODELS_URL
 * names), an archive file or URL (--url), local directories (--from).
 * `--update` asks the GitHub API (AIRLOCK_GITHUB_API) for the newest commit
 * of the pinned branch and rewrites the lock (cc_lock.c).
 *
 * The cache ($AIRLOCK_CACHE, else $XDG_CACHE_HOME/airlock, else
 * ~/.cache/airlock):
 *
 *     sync.lock                  flock()ed by a sync for its whole run
 *     current -> models/<tree>   the synced models (a symlink, replaced by
 *                                rename: readers see the old or new tree)
 *     models/<tree>/             an unpacked tree in the root layout, with
 *                                SOURCE (read by build's manifest) and the
 *                                marker .airlock-sync (cc_meta: where it came
 *                                from, the archive's SHA-256)
 *     models/.tmp-*              a tree being made (removed by the next sync
 *                                when a sync was killed)
 *     downloads/<key>.meta       validators (ETag, Last-Modified) and digest
 *                                of the last archive fetched from a URL
 *     downloads/<key>.part       a download in progress; with .part.meta
 *                                (its validators) it is resumed with Range +
 *                                If-Range
 *
 * Invariants: nothing is unpacked before its SHA-256 is checked (against
 * the lock, or --sha256); a tree becomes visible only complete (made in
 * models/.tmp-*, synced to disk, renamed); `current` moves last; a failed
 * or killed sync leaves `current`, the trees and the .meta files as they
 * were.  After a successful switch, trees other than the new and the
 * previous current are removed (a build that started on the previous one
 * keeps its files).
 */
#ifndef CC_SYNC_H
#define CC_SYNC_H

#include <stddef.h>

/* `airlock-compile sync ARGS`; ARGV[0] is "sync".  SOURCE_DIR is the
 * source tree (catalogs/models.lock).  Exit status: 0 done, 1 error,
 * 2 usage, 4 the network or server could not be reached (no network). */
int cc_cmd_sync(int argc, char **argv, const char *source_dir);

/* The cache directory (not created).  0, or AL_ENOENT when neither
 * AIRLOCK_CACHE, XDG_CACHE_HOME nor HOME is set. */
int cc_sync_cache_dir(char *buf, size_t cap);

/* The directory of the synced models (current, resolved), for `build`.
 * 0, or AL_ENOENT with a message for people in ERR. */
int cc_sync_current(char *buf, size_t cap, char *err, size_t errcap);

/* Parse the GitHub API's answer to GET /repos/{repo}/commits/{ref}: the
 * commit's sha and its committer date (YYYY-MM-DD).  0 or AL_EJSON /
 * AL_EPROTO with ERR set. */
int cc_sync_parse_commit(const char *json, size_t len, char sha[41], char date[11],
                         char *err, size_t errcap);

#endif
