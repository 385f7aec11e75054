/*
 * rt_http.c -- see rt_http.h.
 *
 * libcurl codes are mapped to airlock's here and nowhere else; the
 * CURLcode stays in the response for the log.  curl_global_init() runs
 * once, under pthread_once, before the first handle.
 */
#include "rt_http.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "rt_curl.h" /* curl_* through the table loaded on first use */

#include "alc_err.h"
#include "rt_sigv4.h"

#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "0.0.0"
#endif

struct rt_http {
	CURL *curl;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc;

static void global_init(void)
{
	char why[256];
	if ((global_rc = rt_curl_load(why, sizeof why)) != 0) {
		fprintf(stderr, "airlock: %s\n", why);
		return;
	}
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : AL_ENOMEM;
}

int rt_http_open(rt_http **out)
{
	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc)
		return global_rc;
	rt_http *h = calloc(1, sizeof *h);
	if (!h)
		return AL_ENOMEM;
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		return AL_ENOMEM;
	}
	*out = h;
	return 0;
}

void rt_http_close(rt_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

/* A growing buffer that wipes what it leaves behind. */
typedef struct sink {
	char *p;
	size_t len, cap, max;
	int too_big, oom;
} sink;

static int sink_put(sink *s, const char *d, size_t n)
{
	if (n > s->max - s->len) {
		s->too_big = 1;
		return -1;
	}
	if (s->len + n + 1 > s->cap) {
		size_t nc = s->cap ? s->cap : 1024;
		while (nc < s->len + n + 1)
			nc *= 2;
		char *np = malloc(nc);
		if (!np) {
			s->oom = 1;
			return -1;
		}
		if (s->p) {
			memcpy(np, s->p, s->len);
			rt_wipe(s->p, s->cap);
			free(s->p);
		}
		s->p = np;
		s->cap = nc;
	}
	memcpy(s->p + s->len, d, n);
	s->len += n;
	s->p[s->len] = '\0';
	return 0;
}

static void sink_free(sink *s)
{
	if (s->p) {
		rt_wipe(s->p, s->cap);
		free(s->p);
	}
	memset(s, 0, sizeof *s);
}

static size_t on_body(char *d, size_t size, size_t n, void *ud)
{
	return sink_put(ud, d, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *d, size_t size, size_t n, void *ud)
{
	sink *s = ud;
	size_t len = size * n;
	/* A new status line starts a new response (100 Continue, a proxy's
	 * CONNECT answer): keep only the final one's headers. */
	if (len >= 5 && memcmp(d, "HTTP/", 5) == 0) {
		if (s->p)
			rt_wipe(s->p, s->len);
		s->len = 0;
		return len;
	}
	if (len == 2 && d[0] == '\r' && d[1] == '\n')
		return len;
	return sink_put(s, d, len) == 0 ? len : 0;
}

static int has_header(const rt_http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return 1;
	return 0;
}

static int valid_token(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == ':' || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int valid_value(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

/* Header lines "Name: value" for libcurl; an empty value needs "Name;".  The
 * lines are built in a wiped scratch buffer (they may hold secrets) and
 * libcurl copies them into the list. */
static int add_line(struct curl_slist **l, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	char small[512];
	char *line = nl + vl + 3 <= sizeof small ? small : malloc(nl + vl + 3);
	if (!line)
		return AL_ENOMEM;
	memcpy(line, name, nl);
	if (vl) {
		line[nl] = ':';
		line[nl + 1] = ' ';
		memcpy(line + nl + 2, value, vl + 1);
	} else {
		line[nl] = ';';
		line[nl + 1] = '\0';
	}
	struct curl_slist *n = curl_slist_append(*l, line);
	rt_wipe(line, nl + vl + 3 <= sizeof small ? sizeof small : nl + vl + 3);
	if (line != small)
		free(line);
	if (!n)
		return AL_ENOMEM;
	*l = n;
	return 0;
}

/* curl_slist_free_all() does not wipe, and the list holds Authorization and
 * token headers. */
static void free_lines(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		if (p->data)
			rt_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static int map_curl(CURLcode c, const sink *body)
{
	switch (c) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return AL_ETIMEOUT;
	case CURLE_OUT_OF_MEMORY:
		return AL_ENOMEM;
	case CURLE_WRITE_ERROR:
		return body->too_big ? AL_ETOOBIG : body->oom ? AL_ENOMEM : AL_ENET;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return AL_EINVAL;
	default:
		return AL_ENET;
	}
}

int rt_http_perform(rt_http *h, const rt_http_request *req, rt_http_response *resp, char *err,
                    size_t errcap)
{
	memset(resp, 0, sizeof *resp);
	if (err && errcap)
		err[0] = '\0';
	if (!req->method || !valid_token(req->method) || !req->url ||
	    (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0) ||
	    (!req->body && req->body_len)) {
		if (err)
			snprintf(err, errcap, "invalid request (method or URL)");
		return AL_EINVAL;
	}
	struct curl_slist *lines = NULL;
	int rc = 0;
	for (size_t i = 0; i < req->nheaders && !rc; i++) {
		const rt_http_header *x = &req->headers[i];
		if (!valid_token(x->name) || !x->value || !valid_value(x->value)) {
			if (err)
				snprintf(err, errcap, "invalid header %s", valid_token(x->name) ? x->name : "");
			rc = AL_EINVAL;
			break;
		}
		rc = add_line(&lines, x->name, x->value);
	}
	/* What libcurl would add by itself: nothing beyond what was signed. */
	static const char *const suppress[] = { "Accept", "Expect", "Content-Type" };
	for (size_t i = 0; i < sizeof suppress / sizeof suppress[0] && !rc; i++)
		if (!has_header(req, suppress[i])) {
			char line[32];
			snprintf(line, sizeof line, "%s:", suppress[i]);
			struct curl_slist *n = curl_slist_append(lines, line);
			if (!n)
				rc = AL_ENOMEM;
			else
				lines = n;
		}
	if (rc) {
		free_lines(lines);
		return rc;
	}

	CURL *c = h->curl;
	curl_easy_reset(c);
	sink body = { .max = req->max_response ? req->max_response : (size_t)64 << 20 };
	sink hdrs = { .max = 1 << 20 };
	char ebuf[CURL_ERROR_SIZE] = "";
	long connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 3000;
	long read_ms = req->read_timeout_ms > 0 ? req->read_timeout_ms : 30000;
	const char *ca = req->ca_bundle && req->ca_bundle[0] ? req->ca_bundle : getenv("AWS_CA_BUNDLE");

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && ca[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (req->flags & RT_HTTP_NO_PROXY)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	/* The read timeout: fail when fewer than 1 byte/s arrive for that long
	 * (libcurl counts in whole seconds). */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (read_ms + 999) / 1000);
	if (req->total_timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->total_timeout_ms);
	if (!has_header(req, "User-Agent"))
		curl_easy_setopt(c, CURLOPT_USERAGENT, "airlock/" AIRLOCK_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, lines);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body_len ? req->body : "");
	}
	CURLcode cc = curl_easy_perform(c);
	/* The error buffer and the header list must not outlive this call. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	free_lines(lines);
	resp->curl_code = (int)cc;
	rc = map_curl(cc, &body);
	if (rc) {
		if (err)
			snprintf(err, errcap, "%s", rc == AL_ETOOBIG ? "response too large"
			                            : ebuf[0] ? ebuf : curl_easy_strerror(cc));
		sink_free(&body);
		sink_free(&hdrs);
		return rc;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (!body.p && sink_put(&body, "", 0) != 0) {
		sink_free(&hdrs);
		return AL_ENOMEM;
	}
	if (!hdrs.p && sink_put(&hdrs, "", 0) != 0) {
		sink_free(&body);
		return AL_ENOMEM;
	}
	resp->body = body.p;
	resp->body_len = body.len;
	resp->headers = hdrs.p;
	resp->headers_len = hdrs.len;
	return 0;
}

void rt_http_response_free(rt_http_response *r)
{
	if (r->body) {
		rt_wipe(r->body, r->body_len);
		free(r->body);
	}
	if (r->headers) {
		rt_wipe(r->headers, r->headers_len);
		free(r->headers);
	}
	memset(r, 0, sizeof *r);
}

const char *rt_http_header_find(const rt_http_response *r, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = r->headers, *end = r->headers ? r->headers + r->headers_len : NULL;
	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
			const char *v = p + nl + 1, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			*len = (size_t)(ve - v);
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

int rt_http_url_split(const char *url, char *host, size_t host_cap, char *path, size_t path_cap,
                      int *https)
{
	pthread_once(&global_once, global_init);
	CURLU *u = curl_url();
	if (!u)
		return AL_ENOMEM;
	int rc = AL_EINVAL;
	char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL, *q = NULL, *f = NULL, *user = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	int is_https = strcasecmp(scheme, "https") == 0;
	if (!is_https && strcasecmp(scheme, "http") != 0)
		goto out;
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &f, 0) == CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	if (curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
		goto out;
	int n;
	if (port && strcmp(port, is_https ? "443" : "80") != 0)
		n = snprintf(host, host_cap, "%s:%s", h, port);
	else
		n = snprintf(host, host_cap, "%s", h);
	if (n < 0 || (size_t)n >= host_cap) {
		rc = AL_ETOOBIG;
		goto out;
	}
	n = snprintf(path, path_cap, "%s", p[0] ? p : "/");
	if (n < 0 || (size_t)n >= path_cap) {
		rc = AL_ETOOBIG;
		goto out;
	}
	if (https)
		*https = is_https;
	rc = 0;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_free(p);
	curl_free(q);
	curl_free(f);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

int rt_http_url_is_loopback(const char *url)
{
	pthread_once(&global_once, global_init);
	CURLU *u = curl_url();
	char *h = NULL;
	int yes = 0;
	if (!u)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	/* IPv6 hosts come back in brackets. */
	size_t n = strlen(h);
	if (n > 2 && h[0] == '[' && h[n - 1] == ']') {
		char a[64];
		struct in6_addr a6;
		if (n - 2 < sizeof a) {
			memcpy(a, h + 1, n - 2);
			a[n - 2] = '\0';
			yes = inet_pton(AF_INET6, a, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
		}
	} else if (strcasecmp(h, "localhost") == 0) {
		yes = 1;
	} else {
		struct in_addr a4;
		yes = inet_pton(AF_INET, h, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
	}
out:
	curl_free(h);
	curl_url_cleanup(u);
	return yes;
}

/* The URL's host (IPv6 in brackets) into BUF; 0 or -1. */
int rt_http_url_host(const char *url, char *buf, size_t cap)
{
	pthread_once(&global_once, global_init);
	CURLU *u = curl_url();
	char *h = NULL;
	int rc = -1;
	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		int n = snprintf(buf, cap, "%s", h);
		rc = n >= 0 && (size_t)n < cap ? 0 : -1;
	}
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}
