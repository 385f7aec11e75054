/*
 * rt_jsonrpc.c -- see rt_jsonrpc.h.
 *
 * Classification follows JSON-RPC 2.0 section 5 and MCP's base protocol:
 * requests carry a string or integer id (never null), notifications carry
 * none, and anything else that parses is an Invalid Request answered with
 * the id when one could be read, else null.  Batches (top-level arrays)
 * were removed from MCP in 2025-06-18 and never carried a meaning airlock
 * needs, so an array is one Invalid Request, answered once.
 */
#include "rt_jsonrpc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rt_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t n;
		unsigned lo = 0x80, hi = 0xbf; /* bounds of the second byte */
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;      /* no overlongs */
			else if (c == 0xed)
				hi = 0x9f;      /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;      /* nothing above U+10FFFF */
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= n)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (size_t i = 2; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

/* An id MCP accepts: a string, or a number with an integral value. */
static int id_usable(const cJSON *id)
{
	if (cJSON_IsString(id))
		return id->valuestring != NULL;
	if (cJSON_IsNumber(id)) {
		double d = id->valuedouble;
		return isfinite(d) && d == floor(d);
	}
	return 0;
}

static void invalid(rt_rpc_msg *m, int code, const char *msg)
{
	m->kind = RT_RPC_INVALID;
	m->err_code = code;
	m->err_msg = msg;
}

static int only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 0;
	return 1;
}

void rt_rpc_parse(rt_rpc_msg *m, const char *line, size_t len)
{
	memset(m, 0, sizeof *m);
	if (!rt_utf8_valid(line, len)) {
		invalid(m, RT_RPC_PARSE_ERROR, "Parse error: the message is not valid UTF-8");
		return;
	}
	const char *end = NULL;
	m->root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!m->root || !end || !only_space(end, line + len)) {
		cJSON_Delete(m->root);
		m->root = NULL;
		invalid(m, RT_RPC_PARSE_ERROR, "Parse error: the message is not one JSON value");
		return;
	}
	const cJSON *root = m->root;
	if (cJSON_IsArray(root)) {
		invalid(m, RT_RPC_INVALID_REQUEST,
		        "Invalid Request: JSON-RPC batches (top-level arrays) are not supported; send one message per line");
		return;
	}
	if (!cJSON_IsObject(root)) {
		invalid(m, RT_RPC_INVALID_REQUEST, "Invalid Request: a message must be a JSON object");
		return;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
	int has_id = id != NULL;
	if (has_id && id_usable(id))
		m->id = id;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "jsonrpc");
	if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0) {
		invalid(m, RT_RPC_INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
		return;
	}
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(root, "method");
	if (!method) {
		if (has_id && (cJSON_GetObjectItemCaseSensitive(root, "result") ||
		               cJSON_GetObjectItemCaseSensitive(root, "error"))) {
			m->kind = RT_RPC_RESPONSE;
			return;
		}
		invalid(m, RT_RPC_INVALID_REQUEST, "Invalid Request: \"method\" is missing");
		return;
	}
	if (!cJSON_IsString(method) || !method->valuestring) {
		invalid(m, RT_RPC_INVALID_REQUEST, "Invalid Request: \"method\" must be a string");
		return;
	}
	if (has_id && !m->id) {
		invalid(m, RT_RPC_INVALID_REQUEST,
		        "Invalid Request: \"id\" must be a string or an integer (MCP forbids null)");
		return;
	}
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
	if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
		invalid(m, RT_RPC_INVALID_REQUEST, "Invalid Request: \"params\" must be an object");
		return;
	}
	m->method = method->valuestring;
	m->params = params;
	m->kind = has_id ? RT_RPC_REQUEST : RT_RPC_NOTIFICATION;
}

void rt_rpc_msg_free(rt_rpc_msg *m)
{
	cJSON_Delete(m->root);
	memset(m, 0, sizeof *m);
}

/* ---- building ------------------------------------------------------- */

/* Joins the parts into one malloc'd string.  NULL on allocation failure. */
static char *join(const char *const *parts, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]);
	char *s = malloc(len + 1), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(parts[i]);
		memcpy(p, parts[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

/* Integers are printed by hand: cJSON prints 15 significant digits when
 * they read back "close enough", which would change ids above 10^15. */
static int int_text(double d, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%.0f", d);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Text of ID, or "null"; malloc'd. */
static char *id_text(const cJSON *id)
{
	char buf[400];
	const char *t = "null";
	if (id && id_usable(id)) {
		if (cJSON_IsString(id))
			return cJSON_PrintUnformatted(id);
		if (int_text(id->valuedouble, buf, sizeof buf) == 0)
			t = buf;
	}
	return strdup(t);
}

cJSON *rt_rpc_id_copy(const cJSON *id)
{
	char buf[400];
	if (cJSON_IsString(id))
		return cJSON_CreateString(id->valuestring);
	if (id && id_usable(id) && int_text(id->valuedouble, buf, sizeof buf) == 0)
		return cJSON_CreateRaw(buf);
	return NULL;
}

char *rt_rpc_result_raw(const cJSON *id, const char *result_json)
{
	char *idt = id_text(id);
	if (!idt)
		return NULL;
	const char *parts[] = { "{\"jsonrpc\":\"2.0\",\"id\":", idt, ",\"result\":",
	                        result_json, "}" };
	char *s = join(parts, 5);
	free(idt);
	return s;
}

char *rt_rpc_result(const cJSON *id, cJSON *result)
{
	char *body = result ? cJSON_PrintUnformatted(result) : NULL;
	cJSON_Delete(result);
	if (!body && result)
		return NULL;
	char *s = rt_rpc_result_raw(id, body ? body : "{}");
	free(body);
	return s;
}

char *rt_rpc_error(const cJSON *id, int code, const char *message, cJSON *data)
{
	cJSON *err = cJSON_CreateObject();
	if (!err || !cJSON_AddNumberToObject(err, "code", code) ||
	    !cJSON_AddStringToObject(err, "message", message)) {
		cJSON_Delete(err);
		cJSON_Delete(data);
		return NULL;
	}
	if (data)
		cJSON_AddItemToObject(err, "data", data);
	char *body = cJSON_PrintUnformatted(err);
	cJSON_Delete(err);
	char *idt = body ? id_text(id) : NULL;
	char *s = NULL;
	if (idt) {
		const char *parts[] = { "{\"jsonrpc\":\"2.0\",\"id\":", idt, ",\"error\":",
		                        body, "}" };
		s = join(parts, 5);
	}
	free(idt);
	free(body);
	return s;
}

char *rt_rpc_notification(const char *method, cJSON *params)
{
	cJSON *n = cJSON_CreateObject();
	if (!n || !cJSON_AddStringToObject(n, "jsonrpc", "2.0") ||
	    !cJSON_AddStringToObject(n, "method", method)) {
		cJSON_Delete(n);
		cJSON_Delete(params);
		return NULL;
	}
	if (params)
		cJSON_AddItemToObject(n, "params", params);
	char *s = cJSON_PrintUnformatted(n);
	cJSON_Delete(n);
	return s;
}

int rt_rpc_id_key(const cJSON *id, char *out, size_t cap)
{
	if (!id || !id_usable(id) || cap < 8)
		return -1;
	if (cJSON_IsNumber(id))
		return int_text(id->valuedouble, out, cap);
	/* cJSON asks for 5 spare bytes beyond the text. */
	if (!cJSON_PrintPreallocated((cJSON *)(uintptr_t)id, out, (int)(cap > 4096 ? 4096 : cap), 0))
		return -1;
	return 0;
}
