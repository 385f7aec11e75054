/*
 * bench_plans.c -- plans and the audit log, with durable commits
 * (runtime/rt_plan.c, rt_audit.c, rt_store.c).
 *
 *   bench_plans [-n PLANS] [-a RECORDS] [-d DIR] CATALOG.alc
 *               [SERVICE OPERATION INPUT_JSON]
 *
 * Prints key=value lines:
 *   plan_us_p50/p90/p99/max   rt_plans_create per call: resolve, validate,
 *                             decide, fill tokens, canonical form, SHA-256,
 *                             redaction, and one durable LMDB transaction
 *                             (the plan, its index entry, two audit records)
 *   commit_us_p50/p99         an empty-ish durable transaction (one small
 *                             put): the fsync floor under the figures above
 *   audit_append_rps          audit records per second, one durable
 *                             transaction per record (how events arrive)
 *   audit_append_batch_rps    the same, 100 records per transaction (the
 *                             append itself: chain check, SHA-256, puts)
 *   audit_verify_rps          records per second walked by rt_audit_verify
 * The call planned is SERVICE OPERATION INPUT_JSON when given, else
 * cloudformation CreateStack with a realistic input when the catalog has
 * it, else gadgets CreateGadget (tests/plans).  The state goes to DIR
 * (default: a new directory under $TMPDIR, /tmp), removed afterwards; its
 * file system decides what a durable commit costs (printed as fs=...).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_audit.h"
#include "rt_plan.h"
#include "rt_store.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void report(const char *name, double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_d);
	printf("%s_us_p50=%.1f\n%s_us_p90=%.1f\n%s_us_p99=%.1f\n%s_us_max=%.1f\n", name,
	       pct(v, n, 0.5), name, pct(v, n, 0.9), name, pct(v, n, 0.99), name, v[n - 1]);
}

typedef struct append_ctx {
	cJSON *payload;
	int per_txn;
	rt_id tx, plan;
} append_ctx;

static int append_txn(rt_txn *t, void *vc)
{
	append_ctx *a = vc;
	for (int i = 0; i < a->per_txn; i++) {
		int rc = rt_audit_append(t, RT_AK_APPROVAL_GRANT, &a->tx, &a->plan, a->payload, NULL,
		                         NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static int small_txn(rt_txn *t, void *vc)
{
	(void)vc;
	return rt_store_put(t, RT_DB_META, "bench", 5, "x", 1, 0);
}

static const char *fs_name(const char *dir)
{
	struct statfs s;
	if (statfs(dir, &s) != 0)
		return "unknown";
	switch ((unsigned long)s.f_type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794c7630: return "overlayfs";
	default: return "other";
	}
}

int main(int argc, char **argv)
{
	int plans = 500, records = 2000;
	const char *dir = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "n:a:d:")) != -1) {
		if (opt == 'n')
			plans = atoi(optarg);
		else if (opt == 'a')
			records = atoi(optarg);
		else if (opt == 'd')
			dir = optarg;
		else
			return 2;
	}
	if (optind >= argc || plans < 1 || records < 100) {
		fprintf(stderr, "usage: bench_plans [-n PLANS] [-a RECORDS] [-d DIR] CATALOG.alc "
		        "[SERVICE OPERATION INPUT_JSON]\n");
		return 2;
	}
	alc_catalog cat;
	alc_diag diag;
	if (alc_open(&cat, argv[optind], &diag) != 0) {
		fprintf(stderr, "bench_plans: %s: %s\n", argv[optind], diag.msg);
		return 1;
	}
	const char *svc = "gadgets", *op = "CreateGadget";
	const char *input = "{\"Name\":\"bench\",\"Password\":\"pw-123456\","
	                    "\"Config\":{\"Color\":\"red\",\"ApiKey\":\"k\"},\"Labels\":{\"team\":\"x\"}}";
	if (optind + 3 < argc) {
		svc = argv[optind + 1];
		op = argv[optind + 2];
		input = argv[optind + 3];
	} else if (alc_find_operation(&cat, "cloudformation", 14, "CreateStack", 11)) {
		svc = "cloudformation";
		op = "CreateStack";
		input = "{\"StackName\":\"bench-stack\",\"TemplateURL\":\"https://s3.amazonaws.com/"
		        "bench-bucket/template.json\",\"Parameters\":[{\"ParameterKey\":\"Env\","
		        "\"ParameterValue\":\"dev\"},{\"ParameterKey\":\"Size\",\"ParameterValue\":"
		        "\"small\"}],\"Capabilities\":[\"CAPABILITY_IAM\"],\"Tags\":[{\"Key\":\"Owner\","
		        "\"Value\":\"platform\"},{\"Key\":\"CostCenter\",\"Value\":\"1234\"}],"
		        "\"TimeoutInMinutes\":30}";
	}
	cJSON *in = cJSON_Parse(input);
	if (!in) {
		fprintf(stderr, "bench_plans: INPUT_JSON does not parse\n");
		return 2;
	}
	char home[512];
	const char *tmp = getenv("TMPDIR");
	snprintf(home, sizeof home, "%s/bench-plans.XXXXXX", dir ? dir : tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(home)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	rt_plans *p;
	char err[512];
	rt_plans_config cfg = { &cat, NULL, home, "cli" };
	if (rt_plans_open(&p, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "bench_plans: %s\n", err);
		return 1;
	}
	rt_store *s = rt_plans_store(p);
	printf("fs=%s\ncall=%s:%s\n", fs_name(home), svc, op);

	/* plan latency (the first plan opens the policy: warm up once) */
	double *lat = malloc((size_t)(plans > 1000 ? plans : 1000) * sizeof *lat);
	rt_plan_request rq = { svc, op, in, "us-east-1", "dev", NULL, 0, NULL, NULL };
	rt_id tx;
	rt_plan_out o;
	memset(&o, 0, sizeof o);
	rt_id_new(&tx, rt_now_ms());
	if (rt_plans_create(p, &rq, &tx, &o) != 0 || o.error) {
		fprintf(stderr, "bench_plans: the plan failed: %s\n", o.error ? o.error : "?");
		return 1;
	}
	printf("state=%s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o.result, "state")));
	rt_plan_out_free(&o);
	for (int i = 0; i < plans; i++) {
		rt_id_new(&tx, rt_now_ms());
		double t0 = now_us();
		int rc = rt_plans_create(p, &rq, &tx, &o);
		lat[i] = now_us() - t0;
		if (rc || o.error) {
			fprintf(stderr, "bench_plans: plan %d: %s\n", i, o.error ? o.error : al_strerror(rc));
			return 1;
		}
		rt_plan_out_free(&o);
	}
	printf("plans=%d\n", plans);
	report("plan", lat, (size_t)plans);

	/* the durable-commit floor */
	for (int i = 0; i < 1000 && i < plans; i++) {
		double t0 = now_us();
		rt_store_update(s, small_txn, NULL);
		lat[i] = now_us() - t0;
	}
	qsort(lat, (size_t)(plans < 1000 ? plans : 1000), sizeof *lat, cmp_d);
	size_t nc = (size_t)(plans < 1000 ? plans : 1000);
	printf("commit_us_p50=%.1f\ncommit_us_p99=%.1f\n", pct(lat, nc, 0.5), pct(lat, nc, 0.99));

	/* audit appends: a grant-sized payload */
	append_ctx a;
	a.payload = cJSON_Parse("{\"osUser\":\"alice\",\"uid\":1000,\"name\":\"Alice Example\","
	                        "\"comment\":\"checked the stack parameters\",\"at\":"
	                        "\"2026-07-28T10:00:00.000Z\",\"channel\":\"cli\",\"digest\":"
	                        "\"55312fb7dbc74b83e3dd77c32d401dc509202014ecef6a8dbfdfe5626f7f409f\","
	                        "\"grants\":1,\"needed\":1,\"state\":\"Approved\"}");
	rt_id_new(&a.tx, rt_now_ms());
	rt_id_new(&a.plan, rt_now_ms());
	a.per_txn = 1;
	double t0 = now_us();
	for (int i = 0; i < records; i++)
		if (rt_store_update(s, append_txn, &a) != 0) {
			fprintf(stderr, "bench_plans: append: %s\n", rt_store_errmsg(s));
			return 1;
		}
	double secs = (now_us() - t0) / 1e6;
	printf("audit_append_rps=%.0f\n", (double)records / secs);
	a.per_txn = 100;
	t0 = now_us();
	for (int i = 0; i < records / 100; i++)
		rt_store_update(s, append_txn, &a);
	secs = (now_us() - t0) / 1e6;
	printf("audit_append_batch_rps=%.0f\n", (double)(records / 100 * 100) / secs);

	rt_audit_report r;
	t0 = now_us();
	rt_audit_verify(s, &r);
	secs = (now_us() - t0) / 1e6;
	printf("audit_records=%llu\naudit_intact=%d\naudit_verify_rps=%.0f\n",
	       (unsigned long long)r.records, r.intact, (double)r.records / secs);

	rt_plans_close(p);
	cJSON_Delete(a.payload);
	cJSON_Delete(in);
	free(lat);
	alc_close(&cat);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : 1;
}
