/*
 * rt_http.h -- the runtime's one wrapper around libcurl: a request (method,
 * URL, headers, body) in, a response (status, headers, body) out.  Used by
 * the credential providers and STS now, by operation execution later.
 *
 * Owner: rt_http.c.  An rt_http handle keeps one libcurl easy handle, hence
 * its connection cache, across requests; one thread uses a handle at a time
 * (give each thread its own).  Response buffers belong to the caller once
 * rt_http_perform() returns and are wiped when freed, because credential
 * endpoints answer with secrets; for the same reason the body buffer never
 * grows with realloc() (which would leave unwiped copies behind).
 *
 * Always on: TLS peer and host verification (CA bundle: the request's, else
 * $AWS_CA_BUNDLE, else the system store), http and https only, no
 * redirects, User-Agent "airlock/<version>" unless the request sets one,
 * proxies from the environment (libcurl reads http_proxy, HTTPS_PROXY,
 * NO_PROXY; RT_HTTP_NO_PROXY turns them off for link-local metadata
 * endpoints).  libcurl does not add Content-Type, Accept or Expect on its
 * own: what is sent is what was signed, plus Content-Length and
 * User-Agent.  Errors never carry header values or bodies; libcurl's own
 * message names at most the host.
 */
#ifndef RT_HTTP_H
#define RT_HTTP_H

#include <stddef.h>

typedef struct rt_http rt_http;

typedef struct rt_http_header {
	const char *name;               /* NUL-terminated */
	const char *value;              /* NUL-terminated, no CR or LF */
} rt_http_header;

enum rt_http_flags {
	RT_HTTP_NO_PROXY = 1            /* never use a proxy (IMDS, container endpoint) */
};

typedef struct rt_http_request {
	const char *method;             /* "GET", "POST", "PUT", "HEAD", "DELETE", ... */
	const char *url;                /* http:// or https:// */
	const rt_http_header *headers;
	size_t nheaders;
	const void *body;
	size_t body_len;
	long connect_timeout_ms;        /* 0: 3000 */
	long read_timeout_ms;           /* no byte for this long fails; 0: 30000 */
	long total_timeout_ms;          /* whole exchange; 0: no limit beyond the read timeout */
	const char *ca_bundle;          /* PEM file, or NULL */
	size_t max_response;            /* body cap; 0: 64 MiB */
	unsigned flags;                 /* enum rt_http_flags */
} rt_http_request;

typedef struct rt_http_response {
	long status;                    /* HTTP status of the final response */
	char *headers;                  /* its header lines "Name: value\r\n", NUL-terminated */
	size_t headers_len;
	char *body;                     /* NUL-terminated (the NUL is not counted) */
	size_t body_len;
	int curl_code;                  /* CURLcode, kept for the log */
} rt_http_response;

/* A handle.  Returns 0, or AL_ENOMEM. */
int rt_http_open(rt_http **h);
void rt_http_close(rt_http *h);

/* Send REQ and read the whole response into RESP (zeroed first; free it with
 * rt_http_response_free() whatever the result).  Any HTTP status is a
 * success here.  Returns 0; AL_EINVAL (bad method, URL or header), AL_ENET
 * (DNS, connect, TLS, reset), AL_ETIMEOUT, AL_ETOOBIG (body over
 * max_response), AL_ENOMEM.  On failure ERR (when not NULL) gets libcurl's
 * message. */
int rt_http_perform(rt_http *h, const rt_http_request *req, rt_http_response *resp,
                    char *err, size_t errcap);

/* Wipe and free the buffers; RESP may then be reused. */
void rt_http_response_free(rt_http_response *resp);

/* The value of header NAME (case-insensitive) in RESP, trimmed; its length
 * in *LEN.  Not NUL-terminated; NULL when absent. */
const char *rt_http_header_find(const rt_http_response *resp, const char *name, size_t *len);

/* Split URL into the Host header value ("host" or "host:port" when the port
 * is not the scheme's default, IPv6 hosts in brackets) and the path
 * ("/" when empty; percent-encoding kept).  Returns 0, AL_EINVAL (not an
 * http(s) URL, user info, query or fragment present) or AL_ETOOBIG. */
int rt_http_url_split(const char *url, char *host, size_t host_cap, char *path,
                      size_t path_cap, int *https);

/* 1 when the URL's host is a loopback address (127.0.0.0/8, ::1) or
 * "localhost". */
int rt_http_url_is_loopback(const char *url);

/* The host of URL (IPv6 hosts in brackets, no port) into BUF[0..CAP).
 * Returns 0, or -1 when URL does not parse or the host does not fit. */
int rt_http_url_host(const char *url, char *buf, size_t cap);

#endif
