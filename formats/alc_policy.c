/*
 * alc_policy.c -- see alc_policy.h.
 *
 * The checker assumes nothing about the writer (a checksummed file can
 * still be hostile): every table is bounds-checked against the section,
 * every record's references against their tables, every string against
 * STRS.  Each loop runs over one table's records (or the operations), so
 * the work is linear in the section size plus the operation count, and
 * there is no allocation.
 */
#include "alc_policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alc_err.h"
#include "alc_reader.h"

const uint32_t alc_ptable_entsize[ALC_PT_COUNT] = {
	[ALC_PT_RULES] = sizeof(alc_prule),
	[ALC_PT_CONDS] = sizeof(alc_pcond),
	[ALC_PT_VALS] = sizeof(alc_pval),
	[ALC_PT_SEGS] = sizeof(alc_pseg),
	[ALC_PT_TAGS] = sizeof(alc_ptag),
	[ALC_PT_TAGLOCS] = sizeof(alc_ptagloc),
	[ALC_PT_CLASSES] = sizeof(alc_pclass),
	[ALC_PT_REFS] = sizeof(uint32_t),
	[ALC_PT_PATS] = sizeof(alc_ppat),
	[ALC_PT_ENVS] = sizeof(alc_penv),
	[ALC_PT_APPROVALS] = sizeof(alc_papproval),
};

static const char *const table_names[ALC_PT_COUNT] = {
	"rules", "conds", "vals", "segs", "tags", "taglocs", "classes",
	"refs", "pats", "envs", "approvals",
};

static const char *const risk_names[ALC_RISK_COUNT] = {
	"none", "low", "medium", "high", "critical",
};
static const char *const effect_names[ALC_EFFECT_COUNT] = {
	"none", "allow", "require_approval", "deny",
};

const char *alc_risk_name(unsigned risk)
{
	return risk < ALC_RISK_COUNT ? risk_names[risk] : "?";
}

const char *alc_effect_name(unsigned effect)
{
	return effect < ALC_EFFECT_COUNT ? effect_names[effect] : "?";
}

/* ---- the read rule ---------------------------------------------------- */

/* Does NAME start with the whole CamelCase word W? */
static int name_word_is(const char *name, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(name, w, n) != 0)
		return 0;
	return !(name[n] >= 'a' && name[n] <= 'z');
}

int alc_op_is_read(const char *name, uint32_t flags)
{
	static const char *const verbs[] = {
		"Get", "List", "Describe", "Head", "Search", "Query", "Scan",
		"Lookup",
	};
	static const char *const batch[] = { "Get", "List", "Describe" };
	if (flags & ALC_OP_READONLY)
		return 1;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (name_word_is(name, verbs[i]))
			return 1;
	if (name_word_is(name, "Batch"))
		for (size_t i = 0; i < sizeof batch / sizeof batch[0]; i++)
			if (name_word_is(name + 5, batch[i]))
				return 1;
	return 0;
}

/* ---- binding ---------------------------------------------------------- */

int alc_policy_get(const alc_catalog *cat, alc_policy *p)
{
	memset(p, 0, sizeof *p);
	if (!(cat->hdr->flags & ALC_F_POLICY) || !cat->policy ||
	    cat->policy_size < sizeof(alc_policy_header))
		return AL_ENOTFOUND;
	const uint8_t *b = cat->policy;
	const alc_policy_header *h = (const alc_policy_header *)b;
	p->hdr = h;
#define BIND(field, n, kind, type) \
	(p->field = (const type *)(b + h->tables[kind].off), \
	 p->n = h->tables[kind].count)
	BIND(rules, nrules, ALC_PT_RULES, alc_prule);
	BIND(conds, nconds, ALC_PT_CONDS, alc_pcond);
	BIND(vals, nvals, ALC_PT_VALS, alc_pval);
	BIND(segs, nsegs, ALC_PT_SEGS, alc_pseg);
	BIND(tags, ntags, ALC_PT_TAGS, alc_ptag);
	BIND(taglocs, ntaglocs, ALC_PT_TAGLOCS, alc_ptagloc);
	BIND(classes, nclasses, ALC_PT_CLASSES, alc_pclass);
	BIND(refs, nrefs, ALC_PT_REFS, uint32_t);
	BIND(pats, npats, ALC_PT_PATS, alc_ppat);
	BIND(envs, nenvs, ALC_PT_ENVS, alc_penv);
	BIND(approvals, napprovals, ALC_PT_APPROVALS, alc_papproval);
#undef BIND
	p->blob = h->blob_size ? b + h->blob_off : NULL;
	p->blob_size = h->blob_size;
	return 0;
}

/* ---- the checker ------------------------------------------------------ */

static int bad(alc_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noinline, cold));

static int bad(alc_diag *diag, const char *fmt, ...)
{
	if (diag) {
		int n = snprintf(diag->msg, sizeof diag->msg, "POLICY ");
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(diag->msg + n, sizeof diag->msg - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return AL_ECORRUPT;
}

typedef struct pcheck {
	const alc_catalog *c;
	alc_policy p;
	alc_diag *diag;
} pcheck;

/* [first, first + count) within a table of N records. */
static int span_ok(uint32_t first, uint32_t count, uint32_t n)
{
	return (uint64_t)first + count <= n;
}

#define STR_OK(off) ((off) < k->c->strs_size)

static int check_str(pcheck *k, const char *tbl, uint32_t i, const char *f,
                     uint32_t off)
{
	if (STR_OK(off))
		return 0;
	return bad(k->diag, "%s[%u].%s: string offset %u out of range (STRS "
	           "has %u bytes)", tbl, i, f, off, k->c->strs_size);
}

static int check_span(pcheck *k, const char *tbl, uint32_t i, const char *f,
                      uint32_t first, uint32_t count, uint32_t n,
                      const char *target)
{
	if (span_ok(first, count, n))
		return 0;
	return bad(k->diag, "%s[%u].%s: [%u, +%u) out of range (%s has %u)",
	           tbl, i, f, first, count, target, n);
}

static int check_header(pcheck *k)
{
	const alc_catalog *c = k->c;
	const alc_policy_header *h = (const alc_policy_header *)c->policy;
	if (c->policy_size < sizeof *h)
		return bad(k->diag, "section: %u bytes, smaller than its header "
		           "(%zu)", c->policy_size, sizeof *h);
	if (h->magic != ALC_POLICY_MAGIC)
		return bad(k->diag, "header: bad magic 0x%08x", h->magic);
	if (h->version != ALC_POLICY_VERSION) {
		if (h->version > ALC_POLICY_VERSION) {
			if (k->diag)
				snprintf(k->diag->msg, sizeof k->diag->msg,
				         "POLICY version %u is newer than this reader "
				         "(%u)", h->version, ALC_POLICY_VERSION);
			return AL_EVERSION;
		}
		return bad(k->diag, "header: version %u", h->version);
	}
	if (h->size > c->policy_size || h->size < sizeof *h)
		return bad(k->diag, "header.size: %u (section has %u bytes)",
		           h->size, c->policy_size);
	if (h->flags & ~(ALC_POL_ACCOUNTS | ALC_POL_REGIONS))
		return bad(k->diag, "header.flags: unknown bits 0x%x", h->flags);
	int rc;
	if ((rc = check_str(k, "header", 0, "source", h->source)) ||
	    (rc = check_str(k, "header", 0, "pcre2_version", h->pcre2_version)))
		return rc;
	for (unsigned r = 0; r < sizeof h->defaults; r++) {
		int want = r >= ALC_RISK_LOW && r <= ALC_RISK_CRITICAL;
		if (want ? (h->defaults[r] < ALC_EFFECT_ALLOW ||
		            h->defaults[r] >= ALC_EFFECT_COUNT)
		         : h->defaults[r] != 0)
			return bad(k->diag, "header.defaults[%u]: %u", r,
			           h->defaults[r]);
	}
	for (unsigned t = 0; t < ALC_PT_COUNT; t++) {
		const alc_ptable *tb = &h->tables[t];
		uint64_t end = (uint64_t)tb->off +
		               (uint64_t)tb->count * alc_ptable_entsize[t];
		if (tb->count == 0 && tb->off == 0)
			continue;
		if (tb->off % 8 || tb->off < sizeof *h || end > h->size)
			return bad(k->diag, "header.tables[%s]: offset %u, %u "
			           "records of %u bytes: outside the section (%u "
			           "bytes) or misaligned", table_names[t], tb->off,
			           tb->count, alc_ptable_entsize[t], h->size);
	}
	if (h->blob_size &&
	    (h->blob_off % 8 || h->blob_off < sizeof *h ||
	     (uint64_t)h->blob_off + h->blob_size > h->size))
		return bad(k->diag, "header.blob: offset %u size %u outside the "
		           "section (%u bytes)", h->blob_off, h->blob_size, h->size);
	if (!h->blob_size && h->blob_off)
		return bad(k->diag, "header.blob_off: %u with no blob",
		           h->blob_off);
	return 0;
}

/* A VALS range whose entries are all of the types in MASK (bit per
 * alc_pval_type). */
static int check_vals_of(pcheck *k, const char *tbl, uint32_t i,
                         const char *f, uint32_t first, uint32_t count,
                         unsigned mask)
{
	int rc = check_span(k, tbl, i, f, first, count, k->p.nvals, "vals");
	if (rc)
		return rc;
	for (uint32_t v = first; v < first + count; v++)   /* bound: nvals */
		if (!(mask & (1u << k->p.vals[v].type)))
			return bad(k->diag, "%s[%u].%s: vals[%u] has type %u, not "
			           "allowed here", tbl, i, f, v, k->p.vals[v].type);
	return 0;
}

#define TY(t) (1u << (t))

static int check_vals(pcheck *k)
{
	const alc_policy *p = &k->p;
	for (uint32_t i = 0; i < p->nvals; i++) {           /* bound: nvals */
		const alc_pval *v = &p->vals[i];
		switch (v->type) {
		case ALC_PV_STR:
		case ALC_PV_NUM:
			if (!STR_OK(v->a))
				return check_str(k, "vals", i, "a", v->a);
			if (v->type == ALC_PV_NUM && !isfinite(v->num))
				return bad(k->diag, "vals[%u].num: not finite", i);
			break;
		case ALC_PV_BOOL:
			if (v->a > 1)
				return bad(k->diag, "vals[%u].a: boolean %u", i, v->a);
			break;
		case ALC_PV_PAT:
			if (v->a >= p->npats)
				return bad(k->diag, "vals[%u].a: pattern %u out of "
				           "range (pats has %u)", i, v->a, p->npats);
			break;
		case ALC_PV_ENV:
			if (v->a >= p->nenvs)
				return bad(k->diag, "vals[%u].a: environment %u out of "
				           "range (envs has %u)", i, v->a, p->nenvs);
			break;
		default:
			return bad(k->diag, "vals[%u].type: %u", i, v->type);
		}
	}
	return 0;
}

static int check_segs(pcheck *k, const char *tbl, uint32_t i,
                      uint32_t first, uint32_t count)
{
	int rc = check_span(k, tbl, i, "seg_first", first, count, k->p.nsegs,
	                    "segs");
	if (rc)
		return rc;
	if (!count)
		return bad(k->diag, "%s[%u].seg_count: empty path", tbl, i);
	return 0;
}

static int check_conds(pcheck *k)
{
	const alc_policy *p = &k->p;
	for (uint32_t i = 0; i < p->nsegs; i++) {           /* bound: nsegs */
		const alc_pseg *s = &p->segs[i];
		if (s->kind >= ALC_SEG_COUNT)
			return bad(k->diag, "segs[%u].kind: %u", i, s->kind);
		if (!STR_OK(s->name))
			return check_str(k, "segs", i, "name", s->name);
	}
	for (uint32_t i = 0; i < p->nconds; i++) {          /* bound: nconds */
		const alc_pcond *c = &p->conds[i];
		int rc;
		if (c->subject < ALC_PS_REGION || c->subject >= ALC_PS_COUNT ||
		    c->op < ALC_PO_IN || c->op >= ALC_PO_COUNT ||
		    c->quant > ALC_PQ_ALL || c->pad)
			return bad(k->diag, "conds[%u]: subject %u, op %u, quant %u, "
			           "pad %u", i, c->subject, c->op, c->quant, c->pad);
		if ((rc = check_str(k, "conds", i, "path", c->path)))
			return rc;
		if (c->subject == ALC_PS_INPUT) {
			if ((rc = check_segs(k, "conds", i, c->seg_first,
			                     c->seg_count)))
				return rc;
		} else if (c->seg_count || c->seg_first) {
			return bad(k->diag, "conds[%u]: a path on a context "
			           "condition", i);
		}
		unsigned mask;
		uint32_t want = 1;  /* operand count; 0: any positive */
		switch (c->op) {
		case ALC_PO_IN: case ALC_PO_NOT_IN:
			mask = c->subject == ALC_PS_ENV ? TY(ALC_PV_ENV)
			       : c->subject == ALC_PS_ACCOUNT ? TY(ALC_PV_STR)
			       : c->subject == ALC_PS_INPUT
			         ? TY(ALC_PV_STR) | TY(ALC_PV_NUM) | TY(ALC_PV_BOOL)
			         : TY(ALC_PV_STR) | TY(ALC_PV_PAT);
			want = 0;
			break;
		case ALC_PO_MATCHES: case ALC_PO_NOT_MATCHES:
			mask = TY(ALC_PV_PAT);
			break;
		case ALC_PO_LT: case ALC_PO_LE: case ALC_PO_GT: case ALC_PO_GE:
			mask = TY(ALC_PV_NUM);
			break;
		case ALC_PO_EQ: case ALC_PO_NE:
			mask = TY(ALC_PV_STR) | TY(ALC_PV_NUM) | TY(ALC_PV_BOOL);
			break;
		default: /* PRESENT, ABSENT */
			mask = 0;
			want = UINT32_MAX;
			break;
		}
		if (c->subject != ALC_PS_INPUT && c->op != ALC_PO_IN &&
		    c->op != ALC_PO_NOT_IN)
			return bad(k->diag, "conds[%u]: op %u on a context subject",
			           i, c->op);
		if (want == UINT32_MAX ? c->val_count != 0
		    : want ? c->val_count != want : c->val_count == 0)
			return bad(k->diag, "conds[%u].val_count: %u operands for "
			           "op %u", i, c->val_count, c->op);
		if ((rc = check_vals_of(k, "conds", i, "val_first", c->val_first,
		                        c->val_count, mask)))
			return rc;
	}
	return 0;
}

static int check_rules(pcheck *k)
{
	const alc_policy *p = &k->p;
	for (uint32_t i = 0; i < p->nrules; i++) {          /* bound: nrules */
		const alc_prule *r = &p->rules[i];
		int rc;
		if ((rc = check_str(k, "rules", i, "id", r->id)) ||
		    (rc = check_str(k, "rules", i, "description", r->description)))
			return rc;
		if (r->effect < ALC_EFFECT_ALLOW || r->effect >= ALC_EFFECT_COUNT ||
		    r->kind > ALC_PRULE_TAGS || (r->flags & ~ALC_PRULE_DYNAMIC) ||
		    (r->kind == ALC_PRULE_TAGS && r->effect != ALC_EFFECT_DENY) ||
		    (r->kind == ALC_PRULE_RULE && r->tag_count))
			return bad(k->diag, "rules[%u]: effect %u, kind %u, flags "
			           "0x%x, %u tags", i, r->effect, r->kind, r->flags,
			           r->tag_count);
		if (!!(r->flags & ALC_PRULE_DYNAMIC) != (r->cond_count != 0))
			return bad(k->diag, "rules[%u].flags: dynamic bit does not "
			           "match %u conditions", i, r->cond_count);
		if ((rc = check_span(k, "rules", i, "cond_first", r->cond_first,
		                     r->cond_count, p->nconds, "conds")) ||
		    (rc = check_span(k, "rules", i, "tag_first", r->tag_first,
		                     r->tag_count, p->ntags, "tags")))
			return rc;
	}
	for (uint32_t i = 0; i < p->ntags; i++) {           /* bound: ntags */
		const alc_ptag *t = &p->tags[i];
		if (!STR_OK(t->key))
			return check_str(k, "tags", i, "key", t->key);
		if (t->pat != ALC_NONE && t->pat >= p->npats)
			return bad(k->diag, "tags[%u].pat: %u out of range (pats has "
			           "%u)", i, t->pat, p->npats);
	}
	for (uint32_t i = 0; i < p->npats; i++) {           /* bound: npats */
		if (!STR_OK(p->pats[i].source))
			return check_str(k, "pats", i, "source", p->pats[i].source);
		if (p->pats[i].flags & ~ALC_PAT_CASELESS)
			return bad(k->diag, "pats[%u].flags: 0x%x", i,
			           p->pats[i].flags);
	}
	return 0;
}

static int check_classes(pcheck *k)
{
	const alc_policy *p = &k->p;
	for (uint32_t i = 0; i < p->ntaglocs; i++) {        /* bound: ntaglocs */
		const alc_ptagloc *t = &p->taglocs[i];
		int rc;
		if (t->kind < ALC_TL_LIST || t->kind >= ALC_TL_COUNT)
			return bad(k->diag, "taglocs[%u].kind: %u", i, t->kind);
		if ((rc = check_segs(k, "taglocs", i, t->seg_first, t->seg_count)) ||
		    (rc = check_str(k, "taglocs", i, "key_name", t->key_name)) ||
		    (rc = check_str(k, "taglocs", i, "value_name", t->value_name)) ||
		    (rc = check_str(k, "taglocs", i, "path", t->path)))
			return rc;
	}
	for (uint32_t i = 0; i < p->nrefs; i++)             /* bound: nrefs */
		if (p->refs[i] >= p->nrules)
			return bad(k->diag, "refs[%u]: rule %u out of range (rules "
			           "has %u)", i, p->refs[i], p->nrules);
	for (uint32_t i = 0; i < p->nclasses; i++) {        /* bound: nclasses */
		const alc_pclass *c = &p->classes[i];
		int rc;
		if ((rc = check_span(k, "classes", i, "ref_first", c->ref_first,
		                     c->ref_count, p->nrefs, "refs")) ||
		    (rc = check_span(k, "classes", i, "tagloc_first",
		                     c->tagloc_first, c->tagloc_count, p->ntaglocs,
		                     "taglocs")))
			return rc;
		if ((c->static_rule != ALC_NONE && c->static_rule >= p->nrules) ||
		    c->static_effect >= ALC_EFFECT_COUNT ||
		    c->pad[0] || c->pad[1] || c->pad[2])
			return bad(k->diag, "classes[%u]: static rule %u, effect %u",
			           i, c->static_rule, c->static_effect);
		/* evaluation order: effect (deny first), specificity, file
		 * order -- the runtime stops at the first match */
		for (uint32_t r = 1; r < c->ref_count; r++) { /* bound: nrefs */
			uint32_t ia = p->refs[c->ref_first + r - 1];
			uint32_t ib = p->refs[c->ref_first + r];
			const alc_prule *a = &p->rules[ia], *b = &p->rules[ib];
			int ordered = a->effect != b->effect ? a->effect > b->effect
			              : a->specificity != b->specificity
			              ? a->specificity > b->specificity : ia < ib;
			if (!ordered)
				return bad(k->diag, "classes[%u]: rules %u and %u out of "
				           "evaluation order", i, ia, ib);
		}
	}
	return 0;
}

static int check_envs(pcheck *k)
{
	const alc_policy *p = &k->p;
	const alc_policy_header *h = p->hdr;
	int rc;
	for (uint32_t i = 0; i < p->nenvs; i++) {           /* bound: nenvs */
		const alc_penv *e = &p->envs[i];
		if ((rc = check_str(k, "envs", i, "name", e->name)) ||
		    (rc = check_vals_of(k, "envs", i, "accounts_first",
		                        e->accounts_first, e->accounts_count,
		                        TY(ALC_PV_STR))) ||
		    (rc = check_vals_of(k, "envs", i, "profiles_first",
		                        e->profiles_first, e->profiles_count,
		                        TY(ALC_PV_STR) | TY(ALC_PV_PAT))))
			return rc;
	}
	if ((uint64_t)p->napprovals != ((uint64_t)p->nenvs + 1) * 4)
		return bad(k->diag, "approvals: %u entries for %u environments "
		           "(want %llu)", p->napprovals, p->nenvs,
		           ((unsigned long long)p->nenvs + 1) * 4);
	for (uint32_t i = 0; i < p->napprovals; i++) {      /* bound: napprovals */
		const alc_papproval *a = &p->approvals[i];
		if (a->approvers < 1 || a->approvers > 2 || a->required > 1 ||
		    a->pad[0] || a->pad[1])
			return bad(k->diag, "approvals[%u]: %u approvers, required "
			           "%u", i, a->approvers, a->required);
	}
	if (!(h->flags & ALC_POL_ACCOUNTS) &&
	    (h->accounts_first || h->accounts_count))
		return bad(k->diag, "header.accounts: a list without the flag");
	if (!(h->flags & ALC_POL_REGIONS) &&
	    (h->regions_first || h->regions_count))
		return bad(k->diag, "header.regions: a list without the flag");
	if ((rc = check_vals_of(k, "header", 0, "accounts_first",
	                        h->accounts_first, h->accounts_count,
	                        TY(ALC_PV_STR))) ||
	    (rc = check_vals_of(k, "header", 0, "regions_first",
	                        h->regions_first, h->regions_count,
	                        TY(ALC_PV_STR) | TY(ALC_PV_PAT))))
		return rc;
	return 0;
}

static int check_ops(pcheck *k)
{
	const alc_catalog *c = k->c;
	const uint32_t known = ALC_OPRISK_LEVEL | ALC_OPRISK_WRITE |
	                       ALC_OPRISK_OVERRIDDEN | ALC_OPRISK_TAGS;
	for (uint32_t i = 0; i < c->nops; i++) {            /* bound: nops */
		uint32_t r = c->ops[i].risk;
		uint32_t lvl = r & ALC_OPRISK_LEVEL;
		uint32_t cls = r >> ALC_OPRISK_CLASS_SHIFT;
		if (lvl < ALC_RISK_LOW || lvl > ALC_RISK_CRITICAL ||
		    (r & 0xffffu & ~known) || cls >= k->p.nclasses)
			return bad(k->diag, "OPS[%u].risk: 0x%08x (level %u, class "
			           "%u of %u)", i, r, lvl, cls, k->p.nclasses);
	}
	return 0;
}

int alc_policy_check(const alc_catalog *c, alc_diag *diag)
{
	pcheck k = { c, { 0 }, diag };
	if (!(c->hdr->flags & ALC_F_POLICY)) {
		if (c->policy)
			return bad(diag, "section present but the header's "
			           "ALC_F_POLICY flag is clear");
		for (uint32_t i = 0; i < c->nops; i++)      /* bound: nops */
			if (c->ops[i].risk)
				return bad(diag, "OPS[%u].risk: 0x%08x in a catalog "
				           "without policy", i, c->ops[i].risk);
		return 0;
	}
	if (!c->policy)
		return bad(diag, "the header's ALC_F_POLICY flag is set but "
		           "there is no POLICY section");
	int rc;
	if ((rc = check_header(&k)))
		return rc;
	alc_policy_get(c, &k.p);
	if ((rc = check_vals(&k)) || (rc = check_conds(&k)) ||
	    (rc = check_rules(&k)) || (rc = check_classes(&k)) ||
	    (rc = check_envs(&k)) || (rc = check_ops(&k)))
		return rc;
	return 0;
}
