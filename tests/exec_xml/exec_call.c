/*
 * exec_call.c -- operations through rt_exec (validate, serialize, sign,
 * send, parse, retry) from JSON lines, for the end-to-end tests:
 *
 *   exec_call CATALOG ENDPOINT_URL REGION < calls.jsonl
 *
 * Each input line {"service": S, "operation": O, "input": {...}} gets one
 * output line: rt_exec_result_json ({"output": ...} or {"error": ...},
 * with "attempts").  Credentials come from the usual chain (the tests set
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); every call goes to
 * ENDPOINT_URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alc_reader.h"
#include "rt_exec.h"

static void put_fail(const char *why, const char *what)
{
	cJSON *o = cJSON_CreateObject();
	char msg[512];
	snprintf(msg, sizeof msg, "%s %s", why, what);
	cJSON_AddStringToObject(o, "fail", msg);
	char *s = cJSON_PrintUnformatted(o);
	puts(s ? s : "{}");
	free(s);
	cJSON_Delete(o);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: exec_call CATALOG ENDPOINT_URL REGION < calls.jsonl\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	if (alc_open(&cat, argv[1], &diag)) {
		fprintf(stderr, "exec_call: %s: %s\n", argv[1], diag.msg);
		return 1;
	}
	rt_exec_options o = { .endpoint_url = argv[2], .region = argv[3],
		              .read_timeout_ms = 30000 };
	char err[512];
	rt_exec *x;
	int rc = rt_exec_new(&x, &cat, &o, err, sizeof err);
	if (rc) {
		fprintf(stderr, "exec_call: %s\n", err);
		alc_close(&cat);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		cJSON *job = cJSON_ParseWithLength(line, (size_t)n);
		const cJSON *svc = cJSON_GetObjectItemCaseSensitive(job, "service");
		const cJSON *opn = cJSON_GetObjectItemCaseSensitive(job, "operation");
		if (!cJSON_IsString(svc) || !cJSON_IsString(opn)) {
			put_fail("bad job line", "");
		} else {
			const alc_operation *op = alc_find_operation(
				&cat, svc->valuestring, strlen(svc->valuestring), opn->valuestring,
				strlen(opn->valuestring));
			if (!op) {
				put_fail("no operation", opn->valuestring);
			} else {
				rt_exec_result res;
				rt_exec_result_init(&res);
				rt_exec_call(x, op, cJSON_GetObjectItemCaseSensitive(job, "input"), NULL,
				             &res);
				cJSON *j = rt_exec_result_json(&cat, &res);
				char *s = j ? cJSON_PrintUnformatted(j) : NULL;
				puts(s ? s : "{\"fail\":\"out of memory\"}");
				free(s);
				cJSON_Delete(j);
				rt_exec_result_free(&res);
			}
		}
		fflush(stdout);
		cJSON_Delete(job);
	}
	free(line);
	rt_exec_free(x);
	alc_close(&cat);
	return 0;
}
