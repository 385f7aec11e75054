/*
 * cc_policy.c -- see cc_policy.h; the language is policy/README.md, the
 * output formats/alc_policy.h.
 *
 * Three passes:
 *   1. parse: libyaml's document API gives a node graph with positions;
 *      every mapping is checked for unknown and duplicate keys, every
 *      value for its type, every pattern is compiled (PCRE2's message and
 *      offset on failure).  Aliases are refused (a node reached twice), so
 *      the walk is linear in the document and cannot blow up.
 *   2. resolve: names against the catalog (exact names through every alias
 *      the catalog knows, in any case; patterns against canonical names),
 *      each rule's static part into a bitmap of operations, risk levels
 *      and overrides, input paths against the input shapes of the
 *      operations a rule matches, rules that can never match.
 *   3. emit (cc_policy_emit): operations with the same candidate rules
 *      (and tag locations) share a class; tables and the PCRE2 blob are
 *      written; strings are interned only here.
 *
 * Errors are collected (up to MAX_ERRORS) so that one run shows them all.
 */
#include "cc_policy.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <xxhash.h>
#include <yaml.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "cc_risk.h"

#define MAX_ERRORS 50
#define MAX_FILE (4u << 20)
#define MAX_PAIRS 4096           /* keys of one mapping (duplicate check) */
#define MAX_TTL (30u * 86400u)

/* Options of every policy pattern, at compile time and at run time: UTF-8
 * with invalid sequences never matching (a look-alike is its own code
 * point, a broken byte is no character at all). */
#define PAT_OPTIONS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

/* Specificity (README.md, "Decision order"): how much of the call a rule
 * pins down.  Exact names outrank patterns, operations outrank services. */
#define SP_OP_EXACT 1000u
#define SP_OP_PAT 500u
#define SP_SVC_EXACT 100u
#define SP_SVC_PAT 50u
#define SP_ACCESS 10u
#define SP_RISK 10u
#define SP_CONTEXT 5u
#define SP_INPUT 2u

/* ---- intermediate form -------------------------------------------------- */

typedef struct pat {
	char *src;
	pcre2_code *code;
	uint32_t out;            /* PATS index in the section, or ALC_NONE */
} pat;

typedef struct item {        /* a name or a pattern */
	char *text;
	int pat;                 /* index into p->pats, or -1: exact */
	yaml_mark_t mark;
} item;

typedef struct items {
	item *v;
	size_t n;
	int given;
	yaml_mark_t mark;
} items;

typedef struct val {
	uint32_t type;           /* ALC_PV_* */
	char *s;                 /* STR; NUM as written */
	double num;
	uint32_t a;              /* BOOL, PAT (p->pats index), ENV */
} val;

typedef struct seg {
	char *name;
	uint32_t kind;
} seg;

typedef struct cond {
	uint8_t subject, op, quant;
	char *path;
	seg *segs;
	size_t nsegs;
	val *vals;
	size_t nvals;
	yaml_mark_t mark;
} cond;

typedef struct treq {
	char *key;
	int pat;                 /* -1: any value */
} treq;

typedef struct rule {
	char *id, *desc;
	uint8_t effect, kind;
	yaml_mark_t mark, match_mark;
	items svc, op;
	int access;              /* 0 any, 1 read, 2 write */
	unsigned risk_mask;      /* bit per level; 0 any */
	cond *conds;
	size_t nconds;
	int quant_given;
	treq *tags;
	size_t ntags;
	uint8_t *opset;          /* bitmap over operations */
	uint32_t specificity;
	size_t nops;             /* bits set in opset */
	int bad;                 /* had parse errors: not resolved */
} rule;

typedef struct env {
	char *name;
	items accounts, profiles;
	yaml_mark_t mark;
} env;

typedef struct riskov {
	items svc, op;
	unsigned level;
	int bad;
	yaml_mark_t mark;
} riskov;

typedef struct appr {
	int bad;                 /* had errors: left out of the overlap check */
	uint32_t *envs;          /* env indexes; n == 0: any */
	size_t nenvs;
	unsigned risk_mask;      /* 0: any */
	uint32_t ttl;
	uint8_t approvers;
	int required;            /* -1: not given */
	yaml_mark_t mark;
} appr;

struct cc_policy {
	char *display;
	uint64_t digest_lo, digest_hi;
	uint8_t defaults[ALC_RISK_COUNT];
	env *envs;
	size_t nenvs;
	items accounts, regions;  /* allowed lists (given when set) */
	riskov *risks;
	size_t nrisks;
	appr *apprs;
	size_t napprs;
	rule *rules;
	size_t nrules;
	pat *pats;
	size_t npats;
	uint8_t *level;           /* per operation, after overrides */
	uint8_t *opflags;         /* ALC_OPRISK_WRITE | _OVERRIDDEN | _TAGS */
	uint32_t nops;
	pcre2_match_data *md;
	cc_policy_stats stats;
};

typedef struct yx {
	yaml_document_t doc;
	int have_doc;
	const char *file;
	cc_buf *diag;
	int nerr;
	uint8_t *seen;            /* per node: visited (alias check) */
	cc_policy *p;
	const alc_catalog *cat;
} yx;

/* ---- small helpers ---------------------------------------------------- */

static char *xstrdup(const char *s)
{
	return cc_xstrndup(s, strlen(s));
}

#define PUSH(arr, n, v) do { \
	(arr) = cc_xrealloc((arr), ((n) + 1) * sizeof *(arr)); \
	(arr)[(n)++] = (v); \
} while (0)

static void verr(yx *y, yaml_mark_t m, const char *fmt, va_list ap)
{
	if (y->nerr++ >= MAX_ERRORS)
		return;
	cc_buf_printf(y->diag, "%s:%zu:%zu: error: ", y->file, m.line + 1,
	              m.column + 1);
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	cc_buf_printf(y->diag, "%s\n", msg);
	if (y->nerr == MAX_ERRORS)
		cc_buf_printf(y->diag, "%s: too many errors; stopping here\n",
		              y->file);
}

static void err_at(yx *y, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err_at(yx *y, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(y, m, fmt, ap);
	va_end(ap);
}

static void err(yx *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err(yx *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(y, n->start_mark, fmt, ap);
	va_end(ap);
}

static yaml_node_t *node(yx *y, int i)
{
	return yaml_document_get_node(&y->doc, i);
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int is_null(const yaml_node_t *n)
{
	if (!is_plain(n))
		return 0;
	const char *s = sval(n);
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Printable excerpt of a scalar for messages: at most 60 bytes, control
 * bytes escaped. */
static const char *show(const char *s, char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; s[i] && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= 60) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		else if (c == '"')
			buf[o++] = '\\', buf[o++] = '"';
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}
#define SHOW(s) show((s), (char[256]){ 0 }, 256)

/* The alias check: every node must be reached once. */
static int visit(yx *y, const yaml_node_t *n)
{
	ptrdiff_t i = n - y->doc.nodes.start;
	if (y->seen[i]) {
		err(y, n, "a YAML alias (*name) refers to a node already used; "
		    "policy files do not support aliases");
		return 0;
	}
	y->seen[i] = 1;
	return 1;
}

static int levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	int d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] +
			        ((a[i - 1] | 32) != (b[j - 1] | 32));
			int x = d[i - 1][j] + 1, z = d[i][j - 1] + 1;
			d[i][j] = c < x ? (c < z ? c : z) : (x < z ? x : z);
		}
	return d[la][lb];
}

/* Keys of mapping N: scalars, known (one of ALLOWED), once each.  Sets
 * VALS[k] to the value node of ALLOWED[k] (NULL when absent).  Returns 0
 * when N is not a mapping (after an error). */
static int keys(yx *y, const yaml_node_t *n, const char *what,
                const char *const *allowed, yaml_node_t **vals)
{
	size_t na = 0;
	while (allowed[na])
		na++;
	for (size_t k = 0; k < na; k++)
		vals[k] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		err(y, n, "%s must be a mapping, not %s", what, kind_name(n));
		return 0;
	}
	yaml_node_pair_t *b = n->data.mapping.pairs.start,
	                 *e = n->data.mapping.pairs.top;
	if (e - b > MAX_PAIRS) {
		err(y, n, "%s has %td keys; at most %d", what, e - b, MAX_PAIRS);
		return 0;
	}
	for (yaml_node_pair_t *pr = b; pr < e; pr++) {
		yaml_node_t *k = node(y, pr->key), *v = node(y, pr->value);
		if (!visit(y, k) || !visit(y, v))
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			err(y, k, "a key of %s must be a scalar, not %s", what,
			    kind_name(k));
			continue;
		}
		int dup = 0;
		for (yaml_node_pair_t *q = b; q < pr && !dup; q++) {
			yaml_node_t *kq = node(y, q->key);
			dup = kq->type == YAML_SCALAR_NODE &&
			      strcmp(sval(kq), sval(k)) == 0;
			if (dup)
				err(y, k, "duplicate key \"%s\" in %s (first at line "
				    "%zu)", SHOW(sval(k)), what, kq->start_mark.line + 1);
		}
		if (dup)
			continue;
		size_t i = 0;
		while (i < na && strcmp(allowed[i], sval(k)) != 0)
			i++;
		if (i < na) {
			vals[i] = v;
			continue;
		}
		const char *near = NULL;
		int best = 3;
		for (size_t j = 0; j < na; j++) {
			int d = levenshtein(sval(k), allowed[j]);
			if (d < best) {
				best = d;
				near = allowed[j];
			}
		}
		char list[512] = "";
		size_t o = 0;
		for (size_t j = 0; j < na && o < sizeof list - 40; j++)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
			                      j ? ", " : "", allowed[j]);
		if (near)
			err(y, k, "unknown key \"%s\" in %s; did you mean \"%s\"?",
			    SHOW(sval(k)), what, near);
		else
			err(y, k, "unknown key \"%s\" in %s (expected: %s)",
			    SHOW(sval(k)), what, list);
	}
	return 1;
}

static const char *str(yx *y, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		err(y, n, "%s must be a string, not %s", what, kind_name(n));
		return NULL;
	}
	if (is_null(n)) {
		err(y, n, "%s must be a string, not null", what);
		return NULL;
	}
	if (strlen(sval(n)) != n->data.scalar.length) {
		err(y, n, "%s contains a NUL character", what);
		return NULL;
	}
	return sval(n);
}

/* A plain scalar that is a number: decimal, optional sign, fraction and
 * exponent (YAML 1.2 core). */
static int num(const yaml_node_t *n, double *out)
{
	if (!is_plain(n))
		return 0;
	const char *s = sval(n);
	if (!*s || strspn(s, "+-0123456789.eE") != strlen(s))
		return 0;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (*end || errno || !isfinite(d))
		return 0;
	*out = d;
	return 1;
}

static int boolean(const yaml_node_t *n, int *out)
{
	if (!is_plain(n))
		return 0;
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };
	for (int i = 0; i < 3; i++) {
		if (strcmp(sval(n), t[i]) == 0) { *out = 1; return 1; }
		if (strcmp(sval(n), f[i]) == 0) { *out = 0; return 1; }
	}
	return 0;
}

/* Elements of N: a scalar is a list of one.  Returns the count, with the
 * node indexes in *OUT (malloc), or -1 after an error. */
static ptrdiff_t elems(yx *y, yaml_node_t *n, const char *what,
                       yaml_node_t ***out)
{
	*out = NULL;
	if (n->type == YAML_SCALAR_NODE) {
		*out = cc_xmalloc(sizeof **out);
		(*out)[0] = n;
		return 1;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		err(y, n, "%s must be a string or a list, not %s", what,
		    kind_name(n));
		return -1;
	}
	yaml_node_item_t *b = n->data.sequence.items.start,
	                 *e = n->data.sequence.items.top;
	if (b == e) {
		err(y, n, "%s is an empty list: it can never match", what);
		return -1;
	}
	*out = cc_xmalloc((size_t)(e - b) * sizeof **out);
	ptrdiff_t k = 0;
	for (yaml_node_item_t *it = b; it < e; it++) {
		yaml_node_t *v = node(y, *it);
		if (visit(y, v))
			(*out)[k++] = v;
	}
	return k;
}

/* ---- patterns --------------------------------------------------------- */

static int is_pattern(const char *s)
{
	return strpbrk(s, "^$*+?()[]{}|\\") != NULL;
}

/* Compile SRC (at node N) or find it compiled already; index or -1. */
static int add_pat(yx *y, yaml_mark_t m, const char *src)
{
	cc_policy *p = y->p;
	for (size_t i = 0; i < p->npats; i++)
		if (strcmp(p->pats[i].src, src) == 0)
			return (int)i;
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	                                 PAT_OPTIONS, &ec, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		err_at(y, m, "bad pattern \"%s\": %s at offset %zu", SHOW(src),
		       (const char *)msg, (size_t)off);
		return -1;
	}
	pat pt = { xstrdup(src), code, ALC_NONE };
	PUSH(p->pats, p->npats, pt);
	return (int)(p->npats - 1);
}

/* Does pattern I match S?  A match error (a resource limit) counts as a
 * match: the compiler only uses this to widen what a rule covers. */
static int pat_match(cc_policy *p, int i, const char *s)
{
	int rc = pcre2_match(p->pats[i].code, (PCRE2_SPTR)s, strlen(s), 0, 0,
	                     p->md, NULL);
	return rc >= 0 || (rc != PCRE2_ERROR_NOMATCH);
}

/* Names or patterns: a value holding a regex metacharacter
 * (^ $ * + ? ( ) [ ] { } | \) is a pattern, any other an exact name. */
static void parse_items(yx *y, yaml_node_t *n, const char *what, items *out)
{
	yaml_node_t **el;
	ptrdiff_t k = elems(y, n, what, &el);
	out->given = 1;
	out->mark = n->start_mark;
	for (ptrdiff_t i = 0; i < k; i++) {
		const char *s = str(y, el[i], what);
		if (!s)
			continue;
		if (!*s) {
			err(y, el[i], "%s: empty name", what);
			continue;
		}
		item it = { xstrdup(s), -1, el[i]->start_mark };
		if (is_pattern(s) && (it.pat = add_pat(y, el[i]->start_mark, s)) < 0) {
			free(it.text);
			continue;
		}
		PUSH(out->v, out->n, it);
	}
	free(el);
}

/* ---- catalog lookups (no hash indexes in the compiler's view) ---------- */

static int name_eq(const char *a, const char *b)
{
	char x[ALC_KEY_MAX], z[ALC_KEY_MAX];
	size_t nx = alc_normalise(x, sizeof x, a, strlen(a));
	size_t nz = alc_normalise(z, sizeof z, b, strlen(b));
	return nx && nx == nz && memcmp(x, z, nx) == 0;
}

/* Service by any of its names, in the reader's priority (key, sdk-id, CLI
 * name, shape name, endpoint prefix): an alias never shadows a key. */
static uint32_t find_service(const alc_catalog *c, const char *name)
{
	for (int pass = 0; pass < 5; pass++)
		for (uint32_t i = 0; i < c->nsvcs; i++) {
			const alc_service *s = &c->svcs[i];
			uint32_t f = pass == 0 ? s->key : pass == 1 ? s->sdk_id :
			             pass == 2 ? s->cli_name : pass == 3 ? s->target_prefix :
			             s->endpoint_prefix;
			if (f && name_eq(alc_str(c, f), name))
				return i;
		}
	return ALC_NONE;
}

static int op_named(const alc_catalog *c, const alc_operation *op,
                    const char *name)
{
	return strcasecmp(alc_str(c, op->name), name) == 0 ||
	       (op->cli_name && strcasecmp(alc_str(c, op->cli_name), name) == 0);
}

/* ---- parsing ---------------------------------------------------------- */

static int parse_effect(yx *y, yaml_node_t *n, uint8_t *out)
{
	const char *s = str(y, n, "effect");
	if (!s)
		return 0;
	for (unsigned e = ALC_EFFECT_ALLOW; e < ALC_EFFECT_COUNT; e++)
		if (strcmp(s, alc_effect_name(e)) == 0) {
			*out = (uint8_t)e;
			return 1;
		}
	err(y, n, "effect must be allow, deny or require_approval, not \"%s\"",
	    SHOW(s));
	return 0;
}

static unsigned parse_level(yx *y, yaml_node_t *n, const char *what)
{
	const char *s = str(y, n, what);
	if (!s)
		return 0;
	for (unsigned r = ALC_RISK_LOW; r <= ALC_RISK_CRITICAL; r++)
		if (strcmp(s, alc_risk_name(r)) == 0)
			return r;
	err(y, n, "%s must be low, medium, high or critical, not \"%s\"", what,
	    SHOW(s));
	return 0;
}

static unsigned parse_levels(yx *y, yaml_node_t *n, const char *what)
{
	yaml_node_t **el;
	ptrdiff_t k = elems(y, n, what, &el);
	unsigned mask = 0;
	for (ptrdiff_t i = 0; i < k; i++) {
		unsigned r = parse_level(y, el[i], what);
		if (r)
			mask |= 1u << r;
	}
	free(el);
	return mask;
}

static int env_index(const cc_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nenvs; i++)
		if (strcmp(p->envs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void env_unknown(yx *y, const yaml_node_t *n, const char *name)
{
	cc_policy *p = y->p;
	if (!p->nenvs) {
		err(y, n, "environment \"%s\" is not defined (the policy has no "
		    "environments section)", SHOW(name));
		return;
	}
	char list[256] = "";
	size_t o = 0;
	for (size_t i = 0; i < p->nenvs && o < sizeof list - 40; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s",
		                      i ? ", " : "", p->envs[i].name);
	err(y, n, "environment \"%s\" is not defined (environments: %s)",
	    SHOW(name), list);
}

static int is_account(const char *s)
{
	return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* aws partitions' region names: "us-east-1", "us-gov-west-1",
 * "eu-isoe-west-1", "cn-north-1". */
static int is_region(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return 0;
	const char *last = strrchr(s, '-');
	return last && last[1] && strspn(last + 1, "0123456789") == strlen(last + 1) &&
	       s[0] != '-' && !strstr(s, "--");
}

/* Exact account ids must look like account ids, regions like regions. */
static void check_context_items(yx *y, const items *it, int subject)
{
	for (size_t i = 0; i < it->n; i++) {
		if (it->v[i].pat >= 0)
			continue;
		if (subject == ALC_PS_ACCOUNT && !is_account(it->v[i].text))
			err_at(y, it->v[i].mark, "\"%s\" is not an AWS account id "
			       "(12 digits; quote it so YAML keeps leading zeros)",
			       SHOW(it->v[i].text));
		if (subject == ALC_PS_REGION && !is_region(it->v[i].text))
			err_at(y, it->v[i].mark, "\"%s\" is not an AWS region name "
			       "(like us-east-1)", SHOW(it->v[i].text));
	}
}

static void items_to_vals(const items *it, val **v, size_t *n)
{
	for (size_t i = 0; i < it->n; i++) {
		val x = { 0 };
		if (it->v[i].pat >= 0) {
			x.type = ALC_PV_PAT;
			x.a = (uint32_t)it->v[i].pat;
		} else {
			x.type = ALC_PV_STR;
			x.s = xstrdup(it->v[i].text);
		}
		PUSH(*v, *n, x);
	}
}

static void add_context_cond(rule *r, uint8_t subject, const items *it,
                             yaml_mark_t m)
{
	cond c = { 0 };
	c.subject = subject;
	c.op = ALC_PO_IN;
	c.path = xstrdup(subject == ALC_PS_REGION ? "region" :
	                 subject == ALC_PS_ACCOUNT ? "account" : "profile");
	c.mark = m;
	items_to_vals(it, &c.vals, &c.nvals);
	PUSH(r->conds, r->nconds, c);
}

/* "A.B[*].C", "Tags.*": steps of an input path. */
static int parse_path(yx *y, const yaml_node_t *n, const char *s, cond *c)
{
	size_t len = strlen(s);
	if (!len || len > 512) {
		err(y, n, "input path must be 1 to 512 characters");
		return 0;
	}
	char *copy = xstrdup(s), *save = NULL;
	int ok = 1;
	if (s[0] == '.' || s[len - 1] == '.' || strstr(s, "..")) {
		err(y, n, "input path \"%s\" has an empty step", SHOW(s));
		free(copy);
		return 0;
	}
	for (char *t = strtok_r(copy, ".", &save); t && ok;
	     t = strtok_r(NULL, ".", &save)) {
		seg g = { 0 };
		size_t tl = strlen(t);
		if (strcmp(t, "*") == 0) {
			g.kind = ALC_SEG_VALUES;
			g.name = xstrdup("");
		} else {
			g.kind = ALC_SEG_MEMBER;
			if (tl > 3 && strcmp(t + tl - 3, "[*]") == 0) {
				g.kind = ALC_SEG_EACH;
				t[tl -= 3] = '\0';
			} else if (tl > 2 && strcmp(t + tl - 2, "[]") == 0) {
				g.kind = ALC_SEG_EACH;
				t[tl -= 2] = '\0';
			}
			if (!tl || strspn(t, "abcdefghijklmnopqrstuvwxyz"
			                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:@/")
			           != tl) {
				err(y, n, "input path \"%s\": bad step \"%s\" (member "
				    "names, Name[*] for each element of a list, * for "
				    "each value of a map)", SHOW(s), SHOW(t));
				ok = 0;
				break;
			}
			g.name = xstrdup(t);
		}
		PUSH(c->segs, c->nsegs, g);
	}
	free(copy);
	return ok;
}

/* An IAM ArnLike pattern as a PCRE2 pattern: the six colon-separated
 * fields each matched on their own (* and ? do not cross a colon in the
 * first five; the resource, last, may hold colons). */
static char *arn_regex(const char *g)
{
	size_t n = strlen(g);
	char *out = cc_xmalloc(n * 6 + 16);
	size_t o = 0;
	int field = 0;
	out[o++] = '^';
	for (size_t i = 0; i < n; i++) {
		char ch = g[i];
		if (ch == ':' && field < 5) {
			field++;
			out[o++] = ':';
		} else if (ch == '*') {
			memcpy(out + o, field < 5 ? "[^:]*" : ".*", field < 5 ? 5 : 2);
			o += field < 5 ? 5 : 2;
		} else if (ch == '?') {
			memcpy(out + o, field < 5 ? "[^:]" : ".", field < 5 ? 4 : 1);
			o += field < 5 ? 4 : 1;
		} else {
			if (strchr("\\^$.|()[]{}+", ch))
				out[o++] = '\\';
			out[o++] = ch;
		}
	}
	out[o++] = '$';
	out[o] = '\0';
	return out;
}

/* A scalar operand of eq / ne / in. */
static int operand(yx *y, yaml_node_t *n, val *v)
{
	memset(v, 0, sizeof *v);
	int b;
	if (n->type != YAML_SCALAR_NODE || is_null(n)) {
		err(y, n, "a value to compare must be a string, number or "
		    "boolean, not %s", is_null(n) ? "null" : kind_name(n));
		return 0;
	}
	if (num(n, &v->num)) {
		v->type = ALC_PV_NUM;
		v->s = xstrdup(sval(n));
	} else if (boolean(n, &b)) {
		v->type = ALC_PV_BOOL;
		v->a = (uint32_t)b;
	} else {
		v->type = ALC_PV_STR;
		v->s = xstrdup(sval(n));
	}
	return 1;
}

static const char *const cond_keys[] = {
	"path", "matches", "not_matches", "lt", "le", "gt", "ge", "eq", "ne",
	"in", "not_in", "present", "absent", "arn", "quantifier", NULL,
};
enum { CK_PATH, CK_MATCHES, CK_NOT_MATCHES, CK_LT, CK_LE, CK_GT, CK_GE,
       CK_EQ, CK_NE, CK_IN, CK_NOT_IN, CK_PRESENT, CK_ABSENT, CK_ARN,
       CK_QUANT, CK_N };

static void parse_input_cond(yx *y, yaml_node_t *n, rule *r)
{
	yaml_node_t *v[CK_N];
	if (!keys(y, n, "an input condition", cond_keys, v))
		return;
	if (!v[CK_PATH]) {
		err(y, n, "an input condition needs \"path\" (the member, e.g. "
		    "InstanceType or Tags[*].Key)");
		return;
	}
	const char *path = str(y, v[CK_PATH], "path");
	if (!path)
		return;
	cond base = { 0 };
	base.subject = ALC_PS_INPUT;
	base.mark = v[CK_PATH]->start_mark;
	if (!parse_path(y, v[CK_PATH], path, &base))
		goto out;
	uint8_t quant = r->effect == ALC_EFFECT_ALLOW ? ALC_PQ_ALL : ALC_PQ_ANY;
	if (v[CK_QUANT]) {
		const char *q = str(y, v[CK_QUANT], "quantifier");
		if (q && strcmp(q, "any") == 0)
			quant = ALC_PQ_ANY;
		else if (q && strcmp(q, "all") == 0)
			quant = ALC_PQ_ALL;
		else if (q)
			err(y, v[CK_QUANT], "quantifier must be any or all, not "
			    "\"%s\"", SHOW(q));
	}
	int nops = 0;
	for (int k = CK_MATCHES; k <= CK_ARN; k++) {
		yaml_node_t *o = v[k];
		if (!o)
			continue;
		nops++;
		cond c = base;
		c.path = xstrdup(path);
		c.segs = cc_xmalloc(base.nsegs * sizeof *c.segs);
		for (size_t i = 0; i < base.nsegs; i++)
			c.segs[i] = (seg){ xstrdup(base.segs[i].name), base.segs[i].kind };
		c.quant = quant;
		c.vals = NULL;
		c.nvals = 0;
		c.mark = o->start_mark;
		int ok = 1, b;
		val x = { 0 };
		switch (k) {
		case CK_MATCHES: case CK_NOT_MATCHES: case CK_ARN: {
			const char *s = str(y, o, cond_keys[k]);
			char *src = NULL;
			if (s && k == CK_ARN) {
				int colons = 0;
				for (const char *q = s; *q; q++)
					colons += *q == ':';
				if (strncmp(s, "arn:", 4) != 0 || colons < 5) {
					err(y, o, "arn must be an ARN pattern "
					    "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, "
					    "with * and ?), not \"%s\"", SHOW(s));
					ok = 0;
				} else {
					src = arn_regex(s);
				}
			}
			int pi = ok && s ? add_pat(y, o->start_mark, src ? src : s) : -1;
			free(src);
			ok = ok && pi >= 0;
			c.op = k == CK_NOT_MATCHES ? ALC_PO_NOT_MATCHES : ALC_PO_MATCHES;
			x.type = ALC_PV_PAT;
			x.a = (uint32_t)pi;
			break;
		}
		case CK_LT: case CK_LE: case CK_GT: case CK_GE:
			if (!num(o, &x.num)) {
				err(y, o, "%s needs a number, not %s%s%s", cond_keys[k],
				    o->type == YAML_SCALAR_NODE ? "\"" : "",
				    o->type == YAML_SCALAR_NODE ? SHOW(sval(o)) : kind_name(o),
				    o->type == YAML_SCALAR_NODE ? "\"" : "");
				ok = 0;
			}
			x.type = ALC_PV_NUM;
			if (ok)
				x.s = xstrdup(sval(o));
			c.op = (uint8_t)(k == CK_LT ? ALC_PO_LT : k == CK_LE ? ALC_PO_LE :
			                 k == CK_GT ? ALC_PO_GT : ALC_PO_GE);
			break;
		case CK_EQ: case CK_NE:
			ok = operand(y, o, &x);
			c.op = k == CK_EQ ? ALC_PO_EQ : ALC_PO_NE;
			break;
		case CK_IN: case CK_NOT_IN: {
			c.op = k == CK_IN ? ALC_PO_IN : ALC_PO_NOT_IN;
			if (o->type != YAML_SEQUENCE_NODE) {
				err(y, o, "%s needs a list, not %s", cond_keys[k],
				    kind_name(o));
				ok = 0;
				break;
			}
			yaml_node_t **el;
			ptrdiff_t ne = elems(y, o, cond_keys[k], &el);
			for (ptrdiff_t i = 0; i < ne; i++) {
				val e;
				if (operand(y, el[i], &e))
					PUSH(c.vals, c.nvals, e);
				else
					ok = 0;
			}
			if (ne < 0)
				ok = 0;
			free(el);
			break;
		}
		case CK_PRESENT: case CK_ABSENT:
			if (!boolean(o, &b)) {
				err(y, o, "%s must be true or false", cond_keys[k]);
				ok = 0;
			}
			c.op = (k == CK_PRESENT) == (b != 0) ? ALC_PO_PRESENT
			                                     : ALC_PO_ABSENT;
			break;
		}
		if (ok && (k < CK_IN || k > CK_ABSENT))
			PUSH(c.vals, c.nvals, x);
		else
			free(x.s);
		if (ok)
			PUSH(r->conds, r->nconds, c);
		else {
			for (size_t i = 0; i < c.nsegs; i++)
				free(c.segs[i].name);
			free(c.segs);
			for (size_t i = 0; i < c.nvals; i++)
				free(c.vals[i].s);
			free(c.vals);
			free(c.path);
		}
	}
	if (!nops)
		err(y, n, "an input condition needs a test: matches, not_matches, "
		    "lt, le, gt, ge, eq, ne, in, not_in, present, absent or arn");
out:
	for (size_t i = 0; i < base.nsegs; i++)
		free(base.segs[i].name);
	free(base.segs);
}

static const char *const match_keys[] = {
	"service", "operation", "access", "risk", "region", "account",
	"profile", "environment", "input", NULL,
};
enum { MK_SERVICE, MK_OPERATION, MK_ACCESS, MK_RISK, MK_REGION, MK_ACCOUNT,
       MK_PROFILE, MK_ENV, MK_INPUT, MK_N };

static void parse_match(yx *y, yaml_node_t *n, rule *r)
{
	yaml_node_t *v[MK_N];
	r->match_mark = n->start_mark;
	if (!keys(y, n, "match", match_keys, v))
		return;
	if (v[MK_SERVICE])
		parse_items(y, v[MK_SERVICE], "service", &r->svc);
	if (v[MK_OPERATION])
		parse_items(y, v[MK_OPERATION], "operation", &r->op);
	if (v[MK_ACCESS]) {
		const char *s = str(y, v[MK_ACCESS], "access");
		if (s && strcmp(s, "read") == 0)
			r->access = 1;
		else if (s && strcmp(s, "write") == 0)
			r->access = 2;
		else if (s)
			err(y, v[MK_ACCESS], "access must be read or write, not \"%s\"",
			    SHOW(s));
	}
	if (v[MK_RISK])
		r->risk_mask = parse_levels(y, v[MK_RISK], "risk");
	static const struct { int k; uint8_t subject; const char *what; } ctx[] = {
		{ MK_REGION, ALC_PS_REGION, "region" },
		{ MK_ACCOUNT, ALC_PS_ACCOUNT, "account" },
		{ MK_PROFILE, ALC_PS_PROFILE, "profile" },
	};
	for (size_t i = 0; i < sizeof ctx / sizeof ctx[0]; i++) {
		if (!v[ctx[i].k])
			continue;
		items it = { 0 };
		parse_items(y, v[ctx[i].k], ctx[i].what, &it);
		check_context_items(y, &it, ctx[i].subject);
		if (it.n)
			add_context_cond(r, ctx[i].subject, &it, v[ctx[i].k]->start_mark);
		for (size_t k = 0; k < it.n; k++)
			free(it.v[k].text);
		free(it.v);
	}
	if (v[MK_ENV]) {
		yaml_node_t **el;
		ptrdiff_t k = elems(y, v[MK_ENV], "environment", &el);
		cond c = { 0 };
		c.subject = ALC_PS_ENV;
		c.op = ALC_PO_IN;
		c.path = xstrdup("environment");
		c.mark = v[MK_ENV]->start_mark;
		for (ptrdiff_t i = 0; i < k; i++) {
			const char *s = str(y, el[i], "environment");
			if (!s)
				continue;
			int e = env_index(y->p, s);
			if (e < 0) {
				env_unknown(y, el[i], s);
				continue;
			}
			val x = { .type = ALC_PV_ENV, .a = (uint32_t)e };
			PUSH(c.vals, c.nvals, x);
		}
		free(el);
		if (c.nvals)
			PUSH(r->conds, r->nconds, c);
		else {
			free(c.path);
		}
	}
	if (v[MK_INPUT]) {
		yaml_node_t *in = v[MK_INPUT];
		if (in->type != YAML_SEQUENCE_NODE) {
			err(y, in, "input must be a list of conditions, not %s",
			    kind_name(in));
		} else {
			for (yaml_node_item_t *it = in->data.sequence.items.start;
			     it < in->data.sequence.items.top; it++) {
				yaml_node_t *c = node(y, *it);
				if (visit(y, c))
					parse_input_cond(y, c, r);
			}
		}
	}
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") == n;
}

/* Names the runtime uses for its own decisions; a rule may not take them. */
static const char *const builtin_ids[] = {
	"default", "allowed-accounts", "allowed-regions", "invalid-account",
	"invalid-region", "duplicate-key", NULL,
};

static void parse_id(yx *y, yaml_node_t *n, rule *r)
{
	const char *s = str(y, n, "id");
	if (!s)
		return;
	if (!valid_id(s)) {
		err(y, n, "id \"%s\" must be 1 to 64 letters, digits, '_', '.', "
		    "':' or '-'", SHOW(s));
		return;
	}
	for (const char *const *b = builtin_ids; *b; b++)
		if (strcmp(s, *b) == 0) {
			err(y, n, "id \"%s\" is reserved for airlock's own decisions",
			    s);
			return;
		}
	for (size_t i = 0; i < y->p->nrules; i++)
		if (y->p->rules[i].id && strcmp(y->p->rules[i].id, s) == 0) {
			err(y, n, "duplicate rule id \"%s\" (first at line %zu)", s,
			    y->p->rules[i].mark.line + 1);
			return;
		}
	r->id = xstrdup(s);
}

static const char *const rule_keys[] = {
	"id", "effect", "description", "match", NULL,
};

static void parse_rule(yx *y, yaml_node_t *n)
{
	yaml_node_t *v[4];
	int before = y->nerr;
	if (!keys(y, n, "a rule", rule_keys, v))
		return;
	rule r = { 0 };
	r.mark = r.match_mark = n->start_mark;
	r.kind = ALC_PRULE_RULE;
	if (!v[0])
		err(y, n, "a rule needs an id");
	else
		parse_id(y, v[0], &r);
	if (!v[1])
		err(y, n, "a rule needs an effect: allow, deny or require_approval");
	else
		parse_effect(y, v[1], &r.effect);
	if (v[2]) {
		const char *s = str(y, v[2], "description");
		if (s)
			r.desc = xstrdup(s);
	}
	before = y->nerr;  /* only errors in match stop resolution */
	if (v[3])
		parse_match(y, v[3], &r);
	if (!r.effect)
		r.effect = ALC_EFFECT_DENY;  /* keep parsing; the error stands */
	r.bad = y->nerr != before;
	PUSH(y->p->rules, y->p->nrules, r);
}

static const char *const tagreq_keys[] = {
	"id", "description", "match", "tags", NULL,
};

static void parse_tagreq(yx *y, yaml_node_t *n)
{
	yaml_node_t *v[4];
	int before = y->nerr;
	if (!keys(y, n, "a required_tags entry", tagreq_keys, v))
		return;
	rule r = { 0 };
	r.mark = r.match_mark = n->start_mark;
	r.kind = ALC_PRULE_TAGS;
	r.effect = ALC_EFFECT_DENY;
	if (!v[0])
		err(y, n, "a required_tags entry needs an id");
	else
		parse_id(y, v[0], &r);
	if (v[1]) {
		const char *s = str(y, v[1], "description");
		if (s)
			r.desc = xstrdup(s);
	}
	before = y->nerr;  /* only errors in match and tags stop resolution */
	if (v[2])
		parse_match(y, v[2], &r);
	yaml_node_t *t = v[3];
	if (!t) {
		err(y, n, "a required_tags entry needs tags: the keys (a list) or "
		    "keys and value patterns (a mapping)");
	} else if (t->type == YAML_SEQUENCE_NODE || t->type == YAML_SCALAR_NODE) {
		yaml_node_t **el;
		ptrdiff_t k = elems(y, t, "tags", &el);
		for (ptrdiff_t i = 0; i < k; i++) {
			const char *s = str(y, el[i], "a tag key");
			if (s && *s) {
				treq q = { xstrdup(s), -1 };
				PUSH(r.tags, r.ntags, q);
			} else if (s) {
				err(y, el[i], "a tag key cannot be empty");
			}
		}
		free(el);
	} else if (t->type == YAML_MAPPING_NODE) {
		if (t->data.mapping.pairs.start == t->data.mapping.pairs.top)
			err(y, t, "tags is empty: nothing to require");
		for (yaml_node_pair_t *pr = t->data.mapping.pairs.start;
		     pr < t->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = node(y, pr->key), *vv = node(y, pr->value);
			if (!visit(y, k) || !visit(y, vv))
				continue;
			const char *ks = str(y, k, "a tag key");
			if (!ks)
				continue;
			int dup = 0;
			for (size_t i = 0; i < r.ntags && !dup; i++)
				dup = strcmp(r.tags[i].key, ks) == 0;
			if (dup) {
				err(y, k, "duplicate tag key \"%s\"", SHOW(ks));
				continue;
			}
			treq q = { xstrdup(ks), -1 };
			if (!is_null(vv)) {
				const char *ps = str(y, vv, "a tag value pattern");
				if (ps && (q.pat = add_pat(y, vv->start_mark, ps)) < 0)
					ps = NULL;
				if (!ps) {
					free(q.key);
					continue;
				}
			}
			PUSH(r.tags, r.ntags, q);
		}
	} else {
		err(y, t, "tags must be a list of keys or a mapping of keys to "
		    "value patterns, not %s", kind_name(t));
	}
	r.bad = y->nerr != before;
	PUSH(y->p->rules, y->p->nrules, r);
}

static const char *const env_keys[] = { "accounts", "profiles", NULL };

static void parse_envs(yx *y, yaml_node_t *n)
{
	cc_policy *p = y->p;
	if (n->type != YAML_MAPPING_NODE) {
		err(y, n, "environments must be a mapping of names to {accounts, "
		    "profiles}, not %s", kind_name(n));
		return;
	}
	/* keys() checks duplicates; names are free-form identifiers */
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(y, pr->key), *v = node(y, pr->value);
		if (!visit(y, k) || !visit(y, v))
			continue;
		const char *name = str(y, k, "an environment name");
		if (!name)
			continue;
		if (!valid_id(name)) {
			err(y, k, "environment name \"%s\" must be 1 to 64 letters, "
			    "digits, '_', '.', ':' or '-'", SHOW(name));
			continue;
		}
		if (env_index(p, name) >= 0) {
			err(y, k, "duplicate environment \"%s\"", SHOW(name));
			continue;
		}
		yaml_node_t *f[2];
		if (!keys(y, v, "an environment", env_keys, f))
			continue;
		env e = { 0 };
		int before = y->nerr;
		e.name = xstrdup(name);
		e.mark = k->start_mark;
		if (f[0]) {
			parse_items(y, f[0], "accounts", &e.accounts);
			check_context_items(y, &e.accounts, ALC_PS_ACCOUNT);
			for (size_t i = 0; i < e.accounts.n; i++)
				if (e.accounts.v[i].pat >= 0)
					err_at(y, e.accounts.v[i].mark, "accounts of an "
					       "environment are account ids, not patterns");
		}
		if (f[1])
			parse_items(y, f[1], "profiles", &e.profiles);
		if (!e.accounts.n && !e.profiles.n && y->nerr == before)
			err(y, k, "environment \"%s\" names no account and no profile: "
			    "no call could be in it", SHOW(name));
		/* an account belongs to one environment */
		for (size_t i = 0; i < e.accounts.n; i++)
			for (size_t j = 0; j < p->nenvs; j++)
				for (size_t a = 0; a < p->envs[j].accounts.n; a++)
					if (strcmp(p->envs[j].accounts.v[a].text,
					           e.accounts.v[i].text) == 0)
						err_at(y, e.accounts.v[i].mark, "account %s is "
						       "in environments %s and %s",
						       SHOW(e.accounts.v[i].text),
						       p->envs[j].name, e.name);
		for (size_t i = 0; i < e.profiles.n; i++)
			for (size_t j = 0; j < p->nenvs; j++)
				for (size_t a = 0; a < p->envs[j].profiles.n; a++)
					if (e.profiles.v[i].pat < 0 &&
					    p->envs[j].profiles.v[a].pat < 0 &&
					    strcmp(p->envs[j].profiles.v[a].text,
					           e.profiles.v[i].text) == 0)
						err_at(y, e.profiles.v[i].mark, "profile %s is "
						       "in environments %s and %s",
						       SHOW(e.profiles.v[i].text),
						       p->envs[j].name, e.name);
		PUSH(p->envs, p->nenvs, e);
	}
}

static const char *const risk_keys[] = { "service", "operation", "level", NULL };

static void parse_risks(yx *y, yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		err(y, n, "risk must be a list of {service, operation, level}, not "
		    "%s", kind_name(n));
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = node(y, *it), *v[3];
		if (!visit(y, e) || !keys(y, e, "a risk entry", risk_keys, v))
			continue;
		riskov r = { 0 };
		int before = y->nerr;
		r.mark = e->start_mark;
		if (!v[0] && !v[1])
			err(y, e, "a risk entry needs service or operation (or both)");
		if (v[0])
			parse_items(y, v[0], "service", &r.svc);
		if (v[1])
			parse_items(y, v[1], "operation", &r.op);
		if (!v[2])
			err(y, e, "a risk entry needs a level: low, medium, high or "
			    "critical");
		else
			r.level = parse_level(y, v[2], "level");
		r.bad = y->nerr != before;
		PUSH(y->p->risks, y->p->nrisks, r);
	}
}

/* "90", "90s", "15m", "1h30m", "2d". */
static int parse_ttl(const yaml_node_t *n, uint32_t *out)
{
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	const char *s = sval(n);
	uint64_t total = 0;
	if (!*s)
		return 0;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 9)
			return 0;
		total = strtoull(s, NULL, 10);
	} else {
		while (*s) {
			size_t d = strspn(s, "0123456789");
			if (!d || d > 9)
				return 0;
			uint64_t v = strtoull(s, NULL, 10);
			s += d;
			uint64_t unit = *s == 's' ? 1 : *s == 'm' ? 60 : *s == 'h' ? 3600 :
			                *s == 'd' ? 86400 : 0;
			if (!unit)
				return 0;
			s++;
			total += v * unit;
		}
	}
	if (!total || total > MAX_TTL)
		return 0;
	*out = (uint32_t)total;
	return 1;
}

static const char *const appr_keys[] = {
	"environment", "risk", "ttl", "approvers", "required", NULL,
};

static void parse_approvals(yx *y, yaml_node_t *n)
{
	cc_policy *p = y->p;
	if (n->type != YAML_SEQUENCE_NODE) {
		err(y, n, "approvals must be a list of {environment, risk, ttl, "
		    "approvers, required}, not %s", kind_name(n));
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = node(y, *it), *v[5];
		if (!visit(y, e) || !keys(y, e, "an approvals entry", appr_keys, v))
			continue;
		appr a = { 0 };
		int before = y->nerr;
		a.mark = e->start_mark;
		a.required = -1;
		a.approvers = 1;
		a.ttl = 3600;
		if (v[0]) {
			yaml_node_t **el;
			ptrdiff_t k = elems(y, v[0], "environment", &el);
			for (ptrdiff_t i = 0; i < k; i++) {
				const char *s = str(y, el[i], "environment");
				int ei = s ? env_index(p, s) : -1;
				if (s && ei < 0)
					env_unknown(y, el[i], s);
				else if (s)
					PUSH(a.envs, a.nenvs, (uint32_t)ei);
			}
			free(el);
		}
		if (v[1])
			a.risk_mask = parse_levels(y, v[1], "risk");
		if (v[2] && !parse_ttl(v[2], &a.ttl))
			err(y, v[2], "ttl must be a duration like 900, 15m, 1h or 1h30m "
			    "(at most 30 days)");
		if (v[3]) {
			double d;
			if (!num(v[3], &d) || (d != 1 && d != 2))
				err(y, v[3], "approvers must be 1 or 2");
			else
				a.approvers = (uint8_t)d;
		}
		if (v[4]) {
			int b;
			if (!boolean(v[4], &b))
				err(y, v[4], "required must be true or false");
			else
				a.required = b;
		}
		if (!v[2] && !v[3] && !v[4])
			err(y, e, "an approvals entry sets nothing (ttl, approvers or "
			    "required)");
		a.bad = y->nerr != before;
		PUSH(p->apprs, p->napprs, a);
	}
}

static const char *const default_keys[] = {
	"low", "medium", "high", "critical", NULL,
};

static void parse_defaults(yx *y, yaml_node_t *n)
{
	yaml_node_t *v[4];
	if (!keys(y, n, "defaults", default_keys, v))
		return;
	for (unsigned r = 0; r < 4; r++)
		if (v[r])
			parse_effect(y, v[r], &y->p->defaults[r + 1]);
}

static const char *const top_keys[] = {
	"version", "description", "defaults", "environments",
	"allowed_accounts", "allowed_regions", "risk", "approvals",
	"required_tags", "rules", NULL,
};
enum { TK_VERSION, TK_DESC, TK_DEFAULTS, TK_ENVS, TK_ACCOUNTS, TK_REGIONS,
       TK_RISK, TK_APPROVALS, TK_TAGS, TK_RULES, TK_N };

static void parse_top(yx *y, yaml_node_t *root)
{
	cc_policy *p = y->p;
	yaml_node_t *v[TK_N];
	if (!visit(y, root))
		return;
	if (!keys(y, root, "the policy", top_keys, v))
		return;
	double ver;
	if (!v[TK_VERSION])
		err(y, root, "the policy needs \"version: 1\"");
	else if (!num(v[TK_VERSION], &ver) || ver != 1)
		err(y, v[TK_VERSION], "version must be 1 (the only version of the "
		    "policy language)");
	if (v[TK_DESC])
		(void)str(y, v[TK_DESC], "description");
	if (v[TK_DEFAULTS])
		parse_defaults(y, v[TK_DEFAULTS]);
	if (v[TK_ENVS])
		parse_envs(y, v[TK_ENVS]);  /* before anything that names them */
	if (v[TK_ACCOUNTS]) {
		parse_items(y, v[TK_ACCOUNTS], "allowed_accounts", &p->accounts);
		check_context_items(y, &p->accounts, ALC_PS_ACCOUNT);
		for (size_t i = 0; i < p->accounts.n; i++)
			if (p->accounts.v[i].pat >= 0)
				err_at(y, p->accounts.v[i].mark, "allowed_accounts are "
				       "account ids, not patterns");
	}
	if (v[TK_REGIONS]) {
		parse_items(y, v[TK_REGIONS], "allowed_regions", &p->regions);
		check_context_items(y, &p->regions, ALC_PS_REGION);
	}
	if (v[TK_RISK])
		parse_risks(y, v[TK_RISK]);
	if (v[TK_APPROVALS])
		parse_approvals(y, v[TK_APPROVALS]);
	static const struct { int k; const char *what; void (*fn)(yx *, yaml_node_t *); }
	lists[] = {
		{ TK_RULES, "rules", parse_rule },
		{ TK_TAGS, "required_tags", parse_tagreq },
	};
	for (size_t i = 0; i < 2; i++) {
		yaml_node_t *l = v[lists[i].k];
		if (!l)
			continue;
		if (l->type != YAML_SEQUENCE_NODE) {
			err(y, l, "%s must be a list, not %s", lists[i].what,
			    kind_name(l));
			continue;
		}
		for (yaml_node_item_t *it = l->data.sequence.items.start;
		     it < l->data.sequence.items.top; it++) {
			yaml_node_t *e = node(y, *it);
			if (visit(y, e))
				lists[i].fn(y, e);
		}
	}
}

/* ---- resolution ----------------------------------------------------- */

#define BIT_SET(m, i) ((m)[(i) >> 3] |= (uint8_t)(1u << ((i) & 7)))
#define BIT_GET(m, i) (((m)[(i) >> 3] >> ((i) & 7)) & 1u)

/* Operations named by SVC and OP items (either may be absent: all) into
 * the bitmap SET; each item that names nothing is an error.  Returns the
 * number of operations. */
static size_t resolve_ops(yx *y, const items *svc, const items *op, uint8_t *set)
{
	const alc_catalog *c = y->cat;
	cc_policy *p = y->p;
	uint8_t *svcs = cc_xcalloc(c->nsvcs ? c->nsvcs : 1, 1);
	if (!svc->given) {
		memset(svcs, 1, c->nsvcs);
	} else {
		for (size_t i = 0; i < svc->n; i++) {
			const item *it = &svc->v[i];
			if (it->pat < 0) {
				uint32_t s = find_service(c, it->text);
				if (s == ALC_NONE)
					err_at(y, it->mark, "service \"%s\" is not in the "
					       "catalog", SHOW(it->text));
				else
					svcs[s] = 1;
				continue;
			}
			int any = 0;
			for (uint32_t s = 0; s < c->nsvcs; s++)
				if (pat_match(p, it->pat, alc_str(c, c->svcs[s].key)))
					{ svcs[s] = 1; any = 1; }
			if (!any)
				err_at(y, it->mark, "service pattern \"%s\" matches no "
				       "service in the catalog", SHOW(it->text));
		}
	}
	size_t count = 0;
	for (size_t i = 0; op->given && i < op->n; i++) {
		const item *it = &op->v[i];
		int any = 0;
		for (uint32_t s = 0; s < c->nsvcs; s++) {
			if (!svcs[s])
				continue;
			const alc_service *sv = &c->svcs[s];
			for (uint32_t o = sv->first_op; o < sv->first_op + sv->op_count; o++) {
				const alc_operation *oo = &c->ops[o];
				int m = it->pat < 0 ? op_named(c, oo, it->text)
				                    : pat_match(p, it->pat, alc_str(c, oo->name));
				if (m) {
					any = 1;
					if (!BIT_GET(set, o)) {
						BIT_SET(set, o);
						count++;
					}
				}
			}
		}
		if (!any)
			err_at(y, it->mark, it->pat < 0
			       ? "operation \"%s\" is not in the catalog%s"
			       : "operation pattern \"%s\" matches no operation in "
			         "the catalog%s", SHOW(it->text),
			       svc->given ? " (in the services named)" : "");
	}
	if (!op->given)
		for (uint32_t s = 0; s < c->nsvcs; s++)
			if (svcs[s])
				for (uint32_t o = c->svcs[s].first_op;
				     o < c->svcs[s].first_op + c->svcs[s].op_count; o++) {
					BIT_SET(set, o);
					count++;
				}
	free(svcs);
	return count;
}

static void resolve_risk(yx *y)
{
	cc_policy *p = y->p;
	const alc_catalog *c = y->cat;
	size_t bytes = (c->nops + 7) / 8 + 1;
	for (uint32_t i = 0; i < c->nops; i++) {
		int w;
		p->level[i] = (uint8_t)cc_risk_of(c, &c->ops[i], &w);
		p->opflags[i] = w ? ALC_OPRISK_WRITE : 0;
		cc_tagloc tl[4];
		if (cc_tag_locations(c, &c->ops[i], tl, 4))
			p->opflags[i] |= ALC_OPRISK_TAGS;
	}
	/* later entries win */
	for (size_t k = 0; k < p->nrisks; k++) {
		riskov *r = &p->risks[k];
		if (r->bad)
			continue;
		uint8_t *set = cc_xcalloc(bytes, 1);
		resolve_ops(y, &r->svc, &r->op, set);
		for (uint32_t i = 0; i < c->nops; i++)
			if (BIT_GET(set, i)) {
				p->level[i] = (uint8_t)r->level;
				p->opflags[i] |= ALC_OPRISK_OVERRIDDEN;
			}
		free(set);
	}
}

/* The shape an input path leads to in operation OP, or ALC_NONE. */
static uint32_t path_shape(const alc_catalog *c, const alc_operation *op,
                           const seg *segs, size_t n)
{
	uint32_t cur = op->input;
	for (size_t i = 0; i < n && cur != ALC_NONE; i++) {
		const alc_shape *s = &c->shapes[cur];
		uint32_t next = ALC_NONE;
		if (segs[i].kind == ALC_SEG_VALUES) {
			if (s->type == ALC_T_MAP && s->member_count == 2)
				next = c->members[s->first_member + 1].target;
		} else if (s->type == ALC_T_STRUCTURE || s->type == ALC_T_UNION) {
			for (uint32_t m = 0; m < s->member_count; m++) {
				const alc_member *mm = &c->members[s->first_member + m];
				if (strcmp(alc_str(c, mm->name), segs[i].name) == 0)
					next = mm->target;
			}
		} else if (s->type == ALC_T_MAP && s->member_count == 2) {
			next = c->members[s->first_member + 1].target;
		} else if (s->type == ALC_T_DOCUMENT) {
			return cur;
		}
		if (next != ALC_NONE && segs[i].kind == ALC_SEG_EACH) {
			const alc_shape *l = &c->shapes[next];
			next = l->type == ALC_T_LIST && l->member_count >= 1
			       ? c->members[l->first_member].target : ALC_NONE;
		}
		cur = next;
	}
	return cur;
}

static int type_fits(uint8_t t, const cond *cd)
{
	int strlike = t == ALC_T_STRING || t == ALC_T_ENUM ||
	              t == ALC_T_TIMESTAMP || t == ALC_T_BLOB;
	int numeric = (t >= ALC_T_BYTE && t <= ALC_T_BIGDECIMAL) ||
	              t == ALC_T_INTENUM || t == ALC_T_TIMESTAMP;
	if (t == ALC_T_DOCUMENT)
		return 1;
	switch (cd->op) {
	case ALC_PO_MATCHES: case ALC_PO_NOT_MATCHES:
		return strlike;
	case ALC_PO_LT: case ALC_PO_LE: case ALC_PO_GT: case ALC_PO_GE:
		return numeric;
	case ALC_PO_PRESENT: case ALC_PO_ABSENT:
		return 1;
	default:
		for (size_t i = 0; i < cd->nvals; i++) {
			uint32_t vt = cd->vals[i].type;
			if (vt == ALC_PV_STR && strlike)
				return 1;
			if (vt == ALC_PV_NUM && numeric)
				return 1;
			if (vt == ALC_PV_BOOL && t == ALC_T_BOOLEAN)
				return 1;
		}
		return 0;
	}
}

static const char *type_word(uint8_t t)
{
	static const char *const w[] = {
		"?", "a blob", "a boolean", "a string", "a byte", "a short",
		"an integer", "a long", "a float", "a double", "a big integer",
		"a big decimal", "a timestamp", "a document", "an enum",
		"an int enum", "a list", "a map", "a structure", "a union",
	};
	return t < sizeof w / sizeof w[0] ? w[t] : "?";
}

static const char *op_word(uint8_t op)
{
	static const char *const w[] = {
		"?", "in", "not_in", "matches", "not_matches", "lt", "le", "gt",
		"ge", "eq", "ne", "present", "absent",
	};
	return op < sizeof w / sizeof w[0] ? w[op] : "?";
}

/* Input conditions against the input shapes of the rule's operations. */
static void check_paths(yx *y, rule *r)
{
	const alc_catalog *c = y->cat;
	for (size_t k = 0; k < r->nconds; k++) {
		cond *cd = &r->conds[k];
		if (cd->subject != ALC_PS_INPUT)
			continue;
		size_t found = 0, fits = 0;
		uint8_t seen_type = 0;
		uint32_t first_op = ALC_NONE;
		for (uint32_t o = 0; o < c->nops; o++) {
			if (!BIT_GET(r->opset, o))
				continue;
			if (first_op == ALC_NONE)
				first_op = o;
			uint32_t sh = path_shape(c, &c->ops[o], cd->segs, cd->nsegs);
			if (sh == ALC_NONE)
				continue;
			found++;
			uint8_t t = c->shapes[sh].type;
			if (type_fits(t, cd))
				fits++;
			else
				seen_type = t;
		}
		if (!found && first_op != ALC_NONE) {
			const alc_operation *o = &c->ops[first_op];
			if (r->nops == 1)
				err_at(y, cd->mark, "input path \"%s\" is not in the input "
				       "of %s:%s: the condition can never hold",
				       SHOW(cd->path),
				       alc_str(c, c->svcs[o->service].key),
				       alc_str(c, o->name));
			else
				err_at(y, cd->mark, "input path \"%s\" is not in the input "
				       "of any of the %zu operations the rule matches: the "
				       "condition can never hold", SHOW(cd->path), r->nops);
		} else if (found && !fits) {
			err_at(y, cd->mark, "input path \"%s\" is %s; %s %s", SHOW(cd->path),
			       type_word(seen_type), op_word(cd->op),
			       cd->op >= ALC_PO_LT && cd->op <= ALC_PO_GE
			       ? "needs a number"
			       : cd->op == ALC_PO_MATCHES || cd->op == ALC_PO_NOT_MATCHES
			       ? "needs a string" : "compares values of another type");
		}
	}
}

/* Tests that hold when the path has no value (README.md). */
static int negative_op(uint8_t op)
{
	return op == ALC_PO_NOT_IN || op == ALC_PO_NOT_MATCHES ||
	       op == ALC_PO_NE || op == ALC_PO_ABSENT;
}

static int single_valued(const cond *c)
{
	for (size_t i = 0; i < c->nsegs; i++)
		if (c->segs[i].kind != ALC_SEG_MEMBER)
			return 0;
	return 1;
}

/* Conditions of one rule that cannot all hold. */
static void check_contradictions(yx *y, rule *r)
{
	for (size_t i = 0; i < r->nconds; i++) {
		cond *a = &r->conds[i];
		if (a->subject != ALC_PS_INPUT || !single_valued(a))
			continue;
		for (size_t j = i + 1; j < r->nconds; j++) {
			cond *b = &r->conds[j];
			if (b->subject != ALC_PS_INPUT || strcmp(a->path, b->path) != 0)
				continue;
			/* absent holds only with no value, and so does every
			 * negative test; present and the positive tests need one */
			int na = a->op == ALC_PO_ABSENT, nb = b->op == ALC_PO_ABSENT;
			int ga = !negative_op(a->op), gb = !negative_op(b->op);
			if ((na && gb && !nb) || (nb && ga && !na)) {
				err_at(y, b->mark, "conditions on \"%s\" can never all hold "
				       "(%s and %s)", SHOW(a->path), op_word(a->op),
				       op_word(b->op));
				continue;
			}
			const cond *lo = NULL, *hi = NULL;
			if ((a->op == ALC_PO_GE || a->op == ALC_PO_GT) &&
			    (b->op == ALC_PO_LE || b->op == ALC_PO_LT))
				lo = a, hi = b;
			else if ((b->op == ALC_PO_GE || b->op == ALC_PO_GT) &&
			         (a->op == ALC_PO_LE || a->op == ALC_PO_LT))
				lo = b, hi = a;
			if (lo && (lo->vals[0].num > hi->vals[0].num ||
			           (lo->vals[0].num == hi->vals[0].num &&
			            (lo->op == ALC_PO_GT || hi->op == ALC_PO_LT))))
				err_at(y, b->mark, "conditions on \"%s\" can never all "
				       "hold (%s %s and %s %s)", SHOW(a->path),
				       op_word(lo->op), lo->vals[0].s, op_word(hi->op),
				       hi->vals[0].s);
		}
	}
}

/* Context conditions that the allowed lists make impossible. */
static void check_context_reach(yx *y, rule *r)
{
	cc_policy *p = y->p;
	for (size_t i = 0; i < r->nconds; i++) {
		cond *cd = &r->conds[i];
		const items *allow = cd->subject == ALC_PS_ACCOUNT ? &p->accounts :
		                     cd->subject == ALC_PS_REGION ? &p->regions : NULL;
		if (!allow || !allow->given)
			continue;
		int all_exact = 1, reach = 0;
		for (size_t a = 0; a < allow->n; a++)
			all_exact &= allow->v[a].pat < 0;
		if (!all_exact)
			continue;
		for (size_t v = 0; v < cd->nvals && !reach; v++) {
			if (cd->vals[v].type != ALC_PV_STR) {
				reach = 1;
				break;
			}
			for (size_t a = 0; a < allow->n && !reach; a++)
				reach = strcmp(allow->v[a].text, cd->vals[v].s) == 0;
		}
		if (!reach)
			err_at(y, cd->mark, "no %s named here is in allowed_%ss: the "
			       "rule can never match", cd->path, cd->path);
	}
}

static void resolve_rules(yx *y)
{
	cc_policy *p = y->p;
	const alc_catalog *c = y->cat;
	size_t bytes = (c->nops + 7) / 8 + 1;
	for (size_t k = 0; k < p->nrules; k++) {
		rule *r = &p->rules[k];
		r->opset = cc_xcalloc(bytes, 1);
		if (r->bad)
			continue;
		int before = y->nerr;
		resolve_ops(y, &r->svc, &r->op, r->opset);
		size_t n = 0;
		for (uint32_t o = 0; o < c->nops; o++) {
			if (!BIT_GET(r->opset, o))
				continue;
			int keep = 1;
			if (r->access == 1 && (p->opflags[o] & ALC_OPRISK_WRITE))
				keep = 0;
			if (r->access == 2 && !(p->opflags[o] & ALC_OPRISK_WRITE))
				keep = 0;
			if (r->risk_mask && !(r->risk_mask & (1u << p->level[o])))
				keep = 0;
			if (r->kind == ALC_PRULE_TAGS && !(p->opflags[o] & ALC_OPRISK_TAGS))
				keep = 0;
			if (keep)
				n++;
			else
				r->opset[o >> 3] &= (uint8_t)~(1u << (o & 7));
		}
		r->nops = n;
		if (!n && y->nerr == before) {
			if (r->kind == ALC_PRULE_TAGS)
				err_at(y, r->match_mark, "required_tags \"%s\" can never "
				       "match: no operation it selects carries tags in its "
				       "input", r->id ? r->id : "?");
			else
				err_at(y, r->match_mark, "rule \"%s\" can never match: no "
				       "operation in the catalog has the service, "
				       "operation, access and risk it asks for",
				       r->id ? r->id : "?");
			continue;
		}
		if (y->nerr != before)
			continue;
		check_paths(y, r);
		check_contradictions(y, r);
		check_context_reach(y, r);
		/* specificity */
		uint32_t sp = 0;
		int op_exact = r->op.given, op_pat = 0, sv_exact = r->svc.given, sv_pat = 0;
		for (size_t i = 0; i < r->op.n; i++)
			if (r->op.v[i].pat >= 0)
				op_exact = 0, op_pat = 1;
		for (size_t i = 0; i < r->svc.n; i++)
			if (r->svc.v[i].pat >= 0)
				sv_exact = 0, sv_pat = 1;
		sp += op_exact ? SP_OP_EXACT : op_pat ? SP_OP_PAT : 0;
		sp += sv_exact ? SP_SVC_EXACT : sv_pat ? SP_SVC_PAT : 0;
		sp += r->access ? SP_ACCESS : 0;
		sp += r->risk_mask ? SP_RISK : 0;
		for (size_t i = 0; i < r->nconds; i++)
			sp += r->conds[i].subject == ALC_PS_INPUT ? SP_INPUT : SP_CONTEXT;
		r->specificity = sp;
	}
}

/* ---- load ------------------------------------------------------------- */

static void items_free(items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].text);
	free(it->v);
}

static void cond_free(cond *c)
{
	for (size_t i = 0; i < c->nsegs; i++)
		free(c->segs[i].name);
	free(c->segs);
	for (size_t i = 0; i < c->nvals; i++)
		free(c->vals[i].s);
	free(c->vals);
	free(c->path);
}

void cc_policy_free(cc_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++) {
		rule *r = &p->rules[i];
		free(r->id);
		free(r->desc);
		items_free(&r->svc);
		items_free(&r->op);
		for (size_t k = 0; k < r->nconds; k++)
			cond_free(&r->conds[k]);
		free(r->conds);
		for (size_t k = 0; k < r->ntags; k++)
			free(r->tags[k].key);
		free(r->tags);
		free(r->opset);
	}
	free(p->rules);
	for (size_t i = 0; i < p->nenvs; i++) {
		free(p->envs[i].name);
		items_free(&p->envs[i].accounts);
		items_free(&p->envs[i].profiles);
	}
	free(p->envs);
	items_free(&p->accounts);
	items_free(&p->regions);
	for (size_t i = 0; i < p->nrisks; i++) {
		items_free(&p->risks[i].svc);
		items_free(&p->risks[i].op);
	}
	free(p->risks);
	for (size_t i = 0; i < p->napprs; i++)
		free(p->apprs[i].envs);
	free(p->apprs);
	for (size_t i = 0; i < p->npats; i++) {
		free(p->pats[i].src);
		pcre2_code_free(p->pats[i].code);
	}
	free(p->pats);
	free(p->level);
	free(p->opflags);
	pcre2_match_data_free(p->md);
	free(p->display);
	free(p);
}

/* Diagnostic lines appended since FROM, in file order (line, column;
 * stable), so that parse and resolution errors interleave as a reader
 * expects. */
typedef struct dline { size_t line, col, seq, off, len; } dline;

static int cmp_dline(const void *a, const void *b)
{
	const dline *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void sort_diag(cc_buf *diag, size_t from, const char *display)
{
	size_t dl = strlen(display), n = 0;
	dline *v = NULL;
	for (size_t o = from; o < diag->len;) {
		const uint8_t *nl = memchr(diag->p + o, '\n', diag->len - o);
		size_t len = (nl ? (size_t)(nl - (diag->p + o)) + 1 : diag->len - o);
		dline d = { (size_t)-1, 0, n, o, len };
		const char *s = (const char *)diag->p + o;
		if (len > dl + 1 && memcmp(s, display, dl) == 0 && s[dl] == ':')
			sscanf(s + dl + 1, "%zu:%zu", &d.line, &d.col);
		PUSH(v, n, d);
		o += len;
	}
	qsort(v, n, sizeof *v, cmp_dline);
	cc_buf out = { 0 };
	for (size_t i = 0; i < n; i++)
		cc_buf_put(&out, diag->p + v[i].off, v[i].len);
	if (out.len)
		memcpy(diag->p + from, out.p, out.len);
	cc_buf_free(&out);
	free(v);
}

int cc_policy_load_mem(cc_policy **out, const char *text, size_t len,
                       const char *display, const alc_catalog *cat,
                       cc_buf *diag)
{
	*out = NULL;
	size_t diag_from = diag->len;
	yx y;
	memset(&y, 0, sizeof y);
	y.file = display;
	y.diag = diag;
	y.cat = cat;
	if (len > MAX_FILE) {
		cc_buf_printf(diag, "%s: error: policy file is %zu bytes; at most "
		              "%u\n", display, len, MAX_FILE);
		return AL_EPOLICY;
	}
	cc_policy *p = cc_xcalloc(1, sizeof *p);
	y.p = p;
	p->display = xstrdup(display);
	XXH128_hash_t h = XXH3_128bits(text, len);
	p->digest_lo = h.low64;
	p->digest_hi = h.high64;
	p->defaults[ALC_RISK_LOW] = ALC_EFFECT_ALLOW;
	p->defaults[ALC_RISK_MEDIUM] = ALC_EFFECT_ALLOW;
	p->defaults[ALC_RISK_HIGH] = ALC_EFFECT_DENY;
	p->defaults[ALC_RISK_CRITICAL] = ALC_EFFECT_DENY;
	p->nops = cat->nops;
	p->level = cc_xcalloc(cat->nops + 1, 1);
	p->opflags = cc_xcalloc(cat->nops + 1, 1);
	p->md = pcre2_match_data_create(1, NULL);
	if (!p->md)
		cc_oom();

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		cc_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		yaml_mark_t m = parser.problem_mark;
		if (parser.error == YAML_MEMORY_ERROR)
			cc_oom();
		cc_buf_printf(diag, "%s:%zu:%zu: error: YAML: %s%s%s\n", display,
		              m.line + 1, m.column + 1,
		              parser.problem ? parser.problem : "syntax error",
		              parser.context ? " " : "",
		              parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		cc_policy_free(p);
		return AL_EPOLICY;
	}
	y.have_doc = 1;
	yaml_node_t *root = yaml_document_get_root_node(&y.doc);
	if (!root) {
		cc_buf_printf(diag, "%s:1:1: error: the policy is empty (it needs at "
		              "least \"version: 1\")\n", display);
		y.nerr++;
	} else {
		/* a second document is a mistake, not something to ignore */
		yaml_document_t extra;
		if (yaml_parser_load(&parser, &extra)) {
			yaml_node_t *r2 = yaml_document_get_root_node(&extra);
			if (r2) {
				cc_buf_printf(diag, "%s:%zu:%zu: error: a policy file holds "
				              "one YAML document; this is a second\n",
				              display, extra.start_mark.line + 1,
				              extra.start_mark.column + 1);
				y.nerr++;
			}
			yaml_document_delete(&extra);
		} else {
			yaml_mark_t m = parser.problem_mark;
			cc_buf_printf(diag, "%s:%zu:%zu: error: YAML: %s\n", display,
			              m.line + 1, m.column + 1,
			              parser.problem ? parser.problem : "syntax error");
			y.nerr++;
		}
	}
	yaml_parser_delete(&parser);
	if (root && !y.nerr) {
		size_t nn = (size_t)(y.doc.nodes.top - y.doc.nodes.start);
		y.seen = cc_xcalloc(nn + 1, 1);
		/* libyaml loads iteratively, and the walk below only descends
		 * into the nodes the language defines: no depth limit needed */
		parse_top(&y, root);
		free(y.seen);
		/* entries that parsed are resolved even when others did not, so
		 * that one run shows every error */
		resolve_risk(&y);
		resolve_rules(&y);
		/* approvals: two entries of one specificity on one cell */
		for (size_t a = 0; a < p->napprs; a++)
			for (size_t b = a + 1; b < p->napprs; b++) {
				appr *x = &p->apprs[a], *z = &p->apprs[b];
				if (x->bad || z->bad || (x->nenvs != 0) != (z->nenvs != 0) ||
				    (x->risk_mask != 0) != (z->risk_mask != 0))
					continue;
				int env_overlap = !x->nenvs;
				for (size_t i = 0; i < x->nenvs && !env_overlap; i++)
					for (size_t j = 0; j < z->nenvs; j++)
						env_overlap |= x->envs[i] == z->envs[j];
				unsigned rx = x->risk_mask ? x->risk_mask : 0x1e;
				unsigned rz = z->risk_mask ? z->risk_mask : 0x1e;
				if (env_overlap && (rx & rz))
					err_at(&y, z->mark, "this approvals entry and the one "
					       "at line %zu set the same environment and risk",
					       x->mark.line + 1);
			}
	}
	yaml_document_delete(&y.doc);
	if (y.nerr) {
		sort_diag(diag, diag_from, display);
		cc_policy_free(p);
		return AL_EPOLICY;
	}
	*out = p;
	return 0;
}

int cc_policy_load(cc_policy **out, const char *path, const char *display,
                   const alc_catalog *cat, cc_buf *diag)
{
	*out = NULL;
	if (!display)
		display = path;
	FILE *f = fopen(path, "rb");
	if (!f) {
		cc_buf_printf(diag, "%s: error: cannot open policy: %s\n", display,
		              strerror(errno));
		return errno == ENOENT ? AL_ENOENT : AL_EIO;
	}
	cc_buf b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		cc_buf_put(&b, chunk, n);
		if (b.len > MAX_FILE)
			break;
	}
	int rd_err = ferror(f);
	fclose(f);
	if (rd_err) {
		cc_buf_printf(diag, "%s: error: cannot read policy\n", display);
		cc_buf_free(&b);
		return AL_EIO;
	}
	int rc = cc_policy_load_mem(out, b.p ? (const char *)b.p : "", b.len,
	                            display, cat, diag);
	cc_buf_free(&b);
	return rc;
}

/* ---- emit ------------------------------------------------------------- */

typedef struct tables {
	cc_buf t[ALC_PT_COUNT];
	uint32_t n[ALC_PT_COUNT];
} tables;

#define ADD(tb, kind, rec) \
	(cc_buf_put(&(tb)->t[kind], &(rec), sizeof(rec)), (tb)->n[kind]++)

static uint32_t S(cc_pool *pool, const char *s)
{
	return cc_intern_cstr(pool, s);
}

/* The PATS index of pattern I, given one on first use. */
static uint32_t pat_out(cc_policy *p, tables *tb, cc_pool *pool, int i)
{
	if (p->pats[i].out == ALC_NONE) {
		alc_ppat r = { S(pool, p->pats[i].src), 0 };
		p->pats[i].out = tb->n[ALC_PT_PATS];
		ADD(tb, ALC_PT_PATS, r);
	}
	return p->pats[i].out;
}

static uint32_t emit_vals(cc_policy *p, tables *tb, cc_pool *pool,
                          const val *v, size_t n)
{
	uint32_t first = tb->n[ALC_PT_VALS];
	for (size_t i = 0; i < n; i++) {
		alc_pval r = { v[i].type, 0, 0 };
		switch (v[i].type) {
		case ALC_PV_STR: r.a = S(pool, v[i].s); break;
		case ALC_PV_NUM: r.a = S(pool, v[i].s); r.num = v[i].num; break;
		case ALC_PV_PAT: r.a = pat_out(p, tb, pool, (int)v[i].a); break;
		default: r.a = v[i].a; break;
		}
		ADD(tb, ALC_PT_VALS, r);
	}
	return first;
}

static uint32_t emit_items(cc_policy *p, tables *tb, cc_pool *pool,
                           const items *it)
{
	val *v = NULL;
	size_t n = 0;
	items_to_vals(it, &v, &n);
	uint32_t first = emit_vals(p, tb, pool, v, n);
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
	free(v);
	return first;
}

static uint32_t emit_segs(tables *tb, cc_pool *pool, const seg *s, size_t n)
{
	uint32_t first = tb->n[ALC_PT_SEGS];
	for (size_t i = 0; i < n; i++) {
		alc_pseg r = { S(pool, s[i].name), s[i].kind };
		ADD(tb, ALC_PT_SEGS, r);
	}
	return first;
}

/* Evaluation order of a class's rules: effect (deny first), then
 * specificity, then file order -- so the first rule of an effect that
 * matches is the one to report. */
static const rule *sort_rules;
static int cmp_eval(const void *a, const void *b)
{
	const rule *x = &sort_rules[*(const uint32_t *)a];
	const rule *y = &sort_rules[*(const uint32_t *)b];
	if (x->effect != y->effect)
		return x->effect > y->effect ? -1 : 1;
	if (x->specificity != y->specificity)
		return x->specificity > y->specificity ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

typedef struct ckey {
	uint64_t hash;
	uint8_t *key;
	size_t len;
	uint32_t cls;
} ckey;

static void tagloc_sig(cc_buf *k, const cc_tagloc *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cc_buf_printf(k, "%u|%u|%s|%s|", t[i].kind, t[i].nsegs,
		              t[i].key_name, t[i].value_name);
		for (uint32_t s = 0; s < t[i].nsegs; s++)
			cc_buf_printf(k, "%u:%s|", t[i].seg_kind[s], t[i].seg_name[s]);
	}
}

int cc_policy_emit(cc_policy *p, const alc_catalog *cat, cc_pool *pool,
                   cc_buf *section, uint32_t *risk, cc_buf *diag)
{
	tables tb;
	memset(&tb, 0, sizeof tb);
	int rc = 0;
	/* Everything read from CAT is copied before the first intern: the
	 * pool may be CAT's strings and move when it grows. */
	size_t nops = cat->nops;
	cc_tagloc *locs = cc_xcalloc(nops * 4 + 1, sizeof *locs);
	uint8_t *nlocs = cc_xcalloc(nops + 1, 1);
	for (size_t o = 0; o < nops; o++) {
		size_t n = cc_tag_locations(cat, &cat->ops[o], &locs[o * 4], 4);
		nlocs[o] = (uint8_t)(n > 4 ? 4 : n);
		for (size_t i = 0; i < nlocs[o]; i++) {
			cc_tagloc *t = &locs[o * 4 + i];
			for (uint32_t q = 0; q < t->nsegs; q++)
				t->seg_name[q] = xstrdup(t->seg_name[q]);
			t->key_name = xstrdup(t->key_name);
			t->value_name = xstrdup(t->value_name);
		}
	}

	/* rules, in file order */
	for (size_t k = 0; k < p->nrules; k++) {
		rule *r = &p->rules[k];
		alc_prule pr;
		memset(&pr, 0, sizeof pr);
		pr.effect = r->effect;
		pr.kind = r->kind;
		pr.specificity = r->specificity;
		pr.line = (uint32_t)r->mark.line + 1;
		pr.cond_first = tb.n[ALC_PT_CONDS];
		pr.cond_count = (uint32_t)r->nconds;
		pr.flags = r->nconds ? ALC_PRULE_DYNAMIC : 0;
		for (size_t i = 0; i < r->nconds; i++) {
			cond *c = &r->conds[i];
			alc_pcond pc;
			memset(&pc, 0, sizeof pc);
			pc.subject = c->subject;
			pc.op = c->op;
			pc.quant = c->quant;
			pc.path = S(pool, c->path);
			if (c->nsegs) {
				pc.seg_first = emit_segs(&tb, pool, c->segs, c->nsegs);
				pc.seg_count = (uint32_t)c->nsegs;
			}
			pc.val_first = emit_vals(p, &tb, pool, c->vals, c->nvals);
			pc.val_count = (uint32_t)c->nvals;
			if (!pc.val_count)
				pc.val_first = 0;
			ADD(&tb, ALC_PT_CONDS, pc);
		}
		if (!pr.cond_count)
			pr.cond_first = 0;
		pr.tag_first = r->ntags ? tb.n[ALC_PT_TAGS] : 0;
		pr.tag_count = (uint32_t)r->ntags;
		for (size_t i = 0; i < r->ntags; i++) {
			alc_ptag t = { S(pool, r->tags[i].key),
			               r->tags[i].pat < 0 ? ALC_NONE
			               : pat_out(p, &tb, pool, r->tags[i].pat) };
			ADD(&tb, ALC_PT_TAGS, t);
		}
		pr.id = S(pool, r->id);
		pr.description = S(pool, r->desc);
		ADD(&tb, ALC_PT_RULES, pr);
	}

	/* environments */
	for (size_t i = 0; i < p->nenvs; i++) {
		env *e = &p->envs[i];
		alc_penv r;
		memset(&r, 0, sizeof r);
		r.name = S(pool, e->name);
		r.accounts_count = (uint32_t)e->accounts.n;
		r.accounts_first = r.accounts_count ? emit_items(p, &tb, pool, &e->accounts) : 0;
		r.profiles_count = (uint32_t)e->profiles.n;
		r.profiles_first = r.profiles_count ? emit_items(p, &tb, pool, &e->profiles) : 0;
		ADD(&tb, ALC_PT_ENVS, r);
	}

	/* approvals: the most specific entry per cell, else the default */
	for (size_t e = 0; e <= p->nenvs; e++)
		for (unsigned lv = ALC_RISK_LOW; lv <= ALC_RISK_CRITICAL; lv++) {
			alc_papproval a;
			memset(&a, 0, sizeof a);
			a.ttl = 3600;
			a.approvers = 1;
			a.required = lv >= ALC_RISK_HIGH;
			int best = -1;
			for (size_t k = 0; k < p->napprs; k++) {
				appr *x = &p->apprs[k];
				int env_ok = !x->nenvs;
				for (size_t j = 0; j < x->nenvs; j++)
					env_ok |= x->envs[j] == e;
				if (!env_ok || (x->risk_mask && !(x->risk_mask & (1u << lv))))
					continue;
				int sp = (x->nenvs ? 2 : 0) + (x->risk_mask ? 1 : 0);
				if (sp < best)
					continue;
				best = sp;
				a.ttl = x->ttl;
				a.approvers = x->approvers;
				if (x->required >= 0)
					a.required = (uint8_t)x->required;
				a.line = (uint32_t)x->mark.line + 1;
			}
			ADD(&tb, ALC_PT_APPROVALS, a);
		}

	/* classes */
	size_t slots = 1;
	while (slots < nops * 2 + 16)
		slots <<= 1;
	ckey *map = cc_xcalloc(slots, sizeof *map);
	uint32_t *cand = cc_xmalloc((p->nrules + 1) * sizeof *cand);
	cc_buf key = { 0 };
	sort_rules = p->rules;
	for (size_t o = 0; o < nops && !rc; o++) {
		uint32_t nc = 0;
		int tags = 0;
		for (size_t k = 0; k < p->nrules; k++)
			if (BIT_GET(p->rules[k].opset, o)) {
				cand[nc++] = (uint32_t)k;
				tags |= p->rules[k].kind == ALC_PRULE_TAGS;
			}
		qsort(cand, nc, sizeof *cand, cmp_eval);
		key.len = 0;
		cc_buf_put(&key, &nc, sizeof nc);
		cc_buf_put(&key, cand, nc * sizeof *cand);
		size_t nl = tags ? nlocs[o] : 0;
		tagloc_sig(&key, &locs[o * 4], nl);
		uint64_t h = XXH3_64bits(key.p, key.len);
		size_t s = (size_t)h & (slots - 1);
		while (map[s].key && !(map[s].hash == h && map[s].len == key.len &&
		                       memcmp(map[s].key, key.p, key.len) == 0))
			s = (s + 1) & (slots - 1);
		if (!map[s].key) {
			uint32_t ci = tb.n[ALC_PT_CLASSES];
			if (ci > 0xffff) {
				cc_buf_printf(diag, "%s: error: the policy gives more than "
				              "65536 operation classes\n", p->display);
				rc = AL_ETOOBIG;
				break;
			}
			map[s] = (ckey){ h, cc_xmalloc(key.len), key.len, ci };
			memcpy(map[s].key, key.p, key.len);
			alc_pclass c;
			memset(&c, 0, sizeof c);
			c.ref_first = nc ? tb.n[ALC_PT_REFS] : 0;
			c.ref_count = nc;
			for (uint32_t i = 0; i < nc; i++)
				ADD(&tb, ALC_PT_REFS, cand[i]);
			c.tagloc_first = nl ? tb.n[ALC_PT_TAGLOCS] : 0;
			c.tagloc_count = (uint32_t)nl;
			for (size_t i = 0; i < nl; i++) {
				const cc_tagloc *t = &locs[o * 4 + i];
				seg sg[CC_TAGLOC_MAX_SEGS];
				char path[256];
				size_t po = 0;
				for (uint32_t q = 0; q < t->nsegs; q++) {
					sg[q].name = (char *)t->seg_name[q];
					sg[q].kind = t->seg_kind[q];
					po += (size_t)snprintf(path + po, sizeof path - po, "%s%s%s",
					                       q ? "." : "", t->seg_name[q],
					                       t->seg_kind[q] == ALC_SEG_EACH ? "[*]" : "");
					if (po >= sizeof path)
						po = sizeof path - 1;
				}
				alc_ptagloc tl;
				memset(&tl, 0, sizeof tl);
				tl.seg_first = emit_segs(&tb, pool, sg, t->nsegs);
				tl.seg_count = t->nsegs;
				tl.kind = t->kind;
				tl.key_name = S(pool, t->key_name);
				tl.value_name = S(pool, t->value_name);
				tl.path = S(pool, path);
				ADD(&tb, ALC_PT_TAGLOCS, tl);
			}
			int dynamic = tags;
			for (uint32_t i = 0; i < nc; i++)
				dynamic |= p->rules[cand[i]].nconds != 0;
			c.static_rule = ALC_NONE;
			if (nc && !dynamic) {
				c.static_rule = cand[0];
				c.static_effect = p->rules[cand[0]].effect;
			}
			ADD(&tb, ALC_PT_CLASSES, c);
		}
		risk[o] = p->level[o] | p->opflags[o] |
		          ((uint32_t)map[s].cls << ALC_OPRISK_CLASS_SHIFT);
		if (p->opflags[o] & ALC_OPRISK_TAGS)
			p->stats.tagged_ops++;
	}
	cc_buf_free(&key);
	for (size_t s = 0; s < slots; s++)
		free(map[s].key);
	free(map);
	free(cand);
	for (size_t o = 0; o < nops; o++)
		for (size_t i = 0; i < nlocs[o]; i++) {
			cc_tagloc *t = &locs[o * 4 + i];
			for (uint32_t s = 0; s < t->nsegs; s++)
				free((char *)t->seg_name[s]);
			free((char *)t->key_name);
			free((char *)t->value_name);
		}
	free(locs);
	free(nlocs);

	/* allowed lists */
	alc_policy_header h;
	memset(&h, 0, sizeof h);
	if (p->accounts.given) {
		h.flags |= ALC_POL_ACCOUNTS;
		h.accounts_count = (uint32_t)p->accounts.n;
		h.accounts_first = h.accounts_count ? emit_items(p, &tb, pool, &p->accounts) : 0;
	}
	if (p->regions.given) {
		h.flags |= ALC_POL_REGIONS;
		h.regions_count = (uint32_t)p->regions.n;
		h.regions_first = h.regions_count ? emit_items(p, &tb, pool, &p->regions) : 0;
	}

	/* PCRE2 blob: the stored patterns, in PATS order */
	uint8_t *blob = NULL;
	PCRE2_SIZE blob_size = 0;
	uint32_t nstored = tb.n[ALC_PT_PATS];
	if (nstored && !rc) {
		const pcre2_code **codes = cc_xmalloc(nstored * sizeof *codes);
		for (size_t i = 0; i < p->npats; i++)
			if (p->pats[i].out != ALC_NONE)
				codes[p->pats[i].out] = p->pats[i].code;
		int32_t n = pcre2_serialize_encode(codes, (int32_t)nstored, &blob,
		                                   &blob_size, NULL);
		free(codes);
		if (n < 0) {   /* the runtime compiles from the sources instead */
			blob = NULL;
			blob_size = 0;
		}
	}

	/* assemble */
	h.magic = ALC_POLICY_MAGIC;
	h.version = ALC_POLICY_VERSION;
	h.digest_lo = p->digest_lo;
	h.digest_hi = p->digest_hi;
	h.source = S(pool, p->display);
	char ver[64] = "";
	pcre2_config(PCRE2_CONFIG_VERSION, ver);
	h.pcre2_version = S(pool, ver);
	for (unsigned lv = ALC_RISK_LOW; lv <= ALC_RISK_CRITICAL; lv++)
		h.defaults[lv] = p->defaults[lv];
	size_t off = sizeof h;
	for (unsigned t = 0; t < ALC_PT_COUNT; t++) {
		off = (off + 7) & ~(size_t)7;
		if (tb.n[t]) {
			h.tables[t].off = (uint32_t)off;
			h.tables[t].count = tb.n[t];
		}
		off += tb.t[t].len;
	}
	off = (off + 7) & ~(size_t)7;
	if (blob_size) {
		h.blob_off = (uint32_t)off;
		h.blob_size = (uint32_t)blob_size;
		off += blob_size;
	}
	h.size = (uint32_t)off;
	if (!rc) {
		cc_buf_reserve(section, off);
		memset(section->p, 0, off);
		memcpy(section->p, &h, sizeof h);
		for (unsigned t = 0; t < ALC_PT_COUNT; t++)
			if (tb.n[t])
				memcpy(section->p + h.tables[t].off, tb.t[t].p, tb.t[t].len);
		if (blob_size)
			memcpy(section->p + h.blob_off, blob, blob_size);
		section->len = off;
	}
	if (blob)
		pcre2_serialize_free(blob);
	p->stats.rules = tb.n[ALC_PT_RULES];
	p->stats.conds = tb.n[ALC_PT_CONDS];
	p->stats.patterns = tb.n[ALC_PT_PATS];
	p->stats.classes = tb.n[ALC_PT_CLASSES];
	p->stats.section_bytes = off;
	for (unsigned t = 0; t < ALC_PT_COUNT; t++)
		cc_buf_free(&tb.t[t]);
	return rc;
}

void cc_policy_stats_get(const cc_policy *p, cc_policy_stats *st)
{
	*st = p->stats;
}

const char *cc_policy_default_path(const char *source_dir)
{
	static char path[4096];
	return cc_data_path("AIRLOCK_POLICY_DEFAULT", source_dir, "policy/default.yaml",
	                    "default.yaml", path, sizeof path);
}

/* ---- airlock-compile policy check ------------------------------------- */

int cc_cmd_policy(int argc, char **argv)
{
	const char *catalog = NULL, *file = NULL;
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		goto usage;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc)
			catalog = argv[++i];
		else if (argv[i][0] == '-' || file)
			goto usage;
		else
			file = argv[i];
	}
	if (!catalog || !file)
		goto usage;
	alc_catalog cat;
	alc_diag d;
	int rc = alc_open(&cat, catalog, &d);
	if (rc) {
		fprintf(stderr, "airlock-compile: %s: %s: %s\n", catalog,
		        al_strerror(rc), d.msg);
		return 1;
	}
	cc_buf diag = { 0 };
	cc_policy *p = NULL;
	rc = cc_policy_load(&p, file, NULL, &cat, &diag);
	if (!rc) {
		cc_pool pool;
		cc_pool_init(&pool);
		cc_buf sec = { 0 };
		uint32_t *risk = cc_xcalloc(cat.nops + 1, sizeof *risk);
		rc = cc_policy_emit(p, &cat, &pool, &sec, risk, &diag);
		if (!rc)
			printf("%s: ok: %u rules, %u conditions, %u stored patterns, %u "
			       "operation classes, %zu bytes compiled\n", file,
			       p->stats.rules, p->stats.conds, p->stats.patterns,
			       p->stats.classes, p->stats.section_bytes);
		free(risk);
		cc_buf_free(&sec);
		cc_pool_free(&pool);
	}
	cc_buf_write(&diag, stderr);
	cc_buf_free(&diag);
	cc_policy_free(p);
	alc_close(&cat);
	return rc ? 1 : 0;
usage:
	fprintf(stderr, "usage: airlock-compile policy check --catalog FILE.alc "
	        "POLICY.yaml\n");
	return 2;
}
