/*
 * rt_mcp.c -- see rt_mcp.h.
 *
 * Sources for the protocol rules below: the MCP specification revisions
 * 2024-11-05, 2025-03-26, 2025-06-18 and 2025-11-25 (lifecycle, tools,
 * pagination, progress, cancellation, logging) and 2026-07-28 (versioning:
 * per-request _meta, server/discover, resultType, caching hints, the
 * -32020..-32022 errors, the removal of initialize, ping and
 * logging/setLevel from that revision).
 *
 * Work bounds: one input line is at most RT_RPC_MAX_LINE bytes and cJSON
 * limits nesting to 1000; queued input is at most RT_MCP_READAHEAD bytes
 * beyond the line being read (the transport stops reading ahead there);
 * tools/list pages are built once per (era, page) and cached.
 */
#include "rt_mcp.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "alc_err.h"
#include "rt_approve.h"
#include "rt_jsonrpc.h"
#include "rt_tools.h"

#ifndef AIRLOCK_VERSION
#define AIRLOCK_VERSION "0.0.0"
#endif

/* ---- versions ------------------------------------------------------- *
 * Ordered oldest to newest, so that a feature test is a comparison. */
enum ver {
	V_2024_11_05, V_2025_03_26, V_2025_06_18, V_2025_11_25, V_2026_07_28, V_COUNT
};
static const char *const ver_names[V_COUNT] = {
	"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28",
};
#define V_MODERN V_2026_07_28

static int ver_find(const char *s)
{
	for (int v = 0; v < V_COUNT; v++)
		if (strcmp(s, ver_names[v]) == 0)
			return v;
	return -1;
}

/* tools/list variants: what the version can carry. */
enum { TL_2024, TL_2025_03, TL_2025_06, TL_MODERN, TL_COUNT };
static int tl_variant(int v)
{
	return v >= V_MODERN ? TL_MODERN : v >= V_2025_06_18 ? TL_2025_06 :
	       v >= V_2025_03_26 ? TL_2025_03 : TL_2024;
}

/* Caching hint on cacheable 2026-07-28 results: the tools and the server's
 * description depend only on this binary, never on the caller. */
#define CACHE_TTL_MS 3600000

static const char *const log_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};
#define LOG_NONE 99
#define LOG_INFO 1

#define MAX_PAGES 16 /* >= number of tools */

/* ---- state ---------------------------------------------------------- */

typedef struct qitem {
	rt_rpc_msg msg;
	char key[64];            /* id key of a request, "" otherwise */
	int cancelled;
	size_t bytes;            /* input bytes the message came from */
} qitem;

struct rt_mcp {
	rt_mcp_config cfg;
	rt_tools tools;
	char *instructions;

	int initialized;         /* legacy: initialize answered */
	int session_ver;         /* legacy: negotiated version */
	int client_elicit;       /* legacy: the client can answer form
	                            elicitations */
	int session_log;         /* legacy: logging/setLevel, LOG_NONE unset */
	char *tools_page[TL_COUNT][MAX_PAGES]; /* cached tools/list results */

	/* input: a partial line, then the queue of parsed messages */
	char *part;
	size_t plen, pcap;
	int oversize;            /* skipping the rest of a too-long line */
	qitem *q;
	size_t qhead, qlen, qcap; /* live items are q[qhead, qlen) */
	size_t qbytes;

	/* the request being handled */
	char inflight[64];
	int inflight_cancelled;
	int write_failed;
	int fatal;                    /* AL_* code from cfg.ready: stop */

	/* a request of ours waiting for the client's response */
	const struct req *asking;     /* the tools/call that asks */
	const cJSON *asking_token;    /* its progress token, or NULL */
	unsigned long next_id;
	char await_key[64];      /* its id key; "" when not waiting */
	rt_rpc_msg await_msg;    /* the response, once it came */
	int await_done;
};

size_t rt_mcp_queued_bytes(const rt_mcp *m)
{
	return m->qbytes + m->plen;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void debug(rt_mcp *m, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void debug(rt_mcp *m, const char *f, ...)
{
	if (!m->cfg.debug)
		return;
	va_list ap;
	va_start(ap, f);
	fputs("airlock: ", stderr);
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A printable, bounded copy of untrusted text for messages. */
static void shown(char *out, size_t cap, const char *s)
{
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 4 < cap; i++) {
		if (i >= 64) {
			memcpy(out + j, "...", 3);
			j += 3;
			break;
		}
		unsigned char c = (unsigned char)s[i];
		out[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[j] = '\0';
}

/* ---- output --------------------------------------------------------- */

/* Writes LINE (malloc'd, freed here).  A NULL line is an allocation
 * failure and is dropped: the request then gets no answer rather than a
 * wrong one. */
static void emit(rt_mcp *m, char *line)
{
	if (!line) {
		fputs("airlock: out of memory building a message\n", stderr);
		return;
	}
	if (!m->write_failed && m->cfg.write(m->cfg.write_ctx, line, strlen(line)) != 0)
		m->write_failed = 1;
	free(line);
}

/* Pulls pending input; returns 1 when the request in flight was
 * cancelled. */
static int check_cancel(void *ctx)
{
	rt_mcp *m = ctx;
	if (m->cfg.poll && !m->inflight_cancelled)
		m->cfg.poll(m->cfg.poll_ctx);
	return m->inflight_cancelled;
}

/* Responses go through here: a cancelled request's response is dropped. */
static void respond(rt_mcp *m, char *line)
{
	if (check_cancel(m)) {
		debug(m, "request %s was cancelled: no response", m->inflight);
		free(line);
		return;
	}
	emit(m, line);
}

static void respond_error(rt_mcp *m, const cJSON *id, int code, const char *msg, cJSON *data)
{
	respond(m, rt_rpc_error(id, code, msg, data));
}

static void errorf(rt_mcp *m, const cJSON *id, int code, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static void errorf(rt_mcp *m, const cJSON *id, int code, const char *f, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	respond_error(m, id, code, buf, NULL);
}

/* ---- requests ------------------------------------------------------- */

typedef struct req {
	const rt_rpc_msg *msg;
	const cJSON *params;     /* object or NULL */
	int ver;                 /* enum ver in effect */
	int log;                 /* lowest level to send, LOG_NONE: none */
} req;

/* Sends a log notification when the request's level admits it. */
static void log_to_client(rt_mcp *m, const req *r, int level, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static void log_to_client(rt_mcp *m, const req *r, int level, const char *f, ...)
{
	if (level < r->log)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	cJSON *p = cJSON_CreateObject();
	if (!p || !cJSON_AddStringToObject(p, "level", log_levels[level]) ||
	    !cJSON_AddStringToObject(p, "logger", "airlock") ||
	    !cJSON_AddStringToObject(p, "data", buf)) {
		cJSON_Delete(p);
		return;
	}
	emit(m, rt_rpc_notification("notifications/message", p));
}

static void progress(rt_mcp *m, const req *r, const cJSON *token, double done,
                     const char *message)
{
	if (!token)
		return;
	cJSON *p = cJSON_CreateObject();
	cJSON *tok = rt_rpc_id_copy(token);
	if (!p || !tok) {
		cJSON_Delete(p);
		cJSON_Delete(tok);
		return;
	}
	cJSON_AddItemToObject(p, "progressToken", tok);
	cJSON_AddNumberToObject(p, "progress", done);
	cJSON_AddNumberToObject(p, "total", 1);
	if (r->ver >= V_2025_03_26)
		cJSON_AddStringToObject(p, "message", message);
	emit(m, rt_rpc_notification("notifications/progress", p));
}

/* A page of a paginated read_operation: a progress notification (the
 * total is not known in advance), and a cancel check between pages. */
static int page_progress(void *ud, int page, size_t items, int more)
{
	rt_mcp *m = ud;
	if (m->asking && m->asking_token) {
		cJSON *p = cJSON_CreateObject();
		cJSON *tok = rt_rpc_id_copy(m->asking_token);
		char msg[96];
		snprintf(msg, sizeof msg, "page %d fetched, %zu items so far%s", page, items,
		         more ? ", more to come" : "");
		if (p && tok) {
			/* Progress must grow and the call's own progress ends at
			 * 1 of 1: page k reports 1 - 1/(k+1), always below 1. */
			cJSON_AddItemToObject(p, "progressToken", tok);
			cJSON_AddNumberToObject(p, "progress", 1.0 - 1.0 / (page + 1));
			cJSON_AddNumberToObject(p, "total", 1);
			if (m->asking->ver >= V_2025_03_26)
				cJSON_AddStringToObject(p, "message", msg);
			emit(m, rt_rpc_notification("notifications/progress", p));
		} else {
			cJSON_Delete(p);
			cJSON_Delete(tok);
		}
	}
	return check_cancel(m);
}

/* A step of a long tool call (diff_plan, rt_diff_opts.progress): a
 * progress notification with its message, kept strictly between the
 * call's own 0 ("started") and 1 ("done"), and a cancel check. */
static int step_progress(void *ud, double done, const char *message)
{
	rt_mcp *m = ud;
	if (m->asking && m->asking_token) {
		double d = done < 0 ? 0 : done > 1 ? 1 : done;
		progress(m, m->asking, m->asking_token, 0.01 + 0.98 * d, message ? message : "");
	}
	return check_cancel(m);
}

/* Finishes a result object for the request's era and sends it. */
static void respond_result(rt_mcp *m, const req *r, cJSON *res)
{
	if (res && r->ver >= V_MODERN && !cJSON_GetObjectItemCaseSensitive(res, "resultType") &&
	    !cJSON_AddStringToObject(res, "resultType", "complete")) {
		cJSON_Delete(res);
		res = NULL;
	}
	if (!res) {
		respond_error(m, r->msg->id, RT_RPC_INTERNAL_ERROR, "Internal error: out of memory", NULL);
		return;
	}
	respond(m, rt_rpc_result(r->msg->id, res));
}

static cJSON *server_info(int ver)
{
	cJSON *si = cJSON_CreateObject();
	if (!si || !cJSON_AddStringToObject(si, "name", "airlock") ||
	    (ver >= V_2025_06_18 &&
	     !cJSON_AddStringToObject(si, "title", "airlock: governed gate to AWS")) ||
	    !cJSON_AddStringToObject(si, "version", AIRLOCK_VERSION)) {
		cJSON_Delete(si);
		return NULL;
	}
	return si;
}

static cJSON *capabilities(void)
{
	cJSON *c = cJSON_CreateObject(), *t;
	if (!c || !cJSON_AddObjectToObject(c, "logging") ||
	    !(t = cJSON_AddObjectToObject(c, "tools")) ||
	    !cJSON_AddFalseToObject(t, "listChanged")) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

static void do_initialize(rt_mcp *m, const req *r)
{
	const cJSON *pv = cJSON_GetObjectItemCaseSensitive(r->params, "protocolVersion");
	if (!cJSON_IsString(pv) || !pv->valuestring) {
		respond_error(m, r->msg->id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: initialize needs params.protocolVersion, a string such as \""
		              RT_MCP_LATEST_LEGACY "\"", NULL);
		return;
	}
	/* Echo a legacy version we speak; answer anything else with our
	 * latest legacy one and let the client decide (lifecycle: version
	 * negotiation).  2026-07-28 has no initialize. */
	int v = ver_find(pv->valuestring);
	if (v < 0 || v >= V_MODERN)
		v = V_2025_11_25;
	cJSON *res = cJSON_CreateObject();
	cJSON *caps = capabilities(), *si = server_info(v);
	if (!res || !caps || !si ||
	    !cJSON_AddStringToObject(res, "protocolVersion", ver_names[v])) {
		cJSON_Delete(res);
		cJSON_Delete(caps);
		cJSON_Delete(si);
		respond_result(m, r, NULL);
		return;
	}
	cJSON_AddItemToObject(res, "capabilities", caps);
	cJSON_AddItemToObject(res, "serverInfo", si);
	cJSON_AddStringToObject(res, "instructions", m->instructions);
	m->initialized = 1;
	m->session_ver = v;
	/* elicitation (2025-06-18+): {} or {"form": ...} means form mode */
	const cJSON *ccaps = cJSON_GetObjectItemCaseSensitive(r->params, "capabilities");
	const cJSON *el = cJSON_GetObjectItemCaseSensitive(ccaps, "elicitation");
	m->client_elicit = v >= V_2025_06_18 && cJSON_IsObject(el) &&
	                   (!el->child || cJSON_GetObjectItemCaseSensitive(el, "form"));
	debug(m, "initialize: client asked for %.32s, negotiated %s", pv->valuestring, ver_names[v]);
	respond_result(m, r, res);
}

static void do_discover(rt_mcp *m, const req *r)
{
	cJSON *res = cJSON_CreateObject(), *sv, *meta;
	cJSON *caps = capabilities(), *si = server_info(V_MODERN);
	if (!res || !caps || !si || !(sv = cJSON_AddArrayToObject(res, "supportedVersions")) ||
	    !(meta = cJSON_AddObjectToObject(res, "_meta"))) {
		cJSON_Delete(res);
		cJSON_Delete(caps);
		cJSON_Delete(si);
		respond_result(m, r, NULL);
		return;
	}
	cJSON_AddItemToArray(sv, cJSON_CreateString(RT_MCP_MODERN_VERSION));
	cJSON_AddItemToObject(res, "capabilities", caps);
	cJSON_AddItemToObject(meta, "io.modelcontextprotocol/serverInfo", si);
	cJSON_AddStringToObject(res, "instructions", m->instructions);
	cJSON_AddNumberToObject(res, "ttlMs", CACHE_TTL_MS);
	cJSON_AddStringToObject(res, "cacheScope", "public");
	respond_result(m, r, res);
}

/* One tool as tools/list presents it to version variant TL. */
static cJSON *tool_json(const rt_tool_def *d, int tl)
{
	cJSON *t = cJSON_CreateObject();
	cJSON *in = cJSON_Parse(d->input_schema);
	cJSON *out = tl >= TL_2025_06 ? cJSON_Parse(d->output_schema) : NULL;
	if (!t || !in || (tl >= TL_2025_06 && !out))
		goto fail;
	cJSON_AddStringToObject(t, "name", d->name);
	if (tl >= TL_2025_06)
		cJSON_AddStringToObject(t, "title", d->title);
	cJSON_AddStringToObject(t, "description", d->description);
	cJSON_AddItemToObject(t, "inputSchema", in);
	in = NULL;
	if (out) {
		cJSON_AddItemToObject(t, "outputSchema", out);
		out = NULL;
	}
	if (tl >= TL_2025_03) {
		cJSON *a = cJSON_AddObjectToObject(t, "annotations");
		if (!a)
			goto fail;
		cJSON_AddStringToObject(a, "title", d->title);
		cJSON_AddBoolToObject(a, "readOnlyHint", (d->hints & RT_TOOL_READONLY) != 0);
		cJSON_AddBoolToObject(a, "destructiveHint", (d->hints & RT_TOOL_DESTRUCTIVE) != 0);
		cJSON_AddBoolToObject(a, "idempotentHint", (d->hints & RT_TOOL_IDEMPOTENT) != 0);
		cJSON_AddBoolToObject(a, "openWorldHint", (d->hints & RT_TOOL_OPEN_WORLD) != 0);
	}
	return t;
fail:
	cJSON_Delete(t);
	cJSON_Delete(in);
	cJSON_Delete(out);
	return NULL;
}

#define CURSOR_PREFIX "airlock-tools-"

/* The JSON text of one tools/list page, built at most once. */
static const char *tools_page(rt_mcp *m, int tl, size_t page, size_t per_page)
{
	if (m->tools_page[tl][page])
		return m->tools_page[tl][page];
	size_t n = rt_tools_count(), first = page * per_page;
	cJSON *res = cJSON_CreateObject();
	cJSON *arr = res ? cJSON_AddArrayToObject(res, "tools") : NULL;
	if (!arr)
		goto fail;
	for (size_t i = first; i < n && i < first + per_page; i++) {
		cJSON *t = tool_json(rt_tools_get(i), tl);
		if (!t)
			goto fail;
		cJSON_AddItemToArray(arr, t);
	}
	if (first + per_page < n) {
		char cur[48];
		snprintf(cur, sizeof cur, CURSOR_PREFIX "%zu", page + 1);
		if (!cJSON_AddStringToObject(res, "nextCursor", cur))
			goto fail;
	}
	if (tl == TL_MODERN &&
	    (!cJSON_AddStringToObject(res, "resultType", "complete") ||
	     !cJSON_AddNumberToObject(res, "ttlMs", CACHE_TTL_MS) ||
	     !cJSON_AddStringToObject(res, "cacheScope", "public")))
		goto fail;
	m->tools_page[tl][page] = cJSON_PrintUnformatted(res);
	cJSON_Delete(res);
	return m->tools_page[tl][page];
fail:
	cJSON_Delete(res);
	return NULL;
}

static void do_tools_list(rt_mcp *m, const req *r)
{
	size_t n = rt_tools_count();
	size_t per = m->cfg.page_size && m->cfg.page_size < n ? m->cfg.page_size : n;
	size_t pages = (n + per - 1) / per, page = 0;
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(r->params, "cursor");
	if (cur && !cJSON_IsNull(cur)) {
		const char *s = cJSON_IsString(cur) ? cur->valuestring : NULL;
		size_t pl = strlen(CURSOR_PREFIX);
		char *end = NULL;
		unsigned long v = 0;
		if (s && strncmp(s, CURSOR_PREFIX, pl) == 0 && s[pl] >= '1' && s[pl] <= '9') {
			errno = 0;
			v = strtoul(s + pl, &end, 10);
		}
		if (!end || *end || errno || v >= pages) {
			respond_error(m, r->msg->id, RT_RPC_INVALID_PARAMS,
			              "Invalid params: unknown cursor; pass the nextCursor of the previous "
			              "tools/list result, or no cursor for the first page", NULL);
			return;
		}
		page = v;
	}
	const char *json = page < MAX_PAGES ? tools_page(m, tl_variant(r->ver), page, per) : NULL;
	if (!json) {
		respond_result(m, r, NULL);
		return;
	}
	respond(m, rt_rpc_result_raw(r->msg->id, json));
}

/* ---- asking the client (elicitation) --------------------------------- */

#define META_CAPS_KEY "io.modelcontextprotocol/clientCapabilities"

/* Sends a notifications/cancelled for our request KEY'd ID. */
static void cancel_ours(rt_mcp *m, const char *id, const char *why)
{
	cJSON *p = cJSON_CreateObject();
	if (!p || !cJSON_AddStringToObject(p, "requestId", id) ||
	    !cJSON_AddStringToObject(p, "reason", why)) {
		cJSON_Delete(p);
		return;
	}
	emit(m, rt_rpc_notification("notifications/cancelled", p));
}

/* rt_elicit.ask for a 2025-06-18+ session: sends elicitation/create and
 * reads input (queueing everything else) until the response with our id
 * arrives, the tools/call is cancelled, input ends, or WAIT_MS pass. */
static int mcp_ask(void *ctx, const cJSON *params, long wait_ms, cJSON **result)
{
	rt_mcp *m = ctx;
	*result = NULL;
	if (!m->cfg.wait)
		return AL_EIO;
	char id[48];
	snprintf(id, sizeof id, "airlock-%lu", ++m->next_id);
	cJSON *msg = cJSON_CreateObject(), *pc = cJSON_Duplicate(params, 1);
	if (!msg || !pc || !cJSON_AddStringToObject(msg, "jsonrpc", "2.0") ||
	    !cJSON_AddStringToObject(msg, "id", id) ||
	    !cJSON_AddStringToObject(msg, "method", "elicitation/create")) {
		cJSON_Delete(msg);
		cJSON_Delete(pc);
		return AL_ENOMEM;
	}
	cJSON_AddItemToObject(msg, "params", pc);
	char *line = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	if (!line)
		return AL_ENOMEM;
	snprintf(m->await_key, sizeof m->await_key, "\"%s\"", id);
	m->await_done = 0;
	emit(m, line);
	debug(m, "elicitation/create %s sent; waiting up to %ld ms", id, wait_ms);
	double deadline = now_ms() + (double)wait_ms, beat = now_ms();
	int rc = 0;
	for (;;) {
		if (m->await_done)
			break;
		/* a person may take longer than a client's request timeout:
		 * progress every 10 s keeps clients that reset it on progress */
		if (m->asking && m->asking_token && now_ms() - beat >= 10000) {
			beat = now_ms();
			progress(m, m->asking, m->asking_token, 0.5, "waiting for a person to answer");
		}
		if (m->write_failed) {
			rc = AL_EIO;
			break;
		}
		if (m->inflight_cancelled) {
			cancel_ours(m, id, "the tools/call that asked was cancelled");
			rc = AL_ECANCELED;
			break;
		}
		double left = deadline - now_ms();
		if (left <= 0) {
			cancel_ours(m, id, "no answer in time");
			rc = AL_ETIMEOUT;
			break;
		}
		if (m->cfg.wait(m->cfg.wait_ctx, left > 1000 ? 1000 : (long)left + 1) < 0 &&
		    !m->await_done) {
			rc = AL_EIO; /* input ended */
			break;
		}
	}
	m->await_key[0] = '\0';
	if (rc) {
		debug(m, "elicitation %s: %s", id, al_strerror(rc));
		return rc;
	}
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(m->await_msg.root, "result");
	if (cJSON_IsObject(res))
		*result = cJSON_Duplicate(res, 1);
	else
		rc = AL_EPROTO; /* an error response */
	rt_rpc_msg_free(&m->await_msg);
	m->await_done = 0;
	if (rc == 0 && !*result)
		rc = AL_ENOMEM;
	return rc;
}

/* How the client of request R can be asked (E is filled). */
static const rt_elicit *elicit_for(rt_mcp *m, const req *r, rt_elicit *e)
{
	memset(e, 0, sizeof *e);
	if (r->ver >= V_MODERN) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->params, "_meta");
		const cJSON *caps = cJSON_GetObjectItemCaseSensitive(meta, META_CAPS_KEY);
		const cJSON *el = cJSON_GetObjectItemCaseSensitive(caps, "elicitation");
		if (!cJSON_IsObject(el) || (el->child && !cJSON_GetObjectItemCaseSensitive(el, "form")))
			return NULL;
		e->mode = RT_ELICIT_INPUT_REQUIRED;
		e->with_mode_field = 1;
		const cJSON *ir = cJSON_GetObjectItemCaseSensitive(r->params, "inputResponses");
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(r->params, "requestState");
		e->input_responses = cJSON_IsObject(ir) ? ir : NULL;
		e->request_state = cJSON_IsString(rs) ? rs->valuestring : NULL;
		return e;
	}
	if (!m->client_elicit || !m->cfg.wait)
		return NULL;
	e->mode = RT_ELICIT_REQUEST;
	e->with_mode_field = r->ver >= V_2025_11_25;
	e->ask = mcp_ask;
	e->ctx = m;
	return e;
}

/* Waits for the catalog's verification (cfg.ready); on failure the
 * server stops handling anything. */
static int catalog_ready(rt_mcp *m)
{
	if (!m->fatal && m->cfg.ready)
		m->fatal = m->cfg.ready(m->cfg.ready_ctx);
	return m->fatal;
}

static void do_tools_call(rt_mcp *m, const req *r)
{
	const cJSON *id = r->msg->id;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(r->params, "name");
	if (!cJSON_IsString(name) || !name->valuestring) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: tools/call needs params.name, the tool's name "
		              "(tools/list names them)", NULL);
		return;
	}
	if (!rt_tools_find(name->valuestring)) {
		char what[80];
		shown(what, sizeof what, name->valuestring);
		char list[512] = "";
		for (size_t i = 0; i < rt_tools_count(); i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", rt_tools_get(i)->name);
		}
		errorf(m, id, RT_RPC_INVALID_PARAMS, "Unknown tool: \"%s\"; the tools are %s", what,
		       list);
		return;
	}
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(r->params, "arguments");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->params, "_meta");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	if (token && !cJSON_IsString(token) &&
	    !(cJSON_IsNumber(token) && token->valuedouble == floor(token->valuedouble)))
		token = NULL;
	if (cJSON_IsNull(args))
		args = NULL;
	if (catalog_ready(m)) {
		respond_error(m, id, RT_RPC_INTERNAL_ERROR, "Internal error: the catalog failed "
		              "its checks; the server is stopping (fail closed)", NULL);
		return;
	}

	double t0 = now_ms();
	progress(m, r, token, 0, "started");
	rt_tool_result tr;
	/* A non-object "arguments" reaches the tool, which says so as a tool
	 * error the model can act on. */
	rt_elicit el;
	m->tools.elicit = elicit_for(m, r, &el);
	m->asking = r;
	m->asking_token = token;
	m->tools.page_progress = page_progress;
	m->tools.page_progress_ud = m;
	m->tools.step_progress = step_progress;
	m->tools.step_progress_ud = m;
	int rc = rt_tools_call(&m->tools, name->valuestring, args, &tr, check_cancel, m);
	m->tools.page_progress = NULL;
	m->tools.page_progress_ud = NULL;
	m->tools.step_progress = NULL;
	m->tools.step_progress_ud = NULL;
	m->tools.elicit = NULL;
	m->asking = NULL;
	m->asking_token = NULL;
	if (rc == AL_ECANCELED) {
		debug(m, "request %s was cancelled during %s", m->inflight, name->valuestring);
		return;
	}
	if (rc != 0) {
		respond_error(m, id, RT_RPC_INTERNAL_ERROR, "Internal error: out of memory", NULL);
		return;
	}
	double ms = now_ms() - t0;
	alc_trim(m->tools.cat); /* keep the resident set to what the next call needs */
	if (tr.input_required) {
		/* 2026-07-28: the client answers our question, then calls again */
		cJSON *ir = tr.input_required;
		tr.input_required = NULL;
		rt_tool_result_free(&tr);
		debug(m, "tools/call %s: input_required in %.2f ms", name->valuestring, ms);
		if (!cJSON_AddStringToObject(ir, "resultType", "input_required")) {
			cJSON_Delete(ir);
			ir = NULL;
		}
		respond_result(m, r, ir);
		return;
	}
	/* Deterministic text (no timing), so that transcripts compare. */
	if (tr.error)
		log_to_client(m, r, LOG_INFO, "%s: tool error: %.200s", name->valuestring, tr.error);
	else
		log_to_client(m, r, LOG_INFO, "%s: done", name->valuestring);
	debug(m, "tools/call %s: %s in %.2f ms", name->valuestring, tr.error ? "error" : "ok", ms);

	cJSON *res = cJSON_CreateObject(), *content, *text;
	char *txt = tr.error ? NULL : cJSON_PrintUnformatted(tr.structured);
	int ok = res && (content = cJSON_AddArrayToObject(res, "content")) &&
	         (tr.error || txt) && (text = cJSON_CreateObject());
	if (ok) {
		cJSON_AddItemToArray(content, text);
		ok = cJSON_AddStringToObject(text, "type", "text") &&
		     cJSON_AddStringToObject(text, "text", tr.error ? tr.error : txt);
	}
	free(txt);
	if (ok && !tr.error && r->ver >= V_2025_06_18) {
		cJSON_AddItemToObject(res, "structuredContent", tr.structured);
		tr.structured = NULL;
	}
	ok = ok && cJSON_AddBoolToObject(res, "isError", tr.error != NULL);
	rt_tool_result_free(&tr);
	if (!ok) {
		cJSON_Delete(res);
		res = NULL;
	}
	progress(m, r, token, 1, "done");
	respond_result(m, r, res);
}

static int log_level_find(const cJSON *v)
{
	if (!cJSON_IsString(v))
		return -1;
	for (int i = 0; i < (int)(sizeof log_levels / sizeof log_levels[0]); i++)
		if (strcmp(v->valuestring, log_levels[i]) == 0)
			return i;
	return -1;
}

static void do_set_level(rt_mcp *m, const req *r)
{
	int l = log_level_find(cJSON_GetObjectItemCaseSensitive(r->params, "level"));
	if (l < 0) {
		respond_error(m, r->msg->id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: level must be one of debug, info, notice, warning, "
		              "error, critical, alert, emergency", NULL);
		return;
	}
	m->session_log = l;
	respond_result(m, r, cJSON_CreateObject());
}

static void method_not_found(rt_mcp *m, const req *r, const char *why)
{
	char what[80];
	shown(what, sizeof what, r->msg->method);
	errorf(m, r->msg->id, RT_RPC_METHOD_NOT_FOUND, "Method not found: %s%s", what, why);
}

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_LOG "io.modelcontextprotocol/logLevel"

/* A 2026-07-28 request: validates the per-request _meta, then dispatches. */
static void modern_request(rt_mcp *m, req *r, const cJSON *meta)
{
	const cJSON *id = r->msg->id;
	const cJSON *pv = cJSON_GetObjectItemCaseSensitive(meta, META_VERSION);
	if (!cJSON_IsString(pv) || !pv->valuestring) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: _meta." META_VERSION " must be a string", NULL);
		return;
	}
	if (strcmp(pv->valuestring, RT_MCP_MODERN_VERSION) != 0) {
		cJSON *data = cJSON_CreateObject(), *sup;
		if (data && cJSON_AddStringToObject(data, "requested", pv->valuestring) &&
		    (sup = cJSON_AddArrayToObject(data, "supported")))
			cJSON_AddItemToArray(sup, cJSON_CreateString(RT_MCP_MODERN_VERSION));
		char what[80];
		shown(what, sizeof what, pv->valuestring);
		char msg[256];
		snprintf(msg, sizeof msg, "Unsupported protocol version: %s (per-request _meta "
		         "supports " RT_MCP_MODERN_VERSION "; earlier versions use initialize)", what);
		respond_error(m, id, RT_MCP_UNSUPPORTED_VERSION, msg, data);
		return;
	}
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(meta, META_CAPS))) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: _meta." META_CAPS " must be an object ({} when the "
		              "client has none)", NULL);
		return;
	}
	r->ver = V_MODERN;
	r->log = LOG_NONE; /* no log notifications unless this request asks */
	const cJSON *lv = cJSON_GetObjectItemCaseSensitive(meta, META_LOG);
	if (lv) {
		if ((r->log = log_level_find(lv)) < 0) {
			respond_error(m, id, RT_RPC_INVALID_PARAMS,
			              "Invalid params: _meta." META_LOG " must be one of debug, info, "
			              "notice, warning, error, critical, alert, emergency", NULL);
			return;
		}
	}
	const char *method = r->msg->method;
	if (strcmp(method, "server/discover") == 0)
		do_discover(m, r);
	else if (strcmp(method, "tools/list") == 0)
		do_tools_list(m, r);
	else if (strcmp(method, "tools/call") == 0)
		do_tools_call(m, r);
	else if (strcmp(method, "ping") == 0 || strcmp(method, "logging/setLevel") == 0)
		method_not_found(m, r, " (not part of MCP " RT_MCP_MODERN_VERSION ")");
	else
		method_not_found(m, r, "");
}

static int legacy_method(const char *method)
{
	return strcmp(method, "tools/list") == 0 || strcmp(method, "tools/call") == 0 ||
	       strcmp(method, "logging/setLevel") == 0;
}

static void handle_request(rt_mcp *m, const rt_rpc_msg *msg)
{
	req r = { .msg = msg, .params = NULL, .ver = m->session_ver, .log = m->session_log };
	const cJSON *id = msg->id;
	if (msg->params && !cJSON_IsObject(msg->params)) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: MCP params are an object, not an array", NULL);
		return;
	}
	r.params = msg->params;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r.params, "_meta");
	if (meta && !cJSON_IsObject(meta)) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS, "Invalid params: _meta must be an object", NULL);
		return;
	}
	const char *method = msg->method;
	if (strcmp(method, "initialize") == 0) {
		r.ver = V_2025_11_25;
		do_initialize(m, &r);
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(meta, META_VERSION)) {
		modern_request(m, &r, meta);
		return;
	}
	/* Legacy from here on. */
	if (strcmp(method, "server/discover") == 0) {
		respond_error(m, id, RT_RPC_INVALID_PARAMS,
		              "Invalid params: server/discover is a " RT_MCP_MODERN_VERSION " request: "
		              "params._meta must carry " META_VERSION " (\"" RT_MCP_MODERN_VERSION "\") "
		              "and " META_CAPS, NULL);
		return;
	}
	if (strcmp(method, "ping") == 0) {
		respond_result(m, &r, cJSON_CreateObject());
		return;
	}
	if (!m->initialized) {
		if (legacy_method(method))
			respond_error(m, id, RT_RPC_INVALID_REQUEST,
			              "Invalid Request: not initialized; send initialize first, or carry "
			              "_meta." META_VERSION " \"" RT_MCP_MODERN_VERSION "\" and _meta."
			              META_CAPS " on each request", NULL);
		else
			method_not_found(m, &r, "");
		return;
	}
	if (strcmp(method, "tools/list") == 0)
		do_tools_list(m, &r);
	else if (strcmp(method, "tools/call") == 0)
		do_tools_call(m, &r);
	else if (strcmp(method, "logging/setLevel") == 0)
		do_set_level(m, &r);
	else
		method_not_found(m, &r, "");
}

static void handle_notification(rt_mcp *m, const rt_rpc_msg *msg)
{
	/* notifications/cancelled took effect when it was queued; others
	 * need nothing (initialized: requests are served from the initialize
	 * response on; unknown ones are ignored, as JSON-RPC requires). */
	debug(m, "notification %.64s", msg->method);
}

/* ---- input queue ---------------------------------------------------- */

/* Applies a notifications/cancelled to the request in flight or a queued
 * one (ignored when it names neither: unknown or already answered). */
static void apply_cancel(rt_mcp *m, const rt_rpc_msg *msg)
{
	const cJSON *rid = cJSON_IsObject(msg->params) ?
	                   cJSON_GetObjectItemCaseSensitive(msg->params, "requestId") : NULL;
	char key[64];
	if (rt_rpc_id_key(rid, key, sizeof key) != 0)
		return;
	if (m->inflight[0] && strcmp(m->inflight, key) == 0) {
		m->inflight_cancelled = 1;
		return;
	}
	for (size_t i = m->qhead; i < m->qlen; i++)
		if (m->q[i].key[0] && strcmp(m->q[i].key, key) == 0) {
			m->q[i].cancelled = 1;
			return;
		}
}

static void enqueue(rt_mcp *m, const qitem *it)
{
	if (m->qlen == m->qcap) {
		if (m->qhead > 0) { /* slide the live items down */
			memmove(m->q, m->q + m->qhead, (m->qlen - m->qhead) * sizeof *m->q);
			m->qlen -= m->qhead;
			m->qhead = 0;
		}
		if (m->qlen == m->qcap) {
			size_t cap = m->qcap ? m->qcap * 2 : 16;
			qitem *q = realloc(m->q, cap * sizeof *q);
			if (!q) {
				fputs("airlock: out of memory queueing a message; dropped\n", stderr);
				rt_rpc_msg msg = it->msg;
				rt_rpc_msg_free(&msg);
				return;
			}
			m->q = q;
			m->qcap = cap;
		}
	}
	m->q[m->qlen++] = *it;
	m->qbytes += it->bytes;
}

static void queue_line(rt_mcp *m, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len)
		return; /* blank lines separate nothing and need no answer */
	qitem it;
	memset(&it, 0, sizeof it);
	rt_rpc_parse(&it.msg, line, len);
	it.bytes = len;
	if (it.msg.kind == RT_RPC_RESPONSE && m->await_key[0] && !m->await_done) {
		char key[64];
		if (rt_rpc_id_key(it.msg.id, key, sizeof key) == 0 && strcmp(key, m->await_key) == 0) {
			m->await_msg = it.msg; /* the answer to our own request */
			m->await_done = 1;
			return;
		}
	}
	if (it.msg.kind == RT_RPC_NOTIFICATION &&
	    strcmp(it.msg.method, "notifications/cancelled") == 0) {
		apply_cancel(m, &it.msg);
		rt_rpc_msg_free(&it.msg);
		return;
	}
	if (it.msg.kind == RT_RPC_REQUEST && strcmp(it.msg.method, "initialize") != 0 &&
	    rt_rpc_id_key(it.msg.id, it.key, sizeof it.key) != 0)
		it.key[0] = '\0'; /* an id too long to track: it cannot be cancelled */
	enqueue(m, &it);
}

static void queue_oversize(rt_mcp *m)
{
	qitem it;
	memset(&it, 0, sizeof it);
	it.msg.kind = RT_RPC_INVALID;
	it.msg.err_code = RT_RPC_INVALID_REQUEST;
	it.msg.err_msg = "Invalid Request: message longer than 8 MiB; skipped";
	enqueue(m, &it);
}

void rt_mcp_feed(rt_mcp *m, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t chunk = nl ? (size_t)(nl - data) : len;
		if (m->oversize) {
			/* skip to the end of the line */
		} else if (m->plen + chunk > RT_RPC_MAX_LINE) {
			m->oversize = 1;
			free(m->part);
			m->part = NULL;
			m->plen = m->pcap = 0;
		} else if (nl && m->plen == 0) {
			queue_line(m, data, chunk); /* the common case: no copy */
		} else if (chunk) {
			if (m->plen + chunk > m->pcap) {
				size_t cap = m->pcap ? m->pcap : 4096;
				while (cap < m->plen + chunk)
					cap *= 2;
				char *p = realloc(m->part, cap);
				if (!p) {
					fputs("airlock: out of memory reading a message; skipped\n", stderr);
					m->oversize = 1;
					free(m->part);
					m->part = NULL;
					m->plen = m->pcap = 0;
					goto next;
				}
				m->part = p;
				m->pcap = cap;
			}
			memcpy(m->part + m->plen, data, chunk);
			m->plen += chunk;
		}
next:
		if (!nl)
			return;
		if (m->oversize) {
			queue_oversize(m);
			m->oversize = 0;
		} else if (m->plen) {
			queue_line(m, m->part, m->plen);
			m->plen = 0;
		}
		data = nl + 1;
		len -= chunk + 1;
	}
}

void rt_mcp_finish(rt_mcp *m)
{
	if (m->oversize) {
		queue_oversize(m);
		m->oversize = 0;
	} else if (m->plen) {
		queue_line(m, m->part, m->plen);
		m->plen = 0;
	}
}

int rt_mcp_step(rt_mcp *m)
{
	if (m->write_failed || m->fatal)
		return -1;
	if (m->qhead == m->qlen)
		return 0;
	qitem it = m->q[m->qhead++];
	m->qbytes -= it.bytes;
	if (m->qhead == m->qlen)
		m->qhead = m->qlen = 0;
	const rt_rpc_msg *msg = &it.msg;
	double t0 = m->cfg.debug ? now_ms() : 0;
	switch (msg->kind) {
	case RT_RPC_INVALID:
		emit(m, rt_rpc_error(msg->id, msg->err_code, msg->err_msg, NULL));
		break;
	case RT_RPC_RESPONSE:
		debug(m, "ignoring a response to no request of ours in flight");
		break;
	case RT_RPC_NOTIFICATION:
		handle_notification(m, msg);
		break;
	case RT_RPC_REQUEST:
		if (it.cancelled) {
			debug(m, "request %s was cancelled before it started", it.key);
			break;
		}
		memcpy(m->inflight, it.key, sizeof m->inflight);
		m->inflight_cancelled = 0;
		handle_request(m, msg);
		m->inflight[0] = '\0';
		m->inflight_cancelled = 0;
		debug(m, "%.64s %s: %.3f ms", msg->method, it.key, now_ms() - t0);
		break;
	}
	rt_rpc_msg_free(&it.msg);
	return m->write_failed ? -1 : 1;
}

void rt_mcp_idle(rt_mcp *m)
{
	if (catalog_ready(m))
		return;
	double t0 = now_ms();
	int rc = rt_tools_prepare(&m->tools);
	debug(m, "idle: search index %s in %.1f ms", rc == 0 ? "built" : "not built", now_ms() - t0);
}

/* ---- life ----------------------------------------------------------- */

int rt_mcp_new(rt_mcp **out, const rt_mcp_config *cfg)
{
	*out = NULL;
	if (!cfg || !cfg->cat || !cfg->write)
		return AL_EINVAL;
	rt_mcp *m = calloc(1, sizeof *m);
	if (!m)
		return AL_ENOMEM;
	m->cfg = *cfg;
	m->session_ver = V_2025_11_25;
	m->session_log = LOG_NONE;
	rt_tools_init(&m->tools, cfg->cat);
	const char *name = cfg->catalog_name ? cfg->catalog_name : "catalog";
	const char *f =
		"airlock serves an offline catalog of %u AWS API operations in %u service%s (%s). "
		"To find and prepare an AWS call: search_operations with what you want to do in "
		"plain words (\"list my s3 buckets\"); describe_operation for the exact input JSON "
		"Schema of the best match; build the input from that schema; validate_input to "
		"check it and fix every violation it reports. Services accept the sdk-id, the "
		"endpoint prefix or the AWS CLI name (\"logs\", \"s3api\"); operations accept "
		"\"CreateStack\" or \"create-stack\". These tools only read the catalog: nothing "
		"is sent to AWS. To run a call: plan_operation (validates, applies the policy, "
		"stores a plan with a digest), request_approval when the plan needs a person's "
		"approval (you cannot approve it yourself), then apply_plan; read_operation runs "
		"reads the policy allows outright. get_plan, list_plans and query_audit show "
		"plans and the audit log.";
	const char *plural = cfg->cat->nsvcs == 1 ? "" : "s";
	int n = snprintf(NULL, 0, f, cfg->cat->nops, cfg->cat->nsvcs, plural, name);
	m->instructions = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (!m->instructions) {
		free(m);
		return AL_ENOMEM;
	}
	snprintf(m->instructions, (size_t)n + 1, f, cfg->cat->nops, cfg->cat->nsvcs, plural, name);
	*out = m;
	return 0;
}

void rt_mcp_free(rt_mcp *m)
{
	if (!m)
		return;
	for (size_t i = m->qhead; i < m->qlen; i++)
		rt_rpc_msg_free(&m->q[i].msg);
	free(m->q);
	free(m->part);
	if (m->await_done)
		rt_rpc_msg_free(&m->await_msg);
	for (int v = 0; v < TL_COUNT; v++)
		for (int p = 0; p < MAX_PAGES; p++)
			free(m->tools_page[v][p]);
	rt_tools_fini(&m->tools);
	free(m->instructions);
	free(m);
}

/* ---- stdio ---------------------------------------------------------- */

typedef struct fdio {
	int in, out;
	int eof;
	rt_mcp *m;
	char buf[1 << 16];
} fdio;

static int fd_write(void *ctx, const char *line, size_t len)
{
	fdio *io = ctx;
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)line, .iov_len = len },
		{ .iov_base = (void *)(uintptr_t)"\n", .iov_len = 1 },
	};
	int i = 0;
	while (i < 2) {
		ssize_t n = writev(io->out, iov + i, 2 - i);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		size_t done = (size_t)n;
		while (i < 2 && done >= iov[i].iov_len)
			done -= iov[i++].iov_len;
		if (i < 2) {
			iov[i].iov_base = (char *)iov[i].iov_base + done;
			iov[i].iov_len -= done;
		}
	}
	return 0;
}

/* Reads what is available without blocking, up to the read-ahead cap. */
static void fd_poll(void *ctx)
{
	fdio *io = ctx;
	while (!io->eof && rt_mcp_queued_bytes(io->m) < RT_MCP_READAHEAD) {
		struct pollfd p = { .fd = io->in, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			return;
		ssize_t n = read(io->in, io->buf, sizeof io->buf);
		if (n > 0)
			rt_mcp_feed(io->m, io->buf, (size_t)n);
		else if (n == 0 || (errno != EINTR && errno != EAGAIN))
			io->eof = 1;
		else
			return;
	}
}

/* Blocks up to MS for input, then reads what is there. */
static int fd_wait(void *ctx, long ms)
{
	fdio *io = ctx;
	if (io->eof)
		return -1;
	struct pollfd p = { .fd = io->in, .events = POLLIN };
	int pr = poll(&p, 1, (int)(ms > 60000 ? 60000 : ms));
	if (pr > 0) {
		ssize_t n = read(io->in, io->buf, sizeof io->buf);
		if (n > 0) {
			rt_mcp_feed(io->m, io->buf, (size_t)n);
			fd_poll(io);
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			io->eof = 1;
		}
	}
	return io->eof ? -1 : 0;
}

int rt_mcp_serve_fd(const rt_mcp_config *base, int in_fd, int out_fd)
{
	fdio *io = calloc(1, sizeof *io);
	if (!io)
		return AL_ENOMEM;
	io->in = in_fd;
	io->out = out_fd;
	rt_mcp_config cfg = *base;
	cfg.write = fd_write;
	cfg.write_ctx = io;
	cfg.poll = fd_poll;
	cfg.poll_ctx = io;
	cfg.wait = fd_wait;
	cfg.wait_ctx = io;
	int rc = rt_mcp_new(&io->m, &cfg);
	if (rc != 0) {
		free(io);
		return rc;
	}
	/* A client that goes away must not kill us mid-write: a failed
	 * write ends the loop instead. */
	signal(SIGPIPE, SIG_IGN);
	int r = 0, prepared = 0;
	for (;;) {
		while ((r = rt_mcp_step(io->m)) > 0)
			;
		if (r < 0 || io->eof)
			break;
		/* Start-up stays a mmap: the search index is built the first
		 * time the client leaves us idle (a model thinking between
		 * tools/list and its first search), not before the first reply. */
		if (!prepared) {
			struct pollfd p = { .fd = in_fd, .events = POLLIN };
			int pr = poll(&p, 1, RT_MCP_IDLE_MS);
			if (pr == 0) {
				rt_mcp_idle(io->m);
				prepared = 1;
				if (io->m->fatal) /* the catalog failed: stop now */
					break;
			} else if (pr < 0 && errno != EINTR) {
				prepared = 1;
			}
		}
		ssize_t n = read(in_fd, io->buf, sizeof io->buf);
		if (n > 0) {
			rt_mcp_feed(io->m, io->buf, (size_t)n);
			fd_poll(io); /* read ahead: see cancellations early */
		} else if (n == 0) {
			io->eof = 1;
		} else if (errno != EINTR) {
			fprintf(stderr, "airlock: reading stdin: %s\n", strerror(errno));
			io->eof = 1;
		}
	}
	if (r >= 0 && !io->m->fatal) {
		rt_mcp_finish(io->m);
		while ((r = rt_mcp_step(io->m)) > 0)
			;
	}
	int fatal = io->m->fatal;
	if (r < 0 && !fatal)
		fprintf(stderr, "airlock: stdout closed: %s\n", strerror(errno));
	rt_mcp_free(io->m);
	free(io);
	return fatal ? fatal : r < 0 ? 1 : 0;
}
