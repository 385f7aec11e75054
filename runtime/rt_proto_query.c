/*
 * rt_proto_query.c -- the awsQuery and ec2Query protocols.
 *
 * Request: POST / with an application/x-www-form-urlencoded body
 * "Action=<operation>&Version=<service version>&..." and the input's
 * members as dotted keys, in model order:
 *
 *                     awsQuery                     ec2Query
 *   member key        xmlName, else member name    ec2QueryName, else
 *                                                  xmlName capitalised, else
 *                                                  member name capitalised
 *   structure         Key.Member=...               Key.Member=...
 *   list              Key.member.1=a (the list     Key.1=a (always flat;
 *                     member's xmlName for         the list member's name
 *                     "member"); flattened:        is not used)
 *                     Key.1=a
 *   empty list        Key=                         nothing
 *   map               Key.entry.1.key=k&           as awsQuery
 *                     Key.entry.1.value=v (key and
 *                     value renamed by their
 *                     xmlName); flattened: Key.1.key
 *   empty map         nothing                      nothing
 *   timestamp         date-time unless the member or its target says
 *                     otherwise; blobs base64; booleans true/false
 *
 * Names and values are form-encoded as botocore encodes them (RFC 3986
 * unreserved bytes kept, space as '+', the rest %XX).  The hostPrefix is
 * expanded (rt_proto_host_prefix).
 *
 * Response: XML.  awsQuery wraps the output in
 * <OperationResponse><OperationResult>...</OperationResult>
 * <ResponseMetadata/></OperationResponse>; ec2Query puts the output's
 * members straight under <OperationResponse> beside <requestId>.  Neither
 * wrapper's name is checked (the SDKs ignore an output's xmlName there).
 * Errors: awsQuery <ErrorResponse><Error><Code/><Message/></Error>
 * <RequestId/></ErrorResponse>, the code matched against the modeled
 * errors' awsQueryError codes; ec2Query <Response><Errors><Error>...
 * </Error></Errors><RequestID/></Response> (rt_xml_read_error takes both).
 */
#include "rt_proto_xml.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "alc_err.h"

#define QUERY_MAX_DEPTH 128

typedef struct qctx {
	const alc_catalog *cat;
	rt_buf *body;
	rt_buf key;             /* the dotted key being built */
	rt_buf tmp;             /* scalar text */
	int ec2;
	int depth;
	char *err;
	size_t errcap;
} qctx;

/* S form-encoded exactly as botocore does (urllib's quote_plus): RFC 3986
 * unreserved bytes kept, space as '+', every other byte %XX.  Servers that
 * check SigV4 by re-encoding the parsed form (moto) only agree with this
 * spelling, and AWS accepts it everywhere. */
static void put_form(rt_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~')
			continue;
		rt_buf_put(b, s + from, i - from);
		if (ch == ' ') {
			rt_buf_putc(b, '+');
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
			rt_buf_put(b, e, 3);
		}
		from = i + 1;
	}
	rt_buf_put(b, s + from, n - from);
}

/* "&KEY=VALUE", both form-encoded. */
static void put_param(qctx *c, const char *value, size_t vlen)
{
	rt_buf_putc(c->body, '&');
	put_form(c->body, c->key.p ? c->key.p : "", c->key.len);
	rt_buf_putc(c->body, '=');
	put_form(c->body, value, vlen);
}

/* The name member M is sent under. */
static void member_key(qctx *c, const alc_member *m, rt_buf *out)
{
	const alc_member_ext *x = alc_member_ext_of(c->cat, m);
	if (!c->ec2) {
		rt_buf_puts(out, rt_xml_member_name(c->cat, m));
		return;
	}
	if (x && x->ec2_name) {
		rt_buf_puts(out, alc_str(c->cat, x->ec2_name));
		return;
	}
	const char *n = x && x->xml_name ? alc_str(c->cat, x->xml_name) : alc_str(c->cat, m->name);
	if (*n) {
		rt_buf_putc(out, (char)toupper((unsigned char)*n));
		rt_buf_puts(out, n + 1);
	}
}

static int q_value(qctx *c, const alc_member *m, uint32_t shape, const cJSON *v, int flattened);

/* Append ".SUFFIX" (or "SUFFIX" at the top) to the key; returns the length
 * to restore. */
static size_t key_push(qctx *c, const char *s, size_t n)
{
	size_t at = c->key.len;
	if (at)
		rt_buf_putc(&c->key, '.');
	rt_buf_put(&c->key, s, n);
	return at;
}

static size_t key_push_index(qctx *c, size_t i)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%zu", i);
	return key_push(c, num, (size_t)n);
}

static void key_pop(qctx *c, size_t at)
{
	c->key.len = at;
	if (c->key.p)
		c->key.p[at] = '\0';
}

static int q_struct(qctx *c, uint32_t shape, const cJSON *v)
{
	const alc_catalog *cat = c->cat;
	const alc_shape *sh = &cat->shapes[shape];
	if (!cJSON_IsObject(v)) {
		snprintf(c->err, c->errcap, "%s: must be an object",
		         c->key.len ? c->key.p : alc_str(cat, sh->name));
		return AL_EINVAL;
	}
	rt_buf name;
	rt_buf_init(&name);
	int rc = 0;
	for (uint32_t i = 0; i < sh->member_count && !rc; i++) {
		const alc_member *m = &cat->members[sh->first_member + i];
		const cJSON *mv = cJSON_GetObjectItemCaseSensitive(v, alc_str(cat, m->name));
		if (!mv || cJSON_IsNull(mv))
			continue;
		rt_buf_reset(&name);
		member_key(c, m, &name);
		if (name.err) {
			rc = AL_ENOMEM;
			break;
		}
		size_t at = key_push(c, name.p ? name.p : "", name.len);
		rc = q_value(c, m, m->target, mv, !!(m->flags & ALC_M_XML_FLATTENED));
		key_pop(c, at);
	}
	rt_buf_free(&name);
	return rc;
}

static int q_list(qctx *c, uint32_t shape, const cJSON *v, int flattened)
{
	const alc_catalog *cat = c->cat;
	const alc_shape *sh = &cat->shapes[shape];
	if (!cJSON_IsArray(v)) {
		snprintf(c->err, c->errcap, "%s: must be an array", c->key.p ? c->key.p : "");
		return AL_EINVAL;
	}
	if (cJSON_GetArraySize(v) == 0 || sh->member_count < 1) {
		if (!c->ec2)
			put_param(c, "", 0);
		return 0;
	}
	const alc_member *im = &cat->members[sh->first_member];
	size_t base = c->key.len;
	if (!c->ec2 && !flattened) {
		const char *iname = rt_xml_member_name(cat, im);
		key_push(c, iname, strlen(iname));
	}
	size_t i = 0;
	const cJSON *it;
	int rc = 0;
	cJSON_ArrayForEach(it, v)
	{
		if (cJSON_IsNull(it))
			continue;
		size_t at = key_push_index(c, ++i);
		rc = q_value(c, im, im->target, it, 0);
		key_pop(c, at);
		if (rc)
			break;
	}
	key_pop(c, base);
	return rc;
}

static int q_map(qctx *c, uint32_t shape, const cJSON *v, int flattened)
{
	const alc_catalog *cat = c->cat;
	const alc_shape *sh = &cat->shapes[shape];
	if (!cJSON_IsObject(v)) {
		snprintf(c->err, c->errcap, "%s: must be an object", c->key.p ? c->key.p : "");
		return AL_EINVAL;
	}
	if (sh->member_count < 2)
		return 0;
	const alc_member *km = &cat->members[sh->first_member];
	const alc_member *vm = &cat->members[sh->first_member + 1];
	const char *kn = rt_xml_member_name(cat, km);
	const char *vn = rt_xml_member_name(cat, vm);
	size_t base = c->key.len;
	if (!flattened)
		key_push(c, "entry", 5);
	size_t i = 0;
	const cJSON *kv;
	int rc = 0;
	cJSON_ArrayForEach(kv, v)
	{
		if (cJSON_IsNull(kv))
			continue;
		size_t at = key_push_index(c, ++i);
		size_t at2 = key_push(c, kn, strlen(kn));
		put_param(c, kv->string, strlen(kv->string));
		key_pop(c, at2);
		key_push(c, vn, strlen(vn));
		rc = q_value(c, vm, vm->target, kv, 0);
		key_pop(c, at);
		if (rc)
			break;
	}
	key_pop(c, base);
	return rc;
}

static int q_value(qctx *c, const alc_member *m, uint32_t shape, const cJSON *v, int flattened)
{
	const alc_shape *sh = &c->cat->shapes[shape];
	if (++c->depth > QUERY_MAX_DEPTH) {
		snprintf(c->err, c->errcap, "%s: input nested too deep", c->key.p ? c->key.p : "");
		return AL_EINVAL;
	}
	int rc;
	switch (sh->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		rc = q_struct(c, shape, v);
		break;
	case ALC_T_LIST:
		rc = q_list(c, shape, v, flattened);
		break;
	case ALC_T_MAP:
		rc = q_map(c, shape, v, flattened);
		break;
	default:
		rt_buf_reset(&c->tmp);
		rc = rt_xml_scalar_text(c->cat, m, shape, v, ALC_TS_DATE_TIME, &c->tmp,
		                        c->key.p ? c->key.p : "", c->err, c->errcap);
		if (!rc)
			put_param(c, c->tmp.p ? c->tmp.p : "", c->tmp.len);
		break;
	}
	c->depth--;
	if (!rc && (c->key.err || c->tmp.err || c->body->err))
		rc = AL_ENOMEM;
	return rc;
}

static int query_serialize_common(const alc_catalog *cat, const alc_operation *op,
                                  const cJSON *input, rt_proto_request *req, char *err,
                                  size_t errcap, int ec2)
{
	const alc_service *svc = &cat->svcs[op->service];
	snprintf(req->method, sizeof req->method, "POST");
	rt_buf_reset(&req->path);
	rt_buf_puts(&req->path, "/");
	rt_buf_reset(&req->body);
	rt_buf_puts(&req->body, "Action=");
	const char *action = alc_str(cat, op->name);
	put_form(&req->body, action, strlen(action));
	rt_buf_puts(&req->body, "&Version=");
	const char *version = alc_str(cat, svc->version);
	put_form(&req->body, version, strlen(version));
	int rc = 0;
	if (op->input != ALC_NONE && input) {
		qctx c = { .cat = cat, .body = &req->body, .ec2 = ec2, .err = err, .errcap = errcap };
		rt_buf_init(&c.key);
		rt_buf_init(&c.tmp);
		rc = q_struct(&c, op->input, input);
		rt_buf_free(&c.key);
		rt_buf_free(&c.tmp);
	}
	if (rc)
		return rc;
	rt_kvlist_adds(&req->headers, "Content-Type", "application/x-www-form-urlencoded");
	if ((rc = rt_proto_host_prefix(cat, op, input, req, err, errcap)) != 0)
		return rc;
	if (req->body.err || req->path.err || req->headers.err)
		return AL_ENOMEM;
	return 0;
}

static int awsquery_serialize(const alc_catalog *cat, const alc_operation *op,
                              const cJSON *input, rt_proto_request *req, char *err,
                              size_t errcap)
{
	return query_serialize_common(cat, op, input, req, err, errcap, 0);
}

static int ec2query_serialize(const alc_catalog *cat, const alc_operation *op,
                              const cJSON *input, rt_proto_request *req, char *err,
                              size_t errcap)
{
	return query_serialize_common(cat, op, input, req, err, errcap, 1);
}

/* ---- responses --------------------------------------------------------- */

static int query_parse_common(const alc_catalog *cat, const alc_operation *op,
                              const rt_proto_response *resp, cJSON **out, rt_proto_error *e,
                              int ec2)
{
	*out = NULL;
	int have_body = rt_xml_has_content(resp->body, resp->body_len);
	rt_xdoc doc;
	memset(&doc, 0, sizeof doc);
	int prc = have_body ? rt_xml_parse(resp->body, resp->body_len, &doc) : AL_EPROTO;
	if (prc == AL_ENOMEM) {
		rt_xml_free(&doc);
		return prc;
	}
	int rc = 0;
	if (resp->status < 200 || resp->status >= 300) {
		rc = rt_xml_read_error(cat, op, resp, have_body ? &doc : NULL, !ec2, 0, e);
		rt_xml_free(&doc);
		return rc;
	}
	cJSON *obj = cJSON_CreateObject();
	if (!obj) {
		rt_xml_free(&doc);
		return AL_ENOMEM;
	}
	if (have_body && prc != 0) {
		rt_proto_error_set(e, RT_PERR_MALFORMED, "MalformedResponse", "%s", doc.error);
		rc = AL_EPROTO;
	} else if (have_body && op->output != ALC_NONE) {
		const rt_xnode *n = doc.root;
		if (!ec2) {
			/* <OperationResult>: by name, else the first child that is
			 * not the metadata. */
			char want[300];
			snprintf(want, sizeof want, "%sResult", alc_str(cat, op->name));
			const rt_xnode *r = rt_xml_child(n, want);
			for (const rt_xnode *ch = n->child; !r && ch; ch = ch->next)
				if (!rt_xml_is(ch, "ResponseMetadata"))
					r = ch;
			n = r;
		}
		if (n)
			rc = rt_xmlr_members(cat, op->output, n, 0, obj, e);
	}
	rt_xml_free(&doc);
	if (rc) {
		if (rc == AL_EPROTO)
			e->http_status = resp->status;
		cJSON_Delete(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

static int awsquery_parse(const alc_catalog *cat, const alc_operation *op,
                          const rt_proto_response *resp, cJSON **out, rt_proto_error *e)
{
	return query_parse_common(cat, op, resp, out, e, 0);
}

static int ec2query_parse(const alc_catalog *cat, const alc_operation *op,
                          const rt_proto_response *resp, cJSON **out, rt_proto_error *e)
{
	return query_parse_common(cat, op, resp, out, e, 1);
}

const rt_proto rt_proto_awsquery = {
	.protocol = ALC_PROTO_AWSQUERY,
	.name = "awsQuery",
	.serialize = awsquery_serialize,
	.parse = awsquery_parse,
};

const rt_proto rt_proto_ec2query = {
	.protocol = ALC_PROTO_EC2QUERY,
	.name = "ec2Query",
	.serialize = ec2query_serialize,
	.parse = ec2query_parse,
};
