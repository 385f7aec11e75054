/*
 * rt_diff.h -- the Diff of Plan -> Diff -> Approve -> Apply: what a plan
 * would change, compared with what is there now, before anyone approves
 * it; and the EC2 DryRun permission check of a plan.
 *
 * How a diff is made (rt_diff_plan):
 *   1. the plan is loaded (any state; its input is the stored content's);
 *   2. CloudFormation plans go to rt_cfn_diff (change sets, rt_cfn.c);
 *   3. otherwise the catalog's read mapping of the plan's operation
 *      (alc_op_readmap) names a read operation and how to fill its input
 *      from the plan's input; no mapping is a result with status
 *      "no_mapping", never an error (it must not block approval);
 *   4. the read runs as an audited read (rt_plans_read: planned, decided
 *      by the policy, audited, with the plan caller's profile, region and
 *      account); a read that fails or is refused is a result with status
 *      "read_failed" and the error, and the plan is unchanged.  A read the
 *      plan's input does not address (none of the mapping's identifier
 *      members is set, or a paginated read without arguments, which would
 *      show a whole collection) is not run: "read_failed", error code
 *      "not_identified".  A read answering not-found (404, *NotFound*,
 *      NoSuch*, *NotExist*) means "nothing there": exists false;
 *   5. the state at the mapping's state_path of the read's output is
 *      compared member by member with the plan's input (rt_diff_compare);
 *   6. the result is kept in the plan's mutable status ("diff", with its
 *      time; never in the digest content) and an audit record "diff" is
 *      appended, both without sensitive values.
 *
 * The result (an object; the diff_plan tool's outputSchema says the same):
 *   planId, service, operation   the plan
 *   kind        "create" | "update" | "delete" | "other"
 *   status      "computed"     the changes below are against the live state
 *               "no_mapping"   the operation has no read mapping: nothing
 *                              to compare (message says so)
 *               "read_failed"  the read failed or was refused (error)
 *               "cancelled"    stopped by opts->cancel / progress
 *   computedAt  RFC 3339 time
 *   exists      true / false: is the resource there now (create: false
 *               when the read answers not-found or the state path is
 *               empty); null: not known
 *   read        {service, operation, source ("lifecycle" | "verbnoun" |
 *               "override"), statePath, input (redacted), planId (the
 *               read's own audited plan)}; absent for no_mapping
 *   summary     {changed, added, removed, unchanged, notVisible, sensitive}
 *   changes     [{path, op, old?, new?, document?, sensitive?, note?}]
 *               path: JSON pointer into the plan's input ("/Policy",
 *                 "/ProvisionedThroughput/ReadCapacityUnits"); for a delete,
 *                 into the current state
 *               op: "changed" (old -> new), "added" (the plan sets what is
 *                 not there now: new), "removed" (a delete takes it away:
 *                 old), "unchanged" (old == new, value in new),
 *                 "not_visible" (the read does not show this member: new
 *                 only, nothing is guessed), "sensitive" (a
 *                 smithy.api#sensitive member: neither value is shown nor
 *                 compared)
 *               document: true when both sides were JSON documents
 *                 (policies) compared parsed, key order ignored
 *               note: why, when not obvious ("found at /BillingModeSummary
 *                 /BillingMode", "identifier")
 *   error       {code, message} for read_failed (the AWS error, the
 *               refusal's code such as "approval_required", or
 *               "not_identified")
 *   message     one sentence for people
 * rt_cfn_diff returns the same object; it may add "changeSet" (id, name,
 * status) and its changes use paths "/Resources/<LogicalId>" with
 * "resourceType", "physicalId", "replacement" and "details" members.
 * rt_diff_render prints any such result.
 *
 * Owner: rt_diff.c.  Results are new cJSON trees owned by the caller
 * (through rt_plan_out).  One thread at a time, like rt_plans.
 */
#ifndef RT_DIFF_H
#define RT_DIFF_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "alc_reader.h"
#include "rt_plan.h"

typedef struct rt_diff_opts {
	const rt_id *tx;       /* the audit transaction of the call (required) */
	/* Progress of a slow diff (a change set being created): DONE grows in
	 * [0, 1), MESSAGE says what is happening.  A non-zero return stops
	 * the diff (status "cancelled").  NULL: none. */
	int (*progress)(void *ud, double done, const char *message);
	/* Polled between steps and while waiting on AWS; non-zero: stop
	 * (status "cancelled").  NULL: never. */
	int (*cancel)(void *ud);
	void *ud;
	unsigned flags;        /* RT_DIFF_* */
} rt_diff_opts;

#define RT_DIFF_NO_STORE 0x1u  /* do not keep the result in the plan status
                                  (nor append the "diff" audit record) */

/* Diffs plan TEXT (an id or a unique prefix, as rt_plans_resolve).
 * Returns 0 with O->result (the object above) or O->error (code
 * "not_found", "invalid", "store": the diff could not be made at all), or
 * AL_ENOMEM. */
int rt_diff_plan(rt_plans *p, const char *text, const rt_diff_opts *opts, rt_plan_out *o);

/* ---- CloudFormation (rt_cfn.c, engineer "cfn") --------------------------
 * rt_diff_plan calls, before the generic path:
 *     if (rt_cfn_handles(cat, op)) rc = rt_cfn_diff(p, pl, opts, o);
 * and then stores O->result like any other diff (so rt_cfn_diff does not
 * store it).  rt_cfn_diff returns 0 with O->result (status "computed" or
 * "read_failed" for an AWS failure, as above) or O->error for a refusal,
 * or an AL_* code.  The call is compiled only when runtime/rt_cfn.c exists:
 * runtime/CMakeLists.txt then defines AIRLOCK_HAVE_CFN for rt_diff.c (as
 * it does AIRLOCK_HAVE_EXEC for rt_plan.c), so nobody edits rt_diff.c for
 * it and the tree builds with or without rt_cfn.c. */
int rt_cfn_handles(const alc_catalog *cat, const alc_operation *op);
int rt_cfn_diff(rt_plans *p, const rt_plan *pl, const rt_diff_opts *opts, rt_plan_out *o);

/* Building results (for rt_cfn.c too). */
/* A new result for PL: planId, service, operation, kind (ALC_RM_* or 0:
 * "other"), status, computedAt, exists null, an empty summary and
 * changes.  NULL on ENOMEM. */
cJSON *rt_diff_result_new(const rt_plan *pl, unsigned kind, const char *status);
/* Appends a change {path, op, old, new} (OLD/NEW copied; NULL: absent)
 * and counts it in the summary.  Returns 0 or AL_ENOMEM. */
int rt_diff_add(cJSON *result, const char *path, const char *op, const cJSON *old_v,
                const cJSON *new_v);

/* ---- the comparison engine (pure: no I/O) -------------------------------
 * Compares PLANNED (what the plan sets, an object) with STATE (what the
 * read shows; NULL: nothing) and appends changes to RESULT under PREFIX
 * (a JSON pointer, "" at the top).
 *   - objects: member by member over PLANNED's members (what the plan does
 *     not set is not a change); maps alike, key by key;
 *   - lists: equal -> unchanged; same length -> element by element;
 *     otherwise the whole list changed;
 *   - strings that both parse as JSON objects or arrays (or URL-encoded
 *     JSON, as IAM returns policies) compare parsed, key order ignored;
 *   - numbers compare as numbers, "5" and 5 as equal (query protocols);
 *   - a member PLANNED sets that STATE lacks: "added" when the state's
 *     shape has such a member (it is just not set now), else, when one
 *     member of STATE is an object holding it ("BillingModeSummary" holds
 *     "BillingMode"), compared there with a note, else "not_visible";
 *   - sensitive members (by IN_SHAPE or STATE_SHAPE) are "sensitive".
 * CAT may be NULL (no shapes: a missing member is "not_visible", nothing
 * is known to be sensitive); IN_SHAPE / STATE_SHAPE may be ALC_NONE.
 * SKIP (NULL-terminated member names, or NULL) lists top-level members
 * left out (identifiers the read was addressed by, idempotency tokens,
 * DryRun).  Returns 0 or AL_ENOMEM. */
int rt_diff_compare(const alc_catalog *cat, uint32_t in_shape, const cJSON *planned,
                    uint32_t state_shape, const cJSON *state, const char *const *skip,
                    const char *prefix, cJSON *result);

/* JSON text S as a document when it is one (object or array; URL-encoded
 * allowed); NULL otherwise.  Owned by the caller. */
cJSON *rt_diff_document(const char *s);

/* Prints RESULT for people: a header line, then one line per change with
 * "~" (changed: old -> new), "+" (added), "-" (removed), "=" (unchanged),
 * "?" (not visible), "*" (sensitive), coloured when COLOR.  VERBOSE also
 * prints unchanged members (otherwise counted only). */
void rt_diff_render(FILE *f, const cJSON *result, int color, int verbose);

/* RESULT in a few lines of plain text for a question to a person (the
 * elicitation of request_approval): when it was computed, against what,
 * the counts, then the changes that are not "unchanged" (at most 12, each
 * value cut at 120 bytes).  Always NUL-terminates BUF (CAP > 0); returns
 * the length written. */
size_t rt_diff_brief(const cJSON *result, char *buf, size_t cap);

/* ---- EC2 DryRun ---------------------------------------------------------
 * An EC2 operation that is not a read and whose input has a DryRun member
 * can be sent with DryRun=true: AWS checks permissions and parameters and
 * changes nothing.  plan_operation / `airlock plan` do it by default for
 * such plans once they are Planned (validated, and allowed or waiting for
 * approval); "dry_run": false / --no-dry-run skips it.  The call is the
 * plan's input with DryRun=true, sent with the plan caller's credentials;
 * the plan's content and digest never change.  The outcome goes to the
 * plan status ("dryRun") and to an audit record "dry_run":
 *   {result: "would_succeed" (DryRunOperation) | "not_permitted"
 *    (UnauthorizedOperation, or AccessDenied*, with its message) |
 *    "error" (any other answer), code, message, at, requestId}. */
int rt_dryrun_applies(const alc_catalog *cat, const alc_operation *op);
/* Runs the dry run of plan ID (text) and sets *OUT (new object, the
 * "dryRun" value above; NULL when it does not apply).  Returns 0 or an
 * AL_* code (the plan store failed, ENOMEM). */
int rt_dryrun_plan(rt_plans *p, const char *id, const rt_id *tx, cJSON **out);

#endif
