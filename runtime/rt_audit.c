/*
 * rt_audit.c -- see rt_audit.h.
 *
 * The head (RT_DB_META "audit.head", 48 bytes: seq u64 LE, time i64 LE,
 * SHA-256 of the last record) is checked against the last record before
 * every append: a damaged tail stops the log (fail closed) instead of
 * being chained over.
 */
#include "rt_audit.h"

#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "alc_err.h"
#include "rt_jsonrpc.h"

#define HEAD_KEY "audit.head"
#define HEAD_LEN 48u

static const char *const kind_names[RT_AK_COUNT] = {
	[0] = NULL,
	[RT_AK_PLAN] = "plan",
	[RT_AK_DECISION] = "decision",
	[RT_AK_APPROVAL_REQUEST] = "approval_request",
	[RT_AK_APPROVAL_PROMPT] = "approval_prompt",
	[RT_AK_APPROVAL_GRANT] = "approval_grant",
	[RT_AK_APPROVAL_REJECT] = "approval_reject",
	[RT_AK_EXPIRY] = "expiry",
	[RT_AK_APPLY_REFUSED] = "apply_refused",
	[RT_AK_APPLY_START] = "apply_start",
	[RT_AK_APPLY_RETRY] = "apply_retry",
	[RT_AK_APPLY_OUTCOME] = "apply_outcome",
	[RT_AK_CALL] = "call",
	[RT_AK_DIFF] = "diff",
	[RT_AK_DRY_RUN] = "dry_run",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == RT_AK_COUNT, "one name per kind");

const char *rt_audit_kind_name(int kind)
{
	return kind > 0 && kind < RT_AK_COUNT ? kind_names[kind] : NULL;
}

int rt_audit_kind_find(const char *name)
{
	for (int k = 1; k < RT_AK_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return 0;
}

static const unsigned char audit_magic[4] = { 'A', 'L', 'A', 'U' };

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	br_sha256_context c;
	br_sha256_init(&c);
	br_sha256_update(&c, p, n);
	br_sha256_out(&c, out);
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char dig[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = dig[d[i] >> 4];
		out[2 * i + 1] = dig[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int rt_audit_decode(const void *vbuf, size_t len, rt_audit_rec *r)
{
	const unsigned char *b = vbuf;
	memset(r, 0, sizeof *r);
	if (len < RT_AUDIT_HEADER || len > RT_AUDIT_MAX_RECORD || memcmp(b, audit_magic, 4) != 0)
		return AL_ECORRUPT;
	uint16_t ver = rt_get_le16(b + 4);
	if (ver != 1)
		return ver > 1 ? AL_EVERSION : AL_ECORRUPT;
	r->kind = rt_get_le16(b + 6);
	if (r->kind <= 0 || r->kind >= RT_AK_COUNT)
		return AL_ECORRUPT;
	r->seq = rt_get_le64(b + 8);
	r->time = (int64_t)rt_get_le64(b + 16);
	memcpy(r->tx.b, b + 24, 16);
	memcpy(r->op.b, b + 40, 16);
	memcpy(r->plan.b, b + 56, 16);
	memcpy(r->prev, b + 72, 32);
	uint32_t pl = rt_get_le32(b + 104);
	if (r->seq == 0 || rt_get_le32(b + 108) != 0 || (uint64_t)RT_AUDIT_HEADER + pl != len ||
	    pl < 2)
		return AL_ECORRUPT;
	r->payload = (const char *)b + RT_AUDIT_HEADER;
	r->payload_len = pl;
	if (memchr(r->payload, '\0', pl) || !rt_utf8_valid(r->payload, pl) || r->payload[0] != '{')
		return AL_ECORRUPT;
	return 0;
}

/* ---- append ------------------------------------------------------------ */

typedef struct head {
	uint64_t seq;
	int64_t time;
	unsigned char hash[32];
} head;

static int read_head(rt_txn *t, head *h)
{
	memset(h, 0, sizeof *h);
	rt_slice v;
	int rc = rt_store_get(t, RT_DB_META, HEAD_KEY, strlen(HEAD_KEY), &v);
	if (rc == AL_ENOTFOUND) {
		uint64_t n = 0;
		if ((rc = rt_store_count(t, RT_DB_AUDIT, &n)) != 0)
			return rc;
		return n ? AL_ECORRUPT : 0; /* records without a head */
	}
	if (rc)
		return rc;
	if (v.n != HEAD_LEN)
		return AL_ECORRUPT;
	const unsigned char *p = v.p;
	h->seq = rt_get_le64(p);
	h->time = (int64_t)rt_get_le64(p + 8);
	memcpy(h->hash, p + 16, 32);
	return 0;
}

int rt_audit_append(rt_txn *t, int kind, const rt_id *tx, const rt_id *plan,
                    const cJSON *payload, uint64_t *seq_out, rt_id *op_out)
{
	if (kind <= 0 || kind >= RT_AK_COUNT || !tx || (payload && !cJSON_IsObject(payload)))
		return AL_EINVAL;
	head h;
	int rc = read_head(t, &h);
	if (rc)
		return rc;
	if (h.seq) {
		/* the head must describe the last record as it is now */
		unsigned char k[8], d[32];
		rt_be64(k, h.seq);
		rt_slice last;
		if ((rc = rt_store_get(t, RT_DB_AUDIT, k, 8, &last)) != 0)
			return rc == AL_ENOTFOUND ? AL_ECORRUPT : rc;
		sha256(last.p, last.n, d);
		if (memcmp(d, h.hash, 32) != 0)
			return AL_ECORRUPT;
	}
	char *text = NULL;
	size_t plen = 2;
	if (payload && (rc = rt_canon(payload, &text, &plen)) != 0)
		return rc;
	if (plen > RT_AUDIT_MAX_RECORD - RT_AUDIT_HEADER) {
		free(text);
		return AL_ETOOBIG;
	}
	size_t len = RT_AUDIT_HEADER + plen;
	unsigned char *b = malloc(len);
	if (!b) {
		free(text);
		return AL_ENOMEM;
	}
	int64_t now = rt_now_ms();
	if (now < h.time)
		now = h.time; /* records stay time-sorted */
	rt_id op;
	rt_id_new(&op, now);
	uint64_t seq = h.seq + 1;
	memcpy(b, audit_magic, 4);
	rt_le16(b + 4, 1);
	rt_le16(b + 6, (uint16_t)kind);
	rt_le64(b + 8, seq);
	rt_le64(b + 16, (uint64_t)now);
	memcpy(b + 24, tx->b, 16);
	memcpy(b + 40, op.b, 16);
	if (plan)
		memcpy(b + 56, plan->b, 16);
	else
		memset(b + 56, 0, 16);
	memcpy(b + 72, h.hash, 32);
	rt_le32(b + 104, (uint32_t)plen);
	rt_le32(b + 108, 0);
	memcpy(b + RT_AUDIT_HEADER, text ? text : "{}", plen);
	free(text);

	unsigned char key[8], nh[HEAD_LEN], ix[24];
	rt_be64(key, seq);
	rc = rt_store_put(t, RT_DB_AUDIT, key, 8, b, len, RT_PUT_NEW);
	if (!rc) {
		rt_le64(nh, seq);
		rt_le64(nh + 8, (uint64_t)now);
		sha256(b, len, nh + 16);
		rc = rt_store_put(t, RT_DB_META, HEAD_KEY, strlen(HEAD_KEY), nh, HEAD_LEN, 0);
	}
	free(b);
	if (!rc && plan && !rt_id_is_zero(plan)) {
		memcpy(ix, plan->b, 16);
		memcpy(ix + 16, key, 8);
		rc = rt_store_put(t, RT_DB_AUDIT_PLAN, ix, 24, "", 0, 0);
	}
	if (!rc) {
		memcpy(ix, tx->b, 16);
		memcpy(ix + 16, key, 8);
		rc = rt_store_put(t, RT_DB_AUDIT_TX, ix, 24, "", 0, 0);
	}
	if (!rc && seq_out)
		*seq_out = seq;
	if (!rc && op_out)
		*op_out = op;
	return rc;
}

int rt_audit_offload(rt_store *s, cJSON *payload, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, key);
	if (!v)
		return 0;
	char *text;
	size_t len;
	int rc = rt_canon(v, &text, &len);
	if (rc == AL_EINVAL)
		return 0; /* not canonical: the append will say so */
	if (rc)
		return rc;
	if (len <= RT_AUDIT_INLINE_MAX) {
		free(text);
		return 0;
	}
	char h[65];
	rc = rt_store_blob_put(s, text, len, h);
	free(text);
	if (rc)
		return rc;
	cJSON *ref = cJSON_CreateObject(), *a;
	if (!ref || !(a = cJSON_AddObjectToObject(ref, "artifact")) ||
	    !cJSON_AddStringToObject(a, "sha256", h) ||
	    !cJSON_AddNumberToObject(a, "bytes", (double)len)) {
		cJSON_Delete(ref);
		return AL_ENOMEM;
	}
	return cJSON_ReplaceItemInObjectCaseSensitive(payload, key, ref) ? 0 : AL_ENOMEM;
}

/* ---- presenting -------------------------------------------------------- */

cJSON *rt_audit_json(const rt_audit_rec *r, const void *buf, size_t len)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	char t[RT_TIME_TEXT], id[RT_ID_TEXT], h[65];
	unsigned char d[32];
	rt_time_str(r->time, t);
	int ok = cJSON_AddNumberToObject(o, "seq", (double)r->seq) &&
	         cJSON_AddStringToObject(o, "time", t) &&
	         cJSON_AddStringToObject(o, "kind", rt_audit_kind_name(r->kind));
	rt_id_str(&r->tx, id);
	ok = ok && cJSON_AddStringToObject(o, "txId", id);
	rt_id_str(&r->op, id);
	ok = ok && cJSON_AddStringToObject(o, "opId", id);
	if (ok && rt_id_is_zero(&r->plan)) {
		ok = cJSON_AddNullToObject(o, "planId") != NULL;
	} else if (ok) {
		rt_id_str(&r->plan, id);
		ok = cJSON_AddStringToObject(o, "planId", id) != NULL;
	}
	hex(r->prev, 32, h);
	ok = ok && cJSON_AddStringToObject(o, "prev", h);
	sha256(buf, len, d);
	hex(d, 32, h);
	ok = ok && cJSON_AddStringToObject(o, "hash", h);
	cJSON *p = ok ? cJSON_ParseWithLength(r->payload, r->payload_len) : NULL;
	if (!p || !cJSON_AddItemToObject(o, "payload", p)) {
		cJSON_Delete(p);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- verify ------------------------------------------------------------ */

typedef struct verify_ctx {
	rt_audit_report *r;
	uint64_t expect;
	int64_t last_time;
	unsigned char last_hash[32];
	rt_id *applied;          /* plan ids with an apply start */
	size_t napplied, capplied;
	rt_id *planned;          /* plan ids with a plan record */
	size_t nplanned, cplanned;
	int err;
} verify_ctx;

static void fail(verify_ctx *c, uint64_t seq, const char *f, const char *detail)
{
	if (!c->r->intact)
		return;
	c->r->intact = 0;
	c->r->bad_seq = seq;
	snprintf(c->r->problem, sizeof c->r->problem, f, detail);
}

static int push_id(rt_id **arr, size_t *n, size_t *cap, const rt_id *id)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		rt_id *a = realloc(*arr, nc * sizeof *a);
		if (!a)
			return AL_ENOMEM;
		*arr = a;
		*cap = nc;
	}
	(*arr)[(*n)++] = *id;
	return 0;
}

static int verify_each(void *vc, rt_slice k, rt_slice v)
{
	verify_ctx *c = vc;
	uint64_t seq = ++c->expect;
	char what[64];
	snprintf(what, sizeof what, "%llu", (unsigned long long)seq);
	if (k.n != 8 || rt_get_be64(k.p) != seq) {
		fail(c, seq, "record %s is missing (the sequence has a gap)", what);
		return 1;
	}
	rt_audit_rec r;
	if (rt_audit_decode(v.p, v.n, &r) != 0 || r.seq != seq) {
		fail(c, seq, "record %s is damaged (its layout does not decode)", what);
		return 1;
	}
	if (memcmp(r.prev, c->last_hash, 32) != 0) {
		fail(c, seq, "record %s does not chain to the one before it (a record was "
		     "changed, removed or inserted)", what);
		return 1;
	}
	if (r.time < c->last_time) {
		fail(c, seq, "record %s is older than the one before it", what);
		return 1;
	}
	cJSON *p = cJSON_ParseWithLength(r.payload, r.payload_len);
	int obj = cJSON_IsObject(p);
	cJSON_Delete(p);
	if (!obj) {
		fail(c, seq, "record %s has a payload that is not a JSON object", what);
		return 1;
	}
	if (r.kind == RT_AK_APPLY_START &&
	    push_id(&c->applied, &c->napplied, &c->capplied, &r.plan) != 0)
		return c->err = AL_ENOMEM;
	if (r.kind == RT_AK_PLAN &&
	    push_id(&c->planned, &c->nplanned, &c->cplanned, &r.plan) != 0)
		return c->err = AL_ENOMEM;
	sha256(v.p, v.n, c->last_hash);
	c->last_time = r.time;
	c->r->records++;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

typedef struct plans_check {
	verify_ctx *c;
	uint64_t missing;
	rt_id first;
} plans_check;

static int plan_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	plans_check *pc = vc;
	if (k.n != 16)
		return 0;
	if (!pc->c->nplanned ||
	    !bsearch(k.p, pc->c->planned, pc->c->nplanned, sizeof(rt_id), id_cmp)) {
		if (!pc->missing++)
			memcpy(pc->first.b, k.p, 16);
	}
	return 0;
}

static int verify_txn(rt_txn *t, void *vc)
{
	verify_ctx *c = vc;
	head h;
	int rc = read_head(t, &h);
	if (rc == AL_ECORRUPT) {
		fail(c, 0, "the head of the log is %s", "missing or damaged");
		return 0;
	}
	if (rc)
		return rc;
	c->r->head_seq = h.seq;
	hex(h.hash, 32, c->r->head_hash);
	rc = rt_store_iter(t, RT_DB_AUDIT, NULL, 0, 0, verify_each, c);
	if (rc)
		return rc;
	if (c->err)
		return c->err;
	if (c->r->intact) {
		char what[64];
		snprintf(what, sizeof what, "%llu", (unsigned long long)h.seq);
		if (c->r->records != h.seq)
			fail(c, c->r->records + 1, "the head names record %s, which is not the last "
			     "one (records were removed or added at the end)", what);
		else if (h.seq && memcmp(h.hash, c->last_hash, 32) != 0)
			fail(c, h.seq, "the last record (%s) does not match the head's digest", what);
	}
	/* no plan applied twice; every plan has its plan record */
	if (c->napplied > 1)
		qsort(c->applied, c->napplied, sizeof(rt_id), id_cmp);
	for (size_t i = 1; i < c->napplied; i++)
		if (memcmp(&c->applied[i], &c->applied[i - 1], 16) == 0 &&
		    (i < 2 || memcmp(&c->applied[i - 1], &c->applied[i - 2], 16) != 0))
			c->r->plans_applied_twice++;
	if (c->nplanned > 1)
		qsort(c->planned, c->nplanned, sizeof(rt_id), id_cmp);
	c->r->plans = c->nplanned;
	plans_check pc = { c, 0, { { 0 } } };
	rc = rt_store_iter(t, RT_DB_PLANS, NULL, 0, 0, plan_each, &pc);
	if (rc)
		return rc;
	if (pc.missing && c->r->intact) {
		char id[RT_ID_TEXT];
		rt_id_str(&pc.first, id);
		fail(c, 0, "plan %s (and maybe others) has no plan record in the log", id);
	}
	return 0;
}

int rt_audit_verify(rt_store *s, rt_audit_report *r)
{
	memset(r, 0, sizeof *r);
	r->intact = 1;
	verify_ctx c;
	memset(&c, 0, sizeof c);
	c.r = r;
	int rc = rt_store_view(s, verify_txn, &c);
	free(c.applied);
	free(c.planned);
	return rc;
}

/* ---- queries ----------------------------------------------------------- */

typedef struct query_ctx {
	const rt_audit_query *q;
	cJSON *arr;              /* collect */
	FILE *f;                 /* or print */
	size_t n;
	rt_txn *t;
	const rt_id *op;         /* rt_audit_get by op id */
	int err;
} query_ctx;

/* Emits record BUF if it matches; returns 1 to stop (limit), 0, or an
 * error. */
static int emit(query_ctx *c, const void *buf, size_t len)
{
	rt_audit_rec r;
	if (rt_audit_decode(buf, len, &r) != 0)
		return AL_ECORRUPT;
	const rt_audit_query *q = c->q;
	if (q->since && r.time < q->since)
		return 0;
	if (r.seq <= q->after_seq)
		return 0;
	if (c->op && memcmp(c->op->b, r.op.b, 16) != 0)
		return r.time > rt_id_time(c->op) ? 1 : 0;
	cJSON *j = rt_audit_json(&r, buf, len);
	if (!j)
		return AL_ENOMEM;
	if (c->f) {
		char *s = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		if (!s)
			return AL_ENOMEM;
		fputs(s, c->f);
		fputc('\n', c->f);
		free(s);
	} else {
		cJSON_AddItemToArray(c->arr, j);
	}
	c->n++;
	return q->limit && c->n >= q->limit ? 1 : 0;
}

static int index_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	query_ctx *c = vc;
	if (k.n != 24)
		return 0;
	rt_slice rec;
	int rc = rt_store_get(c->t, RT_DB_AUDIT, (const unsigned char *)k.p + 16, 8, &rec);
	if (rc)
		return rc == AL_ENOTFOUND ? 0 : rc;
	return emit(c, rec.p, rec.n);
}

static int seq_each(void *vc, rt_slice k, rt_slice v)
{
	(void)k;
	return emit(vc, v.p, v.n);
}

/* First seq whose time is >= SINCE (times never decrease along seq). */
static int first_since(rt_txn *t, int64_t since, uint64_t *out)
{
	head h;
	int rc = read_head(t, &h);
	if (rc)
		return rc;
	uint64_t lo = 1, hi = h.seq + 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		unsigned char k[8];
		rt_be64(k, mid);
		rt_slice v;
		rc = rt_store_get(t, RT_DB_AUDIT, k, 8, &v);
		if (rc)
			return rc == AL_ENOTFOUND ? AL_ECORRUPT : rc;
		if (v.n < RT_AUDIT_HEADER)
			return AL_ECORRUPT;
		int64_t tm = (int64_t)rt_get_le64((const unsigned char *)v.p + 16);
		if (tm < since)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = lo;
	return 0;
}

static int query_txn(rt_txn *t, void *vc)
{
	query_ctx *c = vc;
	c->t = t;
	const rt_audit_query *q = c->q;
	unsigned char k[16];
	if (q->plan || q->tx) {
		memcpy(k, (q->plan ? q->plan : q->tx)->b, 16);
		return rt_store_iter(t, q->plan ? RT_DB_AUDIT_PLAN : RT_DB_AUDIT_TX, k, 16,
		                     RT_ITER_PREFIX, index_each, c);
	}
	uint64_t from = q->after_seq + 1;
	int64_t since = c->op ? rt_id_time(c->op) : q->since;
	if (since) {
		uint64_t s;
		int rc = first_since(t, since, &s);
		if (rc)
			return rc;
		if (s > from)
			from = s;
	}
	unsigned char fk[8];
	rt_be64(fk, from);
	return rt_store_iter(t, RT_DB_AUDIT, fk, 8, 0, seq_each, c);
}

int rt_audit_query_run(rt_store *s, const rt_audit_query *q, cJSON **out)
{
	*out = NULL;
	query_ctx c = { q, cJSON_CreateArray(), NULL, 0, NULL, NULL, 0 };
	if (!c.arr)
		return AL_ENOMEM;
	int rc = rt_store_view(s, query_txn, &c);
	if (rc) {
		cJSON_Delete(c.arr);
		return rc;
	}
	*out = c.arr;
	return 0;
}

int rt_audit_export(rt_store *s, const rt_audit_query *q, FILE *f)
{
	query_ctx c = { q, NULL, f, 0, NULL, NULL, 0 };
	return rt_store_view(s, query_txn, &c);
}

typedef struct get_ctx {
	uint64_t seq;
	cJSON *out;
} get_ctx;

static int get_txn(rt_txn *t, void *vc)
{
	get_ctx *g = vc;
	unsigned char k[8];
	rt_be64(k, g->seq);
	rt_slice v;
	int rc = rt_store_get(t, RT_DB_AUDIT, k, 8, &v);
	if (rc)
		return rc;
	rt_audit_rec r;
	if ((rc = rt_audit_decode(v.p, v.n, &r)) != 0)
		return rc;
	g->out = rt_audit_json(&r, v.p, v.n);
	return g->out ? 0 : AL_ENOMEM;
}

int rt_audit_get(rt_store *s, uint64_t seq, const rt_id *op, cJSON **out)
{
	*out = NULL;
	if (op) {
		rt_audit_query q = { NULL, NULL, 0, 0, 1 };
		query_ctx c = { &q, cJSON_CreateArray(), NULL, 0, NULL, op, 0 };
		if (!c.arr)
			return AL_ENOMEM;
		int rc = rt_store_view(s, query_txn, &c);
		if (rc || cJSON_GetArraySize(c.arr) == 0) {
			cJSON_Delete(c.arr);
			return rc ? rc : AL_ENOTFOUND;
		}
		*out = cJSON_DetachItemFromArray(c.arr, 0);
		cJSON_Delete(c.arr);
		return 0;
	}
	get_ctx g = { seq, NULL };
	int rc = rt_store_view(s, get_txn, &g);
	if (rc)
		cJSON_Delete(g.out);
	else
		*out = g.out;
	return rc;
}

/* ---- redaction --------------------------------------------------------- */

static cJSON *redacted(int *found)
{
	if (found)
		*found = 1;
	return cJSON_CreateString(RT_REDACTED);
}

static cJSON *redact(const alc_catalog *cat, uint32_t shape, const cJSON *v, int *found,
                     int depth);

/* The value of member M (VAL) redacted. */
static cJSON *member_value(const alc_catalog *cat, const alc_member *m, const cJSON *val,
                           int *found, int depth)
{
	if (m->flags & ALC_M_SENSITIVE)
		return redacted(found);
	if (m->target == ALC_NONE || m->target >= cat->nshapes)
		return cJSON_Duplicate(val, 1);
	return redact(cat, m->target, val, found, depth + 1);
}

static cJSON *redact(const alc_catalog *cat, uint32_t shape, const cJSON *v, int *found,
                     int depth)
{
	if (shape >= cat->nshapes || depth > 200)
		return cJSON_Duplicate(v, 1);
	const alc_shape *sh = &cat->shapes[shape];
	if (sh->flags & ALC_SH_SENSITIVE)
		return redacted(found);
	const alc_member *mem = sh->member_count ? &cat->members[sh->first_member] : NULL;
	cJSON *out = NULL, *c;
	switch (sh->type) {
	case ALC_T_STRUCTURE:
	case ALC_T_UNION:
		if (!cJSON_IsObject(v))
			return cJSON_Duplicate(v, 1);
		out = cJSON_CreateObject();
		if (!out)
			return NULL;
		cJSON_ArrayForEach(c, v) {
			const alc_member *m = NULL;
			for (uint32_t i = 0; c->string && i < sh->member_count; i++)
				if (strcmp(alc_str(cat, mem[i].name), c->string) == 0) {
					m = &mem[i];
					break;
				}
			cJSON *x = m ? member_value(cat, m, c, found, depth) : cJSON_Duplicate(c, 1);
			if (!x) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToObject(out, c->string ? c->string : "", x);
		}
		return out;
	case ALC_T_LIST:
		if (!cJSON_IsArray(v) || sh->member_count < 1)
			return cJSON_Duplicate(v, 1);
		out = cJSON_CreateArray();
		if (!out)
			return NULL;
		cJSON_ArrayForEach(c, v) {
			cJSON *x = member_value(cat, &mem[0], c, found, depth);
			if (!x) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToArray(out, x);
		}
		return out;
	case ALC_T_MAP:
		if (!cJSON_IsObject(v) || sh->member_count < 2)
			return cJSON_Duplicate(v, 1);
		if ((mem[0].flags & ALC_M_SENSITIVE) ||
		    (mem[0].target < cat->nshapes &&
		     (cat->shapes[mem[0].target].flags & ALC_SH_SENSITIVE)))
			return redacted(found);
		out = cJSON_CreateObject();
		if (!out)
			return NULL;
		cJSON_ArrayForEach(c, v) {
			cJSON *x = member_value(cat, &mem[1], c, found, depth);
			if (!x) {
				cJSON_Delete(out);
				return NULL;
			}
			cJSON_AddItemToObject(out, c->string ? c->string : "", x);
		}
		return out;
	default:
		return cJSON_Duplicate(v, 1);
	}
}

cJSON *rt_redact(const alc_catalog *cat, uint32_t shape, const cJSON *v, int *found)
{
	if (found)
		*found = 0;
	if (!v)
		return cJSON_CreateNull();
	return redact(cat, shape, v, found, 0);
}

int rt_redact_pointer(const alc_catalog *cat, uint32_t shape, const char *pointer)
{
	const char *p = pointer;
	/* bounded: one step per token of the pointer */
	for (int depth = 0; depth < 200; depth++) {
		if (shape >= cat->nshapes)
			return 0;
		const alc_shape *sh = &cat->shapes[shape];
		if (sh->flags & ALC_SH_SENSITIVE)
			return 1;
		if (*p != '/')
			return 0;
		p++;
		char tok[256];
		size_t n = 0;
		for (; *p && *p != '/'; p++) {
			char c = *p;
			if (c == '~' && (p[1] == '0' || p[1] == '1'))
				c = *++p == '0' ? '~' : '/';
			if (n + 1 < sizeof tok)
				tok[n++] = c;
		}
		tok[n] = '\0';
		const alc_member *mem = sh->member_count ? &cat->members[sh->first_member] : NULL;
		const alc_member *m = NULL;
		switch (sh->type) {
		case ALC_T_STRUCTURE:
		case ALC_T_UNION:
			for (uint32_t i = 0; i < sh->member_count; i++)
				if (strcmp(alc_str(cat, mem[i].name), tok) == 0)
					m = &mem[i];
			break;
		case ALC_T_LIST:
			m = mem;
			break;
		case ALC_T_MAP:
			if (sh->member_count < 2)
				return 0;
			if ((mem[0].flags & ALC_M_SENSITIVE) ||
			    (mem[0].target < cat->nshapes &&
			     (cat->shapes[mem[0].target].flags & ALC_SH_SENSITIVE)))
				return 1;
			m = &mem[1];
			break;
		default:
			return 0;
		}
		if (!m)
			return 0;
		if (m->flags & ALC_M_SENSITIVE)
			return 1;
		shape = m->target;
	}
	return 1; /* deeper than any model: say nothing */
}
