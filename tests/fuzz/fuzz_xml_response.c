/*
 * fuzz_xml_response.c -- libFuzzer target for the XML response parsers
 * (restXml, awsQuery, ec2Query: rt_xml_parse and the shape-directed
 * reading of rt_proto_xml.c / rt_proto_query.c) over the catalog of
 * tests/exec_xml/model, embedded at build time: three services that share
 * one recursive structure with every XML binding (attributes, namespaces,
 * flattened and renamed lists and maps, sparse maps, unions, every scalar
 * and timestamp format), header, prefix-header, status-code and payload
 * members, and modeled errors (awsQueryError code, retryable throttling).
 *
 * Input: byte 0 picks the operation (RestThing, RestPayload, RestBlob,
 * RestUnion, RestUnwrapped, QueryThing, Ec2Thing), byte 1 the HTTP status
 * (200, 400, 404, 500, 301, 503, 206, else the byte plus 100), byte 2 the
 * length of the header block that follows ("Name: value" lines), and the
 * rest is the body, in a buffer of exactly its size (not NUL-terminated).
 *
 * Pass condition: never crash, never read outside a buffer; parse() gives
 * 0 with an object, or AL_EPROTO with a service or malformed error whose
 * strings are terminated and whose JSON (rt_proto_error_json) builds, or
 * AL_ENOMEM; the output prints as JSON that parses back.
 *
 * Seeds: tests/fuzz/corpus/xml_response/ (the Smithy protocol tests'
 * response bodies for these shapes, errors in the three wrappings, S3's
 * unwrapped output, namespaces and prefixes, entities and CDATA).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_proto.h"

extern const unsigned char airlock_xmlfuzz_alc[];
extern const size_t airlock_xmlfuzz_alc_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int opened;

static const struct {
	const char *service, *op;
} ops[] = {
	{ "RestXmlFuzz", "RestThing" }, { "RestXmlFuzz", "RestPayload" },
	{ "RestXmlFuzz", "RestBlob" },  { "RestXmlFuzz", "RestUnion" },
	{ "RestXmlFuzz", "RestUnwrapped" }, { "QueryFuzz", "QueryThing" },
	{ "Ec2Fuzz", "Ec2Thing" },
};
#define NOPS (sizeof ops / sizeof ops[0])

static const alc_operation *op_of[NOPS];
static const rt_proto *proto_of[NOPS];

static void open_catalog(void)
{
	alc_diag diag;
	if (alc_open_mem(&cat, airlock_xmlfuzz_alc, airlock_xmlfuzz_alc_len, &diag)) {
		fprintf(stderr, "fuzz_xml_response: embedded catalog: %s\n", diag.msg);
		abort();
	}
	for (size_t i = 0; i < NOPS; i++) {
		op_of[i] = alc_find_operation(&cat, ops[i].service, strlen(ops[i].service), ops[i].op,
		                              strlen(ops[i].op));
		const alc_service *s = alc_find_service(&cat, ops[i].service, strlen(ops[i].service));
		proto_of[i] = s ? rt_proto_for((int)s->protocol) : NULL;
		if (!op_of[i] || !proto_of[i]) {
			fprintf(stderr, "fuzz_xml_response: %s:%s missing\n", ops[i].service, ops[i].op);
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
	static const long statuses[] = { 200, 400, 404, 500, 301, 503, 206 };
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
			/* Raw numbers are digits as written; everything else is
			 * cJSON's own output. */
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
