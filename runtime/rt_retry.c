/*
 * rt_retry.c -- see rt_retry.h.  The code lists are botocore's
 * (retries/standard.py and the SDKs' shared retry specification).
 */
#include "rt_retry.h"

#include <string.h>

#include "alc_err.h"

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
	"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException",
};

static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
	"InternalError", "InternalFailure", "ServiceUnavailable", "IDPCommunicationError",
};

static int in_list(const char *code, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

int rt_retry_is_throttle_code(const char *code)
{
	return in_list(code, throttle_codes, sizeof throttle_codes / sizeof throttle_codes[0]);
}

void rt_retry_quota_init(rt_retry_quota *q)
{
	q->tokens = RT_RETRY_QUOTA;
}

int rt_retry_classify(rt_proto_error *e, int rc)
{
	int cls = RT_RETRY_NO;
	if (e->kind == RT_PERR_TRANSPORT) {
		cls = rc == AL_ETIMEOUT ? RT_RETRY_TIMEOUT : rc == AL_ENET ? RT_RETRY_TRANSIENT
		                                                          : RT_RETRY_NO;
	} else if (e->kind == RT_PERR_SERVICE || e->kind == RT_PERR_MALFORMED) {
		if (rt_retry_is_throttle_code(e->code) || e->throttling || e->http_status == 429) {
			cls = RT_RETRY_THROTTLE;
			e->throttling = 1;
		} else if (in_list(e->code, transient_codes,
		                   sizeof transient_codes / sizeof transient_codes[0]) ||
		           e->http_status == 500 || e->http_status == 502 ||
		           e->http_status == 503 || e->http_status == 504 || e->retryable) {
			cls = RT_RETRY_TRANSIENT;
		}
	}
	if (cls != RT_RETRY_NO)
		e->retryable = 1;
	return cls;
}

int rt_retry_acquire(rt_retry_quota *q, int cls)
{
	int cost = cls == RT_RETRY_TIMEOUT ? RT_RETRY_TIMEOUT_COST : RT_RETRY_COST;
	if (q->tokens < cost)
		return 0;
	q->tokens -= cost;
	return cost;
}

void rt_retry_release(rt_retry_quota *q, int cost)
{
	q->tokens += cost > 0 ? cost : 1;
	if (q->tokens > RT_RETRY_QUOTA)
		q->tokens = RT_RETRY_QUOTA;
}

long rt_retry_delay_ms(int retry, unsigned random)
{
	long cap = 1000;
	for (int i = 1; i < retry && cap < RT_RETRY_MAX_BACKOFF_MS; i++)
		cap *= 2;
	if (cap > RT_RETRY_MAX_BACKOFF_MS)
		cap = RT_RETRY_MAX_BACKOFF_MS;
	return (long)((double)random / 4294967296.0 * (double)cap);
}
