/*
 * cc_model.c -- Smithy JSON AST (1.0 and 2.0) to the compiler's
 * intermediate form.  See cc_model.h.
 *
 * The loader works on the cJSON tree of one file:
 *   1. index every shape id of the file (duplicates are errors) and fold
 *      `apply` statements into their targets' traits;
 *   2. check every member target of every shape (unknown targets are
 *      errors, reachable or not);
 *   3. walk from the service through its operations and resources to find
 *      the reachable shapes, and build only those;
 *   4. build the service and its operations.
 * Mixins are flattened on the fly: a shape's members are its mixins'
 * members followed by its own, and a trait lookup falls back to the
 * mixins' traits.
 */
#include "cc_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <xxhash.h>

#include "alc_err.h"

/* Bound on mixin chains and resource nesting: models are outside input. */
#define CC_MAX_DEPTH 16

enum { K_DATA = 0, K_SERVICE, K_OPERATION, K_RESOURCE, K_APPLY };

typedef struct ent {
	const char *id;          /* points into the cJSON tree */
	const cJSON *json;
	int kind;
	uint8_t type;
	int32_t shape;           /* index in m->shapes once built, else -1 */
	int visited;
} ent;

typedef struct loader {
	cc_model *m;
	const cc_load_opts *opts;
	ent *ents;
	uint32_t nents;
	uint32_t *map;           /* ent index + 1; 0 = empty */
	uint32_t mapsize;
	const cJSON *root;
	char jp[512];            /* scratch JSON path */
} loader;

const cc_prelude cc_prelude_shapes[] = {
	{ "smithy.api#Unit", ALC_T_STRUCTURE, 0 },
	{ "smithy.api#String", ALC_T_STRING, 0 },
	{ "smithy.api#Blob", ALC_T_BLOB, 0 },
	{ "smithy.api#BigInteger", ALC_T_BIGINTEGER, 0 },
	{ "smithy.api#BigDecimal", ALC_T_BIGDECIMAL, 0 },
	{ "smithy.api#Timestamp", ALC_T_TIMESTAMP, 0 },
	{ "smithy.api#Document", ALC_T_DOCUMENT, 0 },
	{ "smithy.api#Boolean", ALC_T_BOOLEAN, 0 },
	{ "smithy.api#PrimitiveBoolean", ALC_T_BOOLEAN, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Byte", ALC_T_BYTE, 0 },
	{ "smithy.api#PrimitiveByte", ALC_T_BYTE, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Short", ALC_T_SHORT, 0 },
	{ "smithy.api#PrimitiveShort", ALC_T_SHORT, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Integer", ALC_T_INTEGER, 0 },
	{ "smithy.api#PrimitiveInteger", ALC_T_INTEGER, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Long", ALC_T_LONG, 0 },
	{ "smithy.api#PrimitiveLong", ALC_T_LONG, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Float", ALC_T_FLOAT, 0 },
	{ "smithy.api#PrimitiveFloat", ALC_T_FLOAT, ALC_SH_HAS_DEFAULT },
	{ "smithy.api#Double", ALC_T_DOUBLE, 0 },
	{ "smithy.api#PrimitiveDouble", ALC_T_DOUBLE, ALC_SH_HAS_DEFAULT },
};
const uint32_t cc_prelude_count = sizeof cc_prelude_shapes / sizeof cc_prelude_shapes[0];

#define UNIT_REF (-2) /* prelude index 0 encoded as -(0)-2 */

static int32_t prelude_ref(const char *id)
{
	if (strncmp(id, "smithy.api#", 11) != 0)
		return 0;
	for (uint32_t i = 0; i < cc_prelude_count; i++)
		if (strcmp(cc_prelude_shapes[i].id, id) == 0)
			return -(int32_t)i - 2;
	return 0;
}

static const struct { const char *name; uint8_t type; } type_names[] = {
	{ "blob", ALC_T_BLOB }, { "boolean", ALC_T_BOOLEAN },
	{ "string", ALC_T_STRING }, { "byte", ALC_T_BYTE },
	{ "short", ALC_T_SHORT }, { "integer", ALC_T_INTEGER },
	{ "long", ALC_T_LONG }, { "float", ALC_T_FLOAT },
	{ "double", ALC_T_DOUBLE }, { "bigInteger", ALC_T_BIGINTEGER },
	{ "bigDecimal", ALC_T_BIGDECIMAL }, { "timestamp", ALC_T_TIMESTAMP },
	{ "document", ALC_T_DOCUMENT }, { "enum", ALC_T_ENUM },
	{ "intEnum", ALC_T_INTENUM }, { "list", ALC_T_LIST },
	{ "set", ALC_T_LIST }, /* Smithy 1.0: a list with unique items */
	{ "map", ALC_T_MAP }, { "structure", ALC_T_STRUCTURE },
	{ "union", ALC_T_UNION },
};

/* ---- diagnostics ---------------------------------------------------- */

static void err(loader *L, const char *jpath, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err(loader *L, const char *jpath, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cc_diag_vadd(&L->m->diag, L->m->path, jpath, fmt, ap);
	va_end(ap);
	L->m->failed = 1;
}

/* JSON path of a shape: $.shapes['ns#Name'] plus SUFFIX. */
static const char *jp_shape(loader *L, const char *id, const char *suffix)
{
	snprintf(L->jp, sizeof L->jp, "$.shapes['%s']%s", id, suffix ? suffix : "");
	return L->jp;
}

static const char *jp_member(loader *L, const char *id, const char *member,
                             const char *suffix)
{
	snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].members.%s%s", id, member,
	         suffix ? suffix : "");
	return L->jp;
}

/* Where a trait sits, for messages built only when there is an error:
 * member == NULL means the shape itself. */
typedef struct where { const char *shape, *member; } where;

static const char *jp_where(loader *L, where w, const char *suffix)
{
	return w.member ? jp_member(L, w.shape, w.member, suffix) : jp_shape(L, w.shape, suffix);
}

/* ---- id map --------------------------------------------------------- */

static uint32_t hash_id(const char *s)
{
	return (uint32_t)XXH3_64bits(s, strlen(s));
}

static int32_t find_ent(const loader *L, const char *id)
{
	uint32_t mask = L->mapsize - 1, i = hash_id(id) & mask;
	while (L->map[i]) {
		const ent *e = &L->ents[L->map[i] - 1];
		if (strcmp(e->id, id) == 0)
			return (int32_t)(L->map[i] - 1);
		i = (i + 1) & mask;
	}
	return -1;
}

/* Returns 0, or -1 when the id is already present. */
static int insert_ent(loader *L, uint32_t idx)
{
	uint32_t mask = L->mapsize - 1, i = hash_id(L->ents[idx].id) & mask;
	while (L->map[i]) {
		if (strcmp(L->ents[L->map[i] - 1].id, L->ents[idx].id) == 0)
			return -1;
		i = (i + 1) & mask;
	}
	L->map[i] = idx + 1;
	return 0;
}

/* ---- small JSON helpers --------------------------------------------- */

static const cJSON *obj_get(const cJSON *o, const char *key)
{
	if (!cJSON_IsObject(o))
		return NULL;
	/* Case-sensitive: Smithy trait ids and member names are. */
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str_of(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Trait lookup on an entity, falling back to its mixins (depth-bounded). */
static const cJSON *trait_depth(const loader *L, const cJSON *shape,
                                const char *name, int depth)
{
	const cJSON *t = obj_get(obj_get(shape, "traits"), name);
	if (t || depth >= CC_MAX_DEPTH)
		return t;
	const cJSON *mix = obj_get(shape, "mixins");
	const cJSON *it;
	cJSON_ArrayForEach(it, mix) {
		const char *tid = str_of(obj_get(it, "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (e < 0)
			continue;
		t = trait_depth(L, L->ents[e].json, name, depth + 1);
		if (t)
			return t;
	}
	return NULL;
}

static const cJSON *trait(const loader *L, const cJSON *shape, const char *name)
{
	return trait_depth(L, shape, name, 0);
}


/* Members of a shape with mixins flattened, in order; at most CAP
 * entries written to OUT (names and member JSON).  Returns the count. */
typedef struct mref { const char *name; const cJSON *json; } mref;

static uint32_t collect_members(const loader *L, const cJSON *shape,
                                mref *out, uint32_t cap, uint32_t n, int depth)
{
	if (depth < CC_MAX_DEPTH) {
		const cJSON *it;
		cJSON_ArrayForEach(it, obj_get(shape, "mixins")) {
			const char *tid = str_of(obj_get(it, "target"));
			int32_t e = tid ? find_ent(L, tid) : -1;
			if (e >= 0)
				n = collect_members(L, L->ents[e].json, out, cap, n, depth + 1);
		}
	}
	const cJSON *m;
	uint32_t inherited = n; /* members that came from mixins */
	cJSON_ArrayForEach(m, obj_get(shape, "members")) {
		/* A local member of the same name overrides a mixin's; only
		 * inherited members need the (quadratic) check. */
		uint32_t j = inherited;
		for (uint32_t k = 0; k < inherited && k < cap; k++)
			if (strcmp(out[k].name, m->string) == 0) {
				j = k;
				break;
			}
		if (j < inherited) {
			out[j].json = m;
			continue;
		}
		if (n < cap)
			out[n] = (mref){ m->string, m };
		n++;
	}
	return n;
}

/* An upper bound: without an output array the override check cannot run,
 * so a member redefined over a mixin's is counted twice.  Callers size
 * their array with it and take the real count from collect_members. */
static uint32_t count_members(const loader *L, const cJSON *shape)
{
	return collect_members(L, shape, NULL, 0, 0, 0);
}

/* list/map members live under their own keys in the AST. */
static int fixed_members(const cJSON *shape, uint8_t type, mref *out)
{
	if (type == ALC_T_LIST) {
		out[0] = (mref){ "member", obj_get(shape, "member") };
		return 1;
	}
	if (type == ALC_T_MAP) {
		out[0] = (mref){ "key", obj_get(shape, "key") };
		out[1] = (mref){ "value", obj_get(shape, "value") };
		return 2;
	}
	return 0;
}

/* ---- trait tables ---------------------------------------------------- *
 * Each shape and member has its traits gathered once into a table indexed
 * by trait id, so that the dozens of trait tests per member are array
 * reads rather than list walks. */

enum trait_id {
	TR_aws_api_clientDiscoveredEndpoint,
	TR_aws_api_clientEndpointDiscovery,
	TR_aws_api_service,
	TR_aws_auth_sigv4,
	TR_aws_auth_unsignedPayload,
	TR_aws_protocols_awsQueryCompatible,
	TR_aws_protocols_awsQueryError,
	TR_aws_protocols_ec2QueryName,
	TR_aws_protocols_httpChecksum,
	TR_auth,
	TR_clientOptional,
	TR_default,
	TR_deprecated,
	TR_documentation,
	TR_endpoint,
	TR_enum,
	TR_enumValue,
	TR_error,
	TR_eventHeader,
	TR_eventPayload,
	TR_hostLabel,
	TR_http,
	TR_httpBearerAuth,
	TR_httpChecksumRequired,
	TR_httpError,
	TR_httpHeader,
	TR_httpLabel,
	TR_httpPayload,
	TR_httpPrefixHeaders,
	TR_httpQuery,
	TR_httpQueryParams,
	TR_httpResponseCode,
	TR_idempotencyToken,
	TR_idempotent,
	TR_input,
	TR_jsonName,
	TR_length,
	TR_mediaType,
	TR_optionalAuth,
	TR_output,
	TR_paginated,
	TR_pattern,
	TR_range,
	TR_readonly,
	TR_requestCompression,
	TR_required,
	TR_requiresLength,
	TR_resourceIdentifier,
	TR_retryable,
	TR_sensitive,
	TR_sparse,
	TR_streaming,
	TR_timestampFormat,
	TR_title,
	TR_uniqueItems,
	TR_xmlAttribute,
	TR_xmlFlattened,
	TR_xmlName,
	TR_xmlNamespace,
	TR_smithy_rules_clientContextParams,
	TR_smithy_rules_contextParam,
	TR_smithy_rules_operationContextParams,
	TR_smithy_rules_staticContextParams,
	TR_COUNT
};

static const struct { const char *name; int id; } trait_names[] = {
	{ "aws.api#clientDiscoveredEndpoint", TR_aws_api_clientDiscoveredEndpoint },
	{ "aws.api#clientEndpointDiscovery", TR_aws_api_clientEndpointDiscovery },
	{ "aws.api#service", TR_aws_api_service },
	{ "aws.auth#sigv4", TR_aws_auth_sigv4 },
	{ "aws.auth#unsignedPayload", TR_aws_auth_unsignedPayload },
	{ "aws.protocols#awsQueryCompatible", TR_aws_protocols_awsQueryCompatible },
	{ "aws.protocols#awsQueryError", TR_aws_protocols_awsQueryError },
	{ "aws.protocols#ec2QueryName", TR_aws_protocols_ec2QueryName },
	{ "aws.protocols#httpChecksum", TR_aws_protocols_httpChecksum },
	{ "smithy.api#auth", TR_auth },
	{ "smithy.api#clientOptional", TR_clientOptional },
	{ "smithy.api#default", TR_default },
	{ "smithy.api#deprecated", TR_deprecated },
	{ "smithy.api#documentation", TR_documentation },
	{ "smithy.api#endpoint", TR_endpoint },
	{ "smithy.api#enum", TR_enum },
	{ "smithy.api#enumValue", TR_enumValue },
	{ "smithy.api#error", TR_error },
	{ "smithy.api#eventHeader", TR_eventHeader },
	{ "smithy.api#eventPayload", TR_eventPayload },
	{ "smithy.api#hostLabel", TR_hostLabel },
	{ "smithy.api#http", TR_http },
	{ "smithy.api#httpBearerAuth", TR_httpBearerAuth },
	{ "smithy.api#httpChecksumRequired", TR_httpChecksumRequired },
	{ "smithy.api#httpError", TR_httpError },
	{ "smithy.api#httpHeader", TR_httpHeader },
	{ "smithy.api#httpLabel", TR_httpLabel },
	{ "smithy.api#httpPayload", TR_httpPayload },
	{ "smithy.api#httpPrefixHeaders", TR_httpPrefixHeaders },
	{ "smithy.api#httpQuery", TR_httpQuery },
	{ "smithy.api#httpQueryParams", TR_httpQueryParams },
	{ "smithy.api#httpResponseCode", TR_httpResponseCode },
	{ "smithy.api#idempotencyToken", TR_idempotencyToken },
	{ "smithy.api#idempotent", TR_idempotent },
	{ "smithy.api#input", TR_input },
	{ "smithy.api#jsonName", TR_jsonName },
	{ "smithy.api#length", TR_length },
	{ "smithy.api#mediaType", TR_mediaType },
	{ "smithy.api#optionalAuth", TR_optionalAuth },
	{ "smithy.api#output", TR_output },
	{ "smithy.api#paginated", TR_paginated },
	{ "smithy.api#pattern", TR_pattern },
	{ "smithy.api#range", TR_range },
	{ "smithy.api#readonly", TR_readonly },
	{ "smithy.api#requestCompression", TR_requestCompression },
	{ "smithy.api#required", TR_required },
	{ "smithy.api#requiresLength", TR_requiresLength },
	{ "smithy.api#resourceIdentifier", TR_resourceIdentifier },
	{ "smithy.api#retryable", TR_retryable },
	{ "smithy.api#sensitive", TR_sensitive },
	{ "smithy.api#sparse", TR_sparse },
	{ "smithy.api#streaming", TR_streaming },
	{ "smithy.api#timestampFormat", TR_timestampFormat },
	{ "smithy.api#title", TR_title },
	{ "smithy.api#uniqueItems", TR_uniqueItems },
	{ "smithy.api#xmlAttribute", TR_xmlAttribute },
	{ "smithy.api#xmlFlattened", TR_xmlFlattened },
	{ "smithy.api#xmlName", TR_xmlName },
	{ "smithy.api#xmlNamespace", TR_xmlNamespace },
	{ "smithy.rules#clientContextParams", TR_smithy_rules_clientContextParams },
	{ "smithy.rules#contextParam", TR_smithy_rules_contextParam },
	{ "smithy.rules#operationContextParams", TR_smithy_rules_operationContextParams },
	{ "smithy.rules#staticContextParams", TR_smithy_rules_staticContextParams },
};

/* Trait id of NAME or -1 (binary search over the sorted table). */
static int trait_lookup(const char *name)
{
	size_t lo = 0, hi = sizeof trait_names / sizeof trait_names[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, trait_names[mid].name);
		if (c == 0)
			return trait_names[mid].id;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

typedef struct trait_tab { const cJSON *v[TR_COUNT]; } trait_tab;

/* Own traits first; a mixin only fills what is still missing. */
static void gather_depth(const loader *L, const cJSON *owner, trait_tab *t, int depth)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, obj_get(owner, "traits")) {
		int id = it->string ? trait_lookup(it->string) : -1;
		if (id >= 0 && !t->v[id])
			t->v[id] = it;
	}
	if (depth >= CC_MAX_DEPTH)
		return;
	cJSON_ArrayForEach(it, obj_get(owner, "mixins")) {
		const char *tid = str_of(obj_get(it, "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (e >= 0)
			gather_depth(L, L->ents[e].json, t, depth + 1);
	}
}

static void gather(const loader *L, const cJSON *owner, trait_tab *t)
{
	memset(t, 0, sizeof *t);
	gather_depth(L, owner, t, 0);
}

/* A member that a shape redefines keeps the traits it inherits from its
 * mixins' member of the same name unless it sets them itself (Smithy 2.0,
 * "Mixins": traits of redefined members supersede inherited ones, per
 * trait).  Fills what T still lacks from the mixins of SHAPE, depth
 * first, like the traits of shapes. */
static void gather_inherited(const loader *L, const cJSON *shape,
                             const char *name, trait_tab *t, int depth)
{
	if (depth >= CC_MAX_DEPTH)
		return;
	const cJSON *it;
	cJSON_ArrayForEach(it, obj_get(shape, "mixins")) {
		const char *tid = str_of(obj_get(it, "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (e < 0)
			continue;
		const cJSON *mj = obj_get(obj_get(L->ents[e].json, "members"), name);
		if (mj)
			gather_depth(L, mj, t, CC_MAX_DEPTH); /* its own traits only */
		gather_inherited(L, L->ents[e].json, name, t, depth + 1);
	}
}

/* ---- documentation -------------------------------------------------- */

static int is_abbrev_before(const char *start, const char *dot)
{
	static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "Inc",
	                                    "approx", "Mr", "Ms", "Dr", "No" };
	for (size_t i = 0; i < sizeof abbr / sizeof abbr[0]; i++) {
		size_t n = strlen(abbr[i]);
		if ((size_t)(dot - start) >= n && memcmp(dot - n, abbr[i], n) == 0 &&
		    ((size_t)(dot - start) == n || dot[-(long)n - 1] == ' ' ||
		     dot[-(long)n - 1] == '('))
			return 1;
	}
	return 0;
}

/* Decode one HTML entity at P (after '&'); returns bytes consumed or 0. */
static size_t entity(const char *p, char *out)
{
	static const struct { const char *e; char c; } ents[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' },
		{ "apos;", '\'' }, { "#39;", '\'' }, { "nbsp;", ' ' },
	};
	for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
		size_t n = strlen(ents[i].e);
		if (strncmp(p, ents[i].e, n) == 0) {
			*out = ents[i].c;
			return n;
		}
	}
	return 0;
}

/* Is the tag at P ("<b>", "</code>", "<a href=...>") an inline HTML
 * element?  Those render without any break, so they must not become a
 * blank: "<code>AES256</code>," reads "AES256,", not "AES256 ,". */
static int is_inline_tag(const char *p, const char *end)
{
	static const char *const tags[] = { "a", "b", "i", "u", "em", "strong",
	                                    "code", "span", "sub", "sup", "tt",
	                                    "kbd", "var", "samp", "abbr", "cite",
	                                    "q", "s", "small", "big", "mark",
	                                    "strike" };
	p++;
	if (p < end && *p == '/')
		p++;
	const char *nm = p;
	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		p++;
	size_t n = (size_t)(p - nm);
	if (!n || (p < end && *p != ' ' && *p != '/' && *p != '\t' && *p != '\n'))
		return 0;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strlen(tags[i]) == n && strncasecmp(nm, tags[i], n) == 0)
			return 1;
	return 0;
}

const char *cc_doc_text(cc_arena *a, const char *doc, int summary_only)
{
	if (!doc || !*doc)
		return NULL;
	size_t cap = strlen(doc);
	if (summary_only && cap > 4096)
		cap = 4096; /* a first sentence never needs more */
	char *out = cc_arena_alloc(a, cap + 4);
	size_t n = 0;
	int space = 0, para = 0;
	const char *p = doc;
	/* A summary says what the operation does: leading <note> and
	 * <important> asides ("This operation is not supported for directory
	 * buckets.") are skipped when real text follows them. */
	for (int k = 0; summary_only && k < 4; k++) {
		const char *q = p + strspn(p, " \t\r\n");
		const char *close = strncmp(q, "<note>", 6) == 0 ? "</note>" :
		                    strncmp(q, "<important>", 11) == 0 ? "</important>" : NULL;
		const char *end = close ? strstr(q, close) : NULL;
		if (!end)
			break;
		end += strlen(close);
		const char *rest = end + strspn(end, " \t\r\n");
		if (!*rest)
			break;
		p = rest;
	}
	/* Strip tags, decode entities, collapse white space.  A summary ends
	 * at the first sentence end or the first paragraph end. */
	while (*p && n < cap) {
		char c = *p;
		if (c == '<') {
			const char *q = strchr(p, '>');
			if (!q)
				break;
			const char *tag = p;
			int closing_p = (q - p >= 2 && (strncmp(p, "</p", 3) == 0 ||
			                 strncmp(p, "<br", 3) == 0 || strncmp(p, "</li", 4) == 0 ||
			                 strncmp(p, "<li", 3) == 0 || strncmp(p, "</h", 3) == 0));
			p = q + 1;
			if (closing_p && n > 0) {
				if (summary_only)
					break;
				para = 1;
			} else if (!is_inline_tag(tag, q)) {
				space = 1;
			}
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			space = 1;
			p++;
			continue;
		}
		char d = c;
		size_t used = 1;
		if (c == '&') {
			size_t k = entity(p + 1, &d);
			if (k)
				used = 1 + k;
			else
				d = '&';
		}
		if (n > 0 && para && !summary_only) {
			if (n + 2 >= cap)
				break;
			out[n++] = '\n';
			out[n++] = '\n';
		} else if (n > 0 && space) {
			out[n++] = ' ';
		}
		para = space = 0;
		if (n >= cap)
			break;
		out[n++] = d;
		p += used;
		if (summary_only && (d == '.' || d == '!' || d == '?')) {
			char nx = *p;
			if ((nx == '\0' || nx == ' ' || nx == '\n' || nx == '<') &&
			    !(d == '.' && is_abbrev_before(out, out + n - 1)))
				break;
		}
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (summary_only && n > 300) {
		/* Cut long first sentences at a word boundary. */
		size_t cut = 297;
		while (cut > 200 && out[cut] != ' ')
			cut--;
		n = cut;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return n ? out : NULL;
}


/* ---- traits to IR --------------------------------------------------- */

static uint8_t ts_format_of(loader *L, const cJSON *t, where w)
{
	const char *s = str_of(t);
	if (!t)
		return ALC_TS_NONE;
	if (s && strcmp(s, "date-time") == 0) return ALC_TS_DATE_TIME;
	if (s && strcmp(s, "http-date") == 0) return ALC_TS_HTTP_DATE;
	if (s && strcmp(s, "epoch-seconds") == 0) return ALC_TS_EPOCH_SECONDS;
	err(L, jp_where(L, w, ".traits['smithy.api#timestampFormat']"),
	    "unknown timestampFormat %s", s ? s : "(not a string)");
	return ALC_TS_NONE;
}

static const char *num_text(cc_arena *a, double v)
{
	char buf[64];
	if (v == floor(v) && fabs(v) < 9.2e18)
		snprintf(buf, sizeof buf, "%lld", (long long)v);
	else
		snprintf(buf, sizeof buf, "%.17g", v);
	return cc_arena_strdup(a, buf);
}

/* length / range / pattern from a traits object (shape or member). */
static int read_cons(loader *L, const cJSON *len, const cJSON *range,
                     const cJSON *pattern, cc_cons *c, where w)
{
	memset(c, 0, sizeof *c);
	if (len) {
		const cJSON *mn = obj_get(len, "min"), *mx = obj_get(len, "max");
		if (!cJSON_IsObject(len) || (mn && !cJSON_IsNumber(mn)) ||
		    (mx && !cJSON_IsNumber(mx)))
			err(L, jp_where(L, w, ".traits['smithy.api#length']"), "smithy.api#length must be {min?: number, max?: number}");
		if (cJSON_IsNumber(mn)) { c->flags |= ALC_C_LEN_MIN; c->len_min = (int64_t)mn->valuedouble; }
		if (cJSON_IsNumber(mx)) { c->flags |= ALC_C_LEN_MAX; c->len_max = (int64_t)mx->valuedouble; }
	}
	if (range) {
		const cJSON *mn = obj_get(range, "min"), *mx = obj_get(range, "max");
		if (!cJSON_IsObject(range) || (mn && !cJSON_IsNumber(mn)) ||
		    (mx && !cJSON_IsNumber(mx)))
			err(L, jp_where(L, w, ".traits['smithy.api#range']"), "smithy.api#range must be {min?: number, max?: number}");
		if (cJSON_IsNumber(mn)) {
			c->flags |= ALC_C_RANGE_MIN;
			c->range_min = mn->valuedouble;
			c->range_min_text = num_text(&L->m->arena, mn->valuedouble);
		}
		if (cJSON_IsNumber(mx)) {
			c->flags |= ALC_C_RANGE_MAX;
			c->range_max = mx->valuedouble;
			c->range_max_text = num_text(&L->m->arena, mx->valuedouble);
		}
	}
	if (pattern) {
		if (!cJSON_IsString(pattern))
			err(L, jp_where(L, w, ".traits['smithy.api#pattern']"), "smithy.api#pattern must be a string");
		else {
			c->flags |= ALC_C_PATTERN;
			c->pattern = cc_arena_strdup(&L->m->arena, pattern->valuestring);
		}
	}
	return c->flags != 0;
}

static const char *json_text(cc_arena *a, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		cc_oom();
	const char *r = cc_arena_strdup(a, s);
	cJSON_free(s);
	return r;
}

static const char *astr(loader *L, const char *s)
{
	return cc_arena_strdup(&L->m->arena, s);
}

static int32_t resolve(loader *L, const char *id)
{
	int32_t p = prelude_ref(id);
	if (p)
		return p;
	int32_t e = find_ent(L, id);
	if (e < 0 || L->ents[e].kind != K_DATA)
		return INT32_MIN;
	return L->ents[e].shape;
}

static void build_member(loader *L, const char *owner, const mref *r,
                         uint8_t owner_type, cc_member *mb)
{
	cc_arena *a = &L->m->arena;
	const cJSON *mj = r->json;
	memset(mb, 0, sizeof *mb);
	mb->name = astr(L, r->name);
	mb->target = -1;
	const char *tid = str_of(obj_get(mj, "target"));
	trait_tab T;
	gather(L, mj, &T);
	int32_t oe = find_ent(L, owner);
	if (oe >= 0 && obj_get(L->ents[oe].json, "mixins"))
		gather_inherited(L, L->ents[oe].json, r->name, &T, 0);
	if (owner_type == ALC_T_ENUM || owner_type == ALC_T_INTENUM) {
		const cJSON *ev = T.v[TR_enumValue];
		mb->flags |= ALC_M_ENUM_VALUE;
		if (owner_type == ALC_T_ENUM) {
			if (ev && !cJSON_IsString(ev))
				err(L, jp_member(L, owner, r->name, ".traits['smithy.api#enumValue']"),
				    "enum value must be a string");
			mb->enum_value = ev && cJSON_IsString(ev) ? astr(L, ev->valuestring) : mb->name;
		} else {
			if (!cJSON_IsNumber(ev))
				err(L, jp_member(L, owner, r->name, ".traits['smithy.api#enumValue']"),
				    "intEnum value must be an integer");
			else
				mb->enum_int = (int64_t)ev->valuedouble;
		}
	} else if (tid) {
		mb->target_id = tid;
		mb->target = resolve(L, tid);
	}
	const cJSON *t;
	if (T.v[TR_required]) mb->flags |= ALC_M_REQUIRED;
	if (T.v[TR_clientOptional]) mb->flags |= ALC_M_CLIENT_OPTIONAL;
	if ((t = T.v[TR_default]) != NULL) {
		mb->flags |= ALC_M_HAS_DEFAULT;
		mb->default_json = json_text(a, t);
	}
	if (T.v[TR_httpLabel]) mb->flags |= ALC_M_HTTP_LABEL;
	if ((t = T.v[TR_httpQuery]) != NULL) {
		mb->flags |= ALC_M_HTTP_QUERY;
		mb->loc_name = str_of(t) ? astr(L, t->valuestring) : NULL;
		if (!mb->loc_name)
			err(L, jp_member(L, owner, r->name, ".traits['smithy.api#httpQuery']"),
			    "must be a string");
	}
	if (T.v[TR_httpQueryParams]) mb->flags |= ALC_M_HTTP_QUERY_PARAMS;
	if ((t = T.v[TR_httpHeader]) != NULL) {
		mb->flags |= ALC_M_HTTP_HEADER;
		mb->loc_name = str_of(t) ? astr(L, t->valuestring) : NULL;
		if (!mb->loc_name)
			err(L, jp_member(L, owner, r->name, ".traits['smithy.api#httpHeader']"),
			    "must be a string");
	}
	if ((t = T.v[TR_httpPrefixHeaders]) != NULL) {
		mb->flags |= ALC_M_HTTP_PREFIX_HEADERS;
		mb->loc_name = astr(L, str_of(t) ? t->valuestring : "");
	}
	if (T.v[TR_httpPayload]) mb->flags |= ALC_M_HTTP_PAYLOAD;
	if (T.v[TR_httpResponseCode]) mb->flags |= ALC_M_HTTP_RESPONSE_CODE;
	if (T.v[TR_hostLabel]) mb->flags |= ALC_M_HOST_LABEL;
	if (T.v[TR_idempotencyToken]) mb->flags |= ALC_M_IDEMPOTENCY_TOKEN;
	if (T.v[TR_xmlAttribute]) mb->flags |= ALC_M_XML_ATTRIBUTE;
	if (T.v[TR_xmlFlattened]) mb->flags |= ALC_M_XML_FLATTENED;
	if (T.v[TR_deprecated]) mb->flags |= ALC_M_DEPRECATED;
	if (T.v[TR_eventPayload]) mb->flags |= ALC_M_EVENT_PAYLOAD;
	if (T.v[TR_eventHeader]) mb->flags |= ALC_M_EVENT_HEADER;
	if (T.v[TR_sensitive]) mb->flags |= ALC_M_SENSITIVE;
	if ((t = T.v[TR_resourceIdentifier]) != NULL && str_of(t)) mb->resource_ident = astr(L, t->valuestring);
	if ((t = T.v[TR_jsonName]) != NULL) mb->json_name = str_of(t) ? astr(L, t->valuestring) : NULL;
	if ((t = T.v[TR_xmlName]) != NULL) mb->xml_name = str_of(t) ? astr(L, t->valuestring) : NULL;
	if ((t = T.v[TR_aws_protocols_ec2QueryName]) != NULL) mb->ec2_name = str_of(t) ? astr(L, t->valuestring) : NULL;
	if ((t = T.v[TR_xmlNamespace]) != NULL) {
		mb->xml_ns_uri = str_of(obj_get(t, "uri")) ? astr(L, obj_get(t, "uri")->valuestring) : NULL;
		mb->xml_ns_prefix = str_of(obj_get(t, "prefix")) ? astr(L, obj_get(t, "prefix")->valuestring) : NULL;
	}
	if ((t = T.v[TR_smithy_rules_contextParam]) != NULL) {
		const char *n = str_of(obj_get(t, "name"));
		if (!n)
			err(L, jp_member(L, owner, r->name, ".traits['smithy.rules#contextParam']"),
			    "contextParam needs a name");
		else
			mb->context_param = astr(L, n);
	}
	if ((t = T.v[TR_timestampFormat]) != NULL)
		mb->ts_format = ts_format_of(L, t, (where){ owner, r->name });
	const char *d = str_of(T.v[TR_documentation]);
	mb->summary = cc_doc_text(a, d, 1);
	if (L->opts->full_docs)
		mb->doc = cc_doc_text(a, d, 0);
	mb->has_cons = read_cons(L, T.v[TR_length],
	                         T.v[TR_range],
	                         T.v[TR_pattern], &mb->cons,
	                         (where){ owner, r->name });
}

/* Smithy 1.0 (and legacy 2.0) @enum trait on a string: its entries
 * become enum members. */
static void build_enum_trait(loader *L, cc_shape *s, const cJSON *en)
{
	uint32_t n = (uint32_t)cJSON_GetArraySize(en);
	s->members = cc_arena_alloc(&L->m->arena, (n ? n : 1) * sizeof *s->members);
	s->nmembers = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, en) {
		const char *v = str_of(obj_get(it, "value"));
		if (!v) {
			err(L, jp_shape(L, s->id, ".traits['smithy.api#enum']"),
			    "enum entry without a string value");
			continue;
		}
		const char *nm = str_of(obj_get(it, "name"));
		cc_member *mb = &s->members[s->nmembers++];
		memset(mb, 0, sizeof *mb);
		mb->name = astr(L, nm ? nm : v);
		mb->enum_value = astr(L, v);
		mb->target = -1;
		mb->flags = ALC_M_ENUM_VALUE;
		mb->summary = cc_doc_text(&L->m->arena, str_of(obj_get(it, "documentation")), 1);
	}
	s->type = ALC_T_ENUM;
	s->flags |= ALC_SH_ENUM_TRAIT;
}

static void build_shape(loader *L, uint32_t ei)
{
	trait_tab T;
	ent *e = &L->ents[ei];
	cc_shape *s = &L->m->shapes[e->shape];
	const cJSON *j = e->json;
	memset(s, 0, sizeof *s);
	s->id = astr(L, e->id);
	s->type = e->type;
	s->reachable = 1;
	const cJSON *t;
	gather(L, j, &T);
	if (T.v[TR_sensitive]) s->flags |= ALC_SH_SENSITIVE;
	if (T.v[TR_streaming])
		s->flags |= e->type == ALC_T_UNION ? ALC_SH_EVENT_STREAM | ALC_SH_STREAMING : ALC_SH_STREAMING;
	if (T.v[TR_sparse]) s->flags |= ALC_SH_SPARSE;
	if (T.v[TR_uniqueItems] ||
	    strcmp(str_of(obj_get(j, "type")), "set") == 0)
		s->flags |= ALC_SH_UNIQUE_ITEMS;
	if (T.v[TR_requiresLength]) s->flags |= ALC_SH_REQUIRES_LENGTH;
	if (T.v[TR_deprecated]) s->flags |= ALC_SH_DEPRECATED;
	if (T.v[TR_input]) s->flags |= ALC_SH_INPUT;
	if (T.v[TR_output]) s->flags |= ALC_SH_OUTPUT;
	if ((t = T.v[TR_error]) != NULL) {
		const char *v = str_of(t);
		if (v && strcmp(v, "client") == 0) s->flags |= ALC_SH_ERROR_CLIENT;
		else if (v && strcmp(v, "server") == 0) s->flags |= ALC_SH_ERROR_SERVER;
		else err(L, jp_shape(L, e->id, ".traits['smithy.api#error']"),
		         "must be \"client\" or \"server\"");
	}
	if ((t = T.v[TR_retryable]) != NULL) {
		s->flags |= ALC_SH_RETRYABLE;
		if (cJSON_IsTrue(obj_get(t, "throttling")))
			s->flags |= ALC_SH_THROTTLING;
	}
	if ((t = T.v[TR_httpError]) != NULL) {
		if (!cJSON_IsNumber(t) || t->valuedouble < 100 || t->valuedouble > 999)
			err(L, jp_shape(L, e->id, ".traits['smithy.api#httpError']"),
			    "must be an HTTP status code");
		else
			s->http_error = (uint16_t)t->valuedouble;
	}
	if ((t = T.v[TR_aws_protocols_awsQueryError]) != NULL) {
		const char *code = str_of(obj_get(t, "code"));
		if (code)
			s->error_code = astr(L, code);
	}
	if ((t = T.v[TR_xmlName]) != NULL && str_of(t))
		s->xml_name = astr(L, t->valuestring);
	if ((t = T.v[TR_xmlNamespace]) != NULL) {
		if (str_of(obj_get(t, "uri"))) s->xml_ns_uri = astr(L, obj_get(t, "uri")->valuestring);
		if (str_of(obj_get(t, "prefix"))) s->xml_ns_prefix = astr(L, obj_get(t, "prefix")->valuestring);
	}
	if ((t = T.v[TR_mediaType]) != NULL && str_of(t))
		s->media_type = astr(L, t->valuestring);
	if ((t = T.v[TR_timestampFormat]) != NULL)
		s->ts_format = ts_format_of(L, t, (where){ e->id, NULL });
	if (T.v[TR_default] && (e->type != ALC_T_STRUCTURE))
		s->flags |= ALC_SH_HAS_DEFAULT;
	s->has_cons = read_cons(L, T.v[TR_length],
	                        T.v[TR_range],
	                        T.v[TR_pattern], &s->cons,
	                        (where){ e->id, NULL });

	const cJSON *en = T.v[TR_enum];
	if (e->type == ALC_T_STRING && cJSON_IsArray(en)) {
		build_enum_trait(L, s, en);
		return;
	}
	mref fixed[2];
	int nf = fixed_members(j, e->type, fixed);
	if (nf) {
		s->members = cc_arena_alloc(&L->m->arena, (size_t)nf * sizeof *s->members);
		s->nmembers = (uint32_t)nf;
		for (int i = 0; i < nf; i++)
			build_member(L, e->id, &fixed[i], e->type, &s->members[i]);
		return;
	}
	uint32_t n = count_members(L, j);
	if (!n)
		return;
	mref *refs = cc_xmalloc(n * sizeof *refs);
	n = collect_members(L, j, refs, n, 0, 0);
	s->members = cc_arena_alloc(&L->m->arena, n * sizeof *s->members);
	s->nmembers = n;
	for (uint32_t i = 0; i < n; i++)
		build_member(L, e->id, &refs[i], e->type, &s->members[i]);
	free(refs);
}

/* ---- reachability --------------------------------------------------- */

typedef struct stack {
	uint32_t *v;
	uint32_t n, cap;
} stack;

static void push(stack *st, uint32_t x)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 256;
		st->v = cc_xrealloc(st->v, st->cap * sizeof *st->v);
	}
	st->v[st->n++] = x;
}

static void reach_id(loader *L, stack *st, const char *id)
{
	if (!id || prelude_ref(id))
		return;
	int32_t e = find_ent(L, id);
	if (e >= 0 && L->ents[e].kind == K_DATA && !L->ents[e].visited) {
		L->ents[e].visited = 1;
		push(st, (uint32_t)e);
	}
}

/* Each shape is pushed once (visited flag), so the walk is linear. */
static void reach_all(loader *L, stack *st)
{
	while (st->n) {
		const ent *e = &L->ents[st->v[--st->n]];
		mref fixed[2];
		int nf = fixed_members(e->json, e->type, fixed);
		for (int i = 0; i < nf; i++)
			reach_id(L, st, str_of(obj_get(fixed[i].json, "target")));
		if (nf)
			continue;
		uint32_t n = count_members(L, e->json);
		if (!n)
			continue;
		mref *refs = cc_xmalloc(n * sizeof *refs);
		n = collect_members(L, e->json, refs, n, 0, 0);
		for (uint32_t i = 0; i < n; i++)
			reach_id(L, st, str_of(obj_get(refs[i].json, "target")));
		free(refs);
	}
}

/* ---- operations and the service -------------------------------------- */

static int32_t op_shape_ref(loader *L, const cJSON *op, const char *key,
                            const char *opid)
{
	const cJSON *r = obj_get(op, key);
	if (!r)
		return UNIT_REF;
	const char *tid = str_of(obj_get(r, "target"));
	if (!tid) {
		err(L, jp_shape(L, opid, key[0] == 'i' ? ".input" : ".output"), "missing target");
		return UNIT_REF;
	}
	int32_t x = resolve(L, tid);
	if (x == INT32_MIN) {
		snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].%s.target", opid, key);
		err(L, L->jp, "unknown target %s", tid);
		return UNIT_REF;
	}
	return x;
}

static void read_params(loader *L, const cJSON *t, uint32_t kind, const char *jpath,
                        cc_param **out, uint32_t *nout)
{
	uint32_t n = (uint32_t)cJSON_GetArraySize(t), k = 0;
	if (!cJSON_IsObject(t) || !n)
		return;
	cc_param *p = cc_arena_alloc(&L->m->arena, n * sizeof *p);
	const cJSON *it;
	cJSON_ArrayForEach(it, t) {
		cc_param *q = &p[k];
		memset(q, 0, sizeof *q);
		q->name = astr(L, it->string);
		q->kind = kind;
		const cJSON *v;
		if (kind == ALC_PARAM_STATIC_CONTEXT) {
			v = obj_get(it, "value");
			if (!v) { err(L, jpath, "static context param %s has no value", it->string); continue; }
			q->value = json_text(&L->m->arena, v);
		} else if (kind == ALC_PARAM_OPERATION_CONTEXT) {
			v = obj_get(it, "path");
			if (!str_of(v)) { err(L, jpath, "operation context param %s has no path", it->string); continue; }
			q->value = astr(L, v->valuestring);
		} else {
			v = obj_get(it, "type");
			q->value = astr(L, str_of(v) ? v->valuestring : "string");
			q->doc = cc_doc_text(&L->m->arena, str_of(obj_get(it, "documentation")), 1);
		}
		k++;
	}
	*out = p;
	*nout = k;
}

static void read_paginated(loader *L, const cJSON *t, cc_op *op)
{
	if (!t)
		return;
	const char *v;
	if ((v = str_of(obj_get(t, "inputToken"))) != NULL) op->pg_input_token = astr(L, v);
	if ((v = str_of(obj_get(t, "outputToken"))) != NULL) op->pg_output_token = astr(L, v);
	if ((v = str_of(obj_get(t, "items"))) != NULL) op->pg_items = astr(L, v);
	if ((v = str_of(obj_get(t, "pageSize"))) != NULL) op->pg_page_size = astr(L, v);
}

static int32_t *read_errors(loader *L, const cJSON *errs, const char *owner,
                            uint32_t *n, stack *st)
{
	uint32_t cnt = (uint32_t)cJSON_GetArraySize(errs), k = 0;
	if (!cJSON_IsArray(errs) || !cnt) {
		*n = 0;
		return NULL;
	}
	int32_t *v = cc_arena_alloc(&L->m->arena, cnt * sizeof *v);
	const cJSON *it;
	unsigned idx = 0;
	cJSON_ArrayForEach(it, errs) {
		unsigned at = idx++;
		const char *tid = str_of(obj_get(it, "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (e < 0 || L->ents[e].kind != K_DATA) {
			snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].errors[%u].target", owner, at);
			err(L, L->jp, "unknown error shape %s", tid ? tid : "(no target)");
			continue;
		}
		if (st)
			reach_id(L, st, tid);
		v[k++] = e; /* ent index for now; mapped to shapes after build */
	}
	*n = k;
	return v;
}

static void collect_ops(loader *L, const char *owner_id, const cJSON *owner,
                        int depth, uint32_t *ops, uint32_t *nops, uint32_t cap)
{
	static const char *const op_keys[] = { "create", "put", "read", "update",
	                                       "delete", "list" };
	static const char *const list_keys[] = { "operations", "collectionOperations" };
	if (depth > CC_MAX_DEPTH)
		return;
	for (size_t i = 0; i < 6; i++) {
		const char *tid = str_of(obj_get(obj_get(owner, op_keys[i]), "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (tid && (e < 0 || L->ents[e].kind != K_OPERATION)) {
			snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].%s.target", owner_id, op_keys[i]);
			err(L, L->jp, "unknown operation %s", tid);
			continue;
		}
		if (e >= 0 && !L->ents[e].visited && *nops < cap) {
			L->ents[e].visited = 1;
			ops[(*nops)++] = (uint32_t)e;
		}
	}
	for (size_t k = 0; k < 2; k++) {
		const cJSON *it;
		unsigned idx = 0;
		cJSON_ArrayForEach(it, obj_get(owner, list_keys[k])) {
			unsigned at = idx++;
			const char *tid = str_of(obj_get(it, "target"));
			int32_t e = tid ? find_ent(L, tid) : -1;
			if (e < 0 || L->ents[e].kind != K_OPERATION) {
				snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].%s[%u].target",
				         owner_id, list_keys[k], at);
				err(L, L->jp, "unknown operation %s", tid ? tid : "(no target)");
				continue;
			}
			if (!L->ents[e].visited && *nops < cap) {
				L->ents[e].visited = 1;
				ops[(*nops)++] = (uint32_t)e;
			}
		}
	}
	const cJSON *it;
	unsigned idx = 0;
	cJSON_ArrayForEach(it, obj_get(owner, "resources")) {
		unsigned at = idx++;
		const char *tid = str_of(obj_get(it, "target"));
		int32_t e = tid ? find_ent(L, tid) : -1;
		if (e < 0 || L->ents[e].kind != K_RESOURCE) {
			snprintf(L->jp, sizeof L->jp, "$.shapes['%s'].resources[%u].target",
			         owner_id, at);
			err(L, L->jp, "unknown resource %s", tid ? tid : "(no target)");
			continue;
		}
		if (!L->ents[e].visited) {
			L->ents[e].visited = 1;
			collect_ops(L, L->ents[e].id, L->ents[e].json, depth + 1, ops, nops, cap);
		}
	}
}

static const char *shape_name(const char *id);

/* The resources collect_ops visited, with their identifiers, operations
 * and parents (names only: the read mappings resolve them at emit). */
static const char **name_list(loader *L, const cJSON *arr, uint32_t *n)
{
	*n = 0;
	int k = cJSON_GetArraySize(arr);
	if (k <= 0)
		return NULL;
	const char **v = cc_arena_alloc(&L->m->arena, (size_t)k * sizeof *v);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		const char *tid = str_of(obj_get(it, "target"));
		if (tid)
			v[(*n)++] = astr(L, shape_name(tid));
	}
	return v;
}

static void collect_resources(loader *L)
{
	static const char *const lc_keys[CC_LC_COUNT] = { "create", "put", "read",
	                                                  "update", "delete", "list" };
	cc_model *m = L->m;
	uint32_t n = 0;
	for (uint32_t i = 0; i < L->nents; i++)
		n += L->ents[i].kind == K_RESOURCE && L->ents[i].visited;
	if (!n)
		return;
	m->resources = cc_arena_alloc(&m->arena, n * sizeof *m->resources);
	uint32_t *ent_of = cc_xmalloc(n * sizeof *ent_of);
	for (uint32_t i = 0; i < L->nents; i++) {
		const ent *e = &L->ents[i];
		if (e->kind != K_RESOURCE || !e->visited)
			continue;
		cc_resource *r = &m->resources[m->nresources];
		memset(r, 0, sizeof *r);
		ent_of[m->nresources++] = i;
		r->name = astr(L, shape_name(e->id));
		r->parent = -1;
		const cJSON *ids = obj_get(e->json, "identifiers");
		int k = cJSON_GetArraySize(ids);
		if (k > 0) {
			r->ids = cc_arena_alloc(&m->arena, (size_t)k * sizeof *r->ids);
			r->id_targets = cc_arena_alloc(&m->arena, (size_t)k * sizeof *r->id_targets);
			const cJSON *it;
			cJSON_ArrayForEach(it, ids) {
				const char *tid = str_of(obj_get(it, "target"));
				r->ids[r->nids] = astr(L, it->string);
				r->id_targets[r->nids++] = astr(L, tid ? tid : "");
			}
		}
		for (int c = 0; c < CC_LC_COUNT; c++) {
			const char *tid = str_of(obj_get(obj_get(e->json, lc_keys[c]), "target"));
			r->life[c] = tid ? astr(L, shape_name(tid)) : NULL;
		}
		r->ops = name_list(L, obj_get(e->json, "operations"), &r->nops);
		r->coll = name_list(L, obj_get(e->json, "collectionOperations"), &r->ncoll);
	}
	/* parents: a resource names its children under "resources" */
	for (uint32_t p = 0; p < m->nresources; p++) {
		const cJSON *it;
		cJSON_ArrayForEach(it, obj_get(L->ents[ent_of[p]].json, "resources")) {
			int32_t e = find_ent(L, str_of(obj_get(it, "target")) ?
			                        obj_get(it, "target")->valuestring : "");
			for (uint32_t c = 0; e >= 0 && c < m->nresources; c++)
				if (ent_of[c] == (uint32_t)e && m->resources[c].parent < 0)
					m->resources[c].parent = (int32_t)p;
		}
	}
	free(ent_of);
}

static int cmp_ops(const void *a, const void *b)
{
	return strcmp(((const cc_op *)a)->name, ((const cc_op *)b)->name);
}

static const char *shape_name(const char *id)
{
	const char *h = strchr(id, '#');
	return h ? h + 1 : id;
}

static void build_service(loader *L, uint32_t si)
{
	trait_tab T;
	cc_model *m = L->m;
	const cJSON *j = L->ents[si].json;
	const char *sid = L->ents[si].id;
	const cJSON *t;
	gather(L, j, &T);
	m->service_id = astr(L, sid);
	m->target_prefix = astr(L, shape_name(sid));
	m->version = astr(L, str_of(obj_get(j, "version")) ? obj_get(j, "version")->valuestring : "");
	t = T.v[TR_aws_api_service];
	const char *sdk = str_of(obj_get(t, "sdkId"));
	if (!sdk) {
		err(L, jp_shape(L, sid, ".traits['aws.api#service'].sdkId"),
		    "service has no aws.api#service sdkId");
		sdk = shape_name(sid);
	}
	m->sdk_id = astr(L, sdk);
	char key[256];
	size_t kn = 0;
	for (const char *p = sdk; *p && kn + 1 < sizeof key; p++)
		key[kn++] = *p == ' ' ? '-' : (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	key[kn] = '\0';
	m->key = astr(L, key);
	const char *v;
	if ((v = str_of(obj_get(t, "endpointPrefix"))) != NULL) m->endpoint_prefix = astr(L, v);
	if ((v = str_of(obj_get(t, "arnNamespace"))) != NULL) m->arn_namespace = astr(L, v);
	if ((v = str_of(obj_get(t, "cloudFormationName"))) != NULL) m->cfn_name = astr(L, v);
	if ((t = T.v[TR_title]) != NULL && str_of(t)) m->title = astr(L, t->valuestring);
	if ((t = T.v[TR_aws_auth_sigv4]) != NULL) {
		m->svc_flags |= ALC_SVC_SIGV4;
		if ((v = str_of(obj_get(t, "name"))) != NULL) m->signing_name = astr(L, v);
	}
	if (T.v[TR_httpBearerAuth]) m->svc_flags |= ALC_SVC_BEARER;
	if (T.v[TR_aws_api_clientEndpointDiscovery]) m->svc_flags |= ALC_SVC_ENDPOINT_DISCOVERY;
	if (T.v[TR_aws_protocols_awsQueryCompatible]) m->svc_flags |= ALC_SVC_QUERY_COMPATIBLE;
	static const struct { const char *trait; uint32_t proto; } protos[] = {
		{ "aws.protocols#awsJson1_0", ALC_PROTO_AWSJSON1_0 },
		{ "aws.protocols#awsJson1_1", ALC_PROTO_AWSJSON1_1 },
		{ "aws.protocols#restJson1", ALC_PROTO_RESTJSON1 },
		{ "aws.protocols#restXml", ALC_PROTO_RESTXML },
		{ "aws.protocols#awsQuery", ALC_PROTO_AWSQUERY },
		{ "aws.protocols#ec2Query", ALC_PROTO_EC2QUERY },
	};
	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		if ((t = trait(L, j, protos[i].trait)) != NULL) {
			if (!m->protocol)
				m->protocol = protos[i].proto;
			if (protos[i].proto == ALC_PROTO_RESTXML && cJSON_IsTrue(obj_get(t, "noErrorWrapping")))
				m->svc_flags |= ALC_SVC_NO_ERROR_WRAPPING;
		}
	}
	if (!m->protocol)
		err(L, jp_shape(L, sid, ".traits"), "service has none of the six AWS protocol traits");
	if ((t = T.v[TR_xmlNamespace]) != NULL) {
		if ((v = str_of(obj_get(t, "uri"))) != NULL) m->xml_ns_uri = astr(L, v);
		if ((v = str_of(obj_get(t, "prefix"))) != NULL) m->xml_ns_prefix = astr(L, v);
	}
	const char *d = str_of(T.v[TR_documentation]);
	m->summary = cc_doc_text(&m->arena, d, 1);
	if (L->opts->full_docs)
		m->doc = cc_doc_text(&m->arena, d, 0);
	read_params(L, T.v[TR_smithy_rules_clientContextParams], ALC_PARAM_CLIENT_CONTEXT,
	            jp_shape(L, sid, ".traits['smithy.rules#clientContextParams']"),
	            &m->params, &m->nparams);
}

static void build_op(loader *L, uint32_t oi, const cJSON *svc_pg, cc_op *op)
{
	trait_tab T;
	const ent *e = &L->ents[oi];
	const cJSON *j = e->json, *t;
	gather(L, j, &T);
	memset(op, 0, sizeof *op);
	op->id = astr(L, e->id);
	op->name = astr(L, shape_name(e->id));
	op->input = op_shape_ref(L, j, "input", e->id);
	op->output = op_shape_ref(L, j, "output", e->id);
	op->idem_member = -1;
	op->http_code = 200;
	const char *d = str_of(T.v[TR_documentation]);
	op->summary = cc_doc_text(&L->m->arena, d, 1);
	if (L->opts->full_docs)
		op->doc = cc_doc_text(&L->m->arena, d, 0);
	if (T.v[TR_readonly]) op->flags |= ALC_OP_READONLY;
	if (T.v[TR_idempotent]) op->flags |= ALC_OP_IDEMPOTENT;
	if (T.v[TR_deprecated]) op->flags |= ALC_OP_DEPRECATED;
	if (T.v[TR_httpChecksumRequired]) op->flags |= ALC_OP_CHECKSUM_REQUIRED;
	if (T.v[TR_aws_auth_unsignedPayload]) op->flags |= ALC_OP_UNSIGNED_PAYLOAD;
	if (T.v[TR_optionalAuth]) op->flags |= ALC_OP_OPTIONAL_AUTH;
	if (T.v[TR_aws_api_clientDiscoveredEndpoint]) op->flags |= ALC_OP_ENDPOINT_DISCOVERY;
	if (T.v[TR_requestCompression]) op->flags |= ALC_OP_REQUEST_COMPRESSION;
	if ((t = T.v[TR_auth]) != NULL && cJSON_IsArray(t) &&
	    cJSON_GetArraySize(t) == 0)
		op->flags |= ALC_OP_NO_AUTH;
	if ((t = T.v[TR_aws_protocols_httpChecksum]) != NULL) {
		const char *v = str_of(obj_get(t, "requestAlgorithmMember"));
		if (v) op->checksum_member = astr(L, v);
		if (cJSON_IsTrue(obj_get(t, "requestChecksumRequired")))
			op->flags |= ALC_OP_CHECKSUM_REQUIRED;
	}
	if ((t = T.v[TR_http]) != NULL) {
		const char *mth = str_of(obj_get(t, "method")), *uri = str_of(obj_get(t, "uri"));
		if (!mth || !uri)
			err(L, jp_shape(L, e->id, ".traits['smithy.api#http']"), "needs method and uri");
		else {
			op->http_method = astr(L, mth);
			op->http_uri = astr(L, uri);
		}
		const cJSON *c = obj_get(t, "code");
		if (cJSON_IsNumber(c))
			op->http_code = (uint32_t)c->valuedouble;
	}
	if ((t = T.v[TR_endpoint]) != NULL) {
		const char *hp = str_of(obj_get(t, "hostPrefix"));
		if (!hp)
			err(L, jp_shape(L, e->id, ".traits['smithy.api#endpoint']"), "needs hostPrefix");
		else
			op->host_prefix = astr(L, hp);
	}
	t = T.v[TR_paginated];
	if (t) {
		op->flags |= ALC_OP_PAGINATED;
		read_paginated(L, svc_pg, op); /* service defaults first */
		read_paginated(L, t, op);
	}
	const cJSON *sp = T.v[TR_smithy_rules_staticContextParams];
	const cJSON *ocp = T.v[TR_smithy_rules_operationContextParams];
	cc_param *p1 = NULL, *p2 = NULL;
	uint32_t n1 = 0, n2 = 0;
	read_params(L, sp, ALC_PARAM_STATIC_CONTEXT, jp_shape(L, e->id, ".traits['smithy.rules#staticContextParams']"), &p1, &n1);
	read_params(L, ocp, ALC_PARAM_OPERATION_CONTEXT, jp_shape(L, e->id, ".traits['smithy.rules#operationContextParams']"), &p2, &n2);
	if (n1 + n2) {
		op->params = cc_arena_alloc(&L->m->arena, (n1 + n2) * sizeof *op->params);
		if (n1) memcpy(op->params, p1, n1 * sizeof *p1);
		if (n2) memcpy(op->params + n1, p2, n2 * sizeof *p2);
		op->nparams = n1 + n2;
	}
	op->errors = read_errors(L, obj_get(j, "errors"), e->id, &op->nerrors, NULL);
}

/* Map an ent index or prelude ref to the final model reference. */
static int32_t ent_to_ref(const loader *L, int32_t x)
{
	return x >= 0 ? L->ents[x].shape : x;
}

static const cc_shape *ref_shape(const cc_model *m, int32_t ref)
{
	return ref >= 0 ? &m->shapes[ref] : NULL;
}

/* Facts about an operation that need its built input/output shapes. */
static void finish_op(loader *L, cc_op *op)
{
	cc_model *m = L->m;
	for (uint32_t i = 0; i < op->nerrors; i++)
		op->errors[i] = ent_to_ref(L, op->errors[i]);
	const cc_shape *in = ref_shape(m, op->input), *out = ref_shape(m, op->output);
	if (in) {
		for (uint32_t i = 0; i < in->nmembers; i++) {
			cc_member *mb = &in->members[i];
			if ((mb->flags & ALC_M_IDEMPOTENCY_TOKEN) && op->idem_member < 0)
				op->idem_member = (int32_t)i;
			const cc_shape *ts = ref_shape(m, mb->target);
			if ((mb->flags & ALC_M_HTTP_PAYLOAD) && ts && (ts->flags & ALC_SH_STREAMING))
				op->flags |= ALC_OP_INPUT_STREAMING;
			if (ts && (ts->flags & ALC_SH_EVENT_STREAM))
				op->flags |= ALC_OP_EVENT_STREAM;
			if ((mb->flags & ALC_M_HTTP_LABEL) && op->http_uri) {
				char pat[300];
				snprintf(pat, sizeof pat, "{%s+}", mb->name);
				if (strstr(op->http_uri, pat))
					mb->flags |= ALC_M_GREEDY_LABEL;
			}
		}
	}
	if (out) {
		for (uint32_t i = 0; i < out->nmembers; i++) {
			const cc_member *mb = &out->members[i];
			const cc_shape *ts = ref_shape(m, mb->target);
			if ((mb->flags & ALC_M_HTTP_PAYLOAD) && ts && (ts->flags & ALC_SH_STREAMING))
				op->flags |= ALC_OP_OUTPUT_STREAMING;
			if (ts && (ts->flags & ALC_SH_EVENT_STREAM))
				op->flags |= ALC_OP_EVENT_STREAM;
		}
	}
}

/* ---- apply statements ------------------------------------------------ */

static void fold_apply(loader *L, const char *target, const cJSON *traits)
{
	char sid[512];
	const char *dollar = strchr(target, '$');
	size_t n = dollar ? (size_t)(dollar - target) : strlen(target);
	if (n >= sizeof sid) {
		err(L, jp_shape(L, target, NULL), "apply target too long");
		return;
	}
	memcpy(sid, target, n);
	sid[n] = '\0';
	int32_t e = find_ent(L, sid);
	if (e < 0) {
		err(L, jp_shape(L, target, NULL), "apply to unknown shape %s", sid);
		return;
	}
	cJSON *owner = (cJSON *)L->ents[e].json;
	if (dollar) {
		/* ns#List$member, ns#Map$key and ns#Map$value name the list and
		 * map members, which the AST keeps under their own keys. */
		uint8_t ty = L->ents[e].type;
		const char *mn = dollar + 1;
		if ((ty == ALC_T_LIST && strcmp(mn, "member") == 0) ||
		    (ty == ALC_T_MAP && (strcmp(mn, "key") == 0 || strcmp(mn, "value") == 0)))
			owner = cJSON_GetObjectItemCaseSensitive(owner, mn);
		else
			owner = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(owner, "members"), mn);
		if (!owner) {
			err(L, jp_shape(L, target, NULL), "apply to unknown member %s", target);
			return;
		}
	}
	cJSON *dst = cJSON_GetObjectItemCaseSensitive(owner, "traits");
	if (!dst)
		dst = cJSON_AddObjectToObject(owner, "traits");
	const cJSON *it;
	cJSON_ArrayForEach(it, traits) {
		cJSON *copy = cJSON_Duplicate(it, 1);
		if (!copy || !dst)
			cc_oom();
		if (cJSON_GetObjectItemCaseSensitive(dst, it->string))
			cJSON_ReplaceItemInObjectCaseSensitive(dst, it->string, copy);
		else
			cJSON_AddItemToObject(dst, it->string, copy);
	}
}

/* ---- JSON memory ---------------------------------------------------- *
 * cJSON allocates every node and string separately; for 140 MB of models
 * that is millions of malloc/free pairs.  While a model loads, cJSON
 * allocates from the loading thread's arena instead, and the tree is
 * dropped by resetting the arena: free() is a no-op for arena memory.
 * Outside a load (tl_json == NULL) the hooks are plain malloc/free. */

static _Thread_local cc_arena *tl_json;

static void *json_malloc(size_t n)
{
	return tl_json ? cc_arena_alloc(tl_json, n) : malloc(n);
}

static void json_free(void *p)
{
	if (!tl_json)
		free(p);
}

void cc_model_install_hooks(void)
{
	cJSON_Hooks h = { json_malloc, json_free };
	cJSON_InitHooks(&h);
}

void cc_model_thread_arena(cc_arena *a)
{
	tl_json = a;
}

/* ---- file ----------------------------------------------------------- */

static char *read_all(const char *path, size_t *len, int *errc)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*errc = errno == ENOENT ? AL_ENOENT : AL_EIO;
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		*errc = AL_EIO;
		return NULL;
	}
	size_t n = (size_t)st.st_size;
	char *buf = json_malloc(n + 1);
	if (!buf)
		cc_oom();
	size_t got = fread(buf, 1, n, f);
	fclose(f);
	if (got != n) {
		json_free(buf);
		*errc = AL_EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void line_col(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') { l++; c = 1; } else c++;
	}
	*line = l;
	*col = c;
}

static int load(cc_model *m, const char *path, const char *relpath,
                const char *given, size_t given_len, const cc_load_opts *opts)
{
	loader L;
	memset(&L, 0, sizeof L);
	L.m = m;
	L.opts = opts;
	/* A thread without a JSON arena (tests, one-off loads) gets its own. */
	cc_arena own = { .block = 1u << 20 };
	cc_arena *prev = tl_json;
	if (!prev)
		tl_json = &own;
	m->path = cc_xstrndup(path, strlen(path));
	m->relpath = cc_xstrndup(relpath, strlen(relpath));
	int rc = 0;
	size_t len = given_len;
	const char *buf = given ? given : read_all(path, &len, &rc);
	if (!buf) {
		cc_diag_add(&m->diag, path, NULL, "%s", al_strerror(rc));
		m->failed = 1;
		goto out;
	}
	m->size = len;
	XXH128_hash_t dg = XXH3_128bits(buf, len);
	m->digest_lo = dg.low64;
	m->digest_hi = dg.high64;

	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!root) {
		unsigned line, col;
		size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
		line_col(buf, off, &line, &col);
		cc_diag_add(&m->diag, path, NULL, "invalid JSON at line %u, column %u", line, col);
		m->failed = 1;
		rc = AL_EJSON;
		goto out;
	}
	L.root = root;
	const cJSON *ver = obj_get(root, "smithy");
	if (!str_of(ver) || (strncmp(ver->valuestring, "1.", 2) != 0 &&
	                     strncmp(ver->valuestring, "2.", 2) != 0)) {
		err(&L, "$.smithy", "not a Smithy JSON AST (\"smithy\": \"1.0\" or \"2.0\" expected)");
		goto done;
	}
	m->smithy_version = cc_arena_strdup(&m->arena, ver->valuestring);
	const cJSON *shapes = obj_get(root, "shapes");
	if (!cJSON_IsObject(shapes)) {
		err(&L, "$.shapes", "missing or not an object");
		goto done;
	}

	/* 1. index */
	uint32_t n = (uint32_t)cJSON_GetArraySize(shapes);
	L.ents = cc_xcalloc(n ? n : 1, sizeof *L.ents);
	L.mapsize = 16;
	while (L.mapsize < 2 * n + 2)
		L.mapsize *= 2;
	L.map = cc_xcalloc(L.mapsize, sizeof *L.map);
	int32_t service = -1;
	const cJSON *it;
	uint32_t napply = 0;
	cJSON_ArrayForEach(it, shapes) {
		ent *e = &L.ents[L.nents];
		e->id = it->string;
		e->json = it;
		e->shape = -1;
		const char *ty = str_of(obj_get(it, "type"));
		if (!strchr(it->string, '#')) {
			err(&L, jp_shape(&L, it->string, NULL), "shape id is not absolute (ns#Name)");
			continue;
		}
		if (!ty) {
			err(&L, jp_shape(&L, it->string, ".type"), "missing type");
			continue;
		}
		if (strcmp(ty, "service") == 0) e->kind = K_SERVICE;
		else if (strcmp(ty, "operation") == 0) e->kind = K_OPERATION;
		else if (strcmp(ty, "resource") == 0) e->kind = K_RESOURCE;
		else if (strcmp(ty, "apply") == 0) { e->kind = K_APPLY; napply++; }
		else {
			size_t k;
			for (k = 0; k < sizeof type_names / sizeof type_names[0]; k++)
				if (strcmp(type_names[k].name, ty) == 0)
					break;
			if (k == sizeof type_names / sizeof type_names[0]) {
				err(&L, jp_shape(&L, it->string, ".type"), "unsupported shape type \"%s\"", ty);
				continue;
			}
			e->type = type_names[k].type;
		}
		if (e->kind != K_APPLY && insert_ent(&L, L.nents) != 0) {
			err(&L, jp_shape(&L, it->string, NULL), "duplicate shape id");
			continue;
		}
		if (e->kind == K_SERVICE) {
			if (service >= 0)
				err(&L, jp_shape(&L, it->string, NULL),
				    "second service shape in one model file (first: %s)", L.ents[service].id);
			else
				service = (int32_t)L.nents;
		}
		L.nents++;
	}
	if (napply)
		for (uint32_t i = 0; i < L.nents; i++)
			if (L.ents[i].kind == K_APPLY)
				fold_apply(&L, L.ents[i].id, obj_get(L.ents[i].json, "traits"));

	/* 2. every member target must exist */
	for (uint32_t i = 0; i < L.nents; i++) {
		const ent *e = &L.ents[i];
		if (e->kind != K_DATA)
			continue;
		mref fixed[2];
		int nf = fixed_members(e->json, e->type, fixed);
		for (int k = 0; k < nf; k++) {
			if (!fixed[k].json) {
				err(&L, jp_shape(&L, e->id, NULL), "%s without \"%s\"",
				    e->type == ALC_T_LIST ? "list" : "map", fixed[k].name);
				continue;
			}
			const char *tid = str_of(obj_get(fixed[k].json, "target"));
			if (!tid || (!prelude_ref(tid) && resolve(&L, tid) == INT32_MIN))
				err(&L, jp_shape(&L, e->id, k == 0 && e->type == ALC_T_LIST ? ".member.target"
				                  : k == 0 ? ".key.target" : ".value.target"),
				    "unknown target %s", tid ? tid : "(none)");
		}
		if (nf || e->type == ALC_T_ENUM || e->type == ALC_T_INTENUM)
			continue;
		const cJSON *mb;
		cJSON_ArrayForEach(mb, obj_get(e->json, "members")) {
			const char *tid = str_of(obj_get(mb, "target"));
			int32_t x = tid ? resolve(&L, tid) : INT32_MIN;
			if (x == INT32_MIN)
				err(&L, jp_member(&L, e->id, mb->string, ".target"),
				    "unknown target %s", tid ? tid : "(none)");
		}
	}
	if (service < 0)
		err(&L, "$.shapes", "no service shape in this model file");
	if (m->failed)
		goto done;

	/* 3. the service, its operations, reachable shapes */
	{
		const cJSON *sj = L.ents[service].json;
		build_service(&L, (uint32_t)service);
		uint32_t cap = L.nents;
		uint32_t *opents = cc_xmalloc((cap ? cap : 1) * sizeof *opents);
		uint32_t nops = 0;
		L.ents[service].visited = 1;
		collect_ops(&L, L.ents[service].id, sj, 0, opents, &nops, cap);
		collect_resources(&L);
		stack st = { 0 };
		for (uint32_t i = 0; i < nops; i++) {
			const cJSON *oj = L.ents[opents[i]].json;
			reach_id(&L, &st, str_of(obj_get(obj_get(oj, "input"), "target")));
			reach_id(&L, &st, str_of(obj_get(obj_get(oj, "output"), "target")));
			const cJSON *er;
			cJSON_ArrayForEach(er, obj_get(oj, "errors"))
				reach_id(&L, &st, str_of(obj_get(er, "target")));
		}
		m->errors = read_errors(&L, obj_get(sj, "errors"), L.ents[service].id,
		                        &m->nerrors, &st);
		reach_all(&L, &st);
		free(st.v);
		/* Assign shape slots in file order: stable and deterministic. */
		uint32_t ns = 0;
		for (uint32_t i = 0; i < L.nents; i++)
			if (L.ents[i].kind == K_DATA && L.ents[i].visited)
				L.ents[i].shape = (int32_t)ns++;
		m->shapes = cc_arena_alloc(&m->arena, (ns ? ns : 1) * sizeof *m->shapes);
		m->nshapes = ns;
		for (uint32_t i = 0; i < L.nents; i++)
			if (L.ents[i].shape >= 0)
				build_shape(&L, i);
		for (uint32_t i = 0; i < m->nerrors; i++)
			m->errors[i] = ent_to_ref(&L, m->errors[i]);
		const cJSON *svc_pg = trait(&L, sj, "smithy.api#paginated");
		m->ops = cc_arena_alloc(&m->arena, (nops ? nops : 1) * sizeof *m->ops);
		m->nops = nops;
		for (uint32_t i = 0; i < nops; i++) {
			build_op(&L, opents[i], svc_pg, &m->ops[i]);
			finish_op(&L, &m->ops[i]);
		}
		free(opents);
		qsort(m->ops, m->nops, sizeof *m->ops, cmp_ops);
		for (uint32_t i = 1; i < m->nops; i++)
			if (strcmp(m->ops[i - 1].name, m->ops[i].name) == 0)
				err(&L, NULL, "two operations named %s", m->ops[i].name);
		/* The rule set outlives the parse arena: copy it to the heap. */
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(sj, "traits"),
			"smithy.rules#endpointRuleSet");
		if (rs) {
			cc_arena *a = tl_json;
			tl_json = NULL;
			m->ruleset = cJSON_Duplicate(rs, 1);
			tl_json = a;
			if (!m->ruleset)
				cc_oom();
		}
	}
done:
	free(L.ents);
	free(L.map);
	if (!rc)
		rc = m->failed ? AL_EMODEL : 0;
out:
	/* Drop the file and the tree in one step. */
	cc_arena_reset(tl_json);
	if (!prev) {
		cc_arena_free(&own);
		tl_json = NULL;
	}
	return rc;
}

int cc_model_load(cc_model *m, const char *path, const char *relpath,
                  const cc_load_opts *opts)
{
	return load(m, path, relpath, NULL, 0, opts);
}

int cc_model_load_buf(cc_model *m, const char *path, const char *relpath,
                      const char *buf, size_t len, const cc_load_opts *opts)
{
	return load(m, path, relpath, buf ? buf : "", buf ? len : 0, opts);
}

void cc_model_free(cc_model *m)
{
	free(m->path);
	free(m->relpath);
	cJSON_Delete(m->ruleset);
	cc_buf_free(&m->diag);
	cc_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}
