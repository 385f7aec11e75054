/*
 * test_mcp.c -- unit tests of the MCP server core (runtime/rt_mcp.c) and
 * the JSON-RPC layer (runtime/rt_jsonrpc.c), in process, on the small
 * widgets catalog built from tests/mcp/model:
 *
 *   test_mcp CATALOG
 *
 * Framing (byte-at-a-time input, CRLF, blank lines, a line over the limit,
 * a last line without newline), classification (ids, batches, UTF-8),
 * both protocol eras, cancellation (queued, in flight, unknown, too late),
 * progress and logging, pagination, a failing writer, and the stdio loop
 * over pipes.  The golden transcript (golden.sh) pins exact replies; this
 * file checks the properties that a transcript cannot show.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_tools.h"
#include "rt_jsonrpc.h"
#include "rt_mcp.h"

static int failures, checks;

#define CHECK(cond) do { \
		checks++; \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

static alc_catalog cat;

/* ---- a server with captured output ---------------------------------- */

typedef struct out {
	char *buf;
	size_t len, cap;
	int lines;
	int fail_after;          /* writes allowed before failing; -1: never */
	rt_mcp *m;
	const char *inject;      /* fed by the poll callback, once */
} out;

static int capture(void *ctx, const char *line, size_t len)
{
	out *o = ctx;
	if (o->fail_after == 0)
		return -1;
	if (o->fail_after > 0)
		o->fail_after--;
	if (o->len + len + 2 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + len + 2)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		if (!o->buf)
			abort();
		o->cap = cap;
	}
	if (memchr(line, '\n', len))
		fprintf(stderr, "output line contains a newline\n"), abort();
	memcpy(o->buf + o->len, line, len);
	o->len += len;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	o->lines++;
	return 0;
}

static void poll_inject(void *ctx)
{
	out *o = ctx;
	if (o->inject) {
		const char *s = o->inject;
		o->inject = NULL;
		rt_mcp_feed(o->m, s, strlen(s));
	}
}

static rt_mcp *server(out *o, size_t page_size)
{
	memset(o, 0, sizeof *o);
	o->fail_after = -1;
	rt_mcp_config cfg = {
		.cat = &cat, .catalog_name = "widgets.alc", .page_size = page_size,
		.write = capture, .write_ctx = o, .poll = poll_inject, .poll_ctx = o,
	};
	rt_mcp *m = NULL;
	if (rt_mcp_new(&m, &cfg) != 0)
		abort();
	o->m = m;
	return m;
}

static void drain(rt_mcp *m)
{
	while (rt_mcp_step(m) > 0)
		;
}

/* Feeds TEXT whole, then finishes and handles everything. */
static void run(rt_mcp *m, const char *text)
{
	rt_mcp_feed(m, text, strlen(text));
	rt_mcp_finish(m);
	drain(m);
}

static void done(rt_mcp *m, out *o)
{
	rt_mcp_free(m);
	free(o->buf);
}

/* The Nth output line (0-based) parsed, or NULL. */
static cJSON *line_json(const out *o, int n)
{
	const char *p = o->buf;
	for (int i = 0; p && i < n; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return NULL;
	const char *e = strchr(p, '\n');
	return cJSON_ParseWithLength(p, (size_t)(e - p));
}

/* Error code of output line N, or 0 when it is not an error. */
static int err_code(const out *o, int n)
{
	cJSON *j = line_json(o, n);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "error"), "code");
	int code = cJSON_IsNumber(c) ? c->valueint : 0;
	cJSON_Delete(j);
	return code;
}

/* Whether any output line is a response with id ID (an integer). */
static int answered(const out *o, int id)
{
	for (int i = 0; i < o->lines; i++) {
		cJSON *j = line_json(o, i);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "id");
		int hit = cJSON_IsNumber(v) && v->valueint == id;
		cJSON_Delete(j);
		if (hit)
			return 1;
	}
	return 0;
}

#define INIT "{\"jsonrpc\":\"2.0\",\"id\":100,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
#define META "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}"
#define SEARCH(id) "{\"jsonrpc\":\"2.0\",\"id\":" #id ",\"method\":\"tools/call\",\"params\":{\"name\":\"search_operations\",\"arguments\":{\"query\":\"widget\"}}}\n"
#define CANCEL(id) "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" #id ",\"reason\":\"test\"}}\n"

/* ---- rt_jsonrpc ----------------------------------------------------- */

static void test_utf8(void)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "plain", 1 }, { "caf\xc3\xa9", 1 }, { "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x98\x80", 1 }, { "\xf4\x8f\xbf\xbf", 1 },
		{ "\xc0\xaf", 0 },           /* overlong '/' */
		{ "\xe0\x80\xaf", 0 },       /* overlong */
		{ "\xed\xa0\x80", 0 },       /* surrogate */
		{ "\xf4\x90\x80\x80", 0 },   /* above U+10FFFF */
		{ "\xff", 0 }, { "\x80", 0 }, { "\xc3", 0 }, { "\xe2\x82", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK(rt_utf8_valid(cases[i].s, strlen(cases[i].s)) == cases[i].ok);
}

static void test_classify(void)
{
	static const struct { const char *s; int kind, code; } cases[] = {
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", RT_RPC_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\"}", RT_RPC_REQUEST, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}", RT_RPC_NOTIFICATION, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", RT_RPC_RESPONSE, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1}}", RT_RPC_RESPONSE, 0 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"id\":1,\"method\":\"ping\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":\"s\"}", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "[]", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "42", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "\"s\"", RT_RPC_INVALID, RT_RPC_INVALID_REQUEST },
		{ "{", RT_RPC_INVALID, RT_RPC_PARSE_ERROR },
		{ "{} {}", RT_RPC_INVALID, RT_RPC_PARSE_ERROR },
		{ "{\"a\":\"\xff\"}", RT_RPC_INVALID, RT_RPC_PARSE_ERROR },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rt_rpc_msg m;
		rt_rpc_parse(&m, cases[i].s, strlen(cases[i].s));
		CHECK(m.kind == cases[i].kind);
		if (m.kind != cases[i].kind)
			fprintf(stderr, "  case %zu: %s -> kind %d\n", i, cases[i].s, m.kind);
		if (cases[i].code)
			CHECK(m.err_code == cases[i].code);
		rt_rpc_msg_free(&m);
	}
	/* Not NUL-terminated: only LEN bytes are read. */
	char buf[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}XXXX";
	rt_rpc_msg m;
	rt_rpc_parse(&m, buf, strlen(buf) - 4);
	CHECK(m.kind == RT_RPC_REQUEST);
	rt_rpc_msg_free(&m);

	char key[64];
	cJSON *id = cJSON_CreateNumber(9007199254740991.0);
	CHECK(rt_rpc_id_key(id, key, sizeof key) == 0 && strcmp(key, "9007199254740991") == 0);
	cJSON_Delete(id);
	id = cJSON_CreateString("a\"b");
	CHECK(rt_rpc_id_key(id, key, sizeof key) == 0 && strcmp(key, "\"a\\\"b\"") == 0);
	cJSON_Delete(id);

	char *e = rt_rpc_error(NULL, -32600, "x", NULL);
	CHECK(e && strcmp(e, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"x\"}}") == 0);
	free(e);
}

/* ---- framing -------------------------------------------------------- */

static const char *const transcript =
	INIT
	"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r\n"
	"\n"
	"   \t \r\n"
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\r\n"
	SEARCH(2)
	"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}";  /* no final newline */

static void test_framing(void)
{
	out a, b;
	rt_mcp *ma = server(&a, 0), *mb = server(&b, 0);
	run(ma, transcript);
	for (const char *p = transcript; *p; p++) { /* one byte at a time */
		rt_mcp_feed(mb, p, 1);
		drain(mb);
	}
	rt_mcp_finish(mb);
	drain(mb);
	CHECK(a.lines == 4); /* initialize, tools/list, tools/call, ping */
	CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	CHECK(answered(&a, 3));
	done(ma, &a);
	done(mb, &b);

	/* A line over the limit is answered with -32600 and skipped; the
	 * next line is served. */
	out o;
	rt_mcp *m = server(&o, 0);
	size_t big = RT_RPC_MAX_LINE + 100;
	char *line = malloc(big);
	memset(line, ' ', big);
	line[0] = '{';
	rt_mcp_feed(m, line, big);
	rt_mcp_feed(m, line, 1000);
	free(line);
	CHECK(rt_mcp_queued_bytes(m) == 0); /* not buffered */
	run(m, "\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\n");
	CHECK(o.lines == 2 && err_code(&o, 0) == RT_RPC_INVALID_REQUEST && answered(&o, 7));
	done(m, &o);
}

/* ---- protocol ------------------------------------------------------- */

static void test_lifecycle(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	run(m,
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n"      /* before initialize */
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"bogus/method\"}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n"            /* allowed before */
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"server/discover\"}\n" /* no _meta */
	    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"initialize\",\"params\":{}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":[]}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"loud\"}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/list\",\"params\":{\"cursor\":\"nope\"}}\n");
	CHECK(o.lines == 11);
	CHECK(err_code(&o, 0) == RT_RPC_INVALID_REQUEST);
	CHECK(err_code(&o, 1) == RT_RPC_METHOD_NOT_FOUND);
	CHECK(err_code(&o, 2) == 0);
	CHECK(err_code(&o, 3) == RT_RPC_INVALID_PARAMS);
	CHECK(err_code(&o, 4) == RT_RPC_INVALID_PARAMS);
	cJSON *j = line_json(&o, 5);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "protocolVersion")),
	             "2024-11-05") == 0);
	cJSON_Delete(j);
	/* 2024-11-05 tools carry neither annotations nor outputSchema. */
	j = line_json(&o, 6);
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(j, "result"), "tools");
	CHECK(cJSON_GetArraySize(tools) == (int)rt_tools_count());
	const cJSON *t0 = cJSON_GetArrayItem(tools, 0);
	CHECK(!cJSON_GetObjectItemCaseSensitive(t0, "annotations") &&
	      !cJSON_GetObjectItemCaseSensitive(t0, "outputSchema") &&
	      cJSON_GetObjectItemCaseSensitive(t0, "inputSchema"));
	cJSON_Delete(j);
	CHECK(err_code(&o, 7) == RT_RPC_INVALID_PARAMS);
	CHECK(err_code(&o, 8) == RT_RPC_INVALID_PARAMS);
	CHECK(err_code(&o, 9) == RT_RPC_INVALID_PARAMS);
	CHECK(err_code(&o, 10) == RT_RPC_INVALID_PARAMS);
	done(m, &o);

	/* Large integer ids and progress tokens come back digit for digit. */
	m = server(&o, 0);
	run(m, INIT "{\"jsonrpc\":\"2.0\",\"id\":9007199254740991,\"method\":\"tools/call\",\"params\":"
	       "{\"name\":\"search_operations\",\"arguments\":{\"query\":\"w\"},"
	       "\"_meta\":{\"progressToken\":4503599627370497}}}\n");
	CHECK(strstr(o.buf, "\"id\":9007199254740991,") != NULL);
	CHECK(strstr(o.buf, "\"progressToken\":4503599627370497,") != NULL);
	done(m, &o);

	/* Negotiation: each legacy version is echoed, others get 2025-11-25. */
	static const struct { const char *ask, *get; } neg[] = {
		{ "2025-11-25", "2025-11-25" }, { "2025-06-18", "2025-06-18" },
		{ "2025-03-26", "2025-03-26" }, { "2024-11-05", "2024-11-05" },
		{ "2026-07-28", "2025-11-25" }, { "1999-01-01", "2025-11-25" },
	};
	for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++) {
		char req[256];
		snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
		         "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":{}}}\n", neg[i].ask);
		m = server(&o, 0);
		run(m, req);
		j = line_json(&o, 0);
		const char *got = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "result"), "protocolVersion"));
		CHECK(got && strcmp(got, neg[i].get) == 0);
		cJSON_Delete(j);
		done(m, &o);
	}
}

static void test_modern(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	run(m,
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{" META "}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{" META "}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{" META "}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
	    "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
	    "\"io.modelcontextprotocol/protocolVersion\":\"2030-01-01\","
	    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":"
	    "\"search_operations\",\"arguments\":{\"query\":\"widget\"},\"_meta\":{"
	    "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
	    "\"io.modelcontextprotocol/clientCapabilities\":{},"
	    "\"io.modelcontextprotocol/logLevel\":\"info\",\"progressToken\":\"tok\"}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"info\"," META "}}\n");
	/* discover, list, ping error, -32602, -32022, progress, log, progress,
	 * call, setLevel error */
	CHECK(o.lines == 10);
	cJSON *j = line_json(&o, 0);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "result");
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "resultType")), "complete") == 0);
	CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "ttlMs")));
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "cacheScope")), "public") == 0);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "supportedVersions")) == 1);
	CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "_meta"),
	                                       "io.modelcontextprotocol/serverInfo") != NULL);
	cJSON_Delete(j);
	j = line_json(&o, 1);
	r = cJSON_GetObjectItemCaseSensitive(j, "result");
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "ttlMs") && cJSON_GetObjectItemCaseSensitive(r, "resultType"));
	cJSON_Delete(j);
	CHECK(err_code(&o, 2) == RT_RPC_METHOD_NOT_FOUND);
	CHECK(err_code(&o, 3) == RT_RPC_INVALID_PARAMS);
	CHECK(err_code(&o, 4) == RT_MCP_UNSUPPORTED_VERSION);
	j = line_json(&o, 4);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "data");
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, "requested")), "2030-01-01") == 0);
	CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(data, "supported")));
	cJSON_Delete(j);
	j = line_json(&o, 5);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "method")), "notifications/progress") == 0);
	cJSON_Delete(j);
	j = line_json(&o, 6);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "method")), "notifications/message") == 0);
	cJSON_Delete(j);
	j = line_json(&o, 8);
	r = cJSON_GetObjectItemCaseSensitive(j, "result");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "isError")));
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "structuredContent") != NULL);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "resultType")), "complete") == 0);
	cJSON_Delete(j);
	CHECK(err_code(&o, 9) == RT_RPC_METHOD_NOT_FOUND);
	done(m, &o);
}

static void test_tools_errors(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	run(m, INIT
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"describe_operation\",\"arguments\":{\"service\":\"widgetz\",\"operation\":\"DeleteWidget\"}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"describe_operation\",\"arguments\":{\"service\":\"widgets\",\"operation\":\"DeleteWidgit\"}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"search_operations\",\"arguments\":{\"query\":5}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"search_operations\",\"arguments\":[1]}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"search_operations\",\"arguments\":{\"query\":\"x\",\"limit\":0}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"validate_input\",\"arguments\":{\"service\":\"widgets\",\"operation\":\"create-widget\"}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"describe_operation\",\"arguments\":{\"service\":\"widgets\",\"operation\":\"x\",\"extra\":1}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":{\"name\":\"describe_operation\",\"arguments\":{\"service\":\"Airlock Widgets\",\"operation\":\"delete-widget\"}}}\n");
	CHECK(o.lines == 9);
	static const char *const expect[] = {
		NULL, "airlock-widgets", "DeleteWidget", "\\\"query\\\" must be a non-empty string",
		"must be an object", "from 1 to 50", "needs \\\"input\\\"", "no argument \\\"extra\\\"",
	};
	for (int i = 1; i <= 7; i++) {
		cJSON *j = line_json(&o, i);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "result");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "isError")));
		CHECK(!cJSON_GetObjectItemCaseSensitive(r, "structuredContent"));
		char *s = cJSON_PrintUnformatted(j);
		CHECK(s && strstr(s, expect[i]));
		if (s && !strstr(s, expect[i]))
			fprintf(stderr, "  line %d lacks %s: %s\n", i, expect[i], s);
		free(s);
		cJSON_Delete(j);
	}
	cJSON *j = line_json(&o, 8);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "result");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "isError")));
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(r, "structuredContent");
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sc, "operation")), "DeleteWidget") == 0);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sc, "idempotent")));
	/* The text content is the structured content, serialised. */
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "content"), 0), "text");
	cJSON *parsed = cJSON_Parse(cJSON_GetStringValue(text));
	CHECK(parsed && cJSON_Compare(parsed, sc, 1));
	cJSON_Delete(parsed);
	cJSON_Delete(j);
	done(m, &o);
}

static void test_pagination(void)
{
	out o;
	rt_mcp *m = server(&o, 1);
	run(m, INIT
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"cursor\":\"airlock-tools-1\"}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{\"cursor\":\"airlock-tools-2\"}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"cursor\":\"airlock-tools-99\"}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}\n");
	CHECK(o.lines == 6);
	const char *names[3] = { "search_operations", "describe_operation", "validate_input" };
	for (int i = 0; i < 3; i++) {
		cJSON *j = line_json(&o, 1 + i);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "result");
		const cJSON *tools = cJSON_GetObjectItemCaseSensitive(r, "tools");
		CHECK(cJSON_GetArraySize(tools) == 1);
		CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(tools, 0), "name")), names[i]) == 0);
		CHECK((cJSON_GetObjectItemCaseSensitive(r, "nextCursor") != NULL) ==
		      (i + 1 < (int)rt_tools_count()));
		cJSON_Delete(j);
	}
	CHECK(err_code(&o, 4) == RT_RPC_INVALID_PARAMS);
	/* The cached first page is the same text. */
	cJSON *a = line_json(&o, 1), *b = line_json(&o, 5);
	CHECK(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "result"),
	                    cJSON_GetObjectItemCaseSensitive(b, "result"), 1));
	cJSON_Delete(a);
	cJSON_Delete(b);
	done(m, &o);
}

static void test_cancel(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	/* Queued: 2 is cancelled before it starts; 9 is unknown; 1 was
	 * answered before its cancellation arrived. */
	run(m, INIT SEARCH(1) SEARCH(2) SEARCH(3) CANCEL(2) CANCEL(9));
	run(m, CANCEL(1) SEARCH(4));
	CHECK(answered(&o, 1) && !answered(&o, 2) && answered(&o, 3) && answered(&o, 4));
	CHECK(o.lines == 4);
	done(m, &o);

	/* In flight: the cancellation arrives while the call runs (the poll
	 * callback stands in for input read between steps). */
	m = server(&o, 0);
	run(m, INIT);
	o.inject = CANCEL(5);
	run(m, SEARCH(5) "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}\n");
	CHECK(!answered(&o, 5) && answered(&o, 6));
	done(m, &o);

	/* A string id, and the initialize request, which cannot be cancelled. */
	m = server(&o, 0);
	run(m, "{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}\n"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"i\"}}\n"
	       "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"tools/list\"}\n"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"s\"}}\n"
	       "{\"jsonrpc\":\"2.0\",\"id\":\"t\",\"method\":\"ping\"}\n");
	CHECK(o.lines == 2 && strstr(o.buf, "\"id\":\"i\"") && !strstr(o.buf, "\"id\":\"s\"") &&
	      strstr(o.buf, "\"id\":\"t\""));
	done(m, &o);
}

static void test_progress_and_logging(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	run(m, INIT
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search_operations\",\"arguments\":{\"query\":\"widget\"},\"_meta\":{\"progressToken\":42}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}\n"
	    SEARCH(3)
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"error\"}}\n"
	    SEARCH(5));
	/* init, progress, progress, 1, 2, log, 3, 4, 5 */
	CHECK(o.lines == 9);
	cJSON *j = line_json(&o, 1);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "params");
	CHECK(cJSON_GetObjectItemCaseSensitive(p, "progressToken")->valueint == 42);
	cJSON_Delete(j);
	j = line_json(&o, 2);
	p = cJSON_GetObjectItemCaseSensitive(j, "params");
	CHECK(cJSON_GetObjectItemCaseSensitive(p, "progress")->valuedouble == 1.0);
	cJSON_Delete(j);
	j = line_json(&o, 5);
	CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "method")), "notifications/message") == 0);
	cJSON_Delete(j);
	done(m, &o);
}

static void test_write_failure(void)
{
	out o;
	rt_mcp *m = server(&o, 0);
	o.fail_after = 1;
	rt_mcp_feed(m, INIT SEARCH(1) SEARCH(2), strlen(INIT SEARCH(1) SEARCH(2)));
	CHECK(rt_mcp_step(m) == 1);
	CHECK(rt_mcp_step(m) == -1);
	CHECK(rt_mcp_step(m) == -1);
	done(m, &o);
}

/* ---- stdio ---------------------------------------------------------- */

static void test_stdio(void)
{
	int in[2], outp[2];
	if (pipe(in) != 0 || pipe(outp) != 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(in[1]);
		close(outp[0]);
		rt_mcp_config cfg = { .cat = &cat, .catalog_name = "w" };
		_exit(rt_mcp_serve_fd(&cfg, in[0], outp[1]));
	}
	close(in[0]);
	close(outp[1]);
	/* Requests with a cancellation behind them, then end of input in the
	 * middle of the last line (which is still served). */
	const char *req = INIT SEARCH(1) SEARCH(2) CANCEL(2)
	                  "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}";
	if (write(in[1], req, strlen(req)) != (ssize_t)strlen(req))
		abort();
	close(in[1]);
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	while ((n = read(outp[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(outp[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strstr(buf, "\"id\":1,") && !strstr(buf, "\"id\":2,") && strstr(buf, "\"id\":3,"));
	int lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	CHECK(lines == 3 && len && buf[len - 1] == '\n');
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_mcp CATALOG\n");
		return 2;
	}
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc != 0) {
		fprintf(stderr, "test_mcp: %s: %s: %s\n", argv[1], al_strerror(rc), diag.msg);
		return 1;
	}
	test_utf8();
	test_classify();
	test_framing();
	test_lifecycle();
	test_modern();
	test_tools_errors();
	test_pagination();
	test_cancel();
	test_progress_and_logging();
	test_write_failure();
	test_stdio();
	alc_close(&cat);
	printf("test_mcp: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
