/*
 * test_endpoints.c -- endpoint resolution (runtime/rt_endpoint.c) with the
 * partitions table (formats/alc_partitions.c, compiler/cc_partitions.c).
 *
 *   endpoints_test models CATALOG [--expect N]
 *       every smithy.rules#endpointTests case of every model under
 *       $AIRLOCK_SHARED/api-models-aws and models-derived, resolved with
 *       the catalog built from them (the full_catalog fixture): expected
 *       URL, headers and properties (authSchemes and the rest), or the
 *       expected error message.  Each case runs from its "params"; the
 *       cases' "operationInputs" (builtIn, client and operation values)
 *       run too, through rt_endpoint_params_for_operation.  Prints
 *       "endpoint tests: N/15320 pass"; fails below 100 % or when the
 *       case count is not N.
 *   endpoints_test engine WORKDIR
 *       the 95 cases of smithy-protocol-tests/rules-engine-tests.json: the
 *       file holds 12 services, the compiler takes one per model file, so
 *       each service is written to WORKDIR/<name>/service/2022-01-01/
 *       <name>.json with the aws.api#service and protocol traits the
 *       compiler requires, and the catalog is built from there (cc_build).
 *       Prints "rules-engine tests: N/95 pass".
 *   endpoints_test unit
 *       the partitions section: the worked example of alc_partitions.h
 *       byte for byte, lookups (listed, regex, default, overrides), checker
 *       rejections, the regex subset; the parameter set (precedence,
 *       sticky errors) and the JMESPath subset.
 *   endpoints_test corrupt WORKDIR
 *       a catalog of tests/catalog/tiny with catalogs/partitions.json,
 *       copied with a damaged PARTITIONS field and a recomputed checksum:
 *       alc_open_mem refuses it (AL_ECORRUPT, "PARTITIONS: ...") or, for
 *       a damage that leaves a valid table, accepts it; never crashes.
 *   endpoints_test seeds DIR
 *       write the fuzz seeds of tests/fuzz/fuzz_partitions.c.
 *
 * AIRLOCK_SHARED comes from the environment (CMake sets it), else
 * ../shared.  Missing data is a failure, never a skip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_partitions.h"
#include "alc_reader.h"
#include "cc_build.h"
#include "cc_partitions.h"
#include "cc_util.h"
#include "rt_endpoint.h"

static int failures;

#define FAILF(...) do { fprintf(stderr, "FAIL: " __VA_ARGS__); \
	fputc('\n', stderr); failures++; } while (0)
#define CHECK(cond, ...) do { if (!(cond)) FAILF(__VA_ARGS__); } while (0)

static const char *shared_dir(void)
{
	const char *s = getenv("AIRLOCK_SHARED");
	return s && *s ? s : "../shared";
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	cc_buf b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		cc_buf_put(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	if (!b.p)
		b.p = (uint8_t *)cc_xstrndup("", 0);
	return (char *)b.p;
}

/* ---- running one case ------------------------------------------------ */

typedef struct tally {
	unsigned cases, pass;
	unsigned inputs, inputs_pass;   /* operationInputs */
	unsigned inputs_known;          /* known data issues (below) */
	unsigned listed;                /* failures printed */
	size_t work_peak, buf_peak;     /* most scratch / result bytes used */
} tally;

/* operationInputs whose data cannot give the expected result.  Each is
 * reported as a note, not counted as a pass, and fails the test if it
 * ever starts to match (the data was fixed: drop the entry). */
static const struct known_input {
	const char *where;              /* service shape id or model path */
	int test_case, input;
	const char *why;
} known_inputs[] = {
	{ "smithy.rules.tests#IteTest", 0, 0,
	  "its params set useFips: true, but the operationInput sets no "
	  "clientParams, so useFips keeps its default (false) and the URL is "
	  "https://example.com" },
};

static const struct known_input *known_input(const char *where, int tc,
                                             int in)
{
	for (size_t i = 0; i < sizeof known_inputs / sizeof known_inputs[0]; i++)
		if (strcmp(known_inputs[i].where, where) == 0 &&
		    known_inputs[i].test_case == tc && known_inputs[i].input == in)
			return &known_inputs[i];
	return NULL;
}

/* Set the value J (a test's param value) on P at LEVEL.  Returns 0, or -1
 * for a JSON kind no parameter has. */
static int set_json(rt_endpoint_params *p, int level, const char *name,
                    const cJSON *j)
{
	if (cJSON_IsString(j))
		return rt_endpoint_set_string_at(p, level, name, j->valuestring,
		                                 strlen(j->valuestring));
	if (cJSON_IsBool(j))
		return rt_endpoint_set_bool_at(p, level, name, cJSON_IsTrue(j));
	if (cJSON_IsArray(j)) {
		const char *items[RT_EP_MAX_ITEMS];
		size_t n = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, j) {
			if (!cJSON_IsString(it) || n == RT_EP_MAX_ITEMS)
				return -1;
			items[n++] = it->valuestring;
		}
		return rt_endpoint_set_string_array_at(p, level, name, items, n);
	}
	if (cJSON_IsNull(j))
		return 0;
	return -1;
}

static cJSON *headers_json(const rt_endpoint *e)
{
	cJSON *h = cJSON_CreateObject();
	for (uint16_t i = 0; i < e->nheaders; i++) {
		const char *name = rt_endpoint_str(e, e->headers[i].name);
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(h, name);
		if (!arr)
			arr = cJSON_AddArrayToObject(h, name);
		cJSON_AddItemToArray(arr, cJSON_CreateString(
			rt_endpoint_str(e, e->headers[i].value)));
	}
	return h;
}

/* Does the auth[] digest agree with the authSchemes property? */
static int auth_agrees(const rt_endpoint *e, const cJSON *props, char *why,
                       size_t wl)
{
	const cJSON *as = cJSON_GetObjectItemCaseSensitive(props, "authSchemes");
	int n = cJSON_IsArray(as) ? cJSON_GetArraySize(as) : 0;
	if (n > RT_EP_MAX_AUTH)
		n = RT_EP_MAX_AUTH;
	if (e->nauth != n) {
		snprintf(why, wl, "%u auth schemes, property has %d", e->nauth, n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const cJSON *s = cJSON_GetArrayItem(as, i);
		const rt_endpoint_auth *a = &e->auth[i];
		const struct { const char *key; uint16_t off; } f[] = {
			{ "name", a->name }, { "signingName", a->signing_name },
			{ "signingRegion", a->signing_region },
		};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, f[k].key);
			const char *want = cJSON_IsString(v) ? v->valuestring : "";
			if (strcmp(want, rt_endpoint_str(e, f[k].off)) != 0) {
				snprintf(why, wl, "auth[%d].%s '%s', property '%s'", i,
				         f[k].key, rt_endpoint_str(e, f[k].off), want);
				return 0;
			}
		}
		char set[512] = "";
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(s, "signingRegionSet"), *it;
		cJSON_ArrayForEach(it, rs) {
			size_t l = strlen(set);
			snprintf(set + l, sizeof set - l, "%s%s", l ? "," : "",
			         cJSON_IsString(it) ? it->valuestring : "");
		}
		if (strcmp(set, rt_endpoint_str(e, a->signing_region_set)) != 0) {
			snprintf(why, wl, "auth[%d].signingRegionSet '%s', property '%s'",
			         i, rt_endpoint_str(e, a->signing_region_set), set);
			return 0;
		}
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "disableDoubleEncoding");
		int want = cJSON_IsBool(d) ? cJSON_IsTrue(d) : -1;
		if (a->disable_double_encoding != want) {
			snprintf(why, wl, "auth[%d].disableDoubleEncoding %d, property %d",
			         i, a->disable_double_encoding, want);
			return 0;
		}
	}
	return 1;
}

/* Compare a resolution (RC, E, ERR) with EXPECT.  Returns 1 when it
 * matches, else 0 with the difference in WHY. */
static int matches(int rc, const rt_endpoint *e, const char *err,
                   const cJSON *expect, char *why, size_t wl)
{
	const cJSON *xe = cJSON_GetObjectItemCaseSensitive(expect, "error");
	const cJSON *xp = cJSON_GetObjectItemCaseSensitive(expect, "endpoint");
	if (cJSON_IsString(xe)) {
		if (rc != AL_ENOTFOUND || strcmp(err, xe->valuestring) != 0) {
			snprintf(why, wl, "expected error \"%s\", got %s%s%s%s",
			         xe->valuestring, rc ? al_errname(rc) : "url ",
			         rc ? " \"" : rt_endpoint_str(e, e->url),
			         rc ? err : "", rc ? "\"" : "");
			return 0;
		}
		return 1;
	}
	if (!cJSON_IsObject(xp)) {
		snprintf(why, wl, "test case expects neither endpoint nor error");
		return 0;
	}
	if (rc) {
		snprintf(why, wl, "expected an endpoint, got %s \"%s\"",
		         al_errname(rc), err);
		return 0;
	}
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(xp, "url");
	if (!cJSON_IsString(url) ||
	    strcmp(url->valuestring, rt_endpoint_str(e, e->url)) != 0) {
		snprintf(why, wl, "url \"%s\", expected \"%s\"",
		         rt_endpoint_str(e, e->url),
		         cJSON_IsString(url) ? url->valuestring : "?");
		return 0;
	}
	cJSON *got_h = headers_json(e);
	const cJSON *xh = cJSON_GetObjectItemCaseSensitive(xp, "headers");
	cJSON *empty = cJSON_CreateObject();
	int ok = cJSON_Compare(got_h, xh ? xh : empty, 1);
	if (!ok) {
		char *a = cJSON_PrintUnformatted(got_h);
		char *b = cJSON_PrintUnformatted(xh ? xh : empty);
		snprintf(why, wl, "headers %s, expected %s", a, b);
		free(a);
		free(b);
	}
	cJSON_Delete(got_h);
	if (ok) {
		cJSON *got_p = cJSON_Parse(rt_endpoint_str(e, e->properties));
		const cJSON *xpr = cJSON_GetObjectItemCaseSensitive(xp, "properties");
		if (!got_p) {
			snprintf(why, wl, "properties are not JSON: %s",
			         rt_endpoint_str(e, e->properties));
			ok = 0;
		} else if (!cJSON_Compare(got_p, xpr ? xpr : empty, 1)) {
			char *b = cJSON_PrintUnformatted(xpr ? xpr : empty);
			snprintf(why, wl, "properties %s, expected %s",
			         rt_endpoint_str(e, e->properties), b);
			free(b);
			ok = 0;
		} else if (!auth_agrees(e, got_p, why, wl)) {
			ok = 0;
		}
		cJSON_Delete(got_p);
	}
	cJSON_Delete(empty);
	return ok;
}

static rt_endpoint g_ep;           /* large: static, reused */
static rt_endpoint_params g_params;

static void report(tally *t, const char *where, int i, const char *doc,
                   const char *what, const char *why)
{
	failures++;
	if (t->listed++ < 200)
		fprintf(stderr, "FAIL: %s: testCases[%d]%s (%s): %s\n", where, i,
		        what, doc ? doc : "", why);
}

/* Run the endpointTests of service SVC from model JSON TESTS. */
static void run_tests(const alc_catalog *cat, const alc_service *svc,
                      const cJSON *tests, const char *where, tally *t)
{
	const cJSON *cases = cJSON_GetObjectItemCaseSensitive(tests, "testCases");
	const cJSON *tc;
	int i = 0;
	char err[512], why[1024];
	cJSON_ArrayForEach(tc, cases) {
		const cJSON *doc = cJSON_GetObjectItemCaseSensitive(tc, "documentation");
		const char *ds = cJSON_IsString(doc) ? doc->valuestring : "";
		const cJSON *params = cJSON_GetObjectItemCaseSensitive(tc, "params");
		const cJSON *expect = cJSON_GetObjectItemCaseSensitive(tc, "expect");
		t->cases++;
		rt_endpoint_params_init(&g_params);
		const cJSON *pv;
		int bad = 0;
		cJSON_ArrayForEach(pv, params)
			bad |= set_json(&g_params, RT_EP_CLIENT, pv->string, pv) != 0;
		int rc = rt_endpoint_resolve(cat, svc, &g_params, &g_ep, err, sizeof err);
		if (g_ep.work.used > t->work_peak)
			t->work_peak = g_ep.work.used;
		if (g_ep.used > t->buf_peak)
			t->buf_peak = g_ep.used;
		if (bad)
			report(t, where, i, ds, "", "a params value could not be set");
		else if (matches(rc, &g_ep, err, expect, why, sizeof why))
			t->pass++;
		else
			report(t, where, i, ds, "", why);

		/* the same case through the operation's bindings */
		const cJSON *ois = cJSON_GetObjectItemCaseSensitive(tc, "operationInputs");
		const cJSON *oi;
		int k = 0;
		cJSON_ArrayForEach(oi, ois) {
			char what[160];
			const cJSON *on = cJSON_GetObjectItemCaseSensitive(oi, "operationName");
			const struct known_input *kn = known_input(where, i, k);
			snprintf(what, sizeof what, ".operationInputs[%d] %s", k++,
			         cJSON_IsString(on) ? on->valuestring : "?");
			t->inputs++;
			const alc_operation *op = NULL;
			if (cJSON_IsString(on)) {
				const char *key = alc_str(cat, svc->key);
				op = alc_find_operation(cat, key, strlen(key), on->valuestring,
				                        strlen(on->valuestring));
			}
			if (!op) {
				report(t, where, i, ds, what, "operation not in the catalog");
				continue;
			}
			rt_endpoint_params_init(&g_params);
			bad = 0;
			cJSON_ArrayForEach(pv, cJSON_GetObjectItemCaseSensitive(oi, "builtInParams"))
				bad |= set_json(&g_params, RT_EP_BUILTIN, pv->string, pv) != 0;
			cJSON_ArrayForEach(pv, cJSON_GetObjectItemCaseSensitive(oi, "clientParams"))
				bad |= set_json(&g_params, RT_EP_CLIENT, pv->string, pv) != 0;
			const cJSON *input = cJSON_GetObjectItemCaseSensitive(oi, "operationParams");
			cJSON *empty = cJSON_CreateObject();
			if (rt_endpoint_params_for_operation(cat, op, input ? input : empty,
			                                     &g_params, err, sizeof err)) {
				report(t, where, i, ds, what, err);
				cJSON_Delete(empty);
				continue;
			}
			cJSON_Delete(empty);
			rc = rt_endpoint_resolve(cat, svc, &g_params, &g_ep, err, sizeof err);
			int ok = !bad && matches(rc, &g_ep, err, expect, why, sizeof why);
			if (kn && !ok) {
				t->inputs_known++;
				printf("note: %s: testCases[%d]%s: known data issue: %s\n",
				       where, i, what, kn->why);
			} else if (kn) {
				report(t, where, i, ds, what, "listed as a known data issue "
				       "but now matches: drop it from known_inputs");
			} else if (bad) {
				report(t, where, i, ds, what, "a value could not be set");
			} else if (ok) {
				t->inputs_pass++;
			} else {
				report(t, where, i, ds, what, why);
			}
		}
		i++;
	}
}

/* The service shape of a parsed model (the one shape of type service). */
static const cJSON *service_shape(const cJSON *model, const char **id)
{
	const cJSON *sh;
	cJSON_ArrayForEach(sh, cJSON_GetObjectItemCaseSensitive(model, "shapes")) {
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(sh, "type");
		if (cJSON_IsString(ty) && strcmp(ty->valuestring, "service") == 0) {
			*id = sh->string;
			return sh;
		}
	}
	return NULL;
}

/* The catalog's service for model file REL (relative path), by manifest. */
static const alc_service *service_of(const alc_catalog *cat, const char *rel)
{
	for (uint32_t i = 0; i < cat->nmanifest; i++)
		if (strcmp(alc_str(cat, cat->manifest[i].path), rel) == 0)
			return &cat->svcs[cat->manifest[i].service];
	return NULL;
}

static void run_model_file(const alc_catalog *cat, const char *path,
                           const char *rel, tally *t)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		FAILF("%s: cannot read: %s", path, strerror(errno));
		return;
	}
	cJSON *m = cJSON_ParseWithLength(text, len);
	free(text);
	if (!m) {
		FAILF("%s: not JSON", path);
		return;
	}
	const char *sid = NULL;
	const cJSON *svc = service_shape(m, &sid);
	const cJSON *tests = svc ? cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(svc, "traits"),
		"smithy.rules#endpointTests") : NULL;
	if (tests) {
		const alc_service *s = service_of(cat, rel);
		if (!s)
			FAILF("%s: service %s not in the catalog", rel, sid);
		else
			run_tests(cat, s, tests, rel, t);
	}
	cJSON_Delete(m);
}

static int open_catalog(alc_catalog *cat, const char *path)
{
	alc_diag d;
	int rc = alc_open(cat, path, &d);
	if (rc)
		FAILF("%s: %s: %s", path, al_strerror(rc), d.msg);
	return rc;
}

static int test_models(const char *catalog, long expect)
{
	alc_catalog cat;
	if (open_catalog(&cat, catalog))
		return 1;
	const char *dirs[] = { "api-models-aws", "models-derived" };
	tally t = { 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t d = 0; d < 2; d++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s", shared_dir(), dirs[d]);
		char **paths = NULL, **rels = NULL;
		size_t n = 0;
		if (cc_find_models(dir, &paths, &rels, &n) != 0 || n == 0) {
			FAILF("%s: no model files (set AIRLOCK_SHARED)", dir);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			run_model_file(&cat, paths[i], rels[i], &t);
			free(paths[i]);
			free(rels[i]);
		}
		free(paths);
		free(rels);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("endpoint tests: %u/%ld pass\n", t.pass, expect > 0 ? expect : (long)t.cases);
	printf("endpoint tests through operationInputs: %u/%u pass\n",
	       t.inputs_pass, t.inputs);
	printf("(%u cases, %.0f ms including model parsing; peaks: scratch %zu of "
	       "%u bytes, result %zu of %u bytes)\n", t.cases,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6), t.work_peak,
	       (unsigned)RT_EP_WORK, t.buf_peak, (unsigned)RT_EP_BUF);
	if (expect > 0 && t.cases != (unsigned long)expect)
		FAILF("found %u endpointTests cases, expected %ld", t.cases, expect);
	if (t.pass != t.cases || t.inputs_pass + t.inputs_known != t.inputs)
		FAILF("%u of %u cases and %u of %u operation inputs fail",
		      t.cases - t.pass, t.cases,
		      t.inputs - t.inputs_pass - t.inputs_known, t.inputs);
	alc_close(&cat);
	return failures ? 1 : 0;
}

/* ---- rules-engine-tests.json ----------------------------------------- */

static int mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static const char *source_dir(void)
{
#ifdef AIRLOCK_SOURCE_DIR
	return AIRLOCK_SOURCE_DIR;
#else
	return ".";
#endif
}

static int test_engine(const char *work)
{
	char path[4096];
	snprintf(path, sizeof path,
	         "%s/test-suites/smithy-protocol-tests/rules-engine-tests.json",
	         shared_dir());
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		FAILF("%s: cannot read: %s (set AIRLOCK_SHARED)", path, strerror(errno));
		return 1;
	}
	cJSON *root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root) {
		FAILF("%s: not JSON", path);
		return 1;
	}
	char models[4096];
	snprintf(models, sizeof models, "%s/models", work);
	/* one model file per service: every other shape, plus that service
	 * with the traits the compiler requires of an AWS model */
	cJSON *shapes = cJSON_GetObjectItemCaseSensitive(root, "shapes");
	unsigned nsvc = 0;
	const cJSON *sh;
	cJSON_ArrayForEach(sh, shapes) {
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(sh, "type");
		if (!cJSON_IsString(ty) || strcmp(ty->valuestring, "service") != 0)
			continue;
		const char *hash = strchr(sh->string, '#');
		char name[128];
		snprintf(name, sizeof name, "%s", hash ? hash + 1 : sh->string);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "smithy", "2.0");
		cJSON *ms = cJSON_AddObjectToObject(m, "shapes");
		const cJSON *o;
		cJSON_ArrayForEach(o, shapes) {
			const cJSON *oty = cJSON_GetObjectItemCaseSensitive(o, "type");
			if (o != sh && cJSON_IsString(oty) &&
			    strcmp(oty->valuestring, "service") == 0)
				continue;
			cJSON *copy = cJSON_Duplicate(o, 1);
			if (o == sh) {
				cJSON *tr = cJSON_GetObjectItemCaseSensitive(copy, "traits");
				if (!tr)
					tr = cJSON_AddObjectToObject(copy, "traits");
				cJSON *api = cJSON_AddObjectToObject(tr, "aws.api#service");
				cJSON_AddStringToObject(api, "sdkId", name);
				cJSON_AddStringToObject(api, "endpointPrefix", name);
				cJSON_AddObjectToObject(tr, "aws.protocols#restJson1");
			}
			cJSON_AddItemToObject(ms, o->string, copy);
		}
		char dir[4400], file[4600];
		snprintf(dir, sizeof dir, "%s/%s/service/2022-01-01", models, name);
		snprintf(file, sizeof file, "%s/%s.json", dir, name);
		char *js = cJSON_PrintUnformatted(m);
		cJSON_Delete(m);
		if (mkdirs(dir) || write_text(file, js)) {
			FAILF("%s: cannot write: %s", file, strerror(errno));
			free(js);
			cJSON_Delete(root);
			return 1;
		}
		free(js);
		nsvc++;
	}
	char out[4096], parts[4096];
	snprintf(out, sizeof out, "%s/engine.alc", work);
	snprintf(parts, sizeof parts, "%s/catalogs/partitions.json", source_dir());
	const char *mv[] = { models };
	cc_build_opts o;
	memset(&o, 0, sizeof o);
	o.models = mv;
	o.nmodels = 1;
	o.out = out;
	o.partitions = parts;
	o.threads = 1;
	if (cc_build(&o) != 0) {
		FAILF("building %s from %s failed", out, models);
		cJSON_Delete(root);
		return 1;
	}
	alc_catalog cat;
	if (open_catalog(&cat, out)) {
		cJSON_Delete(root);
		return 1;
	}
	tally t = { 0 };
	cJSON_ArrayForEach(sh, shapes) {
		const cJSON *tests = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(sh, "traits"),
			"smithy.rules#endpointTests");
		if (!tests)
			continue;
		const alc_service *s = NULL;
		for (uint32_t i = 0; i < cat.nsvcs && !s; i++)
			if (strcmp(alc_str(&cat, cat.svcs[i].shape_id), sh->string) == 0)
				s = &cat.svcs[i];
		if (!s) {
			FAILF("%s: not in the engine catalog", sh->string);
			continue;
		}
		run_tests(&cat, s, tests, sh->string, &t);
	}
	printf("rules-engine tests: %u/%u pass (%u services)\n", t.pass, t.cases, nsvc);
	printf("rules-engine tests through operationInputs: %u/%u pass, %u known "
	       "data issue%s\n", t.inputs_pass, t.inputs, t.inputs_known,
	       t.inputs_known == 1 ? "" : "s");
	if (t.cases != 95)
		FAILF("found %u rules-engine cases, expected 95", t.cases);
	alc_close(&cat);
	cJSON_Delete(root);
	return failures ? 1 : 0;
}

/* ---- unit ------------------------------------------------------------ */

/* A table with one partition (the alc_partitions.h worked example). */
static const char example_json[] =
	"{\"version\":\"1.1\",\"partitions\":[{\"id\":\"aws\","
	"\"regionRegex\":\"^us\\\\-\\\\w+\\\\-\\\\d+$\","
	"\"outputs\":{\"dnsSuffix\":\"amazonaws.com\","
	"\"dualStackDnsSuffix\":\"api.aws\",\"implicitGlobalRegion\":\"us-east-1\","
	"\"name\":\"aws\",\"supportsDualStack\":true,\"supportsFIPS\":true},"
	"\"regions\":{\"us-east-1\":{\"description\":\"US East (N. Virginia)\"}}}]}";

static const uint8_t example_bytes[] = {
	0x41, 0x4c, 0x50, 0x54, 0x01, 0x00, 0x20, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
	0x26, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};

static void hexdump(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : (i ? "\n    " : "    "), p[i]);
	fputc('\n', stderr);
}

/* Encode JSON into a fresh pool; returns the section (malloc, 8-aligned
 * copy) or NULL. */
static uint8_t *encode(const char *json, cc_pool *pool, size_t *len,
                       cc_buf *diag)
{
	cc_buf out = { 0 };
	cc_pool_init(pool);
	if (cc_partitions_encode(json, strlen(json), "test.json", pool, &out, diag)) {
		cc_buf_free(&out);
		return NULL;
	}
	uint8_t *sec = aligned_alloc(8, (out.len + 7) & ~(size_t)7);
	memcpy(sec, out.p, out.len);
	*len = out.len;
	cc_buf_free(&out);
	return sec;
}

static void unit_partitions(void)
{
	cc_pool pool;
	cc_buf diag = { 0 };
	size_t len;
	uint8_t *sec = encode(example_json, &pool, &len, &diag);
	if (!sec) {
		FAILF("example table: %.*s", (int)diag.len, (const char *)diag.p);
		return;
	}
	if (len != sizeof example_bytes || memcmp(sec, example_bytes, len) != 0) {
		FAILF("example table: %zu bytes differ from the alc_partitions.h "
		      "example; got:", len);
		hexdump(sec, len);
	}
	const char *strs = (const char *)pool.data.p;
	alc_part_outputs po;
	alc_partitions_lookup(sec, strs, "us-east-1", 9, &po);
	CHECK(strcmp(po.name, "aws") == 0 && strcmp(po.dns_suffix, "amazonaws.com") == 0 &&
	      strcmp(po.implicit_global_region, "us-east-1") == 0 && po.supports_fips &&
	      po.supports_dual_stack, "example lookup");
	free(sec);
	cc_pool_free(&pool);

	/* the shipped table */
	char path[4096];
	snprintf(path, sizeof path, "%s/catalogs/partitions.json", source_dir());
	cc_buf out = { 0 };
	cc_pool_init(&pool);
	diag.len = 0;
	if (cc_partitions_load(path, &pool, &out, &diag)) {
		FAILF("%s: %.*s", path, (int)diag.len, (const char *)diag.p);
	} else {
		sec = aligned_alloc(8, out.len);
		memcpy(sec, out.p, out.len);
		strs = (const char *)pool.data.p;
		printf("partitions section: %zu bytes (+ its strings in STRS)\n", out.len);
		static const struct { const char *region, *name, *dns, *global; int fips, ds; } c[] = {
			{ "us-east-1", "aws", "amazonaws.com", "us-east-1", 1, 1 },
			{ "us-east-99", "aws", "amazonaws.com", "us-east-1", 1, 1 },    /* regex */
			{ "aws-global", "aws", "amazonaws.com", "us-east-1", 1, 1 },
			{ "cn-north-1", "aws-cn", "amazonaws.com.cn", "cn-northwest-1", 1, 1 },
			{ "cn-south-7", "aws-cn", "amazonaws.com.cn", "cn-northwest-1", 1, 1 },
			{ "us-gov-west-1", "aws-us-gov", "amazonaws.com", "us-gov-west-1", 1, 1 },
			{ "us-gov-central-5", "aws-us-gov", "amazonaws.com", "us-gov-west-1", 1, 1 },
			{ "us-iso-east-1", "aws-iso", "c2s.ic.gov", "us-iso-east-1", 1, 0 },
			{ "us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov", "us-isob-east-1", 1, 0 },
			{ "eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk", "eu-isoe-west-1", 1, 0 },
			{ "us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov", "us-isof-south-1", 1, 0 },
			{ "eusc-de-east-1", "aws-eusc", "amazonaws.eu", "eusc-de-east-1", 1, 0 },
			{ "mars-east-1", "aws", "amazonaws.com", "us-east-1", 1, 1 },   /* default */
			{ "", "aws", "amazonaws.com", "us-east-1", 1, 1 },
			{ "US-EAST-1", "aws", "amazonaws.com", "us-east-1", 1, 1 },
		};
		for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
			alc_partitions_lookup(sec, strs, c[i].region, strlen(c[i].region), &po);
			CHECK(strcmp(po.name, c[i].name) == 0 && strcmp(po.dns_suffix, c[i].dns) == 0 &&
			      strcmp(po.implicit_global_region, c[i].global) == 0 &&
			      po.supports_fips == c[i].fips && po.supports_dual_stack == c[i].ds,
			      "lookup '%s': got %s %s %s %d %d", c[i].region, po.name,
			      po.dns_suffix, po.implicit_global_region, po.supports_fips,
			      po.supports_dual_stack);
		}
		free(sec);
	}
	cc_buf_free(&out);
	cc_pool_free(&pool);

	/* per-region overrides, first-listed-wins, default without "aws" */
	static const char ov_json[] =
		"{\"partitions\":["
		"{\"id\":\"p1\",\"regionRegex\":\"^a\\\\-.*$\",\"outputs\":{\"dnsSuffix\":\"one.example\","
		"\"dualStackDnsSuffix\":\"ds.one\",\"supportsFIPS\":true,\"supportsDualStack\":false,"
		"\"implicitGlobalRegion\":\"a-1\"},\"regions\":{\"a-1\":{},"
		"\"special\":{\"dnsSuffix\":\"special.example\",\"supportsDualStack\":true,\"name\":\"sp\"}}},"
		"{\"id\":\"p2\",\"regionRegex\":\"^b\\\\-[0-9]+$\",\"outputs\":{\"dnsSuffix\":\"two.example\","
		"\"dualStackDnsSuffix\":\"ds.two\",\"supportsFIPS\":false,\"supportsDualStack\":true},"
		"\"regions\":{\"a-1\":{\"dnsSuffix\":\"never\"},\"b-x\":{\"supportsFIPS\":true}}}]}";
	sec = encode(ov_json, &pool, &len, &diag);
	if (!sec) {
		FAILF("override table: %.*s", (int)diag.len, (const char *)diag.p);
	} else {
		strs = (const char *)pool.data.p;
		char err[200];
		CHECK(alc_partitions_check(sec, len, strs, (uint32_t)pool.data.len, err,
		                           sizeof err) == 0, "override table check: %s", err);
		alc_partitions_lookup(sec, strs, "special", 7, &po);
		CHECK(strcmp(po.name, "sp") == 0 && strcmp(po.dns_suffix, "special.example") == 0 &&
		      strcmp(po.dual_stack_dns_suffix, "ds.one") == 0 && po.supports_fips &&
		      po.supports_dual_stack, "override: %s %s %d %d", po.name, po.dns_suffix,
		      po.supports_fips, po.supports_dual_stack);
		alc_partitions_lookup(sec, strs, "a-1", 3, &po);
		CHECK(strcmp(po.name, "p1") == 0 && strcmp(po.dns_suffix, "one.example") == 0,
		      "first listed wins: %s %s", po.name, po.dns_suffix);
		alc_partitions_lookup(sec, strs, "b-x", 3, &po);
		CHECK(strcmp(po.name, "p2") == 0 && po.supports_fips && po.supports_dual_stack,
		      "listed b-x: %s %d", po.name, po.supports_fips);
		alc_partitions_lookup(sec, strs, "b-12", 4, &po);
		CHECK(strcmp(po.name, "p2") == 0 && !po.supports_fips, "regex b-12: %s", po.name);
		alc_partitions_lookup(sec, strs, "zzz", 3, &po);
		CHECK(strcmp(po.name, "p1") == 0, "default without aws: %s", po.name);

		/* checker rejections: each damage alone */
		struct { size_t off; uint32_t val; const char *what; } dmg[] = {
			{ 0, 0x12345678u, "magic" },
			{ 4, 2, "version" },
			{ 8, 8, "size" },
			{ 12, 0x7fffffffu, "table_version string" },
			{ 16, 0, "partition count" },
			{ 20, 99, "region count" },
			{ 28, 2, "default partition" },
			{ 32, 0xffffff00u, "partition id string" },
			{ 32 + 4, 0, "regex (empty string is fine: must pass)" },
			{ 32 + 24, 8, "partition flags" },
			{ 32 + 28, 1, "partition reserved" },
			{ 96, 0x00ffffffu, "region name string" },
			{ 96 + 4, 7, "region partition" },
			{ 96 + 8, 5, "region override" },
			{ 96 + 12, 0, "region order (second name = empty)" },
		};
		for (size_t i = 0; i < sizeof dmg / sizeof dmg[0]; i++) {
			uint8_t *cp = aligned_alloc(8, len);
			memcpy(cp, sec, len);
			memcpy(cp + dmg[i].off, &dmg[i].val, 4);
			int rc = alc_partitions_check(cp, len, strs, (uint32_t)pool.data.len,
			                              err, sizeof err);
			int want_ok = strstr(dmg[i].what, "must pass") != NULL;
			CHECK(want_ok ? rc == 0 : rc == AL_ECORRUPT,
			      "damaged %s: check returned %d (%s)", dmg[i].what, rc, err);
			free(cp);
		}
		/* truncation at every length */
		for (size_t n = 0; n < len; n++) {
			uint8_t *cp = malloc(n ? n : 1); /* exact size; 16-aligned */
			memcpy(cp, sec, n);
			CHECK(alc_partitions_check(cp, n, strs, (uint32_t)pool.data.len,
			                           NULL, 0) == AL_ECORRUPT,
			      "truncated to %zu bytes: accepted", n);
			free(cp);
		}
		free(sec);
	}
	cc_pool_free(&pool);

	/* compile errors name the JSON path */
	static const struct { const char *json, *want; } bad[] = {
		{ "[]", "$.partitions" },
		{ "{\"partitions\":[]}", "0 partitions" },
		{ "{\"partitions\":[{\"id\":\"x\",\"regionRegex\":\"(a)+\",\"outputs\":{}}]}",
		  "quantifier on a group" },
		{ "{\"partitions\":[{\"id\":\"x\",\"regionRegex\":\"a\",\"outputs\":{\"dnsSuffix\":\"d\","
		  "\"dualStackDnsSuffix\":\"d\",\"supportsFIPS\":true,\"supportsDualStack\":true,"
		  "\"newThing\":1}}]}", "unknown output 'newThing'" },
		{ "{\"partitions\":[{\"id\":\"x\",\"regionRegex\":\"a\",\"outputs\":{\"dnsSuffix\":\"d\"}}]}",
		  "outputs need" },
		{ "{\"partitions\":[{\"id\":\"x\",\"regionRegex\":\"a\",\"outputs\":{\"dnsSuffix\":\"d\","
		  "\"dualStackDnsSuffix\":\"d\",\"supportsFIPS\":\"yes\",\"supportsDualStack\":true}}]}",
		  "must be a boolean" },
		{ "{\"partitions\":[{\"id\":\"x\",\"regionRegex\":\"a\",\"outputs\":{\"dnsSuffix\":\"d\","
		  "\"dualStackDnsSuffix\":\"d\",\"supportsFIPS\":true,\"supportsDualStack\":true},"
		  "\"regions\":{\"r\":{\"dnsSuffix\":3}}}]}", "regions['r']" },
		{ "{\"partitions\":", "not valid JSON" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag.len = 0;
		sec = encode(bad[i].json, &pool, &len, &diag);
		cc_buf_put(&diag, "", 1);
		CHECK(!sec && strstr((const char *)diag.p, bad[i].want),
		      "bad table %zu: expected an error with '%s', got '%s'", i,
		      bad[i].want, diag.p ? (const char *)diag.p : "(accepted)");
		free(sec);
		cc_pool_free(&pool);
	}
	cc_buf_free(&diag);
}

static void unit_regex(void)
{
	static const struct { const char *re, *s; int want; } m[] = {
		{ "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", "us-east-1", 1 },
		{ "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", "us-gov-west-1", 0 },
		{ "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", "us-east-1a", 0 },
		{ "^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$", "ilx-east-1", 0 },
		{ "^eusc\\-(de)\\-\\w+\\-\\d+$", "eusc-de-east-1", 1 },
		{ "^(a|ab)(c|bcd)$", "abcd", 1 },
		{ "^(?:a|b)+", "", 0 },
		{ "^[a-c]+[^a-c]?$", "abcx", 1 },
		{ "^[a-c]+[^a-c]?$", "abcxy", 0 },
		{ "^x.y$", "x\ny", 0 },
		{ "^\\s\\S\\D\\W$", " aa-", 1 },
		{ "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
		{ "abc", "abcdef", 1 },                /* anchored at the start only */
		{ "abc$", "abcdef", 0 },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		char err[128];
		int rc = alc_part_regex_check(m[i].re, err, sizeof err);
		if (strcmp(m[i].re, "^(?:a|b)+") == 0) {
			CHECK(rc == AL_EUNSUPPORTED, "group quantifier accepted");
			continue;
		}
		CHECK(rc == 0, "regex %s refused: %s", m[i].re, err);
		if (rc == 0)
			CHECK(alc_part_regex_match(m[i].re, m[i].s, strlen(m[i].s)) == m[i].want,
			      "regex %s on '%s': expected %d", m[i].re, m[i].s, m[i].want);
	}
	static const char *const refused[] = {
		"(a", "a)", "[ab", "a**", "*a", "a{2}", "\\q", "a^", "$a", "(?=a)",
		"[]", "[z-a]", "\x01", "a\x80",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		CHECK(alc_part_regex_check(refused[i], NULL, 0) == AL_EUNSUPPORTED,
		      "regex '%s' accepted", refused[i]);
}

static void unit_params(void)
{
	rt_endpoint_params *p = &g_params;
	rt_endpoint_params_init(p);
	CHECK(rt_endpoint_set_string(p, "Region", "us-west-2") == 0, "set Region");
	CHECK(rt_endpoint_set_string(p, "AWS::Region", "eu-west-1") == 0, "set builtIn");
	CHECK(rt_endpoint_set_bool(p, "UseFIPS", 1) == 0, "set bool");
	CHECK(rt_endpoint_set_string(p, "Region", "us-east-2") == 0, "replace");
	CHECK(p->n == 3, "replace keeps one value per (name, level): %u", p->n);
	CHECK(p->v[0].level == RT_EP_CLIENT && p->v[1].level == RT_EP_BUILTIN,
	      "levels from names");
	CHECK(strcmp(p->text + p->v[0].value, "us-east-2") == 0, "replaced value");
	CHECK(rt_endpoint_set_string(p, "", "x") == AL_EINVAL && p->err == AL_EINVAL,
	      "empty name is sticky AL_EINVAL");
	rt_endpoint_params_init(p);
	CHECK(p->err == 0 && p->n == 0, "init clears");
	char big[RT_EP_TEXT];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK(rt_endpoint_set_string(p, "Big", big) == AL_ETOOBIG &&
	      p->err == AL_ETOOBIG, "oversized value is sticky AL_ETOOBIG");
	rt_endpoint_params_init(p);
	const char *items[] = { "a", "b", "c" };
	CHECK(rt_endpoint_set_string_array(p, "Arr", items, 3) == 0 &&
	      p->v[0].count == 3 && strcmp(p->text + p->items[p->v[0].value + 2], "c") == 0,
	      "string array");
	/* the struct holds no interior pointers: a copy is as good */
	static rt_endpoint_params copy;
	copy = *p;
	CHECK(strcmp(copy.text + copy.items[copy.v[0].value], "a") == 0, "copy");
}

/* JMESPath subset, through a catalog-free call: operationContextParams
 * need a catalog operation, so the paths are exercised by the model and
 * engine suites; here the parser's refusals and list shapes. */
static void unit_jmespath(const char *work)
{
	/* a tiny model with one operation per path */
	static const char *const paths[] = {
		"a.b", "list[*].k", "keys(m)", "u[*][s, o.k][]", "list[1].k",
		"list[-1].k", "nested.list[*].deep.k", "flag", "a.b[",
		"list[?k == 'x']",
	};
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/jm/jm/service/2020-01-01", work);
	if (mkdirs(dir)) {
		FAILF("%s: %s", dir, strerror(errno));
		return;
	}
	cJSON *m = cJSON_Parse(
		"{\"smithy\":\"2.0\",\"shapes\":{"
		"\"t#Svc\":{\"type\":\"service\",\"version\":\"2020-01-01\",\"operations\":[],"
		"\"traits\":{\"aws.api#service\":{\"sdkId\":\"jm\"},\"aws.protocols#restJson1\":{},"
		"\"smithy.rules#endpointRuleSet\":{\"version\":\"1.0\",\"parameters\":{"
		"\"P\":{\"type\":\"stringArray\",\"required\":false},"
		"\"S\":{\"type\":\"string\",\"required\":false},"
		"\"B\":{\"type\":\"boolean\",\"required\":false}},"
		"\"rules\":[{\"conditions\":[],\"endpoint\":{\"url\":\"https://x\"},\"type\":\"endpoint\"}]}}},"
		"\"t#In\":{\"type\":\"structure\",\"members\":{}}}}");
	cJSON *ops = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "shapes"), "t#Svc"),
		"operations");
	cJSON *shapes = cJSON_GetObjectItemCaseSensitive(m, "shapes");
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char name[32], id[40];
		snprintf(name, sizeof name, "Op%zu", i);
		snprintf(id, sizeof id, "t#%s", name);
		cJSON *ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "target", id);
		cJSON_AddItemToArray(ops, ref);
		cJSON *op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "type", "operation");
		cJSON *in = cJSON_AddObjectToObject(op, "input");
		cJSON_AddStringToObject(in, "target", "t#In");
		cJSON *tr = cJSON_AddObjectToObject(op, "traits");
		cJSON *ocp = cJSON_AddObjectToObject(tr, "smithy.rules#operationContextParams");
		const char *pn = i == 0 || i == 4 || i == 5 ? "S" : i == 7 ? "B" : "P";
		cJSON *pe = cJSON_AddObjectToObject(ocp, pn);
		cJSON_AddStringToObject(pe, "path", paths[i]);
		cJSON_AddItemToObject(shapes, id, op);
	}
	char file[4200], out[4200], root[4096];
	snprintf(file, sizeof file, "%s/jm.json", dir);
	snprintf(out, sizeof out, "%s/jm.alc", work);
	snprintf(root, sizeof root, "%s/jm", work);
	char *js = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	int wrc = write_text(file, js);
	free(js);
	if (wrc) {
		FAILF("%s: cannot write", file);
		return;
	}
	const char *mv[] = { root };
	cc_build_opts o;
	memset(&o, 0, sizeof o);
	o.models = mv;
	o.nmodels = 1;
	o.out = out;
	o.threads = 1;
	if (cc_build(&o) != 0) {
		FAILF("jmespath catalog: build failed");
		return;
	}
	alc_catalog cat;
	if (open_catalog(&cat, out))
		return;
	cJSON *input = cJSON_Parse(
		"{\"a\":{\"b\":\"ab\"},\"list\":[{\"k\":\"k0\"},{\"k\":\"k1\"},{\"x\":1}],"
		"\"m\":{\"m1\":1,\"m2\":{}},\"u\":[{\"s\":\"s0\"},{\"o\":{\"k\":\"ok1\"}}],"
		"\"nested\":{\"list\":[{\"deep\":{\"k\":\"d0\"}},{\"deep\":{}}]},\"flag\":true}");
	static const struct { const char *want; int rc; } expect[] = {
		{ "S=ab", 0 }, { "P=k0,k1", 0 }, { "P=m1,m2", 0 }, { "P=s0,ok1", 0 },
		{ "S=k1", 0 }, { "S=", 0 }, { "P=d0", 0 }, { "B=1", 0 },
		{ "", AL_EINVAL }, { "", AL_EINVAL },
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		char name[32], err[256], got[256] = "";
		snprintf(name, sizeof name, "Op%zu", i);
		const alc_operation *op = alc_find_operation(&cat, "jm", 2, name, strlen(name));
		if (!op) {
			FAILF("jmespath: %s not in the catalog", name);
			continue;
		}
		rt_endpoint_params_init(&g_params);
		int rc = rt_endpoint_params_for_operation(&cat, op, input, &g_params,
		                                          err, sizeof err);
		for (uint16_t k = 0; k < g_params.n; k++) {
			const rt_endpoint_value *v = &g_params.v[k];
			size_t l = strlen(got);
			snprintf(got + l, sizeof got - l, "%s=", g_params.text + v->name);
			for (uint16_t j = 0; v->type == RT_EP_STRING_ARRAY && j < v->count; j++) {
				l = strlen(got);
				snprintf(got + l, sizeof got - l, "%s%s", j ? "," : "",
				         g_params.text + g_params.items[v->value + j]);
			}
			l = strlen(got);
			if (v->type == RT_EP_STRING)
				snprintf(got + l, sizeof got - l, "%s", g_params.text + v->value);
			else if (v->type == RT_EP_BOOL)
				snprintf(got + l, sizeof got - l, "%u", v->value);
		}
		if (strcmp(expect[i].want, "S=") == 0) {     /* list[-1].k: no k */
			CHECK(rc == 0 && g_params.n == 0, "path '%s': got '%s'", paths[i], got);
			continue;
		}
		CHECK(rc == expect[i].rc && (rc || strcmp(got, expect[i].want) == 0),
		      "path '%s': rc %d, got '%s', expected '%s' (%s)", paths[i], rc,
		      got, expect[i].want, err);
	}
	cJSON_Delete(input);
	alc_close(&cat);
}

static int test_unit(const char *work)
{
	unit_partitions();
	unit_regex();
	unit_params();
	if (work)
		unit_jmespath(work);
	if (!failures)
		printf("endpoints unit: ok\n");
	return failures ? 1 : 0;
}

/* ---- corrupt --------------------------------------------------------- */

static int test_corrupt(const char *work)
{
	/* a small catalog (tests/catalog/tiny) keeps ~800 opens quick */
	char models[4096], catalog[4200], parts[4096];
	snprintf(models, sizeof models, "%s/tests/catalog/tiny", source_dir());
	snprintf(catalog, sizeof catalog, "%s/tiny.alc", work);
	snprintf(parts, sizeof parts, "%s/catalogs/partitions.json", source_dir());
	if (mkdirs(work)) {
		FAILF("%s: %s", work, strerror(errno));
		return 1;
	}
	const char *mv[] = { models };
	cc_build_opts o;
	memset(&o, 0, sizeof o);
	o.models = mv;
	o.nmodels = 1;
	o.out = catalog;
	o.partitions = parts;
	o.threads = 1;
	if (cc_build(&o) != 0) {
		FAILF("building %s from %s failed", catalog, models);
		return 1;
	}
	size_t len;
	char *img = read_file(catalog, &len);
	if (!img) {
		FAILF("%s: cannot read", catalog);
		return 1;
	}
	uint8_t *buf = aligned_alloc(8, (len + 7) & ~(size_t)7);
	memcpy(buf, img, len);
	free(img);
	alc_catalog cat;
	alc_diag d;
	if (alc_open_mem(&cat, buf, len, &d) != 0) {
		FAILF("%s: does not open: %s", catalog, d.msg);
		free(buf);
		return 1;
	}
	if (!cat.partitions) {
		FAILF("%s: no PARTITIONS section", catalog);
		free(buf);
		return 1;
	}
	size_t off = (size_t)(cat.partitions - cat.base);
	size_t plen = cat.partitions_size;
	alc_close(&cat);
	unsigned refused = 0, tried = 0;
	/* every 4-byte field of the header, partitions and regions, set to
	 * a few hostile values */
	static const uint32_t vals[] = { 0xffffffffu, 0x7fffffffu, 0x10000u, 1u };
	uint8_t *cp = aligned_alloc(8, (len + 7) & ~(size_t)7);
	for (size_t f = 0; f + 4 <= plen; f += 4) {
		for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
			memcpy(cp, buf, len);
			uint32_t old;
			memcpy(&old, cp + off + f, 4);
			if (old == vals[v])
				continue;
			memcpy(cp + off + f, &vals[v], 4);
			XXH128_hash_t x = XXH3_128bits(cp + ALC_CHECKSUM_FROM, len - ALC_CHECKSUM_FROM);
			memcpy(cp + 32, &x.low64, 8);
			memcpy(cp + 40, &x.high64, 8);
			tried++;
			int rc = alc_open_mem(&cat, cp, len, &d);
			if (rc == 0) {
				alc_close(&cat);
				continue;   /* e.g. a flag value that is valid */
			}
			refused++;
			if (rc != AL_ECORRUPT || strncmp(d.msg, "PARTITIONS: ", 12) != 0)
				FAILF("field %zu = %08x: %s \"%s\", expected AL_ECORRUPT "
				      "\"PARTITIONS: ...\"", f, vals[v], al_errname(rc), d.msg);
		}
	}
	printf("corrupt PARTITIONS: %u of %u damaged catalogs refused at open\n",
	       refused, tried);
	CHECK(refused * 10 >= tried * 8, "too few damaged catalogs refused");
	free(cp);
	free(buf);
	return failures ? 1 : 0;
}

/* ---- fuzz seeds ------------------------------------------------------ */

/* Seed format (tests/fuzz/fuzz_partitions.c): u32 L, L bytes of STRS, the
 * section. */
static int write_seed(const char *dir, const char *name, const cc_pool *pool,
                      const cc_buf *sec)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	uint32_t l = (uint32_t)pool->data.len;
	uint8_t le[4] = { (uint8_t)l, (uint8_t)(l >> 8), (uint8_t)(l >> 16),
	                  (uint8_t)(l >> 24) };
	fwrite(le, 1, 4, f);
	fwrite(pool->data.p, 1, pool->data.len, f);
	fwrite(sec->p, 1, sec->len, f);
	return fclose(f);
}

static int test_seeds(const char *dir)
{
	if (mkdirs(dir)) {
		FAILF("%s: %s", dir, strerror(errno));
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/catalogs/partitions.json", source_dir());
	const struct { const char *name, *json, *file; } s[] = {
		{ "example", example_json, NULL },
		{ "shipped", NULL, path },
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		cc_pool pool;
		cc_buf out = { 0 }, diag = { 0 };
		cc_pool_init(&pool);
		int rc = s[i].file
			? cc_partitions_load(s[i].file, &pool, &out, &diag)
			: cc_partitions_encode(s[i].json, strlen(s[i].json), "seed", &pool,
			                       &out, &diag);
		if (rc || write_seed(dir, s[i].name, &pool, &out))
			FAILF("seed %s: %.*s", s[i].name, (int)diag.len, (const char *)diag.p);
		cc_buf_free(&out);
		cc_buf_free(&diag);
		cc_pool_free(&pool);
	}
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "models") == 0 && argc >= 3) {
		long expect = 0;
		if (argc >= 5 && strcmp(argv[3], "--expect") == 0)
			expect = strtol(argv[4], NULL, 10);
		return test_models(argv[2], expect);
	}
	if (strcmp(what, "engine") == 0 && argc >= 3)
		return test_engine(argv[2]);
	if (strcmp(what, "unit") == 0)
		return test_unit(argc >= 3 ? argv[2] : NULL);
	if (strcmp(what, "corrupt") == 0 && argc >= 3)
		return test_corrupt(argv[2]);
	if (strcmp(what, "seeds") == 0 && argc >= 3)
		return test_seeds(argv[2]);
	fprintf(stderr, "usage: endpoints_test models CATALOG [--expect N] | "
	        "engine WORKDIR | unit [WORKDIR] | corrupt WORKDIR | seeds DIR\n");
	return 2;
}
