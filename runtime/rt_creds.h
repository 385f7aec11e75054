/*
 * rt_creds.h -- AWS credentials, resolved the way the AWS CLI and botocore
 * resolve them, cached until a few minutes before they expire.
 *
 * The chain, first match wins:
 *   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *      (+ AWS_SESSION_TOKEN); skipped when the profile was given explicitly
 *      (--profile), as the CLI does; only one of the two set is an error;
 *   2. the profile (--profile, $AWS_PROFILE, "default"), from the shared
 *      config and credentials files (rt_awsconfig.h):
 *        role_arn with source_profile or credential_source (Environment,
 *          Ec2InstanceMetadata, EcsContainer): STS AssumeRole (rt_sts.h)
 *          with external_id, duration_seconds, role_session_name; source
 *          profiles may chain (at most RT_CREDS_MAX_CHAIN roles, no cycles);
 *        web_identity_token_file (+ role_arn, role_session_name), or from
 *          the environment AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *          (+ AWS_ROLE_SESSION_NAME), which come before the rest of the
 *          profile: STS AssumeRoleWithWebIdentity (EKS service accounts);
 *        sso_session / sso_start_url (+ sso_account_id, sso_role_name): the
 *          token the AWS CLI caches in ~/.aws/sso/cache/<sha1>.json, then the
 *          SSO portal's GetRoleCredentials; a missing or expired token says
 *          to run `aws sso login --profile P`;
 *        aws_access_key_id / aws_secret_access_key (/ aws_session_token)
 *          in the credentials file;
 *        credential_process: run (argv split like a POSIX shell, no shell),
 *          its stdout read as the JSON of Version 1; its output (stdout and
 *          stderr) never shown;
 *        the same static keys in the config file;
 *      a profile named explicitly that exists in neither file is an error;
 *   3. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (at
 *      169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to
 *      a loopback host, 169.254.170.2, 169.254.170.23 or fd00:ec2::23), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN as Authorization;
 *   4. EC2 instance metadata, IMDSv2 (a PUT for a session token first, then
 *      the role name and its credentials), unless AWS_EC2_METADATA_DISABLED
 *      is true; AWS_EC2_METADATA_SERVICE_ENDPOINT or the profile's
 *      ec2_metadata_service_endpoint overrides http://169.254.169.254;
 *      AWS_METADATA_SERVICE_TIMEOUT (seconds, default 1) and
 *      AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1); IMDSv1 is used only
 *      when the token PUT is refused with 403, 404 or 405 and
 *      AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled is not true.
 *
 * Secrets: rt_creds is a fixed-size value so that it can be wiped whole
 * (rt_creds_wipe()); every buffer that held a secret on the way (files,
 * HTTP bodies, JSON trees, process output) is wiped before it is freed.
 * Error messages name sources, profiles, files and HTTP statuses, never a
 * key, token or the output of a credential source.
 *
 * Owner: rt_creds.c.  A provider is thread-safe: rt_creds_get() serializes
 * refreshes under the provider's mutex.
 */
#ifndef RT_CREDS_H
#define RT_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include "rt_awsconfig.h"

#define RT_CREDS_TOKEN_MAX 8192
/* Refresh this long before the expiry (the SDKs use 5 to 15 minutes). */
#define RT_CREDS_REFRESH_SECONDS 300
#define RT_CREDS_MAX_CHAIN 8

typedef struct rt_creds {
	char access_key_id[128];
	char secret_access_key[128];
	char session_token[RT_CREDS_TOKEN_MAX];   /* "" when none */
	int64_t expiration;      /* seconds since the epoch; 0: does not expire */
	char account_id[16];     /* when the source says (process, SSO, container) */
	const char *source;      /* static: "environment", "shared-credentials-file",
	                          * "config-file", "credential-process", "assume-role",
	                          * "web-identity", "sso", "container", "imds" */
} rt_creds;

void rt_creds_wipe(rt_creds *c);

typedef struct rt_creds_options {
	const char *profile;     /* --profile, or NULL */
	const char *region;      /* --region, or NULL (then rt_awsconfig_region) */
	const char *sso_cache_dir; /* NULL: ~/.aws/sso/cache */
} rt_creds_options;

typedef struct rt_creds_provider rt_creds_provider;

/* Load the configuration (rt_awsconfig_load) for O; nothing is resolved yet.
 * Returns 0, AL_ENOMEM, or the configuration's error (ERR says which file
 * and line). */
int rt_creds_provider_new(rt_creds_provider **out, const rt_creds_options *o, char *err,
                          size_t errcap);
void rt_creds_provider_free(rt_creds_provider *p);

/* The resolved profile name, region (NULL when none is configured) and
 * configuration; valid for P's lifetime. */
const char *rt_creds_provider_profile(const rt_creds_provider *p);
const char *rt_creds_provider_region(const rt_creds_provider *p);
const rt_awsconfig *rt_creds_provider_config(const rt_creds_provider *p);

/* Current credentials into OUT: the cached ones while they are more than
 * RT_CREDS_REFRESH_SECONDS from expiry, else the chain is resolved again (if
 * that fails while the cached ones have not expired yet, they are returned).
 * Returns 0; AL_ECRED (no source applies, or one failed: ERR says which and
 * why); AL_ENOMEM. */
int rt_creds_get(rt_creds_provider *p, rt_creds *out, char *err, size_t errcap);

/* Seconds since the epoch for an ISO 8601 UTC time as AWS writes them
 * ("2024-05-01T12:00:00Z", with optional fraction, "+00:00" or "UTC");
 * -1 when it does not parse. */
int64_t rt_creds_parse_time(const char *s);

/* Replace every occurrence of C's key id, secret and token (raw and
 * percent-encoded) in MSG with "<redacted>", in place (MSG keeps its size).
 * For messages that quote what the other side received. */
void rt_creds_redact(char *msg, size_t cap, const rt_creds *c);

#endif
