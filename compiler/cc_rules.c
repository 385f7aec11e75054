/*
 * cc_rules.c -- see cc_rules.h; the format is formats/alc_rules.h.
 *
 * One pass over the JSON AST, depth first, does everything that needs the
 * scope (variable names -> slots): conditions, templates and getAttr
 * paths are compiled into hash-consed expression nodes (children always
 * exist before their parent, so node indexes only point downwards), and
 * rules into a temporary array in depth-first order.  A second pass lays
 * the rules out breadth first, which is what makes "one parent per rule"
 * checkable in one linear scan by alc_rules_check().
 *
 * Errors stop the encoding at the first problem: a diagnostic names the
 * JSON path, and every function returns ALC_RULES_NONE (or -1) upwards.
 */
#include "cc_rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"
#include "alc_rules.h"

#define NONE ALC_RULES_NONE

typedef struct trule {        /* a rule before breadth-first layout */
	uint8_t kind, ncond, slot_base;
	uint32_t first_cond;      /* in enc.conds */
	uint32_t x, y, z;         /* as alc_rules_rule, TREE: unused */
	uint32_t first_kid, nkids;/* TREE: in enc.kids */
} trule;

typedef struct var {
	const char *name;
	size_t len;
	uint32_t str;
} var;

typedef struct enc {
	cc_pool *pool;
	const char *file;
	cc_buf *diag;
	int failed;
	char path[1024];
	size_t plen;
	/* expression nodes, hash-consed */
	alc_rules_node *nodes;
	uint32_t nnodes, capnodes;
	cc_buf ops;               /* u32 operand words */
	uint32_t *ht;             /* node index + 1, 0 = empty */
	uint32_t htcap;
	cc_buf scratch;           /* u32 stack: operands being collected */
	/* scope */
	var vars[ALC_RULES_MAX_VARS];
	unsigned live, nparams, maxlive;
	/* rules */
	trule *rules;
	uint32_t nrules, caprules;
	cc_buf conds;             /* alc_rules_cond */
	cc_buf kids;              /* u32 temp rule indexes */
} enc;

/* ---- diagnostics and JSON paths -------------------------------------- */

__attribute__((format(printf, 2, 3)))
static void fail(enc *e, const char *fmt, ...)
{
	if (e->failed)
		return;
	e->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	cc_diag_vadd(e->diag, e->file, e->path, fmt, ap);
	va_end(ap);
}

/* Append to the path; returns the length to restore with path_pop. */
__attribute__((format(printf, 2, 3)))
static size_t path_push(enc *e, const char *fmt, ...)
{
	size_t mark = e->plen;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->path + e->plen, sizeof e->path - e->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		e->plen += (size_t)n;
	if (e->plen >= sizeof e->path)
		e->plen = sizeof e->path - 1;
	return mark;
}

static void path_pop(enc *e, size_t mark)
{
	e->plen = mark;
	e->path[mark] = '\0';
}

/* ".name" for identifier-like keys, "['name']" otherwise. */
static size_t path_key(enc *e, const char *k)
{
	int plain = *k != '\0';
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			plain = 0;
	return plain ? path_push(e, ".%s", k) : path_push(e, "['%s']", k);
}

static const char *jtype(const cJSON *j)
{
	if (cJSON_IsString(j)) return "a string";
	if (cJSON_IsBool(j)) return "a boolean";
	if (cJSON_IsNumber(j)) return "a number";
	if (cJSON_IsArray(j)) return "an array";
	if (cJSON_IsObject(j)) return "an object";
	if (cJSON_IsNull(j)) return "null";
	return "invalid";
}

/* Fail unless every member of object J is in the NULL-terminated ALLOWED. */
static int only_members(enc *e, const cJSON *j, const char *const *allowed)
{
	for (const cJSON *m = j->child; m; m = m->next) {
		const char *const *a = allowed;
		while (*a && strcmp(*a, m->string) != 0)
			a++;
		if (!*a) {
			size_t mark = path_key(e, m->string);
			fail(e, "unexpected member '%s'", m->string);
			path_pop(e, mark);
			return -1;
		}
	}
	return 0;
}

static uint32_t intern(enc *e, const char *s, size_t n)
{
	return cc_intern(e->pool, s, n);
}

/* ---- nodes ----------------------------------------------------------- */

static uint32_t hash_node(unsigned op, unsigned n, uint32_t a,
                          const uint32_t *w, uint32_t nw)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (op | n << 8) ^ ((uint64_t)a << 20);
	h *= 0xff51afd7ed558ccdull;
	for (uint32_t i = 0; i < nw; i++) {
		h ^= w[i];
		h *= 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	return (uint32_t)h;
}

static int is_leaf(unsigned op)
{
	return op == ALC_RX_STR || op == ALC_RX_BOOL || op == ALC_RX_INT ||
	       op == ALC_RX_REF;
}

static uint32_t node_words(const alc_rules_node *nd)
{
	switch (nd->op) {
	case ALC_RX_GETATTR: return 1u + nd->n;
	case ALC_RX_RECORD: return 2u * nd->n;
	default: return is_leaf(nd->op) ? 0 : nd->n;
	}
}

static void ht_grow(enc *e)
{
	uint32_t cap = e->htcap ? e->htcap * 2 : 1024;
	free(e->ht);
	e->ht = cc_xcalloc(cap, sizeof *e->ht);
	e->htcap = cap;
	const uint32_t *ops = (const uint32_t *)(const void *)e->ops.p;
	for (uint32_t i = 0; i < e->nnodes; i++) {
		const alc_rules_node *nd = &e->nodes[i];
		int leaf = is_leaf(nd->op);
		uint32_t j = hash_node(nd->op, nd->n, leaf ? nd->a : 0,
		                       leaf ? NULL : ops + nd->a, node_words(nd)) &
		             (cap - 1);
		while (e->ht[j])
			j = (j + 1) & (cap - 1);
		e->ht[j] = i + 1;
	}
}

/* The node (OP, N, A) for leaves, or (OP, N, operand words W[0..NW)):
 * an existing equal node, or a new one.  Children are in W, so they are
 * already nodes: the new index is above all of them. */
static uint32_t mknode(enc *e, unsigned op, unsigned n, uint32_t a,
                       const uint32_t *w, uint32_t nw)
{
	if (e->failed)
		return NONE;
	if (n > ALC_RULES_MAX_OPERANDS) {
		fail(e, "more than %u elements", ALC_RULES_MAX_OPERANDS);
		return NONE;
	}
	if ((e->nnodes + 1) * 2 > e->htcap)
		ht_grow(e);
	int leaf = is_leaf(op);
	uint32_t ha = leaf ? a : 0;
	uint32_t j = hash_node(op, n, ha, w, nw) & (e->htcap - 1);
	const uint32_t *ops = (const uint32_t *)(const void *)e->ops.p;
	for (; e->ht[j]; j = (j + 1) & (e->htcap - 1)) {
		const alc_rules_node *nd = &e->nodes[e->ht[j] - 1];
		if (nd->op != op || nd->n != n)
			continue;
		if (leaf ? nd->a == a
		         : (nw == 0 || memcmp(ops + nd->a, w, nw * sizeof *w) == 0))
			return e->ht[j] - 1;
	}
	/* need / size over the children */
	unsigned need = op == ALC_RX_REF ? a + 1 : 0, size = 1;
	uint32_t first = 0, step = 1, count = leaf ? 0 : nw;
	if (op == ALC_RX_RECORD) {
		first = 1;
		step = 2;
		count = n;
	} else if (op == ALC_RX_GETATTR) {
		count = 1;
	}
	for (uint32_t k = 0; k < count; k++) {
		const alc_rules_node *ch = &e->nodes[w[first + k * step]];
		if (ch->need > need)
			need = ch->need;
		size += ch->size;
	}
	if (size > ALC_RULES_MAX_EXPR_SIZE) {
		fail(e, "expression too large (more than %u nodes)",
		     ALC_RULES_MAX_EXPR_SIZE);
		return NONE;
	}
	if (e->nnodes == e->capnodes) {
		e->capnodes = e->capnodes ? e->capnodes * 2 : 256;
		e->nodes = cc_xrealloc(e->nodes, e->capnodes * sizeof *e->nodes);
	}
	alc_rules_node *nd = &e->nodes[e->nnodes];
	nd->op = (uint8_t)op;
	nd->n = (uint8_t)n;
	nd->need = (uint8_t)need;
	nd->size = (uint8_t)size;
	if (leaf) {
		nd->a = a;
	} else {
		nd->a = (uint32_t)(e->ops.len / 4);
		cc_buf_put(&e->ops, w, nw * sizeof *w);
	}
	e->ht[j] = e->nnodes + 1;
	return e->nnodes++;
}

/* Operand collection on the scratch stack: mark, push..., then build the
 * node from the words above the mark and drop them. */
static size_t sc_mark(enc *e) { return e->scratch.len; }

static void sc_push(enc *e, uint32_t v) { cc_buf_put(&e->scratch, &v, 4); }

static uint32_t sc_node(enc *e, size_t mark, unsigned op, unsigned n)
{
	const uint32_t *w = (const uint32_t *)(const void *)(e->scratch.p + mark);
	uint32_t nw = (uint32_t)((e->scratch.len - mark) / 4);
	uint32_t r = mknode(e, op, n, 0, w, nw);
	e->scratch.len = mark;
	return r;
}

/* ---- scope ----------------------------------------------------------- */

static int lookup(const enc *e, const char *name, size_t len)
{
	for (unsigned i = e->live; i-- > 0;)
		if (e->vars[i].len == len && memcmp(e->vars[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static uint32_t ref_node(enc *e, const char *name, size_t len)
{
	int slot = lookup(e, name, len);
	if (slot < 0) {
		fail(e, "unknown parameter reference '%.*s'", (int)len, name);
		return NONE;
	}
	return mknode(e, ALC_RX_REF, 0, (uint32_t)slot, NULL, 0);
}

/* ---- getAttr paths and templates -------------------------------------- */

/* "a.b[2].c" or "[0]": fields separated by '.', each optionally followed
 * by one "[index]"; only the first component may be a bare index. */
static uint32_t getattr_node(enc *e, uint32_t target, const char *p, size_t len)
{
	if (target == NONE)
		return NONE;
	size_t mark = sc_mark(e);
	sc_push(e, target);
	unsigned steps = 0;
	size_t i = 0;
	if (len == 0)
		goto bad;
	for (;;) {
		size_t s = i;
		while (i < len && p[i] != '.' && p[i] != '[')
			i++;
		if (i > s) {
			sc_push(e, intern(e, p + s, i - s));
			steps++;
		} else if (steps || i >= len || p[i] != '[') {
			goto bad; /* empty field, except a leading "[n]" */
		}
		if (i < len && p[i] == '[') {
			uint64_t v = 0;
			size_t d = ++i;
			while (i < len && p[i] >= '0' && p[i] <= '9' && v <= 0x7fffffffu)
				v = v * 10 + (uint64_t)(p[i++] - '0');
			if (i == d || i >= len || p[i] != ']' || v > 0x7fffffffu)
				goto bad;
			i++;
			sc_push(e, ALC_RULES_STEP_INDEX | (uint32_t)v);
			steps++;
		}
		if (i == len)
			break;
		if (p[i] != '.' || ++i == len)
			goto bad;
	}
	return sc_node(e, mark, ALC_RX_GETATTR, steps);
bad:
	e->scratch.len = mark;
	fail(e, "bad getAttr path \"%.*s\"", (int)len, p);
	return NONE;
}

/* Literal text with {{ and }} unescaped. */
static uint32_t lit_node(enc *e, const char *s, size_t len)
{
	if (!memchr(s, '{', len) && !memchr(s, '}', len))
		return mknode(e, ALC_RX_STR, 0, intern(e, s, len), NULL, 0);
	char *buf = cc_xmalloc(len);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		buf[o++] = s[i];
		if ((s[i] == '{' || s[i] == '}') && i + 1 < len && s[i + 1] == s[i])
			i++;
	}
	uint32_t r = mknode(e, ALC_RX_STR, 0, intern(e, buf, o), NULL, 0);
	free(buf);
	return r;
}

/* A string in expression position is a template: literal text with {{ }}
 * escapes and {name} / {name#path} placeholders (Smithy's shortform). */
static uint32_t template_node(enc *e, const char *s)
{
	size_t len = strlen(s), lit = 0, i = 0;
	size_t mark = sc_mark(e);
	unsigned parts = 0;
	const char *why = NULL;
	while (i < len) {
		if ((s[i] == '{' || s[i] == '}') && i + 1 < len && s[i + 1] == s[i]) {
			i += 2;
			continue;
		}
		if (s[i] == '}') {
			why = "unmatched '}'";
			break;
		}
		if (s[i] != '{') {
			i++;
			continue;
		}
		size_t open = i++, close = i;
		while (close < len && s[close] != '}' && s[close] != '{')
			close++;
		if (close >= len || s[close] != '}') {
			why = close >= len ? "unclosed '{'" : "'{' inside a placeholder";
			break;
		}
		if (open > lit) {
			sc_push(e, lit_node(e, s + lit, open - lit));
			parts++;
		}
		const char *name = s + i, *hash = memchr(name, '#', close - i);
		size_t nlen = hash ? (size_t)(hash - name) : close - i;
		if (nlen == 0) {
			why = "empty placeholder";
			break;
		}
		uint32_t r = ref_node(e, name, nlen);
		if (hash)
			r = getattr_node(e, r, hash + 1, (size_t)(s + close - hash - 1));
		if (r == NONE) {
			e->scratch.len = mark;
			return NONE;
		}
		sc_push(e, r);
		parts++;
		i = lit = close + 1;
	}
	if (why) {
		e->scratch.len = mark;
		fail(e, "bad template \"%s\": %s", s, why);
		return NONE;
	}
	if (parts == 0) {
		e->scratch.len = mark;
		return lit_node(e, s, len);
	}
	if (lit < len) {
		sc_push(e, lit_node(e, s + lit, len - lit));
		parts++;
	}
	return sc_node(e, mark, ALC_RX_TPL, parts);
}

/* ---- expressions ----------------------------------------------------- */

static uint32_t expr(enc *e, const cJSON *j, int lit);
static uint32_t call(enc *e, const cJSON *j, int in_cond);

static uint32_t literal_number(enc *e, const cJSON *j)
{
	double d = j->valuedouble;
	if (!(d >= -2147483648.0 && d <= 2147483647.0) || floor(d) != d) {
		fail(e, "number %g is not a 32-bit integer", d);
		return NONE;
	}
	return mknode(e, ALC_RX_INT, 0, (uint32_t)(int32_t)d, NULL, 0);
}

/* LIT: inside a literal (endpoint properties, arrays, records), where
 * objects are records and never "ref" / "fn" forms (Smithy's Literal). */
static uint32_t expr(enc *e, const cJSON *j, int lit)
{
	if (e->failed)
		return NONE;
	if (cJSON_IsString(j))
		return template_node(e, j->valuestring);
	if (cJSON_IsBool(j))
		return mknode(e, ALC_RX_BOOL, 0, cJSON_IsTrue(j) ? 1u : 0u, NULL, 0);
	if (cJSON_IsNumber(j))
		return literal_number(e, j);
	if (cJSON_IsArray(j)) {
		size_t mark = sc_mark(e);
		unsigned k = 0;
		for (const cJSON *x = j->child; x; x = x->next, k++) {
			size_t pm = path_push(e, "[%u]", k);
			uint32_t r = expr(e, x, 1);
			path_pop(e, pm);
			if (r == NONE) {
				e->scratch.len = mark;
				return NONE;
			}
			sc_push(e, r);
		}
		return sc_node(e, mark, ALC_RX_ARRAY, k);
	}
	if (!cJSON_IsObject(j)) {
		fail(e, "expected an expression, found %s", jtype(j));
		return NONE;
	}
	if (!lit) {
		if (cJSON_GetObjectItemCaseSensitive(j, "fn"))
			return call(e, j, 0);
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(j, "ref");
		if (ref) {
			static const char *const allowed[] = { "ref", NULL };
			if (only_members(e, j, allowed))
				return NONE;
			size_t pm = path_push(e, ".ref");
			uint32_t r = NONE;
			if (!cJSON_IsString(ref))
				fail(e, "expected a string, found %s", jtype(ref));
			else
				r = ref_node(e, ref->valuestring, strlen(ref->valuestring));
			path_pop(e, pm);
			return r;
		}
	}
	size_t mark = sc_mark(e);
	unsigned k = 0;
	for (const cJSON *x = j->child; x; x = x->next, k++) {
		size_t pm = path_key(e, x->string);
		uint32_t r = expr(e, x, 1);
		path_pop(e, pm);
		if (r == NONE) {
			e->scratch.len = mark;
			return NONE;
		}
		sc_push(e, intern(e, x->string, strlen(x->string)));
		sc_push(e, r);
	}
	return sc_node(e, mark, ALC_RX_RECORD, k);
}

/* {"fn": name, "argv": [...]} (+ "assign" in a condition, handled by the
 * caller). */
static uint32_t call(enc *e, const cJSON *j, int in_cond)
{
	static const char *const allowed[] = { "fn", "argv", NULL };
	static const char *const allowed_cond[] = { "fn", "argv", "assign", NULL };
	if (only_members(e, j, in_cond ? allowed_cond : allowed))
		return NONE;
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(j, "fn");
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(j, "argv");
	size_t pm = path_push(e, ".fn");
	if (!cJSON_IsString(fn)) {
		fail(e, "expected a string, found %s", jtype(fn));
		return NONE;
	}
	path_pop(e, pm);
	if (!argv) {
		fail(e, "missing 'argv'");
		return NONE;
	}
	pm = path_push(e, ".argv");
	if (!cJSON_IsArray(argv)) {
		fail(e, "expected an array, found %s", jtype(argv));
		return NONE;
	}
	unsigned argc = (unsigned)cJSON_GetArraySize(argv);
	const char *name = fn->valuestring;
	if (strcmp(name, "getAttr") == 0) {
		if (argc != 2) {
			fail(e, "wrong number of arguments to 'getAttr': %u, expected 2", argc);
			return NONE;
		}
		size_t am = path_push(e, "[0]");
		uint32_t target = expr(e, argv->child, 0);
		path_pop(e, am);
		const cJSON *p = argv->child->next;
		am = path_push(e, "[1]");
		uint32_t r = NONE;
		if (!cJSON_IsString(p))
			fail(e, "getAttr path must be a string, found %s", jtype(p));
		else
			r = getattr_node(e, target, p->valuestring, strlen(p->valuestring));
		path_pop(e, am);
		path_pop(e, pm);
		return r;
	}
	unsigned op = alc_rules_fn_lookup(name, strlen(name));
	if (op == 0) {
		path_pop(e, pm);
		pm = path_push(e, ".fn");
		fail(e, "unknown function '%s'", name);
		return NONE;
	}
	unsigned lo = alc_rules_fn_min_args(op), hi = alc_rules_fn_max_args(op);
	if (argc < lo || argc > hi) {
		if (lo == hi)
			fail(e, "wrong number of arguments to '%s': %u, expected %u",
			     name, argc, lo);
		else
			fail(e, "wrong number of arguments to '%s': %u, expected %u to %u",
			     name, argc, lo, hi);
		return NONE;
	}
	size_t mark = sc_mark(e);
	unsigned k = 0;
	for (const cJSON *x = argv->child; x; x = x->next, k++) {
		size_t am = path_push(e, "[%u]", k);
		uint32_t r = expr(e, x, 0);
		path_pop(e, am);
		if (r == NONE) {
			e->scratch.len = mark;
			return NONE;
		}
		sc_push(e, r);
	}
	path_pop(e, pm);
	return sc_node(e, mark, op, argc);
}

/* ---- rules ----------------------------------------------------------- */

static int rule(enc *e, const cJSON *j, uint32_t *out);

/* Compile the rules of array J (path already pushed); their temp indexes
 * are pushed on the scratch stack. */
static int rule_list(enc *e, const cJSON *j, unsigned *count)
{
	if (!cJSON_IsArray(j)) {
		fail(e, "expected an array of rules, found %s", jtype(j));
		return -1;
	}
	unsigned k = 0;
	for (const cJSON *x = j->child; x; x = x->next, k++) {
		size_t pm = path_push(e, "[%u]", k);
		uint32_t t;
		int rc = rule(e, x, &t);
		path_pop(e, pm);
		if (rc)
			return -1;
		sc_push(e, t);
	}
	*count = k;
	return 0;
}

static int condition(enc *e, const cJSON *c)
{
	if (!cJSON_IsObject(c) || !cJSON_GetObjectItemCaseSensitive(c, "fn")) {
		fail(e, "a condition must be a function call, found %s",
		     cJSON_IsObject(c) ? "an object without 'fn'" : jtype(c));
		return -1;
	}
	uint32_t node = call(e, c, 1);
	if (node == NONE)
		return -1;
	alc_rules_cond cd = { node, 0 };
	const cJSON *as = cJSON_GetObjectItemCaseSensitive(c, "assign");
	if (as) {
		size_t pm = path_push(e, ".assign");
		size_t len = cJSON_IsString(as) ? strlen(as->valuestring) : 0;
		if (len == 0) {
			fail(e, "assign must be a non-empty string");
			return -1;
		}
		if (lookup(e, as->valuestring, len) >= 0) {
			fail(e, "invalid shadowing of '%s'", as->valuestring);
			return -1;
		}
		if (e->live >= ALC_RULES_MAX_VARS) {
			fail(e, "more than %u variables", ALC_RULES_MAX_VARS);
			return -1;
		}
		path_pop(e, pm);
		cd.assign = intern(e, as->valuestring, len);
		e->vars[e->live++] = (var){ as->valuestring, len, cd.assign };
		if (e->live > e->maxlive)
			e->maxlive = e->live;
	}
	cc_buf_put(&e->conds, &cd, sizeof cd);
	return 0;
}

static uint32_t endpoint(enc *e, const cJSON *j, trule *t)
{
	static const char *const allowed[] = { "url", "properties", "headers", NULL };
	if (!cJSON_IsObject(j)) {
		fail(e, "expected an object, found %s", jtype(j));
		return NONE;
	}
	if (only_members(e, j, allowed))
		return NONE;
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(j, "url");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(j, "properties");
	const cJSON *hdrs = cJSON_GetObjectItemCaseSensitive(j, "headers");
	if (!url) {
		fail(e, "missing 'url'");
		return NONE;
	}
	size_t pm = path_push(e, ".url");
	t->x = expr(e, url, 0);
	path_pop(e, pm);
	t->y = t->z = NONE;
	if (props) {
		pm = path_push(e, ".properties");
		if (!cJSON_IsObject(props))
			fail(e, "expected an object, found %s", jtype(props));
		else
			t->y = expr(e, props, 1);
		path_pop(e, pm);
	}
	if (hdrs) {
		pm = path_push(e, ".headers");
		if (!cJSON_IsObject(hdrs)) {
			fail(e, "expected an object, found %s", jtype(hdrs));
			return NONE;
		}
		size_t mark = sc_mark(e);
		unsigned k = 0;
		for (const cJSON *h = hdrs->child; h && !e->failed; h = h->next, k++) {
			size_t hm = path_key(e, h->string);
			if (!cJSON_IsArray(h)) {
				fail(e, "header values must be an array, found %s", jtype(h));
				break;
			}
			size_t vm = sc_mark(e);
			unsigned n = 0;
			for (const cJSON *v = h->child; v && !e->failed; v = v->next, n++) {
				size_t im = path_push(e, "[%u]", n);
				sc_push(e, expr(e, v, 0));
				path_pop(e, im);
			}
			uint32_t arr = sc_node(e, vm, ALC_RX_ARRAY, n);
			path_pop(e, hm);
			sc_push(e, intern(e, h->string, strlen(h->string)));
			sc_push(e, arr);
		}
		t->z = sc_node(e, mark, ALC_RX_RECORD, k);
		path_pop(e, pm);
	}
	return e->failed ? NONE : t->x;
}

static int rule(enc *e, const cJSON *j, uint32_t *out)
{
	static const char *const allowed[] = {
		"type", "conditions", "documentation", "endpoint", "error", "rules", NULL
	};
	if (!cJSON_IsObject(j)) {
		fail(e, "expected a rule object, found %s", jtype(j));
		return -1;
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *conds = cJSON_GetObjectItemCaseSensitive(j, "conditions");
	unsigned kind = 0;
	const char *payload = NULL;
	if (!type) {
		fail(e, "missing 'type'");
		return -1;
	}
	size_t pm = path_push(e, ".type");
	if (!cJSON_IsString(type)) {
		fail(e, "expected a string, found %s", jtype(type));
		return -1;
	}
	if (strcmp(type->valuestring, "endpoint") == 0)
		kind = ALC_RK_ENDPOINT, payload = "endpoint";
	else if (strcmp(type->valuestring, "error") == 0)
		kind = ALC_RK_ERROR, payload = "error";
	else if (strcmp(type->valuestring, "tree") == 0)
		kind = ALC_RK_TREE, payload = "rules";
	else {
		fail(e, "unknown rule type '%s'", type->valuestring);
		return -1;
	}
	path_pop(e, pm);
	if (only_members(e, j, allowed))
		return -1;
	/* The other kinds' payload members are unexpected here. */
	for (const char *const *a = allowed + 3; *a; a++) {
		if (strcmp(*a, payload) != 0 && cJSON_GetObjectItemCaseSensitive(j, *a)) {
			size_t km = path_push(e, ".%s", *a);
			fail(e, "unexpected member '%s' in a rule of type '%s'", *a,
			     type->valuestring);
			path_pop(e, km);
			return -1;
		}
	}
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, payload);
	if (!conds || !body) {
		fail(e, "missing '%s'", conds ? payload : "conditions");
		return -1;
	}
	pm = path_push(e, ".conditions");
	if (!cJSON_IsArray(conds)) {
		fail(e, "expected an array, found %s", jtype(conds));
		return -1;
	}
	unsigned live0 = e->live, ncond = 0;
	trule t = { .kind = (uint8_t)kind, .slot_base = (uint8_t)e->live,
	            .first_cond = (uint32_t)(e->conds.len / sizeof(alc_rules_cond)) };
	for (const cJSON *c = conds->child; c; c = c->next, ncond++) {
		size_t cm = path_push(e, "[%u]", ncond);
		if (ncond >= ALC_RULES_MAX_CONDS) {
			fail(e, "more than %u conditions", ALC_RULES_MAX_CONDS);
			return -1;
		}
		int rc = condition(e, c);
		path_pop(e, cm);
		if (rc)
			return -1;
	}
	path_pop(e, pm);
	t.ncond = (uint8_t)ncond;
	pm = path_push(e, ".%s", payload);
	if (kind == ALC_RK_ENDPOINT) {
		endpoint(e, body, &t);
	} else if (kind == ALC_RK_ERROR) {
		t.x = expr(e, body, 0);
		t.y = t.z = 0;
	} else {
		size_t mark = sc_mark(e);
		unsigned n;
		if (rule_list(e, body, &n) == 0) {
			t.first_kid = (uint32_t)(e->kids.len / 4);
			t.nkids = n;
			cc_buf_put(&e->kids, e->scratch.p + mark, n * 4u);
		}
		e->scratch.len = mark;
	}
	path_pop(e, pm);
	e->live = live0;
	if (e->failed)
		return -1;
	if (e->nrules == e->caprules) {
		e->caprules = e->caprules ? e->caprules * 2 : 64;
		e->rules = cc_xrealloc(e->rules, e->caprules * sizeof *e->rules);
	}
	e->rules[e->nrules] = t;
	*out = e->nrules++;
	return 0;
}

/* ---- parameters ------------------------------------------------------ */

static int param(enc *e, const cJSON *j, alc_rules_param *p)
{
	static const char *const allowed[] = {
		"type", "builtIn", "required", "default", "documentation",
		"deprecated", NULL
	};
	memset(p, 0, sizeof *p);
	if (!cJSON_IsObject(j)) {
		fail(e, "expected an object, found %s", jtype(j));
		return -1;
	}
	if (only_members(e, j, allowed))
		return -1;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *bi = cJSON_GetObjectItemCaseSensitive(j, "builtIn");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "required");
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(j, "default");
	const cJSON *dep = cJSON_GetObjectItemCaseSensitive(j, "deprecated");
	const cJSON *doc = cJSON_GetObjectItemCaseSensitive(j, "documentation");
	size_t pm;
	if (!type) {
		fail(e, "missing 'type'");
		return -1;
	}
	pm = path_push(e, ".type");
	/* Smithy reads the type case-insensitively. */
	if (!cJSON_IsString(type)) {
		fail(e, "expected a string, found %s", jtype(type));
		return -1;
	} else if (strcasecmp(type->valuestring, "string") == 0) {
		p->type = ALC_RPT_STRING;
	} else if (strcasecmp(type->valuestring, "boolean") == 0) {
		p->type = ALC_RPT_BOOLEAN;
	} else if (strcasecmp(type->valuestring, "stringArray") == 0) {
		p->type = ALC_RPT_STRING_ARRAY;
	} else {
		fail(e, "unknown parameter type '%s'", type->valuestring);
		return -1;
	}
	path_pop(e, pm);
	if (bi) {
		pm = path_push(e, ".builtIn");
		if (!cJSON_IsString(bi) || !*bi->valuestring) {
			fail(e, "expected a non-empty string, found %s", jtype(bi));
			return -1;
		}
		size_t len = strlen(bi->valuestring);
		p->builtin = (uint8_t)alc_rules_builtin_lookup(bi->valuestring, len);
		if (p->builtin == ALC_RB_OTHER)
			p->builtin_name = intern(e, bi->valuestring, len);
		path_pop(e, pm);
	}
	if (req) {
		pm = path_push(e, ".required");
		if (!cJSON_IsBool(req)) {
			fail(e, "expected a boolean, found %s", jtype(req));
			return -1;
		}
		if (cJSON_IsTrue(req))
			p->flags |= ALC_RPF_REQUIRED;
		path_pop(e, pm);
	}
	if (doc && !cJSON_IsString(doc)) {
		pm = path_push(e, ".documentation");
		fail(e, "expected a string, found %s", jtype(doc));
		return -1;
	}
	if (def) {
		pm = path_push(e, ".default");
		p->flags |= ALC_RPF_DEFAULT;
		if (p->type == ALC_RPT_STRING && cJSON_IsString(def)) {
			p->deflt = intern(e, def->valuestring, strlen(def->valuestring));
		} else if (p->type == ALC_RPT_BOOLEAN && cJSON_IsBool(def)) {
			p->deflt = cJSON_IsTrue(def) ? 1 : 0;
		} else if (p->type == ALC_RPT_STRING_ARRAY && cJSON_IsArray(def)) {
			size_t mark = sc_mark(e);
			unsigned k = 0;
			for (const cJSON *x = def->child; x; x = x->next, k++) {
				if (!cJSON_IsString(x)) {
					e->scratch.len = mark;
					path_push(e, "[%u]", k);
					fail(e, "expected a string, found %s", jtype(x));
					return -1;
				}
				sc_push(e, mknode(e, ALC_RX_STR, 0,
				                  intern(e, x->valuestring, strlen(x->valuestring)),
				                  NULL, 0));
			}
			p->deflt = sc_node(e, mark, ALC_RX_ARRAY, k);
			if (p->deflt == NONE)
				return -1;
		} else {
			fail(e, "default is %s, parameter type is '%s'", jtype(def),
			     type->valuestring);
			return -1;
		}
		path_pop(e, pm);
	}
	if (dep) {
		static const char *const dallowed[] = { "message", "since", NULL };
		pm = path_push(e, ".deprecated");
		if (!cJSON_IsObject(dep)) {
			fail(e, "expected an object, found %s", jtype(dep));
			return -1;
		}
		if (only_members(e, dep, dallowed))
			return -1;
		p->flags |= ALC_RPF_DEPRECATED;
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(dep, "message");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(dep, "since");
		if ((m && !cJSON_IsString(m)) || (s && !cJSON_IsString(s))) {
			fail(e, "deprecated message and since must be strings");
			return -1;
		}
		if (m) {
			p->flags |= ALC_RPF_DEP_MESSAGE;
			p->dep_message = intern(e, m->valuestring, strlen(m->valuestring));
		}
		if (s) {
			p->flags |= ALC_RPF_DEP_SINCE;
			p->dep_since = intern(e, s->valuestring, strlen(s->valuestring));
		}
		path_pop(e, pm);
	}
	return 0;
}

/* ---- layout ---------------------------------------------------------- */

static void put_node(cc_buf *b, const alc_rules_node *n)
{
	cc_buf_u8(b, n->op);
	cc_buf_u8(b, n->n);
	cc_buf_u8(b, n->need);
	cc_buf_u8(b, n->size);
	cc_buf_u32(b, n->a);
}

static void put_param(cc_buf *b, const alc_rules_param *p)
{
	cc_buf_u32(b, p->name);
	cc_buf_u8(b, p->type);
	cc_buf_u8(b, p->builtin);
	cc_buf_u16(b, p->flags);
	cc_buf_u32(b, p->builtin_name);
	cc_buf_u32(b, p->deflt);
	cc_buf_u32(b, p->dep_message);
	cc_buf_u32(b, p->dep_since);
}

static void enc_free(enc *e)
{
	free(e->nodes);
	free(e->ht);
	free(e->rules);
	cc_buf_free(&e->ops);
	cc_buf_free(&e->scratch);
	cc_buf_free(&e->conds);
	cc_buf_free(&e->kids);
}

int cc_rules_encode(const cJSON *rs, cc_pool *pool, cc_buf *out,
                    const char *file, const char *jpath_prefix, cc_buf *diag)
{
	static const char *const allowed[] = {
		"version", "parameters", "rules", "documentation", NULL
	};
	enc e;
	memset(&e, 0, sizeof e);
	e.pool = pool;
	e.file = file;
	e.diag = diag;
	/* never NULL: offsets into them are formed even when nothing was added */
	cc_buf_reserve(&e.ops, 1024);
	cc_buf_reserve(&e.scratch, 1024);
	cc_buf_reserve(&e.conds, 1024);
	cc_buf_reserve(&e.kids, 256);
	path_push(&e, "%s", jpath_prefix && *jpath_prefix ? jpath_prefix : "$");
	size_t len0 = out->len;
	alc_rules_param *params = NULL;
	uint32_t *order = NULL;
	int rc = AL_EMODEL;

	if (out->len & 7u) { /* a caller bug: blobs must stay 8-aligned */
		fail(&e, "internal error: RULES output not 8-aligned");
		goto done;
	}
	if (!cJSON_IsObject(rs)) {
		fail(&e, "expected an endpoint rule set object, found %s", jtype(rs));
		goto done;
	}
	if (only_members(&e, rs, allowed))
		goto done;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(rs, "version");
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(rs, "parameters");
	const cJSON *rl = cJSON_GetObjectItemCaseSensitive(rs, "rules");
	if (!ver || !ps || !rl) {
		fail(&e, "missing '%s'", !ver ? "version" : !ps ? "parameters" : "rules");
		goto done;
	}
	size_t pm = path_push(&e, ".version");
	if (!cJSON_IsString(ver)) {
		fail(&e, "expected a string, found %s", jtype(ver));
		goto done;
	}
	path_pop(&e, pm);
	uint32_t version = intern(&e, ver->valuestring, strlen(ver->valuestring));

	pm = path_push(&e, ".parameters");
	if (!cJSON_IsObject(ps)) {
		fail(&e, "expected an object, found %s", jtype(ps));
		goto done;
	}
	unsigned np = (unsigned)cJSON_GetArraySize(ps);
	if (np > ALC_RULES_MAX_VARS) {
		fail(&e, "more than %u parameters", ALC_RULES_MAX_VARS);
		goto done;
	}
	params = cc_xcalloc(np, sizeof *params);
	unsigned k = 0;
	for (const cJSON *p = ps->child; p; p = p->next, k++) {
		size_t km = path_key(&e, p->string);
		size_t len = strlen(p->string);
		if (len == 0 || lookup(&e, p->string, len) >= 0) {
			fail(&e, len ? "duplicate parameter" : "empty parameter name");
			goto done;
		}
		if (param(&e, p, &params[k]))
			goto done;
		params[k].name = intern(&e, p->string, len);
		e.vars[e.live++] = (var){ p->string, len, params[k].name };
		path_pop(&e, km);
	}
	path_pop(&e, pm);
	e.nparams = e.maxlive = e.live;

	pm = path_push(&e, ".rules");
	size_t mark = sc_mark(&e);
	unsigned nroots;
	if (rule_list(&e, rl, &nroots))
		goto done;
	path_pop(&e, pm);

	/* Breadth-first layout: order[q] is the temp index of final rule q;
	 * a tree's children are appended when the tree is reached. */
	order = cc_xmalloc((e.nrules ? e.nrules : 1) * sizeof *order);
	memcpy(order, e.scratch.p + mark, nroots * sizeof *order);
	e.scratch.len = mark;
	uint32_t nq = nroots;
	const uint32_t *kids = (const uint32_t *)(const void *)e.kids.p;
	for (uint32_t q = 0; q < nq; q++) {
		const trule *t = &e.rules[order[q]];
		if (t->kind != ALC_RK_TREE)
			continue;
		memcpy(order + nq, kids + t->first_kid, t->nkids * sizeof *order);
		nq += t->nkids;
	}

	const alc_rules_cond *cds = (const alc_rules_cond *)(const void *)e.conds.p;
	uint32_t ncond = (uint32_t)(e.conds.len / sizeof *cds);
	uint32_t nops = (uint32_t)(e.ops.len / 4);
	uint64_t off_params = sizeof(alc_rules_header);
	uint64_t off_nodes = off_params + (uint64_t)np * sizeof(alc_rules_param);
	uint64_t off_ops = off_nodes + (uint64_t)e.nnodes * sizeof(alc_rules_node);
	uint64_t off_conds = off_ops + (uint64_t)nops * 4;
	uint64_t off_rules = off_conds + (uint64_t)ncond * sizeof(alc_rules_cond);
	uint64_t end = off_rules + (uint64_t)e.nrules * sizeof(alc_rules_rule);
	uint64_t size = (end + 7) & ~(uint64_t)7;
	if (size > 0x7fffffffu) {
		fail(&e, "encoded rule set too large");
		goto done;
	}

	cc_buf_reserve(out, (size_t)size);
	cc_buf_u32(out, ALC_RULES_MAGIC);
	cc_buf_u16(out, ALC_RULES_VERSION);
	cc_buf_u16(out, sizeof(alc_rules_header));
	cc_buf_u32(out, (uint32_t)size);
	cc_buf_u32(out, version);
	cc_buf_u16(out, (uint16_t)np);
	cc_buf_u16(out, (uint16_t)e.maxlive);
	cc_buf_u32(out, nroots);
	cc_buf_u32(out, (uint32_t)off_params);
	cc_buf_u32(out, (uint32_t)off_nodes);
	cc_buf_u32(out, e.nnodes);
	cc_buf_u32(out, (uint32_t)off_ops);
	cc_buf_u32(out, nops);
	cc_buf_u32(out, (uint32_t)off_conds);
	cc_buf_u32(out, ncond);
	cc_buf_u32(out, (uint32_t)off_rules);
	cc_buf_u32(out, e.nrules);
	cc_buf_u32(out, 0);
	for (unsigned i = 0; i < np; i++)
		put_param(out, &params[i]);
	for (uint32_t i = 0; i < e.nnodes; i++)
		put_node(out, &e.nodes[i]);
	const uint32_t *ops = (const uint32_t *)(const void *)e.ops.p;
	for (uint32_t i = 0; i < nops; i++)
		cc_buf_u32(out, ops[i]);
	/* conditions in final rule order */
	for (uint32_t q = 0; q < nq; q++) {
		const trule *t = &e.rules[order[q]];
		for (uint32_t c = 0; c < t->ncond; c++) {
			cc_buf_u32(out, cds[t->first_cond + c].node);
			cc_buf_u32(out, cds[t->first_cond + c].assign);
		}
	}
	uint32_t cnext = 0, next = nroots;
	for (uint32_t q = 0; q < nq; q++) {
		const trule *t = &e.rules[order[q]];
		cc_buf_u8(out, t->kind);
		cc_buf_u8(out, t->ncond);
		cc_buf_u8(out, t->slot_base);
		cc_buf_u8(out, 0);
		cc_buf_u32(out, cnext);
		cnext += t->ncond;
		if (t->kind == ALC_RK_TREE) {
			cc_buf_u32(out, next);
			cc_buf_u32(out, t->nkids);
			cc_buf_u32(out, 0);
			next += t->nkids;
		} else {
			cc_buf_u32(out, t->x);
			cc_buf_u32(out, t->y);
			cc_buf_u32(out, t->z);
		}
	}
	cc_buf_align(out, 8);
	rc = 0;
done:
	if (rc) {
		out->len = len0;
		if (out->p)
			out->p[len0] = 0; /* cc_buf keeps a NUL past len */
	}
	free(params);
	free(order);
	enc_free(&e);
	return rc;
}
