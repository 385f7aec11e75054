/*
 * test_rules.c -- endpoint rule sets: compiler/cc_rules.c (encode) against
 * formats/alc_rules.c (check, decode).
 *
 *   rules_test corpus  every model under $AIRLOCK_SHARED/api-models-aws and
 *                      $AIRLOCK_SHARED/models-derived: encode, check,
 *                      decode, compare with the source (normalised, see
 *                      normalise()); encoding time; determinism
 *   rules_test engine  the rule sets of smithy-protocol-tests/
 *                      rules-engine-tests.json (95 endpointTests cases)
 *   rules_test unit    golden bytes of the RULES.md example, compile errors
 *                      with their JSON paths, checker rejections
 *   rules_test mutate  byte flips and truncations of encoded blobs: the
 *                      checker accepts or rejects, never crashes (run it
 *                      under ASan+UBSan)
 *   rules_test seeds DIR  write the fuzz seed corpus (tests/fuzz/fuzz_rules.c
 *                      input format) for the engine rule sets and the example
 *
 * AIRLOCK_SHARED comes from the environment (CMake sets it), else
 * ../shared.  A missing directory is a failure, never a skip.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_rules.h"
#include "cc_rules.h"
#include "cc_util.h"

static int failures;

/* Sanitizers slow encoding several times: the time budget is a release
 * build property. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define FAILF(...) do { fprintf(stderr, "FAIL: " __VA_ARGS__); \
	fputc('\n', stderr); failures++; } while (0)

/* ---- helpers --------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	cc_buf b = { 0 };
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		cc_buf_put(&b, tmp, n);
	fclose(f);
	if (len)
		*len = b.len;
	if (!b.p)
		cc_buf_put(&b, "", 0);
	return (char *)b.p;
}

static int sink_buf(void *ctx, const char *s, size_t n)
{
	cc_buf_put(ctx, s, n);
	return 0;
}

static int sink_null(void *ctx, const char *s, size_t n)
{
	(void)s;
	*(size_t *)ctx += n;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *shared_dir(void)
{
	const char *s = getenv("AIRLOCK_SHARED");
	return s && *s ? s : "../shared";
}

/* Files named *.json under a "service" directory, recursively. */
static void find_models(const char *dir, char ***v, size_t *n, int in_service)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p = cc_xmalloc(len);
		snprintf(p, len, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			find_models(p, v, n, in_service || strcmp(de->d_name, "service") == 0);
			free(p);
		} else if (in_service && len > 6 && strcmp(p + len - 6, ".json") == 0) {
			*v = cc_xrealloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the format canonicalises (RULES.md, "Round trip"):
 *  - documentation is not stored (rule set, parameters, rules);
 *  - a parameter's type is written in Smithy's spelling (string, boolean,
 *    stringArray), which Smithy reads case-insensitively;
 *  - a parameter's "required" is always written (absent means false). */
static void normalise(cJSON *rs)
{
	cJSON_DeleteItemFromObjectCaseSensitive(rs, "documentation");
	cJSON *ps = cJSON_GetObjectItemCaseSensitive(rs, "parameters");
	for (cJSON *p = ps ? ps->child : NULL; p; p = p->next) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, "documentation");
		cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type");
		if (cJSON_IsString(t)) {
			const char *canon = strcasecmp(t->valuestring, "string") == 0 ? "string"
				: strcasecmp(t->valuestring, "boolean") == 0 ? "boolean"
				: strcasecmp(t->valuestring, "stringArray") == 0 ? "stringArray"
				: NULL;
			if (canon)
				cJSON_ReplaceItemInObjectCaseSensitive(p, "type",
				                                       cJSON_CreateString(canon));
		}
		if (!cJSON_GetObjectItemCaseSensitive(p, "required"))
			cJSON_AddFalseToObject(p, "required");
	}
	/* rules, recursively, through an explicit stack of arrays */
	cJSON *stack[256];
	int sp = 0;
	cJSON *rl = cJSON_GetObjectItemCaseSensitive(rs, "rules");
	if (rl)
		stack[sp++] = rl;
	while (sp > 0) {
		cJSON *arr = stack[--sp];
		for (cJSON *r = arr->child; r; r = r->next) {
			cJSON_DeleteItemFromObjectCaseSensitive(r, "documentation");
			cJSON *kids = cJSON_GetObjectItemCaseSensitive(r, "rules");
			if (cJSON_IsArray(kids) && sp < 256)
				stack[sp++] = kids;
		}
	}
}

typedef struct rt_stats {
	size_t sets, ok, blob_bytes, json_bytes;
	double encode_ms;
} rt_stats;

/* Encode RS, check, decode, compare.  Returns 0 when it round-trips. */
static int round_trip(const char *file, const cJSON *rs, cc_pool *pool,
                      cc_buf *out, rt_stats *st)
{
	cc_buf diag = { 0 };
	size_t at = out->len;
	double t0 = now_ms();
	int rc = cc_rules_encode(rs, pool, out, file, NULL, &diag);
	st->encode_ms += now_ms() - t0;
	st->sets++;
	char *min = cJSON_PrintUnformatted(rs);
	st->json_bytes += strlen(min);
	free(min);
	if (rc) {
		FAILF("%s: encode: %s: %s", file, al_strerror(rc),
		      diag.p ? (char *)diag.p : "");
		cc_buf_free(&diag);
		return -1;
	}
	cc_buf_free(&diag);
	const uint8_t *blob = out->p + at;
	size_t len = out->len - at;
	st->blob_bytes += len;
	char err[256];
	if ((rc = alc_rules_check(blob, len, (uint32_t)pool->data.len, err, sizeof err))) {
		FAILF("%s: check: %s", file, err);
		return -1;
	}
	cc_buf js = { 0 };
	rc = alc_rules_to_json(blob, len, (const char *)pool->data.p,
	                       (uint32_t)pool->data.len, 0, sink_buf, &js);
	if (rc) {
		FAILF("%s: to_json: %s", file, al_strerror(rc));
		cc_buf_free(&js);
		return -1;
	}
	cJSON *back = cJSON_ParseWithLength((const char *)js.p, js.len);
	cJSON *orig = cJSON_Duplicate(rs, 1);
	normalise(orig);
	int same = back && cJSON_Compare(orig, back, 1);
	if (!same) {
		FAILF("%s: decoded rule set differs (see /tmp/rules-orig.json, "
		      "/tmp/rules-back.json)", file);
		char *a = cJSON_Print(orig), *b = back ? cJSON_Print(back) : NULL;
		FILE *f = fopen("/tmp/rules-orig.json", "w");
		if (f) { fputs(a, f); fclose(f); }
		f = fopen("/tmp/rules-back.json", "w");
		if (f) { fputs(b ? b : (char *)js.p, f); fclose(f); }
		free(a);
		free(b);
	}
	/* the pretty form parses to the same tree */
	cc_buf pj = { 0 };
	if (same && alc_rules_to_json(blob, len, (const char *)pool->data.p,
	                              (uint32_t)pool->data.len, ALC_RULES_JSON_PRETTY,
	                              sink_buf, &pj) == 0) {
		cJSON *pb = cJSON_ParseWithLength((const char *)pj.p, pj.len);
		if (!pb || !cJSON_Compare(pb, back, 1)) {
			FAILF("%s: pretty JSON differs from compact", file);
			same = 0;
		}
		cJSON_Delete(pb);
	}
	cc_buf_free(&pj);
	cJSON_Delete(back);
	cJSON_Delete(orig);
	cc_buf_free(&js);
	if (same)
		st->ok++;
	return same ? 0 : -1;
}

static const cJSON *service_ruleset(const cJSON *model, const char **sid)
{
	const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(model, "shapes");
	for (const cJSON *s = shapes ? shapes->child : NULL; s; s = s->next) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "service") != 0)
			continue;
		const cJSON *tr = cJSON_GetObjectItemCaseSensitive(s, "traits");
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(tr, "smithy.rules#endpointRuleSet");
		if (rs) {
			*sid = s->string;
			return rs;
		}
	}
	return NULL;
}

/* ---- corpus ---------------------------------------------------------- */

static int test_corpus(void)
{
	const char *shared = shared_dir();
	const char *subdirs[] = { "api-models-aws", "models-derived" };
	char **files = NULL;
	size_t nfiles = 0;
	for (size_t i = 0; i < 2; i++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s", shared, subdirs[i]);
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			FAILF("%s: %s (set AIRLOCK_SHARED)", dir, strerror(errno ? errno : ENOENT));
			return 1;
		}
		size_t before = nfiles;
		find_models(dir, &files, &nfiles, 0);
		if (nfiles == before) {
			FAILF("%s: no model files", dir);
			return 1;
		}
	}
	qsort(files, nfiles, sizeof *files, cmp_str);

	cc_pool pool;
	cc_pool_init(&pool);
	cc_buf out = { 0 };
	rt_stats st = { 0 };
	cJSON **sets = cc_xcalloc(nfiles, sizeof *sets);
	cJSON **docs = cc_xcalloc(nfiles, sizeof *docs);
	size_t *offs = cc_xcalloc(nfiles + 1, sizeof *offs);
	size_t largest = 0, largest_len = 0;
	for (size_t i = 0; i < nfiles; i++) {
		size_t len;
		char *text = read_file(files[i], &len);
		cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
		free(text);
		const char *sid = NULL;
		const cJSON *rs = doc ? service_ruleset(doc, &sid) : NULL;
		docs[i] = doc;
		if (!rs) {
			FAILF("%s: no service with an endpointRuleSet", files[i]);
			continue;
		}
		sets[i] = (cJSON *)rs;
		offs[i] = out.len;
		round_trip(files[i], rs, &pool, &out, &st);
		if (out.len - offs[i] > largest_len) {
			largest_len = out.len - offs[i];
			largest = i;
		}
	}
	offs[nfiles] = out.len;
	printf("rules round-trip: %zu/%zu services, %zu bytes encoded vs %zu bytes "
	       "minified JSON (%.1f%%), %zu bytes of strings\n",
	       st.ok, nfiles, st.blob_bytes, st.json_bytes,
	       100.0 * (double)st.blob_bytes / (double)(st.json_bytes ? st.json_bytes : 1),
	       pool.data.len);
	printf("rules largest: %s, %zu bytes\n", files[largest], largest_len);

	/* Encoding time alone, in a fresh pool, best of 3: the same bytes
	 * again (determinism) and the budget (< 40 ms for the corpus). */
	double best = 1e9;
	for (int pass = 0; pass < 3; pass++) {
		cc_pool p2;
		cc_pool_init(&p2);
		cc_buf o2 = { 0 }, dg = { 0 };
		double t0 = now_ms();
		for (size_t i = 0; i < nfiles; i++)
			if (sets[i])
				cc_rules_encode(sets[i], &p2, &o2, files[i], NULL, &dg);
		double ms = now_ms() - t0;
		if (ms < best)
			best = ms;
		if (o2.len != out.len || memcmp(o2.p, out.p, out.len) != 0 ||
		    p2.data.len != pool.data.len ||
		    memcmp(p2.data.p, pool.data.p, pool.data.len) != 0)
			FAILF("encoding is not deterministic");
		cc_buf_free(&o2);
		cc_buf_free(&dg);
		cc_pool_free(&p2);
	}
	printf("rules encode: %.2f ms for %zu rule sets (budget 40 ms%s)\n", best, nfiles,
	       SANITIZED ? ", not enforced under sanitizers" : "");
	if (best >= 40.0 && !SANITIZED)
		FAILF("encoding took %.2f ms (budget 40 ms)", best);
	if (st.ok != nfiles)
		FAILF("%zu of %zu rule sets did not round-trip", nfiles - st.ok, nfiles);

	for (size_t i = 0; i < nfiles; i++) {
		cJSON_Delete(docs[i]);
		free(files[i]);
	}
	free(files);
	free(docs);
	free(sets);
	free(offs);
	cc_buf_free(&out);
	cc_pool_free(&pool);
	return failures != 0;
}

/* ---- rules-engine-tests.json ----------------------------------------- */

static int test_engine(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/test-suites/smithy-protocol-tests/rules-engine-tests.json",
	         shared_dir());
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		FAILF("%s: %s (set AIRLOCK_SHARED)", path, strerror(errno));
		return 1;
	}
	cJSON *doc = cJSON_ParseWithLength(text, len);
	free(text);
	if (!doc) {
		FAILF("%s: bad JSON", path);
		return 1;
	}
	cc_pool pool;
	cc_pool_init(&pool);
	cc_buf out = { 0 };
	rt_stats st = { 0 };
	size_t cases = 0, cases_ok = 0;
	const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(doc, "shapes");
	for (const cJSON *s = shapes ? shapes->child : NULL; s; s = s->next) {
		const cJSON *tr = cJSON_GetObjectItemCaseSensitive(s, "traits");
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(tr, "smithy.rules#endpointRuleSet");
		if (!rs)
			continue;
		const cJSON *et = cJSON_GetObjectItemCaseSensitive(tr, "smithy.rules#endpointTests");
		int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(et, "testCases"));
		cc_buf name = { 0 };
		cc_buf_printf(&name, "rules-engine-tests.json: %s", s->string);
		cases += (size_t)n;
		if (round_trip((char *)name.p, rs, &pool, &out, &st) == 0)
			cases_ok += (size_t)n;
		cc_buf_free(&name);
	}
	printf("rules-engine-tests: %zu/%zu rule sets round-trip, covering %zu/%zu "
	       "endpointTests cases, %zu bytes encoded vs %zu bytes minified JSON\n",
	       st.ok, st.sets, cases_ok, cases, st.blob_bytes, st.json_bytes);
	if (st.sets == 0 || st.ok != st.sets)
		FAILF("rules-engine-tests: %zu of %zu rule sets failed", st.sets - st.ok, st.sets);
	cJSON_Delete(doc);
	cc_buf_free(&out);
	cc_pool_free(&pool);
	return failures != 0;
}

/* ---- unit: golden, compile errors, checker --------------------------- */

/* The example of RULES.md; its encoding is printed there byte for byte. */
static const char tiny_json[] =
	"{\"version\":\"1.0\","
	"\"parameters\":{\"Region\":{\"type\":\"string\",\"builtIn\":\"AWS::Region\","
	"\"required\":true}},"
	"\"rules\":[{\"conditions\":[{\"fn\":\"aws.partition\",\"argv\":[{\"ref\":\"Region\"}],"
	"\"assign\":\"p\"}],"
	"\"endpoint\":{\"url\":\"https://x.{Region}.{p#dnsSuffix}\"},\"type\":\"endpoint\"}]}";

/* STRS as the encoder leaves it for tiny_json in a fresh pool. */
static const char tiny_strs[] =
	"\0" "1.0\0" "Region\0" "p\0" "https://x.\0" ".\0" "dnsSuffix";

static const uint8_t tiny_golden[] = {
	/* 0x00 header */
	0x41, 0x4c, 0x52, 0x53, 0x01, 0x00, 0x40, 0x00, /* magic, version, header_size */
	0xc8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* size 200, ruleset_version "1.0" */
	0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, /* 1 param, 2 vars, 1 root rule */
	0x40, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, /* params_off, nodes_off */
	0x07, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, /* node_count, ops_off */
	0x07, 0x00, 0x00, 0x00, 0xac, 0x00, 0x00, 0x00, /* op_count, conds_off */
	0x01, 0x00, 0x00, 0x00, 0xb4, 0x00, 0x00, 0x00, /* cond_count, rules_off */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* rule_count, reserved */
	/* 0x40 param 0: "Region", string, AWS::Region, required */
	0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 0x58 nodes: op n need size, a */
	0x05, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, /* 0 REF slot 0 (Region) */
	0x14, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, /* 1 aws.partition(ops[0]) */
	0x01, 0x00, 0x00, 0x01, 0x0e, 0x00, 0x00, 0x00, /* 2 STR "https://x." */
	0x01, 0x00, 0x00, 0x01, 0x19, 0x00, 0x00, 0x00, /* 3 STR "." */
	0x05, 0x00, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, /* 4 REF slot 1 (p) */
	0x06, 0x01, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00, /* 5 GETATTR ops[1..3) */
	0x02, 0x04, 0x02, 0x06, 0x03, 0x00, 0x00, 0x00, /* 6 TPL ops[3..7) */
	/* 0x90 ops */
	0x00, 0x00, 0x00, 0x00,                         /* 0: node 0 */
	0x04, 0x00, 0x00, 0x00, 0x1b, 0x00, 0x00, 0x00, /* 1: node 4, "dnsSuffix" */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 3: nodes 2, 0, */
	0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, /*    3, 5 */
	/* 0xac cond 0: node 1, assign "p" */
	0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
	/* 0xb4 rule 0: endpoint, 1 cond, slot_base 1, conds from 0, url node 6,
	 * no properties, no headers */
	0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff,
};

static void hexdump(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x%s", p[i], (i % 16 == 15 || i + 1 == n) ? "\n" : " ");
}

static void test_golden(void)
{
	cJSON *rs = cJSON_Parse(tiny_json);
	cc_pool pool;
	cc_pool_init(&pool);
	cc_buf out = { 0 }, diag = { 0 };
	int rc = cc_rules_encode(rs, &pool, &out, "tiny.json", NULL, &diag);
	if (rc) {
		FAILF("tiny: %s", diag.p ? (char *)diag.p : "?");
	} else {
		if (out.len != sizeof tiny_golden || memcmp(out.p, tiny_golden, out.len)) {
			FAILF("tiny: encoding differs from RULES.md; got %zu bytes:", out.len);
			hexdump(out.p, out.len);
		}
		if (pool.data.len != sizeof tiny_strs ||
		    memcmp(pool.data.p, tiny_strs, sizeof tiny_strs))
			FAILF("tiny: strings differ from RULES.md");
		cc_buf js = { 0 };
		alc_rules_to_json(out.p, out.len, (const char *)pool.data.p,
		                  (uint32_t)pool.data.len, 0, sink_buf, &js);
		const char *want =
			"{\"version\":\"1.0\",\"parameters\":{\"Region\":{\"type\":\"string\","
			"\"builtIn\":\"AWS::Region\",\"required\":true}},\"rules\":[{\"conditions\":"
			"[{\"fn\":\"aws.partition\",\"argv\":[{\"ref\":\"Region\"}],\"assign\":\"p\"}],"
			"\"endpoint\":{\"url\":\"https://x.{Region}.{p#dnsSuffix}\"},\"type\":\"endpoint\"}]}";
		if (!js.p || strcmp((char *)js.p, want) != 0)
			FAILF("tiny: decoded\n  %s\nwant\n  %s", js.p ? (char *)js.p : "", want);
		cc_buf_free(&js);
	}
	cc_buf_free(&out);
	cc_buf_free(&diag);
	cc_pool_free(&pool);
	cJSON_Delete(rs);
}

/* Single-quoted JSON for readability: ' becomes ". */
static cJSON *parse_sq(const char *s)
{
	char *t = cc_xstrndup(s, strlen(s));
	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	cJSON *j = cJSON_Parse(t);
	free(t);
	return j;
}

#define PARAMS "'parameters':{'Region':{'type':'string'},'Flag':{'type':'boolean'}}"
#define RULES1(cond) "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[" cond \
	"],'error':'e','type':'error'}]}"

static const struct neg {
	const char *json;
	const char *want; /* the whole diagnostic line */
} negs[] = {
	{ RULES1("{'fn':'frobnicate','argv':[]}"),
	  "t.json: $.rules[0].conditions[0].fn: unknown function 'frobnicate'\n" },
	{ RULES1("{'fn':'isSet','argv':[{'ref':'Nope'}]}"),
	  "t.json: $.rules[0].conditions[0].argv[0].ref: unknown parameter reference 'Nope'\n" },
	{ RULES1("{'fn':'isSet','argv':[{'ref':'Region'},true]}"),
	  "t.json: $.rules[0].conditions[0].argv: wrong number of arguments to 'isSet': 2, expected 1\n" },
	{ RULES1("{'fn':'coalesce','argv':['a']}"),
	  "t.json: $.rules[0].conditions[0].argv: wrong number of arguments to 'coalesce': 1, expected 2 to 255\n" },
	{ RULES1("{'fn':'stringEquals','argv':['https://{Region','x']}"),
	  "t.json: $.rules[0].conditions[0].argv[0]: bad template \"https://{Region\": unclosed '{'\n" },
	{ RULES1("{'fn':'stringEquals','argv':['a}b','x']}"),
	  "t.json: $.rules[0].conditions[0].argv[0]: bad template \"a}b\": unmatched '}'\n" },
	{ RULES1("{'fn':'stringEquals','argv':['{Nope}','x']}"),
	  "t.json: $.rules[0].conditions[0].argv[0]: unknown parameter reference 'Nope'\n" },
	{ RULES1("{'fn':'getAttr','argv':[{'ref':'Region'},'a..b']}"),
	  "t.json: $.rules[0].conditions[0].argv[1]: bad getAttr path \"a..b\"\n" },
	{ RULES1("{'fn':'isSet','argv':[{'ref':'Region'}],'assign':'Region'}"),
	  "t.json: $.rules[0].conditions[0].assign: invalid shadowing of 'Region'\n" },
	{ RULES1("{'fn':'isSet','argv':[1.5]}"),
	  "t.json: $.rules[0].conditions[0].argv[0]: number 1.5 is not a 32-bit integer\n" },
	{ RULES1("{'fn':'isSet','argv':[null]}"),
	  "t.json: $.rules[0].conditions[0].argv[0]: expected an expression, found null\n" },
	{ RULES1("{'fn':'isSet','argv':{}}"),
	  "t.json: $.rules[0].conditions[0].argv: expected an array, found an object\n" },
	{ RULES1("{'fn':7,'argv':[]}"),
	  "t.json: $.rules[0].conditions[0].fn: expected a string, found a number\n" },
	{ RULES1("{'ref':'Region'}"),
	  "t.json: $.rules[0].conditions[0]: a condition must be a function call, found an object without 'fn'\n" },
	{ RULES1("{'fn':'not','argv':[{'fn':'isSet','argv':[{'ref':'Region'}],'assign':'x'}]}"),
	  "t.json: $.rules[0].conditions[0].argv[0].assign: unexpected member 'assign'\n" },
	{ RULES1("{'fn':'isSet','argv':[{'ref':'Region'}],'extra':1}"),
	  "t.json: $.rules[0].conditions[0].extra: unexpected member 'extra'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'type':'branch'}]}",
	  "t.json: $.rules[0].type: unknown rule type 'branch'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'error':'x'}]}",
	  "t.json: $.rules[0]: missing 'type'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'type':'error'}]}",
	  "t.json: $.rules[0]: missing 'error'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'error':'x','rules':[],'type':'error'}]}",
	  "t.json: $.rules[0].rules: unexpected member 'rules' in a rule of type 'error'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':{},'error':'x','type':'error'}]}",
	  "t.json: $.rules[0].conditions: expected an array, found an object\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'rules':[{'conditions':[],"
	  "'endpoint':{'url':7},'type':'endpoint'}],'type':'tree'}]}",
	  /* a number is a valid expression; the url's type is the evaluator's */
	  NULL },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'rules':[{'conditions':[],"
	  "'endpoint':{'url':'u','headers':{'h':'v'}},'type':'endpoint'}],'type':'tree'}]}",
	  "t.json: $.rules[0].rules[0].endpoint.headers.h: header values must be an array, found a string\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[],'endpoint':{'uri':'u'},'type':'endpoint'}]}",
	  "t.json: $.rules[0].endpoint.uri: unexpected member 'uri'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':7}",
	  "t.json: $.rules: expected an array of rules, found a number\n" },
	{ "{'version':1," PARAMS ",'rules':[]}",
	  "t.json: $.version: expected a string, found a number\n" },
	{ "{'version':'1.0','rules':[]}",
	  "t.json: $: missing 'parameters'\n" },
	{ "{'version':'1.0','parameters':{'A':{'type':'int'}},'rules':[]}",
	  "t.json: $.parameters.A.type: unknown parameter type 'int'\n" },
	{ "{'version':'1.0','parameters':{'A':{'type':'string','default':true,'required':true}},'rules':[]}",
	  "t.json: $.parameters.A.default: default is a boolean, parameter type is 'string'\n" },
	{ "{'version':'1.0','parameters':{'A':{'type':'string','required':'yes'}},'rules':[]}",
	  "t.json: $.parameters.A.required: expected a boolean, found a string\n" },
	{ "{'version':'1.0','parameters':{'A':{'type':'string','bogus':1}},'rules':[]}",
	  "t.json: $.parameters.A.bogus: unexpected member 'bogus'\n" },
	/* an assign is visible in later conditions and in children only */
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[{'fn':'aws.partition',"
	  "'argv':['{Region}'],'assign':'P'}],'error':'{P#name}','type':'error'},"
	  "{'conditions':[],'error':'{P#name}','type':'error'}]}",
	  "t.json: $.rules[1].error: unknown parameter reference 'P'\n" },
	{ "{'version':'1.0'," PARAMS ",'rules':[{'conditions':[{'fn':'isSet','argv':[{'ref':'P'}]},"
	  "{'fn':'aws.partition','argv':['{Region}'],'assign':'P'}],'error':'x','type':'error'}]}",
	  "t.json: $.rules[0].conditions[0].argv[0].ref: unknown parameter reference 'P'\n" },
};

static void test_negative(void)
{
	for (size_t i = 0; i < sizeof negs / sizeof negs[0]; i++) {
		cJSON *rs = parse_sq(negs[i].json);
		if (!rs) {
			FAILF("negative %zu: test JSON does not parse", i);
			continue;
		}
		cc_pool pool;
		cc_pool_init(&pool);
		cc_buf out = { 0 }, diag = { 0 };
		cc_buf_put(&out, "12345678", 8); /* encode appends: must restore */
		int rc = cc_rules_encode(rs, &pool, &out, "t.json", NULL, &diag);
		if (!negs[i].want) {
			if (rc)
				FAILF("negative %zu: unexpected error %s", i, (char *)diag.p);
		} else if (rc != AL_EMODEL) {
			FAILF("negative %zu: rc %d, want AL_EMODEL (%s)", i, rc, negs[i].want);
		} else if (!diag.p || strcmp((char *)diag.p, negs[i].want) != 0) {
			FAILF("negative %zu:\n  got  %s  want %s", i,
			      diag.p ? (char *)diag.p : "(none)\n", negs[i].want);
		} else if (out.len != 8) {
			FAILF("negative %zu: output not restored", i);
		}
		cc_buf_free(&out);
		cc_buf_free(&diag);
		cc_pool_free(&pool);
		cJSON_Delete(rs);
	}
	/* The JSON path prefix given by the caller replaces "$". */
	cJSON *rs = parse_sq(RULES1("{'fn':'nope','argv':[]}"));
	cc_pool pool;
	cc_pool_init(&pool);
	cc_buf out = { 0 }, diag = { 0 };
	cc_rules_encode(rs, &pool, &out, "m.json",
	                "$.shapes['a#B'].traits['smithy.rules#endpointRuleSet']", &diag);
	const char *want = "m.json: $.shapes['a#B'].traits['smithy.rules#endpointRuleSet']"
	                   ".rules[0].conditions[0].fn: unknown function 'nope'\n";
	if (!diag.p || strcmp((char *)diag.p, want) != 0)
		FAILF("prefix: got %s", diag.p ? (char *)diag.p : "(none)");
	cc_buf_free(&out);
	cc_buf_free(&diag);
	cc_pool_free(&pool);
	cJSON_Delete(rs);
}

/* Hand-made corruptions of the golden blob, each with the check's
 * message: the checker names what is wrong. */
static void test_check(void)
{
	static const struct corrupt {
		size_t off;
		uint8_t val;
		const char *want;
	} cs[] = {
		{ 0, 0x42, "bad magic" },
		{ 4, 0x02, "format version 2" },
		{ 8, 0xe0, "size 224" },
		{ 18, 0x01, "node 4: REF slot 1 (vars 1)" },
		{ 28, 0x60, "nodes at 96, expected 88" },
		{ 0x58 + 8 + 1, 0x02, "node 1: aws.partition with 2 arguments" },
		{ 0x58 + 8 + 4, 0x01, "node 1: operands at 1, expected 0" },
		{ 0x58 + 2, 0x02, "node 0: need 2, expected 1" },
		{ 0x58 + 8 * 6 + 3, 0x02, "node 6: size 2, expected 6" },
		{ 0x90 + 0, 0x01, "node 1: operand 0 (node 1) is not below the node" },
		{ 0x90 + 4, 0x05, "node 5: operand 0 (node 5) is not below the node" },
		{ 0xac, 0x00, "cond 0: node 0 is not a function call" },
		{ 0xb4, 0x03, "rule 0: children at 6+4294967295, expected 1" },
		{ 0xb4 + 2, 0x00, "rule 0: slot_base 0, expected 1" },
		{ 0xb4 + 8, 0x07, "node 7 out of range" },
		{ 0x04 + 0x40, 0x09, "param 0: bad type 9" },
		{ 0x58 + 8 * 2 + 4, 0xff, "node 2: string offset 255 out of range" },
	};
	uint32_t strs = (uint32_t)sizeof tiny_strs;
	_Alignas(8) uint8_t b[sizeof tiny_golden];
	char err[256];
	memcpy(b, tiny_golden, sizeof b);
	if (alc_rules_check(b, sizeof b, strs, err, sizeof err))
		FAILF("check: golden blob rejected: %s", err);
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		memcpy(b, tiny_golden, sizeof b);
		b[cs[i].off] = cs[i].val;
		int rc = alc_rules_check(b, sizeof b, strs, err, sizeof err);
		if (rc != AL_ECORRUPT || !strstr(err, cs[i].want))
			FAILF("check %zu: rc %d \"%s\", want \"%s\"", i, rc, err, cs[i].want);
	}
	/* every truncation fails */
	memcpy(b, tiny_golden, sizeof b);
	for (size_t n = 0; n < sizeof b; n++)
		if (alc_rules_check(b, n, strs, err, sizeof err) != AL_ECORRUPT)
			FAILF("check: truncation to %zu accepted", n);
	/* strings: the same blob with a pool one byte short */
	if (alc_rules_check(b, sizeof b, strs - 10, err, sizeof err) != AL_ECORRUPT)
		FAILF("check: short STRS accepted");
}

/* Constructs the corpus does not exercise, each of which must round-trip. */
static const char *const positives[] = {
	/* template escapes, a lone brace pair, getAttr paths of every form */
	"{'version':'1.3','parameters':{'A':{'type':'stringArray','required':true,"
	"'default':['x','{y}']},'R':{'type':'string'}},'rules':[{'conditions':["
	"{'fn':'getAttr','argv':[{'ref':'A'},'[0]'],'assign':'a0'},"
	"{'fn':'aws.parseArn','argv':['{R}'],'assign':'arn'},"
	"{'fn':'stringEquals','argv':['{{literal}} {a0}}}{{','{arn#resourceId[1]}']},"
	"{'fn':'stringEquals','argv':[{'fn':'getAttr','argv':[{'ref':'arn'},'resourceId[12].x.y']},'']}"
	"],'endpoint':{'url':'https://{arn#region}.{R}','properties':{},'headers':{}},"
	"'type':'endpoint'}]}",
	/* properties: nested records and arrays, ints, bools, an 'fn' / 'ref'
	 * key in a literal record, absent vs empty headers */
	"{'version':'1.0','parameters':{'R':{'type':'String','required':false}},"
	"'rules':[{'conditions':[],'endpoint':{'url':'u','properties':{'authSchemes':"
	"[{'name':'sigv4','signingRegionSet':['*'],'disableDoubleEncoding':true,'n':-7}],"
	"'fn':'not a call','ref':{'ref':'R'}}},'type':'endpoint'}]}",
	/* headers, deprecated, unknown builtIn, boolean default, coalesce/ite/split */
	"{'version':'1.1','parameters':{'B':{'type':'boolean','required':true,'default':false,"
	"'builtIn':'Custom::Thing','deprecated':{'message':'m','since':'1.2'}},"
	"'C':{'type':'string','deprecated':{}},'D':{'type':'string','required':true,"
	"'default':'d','builtIn':'AWS::Auth::AccountId'}},"
	"'rules':[{'conditions':[{'fn':'ite','argv':[{'ref':'B'},'-x',''],'assign':'s'}],"
	"'rules':[{'conditions':[{'fn':'coalesce','argv':[{'ref':'C'},{'ref':'D'},'z'],'assign':'c'},"
	"{'fn':'split','argv':['{c}',',',0],'assign':'parts'}],"
	"'endpoint':{'url':{'ref':'c'},'headers':{'h1':[],'h2':['{s}','x',{'fn':'getAttr',"
	"'argv':[{'ref':'parts'},'[0]']}]}},'type':'endpoint'},"
	"{'conditions':[],'rules':[],'type':'tree'},"
	"{'conditions':[{'fn':'not','argv':[{'fn':'isSet','argv':[{'ref':'C'}]}]}],"
	"'error':{'fn':'substring','argv':['{D}',0,2,false]},'type':'error'}],'type':'tree'},"
	"{'conditions':[],'error':'{D}','type':'error'}]}",
	/* an empty rule set */
	"{'version':'1.0','parameters':{},'rules':[]}",
};

static void test_positive(void)
{
	for (size_t i = 0; i < sizeof positives / sizeof positives[0]; i++) {
		cJSON *rs = parse_sq(positives[i]);
		if (!rs) {
			FAILF("positive %zu: test JSON does not parse", i);
			continue;
		}
		cc_pool pool;
		cc_pool_init(&pool);
		cc_buf out = { 0 };
		rt_stats st = { 0 };
		char name[32];
		snprintf(name, sizeof name, "positive %zu", i);
		round_trip(name, rs, &pool, &out, &st);
		cc_buf_free(&out);
		cc_pool_free(&pool);
		cJSON_Delete(rs);
	}
}

static int test_unit(void)
{
	test_golden();
	test_positive();
	test_negative();
	test_check();
	printf("rules unit: golden blob, %zu round-trip cases, %zu compile-error "
	       "cases, checker cases: %s\n", sizeof positives / sizeof positives[0],
	       sizeof negs / sizeof negs[0], failures ? "FAILED" : "ok");
	return failures != 0;
}

/* ---- mutation -------------------------------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

typedef struct mstats {
	size_t tries, accepted;
} mstats;

/* Check a mutant in a fresh, exactly sized, aligned allocation (ASan sees
 * any read past LEN), and decode it when accepted. */
static void try_mutant(const uint8_t *p, size_t len, const char *strs,
                       uint32_t strs_size, mstats *ms)
{
	uint8_t *b = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!b)
		cc_oom();
	memcpy(b, p, len);
	ms->tries++;
	char err[128];
	if (alc_rules_check(b, len, strs_size, err, sizeof err) == 0) {
		ms->accepted++;
		size_t n = 0;
		if (alc_rules_to_json(b, len, strs, strs_size, ms->tries & 1 ?
		                      ALC_RULES_JSON_PRETTY : 0, sink_null, &n) != 0)
			FAILF("mutate: accepted blob fails to decode");
	}
	free(b);
}

static void mutate_blob(const char *name, const uint8_t *blob, size_t len,
                        const char *strs, uint32_t strs_size, int exhaustive,
                        size_t random_rounds)
{
	mstats ms = { 0 };
	uint8_t *m = cc_xmalloc(len);
	if (exhaustive) {
		static const uint8_t xs[] = { 0x01, 0x02, 0x04, 0x80, 0xff, 0x10, 0x7f };
		for (size_t i = 0; i < len; i++) {
			for (size_t k = 0; k < sizeof xs; k++) {
				memcpy(m, blob, len);
				m[i] ^= xs[k];
				try_mutant(m, len, strs, strs_size, &ms);
			}
			memcpy(m, blob, len);
			m[i] = 0;
			try_mutant(m, len, strs, strs_size, &ms);
		}
		for (size_t n = 0; n < len; n++)
			try_mutant(blob, n, strs, strs_size, &ms);
	}
	for (size_t r = 0; r < random_rounds; r++) {
		memcpy(m, blob, len);
		unsigned flips = 1 + rnd() % 4;
		for (unsigned f = 0; f < flips; f++) {
			size_t at = rnd() % len;
			switch (rnd() % 4) {
			case 0: m[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
			case 1: m[at] = (uint8_t)rnd(); break;
			case 2: m[at] = 0; break;
			default: /* a plausible small u32 */
				if (at + 4 <= len && (at & 3) == 0) {
					uint32_t v = rnd() % 64;
					memcpy(m + at, &v, 4);
				}
				break;
			}
		}
		size_t n = rnd() % 8 == 0 ? rnd() % (len + 1) : len;
		try_mutant(m, n, strs, strs_size, &ms);
	}
	free(m);
	printf("rules mutate %s: %zu bytes, %zu mutants, %zu accepted, no crash\n",
	       name, len, ms.tries, ms.accepted);
}

static int test_mutate(void)
{
	/* the golden blob, exhaustively */
	mutate_blob("golden", tiny_golden, sizeof tiny_golden, tiny_strs,
	            (uint32_t)sizeof tiny_strs, 1, 20000);

	/* real rule sets: the engine tests (small, varied) and S3 (largest) */
	char path[4096];
	const char *files[] = {
		"test-suites/smithy-protocol-tests/rules-engine-tests.json",
		"api-models-aws/s3/service/2006-03-01/s3-2006-03-01.json",
	};
	for (size_t f = 0; f < 2; f++) {
		snprintf(path, sizeof path, "%s/%s", shared_dir(), files[f]);
		size_t len;
		char *text = read_file(path, &len);
		cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
		free(text);
		if (!doc) {
			FAILF("%s: cannot read (set AIRLOCK_SHARED)", path);
			continue;
		}
		cc_pool pool;
		cc_pool_init(&pool);
		const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(doc, "shapes");
		for (const cJSON *s = shapes->child; s; s = s->next) {
			const cJSON *tr = cJSON_GetObjectItemCaseSensitive(s, "traits");
			const cJSON *rs = cJSON_GetObjectItemCaseSensitive(tr, "smithy.rules#endpointRuleSet");
			if (!rs)
				continue;
			cc_buf out = { 0 }, diag = { 0 };
			if (cc_rules_encode(rs, &pool, &out, path, NULL, &diag) == 0) {
				const char *name = strchr(s->string, '#') ? strchr(s->string, '#') + 1
				                                         : s->string;
				mutate_blob(name, out.p, out.len, (const char *)pool.data.p,
				            (uint32_t)pool.data.len, out.len < 2048,
				            f == 1 ? 30000 : 5000);
			} else {
				FAILF("%s", (char *)diag.p);
			}
			cc_buf_free(&out);
			cc_buf_free(&diag);
		}
		cc_pool_free(&pool);
		cJSON_Delete(doc);
	}
	return failures != 0;
}

/* ---- fuzz seeds ----------------------------------------------------- */

static void write_seed(const char *dir, const char *name, const uint8_t *strs,
                       size_t nstrs, const uint8_t *blob, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		FAILF("%s: %s", path, strerror(errno));
		return;
	}
	uint8_t l[4] = { (uint8_t)nstrs, (uint8_t)(nstrs >> 8), (uint8_t)(nstrs >> 16),
	                 (uint8_t)(nstrs >> 24) };
	fwrite(l, 1, 4, f);
	fwrite(strs, 1, nstrs, f);
	fwrite(blob, 1, len, f);
	fclose(f);
}

static int write_seeds(const char *dir)
{
	write_seed(dir, "example", (const uint8_t *)tiny_strs, sizeof tiny_strs,
	           tiny_golden, sizeof tiny_golden);
	char path[4096];
	snprintf(path, sizeof path, "%s/test-suites/smithy-protocol-tests/rules-engine-tests.json",
	         shared_dir());
	size_t len;
	char *text = read_file(path, &len);
	cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
	free(text);
	if (!doc) {
		FAILF("%s: cannot read", path);
		return 1;
	}
	const cJSON *shapes = cJSON_GetObjectItemCaseSensitive(doc, "shapes");
	for (const cJSON *s = shapes->child; s; s = s->next) {
		const cJSON *tr = cJSON_GetObjectItemCaseSensitive(s, "traits");
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(tr, "smithy.rules#endpointRuleSet");
		if (!rs)
			continue;
		cc_pool pool;
		cc_pool_init(&pool);
		cc_buf out = { 0 }, diag = { 0 };
		if (cc_rules_encode(rs, &pool, &out, path, NULL, &diag) == 0)
			write_seed(dir, strchr(s->string, '#') + 1, pool.data.p, pool.data.len,
			           out.p, out.len);
		cc_buf_free(&out);
		cc_buf_free(&diag);
		cc_pool_free(&pool);
	}
	cJSON_Delete(doc);
	return failures != 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "corpus") == 0)
		return test_corpus();
	if (strcmp(what, "engine") == 0)
		return test_engine();
	if (strcmp(what, "unit") == 0)
		return test_unit();
	if (strcmp(what, "mutate") == 0)
		return test_mutate();
	if (strcmp(what, "seeds") == 0 && argc > 2)
		return write_seeds(argv[2]);
	fprintf(stderr, "usage: rules_test corpus|engine|unit|mutate|seeds DIR\n");
	return 2;
}
