/*
 * rt_awsconfig.h -- AWS configuration as the AWS CLI and SDKs read it: the
 * shared config and credentials files and the environment.
 *
 * Owner: rt_awsconfig.c.  rt_awsconfig_load() reads both files once
 * ($AWS_CONFIG_FILE, default ~/.aws/config; $AWS_SHARED_CREDENTIALS_FILE,
 * default ~/.aws/credentials; a leading "~/" is $HOME) into one handle;
 * every string a lookup returns points into that handle (valid until
 * rt_awsconfig_free(), which wipes it: the credentials file holds secrets)
 * or into the environment (valid until the variable changes).
 *
 * The files are INI as botocore parses them: "[section]" lines; "key = value"
 * or "key: value" (the first '=' or ':' splits; keys are case-insensitive,
 * values trimmed); lines starting with '#' or ';' are comments (there are no
 * inline comments); an indented "subkey = value" line under a key with an
 * empty value is a nested setting (the services sections).  In the config
 * file profiles are "[profile NAME]" (and "[default]"), other sections are
 * "[sso-session NAME]" and "[services NAME]"; in the credentials file every
 * section "[NAME]" is a profile.  A profile's setting is looked up in the
 * credentials file first, then in the config file (botocore merges them the
 * same way).  A repeated section or key: the last one wins.
 */
#ifndef RT_AWSCONFIG_H
#define RT_AWSCONFIG_H

#include <stddef.h>

typedef struct rt_awsconfig rt_awsconfig;

enum rt_awsconfig_file { RT_AWSCONFIG_CONFIG = 0, RT_AWSCONFIG_CREDENTIALS = 1 };

/* Read both files.  A missing file is an empty one.  Returns 0; AL_ENOMEM;
 * AL_EIO (a file exists but cannot be read) or AL_EINVAL (a line that is
 * neither a section, a setting nor a comment), with ERR naming the file and
 * line (never its content). */
int rt_awsconfig_load(rt_awsconfig **out, char *err, size_t errcap);
void rt_awsconfig_free(rt_awsconfig *c);

/* The same from two NUL-terminated texts (either may be NULL), named
 * "(config)" and "(credentials)" in messages: for tests and fuzzing. */
int rt_awsconfig_load_text(rt_awsconfig **out, const char *config, const char *credentials,
                           char *err, size_t errcap);

/* The paths it read (after $HOME expansion), for messages. */
const char *rt_awsconfig_path(const rt_awsconfig *c, int file);

/* The active profile: EXPLICIT (--profile) when not NULL, else $AWS_PROFILE,
 * else $AWS_DEFAULT_PROFILE, else "default". */
const char *rt_awsconfig_profile_name(const char *explicit_profile);

/* 1 when PROFILE has a section in either file. */
int rt_awsconfig_has_profile(const rt_awsconfig *c, const char *profile);

/* A profile's setting (credentials file first, then config), or NULL.  Empty
 * values are returned as "". */
const char *rt_awsconfig_get(const rt_awsconfig *c, const char *profile, const char *key);
/* The same, from one file only. */
const char *rt_awsconfig_get_in(const rt_awsconfig *c, int file, const char *profile,
                                const char *key);
/* A setting of a non-profile section of the config file ("sso-session",
 * "services"), with SUBKEY for a nested one (NULL otherwise). */
const char *rt_awsconfig_section_get(const rt_awsconfig *c, const char *kind, const char *name,
                                     const char *key, const char *subkey);

/* $AWS_REGION, else $AWS_DEFAULT_REGION, else the profile's region; NULL when
 * none is set. */
const char *rt_awsconfig_region(const rt_awsconfig *c, const char *profile);

/* The configured endpoint URL for the service with sdk id SERVICE_ID ("STS",
 * "DynamoDB", "Elastic Beanstalk"), in the SDKs' order:
 * $AWS_ENDPOINT_URL_<ID> (upper case, spaces to '_'), $AWS_ENDPOINT_URL, the
 * profile's services section (key: lower case, spaces to '_'; nested
 * endpoint_url), the profile's endpoint_url.  NULL when none is set or
 * $AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls is
 * true. */
const char *rt_awsconfig_endpoint_url(const rt_awsconfig *c, const char *profile,
                                      const char *service_id);

/* $AWS_CA_BUNDLE, else the profile's ca_bundle; NULL when none. */
const char *rt_awsconfig_ca_bundle(const rt_awsconfig *c, const char *profile);

/* 1 when the string is "true" in any case (how the SDKs read booleans). */
int rt_awsconfig_true(const char *v);

#endif
