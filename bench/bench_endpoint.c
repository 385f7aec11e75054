/*
 * bench_endpoint.c -- endpoint resolution per call (runtime/rt_endpoint.c)
 * beside botocore doing the same, in the same run.
 *
 *   bench_endpoint CATALOG [--iterations N] [--python PYTHON]
 *
 * Cases: S3 GetObject on a bucket (us-west-2; the S3 rule set is the
 * largest of the corpus), STS GetCallerIdentity (us-east-1, the global
 * endpoint logic), DynamoDB GetItem (us-east-1, account-id endpoint
 * rules).  For each case, per call:
 *
 *   airlock resolve         rt_endpoint_resolve on prepared parameters
 *   airlock bind+resolve    builtIns set, the operation's parameters bound
 *                           from the input JSON (rt_endpoint_params_for_
 *                           operation), then resolve: what a request costs
 *   botocore rules          the rule set evaluation itself
 *                           (EndpointProvider.resolve_endpoint unwrapped
 *                           from its LRU cache)
 *   botocore per request    client._ruleset_resolver.construct_endpoint(
 *                           operation_model, params, {}): parameter binding
 *                           plus the provider, whose LRU cache hits on
 *                           repeated parameters, as in real use
 *
 * Ratios: botocore rules / airlock resolve, botocore per request / airlock
 * bind+resolve.  Both sides print the URL they resolved; a difference is
 * reported and makes the exit status 1.  botocore gets dummy credentials
 * and makes no network call.  Timings are medians of 5 runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_endpoint.h"

typedef struct bcase {
	const char *label;
	const char *service, *operation, *region;
	const char *input;         /* operation input JSON */
	double resolve_us, bind_us;
	char url[512];
} bcase;

static bcase cases[] = {
	{ "S3 GetObject (bucket)", "s3", "GetObject", "us-west-2",
	  "{\"Bucket\":\"amzn-s3-demo-bucket\",\"Key\":\"photos/2025/cat.jpg\"}", 0, 0, "" },
	{ "STS GetCallerIdentity", "sts", "GetCallerIdentity", "us-east-1", "{}", 0, 0, "" },
	{ "DynamoDB GetItem", "dynamodb", "GetItem", "us-east-1",
	  "{\"TableName\":\"Music\",\"Key\":{\"Artist\":{\"S\":\"No One You Know\"}}}", 0, 0, "" },
};
#define NCASES (sizeof cases / sizeof cases[0])

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static rt_endpoint g_ep;
static rt_endpoint_params g_params;

static int bind(const alc_catalog *cat, const alc_operation *op,
                const bcase *c, const cJSON *input, char *err, size_t el)
{
	rt_endpoint_params_init(&g_params);
	rt_endpoint_set_string(&g_params, "AWS::Region", c->region);
	rt_endpoint_set_bool(&g_params, "AWS::UseFIPS", 0);
	rt_endpoint_set_bool(&g_params, "AWS::UseDualStack", 0);
	return rt_endpoint_params_for_operation(cat, op, input, &g_params, err, el);
}

/* The botocore side: prints one line per case, "url<TAB>rules_us<TAB>
 * request_us". */
static const char py[] =
"import sys, time, json, statistics\n"
"import botocore, botocore.session\n"
"from botocore.endpoint_provider import EndpointProvider\n"
"n = int(sys.argv[1]); cases = json.loads(sys.argv[2])\n"
"s = botocore.session.get_session()\n"
"rules = EndpointProvider.resolve_endpoint.__wrapped__\n"
"def med(f, k):\n"
"    r = []\n"
"    for _ in range(5):\n"
"        t = time.perf_counter()\n"
"        for _ in range(k): f()\n"
"        r.append((time.perf_counter() - t) / k * 1e6)\n"
"    return statistics.median(r)\n"
"print('botocore', botocore.__version__, flush=True)\n"
"for svc, op, region, args in cases:\n"
"    c = s.create_client(svc, region_name=region, aws_access_key_id='AKIDEXAMPLE',\n"
"                        aws_secret_access_key='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')\n"
"    om = c.meta.service_model.operation_model(op)\n"
"    rr = c._ruleset_resolver\n"
"    params = rr._get_provider_params(om, args, {})\n"
"    ep = rules(rr._provider, **params)\n"
"    req = lambda: rr.construct_endpoint(om, args, {})\n"
"    ev = lambda: rules(rr._provider, **params)\n"
"    k = max(n // 100, 200)\n"
"    print('%s\\t%.3f\\t%.3f' % (ep.url, med(ev, k), med(req, k)), flush=True)\n";

static int run_botocore(const char *python, long iters, char urls[][512],
                        double *rules_us, double *req_us, char *version,
                        size_t vlen)
{
	/* the cases as JSON for argv */
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < NCASES; i++) {
		cJSON *c = cJSON_CreateArray();
		cJSON_AddItemToArray(c, cJSON_CreateString(cases[i].service));
		cJSON_AddItemToArray(c, cJSON_CreateString(cases[i].operation));
		cJSON_AddItemToArray(c, cJSON_CreateString(cases[i].region));
		cJSON_AddItemToArray(c, cJSON_Parse(cases[i].input));
		cJSON_AddItemToArray(arr, c);
	}
	char *js = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	char pyfile[] = "/tmp/bench_endpoint_XXXXXX.py";
	int fd = mkstemps(pyfile, 3);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(py, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "bench_endpoint: cannot write %s\n", pyfile);
		free(js);
		return -1;
	}
	/* the JSON has no single quotes (the inputs above), so it can be
	 * passed in single quotes */
	size_t cl = strlen(python) + strlen(pyfile) + strlen(js) + 64;
	char *cmd = malloc(cl);
	snprintf(cmd, cl, "%s %s %ld '%s'", python, pyfile, iters, js);
	free(js);
	FILE *p = popen(cmd, "r");
	free(cmd);
	int rc = -1;
	if (p) {
		char line[1024];
		size_t k = 0;
		if (fgets(line, sizeof line, p)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(version, vlen, "%.100s", line);
		}
		while (k < NCASES && fgets(line, sizeof line, p)) {
			char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
			if (!t2)
				break;
			*t1 = '\0';
			snprintf(urls[k], 512, "%.500s", line);
			rules_us[k] = strtod(t1 + 1, NULL);
			req_us[k] = strtod(t2 + 1, NULL);
			k++;
		}
		int st = pclose(p);
		rc = st == 0 && k == NCASES ? 0 : -1;
	}
	unlink(pyfile);
	return rc;
}

int main(int argc, char **argv)
{
	const char *catalog = NULL, *python = "python3";
	long iters = 200000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iters = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
			python = argv[++i];
		else if (!catalog)
			catalog = argv[i];
		else {
			catalog = NULL;
			break;
		}
	}
	if (!catalog || iters < 1) {
		fprintf(stderr, "usage: bench_endpoint CATALOG [--iterations N] "
		        "[--python PYTHON]\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag d;
	int rc = alc_open(&cat, catalog, &d);
	if (rc) {
		fprintf(stderr, "bench_endpoint: %s: %s: %s\n", catalog,
		        al_strerror(rc), d.msg);
		return 1;
	}
	char err[512];
	int bad = 0;
	for (size_t i = 0; i < NCASES; i++) {
		bcase *c = &cases[i];
		const alc_service *svc = alc_find_service(&cat, c->service, strlen(c->service));
		const alc_operation *op = alc_find_operation(&cat, c->service,
		                                             strlen(c->service), c->operation,
		                                             strlen(c->operation));
		cJSON *input = cJSON_Parse(c->input);
		if (!svc || !op || !input || bind(&cat, op, c, input, err, sizeof err) ||
		    rt_endpoint_resolve(&cat, svc, &g_params, &g_ep, err, sizeof err)) {
			fprintf(stderr, "bench_endpoint: %s: %s\n", c->label,
			        svc && op ? err : "not in the catalog");
			return 1;
		}
		snprintf(c->url, sizeof c->url, "%s", rt_endpoint_str(&g_ep, g_ep.url));
		double r[5], b[5];
		for (int run = 0; run < 5; run++) {
			double t0 = now();
			for (long k = 0; k < iters; k++)
				rc |= rt_endpoint_resolve(&cat, svc, &g_params, &g_ep, err, sizeof err);
			double t1 = now();
			for (long k = 0; k < iters / 4; k++) {
				rc |= bind(&cat, op, c, input, err, sizeof err);
				rc |= rt_endpoint_resolve(&cat, svc, &g_params, &g_ep, err, sizeof err);
			}
			double t2 = now();
			r[run] = (t1 - t0) / (double)iters * 1e6;
			b[run] = (t2 - t1) / (double)(iters / 4 > 0 ? iters / 4 : 1) * 1e6;
		}
		qsort(r, 5, sizeof r[0], cmp_d);
		qsort(b, 5, sizeof b[0], cmp_d);
		c->resolve_us = r[2];
		c->bind_us = b[2];
		cJSON_Delete(input);
		if (rc) {
			fprintf(stderr, "bench_endpoint: %s: resolution failed: %s\n",
			        c->label, err);
			return 1;
		}
	}

	char burls[NCASES][512];
	double brules[NCASES], breq[NCASES];
	char version[128] = "";
	int have_py = run_botocore(python, iters, burls, brules, breq, version,
	                           sizeof version) == 0;
	printf("endpoint resolution per call, median of 5 runs (%ld iterations; "
	       "%s)\n", iters, have_py ? version : "botocore unavailable");
	printf("%-24s %10s %14s %14s %16s %8s %8s\n", "case", "airlock", "airlock",
	       "botocore", "botocore", "ratio", "ratio");
	printf("%-24s %10s %14s %14s %16s %8s %8s\n", "", "resolve", "bind+resolve",
	       "rules", "per request", "rules", "request");
	for (size_t i = 0; i < NCASES; i++) {
		const bcase *c = &cases[i];
		if (have_py)
			printf("%-24s %8.2f us %11.2f us %11.1f us %13.1f us %7.0fx %7.0fx\n",
			       c->label, c->resolve_us, c->bind_us, brules[i], breq[i],
			       brules[i] / c->resolve_us, breq[i] / c->bind_us);
		else
			printf("%-24s %8.2f us %11.2f us\n", c->label, c->resolve_us,
			       c->bind_us);
	}
	for (size_t i = 0; i < NCASES; i++) {
		printf("  %-22s %s\n", cases[i].label, cases[i].url);
		if (have_py && strcmp(cases[i].url, burls[i]) != 0) {
			printf("  MISMATCH: botocore resolved %s\n", burls[i]);
			bad = 1;
		}
	}
	alc_close(&cat);
	if (!have_py) {
		fprintf(stderr, "bench_endpoint: %s with botocore did not run\n", python);
		return 1;
	}
	return bad;
}
