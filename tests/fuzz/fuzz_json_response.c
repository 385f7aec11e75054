/*
 * fuzz_json_response.c -- libFuzzer target for the JSON response parsers
 * (awsJson1_0, awsJson1_1, restJson1: rt_proto_json.c, with the REST
 * response bindings of rt_rest.c) over the catalog of tests/exec/model,
 * embedded at build time: three services sharing one recursive structure
 * with every type (all numbers, blobs, the four timestamp formats, enums
 * and intEnums, sparse and dense lists and maps, a union, a document,
 * jsonName), restJson1 header members of each kind (list, timestamp list,
 * mediaType string, prefix headers, status code), payload members
 * (structure, blob, string, union, document), and modeled errors (one
 * with a header member, one retryable throttling).
 *
 * Input: byte 0 picks the operation, byte 1 the HTTP status (200, 400,
 * 404, 500, 503, 204, 206, else the byte plus 100), byte 2 the length of
 * the header block that follows ("Name: value" lines), the rest is the
 * body, in a buffer of exactly its size (not NUL-terminated).
 *
 * Pass condition: never crash, never read outside a buffer; parse() gives
 * 0 with an object that prints as JSON and parses back, or AL_EPROTO with
 * a service or malformed error (code, message and request id terminated;
 * a service error has a code; a modeled shape is in range; its JSON
 * builds), or AL_ENOMEM.
 *
 * Seeds: tests/fuzz/corpus/json_response/ (make_seeds.py: answers of each
 * operation, errors in each form, bindings, odd timestamps and numbers).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_proto.h"

extern const unsigned char airlock_jsonfuzz_alc[];
extern const size_t airlock_jsonfuzz_alc_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int opened;

static const struct {
	const char *service, *op;
} ops[] = {
	{ "Json10Fuzz", "JsonThing" },  { "Json11Fuzz", "JsonThing" },
	{ "RestJsonFuzz", "RestThing" }, { "RestJsonFuzz", "RestPayload" },
	{ "RestJsonFuzz", "RestBlob" },  { "RestJsonFuzz", "RestString" },
	{ "RestJsonFuzz", "RestUnion" }, { "RestJsonFuzz", "RestDoc" },
};
#define NOPS (sizeof ops / sizeof ops[0])

static const alc_operation *op_of[NOPS];
static const rt_proto *proto_of[NOPS];

static void open_catalog(void)
{
	alc_diag diag;
	if (alc_open_mem(&cat, airlock_jsonfuzz_alc, airlock_jsonfuzz_alc_len, &diag)) {
		fprintf(stderr, "fuzz_json_response: embedded catalog: %s\n", diag.msg);
		abort();
	}
	for (size_t i = 0; i < NOPS; i++) {
		op_of[i] = alc_find_operation(&cat, ops[i].service, strlen(ops[i].service), ops[i].op,
		                              strlen(ops[i].op));
		const alc_service *s = alc_find_service(&cat, ops[i].service, strlen(ops[i].service));
		proto_of[i] = s ? rt_proto_for((int)s->protocol) : NULL;
		if (!op_of[i] || !proto_of[i]) {
			fprintf(stderr, "fuzz_json_response: %s:%s missing\n", ops[i].service, ops[i].op);
			abort();
		}
	}
	opened = 1;
}

static void check_str(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 404, 500, 503, 204, 206 };
	if (!opened)
		open_catalog();
	if (size < 3)
		return 0;
	size_t k = data[0] % NOPS;
	long status = data[1] < 7 ? statuses[data[1]] : 100 + (long)data[1];
	size_t hlen = data[2];
	if (hlen > size - 3)
		hlen = size - 3;
	size_t blen = size - 3 - hlen;
	char *hdr = malloc(hlen ? hlen : 1);
	char *body = malloc(blen ? blen : 1);
	if (!hdr || !body)
		abort();
	memcpy(hdr, data + 3, hlen);
	memcpy(body, data + 3 + hlen, blen);
	rt_proto_response resp = { .status = status, .headers = hlen ? hdr : NULL,
		                   .headers_len = hlen, .body = body, .body_len = blen };
	rt_proto_error e;
	rt_proto_error_init(&e);
	cJSON *out = NULL;
	int rc = proto_of[k]->parse(&cat, op_of[k], &resp, &out, &e);
	if (rc == 0) {
		if (!cJSON_IsObject(out))
			abort();
		char *s = cJSON_PrintUnformatted(out);
		if (s) {
			cJSON *back = cJSON_Parse(s);
			if (!back)
				abort();
			cJSON_Delete(back);
			free(s);
		}
	} else if (rc == AL_EPROTO) {
		if (out)
			abort();
		if (e.kind != RT_PERR_SERVICE && e.kind != RT_PERR_MALFORMED)
			abort();
		check_str(e.code, sizeof e.code);
		check_str(e.message, sizeof e.message);
		check_str(e.request_id, sizeof e.request_id);
		if (e.kind == RT_PERR_SERVICE && !e.code[0])
			abort();
		if (e.shape != ALC_NONE && e.shape >= cat.nshapes)
			abort();
		cJSON *j = rt_proto_error_json(&cat, &e);
		char *s = j ? cJSON_PrintUnformatted(j) : NULL;
		free(s);
		cJSON_Delete(j);
	} else if (rc != AL_ENOMEM) {
		abort();
	}
	cJSON_Delete(out);
	rt_proto_error_free(&e);
	free(hdr);
	free(body);
	return 0;
}
