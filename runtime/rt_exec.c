/*
 * rt_exec.c -- see rt_exec.h.
 *
 * One call: validate -> copy the input and fill idempotency tokens ->
 * resolve the endpoint (rules engine; a configured endpoint URL is the
 * SDK::Endpoint builtIn) -> serialize (rt_proto) -> for each attempt: sign
 * (rt_sigv4, signing name and region from the endpoint's auth scheme) ->
 * send (rt_http) -> parse -> classify (rt_retry).  Pagination repeats the
 * whole call with the next token, merging the items.
 *
 * Retry safety: an operation that is neither readonly nor idempotent and
 * carries no idempotency token is retried only when the attempt failed
 * before the request could have left (DNS, connection refused): once it
 * may have reached AWS, a retry could apply it twice.
 *
 * Bounds: attempts (RT_EXEC_MAX_ATTEMPTS), pages (RT_EXEC_MAX_PAGES),
 * backoff (20 s a retry, cut to the call's total timeout), each HTTP
 * exchange (connect and read timeouts, rt_http's response cap).
 */
#include "rt_exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <zlib.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "rt_awsconfig.h"
#include "rt_endpoint.h"
#include "rt_http.h"
#include "rt_retry.h"
#include "rt_schema.h"
#include "rt_sigv4.h"

struct rt_exec {
	const alc_catalog *cat;
	rt_exec_options o;
	rt_creds_provider *prov;
	rt_creds creds;
	int have_creds;          /* o.creds given: creds holds them for good */
	rt_http *http;
	rt_sigv4_key_cache keys;
	rt_retry_quota quota;
	int max_attempts;
	char *sigbuf;            /* signer workspace, grown as needed */
	size_t sigcap;
	rt_endpoint ep;          /* result and scratch of the last resolution */
	rt_endpoint_params epp;
	int64_t skew;            /* seconds to add to the local clock, learnt
	                            from a clock-skew error's Date header */
};

/* ---- small helpers -------------------------------------------------- */

static unsigned rand32(rt_exec *x)
{
	if (x->o.random)
		return x->o.random(x->o.random_ud);
	unsigned r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned)time(NULL) * 2654435761u;
	return r;
}

static void sleep_ms(rt_exec *x, long ms)
{
	if (ms <= 0)
		return;
	if (x->o.sleep_ms) {
		x->o.sleep_ms(x->o.sleep_ud, ms);
		return;
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rt_uuid4(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		/* getrandom only fails before the pool is seeded; never silently
		 * reuse a token: mix the time and address in */
		uint64_t t = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
		for (size_t i = 0; i < sizeof b; i++) {
			t = t * 6364136223846793005ull + 1442695040888963407ull;
			b[i] = (unsigned char)(t >> 56);
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	static const char hex[] = "0123456789abcdef";
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 15];
	}
	*o = '\0';
}

/* ---- idempotency tokens ---------------------------------------------- */

static int fill(const alc_catalog *cat, const alc_operation *op, cJSON *input,
                const char *token)
{
	if (!cJSON_IsObject(input))
		return AL_EINVAL;
	if (op->input == ALC_NONE)
		return 0;
	const alc_shape *s = &cat->shapes[op->input];
	int n = 0;
	for (uint32_t i = 0; i < s->member_count; i++) {
		uint32_t mi = s->first_member + i;
		const alc_member *m = &cat->members[mi];
		if (!(m->flags & ALC_M_IDEMPOTENCY_TOKEN) && mi != op->idem_member)
			continue;
		const char *name = alc_str(cat, m->name);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, name);
		if (v && !cJSON_IsNull(v))
			continue;
		char u[37];
		if (!token)
			rt_uuid4(u);
		cJSON_DeleteItemFromObjectCaseSensitive(input, name);
		if (!cJSON_AddStringToObject(input, name, token ? token : u))
			return AL_ENOMEM;
		n++;
	}
	return n;
}

int rt_exec_fill_tokens(const alc_catalog *cat, const alc_operation *op, cJSON *input)
{
	return fill(cat, op, input, NULL);
}

int rt_exec_fill_tokens_with(const alc_catalog *cat, const alc_operation *op, cJSON *input,
                             const char *token)
{
	return fill(cat, op, input, token);
}

int rt_exec_retry_safe(const alc_catalog *cat, const alc_operation *op, const cJSON *input)
{
	if ((op->flags & ALC_OP_IDEMPOTENT) || alc_op_is_read(alc_str(cat, op->name), op->flags))
		return 1;
	if (op->input == ALC_NONE || !input)
		return 0;
	const alc_shape *s = &cat->shapes[op->input];
	for (uint32_t i = 0; i < s->member_count; i++) {
		uint32_t mi = s->first_member + i;
		const alc_member *m = &cat->members[mi];
		if (!(m->flags & ALC_M_IDEMPOTENCY_TOKEN) && mi != op->idem_member)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, alc_str(cat, m->name));
		if (cJSON_IsString(v) && v->valuestring[0])
			return 1;
	}
	return 0;
}

/* ---- the URL --------------------------------------------------------- */

static int host_is_literal(const char *h, size_t n)
{
	if (n && h[0] == '[')
		return 1;
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			return 0;
	return n > 0;
}

int rt_exec_target(const char *endpoint, const rt_proto_request *req, rt_buf *url,
                   rt_buf *host, rt_buf *path)
{
	const char *p = endpoint;
	int https;
	if (strncasecmp(p, "https://", 8) == 0) {
		https = 1;
		p += 8;
	} else if (strncasecmp(p, "http://", 7) == 0) {
		https = 0;
		p += 7;
	} else {
		return AL_EINVAL;
	}
	size_t an = strcspn(p, "/?#");
	if (an == 0 || memchr(p, '@', an) || p[an] == '?' || p[an] == '#')
		return AL_EINVAL;
	const char *base = p + an;
	if (strpbrk(base, "?#"))
		return AL_EINVAL;
	/* the port, when it is the scheme's default, is not part of Host */
	size_t hn = an;
	const char *colon = NULL;
	for (size_t i = an; i > 0; i--) {
		if (p[i - 1] == ']')
			break;
		if (p[i - 1] == ':') {
			colon = p + i - 1;
			break;
		}
	}
	if (colon) {
		const char *port = colon + 1;
		size_t pl = an - (size_t)(port - p);
		if ((https && pl == 3 && strncmp(port, "443", 3) == 0) ||
		    (!https && pl == 2 && strncmp(port, "80", 2) == 0))
			hn = (size_t)(colon - p);
	}
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	/* an IP address or localhost has no subdomains: no host prefix there */
	size_t pre = req->host_prefix.len;
	if (pre && host_is_literal(p, colon ? (size_t)(colon - p) : an))
		pre = 0;
	/* an empty request path (S3's bucket label gone) is the endpoint's */
	const char *rp = req->path.p ? req->path.p : "";
	if (!*rp && bl == 0)
		rp = "/";
	if (host) {
		rt_buf_reset(host);
		rt_buf_put(host, req->host_prefix.p, pre);
		rt_buf_put(host, p, hn);
		if (host->err)
			return host->err;
	}
	if (path) {
		rt_buf_reset(path);
		rt_buf_put(path, base, bl);
		rt_buf_puts(path, rp);
		if (path->err)
			return path->err;
	}
	if (url) {
		rt_buf_reset(url);
		rt_buf_puts(url, https ? "https://" : "http://");
		rt_buf_put(url, req->host_prefix.p, pre);
		rt_buf_put(url, p, an);
		rt_buf_put(url, base, bl);
		rt_buf_puts(url, rp);
		if (req->query.n) {
			rt_buf_putc(url, '?');
			rt_proto_query_string(req, url);
		}
		if (url->err)
			return url->err;
	}
	return 0;
}

/* ---- building the request -------------------------------------------- */

static int is_s3(const alc_catalog *cat, const alc_service *svc)
{
	return strcmp(alc_str(cat, svc->sdk_id), "S3") == 0 &&
	       strcmp(alc_str(cat, svc->signing_name), "s3") == 0;
}

/* S3 puts the bucket in the endpoint (virtual host or path style), so the
 * {Bucket} label leaves the path. */
static void s3_strip_bucket(const alc_catalog *cat, const alc_operation *op,
                            rt_proto_request *req)
{
	const char *uri = alc_str(cat, op->http_uri);
	if (strncmp(uri, "/{Bucket}", 9) != 0 || (uri[9] && uri[9] != '/' && uri[9] != '?'))
		return;
	char *p = req->path.p;
	size_t n = req->path.len;
	if (!p || n < 2)
		return;
	size_t e = 1;
	while (e < n && p[e] != '/')
		e++;
	memmove(p, p + e, n - e + 1);
	req->path.len = n - e;     /* may be empty: the endpoint's path alone */
}

static int svc_is(const alc_catalog *cat, const alc_operation *op, const char *sdk_id)
{
	return strcmp(alc_str(cat, cat->svcs[op->service].sdk_id), sdk_id) == 0;
}

const char *rt_exec_input_endpoint(const alc_catalog *cat, const alc_operation *op,
                                   const cJSON *input)
{
	if (!svc_is(cat, op, "Machine Learning") || strcmp(alc_str(cat, op->name), "Predict") != 0)
		return NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(input, "PredictEndpoint");
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* Glacier's SHA-256 tree hash: the hashes of 1 MiB chunks, combined in
 * pairs until one is left (an odd one out moves up as it is). */
static int tree_hash(const void *data, size_t len, char hex[65])
{
	size_t n = len ? (len + (1u << 20) - 1) >> 20 : 1;
	unsigned char (*h)[32] = malloc(n * 32);
	if (!h)
		return AL_ENOMEM;
	char tmp[65];
	for (size_t i = 0; i < n; i++) {
		size_t off = i << 20, cl = len - off < (1u << 20) ? len - off : (1u << 20);
		rt_sha256_hex((const char *)data + off, len ? cl : 0, tmp);
		for (int k = 0; k < 32; k++) {
			unsigned v;
			sscanf(tmp + 2 * k, "%2x", &v);
			h[i][k] = (unsigned char)v;
		}
	}
	while (n > 1) {
		size_t m = 0;
		for (size_t i = 0; i < n; i += 2) {
			if (i + 1 == n) {
				memmove(h[m++], h[i], 32);
				break;
			}
			unsigned char pair[64];
			memcpy(pair, h[i], 32);
			memcpy(pair + 32, h[i + 1], 32);
			rt_sha256_hex(pair, 64, tmp);
			for (int k = 0; k < 32; k++) {
				unsigned v;
				sscanf(tmp + 2 * k, "%2x", &v);
				h[m][k] = (unsigned char)v;
			}
			m++;
		}
		n = m;
	}
	static const char xd[] = "0123456789abcdef";
	for (int k = 0; k < 32; k++) {
		hex[2 * k] = xd[h[0][k] >> 4];
		hex[2 * k + 1] = xd[h[0][k] & 15];
	}
	hex[64] = '\0';
	free(h);
	return 0;
}

static int gzip_body(rt_proto_request *req)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return AL_ENOMEM;
	uLong bound = deflateBound(&z, (uLong)req->body.len);
	char *p = malloc(bound + 1);
	if (!p) {
		deflateEnd(&z);
		return AL_ENOMEM;
	}
	z.next_in = (Bytef *)req->body.p;
	z.avail_in = (uInt)req->body.len;
	z.next_out = (Bytef *)p;
	z.avail_out = (uInt)bound;
	int zr = deflate(&z, Z_FINISH);
	size_t n = bound - z.avail_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(p);
		return AL_EIO;
	}
	p[n] = '\0';
	rt_wipe(req->body.p, req->body.cap);
	free(req->body.p);
	req->body.p = p;
	req->body.len = n;
	req->body.cap = bound + 1;
	return 0;
}

static long config_min_compression(void)
{
	const char *v = getenv("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES");
	return v && *v ? atol(v) : 0;
}

int rt_exec_prepare(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                    const rt_exec_prepare_options *po, rt_proto_request *req, char *err,
                    size_t errcap)
{
	const alc_service *svc = &cat->svcs[op->service];
	const rt_proto *proto = rt_proto_for((int)svc->protocol);
	if (!proto) {
		snprintf(err, errcap, "this runtime cannot speak the service's protocol yet");
		return AL_EUNSUPPORTED;
	}
	cJSON *copy = NULL;
	int glacier = svc_is(cat, op, "Glacier");
	if (glacier && input && rt_proto_member(cat, op->input, "accountId", 9)) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(input, "accountId");
		if (!cJSON_IsString(a) || !a->valuestring[0]) {
			/* "-": the account of the credentials */
			if (!(copy = cJSON_Duplicate(input, 1)))
				return AL_ENOMEM;
			cJSON_DeleteItemFromObjectCaseSensitive(copy, "accountId");
			cJSON_AddStringToObject(copy, "accountId", "-");
			input = copy;
		}
	}
	int rc = proto->serialize(cat, op, input, req, err, errcap);
	cJSON_Delete(copy);
	if (rc)
		return rc;
	if (svc_is(cat, op, "API Gateway") && !rt_kvlist_find(&req->headers, "Accept", 1))
		rt_kvlist_adds(&req->headers, "Accept", "application/json");
	if (glacier) {
		rt_kvlist_adds(&req->headers, "X-Amz-Glacier-Version", alc_str(cat, svc->version));
		if ((req->flags & RT_REQ_STREAMING_BODY) &&
		    !rt_kvlist_find(&req->headers, "X-Amz-Sha256-Tree-Hash", 1)) {
			char hex[65];
			rt_sha256_hex(req->body.p ? req->body.p : "", req->body.len, hex);
			rt_kvlist_adds(&req->headers, "X-Amz-Content-Sha256", hex);
			if ((rc = tree_hash(req->body.p ? req->body.p : "", req->body.len, hex)))
				return rc;
			rt_kvlist_adds(&req->headers, "X-Amz-Sha256-Tree-Hash", hex);
		}
	}
	/* compression before the checksum: the checksum is of what is sent */
	long min = po && po->min_compression_bytes > 0 ? po->min_compression_bytes
	                                               : config_min_compression();
	if (min <= 0)
		min = RT_EXEC_MIN_COMPRESSION;
	const char *dis = getenv("AWS_DISABLE_REQUEST_COMPRESSION");
	if ((op->flags & ALC_OP_REQUEST_COMPRESSION) && !(po && po->disable_compression) &&
	    !(dis && strcasecmp(dis, "true") == 0) && !(req->flags & RT_REQ_STREAMING_BODY) &&
	    req->body.len >= (size_t)min) {
		if ((rc = gzip_body(req)))
			return rc;
		rt_kv *ce = NULL;
		for (size_t i = 0; i < req->headers.n; i++)
			if (strcasecmp(req->headers.v[i].name, "Content-Encoding") == 0)
				ce = &req->headers.v[i];
		if (ce) {
			size_t l = strlen(ce->value);
			char *v = malloc(l + 7);
			if (!v)
				return AL_ENOMEM;
			memcpy(v, ce->value, l);
			memcpy(v + l, l ? ", gzip" : "gzip", l ? 7 : 5);
			free(ce->value);
			ce->value = v;
		} else {
			rt_kvlist_adds(&req->headers, "Content-Encoding", "gzip");
		}
	}
	rt_proto_add_checksum(cat, op, req);
	if (is_s3(cat, svc))
		s3_strip_bucket(cat, op, req);
	return req->headers.err || req->body.err ? AL_ENOMEM : 0;
}

/* ---- the context ----------------------------------------------------- */

static int env_attempts(const rt_awsconfig *cfg, const char *profile)
{
	const char *v = getenv("AWS_MAX_ATTEMPTS");
	if ((!v || !*v) && cfg)
		v = rt_awsconfig_get(cfg, profile, "max_attempts");
	return v && *v ? atoi(v) : 0;
}

int rt_exec_new(rt_exec **out, const alc_catalog *cat, const rt_exec_options *o, char *err,
                size_t errcap)
{
	*out = NULL;
	rt_exec *x = calloc(1, sizeof *x);
	if (!x)
		return AL_ENOMEM;
	x->cat = cat;
	if (o)
		x->o = *o;
	rt_creds_options co = { x->o.profile, x->o.region, NULL };
	int rc = rt_creds_provider_new(&x->prov, &co, err, errcap);
	if (rc) {
		free(x);
		return rc;
	}
	if (x->o.creds) {
		x->creds = *x->o.creds;
		x->have_creds = 1;
		x->o.creds = NULL;
	}
	if ((rc = rt_http_open(&x->http))) {
		rt_creds_provider_free(x->prov);
		free(x);
		return rc;
	}
	rt_retry_quota_init(&x->quota);
	int n = x->o.max_attempts;
	if (n <= 0)
		n = env_attempts(rt_creds_provider_config(x->prov), rt_creds_provider_profile(x->prov));
	if (n <= 0)
		n = RT_EXEC_DEFAULT_ATTEMPTS;
	x->max_attempts = n > RT_EXEC_MAX_ATTEMPTS ? RT_EXEC_MAX_ATTEMPTS : n;
	*out = x;
	return 0;
}

void rt_exec_free(rt_exec *x)
{
	if (!x)
		return;
	rt_creds_wipe(&x->creds);
	rt_sigv4_key_cache_wipe(&x->keys);
	rt_creds_provider_free(x->prov);
	rt_http_close(x->http);
	if (x->sigbuf) {
		rt_wipe(x->sigbuf, x->sigcap);
		free(x->sigbuf);
	}
	free(x);
}

const char *rt_exec_region(const rt_exec *x)
{
	return x->o.region ? x->o.region : rt_creds_provider_region(x->prov);
}

void rt_exec_result_init(rt_exec_result *r)
{
	memset(r, 0, sizeof *r);
	rt_proto_error_init(&r->error);
}

void rt_exec_result_free(rt_exec_result *r)
{
	cJSON_Delete(r->output);
	rt_proto_error_free(&r->error);
	rt_exec_result_init(r);
}

cJSON *rt_exec_result_json(const alc_catalog *cat, const rt_exec_result *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int ok;
	if (r->error.kind != RT_PERR_NONE) {
		cJSON *e = rt_proto_error_json(cat, &r->error);
		ok = e && cJSON_AddItemToObject(o, "error", e);
		if (!ok)
			cJSON_Delete(e);
	} else {
		cJSON *out = r->output ? cJSON_Duplicate(r->output, 1) : cJSON_CreateObject();
		ok = out && cJSON_AddItemToObject(o, "output", out);
		if (!ok)
			cJSON_Delete(out);
	}
	ok = ok && cJSON_AddNumberToObject(o, "attempts", r->attempts) &&
	     cJSON_AddNumberToObject(o, "pages", r->pages);
	if (ok && r->truncated)
		ok = cJSON_AddBoolToObject(o, "truncated", 1) != NULL;
	if (ok && r->request_id[0])
		ok = cJSON_AddStringToObject(o, "request_id", r->request_id) != NULL;
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- one page: endpoint, serialize, attempts ------------------------- */

static int client_error(rt_exec_result *res, int rc, const char *code, const char *msg)
{
	rt_proto_error_free(&res->error);
	rt_proto_error_set(&res->error, RT_PERR_CLIENT, code, "%s", msg);
	return rc;
}


int rt_exec_endpoint_resolve(const alc_catalog *cat, const alc_operation *op,
                             const cJSON *input, const rt_exec_endpoint_config *cfg,
                             rt_endpoint_params *p, rt_endpoint *ep, rt_exec_endpoint *out,
                             char *err, size_t errcap)
{
	const alc_service *svc = &cat->svcs[op->service];
	out->signing_name = alc_str(cat, svc->signing_name);
	if (!*out->signing_name)
		out->signing_name = alc_str(cat, svc->endpoint_prefix);
	out->signing_region = cfg->region ? cfg->region : "us-east-1";
	out->disable_double_encoding = -1;
	out->sigv4a_only = 0;
	out->url = NULL;
	if (svc->rules_size == 0) {
		if (!cfg->endpoint_url) {
			snprintf(err, errcap, "the service has no endpoint rules; set an endpoint URL");
			return AL_ENOTFOUND;
		}
		out->url = cfg->endpoint_url;
		return 0;
	}
	rt_endpoint_params_init(p);
	if (cfg->region)
		rt_endpoint_set_string(p, "AWS::Region", cfg->region);
	if (cfg->endpoint_url)
		rt_endpoint_set_string(p, "SDK::Endpoint", cfg->endpoint_url);
	rt_endpoint_set_bool(p, "AWS::UseFIPS", cfg->use_fips);
	rt_endpoint_set_bool(p, "AWS::UseDualStack", cfg->use_dualstack);
	int fps = cfg->s3_force_path_style;
	if (fps < 0)
		fps = cfg->endpoint_url != NULL;
	if (fps)
		rt_endpoint_set_bool(p, "AWS::S3::ForcePathStyle", 1);
	if (cfg->s3_accelerate)
		rt_endpoint_set_bool(p, "AWS::S3::Accelerate", 1);
	int rc = rt_endpoint_params_for_operation(cat, op, input, p, err, errcap);
	if (!rc)
		rc = rt_endpoint_resolve(cat, svc, p, ep, err, errcap);
	if (rc)
		return rc;
	out->url = rt_endpoint_str(ep, ep->url);
	/* the first SigV4 scheme; SigV4a only when it is the only one */
	for (int i = 0; i < ep->nauth; i++) {
		const rt_endpoint_auth *a = &ep->auth[i];
		const char *name = rt_endpoint_str(ep, a->name);
		if (strcmp(name, "sigv4") != 0 && strcmp(name, "sigv4-s3express") != 0) {
			if (strcmp(name, "sigv4a") == 0)
				out->sigv4a_only = 1;
			continue;
		}
		out->sigv4a_only = 0;
		if (*rt_endpoint_str(ep, a->signing_name))
			out->signing_name = rt_endpoint_str(ep, a->signing_name);
		if (*rt_endpoint_str(ep, a->signing_region))
			out->signing_region = rt_endpoint_str(ep, a->signing_region);
		out->disable_double_encoding = a->disable_double_encoding;
		break;
	}
	return 0;
}

/* The endpoint of OP for INPUT as the context is configured. */
static int resolve(rt_exec *x, const alc_operation *op, const cJSON *input,
                   rt_exec_endpoint *e, rt_exec_result *res)
{
	const alc_catalog *cat = x->cat;
	const alc_service *svc = &cat->svcs[op->service];
	const char *region = rt_exec_region(x);
	rt_exec_endpoint_config cfg = { region, x->o.endpoint_url, 0, 0, -1, 0 };
	if (!cfg.endpoint_url)
		cfg.endpoint_url = rt_awsconfig_endpoint_url(rt_creds_provider_config(x->prov),
		                                             rt_creds_provider_profile(x->prov),
		                                             alc_str(cat, svc->sdk_id));
	char err[512] = "";
	int rc = rt_exec_endpoint_resolve(cat, op, input, &cfg, &x->epp, &x->ep, e, err,
	                                  sizeof err);
	if (rc) {
		char m[700];
		snprintf(m, sizeof m, "endpoint resolution failed: %s%s", err,
		         region ? "" : " (no region is configured: set --region or AWS_REGION)");
		return client_error(res, rc, "EndpointNotResolved", m);
	}
	const char *own = rt_exec_input_endpoint(cat, op, input);
	if (own)
		e->url = own;
	return 0;
}


static int get_creds(rt_exec *x, rt_exec_result *res)
{
	if (x->have_creds)
		return 0;
	char err[512] = "";
	int rc = rt_creds_get(x->prov, &x->creds, err, sizeof err);
	if (rc)
		return client_error(res, rc, "NoCredentials", err);
	return 0;
}

/* 1 when the failure happened before any byte could reach the server:
 * libcurl's CURLE_COULDNT_RESOLVE_PROXY (5), _RESOLVE_HOST (6),
 * _COULDNT_CONNECT (7), stable values of its ABI (rt_http keeps the code). */
/* A NUL-terminated copy of N bytes that need not be terminated (strndup
 * may look for a NUL past N, and ASan's strict string checks say so). */
static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

static int before_send(int curl_code)
{
	return curl_code == 5 || curl_code == 6 || curl_code == 7;
}

/* After an error CODE that says the request's time was off (and a Date
 * header in RESP): the offset to the server's clock, when it is more than
 * a minute.  Returns 1 when the clock was corrected. */
static int learn_skew(rt_exec *x, const rt_proto_response *resp, const char *code)
{
	static const char *const codes[] = { "RequestTimeTooSkewed", "RequestExpired",
		                             "RequestInTheFuture", "InvalidSignatureException",
		                             "SignatureDoesNotMatch", "AuthFailure" };
	int hit = 0;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(code, codes[i]) == 0)
			hit = 1;
	size_t n;
	const char *d = hit ? rt_proto_header(resp, "Date", &n) : NULL;
	rt_ts t;
	if (!d || rt_ts_parse(d, n, ALC_TS_HTTP_DATE, &t))
		return 0;
	int64_t skew = t.sec - (int64_t)time(NULL);
	if (skew > -60 && skew < 60)
		return 0;
	x->skew = skew;
	return 1;
}

typedef struct page_ctx {
	int64_t deadline;        /* monotonic ms, 0: none */
} page_ctx;

static int one_page(rt_exec *x, const alc_operation *op, const cJSON *input, page_ctx *pc,
                    rt_exec_result *res, cJSON **out)
{
	const alc_catalog *cat = x->cat;
	const alc_service *svc = &cat->svcs[op->service];
	const rt_proto *proto = rt_proto_for((int)svc->protocol);
	*out = NULL;
	if (!proto)
		return client_error(res, AL_EUNSUPPORTED, "UnsupportedProtocol",
		                    "this runtime cannot speak the service's protocol yet");
	rt_exec_endpoint ee;
	int rc = resolve(x, op, input, &ee, res);
	if (rc)
		return rc;
	const char *url = ee.url, *sname = ee.signing_name, *sregion = ee.signing_region;
	int no_double = ee.disable_double_encoding, sigv4a = ee.sigv4a_only;
	int sign = !x->o.unsigned_requests && !(op->flags & ALC_OP_NO_AUTH) &&
	           (svc->flags & ALC_SVC_SIGV4);
	if (sign && sigv4a)
		return client_error(res, AL_EUNSUPPORTED, "UnsupportedAuth",
		                    "the endpoint requires SigV4a, which airlock does not sign yet");
	if (sign && (rc = get_creds(x, res)))
		return rc;

	rt_proto_request req;
	rt_proto_request_init(&req);
	char err[512] = "";
	rc = rt_exec_prepare(cat, op, input, NULL, &req, err, sizeof err);
	if (rc) {
		rt_proto_request_free(&req);
		return client_error(res, rc, "SerializationError", err);
	}
	/* endpoint headers */
	for (int i = 0; i < x->ep.nheaders && svc->rules_size; i++)
		rt_kvlist_adds(&req.headers, rt_endpoint_str(&x->ep, x->ep.headers[i].name),
		               rt_endpoint_str(&x->ep, x->ep.headers[i].value));

	rt_buf ubuf, hbuf, pbuf;
	rt_buf_init(&ubuf);
	rt_buf_init(&hbuf);
	rt_buf_init(&pbuf);
	if ((rc = rt_exec_target(url, &req, &ubuf, &hbuf, &pbuf))) {
		rt_buf_free(&ubuf);
		rt_buf_free(&hbuf);
		rt_buf_free(&pbuf);
		rt_proto_request_free(&req);
		return client_error(res, rc, "EndpointNotResolved", "the endpoint URL is not usable");
	}
	rt_buf qbuf;
	rt_buf_init(&qbuf);
	rt_proto_query_string(&req, &qbuf);

	/* headers: Host, User-Agent, the request's, then the signer's */
	size_t nh = req.headers.n + 2;
	rt_sigv4_header *sh = calloc(nh + 4, sizeof *sh);
	rt_http_header *hh = calloc(nh + 4, sizeof *hh);
	if (!sh || !hh || req.headers.err || qbuf.err) {
		free(sh);
		free(hh);
		rt_buf_free(&ubuf);
		rt_buf_free(&hbuf);
		rt_buf_free(&pbuf);
		rt_buf_free(&qbuf);
		rt_proto_request_free(&req);
		return client_error(res, AL_ENOMEM, "OutOfMemory", "out of memory");
	}
	/* A content hash the request carries is the signer's to add (the
	 * same SHA-256 of the body). */
	int content_sha = 0;
	for (size_t i = 0; i < req.headers.n; i++)
		if (strcasecmp(req.headers.v[i].name, "X-Amz-Content-Sha256") == 0) {
			free(req.headers.v[i].name);
			free(req.headers.v[i].value);
			memmove(&req.headers.v[i], &req.headers.v[i + 1],
			        (req.headers.n - i - 1) * sizeof req.headers.v[0]);
			req.headers.n--;
			content_sha = 1;
			break;
		}
	size_t k = 0;
	sh[k] = (rt_sigv4_header){ "Host", 4, hbuf.p, hbuf.len };
	hh[k++] = (rt_http_header){ "Host", hbuf.p };
	for (size_t i = 0; i < req.headers.n; i++) {
		const rt_kv *kv = &req.headers.v[i];
		sh[k] = (rt_sigv4_header){ kv->name, strlen(kv->name), kv->value, strlen(kv->value) };
		hh[k++] = (rt_http_header){ kv->name, kv->value };
	}
	size_t nsigned = k;
	hh[k++] = (rt_http_header){ "User-Agent", "airlock/" AIRLOCK_VERSION " md/exec" };

	int retry_safe = rt_exec_retry_safe(cat, op, input);
	int skew_fixed = 0;
	int cost = 0;
	rc = 0;
	for (int attempt = 1;; attempt++) {
		size_t nsend = k;
		rt_sigv4_result sig;
		if (sign) {
			rt_sigv4_params sp = {
				.access_key_id = x->creds.access_key_id,
				.secret_access_key = x->creds.secret_access_key,
				.session_token = x->creds.session_token,
				.region = sregion,
				.service = sname,
				.time = x->o.fixed_time ? x->o.fixed_time : (int64_t)time(NULL) + x->skew,
				.flags = is_s3(cat, svc) ? RT_SIGV4_S3 : RT_SIGV4_DEFAULT,
				.key_cache = &x->keys,
			};
			if (content_sha)
				sp.flags |= RT_SIGV4_CONTENT_SHA256;
			if (no_double == 1)
				sp.flags = (sp.flags | RT_SIGV4_NO_DOUBLE_ENCODE) & ~(unsigned)RT_SIGV4_NORMALIZE_PATH;
			rt_sigv4_request sr = {
				.method = req.method, .path = pbuf.p, .path_len = pbuf.len,
				.query = qbuf.len ? qbuf.p : NULL, .query_len = qbuf.len,
				.headers = sh, .nheaders = nsigned,
				.body = req.body.p ? req.body.p : "", .body_len = req.body.len,
				.payload_hash = (req.flags & RT_REQ_UNSIGNED_PAYLOAD) ? "UNSIGNED-PAYLOAD"
				                                                     : NULL,
			};
			size_t need = rt_sigv4_buffer_size(&sr, &sp);
			if (need > x->sigcap) {
				char *nb = malloc(need);
				if (!nb) {
					rc = client_error(res, AL_ENOMEM, "OutOfMemory", "out of memory");
					break;
				}
				if (x->sigbuf) {
					rt_wipe(x->sigbuf, x->sigcap);
					free(x->sigbuf);
				}
				x->sigbuf = nb;
				x->sigcap = need;
			}
			if ((rc = rt_sigv4_sign(&sr, &sp, x->sigbuf, x->sigcap, &sig))) {
				rc = client_error(res, rc, "SigningError", "the request could not be signed");
				break;
			}
			/* the signer's headers are not NUL-terminated: copy them */
			for (size_t i = 0; i < sig.nadd; i++) {
				hh[nsend].name = dup_bytes(sig.add[i].name, sig.add[i].name_len);
				hh[nsend].value = dup_bytes(sig.add[i].value, sig.add[i].value_len);
				nsend++;
			}
		}
		rt_http_request hr = {
			.method = req.method, .url = ubuf.p, .headers = hh, .nheaders = nsend,
			.body = req.body.p, .body_len = req.body.len,
			.connect_timeout_ms = x->o.connect_timeout_ms,
			.read_timeout_ms = x->o.read_timeout_ms ? x->o.read_timeout_ms : 60000,
			.ca_bundle = x->o.ca_bundle,
		};
		if (pc->deadline) {
			int64_t left = pc->deadline - mono_ms();
			if (left <= 0) {
				rc = AL_ETIMEOUT;
				rt_proto_error_set(&res->error, RT_PERR_TRANSPORT, "TimeoutError",
				                   "the call's total timeout passed (%d attempt%s)",
				                   attempt - 1, attempt == 2 ? "" : "s");
				break;
			}
			hr.total_timeout_ms = (long)left;
		}
		rt_http_response hresp;
		char herr[512] = "";
		int hrc;
		if (x->o.transport) {
			memset(&hresp, 0, sizeof hresp);
			hrc = x->o.transport(x->o.transport_ud, &hr, &hresp);
			if (hrc)
				snprintf(herr, sizeof herr, "transport failed");
		} else {
			hrc = rt_http_perform(x->http, &hr, &hresp, herr, sizeof herr);
		}
		for (size_t i = k; i < nsend; i++) {
			free((char *)hh[i].name);
			char *v = (char *)hh[i].value;
			rt_wipe(v, strlen(v));
			free(v);
		}
		res->attempts++;
		rt_proto_error_free(&res->error);
		int cls, may_have_reached = 1;
		if (hrc) {
			rt_proto_error_set(&res->error, RT_PERR_TRANSPORT,
			                   hrc == AL_ETIMEOUT ? "TimeoutError" : "NetworkError", "%s: %s",
			                   al_strerror(hrc), herr);
			may_have_reached = !before_send(hresp.curl_code);
			rc = hrc == AL_ETOOBIG ? AL_ETOOBIG : hrc;
			cls = hrc == AL_ETOOBIG ? RT_RETRY_NO : rt_retry_classify(&res->error, hrc);
		} else {
			rt_proto_response pr = { hresp.status, hresp.headers, hresp.headers_len,
				                 hresp.body, hresp.body_len };
			cJSON *o = NULL;
			int prc = proto->parse(cat, op, &pr, &o, &res->error);
			if (res->error.request_id[0])
				snprintf(res->request_id, sizeof res->request_id, "%s",
				         res->error.request_id);
			else {
				size_t n;
				const char *rid = rt_proto_header(&pr, "x-amzn-RequestId", &n);
				if (!rid)
					rid = rt_proto_header(&pr, "x-amz-request-id", &n);
				if (rid)
					snprintf(res->request_id, sizeof res->request_id, "%.*s", (int)n, rid);
			}
			if (prc == 0) {
				*out = o;
				rt_proto_error_free(&res->error);
				rt_retry_release(&x->quota, cost);
				rt_http_response_free(&hresp);
				rc = 0;
				break;
			}
			rc = prc;
			cls = prc == AL_EPROTO ? rt_retry_classify(&res->error, prc) : RT_RETRY_NO;
			/* A signature refused for the clock: AWS did not run the
			 * request, so correct the clock from its Date and sign again
			 * (once), whatever the operation. */
			if (prc == AL_EPROTO && sign && !x->o.fixed_time && !skew_fixed &&
			    learn_skew(x, &pr, res->error.code)) {
				skew_fixed = 1;
				rt_http_response_free(&hresp);
				attempt--;
				continue;
			}
		}
		rt_http_response_free(&hresp);
		if (cls == RT_RETRY_NO)
			break;
		if (attempt >= x->max_attempts) {
			size_t ml = strlen(res->error.message);
			snprintf(res->error.message + ml, sizeof res->error.message - ml,
			         " (gave up after %d attempts)", attempt);
			break;
		}
		if (!retry_safe && may_have_reached) {
			size_t ml = strlen(res->error.message);
			snprintf(res->error.message + ml, sizeof res->error.message - ml,
			         " (not retried: %s is not idempotent and has no idempotency token, "
			         "and the request may have reached AWS)", alc_str(cat, op->name));
			break;
		}
		int c = rt_retry_acquire(&x->quota, cls);
		if (!c) {
			size_t ml = strlen(res->error.message);
			snprintf(res->error.message + ml, sizeof res->error.message - ml,
			         " (not retried: the retry quota is exhausted)");
			break;
		}
		cost += c;
		long d = rt_retry_delay_ms(attempt, rand32(x));
		if (pc->deadline) {
			int64_t left = pc->deadline - mono_ms();
			if (left <= d) {
				size_t ml = strlen(res->error.message);
				snprintf(res->error.message + ml, sizeof res->error.message - ml,
				         " (not retried: the call's total timeout would pass)");
				break;
			}
		}
		sleep_ms(x, d);
	}
	free(sh);
	free(hh);
	rt_buf_free(&ubuf);
	rt_buf_free(&hbuf);
	rt_buf_free(&pbuf);
	rt_buf_free(&qbuf);
	rt_proto_request_free(&req);
	return rc;
}

/* ---- pagination ------------------------------------------------------ */

/* The value at PATH ("A.B", "A || B": the first that is set) in O. */
static const cJSON *get_path(const cJSON *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *save = NULL;
	for (char *alt = strtok_r(buf, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
		while (*alt == ' ')
			alt++;
		const cJSON *cur = o;
		char *p = alt;
		while (cur && *p) {
			size_t n = strcspn(p, ".[ ");
			char key[128];
			if (n >= sizeof key)
				return NULL;
			memcpy(key, p, n);
			key[n] = '\0';
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
			p += n;
			if (*p == '[') {          /* [-1]: the last item */
				if (strncmp(p, "[-1]", 4) == 0 && cJSON_IsArray(cur)) {
					int sz = cJSON_GetArraySize(cur);
					cur = sz ? cJSON_GetArrayItem(cur, sz - 1) : NULL;
					p += 4;
				} else {
					cur = NULL;
				}
			}
			if (*p == '.')
				p++;
			while (*p == ' ')
				p++;
		}
		if (cur && !cJSON_IsNull(cur) && !(cJSON_IsString(cur) && !cur->valuestring[0]))
			return cur;
	}
	return NULL;
}

/* Detach-free access to the parent object and key of a dotted path. */
static cJSON *items_at(cJSON *o, const char *path)
{
	return (cJSON *)get_path(o, path);
}

/* Append page OUT's items (ITEMS path: a list, or a map for the few
 * paginators over maps) to MERGED's; the last page's output token replaces
 * the first page's, so a caller can continue where the fetch stopped. */
static void merge_page(cJSON *merged, cJSON *out, const char *items_path, const char *out_tok)
{
	cJSON *dst = *items_path ? items_at(merged, items_path) : NULL;
	cJSON *src = *items_path ? items_at(out, items_path) : NULL;
	cJSON *it;
	if (cJSON_IsArray(dst) && cJSON_IsArray(src)) {
		while ((it = src->child)) {
			cJSON_DetachItemViaPointer(src, it);
			cJSON_AddItemToArray(dst, it);
		}
	} else if (cJSON_IsObject(dst) && cJSON_IsObject(src)) {
		while ((it = src->child)) {
			cJSON_DetachItemViaPointer(src, it);
			cJSON_DeleteItemFromObjectCaseSensitive(dst, it->string);
			cJSON_AddItemToObject(dst, it->string, it);
		}
	} else if (src && !dst && !strchr(items_path, '.')) {
		cJSON_DetachItemViaPointer(out, src);
		cJSON_AddItemToObject(merged, items_path, src);
	}
	if (*out_tok && !strpbrk(out_tok, ".|[ ")) {
		cJSON_DeleteItemFromObjectCaseSensitive(merged, out_tok);
		cJSON *tok = cJSON_DetachItemFromObjectCaseSensitive(out, out_tok);
		if (tok)
			cJSON_AddItemToObject(merged, out_tok, tok);
	}
}

int rt_exec_call(rt_exec *x, const alc_operation *op, const cJSON *input,
                 const rt_exec_call_options *co, rt_exec_result *res)
{
	const alc_catalog *cat = x->cat;
	rt_exec_result_free(res);
	static const rt_exec_call_options none;
	if (!co)
		co = &none;
	cJSON *in = input ? cJSON_Duplicate(input, 1) : cJSON_CreateObject();
	if (!in)
		return client_error(res, AL_ENOMEM, "OutOfMemory", "out of memory");
	if (!x->o.no_validate) {
		rt_violation v[4];
		size_t n = rt_validate(cat, op, in, v, 4);
		if (n) {
			char m[1024];
			int l = snprintf(m, sizeof m, "the input is not valid (%zu problem%s):", n,
			                 n == 1 ? "" : "s");
			for (size_t i = 0; i < n && i < 4 && l > 0 && (size_t)l < sizeof m; i++)
				l += snprintf(m + l, sizeof m - (size_t)l, " %s: %s;",
				              v[i].pointer[0] ? v[i].pointer : "/", v[i].message);
			cJSON_Delete(in);
			return client_error(res, AL_EINVAL, "ValidationError", m);
		}
	}
	int rc = rt_exec_fill_tokens(cat, op, in);
	if (rc < 0) {
		cJSON_Delete(in);
		return client_error(res, rc, "InvalidInput", "the input must be a JSON object");
	}
	page_ctx pc = { co->total_timeout_ms > 0 ? mono_ms() + co->total_timeout_ms : 0 };
	int max_pages = co->max_pages > 1 ? co->max_pages : 1;
	if (max_pages > RT_EXEC_MAX_PAGES)
		max_pages = RT_EXEC_MAX_PAGES;
	int is_read = alc_op_is_read(alc_str(cat, op->name), op->flags);
	int paginate = max_pages > 1 && (op->flags & ALC_OP_PAGINATED) && is_read &&
	               *alc_str(cat, op->pg_input_token) && *alc_str(cat, op->pg_output_token);
	if (max_pages > 1 && !is_read && (op->flags & ALC_OP_PAGINATED)) {
		cJSON_Delete(in);
		return client_error(res, AL_EINVAL, "PaginationRefused",
		                    "only read operations are paginated");
	}
	const char *in_tok = alc_str(cat, op->pg_input_token);
	const char *out_tok = alc_str(cat, op->pg_output_token);
	const char *items_path = alc_str(cat, op->pg_items);
	cJSON *merged = NULL;
	char *prev_token = NULL;
	size_t nitems = 0;
	for (int page = 1;; page++) {
		cJSON *out = NULL;
		rc = one_page(x, op, in, &pc, res, &out);
		if (rc) {
			cJSON_Delete(merged);
			merged = NULL;
			break;
		}
		res->pages = page;
		/* This page's token (any value: DynamoDB's LastEvaluatedKey is a
		 * map), taken before merging: "NextMarker || Contents[-1].Key"
		 * reads this page's items. */
		cJSON *next = NULL;
		if (paginate) {
			const cJSON *tok = get_path(out, out_tok);
			if (tok && !(cJSON_IsObject(tok) && !tok->child) &&
			    !(next = cJSON_Duplicate(tok, 1))) {
				cJSON_Delete(out);
				cJSON_Delete(merged);
				merged = NULL;
				rc = client_error(res, AL_ENOMEM, "OutOfMemory", "out of memory");
				break;
			}
		}
		if (!merged) {
			merged = out;
		} else {
			merge_page(merged, out, items_path, out_tok);
			cJSON_Delete(out);
		}
		const cJSON *items = *items_path ? get_path(merged, items_path) : NULL;
		nitems = cJSON_IsArray(items) || cJSON_IsObject(items)
		       ? (size_t)cJSON_GetArraySize(items) : 0;
		if (!paginate)
			break;
		char *tok_text = next ? cJSON_PrintUnformatted(next) : NULL;
		int more = tok_text != NULL;
		if (more && prev_token && strcmp(prev_token, tok_text) == 0)
			more = 0;            /* the same token again: stop, not loop */
		int stop = 0;
		if (co->progress)
			stop = co->progress(co->progress_ud, page, nitems, more && page < max_pages);
		if (!more || page >= max_pages || stop) {
			if (more)
				res->truncated = 1;
			free(tok_text);
			cJSON_Delete(next);
			break;
		}
		free(prev_token);
		prev_token = tok_text;
		cJSON_DeleteItemFromObjectCaseSensitive(in, in_tok);
		cJSON_AddItemToObject(in, in_tok, next);
	}
	free(prev_token);
	cJSON_Delete(in);
	res->output = merged;
	return rc;
}
