/*
 * rt_store.h -- airlock's state: one LMDB environment and a file store of
 * large artifacts, both under AIRLOCK_HOME.
 *
 *   $AIRLOCK_HOME                 default ${XDG_STATE_HOME:-~/.local/state}/airlock
 *     db/data.mdb, db/lock.mdb    the LMDB environment (mode 0600; dirs 0700)
 *     blobs/ab/abcdef...          artifacts by SHA-256 (hex), written once
 *
 * Many airlock processes may use one home at once: LMDB serializes writers
 * across processes with a robust mutex in lock.mdb (a writer killed by
 * SIGKILL leaves no partial transaction: its pages were never made live by
 * a meta-page update), and readers see a snapshot.  Commits are durable
 * (no MDB_NOSYNC / MDB_NOMETASYNC): when a write function returns 0 the
 * transaction is on disk.
 *
 * The environment is opened with MDB_NOTLS: read transactions are not tied
 * to thread-local reader slots.  An rt_store is still used by one thread at
 * a time (like rt_tools); the flag only keeps LMDB from assuming that a
 * thread holds at most one read transaction, which a library cannot know.
 * Several rt_stores of one home in one process share one environment
 * (LMDB must not open it twice: closing either would drop the process's
 * locks on lock.mdb); the last rt_store_close closes it.
 *
 * Databases (named LMDB databases inside the one environment):
 *   RT_DB_META        "meta"        small keys: format version, audit head
 *   RT_DB_PLANS       "plans"       plan id (16 bytes) -> plan record (rt_plan.h)
 *   RT_DB_PLAN_STATE  "plan-state"  state (1 byte) + plan id -> "" (listing)
 *   RT_DB_AUDIT       "audit"       seq (8 bytes BE) -> audit record (rt_audit.h)
 *   RT_DB_AUDIT_PLAN  "audit-plan"  plan id + seq -> "" (records of a plan)
 *   RT_DB_AUDIT_TX    "audit-tx"    tx id + seq -> "" (records of a transaction)
 *
 * Work is done in callbacks: rt_store_update() runs FN in one write
 * transaction and commits it when FN returns 0 (anything else aborts it:
 * no partial state ever), growing the map and running FN again when it
 * fills up; rt_store_view() runs FN in a read snapshot.
 *
 * Errors: 0 or an AL_* code; LMDB's and the system's messages are kept in
 * rt_store_errmsg() for the log.  A store that cannot be opened stops every
 * plan, approval and apply (fail closed).
 *
 * Owner: rt_store.c.  Values returned by rt_store_get and passed to
 * iteration callbacks point into the map and are valid until the end of the
 * transaction that produced them.
 */
#ifndef RT_STORE_H
#define RT_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct rt_store rt_store;
typedef struct rt_txn rt_txn;

enum rt_db {
	RT_DB_META, RT_DB_PLANS, RT_DB_PLAN_STATE, RT_DB_AUDIT, RT_DB_AUDIT_PLAN,
	RT_DB_AUDIT_TX, RT_DB_COUNT
};

/* The store format of this build (RT_DB_META "format"); a store written by
 * a newer format is refused. */
#define RT_STORE_FORMAT 1u

/* Initial map size (the file grows as needed; the map doubles when full).
 * $AIRLOCK_MAP_SIZE (bytes) overrides it. */
#define RT_STORE_MAP_SIZE (256ull << 20)
#define RT_STORE_MAP_MAX (64ull << 30)

/* The home directory: $AIRLOCK_HOME, else $XDG_STATE_HOME/airlock (an
 * absolute XDG_STATE_HOME only), else $HOME/.local/state/airlock.  Returns
 * BUF, or NULL when none is set or the path does not fit. */
const char *rt_store_default_home(char *buf, size_t cap);

/* mkdir -p PATH (modified in place, restored) with mode 0700 for what it
 * creates.  Returns 0 when PATH is a directory, else -1 with errno. */
int rt_mkdirs(char *path);

/* Open (creating directories 0700 and files 0600 as needed) the store at
 * HOME (NULL: the default).  Returns 0, AL_ENOMEM, AL_EIO (message in
 * ERR), AL_EVERSION (written by a newer airlock), AL_ECORRUPT. */
int rt_store_open(rt_store **out, const char *home, char *err, size_t errcap);
void rt_store_close(rt_store *s);

const char *rt_store_home(const rt_store *s);
/* The last LMDB or system error message ("" when none). */
const char *rt_store_errmsg(const rt_store *s);

typedef int (*rt_store_fn)(rt_txn *t, void *ctx);

/* FN in one durable write transaction (see the top).  Returns FN's
 * non-zero result (aborted), or the commit's error, or 0. */
int rt_store_update(rt_store *s, rt_store_fn fn, void *ctx);
/* FN in a read snapshot.  Returns FN's result or the error. */
int rt_store_view(rt_store *s, rt_store_fn fn, void *ctx);

rt_store *rt_txn_store(rt_txn *t);
int rt_txn_writable(const rt_txn *t);

typedef struct rt_slice {
	const void *p;
	size_t n;
} rt_slice;

/* Returns 0 (VAL set), AL_ENOTFOUND, or an error. */
int rt_store_get(rt_txn *t, int db, const void *key, size_t klen, rt_slice *val);
/* RT_PUT_NEW: AL_EDUP when the key exists. */
#define RT_PUT_NEW 0x1u
int rt_store_put(rt_txn *t, int db, const void *key, size_t klen, const void *val,
                 size_t vlen, unsigned flags);
/* Returns 0 or AL_ENOTFOUND. */
int rt_store_del(rt_txn *t, int db, const void *key, size_t klen);

/* Calls FN for each key >= FROM (all keys when FROM is NULL) in key order,
 * or, with RT_ITER_REVERSE, for each key <= FROM (all when NULL) in
 * reverse order; with RT_ITER_PREFIX only while the key starts with FROM.
 * FN returns 0 to go on, 1 to stop (rt_store_iter returns 0), or an error
 * (returned).  */
#define RT_ITER_REVERSE 0x1u
#define RT_ITER_PREFIX  0x2u
typedef int (*rt_iter_fn)(void *ctx, rt_slice key, rt_slice val);
int rt_store_iter(rt_txn *t, int db, const void *from, size_t flen, unsigned flags,
                  rt_iter_fn fn, void *ctx);

/* Number of entries of DB. */
int rt_store_count(rt_txn *t, int db, uint64_t *n);

/* ---- file store --------------------------------------------------------
 * Artifacts too large for an audit record, stored once under
 * blobs/<2 hex>/<64 hex> (SHA-256 of the content).  rt_store_blob_put
 * writes a temporary file, fsyncs it, renames it into place and fsyncs the
 * directory, so a blob referenced by a committed record is on disk. */
int rt_store_blob_put(rt_store *s, const void *data, size_t len, char hex[65]);
/* Reads a blob into a malloc'd buffer and checks its digest: AL_ENOENT,
 * AL_ECORRUPT (content does not match its name), AL_EIO, AL_ENOMEM. */
int rt_store_blob_get(rt_store *s, const char *hex, char **data, size_t *len);

/* ---- helpers ---------------------------------------------------------- */
void rt_be64(unsigned char out[8], uint64_t v);
uint64_t rt_get_be64(const unsigned char in[8]);
void rt_le16(unsigned char *out, uint16_t v);
void rt_le32(unsigned char *out, uint32_t v);
void rt_le64(unsigned char *out, uint64_t v);
uint16_t rt_get_le16(const unsigned char *in);
uint32_t rt_get_le32(const unsigned char *in);
uint64_t rt_get_le64(const unsigned char *in);

#endif
