/*
 * rt_plan.c -- see rt_plan.h.
 *
 * Every change to a plan happens inside one LMDB write transaction that
 * also appends its audit records (rt_audit.h), so the plan store and the
 * audit log never disagree, whatever kills the process.
 */
#include "rt_json.h"
#include "rt_plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <bearssl.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "rt_approve.h"
#include "rt_cfn.h"
#include "rt_audit.h"
#include "rt_awsconfig.h"
#include "rt_jsonrpc.h"
#include "rt_policy.h"
#include "rt_schema.h"
#include "rt_search.h"
#include "rt_sts.h"
#include "rt_tools.h"
#ifdef AIRLOCK_HAVE_EXEC
#include "rt_exec.h"
#endif

/* ---- time and ids ------------------------------------------------------ */

int64_t rt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rt_time_str(int64_t ms, char out[RT_TIME_TEXT])
{
	/* times come from stored records, which may be damaged: clamp to
	 * years 0000..9999 before any arithmetic */
	if (ms < -62167219200000LL)
		ms = -62167219200000LL;
	if (ms > 253402300799999LL)
		ms = 253402300799999LL;
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)s * 1000);
	struct tm tm;
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, RT_TIME_TEXT, "invalid");
		return;
	}
	/* years past 9999 do not fit the format: clamp (far-future expiries) */
	int year = tm.tm_year + 1900;
	if (year > 9999 || year < 0)
		year = year < 0 ? 0 : 9999;
	snprintf(out, RT_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year,
	         (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	         tm.tm_sec % 100, frac % 1000);
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int rt_time_parse(const char *s, int64_t *ms)
{
	size_t n = strlen(s), i;
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (n && i == n && n <= 15) {
		*ms = strtoll(s, NULL, 10);
		return 0;
	}
	int Y, M, D, h = 0, m = 0, sec = 0;
	if (n < 10 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D))
		return AL_EINVAL;
	const char *p = s + 10;
	int64_t frac = 0;
	int tz = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (strlen(p) < 9 || digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &m) ||
		    p[6] != ':' || digits(p + 7, 2, &sec))
			return AL_EINVAL;
		p += 9;
		if (*p == '.') {
			int k = 0;
			for (p++; isdigit((unsigned char)*p); p++, k++)
				if (k < 3)
					frac = frac * 10 + (*p - '0');
			if (k == 0)
				return AL_EINVAL;
			for (; k < 3; k++)
				frac *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int th, tm_;
			if (strlen(p) != 6 || digits(p + 1, 2, &th) || p[3] != ':' || digits(p + 4, 2, &tm_))
				return AL_EINVAL;
			tz = (th * 60 + tm_) * (*p == '+' ? 1 : -1);
			p += 6;
		} else {
			return AL_EINVAL;
		}
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return AL_EINVAL;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
	                 .tm_hour = h, .tm_min = m, .tm_sec = sec };
	time_t t = timegm(&tm);
	*ms = ((int64_t)t - (int64_t)tz * 60) * 1000 + frac;
	return 0;
}

int rt_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return AL_EIO;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Monotonic within the process: ids of one millisecond count up from a
 * random start (the ULID rule); a clock that steps back reuses the last
 * millisecond. */
static struct {
	int64_t ms;
	unsigned char rnd[10];
} last_id;

void rt_id_new(rt_id *id, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms <= last_id.ms && last_id.ms > 0) {
		ms = last_id.ms;
		int i = 9;
		while (i >= 0 && ++last_id.rnd[i] == 0)
			i--;
		if (i < 0) { /* 2^80 ids in one millisecond: take the next one */
			ms = ++last_id.ms;
			rt_random(last_id.rnd, 10);
		}
	} else {
		if (rt_random(last_id.rnd, 10) != 0) {
			/* no entropy: still unique within the process */
			memset(last_id.rnd, 0, 10);
		}
		last_id.rnd[0] &= 0x7f; /* room to count up */
		last_id.ms = ms;
	}
	uint64_t t = (uint64_t)ms;
	for (int i = 5; i >= 0; i--) {
		id->b[i] = (unsigned char)(t & 0xff);
		t >>= 8;
	}
	memcpy(id->b + 6, last_id.rnd, 10);
}

void rt_id_str(const rt_id *id, char out[RT_ID_TEXT])
{
	uint64_t hi = 0, lo = 0;
	for (int i = 0; i < 8; i++)
		hi = (hi << 8) | id->b[i];
	for (int i = 8; i < 16; i++)
		lo = (lo << 8) | id->b[i];
	for (int i = 25; i >= 0; i--) {
		out[i] = b32[lo & 31];
		lo = (lo >> 5) | (hi << 59);
		hi >>= 5;
	}
	out[26] = '\0';
}

static int b32_val(int c)
{
	c = toupper(c);
	const char *p = c ? strchr(b32, c) : NULL;
	return p ? (int)(p - b32) : -1;
}

int rt_id_parse(const char *s, rt_id *id)
{
	if (strlen(s) != 26 || b32_val((unsigned char)s[0]) > 7)
		return AL_EINVAL;
	uint64_t hi = 0, lo = 0;
	for (int i = 0; i < 26; i++) {
		int v = b32_val((unsigned char)s[i]);
		if (v < 0)
			return AL_EINVAL;
		hi = (hi << 5) | (lo >> 59);
		lo = (lo << 5) | (uint64_t)v;
	}
	for (int i = 7; i >= 0; i--) {
		id->b[i] = (unsigned char)(hi & 0xff);
		hi >>= 8;
	}
	for (int i = 15; i >= 8; i--) {
		id->b[i] = (unsigned char)(lo & 0xff);
		lo >>= 8;
	}
	return 0;
}

int rt_id_is_zero(const rt_id *id)
{
	for (int i = 0; i < 16; i++)
		if (id->b[i])
			return 0;
	return 1;
}

int64_t rt_id_time(const rt_id *id)
{
	uint64_t t = 0;
	for (int i = 0; i < 6; i++)
		t = (t << 8) | id->b[i];
	return (int64_t)t;
}

/* ---- canonical JSON ---------------------------------------------------- */

typedef struct cbuf {
	char *p;
	size_t n, cap;
	int err;
} cbuf;

static void put(cbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->err = AL_ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(cbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_string(cbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (!rt_utf8_valid(s, n)) {
		b->err = AL_EINVAL;
		return;
	}
	put(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", c);
				esc = u;
			}
		}
		if (!esc)
			continue;
		put(b, s + run, i - run);
		puts_(b, esc);
		run = i + 1;
	}
	put(b, s + run, n - run);
	put(b, "\"", 1);
}

static void put_number(cbuf *b, double d)
{
	char num[40];
	if (!isfinite(d)) {
		b->err = AL_EINVAL;
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		snprintf(num, sizeof num, "%.0f", d == 0 ? 0.0 : d);
	} else {
		snprintf(num, sizeof num, "%.15g", d);
		if (strtod(num, NULL) != d)
			snprintf(num, sizeof num, "%.17g", d);
	}
	puts_(b, num);
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static void canon(cbuf *b, const cJSON *v, int depth)
{
	if (b->err)
		return;
	if (depth > 1000) {
		b->err = AL_EINVAL;
		return;
	}
	switch (v->type & 0xff) {
	case cJSON_NULL: puts_(b, "null"); return;
	case cJSON_True: puts_(b, "true"); return;
	case cJSON_False: puts_(b, "false"); return;
	case cJSON_Number: put_number(b, v->valuedouble); return;
	case cJSON_String: put_string(b, v->valuestring ? v->valuestring : ""); return;
	case cJSON_Array: {
		put(b, "[", 1);
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				put(b, ",", 1);
			canon(b, c, depth + 1);
		}
		put(b, "]", 1);
		return;
	}
	case cJSON_Object: {
		size_t n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			n++;
		const cJSON **kids = n ? malloc(n * sizeof *kids) : NULL;
		if (n && !kids) {
			b->err = AL_ENOMEM;
			return;
		}
		n = 0;
		for (const cJSON *c = v->child; c; c = c->next)
			kids[n++] = c;
		if (n > 1)
			qsort(kids, n, sizeof *kids, key_cmp);
		put(b, "{", 1);
		for (size_t i = 0; i < n && !b->err; i++) {
			if (i && key_cmp(&kids[i - 1], &kids[i]) == 0) {
				b->err = AL_EINVAL; /* duplicate key */
				break;
			}
			if (i)
				put(b, ",", 1);
			put_string(b, kids[i]->string ? kids[i]->string : "");
			put(b, ":", 1);
			canon(b, kids[i], depth + 1);
		}
		put(b, "}", 1);
		free(kids);
		return;
	}
	default:
		b->err = AL_EINVAL; /* raw or invalid items */
	}
}

int rt_canon(const cJSON *v, char **out, size_t *len)
{
	cbuf b = { NULL, 0, 0, 0 };
	*out = NULL;
	*len = 0;
	if (!v)
		return AL_EINVAL;
	canon(&b, v, 0);
	if (!b.err && !b.p)
		b.err = AL_ENOMEM;
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.n;
	return 0;
}

/* ---- states ------------------------------------------------------------ */

static const char *const state_names[RT_PS_COUNT] = {
	[0] = NULL,
	[RT_PS_PLANNED] = "Planned",
	[RT_PS_FAILED] = "Failed",
	[RT_PS_DENIED] = "Denied",
	[RT_PS_AWAITING] = "AwaitingApproval",
	[RT_PS_APPROVED] = "Approved",
	[RT_PS_REJECTED] = "Rejected",
	[RT_PS_EXPIRED] = "Expired",
	[RT_PS_APPLYING] = "Applying",
	[RT_PS_APPLIED] = "Applied",
	[RT_PS_APPLY_FAILED] = "ApplyFailed",
};
_Static_assert(sizeof state_names / sizeof state_names[0] == RT_PS_COUNT, "one name per state");

#define S(x) (1u << (x))
/* transitions[FROM]: the states FROM may move to; [0] is creation. */
static const unsigned transitions[RT_PS_COUNT] = {
	[0] = S(RT_PS_PLANNED) | S(RT_PS_FAILED) | S(RT_PS_DENIED),
	[RT_PS_PLANNED] = S(RT_PS_AWAITING) | S(RT_PS_APPLYING) | S(RT_PS_REJECTED),
	[RT_PS_FAILED] = 0,
	[RT_PS_DENIED] = 0,
	[RT_PS_AWAITING] = S(RT_PS_APPROVED) | S(RT_PS_REJECTED) | S(RT_PS_EXPIRED),
	[RT_PS_APPROVED] = S(RT_PS_APPLYING) | S(RT_PS_REJECTED) | S(RT_PS_EXPIRED),
	[RT_PS_REJECTED] = 0,
	[RT_PS_EXPIRED] = 0,
	[RT_PS_APPLYING] = S(RT_PS_APPLIED) | S(RT_PS_APPLY_FAILED),
	[RT_PS_APPLIED] = 0,
	[RT_PS_APPLY_FAILED] = 0,
};
_Static_assert(sizeof transitions / sizeof transitions[0] == RT_PS_COUNT, "one row per state");

const char *rt_plan_state_name(int state)
{
	return state > 0 && state < RT_PS_COUNT ? state_names[state] : NULL;
}

int rt_plan_state_find(const char *name)
{
	for (int s = 1; s < RT_PS_COUNT; s++)
		if (strcasecmp(name, state_names[s]) == 0)
			return s;
	return 0;
}

int rt_plan_transition_ok(int from, int to)
{
	if (from < 0 || from >= RT_PS_COUNT || to <= 0 || to >= RT_PS_COUNT)
		return 0;
	return (transitions[from] & S(to)) != 0;
}

int rt_plan_state_final(int state)
{
	return state > 0 && state < RT_PS_COUNT && transitions[state] == 0;
}

/* ---- records ----------------------------------------------------------- */

static const unsigned char plan_magic[4] = { 'A', 'L', 'P', 'N' };

static int text_ok(const char *p, size_t n)
{
	return memchr(p, '\0', n) == NULL && rt_utf8_valid(p, n);
}

int rt_plan_decode(const void *vbuf, size_t len, rt_plan_rec *r)
{
	const unsigned char *b = vbuf;
	memset(r, 0, sizeof *r);
	if (len < RT_PLAN_HEADER || len > RT_PLAN_MAX_RECORD || memcmp(b, plan_magic, 4) != 0)
		return AL_ECORRUPT;
	uint16_t ver = rt_get_le16(b + 4);
	if (ver != 1)
		return ver > 1 ? AL_EVERSION : AL_ECORRUPT;
	r->state = b[6];
	r->flags = b[7];
	if (r->state <= 0 || r->state >= RT_PS_COUNT ||
	    (r->flags & ~(RT_PF_APPROVAL | RT_PF_SENSITIVE | RT_PF_SCRUBBED)))
		return AL_ECORRUPT;
	r->created = (int64_t)rt_get_le64(b + 8);
	r->updated = (int64_t)rt_get_le64(b + 16);
	r->expires = (int64_t)rt_get_le64(b + 24);
	memcpy(r->digest, b + 32, 32);
	uint32_t c = rt_get_le32(b + 64), s = rt_get_le32(b + 68);
	if ((uint64_t)RT_PLAN_HEADER + c + s != len || c < 2 || s < 2)
		return AL_ECORRUPT;
	r->content = (const char *)b + RT_PLAN_HEADER;
	r->content_len = c;
	r->status = r->content + c;
	r->status_len = s;
	if (r->content[0] != '{' || r->status[0] != '{' || !text_ok(r->content, c) ||
	    !text_ok(r->status, s))
		return AL_ECORRUPT;
	return 0;
}

unsigned char *rt_plan_encode(const rt_plan_rec *r, size_t *len)
{
	size_t n = RT_PLAN_HEADER + r->content_len + r->status_len;
	unsigned char *b = malloc(n);
	if (!b)
		return NULL;
	memcpy(b, plan_magic, 4);
	rt_le16(b + 4, 1);
	b[6] = (unsigned char)r->state;
	b[7] = (unsigned char)r->flags;
	rt_le64(b + 8, (uint64_t)r->created);
	rt_le64(b + 16, (uint64_t)r->updated);
	rt_le64(b + 24, (uint64_t)r->expires);
	memcpy(b + 32, r->digest, 32);
	rt_le32(b + 64, (uint32_t)r->content_len);
	rt_le32(b + 68, (uint32_t)r->status_len);
	memcpy(b + RT_PLAN_HEADER, r->content, r->content_len);
	memcpy(b + RT_PLAN_HEADER + r->content_len, r->status, r->status_len);
	*len = n;
	return b;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	br_sha256_context c;
	br_sha256_init(&c);
	br_sha256_update(&c, p, n);
	br_sha256_out(&c, out);
}

static void hex32(const unsigned char d[32], char out[65])
{
	static const char dig[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = dig[d[i] >> 4];
		out[2 * i + 1] = dig[d[i] & 15];
	}
	out[64] = '\0';
}

void rt_plan_free(rt_plan *p)
{
	if (!p)
		return;
	cJSON_Delete(p->content);
	cJSON_Delete(p->status);
	p->content = p->status = NULL;
}

int rt_plan_load(const rt_id *id, const void *buf, size_t len, rt_plan *pl)
{
	memset(pl, 0, sizeof *pl);
	rt_plan_rec r;
	int rc = rt_plan_decode(buf, len, &r);
	if (rc)
		return rc;
	pl->id = *id;
	pl->state = r.state;
	pl->flags = r.flags;
	pl->created = r.created;
	pl->updated = r.updated;
	pl->expires = r.expires;
	memcpy(pl->digest, r.digest, 32);
	unsigned char d[32];
	sha256(r.content, r.content_len, d);
	pl->digest_ok = memcmp(d, r.digest, 32) == 0;
	pl->content = cJSON_ParseWithLength(r.content, r.content_len);
	pl->status = cJSON_ParseWithLength(r.status, r.status_len);
	if (!cJSON_IsObject(pl->content) || !cJSON_IsObject(pl->status)) {
		rt_plan_free(pl);
		return AL_ECORRUPT;
	}
	return 0;
}

int rt_plan_set_state(rt_plan *pl, int state, int64_t now)
{
	if (!rt_plan_transition_ok(pl->state, state))
		return AL_ESTATE;
	pl->state = state;
	pl->updated = now;
	pl->dirty = 1;
	return 0;
}

/* ---- results ----------------------------------------------------------- */

void rt_plan_out_free(rt_plan_out *o)
{
	cJSON_Delete(o->result);
	cJSON_Delete(o->input_required);
	cJSON_Delete(o->detail);
	free(o->error);
	memset(o, 0, sizeof *o);
}

int rt_plan_refuse(rt_plan_out *o, const char *code, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	free(o->error);
	o->error = n >= 0 ? malloc((size_t)n + 1) : NULL;
	snprintf(o->code, sizeof o->code, "%s", code);
	if (!o->error)
		return AL_ENOMEM;
	va_start(ap, f);
	vsnprintf(o->error, (size_t)n + 1, f, ap);
	va_end(ap);
	return 0;
}

/* ---- the store --------------------------------------------------------- */

struct rt_plans {
	rt_store *store;
	const alc_catalog *cat;
	rt_policy *policy;
	int own_policy;
	char via[8];
};

static rt_plan_exec_fn g_exec;
static void *g_exec_ud;

void rt_plans_set_executor(rt_plan_exec_fn fn, void *ud)
{
	g_exec = fn;
	g_exec_ud = ud;
}

int rt_plans_open(rt_plans **out, const rt_plans_config *cfg, char *err, size_t errcap)
{
	*out = NULL;
	rt_plans *p = calloc(1, sizeof *p);
	if (!p)
		return AL_ENOMEM;
	int rc = rt_store_open(&p->store, cfg->home, err, errcap);
	if (rc) {
		free(p);
		return rc;
	}
	p->cat = cfg->cat;
	p->policy = cfg->policy;
	snprintf(p->via, sizeof p->via, "%s", cfg->via ? cfg->via : "cli");
	*out = p;
	return 0;
}

void rt_plans_close(rt_plans *p)
{
	if (!p)
		return;
	if (p->own_policy)
		rt_policy_close(p->policy);
	rt_store_close(p->store);
	free(p);
}

rt_store *rt_plans_store(rt_plans *p)
{
	return p->store;
}

const alc_catalog *rt_plans_catalog(const rt_plans *p)
{
	return p->cat;
}

const char *rt_plans_via(const rt_plans *p)
{
	return p->via;
}

int rt_plans_policy(rt_plans *p, rt_policy **out, char *err, size_t errcap)
{
	*out = NULL;
	if (!p->cat) {
		snprintf(err, errcap, "no catalog");
		return AL_EINVAL;
	}
	if (!p->policy) {
		int rc = rt_policy_open(&p->policy, p->cat, 0, err, errcap);
		if (rc)
			return rc;
		p->own_policy = 1;
	}
	*out = p->policy;
	return 0;
}

/* ---- helpers on plan JSON ---------------------------------------------- */

static double jnum(const cJSON *o, const char *k, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static unsigned risk_find(const char *s)
{
	for (unsigned r = 0; s && r < ALC_RISK_COUNT; r++)
		if (strcmp(s, alc_risk_name(r)) == 0)
			return r;
	return ALC_RISK_CRITICAL; /* unknown: the strictest */
}

/* The stored decision's approval settings. */
static void plan_approval(const rt_plan *pl, unsigned *risk, uint32_t *approvers, uint32_t *ttl)
{
	const cJSON *d = rt_jobj(pl->content, "decision");
	*risk = risk_find(rt_jstr(d, "risk"));
	const cJSON *a = rt_jobj(d, "approval");
	double n = jnum(a, "approvers", 1), t = jnum(a, "ttlSeconds", 3600);
	*approvers = n >= 2 ? 2 : 1;
	*ttl = t >= 1 && t <= 30 * 86400 ? (uint32_t)t : 3600;
}

/* Replaces (or adds) O[K] with V (taking it); 0 or AL_ENOMEM. */
static int jset(cJSON *o, const char *k, cJSON *v)
{
	if (!v)
		return AL_ENOMEM;
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v) ? 0 : AL_ENOMEM;
	return cJSON_AddItemToObject(o, k, v) ? 0 : AL_ENOMEM;
}

static cJSON *time_json(int64_t ms)
{
	char t[RT_TIME_TEXT];
	rt_time_str(ms, t);
	return cJSON_CreateString(t);
}

static void catalog_digest(const alc_catalog *cat, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)cat->hdr->checksum_hi,
	         (unsigned long long)cat->hdr->checksum_lo);
}

/* ---- view -------------------------------------------------------------- */

static int add_copy(cJSON *dst, const char *k, const cJSON *src)
{
	cJSON *c = src ? cJSON_Duplicate(src, 1) : cJSON_CreateNull();
	return c && cJSON_AddItemToObject(dst, k, c) ? 0 : AL_ENOMEM;
}

static const char *next_step(const rt_plan *pl, char *buf, size_t cap)
{
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	switch (pl->state) {
	case RT_PS_PLANNED:
		if (pl->flags & RT_PF_APPROVAL)
			snprintf(buf, cap, "The policy requires approval: call request_approval with "
			         "plan_id %s and a justification; a person approves it (in the client "
			         "when it can ask, or with `airlock approve %s` on a terminal); then "
			         "apply_plan.", id, id);
		else
			snprintf(buf, cap, "Call apply_plan with plan_id %s to run it.", id);
		break;
	case RT_PS_AWAITING:
		snprintf(buf, cap, "Waiting for a person: `airlock approve %s` on a terminal "
		         "(or reject it with `airlock reject %s`). Then apply_plan.", id, id);
		break;
	case RT_PS_APPROVED:
		snprintf(buf, cap, "Approved: call apply_plan with plan_id %s before it expires.", id);
		break;
	case RT_PS_FAILED:
		snprintf(buf, cap, "The input is invalid: fix every violation and make a new plan.");
		break;
	case RT_PS_DENIED:
		snprintf(buf, cap, "The policy denies this call: it cannot be applied. Change the "
		         "call (see the decision's reason) and make a new plan, or stop.");
		break;
	case RT_PS_REJECTED:
		snprintf(buf, cap, "A person rejected this plan: do not retry it as is.");
		break;
	case RT_PS_EXPIRED:
		snprintf(buf, cap, "The approval window passed: make a new plan if it is still needed.");
		break;
	case RT_PS_APPLYING:
		snprintf(buf, cap, "Being applied (or the process applying it stopped: the outcome is "
		         "then unknown and the plan is never sent again; check in AWS).");
		break;
	case RT_PS_APPLIED:
		snprintf(buf, cap, "Applied: done.");
		break;
	default:
		snprintf(buf, cap, "Applying failed: see the error; fix the cause and make a new plan.");
	}
	return buf;
}

cJSON *rt_plan_view(const rt_plan *pl)
{
	cJSON *v = cJSON_CreateObject();
	if (!v)
		return NULL;
	char id[RT_ID_TEXT], dig[65], step[600];
	rt_id_str(&pl->id, id);
	hex32(pl->digest, dig);
	const cJSON *c = pl->content, *st = pl->status;
	unsigned risk;
	uint32_t approvers, ttl;
	plan_approval(pl, &risk, &approvers, &ttl);
	int ok = cJSON_AddStringToObject(v, "planId", id) &&
	         cJSON_AddStringToObject(v, "state", rt_plan_state_name(pl->state)) &&
	         cJSON_AddItemToObject(v, "createdAt", time_json(pl->created)) &&
	         cJSON_AddItemToObject(v, "updatedAt", time_json(pl->updated)) &&
	         cJSON_AddItemToObject(v, "expiresAt", pl->expires ? time_json(pl->expires)
	                                                           : cJSON_CreateNull()) &&
	         cJSON_AddStringToObject(v, "service", rt_jstr(c, "service") ? rt_jstr(c, "service") : "") &&
	         cJSON_AddStringToObject(v, "operation", rt_jstr(c, "operation") ? rt_jstr(c, "operation") : "") &&
	         add_copy(v, "caller", rt_jobj(c, "caller")) == 0 &&
	         add_copy(v, "input", cJSON_GetObjectItemCaseSensitive(st, "inputRedacted")) == 0 &&
	         cJSON_AddStringToObject(v, "risk", alc_risk_name(risk)) &&
	         add_copy(v, "decision", rt_jobj(c, "decision")) == 0 &&
	         cJSON_AddStringToObject(v, "digest", dig) &&
	         cJSON_AddBoolToObject(v, "digestIntact", pl->digest_ok || (pl->flags & RT_PF_SCRUBBED)) &&
	         cJSON_AddStringToObject(v, "catalog", rt_jstr(c, "catalog") ? rt_jstr(c, "catalog") : "") &&
	         add_copy(v, "validation", rt_jobj(c, "validation")) == 0;
	const cJSON *viol = cJSON_GetObjectItemCaseSensitive(st, "violations");
	if (ok && viol)
		ok = add_copy(v, "violations", viol) == 0;
	cJSON *ap = ok ? cJSON_AddObjectToObject(v, "approval") : NULL;
	ok = ap != NULL;
	if (ok) {
		int need = (pl->flags & RT_PF_APPROVAL) != 0;
		ok = cJSON_AddBoolToObject(ap, "required", need) != NULL;
		if (ok && need) {
			unsigned ch = rt_approve_channels(risk, approvers);
			cJSON *chs = cJSON_AddArrayToObject(ap, "channels");
			ok = chs && cJSON_AddNumberToObject(ap, "approvers", approvers) &&
			     cJSON_AddNumberToObject(ap, "ttlSeconds", ttl);
			for (int b = RT_CH_CLI; ok && b <= RT_CH_ELICITATION; b <<= 1)
				if (ch & (unsigned)b)
					cJSON_AddItemToArray(chs, cJSON_CreateString(rt_channel_name(b)));
		}
		const cJSON *rq = rt_jobj(st, "request");
		if (ok)
			ok = add_copy(ap, "request", rq) == 0;
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(st, "grants"), *e;
		cJSON *garr = ok ? cJSON_AddArrayToObject(ap, "grants") : NULL;
		ok = garr != NULL;
		cJSON_ArrayForEach(e, g) {
			if (!ok)
				break;
			cJSON *x = cJSON_Duplicate(e, 1);
			ok = x != NULL;
			if (ok)
				cJSON_AddItemToArray(garr, x);
		}
		if (ok)
			ok = add_copy(ap, "rejection", rt_jobj(st, "rejection")) == 0;
	}
	if (ok)
		ok = add_copy(v, "apply", rt_jobj(st, "apply")) == 0;
	/* the last diff and the EC2 DryRun check (rt_diff.h), when made */
	if (ok && rt_jobj(st, "diff"))
		ok = add_copy(v, "diff", rt_jobj(st, "diff")) == 0;
	if (ok && rt_jobj(st, "dryRun"))
		ok = add_copy(v, "dryRun", rt_jobj(st, "dryRun")) == 0;
	/* CloudFormation: the plan's change set and what became of it (rt_cfn.h) */
	if (ok && rt_jobj(st, "changeSet"))
		ok = add_copy(v, "changeSet", rt_jobj(st, "changeSet")) == 0;
	if (ok)
		ok = cJSON_AddStringToObject(v, "nextStep", next_step(pl, step, sizeof step)) != NULL;
	if (!ok) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

/* ---- saving ------------------------------------------------------------ */

static void state_key(unsigned char k[17], int state, const rt_id *id)
{
	k[0] = (unsigned char)state;
	memcpy(k + 1, id->b, 16);
}

/* Writes PL (new when OLD_STATE is 0) and its state index entry.  The
 * content is written as CONTENT (its stored bytes) unless NULL, when it is
 * made canonical from pl->content (creation and scrubbing). */
static int save_plan(rt_txn *t, rt_plan *pl, int old_state, const char *content, size_t clen)
{
	char *ctext = NULL, *sbuf = NULL;
	size_t slen;
	int rc = 0;
	if (!content) {
		rc = rt_canon(pl->content, &ctext, &clen);
		content = ctext;
	}
	if (!rc)
		rc = rt_canon(pl->status, &sbuf, &slen);
	if (rc) {
		free(ctext);
		return rc;
	}
	rt_plan_rec r = { pl->state, pl->flags, pl->created, pl->updated, pl->expires, { 0 },
	                  content, clen, sbuf, slen };
	memcpy(r.digest, pl->digest, 32);
	size_t len;
	unsigned char *rec = rt_plan_encode(&r, &len);
	free(ctext);
	free(sbuf);
	if (!rec)
		return AL_ENOMEM;
	if (len > RT_PLAN_MAX_RECORD) {
		free(rec);
		return AL_ETOOBIG;
	}
	rc = rt_store_put(t, RT_DB_PLANS, pl->id.b, 16, rec, len, old_state ? 0 : RT_PUT_NEW);
	free(rec);
	unsigned char k[17];
	if (!rc && old_state != pl->state) {
		if (old_state) {
			state_key(k, old_state, &pl->id);
			rc = rt_store_del(t, RT_DB_PLAN_STATE, k, 17);
			if (rc == AL_ENOTFOUND)
				rc = 0;
		}
		state_key(k, pl->state, &pl->id);
		if (!rc)
			rc = rt_store_put(t, RT_DB_PLAN_STATE, k, 17, "", 0, 0);
	}
	return rc;
}

/* ---- modify ------------------------------------------------------------ */

typedef struct mod_ctx {
	rt_plans *p;
	const rt_id *id, *tx;
	rt_plan_fn fn;
	void *ctx;
	int cleanup;   /* the plan ended holding an unexecuted change set */
} mod_ctx;

static int audit_plan(rt_txn *t, int kind, const rt_id *tx, const rt_plan *pl, cJSON *payload)
{
	int rc = rt_audit_append(t, kind, tx, &pl->id, payload, NULL, NULL);
	cJSON_Delete(payload);
	return rc;
}

/* Expires PL when it is due (in T, with its record). */
static int expire_if_due(rt_txn *t, rt_plan *pl, const rt_id *tx, int64_t now)
{
	if ((pl->state != RT_PS_AWAITING && pl->state != RT_PS_APPROVED) || !pl->expires ||
	    now < pl->expires)
		return 0;
	int prev = pl->state;
	int rc = rt_plan_set_state(pl, RT_PS_EXPIRED, now);
	if (rc)
		return rc;
	if ((rc = jset(pl->status, "expiredAt", time_json(now))) != 0)
		return rc;
	cJSON_DeleteItemFromObjectCaseSensitive(pl->status, "prompt");
	cJSON *pay = cJSON_CreateObject();
	char ex[RT_TIME_TEXT];
	rt_time_str(pl->expires, ex);
	if (!pay || !cJSON_AddStringToObject(pay, "previousState", rt_plan_state_name(prev)) ||
	    !cJSON_AddStringToObject(pay, "expiresAt", ex)) {
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	return audit_plan(t, RT_AK_EXPIRY, tx, pl, pay);
}

/* A final plan keeps no sensitive value: its stored input becomes the
 * redacted one (the digest stays as it was; RT_PF_SCRUBBED says why it no
 * longer matches). */
static int scrub_if_final(rt_plan *pl)
{
	if (!rt_plan_state_final(pl->state) || !(pl->flags & RT_PF_SENSITIVE) ||
	    (pl->flags & RT_PF_SCRUBBED))
		return 0;
	const cJSON *red = cJSON_GetObjectItemCaseSensitive(pl->status, "inputRedacted");
	int rc = jset(pl->content, "input", red ? cJSON_Duplicate(red, 1) : cJSON_CreateNull());
	if (rc)
		return rc;
	pl->flags |= RT_PF_SCRUBBED;
	pl->dirty = 1;
	return 0;
}

static int mod_txn(rt_txn *t, void *vc)
{
	mod_ctx *m = vc;
	rt_slice val;
	int rc = rt_store_get(t, RT_DB_PLANS, m->id->b, 16, &val);
	if (rc)
		return rc;
	/* the stored content bytes are written back as they are, unless a
	 * callback replaces the content (scrubbing) */
	rt_plan_rec rec;
	if ((rc = rt_plan_decode(val.p, val.n, &rec)) != 0)
		return rc;
	char *content = malloc(rec.content_len);
	if (!content)
		return AL_ENOMEM;
	size_t clen = rec.content_len;
	memcpy(content, rec.content, clen);
	rt_plan pl;
	if ((rc = rt_plan_load(m->id, val.p, val.n, &pl)) != 0) {
		free(content);
		return rc;
	}
	int old = pl.state;
	unsigned old_flags = pl.flags;
	rc = expire_if_due(t, &pl, m->tx, rt_now_ms());
	if (!rc && m->fn)
		rc = m->fn(m->p, t, &pl, m->ctx);
	if (!rc)
		rc = scrub_if_final(&pl);
	m->cleanup = !rc && old != pl.state && rt_cfn_needs_cleanup(&pl);
	if (!rc && pl.dirty) {
		int rewrite = (pl.flags & RT_PF_SCRUBBED) && !(old_flags & RT_PF_SCRUBBED);
		rc = save_plan(t, &pl, old, rewrite ? NULL : content, clen);
	}
	free(content);
	rt_plan_free(&pl);
	return rc;
}

int rt_plans_modify(rt_plans *p, const rt_id *id, const rt_id *tx, rt_plan_fn fn, void *ctx)
{
	mod_ctx m = { p, id, tx, fn, ctx, 0 };
	int rc = rt_store_update(p->store, mod_txn, &m);
	/* A plan that ended without executing its change set: delete the
	 * change set (AWS calls: after the commit, never inside it). */
	if (rc == 0 && m.cleanup)
		rt_cfn_cleanup(p, id, tx);
	return rc;
}

/* ---- resolving ids ----------------------------------------------------- */

typedef struct prefix_ctx {
	const char *text;
	size_t n;
	int found;
	rt_id id;
	int64_t lo, hi;
} prefix_ctx;

static int prefix_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	prefix_ctx *c = vc;
	if (k.n != 16)
		return 0;
	rt_id id;
	memcpy(id.b, k.p, 16);
	char s[RT_ID_TEXT];
	rt_id_str(&id, s);
	if (strncasecmp(s, c->text, c->n) == 0) {
		if (c->found++)
			return 1;
		c->id = id;
	}
	return 0;
}

static int prefix_txn(rt_txn *t, void *vc)
{
	return rt_store_iter(t, RT_DB_PLANS, NULL, 0, 0, prefix_each, vc);
}

int rt_plans_resolve(rt_plans *p, const char *text, rt_id *id)
{
	size_t n = strlen(text);
	if (n == 26)
		return rt_id_parse(text, id);
	if (n < 6 || n > 26)
		return AL_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (b32_val((unsigned char)text[i]) < 0)
			return AL_EINVAL;
	prefix_ctx c = { text, n, 0, { { 0 } }, 0, 0 };
	int rc = rt_store_view(p->store, prefix_txn, &c);
	if (rc)
		return rc;
	if (!c.found)
		return AL_ENOTFOUND;
	if (c.found > 1)
		return AL_EDUP;
	*id = c.id;
	return 0;
}

/* Resolves ID text or fills O with the refusal; returns 1 when resolved. */
static int resolve_or_refuse(rt_plans *p, const char *text, rt_id *id, rt_plan_out *o)
{
	int rc = rt_plans_resolve(p, text ? text : "", id);
	if (rc == 0)
		return 1;
	char shown[40];
	snprintf(shown, sizeof shown, "%.30s", text ? text : "");
	for (char *s = shown; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"')
			*s = '?';
	if (rc == AL_EDUP)
		rt_plan_refuse(o, "not_found", "plan id prefix \"%s\" matches more than one plan: "
		               "give more of the id", shown);
	else if (rc == AL_EINVAL || rc == AL_ENOTFOUND)
		rt_plan_refuse(o, "not_found", "no plan \"%s\": plan ids are 26 characters such "
		               "as 01J9Z3K6T5V8W2X4Y7A0B1C2D3 (list_plans shows them)", shown);
	else
		rt_plan_refuse(o, "store", "the plan store failed: %s (%s)", al_strerror(rc),
		               rt_store_errmsg(p->store));
	return 0;
}

/* A store error as the refusal "store" (AL_ENOMEM passes through). */
static int store_failed(rt_plans *p, int rc, rt_plan_out *o)
{
	if (rc == AL_ENOMEM)
		return rc;
	return rt_plan_refuse(o, "store", "the plan store failed: %s%s%s", al_strerror(rc),
	                      rt_store_errmsg(p->store)[0] ? ": " : "", rt_store_errmsg(p->store));
}

/* ---- get --------------------------------------------------------------- */

typedef struct view_ctx {
	cJSON *view;
} view_ctx;

static int view_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	(void)t;
	view_ctx *v = vc;
	cJSON_Delete(v->view);
	v->view = rt_plan_view(pl);
	return v->view ? 0 : AL_ENOMEM;
}

typedef struct peek_ctx {
	const rt_id *id;
	cJSON *view;
	int due;
} peek_ctx;

/* The view from a read snapshot, unless the plan must expire first. */
static int peek_txn(rt_txn *t, void *vc)
{
	peek_ctx *c = vc;
	rt_slice val;
	int rc = rt_store_get(t, RT_DB_PLANS, c->id->b, 16, &val);
	if (rc)
		return rc;
	rt_plan pl;
	if ((rc = rt_plan_load(c->id, val.p, val.n, &pl)) != 0)
		return rc;
	c->due = (pl.state == RT_PS_AWAITING || pl.state == RT_PS_APPROVED) && pl.expires &&
	         rt_now_ms() >= pl.expires;
	if (!c->due && !(c->view = rt_plan_view(&pl)))
		rc = AL_ENOMEM;
	rt_plan_free(&pl);
	return rc;
}

int rt_plans_get(rt_plans *p, const char *text, const rt_id *tx, rt_plan_out *o)
{
	rt_id id;
	if (!resolve_or_refuse(p, text, &id, o))
		return o->error ? 0 : AL_ENOMEM;
	peek_ctx pk = { &id, NULL, 0 };
	int rc = rt_store_view(p->store, peek_txn, &pk);
	if (rc == 0 && !pk.due) {
		o->result = pk.view;
		return 0;
	}
	cJSON_Delete(pk.view);
	/* expire it (a write), then show it */
	view_ctx v = { NULL };
	if (rc == 0)
		rc = rt_plans_modify(p, &id, tx, view_fn, &v);
	if (rc == AL_ENOTFOUND)
		return rt_plan_refuse(o, "not_found", "no plan %s", text);
	if (rc) {
		cJSON_Delete(v.view);
		return store_failed(p, rc, o);
	}
	o->result = v.view;
	return 0;
}

/* ---- list -------------------------------------------------------------- */

typedef struct list_ctx {
	int state;
	size_t limit;
	cJSON *arr;
	int64_t now;
	rt_txn *t;
	rt_id due[64];
	size_t ndue;
} list_ctx;

/* Collects plans whose expiry has passed (a header field: no parse). */
static int due_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	list_ctx *c = vc;
	if (c->ndue == sizeof c->due / sizeof c->due[0])
		return 1;
	if (k.n != 17)
		return 0;
	rt_slice val;
	const unsigned char *id = (const unsigned char *)k.p + 1;
	if (rt_store_get(c->t, RT_DB_PLANS, id, 16, &val) != 0 || val.n < RT_PLAN_HEADER)
		return 0;
	int64_t ex = (int64_t)rt_get_le64((const unsigned char *)val.p + 24);
	if (ex && c->now >= ex)
		memcpy(c->due[c->ndue++].b, id, 16);
	return 0;
}

static int due_txn(rt_txn *t, void *vc)
{
	list_ctx *c = vc;
	c->t = t;
	const int states[] = { RT_PS_AWAITING, RT_PS_APPROVED };
	for (size_t s = 0; s < 2; s++) {
		unsigned char pre = (unsigned char)states[s];
		int rc = rt_store_iter(t, RT_DB_PLAN_STATE, &pre, 1, RT_ITER_PREFIX, due_each, c);
		if (rc)
			return rc;
	}
	return 0;
}

/* Expires every plan whose time has come (each in its own transaction;
 * at most 64 per call, the rest at the next).  Work: one header read per
 * waiting plan. */
static int sweep(rt_plans *p, const rt_id *tx)
{
	list_ctx c = { .now = rt_now_ms() };
	int rc = rt_store_view(p->store, due_txn, &c);
	for (size_t i = 0; !rc && i < c.ndue; i++) {
		rc = rt_plans_modify(p, &c.due[i], tx, NULL, NULL);
		if (rc == AL_ENOTFOUND)
			rc = 0;
	}
	return rc;
}

static int summary_json(rt_txn *t, const rt_id *id, cJSON *arr)
{
	rt_slice val;
	int rc = rt_store_get(t, RT_DB_PLANS, id->b, 16, &val);
	if (rc)
		return rc == AL_ENOTFOUND ? 0 : rc;
	rt_plan pl;
	if ((rc = rt_plan_load(id, val.p, val.n, &pl)) != 0)
		return rc;
	cJSON *full = rt_plan_view(&pl);
	rt_plan_free(&pl);
	if (!full)
		return AL_ENOMEM;
	/* a summary: drop the bulky members */
	static const char *const drop[] = { "input", "validation", "violations", "caller",
	                                    "apply", "nextStep" };
	for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(full, drop[i]);
	cJSON *d = cJSON_GetObjectItemCaseSensitive(full, "decision");
	if (cJSON_IsObject(d)) {
		cJSON *slim = cJSON_CreateObject();
		const char *keep[] = { "decision", "rule", "reason" };
		for (size_t i = 0; slim && i < 3; i++) {
			const char *s = rt_jstr(d, keep[i]);
			if (s)
				cJSON_AddStringToObject(slim, keep[i], s);
		}
		if (slim)
			cJSON_ReplaceItemInObjectCaseSensitive(full, "decision", slim);
	}
	cJSON_AddItemToArray(arr, full);
	return 0;
}

static const int list_order[] = {
	RT_PS_AWAITING, RT_PS_APPROVED, RT_PS_PLANNED, RT_PS_APPLYING, RT_PS_APPLIED,
	RT_PS_APPLY_FAILED, RT_PS_REJECTED, RT_PS_EXPIRED, RT_PS_DENIED, RT_PS_FAILED,
};
_Static_assert(sizeof list_order / sizeof list_order[0] == RT_PS_COUNT - 1, "every state listed");

typedef struct collect_ctx {
	rt_id ids[1000];
	size_t n, cap;
} collect_ctx;

static int collect_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	collect_ctx *c = vc;
	if (c->n >= c->cap)
		return 1;
	if (k.n == 17)
		memcpy(c->ids[c->n++].b, (const unsigned char *)k.p + 1, 16);
	return 0;
}

static int list_txn(rt_txn *t, void *vc)
{
	list_ctx *c = vc;
	collect_ctx *col = malloc(sizeof *col);
	if (!col)
		return AL_ENOMEM;
	int rc = 0;
	for (size_t s = 0; !rc && s < sizeof list_order / sizeof list_order[0]; s++) {
		if (c->state && list_order[s] != c->state)
			continue;
		size_t have = (size_t)cJSON_GetArraySize(c->arr);
		if (have >= c->limit)
			break;
		col->n = 0;
		col->cap = c->limit - have;
		unsigned char pre = (unsigned char)list_order[s];
		rc = rt_store_iter(t, RT_DB_PLAN_STATE, &pre, 1, RT_ITER_PREFIX | RT_ITER_REVERSE,
		                   collect_each, col);
		for (size_t i = 0; !rc && i < col->n; i++)
			rc = summary_json(t, &col->ids[i], c->arr);
	}
	free(col);
	return rc;
}

int rt_plans_list(rt_plans *p, int state, size_t limit, const rt_id *tx, rt_plan_out *o)
{
	if (!limit || limit > 1000)
		limit = 1000;
	int rc = sweep(p, tx);
	if (rc)
		return store_failed(p, rc, o);
	list_ctx c = { .state = state, .limit = limit, .arr = cJSON_CreateArray() };
	if (!c.arr)
		return AL_ENOMEM;
	rc = rt_store_view(p->store, list_txn, &c);
	if (rc) {
		cJSON_Delete(c.arr);
		return store_failed(p, rc, o);
	}
	cJSON *res = cJSON_CreateObject();
	if (!res || !cJSON_AddNumberToObject(res, "count", cJSON_GetArraySize(c.arr))) {
		cJSON_Delete(res);
		cJSON_Delete(c.arr);
		return AL_ENOMEM;
	}
	cJSON_AddItemToObject(res, "plans", c.arr);
	o->result = res;
	return 0;
}

/* ---- create ------------------------------------------------------------ */

/* Account hints from the AWS configuration that need no network: the
 * profile's sso_account_id, else the account of its role_arn. */
static void config_context(const char *profile, const char **region, char *acct, size_t cap,
                           char *regbuf, size_t regcap)
{
	rt_awsconfig *c = NULL;
	char err[200];
	acct[0] = '\0';
	if (rt_awsconfig_load(&c, err, sizeof err) != 0)
		return;
	if (!*region) {
		const char *r = rt_awsconfig_region(c, profile);
		if (r && r[0]) {
			snprintf(regbuf, regcap, "%s", r);
			*region = regbuf;
		}
	}
	const char *sso = rt_awsconfig_get(c, profile, "sso_account_id");
	const char *role = rt_awsconfig_get(c, profile, "role_arn");
	if (sso && strlen(sso) == 12 && strspn(sso, "0123456789") == 12) {
		snprintf(acct, cap, "%s", sso);
	} else if (role && strncmp(role, "arn:", 4) == 0) {
		/* arn:PARTITION:iam::ACCOUNT:role/NAME */
		const char *p = role;
		for (int i = 0; i < 4 && p; i++)
			p = strchr(p + 1, ':');
		if (p && strlen(p + 1) >= 12 && strspn(p + 1, "0123456789") == 12 && p[13] == ':')
			snprintf(acct, cap, "%.12s", p + 1);
	}
	rt_awsconfig_free(c);
}

/* Fills absent idempotency tokens (top level) with UUIDv4s. */
static int fill_tokens(const alc_catalog *cat, const alc_operation *op, cJSON *input)
{
#ifdef AIRLOCK_HAVE_EXEC
	int n = rt_exec_fill_tokens(cat, op, input);
	return n < 0 ? n : 0;
#else
	if (op->idem_member == ALC_NONE)
		return 0;
	const char *name = alc_str(cat, cat->members[op->idem_member].name);
	if (cJSON_GetObjectItemCaseSensitive(input, name))
		return 0;
	unsigned char r[16];
	if (rt_random(r, sizeof r) != 0)
		return AL_EIO;
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	char u[37];
	snprintf(u, sizeof u, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
	         r[13], r[14], r[15]);
	return cJSON_AddStringToObject(input, name, u) ? 0 : AL_ENOMEM;
#endif
}

typedef struct create_ctx {
	rt_plan *pl;
	const char *content;
	size_t clen;
	cJSON *audit_plan, *audit_decision;
	const rt_id *tx;
} create_ctx;

static int create_txn(rt_txn *t, void *vc)
{
	create_ctx *c = vc;
	int rc = save_plan(t, c->pl, 0, c->content, c->clen);
	if (!rc)
		rc = rt_audit_append(t, RT_AK_PLAN, c->tx, &c->pl->id, c->audit_plan, NULL, NULL);
	if (!rc)
		rc = rt_audit_append(t, RT_AK_DECISION, c->tx, &c->pl->id, c->audit_decision, NULL,
		                     NULL);
	return rc;
}

static cJSON *caller_json(const char *profile, const char *region, const char *account,
                          const char *via)
{
	rt_approver self;
	rt_approver_self(&self, NULL, NULL);
	cJSON *c = cJSON_CreateObject();
	if (!c)
		return NULL;
	int ok = cJSON_AddStringToObject(c, "profile", profile) &&
	         (region ? cJSON_AddStringToObject(c, "region", region)
	                 : cJSON_AddNullToObject(c, "region")) &&
	         (account ? cJSON_AddStringToObject(c, "account", account)
	                  : cJSON_AddNullToObject(c, "account")) &&
	         cJSON_AddStringToObject(c, "osUser", self.os_user) &&
	         cJSON_AddNumberToObject(c, "uid", self.uid) &&
	         cJSON_AddStringToObject(c, "via", via);
	if (!ok) {
		cJSON_Delete(c);
		return NULL;
	}
	return c;
}

#define VIOLATIONS_KEPT 20

/* Can a decision of this policy depend on the account?  Allowed-account
 * lists, environments listing accounts, or a rule condition on the account
 * or the environment. */
static int policy_uses_account(const alc_policy *pol)
{
	if (!pol || !pol->hdr)
		return 0;
	if (pol->hdr->flags & ALC_POL_ACCOUNTS)
		return 1;
	for (uint32_t i = 0; i < pol->nenvs; i++)
		if (pol->envs[i].accounts_count)
			return 1;
	for (uint32_t i = 0; i < pol->nconds; i++)
		if (pol->conds[i].subject == ALC_PS_ACCOUNT || pol->conds[i].subject == ALC_PS_ENV)
			return 1;
	return 0;
}

int rt_plans_create(rt_plans *p, const rt_plan_request *rq, const rt_id *tx, rt_plan_out *o)
{
	const alc_catalog *cat = p->cat;
	if (!cat)
		return rt_plan_refuse(o, "invalid", "no catalog: plans need one");
	char *err = NULL;
	const alc_service *svc = rt_tools_service(cat, rq->service ? rq->service : "", &err);
	const alc_operation *op = svc ? rt_tools_operation(cat, svc, rq->operation ? rq->operation : "", &err) : NULL;
	if (!op) {
		int rc = rt_plan_refuse(o, "invalid", "%s", err ? err : "unknown operation");
		free(err);
		return rc;
	}
	if (rq->input && !cJSON_IsObject(rq->input))
		return rt_plan_refuse(o, "invalid", "\"input\" must be an object ({} for an operation "
		                      "without input)");
	char perr[256];
	rt_policy *pol;
	int rc = rt_plans_policy(p, &pol, perr, sizeof perr);
	if (rc == AL_ENOMEM)
		return rc;
	if (rc)
		return rt_plan_refuse(o, "invalid", "the catalog's policy cannot be used: %s (fail "
		                      "closed: nothing can be planned)", perr);

	/* context: what the AWS configuration says, without the network */
	const char *profile = rt_awsconfig_profile_name(rq->profile);
	const char *region = rq->region;
	char acct[16], regbuf[64];
	config_context(profile, &region, acct, sizeof acct, regbuf, sizeof regbuf);
	const char *account = rq->account ? rq->account : acct[0] ? acct : NULL;
	/* The configuration does not name the account: ask STS, but only when
	 * the policy's decision can depend on it (account lists, environments
	 * by account, account conditions), so that plans under a policy that
	 * never looks at accounts make no network call.  Failure leaves it
	 * unknown, which counts against the call. */
	char sts_acct[32];
	if (!account && policy_uses_account(rt_policy_section(pol))) {
		char why[256];
		if (rt_sts_account(rq->profile, region, sts_acct, sizeof sts_acct, why,
		                   sizeof why) == 0)
			account = sts_acct;
	}

	cJSON *input = rq->input ? cJSON_Duplicate(rq->input, 1) : cJSON_CreateObject();
	if (!input)
		return AL_ENOMEM;
	rt_violation *viol = malloc(VIOLATIONS_KEPT * sizeof *viol);
	if (!viol) {
		cJSON_Delete(input);
		return AL_ENOMEM;
	}
	size_t nviol = rt_validate(cat, op, input, viol, VIOLATIONS_KEPT);
	/* a key twice in one object: canonical form is impossible, and the
	 * policy would not guess which one AWS reads */
	char *probe = NULL;
	size_t plen;
	int canon_rc = rt_canon(input, &probe, &plen);
	free(probe);
	if (canon_rc == AL_ENOMEM) {
		free(viol);
		cJSON_Delete(input);
		return AL_ENOMEM;
	}
	rt_call call = { op, input, region, account, profile };
	rt_decision d;
	rt_policy_decide(pol, &call, RT_DECIDE_EXPLAIN, &d);

	int state = nviol || canon_rc ? RT_PS_FAILED :
	            d.effect == ALC_EFFECT_DENY ? RT_PS_DENIED : RT_PS_PLANNED;
	rc = 0;
	if (state == RT_PS_PLANNED)
		rc = fill_tokens(cat, op, input);

	int64_t now = rt_now_ms();
	rt_plan pl;
	memset(&pl, 0, sizeof pl);
	rt_id_new(&pl.id, now);
	pl.state = state;
	pl.created = pl.updated = now;
	if (d.effect == ALC_EFFECT_APPROVAL && state == RT_PS_PLANNED)
		pl.flags |= RT_PF_APPROVAL;
	char id[RT_ID_TEXT], catdig[33];
	rt_id_str(&pl.id, id);
	catalog_digest(cat, catdig);

	/* content */
	cJSON *content = cJSON_CreateObject(), *dec = rt_policy_decision_json(pol, &d);
	cJSON *valid = cJSON_CreateObject();
	cJSON *caller = caller_json(profile, region, account, p->via);
	int ok = !rc && content && dec && valid && caller &&
	         cJSON_AddNumberToObject(content, "v", 1) &&
	         cJSON_AddStringToObject(content, "id", id) &&
	         cJSON_AddItemToObject(content, "created", time_json(now)) &&
	         cJSON_AddStringToObject(content, "service", alc_str(cat, svc->key)) &&
	         cJSON_AddStringToObject(content, "operation", alc_str(cat, op->name)) &&
	         cJSON_AddStringToObject(content, "catalog", catdig) &&
	         cJSON_AddBoolToObject(valid, "valid", nviol == 0 && canon_rc == 0) &&
	         cJSON_AddNumberToObject(valid, "violationCount", (double)nviol + (canon_rc != 0));
	if (ok) {
		cJSON_AddItemToObject(content, "caller", caller);
		cJSON_AddItemToObject(content, "decision", dec);
		cJSON_AddItemToObject(content, "validation", valid);
		caller = dec = valid = NULL;
	}
	/* a Failed plan may hold what cannot be made canonical (a duplicate
	 * key): it keeps the input's redacted form only */
	int found = 0;
	cJSON *red = canon_rc ? cJSON_CreateNull() /* nothing canonical to show */
	             : op->input != ALC_NONE ? rt_redact(cat, op->input, input, &found)
	                                     : cJSON_Duplicate(input, 1);
	if (found)
		pl.flags |= RT_PF_SENSITIVE;
	if (ok && canon_rc == 0 && found && state != RT_PS_PLANNED) {
		/* Failed or Denied: final from the start, it keeps no secret */
		cJSON *r2 = cJSON_Duplicate(red, 1);
		ok = r2 && cJSON_AddItemToObject(content, "input", r2);
	} else if (ok && canon_rc == 0) {
		cJSON_AddItemToObject(content, "input", input);
		input = NULL;
	} else if (ok) {
		ok = cJSON_AddNullToObject(content, "input") != NULL;
	}
	cJSON_Delete(caller);
	cJSON_Delete(dec);
	cJSON_Delete(valid);
	cJSON_Delete(input);
	pl.content = content;
	pl.status = cJSON_CreateObject();
	ok = ok && red && pl.status;
	if (ok) {
		cJSON_AddItemToObject(pl.status, "inputRedacted", red);
		red = NULL;
	}
	if (ok && (nviol || canon_rc)) {
		cJSON *arr = cJSON_AddArrayToObject(pl.status, "violations");
		ok = arr != NULL;
		if (ok && canon_rc) {
			cJSON *e = cJSON_CreateObject();
			ok = e && cJSON_AddStringToObject(e, "pointer", "") &&
			     cJSON_AddStringToObject(e, "keyword", "uniqueKeys") &&
			     cJSON_AddStringToObject(e, "message", "the input has a key twice in one "
			                             "object (or text that is not UTF-8): it cannot be "
			                             "planned");
			if (e)
				cJSON_AddItemToArray(arr, e);
		}
		for (size_t i = 0; ok && i < nviol && i < VIOLATIONS_KEPT; i++) {
			cJSON *e = cJSON_CreateObject();
			viol[i].pointer[sizeof viol[i].pointer - 1] = '\0';
			viol[i].keyword[sizeof viol[i].keyword - 1] = '\0';
			viol[i].message[sizeof viol[i].message - 1] = '\0';
			/* messages may quote the value: not for sensitive members */
			if (op->input != ALC_NONE &&
			    rt_redact_pointer(cat, op->input, viol[i].pointer)) {
				snprintf(viol[i].message, sizeof viol[i].message, "%.150s: the value breaks "
				         "the %.20s constraint (a sensitive member: its value is not shown)",
				         viol[i].pointer, viol[i].keyword);
			}
			ok = e && cJSON_AddStringToObject(e, "pointer", viol[i].pointer) &&
			     cJSON_AddStringToObject(e, "keyword", viol[i].keyword) &&
			     cJSON_AddStringToObject(e, "message", viol[i].message);
			if (e)
				cJSON_AddItemToArray(arr, e);
		}
	}
	cJSON_Delete(red);
	free(viol);
	char *cbytes = NULL;
	size_t clen = 0;
	if (ok && (rc = rt_canon(pl.content, &cbytes, &clen)) != 0)
		ok = 0;
	if (!ok) {
		rt_plan_free(&pl);
		free(cbytes);
		if (rc == AL_EIO)
			return rt_plan_refuse(o, "failed", "no random numbers for the idempotency token");
		return rc && rc != AL_ENOMEM ? rt_plan_refuse(o, "invalid", "the input cannot be "
		                                              "stored: %s", al_strerror(rc))
		                             : AL_ENOMEM;
	}
	sha256(cbytes, clen, pl.digest);
	pl.digest_ok = 1;

	/* audit payloads: the plan (input redacted) and the decision */
	char dig[65];
	hex32(pl.digest, dig);
	cJSON *ap = cJSON_CreateObject(), *ad = cJSON_CreateObject();
	ok = ap && ad && cJSON_AddStringToObject(ap, "state", rt_plan_state_name(state)) &&
	     cJSON_AddStringToObject(ap, "digest", dig) &&
	     cJSON_AddStringToObject(ap, "service", alc_str(cat, svc->key)) &&
	     cJSON_AddStringToObject(ap, "operation", alc_str(cat, op->name)) &&
	     cJSON_AddStringToObject(ap, "catalog", catdig) &&
	     add_copy(ap, "caller", rt_jobj(pl.content, "caller")) == 0 &&
	     add_copy(ap, "input", cJSON_GetObjectItemCaseSensitive(pl.status, "inputRedacted")) == 0 &&
	     add_copy(ap, "validation", rt_jobj(pl.content, "validation")) == 0 &&
	     add_copy(ad, "decision", rt_jobj(pl.content, "decision")) == 0 &&
	     cJSON_AddStringToObject(ad, "state", rt_plan_state_name(state));
	if (ok && cJSON_GetObjectItemCaseSensitive(pl.status, "violations"))
		ok = add_copy(ap, "violations", cJSON_GetObjectItemCaseSensitive(pl.status, "violations")) == 0;
	if (ok)
		ok = rt_audit_offload(p->store, ap, "input") == 0;
	if (!ok) {
		cJSON_Delete(ap);
		cJSON_Delete(ad);
		free(cbytes);
		rt_plan_free(&pl);
		return AL_ENOMEM;
	}
	create_ctx c = { &pl, cbytes, clen, ap, ad, tx };
	rc = rt_store_update(p->store, create_txn, &c);
	cJSON_Delete(ap);
	cJSON_Delete(ad);
	free(cbytes);
	if (rc) {
		rt_plan_free(&pl);
		return store_failed(p, rc, o);
	}
	cJSON *view = rt_plan_view(&pl);
	cJSON *ws = view ? cJSON_CreateObject() : NULL;
	ok = ws && cJSON_AddStringToObject(ws, "service", alc_str(cat, svc->key)) &&
	     cJSON_AddStringToObject(ws, "operation", alc_str(cat, op->name)) &&
	     (region ? cJSON_AddStringToObject(ws, "region", region)
	             : cJSON_AddNullToObject(ws, "region")) &&
	     add_copy(ws, "input", cJSON_GetObjectItemCaseSensitive(pl.status, "inputRedacted")) == 0;
	if (ok) {
		cJSON_AddItemToObject(view, "wouldSend", ws);
		ws = NULL;
		ok = cJSON_AddBoolToObject(view, "approvalRequired",
		                           (pl.flags & RT_PF_APPROVAL) != 0) != NULL;
	}
	cJSON_Delete(ws);
	rt_plan_free(&pl);
	if (!ok) {
		cJSON_Delete(view);
		return AL_ENOMEM;
	}
	o->result = view;
	return 0;
}

/* ---- apply ------------------------------------------------------------- */

typedef struct apply_ctx {
	rt_plans *p;
	rt_plan_out *o;
	int refused;                 /* the check refused (O has why) */
	char code[32];
	char *msg;
	/* what to execute (copied out of the transaction) */
	const alc_operation *op;
	cJSON *input;
	char region[64], profile[128];
	int has_region;
	int max_pages;               /* reads (rt_plans_read) */
	int (*progress)(void *, int, size_t, int);
	void *progress_ud;
	const rt_apply_opts *ao;     /* a long apply's progress (rt_cfn) */
	/* the outcome */
	rt_plan_exec_res res;
	int exec_rc;
	int final_state;
	cJSON *view;
} apply_ctx;

static void apply_reset(apply_ctx *a)
{
	a->refused = 0;
	a->code[0] = '\0';
	free(a->msg);
	a->msg = NULL;
	cJSON_Delete(a->input);
	a->input = NULL;
	a->op = NULL;
}

static int refuse_in(apply_ctx *a, const char *code, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse_in(apply_ctx *a, const char *code, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	free(a->msg);
	a->msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!a->msg)
		return AL_ENOMEM;
	va_start(ap, f);
	vsnprintf(a->msg, (size_t)n + 1, f, ap);
	va_end(ap);
	snprintf(a->code, sizeof a->code, "%s", code);
	a->refused = 1;
	return 0;
}

static int have_executor(void)
{
#ifdef AIRLOCK_HAVE_EXEC
	return 1;
#else
	return g_exec != NULL;
#endif
}

/* The checks of apply, in the transaction that moves the plan to
 * Applying: on a refusal nothing changes but the audit record. */
static int apply_checks(apply_ctx *a, rt_plan *pl, const char *id)
{
	const char *st = rt_plan_state_name(pl->state);
	switch (pl->state) {
	case RT_PS_APPLYING:
	case RT_PS_APPLIED:
	case RT_PS_APPLY_FAILED:
		return refuse_in(a, "already_applied", "plan %s was already applied (state %s): a "
		                 "plan runs at most once; make a new plan to run the call again", id, st);
	case RT_PS_EXPIRED:
		return refuse_in(a, "expired", "plan %s expired: its approval window passed; make a "
		                 "new plan and ask again", id);
	case RT_PS_REJECTED:
		return refuse_in(a, "state", "plan %s was rejected by a person: it cannot be applied",
		                 id);
	case RT_PS_DENIED:
		return refuse_in(a, "policy_denies", "plan %s is denied by the policy: it cannot be "
		                 "applied", id);
	case RT_PS_FAILED:
		return refuse_in(a, "state", "plan %s failed validation: fix the input and make a new "
		                 "plan", id);
	case RT_PS_AWAITING:
		return refuse_in(a, "not_approved", "plan %s is waiting for approval: a person must "
		                 "approve it first (`airlock approve %s`)", id, id);
	case RT_PS_PLANNED:
		if (pl->flags & RT_PF_APPROVAL)
			return refuse_in(a, "approval_required", "plan %s needs approval: call "
			                 "request_approval with a justification first", id);
		break;
	case RT_PS_APPROVED:
		break;
	default:
		return refuse_in(a, "state", "plan %s is %s", id, st ? st : "in an unknown state");
	}
	if (!pl->digest_ok)
		return refuse_in(a, "digest_changed", "plan %s was changed after it was made: its "
		                 "content no longer matches its digest; it will not be applied", id);
	char dig[65];
	hex32(pl->digest, dig);
	const cJSON *g, *grants = cJSON_GetObjectItemCaseSensitive(pl->status, "grants");
	int ngrants = 0;
	cJSON_ArrayForEach(g, grants) {
		const char *gd = rt_jstr(g, "digest");
		if (!gd || strcmp(gd, dig) != 0)
			return refuse_in(a, "digest_changed", "plan %s: an approval was given for another "
			                 "digest than the plan's; it will not be applied", id);
		ngrants++;
	}
	unsigned risk;
	uint32_t approvers, ttl;
	plan_approval(pl, &risk, &approvers, &ttl);
	if (pl->state == RT_PS_APPROVED && ngrants < (int)approvers)
		return refuse_in(a, "not_approved", "plan %s has %d of %u approvals", id, ngrants,
		                 approvers);

	/* the current catalog and its policy */
	const alc_catalog *cat = a->p->cat;
	if (!cat)
		return refuse_in(a, "invalid", "no catalog: apply needs one");
	const cJSON *c = pl->content;
	const char *sname = rt_jstr(c, "service"), *oname = rt_jstr(c, "operation");
	const alc_operation *op = sname && oname
	        ? alc_find_operation(cat, sname, strlen(sname), oname, strlen(oname)) : NULL;
	if (!op)
		return refuse_in(a, "policy_denies", "plan %s: the current catalog has no operation "
		                 "%s:%s", id, sname ? sname : "?", oname ? oname : "?");
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(c, "input");
	if (!cJSON_IsObject(input))
		return refuse_in(a, "state", "plan %s has no input to send", id);
	rt_violation v[1];
	if (rt_validate(cat, op, input, v, 1) != 0) {
		v[0].message[sizeof v[0].message - 1] = '\0';
		return refuse_in(a, "invalid", "plan %s: its input is not valid for the current "
		                 "catalog: %s", id, v[0].message);
	}
	char perr[256];
	rt_policy *pol;
	int rc = rt_plans_policy(a->p, &pol, perr, sizeof perr);
	if (rc == AL_ENOMEM)
		return rc;
	if (rc)
		return refuse_in(a, "policy_denies", "the catalog's policy cannot be used: %s", perr);
	const cJSON *caller = rt_jobj(c, "caller");
	rt_call call = { op, input, rt_jstr(caller, "region"), rt_jstr(caller, "account"),
	                 rt_jstr(caller, "profile") };
	rt_decision d;
	rt_policy_decide(pol, &call, 0, &d);
	if (d.effect == ALC_EFFECT_DENY)
		return refuse_in(a, "policy_denies", "plan %s: the policy now denies it (rule %s: "
		                 "%s)", id, d.rule ? d.rule : "?", d.reason);
	if (d.effect == ALC_EFFECT_APPROVAL) {
		uint32_t need = d.approvers >= 2 ? 2 : 1;
		if (!(pl->flags & RT_PF_APPROVAL) || ngrants < (int)need)
			return refuse_in(a, "approval_required", "plan %s: the policy now requires %u "
			                 "approval%s (rule %s) and the plan has %d: make a new plan and "
			                 "ask for approval", id, need, need == 1 ? "" : "s",
			                 d.rule ? d.rule : "?", ngrants);
		unsigned ch = rt_approve_channels(d.risk, need);
		cJSON_ArrayForEach(g, grants) {
			int gch = rt_channel_find(rt_jstr(g, "channel") ? rt_jstr(g, "channel") : "");
			if (!gch || !(ch & (unsigned)gch))
				return refuse_in(a, "channel_not_accepted", "plan %s was approved through %s, "
				                 "which the policy does not accept for %s-risk plans: it "
				                 "must be approved from a terminal (`airlock approve`); make "
				                 "a new plan", id, rt_jstr(g, "channel") ? rt_jstr(g, "channel") : "?",
				                 alc_risk_name(d.risk));
		}
	}
	if (!have_executor())
		return refuse_in(a, "no_executor", "execution not available in this build: plan %s "
		                 "stays %s and can be applied by an airlock that executes AWS calls",
		                 id, st);
	a->op = op;
	a->input = cJSON_Duplicate(input, 1);
	if (!a->input)
		return AL_ENOMEM;
	a->has_region = rt_jstr(caller, "region") != NULL;
	snprintf(a->region, sizeof a->region, "%s", a->has_region ? rt_jstr(caller, "region") : "");
	snprintf(a->profile, sizeof a->profile, "%s", rt_jstr(caller, "profile") ? rt_jstr(caller, "profile") : "");
	return 0;
}

/* ---- apply (the real transactions) ------------------------------------ */

typedef struct apply_txn_ctx {
	apply_ctx *a;
	const rt_id *tx;
} apply_txn_ctx;

static int apply_start_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	apply_txn_ctx *x = vc;
	apply_ctx *a = x->a;
	apply_reset(a);
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	int rc = apply_checks(a, pl, id);
	if (rc)
		return rc;
	if (a->refused) {
		cJSON *pay = cJSON_CreateObject();
		if (!pay || !cJSON_AddStringToObject(pay, "code", a->code) ||
		    !cJSON_AddStringToObject(pay, "message", a->msg) ||
		    !cJSON_AddStringToObject(pay, "state", rt_plan_state_name(pl->state))) {
			cJSON_Delete(pay);
			return AL_ENOMEM;
		}
		return audit_plan(t, RT_AK_APPLY_REFUSED, x->tx, pl, pay);
	}
	int64_t now = rt_now_ms();
	if ((rc = rt_plan_set_state(pl, RT_PS_APPLYING, now)) != 0)
		return rc;
	char txs[RT_ID_TEXT], catdig[33];
	rt_id_str(x->tx, txs);
	catalog_digest(p->cat, catdig);
	cJSON *ap = cJSON_CreateObject();
	if (!ap || !cJSON_AddStringToObject(ap, "txId", txs) ||
	    !cJSON_AddItemToObject(ap, "startedAt", time_json(now)) ||
	    !cJSON_AddStringToObject(ap, "catalog", catdig) || jset(pl->status, "apply", ap) != 0) {
		cJSON_Delete(ap);
		return AL_ENOMEM;
	}
	cJSON *pay = cJSON_CreateObject();
	char dig[65];
	hex32(pl->digest, dig);
	if (!pay || !cJSON_AddStringToObject(pay, "digest", dig) ||
	    !cJSON_AddStringToObject(pay, "catalog", catdig) ||
	    !cJSON_AddNumberToObject(pay, "attempt", 1)) {
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	return audit_plan(t, RT_AK_APPLY_START, x->tx, pl, pay);
}

static int apply_finish_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	apply_txn_ctx *x = vc;
	apply_ctx *a = x->a;
	char txs[RT_ID_TEXT];
	rt_id_str(x->tx, txs);
	const cJSON *ap = rt_jobj(pl->status, "apply");
	if (pl->state != RT_PS_APPLYING || !rt_jstr(ap, "txId") || strcmp(rt_jstr(ap, "txId"), txs) != 0)
		return AL_ESTATE; /* not ours: never overwrite another outcome */
	int64_t now = rt_now_ms();
	int ok = a->exec_rc == 0 && a->res.output && !a->res.error;
	int rc;
	for (int i = 2; i <= a->res.attempts; i++) {
		cJSON *pay = cJSON_CreateObject();
		if (!pay || !cJSON_AddNumberToObject(pay, "attempt", i)) {
			cJSON_Delete(pay);
			return AL_ENOMEM;
		}
		if ((rc = audit_plan(t, RT_AK_APPLY_RETRY, x->tx, pl, pay)) != 0)
			return rc;
	}
	cJSON *apl = cJSON_Duplicate(ap, 1);
	cJSON *pay = cJSON_CreateObject();
	if (!apl || !pay) {
		cJSON_Delete(apl);
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	int good = cJSON_AddStringToObject(pay, "outcome", ok ? "succeeded" : "failed") &&
	           cJSON_AddNumberToObject(pay, "attempts", a->res.attempts) &&
	           cJSON_AddStringToObject(pay, "requestId", a->res.request_id) &&
	           cJSON_AddItemToObject(apl, "finishedAt", time_json(now)) &&
	           cJSON_AddStringToObject(apl, "outcome", ok ? "succeeded" : "failed") &&
	           cJSON_AddNumberToObject(apl, "attempts", a->res.attempts) &&
	           cJSON_AddStringToObject(apl, "requestId", a->res.request_id);
	if (good && ok) {
		/* the response in full except sensitive members */
		cJSON *red = a->op->output != ALC_NONE
		             ? rt_redact(p->cat, a->op->output, a->res.output, NULL)
		             : cJSON_Duplicate(a->res.output, 1);
		good = red && cJSON_AddItemToObject(pay, "response", red) &&
		       rt_audit_offload(p->store, pay, "response") == 0;
	} else if (good) {
		cJSON *e = a->res.error ? cJSON_Duplicate(a->res.error, 1) : cJSON_CreateObject();
		if (e && !a->res.error) {
			cJSON_AddStringToObject(e, "code", "ClientError");
			cJSON_AddStringToObject(e, "message", al_strerror(a->exec_rc));
		}
		good = e && cJSON_AddItemToObject(apl, "error", cJSON_Duplicate(e, 1)) &&
		       cJSON_AddItemToObject(pay, "error", e);
	}
	if (!good || jset(pl->status, "apply", apl) != 0) {
		if (!good)
			cJSON_Delete(apl);
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	a->final_state = ok ? RT_PS_APPLIED : RT_PS_APPLY_FAILED;
	if ((rc = rt_plan_set_state(pl, a->final_state, now)) != 0) {
		cJSON_Delete(pay);
		return rc;
	}
	if ((rc = audit_plan(t, RT_AK_APPLY_OUTCOME, x->tx, pl, pay)) != 0)
		return rc;
	cJSON_Delete(a->view);
	a->view = rt_plan_view(pl);
	return a->view ? 0 : AL_ENOMEM;
}

#ifdef AIRLOCK_HAVE_EXEC
static int exec_real(const rt_plan_exec_req *rq, rt_plan_exec_res *rs)
{
	rt_exec_options eo;
	memset(&eo, 0, sizeof eo);
	eo.profile = rq->profile && rq->profile[0] ? rq->profile : NULL;
	/* A plan records the profile the default chain resolves to ("default"
	 * or AWS_PROFILE) when none was named.  Passing that name as if given
	 * would skip environment credentials, which the AWS CLI only does for
	 * an explicit --profile: so when it is still what the default chain
	 * resolves to, apply uses the default chain. */
	if (eo.profile && strcmp(eo.profile, rt_awsconfig_profile_name(NULL)) == 0)
		eo.profile = NULL;
	eo.region = rq->region && rq->region[0] ? rq->region : NULL;
	eo.no_validate = 1;
	rt_exec *x = NULL;
	char err[256];
	int rc = rt_exec_new(&x, rq->cat, &eo, err, sizeof err);
	if (rc) {
		rs->error = cJSON_CreateObject();
		if (rs->error) {
			cJSON_AddStringToObject(rs->error, "code", "ClientError");
			cJSON_AddStringToObject(rs->error, "message", err);
		}
		return 0;
	}
	rt_exec_result r;
	rt_exec_result_init(&r);
	rt_exec_call_options co = { rq->max_pages, rq->progress, rq->progress_ud, 0 };
	rc = rt_exec_call(x, rq->op, rq->input, &co, &r);
	rs->attempts = r.attempts;
	snprintf(rs->request_id, sizeof rs->request_id, "%s", r.request_id);
	if (rc == 0 && r.output) {
		rs->output = r.output;
		r.output = NULL;
	} else {
		cJSON *j = rt_exec_result_json(rq->cat, &r);
		cJSON *e = j ? cJSON_DetachItemFromObjectCaseSensitive(j, "error") : NULL;
		cJSON_Delete(j);
		rs->error = e ? e : cJSON_CreateObject();
		if (rs->error && !e) {
			cJSON_AddStringToObject(rs->error, "code", "ClientError");
			cJSON_AddStringToObject(rs->error, "message", al_strerror(rc));
		}
	}
	rt_exec_result_free(&r);
	rt_exec_free(x);
	return 0;
}
#endif

static int run_executor(const rt_plan_exec_req *rq, rt_plan_exec_res *rs)
{
	if (g_exec)
		return g_exec(g_exec_ud, rq, rs);
#ifdef AIRLOCK_HAVE_EXEC
	return exec_real(rq, rs);
#else
	return AL_EINVAL;
#endif
}

int rt_plans_execute(const rt_plan_exec_req *rq, rt_plan_exec_res *rs)
{
	return run_executor(rq, rs);
}

static int apply_id(rt_plans *p, const rt_id *id, const rt_id *tx,
                    const rt_plan_request *read, const rt_apply_opts *ao, rt_plan_out *o)
{
	apply_ctx a;
	memset(&a, 0, sizeof a);
	a.ao = ao;
	if (read) {
		a.max_pages = read->max_pages > RT_PLAN_MAX_PAGES ? RT_PLAN_MAX_PAGES
		                                                  : read->max_pages;
		a.progress = read->progress;
		a.progress_ud = read->progress_ud;
	}
	a.p = p;
	a.o = o;
	apply_txn_ctx x = { &a, tx };
	int rc = rt_plans_modify(p, id, tx, apply_start_fn, &x);
	if (rc == 0 && a.refused) {
		rc = rt_plan_refuse(o, a.code, "%s", a.msg);
		apply_reset(&a);
		return rc;
	}
	if (rc) {
		apply_reset(&a);
		if (rc == AL_ENOTFOUND)
			return rt_plan_refuse(o, "not_found", "no such plan");
		return store_failed(p, rc, o);
	}
	/* Applying is on disk: from here the plan is never sent again */
	rt_plan_exec_req rq = { p->cat, a.op, a.input, a.has_region ? a.region : NULL,
	                        a.profile[0] ? a.profile : NULL, a.max_pages,
	                        a.progress, a.progress_ud };
	a.res.attempts = 1;
	/* CloudFormation stacks go through their change set and are followed
	 * to the end (rt_cfn.h) */
	if (rt_cfn_handles(p->cat, a.op))
		a.exec_rc = rt_cfn_apply(p, id, tx, &rq, a.ao, &a.res);
	else
		a.exec_rc = run_executor(&rq, &a.res);
	if (a.res.attempts < 1)
		a.res.attempts = 1;
	if (a.res.attempts > 100)
		a.res.attempts = 100;
	rc = rt_plans_modify(p, id, tx, apply_finish_fn, &x);
	cJSON *output = a.res.output, *error = a.res.error;
	a.res.output = a.res.error = NULL;
	if (rc) {
		cJSON_Delete(output);
		cJSON_Delete(error);
		cJSON_Delete(a.view);
		apply_reset(&a);
		return store_failed(p, rc, o);
	}
	char idt[RT_ID_TEXT];
	rt_id_str(id, idt);
	if (a.final_state == RT_PS_APPLIED) {
		cJSON *res = a.view;
		a.view = NULL;
		int ok = res && cJSON_AddBoolToObject(res, "applied", 1) && output;
		if (ok) {
			cJSON_AddItemToObject(res, "output", output);
			output = NULL;
		}
		cJSON_Delete(output);
		cJSON_Delete(error);
		apply_reset(&a);
		if (!ok) {
			cJSON_Delete(res);
			return AL_ENOMEM;
		}
		o->result = res;
		return 0;
	}
	char *etext = error ? cJSON_PrintUnformatted(error) : NULL;
	/* the error as it came, for callers that act on its code (a diff
	 * tells "not found" from "access denied") */
	cJSON_Delete(o->detail);
	o->detail = cJSON_CreateObject();
	if (o->detail && (!cJSON_AddStringToObject(o->detail, "planId", idt) ||
	                  (error && !cJSON_AddItemToObject(o->detail, "error",
	                                                   cJSON_Duplicate(error, 1))))) {
		cJSON_Delete(o->detail);
		o->detail = NULL;
	}
	rc = rt_plan_refuse(o, "failed", "plan %s was applied and failed (state ApplyFailed, %d "
	                    "attempt%s): %s; the plan is used up: fix the cause and make a new "
	                    "plan", idt, a.res.attempts, a.res.attempts == 1 ? "" : "s",
	                    etext ? etext : "no details");
	free(etext);
	cJSON_Delete(output);
	cJSON_Delete(error);
	cJSON_Delete(a.view);
	apply_reset(&a);
	return rc;
}

int rt_plans_apply(rt_plans *p, const char *text, const rt_id *tx, rt_plan_out *o)
{
	return rt_plans_apply_opts(p, text, tx, NULL, o);
}

int rt_plans_apply_opts(rt_plans *p, const char *text, const rt_id *tx, const rt_apply_opts *ao,
                        rt_plan_out *o)
{
	rt_id id;
	if (!resolve_or_refuse(p, text, &id, o))
		return o->error ? 0 : AL_ENOMEM;
	return apply_id(p, &id, tx, NULL, ao, o);
}

int rt_plans_read(rt_plans *p, const rt_plan_request *rq, const rt_id *tx, rt_plan_out *o)
{
	const alc_catalog *cat = p->cat;
	if (!cat)
		return rt_plan_refuse(o, "invalid", "no catalog");
	char *err = NULL;
	const alc_service *svc = rt_tools_service(cat, rq->service ? rq->service : "", &err);
	const alc_operation *op = svc ? rt_tools_operation(cat, svc, rq->operation ? rq->operation : "", &err) : NULL;
	if (!op) {
		int rc = rt_plan_refuse(o, "invalid", "%s", err ? err : "unknown operation");
		free(err);
		return rc;
	}
	if (!rt_op_is_read(cat, op))
		return rt_plan_refuse(o, "not_read", "%s:%s is not a read operation: use "
		                      "plan_operation, then apply_plan", alc_str(cat, svc->key),
		                      alc_str(cat, op->name));
	int rc = rt_plans_create(p, rq, tx, o);
	if (rc || o->error)
		return rc;
	cJSON *plan = o->result;
	o->result = NULL;
	const char *state = rt_jstr(plan, "state"), *pid = rt_jstr(plan, "planId");
	int approval = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(plan, "approvalRequired"));
	if (!state || !pid || strcmp(state, "Planned") != 0 || approval) {
		const cJSON *d = rt_jobj(plan, "decision");
		rc = rt_plan_refuse(o, approval ? "approval_required" :
		                    state && strcmp(state, "Denied") == 0 ? "policy_denies" : "invalid",
		                    "read_operation only runs reads the policy allows without approval: "
		                    "plan %s is %s%s (%s%s%s)%s", pid ? pid : "?", state ? state : "?",
		                    approval ? " and needs approval" : "",
		                    rt_jstr(d, "decision") ? rt_jstr(d, "decision") : "",
		                    rt_jstr(d, "reason") ? ": " : "", rt_jstr(d, "reason") ? rt_jstr(d, "reason") : "",
		                    approval ? "; use request_approval, then apply_plan" : "");
		cJSON_Delete(plan);
		return rc;
	}
	rt_id id;
	if (rt_id_parse(pid, &id) != 0) {
		cJSON_Delete(plan);
		return rt_plan_refuse(o, "failed", "internal: bad plan id");
	}
	cJSON_Delete(plan);
	return apply_id(p, &id, tx, rq, NULL, o);
}
