/*
 * bench_exec_call.c -- airlock's own overhead per AWS call, and calls per
 * second against a loopback endpoint, beside boto3 making the same calls in
 * the same run (bench_exec_call.py).
 *
 *   bench_exec_call CATALOG [-n CALLS] [-r ROUNDS] [-l LOOPBACK_CALLS]
 *                   [-p PYTHON]
 *
 * CATALOG must hold dynamodb, sqs, cloudwatch-logs and s3.
 *
 * Overhead: rt_exec_call() whole -- input copy and validation, idempotency
 * tokens, endpoint rules, serialization, SigV4 (key cache warm, as in a
 * worker), then the parse of a canned answer -- with the transport hook
 * answering instead of the network.  boto3's figure is its client call
 * with a 'before-send' handler answering the same bytes: parameter
 * validation, serialization, endpoint rules, signing, hooks, parsing.
 * Medians of ROUNDS rounds of CALLS calls, in microseconds per call.
 *
 * Loopback: DynamoDB GetItem over HTTP/1.1 keep-alive to a server thread
 * of this process on 127.0.0.1 that answers every request with the same
 * canned bytes at once (so the client is what is measured): LOOPBACK_CALLS
 * calls by rt_exec_call, then by a boto3 client, in calls per second.
 *
 * Output: key=value lines (overhead_us_airlock_<case>, overhead_us_boto3_<case>,
 * ratio_<case>, calls_per_s_airlock, calls_per_s_boto3, ...), then a summary.
 * Exit 1 when a call fails or boto3 cannot run.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_exec.h"

typedef struct bcase {
	const char *name;
	const char *service;      /* catalog name */
	const char *boto;         /* boto3 client name */
	const char *operation;
	const char *input;
	const char *ctype;
	const char *body;
} bcase;

static const bcase cases[] = {
	{ "dynamodb_getitem", "dynamodb", "dynamodb", "GetItem",
	  "{\"TableName\":\"orders\",\"Key\":{\"pk\":{\"S\":\"customer#1042\"},"
	  "\"sk\":{\"S\":\"order#2024-05-01T12:00:00Z\"}},\"ConsistentRead\":true}",
	  "application/x-amz-json-1.0",
	  "{\"Item\":{\"pk\":{\"S\":\"customer#1042\"},\"sk\":{\"S\":\"order#2024-05-01T12:00:00Z\"},"
	  "\"total\":{\"N\":\"129.95\"},\"status\":{\"S\":\"PENDING\"},\"items\":{\"L\":"
	  "[{\"S\":\"sku-1\"},{\"S\":\"sku-2\"}]},\"paid\":{\"BOOL\":false},"
	  "\"note\":{\"B\":\"aGVsbG8gd29ybGQ=\"}}}" },
	{ "dynamodb_putitem", "dynamodb", "dynamodb", "PutItem",
	  "{\"TableName\":\"orders\",\"Item\":{\"pk\":{\"S\":\"customer#1042\"},"
	  "\"sk\":{\"S\":\"order#2024-05-01T12:00:00Z\"},\"total\":{\"N\":\"129.95\"},"
	  "\"status\":{\"S\":\"PENDING\"},\"items\":{\"L\":[{\"S\":\"sku-1\"},{\"S\":\"sku-2\"}]}},"
	  "\"ConditionExpression\":\"attribute_not_exists(pk)\"}",
	  "application/x-amz-json-1.0", "{}" },
	{ "sqs_sendmessage", "sqs", "sqs", "SendMessage",
	  "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/123456789012/orders\","
	  "\"MessageBody\":\"{\\\"order\\\":\\\"1042\\\",\\\"total\\\":129.95}\","
	  "\"MessageAttributes\":{\"kind\":{\"DataType\":\"String\",\"StringValue\":\"order\"}}}",
	  "application/x-amz-json-1.0",
	  "{\"MD5OfMessageBody\":\"51b0a325de5d4d7e1a4ad7d9f2f4f9e0\","
	  "\"MD5OfMessageAttributes\":\"a5ce4fa7fc8f0b2b5e7b1e1d1c6e3f9a\","
	  "\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\"}" },
	{ "logs_describeloggroups", "logs", "logs", "DescribeLogGroups",
	  "{\"logGroupNamePrefix\":\"/aws/lambda/\",\"limit\":5}", "application/x-amz-json-1.1",
	  "{\"logGroups\":["
	  "{\"logGroupName\":\"/aws/lambda/a\",\"creationTime\":1714564800000,\"retentionInDays\":14,"
	  "\"metricFilterCount\":0,\"arn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:*\","
	  "\"storedBytes\":1024},"
	  "{\"logGroupName\":\"/aws/lambda/b\",\"creationTime\":1714564800000,\"retentionInDays\":14,"
	  "\"metricFilterCount\":0,\"arn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/b:*\","
	  "\"storedBytes\":2048},"
	  "{\"logGroupName\":\"/aws/lambda/c\",\"creationTime\":1714564800000,\"retentionInDays\":30,"
	  "\"metricFilterCount\":1,\"arn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/c:*\","
	  "\"storedBytes\":4096}],\"nextToken\":\"abc\"}" },
	{ "s3_listobjectsv2", "s3", "s3", "ListObjectsV2",
	  "{\"Bucket\":\"bench-bucket\",\"Prefix\":\"logs/\",\"MaxKeys\":3}", "application/xml",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	  "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	  "<Name>bench-bucket</Name><Prefix>logs/</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>"
	  "<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr</NextContinuationToken>"
	  "<Contents><Key>logs/a.gz</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified>"
	  "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size>"
	  "<StorageClass>STANDARD</StorageClass></Contents>"
	  "<Contents><Key>logs/b.gz</Key><LastModified>2024-05-01T12:00:01.000Z</LastModified>"
	  "<ETag>&quot;9b2cf535f27731c974343645a3985329&quot;</ETag><Size>2048</Size>"
	  "<StorageClass>STANDARD</StorageClass></Contents>"
	  "<Contents><Key>logs/c.gz</Key><LastModified>2024-05-01T12:00:02.000Z</LastModified>"
	  "<ETag>&quot;9b2cf535f27731c974343645a3985330&quot;</ETag><Size>4096</Size>"
	  "<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>" },
};
#define NCASES (sizeof cases / sizeof cases[0])

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

/* ---- the canned transport -------------------------------------------- */

static const bcase *current;

static int canned(void *ud, const rt_http_request *req, rt_http_response *resp)
{
	(void)ud;
	(void)req;
	const bcase *c = current;
	char h[256];
	int hl = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
	                  "x-amzn-RequestId: bench\r\n\r\n", c->ctype);
	size_t bl = strlen(c->body);
	resp->status = 200;
	resp->headers = malloc((size_t)hl + 1);
	resp->body = malloc(bl + 1);
	if (!resp->headers || !resp->body)
		return AL_ENOMEM;
	memcpy(resp->headers, h, (size_t)hl + 1);
	resp->headers_len = (size_t)hl;
	memcpy(resp->body, c->body, bl + 1);
	resp->body_len = bl;
	return 0;
}

/* ---- the loopback server ---------------------------------------------- */

static char *reply;
static size_t reply_len;

static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[65536];
	size_t have = 0;
	for (;;) {
		char *end = NULL;
		while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
			if (have == sizeof buf)
				goto done;
			ssize_t n = read(fd, buf + have, sizeof buf - have);
			if (n <= 0)
				goto done;
			have += (size_t)n;
		}
		size_t hlen = (size_t)(end - buf) + 4, clen = 0;
		for (char *p = buf; p < end; p++)
			if ((p == buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
				clen = (size_t)atol(p + 15);
		if (hlen + clen > sizeof buf)
			goto done;
		while (have < hlen + clen) {
			ssize_t n = read(fd, buf + have, sizeof buf - have);
			if (n <= 0)
				goto done;
			have += (size_t)n;
		}
		size_t off = 0;
		while (off < reply_len) {
			ssize_t n = write(fd, reply + off, reply_len - off);
			if (n <= 0)
				goto done;
			off += (size_t)n;
		}
		memmove(buf, buf + hlen + clen, have - hlen - clen);
		have -= hlen + clen;
	}
done:
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	int ls = (int)(intptr_t)arg;
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pthread_t t;
		if (pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
	return NULL;
}

static int start_server(const bcase *c)
{
	char h[256];
	size_t bl = strlen(c->body);
	int hl = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
	                  "x-amzn-RequestId: bench\r\nContent-Length: %zu\r\n\r\n", c->ctype, bl);
	reply_len = (size_t)hl + bl;
	reply = malloc(reply_len);
	memcpy(reply, h, (size_t)hl);
	memcpy(reply + hl, c->body, bl);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 64) ||
	    getsockname(ls, (struct sockaddr *)&a, &al))
		return -1;
	pthread_t t;
	if (pthread_create(&t, NULL, serve, (void *)(intptr_t)ls))
		return -1;
	pthread_detach(t);
	return ntohs(a.sin_port);
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	long n = 20000, rounds = 5, loop_n = 5000;
	const char *python = getenv("BENCH_PYTHON") ? getenv("BENCH_PYTHON") : "python3";
	const char *catalog = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = atol(argv[++i]);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			rounds = atol(argv[++i]);
		else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			loop_n = atol(argv[++i]);
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			python = argv[++i];
		else if (!catalog)
			catalog = argv[i];
		else
			catalog = NULL, i = argc;
	}
	if (!catalog || n < 1 || rounds < 1 || rounds > 99 || loop_n < 1) {
		fprintf(stderr, "usage: bench_exec_call CATALOG [-n CALLS] [-r ROUNDS 1..99] "
		                "[-l LOOPBACK_CALLS] [-p PYTHON]\n");
		return 2;
	}
	static alc_catalog cat;
	alc_diag diag;
	if (alc_open(&cat, catalog, &diag)) {
		fprintf(stderr, "bench_exec_call: %s: %s\n", catalog, diag.msg);
		return 1;
	}
	int port = start_server(&cases[0]);
	if (port < 0) {
		perror("bench_exec_call: server");
		return 1;
	}
	char endpoint[64];
	snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
	rt_creds creds;
	memset(&creds, 0, sizeof creds);
	snprintf(creds.access_key_id, sizeof creds.access_key_id, "AKIDBENCHEXAMPLE");
	snprintf(creds.secret_access_key, sizeof creds.secret_access_key, "bench-secret-key");
	creds.source = "bench";
	/* the same configuration as boto3's: region, endpoint URL, static keys */
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	rt_exec_options o = { .region = "us-east-1", .endpoint_url = endpoint, .creds = &creds,
		              .transport = canned };
	rt_exec *x;
	char err[512];
	if (rt_exec_new(&x, &cat, &o, err, sizeof err)) {
		fprintf(stderr, "bench_exec_call: %s\n", err);
		return 1;
	}
	double ours[NCASES];
	cJSON *inputs[NCASES];
	for (size_t k = 0; k < NCASES; k++) {
		const bcase *c = &cases[k];
		current = c;
		const alc_operation *op = alc_find_operation(&cat, c->service, strlen(c->service),
		                                             c->operation, strlen(c->operation));
		inputs[k] = cJSON_Parse(c->input);
		if (!op || !inputs[k]) {
			fprintf(stderr, "bench_exec_call: %s.%s: not in the catalog\n", c->service,
			        c->operation);
			return 1;
		}
		rt_exec_result r;
		rt_exec_result_init(&r);
		if (rt_exec_call(x, op, inputs[k], NULL, &r)) {
			fprintf(stderr, "bench_exec_call: %s: %s: %s\n", c->name, r.error.code,
			        r.error.message);
			return 1;
		}
		rt_exec_result_free(&r);
		double t[99];
		for (long rd = 0; rd < rounds; rd++) {
			double t0 = now_us();
			for (long i = 0; i < n; i++) {
				if (rt_exec_call(x, op, inputs[k], NULL, &r)) {
					fprintf(stderr, "bench_exec_call: %s failed\n", c->name);
					return 1;
				}
				rt_exec_result_free(&r);
			}
			t[rd] = (now_us() - t0) / (double)n;
		}
		qsort(t, (size_t)rounds, sizeof t[0], cmp_double);
		ours[k] = t[rounds / 2];
	}
	rt_exec_free(x);

	/* loopback: real HTTP */
	o.transport = NULL;
	if (rt_exec_new(&x, &cat, &o, err, sizeof err))
		return 1;
	const alc_operation *gop = alc_find_operation(&cat, "dynamodb", 8, "GetItem", 7);
	rt_exec_result r;
	rt_exec_result_init(&r);
	if (rt_exec_call(x, gop, inputs[0], NULL, &r)) {
		fprintf(stderr, "bench_exec_call: loopback: %s: %s\n", r.error.code, r.error.message);
		return 1;
	}
	rt_exec_result_free(&r);
	double t0 = now_us();
	for (long i = 0; i < loop_n; i++) {
		if (rt_exec_call(x, gop, inputs[0], NULL, &r)) {
			fprintf(stderr, "bench_exec_call: loopback call failed: %s\n", r.error.message);
			return 1;
		}
		rt_exec_result_free(&r);
	}
	double cps = (double)loop_n / ((now_us() - t0) / 1e6);
	rt_exec_free(x);

	/* boto3, same run */
	cJSON *spec = cJSON_CreateArray();
	for (size_t k = 0; k < NCASES; k++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", cases[k].name);
		cJSON_AddStringToObject(c, "service", cases[k].boto);
		cJSON_AddStringToObject(c, "operation", cases[k].operation);
		cJSON_AddItemToObject(c, "input", cJSON_Duplicate(inputs[k], 1));
		cJSON_AddNumberToObject(c, "status", 200);
		cJSON *h = cJSON_AddObjectToObject(c, "headers");
		cJSON_AddStringToObject(h, "Content-Type", cases[k].ctype);
		cJSON_AddStringToObject(h, "x-amzn-RequestId", "bench");
		cJSON_AddStringToObject(c, "body", cases[k].body);
		cJSON_AddItemToArray(spec, c);
	}
	char *spec_text = cJSON_PrintUnformatted(spec);
	char specf[] = "/tmp/bench_exec_call_XXXXXX";
	int fd = mkstemp(specf);
	if (fd < 0 || write(fd, spec_text, strlen(spec_text)) != (ssize_t)strlen(spec_text)) {
		perror("bench_exec_call: spec");
		return 1;
	}
	close(fd);
	/* the script beside this source file, or BENCH_EXEC_PY */
	const char *script = getenv("BENCH_EXEC_PY") ? getenv("BENCH_EXEC_PY")
	                                             : AIRLOCK_BENCH_DIR "/bench_exec_call.py";
	long pn = n / 20 > 200 ? n / 20 : 200, pl = loop_n / 5 > 200 ? loop_n / 5 : 200;
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' '%s' %d %ld %ld %ld < '%s'", python, script, port, pn,
	         rounds, pl, specf);
	FILE *f = popen(cmd, "r");
	double theirs[NCASES], their_cps = -1;
	for (size_t k = 0; k < NCASES; k++)
		theirs[k] = -1;
	char line[512];
	while (f && fgets(line, sizeof line, f)) {
		char name[128];
		double v;
		if (sscanf(line, "%127s %lf", name, &v) != 2)
			continue;
		if (strcmp(name, "loopback") == 0)
			their_cps = v;
		for (size_t k = 0; k < NCASES; k++)
			if (strcmp(name, cases[k].name) == 0)
				theirs[k] = v;
	}
	int prc = f ? pclose(f) : -1;
	unlink(specf);
	free(spec_text);
	cJSON_Delete(spec);

	printf("calls=%ld\nrounds=%ld\nloopback_calls=%ld\n", n, rounds, loop_n);
	int ok = prc == 0 && their_cps > 0;
	double gsum = 0, gsum_b = 0;
	for (size_t k = 0; k < NCASES; k++) {
		printf("overhead_us_airlock_%s=%.2f\n", cases[k].name, ours[k]);
		if (theirs[k] > 0) {
			printf("overhead_us_boto3_%s=%.1f\nratio_%s=%.1f\n", cases[k].name, theirs[k],
			       cases[k].name, theirs[k] / ours[k]);
			gsum += ours[k];
			gsum_b += theirs[k];
		} else {
			ok = 0;
		}
	}
	printf("calls_per_s_airlock=%.0f\n", cps);
	if (!ok) {
		fprintf(stderr, "bench_exec_call: %s with boto3 did not run (exit %d)\n", python, prc);
		return 1;
	}
	printf("calls_per_s_boto3=%.0f\nratio_calls_per_s=%.1f\n", their_cps, cps / their_cps);
	printf("# per call, own work (build + sign + parse, no network), mean of the %zu cases: "
	       "airlock %.1f us, boto3 %.0f us: %.1fx less (target >= 10x); loopback DynamoDB "
	       "GetItem: airlock %.0f calls/s, boto3 %.0f calls/s: %.1fx\n",
	       NCASES, gsum / NCASES, gsum_b / NCASES, gsum_b / gsum, cps, their_cps,
	       cps / their_cps);
	for (size_t k = 0; k < NCASES; k++)
		cJSON_Delete(inputs[k]);
	alc_close(&cat);
	return 0;
}
