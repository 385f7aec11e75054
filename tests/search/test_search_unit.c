/*
 * test_search_unit -- rt_search behaviour on the full catalog: determinism,
 * filters, degenerate queries, the read rule, ordering invariants.
 *
 *   test_search_unit CATALOG
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_search.h"

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond)) {                                                     \
			failures++;                                                    \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
			printf(__VA_ARGS__);                                           \
			printf("\n");                                                  \
		}                                                                  \
	} while (0)

#define CAP 50

static size_t run(rt_search *s, const char *text, size_t len,
                  const alc_service *svc, int access, rt_search_hit *h,
                  size_t cap)
{
	rt_search_query q = { text, len, svc, access };
	return rt_search_run(s, &q, h, cap);
}

static size_t runs(rt_search *s, const char *text, rt_search_hit *h)
{
	return run(s, text, strlen(text), NULL, RT_ACCESS_ANY, h, CAP);
}

/* Hits are best first, ties by op index, every op in range, scores finite. */
static void check_order(const alc_catalog *cat, const rt_search_hit *h,
                        size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++) {
		CHECK(h[i].op < cat->nops, "%s: op %u out of range", what, h[i].op);
		CHECK(h[i].score == h[i].score && h[i].score < 1e30f &&
		      h[i].score > -1e30f, "%s: score not finite", what);
		if (i > 0)
			CHECK(h[i - 1].score > h[i].score ||
			      (h[i - 1].score == h[i].score && h[i - 1].op < h[i].op),
			      "%s: hits %zu and %zu out of order", what, i - 1, i);
	}
}

static const alc_operation *op_named(const alc_catalog *cat, const char *key)
{
	const alc_operation *op = alc_find_operation_key(cat, key, strlen(key));
	CHECK(op != NULL, "%s not in the catalog", key);
	return op;
}

static void test_determinism(const alc_catalog *cat, rt_search *s)
{
	static const char *const queries[] = {
		"list my s3 buckets", "delete a cloudformation stack", "who am i",
		"describe db instances", "get", "a", "ec2",
	};
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		rt_search_hit a[CAP], b[CAP];
		size_t na = runs(s, queries[i], a);
		/* other queries in between must leave no trace */
		rt_search_hit x[CAP];
		runs(s, "create a lambda function", x);
		runs(s, "", x);
		size_t nb = runs(s, queries[i], b);
		CHECK(na == nb, "\"%s\": %zu then %zu hits", queries[i], na, nb);
		CHECK(na == nb && memcmp(a, b, na * sizeof a[0]) == 0,
		      "\"%s\": different hits the second time", queries[i]);
		check_order(cat, a, na, queries[i]);
	}
	/* a second handle gives the same answers (no hidden global state) */
	rt_search *s2;
	CHECK(rt_search_open(&s2, cat) == 0, "second handle");
	rt_search_hit a[CAP], b[CAP];
	size_t na = runs(s, "list my s3 buckets", a);
	size_t nb = runs(s2, "list my s3 buckets", b);
	CHECK(na == nb && memcmp(a, b, na * sizeof a[0]) == 0,
	      "two handles disagree");
	rt_search_close(s2);
}

static void test_known(const alc_catalog *cat, rt_search *s)
{
	static const char *const pairs[][2] = {
		{ "list my s3 buckets", "s3:ListBuckets" },
		{ "delete a cloudformation stack", "cloudformation:DeleteStack" },
		{ "who am i", "sts:GetCallerIdentity" },
		{ "DescribeDBInstances", "rds:DescribeDBInstances" },
		{ "s3api list-buckets", "s3:ListBuckets" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		rt_search_hit h[CAP];
		size_t n = runs(s, pairs[i][0], h);
		const alc_operation *op = op_named(cat, pairs[i][1]);
		CHECK(n > 0 && op && h[0].op == alc_op_index(cat, op),
		      "\"%s\": first hit is not %s", pairs[i][0], pairs[i][1]);
	}
}

static void test_service_filter(const alc_catalog *cat, rt_search *s)
{
	const alc_service *s3 = alc_find_service(cat, "s3", 2);
	const alc_service *lambda = alc_find_service(cat, "lambda", 6);
	CHECK(s3 && lambda, "s3 and lambda services");
	if (!s3 || !lambda)
		return;
	rt_search_hit h[CAP];
	/* a query about another service, restricted to lambda */
	size_t n = run(s, "list my s3 buckets", 18, lambda, RT_ACCESS_ANY, h, CAP);
	for (size_t i = 0; i < n; i++)
		CHECK(cat->ops[h[i].op].service == alc_svc_index(cat, lambda),
		      "service filter let %s through",
		      alc_str(cat, cat->ops[h[i].op].name));
	n = run(s, "create function", 15, lambda, RT_ACCESS_ANY, h, CAP);
	const alc_operation *cf = op_named(cat, "lambda:CreateFunction");
	CHECK(n > 0 && cf && h[0].op == alc_op_index(cat, cf),
	      "lambda-filtered \"create function\" is not CreateFunction");
	check_order(cat, h, n, "service filter");
	/* empty query with a service: its operations, in catalog order */
	n = run(s, "", 0, s3, RT_ACCESS_ANY, h, CAP);
	CHECK(n == (s3->op_count < CAP ? s3->op_count : CAP),
	      "empty query on s3 gave %zu hits", n);
	for (size_t i = 0; i < n; i++)
		CHECK(h[i].op == s3->first_op + i && h[i].score == 0,
		      "empty query on s3: hit %zu", i);
}

static void test_access_filter(const alc_catalog *cat, rt_search *s)
{
	rt_search_hit h[CAP];
	const char *q = "delete s3 bucket objects";
	size_t n = run(s, q, strlen(q), NULL, RT_ACCESS_READ, h, CAP);
	CHECK(n > 0, "read filter returned nothing");
	for (size_t i = 0; i < n; i++)
		CHECK(rt_op_is_read(cat, &cat->ops[h[i].op]),
		      "read filter let %s through",
		      alc_str(cat, cat->ops[h[i].op].name));
	q = "list s3 buckets";
	n = run(s, q, strlen(q), NULL, RT_ACCESS_WRITE, h, CAP);
	CHECK(n > 0, "write filter returned nothing");
	for (size_t i = 0; i < n; i++)
		CHECK(!rt_op_is_read(cat, &cat->ops[h[i].op]),
		      "write filter let %s through",
		      alc_str(cat, cat->ops[h[i].op].name));
	check_order(cat, h, n, "access filter");
	/* the service and access filters together */
	const alc_service *s3 = alc_find_service(cat, "s3", 2);
	n = run(s, "", 0, s3, RT_ACCESS_READ, h, CAP);
	CHECK(n > 0, "empty read query on s3");
	for (size_t i = 0; i < n; i++)
		CHECK(cat->ops[h[i].op].service == alc_svc_index(cat, s3) &&
		      rt_op_is_read(cat, &cat->ops[h[i].op]),
		      "empty read query on s3: %s",
		      alc_str(cat, cat->ops[h[i].op].name));
}

static void test_read_rule(const alc_catalog *cat)
{
	static const char *const reads[] = {
		"s3:ListBuckets", "s3:GetObject", "s3:HeadObject",
		"ec2:DescribeInstances", "dynamodb:Query", "dynamodb:Scan",
		"dynamodb:BatchGetItem", "cloudtrail:LookupEvents",
		"sts:GetCallerIdentity", "cloudsearch-domain:Search",
	};
	static const char *const writes[] = {
		"s3:PutObject", "s3:DeleteBucket", "ec2:RunInstances",
		"dynamodb:BatchWriteItem", "sqs:ReceiveMessage",
		"cloudformation:CreateStack", "lambda:Invoke",
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		const alc_operation *op = op_named(cat, reads[i]);
		CHECK(op && rt_op_is_read(cat, op), "%s should be read", reads[i]);
	}
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		const alc_operation *op = op_named(cat, writes[i]);
		CHECK(op && !rt_op_is_read(cat, op), "%s should be write",
		      writes[i]);
	}
	/* whole-word rule: a name that only starts with the letters of a
	 * read verb is not read ("Listener...", "Getaway...") unless
	 * readonly; check every operation of the catalog for consistency */
	for (uint32_t i = 0; i < cat->nops; i++) {
		const char *n = alc_str(cat, cat->ops[i].name);
		int byname = (strncmp(n, "List", 4) == 0 && n[4] >= 'a' &&
		              n[4] <= 'z');
		if (byname && !(cat->ops[i].flags & ALC_OP_READONLY))
			CHECK(!rt_op_is_read(cat, &cat->ops[i]),
			      "%s counted as List", n);
	}
}

static void test_degenerate(const alc_catalog *cat, rt_search *s)
{
	rt_search_hit h[CAP];
	/* empty, only stopwords, only punctuation: nothing */
	CHECK(run(s, "", 0, NULL, RT_ACCESS_ANY, h, CAP) == 0, "empty query");
	CHECK(run(s, NULL, 0, NULL, RT_ACCESS_ANY, h, CAP) == 0, "NULL text");
	CHECK(runs(s, "   \t\n ", h) == 0, "blank query");
	CHECK(runs(s, "the a of my", h) == 0, "stopwords only");
	CHECK(runs(s, "?!.,;:", h) == 0, "punctuation only");
	/* cap 0 and cap 1 */
	CHECK(run(s, "list buckets", 12, NULL, RT_ACCESS_ANY, h, 0) == 0,
	      "cap 0");
	rt_search_hit one[1], many[CAP];
	size_t n1 = run(s, "list buckets", 12, NULL, RT_ACCESS_ANY, one, 1);
	size_t nm = runs(s, "list buckets", many);
	CHECK(n1 == 1 && nm > 1 && one[0].op == many[0].op &&
	      one[0].score == many[0].score, "cap 1 is not the best hit");
	/* very long query: bounded, no crash, deterministic */
	size_t big = 1u << 20;
	char *longq = malloc(big + 1);
	CHECK(longq != NULL, "malloc");
	if (longq) {
		static const char words[] = "list describe buckets instances s3 ec2 "
		                            "delete stack lambda the of a ";
		for (size_t i = 0; i < big; i++)
			longq[i] = words[i % (sizeof words - 1)];
		longq[big] = '\0';
		rt_search_hit a[CAP], b[CAP];
		size_t na = run(s, longq, big, NULL, RT_ACCESS_ANY, a, CAP);
		size_t nb = run(s, longq, big, NULL, RT_ACCESS_ANY, b, CAP);
		CHECK(na > 0 && na == nb && memcmp(a, b, na * sizeof a[0]) == 0,
		      "long query");
		check_order(cat, a, na, "long query");
		/* one enormous word */
		memset(longq, 'x', big);
		CHECK(run(s, longq, big, NULL, RT_ACCESS_ANY, a, CAP) == 0,
		      "one huge word");
		/* many one-letter words */
		for (size_t i = 0; i < big; i++)
			longq[i] = (i & 1) ? ' ' : (char)('a' + i % 26);
		run(s, longq, big, NULL, RT_ACCESS_ANY, a, CAP);
		free(longq);
	}
	/* non-ASCII: UTF-8, invalid UTF-8, NUL bytes inside LEN, controls */
	static const char utf8[] = "liste mes compartiments s3 \xc3\xa9t\xc3\xa9 "
	                           "\xe2\x80\x94 \xf0\x9f\x9a\x80 \xe6\xa1\xb6";
	size_t n = runs(s, utf8, h);
	check_order(cat, h, n, "utf-8");
	static const char bad[] = "\xff\xfe\xc3 list\x80\x80 buckets\xed\xa0\x80";
	n = runs(s, bad, h);
	check_order(cat, h, n, "invalid utf-8");
	static const char nul[] = "list\0buckets";
	n = run(s, nul, sizeof nul - 1, NULL, RT_ACCESS_ANY, h, CAP);
	CHECK(n > 0, "NUL-separated words");
	check_order(cat, h, n, "NUL");
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	n = run(s, all, sizeof all, NULL, RT_ACCESS_ANY, h, CAP);
	check_order(cat, h, n, "all bytes");
	/* an unknown service filter result is empty only when nothing matches */
	const alc_service *sts = alc_find_service(cat, "sts", 3);
	n = run(s, "zzzzqqq", 7, sts, RT_ACCESS_ANY, h, CAP);
	CHECK(n == 0, "unknown word with service filter gave %zu hits", n);
}

/* Deterministic pseudo-random queries: words drawn from the catalog's
 * operation names and summaries, service names, rule words, stopwords,
 * punctuation and random bytes, with random filters and caps.  Checks the
 * invariants on every answer and that a repeated query answers the same.
 * (Runs under ASan/UBSan in the sanitizer build: the search's own fuzz.) */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static size_t random_word(const alc_catalog *cat, char *out, size_t cap)
{
	static const char *const extra[] = {
		"who", "am", "i", "my", "the", "of", "on", "s3", "ec2", "logs",
		"route", "53", "secrets", "manager", "node", "group", "list",
		"show", "delete", "get rid of", "spin up", "ebs", "volume", "-",
		"ListBuckets", "DescribeDBInstances", "\xc3\xa9", "\xff", "\t",
	};
	const char *src;
	size_t len;
	uint32_t r = rng() % 4;
	if (r == 0) {
		src = extra[rng() % (sizeof extra / sizeof extra[0])];
		len = strlen(src);
	} else if (r == 1) {
		len = 1 + rng() % 12;
		if (len >= cap)
			len = cap - 1;
		for (size_t i = 0; i < len; i++)
			out[i] = (char)(rng() & 0xff);
		return len;
	} else {
		const alc_operation *op = &cat->ops[rng() % cat->nops];
		src = alc_str(cat, r == 2 ? op->name : op->summary);
		size_t n = strlen(src);
		size_t at = n ? rng() % n : 0;
		src += at;
		len = 1 + rng() % 16;
		if (len > n - at)
			len = n - at;
	}
	if (len >= cap)
		len = cap - 1;
	memcpy(out, src, len);
	return len;
}

static void test_random(const alc_catalog *cat, rt_search *s, unsigned count)
{
	char q[600];
	rt_search_hit a[CAP], b[CAP];
	for (unsigned it = 0; it < count; it++) {
		size_t n = 0;
		unsigned words = rng() % 12;
		for (unsigned w = 0; w < words && n + 40 < sizeof q; w++) {
			n += random_word(cat, q + n, sizeof q - n);
			q[n++] = (rng() % 8) ? ' ' : (char)"-_./:,?"[rng() % 7];
		}
		const alc_service *svc =
			(rng() % 4 == 0) ? &cat->svcs[rng() % cat->nsvcs] : NULL;
		int access = (int)(rng() % 3);
		size_t cap = 1 + rng() % CAP;
		size_t na = run(s, q, n, svc, access, a, cap);
		CHECK(na <= cap, "random %u: %zu hits for cap %zu", it, na, cap);
		check_order(cat, a, na, "random");
		for (size_t i = 0; i < na; i++) {
			const alc_operation *op = &cat->ops[a[i].op];
			CHECK(!svc || op->service == alc_svc_index(cat, svc),
			      "random %u: service filter", it);
			CHECK(access == RT_ACCESS_ANY ||
			      (access == RT_ACCESS_READ) == (rt_op_is_read(cat, op) != 0),
			      "random %u: access filter", it);
		}
		if (it % 16 == 0) {
			size_t nb = run(s, q, n, svc, access, b, cap);
			CHECK(na == nb && memcmp(a, b, na * sizeof a[0]) == 0,
			      "random %u: not deterministic", it);
		}
		if (failures > 20)
			return;
	}
}

static void test_footprint(rt_search *s)
{
	size_t fp = rt_search_footprint(s);
	CHECK(fp > 0 && fp < 16u * 1024 * 1024, "footprint %zu", fp);
	printf("index footprint: %.2f MiB\n", (double)fp / (1024.0 * 1024.0));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CATALOG\n", argv[0]);
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc != 0) {
		printf("FAIL: %s: %s: %s\n", argv[1], al_strerror(rc), diag.msg);
		return 1;
	}
	rt_search *s;
	CHECK(rt_search_open(&s, &cat) == 0, "open");
	CHECK(rt_search_footprint(s) == 0, "index built at open");
	/* lazy build: the first query builds */
	rt_search_hit h[CAP];
	CHECK(runs(s, "who am i", h) > 0, "first query");
	CHECK(rt_search_build(s) == 0, "build after lazy build");

	test_determinism(&cat, s);
	test_known(&cat, s);
	test_service_filter(&cat, s);
	test_access_filter(&cat, s);
	test_read_rule(&cat);
	test_degenerate(&cat, s);
	test_random(&cat, s, 20000);
	test_footprint(s);

	rt_search_close(s);
	rt_search_close(NULL);
	alc_close(&cat);
	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("search unit: ok\n");
	return 0;
}
