/*
 * rt_sigv4.c -- see rt_sigv4.h.
 *
 * One signature is one pass over the request:
 *
 *   1. header entries (the request's, plus X-Amz-Date, X-Amz-Security-Token
 *      and x-amz-content-sha256 in header form) into the workspace, sorted
 *      by lowercase name (ties by request order, so repeated names keep
 *      their order without a stable sort);
 *   2. the signed-header list, then the scope, then every query parameter
 *      decoded and re-encoded into the workspace (plus the X-Amz-* ones in
 *      query form), sorted by key then value;
 *   3. the canonical request, its SHA-256, the string to sign, the signing
 *      key (four HMACs from "AWS4" + secret) and the signature;
 *   4. the Authorization value, or the query parameters to append.
 *
 * The workspace is carved as: header entries and their index, query entries
 * and their index (8-byte aligned), then text.  All writes go through a
 * bounded writer whose overflow is sticky (BearSSL-style), checked once.
 */
#include "rt_sigv4.h"

#include <bearssl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alc_err.h"

/* ---- primitives ----------------------------------------------------- */

void rt_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

int rt_ct_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned)(x[i] ^ y[i]);
	return d == 0;
}

int rt_ct_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && rt_ct_equal(a, b, la);
}

static const char hexdig[] = "0123456789abcdef";
static const char HEXDIG[] = "0123456789ABCDEF";

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void rt_sha256_hex(const void *data, size_t len, char hex[65])
{
	br_sha256_context c;
	unsigned char d[32];
	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, d);
	to_hex(d, 32, hex);
}

void rt_sha1_hex(const void *data, size_t len, char hex[41])
{
	br_sha1_context c;
	unsigned char d[20];
	br_sha1_init(&c);
	br_sha1_update(&c, data, len);
	br_sha1_out(&c, d);
	to_hex(d, 20, hex);
}

void rt_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                    unsigned char out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, msg, msg_len);
	br_hmac_out(&hc, out);
	rt_wipe(&kc, sizeof kc);
	rt_wipe(&hc, sizeof hc);
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

size_t rt_sigv4_uri_encode(const char *s, size_t len, int keep_slash, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			if (n < cap)
				out[n] = (char)c;
			n++;
		} else {
			char e[3] = { '%', HEXDIG[c >> 4], HEXDIG[c & 15] };
			for (int k = 0; k < 3; k++, n++)
				if (n < cap)
					out[n] = e[k];
		}
	}
	return n;
}

/* ---- bounded writer ------------------------------------------------- */

typedef struct wbuf {
	char *p;
	size_t len, cap;
	int over;                 /* sticky: once set, nothing more is written */
} wbuf;

static void put(wbuf *w, const void *s, size_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = 1;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void put1(wbuf *w, char c)
{
	if (w->over || w->len == w->cap) {
		w->over = 1;
		return;
	}
	w->p[w->len++] = c;
}

static void puts_(wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_enc(wbuf *w, const char *s, size_t n, int keep_slash)
{
	if (w->over)
		return;
	size_t need = rt_sigv4_uri_encode(s, n, keep_slash, w->p + w->len, w->cap - w->len);
	if (need > w->cap - w->len)
		w->over = 1;
	else
		w->len += need;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode S[0..N) and encode the result, in one pass. */
static void put_reenc(wbuf *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !w->over; i++) {
		char c = s[i];
		int h, l;
		if (c == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
			c = (char)(h << 4 | l);
			i += 2;
		}
		put_enc(w, &c, 1, 0);
	}
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int isws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- sorting -------------------------------------------------------- */

typedef int (*cmp_fn)(const void *ctx, uint32_t a, uint32_t b);

static void sift_down(uint32_t *v, size_t root, size_t n, cmp_fn cmp, const void *ctx)
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && cmp(ctx, v[c], v[c + 1]) < 0)
			c++;
		if (cmp(ctx, v[root], v[c]) >= 0)
			return;
		uint32_t t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

/* Heapsort: no allocation, O(n log n) worst case.  CMP must be a total
 * order (ties broken by index), so the result does not depend on the
 * algorithm's instability. */
static void sort_idx(uint32_t *v, size_t n, cmp_fn cmp, const void *ctx)
{
	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n, cmp, ctx);
	for (size_t end = n - 1; end > 0; end--) {
		uint32_t t = v[0];
		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end, cmp, ctx);
	}
}

typedef struct hent {
	const char *name, *value;
	size_t name_len, value_len;
	int sign;                  /* 0: added after signing (omitted token) */
} hent;

typedef struct qent {
	size_t koff, klen, voff, vlen; /* encoded key and value in the text area */
} qent;

static int cmp_lower(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)lower(a[i]), y = (unsigned char)lower(b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return la < lb ? -1 : la > lb;
}

static int cmp_hent(const void *ctx, uint32_t a, uint32_t b)
{
	const hent *h = ctx;
	int c = cmp_lower(h[a].name, h[a].name_len, h[b].name, h[b].name_len);
	return c ? c : (a < b ? -1 : a > b);
}

typedef struct qctx {
	const qent *q;
	const char *text;
} qctx;

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb;
	int c = n ? memcmp(a, b, n) : 0;
	return c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : la > lb);
}

static int cmp_qent(const void *ctx, uint32_t a, uint32_t b)
{
	const qctx *c = ctx;
	const qent *x = &c->q[a], *y = &c->q[b];
	int r = cmp_bytes(c->text + x->koff, x->klen, c->text + y->koff, y->klen);
	if (!r)
		r = cmp_bytes(c->text + x->voff, x->vlen, c->text + y->voff, y->vlen);
	return r ? r : (a < b ? -1 : a > b);
}

/* ---- the signer ----------------------------------------------------- */

static size_t count_params(const char *q, size_t n)
{
	size_t k = 1;
	for (size_t i = 0; i < n; i++)
		k += q[i] == '&';
	return k;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

size_t rt_sigv4_buffer_size(const rt_sigv4_request *req, const rt_sigv4_params *p)
{
	size_t nh = req->nheaders + 3, nq = count_params(req->query, req->query_len) + 6;
	size_t hdr = 0, names = 0;
	for (size_t i = 0; i < req->nheaders; i++) {
		hdr += req->headers[i].name_len + req->headers[i].value_len + 2;
		names += req->headers[i].name_len + 1;
	}
	size_t tok = slen(p->session_token), akid = slen(p->access_key_id);
	size_t scope = 8 + slen(p->region) + slen(p->service) + 16;
	size_t sh = names + 64;
	size_t presign = 3 * (akid + 1 + scope) + 3 * sh + 3 * tok + 256;
	size_t qtext = 3 * req->query_len + presign + nq;
	size_t creq = slen(req->method) + 3 * req->path_len + 8 + qtext + hdr + tok + 256 + sh + 80;
	size_t sts = 64 + scope + 65;
	size_t auth = 128 + akid + scope + sh + 65;
	return 8 + ALIGN8(nh * (sizeof(hent) + sizeof(uint32_t))) +
	       ALIGN8(nq * (sizeof(qent) + sizeof(uint32_t))) + sh + scope + qtext + creq + sts +
	       auth + presign + 64;
}

/* Headers a proxy or the HTTP stack may change, never signed (botocore's and
 * aws-c-auth's lists agree on these). */
static int unsigned_header(const char *n, size_t l)
{
	static const char *const skip[] = { "user-agent", "expect", "transfer-encoding",
		                            "x-amzn-trace-id" };
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (l == strlen(skip[i]) && strncasecmp(n, skip[i], l) == 0)
			return 1;
	return 0;
}

/* Headers only the signer may set. */
static int signer_header(const char *n, size_t l)
{
	static const char *const own[] = { "authorization", "x-amz-date", "x-amz-security-token",
		                           "x-amz-content-sha256" };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (l == strlen(own[i]) && strncasecmp(n, own[i], l) == 0)
			return 1;
	return 0;
}

static void put_uri(wbuf *w, const char *path, size_t n, unsigned flags)
{
	int enc = !(flags & RT_SIGV4_NO_DOUBLE_ENCODE);
	if (n == 0) {
		put1(w, '/');
		return;
	}
	if (!(flags & RT_SIGV4_NORMALIZE_PATH)) {
		if (enc)
			put_enc(w, path, n, 1);
		else
			put(w, path, n);
		return;
	}
	/* Remove empty, "." and ".." segments as they are written: ".."
	 * truncates the output back to its last '/', which is always a segment
	 * boundary since encoding keeps '/' and never produces one. */
	size_t start = w->len, i = 0;
	while (i < n) {
		while (i < n && path[i] == '/')
			i++;
		size_t s = i;
		while (i < n && path[i] != '/')
			i++;
		size_t l = i - s;
		if (l == 0 || (l == 1 && path[s] == '.'))
			continue;
		if (l == 2 && path[s] == '.' && path[s + 1] == '.') {
			if (!w->over) {
				while (w->len > start && w->p[w->len - 1] != '/')
					w->len--;
				if (w->len > start)
					w->len--;
			}
			continue;
		}
		put1(w, '/');
		if (enc)
			put_enc(w, path + s, l, 0);
		else
			put(w, path + s, l);
	}
	if (w->len == start)
		put1(w, '/');
	else if (path[n - 1] == '/')
		put1(w, '/');
}

static void put_header_value(wbuf *w, const char *v, size_t n)
{
	size_t i = 0;
	while (i < n && isws(v[i]))
		i++;
	while (n > i && isws(v[n - 1]))
		n--;
	int sp = 0;
	for (; i < n; i++) {
		if (isws(v[i])) {
			sp = 1;
			continue;
		}
		if (sp)
			put1(w, ' ');
		sp = 0;
		put1(w, v[i]);
	}
}

static int format_date(int64_t t, char date[17])
{
	/* 0001-01-01 .. 9999-12-31: anything else cannot be written in 8 digits
	 * and is a caller's bug. */
	if (t < -62135596800LL || t > 253402300799LL)
		return AL_EINVAL;
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return AL_EINVAL;
	if (strftime(date, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		return AL_EINVAL;
	return 0;
}

static void add_param(qent *q, size_t *nq, wbuf *w, const char *key, const char *val,
                      size_t vlen, int encode)
{
	qent *e = &q[(*nq)++];
	e->koff = w->len;
	puts_(w, key);
	e->klen = w->len - e->koff;
	e->voff = w->len;
	if (encode)
		put_enc(w, val, vlen, 0);
	else
		put(w, val, vlen);
	e->vlen = w->len - e->voff;
}

_Static_assert(sizeof(br_hmac_key_context) <= sizeof(((rt_sigv4_key_cache *)0)->hmac_key),
               "rt_sigv4_key_cache.hmac_key holds a br_hmac_key_context");

void rt_sigv4_key_cache_wipe(rt_sigv4_key_cache *c)
{
	rt_wipe(c, sizeof *c);
}

/* The signing key: HMAC chain from "AWS4" + secret over date, region,
 * service and "aws4_request"; every intermediate is wiped. */
static int signing_key(const rt_sigv4_params *p, const char *date8, unsigned char key[32])
{
	size_t sl = strlen(p->secret_access_key);
	if (sl > RT_SIGV4_MAX_SECRET)
		return AL_EINVAL;
	unsigned char k0[4 + RT_SIGV4_MAX_SECRET];
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, p->secret_access_key, sl);
	unsigned char k1[32], k2[32], k3[32];
	rt_hmac_sha256(k0, 4 + sl, date8, 8, k1);
	rt_hmac_sha256(k1, 32, p->region, strlen(p->region), k2);
	rt_hmac_sha256(k2, 32, p->service, strlen(p->service), k3);
	rt_hmac_sha256(k3, 32, "aws4_request", 12, key);
	rt_wipe(k0, sizeof k0);
	rt_wipe(k1, sizeof k1);
	rt_wipe(k2, sizeof k2);
	rt_wipe(k3, sizeof k3);
	return 0;
}

static int cache_hit(const rt_sigv4_key_cache *c, const rt_sigv4_params *p, const char *date8,
                     size_t sl)
{
	/* Evaluate every comparison, so the time does not say which differed;
	 * only the secret's bytes need that, the rest is public. */
	int same = c->valid == 1;
	same &= memcmp(c->date, date8, 8) == 0;
	same &= strcmp(c->region, p->region) == 0;
	same &= strcmp(c->service, p->service) == 0;
	same &= c->secret_len == sl;
	same &= rt_ct_equal(c->secret, p->secret_access_key, sl < sizeof c->secret ? sl : 0);
	return same;
}

/* HMAC of the string to sign under the signing key, through P's cache when
 * there is one. */
static int sign_sts(const rt_sigv4_params *p, const char *date8, const char *sts, size_t len,
                    unsigned char sig[32])
{
	rt_sigv4_key_cache *c = p->key_cache;
	size_t sl = strlen(p->secret_access_key);
	br_hmac_key_context kc;
	br_hmac_context hc;
	int cacheable = c && strlen(p->region) < sizeof c->region &&
	                strlen(p->service) < sizeof c->service && sl <= sizeof c->secret;
	if (cacheable && cache_hit(c, p, date8, sl)) {
		memcpy(&kc, c->hmac_key, sizeof kc);
	} else {
		unsigned char key[32];
		int rc = signing_key(p, date8, key);
		if (rc)
			return rc;
		br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
		rt_wipe(key, sizeof key);
		if (cacheable) {
			rt_wipe(c, sizeof *c);
			memcpy(c->date, date8, 8);
			strcpy(c->region, p->region);
			strcpy(c->service, p->service);
			memcpy(c->secret, p->secret_access_key, sl);
			c->secret_len = sl;
			memcpy(c->hmac_key, &kc, sizeof kc);
			c->valid = 1;
		}
	}
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, sts, len);
	br_hmac_out(&hc, sig);
	rt_wipe(&kc, sizeof kc);
	rt_wipe(&hc, sizeof hc);
	return 0;
}

int rt_sigv4_sign(const rt_sigv4_request *req, const rt_sigv4_params *p, char *buf, size_t cap,
                  rt_sigv4_result *out)
{
	memset(out, 0, sizeof *out);
	if (!req->method || !req->method[0] || (!req->path && req->path_len) ||
	    (!req->query && req->query_len) || (!req->headers && req->nheaders) ||
	    (!req->body && req->body_len) || !p->access_key_id || !p->access_key_id[0] ||
	    !p->secret_access_key || !p->region || !p->region[0] || !p->service ||
	    !p->service[0] || req->nheaders > RT_SIGV4_MAX_HEADERS)
		return AL_EINVAL;
	if (strlen(p->secret_access_key) > RT_SIGV4_MAX_SECRET)
		return AL_EINVAL;
	int query_form = (p->flags & RT_SIGV4_QUERY) != 0;
	if (query_form && (p->expires < 1 || p->expires > 604800))
		return AL_EINVAL;
	int rc = format_date(p->time, out->date);
	if (rc)
		return rc;
	const char *tok = p->session_token && p->session_token[0] ? p->session_token : NULL;
	int sign_tok = tok && !(p->flags & RT_SIGV4_OMIT_TOKEN);

	if (req->payload_hash) {
		size_t l = strlen(req->payload_hash);
		if (l == 0 || l >= sizeof out->payload_hash)
			return AL_EINVAL;
		memcpy(out->payload_hash, req->payload_hash, l + 1);
	} else {
		rt_sha256_hex(req->body, req->body_len, out->payload_hash);
	}

	/* Carve the workspace. */
	size_t nh_max = req->nheaders + 3;
	size_t nq_max = (req->query_len ? count_params(req->query, req->query_len) : 0) + 6;
	uintptr_t base = ((uintptr_t)buf + 7) & ~(uintptr_t)7;
	size_t pad = (size_t)(base - (uintptr_t)buf);
	size_t arrays = ALIGN8(nh_max * sizeof(hent)) + ALIGN8(nh_max * sizeof(uint32_t)) +
	                ALIGN8(nq_max * sizeof(qent)) + ALIGN8(nq_max * sizeof(uint32_t));
	if (cap < pad + arrays + 64)
		return AL_ETOOBIG;
	hent *H = (hent *)base;
	uint32_t *hidx = (uint32_t *)(base + ALIGN8(nh_max * sizeof(hent)));
	qent *Q = (qent *)((uintptr_t)hidx + ALIGN8(nh_max * sizeof(uint32_t)));
	uint32_t *qidx = (uint32_t *)((uintptr_t)Q + ALIGN8(nq_max * sizeof(qent)));
	wbuf w = { buf + pad + arrays, 0, cap - pad - arrays, 0 };

	/* 1. Headers. */
	size_t nh = 0;
	int have_host = 0;
	for (size_t i = 0; i < req->nheaders; i++) {
		const rt_sigv4_header *h = &req->headers[i];
		if (!h->name || !h->name_len || (!h->value && h->value_len))
			return AL_EINVAL;
		if (signer_header(h->name, h->name_len))
			return AL_EINVAL;
		if (unsigned_header(h->name, h->name_len))
			continue;
		if (h->name_len == 4 && strncasecmp(h->name, "host", 4) == 0)
			have_host = 1;
		H[nh++] = (hent){ h->name, h->value ? h->value : "", h->name_len, h->value_len, 1 };
	}
	if (!have_host)
		return AL_EINVAL;
	if (!query_form) {
		if (tok)
			H[nh++] = (hent){ "x-amz-security-token", tok, 20, strlen(tok), sign_tok };
		H[nh++] = (hent){ "x-amz-date", out->date, 10, 16, 1 };
		if (p->flags & RT_SIGV4_CONTENT_SHA256)
			H[nh++] = (hent){ "x-amz-content-sha256", out->payload_hash, 20,
				          strlen(out->payload_hash), 1 };
	}
	size_t nsigned = 0;
	for (size_t i = 0; i < nh; i++)
		if (H[i].sign)
			hidx[nsigned++] = (uint32_t)i;
	sort_idx(hidx, nsigned, cmp_hent, H);

	/* 2. Signed headers, scope, query parameters. */
	const char *text = w.p;
	size_t sh_off = w.len;
	for (size_t i = 0; i < nsigned; i++) {
		const hent *h = &H[hidx[i]];
		if (i && cmp_lower(h->name, h->name_len, H[hidx[i - 1]].name,
		                   H[hidx[i - 1]].name_len) == 0)
			continue;
		if (i)
			put1(&w, ';');
		for (size_t k = 0; k < h->name_len; k++)
			put1(&w, lower(h->name[k]));
	}
	size_t sh_len = w.len - sh_off;
	size_t scope_off = w.len;
	put(&w, out->date, 8);
	put1(&w, '/');
	puts_(&w, p->region);
	put1(&w, '/');
	puts_(&w, p->service);
	puts_(&w, "/aws4_request");
	size_t scope_len = w.len - scope_off;
	/* The credential (key id + "/" + scope), as written in both forms. */
	size_t cred_off = w.len;
	puts_(&w, p->access_key_id);
	put1(&w, '/');
	put(&w, text + scope_off, scope_len);
	size_t cred_len = w.len - cred_off;

	size_t nq = 0;
	for (size_t i = 0; i < req->query_len;) {
		size_t s = i;
		while (i < req->query_len && req->query[i] != '&')
			i++;
		size_t e = i++;
		if (e == s)
			continue;
		size_t eq = s;
		while (eq < e && req->query[eq] != '=')
			eq++;
		qent *q = &Q[nq++];
		q->koff = w.len;
		put_reenc(&w, req->query + s, eq - s);
		q->klen = w.len - q->koff;
		q->voff = w.len;
		if (eq < e)
			put_reenc(&w, req->query + eq + 1, e - eq - 1);
		q->vlen = w.len - q->voff;
	}
	if (query_form && !w.over) {
		char exp[16];
		int el = snprintf(exp, sizeof exp, "%u", (unsigned)p->expires);
		add_param(Q, &nq, &w, "X-Amz-Algorithm", "AWS4-HMAC-SHA256", 16, 0);
		add_param(Q, &nq, &w, "X-Amz-Credential", text + cred_off, cred_len, 1);
		add_param(Q, &nq, &w, "X-Amz-Date", out->date, 16, 0);
		add_param(Q, &nq, &w, "X-Amz-Expires", exp, (size_t)el, 0);
		if (sign_tok)
			add_param(Q, &nq, &w, "X-Amz-Security-Token", tok, strlen(tok), 1);
		add_param(Q, &nq, &w, "X-Amz-SignedHeaders", text + sh_off, sh_len, 1);
	}
	if (w.over)
		return AL_ETOOBIG;
	for (size_t i = 0; i < nq; i++)
		qidx[i] = (uint32_t)i;
	qctx qc = { Q, text };
	sort_idx(qidx, nq, cmp_qent, &qc);

	/* 3. Canonical request, string to sign, signature. */
	size_t creq_off = w.len;
	puts_(&w, req->method);
	put1(&w, '\n');
	put_uri(&w, req->path, req->path_len, p->flags);
	put1(&w, '\n');
	for (size_t i = 0; i < nq; i++) {
		const qent *q = &Q[qidx[i]];
		if (i)
			put1(&w, '&');
		put(&w, text + q->koff, q->klen);
		put1(&w, '=');
		put(&w, text + q->voff, q->vlen);
	}
	put1(&w, '\n');
	for (size_t i = 0; i < nsigned;) {
		const hent *h = &H[hidx[i]];
		for (size_t k = 0; k < h->name_len; k++)
			put1(&w, lower(h->name[k]));
		put1(&w, ':');
		size_t j = i;
		for (; j < nsigned && cmp_lower(h->name, h->name_len, H[hidx[j]].name,
		                                H[hidx[j]].name_len) == 0; j++) {
			if (j > i)
				put1(&w, ',');
			put_header_value(&w, H[hidx[j]].value, H[hidx[j]].value_len);
		}
		put1(&w, '\n');
		i = j;
	}
	put1(&w, '\n');
	put(&w, text + sh_off, sh_len);
	put1(&w, '\n');
	puts_(&w, out->payload_hash);
	if (w.over)
		return AL_ETOOBIG;
	size_t creq_len = w.len - creq_off;

	char creq_hash[65];
	rt_sha256_hex(text + creq_off, creq_len, creq_hash);
	size_t sts_off = w.len;
	puts_(&w, "AWS4-HMAC-SHA256\n");
	put(&w, out->date, 16);
	put1(&w, '\n');
	put(&w, text + scope_off, scope_len);
	put1(&w, '\n');
	put(&w, creq_hash, 64);
	if (w.over)
		return AL_ETOOBIG;
	size_t sts_len = w.len - sts_off;

	unsigned char sig[32];
	rc = sign_sts(p, out->date, text + sts_off, sts_len, sig);
	if (rc)
		return rc;
	to_hex(sig, 32, out->signature);

	/* 4. What the caller adds to the request. */
	size_t res_off = w.len;
	if (!query_form) {
		puts_(&w, "AWS4-HMAC-SHA256 Credential=");
		put(&w, text + cred_off, cred_len);
		puts_(&w, ", SignedHeaders=");
		put(&w, text + sh_off, sh_len);
		puts_(&w, ", Signature=");
		put(&w, out->signature, 64);
		if (tok)
			out->add[out->nadd++] = (rt_sigv4_header){ "X-Amz-Security-Token", 20, tok,
				                                   strlen(tok) };
		out->add[out->nadd++] = (rt_sigv4_header){ "X-Amz-Date", 10, out->date, 16 };
		if (p->flags & RT_SIGV4_CONTENT_SHA256)
			out->add[out->nadd++] = (rt_sigv4_header){ "x-amz-content-sha256", 20,
				                                   out->payload_hash,
				                                   strlen(out->payload_hash) };
		out->add[out->nadd++] = (rt_sigv4_header){ "Authorization", 13, text + res_off,
			                                   0 };
	} else {
		char exp[16];
		snprintf(exp, sizeof exp, "%u", (unsigned)p->expires);
		puts_(&w, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
		put_enc(&w, text + cred_off, cred_len, 0);
		puts_(&w, "&X-Amz-Date=");
		put(&w, out->date, 16);
		puts_(&w, "&X-Amz-SignedHeaders=");
		put_enc(&w, text + sh_off, sh_len, 0);
		puts_(&w, "&X-Amz-Expires=");
		puts_(&w, exp);
		if (tok) {
			puts_(&w, "&X-Amz-Security-Token=");
			put_enc(&w, tok, strlen(tok), 0);
		}
		puts_(&w, "&X-Amz-Signature=");
		put(&w, out->signature, 64);
	}
	if (w.over) {
		out->nadd = 0;
		return AL_ETOOBIG;
	}
	if (!query_form)
		out->add[out->nadd - 1].value_len = w.len - res_off;
	else {
		out->query = text + res_off;
		out->query_len = w.len - res_off;
	}
	out->canonical_request = text + creq_off;
	out->canonical_request_len = creq_len;
	out->string_to_sign = text + sts_off;
	out->string_to_sign_len = sts_len;
	return 0;
}
