/*
 * bench_search -- rt_search on the full catalog: index build time and
 * query latency over the search intents.
 *
 *   bench_search CATALOG INTENTS.tsv [INTENTS2.tsv ...] [--rounds N]
 *
 * Prints the build time (median of 9 fresh handles; the first search of a
 * process pays it once, see rt_search.h), the index footprint, and the
 * latency of one rt_search_run (limit 10) over every intent query, each run
 * --rounds times (default 200) in interleaved order: p50, p99, max, against
 * the target p99 <= 200 us.  Exit status 1 when the catalog or intents
 * cannot be read; timings never fail the run (bench/run.sh judges them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "rt_search.h"

#define MAX_QUERIES 4096
#define BUILD_RUNS 9

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The 1-minute load average, to judge wall-clock figures on a busy host. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static char *queries[MAX_QUERIES];
static size_t nqueries;

static int load_intents(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_search: %s: cannot open\n", path);
		return -1;
	}
	char line[1024];
	while (fgets(line, sizeof line, f) && nqueries < MAX_QUERIES) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\t\r\n")] = '\0';
		if (line[0] && !(queries[nqueries++] = strdup(line))) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 200;
	if (argc < 3) {
		fprintf(stderr, "usage: %s CATALOG INTENTS.tsv... [--rounds N]\n",
		        argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1)
				rounds = 1;
		} else if (load_intents(argv[i]) != 0) {
			return 1;
		}
	}
	if (nqueries == 0) {
		fprintf(stderr, "bench_search: no queries\n");
		return 1;
	}
	alc_catalog cat;
	alc_diag diag;
	int rc = alc_open(&cat, argv[1], &diag);
	if (rc != 0) {
		fprintf(stderr, "bench_search: %s: %s: %s\n", argv[1],
		        al_strerror(rc), diag.msg);
		return 1;
	}

	/* build: fresh handles; the first also times the lazy first query */
	double build[BUILD_RUNS], build_cpu[BUILD_RUNS], first_query = 0;
	double open_ns = 0, load_before = loadavg();
	size_t footprint = 0;
	rt_search *s = NULL;
	for (int r = 0; r < BUILD_RUNS; r++) {
		double t0 = now_ns();
		if (rt_search_open(&s, &cat) != 0) {
			fprintf(stderr, "bench_search: out of memory\n");
			return 1;
		}
		double t1 = now_ns(), c1 = cpu_ns();
		if (r == 0) {
			rt_search_hit h[10];
			rt_search_query q = { queries[0], strlen(queries[0]), NULL,
			                      RT_ACCESS_ANY };
			rt_search_run(s, &q, h, 10);
			first_query = now_ns() - t1;
			build[r] = first_query;
		} else if (rt_search_build(s) != 0) {
			fprintf(stderr, "bench_search: out of memory\n");
			return 1;
		} else {
			build[r] = now_ns() - t1;
		}
		build_cpu[r] = cpu_ns() - c1;
		open_ns = t1 - t0;
		footprint = rt_search_footprint(s);
		if (r + 1 < BUILD_RUNS)
			rt_search_close(s);
	}
	qsort(build, BUILD_RUNS, sizeof build[0], cmp_double);
	qsort(build_cpu, BUILD_RUNS, sizeof build_cpu[0], cmp_double);

	/* queries: interleaved rounds so caches see a realistic mix */
	size_t total = nqueries * (size_t)rounds;
	double *lat = malloc(total * sizeof *lat);
	if (!lat)
		return 1;
	size_t k = 0, hits = 0;
	rt_search_hit h[10];
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < nqueries; i++) {
			rt_search_query q = { queries[i], strlen(queries[i]), NULL,
			                      RT_ACCESS_ANY };
			double t0 = now_ns();
			hits += rt_search_run(s, &q, h, 10);
			lat[k++] = now_ns() - t0;
		}
	qsort(lat, total, sizeof *lat, cmp_double);
	double p50 = lat[total / 2], p99 = lat[(size_t)((double)total * 0.99)];
	double mx = lat[total - 1];

	printf("search: catalog %u services, %u operations\n", cat.nsvcs,
	       cat.nops);
	printf("search: rt_search_open            %8.1f us (lazy: no index yet)\n",
	       open_ns / 1e3);
	printf("search: index build (median of %d) %7.2f ms wall, %.2f ms CPU  "
	       "(budget 30 ms)\n", BUILD_RUNS, build[BUILD_RUNS / 2] / 1e6,
	       build_cpu[BUILD_RUNS / 2] / 1e6);
	printf("search: first query incl. build   %8.2f ms\n", first_query / 1e6);
	printf("search: index footprint           %8.2f MiB\n",
	       (double)footprint / (1024.0 * 1024.0));
	printf("search: %zu queries x %d rounds: p50 %.1f us, p99 %.1f us, "
	       "max %.1f us  (target p99 <= 200 us) %s\n",
	       nqueries, rounds, p50 / 1e3, p99 / 1e3, mx / 1e3,
	       p99 <= 200e3 ? "ok" : "MISSED");
	printf("search: (hits returned: %zu; load average %.2f before, %.2f "
	       "after)\n", hits, load_before, loadavg());
	free(lat);
	rt_search_close(s);
	alc_close(&cat);
	for (size_t i = 0; i < nqueries; i++)
		free(queries[i]);
	return 0;
}
