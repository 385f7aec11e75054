/*
 * test_schema.c -- unit tests of rt_schema.c and rt_validate.c:
 *
 *   1. pattern translation, known answers for both targets (Java habits of
 *      the AWS models, ECMA u-mode restrictions, PCRE2 surrogates);
 *   2. validation of hand-written inputs against the gizmos model
 *      (tests/schema/model), one table row per case: the input and every
 *      violation expected, as "pointer keyword" pairs in order, plus a
 *      fragment the message must contain;
 *   3. the schemas of the gizmos operations against golden files
 *      (tests/schema/golden/<Operation>.json); --write-golden DIR rewrites
 *      them after a reviewed change.
 *
 * usage: test_schema GIZMOS.alc GOLDEN_DIR [--write-golden]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_schema.h"
#include "rt_schema_int.h"

static int failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			failures++;                                       \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                     \
			fputc('\n', stderr);                              \
		}                                                         \
	} while (0)

/* ---- 1. translation ---------------------------------------------------- */

static const struct {
	const char *src, *pcre2, *ecma; /* NULL: refused */
} kat_rx[] = {
	{ "^[a-z]+$", "^[a-z]+$", "^[a-z]+$" },
	{ "\\u0041\\x{42}\\x43", "ABC", "ABC" },
	/* surrogate pairs become one code point; ECMA keeps the pair */
	{ "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*",
	  "[ -\\x{D7FF}\\x{E000}-\\x{FFFD}\\x{10000}-\\x{10FFFF}\\x{9}]*",
	  "[ -\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\u0009]*" },
	{ "\\x{1F600}", "\\x{1F600}", "\\uD83D\\uDE00" },
	/* lone surrogates: dropped from PCRE2 classes (no UTF-8 holds one) */
	{ "[\\uD800\\uDBFF-\\uDC00\\uDFFFa]", "[a]", "[\\uD800\\uDBFF-\\uDC00\\uDFFFa]" },
	{ "[\\uD800-\\uDFFF]", "[^\\x{0}-\\x{10FFFF}]", "[\\uD800-\\uDFFF]" },
	{ "\\uD800", NULL, "\\uD800" },
	/* Java POSIX classes are ASCII */
	{ "\\p{Alnum}+", "[a-zA-Z0-9]+", "[a-zA-Z0-9]+" },
	{ "[\\p{Punct}x]", "[!-\\/:-@\\[-`\\{-~x]", "[!-\\/:-@\\[-`\\{-~x]" },
	{ "\\P{Digit}", "[^0-9]", "[^0-9]" },
	{ "[[:alpha:]_]", "[a-zA-Z_]", "[a-zA-Z_]" },
	{ "\\p{IsAlphabetic}\\p{IsWhitespace}\\p{L}\\pN",
	  "\\p{Alphabetic}\\p{White_Space}\\p{L}\\p{N}",
	  "\\p{Alphabetic}\\p{White_Space}\\p{L}\\p{N}" },
	{ "[\\p{all}]", "[\\p{Any}]", "[\\p{Any}]" },
	{ "\\p{LD}", "[\\p{L}\\p{Nd}]", "[\\p{L}\\p{Nd}]" },
	{ "\\p{Latin}", "\\p{Latin}", NULL },
	/* Java class intersection */
	{ "^[\\p{Print}&&[^|:/]]+$", "^(?:(?=[^\\|:\\/])[ -~])+$",
	  "^(?:(?=[^\\|:\\/])[ -~])+$" },
	{ "[^a&&[b]]", NULL, NULL },
	/* Java octal */
	{ "[^/:|\\000-\\037]", "[^\\/:\\|\\x{0}-\\x{1F}]", "[^\\/:\\|\\u0000-\\u001F]" },
	/* anchors, identity escapes, lone braces */
	{ "\\A\\d+\\z", "\\A\\d+\\z", "^\\d+$" },
	{ "a\\_b\\-c\\ d\\'", "a_b-c d'", "a_b-c d'" },
	{ "[\\-_\\.]", "[\\-_\\.]", "[\\-_\\.]" },
	{ "[\\p{L}\\p{Z}-_]", "[\\p{L}\\p{Z}\\-_]", "[\\p{L}\\p{Z}\\-_]" },
	{ "/{x}", "/{x}", "/\\{x\\}" },
	{ "a]", "a]", "a\\]" },
	/* flags */
	{ "^(?i)(true|false)$", "^(?i)(true|false)$",
	  "^([tT][rR][uU][eE]|[fF][aA][lL][sS][eE])$" },
	{ "^(?!(?i)(arn|aws):)x", "^(?!(?i)(arn|aws):)x",
	  "^(?!([aA][rR][nN]|[aA][wW][sS]):)x" },
	{ "(?i)[a-c_]", "(?i)[a-c_]", "[a-cA-C_]" },
	{ "(?s).+", "(?s).+", "[\\s\\S]+" },
	{ "(?m)^a", "(?m)^a", NULL },
	/* quantifiers */
	{ "\\d{1}+", "\\d{1}+", "\\d{1}" },
	{ "a{2,}+", "a{2,}+", NULL },
	{ "a*+", "a*+", NULL },
	{ "(?>a)", "(?>a)", NULL },
	{ "(?!\\.)+a", "(?!\\.)+a", "(?!\\.)a" },
	{ "(?!\\.)*a", "(?!\\.)*a", "a" },
	{ "(?<name>x)\\k<name>", "(?<name>x)\\k<name>", "(?<name>x)\\k<name>" },
	/* malformed */
	{ "(a", NULL, NULL },
	{ "a)", NULL, NULL },
	{ "[abc", NULL, NULL },
	{ "a\\", NULL, NULL },
	{ "\\Qa\\E", NULL, NULL },
};

static void test_translate(void)
{
	char out[512];
	for (size_t i = 0; i < sizeof kat_rx / sizeof kat_rx[0]; i++) {
		for (int t = 0; t < 2; t++) {
			const char *want = t == RT_RX_PCRE2 ? kat_rx[i].pcre2 : kat_rx[i].ecma;
			long n = rt_pattern_translate(kat_rx[i].src, t, out, sizeof out);
			if (!want)
				CHECK(n < 0, "translate[%s] %s: want refusal, got %s",
				      t ? "ecma" : "pcre2", kat_rx[i].src, out);
			else
				CHECK(n >= 0 && strcmp(out, want) == 0,
				      "translate[%s] %s: want %s, got %s",
				      t ? "ecma" : "pcre2", kat_rx[i].src, want,
				      n >= 0 ? out : "(refused)");
		}
	}
	/* Output that does not fit is refused, never cut. */
	CHECK(rt_pattern_translate("abcdef", RT_RX_PCRE2, out, 4) < 0, "small buffer");
}

/* ---- 2. validation ----------------------------------------------------- */

/* A valid base input; rows change it. */
#define BASE "\"Name\":\"g-1\",\"Kind\":\"small\",\"Both\":\"x\""

static const struct {
	const char *op, *input;
	const char *want;     /* "pointer keyword;..." in report order, "" = valid */
	const char *msg;      /* fragment of the first message, or NULL */
} cases[] = {
	{ "PutGizmo", "{" BASE "}", "", NULL },
	{ "PutGizmo", "{" BASE ",\"Level\":2,\"Count\":10,\"Big\":-9223372036854775808,"
	  "\"Small\":-128,\"Ratio\":0.5,\"Enabled\":false,\"Data\":\"AAECAwQFBgc=\","
	  "\"When\":\"2024-02-29T23:59:59.5+05:30\",\"Extra\":{\"any\":[1,null]},"
	  "\"Labels\":[\"a\",\"b\",\"ccccc\"],\"Sparse\":[\"x\",null],"
	  "\"Tags\":{\"Env\":\"prod\",\"Team\":\"\"},\"KindCounts\":{\"large\":3},"
	  "\"Shape\":{\"Circle\":{\"Radius\":2}},\"Parts\":[{\"Id\":\"p\"}],"
	  "\"Token\":\"t\",\"Short\":\"abc\",\"Unicode\":\"\xc3\xa9t\xc3\xa9\","
	  "\"Legacy\":\"b/~c\",\"WithDefault\":5,\"Narrow\":5,\"Bits\":[true,false],"
	  "\"Root\":{\"Value\":\"r\",\"Children\":[{\"Children\":[{}]}]}}", "", NULL },
	/* required, with clientOptional still required */
	{ "PutGizmo", "{\"Kind\":\"small\"}", " required; required", "missing required member Both (string)" },
	/* type */
	{ "PutGizmo", "{" BASE ",\"Count\":\"3\"}", "/Count type", "must be an integer, not a string" },
	{ "PutGizmo", "{" BASE ",\"Count\":2.5}", "/Count type", "must be an integer, not 2.5" },
	{ "PutGizmo", "{" BASE ",\"Enabled\":null}", "/Enabled type", "leave the member out" },
	{ "PutGizmo", "{" BASE ",\"Ratio\":true}", "/Ratio type", "must be a number" },
	{ "PutGizmo", "[]", " type", "input must be a JSON object" },
	/* enum, intEnum, legacy @enum */
	{ "PutGizmo", "{\"Name\":\"g\",\"Kind\":\"SMALL\",\"Both\":\"x\"}", "/Kind enum",
	  "\"SMALL\" must be one of large, small; did you mean small?" },
	{ "PutGizmo", "{" BASE ",\"Level\":3}", "/Level enum", "3 must be one of 1, 2" },
	{ "PutGizmo", "{" BASE ",\"Legacy\":\"B\"}", "/Legacy enum", NULL },
	/* pattern and lengths, in code points */
	{ "PutGizmo", "{\"Name\":\"Gizmo\",\"Kind\":\"small\",\"Both\":\"x\"}", "/Name pattern",
	  "\"Gizmo\" does not match the pattern ^[a-z][a-z0-9-]*$" },
	{ "PutGizmo", "{\"Name\":\"\",\"Kind\":\"small\",\"Both\":\"x\"}",
	  "/Name minLength;/Name pattern", "must not be empty (at least 1 character)" },
	{ "PutGizmo", "{\"Name\":\"abcdefghijklmnopq\",\"Kind\":\"small\",\"Both\":\"x\"}",
	  "/Name maxLength", "length 17 exceeds the maximum 16 characters" },
	{ "PutGizmo", "{" BASE ",\"Unicode\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", "/Unicode maxLength",
	  "length 4 exceeds" },
	{ "PutGizmo", "{" BASE ",\"Unicode\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}", "/Unicode pattern", NULL },
	{ "PutGizmo", "{" BASE ",\"Unicode\":\"a\xff\"}", "/Unicode type", "valid UTF-8" },
	{ "PutGizmo", "{" BASE ",\"Short\":\"abcd\"}", "/Short maxLength", NULL },
	/* minimum and maximum: range, type range, member range */
	{ "PutGizmo", "{" BASE ",\"Count\":0}", "/Count minimum", "0 is below the minimum 1" },
	{ "PutGizmo", "{" BASE ",\"Count\":11}", "/Count maximum", "11 exceeds the maximum 10" },
	{ "PutGizmo", "{" BASE ",\"Small\":128}", "/Small maximum", "128 exceeds the maximum 127 of the type" },
	{ "PutGizmo", "{" BASE ",\"Big\":9223372036854775808}", "/Big maximum", NULL },
	{ "PutGizmo", "{" BASE ",\"Ratio\":1.5}", "/Ratio maximum", NULL },
	{ "PutGizmo", "{" BASE ",\"Narrow\":6}", "/Narrow maximum", "6 exceeds the maximum 5" },
	/* lists */
	{ "PutGizmo", "{" BASE ",\"Labels\":[]}", "/Labels minItems", "has 0 items; at least 1 required" },
	{ "PutGizmo", "{" BASE ",\"Labels\":[\"a\",\"b\",\"c\",\"d\"]}", "/Labels maxItems", NULL },
	{ "PutGizmo", "{" BASE ",\"Labels\":[\"a\",\"b\",\"a\"]}", "/Labels/2 uniqueItems", "duplicates item 0" },
	{ "PutGizmo", "{" BASE ",\"Bits\":[true,false,true]}", "/Bits/2 uniqueItems", NULL },
	{ "PutGizmo", "{" BASE ",\"Labels\":[\"\"]}", "/Labels/0 minLength", NULL },
	{ "PutGizmo", "{" BASE ",\"Parts\":[{\"Id\":\"a\"},{\"Note\":\"n\"}]}", "/Parts/1 required",
	  "/Parts/1: missing required member Id" },
	{ "PutGizmo", "{" BASE ",\"Labels\":[null]}", "/Labels/0 type", NULL },
	/* unknown members, with a near match */
	{ "PutGizmo", "{" BASE ",\"count\":1}", "/count additionalProperties",
	  "unknown member; did you mean Count?" },
	{ "PutGizmo", "{" BASE ",\"Code\":200}", "/Code additionalProperties", NULL },
	{ "PutGizmo", "{" BASE ",\"Parts\":[{\"Id\":\"a\",\"x/y~z\":1}]}",
	  "/Parts/0/x~1y~0z additionalProperties", NULL },
	/* duplicate keys */
	{ "PutGizmo", "{" BASE ",\"Kind\":\"large\"}", "/Kind duplicateKey", "appears more than once" },
	{ "PutGizmo", "{" BASE ",\"Tags\":{\"A\":\"1\",\"A\":\"2\"}}", "/Tags/A duplicateKey", NULL },
	/* unions */
	{ "PutGizmo", "{" BASE ",\"Shape\":{}}", "/Shape oneOf", "set exactly one of Circle, Label, Square" },
	{ "PutGizmo", "{" BASE ",\"Shape\":{\"Square\":1,\"Label\":\"x\"}}", "/Shape oneOf",
	  "sets 2 members (Square, Label)" },
	{ "PutGizmo", "{" BASE ",\"Shape\":{\"Hexagon\":1}}", "/Shape/Hexagon oneOf;/Shape oneOf", NULL },
	{ "PutGizmo", "{" BASE ",\"Shape\":{\"Circle\":{}}}", "/Shape/Circle required", NULL },
	/* maps: size, key constraints, values */
	{ "PutGizmo", "{" BASE ",\"Tags\":{\"A\":\"1\",\"B\":\"2\",\"C\":\"3\"}}", "/Tags maxProperties", NULL },
	{ "PutGizmo", "{" BASE ",\"Tags\":{\"a-b\":\"1\"}}", "/Tags/a-b propertyNames",
	  "key \"a-b\" does not match the pattern" },
	{ "PutGizmo", "{" BASE ",\"Tags\":{\"\":\"1\"}}", "/Tags/ propertyNames;/Tags/ propertyNames", NULL },
	{ "PutGizmo", "{" BASE ",\"KindCounts\":{\"medium\":1}}", "/KindCounts/medium propertyNames",
	  "key \"medium\" must be one of large, small" },
	{ "PutGizmo", "{" BASE ",\"Tags\":{\"A\":\"12345\"}}", "/Tags/A maxLength", NULL },
	{ "PutGizmo", "{" BASE ",\"Sparse\":[null,1]}", "/Sparse/1 type", NULL },
	/* blobs */
	{ "PutGizmo", "{" BASE ",\"Data\":\"not base64\"}", "/Data contentEncoding", "must be base64" },
	{ "PutGizmo", "{" BASE ",\"Data\":\"AAA\"}", "/Data contentEncoding", NULL },
	{ "PutGizmo", "{" BASE ",\"Data\":\"\"}", "/Data minLength", "decodes to 0 bytes; at least 1" },
	{ "PutGizmo", "{" BASE ",\"Data\":\"AAAAAAAAAAAA\"}", "/Data maxLength", "decodes to 9 bytes" },
	/* timestamps */
	{ "PutGizmo", "{" BASE ",\"When\":\"2024-02-30T00:00:00Z\"}", "/When format", "not an RFC 3339 date-time" },
	{ "PutGizmo", "{" BASE ",\"When\":\"2023-02-29T00:00:00Z\"}", "/When format", NULL },
	{ "PutGizmo", "{" BASE ",\"When\":\"2024-01-01 00:00:00Z\"}", "/When format", NULL },
	{ "PutGizmo", "{" BASE ",\"When\":\"2024-01-01T00:00:00\"}", "/When format", NULL },
	{ "PutGizmo", "{" BASE ",\"When\":1704067200}", "/When type", "RFC 3339 date-time string" },
	{ "PutGizmo", "{" BASE ",\"When\":\"2024-01-01t00:00:00z\"}", "", NULL },
	/* recursion, through $defs and to the input itself */
	{ "Tree", "{\"Root\":{\"Children\":[{\"Children\":[{\"Value\":1}]}]}}",
	  "/Root/Children/0/Children/0/Value type", NULL },
	{ "Tree", "{\"Root\":{},\"Next\":{\"Root\":{},\"Next\":{}}}", "/Next/Next required", NULL },
	/* no input */
	{ "Ping", "{}", "", NULL },
	{ "Ping", "{\"a\":1}", "/a additionalProperties", "takes no input" },
	/* event streams: arrays of events */
	{ "Stream", "{\"Channel\":\"c\",\"Events\":[{\"Tick\":{\"N\":1}}]}", "", NULL },
	{ "Stream", "{\"Channel\":\"c\",\"Events\":[{\"Tick\":{}}, {\"Tock\":{}}]}",
	  "/Events/0/Tick required;/Events/1/Tock oneOf;/Events/1 oneOf", NULL },
	/* every violation is reported */
	{ "PutGizmo", "{\"Name\":1,\"Kind\":2,\"Both\":3,\"Count\":0,\"Labels\":[]}",
	  "/Name type;/Kind type;/Both type;/Count minimum;/Labels minItems", NULL },
};

static const alc_operation *gizmo_op(const alc_catalog *cat, const char *name)
{
	return alc_find_operation(cat, "gizmos", 6, name, strlen(name));
}

static void test_validate(const alc_catalog *cat)
{
	static rt_violation v[RT_VALIDATE_MAX];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const alc_operation *op = gizmo_op(cat, cases[i].op);
		cJSON *in = cJSON_Parse(cases[i].input);
		CHECK(op && in, "case %zu: bad operation or input", i);
		if (!op || !in) {
			cJSON_Delete(in);
			continue;
		}
		size_t n = rt_validate(cat, op, in, v, RT_VALIDATE_MAX);
		char got[2048];
		size_t g = 0;
		got[0] = '\0';
		for (size_t k = 0; k < n && k < RT_VALIDATE_MAX && g < sizeof got - 300; k++)
			g += (size_t)snprintf(got + g, sizeof got - g, "%s%s %s", k ? ";" : "",
			                      v[k].pointer, v[k].keyword);
		CHECK(strcmp(got, cases[i].want) == 0, "case %zu %s: want [%s], got [%s]%s%s",
		      i, cases[i].input, cases[i].want, got, n ? " first message: " : "",
		      n ? v[0].message : "");
		if (cases[i].msg && n)
			CHECK(strstr(v[0].message, cases[i].msg) != NULL,
			      "case %zu: message \"%s\" lacks \"%s\"", i, v[0].message, cases[i].msg);
		/* Counting without an output array gives the same number. */
		CHECK(rt_validate(cat, op, in, NULL, 0) == n, "case %zu: count differs", i);
		cJSON_Delete(in);
	}
}

/* The bound: a list of 2000 bad items reports RT_VALIDATE_MAX. */
static void test_bound(const alc_catalog *cat)
{
	static rt_violation v[8];
	cJSON *in = cJSON_Parse("{" BASE "}");
	cJSON *parts = cJSON_AddArrayToObject(in, "Parts");
	for (int i = 0; i < 2000; i++)
		cJSON_AddItemToArray(parts, cJSON_CreateNumber(i));
	size_t n = rt_validate(cat, gizmo_op(cat, "PutGizmo"), in, v, 8);
	CHECK(n == RT_VALIDATE_MAX, "bound: %zu violations", n);
	CHECK(strcmp(v[7].pointer, "/Parts/7") == 0, "bound: 8th pointer %s", v[7].pointer);
	cJSON_Delete(in);

	/* Deep nesting is refused, not followed. */
	char *deep = malloc(20000);
	size_t k = 0;
	k += (size_t)sprintf(deep + k, "{\"Root\":{}");
	for (int i = 0; i < 300; i++)
		k += (size_t)sprintf(deep + k, ",\"Next\":{\"Root\":{}");
	for (int i = 0; i < 301; i++)
		deep[k++] = '}';
	deep[k] = '\0';
	in = cJSON_Parse(deep);
	free(deep);
	CHECK(in != NULL, "deep input parses");
	n = rt_validate(cat, gizmo_op(cat, "Tree"), in, v, 8);
	CHECK(n >= 1 && strcmp(v[0].keyword, "maxDepth") == 0, "deep: %zu, %s", n,
	      n ? v[0].keyword : "");
	cJSON_Delete(in);
}

/* ---- 3. golden schemas -------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = '\0';
	fclose(f);
	return b;
}

static void test_golden(const alc_catalog *cat, const char *dir, int write)
{
	static const char *const ops[] = { "PutGizmo", "Tree", "Ping", "Stream" };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.json", dir, ops[i]);
		cJSON *s = rt_schema_input(cat, gizmo_op(cat, ops[i]));
		char *text = s ? cJSON_Print(s) : NULL;
		cJSON_Delete(s);
		CHECK(text != NULL, "schema of %s", ops[i]);
		if (!text)
			continue;
		if (write) {
			FILE *f = fopen(path, "w");
			CHECK(f != NULL, "cannot write %s", path);
			if (f) {
				fprintf(f, "%s\n", text);
				fclose(f);
			}
		} else {
			char *want = slurp(path);
			size_t n = strlen(text);
			CHECK(want && strncmp(want, text, n) == 0 && strcmp(want + n, "\n") == 0,
			      "%s differs from the schema of %s (run with --write-golden "
			      "after review):\n%s", path, ops[i], text);
			free(want);
		}
		cJSON_free(text);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_schema GIZMOS.alc GOLDEN_DIR [--write-golden]\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc) {
		fprintf(stderr, "test_schema: %s: %s: %s\n", argv[1], al_strerror(rc), diag.msg);
		return 1;
	}
	test_translate();
	test_validate(&cat);
	test_bound(&cat);
	test_golden(&cat, argv[2], argc > 3 && strcmp(argv[3], "--write-golden") == 0);
	alc_close(&cat);
	if (failures) {
		fprintf(stderr, "test_schema: %d failure%s\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("test_schema: ok (%zu translations, %zu validation cases)\n",
	       sizeof kat_rx / sizeof kat_rx[0], sizeof cases / sizeof cases[0]);
	return 0;
}
