/*
 * xml_driver.c -- the restXml, awsQuery and ec2Query serializers and
 * parsers (rt_proto_for) driven from JSON lines, for tests and debugging:
 *
 *   xml_driver CATALOG < jobs.jsonl
 *
 * Each input line is one job:
 *   {"service": S, "operation": O, "params": {...}}
 *       -> {"method", "path", "query": [[name, value|null]...],
 *           "headers": [[name, value]...], "body_b64", "host_prefix"}
 *   {"service": S, "operation": O, "response": {"code": N,
 *    "headers": {name: value}, "body": text}}
 *       -> {"output": {...}} or {"error": rt_proto_error_json}
 * and gets one output line; a job that cannot run gets {"fail": why}.
 * The protocol is the service's (any of the six that rt_proto_for knows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_proto.h"

static cJSON *fail(const char *fmt, const char *a)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, a);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "fail", msg);
	return o;
}

static cJSON *kvlist_json(const rt_kvlist *l)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++) {
		cJSON *p = cJSON_CreateArray();
		cJSON_AddItemToArray(p, cJSON_CreateString(l->v[i].name));
		cJSON_AddItemToArray(p, l->v[i].value ? cJSON_CreateString(l->v[i].value)
		                                      : cJSON_CreateNull());
		cJSON_AddItemToArray(a, p);
	}
	return a;
}

static cJSON *run_request(const alc_catalog *cat, const rt_proto *proto,
                          const alc_operation *op, const cJSON *params)
{
	rt_proto_request req;
	rt_proto_request_init(&req);
	char err[512] = "";
	int rc = proto->serialize(cat, op, params, &req, err, sizeof err);
	cJSON *o = cJSON_CreateObject();
	if (rc) {
		char msg[700];
		snprintf(msg, sizeof msg, "%s: %s", al_errname(rc), err);
		cJSON_AddStringToObject(o, "serialize_error", msg);
	} else {
		cJSON_AddStringToObject(o, "method", req.method);
		cJSON_AddStringToObject(o, "path", req.path.p ? req.path.p : "");
		cJSON_AddItemToObject(o, "query", kvlist_json(&req.query));
		cJSON_AddItemToObject(o, "headers", kvlist_json(&req.headers));
		rt_buf b64;
		rt_buf_init(&b64);
		rt_base64_encode(&b64, req.body.p ? req.body.p : "", req.body.len);
		cJSON_AddStringToObject(o, "body_b64", b64.p ? b64.p : "");
		rt_buf_free(&b64);
		cJSON_AddStringToObject(o, "host_prefix", req.host_prefix.p ? req.host_prefix.p : "");
	}
	rt_proto_request_free(&req);
	return o;
}

static cJSON *run_response(const alc_catalog *cat, const rt_proto *proto,
                           const alc_operation *op, const cJSON *r)
{
	rt_buf hdr;
	rt_buf_init(&hdr);
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(r, "headers"))
	{
		if (cJSON_IsString(h))
			rt_buf_printf(&hdr, "%s: %s\r\n", h->string, h->valuestring);
	}
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(r, "body");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
	rt_proto_response resp = {
		.status = cJSON_IsNumber(code) ? (long)code->valuedouble : 200,
		.headers = hdr.p, .headers_len = hdr.len,
		.body = cJSON_IsString(body) ? body->valuestring : "",
		.body_len = cJSON_IsString(body) ? strlen(body->valuestring) : 0,
	};
	/* An exactly-sized copy, not NUL-terminated: the parsers must not
	 * read past body_len (the sanitizer build checks). */
	char *copy = resp.body_len ? malloc(resp.body_len) : NULL;
	if (copy) {
		memcpy(copy, resp.body, resp.body_len);
		resp.body = copy;
	}
	rt_proto_error e;
	rt_proto_error_init(&e);
	cJSON *out = NULL;
	int rc = proto->parse(cat, op, &resp, &out, &e);
	cJSON *o = cJSON_CreateObject();
	if (rc == 0 && out) {
		cJSON_AddItemToObject(o, "output", out);
	} else {
		cJSON *ej = rt_proto_error_json(cat, &e);
		cJSON_AddItemToObject(o, "error", ej ? ej : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "rc", al_errname(rc));
		cJSON_Delete(out);
	}
	rt_proto_error_free(&e);
	free(copy);
	rt_buf_free(&hdr);
	return o;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: xml_driver CATALOG < jobs.jsonl\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc) {
		fprintf(stderr, "xml_driver: %s: %s\n", argv[1], diag.msg);
		return 1;
	}
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		cJSON *job = cJSON_ParseWithLength(line, (size_t)n);
		cJSON *res = NULL;
		const cJSON *svc = cJSON_GetObjectItemCaseSensitive(job, "service");
		const cJSON *opn = cJSON_GetObjectItemCaseSensitive(job, "operation");
		if (!job || !cJSON_IsString(svc) || !cJSON_IsString(opn)) {
			res = fail("%s", "bad job line");
		} else {
			const alc_service *s = alc_find_service(&cat, svc->valuestring,
			                                        strlen(svc->valuestring));
			const alc_operation *op =
				s ? alc_find_operation(&cat, svc->valuestring, strlen(svc->valuestring),
				                       opn->valuestring, strlen(opn->valuestring))
				  : NULL;
			const rt_proto *proto = s ? rt_proto_for((int)s->protocol) : NULL;
			const cJSON *params = cJSON_GetObjectItemCaseSensitive(job, "params");
			const cJSON *resp = cJSON_GetObjectItemCaseSensitive(job, "response");
			if (!op)
				res = fail("no operation %s", opn->valuestring);
			else if (!proto)
				res = fail("no protocol for %s", svc->valuestring);
			else if (resp)
				res = run_response(&cat, proto, op, resp);
			else
				res = run_request(&cat, proto, op, cJSON_IsObject(params) ? params : NULL);
		}
		char *s = cJSON_PrintUnformatted(res);
		puts(s ? s : "{\"fail\":\"out of memory\"}");
		fflush(stdout);
		free(s);
		cJSON_Delete(res);
		cJSON_Delete(job);
	}
	free(line);
	alc_close(&cat);
	return 0;
}
