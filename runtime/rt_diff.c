/*
 * rt_diff.c -- the Diff of a plan and the EC2 DryRun check (rt_diff.h).
 *
 * The read that shows the live state goes through rt_plans_read, so it is
 * a plan of its own: validated, decided by the policy, audited, and run
 * with the diffed plan's caller (profile, region, account).  This module
 * only builds that read's input from the catalog's read mapping, takes the
 * state out of its output, and compares.
 *
 * Secrets: a member the model marks sensitive, on either side, is reported
 * as "sensitive" without either value and without comparing them (saying
 * "unchanged" would let anyone who can plan test guesses of a secret);
 * values copied into the result (added, removed, not visible) go through
 * rt_redact first.  The result is what is stored and audited.
 *
 * Work bounds: the comparison recurses at most RT_DIFF_DEPTH levels (below
 * that a value is compared whole); each JSON text parsed as a document is
 * at most RT_DIFF_DOC_MAX bytes.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"
#include "rt_json.h"
#include "rt_audit.h"
#include "rt_diff.h"
#ifdef AIRLOCK_HAVE_CFN
#include "rt_cfn.h"
#endif
#include "rt_search.h"

#define RT_DIFF_DEPTH 64
#define RT_DIFF_DOC_MAX (4u << 20)

/* ---- small helpers ----------------------------------------------------- */

static int jset(cJSON *o, const char *k, cJSON *v)
{
	if (!v)
		return AL_ENOMEM;
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddItemToObject(o, k, v);
	return 0;
}

static cJSON *time_json(int64_t ms)
{
	char t[RT_TIME_TEXT];
	rt_time_str(ms, t);
	return cJSON_CreateString(t);
}

/* ---- shapes ------------------------------------------------------------ */

static const alc_shape *shape_of(const alc_catalog *cat, uint32_t s)
{
	return cat && s != ALC_NONE && s < cat->nshapes ? &cat->shapes[s] : NULL;
}

static int type_of(const alc_catalog *cat, uint32_t s)
{
	const alc_shape *sh = shape_of(cat, s);
	return sh ? sh->type : 0;
}

static const alc_member *member_named(const alc_catalog *cat, uint32_t s, const char *name)
{
	const alc_shape *sh = shape_of(cat, s);
	if (!sh || (sh->type != ALC_T_STRUCTURE && sh->type != ALC_T_UNION))
		return NULL;
	for (uint32_t i = 0; i < sh->member_count; i++) {
		const alc_member *m = &cat->members[sh->first_member + i];
		if (strcmp(alc_str(cat, m->name), name) == 0)
			return m;
	}
	return NULL;
}

static int shape_sensitive(const alc_catalog *cat, uint32_t s)
{
	const alc_shape *sh = shape_of(cat, s);
	return sh && (sh->flags & ALC_SH_SENSITIVE);
}

static int member_sensitive(const alc_catalog *cat, const alc_member *m)
{
	return m && ((m->flags & ALC_M_SENSITIVE) || shape_sensitive(cat, m->target));
}

/* The shape of a list's items or a map's values; ALC_NONE otherwise. */
static uint32_t item_shape(const alc_catalog *cat, uint32_t s)
{
	const alc_shape *sh = shape_of(cat, s);
	if (!sh)
		return ALC_NONE;
	if (sh->type == ALC_T_LIST && sh->member_count >= 1)
		return cat->members[sh->first_member].target;
	if (sh->type == ALC_T_MAP && sh->member_count >= 2)
		return cat->members[sh->first_member + 1].target;
	return ALC_NONE;
}

/* A map whose keys are sensitive is sensitive whole (as rt_redact). */
static int map_keys_sensitive(const alc_catalog *cat, uint32_t s)
{
	const alc_shape *sh = shape_of(cat, s);
	return sh && sh->type == ALC_T_MAP && sh->member_count >= 1 &&
	       member_sensitive(cat, &cat->members[sh->first_member]);
}

/* The shape of member K of a value of shape S (structure or map). */
static uint32_t child_shape(const alc_catalog *cat, uint32_t s, const char *k,
                            const alc_member **m)
{
	*m = member_named(cat, s, k);
	if (*m)
		return (*m)->target;
	return type_of(cat, s) == ALC_T_MAP ? item_shape(cat, s) : ALC_NONE;
}

/* A copy of V (of shape S) safe to show: sensitive members redacted. */
static cJSON *safe_copy(const alc_catalog *cat, uint32_t s, const cJSON *v)
{
	if (!v)
		return NULL;
	if (shape_sensitive(cat, s))
		return cJSON_CreateString(RT_REDACTED);
	if (shape_of(cat, s))
		return rt_redact(cat, s, v, NULL);
	return cJSON_Duplicate(v, 1);
}

/* ---- documents and equality -------------------------------------------- */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

cJSON *rt_diff_document(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n == 0 || n > RT_DIFF_DOC_MAX)
		return NULL;
	const char *p = s;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '{' || *p == '[') {
		cJSON *d = cJSON_ParseWithOpts(p, NULL, 1);
		if (d && (cJSON_IsObject(d) || cJSON_IsArray(d)))
			return d;
		cJSON_Delete(d);
		return NULL;
	}
	/* IAM answers policies URL-encoded: "%7B%22Version%22..." */
	if (p[0] != '%' || hexval((unsigned char)p[1]) < 0 || hexval((unsigned char)p[2]) < 0)
		return NULL;
	char *t = malloc(n + 1), *o = t;
	if (!t)
		return NULL;
	for (const char *q = p; *q; q++) {
		int h, l;
		if (*q == '%' && (h = hexval((unsigned char)q[1])) >= 0 &&
		    (l = hexval((unsigned char)q[2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			q += 2;
		} else {
			*o++ = *q == '+' ? ' ' : *q;
		}
	}
	*o = '\0';
	cJSON *d = (t[0] == '{' || t[0] == '[') ? cJSON_ParseWithOpts(t, NULL, 1) : NULL;
	free(t);
	if (d && (cJSON_IsObject(d) || cJSON_IsArray(d)))
		return d;
	cJSON_Delete(d);
	return NULL;
}

/* "5" and 5, "true" and true: query protocols give numbers and booleans
 * as text. */
static int scalar_text_equal(const cJSON *num_or_bool, const char *s)
{
	if (cJSON_IsBool(num_or_bool))
		return strcmp(s, cJSON_IsTrue(num_or_bool) ? "true" : "false") == 0;
	char *end;
	double d = strtod(s, &end);
	return end != s && *end == '\0' && d == num_or_bool->valuedouble;
}

static int equal(const cJSON *a, const cJSON *b, int depth)
{
	if (depth > RT_DIFF_DEPTH)
		return cJSON_Compare(a, b, 1);
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsNull(a) && cJSON_IsNull(b))
		return 1;
	if (cJSON_IsString(a) && cJSON_IsString(b)) {
		if (strcmp(a->valuestring, b->valuestring) == 0)
			return 1;
		cJSON *da = rt_diff_document(a->valuestring), *db = da ? rt_diff_document(b->valuestring) : NULL;
		int eq = da && db && equal(da, db, depth + 1);
		cJSON_Delete(da);
		cJSON_Delete(db);
		return eq;
	}
	if ((cJSON_IsNumber(a) || cJSON_IsBool(a)) && cJSON_IsString(b))
		return scalar_text_equal(a, b->valuestring);
	if ((cJSON_IsNumber(b) || cJSON_IsBool(b)) && cJSON_IsString(a))
		return scalar_text_equal(b, a->valuestring);
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!equal(x, y, depth + 1))
				return 0;
		return 1;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, a) {
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !equal(x, y, depth + 1))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* ---- results ----------------------------------------------------------- */

static const char *kind_name(unsigned kind)
{
	switch (kind) {
	case ALC_RM_CREATE: return "create";
	case ALC_RM_UPDATE: return "update";
	case ALC_RM_DELETE: return "delete";
	default: return "other";
	}
}

static const char *source_name(unsigned source)
{
	switch (source) {
	case ALC_RM_LIFECYCLE: return "lifecycle";
	case ALC_RM_VERBNOUN: return "verbnoun";
	case ALC_RM_OVERRIDE: return "override";
	default: return "unknown";
	}
}

cJSON *rt_diff_result_new(const rt_plan *pl, unsigned kind, const char *status)
{
	cJSON *r = cJSON_CreateObject();
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	cJSON *sum = r ? cJSON_CreateObject() : NULL;
	int ok = sum && cJSON_AddStringToObject(r, "planId", id) &&
	         cJSON_AddStringToObject(r, "service", rt_jstr(pl->content, "service")
	                                 ? rt_jstr(pl->content, "service") : "") &&
	         cJSON_AddStringToObject(r, "operation", rt_jstr(pl->content, "operation")
	                                 ? rt_jstr(pl->content, "operation") : "") &&
	         cJSON_AddStringToObject(r, "kind", kind_name(kind)) &&
	         cJSON_AddStringToObject(r, "status", status) &&
	         cJSON_AddItemToObject(r, "computedAt", time_json(rt_now_ms())) &&
	         cJSON_AddNullToObject(r, "exists");
	static const char *const keys[] = { "changed", "added", "removed", "unchanged",
	                                    "notVisible", "sensitive" };
	for (size_t i = 0; ok && i < sizeof keys / sizeof keys[0]; i++)
		ok = cJSON_AddNumberToObject(sum, keys[i], 0) != NULL;
	if (ok) {
		cJSON_AddItemToObject(r, "summary", sum);
		sum = NULL;
		ok = cJSON_AddArrayToObject(r, "changes") != NULL;
	}
	cJSON_Delete(sum);
	if (!ok) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

static const char *summary_key(const char *op)
{
	if (strcmp(op, "not_visible") == 0)
		return "notVisible";
	return op;
}

/* Appends a change; OLD_V and NEW_V are taken (owned) when TAKE. */
static int add_change(cJSON *result, const char *path, const char *op, cJSON *old_v,
                      cJSON *new_v, int document, const char *note)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(result, "changes");
	cJSON *e = cJSON_CreateObject();
	int ok = arr && e && cJSON_AddStringToObject(e, "path", path) &&
	         cJSON_AddStringToObject(e, "op", op);
	if (ok && old_v) {
		cJSON_AddItemToObject(e, "old", old_v);
		old_v = NULL;
	}
	if (ok && new_v) {
		cJSON_AddItemToObject(e, "new", new_v);
		new_v = NULL;
	}
	if (ok && document)
		ok = cJSON_AddTrueToObject(e, "document") != NULL;
	if (ok && strcmp(op, "sensitive") == 0)
		ok = cJSON_AddTrueToObject(e, "sensitive") != NULL;
	if (ok && note)
		ok = cJSON_AddStringToObject(e, "note", note) != NULL;
	cJSON_Delete(old_v);
	cJSON_Delete(new_v);
	if (!ok) {
		cJSON_Delete(e);
		return AL_ENOMEM;
	}
	cJSON_AddItemToArray(arr, e);
	cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(result, "summary"),
	                                            summary_key(op));
	if (cJSON_IsNumber(n))
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	return 0;
}

int rt_diff_add(cJSON *result, const char *path, const char *op, const cJSON *old_v,
                const cJSON *new_v)
{
	cJSON *o = old_v ? cJSON_Duplicate(old_v, 1) : NULL;
	cJSON *n = new_v ? cJSON_Duplicate(new_v, 1) : NULL;
	if ((old_v && !o) || (new_v && !n)) {
		cJSON_Delete(o);
		cJSON_Delete(n);
		return AL_ENOMEM;
	}
	return add_change(result, path, op, o, n, 0, NULL);
}

/* ---- the comparison engine --------------------------------------------- */

typedef struct cmp {
	const alc_catalog *cat;
	cJSON *result;
} cmp;

/* PREFIX + "/" + K escaped (RFC 6901); NULL on ENOMEM. */
static char *child_path(const char *prefix, const char *k)
{
	size_t n = strlen(prefix), m = strlen(k);
	char *s = malloc(n + 2 * m + 2);
	if (!s)
		return NULL;
	memcpy(s, prefix, n);
	char *o = s + n;
	*o++ = '/';
	for (const char *p = k; *p; p++) {
		if (*p == '~') {
			*o++ = '~';
			*o++ = '0';
		} else if (*p == '/') {
			*o++ = '~';
			*o++ = '1';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return s;
}

static char *index_path(const char *prefix, int i)
{
	char k[16];
	snprintf(k, sizeof k, "%d", i);
	return child_path(prefix, k);
}

static int cmp_member(cmp *c, const char *prefix, const char *key, const cJSON *nw,
                      uint32_t in_parent, const cJSON *st_parent, uint32_t st_parent_shape,
                      int depth, int lookaside);

/* Compares NW (planned, of shape IN) with OLD (live, of shape ST) at PATH. */
static int cmp_value(cmp *c, const char *path, uint32_t in, const cJSON *nw, uint32_t st,
                     const cJSON *old, int depth, const char *note)
{
	const alc_catalog *cat = c->cat;
	if (depth > RT_DIFF_DEPTH) {
		int eq = equal(nw, old, depth);
		return add_change(c->result, path, eq ? "unchanged" : "changed",
		                  eq ? NULL : safe_copy(cat, st, old), safe_copy(cat, in, nw), 0, note);
	}
	if (cJSON_IsString(nw) && cJSON_IsString(old)) {
		/* documents are compared (and shown) parsed, equal text too */
		cJSON *dn = rt_diff_document(nw->valuestring);
		cJSON *dold = dn ? rt_diff_document(old->valuestring) : NULL;
		if (dn && dold) {
			int eq = equal(dn, dold, depth + 1);
			if (eq) {
				cJSON_Delete(dold);
				dold = NULL;
			}
			return add_change(c->result, path, eq ? "unchanged" : "changed", dold, dn, 1, note);
		}
		cJSON_Delete(dn);
		cJSON_Delete(dold);
	}
	if (cJSON_IsObject(nw) && cJSON_IsObject(old)) {
		const cJSON *k;
		cJSON_ArrayForEach(k, nw) {
			int rc = cmp_member(c, path, k->string, k, in, old, st, depth + 1, 0);
			if (rc)
				return rc;
		}
		return 0;
	}
	/* EC2's {"Value": x} wrappers (AttributeValue, AttributeBooleanValue)
	 * where the read shows the bare value */
	if (cJSON_IsObject(nw) && cJSON_GetArraySize(nw) == 1 && nw->child->string &&
	    strcmp(nw->child->string, "Value") == 0 && old && !cJSON_IsObject(old) &&
	    !cJSON_IsArray(old)) {
		const alc_member *m;
		uint32_t vin = child_shape(cat, in, "Value", &m);
		char *p = child_path(path, "Value");
		if (!p)
			return AL_ENOMEM;
		int rc = cmp_value(c, p, vin, nw->child, st, old, depth + 1,
		                   note ? note : "the read shows the value without its Value wrapper");
		free(p);
		return rc;
	}
	if (cJSON_IsArray(nw) && cJSON_IsArray(old) && !equal(nw, old, depth) &&
	    cJSON_GetArraySize(nw) == cJSON_GetArraySize(old)) {
		uint32_t iin = item_shape(cat, in), ist = item_shape(cat, st);
		int i = 0;
		const cJSON *x = nw->child, *y = old->child;
		for (; x && y; x = x->next, y = y->next, i++) {
			char *p = index_path(path, i);
			if (!p)
				return AL_ENOMEM;
			int rc = cmp_value(c, p, iin, x, ist, y, depth + 1, note);
			free(p);
			if (rc)
				return rc;
		}
		return 0;
	}
	int eq = equal(nw, old, depth);
	return add_change(c->result, path, eq ? "unchanged" : "changed",
	                  eq ? NULL : safe_copy(cat, st, old), safe_copy(cat, in, nw), 0, note);
}

/* Member KEY (planned value NW) of a value of shape IN_PARENT, against
 * ST_PARENT (the live object, shape ST_PARENT_SHAPE; NULL: nothing is
 * there).  LOOKASIDE: a member the state's shape does not have may be
 * looked for one level down (top level only). */
static int cmp_member(cmp *c, const char *prefix, const char *key, const cJSON *nw,
                      uint32_t in_parent, const cJSON *st_parent, uint32_t st_parent_shape,
                      int depth, int lookaside)
{
	const alc_catalog *cat = c->cat;
	const alc_member *min, *mst;
	uint32_t in = child_shape(cat, in_parent, key, &min);
	uint32_t st = child_shape(cat, st_parent_shape, key, &mst);
	char *path = child_path(prefix, key);
	if (!path)
		return AL_ENOMEM;
	int rc;
	const cJSON *old = st_parent ? cJSON_GetObjectItemCaseSensitive(st_parent, key) : NULL;
	if (member_sensitive(cat, min) || member_sensitive(cat, mst) || shape_sensitive(cat, in) ||
	    shape_sensitive(cat, st) || map_keys_sensitive(cat, in_parent) ||
	    map_keys_sensitive(cat, st_parent_shape)) {
		rc = add_change(c->result, path, "sensitive", NULL, NULL, 0, NULL);
	} else if (old && !cJSON_IsNull(old)) {
		rc = cmp_value(c, path, in, nw, st, old, depth, NULL);
	} else if (!st_parent || mst || type_of(cat, st_parent_shape) == ALC_T_MAP) {
		/* nothing there, or the state's shape has the member and it is
		 * not set now: the plan adds it */
		rc = add_change(c->result, path, "added", NULL, safe_copy(cat, in, nw), 0, NULL);
	} else {
		/* the read does not show KEY under that name: one level down
		 * ("BillingModeSummary": {"BillingMode": ...}), when exactly one
		 * member holds it */
		const cJSON *hold = NULL, *k;
		int n = 0;
		if (lookaside)
			cJSON_ArrayForEach(k, st_parent)
				if (cJSON_IsObject(k) && cJSON_GetObjectItemCaseSensitive(k, key)) {
					hold = k;
					n++;
				}
		if (n == 1) {
			char note[300];
			const alc_member *mh;
			uint32_t hs = child_shape(cat, st_parent_shape, hold->string, &mh);
			const alc_member *mk;
			uint32_t ks = child_shape(cat, hs, key, &mk);
			snprintf(note, sizeof note, "the read shows it at /%.120s/%.120s", hold->string, key);
			if (member_sensitive(cat, mh) || member_sensitive(cat, mk) || shape_sensitive(cat, ks))
				rc = add_change(c->result, path, "sensitive", NULL, NULL, 0, NULL);
			else
				rc = cmp_value(c, path, in, nw, ks,
				               cJSON_GetObjectItemCaseSensitive(hold, key), depth, note);
		} else {
			rc = add_change(c->result, path, "not_visible", NULL, safe_copy(cat, in, nw), 0,
			                NULL);
		}
	}
	free(path);
	return rc;
}

static int skipped(const char *const *skip, const char *k)
{
	for (; skip && *skip; skip++)
		if (strcmp(*skip, k) == 0)
			return 1;
	return 0;
}

int rt_diff_compare(const alc_catalog *cat, uint32_t in_shape, const cJSON *planned,
                    uint32_t state_shape, const cJSON *state, const char *const *skip,
                    const char *prefix, cJSON *result)
{
	cmp c = { cat, result };
	const cJSON *k;
	if (state && !cJSON_IsObject(state))
		state = NULL;
	cJSON_ArrayForEach(k, planned) {
		if (!k->string || skipped(skip, k->string))
			continue;
		int rc = cmp_member(&c, prefix ? prefix : "", k->string, k, in_shape, state,
		                    state_shape, 1, 1);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the read ---------------------------------------------------------- */

/* The value at PATH ("", "Table", "Reservations[0].Instances[0]") of OUT
 * (shape S), and its shape in *SHAPE; NULL when it is not there. */
static const cJSON *state_at(const alc_catalog *cat, uint32_t s, const cJSON *out,
                             const char *path, uint32_t *shape)
{
	const cJSON *v = out;
	const char *p = path ? path : "";
	while (*p && v) {
		size_t n = strcspn(p, ".[");
		char name[256];
		if (n >= sizeof name)
			return NULL;
		if (n) {
			memcpy(name, p, n);
			name[n] = '\0';
			const alc_member *m;
			s = child_shape(cat, s, name, &m);
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, name) : NULL;
			p += n;
		}
		while (*p == '[' && v) {
			char *end;
			long i = strtol(p + 1, &end, 10);
			if (*end != ']' || i < 0 || !cJSON_IsArray(v))
				return NULL;
			v = cJSON_GetArrayItem(v, (int)i);
			s = item_shape(cat, s);
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p)
			return NULL;
	}
	*shape = s;
	return v && !cJSON_IsNull(v) ? v : NULL;
}

static int ci_has(const char *code, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = code; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

/* Does an AWS error say "there is no such thing"? */
static int not_found(const cJSON *err)
{
	const char *code = rt_jstr(err, "code"), *msg = rt_jstr(err, "message");
	const cJSON *hs = cJSON_GetObjectItemCaseSensitive(err, "http_status");
	if (cJSON_IsNumber(hs) && hs->valuedouble == 404)
		return 1;
	if (!code)
		return 0;
	if (ci_has(code, "NotFound") || ci_has(code, "NoSuch") || ci_has(code, "NotExist") ||
	    ci_has(code, "DoesNotExist"))
		return 1;
	/* CloudFormation, and others speaking query: "Stack with id x does
	 * not exist" as a ValidationError */
	return strcmp(code, "ValidationError") == 0 && msg && ci_has(msg, "does not exist");
}

/* Fills a required enum member of the read's input that the mapping left
 * empty from the one member of the plan's input named like one of its
 * values (DescribeInstanceAttribute's Attribute "instanceType" for
 * ModifyInstanceAttribute's InstanceType). */
static int infer_enums(const alc_catalog *cat, const alc_operation *read, const cJSON *input,
                       const char *const *skip, cJSON *rin)
{
	const alc_shape *sh = shape_of(cat, read->input);
	if (!sh)
		return 0;
	for (uint32_t i = 0; i < sh->member_count; i++) {
		const alc_member *m = &cat->members[sh->first_member + i];
		const char *name = alc_str(cat, m->name);
		const alc_shape *t = shape_of(cat, m->target);
		if (!(m->flags & ALC_M_REQUIRED) || cJSON_GetObjectItemCaseSensitive(rin, name) || !t ||
		    !(t->type == ALC_T_ENUM || (t->flags & ALC_SH_ENUM_TRAIT)))
			continue;
		const char *found = NULL;
		int n = 0;
		for (uint32_t j = 0; j < t->member_count; j++) {
			const alc_member *ev = &cat->members[t->first_member + j];
			if (!(ev->flags & ALC_M_ENUM_VALUE))
				continue;
			const char *val = alc_str(cat, ev->aux);
			const cJSON *k;
			cJSON_ArrayForEach(k, input)
				if (k->string && !skipped(skip, k->string) && strcasecmp(k->string, val) == 0) {
					found = val;
					n++;
				}
		}
		if (n == 1 && !cJSON_AddStringToObject(rin, name, found))
			return AL_ENOMEM;
	}
	return 0;
}

/* ---- loading and keeping ----------------------------------------------- */

static int copy_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *ctx)
{
	(void)p;
	(void)t;
	rt_plan *dst = ctx;
	rt_plan_free(dst);
	*dst = *pl;
	dst->content = cJSON_Duplicate(pl->content, 1);
	dst->status = cJSON_Duplicate(pl->status, 1);
	dst->dirty = 0;
	return dst->content && dst->status ? 0 : AL_ENOMEM;
}

/* Resolves TEXT and loads a copy of the plan (expired first when due).
 * Returns 1 loaded, 0 refused (O set), or -AL_* ... as rc in *RC. */
static int load_plan(rt_plans *p, const char *text, const rt_id *tx, rt_plan *pl,
                     rt_plan_out *o, int *rc)
{
	rt_id id;
	memset(pl, 0, sizeof *pl);
	*rc = rt_plans_resolve(p, text ? text : "", &id);
	if (*rc == AL_ENOTFOUND) {
		*rc = rt_plan_refuse(o, "not_found", "no plan \"%.26s\"", text ? text : "");
		return 0;
	}
	if (*rc == AL_EDUP || *rc == AL_EINVAL) {
		*rc = rt_plan_refuse(o, "invalid", "\"%.26s\" is not a plan id, or a prefix of more "
		                     "than one plan: give 6 or more characters of one", text ? text : "");
		return 0;
	}
	if (*rc) {
		int e = *rc;
		*rc = rt_plan_refuse(o, "store", "the plan store cannot be read: %s (%s)",
		                     al_strerror(e), rt_store_errmsg(rt_plans_store(p)));
		return 0;
	}
	*rc = rt_plans_modify(p, &id, tx, copy_fn, pl);
	if (*rc) {
		int e = *rc;
		rt_plan_free(pl);
		if (e == AL_ENOMEM)
			return 0;
		*rc = rt_plan_refuse(o, e == AL_ENOTFOUND ? "not_found" : "store",
		                     "plan %.26s cannot be loaded: %s", text, al_strerror(e));
		return 0;
	}
	pl->id = id;
	return 1;
}

typedef struct keep_ctx {
	const char *key;         /* "diff" or "dryRun" */
	int kind;                /* audit kind */
	const cJSON *value;
	const cJSON *payload;
	const rt_id *tx;
} keep_ctx;

static int keep_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *ctx)
{
	(void)p;
	keep_ctx *k = ctx;
	int rc = jset(pl->status, k->key, cJSON_Duplicate(k->value, 1));
	if (rc)
		return rc;
	pl->dirty = 1;
	return rt_audit_append(t, k->kind, k->tx, &pl->id, k->payload, NULL, NULL);
}

/* Keeps VALUE as status[KEY] of plan ID and audits PAYLOAD. */
static int keep(rt_plans *p, const rt_id *id, const rt_id *tx, const char *key, int kind,
                const cJSON *value, cJSON *payload, const char *offload)
{
	int rc = offload ? rt_audit_offload(rt_plans_store(p), payload, offload) : 0;
	if (rc)
		return rc;
	keep_ctx k = { key, kind, value, payload, tx };
	return rt_plans_modify(p, id, tx, keep_fn, &k);
}

/* ---- the diff ---------------------------------------------------------- */

static int stop(const rt_diff_opts *opts, double done, const char *msg)
{
	if (opts && opts->cancel && opts->cancel(opts->ud))
		return 1;
	if (opts && opts->progress && opts->progress(opts->ud, done, msg))
		return 1;
	return 0;
}

static int set_message(cJSON *r, const char *f, ...) __attribute__((format(printf, 2, 3)));
static int set_message(cJSON *r, const char *f, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	return jset(r, "message", cJSON_CreateString(buf));
}

static int set_status(cJSON *r, const char *status)
{
	return jset(r, "status", cJSON_CreateString(status));
}

static int count(const cJSON *r, const char *k)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rt_jobj(r, "summary"), k);
	return cJSON_IsNumber(n) ? n->valueint : 0;
}

static int generic_diff(rt_plans *p, const alc_catalog *cat, const rt_plan *pl,
                        const alc_operation *op, const rt_diff_opts *opts, cJSON **out)
{
	const char *sname = rt_jstr(pl->content, "service"), *oname = rt_jstr(pl->content, "operation");
	alc_readmap rm;
	memset(&rm, 0, sizeof rm);
	if (!alc_op_readmap(cat, op, &rm) || !rm.read) {
		cJSON *r = rt_diff_result_new(pl, 0, "no_mapping");
		if (!r || set_message(r, "%s:%s has no read mapping in this catalog, so its effect "
		                      "cannot be compared with the live state; the plan can still be "
		                      "approved and applied", sname, oname)) {
			cJSON_Delete(r);
			return AL_ENOMEM;
		}
		*out = r;
		return 0;
	}
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(pl->content, "input");
	cJSON *r = rt_diff_result_new(pl, rm.kind, "computed");
	cJSON *rin = cJSON_CreateObject();
	const char *skip[ALC_READMAP_MAX_ARGS + 3];
	size_t ns = 0;
	int nfrom = 0, nfilled = 0;
	int rc = r && rin ? 0 : AL_ENOMEM;
	for (uint32_t i = 0; !rc && i < rm.nargs && i < ALC_READMAP_MAX_ARGS; i++) {
		const alc_readmap_arg *a = &rm.args[i];
		cJSON *v;
		if (a->flags & ALC_RMA_CONST) {
			v = cJSON_Parse(a->from);
		} else {
			skip[ns++] = a->from;
			const cJSON *src = cJSON_GetObjectItemCaseSensitive(input, a->from);
			v = src ? cJSON_Duplicate(src, 1) : NULL;
			nfrom++;
			nfilled += v != NULL;
		}
		if (!v)
			continue;
		if (a->flags & ALC_RMA_LIST) {
			cJSON *l = cJSON_CreateArray();
			if (!l) {
				cJSON_Delete(v);
				rc = AL_ENOMEM;
				break;
			}
			cJSON_AddItemToArray(l, v);
			v = l;
		}
		rc = jset(rin, a->to, v);
	}
	/* not state: the idempotency token, DryRun */
	size_t nid = ns;
	if (op->idem_member != ALC_NONE)
		skip[ns++] = alc_str(cat, cat->members[op->idem_member].name);
	skip[ns++] = "DryRun";
	skip[ns] = NULL;
	if (!rc && cJSON_IsObject(input))
		rc = infer_enums(cat, rm.read, input, skip, rin);
	const alc_service *rsvc = &cat->svcs[rm.read->service];
	const char *rname = alc_str(cat, rm.read->name);
	cJSON *rd = rc ? NULL : cJSON_CreateObject();
	if (!rc && (!rd || !cJSON_AddStringToObject(rd, "service", alc_str(cat, rsvc->key)) ||
	            !cJSON_AddStringToObject(rd, "operation", rname) ||
	            !cJSON_AddStringToObject(rd, "source", source_name(rm.source)) ||
	            !cJSON_AddStringToObject(rd, "statePath", rm.state_path ? rm.state_path : "") ||
	            !cJSON_AddItemToObject(rd, "input", safe_copy(cat, rm.read->input, rin))))
		rc = AL_ENOMEM;
	if (!rc) {
		cJSON_AddItemToObject(r, "read", rd);
		rd = NULL;
	}
	cJSON_Delete(rd);
	if (rc) {
		cJSON_Delete(r);
		cJSON_Delete(rin);
		return rc;
	}
	if (!cJSON_IsObject(input)) {
		cJSON_Delete(rin);
		if (set_status(r, "read_failed") ||
		    set_message(r, "the plan has no input to compare (it failed validation)")) {
			cJSON_Delete(r);
			return AL_ENOMEM;
		}
		*out = r;
		return 0;
	}
	/* A read addressed by nothing would show some other resource (a list's
	 * first element), or a whole collection (a paginated read without
	 * arguments): not run */
	if ((nfrom > 0 && nfilled == 0) || (nfrom == 0 && (rm.read->flags & ALC_OP_PAGINATED))) {
		cJSON_Delete(rin);
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddStringToObject(e, "code", "not_identified") ||
		    !cJSON_AddStringToObject(e, "message", "the plan's input names none of the "
		                             "members that identify the resource for the read") ||
		    jset(r, "error", e) || set_status(r, "read_failed") ||
		    set_message(r, "the plan's input names none of the members that identify the "
		                "resource for %s:%s, so its current state cannot be read; the plan is "
		                "unchanged and can still be approved", alc_str(cat, rsvc->key), rname)) {
			cJSON_Delete(r);
			return AL_ENOMEM;
		}
		*out = r;
		return 0;
	}
	char msg[300];
	snprintf(msg, sizeof msg, "reading the current state (%s:%s)", alc_str(cat, rsvc->key), rname);
	if (stop(opts, 0.2, msg)) {
		cJSON_Delete(rin);
		if (set_status(r, "cancelled") || set_message(r, "the diff was cancelled before the read")) {
			cJSON_Delete(r);
			return AL_ENOMEM;
		}
		*out = r;
		return 0;
	}
	/* the audited read, as the plan's caller */
	const cJSON *caller = rt_jobj(pl->content, "caller");
	rt_plan_request rq;
	memset(&rq, 0, sizeof rq);
	rq.service = alc_str(cat, rsvc->key);
	rq.operation = rname;
	rq.input = rin;
	rq.region = rt_jstr(caller, "region");
	rq.profile = rt_jstr(caller, "profile");
	rq.account = rt_jstr(caller, "account");
	rt_plan_out ro;
	memset(&ro, 0, sizeof ro);
	rc = rt_plans_read(p, &rq, opts ? opts->tx : NULL, &ro);
	cJSON_Delete(rin);
	if (rc) {
		rt_plan_out_free(&ro);
		cJSON_Delete(r);
		return rc;
	}
	cJSON *rdo = cJSON_GetObjectItemCaseSensitive(r, "read");
	const cJSON *state = NULL;
	uint32_t st_shape = ALC_NONE;
	int exists;
	char nf[128] = "";
	if (ro.error) {
		const cJSON *err = rt_jobj(ro.detail, "error");
		const char *rpid = rt_jstr(ro.detail, "planId");
		if (rpid && !cJSON_AddStringToObject(rdo, "planId", rpid))
			rc = AL_ENOMEM;
		if (!rc && err && not_found(err)) {
			exists = 0;
			snprintf(nf, sizeof nf, " (%.100s)", rt_jstr(err, "code") ? rt_jstr(err, "code") : "404");
		} else if (!rc) {
			cJSON *e = cJSON_CreateObject();
			const char *code = err && rt_jstr(err, "code") ? rt_jstr(err, "code") : ro.code;
			const char *emsg = err && rt_jstr(err, "message") ? rt_jstr(err, "message") : ro.error;
			if (!e || !cJSON_AddStringToObject(e, "code", code) ||
			    !cJSON_AddStringToObject(e, "message", emsg) || jset(r, "error", e) ||
			    set_status(r, "read_failed") ||
			    set_message(r, "the current state could not be read with %s:%s (%s): %s; "
			                "the plan is unchanged and can still be approved",
			                alc_str(cat, rsvc->key), rname, code, emsg))
				rc = AL_ENOMEM;
			rt_plan_out_free(&ro);
			if (rc) {
				cJSON_Delete(r);
				return rc;
			}
			*out = r;
			return 0;
		} else {
			exists = 0;
		}
	} else {
		const char *rpid = rt_jstr(ro.result, "planId");
		if (rpid && !cJSON_AddStringToObject(rdo, "planId", rpid))
			rc = AL_ENOMEM;
		state = state_at(cat, rm.read->output,
		                 cJSON_GetObjectItemCaseSensitive(ro.result, "output"), rm.state_path,
		                 &st_shape);
		exists = state != NULL;
	}
	if (!rc)
		rc = jset(r, "exists", cJSON_CreateBool(exists));
	if (!rc)
		stop(opts, 0.8, "comparing");
	if (!rc && rm.kind == ALC_RM_DELETE) {
		/* what would be removed: the state as it is */
		const cJSON *k, *whole = exists && cJSON_IsObject(state) ? state : NULL;
		cJSON_ArrayForEach(k, whole) {
			if (rc || !k->string)
				break;
			const alc_member *m;
			uint32_t ks = child_shape(cat, st_shape, k->string, &m);
			char *path = child_path("", k->string);
			if (!path) {
				rc = AL_ENOMEM;
				break;
			}
			if (member_sensitive(cat, m) || shape_sensitive(cat, ks))
				rc = add_change(r, path, "sensitive", NULL, NULL, 0, NULL);
			else
				rc = add_change(r, path, "removed", safe_copy(cat, ks, k), NULL, 0, NULL);
			free(path);
		}
		if (!rc)
			rc = exists ? set_message(r, "the resource exists: %s:%s would remove %d member%s "
			                          "of its current state", sname, oname,
			                          count(r, "removed") + count(r, "sensitive"),
			                          count(r, "removed") + count(r, "sensitive") == 1 ? "" : "s")
			            : set_message(r, "the resource does not exist now (%s:%s found "
			                          "nothing): there is nothing for %s to remove",
			                          alc_str(cat, rsvc->key), rname, oname);
	} else if (!rc) {
		/* a create of what is not there adds its identifiers too */
		int all = rm.kind == ALC_RM_CREATE && !exists;
		rc = rt_diff_compare(cat, op->input, input, st_shape, exists ? state : NULL,
		                     all ? skip + nid : skip, "", r);
		if (!rc && rm.kind == ALC_RM_CREATE)
			rc = exists ? set_message(r, "it already exists: %s:%s shows it now; %d member%s "
			                          "differ%s from the plan", alc_str(cat, rsvc->key), rname,
			                          count(r, "changed"), count(r, "changed") == 1 ? "" : "s",
			                          count(r, "changed") == 1 ? "s" : "")
			            : set_message(r, "it does not exist yet: %s:%s found nothing%s; %s "
			                          "would add %d member%s", alc_str(cat, rsvc->key), rname, nf,
			                          oname, count(r, "added"), count(r, "added") == 1 ? "" : "s");
		else if (!rc && exists)
			rc = set_message(r, "against what %s:%s shows now, the plan changes %d member%s, "
			                 "adds %d and leaves %d as they are; %d not visible, %d sensitive",
			                 alc_str(cat, rsvc->key), rname, count(r, "changed"),
			                 count(r, "changed") == 1 ? "" : "s", count(r, "added"),
			                 count(r, "unchanged"), count(r, "notVisible"),
			                 count(r, "sensitive"));
		else if (!rc)
			rc = set_message(r, "%s:%s found nothing there now%s: %s would set %d member%s",
			                 alc_str(cat, rsvc->key), rname, nf, oname, count(r, "added"),
			                 count(r, "added") == 1 ? "" : "s");
	}
	rt_plan_out_free(&ro);
	if (rc) {
		cJSON_Delete(r);
		return rc;
	}
	*out = r;
	return 0;
}

#ifdef AIRLOCK_HAVE_CFN
/* Fills what the result must hold (diff_plan's outputSchema requires it)
 * when a diff made elsewhere (rt_cfn.c) left it out. */
static int complete(cJSON *res, const rt_plan *pl)
{
	cJSON *base = rt_diff_result_new(pl, 0, "computed");
	if (!base)
		return AL_ENOMEM;
	const cJSON *k;
	int rc = 0;
	cJSON_ArrayForEach(k, base)
		if (!rc && !cJSON_GetObjectItemCaseSensitive(res, k->string))
			rc = jset(res, k->string, cJSON_Duplicate(k, 1));
	cJSON_Delete(base);
	if (!rc && !rt_jstr(res, "message"))
		rc = set_message(res, "%d changed, %d added, %d removed, %d unchanged",
		                 count(res, "changed"), count(res, "added"), count(res, "removed"),
		                 count(res, "unchanged"));
	return rc;
}
#endif

int rt_diff_plan(rt_plans *p, const char *text, const rt_diff_opts *opts, rt_plan_out *o)
{
	const alc_catalog *cat = rt_plans_catalog(p);
	if (!cat)
		return rt_plan_refuse(o, "invalid", "no catalog: a diff needs one");
	rt_id txbuf;
	const rt_id *tx = opts ? opts->tx : NULL;
	if (!tx) {
		rt_id_new(&txbuf, rt_now_ms());
		tx = &txbuf;
	}
	rt_diff_opts op2;
	memset(&op2, 0, sizeof op2);
	if (opts)
		op2 = *opts;
	op2.tx = tx;
	rt_plan pl;
	int rc;
	if (!load_plan(p, text, tx, &pl, o, &rc))
		return rc;
	const char *sname = rt_jstr(pl.content, "service"), *oname = rt_jstr(pl.content, "operation");
	const alc_operation *op = sname && oname
	        ? alc_find_operation(cat, sname, strlen(sname), oname, strlen(oname)) : NULL;
	if (!op) {
		rt_plan_free(&pl);
		return rt_plan_refuse(o, "invalid", "the catalog has no operation %s:%s",
		                      sname ? sname : "?", oname ? oname : "?");
	}
	cJSON *res = NULL;
#ifdef AIRLOCK_HAVE_CFN
	if (rt_cfn_handles(cat, op)) {
		rc = rt_cfn_diff(p, &pl, &op2, o);
		if (!rc && o->result) {
			res = o->result;
			o->result = NULL;
			rc = complete(res, &pl);
			if (rc) {
				cJSON_Delete(res);
				rt_plan_free(&pl);
				return rc;
			}
		}
		if (rc || !res) {
			rt_plan_free(&pl);
			return rc;
		}
	} else
#endif
	{
		rc = generic_diff(p, cat, &pl, op, &op2, &res);
	}
	if (rc) {
		rt_plan_free(&pl);
		return rc;
	}
	if (!(op2.flags & RT_DIFF_NO_STORE)) {
		cJSON *pay = cJSON_Duplicate(res, 1);
		rc = pay ? keep(p, &pl.id, tx, "diff", RT_AK_DIFF, res, pay, "changes") : AL_ENOMEM;
		cJSON_Delete(pay);
		if (rc && rc != AL_ENOMEM) {
			int e = rc;
			cJSON_Delete(res);
			rt_plan_free(&pl);
			return rt_plan_refuse(o, "store", "the diff was made but cannot be kept with the "
			                      "plan: %s (%s)", al_strerror(e),
			                      rt_store_errmsg(rt_plans_store(p)));
		}
		if (rc) {
			cJSON_Delete(res);
			rt_plan_free(&pl);
			return rc;
		}
	}
	rt_plan_free(&pl);
	o->result = res;
	return 0;
}

/* ---- rendering --------------------------------------------------------- */

enum { C_RESET, C_ADD, C_DEL, C_CHG, C_DIM, C_SENS, C_BOLD };
static const char *const colors[] = { "\033[0m", "\033[32m", "\033[31m", "\033[33m",
                                      "\033[2m", "\033[35m", "\033[1m" };

static const char *col(int on, int c)
{
	return on ? colors[c] : "";
}

/* V compact, at most 300 bytes (then "..."). */
static void put_value(FILE *f, const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;
	if (!s) {
		fputs("?", f);
		return;
	}
	if (strlen(s) > 300)
		fprintf(f, "%.300s...", s);
	else
		fputs(s, f);
	free(s);
}

#define DOC_LINES 400

/* V pretty-printed, split into at most DOC_LINES lines (tabs: indents of
 * two spaces, one space after a key).  Returns the line count; *BUF owns
 * the text. */
static int doc_lines(const cJSON *v, char **buf, char *lines[DOC_LINES])
{
	char *s = v ? cJSON_Print(v) : NULL;
	*buf = NULL;
	if (!s)
		return 0;
	char *t = malloc(strlen(s) * 2 + 1), *o = t;
	if (!t) {
		free(s);
		return 0;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '\t' && p > s && p[-1] == ':') {
			*o++ = ' ';
		} else if (*p == '\t') {
			*o++ = ' ';
			*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	free(s);
	int n = 0;
	for (char *line = t; line && n < DOC_LINES; n++) {
		lines[n] = line;
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		line = nl ? nl + 1 : NULL;
	}
	*buf = t;
	return n;
}

/* OLD_V -> NEW_V as a line diff of their pretty forms (longest common
 * subsequence; at most DOC_LINES lines each, so DOC_LINES^2 cells). */
static void put_doc_diff(FILE *f, const cJSON *old_v, const cJSON *new_v, int color)
{
	char *ba, *bb, *a[DOC_LINES], *b[DOC_LINES];
	int na = doc_lines(old_v, &ba, a), nb = doc_lines(new_v, &bb, b);
	unsigned short *l = calloc((size_t)(na + 1) * (size_t)(nb + 1), sizeof *l);
	if (l) {
		for (int i = na - 1; i >= 0; i--)
			for (int j = nb - 1; j >= 0; j--) {
				unsigned short down = l[(i + 1) * (nb + 1) + j], right = l[i * (nb + 1) + j + 1];
				l[i * (nb + 1) + j] = strcmp(a[i], b[j]) == 0
				        ? (unsigned short)(l[(i + 1) * (nb + 1) + j + 1] + 1)
				        : down > right ? down : right;
			}
		int i = 0, j = 0;
		while (i < na || j < nb) {
			if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
				fprintf(f, "      %s\n", a[i]);
				i++;
				j++;
			} else if (i < na && (j == nb || l[(i + 1) * (nb + 1) + j] >= l[i * (nb + 1) + j + 1])) {
				fprintf(f, "%s    - %s%s\n", col(color, C_DEL), a[i], col(color, C_RESET));
				i++;
			} else {
				fprintf(f, "%s    + %s%s\n", col(color, C_ADD), b[j], col(color, C_RESET));
				j++;
			}
		}
	}
	free(l);
	free(ba);
	free(bb);
}

void rt_diff_render(FILE *f, const cJSON *r, int color, int verbose)
{
#ifdef AIRLOCK_HAVE_CFN
	/* Stack plans: rt_cfn_render shows each resource change with what
	 * forces a replacement and what caused it, which a person approving
	 * the plan needs to see. */
	const char *svc = rt_jstr(r, "service"), *sop = rt_jstr(r, "operation");
	if (svc && sop && strcmp(svc, "cloudformation") == 0 &&
	    (strcmp(sop, "CreateStack") == 0 || strcmp(sop, "UpdateStack") == 0 ||
	     strcmp(sop, "DeleteStack") == 0)) {
		rt_cfn_render(f, r, color);
		return;
	}
#endif
	const char *st = rt_jstr(r, "status") ? rt_jstr(r, "status") : "?";
	fprintf(f, "%sdiff of plan %s%s  %s:%s (%s)\n", col(color, C_BOLD),
	        rt_jstr(r, "planId") ? rt_jstr(r, "planId") : "?", col(color, C_RESET),
	        rt_jstr(r, "service") ? rt_jstr(r, "service") : "?",
	        rt_jstr(r, "operation") ? rt_jstr(r, "operation") : "?",
	        rt_jstr(r, "kind") ? rt_jstr(r, "kind") : "?");
	const cJSON *rd = rt_jobj(r, "read");
	if (rd)
		fprintf(f, "  against %s:%s%s%s (mapping: %s), read plan %s\n",
		        rt_jstr(rd, "service") ? rt_jstr(rd, "service") : "?",
		        rt_jstr(rd, "operation") ? rt_jstr(rd, "operation") : "?",
		        rt_jstr(rd, "statePath") && rt_jstr(rd, "statePath")[0] ? " at " : "",
		        rt_jstr(rd, "statePath") ? rt_jstr(rd, "statePath") : "",
		        rt_jstr(rd, "source") ? rt_jstr(rd, "source") : "?",
		        rt_jstr(rd, "planId") ? rt_jstr(rd, "planId") : "(none)");
	const cJSON *cs = rt_jobj(r, "changeSet");
	if (cs)
		fprintf(f, "  change set %s (%s)\n", rt_jstr(cs, "name") ? rt_jstr(cs, "name") : "?",
		        rt_jstr(cs, "status") ? rt_jstr(cs, "status") : "?");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(r, "exists");
	fprintf(f, "  computed %s; status %s; exists %s\n",
	        rt_jstr(r, "computedAt") ? rt_jstr(r, "computedAt") : "?", st,
	        cJSON_IsTrue(ex) ? "yes" : cJSON_IsFalse(ex) ? "no" : "not known");
	const cJSON *err = rt_jobj(r, "error");
	if (err)
		fprintf(f, "  %serror %s: %s%s\n", col(color, C_DEL),
		        rt_jstr(err, "code") ? rt_jstr(err, "code") : "?",
		        rt_jstr(err, "message") ? rt_jstr(err, "message") : "", col(color, C_RESET));
	const cJSON *e;
	int hidden = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "changes")) {
		const char *opn = rt_jstr(e, "op") ? rt_jstr(e, "op") : "?";
		const char *path = rt_jstr(e, "path") ? rt_jstr(e, "path") : "?";
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(e, "old");
		const cJSON *nv = cJSON_GetObjectItemCaseSensitive(e, "new");
		int doc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "document"));
		const char *note = rt_jstr(e, "note");
		const char *rt = rt_jstr(e, "resourceType");
		const char *rep = rt_jstr(e, "replacement");
		int c;
		char mark;
		if (strcmp(opn, "changed") == 0) {
			c = C_CHG;
			mark = '~';
		} else if (strcmp(opn, "added") == 0) {
			c = C_ADD;
			mark = '+';
		} else if (strcmp(opn, "removed") == 0) {
			c = C_DEL;
			mark = '-';
		} else if (strcmp(opn, "unchanged") == 0) {
			if (!verbose) {
				hidden++;
				continue;
			}
			c = C_DIM;
			mark = '=';
		} else if (strcmp(opn, "sensitive") == 0) {
			c = C_SENS;
			mark = '*';
		} else {
			c = C_DIM;
			mark = '?';
		}
		fprintf(f, "%s%c %s%s", col(color, c), mark, path, col(color, C_RESET));
		if (rt)
			fprintf(f, "  %s", rt);
		if (rep && strcmp(rep, "False") != 0)
			fprintf(f, "  %sreplacement: %s%s", col(color, C_DEL), rep, col(color, C_RESET));
		if (strcmp(opn, "sensitive") == 0) {
			fputs("  (sensitive: values not shown nor compared)", f);
		} else if (strcmp(opn, "not_visible") == 0) {
			fputs("  ", f);
			put_value(f, nv);
			fputs("  (the read does not show it)", f);
		} else if (doc && strcmp(opn, "changed") == 0) {
			fputs("  (JSON document, compared parsed)\n", f);
			put_doc_diff(f, ov, nv, color);
			if (note)
				fprintf(f, "    (%s)\n", note);
			continue;
		} else if (strcmp(opn, "changed") == 0) {
			fputs("  ", f);
			put_value(f, ov);
			fputs(" -> ", f);
			put_value(f, nv);
		} else if (ov || nv) {
			fputs("  ", f);
			put_value(f, nv ? nv : ov);
			if (doc)
				fputs("  (JSON document, compared parsed)", f);
		}
		if (note)
			fprintf(f, "  (%s)", note);
		fputc('\n', f);
	}
	const cJSON *sum = rt_jobj(r, "summary");
	if (sum)
		fprintf(f, "  %d changed, %d added, %d removed, %d unchanged%s, %d not visible, "
		        "%d sensitive\n", count(r, "changed"), count(r, "added"), count(r, "removed"),
		        count(r, "unchanged"), hidden ? " (not listed)" : "", count(r, "notVisible"),
		        count(r, "sensitive"));
	if (rt_jstr(r, "message"))
		fprintf(f, "  %s\n", rt_jstr(r, "message"));
}

/* ---- a brief, for questions to people --------------------------------- */

static void cat_value(char *buf, size_t cap, size_t *n, const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;
	if (*n < cap)
		*n += (size_t)snprintf(buf + *n, cap - *n, s && strlen(s) > 120 ? "%.117s..." : "%s",
		                       s ? s : "?");
	free(s);
}

size_t rt_diff_brief(const cJSON *r, char *buf, size_t cap)
{
	if (!cap)
		return 0;
	buf[0] = '\0';
	size_t n = 0;
	const cJSON *rd = rt_jobj(r, "read");
	n += (size_t)snprintf(buf, cap, "what it changes (diff of %s%s%s%s): %s\n",
	                      rt_jstr(r, "computedAt") ? rt_jstr(r, "computedAt") : "?",
	                      rd ? ", against " : "", rd && rt_jstr(rd, "operation") ?
	                      rt_jstr(rd, "operation") : "", rd ? " now" : "",
	                      rt_jstr(r, "message") ? rt_jstr(r, "message") : "");
	const cJSON *e;
	int shown = 0, more = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "changes")) {
		const char *opn = rt_jstr(e, "op") ? rt_jstr(e, "op") : "?";
		if (strcmp(opn, "unchanged") == 0)
			continue;
		if (shown == 12 || n >= cap) {
			more++;
			continue;
		}
		shown++;
		const cJSON *ov = cJSON_GetObjectItemCaseSensitive(e, "old");
		const cJSON *nv = cJSON_GetObjectItemCaseSensitive(e, "new");
		n += (size_t)snprintf(buf + n, cap - n, "  %s %s", opn,
		                      rt_jstr(e, "path") ? rt_jstr(e, "path") : "?");
		if (n < cap && (ov || nv))
			n += (size_t)snprintf(buf + n, cap - n, ": ");
		if (ov)
			cat_value(buf, cap, &n, ov);
		if (n < cap && ov && nv)
			n += (size_t)snprintf(buf + n, cap - n, " -> ");
		if (nv)
			cat_value(buf, cap, &n, nv);
		if (n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "\n");
	}
	if (more && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, "  ... and %d more (diff_plan shows all)\n", more);
	if (n >= cap) {
		n = cap - 1;
		buf[n] = '\0';
	}
	return n;
}

/* ---- EC2 DryRun -------------------------------------------------------- */

int rt_dryrun_applies(const alc_catalog *cat, const alc_operation *op)
{
	if (!cat || !op || op->service >= cat->nsvcs)
		return 0;
	const alc_service *svc = &cat->svcs[op->service];
	return strcmp(alc_str(cat, svc->key), "ec2") == 0 && !rt_op_is_read(cat, op) &&
	       member_named(cat, op->input, "DryRun") != NULL;
}

int rt_dryrun_plan(rt_plans *p, const char *text, const rt_id *tx, cJSON **out)
{
	*out = NULL;
	const alc_catalog *cat = rt_plans_catalog(p);
	if (!cat)
		return 0;
	rt_plan pl;
	rt_plan_out o;
	memset(&o, 0, sizeof o);
	int rc;
	if (!load_plan(p, text, tx, &pl, &o, &rc)) {
		rt_plan_out_free(&o);
		return rc ? rc : AL_ENOTFOUND;
	}
	const char *sname = rt_jstr(pl.content, "service"), *oname = rt_jstr(pl.content, "operation");
	const alc_operation *op = sname && oname
	        ? alc_find_operation(cat, sname, strlen(sname), oname, strlen(oname)) : NULL;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(pl.content, "input");
	if (!op || !rt_dryrun_applies(cat, op) || !cJSON_IsObject(input) ||
	    (pl.state != RT_PS_PLANNED && pl.state != RT_PS_AWAITING)) {
		rt_plan_free(&pl);
		return 0;
	}
	cJSON *in = cJSON_Duplicate(input, 1);
	if (!in || jset(in, "DryRun", cJSON_CreateTrue())) {
		cJSON_Delete(in);
		rt_plan_free(&pl);
		return AL_ENOMEM;
	}
	const cJSON *caller = rt_jobj(pl.content, "caller");
	rt_plan_exec_req rq;
	memset(&rq, 0, sizeof rq);
	rq.cat = cat;
	rq.op = op;
	rq.input = in;
	rq.region = rt_jstr(caller, "region");
	rq.profile = rt_jstr(caller, "profile");
	rt_plan_exec_res rs;
	memset(&rs, 0, sizeof rs);
	rs.attempts = 1;
	int xrc = rt_plans_execute(&rq, &rs);
	const char *result, *code, *msg;
	char buf[300];
	if (xrc) {
		result = "error";
		code = "ClientError";
		snprintf(buf, sizeof buf, "the dry run could not be sent: %s", al_strerror(xrc));
		msg = buf;
	} else if (rs.error) {
		code = rt_jstr(rs.error, "code") ? rt_jstr(rs.error, "code") : "ClientError";
		msg = rt_jstr(rs.error, "message") ? rt_jstr(rs.error, "message") : "";
		/* EC2 says UnauthorizedOperation; AccessDenied is what IAM-style
		 * checks in front of it (and moto) answer */
		result = strcmp(code, "DryRunOperation") == 0 ? "would_succeed" :
		         strcmp(code, "UnauthorizedOperation") == 0 ||
		         strncmp(code, "AccessDenied", 12) == 0 ? "not_permitted" : "error";
	} else {
		/* AWS answers every DryRun with an error; a success means the
		 * endpoint ignored DryRun */
		result = "error";
		code = "DryRunIgnored";
		msg = "the endpoint answered with success although DryRun was set: it may have run "
		      "the call";
	}
	cJSON *d = cJSON_CreateObject();
	int ok = d && cJSON_AddStringToObject(d, "result", result) &&
	         cJSON_AddStringToObject(d, "code", code) &&
	         cJSON_AddStringToObject(d, "message", msg) &&
	         cJSON_AddItemToObject(d, "at", time_json(rt_now_ms())) &&
	         cJSON_AddStringToObject(d, "requestId", rs.request_id);
	cJSON *pay = ok ? cJSON_Duplicate(d, 1) : NULL;
	ok = ok && pay && cJSON_AddStringToObject(pay, "service", sname) &&
	     cJSON_AddStringToObject(pay, "operation", oname) &&
	     cJSON_AddItemToObject(pay, "input", safe_copy(cat, op->input, in));
	cJSON_Delete(in);
	cJSON_Delete(rs.output);
	cJSON_Delete(rs.error);
	rc = ok ? keep(p, &pl.id, tx, "dryRun", RT_AK_DRY_RUN, d, pay, NULL) : AL_ENOMEM;
	cJSON_Delete(pay);
	rt_plan_free(&pl);
	if (rc) {
		cJSON_Delete(d);
		return rc;
	}
	*out = d;
	return 0;
}
