/*
 * test_cfn.c -- runtime/rt_cfn.c without a network: a fake executor
 * (rt_plans_set_executor) answers the cloudformation calls from recorded
 * responses, so that what moto cannot produce is tested too:
 *
 *   - rendering and conversion of DescribeChangeSet answers that carry
 *     Modify with Replacement True, Conditional and False, details with
 *     Static and Dynamic evaluations, ParameterReference /
 *     ResourceReference / ResourceAttribute change sources and causing
 *     entities, Add, Remove and a PolicyAction: every field is carried as
 *     DescribeChangeSet says it; the text for people is compared with
 *     golden files (tests/cfn/golden/, --update rewrites them);
 *   - a diff through rt_cfn_diff whose DescribeChangeSet answers in two
 *     pages (NextToken) after a CREATE_PENDING: the changes of both pages,
 *     in order; CreateChangeSet's input mapped from the plan (UpdateStack:
 *     TemplateBody, Parameters, Tags, Capabilities; no ClientRequestToken);
 *     the change set kept in the plan's status; every call audited;
 *   - an apply of that plan whose stack fails and rolls back: the events
 *     after the execution only, oldest first, a progress note per event,
 *     ApplyFailed with the failed event and its reason; ExecuteChangeSet
 *     sent with the plan's change set and a ClientRequestToken;
 *   - DeletionPolicy read from JSON and YAML templates (tags, conditions);
 *   - an apply cancelled while it follows a stack that does not finish:
 *     ApplyFailed with FollowStopped after a few polls, the executed change
 *     set left alone;
 *   - a plan whose approval runs out (tests/cfn/policy.yaml: guarded-*,
 *     2 s): once Expired, its change set is deleted.
 *
 * The recorded answers (tests/cfn/fixtures/) are written after the
 * examples of the AWS CloudFormation User Guide, "Example change sets"
 * (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
 * using-cfn-updating-stacks-changesets-samples.html: a direct modification
 * of an EC2 instance's ImageId -> Replacement True; input parameter changes
 * -> Conditional replacement and ParameterReference details), the response
 * elements of the DescribeChangeSet and DescribeStackEvents API references,
 * and the UPDATE_ROLLBACK sequence of "Stack status codes"; ids and names
 * are made up.  They are shaped as rt_exec returns answers (members named
 * as in the Smithy model).
 *
 *   test_cfn CATALOG FIXTURES_DIR GOLDEN_DIR [--update]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "rt_approve.h"
#include "rt_audit.h"
#include "rt_cfn.h"
#include "rt_plan.h"

static int failures, checks, update;
static const char *fixtures, *golden;

#define CHECK(c) do { checks++; if (!(c)) { failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define CHECKF(c, ...) do { checks++; if (!(c)) { failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #c); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return b;
}

static cJSON *fixture(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", fixtures, name);
	char *t = slurp(path, NULL);
	cJSON *j = t ? cJSON_Parse(t) : NULL;
	free(t);
	if (!j) {
		fprintf(stderr, "test_cfn: cannot read fixture %s\n", path);
		exit(1);
	}
	return j;
}

static const char *sget(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int same(const cJSON *a, const cJSON *b)
{
	/* absent on the service's side is null on airlock's */
	if (!b)
		return a && cJSON_IsNull(a);
	return a && cJSON_Compare(a, b, 1);
}

/* GOT (an airlock changeSet change) carries exactly what the service's
 * Changes[] entry WANT says. */
static void expect_change(const cJSON *got, const cJSON *want)
{
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(want, "ResourceChange");
	static const char *const map[][2] = {
		{ "action", "Action" }, { "logicalId", "LogicalResourceId" },
		{ "physicalId", "PhysicalResourceId" }, { "resourceType", "ResourceType" },
		{ "replacement", "Replacement" }, { "scope", "Scope" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		CHECKF(same(cJSON_GetObjectItemCaseSensitive(got, map[i][0]),
		            cJSON_GetObjectItemCaseSensitive(rc, map[i][1])),
		       "%s of %s", map[i][0], sget(rc, "LogicalResourceId"));
	CHECK(same(cJSON_GetObjectItemCaseSensitive(got, "type"),
	           cJSON_GetObjectItemCaseSensitive(want, "Type")));
	const cJSON *gd = cJSON_GetObjectItemCaseSensitive(got, "details");
	const cJSON *wd = cJSON_GetObjectItemCaseSensitive(rc, "Details");
	CHECKF(cJSON_GetArraySize(gd) == cJSON_GetArraySize(wd), "details of %s",
	       sget(rc, "LogicalResourceId"));
	for (int i = 0; i < cJSON_GetArraySize(wd); i++) {
		const cJSON *g = cJSON_GetArrayItem(gd, i), *w = cJSON_GetArrayItem(wd, i);
		const cJSON *gt = cJSON_GetObjectItemCaseSensitive(g, "target");
		const cJSON *wt = cJSON_GetObjectItemCaseSensitive(w, "Target");
		CHECK(same(cJSON_GetObjectItemCaseSensitive(gt, "attribute"),
		           cJSON_GetObjectItemCaseSensitive(wt, "Attribute")));
		CHECK(same(cJSON_GetObjectItemCaseSensitive(gt, "name"),
		           cJSON_GetObjectItemCaseSensitive(wt, "Name")));
		CHECK(same(cJSON_GetObjectItemCaseSensitive(gt, "requiresRecreation"),
		           cJSON_GetObjectItemCaseSensitive(wt, "RequiresRecreation")));
		CHECK(same(cJSON_GetObjectItemCaseSensitive(g, "evaluation"),
		           cJSON_GetObjectItemCaseSensitive(w, "Evaluation")));
		CHECK(same(cJSON_GetObjectItemCaseSensitive(g, "changeSource"),
		           cJSON_GetObjectItemCaseSensitive(w, "ChangeSource")));
		CHECK(same(cJSON_GetObjectItemCaseSensitive(g, "causingEntity"),
		           cJSON_GetObjectItemCaseSensitive(w, "CausingEntity")));
	}
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* RESULT rendered without colour equals GOLDEN_DIR/NAME (or rewrites it). */
static void expect_render(const cJSON *result, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	rt_cfn_render(m, result, 0);
	fclose(m);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", golden, name);
	if (update) {
		FILE *f = fopen(path, "wb");
		CHECK(f && fwrite(buf, 1, len, f) == len);
		if (f)
			fclose(f);
		printf("test_cfn: wrote %s\n", path);
	} else {
		size_t glen = 0;
		char *g = slurp(path, &glen);
		CHECKF(g && glen == len && memcmp(g, buf, len) == 0,
		       "rendering differs from %s:\n%s", path, buf);
		free(g);
	}
	free(buf);
}

/* ---- pure conversion and rendering -------------------------------------- */

static void test_direct(void)
{
	cJSON *d = fixture("direct_modification.json");
	cJSON *r = cJSON_Parse("{\"planId\":\"01TESTPLAN0000000000000000\",\"service\":"
	                       "\"cloudformation\",\"operation\":\"UpdateStack\",\"kind\":\"update\","
	                       "\"status\":\"computed\",\"summary\":{\"changed\":0,\"added\":0,"
	                       "\"removed\":0},\"changes\":[]}");
	CHECK(rt_cfn_changeset_result(r, d) == 0);
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(r, "changeSet");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(cs, "changes");
	CHECK(cJSON_GetArraySize(ch) == 1);
	expect_change(cJSON_GetArrayItem(ch, 0),
	              cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "Changes"), 0));
	CHECK(strcmp(sget(cs, "status"), "CREATE_COMPLETE") == 0 &&
	      strcmp(sget(cs, "executionStatus"), "AVAILABLE") == 0 &&
	      strcmp(sget(cs, "name"), "SampleChangeSet-direct") == 0);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "summary");
	CHECK(num(s, "changed") == 1 && num(s, "replaced") == 1 && num(s, "added") == 0);
	const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "changes"), 0);
	CHECK(strcmp(sget(e, "path"), "/Resources/MyEC2Instance") == 0 &&
	      strcmp(sget(e, "op"), "changed") == 0 && strcmp(sget(e, "replacement"), "True") == 0);
	CHECK(strcmp(sget(r, "status"), "computed") == 0);
	expect_render(r, "direct_modification.txt");
	/* colour: the replaced resource in red */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	rt_cfn_render(m, r, 1);
	fclose(m);
	CHECK(buf && strstr(buf, "\033[31m! Modify") != NULL);
	free(buf);
	cJSON_Delete(r);

	/* a change set that FAILED for another reason than "no changes" */
	cJSON_ReplaceItemInObjectCaseSensitive(d, "Status", cJSON_CreateString("FAILED"));
	cJSON_AddStringToObject(d, "StatusReason", "Template format error: Unresolved resource "
	                        "dependencies [MySubnet] in the Resources block of the template");
	r = cJSON_Parse("{\"summary\":{},\"changes\":[]}");
	CHECK(rt_cfn_changeset_result(r, d) == 0);
	CHECK(strcmp(sget(r, "status"), "read_failed") == 0 &&
	      strcmp(sget(cJSON_GetObjectItemCaseSensitive(r, "error"), "code"),
	             "ChangeSetFailed") == 0 && strstr(sget(r, "message"), "MySubnet"));
	cJSON_Delete(r);
	/* "no changes" is an empty, computed diff */
	cJSON_ReplaceItemInObjectCaseSensitive(d, "StatusReason", cJSON_CreateString(
	        "The submitted information didn't contain changes. Submit different information "
	        "to create a change set."));
	cJSON_ReplaceItemInObjectCaseSensitive(d, "Changes", cJSON_CreateArray());
	r = cJSON_Parse("{\"summary\":{},\"changes\":[]}");
	CHECK(rt_cfn_changeset_result(r, d) == 0);
	CHECK(strcmp(sget(r, "status"), "computed") == 0 && strstr(sget(r, "message"), "no changes"));
	cJSON_Delete(r);
	cJSON_Delete(d);
}

/* ---- DeletionPolicy from templates (rt_cfn_tpl.c) ----------------------- */

static void expect_policies(const char *text, const char *want)
{
	cJSON *p = rt_cfn_deletion_policies(text, strlen(text));
	cJSON *w = want ? cJSON_Parse(want) : NULL;
	CHECKF(want ? p && w && cJSON_Compare(p, w, 1) : p == NULL, "policies of %.60s: %s",
	       text, p ? cJSON_PrintUnformatted(p) : "NULL");
	cJSON_Delete(p);
	cJSON_Delete(w);
}

static void test_policies(void)
{
	expect_policies("{\"Resources\":{\"Logs\":{\"Type\":\"AWS::S3::Bucket\",\"DeletionPolicy\":"
	                "\"Retain\"},\"Db\":{\"DeletionPolicy\":\"Snapshot\"},\"Q\":{\"Type\":\"x\"},"
	                "\"C\":{\"DeletionPolicy\":{\"Fn::If\":[\"Prod\",\"Retain\",\"Delete\"]}}}}",
	                "{\"Logs\":\"Retain\",\"Db\":\"Snapshot\",\"C\":\"dynamic\"}");
	expect_policies("Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n"
	                "  Db:\n    DeletionPolicy: Snapshot\n    Properties: {Engine: !Ref E}\n"
	                "  Topic:\n    DeletionPolicy: !If [Prod, Retain, Delete]\n"
	                "  Q:\n    DeletionPolicy: RetainExceptOnCreate\n  Plain:\n    Type: X\n",
	                "{\"Logs\":\"Retain\",\"Db\":\"Snapshot\",\"Topic\":\"dynamic\","
	                "\"Q\":\"RetainExceptOnCreate\"}");
	expect_policies("Resources: {}\n", "{}");
	expect_policies("just words", NULL);
	expect_policies("[1, 2]", NULL);
	expect_policies("Resources: [A, B]\n", NULL);
	expect_policies("Resources:\n  A: {DeletionPolicy: Retain\n", NULL); /* broken */
}

/* ---- the fake cloudformation -------------------------------------------- */

typedef struct fake {
	int creates, describes, deletes, executes, events_calls, calls;
	int executed;
	int hang;               /* the stack never finishes */
	cJSON *create_input, *execute_input;
	char stack_status[64];
} fake;

static fake fk;

static cJSON *answer_events(void)
{
	cJSON *all = fixture("stack_failed_events.json");
	cJSON *ev = cJSON_GetObjectItemCaseSensitive(all, "StackEvents");
	/* before the execution: only the old event; first poll after it:
	 * up to UPDATE_IN_PROGRESS of the DB (ev-5); then everything */
	int keep_from = !fk.executed ? 6 : fk.hang || fk.events_calls == 1 ? 4 : 0;
	for (int i = 0; i < keep_from; i++)
		cJSON_DeleteItemFromArray(ev, 0);
	return all;
}

static int fake_fn(void *ud, const rt_plan_exec_req *rq, rt_plan_exec_res *rs)
{
	(void)ud;
	fk.calls++;
	const char *op = alc_str(rq->cat, rq->op->name);
	rs->attempts = 1;
	snprintf(rs->request_id, sizeof rs->request_id, "req-%d", fk.calls);
	if (strcmp(op, "CreateChangeSet") == 0) {
		fk.creates++;
		cJSON_Delete(fk.create_input);
		fk.create_input = cJSON_Duplicate(rq->input, 1);
		rs->output = cJSON_Parse("{\"Id\":\"arn:aws:cloudformation:us-east-1:123456789012:"
		                         "changeSet/SampleChangeSet-params/a1a7b5b2-b57b-4f3c-a2ab-"
		                         "0ad0f6e4e2f6\",\"StackId\":\"arn:aws:cloudformation:us-east-1:"
		                         "123456789012:stack/SampleDbStack/1d3a5e10-f6c0-11e5-9e2e-"
		                         "50d5cd24fac6\"}");
	} else if (strcmp(op, "DescribeChangeSet") == 0) {
		if (fk.describes++ == 0) {
			rs->output = cJSON_Parse("{\"Status\":\"CREATE_PENDING\",\"ExecutionStatus\":"
			                         "\"UNAVAILABLE\"}");
		} else {
			rs->output = fixture(cJSON_GetObjectItemCaseSensitive(rq->input, "NextToken")
			                     ? "parameter_change_page2.json" : "parameter_change_page1.json");
		}
	} else if (strcmp(op, "ListChangeSets") == 0) {
		rs->output = cJSON_Parse("{\"Summaries\":[]}");
	} else if (strcmp(op, "DeleteChangeSet") == 0) {
		fk.deletes++;
		rs->output = cJSON_CreateObject();
	} else if (strcmp(op, "ExecuteChangeSet") == 0) {
		fk.executes++;
		fk.executed = 1;
		cJSON_Delete(fk.execute_input);
		fk.execute_input = cJSON_Duplicate(rq->input, 1);
		rs->output = cJSON_CreateObject();
	} else if (strcmp(op, "DescribeStackEvents") == 0) {
		fk.events_calls += fk.executed;
		rs->output = answer_events();
	} else if (strcmp(op, "DescribeStacks") == 0) {
		rs->output = cJSON_CreateObject();
		cJSON *st = cJSON_AddArrayToObject(rs->output, "Stacks");
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "StackId", "arn:aws:cloudformation:us-east-1:123456789012:"
		                        "stack/SampleDbStack/1d3a5e10-f6c0-11e5-9e2e-50d5cd24fac6");
		cJSON_AddStringToObject(s, "StackName", "SampleDbStack");
		cJSON_AddStringToObject(s, "StackStatus", fk.events_calls >= 2 && !fk.hang
		                                          ? "UPDATE_ROLLBACK_COMPLETE"
		                                          : "UPDATE_IN_PROGRESS");
		cJSON_AddItemToArray(st, s);
	} else {
		rs->error = cJSON_Parse("{\"code\":\"Unexpected\",\"message\":\"not faked\"}");
		fprintf(stderr, "test_cfn: unexpected call %s\n", op);
		failures++;
	}
	return 0;
}

/* rt_plans_modify callback: a copy of the plan, unchanged. */
static int copy_plan(rt_plans *pp, rt_txn *tt, rt_plan *x, void *ud)
{
	(void)pp;
	(void)tt;
	rt_plan *out = ud;
	*out = *x;
	out->content = cJSON_Duplicate(x->content, 1);
	out->status = cJSON_Duplicate(x->status, 1);
	out->dirty = 0;
	return out->content && out->status ? 0 : AL_ENOMEM;
}

static char notes[8192];
static int cancel_after;   /* cancel_fn says stop after this many checks */

static int cancel_fn(void *ud)
{
	(void)ud;
	return fk.executed && --cancel_after < 0;
}

static int note_fn(void *ud, double done, const char *msg)
{
	(void)ud;
	(void)done;
	size_t n = strlen(notes);
	snprintf(notes + n, sizeof notes - n, "%s\n", msg);
	return 0;
}

static void test_diff_and_apply(const alc_catalog *cat, const char *home)
{
	rt_plans *p = NULL;
	char err[512];
	rt_plans_config cfg = { cat, NULL, home, "cli" };
	CHECKF(rt_plans_open(&p, &cfg, err, sizeof err) == 0, "open: %s", err);
	if (!p)
		return;
	rt_plans_set_executor(fake_fn, NULL);
	cJSON *in = cJSON_Parse("{\"StackName\":\"SampleDbStack\",\"TemplateBody\":\"{}\","
	                        "\"Parameters\":[{\"ParameterKey\":\"DBAllocatedStorage\","
	                        "\"ParameterValue\":\"100\"}],\"Tags\":[{\"Key\":\"Purpose\","
	                        "\"Value\":\"production\"}],\"Capabilities\":[\"CAPABILITY_IAM\"],"
	                        "\"ClientRequestToken\":\"deploy-42\"}");
	rt_plan_request rq = { "cloudformation", "UpdateStack", in, "us-east-1", NULL, NULL, 0,
	                       NULL, NULL };
	rt_id t;
	rt_id_new(&t, rt_now_ms());
	rt_plan_out o;
	memset(&o, 0, sizeof o);
	CHECK(rt_plans_create(p, &rq, &t, &o) == 0 && o.result);
	char pid[RT_ID_TEXT] = "";
	snprintf(pid, sizeof pid, "%s", o.result ? sget(o.result, "planId") : "");
	CHECKF(o.result && strcmp(sget(o.result, "state"), "Planned") == 0, "state %s",
	       o.result ? sget(o.result, "state") : o.error);
	rt_plan_out_free(&o);
	cJSON_Delete(in);

	/* the diff: CREATE_PENDING, then two pages */
	rt_id id;
	CHECK(rt_id_parse(pid, &id) == 0);
	/* the plan as rt_diff_plan hands it over (content and status) */
	rt_plan pl;
	memset(&pl, 0, sizeof pl);
	CHECK(rt_plans_modify(p, &id, &t, copy_plan, &pl) == 0);
	rt_plan_out g;
	rt_diff_opts dopts = { &t, note_fn, NULL, NULL, 0 };
	memset(&o, 0, sizeof o);
	CHECK(rt_cfn_diff(p, &pl, &dopts, &o) == 0 && o.result);
	rt_plan_free(&pl);
	cJSON *r = o.result;
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(r, "changeSet");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(cs, "changes");
	cJSON *p1 = fixture("parameter_change_page1.json"), *p2 = fixture("parameter_change_page2.json");
	const cJSON *w1 = cJSON_GetObjectItemCaseSensitive(p1, "Changes");
	const cJSON *w2 = cJSON_GetObjectItemCaseSensitive(p2, "Changes");
	CHECKF(cJSON_GetArraySize(ch) == cJSON_GetArraySize(w1) + cJSON_GetArraySize(w2),
	       "%d changes", cJSON_GetArraySize(ch));
	for (int i = 0; i < cJSON_GetArraySize(ch); i++)
		expect_change(cJSON_GetArrayItem(ch, i),
		              i < cJSON_GetArraySize(w1) ? cJSON_GetArrayItem(w1, i)
		                                         : cJSON_GetArrayItem(w2, i - cJSON_GetArraySize(w1)));
	const cJSON *last = cJSON_GetArrayItem(ch, cJSON_GetArraySize(ch) - 1);
	CHECK(last && strcmp(sget(last, "policyAction"), "Delete") == 0);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "summary");
	CHECKF(num(s, "changed") == 3 && num(s, "added") == 1 && num(s, "removed") == 1 &&
	       num(s, "mayBeReplaced") == 2 && num(s, "replaced") == -1, "summary %s",
	       cJSON_PrintUnformatted(s));
	CHECK(strcmp(sget(r, "status"), "computed") == 0 && strcmp(sget(r, "kind"), "update") == 0);
	/* CreateChangeSet's input, mapped from the plan */
	const cJSON *ci = fk.create_input;
	char want[64];
	snprintf(want, sizeof want, "airlock-%s-1", pid);
	CHECK(ci && strcmp(sget(ci, "ChangeSetName"), want) == 0 &&
	      strcmp(sget(ci, "ChangeSetType"), "UPDATE") == 0 &&
	      strcmp(sget(ci, "StackName"), "SampleDbStack") == 0 &&
	      strcmp(sget(ci, "TemplateBody"), "{}") == 0 &&
	      cJSON_GetObjectItemCaseSensitive(ci, "Parameters") &&
	      cJSON_GetObjectItemCaseSensitive(ci, "Tags") &&
	      cJSON_GetObjectItemCaseSensitive(ci, "Capabilities") &&
	      !cJSON_GetObjectItemCaseSensitive(ci, "ClientRequestToken"));
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "notCarried")) == 0);
	CHECK(fk.describes == 3 && fk.creates == 1 && fk.deletes == 0);
	CHECK(strstr(notes, "creating change set") != NULL);
	/* the plan id changes per run: the golden text has a fixed one */
	cJSON_ReplaceItemInObjectCaseSensitive(r, "planId",
	                                       cJSON_CreateString("01TESTPLAN0000000000000000"));
	expect_render(r, "parameter_change.txt");
	rt_plan_out_free(&o);
	cJSON_Delete(p1);
	cJSON_Delete(p2);

	/* the apply: the stack fails and rolls back */
	notes[0] = '\0';
	rt_apply_opts ao = { note_fn, NULL, NULL };
	memset(&o, 0, sizeof o);
	rt_id t2;
	rt_id_new(&t2, rt_now_ms());
	CHECK(rt_plans_apply_opts(p, pid, &t2, &ao, &o) == 0);
	CHECKF(o.error && strstr(o.error, "StackFailed") && strstr(o.error, "MyDBInstance") &&
	       strstr(o.error, "Invalid storage size"), "apply: %s", o.error ? o.error : "no error");
	rt_plan_out_free(&o);
	CHECK(fk.executes == 1 && fk.creates == 1); /* the diff's change set, not a new one */
	CHECK(fk.execute_input &&
	      strstr(sget(fk.execute_input, "ChangeSetName") ? sget(fk.execute_input, "ChangeSetName")
	                                                      : "", "SampleChangeSet-params") &&
	      strcmp(sget(fk.execute_input, "ClientRequestToken"), "deploy-42") == 0);
	CHECKF(strstr(notes, "MyDBInstance AWS::RDS::DBInstance UPDATE_FAILED: Resource handler") &&
	       !strstr(notes, "CREATE_COMPLETE"), "notes:\n%s", notes);
	memset(&g, 0, sizeof g);
	CHECK(rt_plans_get(p, pid, &t2, &g) == 0 && g.result);
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(g.result, "apply");
	const cJSON *ae = cJSON_GetObjectItemCaseSensitive(ap, "error");
	const cJSON *fe = cJSON_GetObjectItemCaseSensitive(ae, "failedEvents");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(ae, "events");
	CHECK(strcmp(sget(g.result, "state"), "ApplyFailed") == 0);
	CHECK(strcmp(sget(ae, "stackStatus"), "UPDATE_ROLLBACK_COMPLETE") == 0);
	CHECK(cJSON_GetArraySize(fe) == 1 &&
	      strcmp(sget(cJSON_GetArrayItem(fe, 0), "logicalId"), "MyDBInstance") == 0 &&
	      strcmp(sget(cJSON_GetArrayItem(fe, 0), "status"), "UPDATE_FAILED") == 0);
	/* the events after the execution, oldest first, each once */
	const char *order[] = { "ev-4", "ev-5", "ev-6", "ev-7", "ev-8", "ev-9" };
	CHECKF(cJSON_GetArraySize(ev) == 6, "%d events", cJSON_GetArraySize(ev));
	for (int i = 0; i < 6 && i < cJSON_GetArraySize(ev); i++)
		CHECK(strcmp(sget(cJSON_GetArrayItem(ev, i), "eventId"), order[i]) == 0);
	rt_plan_out_free(&g);

	/* every call was audited, with the plan */
	cJSON *recs = NULL;
	rt_audit_query q = { &id, NULL, 0, 0, 0 };
	CHECK(rt_audit_query_run(rt_plans_store(p), &q, &recs) == 0);
	int calls = 0, kept = 0, polls = 0;
	const cJSON *rec;
	cJSON_ArrayForEach(rec, recs) {
		if (strcmp(sget(rec, "kind"), "call") != 0)
			continue;
		calls++;
		/* each poll of the events records only what is new */
		const cJSON *pay = cJSON_GetObjectItemCaseSensitive(rec, "payload");
		const cJSON *resp = cJSON_GetObjectItemCaseSensitive(pay, "response");
		if (sget(pay, "operation") && strcmp(sget(pay, "operation"), "DescribeStackEvents") == 0 &&
		    cJSON_GetObjectItemCaseSensitive(resp, "olderEventsNotRepeated")) {
			polls++;
			kept += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp, "StackEvents"));
		}
	}
	CHECKF(calls == fk.calls, "%d call records, %d calls", calls, fk.calls);
	CHECKF(polls == 2 && kept == 6, "%d polls recorded %d events", polls, kept);
	cJSON_Delete(recs);

	/* cancelled while following: the plan ends ApplyFailed with
	 * FollowStopped (the change goes on in AWS), after a bounded number of
	 * polls; a plan never diffed gets its change set at apply */
	cJSON_Delete(fk.create_input);
	cJSON_Delete(fk.execute_input);
	memset(&fk, 0, sizeof fk);
	fk.hang = 1;
	in = cJSON_Parse("{\"StackName\":\"SampleDbStack\",\"TemplateBody\":\"{\\\"x\\\":1}\"}");
	rq.input = in;
	memset(&o, 0, sizeof o);
	CHECK(rt_plans_create(p, &rq, &t, &o) == 0 && o.result);
	snprintf(pid, sizeof pid, "%s", o.result ? sget(o.result, "planId") : "");
	rt_plan_out_free(&o);
	cJSON_Delete(in);
	notes[0] = '\0';
	cancel_after = 3;
	rt_apply_opts ac = { note_fn, cancel_fn, NULL };
	memset(&o, 0, sizeof o);
	CHECK(rt_plans_apply_opts(p, pid, &t2, &ac, &o) == 0);
	CHECKF(o.error && strstr(o.error, "FollowStopped") && strstr(o.error, "goes on in AWS"),
	       "cancelled apply: %s", o.error ? o.error : "no error");
	rt_plan_out_free(&o);
	CHECK(fk.creates == 1 && fk.executes == 1 && fk.events_calls >= 1 && fk.events_calls < 10);
	memset(&g, 0, sizeof g);
	CHECK(rt_plans_get(p, pid, &t2, &g) == 0 && g.result &&
	      strcmp(sget(g.result, "state"), "ApplyFailed") == 0);
	rt_plan_out_free(&g);
	CHECK(fk.deletes == 0); /* an executed change set is never deleted */


	/* an approval that runs out: the expired plan's change set is deleted
	 * (the policy holds guarded-* updates for 2 s) */
	cJSON_Delete(fk.create_input);
	cJSON_Delete(fk.execute_input);
	memset(&fk, 0, sizeof fk);
	in = cJSON_Parse("{\"StackName\":\"guarded-1\",\"TemplateBody\":\"{}\"}");
	rq.input = in;
	memset(&o, 0, sizeof o);
	CHECK(rt_plans_create(p, &rq, &t, &o) == 0 && o.result);
	snprintf(pid, sizeof pid, "%s", o.result ? sget(o.result, "planId") : "");
	CHECK(o.result && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o.result, "approvalRequired")));
	rt_plan_out_free(&o);
	cJSON_Delete(in);
	CHECK(rt_id_parse(pid, &id) == 0);
	memset(&pl, 0, sizeof pl);
	CHECK(rt_plans_modify(p, &id, &t, copy_plan, &pl) == 0);
	memset(&o, 0, sizeof o);
	CHECK(rt_cfn_diff(p, &pl, &dopts, &o) == 0 && o.result);
	rt_plan_free(&pl);
	rt_plan_out_free(&o);
	CHECK(fk.creates == 1 && fk.deletes == 0);
	memset(&o, 0, sizeof o);
	CHECK(rt_approve_request(p, pid, "a test", NULL, &t, &o) == 0);
	CHECKF(o.result && strcmp(sget(o.result, "state"), "AwaitingApproval") == 0, "%s",
	       o.error ? o.error : "?");
	rt_plan_out_free(&o);
	usleep(2300 * 1000);
	memset(&g, 0, sizeof g);
	CHECK(rt_plans_get(p, pid, &t2, &g) == 0 && g.result); /* expires it, then cleans up */
	rt_plan_out_free(&g);
	memset(&g, 0, sizeof g);
	CHECK(rt_plans_get(p, pid, &t2, &g) == 0 && g.result);
	const cJSON *gcs = g.result ? cJSON_GetObjectItemCaseSensitive(g.result, "changeSet") : NULL;
	CHECKF(g.result && strcmp(sget(g.result, "state"), "Expired") == 0 && fk.deletes == 1 &&
	       cJSON_GetObjectItemCaseSensitive(gcs, "deletedAt"), "state %s, %d deletes",
	       g.result ? sget(g.result, "state") : "?", fk.deletes);
	rt_plan_out_free(&g);

	rt_plans_set_executor(NULL, NULL);
	rt_plans_close(p);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: test_cfn CATALOG FIXTURES_DIR GOLDEN_DIR [--update]\n");
		return 2;
	}
	fixtures = argv[2];
	golden = argv[3];
	update = argc > 4 && strcmp(argv[4], "--update") == 0;
	char home[] = "/tmp/airlock-test-cfn-XXXXXX";
	if (!mkdtemp(home))
		return 1;
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	unsetenv("AWS_PROFILE");
	alc_catalog cat;
	alc_diag diag;
	if (alc_open(&cat, argv[1], &diag) != 0) {
		fprintf(stderr, "test_cfn: cannot open %s\n", argv[1]);
		return 1;
	}
	test_direct();
	test_policies();
	test_diff_and_apply(&cat, home);
	cJSON_Delete(fk.create_input);
	cJSON_Delete(fk.execute_input);
	alc_close(&cat);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (system(cmd) != 0)
		fprintf(stderr, "test_cfn: could not remove %s\n", home);
	printf("test_cfn: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
