/*
 * rt_approve.c -- see rt_approve.h.
 *
 * Every decision is recorded in the write transaction that checks it
 * (rt_plans_modify): state, digest, expiry, channel and distinct approvers
 * are checked against the plan as it is on disk at that moment.
 */
#include "rt_json.h"
#include "rt_approve.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alc_err.h"
#include "alc_policy.h"
#include "rt_audit.h"
#include "rt_diff.h"

const char *rt_channel_name(int ch)
{
	return ch == RT_CH_CLI ? "cli" : ch == RT_CH_ELICITATION ? "elicitation" : NULL;
}

int rt_channel_find(const char *name)
{
	if (strcmp(name, "cli") == 0)
		return RT_CH_CLI;
	if (strcmp(name, "elicitation") == 0)
		return RT_CH_ELICITATION;
	return 0;
}

unsigned rt_approve_channels(unsigned risk, uint32_t approvers)
{
	(void)approvers;
	unsigned ch = RT_CH_CLI;
	if (risk < ALC_RISK_CRITICAL)
		ch |= RT_CH_ELICITATION;
	return ch;
}

/* Copies S into OUT (CAP bytes) with control characters replaced; a
 * string cut short ends on a whole UTF-8 character. */
static void clean(char *out, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0, j;
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* s[n] would start the next character */
	}
	for (j = 0; j < n; j++) {
		unsigned char c = (unsigned char)s[j];
		out[j] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[j] = '\0';
}

void rt_approver_self(rt_approver *a, const char *name, const char *comment)
{
	memset(a, 0, sizeof *a);
	uid_t uid = geteuid();
	a->uid = (uint32_t)uid;
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		clean(a->os_user, sizeof a->os_user, pw->pw_name);
	else
		snprintf(a->os_user, sizeof a->os_user, "uid-%u", (unsigned)uid);
	if (name && name[0]) {
		clean(a->name, sizeof a->name, name);
	} else if (pw && pw->pw_gecos && pw->pw_gecos[0] && pw->pw_gecos[0] != ',') {
		char g[128];
		snprintf(g, sizeof g, "%s", pw->pw_gecos);
		char *comma = strchr(g, ',');
		if (comma)
			*comma = '\0';
		clean(a->name, sizeof a->name, g);
	} else {
		snprintf(a->name, sizeof a->name, "%s", a->os_user);
	}
	clean(a->comment, sizeof a->comment, comment ? comment : "");
}

/* ---- helpers ----------------------------------------------------------- */

static void approval_of(const rt_plan *pl, unsigned *risk, uint32_t *approvers, uint32_t *ttl)
{
	const cJSON *d = rt_jobj(pl->content, "decision");
	const char *r = rt_jstr(d, "risk");
	*risk = ALC_RISK_CRITICAL;
	for (unsigned i = 0; r && i < ALC_RISK_COUNT; i++)
		if (strcmp(r, alc_risk_name(i)) == 0)
			*risk = i;
	const cJSON *a = rt_jobj(d, "approval");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(a, "approvers");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "ttlSeconds");
	*approvers = cJSON_IsNumber(n) && n->valuedouble >= 2 ? 2 : 1;
	*ttl = cJSON_IsNumber(t) && t->valuedouble >= 1 && t->valuedouble <= 30 * 86400
	       ? (uint32_t)t->valuedouble : 3600;
}

static cJSON *time_json(int64_t ms)
{
	char t[RT_TIME_TEXT];
	rt_time_str(ms, t);
	return cJSON_CreateString(t);
}

static int jset(cJSON *o, const char *k, cJSON *v)
{
	if (!v)
		return AL_ENOMEM;
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v) ? 0 : AL_ENOMEM;
	return cJSON_AddItemToObject(o, k, v) ? 0 : AL_ENOMEM;
}

static void digest_hex(const unsigned char d[32], char out[65])
{
	static const char dig[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = dig[d[i] >> 4];
		out[2 * i + 1] = dig[d[i] & 15];
	}
	out[64] = '\0';
}

static int audit(rt_txn *t, int kind, const rt_id *tx, const rt_plan *pl, cJSON *pay)
{
	if (!pay)
		return AL_ENOMEM;
	int rc = rt_audit_append(t, kind, tx, &pl->id, pay, NULL, NULL);
	cJSON_Delete(pay);
	return rc;
}

/* Why a plan in STATE cannot take a grant: code and words. */
static const char *state_refusal(int state, const char **code)
{
	switch (state) {
	case RT_PS_EXPIRED: *code = "expired"; return "expired: its approval window passed; "
	                                              "make a new plan";
	case RT_PS_APPROVED: *code = "state"; return "already approved";
	case RT_PS_PLANNED: *code = "state"; return "not waiting for approval (the agent has "
	                                            "not asked: request_approval)";
	case RT_PS_REJECTED: *code = "state"; return "rejected";
	case RT_PS_APPLYING:
	case RT_PS_APPLIED:
	case RT_PS_APPLY_FAILED: *code = "already_applied"; return "already applied";
	case RT_PS_DENIED: *code = "policy_denies"; return "denied by the policy";
	case RT_PS_FAILED: *code = "state"; return "invalid (validation failed)";
	default: *code = "state"; return "not waiting for approval";
	}
}

/* ---- deciding ---------------------------------------------------------- */

typedef struct decide_ctx {
	int grant;
	int channel;
	const rt_approver *who;
	const unsigned char *digest;
	const rt_id *tx;
	/* out */
	int refused;
	char code[32];
	char msg[400];
	cJSON *view;
} decide_ctx;

static void refuse(decide_ctx *d, const char *code, const char *f, const char *a, const char *b)
{
	d->refused = 1;
	snprintf(d->code, sizeof d->code, "%s", code);
	snprintf(d->msg, sizeof d->msg, f, a, b);
}

/* Records D's decision on PL (in T).  Refusals leave PL unchanged and
 * append nothing: they are answers to the person, not events. */
static int decide_locked(rt_txn *t, rt_plan *pl, decide_ctx *d)
{
	char id[RT_ID_TEXT], dig[65];
	rt_id_str(&pl->id, id);
	digest_hex(pl->digest, dig);
	d->refused = 0;
	const char *code;
	if (d->grant && pl->state != RT_PS_AWAITING) {
		refuse(d, "", "plan %s is %s", id, state_refusal(pl->state, &code));
		snprintf(d->code, sizeof d->code, "%s", code);
		return 0;
	}
	if (!d->grant && pl->state != RT_PS_AWAITING && pl->state != RT_PS_PLANNED &&
	    pl->state != RT_PS_APPROVED) {
		refuse(d, "", "plan %s cannot be rejected: it is %s", id,
		       rt_plan_state_name(pl->state));
		state_refusal(pl->state, &code);
		snprintf(d->code, sizeof d->code, "%s", code);
		return 0;
	}
	if (!pl->digest_ok) {
		refuse(d, "digest_changed", "plan %s was changed after it was made (its content no "
		       "longer matches its digest)%s", id, "");
		return 0;
	}
	if (d->digest && memcmp(d->digest, pl->digest, 32) != 0) {
		refuse(d, "digest_changed", "plan %s is not the plan that was shown (digest "
		       "%.16s...): nothing was recorded", id, dig);
		return 0;
	}
	unsigned risk;
	uint32_t approvers, ttl;
	approval_of(pl, &risk, &approvers, &ttl);
	int64_t now = rt_now_ms();
	const char *chname = rt_channel_name(d->channel);
	cJSON *grants = cJSON_GetObjectItemCaseSensitive(pl->status, "grants");
	if (d->grant) {
		if (!(rt_approve_channels(risk, approvers) & (unsigned)d->channel)) {
			refuse(d, "channel_not_accepted", "plan %s cannot be approved through %s: the "
			       "policy accepts only a terminal (`airlock approve`) for this plan's "
			       "risk", id, chname ? chname : "?");
			return 0;
		}
		const cJSON *g;
		cJSON_ArrayForEach(g, grants) {
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(g, "uid");
			if (cJSON_IsNumber(u) && (uint32_t)u->valuedouble == d->who->uid) {
				refuse(d, "duplicate_approver", "plan %s was already approved by OS user %s: "
				       "a second approval must come from another person", id,
				       d->who->os_user);
				return 0;
			}
		}
	}
	cJSON *rec = cJSON_CreateObject();
	int ok = rec && cJSON_AddStringToObject(rec, "osUser", d->who->os_user) &&
	         cJSON_AddNumberToObject(rec, "uid", d->who->uid) &&
	         cJSON_AddStringToObject(rec, "name", d->who->name) &&
	         cJSON_AddStringToObject(rec, "comment", d->who->comment) &&
	         cJSON_AddItemToObject(rec, "at", time_json(now)) &&
	         cJSON_AddStringToObject(rec, "channel", chname ? chname : "?") &&
	         cJSON_AddStringToObject(rec, "digest", dig);
	if (!ok) {
		cJSON_Delete(rec);
		return AL_ENOMEM;
	}
	cJSON *pay = cJSON_Duplicate(rec, 1);
	int rc;
	if (d->grant) {
		if (!grants) {
			grants = cJSON_AddArrayToObject(pl->status, "grants");
			if (!grants) {
				cJSON_Delete(rec);
				cJSON_Delete(pay);
				return AL_ENOMEM;
			}
		}
		cJSON_AddItemToArray(grants, rec);
		int n = cJSON_GetArraySize(grants);
		pl->dirty = 1;
		pl->updated = now;
		if (pay) {
			cJSON_AddNumberToObject(pay, "grants", n);
			cJSON_AddNumberToObject(pay, "needed", approvers);
		}
		if (n >= (int)approvers) {
			/* valid for TTL from the first grant */
			int64_t first = now;
			const cJSON *g;
			cJSON_ArrayForEach(g, grants) {
				int64_t at;
				const char *s = rt_jstr(g, "at");
				if (s && rt_time_parse(s, &at) == 0 && at < first)
					first = at;
			}
			if ((rc = rt_plan_set_state(pl, RT_PS_APPROVED, now)) != 0) {
				cJSON_Delete(pay);
				return rc;
			}
			pl->expires = first + (int64_t)ttl * 1000;
			if (pay) {
				cJSON_AddStringToObject(pay, "state", "Approved");
				cJSON_AddItemToObject(pay, "expiresAt", time_json(pl->expires));
			}
		}
		cJSON_DeleteItemFromObjectCaseSensitive(pl->status, "prompt");
		rc = audit(t, RT_AK_APPROVAL_GRANT, d->tx, pl, pay);
	} else {
		if ((rc = jset(pl->status, "rejection", rec)) != 0) {
			cJSON_Delete(pay);
			return rc;
		}
		if ((rc = rt_plan_set_state(pl, RT_PS_REJECTED, now)) != 0) {
			cJSON_Delete(pay);
			return rc;
		}
		pl->expires = 0;
		cJSON_DeleteItemFromObjectCaseSensitive(pl->status, "prompt");
		rc = audit(t, RT_AK_APPROVAL_REJECT, d->tx, pl, pay);
	}
	if (rc)
		return rc;
	cJSON_Delete(d->view);
	d->view = rt_plan_view(pl);
	return d->view ? 0 : AL_ENOMEM;
}

static int decide_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	return decide_locked(t, pl, vc);
}

static int resolve(rt_plans *p, const char *text, rt_id *id, rt_plan_out *o)
{
	int rc = rt_plans_resolve(p, text ? text : "", id);
	if (rc == 0)
		return 1;
	if (rc == AL_EDUP)
		rt_plan_refuse(o, "not_found", "plan id prefix matches more than one plan: give more "
		               "of the id");
	else if (rc == AL_EINVAL || rc == AL_ENOTFOUND)
		rt_plan_refuse(o, "not_found", "no such plan: plan ids are 26 characters (list_plans, "
		               "`airlock plans`)");
	else
		rt_plan_refuse(o, "store", "the plan store failed: %s (%s)", al_strerror(rc),
		               rt_store_errmsg(rt_plans_store(p)));
	return 0;
}

static int finish(rt_plans *p, int rc, decide_ctx *d, rt_plan_out *o)
{
	if (rc == AL_ENOTFOUND)
		return rt_plan_refuse(o, "not_found", "no such plan");
	if (rc == AL_ENOMEM)
		return rc;
	if (rc)
		return rt_plan_refuse(o, "store", "the plan store failed: %s (%s)", al_strerror(rc),
		                      rt_store_errmsg(rt_plans_store(p)));
	if (d->refused) {
		cJSON_Delete(d->view);
		d->view = NULL;
		return rt_plan_refuse(o, d->code[0] ? d->code : "state", "%s", d->msg);
	}
	o->result = d->view;
	d->view = NULL;
	return 0;
}

int rt_approve_decide(rt_plans *p, const char *text, int grant, int channel,
                      const rt_approver *who, const unsigned char *digest,
                      const rt_id *tx, rt_plan_out *o)
{
	rt_id id;
	if (!resolve(p, text, &id, o))
		return o->error ? 0 : AL_ENOMEM;
	decide_ctx d;
	memset(&d, 0, sizeof d);
	d.grant = grant;
	d.channel = channel;
	d.who = who;
	d.digest = digest;
	d.tx = tx;
	int rc = rt_plans_modify(p, &id, tx, decide_fn, &d);
	return finish(p, rc, &d, o);
}

/* ---- the question ------------------------------------------------------ */

#define INPUT_SHOWN 1500

cJSON *rt_approve_elicit_params(const rt_plan *pl, int with_mode)
{
	char id[RT_ID_TEXT], dig[65];
	rt_id_str(&pl->id, id);
	digest_hex(pl->digest, dig);
	const cJSON *c = pl->content, *d = rt_jobj(c, "decision"), *caller = rt_jobj(c, "caller");
	const cJSON *req = rt_jobj(pl->status, "request");
	unsigned risk;
	uint32_t approvers, ttl;
	approval_of(pl, &risk, &approvers, &ttl);
	char *in = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(pl->status,
	                                                                  "inputRedacted"));
	if (in && strlen(in) > INPUT_SHOWN)
		strcpy(in + INPUT_SHOWN - 3, "...");
	const char *region = rt_jstr(caller, "region"), *account = rt_jstr(caller, "account");
	/* what the plan would change, when a diff was made (rt_diff.h), and
	 * the EC2 DryRun check */
	char dbuf[1400] = "";
	const cJSON *df = rt_jobj(pl->status, "diff"), *dr = rt_jobj(pl->status, "dryRun");
	size_t dn = df ? rt_diff_brief(df, dbuf, sizeof dbuf) : 0;
	if (dr && dn + 1 < sizeof dbuf)
		snprintf(dbuf + dn, sizeof dbuf - dn, "EC2 dry run: %s (%s)\n",
		         rt_jstr(dr, "result") ? rt_jstr(dr, "result") : "?",
		         rt_jstr(dr, "code") ? rt_jstr(dr, "code") : "?");
	char msg[5600];
	snprintf(msg, sizeof msg,
	         "airlock asks you to approve an AWS call planned by the agent.\n\n"
	         "%s:%s  (risk %s, %s)\n"
	         "region %s, account %s, profile %s\n"
	         "input: %s\n"
	         "policy: %s (rule %s): %s\n"
	         "justification (written by the agent): %s\n\n"
	         "%s%s"
	         "plan %s, digest %.16s...\n"
	         "Approving lets the agent apply exactly this plan, once, within %u s. "
	         "%s",
	         rt_jstr(c, "service") ? rt_jstr(c, "service") : "?",
	         rt_jstr(c, "operation") ? rt_jstr(c, "operation") : "?", alc_risk_name(risk),
	         rt_jstr(d, "access") ? rt_jstr(d, "access") : "?", region ? region : "(not known)",
	         account ? account : "(not known)",
	         rt_jstr(caller, "profile") ? rt_jstr(caller, "profile") : "(not known)",
	         in ? in : "{}", rt_jstr(d, "decision") ? rt_jstr(d, "decision") : "?",
	         rt_jstr(d, "rule") ? rt_jstr(d, "rule") : "?", rt_jstr(d, "reason") ? rt_jstr(d, "reason") : "",
	         rt_jstr(req, "justification") ? rt_jstr(req, "justification") : "(none)", dbuf,
	         dbuf[0] ? "\n" : "", id, dig, ttl,
	         approvers > 1 ? "A second person must also approve it from a terminal." : "");
	free(in);
	cJSON *p = cJSON_CreateObject(), *s = NULL, *props, *x, *en, *reqd;
	int ok = p && (!with_mode || cJSON_AddStringToObject(p, "mode", "form")) &&
	         cJSON_AddStringToObject(p, "message", msg) &&
	         (s = cJSON_AddObjectToObject(p, "requestedSchema")) &&
	         cJSON_AddStringToObject(s, "type", "object") &&
	         (props = cJSON_AddObjectToObject(s, "properties"));
	ok = ok && (x = cJSON_AddObjectToObject(props, "decision")) &&
	     cJSON_AddStringToObject(x, "type", "string") &&
	     cJSON_AddStringToObject(x, "title", "Decision") &&
	     cJSON_AddStringToObject(x, "description", "approve or reject this plan") &&
	     (en = cJSON_AddArrayToObject(x, "enum"));
	if (ok) {
		cJSON_AddItemToArray(en, cJSON_CreateString("approve"));
		cJSON_AddItemToArray(en, cJSON_CreateString("reject"));
	}
	ok = ok && (x = cJSON_AddObjectToObject(props, "name")) &&
	     cJSON_AddStringToObject(x, "type", "string") &&
	     cJSON_AddStringToObject(x, "title", "Your name") &&
	     cJSON_AddNumberToObject(x, "minLength", 1) && cJSON_AddNumberToObject(x, "maxLength", 100);
	ok = ok && (x = cJSON_AddObjectToObject(props, "comment")) &&
	     cJSON_AddStringToObject(x, "type", "string") &&
	     cJSON_AddStringToObject(x, "title", "Comment") &&
	     cJSON_AddNumberToObject(x, "maxLength", 500);
	ok = ok && (reqd = cJSON_AddArrayToObject(s, "required"));
	if (ok) {
		cJSON_AddItemToArray(reqd, cJSON_CreateString("decision"));
		cJSON_AddItemToArray(reqd, cJSON_CreateString("name"));
	}
	if (!ok) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

/* ---- request_approval -------------------------------------------------- */

typedef struct request_ctx {
	const char *justification;
	const rt_elicit *e;
	const rt_id *tx;
	/* out */
	int refused;
	char code[32];
	char msg[400];
	int prompt;              /* ask the person (mode of e) */
	int elicit_blocked;      /* the channel is not accepted for this plan */
	char nonce[33];
	cJSON *params;           /* elicitation/create params */
	cJSON *view;
	/* retried 2026-07-28 call: the answer */
	const cJSON *answer;
	decide_ctx dec;
	int answered;            /* 1 recorded a decision; 2 cancelled/invalid */
	char answer_note[64];
} request_ctx;

static int prompt_record(rt_txn *t, const rt_plan *pl, const rt_id *tx, const char *event,
                         const char *era)
{
	cJSON *pay = cJSON_CreateObject();
	if (pay && (!cJSON_AddStringToObject(pay, "event", event) ||
	            !cJSON_AddStringToObject(pay, "era", era))) {
		cJSON_Delete(pay);
		return AL_ENOMEM;
	}
	return audit(t, RT_AK_APPROVAL_PROMPT, tx, pl, pay);
}

/* Reads an elicitation result.  Returns 1 approve, 0 reject (with NAME
 * and COMMENT), -1 cancelled, -2 invalid. */
static int parse_answer(const cJSON *res, char *name, size_t ncap, char *comment, size_t ccap,
                        const char **action_out)
{
	const char *action = rt_jstr(res, "action");
	*action_out = action ? action : "?";
	name[0] = comment[0] = '\0';
	if (!action)
		return -2;
	if (strcmp(action, "decline") == 0) {
		snprintf(comment, ccap, "declined in the MCP client");
		return 0;
	}
	if (strcmp(action, "cancel") == 0)
		return -1;
	if (strcmp(action, "accept") != 0)
		return -2;
	const cJSON *content = rt_jobj(res, "content");
	const char *dec = rt_jstr(content, "decision"), *nm = rt_jstr(content, "name");
	const char *cm = rt_jstr(content, "comment");
	if (!dec || (strcmp(dec, "approve") != 0 && strcmp(dec, "reject") != 0))
		return -2;
	if (nm && strlen(nm) <= 100)
		clean(name, ncap, nm);
	if (cm && strlen(cm) <= 500)
		clean(comment, ccap, cm);
	if (strcmp(dec, "approve") == 0 && !name[0])
		return -2; /* an approval names its approver */
	return strcmp(dec, "approve") == 0;
}

static int request_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	request_ctx *r = vc;
	r->refused = r->prompt = r->elicit_blocked = 0;
	r->answered = 0;
	cJSON_Delete(r->params);
	r->params = NULL;
	char id[RT_ID_TEXT];
	rt_id_str(&pl->id, id);
	int64_t now = rt_now_ms();
	unsigned risk;
	uint32_t approvers, ttl;
	approval_of(pl, &risk, &approvers, &ttl);
	int rc;
	const char *code;

	if (r->e && r->e->mode == RT_ELICIT_INPUT_REQUIRED && r->e->request_state) {
		/* the retried call: the answer to our question */
		const char *rs = r->e->request_state, *dot = strchr(rs, '.');
		const cJSON *prompt = rt_jobj(pl->status, "prompt");
		const char *nonce = rt_jstr(prompt, "nonce");
		int match = dot && (size_t)(dot - rs) == 26 && strncmp(rs, id, 26) == 0 && nonce &&
		            strlen(nonce) == 32 && strlen(dot + 1) == 32;
		unsigned diff = 0;
		for (size_t i = 0; match && i < 32; i++)
			diff |= (unsigned)(nonce[i] ^ dot[1 + i]);
		if (!match || diff) {
			r->refused = 1;
			snprintf(r->code, sizeof r->code, "stale_prompt");
			snprintf(r->msg, sizeof r->msg, "plan %s: this answer does not belong to a "
			         "question airlock is waiting for (unknown or already answered); nothing "
			         "was recorded", id);
			return 0;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(pl->status, "prompt");
		pl->dirty = 1;
		if (pl->state != RT_PS_AWAITING) {
			r->refused = 1;
			snprintf(r->msg, sizeof r->msg, "plan %s is %s", id,
			         state_refusal(pl->state, &code));
			snprintf(r->code, sizeof r->code, "%s", code);
			return prompt_record(t, pl, r->tx, "answer_too_late", "2026-07-28");
		}
		char name[128], comment[512];
		const char *action;
		int a = parse_answer(r->answer, name, sizeof name, comment, sizeof comment, &action);
		if (a < 0) {
			r->answered = 2;
			snprintf(r->answer_note, sizeof r->answer_note, "%s",
			         a == -1 ? "cancelled" : "invalid_answer");
			if ((rc = prompt_record(t, pl, r->tx, r->answer_note, "2026-07-28")) != 0)
				return rc;
			cJSON_Delete(r->view);
			r->view = rt_plan_view(pl);
			return r->view ? 0 : AL_ENOMEM;
		}
		rt_approver who;
		rt_approver_self(&who, a == 1 ? name : (name[0] ? name : NULL), comment);
		memset(&r->dec, 0, sizeof r->dec);
		r->dec.grant = a;
		r->dec.channel = RT_CH_ELICITATION;
		r->dec.who = &who;
		r->dec.tx = r->tx;
		snprintf(r->answer_note, sizeof r->answer_note, "%s", action);
		rc = decide_locked(t, pl, &r->dec);
		r->answered = 1;
		return rc;
	}

	switch (pl->state) {
	case RT_PS_PLANNED:
		if (!(pl->flags & RT_PF_APPROVAL)) {
			r->refused = 1;
			snprintf(r->code, sizeof r->code, "state");
			snprintf(r->msg, sizeof r->msg, "plan %s needs no approval: call apply_plan", id);
			return 0;
		}
		if ((rc = rt_plan_set_state(pl, RT_PS_AWAITING, now)) != 0)
			return rc;
		pl->expires = now + (int64_t)ttl * 1000;
		{
			rt_approver self;
			rt_approver_self(&self, NULL, NULL);
			char just[1024];
			clean(just, sizeof just, r->justification);
			cJSON *rq = cJSON_CreateObject();
			if (!rq || !cJSON_AddStringToObject(rq, "justification", just) ||
			    !cJSON_AddItemToObject(rq, "at", time_json(now)) ||
			    !cJSON_AddStringToObject(rq, "osUser", self.os_user) ||
			    !cJSON_AddNumberToObject(rq, "uid", self.uid) ||
			    !cJSON_AddStringToObject(rq, "via", rt_plans_via(p)) ||
			    !cJSON_AddItemToObject(rq, "expiresAt", time_json(pl->expires)) ||
			    jset(pl->status, "request", rq) != 0) {
				cJSON_Delete(rq);
				return AL_ENOMEM;
			}
			cJSON *pay = cJSON_Duplicate(rq, 1);
			if (pay) {
				cJSON_AddNumberToObject(pay, "approvers", approvers);
				cJSON_AddNumberToObject(pay, "ttlSeconds", ttl);
			}
			if ((rc = audit(t, RT_AK_APPROVAL_REQUEST, r->tx, pl, pay)) != 0)
				return rc;
		}
		break;
	case RT_PS_AWAITING:
		break; /* already asked: ask the person again, no new request */
	case RT_PS_APPROVED:
		cJSON_Delete(r->view);
		r->view = rt_plan_view(pl);
		return r->view ? 0 : AL_ENOMEM;
	default:
		r->refused = 1;
		snprintf(r->msg, sizeof r->msg, "plan %s is %s", id, state_refusal(pl->state, &code));
		snprintf(r->code, sizeof r->code, "%s", code);
		return 0;
	}

	/* ask through the client when it can and the policy accepts it */
	int can = r->e && r->e->mode != RT_ELICIT_NONE;
	if (can && !(rt_approve_channels(risk, approvers) & RT_CH_ELICITATION)) {
		can = 0;
		r->elicit_blocked = 1;
	}
	if (can) {
		/* one elicitation approval per plan: it is always the server's
		 * OS user */
		const cJSON *g;
		cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(pl->status, "grants")) {
			const char *ch = rt_jstr(g, "channel");
			if (ch && strcmp(ch, "elicitation") == 0)
				can = 0;
		}
	}
	if (can) {
		r->params = rt_approve_elicit_params(pl, r->e->with_mode_field);
		if (!r->params)
			return AL_ENOMEM;
		const char *era = r->e->mode == RT_ELICIT_INPUT_REQUIRED ? "2026-07-28" : "2025-11-25";
		if (r->e->mode == RT_ELICIT_INPUT_REQUIRED) {
			unsigned char nb[16];
			if (rt_random(nb, sizeof nb) != 0)
				return AL_EIO;
			for (int i = 0; i < 16; i++)
				snprintf(r->nonce + 2 * i, 3, "%02x", nb[i]);
			cJSON *pr = cJSON_CreateObject();
			if (!pr || !cJSON_AddStringToObject(pr, "nonce", r->nonce) ||
			    !cJSON_AddItemToObject(pr, "at", time_json(now)) ||
			    jset(pl->status, "prompt", pr) != 0) {
				cJSON_Delete(pr);
				return AL_ENOMEM;
			}
			pl->dirty = 1;
		}
		r->prompt = 1;
		if ((rc = prompt_record(t, pl, r->tx, "sent", era)) != 0)
			return rc;
	}
	cJSON_Delete(r->view);
	r->view = rt_plan_view(pl);
	return r->view ? 0 : AL_ENOMEM;
}

/* What happened, added to the view for the agent. */
static int add_outcome(cJSON *view, const char *elicitation, const char *id)
{
	char how[300];
	snprintf(how, sizeof how, "A person approves from a terminal with `airlock approve %s` "
	         "(or rejects with `airlock reject %s`).", id, id);
	return cJSON_AddStringToObject(view, "elicitation", elicitation) &&
	       cJSON_AddStringToObject(view, "howToApprove", how) ? 0 : AL_ENOMEM;
}

typedef struct note_ctx {
	const char *event;
	const char *era;
	const rt_id *tx;
} note_ctx;

static int note_fn(rt_plans *p, rt_txn *t, rt_plan *pl, void *vc)
{
	(void)p;
	note_ctx *n = vc;
	return prompt_record(t, pl, n->tx, n->event, n->era);
}

int rt_approve_request(rt_plans *p, const char *text, const char *justification,
                       const rt_elicit *e, const rt_id *tx, rt_plan_out *o)
{
	rt_id id;
	if (!resolve(p, text, &id, o))
		return o->error ? 0 : AL_ENOMEM;
	char idt[RT_ID_TEXT];
	rt_id_str(&id, idt);
	request_ctx r;
	memset(&r, 0, sizeof r);
	r.justification = justification ? justification : "";
	r.e = e;
	r.tx = tx;
	if (e && e->mode == RT_ELICIT_INPUT_REQUIRED && e->request_state) {
		r.answer = cJSON_GetObjectItemCaseSensitive(e->input_responses, RT_ELICIT_KEY);
	}
	int rc = rt_plans_modify(p, &id, tx, request_fn, &r);
	if (rc) {
		cJSON_Delete(r.params);
		cJSON_Delete(r.view);
		cJSON_Delete(r.dec.view);
		if (rc == AL_ENOTFOUND)
			return rt_plan_refuse(o, "not_found", "no plan %s", idt);
		if (rc == AL_ENOMEM)
			return rc;
		return rt_plan_refuse(o, "store", "the plan store failed: %s (%s)", al_strerror(rc),
		                      rt_store_errmsg(rt_plans_store(p)));
	}
	if (r.refused) {
		cJSON_Delete(r.params);
		cJSON_Delete(r.view);
		return rt_plan_refuse(o, r.code[0] ? r.code : "state", "%s", r.msg);
	}
	if (r.answered == 1) {
		/* the 2026-07-28 answer was recorded (or refused) */
		if (r.dec.refused) {
			cJSON_Delete(r.dec.view);
			cJSON_Delete(r.view);
			return rt_plan_refuse(o, r.dec.code[0] ? r.dec.code : "state", "%s", r.dec.msg);
		}
		cJSON_Delete(r.view);
		o->result = r.dec.view;
		const char *st = rt_jstr(o->result, "state");
		int rejected = st && strcmp(st, "Rejected") == 0;
		return add_outcome(o->result, !rejected ? "approved" :
		                   strcmp(r.answer_note, "decline") == 0 ? "declined" : "rejected", idt);
	}
	if (r.answered == 2) {
		o->result = r.view;
		return add_outcome(o->result, r.answer_note, idt);
	}
	if (!r.prompt) {
		o->result = r.view;
		return add_outcome(o->result, r.elicit_blocked ? "not_accepted_by_policy" :
		                   !e || e->mode == RT_ELICIT_NONE ? "unsupported" :
		                   rt_jstr(r.view, "state") && strcmp(rt_jstr(r.view, "state"),
		                                                   "Approved") == 0 ? "not_needed"
		                                                                    : "already_answered",
		                   idt);
	}
	if (e->mode == RT_ELICIT_INPUT_REQUIRED) {
		cJSON *ir = cJSON_CreateObject(), *reqs, *one;
		char state[80];
		snprintf(state, sizeof state, "%s.%s", idt, r.nonce);
		int ok = ir && (reqs = cJSON_AddObjectToObject(ir, "inputRequests")) &&
		         (one = cJSON_AddObjectToObject(reqs, RT_ELICIT_KEY)) &&
		         cJSON_AddStringToObject(one, "method", "elicitation/create") &&
		         cJSON_AddStringToObject(ir, "requestState", state);
		if (ok) {
			cJSON_AddItemToObject(one, "params", r.params);
			r.params = NULL;
		}
		cJSON_Delete(r.params);
		cJSON_Delete(r.view);
		if (!ok) {
			cJSON_Delete(ir);
			return AL_ENOMEM;
		}
		o->input_required = ir;
		return 0;
	}
	/* 2025-11-25: ask now and wait for the person */
	cJSON *answer = NULL;
	rc = e->ask(e->ctx, r.params, RT_ELICIT_WAIT_MS, &answer);
	cJSON_Delete(r.params);
	r.params = NULL;
	if (rc) {
		note_ctx n = { rc == AL_ETIMEOUT ? "no_answer" : rc == AL_ECANCELED ? "call_cancelled"
		                                                                     : "client_error",
		               "2025-11-25", tx };
		int rc2 = rt_plans_modify(p, &id, tx, note_fn, &n);
		if (rc == AL_ECANCELED) {
			cJSON_Delete(r.view);
			return AL_ECANCELED;
		}
		if (rc2 && rc2 != AL_ENOMEM) {
			cJSON_Delete(r.view);
			return rt_plan_refuse(o, "store", "the plan store failed: %s", al_strerror(rc2));
		}
		o->result = r.view;
		return add_outcome(o->result, n.event, idt);
	}
	char name[128], comment[512], action[16];
	const char *act;
	int a = parse_answer(answer, name, sizeof name, comment, sizeof comment, &act);
	snprintf(action, sizeof action, "%s", act); /* ACT points into ANSWER */
	cJSON_Delete(answer);
	if (a < 0) {
		note_ctx n = { a == -1 ? "cancelled" : "invalid_answer", "2025-11-25", tx };
		rc = rt_plans_modify(p, &id, tx, note_fn, &n);
		if (rc) {
			cJSON_Delete(r.view);
			return rc == AL_ENOMEM ? rc : rt_plan_refuse(o, "store", "the plan store failed: %s",
			                                             al_strerror(rc));
		}
		o->result = r.view;
		return add_outcome(o->result, n.event, idt);
	}
	/* the person saw the plan as it was when the question was built:
	 * bind the decision to that digest */
	unsigned char dig[32];
	const char *dh = rt_jstr(r.view, "digest");
	int have = dh && strlen(dh) == 64;
	for (int i = 0; have && i < 32; i++) {
		unsigned v;
		if (sscanf(dh + 2 * i, "%2x", &v) != 1)
			have = 0;
		dig[i] = (unsigned char)v;
	}
	cJSON_Delete(r.view);
	rt_approver who;
	rt_approver_self(&who, a == 1 ? name : (name[0] ? name : NULL), comment);
	rc = rt_approve_decide(p, idt, a, RT_CH_ELICITATION, &who, have ? dig : NULL, tx, o);
	if (rc || o->error)
		return rc;
	return add_outcome(o->result, a == 1 ? "approved" : strcmp(action, "decline") == 0
	                   ? "declined" : "rejected", idt);
}
