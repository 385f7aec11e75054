/*
 * rt_proto.c -- see rt_proto.h.  The helpers every protocol shares:
 * buffers, header and query lists, response headers, errors and their
 * modeled shapes, base64, timestamps, doubles, host prefixes, Content-MD5.
 *
 * Buffers grow by doubling (amortised O(1) appends) and keep a NUL after
 * the last byte, so text built in them can be handed to C string functions
 * without another copy.  Allocation failures are sticky in ->err.
 */
#include "rt_proto.h"

#include <bearssl.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"
#include "rt_sigv4.h"

/* ---- rt_buf ---------------------------------------------------------- */

void rt_buf_init(rt_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void rt_buf_free(rt_buf *b)
{
	free(b->p);
	rt_buf_init(b);
}

void rt_buf_reset(rt_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Room for N more bytes and the NUL. */
static int buf_reserve(rt_buf *b, size_t n)
{
	if (b->err)
		return -1;
	if (n >= SIZE_MAX / 2 - b->len) {
		b->err = AL_ENOMEM;
		return -1;
	}
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->err = AL_ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void rt_buf_put(rt_buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len))
		return;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void rt_buf_puts(rt_buf *b, const char *s)
{
	rt_buf_put(b, s, strlen(s));
}

void rt_buf_putc(rt_buf *b, char c)
{
	if (buf_reserve(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void rt_buf_printf(rt_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		rt_buf_put(b, small, (size_t)n);
		return;
	}
	if (buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rt_buf_put_uri(rt_buf *b, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	if (buf_reserve(b, len * 3))
		return;
	char *o = b->p + b->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		    (c == '/' && keep_slash)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
}

/* ---- rt_kvlist ------------------------------------------------------- */

void rt_kvlist_init(rt_kvlist *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
	l->err = 0;
}

void rt_kvlist_free(rt_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	rt_kvlist_init(l);
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void rt_kvlist_add(rt_kvlist *l, const char *name, size_t nlen, const char *value, size_t vlen)
{
	if (l->err)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		rt_kv *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			l->err = AL_ENOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	char *n = dup_n(name, nlen);
	char *v = value ? dup_n(value, vlen) : NULL;
	if (!n || (value && !v)) {
		free(n);
		free(v);
		l->err = AL_ENOMEM;
		return;
	}
	l->v[l->n].name = n;
	l->v[l->n].value = v;
	l->n++;
}

void rt_kvlist_adds(rt_kvlist *l, const char *name, const char *value)
{
	rt_kvlist_add(l, name, strlen(name), value, value ? strlen(value) : 0);
}

const rt_kv *rt_kvlist_find(const rt_kvlist *l, const char *name, int nocase)
{
	for (size_t i = 0; i < l->n; i++)
		if (nocase ? strcasecmp(l->v[i].name, name) == 0 : strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* ---- request --------------------------------------------------------- */

void rt_proto_request_init(rt_proto_request *r)
{
	memcpy(r->method, "POST", 5);
	rt_buf_init(&r->path);
	rt_kvlist_init(&r->query);
	rt_kvlist_init(&r->headers);
	rt_buf_init(&r->body);
	rt_buf_init(&r->host_prefix);
	r->flags = 0;
}

void rt_proto_request_free(rt_proto_request *r)
{
	if (r->body.p)
		rt_wipe(r->body.p, r->body.cap);
	rt_buf_free(&r->path);
	rt_kvlist_free(&r->query);
	rt_kvlist_free(&r->headers);
	rt_buf_free(&r->body);
	rt_buf_free(&r->host_prefix);
	rt_proto_request_init(r);
}

void rt_proto_query_string(const rt_proto_request *r, rt_buf *out)
{
	for (size_t i = 0; i < r->query.n; i++) {
		const rt_kv *kv = &r->query.v[i];
		if (i)
			rt_buf_putc(out, '&');
		rt_buf_put_uri(out, kv->name, strlen(kv->name), 0);
		if (kv->value) {
			rt_buf_putc(out, '=');
			rt_buf_put_uri(out, kv->value, strlen(kv->value), 0);
		}
	}
}

/* ---- response headers ----------------------------------------------- */

int rt_proto_header_next(const rt_proto_response *r, size_t *pos, const char **name,
                         size_t *nlen, const char **value, size_t *vlen)
{
	const char *h = r->headers;
	size_t n = r->headers ? r->headers_len : 0;
	while (*pos < n) {
		size_t i = *pos, e = i;
		while (e < n && h[e] != '\n')
			e++;
		*pos = e < n ? e + 1 : n;
		size_t le = e;
		if (le > i && h[le - 1] == '\r')
			le--;
		const char *colon = memchr(h + i, ':', le - i);
		if (!colon || colon == h + i)
			continue;              /* the status line, or junk */
		size_t ne = (size_t)(colon - h);
		while (ne > i && (h[ne - 1] == ' ' || h[ne - 1] == '\t'))
			ne--;
		size_t vs = (size_t)(colon - h) + 1;
		while (vs < le && (h[vs] == ' ' || h[vs] == '\t'))
			vs++;
		size_t ve = le;
		while (ve > vs && (h[ve - 1] == ' ' || h[ve - 1] == '\t'))
			ve--;
		*name = h + i;
		*nlen = ne - i;
		*value = h + vs;
		*vlen = ve - vs;
		return 1;
	}
	return 0;
}

const char *rt_proto_header(const rt_proto_response *r, const char *name, size_t *len)
{
	size_t pos = 0, nl, vl, want = strlen(name);
	const char *n, *v;
	while (rt_proto_header_next(r, &pos, &n, &nl, &v, &vl))
		if (nl == want && strncasecmp(n, name, nl) == 0) {
			*len = vl;
			return v;
		}
	return NULL;
}

/* ---- errors ---------------------------------------------------------- */

void rt_proto_error_init(rt_proto_error *e)
{
	memset(e, 0, sizeof *e);
	e->shape = ALC_NONE;
}

void rt_proto_error_free(rt_proto_error *e)
{
	cJSON_Delete(e->fields);
	rt_proto_error_init(e);
}

void rt_proto_error_set(rt_proto_error *e, int kind, const char *code, const char *fmt, ...)
{
	e->kind = kind;
	if (code)
		snprintf(e->code, sizeof e->code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case RT_PERR_SERVICE: return "service";
	case RT_PERR_MALFORMED: return "malformed-response";
	case RT_PERR_TRANSPORT: return "transport";
	case RT_PERR_CLIENT: return "client";
	default: return "none";
	}
}

cJSON *rt_proto_error_json(const alc_catalog *cat, const rt_proto_error *e)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int ok = cJSON_AddStringToObject(o, "code", e->code) &&
	         cJSON_AddStringToObject(o, "message", e->message) &&
	         cJSON_AddStringToObject(o, "request_id", e->request_id) &&
	         cJSON_AddNumberToObject(o, "http_status", (double)e->http_status) &&
	         cJSON_AddBoolToObject(o, "retryable", e->retryable) &&
	         cJSON_AddStringToObject(o, "kind", kind_name(e->kind));
	if (ok && e->throttling)
		ok = cJSON_AddBoolToObject(o, "throttling", 1) != NULL;
	if (ok && cat && e->shape != ALC_NONE && e->shape < cat->nshapes) {
		char id[512];
		snprintf(id, sizeof id, "%s#%s", alc_shape_ns(cat, e->shape),
		         alc_str(cat, cat->shapes[e->shape].name));
		ok = cJSON_AddStringToObject(o, "type", id) != NULL;
	}
	if (ok && e->fields) {
		cJSON *f = cJSON_Duplicate(e->fields, 1);
		ok = f && cJSON_AddItemToObject(o, "fields", f);
		if (!ok)
			cJSON_Delete(f);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void rt_proto_error_code(const char *raw, size_t len, char *out, size_t cap)
{
	const char *s = raw, *e = raw + len;
	for (const char *p = raw; p < e; p++)
		if (*p == ':') {
			e = p;
			break;
		}
	for (const char *p = e; p > s; p--)
		if (p[-1] == '#') {
			s = p;
			break;
		}
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	size_t n = (size_t)(e - s);
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int error_matches(const alc_catalog *cat, uint32_t sh, const char *code, int by_query)
{
	const alc_shape *s = &cat->shapes[sh];
	if (by_query && s->ext != ALC_NONE) {
		const char *qc = alc_str(cat, cat->shext[s->ext].error_code);
		if (*qc)
			return strcmp(qc, code) == 0;
	}
	return strcmp(alc_str(cat, s->name), code) == 0;
}

uint32_t rt_proto_find_error(const alc_catalog *cat, const alc_operation *op, const char *code,
                             int by_query_code)
{
	if (!code || !*code)
		return ALC_NONE;
	for (uint32_t i = 0; i < op->error_count; i++) {
		uint32_t sh = cat->u32[op->first_error + i];
		if (error_matches(cat, sh, code, by_query_code))
			return sh;
	}
	const alc_service *svc = &cat->svcs[op->service];
	for (uint32_t i = 0; i < svc->error_count; i++) {
		uint32_t sh = cat->u32[svc->first_error + i];
		if (error_matches(cat, sh, code, by_query_code))
			return sh;
	}
	return ALC_NONE;
}

void rt_proto_error_model(const alc_catalog *cat, const alc_operation *op, rt_proto_error *e,
                          int by_query_code)
{
	uint32_t sh = rt_proto_find_error(cat, op, e->code, by_query_code);
	if (sh == ALC_NONE)
		return;
	e->shape = sh;
	uint32_t f = cat->shapes[sh].flags;
	if (f & (ALC_SH_RETRYABLE | ALC_SH_THROTTLING))
		e->retryable = 1;
	if (f & ALC_SH_THROTTLING)
		e->throttling = 1;
}

/* ---- the vtables ----------------------------------------------------- */

const rt_proto *rt_proto_for(int protocol)
{
	switch (protocol) {
	case ALC_PROTO_AWSJSON1_0: return &rt_proto_awsjson1_0;
	case ALC_PROTO_AWSJSON1_1: return &rt_proto_awsjson1_1;
	case ALC_PROTO_RESTJSON1: return &rt_proto_restjson1;
	case ALC_PROTO_RESTXML: return &rt_proto_restxml;
	case ALC_PROTO_AWSQUERY: return &rt_proto_awsquery;
	case ALC_PROTO_EC2QUERY: return &rt_proto_ec2query;
	default: return NULL;
	}
}

/* ---- base64 ---------------------------------------------------------- */

void rt_base64_encode(rt_buf *out, const void *data, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *d = data;
	if (buf_reserve(out, (len + 2) / 3 * 4))
		return;
	char *o = out->p + out->len;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = tab[(v >> 6) & 63];
		*o++ = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < len ? (unsigned)d[i + 1] << 8 : 0u);
		*o++ = tab[v >> 18];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

int rt_base64_decode(rt_buf *out, const char *s, size_t len)
{
	if (buf_reserve(out, len / 4 * 3 + 3))
		return out->err;
	unsigned v = 0;
	int n = 0, pad = 0;
	size_t start = out->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int x = b64val(c);
		if (x < 0 || pad) {
			out->len = start;
			out->p[start] = '\0';
			return AL_EINVAL;
		}
		v = v << 6 | (unsigned)x;
		if (++n == 4) {
			out->p[out->len++] = (char)(v >> 16);
			out->p[out->len++] = (char)(v >> 8);
			out->p[out->len++] = (char)v;
			n = 0;
			v = 0;
		}
	}
	if (n == 1 || pad > 2 || (pad && (n + pad) != 4)) {
		out->len = start;
		out->p[start] = '\0';
		return AL_EINVAL;
	}
	if (n == 2) {
		out->p[out->len++] = (char)(v >> 4);
	} else if (n == 3) {
		out->p[out->len++] = (char)(v >> 10);
		out->p[out->len++] = (char)(v >> 2);
	}
	out->p[out->len] = '\0';
	return 0;
}

/* ---- timestamps ------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil: exact for every int64 year range we accept). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static const char *const month_names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const day_names[7] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };

/* Reads exactly N digits at *P into *V. */
static int digits(const char **p, const char *e, int n, unsigned *v)
{
	unsigned x = 0;
	for (int i = 0; i < n; i++) {
		if (*p >= e || !isdigit((unsigned char)**p))
			return -1;
		x = x * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	*v = x;
	return 0;
}

/* ".123456789" at *P: nanoseconds (extra digits dropped). */
static int32_t fraction(const char **p, const char *e)
{
	int32_t ns = 0;
	int k = 0;
	if (*p < e && **p == '.') {
		(*p)++;
		while (*p < e && isdigit((unsigned char)**p)) {
			if (k < 9) {
				ns = ns * 10 + (**p - '0');
				k++;
			}
			(*p)++;
		}
		while (k < 9 && k > 0) {
			ns *= 10;
			k++;
		}
	}
	return ns;
}

static int valid_ymdhms(unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

static int parse_datetime(const char *p, const char *e, rt_ts *t)
{
	unsigned y, mo, d, h, mi, s;
	if (digits(&p, e, 4, &y) || p >= e || *p++ != '-' || digits(&p, e, 2, &mo) || p >= e ||
	    *p++ != '-' || digits(&p, e, 2, &d) || p >= e || (*p != 'T' && *p != 't' && *p != ' '))
		return AL_EINVAL;
	p++;
	if (digits(&p, e, 2, &h) || p >= e || *p++ != ':' || digits(&p, e, 2, &mi) || p >= e ||
	    *p++ != ':' || digits(&p, e, 2, &s))
		return AL_EINVAL;
	if (p < e && *p == '.' && (p + 1 >= e || !isdigit((unsigned char)p[1])))
		return AL_EINVAL;
	int32_t ns = fraction(&p, e);
	int64_t off = 0;
	if (p < e && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < e && (*p == '+' || *p == '-')) {
		int sign = *p++ == '-' ? -1 : 1;
		unsigned oh, om;
		if (digits(&p, e, 2, &oh) || p >= e || *p++ != ':' || digits(&p, e, 2, &om) ||
		    oh > 23 || om > 59)
			return AL_EINVAL;
		off = sign * (int64_t)(oh * 3600 + om * 60);
	} else {
		return AL_EINVAL;
	}
	if (p != e || !valid_ymdhms(mo, d, h, mi, s))
		return AL_EINVAL;
	t->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off;
	t->nsec = ns;
	return 0;
}

static int month_of(const char *p, const char *e)
{
	if (e - p < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(p, month_names[i], 3) == 0)
			return i + 1;
	return -1;
}

static void skip_sp(const char **p, const char *e)
{
	while (*p < e && **p == ' ')
		(*p)++;
}

/* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" (fraction allowed), RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994". */
static int parse_httpdate(const char *p, const char *e, rt_ts *t)
{
	while (p < e && isalpha((unsigned char)*p))
		p++;                     /* day name, ignored */
	unsigned y = 0, d = 0, h, mi, s;
	int mo;
	int32_t ns = 0;
	if (p < e && *p == ',') {
		p++;
		skip_sp(&p, e);
		const char *ds = p;
		while (p < e && isdigit((unsigned char)*p))
			p++;
		if (p - ds < 1 || p - ds > 2 || p >= e)
			return AL_EINVAL;
		d = (unsigned)atoi(ds);
		int dash = *p == '-';
		if (*p != ' ' && *p != '-')
			return AL_EINVAL;
		p++;
		if ((mo = month_of(p, e)) < 0)
			return AL_EINVAL;
		p += 3;
		if (p >= e || *p != (dash ? '-' : ' '))
			return AL_EINVAL;
		p++;
		const char *ys = p;
		while (p < e && isdigit((unsigned char)*p))
			p++;
		if (p - ys == 2) {
			y = (unsigned)atoi(ys);
			y += y < 70 ? 2000 : 1900;
		} else if (p - ys == 4) {
			y = (unsigned)atoi(ys);
		} else {
			return AL_EINVAL;
		}
		skip_sp(&p, e);
		if (digits(&p, e, 2, &h) || p >= e || *p++ != ':' || digits(&p, e, 2, &mi) ||
		    p >= e || *p++ != ':' || digits(&p, e, 2, &s))
			return AL_EINVAL;
		ns = fraction(&p, e);
		skip_sp(&p, e);
		if (e - p != 3 || strncmp(p, "GMT", 3) != 0)
			return AL_EINVAL;
	} else {
		skip_sp(&p, e);
		if ((mo = month_of(p, e)) < 0)
			return AL_EINVAL;
		p += 3;
		skip_sp(&p, e);
		const char *ds = p;
		while (p < e && isdigit((unsigned char)*p))
			p++;
		if (p - ds < 1 || p - ds > 2)
			return AL_EINVAL;
		d = (unsigned)atoi(ds);
		skip_sp(&p, e);
		if (digits(&p, e, 2, &h) || p >= e || *p++ != ':' || digits(&p, e, 2, &mi) ||
		    p >= e || *p++ != ':' || digits(&p, e, 2, &s))
			return AL_EINVAL;
		skip_sp(&p, e);
		if (digits(&p, e, 4, &y) || p != e)
			return AL_EINVAL;
	}
	if (!valid_ymdhms((unsigned)mo, d, h, mi, s))
		return AL_EINVAL;
	t->sec = days_from_civil(y, (unsigned)mo, d) * 86400 + h * 3600 + mi * 60 + s;
	t->nsec = ns;
	return 0;
}

static int time_from_double(double x, rt_ts *t)
{
	if (!isfinite(x) || fabs(x) > 1e14)
		return AL_EINVAL;
	double f = floor(x);
	/* microseconds: what a double holds for dates near now */
	int64_t us = (int64_t)llround((x - f) * 1e6);
	t->sec = (int64_t)f;
	if (us >= 1000000) {
		t->sec++;
		us -= 1000000;
	}
	t->nsec = (int32_t)(us * 1000);
	return 0;
}

static int parse_epoch(const char *p, const char *e, rt_ts *t)
{
	char tmp[64];
	size_t n = (size_t)(e - p);
	if (n == 0 || n >= sizeof tmp)
		return AL_EINVAL;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	/* Exact path for "123" and "123.456": no double rounding. */
	const char *q = tmp;
	int neg = *q == '-';
	if (neg)
		q++;
	if (isdigit((unsigned char)*q)) {
		const char *r = q;
		int64_t sec = 0;
		while (isdigit((unsigned char)*r) && sec < INT64_MAX / 10 - 10)
			sec = sec * 10 + (*r++ - '0');
		int32_t ns = fraction(&r, tmp + n);
		if (*r == '\0') {
			if (neg) {
				sec = -sec;
				if (ns) {
					sec--;
					ns = 1000000000 - ns;
				}
			}
			t->sec = sec;
			t->nsec = ns;
			return 0;
		}
	}
	char *end;
	errno = 0;
	double x = strtod(tmp, &end);
	if (*end || errno)
		return AL_EINVAL;
	return time_from_double(x, t);
}

int rt_ts_parse(const char *s, size_t len, int fmt, rt_ts *t)
{
	const char *p = s, *e = s + len;
	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	switch (fmt) {
	case ALC_TS_DATE_TIME: return parse_datetime(p, e, t);
	case ALC_TS_HTTP_DATE: return parse_httpdate(p, e, t);
	case ALC_TS_EPOCH_SECONDS: return parse_epoch(p, e, t);
	default: return AL_EINVAL;
	}
}

int rt_ts_from_json(const cJSON *v, rt_ts *t)
{
	if (cJSON_IsNumber(v))
		return time_from_double(v->valuedouble, t);
	if (!cJSON_IsString(v) || !v->valuestring)
		return AL_EINVAL;
	size_t n = strlen(v->valuestring);
	if (rt_ts_parse(v->valuestring, n, ALC_TS_DATE_TIME, t) == 0)
		return 0;
	if (rt_ts_parse(v->valuestring, n, ALC_TS_HTTP_DATE, t) == 0)
		return 0;
	return rt_ts_parse(v->valuestring, n, ALC_TS_EPOCH_SECONDS, t);
}

/* Digits of NS without trailing zeros, after a '.'; at most MAXD digits. */
static size_t frac_text(int32_t ns, int maxd, char *out)
{
	if (maxd < 9) {
		int32_t div = 1;
		for (int i = maxd; i < 9; i++)
			div *= 10;
		ns /= div;
	}
	if (ns == 0)
		return 0;
	char d[10];
	snprintf(d, sizeof d, "%0*d", maxd, (int)ns);
	size_t k = (size_t)maxd;
	while (k > 0 && d[k - 1] == '0')
		k--;
	out[0] = '.';
	memcpy(out + 1, d, k);
	return k + 1;
}

size_t rt_ts_format(const rt_ts *t, int fmt, char *out, size_t cap)
{
	int64_t days = t->sec >= 0 ? t->sec / 86400 : -((-t->sec + 86399) / 86400);
	int64_t rem = t->sec - days * 86400;
	int64_t y;
	unsigned mo, d;
	civil_from_days(days, &y, &mo, &d);
	unsigned h = (unsigned)(rem / 3600), mi = (unsigned)(rem / 60 % 60), s = (unsigned)(rem % 60);
	char fr[12];
	size_t fl;
	int n;
	switch (fmt) {
	case ALC_TS_HTTP_DATE: {
		int wd = (int)(((days % 7) + 7) % 7);
		n = snprintf(out, cap, "%s, %02u %s %04lld %02u:%02u:%02u GMT", day_names[wd], d,
		             month_names[mo - 1], (long long)y, h, mi, s);
		break;
	}
	case ALC_TS_EPOCH_SECONDS:
		fl = frac_text(t->nsec, 3, fr);
		n = snprintf(out, cap, "%lld%.*s", (long long)t->sec, (int)fl, fr);
		break;
	default:
		fl = frac_text(t->nsec, 9, fr);
		n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u%.*sZ", (long long)y, mo, d,
		             h, mi, s, (int)fl, fr);
		break;
	}
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

cJSON *rt_ts_to_json(const rt_ts *t)
{
	char b[48];
	rt_ts_format(t, ALC_TS_DATE_TIME, b, sizeof b);
	return cJSON_CreateString(b);
}

int rt_proto_ts_format(const alc_catalog *cat, const alc_member *m, uint32_t shape, int deflt)
{
	const alc_member_ext *x = m ? alc_member_ext_of(cat, m) : NULL;
	if (x && x->ts_format)
		return x->ts_format;
	if (shape != ALC_NONE && shape < cat->nshapes && cat->shapes[shape].ts_format)
		return cat->shapes[shape].ts_format;
	return deflt;
}

/* ---- doubles --------------------------------------------------------- */

size_t rt_proto_fmt_double(double d, char *out, size_t cap)
{
	int n;
	if (isnan(d))
		n = snprintf(out, cap, "NaN");
	else if (isinf(d))
		n = snprintf(out, cap, d > 0 ? "Infinity" : "-Infinity");
	else {
		n = 0;
		for (int prec = 15; prec <= 17; prec++) {
			n = snprintf(out, cap, "%.*g", prec, d);
			if (strtod(out, NULL) == d)
				break;
		}
	}
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

int rt_proto_double_from_json(const cJSON *v, double *d)
{
	if (cJSON_IsNumber(v)) {
		*d = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring) {
		if (strcmp(v->valuestring, "NaN") == 0)
			*d = NAN;
		else if (strcmp(v->valuestring, "Infinity") == 0)
			*d = INFINITY;
		else if (strcmp(v->valuestring, "-Infinity") == 0)
			*d = -INFINITY;
		else
			return AL_EINVAL;
		return 0;
	}
	return AL_EINVAL;
}

cJSON *rt_proto_double_to_json(double d)
{
	if (isnan(d))
		return cJSON_CreateString("NaN");
	if (isinf(d))
		return cJSON_CreateString(d > 0 ? "Infinity" : "-Infinity");
	return cJSON_CreateNumber(d);
}

/* ---- members --------------------------------------------------------- */

const alc_member *rt_proto_member(const alc_catalog *cat, uint32_t shape, const char *name,
                                  size_t len)
{
	if (shape == ALC_NONE || shape >= cat->nshapes)
		return NULL;
	const alc_shape *s = &cat->shapes[shape];
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		const char *n = alc_str(cat, m->name);
		if (strncmp(n, name, len) == 0 && n[len] == '\0')
			return m;
	}
	return NULL;
}

/* ---- host prefix ----------------------------------------------------- */

int rt_proto_host_prefix(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                         rt_proto_request *req, char *err, size_t errcap)
{
	const char *p = alc_str(cat, op->host_prefix);
	rt_buf_reset(&req->host_prefix);
	while (*p) {
		const char *open = strchr(p, '{');
		if (!open) {
			rt_buf_puts(&req->host_prefix, p);
			break;
		}
		rt_buf_put(&req->host_prefix, p, (size_t)(open - p));
		const char *close = strchr(open, '}');
		if (!close) {
			snprintf(err, errcap, "hostPrefix \"%s\" has an unclosed label",
			         alc_str(cat, op->host_prefix));
			return AL_EINVAL;
		}
		size_t nl = (size_t)(close - open - 1);
		char name[128];
		if (nl >= sizeof name) {
			snprintf(err, errcap, "hostPrefix label too long");
			return AL_EINVAL;
		}
		memcpy(name, open + 1, nl);
		name[nl] = '\0';
		const cJSON *v = input ? cJSON_GetObjectItemCaseSensitive(input, name) : NULL;
		if (!cJSON_IsString(v) || !v->valuestring[0]) {
			snprintf(err, errcap, "%s: required for the endpoint host prefix", name);
			return AL_EINVAL;
		}
		for (const char *c = v->valuestring; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.') {
				snprintf(err, errcap, "%s: \"%.64s\" is not a valid host label "
				         "(letters, digits, '-' and '.')", name, v->valuestring);
				return AL_EINVAL;
			}
		rt_buf_puts(&req->host_prefix, v->valuestring);
		p = close + 1;
	}
	return req->host_prefix.err;
}

/* ---- checksums ------------------------------------------------------- */

void rt_proto_add_checksum(const alc_catalog *cat, const alc_operation *op,
                           rt_proto_request *req)
{
	(void)cat;
	if (!(op->flags & ALC_OP_CHECKSUM_REQUIRED))
		return;
	for (size_t i = 0; i < req->headers.n; i++) {
		const char *n = req->headers.v[i].name;
		if (strcasecmp(n, "Content-MD5") == 0 || strncasecmp(n, "x-amz-checksum-", 15) == 0)
			return;
	}
	br_md5_context c;
	unsigned char md[16];
	br_md5_init(&c);
	br_md5_update(&c, req->body.p ? req->body.p : "", req->body.len);
	br_md5_out(&c, md);
	rt_buf b64;
	rt_buf_init(&b64);
	rt_base64_encode(&b64, md, sizeof md);
	if (b64.err)
		req->headers.err = AL_ENOMEM;
	else
		rt_kvlist_adds(&req->headers, "Content-MD5", b64.p);
	rt_buf_free(&b64);
}
