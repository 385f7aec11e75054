/*
 * cc_fetch.h -- HTTP(S) GETs for `airlock-compile sync`, the compiler's one
 * wrapper of libcurl (linked directly: the compiler has no start-up budget
 * to protect, unlike the runtime, which dlopens it).
 *
 * One call is one request (redirects followed, at most 5, http/https only,
 * never from https down to http).  The body goes either to a file (the
 * download's .part file, appended to when the server answers a Range
 * request with 206) or to a cc_buf (small API answers).  The caller owns
 * both; this module owns nothing after it returns.
 *
 * Results: 0 for 200/206 (body complete) and 304 (not modified); AL_EHTTP
 * for any other status (the message names status and URL); AL_ENET when
 * the host cannot be resolved or reached, or the connection breaks (a cut
 * off transfer keeps the bytes received in the file: the caller resumes);
 * AL_ETIMEOUT when the transfer stalls; AL_ENOSPC / AL_EIO when the file
 * cannot be written; AL_EPROTO for an answer that contradicts the request
 * (a 206 for the wrong range).  CURLcode is mapped here and its text kept
 * in the message.  URLs in messages are redacted (cc_fetch_redact): user
 * info and query strings (presigned URLs) are secrets; so is the bearer
 * token, which is only ever put in the request header.
 */
#ifndef CC_FETCH_H
#define CC_FETCH_H

#include <stdint.h>
#include <stdio.h>

#include "cc_util.h"

struct cc_fetch_res;

typedef struct cc_fetch_req {
	const char *url;
	int fd;                      /* body file (opened O_RDWR), or -1 */
	cc_buf *mem;                 /* or the body in memory (fd == -1) */
	size_t mem_max;              /* refuse a larger in-memory body */
	uint64_t resume_from;        /* bytes already in fd: send Range */
	const char *if_range;        /* validator for If-Range when resuming */
	const char *if_none_match;   /* conditional request, or NULL */
	const char *if_modified_since;
	const char *accept;          /* Accept header, or NULL */
	const char *bearer;          /* Authorization: Bearer, or NULL */
	int progress;                /* draw a progress line on stderr */
	const char *label;           /* what the progress line says */
	/* Called once, before the first body byte of a 200 or 206 answer is
	 * written to fd, with the answer's status and validators: the caller
	 * records them so that a download killed midway can be resumed.  A
	 * non-zero return abandons the transfer (AL_EIO). */
	int (*on_start)(void *ctx, const struct cc_fetch_res *res);
	void *ctx;
} cc_fetch_req;

typedef struct cc_fetch_res {
	long status;                 /* final HTTP status, 0 if none */
	char etag[256];              /* validators of the final answer */
	char last_modified[64];
	uint64_t received;           /* body bytes received by this request */
	uint64_t total;              /* whole file size when known, else 0 */
	int appended;                /* 206: the body continued the file */
	char err[2048];              /* the message when the result is not 0 */
} cc_fetch_res;

int cc_fetch(const cc_fetch_req *r, cc_fetch_res *out);

/* URL with user info dropped and the query replaced by "?...", for
 * messages, logs and the cache's metadata. */
void cc_fetch_redact(const char *url, char *buf, size_t cap);

/* Human byte counts for messages ("12.3 MiB"). */
void cc_fetch_bytes(uint64_t n, char *buf, size_t cap);

#endif
