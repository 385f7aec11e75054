/*
 * rt_endpoint.c -- see rt_endpoint.h.
 *
 * The evaluator walks a rule set blob in place (formats/alc_rules.h; the
 * blob was proved by alc_rules_check at open, so indexes, operand ranges,
 * slots and arities are trusted here).  Values are 16-byte `val`s: unset,
 * boolean, integer, string (pointer + length: literals point into STRS,
 * parameter values into the caller's rt_endpoint_params, computed strings
 * and substrings into the scratch arena or into their source), array or
 * record (pointer to vals in the arena).  Nothing is allocated from the
 * heap; the arena is rt_endpoint.work.
 *
 * Arena discipline: a condition without `assign` gives its scratch back
 * once its truth is known; a rule that fails gives back everything its
 * conditions took.  Only the bindings of the rules on the path to the
 * result are live, so the arena holds one root-to-leaf path (over all
 * 15,320 endpointTests cases the peak is 1,648 bytes).
 *
 * Function semantics follow the Smithy rules-engine standard library and
 * AWS extensions (smithy.io, rules-engine/standard-library and
 * aws-rules), checked by the endpointTests of every model and by
 * rules-engine-tests.json (tests/endpoints).
 */
#include "rt_endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_partitions.h"
#include "alc_rules.h"

/* ---- parameters ------------------------------------------------------ */

static int p_fail(rt_endpoint_params *p, int rc)
{
	if (!p->err)
		p->err = (int16_t)rc;
	return rc;
}

/* Copy S[0, N) NUL-terminated into the text pool. */
static int p_text(rt_endpoint_params *p, const char *s, size_t n,
                  uint16_t *off)
{
	if (n >= RT_EP_TEXT || (size_t)p->used + n + 1 > RT_EP_TEXT)
		return AL_ETOOBIG;
	*off = p->used;
	if (n)
		memcpy(p->text + p->used, s, n);
	p->text[p->used + n] = '\0';
	p->used = (uint16_t)(p->used + n + 1);
	return 0;
}

/* The value record of (LEVEL, NAME), added when new. */
static rt_endpoint_value *p_slot(rt_endpoint_params *p, int level,
                                 const char *name, int *rc)
{
	*rc = 0;
	if (!name || !*name) {
		*rc = AL_EINVAL;
		return NULL;
	}
	for (uint16_t i = 0; i < p->n; i++)       /* bound: RT_EP_MAX_PARAMS */
		if (p->v[i].level == level &&
		    strcmp(p->text + p->v[i].name, name) == 0)
			return &p->v[i];
	if (p->n == RT_EP_MAX_PARAMS) {
		*rc = AL_ETOOBIG;
		return NULL;
	}
	uint16_t off;
	if ((*rc = p_text(p, name, strlen(name), &off)))
		return NULL;
	rt_endpoint_value *v = &p->v[p->n++];
	memset(v, 0, sizeof *v);
	v->name = off;
	v->level = (uint8_t)level;
	return v;
}

static int level_of(const char *name)
{
	return name && strstr(name, "::") ? RT_EP_BUILTIN : RT_EP_CLIENT;
}

void rt_endpoint_params_init(rt_endpoint_params *p)
{
	p->n = p->nitems = p->used = 0;
	p->err = 0;
}

int rt_endpoint_set_string_at(rt_endpoint_params *p, int level,
                              const char *name, const char *value,
                              size_t len)
{
	int rc;
	rt_endpoint_value *v = p_slot(p, level, name, &rc);
	if (!v)
		return p_fail(p, rc);
	uint16_t off;
	if ((rc = p_text(p, value, len, &off)))
		return p_fail(p, rc);
	v->type = RT_EP_STRING;
	v->value = off;
	v->count = (uint16_t)len;
	return 0;
}

int rt_endpoint_set_bool_at(rt_endpoint_params *p, int level,
                            const char *name, int value)
{
	int rc;
	rt_endpoint_value *v = p_slot(p, level, name, &rc);
	if (!v)
		return p_fail(p, rc);
	v->type = RT_EP_BOOL;
	v->value = value ? 1 : 0;
	v->count = 0;
	return 0;
}

int rt_endpoint_set_string_array_at(rt_endpoint_params *p, int level,
                                    const char *name,
                                    const char *const *items, size_t n)
{
	int rc;
	rt_endpoint_value *v = p_slot(p, level, name, &rc);
	if (!v)
		return p_fail(p, rc);
	if (n > (size_t)(RT_EP_MAX_ITEMS - p->nitems))
		return p_fail(p, AL_ETOOBIG);
	uint16_t first = p->nitems;
	for (size_t i = 0; i < n; i++) {           /* bound: n <= MAX_ITEMS */
		uint16_t off;
		if ((rc = p_text(p, items[i], strlen(items[i]), &off)))
			return p_fail(p, rc);
		p->items[p->nitems++] = off;
	}
	v->type = RT_EP_STRING_ARRAY;
	v->value = first;
	v->count = (uint16_t)n;
	return 0;
}

int rt_endpoint_set_string(rt_endpoint_params *p, const char *name,
                           const char *value)
{
	return rt_endpoint_set_string_at(p, level_of(name), name, value,
	                                 strlen(value));
}

int rt_endpoint_set_bool(rt_endpoint_params *p, const char *name, int value)
{
	return rt_endpoint_set_bool_at(p, level_of(name), name, value);
}

int rt_endpoint_set_string_array(rt_endpoint_params *p, const char *name,
                                 const char *const *items, size_t n)
{
	return rt_endpoint_set_string_array_at(p, level_of(name), name, items, n);
}

/* ---- values and the scratch arena ------------------------------------ */

enum { V_UNSET = 0, V_BOOL, V_INT, V_STR, V_ARR, V_REC };

typedef struct val {
	uint8_t k;               /* V_* */
	uint8_t b;               /* V_BOOL */
	uint32_t n;              /* V_STR: bytes; V_ARR: items; V_REC: entries */
	union {
		const char *s;       /* V_STR */
		const struct val *a; /* V_ARR: n vals; V_REC: n (key, value) pairs */
		int32_t i;           /* V_INT */
	} u;
} val;

typedef struct ev {
	const char *strs;
	const uint8_t *partitions;   /* NULL when the catalog has none */
	const alc_rules_node *nodes;
	const uint32_t *ops;
	const alc_rules_cond *conds;
	const alc_rules_rule *rules;
	val *vars;
	rt_endpoint_work *w;
	char *err;
	size_t errlen;
} ev;

static int ev_fail(ev *x, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ev_fail(ev *x, int rc, const char *fmt, ...)
{
	if (x->err && x->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static void *w_alloc(ev *x, size_t n)
{
	size_t at = (x->w->used + 15u) & ~(size_t)15u;
	if (n > RT_EP_WORK || at > RT_EP_WORK - n)
		return NULL;
	x->w->used = at + n;
	return x->w->mem + at;
}

static int no_room(ev *x)
{
	return ev_fail(x, AL_ETOOBIG, "endpoint: scratch space (%u bytes) "
	               "exhausted", (unsigned)RT_EP_WORK);
}

static val v_str(const char *s, size_t n)
{
	val v = { V_STR, 0, (uint32_t)n, { .s = s } };
	return v;
}
static val v_cstr(const char *s) { return v_str(s, strlen(s)); }
static val v_bool(int b)
{
	val v = { V_BOOL, (uint8_t)(b != 0), 0, { .s = NULL } };
	return v;
}
static val v_unset(void)
{
	val v = { V_UNSET, 0, 0, { .s = NULL } };
	return v;
}

static int is_truthy(const val *v)
{
	return v->k != V_UNSET && !(v->k == V_BOOL && !v->b);
}

/* Record field KEY of R, or NULL. */
static const val *rec_get(const val *r, const char *key, size_t klen)
{
	if (r->k != V_REC)
		return NULL;
	for (uint32_t i = 0; i < r->n; i++) {      /* bound: entries */
		const val *k = &r->u.a[2 * i];
		if (k->n == klen && memcmp(k->u.s, key, klen) == 0)
			return &r->u.a[2 * i + 1];
	}
	return NULL;
}

/* ---- the library functions ------------------------------------------- */

static int is_label_char(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* One RFC 1123 label: 1..63 of [A-Za-z0-9-], not starting with '-'. */
static int host_label(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)             /* bound: n <= 63 */
		if (!is_label_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* isValidHostLabel(value, allowSubDomains) */
static int valid_host_label(const char *s, size_t n, int sub)
{
	if (!sub)
		return host_label(s, n);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {          /* bound: n */
		if (i == n || s[i] == '.') {
			if (!host_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* Four dot-separated runs of 1..3 digits (botocore's IPV4_RE). */
static int looks_ipv4(const char *s, size_t n)
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		size_t d = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3)
			return 0;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i == n;
}

/* aws.isVirtualHostableS3Bucket(value, allowSubDomains) */
static int s3_bucket_ok(const char *s, size_t n, int sub)
{
	if (n < 3 || n > 63 || looks_ipv4(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)             /* bound: n <= 63 */
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 0;
	return valid_host_label(s, n, sub);
}

/* aws.parseArn(value): arn:partition:service:region:account:resource */
static int fn_parse_arn(ev *x, const val *a, val *out)
{
	*out = v_unset();
	if (a->k != V_STR || a->n < 4 || memcmp(a->u.s, "arn:", 4) != 0)
		return 0;
	const char *s = a->u.s, *end = s + a->n;
	const char *part[6];
	size_t plen[6];
	const char *p = s;
	for (int i = 0; i < 5; i++) {              /* 5 colons */
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			return 0;
		part[i] = p;
		plen[i] = (size_t)(c - p);
		p = c + 1;
	}
	part[5] = p;
	plen[5] = (size_t)(end - p);
	if (plen[1] == 0 || plen[2] == 0 || plen[5] == 0)
		return 0;
	/* resourceId: the resource split on ':' and '/' */
	uint32_t nids = 1;
	for (size_t i = 0; i < plen[5]; i++)
		nids += part[5][i] == ':' || part[5][i] == '/';
	val *ids = w_alloc(x, nids * sizeof *ids);
	val *rec = w_alloc(x, 10 * sizeof *rec);
	if (!ids || !rec)
		return no_room(x);
	uint32_t k = 0;
	size_t st = 0;
	for (size_t i = 0; i <= plen[5]; i++) {    /* bound: resource bytes */
		if (i == plen[5] || part[5][i] == ':' || part[5][i] == '/') {
			ids[k++] = v_str(part[5] + st, i - st);
			st = i + 1;
		}
	}
	rec[0] = v_cstr("partition");  rec[1] = v_str(part[1], plen[1]);
	rec[2] = v_cstr("service");    rec[3] = v_str(part[2], plen[2]);
	rec[4] = v_cstr("region");     rec[5] = v_str(part[3], plen[3]);
	rec[6] = v_cstr("accountId");  rec[7] = v_str(part[4], plen[4]);
	rec[8] = v_cstr("resourceId");
	rec[9] = (val){ V_ARR, 0, nids, { .a = ids } };
	*out = (val){ V_REC, 0, 5, { .a = rec } };
	return 0;
}

/* aws.partition(region) */
static int fn_partition(ev *x, const val *a, val *out)
{
	*out = v_unset();
	if (a->k != V_STR)
		return 0;
	if (!x->partitions)
		return ev_fail(x, AL_ECORRUPT, "endpoint: the catalog has no "
		               "partitions table (rebuild it with airlock-compile "
		               "build --partitions catalogs/partitions.json)");
	alc_part_outputs po;
	alc_partitions_lookup(x->partitions, x->strs, a->u.s, a->n, &po);
	val *rec = w_alloc(x, 12 * sizeof *rec);
	if (!rec)
		return no_room(x);
	rec[0] = v_cstr("name");                rec[1] = v_cstr(po.name);
	rec[2] = v_cstr("dnsSuffix");           rec[3] = v_cstr(po.dns_suffix);
	rec[4] = v_cstr("dualStackDnsSuffix");  rec[5] = v_cstr(po.dual_stack_dns_suffix);
	rec[6] = v_cstr("supportsFIPS");        rec[7] = v_bool(po.supports_fips);
	rec[8] = v_cstr("supportsDualStack");   rec[9] = v_bool(po.supports_dual_stack);
	rec[10] = v_cstr("implicitGlobalRegion"); rec[11] = v_cstr(po.implicit_global_region);
	*out = (val){ V_REC, 0, 6, { .a = rec } };
	return 0;
}

/* Is the authority's host an IP literal (dotted quad or [IPv6])? */
static int host_is_ip(const char *h, size_t n)
{
	if (n >= 2 && h[0] == '[') {
		const char *close = memchr(h, ']', n);
		if (!close || close == h + 1)
			return 0;
		for (const char *p = h + 1; p < close; p++) {
			char c = *p;
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F') || c == ':' || c == '.' || c == '%'))
				return 0;
		}
		return 1;
	}
	const char *colon = memchr(h, ':', n);
	return looks_ipv4(h, colon ? (size_t)(colon - h) : n);
}

/* parseURL(value): http(s)://authority/path, no query. */
static int fn_parse_url(ev *x, const val *a, val *out)
{
	*out = v_unset();
	if (a->k != V_STR)
		return 0;
	const char *s = a->u.s, *end = s + a->n;
	const char *sep = NULL;
	for (const char *p = s; p + 2 < end; p++)  /* bound: the string */
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			sep = p;
			break;
		}
	if (!sep)
		return 0;
	size_t slen = (size_t)(sep - s);
	char scheme[6];
	if (slen != 4 && slen != 5)
		return 0;
	for (size_t i = 0; i < slen; i++)
		scheme[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	if (memcmp(scheme, "http", 4) != 0 || (slen == 5 && scheme[4] != 's'))
		return 0;
	const char *auth = sep + 3, *p = auth;
	while (p < end && *p != '/' && *p != '?' && *p != '#')
		p++;
	size_t alen = (size_t)(p - auth);
	const char *path = p;
	while (p < end && *p != '?' && *p != '#')
		p++;
	size_t plen = (size_t)(p - path);
	if (p < end && *p == '?' && p + 1 < end && p[1] != '#')
		return 0;                         /* a query string */
	if (alen == 0)
		return 0;
	/* the port, when given, is a number below 65536 */
	const char *hend = auth + alen, *port = NULL;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', alen);
		if (!close)
			return 0;
		if (close + 1 < hend) {
			if (close[1] != ':')
				return 0;
			port = close + 2;
		}
	} else {
		const char *c = memchr(auth, ':', alen);
		if (c)
			port = c + 1;
	}
	if (port) {
		unsigned long v = 0;
		if (port == hend)
			return 0;
		for (const char *q = port; q < hend; q++) {
			if (*q < '0' || *q > '9' || (v = v * 10 + (unsigned)(*q - '0')) > 65535)
				return 0;
		}
	}
	/* normalizedPath: the path with a leading and a trailing '/' */
	int lead = plen == 0 || path[0] != '/';
	int trail = plen == 0 || path[plen - 1] != '/';
	if (plen == 0)
		trail = 0;
	size_t nlen = plen + (size_t)lead + (size_t)trail;
	char *np = w_alloc(x, nlen + 1);
	val *rec = w_alloc(x, 10 * sizeof *rec);
	if (!np || !rec)
		return no_room(x);
	size_t k = 0;
	if (lead)
		np[k++] = '/';
	memcpy(np + k, path, plen);
	k += plen;
	if (trail)
		np[k++] = '/';
	np[k] = '\0';
	rec[0] = v_cstr("scheme");         rec[1] = v_str(s, slen);
	rec[2] = v_cstr("authority");      rec[3] = v_str(auth, alen);
	rec[4] = v_cstr("path");           rec[5] = v_str(path, plen);
	rec[6] = v_cstr("normalizedPath"); rec[7] = v_str(np, nlen);
	rec[8] = v_cstr("isIp");           rec[9] = v_bool(host_is_ip(auth, alen));
	*out = (val){ V_REC, 0, 5, { .a = rec } };
	return 0;
}

/* uriEncode(value): RFC 3986 percent-encoding of all but unreserved. */
static int fn_uri_encode(ev *x, const val *a, val *out)
{
	*out = v_unset();
	if (a->k != V_STR)
		return 0;
	char *d = w_alloc(x, (size_t)a->n * 3 + 1);
	if (!d)
		return no_room(x);
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (uint32_t i = 0; i < a->n; i++) {       /* bound: the string */
		unsigned char c = (unsigned char)a->u.s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~') {
			d[k++] = (char)c;
		} else {
			d[k++] = '%';
			d[k++] = hex[c >> 4];
			d[k++] = hex[c & 15];
		}
	}
	d[k] = '\0';
	*out = v_str(d, k);
	return 0;
}

/* substring(value, start, stop, reverse): ASCII only. */
static void fn_substring(const val *a, val *out)
{
	*out = v_unset();
	if (a[0].k != V_STR || a[1].k != V_INT || a[2].k != V_INT)
		return;
	int32_t start = a[1].u.i, stop = a[2].u.i;
	int rev = a[3].k == V_BOOL && a[3].b;
	if (start < 0 || start >= stop || (uint32_t)stop > a[0].n)
		return;
	for (uint32_t i = 0; i < a[0].n; i++)       /* bound: the string */
		if ((unsigned char)a[0].u.s[i] >= 0x80)
			return;
	uint32_t from = rev ? a[0].n - (uint32_t)stop : (uint32_t)start;
	*out = v_str(a[0].u.s + from, (size_t)(stop - start));
}

/* split(value, delimiter, limit): limit 0 = all parts, else at most
 * limit parts (the last keeps the rest). */
static int fn_split(ev *x, const val *a, val *out)
{
	*out = v_unset();
	if (a[0].k != V_STR || a[1].k != V_STR || a[2].k != V_INT ||
	    a[1].n == 0 || a[2].u.i < 0)
		return 0;
	const char *s = a[0].u.s, *d = a[1].u.s;
	uint32_t n = a[0].n, dn = a[1].n;
	uint32_t limit = (uint32_t)a[2].u.i;
	/* count the parts first */
	uint32_t parts = 1;
	for (uint32_t i = 0; i + dn <= n && (limit == 0 || parts < limit);) {
		if (memcmp(s + i, d, dn) == 0) {
			parts++;
			i += dn;
		} else {
			i++;
		}
	}
	val *v = w_alloc(x, parts * sizeof *v);
	if (!v)
		return no_room(x);
	uint32_t k = 0, st = 0;
	for (uint32_t i = 0; i + dn <= n && k + 1 < parts;) { /* bound: n */
		if (memcmp(s + i, d, dn) == 0) {
			v[k++] = v_str(s + st, i - st);
			i += dn;
			st = i;
		} else {
			i++;
		}
	}
	v[k++] = v_str(s + st, n - st);
	*out = (val){ V_ARR, 0, k, { .a = v } };
	return 0;
}

/* ---- expressions ----------------------------------------------------- */

static int eval(ev *x, uint32_t ni, val *out);

/* A template: its parts are STR, REF or GETATTR-of-REF (checked at open),
 * none of which takes scratch, so the result is written in one piece. */
static int eval_tpl(ev *x, const alc_rules_node *nd, val *out)
{
	const uint32_t *o = x->ops + nd->a;
	val parts[ALC_RULES_MAX_OPERANDS];
	size_t total = 0;
	for (uint32_t i = 0; i < nd->n; i++) {     /* bound: n <= 255 */
		int rc = eval(x, o[i], &parts[i]);
		if (rc)
			return rc;
		if (parts[i].k != V_STR)
			return ev_fail(x, AL_EINVAL, "endpoint: template part %u is %s, "
			               "not a string", i,
			               parts[i].k == V_UNSET ? "unset" : "a non-string");
		total += parts[i].n;
	}
	char *d = w_alloc(x, total + 1);
	if (!d)
		return no_room(x);
	size_t k = 0;
	for (uint32_t i = 0; i < nd->n; i++) {
		memcpy(d + k, parts[i].u.s, parts[i].n);
		k += parts[i].n;
	}
	d[k] = '\0';
	*out = v_str(d, k);
	return 0;
}

static int eval_fn(ev *x, const alc_rules_node *nd, val *out)
{
	const uint32_t *o = x->ops + nd->a;
	val a[4];
	int rc;
	*out = v_unset();
	/* the lazy ones first */
	if (nd->op == ALC_RX_FN_COALESCE) {
		for (uint32_t i = 0; i < nd->n; i++) {  /* bound: n <= 255 */
			if ((rc = eval(x, o[i], out)))
				return rc;
			if (out->k != V_UNSET)
				return 0;
		}
		return 0;
	}
	if (nd->op == ALC_RX_FN_ITE) {
		if ((rc = eval(x, o[0], &a[0])))
			return rc;
		return eval(x, o[a[0].k == V_BOOL && a[0].b ? 1 : 2], out);
	}
	for (uint32_t i = 0; i < nd->n && i < 4; i++) /* arity <= 4 (checked) */
		if ((rc = eval(x, o[i], &a[i])))
			return rc;
	switch (nd->op) {
	case ALC_RX_FN_IS_SET:
		*out = v_bool(a[0].k != V_UNSET);
		return 0;
	case ALC_RX_FN_NOT:
		*out = v_bool(!is_truthy(&a[0]));
		return 0;
	case ALC_RX_FN_BOOLEAN_EQUALS:
		*out = v_bool(a[0].k == V_BOOL && a[1].k == V_BOOL &&
		              a[0].b == a[1].b);
		return 0;
	case ALC_RX_FN_STRING_EQUALS:
		*out = v_bool(a[0].k == V_STR && a[1].k == V_STR &&
		              a[0].n == a[1].n &&
		              memcmp(a[0].u.s, a[1].u.s, a[0].n) == 0);
		return 0;
	case ALC_RX_FN_PARTITION:
		return fn_partition(x, &a[0], out);
	case ALC_RX_FN_PARSE_ARN:
		return fn_parse_arn(x, &a[0], out);
	case ALC_RX_FN_IS_VIRTUAL_HOSTABLE_S3_BUCKET:
		*out = v_bool(a[0].k == V_STR &&
		              s3_bucket_ok(a[0].u.s, a[0].n,
		                           a[1].k == V_BOOL && a[1].b));
		return 0;
	case ALC_RX_FN_PARSE_URL:
		return fn_parse_url(x, &a[0], out);
	case ALC_RX_FN_SUBSTRING:
		fn_substring(a, out);
		return 0;
	case ALC_RX_FN_URI_ENCODE:
		return fn_uri_encode(x, &a[0], out);
	case ALC_RX_FN_IS_VALID_HOST_LABEL:
		*out = v_bool(a[0].k == V_STR &&
		              valid_host_label(a[0].u.s, a[0].n,
		                               a[1].k == V_BOOL && a[1].b));
		return 0;
	case ALC_RX_FN_SPLIT:
		return fn_split(x, a, out);
	default:
		return ev_fail(x, AL_ECORRUPT, "endpoint: unknown function op %u",
		               nd->op);
	}
}

/* Recursion depth is bounded by the expression's size (<= 255 nodes,
 * checked at open), whatever sharing the node graph has. */
static int eval(ev *x, uint32_t ni, val *out)
{
	const alc_rules_node *nd = &x->nodes[ni];
	const uint32_t *o = x->ops + nd->a;
	int rc;
	switch (nd->op) {
	case ALC_RX_STR:
		*out = v_cstr(x->strs + nd->a);
		return 0;
	case ALC_RX_BOOL:
		*out = v_bool(nd->a != 0);
		return 0;
	case ALC_RX_INT:
		*out = (val){ V_INT, 0, 0, { .i = (int32_t)nd->a } };
		return 0;
	case ALC_RX_REF:
		*out = x->vars[nd->a];
		return 0;
	case ALC_RX_TPL:
		return eval_tpl(x, nd, out);
	case ALC_RX_GETATTR: {
		val v;
		if ((rc = eval(x, o[0], &v)))
			return rc;
		for (uint32_t i = 0; i < nd->n && v.k != V_UNSET; i++) {
			uint32_t st = o[1 + i];
			if (st & ALC_RULES_STEP_INDEX) {
				uint32_t ix = st & ~ALC_RULES_STEP_INDEX;
				v = v.k == V_ARR && ix < v.n ? v.u.a[ix] : v_unset();
			} else {
				const char *key = x->strs + st;
				const val *f = rec_get(&v, key, strlen(key));
				v = f ? *f : v_unset();
			}
		}
		*out = v;
		return 0;
	}
	case ALC_RX_ARRAY: {
		val *items = w_alloc(x, (size_t)(nd->n ? nd->n : 1) * sizeof *items);
		if (!items)
			return no_room(x);
		for (uint32_t i = 0; i < nd->n; i++)
			if ((rc = eval(x, o[i], &items[i])))
				return rc;
		*out = (val){ V_ARR, 0, nd->n, { .a = items } };
		return 0;
	}
	case ALC_RX_RECORD: {
		val *e = w_alloc(x, (size_t)(nd->n ? nd->n : 1) * 2 * sizeof *e);
		if (!e)
			return no_room(x);
		for (uint32_t i = 0; i < nd->n; i++) {
			e[2 * i] = v_cstr(x->strs + o[2 * i]);
			if ((rc = eval(x, o[2 * i + 1], &e[2 * i + 1])))
				return rc;
		}
		*out = (val){ V_REC, 0, nd->n, { .a = e } };
		return 0;
	}
	default:
		return eval_fn(x, nd, out);
	}
}

/* ---- the result ------------------------------------------------------ */

typedef struct outw {
	rt_endpoint *e;
	int full;
} outw;

static void o_put(outw *w, const char *s, size_t n)
{
	if (w->full || n > RT_EP_BUF - 1 - w->e->used) {
		w->full = 1;
		return;
	}
	memcpy(w->e->buf + w->e->used, s, n);
	w->e->used += (uint32_t)n;
}

/* Start a NUL-terminated string in the buffer; returns its offset. */
static uint16_t o_start(outw *w)
{
	return (uint16_t)w->e->used;
}
static void o_end(outw *w)
{
	o_put(w, "", 1);
}

static uint16_t o_str(outw *w, const char *s, size_t n)
{
	uint16_t at = o_start(w);
	o_put(w, s, n);
	o_end(w);
	return at;
}

static void o_json_str(outw *w, const char *s, size_t n)
{
	o_put(w, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {           /* bound: n */
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		o_put(w, s + run, i - run);
		char esc[8];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else
			snprintf(esc, sizeof esc, "\\u%04x", c);
		o_put(w, esc, strlen(esc));
		run = i + 1;
	}
	o_put(w, s + run, n - run);
	o_put(w, "\"", 1);
}

/* Compact JSON of V.  Depth: values nest as deep as the record/array
 * nodes of one expression (<= 255). */
static void o_json(outw *w, const val *v)
{
	char num[16];
	switch (v->k) {
	case V_BOOL:
		o_put(w, v->b ? "true" : "false", v->b ? 4 : 5);
		break;
	case V_INT:
		snprintf(num, sizeof num, "%d", v->u.i);
		o_put(w, num, strlen(num));
		break;
	case V_STR:
		o_json_str(w, v->u.s, v->n);
		break;
	case V_ARR:
		o_put(w, "[", 1);
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				o_put(w, ",", 1);
			o_json(w, &v->u.a[i]);
		}
		o_put(w, "]", 1);
		break;
	case V_REC:
		o_put(w, "{", 1);
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				o_put(w, ",", 1);
			o_json_str(w, v->u.a[2 * i].u.s, v->u.a[2 * i].n);
			o_put(w, ":", 1);
			o_json(w, &v->u.a[2 * i + 1]);
		}
		o_put(w, "}", 1);
		break;
	default:
		o_put(w, "null", 4);
		break;
	}
}

static uint16_t o_field(outw *w, const val *rec, const char *key)
{
	const val *f = rec_get(rec, key, strlen(key));
	if (f && f->k == V_STR)
		return o_str(w, f->u.s, f->n);
	return o_str(w, "", 0);
}

static void o_auth(outw *w, const val *props)
{
	rt_endpoint *e = w->e;
	const val *schemes = rec_get(props, "authSchemes", 11);
	if (!schemes || schemes->k != V_ARR)
		return;
	for (uint32_t i = 0; i < schemes->n && e->nauth < RT_EP_MAX_AUTH; i++) {
		const val *s = &schemes->u.a[i];
		if (s->k != V_REC)
			continue;
		rt_endpoint_auth *a = &e->auth[e->nauth++];
		memset(a, 0, sizeof *a);
		a->name = o_field(w, s, "name");
		a->signing_name = o_field(w, s, "signingName");
		a->signing_region = o_field(w, s, "signingRegion");
		const val *set = rec_get(s, "signingRegionSet", 16);
		a->signing_region_set = o_start(w);
		if (set && set->k == V_ARR)
			for (uint32_t k = 0; k < set->n; k++) {
				if (set->u.a[k].k != V_STR)
					continue;
				if (k)
					o_put(w, ",", 1);
				o_put(w, set->u.a[k].u.s, set->u.a[k].n);
			}
		o_end(w);
		const val *dde = rec_get(s, "disableDoubleEncoding", 21);
		a->disable_double_encoding = (int8_t)(dde && dde->k == V_BOOL ? dde->b : -1);
	}
}

static int emit_endpoint(ev *x, const alc_rules_rule *ru, rt_endpoint *e)
{
	outw w = { e, 0 };
	val url;
	int rc;
	if ((rc = eval(x, ru->x, &url)))
		return rc;
	if (url.k != V_STR)
		return ev_fail(x, AL_EINVAL, "endpoint: the rule's url is not a string");
	e->url = o_str(&w, url.u.s, url.n);
	e->properties = o_start(&w);
	if (ru->y != ALC_RULES_NONE) {
		val props;
		if ((rc = eval(x, ru->y, &props)))
			return rc;
		o_json(&w, &props);
		o_end(&w);
		o_auth(&w, &props);
	} else {
		o_put(&w, "{}", 3);
	}
	if (ru->z != ALC_RULES_NONE) {
		val hd;
		if ((rc = eval(x, ru->z, &hd)))
			return rc;
		for (uint32_t i = 0; i < hd.n; i++) {
			const val *k = &hd.u.a[2 * i], *vs = &hd.u.a[2 * i + 1];
			for (uint32_t j = 0; vs->k == V_ARR && j < vs->n; j++) {
				if (vs->u.a[j].k != V_STR)
					return ev_fail(x, AL_EINVAL, "endpoint: header %.*s: "
					               "value %u is not a string", (int)k->n,
					               k->u.s, j);
				if (e->nheaders == RT_EP_MAX_HEADERS)
					return ev_fail(x, AL_ETOOBIG, "endpoint: more than %u "
					               "header values", RT_EP_MAX_HEADERS);
				rt_endpoint_header *h = &e->headers[e->nheaders++];
				h->name = o_str(&w, k->u.s, k->n);
				h->value = o_str(&w, vs->u.a[j].u.s, vs->u.a[j].n);
			}
		}
	}
	if (w.full)
		return ev_fail(x, AL_ETOOBIG, "endpoint: result larger than %u bytes",
		               (unsigned)RT_EP_BUF);
	return 0;
}

/* ---- rules ----------------------------------------------------------- */

/* Evaluate rules [FIRST, FIRST+COUNT) in order.  Returns 0 with *DONE set
 * when one decided (endpoint written), an error code otherwise, or 0 with
 * *DONE clear when none matched.  Depth: tree nesting (<= 64, checked at
 * open); every rule is visited at most once. */
static int eval_rules(ev *x, uint32_t first, uint32_t count, rt_endpoint *e,
                      int *done)
{
	for (uint32_t r = first; r < first + count; r++) {
		const alc_rules_rule *ru = &x->rules[r];
		size_t mark = x->w->used;
		uint32_t slot = ru->slot_base;
		int ok = 1, rc;
		for (uint32_t c = 0; c < ru->ncond && ok; c++) {
			const alc_rules_cond *cd = &x->conds[ru->first_cond + c];
			size_t cmark = x->w->used;
			val v;
			if ((rc = eval(x, cd->node, &v)))
				return rc;
			ok = is_truthy(&v);
			if (cd->assign)
				x->vars[slot++] = v;
			else
				x->w->used = cmark;
		}
		if (!ok) {
			x->w->used = mark;
			continue;
		}
		if (ru->kind == ALC_RK_ENDPOINT) {
			*done = 1;
			return emit_endpoint(x, ru, e);
		}
		if (ru->kind == ALC_RK_ERROR) {
			val msg;
			if ((rc = eval(x, ru->x, &msg)))
				return rc;
			*done = 1;
			if (msg.k != V_STR)
				return ev_fail(x, AL_ENOTFOUND, "endpoint rule error");
			return ev_fail(x, AL_ENOTFOUND, "%.*s", (int)msg.n, msg.u.s);
		}
		/* a tree is terminal: once its conditions hold, one of its
		 * rules must decide */
		if ((rc = eval_rules(x, ru->x, ru->y, e, done)))
			return rc;
		if (!*done) {
			*done = 1;
			return ev_fail(x, AL_ENOTFOUND, "endpoint: no rule matched (the "
			               "rule set's tree %u has no matching rule)", r);
		}
		return 0;
	}
	return 0;
}

/* ---- parameters into slots ------------------------------------------- */

static int fill_params(ev *x, const uint8_t *blob, const rt_endpoint_params *in)
{
	const alc_rules_header *h = alc_rules_hdr(blob);
	const alc_rules_param *pp = alc_rules_params(blob);
	for (uint32_t i = 0; i < h->param_count; i++) { /* bound: <= 255 */
		const alc_rules_param *rp = &pp[i];
		const char *name = x->strs + rp->name;
		const char *bname = rp->builtin == ALC_RB_OTHER
			? x->strs + rp->builtin_name
			: alc_rules_builtin_name(rp->builtin);
		const rt_endpoint_value *best = NULL;
		for (uint16_t j = 0; j < in->n; j++) {  /* bound: RT_EP_MAX_PARAMS */
			const rt_endpoint_value *v = &in->v[j];
			const char *vn = in->text + v->name;
			int match = v->level == RT_EP_BUILTIN
				? bname && vn[0] == bname[0] && strcmp(vn, bname) == 0
				: vn[0] == name[0] && strcmp(vn, name) == 0;
			if (match && (!best || v->level >= best->level))
				best = v;
		}
		val *slot = &x->vars[i];
		*slot = v_unset();
		if (best) {
			if (best->type != rp->type) {
				static const char *const tn[] = { "?", "string", "boolean",
				                                  "string array" };
				return ev_fail(x, AL_EINVAL, "endpoint parameter '%s' is a "
				               "%s, got a %s", name,
				               tn[rp->type <= 3 ? rp->type : 0],
				               tn[best->type <= 3 ? best->type : 0]);
			}
			if (best->type == RT_EP_STRING) {
				*slot = v_str(in->text + best->value, best->count);
			} else if (best->type == RT_EP_BOOL) {
				*slot = v_bool(best->value);
			} else {
				val *it = w_alloc(x, (size_t)(best->count ? best->count : 1) *
				                     sizeof *it);
				if (!it)
					return no_room(x);
				for (uint16_t k = 0; k < best->count; k++)
					it[k] = v_cstr(in->text + in->items[best->value + k]);
				*slot = (val){ V_ARR, 0, best->count, { .a = it } };
			}
		} else if (rp->flags & ALC_RPF_DEFAULT) {
			if (rp->type == ALC_RPT_STRING)
				*slot = v_cstr(x->strs + rp->deflt);
			else if (rp->type == ALC_RPT_BOOLEAN)
				*slot = v_bool(rp->deflt != 0);
			else {
				int rc = eval(x, rp->deflt, slot);
				if (rc)
					return rc;
			}
		}
		if (slot->k == V_UNSET && (rp->flags & ALC_RPF_REQUIRED))
			return ev_fail(x, AL_EINVAL, "endpoint parameter '%s' is required "
			               "and has no value", name);
	}
	for (uint32_t i = h->param_count; i < h->var_count; i++)
		x->vars[i] = v_unset();
	return 0;
}

int rt_endpoint_resolve(const alc_catalog *cat, const alc_service *svc,
                        const rt_endpoint_params *in, rt_endpoint *out,
                        char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	out->url = out->properties = 0;
	out->nheaders = out->nauth = 0;
	out->used = 0;
	out->buf[0] = '\0';
	out->work.used = 0;
	ev x;
	memset(&x, 0, sizeof x);
	x.err = err;
	x.errlen = errlen;
	x.w = &out->work;
	if (in->err)
		return ev_fail(&x, AL_EINVAL, "endpoint: the parameters did not fit "
		               "(%s)", al_strerror(in->err));
	if (!svc->rules_size)
		return ev_fail(&x, AL_EUNSUPPORTED, "endpoint: service %s has no "
		               "endpoint rule set", alc_str(cat, svc->key));
	const uint8_t *blob = cat->rules + svc->rules_offset;
	const alc_rules_header *h = alc_rules_hdr(blob);
	x.strs = cat->strs;
	x.partitions = cat->partitions;
	x.nodes = alc_rules_nodes(blob);
	x.ops = alc_rules_ops(blob);
	x.conds = alc_rules_conds(blob);
	x.rules = alc_rules_rules(blob);
	x.vars = w_alloc(&x, (size_t)(h->var_count ? h->var_count : 1) *
	                     sizeof *x.vars);
	if (!x.vars)
		return no_room(&x);
	int rc = fill_params(&x, blob, in);
	if (rc)
		return rc;
	int done = 0;
	rc = eval_rules(&x, 0, h->root_count, out, &done);
	if (!rc && !done)
		rc = ev_fail(&x, AL_ENOTFOUND, "endpoint: no rule matched");
	return rc;
}

/* ---- binding an operation's parameters ------------------------------- */

typedef struct jm {
	rt_endpoint_params *p;
	const char *name;        /* the parameter */
	int is_list;             /* a projection, flatten, multi-select or
	                            keys() ran, or the result is an array */
	uint16_t first;          /* first item of the list */
	uint16_t n;              /* items */
	const cJSON *scalar;     /* the single non-list result */
	int rc;
	const char *why;         /* parse error */
} jm;

static void jm_item(jm *s, const char *str)
{
	if (s->rc)
		return;
	uint16_t off;
	if (s->p->nitems >= RT_EP_MAX_ITEMS ||
	    p_text(s->p, str, strlen(str), &off)) {
		s->rc = AL_ETOOBIG;
		return;
	}
	s->p->items[s->p->nitems++] = off;
	s->n++;
}

static void jm_leaf(jm *s, const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return;
	if (cJSON_IsArray(v)) {
		s->is_list = 1;
		const cJSON *it;
		cJSON_ArrayForEach(it, v)
			if (cJSON_IsString(it))
				jm_item(s, it->valuestring);
		return;
	}
	if (cJSON_IsString(v))
		jm_item(s, v->valuestring);
	if (!s->scalar)
		s->scalar = v;
}

static const char *jm_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* The ']' or ')' closing the bracket that opened just before P. */
static const char *jm_close(const char *p, const char *end)
{
	int depth = 0;
	for (; p < end; p++) {                     /* bound: the path */
		if (*p == '[' || *p == '(')
			depth++;
		else if (*p == ']' || *p == ')') {
			if (depth == 0)
				return p;
			depth--;
		}
	}
	return NULL;
}

/* The top-level ',' of a multi-select list, or END. */
static const char *jm_comma(const char *p, const char *end)
{
	int depth = 0;
	for (; p < end; p++) {
		if (*p == '[' || *p == '(')
			depth++;
		else if (*p == ']' || *p == ')')
			depth--;
		else if (*p == ',' && depth == 0)
			return p;
	}
	return end;
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Field B[0, N) of object OBJ (cJSON has no length-taking lookup). */
static const cJSON *jm_field(const cJSON *obj, const char *b, size_t n)
{
	const cJSON *it;
	if (!cJSON_IsObject(obj))
		return NULL;
	cJSON_ArrayForEach(it, obj)                /* bound: members */
		if (strlen(it->string) == n && memcmp(it->string, b, n) == 0)
			return it;
	return NULL;
}

/* A plain field path "a.b.c" in [P, END) on CUR: one value or NULL.  Sets
 * *BAD when the text is not such a path. */
static const cJSON *jm_simple(const char *p, const char *end,
                              const cJSON *cur, int *bad)
{
	p = jm_ws(p, end);
	while (p < end && cur) {                   /* bound: the path */
		const char *b = p;
		while (p < end && is_ident(*p))
			p++;
		if (p == b) {
			*bad = 1;
			return NULL;
		}
		cur = jm_field(cur, b, (size_t)(p - b));
		p = jm_ws(p, end);
		if (p < end) {
			if (*p != '.') {
				*bad = 1;
				return NULL;
			}
			p = jm_ws(p + 1, end);
		}
	}
	return cur;
}

/* Evaluate PATH[p, end) on CUR, streaming the results to S: the subset
 * field, .field, [n], [*], [], [a, b.c] and keys(a.b).  Depth: one level
 * per projection in the path (<= 16). */
static void jm_eval(jm *s, const char *p, const char *end, const cJSON *cur,
                    int depth)
{
	if (s->rc || s->why)
		return;
	if (depth > 16) {
		s->why = "nested too deeply";
		return;
	}
	for (;;) {                                 /* bound: the path */
		p = jm_ws(p, end);
		if (p >= end) {
			jm_leaf(s, cur);
			return;
		}
		if (!cur || cJSON_IsNull(cur))
			return;
		if (*p == '.') {
			p++;
			continue;
		}
		if (end - p > 5 && memcmp(p, "keys(", 5) == 0) {
			const char *close = jm_close(p + 5, end);
			int bad = 0;
			if (!close || jm_ws(close + 1, end) != end) {
				s->why = "keys(...) must end the path";
				return;
			}
			const cJSON *obj = jm_simple(p + 5, close, cur, &bad);
			if (bad) {
				s->why = "keys() takes a field path";
				return;
			}
			s->is_list = 1;
			const cJSON *it;
			if (cJSON_IsObject(obj))
				cJSON_ArrayForEach(it, obj)
					jm_item(s, it->string);
			return;
		}
		if (*p == '[') {
			const char *close = jm_close(p + 1, end);
			if (!close) {
				s->why = "unclosed '['";
				return;
			}
			const char *in = jm_ws(p + 1, close);
			if (in == close || (*in == '*' && jm_ws(in + 1, close) == close)) {
				/* [] flatten or [*] projection: the rest runs on each
				 * element (flatten also opens nested arrays) */
				int flatten = in == close;
				s->is_list = 1;
				if (!cJSON_IsArray(cur)) {
					if (flatten)
						jm_eval(s, close + 1, end, cur, depth + 1);
					return;
				}
				const cJSON *it;
				cJSON_ArrayForEach(it, cur) {
					if (flatten && cJSON_IsArray(it)) {
						const cJSON *sub;
						cJSON_ArrayForEach(sub, it)
							jm_eval(s, close + 1, end, sub, depth + 1);
					} else {
						jm_eval(s, close + 1, end, it, depth + 1);
					}
				}
				return;
			}
			if ((*in >= '0' && *in <= '9') || *in == '-') {
				char *stop;
				long ix = strtol(in, &stop, 10);
				if (jm_ws(stop, close) != close) {
					s->why = "bad index";
					return;
				}
				int n = cJSON_GetArraySize(cur);
				if (ix < 0)
					ix += n;
				cur = cJSON_IsArray(cur) && ix >= 0 && ix < n
					? cJSON_GetArrayItem(cur, (int)ix) : NULL;
				p = close + 1;
				continue;
			}
			/* multi-select list [a, b.c]: each entry's value, then the
			 * rest of the path on it */
			s->is_list = 1;
			const char *q = in;
			while (q < close) {                /* bound: entries */
				const char *c = jm_comma(q, close);
				int bad = 0;
				const cJSON *v = jm_simple(q, c, cur, &bad);
				if (bad) {
					s->why = "multi-select entries must be field paths";
					return;
				}
				jm_eval(s, close + 1, end, v, depth + 1);
				q = c < close ? c + 1 : close;
			}
			return;
		}
		if (is_ident(*p)) {
			const char *b = p;
			while (p < end && is_ident(*p))
				p++;
			cur = jm_field(cur, b, (size_t)(p - b));
			continue;
		}
		s->why = "unsupported JMESPath syntax";
		return;
	}
}

int rt_endpoint_params_for_operation(const alc_catalog *cat,
                                     const alc_operation *op,
                                     const cJSON *input,
                                     rt_endpoint_params *p,
                                     char *err, size_t errlen)
{
	int rc = 0;
	if (err && errlen)
		err[0] = '\0';
	/* staticContextParams first, then operationContextParams */
	for (uint32_t i = 0; i < op->param_count && !rc; i++) {
		const alc_param *pr = &cat->params[op->first_param + i];
		const char *name = alc_str(cat, pr->name);
		const char *value = alc_str(cat, pr->value);
		if (pr->kind == ALC_PARAM_STATIC_CONTEXT) {
			cJSON *j = cJSON_Parse(value);
			if (cJSON_IsString(j)) {
				rc = rt_endpoint_set_string_at(p, RT_EP_OPERATION, name,
				                               j->valuestring,
				                               strlen(j->valuestring));
			} else if (cJSON_IsBool(j)) {
				rc = rt_endpoint_set_bool_at(p, RT_EP_OPERATION, name,
				                             cJSON_IsTrue(j));
			} else if (cJSON_IsArray(j)) {
				const char *items[RT_EP_MAX_ITEMS];
				size_t n = 0;
				const cJSON *it;
				cJSON_ArrayForEach(it, j)
					if (cJSON_IsString(it) && n < RT_EP_MAX_ITEMS)
						items[n++] = it->valuestring;
				rc = rt_endpoint_set_string_array_at(p, RT_EP_OPERATION, name,
				                                     items, n);
			}
			cJSON_Delete(j);
			if (rc && err)
				snprintf(err, errlen, "endpoint: static parameter %s: %s",
				         name, al_strerror(rc));
		}
	}
	for (uint32_t i = 0; i < op->param_count && !rc; i++) {
		const alc_param *pr = &cat->params[op->first_param + i];
		if (pr->kind != ALC_PARAM_OPERATION_CONTEXT || !input)
			continue;
		const char *name = alc_str(cat, pr->name);
		const char *path = alc_str(cat, pr->value);
		jm s = { p, name, 0, 0, 0, NULL, 0, NULL };
		s.first = p->nitems;
		jm_eval(&s, path, path + strlen(path), input, 0);
		if (s.why) {
			if (err)
				snprintf(err, errlen, "endpoint: operationContextParams %s: "
				         "path '%s': %s", name, path, s.why);
			return p_fail(p, AL_EINVAL);
		}
		if (s.rc) {
			rc = p_fail(p, s.rc);
			if (err)
				snprintf(err, errlen, "endpoint: operationContextParams %s: "
				         "%s", name, al_strerror(rc));
			break;
		}
		if (s.is_list) {
			/* the items are already in place: bind them */
			int r2;
			rt_endpoint_value *v = p_slot(p, RT_EP_OPERATION, name, &r2);
			if (!v) {
				rc = p_fail(p, r2);
				break;
			}
			v->type = RT_EP_STRING_ARRAY;
			v->value = s.first;
			v->count = s.n;
		} else if (s.scalar && cJSON_IsString(s.scalar)) {
			p->nitems = s.first;       /* the string is not a list item */
			rc = rt_endpoint_set_string_at(p, RT_EP_OPERATION, name,
			                               s.scalar->valuestring,
			                               strlen(s.scalar->valuestring));
		} else if (s.scalar && cJSON_IsBool(s.scalar)) {
			rc = rt_endpoint_set_bool_at(p, RT_EP_OPERATION, name,
			                             cJSON_IsTrue(s.scalar));
		}
	}
	/* contextParam members of the input */
	if (!rc && input && op->input != ALC_NONE) {
		const alc_shape *sh = &cat->shapes[op->input];
		for (uint32_t i = 0; i < sh->member_count && !rc; i++) {
			const alc_member *m = &cat->members[sh->first_member + i];
			const alc_member_ext *x = alc_member_ext_of(cat, m);
			if (!x || !x->context_param)
				continue;
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(input,
			                                                  alc_str(cat, m->name));
			const char *name = alc_str(cat, x->context_param);
			if (cJSON_IsString(v))
				rc = rt_endpoint_set_string_at(p, RT_EP_OPERATION, name,
				                               v->valuestring,
				                               strlen(v->valuestring));
			else if (cJSON_IsBool(v))
				rc = rt_endpoint_set_bool_at(p, RT_EP_OPERATION, name,
				                             cJSON_IsTrue(v));
		}
	}
	if (rc && err && !err[0])
		snprintf(err, errlen, "endpoint: binding the operation's parameters: %s",
		         al_strerror(rc));
	return rc;
}
