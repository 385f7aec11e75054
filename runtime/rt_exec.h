/*
 * rt_exec.h -- execute one AWS operation from the catalog alone: validate
 * the input, fill idempotency tokens, resolve the endpoint (rt_endpoint),
 * serialize (rt_proto), sign (rt_sigv4), send (rt_http), parse, with the
 * AWS standard retry mode (rt_retry) and, for read operations, pagination.
 *
 * This is the plan-free core: it decides nothing about policy.  The plan
 * layer validates and fixes idempotency tokens when a plan is made
 * (rt_exec_fill_tokens), then calls rt_exec_call at apply time with the
 * input it stored, so a retry or a re-apply sends the same token.
 *
 * Owner: rt_exec.c.  An rt_exec context holds the credential provider, one
 * HTTP handle (its connection cache), the signing-key cache and the retry
 * quota; one thread uses a context at a time.  Outputs and errors returned
 * belong to the caller.
 */
#ifndef RT_EXEC_H
#define RT_EXEC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"
#include "rt_creds.h"
#include "rt_endpoint.h"
#include "rt_http.h"
#include "rt_proto.h"

#define RT_EXEC_DEFAULT_ATTEMPTS 3
#define RT_EXEC_MAX_ATTEMPTS 10
#define RT_EXEC_MAX_PAGES 1000

/* Pagination progress: called after each page with the page number (1..),
 * the items merged so far, and whether another page follows.  Returning
 * non-zero stops after this page (the result says it was cut short). */
typedef int (*rt_exec_progress_fn)(void *ud, int page, size_t items, int more);

typedef struct rt_exec_options {
	const char *profile;          /* NULL: $AWS_PROFILE, "default" */
	const char *region;           /* NULL: the profile's / environment's */
	const char *endpoint_url;     /* NULL: configured (AWS_ENDPOINT_URL...),
	                                 else the endpoint rules */
	const rt_creds *creds;        /* NULL: the credential chain; else these
	                                 (tests, benchmarks), copied */
	int unsigned_requests;        /* 1: send without SigV4 (tests) */
	int max_attempts;             /* 0: $AWS_MAX_ATTEMPTS, profile
	                                 max_attempts, else 3 (capped at
	                                 RT_EXEC_MAX_ATTEMPTS) */
	long connect_timeout_ms;      /* 0: 3000 */
	long read_timeout_ms;         /* 0: 60000 */
	const char *ca_bundle;        /* NULL: AWS_CA_BUNDLE / profile ca_bundle */
	int no_validate;              /* 1: skip rt_validate (the caller did it) */
	int64_t fixed_time;           /* non-zero: sign at this time (tests) */
	unsigned (*random)(void *ud); /* NULL: getrandom; tests pin jitter */
	void *random_ud;
	void (*sleep_ms)(void *ud, long ms); /* NULL: nanosleep */
	void *sleep_ud;
	/* NULL: rt_http.  Tests and benchmarks answer here instead of the
	 * network: return 0 with RESP filled (headers and body malloc'd, for
	 * rt_http_response_free) or an rt_http_perform error code. */
	int (*transport)(void *ud, const rt_http_request *req,
	                 rt_http_response *resp);
	void *transport_ud;
} rt_exec_options;

typedef struct rt_exec rt_exec;

/* A context for CAT (which must outlive it) with options O (copied; the
 * strings must outlive the context).  Credentials are resolved lazily, at
 * the first call that signs.  Returns 0, AL_ENOMEM, or the configuration's
 * error (ERR says which file and line). */
int rt_exec_new(rt_exec **out, const alc_catalog *cat, const rt_exec_options *o, char *err,
                size_t errcap);
void rt_exec_free(rt_exec *x);

/* The region calls go to (NULL when none is configured). */
const char *rt_exec_region(const rt_exec *x);

typedef struct rt_exec_call_options {
	int max_pages;                /* read operations (alc_op_is_read) with a
	                                 paginator: fetch
	                                 up to this many pages and merge their
	                                 items; 0 or 1: one page */
	rt_exec_progress_fn progress;
	void *progress_ud;
	long total_timeout_ms;        /* all attempts and pages; 0: none */
} rt_exec_call_options;

typedef struct rt_exec_result {
	cJSON *output;                /* success: the output object, owned */
	rt_proto_error error;         /* failure: kind != RT_PERR_NONE */
	int attempts;                 /* HTTP attempts made, all pages */
	int pages;                    /* pages fetched */
	int truncated;                /* more pages existed than were fetched */
	char request_id[128];         /* of the last answer */
} rt_exec_result;

void rt_exec_result_init(rt_exec_result *r);
void rt_exec_result_free(rt_exec_result *r);

/* Execute OP with INPUT (an object keyed by member name; NULL is {}),
 * filling absent idempotency tokens first (on a copy: INPUT is not
 * changed).  CO may be NULL.  Returns 0 with RES->output, or the failure
 * with RES->error filled: AL_EINVAL (validation, serialization: kind
 * RT_PERR_CLIENT), AL_ECRED, AL_ENOTFOUND (endpoint), AL_EPROTO (AWS
 * answered with an error, or an answer did not parse), AL_ENET,
 * AL_ETIMEOUT, AL_ENOMEM. */
int rt_exec_call(rt_exec *x, const alc_operation *op, const cJSON *input,
                 const rt_exec_call_options *co, rt_exec_result *res);

/* The result as JSON for tools and the CLI: {"output": ...} or
 * {"error": {code, message, request_id, http_status, retryable, ...}},
 * with "attempts", "pages" (and "truncated").  NULL on ENOMEM. */
cJSON *rt_exec_result_json(const alc_catalog *cat, const rt_exec_result *r);

/* Fill every idempotency-token member of OP's input that INPUT leaves out
 * (top level, where Smithy allows the trait) with a fresh UUIDv4.  Returns
 * the number filled, or AL_ENOMEM / AL_EINVAL (INPUT not an object). */
int rt_exec_fill_tokens(const alc_catalog *cat, const alc_operation *op, cJSON *input);

/* The same with TOKEN for every absent token (tests; a plan layer that
 * derives its own tokens).  Returns as rt_exec_fill_tokens. */
int rt_exec_fill_tokens_with(const alc_catalog *cat, const alc_operation *op, cJSON *input,
                             const char *token);

/* Request compression (smithy.api#requestCompression): gzip when the
 * operation allows it and the body has at least this many bytes (the
 * SDKs' default; AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES or the profile's
 * request_min_compression_size_bytes change it, AWS_DISABLE_REQUEST_COMPRESSION
 * / disable_request_compression turn it off). */
#define RT_EXEC_MIN_COMPRESSION 10240

typedef struct rt_exec_prepare_options {
	int disable_compression;
	long min_compression_bytes;   /* 0: RT_EXEC_MIN_COMPRESSION */
} rt_exec_prepare_options;

/* OP's request for INPUT (tokens already filled), built the way
 * rt_exec_call builds it before the endpoint and the signature: the
 * protocol's serializer, the service customizations the SDKs apply (API
 * Gateway's Accept, Glacier's version header, "-" account id and SHA-256
 * tree hash), request compression, then Content-MD5 when the operation
 * requires a checksum.  PO may be NULL.  Returns as the serializer
 * (rt_proto.h); AL_EUNSUPPORTED when the protocol is not built in. */
int rt_exec_prepare(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                    const rt_exec_prepare_options *po, rt_proto_request *req, char *err,
                    size_t errcap);

/* Endpoint resolution as rt_exec_call does it: the service's rules with
 * the builtIns below and OP's context parameters from INPUT. */
typedef struct rt_exec_endpoint_config {
	const char *region;           /* AWS::Region, or NULL */
	const char *endpoint_url;     /* SDK::Endpoint (a configured URL), or NULL */
	int use_fips;                 /* AWS::UseFIPS */
	int use_dualstack;            /* AWS::UseDualStack */
	int s3_force_path_style;      /* AWS::S3::ForcePathStyle; -1: only with an
	                                 endpoint URL (loopback servers have no
	                                 bucket host names) */
	int s3_accelerate;            /* AWS::S3::Accelerate */
} rt_exec_endpoint_config;

typedef struct rt_exec_endpoint {
	const char *url;              /* into EP, or CFG->endpoint_url */
	const char *signing_name;     /* the auth scheme's, else the service's */
	const char *signing_region;   /* the auth scheme's, else the region */
	int disable_double_encoding;  /* -1: the scheme does not say */
	int sigv4a_only;              /* the only scheme offered is SigV4a */
} rt_exec_endpoint;

/* Resolve OP's endpoint for INPUT with CFG, using the caller's P and EP
 * (large: keep them with the thread); OUT points into EP and CFG.  A
 * service without rules takes CFG->endpoint_url as it is.  Returns 0,
 * AL_ENOTFOUND (no rule matched, an error rule: ERR holds its message,
 * or no rules and no URL), AL_EINVAL, AL_ETOOBIG, AL_ECORRUPT. */
int rt_exec_endpoint_resolve(const alc_catalog *cat, const alc_operation *op,
                             const cJSON *input, const rt_exec_endpoint_config *cfg,
                             rt_endpoint_params *p, rt_endpoint *ep, rt_exec_endpoint *out,
                             char *err, size_t errcap);

/* The endpoint URL INPUT names for OP itself (Amazon Machine Learning's
 * Predict sends to its PredictEndpoint member), or NULL. */
const char *rt_exec_input_endpoint(const alc_catalog *cat, const alc_operation *op,
                                   const cJSON *input);

/* Where REQ goes at ENDPOINT ("https://host[:port][/base/path]"): the Host
 * header value (REQ's host prefix + the endpoint host, with its port
 * when not the scheme's default) into HOST, the path as sent (the
 * endpoint's base path, without a trailing '/', + REQ's path) into PATH,
 * and the full URL (scheme, host, path, encoded query) into URL.  The
 * host prefix is left out when the endpoint host is an IP address or
 * localhost (no subdomains there).  Any of the three may be NULL.  Returns 0, AL_EINVAL (not an http(s) URL, or a
 * query or fragment in it), AL_ENOMEM. */
int rt_exec_target(const char *endpoint, const rt_proto_request *req, rt_buf *url,
                   rt_buf *host, rt_buf *path);

/* A random UUIDv4 "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" into OUT. */
void rt_uuid4(char out[37]);

/* 1 when OP may be retried once the request may have reached AWS: it is
 * marked idempotent, it reads (readonly, or a read by its name:
 * alc_op_is_read), or it has an idempotency token member that INPUT sets. */
int rt_exec_retry_safe(const alc_catalog *cat, const alc_operation *op, const cJSON *input);

#endif
