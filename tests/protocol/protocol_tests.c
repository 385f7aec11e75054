/*
 * protocol_tests.c -- the official Smithy AWS protocol tests
 * (smithy-aws-protocol-tests: smithy.test#httpRequestTests and
 * smithy.test#httpResponseTests) run through the runtime's serializers and
 * parsers (rt_proto.h), for the six AWS protocols.
 *
 *   protocol_tests CATALOG SUITE_DIR [-v] [-k CASE_ID] [PROTOCOL...]
 *
 * CATALOG is built by airlock-compile from the suite's files (layout.py
 * puts each test service in a model file of its own); SUITE_DIR holds the
 * suite's JSON AST files, which this program reads for the test cases
 * themselves.  PROTOCOL names (awsJson1_0 awsJson1_1 restJson1 restXml
 * awsQuery ec2Query) choose the protocols; all six by default.
 *
 * A case applies when its appliesTo is absent or "client" and its protocol
 * is the file's.  Requests: the case's params (converted to the runtime's
 * input convention: blobs base64, timestamps RFC 3339) are serialized and
 * compared as the suite prescribes: method, URI (with the endpoint's base
 * path), query parameters (decoded, as a multiset), forbid/require query
 * parameters, headers (names case-insensitive), forbid/require headers,
 * the resolved host, and the body by its media type (JSON and XML
 * semantically, forms by parameters, anything else byte for byte).
 * Responses: the status, headers and body are parsed and the output (or,
 * for tests on error shapes, the modeled error and its fields) compared
 * with the case's params semantically.
 *
 * Prints every failure and every skip with its reason, then one line per
 * protocol: "restJson1: 211/211 passed, 0 failed, 0 skipped".  Exit 0 when
 * nothing failed, 1 otherwise, 2 on usage or setup errors.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <expat.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_exec.h"
#include "rt_proto.h"

/* Cases this runtime does not run, and why.  Each is printed as a skip;
 * PROTOCOL_NO_SKIPS=1 in the environment runs them anyway. */
#define DEFAULTS_IN "Smithy 2.0 defaults (client populates @default values in the " \
	"request): airlock sends only the members the caller set, as botocore does; AWS " \
	"models give many members a default only because they were Smithy 1.0 primitives, " \
	"and a plan must show exactly what will be sent"
#define DEFAULTS_OUT "Smithy 2.0 defaults (client fills @default values missing from " \
	"the answer): airlock returns only what AWS sent, as botocore does, so that a " \
	"caller (and a diff) can tell a missing member from a default one"
#define ERROR_CORRECTION "client error correction (zero values for required members " \
	"the answer left out): airlock leaves them absent, as botocore does, so that a " \
	"missing member is never mistaken for a zero"
static const struct skip {
	const char *id;
	const char *reason;
} skips[] = {
	{ "AwsJson10ClientPopulatesDefaultValuesInInput", DEFAULTS_IN },
	{ "AwsJson10ClientPopulatesNestedDefaultValuesWhenMissing", DEFAULTS_IN },
	{ "AwsJson10ClientPopulatesDefaultsValuesWhenMissingInResponse", DEFAULTS_OUT },
	{ "AwsJson10ClientPopulatesNestedDefaultsWhenMissingInResponseBody", DEFAULTS_OUT },
	{ "AwsJson10ClientErrorCorrectsWhenServerFailsToSerializeRequiredValues",
	  ERROR_CORRECTION },
	{ "AwsJson10ClientErrorCorrectsWithDefaultValuesWhenServerFailsToSerializeRequiredValues",
	  ERROR_CORRECTION },
	{ "RestJsonClientPopulatesDefaultValuesInInput", DEFAULTS_IN },
	{ "RestJsonClientPopulatesNestedDefaultValuesWhenMissing", DEFAULTS_IN },
	{ "RestJsonClientPopulatesDefaultsValuesWhenMissingInResponse", DEFAULTS_OUT },
	{ "RestJsonClientPopulatesNestedDefaultsWhenMissingInResponseBody", DEFAULTS_OUT },
	{ NULL, NULL }
};

static const char *skip_reason(const char *id)
{
	for (const struct skip *s = skips; s->id; s++)
		if (strcmp(s->id, id) == 0)
			return s->reason;
	return NULL;
}

static const struct suite_file {
	const char *file;
	const char *protocol;        /* short name */
	int proto;                   /* enum alc_protocol */
} files[] = {
	{ "aws-awsJson1_0.json", "awsJson1_0", ALC_PROTO_AWSJSON1_0 },
	{ "aws-awsJson1_1.json", "awsJson1_1", ALC_PROTO_AWSJSON1_1 },
	{ "aws-restJson1.json", "restJson1", ALC_PROTO_RESTJSON1 },
	{ "aws-restXml.json", "restXml", ALC_PROTO_RESTXML },
	{ "aws-restXmlWithNamespace.json", "restXml", ALC_PROTO_RESTXML },
	{ "aws-awsQuery.json", "awsQuery", ALC_PROTO_AWSQUERY },
	{ "aws-ec2Query.json", "ec2Query", ALC_PROTO_EC2QUERY },
};
#define NFILES (sizeof files / sizeof files[0])

static const char *const proto_names[ALC_PROTO_COUNT] = {
	[ALC_PROTO_AWSJSON1_0] = "awsJson1_0", [ALC_PROTO_AWSJSON1_1] = "awsJson1_1",
	[ALC_PROTO_RESTJSON1] = "restJson1", [ALC_PROTO_RESTXML] = "restXml",
	[ALC_PROTO_AWSQUERY] = "awsQuery", [ALC_PROTO_EC2QUERY] = "ec2Query",
};

static struct tally {
	int pass, fail, skip;
} tally[ALC_PROTO_COUNT];

static int verbose;
static const char *only_case;
static const alc_catalog *cat;

/* ---- small helpers --------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p) {
		p[n] = '\0';
		*len = (size_t)n;
	}
	return p;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static const char *short_name(const char *id)
{
	const char *h = strchr(id, '#');
	return h ? h + 1 : id;
}

/* The failure message of the case being run. */
static char why[4096];

static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return 1;
}

/* ---- params: Smithy node values -> the runtime's JSON convention ----- */

static cJSON *convert(uint32_t shape, const cJSON *v)
{
	if (shape == ALC_NONE || shape >= cat->nshapes)
		return cJSON_Duplicate(v, 1);
	const alc_shape *s = &cat->shapes[shape];
	switch (s->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION: {
		if (!cJSON_IsObject(v))
			return cJSON_Duplicate(v, 1);
		cJSON *o = cJSON_CreateObject();
		const cJSON *it;
		cJSON_ArrayForEach(it, v) {
			if (cJSON_IsNull(it))
				continue;            /* null: the member is unset */
			const alc_member *m = rt_proto_member(cat, shape, it->string, strlen(it->string));
			cJSON_AddItemToObject(o, it->string, convert(m ? m->target : ALC_NONE, it));
		}
		return o;
	}
	case ALC_T_LIST: {
		if (!cJSON_IsArray(v))
			return cJSON_Duplicate(v, 1);
		uint32_t e = cat->members[s->first_member].target;
		cJSON *a = cJSON_CreateArray();
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			cJSON_AddItemToArray(a, cJSON_IsNull(it) ? cJSON_CreateNull() : convert(e, it));
		return a;
	}
	case ALC_T_MAP: {
		if (!cJSON_IsObject(v))
			return cJSON_Duplicate(v, 1);
		uint32_t e = cat->members[s->first_member + 1].target;
		cJSON *o = cJSON_CreateObject();
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			cJSON_AddItemToObject(o, it->string,
			                      cJSON_IsNull(it) ? cJSON_CreateNull() : convert(e, it));
		return o;
	}
	case ALC_T_BLOB: {
		if (!cJSON_IsString(v))
			return cJSON_Duplicate(v, 1);
		rt_buf b;
		rt_buf_init(&b);
		rt_base64_encode(&b, v->valuestring, strlen(v->valuestring));
		cJSON *r = cJSON_CreateString(b.p ? b.p : "");
		rt_buf_free(&b);
		return r;
	}
	case ALC_T_TIMESTAMP: {
		rt_ts t;
		if (rt_ts_from_json(v, &t))
			return cJSON_Duplicate(v, 1);
		return rt_ts_to_json(&t);
	}
	default:
		return cJSON_Duplicate(v, 1);
	}
}

/* ---- comparisons ----------------------------------------------------- */

/* Semantic JSON equality: objects as key sets, arrays in order, numbers
 * by value. */
static int json_equal(const cJSON *a, const cJSON *b, char *path, size_t cap)
{
	size_t pl = strlen(path);
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
		double x = a->valuedouble, y = b->valuedouble;
		if (x == y || fabs(x - y) <= 1e-12 * fmax(fabs(x), fabs(y)))
			return 1;
		return 0;
	}
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsBool(a) || cJSON_IsNull(a))
		return 1;
	if (cJSON_IsArray(a)) {
		int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
		if (na != nb)
			return 0;
		const cJSON *x = a->child, *y = b->child;
		for (int i = 0; x && y; i++, x = x->next, y = y->next) {
			snprintf(path + pl, cap - pl, "[%d]", i);
			if (!json_equal(x, y, path, cap))
				return 0;
		}
		path[pl] = '\0';
		return 1;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) {
			/* name the first key on one side only */
			const cJSON *it;
			cJSON_ArrayForEach(it, a)
				if (!cJSON_GetObjectItemCaseSensitive(b, it->string)) {
					snprintf(path + pl, cap - pl, ".%s (missing)", it->string);
					return 0;
				}
			cJSON_ArrayForEach(it, b)
				if (!cJSON_GetObjectItemCaseSensitive(a, it->string)) {
					snprintf(path + pl, cap - pl, ".%s (unexpected)", it->string);
					return 0;
				}
			return 0;
		}
		const cJSON *it;
		cJSON_ArrayForEach(it, a) {
			snprintf(path + pl, cap - pl, ".%s", it->string);
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, it->string);
			if (!y || !json_equal(it, y, path, cap))
				return 0;
		}
		path[pl] = '\0';
		return 1;
	}
	return 0;
}

static void pct_decode(const char *s, size_t n, rt_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char h[3] = { s[i + 1], s[i + 2], 0 };
			rt_buf_putc(out, (char)strtol(h, NULL, 16));
			i += 2;
		} else {
			rt_buf_putc(out, s[i]);
		}
	}
	if (!out->p)
		rt_buf_put(out, "", 0);
}

/* "a=1&b=2" into decoded "k=v" (or "k") items. */
static int split_pairs(const char *s, size_t n, char ***items, int plus_space)
{
	int cnt = 0, cap = 16;
	char **v = malloc((size_t)cap * sizeof *v);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != '&')
			j++;
		if (j > i) {
			rt_buf k;
			rt_buf_init(&k);
			const char *eq = memchr(s + i, '=', j - i);
			size_t kl = eq ? (size_t)(eq - s - (ptrdiff_t)i) : j - i;
			char *tmp = malloc(j - i + 1);
			memcpy(tmp, s + i, j - i);
			tmp[j - i] = '\0';
			if (plus_space)
				for (char *c = tmp; *c; c++)
					if (*c == '+')
						*c = ' ';
			pct_decode(tmp, kl, &k);
			if (eq) {
				rt_buf_putc(&k, '=');
				pct_decode(tmp + kl + 1, j - i - kl - 1, &k);
			}
			free(tmp);
			if (cnt == cap) {
				cap *= 2;
				v = realloc(v, (size_t)cap * sizeof *v);
			}
			v[cnt++] = k.p;
		}
		i = j + 1;
	}
	*items = v;
	return cnt;
}

static void free_items(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every item of WANT in HAVE (as a multiset); EXACT: and nothing more. */
static int pairs_match(char **want, int nw, char **have, int nh, int exact, char *msg,
                       size_t cap)
{
	char *used = calloc((size_t)nh + 1, 1);
	int ok = 1;
	for (int i = 0; i < nw && ok; i++) {
		int found = 0;
		for (int j = 0; j < nh; j++)
			if (!used[j] && strcmp(want[i], have[j]) == 0) {
				used[j] = 1;
				found = 1;
				break;
			}
		if (!found) {
			snprintf(msg, cap, "missing parameter \"%s\"", want[i]);
			ok = 0;
		}
	}
	for (int j = 0; j < nh && ok && exact; j++)
		if (!used[j]) {
			snprintf(msg, cap, "unexpected parameter \"%s\"", have[j]);
			ok = 0;
		}
	free(used);
	return ok;
}

/* ---- XML comparison (expat): element names, sorted attributes, trimmed
 * text, children in order; whitespace between elements ignored. */

typedef struct xnode {
	char *name;
	char **attrs;                /* "name=value", sorted */
	int nattrs;
	rt_buf text;
	struct xnode **kids;
	int nkids;
	struct xnode *parent;
} xnode;

typedef struct xparse {
	xnode *root, *cur;
	int bad;
} xparse;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void XMLCALL x_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	xparse *p = ud;
	xnode *n = calloc(1, sizeof *n);
	n->name = strdup(name);
	rt_buf_init(&n->text);
	for (int i = 0; atts[i]; i += 2)
		n->nattrs++;
	n->attrs = calloc((size_t)n->nattrs + 1, sizeof *n->attrs);
	for (int i = 0; atts[i]; i += 2) {
		size_t l = strlen(atts[i]) + strlen(atts[i + 1]) + 2;
		n->attrs[i / 2] = malloc(l);
		snprintf(n->attrs[i / 2], l, "%s=%s", atts[i], atts[i + 1]);
	}
	qsort(n->attrs, (size_t)n->nattrs, sizeof *n->attrs, cmp_str);
	n->parent = p->cur;
	if (p->cur) {
		p->cur->kids = realloc(p->cur->kids, (size_t)(p->cur->nkids + 1) * sizeof(xnode *));
		p->cur->kids[p->cur->nkids++] = n;
	} else if (!p->root) {
		p->root = n;
	} else {
		p->bad = 1;
	}
	p->cur = n;
}

static void XMLCALL x_end(void *ud, const XML_Char *name)
{
	(void)name;
	xparse *p = ud;
	if (p->cur)
		p->cur = p->cur->parent;
}

static void XMLCALL x_text(void *ud, const XML_Char *s, int len)
{
	xparse *p = ud;
	if (p->cur)
		rt_buf_put(&p->cur->text, s, (size_t)len);
}

static void xfree(xnode *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nkids; i++)
		xfree(n->kids[i]);
	for (int i = 0; i < n->nattrs; i++)
		free(n->attrs[i]);
	free(n->attrs);
	free(n->kids);
	free(n->name);
	rt_buf_free(&n->text);
	free(n);
}

static xnode *xml_tree(const char *s, size_t n)
{
	xparse p = { NULL, NULL, 0 };
	XML_Parser x = XML_ParserCreate(NULL);
	XML_SetUserData(x, &p);
	XML_SetElementHandler(x, x_start, x_end);
	XML_SetCharacterDataHandler(x, x_text);
	int ok = XML_Parse(x, s, (int)n, 1) == XML_STATUS_OK && !p.bad;
	XML_ParserFree(x);
	if (!ok) {
		xfree(p.root);
		return NULL;
	}
	return p.root;
}

static void trim(const char *s, size_t n, const char **o, size_t *on)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*o = s;
	*on = n;
}

static int xml_equal(const xnode *a, const xnode *b, char *msg, size_t cap)
{
	if (strcmp(a->name, b->name) != 0) {
		snprintf(msg, cap, "element <%s> where <%s> was expected", b->name, a->name);
		return 0;
	}
	if (a->nattrs != b->nattrs) {
		snprintf(msg, cap, "<%s>: %d attributes, expected %d", a->name, b->nattrs, a->nattrs);
		return 0;
	}
	for (int i = 0; i < a->nattrs; i++)
		if (strcmp(a->attrs[i], b->attrs[i]) != 0) {
			snprintf(msg, cap, "<%s>: attribute %s, expected %s", a->name, b->attrs[i],
			         a->attrs[i]);
			return 0;
		}
	const char *ta, *tb;
	size_t la, lb;
	trim(a->text.p ? a->text.p : "", a->text.len, &ta, &la);
	trim(b->text.p ? b->text.p : "", b->text.len, &tb, &lb);
	if (la != lb || memcmp(ta, tb, la) != 0) {
		snprintf(msg, cap, "<%s>: text \"%.*s\", expected \"%.*s\"", a->name, (int)lb, tb,
		         (int)la, ta);
		return 0;
	}
	if (a->nkids != b->nkids) {
		snprintf(msg, cap, "<%s>: %d child elements, expected %d", a->name, b->nkids,
		         a->nkids);
		return 0;
	}
	/* Children of one name in order (list items); different names in any
	 * order (structure members: the suite's bodies do not always follow
	 * the model's member order). */
	for (int i = 0; i < a->nkids; i++) {
		const char *n = a->kids[i]->name;
		int first = 1;
		for (int k = 0; k < i; k++)
			if (strcmp(a->kids[k]->name, n) == 0)
				first = 0;
		if (!first)
			continue;
		int ia = i, ib = 0;
		for (;;) {
			while (ib < b->nkids && strcmp(b->kids[ib]->name, n) != 0)
				ib++;
			if (ia >= a->nkids || ib >= b->nkids)
				break;
			if (!xml_equal(a->kids[ia], b->kids[ib], msg, cap))
				return 0;
			ia++;
			ib++;
			while (ia < a->nkids && strcmp(a->kids[ia]->name, n) != 0)
				ia++;
		}
		if (ia < a->nkids || ib < b->nkids) {
			snprintf(msg, cap, "<%s>: the number of <%s> children differs", a->name, n);
			return 0;
		}
	}
	return 1;
}

/* Body comparison by media type. */
static int body_matches(const char *media, const char *want, const char *have, size_t hlen)
{
	size_t wl = strlen(want);
	int want_empty = 1;
	for (size_t i = 0; i < wl; i++)
		if (!isspace((unsigned char)want[i]))
			want_empty = 0;
	if (media && strcmp(media, "application/json") == 0) {
		if (want_empty)
			return hlen == 0 ? 0 : failf("body: expected none, got %.*s", (int)hlen, have);
		cJSON *a = cJSON_Parse(want), *b = cJSON_ParseWithLength(have, hlen);
		char path[512] = "$";
		int ok = a && b && json_equal(a, b, path, sizeof path);
		cJSON_Delete(a);
		cJSON_Delete(b);
		return ok ? 0 : failf("JSON body differs at %s: got %.*s", path, (int)(hlen > 600 ? 600 : hlen), have);
	}
	if (media && strcmp(media, "application/xml") == 0) {
		if (want_empty)
			return hlen == 0 ? 0 : failf("body: expected none, got %.*s", (int)hlen, have);
		xnode *a = xml_tree(want, wl), *b = xml_tree(have, hlen);
		char msg[512] = "";
		int ok = a && b && xml_equal(a, b, msg, sizeof msg);
		if (!b)
			snprintf(msg, sizeof msg, "not well-formed XML");
		xfree(a);
		xfree(b);
		return ok ? 0 : failf("XML body: %s; got %.*s", msg, (int)(hlen > 600 ? 600 : hlen), have);
	}
	if (media && strcmp(media, "application/x-www-form-urlencoded") == 0) {
		char **w, **h;
		int nw = split_pairs(want, wl, &w, 1), nh = split_pairs(have, hlen, &h, 1);
		char msg[512] = "";
		int ok = pairs_match(w, nw, h, nh, 1, msg, sizeof msg);
		free_items(w, nw);
		free_items(h, nh);
		return ok ? 0 : failf("form body: %s; got %.*s", msg, (int)(hlen > 600 ? 600 : hlen), have);
	}
	if (wl != hlen || memcmp(want, have, wl) != 0)
		return failf("body: expected \"%.300s\", got \"%.*s\"", want, (int)(hlen > 300 ? 300 : hlen), have);
	return 0;
}

/* ---- request cases --------------------------------------------------- */

/* The headers as sent: the request's, then Host and Content-Length as the
 * sender adds them. */
static const char *sent_header(const rt_proto_request *r, const rt_buf *host, const char *name,
                               char *tmp, size_t cap)
{
	const rt_kv *kv = rt_kvlist_find(&r->headers, name, 1);
	if (kv)
		return kv->value;
	if (strcasecmp(name, "Host") == 0)
		return host->p;
	if (strcasecmp(name, "Content-Length") == 0 &&
	    (r->body.len || strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0)) {
		snprintf(tmp, cap, "%zu", r->body.len);
		return tmp;
	}
	return NULL;
}

/* The client configuration of vendorParams (aws.protocoltests.config#AwsConfig):
 * region and the S3 addressing options, client scope then operation scope. */
static void vendor_config(const cJSON *vp, rt_exec_endpoint_config *cfg)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(vp, "scopedConfig");
	static const char *const scopes[] = { "client", "operation" };
	for (int i = 0; i < 2; i++) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(sc, scopes[i]);
		const char *r = jstr(c, "region");
		if (r)
			cfg->region = r;
		const cJSON *s3 = cJSON_GetObjectItemCaseSensitive(c, "s3");
		const char *style = jstr(s3, "addressing_style");
		if (style)
			cfg->s3_force_path_style = strcmp(style, "path") == 0;
		const cJSON *b;
		if ((b = cJSON_GetObjectItemCaseSensitive(s3, "use_dualstack_endpoint")))
			cfg->use_dualstack = cJSON_IsTrue(b);
		if ((b = cJSON_GetObjectItemCaseSensitive(s3, "use_accelerate_endpoint")))
			cfg->s3_accelerate = cJSON_IsTrue(b);
	}
}

static int run_request(const rt_proto *p, const alc_operation *op, const cJSON *tc)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(tc, "params");
	cJSON *input = params ? convert(op->input, params) : cJSON_CreateObject();
	rt_exec_fill_tokens_with(cat, op, input, "00000000-0000-4000-8000-000000000000");
	rt_proto_request req;
	rt_proto_request_init(&req);
	char err[512] = "";
	(void)p;
	int rc = rt_exec_prepare(cat, op, input, NULL, &req, err, sizeof err);
	int bad = 0;
	rt_buf url, host, path;
	rt_buf_init(&url);
	rt_buf_init(&host);
	rt_buf_init(&path);
	if (rc) {
		bad = failf("serialize: %s (%s)", err, al_strerror(rc));
		goto out;
	}
	const char *h = jstr(tc, "host");
	char endpoint[512];
	snprintf(endpoint, sizeof endpoint, "https://%s", h ? h : "example.com");
	const char *own = rt_exec_input_endpoint(cat, op, input);
	if (own)
		snprintf(endpoint, sizeof endpoint, "%s", own);
	if (cat->svcs[op->service].rules_size) {
		/* a service with rules (S3, grafted by layout.py): resolve as
		 * rt_exec_call does, with the case's client configuration */
		static rt_endpoint_params ep_params;
		static rt_endpoint ep;
		rt_exec_endpoint_config cfg = { "us-east-1", NULL, 0, 0, 0, 0 };
		vendor_config(cJSON_GetObjectItemCaseSensitive(tc, "vendorParams"), &cfg);
		rt_exec_endpoint ee;
		if ((rc = rt_exec_endpoint_resolve(cat, op, input, &cfg, &ep_params, &ep, &ee, err,
		                                   sizeof err))) {
			bad = failf("endpoint: %s (%s)", err, al_strerror(rc));
			goto out;
		}
		snprintf(endpoint, sizeof endpoint, "%s", ee.url);
	}
	if ((rc = rt_exec_target(endpoint, &req, &url, &host, &path))) {
		bad = failf("target: %s", al_strerror(rc));
		goto out;
	}
	const char *method = jstr(tc, "method"), *uri = jstr(tc, "uri");
	if (method && strcmp(method, req.method) != 0) {
		bad = failf("method %s, expected %s", req.method, method);
		goto out;
	}
	if (uri && strcmp(uri, path.p) != 0) {
		bad = failf("URI %s, expected %s", path.p, uri);
		goto out;
	}
	const char *rh = jstr(tc, "resolvedHost");
	if (rh && strcmp(rh, host.p) != 0) {
		bad = failf("host %s, expected %s", host.p, rh);
		goto out;
	}
	/* query */
	rt_buf q;
	rt_buf_init(&q);
	rt_proto_query_string(&req, &q);
	char **have;
	int nh = split_pairs(q.p ? q.p : "", q.len, &have, 0);
	const cJSON *x, *it;
	if ((x = cJSON_GetObjectItemCaseSensitive(tc, "queryParams"))) {
		int nw = cJSON_GetArraySize(x), i = 0;
		char **want = calloc((size_t)nw + 1, sizeof *want);
		cJSON_ArrayForEach(it, x) {
			char **one;
			int k = split_pairs(it->valuestring, strlen(it->valuestring), &one, 0);
			want[i++] = k ? one[0] : strdup("");
			for (int j = 1; j < k; j++)
				free(one[j]);
			free(one);
		}
		char msg[512];
		if (!pairs_match(want, nw, have, nh, 0, msg, sizeof msg))
			bad = failf("query: %s; query was \"%s\"", msg, q.p ? q.p : "");
		free_items(want, nw);
	}
	if (!bad && (x = cJSON_GetObjectItemCaseSensitive(tc, "forbidQueryParams")))
		cJSON_ArrayForEach(it, x)
			for (int j = 0; j < nh && !bad; j++) {
				size_t kl = strcspn(have[j], "=");
				if (strlen(it->valuestring) == kl && strncmp(have[j], it->valuestring, kl) == 0)
					bad = failf("query parameter %s is forbidden", it->valuestring);
			}
	if (!bad && (x = cJSON_GetObjectItemCaseSensitive(tc, "requireQueryParams")))
		cJSON_ArrayForEach(it, x) {
			int found = 0;
			for (int j = 0; j < nh; j++) {
				size_t kl = strcspn(have[j], "=");
				if (strlen(it->valuestring) == kl && strncmp(have[j], it->valuestring, kl) == 0)
					found = 1;
			}
			if (!found && !bad)
				bad = failf("query parameter %s is required", it->valuestring);
		}
	free_items(have, nh);
	rt_buf_free(&q);
	if (bad)
		goto out;
	/* headers */
	char tmp[32];
	if ((x = cJSON_GetObjectItemCaseSensitive(tc, "headers")))
		cJSON_ArrayForEach(it, x) {
			const char *v = sent_header(&req, &host, it->string, tmp, sizeof tmp);
			if (!v) {
				bad = failf("header %s missing (expected \"%s\")", it->string, it->valuestring);
				goto out;
			}
			if (strcmp(v, it->valuestring) != 0) {
				bad = failf("header %s: \"%s\", expected \"%s\"", it->string, v,
				            it->valuestring);
				goto out;
			}
		}
	if ((x = cJSON_GetObjectItemCaseSensitive(tc, "forbidHeaders")))
		cJSON_ArrayForEach(it, x)
			if (sent_header(&req, &host, it->valuestring, tmp, sizeof tmp)) {
				bad = failf("header %s is forbidden", it->valuestring);
				goto out;
			}
	if ((x = cJSON_GetObjectItemCaseSensitive(tc, "requireHeaders")))
		cJSON_ArrayForEach(it, x)
			if (!sent_header(&req, &host, it->valuestring, tmp, sizeof tmp)) {
				bad = failf("header %s is required", it->valuestring);
				goto out;
			}
	/* body */
	const char *body = jstr(tc, "body");
	if (body)
		bad = body_matches(jstr(tc, "bodyMediaType"), body, req.body.p ? req.body.p : "",
		                   req.body.len);
out:
	if (bad && verbose && req.body.len)
		fprintf(stderr, "    body sent: %.*s\n", (int)(req.body.len > 2000 ? 2000 : req.body.len),
		        req.body.p);
	rt_buf_free(&url);
	rt_buf_free(&host);
	rt_buf_free(&path);
	rt_proto_request_free(&req);
	cJSON_Delete(input);
	return bad;
}

/* ---- response cases -------------------------------------------------- */

static int run_response(const rt_proto *p, const alc_operation *op, const cJSON *tc,
                        const char *error_id)
{
	rt_buf hdrs;
	rt_buf_init(&hdrs);
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(tc, "headers"), *it;
	cJSON_ArrayForEach(it, x)
		rt_buf_printf(&hdrs, "%s: %s\r\n", it->string, it->valuestring);
	const char *body = jstr(tc, "body");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(tc, "code");
	rt_proto_response resp = { cJSON_IsNumber(code) ? (long)code->valuedouble : 200,
		                   hdrs.p, hdrs.len, body ? body : "", body ? strlen(body) : 0 };
	rt_proto_error e;
	rt_proto_error_init(&e);
	cJSON *out = NULL;
	int rc = p->parse(cat, op, &resp, &out, &e);
	int bad = 0;
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(tc, "params");
	cJSON *want = NULL;
	if (!error_id) {
		if (rc) {
			bad = failf("parse: %s (%s: %s)", al_strerror(rc), e.code, e.message);
			goto out;
		}
		want = params ? convert(op->output, params) : cJSON_CreateObject();
		char path[512] = "$";
		if (!json_equal(want, out, path, sizeof path)) {
			char *g = cJSON_PrintUnformatted(out);
			bad = failf("output differs at %s: got %.1500s", path, g);
			free(g);
		}
	} else {
		if (rc != AL_EPROTO) {
			bad = failf("parse: %s, expected the error %s", rc ? al_strerror(rc) : "success",
			            error_id);
			goto out;
		}
		if (e.shape == ALC_NONE ||
		    strcmp(alc_str(cat, cat->shapes[e.shape].name), short_name(error_id)) != 0) {
			bad = failf("error %s (code \"%s\"), expected %s",
			            e.shape == ALC_NONE ? "unmodeled" :
			            alc_str(cat, cat->shapes[e.shape].name), e.code, error_id);
			goto out;
		}
		want = params ? convert(e.shape, params) : cJSON_CreateObject();
		cJSON *have = e.fields ? e.fields : NULL;
		cJSON *empty = cJSON_CreateObject();
		char path[512] = "$";
		if (!json_equal(want, have ? have : empty, path, sizeof path)) {
			char *g = cJSON_PrintUnformatted(have ? have : empty);
			bad = failf("error fields differ at %s: got %.1500s", path, g);
			free(g);
		}
		cJSON_Delete(empty);
	}
out:
	cJSON_Delete(want);
	cJSON_Delete(out);
	rt_proto_error_free(&e);
	rt_buf_free(&hdrs);
	return bad;
}

/* ---- driving --------------------------------------------------------- */

static int applies(const cJSON *tc, const char *protocol_id)
{
	const char *a = jstr(tc, "appliesTo");
	if (a && strcmp(a, "client") != 0)
		return 0;
	const char *p = jstr(tc, "protocol");
	return p && strcmp(p, protocol_id) == 0;
}

static void run_case(int proto, const rt_proto *p, const alc_operation *op, const cJSON *tc,
                     int response, const char *error_id)
{
	const char *id = jstr(tc, "id");
	if (!id)
		id = "(no id)";
	if (only_case && strcmp(only_case, id) != 0)
		return;
	const char *skip = getenv("PROTOCOL_NO_SKIPS") ? NULL : skip_reason(id);
	if (skip) {
		tally[proto].skip++;
		printf("SKIP %s %s: %s\n", proto_names[proto], id, skip);
		return;
	}
	why[0] = '\0';
	int bad;
	if (!p)
		bad = failf("the %s protocol is not linked into the runtime", proto_names[proto]);
	else if (!op)
		bad = failf("operation not found in the catalog");
	else
		bad = response ? run_response(p, op, tc, error_id) : run_request(p, op, tc);
	if (bad) {
		tally[proto].fail++;
		printf("FAIL %s %s%s: %s\n", proto_names[proto], id, response ? " (response)" : "",
		       why);
	} else {
		tally[proto].pass++;
		if (verbose)
			printf("ok   %s %s\n", proto_names[proto], id);
	}
}

static const char *protocol_trait(int proto)
{
	switch (proto) {
	case ALC_PROTO_AWSJSON1_0: return "aws.protocols#awsJson1_0";
	case ALC_PROTO_AWSJSON1_1: return "aws.protocols#awsJson1_1";
	case ALC_PROTO_RESTJSON1: return "aws.protocols#restJson1";
	case ALC_PROTO_RESTXML: return "aws.protocols#restXml";
	case ALC_PROTO_AWSQUERY: return "aws.protocols#awsQuery";
	case ALC_PROTO_EC2QUERY: return "aws.protocols#ec2Query";
	default: return "";
	}
}

/* Every case of one suite file. */
static int run_file(const char *dir, const struct suite_file *f)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, f->file);
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "protocol_tests: cannot read %s\n", path);
		return -1;
	}
	cJSON *root = cJSON_ParseWithLength(text, len);
	free(text);
	const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(root, "shapes");
	if (!cJSON_IsObject(shapes)) {
		fprintf(stderr, "protocol_tests: %s: no shapes\n", path);
		cJSON_Delete(root);
		return -1;
	}
	const rt_proto *p = rt_proto_for(f->proto);
	const char *trait = protocol_trait(f->proto);
	/* error shapes whose response cases ran already (they may be shared) */
	cJSON *done_errors = cJSON_CreateObject();
	const cJSON *svc;
	cJSON_ArrayForEach(svc, shapes) {
		if (!jstr(svc, "type") || strcmp(jstr(svc, "type"), "service") != 0)
			continue;
		const char *sname = short_name(svc->string);
		const alc_service *cs = alc_find_service(cat, sname, strlen(sname));
		const cJSON *ops = cJSON_GetObjectItemCaseSensitive(svc, "operations"), *o;
		cJSON_ArrayForEach(o, ops) {
			const char *oid = jstr(o, "target");
			const cJSON *os = cJSON_GetObjectItemCaseSensitive(shapes, oid);
			if (!os)
				continue;
			const char *oname = short_name(oid);
			const alc_operation *op =
				cs ? alc_find_operation(cat, sname, strlen(sname), oname, strlen(oname)) : NULL;
			const cJSON *traits = cJSON_GetObjectItemCaseSensitive(os, "traits"), *tc;
			cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(traits,
			                                                       "smithy.test#httpRequestTests"))
				if (applies(tc, trait))
					run_case(f->proto, p, op, tc, 0, NULL);
			cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(traits,
			                                                       "smithy.test#httpResponseTests"))
				if (applies(tc, trait))
					run_case(f->proto, p, op, tc, 1, NULL);
			const cJSON *errs = cJSON_GetObjectItemCaseSensitive(os, "errors"), *er;
			cJSON_ArrayForEach(er, errs) {
				const char *eid = jstr(er, "target");
				if (!eid || cJSON_GetObjectItemCaseSensitive(done_errors, eid))
					continue;
				cJSON_AddTrueToObject(done_errors, eid);
				const cJSON *es = cJSON_GetObjectItemCaseSensitive(shapes, eid);
				const cJSON *et = cJSON_GetObjectItemCaseSensitive(es, "traits");
				cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(
					et, "smithy.test#httpResponseTests"))
					if (applies(tc, trait))
						run_case(f->proto, p, op, tc, 1, eid);
			}
		}
	}
	cJSON_Delete(done_errors);
	cJSON_Delete(root);
	return 0;
}

int main(int argc, char **argv)
{
	const char *catalog = NULL, *dir = NULL;
	int want[ALC_PROTO_COUNT] = { 0 }, any = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
		} else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
			only_case = argv[++i];
		} else if (!catalog) {
			catalog = argv[i];
		} else if (!dir) {
			dir = argv[i];
		} else {
			int k;
			for (k = 1; k < ALC_PROTO_COUNT; k++)
				if (strcmp(argv[i], proto_names[k]) == 0)
					break;
			if (k == ALC_PROTO_COUNT) {
				fprintf(stderr, "protocol_tests: unknown protocol %s\n", argv[i]);
				return 2;
			}
			want[k] = any = 1;
		}
	}
	if (!catalog || !dir) {
		fprintf(stderr, "usage: protocol_tests CATALOG SUITE_DIR [-v] [-k CASE_ID] "
		                "[PROTOCOL...]\n");
		return 2;
	}
	static alc_catalog c;
	alc_diag diag;
	int rc = alc_open(&c, catalog, &diag);
	if (rc) {
		fprintf(stderr, "protocol_tests: %s: %s\n", catalog, diag.msg);
		return 2;
	}
	cat = &c;
	for (size_t i = 0; i < NFILES; i++) {
		if (any && !want[files[i].proto])
			continue;
		if (run_file(dir, &files[i]))
			return 2;
	}
	int failed = 0;
	for (int k = 1; k < ALC_PROTO_COUNT; k++) {
		if (any && !want[k])
			continue;
		struct tally *t = &tally[k];
		int total = t->pass + t->fail;
		printf("%s: %d/%d passed, %d failed, %d skipped\n", proto_names[k], t->pass, total,
		       t->fail, t->skip);
		failed += t->fail;
	}
	alc_close(&c);
	return failed ? 1 : 0;
}
