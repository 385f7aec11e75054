/*
 * rt_policy.h -- policy decisions at run time, from the catalog's compiled
 * policy (formats/alc_policy.h; the language and the decision order are in
 * policy/README.md).
 *
 * A decision is made for (operation, input, region, account, profile).  The
 * operation is always a catalog record: callers resolve the names they are
 * given through the catalog's indexes first (any case, any alias, the CLI
 * name), so the policy only ever sees canonical operations and no spelling
 * can dodge a rule.
 *
 * Owner: rt_policy.c (decisions), rt_policy_test.c (`airlock policy test`).
 * An rt_policy borrows the catalog, which must outlive it; it owns its
 * compiled patterns and one PCRE2 match block, so it is not thread-safe:
 * one per thread (like rt_tools).  Decisions allocate nothing.
 */
#ifndef RT_POLICY_H
#define RT_POLICY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alc_policy.h"
#include "alc_reader.h"

typedef struct rt_policy rt_policy;

/* rt_policy_open flags */
#define RT_POLICY_FROM_SOURCE 0x1u /* compile patterns from their sources,
                                      never from the serialized blob */

/* Prepare CAT's policy: bind the section and get every pattern ready
 * (decoded from the PCRE2 blob when the library version is the
 * compiler's, else compiled from the stored sources).  A catalog without
 * policy opens too: every decision is then a deny (rule "no-policy").
 * Returns 0, AL_ENOMEM, or AL_ECORRUPT when a stored pattern does not
 * compile (message in ERR). */
int rt_policy_open(rt_policy **out, const alc_catalog *cat, unsigned flags,
                   char *err, size_t errcap);
void rt_policy_close(rt_policy *p);

/* The bound section (NULL pointers when the catalog has no policy), and
 * where the patterns came from: "serialized", "source" or "none". */
const alc_policy *rt_policy_section(const rt_policy *p);
const char *rt_policy_patterns_from(const rt_policy *p);

typedef struct rt_call {
	const alc_operation *op;  /* required */
	const cJSON *input;       /* NULL: not known -- rules that test the
	                             input are listed as conditional */
	const char *region;       /* NULL: not known */
	const char *account;      /* NULL: not known */
	const char *profile;      /* NULL: not known */
} rt_call;

/* rt_policy_decide flags */
#define RT_DECIDE_EXPLAIN 0x1u /* evaluate every candidate rule: list all
                                  that matched with the deciding effect */

#define RT_POLICY_MAX_IDS 16

typedef struct rt_decision {
	unsigned effect;          /* ALC_EFFECT_ALLOW / _APPROVAL / _DENY */
	unsigned risk;            /* ALC_RISK_*; 0 without policy */
	int write;                /* access: 1 write, 0 read */
	const char *rule;         /* id of the deciding rule, or a built-in
	                             id: default, allowed-accounts,
	                             allowed-regions, invalid-account,
	                             invalid-region, duplicate-key, no-policy */
	uint32_t rule_index;      /* RULES index, or ALC_NONE (built-in) */
	const char *description;  /* the deciding rule's ("" otherwise) */
	char reason[320];         /* why, in words */
	const char *environment;  /* environment name, or NULL */
	int env_known;            /* environment known (possibly "none":
	                             an account no environment lists) */
	uint32_t approvers;       /* effect == APPROVAL: 1 or 2 */
	uint32_t ttl;             /* effect == APPROVAL: seconds */
	uint32_t approval_line;   /* approvals entry used (0: default) */
	int compile_time;         /* the rule was chosen by the compiler */
	uint32_t nmatched;        /* RULES indexes that matched with the */
	uint32_t matched[RT_POLICY_MAX_IDS]; /* deciding effect (EXPLAIN) */
	uint32_t nconditional;    /* rules that depend on the input (input */
	uint32_t conditional[RT_POLICY_MAX_IDS]; /* unknown) */
} rt_decision;

/* Decide CALL into *D.  Returns 0 (D filled; a decision is always made,
 * failing closed) or AL_EINVAL when call->op is NULL. */
int rt_policy_decide(rt_policy *p, const rt_call *call, unsigned flags,
                     rt_decision *d);

/* A rule's id / description / line in the policy file. */
const char *rt_policy_rule_id(const rt_policy *p, uint32_t rule);
const char *rt_policy_rule_description(const rt_policy *p, uint32_t rule);
uint32_t rt_policy_rule_line(const rt_policy *p, uint32_t rule);

/* D as a JSON object for the tools (describe_operation and validate_input:
 * "policy"), NULL on allocation failure. */
cJSON *rt_policy_decision_json(const rt_policy *p, const rt_decision *d);

/* D for people (`airlock policy explain`). */
void rt_policy_print(FILE *f, const rt_policy *p, const rt_call *call,
                     const rt_decision *d);

/* `airlock policy test FILE`: run the YAML test cases of FILE (each a
 * call and its expected decision, policy/README.md) against the catalog's
 * policy; print one line per case to OUT and a summary.  Returns 0 when
 * every case passed, 1 when one failed, 2 when FILE is unusable (errors on
 * ERRF as FILE:LINE:COLUMN). */
int rt_policy_test_file(rt_policy *p, const alc_catalog *cat,
                        const char *file, FILE *out, FILE *errf,
                        int verbose);

#endif
