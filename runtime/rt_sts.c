/*
 * rt_sts.c -- see rt_sts.h.
 *
 * The XML reader is expat with a memory suite that wipes every block it
 * frees (malloc_usable_size gives the block's size): AssumeRole answers
 * carry a secret key and a session token, and expat buffers text.  Only the
 * elements asked for are kept, each by (parent, name), into fixed buffers;
 * a DOCTYPE stops the parse (STS never sends one).
 */
#include "rt_sts.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <expat.h>

#include "alc_err.h"
#include "rt_awsconfig.h"
#include "rt_sigv4.h"

/* ---- XML ------------------------------------------------------------ */

typedef struct xfield {
	const char *parent, *name;
	char *dst;
	size_t cap, len;
	int seen, over;
} xfield;

typedef struct xstate {
	XML_Parser p;
	xfield *f;
	size_t nf;
	const char *stack[32];
	size_t depth;
	xfield *cur;              /* the field whose text is being read */
	int doctype;
} xstate;

static void *w_malloc(size_t n)
{
	return malloc(n);
}

static void w_free(void *p)
{
	if (p) {
		rt_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

static void *w_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t old = malloc_usable_size(p);
	void *np = malloc(n);
	if (!np)
		return NULL;
	memcpy(np, p, old < n ? old : n);
	w_free(p);
	return np;
}

static const XML_Memory_Handling_Suite wiping_suite = { w_malloc, w_realloc, w_free };

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	(void)atts;
	xstate *s = ud;
	size_t max = sizeof s->stack / sizeof s->stack[0];
	/* Below the stack's depth the parent is unknown: nothing matches there,
	 * and no STS answer nests that deep. */
	const char *parent = s->depth == 0 ? "" : s->depth <= max ? s->stack[s->depth - 1] : NULL;
	s->cur = NULL;
	for (size_t i = 0; parent && i < s->nf; i++)
		if (strcmp(s->f[i].name, name) == 0 && strcmp(s->f[i].parent, parent) == 0) {
			s->cur = &s->f[i];
			s->cur->len = 0;
			s->cur->seen = 1;
			s->cur->dst[0] = '\0';
		}
	/* expat's name pointers live until the end tag. */
	if (s->depth < max)
		s->stack[s->depth] = name;
	s->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)name;
	xstate *s = ud;
	if (s->depth)
		s->depth--;
	s->cur = NULL;
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int n)
{
	xstate *s = ud;
	xfield *f = s->cur;
	if (!f || n <= 0)
		return;
	if ((size_t)n >= f->cap - f->len) {
		f->over = 1;
		return;
	}
	memcpy(f->dst + f->len, t, (size_t)n);
	f->len += (size_t)n;
	f->dst[f->len] = '\0';
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	xstate *s = ud;
	s->doctype = 1;
	XML_StopParser(s->p, XML_FALSE);
}

/* Parse BODY; 0, or -1 when it is not well-formed XML or a field overflowed. */
static int xml_read(const char *body, size_t len, xfield *f, size_t nf)
{
	xstate s = { .f = f, .nf = nf };
	for (size_t i = 0; i < nf; i++) {
		f[i].len = 0;
		f[i].seen = 0;
		f[i].over = 0;
		f[i].dst[0] = '\0';
	}
	if (len > (size_t)1 << 30)
		return -1;
	s.p = XML_ParserCreate_MM(NULL, &wiping_suite, NULL);
	if (!s.p)
		return -1;
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, on_start, on_end);
	XML_SetCharacterDataHandler(s.p, on_text);
	XML_SetStartDoctypeDeclHandler(s.p, on_doctype);
	enum XML_Status st = XML_Parse(s.p, body, (int)len, XML_TRUE);
	XML_ParserFree(s.p);
	if (st != XML_STATUS_OK || s.doctype)
		return -1;
	for (size_t i = 0; i < nf; i++)
		if (f[i].over)
			return -1;
	return 0;
}

/* ---- requests ------------------------------------------------------- */

int rt_sts_endpoint(const rt_awsconfig *cfg, const char *profile, const char *region, char *buf,
                    size_t cap)
{
	const char *u = rt_awsconfig_endpoint_url(cfg, profile, "STS");
	int n;
	if (u) {
		n = snprintf(buf, cap, "%s", u);
	} else {
		if (!region || !region[0])
			region = "us-east-1";
		for (const char *r = region; *r; r++)
			if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
				return AL_EINVAL;
		n = snprintf(buf, cap, "https://sts.%s.amazonaws.com%s", region,
		             strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	}
	return n > 0 && (size_t)n < cap ? 0 : AL_ETOOBIG;
}

static void form_put(char **p, char *end, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(end - *p) > n) {
		memcpy(*p, s, n);
		*p += n;
	} else {
		*p = end;
	}
}

static void form_param(char **p, char *end, const char *k, const char *v)
{
	form_put(p, end, "&");
	form_put(p, end, k);
	form_put(p, end, "=");
	size_t need = rt_sigv4_uri_encode(v, strlen(v), 0, *p, (size_t)(end - *p));
	*p = need < (size_t)(end - *p) ? *p + need : end;
}

/* Keep an STS error message safe to show. */
static void clean_message(char *m, size_t cap, const rt_creds *c)
{
	static const char *const cut[] = { "The Canonical String", "Canonical String",
		                           "canonical request", "String-to-Sign" };
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		char *x = strstr(m, cut[i]);
		if (x) {
			*x = '\0';
			size_t l = strlen(m);
			snprintf(m + l, cap - l, "(the canonical request it quotes is not shown)");
		}
	}
	rt_creds_redact(m, cap, c);
}

/* POST FORM to the target, signed with C; the answer's body into RESP. */
static int sts_call(const rt_sts_target *t, const rt_creds *c, const char *form, rt_http_response *resp,
                    rt_aws_error *e)
{
	char host[512], path[2048];
	int https;
	int rc = rt_http_url_split(t->endpoint, host, sizeof host, path, sizeof path, &https);
	if (rc) {
		snprintf(e->message, sizeof e->message, "the STS endpoint is not a usable URL");
		return AL_EINVAL;
	}
	static const char ctype[] = "application/x-www-form-urlencoded; charset=utf-8";
	rt_sigv4_header sh[2] = { { "Host", 4, host, strlen(host) },
		                  { "Content-Type", 12, ctype, sizeof ctype - 1 } };
	rt_sigv4_request sreq = { .method = "POST", .path = path, .path_len = strlen(path),
		                  .headers = sh, .nheaders = 2, .body = form, .body_len = strlen(form) };
	/* No credentials: an unsigned call (AssumeRoleWithWebIdentity). */
	rt_sigv4_params sp = { .access_key_id = c ? c->access_key_id : "",
		               .secret_access_key = c ? c->secret_access_key : "",
		               .session_token = c ? c->session_token : NULL,
		               .region = t->region && t->region[0] ? t->region : "us-east-1",
		               .service = "sts", .time = (int64_t)time(NULL),
		               .flags = RT_SIGV4_DEFAULT };
	size_t cap = c ? rt_sigv4_buffer_size(&sreq, &sp) : 1;
	char *ws = malloc(cap);
	if (!ws)
		return AL_ENOMEM;
	rt_sigv4_result sr;
	memset(&sr, 0, sizeof sr);
	rc = c ? rt_sigv4_sign(&sreq, &sp, ws, cap, &sr) : 0;
	if (rc) {
		rt_wipe(ws, cap);
		free(ws);
		snprintf(e->message, sizeof e->message, "cannot sign the STS request: %s",
		         al_strerror(rc));
		return rc;
	}
	rt_http_header hh[8];
	char *vals[6] = { 0 };
	size_t nh = 0;
	hh[nh++] = (rt_http_header){ "Host", host };
	hh[nh++] = (rt_http_header){ "Content-Type", ctype };
	for (size_t i = 0; i < sr.nadd && !rc; i++) {
		/* rt_http wants NUL-terminated values. */
		char *v = malloc(sr.add[i].value_len + 1);
		if (!v) {
			rc = AL_ENOMEM;
			break;
		}
		memcpy(v, sr.add[i].value, sr.add[i].value_len);
		v[sr.add[i].value_len] = '\0';
		vals[i] = v;
		hh[nh++] = (rt_http_header){ sr.add[i].name, v };
	}
	hh[nh++] = (rt_http_header){ "Accept", "text/xml" };
	rt_http *own = NULL;
	rt_http *h = t->http;
	if (!rc && !h) {
		rc = rt_http_open(&own);
		h = own;
	}
	if (!rc) {
		rt_http_request hr = { .method = "POST", .url = t->endpoint, .headers = hh,
			               .nheaders = nh, .body = form, .body_len = strlen(form),
			               .connect_timeout_ms = 5000, .read_timeout_ms = 30000,
			               .total_timeout_ms = 60000, .ca_bundle = t->ca_bundle,
			               .max_response = 1 << 20 };
		char err[256];
		rc = rt_http_perform(h, &hr, resp, err, sizeof err);
		if (rc)
			snprintf(e->message, sizeof e->message, "STS at %.200s: %.280s", host, err);
	}
	for (size_t i = 0; i < 6; i++)
		if (vals[i]) {
			rt_wipe(vals[i], strlen(vals[i]));
			free(vals[i]);
		}
	rt_wipe(ws, cap);
	free(ws);
	rt_http_close(own);
	return rc;
}

/* An error answer (any status but 200) into E. */
static int sts_error(const rt_http_response *r, const rt_creds *c, rt_aws_error *e)
{
	xfield f[] = {
		{ "Error", "Code", e->code, sizeof e->code, 0, 0, 0 },
		{ "Error", "Message", e->message, sizeof e->message, 0, 0, 0 },
		{ "ErrorResponse", "RequestId", e->request_id, sizeof e->request_id, 0, 0, 0 },
	};
	e->http_status = r->status;
	if (xml_read(r->body, r->body_len, f, 3) != 0 || !f[0].seen) {
		e->code[0] = e->message[0] = e->request_id[0] = '\0';
		snprintf(e->message, sizeof e->message,
		         "STS answered HTTP %ld with a body that is not an STS error", r->status);
		return AL_EPROTO;
	}
	if (!e->request_id[0]) {
		size_t l;
		const char *rid = rt_http_header_find(r, "x-amzn-RequestId", &l);
		if (rid && l < sizeof e->request_id) {
			memcpy(e->request_id, rid, l);
			e->request_id[l] = '\0';
		}
	}
	clean_message(e->message, sizeof e->message, c);
	rt_creds_redact(e->code, sizeof e->code, c);
	return AL_EPROTO;
}

int rt_sts_get_caller_identity(const rt_sts_target *t, const rt_creds *c, rt_sts_identity *id,
                               rt_aws_error *e)
{
	memset(e, 0, sizeof *e);
	memset(id, 0, sizeof *id);
	rt_http_response r;
	int rc = sts_call(t, c, "Action=GetCallerIdentity&Version=2011-06-15", &r, e);
	if (rc) {
		rt_http_response_free(&r);
		return rc;
	}
	if (r.status != 200) {
		rc = sts_error(&r, c, e);
		rt_http_response_free(&r);
		return rc;
	}
	e->http_status = r.status;
	if (rt_sts_parse_identity(r.body, r.body_len, id, e->request_id, sizeof e->request_id)) {
		snprintf(e->message, sizeof e->message,
		         "STS answered GetCallerIdentity with a body that does not parse");
		rc = AL_EPROTO;
	}
	rt_http_response_free(&r);
	return rc;
}

int rt_sts_parse_identity(const char *body, size_t len, rt_sts_identity *id, char *request_id,
                          size_t rid_cap)
{
	char rid[96];
	memset(id, 0, sizeof *id);
	xfield f[] = {
		{ "GetCallerIdentityResult", "Account", id->account, sizeof id->account, 0, 0, 0 },
		{ "GetCallerIdentityResult", "Arn", id->arn, sizeof id->arn, 0, 0, 0 },
		{ "GetCallerIdentityResult", "UserId", id->user_id, sizeof id->user_id, 0, 0, 0 },
		{ "ResponseMetadata", "RequestId", rid, sizeof rid, 0, 0, 0 },
	};
	if (xml_read(body, len, f, 4) != 0 || !f[0].seen || !f[1].seen)
		return AL_EPROTO;
	if (request_id && rid_cap)
		snprintf(request_id, rid_cap, "%s", rid);
	return 0;
}

int rt_sts_parse_credentials(const char *body, size_t len, rt_creds *out, char *request_id,
                             size_t rid_cap)
{
	char expiration[64], rid[96];
	rt_creds_wipe(out);
	xfield f[] = {
		{ "Credentials", "AccessKeyId", out->access_key_id, sizeof out->access_key_id, 0, 0, 0 },
		{ "Credentials", "SecretAccessKey", out->secret_access_key,
		  sizeof out->secret_access_key, 0, 0, 0 },
		{ "Credentials", "SessionToken", out->session_token, sizeof out->session_token, 0, 0, 0 },
		{ "Credentials", "Expiration", expiration, sizeof expiration, 0, 0, 0 },
		{ "ResponseMetadata", "RequestId", rid, sizeof rid, 0, 0, 0 },
	};
	if (xml_read(body, len, f, 5) != 0 || !f[0].seen || !f[1].seen || !f[2].seen ||
	    !f[3].seen || !out->access_key_id[0] || !out->secret_access_key[0] ||
	    (out->expiration = rt_creds_parse_time(expiration)) < 0) {
		rt_creds_wipe(out);
		return AL_EPROTO;
	}
	if (request_id && rid_cap)
		snprintf(request_id, rid_cap, "%s", rid);
	return 0;
}

int rt_sts_assume_role_call(const rt_sts_target *t, const rt_creds *src,
                            const rt_sts_assume_role *a, rt_creds *out, rt_aws_error *e)
{
	memset(e, 0, sizeof *e);
	rt_creds_wipe(out);
	if (!a->role_arn || !a->role_arn[0] || !a->role_session_name || !a->role_session_name[0]) {
		snprintf(e->message, sizeof e->message, "AssumeRole needs a role ARN and a session name");
		return AL_EINVAL;
	}
	char form[8192];
	char *p = form, *end = form + sizeof form - 1;
	form_put(&p, end, "Action=AssumeRole&Version=2011-06-15");
	form_param(&p, end, "RoleArn", a->role_arn);
	form_param(&p, end, "RoleSessionName", a->role_session_name);
	if (a->duration_seconds > 0) {
		char d[16];
		snprintf(d, sizeof d, "%d", a->duration_seconds);
		form_param(&p, end, "DurationSeconds", d);
	}
	if (a->external_id && a->external_id[0])
		form_param(&p, end, "ExternalId", a->external_id);
	if (p >= end) {
		snprintf(e->message, sizeof e->message, "AssumeRole parameters too long");
		return AL_EINVAL;
	}
	*p = '\0';
	rt_http_response r;
	int rc = sts_call(t, src, form, &r, e);
	if (rc) {
		rt_wipe(form, sizeof form);
		rt_http_response_free(&r);
		return rc;
	}
	rt_wipe(form, sizeof form);
	if (r.status != 200) {
		rc = sts_error(&r, src, e);
		rt_http_response_free(&r);
		return rc;
	}
	e->http_status = r.status;
	if (rt_sts_parse_credentials(r.body, r.body_len, out, e->request_id, sizeof e->request_id)) {
		snprintf(e->message, sizeof e->message,
		         "STS answered AssumeRole with a body that does not parse");
		rc = AL_EPROTO;
	} else {
		out->source = "assume-role";
	}
	rt_http_response_free(&r);
	return rc;
}

int rt_sts_assume_role_with_web_identity(const rt_sts_target *t, const rt_sts_assume_role *a,
                                         const char *web_token, rt_creds *out, rt_aws_error *e)
{
	memset(e, 0, sizeof *e);
	rt_creds_wipe(out);
	if (!a->role_arn || !a->role_arn[0] || !a->role_session_name ||
	    !a->role_session_name[0] || !web_token || !web_token[0]) {
		snprintf(e->message, sizeof e->message,
		         "AssumeRoleWithWebIdentity needs a role ARN, a session name and a token");
		return AL_EINVAL;
	}
	size_t cap = 3 * strlen(web_token) + 4096;
	char *form = malloc(cap);
	if (!form)
		return AL_ENOMEM;
	char *p = form, *end = form + cap - 1;
	form_put(&p, end, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
	form_param(&p, end, "RoleArn", a->role_arn);
	form_param(&p, end, "RoleSessionName", a->role_session_name);
	if (a->duration_seconds > 0) {
		char d[16];
		snprintf(d, sizeof d, "%d", a->duration_seconds);
		form_param(&p, end, "DurationSeconds", d);
	}
	form_param(&p, end, "WebIdentityToken", web_token);
	int rc = 0;
	if (p >= end) {
		snprintf(e->message, sizeof e->message, "AssumeRoleWithWebIdentity parameters too long");
		rc = AL_EINVAL;
	}
	*p = '\0';
	rt_http_response r = { 0 };
	if (!rc)
		rc = sts_call(t, NULL, form, &r, e);
	rt_wipe(form, cap);
	free(form);
	/* For redaction: the web token stands where a session token would. */
	rt_creds *red = calloc(1, sizeof *red);
	if (red && strlen(web_token) < sizeof red->session_token)
		strcpy(red->session_token, web_token);
	if (!rc && r.status != 200) {
		rc = red ? sts_error(&r, red, e) : AL_ENOMEM;
	} else if (!rc) {
		e->http_status = r.status;
		if (rt_sts_parse_credentials(r.body, r.body_len, out, e->request_id,
		                             sizeof e->request_id)) {
			snprintf(e->message, sizeof e->message,
			         "STS answered AssumeRoleWithWebIdentity with a body that does not parse");
			rc = AL_EPROTO;
		} else {
			out->source = "web-identity";
		}
	}
	if (red) {
		rt_creds_wipe(red);
		free(red);
	}
	rt_http_response_free(&r);
	return rc;
}

/* ---- whoami --------------------------------------------------------- */

static const char whoami_usage[] =
	"usage: airlock whoami [--profile P] [--region R] [--json]\n"
	"  Call STS GetCallerIdentity with the credentials airlock resolves (as the AWS\n"
	"  CLI does: environment, profile, container, instance metadata) and print the\n"
	"  account, ARN, user id, profile, region and where the credentials came from.\n";

int rt_sts_account(const char *profile, const char *region, char *out, size_t cap,
                   char *err, size_t errcap)
{
	/* One cached answer per process and (profile, region): credentials do
	 * not change account while a server runs. */
	static char c_profile[128], c_region[64], c_account[32];
	static int c_valid;
	const char *pk = profile ? profile : "", *rk = region ? region : "";
	if (c_valid && strcmp(c_profile, pk) == 0 && strcmp(c_region, rk) == 0) {
		snprintf(out, cap, "%s", c_account);
		return 0;
	}
	rt_creds_options o = { .profile = profile, .region = region };
	rt_creds_provider *prov;
	int rc = rt_creds_provider_new(&prov, &o, err, errcap);
	if (rc)
		return rc;
	rt_creds *c = malloc(sizeof *c);
	if (!c) {
		rt_creds_provider_free(prov);
		return AL_ENOMEM;
	}
	rc = rt_creds_get(prov, c, err, errcap);
	if (!rc) {
		const char *prof = rt_creds_provider_profile(prov);
		const char *reg = rt_creds_provider_region(prov);
		char endpoint[1024];
		rc = rt_sts_endpoint(rt_creds_provider_config(prov), prof, reg, endpoint, sizeof endpoint);
		if (rc) {
			snprintf(err, errcap, "no usable STS endpoint for region %s", reg ? reg : "(none)");
		} else {
			rt_sts_identity id;
			rt_aws_error e;
			rt_sts_target t = { .endpoint = endpoint, .region = reg ? reg : "us-east-1",
			                    .ca_bundle = rt_awsconfig_ca_bundle(rt_creds_provider_config(prov),
			                                                        prof) };
			rc = rt_sts_get_caller_identity(&t, c, &id, &e);
			if (rc)
				snprintf(err, errcap, "STS GetCallerIdentity: %s%s%s", e.code,
				         e.code[0] ? ": " : "", e.message);
			else {
				snprintf(out, cap, "%s", id.account);
				snprintf(c_profile, sizeof c_profile, "%s", pk);
				snprintf(c_region, sizeof c_region, "%s", rk);
				snprintf(c_account, sizeof c_account, "%s", id.account);
				c_valid = 1;
			}
		}
	}
	rt_creds_wipe(c);
	free(c);
	rt_creds_provider_free(prov);
	return rc;
}

int rt_sts_whoami_main(int argc, char **argv)
{
	const char *profile = NULL, *region = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		const char *name = NULL;
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(whoami_usage, stdout);
			return 0;
		}
		if (strncmp(a, "--profile", 9) == 0 && (a[9] == '\0' || a[9] == '=')) {
			dst = &profile;
			name = "--profile";
		} else if (strncmp(a, "--region", 8) == 0 && (a[8] == '\0' || a[8] == '=')) {
			dst = &region;
			name = "--region";
		} else {
			fprintf(stderr, "airlock: whoami: unknown argument %s\n%s", a, whoami_usage);
			return 2;
		}
		const char *v = strchr(a, '=');
		if (v)
			v++;
		else if (i + 1 < argc)
			v = argv[++i];
		if (!v || !v[0]) {
			fprintf(stderr, "airlock: whoami: %s needs a value\n", name);
			return 2;
		}
		*dst = v;
	}

	char err[512];
	rt_creds_options o = { .profile = profile, .region = region };
	rt_creds_provider *prov;
	int rc = rt_creds_provider_new(&prov, &o, err, sizeof err);
	if (rc) {
		fprintf(stderr, "airlock: whoami: %s\n", err[0] ? err : al_strerror(rc));
		return 1;
	}
	rt_creds *c = malloc(sizeof *c);
	if (!c) {
		rt_creds_provider_free(prov);
		fputs("airlock: out of memory\n", stderr);
		return 4;
	}
	rc = rt_creds_get(prov, c, err, sizeof err);
	if (rc) {
		fprintf(stderr, "airlock: whoami: %s\n", err[0] ? err : al_strerror(rc));
		free(c);
		rt_creds_provider_free(prov);
		return 1;
	}
	const char *prof = rt_creds_provider_profile(prov);
	const char *reg = rt_creds_provider_region(prov);
	char endpoint[1024];
	rc = rt_sts_endpoint(rt_creds_provider_config(prov), prof, reg, endpoint, sizeof endpoint);
	rt_sts_identity id;
	rt_aws_error e;
	if (!rc) {
		rt_sts_target t = { .endpoint = endpoint, .region = reg ? reg : "us-east-1",
			            .ca_bundle = rt_awsconfig_ca_bundle(rt_creds_provider_config(prov),
			                                                prof) };
		rc = rt_sts_get_caller_identity(&t, c, &id, &e);
	} else {
		snprintf(e.message, sizeof e.message, "no usable STS endpoint for region %s",
		         reg ? reg : "(none)");
		e.code[0] = '\0';
	}
	const char *source = c->source;
	rt_creds_wipe(c);
	free(c);
	int status = 0;
	if (rc) {
		int rid = e.request_id[0] != '\0';
		if (e.code[0])
			fprintf(stderr, "airlock: whoami: STS refused GetCallerIdentity: %s: %s%s%s%s\n",
			        e.code, e.message, rid ? " (request id " : "", rid ? e.request_id : "",
			        rid ? ")" : "");
		else
			fprintf(stderr, "airlock: whoami: %s\n", e.message[0] ? e.message : al_strerror(rc));
		status = 1;
	} else if (json) {
		cJSON *o2 = cJSON_CreateObject();
		if (o2 && cJSON_AddStringToObject(o2, "account", id.account) &&
		    cJSON_AddStringToObject(o2, "arn", id.arn) &&
		    cJSON_AddStringToObject(o2, "user_id", id.user_id) &&
		    cJSON_AddStringToObject(o2, "profile", prof) &&
		    (reg ? cJSON_AddStringToObject(o2, "region", reg) != NULL
		         : cJSON_AddNullToObject(o2, "region") != NULL) &&
		    cJSON_AddStringToObject(o2, "credential_source", source) &&
		    cJSON_AddStringToObject(o2, "sts_endpoint", endpoint)) {
			char *s = cJSON_PrintUnformatted(o2);
			if (s) {
				puts(s);
				free(s);
			} else {
				status = 4;
			}
		} else {
			status = 4;
		}
		cJSON_Delete(o2);
	} else {
		printf("account            %s\n", id.account);
		printf("arn                %s\n", id.arn);
		printf("user_id            %s\n", id.user_id);
		printf("profile            %s\n", prof);
		printf("region             %s\n", reg ? reg : "(none configured; STS in us-east-1)");
		printf("credential_source  %s\n", source);
	}
	rt_creds_provider_free(prov);
	if (fflush(stdout) != 0 && status == 0)
		status = 4;
	return status;
}
