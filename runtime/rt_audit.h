/*
 * rt_audit.h -- the audit log: an append-only, hash-chained sequence of
 * records in LMDB (RT_DB_AUDIT, rt_store.h), written in the same write
 * transaction as the change it records.
 *
 * Every plan, policy decision, approval request, elicitation prompt, grant,
 * rejection, expiry, refused apply, apply start, retry and outcome is one
 * record.  Each carries:
 *   seq      1, 2, 3, ... (the key; no gaps)
 *   time     ms since the epoch, never less than the previous record's (a
 *            clock that steps back is clamped), so records are time-sorted
 *   tx_id    the request (tool call or command) that wrote it: all records
 *            of one apply share it
 *   op_id    this record's own id; both are time-sortable rt_ids
 *   plan_id  the plan it concerns (zero for none)
 *   prev     SHA-256 of the previous record's bytes (zero for the first)
 *   payload  canonical JSON object (rt_canon)
 * The head (last seq, its SHA-256, its time) is kept in RT_DB_META and
 * updated in the same transaction, so editing, removing or reordering any
 * record, or dropping the tail, breaks the chain that rt_audit_verify
 * walks.  (Someone able to rewrite the whole file can rebuild a consistent
 * chain: export the head digest elsewhere -- `airlock audit verify` prints
 * it -- to anchor it.)
 *
 * Payloads hold no secret: inputs are stored with `smithy.api#sensitive`
 * members redacted (rt_redact), responses in full except sensitive
 * members.  A payload member larger than RT_AUDIT_INLINE_MAX bytes is moved
 * to the file store (rt_store_blob_put) and replaced by
 * {"artifact": {"sha256": HEX, "bytes": N}}.
 *
 * Record format (RT_DB_AUDIT value; key = seq as 8 bytes big-endian):
 *
 *   off size field
 *     0    4 magic "ALAU"
 *     4    2 version (1)
 *     6    2 kind (enum rt_audit_kind)
 *     8    8 seq
 *    16    8 time, ms
 *    24   16 tx_id
 *    40   16 op_id
 *    56   16 plan_id (zeros: none)
 *    72   32 prev: SHA-256 of the previous record (zeros for seq 1)
 *   104    4 payload length P
 *   108    4 reserved, zero
 *   112    P payload: canonical JSON object, UTF-8, no NUL
 *  total = 112 + P exactly
 *
 * Example: the first record of a log, an expiry with payload {} (2 bytes):
 *   41 4c 41 55 01 00 07 00  01 00 00 00 00 00 00 00   ALAU v1 kind 7 seq 1
 *   <time 8> <tx 16> <op 16> <plan 16> <32 zero bytes>
 *   02 00 00 00 00 00 00 00  7b 7d
 *
 * Owner: rt_audit.c.
 */
#ifndef RT_AUDIT_H
#define RT_AUDIT_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "alc_reader.h"
#include "rt_plan.h"
#include "rt_store.h"

enum rt_audit_kind {
	RT_AK_PLAN = 1,          /* a plan was made (its content, redacted) */
	RT_AK_DECISION,          /* the policy decision for it */
	RT_AK_APPROVAL_REQUEST,  /* the agent asked for approval */
	RT_AK_APPROVAL_PROMPT,   /* an elicitation was sent / went unanswered */
	RT_AK_APPROVAL_GRANT,
	RT_AK_APPROVAL_REJECT,
	RT_AK_EXPIRY,
	RT_AK_APPLY_REFUSED,
	RT_AK_APPLY_START,
	RT_AK_APPLY_RETRY,
	RT_AK_APPLY_OUTCOME,
	RT_AK_CALL,              /* a call airlock made on a plan's behalf as its
	                            mechanism, not the plan's own operation:
	                            CloudFormation change sets and stack events
	                            (rt_cfn.h); payload {purpose, service,
	                            operation, input, outcome, ...} */
	RT_AK_DIFF,              /* a diff of the plan was made (rt_diff.h):
	                            the result, sensitive values left out */
	RT_AK_DRY_RUN,           /* the EC2 DryRun check of the plan: result,
	                            code, message (rt_diff.h) */
	RT_AK_COUNT
};

/* "plan", "decision", "approval_request", ...; NULL when unknown. */
const char *rt_audit_kind_name(int kind);
int rt_audit_kind_find(const char *name);

#define RT_AUDIT_HEADER 112u
#define RT_AUDIT_MAX_RECORD (16u << 20)
#define RT_AUDIT_INLINE_MAX (32u << 10)

typedef struct rt_audit_rec {
	int kind;
	uint64_t seq;
	int64_t time;
	rt_id tx, op, plan;
	unsigned char prev[32];
	const char *payload;     /* into the decoded buffer */
	size_t payload_len;
} rt_audit_rec;

/* Checks the layout of BUF: magic, version, kind, length, payload UTF-8
 * without NUL.  Returns 0, AL_ECORRUPT or AL_EVERSION. */
int rt_audit_decode(const void *buf, size_t len, rt_audit_rec *out);

/* Appends a record of KIND for PLAN (NULL: none) in the write transaction
 * T.  PAYLOAD (an object, NULL: {}) is made canonical.  Returns 0 (the
 * new record's seq and op id in *SEQ and *OP when not NULL), AL_EINVAL,
 * AL_ENOMEM, AL_ECORRUPT (the head is damaged: nothing is appended on a
 * broken chain) or the store's error. */
int rt_audit_append(rt_txn *t, int kind, const rt_id *tx, const rt_id *plan,
                    const cJSON *payload, uint64_t *seq, rt_id *op);

/* Moves PAYLOAD[KEY] to the file store when its canonical form is larger
 * than RT_AUDIT_INLINE_MAX.  Returns 0 or an error. */
int rt_audit_offload(rt_store *s, cJSON *payload, const char *key);

/* The record as JSON: {seq, time, kind, txId, opId, planId, prev, hash,
 * payload}.  HASH is the record's SHA-256 (NULL: computed here from BUF
 * of LEN bytes). */
cJSON *rt_audit_json(const rt_audit_rec *r, const void *buf, size_t len);

typedef struct rt_audit_report {
	uint64_t records;        /* walked */
	uint64_t head_seq;       /* from the head */
	char head_hash[65];
	int intact;              /* 1: chain, seqs, times, head all agree */
	uint64_t bad_seq;        /* first record that failed, 0 */
	char problem[256];
	uint64_t plans_applied_twice; /* plans with more than one apply start */
	uint64_t plans;          /* plans with records */
} rt_audit_report;

/* Walks the whole chain in one read snapshot.  Returns 0 (R filled; see
 * R->intact) or the store's error. */
int rt_audit_verify(rt_store *s, rt_audit_report *r);

typedef struct rt_audit_query {
	const rt_id *plan;       /* records of one plan */
	const rt_id *tx;         /* records of one transaction */
	int64_t since;           /* time >= since (ms; 0: from the start) */
	uint64_t after_seq;      /* seq > after_seq */
	size_t limit;            /* 0: no limit */
} rt_audit_query;

/* Records matching Q, oldest first, as an array of rt_audit_json objects.
 * Returns 0 or an error. */
int rt_audit_query_run(rt_store *s, const rt_audit_query *q, cJSON **out);
/* One record by seq, or by op id text: AL_ENOTFOUND when none. */
int rt_audit_get(rt_store *s, uint64_t seq, const rt_id *op, cJSON **out);
/* Every record matching Q as JSON Lines on F.  Returns 0 or an error. */
int rt_audit_export(rt_store *s, const rt_audit_query *q, FILE *f);

/* ---- redaction --------------------------------------------------------- */

#define RT_REDACTED "<redacted: sensitive>"

/* A deep copy of V (a value of shape SHAPE of CAT: an input or output
 * structure) with every member the model marks smithy.api#sensitive
 * (ALC_M_SENSITIVE, or a sensitive target shape) replaced by RT_REDACTED,
 * through structures, unions, lists and maps (a map whose keys are
 * sensitive is replaced whole).  Members the shape does not have are
 * copied as they are.  *FOUND (may be NULL) is set when something was
 * redacted.  NULL on ENOMEM. */
cJSON *rt_redact(const alc_catalog *cat, uint32_t shape, const cJSON *v, int *found);

/* 1 when the RFC 6901 POINTER into a value of SHAPE reaches a sensitive
 * member (or passes through one, or through a map with sensitive keys):
 * messages about what is there must not quote it. */
int rt_redact_pointer(const alc_catalog *cat, uint32_t shape, const char *pointer);

#endif
