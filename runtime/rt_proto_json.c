/*
 * rt_proto_json.c -- awsJson1_0, awsJson1_1 and restJson1 (see rt_proto.h).
 *
 * awsJson: POST / with X-Amz-Target "<service shape name>.<operation>" and
 * Content-Type application/x-amz-json-1.x; the whole input is the JSON body
 * (member names as keys: these protocols ignore jsonName), the whole
 * output is the JSON answer.  restJson1: the HTTP bindings (rt_rest.h),
 * then the members left for the body as a JSON object with jsonName keys,
 * or the httpPayload member alone.
 *
 * Values on the wire: timestamps epoch-seconds numbers unless the member
 * says otherwise; blobs base64 strings (the caller's side is base64 too, so
 * they pass through); NaN and the infinities as the strings "NaN",
 * "Infinity", "-Infinity"; nulls only in sparse lists and maps.
 *
 * Errors: the code is X-Amzn-ErrorType, else the body's __type, code or
 * Code, with any namespace ("aws.x#") and ":" suffix removed; the message
 * is message, Message or errorMessage.  A service marked
 * awsQueryCompatible sends its query error code in x-amzn-query-error
 * ("Code;Sender"): that becomes the code, and the shape is still the one
 * __type names.
 *
 * Work: writing is linear in the input, reading linear in the answer times
 * the member count of each structure (a structure's keys are looked up by
 * name); recursion follows the JSON's nesting, which cJSON bounds
 * (CJSON_NESTING_LIMIT).
 */
#include "rt_proto.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"
#include "rt_rest.h"

/* ---- writing --------------------------------------------------------- */

typedef struct jw {
	const alc_catalog *cat;
	rt_buf *out;
	int json_names;          /* restJson1: jsonName keys */
	char *err;
	size_t errcap;
	int depth;
} jw;

#define JSON_MAX_DEPTH 256

static void put_jstr(rt_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	rt_buf_putc(b, '"');
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rt_buf_put(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': rt_buf_puts(b, "\\\""); break;
		case '\\': rt_buf_puts(b, "\\\\"); break;
		case '\n': rt_buf_puts(b, "\\n"); break;
		case '\r': rt_buf_puts(b, "\\r"); break;
		case '\t': rt_buf_puts(b, "\\t"); break;
		case '\b': rt_buf_puts(b, "\\b"); break;
		case '\f': rt_buf_puts(b, "\\f"); break;
		default: {
			char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
			rt_buf_put(b, u, 6);
		}
		}
	}
	rt_buf_put(b, run, (size_t)(s - run));
	rt_buf_putc(b, '"');
}

static int wfail(jw *w, const alc_member *m, const char *why)
{
	snprintf(w->err, w->errcap, "%s: %s", m ? alc_str(w->cat, m->name) : "input", why);
	return AL_EINVAL;
}

static const char *json_key(const alc_catalog *cat, const alc_member *m, int json_names)
{
	if (json_names) {
		const alc_member_ext *x = alc_member_ext_of(cat, m);
		if (x && *alc_str(cat, x->json_name))
			return alc_str(cat, x->json_name);
	}
	return alc_str(cat, m->name);
}

static int write_value(jw *w, const alc_member *m, uint32_t shape, const cJSON *v);

/* Members of structure/union SHAPE set in V; ONLY_BODY skips members with
 * an HTTP binding (restJson1 top level). */
static int write_struct(jw *w, uint32_t shape, const cJSON *v, int only_body)
{
	const alc_catalog *cat = w->cat;
	const alc_shape *s = &cat->shapes[shape];
	if (!cJSON_IsObject(v))
		return wfail(w, NULL, "a structure must be a JSON object");
	rt_buf_putc(w->out, '{');
	int first = 1;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		if (only_body && !rt_rest_in_body(m))
			continue;
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, alc_str(cat, m->name));
		if (!x || cJSON_IsNull(x))
			continue;
		if (!first)
			rt_buf_putc(w->out, ',');
		first = 0;
		put_jstr(w->out, json_key(cat, m, w->json_names));
		rt_buf_putc(w->out, ':');
		int rc = write_value(w, m, m->target, x);
		if (rc)
			return rc;
	}
	rt_buf_putc(w->out, '}');
	return 0;
}

static int write_value(jw *w, const alc_member *m, uint32_t shape, const cJSON *v)
{
	const alc_catalog *cat = w->cat;
	const alc_shape *s = &cat->shapes[shape];
	char b[64];
	if (++w->depth > JSON_MAX_DEPTH)
		return wfail(w, m, "nested too deeply");
	int rc = 0;
	switch (s->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		rc = write_struct(w, shape, v, 0);
		break;
	case ALC_T_LIST: {
		const alc_member *e = &cat->members[s->first_member];
		int sparse = (s->flags & ALC_SH_SPARSE) != 0, first = 1;
		const cJSON *it;
		if (!cJSON_IsArray(v)) {
			rc = wfail(w, m, "must be a list");
			break;
		}
		rt_buf_putc(w->out, '[');
		cJSON_ArrayForEach(it, v) {
			if (cJSON_IsNull(it) && !sparse)
				continue;
			if (!first)
				rt_buf_putc(w->out, ',');
			first = 0;
			if (cJSON_IsNull(it))
				rt_buf_puts(w->out, "null");
			else if ((rc = write_value(w, e, e->target, it)))
				break;
		}
		rt_buf_putc(w->out, ']');
		break;
	}
	case ALC_T_MAP: {
		const alc_member *val = &cat->members[s->first_member + 1];
		int sparse = (s->flags & ALC_SH_SPARSE) != 0, first = 1;
		const cJSON *it;
		if (!cJSON_IsObject(v)) {
			rc = wfail(w, m, "must be a map (a JSON object)");
			break;
		}
		rt_buf_putc(w->out, '{');
		cJSON_ArrayForEach(it, v) {
			if (cJSON_IsNull(it) && !sparse)
				continue;
			if (!first)
				rt_buf_putc(w->out, ',');
			first = 0;
			put_jstr(w->out, it->string);
			rt_buf_putc(w->out, ':');
			if (cJSON_IsNull(it))
				rt_buf_puts(w->out, "null");
			else if ((rc = write_value(w, val, val->target, it)))
				break;
		}
		rt_buf_putc(w->out, '}');
		break;
	}
	case ALC_T_STRING:
	case ALC_T_ENUM:
	case ALC_T_BLOB:
		if (!cJSON_IsString(v))
			rc = wfail(w, m, "must be a string");
		else
			put_jstr(w->out, v->valuestring);
		break;
	case ALC_T_BOOLEAN:
		if (!cJSON_IsBool(v))
			rc = wfail(w, m, "must be a boolean");
		else
			rt_buf_puts(w->out, cJSON_IsTrue(v) ? "true" : "false");
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER: case ALC_T_INTENUM:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			rc = wfail(w, m, "must be an integer");
		else if (fabs(v->valuedouble) < 9.2e18)
			rt_buf_printf(w->out, "%lld", (long long)v->valuedouble);
		else
			rt_buf_put(w->out, b, rt_proto_fmt_double(v->valuedouble, b, sizeof b));
		break;
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL: {
		double d;
		if (rt_proto_double_from_json(v, &d)) {
			rc = wfail(w, m, "must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
		} else {
			size_t n = rt_proto_fmt_double(d, b, sizeof b);
			if (isfinite(d)) {
				rt_buf_put(w->out, b, n);
			} else {
				rt_buf_putc(w->out, '"');
				rt_buf_put(w->out, b, n);
				rt_buf_putc(w->out, '"');
			}
		}
		break;
	}
	case ALC_T_TIMESTAMP: {
		rt_ts t;
		if (rt_ts_from_json(v, &t)) {
			rc = wfail(w, m, "must be an RFC 3339 date-time");
			break;
		}
		int fmt = rt_proto_ts_format(cat, m, shape, ALC_TS_EPOCH_SECONDS);
		size_t n = rt_ts_format(&t, fmt, b, sizeof b);
		if (fmt == ALC_TS_EPOCH_SECONDS) {
			rt_buf_put(w->out, b, n);
		} else {
			b[n] = '\0';
			put_jstr(w->out, b);
		}
		break;
	}
	case ALC_T_DOCUMENT: {
		char *t = cJSON_PrintUnformatted(v);
		if (!t) {
			rc = AL_ENOMEM;
			break;
		}
		rt_buf_puts(w->out, t);
		cJSON_free(t);
		break;
	}
	default:
		rc = wfail(w, m, "has a type the JSON protocols cannot write");
	}
	w->depth--;
	return rc;
}

/* ---- reading --------------------------------------------------------- */

typedef struct jr {
	const alc_catalog *cat;
	int json_names;
	int depth;
} jr;

static cJSON *read_value(jr *r, const alc_member *m, uint32_t shape, const cJSON *v);

/* Members of structure SHAPE from object V into OUT (created when NULL). */
static cJSON *read_struct(jr *r, uint32_t shape, const cJSON *v, cJSON *out, int only_body)
{
	const alc_catalog *cat = r->cat;
	const alc_shape *s = &cat->shapes[shape];
	if (!cJSON_IsObject(v))
		return NULL;
	cJSON *o = out ? out : cJSON_CreateObject();
	if (!o)
		return NULL;
	for (uint32_t i = 0; i < s->member_count; i++) {
		const alc_member *m = &cat->members[s->first_member + i];
		if (only_body && !rt_rest_in_output_body(m))
			continue;
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, json_key(cat, m, r->json_names));
		if (!x || cJSON_IsNull(x))
			continue;
		cJSON *y = read_value(r, m, m->target, x);
		if (!y) {
			if (!out)
				cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(o, alc_str(cat, m->name), y);
	}
	return o;
}

static cJSON *read_value(jr *r, const alc_member *m, uint32_t shape, const cJSON *v)
{
	const alc_catalog *cat = r->cat;
	const alc_shape *s = &cat->shapes[shape];
	cJSON *o = NULL;
	if (++r->depth > JSON_MAX_DEPTH)
		return NULL;
	switch (s->type) {
	case ALC_T_STRUCTURE:
		o = read_struct(r, shape, v, NULL, 0);
		break;
	case ALC_T_UNION: {
		/* One member set; unknown keys (and "__type") are ignored. */
		o = read_struct(r, shape, v, NULL, 0);
		break;
	}
	case ALC_T_LIST: {
		const alc_member *e = &cat->members[s->first_member];
		int sparse = (s->flags & ALC_SH_SPARSE) != 0;
		const cJSON *it;
		if (!cJSON_IsArray(v) || !(o = cJSON_CreateArray()))
			break;
		cJSON_ArrayForEach(it, v) {
			cJSON *y;
			if (cJSON_IsNull(it)) {
				if (!sparse)
					continue;
				y = cJSON_CreateNull();
			} else {
				y = read_value(r, e, e->target, it);
			}
			if (!y) {
				cJSON_Delete(o);
				o = NULL;
				break;
			}
			cJSON_AddItemToArray(o, y);
		}
		break;
	}
	case ALC_T_MAP: {
		const alc_member *val = &cat->members[s->first_member + 1];
		int sparse = (s->flags & ALC_SH_SPARSE) != 0;
		const cJSON *it;
		if (!cJSON_IsObject(v) || !(o = cJSON_CreateObject()))
			break;
		cJSON_ArrayForEach(it, v) {
			cJSON *y;
			if (cJSON_IsNull(it)) {
				if (!sparse)
					continue;
				y = cJSON_CreateNull();
			} else {
				y = read_value(r, val, val->target, it);
			}
			if (!y) {
				cJSON_Delete(o);
				o = NULL;
				break;
			}
			/* a repeated key: the last one wins */
			cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
			cJSON_AddItemToObject(o, it->string, y);
		}
		break;
	}
	case ALC_T_STRING:
	case ALC_T_ENUM:
	case ALC_T_BLOB:
		if (cJSON_IsString(v))
			o = cJSON_CreateString(v->valuestring);
		break;
	case ALC_T_BOOLEAN:
		if (cJSON_IsBool(v))
			o = cJSON_CreateBool(cJSON_IsTrue(v));
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER: case ALC_T_INTENUM:
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL: {
		double d;
		if (rt_proto_double_from_json(v, &d) == 0)
			o = rt_proto_double_to_json(d);
		break;
	}
	case ALC_T_TIMESTAMP: {
		rt_ts t;
		int ok;
		if (cJSON_IsNumber(v)) {
			ok = rt_ts_from_json(v, &t) == 0;
		} else if (cJSON_IsString(v)) {
			int fmt = rt_proto_ts_format(cat, m, shape, ALC_TS_EPOCH_SECONDS);
			size_t n = strlen(v->valuestring);
			ok = rt_ts_parse(v->valuestring, n, fmt, &t) == 0 ||
			     rt_ts_from_json(v, &t) == 0;
		} else {
			ok = 0;
		}
		if (ok)
			o = rt_ts_to_json(&t);
		break;
	}
	case ALC_T_DOCUMENT:
		o = cJSON_Duplicate(v, 1);
		break;
	default:
		break;
	}
	r->depth--;
	return o;
}

/* ---- shared by the three -------------------------------------------- */

static int is_success(const rt_proto_response *resp)
{
	return resp->status >= 200 && resp->status < 300;
}

static void request_id(const rt_proto_response *resp, rt_proto_error *e)
{
	static const char *const names[] = { "x-amzn-RequestId", "x-amz-request-id",
		                             "x-amz-id-2" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n;
		const char *v = rt_proto_header(resp, names[i], &n);
		if (v) {
			if (n >= sizeof e->request_id)
				n = sizeof e->request_id - 1;
			memcpy(e->request_id, v, n);
			e->request_id[n] = '\0';
			return;
		}
	}
}

static const char *obj_str(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* An error answer: code, message, modeled shape and its fields. */
static int parse_error(const alc_catalog *cat, const alc_operation *op,
                       const rt_proto_response *resp, int json_names, int rest,
                       rt_proto_error *e)
{
	e->kind = RT_PERR_SERVICE;
	e->http_status = resp->status;
	request_id(resp, e);
	cJSON *body = resp->body_len ? cJSON_ParseWithLength(resp->body, resp->body_len) : NULL;
	size_t n;
	const char *code = rt_proto_header(resp, "X-Amzn-ErrorType", &n);
	if (code) {
		rt_proto_error_code(code, n, e->code, sizeof e->code);
	} else if (cJSON_IsObject(body)) {
		const char *c = obj_str(body, "__type");
		if (!c)
			c = obj_str(body, "code");
		if (!c)
			c = obj_str(body, "Code");
		if (c)
			rt_proto_error_code(c, strlen(c), e->code, sizeof e->code);
	}
	if (cJSON_IsObject(body)) {
		const char *msg = obj_str(body, "message");
		if (!msg)
			msg = obj_str(body, "Message");
		if (!msg)
			msg = obj_str(body, "errorMessage");
		if (msg)
			snprintf(e->message, sizeof e->message, "%s", msg);
	}
	if (!e->code[0])
		snprintf(e->code, sizeof e->code, "Http%ld", resp->status);
	rt_proto_error_model(cat, op, e, 0);
	if (cat->svcs[op->service].flags & ALC_SVC_QUERY_COMPATIBLE) {
		const char *q = rt_proto_header(resp, "x-amzn-query-error", &n);
		if (q) {
			const char *semi = memchr(q, ';', n);
			rt_proto_error_code(q, semi ? (size_t)(semi - q) : n, e->code, sizeof e->code);
		}
	}
	int rc = 0;
	if (e->shape != ALC_NONE) {
		jr r = { cat, json_names, 0 };
		cJSON *f = cJSON_IsObject(body) ? read_struct(&r, e->shape, body, NULL, rest)
		                                : cJSON_CreateObject();
		if (f && rest)
			rc = rt_rest_parse_bindings(cat, e->shape, resp, f, NULL, e);
		if (!f && cJSON_IsObject(body)) {
			/* a modeled error whose fields do not match the model: keep
			 * code and message, drop the fields */
			f = NULL;
		}
		e->fields = f;
	}
	cJSON_Delete(body);
	return rc ? rc : AL_EPROTO;
}

static int malformed(rt_proto_error *e, const rt_proto_response *resp, const char *why)
{
	e->kind = RT_PERR_MALFORMED;
	e->http_status = resp->status;
	request_id(resp, e);
	snprintf(e->code, sizeof e->code, "MalformedResponse");
	snprintf(e->message, sizeof e->message, "%s", why);
	return AL_EPROTO;
}

/* ---- awsJson1_0 / awsJson1_1 ----------------------------------------- */

static int awsjson_serialize(const alc_catalog *cat, const alc_operation *op,
                             const cJSON *input, rt_proto_request *req, char *err,
                             size_t errcap, const char *ctype)
{
	const alc_service *svc = &cat->svcs[op->service];
	memcpy(req->method, "POST", 5);
	rt_buf_reset(&req->path);
	rt_buf_putc(&req->path, '/');
	rt_kvlist_adds(&req->headers, "Content-Type", ctype);
	rt_buf tgt;
	rt_buf_init(&tgt);
	rt_buf_printf(&tgt, "%s.%s", alc_str(cat, svc->target_prefix), alc_str(cat, op->name));
	rt_kvlist_adds(&req->headers, "X-Amz-Target", tgt.p ? tgt.p : "");
	if (svc->flags & ALC_SVC_QUERY_COMPATIBLE)
		rt_kvlist_adds(&req->headers, "x-amzn-query-mode", "true");
	int rc = tgt.err;
	rt_buf_free(&tgt);
	if (rc)
		return rc;
	jw w = { cat, &req->body, 0, err, errcap, 0 };
	if (op->input == ALC_NONE || !input)
		rt_buf_puts(&req->body, "{}");
	else if ((rc = write_struct(&w, op->input, input, 0)))
		return rc;
	if ((rc = rt_proto_host_prefix(cat, op, input, req, err, errcap)))
		return rc;
	return req->body.err || req->headers.err ? AL_ENOMEM : 0;
}

static int awsjson10_serialize(const alc_catalog *cat, const alc_operation *op,
                               const cJSON *input, rt_proto_request *req, char *err,
                               size_t errcap)
{
	return awsjson_serialize(cat, op, input, req, err, errcap, "application/x-amz-json-1.0");
}

static int awsjson11_serialize(const alc_catalog *cat, const alc_operation *op,
                               const cJSON *input, rt_proto_request *req, char *err,
                               size_t errcap)
{
	return awsjson_serialize(cat, op, input, req, err, errcap, "application/x-amz-json-1.1");
}

static int awsjson_parse(const alc_catalog *cat, const alc_operation *op,
                         const rt_proto_response *resp, cJSON **out, rt_proto_error *e)
{
	*out = NULL;
	if (!is_success(resp))
		return parse_error(cat, op, resp, 0, 0, e);
	int empty = 1;
	for (size_t i = 0; i < resp->body_len; i++)
		if (resp->body[i] != ' ' && resp->body[i] != '\n' && resp->body[i] != '\r' &&
		    resp->body[i] != '\t')
			empty = 0;
	if (op->output == ALC_NONE || empty) {
		*out = cJSON_CreateObject();
		return *out ? 0 : AL_ENOMEM;
	}
	cJSON *body = cJSON_ParseWithLength(resp->body, resp->body_len);
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		return malformed(e, resp, "the answer is not a JSON object");
	}
	jr r = { cat, 0, 0 };
	*out = read_struct(&r, op->output, body, NULL, 0);
	cJSON_Delete(body);
	if (!*out)
		return malformed(e, resp, "the answer does not match the operation's output shape");
	return 0;
}

const rt_proto rt_proto_awsjson1_0 = { ALC_PROTO_AWSJSON1_0, "awsJson1_0", awsjson10_serialize,
	                               awsjson_parse };
const rt_proto rt_proto_awsjson1_1 = { ALC_PROTO_AWSJSON1_1, "awsJson1_1", awsjson11_serialize,
	                               awsjson_parse };

/* ---- restJson1 ------------------------------------------------------- */

static int restjson_serialize(const alc_catalog *cat, const alc_operation *op,
                              const cJSON *input, rt_proto_request *req, char *err,
                              size_t errcap)
{
	rt_rest_body body;
	int rc = rt_rest_serialize(cat, op, input, req, &body, err, errcap);
	if (rc)
		return rc;
	jw w = { cat, &req->body, 1, err, errcap, 0 };
	int has_ct = rt_kvlist_find(&req->headers, "Content-Type", 1) != NULL;
	if (body.payload) {
		const alc_shape *ps = &cat->shapes[body.payload->target];
		if (body.payload_value) {
			if (ps->type == ALC_T_BLOB || ps->type == ALC_T_STRING ||
			    ps->type == ALC_T_ENUM) {
				rc = rt_rest_raw_payload(cat, body.payload, body.payload_value, req, err,
				                         errcap);
			} else {
				rc = write_value(&w, body.payload, body.payload->target,
				                 body.payload_value);
				if (!rc && !has_ct)
					rt_kvlist_adds(&req->headers, "Content-Type", "application/json");
			}
		} else if (ps->type == ALC_T_STRUCTURE) {
			/* an unset structure payload is an empty object */
			rt_buf_puts(&req->body, "{}");
			if (!has_ct)
				rt_kvlist_adds(&req->headers, "Content-Type", "application/json");
		}
	} else if (body.body_members) {
		rc = write_struct(&w, op->input, input ? input : NULL, 1);
		if (!rc && !has_ct)
			rt_kvlist_adds(&req->headers, "Content-Type", "application/json");
	}
	if (rc)
		return rc;
	if (op->flags & ALC_OP_UNSIGNED_PAYLOAD)
		req->flags |= RT_REQ_UNSIGNED_PAYLOAD;
	return req->body.err || req->headers.err ? AL_ENOMEM : 0;
}

static int restjson_parse(const alc_catalog *cat, const alc_operation *op,
                          const rt_proto_response *resp, cJSON **out, rt_proto_error *e)
{
	*out = NULL;
	if (!is_success(resp))
		return parse_error(cat, op, resp, 1, 1, e);
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return AL_ENOMEM;
	if (op->output == ALC_NONE) {
		*out = o;
		return 0;
	}
	const alc_member *payload = NULL;
	int rc = rt_rest_parse_bindings(cat, op->output, resp, o, &payload, e);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	jr r = { cat, 1, 0 };
	if (payload) {
		const alc_shape *ps = &cat->shapes[payload->target];
		if (ps->type == ALC_T_BLOB || ps->type == ALC_T_STRING || ps->type == ALC_T_ENUM) {
			rc = rt_rest_parse_raw_payload(cat, payload, resp, o);
		} else if (resp->body_len) {
			cJSON *body = cJSON_ParseWithLength(resp->body, resp->body_len);
			cJSON *x = body ? read_value(&r, payload, payload->target, body) : NULL;
			cJSON_Delete(body);
			if (!x) {
				cJSON_Delete(o);
				return malformed(e, resp, "the payload does not match the output shape");
			}
			cJSON_AddItemToObject(o, alc_str(cat, payload->name), x);
		}
	} else if (resp->body_len) {
		cJSON *body = cJSON_ParseWithLength(resp->body, resp->body_len);
		if (!cJSON_IsObject(body) || !read_struct(&r, op->output, body, o, 1)) {
			cJSON_Delete(body);
			cJSON_Delete(o);
			return malformed(e, resp, "the answer does not match the operation's output");
		}
		cJSON_Delete(body);
	}
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	*out = o;
	return 0;
}

const rt_proto rt_proto_restjson1 = { ALC_PROTO_RESTJSON1, "restJson1", restjson_serialize,
	                              restjson_parse };
