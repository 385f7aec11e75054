/*
 * rt_stamp.h -- "this catalog file passed every check before": the
 * verification stamps that let `airlock serve` answer its first messages
 * while the catalog is verified again on a thread.
 *
 * Why: alc_open reads the whole catalog (checksum and records, ~25 MB),
 * which costs a fresh process more than its whole start-up budget.  A
 * server that has never seen a file verifies it before it answers
 * anything, so a corrupt catalog never gets as far as a handshake; a file
 * that passed before, and has not changed since (same device, inode, size,
 * modification and change times, header checksum), is served at once while
 * the same checks run again on a thread that every tools/call waits for
 * (alc_open_deferred).  A stamp therefore only decides when the first
 * replies go out, never whether a catalog is trusted: a stale or forged
 * stamp can make a handshake come before a refusal, not open a gate.
 *
 * A stamp is an empty file named by the identity it vouches for, under
 * $AIRLOCK_CACHE/verified, else $XDG_CACHE_HOME/airlock/verified, else
 * ~/.cache/airlock/verified:
 *   v<RT_STAMP_GEN>-<dev>-<ino>-<size>-<mtime_ns>-<ctime_ns>-<checksum hex>
 * (decimal numbers; the header's XXH3-128 as 32 lower-case hex digits).
 * Nothing is read from it, so there is nothing to parse.  Writing one also
 * removes the stamps of earlier versions of the same file (same device and
 * inode).  Every failure to write is silent: no stamp only means the next
 * start verifies first.
 *
 * Owner: rt_stamp.c.  Used by rt_cli.c (serve).
 */
#ifndef RT_STAMP_H
#define RT_STAMP_H

#include <stddef.h>

#include "alc_reader.h"

/* Bumped when the reader's checks change enough that an old stamp should
 * not let a handshake go ahead of them. */
#define RT_STAMP_GEN 1

/* The stamp's path for CAT (mapped, header checked) into OUT.  Returns 0,
 * or -1 when no cache directory is known or the path does not fit. */
int rt_stamp_path(const alc_catalog *cat, char *out, size_t cap);

/* 1 when CAT's file has a stamp, else 0. */
int rt_stamp_ok(const alc_catalog *cat);

/* Records that CAT's file passed every check (best effort). */
void rt_stamp_write(const alc_catalog *cat);

/* Removes CAT's stamp (its checks failed after all). */
void rt_stamp_remove(const alc_catalog *cat);

#endif
