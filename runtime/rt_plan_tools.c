/*
 * rt_plan_tools.c -- the MCP tools of plans, approvals and the audit log:
 * plan_operation, request_approval, apply_plan, read_operation, get_plan,
 * list_plans, query_audit, diff_plan (rt_diff.h).  rt_tools.c lists them
 * after its own and hands their calls here (rt_plan.h: rt_plan_tools_*).
 *
 * No argument of any tool grants, extends or forges an approval, or edits
 * the audit log: request_approval only asks (rt_approve.h states the trust
 * boundary), and the audit tool only reads.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_approve.h"
#include "rt_audit.h"
#include "rt_cfn.h"
#include "rt_diff.h"
#include "rt_plan.h"
#include "rt_policy.h"
#include "rt_tools.h"

/* ---- definitions ------------------------------------------------------- */

#define STATES \
	"[\"Planned\",\"Failed\",\"Denied\",\"AwaitingApproval\",\"Approved\",\"Rejected\"," \
	"\"Expired\",\"Applying\",\"Applied\",\"ApplyFailed\"]"

#define PLAN_ID_ARG \
	"\"plan_id\":{\"type\":\"string\",\"minLength\":6,\"maxLength\":26," \
	"\"description\":\"The plan's id (26 characters, from plan_operation or list_plans).\"}"

#define CALL_ARGS \
	"\"service\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The service: sdk-id, " \
	"endpoint prefix or AWS CLI name (as describe_operation accepts it).\"}," \
	"\"operation\":{\"type\":\"string\",\"minLength\":1,\"description\":\"The operation: " \
	"\\\"CreateStack\\\" or \\\"create-stack\\\".\"}," \
	"\"input\":{\"type\":\"object\",\"description\":\"The operation's input, shaped as " \
	"describe_operation's inputSchema says ({} for none).\"}," \
	"\"region\":{\"type\":\"string\",\"minLength\":1,\"description\":\"AWS region; default: " \
	"the AWS configuration's (AWS_REGION, the profile).\"}," \
	"\"profile\":{\"type\":\"string\",\"minLength\":1,\"description\":\"AWS CLI profile; " \
	"default: AWS_PROFILE, else \\\"default\\\".\"}"

/* The plan view (rt_plan_view); loose where the content is the model's. */
#define PLAN_PROPS \
	"\"planId\":{\"type\":\"string\"}," \
	"\"state\":{\"type\":\"string\",\"enum\":" STATES "}," \
	"\"createdAt\":{\"type\":\"string\"},\"updatedAt\":{\"type\":\"string\"}," \
	"\"expiresAt\":{\"type\":[\"string\",\"null\"],\"description\":\"When the approval " \
	"request or the approval runs out.\"}," \
	"\"service\":{\"type\":\"string\"},\"operation\":{\"type\":\"string\"}," \
	"\"caller\":{\"type\":[\"object\",\"null\"],\"description\":\"profile, region, account " \
	"(null: not known), OS user, channel.\"}," \
	"\"input\":{\"description\":\"The input as stored, sensitive members redacted.\"}," \
	"\"risk\":{\"type\":\"string\"}," \
	"\"decision\":{\"type\":[\"object\",\"null\"],\"description\":\"The policy decision " \
	"when the plan was made: decision, rule, reason, risk, access, approval, matchedRules.\"}," \
	"\"digest\":{\"type\":\"string\",\"description\":\"SHA-256 of the plan's canonical " \
	"content; approvals are bound to it.\"}," \
	"\"digestIntact\":{\"type\":\"boolean\"}," \
	"\"catalog\":{\"type\":\"string\",\"description\":\"The catalog's 128-bit checksum.\"}," \
	"\"validation\":{\"type\":[\"object\",\"null\"]}," \
	"\"violations\":{\"type\":\"array\"}," \
	"\"approval\":{\"type\":\"object\",\"description\":\"required, approvers, ttlSeconds, " \
	"channels, the request, grants and rejection.\"}," \
	"\"apply\":{\"type\":[\"object\",\"null\"]}," \
	"\"diff\":{\"type\":\"object\",\"description\":\"The last diff_plan result, when " \
	"one was made.\"}," \
	"\"dryRun\":{\"type\":\"object\",\"description\":\"EC2 DryRun check: result " \
	"(would_succeed, not_permitted, error), code, message, at.\"}," \
	"\"changeSet\":{\"type\":\"object\",\"description\":\"CloudFormation: the plan's " \
	"change set (id, name, stackId, type, status, createdAt; executedAt once applied, " \
	"deletedAt once cleaned up).\"}," \
	"\"nextStep\":{\"type\":\"string\",\"description\":\"What to do next.\"}"

#define PLAN_REQUIRED "\"planId\",\"state\",\"service\",\"operation\",\"digest\",\"nextStep\""

#define PLAN_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" PLAN_PROPS "},\"required\":[" PLAN_REQUIRED "]}"

/* The diff result (rt_diff.h); "op" is open for rt_cfn.c's changes. */
#define DIFF_SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"planId\":{\"type\":\"string\"},\"service\":{\"type\":\"string\"}," \
	"\"operation\":{\"type\":\"string\"}," \
	"\"kind\":{\"type\":\"string\",\"enum\":[\"create\",\"update\",\"delete\",\"other\"]}," \
	"\"status\":{\"type\":\"string\",\"enum\":[\"computed\",\"no_mapping\",\"read_failed\"," \
	"\"cancelled\"],\"description\":\"computed: changes are against the live state; " \
	"no_mapping: nothing to compare with (not an error); read_failed: see error; the plan " \
	"is unchanged either way.\"}," \
	"\"computedAt\":{\"type\":\"string\"}," \
	"\"exists\":{\"type\":[\"boolean\",\"null\"],\"description\":\"Whether the " \
	"resource is there now (null: not known).\"}," \
	"\"read\":{\"type\":\"object\",\"description\":\"The audited read that showed the " \
	"state: service, operation, source of the mapping, statePath, input, planId.\"}," \
	"\"summary\":{\"type\":\"object\",\"properties\":{\"changed\":{\"type\":\"integer\"}," \
	"\"added\":{\"type\":\"integer\"},\"removed\":{\"type\":\"integer\"}," \
	"\"unchanged\":{\"type\":\"integer\"},\"notVisible\":{\"type\":\"integer\"}," \
	"\"sensitive\":{\"type\":\"integer\"}}}," \
	"\"changes\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{" \
	"\"path\":{\"type\":\"string\",\"description\":\"JSON pointer into the plan's input " \
	"(a delete: into the current state).\"}," \
	"\"op\":{\"type\":\"string\",\"description\":\"changed (old -> new), added (new), " \
	"removed (old), unchanged, not_visible (the read does not show it; new only), " \
	"sensitive (no values, not compared).\"}," \
	"\"old\":{},\"new\":{},\"document\":{\"type\":\"boolean\",\"description\":\"JSON " \
	"documents (policies) compared parsed, key order ignored.\"}," \
	"\"sensitive\":{\"type\":\"boolean\"},\"note\":{\"type\":\"string\"}}," \
	"\"required\":[\"path\",\"op\"]}}," \
	"\"changeSet\":{\"type\":\"object\",\"description\":\"CloudFormation: the change set " \
	"as DescribeChangeSet describes it.\"}," \
	"\"error\":{\"type\":\"object\",\"description\":\"read_failed: code and message.\"}," \
	"\"message\":{\"type\":\"string\"}}," \
	"\"required\":[\"planId\",\"service\",\"operation\",\"kind\",\"status\",\"computedAt\"," \
	"\"exists\",\"summary\",\"changes\",\"message\"]}"

static const rt_tool_def plan_tools[] = {
	{
		"plan_operation",
		"Plan an AWS call",
		"Plan one AWS call before anything is sent: validates the input against the "
		"operation's model, evaluates the policy for the call's region, account and profile, "
		"fills idempotency tokens, and stores the plan with a SHA-256 digest. Returns the "
		"plan id, its state (Planned; Failed when the input is invalid, with every violation; "
		"Denied when the policy refuses it), the risk, the decision with the rules and "
		"reason, whether approval is needed, and wouldSend: exactly what apply_plan will send "
		"(sensitive members shown redacted). Nothing reaches AWS (but the EC2 DryRun check "
		"below). Next: apply_plan, or "
		"request_approval first when approvalRequired is true. EC2 operations with a DryRun "
		"member are also sent once with DryRun=true (AWS checks permissions and changes "
		"nothing): dryRun.result says would_succeed, not_permitted or error. diff_plan shows "
		"what the plan would change.",
		"{\"type\":\"object\",\"properties\":{" CALL_ARGS ","
		"\"dry_run\":{\"type\":\"boolean\",\"default\":true,\"description\":\"EC2 "
		"operations with a DryRun member: check permissions with DryRun=true once the plan is "
		"made (default true; false skips it). Other operations ignore it.\"}},"
		"\"required\":[\"service\",\"operation\",\"input\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{" PLAN_PROPS ","
		"\"approvalRequired\":{\"type\":\"boolean\"},"
		"\"wouldSend\":{\"type\":\"object\",\"description\":\"service, operation, region and the "
		"input apply_plan will send (sensitive members redacted).\"}},"
		"\"required\":[" PLAN_REQUIRED ",\"approvalRequired\",\"wouldSend\"]}",
		0,
	},
	{
		"request_approval",
		"Ask a person to approve a plan",
		"Ask for the human approval a plan needs (approvalRequired), with a justification a "
		"person will read. When the MCP client can ask its user (elicitation), the question is "
		"shown there and the answer is recorded; otherwise, or when the policy does not accept "
		"that channel for the plan's risk, the result says how a person approves from a "
		"terminal (`airlock approve PLAN`). You cannot approve a plan yourself. Approvals "
		"expire (expiresAt) and are bound to the plan's digest. Then call apply_plan.",
		"{\"type\":\"object\",\"properties\":{" PLAN_ID_ARG ","
		"\"justification\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1000,"
		"\"description\":\"Why this call is needed, for the person who decides.\"}},"
		"\"required\":[\"plan_id\",\"justification\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{" PLAN_PROPS ","
		"\"elicitation\":{\"type\":\"string\",\"description\":\"approved, rejected, declined, "
		"cancelled, no_answer, unsupported (the client cannot ask), not_accepted_by_policy, "
		"...\"},"
		"\"howToApprove\":{\"type\":\"string\"}},"
		"\"required\":[" PLAN_REQUIRED ",\"elicitation\",\"howToApprove\"]}",
		0,
	},
	{
		"apply_plan",
		"Apply a plan",
		"Run a plan against AWS, exactly as planned and at most once. Refused unless the plan "
		"is Planned (no approval needed) or Approved and unexpired, its digest is unchanged, "
		"and the policy in the current catalog still allows it; a refusal says why (expired, "
		"digest_changed, already_applied, policy_denies, channel_not_accepted, ...). Returns "
		"the plan with applied: true and the operation's output, or the AWS error. Every "
		"attempt, retry and outcome goes to the audit log.",
		"{\"type\":\"object\",\"properties\":{" PLAN_ID_ARG "},"
		"\"required\":[\"plan_id\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{" PLAN_PROPS ","
		"\"applied\":{\"type\":\"boolean\"},"
		"\"output\":{\"type\":\"object\",\"description\":\"The operation's output.\"}},"
		"\"required\":[" PLAN_REQUIRED ",\"applied\",\"output\"]}",
		RT_TOOL_DESTRUCTIVE | RT_TOOL_OPEN_WORLD,
	},
	{
		"read_operation",
		"Run an AWS read",
		"Plan and apply in one step, for read operations the policy allows without approval "
		"(Describe*, List*, Get*, ...): the input is validated, the policy decides, and the "
		"plan, the decision and the call are audited like any apply. Returns the plan with "
		"applied: true and the operation's output. Writes, and reads that are denied or need "
		"approval, are refused: use plan_operation and apply_plan for those.",
		"{\"type\":\"object\",\"properties\":{" CALL_ARGS ","
		"\"max_pages\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,"
		"\"description\":\"For paginated reads: fetch up to this many pages and merge "
		"their items (default 1).\"}},"
		"\"required\":[\"service\",\"operation\",\"input\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{" PLAN_PROPS ","
		"\"applied\":{\"type\":\"boolean\"},"
		"\"output\":{\"type\":\"object\"}},"
		"\"required\":[" PLAN_REQUIRED ",\"applied\",\"output\"]}",
		RT_TOOL_READONLY | RT_TOOL_OPEN_WORLD,
	},
	{
		"get_plan",
		"Show a plan",
		"Show one plan: its state (Planned, AwaitingApproval, Approved, Applied, ...), the "
		"caller's profile, region and account, the input as stored (sensitive members "
		"redacted), the policy decision with its rules, the digest approvals are bound to, "
		"the approval request, grants or rejection, the apply outcome, and nextStep: what to "
		"do next. A plan whose approval window passed is shown Expired.",
		"{\"type\":\"object\",\"properties\":{" PLAN_ID_ARG "},"
		"\"required\":[\"plan_id\"],\"additionalProperties\":false}",
		PLAN_SCHEMA,
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
	{
		"list_plans",
		"List plans",
		"List plans with their id, state, call, risk, decision and approval summary: those "
		"waiting for something first (AwaitingApproval, Approved, Planned, Applying), then "
		"the finished ones (Applied, ApplyFailed, Rejected, Expired, Denied, Failed), newest "
		"first within each state. Filter with state; limit caps the count (default 20).",
		"{\"type\":\"object\",\"properties\":{"
		"\"state\":{\"type\":\"string\",\"enum\":" STATES "},"
		"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"default\":20}},"
		"\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{"
		"\"count\":{\"type\":\"integer\"},"
		"\"plans\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
		"\"planId\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"},"
		"\"service\":{\"type\":\"string\"},\"operation\":{\"type\":\"string\"}},"
		"\"required\":[\"planId\",\"state\",\"service\",\"operation\"]}}},"
		"\"required\":[\"count\",\"plans\"]}",
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
	{
		"query_audit",
		"Read the audit log",
		"Audit records, oldest first: every plan, decision, approval request, prompt, grant, "
		"rejection, expiry, refused apply, apply start, retry and outcome, each with its "
		"seq, time, kind, txId, opId, planId, hash chain and payload (sensitive members "
		"redacted). Filter by plan_id or tx_id, and/or since (RFC 3339 time).",
		"{\"type\":\"object\",\"properties\":{" PLAN_ID_ARG ","
		"\"tx_id\":{\"type\":\"string\",\"minLength\":26,\"maxLength\":26,"
		"\"description\":\"A transaction id (txId of a record).\"},"
		"\"since\":{\"type\":\"string\",\"description\":\"Only records at or after this time "
		"(RFC 3339, e.g. 2026-07-28T10:00:00Z).\"},"
		"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":500,\"default\":50}},"
		"\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{"
		"\"count\":{\"type\":\"integer\"},"
		"\"records\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
		"\"seq\":{\"type\":\"integer\"},\"time\":{\"type\":\"string\"},"
		"\"kind\":{\"type\":\"string\"},\"txId\":{\"type\":\"string\"},"
		"\"opId\":{\"type\":\"string\"},\"planId\":{\"type\":[\"string\",\"null\"]},"
		"\"prev\":{\"type\":\"string\"},\"hash\":{\"type\":\"string\"},"
		"\"payload\":{\"type\":\"object\"}},"
		"\"required\":[\"seq\",\"time\",\"kind\",\"txId\",\"opId\",\"payload\"]}}},"
		"\"required\":[\"count\",\"records\"]}",
		RT_TOOL_READONLY | RT_TOOL_IDEMPOTENT,
	},
	{
		"diff_plan",
		"Diff a plan against the live state",
		"Show what a plan would change before it is approved or applied: runs the read "
		"operation the catalog maps the plan's operation to (an audited read, as the plan's "
		"caller, under the policy) and compares, member by member, what the plan sets with "
		"what is there now: changed (old -> new), added, unchanged, not_visible (the read "
		"does not show it), sensitive (never shown). JSON documents such as policies compare "
		"parsed. A create says whether the resource already exists; a delete lists what would "
		"be removed; CloudFormation stacks diff through a change set. An operation without a "
		"mapping gives status no_mapping, a failed read status read_failed: neither blocks "
		"approval. The result is kept with the plan (get_plan shows it) and audited.",
		"{\"type\":\"object\",\"properties\":{" PLAN_ID_ARG "},"
		"\"required\":[\"plan_id\"],\"additionalProperties\":false}",
		DIFF_SCHEMA,
		RT_TOOL_READONLY | RT_TOOL_OPEN_WORLD,
	},
	{
		"deploy_stack",
		"Plan a CloudFormation deployment",
		"Plan deploying a CloudFormation stack from a template, parameters, tags and "
		"capabilities: DescribeStacks tells whether the stack exists, so the plan is a "
		"CreateStack or an UpdateStack (made like plan_operation: validated, decided by the "
		"policy, stored with a digest); when it is Planned it is diffed at once by creating a "
		"change set and describing it. Returns the plan and the diff: every resource to add, "
		"modify (with replacement True, False or Conditional and the properties causing it) "
		"or remove, exactly as CloudFormation describes the change set. Nothing is deployed "
		"yet: then request_approval when approvalRequired, and apply_plan, which executes "
		"this change set and follows the stack's events (progress per event); when it "
		"fails, the failed events and their reasons come back: repair the template and "
		"deploy_stack again.",
		RT_CFN_DEPLOY_INPUT_SCHEMA,
		RT_CFN_DEPLOY_OUTPUT_SCHEMA,
		RT_TOOL_OPEN_WORLD,
	},
};

size_t rt_plan_tools_count(void)
{
	return sizeof plan_tools / sizeof plan_tools[0];
}

const rt_tool_def *rt_plan_tools_get(size_t i)
{
	return i < rt_plan_tools_count() ? &plan_tools[i] : NULL;
}

/* ---- arguments --------------------------------------------------------- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s)
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static char *unknown_arg(const char *tool, const cJSON *args, const char *const *allowed)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, args) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (a->string && strcmp(a->string, allowed[i]) == 0)
				break;
		if (allowed[i])
			continue;
		char list[200] = "", what[64];
		for (i = 0; allowed[i]; i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", allowed[i]);
		}
		snprintf(what, sizeof what, "%.40s", a->string ? a->string : "");
		for (char *s = what; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == '"')
				*s = '?';
		return fmt("%s has no argument \"%s\"; its arguments are: %s.", tool, what, list);
	}
	return NULL;
}

/* A string argument: its value; NULL with *ERR set when it is required and
 * missing or not a non-empty string, NULL with *ERR NULL when absent. */
static const char *str_arg(const char *tool, const cJSON *args, const char *key, int required,
                           size_t maxlen, char **err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	*err = NULL;
	if (!v) {
		if (required)
			*err = fmt("%s needs \"%s\".", tool, key);
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring || !v->valuestring[0] ||
	    strlen(v->valuestring) > maxlen) {
		*err = fmt("%s: \"%s\" must be a non-empty string of at most %zu bytes.", tool, key,
		           maxlen);
		return NULL;
	}
	return v->valuestring;
}

static int int_arg(const char *tool, const cJSON *args, const char *key, long lo, long hi,
                   long def, long *out, char **err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	*out = def;
	if (!v)
		return 0;
	double d = cJSON_IsNumber(v) ? v->valuedouble : -1e300;
	if (!(d >= (double)lo && d <= (double)hi && d == floor(d))) {
		*err = fmt("%s: \"%s\" must be an integer from %ld to %ld.", tool, key, lo, hi);
		return -1;
	}
	*out = (long)d;
	return 0;
}

/* ---- calls ------------------------------------------------------------- */

static int open_plans(rt_tools *t, rt_tool_result *out)
{
	if (t->plans)
		return 0;
	char err[512];
	if (!t->policy) {
		/* shared with describe_operation's decisions */
		int rc = rt_policy_open(&t->policy, t->cat, 0, err, sizeof err);
		if (rc == AL_ENOMEM)
			return rc;
		if (rc)
			t->policy = NULL; /* rt_plans says why when it needs it */
	}
	rt_plans_config cfg = { t->cat, t->policy, NULL, "mcp" };
	int rc = rt_plans_open(&t->plans, &cfg, err, sizeof err);
	if (rc == AL_ENOMEM)
		return rc;
	if (rc) {
		t->plans = NULL;
		out->error = fmt("the plan store cannot be used (%s): %s. Nothing can be planned, "
		                 "approved or applied until it can (fail closed).", al_strerror(rc), err);
		return out->error ? 0 : AL_ENOMEM;
	}
	return 0;
}

/* Moves a rt_plan_out into the tool result. */
static int take(const char *tool, rt_plan_out *o, rt_tool_result *out)
{
	if (o->error) {
		if (strcmp(o->code, "failed") == 0 || !o->code[0])
			out->error = fmt("%s: %s", tool, o->error);
		else
			out->error = fmt("%s refused (%s): %s", tool, o->code, o->error);
		rt_plan_out_free(o);
		return out->error ? 0 : AL_ENOMEM;
	}
	out->structured = o->result;
	out->input_required = o->input_required;
	o->result = o->input_required = NULL;
	return out->structured || out->input_required ? 0 : AL_ENOMEM;
}

static int call_request(const char *tool, const cJSON *args, rt_plan_request *rq,
                        rt_tool_result *out)
{
	static const char *const allowed[] = { "service", "operation", "input", "region",
	                                       "profile", "dry_run", NULL };
	static const char *const allowed_read[] = { "service", "operation", "input", "region",
	                                            "profile", "max_pages", NULL };
	int is_read = strcmp(tool, "read_operation") == 0;
	memset(rq, 0, sizeof *rq);
	if ((out->error = unknown_arg(tool, args, is_read ? allowed_read : allowed)))
		return -1;
	const cJSON *mp = cJSON_GetObjectItemCaseSensitive(args, "max_pages");
	if (is_read && mp) {
		if (!cJSON_IsNumber(mp) || mp->valuedouble != (double)(int)mp->valuedouble ||
		    mp->valuedouble < 1 || mp->valuedouble > RT_PLAN_MAX_PAGES) {
			out->error = fmt("%s: \"max_pages\" must be an integer from 1 to %d.", tool,
			                 RT_PLAN_MAX_PAGES);
			return -1;
		}
		rq->max_pages = (int)mp->valuedouble;
	}
	if (!(rq->service = str_arg(tool, args, "service", 1, 256, &out->error)) ||
	    !(rq->operation = str_arg(tool, args, "operation", 1, 256, &out->error)))
		return -1;
	rq->input = cJSON_GetObjectItemCaseSensitive(args, "input");
	if (!cJSON_IsObject(rq->input)) {
		out->error = fmt("%s needs \"input\": the operation's input object ({} for none).", tool);
		return -1;
	}
	rq->region = str_arg(tool, args, "region", 0, 64, &out->error);
	if (out->error)
		return -1;
	rq->profile = str_arg(tool, args, "profile", 0, 128, &out->error);
	if (out->error)
		return -1;
	const cJSON *dr = cJSON_GetObjectItemCaseSensitive(args, "dry_run");
	if (dr && !cJSON_IsBool(dr)) {
		out->error = fmt("%s: \"dry_run\" must be true or false.", tool);
		return -1;
	}
	return 0;
}

/* diff_plan's progress and cancel through the MCP server's hooks. */
typedef struct diff_hooks {
	rt_tools *t;
	rt_tools_cancel_fn cancel;
	void *ctx;
} diff_hooks;

static int diff_progress(void *ud, double done, const char *message)
{
	diff_hooks *h = ud;
	if (h->t->step_progress)
		return h->t->step_progress(h->t->step_progress_ud, done, message);
	return h->cancel ? h->cancel(h->ctx) : 0;
}

static int diff_cancel(void *ud)
{
	diff_hooks *h = ud;
	return h->cancel ? h->cancel(h->ctx) : 0;
}

int rt_plan_tools_call(rt_tools *t, const char *name, const cJSON *args, rt_tool_result *out,
                       rt_tools_cancel_fn cancel, void *ctx)
{
	int rc = open_plans(t, out);
	if (rc || out->error)
		return rc;
	if (cancel && cancel(ctx))
		return AL_ECANCELED;
	rt_id tx;
	rt_id_new(&tx, rt_now_ms());
	rt_plan_out o;
	memset(&o, 0, sizeof o);
	rt_plan_request rq;
	if (strcmp(name, "plan_operation") == 0 || strcmp(name, "read_operation") == 0) {
		if (call_request(name, args, &rq, out) != 0)
			return out->error ? 0 : AL_ENOMEM;
		rq.progress = t->page_progress;
		rq.progress_ud = t->page_progress_ud;
		rc = name[0] == 'p' ? rt_plans_create(t->plans, &rq, &tx, &o)
		                    : rt_plans_read(t->plans, &rq, &tx, &o);
		/* EC2: the DryRun check of a plan that was made (rt_diff.h) */
		const char *st = o.result ? cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(o.result, "state")) : NULL;
		const char *pid = o.result ? cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(o.result, "planId")) : NULL;
		if (!rc && name[0] == 'p' && st && pid && strcmp(st, "Planned") == 0 &&
		    !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(args, "dry_run"))) {
			cJSON *dry = NULL;
			rc = rt_dryrun_plan(t->plans, pid, &tx, &dry);
			if (!rc && dry)
				cJSON_AddItemToObject(o.result, "dryRun", dry);
			else if (rc && rc != AL_ENOMEM) {
				/* the plan stands; the check could not be kept */
				cJSON_Delete(dry);
				rc = 0;
			}
		}
	} else if (strcmp(name, "diff_plan") == 0) {
		static const char *const allowed[] = { "plan_id", NULL };
		const char *id;
		if ((out->error = unknown_arg(name, args, allowed)) ||
		    !(id = str_arg(name, args, "plan_id", 1, 26, &out->error)))
			return out->error ? 0 : AL_ENOMEM;
		diff_hooks h = { t, cancel, ctx };
		rt_diff_opts dopts = { &tx, diff_progress, diff_cancel, &h, 0 };
		rc = rt_diff_plan(t->plans, id, &dopts, &o);
	} else if (strcmp(name, "request_approval") == 0) {
		static const char *const allowed[] = { "plan_id", "justification", NULL };
		const char *id, *just;
		if ((out->error = unknown_arg(name, args, allowed)) ||
		    !(id = str_arg(name, args, "plan_id", 1, 26, &out->error)) ||
		    !(just = str_arg(name, args, "justification", 1, 1000, &out->error)))
			return out->error ? 0 : AL_ENOMEM;
		rc = rt_approve_request(t->plans, id, just, t->elicit, &tx, &o);
	} else if (strcmp(name, "apply_plan") == 0 || strcmp(name, "get_plan") == 0) {
		static const char *const allowed[] = { "plan_id", NULL };
		const char *id;
		if ((out->error = unknown_arg(name, args, allowed)) ||
		    !(id = str_arg(name, args, "plan_id", 1, 26, &out->error)))
			return out->error ? 0 : AL_ENOMEM;
		/* a CloudFormation apply follows its stack: progress per event */
		diff_hooks h = { t, cancel, ctx };
		rt_apply_opts ao = { diff_progress, diff_cancel, &h };
		rc = name[0] == 'a' ? rt_plans_apply_opts(t->plans, id, &tx, &ao, &o)
		                    : rt_plans_get(t->plans, id, &tx, &o);
	} else if (strcmp(name, "deploy_stack") == 0) {
		static const char *const allowed[] = { "stack_name", "template_body", "template_url",
		                                       "parameters", "tags", "capabilities", "region",
		                                       "profile", NULL };
		rt_cfn_deploy_req dq;
		memset(&dq, 0, sizeof dq);
		if ((out->error = unknown_arg(name, args, allowed)) ||
		    !(dq.stack_name = str_arg(name, args, "stack_name", 1, 128, &out->error)))
			return out->error ? 0 : AL_ENOMEM;
		dq.template_body = str_arg(name, args, "template_body", 0, 1u << 20, &out->error);
		if (!out->error)
			dq.template_url = str_arg(name, args, "template_url", 0, 1024, &out->error);
		if (!out->error)
			dq.region = str_arg(name, args, "region", 0, 64, &out->error);
		if (!out->error)
			dq.profile = str_arg(name, args, "profile", 0, 128, &out->error);
		if (out->error)
			return 0;
		dq.parameters = cJSON_GetObjectItemCaseSensitive(args, "parameters");
		dq.tags = cJSON_GetObjectItemCaseSensitive(args, "tags");
		dq.capabilities = cJSON_GetObjectItemCaseSensitive(args, "capabilities");
		const cJSON *cap;
		int bad = dq.capabilities && !cJSON_IsArray(dq.capabilities);
		cJSON_ArrayForEach(cap, dq.capabilities)
			bad |= !cJSON_IsString(cap);
		if (bad) {
			out->error = fmt("deploy_stack: \"capabilities\" must be an array of strings "
			                 "(CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND).");
			return out->error ? 0 : AL_ENOMEM;
		}
		diff_hooks h = { t, cancel, ctx };
		rt_diff_opts dopts = { &tx, diff_progress, diff_cancel, &h, 0 };
		rc = rt_cfn_deploy(t->plans, &dq, &dopts, &o);
	} else if (strcmp(name, "list_plans") == 0) {
		static const char *const allowed[] = { "state", "limit", NULL };
		long limit;
		if ((out->error = unknown_arg(name, args, allowed)))
			return 0;
		const char *st = str_arg(name, args, "state", 0, 32, &out->error);
		if (out->error)
			return 0;
		int state = st ? rt_plan_state_find(st) : 0;
		if (st && !state) {
			out->error = fmt("list_plans: \"state\" must be one of Planned, Failed, Denied, "
			                 "AwaitingApproval, Approved, Rejected, Expired, Applying, Applied, "
			                 "ApplyFailed.");
			return out->error ? 0 : AL_ENOMEM;
		}
		if (int_arg(name, args, "limit", 1, 200, 20, &limit, &out->error) != 0)
			return out->error ? 0 : AL_ENOMEM;
		rc = rt_plans_list(t->plans, state, (size_t)limit, &tx, &o);
	} else if (strcmp(name, "query_audit") == 0) {
		static const char *const allowed[] = { "plan_id", "tx_id", "since", "limit", NULL };
		long limit;
		if ((out->error = unknown_arg(name, args, allowed)))
			return 0;
		const char *pid = str_arg(name, args, "plan_id", 0, 26, &out->error);
		const char *tid = out->error ? NULL : str_arg(name, args, "tx_id", 0, 26, &out->error);
		const char *since = out->error ? NULL : str_arg(name, args, "since", 0, 64, &out->error);
		if (out->error)
			return 0;
		if (int_arg(name, args, "limit", 1, 500, 50, &limit, &out->error) != 0)
			return out->error ? 0 : AL_ENOMEM;
		rt_id plan, txid;
		rt_audit_query q = { NULL, NULL, 0, 0, (size_t)limit };
		if (pid && rt_plans_resolve(t->plans, pid, &plan) != 0) {
			out->error = fmt("query_audit: no plan \"%.26s\".", pid);
			return out->error ? 0 : AL_ENOMEM;
		}
		if (tid && rt_id_parse(tid, &txid) != 0) {
			out->error = fmt("query_audit: \"tx_id\" must be a 26-character id (txId of a "
			                 "record).");
			return out->error ? 0 : AL_ENOMEM;
		}
		if (since && rt_time_parse(since, &q.since) != 0) {
			out->error = fmt("query_audit: \"since\" must be an RFC 3339 time such as "
			                 "2026-07-28T10:00:00Z.");
			return out->error ? 0 : AL_ENOMEM;
		}
		q.plan = pid ? &plan : NULL;
		q.tx = tid ? &txid : NULL;
		cJSON *arr = NULL;
		rc = rt_audit_query_run(rt_plans_store(t->plans), &q, &arr);
		if (rc == AL_ENOMEM)
			return rc;
		if (rc) {
			out->error = fmt("query_audit: the audit log cannot be read: %s (%s)",
			                 al_strerror(rc), rt_store_errmsg(rt_plans_store(t->plans)));
			return out->error ? 0 : AL_ENOMEM;
		}
		cJSON *res = cJSON_CreateObject();
		if (!res || !cJSON_AddNumberToObject(res, "count", cJSON_GetArraySize(arr))) {
			cJSON_Delete(res);
			cJSON_Delete(arr);
			return AL_ENOMEM;
		}
		cJSON_AddItemToObject(res, "records", arr);
		out->structured = res;
		return 0;
	} else {
		return AL_ENOTFOUND;
	}
	if (rc) {
		rt_plan_out_free(&o);
		return rc;
	}
	return take(name, &o, out);
}

void rt_plan_tools_fini(rt_tools *t)
{
	rt_plans_close(t->plans);
	t->plans = NULL;
}
