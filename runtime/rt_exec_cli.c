/*
 * rt_exec_cli.c -- `airlock call`: one READ operation executed directly,
 * for development and tests.
 *
 *   airlock call SERVICE OPERATION [--input JSON|@FILE|@-] [--region R]
 *                [--profile P] [--paginate N] [--endpoint-url URL]
 *                [--catalog FILE]
 *
 * Writes never run here: an operation that is not a read (alc_op_is_read)
 * is refused, and so is any call the compiled policy does not allow
 * outright (a deny, or a decision that needs an approval): those go
 * through `airlock plan` and `airlock apply`.  Prints the result as JSON
 * ({"output": ...} or {"error": {code, message, request_id, http_status,
 * retryable, ...}}, with attempts and pages); page progress goes to stderr.
 * Exit status as rt_cli.h: 0 success, 1 AWS or the policy refused, 2 usage,
 * 3 catalog unusable, 4 no memory or output failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "alc_reader.h"
#include "rt_cli.h"
#include "rt_exec.h"
#include "rt_policy.h"

static const char usage[] =
	"usage: airlock call SERVICE OPERATION [--input JSON|@FILE|@-] [--region R]\n"
	"                    [--profile P] [--paginate N] [--endpoint-url URL] [--catalog FILE]\n"
	"Runs one read operation now (writes: airlock plan / airlock apply).\n";

static char *read_all(FILE *f, size_t max)
{
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	while (p) {
		size_t r = fread(p + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (n + 1 == cap) {
			if (cap >= max) {
				free(p);
				return NULL;
			}
			char *q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				return NULL;
			}
			p = q;
			cap *= 2;
		}
	}
	if (p)
		p[n] = '\0';
	return p;
}

/* --input: inline JSON, @FILE or @- (stdin). */
static cJSON *load_input(const char *arg)
{
	if (!arg)
		return cJSON_CreateObject();
	if (arg[0] != '@')
		return cJSON_Parse(arg);
	FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "r");
	if (!f)
		return NULL;
	char *t = read_all(f, (size_t)64 << 20);
	if (f != stdin)
		fclose(f);
	cJSON *v = t ? cJSON_Parse(t) : NULL;
	free(t);
	return v;
}

static int progress(void *ud, int page, size_t items, int more)
{
	(void)ud;
	fprintf(stderr, "airlock: page %d: %zu items so far%s\n", page, items,
	        more ? ", more to fetch" : "");
	return 0;
}

int rt_exec_cli_main(int argc, char **argv)
{
	const char *svc = NULL, *opn = NULL, *input = NULL, *region = NULL, *profile = NULL;
	const char *endpoint = NULL, *catalog = NULL;
	int pages = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--input") == 0 && v)
			input = argv[++i];
		else if (strcmp(a, "--region") == 0 && v)
			region = argv[++i];
		else if (strcmp(a, "--profile") == 0 && v)
			profile = argv[++i];
		else if (strcmp(a, "--endpoint-url") == 0 && v)
			endpoint = argv[++i];
		else if (strcmp(a, "--catalog") == 0 && v)
			catalog = argv[++i];
		else if (strcmp(a, "--paginate") == 0 && v) {
			pages = atoi(argv[++i]);
			if (pages < 1 || pages > RT_EXEC_MAX_PAGES) {
				fprintf(stderr, "airlock call: --paginate takes 1..%d\n", RT_EXEC_MAX_PAGES);
				return RT_EXIT_USAGE;
			}
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return RT_EXIT_OK;
		} else if (a[0] != '-' && !svc)
			svc = a;
		else if (a[0] != '-' && !opn)
			opn = a;
		else {
			fprintf(stderr, "airlock call: unexpected argument %s\n%s", a, usage);
			return RT_EXIT_USAGE;
		}
	}
	if (!svc || !opn) {
		fputs(usage, stderr);
		return RT_EXIT_USAGE;
	}
	cJSON *in = load_input(input);
	if (!cJSON_IsObject(in)) {
		fprintf(stderr, "airlock call: --input must be a JSON object%s\n",
		        input && input[0] == '@' ? " (or the file could not be read)" : "");
		cJSON_Delete(in);
		return RT_EXIT_USAGE;
	}
	char buf[4096];
	const char *path = catalog ? catalog : rt_cli_default_catalog(buf, sizeof buf);
	static alc_catalog cat;
	alc_diag diag;
	int rc = path ? alc_open(&cat, path, &diag) : AL_ENOENT;
	if (rc) {
		fprintf(stderr, "airlock call: cannot use catalog %s: %s%s%s\n", path ? path : "(none)",
		        al_strerror(rc), path ? ": " : "", path ? diag.msg : "");
		cJSON_Delete(in);
		return RT_EXIT_CATALOG;
	}
	int status = RT_EXIT_NEGATIVE;
	rt_policy *pol = NULL;
	rt_exec *x = NULL;
	const alc_operation *op = alc_find_operation(&cat, svc, strlen(svc), opn, strlen(opn));
	if (!op) {
		fprintf(stderr, "airlock call: no operation %s %s in the catalog\n", svc, opn);
		goto out;
	}
	const char *name = alc_str(&cat, op->name);
	const char *skey = alc_str(&cat, cat.svcs[op->service].key);
	if (!alc_op_is_read(name, op->flags)) {
		fprintf(stderr, "airlock call: %s %s is not a read operation; changes go through "
		        "`airlock plan` and `airlock apply`\n", skey, name);
		goto out;
	}
	char err[512] = "";
	rt_exec_options eo = { .profile = profile, .region = region, .endpoint_url = endpoint };
	if ((rc = rt_exec_new(&x, &cat, &eo, err, sizeof err))) {
		fprintf(stderr, "airlock call: %s\n", err[0] ? err : al_strerror(rc));
		goto out;
	}
	if ((rc = rt_policy_open(&pol, &cat, 0, err, sizeof err))) {
		fprintf(stderr, "airlock call: the policy cannot be used: %s\n", err);
		status = RT_EXIT_CATALOG;
		goto out;
	}
	rt_call call = { op, in, rt_exec_region(x), NULL, profile };
	rt_decision d;
	rt_policy_decide(pol, &call, 0, &d);
	if (d.effect != ALC_EFFECT_ALLOW) {
		fprintf(stderr, "airlock call: %s %s %s by the policy (rule %s): %s%s\n", skey, name,
		        d.effect == ALC_EFFECT_APPROVAL ? "needs an approval" : "is denied", d.rule,
		        d.reason, d.effect == ALC_EFFECT_APPROVAL ? "; use `airlock plan`" : "");
		goto out;
	}
	rt_exec_call_options co = { pages, pages > 1 ? progress : NULL, NULL, 0 };
	rt_exec_result r;
	rt_exec_result_init(&r);
	rc = rt_exec_call(x, op, in, &co, &r);
	cJSON *j = rt_exec_result_json(&cat, &r);
	char *text = j ? cJSON_Print(j) : NULL;
	if (!text || puts(text) == EOF || fflush(stdout) != 0)
		status = RT_EXIT_FAILURE;
	else
		status = rc ? RT_EXIT_NEGATIVE : RT_EXIT_OK;
	free(text);
	cJSON_Delete(j);
	rt_exec_result_free(&r);
out:
	rt_policy_close(pol);
	rt_exec_free(x);
	cJSON_Delete(in);
	alc_close(&cat);
	return status;
}
