/*
 * fuzz_jsonrpc.c -- libFuzzer target for the MCP message handler
 * (runtime/rt_mcp.c over runtime/rt_jsonrpc.c and the tools).
 *
 * Pass condition: never crash, never leak, and every line the server
 * writes is one JSON-RPC 2.0 object (a response with an id or null, or a
 * notification), whatever the input.
 *
 * The input is a byte stream as a client would write it to stdin.  Its
 * first byte picks how it is cut into feed() calls (whole, or in chunks of
 * 1..255 bytes), so partial lines and lines split across reads are
 * exercised; a poll callback feeds the next chunk while a tool call runs,
 * standing in for input read between a call's steps (cancellations in
 * flight).  A server is made per input: state never leaks across inputs.
 *
 * The catalog is the widgets test catalog that tests/mcp/tests.cmake
 * builds (FUZZ_JSONRPC_CATALOG), or $AIRLOCK_FUZZ_CATALOG (e.g. the full
 * AWS catalog).  Seeds: tests/fuzz/corpus/jsonrpc/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_mcp.h"

#ifndef FUZZ_JSONRPC_CATALOG
#define FUZZ_JSONRPC_CATALOG "widgets.alc"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int cat_ready;

typedef struct fstate {
	rt_mcp *m;
	const uint8_t *data;
	size_t size, pos, chunk;
} fstate;

static void check_line(const char *line, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "jsonrpc");
	int ok = cJSON_IsObject(j) && cJSON_IsString(v) && strcmp(v->valuestring, "2.0") == 0 &&
	         !memchr(line, '\n', len) &&
	         (cJSON_GetObjectItemCaseSensitive(j, "method") ||
	          (cJSON_GetObjectItemCaseSensitive(j, "id") &&
	           (cJSON_GetObjectItemCaseSensitive(j, "result") != NULL) !=
	           (cJSON_GetObjectItemCaseSensitive(j, "error") != NULL)));
	cJSON_Delete(j);
	if (!ok) {
		fprintf(stderr, "fuzz_jsonrpc: bad output line: %.*s\n", (int)(len > 500 ? 500 : len), line);
		abort();
	}
}

static int out_write(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	check_line(line, len);
	return 0;
}

/* Feeds the next chunk of input (the transport's read). */
static void feed_chunk(void *ctx)
{
	fstate *f = ctx;
	if (f->pos >= f->size)
		return;
	size_t n = f->size - f->pos;
	if (f->chunk && n > f->chunk)
		n = f->chunk;
	rt_mcp_feed(f->m, (const char *)f->data + f->pos, n);
	f->pos += n;
}

static void open_catalog(void)
{
	const char *path = getenv("AIRLOCK_FUZZ_CATALOG");
	if (!path || !path[0])
		path = FUZZ_JSONRPC_CATALOG;
	alc_diag diag;
	int rc = alc_open(&cat, path, &diag);
	if (rc != 0) {
		fprintf(stderr, "fuzz_jsonrpc: catalog %s: %s: %s\n", path, al_strerror(rc), diag.msg);
		abort();
	}
	cat_ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat_ready)
		open_catalog();
	if (size == 0)
		return 0;
	fstate f = { .data = data + 1, .size = size - 1, .chunk = data[0] };
	rt_mcp_config cfg = {
		.cat = &cat, .catalog_name = "fuzz.alc", .page_size = (size_t)(data[0] & 3),
		.write = out_write, .write_ctx = &f, .poll = feed_chunk, .poll_ctx = &f,
	};
	if (rt_mcp_new(&f.m, &cfg) != 0)
		abort();
	while (f.pos < f.size) {
		feed_chunk(&f);
		while (rt_mcp_step(f.m) > 0)
			;
	}
	rt_mcp_finish(f.m);
	while (rt_mcp_step(f.m) > 0)
		;
	rt_mcp_free(f.m);
	return 0;
}
