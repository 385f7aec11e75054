/*
 * rt_policy.c -- see rt_policy.h; the decision order is policy/README.md's,
 * the data formats/alc_policy.h's.
 *
 * The decision, in order (the first step that decides ends it):
 *   1. no policy compiled in: deny ("no-policy");
 *   2. context: a malformed region or account id is refused
 *      (invalid-region, invalid-account); so is one outside
 *      allowed_regions / allowed_accounts, or an unknown one when the
 *      policy lists them (allowed-regions, allowed-accounts);
 *   3. input: an object with a key twice, or a key that differs only in
 *      case from a member a rule looks up, is refused (duplicate-key):
 *      the policy will not guess which one AWS would read;
 *   4. the candidate rules of the operation's class, in evaluation order
 *      (deny first, then require_approval, then allow; within one effect
 *      the most specific first; then file order): the first that matches
 *      decides and is reported.  Without EXPLAIN nothing after it is
 *      evaluated; with it, every candidate of the same effect is;
 *   5. no rule matched: the default effect for the operation's risk;
 *   6. an allow (by rule or default) of a risk level whose approval
 *      setting says required (high and critical unless changed) becomes
 *      require_approval; the approvers and TTL come from the settings of
 *      the environment and risk level.
 *
 * Unknown context: a condition on a region, account, profile or
 * environment that is not known counts as holding for deny and
 * require_approval rules and as failing for allow rules, so not knowing
 * never gets a call a better decision.  An unknown input (input NULL)
 * instead makes the rules that test it "conditional": they are listed,
 * and the decision is the one they would leave.
 *
 * Work per decision: the class's rule list (usually a handful), each rule's
 * conditions, each input condition one walk of its path; the duplicate-key
 * pass is linear in the input for objects of up to 32 keys and n log n
 * above.  No allocation: values are matched as they are found.
 *
 * Patterns: decoded from the PCRE2 serialization the compiler stored when
 * the running library is the compiler's version, else compiled from the
 * stored sources (RT_POLICY_FROM_SOURCE forces that).  PCRE2 documents
 * that serialized patterns must come from a trusted source; the catalog
 * is that source -- it is checksummed (a damaged file never gets here) and
 * it is the artifact a platform team builds and ships -- and anyone who
 * can replace it can ship any policy anyway.  Matches run under a match
 * and depth limit, and a limit hit counts against the call (as unknown
 * context does).
 */
#include "rt_policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "alc_err.h"

#define PAT_OPTIONS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
#define MATCH_LIMIT 100000u
#define DEPTH_LIMIT 10000u
#define MAX_VALUES 100000u   /* values one input path may visit; past it
                                the condition is unknown (counts against
                                the call) */

struct rt_policy {
	const alc_catalog *cat;
	alc_policy pol;
	int present;
	pcre2_code **codes;        /* one per PATS entry */
	uint32_t ncodes;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	const char *from;
};

/* ---- open / close ----------------------------------------------------- */

static int compile_sources(rt_policy *p, char *err, size_t cap)
{
	for (uint32_t i = 0; i < p->ncodes; i++) {
		const char *src = alc_str(p->cat, p->pol.pats[i].source);
		int ec;
		PCRE2_SIZE off;
		uint32_t opt = PAT_OPTIONS |
		               (p->pol.pats[i].flags & ALC_PAT_CASELESS ? PCRE2_CASELESS : 0);
		p->codes[i] = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
		                            opt, &ec, &off, NULL);
		if (!p->codes[i]) {
			if (ec == PCRE2_ERROR_NOMEMORY)
				return AL_ENOMEM;
			PCRE2_UCHAR msg[128];
			pcre2_get_error_message(ec, msg, sizeof msg);
			if (err)
				snprintf(err, cap, "policy pattern %u does not compile: %s "
				         "at offset %zu", i, (const char *)msg, (size_t)off);
			return AL_ECORRUPT;
		}
	}
	p->from = "source";
	return 0;
}

int rt_policy_open(rt_policy **out, const alc_catalog *cat, unsigned flags,
                   char *err, size_t errcap)
{
	*out = NULL;
	if (err && errcap)
		err[0] = '\0';
	rt_policy *p = calloc(1, sizeof *p);
	if (!p)
		return AL_ENOMEM;
	p->cat = cat;
	p->from = "none";
	p->present = alc_policy_get(cat, &p->pol) == 0;
	p->md = pcre2_match_data_create(1, NULL);
	p->mctx = pcre2_match_context_create(NULL);
	if (!p->md || !p->mctx) {
		rt_policy_close(p);
		return AL_ENOMEM;
	}
	pcre2_set_match_limit(p->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, DEPTH_LIMIT);
	if (p->present && p->pol.npats) {
		p->ncodes = p->pol.npats;
		p->codes = calloc(p->ncodes, sizeof *p->codes);
		if (!p->codes) {
			rt_policy_close(p);
			return AL_ENOMEM;
		}
		char ver[64] = "";
		pcre2_config(PCRE2_CONFIG_VERSION, ver);
		int decoded = 0;
		if (!(flags & RT_POLICY_FROM_SOURCE) && p->pol.blob &&
		    strcmp(ver, alc_str(cat, p->pol.hdr->pcre2_version)) == 0 &&
		    pcre2_serialize_get_number_of_codes(p->pol.blob) == (int32_t)p->ncodes &&
		    pcre2_serialize_decode(p->codes, (int32_t)p->ncodes, p->pol.blob,
		                           NULL) == (int32_t)p->ncodes) {
			decoded = 1;
			p->from = "serialized";
		}
		if (!decoded) {
			memset(p->codes, 0, p->ncodes * sizeof *p->codes);
			int rc = compile_sources(p, err, errcap);
			if (rc) {
				rt_policy_close(p);
				return rc;
			}
		}
	}
	*out = p;
	return 0;
}

void rt_policy_close(rt_policy *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->ncodes; i++)
		pcre2_code_free(p->codes ? p->codes[i] : NULL);
	free(p->codes);
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	free(p);
}

const alc_policy *rt_policy_section(const rt_policy *p)
{
	return &p->pol;
}

const char *rt_policy_patterns_from(const rt_policy *p)
{
	return p->from;
}

const char *rt_policy_rule_id(const rt_policy *p, uint32_t r)
{
	return r < p->pol.nrules ? alc_str(p->cat, p->pol.rules[r].id) : "";
}

const char *rt_policy_rule_description(const rt_policy *p, uint32_t r)
{
	return r < p->pol.nrules ? alc_str(p->cat, p->pol.rules[r].description) : "";
}

uint32_t rt_policy_rule_line(const rt_policy *p, uint32_t r)
{
	return r < p->pol.nrules ? p->pol.rules[r].line : 0;
}

/* ---- matching --------------------------------------------------------- */

/* 1 match, 0 no match, -1 error (a limit): the caller decides. */
static int pat_match(rt_policy *p, uint32_t pat, const char *s, size_t n)
{
	int rc = pcre2_match(p->codes[pat], (PCRE2_SPTR)s, n, 0, 0, p->md,
	                     p->mctx);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* VALS entries [first, first+n): does S equal a string or match a
 * pattern?  -1 on a match error. */
static int in_vals(rt_policy *p, uint32_t first, uint32_t n, const char *s)
{
	int err = 0;
	for (uint32_t i = first; i < first + n; i++) {
		const alc_pval *v = &p->pol.vals[i];
		if (v->type == ALC_PV_STR && strcmp(alc_str(p->cat, v->a), s) == 0)
			return 1;
		if (v->type == ALC_PV_PAT) {
			int m = pat_match(p, v->a, s, strlen(s));
			if (m > 0)
				return 1;
			err |= m < 0;
		}
	}
	return err ? -1 : 0;
}

static int is_region(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || n > 32 ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return 0;
	const char *last = strrchr(s, '-');
	return last && last[1] && strspn(last + 1, "0123456789") == strlen(last + 1) &&
	       s[0] != '-' && !strstr(s, "--");
}

static int is_account(const char *s)
{
	return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* A JSON string holding a decimal number (what an AWS query protocol
 * would accept for a number). */
static int num_text(const char *s, double *out)
{
	size_t n = strlen(s);
	if (!n || n > 64 || strspn(s, "+-0123456789.eE") != n)
		return 0;
	char *end;
	double d = strtod(s, &end);
	if (*end || !isfinite(d))
		return 0;
	*out = d;
	return 1;
}

static int json_num(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 1;
	}
	return cJSON_IsString(v) && v->valuestring && num_text(v->valuestring, out);
}

/* ---- the input --------------------------------------------------------- */

typedef struct eval {
	rt_policy *p;
	const rt_call *call;
	int env;                  /* ENVS index, -1 none */
	int env_known;
	int pessimist;            /* the rule's effect is not allow */
	int overflow;             /* a path had more than MAX_VALUES values */
	const char *ambiguous;    /* a key that differs only in case */
	char detail[200];
} eval;

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first key that appears twice in an object of V, or NULL.  Objects
 * of up to 32 keys are checked pairwise, larger ones sorted (the only
 * allocation on the decision path, and only for such objects). */
static const char *dup_key(const cJSON *v, int depth, int *oom)
{
	if (depth > 1100)
		return NULL;   /* cJSON parses at most 1000 levels (its
		                  CJSON_NESTING_LIMIT); a tree built otherwise
		                  stops being checked here, not crashing */
	if (cJSON_IsObject(v)) {
		size_t n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			n++;
		if (n <= 32) {
			for (const cJSON *a = v->child; a; a = a->next)
				for (const cJSON *b = a->next; b; b = b->next)
					if (a->string && b->string && strcmp(a->string, b->string) == 0)
						return a->string;
		} else {
			const char **k = malloc(n * sizeof *k);
			if (!k) {
				*oom = 1;
				return "";
			}
			size_t i = 0;
			for (const cJSON *c = v->child; c; c = c->next)
				k[i++] = c->string ? c->string : "";
			qsort(k, n, sizeof *k, cmp_keys);
			const char *d = NULL;
			for (i = 1; i < n && !d; i++)
				if (strcmp(k[i - 1], k[i]) == 0)
					d = k[i];
			free(k);
			if (d)
				return d;
		}
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		for (const cJSON *c = v->child; c; c = c->next) {
			const char *d = dup_key(c, depth + 1, oom);
			if (d)
				return d;
		}
	return NULL;
}

/* Member NAME of object O, exactly; a key equal to it but for ASCII case
 * marks the input ambiguous. */
static const cJSON *member(eval *e, const cJSON *o, const char *name)
{
	const cJSON *hit = NULL;
	if (!cJSON_IsObject(o))
		return NULL;
	for (const cJSON *c = o->child; c; c = c->next) {
		if (!c->string)
			continue;
		if (strcmp(c->string, name) == 0)
			hit = c;
		else if (strcasecmp(c->string, name) == 0 && !e->ambiguous)
			e->ambiguous = c->string;
	}
	return hit;
}

typedef int (*visit_fn)(eval *e, const cJSON *v, void *arg);

/* Visit every value at the path SEGS[0..n) under V; a visitor returning
 * nonzero stops the walk (the value is returned).  *COUNT counts values
 * visited, bounded by MAX_VALUES. */
static int walk(eval *e, const cJSON *v, const alc_pseg *segs, uint32_t n,
                visit_fn fn, void *arg, uint32_t *count)
{
	if (!v)
		return 0;
	if (n == 0) {
		if (++*count > MAX_VALUES) {
			e->overflow = 1;
			return 1;    /* stop: the answer is unknown */
		}
		return fn(e, v, arg);
	}
	const alc_pseg *s = &segs[0];
	if (s->kind == ALC_SEG_VALUES) {
		if (!cJSON_IsObject(v))
			return 0;
		for (const cJSON *c = v->child; c; c = c->next) {
			int r = walk(e, c, segs + 1, n - 1, fn, arg, count);
			if (r)
				return r;
		}
		return 0;
	}
	const cJSON *m = member(e, v, alc_str(e->p->cat, s->name));
	if (!m)
		return 0;
	if (s->kind == ALC_SEG_EACH) {
		if (!cJSON_IsArray(m))
			return 0;
		for (const cJSON *c = m->child; c; c = c->next) {
			int r = walk(e, c, segs + 1, n - 1, fn, arg, count);
			if (r)
				return r;
		}
		return 0;
	}
	return walk(e, m, segs + 1, n - 1, fn, arg, count);
}

/* One value against one test: 1 holds, 0 not, -1 unknown (match error). */
static int test_value(eval *e, const alc_pcond *c, const cJSON *v)
{
	rt_policy *p = e->p;
	const alc_pval *vals = &p->pol.vals[c->val_first];
	double x;
	switch (c->op) {
	case ALC_PO_MATCHES: case ALC_PO_NOT_MATCHES: {
		int m = cJSON_IsString(v) && v->valuestring
		        ? pat_match(p, vals[0].a, v->valuestring, strlen(v->valuestring))
		        : 0;
		if (m < 0)
			return -1;
		return c->op == ALC_PO_MATCHES ? m : !m;
	}
	case ALC_PO_LT: case ALC_PO_LE: case ALC_PO_GT: case ALC_PO_GE:
		if (!json_num(v, &x))
			return 0;
		return c->op == ALC_PO_LT ? x < vals[0].num : c->op == ALC_PO_LE
		       ? x <= vals[0].num : c->op == ALC_PO_GT ? x > vals[0].num
		       : x >= vals[0].num;
	default: { /* EQ, NE, IN, NOT_IN */
		int eq = 0;
		for (uint32_t i = 0; i < c->val_count && !eq; i++) {
			const alc_pval *o = &vals[i];
			if (o->type == ALC_PV_STR)
				eq = cJSON_IsString(v) && v->valuestring &&
				     strcmp(v->valuestring, alc_str(p->cat, o->a)) == 0;
			else if (o->type == ALC_PV_NUM)
				eq = json_num(v, &x) && x == o->num;
			else if (o->type == ALC_PV_BOOL)
				eq = cJSON_IsBool(v) && cJSON_IsTrue(v) == (o->a != 0);
		}
		return c->op == ALC_PO_EQ || c->op == ALC_PO_IN ? eq : !eq;
	}
	}
}

typedef struct qstate {
	const alc_pcond *c;
	uint32_t seen;
	int unknown;
	int result;               /* ANY: found one; ALL: found a failure */
} qstate;

static int visit_cond(eval *e, const cJSON *v, void *arg)
{
	qstate *q = arg;
	q->seen++;
	int t = test_value(e, q->c, v);
	if (t < 0) {
		q->unknown = 1;
		return 0;
	}
	if (q->c->quant == ALC_PQ_ANY ? t : !t) {
		q->result = 1;
		return 1;
	}
	return 0;
}

/* An input condition: 1 holds, 0 not, -1 unknown. */
static int input_cond(eval *e, const alc_pcond *c)
{
	const cJSON *in = e->call->input;
	const alc_pseg *segs = &e->p->pol.segs[c->seg_first];
	qstate q = { c, 0, 0, 0 };
	uint32_t count = 0;
	if (c->op == ALC_PO_PRESENT || c->op == ALC_PO_ABSENT) {
		/* any value at all */
		qstate any = q;
		alc_pcond probe = *c;
		probe.op = ALC_PO_NOT_IN;   /* holds for every value */
		probe.val_count = 0;
		probe.quant = ALC_PQ_ANY;
		any.c = &probe;
		walk(e, in, segs, c->seg_count, visit_cond, &any, &count);
		return c->op == ALC_PO_PRESENT ? any.seen > 0 : any.seen == 0;
	}
	e->overflow = 0;
	walk(e, in, segs, c->seg_count, visit_cond, &q, &count);
	if (e->overflow)
		return -1;
	int negative = c->op == ALC_PO_NOT_IN || c->op == ALC_PO_NOT_MATCHES ||
	               c->op == ALC_PO_NE;
	if (!q.seen)
		return negative;   /* no value: only negative tests hold */
	if (q.result)
		return c->quant == ALC_PQ_ANY ? 1 : 0;
	if (q.unknown)
		return -1;
	return c->quant == ALC_PQ_ANY ? 0 : 1;
}

/* A context condition (region, account, profile, environment): 1, 0, or
 * -1 when the value is not known. */
static int context_cond(eval *e, const alc_pcond *c)
{
	const rt_call *call = e->call;
	int r;
	switch (c->subject) {
	case ALC_PS_ENV:
		if (e->env < 0)
			return e->env_known ? 0 : -1;
		for (uint32_t i = c->val_first; i < c->val_first + c->val_count; i++)
			if (e->p->pol.vals[i].a == (uint32_t)e->env)
				return 1;
		return 0;
	case ALC_PS_REGION:
		if (!call->region)
			return -1;
		r = in_vals(e->p, c->val_first, c->val_count, call->region);
		break;
	case ALC_PS_ACCOUNT:
		if (!call->account)
			return -1;
		r = in_vals(e->p, c->val_first, c->val_count, call->account);
		break;
	default: /* PROFILE */
		if (!call->profile)
			return -1;
		r = in_vals(e->p, c->val_first, c->val_count, call->profile);
		break;
	}
	if (r < 0)
		return -1;
	return c->op == ALC_PO_NOT_IN ? !r : r;
}

/* ---- required tags ----------------------------------------------------- */

typedef struct tagstate {
	const alc_prule *rule;
	uint32_t sets;
	int failed;
	const alc_ptagloc *loc;
} tagstate;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* URL-decode S[0..n) ('+' is a space) into OUT; (size_t)-1 when it does
 * not fit or a %XX escape is broken. */
static size_t url_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return (size_t)-1;
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
		}
		if (o + 1 >= cap)
			return (size_t)-1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

/* Does one tag set (the collection V) hold every required tag?  Writes
 * the first failure into e->detail. */
static int tagset_ok(eval *e, const alc_ptagloc *loc, const cJSON *v,
                     const alc_prule *r)
{
	rt_policy *p = e->p;
	const char *kn = alc_str(p->cat, loc->key_name);
	const char *vn = alc_str(p->cat, loc->value_name);
	for (uint32_t t = r->tag_first; t < r->tag_first + r->tag_count; t++) {
		const alc_ptag *req = &p->pol.tags[t];
		const char *key = alc_str(p->cat, req->key);
		uint32_t found = 0;
		const char *bad = NULL;
		int bad_type = 0;
		if (loc->kind == ALC_TL_LIST && cJSON_IsArray(v)) {
			for (const cJSON *it = v->child; it; it = it->next) {
				const cJSON *k = member(e, it, kn), *val = member(e, it, vn);
				if (!cJSON_IsString(k) || !k->valuestring ||
				    strcmp(k->valuestring, key) != 0)
					continue;
				found++;
				if (!cJSON_IsString(val) || !val->valuestring)
					bad_type = 1;
				else if (req->pat != ALC_NONE &&
				         pat_match(p, req->pat, val->valuestring,
				                   strlen(val->valuestring)) != 1)
					bad = bad ? bad : val->valuestring;
			}
		} else if (loc->kind == ALC_TL_MAP && cJSON_IsObject(v)) {
			for (const cJSON *it = v->child; it; it = it->next) {
				if (!it->string || strcmp(it->string, key) != 0)
					continue;
				found++;
				if (!cJSON_IsString(it) || !it->valuestring)
					bad_type = 1;
				else if (req->pat != ALC_NONE &&
				         pat_match(p, req->pat, it->valuestring,
				                   strlen(it->valuestring)) != 1)
					bad = bad ? bad : it->valuestring;
			}
		} else if (loc->kind == ALC_TL_QUERY && cJSON_IsString(v) &&
		           v->valuestring) {
			const char *s = v->valuestring;
			while (*s) {
				size_t n = strcspn(s, "&");
				const char *eq = memchr(s, '=', n);
				char k[512], val[512];
				size_t kl = url_decode(s, eq ? (size_t)(eq - s) : n, k, sizeof k);
				size_t vl = eq ? url_decode(eq + 1, n - (size_t)(eq - s) - 1,
				                            val, sizeof val) : 0;
				if (!eq)
					val[0] = '\0';
				/* by length: an escaped NUL must not cut a key short */
				if (kl != (size_t)-1 && kl == strlen(key) &&
				    memcmp(k, key, kl) == 0) {
					found++;
					if (vl == (size_t)-1)
						bad_type = 1;
					else if (req->pat != ALC_NONE &&
					         pat_match(p, req->pat, val, vl) != 1)
						bad = bad ? bad : "(the value given)";
				}
				s += n;
				if (*s == '&')
					s++;
			}
		} else {
			snprintf(e->detail, sizeof e->detail, "%s is not a tag %s",
			         alc_str(p->cat, loc->path),
			         loc->kind == ALC_TL_LIST ? "list" :
			         loc->kind == ALC_TL_MAP ? "map" : "string");
			return 0;
		}
		if (!found) {
			snprintf(e->detail, sizeof e->detail, "tag \"%.60s\" is missing "
			         "from %s", key, alc_str(p->cat, loc->path));
			return 0;
		}
		if (bad_type || bad) {
			const alc_ppat *pt = req->pat != ALC_NONE ? &p->pol.pats[req->pat] : NULL;
			if (bad_type || !pt)
				snprintf(e->detail, sizeof e->detail, "tag \"%.60s\" in %s "
				         "has a value that is not a string", key,
				         alc_str(p->cat, loc->path));
			else
				snprintf(e->detail, sizeof e->detail, "tag \"%.60s\" in %s: "
				         "value \"%.40s\" does not match %.60s", key,
				         alc_str(p->cat, loc->path), bad,
				         alc_str(p->cat, pt->source));
			return 0;
		}
	}
	return 1;
}

static int visit_tagset(eval *e, const cJSON *v, void *arg)
{
	tagstate *t = arg;
	t->sets++;
	if (!tagset_ok(e, t->loc, v, t->rule)) {
		t->failed = 1;
		return 1;
	}
	return 0;
}

/* 1 when the tags rule fires (tags missing or wrong), 0 when the input
 * satisfies it. */
static int tags_fail(eval *e, const alc_pclass *cls, const alc_prule *r)
{
	rt_policy *p = e->p;
	tagstate t = { r, 0, 0, NULL };
	const char *where = "";
	for (uint32_t i = cls->tagloc_first; i < cls->tagloc_first + cls->tagloc_count; i++) {
		const alc_ptagloc *loc = &p->pol.taglocs[i];
		uint32_t count = 0;
		t.loc = loc;
		where = alc_str(p->cat, loc->path);
		e->overflow = 0;
		walk(e, e->call->input, &p->pol.segs[loc->seg_first], loc->seg_count,
		     visit_tagset, &t, &count);
		if (e->overflow) {
			snprintf(e->detail, sizeof e->detail, "more than %u tag sets "
			         "in %s", MAX_VALUES, where);
			return 1;
		}
		if (t.failed)
			return 1;
	}
	if (!t.sets) {
		snprintf(e->detail, sizeof e->detail, "no tags given (required "
		         "tags go in %s)", cls->tagloc_count == 1 ? where :
		         "the input's tag members");
		return 1;
	}
	return 0;
}

/* ---- rules ---------------------------------------------------------- */

enum { R_NO = 0, R_YES = 1, R_COND = 2 };

static int rule_matches(eval *e, const alc_pclass *cls, const alc_prule *r)
{
	rt_policy *p = e->p;
	int pessimist = r->effect != ALC_EFFECT_ALLOW;
	int cond = 0;
	e->detail[0] = '\0';
	for (uint32_t i = r->cond_first; i < r->cond_first + r->cond_count; i++) {
		const alc_pcond *c = &p->pol.conds[i];
		int t;
		if (c->subject == ALC_PS_INPUT) {
			if (!e->call->input) {
				cond = 1;
				continue;
			}
			t = input_cond(e, c);
		} else {
			t = context_cond(e, c);
		}
		if (t < 0)
			t = pessimist;
		if (!t)
			return R_NO;
	}
	if (r->kind == ALC_PRULE_TAGS) {
		if (!e->call->input)
			return R_COND;
		if (!tags_fail(e, cls, r))
			return R_NO;
	}
	return cond ? R_COND : R_YES;
}

static void reason(rt_decision *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(rt_decision *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof d->reason, fmt, ap);
	va_end(ap);
}

static void deny_builtin(rt_decision *d, const char *id)
{
	d->effect = ALC_EFFECT_DENY;
	d->rule = id;
	d->rule_index = ALC_NONE;
}

int rt_policy_decide(rt_policy *p, const rt_call *call, unsigned flags,
                     rt_decision *d)
{
	memset(d, 0, sizeof *d);
	d->rule_index = ALC_NONE;
	d->description = "";
	if (!call || !call->op)
		return AL_EINVAL;
	const alc_catalog *cat = p->cat;
	if (!p->present) {
		deny_builtin(d, "no-policy");
		d->write = !alc_op_is_read(alc_str(cat, call->op->name), call->op->flags);
		reason(d, "the catalog has no policy compiled in (built with "
		       "--no-policy): every call is refused");
		return 0;
	}
	const alc_policy *pol = &p->pol;
	uint32_t rw = call->op->risk;
	d->risk = rw & ALC_OPRISK_LEVEL;
	d->write = (rw & ALC_OPRISK_WRITE) != 0;

	/* identity: the environment is the one that lists the call's account;
	 * only when the account is not known, the one that lists its profile
	 * (profiles are local names: an unlisted one says nothing, so the
	 * environment stays unknown rather than "none") */
	eval e;
	memset(&e, 0, sizeof e);
	e.p = p;
	e.call = call;
	e.env = -1;
	if (call->account) {
		for (uint32_t i = 0; i < pol->nenvs && e.env < 0; i++)
			if (in_vals(p, pol->envs[i].accounts_first,
			            pol->envs[i].accounts_count, call->account) == 1)
				e.env = (int)i;
	} else if (call->profile) {
		for (uint32_t i = 0; i < pol->nenvs && e.env < 0; i++)
			if (in_vals(p, pol->envs[i].profiles_first,
			            pol->envs[i].profiles_count, call->profile) == 1)
				e.env = (int)i;
	}
	e.env_known = e.env >= 0 || call->account != NULL;
	d->env_known = e.env_known;
	d->environment = e.env >= 0 ? alc_str(cat, pol->envs[e.env].name) : NULL;

	/* 2. context */
	if (call->region && !is_region(call->region)) {
		deny_builtin(d, "invalid-region");
		reason(d, "\"%.40s\" is not an AWS region name", call->region);
		return 0;
	}
	if (call->account && !is_account(call->account)) {
		deny_builtin(d, "invalid-account");
		reason(d, "\"%.40s\" is not an AWS account id (12 digits)", call->account);
		return 0;
	}
	if (pol->hdr->flags & ALC_POL_ACCOUNTS) {
		if (!call->account) {
			deny_builtin(d, "allowed-accounts");
			reason(d, "the policy allows only listed accounts, and the "
			       "call's account is not known");
			return 0;
		}
		if (in_vals(p, pol->hdr->accounts_first, pol->hdr->accounts_count,
		            call->account) != 1) {
			deny_builtin(d, "allowed-accounts");
			reason(d, "account %s is not in the policy's allowed_accounts",
			       call->account);
			return 0;
		}
	}
	if (pol->hdr->flags & ALC_POL_REGIONS) {
		if (!call->region) {
			deny_builtin(d, "allowed-regions");
			reason(d, "the policy allows only listed regions, and the "
			       "call's region is not known");
			return 0;
		}
		if (in_vals(p, pol->hdr->regions_first, pol->hdr->regions_count,
		            call->region) != 1) {
			deny_builtin(d, "allowed-regions");
			reason(d, "region %s is not in the policy's allowed_regions",
			       call->region);
			return 0;
		}
	}

	/* 3. an input AWS could read two ways */
	if (call->input) {
		int oom = 0;
		const char *k = dup_key(call->input, 0, &oom);
		if (k) {
			deny_builtin(d, "duplicate-key");
			if (oom)
				reason(d, "out of memory checking the input for duplicate keys");
			else
				reason(d, "the input has the key \"%.60s\" twice in one "
				       "object; which one AWS would read is not defined", k);
			return 0;
		}
	}

	/* 4. rules */
	const alc_pclass *cls = &pol->classes[rw >> ALC_OPRISK_CLASS_SHIFT];
	uint32_t win = ALC_NONE;
	unsigned weff = 0;
	char detail[sizeof e.detail] = "";
	for (uint32_t i = 0; i < cls->ref_count; i++) {
		uint32_t ri = pol->refs[cls->ref_first + i];
		const alc_prule *r = &pol->rules[ri];
		if (weff && r->effect < weff)
			break;
		int m = rule_matches(&e, cls, r);
		if (e.ambiguous)
			break;
		if (m == R_COND) {
			if (d->nconditional < RT_POLICY_MAX_IDS)
				d->conditional[d->nconditional++] = ri;
			continue;
		}
		if (m != R_YES)
			continue;
		if (d->nmatched < RT_POLICY_MAX_IDS)
			d->matched[d->nmatched++] = ri;
		if (win == ALC_NONE) {
			win = ri;
			weff = r->effect;
			memcpy(detail, e.detail, sizeof detail);
		}
		if (!(flags & RT_DECIDE_EXPLAIN))
			break;
	}
	if (e.ambiguous) {
		memset(d->matched, 0, sizeof d->matched);
		d->nmatched = d->nconditional = 0;
		deny_builtin(d, "duplicate-key");
		reason(d, "the input has the key \"%.60s\", which differs only in "
		       "case from a member the policy reads; AWS would not read "
		       "it as that member, so the call is refused", e.ambiguous);
		return 0;
	}
	unsigned lvl = d->risk;
	if (win != ALC_NONE) {
		const alc_prule *r = &pol->rules[win];
		d->effect = weff;
		d->rule = alc_str(cat, r->id);
		d->rule_index = win;
		d->description = alc_str(cat, r->description);
		d->compile_time = cls->static_rule == win;
		if (r->kind == ALC_PRULE_TAGS)
			reason(d, "required tags (%s): %s", d->rule, detail);
		else
			reason(d, "rule %s (line %u) matched%s%s", d->rule, r->line,
			       d->description[0] ? ": " : "", d->description);
	} else {
		/* 5. the default for the risk level */
		d->effect = pol->hdr->defaults[lvl < ALC_RISK_COUNT ? lvl : 0];
		d->rule = "default";
		reason(d, "no rule matched; the default for %s-risk operations is %s",
		       alc_risk_name(lvl), alc_effect_name(d->effect));
	}
	/* 6. approvals */
	uint32_t ecell = e.env >= 0 ? (uint32_t)e.env : pol->nenvs;
	const alc_papproval *a = lvl >= ALC_RISK_LOW && lvl <= ALC_RISK_CRITICAL
	                         ? &pol->approvals[ecell * 4 + lvl - 1] : NULL;
	if (d->effect == ALC_EFFECT_ALLOW && a && a->required) {
		d->effect = ALC_EFFECT_APPROVAL;
		size_t n = strlen(d->reason);
		snprintf(d->reason + n, sizeof d->reason - n, "; an allowed %s-risk "
		         "call needs approval", alc_risk_name(lvl));
	}
	if (d->effect == ALC_EFFECT_APPROVAL && a) {
		d->approvers = a->approvers;
		d->ttl = a->ttl;
		d->approval_line = a->line;
	}
	return 0;
}

/* ---- presenting ------------------------------------------------------- */

cJSON *rt_policy_decision_json(const rt_policy *p, const rt_decision *d)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int ok = cJSON_AddStringToObject(o, "decision", alc_effect_name(d->effect)) &&
	         cJSON_AddStringToObject(o, "rule", d->rule ? d->rule : "") &&
	         cJSON_AddStringToObject(o, "reason", d->reason) &&
	         cJSON_AddStringToObject(o, "risk", alc_risk_name(d->risk)) &&
	         cJSON_AddStringToObject(o, "access", d->write ? "write" : "read");
	if (ok && d->description && d->description[0])
		ok = cJSON_AddStringToObject(o, "description", d->description) != NULL;
	if (ok)
		ok = (d->environment ? cJSON_AddStringToObject(o, "environment", d->environment)
		                     : cJSON_AddNullToObject(o, "environment")) != NULL;
	if (ok && d->effect == ALC_EFFECT_APPROVAL) {
		cJSON *a = cJSON_AddObjectToObject(o, "approval");
		ok = a && cJSON_AddNumberToObject(a, "approvers", d->approvers) &&
		     cJSON_AddNumberToObject(a, "ttlSeconds", d->ttl);
	} else if (ok) {
		ok = cJSON_AddNullToObject(o, "approval") != NULL;
	}
	const struct { const char *k; const uint32_t *v; uint32_t n; } lists[] = {
		{ "matchedRules", d->matched, d->nmatched },
		{ "conditionalRules", d->conditional, d->nconditional },
	};
	for (size_t l = 0; ok && l < 2; l++) {
		if (l == 1 && !lists[l].n)
			continue;
		cJSON *arr = cJSON_AddArrayToObject(o, lists[l].k);
		ok = arr != NULL;
		for (uint32_t i = 0; ok && i < lists[l].n; i++) {
			cJSON *s = cJSON_CreateString(rt_policy_rule_id(p, lists[l].v[i]));
			ok = s != NULL;
			if (ok)
				cJSON_AddItemToArray(arr, s);
		}
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void rt_policy_print(FILE *f, const rt_policy *p, const rt_call *call,
                     const rt_decision *d)
{
	const alc_catalog *c = p->cat;
	const alc_operation *op = call->op;
	fprintf(f, "%s:%s  (risk %s, %s)\n",
	        alc_str(c, c->svcs[op->service].key), alc_str(c, op->name),
	        alc_risk_name(d->risk), d->write ? "write" : "read");
	fprintf(f, "decision: %s\n", alc_effect_name(d->effect));
	if (d->rule_index != ALC_NONE)
		fprintf(f, "rule: %s (line %u)%s%s\n", d->rule,
		        rt_policy_rule_line(p, d->rule_index),
		        d->compile_time ? ", chosen at compile time" : "",
		        "");
	else
		fprintf(f, "rule: %s (built in)\n", d->rule);
	fprintf(f, "reason: %s\n", d->reason);
	if (d->effect == ALC_EFFECT_APPROVAL)
		fprintf(f, "approval: %u approver%s, valid %u s%s\n", d->approvers,
		        d->approvers == 1 ? "" : "s", d->ttl,
		        d->approval_line ? "" : " (default settings)");
	fprintf(f, "environment: %s\n", d->environment ? d->environment :
	        d->env_known ? "(none: no environment lists the account)"
	                     : "(not known: no account given, and no environment "
	                       "lists the profile)");
	fprintf(f, "context: region %s, account %s, profile %s\n",
	        call->region ? call->region : "(not known)",
	        call->account ? call->account : "(not known)",
	        call->profile ? call->profile : "(not known)");
	if (d->nmatched > 1) {
		fputs("also matched:", f);
		for (uint32_t i = 1; i < d->nmatched; i++)
			fprintf(f, " %s", rt_policy_rule_id(p, d->matched[i]));
		putc('\n', f);
	}
	if (d->nconditional) {
		fputs("depends on the input:", f);
		for (uint32_t i = 0; i < d->nconditional; i++)
			fprintf(f, " %s", rt_policy_rule_id(p, d->conditional[i]));
		putc('\n', f);
	}
	if (p->present)
		fprintf(f, "policy: %s (xxh3-128 %016llx%016llx)\n",
		        alc_str(c, p->pol.hdr->source),
		        (unsigned long long)p->pol.hdr->digest_hi,
		        (unsigned long long)p->pol.hdr->digest_lo);
}
