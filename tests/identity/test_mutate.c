/*
 * test_mutate.c -- deterministic mutation testing of identity's parsers of
 * outside input; the pass condition is "never crash, never overrun" (run it
 * under ASan+UBSan, as the sanitizer configuration does):
 *
 *   - the shared config and credentials files (rt_awsconfig_load_text), and
 *     the lookups over what parsed;
 *   - STS answers (rt_sts_parse_identity, rt_sts_parse_credentials: expat
 *     plus the field extraction);
 *   - the signer over mutated paths, queries and header values, with the
 *     workspace sized exactly by rt_sigv4_buffer_size() (so an
 *     underestimate is an overrun ASan sees), in both forms and with every
 *     path flag;
 *   - ISO 8601 times (rt_creds_parse_time).
 *
 *   test_mutate [ITERATIONS]     (default 20000 per seed)
 *
 * Mutations: byte flips, insertions of bytes and of syntax tokens, deletions,
 * duplications, truncation; a fixed xorshift seed makes every run the same.
 * Each seed is also checked to parse before mutation (so the test cannot
 * pass by rejecting everything).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_awsconfig.h"
#include "rt_creds.h"
#include "rt_sigv4.h"
#include "rt_sts.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

#define MAXLEN 8192

static const char *const tokens[] = {
	"[", "]", "=", ":", "\n", " ", "\t", "#", ";", "[profile ", "[services ", "[sso-session ",
	"<", ">", "</", "&amp;", "&#0;", "<![CDATA[", "<!DOCTYPE x>", "<Credentials>",
	"</Credentials>", "%", "%2", "%zz", "%41", "&", "?", "/", "..", ".", "//", "\r\n",
	"Z", "+99:99", "T", "-", "\xff", "\xc3\xa9",
};

/* Mutate SEED into OUT (NUL-terminated); returns the length. */
static size_t mutate(const char *seed, char *out)
{
	size_t n = strlen(seed);
	memcpy(out, seed, n);
	int k = 1 + (int)below(4);
	for (int m = 0; m < k; m++) {
		size_t pos = below(n + 1);
		switch (below(6)) {
		case 0: /* flip */
			if (n)
				out[below(n)] ^= (char)(1u << below(8));
			break;
		case 1: /* insert a byte */
			if (n + 1 < MAXLEN) {
				memmove(out + pos + 1, out + pos, n - pos);
				out[pos] = (char)(1 + below(255));
				n++;
			}
			break;
		case 2: { /* insert a token */
			const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
			size_t tl = strlen(t);
			if (n + tl < MAXLEN) {
				memmove(out + pos + tl, out + pos, n - pos);
				memcpy(out + pos, t, tl);
				n += tl;
			}
			break;
		}
		case 3: { /* delete a range */
			size_t l = below(16) + 1;
			if (pos + l <= n) {
				memmove(out + pos, out + pos + l, n - pos - l);
				n -= l;
			}
			break;
		}
		case 4: { /* duplicate a range */
			size_t l = below(32) + 1;
			if (pos + l <= n && n + l < MAXLEN) {
				memmove(out + pos + l, out + pos, n - pos);
				n += l;
			}
			break;
		}
		default: /* truncate */
			n = pos;
			break;
		}
	}
	out[n] = '\0';
	return n;
}

static const char config_seed[] =
	"[default]\nregion = us-east-1\noutput = json\n"
	"[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n"
	"services = local\nendpoint_url = http://127.0.0.1:1\n"
	"[services local]\nsts =\n  endpoint_url = http://127.0.0.1:2\n"
	"[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n";
static const char creds_seed[] =
	"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
	"# comment\n[dev]\naws_session_token = tok\n";
static const char identity_seed[] =
	"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
	"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
	"<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
	"<ResponseMetadata><RequestId>01234567-89ab</RequestId></ResponseMetadata>"
	"</GetCallerIdentityResponse>";
static const char creds_xml_seed[] =
	"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
	"<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>"
	"<SessionToken>FwoGZXIvYXdzEXAMPLE==</SessionToken>"
	"<Expiration>2030-01-01T00:00:00.000Z</Expiration></Credentials>"
	"<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>"
	"</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
	"</AssumeRoleResponse>";
static const char query_seed[] = "Param1=value1&a%20b=c+d&%E1%88%B4=x&empty&=v&&k=%zz";
static const char path_seed[] = "/a/./b/../c//d%2F/%E1%88%B4/example space/..";
static const char value_seed[] = "  a   b\tc  \"q  q\"  ";
static const char time_seed[] = "2015-08-30T12:36:00.123+02:00";

static int failures;

static void config_one(const char *cfg, const char *cred)
{
	rt_awsconfig *c;
	char err[256];
	if (rt_awsconfig_load_text(&c, cfg, cred, err, sizeof err) != 0)
		return;
	static const char *const profiles[] = { "default", "dev", "corp", "", "profile dev" };
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
		(void)rt_awsconfig_has_profile(c, profiles[i]);
		(void)rt_awsconfig_get(c, profiles[i], "region");
		(void)rt_awsconfig_get(c, profiles[i], "aws_access_key_id");
		(void)rt_awsconfig_endpoint_url(c, profiles[i], "STS");
		(void)rt_awsconfig_region(c, profiles[i]);
	}
	(void)rt_awsconfig_section_get(c, "services", "local", "sts", "endpoint_url");
	(void)rt_awsconfig_section_get(c, "sso-session", "corp", "sso_region", NULL);
	rt_awsconfig_free(c);
}

static void sign_one(const char *path, const char *query, const char *value, unsigned flags)
{
	rt_sigv4_header h[] = { { "Host", 4, "example.amazonaws.com", 21 },
		                { "My-Header", 9, value, strlen(value) },
		                { "my-header", 9, value, strlen(value) } };
	rt_sigv4_request req = { .method = "GET", .path = path, .path_len = strlen(path),
		                 .query = query, .query_len = strlen(query), .headers = h,
		                 .nheaders = 3 };
	rt_sigv4_params p = { .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret",
		              .session_token = "tok/en+=", .region = "us-east-1", .service = "s",
		              .time = 1440938160, .expires = 60, .flags = flags };
	size_t cap = rt_sigv4_buffer_size(&req, &p);
	char *ws = malloc(cap);
	rt_sigv4_result r;
	int rc = ws ? rt_sigv4_sign(&req, &p, ws, cap, &r) : 0;
	if (ws && rc != 0) {
		printf("FAIL signer: %s with a workspace of rt_sigv4_buffer_size() (path \"%s\" "
		       "query \"%s\")\n", al_strerror(rc), path, query);
		failures++;
	}
	free(ws);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	static char a[MAXLEN], b[MAXLEN], c[MAXLEN];
	rt_sts_identity id;
	rt_creds *cr = malloc(sizeof *cr);
	if (!cr)
		return 2;

	/* The seeds parse. */
	rt_awsconfig *cfg;
	char err[256];
	if (rt_awsconfig_load_text(&cfg, config_seed, creds_seed, err, sizeof err) != 0) {
		printf("FAIL config seed: %s\n", err);
		failures++;
	} else {
		const char *v = rt_awsconfig_section_get(cfg, "services", "local", "sts", "endpoint_url");
		if (!v || strcmp(v, "http://127.0.0.1:2") != 0) {
			printf("FAIL config seed lookups\n");
			failures++;
		}
		rt_awsconfig_free(cfg);
	}
	char rid[96];
	if (rt_sts_parse_identity(identity_seed, strlen(identity_seed), &id, rid, sizeof rid) != 0 ||
	    strcmp(id.account, "123456789012") != 0 || strcmp(rid, "01234567-89ab") != 0) {
		printf("FAIL identity seed\n");
		failures++;
	}
	if (rt_sts_parse_credentials(creds_xml_seed, strlen(creds_xml_seed), cr, NULL, 0) != 0 ||
	    strcmp(cr->secret_access_key, "s3cr3t") != 0 || cr->expiration != 1893456000) {
		printf("FAIL credentials seed\n");
		failures++;
	}
	/* A DOCTYPE (entity expansion) is refused. */
	static const char bomb[] =
		"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
		"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>&b;</Arn>"
		"<Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
	if (rt_sts_parse_identity(bomb, strlen(bomb), &id, NULL, 0) != AL_EPROTO) {
		printf("FAIL a DOCTYPE was accepted\n");
		failures++;
	}

	long n = 0;
	for (long i = 0; i < iters; i++, n += 5) {
		mutate(config_seed, a);
		mutate(creds_seed, b);
		config_one(a, b);
		config_one(a, NULL);
		size_t l = mutate(identity_seed, a);
		(void)rt_sts_parse_identity(a, l, &id, rid, sizeof rid);
		l = mutate(creds_xml_seed, a);
		(void)rt_sts_parse_credentials(a, l, cr, rid, sizeof rid);
		mutate(path_seed, a);
		mutate(query_seed, b);
		mutate(value_seed, c);
		static const unsigned fl[] = { RT_SIGV4_DEFAULT, RT_SIGV4_S3, 0,
			                       RT_SIGV4_DEFAULT | RT_SIGV4_QUERY,
			                       RT_SIGV4_S3 | RT_SIGV4_QUERY | RT_SIGV4_OMIT_TOKEN };
		sign_one(a, b, c, fl[i % 5]);
		mutate(time_seed, a);
		(void)rt_creds_parse_time(a);
	}
	rt_creds_wipe(cr);
	free(cr);
	printf("mutate: %ld mutated inputs, %d failure(s)\n", n, failures);
	return failures ? 1 : 0;
}
