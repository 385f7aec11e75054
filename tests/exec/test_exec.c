/*
 * test_exec.c -- unit tests of execution without a network: rt_retry
 * (classes, backoff bounds, the quota), rt_proto helpers (timestamps in
 * the three formats, base64, error codes, doubles), the REST bindings
 * (labels, greedy labels, query lists and maps, header lists, prefix
 * headers, host prefix), rt_exec (tokens, retry safety, URLs, and whole
 * calls through the transport hook: retries keep the token, pagination
 * merges pages and stops on a repeated token, errors as JSON).
 *
 * Catalog: tests/exec/model, embedded (the same as fuzz_json_response's).
 * Prints each failed check; "test_exec: N checks, M failed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "rt_exec.h"
#include "rt_proto.h"
#include "rt_rest.h"
#include "rt_retry.h"

extern const unsigned char airlock_jsonfuzz_alc[];
extern const size_t airlock_jsonfuzz_alc_len;

static int nchecks, nfailed;
static alc_catalog cat;

#define CHECK(cond, ...) do { \
	nchecks++; \
	if (!(cond)) { \
		nfailed++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static const alc_operation *op(const char *s, const char *o)
{
	const alc_operation *r = alc_find_operation(&cat, s, strlen(s), o, strlen(o));
	if (!r) {
		printf("FAIL: %s:%s not in the test catalog\n", s, o);
		exit(1);
	}
	return r;
}

/* ---- rt_retry ---------------------------------------------------------- */

static void test_retry(void)
{
	rt_proto_error e;
	rt_proto_error_init(&e);
	e.kind = RT_PERR_TRANSPORT;
	CHECK(rt_retry_classify(&e, AL_ENET) == RT_RETRY_TRANSIENT && e.retryable, "ENET");
	CHECK(rt_retry_classify(&e, AL_ETIMEOUT) == RT_RETRY_TIMEOUT, "ETIMEOUT");
	rt_proto_error_init(&e);
	e.kind = RT_PERR_SERVICE;
	e.http_status = 400;
	snprintf(e.code, sizeof e.code, "ThrottlingException");
	CHECK(rt_retry_classify(&e, AL_EPROTO) == RT_RETRY_THROTTLE && e.throttling, "throttle");
	rt_proto_error_init(&e);
	e.kind = RT_PERR_SERVICE;
	e.http_status = 400;
	snprintf(e.code, sizeof e.code, "ValidationException");
	CHECK(rt_retry_classify(&e, AL_EPROTO) == RT_RETRY_NO && !e.retryable, "validation");
	e.http_status = 429;
	CHECK(rt_retry_classify(&e, AL_EPROTO) == RT_RETRY_THROTTLE, "429");
	rt_proto_error_init(&e);
	e.kind = RT_PERR_SERVICE;
	e.http_status = 502;
	snprintf(e.code, sizeof e.code, "Http502");
	CHECK(rt_retry_classify(&e, AL_EPROTO) == RT_RETRY_TRANSIENT, "502");
	rt_proto_error_init(&e);
	e.kind = RT_PERR_SERVICE;
	e.http_status = 400;
	e.retryable = 1;              /* modeled @retryable */
	CHECK(rt_retry_classify(&e, AL_EPROTO) == RT_RETRY_TRANSIENT, "modeled retryable");
	rt_proto_error_init(&e);
	e.kind = RT_PERR_CLIENT;
	CHECK(rt_retry_classify(&e, AL_EINVAL) == RT_RETRY_NO, "client errors never retry");

	CHECK(rt_retry_delay_ms(1, 0) == 0, "no delay at random 0");
	CHECK(rt_retry_delay_ms(1, 0xffffffffu) < 1000, "retry 1 under 1 s");
	CHECK(rt_retry_delay_ms(2, 0xffffffffu) < 2000 && rt_retry_delay_ms(2, 0xffffffffu) > 1000,
	      "retry 2 under 2 s");
	CHECK(rt_retry_delay_ms(30, 0xffffffffu) <= RT_RETRY_MAX_BACKOFF_MS, "capped at 20 s");
	CHECK(rt_retry_delay_ms(3, 0x80000000u) == 2000, "half of 4 s");

	rt_retry_quota q;
	rt_retry_quota_init(&q);
	int n = 0;
	while (rt_retry_acquire(&q, RT_RETRY_TRANSIENT))
		n++;
	CHECK(n == RT_RETRY_QUOTA / RT_RETRY_COST, "quota: %d retries", n);
	rt_retry_release(&q, 0);
	CHECK(q.tokens == 1, "a success without retries adds 1");
	rt_retry_release(&q, 10);
	CHECK(q.tokens == 11, "a success returns its retries' cost");
	CHECK(rt_retry_acquire(&q, RT_RETRY_TIMEOUT) == RT_RETRY_TIMEOUT_COST, "timeout cost");
	rt_retry_quota_init(&q);
	rt_retry_release(&q, 50);
	CHECK(q.tokens == RT_RETRY_QUOTA, "never above the maximum");
}

/* ---- values ------------------------------------------------------------ */

static void ts_case(const char *in, int fmt, int64_t sec, int32_t nsec, const char *dt)
{
	rt_ts t;
	int rc = rt_ts_parse(in, strlen(in), fmt, &t);
	CHECK(rc == 0 && t.sec == sec && t.nsec == nsec, "parse \"%s\": rc %d sec %lld nsec %d", in,
	      rc, (long long)t.sec, (int)t.nsec);
	if (rc == 0 && dt) {
		char b[64];
		rt_ts_format(&t, ALC_TS_DATE_TIME, b, sizeof b);
		CHECK(strcmp(b, dt) == 0, "format %s: %s", in, b);
	}
}

static void test_time(void)
{
	ts_case("1985-04-12T23:20:50.52Z", ALC_TS_DATE_TIME, 482196050, 520000000,
	        "1985-04-12T23:20:50.52Z");
	ts_case("1996-12-19T16:39:57-08:00", ALC_TS_DATE_TIME, 851042397, 0, "1996-12-20T00:39:57Z");
	ts_case("2000-02-29T00:00:00Z", ALC_TS_DATE_TIME, 951782400, 0, NULL);
	ts_case("1969-12-31T23:59:59.5Z", ALC_TS_DATE_TIME, -1, 500000000,
	        "1969-12-31T23:59:59.5Z");
	ts_case("Tue, 29 Apr 2014 18:30:38 GMT", ALC_TS_HTTP_DATE, 1398796238, 0, NULL);
	ts_case("Sun, 02 Jan 2000 20:34:56.000 GMT", ALC_TS_HTTP_DATE, 946845296, 0, NULL);
	ts_case("Sunday, 06-Nov-94 08:49:37 GMT", ALC_TS_HTTP_DATE, 784111777, 0, NULL);
	ts_case("Sun Nov  6 08:49:37 1994", ALC_TS_HTTP_DATE, 784111777, 0, NULL);
	ts_case("1398796238.123", ALC_TS_EPOCH_SECONDS, 1398796238, 123000000, NULL);
	ts_case("-1.5", ALC_TS_EPOCH_SECONDS, -2, 500000000, NULL);
	ts_case("1.5e3", ALC_TS_EPOCH_SECONDS, 1500, 0, NULL);
	const char *bad[] = { "2024-13-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01",
		              "2024-01-01T25:00:00Z", "2024-01-01T00:00:00.Z", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rt_ts t;
		CHECK(rt_ts_parse(bad[i], strlen(bad[i]), ALC_TS_DATE_TIME, &t) == AL_EINVAL,
		      "rejects \"%s\"", bad[i]);
	}
	rt_ts t = { 1398796238, 123456789 };
	char b[64];
	rt_ts_format(&t, ALC_TS_HTTP_DATE, b, sizeof b);
	CHECK(strcmp(b, "Tue, 29 Apr 2014 18:30:38 GMT") == 0, "http-date %s", b);
	rt_ts_format(&t, ALC_TS_EPOCH_SECONDS, b, sizeof b);
	CHECK(strcmp(b, "1398796238.123") == 0, "epoch %s", b);
	rt_ts_format(&t, ALC_TS_DATE_TIME, b, sizeof b);
	CHECK(strcmp(b, "2014-04-29T18:30:38.123456789Z") == 0, "date-time %s", b);
	cJSON *n = cJSON_CreateNumber(1515531081.25);
	CHECK(rt_ts_from_json(n, &t) == 0 && t.sec == 1515531081 && t.nsec == 250000000,
	      "number input");
	cJSON_Delete(n);
}

static void test_base64(void)
{
	static const char *const v[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		                            { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		                            { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		rt_buf b;
		rt_buf_init(&b);
		rt_base64_encode(&b, v[i][0], strlen(v[i][0]));
		CHECK(strcmp(b.p ? b.p : "", v[i][1]) == 0, "encode %s", v[i][0]);
		rt_buf_reset(&b);
		CHECK(rt_base64_decode(&b, v[i][1], strlen(v[i][1])) == 0 && b.len == strlen(v[i][0]) &&
		      memcmp(b.p, v[i][0], b.len) == 0, "decode %s", v[i][1]);
		rt_buf_free(&b);
	}
	const char *bad[] = { "Z", "Zg=a", "Z===", "Zm9v!" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rt_buf b;
		rt_buf_init(&b);
		CHECK(rt_base64_decode(&b, bad[i], strlen(bad[i])) == AL_EINVAL, "rejects %s", bad[i]);
		rt_buf_free(&b);
	}
	char code[64];
	rt_proto_error_code("aws.protocoltests#FooError:http://internal/", 44, code, sizeof code);
	CHECK(strcmp(code, "FooError") == 0, "code %s", code);
	rt_proto_error_code(" Throttling ", 12, code, sizeof code);
	CHECK(strcmp(code, "Throttling") == 0, "code %s", code);
	char d[40];
	rt_proto_fmt_double(0.1, d, sizeof d);
	CHECK(strcmp(d, "0.1") == 0, "double %s", d);
	rt_proto_fmt_double(-INFINITY, d, sizeof d);
	CHECK(strcmp(d, "-Infinity") == 0, "double %s", d);
}

/* ---- REST bindings --------------------------------------------------- */

static void test_rest(void)
{
	const alc_operation *o = op("RestJsonFuzz", "PutThing");
	cJSON *in = cJSON_Parse("{\"name\":\"box-1\",\"path\":\"a b/c%d/\\u00e9\",\"q\":\"x&y\","
	                        "\"ql\":[\"1\",\"2\"],\"qm\":{\"q\":\"ignored\",\"k\":\"v\"},"
	                        "\"ts\":\"2019-12-16T23:48:18Z\",\"hl\":[\"a\",\"b,c\",\"d\\\"e\"],"
	                        "\"hp\":{\"One\":\"1\"},\"thing\":{\"s\":\"x\",\"renamed\":\"r\"}}");
	rt_exec_fill_tokens_with(&cat, o, in, "00000000-0000-4000-8000-000000000000");
	rt_proto_request r;
	rt_proto_request_init(&r);
	char err[256] = "";
	int rc = rt_exec_prepare(&cat, o, in, NULL, &r, err, sizeof err);
	CHECK(rc == 0, "serialize: %s", err);
	CHECK(strcmp(r.method, "PUT") == 0, "method %s", r.method);
	CHECK(r.path.p && strcmp(r.path.p, "/things/box-1/a%20b/c%25d/%C3%A9") == 0, "path %s",
	      r.path.p);
	rt_buf q;
	rt_buf_init(&q);
	rt_proto_query_string(&r, &q);
	CHECK(q.p && strcmp(q.p, "fixed=1&flag&q=x%26y&ql=1&ql=2&k=v") == 0, "query %s", q.p);
	const rt_kv *h = rt_kvlist_find(&r.headers, "X-L", 1);
	CHECK(h && strcmp(h->value, "a, \"b,c\", \"d\\\"e\"") == 0, "header list %s",
	      h ? h->value : "(none)");
	h = rt_kvlist_find(&r.headers, "X-Ts", 1);
	CHECK(h && strcmp(h->value, "Mon, 16 Dec 2019 23:48:18 GMT") == 0, "header ts");
	h = rt_kvlist_find(&r.headers, "X-P-One", 1);
	CHECK(h && strcmp(h->value, "1") == 0, "prefix header");
	h = rt_kvlist_find(&r.headers, "X-Token", 1);
	CHECK(h && strcmp(h->value, "00000000-0000-4000-8000-000000000000") == 0, "token header");
	CHECK(strcmp(r.host_prefix.p ? r.host_prefix.p : "", "box-1.data.") == 0, "host prefix");
	cJSON *body = cJSON_ParseWithLength(r.body.p, r.body.len);
	CHECK(cJSON_GetObjectItem(body, "thing") &&
	      cJSON_GetObjectItem(cJSON_GetObjectItem(body, "thing"), "Renamed") &&
	      !cJSON_GetObjectItem(body, "name"), "body: jsonName, no bound members");
	cJSON_Delete(body);
	rt_buf url, host, path;
	rt_buf_init(&url);
	rt_buf_init(&host);
	rt_buf_init(&path);
	rc = rt_exec_target("https://example.com:443/base/", &r, &url, &host, &path);
	CHECK(rc == 0 && strcmp(host.p, "box-1.data.example.com") == 0 &&
	      strcmp(path.p, "/base/things/box-1/a%20b/c%25d/%C3%A9") == 0 &&
	      strncmp(url.p, "https://box-1.data.example.com:443/base/things/", 47) == 0,
	      "target %s %s %s", host.p, path.p, url.p);
	CHECK(rt_exec_target("http://[::1]:8080", &r, NULL, &host, NULL) == 0 &&
	      strcmp(host.p, "[::1]:8080") == 0, "IPv6 host, no prefix: %s", host.p);
	CHECK(rt_exec_target("http://127.0.0.1:80/", &r, &url, &host, NULL) == 0 &&
	      strcmp(host.p, "127.0.0.1") == 0 && strncmp(url.p, "http://127.0.0.1:80/things", 26) == 0,
	      "IPv4, default port, no prefix: %s %s", host.p, url.p);
	CHECK(rt_exec_target("http://localhost:5000", &r, NULL, &host, NULL) == 0 &&
	      strcmp(host.p, "localhost:5000") == 0, "localhost, no prefix: %s", host.p);
	CHECK(rt_exec_target("ftp://x", &r, &url, NULL, NULL) == AL_EINVAL, "ftp refused");
	CHECK(rt_exec_target("https://u@x", &r, &url, NULL, NULL) == AL_EINVAL, "userinfo refused");
	CHECK(rt_exec_target("https://x/?a=b", &r, &url, NULL, NULL) == AL_EINVAL, "query refused");
	rt_buf_free(&url);
	rt_buf_free(&host);
	rt_buf_free(&path);
	rt_buf_free(&q);
	rt_proto_request_free(&r);

	/* a missing or empty label, a bad host label */
	cJSON_ReplaceItemInObject(in, "path", cJSON_CreateString(""));
	rt_proto_request_init(&r);
	CHECK(rt_exec_prepare(&cat, o, in, NULL, &r, err, sizeof err) == AL_EINVAL &&
	      strstr(err, "path"), "empty label refused: %s", err);
	rt_proto_request_free(&r);
	cJSON_ReplaceItemInObject(in, "path", cJSON_CreateString("p"));
	cJSON_ReplaceItemInObject(in, "name", cJSON_CreateString("a/b"));
	rt_proto_request_init(&r);
	CHECK(rt_exec_prepare(&cat, o, in, NULL, &r, err, sizeof err) == AL_EINVAL &&
	      strstr(err, "host label"), "bad host label refused: %s", err);
	rt_proto_request_free(&r);
	cJSON_Delete(in);

	/* response header lists */
	const alc_operation *t = op("RestJsonFuzz", "RestThing");
	const alc_member *hl = rt_proto_member(&cat, t->output, "hl", 2);
	const char *v = "a, \"b,c\" , \"d\\\"e\",f";
	cJSON *x = rt_rest_header_to_json(&cat, hl, v, strlen(v));
	char *s = x ? cJSON_PrintUnformatted(x) : NULL;
	CHECK(s && strcmp(s, "[\"a\",\"b,c\",\"d\\\"e\",\"f\"]") == 0, "header list %s", s);
	free(s);
	cJSON_Delete(x);
	const alc_member *htl = rt_proto_member(&cat, t->output, "htl", 3);
	v = "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT";
	x = rt_rest_header_to_json(&cat, htl, v, strlen(v));
	s = x ? cJSON_PrintUnformatted(x) : NULL;
	CHECK(s && strcmp(s, "[\"2019-12-16T23:48:18Z\",\"2019-12-17T23:48:18Z\"]") == 0,
	      "http-date list %s", s);
	free(s);
	cJSON_Delete(x);
}

/* ---- whole calls through the transport hook --------------------------- */

typedef struct fake {
	int n;                       /* requests answered */
	const char *const *answers;  /* "STATUS BODY" each; the last repeats */
	int nanswers;
	char bodies[8][512];         /* request bodies seen */
} fake;

static int transport(void *ud, const rt_http_request *req, rt_http_response *resp)
{
	fake *f = ud;
	if (f->n < 8)
		snprintf(f->bodies[f->n], sizeof f->bodies[0], "%.*s", (int)req->body_len,
		         req->body ? (const char *)req->body : "");
	const char *a = f->answers[f->n < f->nanswers ? f->n : f->nanswers - 1];
	f->n++;
	if (strcmp(a, "reset") == 0)
		return AL_ENET;
	resp->status = atol(a);
	const char *body = strchr(a, ' ') ? strchr(a, ' ') + 1 : "";
	const char *h = "Content-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: rid\r\n";
	resp->headers = strdup(h);
	resp->headers_len = strlen(h);
	resp->body = strdup(body);
	resp->body_len = strlen(body);
	return 0;
}

static void no_sleep(void *ud, long ms)
{
	(void)ud;
	(void)ms;
}

static rt_exec *new_exec(fake *f)
{
	static rt_creds c;
	snprintf(c.access_key_id, sizeof c.access_key_id, "AKIDTEST");
	snprintf(c.secret_access_key, sizeof c.secret_access_key, "secret");
	rt_exec_options o = { .region = "us-east-1", .endpoint_url = "https://example.com",
		              .creds = &c, .transport = transport, .transport_ud = f,
		              .sleep_ms = no_sleep };
	rt_exec *x;
	char err[256];
	if (rt_exec_new(&x, &cat, &o, err, sizeof err)) {
		printf("FAIL: rt_exec_new: %s\n", err);
		exit(1);
	}
	return x;
}

static void test_calls(void)
{
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	/* retries keep the filled token */
	static const char *const a1[] = { "500 {\"__type\":\"InternalFailure\"}", "reset",
		                          "200 {\"id\":\"t-1\"}" };
	fake f = { 0, a1, 3, { { 0 } } };
	rt_exec *x = new_exec(&f);
	const alc_operation *create = op("Json10Fuzz", "CreateThing");
	cJSON *in = cJSON_Parse("{\"name\":\"n\"}");
	rt_exec_result r;
	rt_exec_result_init(&r);
	int rc = rt_exec_call(x, create, in, NULL, &r);
	CHECK(rc == 0 && r.attempts == 3, "CreateThing: rc %d attempts %d", rc, r.attempts);
	cJSON *b0 = cJSON_Parse(f.bodies[0]), *b2 = cJSON_Parse(f.bodies[2]);
	const char *t0 = cJSON_GetStringValue(cJSON_GetObjectItem(b0, "clientToken"));
	const char *t2 = cJSON_GetStringValue(cJSON_GetObjectItem(b2, "clientToken"));
	CHECK(t0 && t2 && strlen(t0) == 36 && strcmp(t0, t2) == 0 && t0[14] == '4',
	      "one UUIDv4 token across attempts: %s %s", t0, t2);
	CHECK(!cJSON_GetObjectItem(in, "clientToken"), "the caller's input is not changed");
	cJSON_Delete(b0);
	cJSON_Delete(b2);
	CHECK(rt_exec_retry_safe(&cat, create, in) == 0, "CreateThing without a token: not safe");
	cJSON_AddStringToObject(in, "clientToken", "mine");
	CHECK(rt_exec_retry_safe(&cat, create, in) == 1, "with a token: safe");
	CHECK(rt_exec_retry_safe(&cat, op("Json10Fuzz", "ListThings"), NULL) == 1, "List: a read");
	cJSON_Delete(in);
	rt_exec_result_free(&r);

	/* a modeled error, not retried; its JSON */
	static const char *const a2[] = {
		"400 {\"__type\":\"airlock.fuzz.json10#ThingError\",\"message\":\"bad\","
		"\"thing\":{\"n\":1}}" };
	f = (fake){ 0, a2, 1, { { 0 } } };
	in = cJSON_Parse("{\"name\":\"n\"}");
	rc = rt_exec_call(x, create, in, NULL, &r);
	cJSON *j = rt_exec_result_json(&cat, &r);
	cJSON *e = cJSON_GetObjectItem(j, "error");
	CHECK(rc == AL_EPROTO && r.attempts == 1 &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "code")), "ThingError") == 0 &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "type")),
	             "airlock.fuzz.json10#ThingError") == 0 &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "request_id")), "rid") == 0 &&
	      cJSON_GetObjectItem(cJSON_GetObjectItem(e, "fields"), "thing"),
	      "modeled error as JSON");
	cJSON_Delete(j);
	rt_exec_result_free(&r);
	/* validation refuses before sending */
	cJSON_DeleteItemFromObject(in, "name");
	f.n = 0;
	rc = rt_exec_call(x, create, in, NULL, &r);
	CHECK(rc == AL_EINVAL && f.n == 0 && r.error.kind == RT_PERR_CLIENT &&
	      strstr(r.error.message, "name"), "validation: %s", r.error.message);
	rt_exec_result_free(&r);
	cJSON_Delete(in);
	rt_exec_free(x);

	/* pagination: three pages, merged */
	static const char *const a3[] = {
		"200 {\"things\":[{\"n\":1}],\"nextToken\":\"p2\"}",
		"200 {\"things\":[{\"n\":2}],\"nextToken\":\"p3\"}",
		"200 {\"things\":[{\"n\":3}]}" };
	f = (fake){ 0, a3, 3, { { 0 } } };
	x = new_exec(&f);
	const alc_operation *list = op("Json10Fuzz", "ListThings");
	rt_exec_call_options co = { 10, NULL, NULL, 0 };
	rc = rt_exec_call(x, list, NULL, &co, &r);
	cJSON *things = cJSON_GetObjectItem(r.output, "things");
	CHECK(rc == 0 && r.pages == 3 && cJSON_GetArraySize(things) == 3 &&
	      !cJSON_GetObjectItem(r.output, "nextToken") && !r.truncated, "3 pages merged");
	CHECK(strstr(f.bodies[1], "\"nextToken\":\"p2\"") && strstr(f.bodies[2], "p3"),
	      "tokens sent: %s %s", f.bodies[1], f.bodies[2]);
	rt_exec_result_free(&r);
	f = (fake){ 0, a3, 3, { { 0 } } };
	co.max_pages = 2;
	rc = rt_exec_call(x, list, NULL, &co, &r);
	CHECK(rc == 0 && r.pages == 2 && r.truncated &&
	      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r.output, "nextToken")), "p3") == 0,
	      "stops at max_pages, keeps the token to continue");
	rt_exec_result_free(&r);
	static const char *const a4[] = { "200 {\"things\":[{\"n\":1}],\"nextToken\":\"same\"}" };
	f = (fake){ 0, a4, 1, { { 0 } } };
	co.max_pages = 50;
	rc = rt_exec_call(x, list, NULL, &co, &r);
	CHECK(rc == 0 && r.pages == 2, "a repeated token stops: %d pages", r.pages);
	rt_exec_result_free(&r);
	/* writes are not paginated */
	f = (fake){ 0, a4, 1, { { 0 } } };
	in = cJSON_Parse("{\"name\":\"n\"}");
	rc = rt_exec_call(x, create, in, &co, &r);
	CHECK(rc == 0 && r.pages == 1, "max_pages ignored for a write without a paginator");
	rt_exec_result_free(&r);
	cJSON_Delete(in);
	rt_exec_free(x);
}

int main(void)
{
	alc_diag diag;
	if (alc_open_mem(&cat, airlock_jsonfuzz_alc, airlock_jsonfuzz_alc_len, &diag)) {
		printf("FAIL: embedded catalog: %s\n", diag.msg);
		return 1;
	}
	test_retry();
	test_time();
	test_base64();
	test_rest();
	test_calls();
	alc_close(&cat);
	printf("test_exec: %d checks, %d failed\n", nchecks, nfailed);
	return nfailed ? 1 : 0;
}
