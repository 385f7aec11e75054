/*
 * bench_exec.c -- run a command N times and report its wall time and peak
 * resident set size, measured from outside the process.
 *
 *   bench_exec [-n RUNS] [-w WARMUP] [-v] -- COMMAND [ARG...]
 *
 * Each run is fork + execvp + wait4; the wall time is taken around the
 * whole of it (so it includes exec and the dynamic loader, as a user of the
 * command would see), the peak RSS is the child's ru_maxrss from wait4 (so
 * no dependency on /usr/bin/time).  Warm-up runs are executed first and not
 * counted: they bring the command's inputs into the page cache.
 *
 * Output, one key=value per line so that run.sh can parse it:
 *   runs, wall_ms_median/min/max, user_ms_median, sys_ms_median,
 *   maxrss_kib_median, maxrss_kib_max, and wall_ms_<i> per run.
 * The child's stdout and stderr go to /dev/null unless -v.  Exit status is
 * 0, or 1 when any run of the command failed (the figures would be
 * meaningless), or 2 on usage errors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of V[0..N), N >= 1 (sorts V). */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One run: returns 0 and fills the figures, or -1 when the command could
 * not run or exited with a non-zero status. */
static int run_once(char **argv, int verbose, double *wall, double *user,
                    double *sys, long *maxrss)
{
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench_exec: fork");
		return -1;
	}
	if (pid == 0) {
		if (!verbose) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		perror("bench_exec: exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("bench_exec: wait4");
		return -1;
	}
	*wall = now_ms() - t0;
	*user = tv_ms(ru.ru_utime);
	*sys = tv_ms(ru.ru_stime);
	*maxrss = ru.ru_maxrss; /* KiB on Linux */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_exec: %s: %s %d\n", argv[0],
		        WIFEXITED(status) ? "exit status" : "killed by signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fputs("usage: bench_exec [-n RUNS] [-w WARMUP] [-v] -- COMMAND [ARG...]\n",
	      stderr);
}

int main(int argc, char **argv)
{
	int runs = 5, warmup = 1, verbose = 0, i;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
			warmup = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
		} else {
			usage();
			return 2;
		}
	}
	if (i >= argc || runs < 1 || runs > MAX_RUNS || warmup < 0) {
		usage();
		return 2;
	}
	char **cmd = argv + i;

	static double wall[MAX_RUNS], user[MAX_RUNS], sys[MAX_RUNS], rss[MAX_RUNS];
	long rss_max = 0;
	for (int k = 0; k < warmup; k++) {
		double w, u, s;
		long r;
		if (run_once(cmd, verbose, &w, &u, &s, &r) != 0)
			return 1;
	}
	for (int k = 0; k < runs; k++) {
		long r;
		if (run_once(cmd, verbose, &wall[k], &user[k], &sys[k], &r) != 0)
			return 1;
		rss[k] = (double)r;
		if (r > rss_max)
			rss_max = r;
		printf("wall_ms_%d=%.1f\n", k, wall[k]);
	}
	printf("runs=%d\n", runs);
	printf("wall_ms_median=%.1f\n", median(wall, runs));
	printf("wall_ms_min=%.1f\n", wall[0]);          /* sorted by median() */
	printf("wall_ms_max=%.1f\n", wall[runs - 1]);
	printf("user_ms_median=%.1f\n", median(user, runs));
	printf("sys_ms_median=%.1f\n", median(sys, runs));
	printf("maxrss_kib_median=%.0f\n", median(rss, runs));
	printf("maxrss_kib_max=%ld\n", rss_max);
	return 0;
}
