/*
 * alc_reader.h -- the catalog reader shared by all runtime code and by the
 * compiler's info/verify/dump commands.
 *
 * alc_open() maps a file and validates it deeply, once: size, magic, byte
 * order, versions, section directory, body checksum, and every offset and
 * index held by every record (strings in bounds and NUL-terminated, record
 * indexes in range, index slots pointing at real records with matching
 * keys).  After a successful open, every accessor is plain pointer
 * arithmetic with no further checks and no allocation.
 *
 * Lifetime: every pointer returned by an accessor points into the mapping
 * and is valid until alc_close() on the same catalog.  An alc_catalog holds
 * no interior state besides the mapping (and, between alc_open_deferred and
 * alc_close, its verification thread), so concurrent readers may share it.
 */
#ifndef ALC_READER_H
#define ALC_READER_H

#include "alc_format.h"

#include <stddef.h>
#include <stdint.h>

/* Which file was mapped, as fstat saw it when it was opened: a file
 * replaced (rename) or rewritten since has another identity. */
typedef struct alc_file_id {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
} alc_file_id;

typedef struct alc_catalog {
	const uint8_t *base;       /* start of the file image */
	size_t size;               /* bytes */
	int mapped;                /* 1 when base came from mmap */
	const alc_header *hdr;
	const char *strs;          /* STRS */
	uint32_t strs_size;
	const alc_service *svcs;   uint32_t nsvcs;
	const alc_operation *ops;  uint32_t nops;
	const alc_shape *shapes;   uint32_t nshapes;
	const alc_shape_ext *shext; uint32_t nshext;
	const alc_member *members; uint32_t nmembers;
	const alc_member_ext *mext; uint32_t nmext;
	const alc_cons *cons;      uint32_t ncons;
	const uint32_t *u32;       uint32_t nu32;
	const alc_param *params;   uint32_t nparams;
	const uint8_t *rules;      uint32_t rules_size;
	const alc_manifest *manifest; uint32_t nmanifest;
	const uint8_t *partitions; uint32_t partitions_size;
	const uint8_t *policy;     uint32_t policy_size;
	const uint32_t *docs;      uint32_t ndocs;   /* NULL unless --docs full */
	const uint32_t *readmap;   uint32_t nreadmap; /* READMAP words, or NULL */
	const alc_index_header *idx_svc, *idx_op, *idx_cli;
	struct alc_pending *pending; /* alc_open_deferred's verification */
	alc_file_id file;          /* the mapped file (zero for alc_open_mem) */
} alc_catalog;

/* Details of the first problem found by a failed open, for messages like
 * "catalog.alc: catalog corrupt: OPS[12].input 99999 out of range". */
typedef struct alc_diag {
	char msg[256];
} alc_diag;

/* Map PATH read-only and validate it.  Returns 0, or AL_ENOENT / AL_EIO /
 * AL_EMAGIC / AL_EENDIAN / AL_EVERSION / AL_ETRUNC / AL_ECHECKSUM /
 * AL_ECORRUPT, with a description in *diag when diag is not NULL.  On
 * failure *cat is left closed. */
int alc_open(alc_catalog *cat, const char *path, alc_diag *diag);

/* alc_open in two halves, for a server that must answer its first
 * messages at once (`airlock serve`).  alc_open_deferred maps PATH and
 * checks the header and the section directory, O(sections) and a few
 * pages; it then starts a thread that runs everything else alc_open checks
 * (the body checksum, every record, the indexes) and returns.  Until
 * alc_verify_wait has returned 0, only the header and the record counts
 * (nsvcs, nops, ...) may be read: no accessor, no record.  alc_verify_wait
 * waits for the thread and returns alc_open's verdict (the same codes and
 * messages), every time it is asked; on failure the caller must fail closed
 * and alc_close the catalog.  CAT must stay where it is until then (the
 * thread holds its address).  alc_close waits for the thread. */
int alc_open_deferred(alc_catalog *cat, const char *path, alc_diag *diag);
int alc_verify_wait(alc_catalog *cat, alc_diag *diag);

/* Validate an image already in memory (fuzzing, tests).  BUF must stay
 * valid and unchanged while CAT is in use; alc_close() does not free it. */
int alc_open_mem(alc_catalog *cat, const void *buf, size_t len, alc_diag *diag);

void alc_close(alc_catalog *cat);

/* Give the mapping's resident pages back to the page cache (a long-lived
 * server calls this after work that read much of the catalog, such as
 * building the search index).  Pointers stay valid: pages fault back in
 * on access.  No effect on images opened with alc_open_mem. */
void alc_trim(const alc_catalog *cat);

/* A string of the pool.  OFF was validated at open. */
static inline const char *alc_str(const alc_catalog *cat, uint32_t off)
{
	return cat->strs + off;
}

/* Service by any of its names: canonical key ("cloudwatch-logs"), sdk-id
 * ("CloudWatch Logs"), endpoint prefix ("logs"), AWS CLI name ("logs",
 * "s3api"), in any ASCII case.  NULL when unknown. */
const alc_service *alc_find_service(const alc_catalog *cat, const char *name,
                                    size_t len);

/* Operation of a service by its Smithy name ("CreateStack") or CLI name
 * ("create-stack"), in any ASCII case.  SERVICE accepts the names above. */
const alc_operation *alc_find_operation(const alc_catalog *cat,
                                        const char *service, size_t slen,
                                        const char *op, size_t olen);

/* Operation by the key "service:Operation" (any service name, any case). */
const alc_operation *alc_find_operation_key(const alc_catalog *cat,
                                            const char *key, size_t len);

/* Raw probe of IDX_SVC with an already normalised key (lower-case ASCII).
 * Returns the slot value or ALC_NONE. */
uint32_t alc_index_lookup(const alc_index_header *idx, const char *strs,
                          const char *key, size_t len);

/* Raw probe of IDX_OP or IDX_CLI: KEY (normalised operation part only)
 * scoped to service SVC (see alc_format.h).  Returns the OPS index or
 * ALC_NONE. */
uint32_t alc_index_lookup_op(const alc_catalog *cat, const alc_index_header *idx,
                             uint32_t svc, const char *key, size_t len);

/* Namespace of a shape ("com.amazonaws.s3"): its ext record's, else its
 * service's.  The absolute id is "<ns>#<name>". */
const char *alc_shape_ns(const alc_catalog *cat, uint32_t shape);

/* Owning service of a shape (binary search over services' shape ranges),
 * or ALC_NONE for prelude shapes. */
uint32_t alc_shape_service(const alc_catalog *cat, uint32_t shape);

/* Normalise NAME into OUT (ASCII lower case; space becomes '-' so sdk-ids
 * and keys meet).  Returns the length, or 0 when it does not fit in CAP. */
size_t alc_normalise(char *out, size_t cap, const char *name, size_t len);

/* Index helpers: record index of a pointer into the mapping. */
static inline uint32_t alc_op_index(const alc_catalog *c, const alc_operation *op)
{ return (uint32_t)(op - c->ops); }
static inline uint32_t alc_svc_index(const alc_catalog *c, const alc_service *s)
{ return (uint32_t)(s - c->svcs); }

/* Full documentation ("" unless the catalog was built with --docs full). */
static inline const char *alc_doc_service(const alc_catalog *c, uint32_t svc)
{ return c->docs ? c->strs + c->docs[svc] : ""; }
static inline const char *alc_doc_op(const alc_catalog *c, uint32_t op)
{ return c->docs ? c->strs + c->docs[c->nsvcs + op] : ""; }
static inline const char *alc_doc_member(const alc_catalog *c, uint32_t m)
{ return c->docs ? c->strs + c->docs[c->nsvcs + c->nops + m] : ""; }

/* Member ext record, or NULL. */
static inline const alc_member_ext *alc_member_ext_of(const alc_catalog *c,
                                                      const alc_member *m)
{
	return (m->flags & ALC_M_HAS_EXT) ? &c->mext[m->aux] : NULL;
}

/* ---- read mappings (READMAP, alc_format.h) --------------------------
 * The read operation that shows the state a mutating operation changes
 * (the Diff of a plan), compiled by compiler/cc_readmap.c. */
enum { ALC_RM_CREATE = 1, ALC_RM_UPDATE, ALC_RM_DELETE, ALC_RM_OTHER };  /* kind */
enum { ALC_RM_LIFECYCLE = 1, ALC_RM_VERBNOUN, ALC_RM_OVERRIDE };         /* source */
#define ALC_RMA_LIST  0x1u  /* wrap the value in a one-element list (InstanceId -> InstanceIds) */
#define ALC_RMA_CONST 0x2u  /* `from` is a JSON literal text (e.g. "\"userData\""), not a member name */

/* FROM: a top-level member of the mutating operation's input (or JSON
 * text when ALC_RMA_CONST); TO: a top-level member of the read's input. */
typedef struct alc_readmap_arg {
	const char *from, *to;
	unsigned flags;             /* ALC_RMA_* */
} alc_readmap_arg;

typedef struct alc_readmap {
	const alc_operation *read;  /* the read operation, same service */
	unsigned kind, source;      /* ALC_RM_CREATE.., ALC_RM_LIFECYCLE.. */
	const char *state_path;     /* "" = whole output; else dotted member
	                               names with [0] for a list's first element */
	uint32_t nargs;
	alc_readmap_arg args[ALC_READMAP_MAX_ARGS];
} alc_readmap;

/* 1 and *OUT filled when OP has a mapping, 0 when it has none (or the
 * catalog has no READMAP section).  No allocation, O(1); the strings
 * live as long as the catalog.  The entry was validated at open. */
int alc_op_readmap(const alc_catalog *c, const alc_operation *op,
                   alc_readmap *out);

/* Seed used for all index hashes; a constant so that builds are
 * deterministic.  The stored per-index seed is what readers use. */
#define ALC_INDEX_SEED 0x61697266756c6c21ull

#endif
