/*
 * bench_cjson.c -- the floor for `airlock-compile build`: how long cJSON
 * alone takes to parse (and free) the same model files.
 *
 *   bench_cjson [-n RUNS] DIR [DIR...]
 *
 * The files are found exactly as the compiler finds them (cc_find_models,
 * both layouts of aws/api-models-aws) and read into memory before any
 * timing, so the figure is parse + free only: no I/O, one thread, cJSON
 * with its default allocator (malloc).  One untimed pass comes first to
 * warm the allocator.  Output is key=value lines (see run.sh): files,
 * bytes, parse_ms_median/min/max, parse_cpu_ms_median (process CPU time,
 * robust to a busy machine) and mb_per_s at the median.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cc_build.h"

#define MAX_RUNS 100

typedef struct blob {
	char *p;
	size_t len;
} blob;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double cpu_ms(void)   /* process CPU time: see bench_catalog.c */
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double median(double *v, int n)    /* sorts V */
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int read_file(const char *path, blob *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0) {
		fclose(f);
		return -1;
	}
	long n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	b->len = (size_t)n;
	b->p = malloc(b->len + 1);
	if (!b->p || fread(b->p, 1, b->len, f) != b->len) {
		free(b->p);
		fclose(f);
		return -1;
	}
	b->p[b->len] = '\0';
	fclose(f);
	return 0;
}

/* Parse and free every file once; returns the number that failed. */
static size_t parse_all(const blob *v, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {         /* bound: n files */
		cJSON *root = cJSON_ParseWithLength(v[i].p, v[i].len);
		if (!root)
			bad++;
		cJSON_Delete(root);
	}
	return bad;
}

int main(int argc, char **argv)
{
	int runs = 5, i = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		runs = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc || runs < 1 || runs > MAX_RUNS) {
		fputs("usage: bench_cjson [-n RUNS] DIR [DIR...]\n", stderr);
		return 2;
	}
	char **paths = NULL, **rels = NULL;
	size_t n = 0;
	for (; i < argc; i++) {
		if (cc_find_models(argv[i], &paths, &rels, &n) != 0) {
			fprintf(stderr, "bench_cjson: %s: no such models directory\n",
			        argv[i]);
			return 1;
		}
	}
	if (n == 0) {
		fputs("bench_cjson: no model files found\n", stderr);
		return 1;
	}
	blob *v = calloc(n, sizeof *v);
	size_t bytes = 0;
	if (!v)
		return 1;
	for (size_t k = 0; k < n; k++) {
		if (read_file(paths[k], &v[k]) != 0) {
			fprintf(stderr, "bench_cjson: %s: cannot read\n", paths[k]);
			return 1;
		}
		bytes += v[k].len;
	}

	size_t bad = parse_all(v, n); /* warm-up, and the validity check */
	if (bad) {
		fprintf(stderr, "bench_cjson: %zu files do not parse\n", bad);
		return 1;
	}
	double t[MAX_RUNS], u[MAX_RUNS];
	for (int r = 0; r < runs; r++) {
		double t0 = now_ms(), u0 = cpu_ms();
		parse_all(v, n);
		t[r] = now_ms() - t0;
		u[r] = cpu_ms() - u0;
		printf("parse_ms_%d=%.1f\n", r, t[r]);
	}
	double med = median(t, runs);          /* t is sorted from here on */
	printf("files=%zu\n", n);
	printf("bytes=%zu\n", bytes);
	printf("runs=%d\n", runs);
	printf("parse_ms_median=%.1f\n", med);
	printf("parse_ms_min=%.1f\n", t[0]);
	printf("parse_ms_max=%.1f\n", t[runs - 1]);
	printf("parse_cpu_ms_median=%.1f\n", median(u, runs));
	printf("mb_per_s=%.0f\n", (double)bytes / 1e6 / (med / 1e3));

	for (size_t k = 0; k < n; k++) {
		free(v[k].p);
		free(paths[k]);
		free(rels[k]);
	}
	free(v);
	free(paths);
	free(rels);
	return 0;
}
