/* alc_rules.c -- see alc_rules.h (layout) and RULES.md (rationale). */
#include "alc_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alc_err.h"

/* ---- names ----------------------------------------------------------- */

static const struct fn_def {
	const char *name;
	uint8_t lo, hi;
} fn_defs[] = {
#define FN_DEF_(id, name, lo, hi) { name, lo, hi },
	ALC_RULES_FUNCTIONS(FN_DEF_)
#undef FN_DEF_
};
_Static_assert(sizeof fn_defs / sizeof fn_defs[0] == ALC_RX_COUNT - ALC_RX_FN_BASE,
               "one fn_defs entry per function op");

static const char *const builtin_names[] = {
#define BI_NAME_(id, name) name,
	ALC_RULES_BUILTINS(BI_NAME_)
#undef BI_NAME_
};
_Static_assert(sizeof builtin_names / sizeof builtin_names[0] == ALC_RB_COUNT - 2,
               "one builtin_names entry per known builtIn");

const char *alc_rules_fn_name(unsigned op)
{
	return ALC_RX_IS_FN(op) ? fn_defs[op - ALC_RX_FN_BASE].name : NULL;
}

unsigned alc_rules_fn_min_args(unsigned op)
{
	return ALC_RX_IS_FN(op) ? fn_defs[op - ALC_RX_FN_BASE].lo : 0;
}

unsigned alc_rules_fn_max_args(unsigned op)
{
	return ALC_RX_IS_FN(op) ? fn_defs[op - ALC_RX_FN_BASE].hi : 0;
}

unsigned alc_rules_fn_lookup(const char *name, size_t len)
{
	for (unsigned op = ALC_RX_FN_BASE; op < ALC_RX_COUNT; op++) {
		const char *s = fn_defs[op - ALC_RX_FN_BASE].name;
		if (strlen(s) == len && memcmp(s, name, len) == 0)
			return op;
	}
	return 0;
}

const char *alc_rules_builtin_name(unsigned id)
{
	return id >= 2 && id < ALC_RB_COUNT ? builtin_names[id - 2] : NULL;
}

unsigned alc_rules_builtin_lookup(const char *name, size_t len)
{
	for (unsigned id = 2; id < ALC_RB_COUNT; id++) {
		const char *s = builtin_names[id - 2];
		if (strlen(s) == len && memcmp(s, name, len) == 0)
			return id;
	}
	return ALC_RB_OTHER;
}

/* ---- check ----------------------------------------------------------- */

typedef struct chk {
	const uint8_t *blob;
	const alc_rules_header *h;
	const alc_rules_param *params;
	const alc_rules_node *nodes;
	const uint32_t *ops;
	const alc_rules_cond *conds;
	const alc_rules_rule *rules;
	uint32_t strs_size;
	char *err;
	size_t errlen;
} chk;

__attribute__((format(printf, 2, 3)))
static int bad(chk *c, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return AL_ECORRUPT;
}

/* Node NODE's children must be below it: the DAG cannot cycle, and a
 * single pass in index order sees every child before its parent. */
static int chk_child(chk *c, uint32_t node, uint32_t k, uint32_t child)
{
	if (child >= node)
		return bad(c, "node %u: operand %u (node %u) is not below the node",
		           node, k, child);
	return 0;
}

static int chk_str(chk *c, uint32_t off, const char *what, uint32_t idx)
{
	if (off >= c->strs_size)
		return bad(c, "%s %u: string offset %u out of range (STRS %u)", what,
		           idx, off, c->strs_size);
	return 0;
}

/* Words of ops[] owned by a node. */
static uint32_t node_words(const alc_rules_node *n)
{
	switch (n->op) {
	case ALC_RX_TPL:
	case ALC_RX_ARRAY:
		return n->n;
	case ALC_RX_GETATTR:
		return 1u + n->n;
	case ALC_RX_RECORD:
		return 2u * n->n;
	default:
		return ALC_RX_IS_FN(n->op) ? n->n : 0;
	}
}

static int chk_nodes(chk *c)
{
	const alc_rules_header *h = c->h;
	uint32_t opnext = 0;
	for (uint32_t i = 0; i < h->node_count; i++) {
		const alc_rules_node *n = &c->nodes[i];
		unsigned need = 0, size = 0; /* over children */
		if (n->op == 0 || n->op >= ALC_RX_COUNT ||
		    (n->op > ALC_RX_RECORD && n->op < ALC_RX_FN_BASE))
			return bad(c, "node %u: bad op %u", i, n->op);
		uint32_t words = node_words(n);
		int leaf = n->op <= ALC_RX_REF && n->op != ALC_RX_TPL;
		if (!leaf) {
			if (n->a != opnext)
				return bad(c, "node %u: operands at %u, expected %u", i,
				           n->a, opnext);
			if (words > h->op_count - opnext)
				return bad(c, "node %u: operands overrun ops[%u]", i,
				           h->op_count);
		}
		/* operands of a non-leaf node are in bounds (checked above) */
		const uint32_t *w = leaf ? NULL : c->ops + n->a;
		switch (n->op) {
		case ALC_RX_STR:
			if (n->n)
				return bad(c, "node %u: STR with operands", i);
			if (chk_str(c, n->a, "node", i))
				return AL_ECORRUPT;
			break;
		case ALC_RX_BOOL:
			if (n->n || n->a > 1)
				return bad(c, "node %u: bad BOOL", i);
			break;
		case ALC_RX_INT:
			if (n->n)
				return bad(c, "node %u: INT with operands", i);
			break;
		case ALC_RX_REF:
			if (n->n || n->a >= h->var_count)
				return bad(c, "node %u: REF slot %u (vars %u)", i, n->a,
				           h->var_count);
			need = n->a + 1;
			break;
		case ALC_RX_TPL:
			if (n->n == 0)
				return bad(c, "node %u: empty template", i);
			for (uint32_t k = 0; k < n->n; k++) {
				if (chk_child(c, i, k, w[k]))
					return AL_ECORRUPT;
				const alc_rules_node *p = &c->nodes[w[k]];
				int ok = p->op == ALC_RX_STR || p->op == ALC_RX_REF ||
				         (p->op == ALC_RX_GETATTR &&
				          c->nodes[c->ops[p->a]].op == ALC_RX_REF);
				if (!ok)
					return bad(c, "node %u: template part %u is op %u", i,
					           k, p->op);
			}
			break;
		case ALC_RX_GETATTR:
			if (n->n == 0)
				return bad(c, "node %u: getAttr without path", i);
			if (chk_child(c, i, 0, w[0]))
				return AL_ECORRUPT;
			for (uint32_t k = 1; k <= n->n; k++) {
				if (w[k] & ALC_RULES_STEP_INDEX)
					continue;
				if (w[k] == 0)
					return bad(c, "node %u: empty getAttr field", i);
				if (chk_str(c, w[k], "node", i))
					return AL_ECORRUPT;
			}
			break;
		case ALC_RX_ARRAY:
			for (uint32_t k = 0; k < n->n; k++)
				if (chk_child(c, i, k, w[k]))
					return AL_ECORRUPT;
			break;
		case ALC_RX_RECORD:
			for (uint32_t k = 0; k < n->n; k++) {
				if (chk_str(c, w[2 * k], "node", i) ||
				    chk_child(c, i, k, w[2 * k + 1]))
					return AL_ECORRUPT;
			}
			break;
		default: /* a function */
			if (n->n < alc_rules_fn_min_args(n->op) ||
			    n->n > alc_rules_fn_max_args(n->op))
				return bad(c, "node %u: %s with %u arguments", i,
				           alc_rules_fn_name(n->op), n->n);
			for (uint32_t k = 0; k < n->n; k++)
				if (chk_child(c, i, k, w[k]))
					return AL_ECORRUPT;
			break;
		}
		/* need and size over the children (all verified below i);
		 * at most 2 * 255 children of size <= 255: no overflow */
		if (!leaf) {
			uint32_t step = n->op == ALC_RX_RECORD ? 2 : 1;
			uint32_t first = n->op == ALC_RX_RECORD ? 1 : 0;
			uint32_t count = n->op == ALC_RX_GETATTR ? 1 : n->n;
			for (uint32_t k = 0; k < count; k++) {
				const alc_rules_node *ch = &c->nodes[w[first + k * step]];
				if (ch->need > need)
					need = ch->need;
				size += ch->size;
			}
		}
		if (n->need != need)
			return bad(c, "node %u: need %u, expected %u", i, n->need, need);
		if (n->size != size + 1)
			return bad(c, "node %u: size %u, expected %u", i, n->size,
			           size + 1);
		opnext += words;
	}
	if (opnext != h->op_count)
		return bad(c, "ops: %u words, nodes use %u", h->op_count, opnext);
	return 0;
}

static int chk_params(chk *c)
{
	const alc_rules_header *h = c->h;
	for (uint32_t i = 0; i < h->param_count; i++) {
		const alc_rules_param *p = &c->params[i];
		if (p->name == 0 || chk_str(c, p->name, "param", i))
			return bad(c, "param %u: bad name", i);
		if (p->type < ALC_RPT_STRING || p->type > ALC_RPT_STRING_ARRAY)
			return bad(c, "param %u: bad type %u", i, p->type);
		if (p->builtin >= ALC_RB_COUNT)
			return bad(c, "param %u: bad builtIn %u", i, p->builtin);
		if (p->builtin == ALC_RB_OTHER) {
			if (p->builtin_name == 0 ||
			    chk_str(c, p->builtin_name, "param", i))
				return bad(c, "param %u: bad builtIn name", i);
		} else if (p->builtin_name != 0) {
			return bad(c, "param %u: builtIn name on a known builtIn", i);
		}
		if (p->flags & ~ALC_RPF_ALL)
			return bad(c, "param %u: bad flags 0x%x", i, p->flags);
		if ((p->flags & (ALC_RPF_DEP_MESSAGE | ALC_RPF_DEP_SINCE)) &&
		    !(p->flags & ALC_RPF_DEPRECATED))
			return bad(c, "param %u: deprecation details without deprecated", i);
		if ((!(p->flags & ALC_RPF_DEP_MESSAGE) && p->dep_message) ||
		    (!(p->flags & ALC_RPF_DEP_SINCE) && p->dep_since) ||
		    chk_str(c, p->dep_message, "param", i) ||
		    chk_str(c, p->dep_since, "param", i))
			return bad(c, "param %u: bad deprecation strings", i);
		if (!(p->flags & ALC_RPF_DEFAULT)) {
			if (p->deflt)
				return bad(c, "param %u: default value without flag", i);
			continue;
		}
		switch (p->type) {
		case ALC_RPT_STRING:
			if (chk_str(c, p->deflt, "param", i))
				return AL_ECORRUPT;
			break;
		case ALC_RPT_BOOLEAN:
			if (p->deflt > 1)
				return bad(c, "param %u: bad boolean default", i);
			break;
		default: {
			if (p->deflt >= h->node_count ||
			    c->nodes[p->deflt].op != ALC_RX_ARRAY)
				return bad(c, "param %u: default is not an ARRAY node", i);
			const alc_rules_node *a = &c->nodes[p->deflt];
			for (uint32_t k = 0; k < a->n; k++)
				if (c->nodes[c->ops[a->a + k]].op != ALC_RX_STR)
					return bad(c, "param %u: default element %u is not a string",
					           i, k);
			break;
		}
		}
	}
	return 0;
}

static int chk_expr_ref(chk *c, uint32_t rule, uint32_t node, const char *what)
{
	if (node >= c->h->node_count)
		return bad(c, "rule %u: %s node %u out of range", rule, what, node);
	return 0;
}

/* Structure of the rules, in one pass in index order: breadth-first child
 * ranges (each rule has exactly one parent, above it), condition ranges
 * that tile conds[], node references in range and of the right op. */
static int chk_rules(chk *c)
{
	const alc_rules_header *h = c->h;
	uint32_t next = h->root_count, cnext = 0;
	if (h->root_count > h->rule_count)
		return bad(c, "root_count %u > rule_count %u", h->root_count,
		           h->rule_count);
	for (uint32_t i = 0; i < h->cond_count; i++) {
		const alc_rules_cond *cd = &c->conds[i];
		if (cd->node >= h->node_count)
			return bad(c, "cond %u: node %u out of range", i, cd->node);
		unsigned op = c->nodes[cd->node].op;
		if (!ALC_RX_IS_FN(op) && op != ALC_RX_GETATTR)
			return bad(c, "cond %u: node %u is not a function call", i,
			           cd->node);
		if (chk_str(c, cd->assign, "cond", i))
			return AL_ECORRUPT;
	}
	for (uint32_t i = 0; i < h->rule_count; i++) {
		const alc_rules_rule *r = &c->rules[i];
		if (i >= next)
			return bad(c, "rule %u: has no parent", i);
		if (r->reserved)
			return bad(c, "rule %u: reserved byte set", i);
		if (r->first_cond != cnext || r->ncond > h->cond_count - cnext)
			return bad(c, "rule %u: conditions at %u+%u, expected %u", i,
			           r->first_cond, r->ncond, cnext);
		cnext += r->ncond;
		switch (r->kind) {
		case ALC_RK_ENDPOINT:
			if (chk_expr_ref(c, i, r->x, "url"))
				return AL_ECORRUPT;
			if (r->y != ALC_RULES_NONE &&
			    (r->y >= h->node_count || c->nodes[r->y].op != ALC_RX_RECORD))
				return bad(c, "rule %u: properties is not a RECORD node", i);
			if (r->z != ALC_RULES_NONE) {
				if (r->z >= h->node_count || c->nodes[r->z].op != ALC_RX_RECORD)
					return bad(c, "rule %u: headers is not a RECORD node", i);
				const alc_rules_node *hd = &c->nodes[r->z];
				for (uint32_t k = 0; k < hd->n; k++)
					if (c->nodes[c->ops[hd->a + 2 * k + 1]].op != ALC_RX_ARRAY)
						return bad(c, "rule %u: header %u is not an ARRAY", i, k);
			}
			break;
		case ALC_RK_ERROR:
			if (chk_expr_ref(c, i, r->x, "message"))
				return AL_ECORRUPT;
			if (r->y || r->z)
				return bad(c, "rule %u: error with extra fields", i);
			break;
		case ALC_RK_TREE:
			if (r->x != next || r->y > h->rule_count - next || r->z)
				return bad(c, "rule %u: children at %u+%u, expected %u", i,
				           r->x, r->y, next);
			next += r->y;
			break;
		default:
			return bad(c, "rule %u: bad kind %u", i, r->kind);
		}
	}
	if (next != h->rule_count)
		return bad(c, "rules: %u rules, tree holds %u", h->rule_count, next);
	if (cnext != h->cond_count)
		return bad(c, "conds: %u conditions, rules use %u", h->cond_count, cnext);
	return 0;
}

static int chk_need(chk *c, uint32_t rule, uint32_t node, unsigned live,
                    const char *what)
{
	if (c->nodes[node].need > live)
		return bad(c, "rule %u: %s uses slot %u, only %u live", rule, what,
		           c->nodes[node].need - 1u, live);
	return 0;
}

/* Scoping, top-down.  The tree shape was verified by chk_rules, so this
 * visits each rule once; recursion depth is bounded by the check. */
static int chk_scope(chk *c, uint32_t first, uint32_t count, unsigned live,
                     unsigned depth)
{
	if (depth > ALC_RULES_MAX_DEPTH)
		return bad(c, "rule %u: rules nested deeper than %u", first,
		           ALC_RULES_MAX_DEPTH);
	for (uint32_t i = first; i < first + count; i++) {
		const alc_rules_rule *r = &c->rules[i];
		unsigned v = live;
		if (r->slot_base != live)
			return bad(c, "rule %u: slot_base %u, expected %u", i,
			           r->slot_base, live);
		for (uint32_t k = 0; k < r->ncond; k++) {
			const alc_rules_cond *cd = &c->conds[r->first_cond + k];
			if (chk_need(c, i, cd->node, v, "condition"))
				return AL_ECORRUPT;
			if (cd->assign) {
				if (v >= c->h->var_count)
					return bad(c, "rule %u: assign to slot %u (vars %u)", i, v,
					           c->h->var_count);
				v++;
			}
		}
		switch (r->kind) {
		case ALC_RK_ENDPOINT:
			if (chk_need(c, i, r->x, v, "url") ||
			    (r->y != ALC_RULES_NONE && chk_need(c, i, r->y, v, "properties")) ||
			    (r->z != ALC_RULES_NONE && chk_need(c, i, r->z, v, "headers")))
				return AL_ECORRUPT;
			break;
		case ALC_RK_ERROR:
			if (chk_need(c, i, r->x, v, "message"))
				return AL_ECORRUPT;
			break;
		default:
			if (chk_scope(c, r->x, r->y, v, depth + 1))
				return AL_ECORRUPT;
			break;
		}
	}
	return 0;
}

int alc_rules_check(const uint8_t *blob, size_t len, uint32_t strs_size,
                    char *err, size_t errlen)
{
	chk c = { .blob = blob, .strs_size = strs_size, .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = '\0';
	if (!blob || ((uintptr_t)blob & 3u))
		return bad(&c, "blob not 4-byte aligned");
	if (len < sizeof(alc_rules_header))
		return bad(&c, "blob of %zu bytes is shorter than its header", len);
	const alc_rules_header *h = (const alc_rules_header *)(const void *)blob;
	c.h = h;
	if (h->magic != ALC_RULES_MAGIC)
		return bad(&c, "bad magic 0x%08x", h->magic);
	if (h->version != ALC_RULES_VERSION)
		return bad(&c, "format version %u, expected %u", h->version,
		           ALC_RULES_VERSION);
	if (h->header_size != sizeof(alc_rules_header) || h->reserved)
		return bad(&c, "bad header size %u", h->header_size);
	if (h->size != len || (len & 7u))
		return bad(&c, "size %u, blob is %zu bytes", h->size, len);
	if (h->ruleset_version >= strs_size)
		return bad(&c, "version string offset %u out of range", h->ruleset_version);
	if (h->param_count > h->var_count || h->var_count > ALC_RULES_MAX_VARS)
		return bad(&c, "%u params, %u vars", h->param_count, h->var_count);
	/* Sections are contiguous in a fixed order: computing each expected
	 * offset in 64 bits makes any count too large for LEN fail here. */
	uint64_t off = sizeof(alc_rules_header);
	const struct { uint32_t o; uint64_t count, size; const char *name; } sec[] = {
		{ h->params_off, h->param_count, sizeof(alc_rules_param), "params" },
		{ h->nodes_off, h->node_count, sizeof(alc_rules_node), "nodes" },
		{ h->ops_off, h->op_count, sizeof(uint32_t), "ops" },
		{ h->conds_off, h->cond_count, sizeof(alc_rules_cond), "conds" },
		{ h->rules_off, h->rule_count, sizeof(alc_rules_rule), "rules" },
	};
	for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++) {
		if (sec[i].o != off)
			return bad(&c, "%s at %u, expected %llu", sec[i].name, sec[i].o,
			           (unsigned long long)off);
		off += sec[i].count * sec[i].size;
		if (off > len)
			return bad(&c, "%s overrun the blob", sec[i].name);
	}
	if (((off + 7u) & ~(uint64_t)7u) != len)
		return bad(&c, "blob ends at %llu, size %zu", (unsigned long long)off,
		           len);
	for (uint64_t i = off; i < len; i++)
		if (blob[i])
			return bad(&c, "nonzero padding");
	c.params = (const alc_rules_param *)(const void *)(blob + h->params_off);
	c.nodes = (const alc_rules_node *)(const void *)(blob + h->nodes_off);
	c.ops = (const uint32_t *)(const void *)(blob + h->ops_off);
	c.conds = (const alc_rules_cond *)(const void *)(blob + h->conds_off);
	c.rules = (const alc_rules_rule *)(const void *)(blob + h->rules_off);
	int rc;
	if ((rc = chk_nodes(&c)) || (rc = chk_params(&c)) || (rc = chk_rules(&c)))
		return rc;
	return chk_scope(&c, 0, h->root_count, h->param_count, 1);
}

/* ---- JSON writer ----------------------------------------------------- */

/* Emits items with separators and optional indentation without a stack:
 * `first` says whether the current container has no item yet. */
typedef struct jw {
	alc_rules_write_fn write;
	void *ctx;
	int rc;
	int pretty, first, after_key;
	unsigned level;
	const uint8_t *blob;
	const char *strs;
	uint32_t names[ALC_RULES_MAX_VARS]; /* slot -> str of its name */
} jw;

static void put(jw *w, const char *s, size_t n)
{
	if (!w->rc && n)
		w->rc = w->write(w->ctx, s, n);
}

static void puts_(jw *w, const char *s) { put(w, s, strlen(s)); }

static void newline(jw *w)
{
	static const char sp[] = "\n                                ";
	put(w, sp, 1);
	for (unsigned i = 0; i < w->level; i++)
		put(w, sp + 1, 2);
}

static void item(jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->first)
		put(w, ",", 1);
	w->first = 0;
	if (w->pretty && w->level)
		newline(w);
}

static void jopen(jw *w, char ch)
{
	item(w);
	put(w, &ch, 1);
	w->level++;
	w->first = 1;
}

static void jclose(jw *w, char ch)
{
	w->level--;
	if (!w->first && w->pretty)
		newline(w);
	put(w, &ch, 1);
	w->first = 0;
}

/* JSON string body; BRACES doubles { and } (template literal text). */
static void esc(jw *w, const char *s, int braces)
{
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		const char *rep = NULL;
		char buf[8];
		if (ch == '"')
			rep = "\\\"";
		else if (ch == '\\')
			rep = "\\\\";
		else if (ch == '\n')
			rep = "\\n";
		else if (ch == '\r')
			rep = "\\r";
		else if (ch == '\t')
			rep = "\\t";
		else if (ch < 0x20) {
			snprintf(buf, sizeof buf, "\\u%04x", ch);
			rep = buf;
		} else if (braces && ch == '{')
			rep = "{{";
		else if (braces && ch == '}')
			rep = "}}";
		if (!rep)
			continue;
		put(w, run, (size_t)(s - run));
		puts_(w, rep);
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
}

static void jstr(jw *w, const char *s, int braces)
{
	item(w);
	put(w, "\"", 1);
	esc(w, s, braces);
	put(w, "\"", 1);
}

static void jkey(jw *w, const char *k)
{
	jstr(w, k, 0);
	put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = 1;
}

static void jraw(jw *w, const char *s)
{
	item(w);
	puts_(w, s);
}

static const char *S(const jw *w, uint32_t off) { return w->strs + off; }

static const alc_rules_node *N(const jw *w, uint32_t i)
{
	return &alc_rules_nodes(w->blob)[i];
}

static const uint32_t *OPS(const jw *w, const alc_rules_node *n)
{
	return alc_rules_ops(w->blob) + n->a;
}

/* The getAttr path text: fields joined by '.', indexes as "[n]". */
static void path_text(jw *w, const alc_rules_node *n)
{
	const uint32_t *st = OPS(w, n) + 1;
	for (uint32_t k = 0; k < n->n; k++) {
		if (st[k] & ALC_RULES_STEP_INDEX) {
			char buf[16];
			snprintf(buf, sizeof buf, "[%u]", st[k] & ~ALC_RULES_STEP_INDEX);
			puts_(w, buf);
		} else {
			if (k)
				put(w, ".", 1);
			esc(w, S(w, st[k]), 0);
		}
	}
}

static void expr(jw *w, uint32_t idx);

static void tpl(jw *w, const alc_rules_node *n)
{
	item(w);
	put(w, "\"", 1);
	const uint32_t *p = OPS(w, n);
	for (uint32_t k = 0; k < n->n; k++) {
		const alc_rules_node *part = N(w, p[k]);
		if (part->op == ALC_RX_STR) {
			esc(w, S(w, part->a), 1);
			continue;
		}
		put(w, "{", 1);
		if (part->op == ALC_RX_REF) {
			esc(w, S(w, w->names[part->a]), 0);
		} else { /* GETATTR of a REF */
			esc(w, S(w, w->names[N(w, OPS(w, part)[0])->a]), 0);
			put(w, "#", 1);
			path_text(w, part);
		}
		put(w, "}", 1);
	}
	put(w, "\"", 1);
}

/* A function call object; ASSIGN (str, 0 for none) is written inside it. */
static void call(jw *w, const alc_rules_node *n, uint32_t assign)
{
	const uint32_t *o = OPS(w, n);
	jopen(w, '{');
	jkey(w, "fn");
	if (n->op == ALC_RX_GETATTR) {
		jstr(w, "getAttr", 0);
		jkey(w, "argv");
		jopen(w, '[');
		expr(w, o[0]);
		item(w);
		put(w, "\"", 1);
		path_text(w, n);
		put(w, "\"", 1);
	} else {
		jstr(w, alc_rules_fn_name(n->op), 0);
		jkey(w, "argv");
		jopen(w, '[');
		for (uint32_t k = 0; k < n->n; k++)
			expr(w, o[k]);
	}
	jclose(w, ']');
	if (assign) {
		jkey(w, "assign");
		jstr(w, S(w, assign), 0);
	}
	jclose(w, '}');
}

/* Expression recursion and work are bounded by node size (checked). */
static void expr(jw *w, uint32_t idx)
{
	const alc_rules_node *n = N(w, idx);
	char buf[16];
	switch (n->op) {
	case ALC_RX_STR:
		jstr(w, S(w, n->a), 1);
		break;
	case ALC_RX_TPL:
		tpl(w, n);
		break;
	case ALC_RX_BOOL:
		jraw(w, n->a ? "true" : "false");
		break;
	case ALC_RX_INT:
		snprintf(buf, sizeof buf, "%d", (int)(int32_t)n->a);
		jraw(w, buf);
		break;
	case ALC_RX_REF:
		jopen(w, '{');
		jkey(w, "ref");
		jstr(w, S(w, w->names[n->a]), 0);
		jclose(w, '}');
		break;
	case ALC_RX_ARRAY:
		jopen(w, '[');
		for (uint32_t k = 0; k < n->n; k++)
			expr(w, OPS(w, n)[k]);
		jclose(w, ']');
		break;
	case ALC_RX_RECORD:
		jopen(w, '{');
		for (uint32_t k = 0; k < n->n; k++) {
			jkey(w, S(w, OPS(w, n)[2 * k]));
			expr(w, OPS(w, n)[2 * k + 1]);
		}
		jclose(w, '}');
		break;
	default: /* GETATTR and the functions */
		call(w, n, 0);
		break;
	}
}

static const char *const kind_names[] = { "", "endpoint", "error", "tree" };

/* Rule recursion is bounded by ALC_RULES_MAX_DEPTH (checked).  names[]
 * is a stack: a rule's assigns take slots slot_base.. and its children
 * overwrite them only after the rule is written. */
static void rules(jw *w, uint32_t first, uint32_t count)
{
	const alc_rules_rule *rs = alc_rules_rules(w->blob);
	const alc_rules_cond *cs = alc_rules_conds(w->blob);
	jopen(w, '[');
	for (uint32_t i = first; i < first + count && !w->rc; i++) {
		const alc_rules_rule *r = &rs[i];
		unsigned v = r->slot_base;
		jopen(w, '{');
		jkey(w, "conditions");
		jopen(w, '[');
		for (uint32_t k = 0; k < r->ncond; k++) {
			const alc_rules_cond *cd = &cs[r->first_cond + k];
			call(w, N(w, cd->node), cd->assign);
			if (cd->assign)
				w->names[v++] = cd->assign;
		}
		jclose(w, ']');
		switch (r->kind) {
		case ALC_RK_ENDPOINT:
			jkey(w, "endpoint");
			jopen(w, '{');
			jkey(w, "url");
			expr(w, r->x);
			if (r->y != ALC_RULES_NONE) {
				jkey(w, "properties");
				expr(w, r->y);
			}
			if (r->z != ALC_RULES_NONE) {
				jkey(w, "headers");
				expr(w, r->z);
			}
			jclose(w, '}');
			break;
		case ALC_RK_ERROR:
			jkey(w, "error");
			expr(w, r->x);
			break;
		default:
			jkey(w, "rules");
			rules(w, r->x, r->y);
			break;
		}
		jkey(w, "type");
		jstr(w, kind_names[r->kind], 0);
		jclose(w, '}');
	}
	jclose(w, ']');
}

static const char *const ptype_names[] = { "", "string", "boolean", "stringArray" };

static void params(jw *w)
{
	const alc_rules_header *h = alc_rules_hdr(w->blob);
	const alc_rules_param *ps = alc_rules_params(w->blob);
	jopen(w, '{');
	for (uint32_t i = 0; i < h->param_count; i++) {
		const alc_rules_param *p = &ps[i];
		jkey(w, S(w, p->name));
		jopen(w, '{');
		jkey(w, "type");
		jstr(w, ptype_names[p->type], 0);
		if (p->builtin) {
			jkey(w, "builtIn");
			jstr(w, p->builtin == ALC_RB_OTHER ? S(w, p->builtin_name)
			                                   : alc_rules_builtin_name(p->builtin), 0);
		}
		jkey(w, "required");
		jraw(w, (p->flags & ALC_RPF_REQUIRED) ? "true" : "false");
		if (p->flags & ALC_RPF_DEFAULT) {
			jkey(w, "default");
			if (p->type == ALC_RPT_STRING) {
				jstr(w, S(w, p->deflt), 0);
			} else if (p->type == ALC_RPT_BOOLEAN) {
				jraw(w, p->deflt ? "true" : "false");
			} else {
				const alc_rules_node *a = N(w, p->deflt);
				jopen(w, '[');
				for (uint32_t k = 0; k < a->n; k++)
					jstr(w, S(w, N(w, OPS(w, a)[k])->a), 0);
				jclose(w, ']');
			}
		}
		if (p->flags & ALC_RPF_DEPRECATED) {
			jkey(w, "deprecated");
			jopen(w, '{');
			if (p->flags & ALC_RPF_DEP_MESSAGE) {
				jkey(w, "message");
				jstr(w, S(w, p->dep_message), 0);
			}
			if (p->flags & ALC_RPF_DEP_SINCE) {
				jkey(w, "since");
				jstr(w, S(w, p->dep_since), 0);
			}
			jclose(w, '}');
		}
		jclose(w, '}');
		w->names[i] = p->name;
	}
	jclose(w, '}');
}

int alc_rules_to_json(const uint8_t *blob, size_t len, const char *strs,
                      uint32_t strs_size, unsigned flags,
                      alc_rules_write_fn write, void *ctx)
{
	if (!strs || !strs_size || strs[strs_size - 1] != '\0' || !write)
		return AL_EINVAL;
	int rc = alc_rules_check(blob, len, strs_size, NULL, 0);
	if (rc)
		return rc;
	jw w = { .write = write, .ctx = ctx, .first = 1,
	         .pretty = (flags & ALC_RULES_JSON_PRETTY) != 0,
	         .blob = blob, .strs = strs };
	const alc_rules_header *h = alc_rules_hdr(blob);
	jopen(&w, '{');
	jkey(&w, "version");
	jstr(&w, S(&w, h->ruleset_version), 0);
	jkey(&w, "parameters");
	params(&w);
	jkey(&w, "rules");
	rules(&w, 0, h->root_count);
	jclose(&w, '}');
	if (w.pretty)
		put(&w, "\n", 1);
	return w.rc;
}
