/*
 * rt_validate.c -- validation of an operation's input against the
 * catalog's constraints, walking the catalog's shapes beside the input
 * (no schema is built).  See rt_schema.h; the mapping it follows is the
 * one at the top of rt_schema.c, so that the schema and the validator
 * accept the same inputs.
 *
 * Work: every input node is visited once; per node the cost is a member
 * lookup (a hash index for shapes with RT_INDEX_MIN members or values or
 * more, else a short scan), and for strings a UTF-8 pass and at most two
 * pattern matches, each bounded by PCRE2's match and heap limits; a
 * structure also checks its required members.  The JSON pointer is kept
 * as a stack of references into the input and written out only for a
 * violation.  Nesting deeper than RT_MAX_DEPTH is refused, not followed.
 *
 * Allocation: none per call in steady state, except a temporary array for
 * maps with more than RT_SMALL_N keys (duplicate check), uniqueItems lists
 * longer than that, and structures with over 1024 members.  Compiled
 * patterns and member indexes are built on first use and kept in a
 * process-wide cache.
 *
 * Threads: the cache is a plain static.  rt_validate() and
 * rt_pattern_usable() (so also rt_schema_input()) must be called from one
 * thread at a time; the runtime serves requests on one thread.  The cache
 * follows the catalog: a call with another catalog (other mapping or other
 * checksum) empties it first.
 *
 * Unicode: string lengths count code points (Smithy's length counts
 * Unicode scalar values; JSON Schema's minLength/maxLength count code
 * points).  A string that is not valid UTF-8 is a "type" violation, and is
 * then not matched against patterns.
 *
 * Numbers: cJSON holds a number as a double, so integers beyond 2^53 are
 * compared approximately; long's maximum is checked as "< 2^63".
 */
#include "rt_schema.h"
#include "rt_schema_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_MAX_DEPTH 100       /* input nesting followed */
#define RT_PATH_CAP 1024       /* JSON pointer while walking */
#define RT_INDEX_MIN 8         /* shapes with as many members get an index */
#define RT_SMALL_N 32          /* quadratic duplicate checks up to this */
#define RT_MATCH_LIMIT 1000000u
#define RT_DEPTH_LIMIT 10000u
#define RT_HEAP_LIMIT_KIB 8192u

/* ==== the cache ======================================================= */

typedef struct pat_ent {
	uint32_t off;            /* STRS offset; 0 = empty slot */
	int ok;                  /* compiled */
	pcre2_code *code;
} pat_ent;

/* A shape's members (or enum values) by key: open addressing over the
 * key_hash() of the key, slots hold position + 1 (0 = empty); and for a
 * structure the positions of its required members. */
typedef struct idx_ent {
	uint32_t shape;          /* ALC_NONE = empty slot of the cache */
	uint32_t mask;           /* slot count - 1 */
	uint32_t *slot;
	uint32_t nreq;
	uint32_t *req;
} idx_ent;

static struct vcache {
	const char *strs;        /* identity of the catalog it serves */
	uint64_t sum_lo, sum_hi;
	pat_ent *pats;
	uint32_t npats, pat_slots;
	idx_ent *idx;
	uint32_t nidx, idx_slots;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	int broken;              /* allocation failed: validate without */
} g_cache;

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static void cache_flush(void)
{
	for (uint32_t i = 0; i < g_cache.pat_slots; i++)
		pcre2_code_free(g_cache.pats[i].code);
	for (uint32_t i = 0; i < g_cache.idx_slots; i++) {
		free(g_cache.idx[i].slot);
		free(g_cache.idx[i].req);
	}
	free(g_cache.pats);
	free(g_cache.idx);
	g_cache.pats = NULL;
	g_cache.idx = NULL;
	g_cache.npats = g_cache.pat_slots = 0;
	g_cache.nidx = g_cache.idx_slots = 0;
}

/* Make the cache serve CAT.  Returns 0, or -1 when it cannot be set up
 * (then patterns are not enforced and indexes not used). */
static int cache_for(const alc_catalog *cat)
{
	if (g_cache.strs != cat->strs || g_cache.sum_lo != cat->hdr->checksum_lo ||
	    g_cache.sum_hi != cat->hdr->checksum_hi) {
		cache_flush();
		g_cache.strs = cat->strs;
		g_cache.sum_lo = cat->hdr->checksum_lo;
		g_cache.sum_hi = cat->hdr->checksum_hi;
	}
	if (!g_cache.md && !g_cache.broken) {
		g_cache.md = pcre2_match_data_create(1, NULL);
		g_cache.mctx = pcre2_match_context_create(NULL);
		if (!g_cache.md || !g_cache.mctx) {
			g_cache.broken = 1;
			return -1;
		}
		pcre2_set_match_limit(g_cache.mctx, RT_MATCH_LIMIT);
		pcre2_set_depth_limit(g_cache.mctx, RT_DEPTH_LIMIT);
		pcre2_set_heap_limit(g_cache.mctx, RT_HEAP_LIMIT_KIB);
	}
	return g_cache.broken ? -1 : 0;
}

static int pats_grow(void)
{
	uint32_t ns = g_cache.pat_slots ? g_cache.pat_slots * 2 : 64;
	pat_ent *nt = calloc(ns, sizeof *nt);
	if (!nt)
		return -1;
	for (uint32_t i = 0; i < g_cache.pat_slots; i++) {
		pat_ent *e = &g_cache.pats[i];
		if (!e->off)
			continue;
		uint32_t j = mix32(e->off) & (ns - 1);
		while (nt[j].off)
			j = (j + 1) & (ns - 1);
		nt[j] = *e;
	}
	free(g_cache.pats);
	g_cache.pats = nt;
	g_cache.pat_slots = ns;
	return 0;
}

static void compile_pattern(const alc_catalog *cat, pat_ent *e)
{
	const char *src = alc_str(cat, e->off);
	size_t cap = strlen(src) * 12 + 64;
	char *buf = malloc(cap);
	int err = 0;
	PCRE2_SIZE at = 0;
	const char *why = NULL;
	e->ok = 0;
	if (!buf) {
		why = "out of memory";
	} else if (rt_pattern_translate(src, RT_RX_PCRE2, buf, cap) < 0) {
		why = "uses a construct airlock does not translate";
	} else {
		e->code = pcre2_compile((PCRE2_SPTR)buf, PCRE2_ZERO_TERMINATED,
		                        PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &at,
		                        NULL);
		if (e->code) {
			(void)pcre2_jit_compile(e->code, PCRE2_JIT_COMPLETE);
			e->ok = 1;
		}
	}
	if (!e->ok) {
		/* Reported once: the entry stays, marked failed. */
		PCRE2_UCHAR msg[160];
		if (!why) {
			if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
				snprintf((char *)msg, sizeof msg, "error %d", err);
			why = (const char *)msg;
		}
		fprintf(stderr, "airlock: pattern /%s/ not enforced: %s\n", src, why);
	}
	free(buf);
}

/* The cache entry of the pattern at OFF, compiled on first use; NULL when
 * the cache cannot grow.  The cache must serve CAT (cache_for). */
static pat_ent *pattern_lookup(const alc_catalog *cat, uint32_t off)
{
	if ((g_cache.npats + 1) * 10 > g_cache.pat_slots * 7 && pats_grow())
		return NULL;
	uint32_t mask = g_cache.pat_slots - 1, j = mix32(off) & mask;
	while (g_cache.pats[j].off && g_cache.pats[j].off != off)
		j = (j + 1) & mask;
	pat_ent *e = &g_cache.pats[j];
	if (!e->off) {
		e->off = off;
		g_cache.npats++;
		compile_pattern(cat, e);
	}
	return e;
}

/* see rt_schema_int.h */
int rt_pattern_usable(const alc_catalog *cat, uint32_t off)
{
	const pat_ent *e = off && !cache_for(cat) ? pattern_lookup(cat, off) : NULL;
	return e && e->ok;
}

/* Key string of member K of shape S: the name, or an enum's value. */
static const char *member_key(const alc_catalog *cat, const alc_shape *s, uint32_t k)
{
	const alc_member *m = &cat->members[s->first_member + k];
	return alc_str(cat, s->type == ALC_T_ENUM ? m->aux : m->name);
}

/* Hash of a member name or enum value for the indexes: its length and its
 * first and last 8 bytes, enough to tell the keys of one shape apart (a
 * collision costs one more strcmp).  Two loads instead of a byte loop. */
static uint32_t key_hash(const char *p)
{
	size_t n = strlen(p);
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else {
		memcpy(&a, p, n);
	}
	uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full) ^ n;
	return (uint32_t)(h ^ (h >> 29) ^ (h >> 47));
}

static int idx_grow(void)
{
	uint32_t ns = g_cache.idx_slots ? g_cache.idx_slots * 2 : 64;
	idx_ent *nt = malloc(ns * sizeof *nt);
	if (!nt)
		return -1;
	for (uint32_t i = 0; i < ns; i++)
		nt[i] = (idx_ent){ ALC_NONE, 0, NULL, 0, NULL };
	for (uint32_t i = 0; i < g_cache.idx_slots; i++) {
		idx_ent *e = &g_cache.idx[i];
		if (e->shape == ALC_NONE)
			continue;
		uint32_t j = mix32(e->shape) & (ns - 1);
		while (nt[j].shape != ALC_NONE)
			j = (j + 1) & (ns - 1);
		nt[j] = *e;
	}
	free(g_cache.idx);
	g_cache.idx = nt;
	g_cache.idx_slots = ns;
	return 0;
}

/* The index of SHAPE, built on first use; NULL when the cache cannot hold
 * it (the caller scans instead).  The cache must serve CAT. */
static const idx_ent *shape_index(const alc_catalog *cat, uint32_t shape)
{
	if ((g_cache.nidx + 1) * 10 > g_cache.idx_slots * 7 && idx_grow())
		return NULL;
	uint32_t mask = g_cache.idx_slots - 1, j = mix32(shape) & mask;
	while (g_cache.idx[j].shape != ALC_NONE && g_cache.idx[j].shape != shape)
		j = (j + 1) & mask;
	idx_ent *e = &g_cache.idx[j];
	if (e->shape == shape)
		return e;
	const alc_shape *s = &cat->shapes[shape];
	uint32_t n = 16;
	while (n < 2 * s->member_count)
		n *= 2;
	uint32_t *slot = calloc(n, sizeof *slot);
	uint32_t nreq = 0, *req = NULL;
	if (!slot)
		return NULL;
	for (uint32_t k = 0; k < s->member_count; k++) {
		uint32_t h = key_hash(member_key(cat, s, k)) & (n - 1);
		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = k + 1;
		if (s->type == ALC_T_STRUCTURE &&
		    rt_member_required(&cat->members[s->first_member + k]))
			nreq++;
	}
	if (nreq && !(req = malloc(nreq * sizeof *req))) {
		free(slot);
		return NULL;
	}
	nreq = 0;
	for (uint32_t k = 0; req && k < s->member_count; k++)
		if (rt_member_required(&cat->members[s->first_member + k]))
			req[nreq++] = k;
	*e = (idx_ent){ shape, n - 1, slot, nreq, req };
	g_cache.nidx++;
	return e;
}

/* Position of the member (or enum value) KEY in S, or -1: through IX
 * (shape_index) when given, else a scan. */
static long find_in(const alc_catalog *cat, const alc_shape *s, const idx_ent *ix,
                    const char *key)
{
	if (ix) {
		uint32_t j = key_hash(key) & ix->mask;
		for (; ix->slot[j]; j = (j + 1) & ix->mask) {
			uint32_t k = ix->slot[j] - 1;
			if (strcmp(key, member_key(cat, s, k)) == 0)
				return (long)k;
		}
		return -1;
	}
	for (uint32_t k = 0; k < s->member_count; k++) {
		const char *mk = member_key(cat, s, k);
		if (mk[0] == key[0] && strcmp(key, mk) == 0)
			return (long)k;
	}
	return -1;
}

/* cJSON's type tests, inlined (the library's are calls into the shared
 * object, on every node). */
static inline int jtype(const cJSON *x, int t) { return x && (x->type & 0xFF) == t; }
#define J_OBJ(x) jtype(x, cJSON_Object)
#define J_ARR(x) jtype(x, cJSON_Array)
#define J_STR(x) (jtype(x, cJSON_String) && (x)->valuestring)
#define J_NUM(x) jtype(x, cJSON_Number)
#define J_NULL(x) jtype(x, cJSON_NULL)
#define J_BOOL(x) (jtype(x, cJSON_True) || jtype(x, cJSON_False))

/* ==== the walk ======================================================== */

/* One reference token of the current JSON pointer: a member name or key
 * (pointing into the input), or an array index.  The pointer is rendered
 * only when a violation is reported, so the walk itself writes nothing. */
typedef struct ptok {
	const char *key;         /* NULL: INDEX */
	size_t index;
} ptok;

#define RT_TOKENS (2 * RT_MAX_DEPTH + 8)   /* an event adds two per level */

typedef struct vst {
	const alc_catalog *cat;
	rt_violation *out;
	size_t cap, n;
	int stop;                /* RT_VALIDATE_MAX reached */
	int cached;              /* the cache serves this catalog */
	unsigned depth;
	unsigned ntok;           /* may exceed RT_TOKENS: those are not kept */
	ptok tok[RT_TOKENS];
} vst;

static unsigned push(vst *v, const char *key)
{
	if (v->ntok < RT_TOKENS)
		v->tok[v->ntok] = (ptok){ key, 0 };
	return v->ntok++;
}

static unsigned push_index(vst *v, size_t i)
{
	if (v->ntok < RT_TOKENS)
		v->tok[v->ntok] = (ptok){ NULL, i };
	return v->ntok++;
}

static void pop(vst *v, unsigned old)
{
	v->ntok = old;
}

/* The index of SHAPE's members when it is worth one, copied into *OUT:
 * the cache's table may move when a nested value adds an entry, the
 * arrays an entry points to do not.  Returns OUT or NULL. */
static const idx_ent *member_index(const vst *v, uint32_t shape, idx_ent *out)
{
	const idx_ent *e = v->cached && v->cat->shapes[shape].member_count >= RT_INDEX_MIN
	                       ? shape_index(v->cat, shape) : NULL;
	if (!e)
		return NULL;
	*out = *e;
	return out;
}

/* The current pointer (RFC 6901: ~ as ~0, / as ~1) into OUT; a pointer
 * that does not fit is cut.  Returns its length. */
static size_t render_path(const vst *v, char *out, size_t cap)
{
	size_t n = 0;
	unsigned nt = v->ntok < RT_TOKENS ? v->ntok : RT_TOKENS;
	for (unsigned t = 0; t < nt && n + 1 < cap; t++) {
		out[n++] = '/';
		if (!v->tok[t].key) {
			int k = snprintf(out + n, cap - n, "%zu", v->tok[t].index);
			n = k > 0 && (size_t)k < cap - n ? n + (size_t)k : cap - 1;
			continue;
		}
		for (const char *p = v->tok[t].key; *p && n + 2 < cap; p++) {
			if (*p == '~' || *p == '/') {
				out[n++] = '~';
				out[n++] = *p == '~' ? '0' : '1';
			} else {
				out[n++] = *p;
			}
		}
	}
	out[n] = '\0';
	return n;
}

static void violation(vst *v, const char *kw, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void violation(vst *v, const char *kw, const char *fmt, ...)
{
	if (v->stop)
		return;
	if (v->n < v->cap) {
		rt_violation *o = &v->out[v->n];
		char path[RT_PATH_CAP];
		size_t pn = render_path(v, path, sizeof path);
		if (pn >= sizeof o->pointer)
			pn = sizeof o->pointer - 1;  /* a long pointer is cut */
		memcpy(o->pointer, path, pn);
		o->pointer[pn] = '\0';
		snprintf(o->keyword, sizeof o->keyword, "%s", kw);
		int k = snprintf(o->message, sizeof o->message, "%.200s: ",
		                 path[0] ? path : "input");
		if (k < 0 || (size_t)k >= sizeof o->message)
			k = 0;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(o->message + k, sizeof o->message - (size_t)k, fmt, ap);
		va_end(ap);
	}
	if (++v->n >= RT_VALIDATE_MAX)
		v->stop = 1;
}

/* A message under construction, cut with "..." when full. */
typedef struct sbuf {
	char b[256];
	size_t n;
	size_t lim;              /* bytes usable in b, NUL included */
	int full;
} sbuf;

/* A message buffer sized to what is left of rt_violation.message once the
 * pointer prefix ("<pointer>: ") is written. */
static void sb_init(sbuf *s, const vst *v)
{
	char path[RT_PATH_CAP];
	size_t plen = render_path(v, path, sizeof path);
	size_t pre = (plen ? (plen < 200 ? plen : 200) : 5) + 2;
	s->n = 0;
	s->full = 0;
	s->b[0] = '\0';
	s->lim = pre + 64 < sizeof s->b ? sizeof s->b - pre : 64;
}

static void sb_add(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *s, const char *fmt, ...)
{
	if (s->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(s->b + s->n, s->lim - s->n, fmt, ap);
	va_end(ap);
	if (k < 0 || s->n + (size_t)k >= s->lim) {
		s->b[s->n] = '\0';
		s->full = 1;
		return;
	}
	s->n += (size_t)k;
}

static const char *json_type(const cJSON *x)
{
	if (J_NULL(x)) return "null";
	if (J_BOOL(x)) return "a boolean";
	if (J_NUM(x)) return "a number";
	if (J_STR(x)) return "a string";
	if (J_ARR(x)) return "an array";
	if (J_OBJ(x)) return "an object";
	return "an unknown value";
}

static const char *expected(uint8_t type)
{
	switch (type) {
	case ALC_T_STRUCTURE: case ALC_T_MAP: return "an object";
	case ALC_T_UNION: return "an object with exactly one member";
	case ALC_T_LIST: return "an array";
	case ALC_T_STRING: case ALC_T_ENUM: return "a string";
	case ALC_T_BLOB: return "a base64 string";
	case ALC_T_TIMESTAMP:
		return "an RFC 3339 date-time string such as 2024-01-31T12:00:00Z";
	case ALC_T_BOOLEAN: return "a boolean (true or false)";
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER: case ALC_T_INTENUM: return "an integer";
	default: return "a number";
	}
}

static void type_violation(vst *v, uint8_t type, const cJSON *val)
{
	violation(v, "type", "must be %s, not %s%s", expected(type), json_type(val),
	          J_NULL(val) ? " (leave the member out instead)" : "");
}

/* A number for messages: integers without a fraction. */
static const char *num_str(double x, char *b, size_t cap)
{
	if (x == floor(x) && fabs(x) < 1e17)
		snprintf(b, cap, "%.0f", x);
	else
		snprintf(b, cap, "%.17g", x);
	return b;
}

/* Code points of the NUL-terminated UTF-8 string S of N bytes, or -1 when
 * it is not valid UTF-8 (overlong forms, surrogates, > U+10FFFF). */
static long utf8_count(const unsigned char *s, size_t n)
{
	long cps = 0;
	size_t i = 0;
	while (i < n) {
		uint64_t w;
		if (i + 8 <= n) {            /* ASCII, 8 bytes at a time */
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				cps += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
		} else if (c >= 0xC2 && c <= 0xDF) {
			if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
				return -1;
			i += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
				return -1;
			if (c == 0xE0 && s[i + 1] < 0xA0)
				return -1;            /* overlong */
			if (c == 0xED && s[i + 1] >= 0xA0)
				return -1;            /* surrogate */
			i += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 ||
			    (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
				return -1;
			if (c == 0xF0 && s[i + 1] < 0x90)
				return -1;            /* overlong */
			if (c == 0xF4 && s[i + 1] >= 0x90)
				return -1;            /* > U+10FFFF */
			i += 4;
		} else {
			return -1;
		}
		cps++;
	}
	return cps;
}

/* For messages: at most 60 bytes of S, cut on a character boundary. */
static int quote_len(const char *s)
{
	size_t n = strlen(s);
	if (n <= 60)
		return (int)n;
	n = 57;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

#define QUOTE(s) quote_len(s), (s), (strlen(s) > 60 ? "..." : "")

/* An enum's values for a message, cut when long; RESERVE bytes are kept
 * for what follows. */
static void list_values(const alc_catalog *cat, const alc_shape *s, sbuf *sb,
                        size_t reserve)
{
	uint32_t shown = 0;
	for (uint32_t k = 0; k < s->member_count; k++) {
		const char *val = member_key(cat, s, k);
		if (sb->n + strlen(val) + 2 + reserve > sb->lim)
			break;
		sb_add(sb, "%s%s", k ? ", " : "", val);
		shown++;
	}
	if (shown < s->member_count)
		sb_add(sb, ", ... (%u values; see describe_operation)", s->member_count);
}

/* A value that differs only in case, for "did you mean". */
static const char *case_match(const alc_catalog *cat, const alc_shape *s,
                              const char *key)
{
	for (uint32_t k = 0; k < s->member_count; k++) {
		const char *cand = member_key(cat, s, k);
		if (strcasecmp(cand, key) == 0)
			return cand;
	}
	return NULL;
}

/* Smithy patterns are searched, not anchored (like JSON Schema's). */
static void check_patterns(vst *v, const rt_cons *c, const char *str, size_t len,
                           const char *kw, const char *what)
{
	for (int k = 0; k < 2; k++) {
		if (!c->pattern[k])
			continue;
		pat_ent *e = v->cached ? pattern_lookup(v->cat, c->pattern[k]) : NULL;
		if (!e || !e->ok)
			continue;
		int rc = pcre2_match(e->code, (PCRE2_SPTR)str, len, 0, PCRE2_NO_UTF_CHECK,
		                     g_cache.md, g_cache.mctx);
		if (rc >= 0)
			continue;
		const char *pat = alc_str(v->cat, c->pattern[k]);
		if (rc == PCRE2_ERROR_NOMATCH)
			violation(v, kw, "%s\"%.*s%s\" does not match the pattern %.120s",
			          what, QUOTE(str), pat);
		else
			violation(v, kw, "%s\"%.*s%s\" could not be checked against the "
			          "pattern %.120s within airlock's matching limits",
			          what, QUOTE(str), pat);
	}
}

/* Messages are built out of line (COLD): the walk over a valid input then
 * runs in small frames without message buffers. */
#define COLD __attribute__((cold, noinline))

static COLD void enum_violation(vst *v, const alc_shape *s, const char *str, int key)
{
	sbuf sb;
	sb_init(&sb, v);
	const char *what = key ? "key " : "";
	const char *near = case_match(v->cat, s, str);
	sb_add(&sb, "%s\"%.*s%s\" must be one of ", what, QUOTE(str));
	list_values(v->cat, s, &sb, near ? 96 : 56);
	if (near)
		sb_add(&sb, "; did you mean %s?", near);
	violation(v, key ? "propertyNames" : "enum", "%s", sb.b);
}

static COLD void int_enum_violation(vst *v, const alc_shape *s, double x)
{
	char a[40];
	sbuf sb;
	uint32_t k;
	sb_init(&sb, v);
	sb_add(&sb, "%s must be one of ", num_str(x, a, sizeof a));
	for (k = 0; k < s->member_count && sb.n + 64 < sb.lim; k++)
		sb_add(&sb, "%s%d", k ? ", " : "", (int32_t)v->cat->members[s->first_member + k].aux);
	if (k < s->member_count)
		sb_add(&sb, ", ...");
	violation(v, "enum", "%s", sb.b);
}

static COLD void not_integer(vst *v, double x)
{
	char a[40];
	violation(v, "type", "must be an integer, not %s", num_str(x, a, sizeof a));
}

/* KW "minimum"/"maximum": X is beyond BOUND (TEXT when the model wrote it). */
static COLD void range_violation(vst *v, const char *kw, double x, double bound,
                                 const char *text, int of_type)
{
	char a[40], b[40];
	violation(v, kw, "%s %s the %s %s%s", num_str(x, a, sizeof a),
	          kw[1] == 'i' ? "is below" : "exceeds", kw,
	          text ? text : num_str(bound, b, sizeof b), of_type ? " of the type" : "");
}

/* A string value (or a map key when KEY) of SHAPE held by M. */
static void check_string(vst *v, uint32_t shape, const alc_member *m,
                         const char *str, int key)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	size_t len = strlen(str);
	long cps = utf8_count((const unsigned char *)str, len);
	const char *what = key ? "key " : "";
	const char *kw;
	if (cps < 0) {
		violation(v, key ? "propertyNames" : "type", "%smust be valid UTF-8", what);
		return;
	}
	idx_ent ixv;
	if (s->type == ALC_T_ENUM && find_in(cat, s, member_index(v, shape, &ixv), str) < 0) {
		enum_violation(v, s, str, key);
		return;
	}
	if (!rt_has_cons(cat, shape, m))
		return;
	rt_cons c;
	rt_cons_of(cat, shape, m, &c);
	if ((c.flags & ALC_C_LEN_MIN) && cps < c.len_min) {
		kw = key ? "propertyNames" : "minLength";
		if (cps == 0)
			violation(v, kw, "%smust not be empty (at least %lld character%s)",
			          what, (long long)c.len_min, c.len_min == 1 ? "" : "s");
		else
			violation(v, kw, "%slength %ld is below the minimum %lld character%s",
			          what, cps, (long long)c.len_min, c.len_min == 1 ? "" : "s");
	}
	if ((c.flags & ALC_C_LEN_MAX) && cps > c.len_max)
		violation(v, key ? "propertyNames" : "maxLength",
		          "%slength %ld exceeds the maximum %lld characters", what, cps,
		          (long long)c.len_max);
	check_patterns(v, &c, str, len, key ? "propertyNames" : "pattern", what);
}

static int b64v(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Decoded length of padded base64 S, or -1. */
static long base64_len(const char *s)
{
	size_t n = strlen(s), pad = 0;
	if (n % 4)
		return -1;
	if (n && s[n - 1] == '=')
		pad = (n >= 2 && s[n - 2] == '=') ? 2 : 1;
	for (size_t i = 0; i < n - pad; i++)
		if (!b64v((unsigned char)s[i]))
			return -1;
	/* The last group may not be "x===" */
	return (long)(n / 4 * 3 - pad);
}

static int digits(const char *s, int n, int *out)
{
	int x = 0;
	for (int k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return 0;
		x = x * 10 + (s[k] - '0');
	}
	*out = x;
	return 1;
}

/* RFC 3339 date-time (the format JSON Schema's "date-time" names):
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), T and Z in either case,
 * a real day of the month, no leap second, no year 0000. */
static int is_datetime(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, oh, om;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		/* UTC */
	} else if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh) && p[3] == ':' &&
	           digits(p + 4, 2, &om) && p[6] == '\0') {
		if (oh > 23 || om > 59)
			return 0;
	} else {
		return 0;
	}
	if (y == 0 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[mo - 1] + (mo == 2 && leap);
}

static void check_value(vst *v, uint32_t shape, const alc_member *m, const cJSON *val);

/* Bounds of a number of SHAPE held by M, checked against X. */
static void check_range(vst *v, uint32_t shape, const alc_member *m, double x)
{
	const alc_shape *s = &v->cat->shapes[shape];
	double tmin = 0, tmax = 0;
	int strict = 0;
	int is_int = rt_int_bounds(s->type, &tmin, &tmax, &strict);
	if (!rt_has_cons(v->cat, shape, m)) {
		if (is_int && x < tmin)
			range_violation(v, "minimum", x, tmin, NULL, 1);
		if (is_int && (strict ? x >= tmax : x > tmax))
			range_violation(v, "maximum", x, tmax,
			                strict ? "9223372036854775807" : NULL, 1);
		return;
	}
	rt_cons c;
	rt_cons_of(v->cat, shape, m, &c);
	if ((c.flags & ALC_C_RANGE_MIN) && (!is_int || c.range_min >= tmin)) {
		if (x < c.range_min)
			range_violation(v, "minimum", x, c.range_min,
			                c.range_min_text ? alc_str(v->cat, c.range_min_text) : NULL, 0);
	} else if (is_int && x < tmin) {
		range_violation(v, "minimum", x, tmin, NULL, 1);
	}
	if ((c.flags & ALC_C_RANGE_MAX) && (!is_int || c.range_max < tmax ||
	                                    (!strict && c.range_max == tmax))) {
		if (x > c.range_max)
			range_violation(v, "maximum", x, c.range_max,
			                c.range_max_text ? alc_str(v->cat, c.range_max_text) : NULL, 0);
	} else if (is_int && (strict ? x >= tmax : x > tmax)) {
		range_violation(v, "maximum", x, tmax, strict ? "9223372036854775807" : NULL, 1);
	}
}

/* ---- structural hashing for uniqueItems ------------------------------ */

static uint64_t jhash(const cJSON *x, unsigned depth)
{
	uint64_t h = (uint64_t)(x->type & 0xff) * 0x9E3779B97F4A7C15ull;
	if (depth > 32)
		return h;
	if (J_NUM(x)) {
		double d = x->valuedouble;
		if (d == 0)
			d = 0;                    /* -0 == 0 */
		uint64_t bits;
		memcpy(&bits, &d, sizeof bits);
		h ^= bits * 0xff51afd7ed558ccdull;
	} else if (J_STR(x)) {
		for (const unsigned char *p = (const unsigned char *)x->valuestring; *p; p++)
			h = (h ^ *p) * 0x100000001b3ull;
	} else if (J_ARR(x)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, x)
			h = (h ^ jhash(it, depth + 1)) * 0x100000001b3ull;
	} else if (J_OBJ(x)) {
		/* Order-independent: objects compare by content. */
		uint64_t sum = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, x) {
			uint64_t k = 0xcbf29ce484222325ull;
			for (const unsigned char *p = (const unsigned char *)it->string; p && *p; p++)
				k = (k ^ *p) * 0x100000001b3ull;
			sum += k ^ (jhash(it, depth + 1) * 0x9E3779B97F4A7C15ull);
		}
		h ^= sum;
	}
	return h;
}

typedef struct hitem {
	uint64_t h;
	size_t i;
	const cJSON *x;
} hitem;

static int cmp_hitem(const void *a, const void *b)
{
	const hitem *p = a, *q = b;
	if (p->h != q->h)
		return p->h < q->h ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static void dup_item(vst *v, size_t i, size_t first)
{
	unsigned old = push_index(v, i);
	violation(v, "uniqueItems", "duplicates item %zu; items must be unique", first);
	pop(v, old);
}

static void check_unique(vst *v, const cJSON *arr, size_t n)
{
	if (n <= RT_SMALL_N) {
		size_t i = 0;
		for (const cJSON *a = arr->child; a; a = a->next, i++) {
			size_t j = 0;
			for (const cJSON *b = arr->child; b != a; b = b->next, j++)
				if (cJSON_Compare(a, b, 1)) {
					dup_item(v, i, j);
					break;
				}
		}
		return;
	}
	hitem *t = malloc(n * sizeof *t);
	if (!t)
		return;
	size_t i = 0;
	for (const cJSON *a = arr->child; a && i < n; a = a->next, i++)
		t[i] = (hitem){ jhash(a, 0), i, a };
	qsort(t, n, sizeof *t, cmp_hitem);
	for (size_t r = 0; r < n && !v->stop; r++)
		for (size_t q = r; q-- > 0 && t[q].h == t[r].h;)
			if (cJSON_Compare(t[q].x, t[r].x, 1)) {
				dup_item(v, t[r].i, t[q].i);
				break;
			}
	free(t);
}

/* ---- aggregates ------------------------------------------------------ */

static size_t count_items(const cJSON *x)
{
	size_t n = 0;
	for (const cJSON *c = x->child; c; c = c->next)
		n++;
	return n;
}

static void check_list(vst *v, uint32_t shape, const alc_member *holder, const cJSON *val)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	const alc_member *im = &cat->members[s->first_member];
	size_t n = count_items(val), i = 0;
	rt_cons c;
	rt_cons_of(cat, shape, holder, &c);
	if ((c.flags & ALC_C_LEN_MIN) && (long long)n < c.len_min)
		violation(v, "minItems", "has %zu item%s; at least %lld required", n,
		          n == 1 ? "" : "s", (long long)c.len_min);
	if ((c.flags & ALC_C_LEN_MAX) && (long long)n > c.len_max)
		violation(v, "maxItems", "has %zu items; at most %lld allowed", n,
		          (long long)c.len_max);
	for (const cJSON *it = val->child; it && !v->stop; it = it->next, i++) {
		if (J_NULL(it) && (s->flags & ALC_SH_SPARSE))
			continue;
		unsigned old = push_index(v, i);
		check_value(v, im->target, im, it);
		pop(v, old);
	}
	if ((s->flags & ALC_SH_UNIQUE_ITEMS) && n > 1 && !v->stop)
		check_unique(v, val, n);
}

static int cmp_strp(const void *a, const void *b)
{
	const cJSON *const *p = a, *const *q = b;
	int c = strcmp((*p)->string, (*q)->string);
	if (c)
		return c;
	return *p < *q ? -1 : *p > *q; /* keep list order among equals */
}

static void dup_key(vst *v, const char *key, const char *what)
{
	unsigned old = push(v, key);
	violation(v, "duplicateKey", "%s \"%.*s%s\" appears more than once; JSON "
	          "objects must not repeat a name", what, QUOTE(key));
	pop(v, old);
}

/* Duplicate names among the members of object VAL (N of them). */
static void check_dup_names(vst *v, const cJSON *val, size_t n, const char *what)
{
	if (n < 2)
		return;
	if (n <= RT_SMALL_N) {
		for (const cJSON *a = val->child; a; a = a->next)
			for (const cJSON *b = val->child; b != a; b = b->next)
				if (strcmp(a->string, b->string) == 0) {
					dup_key(v, a->string, what);
					break;
				}
		return;
	}
	const cJSON **t = malloc(n * sizeof *t);
	if (!t)
		return;
	size_t i = 0;
	for (const cJSON *a = val->child; a && i < n; a = a->next)
		t[i++] = a;
	qsort(t, n, sizeof *t, cmp_strp);
	for (size_t k = 1; k < n && !v->stop; k++)
		if (strcmp(t[k]->string, t[k - 1]->string) == 0)
			dup_key(v, t[k]->string, what);
	free(t);
}

static void check_map(vst *v, uint32_t shape, const alc_member *holder, const cJSON *val)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	const alc_member *km = &cat->members[s->first_member];
	const alc_member *vm = &cat->members[s->first_member + 1];
	size_t n = count_items(val);
	rt_cons c;
	rt_cons_of(cat, shape, holder, &c);
	if ((c.flags & ALC_C_LEN_MIN) && (long long)n < c.len_min)
		violation(v, "minProperties", "has %zu entr%s; at least %lld required", n,
		          n == 1 ? "y" : "ies", (long long)c.len_min);
	if ((c.flags & ALC_C_LEN_MAX) && (long long)n > c.len_max)
		violation(v, "maxProperties", "has %zu entries; at most %lld allowed", n,
		          (long long)c.len_max);
	check_dup_names(v, val, n, "key");
	for (const cJSON *it = val->child; it && !v->stop; it = it->next) {
		unsigned old = push(v, it->string);
		check_string(v, km->target, km, it->string, 1);
		if (!(J_NULL(it) && (s->flags & ALC_SH_SPARSE)))
			check_value(v, vm->target, vm, it);
		pop(v, old);
	}
}

/* Names of the members of S an agent may send, for messages. */
static void list_members(const alc_catalog *cat, const alc_shape *s, sbuf *sb)
{
	uint32_t shown = 0, total = 0;
	for (uint32_t k = 0; k < s->member_count; k++) {
		const alc_member *m = &cat->members[s->first_member + k];
		if (rt_member_omitted(m))
			continue;
		total++;
		const char *name = alc_str(cat, m->name);
		if (sb->n + strlen(name) + 48 > sb->lim)
			continue;
		sb_add(sb, "%s%s", shown ? ", " : "", name);
		shown++;
	}
	if (shown < total)
		sb_add(sb, ", ... (%u members; see describe_operation)", total);
	if (!total)
		sb_add(sb, "none");
}

static void unknown_member(vst *v, const alc_shape *s, const char *key, int is_union)
{
	sbuf sb;
	const alc_catalog *cat = v->cat;
	const char *near = NULL;
	unsigned old = push(v, key);
	sb_init(&sb, v);
	for (uint32_t k = 0; k < s->member_count && !near; k++) {
		const alc_member *m = &cat->members[s->first_member + k];
		if (!rt_member_omitted(m) && strcasecmp(alc_str(cat, m->name), key) == 0)
			near = alc_str(cat, m->name);
	}
	if (near)
		sb_add(&sb, "unknown member; did you mean %s? ", near);
	else
		sb_add(&sb, "unknown member; ");
	sb_add(&sb, is_union ? "set exactly one of " : "valid members are ");
	list_members(cat, s, &sb);
	violation(v, is_union ? "oneOf" : "additionalProperties", "%s", sb.b);
	pop(v, old);
}

static const char *short_type(const alc_catalog *cat, uint32_t shape)
{
	static const char *const names[ALC_T_COUNT] = {
		[ALC_T_BLOB] = "base64 string", [ALC_T_BOOLEAN] = "boolean",
		[ALC_T_STRING] = "string", [ALC_T_BYTE] = "integer",
		[ALC_T_SHORT] = "integer", [ALC_T_INTEGER] = "integer",
		[ALC_T_LONG] = "integer", [ALC_T_FLOAT] = "number",
		[ALC_T_DOUBLE] = "number", [ALC_T_BIGINTEGER] = "integer",
		[ALC_T_BIGDECIMAL] = "number", [ALC_T_TIMESTAMP] = "date-time string",
		[ALC_T_DOCUMENT] = "any JSON value", [ALC_T_ENUM] = "string",
		[ALC_T_INTENUM] = "integer", [ALC_T_LIST] = "array",
		[ALC_T_MAP] = "object", [ALC_T_STRUCTURE] = "object",
		[ALC_T_UNION] = "object with one member",
	};
	uint8_t t = cat->shapes[shape].type;
	return t < ALC_T_COUNT && names[t] ? names[t] : "value";
}

static void check_struct(vst *v, uint32_t shape, const cJSON *val)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	uint64_t small[16], *seen = small;
	size_t words = ((size_t)s->member_count + 63) / 64;
	if (words > 16 && !(seen = calloc(words, sizeof *seen)))
		return;
	if (seen == small)
		memset(small, 0, words * sizeof small[0]);
	idx_ent ixv;
	const idx_ent *ix = member_index(v, shape, &ixv);
	for (const cJSON *it = val->child; it && !v->stop; it = it->next) {
		long k = find_in(cat, s, ix, it->string);
		const alc_member *m = k >= 0 ? &cat->members[s->first_member + (uint32_t)k] : NULL;
		if (!m || rt_member_omitted(m)) {
			unknown_member(v, s, it->string, 0);
			continue;
		}
		uint64_t bit = 1ull << (k & 63);
		if (seen[k >> 6] & bit) {
			dup_key(v, it->string, "member");
			continue;
		}
		seen[k >> 6] |= bit;
		unsigned old = push(v, it->string);
		check_value(v, m->target, m, it);
		pop(v, old);
	}
	uint32_t nreq = ix ? ix->nreq : s->member_count;
	for (uint32_t r = 0; r < nreq && !v->stop; r++) {
		uint32_t k = ix ? ix->req[r] : r;
		const alc_member *m = &cat->members[s->first_member + k];
		if (rt_member_required(m) && !(seen[k >> 6] & (1ull << (k & 63))))
			violation(v, "required", "missing required member %s (%s)",
			          alc_str(cat, m->name), short_type(cat, m->target));
	}
	if (seen != small)
		free(seen);
}

static void check_union(vst *v, uint32_t shape, const cJSON *val)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	uint32_t set = 0;
	const char *first = NULL, *second = NULL;
	idx_ent ixv;
	const idx_ent *ix = member_index(v, shape, &ixv);
	for (const cJSON *it = val->child; it && !v->stop; it = it->next) {
		long k = find_in(cat, s, ix, it->string);
		if (k < 0) {
			unknown_member(v, s, it->string, 1);
			continue;
		}
		const alc_member *m = &cat->members[s->first_member + (uint32_t)k];
		if (set == 0)
			first = alc_str(cat, m->name);
		else if (set == 1)
			second = alc_str(cat, m->name);
		set++;
		unsigned old = push(v, it->string);
		check_value(v, m->target, m, it);
		pop(v, old);
	}
	if (set == 1 || v->stop)
		return;
	sbuf sb;
	sb_init(&sb, v);
	if (set == 0)
		sb_add(&sb, "set exactly one of ");
	else
		sb_add(&sb, "sets %u members (%s, %s%s) of a union; set exactly one of ",
		       set, first, second, set > 2 ? ", ..." : "");
	list_members(cat, s, &sb);
	violation(v, "oneOf", "%s", sb.b);
}

static void check_value(vst *v, uint32_t shape, const alc_member *m, const cJSON *val)
{
	const alc_catalog *cat = v->cat;
	const alc_shape *s = &cat->shapes[shape];
	if (v->stop)
		return;
	if (v->depth >= RT_MAX_DEPTH) {
		violation(v, "maxDepth", "nested more than %d levels deep", RT_MAX_DEPTH);
		return;
	}
	v->depth++;
	switch (s->type) {
	case ALC_T_STRUCTURE:
		if (!J_OBJ(val))
			type_violation(v, s->type, val);
		else
			check_struct(v, shape, val);
		break;
	case ALC_T_UNION:
		if (s->flags & ALC_SH_EVENT_STREAM) {
			if (!J_ARR(val)) {
				violation(v, "type", "must be an array of events, not %s",
				          json_type(val));
				break;
			}
			size_t i = 0;
			for (const cJSON *it = val->child; it && !v->stop; it = it->next, i++) {
				unsigned old = push_index(v, i);
				if (!J_OBJ(it))
					type_violation(v, s->type, it);
				else
					check_union(v, shape, it);
				pop(v, old);
			}
		} else if (!J_OBJ(val)) {
			type_violation(v, s->type, val);
		} else {
			check_union(v, shape, val);
		}
		break;
	case ALC_T_LIST:
		if (!J_ARR(val))
			type_violation(v, s->type, val);
		else
			check_list(v, shape, m, val);
		break;
	case ALC_T_MAP:
		if (!J_OBJ(val))
			type_violation(v, s->type, val);
		else
			check_map(v, shape, m, val);
		break;
	case ALC_T_STRING:
	case ALC_T_ENUM:
		if (!J_STR(val))
			type_violation(v, s->type, val);
		else
			check_string(v, shape, m, val->valuestring, 0);
		break;
	case ALC_T_BLOB:
		if (!J_STR(val)) {
			type_violation(v, s->type, val);
		} else {
			long n = base64_len(val->valuestring);
			rt_cons c;
			rt_cons_of(cat, shape, m, &c);
			if (n < 0)
				violation(v, "contentEncoding", "must be base64 (RFC 4648, "
				          "A-Z a-z 0-9 + /, padded with = to a multiple of 4)");
			else if ((c.flags & ALC_C_LEN_MIN) && n < c.len_min)
				violation(v, "minLength", "decodes to %ld bytes; at least %lld "
				          "required", n, (long long)c.len_min);
			else if ((c.flags & ALC_C_LEN_MAX) && n > c.len_max)
				violation(v, "maxLength", "decodes to %ld bytes; at most %lld "
				          "allowed", n, (long long)c.len_max);
		}
		break;
	case ALC_T_TIMESTAMP:
		if (!J_STR(val))
			type_violation(v, s->type, val);
		else if (!is_datetime(val->valuestring))
			violation(v, "format", "\"%.*s%s\" is not an RFC 3339 date-time; "
			          "write e.g. 2024-01-31T12:00:00Z", QUOTE(val->valuestring));
		break;
	case ALC_T_BOOLEAN:
		if (!J_BOOL(val))
			type_violation(v, s->type, val);
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER:
		if (!J_NUM(val))
			type_violation(v, s->type, val);
		else if (!isfinite(val->valuedouble) || val->valuedouble != floor(val->valuedouble))
			not_integer(v, val->valuedouble);
		else
			check_range(v, shape, m, val->valuedouble);
		break;
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL:
		if (!J_NUM(val))
			type_violation(v, s->type, val);
		else
			check_range(v, shape, m, val->valuedouble);
		break;
	case ALC_T_INTENUM:
		if (!J_NUM(val) || val->valuedouble != floor(val->valuedouble)) {
			type_violation(v, s->type, val);
		} else {
			uint32_t k;
			for (k = 0; k < s->member_count; k++)
				if ((double)(int32_t)cat->members[s->first_member + k].aux ==
				    val->valuedouble)
					break;
			if (k == s->member_count)
				int_enum_violation(v, s, val->valuedouble);
		}
		break;
	case ALC_T_DOCUMENT:
	default:
		break;
	}
	v->depth--;
}

/* see rt_schema.h */
size_t rt_validate(const alc_catalog *cat, const alc_operation *op,
                   const cJSON *input, rt_violation *out, size_t cap)
{
	vst v;
	v.cat = cat;
	v.out = out;
	v.cap = out ? cap : 0;
	v.n = 0;
	v.stop = 0;
	v.depth = 0;
	v.ntok = 0;
	v.cached = cache_for(cat) == 0;
	if (!input || !J_OBJ(input)) {
		violation(&v, "type", "the input must be a JSON object, not %s",
		          input ? json_type(input) : "nothing");
		return v.n;
	}
	if (op->input == ALC_NONE || cat->shapes[op->input].type != ALC_T_STRUCTURE) {
		/* No input (or none the runtime takes as members: the schema
		 * says {} with no properties too). */
		for (const cJSON *it = input->child; it && !v.stop; it = it->next) {
			unsigned old = push(&v, it->string);
			violation(&v, "additionalProperties", "unknown member; this "
			          "operation takes no input");
			pop(&v, old);
		}
		return v.n;
	}
	check_value(&v, op->input, NULL, input);
	return v.n;
}
