/*
 * rt_proto_xml.c -- the restXml protocol, and the XML reading and scalar
 * writing the query protocols share (rt_proto_xml.h).
 *
 * Request: rt_rest_serialize() does method, path, query, headers and host
 * prefix; this file writes the body.
 *   - An httpPayload structure or union is the document element, named by
 *     the payload member's xmlName, else the target's xmlName, else the
 *     target's name; a blob, string or enum payload is the raw body
 *     (rt_rest_raw_payload).  An unset payload sends no body.
 *   - Otherwise the members without a binding trait are the children of an
 *     element named by the input's xmlName or name; no body when none of
 *     them is set.
 *   - The document element carries the namespace of the payload member,
 *     else of its target shape, else of the service (S3's
 *     http://s3.amazonaws.com/doc/2006-03-01/); inner elements carry only
 *     their member's own xmlNamespace.
 *   - Content-Type application/xml; Content-MD5 when the operation
 *     requires a checksum (rt_proto_add_checksum).
 * Timestamps in the body default to date-time (http-date in headers is
 * rt_rest's); blobs are base64.
 *
 * Response: header, prefix-header and status-code members from rt_rest;
 * the body is the output structure's element (its name is not checked), or
 * for an httpPayload member the payload.  S3's s3UnwrappedXmlOutput
 * (GetBucketLocation: <LocationConstraint>us-west-2</LocationConstraint>)
 * is not in the catalog; it is recognised by its form: a document element
 * without child elements, named like a scalar body member of the output.
 *
 * Errors: <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>,
 * or the bare <Error> of noErrorWrapping services (S3); both are accepted
 * from any restXml service, as the SDKs do.
 */
#include "rt_proto_xml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_rest.h"

/* Input nesting the writer follows; deeper input is refused rather than
 * recursed into (the reader has RT_XML_MAX_DEPTH). */
#define XML_MAX_INPUT_DEPTH 128

/* ---- shared small helpers ---------------------------------------------- */

const char *rt_xml_member_name(const alc_catalog *cat, const alc_member *m)
{
	const alc_member_ext *x = alc_member_ext_of(cat, m);
	if (x && x->xml_name)
		return alc_str(cat, x->xml_name);
	return alc_str(cat, m->name);
}

static int is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int rt_xml_has_content(const char *body, size_t len)
{
	for (size_t i = 0; body && i < len; i++)
		if (!is_xml_space(body[i]))
			return 1;
	return 0;
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_xml_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_xml_space((*s)[*len - 1]))
		(*len)--;
}

static const alc_shape *shape_of(const alc_catalog *cat, uint32_t sh)
{
	return &cat->shapes[sh];
}

static const alc_shape_ext *shape_ext(const alc_catalog *cat, uint32_t sh)
{
	const alc_shape *s = shape_of(cat, sh);
	return s->ext != ALC_NONE ? &cat->shext[s->ext] : NULL;
}

static int malformed(rt_proto_error *e, const char *what, const char *why, const char *text,
                     size_t len)
{
	if (e && e->kind == RT_PERR_NONE)
		rt_proto_error_set(e, RT_PERR_MALFORMED, "MalformedResponse",
		                   "%s: %s \"%.*s%s\"", what, why, (int)(len > 80 ? 80 : len), text,
		                   len > 80 ? "..." : "");
	return AL_EPROTO;
}

/* ---- reading ----------------------------------------------------------- */

/* In a response only these bindings take a member out of the body: label
 * and query bindings mean nothing there, so such members are read from
 * the body like any other (Smithy's IgnoreQueryParamsInResponse). */
#define RESPONSE_BINDINGS (ALC_M_HTTP_HEADER | ALC_M_HTTP_PREFIX_HEADERS | \
                           ALC_M_HTTP_RESPONSE_CODE | ALC_M_HTTP_PAYLOAD)

/* A JSON number as written (digits kept exactly: longs beyond 2^53 and
 * big numbers); 1 when S[0..LEN) is one. */
static int json_number_text(const char *s, size_t len, int integer)
{
	size_t i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i >= len || s[i] < '0' || s[i] > '9')
		return 0;
	if (s[i] == '0' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
		return 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (integer)
		return i == len;
	if (i < len && s[i] == '.') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == len;
}

static cJSON *number_json(const char *s, size_t len, int integer)
{
	char tmp[512];
	if (len >= sizeof tmp || !json_number_text(s, len, integer))
		return NULL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	/* Exact as a double: a plain number; otherwise the digits as written
	 * (longs beyond 2^53, big integers, long decimals). */
	if (integer) {
		size_t digits = len - (tmp[0] == '-');
		if (digits <= 15)
			return cJSON_CreateNumber(strtod(tmp, NULL));
		return cJSON_CreateRaw(tmp);
	}
	double d = strtod(tmp, NULL);
	char back[64];
	if (isfinite(d)) {
		rt_proto_fmt_double(d, back, sizeof back);
		if (strtod(back, NULL) == d && len <= 17)
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateRaw(tmp);
}

/* The JSON of scalar text S[0..LEN) (NUL-terminated at LEN) for member M of
 * type SHAPE.  NULL with *RC set on failure. */
static cJSON *scalar_json(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                          const char *s, size_t len, rt_proto_error *e, int *rc)
{
	const alc_shape *sh = shape_of(cat, shape);
	const char *what = m ? alc_str(cat, m->name) : alc_str(cat, sh->name);
	const char *t = s;
	size_t tl = len;
	cJSON *v = NULL;
	switch (sh->type) {
	case ALC_T_STRING:
	case ALC_T_ENUM:
	case ALC_T_DOCUMENT:
		v = cJSON_CreateString(s);
		break;
	case ALC_T_BOOLEAN:
		trim(&t, &tl);
		if (tl == 4 && memcmp(t, "true", 4) == 0)
			v = cJSON_CreateTrue();
		else if (tl == 5 && memcmp(t, "false", 5) == 0)
			v = cJSON_CreateFalse();
		else
			return *rc = malformed(e, what, "not a boolean:", t, tl), NULL;
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_INTENUM: case ALC_T_BIGINTEGER:
		trim(&t, &tl);
		if (!json_number_text(t, tl, 1))
			return *rc = malformed(e, what, "not an integer:", t, tl), NULL;
		v = number_json(t, tl, 1);
		break;
	case ALC_T_BIGDECIMAL:
		trim(&t, &tl);
		if (!json_number_text(t, tl, 0))
			return *rc = malformed(e, what, "not a number:", t, tl), NULL;
		v = number_json(t, tl, 0);
		break;
	case ALC_T_FLOAT:
	case ALC_T_DOUBLE: {
		trim(&t, &tl);
		char tmp[64];
		if (tl == 3 && memcmp(t, "NaN", 3) == 0)
			v = rt_proto_double_to_json(NAN);
		else if (tl == 8 && memcmp(t, "Infinity", 8) == 0)
			v = rt_proto_double_to_json(INFINITY);
		else if (tl == 9 && memcmp(t, "-Infinity", 9) == 0)
			v = rt_proto_double_to_json(-INFINITY);
		else if (tl < sizeof tmp && json_number_text(t, tl, 0)) {
			memcpy(tmp, t, tl);
			tmp[tl] = '\0';
			v = rt_proto_double_to_json(strtod(tmp, NULL));
		} else
			return *rc = malformed(e, what, "not a number:", t, tl), NULL;
		break;
	}
	case ALC_T_TIMESTAMP: {
		trim(&t, &tl);
		rt_ts tm;
		int fmt = rt_proto_ts_format(cat, m, shape, ALC_TS_DATE_TIME);
		if (rt_ts_parse(t, tl, fmt, &tm) != 0)
			return *rc = malformed(e, what, "not a timestamp in its format:", t, tl), NULL;
		v = rt_ts_to_json(&tm);
		break;
	}
	case ALC_T_BLOB: {
		/* Decoded and encoded again: the output is always canonical,
		 * padded base64, whatever whitespace or padding the wire had. */
		rt_buf raw, b64;
		rt_buf_init(&raw);
		rt_buf_init(&b64);
		if (rt_base64_decode(&raw, s, len) != 0 && !raw.err) {
			rt_buf_free(&raw);
			return *rc = malformed(e, what, "not base64:", s, len), NULL;
		}
		rt_base64_encode(&b64, raw.p ? raw.p : "", raw.len);
		if (!raw.err && !b64.err)
			v = cJSON_CreateString(b64.p ? b64.p : "");
		rt_buf_free(&raw);
		rt_buf_free(&b64);
		break;
	}
	default:
		return *rc = malformed(e, what, "a scalar where the model has an aggregate:", s, len),
		       NULL;
	}
	if (!v)
		*rc = AL_ENOMEM;
	return v;
}

static cJSON *read_value(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                         const rt_xnode *n, rt_proto_error *e, int *rc);

/* One map entry: the key and value children of N into OBJ. */
static int read_entry(const alc_catalog *cat, uint32_t map, const rt_xnode *n, cJSON *obj,
                      rt_proto_error *e)
{
	const alc_shape *ms = shape_of(cat, map);
	if (ms->member_count < 2)
		return 0;
	const alc_member *km = &cat->members[ms->first_member];
	const alc_member *vm = &cat->members[ms->first_member + 1];
	const rt_xnode *k = rt_xml_child(n, rt_xml_member_name(cat, km));
	const rt_xnode *v = rt_xml_child(n, rt_xml_member_name(cat, vm));
	if (!k)
		return 0;               /* an entry without a key carries nothing */
	int rc = 0;
	cJSON *val = v ? read_value(cat, vm, vm->target, v, e, &rc)
	               : (ms->flags & ALC_SH_SPARSE) ? cJSON_CreateNull() : NULL;
	if (rc)
		return rc;
	if (!val)
		return v || (ms->flags & ALC_SH_SPARSE) ? AL_ENOMEM : 0;
	/* A repeated key: the last one wins, as in the SDKs. */
	cJSON_DeleteItemFromObjectCaseSensitive(obj, k->text);
	if (!cJSON_AddItemToObject(obj, k->text, val)) {
		cJSON_Delete(val);
		return AL_ENOMEM;
	}
	return 0;
}

static cJSON *read_value(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                         const rt_xnode *n, rt_proto_error *e, int *rc)
{
	const alc_shape *sh = shape_of(cat, shape);
	cJSON *v = NULL;
	switch (sh->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		v = cJSON_CreateObject();
		if (!v)
			break;
		if ((*rc = rt_xmlr_members(cat, shape, n, 0, v, e)) != 0) {
			cJSON_Delete(v);
			return NULL;
		}
		return v;
	case ALC_T_LIST: {
		v = cJSON_CreateArray();
		if (!v || sh->member_count < 1)
			break;
		const alc_member *im = &cat->members[sh->first_member];
		const char *iname = rt_xml_member_name(cat, im);
		for (const rt_xnode *c = rt_xml_child(n, iname); c; c = rt_xml_next_named(c, iname)) {
			cJSON *item = read_value(cat, im, im->target, c, e, rc);
			if (!item || !cJSON_AddItemToArray(v, item)) {
				cJSON_Delete(item);
				cJSON_Delete(v);
				if (!*rc)
					*rc = AL_ENOMEM;
				return NULL;
			}
		}
		return v;
	}
	case ALC_T_MAP:
		v = cJSON_CreateObject();
		if (!v)
			break;
		for (const rt_xnode *c = rt_xml_child(n, "entry"); c; c = rt_xml_next_named(c, "entry"))
			if ((*rc = read_entry(cat, shape, c, v, e)) != 0) {
				cJSON_Delete(v);
				return NULL;
			}
		return v;
	default:
		return scalar_json(cat, m, shape, n->text, n->text_len, e, rc);
	}
	if (!v)
		*rc = AL_ENOMEM;
	return v;
}

cJSON *rt_xmlr_value(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                     const rt_xnode *n, rt_proto_error *e, int *rc)
{
	*rc = 0;
	return read_value(cat, m, shape, n, e, rc);
}

/* A flattened list or map member: every child of N named NAME. */
static cJSON *read_flattened(const alc_catalog *cat, const alc_member *m, const rt_xnode *n,
                             const char *name, rt_proto_error *e, int *rc)
{
	const alc_shape *ts = shape_of(cat, m->target);
	const rt_xnode *c = rt_xml_child(n, name);
	if (!c || ts->member_count < 1)
		return NULL;
	int list = ts->type == ALC_T_LIST;
	cJSON *v = list ? cJSON_CreateArray() : cJSON_CreateObject();
	if (!v) {
		*rc = AL_ENOMEM;
		return NULL;
	}
	const alc_member *im = &cat->members[ts->first_member];
	for (; c; c = rt_xml_next_named(c, name)) {
		if (list) {
			cJSON *item = read_value(cat, im, im->target, c, e, rc);
			if (!item || !cJSON_AddItemToArray(v, item)) {
				cJSON_Delete(item);
				if (!*rc)
					*rc = AL_ENOMEM;
			}
		} else {
			*rc = read_entry(cat, m->target, c, v, e);
		}
		if (*rc) {
			cJSON_Delete(v);
			return NULL;
		}
	}
	return v;
}

int rt_xmlr_members(const alc_catalog *cat, uint32_t shape, const rt_xnode *n, int rest,
                    cJSON *obj, rt_proto_error *e)
{
	const alc_shape *sh = shape_of(cat, shape);
	if (sh->type != ALC_T_STRUCTURE && sh->type != ALC_T_UNION)
		return 0;
	for (uint32_t i = 0; i < sh->member_count; i++) {
		const alc_member *m = &cat->members[sh->first_member + i];
		if (rest && (m->flags & RESPONSE_BINDINGS))
			continue;
		const char *name = rt_xml_member_name(cat, m);
		const alc_shape *ts = shape_of(cat, m->target);
		int rc = 0;
		cJSON *v = NULL;
		if (m->flags & ALC_M_XML_ATTRIBUTE) {
			const rt_xattr *a = rt_xml_attr(n, name);
			if (!a)
				continue;
			v = scalar_json(cat, m, m->target, a->value, a->value_len, e, &rc);
		} else if ((m->flags & ALC_M_XML_FLATTENED) &&
		           (ts->type == ALC_T_LIST || ts->type == ALC_T_MAP)) {
			v = read_flattened(cat, m, n, name, e, &rc);
			if (!v && !rc)
				continue;
		} else {
			const rt_xnode *c = rt_xml_child(n, name);
			if (!c)
				continue;
			v = read_value(cat, m, m->target, c, e, &rc);
		}
		if (!v)
			return rc ? rc : AL_ENOMEM;
		if (!cJSON_AddItemToObject(obj, alc_str(cat, m->name), v)) {
			cJSON_Delete(v);
			return AL_ENOMEM;
		}
	}
	return 0;
}

/* ---- errors ------------------------------------------------------------ */

static const struct {
	long status;
	const char *code;
} status_codes[] = {
	{ 301, "PermanentRedirect" }, { 304, "NotModified" }, { 307, "TemporaryRedirect" },
	{ 400, "BadRequest" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "NotFound" }, { 405, "MethodNotAllowed" }, { 409, "Conflict" },
	{ 411, "MissingContentLength" }, { 412, "PreconditionFailed" },
	{ 413, "RequestEntityTooLarge" }, { 416, "InvalidRange" },
	{ 429, "TooManyRequests" }, { 500, "InternalError" }, { 501, "NotImplemented" },
	{ 502, "BadGateway" }, { 503, "ServiceUnavailable" }, { 504, "GatewayTimeout" },
};

static void copy_text(char *dst, size_t cap, const char *s, size_t len)
{
	trim(&s, &len);
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void header_copy(const rt_proto_response *resp, const char *name, char *dst, size_t cap)
{
	size_t l;
	const char *v = rt_proto_header(resp, name, &l);
	if (v && !dst[0])
		copy_text(dst, cap, v, l);
}

int rt_xml_read_error(const alc_catalog *cat, const alc_operation *op,
                      const rt_proto_response *resp, const rt_xdoc *doc, int by_query_code,
                      int rest, rt_proto_error *e)
{
	e->kind = RT_PERR_SERVICE;
	e->http_status = resp->status;
	e->shape = ALC_NONE;
	e->code[0] = e->message[0] = e->request_id[0] = '\0';
	const rt_xnode *root = doc ? doc->root : NULL;
	const rt_xnode *err = NULL, *rid = NULL;
	/* Where the SDKs find the error: <Error> under the document element
	 * (awsQuery, restXml), under its <Errors> (ec2Query; moto answers
	 * awsQuery and restXml that way too), or the document element itself
	 * (noErrorWrapping: S3). */
	if (root && rt_xml_is(root, "Error")) {
		err = root;
	} else if (root) {
		err = rt_xml_child(root, "Error");
		if (!err)
			err = rt_xml_child(rt_xml_child(root, "Errors"), "Error");
		rid = rt_xml_child(root, "RequestId");
		if (!rid)
			rid = rt_xml_child(root, "RequestID");
	}
	if (err && !rid)
		rid = rt_xml_child(err, "RequestId");
	if (err) {
		const rt_xnode *c = rt_xml_child(err, "Code");
		const rt_xnode *msg = rt_xml_child(err, "Message");
		if (!msg)
			msg = rt_xml_child(err, "message");
		if (c)
			rt_proto_error_code(c->text, c->text_len, e->code, sizeof e->code);
		if (msg)
			copy_text(e->message, sizeof e->message, msg->text, msg->text_len);
	}
	if (rid)
		copy_text(e->request_id, sizeof e->request_id, rid->text, rid->text_len);
	header_copy(resp, "x-amzn-RequestId", e->request_id, sizeof e->request_id);
	header_copy(resp, "x-amz-request-id", e->request_id, sizeof e->request_id);
	if (!e->code[0]) {
		size_t l;
		const char *t = rt_proto_header(resp, "X-Amzn-ErrorType", &l);
		if (t)
			rt_proto_error_code(t, l, e->code, sizeof e->code);
	}
	if (!e->code[0]) {
		for (size_t i = 0; i < sizeof status_codes / sizeof status_codes[0]; i++)
			if (status_codes[i].status == resp->status)
				snprintf(e->code, sizeof e->code, "%s", status_codes[i].code);
		if (!e->code[0])
			snprintf(e->code, sizeof e->code, "Http%ld", resp->status);
	}
	if (!e->message[0]) {
		if (!root && rt_xml_has_content(resp->body, resp->body_len))
			snprintf(e->message, sizeof e->message,
			         "HTTP %ld with a body that is not XML (%s)", resp->status,
			         doc ? doc->error : "unreadable");
		else if (!err)
			snprintf(e->message, sizeof e->message, "HTTP %ld without an error body",
			         resp->status);
	}
	rt_proto_error_model(cat, op, e, by_query_code);
	if (e->shape == ALC_NONE)
		return AL_EPROTO;
	cJSON *fields = cJSON_CreateObject();
	if (!fields)
		return AL_ENOMEM;
	/* A member that does not parse leaves the error as it is, without that
	 * member: the service's error is what the caller needs. */
	rt_proto_error scratch;
	rt_proto_error_init(&scratch);
	int rc = err ? rt_xmlr_members(cat, e->shape, err, rest, fields, &scratch) : 0;
	if (rc == 0 && rest)
		rc = rt_rest_parse_bindings(cat, e->shape, resp, fields, NULL, &scratch);
	rt_proto_error_free(&scratch);
	if (rc == AL_ENOMEM) {
		cJSON_Delete(fields);
		return AL_ENOMEM;
	}
	cJSON_Delete(e->fields);
	e->fields = fields;
	return AL_EPROTO;
}

/* ---- writing: scalars -------------------------------------------------- */

static int bad_type(const alc_catalog *cat, uint32_t shape, const char *where, char *err,
                    size_t errcap)
{
	static const char *const names[ALC_T_COUNT] = {
		[ALC_T_BLOB] = "a base64 string", [ALC_T_BOOLEAN] = "a boolean",
		[ALC_T_STRING] = "a string", [ALC_T_BYTE] = "an integer",
		[ALC_T_SHORT] = "an integer", [ALC_T_INTEGER] = "an integer",
		[ALC_T_LONG] = "an integer", [ALC_T_FLOAT] = "a number",
		[ALC_T_DOUBLE] = "a number", [ALC_T_BIGINTEGER] = "an integer",
		[ALC_T_BIGDECIMAL] = "a number", [ALC_T_TIMESTAMP] = "a date-time string",
		[ALC_T_DOCUMENT] = "a value XML can carry", [ALC_T_ENUM] = "a string",
		[ALC_T_INTENUM] = "an integer", [ALC_T_LIST] = "an array", [ALC_T_MAP] = "an object",
		[ALC_T_STRUCTURE] = "an object", [ALC_T_UNION] = "an object",
	};
	unsigned t = shape_of(cat, shape)->type;
	snprintf(err, errcap, "%s: must be %s", where,
	         t < ALC_T_COUNT && names[t] ? names[t] : "a supported value");
	return AL_EINVAL;
}

int rt_xml_scalar_text(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                       const cJSON *v, int default_ts, rt_buf *out, const char *where,
                       char *err, size_t errcap)
{
	const alc_shape *sh = shape_of(cat, shape);
	char tmp[64];
	switch (sh->type) {
	case ALC_T_STRING:
	case ALC_T_ENUM:
		if (!cJSON_IsString(v))
			return bad_type(cat, shape, where, err, errcap);
		rt_buf_puts(out, v->valuestring);
		break;
	case ALC_T_BOOLEAN:
		if (!cJSON_IsBool(v))
			return bad_type(cat, shape, where, err, errcap);
		rt_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_INTENUM: case ALC_T_BIGINTEGER: {
		if (cJSON_IsRaw(v) && v->valuestring &&
		    json_number_text(v->valuestring, strlen(v->valuestring), 1)) {
			rt_buf_puts(out, v->valuestring);
			break;
		}
		double d = v && cJSON_IsNumber(v) ? v->valuedouble : NAN;
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9.2233720368547748e18)
			return bad_type(cat, shape, where, err, errcap);
		rt_buf_printf(out, "%lld", (long long)d);
		break;
	}
	case ALC_T_BIGDECIMAL:
		if (cJSON_IsRaw(v) && v->valuestring &&
		    json_number_text(v->valuestring, strlen(v->valuestring), 0)) {
			rt_buf_puts(out, v->valuestring);
			break;
		}
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return bad_type(cat, shape, where, err, errcap);
		rt_buf_put(out, tmp, rt_proto_fmt_double(v->valuedouble, tmp, sizeof tmp));
		break;
	case ALC_T_FLOAT:
	case ALC_T_DOUBLE: {
		double d;
		if (rt_proto_double_from_json(v, &d) != 0)
			return bad_type(cat, shape, where, err, errcap);
		rt_buf_put(out, tmp, rt_proto_fmt_double(d, tmp, sizeof tmp));
		break;
	}
	case ALC_T_TIMESTAMP: {
		rt_ts t;
		if (rt_ts_from_json(v, &t) != 0)
			return bad_type(cat, shape, where, err, errcap);
		int fmt = rt_proto_ts_format(cat, m, shape, default_ts);
		rt_buf_put(out, tmp, rt_ts_format(&t, fmt, tmp, sizeof tmp));
		break;
	}
	case ALC_T_BLOB: {
		if (!cJSON_IsString(v))
			return bad_type(cat, shape, where, err, errcap);
		/* Checked, then sent as given (padded base64 from the caller). */
		rt_buf raw;
		rt_buf_init(&raw);
		int rc = rt_base64_decode(&raw, v->valuestring, strlen(v->valuestring));
		if (rc == 0 && !raw.err)
			rt_base64_encode(out, raw.p ? raw.p : "", raw.len);
		int nomem = raw.err;
		rt_buf_free(&raw);
		if (nomem)
			return AL_ENOMEM;
		if (rc)
			return bad_type(cat, shape, where, err, errcap);
		break;
	}
	default:
		return bad_type(cat, shape, where, err, errcap);
	}
	return out->err ? AL_ENOMEM : 0;
}

/* ---- writing: restXml bodies ------------------------------------------- */

typedef struct xwctx {
	const alc_catalog *cat;
	rt_xw w;
	rt_buf tmp;            /* scalar text */
	char *err;
	size_t errcap;
	int depth;
} xwctx;

static int write_content(xwctx *c, const alc_member *m, uint32_t shape, const cJSON *v,
                         int rest, const char *where);

/* xmlns or xmlns:prefix on the open start tag. */
static void write_ns(xwctx *c, uint32_t uri, uint32_t prefix)
{
	const char *u = alc_str(c->cat, uri);
	const char *p = alc_str(c->cat, prefix);
	if (!*u)
		return;
	char name[160];
	snprintf(name, sizeof name, "%s%s%s", "xmlns", *p ? ":" : "", p);
	rt_xw_attr(&c->w, name, u, strlen(u));
}

static void member_ns(xwctx *c, const alc_member *m)
{
	const alc_member_ext *x = m ? alc_member_ext_of(c->cat, m) : NULL;
	if (x)
		write_ns(c, x->xml_ns_uri, x->xml_ns_prefix);
}

/* <NAME xmlns..>content</NAME> for value V of member M (type SHAPE). */
static int write_element(xwctx *c, const char *name, const alc_member *m, uint32_t shape,
                         const cJSON *v, const char *where)
{
	rt_xw_start(&c->w, name);
	member_ns(c, m);
	int rc = write_content(c, m, shape, v, 0, where);
	rt_xw_end(&c->w, name);
	return rc;
}

static int write_map_entry(xwctx *c, uint32_t map, const cJSON *kv, const char *where)
{
	const alc_shape *ms = shape_of(c->cat, map);
	if (ms->member_count < 2)
		return 0;
	const alc_member *km = &c->cat->members[ms->first_member];
	const alc_member *vm = &c->cat->members[ms->first_member + 1];
	const char *kn = rt_xml_member_name(c->cat, km);
	rt_xw_start(&c->w, kn);
	member_ns(c, km);
	rt_xw_text(&c->w, kv->string, strlen(kv->string));
	rt_xw_end(&c->w, kn);
	if (cJSON_IsNull(kv))
		return 0;
	return write_element(c, rt_xml_member_name(c->cat, vm), vm, vm->target, kv, where);
}

/* The members of structure SHAPE from object V, attributes first (the
 * start tag is still open). */
static int write_members(xwctx *c, uint32_t shape, const cJSON *v, int rest, const char *where)
{
	const alc_catalog *cat = c->cat;
	const alc_shape *sh = shape_of(cat, shape);
	char path[256];
	if (!cJSON_IsObject(v))
		return bad_type(cat, shape, where, c->err, c->errcap);
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < sh->member_count; i++) {
			const alc_member *m = &cat->members[sh->first_member + i];
			if ((pass == 0) != !!(m->flags & ALC_M_XML_ATTRIBUTE))
				continue;
			if (rest && !rt_rest_in_body(m))
				continue;
			const char *mname = alc_str(cat, m->name);
			const cJSON *mv = cJSON_GetObjectItemCaseSensitive(v, mname);
			if (!mv || cJSON_IsNull(mv))
				continue;
			snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", mname);
			const char *name = rt_xml_member_name(cat, m);
			const alc_shape *ts = shape_of(cat, m->target);
			int rc = 0;
			if (pass == 0) {
				rt_buf_reset(&c->tmp);
				rc = rt_xml_scalar_text(cat, m, m->target, mv, ALC_TS_DATE_TIME, &c->tmp,
				                        path, c->err, c->errcap);
				if (!rc)
					rt_xw_attr(&c->w, name, c->tmp.p ? c->tmp.p : "", c->tmp.len);
			} else if ((m->flags & ALC_M_XML_FLATTENED) && ts->type == ALC_T_LIST) {
				if (!cJSON_IsArray(mv))
					return bad_type(cat, m->target, path, c->err, c->errcap);
				const alc_member *im = &cat->members[ts->first_member];
				const cJSON *it;
				cJSON_ArrayForEach(it, mv)
				{
					if (cJSON_IsNull(it))
						continue;
					rt_xw_start(&c->w, name);
					member_ns(c, m);
					rc = write_content(c, im, im->target, it, 0, path);
					rt_xw_end(&c->w, name);
					if (rc)
						break;
				}
			} else if ((m->flags & ALC_M_XML_FLATTENED) && ts->type == ALC_T_MAP) {
				if (!cJSON_IsObject(mv))
					return bad_type(cat, m->target, path, c->err, c->errcap);
				const cJSON *kv;
				cJSON_ArrayForEach(kv, mv)
				{
					rt_xw_start(&c->w, name);
					member_ns(c, m);
					rc = write_map_entry(c, m->target, kv, path);
					rt_xw_end(&c->w, name);
					if (rc)
						break;
				}
			} else {
				rc = write_element(c, name, m, m->target, mv, path);
			}
			if (rc)
				return rc;
		}
	return 0;
}

static int write_content(xwctx *c, const alc_member *m, uint32_t shape, const cJSON *v,
                         int rest, const char *where)
{
	const alc_catalog *cat = c->cat;
	const alc_shape *sh = shape_of(cat, shape);
	if (++c->depth > XML_MAX_INPUT_DEPTH) {
		snprintf(c->err, c->errcap, "%s: input nested too deep", where);
		return AL_EINVAL;
	}
	int rc = 0;
	switch (sh->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		rc = write_members(c, shape, v, rest, where);
		break;
	case ALC_T_LIST: {
		if (!cJSON_IsArray(v)) {
			rc = bad_type(cat, shape, where, c->err, c->errcap);
			break;
		}
		const alc_member *im = &cat->members[sh->first_member];
		const char *iname = rt_xml_member_name(cat, im);
		const cJSON *it;
		rt_xw_text(&c->w, "", 0);      /* <list></list>, never <list/> */
		cJSON_ArrayForEach(it, v)
		{
			if (cJSON_IsNull(it))
				continue;
			if ((rc = write_element(c, iname, im, im->target, it, where)) != 0)
				break;
		}
		break;
	}
	case ALC_T_MAP: {
		if (!cJSON_IsObject(v)) {
			rc = bad_type(cat, shape, where, c->err, c->errcap);
			break;
		}
		const cJSON *kv;
		rt_xw_text(&c->w, "", 0);
		cJSON_ArrayForEach(kv, v)
		{
			rt_xw_start(&c->w, "entry");
			rc = write_map_entry(c, shape, kv, where);
			rt_xw_end(&c->w, "entry");
			if (rc)
				break;
		}
		break;
	}
	default:
		rt_buf_reset(&c->tmp);
		rc = rt_xml_scalar_text(cat, m, shape, v, ALC_TS_DATE_TIME, &c->tmp, where, c->err,
		                        c->errcap);
		if (!rc)
			rt_xw_text(&c->w, c->tmp.p ? c->tmp.p : "", c->tmp.len);
		break;
	}
	c->depth--;
	return rc;
}

/* The whole document: root element NAME with namespace (URI, PREFIX), the
 * content of V as SHAPE, into REQ's body. */
static int write_document(const alc_catalog *cat, const char *name, uint32_t ns_uri,
                          uint32_t ns_prefix, const alc_member *m, uint32_t shape,
                          const cJSON *v, int rest, rt_proto_request *req, char *err,
                          size_t errcap)
{
	xwctx c = { .cat = cat, .err = err, .errcap = errcap };
	rt_xw_init(&c.w);
	rt_buf_init(&c.tmp);
	rt_xw_start(&c.w, name);
	write_ns(&c, ns_uri, ns_prefix);
	int rc = write_content(&c, m, shape, v, rest, "");
	rt_xw_end(&c.w, name);
	rt_buf_free(&c.tmp);
	char *doc = NULL;
	size_t len = 0;
	int wrc = rt_xw_finish(&c.w, &doc, &len);
	if (rc) {
		free(doc);
		return rc;
	}
	if (wrc) {
		snprintf(err, errcap, "cannot build the XML body: %s", al_strerror(wrc));
		return wrc;
	}
	rt_buf_reset(&req->body);
	rt_buf_put(&req->body, doc, len);
	free(doc);
	if (!rt_kvlist_find(&req->headers, "Content-Type", 1))
		rt_kvlist_adds(&req->headers, "Content-Type", "application/xml");
	return req->body.err ? req->body.err : req->headers.err;
}

/* Namespace of a document element: the member's, else the shape's, else
 * the service's. */
static void root_ns(const alc_catalog *cat, const alc_operation *op, const alc_member *m,
                    uint32_t shape, uint32_t *uri, uint32_t *prefix)
{
	const alc_member_ext *mx = m ? alc_member_ext_of(cat, m) : NULL;
	const alc_shape_ext *sx = shape_ext(cat, shape);
	const alc_service *svc = &cat->svcs[op->service];
	if (mx && mx->xml_ns_uri) {
		*uri = mx->xml_ns_uri;
		*prefix = mx->xml_ns_prefix;
	} else if (sx && sx->xml_ns_uri) {
		*uri = sx->xml_ns_uri;
		*prefix = sx->xml_ns_prefix;
	} else {
		*uri = svc->xml_ns_uri;
		*prefix = svc->xml_ns_prefix;
	}
}

static const char *shape_xml_name(const alc_catalog *cat, uint32_t shape)
{
	const alc_shape_ext *sx = shape_ext(cat, shape);
	if (sx && sx->xml_name)
		return alc_str(cat, sx->xml_name);
	return alc_str(cat, shape_of(cat, shape)->name);
}

static int restxml_serialize(const alc_catalog *cat, const alc_operation *op,
                             const cJSON *input, rt_proto_request *req, char *err, size_t errcap)
{
	rt_rest_body body;
	memset(&body, 0, sizeof body);
	int rc = rt_rest_serialize(cat, op, input, req, &body, err, errcap);
	if (rc)
		return rc;
	uint32_t uri, prefix;
	if (body.payload) {
		const alc_member *pm = body.payload;
		const alc_shape *ps = shape_of(cat, pm->target);
		if (!body.payload_value || cJSON_IsNull(body.payload_value)) {
			/* unset: no body */
		} else if (ps->type == ALC_T_STRUCTURE || ps->type == ALC_T_UNION) {
			const alc_member_ext *mx = alc_member_ext_of(cat, pm);
			const char *name = mx && mx->xml_name ? alc_str(cat, mx->xml_name)
			                                      : shape_xml_name(cat, pm->target);
			root_ns(cat, op, pm, pm->target, &uri, &prefix);
			rc = write_document(cat, name, uri, prefix, pm, pm->target, body.payload_value,
			                    0, req, err, errcap);
		} else {
			rc = rt_rest_raw_payload(cat, pm, body.payload_value, req, err, errcap);
		}
	} else if (body.body_set && op->input != ALC_NONE) {
		root_ns(cat, op, NULL, op->input, &uri, &prefix);
		rc = write_document(cat, shape_xml_name(cat, op->input), uri, prefix, NULL, op->input,
		                    input, 1, req, err, errcap);
	}
	if (rc)
		return rc;
	rt_proto_add_checksum(cat, op, req);
	if (req->headers.err || req->body.err)
		return AL_ENOMEM;
	return 0;
}

/* ---- restXml responses ------------------------------------------------- */

static int parse_doc(const rt_proto_response *resp, rt_xdoc *doc, rt_proto_error *e)
{
	int rc = rt_xml_parse(resp->body, resp->body_len, doc);
	if (rc == AL_EPROTO || rc == AL_ETOOBIG) {
		rt_proto_error_set(e, RT_PERR_MALFORMED, "MalformedResponse", "%s", doc->error);
		e->http_status = resp->status;
		return AL_EPROTO;
	}
	return rc;
}

/* s3UnwrappedXmlOutput (see the top): the scalar body member named like
 * ROOT, when ROOT has no child elements. */
static const alc_member *unwrapped_member(const alc_catalog *cat, uint32_t shape,
                                          const rt_xnode *root)
{
	if (root->child)
		return NULL;
	const alc_shape *sh = shape_of(cat, shape);
	for (uint32_t i = 0; i < sh->member_count; i++) {
		const alc_member *m = &cat->members[sh->first_member + i];
		unsigned t = shape_of(cat, m->target)->type;
		if (!(m->flags & (RESPONSE_BINDINGS | ALC_M_XML_ATTRIBUTE)) &&
		    t != ALC_T_STRUCTURE && t != ALC_T_UNION && t != ALC_T_LIST && t != ALC_T_MAP &&
		    rt_xml_is(root, rt_xml_member_name(cat, m)))
			return m;
	}
	return NULL;
}

static int restxml_success(const alc_catalog *cat, const alc_operation *op,
                           const rt_proto_response *resp, cJSON *obj, rt_proto_error *e)
{
	const alc_member *payload = NULL;
	int rc = rt_rest_parse_bindings(cat, op->output, resp, obj, &payload, e);
	if (rc)
		return rc;
	if (payload) {
		unsigned t = shape_of(cat, payload->target)->type;
		if (t != ALC_T_STRUCTURE && t != ALC_T_UNION)
			return rt_rest_parse_raw_payload(cat, payload, resp, obj);
	}
	if (!rt_xml_has_content(resp->body, resp->body_len))
		return 0;
	rt_xdoc doc;
	if ((rc = parse_doc(resp, &doc, e)) != 0) {
		rt_xml_free(&doc);
		return rc;
	}
	if (payload) {
		cJSON *v = rt_xmlr_value(cat, payload, payload->target, doc.root, e, &rc);
		if (v && !cJSON_AddItemToObject(obj, alc_str(cat, payload->name), v)) {
			cJSON_Delete(v);
			rc = AL_ENOMEM;
		}
	} else {
		const alc_member *um = unwrapped_member(cat, op->output, doc.root);
		if (um) {
			cJSON *v = rt_xmlr_value(cat, um, um->target, doc.root, e, &rc);
			if (v && !cJSON_AddItemToObject(obj, alc_str(cat, um->name), v)) {
				cJSON_Delete(v);
				rc = AL_ENOMEM;
			}
		} else {
			rc = rt_xmlr_members(cat, op->output, doc.root, 1, obj, e);
		}
	}
	rt_xml_free(&doc);
	if (rc == AL_EPROTO)
		e->http_status = resp->status;
	return rc;
}

static int is_success(const alc_operation *op, long status)
{
	return (status >= 200 && status < 300) || (op->http_code && status == (long)op->http_code);
}

static int restxml_parse(const alc_catalog *cat, const alc_operation *op,
                         const rt_proto_response *resp, cJSON **out, rt_proto_error *e)
{
	*out = NULL;
	if (!is_success(op, resp->status)) {
		rt_xdoc doc;
		memset(&doc, 0, sizeof doc);
		int have = rt_xml_has_content(resp->body, resp->body_len);
		if (have && rt_xml_parse(resp->body, resp->body_len, &doc) == AL_ENOMEM) {
			rt_xml_free(&doc);
			return AL_ENOMEM;
		}
		/* A body that did not parse leaves doc.root NULL and says why. */
		int rc = rt_xml_read_error(cat, op, resp, have ? &doc : NULL, 0, 1, e);
		rt_xml_free(&doc);
		return rc;
	}
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		return AL_ENOMEM;
	int rc = op->output != ALC_NONE ? restxml_success(cat, op, resp, obj, e) : 0;
	if (rc) {
		cJSON_Delete(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

const rt_proto rt_proto_restxml = {
	.protocol = ALC_PROTO_RESTXML,
	.name = "restXml",
	.serialize = restxml_serialize,
	.parse = restxml_parse,
};
