/*
 * rt_retry.h -- the AWS "standard" retry mode, as the SDKs implement it
 * (botocore retries/standard.py, the SDK reference "Retry behavior"):
 *
 *   - at most N attempts (3 by default);
 *   - retryable: transport failures (connection refused or reset, DNS,
 *     timeouts), HTTP 500/502/503/504, the throttling codes, the transient
 *     codes, and errors modeled as retryable;
 *   - delay before retry i (1, 2, ...): full jitter, a uniform random
 *     fraction of min(2^(i-1) s, 20 s);
 *   - a retry quota (token bucket) per client: 500 tokens; a retry costs 5
 *     (10 after a timeout); a success returns what its retries took, or 1
 *     when it needed none, up to 500; with too few tokens, no retry.
 *
 * Owner: rt_retry.c.  No allocation, no clock, no randomness of its own:
 * the caller passes the random value, so tests pin it.  A quota is used by
 * one thread at a time (rt_exec keeps one per context).
 */
#ifndef RT_RETRY_H
#define RT_RETRY_H

#include "rt_proto.h"

#define RT_RETRY_QUOTA 500
#define RT_RETRY_COST 5
#define RT_RETRY_TIMEOUT_COST 10
#define RT_RETRY_MAX_BACKOFF_MS 20000

enum rt_retry_class {
	RT_RETRY_NO = 0,          /* not retryable */
	RT_RETRY_TRANSIENT = 1,   /* 5xx, transient codes, connection errors */
	RT_RETRY_THROTTLE = 2,    /* throttling codes */
	RT_RETRY_TIMEOUT = 3      /* a transport timeout */
};

typedef struct rt_retry_quota {
	int tokens;
} rt_retry_quota;

void rt_retry_quota_init(rt_retry_quota *q);

/* The class of a failed attempt: E (kind RT_PERR_SERVICE, RT_PERR_TRANSPORT
 * with AL_ETIMEOUT/AL_ENET in RC, or RT_PERR_MALFORMED for a 5xx answer
 * that did not parse).  Sets E->retryable (and E->throttling for
 * throttling codes). */
int rt_retry_classify(rt_proto_error *e, int rc);

/* 1 when CODE is one of the throttling error codes. */
int rt_retry_is_throttle_code(const char *code);

/* Take the cost of a retry of class CLS from Q: the cost (> 0), or 0 when
 * the quota cannot afford it (then do not retry). */
int rt_retry_acquire(rt_retry_quota *q, int cls);

/* After a successful attempt: give back COST (what its retries took), or
 * 1 when it needed none (COST 0). */
void rt_retry_release(rt_retry_quota *q, int cost);

/* The delay before retry number RETRY (1 for the second attempt) with
 * RANDOM uniform in [0, 2^32): full jitter. */
long rt_retry_delay_ms(int retry, unsigned random);

#endif
