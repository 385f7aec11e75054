/*
 * cc_part.c -- parts: one loaded cc_model written to the build cache and
 * read back instead of parsing its model file again.  See cc_part.h for
 * the key, the cache directory and the trust rules.
 *
 * A part file, all integers little-endian (the build refuses big-endian
 * hosts):
 *
 *   OFFSET SIZE DESCRIPTION
 *        0    8 magic "ALCPART\n"
 *        8    4 CC_PART_VERSION
 *       12    4 header size (80)
 *       16   16 key, XXH3-128 (low, high); also the file's name, in hex
 *       32    8 size of the model file
 *       40   16 XXH3-128 of the model file (low, high)
 *       56    4 S = bytes of the string blob (>= 1; its last byte is NUL)
 *       60    4 R = bytes of the record stream
 *       64   16 XXH3-128 of the S + R bytes that follow
 *       80    S the string blob: NUL-terminated strings, each distinct
 *               string once
 *     80+S    R the record stream (below); file size = 80 + S + R
 *
 * The record stream is the model field by field, in the order of
 * part_write_model(), which part_read_model() mirrors line for line: a u8
 * is one byte, an f64 its 8 IEEE bytes (exact); every other integer is a
 * LEB128 varint (7 bits a byte, low first, at most 10 bytes), signed ones
 * zigzagged (0, -1, 1, -2 ... -> 0, 1, 2, 3 ...); a string is a varint, 0
 * for NULL, else its blob offset + 1; an array is its count then its
 * elements; a JSON value (the rule set) is a u8 cJSON type, then a
 * number's f64 and valueint, a string's reference, or an array's /
 * object's count and children (an object child's key reference first).
 * Counts of the model's shapes, operations, parameters and errors come
 * first, so that every shape reference can be checked as it is read.
 * Examples: 300 -> ac 02; the shape ref -1 -> 01 and -2 (smithy.api#Unit)
 * -> 03; a NULL string -> 00; the string at blob offset 5 -> 06.
 *
 * Reading is one mmap of the part, the checks of the header, the checksum,
 * one copy of the string blob into the model's arena, then one pass over
 * the stream that allocates the arrays from the arena and points strings
 * into the blob copy: no JSON, no string copied one by one.  The mapping
 * is gone after the load.  The reader never trusts the stream (the
 * checksum only finds accidents): every read is bounds-checked, every
 * count is bounded by the bytes left (so a count cannot make it allocate
 * more than the file's size per element byte), every string reference
 * must fall in the blob, and every shape reference, operation name and id
 * the emitter relies on must be well-formed -- the same invariants a
 * successful parse gives.
 */
#include "cc_part.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_xxh.h"

#define PART_MAGIC "ALCPART\n"
#define PART_HDR 80u
#ifndef CJSON_NESTING_LIMIT
#define CJSON_NESTING_LIMIT 1000
#endif

typedef struct part_hdr {
	char magic[8];
	uint32_t version, header_size;
	uint64_t key_lo, key_hi;
	uint64_t model_size;
	uint64_t model_lo, model_hi;
	uint32_t strs_size, body_size;
	uint64_t sum_lo, sum_hi;
} part_hdr;
_Static_assert(sizeof(part_hdr) == PART_HDR, "part header is 80 bytes");

/* ---- writing --------------------------------------------------------- */

typedef struct pw {
	cc_buf body;
	cc_pool pool;
} pw;

/* Integers are LEB128 varints (signed ones zigzagged first): most fields
 * are 0, -1 or small, so a member takes ~30 bytes instead of ~120. */
static void w_var(pw *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	cc_buf_put(&w->body, b, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (v < 0 ? ~(uint64_t)0 : 0);
}

static void w_u8(pw *w, uint8_t v) { cc_buf_u8(&w->body, v); }
static void w_u16(pw *w, uint16_t v) { w_var(w, v); }
static void w_u32(pw *w, uint32_t v) { w_var(w, v); }
static void w_i32(pw *w, int32_t v) { w_var(w, zigzag(v)); }
static void w_i64(pw *w, int64_t v) { w_var(w, zigzag(v)); }
static void w_f64(pw *w, double v) { cc_buf_put(&w->body, &v, sizeof v); }
static void w_int(pw *w, int v) { w_var(w, zigzag(v)); }

static void w_str(pw *w, const char *s)
{
	w_u32(w, s ? cc_intern(&w->pool, s, strlen(s)) + 1 : 0);
}

static void w_cons(pw *w, const cc_cons *c)
{
	w_u32(w, c->flags);
	w_str(w, c->pattern);
	w_i64(w, c->len_min);
	w_i64(w, c->len_max);
	w_f64(w, c->range_min);
	w_f64(w, c->range_max);
	w_str(w, c->range_min_text);
	w_str(w, c->range_max_text);
}

static void w_member(pw *w, const cc_member *mb)
{
	w_str(w, mb->name);
	/* mb->target_id points into the parse tree, gone after the load */
	w_i32(w, mb->target);
	w_u32(w, mb->flags);
	w_str(w, mb->summary);
	w_str(w, mb->doc);
	w_str(w, mb->loc_name);
	w_str(w, mb->json_name);
	w_str(w, mb->xml_name);
	w_str(w, mb->ec2_name);
	w_str(w, mb->xml_ns_uri);
	w_str(w, mb->xml_ns_prefix);
	w_str(w, mb->default_json);
	w_str(w, mb->context_param);
	w_str(w, mb->enum_value);
	w_i64(w, mb->enum_int);
	w_u8(w, mb->ts_format);
	w_int(w, mb->has_cons);
	w_cons(w, &mb->cons);
	w_str(w, mb->resource_ident);
}

static void w_shape(pw *w, const cc_shape *s)
{
	w_str(w, s->id);
	w_u8(w, s->type);
	w_u8(w, s->ts_format);
	w_u16(w, s->http_error);
	w_u32(w, s->flags);
	w_int(w, s->has_cons);
	w_cons(w, &s->cons);
	w_str(w, s->xml_name);
	w_str(w, s->xml_ns_uri);
	w_str(w, s->xml_ns_prefix);
	w_str(w, s->error_code);
	w_str(w, s->media_type);
	w_int(w, s->reachable);
	/* s->json is the parse tree (gone after the load); s->out is set by
	 * the emitter. */
	w_u32(w, s->nmembers);
	for (uint32_t i = 0; i < s->nmembers; i++)
		w_member(w, &s->members[i]);
}

static void w_params(pw *w, const cc_param *p, uint32_t n)
{
	w_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		w_str(w, p[i].name);
		w_str(w, p[i].value);
		w_str(w, p[i].doc);
		w_u32(w, p[i].kind);
	}
}

static void w_refs(pw *w, const int32_t *v, uint32_t n)
{
	w_u32(w, n);
	for (uint32_t i = 0; i < n; i++)
		w_i32(w, v[i]);
}

static void w_op(pw *w, const cc_op *op)
{
	w_str(w, op->name);
	w_str(w, op->id);
	w_str(w, op->summary);
	w_str(w, op->doc);
	w_i32(w, op->input);
	w_i32(w, op->output);
	w_refs(w, op->errors, op->nerrors);
	w_str(w, op->http_method);
	w_str(w, op->http_uri);
	w_str(w, op->host_prefix);
	w_u32(w, op->http_code);
	w_u32(w, op->flags);
	w_i32(w, op->idem_member);
	w_str(w, op->pg_input_token);
	w_str(w, op->pg_output_token);
	w_str(w, op->pg_items);
	w_str(w, op->pg_page_size);
	w_params(w, op->params, op->nparams);
	w_str(w, op->checksum_member);
}

/* A resource (cc_readmap.c's facts): names only. */
static void w_names(pw *w, const char *const *v, uint32_t n)
{
	w_u32(w, n);
	for (uint32_t i = 0; i < n; i++)
		w_str(w, v[i]);
}

static void w_resource(pw *w, const cc_resource *res)
{
	w_str(w, res->name);
	w_names(w, res->ids, res->nids);
	w_names(w, res->id_targets, res->nids);
	for (int c = 0; c < CC_LC_COUNT; c++)
		w_str(w, res->life[c]);
	w_names(w, res->ops, res->nops);
	w_names(w, res->coll, res->ncoll);
	w_i32(w, res->parent);
}

/* The rule set's cJSON tree, exactly: cJSON_Duplicate() copies type,
 * valuedouble, valueint, valuestring and keys, and so does this. */
static void w_json(pw *w, const cJSON *j)
{
	uint8_t t = (uint8_t)(j->type & 0xff);
	w_u8(w, t);
	switch (t) {
	case cJSON_Number:
		w_f64(w, j->valuedouble);
		w_i32(w, j->valueint);
		break;
	case cJSON_String:
	case cJSON_Raw:
		w_str(w, j->valuestring ? j->valuestring : "");
		break;
	case cJSON_Array:
	case cJSON_Object: {
		uint32_t n = 0;
		for (const cJSON *c = j->child; c; c = c->next)
			n++;
		w_u32(w, n);
		for (const cJSON *c = j->child; c; c = c->next) {
			if (t == cJSON_Object)
				w_str(w, c->string ? c->string : "");
			w_json(w, c);
		}
		break;
	}
	default:
		break;
	}
}

static void part_write_model(pw *w, const cc_model *m)
{
	w_u32(w, m->nshapes);
	w_u32(w, m->nops);
	w_u32(w, m->nparams);
	w_u32(w, m->nerrors);
	w_str(w, m->smithy_version);
	w_str(w, m->service_id);
	w_str(w, m->sdk_id);
	w_str(w, m->key);
	w_str(w, m->version);
	w_str(w, m->title);
	w_str(w, m->summary);
	w_str(w, m->doc);
	w_str(w, m->signing_name);
	w_str(w, m->endpoint_prefix);
	w_str(w, m->arn_namespace);
	w_str(w, m->cfn_name);
	w_str(w, m->xml_ns_uri);
	w_str(w, m->xml_ns_prefix);
	w_str(w, m->target_prefix);
	w_u32(w, m->protocol);
	w_u32(w, m->svc_flags);
	w_params(w, m->params, m->nparams);
	w_refs(w, m->errors, m->nerrors);
	for (uint32_t i = 0; i < m->nshapes; i++)
		w_shape(w, &m->shapes[i]);
	for (uint32_t i = 0; i < m->nops; i++)
		w_op(w, &m->ops[i]);
	w_u32(w, m->nresources);
	for (uint32_t i = 0; i < m->nresources; i++)
		w_resource(w, &m->resources[i]);
	w_u8(w, m->ruleset ? 1 : 0);
	if (m->ruleset)
		w_json(w, m->ruleset);
	/* path, relpath, size and the digest come from the file being built;
	 * failed/diag: only models without errors get a part. */
}

void cc_part_encode(const cc_model *m, uint64_t key_lo, uint64_t key_hi, cc_buf *out)
{
	pw w;
	memset(&w, 0, sizeof w);
	cc_pool_init(&w.pool);
	part_write_model(&w, m);
	part_hdr h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, PART_MAGIC, sizeof h.magic);
	h.version = CC_PART_VERSION;
	h.header_size = PART_HDR;
	h.key_lo = key_lo;
	h.key_hi = key_hi;
	h.model_size = m->size;
	h.model_lo = m->digest_lo;
	h.model_hi = m->digest_hi;
	/* The pool starts with "" at offset 0, so the blob is never empty
	 * and always ends with a NUL. */
	h.strs_size = (uint32_t)w.pool.data.len;
	h.body_size = (uint32_t)w.body.len;
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		cc_oom();
	XXH3_128bits_reset(st);
	XXH3_128bits_update(st, w.pool.data.p, w.pool.data.len);
	XXH3_128bits_update(st, w.body.p, w.body.len);
	XXH128_hash_t sum = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	h.sum_lo = sum.low64;
	h.sum_hi = sum.high64;
	cc_buf_put(out, &h, sizeof h);
	cc_buf_put(out, w.pool.data.p, w.pool.data.len);
	cc_buf_put(out, w.body.p, w.body.len);
	cc_buf_free(&w.body);
	cc_pool_free(&w.pool);
}

/* The sizes of the intermediate form's structs when part_write_model()
 * last covered every field (x86-64, LP64).  tests/incr fails when one
 * changes: a field was added to cc_model.h, so write and read it here,
 * then update the size and bump CC_PART_VERSION. */
static const struct { const char *name; size_t now, covered; } layout[] = {
	{ "cc_model", sizeof(cc_model), 312 },
	{ "cc_shape", sizeof(cc_shape), 152 },
	{ "cc_member", sizeof(cc_member), 200 },
	{ "cc_op", sizeof(cc_op), 152 },
	{ "cc_param", sizeof(cc_param), 32 },
	{ "cc_cons", sizeof(cc_cons), 64 },
	{ "cc_resource", sizeof(cc_resource), 112 },
	{ "cc_load_opts", sizeof(cc_load_opts), 4 },
};

int cc_part_layout_check(cc_buf *msg)
{
	int bad = 0;
	if (sizeof(void *) != 8)
		return 0; /* the sizes above are LP64's */
	for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
		if (layout[i].now != layout[i].covered) {
			cc_buf_printf(msg, "%s is %zu bytes, cc_part.c serializes the %zu-byte "
			              "version: serialize the new fields\n", layout[i].name,
			              layout[i].now, layout[i].covered);
			bad = 1;
		}
	}
	return bad;
}

/* ---- reading --------------------------------------------------------- */

typedef struct pr {
	const uint8_t *p, *end;
	const char *strs;
	uint32_t nstrs;
	cc_arena *a;
	uint32_t nshapes;        /* of the model being read: bounds refs */
	size_t shape_min, member_min, op_min, res_min; /* smallest encodings */
	int bad;                 /* the line that found the stream bad */
} pr;

static int need(pr *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = __LINE__;
		return 0;
	}
	return 1;
}

#define R_FIXED(name, type) \
	static type name(pr *r) \
	{ \
		type v = 0; \
		if (need(r, sizeof v)) { \
			memcpy(&v, r->p, sizeof v); \
			r->p += sizeof v; \
		} \
		return v; \
	}
R_FIXED(r_u8, uint8_t)
R_FIXED(r_f64, double)
#undef R_FIXED

/* A varint of at most 10 bytes whose value fits in MAX. */
static uint64_t r_var(pr *r, uint64_t max)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (!need(r, 1))
			return 0;
		uint8_t b = *r->p++;
		if (shift == 63 && b > 1)
			break;   /* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (v > max)
				break;
			return v;
		}
	}
	r->bad = __LINE__;
	return 0;
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint16_t r_u16(pr *r) { return (uint16_t)r_var(r, UINT16_MAX); }
static uint32_t r_u32(pr *r) { return (uint32_t)r_var(r, UINT32_MAX); }
static int64_t r_i64(pr *r) { return unzigzag(r_var(r, UINT64_MAX)); }
static int32_t r_i32(pr *r)
{
	/* zigzag of an int32 fits in 32 bits */
	return (int32_t)unzigzag(r_var(r, UINT32_MAX));
}
static int r_int(pr *r) { return (int)r_i32(r); }

static const char *r_str(pr *r)
{
	uint32_t v = r_u32(r);
	if (!v)
		return NULL;
	if (v - 1 >= r->nstrs) {
		r->bad = __LINE__;
		return NULL;
	}
	return r->strs + (v - 1);
}

/* A string the emitter dereferences: present. */
static const char *r_str_req(pr *r)
{
	const char *s = r_str(r);
	if (!s)
		r->bad = __LINE__;
	return s;
}

/* A count of records of at least MIN_BYTES each: bounded by what is left,
 * so a corrupt count cannot ask for more memory than the file justifies. */
static uint32_t r_count(pr *r, size_t min_bytes)
{
	uint32_t n = r_u32(r);
	if (!r->bad && (uint64_t)n * min_bytes > (uint64_t)(r->end - r->p))
		r->bad = __LINE__;
	return r->bad ? 0 : n;
}

static void *r_array(pr *r, uint32_t n, size_t size)
{
	if (!n)
		return NULL;
	void *p = cc_arena_alloc(r->a, (size_t)n * size);
	memset(p, 0, (size_t)n * size);
	return p;
}

/* A shape reference as cc_member.target: a model shape, a prelude shape
 * (-(index)-2), or -1. */
static int32_t r_ref(pr *r)
{
	int32_t v = r_i32(r);
	if (v >= 0 ? (uint32_t)v >= r->nshapes
	           : v != -1 && -(int64_t)v - 2 >= (int64_t)cc_prelude_count)
		r->bad = __LINE__;
	return v;
}

static void r_cons(pr *r, cc_cons *c)
{
	c->flags = r_u32(r);
	c->pattern = r_str(r);
	c->len_min = r_i64(r);
	c->len_max = r_i64(r);
	c->range_min = r_f64(r);
	c->range_max = r_f64(r);
	c->range_min_text = r_str(r);
	c->range_max_text = r_str(r);
}

static void r_member(pr *r, cc_member *mb)
{
	mb->name = r_str_req(r);
	mb->target_id = NULL;
	mb->target = r_ref(r);
	mb->flags = r_u32(r);
	mb->summary = r_str(r);
	mb->doc = r_str(r);
	mb->loc_name = r_str(r);
	mb->json_name = r_str(r);
	mb->xml_name = r_str(r);
	mb->ec2_name = r_str(r);
	mb->xml_ns_uri = r_str(r);
	mb->xml_ns_prefix = r_str(r);
	mb->default_json = r_str(r);
	mb->context_param = r_str(r);
	mb->enum_value = r_str(r);
	mb->enum_int = r_i64(r);
	mb->ts_format = r_u8(r);
	mb->has_cons = r_int(r);
	r_cons(r, &mb->cons);
	mb->resource_ident = r_str(r);
}

static void r_shape(pr *r, cc_shape *s)
{
	s->id = r_str_req(r);
	if (s->id && !strchr(s->id, '#'))
		r->bad = __LINE__;      /* the emitter splits ids at '#' */
	s->type = r_u8(r);
	s->ts_format = r_u8(r);
	s->http_error = r_u16(r);
	s->flags = r_u32(r);
	s->has_cons = r_int(r);
	r_cons(r, &s->cons);
	s->xml_name = r_str(r);
	s->xml_ns_uri = r_str(r);
	s->xml_ns_prefix = r_str(r);
	s->error_code = r_str(r);
	s->media_type = r_str(r);
	s->reachable = r_int(r);
	s->json = NULL;
	s->out = 0;
	s->nmembers = r_count(r, r->member_min);
	s->members = r_array(r, s->nmembers, sizeof *s->members);
	for (uint32_t i = 0; i < s->nmembers && !r->bad; i++)
		r_member(r, &s->members[i]);
}

static cc_param *r_params(pr *r, uint32_t *n)
{
	*n = r_count(r, 4);     /* three string references and a kind */
	cc_param *p = r_array(r, *n, sizeof *p);
	for (uint32_t i = 0; i < *n && !r->bad; i++) {
		p[i].name = r_str(r);
		p[i].value = r_str(r);
		p[i].doc = r_str(r);
		p[i].kind = r_u32(r);
	}
	return p;
}

static int32_t *r_refs(pr *r, uint32_t *n)
{
	*n = r_count(r, 1);
	int32_t *v = r_array(r, *n, sizeof *v);
	for (uint32_t i = 0; i < *n && !r->bad; i++)
		v[i] = r_ref(r);
	return v;
}

static void r_op(pr *r, cc_op *op, const cc_shape *shapes)
{
	op->name = r_str_req(r);
	op->id = r_str(r);
	op->summary = r_str(r);
	op->doc = r_str(r);
	op->input = r_ref(r);
	op->output = r_ref(r);
	op->errors = r_refs(r, &op->nerrors);
	op->http_method = r_str(r);
	op->http_uri = r_str(r);
	op->host_prefix = r_str(r);
	op->http_code = r_u32(r);
	op->flags = r_u32(r);
	op->idem_member = r_i32(r);
	if (!r->bad && op->idem_member != -1 &&
	    (op->idem_member < 0 || op->input < 0 ||
	     (uint32_t)op->idem_member >= shapes[op->input].nmembers))
		r->bad = __LINE__;
	op->pg_input_token = r_str(r);
	op->pg_output_token = r_str(r);
	op->pg_items = r_str(r);
	op->pg_page_size = r_str(r);
	op->params = r_params(r, &op->nparams);
	op->checksum_member = r_str(r);
}

/* Names that cc_readmap.c dereferences: all present. */
static const char **r_names(pr *r, uint32_t *n)
{
	*n = r_count(r, 1);
	const char **v = r_array(r, *n, sizeof *v);
	for (uint32_t i = 0; i < *n && !r->bad; i++)
		v[i] = r_str_req(r);
	return v;
}

static void r_resource(pr *r, cc_resource *res, uint32_t nres)
{
	uint32_t nt = 0;
	res->name = r_str_req(r);
	res->ids = r_names(r, &res->nids);
	res->id_targets = r_names(r, &nt);
	if (nt != res->nids)
		r->bad = __LINE__;
	for (int c = 0; c < CC_LC_COUNT; c++)
		res->life[c] = r_str(r);
	res->ops = r_names(r, &res->nops);
	res->coll = r_names(r, &res->ncoll);
	res->parent = r_i32(r);
	if (res->parent != -1 && (res->parent < 0 || (uint32_t)res->parent >= nres))
		r->bad = __LINE__;
}

/* Nodes are malloc'ed (cc_model_free deletes the tree with cJSON_Delete,
 * as for a parsed model); strings stay in the part's bytes, marked so that
 * cJSON_Delete leaves them alone.  The tree is well-formed at every step,
 * so a failure half-way deletes cleanly. */
static cJSON *r_json(pr *r, int depth)
{
	uint8_t t = r_u8(r);
	if (r->bad)
		return NULL;
	if (depth > CJSON_NESTING_LIMIT) {
		r->bad = __LINE__;
		return NULL;
	}
	cJSON *j = cc_xcalloc(1, sizeof *j);
	j->type = t;
	switch (t) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		break;
	case cJSON_Number:
		j->valuedouble = r_f64(r);
		j->valueint = r_int(r);
		break;
	case cJSON_String:
	case cJSON_Raw:
		j->valuestring = (char *)(uintptr_t)r_str_req(r);
		j->type |= cJSON_IsReference;
		break;
	case cJSON_Array:
	case cJSON_Object: {
		/* a child is at least its type byte (and an object's key) */
		uint32_t n = r_count(r, t == cJSON_Object ? 2 : 1);
		cJSON *last = NULL;
		for (uint32_t i = 0; i < n && !r->bad; i++) {
			const char *key = t == cJSON_Object ? r_str_req(r) : NULL;
			cJSON *c = r_json(r, depth + 1);
			if (!c)
				break;
			if (key) {
				c->string = (char *)(uintptr_t)key;
				c->type |= cJSON_StringIsConst;
			}
			if (last) {
				last->next = c;
				c->prev = last;
			} else {
				j->child = c;
			}
			j->child->prev = c; /* cJSON: the head's prev is the tail */
			last = c;
		}
		break;
	}
	default:
		r->bad = __LINE__;
		break;
	}
	return j;
}

static void part_read_model(pr *r, cc_model *m)
{
	m->nshapes = r_count(r, r->shape_min);
	m->nops = r_count(r, r->op_min);
	uint32_t nparams = r_u32(r), nerrors = r_u32(r);
	r->nshapes = m->nshapes;
	m->smithy_version = r_str(r);
	m->service_id = r_str_req(r);
	if (m->service_id && !strchr(m->service_id, '#'))
		r->bad = __LINE__;
	m->sdk_id = r_str_req(r);
	m->key = r_str_req(r);
	m->version = r_str(r);
	m->title = r_str(r);
	m->summary = r_str(r);
	m->doc = r_str(r);
	m->signing_name = r_str(r);
	m->endpoint_prefix = r_str(r);
	m->arn_namespace = r_str(r);
	m->cfn_name = r_str(r);
	m->xml_ns_uri = r_str(r);
	m->xml_ns_prefix = r_str(r);
	m->target_prefix = r_str(r);
	m->protocol = r_u32(r);
	m->svc_flags = r_u32(r);
	m->params = r_params(r, &m->nparams);
	m->errors = r_refs(r, &m->nerrors);
	if (m->nparams != nparams || m->nerrors != nerrors)
		r->bad = __LINE__;
	if (r->bad)
		return;
	m->shapes = r_array(r, m->nshapes, sizeof *m->shapes);
	for (uint32_t i = 0; i < m->nshapes && !r->bad; i++)
		r_shape(r, &m->shapes[i]);
	if (r->bad)
		return;
	m->ops = r_array(r, m->nops, sizeof *m->ops);
	for (uint32_t i = 0; i < m->nops && !r->bad; i++)
		r_op(r, &m->ops[i], m->shapes);
	/* a resource is at least its name, four counts, six names, a parent */
	m->nresources = r_count(r, r->res_min);
	m->resources = r_array(r, m->nresources, sizeof *m->resources);
	for (uint32_t i = 0; i < m->nresources && !r->bad; i++)
		r_resource(r, &m->resources[i], m->nresources);
	if (r_u8(r))
		m->ruleset = r_json(r, 1);
	if (r->p != r->end)
		r->bad = __LINE__;      /* trailing bytes: not what this code writes */
}

/* The size of the smallest encoding of each record kind (no members, no
 * errors, no parameters), measured with the writer itself so the bounds
 * in r_count never drift from what part_write_model writes. */
static size_t min_shape, min_member, min_op, min_res;
static pthread_once_t min_once = PTHREAD_ONCE_INIT;

static void min_sizes_once(void)
{
	cc_member mb;
	cc_shape sh;
	cc_op op;
	memset(&mb, 0, sizeof mb);
	memset(&sh, 0, sizeof sh);
	memset(&op, 0, sizeof op);
	pw w;
	memset(&w, 0, sizeof w);
	cc_pool_init(&w.pool);
	w_member(&w, &mb);
	min_member = w.body.len;
	w.body.len = 0;
	w_shape(&w, &sh);
	min_shape = w.body.len;
	w.body.len = 0;
	w_op(&w, &op);
	min_op = w.body.len;
	cc_resource res;
	memset(&res, 0, sizeof res);
	w.body.len = 0;
	w_resource(&w, &res);
	min_res = w.body.len;
	cc_buf_free(&w.body);
	cc_pool_free(&w.pool);
}

static void min_sizes(pr *r)
{
	pthread_once(&min_once, min_sizes_once);
	r->shape_min = min_shape;
	r->member_min = min_member;
	r->op_min = min_op;
	r->res_min = min_res;
}

/* Decode the part at P[0..N).  COPY_STRS: P is a mapping of the file that
 * goes away after the decode, so the string blob (which the model's
 * strings point into) is copied into m->arena first; else P lives in
 * m->arena already. */
static int decode_owned(cc_model *m, const uint8_t *p, size_t n, unsigned flags,
                        uint64_t key_lo, uint64_t key_hi, int copy_strs)
{
	part_hdr h;
	if (n < sizeof h)
		return AL_ETRUNC;
	memcpy(&h, p, sizeof h);
	if (memcmp(h.magic, PART_MAGIC, sizeof h.magic) != 0)
		return AL_ECORRUPT;
	if (h.version != CC_PART_VERSION || h.header_size != PART_HDR)
		return AL_EVERSION;
	if ((flags & CC_PART_KEY) && (h.key_lo != key_lo || h.key_hi != key_hi))
		return AL_ECORRUPT;
	if ((uint64_t)h.strs_size + h.body_size != n - sizeof h)
		return n - sizeof h < (uint64_t)h.strs_size + h.body_size ? AL_ETRUNC : AL_ECORRUPT;
	if (!(flags & CC_PART_NO_SUM)) {
		uint64_t lo, hi;
		alc_xxh128(p + sizeof h, n - sizeof h, NULL, NULL, NULL, &lo, &hi);
		if (lo != h.sum_lo || hi != h.sum_hi)
			return AL_ECHECKSUM;
	}
	if (!h.strs_size || p[sizeof h + h.strs_size - 1] != '\0')
		return AL_ECORRUPT;
	const char *strs = (const char *)p + sizeof h;
	if (copy_strs) {
		char *own = cc_arena_alloc(&m->arena, h.strs_size);
		memcpy(own, strs, h.strs_size);
		strs = own;
	}
	pr r = { p + sizeof h + h.strs_size, p + n, strs, h.strs_size, &m->arena,
	         0, 0, 0, 0, 0, 0 };
	min_sizes(&r);
	part_read_model(&r, m);
	if (r.bad)
		return AL_ECORRUPT;
	m->size = h.model_size;
	m->digest_lo = h.model_lo;
	m->digest_hi = h.model_hi;
	return 0;
}

/* Rule-set nodes read from a part, freed directly: cJSON_Delete would go
 * through the compiler's cJSON hooks, which in a worker thread mean "arena
 * memory, freed with the arena" (cc_model.c), and leak them. */
static void free_nodes(cJSON *j)
{
	while (j) {
		cJSON *next = j->next;
		free_nodes(j->child);
		free(j);
		j = next;
	}
}

/* Back to a zeroed model after a failed decode (frees the arena and the
 * rule-set nodes read so far). */
static void unload(cc_model *m)
{
	free_nodes(m->ruleset);
	m->ruleset = NULL;
	cc_model_free(m);
}

int cc_part_decode(cc_model *m, const uint8_t *p, size_t n, unsigned flags,
                   uint64_t key_lo, uint64_t key_hi)
{
	uint8_t *own = cc_arena_alloc(&m->arena, n ? n : 1);
	if (n)
		memcpy(own, p, n);
	int rc = decode_owned(m, own, n, flags, key_lo, key_hi, 0);
	if (rc)
		unload(m);
	return rc;
}

/* ---- the cache ------------------------------------------------------- */

static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		int r = mkdir(path, 0755);
		*s = '/';
		if (r != 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The compiler's identity: the digest of its own executable (any change to
 * the code, or to the flags it was built with, changes every key) and the
 * version of the cJSON it parses with. */
static int exe_digest(uint64_t *lo, uint64_t *hi)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		cc_oom();
	XXH3_128bits_reset(st);
	uint8_t *buf = cc_xmalloc(1u << 20);
	ssize_t got;
	int rc = 0;
	while ((got = read(fd, buf, 1u << 20)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		XXH3_128bits_update(st, buf, (size_t)got);
	}
	/* cJSON is a shared library: a new version could parse differently
	 * under the same executable */
	const char *cj = cJSON_Version();
	XXH3_128bits_update(st, cj, strlen(cj) + 1);
	XXH128_hash_t h = XXH3_128bits_digest(st);
	*lo = h.low64;
	*hi = h.high64;
	XXH3_freeState(st);
	free(buf);
	close(fd);
	return rc;
}

void cc_part_open(cc_part_cache *c, const char *dir, int no_cache,
                  const cc_load_opts *lo, cc_buf *note)
{
	memset(c, 0, sizeof *c);
	c->lo = *lo;
	atomic_init(&c->reused, 0);
	atomic_init(&c->built, 0);
	atomic_init(&c->rejected, 0);
	atomic_init(&c->written, 0);
	atomic_init(&c->unwritten, 0);
	atomic_init(&c->write_errno, 0);
	c->start_s = (int64_t)time(NULL);
	if (no_cache)
		return;
	/* alc_xxh128 picks its code on first use: do it here, before the
	 * worker threads hash at the same time */
	uint64_t ignore_lo, ignore_hi;
	alc_xxh128((const uint8_t *)"", 0, NULL, NULL, NULL, &ignore_lo, &ignore_hi);
	char root[4096];
	const char *env;
	if (dir)
		snprintf(root, sizeof root, "%s", dir);
	else if ((env = getenv("AIRLOCK_CACHE")) != NULL && *env)
		snprintf(root, sizeof root, "%s", env);
	else if ((env = getenv("XDG_CACHE_HOME")) != NULL && *env == '/')
		snprintf(root, sizeof root, "%s/airlock", env);
	else if ((env = getenv("HOME")) != NULL && *env)
		snprintf(root, sizeof root, "%s/.cache/airlock", env);
	else {
		cc_buf_printf(note, "airlock-compile: note: no cache directory (no HOME, "
		              "AIRLOCK_CACHE or --cache); building without parts\n");
		return;
	}
	if (strlen(root) + 16 >= sizeof root) {
		cc_buf_printf(note, "airlock-compile: note: cache directory name too long; "
		              "building without parts\n");
		return;
	}
	char parts[4096 + 16];
	snprintf(parts, sizeof parts, "%s/parts", root);
	if (!is_dir(parts) && mkdirs(parts) != 0) {
		cc_buf_printf(note, "airlock-compile: note: cache %s: %s; building without parts\n",
		              parts, strerror(errno));
		return;
	}
	if (access(parts, R_OK | X_OK) != 0) {
		cc_buf_printf(note, "airlock-compile: note: cache %s: %s; building without parts\n",
		              parts, strerror(errno));
		return;
	}
	if (exe_digest(&c->exe_lo, &c->exe_hi) != 0) {
		cc_buf_printf(note, "airlock-compile: note: cannot read /proc/self/exe to "
		              "identify this compiler; building without parts\n");
		return;
	}
	c->writable = access(parts, W_OK) == 0;
	if (!c->writable)
		cc_buf_printf(note, "airlock-compile: note: cache %s is read-only: parts are "
		              "reused but none is written\n", parts);
	c->dir = cc_xstrndup(parts, strlen(parts));
}

void cc_part_close(cc_part_cache *c)
{
	free(c->dir);
	c->dir = NULL;
}

void cc_part_scratch_free(cc_part_scratch *s)
{
	cc_buf_free(&s->enc);
}

/* The key: every input that changes what a load produces. */
static XXH128_hash_t part_key(const cc_part_cache *c, uint64_t size, uint64_t dlo,
                              uint64_t dhi)
{
	uint64_t k[8] = {
		0x616c63706172740aull, /* "alcpart\n": a domain tag */
		CC_PART_VERSION,
		c->exe_lo, c->exe_hi,
		dlo, dhi, size,
		(uint64_t)(c->lo.full_docs != 0),
	};
	return XXH3_128bits(k, sizeof k);
}

static int write_fd(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Map a whole regular file read-only (MAP_POPULATE: the pages are in the
 * page cache already on a rebuild, so this is cheaper than faulting them
 * one by one, and than read()'s copy).  An empty file or one that cannot
 * be mapped gives NULL. */
static const uint8_t *map_file(int fd, size_t *n)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return NULL;
	*n = (size_t)st.st_size;
	void *p = mmap(NULL, *n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* 1: M loaded from NAME; 0: no part; -1: a part that is not usable. */
static int try_part(cc_part_cache *c, cc_model *m, const char *name, XXH128_hash_t key)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	int rc = -1;
	size_t n = 0;
	const uint8_t *p = map_file(fd, &n);
	if (p && n >= PART_HDR && (uint64_t)n < (1ull << 32) &&
	    decode_owned(m, p, n, CC_PART_KEY, key.low64, key.high64, 1) == 0) {
		rc = 1;
		/* its mtime is its last use, for cc_part_prune */
		if (c->writable)
			(void)futimens(fd, NULL);
	}
	if (p)
		munmap((void *)(uintptr_t)p, n);
	close(fd);
	if (rc != 1)
		unload(m);
	return rc;
}

static void note_unwritten(cc_part_cache *c, int e)
{
	atomic_fetch_add(&c->unwritten, 1);
	int zero = 0;
	atomic_compare_exchange_strong(&c->write_errno, &zero, e ? e : EIO);
}

static void write_part(cc_part_cache *c, const char *name, const cc_buf *b)
{
	size_t nl = strlen(name);
	char *tmp = cc_xmalloc(nl + 16);
	snprintf(tmp, nl + 16, "%s.tmp.XXXXXX", name);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		note_unwritten(c, errno);
		free(tmp);
		return;
	}
	int ok = write_fd(fd, b->p, b->len) == 0;
	int e = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	if (ok && rename(tmp, name) != 0) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlink(tmp);
		note_unwritten(c, e);
	} else {
		atomic_fetch_add(&c->written, 1);
	}
	free(tmp);
}

int cc_part_load(cc_part_cache *c, cc_model *m, const char *path,
                 const char *relpath, cc_part_scratch *s)
{
	if (!c->dir)
		return cc_model_load(m, path, relpath, &c->lo);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t flen = 0;
	const uint8_t *file = fd >= 0 ? map_file(fd, &flen) : NULL;
	if (fd >= 0)
		close(fd);
	if (!file) {
		/* empty, unreadable, not a file: the parse names the problem */
		atomic_fetch_add(&c->built, 1);
		return cc_model_load(m, path, relpath, &c->lo);
	}
	/* the same XXH3-128 as cc_model.c's, with AVX2 where there is one */
	XXH128_hash_t dg;
	alc_xxh128(file, flen, NULL, NULL, NULL, &dg.low64, &dg.high64);
	XXH128_hash_t key = part_key(c, flen, dg.low64, dg.high64);
	size_t dl = strlen(c->dir);
	char *name = cc_xmalloc(dl + 48);
	snprintf(name, dl + 48, "%s/%016llx%016llx.part", c->dir,
	         (unsigned long long)key.high64, (unsigned long long)key.low64);
	int got = try_part(c, m, name, key);
	if (got == 1 && m->digest_lo == dg.low64 && m->digest_hi == dg.high64 &&
	    m->size == flen) {
		m->path = cc_xstrndup(path, strlen(path));
		m->relpath = cc_xstrndup(relpath, strlen(relpath));
		atomic_fetch_add(&c->reused, 1);
		munmap((void *)(uintptr_t)file, flen);
		free(name);
		return 0;
	}
	if (got != 0) {
		atomic_fetch_add(&c->rejected, 1);
		unload(m);
	}
	atomic_fetch_add(&c->built, 1);
	int rc = cc_model_load_buf(m, path, relpath, (const char *)file, flen, &c->lo);
	munmap((void *)(uintptr_t)file, flen);
	if (rc == 0 && !m->failed && c->writable) {
		s->enc.len = 0;
		cc_part_encode(m, key.low64, key.high64, &s->enc);
		write_part(c, name, &s->enc);
	}
	free(name);
	return rc;
}

/* ---- pruning --------------------------------------------------------- */

typedef struct pent { char *name; int64_t mtime; uint64_t size; int used; } pent;

static int cmp_pent(const void *a, const void *b)
{
	const pent *x = a, *y = b;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

void cc_part_prune(cc_part_cache *c, int verbose, cc_buf *note)
{
	if (!c->dir || !c->writable)
		return;
	DIR *d = opendir(c->dir);
	if (!d)
		return;
	pent *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0, used = 0;
	unsigned stale = 0;
	int64_t now = (int64_t)time(NULL);
	struct dirent *de;
	int dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (nm[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (strstr(nm, ".part.tmp.")) {
			/* left by a build that was killed while writing */
			if (now - (int64_t)st.st_mtime > 3600 && unlinkat(dfd, nm, 0) == 0)
				stale++;
			continue;
		}
		size_t l = strlen(nm);
		if (l < 5 || strcmp(nm + l - 5, ".part") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = cc_xrealloc(v, cap * sizeof *v);
		}
		/* a part this build used or wrote (with a little slack for
		 * coarse file-system clocks) */
		int u = (int64_t)st.st_mtime >= c->start_s - 2;
		v[n++] = (pent){ cc_xstrndup(nm, l), (int64_t)st.st_mtime, (uint64_t)st.st_size, u };
		total += (uint64_t)st.st_size;
		if (u)
			used += (uint64_t)st.st_size;
	}
	uint64_t limit = 3 * used > (64ull << 20) ? 3 * used : (64ull << 20);
	unsigned removed = 0;
	if (total > limit) {
		qsort(v, n, sizeof *v, cmp_pent);
		for (size_t i = 0; i < n && total > limit; i++) {
			if (v[i].used)
				continue;
			if (unlinkat(dfd, v[i].name, 0) == 0) {
				total -= v[i].size;
				removed++;
			}
		}
	}
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	if (verbose && (removed || stale))
		cc_buf_printf(note, "parts: pruned %u old parts and %u stale temporary files; "
		              "%llu bytes kept\n", removed, stale, (unsigned long long)total);
}
