/*
 * rt_plan_cli.c -- the commands of plans, approvals and the audit log:
 *
 *   airlock plan SERVICE OPERATION --input JSON|@FILE|@- [--region R]
 *                [--profile P] [--account ID] [--justification TEXT]
 *                [--no-dry-run] [--json]
 *   airlock diff PLAN [--verbose] [--json]
 *   airlock apply PLAN [--json]
 *   airlock plans [--state S] [--limit N] [--json]
 *   airlock show PLAN [--json]
 *   airlock approve PLAN [--comment TEXT] [--name NAME]
 *   airlock reject PLAN [--comment TEXT] [--name NAME] [--json]
 *   airlock audit list [--plan P] [--tx T] [--since TIME] [--limit N] [--json]
 *   airlock audit show SEQ|OPID [--json]
 *   airlock audit export --jsonl [--plan P] [--tx T] [--since TIME]
 *   airlock audit verify [--json]
 *
 * plan and apply need the catalog (--catalog FILE, $AIRLOCK_CATALOG, the
 * default path); the others read and write the state only.  The state is
 * $AIRLOCK_HOME (rt_store.h).
 *
 * approve asks on the terminal: the plan and a fresh diff (rt_diff.h; when
 * the catalog can be opened and the diff made, else it says why and the
 * person still decides) are printed to /dev/tty and the person types
 * "approve" there.  There is no --yes: a process without a
 * controlling terminal (an MCP server, an agent's non-interactive shell, a
 * CI job) cannot approve, and typing on /dev/tty is what a person does.
 * (An agent driving a pseudo-terminal could type too: run agents as
 * another OS user, or on another host, when that matters -- approvals
 * record the OS user.)  reject needs no terminal: refusing is always safe.
 *
 * Exit status: 0 success (plan: Planned or AwaitingApproval, whatever its
 * EC2 DryRun check says; apply: Applied; diff: computed, or no read
 * mapping; audit verify: intact); 1 negative (refused, failed, denied,
 * invalid, aborted, chain broken, a diff whose read failed); 2 usage; 3 catalog unusable; 4 the
 * state cannot be used or memory ran out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_approve.h"
#include "rt_audit.h"
#include "rt_cli.h"
#include "rt_diff.h"
#include "rt_plan.h"

/* ---- options ----------------------------------------------------------- */

#define MAX_POS 8

typedef struct popts {
	const char *catalog, *input, *region, *profile, *account, *justification;
	const char *comment, *name, *state, *limit, *plan, *tx, *since, *pages;
	int json, jsonl, help, no_dry_run, verbose;
	const char *pos[MAX_POS];
	int npos;
} popts;

static void usage(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void usage(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	fputs("airlock: ", stderr);
	vfprintf(stderr, f, ap);
	fputs("\nairlock: run `airlock help` for usage\n", stderr);
	va_end(ap);
}

static int parse(int argc, char **argv, popts *o)
{
	static const struct { const char *name; size_t off; } valued[] = {
		{ "--catalog", offsetof(popts, catalog) },
		{ "--input", offsetof(popts, input) },
		{ "--region", offsetof(popts, region) },
		{ "--profile", offsetof(popts, profile) },
		{ "--account", offsetof(popts, account) },
		{ "--justification", offsetof(popts, justification) },
		{ "--comment", offsetof(popts, comment) },
		{ "--name", offsetof(popts, name) },
		{ "--state", offsetof(popts, state) },
		{ "--limit", offsetof(popts, limit) },
		{ "--pages", offsetof(popts, pages) },
		{ "--plan", offsetof(popts, plan) },
		{ "--tx", offsetof(popts, tx) },
		{ "--since", offsetof(popts, since) },
	};
	memset(o, 0, sizeof *o);
	int only_pos = 0;
	for (int i = 0; i < argc; i++) { /* pos[0] is the command */
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (o->npos == MAX_POS) {
				usage("too many arguments");
				return -1;
			}
			o->pos[o->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = 1;
			continue;
		}
		if (strcmp(a, "--jsonl") == 0) {
			o->jsonl = 1;
			continue;
		}
		if (strcmp(a, "--no-dry-run") == 0) {
			o->no_dry_run = 1;
			continue;
		}
		if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
			o->verbose = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			usage("there is no %s: a person confirms an approval on the terminal", a);
			return -1;
		}
		size_t k;
		for (k = 0; k < sizeof valued / sizeof valued[0]; k++) {
			size_t l = strlen(valued[k].name);
			if (strncmp(a, valued[k].name, l) != 0 || (a[l] != '\0' && a[l] != '='))
				continue;
			const char *v = a[l] == '=' ? a + l + 1 : NULL;
			if (!v) {
				if (i + 1 >= argc) {
					usage("%s needs a value", valued[k].name);
					return -1;
				}
				v = argv[++i];
			}
			*(const char **)(void *)((char *)o + valued[k].off) = v;
			break;
		}
		if (k == sizeof valued / sizeof valued[0]) {
			usage("unknown option %s", a);
			return -1;
		}
	}
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

/* The catalog of --catalog or the default path when it can be used: 0,
 * else -1 with the reason in WHY, and nothing printed (approve's diff is
 * optional). */
static int open_cat_quiet(const popts *o, alc_catalog *cat, char *why, size_t cap)
{
	char buf[4096];
	const char *path = o->catalog ? o->catalog : rt_cli_default_catalog(buf, sizeof buf);
	if (!path) {
		snprintf(why, cap, "no catalog: pass --catalog FILE or set AIRLOCK_CATALOG");
		return -1;
	}
	alc_diag diag;
	int rc = alc_open(cat, path, &diag);
	if (rc) {
		snprintf(why, cap, "catalog %s cannot be used: %s%s%s", path, al_strerror(rc),
		         diag.msg[0] ? ": " : "", diag.msg);
		return -1;
	}
	return 0;
}

/* The same for commands that need it: refuses with the reason. */
static int open_cat(const popts *o, alc_catalog *cat)
{
	char why[512];
	if (open_cat_quiet(o, cat, why, sizeof why) == 0)
		return 0;
	fprintf(stderr, "airlock: %s; refusing to plan or apply (fail closed)\n", why);
	return RT_EXIT_CATALOG;
}

/* Colours for people: on a terminal, unless NO_COLOR is set (no-color.org). */
static int use_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fileno(f)) && !(nc && nc[0]);
}

static int open_store(const alc_catalog *cat, rt_plans **p)
{
	char err[512];
	rt_plans_config cfg = { cat, NULL, NULL, "cli" };
	int rc = rt_plans_open(p, &cfg, err, sizeof err);
	if (rc) {
		fprintf(stderr, "airlock: the plan store cannot be used (%s): %s; nothing can be "
		        "planned, approved or applied until it can\n", al_strerror(rc), err);
		return RT_EXIT_FAILURE;
	}
	return 0;
}

static const char *s_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static const char *or_(const char *s, const char *d)
{
	return s ? s : d;
}

static int print_json(FILE *f, const cJSON *v)
{
	char *s = cJSON_Print(v);
	if (!s)
		return RT_EXIT_FAILURE;
	fputs(s, f);
	fputc('\n', f);
	free(s);
	return 0;
}

/* Prints a refusal (or failure) and returns the exit status. */
static int refused(const char *cmd, rt_plan_out *o)
{
	fprintf(stderr, "airlock: %s: %s%s%s%s\n", cmd, o->error,
	        o->code[0] ? " [" : "", o->code, o->code[0] ? "]" : "");
	return strcmp(o->code, "store") == 0 ? RT_EXIT_FAILURE : RT_EXIT_NEGATIVE;
}

/* The plan view V for people. */
static void print_plan(FILE *f, const cJSON *v)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "caller");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(v, "decision");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(v, "approval");
	fprintf(f, "plan %s  %s\n", or_(s_of(v, "planId"), "?"), or_(s_of(v, "state"), "?"));
	fprintf(f, "  call      %s:%s  (risk %s, %s)\n", or_(s_of(v, "service"), "?"),
	        or_(s_of(v, "operation"), "?"), or_(s_of(v, "risk"), "?"), or_(s_of(d, "access"), "?"));
	fprintf(f, "  caller    profile %s, region %s, account %s; OS user %s via %s\n",
	        or_(s_of(c, "profile"), "?"), or_(s_of(c, "region"), "(not known)"),
	        or_(s_of(c, "account"), "(not known)"), or_(s_of(c, "osUser"), "?"),
	        or_(s_of(c, "via"), "?"));
	fprintf(f, "  created   %s", or_(s_of(v, "createdAt"), "?"));
	if (s_of(v, "expiresAt"))
		fprintf(f, "; expires %s", s_of(v, "expiresAt"));
	fputc('\n', f);
	char *in = cJSON_Print(cJSON_GetObjectItemCaseSensitive(v, "input"));
	fputs("  input     ", f);
	for (const char *p = in ? in : "?"; *p; p++) {
		if (*p == '\t')
			fputs(p > in && p[-1] == ':' ? " " : "  ", f);
		else
			fputc(*p, f);
		if (*p == '\n')
			fputs("            ", f);
	}
	fputc('\n', f);
	free(in);
	fprintf(f, "  policy    %s by rule %s: %s\n", or_(s_of(d, "decision"), "?"),
	        or_(s_of(d, "rule"), "?"), or_(s_of(d, "reason"), ""));
	const cJSON *mr = cJSON_GetObjectItemCaseSensitive(d, "matchedRules"), *e;
	if (cJSON_GetArraySize(mr) > 0) {
		fputs("  rules    ", f);
		cJSON_ArrayForEach(e, mr)
			if (cJSON_IsString(e))
				fprintf(f, " %s", e->valuestring);
		fputc('\n', f);
	}
	const cJSON *viol = cJSON_GetObjectItemCaseSensitive(v, "violations");
	cJSON_ArrayForEach(e, viol)
		fprintf(f, "  invalid   %s: %s\n", or_(s_of(e, "pointer"), ""), or_(s_of(e, "message"), ""));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ap, "required"))) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(ap, "approvers");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(ap, "ttlSeconds");
		fprintf(f, "  approval  %d approver%s, valid %d s; channels:",
		        cJSON_IsNumber(n) ? n->valueint : 1,
		        cJSON_IsNumber(n) && n->valueint > 1 ? "s (distinct OS users)" : "",
		        cJSON_IsNumber(t) ? t->valueint : 0);
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ap, "channels"))
			if (cJSON_IsString(e))
				fprintf(f, " %s", e->valuestring);
		fputc('\n', f);
	}
	const cJSON *rq = cJSON_GetObjectItemCaseSensitive(ap, "request");
	if (cJSON_IsObject(rq))
		fprintf(f, "  requested %s by %s via %s: \"%s\"\n", or_(s_of(rq, "at"), "?"),
		        or_(s_of(rq, "osUser"), "?"), or_(s_of(rq, "via"), "?"),
		        or_(s_of(rq, "justification"), ""));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ap, "grants"))
		fprintf(f, "  approved  %s by %s (%s) via %s%s%s\n", or_(s_of(e, "at"), "?"),
		        or_(s_of(e, "osUser"), "?"), or_(s_of(e, "name"), ""), or_(s_of(e, "channel"), "?"),
		        s_of(e, "comment") && s_of(e, "comment")[0] ? ": " : "", or_(s_of(e, "comment"), ""));
	const cJSON *rj = cJSON_GetObjectItemCaseSensitive(ap, "rejection");
	if (cJSON_IsObject(rj))
		fprintf(f, "  rejected  %s by %s (%s) via %s%s%s\n", or_(s_of(rj, "at"), "?"),
		        or_(s_of(rj, "osUser"), "?"), or_(s_of(rj, "name"), ""),
		        or_(s_of(rj, "channel"), "?"), s_of(rj, "comment") && s_of(rj, "comment")[0] ? ": " : "",
		        or_(s_of(rj, "comment"), ""));
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, "apply");
	if (cJSON_IsObject(a)) {
		fprintf(f, "  apply     started %s", or_(s_of(a, "startedAt"), "?"));
		if (s_of(a, "outcome"))
			fprintf(f, "; %s at %s", s_of(a, "outcome"), or_(s_of(a, "finishedAt"), "?"));
		fputc('\n', f);
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(a, "error");
		if (cJSON_IsObject(err))
			fprintf(f, "  error     %s: %s\n", or_(s_of(err, "code"), "?"),
			        or_(s_of(err, "message"), ""));
	}
	const cJSON *dr = cJSON_GetObjectItemCaseSensitive(v, "dryRun");
	if (cJSON_IsObject(dr))
		fprintf(f, "  dry run   %s (%s): %s\n", or_(s_of(dr, "result"), "?"),
		        or_(s_of(dr, "code"), "?"), or_(s_of(dr, "message"), ""));
	const cJSON *df = cJSON_GetObjectItemCaseSensitive(v, "diff");
	if (cJSON_IsObject(df))
		fprintf(f, "  diff      %s at %s: %s (airlock diff %.26s)\n", or_(s_of(df, "status"), "?"),
		        or_(s_of(df, "computedAt"), "?"), or_(s_of(df, "message"), ""),
		        or_(s_of(v, "planId"), "?"));
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(v, "changeSet"); /* rt_cfn.h */
	if (cJSON_IsObject(cs))
		fprintf(f, "  changeset %s (%s, %s)%s%s%s%s\n", or_(s_of(cs, "name"), "?"),
		        or_(s_of(cs, "type"), "?"), or_(s_of(cs, "status"), "?"),
		        s_of(cs, "executedAt") ? "; executed at " : "",
		        s_of(cs, "executedAt") ? s_of(cs, "executedAt") : "",
		        s_of(cs, "deletedAt") ? "; deleted at " : "",
		        s_of(cs, "deletedAt") ? s_of(cs, "deletedAt") : "");
	fprintf(f, "  digest    sha256:%s%s\n", or_(s_of(v, "digest"), "?"),
	        cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(v, "digestIntact"))
	        ? "  (CHANGED: the stored plan no longer matches it)" : "");
	fprintf(f, "  catalog   %s\n", or_(s_of(v, "catalog"), "?"));
	fprintf(f, "  next      %s\n", or_(s_of(v, "nextStep"), ""));
}

/* ---- commands ---------------------------------------------------------- */

/* The call's --input (JSON text, @FILE or @-; "{}" when SPEC is NULL) as
 * an object into *OUT; 0 or RT_EXIT_USAGE after saying why. */
static int input_object(const char *spec, cJSON **out)
{
	char *text = spec ? rt_cli_read_arg("--input", spec) : strdup("{}");
	if (!text)
		return RT_EXIT_USAGE;
	cJSON *input = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	if (!cJSON_IsObject(input)) {
		cJSON_Delete(input);
		usage("--input must be a JSON object");
		return RT_EXIT_USAGE;
	}
	*out = input;
	return 0;
}

static int cmd_plan(const popts *o, rt_plans *p, const rt_id *tx)
{
	cJSON *input;
	if (input_object(o->input, &input) != 0)
		return RT_EXIT_USAGE;
	rt_plan_request rq = { o->pos[1], o->pos[2], input, o->region, o->profile, o->account, 0, NULL, NULL };
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_create(p, &rq, tx, &out);
	cJSON_Delete(input);
	if (rc) {
		fprintf(stderr, "airlock: plan: %s\n", al_strerror(rc));
		return RT_EXIT_FAILURE;
	}
	if (out.error) {
		rc = refused("plan", &out);
		rt_plan_out_free(&out);
		return rc;
	}
	const char *state = s_of(out.result, "state");
	int ok = state && strcmp(state, "Planned") == 0;
	if (ok && !o->no_dry_run) {
		/* EC2: the DryRun permission check (rt_diff.h); the plan stands
		 * whatever it says */
		cJSON *dry = NULL;
		rc = rt_dryrun_plan(p, s_of(out.result, "planId"), tx, &dry);
		if (rc == AL_ENOMEM) {
			rt_plan_out_free(&out);
			fprintf(stderr, "airlock: plan: %s\n", al_strerror(rc));
			return RT_EXIT_FAILURE;
		}
		if (rc)
			fprintf(stderr, "airlock: plan: the DryRun check could not be kept: %s\n",
			        al_strerror(rc));
		rc = 0;
		if (dry)
			cJSON_AddItemToObject(out.result, "dryRun", dry);
	}
	if (ok && o->justification &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out.result, "approvalRequired"))) {
		/* the request, from the command line: no elicitation here */
		rt_plan_out req;
		memset(&req, 0, sizeof req);
		rc = rt_approve_request(p, s_of(out.result, "planId"), o->justification, NULL, tx, &req);
		if (rc || req.error) {
			rc = rc ? RT_EXIT_FAILURE : refused("plan", &req);
			rt_plan_out_free(&req);
			rt_plan_out_free(&out);
			return rc;
		}
		cJSON_Delete(out.result);
		out.result = req.result;
		req.result = NULL;
		rt_plan_out_free(&req);
	}
	if (o->json)
		rc = print_json(stdout, out.result);
	else
		print_plan(stdout, out.result);
	if (!rc && !ok)
		rc = RT_EXIT_NEGATIVE;
	rt_plan_out_free(&out);
	return rc;
}

/* airlock call: plan and apply one read operation the policy allows
 * without approval, audited like any apply (rt_plans_read); anything else
 * is refused and goes through plan and apply. */
static int cmd_call(const popts *o, rt_plans *p, const rt_id *tx)
{
	cJSON *input;
	if (input_object(o->input, &input) != 0)
		return RT_EXIT_USAGE;
	rt_plan_request rq = { o->pos[1], o->pos[2], input, o->region, o->profile, o->account, 0, NULL, NULL };
	if (o->pages) {
		char *end;
		long n = strtol(o->pages, &end, 10);
		if (*end || n < 1 || n > RT_PLAN_MAX_PAGES) {
			cJSON_Delete(input);
			usage("--pages takes a number from 1 to %d", RT_PLAN_MAX_PAGES);
			return RT_EXIT_USAGE;
		}
		rq.max_pages = (int)n;
	}
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_read(p, &rq, tx, &out);
	cJSON_Delete(input);
	if (rc) {
		fprintf(stderr, "airlock: call: %s\n", al_strerror(rc));
		return RT_EXIT_FAILURE;
	}
	if (out.error) {
		rc = refused("call", &out);
		rt_plan_out_free(&out);
		return rc;
	}
	rc = print_json(stdout, out.result);
	rt_plan_out_free(&out);
	return rc;
}

static int cmd_diff(const popts *o, rt_plans *p, const rt_id *tx)
{
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	rt_diff_opts d = { tx, NULL, NULL, NULL, 0 };
	int rc = rt_diff_plan(p, o->pos[1], &d, &out);
	if (rc) {
		fprintf(stderr, "airlock: diff: %s\n", al_strerror(rc));
		return RT_EXIT_FAILURE;
	}
	if (out.error) {
		rc = refused("diff", &out);
	} else if (o->json) {
		rc = print_json(stdout, out.result);
	} else {
		rt_diff_render(stdout, out.result, use_color(stdout), o->verbose);
	}
	/* a diff that could not read the state is a negative answer */
	if (!rc && out.result && s_of(out.result, "status") &&
	    strcmp(s_of(out.result, "status"), "read_failed") == 0)
		rc = RT_EXIT_NEGATIVE;
	rt_plan_out_free(&out);
	return rc;
}

static int cmd_apply(const popts *o, rt_plans *p, const rt_id *tx)
{
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_apply(p, o->pos[1], tx, &out);
	if (rc) {
		fprintf(stderr, "airlock: apply: %s\n", al_strerror(rc));
		return RT_EXIT_FAILURE;
	}
	if (out.error) {
		rc = refused("apply", &out);
	} else if (o->json) {
		rc = print_json(stdout, out.result);
	} else {
		print_plan(stdout, out.result);
		fputs("output:\n", stdout);
		rc = print_json(stdout, cJSON_GetObjectItemCaseSensitive(out.result, "output"));
	}
	rt_plan_out_free(&out);
	return rc;
}

static int cmd_plans(const popts *o, rt_plans *p, const rt_id *tx)
{
	int state = 0;
	if (o->state && !(state = rt_plan_state_find(o->state))) {
		usage("--state must be one of Planned, Failed, Denied, AwaitingApproval, Approved, "
		      "Rejected, Expired, Applying, Applied, ApplyFailed");
		return RT_EXIT_USAGE;
	}
	long limit = o->limit ? strtol(o->limit, NULL, 10) : 50;
	if (limit < 1 || limit > 1000) {
		usage("--limit must be from 1 to 1000");
		return RT_EXIT_USAGE;
	}
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_list(p, state, (size_t)limit, tx, &out);
	if (rc || out.error) {
		rc = rc ? RT_EXIT_FAILURE : refused("plans", &out);
		rt_plan_out_free(&out);
		return rc;
	}
	if (o->json) {
		rc = print_json(stdout, out.result);
	} else {
		const cJSON *e, *arr = cJSON_GetObjectItemCaseSensitive(out.result, "plans");
		if (cJSON_GetArraySize(arr) == 0)
			puts("no plans");
		cJSON_ArrayForEach(e, arr) {
			char call[160];
			snprintf(call, sizeof call, "%s:%s", or_(s_of(e, "service"), "?"),
			         or_(s_of(e, "operation"), "?"));
			printf("%s  %-16s %-44s %-8s %s%s\n", or_(s_of(e, "planId"), "?"),
			       or_(s_of(e, "state"), "?"), call, or_(s_of(e, "risk"), "?"),
			       or_(s_of(e, "createdAt"), ""),
			       s_of(e, "expiresAt") ? "" : "");
		}
	}
	rt_plan_out_free(&out);
	return rc;
}

static int cmd_show(const popts *o, rt_plans *p, const rt_id *tx)
{
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_get(p, o->pos[1], tx, &out);
	if (rc || out.error) {
		rc = rc ? RT_EXIT_FAILURE : refused("show", &out);
		rt_plan_out_free(&out);
		return rc;
	}
	if (o->json)
		rc = print_json(stdout, out.result);
	else
		print_plan(stdout, out.result);
	rt_plan_out_free(&out);
	return rc;
}

static int hex_digest(const char *h, unsigned char d[32])
{
	if (!h || strlen(h) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		d[i] = (unsigned char)v;
	}
	return 0;
}

static int cmd_decide(const popts *o, rt_plans *p, const rt_id *tx, int grant,
                      const char *no_cat)
{
	const char *cmd = grant ? "approve" : "reject";
	rt_plan_out out;
	memset(&out, 0, sizeof out);
	int rc = rt_plans_get(p, o->pos[1], tx, &out);
	if (rc || out.error) {
		rc = rc ? RT_EXIT_FAILURE : refused(cmd, &out);
		rt_plan_out_free(&out);
		return rc;
	}
	unsigned char digest[32];
	const char *id = s_of(out.result, "planId");
	if (!id || hex_digest(s_of(out.result, "digest"), digest) != 0) {
		rt_plan_out_free(&out);
		fprintf(stderr, "airlock: %s: the plan's view is incomplete\n", cmd);
		return RT_EXIT_FAILURE;
	}
	char idc[RT_ID_TEXT];
	snprintf(idc, sizeof idc, "%s", id);
	if (grant) {
		const char *state = s_of(out.result, "state");
		if (!state || strcmp(state, "AwaitingApproval") != 0) {
			fprintf(stderr, "airlock: approve: plan %s is %s: only a plan waiting for approval "
			        "(AwaitingApproval) can be approved\n", idc, state ? state : "?");
			rt_plan_out_free(&out);
			return RT_EXIT_NEGATIVE;
		}
		int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		FILE *tty = fd >= 0 ? fdopen(fd, "r+") : NULL;
		if (!tty) {
			if (fd >= 0)
				close(fd);
			fprintf(stderr, "airlock: approve needs a terminal: a person reads the plan and "
			        "confirms it on /dev/tty (%s); there is no --yes\n", strerror(errno));
			rt_plan_out_free(&out);
			return RT_EXIT_NEGATIVE;
		}
		print_plan(tty, out.result);
		/* what it would change, computed now; a diff that cannot be made
		 * is said, and the person still decides */
		fputc('\n', tty);
		if (no_cat) {
			fprintf(tty, "diff: not available: %s\n", no_cat);
		} else {
			rt_plan_out dout;
			memset(&dout, 0, sizeof dout);
			rt_diff_opts dopt = { tx, NULL, NULL, NULL, 0 };
			int drc = rt_diff_plan(p, idc, &dopt, &dout);
			if (drc == 0 && dout.result)
				rt_diff_render(tty, dout.result, use_color(tty), 0);
			else
				fprintf(tty, "diff: could not be made: %s\n",
				        dout.error ? dout.error : al_strerror(drc));
			rt_plan_out_free(&dout);
		}
		fprintf(tty, "\nApprove plan %s? Type \"approve\" to approve it, anything else to "
		        "stop: ", idc);
		fflush(tty);
		char line[64] = "";
		if (!fgets(line, sizeof line, tty))
			line[0] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "approve") != 0) {
			fprintf(tty, "not approved: nothing was recorded\n");
			fclose(tty);
			rt_plan_out_free(&out);
			return RT_EXIT_NEGATIVE;
		}
		fclose(tty);
	}
	rt_plan_out_free(&out);
	rt_approver who;
	rt_approver_self(&who, o->name, o->comment);
	/* bound to the digest that was shown */
	rc = rt_approve_decide(p, idc, grant, RT_CH_CLI, &who, digest, tx, &out);
	if (rc || out.error) {
		rc = rc ? RT_EXIT_FAILURE : refused(cmd, &out);
		rt_plan_out_free(&out);
		return rc;
	}
	if (o->json) {
		rc = print_json(stdout, out.result);
	} else {
		const char *st = or_(s_of(out.result, "state"), "?");
		printf("plan %s: %s by %s (%s) via cli; now %s\n", idc, grant ? "approved" : "rejected",
		       who.os_user, who.name, st);
		if (grant && strcmp(st, "Approved") != 0)
			printf("another person (a distinct OS user) must approve it too\n");
	}
	rt_plan_out_free(&out);
	return rc;
}

/* One line about an audit record. */
static void print_record(const cJSON *r)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "payload");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(r, "seq");
	const char *kind = or_(s_of(r, "kind"), "?");
	char what[400] = "";
	if (strcmp(kind, "plan") == 0)
		snprintf(what, sizeof what, "%s:%s -> %s", or_(s_of(p, "service"), "?"),
		         or_(s_of(p, "operation"), "?"), or_(s_of(p, "state"), "?"));
	else if (strcmp(kind, "decision") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "decision");
		snprintf(what, sizeof what, "%s (rule %s, risk %s)", or_(s_of(d, "decision"), "?"),
		         or_(s_of(d, "rule"), "?"), or_(s_of(d, "risk"), "?"));
	} else if (strcmp(kind, "approval_request") == 0)
		snprintf(what, sizeof what, "by %s: \"%.200s\"", or_(s_of(p, "osUser"), "?"),
		         or_(s_of(p, "justification"), ""));
	else if (strcmp(kind, "approval_grant") == 0 || strcmp(kind, "approval_reject") == 0)
		snprintf(what, sizeof what, "by %s (%s) via %s", or_(s_of(p, "osUser"), "?"),
		         or_(s_of(p, "name"), ""), or_(s_of(p, "channel"), "?"));
	else if (strcmp(kind, "approval_prompt") == 0)
		snprintf(what, sizeof what, "%s (%s)", or_(s_of(p, "event"), "?"), or_(s_of(p, "era"), "?"));
	else if (strcmp(kind, "apply_refused") == 0)
		snprintf(what, sizeof what, "%s", or_(s_of(p, "code"), "?"));
	else if (strcmp(kind, "apply_outcome") == 0)
		snprintf(what, sizeof what, "%s", or_(s_of(p, "outcome"), "?"));
	else if (strcmp(kind, "expiry") == 0)
		snprintf(what, sizeof what, "was %s", or_(s_of(p, "previousState"), "?"));
	else if (strcmp(kind, "call") == 0) /* rt_cfn.h: a call of the plan's mechanism */
		snprintf(what, sizeof what, "%s:%s (%s) %s", or_(s_of(p, "service"), "?"),
		         or_(s_of(p, "operation"), "?"), or_(s_of(p, "purpose"), "?"),
		         or_(s_of(p, "outcome"), "?"));
	else if (strcmp(kind, "diff") == 0) { /* rt_diff.h */
		const cJSON *sm = cJSON_GetObjectItemCaseSensitive(p, "summary");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(sm, "changed");
		const cJSON *ad = cJSON_GetObjectItemCaseSensitive(sm, "added");
		const cJSON *rm = cJSON_GetObjectItemCaseSensitive(sm, "removed");
		snprintf(what, sizeof what, "%s: %d changed, %d added, %d removed",
		         or_(s_of(p, "status"), "?"), cJSON_IsNumber(ch) ? ch->valueint : 0,
		         cJSON_IsNumber(ad) ? ad->valueint : 0, cJSON_IsNumber(rm) ? rm->valueint : 0);
	} else if (strcmp(kind, "dry_run") == 0)
		snprintf(what, sizeof what, "%s (%s)", or_(s_of(p, "result"), "?"),
		         or_(s_of(p, "code"), "?"));
	printf("%6.0f  %s  %-16s %s  %s\n", cJSON_IsNumber(seq) ? seq->valuedouble : 0,
	       or_(s_of(r, "time"), "?"), kind, or_(s_of(r, "planId"), "-"), what);
}

static int audit_query(const popts *o, rt_plans *p, rt_audit_query *q, rt_id *plan, rt_id *tx)
{
	if (o->plan) {
		int rc = rt_plans_resolve(p, o->plan, plan);
		if (rc) {
			usage("--plan: no such plan (or the prefix is ambiguous)");
			return RT_EXIT_USAGE;
		}
		q->plan = plan;
	}
	if (o->tx) {
		if (rt_id_parse(o->tx, tx) != 0) {
			usage("--tx must be a 26-character id");
			return RT_EXIT_USAGE;
		}
		q->tx = tx;
	}
	if (o->since && rt_time_parse(o->since, &q->since) != 0) {
		usage("--since must be an RFC 3339 time (2026-07-28T10:00:00Z) or ms since the epoch");
		return RT_EXIT_USAGE;
	}
	if (o->limit) {
		long l = strtol(o->limit, NULL, 10);
		if (l < 1) {
			usage("--limit must be a positive integer");
			return RT_EXIT_USAGE;
		}
		q->limit = (size_t)l;
	}
	return 0;
}

static int cmd_audit(const popts *o, rt_plans *p)
{
	const char *sub = o->pos[1];
	rt_store *s = rt_plans_store(p);
	rt_audit_query q = { NULL, NULL, 0, 0, 0 };
	rt_id plan, tx;
	int rc;
	if (strcmp(sub, "verify") == 0) {
		rt_audit_report r;
		rc = rt_audit_verify(s, &r);
		if (rc) {
			fprintf(stderr, "airlock: audit verify: the log cannot be read: %s (%s)\n",
			        al_strerror(rc), rt_store_errmsg(s));
			return RT_EXIT_FAILURE;
		}
		if (o->json) {
			cJSON *j = cJSON_CreateObject();
			if (!j)
				return RT_EXIT_FAILURE;
			cJSON_AddBoolToObject(j, "intact", r.intact);
			cJSON_AddNumberToObject(j, "records", (double)r.records);
			cJSON_AddNumberToObject(j, "headSeq", (double)r.head_seq);
			cJSON_AddStringToObject(j, "headHash", r.head_hash);
			cJSON_AddNumberToObject(j, "plans", (double)r.plans);
			cJSON_AddNumberToObject(j, "plansAppliedTwice", (double)r.plans_applied_twice);
			if (!r.intact) {
				cJSON_AddNumberToObject(j, "badSeq", (double)r.bad_seq);
				cJSON_AddStringToObject(j, "problem", r.problem);
			}
			rc = print_json(stdout, j);
			cJSON_Delete(j);
		} else if (r.intact) {
			printf("audit log intact: %llu records, chain and head agree\n"
			       "head: record %llu, sha256 %s\n"
			       "plans: %llu with records, %llu applied more than once\n",
			       (unsigned long long)r.records, (unsigned long long)r.head_seq, r.head_hash,
			       (unsigned long long)r.plans, (unsigned long long)r.plans_applied_twice);
		} else {
			printf("audit log BROKEN at record %llu: %s\n(%llu records checked before it; "
			       "head: record %llu)\n", (unsigned long long)r.bad_seq, r.problem,
			       (unsigned long long)r.records, (unsigned long long)r.head_seq);
		}
		return r.intact && !r.plans_applied_twice ? rc : RT_EXIT_NEGATIVE;
	}
	if ((rc = audit_query(o, p, &q, &plan, &tx)) != 0)
		return rc;
	if (strcmp(sub, "export") == 0) {
		if (!o->jsonl) {
			usage("audit export writes JSON Lines: pass --jsonl");
			return RT_EXIT_USAGE;
		}
		rc = rt_audit_export(s, &q, stdout);
		if (rc) {
			fprintf(stderr, "airlock: audit export: %s (%s)\n", al_strerror(rc),
			        rt_store_errmsg(s));
			return RT_EXIT_FAILURE;
		}
		return 0;
	}
	cJSON *out = NULL;
	if (strcmp(sub, "show") == 0) {
		if (o->npos < 3) {
			usage("audit show needs a record: its seq or its opId");
			return RT_EXIT_USAGE;
		}
		const char *w = o->pos[2];
		char *end;
		unsigned long long seq = strtoull(w, &end, 10);
		rt_id op;
		if (*w && !*end)
			rc = rt_audit_get(s, seq, NULL, &out);
		else if (rt_id_parse(w, &op) == 0)
			rc = rt_audit_get(s, 0, &op, &out);
		else {
			usage("audit show needs a seq (a number) or an opId (26 characters)");
			return RT_EXIT_USAGE;
		}
		if (rc == AL_ENOTFOUND) {
			fprintf(stderr, "airlock: audit show: no record %s\n", w);
			return RT_EXIT_NEGATIVE;
		}
		if (rc) {
			fprintf(stderr, "airlock: audit show: %s (%s)\n", al_strerror(rc), rt_store_errmsg(s));
			return RT_EXIT_FAILURE;
		}
		rc = print_json(stdout, out);
		cJSON_Delete(out);
		return rc;
	}
	/* list */
	if (!o->limit && !o->json)
		q.limit = 0;
	rc = rt_audit_query_run(s, &q, &out);
	if (rc) {
		fprintf(stderr, "airlock: audit list: %s (%s)\n", al_strerror(rc), rt_store_errmsg(s));
		return RT_EXIT_FAILURE;
	}
	if (o->json) {
		rc = print_json(stdout, out);
	} else {
		const cJSON *e;
		if (cJSON_GetArraySize(out) == 0)
			puts("no records");
		cJSON_ArrayForEach(e, out)
			print_record(e);
	}
	cJSON_Delete(out);
	return rc;
}

/* ---- main -------------------------------------------------------------- */

static const char help_text[] =
	"usage:\n"
	"  airlock plan SERVICE OPERATION --input JSON|@FILE|@- [--region R] [--profile P]\n"
	"               [--account ID] [--justification TEXT] [--no-dry-run] [--json]\n"
	"  airlock diff PLAN [--verbose] [--json]\n"
	"  airlock apply PLAN [--json]\n"
	"  airlock plans [--state S] [--limit N] [--json]\n"
	"  airlock show PLAN [--json]\n"
	"  airlock approve PLAN [--comment TEXT] [--name NAME]   (types \"approve\" on /dev/tty)\n"
	"  airlock reject PLAN [--comment TEXT] [--name NAME] [--json]\n"
	"  airlock audit list [--plan P] [--tx T] [--since TIME] [--limit N] [--json]\n"
	"  airlock audit show SEQ|OPID [--json]\n"
	"  airlock audit export --jsonl [--plan P] [--tx T] [--since TIME]\n"
	"  airlock audit verify [--json]\n"
	"PLAN is a plan id or a unique prefix of 6+ characters.  State: $AIRLOCK_HOME\n"
	"(default ${XDG_STATE_HOME:-~/.local/state}/airlock).  plan and apply need the\n"
	"catalog (--catalog FILE or $AIRLOCK_CATALOG).  Exit: 0 success, 1 refused or\n"
	"negative, 2 usage, 3 catalog unusable, 4 state unusable.\n";

int rt_plan_cli_main(int argc, char **argv)
{
	popts o;
	if (parse(argc, argv, &o) != 0)
		return RT_EXIT_USAGE;
	const char *cmd = argv[0];
	if (o.help) {
		fputs(help_text, stdout);
		return RT_EXIT_OK;
	}
	int need_cat = 0;
	if (strcmp(cmd, "call") == 0) {
		if (o.npos != 3) {
			usage("call needs SERVICE OPERATION [--input JSON|@FILE|@-], e.g. airlock call "
			      "s3 list-buckets");
			return RT_EXIT_USAGE;
		}
		need_cat = 1;
	} else if (strcmp(cmd, "plan") == 0) {
		if (o.npos != 3 || !o.input) {
			usage("plan needs SERVICE OPERATION --input JSON|@FILE|@-, e.g. airlock plan "
			      "cloudformation delete-stack --input '{\"StackName\":\"x\"}'");
			return RT_EXIT_USAGE;
		}
		need_cat = 1;
	} else if (strcmp(cmd, "diff") == 0) {
		if (o.npos != 2) {
			usage("diff needs PLAN, a plan id (airlock plans lists them)");
			return RT_EXIT_USAGE;
		}
		need_cat = 1;
	} else if (strcmp(cmd, "apply") == 0 || strcmp(cmd, "show") == 0 ||
	           strcmp(cmd, "approve") == 0 || strcmp(cmd, "reject") == 0) {
		if (o.npos != 2) {
			usage("%s needs PLAN, a plan id (airlock plans lists them)", cmd);
			return RT_EXIT_USAGE;
		}
		need_cat = strcmp(cmd, "apply") == 0;
	} else if (strcmp(cmd, "plans") == 0) {
		if (o.npos != 1) {
			usage("plans takes no arguments (--state S, --limit N)");
			return RT_EXIT_USAGE;
		}
	} else if (strcmp(cmd, "audit") == 0) {
		if (o.npos < 2 || (strcmp(o.pos[1], "list") != 0 && strcmp(o.pos[1], "show") != 0 &&
		                   strcmp(o.pos[1], "export") != 0 && strcmp(o.pos[1], "verify") != 0)) {
			usage("audit list|show|export --jsonl|verify");
			return RT_EXIT_USAGE;
		}
	} else {
		usage("unknown command \"%s\"", cmd);
		return RT_EXIT_USAGE;
	}
	alc_catalog cat;
	int rc;
	if (need_cat && (rc = open_cat(&o, &cat)) != 0)
		return rc;
	/* approve shows a diff, and reject deletes the plan's CloudFormation
	 * change set (rt_cfn.h), when the catalog can be used */
	char no_cat[600] = "";
	if (strcmp(cmd, "approve") == 0 || strcmp(cmd, "reject") == 0)
		need_cat = open_cat_quiet(&o, &cat, no_cat, sizeof no_cat) == 0;
	rt_plans *p = NULL;
	if ((rc = open_store(need_cat ? &cat : NULL, &p)) != 0) {
		if (need_cat)
			alc_close(&cat);
		return rc;
	}
	rt_id tx;
	rt_id_new(&tx, rt_now_ms());
	if (strcmp(cmd, "call") == 0)
		rc = cmd_call(&o, p, &tx);
	else if (strcmp(cmd, "plan") == 0)
		rc = cmd_plan(&o, p, &tx);
	else if (strcmp(cmd, "apply") == 0)
		rc = cmd_apply(&o, p, &tx);
	else if (strcmp(cmd, "plans") == 0)
		rc = cmd_plans(&o, p, &tx);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&o, p, &tx);
	else if (strcmp(cmd, "diff") == 0)
		rc = cmd_diff(&o, p, &tx);
	else if (strcmp(cmd, "approve") == 0)
		rc = cmd_decide(&o, p, &tx, 1, need_cat ? NULL : no_cat);
	else if (strcmp(cmd, "reject") == 0)
		rc = cmd_decide(&o, p, &tx, 0, NULL);
	else
		rc = cmd_audit(&o, p);
	rt_plans_close(p);
	if (need_cat)
		alc_close(&cat);
	if (fflush(stdout) != 0 && rc == 0)
		rc = RT_EXIT_FAILURE;
	return rc;
}
