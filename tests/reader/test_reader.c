/*
 * test_reader.c -- unit tests of formats/alc_reader.c and of the verify
 * checks (compiler/cc_verify.c), on catalogs built here by a small builder
 * that mirrors the compiler's writer.
 *
 *   test_reader                       run the tests
 *   test_reader --write-corpus DIR    write the fuzz seed corpus to DIR
 *
 * The builder makes two services: cloudwatch-logs (sdk-id "CloudWatch
 * Logs", cli "logs", two operations) and s3 (cli "s3api", one operation),
 * with structures, a list, a map, an enum, an intEnum, an error shape, a
 * shared U32 error list, a member ext record, constraints, parameters,
 * rules bytes and manifest records: one record of every kind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "cc_inspect.h"

static int failures, checks;

#define CHECK(cond) do { \
		checks++; \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
			        __LINE__, #cond); \
		} \
	} while (0)

/* ---- builder -------------------------------------------------------- */

/* The example rule set of formats/RULES.md, encoded against a fresh string
 * pool: "1.0" at 1, "Region" at 5, "p" at 12, "https://x." at 14, "." at
 * 25, "dnsSuffix" at 27.  The builder's pool starts with those strings,
 * and both services share the blob (as the compiler stores identical rule
 * sets once). */
static const uint8_t golden_rules[200] = {
	0x41, 0x4c, 0x52, 0x53, 0x01, 0x00, 0x40, 0x00, 0xc8, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x40, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
	0x90, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0xac, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01,
	0x0e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x19, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x02, 0x02,
	0x01, 0x00, 0x00, 0x00, 0x02, 0x04, 0x02, 0x06, 0x03, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x1b, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
	0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

#define TB_MAX 64

typedef struct tb {
	char strs[4096];
	uint32_t strs_len;
	alc_service svcs[4];        uint32_t nsvcs;
	alc_operation ops[8];       uint32_t nops;
	alc_shape shapes[TB_MAX];   uint32_t nshapes;
	alc_shape_ext shext[8];     uint32_t nshext;
	alc_member members[TB_MAX]; uint32_t nmembers;
	alc_member_ext mext[8];     uint32_t nmext;
	alc_cons cons[4];           uint32_t ncons;
	uint32_t u32[16];           uint32_t nu32;
	alc_param params[4];        uint32_t nparams;
	uint8_t rules[256];         uint32_t rules_size;
	alc_manifest manifest[4];   uint32_t nmanifest;
	uint32_t docs[TB_MAX];      uint32_t ndocs;   /* --docs full */
	uint32_t readmap[16];       uint32_t nreadmap;
	/* index keys, in priority order; duplicates are dropped */
	struct { uint32_t key, value, scope; } keys[3][32];
	uint32_t nkeys[3];
	uint32_t compiler_version;  /* header string */
	uint32_t extra_section;     /* add an unknown section with this id */
	int omit_optional;          /* leave out the optional sections */
} tb;

static uint32_t tb_str(tb *b, const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return 0;
	for (uint32_t off = 1; off + n < b->strs_len; off++)
		if (memcmp(b->strs + off, s, n + 1) == 0 && b->strs[off - 1] == 0)
			return off;
	uint32_t off = b->strs_len;
	if (off + n + 1 > sizeof b->strs)
		abort();
	memcpy(b->strs + off, s, n + 1);
	b->strs_len += (uint32_t)n + 1;
	return off;
}

static uint32_t tb_shape(tb *b, const char *name, uint8_t type)
{
	alc_shape *s = &b->shapes[b->nshapes];
	memset(s, 0, sizeof *s);
	s->name = tb_str(b, name);
	s->type = type;
	s->first_member = b->nmembers;
	s->cons = ALC_NONE;
	s->ext = ALC_NONE;
	return b->nshapes++;
}

/* An ext record for shape I. */
static alc_shape_ext *tb_shext(tb *b, uint32_t i, const char *ns)
{
	alc_shape_ext *x = &b->shext[b->nshext];
	memset(x, 0, sizeof *x);
	x->ns = tb_str(b, ns);
	b->shapes[i].ext = b->nshext++;
	return x;
}

/* A member of the most recent shape. */
static uint32_t tb_member(tb *b, const char *name, uint32_t target,
                          uint32_t flags)
{
	alc_member *m = &b->members[b->nmembers];
	memset(m, 0, sizeof *m);
	m->name = tb_str(b, name);
	m->target = target;
	m->flags = flags;
	m->aux = ALC_NONE;
	b->shapes[b->nshapes - 1].member_count++;
	return b->nmembers++;
}

/* Key RAW (normalised here) -> VALUE in index IDX (0 IDX_SVC, 1 IDX_OP,
 * 2 IDX_CLI); SCOPE is the service of operation keys. */
static void tb_key(tb *b, int idx, const char *raw, uint32_t value,
                   uint32_t scope)
{
	char k[ALC_KEY_MAX];
	size_t n = alc_normalise(k, sizeof k, raw, strlen(raw));
	if (!n)
		return;
	b->keys[idx][b->nkeys[idx]].key = tb_str(b, k);
	b->keys[idx][b->nkeys[idx]].value = value;
	b->keys[idx][b->nkeys[idx]].scope = scope;
	b->nkeys[idx]++;
}

enum {
	SH_STRING, SH_TAG, SH_TAGLIST, SH_TAGMAP, SH_STATUS, SH_LEVEL, SH_ERR,
	SH_CREATE_IN, SH_CREATE_OUT, SH_DESC_IN, SH_DESC_OUT, SH_LIST_IN,
	SH_COUNT
};

static void tb_basic(tb *b)
{
	memset(b, 0, sizeof *b);
	b->strs_len = 1;                      /* offset 0: "" */
	static const char *const rule_strs[] = {
		"1.0", "Region", "p", "https://x.", ".", "dnsSuffix",
	};
	static const uint32_t rule_offs[] = { 1, 5, 12, 14, 25, 27 };
	for (size_t i = 0; i < sizeof rule_offs / sizeof rule_offs[0]; i++)
		if (tb_str(b, rule_strs[i]) != rule_offs[i])
			abort();
	b->compiler_version = tb_str(b, "test_reader");

	/* shapes, in the order of the enum above: the prelude first, then
	 * cloudwatch-logs' [1, 11), then s3's [11, 12) */
	tb_shape(b, "String", ALC_T_STRING);
	tb_shext(b, SH_STRING, "smithy.api");
	b->shapes[SH_STRING].cons = 0;
	b->cons[b->ncons++] = (alc_cons){ ALC_C_LEN_MIN | ALC_C_PATTERN,
		tb_str(b, "^[a-z]+$"), 1, 0, 0, 0, 0, 0 };
	tb_shape(b, "Tag", ALC_T_STRUCTURE);
	tb_member(b, "Key", SH_STRING, ALC_M_REQUIRED);
	uint32_t m = tb_member(b, "Value", SH_STRING, ALC_M_HAS_EXT);
	b->members[m].aux = b->nmext;
	b->mext[b->nmext] = (alc_member_ext){ .loc_name = tb_str(b, "x-value"),
		.json_name = tb_str(b, "value"), .cons = 0,
		.ts_format = ALC_TS_NONE };
	b->nmext++;
	tb_shape(b, "TagList", ALC_T_LIST);
	tb_member(b, "member", SH_TAG, 0);
	tb_shape(b, "TagMap", ALC_T_MAP);
	tb_shext(b, SH_TAGMAP, "com.amazonaws.shared")->xml_name =
		tb_str(b, "Tags");
	tb_member(b, "key", SH_STRING, 0);
	tb_member(b, "value", SH_STRING, 0);
	tb_shape(b, "Status", ALC_T_ENUM);
	m = tb_member(b, "ACTIVE", ALC_NONE, ALC_M_ENUM_VALUE);
	b->members[m].aux = tb_str(b, "active");
	m = tb_member(b, "DELETED", ALC_NONE, ALC_M_ENUM_VALUE);
	b->members[m].aux = tb_str(b, "deleted");
	tb_shape(b, "Level", ALC_T_INTENUM);
	m = tb_member(b, "LOW", ALC_NONE, ALC_M_ENUM_VALUE);
	b->members[m].aux = 1;
	m = tb_member(b, "HIGH", ALC_NONE, ALC_M_ENUM_VALUE);
	b->members[m].aux = (uint32_t)-2;
	tb_shape(b, "InvalidParameterException", ALC_T_STRUCTURE);
	b->shapes[SH_ERR].flags = ALC_SH_ERROR_CLIENT;
	b->shapes[SH_ERR].http_error = 400;
	tb_shext(b, SH_ERR, "")->error_code = tb_str(b, "InvalidParameter");
	tb_member(b, "message", SH_STRING, 0);
	tb_shape(b, "CreateLogGroupRequest", ALC_T_STRUCTURE);
	tb_member(b, "logGroupName", SH_STRING, ALC_M_REQUIRED);
	tb_member(b, "tags", SH_TAGMAP, 0);
	tb_member(b, "status", SH_STATUS, 0);
	tb_member(b, "level", SH_LEVEL, 0);
	uint32_t idem = tb_member(b, "clientToken", SH_STRING,
	                          ALC_M_IDEMPOTENCY_TOKEN);
	tb_shape(b, "CreateLogGroupResponse", ALC_T_STRUCTURE);
	tb_shape(b, "DescribeLogGroupsRequest", ALC_T_STRUCTURE);
	tb_member(b, "nextToken", SH_STRING, 0);
	tb_shape(b, "DescribeLogGroupsResponse", ALC_T_STRUCTURE);
	tb_member(b, "tags", SH_TAGLIST, 0);
	tb_shape(b, "ListObjectsV2Request", ALC_T_STRUCTURE);
	tb_member(b, "Bucket", SH_STRING, ALC_M_HTTP_LABEL | ALC_M_REQUIRED);

	/* one error list, shared by a service and two operations */
	b->u32[b->nu32++] = SH_ERR;

	b->params[b->nparams++] = (alc_param){ tb_str(b, "UseFIPS"),
		ALC_PARAM_CLIENT_CONTEXT, tb_str(b, "boolean"), 0 };
	b->params[b->nparams++] = (alc_param){ tb_str(b, "Region"),
		ALC_PARAM_STATIC_CONTEXT, tb_str(b, "\"us-east-1\""), 0 };
	memcpy(b->rules, golden_rules, sizeof golden_rules);
	b->rules_size = sizeof golden_rules;

	alc_service *s = &b->svcs[b->nsvcs++];
	s->key = tb_str(b, "cloudwatch-logs");
	s->sdk_id = tb_str(b, "CloudWatch Logs");
	s->shape_id = tb_str(b, "com.amazonaws.cloudwatchlogs#Logs_20140328");
	s->version = tb_str(b, "2014-03-28");
	s->title = tb_str(b, "Amazon CloudWatch Logs");
	s->signing_name = tb_str(b, "logs");
	s->endpoint_prefix = tb_str(b, "logs");
	s->cli_name = tb_str(b, "logs");
	s->target_prefix = tb_str(b, "Logs_20140328");
	s->protocol = ALC_PROTO_AWSJSON1_1;
	s->flags = ALC_SVC_SIGV4;
	s->first_op = 0;
	s->op_count = 2;
	s->rules_offset = 0;
	s->rules_size = sizeof golden_rules;
	s->first_param = 0;
	s->param_count = 1;
	s->first_error = 0;
	s->error_count = 1;
	s->manifest = 0;
	s->namespace_ = tb_str(b, "com.amazonaws.cloudwatchlogs");
	s->first_shape = 1;
	s->shape_count = 10;
	s = &b->svcs[b->nsvcs++];
	s->key = tb_str(b, "s3");
	s->sdk_id = tb_str(b, "S3");
	s->shape_id = tb_str(b, "com.amazonaws.s3#AmazonS3");
	s->version = tb_str(b, "2006-03-01");
	s->signing_name = tb_str(b, "s3");
	s->endpoint_prefix = tb_str(b, "s3");
	s->cli_name = tb_str(b, "s3api");
	s->protocol = ALC_PROTO_RESTXML;
	s->flags = ALC_SVC_SIGV4 | ALC_SVC_NO_ERROR_WRAPPING;
	s->first_op = 2;
	s->op_count = 1;
	s->rules_offset = 0;                  /* shared with cloudwatch-logs */
	s->rules_size = sizeof golden_rules;
	s->first_param = 1;
	s->param_count = 0;
	s->first_error = 1;
	s->error_count = 0;
	s->manifest = 1;
	s->namespace_ = tb_str(b, "com.amazonaws.s3");
	s->first_shape = 11;
	s->shape_count = 1;

	alc_operation *op = &b->ops[b->nops++];
	op->name = tb_str(b, "CreateLogGroup");
	op->cli_name = tb_str(b, "create-log-group");
	op->service = 0;
	op->input = SH_CREATE_IN;
	op->output = SH_CREATE_OUT;
	op->first_error = 0;
	op->error_count = 1;
	op->http_method = tb_str(b, "POST");
	op->http_uri = tb_str(b, "/");
	op->http_code = 200;
	op->flags = ALC_OP_IDEMPOTENT;
	op->idem_member = idem;
	op->first_param = 1;
	op->param_count = 1;
	op = &b->ops[b->nops++];
	op->name = tb_str(b, "DescribeLogGroups");
	op->cli_name = tb_str(b, "describe-log-groups");
	op->service = 0;
	op->input = SH_DESC_IN;
	op->output = SH_DESC_OUT;
	op->first_error = 0;
	op->error_count = 1;
	op->http_code = 200;
	op->flags = ALC_OP_READONLY | ALC_OP_PAGINATED;
	op->idem_member = ALC_NONE;
	op->pg_input_token = tb_str(b, "nextToken");
	op->pg_output_token = tb_str(b, "nextToken");
	op->first_param = 2;
	op = &b->ops[b->nops++];
	op->name = tb_str(b, "ListObjectsV2");
	op->cli_name = tb_str(b, "list-objects-v2");
	op->service = 1;
	op->input = SH_LIST_IN;
	op->output = ALC_NONE;
	op->http_method = tb_str(b, "GET");
	op->http_uri = tb_str(b, "/{Bucket}?list-type=2");
	op->http_code = 200;
	op->idem_member = ALC_NONE;
	op->first_param = 2;

	/* read mapping: CreateLogGroup -> DescribeLogGroups, one argument
	 * (an override's shape: logGroupNamePrefix=logGroupName) */
	b->readmap[b->nreadmap++] = 1;                       /* read: OPS[1] */
	b->readmap[b->nreadmap++] = tb_str(b, "logGroups[0]") | 1u << ALC_RM_HIGH_SHIFT;
	b->readmap[b->nreadmap++] = tb_str(b, "logGroupName");
	b->readmap[b->nreadmap++] = tb_str(b, "logGroupNamePrefix"); /* flags 0 */
	b->ops[0].readmap = ALC_RM_PACK(0, ALC_RM_CREATE, ALC_RM_OVERRIDE);
	b->ops[1].readmap = ALC_NONE;
	b->ops[2].readmap = ALC_NONE;

	b->manifest[b->nmanifest++] = (alc_manifest){
		tb_str(b, "cloudwatch-logs/service/2014-03-28/logs.json"), 0,
		1234, 1, 2, tb_str(b, "2.0"), 0 };
	b->manifest[b->nmanifest++] = (alc_manifest){
		tb_str(b, "s3/service/2006-03-01/s3.json"), 1, 5678, 3, 4,
		tb_str(b, "2.0"), 0 };

	/* index keys, as the compiler writes them: service names by
	 * priority (an alias never shadows a canonical name), operation
	 * names and CLI names scoped by service */
	for (int pass = 0; pass < 6; pass++)
		for (uint32_t i = 0; i < b->nsvcs; i++) {
			const alc_service *sv = &b->svcs[i];
			uint32_t f = pass == 0 ? sv->key : pass == 1 ? sv->sdk_id :
			             pass == 2 ? sv->cli_name :
			             pass == 3 ? sv->target_prefix :
			             pass == 4 ? sv->endpoint_prefix : 0;
			const char *name = b->strs + f;
			if (pass == 5)       /* the service shape's name */
				name = strchr(b->strs + sv->shape_id, '#') + 1;
			tb_key(b, 0, name, i, 0);
		}
	for (uint32_t i = 0; i < b->nops; i++) {
		const alc_operation *o = &b->ops[i];
		tb_key(b, 1, b->strs + o->name, i, o->service);
		tb_key(b, 2, b->strs + o->cli_name, i, o->service);
	}
}

/* An index section: header, then slots; returns its size. */
static size_t tb_index(const tb *b, int idx, uint8_t *out)
{
	uint32_t n = b->nkeys[idx], slots = 4;
	while (slots < 2 * n)
		slots *= 2;
	alc_index_header ih = { slots, 0, ALC_INDEX_SEED };
	alc_index_slot *sl = (alc_index_slot *)(out + sizeof ih);
	for (uint32_t i = 0; i < slots; i++)
		sl[i] = (alc_index_slot){ 0, 0, 0, ALC_NONE };
	for (uint32_t i = 0; i < n; i++) {
		const char *k = b->strs + b->keys[idx][i].key;
		uint32_t scope = b->keys[idx][i].scope;
		uint64_t h = XXH3_64bits_withSeed(k, strlen(k),
		                                  ALC_INDEX_SEED + scope);
		uint32_t j = (uint32_t)h & (slots - 1);
		int dup = 0;
		while (sl[j].value != ALC_NONE) {
			if (strcmp(b->strs + sl[j].key, k) == 0 &&
			    sl[j].scope == scope) {
				dup = 1;
				break;
			}
			j = (j + 1) & (slots - 1);
		}
		if (dup)
			continue;
		sl[j] = (alc_index_slot){ (uint32_t)h, scope, b->keys[idx][i].key,
		                          b->keys[idx][i].value };
		ih.entry_count++;
	}
	memcpy(out, &ih, sizeof ih);
	return sizeof ih + (size_t)slots * sizeof(alc_index_slot);
}

/* Recompute the checksum after an edit. */
static void reseal(uint8_t *img, size_t len)
{
	alc_header *h = (alc_header *)img;
	XXH128_hash_t x = XXH3_128bits(img + ALC_CHECKSUM_FROM,
	                               len - ALC_CHECKSUM_FROM);
	h->checksum_lo = x.low64;
	h->checksum_hi = x.high64;
}

/* Serialise B into a fresh 8-aligned image (free() it). */
static uint8_t *tb_emit(const tb *b, size_t *len)
{
	static uint8_t idxbuf[3][16 + 16 * 256];
	size_t idxlen[3];
	for (int i = 0; i < 3; i++)
		idxlen[i] = tb_index(b, i, idxbuf[i]);

	struct { uint32_t id, entsize, count; const void *p; int opt; } secs[] = {
		{ ALC_SEC_STRS, 1, b->strs_len, b->strs, 0 },
		{ ALC_SEC_SVCS, sizeof(alc_service), b->nsvcs, b->svcs, 0 },
		{ ALC_SEC_OPS, sizeof(alc_operation), b->nops, b->ops, 0 },
		{ ALC_SEC_SHAPES, sizeof(alc_shape), b->nshapes, b->shapes, 0 },
		{ ALC_SEC_SHAPEXT, sizeof(alc_shape_ext), b->nshext, b->shext, 1 },
		{ ALC_SEC_MEMBERS, sizeof(alc_member), b->nmembers, b->members, 0 },
		{ ALC_SEC_MEMBEXT, sizeof(alc_member_ext), b->nmext, b->mext, 1 },
		{ ALC_SEC_CONS, sizeof(alc_cons), b->ncons, b->cons, 1 },
		{ ALC_SEC_U32, 4, b->nu32, b->u32, 1 },
		{ ALC_SEC_PARAMS, sizeof(alc_param), b->nparams, b->params, 1 },
		{ ALC_SEC_RULES, 1, b->rules_size, b->rules, 1 },
		{ ALC_SEC_MANIFEST, sizeof(alc_manifest), b->nmanifest,
		  b->manifest, 1 },
		{ ALC_SEC_IDX_SVC, 1, (uint32_t)idxlen[0], idxbuf[0], 0 },
		{ ALC_SEC_IDX_OP, 1, (uint32_t)idxlen[1], idxbuf[1], 0 },
		{ ALC_SEC_IDX_CLI, 1, (uint32_t)idxlen[2], idxbuf[2], 0 },
		{ ALC_SEC_DOCS, 4, b->ndocs, b->docs, 1 },
		{ ALC_SEC_READMAP, 4, b->nreadmap, b->readmap, 1 },
		{ b->extra_section, 4, 3, "abcdefghijkl", 1 },
	};
	uint32_t nsec = 0;
	alc_section dir[ALC_MAX_SECTIONS];
	size_t off = sizeof(alc_header) +
	             (sizeof secs / sizeof secs[0]) * sizeof(alc_section);
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
		if (secs[i].id == 0 || (secs[i].opt && b->omit_optional &&
		                        secs[i].count == 0) ||
		    (secs[i].id == ALC_SEC_DOCS && secs[i].count == 0))
			continue;
		size_t size = (size_t)secs[i].entsize * secs[i].count;
		dir[nsec++] = (alc_section){ secs[i].id, secs[i].entsize,
		                             secs[i].count, 0, off, size };
		off = (off + size + 7) & ~(size_t)7;
	}
	/* the directory was sized for every row: shift nothing, just pad */
	size_t total = off;
	uint8_t *img = aligned_alloc(8, (total + 7) & ~(size_t)7);
	memset(img, 0, total);
	for (uint32_t i = 0, k = 0; i < sizeof secs / sizeof secs[0]; i++) {
		if (secs[i].id == 0 || (secs[i].opt && b->omit_optional &&
		                        secs[i].count == 0) ||
		    (secs[i].id == ALC_SEC_DOCS && secs[i].count == 0))
			continue;
		memcpy(img + dir[k].offset, secs[i].p, dir[k].size);
		k++;
	}
	alc_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, ALC_MAGIC, ALC_MAGIC_LEN);
	h.endian_tag = ALC_ENDIAN_TAG;
	h.write_version = ALC_WRITE_VERSION;
	h.read_version = ALC_READ_VERSION;
	h.header_size = sizeof h;
	h.file_size = total;
	h.dir_offset = sizeof h;
	h.section_count = nsec;
	h.compiler_version = b->compiler_version;
	h.service_count = b->nsvcs;
	h.operation_count = b->nops;
	h.shape_count = b->nshapes;
	h.member_count = b->nmembers;
	memcpy(img, &h, sizeof h);
	memcpy(img + sizeof h, dir, nsec * sizeof(alc_section));
	reseal(img, total);
	*len = total;
	return img;
}

/* ---- helpers -------------------------------------------------------- */

static uint8_t *basic_image(size_t *len)
{
	static tb b;
	tb_basic(&b);
	return tb_emit(&b, len);
}

static alc_section *sec_of(uint8_t *img, uint32_t id)
{
	alc_header *h = (alc_header *)img;
	alc_section *d = (alc_section *)(img + h->dir_offset);
	for (uint32_t i = 0; i < h->section_count; i++)
		if (d[i].id == id)
			return &d[i];
	abort();
}

static void *rec(uint8_t *img, uint32_t id, uint32_t i)
{
	alc_section *s = sec_of(img, id);
	return img + s->offset + (size_t)i * s->entsize;
}

/* A scratch file for the file-backed opens of open_img. */
static char scratch_dir[] = "/tmp/test_reader.XXXXXX";
static char scratch[64];

/* Opens the image of a file holding IMG with OPEN (alc_open, or
 * alc_open_deferred then alc_verify_wait when DEFERRED). */
static int open_file(const uint8_t *img, size_t len, int deferred, alc_diag *d)
{
	if (!scratch[0]) {
		if (!mkdtemp(scratch_dir)) {
			perror("mkdtemp");
			exit(1);
		}
		snprintf(scratch, sizeof scratch, "%s/img.alc", scratch_dir);
	}
	FILE *f = fopen(scratch, "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0) {
		perror(scratch);
		exit(1);
	}
	alc_catalog c;
	int rc = deferred ? alc_open_deferred(&c, scratch, d) : alc_open(&c, scratch, d);
	if (rc == 0 && deferred && (rc = alc_verify_wait(&c, d)) != 0 &&
	    alc_verify_wait(&c, NULL) != rc) /* asked again: the same verdict */
		rc = 12345;
	if (rc == 0 || (deferred && c.pending))
		alc_close(&c);
	return rc;
}

/* Opens IMG from memory, and as a file both ways (the mapped path runs
 * the checksum on a thread; alc_open_deferred runs everything after the
 * directory on one): all three must give the same verdict and message. */
static int open_img(const uint8_t *img, size_t len, alc_diag *d)
{
	static unsigned calls;
	alc_catalog c;
	int rc = alc_open_mem(&c, img, len, d);
	if (rc == 0)
		alc_close(&c);
	/* Every 8th image (a file write and two mappings each: the flips
	 * alone are 15,000 images), and not the misaligned buffers that
	 * only alc_open_mem can be given. */
	if (calls++ % 8 != 0 || (uintptr_t)img % 8 != 0)
		return rc;
	for (int deferred = 0; deferred <= 1; deferred++) {
		alc_diag fd;
		int frc = open_file(img, len, deferred, &fd);
		checks++;
		if (frc != rc || strcmp(fd.msg, d->msg) != 0) {
			failures++;
			fprintf(stderr, "%s: got %s \"%s\", from memory %s \"%s\"\n",
			        deferred ? "alc_open_deferred" : "alc_open", al_errname(frc),
			        fd.msg, al_errname(rc), d->msg);
		}
	}
	return rc;
}

/* Edit a fresh image with FN, reseal it, and expect open to fail with
 * CODE and a message containing WANT. */
typedef void (*edit_fn)(uint8_t *img, size_t len);

static void expect_edit(const char *what, edit_fn fn, int code,
                        const char *want)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	fn(img, len);
	reseal(img, len);
	alc_diag d;
	int rc = open_img(img, len, &d);
	checks++;
	if (rc != code || !strstr(d.msg, want)) {
		failures++;
		fprintf(stderr, "%s: got %s \"%s\", want %s containing \"%s\"\n",
		        what, al_errname(rc), d.msg, al_errname(code), want);
	}
	free(img);
}

/* Same, but the edit passes alc_open and must be caught by verify. */
static void expect_verify(const char *what, edit_fn fn, const char *want)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	fn(img, len);
	reseal(img, len);
	alc_catalog c;
	alc_diag d;
	int rc = alc_open_mem(&c, img, len, &d);
	checks++;
	if (rc != 0) {
		failures++;
		fprintf(stderr, "%s: open failed: %s\n", what, d.msg);
	} else {
		rc = cc_verify_catalog(&c, &d);
		if (rc != AL_ECORRUPT || !strstr(d.msg, want)) {
			failures++;
			fprintf(stderr, "%s: verify got %s \"%s\", want \"%s\"\n",
			        what, al_errname(rc), d.msg, want);
		}
		alc_close(&c);
	}
	free(img);
}

/* ---- lookups -------------------------------------------------------- */

static void test_lookups(void)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	alc_catalog c;
	alc_diag d;
	int rc = alc_open_mem(&c, img, len, &d);
	CHECK(rc == 0);
	if (rc) {
		fprintf(stderr, "open: %s: %s\n", al_errname(rc), d.msg);
		exit(1);
	}
	CHECK(cc_verify_catalog(&c, &d) == 0);
	CHECK(c.nsvcs == 2 && c.nops == 3 && c.nshapes == SH_COUNT);

	/* read mappings */
	alc_readmap rm;
	CHECK(alc_op_readmap(&c, &c.ops[0], &rm) == 1);
	CHECK(rm.read == &c.ops[1] && rm.kind == ALC_RM_CREATE &&
	      rm.source == ALC_RM_OVERRIDE && strcmp(rm.state_path, "logGroups[0]") == 0 &&
	      rm.nargs == 1 && strcmp(rm.args[0].from, "logGroupName") == 0 &&
	      strcmp(rm.args[0].to, "logGroupNamePrefix") == 0 && rm.args[0].flags == 0);
	CHECK(alc_op_readmap(&c, &c.ops[1], &rm) == 0);
	CHECK(alc_op_readmap(&c, &c.ops[2], &rm) == 0);

#define SVC(name) alc_find_service(&c, name, strlen(name))
	const alc_service *logs = &c.svcs[0], *s3 = &c.svcs[1];
	CHECK(SVC("cloudwatch-logs") == logs);
	CHECK(SVC("CloudWatch Logs") == logs);
	CHECK(SVC("CLOUDWATCH LOGS") == logs);
	CHECK(SVC("cloudwatch logs") == logs);
	CHECK(SVC("logs") == logs);
	CHECK(SVC("Logs") == logs);
	CHECK(SVC("Logs_20140328") == logs);
	CHECK(SVC("s3") == s3);
	CHECK(SVC("S3") == s3);
	CHECK(SVC("s3api") == s3);
	CHECK(SVC("AmazonS3") == s3);
	CHECK(SVC("s3api ") == NULL);
	CHECK(SVC("s") == NULL);
	CHECK(SVC("") == NULL);
	CHECK(alc_find_service(&c, "logsXYZ", 4) == logs); /* length wins */
	CHECK(alc_find_service(&c, "logs\0", 5) == NULL);  /* NUL is no name */
	char big[400];
	memset(big, 'a', sizeof big);
	CHECK(alc_find_service(&c, big, sizeof big) == NULL);
	CHECK(alc_find_service(&c, big, ALC_KEY_MAX) == NULL);
#undef SVC

#define OP(s, o) alc_find_operation(&c, s, strlen(s), o, strlen(o))
	const alc_operation *create = &c.ops[0], *desc = &c.ops[1],
	                    *list = &c.ops[2];
	CHECK(OP("cloudwatch-logs", "CreateLogGroup") == create);
	CHECK(OP("CloudWatch Logs", "createloggroup") == create);
	CHECK(OP("logs", "CREATELOGGROUP") == create);
	CHECK(OP("logs", "create-log-group") == create);
	CHECK(OP("LOGS", "Create-Log-Group") == create);
	CHECK(OP("Logs_20140328", "DescribeLogGroups") == desc);
	CHECK(OP("logs", "describe-log-groups") == desc);
	CHECK(OP("s3", "ListObjectsV2") == list);
	CHECK(OP("s3api", "list-objects-v2") == list);
	CHECK(OP("S3", "LIST-OBJECTS-V2") == list);
	/* an operation of another service is not found through this one */
	CHECK(OP("s3", "CreateLogGroup") == NULL);
	CHECK(OP("logs", "list-objects-v2") == NULL);
	CHECK(OP("nope", "CreateLogGroup") == NULL);
	CHECK(OP("logs", "") == NULL);
	CHECK(OP("logs", "create log group") == create); /* space -> '-' */
	CHECK(alc_find_operation(&c, "logs", 4, big, sizeof big) == NULL);
#undef OP

#define KEY(k) alc_find_operation_key(&c, k, strlen(k))
	CHECK(KEY("cloudwatch-logs:CreateLogGroup") == create);
	CHECK(KEY("logs:create-log-group") == create);
	CHECK(KEY("CloudWatch Logs:DescribeLogGroups") == desc);
	CHECK(KEY("s3api:list-objects-v2") == list);
	CHECK(KEY("s3:listobjectsv2") == list);
	CHECK(KEY("s3 listobjectsv2") == NULL);
	CHECK(KEY(":") == NULL);
	CHECK(KEY("s3:") == NULL);
	CHECK(KEY("") == NULL);
#undef KEY

	/* the raw probes take normalised keys only, scoped by service */
	CHECK(alc_index_lookup(c.idx_svc, c.strs, "s3api", 5) == 1);
	CHECK(alc_index_lookup(c.idx_svc, c.strs, "S3api", 5) == ALC_NONE);
	CHECK(alc_index_lookup(c.idx_svc, c.strs, "s3api\0", 6) == ALC_NONE);
	CHECK(alc_index_lookup_op(&c, c.idx_op, 1, "listobjectsv2", 13) == 2);
	CHECK(alc_index_lookup_op(&c, c.idx_op, 0, "listobjectsv2", 13) ==
	      ALC_NONE);
	CHECK(alc_index_lookup_op(&c, c.idx_op, 1, "ListObjectsV2", 13) ==
	      ALC_NONE);
	CHECK(alc_index_lookup_op(&c, c.idx_cli, 1, "list-objects-v2", 15) ==
	      2);
	CHECK(alc_index_lookup_op(&c, c.idx_cli, 1, "list-objects-v2\0x",
	                          17) == ALC_NONE);
	CHECK(alc_index_lookup_op(&c, c.idx_cli, 0, "create-log-group", 16) ==
	      0);

	/* shapes: owner and namespace */
	CHECK(alc_shape_service(&c, SH_STRING) == ALC_NONE);
	CHECK(strcmp(alc_shape_ns(&c, SH_STRING), "smithy.api") == 0);
	CHECK(alc_shape_service(&c, SH_TAG) == 0);
	CHECK(alc_shape_service(&c, SH_DESC_OUT) == 0);
	CHECK(strcmp(alc_shape_ns(&c, SH_TAG), "com.amazonaws.cloudwatchlogs")
	      == 0);
	CHECK(strcmp(alc_shape_ns(&c, SH_ERR), "com.amazonaws.cloudwatchlogs")
	      == 0);
	CHECK(strcmp(alc_shape_ns(&c, SH_TAGMAP), "com.amazonaws.shared") == 0);
	CHECK(alc_shape_service(&c, SH_LIST_IN) == 1);
	CHECK(strcmp(alc_shape_ns(&c, SH_LIST_IN), "com.amazonaws.s3") == 0);

	/* records */
	CHECK(strcmp(alc_str(&c, create->name), "CreateLogGroup") == 0);
	CHECK(alc_op_index(&c, list) == 2 && alc_svc_index(&c, s3) == 1);
	const alc_member *tagval = &c.members[c.shapes[SH_TAG].first_member + 1];
	const alc_member_ext *x = alc_member_ext_of(&c, tagval);
	CHECK(x && strcmp(alc_str(&c, x->loc_name), "x-value") == 0);
	CHECK(alc_member_ext_of(&c, &c.members[0]) == NULL);
	CHECK(c.u32[desc->first_error] == SH_ERR);
	CHECK(c.rules_size == 200 && c.nmanifest == 2 && c.nparams == 2);
	CHECK(logs->rules_offset == s3->rules_offset);

	/* normalise */
	char out[8];
	CHECK(alc_normalise(out, sizeof out, "Ab C", 4) == 4 &&
	      strcmp(out, "ab-c") == 0);
	CHECK(alc_normalise(out, sizeof out, "1234567", 7) == 7);
	CHECK(alc_normalise(out, sizeof out, "12345678", 8) == 0);
	CHECK(alc_normalise(out, sizeof out, "", 0) == 0);

	alc_close(&c);
	CHECK(c.base == NULL && c.size == 0);
	free(img);
}

/* ---- corruption: no crash, a named error ---------------------------- */

static void test_flips(void)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	uint8_t *copy = aligned_alloc(8, (len + 7) & ~(size_t)7);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	unsigned accepted = 0;

	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof masks; k++) {
			memcpy(copy, img, len);
			copy[i] ^= masks[k];
			alc_diag d;
			int rc = open_img(copy, len, &d);
			/* write_version (12..13) is outside the checksum and
			 * any value >= read_version is legal */
			if (i == 12 || i == 13) {
				accepted += rc == 0;
				continue;
			}
			checks++;
			if (rc == 0 || (i >= ALC_CHECKSUM_FROM &&
			                rc != AL_ECHECKSUM)) {
				failures++;
				fprintf(stderr, "flip byte %zu ^%02x: %s %s\n", i,
				        masks[k], al_errname(rc), d.msg);
			}
		}
	}
	CHECK(accepted > 0);
	free(copy);
	free(img);
}

static void test_truncation(void)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	uint8_t *copy = aligned_alloc(8, len + 64);

	for (size_t n = 0; n < len; n++) {   /* every length */
		memcpy(copy, img, n);
		alc_diag d;
		int rc = open_img(copy, n, &d);
		checks++;
		if (rc != AL_ETRUNC) {
			failures++;
			fprintf(stderr, "truncated to %zu: %s %s\n", n,
			        al_errname(rc), d.msg);
		}
	}
	/* trailing data is corruption, not truncation */
	memcpy(copy, img, len);
	memset(copy + len, 0, 8);
	alc_diag d;
	CHECK(open_img(copy, len + 8, &d) == AL_ECORRUPT &&
	      strstr(d.msg, "trailing"));
	CHECK(open_img(copy, len, &d) == 0);
	/* unaligned buffers are refused, not read */
	memmove(copy + 1, copy, len);
	CHECK(open_img(copy + 1, len, &d) == AL_EINVAL);
	free(copy);
	free(img);
}

static void test_header(void)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	uint8_t *copy = aligned_alloc(8, 2 * len + 64);
	alc_header *h = (alc_header *)copy;
	alc_diag d;

	memcpy(copy, img, len);
	h->read_version = ALC_READ_VERSION + 1;
	h->write_version = ALC_READ_VERSION + 1;
	CHECK(open_img(copy, len, &d) == AL_EVERSION);
	memcpy(copy, img, len);
	h->write_version = ALC_WRITE_VERSION + 5;   /* newer writer, same read */
	CHECK(open_img(copy, len, &d) == 0);
	memcpy(copy, img, len);
	h->read_version = 0;
	CHECK(open_img(copy, len, &d) == AL_ECORRUPT);

	memcpy(copy, img, len);
	h->endian_tag = __builtin_bswap32(ALC_ENDIAN_TAG);
	CHECK(open_img(copy, len, &d) == AL_EENDIAN &&
	      strstr(d.msg, "other byte order"));
	memcpy(copy, img, len);
	h->header_size = 64;
	CHECK(open_img(copy, len, &d) == AL_ECORRUPT &&
	      strstr(d.msg, "header_size"));
	memcpy(copy, img, len);
	h->reserved0 = 1;
	CHECK(open_img(copy, len, &d) == AL_ECORRUPT);

	/* magic, and its diagnosis */
	memcpy(copy, img, len);
	copy[1] = 'X';
	CHECK(open_img(copy, len, &d) == AL_EMAGIC);
	CHECK(open_img(copy, 0, &d) == AL_ETRUNC);
	memcpy(copy, "{\"smithy\": \"2.0\"}", 17);
	CHECK(open_img(copy, 17, &d) == AL_EMAGIC);
	/* CR LF -> LF everywhere */
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (!(img[i] == '\r' && i + 1 < len && img[i + 1] == '\n'))
			copy[n++] = img[i];
	CHECK(open_img(copy, n, &d) == AL_EMAGIC &&
	      strstr(d.msg, "text-mode mangled"));
	/* LF -> CR LF everywhere */
	n = 0;
	for (size_t i = 0; i < len; i++) {
		if (img[i] == '\n')
			copy[n++] = '\r';
		copy[n++] = img[i];
	}
	CHECK(open_img(copy, n, &d) == AL_EMAGIC &&
	      strstr(d.msg, "text-mode mangled"));
	memcpy(copy, img, len);
	copy[0] &= 0x7f;
	CHECK(open_img(copy, len, &d) == AL_EMAGIC && strstr(d.msg, "7-bit"));
	free(copy);
	free(img);
}

/* Record edits; each is resealed so that only the deep checks see it. */
static void e_op_input(uint8_t *img, size_t len)
{
	(void)len;
	((alc_operation *)rec(img, ALC_SEC_OPS, 1))->input = 99999;
}
static void e_op_service(uint8_t *img, size_t len)
{
	(void)len;
	((alc_operation *)rec(img, ALC_SEC_OPS, 2))->service = 0;
}
static void e_op_idem(uint8_t *img, size_t len)
{
	(void)len;
	((alc_operation *)rec(img, ALC_SEC_OPS, 0))->idem_member = 1000;
}
static void e_op_str(uint8_t *img, size_t len)
{
	(void)len;
	((alc_operation *)rec(img, ALC_SEC_OPS, 0))->http_uri =
		sec_of(img, ALC_SEC_STRS)->count;
}
static void e_op_errors(uint8_t *img, size_t len)
{
	(void)len;
	((alc_operation *)rec(img, ALC_SEC_OPS, 0))->error_count = 5;
}
static void e_u32_value(uint8_t *img, size_t len)
{
	(void)len;
	*(uint32_t *)rec(img, ALC_SEC_U32, 0) = SH_COUNT;
}
static void e_strs_unterminated(uint8_t *img, size_t len)
{
	(void)len;
	alc_section *s = sec_of(img, ALC_SEC_STRS);
	img[s->offset + s->size - 1] = 'x';
}
static void e_strs_first(uint8_t *img, size_t len)
{
	(void)len;
	img[sec_of(img, ALC_SEC_STRS)->offset] = 'x';
}
static void e_overlap(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_OPS)->offset = sec_of(img, ALC_SEC_SVCS)->offset;
}
static void e_overlap_dir(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_MANIFEST)->offset = sizeof(alc_header);
}
static void e_unknown_overlap(uint8_t *img, size_t len)
{
	/* sections of unknown ids are bounds- and overlap-checked too */
	(void)len;
	alc_section *r = sec_of(img, ALC_SEC_RULES);
	r->id = 99;
	r->offset = sec_of(img, ALC_SEC_SVCS)->offset;
}
static void e_slot_count(uint8_t *img, size_t len)
{
	(void)len;
	((alc_index_header *)rec(img, ALC_SEC_IDX_OP, 0))->slot_count = 3;
}
static void e_slot_size(uint8_t *img, size_t len)
{
	(void)len;
	((alc_index_header *)rec(img, ALC_SEC_IDX_CLI, 0))->slot_count *= 2;
}
static void e_index_full(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_SVC, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value == ALC_NONE)
			sl[i].value = 0;
	ih->entry_count = ih->slot_count;
}
static void e_entry_count(uint8_t *img, size_t len)
{
	(void)len;
	((alc_index_header *)rec(img, ALC_SEC_IDX_OP, 0))->entry_count--;
}
static void e_slot_value(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_OP, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value != ALC_NONE) {
			sl[i].value = 3;
			break;
		}
}
static void e_slot_key(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_SVC, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value != ALC_NONE) {
			sl[i].key = 0x7fffffff;
			break;
		}
}
static void e_slot_scope(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_OP, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value != ALC_NONE) {
			sl[i].scope = 0x10000;
			break;
		}
}
static void e_svc_ops(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->op_count = 2;
}
static void e_svc_ops_total(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 0))->op_count = 3;
}
static void e_svc_rules(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->rules_size = 201;
}
static void e_rules_blob(uint8_t *img, size_t len)
{
	(void)len;
	uint8_t *blob = rec(img, ALC_SEC_RULES, 0);
	blob[0x58] = 0x7f;                    /* node 0: no such opcode */
}
static void e_rules_overlap(uint8_t *img, size_t len)
{
	(void)len;
	alc_service *s = rec(img, ALC_SEC_SVCS, 1);
	s->rules_offset = 8;
	s->rules_size = 192;
}
static void e_rules_align(uint8_t *img, size_t len)
{
	(void)len;
	alc_service *s = rec(img, ALC_SEC_SVCS, 1);
	s->rules_offset = 4;
	s->rules_size = 196;
}
static void e_svc_manifest(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->manifest = ALC_NONE;
}
static void e_svc_protocol(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 0))->protocol = ALC_PROTO_COUNT;
}
static void e_shape_type(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, 3))->type = ALC_T_COUNT;
}
static void e_shape_members(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_LIST_IN))->member_count = 2;
}
static void e_list_members(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_TAGLIST))->member_count = 2;
}
static void e_shape_cons(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_TAG))->cons = 1;
}
static void e_member_none(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_TAG);
	((alc_member *)rec(img, ALC_SEC_MEMBERS, s->first_member))->target =
		ALC_NONE;
}
static void e_member_ext(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_TAG);
	((alc_member *)rec(img, ALC_SEC_MEMBERS, s->first_member + 1))->aux = 1;
}
static void e_member_aux(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_TAG);
	((alc_member *)rec(img, ALC_SEC_MEMBERS, s->first_member))->aux = 0;
}
static void e_enum_value(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_STATUS);
	((alc_member *)rec(img, ALC_SEC_MEMBERS, s->first_member))->aux =
		0x7fffffff;
}
static void e_enum_flag(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_STATUS);
	alc_member *m = rec(img, ALC_SEC_MEMBERS, s->first_member + 1);
	m->flags &= ~ALC_M_ENUM_VALUE;   /* a plain member, in an enum */
	m->target = SH_STRING;
	m->aux = ALC_NONE;
}
static void e_struct_ev(uint8_t *img, size_t len)
{
	/* an enum value in a structure: its target may not be NONE */
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_TAG);
	alc_member *m = rec(img, ALC_SEC_MEMBERS, s->first_member + 1);
	m->flags = ALC_M_ENUM_VALUE;
	m->aux = 0;
}
static void e_enum_ext(uint8_t *img, size_t len)
{
	(void)len;
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_STATUS);
	((alc_member *)rec(img, ALC_SEC_MEMBERS, s->first_member))->flags |=
		ALC_M_HAS_EXT;
}
static void e_shared_enum(uint8_t *img, size_t len)
{
	/* a structure claiming an enum's values */
	(void)len;
	alc_shape *e = rec(img, ALC_SEC_SHAPES, SH_STATUS);
	alc_shape *s = rec(img, ALC_SEC_SHAPES, SH_CREATE_OUT);
	s->first_member = e->first_member;
	s->member_count = e->member_count;
}
static void e_shape_range(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_DESC_OUT))->first_member =
		0xfffffff0;
}
static void e_shape_ext(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_DESC_IN))->ext = 3;
}
static void e_shext_str(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape_ext *)rec(img, ALC_SEC_SHAPEXT, 1))->media_type =
		0xffffffff;
}
static void e_prelude_ext(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_STRING))->ext = 2;
}
static void e_prelude_noext(uint8_t *img, size_t len)
{
	(void)len;
	((alc_shape *)rec(img, ALC_SEC_SHAPES, SH_STRING))->ext = ALC_NONE;
}
static void e_svc_shapes(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->first_shape = 10;
}
static void e_svc_shapes_end(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->shape_count = 2;
}
static void e_svc_ns(uint8_t *img, size_t len)
{
	(void)len;
	((alc_service *)rec(img, ALC_SEC_SVCS, 1))->namespace_ = 0x10000;
}
static void e_mext_cons(uint8_t *img, size_t len)
{
	(void)len;
	((alc_member_ext *)rec(img, ALC_SEC_MEMBEXT, 0))->cons = 1;
}
static void e_mext_ts(uint8_t *img, size_t len)
{
	(void)len;
	((alc_member_ext *)rec(img, ALC_SEC_MEMBEXT, 0))->ts_format = 9;
}
static void e_param_kind(uint8_t *img, size_t len)
{
	(void)len;
	((alc_param *)rec(img, ALC_SEC_PARAMS, 1))->kind = 0;
}
static void e_cons_str(uint8_t *img, size_t len)
{
	(void)len;
	((alc_cons *)rec(img, ALC_SEC_CONS, 0))->pattern = 0xffffff00;
}
static void e_manifest_svc(uint8_t *img, size_t len)
{
	(void)len;
	((alc_manifest *)rec(img, ALC_SEC_MANIFEST, 0))->service = 2;
}
static void e_hdr_count(uint8_t *img, size_t len)
{
	(void)len;
	((alc_header *)img)->shape_count++;
}
static void e_hdr_str(uint8_t *img, size_t len)
{
	(void)len;
	((alc_header *)img)->models_source = 1u << 30;
}
static void e_misaligned(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_SHAPES)->offset += 4;
}
static void e_entsize(uint8_t *img, size_t len)
{
	(void)len;
	alc_section *s = sec_of(img, ALC_SEC_MEMBERS);
	s->entsize = 10;
	s->count *= 2;
}
static void e_size_mismatch(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_OPS)->count--;
}
static void e_past_end(uint8_t *img, size_t len)
{
	alc_section *s = sec_of(img, ALC_SEC_IDX_CLI);
	s->offset = len - 8;
}
static void e_dup_id(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_RULES)->id = ALC_SEC_CONS;
}
static void e_missing(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_IDX_CLI)->id = 99;
}
static void e_dir_count(uint8_t *img, size_t len)
{
	(void)len;
	((alc_header *)img)->section_count = 33;
}
static void e_dir_offset(uint8_t *img, size_t len)
{
	((alc_header *)img)->dir_offset = (uint32_t)len;
}
static void e_huge_count(uint8_t *img, size_t len)
{
	/* size == entsize * count must hold in 64 bits, not modulo 2^32 */
	(void)len;
	alc_section *s = sec_of(img, ALC_SEC_MEMBERS);
	s->count = 5 * s->count + (1u << 30);   /* 4 * count == size + 2^32 */
	s->entsize = 4;
}

/* READMAP: words [0] read, [1] state path | nargs << 28, [2] from,
 * [3] to | flags << 28 */
static uint32_t *rm_words(uint8_t *img) { return rec(img, ALC_SEC_READMAP, 0); }
static alc_operation *op0(uint8_t *img) { return rec(img, ALC_SEC_OPS, 0); }
static void e_rm_index(uint8_t *img, size_t len)
{ (void)len; op0(img)->readmap = ALC_RM_PACK(4, ALC_RM_CREATE, ALC_RM_OVERRIDE); }
static void e_rm_source(uint8_t *img, size_t len)
{ (void)len; op0(img)->readmap = 0xc0000000u; }
static void e_rm_read(uint8_t *img, size_t len) { (void)len; rm_words(img)[0] = 99; }
static void e_rm_service(uint8_t *img, size_t len) { (void)len; rm_words(img)[0] = 2; }
static void e_rm_not_read(uint8_t *img, size_t len) { (void)len; rm_words(img)[0] = 0; }
static void e_rm_path(uint8_t *img, size_t len)
{ (void)len; rm_words(img)[1] = (rm_words(img)[1] & ~ALC_RM_STR_MASK) | ALC_RM_STR_MASK; }
static void e_rm_nargs(uint8_t *img, size_t len)
{ (void)len; rm_words(img)[1] = (rm_words(img)[1] & ALC_RM_STR_MASK) | 9u << ALC_RM_HIGH_SHIFT; }
static void e_rm_past(uint8_t *img, size_t len)
{ (void)len; rm_words(img)[1] = (rm_words(img)[1] & ALC_RM_STR_MASK) | 2u << ALC_RM_HIGH_SHIFT; }
static void e_rm_arg(uint8_t *img, size_t len) { (void)len; rm_words(img)[3] = ALC_RM_STR_MASK; }
static void e_rm_flags(uint8_t *img, size_t len)
{ (void)len; rm_words(img)[3] = (rm_words(img)[3] & ALC_RM_STR_MASK) | 4u << ALC_RM_HIGH_SHIFT; }
static void e_rm_nosec(uint8_t *img, size_t len)
{
	(void)len;
	sec_of(img, ALC_SEC_READMAP)->id = 30;     /* an unknown section now */
}

static void test_records(void)
{
	static const struct {
		const char *what;
		edit_fn fn;
		const char *want;
	} t[] = {
		{ "readmap index", e_rm_index, "OPS[0].readmap: entry out of READMAP (4)" },
		{ "readmap source", e_rm_source, "OPS[0].readmap: source is not a mapping source" },
		{ "readmap read", e_rm_read, "OPS[0].readmap: read operation out of range (99)" },
		{ "readmap service", e_rm_service, "OPS[0].readmap: read operation of another service" },
		{ "readmap not read", e_rm_not_read, "OPS[0].readmap: read operation is not a read" },
		{ "readmap path", e_rm_path, "OPS[0].readmap: state path string out of range" },
		{ "readmap nargs", e_rm_nargs, "OPS[0].readmap: entry has too many arguments (9)" },
		{ "readmap past", e_rm_past, "OPS[0].readmap: entry's arguments run past READMAP" },
		{ "readmap arg", e_rm_arg, "OPS[0].readmap: argument string out of range" },
		{ "readmap flags", e_rm_flags, "OPS[0].readmap: argument flags unknown (4)" },
		{ "readmap no section", e_rm_nosec,
		  "OPS[0].readmap: set, but the catalog has no READMAP section" },
		{ "op input", e_op_input,
		  "OPS[1].input: SHAPES index 99999 out of range (SHAPES has" },
		{ "op service", e_op_service, "OPS[2].service" },
		{ "op idem", e_op_idem, "OPS[0].idem_member" },
		{ "op str", e_op_str, "OPS[0].http_uri: string offset" },
		{ "op errors", e_op_errors, "OPS[0].first_error+error_count" },
		{ "u32 value", e_u32_value, "U32[0] = shape index" },
		{ "strs unterminated", e_strs_unterminated, "STRS: unterminated" },
		{ "strs first", e_strs_first, "STRS: first byte" },
		{ "overlap", e_overlap, "overlaps" },
		{ "overlap dir", e_overlap_dir, "overlaps" },
		{ "unknown overlap", e_unknown_overlap, "unknown [" },
		{ "slot_count", e_slot_count, "IDX_OP.slot_count: 3" },
		{ "slot size", e_slot_size, "IDX_CLI: section is" },
		{ "index full", e_index_full, "IDX_SVC.entry_count" },
		{ "entry count", e_entry_count, "IDX_OP.entry_count" },
		{ "slot value", e_slot_value, "IDX_OP slot" },
		{ "slot key", e_slot_key, "key string offset" },
		{ "slot scope", e_slot_scope, "is not a service index" },
		{ "svc ops", e_svc_ops, "SVCS[1].first_op+op_count" },
		{ "svc ops total", e_svc_ops_total, "op_count totals 4" },
		{ "svc rules", e_svc_rules, "SVCS[1].rules_offset+rules_size" },
		{ "rules blob", e_rules_blob, "SVCS[0] rule set: " },
		{ "rules overlap", e_rules_overlap,
		  "SVCS[1].rules_offset: rule set [8, +192) overlaps" },
		{ "rules align", e_rules_align, "SVCS[1].rules_offset: 4 is not" },
		{ "svc manifest", e_svc_manifest, "SVCS[1].manifest: ALC_NONE" },
		{ "svc protocol", e_svc_protocol, "SVCS[0].protocol" },
		{ "shape type", e_shape_type, "SHAPES[3].type" },
		{ "shape members", e_shape_members, "SHAPES[11].first_member" },
		{ "list members", e_list_members, "SHAPES[2].member_count" },
		{ "shape cons", e_shape_cons, "SHAPES[1].cons: CONS index 1" },
		{ "member none", e_member_none, "MEMBERS[0].target: ALC_NONE" },
		{ "member ext", e_member_ext, "MEMBERS[1].aux: MEMBEXT index 1" },
		{ "member aux", e_member_aux, "MEMBERS[0].aux" },
		{ "enum value", e_enum_value,
		  "SHAPES[4] (enum): MEMBERS[5].aux: value string offset" },
		{ "enum flag", e_enum_flag, "SHAPES[4] (enum): MEMBERS[6] is not" },
		{ "struct enum value", e_struct_ev,
		  "SHAPES[1] (structure): MEMBERS[1] is an enum value" },
		{ "enum ext", e_enum_ext, "HAS_EXT on an enum value" },
		{ "shared enum", e_shared_enum,
		  "SHAPES[8] (structure): MEMBERS[5] is an enum value" },
		{ "shape range", e_shape_range, "SHAPES[10].first_member" },
		{ "mext ts", e_mext_ts, "MEMBEXT[0].ts_format" },
		{ "mext cons", e_mext_cons, "MEMBEXT[0].cons: CONS index 1" },
		{ "shape ext", e_shape_ext, "SHAPES[9].ext: SHAPEXT index 3" },
		{ "shext str", e_shext_str, "SHAPEXT[1].media_type" },
		{ "prelude ext", e_prelude_ext, "SHAPES[0].ext: owned by no" },
		{ "prelude no ext", e_prelude_noext, "SHAPES[0].ext: owned by no" },
		{ "svc shapes", e_svc_shapes, "SVCS[1].first_shape: 10 overlaps" },
		{ "svc shapes end", e_svc_shapes_end,
		  "SVCS[1].first_shape+shape_count" },
		{ "svc ns", e_svc_ns, "SVCS[1].namespace_: string offset" },
		{ "param kind", e_param_kind, "PARAMS[1].kind" },
		{ "cons str", e_cons_str, "CONS[0].pattern" },
		{ "manifest svc", e_manifest_svc, "MANIFEST[0].service" },
		{ "hdr count", e_hdr_count, "header: shape_count" },
		{ "hdr str", e_hdr_str, "header.models_source: string offset" },
		{ "misaligned", e_misaligned, "not 8-aligned" },
		{ "entsize", e_entsize, "entsize 10, expected 20" },
		{ "size", e_size_mismatch, "!= entsize" },
		{ "past end", e_past_end, "past end of file" },
		{ "dup id", e_dup_id, "both have id 7" },
		{ "missing", e_missing, "required section IDX_CLI missing" },
		{ "dir count", e_dir_count, "section_count 33" },
		{ "dir offset", e_dir_offset, "directory" },
		{ "huge count", e_huge_count, "!= entsize" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		expect_edit(t[i].what, t[i].fn, AL_ECORRUPT, t[i].want);
}

/* Edits that alc_open accepts by design (it does not rehash) but verify
 * refuses. */
static void v_hash(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_OP, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value != ALC_NONE) {
			sl[i].hash ^= 1;
			break;
		}
}
static void v_swap_values(uint8_t *img, size_t len)
{
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_OP, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value == 0)
			sl[i].value = 1;
		else if (sl[i].value == 1)
			sl[i].value = 0;
}
static void v_drop_svc(uint8_t *img, size_t len)
{
	/* remove every name of s3 from IDX_SVC */
	(void)len;
	alc_index_header *ih = rec(img, ALC_SEC_IDX_SVC, 0);
	alc_index_slot *sl = (alc_index_slot *)(ih + 1);
	for (uint32_t i = 0; i < ih->slot_count; i++)
		if (sl[i].value == 1) {
			sl[i].value = ALC_NONE;
			ih->entry_count--;
		}
}
static void v_reserved(uint8_t *img, size_t len)
{
	(void)len;
	((alc_header *)img)->reserved2[3] = 1;
}
static void v_cli_name(uint8_t *img, size_t len)
{
	/* renaming an op's CLI name leaves its IDX_CLI key stale */
	(void)len;
	alc_operation *op = rec(img, ALC_SEC_OPS, 0);
	op->cli_name = op->http_method;
}
static void v_order(uint8_t *img, size_t len)
{
	(void)len;
	alc_service *s = rec(img, ALC_SEC_SVCS, 0);
	alc_section *strs = sec_of(img, ALC_SEC_STRS);
	/* point key at "test_reader", which sorts after "s3" */
	const char *p = (const char *)img + strs->offset;
	for (uint32_t off = 1; off < strs->size; off++)
		if (strcmp(p + off, "test_reader") == 0 && p[off - 1] == 0) {
			s[0].key = off;
			break;
		}
}

static void test_verify(void)
{
	expect_verify("hash", v_hash, "stored hash");
	expect_verify("swapped values", v_swap_values, "points at OPS[");
	expect_verify("dropped service", v_drop_svc, "SVCS[1] (s3): not found");
	expect_verify("cli name", v_cli_name, "points at OPS[0]");
	expect_verify("order", v_order, "sorted by key");
	expect_verify("reserved", v_reserved, "header.reserved2[3]");
}

/* Variants that must open. */
static void test_variants(void)
{
	static tb b;
	size_t len;
	uint8_t *img;
	alc_catalog c;
	alc_diag d;

	/* an unknown section id: ignored */
	tb_basic(&b);
	b.extra_section = 200;
	img = tb_emit(&b, &len);
	CHECK(alc_open_mem(&c, img, len, &d) == 0);
	CHECK(cc_verify_catalog(&c, &d) == 0);
	alc_close(&c);
	free(img);

	/* optional sections absent: count 0 */
	tb_basic(&b);
	b.omit_optional = 1;
	b.nmext = b.ncons = b.nu32 = b.nparams = b.rules_size = 0;
	b.shapes[SH_STRING].cons = ALC_NONE;
	b.members[b.shapes[SH_TAG].first_member + 1].flags = 0;
	b.members[b.shapes[SH_TAG].first_member + 1].aux = ALC_NONE;
	for (uint32_t i = 0; i < b.nsvcs; i++) {
		b.svcs[i].rules_offset = b.svcs[i].rules_size = 0;
		b.svcs[i].first_param = b.svcs[i].param_count = 0;
		b.svcs[i].first_error = b.svcs[i].error_count = 0;
	}
	for (uint32_t i = 0; i < b.nops; i++) {
		b.ops[i].first_param = b.ops[i].param_count = 0;
		b.ops[i].first_error = b.ops[i].error_count = 0;
	}
	img = tb_emit(&b, &len);
	int rc = alc_open_mem(&c, img, len, &d);
	CHECK(rc == 0);
	if (rc)
		fprintf(stderr, "no optional sections: %s\n", d.msg);
	else {
		CHECK(c.nmext == 0 && c.mext == NULL && c.rules_size == 0);
		CHECK(alc_find_operation(&c, "s3api", 5, "list-objects-v2",
		                         15) == &c.ops[2]);
		alc_close(&c);
	}
	free(img);

	/* full documentation: one string per service, operation, member */
	tb_basic(&b);
	b.ndocs = b.nsvcs + b.nops + b.nmembers;
	for (uint32_t i = 0; i < b.ndocs; i++)
		b.docs[i] = 0;
	b.docs[1] = b.svcs[1].title = tb_str(&b, "Amazon Simple Storage Service");
	b.docs[b.nsvcs + 2] = tb_str(&b, "Returns some objects.");
	img = tb_emit(&b, &len);
	rc = alc_open_mem(&c, img, len, &d);
	CHECK(rc == 0);
	if (rc == 0) {
		CHECK(strcmp(alc_doc_service(&c, 1),
		             "Amazon Simple Storage Service") == 0);
		CHECK(strcmp(alc_doc_op(&c, 2), "Returns some objects.") == 0);
		CHECK(strcmp(alc_doc_member(&c, 0), "") == 0);
		alc_close(&c);
	}
	free(img);
	b.docs[3] = 0x40000000;
	img = tb_emit(&b, &len);
	CHECK(open_img(img, len, &d) == AL_ECORRUPT &&
	      strstr(d.msg, "DOCS[3]: string offset"));
	free(img);
	b.ndocs--;
	img = tb_emit(&b, &len);
	CHECK(open_img(img, len, &d) == AL_ECORRUPT && strstr(d.msg, "DOCS:"));
	free(img);
	img = basic_image(&len);   /* and without DOCS, no documentation */
	CHECK(alc_open_mem(&c, img, len, &d) == 0);
	CHECK(c.docs == NULL && strcmp(alc_doc_op(&c, 0), "") == 0);
	alc_close(&c);
	free(img);

	/* two structures sharing a member range, out of order: legal */
	tb_basic(&b);
	b.shapes[SH_CREATE_OUT].first_member =
		b.shapes[SH_DESC_IN].first_member;
	b.shapes[SH_CREATE_OUT].member_count = 1;
	img = tb_emit(&b, &len);
	CHECK(open_img(img, len, &d) == 0);
	free(img);
}

/* alc_open on real files. */
static void test_files(void)
{
	char dir[] = "/tmp/test_reader.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/c.alc", dir);
	size_t len;
	uint8_t *img = basic_image(&len);
	alc_catalog c;
	alc_diag d;

	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(img, 1, len, f) == len);
	fclose(f);
	CHECK(alc_open(&c, path, &d) == 0);
	CHECK(c.mapped == 1 && c.size == len);
	CHECK(alc_find_operation_key(&c, "logs:create-log-group", 21) ==
	      &c.ops[0]);
	alc_close(&c);
	char *argv[] = { "verify", path, NULL };
	CHECK(cc_cmd_verify(2, argv) == 0);

	/* short files are diagnosed like long ones */
	f = fopen(path, "wb");
	CHECK(f && fwrite(img, 1, 100, f) == 100);
	fclose(f);
	CHECK(alc_open(&c, path, &d) == AL_ETRUNC);
	CHECK(cc_cmd_verify(2, argv) == 1);
	f = fopen(path, "wb");
	fclose(f);
	CHECK(alc_open(&c, path, &d) == AL_ETRUNC);
	CHECK(alc_open_deferred(&c, path, &d) == AL_ETRUNC && c.base == NULL);
	unlink(path);
	CHECK(alc_open(&c, path, &d) == AL_ENOENT);
	CHECK(alc_open(&c, dir, &d) == AL_EIO);
	CHECK(c.base == NULL);
	CHECK(alc_open_deferred(&c, path, &d) == AL_ENOENT);
	CHECK(alc_open_deferred(&c, dir, &d) == AL_EIO && c.base == NULL);

	/* deferred: the counts are there at once, the rest after the wait;
	 * alc_close without a wait waits itself */
	f = fopen(path, "wb");
	CHECK(f && fwrite(img, 1, len, f) == len);
	fclose(f);
	CHECK(alc_open_deferred(&c, path, &d) == 0);
	CHECK(c.nops == ((const alc_header *)img)->operation_count);
	CHECK(alc_verify_wait(&c, &d) == 0 && alc_verify_wait(&c, &d) == 0);
	CHECK(alc_find_operation_key(&c, "logs:create-log-group", 21) == &c.ops[0]);
	alc_close(&c);
	CHECK(c.pending == NULL && c.base == NULL);
	CHECK(alc_open_deferred(&c, path, &d) == 0);
	alc_close(&c);
	unlink(path);
	rmdir(dir);
	free(img);
}

/* ---- seed corpus ---------------------------------------------------- */

static void put(const char *dir, const char *name, const uint8_t *p,
                size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void put_edit(const char *dir, const char *name, edit_fn fn)
{
	size_t len;
	uint8_t *img = basic_image(&len);
	fn(img, len);
	reseal(img, len);
	put(dir, name, img, len);
	free(img);
}

static int write_corpus(const char *dir)
{
	static tb b;
	size_t len;
	uint8_t *img;

	mkdir(dir, 0777);
	img = basic_image(&len);
	put(dir, "valid-basic.alc", img, len);
	put(dir, "trunc-half.alc", img, len / 2);
	img[len / 3] ^= 0x40;
	put(dir, "bad-checksum.alc", img, len);
	free(img);

	tb_basic(&b);
	b.ndocs = b.nsvcs + b.nops + b.nmembers;
	for (uint32_t i = 0; i < b.ndocs; i++)
		b.docs[i] = i % 3 ? 0 : b.svcs[0].title;
	img = tb_emit(&b, &len);
	put(dir, "valid-docs.alc", img, len);
	free(img);

	tb_basic(&b);
	b.extra_section = 77;
	img = tb_emit(&b, &len);
	put(dir, "valid-unknown-section.alc", img, len);
	free(img);

	tb_basic(&b);
	b.nsvcs = 1;
	b.nops = 2;
	b.nmanifest = 1;
	for (int x = 0; x < 3; x++) {          /* drop the keys of s3 */
		uint32_t n = 0, limit = x == 0 ? 1 : 2;
		for (uint32_t k = 0; k < b.nkeys[x]; k++)
			if (b.keys[x][k].value < limit)
				b.keys[x][n++] = b.keys[x][k];
		b.nkeys[x] = n;
	}
	b.nshapes = SH_LIST_IN;   /* s3's shapes were the last */
	img = tb_emit(&b, &len);
	put(dir, "valid-one-service.alc", img, len);
	free(img);

	put_edit(dir, "bad-op-input.alc", e_op_input);
	put_edit(dir, "bad-strs.alc", e_strs_unterminated);
	put_edit(dir, "bad-overlap.alc", e_overlap);
	put_edit(dir, "bad-slot-count.alc", e_slot_count);
	put_edit(dir, "bad-enum-ext.alc", e_enum_ext);
	put_edit(dir, "bad-shared-enum.alc", e_shared_enum);
	put_edit(dir, "bad-index-full.alc", e_index_full);
	put_edit(dir, "bad-rules-blob.alc", e_rules_blob);
	put_edit(dir, "bad-rules-overlap.alc", e_rules_overlap);
	put_edit(dir, "bad-readmap-read.alc", e_rm_not_read);
	put_edit(dir, "bad-readmap-nargs.alc", e_rm_past);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);

	test_lookups();
	test_flips();
	test_truncation();
	test_header();
	test_records();
	test_verify();
	test_variants();
	test_files();

	if (scratch[0]) {
		unlink(scratch);
		rmdir(scratch_dir);
	}
	printf("test_reader: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
