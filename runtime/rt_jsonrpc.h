/*
 * rt_jsonrpc.h -- JSON-RPC 2.0 messages as the MCP stdio transport carries
 * them: one UTF-8 JSON text per line.
 *
 * rt_rpc_parse() classifies one line (request, notification, response, or
 * an invalid message with the error code JSON-RPC prescribes for it); the
 * builders produce one line of output each, without the newline.
 *
 * Owner: rt_jsonrpc.c.  A parsed message owns its cJSON tree; every pointer
 * in it (id, method, params) points into that tree and lives until
 * rt_rpc_msg_free().  Built lines are malloc'd; the caller frees them.
 */
#ifndef RT_JSONRPC_H
#define RT_JSONRPC_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* JSON-RPC 2.0 error codes. */
#define RT_RPC_PARSE_ERROR      (-32700)
#define RT_RPC_INVALID_REQUEST  (-32600)
#define RT_RPC_METHOD_NOT_FOUND (-32601)
#define RT_RPC_INVALID_PARAMS   (-32602)
#define RT_RPC_INTERNAL_ERROR   (-32603)
/* MCP 2026-07-28 (the range -32020..-32099 is reserved by MCP).  -32020
 * HeaderMismatch concerns HTTP headers only and never applies on stdio;
 * -32021 MissingRequiredClientCapability applies to servers that need a
 * client capability, which airlock never does. */
#define RT_MCP_HEADER_MISMATCH       (-32020)
#define RT_MCP_MISSING_CAPABILITY    (-32021)
#define RT_MCP_UNSUPPORTED_VERSION   (-32022)

enum rt_rpc_kind {
	RT_RPC_REQUEST = 1,      /* method + id: must be answered */
	RT_RPC_NOTIFICATION = 2, /* method, no id: never answered */
	RT_RPC_RESPONSE = 3,     /* result or error + id: a reply to us */
	RT_RPC_INVALID = 4       /* answer with err_code/err_msg, id or null */
};

typedef struct rt_rpc_msg {
	int kind;                /* enum rt_rpc_kind */
	cJSON *root;             /* owned; NULL when the line did not parse */
	const cJSON *id;         /* string or integer; NULL when absent or unusable */
	const char *method;      /* requests and notifications */
	const cJSON *params;     /* object, array, or NULL when absent */
	int err_code;            /* RT_RPC_INVALID: RT_RPC_PARSE_ERROR or RT_RPC_INVALID_REQUEST */
	const char *err_msg;     /* RT_RPC_INVALID: static text */
} rt_rpc_msg;

/* Longest line accepted; a longer one is answered with -32600 and skipped. */
#define RT_RPC_MAX_LINE (8u << 20)

/* Parse and classify LINE (LEN bytes, no newline; need not be
 * NUL-terminated).  Never fails: malformed input becomes RT_RPC_INVALID
 * (-32700 for text that is not JSON or not UTF-8, -32600 for JSON that is
 * not a request: a top-level array (batches are not part of MCP), a wrong
 * "jsonrpc", a bad id or method), and allocation failure becomes a -32603
 * RT_RPC_INVALID.  Free with rt_rpc_msg_free(). */
void rt_rpc_parse(rt_rpc_msg *m, const char *line, size_t len);
void rt_rpc_msg_free(rt_rpc_msg *m);

/* 1 when LEN bytes at S are well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
int rt_utf8_valid(const char *s, size_t len);

/* A success response whose result is the JSON text RESULT_JSON (spliced in
 * as is: used for cached results).  ID may be NULL (then null). */
char *rt_rpc_result_raw(const cJSON *id, const char *result_json);
/* A success response; takes ownership of RESULT (NULL becomes {}). */
char *rt_rpc_result(const cJSON *id, cJSON *result);
/* An error response; takes ownership of DATA (may be NULL). */
char *rt_rpc_error(const cJSON *id, int code, const char *message, cJSON *data);
/* A notification; takes ownership of PARAMS (may be NULL). */
char *rt_rpc_notification(const char *method, cJSON *params);

/* A copy of an id (or of a progress token, which has the same type) that
 * prints exactly; NULL when ID is not a string or integer. */
cJSON *rt_rpc_id_copy(const cJSON *id);

/* Canonical text of an id ("\"abc\"" or "42") into OUT, for comparing ids
 * (integers are exact up to 2^53, as they parse to doubles);
 * returns 0, or -1 when ID is not a string or integer or does not fit. */
int rt_rpc_id_key(const cJSON *id, char *out, size_t cap);

#endif
