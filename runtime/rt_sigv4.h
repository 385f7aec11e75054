/*
 * rt_sigv4.h -- AWS Signature Version 4 (header signing and presigned
 * URLs), and the runtime's one wrapper around BearSSL (SHA-256, HMAC,
 * SHA-1, constant-time comparison, wiping).
 *
 * Owner: rt_sigv4.c.  The signer never allocates: the caller owns the
 * request, the parameters, the result and one workspace buffer (size it with
 * rt_sigv4_buffer_size(); a thread can keep one and reuse it), and the
 * BearSSL contexts live on the signer's stack and are wiped before it
 * returns, as is every key derived from the secret.  Every pointer in an
 * rt_sigv4_result points into the caller's workspace, the result itself or
 * the parameters, and is valid while those are.
 *
 * What is signed (the AWS SigV4 rules, as the aws-c-auth suite checks them):
 *   - canonical URI: the path as sent (already percent-encoded by the
 *     request builder), with dot segments and empty segments removed when
 *     RT_SIGV4_NORMALIZE_PATH is set, then percent-encoded once more (every
 *     byte but A-Za-z0-9-._~ and '/') unless RT_SIGV4_NO_DOUBLE_ENCODE is
 *     set.  S3 sets neither flag (RT_SIGV4_S3): its path is signed as sent.
 *   - canonical query: each parameter percent-decoded and re-encoded (so
 *     raw and encoded input sign the same), "k" becomes "k=", sorted by key
 *     then value, bytewise.
 *   - canonical headers: every request header except user-agent, expect,
 *     transfer-encoding and x-amzn-trace-id (which proxies may change); names
 *     lowercased, values trimmed with inner runs of whitespace collapsed to
 *     one space, repeated names joined with ',' in request order, sorted by
 *     name.  The request must carry Host; it must not carry Authorization,
 *     X-Amz-Date, X-Amz-Security-Token or X-Amz-Content-Sha256 (the signer
 *     adds those).
 *   - payload hash: the caller's (e.g. "UNSIGNED-PAYLOAD" for S3), else the
 *     hex SHA-256 of the body.
 *   - session token: signed as X-Amz-Security-Token, or, with
 *     RT_SIGV4_OMIT_TOKEN, left out of the signature and added afterwards
 *     (what some services expect).
 */
#ifndef RT_SIGV4_H
#define RT_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#define RT_SIGV4_MAX_SECRET 128

typedef struct rt_sigv4_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} rt_sigv4_header;

enum rt_sigv4_flags {
	RT_SIGV4_QUERY = 1,             /* presign: the signature goes in the query */
	RT_SIGV4_NO_DOUBLE_ENCODE = 2,  /* sign the path as sent (S3) */
	RT_SIGV4_NORMALIZE_PATH = 4,    /* remove "." ".." and empty segments */
	RT_SIGV4_CONTENT_SHA256 = 8,    /* add and sign x-amz-content-sha256 (S3) */
	RT_SIGV4_OMIT_TOKEN = 16        /* sign without the session token, add it after */
};
/* Every service but S3, and S3 (and S3-like services: S3 Control, Glacier's
 * tree hash aside). */
#define RT_SIGV4_DEFAULT RT_SIGV4_NORMALIZE_PATH
#define RT_SIGV4_S3 (RT_SIGV4_NO_DOUBLE_ENCODE | RT_SIGV4_CONTENT_SHA256)

typedef struct rt_sigv4_request {
	const char *method;             /* "GET", "POST", ... */
	const char *path;               /* as sent, percent-encoded; "" is "/" */
	size_t path_len;
	const char *query;              /* without '?', or NULL */
	size_t query_len;
	const rt_sigv4_header *headers; /* must include Host */
	size_t nheaders;
	const void *body;
	size_t body_len;
	const char *payload_hash;       /* NULL: hex SHA-256 of the body */
} rt_sigv4_request;

/* A signing-key cache, owned by the caller (one per thread, like the
 * workspace): the key derived for one secret, date, region and service,
 * kept as a ready HMAC key (BearSSL's precomputed inner and outer states).
 * A hit skips the four derivation HMACs and the key setup of the fifth,
 * about half the hashing of a typical signature.  The secret is kept in the
 * cache to recognise it, compared in constant time; zero a cache with
 * rt_sigv4_key_cache_wipe() when its credentials are dropped.  An all-zero
 * cache is empty. */
typedef struct rt_sigv4_key_cache {
	int valid;
	char date[9];
	char region[32];
	char service[64];
	size_t secret_len;
	unsigned char secret[RT_SIGV4_MAX_SECRET];
	_Alignas(8) unsigned char hmac_key[160];   /* a br_hmac_key_context */
} rt_sigv4_key_cache;

void rt_sigv4_key_cache_wipe(rt_sigv4_key_cache *c);

typedef struct rt_sigv4_params {
	const char *access_key_id;      /* NUL-terminated */
	const char *secret_access_key;  /* NUL-terminated, at most RT_SIGV4_MAX_SECRET */
	const char *session_token;      /* NULL or "" when there is none */
	const char *region;             /* signing region, from the auth scheme */
	const char *service;            /* signing name, from the auth scheme */
	int64_t time;                   /* seconds since the epoch, UTC */
	uint32_t expires;               /* RT_SIGV4_QUERY: 1..604800 seconds */
	unsigned flags;                 /* enum rt_sigv4_flags */
	rt_sigv4_key_cache *key_cache;  /* NULL: derive the key every time */
} rt_sigv4_params;
#define RT_SIGV4_MAX_HEADERS 256

typedef struct rt_sigv4_result {
	char date[17];                  /* X-Amz-Date: YYYYMMDDTHHMMSSZ */
	char payload_hash[68];          /* as signed */
	char signature[65];             /* lowercase hex */
	/* Header form: the headers to add to the request, in this order:
	 * X-Amz-Security-Token (when there is a token), X-Amz-Date,
	 * x-amz-content-sha256 (RT_SIGV4_CONTENT_SHA256), Authorization. */
	rt_sigv4_header add[4];
	size_t nadd;
	/* Query form: the parameters to append to the request's query (after
	 * '&', or after '?' when it had none), encoded: X-Amz-Algorithm,
	 * X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires,
	 * X-Amz-Security-Token (when there is a token), X-Amz-Signature. */
	const char *query;
	size_t query_len;
	/* What was signed, for tests and for debugging signature mismatches.  The
	 * canonical request holds the session token when it was signed: treat it
	 * as secret. */
	const char *canonical_request;
	size_t canonical_request_len;
	const char *string_to_sign;
	size_t string_to_sign_len;
} rt_sigv4_result;

/* An upper bound of the workspace rt_sigv4_sign() needs for REQ and P
 * (linear in the sizes of the path, query, headers and token). */
size_t rt_sigv4_buffer_size(const rt_sigv4_request *req, const rt_sigv4_params *p);

/* Sign REQ with P into OUT, using BUF[0..CAP) as workspace.  Returns 0,
 * AL_EINVAL (a missing field, a header the signer adds, a secret longer
 * than RT_SIGV4_MAX_SECRET, more than RT_SIGV4_MAX_HEADERS headers, a time
 * out of range, expires out of range) or AL_ETOOBIG (CAP too small).  Work
 * is linear in the size of the request apart from the sorts, which are
 * O(n log n) in the number of headers and query parameters. */
int rt_sigv4_sign(const rt_sigv4_request *req, const rt_sigv4_params *p,
                  char *buf, size_t cap, rt_sigv4_result *out);

/* The AWS URI encoding of S[0..LEN) (RFC 3986 unreserved bytes kept, every
 * other byte %XX in uppercase; '/' kept when KEEP_SLASH) appended at
 * OUT[0..CAP); returns the length it needs, which may exceed CAP (then OUT
 * holds a truncated prefix).  For request builders. */
size_t rt_sigv4_uri_encode(const char *s, size_t len, int keep_slash, char *out, size_t cap);

/* Lowercase hex SHA-256 of DATA[0..LEN) into HEX (65 bytes, NUL-terminated). */
void rt_sha256_hex(const void *data, size_t len, char hex[65]);
/* Lowercase hex SHA-1 (for cache file names, never for security). */
void rt_sha1_hex(const void *data, size_t len, char hex[41]);
/* HMAC-SHA256 of MSG under KEY into OUT; the contexts are wiped. */
void rt_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                    unsigned char out[32]);

/* 1 when A[0..N) equals B[0..N), in time that depends only on N. */
int rt_ct_equal(const void *a, const void *b, size_t n);
/* Two NUL-terminated strings equal: the lengths may leak, the bytes do not. */
int rt_ct_streq(const char *a, const char *b);
/* Zero P[0..N) so that the compiler cannot elide it. */
void rt_wipe(void *p, size_t n);

#endif
