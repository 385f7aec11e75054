/* fake_exec.c -- see fake_exec.h. */
#include "fake_exec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int log_call(const char *path, const char *op, const cJSON *input)
{
	char *text = NULL;
	size_t len = 0;
	if (rt_canon(input, &text, &len) != 0)
		return -1;
	size_t n = strlen(op) + 1 + len + 1;
	char *line = malloc(n + 1);
	if (!line) {
		free(text);
		return -1;
	}
	snprintf(line, n + 1, "%s %s\n", op, text);
	free(text);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, line, n) == (ssize_t)n && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	free(line);
	return ok ? 0 : -1;
}

int fake_exec_fn(void *ud, const rt_plan_exec_req *rq, rt_plan_exec_res *rs)
{
	fake_exec *f = ud;
	const char *op = alc_str(rq->cat, rq->op->name);
	f->calls++;
	if (f->during)
		f->during(f->during_ud);
	if (f->sleep_ms > 0)
		sleep_ms(f->sleep_ms);
	if (f->log && log_call(f->log, op, rq->input) != 0)
		return -2; /* AL_EIO */
	rs->attempts = f->attempts > 0 ? f->attempts : 1;
	snprintf(rs->request_id, sizeof rs->request_id, "fake-%d", f->calls);
	if (f->fail) {
		rs->error = cJSON_CreateObject();
		cJSON_AddStringToObject(rs->error, "code", "ThrottlingException");
		cJSON_AddStringToObject(rs->error, "message", "Rate exceeded (fake)");
		cJSON_AddBoolToObject(rs->error, "retryable", 1);
		return 0;
	}
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(rq->input, "Name");
	const char *nm = cJSON_IsString(name) ? name->valuestring : "none";
	cJSON *out = cJSON_CreateObject();
	if (strcmp(op, "CreateGadget") == 0) {
		char id[128];
		snprintf(id, sizeof id, "gid-%.100s", nm);
		cJSON_AddStringToObject(out, "GadgetId", id);
		cJSON_AddStringToObject(out, "Password", "out-secret-3f1c");
	} else if (strcmp(op, "ListGadgets") == 0) {
		cJSON *arr = cJSON_AddArrayToObject(out, "Gadgets");
		int n = f->big > 0 ? f->big : 1;
		for (int i = 0; i < n; i++) {
			cJSON *g = cJSON_CreateObject();
			char gname[32];
			snprintf(gname, sizeof gname, "g%d", i);
			cJSON_AddStringToObject(g, "Name", gname);
			cJSON_AddStringToObject(g, "Secret", "list-secret-9a7e");
			cJSON_AddStringToObject(g, "Color", "red");
			cJSON_AddItemToArray(arr, g);
		}
	} else if (strcmp(op, "DescribeGadget") == 0) {
		cJSON *g = cJSON_AddObjectToObject(out, "Gadget");
		cJSON_AddStringToObject(g, "Name", nm);
		cJSON_AddStringToObject(g, "Secret", "describe-secret-5d2b");
	}
	rs->output = out;
	return 0;
}

void fake_exec_from_env(fake_exec *f)
{
	memset(f, 0, sizeof *f);
	const char *v;
	if ((v = getenv("AIRLOCK_FAKE_LOG")) && v[0])
		f->log = v;
	if ((v = getenv("AIRLOCK_FAKE_SLEEP_MS")))
		f->sleep_ms = strtol(v, NULL, 10);
	if ((v = getenv("AIRLOCK_FAKE_ATTEMPTS")))
		f->attempts = (int)strtol(v, NULL, 10);
	if ((v = getenv("AIRLOCK_FAKE_FAIL")))
		f->fail = strcmp(v, "1") == 0;
	if ((v = getenv("AIRLOCK_FAKE_BIG")))
		f->big = (int)strtol(v, NULL, 10);
}
