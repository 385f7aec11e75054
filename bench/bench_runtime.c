/*
 * bench_runtime.c -- the airlock runtime as an MCP client sees it:
 * whole-process cold start to the first tools/list reply, and the peak
 * resident set of a serve session.
 *
 *   bench_runtime [-n RUNS] [-w WARMUP] [-s SESSIONS] [-i INPUTS.json] [-F]
 *                 AIRLOCK CATALOG
 *
 * Cold start (RUNS runs, default 51, after WARMUP unmeasured ones, default
 * 3): the clock starts before posix_spawn of `AIRLOCK serve --catalog
 * CATALOG`; the client writes initialize, notifications/initialized and
 * tools/list in one write as soon as the pipe exists, and the clock stops
 * when the read that completes the tools/list reply returns.  The figure
 * includes exec, the dynamic loader, opening and validating the catalog and
 * both replies: what a client waits for before it can call a tool.  The
 * server checks a catalog file it has not verified before whole, before it
 * answers; one it has (a verification stamp, runtime/rt_stamp.h) it serves
 * at once while the checks run again on a thread.  The runs after the
 * warm-up measure the second case; with -F every run is a first start (the
 * stamps live in a scratch AIRLOCK_CACHE emptied before each run).
 *
 * Session (SESSIONS runs, default 3): a client that waits for each reply
 * before the next request: initialize, initialized, tools/list, 250 ms of
 * quiet (a model reading the tools; the server builds its search index when
 * idle for 50 ms), then one call of every tool -- search_operations,
 * describe_operation of ec2 RunInstances and of cloudformation CreateStack,
 * validate_input of each input in INPUTS.json (default: the realistic
 * inputs of bench_validate_inputs.json, which bench_validate times).  Every
 * reply is checked (no error, no isError, the three tools listed).  Before stdin
 * is closed the server's VmHWM is read from /proc/PID/status: the peak
 * resident set of the serving process itself.  ru_maxrss from wait4 is
 * printed beside it for reference; it can be higher, because Linux carries
 * the high-water mark of the image replaced by exec (here this bench's,
 * vfork-shared by posix_spawn) into it.
 *
 * Output: key=value lines (bench/run_runtime.sh parses them):
 *   cold_runs, cold_ms_median/min/p90/max, cold_ms_<i>, cold_cpu_ms_median
 *   (the server's user + system time: what waiting for a busy CPU does
 *   not inflate);
 *   session_runs, session_hwm_kib_median/max, session_rss_end_kib,
 *   session_maxrss_kib, session_calls, call_ms.<request> (last session,
 *   client-side round trip of each request).
 * Exit status 0; 1 when the server could not run or a reply was wrong (the
 * figures would be meaningless); 2 on usage errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

extern char **environ;

#define MAX_RUNS 1000
#define IDLE_PAUSE_MS 250

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

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench_runtime: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- a server process ------------------------------------------------- */

typedef struct server {
	pid_t pid;
	int in, out;             /* its stdin (we write), its stdout (we read) */
	char *buf;               /* bytes read and not yet consumed */
	size_t len, cap;
} server;

static void spawn_server(server *sv, const char *airlock, const char *catalog)
{
	int to[2], from[2];
	if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = { (char *)airlock, "serve", "--catalog", (char *)catalog, NULL };
	int rc = posix_spawn(&sv->pid, airlock, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		die("%s: %s", airlock, strerror(rc));
	close(to[0]);
	close(from[1]);
	sv->in = to[1];
	sv->out = from[0];
	sv->len = 0;
}

static void send_text(server *sv, const char *text)
{
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(sv->in, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("writing to the server: %s", strerror(errno));
		off += (size_t)w;
	}
}

/* The next message the server writes (a malloc'd line without its
 * newline), or NULL at end of output.  *T is the time the read that
 * completed it returned. */
static char *read_line(server *sv, double *t)
{
	for (;;) {
		char *nl = sv->len ? memchr(sv->buf, '\n', sv->len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - sv->buf);
			char *line = malloc(n + 1);
			if (!line)
				die("out of memory");
			memcpy(line, sv->buf, n);
			line[n] = '\0';
			memmove(sv->buf, nl + 1, sv->len - n - 1);
			sv->len -= n + 1;
			return line;
		}
		if (sv->cap - sv->len < 65536) {
			sv->cap = sv->cap * 2 + 65536;
			if (!(sv->buf = realloc(sv->buf, sv->cap)))
				die("out of memory");
		}
		ssize_t r = read(sv->out, sv->buf + sv->len, sv->cap - sv->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		*t = now_ms();
		sv->len += (size_t)r;
	}
}

/* The reply to request ID (notifications in between are skipped), parsed;
 * dies when the server ends first.  *T: when its last byte was read. */
static cJSON *read_reply(server *sv, int id, double *t)
{
	for (;;) {
		char *line = read_line(sv, t);
		if (!line)
			die("the server ended before replying to request %d", id);
		cJSON *msg = cJSON_Parse(line);
		free(line);
		const cJSON *mid = cJSON_GetObjectItemCaseSensitive(msg, "id");
		if (cJSON_IsNumber(mid) && mid->valueint == id)
			return msg;
		cJSON_Delete(msg);
	}
}

/* Closes the server's stdin (it exits at end of input) and reaps it;
 * returns its ru_maxrss (KiB), its CPU time (ms) in *CPU. */
static long finish_server(server *sv, double *cpu)
{
	close(sv->in);
	char sink[4096];
	while (read(sv->out, sink, sizeof sink) > 0)
		;
	close(sv->out);
	int status;
	struct rusage ru;
	if (wait4(sv->pid, &status, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the server exited with status %d", status);
	free(sv->buf);
	sv->buf = NULL;
	sv->cap = sv->len = 0;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return ru.ru_maxrss;
}

/* VmHWM and VmRSS (KiB) of a live process. */
static void proc_mem(pid_t pid, long *hwm, long *rss)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	*hwm = *rss = -1;
	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "VmHWM: %ld", hwm);
		sscanf(line, "VmRSS: %ld", rss);
	}
	fclose(f);
	if (*hwm < 0)
		die("%s: no VmHWM", path);
}

/* ---- requests ------------------------------------------------------------ */

#define INITIALIZE \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" \
	"{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}," \
	"\"clientInfo\":{\"name\":\"bench_runtime\",\"version\":\"1\"}}}\n"
#define INITIALIZED "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
#define TOOLS_LIST "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n"

/* The catalog tools this bench calls are all listed (others may be). */
static int tools_listed(const cJSON *reply)
{
	static const char *const want[] = { "search_operations", "describe_operation",
	                                    "validate_input" };
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(reply, "result");
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(res, "tools"), *t;
	int found = 0;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cJSON_ArrayForEach(t, tools) {
			const char *n = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(t, "name"));
			if (n && strcmp(n, want[i]) == 0) {
				found++;
				break;
			}
		}
	return found == (int)(sizeof want / sizeof want[0]);
}

/* One cold start: ms from spawn to the complete tools/list reply; the
 * server's CPU time in *CPU (user + system, the whole process: it only
 * waits after the reply). */
static double cold_start(const char *airlock, const char *catalog, double *cpu)
{
	server sv = { 0 };
	double t0 = now_ms(), t = 0;
	spawn_server(&sv, airlock, catalog);
	send_text(&sv, INITIALIZE INITIALIZED TOOLS_LIST);
	cJSON *reply = read_reply(&sv, 2, &t);
	int listed = tools_listed(reply);
	cJSON_Delete(reply);
	finish_server(&sv, cpu);
	if (!listed)
		die("tools/list: search_operations, describe_operation or "
		    "validate_input missing");
	return t - t0;
}

/* Empties DIR/verified: the next start is a first start. */
static void forget_stamps(const char *dir)
{
	char v[64];
	snprintf(v, sizeof v, "%s/verified", dir);
	DIR *d = opendir(v);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

typedef struct call {
	char name[64];           /* for call_ms.<name> */
	char *line;              /* the request, newline-terminated */
} call;

static call calls[64];
static size_t ncalls;

static void add_call(const char *name, const char *tool, cJSON *args)
{
	if (ncalls == sizeof calls / sizeof calls[0])
		die("too many calls");
	cJSON *req = cJSON_CreateObject(), *params = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "jsonrpc", "2.0");
	cJSON_AddNumberToObject(req, "id", (double)(ncalls + 3));
	cJSON_AddStringToObject(req, "method", "tools/call");
	cJSON_AddStringToObject(params, "name", tool);
	cJSON_AddItemToObject(params, "arguments", args);
	cJSON_AddItemToObject(req, "params", params);
	char *text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (!text)
		die("out of memory");
	size_t n = strlen(text);
	calls[ncalls].line = malloc(n + 2);
	if (!calls[ncalls].line)
		die("out of memory");
	memcpy(calls[ncalls].line, text, n);
	memcpy(calls[ncalls].line + n, "\n", 2);
	cJSON_free(text);
	snprintf(calls[ncalls].name, sizeof calls[ncalls].name, "%s", name);
	ncalls++;
}

static cJSON *svc_op(const char *svc, const char *op)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "service", svc);
	cJSON_AddStringToObject(a, "operation", op);
	return a;
}

static void make_calls(const char *inputs_path)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "query", "list my s3 buckets");
	add_call("search_operations", "search_operations", a);
	add_call("describe_operation.ec2:RunInstances", "describe_operation",
	         svc_op("ec2", "RunInstances"));
	add_call("describe_operation.cloudformation:CreateStack", "describe_operation",
	         svc_op("cloudformation", "CreateStack"));

	FILE *f = fopen(inputs_path, "rb");
	if (!f)
		die("%s: %s", inputs_path, strerror(errno));
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	cJSON *all = cJSON_Parse(text);
	if (!cJSON_IsArray(all))
		die("%s: not a JSON array", inputs_path);
	const cJSON *c;
	cJSON_ArrayForEach(c, all) {
		const char *svc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "service"));
		const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "operation"));
		const cJSON *input = cJSON_GetObjectItemCaseSensitive(c, "input");
		if (!svc || !op || !input)
			die("%s: an entry lacks service, operation or input", inputs_path);
		cJSON *args = svc_op(svc, op);
		cJSON_AddItemToObject(args, "input", cJSON_Duplicate(input, 1));
		char name[64];
		snprintf(name, sizeof name, "validate_input.%s:%s", svc, op);
		add_call(name, "validate_input", args);
	}
	cJSON_Delete(all);
}

/* A tool call's reply must be a result, isError false; validate_input's
 * must say the input is valid (the inputs are). */
static void check_call(const call *c, const cJSON *reply)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(reply, "result");
	if (!res)
		die("%s: not a result", c->name);
	if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res, "isError"))) {
		char *t = cJSON_PrintUnformatted(res);
		die("%s: isError: %.300s", c->name, t ? t : "?");
	}
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(res, "structuredContent");
	if (strncmp(c->name, "validate_input", 14) == 0 &&
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sc, "valid")))
		die("%s: the input is not valid", c->name);
}

typedef struct session_fig {
	long hwm, rss_end, maxrss;
	double ms[64 + 2];       /* tools/list, then each call */
} session_fig;

static void session(const char *airlock, const char *catalog, session_fig *fig)
{
	server sv = { 0 };
	double t0, t = 0;
	spawn_server(&sv, airlock, catalog);
	send_text(&sv, INITIALIZE);
	cJSON_Delete(read_reply(&sv, 1, &t));
	send_text(&sv, INITIALIZED);
	t0 = now_ms();
	send_text(&sv, TOOLS_LIST);
	cJSON *reply = read_reply(&sv, 2, &t);
	fig->ms[0] = t - t0;
	if (!tools_listed(reply))
		die("tools/list: search_operations, describe_operation or "
		    "validate_input missing");
	cJSON_Delete(reply);
	struct timespec pause = { 0, IDLE_PAUSE_MS * 1000000L };
	while (nanosleep(&pause, &pause) != 0 && errno == EINTR)
		;
	for (size_t i = 0; i < ncalls; i++) {
		t0 = now_ms();
		send_text(&sv, calls[i].line);
		reply = read_reply(&sv, (int)i + 3, &t);
		fig->ms[i + 1] = t - t0;
		check_call(&calls[i], reply);
		cJSON_Delete(reply);
	}
	proc_mem(sv.pid, &fig->hwm, &fig->rss_end);
	double cpu;
	fig->maxrss = finish_server(&sv, &cpu);
}

/* ---- main ------------------------------------------------------------------- */

static int int_arg(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "bench_runtime: %s: expected %d..%d\n", s, lo, hi);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	int runs = 51, warmup = 3, sessions = 3, first = 0, i;
	const char *inputs = NULL;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "-n") == 0)
			runs = int_arg(argv[++i], 0, MAX_RUNS);
		else if (strcmp(argv[i], "-w") == 0)
			warmup = int_arg(argv[++i], 0, MAX_RUNS);
		else if (strcmp(argv[i], "-s") == 0)
			sessions = int_arg(argv[++i], 0, MAX_RUNS);
		else if (strcmp(argv[i], "-i") == 0)
			inputs = argv[++i];
		else if (strcmp(argv[i], "-F") == 0)
			first = 1;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: bench_runtime [-n RUNS] [-w WARMUP] [-s SESSIONS] "
		        "[-i INPUTS.json] [-F] AIRLOCK CATALOG\n");
		return 2;
	}
	const char *airlock = argv[i], *catalog = argv[i + 1];
	char defpath[4096];
	if (!inputs) {
		/* bench_validate_inputs.json beside this source file */
		const char *src = __FILE__, *slash = strrchr(src, '/');
		snprintf(defpath, sizeof defpath, "%.*sbench_validate_inputs.json",
		         slash ? (int)(slash - src + 1) : 0, src);
		inputs = defpath;
	}
	signal(SIGPIPE, SIG_IGN);

	if (runs > 0) {
		double ms[MAX_RUNS], cpu[MAX_RUNS];
		for (int r = 0; r < warmup; r++)
			cold_start(airlock, catalog, &cpu[0]);
		char scratch[] = "/tmp/bench_runtime.XXXXXX";
		if (first) {
			if (!mkdtemp(scratch))
				die("mkdtemp: %s", strerror(errno));
			setenv("AIRLOCK_CACHE", scratch, 1);
		}
		for (int r = 0; r < runs; r++) {
			if (first)
				forget_stamps(scratch);
			ms[r] = cold_start(airlock, catalog, &cpu[r]);
		}
		if (first) {
			forget_stamps(scratch);
			char v[64];
			snprintf(v, sizeof v, "%s/verified", scratch);
			rmdir(v);
			rmdir(scratch);
			unsetenv("AIRLOCK_CACHE");
		}
		printf("cold_first=%d\n", first);
		printf("cold_runs=%d\n", runs);
		for (int r = 0; r < runs; r++)
			printf("cold_ms_%d=%.3f\n", r, ms[r]);
		qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
		qsort(cpu, (size_t)runs, sizeof cpu[0], cmp_double);
		printf("cold_cpu_ms_median=%.3f\n", cpu[runs / 2]);
		printf("cold_ms_median=%.3f\ncold_ms_min=%.3f\ncold_ms_p90=%.3f\n"
		       "cold_ms_max=%.3f\n", ms[runs / 2], ms[0],
		       ms[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1], ms[runs - 1]);
	}

	if (sessions > 0) {
		make_calls(inputs);
		long hwm[MAX_RUNS];
		session_fig fig;
		for (int r = 0; r < sessions; r++) {
			session(airlock, catalog, &fig);
			hwm[r] = fig.hwm;
		}
		qsort(hwm, (size_t)sessions, sizeof hwm[0], cmp_long);
		printf("session_runs=%d\nsession_calls=%zu\n", sessions, ncalls);
		printf("session_hwm_kib_median=%ld\nsession_hwm_kib_max=%ld\n",
		       hwm[sessions / 2], hwm[sessions - 1]);
		printf("session_rss_end_kib=%ld\nsession_maxrss_kib=%ld\n", fig.rss_end,
		       fig.maxrss);
		printf("call_ms.tools/list=%.3f\n", fig.ms[0]);
		for (size_t c = 0; c < ncalls; c++)
			printf("call_ms.%s=%.3f\n", calls[c].name, fig.ms[c + 1]);
	}
	return 0;
}
