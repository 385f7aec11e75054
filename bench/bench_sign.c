/*
 * bench_sign.c -- SigV4 signing per request: airlock's rt_sigv4_sign()
 * beside botocore's SigV4Auth.add_auth() on the same request, in the same
 * run, with the ratio.
 *
 *   bench_sign [-n SIGNATURES] [-r ROUNDS] [-p PYTHON]
 *
 * The request is a typical one: DynamoDB PutItem (POST /, awsJson1_0, a
 * 230-byte body, Content-Type, X-Amz-Target, a session token as assumed-role
 * credentials carry), signed for us-east-1.  Each side signs it N times per
 * round; the figure is the median round, in microseconds per signature,
 * including the payload hash.  airlock reuses one caller-owned workspace, as a worker
 * thread would.  Both sides then sign at the same pinned time and must
 * produce the same Authorization header (botocore's clock is pinned for
 * that one signature), which the output reports.
 *
 * airlock is timed twice: with a signing-key cache (rt_sigv4_key_cache, a
 * worker's steady state: one derivation per credentials, day, region and
 * service) and deriving the key for every signature, as botocore does.
 *
 * Output, one key=value per line: sign_us_airlock (key cached),
 * sign_us_airlock_no_key_cache, sign_us_botocore, ratio, ratio_no_key_cache,
 * same_signature, signatures, rounds; then a one-line summary.  Exit status
 * 1 when botocore cannot run or the signatures differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_sigv4.h"

static const char host[] = "dynamodb.us-east-1.amazonaws.com";
static const char body[] =
	"{\"TableName\":\"orders\",\"Item\":{\"pk\":{\"S\":\"customer#1042\"},"
	"\"sk\":{\"S\":\"order#2024-05-01T12:00:00Z\"},\"total\":{\"N\":\"129.95\"},"
	"\"status\":{\"S\":\"PENDING\"},\"items\":{\"L\":[{\"S\":\"sku-1\"},{\"S\":\"sku-2\"}]}},"
	"\"ConditionExpression\":\"attribute_not_exists(pk)\"}";
static const char akid[] = "ASIAEXAMPLEBENCH0001";
static const char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const char token[] =
	"IQoJb3JpZ2luX2VjEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRq"
	"TflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSX"
	"Dvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yj"
	"c8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
#define PINNED_TIME 1714564800 /* 2024-05-01T12:00:00Z */

/* The same request for botocore; prints us_per_sign and the pinned
 * Authorization header. */
static const char py[] =
	"import sys, time, datetime as _dt\n"
	"import botocore.auth, botocore.awsrequest, botocore.credentials\n"
	"n, rounds = int(sys.argv[1]), int(sys.argv[2])\n"
	"host, body, akid, secret, token = sys.argv[3:8]\n"
	"creds = botocore.credentials.Credentials(akid, secret, token)\n"
	"def req():\n"
	"    return botocore.awsrequest.AWSRequest(method='POST', url='https://' + host + '/',\n"
	"        data=body.encode(), headers={'Content-Type': 'application/x-amz-json-1.0',\n"
	"        'X-Amz-Target': 'DynamoDB_20120810.PutItem', 'Host': host})\n"
	"signer = botocore.auth.SigV4Auth(creds, 'dynamodb', 'us-east-1')\n"
	"r = req()\n"
	"times = []\n"
	"for _ in range(rounds):\n"
	"    t0 = time.perf_counter()\n"
	"    for _ in range(n):\n"
	"        signer.add_auth(r)\n"
	"    times.append((time.perf_counter() - t0) / n * 1e6)\n"
	"times.sort()\n"
	"print('us_per_sign=%.3f' % times[len(times) // 2])\n"
	"botocore.auth.get_current_datetime = lambda *a, **k: _dt.datetime(2024, 5, 1, 12, 0, 0)\n"
	"r = req()\n"
	"signer.add_auth(r)\n"
	"print('authorization=' + r.headers['Authorization'])\n";

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = 100000, rounds = 7;
	const char *python = getenv("BENCH_PYTHON") ? getenv("BENCH_PYTHON") : "python3";
	int opt;
	while ((opt = getopt(argc, argv, "n:r:p:")) != -1) {
		if (opt == 'n')
			n = atol(optarg);
		else if (opt == 'r')
			rounds = atol(optarg);
		else if (opt == 'p')
			python = optarg;
		else {
			fprintf(stderr, "usage: bench_sign [-n SIGNATURES] [-r ROUNDS] [-p PYTHON]\n");
			return 2;
		}
	}
	if (n < 1 || rounds < 1 || rounds > 99) {
		fprintf(stderr, "bench_sign: -n must be >= 1 and -r 1..99\n");
		return 2;
	}
	char clen[16];
	snprintf(clen, sizeof clen, "%zu", sizeof body - 1);
	rt_sigv4_header h[] = {
		{ "Host", 4, host, sizeof host - 1 },
		{ "Content-Type", 12, "application/x-amz-json-1.0", 26 },
		{ "X-Amz-Target", 12, "DynamoDB_20120810.PutItem", 25 },
	};
	rt_sigv4_request req = { .method = "POST", .path = "/", .path_len = 1, .headers = h,
		                 .nheaders = 3, .body = body, .body_len = sizeof body - 1 };
	rt_sigv4_params p = { .access_key_id = akid, .secret_access_key = secret,
		              .session_token = token, .region = "us-east-1", .service = "dynamodb",
		              .time = (int64_t)time(NULL), .flags = RT_SIGV4_DEFAULT };
	size_t cap = rt_sigv4_buffer_size(&req, &p);
	char *ws = malloc(cap);
	if (!ws)
		return 1;
	rt_sigv4_result res;
	rt_sigv4_key_cache cache = { 0 };
	double t[99], med[2];
	unsigned sink = 0;
	/* Pass 0: the key derived for every signature; pass 1: a worker's
	 * steady state, the key cached (every signature after the first of
	 * the day hits). */
	for (int pass = 0; pass < 2; pass++) {
		p.key_cache = pass ? &cache : NULL;
		for (long r = 0; r < rounds; r++) {
			double t0 = now_us();
			for (long i = 0; i < n; i++) {
				if (rt_sigv4_sign(&req, &p, ws, cap, &res) != 0) {
					fprintf(stderr, "bench_sign: signing failed\n");
					return 1;
				}
				sink += (unsigned char)res.signature[0];
			}
			t[r] = (now_us() - t0) / (double)n;
		}
		qsort(t, (size_t)rounds, sizeof t[0], cmp_double);
		med[pass] = t[rounds / 2];
	}
	double cold = med[0], ours = med[1];
	rt_sigv4_key_cache_wipe(&cache);
	p.key_cache = NULL;

	/* The pinned signature, to compare with botocore's. */
	p.time = PINNED_TIME;
	if (rt_sigv4_sign(&req, &p, ws, cap, &res) != 0)
		return 1;
	char auth[1024];
	snprintf(auth, sizeof auth, "%.*s", (int)res.add[res.nadd - 1].value_len,
	         res.add[res.nadd - 1].value);

	/* botocore is slower by orders of magnitude: fewer signatures per
	 * round keep its run short; the figure is per signature either way. */
	long pn = n / 50 > 200 ? n / 50 : 200;
	char script[] = "/tmp/bench_sign_XXXXXX.py";
	int fd = mkstemps(script, 3);
	if (fd < 0 || write(fd, py, sizeof py - 1) != (ssize_t)(sizeof py - 1)) {
		perror("bench_sign: script");
		return 1;
	}
	close(fd);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' '%s' %ld %ld '%s' '%s' '%s' '%s' '%s'", python, script, pn,
	         rounds, host, body, akid, secret, token);
	FILE *f = popen(cmd, "r");
	double theirs = -1;
	char their_auth[2048] = "";
	char line[2048];
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "us_per_sign=", 12) == 0)
			theirs = atof(line + 12);
		else if (strncmp(line, "authorization=", 14) == 0)
			snprintf(their_auth, sizeof their_auth, "%s", line + 14);
	}
	int prc = f ? pclose(f) : -1;
	unlink(script);
	free(ws);
	int same = strcmp(auth, their_auth) == 0;
	printf("signatures=%ld\nrounds=%ld\n", n, rounds);
	printf("sign_us_airlock=%.3f\nsign_us_airlock_no_key_cache=%.3f\n", ours, cold);
	if (prc != 0 || theirs <= 0) {
		printf("sign_us_botocore=unavailable\n");
		fprintf(stderr, "bench_sign: %s with botocore did not run (exit %d)\n", python, prc);
		return 1;
	}
	printf("sign_us_botocore=%.3f\nratio=%.1f\nratio_no_key_cache=%.1f\nsame_signature=%s\n",
	       theirs, theirs / ours, theirs / cold, same ? "yes" : "no");
	printf("# SigV4, DynamoDB PutItem with a session token, per signature: airlock %.2f us "
	       "(%.2f us deriving the key each time), botocore %.1f us: %.1fx (%.1fx); same "
	       "Authorization at a pinned time: %s\n",
	       ours, cold, theirs, theirs / ours, theirs / cold, same ? "yes" : "NO");
	if (!same)
		fprintf(stderr, "airlock:  %s\nbotocore: %s\n", auth, their_auth);
	(void)sink;
	return same ? 0 : 1;
}
