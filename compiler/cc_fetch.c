/* cc_fetch.c -- see cc_fetch.h */
#include "cc_fetch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alc_err.h"

#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "0"
#endif

void cc_fetch_redact(const char *url, char *buf, size_t cap)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	size_t hl = strcspn(host, "/?#");
	const char *at = memchr(host, '@', hl);
	const char *rest = host + hl;
	size_t pl = strcspn(rest, "?#");
	snprintf(buf, cap, "%.*s%.*s%.*s%s", (int)(host - url), url,
	         (int)(hl - (at ? (size_t)(at + 1 - host) : 0)), at ? at + 1 : host,
	         (int)pl, rest, rest[pl] == '?' ? "?..." : "");
}

void cc_fetch_bytes(uint64_t n, char *buf, size_t cap)
{
	if (n < 1024)
		snprintf(buf, cap, "%" PRIu64 " B", n);
	else if (n < (1u << 20))
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
	else if (n < (1u << 30))
		snprintf(buf, cap, "%.1f MiB", (double)n / 1048576.0);
	else
		snprintf(buf, cap, "%.2f GiB", (double)n / 1073741824.0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct xfer {
	const cc_fetch_req *r;
	cc_fetch_res *res;
	CURL *h;
	int started;          /* the body's fate is decided */
	int discard;          /* the body is an error page: keep a snippet */
	int werr;             /* errno of a failed write */
	int range_bad;        /* a 206 that does not continue our file */
	int too_big;          /* in-memory body over mem_max */
	char snippet[300];
	size_t snip_len;
	uint64_t base;        /* file bytes before this body */
	int has_cr;
	uint64_t cr_start, cr_total;
	double t0, last_draw;
	int drew;
} xfer;

/* Headers of every answer in a redirect chain arrive here; a status line
 * starts a new answer and forgets the previous one's validators. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n, l = len;
	while (l && (p[l - 1] == '\r' || p[l - 1] == '\n'))
		l--;
	if (l >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		x->res->etag[0] = x->res->last_modified[0] = '\0';
		x->has_cr = 0;
		return len;
	}
	const char *colon = memchr(p, ':', l);
	if (!colon)
		return len;
	size_t kl = (size_t)(colon - p);
	const char *v = colon + 1;
	while (v < p + l && (*v == ' ' || *v == '\t'))
		v++;
	size_t vl = (size_t)(p + l - v);
	for (size_t i = 0; i < vl; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return len;     /* never store a control byte */
	if (kl == 4 && strncasecmp(p, "etag", 4) == 0 && vl < sizeof x->res->etag)
		snprintf(x->res->etag, sizeof x->res->etag, "%.*s", (int)vl, v);
	else if (kl == 13 && strncasecmp(p, "last-modified", 13) == 0 &&
	         vl < sizeof x->res->last_modified)
		snprintf(x->res->last_modified, sizeof x->res->last_modified, "%.*s", (int)vl, v);
	else if (kl == 13 && strncasecmp(p, "content-range", 13) == 0) {
		/* bytes START-END/TOTAL */
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(vl < 127 ? vl : 127), v);
		unsigned long long s, e, t;
		if (sscanf(tmp, "bytes %llu-%llu/%llu", &s, &e, &t) == 3 && s <= e && e < t) {
			x->has_cr = 1;
			x->cr_start = s;
			x->cr_total = t;
		}
	}
	return len;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (!x->started) {
		x->started = 1;
		long st = 0;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
		if (st == 200) {
			x->base = 0;
			if (x->r->fd >= 0 && (ftruncate(x->r->fd, 0) != 0 ||
			                      lseek(x->r->fd, 0, SEEK_SET) != 0)) {
				x->werr = errno;
				return 0;
			}
		} else if (st == 206) {
			if (!x->r->resume_from || !x->has_cr || x->cr_start != x->r->resume_from ||
			    x->r->fd < 0) {
				x->range_bad = 1;
				return 0;
			}
			x->base = x->r->resume_from;
			x->res->appended = 1;
			if (lseek(x->r->fd, (off_t)x->base, SEEK_SET) < 0) {
				x->werr = errno;
				return 0;
			}
		} else
			x->discard = 1;
		if (!x->discard && x->r->on_start) {
			x->res->status = st;
			if (x->r->on_start(x->r->ctx, x->res) != 0) {
				x->werr = EIO;
				return 0;
			}
		}
	}
	if (x->discard) {
		size_t k = sizeof x->snippet - 1 - x->snip_len;
		if (k > len)
			k = len;
		memcpy(x->snippet + x->snip_len, p, k);
		x->snip_len += k;
		return len;
	}
	if (x->r->fd >= 0) {
		int e = write_all(x->r->fd, p, len);
		if (e) {
			x->werr = e;
			return 0;
		}
	} else if (x->r->mem) {
		if (x->r->mem->len + len > x->r->mem_max) {
			x->too_big = 1;
			return 0;
		}
		cc_buf_put(x->r->mem, p, len);
	}
	x->res->received += len;
	return len;
}

static void draw(xfer *x, uint64_t now_bytes, uint64_t total, int final)
{
	double t = now_s();
	if (!final && t - x->last_draw < 0.25)
		return;
	x->last_draw = t;
	char have[32], all[32] = "", rate[32] = "", left[32] = "";
	cc_fetch_bytes(now_bytes, have, sizeof have);
	if (total)
		cc_fetch_bytes(total, all, sizeof all);
	double el = t - x->t0;
	double r = el > 0.2 ? (double)x->res->received / el : 0;
	if (r > 0) {
		cc_fetch_bytes((uint64_t)r, rate, sizeof rate);
		if (total > now_bytes) {
			unsigned s = (unsigned)((double)(total - now_bytes) / r);
			snprintf(left, sizeof left, "  %u:%02u left", s / 60, s % 60);
		}
	}
	fprintf(stderr, "\r%s: %s%s%s%s%s%s\033[K", x->r->label ? x->r->label : "download",
	        have, total ? " of " : "", all, r > 0 ? "  " : "", r > 0 ? rate : "",
	        r > 0 ? "/s" : "");
	fputs(left, stderr);
	fflush(stderr);
	x->drew = 1;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
                       curl_off_t uln)
{
	(void)ult;
	(void)uln;
	xfer *x = ud;
	if (x->r->progress && x->started && !x->discard && dlnow > 0)
		draw(x, x->base + (uint64_t)dlnow, dltotal > 0 ? x->base + (uint64_t)dltotal : 0, 0);
	return 0;
}

static int init_once(void)
{
	static int done, rc;
	if (!done) {
		done = 1;
		rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : AL_ENET;
		if (rc == 0)
			atexit(curl_global_cleanup);
	}
	return rc;
}

/* The host[:port] of URL, for "cannot connect to" messages. */
static void url_host(const char *url, char *buf, size_t cap)
{
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	size_t hl = strcspn(s, "/?#");
	const char *at = memchr(s, '@', hl);
	if (at) {
		hl -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	snprintf(buf, cap, "%.*s", (int)hl, s);
}

int cc_fetch(const cc_fetch_req *r, cc_fetch_res *out)
{
	memset(out, 0, sizeof *out);
	char shown[512], host[256];
	cc_fetch_redact(r->url, shown, sizeof shown);
	url_host(r->url, host, sizeof host);
	if (init_once() != 0) {
		snprintf(out->err, sizeof out->err, "libcurl could not be initialised");
		return AL_ENET;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(out->err, sizeof out->err, "libcurl could not be initialised");
		return AL_ENOMEM;
	}
	xfer x;
	memset(&x, 0, sizeof x);
	x.r = r;
	x.res = out;
	x.h = h;
	x.t0 = now_s();
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	char line[1200];
	if (r->resume_from) {
		snprintf(line, sizeof line, "Range: bytes=%" PRIu64 "-", r->resume_from);
		hdr = curl_slist_append(hdr, line);
		if (r->if_range && *r->if_range) {
			snprintf(line, sizeof line, "If-Range: %s", r->if_range);
			hdr = curl_slist_append(hdr, line);
		}
	}
	if (r->if_none_match && *r->if_none_match) {
		snprintf(line, sizeof line, "If-None-Match: %s", r->if_none_match);
		hdr = curl_slist_append(hdr, line);
	}
	if (r->if_modified_since && *r->if_modified_since) {
		snprintf(line, sizeof line, "If-Modified-Since: %s", r->if_modified_since);
		hdr = curl_slist_append(hdr, line);
	}
	if (r->accept) {
		snprintf(line, sizeof line, "Accept: %s", r->accept);
		hdr = curl_slist_append(hdr, line);
	}
	if (r->bearer && *r->bearer) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", r->bearer);
		hdr = curl_slist_append(hdr, line);
		memset(line, 0, sizeof line);
	}
	int https = strncmp(r->url, "https://", 8) == 0;
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* a redirect may not take an https download to plain http */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "airlock-compile/" AIRLOCK_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 100 B/s for a minute) is abandoned; the
	 * bytes so far stay for a resume */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_off_t cl = -1;
	curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (out->status == 206 && x.has_cr)
		out->total = x.cr_total;
	else if (out->status == 200 && cl >= 0)
		out->total = (uint64_t)cl;
	if (x.drew) {
		if (cc == CURLE_OK)
			draw(&x, x.base + out->received, out->total, 1);
		fputs("\r\033[K", stderr);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);

	char got[32], all[32];
	cc_fetch_bytes(x.base + out->received, got, sizeof got);
	cc_fetch_bytes(out->total, all, sizeof all);
	int rc = 0;
	if (cc == CURLE_OK) {
		if (out->status == 200 || out->status == 206 || out->status == 304)
			return 0;
		/* an error page: keep a printable first line of it for the message */
		char snip[160] = "";
		size_t k = 0;
		for (size_t i = 0; i < x.snip_len && k + 1 < sizeof snip; i++) {
			unsigned char c = (unsigned char)x.snippet[i];
			if (c == '\n' || c == '\r') {
				if (k)
					break;
				continue;
			}
			snip[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		snip[k] = '\0';
		snprintf(out->err, sizeof out->err, "HTTP %ld from %s%s%s%s", out->status, shown,
		         *snip ? " (" : "", snip, *snip ? ")" : "");
		return AL_EHTTP;
	}
	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (x.range_bad) {
			snprintf(out->err, sizeof out->err,
			         "%s answered a resume request with the wrong range", shown);
			rc = AL_EPROTO;
		} else if (x.too_big) {
			snprintf(out->err, sizeof out->err, "%s: answer larger than %zu bytes", shown,
			         r->mem_max);
			rc = AL_ETOOBIG;
		} else {
			int e = x.werr ? x.werr : EIO;
			snprintf(out->err, sizeof out->err, "writing the download from %s: %s", shown,
			         strerror(e));
			rc = e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out->err, sizeof out->err,
		         "cannot resolve %s (no network, or no DNS?): %s", host, errbuf);
		rc = AL_ENET;
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(out->err, sizeof out->err, "cannot connect to %s (no network?): %s", host,
		         errbuf);
		rc = AL_ENET;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out->err, sizeof out->err, "%s: timed out after %s%s%s: %s", shown, got,
		         out->total ? " of " : "", out->total ? all : "", errbuf);
		rc = AL_ETIMEOUT;
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		snprintf(out->err, sizeof out->err, "%s: connection cut off after %s%s%s: %s", shown,
		         got, out->total ? " of " : "", out->total ? all : "", errbuf);
		rc = AL_ENET;
		break;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(out->err, sizeof out->err, "%s: %s", shown, errbuf);
		rc = AL_EPROTO;
		break;
	default:
		snprintf(out->err, sizeof out->err, "%s: %s (curl error %d)", shown,
		         *errbuf ? errbuf : curl_easy_strerror(cc), (int)cc);
		rc = AL_ENET;
		break;
	}
	return rc;
}
