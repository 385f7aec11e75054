/*
 * rt_cfn_cli.c -- `airlock deploy`, the command-line counterpart of the
 * deploy_stack tool (rt_cfn.h):
 *
 *   airlock deploy STACK (--template-body TEXT|@FILE|@- | --template-url URL)
 *                  [--parameters JSON|@FILE] [--tags JSON|@FILE]
 *                  [--capabilities CAP[,CAP...]] [--region R] [--profile P]
 *                  [--catalog FILE] [--json]
 *
 * It makes the CreateStack or UpdateStack plan and its change set, and
 * prints the plan and the diff; `airlock apply PLAN` then executes the
 * change set and follows the stack (the same rt_plans_apply path as the
 * MCP tool).  Exit status as rt_plan_cli.c: 0 a plan waiting to be
 * applied with a computed diff, 1 refused / denied / invalid / a diff that
 * failed, 2 usage, 3 catalog unusable, 4 state unusable.
 *
 * Owner: rt_cfn_cli.c; rt_cli.c hands `deploy` here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "rt_cfn.h"
#include "rt_cli.h"

static const char usage_text[] =
	"usage: airlock deploy STACK (--template-body TEXT|@FILE|@- | --template-url URL)\n"
	"                      [--parameters JSON|@FILE] [--tags JSON|@FILE]\n"
	"                      [--capabilities CAP[,CAP...]] [--region R] [--profile P]\n"
	"                      [--catalog FILE] [--json]\n"
	"Plans a CreateStack (the stack does not exist) or an UpdateStack, diffs it through a\n"
	"change set and prints both; then `airlock apply PLAN` executes the change set and\n"
	"follows the stack's events.  --parameters / --tags: {\"Name\": \"value\"} or\n"
	"CloudFormation's [{\"ParameterKey\": ..., \"ParameterValue\": ...}] / [{\"Key\", \"Value\"}].\n";

static int bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "airlock: deploy: %s%s\n%s", msg, arg ? arg : "", usage_text);
	return RT_EXIT_USAGE;
}

/* TEXT, or the contents of @FILE / @- (stdin).  NULL on error (said). */
static char *read_spec(const char *opt, const char *spec)
{
	char what[64];
	snprintf(what, sizeof what, "deploy: %s", opt);
	return rt_cli_read_arg(what, spec);
}

static cJSON *json_spec(const char *opt, const char *spec, int *bad)
{
	*bad = 0;
	if (!spec)
		return NULL;
	char *t = read_spec(opt, spec);
	cJSON *j = t ? cJSON_Parse(t) : NULL;
	free(t);
	if (!j || !(cJSON_IsObject(j) || cJSON_IsArray(j))) {
		fprintf(stderr, "airlock: deploy: %s must be a JSON object or array\n", opt);
		cJSON_Delete(j);
		*bad = 1;
		return NULL;
	}
	return j;
}

static int colour_ok(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fileno(f)) && !(nc && *nc);
}

int rt_cfn_cli_main(int argc, char **argv)
{
	const char *stack = NULL, *body = NULL, *url = NULL, *params = NULL, *tags = NULL;
	const char *caps = NULL, *region = NULL, *profile = NULL, *catalog = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		static const char *const names[] = { "--template-body", "--template-url", "--parameters",
		                                     "--tags", "--capabilities", "--region", "--profile",
		                                     "--catalog" };
		const char **slots[] = { &body, &url, &params, &tags, &caps, &region, &profile, &catalog };
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return RT_EXIT_OK;
		}
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		size_t k;
		for (k = 0; k < sizeof names / sizeof names[0]; k++) {
			size_t l = strlen(names[k]);
			if (strncmp(a, names[k], l) != 0 || (a[l] != '\0' && a[l] != '='))
				continue;
			if (a[l] == '=') {
				*slots[k] = a + l + 1;
			} else {
				if (i + 1 >= argc)
					return bad_usage("a value is needed after ", a);
				*slots[k] = argv[++i];
			}
			break;
		}
		if (k < sizeof names / sizeof names[0])
			continue;
		if (a[0] == '-')
			return bad_usage("unknown option ", a);
		if (stack)
			return bad_usage("one stack name only; extra argument ", a);
		stack = a;
	}
	if (!stack)
		return bad_usage("a stack name is needed", NULL);
	if (!body == !url)
		return bad_usage("give exactly one of --template-body and --template-url", NULL);

	char *body_text = body ? read_spec("--template-body", body) : NULL;
	int bad1, bad2;
	cJSON *pj = json_spec("--parameters", params, &bad1);
	cJSON *tj = json_spec("--tags", tags, &bad2);
	cJSON *cj = NULL;
	if (caps) {
		cj = cJSON_CreateArray();
		char *c = strdup(caps), *save = NULL;
		for (char *t = c ? strtok_r(c, ",", &save) : NULL; t && cj; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(cj, cJSON_CreateString(t));
		free(c);
	}
	int rc = RT_EXIT_OK;
	if ((body && !body_text) || bad1 || bad2 || (caps && !cj)) {
		rc = RT_EXIT_USAGE;
		goto out;
	}

	char buf[4096];
	const char *path = catalog ? catalog : rt_cli_default_catalog(buf, sizeof buf);
	alc_catalog cat;
	alc_diag diag;
	if (!path) {
		fprintf(stderr, "airlock: no catalog: pass --catalog FILE or set AIRLOCK_CATALOG\n");
		rc = RT_EXIT_CATALOG;
		goto out;
	}
	int arc = alc_open(&cat, path, &diag);
	if (arc) {
		fprintf(stderr, "airlock: cannot use catalog %s: %s%s%s; refusing to plan (fail "
		        "closed)\n", path, al_strerror(arc), diag.msg[0] ? ": " : "", diag.msg);
		rc = RT_EXIT_CATALOG;
		goto out;
	}
	rt_plans *p = NULL;
	char err[512];
	rt_plans_config cfg = { &cat, NULL, NULL, "cli" };
	if ((arc = rt_plans_open(&p, &cfg, err, sizeof err)) != 0) {
		fprintf(stderr, "airlock: the plan store cannot be used (%s): %s; nothing can be "
		        "planned, approved or applied until it can\n", al_strerror(arc), err);
		alc_close(&cat);
		rc = RT_EXIT_FAILURE;
		goto out;
	}
	rt_id tx;
	rt_id_new(&tx, rt_now_ms());
	rt_cfn_deploy_req dq = { stack, body_text, url, pj, tj, cj, region, profile };
	rt_diff_opts dopts = { &tx, NULL, NULL, NULL, 0 };
	rt_plan_out o;
	memset(&o, 0, sizeof o);
	arc = rt_cfn_deploy(p, &dq, &dopts, &o);
	if (arc) {
		fprintf(stderr, "airlock: deploy: %s\n", al_strerror(arc));
		rc = RT_EXIT_FAILURE;
	} else if (o.error) {
		fprintf(stderr, "airlock: deploy refused (%s): %s\n", o.code, o.error);
		rc = RT_EXIT_NEGATIVE;
	} else {
		const cJSON *plan = cJSON_GetObjectItemCaseSensitive(o.result, "plan");
		const cJSON *diff = cJSON_GetObjectItemCaseSensitive(o.result, "diff");
		const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(plan, "state"));
		const char *dst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(diff, "status"));
		int ok = state && (strcmp(state, "Planned") == 0 ||
		                   strcmp(state, "AwaitingApproval") == 0) &&
		         dst && strcmp(dst, "computed") == 0;
		if (json) {
			char *t = cJSON_Print(o.result);
			if (t)
				puts(t);
			free(t);
		} else {
			printf("plan %s: %s %s, %s%s\n",
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(plan, "planId")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o.result, "operation")),
			       stack, state ? state : "?",
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(plan, "approvalRequired"))
			       ? " (needs approval)" : "");
			if (cJSON_IsObject(diff) && cJSON_GetObjectItemCaseSensitive(diff, "planId"))
				rt_cfn_render(stdout, diff, colour_ok(stdout));
			else if (cJSON_IsObject(diff))
				printf("no diff: %s\n", cJSON_GetStringValue(
				       cJSON_GetObjectItemCaseSensitive(diff, "message")));
			const char *pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(plan,
			                                                                  "planId"));
			if (!ok)
				printf("next: %s\n", cJSON_GetStringValue(
				       cJSON_GetObjectItemCaseSensitive(o.result, "nextStep")));
			else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(plan, "approvalRequired")))
				printf("next: a person runs `airlock approve %s`, then `airlock apply %s`\n",
				       pid, pid);
			else
				printf("next: `airlock apply %s` executes the change set and follows the "
				       "stack\n", pid);
		}
		rc = ok ? RT_EXIT_OK : RT_EXIT_NEGATIVE;
	}
	rt_plan_out_free(&o);
	rt_plans_close(p);
	alc_close(&cat);
out:
	free(body_text);
	cJSON_Delete(pj);
	cJSON_Delete(tj);
	cJSON_Delete(cj);
	return rc;
}
