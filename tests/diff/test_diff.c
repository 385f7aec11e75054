/*
 * test_diff.c -- the comparison engine of the Diff (runtime/rt_diff.c) on
 * hand-built JSON: nested objects, lists, maps, JSON documents (policies,
 * URL-encoded too), number/text equality, EC2 {"Value": x} wrappers, a
 * member shown one level down, the depth bound, sensitive members (by the
 * input's and the state's shapes, and nested ones in added values) never
 * shown in the result nor in the rendering, and the rendering's markers
 * and colours.
 *
 *   test_diff CATALOG     (a catalog with iam, secretsmanager, lambda,
 *                          dynamodb: the diff_catalog fixture)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_diff.h"

static int fails, checks;

#define CHECK(c) CHECKF((c), "%s", #c)
#define CHECKF(c, ...)                                                              \
	do {                                                                            \
		checks++;                                                                   \
		if (!(c)) {                                                                 \
			fails++;                                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                    \
			fprintf(stderr, __VA_ARGS__);                                           \
			fputc('\n', stderr);                                                    \
		}                                                                           \
	} while (0)

static cJSON *J(const char *s)
{
	cJSON *v = cJSON_Parse(s);
	if (!v) {
		fprintf(stderr, "bad test JSON: %s\n", s);
		exit(2);
	}
	return v;
}

/* A result with no plan: the fields rt_diff_compare fills. */
static cJSON *fresh(void)
{
	cJSON *r = J("{\"summary\":{\"changed\":0,\"added\":0,\"removed\":0,\"unchanged\":0,"
	             "\"notVisible\":0,\"sensitive\":0},\"changes\":[]}");
	return r;
}

static const cJSON *entry(const cJSON *r, const char *path)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "changes")) {
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "path"));
		if (p && strcmp(p, path) == 0)
			return e;
	}
	return NULL;
}

static const char *op_at(const cJSON *r, const char *path)
{
	const cJSON *e = entry(r, path);
	const char *s = e ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "op")) : NULL;
	return s ? s : "(none)";
}

static int summary(const cJSON *r, const char *k)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "summary"), k);
	return cJSON_IsNumber(n) ? n->valueint : -1;
}

static int nchanges(const cJSON *r)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "changes"));
}

#define OP(r, path, want) \
	CHECKF(strcmp(op_at(r, path), want) == 0, "%s: op %s, want %s", path, op_at(r, path), want)

static int compare(const alc_catalog *cat, uint32_t in, const char *planned, uint32_t st,
                   const char *state, const char *const *skip, cJSON **out)
{
	cJSON *p = J(planned), *s = state ? J(state) : NULL;
	*out = fresh();
	int rc = rt_diff_compare(cat, in, p, st, s, skip, "", *out);
	cJSON_Delete(p);
	cJSON_Delete(s);
	return rc;
}

/* The result's JSON text and its rendering (colour COLOR) in one string. */
static char *texts(const cJSON *r, int color, int verbose)
{
	char *j = cJSON_PrintUnformatted(r);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || !j)
		exit(2);
	rt_diff_render(f, r, color, verbose);
	fclose(f);
	size_t n = strlen(j) + len + 2;
	char *all = malloc(n);
	if (!all)
		exit(2);
	snprintf(all, n, "%s\n%s", j, buf);
	free(j);
	free(buf);
	return all;
}

static void test_nested(void)
{
	cJSON *r;
	CHECK(compare(NULL, ALC_NONE,
	              "{\"A\":1,\"B\":{\"C\":\"x\",\"D\":[1,2],\"M\":{\"k1\":\"v\",\"k2\":\"w\"}},"
	              "\"E\":\"new\",\"Id\":\"i-1\"}", ALC_NONE,
	              "{\"A\":1,\"B\":{\"C\":\"y\",\"D\":[1,2],\"Z\":9,\"M\":{\"k1\":\"v\",\"k2\":\"q\"}},"
	              "\"Id\":\"i-1\"}",
	              (const char *const[]){ "Id", NULL }, &r) == 0);
	OP(r, "/A", "unchanged");
	OP(r, "/B/C", "changed");
	OP(r, "/B/D", "unchanged");
	OP(r, "/B/M/k1", "unchanged");
	OP(r, "/B/M/k2", "changed");
	OP(r, "/E", "not_visible"); /* no shape: nothing is guessed */
	CHECK(entry(r, "/Id") == NULL);   /* skipped: the identifier */
	CHECK(entry(r, "/B/Z") == NULL);  /* the plan does not set it */
	const cJSON *e = entry(r, "/B/C");
	CHECK(e && strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "old")), "y") == 0 &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "new")), "x") == 0);
	CHECK(summary(r, "changed") == 2 && summary(r, "unchanged") == 3 &&
	      summary(r, "notVisible") == 1 && nchanges(r) == 6);
	char *t = texts(r, 0, 0);
	CHECK(strstr(t, "~ /B/C  \"y\" -> \"x\"") != NULL);
	CHECK(strstr(t, "? /E  \"new\"  (the read does not show it)") != NULL);
	CHECK(strstr(t, "= /A") == NULL); /* unchanged: counted only */
	CHECK(strstr(t, "\033[") == NULL);
	free(t);
	t = texts(r, 1, 1);
	CHECK(strstr(t, "\033[33m~ /B/C") != NULL && strstr(t, "= /A") != NULL);
	free(t);
	cJSON_Delete(r);

	/* nothing there: every member is added */
	CHECK(compare(NULL, ALC_NONE, "{\"A\":1,\"B\":{\"C\":2}}", ALC_NONE, NULL, NULL, &r) == 0);
	OP(r, "/A", "added");
	OP(r, "/B", "added");
	CHECK(summary(r, "added") == 2 && nchanges(r) == 2);
	t = texts(r, 0, 0);
	CHECK(strstr(t, "+ /B  {\"C\":2}") != NULL);
	free(t);
	cJSON_Delete(r);
}

static void test_lists(void)
{
	cJSON *r;
	CHECK(compare(NULL, ALC_NONE,
	              "{\"Same\":[{\"a\":1},{\"b\":2}],\"Elem\":[{\"a\":1},{\"b\":3}],\"Len\":[1,2,3]}",
	              ALC_NONE,
	              "{\"Same\":[{\"a\":1},{\"b\":2}],\"Elem\":[{\"a\":1},{\"b\":2}],\"Len\":[1,2]}",
	              NULL, &r) == 0);
	OP(r, "/Same", "unchanged");
	OP(r, "/Elem/0/a", "unchanged");
	OP(r, "/Elem/1/b", "changed");
	OP(r, "/Len", "changed");
	const cJSON *e = entry(r, "/Len");
	CHECK(e && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "old")) == 2 &&
	      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "new")) == 3);
	cJSON_Delete(r);
	/* order matters in lists */
	CHECK(compare(NULL, ALC_NONE, "{\"L\":[\"a\",\"b\"]}", ALC_NONE, "{\"L\":[\"b\",\"a\"]}",
	              NULL, &r) == 0);
	OP(r, "/L/0", "changed");
	OP(r, "/L/1", "changed");
	cJSON_Delete(r);
}

static void test_documents(void)
{
	cJSON *r;
	/* the same policy: other key order, other whitespace */
	CHECK(compare(NULL, ALC_NONE,
	              "{\"Policy\":\"{\\n  \\\"Statement\\\": [{\\\"Action\\\":\\\"s3:GetObject\\\","
	              "\\\"Effect\\\":\\\"Allow\\\"}], \\\"Version\\\":\\\"2012-10-17\\\"}\"}",
	              ALC_NONE,
	              "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	              "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\"}]}\"}",
	              NULL, &r) == 0);
	OP(r, "/Policy", "unchanged");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry(r, "/Policy"), "document")));
	cJSON_Delete(r);
	/* a changed policy: both sides parsed, a line diff for people */
	CHECK(compare(NULL, ALC_NONE,
	              "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	              "\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":\\\"s3:GetObject\\\"}]}\"}",
	              ALC_NONE,
	              "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	              "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\"}]}\"}",
	              NULL, &r) == 0);
	OP(r, "/Policy", "changed");
	const cJSON *e = entry(r, "/Policy");
	CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(e, "old")) &&
	      cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(e, "new")) &&
	      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "document")));
	char *t = texts(r, 0, 0);
	CHECK(strstr(t, "    -       \"Effect\": \"Allow\"") != NULL);
	CHECK(strstr(t, "    +       \"Effect\": \"Deny\"") != NULL);
	CHECK(strstr(t, "            \"Action\": \"s3:GetObject\"") != NULL); /* common line */
	free(t);
	cJSON_Delete(r);
	/* IAM's URL-encoded policies */
	cJSON *d = rt_diff_document("%7B%22Version%22%3A%222012-10-17%22%2C%22S%22%3A%5B1%5D%7D");
	CHECK(d && strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "Version")),
	                  "2012-10-17") == 0);
	cJSON_Delete(d);
	CHECK(compare(NULL, ALC_NONE, "{\"P\":\"{\\\"a\\\": [1, 2]}\"}", ALC_NONE,
	              "{\"P\":\"%7B%22a%22%3A%5B1%2C2%5D%7D\"}", NULL, &r) == 0);
	OP(r, "/P", "unchanged");
	cJSON_Delete(r);
	/* not documents */
	CHECK(rt_diff_document("plain text") == NULL && rt_diff_document("{") == NULL &&
	      rt_diff_document("\"s\"") == NULL && rt_diff_document("%zz") == NULL &&
	      rt_diff_document("") == NULL && rt_diff_document(NULL) == NULL);
	CHECK(compare(NULL, ALC_NONE, "{\"S\":\"{x\"}", ALC_NONE, "{\"S\":\"{y\"}", NULL, &r) == 0);
	OP(r, "/S", "changed");
	CHECK(!cJSON_GetObjectItemCaseSensitive(entry(r, "/S"), "document"));
	cJSON_Delete(r);
}

static void test_scalars_wrappers(void)
{
	cJSON *r;
	/* query protocols: numbers and booleans as text */
	CHECK(compare(NULL, ALC_NONE, "{\"N\":5,\"B\":true,\"F\":1.5,\"X\":null}", ALC_NONE,
	              "{\"N\":\"5\",\"B\":\"true\",\"F\":\"1.25\",\"X\":null}", NULL, &r) == 0);
	OP(r, "/N", "unchanged");
	OP(r, "/B", "unchanged");
	OP(r, "/F", "changed");
	OP(r, "/X", "not_visible"); /* null in the state: not shown, no shape to say more */
	cJSON_Delete(r);
	/* EC2 AttributeValue wrappers against a bare value */
	CHECK(compare(NULL, ALC_NONE, "{\"InstanceType\":{\"Value\":\"t2.large\"},"
	              "\"EbsOptimized\":{\"Value\":true}}", ALC_NONE,
	              "{\"InstanceType\":\"t2.micro\",\"EbsOptimized\":true}", NULL, &r) == 0);
	OP(r, "/InstanceType/Value", "changed");
	OP(r, "/EbsOptimized/Value", "unchanged");
	CHECK(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(entry(r, "/InstanceType/Value"),
	                                                            "note")) != NULL);
	cJSON_Delete(r);
	/* one level down, when exactly one member holds it */
	CHECK(compare(NULL, ALC_NONE, "{\"BillingMode\":\"PAY_PER_REQUEST\",\"Other\":1}", ALC_NONE,
	              "{\"BillingModeSummary\":{\"BillingMode\":\"PROVISIONED\"},"
	              "\"A\":{\"Other\":1},\"B\":{\"Other\":2}}", NULL, &r) == 0);
	OP(r, "/BillingMode", "changed");
	const char *note = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(entry(r, "/BillingMode"), "note"));
	CHECK(note && strstr(note, "/BillingModeSummary/BillingMode"));
	OP(r, "/Other", "not_visible"); /* two candidates: not guessed */
	cJSON_Delete(r);
}

static void test_depth(void)
{
	/* 300 levels: compared whole below the bound, no crash */
	char a[2000], b[2000];
	size_t n = 0, m = 0;
	for (int i = 0; i < 300; i++) {
		n += (size_t)snprintf(a + n, sizeof a - n, "{\"k\":");
		m += (size_t)snprintf(b + m, sizeof b - m, "{\"k\":");
	}
	n += (size_t)snprintf(a + n, sizeof a - n, "1");
	m += (size_t)snprintf(b + m, sizeof b - m, "2");
	for (int i = 0; i < 300; i++) {
		a[n++] = '}';
		b[m++] = '}';
	}
	a[n] = b[m] = '\0';
	cJSON *r;
	CHECK(compare(NULL, ALC_NONE, a, ALC_NONE, b, NULL, &r) == 0);
	CHECK(nchanges(r) == 1 && summary(r, "changed") == 1);
	cJSON_Delete(r);
}

static const alc_operation *op_of(const alc_catalog *cat, const char *svc, const char *name)
{
	const alc_operation *op = alc_find_operation(cat, svc, strlen(svc), name, strlen(name));
	if (!op) {
		fprintf(stderr, "the catalog has no %s:%s\n", svc, name);
		exit(2);
	}
	return op;
}

static void no_secret(const cJSON *r, const char *const *secrets)
{
	char *t = texts(r, 0, 1);
	for (; *secrets; secrets++)
		CHECKF(strstr(t, *secrets) == NULL, "secret %s shown:\n%s", *secrets, t);
	free(t);
	t = texts(r, 1, 1);
	free(t);
}

static void test_sensitive(const alc_catalog *cat)
{
	cJSON *r;
	/* iam UpdateLoginProfile: Password is sensitive in the input */
	const alc_operation *up = op_of(cat, "iam", "UpdateLoginProfile");
	CHECK(compare(cat, up->input, "{\"UserName\":\"u\",\"Password\":\"hunter2-new\","
	              "\"PasswordResetRequired\":true}", ALC_NONE,
	              "{\"UserName\":\"u\",\"Password\":\"hunter2-old\",\"PasswordResetRequired\":false}",
	              NULL, &r) == 0);
	OP(r, "/Password", "sensitive");
	OP(r, "/PasswordResetRequired", "changed");
	/* the brief for a question to a person: changes, no secret, bounded */
	char brief[600], tiny[40];
	size_t bl = rt_diff_brief(r, brief, sizeof brief);
	CHECK(bl == strlen(brief) && strstr(brief, "  sensitive /Password\n") &&
	      strstr(brief, "  changed /PasswordResetRequired: false -> true\n") &&
	      !strstr(brief, "hunter2"));
	CHECK(rt_diff_brief(r, tiny, sizeof tiny) == sizeof tiny - 1 && strlen(tiny) == sizeof tiny - 1);
	const cJSON *e = entry(r, "/Password");
	CHECK(e && !cJSON_GetObjectItemCaseSensitive(e, "old") &&
	      !cJSON_GetObjectItemCaseSensitive(e, "new") &&
	      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "sensitive")));
	CHECK(summary(r, "sensitive") == 1);
	no_secret(r, (const char *const[]){ "hunter2-new", "hunter2-old", NULL });
	cJSON_Delete(r);
	/* equal secrets are not said to be equal either */
	CHECK(compare(cat, up->input, "{\"UserName\":\"u\",\"Password\":\"same\"}", ALC_NONE,
	              "{\"UserName\":\"u\",\"Password\":\"same\"}", NULL, &r) == 0);
	OP(r, "/Password", "sensitive");
	cJSON_Delete(r);
	/* secretsmanager: sensitive on the state's side (GetSecretValue's
	 * output), and the input's */
	const alc_operation *put = op_of(cat, "secretsmanager", "PutSecretValue");
	const alc_operation *get = op_of(cat, "secretsmanager", "GetSecretValue");
	CHECK(compare(cat, put->input, "{\"SecretId\":\"s\",\"SecretString\":\"s3cret-new\"}",
	              get->output, "{\"ARN\":\"arn:x\",\"SecretString\":\"s3cret-old\"}",
	              (const char *const[]){ "SecretId", NULL }, &r) == 0);
	OP(r, "/SecretString", "sensitive");
	no_secret(r, (const char *const[]){ "s3cret-new", "s3cret-old", NULL });
	cJSON_Delete(r);
	CHECK(compare(cat, ALC_NONE, "{\"SecretString\":\"s3cret-new\"}", get->output,
	              "{\"SecretString\":\"s3cret-old\"}", NULL, &r) == 0);
	OP(r, "/SecretString", "sensitive");
	no_secret(r, (const char *const[]){ "s3cret-new", "s3cret-old", NULL });
	cJSON_Delete(r);
	/* nested: lambda's environment variables, added where nothing is */
	const alc_operation *cf = op_of(cat, "lambda", "CreateFunction");
	CHECK(compare(cat, cf->input, "{\"FunctionName\":\"f\",\"Environment\":{\"Variables\":"
	              "{\"TOKEN\":\"tok-9f3e\"}}}", ALC_NONE, NULL, NULL, &r) == 0);
	OP(r, "/FunctionName", "added");
	OP(r, "/Environment", "added");
	no_secret(r, (const char *const[]){ "tok-9f3e", NULL });
	cJSON_Delete(r);
	/* nested against a state: the map of variables is sensitive whole */
	const alc_operation *uc = op_of(cat, "lambda", "UpdateFunctionConfiguration");
	const alc_operation *gc = op_of(cat, "lambda", "GetFunctionConfiguration");
	CHECK(compare(cat, uc->input, "{\"FunctionName\":\"f\",\"Timeout\":30,\"Environment\":"
	              "{\"Variables\":{\"TOKEN\":\"tok-new\"}}}", gc->output,
	              "{\"FunctionName\":\"f\",\"Timeout\":3,\"Environment\":{\"Variables\":"
	              "{\"TOKEN\":\"tok-old\"}}}", (const char *const[]){ "FunctionName", NULL },
	              &r) == 0);
	OP(r, "/Timeout", "changed");
	OP(r, "/Environment/Variables", "sensitive");
	no_secret(r, (const char *const[]){ "tok-new", "tok-old", NULL });
	cJSON_Delete(r);
	/* with shapes, a member the state's shape has but does not hold is
	 * added, one it does not have is not visible */
	const alc_operation *ut = op_of(cat, "dynamodb", "UpdateTable");
	const alc_operation *dt = op_of(cat, "dynamodb", "DescribeTable");
	uint32_t table = ALC_NONE;
	const alc_shape *os = &cat->shapes[dt->output];
	for (uint32_t i = 0; i < os->member_count; i++)
		if (strcmp(alc_str(cat, cat->members[os->first_member + i].name), "Table") == 0)
			table = cat->members[os->first_member + i].target;
	CHECK(table != ALC_NONE);
	CHECK(compare(cat, ut->input, "{\"TableName\":\"t\",\"DeletionProtectionEnabled\":true,"
	              "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":1},"
	              "\"TableClass\":\"STANDARD\",\"BillingMode\":\"PROVISIONED\"}", table,
	              "{\"TableName\":\"t\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,"
	              "\"WriteCapacityUnits\":1,\"NumberOfDecreasesToday\":0},"
	              "\"BillingModeSummary\":{\"BillingMode\":\"PROVISIONED\"}}",
	              (const char *const[]){ "TableName", NULL }, &r) == 0);
	OP(r, "/DeletionProtectionEnabled", "added");
	OP(r, "/ProvisionedThroughput/ReadCapacityUnits", "changed");
	OP(r, "/ProvisionedThroughput/WriteCapacityUnits", "unchanged");
	OP(r, "/TableClass", "not_visible");
	OP(r, "/BillingMode", "unchanged");
	CHECK(entry(r, "/ProvisionedThroughput/NumberOfDecreasesToday") == NULL);
	cJSON_Delete(r);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_diff CATALOG\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc) {
		fprintf(stderr, "test_diff: %s: %s %s\n", argv[1], al_strerror(rc), diag.msg);
		return 1;
	}
	test_nested();
	test_lists();
	test_documents();
	test_scalars_wrappers();
	test_depth();
	test_sensitive(&cat);
	alc_close(&cat);
	printf("diff.unit: %d/%d checks passed\n", checks - fails, checks);
	return fails ? 1 : 0;
}
