/*
 * cc_diff.c -- see cc_diff.h.
 *
 * The walk.  Services are matched by canonical key and operations by name
 * through sorted merges (the catalogs are sorted already, but sorting our
 * own index arrays costs nothing and keeps a hand-made catalog from
 * confusing the merge).  Structure members and enum values are matched
 * the same way, on a scratch stack of (name, index) pairs, so no step is
 * quadratic in a shape's member count.
 *
 * Shapes are compared in pairs (old shape, new shape) by a depth-first
 * walk whose visited set is keyed by the pair: a recursive shape meets its
 * own pair again and stops.  The depth of each pair still being compared
 * is kept, and every pair returns the smallest depth of an unfinished pair
 * its comparison reached (Tarjan's lowlink).  A pair that found no change
 * and reached no unfinished pair above it is equal whatever its context,
 * so it goes into a set that lives for the whole run: the next operation
 * that uses it skips it.  A pair that depends on an unfinished ancestor
 * (a cycle) is marked conditional and never makes its users equal.
 *
 * Bounds: every pair is expanded at most once per operation side, each
 * expansion is linear in its member count plus a sort; the depth of the
 * C recursion is at most CC_DIFF_MAX_DEPTH (a deeper path is an error,
 * not a silent cut).
 */
#include "cc_diff.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "alc_err.h"
#include "alc_partitions.h"
#include "alc_policy.h"
#include "alc_rules.h"
#include "cc_util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_names[] = {
#define CC_DK_NAME_(id, name) name,
	CC_DIFF_KINDS(CC_DK_NAME_)
#undef CC_DK_NAME_
};
_Static_assert(NELEM(kind_names) == CC_DK_COUNT, "kind_names: one per kind");

static const char *const type_names[] = {
	"?", "blob", "boolean", "string", "byte", "short", "integer", "long",
	"float", "double", "bigInteger", "bigDecimal", "timestamp", "document",
	"enum", "intEnum", "list", "map", "structure", "union",
};
_Static_assert(NELEM(type_names) == ALC_T_COUNT, "type_names: one per type");

static const char *const proto_names[] = {
	"none", "awsJson1_0", "awsJson1_1", "restJson1", "restXml", "awsQuery",
	"ec2Query",
};
_Static_assert(NELEM(proto_names) == ALC_PROTO_COUNT, "proto_names: one per protocol");

const char *cc_diff_kind_name(unsigned kind)
{
	return kind < CC_DK_COUNT ? kind_names[kind] : "?";
}

static const char *type_name(uint32_t t)
{
	return t < ALC_T_COUNT ? type_names[t] : "?";
}

/* ---- the result -------------------------------------------------------- */

struct cc_diff {
	cc_diff_change *v;
	size_t n, cap;
	cc_arena arena;          /* path / old / new strings */
	uint32_t svc_added, svc_removed, svc_changed;
	uint32_t op_added, op_removed, op_changed;
	uint32_t kinds[CC_DK_COUNT];
};

void cc_diff_free(cc_diff *d)
{
	if (!d)
		return;
	free(d->v);
	cc_arena_free(&d->arena);
	free(d);
}

size_t cc_diff_count(const cc_diff *d)
{
	return d->n;
}

const cc_diff_change *cc_diff_get(const cc_diff *d, size_t i)
{
	return i < d->n ? &d->v[i] : NULL;
}

/* ---- walk state -------------------------------------------------------- */

typedef struct named {
	const char *name;
	uint32_t idx;
	int32_t ival;            /* intEnum values */
} named;

enum { V_OPEN = 1, V_DONE = 2 };

typedef struct vslot {
	uint64_t key;            /* old shape << 32 | new shape */
	uint32_t gen;            /* == walk.gen: in use for this side */
	uint16_t depth;          /* depth while open */
	uint8_t state;           /* V_OPEN / V_DONE */
	uint8_t unsure;          /* done: changed beneath, or conditional */
} vslot;

#define LOW_NONE UINT32_MAX
#define PF_CONDITIONAL ALC_EFFECT_COUNT  /* beyond the alc_effect values */

typedef struct pfacts {
	unsigned risk, write, effect;
	cc_buf rule, tags;       /* NUL-terminated text */
	char approval[64];
} pfacts;

typedef struct walk {
	const alc_catalog *a, *b;
	alc_policy pa, pb;
	int has_pa, has_pb;
	cc_diff *d;
	const char *svc, *op;    /* names of the records being compared */
	char *path;              /* the shape path, NUL-terminated */
	size_t plen, pcap;
	uint32_t depth;
	vslot *vis;              /* visited pairs of this operation side */
	size_t vcap, vlive;
	uint32_t gen;
	uint64_t *eq;            /* pairs known equal, stored as key + 1 */
	size_t eqcap, eqlive;
	named *scr;              /* scratch stack for sorted merges */
	size_t nscr, capscr;
	pfacts fa, fb;
	int err;
	char *errbuf;
	size_t errcap;
} walk;

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/* ---- reporting --------------------------------------------------------- */

static const char *keep(cc_diff *d, const char *s)
{
	return s ? cc_arena_strdup(&d->arena, s) : NULL;
}

static void report(walk *w, unsigned kind, const char *path, const char *old,
                   const char *new_)
{
	cc_diff *d = w->d;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = cc_xrealloc(d->v, d->cap * sizeof *d->v);
	}
	cc_diff_change *c = &d->v[d->n++];
	c->kind = kind;
	c->service = w->svc;
	c->operation = w->op;
	c->path = keep(d, path);
	c->old_value = keep(d, old);
	c->new_value = keep(d, new_);
	d->kinds[kind]++;
}

/* Report KIND at PATH when the two texts differ (NULL == absent). */
static int differ(const char *x, const char *y)
{
	if (!x || !y)
		return x != y;
	return strcmp(x, y) != 0;
}

static void fact(walk *w, unsigned kind, const char *path, const char *old,
                 const char *new_)
{
	if (differ(old, new_))
		report(w, kind, path, old, new_);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void hex128(char out[33], uint64_t hi, uint64_t lo)
{
	snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, hi, lo);
}

/* ---- the shape path ---------------------------------------------------- */

static size_t path_push(walk *w, const char *sep, const char *name)
{
	size_t old = w->plen, ls = strlen(sep), ln = strlen(name);
	if (w->plen + ls + ln + 1 > w->pcap) {
		while (w->plen + ls + ln + 1 > w->pcap)
			w->pcap = w->pcap ? w->pcap * 2 : 256;
		w->path = cc_xrealloc(w->path, w->pcap);
	}
	memcpy(w->path + w->plen, sep, ls);
	memcpy(w->path + w->plen + ls, name, ln);
	w->plen += ls + ln;
	w->path[w->plen] = '\0';
	return old;
}

static void path_pop(walk *w, size_t len)
{
	w->plen = len;
	w->path[len] = '\0';
}

/* ---- the pair sets ----------------------------------------------------- */

static void vis_grow(walk *w)
{
	size_t ncap = w->vcap ? w->vcap * 2 : 1024;
	vslot *nv = cc_xcalloc(ncap, sizeof *nv);
	for (size_t i = 0; i < w->vcap; i++) {
		const vslot *s = &w->vis[i];
		if (s->gen != w->gen)
			continue;
		for (size_t j = mix64(s->key) & (ncap - 1);; j = (j + 1) & (ncap - 1))
			if (nv[j].gen != w->gen) {
				nv[j] = *s;
				break;
			}
	}
	free(w->vis);
	w->vis = nv;
	w->vcap = ncap;
}

/* The slot of KEY in this side's visited set; a new one when INSERT (and
 * then the table may move: hold no slot pointer across an insert). */
static vslot *vis_find(walk *w, uint64_t key, int insert)
{
	if (insert && (w->vlive + 1) * 2 > w->vcap)
		vis_grow(w);
	size_t mask = w->vcap - 1;
	for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) { /* bound: <= 50% full */
		vslot *s = &w->vis[i];
		if (s->gen != w->gen) {
			if (!insert)
				return NULL;
			memset(s, 0, sizeof *s);
			s->gen = w->gen;
			s->key = key;
			w->vlive++;
			return s;
		}
		if (s->key == key)
			return s;
	}
}

static int eq_has(const walk *w, uint64_t key)
{
	if (!w->eqcap)
		return 0;
	size_t mask = w->eqcap - 1;
	for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
		if (w->eq[i] == 0)
			return 0;
		if (w->eq[i] == key + 1)
			return 1;
	}
}

static void eq_add(walk *w, uint64_t key)
{
	if ((w->eqlive + 1) * 2 > w->eqcap) {
		size_t ncap = w->eqcap ? w->eqcap * 2 : 4096;
		uint64_t *ne = cc_xcalloc(ncap, sizeof *ne);
		for (size_t i = 0; i < w->eqcap; i++) {
			if (!w->eq[i])
				continue;
			size_t j = mix64(w->eq[i] - 1) & (ncap - 1);
			while (ne[j])
				j = (j + 1) & (ncap - 1);
			ne[j] = w->eq[i];
		}
		free(w->eq);
		w->eq = ne;
		w->eqcap = ncap;
	}
	size_t mask = w->eqcap - 1, i = mix64(key) & mask;
	while (w->eq[i] && w->eq[i] != key + 1)
		i = (i + 1) & mask;
	if (!w->eq[i]) {
		w->eq[i] = key + 1;
		w->eqlive++;
	}
}

/* ---- scratch ------------------------------------------------------------ */

static void scr_push(walk *w, const char *name, uint32_t idx, int32_t ival)
{
	if (w->nscr == w->capscr) {
		w->capscr = w->capscr ? w->capscr * 2 : 256;
		w->scr = cc_xrealloc(w->scr, w->capscr * sizeof *w->scr);
	}
	w->scr[w->nscr++] = (named){ name, idx, ival };
}

static int cmp_named(const void *x, const void *y)
{
	const named *p = x, *q = y;
	int c = strcmp(p->name, q->name);
	return c ? c : (p->idx > q->idx) - (p->idx < q->idx);
}

static void scr_sort(walk *w, size_t from)
{
	if (w->nscr - from > 1)
		qsort(w->scr + from, w->nscr - from, sizeof *w->scr, cmp_named);
}

/* ---- constraints ------------------------------------------------------- */

/* The constraints in force on a member: each trait (length, range,
 * pattern) of the member replaces the target's, as Smithy applies member
 * traits. */
typedef struct econs {
	const alc_cons *len, *range, *pattern;
} econs;

static void econs_of(const alc_catalog *c, const alc_member *m, uint32_t target,
                     econs *e)
{
	memset(e, 0, sizeof *e);
	const alc_cons *layer[2] = { NULL, NULL };
	if (target != ALC_NONE && c->shapes[target].cons != ALC_NONE)
		layer[0] = &c->cons[c->shapes[target].cons];
	const alc_member_ext *x = m ? alc_member_ext_of(c, m) : NULL;
	if (x && x->cons != ALC_NONE)
		layer[1] = &c->cons[x->cons];
	for (int i = 0; i < 2; i++) {
		const alc_cons *k = layer[i];
		if (!k)
			continue;
		if (k->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX))
			e->len = k;
		if (k->flags & (ALC_C_RANGE_MIN | ALC_C_RANGE_MAX))
			e->range = k;
		if (k->flags & ALC_C_PATTERN)
			e->pattern = k;
	}
}

static const char *len_text(const alc_cons *k, char *buf, size_t cap)
{
	if (!k)
		return NULL;
	char lo[24] = "", hi[24] = "";
	if (k->flags & ALC_C_LEN_MIN)
		snprintf(lo, sizeof lo, "%" PRId64, k->len_min);
	if (k->flags & ALC_C_LEN_MAX)
		snprintf(hi, sizeof hi, "%" PRId64, k->len_max);
	snprintf(buf, cap, "%s..%s", lo, hi);
	return buf;
}

static void bound_text(const alc_catalog *c, uint32_t text, double v, char *buf,
                       size_t cap)
{
	/* the bound as written; the double when the record has no text */
	if (*alc_str(c, text))
		snprintf(buf, cap, "%s", alc_str(c, text));
	else
		snprintf(buf, cap, "%.17g", v);
}

static const char *range_text(const alc_catalog *c, const alc_cons *k, char *buf,
                              size_t cap)
{
	if (!k)
		return NULL;
	char lo[64] = "", hi[64] = "";
	if (k->flags & ALC_C_RANGE_MIN)
		bound_text(c, k->range_min_text, k->range_min, lo, sizeof lo);
	if (k->flags & ALC_C_RANGE_MAX)
		bound_text(c, k->range_max_text, k->range_max, hi, sizeof hi);
	snprintf(buf, cap, "%s..%s", lo, hi);
	return buf;
}

static int len_same(const alc_cons *x, const alc_cons *y)
{
	if (!x || !y)
		return x == y;
	uint32_t fx = x->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX);
	if (fx != (y->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX)))
		return 0;
	return (!(fx & ALC_C_LEN_MIN) || x->len_min == y->len_min) &&
	       (!(fx & ALC_C_LEN_MAX) || x->len_max == y->len_max);
}

/* The same bounds: the same text as written and the same value. */
static int range_same(const alc_catalog *ca, const alc_cons *x,
                      const alc_catalog *cb, const alc_cons *y)
{
	if (!x || !y)
		return x == y;
	uint32_t fx = x->flags & (ALC_C_RANGE_MIN | ALC_C_RANGE_MAX);
	if (fx != (y->flags & (ALC_C_RANGE_MIN | ALC_C_RANGE_MAX)))
		return 0;
	if ((fx & ALC_C_RANGE_MIN) &&
	    (x->range_min != y->range_min ||
	     strcmp(alc_str(ca, x->range_min_text), alc_str(cb, y->range_min_text))))
		return 0;
	if ((fx & ALC_C_RANGE_MAX) &&
	    (x->range_max != y->range_max ||
	     strcmp(alc_str(ca, x->range_max_text), alc_str(cb, y->range_max_text))))
		return 0;
	return 1;
}

/* ---- shapes ------------------------------------------------------------ */

static uint32_t cmp_shape(walk *w, uint32_t a, uint32_t b, int *unsure);

static const char *target_desc(const alc_catalog *c, const alc_member *m,
                               int in_struct, char *buf, size_t cap)
{
	const char *t = m->target == ALC_NONE ? "unit"
	                : type_name(c->shapes[m->target].type);
	snprintf(buf, cap, "%s%s", t,
	         in_struct && (m->flags & ALC_M_REQUIRED) ? ", required" : "");
	return buf;
}

static int is_sensitive(const alc_catalog *c, const alc_member *m, uint32_t t)
{
	return (m && (m->flags & ALC_M_SENSITIVE)) ||
	       (t != ALC_NONE && (c->shapes[t].flags & ALC_SH_SENSITIVE));
}

/* One edge: the member MA of the old shape (NULL at the root) with target
 * TA, against MB / TB.  IN_STRUCT: the members of a structure (required
 * and default apply). */
static uint32_t cmp_edge(walk *w, const alc_member *ma, uint32_t ta,
                         const alc_member *mb, uint32_t tb, int in_struct,
                         int *unsure)
{
	const alc_catalog *A = w->a, *B = w->b;
	const char *path = w->path;
	if (in_struct) {
		int ra = (ma->flags & ALC_M_REQUIRED) != 0;
		int rb = (mb->flags & ALC_M_REQUIRED) != 0;
		if (ra != rb)
			report(w, CC_DK_REQUIRED, path, ra ? "true" : "false",
			       rb ? "true" : "false");
		const alc_member_ext *xa = alc_member_ext_of(A, ma);
		const alc_member_ext *xb = alc_member_ext_of(B, mb);
		fact(w, CC_DK_DEFAULT, path,
		     nonempty(xa ? alc_str(A, xa->default_json) : NULL),
		     nonempty(xb ? alc_str(B, xb->default_json) : NULL));
	}
	int sa = is_sensitive(A, ma, ta), sb = is_sensitive(B, mb, tb);
	if (sa != sb)
		report(w, CC_DK_SENSITIVE, path, sa ? "true" : "false",
		       sb ? "true" : "false");
	econs ea, eb;
	econs_of(A, ma, ta, &ea);
	econs_of(B, mb, tb, &eb);
	char x[160], y[160];
	/* texts only for a difference: formatting every edge's bounds would
	 * cost more than the rest of the walk */
	if (!len_same(ea.len, eb.len))
		fact(w, CC_DK_LENGTH, path, len_text(ea.len, x, sizeof x),
		     len_text(eb.len, y, sizeof y));
	if (!range_same(A, ea.range, B, eb.range))
		fact(w, CC_DK_RANGE, path, range_text(A, ea.range, x, sizeof x),
		     range_text(B, eb.range, y, sizeof y));
	fact(w, CC_DK_PATTERN, path,
	     ea.pattern ? alc_str(A, ea.pattern->pattern) : NULL,
	     eb.pattern ? alc_str(B, eb.pattern->pattern) : NULL);
	return cmp_shape(w, ta, tb, unsure);
}

static void enum_values(walk *w, const alc_catalog *c, const alc_shape *s)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &c->members[s->first_member + i];
		if (s->type == ALC_T_ENUM)
			scr_push(w, alc_str(c, m->aux), i, 0);
		else
			scr_push(w, alc_str(c, m->name), i, (int32_t)m->aux);
	}
}

/* Enum values by value; intEnum values by name (a changed number is the
 * old value removed and the new one added). */
static void cmp_enum(walk *w, const alc_shape *sa, const alc_shape *sb)
{
	size_t base = w->nscr;
	enum_values(w, w->a, sa);
	size_t mid = w->nscr;
	enum_values(w, w->b, sb);
	size_t end = w->nscr;
	qsort(w->scr + base, mid - base, sizeof *w->scr, cmp_named);
	qsort(w->scr + mid, end - mid, sizeof *w->scr, cmp_named);
	int ints = sa->type == ALC_T_INTENUM;
	char t[320];
	size_t i = base, j = mid;
	while (i < mid || j < end) { /* bound: the two value counts */
		const named *p = i < mid ? &w->scr[i] : NULL;
		const named *q = j < end ? &w->scr[j] : NULL;
		int c = !p ? 1 : !q ? -1 : strcmp(p->name, q->name);
		if (c == 0 && (!ints || p->ival == q->ival)) {
			i++, j++;
			continue;
		}
		if (c <= 0) {
			if (ints)
				snprintf(t, sizeof t, "%s=%" PRId32, p->name, p->ival);
			report(w, CC_DK_ENUM_REMOVED, w->path, ints ? t : p->name, NULL);
			i++;
		}
		if (c >= 0) {
			if (ints)
				snprintf(t, sizeof t, "%s=%" PRId32, q->name, q->ival);
			report(w, CC_DK_ENUM_ADDED, w->path, NULL, ints ? t : q->name);
			j++;
		}
	}
	w->nscr = base;
}

static uint32_t min32(uint32_t x, uint32_t y)
{
	return x < y ? x : y;
}

static void struct_members(walk *w, const alc_catalog *c, const alc_shape *s)
{
	for (uint32_t i = 0; i < s->member_count; i++)
		scr_push(w, alc_str(c, c->members[s->first_member + i].name),
		         s->first_member + i, 0);
}

static uint32_t cmp_struct(walk *w, const alc_shape *sa, const alc_shape *sb,
                           int *unsure)
{
	const alc_catalog *A = w->a, *B = w->b;
	int in_struct = sa->type == ALC_T_STRUCTURE;
	size_t base = w->nscr;
	struct_members(w, A, sa);
	size_t mid = w->nscr;
	struct_members(w, B, sb);
	size_t end = w->nscr;
	qsort(w->scr + base, mid - base, sizeof *w->scr, cmp_named);
	qsort(w->scr + mid, end - mid, sizeof *w->scr, cmp_named);
	uint32_t low = LOW_NONE;
	char t[64];
	size_t i = base, j = mid;
	/* bound: the two member counts; w->scr may move while recursing, so
	 * entries are read by index each time */
	while ((i < mid || j < end) && !w->err) {
		const char *pn = i < mid ? w->scr[i].name : NULL;
		const char *qn = j < end ? w->scr[j].name : NULL;
		int c = !pn ? 1 : !qn ? -1 : strcmp(pn, qn);
		if (c < 0) {
			const alc_member *m = &A->members[w->scr[i].idx];
			size_t l = path_push(w, ".", pn);
			report(w, CC_DK_MEMBER_REMOVED, w->path,
			       target_desc(A, m, in_struct, t, sizeof t), NULL);
			path_pop(w, l);
			i++;
		} else if (c > 0) {
			const alc_member *m = &B->members[w->scr[j].idx];
			size_t l = path_push(w, ".", qn);
			report(w, CC_DK_MEMBER_ADDED, w->path, NULL,
			       target_desc(B, m, in_struct, t, sizeof t));
			path_pop(w, l);
			j++;
		} else {
			const alc_member *ma = &A->members[w->scr[i].idx];
			const alc_member *mb = &B->members[w->scr[j].idx];
			size_t l = path_push(w, ".", pn);
			low = min32(low, cmp_edge(w, ma, ma->target, mb, mb->target,
			                          in_struct, unsure));
			path_pop(w, l);
			i++, j++;
		}
	}
	w->nscr = base;
	return low;
}

static uint32_t cmp_body(walk *w, uint32_t a, uint32_t b, int *unsure)
{
	const alc_catalog *A = w->a, *B = w->b;
	const alc_shape *sa = &A->shapes[a], *sb = &B->shapes[b];
	if (sa->type != sb->type) {
		report(w, CC_DK_TYPE, w->path, type_name(sa->type), type_name(sb->type));
		return LOW_NONE;
	}
	uint32_t low = LOW_NONE;
	size_t l;
	switch (sa->type) {
	case ALC_T_ENUM:
	case ALC_T_INTENUM:
		cmp_enum(w, sa, sb);
		break;
	case ALC_T_LIST: {
		const alc_member *ma = &A->members[sa->first_member];
		const alc_member *mb = &B->members[sb->first_member];
		l = path_push(w, "[]", "");
		low = cmp_edge(w, ma, ma->target, mb, mb->target, 0, unsure);
		path_pop(w, l);
		break;
	}
	case ALC_T_MAP: {
		const alc_member *ka = &A->members[sa->first_member];
		const alc_member *kb = &B->members[sb->first_member];
		l = path_push(w, "{key}", "");
		low = cmp_edge(w, ka, ka->target, kb, kb->target, 0, unsure);
		path_pop(w, l);
		if (w->err)
			break;
		l = path_push(w, "{}", "");
		low = min32(low, cmp_edge(w, ka + 1, ka[1].target, kb + 1,
		                          kb[1].target, 0, unsure));
		path_pop(w, l);
		break;
	}
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		low = cmp_struct(w, sa, sb, unsure);
		break;
	default:
		break;
	}
	return low;
}

/* Compare shape A of the old catalog with B of the new at w->path.
 * Returns the smallest depth of an unfinished pair the comparison reached
 * (LOW_NONE: none); sets *UNSURE when a change was found beneath, or a pair
 * reached could not be proven equal on its own. */
static uint32_t cmp_shape(walk *w, uint32_t a, uint32_t b, int *unsure)
{
	if (w->err)
		return LOW_NONE;
	if (a == ALC_NONE || b == ALC_NONE) {
		if (a != b) {
			report(w, CC_DK_TYPE, w->path,
			       a == ALC_NONE ? "unit" : type_name(w->a->shapes[a].type),
			       b == ALC_NONE ? "unit" : type_name(w->b->shapes[b].type));
			*unsure = 1;
		}
		return LOW_NONE;
	}
	uint64_t key = (uint64_t)a << 32 | b;
	if (eq_has(w, key))
		return LOW_NONE;
	vslot *s = vis_find(w, key, 0);
	if (s) {
		if (s->state == V_OPEN)
			return s->depth;
		if (s->unsure)
			*unsure = 1;
		return LOW_NONE;
	}
	if (w->depth >= CC_DIFF_MAX_DEPTH) {
		snprintf(w->errbuf, w->errcap, "%s:%s: shapes nest deeper than %d "
		         "levels, at %.200s%s", w->svc, w->op, CC_DIFF_MAX_DEPTH,
		         w->path, w->plen > 200 ? "..." : "");
		w->err = AL_ETOOBIG;
		return LOW_NONE;
	}
	uint32_t my = w->depth;
	s = vis_find(w, key, 1);
	s->state = V_OPEN;
	s->depth = (uint16_t)my;
	w->depth++;
	size_t before = w->d->n;
	int sub = 0;
	uint32_t low = cmp_body(w, a, b, &sub);
	w->depth--;
	int changed = sub || w->d->n != before;
	int conditional = low < my;
	s = vis_find(w, key, 0); /* the table may have moved */
	s->state = V_DONE;
	s->unsure = (uint8_t)(changed || conditional);
	if (changed || conditional)
		*unsure = 1;
	else if (!w->err)
		eq_add(w, key);
	return conditional ? low : LOW_NONE;
}

/* Compare one side (input or output) of an operation. */
static void cmp_root(walk *w, const char *side, uint32_t ta, uint32_t tb)
{
	path_pop(w, 0);
	path_push(w, side, "");
	w->gen++;
	w->vlive = 0;
	w->depth = 0;
	int unsure = 0;
	cmp_edge(w, NULL, ta, NULL, tb, 0, &unsure);
}

/* ---- policy ------------------------------------------------------------ */

static void buf_clear(cc_buf *b)
{
	cc_buf_reserve(b, 1);
	b->len = 0;
	b->p[0] = '\0';
}

/* The policy's outcome for OP as the compiler resolved it (cc_diff.h). */
static void pfacts_of(walk *w, const alc_catalog *c, const alc_policy *pol,
                      int has, const alc_operation *op, pfacts *f)
{
	buf_clear(&f->rule);
	buf_clear(&f->tags);
	f->approval[0] = '\0';
	if (!has) {
		/* the runtime refuses every call of a catalog without policy */
		f->risk = ALC_RISK_NONE;
		f->write = !alc_op_is_read(alc_str(c, op->name), op->flags);
		f->effect = ALC_EFFECT_DENY;
		cc_buf_printf(&f->rule, "no-policy");
		return;
	}
	uint32_t r = op->risk, lvl = r & ALC_OPRISK_LEVEL;
	uint32_t ci = r >> ALC_OPRISK_CLASS_SHIFT;
	f->risk = lvl;
	f->write = (r & ALC_OPRISK_WRITE) != 0;
	const alc_pclass *cls = ci < pol->nclasses ? &pol->classes[ci] : NULL;
	if (!cls || cls->ref_count == 0) {
		f->effect = pol->hdr->defaults[lvl < ALC_RISK_COUNT ? lvl : 0];
		cc_buf_printf(&f->rule, "default");
	} else if (cls->static_effect != ALC_EFFECT_NONE) {
		f->effect = cls->static_effect;
		cc_buf_printf(&f->rule, "%s", cls->static_rule < pol->nrules
		              ? alc_str(c, pol->rules[cls->static_rule].id) : "?");
	} else {
		f->effect = PF_CONDITIONAL;
		for (uint32_t i = 0; i < cls->ref_count; i++) {
			uint32_t ri = pol->refs[cls->ref_first + i];
			cc_buf_printf(&f->rule, "%s%s", i ? "," : "",
			              alc_str(c, pol->rules[ri].id));
		}
	}
	/* required tag keys of the tags rules the class lists, sorted */
	size_t base = w->nscr;
	for (uint32_t i = 0; cls && i < cls->ref_count; i++) {
		const alc_prule *pr = &pol->rules[pol->refs[cls->ref_first + i]];
		if (pr->kind != ALC_PRULE_TAGS)
			continue;
		for (uint32_t t = 0; t < pr->tag_count; t++)
			scr_push(w, alc_str(c, pol->tags[pr->tag_first + t].key), t, 0);
	}
	scr_sort(w, base);
	for (size_t i = base; i < w->nscr; i++)
		if (i == base || strcmp(w->scr[i].name, w->scr[i - 1].name) != 0)
			cc_buf_printf(&f->tags, "%s%s", i > base ? "," : "", w->scr[i].name);
	w->nscr = base;
	/* approvals with no environment known */
	size_t cell = (size_t)pol->nenvs * 4 + lvl - 1;
	const alc_papproval *ap = lvl >= ALC_RISK_LOW && lvl <= ALC_RISK_CRITICAL &&
	                          cell < pol->napprovals ? &pol->approvals[cell] : NULL;
	if (f->effect == ALC_EFFECT_ALLOW && ap && ap->required)
		f->effect = ALC_EFFECT_APPROVAL;
	if (f->effect == ALC_EFFECT_APPROVAL && ap)
		snprintf(f->approval, sizeof f->approval, "%u approver%s, ttl %" PRIu32 " s",
		         (unsigned)ap->approvers, ap->approvers == 1 ? "" : "s", ap->ttl);
}

static const char *effect_text(unsigned e)
{
	return e == PF_CONDITIONAL ? "conditional" : alc_effect_name(e);
}

static const char *access_text(unsigned write)
{
	return write ? "write" : "read";
}

/* "high write, deny" -- an added or removed operation's outcome. */
static const char *pfacts_brief(const pfacts *f, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s, %s", alc_risk_name(f->risk), access_text(f->write),
	         effect_text(f->effect));
	return buf;
}

static void cmp_policy(walk *w)
{
	const pfacts *x = &w->fa, *y = &w->fb;
	fact(w, CC_DK_RISK, NULL, alc_risk_name(x->risk), alc_risk_name(y->risk));
	fact(w, CC_DK_ACCESS, NULL, access_text(x->write), access_text(y->write));
	fact(w, CC_DK_DECISION, NULL, effect_text(x->effect), effect_text(y->effect));
	fact(w, CC_DK_RULE, NULL, (const char *)x->rule.p, (const char *)y->rule.p);
	if (x->effect == ALC_EFFECT_APPROVAL && y->effect == ALC_EFFECT_APPROVAL)
		fact(w, CC_DK_APPROVAL, NULL, x->approval, y->approval);
	fact(w, CC_DK_TAGS, NULL, nonempty((const char *)x->tags.p),
	     nonempty((const char *)y->tags.p));
}

/* ---- operations and services ------------------------------------------ */

static const char *http_text(const alc_catalog *c, const alc_operation *op,
                             char *buf, size_t cap)
{
	const char *m = alc_str(c, op->http_method), *u = alc_str(c, op->http_uri);
	if (!*m && !*u && op->http_code == 200)
		return NULL;
	snprintf(buf, cap, "%s %s %" PRIu32, m, u, op->http_code);
	return buf;
}

/* The read mapping (alc_op_readmap) as "update: DescribeStacks Stacks[0]
 * (StackName=StackName)"; NULL when the operation has none.  How the
 * compiler found it (lifecycle, verb/noun, override) is left out: the
 * mapping is what a plan's Diff uses. */
static const char *readmap_text(const alc_catalog *c, const alc_operation *op,
                                char *buf, size_t cap)
{
	static const char *const kinds[] = { "?", "create", "update", "delete", "other" };
	alc_readmap rm;
	if (!alc_op_readmap(c, op, &rm))
		return NULL;
	size_t n = (size_t)snprintf(buf, cap, "%s: %s%s%s (",
	                            rm.kind < NELEM(kinds) ? kinds[rm.kind] : "?",
	                            alc_str(c, rm.read->name), *rm.state_path ? " " : "",
	                            rm.state_path);
	for (uint32_t i = 0; i < rm.nargs && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s=%s%s", i ? ", " : "",
		                      rm.args[i].to, rm.args[i].from,
		                      rm.args[i].flags & ALC_RMA_LIST ? "[]" : "");
	if (n < cap)
		snprintf(buf + n, cap - n, ")");
	return buf;
}

static const char *paging_text(const alc_catalog *c, const alc_operation *op,
                               char *buf, size_t cap)
{
	if (!op->pg_input_token && !op->pg_output_token && !op->pg_items &&
	    !op->pg_page_size)
		return NULL;
	snprintf(buf, cap, "input-token=%s output-token=%s items=%s page-size=%s",
	         alc_str(c, op->pg_input_token), alc_str(c, op->pg_output_token),
	         alc_str(c, op->pg_items), alc_str(c, op->pg_page_size));
	return buf;
}

static const char *idem_text(const alc_catalog *c, const alc_operation *op)
{
	return op->idem_member == ALC_NONE ? NULL
	       : alc_str(c, c->members[op->idem_member].name);
}

static void op_errors(walk *w, const alc_catalog *c, const alc_operation *op)
{
	for (uint32_t i = 0; i < op->error_count; i++)
		scr_push(w, alc_str(c, c->shapes[c->u32[op->first_error + i]].name), i, 0);
}

/* Errors by shape name: what a caller must now handle, or no longer gets. */
static void cmp_errors(walk *w, const alc_operation *oa, const alc_operation *ob)
{
	size_t base = w->nscr;
	op_errors(w, w->a, oa);
	size_t mid = w->nscr;
	op_errors(w, w->b, ob);
	size_t end = w->nscr;
	qsort(w->scr + base, mid - base, sizeof *w->scr, cmp_named);
	qsort(w->scr + mid, end - mid, sizeof *w->scr, cmp_named);
	size_t i = base, j = mid;
	while (i < mid || j < end) { /* bound: the two error counts */
		const char *pn = i < mid ? w->scr[i].name : NULL;
		const char *qn = j < end ? w->scr[j].name : NULL;
		int c = !pn ? 1 : !qn ? -1 : strcmp(pn, qn);
		if (c < 0)
			report(w, CC_DK_ERROR_REMOVED, NULL, pn, NULL);
		else if (c > 0)
			report(w, CC_DK_ERROR_ADDED, NULL, NULL, qn);
		i += c <= 0;
		j += c >= 0;
	}
	w->nscr = base;
}

static void cmp_operation(walk *w, const alc_operation *oa, const alc_operation *ob)
{
	size_t before = w->d->n;
	char x[1024], y[1024];
	fact(w, CC_DK_OP_CHANGED, "http", http_text(w->a, oa, x, sizeof x),
	     http_text(w->b, ob, y, sizeof y));
	fact(w, CC_DK_OP_CHANGED, "pagination", paging_text(w->a, oa, x, sizeof x),
	     paging_text(w->b, ob, y, sizeof y));
	fact(w, CC_DK_OP_CHANGED, "idempotency-token", idem_text(w->a, oa),
	     idem_text(w->b, ob));
	int da = (oa->flags & ALC_OP_DEPRECATED) != 0, db = (ob->flags & ALC_OP_DEPRECATED) != 0;
	if (da != db)
		report(w, CC_DK_OP_CHANGED, "deprecated", da ? "true" : "false",
		       db ? "true" : "false");
	fact(w, CC_DK_OP_CHANGED, "read-mapping", readmap_text(w->a, oa, x, sizeof x),
	     readmap_text(w->b, ob, y, sizeof y));
	cmp_errors(w, oa, ob);
	pfacts_of(w, w->a, &w->pa, w->has_pa, oa, &w->fa);
	pfacts_of(w, w->b, &w->pb, w->has_pb, ob, &w->fb);
	cmp_policy(w);
	cmp_root(w, "input", oa->input, ob->input);
	if (!w->err)
		cmp_root(w, "output", oa->output, ob->output);
	if (w->d->n != before)
		w->d->op_changed++;
}

static const char *auth_text(uint32_t flags)
{
	uint32_t f = flags & (ALC_SVC_SIGV4 | ALC_SVC_BEARER);
	return f == (ALC_SVC_SIGV4 | ALC_SVC_BEARER) ? "sigv4,bearer"
	       : f == ALC_SVC_SIGV4 ? "sigv4" : f == ALC_SVC_BEARER ? "bearer" : "none";
}

/* Digests of the rule sets and the partitions table.  Their records hold
 * string offsets into the catalog's own pool, which differ between any two
 * builds, so the digest is of the content with every string resolved: the
 * rule set as the decoder writes it back to JSON, the partitions table
 * field by field. */
static int xxh_sink(void *ctx, const char *s, size_t n)
{
	return XXH3_128bits_update(ctx, s, n) == XXH_OK ? 0 : AL_ENOMEM;
}

static const char *digest_out(XXH3_state_t *st, char out[33])
{
	XXH128_hash_t h = XXH3_128bits_digest(st);
	hex128(out, h.high64, h.low64);
	return out;
}

static XXH3_state_t *xxh_new(void)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st)
		cc_oom();
	XXH3_128bits_reset(st);
	return st;
}

static const char *rules_digest(const alc_catalog *c, const alc_service *s,
                                char out[33])
{
	if (!s->rules_size)
		return NULL;
	XXH3_state_t *st = xxh_new();
	int rc = alc_rules_to_json(c->rules + s->rules_offset, s->rules_size, c->strs,
	                           c->strs_size, 0, xxh_sink, st);
	const char *r = rc == 0 ? digest_out(st, out) : "undecodable";
	XXH3_freeState(st);
	return r;
}

static const char *model_digest(const alc_catalog *c, const alc_service *s,
                                char out[33])
{
	if (s->manifest >= c->nmanifest)
		return NULL;
	const alc_manifest *m = &c->manifest[s->manifest];
	hex128(out, m->digest_hi, m->digest_lo);
	return out;
}

static void sort_ops(walk *w, const alc_catalog *c, const alc_service *s)
{
	for (uint32_t i = 0; i < s->op_count; i++)
		scr_push(w, alc_str(c, c->ops[s->first_op + i].name), s->first_op + i, 0);
}

static void cmp_service(walk *w, const alc_service *sa, const alc_service *sb)
{
	const alc_catalog *A = w->a, *B = w->b;
	size_t before = w->d->n;
	char x[33], y[33];
	fact(w, CC_DK_SERVICE_CHANGED, "version", alc_str(A, sa->version),
	     alc_str(B, sb->version));
	fact(w, CC_DK_SERVICE_CHANGED, "protocol",
	     sa->protocol < ALC_PROTO_COUNT ? proto_names[sa->protocol] : "?",
	     sb->protocol < ALC_PROTO_COUNT ? proto_names[sb->protocol] : "?");
	fact(w, CC_DK_SERVICE_CHANGED, "signing-name",
	     nonempty(alc_str(A, sa->signing_name)), nonempty(alc_str(B, sb->signing_name)));
	fact(w, CC_DK_SERVICE_CHANGED, "endpoint-prefix",
	     nonempty(alc_str(A, sa->endpoint_prefix)),
	     nonempty(alc_str(B, sb->endpoint_prefix)));
	fact(w, CC_DK_SERVICE_CHANGED, "auth", auth_text(sa->flags), auth_text(sb->flags));
	fact(w, CC_DK_SERVICE_CHANGED, "endpoint-rules", rules_digest(A, sa, x),
	     rules_digest(B, sb, y));
	fact(w, CC_DK_SERVICE_CHANGED, "model", model_digest(A, sa, x),
	     model_digest(B, sb, y));

	/* operations by name: both lists on the scratch stack, merged */
	size_t base = w->nscr;
	sort_ops(w, A, sa);
	size_t mid = w->nscr;
	sort_ops(w, B, sb);
	size_t end = w->nscr;
	qsort(w->scr + base, mid - base, sizeof *w->scr, cmp_named);
	qsort(w->scr + mid, end - mid, sizeof *w->scr, cmp_named);
	char brief[128];
	size_t i = base, j = mid;
	while ((i < mid || j < end) && !w->err) { /* bound: the two op counts */
		const char *pn = i < mid ? w->scr[i].name : NULL;
		const char *qn = j < end ? w->scr[j].name : NULL;
		int c = !pn ? 1 : !qn ? -1 : strcmp(pn, qn);
		if (c < 0) {
			const alc_operation *op = &A->ops[w->scr[i].idx];
			w->op = pn;
			pfacts_of(w, A, &w->pa, w->has_pa, op, &w->fa);
			report(w, CC_DK_OP_REMOVED, NULL,
			       pfacts_brief(&w->fa, brief, sizeof brief), NULL);
			w->d->op_removed++;
			i++;
		} else if (c > 0) {
			const alc_operation *op = &B->ops[w->scr[j].idx];
			w->op = qn;
			pfacts_of(w, B, &w->pb, w->has_pb, op, &w->fb);
			report(w, CC_DK_OP_ADDED, NULL, NULL,
			       pfacts_brief(&w->fb, brief, sizeof brief));
			w->d->op_added++;
			j++;
		} else {
			w->op = qn;
			cmp_operation(w, &A->ops[w->scr[i].idx], &B->ops[w->scr[j].idx]);
			i++, j++;
		}
	}
	w->op = NULL;
	w->nscr = base;
	if (w->d->n != before)
		w->d->svc_changed++;
}

static const char *svc_brief(const alc_catalog *c, const alc_service *s, char *buf,
                             size_t cap)
{
	snprintf(buf, cap, "%s, %" PRIu32 " operation%s", alc_str(c, s->version),
	         s->op_count, s->op_count == 1 ? "" : "s");
	return buf;
}

/* ---- catalog facts ----------------------------------------------------- */

/* VALS [FIRST, FIRST+N) as "a,b,c" into B (NULL when the list is unset). */
static const char *vals_text(const alc_catalog *c, const alc_policy *p, uint32_t set,
                             uint32_t first, uint32_t n, cc_buf *b)
{
	buf_clear(b);
	if (!set)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		const alc_pval *v = &p->vals[first + i];
		const char *s = v->type == ALC_PV_STR ? alc_str(c, v->a)
		                : v->type == ALC_PV_PAT && v->a < p->npats
		                ? alc_str(c, p->pats[v->a].source) : "?";
		cc_buf_printf(b, "%s%s", i ? "," : "", s);
	}
	return (const char *)b->p;
}

static void policy_facts(walk *w)
{
	const alc_catalog *A = w->a, *B = w->b;
	const alc_policy *pa = w->has_pa ? &w->pa : NULL, *pb = w->has_pb ? &w->pb : NULL;
	char x[160], y[160];
	fact(w, CC_DK_CATALOG, "policy", pa ? alc_str(A, pa->hdr->source) : NULL,
	     pb ? alc_str(B, pb->hdr->source) : NULL);
	const char *dx = NULL, *dy = NULL;
	if (pa) {
		hex128(x, pa->hdr->digest_hi, pa->hdr->digest_lo);
		dx = x;
	}
	if (pb) {
		hex128(y, pb->hdr->digest_hi, pb->hdr->digest_lo);
		dy = y;
	}
	fact(w, CC_DK_CATALOG, "policy-digest", dx, dy);
	const alc_policy *ps[2] = { pa, pb };
	char *bufs[2] = { x, y };
	const char *dv[2] = { NULL, NULL };
	for (int k = 0; k < 2; k++) {
		if (!ps[k])
			continue;
		const uint8_t *d = ps[k]->hdr->defaults;
		snprintf(bufs[k], 160, "low=%s,medium=%s,high=%s,critical=%s",
		         alc_effect_name(d[1]), alc_effect_name(d[2]),
		         alc_effect_name(d[3]), alc_effect_name(d[4]));
		dv[k] = bufs[k];
	}
	fact(w, CC_DK_CATALOG, "policy-defaults", dv[0], dv[1]);

	cc_buf ba = { 0 }, bb = { 0 };
	fact(w, CC_DK_CATALOG, "policy-allowed-accounts",
	     pa ? vals_text(A, pa, pa->hdr->flags & ALC_POL_ACCOUNTS,
	                    pa->hdr->accounts_first, pa->hdr->accounts_count, &ba) : NULL,
	     pb ? vals_text(B, pb, pb->hdr->flags & ALC_POL_ACCOUNTS,
	                    pb->hdr->accounts_first, pb->hdr->accounts_count, &bb) : NULL);
	fact(w, CC_DK_CATALOG, "policy-allowed-regions",
	     pa ? vals_text(A, pa, pa->hdr->flags & ALC_POL_REGIONS,
	                    pa->hdr->regions_first, pa->hdr->regions_count, &ba) : NULL,
	     pb ? vals_text(B, pb, pb->hdr->flags & ALC_POL_REGIONS,
	                    pb->hdr->regions_first, pb->hdr->regions_count, &bb) : NULL);
	/* environment names */
	const char *ev[2] = { NULL, NULL };
	cc_buf *eb[2] = { &ba, &bb };
	const alc_catalog *cs[2] = { A, B };
	for (int k = 0; k < 2; k++) {
		buf_clear(eb[k]);
		if (!ps[k])
			continue;
		for (uint32_t i = 0; i < ps[k]->nenvs; i++)
			cc_buf_printf(eb[k], "%s%s", i ? "," : "",
			              alc_str(cs[k], ps[k]->envs[i].name));
		ev[k] = nonempty((const char *)eb[k]->p);
	}
	fact(w, CC_DK_CATALOG, "policy-environments", ev[0], ev[1]);
	cc_buf_free(&ba);
	cc_buf_free(&bb);
}

static void xxh_u32(XXH3_state_t *st, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 24) };
	XXH3_128bits_update(st, b, 4);
}

static void xxh_str(XXH3_state_t *st, const alc_catalog *c, uint32_t off)
{
	const char *s = alc_str(c, off);
	XXH3_128bits_update(st, s, strlen(s) + 1);
}

/* The section was checked at open (alc_partitions_check): counts match
 * its size and every string offset is in the pool. */
static const char *partitions_digest(const alc_catalog *c, char out[33])
{
	if (!c->partitions || !c->partitions_size)
		return NULL;
	const uint8_t *sec = c->partitions;
	const alc_part_header *h = alc_part_hdr(sec);
	XXH3_state_t *st = xxh_new();
	xxh_str(st, c, h->table_version);
	xxh_u32(st, h->partition_count);
	xxh_u32(st, h->region_count);
	xxh_u32(st, h->override_count);
	xxh_u32(st, h->default_partition);
	const alc_partition *p = alc_part_partitions(sec);
	for (uint32_t i = 0; i < h->partition_count; i++) {
		xxh_str(st, c, p[i].id);
		xxh_str(st, c, p[i].region_regex);
		xxh_str(st, c, p[i].name);
		xxh_str(st, c, p[i].dns_suffix);
		xxh_str(st, c, p[i].dual_stack_dns_suffix);
		xxh_str(st, c, p[i].implicit_global_region);
		xxh_u32(st, p[i].flags);
	}
	const alc_part_region *r = alc_part_regions(sec);
	for (uint32_t i = 0; i < h->region_count; i++) {
		xxh_str(st, c, r[i].name);
		xxh_u32(st, r[i].partition);
		xxh_u32(st, r[i].override);
	}
	const alc_part_override *o = alc_part_overrides(sec);
	for (uint32_t i = 0; i < h->override_count; i++) {
		xxh_u32(st, o[i].has);
		xxh_str(st, c, o[i].name);
		xxh_str(st, c, o[i].dns_suffix);
		xxh_str(st, c, o[i].dual_stack_dns_suffix);
		xxh_str(st, c, o[i].implicit_global_region);
		xxh_u32(st, o[i].flags);
	}
	digest_out(st, out);
	XXH3_freeState(st);
	return out;
}

static void catalog_facts(walk *w)
{
	const alc_catalog *A = w->a, *B = w->b;
	char x[33], y[33];
	fact(w, CC_DK_CATALOG, "models-source", nonempty(alc_str(A, A->hdr->models_source)),
	     nonempty(alc_str(B, B->hdr->models_source)));
	fact(w, CC_DK_CATALOG, "models-revision",
	     nonempty(alc_str(A, A->hdr->models_revision)),
	     nonempty(alc_str(B, B->hdr->models_revision)));
	fact(w, CC_DK_CATALOG, "compiler", nonempty(alc_str(A, A->hdr->compiler_version)),
	     nonempty(alc_str(B, B->hdr->compiler_version)));
	policy_facts(w);
	fact(w, CC_DK_CATALOG, "partitions-digest", partitions_digest(A, x),
	     partitions_digest(B, y));
}

typedef struct svc_ref {
	const char *key;
	uint32_t idx;
} svc_ref;

static int cmp_svc_ref(const void *x, const void *y)
{
	const svc_ref *p = x, *q = y;
	int c = strcmp(p->key, q->key);
	return c ? c : (p->idx > q->idx) - (p->idx < q->idx);
}

static svc_ref *sorted_services(const alc_catalog *c)
{
	svc_ref *v = cc_xmalloc(((size_t)c->nsvcs + 1) * sizeof *v);
	for (uint32_t i = 0; i < c->nsvcs; i++)
		v[i] = (svc_ref){ alc_str(c, c->svcs[i].key), i };
	qsort(v, c->nsvcs, sizeof *v, cmp_svc_ref);
	return v;
}

int cc_diff_run(const alc_catalog *a, const alc_catalog *b, cc_diff **out,
                char *err, size_t errcap)
{
	walk w;
	memset(&w, 0, sizeof w);
	w.a = a;
	w.b = b;
	w.has_pa = (a->hdr->flags & ALC_F_POLICY) && alc_policy_get(a, &w.pa) == 0;
	w.has_pb = (b->hdr->flags & ALC_F_POLICY) && alc_policy_get(b, &w.pb) == 0;
	w.d = cc_xcalloc(1, sizeof *w.d);
	w.errbuf = err;
	w.errcap = errcap;
	if (errcap)
		err[0] = '\0';
	vis_grow(&w);
	path_push(&w, "", "");

	catalog_facts(&w);
	svc_ref *sa = sorted_services(a), *sb = sorted_services(b);
	char brief[160];
	uint32_t i = 0, j = 0;
	while ((i < a->nsvcs || j < b->nsvcs) && !w.err) { /* bound: the two counts */
		const char *pn = i < a->nsvcs ? sa[i].key : NULL;
		const char *qn = j < b->nsvcs ? sb[j].key : NULL;
		int c = !pn ? 1 : !qn ? -1 : strcmp(pn, qn);
		w.op = NULL;
		if (c < 0) {
			w.svc = pn;
			report(&w, CC_DK_SERVICE_REMOVED, NULL,
			       svc_brief(a, &a->svcs[sa[i].idx], brief, sizeof brief), NULL);
			w.d->svc_removed++;
			i++;
		} else if (c > 0) {
			w.svc = qn;
			report(&w, CC_DK_SERVICE_ADDED, NULL, NULL,
			       svc_brief(b, &b->svcs[sb[j].idx], brief, sizeof brief));
			w.d->svc_added++;
			j++;
		} else {
			w.svc = qn;
			cmp_service(&w, &a->svcs[sa[i].idx], &b->svcs[sb[j].idx]);
			i++, j++;
		}
	}
	free(sa);
	free(sb);
	free(w.vis);
	free(w.eq);
	free(w.scr);
	free(w.path);
	cc_buf_free(&w.fa.rule);
	cc_buf_free(&w.fa.tags);
	cc_buf_free(&w.fb.rule);
	cc_buf_free(&w.fb.tags);
	if (w.err) {
		cc_diff_free(w.d);
		*out = NULL;
		return w.err;
	}
	*out = w.d;
	return 0;
}

/* ---- output ------------------------------------------------------------ */

/* One value on one line: control bytes (and DEL) as \xNN. */
static void put_raw(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			putc(*p, f);
	}
}

static void put_val(FILE *f, const char *s, int quote)
{
	if (!s) {
		fputs("(none)", f);
		return;
	}
	if (quote)
		putc('"', f);
	put_raw(f, s);
	if (quote)
		putc('"', f);
}

typedef struct colours {
	const char *add, *del, *chg, *bold, *off;
} colours;

static char marker(unsigned kind)
{
	switch (kind) {
	case CC_DK_SERVICE_ADDED: case CC_DK_OP_ADDED: case CC_DK_MEMBER_ADDED:
	case CC_DK_ENUM_ADDED: case CC_DK_ERROR_ADDED:
		return '+';
	case CC_DK_SERVICE_REMOVED: case CC_DK_OP_REMOVED: case CC_DK_MEMBER_REMOVED:
	case CC_DK_ENUM_REMOVED: case CC_DK_ERROR_REMOVED:
		return '-';
	default:
		return '~';
	}
}

static const char *mark_colour(const colours *k, char m)
{
	return m == '+' ? k->add : m == '-' ? k->del : k->chg;
}

/* The word after the path: "required", "length", "policy decision" ... */
static const char *label(unsigned kind)
{
	const char *n = cc_diff_kind_name(kind);
	if (kind >= CC_DK_RISK)
		return n;    /* "policy.risk" reads fine as it is */
	const char *dot = strchr(n, '.');
	return dot ? dot + 1 : n;
}

static int same(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

static void summary_line(FILE *f, const cc_diff *d)
{
	fprintf(f, "%zu change%s: services +%" PRIu32 " -%" PRIu32 " ~%" PRIu32
	        ", operations +%" PRIu32 " -%" PRIu32 " ~%" PRIu32
	        " (shapes compared: input, output)\n",
	        d->n, d->n == 1 ? "" : "s", d->svc_added, d->svc_removed,
	        d->svc_changed, d->op_added, d->op_removed, d->op_changed);
}

void cc_diff_print_text(FILE *f, const cc_diff *d, int colour)
{
	colours k = { "", "", "", "", "" };
	if (colour)
		k = (colours){ "\033[32m", "\033[31m", "\033[33m", "\033[1m", "\033[0m" };
	const char *svc = NULL, *op = NULL;
	int in_catalog = 0, in_svc = 0, in_op = 0;
	for (size_t i = 0; i < d->n; i++) {
		const cc_diff_change *c = &d->v[i];
		char m = marker(c->kind);
		const char *mc = mark_colour(&k, m);
		if (!c->service) {
			if (!in_catalog)
				fprintf(f, "%scatalog%s\n", k.bold, k.off);
			in_catalog = 1;
			fprintf(f, "  %s~ %s: ", mc, c->path);
			put_val(f, c->old_value, 0);
			fputs(" -> ", f);
			put_val(f, c->new_value, 0);
			fprintf(f, "%s\n", k.off);
			continue;
		}
		if (c->kind == CC_DK_SERVICE_ADDED || c->kind == CC_DK_SERVICE_REMOVED) {
			fprintf(f, "%s%s%c service %s%s  ", k.bold, mc, m, c->service, k.off);
			put_val(f, c->kind == CC_DK_SERVICE_ADDED ? c->new_value : c->old_value, 0);
			putc('\n', f);
			svc = c->service;
			in_svc = 0;
			op = NULL;
			continue;
		}
		if (!in_svc || !same(svc, c->service)) {
			fprintf(f, "%s%s~ service %s%s\n", k.bold, k.chg, c->service, k.off);
			svc = c->service;
			in_svc = 1;
			op = NULL;
			in_op = 0;
		}
		if (c->kind == CC_DK_SERVICE_CHANGED) {
			fprintf(f, "  %s~ %s: ", mc, c->path);
			put_val(f, c->old_value, 0);
			fputs(" -> ", f);
			put_val(f, c->new_value, 0);
			fprintf(f, "%s\n", k.off);
			continue;
		}
		if (c->kind == CC_DK_OP_ADDED || c->kind == CC_DK_OP_REMOVED) {
			fprintf(f, "  %s%c operation %s%s  ", mc, m, c->operation, k.off);
			put_val(f, c->kind == CC_DK_OP_ADDED ? c->new_value : c->old_value, 0);
			putc('\n', f);
			in_op = 0;
			continue;
		}
		if (!in_op || !same(op, c->operation)) {
			fprintf(f, "  %s~ operation %s%s\n", k.chg, c->operation, k.off);
			op = c->operation;
			in_op = 1;
		}
		fprintf(f, "      %s%c ", mc, m);
		switch (c->kind) {
		case CC_DK_MEMBER_ADDED:
		case CC_DK_MEMBER_REMOVED:
			fprintf(f, "%s  ", c->path);
			put_val(f, m == '+' ? c->new_value : c->old_value, 0);
			break;
		case CC_DK_ENUM_ADDED:
		case CC_DK_ENUM_REMOVED:
			fprintf(f, "%s  enum value ", c->path);
			put_val(f, m == '+' ? c->new_value : c->old_value, 1);
			break;
		case CC_DK_ERROR_ADDED:
		case CC_DK_ERROR_REMOVED:
			fputs("error ", f);
			put_val(f, m == '+' ? c->new_value : c->old_value, 0);
			break;
		default:
			if (c->path && c->kind != CC_DK_OP_CHANGED)
				fprintf(f, "%s  %s: ", c->path, label(c->kind));
			else
				fprintf(f, "%s: ", c->path ? c->path : label(c->kind));
			put_val(f, c->old_value, c->kind == CC_DK_PATTERN);
			fputs(" -> ", f);
			put_val(f, c->new_value, c->kind == CC_DK_PATTERN);
		}
		fprintf(f, "%s\n", k.off);
	}
	if (d->n)
		putc('\n', f);
	summary_line(f, d);
}

void cc_diff_print_stat(FILE *f, const cc_diff *d)
{
	for (unsigned k = 0; k < CC_DK_COUNT; k++)
		if (d->kinds[k])
			fprintf(f, "%-24s %" PRIu32 "\n", kind_names[k], d->kinds[k]);
	summary_line(f, d);
}

/* A JSON string, or null (cc_util.h). */
#define put_json cc_json_put_str

static void json_side(FILE *f, const char *name, const alc_catalog *c, const char *file)
{
	char sum[33];
	hex128(sum, c->hdr->checksum_hi, c->hdr->checksum_lo);
	fprintf(f, "  \"%s\": {\"file\": ", name);
	put_json(f, file);
	fprintf(f, ", \"checksum\": \"%s\"},\n", sum);
}

void cc_diff_print_json(FILE *f, const cc_diff *d, const alc_catalog *a,
                        const char *file_a, const alc_catalog *b,
                        const char *file_b)
{
	fputs("{\n  \"schema\": \"airlock-catalog-diff/1\",\n", f);
	json_side(f, "old", a, file_a);
	json_side(f, "new", b, file_b);
	/* which shapes of an operation are compared (errors are not) */
	fputs("  \"shapes_compared\": [\"input\", \"output\"],\n", f);
	fputs("  \"changes\": [", f);
	for (size_t i = 0; i < d->n; i++) {
		const cc_diff_change *c = &d->v[i];
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"service\": ", i ? "," : "",
		        kind_names[c->kind]);
		put_json(f, c->service);
		fputs(", \"operation\": ", f);
		put_json(f, c->operation);
		fputs(", \"path\": ", f);
		put_json(f, c->path);
		fputs(", \"old\": ", f);
		put_json(f, c->old_value);
		fputs(", \"new\": ", f);
		put_json(f, c->new_value);
		putc('}', f);
	}
	fprintf(f, "%s],\n  \"summary\": {\"changes\": %zu,\n", d->n ? "\n  " : "", d->n);
	fprintf(f, "    \"services\": {\"added\": %" PRIu32 ", \"removed\": %" PRIu32
	        ", \"changed\": %" PRIu32 "},\n", d->svc_added, d->svc_removed,
	        d->svc_changed);
	fprintf(f, "    \"operations\": {\"added\": %" PRIu32 ", \"removed\": %" PRIu32
	        ", \"changed\": %" PRIu32 "},\n", d->op_added, d->op_removed,
	        d->op_changed);
	fputs("    \"kinds\": {", f);
	int first = 1;
	for (unsigned k = 0; k < CC_DK_COUNT; k++) {
		if (!d->kinds[k])
			continue;
		fprintf(f, "%s\"%s\": %" PRIu32, first ? "" : ", ", kind_names[k], d->kinds[k]);
		first = 0;
	}
	fputs("}}\n}\n", f);
}

/* ---- the command ------------------------------------------------------- */

static void diff_usage(FILE *f)
{
	fputs("usage: airlock-compile diff [--json | --stat | --quiet]\n"
	      "                            [--color auto|always|never] OLD.alc NEW.alc\n"
	      "\n"
	      "What NEW.alc changes against OLD.alc, for reviewers: services and\n"
	      "operations added or removed; service facts (version, protocol, signing\n"
	      "name, endpoint prefix, auth, endpoint rules, model file); per operation\n"
	      "the HTTP binding, pagination, idempotency token, deprecation, read\n"
	      "mapping, errors added or removed, the policy's outcome (risk, access,\n"
	      "decision, deciding rule, approvals, required tags) and the input and\n"
	      "output shapes, compared structurally: members added or removed,\n"
	      "required, default, sensitive, type, length / range / pattern, enum\n"
	      "values; catalog facts (models source and revision, compiler, policy\n"
	      "file and digest, partitions).\n"
	      "Paths read input.TagSpecifications[].Tags[].Key ([] list element,\n"
	      "{} map value, {key} map key).\n"
	      "\n"
	      "  --json    the changes as JSON, schema \"airlock-catalog-diff/1\":\n"
	      "            {\"schema\", \"old\": {\"file\", \"checksum\"}, \"new\": {...},\n"
	      "             \"shapes_compared\": [\"input\", \"output\"],\n"
	      "             \"changes\": [{\"kind\", \"service\", \"operation\", \"path\",\n"
	      "                          \"old\", \"new\"}],\n"
	      "             \"summary\": {\"changes\", \"services\": {\"added\", \"removed\",\n"
	      "                         \"changed\"}, \"operations\": {...}, \"kinds\": {}}}\n"
	      "            kinds: catalog.changed service.added service.removed\n"
	      "            service.changed operation.added operation.removed\n"
	      "            operation.changed error.added error.removed\n"
	      "            member.added member.removed member.required\n"
	      "            member.default member.sensitive shape.type constraint.length\n"
	      "            constraint.range constraint.pattern enum.value-added\n"
	      "            enum.value-removed policy.risk policy.access policy.decision\n"
	      "            policy.rule policy.approval policy.required-tags\n"
	      "  --stat    counts per kind only\n"
	      "  --quiet   no output: the exit status only\n"
	      "  --color   colours in the text output (default: auto, on a terminal\n"
	      "            unless NO_COLOR is set)\n"
	      "\n"
	      "Exit status (as diff(1)): 0 no differences, 1 differences, 2 error\n"
	      "(usage, a missing or corrupt catalog).\n", f);
}

int cc_cmd_diff(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	int nfiles = 0, json = 0, stat = 0, quiet = 0;
	const char *colour = "auto";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) json = 1;
		else if (strcmp(a, "--stat") == 0) stat = 1;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) quiet = 1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			diff_usage(stdout);
			return 0;
		} else if (strcmp(a, "--color") == 0 || strcmp(a, "--colour") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "airlock-compile: diff: %s needs a value\n", a);
				diff_usage(stderr);
				return 2;
			}
			colour = argv[++i];
		} else if (strncmp(a, "--color=", 8) == 0) {
			colour = a + 8;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "airlock-compile: diff: unknown option %s\n", a);
			diff_usage(stderr);
			return 2;
		} else if (nfiles < 2) {
			files[nfiles++] = a;
		} else {
			fprintf(stderr, "airlock-compile: diff: more than two catalogs\n");
			diff_usage(stderr);
			return 2;
		}
	}
	if (nfiles != 2) {
		fprintf(stderr, "airlock-compile: diff: needs OLD.alc and NEW.alc\n");
		diff_usage(stderr);
		return 2;
	}
	if (json + stat + quiet > 1) {
		fprintf(stderr, "airlock-compile: diff: --json, --stat and --quiet exclude "
		        "each other\n");
		diff_usage(stderr);
		return 2;
	}
	int use_colour;
	if (strcmp(colour, "always") == 0)
		use_colour = 1;
	else if (strcmp(colour, "never") == 0)
		use_colour = 0;
	else if (strcmp(colour, "auto") == 0) {
		const char *nc = getenv("NO_COLOR");
		use_colour = isatty(STDOUT_FILENO) && !(nc && *nc);
	} else {
		fprintf(stderr, "airlock-compile: diff: --color takes auto, always or "
		        "never\n");
		diff_usage(stderr);
		return 2;
	}

	alc_catalog cat[2];
	for (int k = 0; k < 2; k++) {
		alc_diag dg;
		dg.msg[0] = '\0';
		int rc = alc_open(&cat[k], files[k], &dg);
		if (rc != 0) {
			fprintf(stderr, "airlock-compile: diff: %s: %s%s%s\n", files[k],
			        al_strerror(rc), dg.msg[0] ? ": " : "", dg.msg);
			if (k)
				alc_close(&cat[0]);
			return 2;
		}
	}
	cc_diff *d = NULL;
	char err[512];
	int rc = cc_diff_run(&cat[0], &cat[1], &d, err, sizeof err);
	int status;
	if (rc != 0) {
		fprintf(stderr, "airlock-compile: diff: %s\n", err[0] ? err : al_strerror(rc));
		status = 2;
	} else {
		if (json)
			cc_diff_print_json(stdout, d, &cat[0], files[0], &cat[1], files[1]);
		else if (stat)
			cc_diff_print_stat(stdout, d);
		else if (!quiet)
			cc_diff_print_text(stdout, d, use_colour);
		status = cc_diff_count(d) ? 1 : 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "airlock-compile: diff: error writing the output\n");
			status = 2;
		}
	}
	cc_diff_free(d);
	alc_close(&cat[0]);
	alc_close(&cat[1]);
	return status;
}
