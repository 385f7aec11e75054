/*
 * rt_rest.c -- see rt_rest.h.  The HTTP binding rules are Smithy's
 * (https://smithy.io/2.0/spec/http-bindings.html); where the spec leaves a
 * choice, the AWS SDKs' behaviour checked by the protocol tests decides:
 *   - timestamps: labels and query date-time, headers http-date, unless
 *     the member (or the list's member) says otherwise;
 *   - a header list joins items with ", " and quotes an item holding a
 *     comma or a double quote (http-date items never: the spec reads them
 *     back two comma-separated parts at a time);
 *   - httpQueryParams never repeats a key an httpQuery member sent;
 *   - an unset label, or one set to "", is an error: the path would
 *     change meaning.
 */
#include "rt_rest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"

#define BINDING_FLAGS (ALC_M_HTTP_LABEL | ALC_M_HTTP_QUERY | ALC_M_HTTP_QUERY_PARAMS | \
                       ALC_M_HTTP_HEADER | ALC_M_HTTP_PREFIX_HEADERS | ALC_M_HTTP_PAYLOAD | \
                       ALC_M_HTTP_RESPONSE_CODE)

int rt_rest_in_body(const alc_member *m)
{
	return !(m->flags & BINDING_FLAGS);
}

int rt_rest_in_output_body(const alc_member *m)
{
	return !(m->flags & (ALC_M_HTTP_HEADER | ALC_M_HTTP_PREFIX_HEADERS | ALC_M_HTTP_PAYLOAD |
	                     ALC_M_HTTP_RESPONSE_CODE));
}

static const char *loc_name(const alc_catalog *cat, const alc_member *m)
{
	const alc_member_ext *x = alc_member_ext_of(cat, m);
	const char *n = x ? alc_str(cat, x->loc_name) : "";
	return *n ? n : alc_str(cat, m->name);
}

/* httpPrefixHeaders: "" is a prefix too (every header). */
static const char *prefix_of(const alc_catalog *cat, const alc_member *m)
{
	const alc_member_ext *x = alc_member_ext_of(cat, m);
	return x ? alc_str(cat, x->loc_name) : "";
}

static const char *media_type(const alc_catalog *cat, uint32_t shape)
{
	const alc_shape *s = &cat->shapes[shape];
	return s->ext == ALC_NONE ? "" : alc_str(cat, cat->shext[s->ext].media_type);
}

enum where { AT_LABEL, AT_QUERY, AT_HEADER };

/* The text of a scalar VALUE of type TARGET for member M (timestamp format
 * from ELEM, the list's member, first when there is one), appended to OUT.
 * Returns 0 or AL_EINVAL. */
static int scalar_text(const alc_catalog *cat, const alc_member *m, const alc_member *elem,
                       uint32_t target, const cJSON *v, int where, rt_buf *out)
{
	const alc_shape *s = &cat->shapes[target];
	char b[64];
	switch (s->type) {
	case ALC_T_STRING:
	case ALC_T_ENUM:
		if (!cJSON_IsString(v))
			return AL_EINVAL;
		if (where == AT_HEADER && *media_type(cat, target))
			rt_base64_encode(out, v->valuestring, strlen(v->valuestring));
		else
			rt_buf_puts(out, v->valuestring);
		return 0;
	case ALC_T_BLOB:
		if (!cJSON_IsString(v))
			return AL_EINVAL;
		rt_buf_puts(out, v->valuestring);
		return 0;
	case ALC_T_BOOLEAN:
		if (!cJSON_IsBool(v))
			return AL_EINVAL;
		rt_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
		return 0;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER: case ALC_T_INTENUM:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return AL_EINVAL;
		rt_buf_printf(out, "%lld", (long long)v->valuedouble);
		return 0;
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL: {
		double d;
		if (rt_proto_double_from_json(v, &d))
			return AL_EINVAL;
		rt_buf_put(out, b, rt_proto_fmt_double(d, b, sizeof b));
		return 0;
	}
	case ALC_T_TIMESTAMP: {
		rt_ts t;
		if (rt_ts_from_json(v, &t))
			return AL_EINVAL;
		int fmt = elem ? rt_proto_ts_format(cat, elem, ALC_NONE, 0) : 0;
		if (!fmt)
			fmt = rt_proto_ts_format(cat, m, target,
			                         where == AT_HEADER ? ALC_TS_HTTP_DATE : ALC_TS_DATE_TIME);
		rt_buf_put(out, b, rt_ts_format(&t, fmt, b, sizeof b));
		return 0;
	}
	default:
		return AL_EINVAL;
	}
}

static int bad(char *err, size_t errcap, const alc_catalog *cat, const alc_member *m,
               const char *why)
{
	snprintf(err, errcap, "%s: %s", alc_str(cat, m->name), why);
	return AL_EINVAL;
}

/* The path: the URI pattern up to '?', labels substituted. */
static int build_path(const alc_catalog *cat, uint32_t in_shape, const char *uri, size_t n,
                      const cJSON *input, rt_proto_request *req, char *err, size_t errcap)
{
	rt_buf tmp;
	rt_buf_init(&tmp);
	size_t i = 0;
	int rc = 0;
	while (i < n) {
		if (uri[i] != '{') {
			size_t j = i;
			while (j < n && uri[j] != '{')
				j++;
			rt_buf_put(&req->path, uri + i, j - i);
			i = j;
			continue;
		}
		size_t j = i + 1;
		while (j < n && uri[j] != '}')
			j++;
		if (j >= n) {
			snprintf(err, errcap, "the URI pattern has an unclosed label");
			rc = AL_EINVAL;
			break;
		}
		size_t nl = j - i - 1;
		int greedy = nl && uri[i + nl] == '+';
		if (greedy)
			nl--;
		const alc_member *m = rt_proto_member(cat, in_shape, uri + i + 1, nl);
		if (!m) {
			snprintf(err, errcap, "the URI label {%.*s} names no input member", (int)nl,
			         uri + i + 1);
			rc = AL_EINVAL;
			break;
		}
		const cJSON *v = input ? cJSON_GetObjectItemCaseSensitive(input,
		                                                          alc_str(cat, m->name))
		                       : NULL;
		if (!v || cJSON_IsNull(v)) {
			rc = bad(err, errcap, cat, m, "required: it is part of the request path");
			break;
		}
		rt_buf_reset(&tmp);
		if (scalar_text(cat, m, NULL, m->target, v, AT_LABEL, &tmp)) {
			rc = bad(err, errcap, cat, m, "not a value a path label can carry");
			break;
		}
		if (tmp.len == 0) {
			rc = bad(err, errcap, cat, m, "must not be empty: it is part of the request path");
			break;
		}
		rt_buf_put_uri(&req->path, tmp.p, tmp.len, greedy);
		i = j + 1;
	}
	if (!rc && req->path.len == 0)
		rt_buf_putc(&req->path, '/');
	rc = rc ? rc : tmp.err ? tmp.err : req->path.err;
	rt_buf_free(&tmp);
	return rc;
}

/* The constant query of the URI pattern ("a=b&c"), raw. */
static void const_query(const char *q, rt_proto_request *req)
{
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', n);
		if (n) {
			if (eq)
				rt_kvlist_add(&req->query, q, (size_t)(eq - q), eq + 1,
				              n - (size_t)(eq - q) - 1);
			else
				rt_kvlist_add(&req->query, q, n, NULL, 0);
		}
		q += n;
		if (*q == '&')
			q++;
	}
}

static int query_has(const rt_proto_request *req, const char *name)
{
	return rt_kvlist_find(&req->query, name, 0) != NULL;
}

static const alc_member *list_elem(const alc_catalog *cat, uint32_t shape)
{
	const alc_shape *s = &cat->shapes[shape];
	return s->type == ALC_T_LIST ? &cat->members[s->first_member] : NULL;
}

/* Header item quoting for lists of strings. */
static void put_header_item(rt_buf *out, const char *s, size_t n, int quote_ok)
{
	int q = 0;
	for (size_t i = 0; quote_ok && i < n; i++)
		if (s[i] == ',' || s[i] == '"')
			q = 1;
	if (!q) {
		rt_buf_put(out, s, n);
		return;
	}
	rt_buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			rt_buf_putc(out, '\\');
		rt_buf_putc(out, s[i]);
	}
	rt_buf_putc(out, '"');
}

static int header_value(const alc_catalog *cat, const alc_member *m, const cJSON *v,
                        rt_buf *out)
{
	const alc_member *elem = list_elem(cat, m->target);
	if (!elem)
		return scalar_text(cat, m, NULL, m->target, v, AT_HEADER, out);
	if (!cJSON_IsArray(v))
		return AL_EINVAL;
	rt_buf item;
	rt_buf_init(&item);
	int first = 1, rc = 0;
	uint8_t et = cat->shapes[elem->target].type;
	const cJSON *it;
	cJSON_ArrayForEach(it, v) {
		if (cJSON_IsNull(it))
			continue;
		rt_buf_reset(&item);
		if ((rc = scalar_text(cat, m, elem, elem->target, it, AT_HEADER, &item)))
			break;
		if (!first)
			rt_buf_puts(out, ", ");
		first = 0;
		put_header_item(out, item.p ? item.p : "", item.len,
		                et == ALC_T_STRING || et == ALC_T_ENUM);
	}
	if (!rc && item.err)
		rc = item.err;
	rt_buf_free(&item);
	return rc;
}

static int has_crlf(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
			return 1;
	return 0;
}

/* 1 when an httpHeader member of S bound to header NAME is set in INPUT. */
static int header_member_set(const alc_catalog *cat, const alc_shape *s, const cJSON *input,
                             const char *name)
{
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		if (!(m->flags & ALC_M_HTTP_HEADER) || strcasecmp(loc_name(cat, m), name) != 0)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, alc_str(cat, m->name));
		if (v && !cJSON_IsNull(v))
			return 1;
	}
	return 0;
}

/* see rt_rest.h */
int rt_rest_serialize(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                      rt_proto_request *req, rt_rest_body *body, char *err, size_t errcap)
{
	memset(body, 0, sizeof *body);
	const char *method = alc_str(cat, op->http_method);
	snprintf(req->method, sizeof req->method, "%s", *method ? method : "POST");
	const char *uri = alc_str(cat, op->http_uri);
	if (!*uri)
		uri = "/";
	const char *qm = strchr(uri, '?');
	size_t plen = qm ? (size_t)(qm - uri) : strlen(uri);
	uint32_t in = op->input;
	int rc = build_path(cat, in, uri, plen, input, req, err, errcap);
	if (rc)
		return rc;
	if (qm)
		const_query(qm + 1, req);

	rt_buf tmp;
	rt_buf_init(&tmp);
	const alc_shape *s = in == ALC_NONE ? NULL : &cat->shapes[in];
	const alc_member *qparams = NULL;
	for (uint32_t i = 0; s && i < s->member_count && !rc; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		const char *name = alc_str(cat, m->name);
		const cJSON *v = input ? cJSON_GetObjectItemCaseSensitive(input, name) : NULL;
		if (v && cJSON_IsNull(v))
			v = NULL;
		if (m->flags & ALC_M_HTTP_PAYLOAD) {
			body->payload = m;
			body->payload_value = v;
			continue;
		}
		if (rt_rest_in_body(m)) {
			body->body_members = 1;
			if (v)
				body->body_set = 1;
			continue;
		}
		if (!v)
			continue;
		if (m->flags & ALC_M_HTTP_QUERY) {
			const char *key = loc_name(cat, m);
			const alc_member *elem = list_elem(cat, m->target);
			if (elem) {
				const cJSON *it;
				if (!cJSON_IsArray(v)) {
					rc = bad(err, errcap, cat, m, "must be a list");
					break;
				}
				cJSON_ArrayForEach(it, v) {
					rt_buf_reset(&tmp);
					if (cJSON_IsNull(it))
						continue;
					if ((rc = scalar_text(cat, m, elem, elem->target, it, AT_QUERY, &tmp))) {
						bad(err, errcap, cat, m, "an item is not a value a query can carry");
						break;
					}
					rt_kvlist_add(&req->query, key, strlen(key), tmp.p ? tmp.p : "", tmp.len);
				}
			} else {
				rt_buf_reset(&tmp);
				if ((rc = scalar_text(cat, m, NULL, m->target, v, AT_QUERY, &tmp))) {
					bad(err, errcap, cat, m, "not a value a query can carry");
					break;
				}
				rt_kvlist_add(&req->query, key, strlen(key), tmp.p ? tmp.p : "", tmp.len);
			}
		} else if (m->flags & ALC_M_HTTP_QUERY_PARAMS) {
			qparams = m;
		} else if (m->flags & ALC_M_HTTP_HEADER) {
			rt_buf_reset(&tmp);
			if ((rc = header_value(cat, m, v, &tmp))) {
				bad(err, errcap, cat, m, "not a value a header can carry");
				break;
			}
			if (has_crlf(tmp.p ? tmp.p : "", tmp.len)) {
				rc = bad(err, errcap, cat, m, "a header value cannot hold CR, LF or NUL");
				break;
			}
			const char *h = loc_name(cat, m);
			rt_kvlist_add(&req->headers, h, strlen(h), tmp.p ? tmp.p : "", tmp.len);
		} else if (m->flags & ALC_M_HTTP_PREFIX_HEADERS) {
			const char *prefix = prefix_of(cat, m);
			const alc_shape *ms = &cat->shapes[m->target];
			if (!cJSON_IsObject(v) || ms->type != ALC_T_MAP) {
				rc = bad(err, errcap, cat, m, "must be a map of strings");
				break;
			}
			const alc_member *val = &cat->members[ms->first_member + 1];
			const cJSON *it;
			cJSON_ArrayForEach(it, v) {
				rt_buf_reset(&tmp);
				rt_buf_puts(&tmp, prefix);
				rt_buf_puts(&tmp, it->string);
				size_t nl = tmp.len;
				if (cJSON_IsNull(it))
					continue;
				if ((rc = scalar_text(cat, val, NULL, val->target, it, AT_HEADER, &tmp))) {
					bad(err, errcap, cat, m, "a value is not one a header can carry");
					break;
				}
				if (has_crlf(tmp.p, tmp.len)) {
					rc = bad(err, errcap, cat, m, "a header cannot hold CR, LF or NUL");
					break;
				}
				/* a header an httpHeader member sets wins */
				char save = tmp.p[nl];
				tmp.p[nl] = '\0';
				int taken = header_member_set(cat, s, input, tmp.p);
				tmp.p[nl] = save;
				if (!taken)
					rt_kvlist_add(&req->headers, tmp.p, nl, tmp.p + nl, tmp.len - nl);
			}
		}
	}
	/* httpQueryParams last: keys an httpQuery member set win. */
	if (!rc && qparams) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, alc_str(cat, qparams->name));
		const alc_shape *ms = &cat->shapes[qparams->target];
		const alc_member *val = &cat->members[ms->first_member + 1];
		const alc_member *elem = list_elem(cat, val->target);
		const cJSON *it;
		if (!cJSON_IsObject(v))
			rc = bad(err, errcap, cat, qparams, "must be a map");
		else
			cJSON_ArrayForEach(it, v) {
				if (query_has(req, it->string) || cJSON_IsNull(it))
					continue;
				size_t kl = strlen(it->string);
				if (elem && cJSON_IsArray(it)) {
					const cJSON *x;
					cJSON_ArrayForEach(x, it) {
						rt_buf_reset(&tmp);
						if (scalar_text(cat, val, elem, elem->target, x, AT_QUERY, &tmp) == 0)
							rt_kvlist_add(&req->query, it->string, kl, tmp.p ? tmp.p : "",
							              tmp.len);
					}
				} else {
					rt_buf_reset(&tmp);
					if ((rc = scalar_text(cat, val, NULL, val->target, it, AT_QUERY, &tmp))) {
						bad(err, errcap, cat, qparams, "a value is not one a query can carry");
						break;
					}
					rt_kvlist_add(&req->query, it->string, kl, tmp.p ? tmp.p : "", tmp.len);
				}
			}
	}
	if (!rc)
		rc = rt_proto_host_prefix(cat, op, input, req, err, errcap);
	if (!rc && (tmp.err || req->query.err || req->headers.err))
		rc = AL_ENOMEM;
	rt_buf_free(&tmp);
	return rc;
}

/* see rt_rest.h */
int rt_rest_raw_payload(const alc_catalog *cat, const alc_member *m, const cJSON *value,
                        rt_proto_request *req, char *err, size_t errcap)
{
	const alc_shape *s = &cat->shapes[m->target];
	const char *ct = media_type(cat, m->target);
	if (!cJSON_IsString(value))
		return bad(err, errcap, cat, m, "must be a string");
	if (s->type == ALC_T_BLOB) {
		if (rt_base64_decode(&req->body, value->valuestring, strlen(value->valuestring)))
			return bad(err, errcap, cat, m, "must be base64");
		if (!*ct)
			ct = "application/octet-stream";
		if (s->flags & ALC_SH_STREAMING)
			req->flags |= RT_REQ_STREAMING_BODY;
	} else {
		rt_buf_puts(&req->body, value->valuestring);
		if (!*ct)
			ct = "text/plain";
	}
	if (!rt_kvlist_find(&req->headers, "Content-Type", 1))
		rt_kvlist_adds(&req->headers, "Content-Type", ct);
	return req->body.err || req->headers.err ? AL_ENOMEM : 0;
}

/* ---- responses ------------------------------------------------------- */

static cJSON *scalar_json(const alc_catalog *cat, const alc_member *m, const alc_member *elem,
                          uint32_t target, const char *s, size_t len)
{
	const alc_shape *sh = &cat->shapes[target];
	char tmp[128];
	switch (sh->type) {
	case ALC_T_STRING:
	case ALC_T_ENUM: {
		if (*media_type(cat, target)) {
			rt_buf b;
			rt_buf_init(&b);
			cJSON *r = NULL;
			if (rt_base64_decode(&b, s, len) == 0 && !b.err)
				r = cJSON_CreateString(b.p ? b.p : "");
			rt_buf_free(&b);
			return r;
		}
		char *c = malloc(len + 1);
		if (!c)
			return NULL;
		memcpy(c, s, len);
		c[len] = '\0';
		cJSON *r = cJSON_CreateString(c);
		free(c);
		return r;
	}
	case ALC_T_BLOB: {
		char *c = malloc(len + 1);
		if (!c)
			return NULL;
		memcpy(c, s, len);
		c[len] = '\0';
		cJSON *r = cJSON_CreateString(c);
		free(c);
		return r;
	}
	case ALC_T_BOOLEAN:
		if (len == 4 && strncasecmp(s, "true", 4) == 0)
			return cJSON_CreateTrue();
		if (len == 5 && strncasecmp(s, "false", 5) == 0)
			return cJSON_CreateFalse();
		return NULL;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER: case ALC_T_INTENUM: {
		if (len == 0 || len >= sizeof tmp)
			return NULL;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		char *end;
		errno = 0;
		long long x = strtoll(tmp, &end, 10);
		if (*end || errno)
			return NULL;
		return cJSON_CreateNumber((double)x);
	}
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL: {
		if (len == 0 || len >= sizeof tmp)
			return NULL;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		if (strcmp(tmp, "NaN") == 0 || strcmp(tmp, "Infinity") == 0 ||
		    strcmp(tmp, "-Infinity") == 0)
			return cJSON_CreateString(tmp);
		char *end;
		double d = strtod(tmp, &end);
		if (*end)
			return NULL;
		return rt_proto_double_to_json(d);
	}
	case ALC_T_TIMESTAMP: {
		int fmt = elem ? rt_proto_ts_format(cat, elem, ALC_NONE, 0) : 0;
		if (!fmt)
			fmt = rt_proto_ts_format(cat, m, target, ALC_TS_HTTP_DATE);
		rt_ts t;
		if (rt_ts_parse(s, len, fmt, &t))
			return NULL;
		return rt_ts_to_json(&t);
	}
	default:
		return NULL;
	}
}

/* Next item of a header list at *P: quoted ("a\"b") or up to the next
 * comma, trimmed.  Unquoted into OUT. */
static int next_item(const char **p, const char *e, rt_buf *out)
{
	while (*p < e && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p >= e)
		return 0;
	rt_buf_reset(out);
	if (**p == '"') {
		(*p)++;
		while (*p < e && **p != '"') {
			if (**p == '\\' && *p + 1 < e)
				(*p)++;
			rt_buf_putc(out, **p);
			(*p)++;
		}
		if (*p < e)
			(*p)++;
		while (*p < e && **p != ',')
			(*p)++;
	} else {
		const char *s = *p;
		while (*p < e && **p != ',')
			(*p)++;
		const char *t = *p;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		rt_buf_put(out, s, (size_t)(t - s));
	}
	if (*p < e)
		(*p)++;                  /* the comma */
	if (!out->p)
		rt_buf_put(out, "", 0);
	return 1;
}

/* see rt_rest.h */
cJSON *rt_rest_header_to_json(const alc_catalog *cat, const alc_member *m, const char *s,
                              size_t len)
{
	const alc_member *elem = list_elem(cat, m->target);
	if (!elem)
		return scalar_json(cat, m, NULL, m->target, s, len);
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return NULL;
	const char *p = s, *e = s + len;
	rt_buf item;
	rt_buf_init(&item);
	int fmt = 0;
	if (cat->shapes[elem->target].type == ALC_T_TIMESTAMP) {
		fmt = rt_proto_ts_format(cat, elem, ALC_NONE, 0);
		if (!fmt)
			fmt = rt_proto_ts_format(cat, m, elem->target, ALC_TS_HTTP_DATE);
	}
	while (p < e) {
		cJSON *x;
		if (fmt == ALC_TS_HTTP_DATE) {
			/* "Mon, 16 Dec 2019 23:48:18 GMT, Tue, ..." : two parts each */
			const char *c = memchr(p, ',', (size_t)(e - p));
			if (c)
				c = memchr(c + 1, ',', (size_t)(e - c - 1));
			const char *end = c ? c : e;
			while (p < end && *p == ' ')
				p++;
			x = scalar_json(cat, m, elem, elem->target, p, (size_t)(end - p));
			p = c ? c + 1 : e;
		} else {
			if (!next_item(&p, e, &item))
				break;
			x = scalar_json(cat, m, elem, elem->target, item.p, item.len);
		}
		if (!x) {
			cJSON_Delete(arr);
			arr = NULL;
			break;
		}
		cJSON_AddItemToArray(arr, x);
	}
	rt_buf_free(&item);
	return arr;
}

/* see rt_rest.h */
int rt_rest_parse_bindings(const alc_catalog *cat, uint32_t shape,
                           const rt_proto_response *resp, cJSON *out,
                           const alc_member **payload, rt_proto_error *e)
{
	if (payload)
		*payload = NULL;
	if (shape == ALC_NONE)
		return 0;
	const alc_shape *s = &cat->shapes[shape];
	rt_buf joined;
	rt_buf_init(&joined);
	int rc = 0;
	for (uint32_t i = 0; i < s->member_count && !rc; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		const char *name = alc_str(cat, m->name);
		if (m->flags & ALC_M_HTTP_PAYLOAD) {
			if (payload)
				*payload = m;
		} else if (m->flags & ALC_M_HTTP_RESPONSE_CODE) {
			cJSON_AddNumberToObject(out, name, (double)resp->status);
		} else if (m->flags & ALC_M_HTTP_HEADER) {
			const char *h = loc_name(cat, m);
			size_t pos = 0, nl, vl, want = strlen(h);
			const char *n, *v;
			int found = 0;
			rt_buf_reset(&joined);
			while (rt_proto_header_next(resp, &pos, &n, &nl, &v, &vl))
				if (nl == want && strncasecmp(n, h, nl) == 0) {
					if (found)
						rt_buf_puts(&joined, ", ");
					rt_buf_put(&joined, v, vl);
					found = 1;
				}
			if (!found)
				continue;
			cJSON *x = rt_rest_header_to_json(cat, m, joined.p ? joined.p : "", joined.len);
			if (!x) {
				rt_proto_error_set(e, RT_PERR_MALFORMED, "MalformedResponse",
				                   "header %s does not parse as member %s", h, name);
				rc = AL_EPROTO;
				break;
			}
			cJSON_AddItemToObject(out, name, x);
		} else if (m->flags & ALC_M_HTTP_PREFIX_HEADERS) {
			const char *prefix = prefix_of(cat, m);
			size_t pl = strlen(prefix), pos = 0, nl, vl;
			const char *n, *v;
			const alc_shape *ms = &cat->shapes[m->target];
			const alc_member *val = &cat->members[ms->first_member + 1];
			/* an empty map when no header has the prefix (as botocore) */
			cJSON *map = cJSON_AddObjectToObject(out, name);
			if (!map) {
				rc = AL_ENOMEM;
				break;
			}
			while (rt_proto_header_next(resp, &pos, &n, &nl, &v, &vl)) {
				if (nl < pl || strncasecmp(n, prefix, pl) != 0)
					continue;
				char key[256];
				size_t kl = nl - pl < sizeof key - 1 ? nl - pl : sizeof key - 1;
				memcpy(key, n + pl, kl);
				key[kl] = '\0';
				cJSON *x = scalar_json(cat, val, NULL, val->target, v, vl);
				if (x)
					cJSON_AddItemToObject(map, key, x);
			}
		}
	}
	rt_buf_free(&joined);
	return rc;
}

/* see rt_rest.h */
int rt_rest_parse_raw_payload(const alc_catalog *cat, const alc_member *m,
                              const rt_proto_response *resp, cJSON *out)
{
	const alc_shape *s = &cat->shapes[m->target];
	if (resp->body_len == 0)
		return 0;
	rt_buf b;
	rt_buf_init(&b);
	if (s->type == ALC_T_BLOB)
		rt_base64_encode(&b, resp->body, resp->body_len);
	else
		rt_buf_put(&b, resp->body, resp->body_len);
	int rc = b.err;
	if (!rc && !cJSON_AddStringToObject(out, alc_str(cat, m->name), b.p))
		rc = AL_ENOMEM;
	rt_buf_free(&b);
	return rc;
}
