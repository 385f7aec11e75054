/*
 * fake_exec.h -- a stand-in for AWS, for the plan tests only: it answers
 * the gadgets test service (tests/plans/model) without a network, and logs
 * every call it "receives" so that tests can prove a plan reached it at
 * most once.  Never linked into the airlock binary: tests build
 * airlock-fake (fake_main.c) and test_plans with it.
 *
 * Behaviour (struct fields; airlock-fake reads them from the environment):
 *   log        AIRLOCK_FAKE_LOG: append "<operation> <canonical input>\n"
 *              (O_APPEND, fsync) before answering: "the call reached AWS"
 *   sleep_ms   AIRLOCK_FAKE_SLEEP_MS: wait before answering (kill window)
 *   attempts   AIRLOCK_FAKE_ATTEMPTS: report this many HTTP attempts
 *   fail       AIRLOCK_FAKE_FAIL=1: answer with a throttling error
 *   big        AIRLOCK_FAKE_BIG=N: ListGadgets returns N gadgets
 */
#ifndef PLANS_FAKE_EXEC_H
#define PLANS_FAKE_EXEC_H

#include "rt_plan.h"

typedef struct fake_exec {
	const char *log;
	long sleep_ms;
	int attempts;
	int fail;
	int big;
	int calls;              /* counted here */
	/* called inside the executor (tests of re-entry), may be NULL */
	void (*during)(void *ud);
	void *during_ud;
} fake_exec;

int fake_exec_fn(void *ud, const rt_plan_exec_req *rq, rt_plan_exec_res *rs);
void fake_exec_from_env(fake_exec *f);

#endif
