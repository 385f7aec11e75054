/*
 * rt_cfn.c -- CloudFormation plans through change sets (see rt_cfn.h).
 *
 * Everything here is a sequence of cloudformation calls made through the
 * plans' executor on one plan's behalf (struct cfn carries the plan, its
 * caller's profile and region, the audit transaction and the purpose), each
 * audited as a "call" record.  Nothing here parses AWS's bytes: the inputs
 * and outputs are rt_exec's objects (member names as in the model).
 *
 * Bounds: waiting for a change set, at most CS_WAIT_S seconds; following a
 * stack, RT_CFN_FOLLOW_MAX_S (or $AIRLOCK_CFN_TIMEOUT); DescribeChangeSet
 * and ListStackResources, at most MAX_PAGES pages; DescribeStackEvents,
 * at most EVENT_PAGES pages per poll (newest first, stopping at the newest
 * event already seen); at most MAX_EVENTS events are kept.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alc_err.h"
#include "rt_json.h"
#include "rt_audit.h"
#include "rt_cfn.h"
#include "rt_policy.h"

#define CS_WAIT_S 600
#define MAX_PAGES 100
#define EVENT_PAGES 20
#define MAX_EVENTS 5000

/* ---- small JSON helpers ------------------------------------------------- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* O[K] = V (taking V; replaces).  0 or AL_ENOMEM. */
static int jput(cJSON *o, const char *k, cJSON *v)
{
	if (!v || !o)
		return (cJSON_Delete(v), AL_ENOMEM);
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v) ? 0 : AL_ENOMEM;
	return cJSON_AddItemToObject(o, k, v) ? 0 : AL_ENOMEM;
}

/* A copy of O[K] as it is, or null when absent. */
static cJSON *jcopy(const cJSON *o, const char *k)
{
	const cJSON *v = o ? jget(o, k) : NULL;
	return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

static cJSON *now_json(void)
{
	char t[RT_TIME_TEXT];
	rt_time_str(rt_now_ms(), t);
	return cJSON_CreateString(t);
}

/* {code, message} (printf). */
static cJSON *mkerr(const char *code, const char *f, ...) __attribute__((format(printf, 2, 3)));
static cJSON *mkerr(const char *code, const char *f, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, f);
	vsnprintf(msg, sizeof msg, f, ap);
	va_end(ap);
	cJSON *e = cJSON_CreateObject();
	if (e && (!cJSON_AddStringToObject(e, "code", code) ||
	          !cJSON_AddStringToObject(e, "message", msg))) {
		cJSON_Delete(e);
		return NULL;
	}
	return e;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* ---- which plans -------------------------------------------------------- */

static const char *op_name(const alc_catalog *cat, const alc_operation *op)
{
	return alc_str(cat, op->name);
}

static int is_cfn_service(const alc_catalog *cat, const alc_operation *op)
{
	if (!cat || !op || op->service >= cat->nsvcs)
		return 0;
	return strcmp(alc_str(cat, cat->svcs[op->service].key), "cloudformation") == 0;
}

int rt_cfn_handles(const alc_catalog *cat, const alc_operation *op)
{
	if (!is_cfn_service(cat, op))
		return 0;
	const char *n = op_name(cat, op);
	return strcmp(n, "CreateStack") == 0 || strcmp(n, "UpdateStack") == 0 ||
	       strcmp(n, "DeleteStack") == 0;
}

/* ---- calls on a plan's behalf ------------------------------------------- */

typedef struct cfn {
	rt_plans *p;
	const alc_catalog *cat;
	rt_id plan;
	char planid[RT_ID_TEXT];
	const rt_id *tx;
	char region[64], profile[128];
	int has_region;
	const char *purpose;         /* "diff", "apply", "cleanup" */
	int (*progress)(void *ud, double done, const char *message);
	int (*cancel)(void *ud);
	void *ud;
	int notes;                   /* progress notes sent */
	int stopped;                 /* progress / cancel asked to stop */
	/* DescribeStackEvents while following: the newest event already
	 * recorded, so that the audit keeps only what is new ("" or NULL:
	 * everything) */
	const char *events_seen;
	/* the last call */
	int attempts;
	char request_id[128];
} cfn;

static void cfn_init(cfn *c, rt_plans *p, const rt_id *plan, const rt_id *tx, const cJSON *content,
                     const char *purpose)
{
	memset(c, 0, sizeof *c);
	c->p = p;
	c->cat = rt_plans_catalog(p);
	c->plan = *plan;
	rt_id_str(plan, c->planid);
	c->tx = tx;
	c->purpose = purpose;
	const cJSON *caller = jget(content, "caller");
	const char *r = rt_jstr(caller, "region"), *pr = rt_jstr(caller, "profile");
	c->has_region = r != NULL;
	snprintf(c->region, sizeof c->region, "%s", r ? r : "");
	snprintf(c->profile, sizeof c->profile, "%s", pr ? pr : "");
}

/* A progress note (and a cancel check); 1 when the caller asked to stop. */
static int note(cfn *c, const char *msg)
{
	if (c->progress) {
		c->notes++;
		if (c->progress(c->ud, 1.0 - 1.0 / (c->notes + 1), msg))
			c->stopped = 1;
	}
	if (c->cancel && c->cancel(c->ud))
		c->stopped = 1;
	return c->stopped;
}

/* Sleeps MS, checking cancel every 200 ms; 1 when asked to stop. */
static int nap(cfn *c, long ms)
{
	while (ms > 0 && !c->stopped) {
		long step = ms > 200 ? 200 : ms;
		struct timespec ts = { 0, step * 1000000L };
		nanosleep(&ts, NULL);
		ms -= step;
		if (c->cancel && c->cancel(c->ud))
			c->stopped = 1;
	}
	return c->stopped;
}

typedef struct audit_ctx {
	const rt_id *tx, *plan;
	cJSON *payload;
} audit_ctx;

static int audit_txn(rt_txn *t, void *vc)
{
	audit_ctx *a = vc;
	return rt_audit_append(t, RT_AK_CALL, a->tx, a->plan, a->payload, NULL, NULL);
}

/* The audit record of one call: input and response with sensitive members
 * redacted, a large response in the file store. */
static int audit_call(cfn *c, const alc_operation *op, const cJSON *input,
                      const rt_plan_exec_res *rs)
{
	cJSON *pay = cJSON_CreateObject();
	int ok = pay && cJSON_AddStringToObject(pay, "purpose", c->purpose) &&
	         cJSON_AddStringToObject(pay, "service", "cloudformation") &&
	         cJSON_AddStringToObject(pay, "operation", op_name(c->cat, op)) &&
	         (c->has_region ? cJSON_AddStringToObject(pay, "region", c->region)
	                        : cJSON_AddNullToObject(pay, "region")) &&
	         cJSON_AddStringToObject(pay, "outcome", rs->output ? "succeeded" : "failed") &&
	         cJSON_AddNumberToObject(pay, "attempts", rs->attempts) &&
	         cJSON_AddStringToObject(pay, "requestId", rs->request_id);
	if (ok) {
		cJSON *in = op->input != ALC_NONE ? rt_redact(c->cat, op->input, input, NULL)
		                                  : cJSON_Duplicate(input, 1);
		ok = in && cJSON_AddItemToObject(pay, "input", in) &&
		     rt_audit_offload(rt_plans_store(c->p), pay, "input") == 0;
	}
	if (ok && rs->output) {
		cJSON *out = op->output != ALC_NONE ? rt_redact(c->cat, op->output, rs->output, NULL)
		                                    : cJSON_Duplicate(rs->output, 1);
		/* a poll of the stack's events repeats what earlier polls recorded:
		 * keep the events newer than the last one seen, count the rest */
		cJSON *evs = out && c->events_seen && c->events_seen[0]
		             ? cJSON_GetObjectItemCaseSensitive(out, "StackEvents") : NULL;
		if (cJSON_IsArray(evs)) {
			cJSON *e = evs->child;
			while (e && !(rt_jstr(e, "EventId") && strcmp(rt_jstr(e, "EventId"), c->events_seen) == 0))
				e = e->next;
			int dropped = 0;
			while (e) {
				cJSON *nx = e->next;
				cJSON_Delete(cJSON_DetachItemViaPointer(evs, e));
				dropped++;
				e = nx;
			}
			if (!cJSON_AddNumberToObject(out, "olderEventsNotRepeated", dropped)) {
				cJSON_Delete(out);
				out = NULL;
			}
		}
		ok = out && cJSON_AddItemToObject(pay, "response", out) &&
		     rt_audit_offload(rt_plans_store(c->p), pay, "response") == 0;
	} else if (ok) {
		cJSON *e = rs->error ? cJSON_Duplicate(rs->error, 1) : cJSON_CreateObject();
		ok = e && cJSON_AddItemToObject(pay, "error", e);
	}
	if (!ok) {
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	audit_ctx a = { c->tx, &c->plan, pay };
	int rc = rt_store_update(rt_plans_store(c->p), audit_txn, &a);
	cJSON_Delete(pay);
	return rc;
}

/* Runs cloudformation OPNAME with INPUT.  Returns 0 with exactly one of
 * *OUT (the output) and *ERR ({code, message, ...}) set; or AL_ENOMEM, or
 * the store's error when the call could not be audited, with neither set
 * (the caller stops). */
static int cfn_call(cfn *c, const char *opname, const cJSON *input, cJSON **out, cJSON **err)
{
	*out = *err = NULL;
	const alc_operation *op = alc_find_operation(c->cat, "cloudformation", 14, opname,
	                                             strlen(opname));
	if (!op) {
		*err = mkerr("ClientError", "the catalog has no cloudformation %s operation", opname);
		return *err ? 0 : AL_ENOMEM;
	}
	rt_plan_exec_req rq = { c->cat, op, input, c->has_region ? c->region : NULL,
	                        c->profile[0] ? c->profile : NULL, 0, NULL, NULL };
	rt_plan_exec_res rs;
	memset(&rs, 0, sizeof rs);
	rs.attempts = 1;
	int rc = rt_plans_execute(&rq, &rs);
	if (rc && !rs.output && !rs.error)
		rs.error = mkerr("ClientError", "%s could not run: %s", opname, al_strerror(rc));
	if (rs.output && rs.error) {
		cJSON_Delete(rs.output);
		rs.output = NULL;
	}
	if (!rs.output && !rs.error)
		return AL_ENOMEM;
	c->attempts = rs.attempts;
	snprintf(c->request_id, sizeof c->request_id, "%s", rs.request_id);
	rc = audit_call(c, op, input, &rs);
	if (rc) {
		/* a call that cannot be audited stops everything (fail closed) */
		cJSON_Delete(rs.output);
		cJSON_Delete(rs.error);
		return rc;
	}
	*out = rs.output;
	*err = rs.error;
	return 0;
}

/* "code: message" of an error object, into BUF. */
static const char *err_text(const cJSON *e, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s: %s", rt_jstr(e, "code") ? rt_jstr(e, "code") : "Error",
	         rt_jstr(e, "message") ? rt_jstr(e, "message") : "no message");
	return buf;
}

/* ---- the plan's status ------------------------------------------------- */

typedef struct copy_ctx {
	rt_plan *out;
} copy_ctx;

static int copy_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	(void)t;
	copy_ctx *c = vc;
	rt_plan_free(c->out);
	*c->out = *pl;
	c->out->content = cJSON_Duplicate(pl->content, 1);
	c->out->status = cJSON_Duplicate(pl->status, 1);
	c->out->dirty = 0;
	return c->out->content && c->out->status ? 0 : AL_ENOMEM;
}

/* A copy of plan ID as stored (after expiring it when due). */
static int load_plan(rt_plans *p, const rt_id *id, const rt_id *tx, rt_plan *out)
{
	memset(out, 0, sizeof *out);
	copy_ctx c = { out };
	int rc = rt_plans_modify(p, id, tx, copy_fn, &c);
	if (rc)
		rt_plan_free(out);
	return rc;
}

typedef struct patch_ctx {
	const cJSON *patch;          /* members to set in status.changeSet */
	int fresh;                   /* replace the whole object */
} patch_ctx;

static int patch_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	(void)t;
	patch_ctx *c = vc;
	cJSON *cs = cJSON_GetObjectItemCaseSensitive(pl->status, "changeSet");
	if (c->fresh || !cJSON_IsObject(cs)) {
		cs = cJSON_CreateObject();
		if (jput(pl->status, "changeSet", cs) != 0)
			return AL_ENOMEM;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, c->patch) {
		if (jput(cs, m->string, cJSON_Duplicate(m, 1)) != 0)
			return AL_ENOMEM;
	}
	pl->dirty = 1;
	return 0;
}

/* Sets PATCH's members in plan ID's status.changeSet (FRESH: replaces it). */
static int patch_status(cfn *c, const cJSON *patch, int fresh)
{
	patch_ctx pc = { patch, fresh };
	return rt_plans_modify(c->p, &c->plan, c->tx, patch_fn, &pc);
}

static int patch_str(cfn *c, const char *k, const char *v)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !(v ? cJSON_AddStringToObject(o, k, v) != NULL
	                : cJSON_AddItemToObject(o, k, now_json()) != 0)) {
		cJSON_Delete(o);
		return AL_ENOMEM;
	}
	int rc = patch_status(c, o, 0);
	cJSON_Delete(o);
	return rc;
}

/* ---- results ----------------------------------------------------------- */

/* A result of rt_diff.h's shape for PL. */
static cJSON *result_new(const rt_plan *pl, const char *kind, const char *status)
{
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	cJSON *r = cJSON_CreateObject(), *s = NULL;
	int ok = r && cJSON_AddStringToObject(r, "planId", id) &&
	         cJSON_AddStringToObject(r, "service", rt_jstr(pl->content, "service")
	                                               ? rt_jstr(pl->content, "service") : "") &&
	         cJSON_AddStringToObject(r, "operation", rt_jstr(pl->content, "operation")
	                                                 ? rt_jstr(pl->content, "operation") : "") &&
	         cJSON_AddStringToObject(r, "kind", kind) &&
	         cJSON_AddStringToObject(r, "status", status) &&
	         cJSON_AddItemToObject(r, "computedAt", now_json()) &&
	         cJSON_AddNullToObject(r, "exists") &&
	         (s = cJSON_AddObjectToObject(r, "summary")) != NULL &&
	         cJSON_AddNumberToObject(s, "changed", 0) && cJSON_AddNumberToObject(s, "added", 0) &&
	         cJSON_AddNumberToObject(s, "removed", 0) &&
	         cJSON_AddNumberToObject(s, "unchanged", 0) &&
	         cJSON_AddNumberToObject(s, "notVisible", 0) &&
	         cJSON_AddNumberToObject(s, "sensitive", 0) &&
	         cJSON_AddArrayToObject(r, "changes") != NULL;
	if (!ok) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static void count(cJSON *result, const char *k)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(result, "summary");
	cJSON *n = cJSON_GetObjectItemCaseSensitive(s, k);
	if (cJSON_IsNumber(n))
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else if (s)
		cJSON_AddNumberToObject(s, k, 1);
}

static int set_message(cJSON *result, const char *f, ...) __attribute__((format(printf, 2, 3)));
static int set_message(cJSON *result, const char *f, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, f);
	vsnprintf(msg, sizeof msg, f, ap);
	va_end(ap);
	return jput(result, "message", cJSON_CreateString(msg));
}

/* A "read_failed" result with ERROR (taken). */
static int result_failed(cJSON *result, cJSON *error, const char *what)
{
	char buf[600];
	int rc = jput(result, "status", cJSON_CreateString("read_failed"));
	if (!rc)
		rc = set_message(result, "%s failed: %s", what, err_text(error, buf, sizeof buf));
	if (!rc)
		rc = jput(result, "error", error);
	else
		cJSON_Delete(error);
	return rc;
}

/* One ResourceChange as the changeSet shows it (rt_cfn.h). */
static cJSON *change_json(const cJSON *change)
{
	const cJSON *rc = jget(change, "ResourceChange");
	cJSON *c = cJSON_CreateObject();
	if (!c)
		return NULL;
	int ok = jput(c, "type", jcopy(change, "Type")) == 0 &&
	         jput(c, "action", jcopy(rc, "Action")) == 0 &&
	         jput(c, "logicalId", jcopy(rc, "LogicalResourceId")) == 0 &&
	         jput(c, "physicalId", jcopy(rc, "PhysicalResourceId")) == 0 &&
	         jput(c, "resourceType", jcopy(rc, "ResourceType")) == 0 &&
	         jput(c, "replacement", jcopy(rc, "Replacement")) == 0;
	const cJSON *scope = jget(rc, "Scope");
	if (ok)
		ok = jput(c, "scope", cJSON_IsArray(scope) ? cJSON_Duplicate(scope, 1)
		                                           : cJSON_CreateArray()) == 0;
	cJSON *details = ok ? cJSON_AddArrayToObject(c, "details") : NULL;
	ok = details != NULL;
	const cJSON *d;
	cJSON_ArrayForEach(d, jget(rc, "Details")) {
		if (!ok)
			break;
		const cJSON *tg = jget(d, "Target");
		cJSON *x = cJSON_CreateObject(), *t = cJSON_CreateObject();
		ok = x && t && jput(t, "attribute", jcopy(tg, "Attribute")) == 0 &&
		     jput(t, "name", jcopy(tg, "Name")) == 0 &&
		     jput(t, "requiresRecreation", jcopy(tg, "RequiresRecreation")) == 0;
		/* the newer members, when the service sends them */
		static const char *const extra[][2] = { { "Path", "path" },
		                                        { "BeforeValue", "beforeValue" },
		                                        { "AfterValue", "afterValue" },
		                                        { "AttributeChangeType", "attributeChangeType" } };
		for (size_t i = 0; ok && i < sizeof extra / sizeof extra[0]; i++)
			if (jget(tg, extra[i][0]))
				ok = jput(t, extra[i][1], jcopy(tg, extra[i][0])) == 0;
		if (ok) {
			cJSON_AddItemToObject(x, "target", t);
			t = NULL;
			ok = jput(x, "evaluation", jcopy(d, "Evaluation")) == 0 &&
			     jput(x, "changeSource", jcopy(d, "ChangeSource")) == 0 &&
			     jput(x, "causingEntity", jcopy(d, "CausingEntity")) == 0;
		}
		cJSON_Delete(t);
		if (x)
			cJSON_AddItemToArray(details, x);
		else
			ok = 0;
	}
	static const char *const more[][2] = { { "PolicyAction", "policyAction" },
	                                       { "ModuleInfo", "moduleInfo" },
	                                       { "ChangeSetId", "nestedChangeSetId" } };
	for (size_t i = 0; ok && i < sizeof more / sizeof more[0]; i++)
		if (jget(rc, more[i][0]))
			ok = jput(c, more[i][1], jcopy(rc, more[i][0])) == 0;
	if (!ok) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

static int no_changes_reason(const char *reason)
{
	return reason && (strstr(reason, "didn't contain changes") ||
	                  strstr(reason, "No updates are to be performed"));
}

int rt_cfn_changeset_result(cJSON *result, const cJSON *d)
{
	cJSON *cs = cJSON_CreateObject();
	int ok = cs && jput(cs, "id", jcopy(d, "ChangeSetId")) == 0 &&
	         jput(cs, "name", jcopy(d, "ChangeSetName")) == 0 &&
	         jput(cs, "stackId", jcopy(d, "StackId")) == 0 &&
	         jput(cs, "stackName", jcopy(d, "StackName")) == 0 &&
	         jput(cs, "status", jcopy(d, "Status")) == 0 &&
	         jput(cs, "statusReason", jcopy(d, "StatusReason")) == 0 &&
	         jput(cs, "executionStatus", jcopy(d, "ExecutionStatus")) == 0;
	cJSON *list = ok ? cJSON_AddArrayToObject(cs, "changes") : NULL;
	if (!list || jput(result, "changeSet", cs) != 0) {
		if (!list)
			cJSON_Delete(cs);
		return AL_ENOMEM;
	}
	cJSON *changes = cJSON_GetObjectItemCaseSensitive(result, "changes");
	if (!cJSON_IsArray(changes)) {
		changes = cJSON_CreateArray();
		if (jput(result, "changes", changes) != 0)
			return AL_ENOMEM;
	}
	int add = 0, mod = 0, rem = 0, rep = 0, cond = 0, other = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, jget(d, "Changes")) {
		cJSON *c = change_json(ch);
		if (!c)
			return AL_ENOMEM;
		cJSON_AddItemToArray(list, c);
		const char *action = rt_jstr(c, "action") ? rt_jstr(c, "action") : "";
		const char *lid = rt_jstr(c, "logicalId") ? rt_jstr(c, "logicalId") : "";
		const char *repl = rt_jstr(c, "replacement");
		const char *op = strcmp(action, "Add") == 0 || strcmp(action, "Import") == 0 ? "added"
		                 : strcmp(action, "Remove") == 0 ? "removed" : "changed";
		char path[600];
		snprintf(path, sizeof path, "/Resources/%s", lid);
		cJSON *e = cJSON_CreateObject();
		int good = e && cJSON_AddStringToObject(e, "path", path) &&
		           cJSON_AddStringToObject(e, "op", op) &&
		           cJSON_AddStringToObject(e, "action", action) &&
		           jput(e, "logicalId", jcopy(c, "logicalId")) == 0 &&
		           jput(e, "resourceType", jcopy(c, "resourceType")) == 0 &&
		           jput(e, "physicalId", jcopy(c, "physicalId")) == 0 &&
		           jput(e, "replacement", jcopy(c, "replacement")) == 0 &&
		           jput(e, "details", jcopy(c, "details")) == 0;
		if (good && strcmp(action, "Import") == 0)
			good = cJSON_AddStringToObject(e, "note", "imported into the stack") != NULL;
		if (good && strcmp(action, "Dynamic") == 0)
			good = cJSON_AddStringToObject(e, "note", "dynamic: CloudFormation decides "
			                               "during execution") != NULL;
		if (!good) {
			cJSON_Delete(e);
			return AL_ENOMEM;
		}
		cJSON_AddItemToArray(changes, e);
		count(result, op);
		if (strcmp(op, "added") == 0)
			add++;
		else if (strcmp(op, "removed") == 0)
			rem++;
		else if (strcmp(action, "Modify") == 0)
			mod++;
		else
			other++;
		if (repl && strcmp(repl, "True") == 0) {
			rep++;
			count(result, "replaced");
		} else if (repl && strcmp(repl, "Conditional") == 0) {
			cond++;
			count(result, "mayBeReplaced");
		}
	}
	const char *status = rt_jstr(d, "Status") ? rt_jstr(d, "Status") : "?";
	const char *reason = rt_jstr(d, "StatusReason");
	const char *name = rt_jstr(d, "ChangeSetName") ? rt_jstr(d, "ChangeSetName") : "?";
	int rc = jput(result, "exists", cJSON_CreateBool(1));
	if (rc)
		return rc;
	if (strcmp(status, "FAILED") == 0 && !no_changes_reason(reason)) {
		cJSON *e = mkerr("ChangeSetFailed", "change set %s FAILED: %s", name,
		                 reason ? reason : "no reason given");
		if (!e)
			return AL_ENOMEM;
		rc = jput(result, "status", cJSON_CreateString("read_failed"));
		if (!rc)
			rc = jput(result, "error", e);
		else
			cJSON_Delete(e);
		return rc ? rc : set_message(result, "The change set %s FAILED: %s", name,
		                             reason ? reason : "no reason given");
	}
	rc = jput(result, "status", cJSON_CreateString("computed"));
	if (rc)
		return rc;
	if (add + mod + rem + other == 0)
		return set_message(result, "Change set %s: no changes%s%s.", name,
		                   reason ? " (" : "", reason ? reason : "");
	char extra[128] = "";
	if (rep && cond)
		snprintf(extra, sizeof extra, " (%d replaced, %d maybe replaced)", rep, cond);
	else if (rep || cond)
		snprintf(extra, sizeof extra, " (%d %s)", rep ? rep : cond,
		         rep ? "replaced" : "maybe replaced");
	return set_message(result, "Change set %s: %d to add, %d to modify%s, %d to remove%s%.0d%s.",
	                   name, add, mod, extra, rem, other ? ", " : "", other,
	                   other ? " dynamic" : "");
}

/* ---- change sets ------------------------------------------------------- */

/* Members of INPUT the change-set path carries to CreateChangeSet (by the
 * catalog: every member CreateChangeSet's input also has), to
 * ExecuteChangeSet, or renamed; the rest are "not carried". */
static const char *const to_execute[] = { "DisableRollback", "RetainExceptOnCreate",
                                          "ClientRequestToken", NULL };
static const char *const not_copied[] = { "StackName", "ChangeSetName", "ChangeSetType",
                                          "ClientToken", "Description", NULL };

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static int shape_has_member(const alc_catalog *cat, uint32_t shape, const char *name)
{
	if (shape == ALC_NONE || shape >= cat->nshapes)
		return 0;
	const alc_shape *s = &cat->shapes[shape];
	for (uint32_t i = 0; i < s->member_count; i++)
		if (strcmp(alc_str(cat, cat->members[s->first_member + i].name), name) == 0)
			return 1;
	return 0;
}

/* The plan's members no change set carries (a new array). */
static cJSON *not_carried(const alc_catalog *cat, const cJSON *input)
{
	const alc_operation *cc = alc_find_operation(cat, "cloudformation", 14, "CreateChangeSet", 15);
	cJSON *arr = cJSON_CreateArray();
	const cJSON *m;
	cJSON_ArrayForEach(m, input) {
		if (!arr)
			break;
		if (!m->string || strcmp(m->string, "OnFailure") == 0 || in_list(to_execute, m->string) ||
		    (cc && shape_has_member(cat, cc->input, m->string)))
			continue;
		cJSON_AddItemToArray(arr, cJSON_CreateString(m->string));
	}
	return arr;
}

/* The CreateChangeSet input for plan input IN. */
static cJSON *changeset_input(const alc_catalog *cat, const cJSON *in, const char *name,
                              const char *type, const char *planid)
{
	const alc_operation *cc = alc_find_operation(cat, "cloudformation", 14, "CreateChangeSet", 15);
	cJSON *x = cJSON_CreateObject();
	char desc[96];
	snprintf(desc, sizeof desc, "airlock plan %s", planid);
	if (!cc || !x || jput(x, "StackName", jcopy(in, "StackName")) != 0 ||
	    !cJSON_AddStringToObject(x, "ChangeSetName", name) ||
	    !cJSON_AddStringToObject(x, "ChangeSetType", type) ||
	    !cJSON_AddStringToObject(x, "Description", desc)) {
		cJSON_Delete(x);
		return NULL;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, in) {
		if (!m->string || in_list(not_copied, m->string))
			continue;
		const char *to = strcmp(m->string, "OnFailure") == 0 ? "OnStackFailure" : m->string;
		if (!shape_has_member(cat, cc->input, to))
			continue;
		if (jput(x, to, cJSON_Duplicate(m, 1)) != 0) {
			cJSON_Delete(x);
			return NULL;
		}
	}
	return x;
}

/* "airlock-<26-char id>-<n>": the plan's id into ID when NAME is one of
 * ours; returns n, or 0. */
static int our_name(const char *name, char id[RT_ID_TEXT])
{
	if (!name || strncmp(name, "airlock-", 8) != 0 || strlen(name) < 8 + 26 + 2 ||
	    name[8 + 26] != '-')
		return 0;
	memcpy(id, name + 8, 26);
	id[26] = '\0';
	const char *n = name + 8 + 27;
	if (!*n || strspn(n, "0123456789") != strlen(n) || strlen(n) > 6)
		return 0;
	return atoi(n);
}

static int delete_changeset(cfn *c, const char *id_or_name, const char *stack)
{
	cJSON *in = cJSON_CreateObject(), *out = NULL, *err = NULL;
	if (!in || !cJSON_AddStringToObject(in, "ChangeSetName", id_or_name) ||
	    (stack && !cJSON_AddStringToObject(in, "StackName", stack))) {
		cJSON_Delete(in);
		return AL_ENOMEM;
	}
	const char *saved = c->purpose;
	c->purpose = "cleanup";
	int rc = cfn_call(c, "DeleteChangeSet", in, &out, &err);
	c->purpose = saved;
	if (err) {
		char buf[600];
		fprintf(stderr, "airlock: plan %s: could not delete change set %s: %s\n", c->planid,
		        id_or_name, err_text(err, buf, sizeof buf));
	}
	cJSON_Delete(in);
	cJSON_Delete(out);
	cJSON_Delete(err);
	return rc == AL_ENOMEM ? rc : 0;
}

typedef struct state_ctx {
	const rt_id *id;
	int state;
} state_ctx;

static int state_txn(rt_txn *t, void *vc)
{
	state_ctx *s = vc;
	rt_slice v;
	int rc = rt_store_get(t, RT_DB_PLANS, s->id->b, 16, &v);
	if (rc)
		return rc;
	rt_plan_rec r;
	if ((rc = rt_plan_decode(v.p, v.n, &r)) != 0)
		return rc;
	s->state = r.state;
	return 0;
}

/* Deletes the "airlock-*" change sets of STACK whose plan this store knows
 * and that are stale: the plan's older ones (n < SEQ), or those of plans
 * that ended or can no longer be applied.  Best effort. */
static int sweep_stack(cfn *c, const char *stack, int seq)
{
	cJSON *in = cJSON_CreateObject(), *out = NULL, *err = NULL;
	if (!in || !cJSON_AddStringToObject(in, "StackName", stack)) {
		cJSON_Delete(in);
		return AL_ENOMEM;
	}
	const char *saved = c->purpose;
	c->purpose = "cleanup";
	int rc = 0;
	for (int page = 0; page < MAX_PAGES && !rc; page++) {
		rc = cfn_call(c, "ListChangeSets", in, &out, &err);
		if (rc || err)
			break;
		const cJSON *s;
		cJSON_ArrayForEach(s, jget(out, "Summaries")) {
			char pid[RT_ID_TEXT];
			const char *name = rt_jstr(s, "ChangeSetName"), *csid = rt_jstr(s, "ChangeSetId");
			const char *ex = rt_jstr(s, "ExecutionStatus");
			int n = our_name(name, pid);
			rt_id id;
			if (!n || !csid || rt_id_parse(pid, &id) != 0)
				continue;
			if (ex && (strcmp(ex, "EXECUTE_IN_PROGRESS") == 0 ||
			           strcmp(ex, "EXECUTE_COMPLETE") == 0))
				continue;
			int stale;
			if (memcmp(id.b, c->plan.b, 16) == 0) {
				stale = n < seq;
			} else {
				state_ctx st = { &id, 0 };
				if (rt_store_view(rt_plans_store(c->p), state_txn, &st) != 0)
					continue; /* not ours to judge */
				stale = rt_plan_state_final(st.state);
			}
			if (stale && (rc = delete_changeset(c, csid, NULL)) != 0)
				break;
		}
		const char *next = rt_jstr(out, "NextToken");
		if (!next || !*next)
			break;
		if (jput(in, "NextToken", cJSON_CreateString(next)) != 0)
			rc = AL_ENOMEM;
		cJSON_Delete(out);
		out = NULL;
	}
	c->purpose = saved;
	cJSON_Delete(in);
	cJSON_Delete(out);
	cJSON_Delete(err);
	return rc == AL_ENOMEM ? rc : 0;
}

/* Creates the plan's next change set (deleting its previous one and the
 * stack's stale ones), waits until it is created or FAILED, and describes
 * it (every page).  *DESC gets the DescribeChangeSet output with all
 * Changes, or *ERR the failure.  Returns 0 or an AL_* code. */
static int make_changeset(cfn *c, const rt_plan *pl, cJSON **desc, cJSON **err)
{
	*desc = *err = NULL;
	const cJSON *in = jget(pl->content, "input");
	const char *opn = rt_jstr(pl->content, "operation");
	const char *stack = rt_jstr(in, "StackName");
	if (!stack || !opn) {
		*err = mkerr("ClientError", "the plan has no StackName");
		return *err ? 0 : AL_ENOMEM;
	}
	const cJSON *prev = jget(pl->status, "changeSet");
	/* the status is not covered by the digest: clamp before converting */
	double last = cJSON_IsNumber(jget(prev, "seq")) ? jget(prev, "seq")->valuedouble : 0;
	int seq = last >= 0 && last < 999999 ? (int)last + 1 : 1;
	/* the previous one of this plan, unless it was executed */
	const char *pid = rt_jstr(prev, "id");
	if (pid && !jget(prev, "executedAt") && !jget(prev, "deletedAt")) {
		int rc = delete_changeset(c, pid, NULL);
		if (rc)
			return rc;
	}
	int update = strcmp(opn, "UpdateStack") == 0;
	if (update) {
		int rc = sweep_stack(c, stack, seq);
		if (rc)
			return rc;
	}
	char name[64];
	snprintf(name, sizeof name, "airlock-%s-%d", c->planid, seq);
	cJSON *x = changeset_input(c->cat, in, name, update ? "UPDATE" : "CREATE", c->planid);
	if (!x)
		return AL_ENOMEM;
	if (note(c, "creating change set")) {
		cJSON_Delete(x);
		return 0;
	}
	cJSON *out = NULL;
	int rc = cfn_call(c, "CreateChangeSet", x, &out, err);
	cJSON_Delete(x);
	if (rc || *err) {
		cJSON_Delete(out);
		return rc;
	}
	const char *csid = rt_jstr(out, "Id");
	cJSON *patch = cJSON_CreateObject();
	int ok = patch && csid && cJSON_AddStringToObject(patch, "id", csid) &&
	         cJSON_AddStringToObject(patch, "name", name) &&
	         jput(patch, "stackId", jcopy(out, "StackId")) == 0 &&
	         cJSON_AddStringToObject(patch, "stackName", stack) &&
	         cJSON_AddStringToObject(patch, "type", update ? "UPDATE" : "CREATE") &&
	         cJSON_AddNumberToObject(patch, "seq", seq) &&
	         cJSON_AddItemToObject(patch, "createdAt", now_json()) &&
	         cJSON_AddStringToObject(patch, "purpose", c->purpose);
	char csid_copy[2048];
	snprintf(csid_copy, sizeof csid_copy, "%s", csid ? csid : "");
	cJSON_Delete(out);
	if (!ok) {
		cJSON_Delete(patch);
		if (!csid_copy[0]) {
			*err = mkerr("ClientError", "CreateChangeSet answered without an Id");
			return *err ? 0 : AL_ENOMEM;
		}
		return AL_ENOMEM;
	}
	rc = patch_status(c, patch, 1);
	cJSON_Delete(patch);
	if (rc)
		return rc;

	/* wait until created, then read every page */
	cJSON *q = cJSON_CreateObject();
	if (!q || !cJSON_AddStringToObject(q, "ChangeSetName", csid_copy)) {
		cJSON_Delete(q);
		return AL_ENOMEM;
	}
	long wait_ms = 500;
	int64_t deadline = rt_now_ms() + (int64_t)CS_WAIT_S * 1000;
	cJSON *d = NULL;
	for (;;) {
		rc = cfn_call(c, "DescribeChangeSet", q, &d, err);
		if (rc || *err)
			break;
		const char *st = rt_jstr(d, "Status") ? rt_jstr(d, "Status") : "";
		if (strcmp(st, "CREATE_COMPLETE") == 0 || strcmp(st, "FAILED") == 0 ||
		    strncmp(st, "DELETE_", 7) == 0)
			break;
		char msg[128];
		snprintf(msg, sizeof msg, "change set %s: %s", name, st);
		if (note(c, msg) || nap(c, wait_ms))
			break;
		if (rt_now_ms() > deadline) {
			*err = mkerr("Timeout", "change set %s still %s after %d s", name, st, CS_WAIT_S);
			break;
		}
		cJSON_Delete(d);
		d = NULL;
		wait_ms = wait_ms * 3 / 2 > 5000 ? 5000 : wait_ms * 3 / 2;
	}
	if (rc || *err || c->stopped) {
		cJSON_Delete(q);
		cJSON_Delete(d);
		return rc;
	}
	/* further pages: their Changes appended to the first's */
	cJSON *all = cJSON_GetObjectItemCaseSensitive(d, "Changes");
	if (!cJSON_IsArray(all)) {
		all = cJSON_CreateArray();
		if (jput(d, "Changes", all) != 0)
			rc = AL_ENOMEM;
	}
	for (int page = 1; !rc && page < MAX_PAGES; page++) {
		const char *next = rt_jstr(d, "NextToken");
		if (!next || !*next)
			break;
		if ((rc = jput(q, "NextToken", cJSON_CreateString(next))) != 0)
			break;
		cJSON *more = NULL;
		rc = cfn_call(c, "DescribeChangeSet", q, &more, err);
		if (rc || *err) {
			cJSON_Delete(more);
			break;
		}
		cJSON *ch = cJSON_GetObjectItemCaseSensitive(more, "Changes");
		while (cJSON_IsArray(ch) && ch->child)
			cJSON_AddItemToArray(all, cJSON_DetachItemViaPointer(ch, ch->child));
		rc = jput(d, "NextToken", jcopy(more, "NextToken"));
		cJSON_Delete(more);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(d, "NextToken");
	cJSON_Delete(q);
	if (rc || *err) {
		cJSON_Delete(d);
		return rc;
	}
	cJSON *p2 = cJSON_CreateObject();
	if (!p2 || jput(p2, "status", jcopy(d, "Status")) != 0 ||
	    jput(p2, "executionStatus", jcopy(d, "ExecutionStatus")) != 0 ||
	    jput(p2, "statusReason", jcopy(d, "StatusReason")) != 0 ||
	    !cJSON_AddNumberToObject(p2, "changes", cJSON_GetArraySize(all))) {
		cJSON_Delete(p2);
		cJSON_Delete(d);
		return AL_ENOMEM;
	}
	rc = patch_status(c, p2, 0);
	cJSON_Delete(p2);
	if (rc) {
		cJSON_Delete(d);
		return rc;
	}
	*desc = d;
	return 0;
}

/* ---- diff -------------------------------------------------------------- */

/* Refuses (O) a plan that must not get a change set: not waiting to be
 * applied, or denied by the policy now.  Returns 1 when refused. */
static int refuse_plan(rt_plans *p, const rt_plan *pl, const alc_operation *op, rt_plan_out *o)
{
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	if (pl->state != RT_PS_PLANNED && pl->state != RT_PS_AWAITING &&
	    pl->state != RT_PS_APPROVED) {
		rt_plan_refuse(o, pl->state == RT_PS_DENIED ? "policy_denies" : "state",
		               "plan %s is %s: only a plan waiting to be applied gets a change set",
		               id, rt_plan_state_name(pl->state));
		return 1;
	}
	rt_policy *pol;
	char perr[256];
	if (rt_plans_policy(p, &pol, perr, sizeof perr) != 0) {
		rt_plan_refuse(o, "policy_denies", "the catalog's policy cannot be used: %s", perr);
		return 1;
	}
	const cJSON *caller = jget(pl->content, "caller");
	rt_call call = { op, jget(pl->content, "input"), rt_jstr(caller, "region"),
	                 rt_jstr(caller, "account"), rt_jstr(caller, "profile") };
	rt_decision d;
	rt_policy_decide(pol, &call, 0, &d);
	if (d.effect == ALC_EFFECT_DENY) {
		rt_plan_refuse(o, "policy_denies", "plan %s: the policy now denies it (rule %s: %s); "
		               "it gets no change set", id, d.rule ? d.rule : "?", d.reason);
		return 1;
	}
	return 0;
}

/* The DeletionPolicy of the stack's resources (GetTemplate), or NULL with
 * WHY set when it cannot be known. */
static cJSON *stack_policies(cfn *c, const char *stack, char *why, size_t cap)
{
	cJSON *q = cJSON_CreateObject(), *out = NULL, *err = NULL, *pol = NULL;
	if (!q || !cJSON_AddStringToObject(q, "StackName", stack)) {
		cJSON_Delete(q);
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	if (cfn_call(c, "GetTemplate", q, &out, &err) != 0)
		snprintf(why, cap, "GetTemplate could not be recorded");
	else if (err)
		err_text(err, why, cap);
	else if (!rt_jstr(out, "TemplateBody"))
		snprintf(why, cap, "GetTemplate returned no template");
	else if (!(pol = rt_cfn_deletion_policies(rt_jstr(out, "TemplateBody"),
	                                          strlen(rt_jstr(out, "TemplateBody")))))
		snprintf(why, cap, "the template could not be read (neither JSON nor YAML, or "
		         "larger than %u bytes)", RT_CFN_TEMPLATE_MAX);
	cJSON_Delete(q);
	cJSON_Delete(out);
	cJSON_Delete(err);
	return pol;
}

static int delete_diff(cfn *c, const rt_plan *pl, cJSON *result)
{
	const cJSON *in = jget(pl->content, "input");
	const char *stack = rt_jstr(in, "StackName");
	const cJSON *retain = jget(in, "RetainResources");
	cJSON *policies = NULL;
	char nopol[600] = "";
	cJSON *q = cJSON_CreateObject(), *out = NULL, *err = NULL;
	if (!q || !stack || !cJSON_AddStringToObject(q, "StackName", stack)) {
		cJSON_Delete(q);
		return stack ? AL_ENOMEM : result_failed(result, mkerr("ClientError", "no StackName"),
		                                         "DeleteStack");
	}
	int rc = 0, n = 0, kept = 0;
	cJSON *changes = cJSON_GetObjectItemCaseSensitive(result, "changes");
	for (int page = 0; page < MAX_PAGES; page++) {
		if ((rc = cfn_call(c, "ListStackResources", q, &out, &err)) != 0 || err)
			break;
		const cJSON *r;
		cJSON_ArrayForEach(r, jget(out, "StackResourceSummaries")) {
			const char *lid = rt_jstr(r, "LogicalResourceId") ? rt_jstr(r, "LogicalResourceId") : "";
			int keep = 0;
			const cJSON *k;
			cJSON_ArrayForEach(k, retain)
				if (cJSON_IsString(k) && strcmp(k->valuestring, lid) == 0)
					keep = 1;
			if (!policies && !nopol[0])
				policies = stack_policies(c, stack, nopol, sizeof nopol);
			const char *dp = rt_jstr(policies, lid);
			char note[160] = "";
			if (keep)
				snprintf(note, sizeof note, "kept: RetainResources names it");
			else if (dp && (strcmp(dp, "Retain") == 0 ||
			                strcmp(dp, "RetainExceptOnCreate") == 0)) {
				keep = 1;
				snprintf(note, sizeof note, "kept: DeletionPolicy %s", dp);
			} else if (dp && strcmp(dp, "Snapshot") == 0)
				snprintf(note, sizeof note, "DeletionPolicy Snapshot: a snapshot is kept");
			else if (dp && strcmp(dp, "dynamic") == 0)
				snprintf(note, sizeof note, "DeletionPolicy set by a condition: not known");
			char path[600];
			snprintf(path, sizeof path, "/Resources/%s", lid);
			cJSON *e = cJSON_CreateObject();
			int ok = e && cJSON_AddStringToObject(e, "path", path) &&
			         cJSON_AddStringToObject(e, "op", keep ? "unchanged" : "removed") &&
			         cJSON_AddStringToObject(e, "action", keep ? "Retain" : "Remove") &&
			         jput(e, "logicalId", jcopy(r, "LogicalResourceId")) == 0 &&
			         jput(e, "resourceType", jcopy(r, "ResourceType")) == 0 &&
			         jput(e, "physicalId", jcopy(r, "PhysicalResourceId")) == 0 &&
			         jput(e, "resourceStatus", jcopy(r, "ResourceStatus")) == 0 &&
			         (!dp || cJSON_AddStringToObject(e, "deletionPolicy", dp) != NULL) &&
			         (!note[0] || cJSON_AddStringToObject(e, "note", note) != NULL);
			if (!ok) {
				cJSON_Delete(e);
				rc = AL_ENOMEM;
				break;
			}
			cJSON_AddItemToArray(changes, e);
			count(result, keep ? "unchanged" : "removed");
			n++;
			kept += keep;
		}
		const char *next = rt_jstr(out, "NextToken");
		if (rc || !next || !*next)
			break;
		if ((rc = jput(q, "NextToken", cJSON_CreateString(next))) != 0)
			break;
		cJSON_Delete(out);
		out = NULL;
	}
	cJSON_Delete(q);
	cJSON_Delete(out);
	cJSON_Delete(policies);
	if (rc) {
		cJSON_Delete(err);
		return rc;
	}
	if (err) {
		const char *m = rt_jstr(err, "message");
		if (m && strstr(m, "does not exist"))
			rc = jput(result, "exists", cJSON_CreateBool(0));
		return rc ? (cJSON_Delete(err), rc) : result_failed(result, err, "ListStackResources");
	}
	if ((rc = jput(result, "exists", cJSON_CreateBool(1))) != 0)
		return rc;
	if (nopol[0] && n > 0 && (rc = jput(result, "note", cJSON_CreateString(nopol))) != 0)
		return rc;
	return set_message(result, "DeleteStack %s would delete %d resource%s%s%.0d%s%s.", stack,
	                   n - kept, n - kept == 1 ? "" : "s", kept ? " and keep " : "", kept,
	                   kept ? " (RetainResources, DeletionPolicy)" : "",
	                   nopol[0] && n > 0 ? "; DeletionPolicy not known" : "");
}

int rt_cfn_diff(rt_plans *p, const rt_plan *pl, const rt_diff_opts *opts, rt_plan_out *o)
{
	const alc_catalog *cat = rt_plans_catalog(p);
	const char *sname = rt_jstr(pl->content, "service"), *oname = rt_jstr(pl->content, "operation");
	const alc_operation *op = cat && sname && oname
	        ? alc_find_operation(cat, sname, strlen(sname), oname, strlen(oname)) : NULL;
	if (!op || !rt_cfn_handles(cat, op))
		return rt_plan_refuse(o, "invalid", "not a CloudFormation stack plan");
	if (refuse_plan(p, pl, op, o))
		return o->error ? 0 : AL_ENOMEM;
	rt_id tx;
	if (opts && opts->tx)
		tx = *opts->tx;
	else
		rt_id_new(&tx, rt_now_ms());
	cfn c;
	cfn_init(&c, p, &pl->id, &tx, pl->content, "diff");
	if (opts) {
		c.progress = opts->progress;
		c.cancel = opts->cancel;
		c.ud = opts->ud;
	}
	const char *opn = op_name(cat, op);
	int del = strcmp(opn, "DeleteStack") == 0;
	cJSON *result = result_new(pl, del ? "delete" : strcmp(opn, "CreateStack") == 0 ? "create"
	                                                                             : "update",
	                           "computed");
	if (!result)
		return AL_ENOMEM;
	int rc;
	if (del) {
		rc = delete_diff(&c, pl, result);
	} else {
		cJSON *d = NULL, *err = NULL;
		rc = make_changeset(&c, pl, &d, &err);
		if (!rc && err)
			rc = result_failed(result, err, "The change set");
		else if (!rc && d)
			rc = rt_cfn_changeset_result(result, d);
		/* a CREATE change set exists only when the stack does not */
		if (!rc && d && strcmp(opn, "CreateStack") == 0)
			rc = jput(result, "exists", cJSON_CreateBool(0));
		cJSON_Delete(d);
		if (!rc) {
			cJSON *nc = not_carried(cat, jget(pl->content, "input"));
			if (!nc || jput(result, "notCarried", nc) != 0)
				rc = AL_ENOMEM;
			else if (cJSON_GetArraySize(nc) > 0)
				rc = jput(result, "note", cJSON_CreateString(
				        "a change set cannot carry the members in notCarried: apply sends "
				        "the planned operation itself; this diff shows the template's "
				        "changes"));
		}
	}
	if (!rc && c.stopped) {
		rc = jput(result, "status", cJSON_CreateString("cancelled"));
		if (!rc)
			rc = set_message(result, "stopped before the diff was complete");
	}
	if (rc) {
		cJSON_Delete(result);
		if (rc == AL_ENOMEM)
			return rc;
		return rt_plan_refuse(o, "store", "the diff could not be recorded: %s", al_strerror(rc));
	}
	o->result = result;
	return 0;
}

/* ---- apply ------------------------------------------------------------- */

static int is_final_status(const char *s)
{
	return s && (ends_with(s, "_COMPLETE") || ends_with(s, "_FAILED")) &&
	       strcmp(s, "REVIEW_IN_PROGRESS") != 0 && !ends_with(s, "_IN_PROGRESS");
}

static int is_good_status(const char *s)
{
	return s && (strcmp(s, "CREATE_COMPLETE") == 0 || strcmp(s, "UPDATE_COMPLETE") == 0 ||
	             strcmp(s, "IMPORT_COMPLETE") == 0);
}

/* The event as the apply result shows it. */
static cJSON *event_json(const cJSON *e)
{
	cJSON *x = cJSON_CreateObject();
	if (!x || jput(x, "timestamp", jcopy(e, "Timestamp")) != 0 ||
	    jput(x, "logicalId", jcopy(e, "LogicalResourceId")) != 0 ||
	    jput(x, "resourceType", jcopy(e, "ResourceType")) != 0 ||
	    jput(x, "physicalId", jcopy(e, "PhysicalResourceId")) != 0 ||
	    jput(x, "status", jcopy(e, "ResourceStatus")) != 0 ||
	    jput(x, "reason", jcopy(e, "ResourceStatusReason")) != 0 ||
	    jput(x, "eventId", jcopy(e, "EventId")) != 0) {
		cJSON_Delete(x);
		return NULL;
	}
	return x;
}

typedef struct follow {
	char stack_id[2048];
	char marker[512];            /* newest event seen ("" none) */
	cJSON *events;               /* event_json, oldest first */
	char final[64];              /* the stack's final status when reached */
	char final_reason[512];
} follow;

/* The stack's newest event id into F->marker (before executing). */
static int mark_events(cfn *c, follow *f, cJSON **err)
{
	cJSON *q = cJSON_CreateObject(), *out = NULL;
	if (!q || !cJSON_AddStringToObject(q, "StackName", f->stack_id)) {
		cJSON_Delete(q);
		return AL_ENOMEM;
	}
	int rc = cfn_call(c, "DescribeStackEvents", q, &out, err);
	cJSON_Delete(q);
	const cJSON *ev = cJSON_GetArrayItem(jget(out, "StackEvents"), 0);
	snprintf(f->marker, sizeof f->marker, "%s", rt_jstr(ev, "EventId") ? rt_jstr(ev, "EventId") : "");
	cJSON_Delete(out);
	return rc;
}

/* One poll: the events newer than F->marker, oldest first, each noted. */
static int poll_events(cfn *c, follow *f, cJSON **err)
{
	cJSON *q = cJSON_CreateObject(), *fresh = cJSON_CreateArray();
	if (!q || !fresh || !cJSON_AddStringToObject(q, "StackName", f->stack_id)) {
		cJSON_Delete(q);
		cJSON_Delete(fresh);
		return AL_ENOMEM;
	}
	int rc = 0, met = 0;
	for (int page = 0; page < EVENT_PAGES && !met; page++) {
		cJSON *out = NULL;
		c->events_seen = f->marker;
		rc = cfn_call(c, "DescribeStackEvents", q, &out, err);
		c->events_seen = NULL;
		if (rc || *err) {
			cJSON_Delete(out);
			break;
		}
		const cJSON *e;
		cJSON_ArrayForEach(e, jget(out, "StackEvents")) {
			const char *id = rt_jstr(e, "EventId");
			if (f->marker[0] && id && strcmp(id, f->marker) == 0) {
				met = 1;
				break;
			}
			cJSON *x = event_json(e);
			if (!x) {
				rc = AL_ENOMEM;
				break;
			}
			cJSON_AddItemToArray(fresh, x);  /* newest first, for now */
		}
		const char *next = rt_jstr(out, "NextToken");
		if (!rc && !met && next && *next)
			rc = jput(q, "NextToken", cJSON_CreateString(next));
		else
			met = 1;
		cJSON_Delete(out);
		if (rc)
			break;
	}
	cJSON_Delete(q);
	/* oldest first into F->events, each a progress note */
	int n = cJSON_GetArraySize(fresh);
	if (!rc && n > 0) {
		const char *top = rt_jstr(cJSON_GetArrayItem(fresh, 0), "eventId");
		snprintf(f->marker, sizeof f->marker, "%s", top ? top : "");
	}
	for (int i = n - 1; !rc && i >= 0; i--) {
		cJSON *x = cJSON_DetachItemFromArray(fresh, i);
		const char *lid = rt_jstr(x, "logicalId") ? rt_jstr(x, "logicalId") : "?";
		const char *type = rt_jstr(x, "resourceType") ? rt_jstr(x, "resourceType") : "?";
		const char *st = rt_jstr(x, "status") ? rt_jstr(x, "status") : "?";
		const char *why = rt_jstr(x, "reason");
		const char *phys = rt_jstr(x, "physicalId");
		char msg[768];
		snprintf(msg, sizeof msg, "%s %s %s%s%.400s", lid, type, st, why ? ": " : "",
		         why ? why : "");
		note(c, msg);
		if (strcmp(type, "AWS::CloudFormation::Stack") == 0 && phys &&
		    strcmp(phys, f->stack_id) == 0 && is_final_status(st)) {
			snprintf(f->final, sizeof f->final, "%s", st);
			snprintf(f->final_reason, sizeof f->final_reason, "%s", why ? why : "");
		}
		if (cJSON_GetArraySize(f->events) < MAX_EVENTS)
			cJSON_AddItemToArray(f->events, x);
		else
			cJSON_Delete(x);
	}
	cJSON_Delete(fresh);
	return rc;
}

static long follow_limit_ms(void)
{
	const char *s = getenv("AIRLOCK_CFN_TIMEOUT");
	long v = s && *s ? strtol(s, NULL, 10) : 0;
	if (v <= 0 || v > RT_CFN_FOLLOW_MAX_S)
		v = RT_CFN_FOLLOW_MAX_S;
	return v * 1000;
}

/* Follows F's stack until a final status, the time limit or a stop. */
static int follow_stack(cfn *c, follow *f, cJSON **err)
{
	int64_t deadline = rt_now_ms() + follow_limit_ms();
	long wait_ms = 300;
	char msg[128];
	for (;;) {
		int rc = poll_events(c, f, err);
		if (rc || *err || f->final[0] || c->stopped)
			return rc;
		/* a stack that reached its end without an event of its own (or
		 * with events beyond the pages read): DescribeStacks says */
		snprintf(msg, sizeof msg, "waiting for the stack: %d events so far",
		         cJSON_GetArraySize(f->events));
		if (note(c, msg) || nap(c, wait_ms))
			return 0;
		if (rt_now_ms() > deadline) {
			*err = mkerr("FollowStopped", "the stack %s was not finished after %ld s: it goes "
			             "on in AWS; follow it with DescribeStackEvents", f->stack_id,
			             follow_limit_ms() / 1000);
			return *err ? 0 : AL_ENOMEM;
		}
		wait_ms = wait_ms * 3 / 2 > 5000 ? 5000 : wait_ms * 3 / 2;
	}
}

/* The plan's change set, when it can still be executed: its id into ID. */
static int usable_changeset(cfn *c, const rt_plan *pl, char *id, size_t cap)
{
	id[0] = '\0';
	const cJSON *cs = jget(pl->status, "changeSet");
	const char *csid = rt_jstr(cs, "id");
	if (!csid || jget(cs, "executedAt") || jget(cs, "deletedAt"))
		return 0;
	cJSON *q = cJSON_CreateObject(), *d = NULL, *err = NULL;
	if (!q || !cJSON_AddStringToObject(q, "ChangeSetName", csid)) {
		cJSON_Delete(q);
		return AL_ENOMEM;
	}
	int rc = cfn_call(c, "DescribeChangeSet", q, &d, &err);
	cJSON_Delete(q);
	const char *st = rt_jstr(d, "Status"), *ex = rt_jstr(d, "ExecutionStatus");
	if (!rc && st && ex && strcmp(st, "CREATE_COMPLETE") == 0 && strcmp(ex, "AVAILABLE") == 0)
		snprintf(id, cap, "%s", csid);
	cJSON_Delete(d);
	cJSON_Delete(err);
	return rc;
}

/* The apply's failure: the stack's failed events and their reasons. */
static cJSON *stack_failure(const follow *f, const char *status)
{
	cJSON *failed = cJSON_CreateArray();
	char msg[2048];
	int n = snprintf(msg, sizeof msg, "the stack ended %s", status);
	const cJSON *e;
	cJSON_ArrayForEach(e, f->events) {
		const char *st = rt_jstr(e, "status");
		if (!failed || !st || !ends_with(st, "_FAILED"))
			continue;
		cJSON_AddItemToArray(failed, cJSON_Duplicate(e, 1));
		if (n > 0 && (size_t)n < sizeof msg)
			n += snprintf(msg + n, sizeof msg - (size_t)n, "; %s (%s) %s: %s",
			              rt_jstr(e, "logicalId") ? rt_jstr(e, "logicalId") : "?",
			              rt_jstr(e, "resourceType") ? rt_jstr(e, "resourceType") : "?", st,
			              rt_jstr(e, "reason") ? rt_jstr(e, "reason") : "no reason given");
	}
	if (n > 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - (size_t)n, ". Repair the template (or parameters) "
		         "and make a new plan.");
	cJSON *err = mkerr("StackFailed", "%s", msg);
	if (!err || !failed || !cJSON_AddStringToObject(err, "stackStatus", status) ||
	    !cJSON_AddStringToObject(err, "stackId", f->stack_id)) {
		cJSON_Delete(err);
		cJSON_Delete(failed);
		return NULL;
	}
	cJSON_AddItemToObject(err, "failedEvents", failed);
	cJSON *ev = cJSON_Duplicate(f->events, 1);
	if (!ev || !cJSON_AddItemToObject(err, "events", ev)) {
		cJSON_Delete(ev);
		cJSON_Delete(err);
		return NULL;
	}
	return err;
}

/* DescribeStacks of the followed stack: its status, reason and outputs. */
static int stack_now(cfn *c, const char *stack, cJSON **stackobj, cJSON **err)
{
	cJSON *q = cJSON_CreateObject(), *out = NULL;
	if (!q || !cJSON_AddStringToObject(q, "StackName", stack)) {
		cJSON_Delete(q);
		return AL_ENOMEM;
	}
	int rc = cfn_call(c, "DescribeStacks", q, &out, err);
	cJSON_Delete(q);
	cJSON *s = cJSON_GetArrayItem(jget(out, "Stacks"), 0);
	*stackobj = s ? cJSON_Duplicate(s, 1) : NULL;
	if (!rc && !*err && !s)
		*err = mkerr("ValidationError", "DescribeStacks did not show stack %s", stack);
	cJSON_Delete(out);
	return rc;
}

int rt_cfn_apply(rt_plans *p, const rt_id *plan, const rt_id *tx, const rt_plan_exec_req *rq,
                 const rt_apply_opts *ao, rt_plan_exec_res *rs)
{
	rt_plan pl;
	int rc = load_plan(p, plan, tx, &pl);
	if (rc) {
		rs->error = mkerr("ClientError", "the plan could not be read: %s", al_strerror(rc));
		return rs->error ? 0 : AL_ENOMEM;
	}
	cfn c;
	cfn_init(&c, p, plan, tx, pl.content, "apply");
	/* the executor's view of region and profile is the apply's */
	snprintf(c.region, sizeof c.region, "%s", rq->region ? rq->region : "");
	c.has_region = rq->region != NULL;
	snprintf(c.profile, sizeof c.profile, "%s", rq->profile ? rq->profile : "");
	if (ao) {
		c.progress = ao->progress;
		c.cancel = ao->cancel;
		c.ud = ao->ud;
	}
	const cJSON *in = rq->input;
	const char *stack = rt_jstr(in, "StackName");
	const char *opn = op_name(c.cat, rq->op);
	int del = strcmp(opn, "DeleteStack") == 0, update = strcmp(opn, "UpdateStack") == 0;
	/* DeleteStack, and plans a change set cannot carry, send the planned
	 * operation itself */
	int direct = del;
	if (!del) {
		cJSON *nc = not_carried(c.cat, in);
		if (!nc) {
			rt_plan_free(&pl);
			return AL_ENOMEM;
		}
		direct = cJSON_GetArraySize(nc) > 0;
		cJSON_Delete(nc);
	}

	follow f;
	memset(&f, 0, sizeof f);
	f.events = cJSON_CreateArray();
	cJSON *err = NULL, *out = NULL, *desc = NULL;
	char csid[2048] = "", csname[128] = "";
	int recreated = 0;   /* the diffed change set was gone or stale */
	if (!f.events) {
		rc = AL_ENOMEM;
		goto done;
	}
	int gone = 0;   /* DeleteStack of a stack that is not there */
	if (direct) {
		/* the planned operation itself, exactly as planned */
		if (update || del) {
			cJSON *s = NULL;
			if ((rc = stack_now(&c, stack, &s, &err)) != 0)
				goto done;
			if (err && del && rt_jstr(err, "message") && strstr(rt_jstr(err, "message"),
			                                                 "does not exist")) {
				/* AWS answers DeleteStack of a missing stack with success:
				 * send it, there is nothing to follow */
				cJSON_Delete(err);
				err = NULL;
				gone = 1;
			}
			if (err)
				goto done;
			snprintf(f.stack_id, sizeof f.stack_id, "%s",
			         rt_jstr(s, "StackId") ? rt_jstr(s, "StackId") : stack ? stack : "");
			cJSON_Delete(s);
			if (!gone && (rc = mark_events(&c, &f, &err)) != 0)
				goto done;
			if (err)
				goto done;
		}
		note(&c, del ? "deleting the stack" : update ? "updating the stack"
		                                             : "creating the stack");
		rt_plan_exec_res r;
		memset(&r, 0, sizeof r);
		r.attempts = 1;
		rc = rt_plans_execute(rq, &r);
		rs->attempts = r.attempts;
		snprintf(rs->request_id, sizeof rs->request_id, "%s", r.request_id);
		if (rc || r.error || !r.output) {
			cJSON_Delete(r.output);
			err = r.error ? r.error : mkerr("ClientError", "%s", al_strerror(rc ? rc : AL_EINVAL));
			rc = err ? 0 : AL_ENOMEM;
			goto done;
		}
		if (gone) {
			out = r.output;
			goto done;
		}
		if (!update && !del)
			snprintf(f.stack_id, sizeof f.stack_id, "%s",
			         rt_jstr(r.output, "StackId") ? rt_jstr(r.output, "StackId") : stack);
		cJSON_Delete(r.output);
	} else {
		/* the plan's change set, or a new one */
		if ((rc = usable_changeset(&c, &pl, csid, sizeof csid)) != 0)
			goto done;
		recreated = !csid[0] && jget(jget(pl.status, "changeSet"), "id") != NULL;
		if (!csid[0]) {
			if ((rc = make_changeset(&c, &pl, &desc, &err)) != 0 || err || c.stopped)
				goto done;
			const char *st = rt_jstr(desc, "Status");
			if (st && strcmp(st, "FAILED") == 0) {
				const char *why = rt_jstr(desc, "StatusReason");
				if (no_changes_reason(why)) {
					out = cJSON_CreateObject();
					if (!out || jput(out, "StackId", jcopy(desc, "StackId")) != 0 ||
					    !cJSON_AddStringToObject(out, "StackName", stack ? stack : "") ||
					    !cJSON_AddBoolToObject(out, "noChanges", 1) ||
					    jput(out, "changeSet", jcopy(desc, "ChangeSetId")) != 0 ||
					    !cJSON_AddStringToObject(out, "message", why))
						rc = AL_ENOMEM;
					goto done;
				}
				err = mkerr("ChangeSetFailed", "change set %s FAILED: %s",
				            rt_jstr(desc, "ChangeSetName") ? rt_jstr(desc, "ChangeSetName") : "?",
				            why ? why : "no reason given");
				rc = err ? 0 : AL_ENOMEM;
				goto done;
			}
			snprintf(csid, sizeof csid, "%s", rt_jstr(desc, "ChangeSetId") ? rt_jstr(desc, "ChangeSetId") : "");
		}
		/* reload: make_changeset changed the status */
		rt_plan_free(&pl);
		if ((rc = load_plan(p, plan, tx, &pl)) != 0)
			goto done;
		const cJSON *cs = jget(pl.status, "changeSet");
		snprintf(csname, sizeof csname, "%s", rt_jstr(cs, "name") ? rt_jstr(cs, "name") : "");
		snprintf(f.stack_id, sizeof f.stack_id, "%s",
		         rt_jstr(cs, "stackId") ? rt_jstr(cs, "stackId") : stack ? stack : "");
		if ((rc = mark_events(&c, &f, &err)) != 0 || err)
			goto done;
		/* executed from here on: never deleted by a cleanup */
		if ((rc = patch_str(&c, "executedAt", NULL)) != 0)
			goto done;
		cJSON *x = cJSON_CreateObject();
		char tok[64];
		snprintf(tok, sizeof tok, "airlock-%s", c.planid);
		int ok = x && cJSON_AddStringToObject(x, "ChangeSetName", csid) &&
		         (rt_jstr(in, "ClientRequestToken")
		          ? jput(x, "ClientRequestToken", jcopy(in, "ClientRequestToken")) == 0
		          : cJSON_AddStringToObject(x, "ClientRequestToken", tok) != NULL);
		for (size_t i = 0; ok && to_execute[i]; i++)
			if (strcmp(to_execute[i], "ClientRequestToken") != 0 && jget(in, to_execute[i]))
				ok = jput(x, to_execute[i], jcopy(in, to_execute[i])) == 0;
		if (!ok) {
			cJSON_Delete(x);
			rc = AL_ENOMEM;
			goto done;
		}
		note(&c, "executing change set");
		cJSON *eo = NULL;
		rc = cfn_call(&c, "ExecuteChangeSet", x, &eo, &err);
		cJSON_Delete(x);
		cJSON_Delete(eo);
		rs->attempts = c.attempts;
		snprintf(rs->request_id, sizeof rs->request_id, "%s", c.request_id);
		if (rc || err)
			goto done;
	}
	if ((rc = follow_stack(&c, &f, &err)) != 0 || err)
		goto done;
	if (c.stopped) {
		err = mkerr("FollowStopped", "following the stack %s was cancelled; the change goes "
		            "on in AWS: check the stack's status", stack ? stack : "?");
		rc = err ? 0 : AL_ENOMEM;
		goto done;
	}
	cJSON *s = NULL;
	if ((rc = stack_now(&c, f.stack_id, &s, &err)) != 0 || err) {
		cJSON_Delete(s);
		goto done;
	}
	/* the stack's own final event wins over a DescribeStacks that still
	 * says *_IN_PROGRESS (its answers may lag the events) */
	const char *st = rt_jstr(s, "StackStatus");
	if (!is_final_status(st) && f.final[0])
		st = f.final;
	if (!st)
		st = "?";
	if (del ? strcmp(st, "DELETE_COMPLETE") != 0 : !is_good_status(st)) {
		err = stack_failure(&f, st);
		cJSON_Delete(s);
		rc = err ? 0 : AL_ENOMEM;
		goto done;
	}
	out = cJSON_CreateObject();
	int ok = out && jput(out, "StackId", jcopy(s, "StackId")) == 0 &&
	         jput(out, "StackName", jcopy(s, "StackName")) == 0 &&
	         jput(out, "StackStatus", cJSON_CreateString(st)) == 0 &&
	         jput(out, "Outputs", cJSON_GetObjectItemCaseSensitive(s, "Outputs")
	                              ? jcopy(s, "Outputs") : cJSON_CreateArray()) == 0;
	cJSON_Delete(s);
	if (ok && !direct) {
		cJSON *cso = cJSON_CreateObject();
		ok = cso && cJSON_AddStringToObject(cso, "id", csid) &&
		     cJSON_AddStringToObject(cso, "name", csname) &&
		     cJSON_AddBoolToObject(cso, "recreated", recreated) &&
		     jput(out, "changeSet", cso) == 0;
		if (!ok && cso && !cJSON_GetObjectItemCaseSensitive(out, "changeSet"))
			cJSON_Delete(cso);
	}
	if (ok) {
		ok = cJSON_AddItemToObject(out, "events", f.events) != 0;
		if (ok)
			f.events = NULL;
	}
	if (!ok)
		rc = AL_ENOMEM;
done:
	cJSON_Delete(desc);
	cJSON_Delete(f.events);
	rt_plan_free(&pl);
	if (rc) {
		cJSON_Delete(out);
		cJSON_Delete(err);
		if (rc == AL_ENOMEM)
			return rc;
		rs->error = mkerr("ClientError", "the apply could not be recorded: %s", al_strerror(rc));
		return rs->error ? 0 : AL_ENOMEM;
	}
	if (!out && !err)
		err = mkerr("FollowStopped", "the apply was stopped before the stack finished; check "
		            "the stack's status in AWS");
	if (out && !err) {
		rs->output = out;
		return 0;
	}
	cJSON_Delete(out);
	rs->error = err;
	return err ? 0 : AL_ENOMEM;
}

/* ---- cleanup ----------------------------------------------------------- */

int rt_cfn_needs_cleanup(const rt_plan *pl)
{
	if (!rt_plan_state_final(pl->state))
		return 0;
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(pl->status, "changeSet");
	return cJSON_IsObject(cs) && rt_jstr(cs, "id") && !jget(cs, "executedAt") &&
	       !jget(cs, "deletedAt");
}

void rt_cfn_cleanup(rt_plans *p, const rt_id *plan, const rt_id *tx)
{
	if (!rt_plans_catalog(p))
		return;
	rt_plan pl;
	if (load_plan(p, plan, tx, &pl) != 0)
		return;
	if (rt_cfn_needs_cleanup(&pl)) {
		cfn c;
		cfn_init(&c, p, plan, tx, pl.content, "cleanup");
		const char *csid = rt_jstr(jget(pl.status, "changeSet"), "id");
		if (delete_changeset(&c, csid, NULL) == 0)
			patch_str(&c, "deletedAt", NULL);
	}
	rt_plan_free(&pl);
}

/* ---- rendering --------------------------------------------------------- */

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"
#define C_BOLD "\033[1m"

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

void rt_cfn_render(FILE *f, const cJSON *diff, int colour)
{
	const char *status = rt_jstr(diff, "status"), *msg = rt_jstr(diff, "message");
	const char *opn = rt_jstr(diff, "operation"), *pid = rt_jstr(diff, "planId");
	fprintf(f, "%s%s%s plan %s: %s\n", colour ? C_BOLD : "", or_dash(opn), colour ? C_RESET : "",
	        or_dash(pid), msg ? msg : or_dash(status));
	const cJSON *cs = jget(diff, "changeSet");
	if (cs)
		fprintf(f, "  change set %s (%s, %s)\n", or_dash(rt_jstr(cs, "name")),
		        or_dash(rt_jstr(cs, "status")), or_dash(rt_jstr(cs, "executionStatus")));
	const cJSON *e;
	cJSON_ArrayForEach(e, jget(diff, "changes")) {
		const char *op = rt_jstr(e, "op") ? rt_jstr(e, "op") : "";
		const char *action = rt_jstr(e, "action") ? rt_jstr(e, "action") : "";
		const char *repl = rt_jstr(e, "replacement");
		int replaced = repl && strcmp(repl, "True") == 0;
		char mark = strcmp(op, "added") == 0 ? '+' : strcmp(op, "removed") == 0 ? '-'
		            : strcmp(op, "unchanged") == 0 ? '=' : replaced ? '!' : '~';
		const char *col = !colour ? "" : mark == '+' ? C_GREEN : mark == '-' || mark == '!'
		                  ? C_RED : mark == '=' ? "" : C_YELLOW;
		fprintf(f, "%s%c %-10s %s %s", col, mark, action, or_dash(rt_jstr(e, "logicalId")),
		        or_dash(rt_jstr(e, "resourceType")));
		if (rt_jstr(e, "physicalId"))
			fprintf(f, " [%s]", rt_jstr(e, "physicalId"));
		if (repl)
			fprintf(f, " replacement: %s", repl);
		if (rt_jstr(e, "note"))
			fprintf(f, " (%s)", rt_jstr(e, "note"));
		fprintf(f, "%s\n", colour && *col ? C_RESET : "");
		const cJSON *d;
		cJSON_ArrayForEach(d, jget(e, "details")) {
			const cJSON *t = jget(d, "target");
			const char *attr = rt_jstr(t, "attribute"), *name = rt_jstr(t, "name");
			const char *rr = rt_jstr(t, "requiresRecreation");
			fprintf(f, "      %s%s%s", or_dash(attr), name ? "." : "", name ? name : "");
			if (rr)
				fprintf(f, "  recreation: %s", rr);
			fprintf(f, "  (%s, %s", or_dash(rt_jstr(d, "evaluation")), or_dash(rt_jstr(d, "changeSource")));
			if (rt_jstr(d, "causingEntity"))
				fprintf(f, " from %s", rt_jstr(d, "causingEntity"));
			fprintf(f, ")\n");
		}
	}
	const cJSON *nc = jget(diff, "notCarried");
	if (cJSON_GetArraySize(nc) > 0) {
		fprintf(f, "  not carried by a change set (apply sends the operation itself):");
		cJSON_ArrayForEach(e, nc)
			if (cJSON_IsString(e))
				fprintf(f, " %s", e->valuestring);
		fprintf(f, "\n");
	}
	const cJSON *err = jget(diff, "error");
	if (err && !msg)
		fprintf(f, "  error: %s: %s\n", or_dash(rt_jstr(err, "code")), or_dash(rt_jstr(err, "message")));
}

/* ---- deploy_stack ------------------------------------------------------ */

/* {"k": "v"} -> [{KEY: "k", VAL: "v"}]; an array is copied as it is. */
static cJSON *pairs(const cJSON *v, const char *key, const char *val, char *why, size_t cap)
{
	if (cJSON_IsArray(v))
		return cJSON_Duplicate(v, 1);
	if (!cJSON_IsObject(v)) {
		snprintf(why, cap, "must be an object of name -> value, or an array");
		return NULL;
	}
	cJSON *arr = cJSON_CreateArray();
	const cJSON *m;
	cJSON_ArrayForEach(m, v) {
		if (!arr)
			break;
		char num[64];
		const char *s = cJSON_IsString(m) ? m->valuestring : NULL;
		if (!s && cJSON_IsNumber(m)) {
			/* the shortest text that reads back as the number */
			snprintf(num, sizeof num, "%.15g", m->valuedouble);
			if (strtod(num, NULL) != m->valuedouble)
				snprintf(num, sizeof num, "%.17g", m->valuedouble);
			s = num;
		} else if (!s && cJSON_IsBool(m)) {
			s = cJSON_IsTrue(m) ? "true" : "false";
		}
		if (!s) {
			snprintf(why, cap, "\"%.60s\" must be a string", m->string ? m->string : "");
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddStringToObject(e, key, m->string) ||
		    !cJSON_AddStringToObject(e, val, s)) {
			cJSON_Delete(e);
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}

int rt_cfn_deploy(rt_plans *p, const rt_cfn_deploy_req *rq, const rt_diff_opts *opts,
                  rt_plan_out *o)
{
	if (!rt_plans_catalog(p))
		return rt_plan_refuse(o, "invalid", "no catalog");
	if (!alc_find_operation(rt_plans_catalog(p), "cloudformation", 14, "CreateChangeSet", 15))
		return rt_plan_refuse(o, "invalid", "the catalog has no CloudFormation: build it "
		                      "with the cloudformation service");
	if (!rq->stack_name || !rq->stack_name[0])
		return rt_plan_refuse(o, "invalid", "deploy_stack needs stack_name");
	if (!rq->template_body == !rq->template_url)
		return rt_plan_refuse(o, "invalid", "deploy_stack needs exactly one of template_body "
		                      "and template_url");
	rt_id tx;
	if (opts && opts->tx)
		tx = *opts->tx;
	else
		rt_id_new(&tx, rt_now_ms());

	/* does the stack exist? (an audited read) */
	cJSON *dsin = cJSON_CreateObject();
	if (!dsin || !cJSON_AddStringToObject(dsin, "StackName", rq->stack_name)) {
		cJSON_Delete(dsin);
		return AL_ENOMEM;
	}
	rt_plan_request rd = { "cloudformation", "DescribeStacks", dsin, rq->region, rq->profile,
	                       NULL, 0, NULL, NULL };
	rt_plan_out ro;
	memset(&ro, 0, sizeof ro);
	int rc = rt_plans_read(p, &rd, &tx, &ro);
	cJSON_Delete(dsin);
	if (rc) {
		rt_plan_out_free(&ro);
		return rc;
	}
	int exists;
	if (ro.error) {
		if (!strstr(ro.error, "does not exist")) {
			rc = rt_plan_refuse(o, ro.code[0] ? ro.code : "failed", "DescribeStacks %s: %s",
			                    rq->stack_name, ro.error);
			rt_plan_out_free(&ro);
			return rc;
		}
		exists = 0;
	} else {
		const cJSON *s = cJSON_GetArrayItem(jget(jget(ro.result, "output"), "Stacks"), 0);
		const char *st = rt_jstr(s, "StackStatus");
		exists = s && !(st && strcmp(st, "REVIEW_IN_PROGRESS") == 0);
	}
	rt_plan_out_free(&ro);

	const char *opn = exists ? "UpdateStack" : "CreateStack";
	cJSON *in = cJSON_CreateObject();
	char why[200] = "";
	int ok = in && cJSON_AddStringToObject(in, "StackName", rq->stack_name) &&
	         (rq->template_body ? cJSON_AddStringToObject(in, "TemplateBody", rq->template_body)
	                            : cJSON_AddStringToObject(in, "TemplateURL", rq->template_url));
	if (ok && rq->parameters) {
		cJSON *v = pairs(rq->parameters, "ParameterKey", "ParameterValue", why, sizeof why);
		ok = v && cJSON_AddItemToObject(in, "Parameters", v);
		if (!v && why[0]) {
			cJSON_Delete(in);
			return rt_plan_refuse(o, "invalid", "deploy_stack: parameters %s", why);
		}
	}
	if (ok && rq->tags) {
		cJSON *v = pairs(rq->tags, "Key", "Value", why, sizeof why);
		ok = v && cJSON_AddItemToObject(in, "Tags", v);
		if (!v && why[0]) {
			cJSON_Delete(in);
			return rt_plan_refuse(o, "invalid", "deploy_stack: tags %s", why);
		}
	}
	if (ok && rq->capabilities)
		ok = jput(in, "Capabilities", cJSON_Duplicate(rq->capabilities, 1)) == 0;
	if (!ok) {
		cJSON_Delete(in);
		return AL_ENOMEM;
	}
	rt_plan_request pr = { "cloudformation", opn, in, rq->region, rq->profile, NULL, 0, NULL,
	                       NULL };
	rt_plan_out po;
	memset(&po, 0, sizeof po);
	rc = rt_plans_create(p, &pr, &tx, &po);
	cJSON_Delete(in);
	if (rc || po.error) {
		if (!rc) {
			rc = rt_plan_refuse(o, po.code, "%s", po.error);
		}
		rt_plan_out_free(&po);
		return rc;
	}
	cJSON *view = po.result;
	po.result = NULL;
	const char *pid = rt_jstr(view, "planId"), *state = rt_jstr(view, "state");
	cJSON *diff = NULL;
	rt_id id;
	if (pid && state && strcmp(state, "Planned") == 0 && rt_id_parse(pid, &id) == 0) {
		rt_plan pl;
		rc = load_plan(p, &id, &tx, &pl);
		if (!rc) {
			rt_diff_opts d2 = { &tx, NULL, NULL, NULL, 0 };
			if (opts) {
				d2.progress = opts->progress;
				d2.cancel = opts->cancel;
				d2.ud = opts->ud;
			}
			rt_plan_out dout;
			memset(&dout, 0, sizeof dout);
			rc = rt_cfn_diff(p, &pl, &d2, &dout);
			diff = dout.result;
			dout.result = NULL;
			if (!rc && dout.error) {
				diff = mkerr(dout.code, "%s", dout.error);
				if (!diff)
					rc = AL_ENOMEM;
			}
			rt_plan_out_free(&dout);
			rt_plan_free(&pl);
		}
		if (rc) {
			cJSON_Delete(view);
			cJSON_Delete(diff);
			return rc == AL_ENOMEM ? rc : rt_plan_refuse(o, "store", "%s", al_strerror(rc));
		}
	}
	char step[600];
	if (!pid || !state)
		snprintf(step, sizeof step, "See the plan.");
	else if (strcmp(state, "Planned") != 0)
		snprintf(step, sizeof step, "The plan is %s: see its nextStep.", state);
	else if (cJSON_IsTrue(jget(view, "approvalRequired")))
		snprintf(step, sizeof step, "Review the diff; call request_approval with plan_id %s "
		         "and a justification, then apply_plan.", pid);
	else
		snprintf(step, sizeof step, "Review the diff, then call apply_plan with plan_id %s: it "
		         "executes this change set and follows the stack's events.", pid);
	cJSON *res = cJSON_CreateObject();
	if (!res || !cJSON_AddStringToObject(res, "operation", opn) ||
	    !cJSON_AddItemToObject(res, "plan", view) ||
	    !cJSON_AddItemToObject(res, "diff", diff ? diff : cJSON_CreateNull()) ||
	    !cJSON_AddStringToObject(res, "nextStep", step)) {
		cJSON_Delete(res);
		return AL_ENOMEM;
	}
	o->result = res;
	return 0;
}
