/*
 * rt_plan.h -- plans: what an agent (or a person) asked to run, checked
 * against the catalog and the policy, stored in LMDB (rt_store.h) with a
 * digest, and moved through a fixed set of states until it is applied at
 * most once.
 *
 * A plan has two parts:
 *   content  immutable; canonical JSON (below) of the id, time, caller
 *            (profile, region, account when known, OS user, channel),
 *            service, operation, input (idempotency tokens filled), catalog
 *            digest (its 128-bit checksum), policy decision with rule ids,
 *            risk and validation.  digest = SHA-256(content bytes).
 *   status   mutable JSON: the input with sensitive members redacted (for
 *            every view, so that showing a plan needs no catalog and leaks
 *            no secret), the approval request, grants, rejection, apply
 *            progress and outcome.
 * Approvals name the digest they approve; apply recomputes the digest of
 * the stored content and refuses on any difference.
 *
 * States and the only transitions (rt_plan_transition_ok, one table):
 *
 *   (new) -> Planned | Failed (validation) | Denied (policy)
 *   Planned -> AwaitingApproval   request_approval (the decision needs one)
 *   Planned -> Applying           apply (no approval needed)
 *   Planned -> Rejected           a person rejects it
 *   AwaitingApproval -> Approved  the last grant needed
 *   AwaitingApproval -> Rejected | Expired
 *   Approved -> Applying          apply
 *   Approved -> Rejected | Expired
 *   Applying -> Applied | ApplyFailed
 * Failed, Denied, Rejected, Expired, Applied and ApplyFailed are final.
 * Applying is entered in the same write transaction that checks the plan,
 * so two processes racing to apply one plan cannot both pass: one sees
 * Applying and is refused.  A process killed while Applying leaves the
 * plan Applying for good (the outcome is unknown; it is never sent again).
 *
 * Expiry: an approval request expires its TTL (the policy's) after it was
 * made; an approved plan expires its TTL after its first grant.  Plans are
 * expired lazily, in the write transaction of the next call that touches
 * them, and in sweeps by listings (each expiry is an audit record).
 *
 * Record format (RT_DB_PLANS value), little-endian:
 *
 *   off size field
 *     0    4 magic "ALPN"
 *     4    2 version (1)
 *     6    1 state (enum rt_plan_state)
 *     7    1 flags (RT_PF_*)
 *     8    8 created, ms since the epoch
 *    16    8 updated, ms
 *    24    8 expires, ms (0: none)
 *    32   32 digest: SHA-256 of the content bytes as first stored
 *    64    4 content length C
 *    68    4 status length S
 *    72    C content: canonical JSON object, UTF-8, no NUL
 *  72+C    S status: JSON object, UTF-8, no NUL
 *  total = 72 + C + S exactly
 *
 * Example (a 2-byte content "{}" and status "{}", Planned, no flags):
 *   41 4c 50 4e 01 00 01 00  <created 8> <updated 8> <expires 8>
 *   <digest 32 = 44136fa3...>  02 00 00 00 02 00 00 00  7b 7d 7b 7d
 *
 * Canonical JSON (rt_canon): objects with members sorted by key (byte order
 * of the UTF-8), no whitespace; strings with only '"', '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00XX), other bytes as they
 * are (valid UTF-8 required); integers with |n| < 2^53 as integers, other
 * numbers as the shortest of %.15g / %.17g that round-trips; a duplicate
 * key, a non-finite number or invalid UTF-8 is an error (AL_EINVAL).
 *
 * Owner: rt_plan.c.  An rt_plans borrows the catalog and (when given) the
 * policy, which must outlive it.  One thread at a time.
 */
#ifndef RT_PLAN_H
#define RT_PLAN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"
#include "rt_store.h"

struct rt_policy;

/* ---- ids ---------------------------------------------------------------
 * 128-bit, time-sortable (ULID layout): 48-bit milliseconds since the
 * epoch, big-endian, then 80 random bits (getrandom).  Within one process
 * ids of the same millisecond increase.  Text: 26 characters of Crockford
 * base32, upper case; parsing accepts lower case too. */
typedef struct rt_id {
	unsigned char b[16];
} rt_id;

#define RT_ID_TEXT 27
void rt_id_new(rt_id *id, int64_t ms);
void rt_id_str(const rt_id *id, char out[RT_ID_TEXT]);
int rt_id_parse(const char *s, rt_id *id);
int rt_id_is_zero(const rt_id *id);
int64_t rt_id_time(const rt_id *id);

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t rt_now_ms(void);
/* "2026-07-28T12:34:56.789Z" */
#define RT_TIME_TEXT 32
void rt_time_str(int64_t ms, char out[RT_TIME_TEXT]);
/* RFC 3339 (Z or offset; fraction optional), or milliseconds since the
 * epoch as digits.  Returns 0 or AL_EINVAL. */
int rt_time_parse(const char *s, int64_t *ms);

/* Fill BUF with N random bytes (getrandom).  Returns 0 or AL_EIO. */
int rt_random(void *buf, size_t n);

/* ---- canonical JSON ---------------------------------------------------- */

/* V in canonical form (see the top) into a malloc'd NUL-terminated *OUT of
 * *LEN bytes.  Returns 0, AL_EINVAL (duplicate key, non-finite number,
 * invalid UTF-8, nesting deeper than 1000) or AL_ENOMEM. */
int rt_canon(const cJSON *v, char **out, size_t *len);

/* ---- states ------------------------------------------------------------ */
enum rt_plan_state {
	RT_PS_PLANNED = 1, RT_PS_FAILED, RT_PS_DENIED, RT_PS_AWAITING, RT_PS_APPROVED,
	RT_PS_REJECTED, RT_PS_EXPIRED, RT_PS_APPLYING, RT_PS_APPLIED, RT_PS_APPLY_FAILED,
	RT_PS_COUNT
};

/* "Planned", "AwaitingApproval", ...; NULL for a bad state. */
const char *rt_plan_state_name(int state);
/* State by name (any case); 0 when unknown. */
int rt_plan_state_find(const char *name);
/* 1 when FROM -> TO is a legal transition (FROM 0: creation). */
int rt_plan_transition_ok(int from, int to);
int rt_plan_state_final(int state);

/* ---- records ----------------------------------------------------------- */
#define RT_PF_APPROVAL  0x1u  /* the decision requires approval */
#define RT_PF_SENSITIVE 0x2u  /* the input holds sensitive members */
#define RT_PF_SCRUBBED  0x4u  /* final: sensitive values were removed from
                                 the stored input (the digest no longer
                                 matches the content, by design) */

#define RT_PLAN_HEADER 72u
#define RT_PLAN_MAX_RECORD (64u << 20)

typedef struct rt_plan_rec {
	int state;
	unsigned flags;
	int64_t created, updated, expires;
	unsigned char digest[32];
	const char *content;   /* into the decoded buffer */
	size_t content_len;
	const char *status;
	size_t status_len;
} rt_plan_rec;

/* Checks the layout of BUF (LEN bytes): magic, version, state, lengths,
 * UTF-8 without NUL in both texts.  Does not parse the JSON nor check the
 * digest.  Returns 0 or AL_ECORRUPT / AL_EVERSION. */
int rt_plan_decode(const void *buf, size_t len, rt_plan_rec *out);
/* Encodes R into a malloc'd buffer of *LEN bytes; NULL on ENOMEM. */
unsigned char *rt_plan_encode(const rt_plan_rec *r, size_t *len);

/* A loaded plan. */
typedef struct rt_plan {
	rt_id id;
	int state;
	unsigned flags;
	int64_t created, updated, expires;
	unsigned char digest[32];
	int digest_ok;       /* SHA-256 of the stored content == digest */
	cJSON *content;      /* owned */
	cJSON *status;       /* owned; callbacks of rt_plans_modify may edit it */
	int dirty;           /* set by whoever changes the plan */
} rt_plan;

void rt_plan_free(rt_plan *p);

/* Parse a stored record into PL (ID is the key).  Returns 0, AL_ECORRUPT
 * (layout or JSON), AL_EVERSION, AL_ENOMEM. */
int rt_plan_load(const rt_id *id, const void *buf, size_t len, rt_plan *pl);

/* Sets PL's state after checking the transition; updates the time.
 * Returns 0 or AL_ESTATE. */
int rt_plan_set_state(rt_plan *pl, int state, int64_t now);

/* ---- the plan store ---------------------------------------------------- */

typedef struct rt_plans rt_plans;

typedef struct rt_plans_config {
	const alc_catalog *cat;      /* NULL: commands that read state only */
	struct rt_policy *policy;    /* borrowed; NULL: opened when needed */
	const char *home;            /* NULL: rt_store_default_home */
	const char *via;             /* "mcp" or "cli": recorded as the caller's
	                                channel */
} rt_plans_config;

/* Opens the store.  Returns 0, or the store's error with ERR set. */
int rt_plans_open(rt_plans **out, const rt_plans_config *cfg, char *err, size_t errcap);
void rt_plans_close(rt_plans *p);
rt_store *rt_plans_store(rt_plans *p);
const alc_catalog *rt_plans_catalog(const rt_plans *p);
/* The policy (opened at first use).  Returns 0 or an error with ERR set. */
int rt_plans_policy(rt_plans *p, struct rt_policy **out, char *err, size_t errcap);
const char *rt_plans_via(const rt_plans *p);

/* The outcome of a high-level call: exactly one of RESULT (success) and
 * ERROR (a refusal or failure an agent or a person can act on; CODE names
 * it: "not_found", "expired", "digest_changed", "already_applied",
 * "policy_denies", "channel_not_accepted", "approval_required",
 * "not_approved", "state", "no_executor", "invalid", "store", "failed").
 * INPUT_REQUIRED is set instead of both when a 2026-07-28 client must
 * answer an elicitation first (rt_approve.h). */
typedef struct rt_plan_out {
	cJSON *result;
	char *error;
	char code[32];
	cJSON *input_required;
	cJSON *detail;      /* with ERROR code "failed" from an apply (and
	                       rt_plans_read): {planId, error: the AWS error
	                       {code, message, http_status, ...}}, or NULL;
	                       owned (rt_diff.c tells not-found from it) */
} rt_plan_out;

void rt_plan_out_free(rt_plan_out *o);
/* Sets O's error (printf format) and code; returns 0 (AL_ENOMEM when the
 * message cannot be allocated). */
int rt_plan_refuse(rt_plan_out *o, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The request of plan_operation / `airlock plan`. */
typedef struct rt_plan_request {
	const char *service, *operation;
	const cJSON *input;          /* NULL: {} */
	const char *region, *profile, *account; /* NULL: from the AWS
	                                configuration (account: not known) */
	int max_pages;               /* rt_plans_read: pages to fetch and merge
	                                (RT_PLAN_MAX_PAGES at most); 0: one */
	int (*progress)(void *ud, int page, size_t items, int more); /* per
	                                page (rt_exec_progress_fn), or NULL */
	void *progress_ud;
} rt_plan_request;

/* Bound on the pages one read fetches. */
#define RT_PLAN_MAX_PAGES 100

/* Validates, decides, fills idempotency tokens, stores the plan and its
 * audit records (plan, decision) in one transaction.  The result is the
 * plan's view plus "wouldSend" (the input, sensitive members redacted).
 * A plan that fails validation or is denied is stored too (Failed,
 * Denied): O->result describes it.  Returns 0 or AL_ENOMEM. */
int rt_plans_create(rt_plans *p, const rt_plan_request *rq, const rt_id *tx, rt_plan_out *o);

/* A plan's view (the get_plan result), after expiring it when due. */
int rt_plans_get(rt_plans *p, const char *id, const rt_id *tx, rt_plan_out *o);
/* Plans, pending first (AwaitingApproval, Approved, Planned, Applying,
 * then the rest), newest first within each state; STATE (0: all) filters;
 * at most LIMIT.  Expires what is due first. */
int rt_plans_list(rt_plans *p, int state, size_t limit, const rt_id *tx, rt_plan_out *o);
/* Apply (see the top and the refusals of rt_plan_out). */
int rt_plans_apply(rt_plans *p, const char *id, const rt_id *tx, rt_plan_out *o);

/* A long apply (a CloudFormation stack followed to its end, rt_cfn.h):
 * PROGRESS (DONE grows in [0, 1), MESSAGE says what happened) and CANCEL
 * (polled between steps); a non-zero return of either stops following.
 * Any may be NULL. */
typedef struct rt_apply_opts {
	int (*progress)(void *ud, double done, const char *message);
	int (*cancel)(void *ud);
	void *ud;
} rt_apply_opts;
/* rt_plans_apply with AO (may be NULL). */
int rt_plans_apply_opts(rt_plans *p, const char *id, const rt_id *tx, const rt_apply_opts *ao,
                        rt_plan_out *o);
/* Plan and apply a read operation the policy allows without approval. */
int rt_plans_read(rt_plans *p, const rt_plan_request *rq, const rt_id *tx, rt_plan_out *o);

/* Resolves ID text (a full id, or a unique prefix of at least 6
 * characters) to an id.  Returns 0, AL_ENOTFOUND, AL_EDUP (ambiguous),
 * AL_EINVAL. */
int rt_plans_resolve(rt_plans *p, const char *text, rt_id *id);

/* Runs FN on plan ID in one write transaction: the plan is loaded and
 * expired first when due (with its audit record); FN may change it (set
 * pl->dirty) and append audit records; the plan is stored when dirty.
 * FN's non-zero result aborts everything and is returned.  AL_ENOTFOUND
 * when there is no such plan.  FN may run more than once (rt_store_update). */
typedef int (*rt_plan_fn)(rt_plans *p, rt_txn *t, rt_plan *pl, void *ctx);
int rt_plans_modify(rt_plans *p, const rt_id *id, const rt_id *tx, rt_plan_fn fn, void *ctx);

/* The view of PL (get_plan / show): a new object, NULL on ENOMEM. */
cJSON *rt_plan_view(const rt_plan *pl);

/* ---- execution --------------------------------------------------------- */

typedef struct rt_plan_exec_req {
	const alc_catalog *cat;
	const alc_operation *op;
	const cJSON *input;
	const char *region, *profile;
	int max_pages;                /* read operations: pages to fetch; 0: one */
	int (*progress)(void *ud, int page, size_t items, int more);
	void *progress_ud;
} rt_plan_exec_req;

typedef struct rt_plan_exec_res {
	cJSON *output;        /* success: the output object (owned) */
	cJSON *error;         /* failure: {code, message, ...} (owned) */
	int attempts;         /* HTTP attempts (retries = attempts - 1) */
	char request_id[128];
} rt_plan_exec_res;

/* Executes one operation; returns 0 when it ran (output or error set), or
 * an AL_* code when it could not run at all. */
typedef int (*rt_plan_exec_fn)(void *ud, const rt_plan_exec_req *rq, rt_plan_exec_res *rs);

/* Replaces the executor for this process.  Only test programs call it
 * (tests/plans/fake_exec.c); the airlock binary executes through rt_exec
 * when the build has it, and otherwise refuses every apply with
 * "execution not available in this build". */
void rt_plans_set_executor(rt_plan_exec_fn fn, void *ud);

/* Executes one call outside any plan's life cycle, through the executor
 * apply uses: only for calls that change nothing (the EC2 DryRun check of
 * rt_diff.c), which their caller audits.  Returns as rt_plan_exec_fn;
 * AL_EINVAL when the build has no executor. */
int rt_plans_execute(const rt_plan_exec_req *rq, rt_plan_exec_res *rs);

/* ---- MCP tools (rt_plan_tools.c) ---------------------------------------
 * plan_operation, request_approval, apply_plan, read_operation, get_plan,
 * list_plans, query_audit: listed by rt_tools.c after its own tools, which
 * hands their calls here.  The store is opened at the first call (start-up
 * stays a mmap) into t->plans and closed by rt_plan_tools_fini. */
struct rt_tools;
struct rt_tool_def;
struct rt_tool_result;
size_t rt_plan_tools_count(void);
const struct rt_tool_def *rt_plan_tools_get(size_t i);
/* As rt_tools_call (AL_ENOTFOUND: not one of these tools). */
int rt_plan_tools_call(struct rt_tools *t, const char *name, const cJSON *args,
                       struct rt_tool_result *out, int (*cancel)(void *ctx), void *ctx);
void rt_plan_tools_fini(struct rt_tools *t);

/* `airlock plan|apply|plans|show|approve|reject|audit ...` (rt_plan_cli.c):
 * ARGV[0] is the command.  Returns the exit status (rt_cli.h). */
int rt_plan_cli_main(int argc, char **argv);

#endif
