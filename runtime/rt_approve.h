/*
 * rt_approve.h -- human approvals of plans.
 *
 * The agent asks (request_approval, with a justification); a person
 * decides, through one of two channels:
 *   cli          `airlock approve PLAN` on a terminal: the plan is shown and
 *                the person confirms by typing "approve" on /dev/tty;
 *   elicitation  the MCP client asks its user (2025-11-25
 *                `elicitation/create`; 2026-07-28 an `input_required`
 *                result) and airlock records the answer.
 * An approval records the approver's OS user (getpwuid(geteuid()) of the
 * process that recorded it) and uid, the name and comment they gave, the
 * time, the channel and the plan digest approved.  Two approvals, when the
 * policy asks for two, must come from two distinct OS users (names are
 * free text and prove nothing).  A rejection is final.
 *
 * Accepted channels: the policy language has no channel setting yet, so
 * airlock applies one built-in rule (rt_approve_channels): the terminal
 * always; elicitation for plans below critical risk.  An elicitation
 * answer is typed in the agent's own client and recorded under the OS user
 * running the server -- the agent's user -- so it can never be the second
 * of two approvals by that user either.
 *
 * Trust boundary: no tool argument can grant, extend or forge an approval.
 * request_approval only creates the request; a grant comes from the
 * person's terminal, or from the client's answer to an elicitation that
 * this server sent (legacy: the JSON-RPC response to our own request id;
 * 2026-07-28: an inputResponses entry together with a requestState naming
 * a one-time nonce stored with the pending request).  The model only writes
 * tool arguments; it cannot write those.  Whether the client shows the
 * question to a person is the client's responsibility: a client that
 * answers elicitations by itself defeats this channel, which is why the
 * policy's riskiest plans (critical) never accept it.
 *
 * Owner: rt_approve.c.
 */
#ifndef RT_APPROVE_H
#define RT_APPROVE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "rt_plan.h"

enum rt_channel { RT_CH_CLI = 0x1, RT_CH_ELICITATION = 0x2 };

const char *rt_channel_name(int ch);
int rt_channel_find(const char *name);

/* Channels (RT_CH_* bits) accepted for a plan of RISK (ALC_RISK_*) needing
 * APPROVERS approvals. */
unsigned rt_approve_channels(unsigned risk, uint32_t approvers);

typedef struct rt_approver {
	char os_user[64];
	uint32_t uid;
	char name[128];
	char comment[512];
} rt_approver;

/* The OS user of this process (euid), with NAME (NULL: the GECOS name,
 * else the user name) and COMMENT (NULL: ""). */
void rt_approver_self(rt_approver *a, const char *name, const char *comment);

/* How a 2025-11-25 / 2026-07-28 client can be asked (rt_tools.h). */
enum rt_elicit_mode {
	RT_ELICIT_NONE = 0,        /* the client cannot be asked */
	RT_ELICIT_REQUEST,         /* send elicitation/create and wait */
	RT_ELICIT_INPUT_REQUIRED   /* answer with input_required */
};

typedef struct rt_elicit {
	int mode;                  /* enum rt_elicit_mode */
	int with_mode_field;       /* include "mode": "form" (2025-11-25+) */
	/* RT_ELICIT_REQUEST: sends PARAMS as elicitation/create and waits up
	 * to WAIT_MS for the answer.  Returns 0 with *RESULT (the response's
	 * result object, owned by the caller), AL_ETIMEOUT (no answer;
	 * the request was cancelled), AL_ECANCELED (the tool call itself was
	 * cancelled), AL_EPROTO (an error response; *RESULT NULL), AL_EIO. */
	int (*ask)(void *ctx, const cJSON *params, long wait_ms, cJSON **result);
	void *ctx;
	/* RT_ELICIT_INPUT_REQUIRED, on the retried call: */
	const cJSON *input_responses;  /* params.inputResponses or NULL */
	const char *request_state;     /* params.requestState or NULL */
} rt_elicit;

/* Longest wait for a person to answer an elicitation. */
#define RT_ELICIT_WAIT_MS (10L * 60 * 1000)
/* The inputRequests key of the approval question. */
#define RT_ELICIT_KEY "airlock-approval"

/* request_approval: creates (or, when one is pending, keeps) the approval
 * request of plan ID with JUSTIFICATION; then, when E allows and the
 * plan's channels include elicitation, asks the person through the client
 * and records the answer.  O->result says what happened and how a person
 * approves from a terminal; O->input_required is set when a 2026-07-28
 * client must be asked first. */
int rt_approve_request(rt_plans *p, const char *id, const char *justification,
                       const rt_elicit *e, const rt_id *tx, rt_plan_out *o);

/* A person's decision through CHANNEL.  GRANT 1 approves, 0 rejects.
 * DIGEST (NULL: the current one) is the digest the person was shown: any
 * difference refuses.  The approval is recorded only when the plan is
 * AwaitingApproval (rejections: also Planned or Approved), unexpired,
 * its digest intact, the channel accepted and the approver distinct from
 * earlier ones. */
int rt_approve_decide(rt_plans *p, const char *id, int grant, int channel,
                      const rt_approver *who, const unsigned char *digest,
                      const rt_id *tx, rt_plan_out *o);

/* The elicitation/create params for PL (form: decision approve|reject,
 * name, comment), with "mode": "form" when WITH_MODE.  NULL on ENOMEM. */
cJSON *rt_approve_elicit_params(const rt_plan *pl, int with_mode);

#endif
