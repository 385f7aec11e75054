/*
 * test_plans.c -- plans, approvals and the audit log in one process
 * (runtime/rt_store.c, rt_plan.c, rt_approve.c, rt_audit.c), with the fake
 * executor of fake_exec.h:
 *
 *   - canonical JSON known answers and errors; ids; times
 *   - the transition table, every pair
 *   - plan and audit records: round trip, every truncation, corruption
 *   - the store: iteration order, prefixes, reverse
 *   - every state transition and every refusal through the API: expired,
 *     changed digest (stored content tampered; a different digest shown),
 *     already applied (also re-entered from inside the executor: a second
 *     process racing), policy now denies (catalog B), approval now required,
 *     a channel the policy does not accept (at grant and at apply),
 *     duplicate approver, two approvers, rejection from each state
 *   - elicitation in both eras with a fake client: accept, decline, cancel,
 *     no answer, a forged or replayed requestState
 *   - the audit log: chain intact, tampering found (payload byte, removed
 *     tail), append refused on a broken tail; redaction of requests and
 *     responses, large responses in the file store, no secret in any record
 *     or (after apply) in the stored plan
 *
 *   test_plans CATALOG_A CATALOG_B
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "fake_exec.h"
#include "rt_approve.h"
#include "rt_audit.h"
#include "rt_plan.h"
#include "rt_store.h"

static int failures, checks;

#define CHECK(c) do { checks++; if (!(c)) { failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define CHECKF(c, ...) do { checks++; if (!(c)) { failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #c); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static char home[256];
static alc_catalog cat_a, cat_b;
static fake_exec fx;

/* ---- helpers ------------------------------------------------------------ */

static rt_plans *open_plans(const alc_catalog *cat)
{
	rt_plans *p = NULL;
	char err[512];
	rt_plans_config cfg = { cat, NULL, home, "cli" };
	int rc = rt_plans_open(&p, &cfg, err, sizeof err);
	CHECKF(rc == 0, "open: %s", err);
	return p;
}

static rt_id tx(void)
{
	rt_id t;
	rt_id_new(&t, rt_now_ms());
	return t;
}

static const char *sget(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Plans SVC:OP with INPUT (JSON text) for PROFILE; returns the plan id in
 * ID and the state. */
static const char *plan(rt_plans *p, const char *op, const char *input, const char *profile,
                        char id[RT_ID_TEXT])
{
	static char state[32];
	cJSON *in = cJSON_Parse(input);
	rt_plan_request rq = { "gadgets", op, in, "us-east-1", profile, NULL, 0, NULL, NULL };
	rt_plan_out o = { 0 };
	rt_id t = tx();
	int rc = rt_plans_create(p, &rq, &t, &o);
	cJSON_Delete(in);
	CHECKF(rc == 0 && o.result, "plan %s: rc %d, %s", op, rc, o.error ? o.error : "");
	snprintf(id, RT_ID_TEXT, "%s", sget(o.result, "planId"));
	snprintf(state, sizeof state, "%s", sget(o.result, "state"));
	rt_plan_out_free(&o);
	return state;
}

/* The state of plan ID now. */
static const char *state_of(rt_plans *p, const char *id)
{
	static char state[32];
	rt_plan_out o = { 0 };
	rt_id t = tx();
	rt_plans_get(p, id, &t, &o);
	snprintf(state, sizeof state, "%s", o.result ? sget(o.result, "state") : "?");
	rt_plan_out_free(&o);
	return state;
}

/* Expects O to be a refusal with CODE. */
static void refused(rt_plan_out *o, const char *code, int line)
{
	checks++;
	if (!o->error || strcmp(o->code, code) != 0) {
		failures++;
		fprintf(stderr, "%s:%d: expected refusal %s, got %s: %s\n", __FILE__, line, code,
		        o->error ? o->code : "success", o->error ? o->error : "");
	}
	rt_plan_out_free(o);
}
#define REFUSED(o, code) refused(o, code, __LINE__)

static void ok(rt_plan_out *o, int rc, int line)
{
	checks++;
	if (rc || o->error || !o->result) {
		failures++;
		fprintf(stderr, "%s:%d: expected success: rc %d, %s: %s\n", __FILE__, line, rc,
		        o->code, o->error ? o->error : "");
	}
}
#define OK(o, rc) ok(o, rc, __LINE__)

static int apply(rt_plans *p, const char *id, rt_plan_out *o)
{
	memset(o, 0, sizeof *o);
	rt_id t = tx();
	return rt_plans_apply(p, id, &t, o);
}

static int request(rt_plans *p, const char *id, const rt_elicit *e, rt_plan_out *o)
{
	memset(o, 0, sizeof *o);
	rt_id t = tx();
	return rt_approve_request(p, id, "needed for the test", e, &t, o);
}

static int decide(rt_plans *p, const char *id, int grant, int ch, uint32_t uid,
                  const unsigned char *digest, rt_plan_out *o)
{
	rt_approver who;
	rt_approver_self(&who, "Tester", "a comment");
	who.uid = uid;
	snprintf(who.os_user, sizeof who.os_user, "user%u", (unsigned)uid);
	memset(o, 0, sizeof *o);
	rt_id t = tx();
	return rt_approve_decide(p, id, grant, ch, &who, digest, &t, o);
}

/* ---- canonical JSON, ids, times ------------------------------------------ */

static void test_canon(void)
{
	static const struct { const char *in, *out; } kat[] = {
		{ "{}", "{}" },
		{ "[]", "[]" },
		{ "{\"b\":1,\"a\":2,\"B\":3}", "{\"B\":3,\"a\":2,\"b\":1}" },
		{ "{\"a\":[true,false,null,\"x\"]}", "{\"a\":[true,false,null,\"x\"]}" },
		{ "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\"", "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\"" },
		{ "\"\\u00e9\\u2028/\"", "\"\xc3\xa9\xe2\x80\xa8/\"" },
		{ "[1.5,-0,0,100,1e3,-7]", "[1.5,0,0,100,1000,-7]" },
		{ "[0.1,1e21,9007199254740993,1.7976931348623157e308]",
		  "[0.1,1e+21,9007199254740992,1.7976931348623157e+308]" },
		{ "[123456789.125,3.14159265358979]", "[123456789.125,3.14159265358979]" },
		{ "{\"z\":{\"y\":{\"x\":{}}},\"a\":{\"c\":1,\"b\":2}}",
		  "{\"a\":{\"b\":2,\"c\":1},\"z\":{\"y\":{\"x\":{}}}}" },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		cJSON *v = cJSON_Parse(kat[i].in);
		char *out = NULL;
		size_t len = 0;
		int rc = rt_canon(v, &out, &len);
		CHECKF(rc == 0 && out && strcmp(out, kat[i].out) == 0 && len == strlen(kat[i].out),
		       "canon %s -> %s (want %s)", kat[i].in, out ? out : "(null)", kat[i].out);
		/* canonical text is a fixed point */
		cJSON *again = out ? cJSON_Parse(out) : NULL;
		char *out2 = NULL;
		size_t len2;
		CHECK(again && rt_canon(again, &out2, &len2) == 0 && strcmp(out, out2) == 0);
		free(out);
		free(out2);
		cJSON_Delete(v);
		cJSON_Delete(again);
	}
	static const char *const bad[] = {
		"{\"a\":1,\"a\":2}", "{\"x\":{\"k\":1,\"k\":1}}", "\"\xff\"", "{\"\xc3\x28\":1}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *v = cJSON_Parse(bad[i]);
		char *out = NULL;
		size_t len;
		CHECKF(v && rt_canon(v, &out, &len) == AL_EINVAL && !out, "canon must refuse %s", bad[i]);
		cJSON_Delete(v);
	}
	cJSON *inf = cJSON_CreateNumber(1.0 / 0.0);
	char *out = NULL;
	size_t len;
	CHECK(rt_canon(inf, &out, &len) == AL_EINVAL);
	cJSON_Delete(inf);
	/* deeper than 1000 */
	cJSON *deep = cJSON_CreateArray(), *cur = deep;
	for (int i = 0; i < 1100; i++) {
		cJSON *n = cJSON_CreateArray();
		cJSON_AddItemToArray(cur, n);
		cur = n;
	}
	CHECK(rt_canon(deep, &out, &len) == AL_EINVAL);
	cJSON_Delete(deep);
}

static void test_ids(void)
{
	rt_id a, b, c;
	char s[RT_ID_TEXT], s2[RT_ID_TEXT];
	int64_t now = rt_now_ms();
	rt_id_new(&a, now);
	rt_id_new(&b, now);
	rt_id_new(&c, now + 1);
	CHECK(memcmp(a.b, b.b, 16) < 0 && memcmp(b.b, c.b, 16) < 0);
	rt_id_str(&a, s);
	rt_id_str(&b, s2);
	CHECK(strlen(s) == 26 && strcmp(s, s2) < 0 && s[0] <= '7');
	rt_id p;
	CHECK(rt_id_parse(s, &p) == 0 && memcmp(p.b, a.b, 16) == 0);
	CHECK(rt_id_time(&a) == now);
	for (size_t i = 0; s[i]; i++)
		s2[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	s2[26] = '\0';
	CHECK(rt_id_parse(s2, &p) == 0 && memcmp(p.b, a.b, 16) == 0);
	CHECK(rt_id_parse("8ZZZZZZZZZZZZZZZZZZZZZZZZZ", &p) == AL_EINVAL);
	CHECK(rt_id_parse("01J9Z3K6T5V8W2X4Y7A0B1C2DU", &p) == AL_EINVAL); /* U */
	CHECK(rt_id_parse("01J9Z3K6T5V8W2X4Y7A0B1C2D", &p) == AL_EINVAL);
	CHECK(rt_id_parse("", &p) == AL_EINVAL);
	memset(p.b, 0xff, 16);
	p.b[0] = 0xff;
	rt_id_str(&p, s);
	CHECK(strcmp(s, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ") == 0);
	/* times */
	char t[RT_TIME_TEXT];
	int64_t ms;
	rt_time_str(1785153296789LL, t);
	CHECKF(strcmp(t, "2026-07-27T11:54:56.789Z") == 0, "%s", t);
	CHECK(rt_time_parse(t, &ms) == 0 && ms == 1785153296789LL);
	CHECK(rt_time_parse("2026-07-27T13:54:56.789+02:00", &ms) == 0 && ms == 1785153296789LL);
	CHECK(rt_time_parse("2026-07-27T11:54:56Z", &ms) == 0 && ms == 1785153296000LL);
	CHECK(rt_time_parse("2026-07-27", &ms) == 0 && ms == 1785110400000LL);
	CHECK(rt_time_parse("1785153296789", &ms) == 0 && ms == 1785153296789LL);
	rt_time_str(INT64_MIN, t); /* damaged records: clamped, no overflow */
	CHECKF(strcmp(t, "0000-01-01T00:00:00.000Z") == 0, "%s", t);
	rt_time_str(INT64_MAX, t);
	CHECKF(strcmp(t, "9999-12-31T23:59:59.999Z") == 0, "%s", t);
	CHECK(rt_time_parse("2026-13-01", &ms) == AL_EINVAL);
	CHECK(rt_time_parse("yesterday", &ms) == AL_EINVAL);
	CHECK(rt_time_parse("2026-07-27T11:54", &ms) == AL_EINVAL);
}

/* ---- the transition table ------------------------------------------------ */

static void test_transitions(void)
{
	/* the table of rt_plan.h, written out again by hand */
	static const int legal[][2] = {
		{ 0, RT_PS_PLANNED }, { 0, RT_PS_FAILED }, { 0, RT_PS_DENIED },
		{ RT_PS_PLANNED, RT_PS_AWAITING }, { RT_PS_PLANNED, RT_PS_APPLYING },
		{ RT_PS_PLANNED, RT_PS_REJECTED },
		{ RT_PS_AWAITING, RT_PS_APPROVED }, { RT_PS_AWAITING, RT_PS_REJECTED },
		{ RT_PS_AWAITING, RT_PS_EXPIRED },
		{ RT_PS_APPROVED, RT_PS_APPLYING }, { RT_PS_APPROVED, RT_PS_REJECTED },
		{ RT_PS_APPROVED, RT_PS_EXPIRED },
		{ RT_PS_APPLYING, RT_PS_APPLIED }, { RT_PS_APPLYING, RT_PS_APPLY_FAILED },
	};
	int n = 0;
	for (int from = -1; from <= RT_PS_COUNT; from++)
		for (int to = -1; to <= RT_PS_COUNT; to++) {
			int want = 0;
			for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
				if (legal[i][0] == from && legal[i][1] == to)
					want = 1;
			n += want;
			CHECKF(rt_plan_transition_ok(from, to) == want, "%d -> %d", from, to);
		}
	CHECK(n == (int)(sizeof legal / sizeof legal[0]));
	const int finals[] = { RT_PS_FAILED, RT_PS_DENIED, RT_PS_REJECTED, RT_PS_EXPIRED,
	                       RT_PS_APPLIED, RT_PS_APPLY_FAILED };
	for (int s = 1; s < RT_PS_COUNT; s++) {
		int want = 0;
		for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++)
			want |= finals[i] == s;
		CHECK(rt_plan_state_final(s) == want);
		CHECK(rt_plan_state_find(rt_plan_state_name(s)) == s);
	}
	CHECK(rt_plan_state_find("awaitingapproval") == RT_PS_AWAITING);
	CHECK(rt_plan_state_find("Nope") == 0 && rt_plan_state_name(0) == NULL);
}

/* ---- records -------------------------------------------------------------- */

static void test_records(void)
{
	rt_plan_rec r = { RT_PS_APPROVED, RT_PF_APPROVAL, 1, 2, 3, { 0 }, "{\"a\":1}", 7, "{}", 2 };
	memset(r.digest, 0xab, 32);
	size_t len;
	unsigned char *b = rt_plan_encode(&r, &len);
	CHECK(b && len == RT_PLAN_HEADER + 9);
	rt_plan_rec d;
	CHECK(rt_plan_decode(b, len, &d) == 0 && d.state == RT_PS_APPROVED && d.created == 1 &&
	      d.updated == 2 && d.expires == 3 && d.content_len == 7 && d.status_len == 2 &&
	      memcmp(d.content, "{\"a\":1}", 7) == 0 && d.digest[31] == 0xab);
	for (size_t n = 0; n < len; n++)
		CHECKF(rt_plan_decode(b, n, &d) == AL_ECORRUPT, "truncated to %zu", n);
	const size_t flips[] = { 0, 4, 6, 7, 64, 68, RT_PLAN_HEADER, RT_PLAN_HEADER + 7 };
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		unsigned char *c = malloc(len);
		memcpy(c, b, len);
		c[flips[i]] ^= 0x40;
		CHECKF(rt_plan_decode(c, len, &d) != 0, "flip at %zu", flips[i]);
		free(c);
	}
	b[4] = 2; /* a newer version */
	CHECK(rt_plan_decode(b, len, &d) == AL_EVERSION);
	free(b);
	/* a NUL or invalid UTF-8 in the texts */
	rt_plan_rec bad = r;
	bad.content = "{\"\0\":1}";
	b = rt_plan_encode(&bad, &len);
	CHECK(rt_plan_decode(b, len, &d) == AL_ECORRUPT);
	free(b);
	bad.content = "{\"\xff\":1}";
	b = rt_plan_encode(&bad, &len);
	CHECK(rt_plan_decode(b, len, &d) == AL_ECORRUPT);
	free(b);
}

/* ---- the store ------------------------------------------------------------ */

typedef struct iter_ctx {
	char seen[64];
} iter_ctx;

static int iter_each(void *vc, rt_slice k, rt_slice v)
{
	(void)v;
	iter_ctx *c = vc;
	size_t l = strlen(c->seen);
	snprintf(c->seen + l, sizeof c->seen - l, "%.*s,", (int)k.n, (const char *)k.p);
	return 0;
}

static int fill_txn(rt_txn *t, void *vc)
{
	(void)vc;
	const char *keys[] = { "a1", "a2", "b1", "b2", "b3", "c" };
	for (size_t i = 0; i < 6; i++) {
		int rc = rt_store_put(t, RT_DB_META, keys[i], 2 - (keys[i][1] == 0), "x", 1, 0);
		if (rc)
			return rc;
	}
	return rt_store_put(t, RT_DB_META, "a1", 2, "y", 1, RT_PUT_NEW) == AL_EDUP ? 0 : -99;
}

static int iter_txn(rt_txn *t, void *vc)
{
	iter_ctx *c = vc;
	c[0].seen[0] = c[1].seen[0] = c[2].seen[0] = c[3].seen[0] = '\0';
	int rc = rt_store_iter(t, RT_DB_META, "b", 1, RT_ITER_PREFIX, iter_each, &c[0]);
	rc |= rt_store_iter(t, RT_DB_META, "b", 1, RT_ITER_PREFIX | RT_ITER_REVERSE, iter_each, &c[1]);
	rc |= rt_store_iter(t, RT_DB_META, "b2", 2, RT_ITER_REVERSE, iter_each, &c[2]);
	rc |= rt_store_iter(t, RT_DB_META, "a", 1, RT_ITER_PREFIX | RT_ITER_REVERSE, iter_each, &c[3]);
	return rc;
}

static void test_store(void)
{
	rt_store *s;
	char err[256], h[300];
	snprintf(h, sizeof h, "%s/storetest", home);
	CHECK(rt_store_open(&s, h, err, sizeof err) == 0);
	CHECK(rt_store_update(s, fill_txn, NULL) == 0);
	iter_ctx c[4];
	CHECK(rt_store_view(s, iter_txn, c) == 0);
	CHECKF(strcmp(c[0].seen, "b1,b2,b3,") == 0, "%s", c[0].seen);
	CHECKF(strcmp(c[1].seen, "b3,b2,b1,") == 0, "%s", c[1].seen);
	CHECKF(strncmp(c[2].seen, "b2,b1,a2,a1,", 12) == 0, "%s", c[2].seen);
	CHECKF(strcmp(c[3].seen, "a2,a1,") == 0, "%s", c[3].seen);
	/* the file store */
	char hex[65], *data;
	size_t len;
	CHECK(rt_store_blob_put(s, "hello", 5, hex) == 0);
	CHECK(strcmp(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824") == 0);
	CHECK(rt_store_blob_put(s, "hello", 5, hex) == 0);
	CHECK(rt_store_blob_get(s, hex, &data, &len) == 0 && len == 5 && memcmp(data, "hello", 5) == 0);
	free(data);
	CHECK(rt_store_blob_get(s, "00", &data, &len) == AL_EINVAL);
	char path[600];
	snprintf(path, sizeof path, "%s/blobs/2c/%s", h, hex);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("jello", f);
		fclose(f);
	}
	CHECK(rt_store_blob_get(s, hex, &data, &len) == AL_ECORRUPT);
	rt_store_close(s);
	/* a store from the future is refused */
	CHECK(rt_store_open(&s, h, err, sizeof err) == 0);
	rt_store_close(s);
}

/* ---- raw access for tampering --------------------------------------------- */

typedef struct raw_ctx {
	int db;
	unsigned char key[32];
	size_t klen;
	const char *find, *repl;  /* replace FIND by REPL (same length) */
	int del;
	int done;
} raw_ctx;

static int raw_txn(rt_txn *t, void *vc)
{
	raw_ctx *r = vc;
	rt_slice v;
	int rc = rt_store_get(t, r->db, r->key, r->klen, &v);
	if (rc)
		return rc;
	if (r->del)
		return rt_store_del(t, r->db, r->key, r->klen);
	char *copy = malloc(v.n);
	memcpy(copy, v.p, v.n);
	size_t fl = strlen(r->find);
	for (size_t i = 0; i + fl <= v.n; i++)
		if (memcmp(copy + i, r->find, fl) == 0) {
			memcpy(copy + i, r->repl, fl);
			r->done = 1;
			break;
		}
	rc = rt_store_put(t, r->db, r->key, r->klen, copy, v.n, 0);
	free(copy);
	return rc;
}

static int tamper_plan(rt_plans *p, const char *id, const char *find, const char *repl)
{
	raw_ctx r = { RT_DB_PLANS, { 0 }, 16, find, repl, 0, 0 };
	rt_id i;
	rt_id_parse(id, &i);
	memcpy(r.key, i.b, 16);
	int rc = rt_store_update(rt_plans_store(p), raw_txn, &r);
	return rc == 0 && r.done ? 0 : -1;
}

/* Sets a plan's expiry into the past (as if its TTL had run out). */
static int past_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *ctx)
{
	(void)p;
	(void)t;
	(void)ctx;
	pl->expires = rt_now_ms() - 1000;
	pl->dirty = 1;
	return 0;
}

static void expire_now(rt_plans *p, const char *id)
{
	rt_id i, t = tx();
	rt_id_parse(id, &i);
	/* the expiry happens in the next transaction that loads the plan */
	CHECK(rt_plans_modify(p, &i, &t, past_fn, NULL) == 0);
}

static int digest_of(rt_plans *p, const char *id, unsigned char d[32])
{
	rt_plan_out o = { 0 };
	rt_id t = tx();
	rt_plans_get(p, id, &t, &o);
	const char *h = o.result ? sget(o.result, "digest") : "";
	int rc = strlen(h) == 64 ? 0 : -1;
	for (int i = 0; !rc && i < 32; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		d[i] = (unsigned char)v;
	}
	rt_plan_out_free(&o);
	return rc;
}

/* ---- the lifecycle ---------------------------------------------------------- */

static rt_plans *reentry_plans;
static char reentry_id[RT_ID_TEXT];
static int reentry_refused;

static void reenter(void *ud)
{
	(void)ud;
	rt_plan_out o;
	apply(reentry_plans, reentry_id, &o);
	reentry_refused = o.error && strcmp(o.code, "already_applied") == 0;
	rt_plan_out_free(&o);
}

static void test_lifecycle(void)
{
	rt_plans *p = open_plans(&cat_a);
	if (!p)
		return;
	char id[RT_ID_TEXT], id2[RT_ID_TEXT];
	rt_plan_out o;
	int rc;
	uint32_t me = (uint32_t)geteuid();

	/* Planned -> Applying -> Applied; then already applied */
	CHECK(strcmp(plan(p, "CreateGadget", "{\"Name\":\"g1\",\"Password\":\"hunter2-pw\","
	                  "\"Config\":{\"ApiKey\":\"apikey-77\",\"Color\":\"red\"},"
	                  "\"Labels\":{\"team\":\"label-secret-1\"}}", NULL, id), "Planned") == 0);
	rc = request(p, id, NULL, &o);
	REFUSED(&o, "state"); /* needs no approval */
	rc = apply(p, id, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Applied") == 0);
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(o.result, "output");
	CHECK(strcmp(sget(out, "GadgetId"), "gid-g1") == 0);
	CHECK(strcmp(sget(out, "Password"), "out-secret-3f1c") == 0); /* the caller gets it all */
	rt_plan_out_free(&o);
	apply(p, id, &o);
	REFUSED(&o, "already_applied");

	/* Failed (validation) and Denied (policy) */
	CHECK(strcmp(plan(p, "CreateGadget", "{\"Name\":\"NOT VALID\"}", NULL, id), "Failed") == 0);
	apply(p, id, &o);
	REFUSED(&o, "state");
	request(p, id, NULL, &o);
	REFUSED(&o, "state");
	CHECK(strcmp(plan(p, "CreateGadget", "{\"Name\":\"g\",\"Name\":\"h\"}", NULL, id), "Failed") == 0);
	/* a sensitive value in a violation message is not shown */
	CHECK(strcmp(plan(p, "CreateGadget", "{\"Name\":\"ok\",\"Labels\":{\"k\":7},"
	                  "\"Config\":{\"ApiKey\":[\"apikey-77\"]},\"Password\":5}", NULL, id),
	             "Failed") == 0);
	{
		rt_plan_out v = { 0 };
		rt_id t = tx();
		rt_plans_get(p, id, &t, &v);
		char *text = cJSON_PrintUnformatted(v.result);
		CHECK(text && !strstr(text, "apikey-77") && strstr(text, "is not shown"));
		free(text);
		rt_plan_out_free(&v);
	}
	{
		const alc_operation *cg = alc_find_operation(&cat_a, "gadgets", 7, "CreateGadget", 12);
		CHECK(cg && rt_redact_pointer(&cat_a, cg->input, "/Password"));
		CHECK(rt_redact_pointer(&cat_a, cg->input, "/Config/ApiKey"));
		CHECK(rt_redact_pointer(&cat_a, cg->input, "/Labels/any~1key"));
		CHECK(!rt_redact_pointer(&cat_a, cg->input, "/Config/Color"));
		CHECK(!rt_redact_pointer(&cat_a, cg->input, "/Name"));
		CHECK(!rt_redact_pointer(&cat_a, cg->input, ""));
	}
	CHECK(strcmp(plan(p, "CreateGadget", "{\"Name\":\"forbidden-1\"}", NULL, id), "Denied") == 0);
	apply(p, id, &o);
	REFUSED(&o, "policy_denies");
	request(p, id, NULL, &o);
	REFUSED(&o, "policy_denies");
	decide(p, id, 0, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "policy_denies");
	/* an unknown operation is no plan at all */
	{
		rt_plan_request rq = { "gadgets", "FlyGadget", NULL, NULL, NULL, NULL, 0, NULL, NULL };
		rt_id t = tx();
		memset(&o, 0, sizeof o);
		rt_plans_create(p, &rq, &t, &o);
		REFUSED(&o, "invalid");
	}

	/* Planned (approval) -> AwaitingApproval -> Approved -> Applied */
	CHECK(strcmp(plan(p, "DeleteGadget", "{\"Name\":\"g1\"}", NULL, id), "Planned") == 0);
	apply(p, id, &o);
	REFUSED(&o, "approval_required");
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "state"); /* nobody asked yet */
	rc = request(p, id, NULL, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "AwaitingApproval") == 0);
	CHECK(strcmp(sget(o.result, "elicitation"), "unsupported") == 0);
	CHECK(strstr(sget(o.result, "howToApprove"), "airlock approve") != NULL);
	rt_plan_out_free(&o);
	rc = request(p, id, NULL, &o); /* asking again keeps the request */
	OK(&o, rc);
	rt_plan_out_free(&o);
	apply(p, id, &o);
	REFUSED(&o, "not_approved");
	unsigned char wrong[32];
	memset(wrong, 7, 32);
	decide(p, id, 1, RT_CH_CLI, me, wrong, &o);
	REFUSED(&o, "digest_changed"); /* not the plan that was shown */
	unsigned char dg[32];
	CHECK(digest_of(p, id, dg) == 0);
	rc = decide(p, id, 1, RT_CH_CLI, me, dg, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Approved") == 0);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me + 1, NULL, &o);
	REFUSED(&o, "state"); /* already approved */
	rc = apply(p, id, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Applied") == 0);
	rt_plan_out_free(&o);
	decide(p, id, 0, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "already_applied");

	/* a rejected plan keeps no secret either */
	plan(p, "CreateGadget", "{\"Name\":\"rs\",\"Password\":\"hunter2-pw\"}", NULL, id);
	rc = decide(p, id, 0, RT_CH_CLI, me, NULL, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);

	/* rejections: from Planned, AwaitingApproval, Approved */
	plan(p, "DeleteGadget", "{\"Name\":\"r1\"}", NULL, id);
	rc = decide(p, id, 0, RT_CH_CLI, me, NULL, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Rejected") == 0);
	rt_plan_out_free(&o);
	apply(p, id, &o);
	REFUSED(&o, "state");
	request(p, id, NULL, &o);
	REFUSED(&o, "state");
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "state");
	plan(p, "DeleteGadget", "{\"Name\":\"r2\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	rc = decide(p, id, 0, RT_CH_ELICITATION, me, NULL, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);
	CHECK(strcmp(state_of(p, id), "Rejected") == 0);
	plan(p, "DeleteGadget", "{\"Name\":\"r3\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	rt_plan_out_free(&o);
	rc = decide(p, id, 0, RT_CH_CLI, me + 5, NULL, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);
	CHECK(strcmp(state_of(p, id), "Rejected") == 0);
	apply(p, id, &o);
	REFUSED(&o, "state");

	/* expiry: AwaitingApproval -> Expired, Approved -> Expired */
	plan(p, "DeleteGadget", "{\"Name\":\"e1\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	expire_now(p, id);
	CHECK(strcmp(state_of(p, id), "Expired") == 0);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "expired");
	apply(p, id, &o);
	REFUSED(&o, "expired");
	plan(p, "DeleteGadget", "{\"Name\":\"e2\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	rt_plan_out_free(&o);
	expire_now(p, id);
	apply(p, id, &o); /* expired in the same transaction that checks */
	REFUSED(&o, "expired");
	CHECK(strcmp(state_of(p, id), "Expired") == 0);
	/* a real TTL: the "fast" environment approves for 2 s; listing sweeps */
	plan(p, "DeleteGadget", "{\"Name\":\"e3\"}", "fast", id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	rt_plan_out_free(&o);
	sleep(3);
	{
		rt_id t = tx();
		memset(&o, 0, sizeof o);
		rc = rt_plans_list(p, RT_PS_EXPIRED, 100, &t, &o);
		OK(&o, rc);
		int found = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o.result, "plans"))
			found |= strcmp(sget(e, "planId"), id) == 0;
		CHECK(found);
		rt_plan_out_free(&o);
	}

	/* changed digest: the stored content edited behind airlock's back */
	plan(p, "DeleteGadget", "{\"Name\":\"d1\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	rt_plan_out_free(&o);
	CHECK(tamper_plan(p, id, "\"Name\":\"d1\"", "\"Name\":\"d2\"") == 0);
	apply(p, id, &o);
	REFUSED(&o, "digest_changed");
	CHECK(fx.calls == 2);
	plan(p, "DeleteGadget", "{\"Name\":\"d3\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	CHECK(tamper_plan(p, id, "\"Name\":\"d3\"", "\"Name\":\"d4\"") == 0);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "digest_changed");

	/* two approvers (environment prod), distinct OS users */
	plan(p, "DeleteGadget", "{\"Name\":\"two\"}", "prod", id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	rc = decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "AwaitingApproval") == 0);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	REFUSED(&o, "duplicate_approver");
	apply(p, id, &o);
	REFUSED(&o, "not_approved");
	rc = decide(p, id, 1, RT_CH_CLI, me + 1000, NULL, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Approved") == 0);
	rt_plan_out_free(&o);
	rc = apply(p, id, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);

	/* a channel the policy does not accept: critical plans, elicitation */
	plan(p, "PurgeAllGadgets", "{\"Confirm\":true}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_ELICITATION, me, NULL, &o);
	REFUSED(&o, "channel_not_accepted");
	rc = decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);

	/* ApplyFailed, with its retries; then already applied */
	plan(p, "CreateGadget", "{\"Name\":\"fails\"}", NULL, id);
	fx.fail = 1;
	fx.attempts = 3;
	rc = apply(p, id, &o);
	CHECK(rc == 0 && o.error && strcmp(o.code, "failed") == 0 &&
	      strstr(o.error, "ThrottlingException"));
	rt_plan_out_free(&o);
	fx.fail = 0;
	fx.attempts = 0;
	CHECK(strcmp(state_of(p, id), "ApplyFailed") == 0);
	apply(p, id, &o);
	REFUSED(&o, "already_applied");
	{
		rt_id pid, t;
		rt_id_parse(id, &pid);
		rt_audit_query q = { &pid, NULL, 0, 0, 0 };
		cJSON *arr = NULL;
		CHECK(rt_audit_query_run(rt_plans_store(p), &q, &arr) == 0);
		int retries = 0, refusals = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, arr) {
			retries += strcmp(sget(e, "kind"), "apply_retry") == 0;
			refusals += strcmp(sget(e, "kind"), "apply_refused") == 0;
		}
		CHECK(retries == 2 && refusals == 1);
		cJSON_Delete(arr);
		(void)t;
	}

	/* a second process racing: the plan is Applying while it executes */
	plan(p, "CreateGadget", "{\"Name\":\"race\"}", NULL, id);
	reentry_plans = open_plans(&cat_a);
	snprintf(reentry_id, sizeof reentry_id, "%s", id);
	fx.during = reenter;
	rc = apply(p, id, &o);
	fx.during = NULL;
	OK(&o, rc);
	rt_plan_out_free(&o);
	CHECK(reentry_refused);
	rt_plans_close(reentry_plans);

	/* read_operation */
	{
		cJSON *in = cJSON_Parse("{}");
		rt_plan_request rq = { "gadgets", "ListGadgets", in, "us-east-1", NULL, NULL, 0, NULL, NULL };
		rt_id t = tx();
		memset(&o, 0, sizeof o);
		rc = rt_plans_read(p, &rq, &t, &o);
		OK(&o, rc);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o.result, "applied")));
		rt_plan_out_free(&o);
		rt_plan_request w = { "gadgets", "CreateGadget", in, "us-east-1", NULL, NULL, 0, NULL, NULL };
		rt_plans_read(p, &w, &t, &o);
		REFUSED(&o, "not_read");
		/* a big answer goes to the file store */
		fx.big = 2000;
		rc = rt_plans_read(p, &rq, &t, &o);
		OK(&o, rc);
		rt_plan_out_free(&o);
		fx.big = 0;
		cJSON_Delete(in);
	}

	/* the changed catalog (B): policy now denies, approval now required,
	 * a channel no longer accepted */
	plan(p, "DeleteGadget", "{\"Name\":\"b1\"}", NULL, id);
	request(p, id, NULL, &o);
	rt_plan_out_free(&o);
	decide(p, id, 1, RT_CH_CLI, me, NULL, &o);
	rt_plan_out_free(&o);
	plan(p, "CreateGadget", "{\"Name\":\"b2\"}", NULL, id2);
	char id3[RT_ID_TEXT];
	plan(p, "DetachGadget", "{\"Name\":\"b3\"}", NULL, id3);
	request(p, id3, NULL, &o);
	rt_plan_out_free(&o);
	rc = decide(p, id3, 1, RT_CH_ELICITATION, me, NULL, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);
	rt_plans *pb = open_plans(&cat_b);
	if (pb) {
		apply(pb, id, &o);
		REFUSED(&o, "policy_denies");
		apply(pb, id2, &o);
		REFUSED(&o, "approval_required");
		apply(pb, id3, &o);
		REFUSED(&o, "channel_not_accepted");
		rt_plans_close(pb);
	}
	/* ... and under A they still apply */
	rc = apply(p, id3, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);

	/* prefixes */
	rt_id full;
	CHECK(rt_plans_resolve(p, id3, &full) == 0);
	char pre[12];
	snprintf(pre, sizeof pre, "%.5s", id3);
	CHECK(rt_plans_resolve(p, pre, &full) == AL_EINVAL); /* too short */
	CHECK(rt_plans_resolve(p, "01AAAAAAAAAA", &full) == AL_ENOTFOUND);
	rt_plans_close(p);
}

/* ---- elicitation ------------------------------------------------------------ */

typedef struct fake_client {
	const char *answer;     /* JSON of the result, or NULL */
	int rc;                 /* what ask returns */
	int asked;
	char message[4096];
} fake_client;

static int fake_ask(void *ctx, const cJSON *params, long wait_ms, cJSON **result)
{
	(void)wait_ms;
	fake_client *c = ctx;
	c->asked++;
	snprintf(c->message, sizeof c->message, "%s", sget(params, "message"));
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(params, "requestedSchema");
	CHECK(cJSON_IsObject(schema) && strcmp(sget(params, "mode"), "form") == 0);
	*result = c->answer ? cJSON_Parse(c->answer) : NULL;
	return c->rc;
}

static void test_elicitation(void)
{
	rt_plans *p = open_plans(&cat_a);
	if (!p)
		return;
	char id[RT_ID_TEXT];
	rt_plan_out o;
	int rc;
	fake_client fc;
	rt_elicit e = { RT_ELICIT_REQUEST, 1, fake_ask, &fc, NULL, NULL };

	/* 2025-11-25: accept + approve */
	memset(&fc, 0, sizeof fc);
	fc.answer = "{\"action\":\"accept\",\"content\":{\"decision\":\"approve\",\"name\":\"Ada\","
	            "\"comment\":\"fine\"}}";
	plan(p, "DeleteGadget", "{\"Name\":\"el1\"}", NULL, id);
	rc = request(p, id, &e, &o);
	OK(&o, rc);
	CHECK(fc.asked == 1 && strstr(fc.message, "DeleteGadget") && strstr(fc.message, id));
	CHECK(strcmp(sget(o.result, "state"), "Approved") == 0);
	CHECK(strcmp(sget(o.result, "elicitation"), "approved") == 0);
	const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o.result, "approval"), "grants"), 0);
	CHECK(strcmp(sget(g, "channel"), "elicitation") == 0 && strcmp(sget(g, "name"), "Ada") == 0);
	rt_plan_out_free(&o);
	rc = apply(p, id, &o);
	OK(&o, rc);
	rt_plan_out_free(&o);
	/* accept + reject, decline: Rejected */
	const char *no[] = {
		"{\"action\":\"accept\",\"content\":{\"decision\":\"reject\",\"name\":\"Ada\"}}",
		"{\"action\":\"decline\"}",
	};
	for (int i = 0; i < 2; i++) {
		memset(&fc, 0, sizeof fc);
		fc.answer = no[i];
		plan(p, "DeleteGadget", "{\"Name\":\"el2\"}", NULL, id);
		rc = request(p, id, &e, &o);
		OK(&o, rc);
		CHECK(strcmp(sget(o.result, "state"), "Rejected") == 0);
		CHECK(strcmp(sget(o.result, "elicitation"), i ? "declined" : "rejected") == 0);
		rt_plan_out_free(&o);
	}
	/* cancel, no answer, an invalid answer: still waiting */
	const struct { const char *answer; int rc; const char *note; } wait[] = {
		{ "{\"action\":\"cancel\"}", 0, "cancelled" },
		{ NULL, AL_ETIMEOUT, "no_answer" },
		{ "{\"action\":\"accept\",\"content\":{\"decision\":\"maybe\"}}", 0, "invalid_answer" },
		{ "{\"action\":\"accept\",\"content\":{\"decision\":\"approve\"}}", 0, "invalid_answer" },
	};
	for (size_t i = 0; i < sizeof wait / sizeof wait[0]; i++) {
		memset(&fc, 0, sizeof fc);
		fc.answer = wait[i].answer;
		fc.rc = wait[i].rc;
		plan(p, "DeleteGadget", "{\"Name\":\"el3\"}", NULL, id);
		rc = request(p, id, &e, &o);
		OK(&o, rc);
		CHECK(strcmp(sget(o.result, "state"), "AwaitingApproval") == 0);
		CHECKF(strcmp(sget(o.result, "elicitation"), wait[i].note) == 0, "%s",
		       sget(o.result, "elicitation"));
		rt_plan_out_free(&o);
	}
	/* the tool call cancelled while waiting */
	memset(&fc, 0, sizeof fc);
	fc.rc = AL_ECANCELED;
	plan(p, "DeleteGadget", "{\"Name\":\"el4\"}", NULL, id);
	CHECK(request(p, id, &e, &o) == AL_ECANCELED);
	rt_plan_out_free(&o);
	/* a critical plan is never asked through the client */
	memset(&fc, 0, sizeof fc);
	plan(p, "PurgeAllGadgets", "{\"Confirm\":true}", NULL, id);
	rc = request(p, id, &e, &o);
	OK(&o, rc);
	CHECK(fc.asked == 0 && strcmp(sget(o.result, "elicitation"), "not_accepted_by_policy") == 0);
	rt_plan_out_free(&o);

	/* 2026-07-28: input_required, then the retried call */
	rt_elicit m = { RT_ELICIT_INPUT_REQUIRED, 1, NULL, NULL, NULL, NULL };
	plan(p, "DeleteGadget", "{\"Name\":\"mr1\"}", NULL, id);
	rc = request(p, id, &m, &o);
	CHECK(rc == 0 && o.input_required && !o.result && !o.error);
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(o.input_required, "inputRequests");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(reqs, RT_ELICIT_KEY);
	CHECK(strcmp(sget(one, "method"), "elicitation/create") == 0);
	char state[100];
	snprintf(state, sizeof state, "%s", sget(o.input_required, "requestState"));
	CHECK(strncmp(state, id, 26) == 0 && strlen(state) == 59);
	rt_plan_out_free(&o);
	CHECK(strcmp(state_of(p, id), "AwaitingApproval") == 0);
	/* a forged state is refused, and so is one for another plan */
	cJSON *resp = cJSON_Parse("{\"" RT_ELICIT_KEY "\":{\"action\":\"accept\",\"content\":"
	                          "{\"decision\":\"approve\",\"name\":\"Bo\"}}}");
	char forged[100];
	snprintf(forged, sizeof forged, "%.27s00000000000000000000000000000000", state);
	m.input_responses = resp;
	m.request_state = forged;
	request(p, id, &m, &o);
	REFUSED(&o, "stale_prompt");
	m.request_state = state;
	rc = request(p, id, &m, &o);
	OK(&o, rc);
	CHECK(strcmp(sget(o.result, "state"), "Approved") == 0);
	rt_plan_out_free(&o);
	request(p, id, &m, &o); /* replayed */
	REFUSED(&o, "stale_prompt");
	/* decline and cancel in this era */
	const char *mr[] = { "{\"" RT_ELICIT_KEY "\":{\"action\":\"decline\"}}",
	                     "{\"" RT_ELICIT_KEY "\":{\"action\":\"cancel\"}}" };
	const char *want[] = { "Rejected", "AwaitingApproval" };
	for (int i = 0; i < 2; i++) {
		plan(p, "DeleteGadget", "{\"Name\":\"mr2\"}", NULL, id);
		m.input_responses = NULL;
		m.request_state = NULL;
		request(p, id, &m, &o);
		snprintf(state, sizeof state, "%s", o.input_required ? sget(o.input_required, "requestState") : "");
		rt_plan_out_free(&o);
		cJSON *r = cJSON_Parse(mr[i]);
		m.input_responses = r;
		m.request_state = state;
		rc = request(p, id, &m, &o);
		OK(&o, rc);
		CHECK(strcmp(sget(o.result, "state"), want[i]) == 0);
		rt_plan_out_free(&o);
		cJSON_Delete(r);
	}
	cJSON_Delete(resp);
	rt_plans_close(p);
}

/* ---- the audit log ------------------------------------------------------------ */

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(hay + i, needle, l) == 0)
			return 1;
	return 0;
}

typedef struct scan_ctx {
	const char *const *secrets;
	int found;
	uint64_t n;
} scan_ctx;

static int scan_each(void *vc, rt_slice k, rt_slice v)
{
	(void)k;
	scan_ctx *c = vc;
	c->n++;
	for (int i = 0; c->secrets[i]; i++)
		if (contains(v.p, v.n, c->secrets[i])) {
			fprintf(stderr, "secret %s found in a stored record\n", c->secrets[i]);
			c->found++;
		}
	return 0;
}

static int scan_txn(rt_txn *t, void *vc)
{
	int rc = rt_store_iter(t, RT_DB_AUDIT, NULL, 0, 0, scan_each, vc);
	return rc ? rc : rt_store_iter(t, RT_DB_PLANS, NULL, 0, 0, scan_each, vc);
}

/* $PLANS_SEEDS: write some stored records as fuzz seeds (the first byte
 * picks the decoder, see tests/fuzz/fuzz_plan_records.c). */
typedef struct seed_ctx {
	const char *dir;
	int kind, n;
} seed_ctx;

static int seed_each(void *vc, rt_slice k, rt_slice v)
{
	(void)k;
	seed_ctx *c = vc;
	if (c->n >= 12)
		return 1;
	char path[512];
	snprintf(path, sizeof path, "%s/%s-%02d", c->dir, c->kind ? "audit" : "plan", c->n++);
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fputc(c->kind, f);
	fwrite(v.p, 1, v.n, f);
	fclose(f);
	return 0;
}

static int seed_txn(rt_txn *t, void *vc)
{
	seed_ctx *c = vc;
	c->kind = 0;
	c->n = 0;
	rt_store_iter(t, RT_DB_PLANS, NULL, 0, RT_ITER_REVERSE, seed_each, c);
	c->kind = 1;
	c->n = 0;
	return rt_store_iter(t, RT_DB_AUDIT, NULL, 0, RT_ITER_REVERSE, seed_each, c);
}

static void test_audit(void)
{
	rt_plans *p = open_plans(&cat_a);
	if (!p)
		return;
	rt_store *s = rt_plans_store(p);
	rt_audit_report r;
	CHECK(rt_audit_verify(s, &r) == 0);
	CHECKF(r.intact && r.records > 100 && r.plans_applied_twice == 0, "%s", r.problem);
	/* no secret in any record or (all sensitive plans are final) plan */
	static const char *const secrets[] = { "hunter2-pw", "apikey-77", "label-secret-1",
	                                       "out-secret-3f1c", "list-secret-9a7e", NULL };
	scan_ctx sc = { secrets, 0, 0 };
	CHECK(rt_store_view(s, scan_txn, &sc) == 0 && sc.n > 100);
	CHECK(sc.found == 0);
	const char *seeds = getenv("PLANS_SEEDS");
	if (seeds) {
		seed_ctx sd = { seeds, 0, 0 };
		rt_store_view(s, seed_txn, &sd);
	}
	/* every kind appears; redacted values are marked */
	cJSON *all = NULL;
	rt_audit_query q = { NULL, NULL, 0, 0, 0 };
	CHECK(rt_audit_query_run(s, &q, &all) == 0);
	int kinds[RT_AK_COUNT] = { 0 }, redactions = 0, artifacts = 0;
	const cJSON *e;
	char artifact[65] = "";
	cJSON_ArrayForEach(e, all) {
		int k = rt_audit_kind_find(sget(e, "kind"));
		kinds[k]++;
		char *t = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(e, "payload"));
		if (t && strstr(t, RT_REDACTED))
			redactions++;
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "payload"),
			                                 "response"), "artifact");
		if (a) {
			artifacts++;
			snprintf(artifact, sizeof artifact, "%s", sget(a, "sha256"));
		}
		free(t);
	}
	/* every kind of the plan workflow; the later kinds (call, ...) belong
	 * to other areas' tests (tests/cfn) */
	for (int k = 1; k <= RT_AK_APPLY_OUTCOME; k++)
		CHECKF(kinds[k] > 0, "no %s record", rt_audit_kind_name(k));
	CHECK(redactions >= 3 && artifacts == 1);
	char *blob = NULL;
	size_t blen;
	CHECK(rt_store_blob_get(s, artifact, &blob, &blen) == 0 && blen > RT_AUDIT_INLINE_MAX &&
	      contains(blob, blen, RT_REDACTED) && !contains(blob, blen, "list-secret-9a7e"));
	free(blob);
	/* queries: by plan, by transaction, since */
	const cJSON *last = cJSON_GetArrayItem(all, cJSON_GetArraySize(all) - 1);
	rt_id tid, pid;
	CHECK(rt_id_parse(sget(last, "txId"), &tid) == 0);
	rt_audit_query qt = { NULL, &tid, 0, 0, 0 };
	cJSON *arr = NULL;
	CHECK(rt_audit_query_run(s, &qt, &arr) == 0 && cJSON_GetArraySize(arr) >= 1);
	cJSON_Delete(arr);
	CHECK(rt_id_parse(sget(last, "planId"), &pid) == 0);
	rt_audit_query qp = { &pid, NULL, 0, 0, 2 };
	CHECK(rt_audit_query_run(s, &qp, &arr) == 0 && cJSON_GetArraySize(arr) == 2 &&
	      strcmp(sget(cJSON_GetArrayItem(arr, 0), "kind"), "plan") == 0);
	cJSON_Delete(arr);
	int64_t t_last;
	rt_time_parse(sget(last, "time"), &t_last);
	rt_audit_query qs = { NULL, NULL, t_last, 0, 0 };
	CHECK(rt_audit_query_run(s, &qs, &arr) == 0 && cJSON_GetArraySize(arr) >= 1);
	const cJSON *first = cJSON_GetArrayItem(arr, 0);
	int64_t t0;
	rt_time_parse(sget(first, "time"), &t0);
	CHECK(t0 >= t_last);
	cJSON_Delete(arr);
	/* by seq and by op id */
	cJSON *one = NULL;
	rt_id op;
	CHECK(rt_audit_get(s, 3, NULL, &one) == 0);
	CHECK(rt_id_parse(sget(one, "opId"), &op) == 0);
	cJSON_Delete(one);
	CHECK(rt_audit_get(s, 0, &op, &one) == 0 &&
	      cJSON_GetObjectItemCaseSensitive(one, "seq")->valuedouble == 3);
	cJSON_Delete(one);
	CHECK(rt_audit_get(s, 1000000, NULL, &one) == AL_ENOTFOUND);
	cJSON_Delete(all);

	/* tampering: one payload byte of record 2 (the first decision) */
	raw_ctx rc2 = { RT_DB_AUDIT, { 0 }, 8, "\"decision\"", "\"decisioN\"", 0, 0 };
	rt_be64(rc2.key, 2);
	CHECK(rt_store_update(s, raw_txn, &rc2) == 0 && rc2.done);
	CHECKF(rt_audit_verify(s, &r) == 0 && !r.intact && r.bad_seq == 3, "%llu %s",
	       (unsigned long long)r.bad_seq, r.problem);
	CHECK(rt_store_update(s, raw_txn, &(raw_ctx){ RT_DB_AUDIT, { 0, 0, 0, 0, 0, 0, 0, 2 },
	                                              8, "\"decisioN\"", "\"decision\"", 0, 0 }) == 0);
	CHECK(rt_audit_verify(s, &r) == 0 && r.intact);
	/* the tail removed: found at the head; appending is refused */
	raw_ctx del = { RT_DB_AUDIT, { 0 }, 8, "", "", 1, 0 };
	rt_be64(del.key, r.head_seq);
	CHECK(rt_store_update(s, raw_txn, &del) == 0);
	CHECK(rt_audit_verify(s, &r) == 0 && !r.intact);
	char id[RT_ID_TEXT];
	cJSON *in = cJSON_Parse("{\"Name\":\"after\"}");
	rt_plan_request rq = { "gadgets", "CreateGadget", in, NULL, NULL, NULL, 0, NULL, NULL };
	rt_plan_out o = { 0 };
	rt_id t = tx();
	rt_plans_create(p, &rq, &t, &o);
	REFUSED(&o, "store");
	cJSON_Delete(in);
	(void)id;
	rt_plans_close(p);
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_plans CATALOG_A CATALOG_B\n");
		return 2;
	}
	alc_diag d;
	if (alc_open(&cat_a, argv[1], &d) != 0 || alc_open(&cat_b, argv[2], &d) != 0) {
		fprintf(stderr, "test_plans: cannot open the catalogs: %s\n", d.msg);
		return 2;
	}
	snprintf(home, sizeof home, "/tmp/test_plans.XXXXXX");
	if (!mkdtemp(home)) {
		perror("mkdtemp");
		return 2;
	}
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	memset(&fx, 0, sizeof fx);
	rt_plans_set_executor(fake_exec_fn, &fx);

	test_canon();
	test_ids();
	test_transitions();
	test_records();
	test_store();
	test_lifecycle();
	test_elicitation();
	test_audit();

	alc_close(&cat_a);
	alc_close(&cat_b);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (failures == 0 && system(cmd) != 0)
		fprintf(stderr, "test_plans: could not remove %s\n", home);
	printf("test_plans: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
