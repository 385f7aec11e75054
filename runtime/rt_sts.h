/*
 * rt_sts.h -- the STS calls identity needs (AssumeRole,
 * AssumeRoleWithWebIdentity, GetCallerIdentity), hand-written awsQuery: a
 * form POST of Action=...&Version=2011-06-15 signed with rt_sigv4 (the web
 * identity call is unsigned), the XML answer read with expat.  Also
 * `airlock whoami`.
 *
 * Endpoint: the configured one (rt_awsconfig_endpoint_url for "STS":
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's services section or
 * endpoint_url), else https://sts.<region>.amazonaws.com (.amazonaws.com.cn
 * for cn- regions).  The full endpoint rules engine may replace this later.
 *
 * Owner: rt_sts.c.  Errors from STS come back as rt_aws_error (code,
 * message, request id, HTTP status), with any echo of the caller's
 * credentials redacted (rt_creds_redact) and the canonical request that
 * SignatureDoesNotMatch answers quote cut off.
 */
#ifndef RT_STS_H
#define RT_STS_H

#include <stddef.h>

#include "rt_creds.h"
#include "rt_http.h"

typedef struct rt_aws_error {
	long http_status;             /* 0 when no answer came */
	char code[96];                /* "AccessDenied", "ExpiredToken", ... */
	char message[512];
	char request_id[96];
} rt_aws_error;

typedef struct rt_sts_target {
	const char *endpoint;         /* "https://sts.us-east-1.amazonaws.com" */
	const char *region;           /* signing region */
	const char *ca_bundle;        /* or NULL */
	rt_http *http;                /* or NULL: one is opened for the call */
} rt_sts_target;

/* The STS endpoint for PROFILE and REGION (NULL: us-east-1) into BUF. */
int rt_sts_endpoint(const rt_awsconfig *cfg, const char *profile, const char *region, char *buf,
                    size_t cap);

typedef struct rt_sts_identity {
	char account[32];
	char arn[2048];
	char user_id[256];
} rt_sts_identity;

/* GetCallerIdentity with credentials C.  Returns 0; AL_EPROTO (STS answered
 * with an error: E says which, or the answer did not parse); AL_ENET,
 * AL_ETIMEOUT (E->message says what failed); AL_ENOMEM; AL_EINVAL. */
int rt_sts_get_caller_identity(const rt_sts_target *t, const rt_creds *c, rt_sts_identity *id,
                               rt_aws_error *e);

typedef struct rt_sts_assume_role {
	const char *role_arn;
	const char *role_session_name;
	const char *external_id;      /* or NULL */
	int duration_seconds;         /* 0: STS's default (3600) */
} rt_sts_assume_role;

/* AssumeRole with source credentials SRC; the role's credentials into OUT
 * (source "assume-role").  Returns as rt_sts_get_caller_identity(). */
int rt_sts_assume_role_call(const rt_sts_target *t, const rt_creds *src,
                            const rt_sts_assume_role *a, rt_creds *out, rt_aws_error *e);

/* AssumeRoleWithWebIdentity (unsigned) with the OIDC token WEB_TOKEN (EKS
 * service accounts, GitHub Actions...); A's external_id is not used.  The
 * role's credentials into OUT (source "web-identity").  Returns as
 * rt_sts_get_caller_identity(). */
int rt_sts_assume_role_with_web_identity(const rt_sts_target *t, const rt_sts_assume_role *a,
                                         const char *web_token, rt_creds *out, rt_aws_error *e);

/* The account of the credentials PROFILE (NULL: the default chain) and
 * REGION resolve to, from STS GetCallerIdentity, into OUT (12 digits).
 * The answer is kept for the process, per (profile, region): the policy
 * asks for every plan.  Returns 0, or an error with the reason in ERR
 * (never a secret). */
int rt_sts_account(const char *profile, const char *region, char *out, size_t cap,
                   char *err, size_t errcap);

/* The parsers of a 200 answer, for tests and fuzzing: GetCallerIdentity's
 * (Account and Arn required), and the Credentials of AssumeRole and
 * AssumeRoleWithWebIdentity (all four fields required; OUT is wiped on
 * failure).  REQUEST_ID (may be NULL) gets ResponseMetadata/RequestId.
 * Return 0 or AL_EPROTO (not well-formed, a field missing or too long, a
 * DOCTYPE). */
int rt_sts_parse_identity(const char *body, size_t len, rt_sts_identity *id, char *request_id,
                          size_t rid_cap);
int rt_sts_parse_credentials(const char *body, size_t len, rt_creds *out, char *request_id,
                             size_t rid_cap);

/* `airlock whoami [--profile P] [--region R] [--json]`; ARGV[0] is
 * "whoami".  Prints account, ARN, user id, profile, region and the
 * credential source.  Exit status as rt_cli.h: 0, 1 (no credentials or STS
 * refused), 2 (usage). */
int rt_sts_whoami_main(int argc, char **argv);

#endif
