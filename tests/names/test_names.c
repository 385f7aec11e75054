/*
 * test_names.c -- unit tests for compiler/cc_names.c.
 *
 *   test_names TSV      TSV = catalogs/cli-names.tsv (the committed table)
 *
 * Known answers for cc_cli_op_name were produced by botocore 1.43.11's
 * xform_name(name, '-'); tests/names/check_names.py re-derives them from
 * botocore for the whole corpus, these pin the corners.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "cc_names.h"
#include "cc_util.h"

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			failures++;                                        \
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ",       \
			        __FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

/* botocore.xform_name(in, '-') */
static const char *const op_kat[][2] = {
	/* from the brief */
	{ "ListObjectsV2", "list-objects-v2" },
	{ "DescribeDBInstances", "describe-db-instances" },
	{ "GetBucketAcl", "get-bucket-acl" },
	{ "CreateStack", "create-stack" },
	/* [A-Z]{2,}s$: pluralised acronyms */
	{ "ListWebACLs", "list-web-acls" },
	{ "GatewayARNs", "gateway-arns" },
	{ "UpdateEC2ABs", "update-ec2-abs" },
	{ "fooBARs", "foo-bars" },
	{ "iSCSIs", "i-scsis" },
	{ "ACLs", "-acls" },          /* whole name: leading sep, as botocore */
	{ "ABCDs", "-abcds" },
	{ "SSs", "-sss" },
	{ "HSs", "-hss" },
	{ "Hs", "hs" },               /* run of 1: not special */
	{ "Ss", "ss" },
	{ "HsS", "hs-s" },
	{ "MyURLsList", "my-ur-ls-list" }, /* 's' not final: no special */
	/* acronyms and digits */
	{ "HTTPSProxy", "https-proxy" },
	{ "TestDNSAnswer", "test-dns-answer" },
	{ "GetAWSDefaultServiceQuotas", "get-aws-default-service-quotas" },
	{ "GetIPv6Addresses", "get-i-pv6-addresses" },
	{ "DescribeVpcsIPv4s", "describe-vpcs-i-pv4s" },
	{ "EC2Instances", "ec2-instances" },
	{ "S3Objects", "s3-objects" },
	{ "getDBsX", "get-d-bs-x" },
	{ "FOOBarBaz", "foo-bar-baz" },
	{ "V2Foo", "v2-foo" },
	{ "Foo2Bar", "foo2-bar" },
	{ "a1B", "a1-b" },
	{ "1A", "1-a" },
	{ "aBcDe", "a-bc-de" },       /* first_cap consumes 'c'; end_cap fixes */
	{ "XYzWVu", "x-yz-w-vu" },
	{ "ABc", "a-bc" },
	/* underscores are not separators to botocore */
	{ "Create_Foo", "create_-foo" },
	{ "foo_BARs", "foo_-bars" },
	/* '.' in (.)([A-Z][a-z]+) does not match a newline */
	{ "x\nYz", "x\nyz" },
	/* tiny */
	{ "", "" },
	{ "A", "a" },
	{ "AB", "ab" },
	{ "Go", "go" },
	{ "s", "s" },
	/* already contains the separator: returned unchanged, not lowered */
	{ "Foo-Bar", "Foo-Bar" },
	{ "Delete-Media", "Delete-Media" },
	/* botocore's prepopulated _xform_cache */
	{ "CreateCachediSCSIVolume", "create-cached-iscsi-volume" },
	{ "ListHITsForQualificationType", "list-hits-for-qualification-type" },
	{ "ExecutePartiQLStatement", "execute-partiql-statement" },
	{ "GetOTelEnrichment", "get-otel-enrichment" },
	{ "DeleteWhatsAppMessageMedia", "delete-whatsapp-message-media" },
	/* near-misses of the cache keys take the ordinary path */
	{ "CreateCachediSCSIVolumes", "create-cachedi-scsi-volumes" },
	{ "ListHITs", "list-hits" },
};

static void test_op_names(void)
{
	char out[256];
	for (size_t i = 0; i < sizeof op_kat / sizeof op_kat[0]; i++) {
		const char *in = op_kat[i][0], *want = op_kat[i][1];
		size_t n = cc_cli_op_name(in, out, sizeof out);
		CHECK(n == strlen(want) && !strcmp(out, want),
		      "\"%s\" -> \"%s\" (%zu), want \"%s\"", in, out, n, want);
		CHECK(n <= 2 * strlen(in), "\"%s\": %zu over bound", in, n);
	}
}

static void test_op_truncation(void)
{
	char out[8];
	memset(out, 'X', sizeof out);
	size_t n = cc_cli_op_name("ListObjectsV2", out, 5);
	CHECK(n == 15, "returns full length, got %zu", n);
	CHECK(!strcmp(out, "list") && out[5] == 'X',
	      "truncated to cap-1 + NUL, nothing past cap: \"%s\"", out);

	memset(out, 'X', sizeof out);
	n = cc_cli_op_name("ListObjectsV2", out, 0);
	CHECK(n == 15 && out[0] == 'X', "cap 0 writes nothing");

	n = cc_cli_op_name("ListObjectsV2", out, 1);
	CHECK(n == 15 && out[0] == '\0', "cap 1 gives \"\"");

	n = cc_cli_op_name("Foo-Bar", out, 4);   /* the verbatim path too */
	CHECK(n == 7 && !strcmp(out, "Foo"), "verbatim truncation: \"%s\"", out);
	n = cc_cli_op_name("GetOTelEnrichment", out, 4); /* and the table */
	CHECK(n == 19 && !strcmp(out, "get"), "exception truncation: \"%s\"",
	      out);

	/* Exactly fitting: len + 1 bytes. */
	char fit[16];
	n = cc_cli_op_name("ListObjectsV2", fit, 16);
	CHECK(n == 15 && !strcmp(fit, "list-objects-v2"), "fit: \"%s\"", fit);
}

/* Worst case for the 2n bound: every boundary gets a separator. */
static void test_op_bound(void)
{
	const char *in = "aAaAaAaA";
	char out[64];
	size_t n = cc_cli_op_name(in, out, sizeof out);
	CHECK(n <= 2 * strlen(in) && !strcmp(out, "a-aa-aa-aa-a"), "\"%s\"",
	      out);
	in = "a1A1A1A1A";
	n = cc_cli_op_name(in, out, sizeof out);
	CHECK(n <= 2 * strlen(in) && !strcmp(out, "a1-a1-a1-a1-a"),
	      "\"%s\"", out);
}

static char tmpdir[] = "/tmp/test_names.XXXXXX";

static const char *write_tmp_n(const char *name, const char *text,
                               size_t len)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

static const char *write_tmp(const char *name, const char *text)
{
	return write_tmp_n(name, text, strlen(text));
}

/* Load LEN bytes of TEXT; expect RC and, if WANT_DIAG, that substring in
 * the diag. */
static void expect_load_n(const char *text, size_t len, int rc,
                          const char *want_diag)
{
	cc_buf diag = {0};
	const char *path = write_tmp_n("t.tsv", text, len);
	int got = cc_names_load(path, &diag);
	cc_buf_put(&diag, "", 1);
	CHECK(got == rc, "load rc %s, want %s; diag: %s", al_errname(got),
	      al_errname(rc), (const char *)diag.p);
	if (want_diag)
		CHECK(strstr((const char *)diag.p, want_diag) != NULL,
		      "diag lacks \"%s\": %s", want_diag,
		      (const char *)diag.p);
	else
		CHECK(diag.len == 1, "unexpected diag: %s",
		      (const char *)diag.p);
	cc_buf_free(&diag);
}

static void expect_load(const char *text, int rc, const char *want_diag)
{
	expect_load_n(text, strlen(text), rc, want_diag);
}

static void expect_service(const char *sdk, const char *want)
{
	char buf[64];
	const char *got = cc_cli_service_name(sdk, buf, sizeof buf);
	CHECK(got == buf && !strcmp(buf, want), "\"%s\" -> \"%s\", want \"%s\"",
	      sdk, got ? got : "(null)", want);
}

static void test_load_errors(void)
{
	char path[300];

	/* A good table first; failed loads below must leave it in place. */
	expect_load("# c\n\nFoo Bar\tfb\r\nS3\ts3api\n", 0, NULL);
	CHECK(cc_names_count() == 2, "%zu rows", cc_names_count());
	expect_service("Foo Bar", "fb");

	snprintf(path, sizeof path, "%s/t.tsv:3:", tmpdir);
	expect_load("# c\nA\ta\nno tab here\n", AL_EINVAL, path);
	expect_load("# c\nA\ta\nB\tb\textra\n", AL_EINVAL, "t.tsv:3:");
	expect_load("\tcli\n", AL_EINVAL, "t.tsv:1: empty sdk-id");
	expect_load("A\t\n", AL_EINVAL, "t.tsv:1: empty cli-name");
	expect_load(" A\ta\n", AL_EINVAL, "leading or trailing blanks");
	expect_load("A \ta\n", AL_EINVAL, "leading or trailing blanks");
	expect_load("A\tBad Name\n", AL_EINVAL, "t.tsv:1: cli-name");
	expect_load("A\ta\nB\tb\nA\tc\n", AL_EDUP,
	            "t.tsv:3: duplicate sdk-id \"A\" (first on line 1)");
	expect_load_n("A\ta\nB\0\tb\n", 9, AL_EINVAL, "t.tsv:2: NUL byte");

	/* Every bad line is reported, not only the first. */
	{
		cc_buf diag = {0};
		const char *p = write_tmp("t2.tsv", "x\n#ok\ny\nZ\tz\nw\n");
		CHECK(cc_names_load(p, &diag) == AL_EINVAL, "multi");
		cc_buf_put(&diag, "", 1);
		const char *d = (const char *)diag.p;
		CHECK(strstr(d, "t2.tsv:1:") && strstr(d, "t2.tsv:3:") &&
		      strstr(d, "t2.tsv:5:") && !strstr(d, "t2.tsv:4:"),
		      "multi diag: %s", d);
		cc_buf_free(&diag);
	}

	/* Missing file. */
	{
		cc_buf diag = {0};
		snprintf(path, sizeof path, "%s/nonexistent.tsv", tmpdir);
		CHECK(cc_names_load(path, &diag) == AL_ENOENT, "enoent");
		cc_buf_put(&diag, "", 1);
		CHECK(strstr((const char *)diag.p, path) != NULL,
		      "enoent diag names the file: %s", (const char *)diag.p);
		cc_buf_free(&diag);
	}

	/* Still the table from the first load. */
	CHECK(cc_names_count() == 2, "%zu rows", cc_names_count());
	expect_service("S3", "s3api");

	/* Last line without newline, and an empty file. */
	expect_load("# c\nA\ta", 0, NULL);
	expect_service("A", "a");
	expect_load("", 0, NULL);
	CHECK(cc_names_count() == 0, "empty file, %zu rows", cc_names_count());
	expect_service("S3", "s3");
}

static void test_services(const char *tsv)
{
	cc_names_free();
	expect_service("S3", "s3");                       /* no table */
	expect_service("CloudWatch Logs", "cloudwatch-logs");

	cc_buf diag = {0};
	int rc = cc_names_load(tsv, &diag);
	cc_buf_put(&diag, "", 1);
	CHECK(rc == 0, "%s: %s %s", tsv, al_errname(rc), (const char *)diag.p);
	cc_buf_free(&diag);
	CHECK(cc_names_count() > 40, "%zu rows", cc_names_count());

	expect_service("S3", "s3api");
	expect_service("CloudWatch Logs", "logs");
	expect_service("SFN", "stepfunctions");
	expect_service("Elastic Load Balancing v2", "elbv2");
	expect_service("Elastic Load Balancing", "elb");
	expect_service("Config Service", "configservice");
	expect_service("CodeDeploy", "deploy");
	expect_service("EventBridge", "events");
	expect_service("API Gateway", "apigateway");
	expect_service("Cognito Identity Provider", "cognito-idp");
	expect_service("Elastic Transcoder", "elastictranscoder"); /* retired */
	/* default rule */
	expect_service("CloudFormation", "cloudformation");
	expect_service("RDS", "rds");
	expect_service("ApiGatewayV2", "apigatewayv2");
	expect_service("Pinpoint SMS Voice", "pinpoint-sms-voice");
	expect_service("CloudWatch Events", "cloudwatch-events");
	expect_service("Some New Service", "some-new-service");
	expect_service("", "");
	/* case matters: no row for "s3", default rule applies */
	expect_service("s3", "s3");

	/* Never a truncated name. */
	char small[5];
	CHECK(cc_cli_service_name("S3", small, sizeof small) == NULL &&
	      small[0] == '\0', "s3api needs 6 bytes");
	CHECK(cc_cli_service_name("S3", small, 0) == NULL, "cap 0");
	char six[6];
	CHECK(cc_cli_service_name("S3", six, sizeof six) == six &&
	      !strcmp(six, "s3api"), "exact fit");
	CHECK(cc_cli_service_name("RDSX", small, sizeof small) == small &&
	      !strcmp(small, "rdsx"), "default exact fit");
	CHECK(cc_cli_service_name("RDSXY", small, sizeof small) == NULL,
	      "default too long");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: test_names cli-names.tsv\n", stderr);
		return 2;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_op_names();
	test_op_truncation();
	test_op_bound();
	test_load_errors();
	test_services(argv[1]);
	cc_names_free();

	char path[300];
	snprintf(path, sizeof path, "%s/t.tsv", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/t2.tsv", tmpdir);
	unlink(path);
	rmdir(tmpdir);

	if (failures) {
		fprintf(stderr, "test_names: %d failure(s)\n", failures);
		return 1;
	}
	puts("test_names: all passed");
	return 0;
}
