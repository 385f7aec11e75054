/*
 * test_creds.c -- configuration and the credential chain without a network:
 * INI parsing, region and endpoint precedence, environment versus
 * profiles, static keys, credential_process (success, caching and refresh,
 * failures, bad JSON), role configuration errors, SSO without a token,
 * container URI rules, time parsing, redaction.  Every failure message is
 * checked for the secrets it must not contain.
 *
 *   test_creds       (uses a fresh directory under $TMPDIR)
 *
 * The network paths (IMDS, container and SSO servers, STS AssumeRole and
 * GetCallerIdentity against moto) are in chain.py.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alc_err.h"
#include "rt_awsconfig.h"
#include "rt_creds.h"
#include "rt_sigv4.h"

static int failures, checks;
static char dir[512];

#define SECRET_KEY "SeCrEtKeYdOnOtLeAk0123456789abcdefghijkl"
#define SECRET_TOKEN "ToKeNdOnOtLeAkIQoJb3JpZ2luX2VjEXAMPLE"
#define KEY_ID "AKIADONOTLEAK0000001"

#define CHECK(cond, ...) check_((cond), __LINE__, __VA_ARGS__)
static void check_(int ok, int line, const char *f, ...)
{
	checks++;
	if (ok)
		return;
	failures++;
	va_list ap;
	va_start(ap, f);
	printf("FAIL line %d: ", line);
	vprintf(f, ap);
	printf("\n");
	va_end(ap);
}

static void no_secret(const char *text, const char *where)
{
	static const char *const s[] = { SECRET_KEY, SECRET_TOKEN, KEY_ID, "PROCESS_SECRET",
		                         "STDERR_SECRET" };
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		CHECK(!strstr(text, s[i]), "%s leaks %s: %s", where, s[i], text);
}

static void write_file(const char *name, const char *text, int mode)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
}

static const char *path(const char *name)
{
	static char p[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", "AWS_CA_BUNDLE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
		"AWS_CREDENTIAL_EXPIRATION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_ROLE_SESSION_NAME",
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("AWS_CONFIG_FILE", path("config"), 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path("credentials"), 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", dir, 1);
}

/* Resolve once with PROFILE; returns the code, fills C and ERR. */
static int resolve(const char *profile, rt_creds *c, char *err, size_t cap)
{
	rt_creds_options o = { .profile = profile };
	rt_creds_provider *p;
	int rc = rt_creds_provider_new(&p, &o, err, cap);
	if (rc)
		return rc;
	rc = rt_creds_get(p, c, err, cap);
	rt_creds_provider_free(p);
	return rc;
}

static void test_ini(void)
{
	clear_env();
	write_file("config",
	           "# comment\n"
	           "; another\n"
	           "[default]\n"
	           "region = eu-west-1\n"
	           "\n"
	           "[profile dev]\n"
	           "Region=us-west-2\n"
	           "output: json\n"
	           "services = local\n"
	           "endpoint_url = http://127.0.0.1:1/global\n"
	           "role_arn = arn:aws:iam::123456789012:role/x\n"
	           "[profile  spaced  ]\n"
	           "region = ap-south-1\n"
	           "[services local]\n"
	           "sts =\n"
	           "  endpoint_url = http://127.0.0.1:2/sts\n"
	           "elastic_beanstalk =\n"
	           "  endpoint_url = http://127.0.0.1:3/eb\n"
	           "[sso-session corp]\n"
	           "sso_start_url = https://corp.awsapps.com/start\n"
	           "sso_region = us-east-1\n"
	           "[notaprofile]\n"
	           "region = xx\n"
	           "[profile dev]\n"
	           "output = text\n",
	           0600);
	write_file("credentials", "[dev]\nregion = from-credentials\n", 0600);
	rt_awsconfig *c;
	char err[256];
	int rc = rt_awsconfig_load(&c, err, sizeof err);
	CHECK(rc == 0, "load: %s", err);
	if (rc)
		return;
	CHECK(rt_awsconfig_has_profile(c, "default"), "default profile");
	CHECK(rt_awsconfig_has_profile(c, "dev"), "dev profile");
	CHECK(rt_awsconfig_has_profile(c, "spaced"), "spaced profile name trimmed");
	CHECK(!rt_awsconfig_has_profile(c, "notaprofile"), "[notaprofile] in config is not a profile");
	CHECK(!rt_awsconfig_has_profile(c, "corp"), "sso-session is not a profile");
	const char *v = rt_awsconfig_get(c, "dev", "region");
	CHECK(v && strcmp(v, "from-credentials") == 0, "credentials file wins: %s", v ? v : "(null)");
	v = rt_awsconfig_get_in(c, RT_AWSCONFIG_CONFIG, "dev", "REGION");
	CHECK(v && strcmp(v, "us-west-2") == 0, "keys are case-insensitive: %s", v ? v : "(null)");
	v = rt_awsconfig_get(c, "dev", "output");
	CHECK(v && strcmp(v, "text") == 0, "a repeated section's later key wins: %s", v ? v : "(null)");
	v = rt_awsconfig_get(c, "dev", "role_arn");
	CHECK(v && strcmp(v, "arn:aws:iam::123456789012:role/x") == 0, "'=' before ':' splits");
	v = rt_awsconfig_section_get(c, "sso-session", "corp", "sso_region", NULL);
	CHECK(v && strcmp(v, "us-east-1") == 0, "sso-session section");
	v = rt_awsconfig_region(c, "default");
	CHECK(v && strcmp(v, "eu-west-1") == 0, "profile region");
	setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
	v = rt_awsconfig_region(c, "default");
	CHECK(v && strcmp(v, "ca-central-1") == 0, "AWS_DEFAULT_REGION over the profile");
	setenv("AWS_REGION", "sa-east-1", 1);
	v = rt_awsconfig_region(c, "default");
	CHECK(v && strcmp(v, "sa-east-1") == 0, "AWS_REGION over AWS_DEFAULT_REGION");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");

	/* Endpoints: service env, global env, services section, profile. */
	v = rt_awsconfig_endpoint_url(c, "dev", "STS");
	CHECK(v && strcmp(v, "http://127.0.0.1:2/sts") == 0, "services section: %s", v ? v : "(null)");
	v = rt_awsconfig_endpoint_url(c, "dev", "Elastic Beanstalk");
	CHECK(v && strcmp(v, "http://127.0.0.1:3/eb") == 0, "services key with spaces: %s",
	      v ? v : "(null)");
	v = rt_awsconfig_endpoint_url(c, "dev", "DynamoDB");
	CHECK(v && strcmp(v, "http://127.0.0.1:1/global") == 0, "profile endpoint_url: %s",
	      v ? v : "(null)");
	v = rt_awsconfig_endpoint_url(c, "default", "DynamoDB");
	CHECK(!v, "no endpoint configured");
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4", 1);
	v = rt_awsconfig_endpoint_url(c, "dev", "STS");
	CHECK(v && strcmp(v, "http://127.0.0.1:4") == 0, "AWS_ENDPOINT_URL over the file: %s",
	      v ? v : "(null)");
	setenv("AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", "http://127.0.0.1:5", 1);
	v = rt_awsconfig_endpoint_url(c, "dev", "Elastic Beanstalk");
	CHECK(v && strcmp(v, "http://127.0.0.1:5") == 0, "AWS_ENDPOINT_URL_<ID>: %s", v ? v : "(null)");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	CHECK(!rt_awsconfig_endpoint_url(c, "dev", "STS"), "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_ELASTIC_BEANSTALK");
	setenv("AWS_CA_BUNDLE", "/x/ca.pem", 1);
	v = rt_awsconfig_ca_bundle(c, "dev");
	CHECK(v && strcmp(v, "/x/ca.pem") == 0, "AWS_CA_BUNDLE");
	unsetenv("AWS_CA_BUNDLE");
	rt_awsconfig_free(c);

	CHECK(strcmp(rt_awsconfig_profile_name(NULL), "default") == 0, "default profile name");
	setenv("AWS_PROFILE", "dev", 1);
	CHECK(strcmp(rt_awsconfig_profile_name(NULL), "dev") == 0, "AWS_PROFILE");
	CHECK(strcmp(rt_awsconfig_profile_name("x"), "x") == 0, "--profile over AWS_PROFILE");
	unsetenv("AWS_PROFILE");

	/* A bad line: the error names file and line, never the content. */
	write_file("config", "[default]\nregion = x\n" SECRET_KEY "\n", 0600);
	rc = rt_awsconfig_load(&c, err, sizeof err);
	CHECK(rc == AL_EINVAL && strstr(err, ":3:"), "parse error with line: %d %s", rc, err);
	no_secret(err, "parse error");
	write_file("config", "region = x\n", 0600);
	rc = rt_awsconfig_load(&c, err, sizeof err);
	CHECK(rc == AL_EINVAL, "a setting before any section");
	/* A UTF-8 byte order mark is not content. */
	write_file("config", "\xef\xbb\xbf[default]\r\nregion = eu-north-1\r\n", 0600);
	rc = rt_awsconfig_load(&c, err, sizeof err);
	CHECK(rc == 0 && rt_awsconfig_region(c, "default") &&
	      strcmp(rt_awsconfig_region(c, "default"), "eu-north-1") == 0, "BOM and CRLF: %s", err);
	if (!rc)
		rt_awsconfig_free(c);
	/* Missing files are empty ones. */
	setenv("AWS_CONFIG_FILE", path("nope/config"), 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path("nope/credentials"), 1);
	rc = rt_awsconfig_load(&c, err, sizeof err);
	CHECK(rc == 0, "missing files: %s", err);
	if (!rc)
		rt_awsconfig_free(c);
}

static void test_env_and_static(void)
{
	rt_creds c;
	char err[1024];
	clear_env();
	write_file("config",
	           "[default]\nregion = us-east-1\n"
	           "[profile cfgonly]\naws_access_key_id = AKIACONFIGFILE000001\n"
	           "aws_secret_access_key = cfgsecret\n"
	           "[profile both]\naws_access_key_id = AKIACONFIGFILE000002\n"
	           "aws_secret_access_key = cfgsecret2\n"
	           "[profile partial]\nregion = x\n",
	           0600);
	write_file("credentials",
	           "[default]\naws_access_key_id = AKIADEFAULT000000001\n"
	           "aws_secret_access_key = defsecret\n"
	           "[both]\naws_access_key_id = AKIACREDFILE00000002\n"
	           "aws_secret_access_key = credsecret2\naws_session_token = tok2\n"
	           "[partial]\naws_access_key_id = " KEY_ID "\n",
	           0600);
	int rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, "AKIADEFAULT000000001") == 0 &&
	      strcmp(c.source, "shared-credentials-file") == 0, "default profile: %d %s", rc, err);
	rc = resolve("cfgonly", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.secret_access_key, "cfgsecret") == 0 &&
	      strcmp(c.source, "config-file") == 0, "config file keys: %d %s", rc, err);
	rc = resolve("both", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, "AKIACREDFILE00000002") == 0 &&
	      strcmp(c.session_token, "tok2") == 0, "credentials file before config: %d %s", rc, err);
	rc = resolve("partial", &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "aws_secret_access_key"), "partial keys: %d %s", rc, err);
	no_secret(err, "partial keys");
	rc = resolve("missing", &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "profile missing not found"), "missing profile: %s", err);

	/* Environment over the profile... */
	setenv("AWS_ACCESS_KEY_ID", KEY_ID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY, 1);
	setenv("AWS_SESSION_TOKEN", SECRET_TOKEN, 1);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, KEY_ID) == 0 &&
	      strcmp(c.session_token, SECRET_TOKEN) == 0 && strcmp(c.source, "environment") == 0,
	      "environment first: %d %s", rc, err);
	/* ...also over AWS_PROFILE... */
	setenv("AWS_PROFILE", "both", 1);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.source, "environment") == 0, "environment over AWS_PROFILE");
	unsetenv("AWS_PROFILE");
	/* ...but not over --profile (the CLI's rule). */
	rc = resolve("both", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, "AKIACREDFILE00000002") == 0,
	      "--profile over the environment: %d %s", rc, err);
	/* Only one of the pair. */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "AWS_SECRET_ACCESS_KEY"), "half the pair: %s", err);
	no_secret(err, "half the pair");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");

	/* Nothing anywhere: one message listing what was tried. */
	write_file("config", "", 0600);
	write_file("credentials", "", 0600);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "no AWS credentials found") &&
	      strstr(err, "instance metadata: disabled"), "nothing: %d %s", rc, err);
	rt_creds_wipe(&c);
}

static int count_lines(const char *name)
{
	FILE *f = fopen(path(name), "r");
	if (!f)
		return 0;
	int n = 0, ch;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static void iso(time_t t, char *buf, size_t cap)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void test_process(void)
{
	rt_creds c;
	char err[1024], sh[4096], cfg[8192], far[32], near[32], past[32];
	clear_env();
	iso(time(NULL) + 3600, far, sizeof far);
	iso(time(NULL) + 120, near, sizeof near);
	iso(time(NULL) - 60, past, sizeof past);
	/* The helper: prints the JSON named by its first argument, counts runs. */
	snprintf(sh, sizeof sh,
	         "#!/bin/sh\n"
	         "echo run >> '%s'\n"
	         "echo STDERR_SECRET " SECRET_KEY " >&2\n"
	         "case \"$1\" in\n"
	         "far) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"" SECRET_KEY "\", \"SessionToken\": \"" SECRET_TOKEN "\", "
	         "\"Expiration\": \"%s\", \"AccountId\": \"123456789012\"}' ;;\n"
	         "near) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"" SECRET_KEY "\", \"Expiration\": \"%s\"}' ;;\n"
	         "past) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"" SECRET_KEY "\", \"Expiration\": \"%s\"}' ;;\n"
	         "noexp) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"" SECRET_KEY "\"}' ;;\n"
	         "fail) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"PROCESS_SECRET\"}'; exit 3 ;;\n"
	         "badjson) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"PROCESS_SECRET\"' ;;\n"
	         "v2) printf '{\"Version\": 2, \"AccessKeyId\": \"" KEY_ID "\", "
	         "\"SecretAccessKey\": \"PROCESS_SECRET\"}' ;;\n"
	         "nosecret) printf '{\"Version\": 1, \"AccessKeyId\": \"" KEY_ID "\"}' ;;\n"
	         "args) [ \"$2\" = 'two words' ] && [ \"$3\" = 'it'\"'\"'s' ] && printf '{\"Version\": 1, "
	         "\"AccessKeyId\": \"AKIAARGS\", \"SecretAccessKey\": \"x\"}' ;;\n"
	         "esac\n",
	         path("runs"), far, near, past);
	write_file("proc.sh", sh, 0700);
	snprintf(cfg, sizeof cfg,
	         "[profile far]\ncredential_process = %s far\n"
	         "[profile near]\ncredential_process = %s near\n"
	         "[profile past]\ncredential_process = %s past\n"
	         "[profile noexp]\ncredential_process = %s noexp\n"
	         "[profile fail]\ncredential_process = %s fail\n"
	         "[profile badjson]\ncredential_process = %s badjson\n"
	         "[profile v2]\ncredential_process = %s v2\n"
	         "[profile nosecret]\ncredential_process = %s nosecret\n"
	         "[profile args]\ncredential_process = %s args \"two words\" 'it'\\''s'\n"
	         "[profile unbalanced]\ncredential_process = %s 'oops\n"
	         "[profile nocmd]\ncredential_process = %s/does-not-exist\n"
	         "[profile static]\ncredential_process = %s fail\n",
	         path("proc.sh"), path("proc.sh"), path("proc.sh"), path("proc.sh"), path("proc.sh"),
	         path("proc.sh"), path("proc.sh"), path("proc.sh"), path("proc.sh"), path("proc.sh"),
	         dir, path("proc.sh"));
	write_file("config", cfg, 0600);
	write_file("credentials", "[static]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = s\n",
	           0600);

	int rc = resolve("far", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, KEY_ID) == 0 &&
	      strcmp(c.secret_access_key, SECRET_KEY) == 0 &&
	      strcmp(c.session_token, SECRET_TOKEN) == 0 && c.expiration > time(NULL) + 3000 &&
	      strcmp(c.account_id, "123456789012") == 0 && strcmp(c.source, "credential-process") == 0,
	      "credential_process: %d %s", rc, err);
	rc = resolve("noexp", &c, err, sizeof err);
	CHECK(rc == 0 && c.expiration == 0, "no Expiration: does not expire");
	rc = resolve("args", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, "AKIAARGS") == 0, "quoted arguments: %d %s", rc, err);
	rc = resolve("static", &c, err, sizeof err);
	CHECK(rc == 0 && strcmp(c.access_key_id, "AKIASTATIC") == 0,
	      "credentials-file keys before credential_process: %d %s", rc, err);

	/* Caching: far from expiry, one run for many gets; near expiry, a run
	 * for every get (inside the refresh window). */
	rt_creds_options o = { .profile = "far" };
	rt_creds_provider *p;
	unlink(path("runs"));
	rc = rt_creds_provider_new(&p, &o, err, sizeof err);
	for (int i = 0; i < 5 && !rc; i++)
		rc = rt_creds_get(p, &c, err, sizeof err);
	rt_creds_provider_free(p);
	CHECK(rc == 0 && count_lines("runs") == 1, "cached: %d runs", count_lines("runs"));
	o.profile = "near";
	unlink(path("runs"));
	rc = rt_creds_provider_new(&p, &o, err, sizeof err);
	for (int i = 0; i < 3 && !rc; i++)
		rc = rt_creds_get(p, &c, err, sizeof err);
	rt_creds_provider_free(p);
	CHECK(rc == 0 && count_lines("runs") == 3, "refreshed near expiry: %d runs", count_lines("runs"));

	static const struct {
		const char *profile, *want;
	} bad[] = {
		{ "past", "already expired" },
		{ "fail", "exited with status 3" },
		{ "badjson", "not a JSON object" },
		{ "v2", "Version" },
		{ "nosecret", "SecretAccessKey" },
		{ "unbalanced", "not a valid command line" },
		{ "nocmd", "cannot run" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc = resolve(bad[i].profile, &c, err, sizeof err);
		CHECK(rc == AL_ECRED && strstr(err, bad[i].want), "process %s: %d %s", bad[i].profile, rc,
		      err);
		no_secret(err, bad[i].profile);
	}
	rt_creds_wipe(&c);
}

static void test_roles_sso_container(void)
{
	rt_creds c;
	char err[1024];
	clear_env();
	write_file("config",
	           "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
	           "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
	           "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n"
	           "credential_source = Environment\n"
	           "[profile neither]\nrole_arn = arn:aws:iam::1:role/x\n"
	           "[profile mfa]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n"
	           "mfa_serial = arn:aws:iam::1:mfa/me\n"
	           "[profile nosrc]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ghost\n"
	           "[profile badcs]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Moon\n"
	           "[profile envsrc]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
	           "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
	           "sso_role_name = Admin\n"
	           "[profile ssolegacy]\nsso_start_url = https://x.awsapps.com/start\n"
	           "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n"
	           "[profile ssohalf]\nsso_session = corp\n"
	           "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
	           "sso_region = us-east-1\n",
	           0600);
	write_file("credentials", "", 0600);
	static const struct {
		const char *profile, *want;
	} bad[] = {
		{ "a", "loops back" },
		{ "both", "exactly one of source_profile and credential_source" },
		{ "neither", "exactly one of source_profile and credential_source" },
		{ "mfa", "mfa_serial is not supported" },
		{ "nosrc", "source_profile ghost does not exist" },
		{ "badcs", "credential_source must be" },
		{ "envsrc", "AWS_ACCESS_KEY_ID is not set" },
		{ "sso", "aws sso login --profile sso" },
		{ "ssolegacy", "aws sso login --profile ssolegacy" },
		{ "ssohalf", "sso_account_id and sso_role_name" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = resolve(bad[i].profile, &c, err, sizeof err);
		CHECK(rc == AL_ECRED && strstr(err, bad[i].want), "%s: %d %s", bad[i].profile, rc, err);
	}
	/* An expired SSO token in the cache the AWS CLI writes. */
	char sha[41], name[128], tok[512];
	rt_sha1_hex("corp", 4, sha);
	mkdir(path(".aws"), 0700);
	mkdir(path(".aws/sso"), 0700);
	mkdir(path(".aws/sso/cache"), 0700);
	snprintf(name, sizeof name, ".aws/sso/cache/%s.json", sha);
	snprintf(tok, sizeof tok, "{\"accessToken\": \"" SECRET_TOKEN "\", "
	         "\"expiresAt\": \"2020-01-01T00:00:00UTC\", \"region\": \"us-east-1\"}");
	write_file(name, tok, 0600);
	int rc = resolve("sso", &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "has expired") && strstr(err, "aws sso login --profile sso"),
	      "expired SSO token: %s", err);
	no_secret(err, "expired SSO token");

	/* Web identity: needs a role and a readable token file. */
	write_file("config", "[profile wi]\nweb_identity_token_file = /nonexistent/token\n"
	           "role_arn = arn:aws:iam::1:role/x\n", 0600);
	rc = resolve("wi", &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "cannot read the web identity token file"),
	      "web identity, no token file: %s", err);
	write_file("webtoken", SECRET_TOKEN "\n", 0600);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path("webtoken"), 1);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "AWS_ROLE_ARN"), "web identity, no role: %s", err);
	no_secret(err, "web identity, no role");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");

	/* Container URIs: http only to loopback or the ECS/EKS hosts. */
	write_file("config", "", 0600);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "must be https"), "container FULL_URI host: %s", err);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: x", 1);
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "line break"), "token with CRLF: %s", err);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	rc = resolve(NULL, &c, err, sizeof err);
	CHECK(rc == AL_ECRED && strstr(err, "container: credentials endpoint 127.0.0.1"),
	      "container endpoint down: %s", err);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	rt_creds_wipe(&c);
}

static void test_time_redact(void)
{
	CHECK(rt_creds_parse_time("2015-08-30T12:36:00Z") == 1440938160, "Z");
	CHECK(rt_creds_parse_time("2015-08-30T12:36:00.123Z") == 1440938160, "fraction");
	CHECK(rt_creds_parse_time("2015-08-30T12:36:00UTC") == 1440938160, "UTC");
	CHECK(rt_creds_parse_time("2015-08-30T14:36:00+02:00") == 1440938160, "offset");
	CHECK(rt_creds_parse_time("2015-08-30 12:36:00Z") == -1, "space");
	CHECK(rt_creds_parse_time("2015-08-30T12:36:00Zjunk") == -1, "junk");
	CHECK(rt_creds_parse_time(NULL) == -1, "NULL");
	rt_creds c;
	memset(&c, 0, sizeof c);
	strcpy(c.access_key_id, KEY_ID);
	strcpy(c.secret_access_key, SECRET_KEY);
	strcpy(c.session_token, "tok/en+with=chars");
	char m[512];
	snprintf(m, sizeof m, "a %s b %s c tok/en+with=chars d tok%%2Fen%%2Bwith%%3Dchars e", KEY_ID,
	         SECRET_KEY);
	rt_creds_redact(m, sizeof m, &c);
	CHECK(strcmp(m, "a <redacted> b <redacted> c <redacted> d <redacted> e") == 0, "redact: %s", m);
	char small[12] = "x tok/en+w";
	strcpy(c.session_token, "tok/en+w");
	rt_creds_redact(small, sizeof small, &c);
	CHECK(strcmp(small, "x <redacted") == 0, "redact within capacity: %s", small);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/airlock-creds-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_ini();
	test_env_and_static();
	test_process();
	test_roles_sso_container();
	test_time_redact();
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", dir);
	printf("creds: %d/%d checks passed\n", checks - failures, checks);
	return failures ? 1 : 0;
}
