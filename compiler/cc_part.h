/*
 * cc_part.h -- incremental builds: the compiled "part" of each model file,
 * kept in the build cache and reused instead of parsing the model again.
 *
 * A part is a compact binary copy of one loaded cc_model (see cc_model.h:
 * every field of the intermediate form, the endpoint rule set included).
 * It is named by its key, the XXH3-128 of
 *     the model file's content digest and size (the XXH3-128 the catalog
 *     manifest records: the file is read and hashed on every build anyway),
 *     the compiler's identity (the digest of the airlock-compile executable,
 *     so any change to the code invalidates every part, and the version of
 *     the shared cJSON library),
 *     CC_PART_VERSION and every cc_load_opts field (--docs),
 * and lives in <cache>/parts/<key hex>.part, where <cache> is --cache DIR,
 * else $AIRLOCK_CACHE, else $XDG_CACHE_HOME/airlock, else ~/.cache/airlock
 * (the root `airlock-compile sync` uses too).  The file layout and the
 * checks a part must pass before it is used are in cc_part.c.
 *
 * A part is a cache entry, never trusted: a missing, truncated, corrupt or
 * foreign one (wrong magic, version, key, sizes or checksum, or a record
 * that does not decode to a well-formed model) is counted as rejected and
 * the model is parsed again, which writes a fresh part.  A model with
 * errors gets no part (its diagnostics come from the parse).  A cache that
 * cannot be created or read gives a build without parts, with a note; one
 * that cannot be written is still read.
 *
 * Threads: cc_part_load() runs in the build's worker threads.  Parts are
 * written to a temporary file and renamed into place, so a reader sees a
 * whole part or none, and two builds (or two models with the same bytes)
 * writing one key race harmlessly.  The counters are atomic; everything
 * else in the cache is set by cc_part_open() before the workers start.
 *
 * Ownership: a model loaded from a part is owned like a parsed one and
 * freed by cc_model_free(): its strings point into the part's bytes, which
 * live in m->arena; its rule-set nodes are malloc'ed cJSON nodes whose
 * strings are marked as references into those bytes (cJSON_Delete does not
 * free them).
 */
#ifndef CC_PART_H
#define CC_PART_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cc_model.h"
#include "cc_util.h"

/* Bump on any change to the part layout or to what a part holds. */
#define CC_PART_VERSION 4u

typedef struct cc_part_cache {
	char *dir;               /* <cache>/parts; NULL: no parts this build */
	int writable;            /* new parts can be written to dir */
	uint64_t exe_lo, exe_hi; /* the compiler's identity */
	cc_load_opts lo;
	int64_t start_s;         /* build start (wall clock): parts used by
	                            this build have a newer mtime */
	atomic_uint reused;      /* models loaded from their part */
	atomic_uint built;       /* models parsed */
	atomic_uint rejected;    /* parts present but not usable */
	atomic_uint written;     /* parts written */
	atomic_uint unwritten;   /* parts that could not be written */
	atomic_int write_errno;  /* the first write failure's errno */
} cc_part_cache;

/* Per-thread scratch memory of cc_part_load (the part being written),
 * kept between models; zero-initialise, free with cc_part_scratch_free. */
typedef struct cc_part_scratch {
	cc_buf enc;
} cc_part_scratch;

/* Set C up for one build.  DIR: --cache (NULL for the default root);
 * NO_CACHE: --no-cache (C->dir stays NULL: every model is parsed and no
 * part is written).  A cache that cannot be used adds a line to NOTE and
 * leaves C->dir NULL; the build goes on without parts. */
void cc_part_open(cc_part_cache *c, const char *dir, int no_cache,
                  const cc_load_opts *lo, cc_buf *note);
void cc_part_close(cc_part_cache *c);

/* Load PATH into M (zeroed by the caller) exactly as cc_model_load() would,
 * from its part when a valid one exists, else by parsing it (and then
 * writing its part).  Thread-safe (see above). */
int cc_part_load(cc_part_cache *c, cc_model *m, const char *path,
                 const char *relpath, cc_part_scratch *s);
void cc_part_scratch_free(cc_part_scratch *s);

/* After the loads: remove stale temporary files and, while the parts
 * directory holds more than max(64 MiB, 3 x the bytes of the parts this
 * build used), the parts used longest ago -- never one this build used.
 * Adds what it did to NOTE when VERBOSE. */
void cc_part_prune(cc_part_cache *c, int verbose, cc_buf *note);

/* ---- the serialization alone (tests, the fuzz target) ----------------- */

/* Encode loaded model M (not failed) under KEY into OUT (appended). */
void cc_part_encode(const cc_model *m, uint64_t key_lo, uint64_t key_hi, cc_buf *out);
/* Decode the part P[0..N) into M (zeroed by the caller); the bytes are
 * copied into m->arena.  FLAGS: CC_PART_KEY refuses a part whose key is
 * not KEY_LO/KEY_HI; CC_PART_NO_SUM skips the checksum (the fuzz target
 * only, to reach the records behind it).  Returns 0, or AL_ETRUNC /
 * AL_EVERSION / AL_ECHECKSUM / AL_ECORRUPT with M freed and zeroed again.
 * Never trusts P: any bytes are safe to pass. */
#define CC_PART_KEY    1u
#define CC_PART_NO_SUM 2u
int cc_part_decode(cc_model *m, const uint8_t *p, size_t n, unsigned flags,
                   uint64_t key_lo, uint64_t key_hi);

/* Nonzero, with a line per struct in MSG, when a struct of cc_model.h no
 * longer has the size cc_part.c was written for (a field the parts would
 * lose).  For tests/incr. */
int cc_part_layout_check(cc_buf *msg);

#endif
