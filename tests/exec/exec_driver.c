/*
 * exec_driver.c -- operations through rt_exec_call from JSON lines, for the
 * end-to-end (moto) and fault tests:
 *
 *   exec_driver CATALOG [--endpoint URL] [--region R] [--profile P]
 *               [--unsigned] [--attempts N] [--connect-timeout-ms N]
 *               [--read-timeout-ms N] [--total-timeout-ms N]
 *               [--no-sleep] [--random N] < calls.jsonl
 *
 * Each input line {"service": S, "operation": O, "input": {...}
 * [, "max_pages": N]} gives one output line: rt_exec_result_json(), plus
 * "sleeps" (the backoff delays asked for, in ms) and "progress" (one
 * [page, items, more] triple per page).  Credentials come from the usual
 * chain.  --no-sleep records the backoff without waiting (the retry quota
 * test); --random pins the jitter.  Exit 0 unless the setup failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_exec.h"

static cJSON *sleeps, *progress;
static int no_sleep;
static unsigned fixed_random;

static void on_sleep(void *ud, long ms)
{
	(void)ud;
	cJSON_AddItemToArray(sleeps, cJSON_CreateNumber((double)ms));
	if (!no_sleep) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static unsigned on_random(void *ud)
{
	(void)ud;
	return fixed_random;
}

static int on_progress(void *ud, int page, size_t items, int more)
{
	(void)ud;
	cJSON *t = cJSON_CreateArray();
	cJSON_AddItemToArray(t, cJSON_CreateNumber(page));
	cJSON_AddItemToArray(t, cJSON_CreateNumber((double)items));
	cJSON_AddItemToArray(t, cJSON_CreateBool(more));
	cJSON_AddItemToArray(progress, t);
	return 0;
}

static void put(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	puts(s ? s : "{}");
	fflush(stdout);
	free(s);
	cJSON_Delete(o);
}

static void fail_line(const char *why)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "driver_error", why);
	put(o);
}

int main(int argc, char **argv)
{
	rt_exec_options o;
	memset(&o, 0, sizeof o);
	const char *catalog = NULL;
	long total = 0;
	int use_random = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--endpoint") == 0 && v) {
			o.endpoint_url = v;
			i++;
		} else if (strcmp(a, "--region") == 0 && v) {
			o.region = v;
			i++;
		} else if (strcmp(a, "--profile") == 0 && v) {
			o.profile = v;
			i++;
		} else if (strcmp(a, "--unsigned") == 0) {
			o.unsigned_requests = 1;
		} else if (strcmp(a, "--attempts") == 0 && v) {
			o.max_attempts = atoi(v);
			i++;
		} else if (strcmp(a, "--connect-timeout-ms") == 0 && v) {
			o.connect_timeout_ms = atol(v);
			i++;
		} else if (strcmp(a, "--read-timeout-ms") == 0 && v) {
			o.read_timeout_ms = atol(v);
			i++;
		} else if (strcmp(a, "--total-timeout-ms") == 0 && v) {
			total = atol(v);
			i++;
		} else if (strcmp(a, "--no-sleep") == 0) {
			no_sleep = 1;
		} else if (strcmp(a, "--random") == 0 && v) {
			fixed_random = (unsigned)strtoul(v, NULL, 10);
			use_random = 1;
			i++;
		} else if (!catalog && a[0] != '-') {
			catalog = a;
		} else {
			fprintf(stderr, "exec_driver: unknown argument %s\n", a);
			return 2;
		}
	}
	if (!catalog) {
		fprintf(stderr, "usage: exec_driver CATALOG [options] < calls.jsonl\n");
		return 2;
	}
	o.sleep_ms = on_sleep;
	if (use_random)
		o.random = on_random;
	static alc_catalog cat;
	alc_diag diag;
	if (alc_open(&cat, catalog, &diag)) {
		fprintf(stderr, "exec_driver: %s: %s\n", catalog, diag.msg);
		return 2;
	}
	rt_exec *x;
	char err[512];
	int rc = rt_exec_new(&x, &cat, &o, err, sizeof err);
	if (rc) {
		fprintf(stderr, "exec_driver: %s: %s\n", al_strerror(rc), err);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (n <= 1)
			continue;
		cJSON *in = cJSON_Parse(line);
		const char *svc = cJSON_GetStringValue(cJSON_GetObjectItem(in, "service"));
		const char *opn = cJSON_GetStringValue(cJSON_GetObjectItem(in, "operation"));
		if (!svc || !opn) {
			fail_line("a line needs service and operation");
			cJSON_Delete(in);
			continue;
		}
		const alc_operation *op =
			alc_find_operation(&cat, svc, strlen(svc), opn, strlen(opn));
		if (!op) {
			fail_line("no such operation in the catalog");
			cJSON_Delete(in);
			continue;
		}
		rt_exec_call_options co = { 0, on_progress, NULL, total };
		const cJSON *mp = cJSON_GetObjectItem(in, "max_pages");
		if (cJSON_IsNumber(mp))
			co.max_pages = mp->valueint;
		sleeps = cJSON_CreateArray();
		progress = cJSON_CreateArray();
		rt_exec_result r;
		rt_exec_result_init(&r);
		rt_exec_call(x, op, cJSON_GetObjectItem(in, "input"), &co, &r);
		cJSON *out = rt_exec_result_json(&cat, &r);
		cJSON_AddItemToObject(out, "sleeps", sleeps);
		cJSON_AddItemToObject(out, "progress", progress);
		put(out);
		rt_exec_result_free(&r);
		cJSON_Delete(in);
	}
	free(line);
	rt_exec_free(x);
	alc_close(&cat);
	return 0;
}
