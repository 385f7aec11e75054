/*
 * bench_validate -- time of rt_validate() per call on realistic inputs
 * (bench_validate_inputs.json: ec2 RunInstances, cloudformation
 * CreateStack), with and without parsing the JSON text.
 *
 *   bench_validate CATALOG INPUTS.json [--json]
 *
 * For each input: the first call (patterns compiled, indexes built), then
 * the best (and the median) of 7 rounds of ~0.2 s each of
 *   validate        rt_validate() on the parsed input
 *   parse+validate  cJSON_Parse() + rt_validate() + cJSON_Delete()
 *   parse           cJSON_Parse() + cJSON_Delete() alone
 *   arena           parse+validate with cJSON's allocations served by a
 *                   bump allocator (cJSON_InitHooks), reset per call: what
 *                   the parse would cost without malloc/free per node
 * in nanoseconds per call.  The best round is the figure compared (as
 * Python's timeit advises: other load only ever adds time); the median is
 * printed beside it.  --json prints one JSON object per input (what
 * bench_validate_botocore.py reads to compute the ratios).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alc_err.h"
#include "rt_schema.h"

#define ROUNDS 7

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;
static rt_violation viol[16];

enum { M_VALIDATE, M_PARSE_VALIDATE, M_PARSE, M_ARENA };

/* A bump allocator for cJSON (M_ARENA only): free does nothing, the arena
 * is reset before each parse. */
static _Alignas(16) unsigned char arena[1 << 20];
static size_t arena_used;

static void *arena_malloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (arena_used + n > sizeof arena)
		return NULL;
	void *p = arena + arena_used;
	arena_used += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p;
}

static void run(int mode, const alc_catalog *cat, const alc_operation *op,
                const cJSON *parsed, const char *text, long n)
{
	for (long i = 0; i < n; i++) {
		if (mode == M_VALIDATE) {
			sink += rt_validate(cat, op, parsed, viol, 16);
		} else if (mode == M_ARENA) {
			arena_used = 0;
			cJSON *in = cJSON_Parse(text);
			sink += rt_validate(cat, op, in, viol, 16);
		} else {
			cJSON *in = cJSON_Parse(text);
			if (mode == M_PARSE_VALIDATE)
				sink += rt_validate(cat, op, in, viol, 16);
			else
				sink += in != NULL;
			cJSON_Delete(in);
		}
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

typedef struct timing { double best, median; } timing;

/* ns per call over ROUNDS rounds of about 0.2 s. */
static timing measure(int mode, const alc_catalog *cat, const alc_operation *op,
                      const cJSON *parsed, const char *text)
{
	long n = 16;
	for (;;) {
		double t0 = now_ns();
		run(mode, cat, op, parsed, text, n);
		double dt = now_ns() - t0;
		if (dt > 2e7)
			break;
		n *= 2;
	}
	n *= 10;  /* ~0.2 s */
	double r[ROUNDS];
	for (int k = 0; k < ROUNDS; k++) {
		double t0 = now_ns();
		run(mode, cat, op, parsed, text, n);
		r[k] = (now_ns() - t0) / (double)n;
	}
	qsort(r, ROUNDS, sizeof r[0], cmp_d);
	return (timing){ r[0], r[ROUNDS / 2] };
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_validate CATALOG INPUTS.json [--json]\n");
		return 2;
	}
	int as_json = argc > 3 && strcmp(argv[3], "--json") == 0;
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc) {
		fprintf(stderr, "bench_validate: %s: %s: %s\n", argv[1], al_strerror(rc), diag.msg);
		return 1;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	static char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	cJSON *all = cJSON_Parse(buf);
	if (!cJSON_IsArray(all)) {
		fprintf(stderr, "bench_validate: %s: not a JSON array\n", argv[2]);
		return 1;
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, all) {
		const char *svc = cJSON_GetStringValue(cJSON_GetObjectItem(c, "service"));
		const char *opn = cJSON_GetStringValue(cJSON_GetObjectItem(c, "operation"));
		const cJSON *input = cJSON_GetObjectItem(c, "input");
		const alc_operation *op = svc && opn ? alc_find_operation(&cat, svc, strlen(svc),
		                                                          opn, strlen(opn)) : NULL;
		if (!op || !input) {
			fprintf(stderr, "bench_validate: bad entry %s:%s\n", svc ? svc : "?", opn ? opn : "?");
			return 1;
		}
		char *text = cJSON_PrintUnformatted(input);
		double t0 = now_ns();
		size_t nv = rt_validate(&cat, op, input, viol, 16);
		double first = now_ns() - t0;
		if (nv) {
			fprintf(stderr, "bench_validate: %s:%s input is not valid: %s\n", svc, opn,
			        viol[0].message);
			return 1;
		}
		timing v = measure(M_VALIDATE, &cat, op, input, text);
		timing pv = measure(M_PARSE_VALIDATE, &cat, op, input, text);
		timing p = measure(M_PARSE, &cat, op, input, text);
		cJSON_Hooks hooks = { arena_malloc, arena_free };
		cJSON_InitHooks(&hooks);
		timing pa = measure(M_ARENA, &cat, op, input, text);
		cJSON_InitHooks(NULL);
		if (as_json)
			printf("{\"op\":\"%s:%s\",\"bytes\":%zu,\"first_ns\":%.0f,"
			       "\"validate_ns\":%.1f,\"parse_validate_ns\":%.1f,\"parse_ns\":%.1f,"
			       "\"validate_median_ns\":%.1f,\"parse_validate_median_ns\":%.1f,"
			       "\"arena_parse_validate_ns\":%.1f}\n",
			       svc, opn, strlen(text), first, v.best, pv.best, p.best,
			       v.median, pv.median, pa.best);
		else
			printf("%-14s %4zu bytes  validate %5.0f ns (median %5.0f)  "
			       "parse+validate %5.0f ns (median %5.0f)  parse alone %5.0f ns  "
			       "arena parse+validate %5.0f ns  first call %.0f us\n",
			       opn, strlen(text), v.best, v.median, pv.best, pv.median, p.best,
			       pa.best, first / 1e3);
		cJSON_free(text);
	}
	cJSON_Delete(all);
	alc_close(&cat);
	return 0;
}
