/*
 * cc_risk.c -- see cc_risk.h.
 *
 * Names are split into CamelCase words ("BatchDeleteItem" -> Batch, Delete,
 * Item); a verb matches a whole word only, so "Removal" is not "Remove".
 * Every list below is searched linearly: a few dozen short strings per
 * operation, 17,000 operations, once per build.
 */
#include "cc_risk.h"

#include <string.h>
#include <strings.h>

#define NWORDS 16

typedef struct words {
	const char *w[NWORDS];
	size_t len[NWORDS];
	size_t n;
} words;

static int is_up(char c) { return c >= 'A' && c <= 'Z'; }
static int is_low_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* CamelCase words of NAME; an acronym run ("KMSKey") ends before the
 * capital that starts the next word. */
static void split(const char *name, words *ws)
{
	ws->n = 0;
	const char *p = name;
	while (*p && ws->n < NWORDS) {
		const char *s = p;
		if (is_up(*p)) {
			p++;
			if (is_up(*p))   /* acronym: up to the next word's capital */
				while (is_up(*p) && !(p[1] >= 'a' && p[1] <= 'z'))
					p++;
		}
		while (is_low_or_digit(*p))
			p++;
		if (p == s)
			p++;         /* '_' or any other byte: a word of its own */
		ws->w[ws->n] = s;
		ws->len[ws->n++] = (size_t)(p - s);
	}
}

static int word_is(const words *ws, size_t i, const char *w)
{
	return i < ws->n && ws->len[i] == strlen(w) &&
	       memcmp(ws->w[i], w, ws->len[i]) == 0;
}

static int word_in(const words *ws, size_t i, const char *const *list)
{
	for (; *list; list++)
		if (word_is(ws, i, *list))
			return 1;
	return 0;
}

static int has_word(const words *ws, const char *w)
{
	for (size_t i = 0; i < ws->n; i++)
		if (word_is(ws, i, w))
			return 1;
	return 0;
}

static const char *const destructive[] = {
	"Delete", "Terminate", "Remove", "Detach", "Revoke", "Purge",
	"Disable", "Deregister", "Disassociate", "Dissociate", "Destroy",
	"Drop", "Erase", "Reset", "Release", "Deactivate", "Unassign",
	"Deauthorize", "Abort", "Close", "Suspend", "Unsubscribe", NULL,
};

static const char *const critical_services[] = {
	"iam", "kms", "organizations", "sso-admin", "identitystore",
	"account", NULL,
};

static const char *const account_setting_words[] = {
	"Setting", "Settings", "Configuration", "Policy", "Attributes",
	"Preferences", "Default", NULL,
};

/* Index of the verb: past an Admin or Batch prefix. */
static size_t verb_at(const words *ws)
{
	size_t v = 0;
	if (word_is(ws, v, "Admin"))
		v++;
	if (word_is(ws, v, "Batch"))
		v++;
	return v;
}

static int account_level(const char *name, const words *ws)
{
	if (has_word(ws, "Account"))
		for (size_t i = 0; i < ws->n; i++)
			if (word_in(ws, i, account_setting_words))
				return 1;
	static const char *const subs[] = {
		"PublicAccessBlock", "EbsDefaultKmsKeyId", "SerialConsoleAccess",
		"BlockPublicAccess", NULL,
	};
	for (const char *const *s = subs; *s; s++)
		if (strstr(name, *s))
			return 1;
	size_t n = strlen(name);
	return n > 9 && strcmp(name + n - 9, "ByDefault") == 0;
}

unsigned cc_risk_of(const alc_catalog *cat, const alc_operation *op,
                    int *write)
{
	const char *name = alc_str(cat, op->name);
	int rd = alc_op_is_read(name, op->flags);
	if (write)
		*write = !rd;
	if (rd)
		return ALC_RISK_LOW;
	words ws;
	split(name, &ws);
	const char *svc = alc_str(cat, cat->svcs[op->service].key);
	for (const char *const *s = critical_services; *s; s++)
		if (strcmp(svc, *s) == 0)
			return ALC_RISK_CRITICAL;
	if (account_level(name, &ws))
		return ALC_RISK_CRITICAL;
	size_t v = verb_at(&ws);
	if (word_in(&ws, v, destructive)) {
		if (v > 0 && word_is(&ws, v - 1, "Batch"))
			return ALC_RISK_CRITICAL;     /* mass deletion */
		if (has_word(&ws, "All") || strcmp(name, "DeleteObjects") == 0)
			return ALC_RISK_CRITICAL;
		return ALC_RISK_HIGH;
	}
	return ALC_RISK_MEDIUM;
}

/* ---- tags ------------------------------------------------------------- */

static const char *const tag_member_names[] = {
	"tags", "taglist", "tagslist", "resourcetags", "tagging",
	"tagspecification", "tagspecifications", NULL,
};

static int name_in_ci(const char *n, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(n, *list) == 0)
			return 1;
	return 0;
}

static const alc_shape *shape(const alc_catalog *c, uint32_t i)
{
	return i < c->nshapes ? &c->shapes[i] : NULL;
}

/* Key and value members of a tag structure S, or 0. */
static int kv_members(const alc_catalog *c, const alc_shape *s,
                      const char **k, const char **v)
{
	if (!s || s->type != ALC_T_STRUCTURE)
		return 0;
	*k = *v = NULL;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const char *n = alc_str(c, c->members[s->first_member + i].name);
		if (strcasecmp(n, "key") == 0 || strcasecmp(n, "tagkey") == 0)
			*k = n;
		else if (strcasecmp(n, "value") == 0 || strcasecmp(n, "tagvalue") == 0)
			*v = n;
	}
	return *k && *v;
}

/* The tag collection shape T directly (map, or list of key/value). */
static int collection(const alc_catalog *c, const alc_shape *t, cc_tagloc *l)
{
	if (!t)
		return 0;
	if (t->type == ALC_T_MAP) {
		l->kind = ALC_TL_MAP;
		l->key_name = l->value_name = "";
		return 1;
	}
	if (t->type == ALC_T_LIST && t->member_count >= 1 &&
	    kv_members(c, shape(c, c->members[t->first_member].target),
	               &l->key_name, &l->value_name)) {
		l->kind = ALC_TL_LIST;
		return 1;
	}
	return 0;
}

/* Member of structure S named (any case) NAME, or NULL. */
static const alc_member *member_ci(const alc_catalog *c, const alc_shape *s,
                                   const char *name)
{
	if (!s || s->type != ALC_T_STRUCTURE)
		return NULL;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &c->members[s->first_member + i];
		if (strcasecmp(alc_str(c, m->name), name) == 0)
			return m;
	}
	return NULL;
}

static int tag_location(const alc_catalog *c, const alc_member *m,
                        cc_tagloc *l)
{
	const char *name = alc_str(c, m->name);
	const alc_shape *t = shape(c, m->target);
	memset(l, 0, sizeof *l);
	if (!t || !name_in_ci(name, tag_member_names))
		return 0;
	l->nsegs = 1;
	l->seg_name[0] = name;
	l->seg_kind[0] = ALC_SEG_MEMBER;
	if (collection(c, t, l))
		return 1;
	if (t->type == ALC_T_STRING && strcasecmp(name, "tagging") == 0) {
		l->kind = ALC_TL_QUERY;
		l->key_name = l->value_name = "";
		return 1;
	}
	/* S3 Tagging {TagSet: [...]} */
	const alc_member *in = member_ci(c, t, "TagSet");
	if (in && collection(c, shape(c, in->target), l)) {
		l->nsegs = 2;
		l->seg_name[1] = alc_str(c, in->name);
		l->seg_kind[1] = ALC_SEG_MEMBER;
		return 1;
	}
	/* EC2 TagSpecifications [{ResourceType, Tags: [...]}] */
	if (t->type == ALC_T_LIST && t->member_count >= 1) {
		const alc_shape *el = shape(c, c->members[t->first_member].target);
		in = member_ci(c, el, "Tags");
		if (in && collection(c, shape(c, in->target), l)) {
			l->nsegs = 2;
			l->seg_kind[0] = ALC_SEG_EACH;
			l->seg_name[1] = alc_str(c, in->name);
			l->seg_kind[1] = ALC_SEG_MEMBER;
			return 1;
		}
	}
	return 0;
}

size_t cc_tag_locations(const alc_catalog *cat, const alc_operation *op,
                        cc_tagloc *out, size_t cap)
{
	if (op->input == ALC_NONE)
		return 0;
	const char *name = alc_str(cat, op->name);
	if (alc_op_is_read(name, op->flags))
		return 0;
	words ws;
	split(name, &ws);
	size_t v = verb_at(&ws);
	if (word_in(&ws, v, destructive) || word_is(&ws, v, "Untag"))
		return 0;
	const alc_shape *in = &cat->shapes[op->input];
	size_t n = 0;
	for (uint32_t i = 0; i < in->member_count; i++) {
		cc_tagloc l;
		if (!tag_location(cat, &cat->members[in->first_member + i], &l))
			continue;
		if (n < cap)
			out[n] = l;
		n++;
	}
	return n;
}
