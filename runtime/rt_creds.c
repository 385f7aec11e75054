/*
 * rt_creds.c -- see rt_creds.h.
 *
 * Each source returns 0 (credentials found), NA (does not apply: the chain
 * goes on, and the reason is noted for the final "no credentials" message)
 * or a negative code (it applies and failed: the chain stops, as botocore's
 * does, so that a broken credential_process never silently falls through to
 * instance metadata).  Messages go to a fixed buffer and never hold a
 * secret: only names of sources, profiles, files, hosts and HTTP statuses.
 */
#include "rt_json.h"
#include "rt_creds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "rt_http.h"
#include "rt_sigv4.h"
#include "rt_sts.h"

#define NA 1
#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_MAX_OUTPUT (1u << 20)

/* ---- small helpers -------------------------------------------------- */

void rt_creds_wipe(rt_creds *c)
{
	rt_wipe(c, sizeof *c);
	c->source = NULL;
}

static void msg(char *err, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void msg(char *err, size_t cap, const char *f, ...)
{
	if (!err || !cap)
		return;
	va_list ap;
	va_start(ap, f);
	vsnprintf(err, cap, f, ap);
	va_end(ap);
}

/* Append "; " + text to the notes of sources that did not apply. */
static void note(char *notes, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void note(char *notes, size_t cap, const char *f, ...)
{
	size_t l = strlen(notes);
	if (l + 3 >= cap)
		return;
	if (l) {
		memcpy(notes + l, "; ", 3);
		l += 2;
	}
	va_list ap;
	va_start(ap, f);
	vsnprintf(notes + l, cap - l, f, ap);
	va_end(ap);
}

static int set_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		return -1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return 0;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

int64_t rt_creds_parse_time(const char *s)
{
	if (!s)
		return -1;
	int y, mo, d, h, mi, se, n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n < 19)
		return -1;
	const char *p = s + n;
	if (*p == '.' || *p == ',') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	long off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (strncasecmp(p, "UTC", 3) == 0) {
		p += 3;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
			return -1;
		off = (oh * 60L + om) * 60L * (*p == '+' ? 1 : -1);
		p += 6;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
		         .tm_min = mi, .tm_sec = se };
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return (int64_t)t - off;
}

static void redact_one(char *m, size_t cap, const char *s, size_t sl)
{
	static const char R[] = "<redacted>";
	const size_t rl = sizeof R - 1;
	if (sl < 4)
		return;
	char *p = m;
	while ((p = strstr(p, s)) != NULL) {
		size_t tail = strlen(p + sl);
		if (rl <= sl) {
			memcpy(p, R, rl);
			memmove(p + rl, p + sl, tail + 1);
		} else {
			/* Grow within CAP; what no longer fits is cut. */
			size_t room = cap - (size_t)(p - m) - 1;
			size_t keep = tail;
			if (rl + keep > room)
				keep = room > rl ? room - rl : 0;
			memmove(p + rl, p + sl, keep);
			memcpy(p, R, rl < room ? rl : room);
			p[(rl < room ? rl : room) + keep] = '\0';
		}
		p += rl <= strlen(p) ? rl : strlen(p);
	}
}

void rt_creds_redact(char *m, size_t cap, const rt_creds *c)
{
	if (!m || !cap || !c)
		return;
	const char *s[3] = { c->secret_access_key, c->session_token, c->access_key_id };
	static char enc[3 * RT_CREDS_TOKEN_MAX + 1];
	static pthread_mutex_t enc_lock = PTHREAD_MUTEX_INITIALIZER;
	for (int i = 0; i < 3; i++) {
		size_t sl = strlen(s[i]);
		if (!sl)
			continue;
		redact_one(m, cap, s[i], sl);
		pthread_mutex_lock(&enc_lock);
		size_t el = rt_sigv4_uri_encode(s[i], sl, 0, enc, sizeof enc - 1);
		if (el != sl && el < sizeof enc) {
			enc[el] = '\0';
			redact_one(m, cap, enc, el);
		}
		rt_wipe(enc, el < sizeof enc ? el : sizeof enc);
		pthread_mutex_unlock(&enc_lock);
	}
}

/* Wipe every string of a JSON tree (values may be secrets), then free it. */
static void json_wipe_delete(cJSON *j)
{
	if (!j)
		return;
	cJSON *stack[64];
	size_t n = 0;
	stack[n++] = j;
	while (n) {
		cJSON *x = stack[--n];
		for (; x; x = x->next) {
			if (x->valuestring)
				rt_wipe(x->valuestring, strlen(x->valuestring));
			if (x->child && n < 64)
				stack[n++] = x->child;
		}
	}
	cJSON_Delete(j);
}

/* Fill OUT from a JSON object with the given key names (NULL: not
 * expected).  EXP_IS_MS: the expiration is a number of milliseconds. */
static int creds_from_json(const cJSON *o, const char *kid, const char *ksec, const char *ktok,
                           const char *kexp, int exp_is_ms, rt_creds *out, const char *what,
                           char *err, size_t errcap)
{
	const char *id = rt_jstr(o, kid), *sec = rt_jstr(o, ksec), *tok = ktok ? rt_jstr(o, ktok) : NULL;
	if (!id || !id[0] || !sec || !sec[0]) {
		msg(err, errcap, "%s: the answer has no %s or %s", what, kid, ksec);
		return AL_ECRED;
	}
	if (set_str(out->access_key_id, sizeof out->access_key_id, id) ||
	    set_str(out->secret_access_key, sizeof out->secret_access_key, sec) ||
	    set_str(out->session_token, sizeof out->session_token, tok)) {
		rt_creds_wipe(out);
		msg(err, errcap, "%s: a credential in the answer is too long", what);
		return AL_ECRED;
	}
	out->expiration = 0;
	if (kexp) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, kexp);
		if (exp_is_ms && cJSON_IsNumber(e)) {
			out->expiration = (int64_t)(e->valuedouble / 1000);
		} else if (!exp_is_ms && cJSON_IsString(e)) {
			out->expiration = rt_creds_parse_time(e->valuestring);
			if (out->expiration < 0) {
				rt_creds_wipe(out);
				msg(err, errcap, "%s: the expiration time does not parse", what);
				return AL_ECRED;
			}
		} else if (e && !cJSON_IsNull(e)) {
			rt_creds_wipe(out);
			msg(err, errcap, "%s: the expiration is not a %s", what,
			    exp_is_ms ? "number" : "string");
			return AL_ECRED;
		}
	}
	const char *acct = rt_jstr(o, "AccountId");
	if (acct)
		set_str(out->account_id, sizeof out->account_id, acct);
	return 0;
}

/* ---- the provider --------------------------------------------------- */

struct rt_creds_provider {
	pthread_mutex_t lock;
	rt_awsconfig *cfg;
	char *profile;
	char *region;
	char *sso_cache_dir;
	int explicit_profile;
	int have;
	rt_creds cached;
};

typedef struct ctx {
	rt_creds_provider *p;
	rt_http *http;
	char *err;
	size_t errcap;
	char notes[768];
	const char *chain[RT_CREDS_MAX_CHAIN + 1];
	size_t nchain;
} ctx;

static rt_http *http(ctx *x)
{
	if (!x->http && rt_http_open(&x->http) != 0)
		x->http = NULL;
	return x->http;
}

int rt_creds_provider_new(rt_creds_provider **out, const rt_creds_options *o, char *err,
                          size_t errcap)
{
	*out = NULL;
	if (errcap)
		err[0] = '\0';
	rt_creds_provider *p = calloc(1, sizeof *p);
	if (!p)
		return AL_ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	int rc = rt_awsconfig_load(&p->cfg, err, errcap);
	if (rc) {
		rt_creds_provider_free(p);
		return rc;
	}
	p->explicit_profile = o && o->profile && o->profile[0];
	p->profile = strdup(rt_awsconfig_profile_name(o ? o->profile : NULL));
	const char *r = o && o->region && o->region[0] ? o->region
	                                               : rt_awsconfig_region(p->cfg, p->profile);
	p->region = r ? strdup(r) : NULL;
	p->sso_cache_dir = o && o->sso_cache_dir ? strdup(o->sso_cache_dir) : NULL;
	if (!p->profile || (r && !p->region) || (o && o->sso_cache_dir && !p->sso_cache_dir)) {
		rt_creds_provider_free(p);
		return AL_ENOMEM;
	}
	*out = p;
	return 0;
}

void rt_creds_provider_free(rt_creds_provider *p)
{
	if (!p)
		return;
	rt_creds_wipe(&p->cached);
	rt_awsconfig_free(p->cfg);
	free(p->profile);
	free(p->region);
	free(p->sso_cache_dir);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const char *rt_creds_provider_profile(const rt_creds_provider *p)
{
	return p->profile;
}

const char *rt_creds_provider_region(const rt_creds_provider *p)
{
	return p->region;
}

const rt_awsconfig *rt_creds_provider_config(const rt_creds_provider *p)
{
	return p->cfg;
}

/* ---- environment and static keys ------------------------------------ */

static int from_env(ctx *x, rt_creds *out)
{
	const char *id = env("AWS_ACCESS_KEY_ID"), *sec = env("AWS_SECRET_ACCESS_KEY");
	if (!id && !sec) {
		note(x->notes, sizeof x->notes, "environment: AWS_ACCESS_KEY_ID not set");
		return NA;
	}
	if (!id || !sec) {
		msg(x->err, x->errcap, "environment: %s is set but %s is not",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return AL_ECRED;
	}
	if (set_str(out->access_key_id, sizeof out->access_key_id, id) ||
	    set_str(out->secret_access_key, sizeof out->secret_access_key, sec) ||
	    set_str(out->session_token, sizeof out->session_token, env("AWS_SESSION_TOKEN"))) {
		rt_creds_wipe(out);
		msg(x->err, x->errcap, "environment: a credential is too long");
		return AL_ECRED;
	}
	const char *exp = env("AWS_CREDENTIAL_EXPIRATION");
	out->expiration = exp ? rt_creds_parse_time(exp) : 0;
	if (out->expiration < 0)
		out->expiration = 0;
	out->source = "environment";
	return 0;
}

static int from_static(ctx *x, int file, const char *profile, rt_creds *out)
{
	const rt_awsconfig *c = x->p->cfg;
	const char *id = rt_awsconfig_get_in(c, file, profile, "aws_access_key_id");
	const char *sec = rt_awsconfig_get_in(c, file, profile, "aws_secret_access_key");
	const char *where = rt_awsconfig_path(c, file);
	if ((!id || !id[0]) && (!sec || !sec[0]))
		return NA;
	if (!id || !id[0] || !sec || !sec[0]) {
		msg(x->err, x->errcap, "profile %s in %s: %s is set but %s is not", profile, where,
		    id && id[0] ? "aws_access_key_id" : "aws_secret_access_key",
		    id && id[0] ? "aws_secret_access_key" : "aws_access_key_id");
		return AL_ECRED;
	}
	const char *tok = rt_awsconfig_get_in(c, file, profile, "aws_session_token");
	if (!tok)
		tok = rt_awsconfig_get_in(c, file, profile, "aws_security_token");
	if (set_str(out->access_key_id, sizeof out->access_key_id, id) ||
	    set_str(out->secret_access_key, sizeof out->secret_access_key, sec) ||
	    set_str(out->session_token, sizeof out->session_token, tok)) {
		rt_creds_wipe(out);
		msg(x->err, x->errcap, "profile %s in %s: a credential is too long", profile, where);
		return AL_ECRED;
	}
	out->expiration = 0;
	out->source = file == RT_AWSCONFIG_CREDENTIALS ? "shared-credentials-file" : "config-file";
	return 0;
}

/* ---- credential_process --------------------------------------------- */

/* Split CMD into ARGV like a POSIX shell would (quotes, backslashes), into
 * BUF.  No expansion of any kind.  Returns argc, or -1. */
static int split_command(const char *cmd, char *buf, size_t cap, char **argv, int max)
{
	int argc = 0;
	size_t o = 0;
	const char *s = cmd;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (argc + 1 >= max)
			return -1;
		argv[argc++] = buf + o;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			if (o + 2 > cap)
				return -1;
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'') {
					if (o + 2 > cap)
						return -1;
					buf[o++] = *s++;
				}
				if (*s != '\'')
					return -1;
				s++;
			} else if (*s == '"') {
				s++;
				while (*s && *s != '"') {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$' ||
					                   s[1] == '`'))
						s++;
					if (o + 2 > cap)
						return -1;
					buf[o++] = *s++;
				}
				if (*s != '"')
					return -1;
				s++;
			} else if (*s == '\\' && s[1]) {
				buf[o++] = s[1];
				s += 2;
			} else {
				buf[o++] = *s++;
			}
		}
		buf[o++] = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* Run ARGV with stdin and stderr on /dev/null; its stdout into *OUT (wiped
 * buffer, NUL-terminated).  Returns 0 with *STATUS the wait status, or -1
 * with ERRBUF saying why (spawn failure, timeout, output too large). */
static int run_capture(char **argv, char **out, size_t *out_len, int *status, char *why,
                       size_t whycap)
{
	extern char **environ;
	*out = NULL;
	*out_len = 0;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(why, whycap, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (e != 0) {
		close(fds[0]);
		snprintf(why, whycap, "cannot run %s: %s", argv[0], strerror(e));
		return -1;
	}
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	int rc = b ? 0 : -1;
	if (!b)
		snprintf(why, whycap, "out of memory");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rc == 0) {
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long el = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= PROCESS_TIMEOUT_MS) {
			snprintf(why, whycap, "no answer within %d s", PROCESS_TIMEOUT_MS / 1000);
			rc = -1;
			break;
		}
		struct pollfd pf = { fds[0], POLLIN, 0 };
		int pr = poll(&pf, 1, (int)(PROCESS_TIMEOUT_MS - el));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (n + 1 == cap) {
			if (cap >= PROCESS_MAX_OUTPUT) {
				snprintf(why, whycap, "output larger than %u bytes", PROCESS_MAX_OUTPUT);
				rc = -1;
				break;
			}
			char *nb = malloc(cap * 2);
			if (!nb) {
				snprintf(why, whycap, "out of memory");
				rc = -1;
				break;
			}
			memcpy(nb, b, n);
			rt_wipe(b, cap);
			free(b);
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fds[0], b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fds[0]);
	if (rc != 0)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc != 0) {
		if (b) {
			rt_wipe(b, cap);
			free(b);
		}
		return -1;
	}
	b[n] = '\0';
	*out = b;
	*out_len = cap; /* the size to wipe */
	*status = st;
	(void)n;
	return 0;
}

static int from_process(ctx *x, const char *profile, rt_creds *out)
{
	const char *cmd = rt_awsconfig_get(x->p->cfg, profile, "credential_process");
	if (!cmd || !cmd[0])
		return NA;
	size_t cl = strlen(cmd);
	char *buf = malloc(cl + 1);
	char *argv[128];
	if (!buf) {
		msg(x->err, x->errcap, "out of memory");
		return AL_ENOMEM;
	}
	int argc = split_command(cmd, buf, cl + 1, argv, 128);
	if (argc <= 0) {
		free(buf);
		msg(x->err, x->errcap, "profile %s: credential_process is not a valid command line "
		    "(unbalanced quotes, or too many arguments)", profile);
		return AL_ECRED;
	}
	char *o = NULL;
	size_t ocap = 0;
	int st = 0;
	char why[256];
	int rc = run_capture(argv, &o, &ocap, &st, why, sizeof why);
	free(buf);
	if (rc != 0) {
		msg(x->err, x->errcap, "profile %s: credential_process failed: %s", profile, why);
		return AL_ECRED;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rt_wipe(o, ocap);
		free(o);
		if (WIFEXITED(st))
			msg(x->err, x->errcap, "profile %s: credential_process exited with status %d "
			    "(its output is not shown; run the command yourself to see it)", profile,
			    WEXITSTATUS(st));
		else
			msg(x->err, x->errcap, "profile %s: credential_process was killed by signal %d",
			    profile, WTERMSIG(st));
		return AL_ECRED;
	}
	cJSON *j = cJSON_Parse(o);
	rt_wipe(o, ocap);
	free(o);
	rc = 0;
	if (!cJSON_IsObject(j)) {
		msg(x->err, x->errcap, "profile %s: credential_process printed something that is not "
		    "a JSON object (its output is not shown)", profile);
		rc = AL_ECRED;
	} else {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "Version");
		if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
			msg(x->err, x->errcap, "profile %s: credential_process output has no \"Version\": 1 "
			    "(only Version 1 is supported)", profile);
			rc = AL_ECRED;
		} else {
			char what[300];
			snprintf(what, sizeof what, "profile %s: credential_process", profile);
			rc = creds_from_json(j, "AccessKeyId", "SecretAccessKey", "SessionToken",
			                     "Expiration", 0, out, what, x->err, x->errcap);
			if (!rc)
				out->source = "credential-process";
		}
	}
	json_wipe_delete(j);
	return rc;
}

/* ---- HTTP credential endpoints (container, IMDS, SSO) ----------------- */

/* GET/PUT URL with headers; the answer in R.  Retries connection failures
 * ATTEMPTS times. */
static int fetch(ctx *x, const char *method, const char *url, const rt_http_header *h, size_t nh,
                 long timeout_ms, int attempts, unsigned flags, rt_http_response *r, char *why,
                 size_t whycap)
{
	rt_http *hh = http(x);
	if (!hh) {
		snprintf(why, whycap, "out of memory");
		return AL_ENOMEM;
	}
	int rc = AL_ENET;
	for (int i = 0; i < (attempts > 0 ? attempts : 1); i++) {
		rt_http_request req = { .method = method, .url = url, .headers = h, .nheaders = nh,
			                .connect_timeout_ms = timeout_ms, .read_timeout_ms = timeout_ms,
			                .total_timeout_ms = timeout_ms * 2, .max_response = 1 << 20,
			                .flags = flags,
			                .ca_bundle = rt_awsconfig_ca_bundle(x->p->cfg, x->p->profile) };
		rt_http_response_free(r);
		rc = rt_http_perform(hh, &req, r, why, whycap);
		if (rc != AL_ENET && rc != AL_ETIMEOUT)
			break;
	}
	return rc;
}

static int json_creds_answer(ctx *x, const rt_http_response *r, const char *what, const char *kid,
                             const char *ksec, const char *ktok, const char *kexp, int ms,
                             const char *wrapper, rt_creds *out)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
	const cJSON *o = j;
	if (wrapper && cJSON_IsObject(j))
		o = cJSON_GetObjectItemCaseSensitive(j, wrapper);
	int rc;
	if (!cJSON_IsObject(o)) {
		msg(x->err, x->errcap, "%s: the answer is not the expected JSON", what);
		rc = AL_ECRED;
	} else {
		rc = creds_from_json(o, kid, ksec, ktok, kexp, ms, out, what, x->err, x->errcap);
	}
	json_wipe_delete(j);
	return rc;
}

static int allowed_full_uri(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	if (rt_http_url_is_loopback(url))
		return 1;
	char host[300];
	if (rt_http_url_host(url, host, sizeof host) != 0)
		return 0;
	return strcmp(host, "169.254.170.2") == 0 || strcmp(host, "169.254.170.23") == 0 ||
	       strcasecmp(host, "[fd00:ec2::23]") == 0;
}

static int from_container(ctx *x, rt_creds *out)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (!rel && !full) {
		note(x->notes, sizeof x->notes, "container: AWS_CONTAINER_CREDENTIALS_*_URI not set");
		return NA;
	}
	char url[2048];
	if (rel) {
		if (rel[0] != '/' ||
		    snprintf(url, sizeof url, "http://169.254.170.2%s", rel) >= (int)sizeof url) {
			msg(x->err, x->errcap, "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path");
			return AL_ECRED;
		}
	} else {
		if (!allowed_full_uri(full)) {
			msg(x->err, x->errcap, "container: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
			    "or http to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
			return AL_ECRED;
		}
		if (snprintf(url, sizeof url, "%s", full) >= (int)sizeof url) {
			msg(x->err, x->errcap, "container: AWS_CONTAINER_CREDENTIALS_FULL_URI too long");
			return AL_ECRED;
		}
	}
	char tok[4096] = "";
	const char *tf = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	if (tf) {
		FILE *f = fopen(tf, "rb");
		if (!f) {
			msg(x->err, x->errcap, "container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
			    "%s: %s", tf, strerror(errno));
			return AL_ECRED;
		}
		size_t n = fread(tok, 1, sizeof tok - 1, f);
		fclose(f);
		tok[n] = '\0';
		while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
			tok[--n] = '\0';
	} else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		if (set_str(tok, sizeof tok, env("AWS_CONTAINER_AUTHORIZATION_TOKEN"))) {
			msg(x->err, x->errcap, "container: the authorization token is too long");
			return AL_ECRED;
		}
	}
	if (strpbrk(tok, "\r\n")) {
		rt_wipe(tok, sizeof tok);
		msg(x->err, x->errcap, "container: the authorization token contains a line break");
		return AL_ECRED;
	}
	rt_http_header h[2] = { { "Accept", "application/json" }, { "Authorization", tok } };
	rt_http_response r = { 0 };
	char why[256];
	int rc = fetch(x, "GET", url, h, tok[0] ? 2 : 1, 2000, 3, RT_HTTP_NO_PROXY, &r, why, sizeof why);
	rt_wipe(tok, sizeof tok);
	char host[300] = "?";
	rt_http_url_host(url, host, sizeof host);
	if (rc) {
		msg(x->err, x->errcap, "container: credentials endpoint %s: %s", host, why);
		rc = AL_ECRED;
	} else if (r.status != 200) {
		msg(x->err, x->errcap, "container: credentials endpoint %s answered HTTP %ld", host,
		    r.status);
		rc = AL_ECRED;
	} else {
		rc = json_creds_answer(x, &r, "container", "AccessKeyId", "SecretAccessKey", "Token",
		                       "Expiration", 0, NULL, out);
		if (!rc)
			out->source = "container";
	}
	rt_http_response_free(&r);
	return rc;
}

static int from_imds(ctx *x, rt_creds *out)
{
	const rt_awsconfig *c = x->p->cfg;
	if (rt_awsconfig_true(getenv("AWS_EC2_METADATA_DISABLED"))) {
		note(x->notes, sizeof x->notes, "instance metadata: disabled (AWS_EC2_METADATA_DISABLED)");
		return NA;
	}
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!base)
		base = rt_awsconfig_get(c, x->p->profile, "ec2_metadata_service_endpoint");
	if (!base || !base[0]) {
		const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
		if (!mode)
			mode = rt_awsconfig_get(c, x->p->profile, "ec2_metadata_service_endpoint_mode");
		base = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
		                                             : "http://169.254.169.254";
	}
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	long timeout_ms = 1000;
	int attempts = 1;
	const char *t = env("AWS_METADATA_SERVICE_TIMEOUT");
	if (t && atof(t) > 0)
		timeout_ms = (long)(atof(t) * 1000);
	t = env("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	if (t && atoi(t) > 0)
		attempts = atoi(t);
	int v1_disabled = rt_awsconfig_true(getenv("AWS_EC2_METADATA_V1_DISABLED")) ||
	                  rt_awsconfig_true(rt_awsconfig_get(c, x->p->profile, "ec2_metadata_v1_disabled"));

	char url[2048], why[256];
	char token[512] = "";
	rt_http_response r = { 0 };
	snprintf(url, sizeof url, "%.*s/latest/api/token", (int)bl, base);
	rt_http_header th[] = { { "X-aws-ec2-metadata-token-ttl-seconds", "21600" } };
	int rc = fetch(x, "PUT", url, th, 1, timeout_ms, attempts, RT_HTTP_NO_PROXY, &r, why, sizeof why);
	if (rc) {
		/* Not on EC2 (or IMDS unreachable): not an error of the chain. */
		note(x->notes, sizeof x->notes, "instance metadata: %.*s not reachable (%s)", (int)bl,
		     base, why);
		rt_http_response_free(&r);
		return NA;
	}
	if (r.status == 200) {
		if (r.body_len == 0 || r.body_len >= sizeof token || strpbrk(r.body, "\r\n")) {
			rt_http_response_free(&r);
			msg(x->err, x->errcap, "instance metadata: the session token is not usable");
			return AL_ECRED;
		}
		memcpy(token, r.body, r.body_len + 1);
	} else if (r.status == 403 || r.status == 404 || r.status == 405) {
		if (v1_disabled) {
			rt_http_response_free(&r);
			msg(x->err, x->errcap, "instance metadata: IMDSv2 token refused (HTTP %ld) and "
			    "IMDSv1 is disabled", r.status);
			return AL_ECRED;
		}
	} else {
		long st = r.status;
		rt_http_response_free(&r);
		note(x->notes, sizeof x->notes, "instance metadata: token request answered HTTP %ld", st);
		return NA;
	}
	rt_http_header gh[] = { { "X-aws-ec2-metadata-token", token } };
	size_t ngh = token[0] ? 1 : 0;
	snprintf(url, sizeof url, "%.*s/latest/meta-data/iam/security-credentials/", (int)bl, base);
	rc = fetch(x, "GET", url, gh, ngh, timeout_ms, attempts, RT_HTTP_NO_PROXY, &r, why, sizeof why);
	if (rc || r.status != 200) {
		long st = rc ? 0 : r.status;
		rt_http_response_free(&r);
		rt_wipe(token, sizeof token);
		if (st == 404) {
			note(x->notes, sizeof x->notes, "instance metadata: no IAM role attached to the instance");
			return NA;
		}
		msg(x->err, x->errcap, "instance metadata: role name: %s", rc ? why : "unexpected HTTP status");
		return AL_ECRED;
	}
	char role[256];
	size_t rl = strcspn(r.body, "\r\n");
	if (rl == 0 || rl >= sizeof role) {
		rt_http_response_free(&r);
		rt_wipe(token, sizeof token);
		msg(x->err, x->errcap, "instance metadata: no role name in the answer");
		return AL_ECRED;
	}
	memcpy(role, r.body, rl);
	role[rl] = '\0';
	char erole[800];
	size_t el = rt_sigv4_uri_encode(role, rl, 0, erole, sizeof erole - 1);
	erole[el < sizeof erole ? el : sizeof erole - 1] = '\0';
	snprintf(url, sizeof url, "%.*s/latest/meta-data/iam/security-credentials/%s", (int)bl, base,
	         erole);
	rc = fetch(x, "GET", url, gh, ngh, timeout_ms, attempts, RT_HTTP_NO_PROXY, &r, why, sizeof why);
	rt_wipe(token, sizeof token);
	if (rc || r.status != 200) {
		long st = rc ? 0 : r.status;
		rt_http_response_free(&r);
		if (rc)
			msg(x->err, x->errcap, "instance metadata: credentials of role %s: %s", role, why);
		else
			msg(x->err, x->errcap, "instance metadata: credentials of role %s: HTTP %ld", role, st);
		return AL_ECRED;
	}
	cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
	const char *code = cJSON_IsObject(j) ? rt_jstr(j, "Code") : NULL;
	if (code && strcmp(code, "Success") != 0) {
		msg(x->err, x->errcap, "instance metadata: role %s: Code %s", role, code);
		rc = AL_ECRED;
	} else if (!cJSON_IsObject(j)) {
		msg(x->err, x->errcap, "instance metadata: the answer is not JSON");
		rc = AL_ECRED;
	} else {
		rc = creds_from_json(j, "AccessKeyId", "SecretAccessKey", "Token", "Expiration", 0, out,
		                     "instance metadata", x->err, x->errcap);
		if (!rc)
			out->source = "imds";
	}
	json_wipe_delete(j);
	rt_http_response_free(&r);
	return rc;
}

/* ---- SSO ------------------------------------------------------------ */

static int from_sso(ctx *x, const char *profile, rt_creds *out)
{
	const rt_awsconfig *c = x->p->cfg;
	const char *sess = rt_awsconfig_get(c, profile, "sso_session");
	const char *start = NULL, *region = NULL;
	if (sess && sess[0]) {
		start = rt_awsconfig_section_get(c, "sso-session", sess, "sso_start_url", NULL);
		region = rt_awsconfig_section_get(c, "sso-session", sess, "sso_region", NULL);
		if (!start || !region) {
			msg(x->err, x->errcap, "profile %s: sso-session %s needs sso_start_url and sso_region "
			    "in %s", profile, sess, rt_awsconfig_path(c, RT_AWSCONFIG_CONFIG));
			return AL_ECRED;
		}
	} else {
		sess = NULL;
		start = rt_awsconfig_get(c, profile, "sso_start_url");
		region = rt_awsconfig_get(c, profile, "sso_region");
		if (!start || !start[0])
			return NA;
		if (!region || !region[0]) {
			msg(x->err, x->errcap, "profile %s: sso_start_url needs sso_region", profile);
			return AL_ECRED;
		}
	}
	const char *acct = rt_awsconfig_get(c, profile, "sso_account_id");
	const char *role = rt_awsconfig_get(c, profile, "sso_role_name");
	if (!acct || !acct[0] || !role || !role[0]) {
		msg(x->err, x->errcap, "profile %s: an SSO profile needs sso_account_id and sso_role_name",
		    profile);
		return AL_ECRED;
	}
	const char *key = sess ? sess : start;
	char sha[41], path[4096];
	rt_sha1_hex(key, strlen(key), sha);
	int n;
	if (x->p->sso_cache_dir)
		n = snprintf(path, sizeof path, "%s/%s.json", x->p->sso_cache_dir, sha);
	else if (env("HOME"))
		n = snprintf(path, sizeof path, "%s/.aws/sso/cache/%s.json", env("HOME"), sha);
	else
		n = -1;
	const char *login = sess ? "sso session" : "sso start URL";
	if (n < 0 || (size_t)n >= sizeof path) {
		msg(x->err, x->errcap, "profile %s: no SSO token cache (HOME is not set)", profile);
		return AL_ECRED;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		msg(x->err, x->errcap, "profile %s: no cached SSO token for this %s (%s): run "
		    "`aws sso login --profile %s`", profile, login, path, profile);
		return AL_ECRED;
	}
	char buf[32768];
	size_t bl = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[bl] = '\0';
	cJSON *j = cJSON_Parse(buf);
	rt_wipe(buf, sizeof buf);
	const char *tok = cJSON_IsObject(j) ? rt_jstr(j, "accessToken") : NULL;
	int64_t exp = cJSON_IsObject(j) ? rt_creds_parse_time(rt_jstr(j, "expiresAt")) : -1;
	if (!tok || !tok[0] || exp < 0 || exp <= (int64_t)time(NULL)) {
		int expired = exp >= 0 && tok && tok[0];
		json_wipe_delete(j);
		msg(x->err, x->errcap, "profile %s: the cached SSO token %s: run "
		    "`aws sso login --profile %s`", profile, expired ? "has expired" : "is not usable",
		    profile);
		return AL_ECRED;
	}
	char token[8192];
	if (set_str(token, sizeof token, tok) || strpbrk(token, "\r\n")) {
		json_wipe_delete(j);
		rt_wipe(token, sizeof token);
		msg(x->err, x->errcap, "profile %s: the cached SSO token is not usable: run "
		    "`aws sso login --profile %s`", profile, profile);
		return AL_ECRED;
	}
	json_wipe_delete(j);
	char base[1024];
	const char *ep = rt_awsconfig_endpoint_url(c, profile, "SSO");
	if (ep)
		snprintf(base, sizeof base, "%s", ep);
	else
		snprintf(base, sizeof base, "https://portal.sso.%s.amazonaws.com%s", region,
		         strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
	size_t bsl = strlen(base);
	while (bsl && base[bsl - 1] == '/')
		base[--bsl] = '\0';
	char ea[128], er[512], url[2048];
	size_t l1 = rt_sigv4_uri_encode(acct, strlen(acct), 0, ea, sizeof ea - 1);
	size_t l2 = rt_sigv4_uri_encode(role, strlen(role), 0, er, sizeof er - 1);
	if (l1 >= sizeof ea || l2 >= sizeof er) {
		rt_wipe(token, sizeof token);
		msg(x->err, x->errcap, "profile %s: sso_account_id or sso_role_name too long", profile);
		return AL_ECRED;
	}
	ea[l1] = '\0';
	er[l2] = '\0';
	snprintf(url, sizeof url, "%s/federation/credentials?account_id=%s&role_name=%s", base, ea, er);
	rt_http_header h[] = { { "x-amz-sso_bearer_token", token }, { "Accept", "application/json" } };
	rt_http_response r = { 0 };
	char why[256];
	int rc = fetch(x, "GET", url, h, 2, 10000, 2, 0, &r, why, sizeof why);
	rt_wipe(token, sizeof token);
	if (rc) {
		msg(x->err, x->errcap, "profile %s: SSO GetRoleCredentials: %s", profile, why);
		rc = AL_ECRED;
	} else if (r.status == 401 || r.status == 403) {
		msg(x->err, x->errcap, "profile %s: SSO refused the cached token (HTTP %ld): run "
		    "`aws sso login --profile %s`", profile, r.status, profile);
		rc = AL_ECRED;
	} else if (r.status != 200) {
		msg(x->err, x->errcap, "profile %s: SSO GetRoleCredentials answered HTTP %ld", profile,
		    r.status);
		rc = AL_ECRED;
	} else {
		rc = json_creds_answer(x, &r, "SSO GetRoleCredentials", "accessKeyId", "secretAccessKey",
		                       "sessionToken", "expiration", 1, "roleCredentials", out);
		if (!rc) {
			out->source = "sso";
			set_str(out->account_id, sizeof out->account_id, acct);
		}
	}
	rt_http_response_free(&r);
	return rc;
}

/* ---- profiles and roles --------------------------------------------- */

static int from_profile(ctx *x, const char *profile, rt_creds *out);

/* Credentials of a source profile: its role (chained), SSO, static keys,
 * process; never the environment or the instance. */
static int source_profile_creds(ctx *x, const char *sp, const char *self, rt_creds *out)
{
	if (strcmp(sp, self) == 0) {
		/* A profile may name itself as source for its own static keys. */
		int rc = from_static(x, RT_AWSCONFIG_CREDENTIALS, sp, out);
		if (rc == NA)
			rc = from_static(x, RT_AWSCONFIG_CONFIG, sp, out);
		if (rc == NA) {
			msg(x->err, x->errcap, "profile %s is its own source_profile but has no static keys",
			    sp);
			rc = AL_ECRED;
		}
		return rc;
	}
	if (!rt_awsconfig_has_profile(x->p->cfg, sp)) {
		msg(x->err, x->errcap, "profile %s: source_profile %s does not exist", self, sp);
		return AL_ECRED;
	}
	int rc = from_profile(x, sp, out);
	if (rc == NA) {
		msg(x->err, x->errcap, "profile %s: source_profile %s has no credentials", self, sp);
		rc = AL_ECRED;
	}
	return rc;
}

static int assume_role(ctx *x, const char *profile, const char *role_arn, rt_creds *out)
{
	const rt_awsconfig *c = x->p->cfg;
	for (size_t i = 0; i < x->nchain; i++)
		if (strcmp(x->chain[i], profile) == 0) {
			msg(x->err, x->errcap, "profile %s: source_profile chain loops back to it", profile);
			return AL_ECRED;
		}
	if (x->nchain >= RT_CREDS_MAX_CHAIN) {
		msg(x->err, x->errcap, "profile %s: more than %d roles chained", profile,
		    RT_CREDS_MAX_CHAIN);
		return AL_ECRED;
	}
	const char *mfa = rt_awsconfig_get(c, profile, "mfa_serial");
	if (mfa && mfa[0]) {
		msg(x->err, x->errcap, "profile %s: mfa_serial is not supported by airlock (it cannot "
		    "prompt for a code); use a profile without MFA or credentials from the environment",
		    profile);
		return AL_ECRED;
	}
	const char *sp = rt_awsconfig_get(c, profile, "source_profile");
	const char *cs = rt_awsconfig_get(c, profile, "credential_source");
	if (sp && !sp[0])
		sp = NULL;
	if (cs && !cs[0])
		cs = NULL;
	if ((sp != NULL) == (cs != NULL)) {
		msg(x->err, x->errcap, "profile %s: role_arn needs exactly one of source_profile and "
		    "credential_source", profile);
		return AL_ECRED;
	}
	rt_creds *src = malloc(sizeof *src);
	if (!src) {
		msg(x->err, x->errcap, "out of memory");
		return AL_ENOMEM;
	}
	memset(src, 0, sizeof *src);
	x->chain[x->nchain++] = profile;
	int rc;
	if (sp) {
		rc = source_profile_creds(x, sp, profile, src);
	} else if (strcmp(cs, "Environment") == 0) {
		rc = from_env(x, src);
		if (rc == NA) {
			msg(x->err, x->errcap, "profile %s: credential_source Environment, but "
			    "AWS_ACCESS_KEY_ID is not set", profile);
			rc = AL_ECRED;
		}
	} else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
		rc = from_imds(x, src);
		if (rc == NA) {
			msg(x->err, x->errcap, "profile %s: credential_source Ec2InstanceMetadata, but %s",
			    profile, x->notes);
			rc = AL_ECRED;
		}
	} else if (strcmp(cs, "EcsContainer") == 0) {
		rc = from_container(x, src);
		if (rc == NA) {
			msg(x->err, x->errcap, "profile %s: credential_source EcsContainer, but no container "
			    "credentials are configured", profile);
			rc = AL_ECRED;
		}
	} else {
		msg(x->err, x->errcap, "profile %s: credential_source must be Environment, "
		    "Ec2InstanceMetadata or EcsContainer", profile);
		rc = AL_ECRED;
	}
	x->nchain--;
	if (rc) {
		rt_creds_wipe(src);
		free(src);
		return rc;
	}
	char session[80];
	const char *rsn = rt_awsconfig_get(c, profile, "role_session_name");
	if (!rsn || !rsn[0]) {
		snprintf(session, sizeof session, "airlock-session-%lld", (long long)time(NULL));
		rsn = session;
	}
	const char *ds = rt_awsconfig_get(c, profile, "duration_seconds");
	int dur = 0;
	if (ds && ds[0]) {
		char *end;
		long v = strtol(ds, &end, 10);
		if (*end || v < 900 || v > 43200) {
			rt_creds_wipe(src);
			free(src);
			msg(x->err, x->errcap, "profile %s: duration_seconds must be 900 to 43200", profile);
			return AL_ECRED;
		}
		dur = (int)v;
	}
	char endpoint[1024];
	const char *region = x->p->region;
	rc = rt_sts_endpoint(c, x->p->profile, region, endpoint, sizeof endpoint);
	if (rc) {
		rt_creds_wipe(src);
		free(src);
		msg(x->err, x->errcap, "profile %s: no usable STS endpoint for region %s", profile,
		    region ? region : "us-east-1");
		return AL_ECRED;
	}
	rt_sts_target t = { .endpoint = endpoint, .region = region ? region : "us-east-1",
		            .ca_bundle = rt_awsconfig_ca_bundle(c, x->p->profile), .http = http(x) };
	rt_sts_assume_role a = { .role_arn = role_arn, .role_session_name = rsn,
		                 .external_id = rt_awsconfig_get(c, profile, "external_id"),
		                 .duration_seconds = dur };
	rt_aws_error e;
	rc = rt_sts_assume_role_call(&t, src, &a, out, &e);
	rt_creds_wipe(src);
	free(src);
	if (rc) {
		if (e.code[0])
			msg(x->err, x->errcap, "profile %s: AssumeRole %s refused: %s: %s", profile, role_arn,
			    e.code, e.message);
		else
			msg(x->err, x->errcap, "profile %s: AssumeRole %s: %s", profile, role_arn,
			    e.message[0] ? e.message : al_strerror(rc));
		return AL_ECRED;
	}
	return 0;
}

/* AssumeRoleWithWebIdentity with the token in TOKEN_FILE (read at every
 * refresh: EKS rotates it).  WHERE names the configuration for messages. */
static int from_web_identity(ctx *x, const char *where, const char *role_arn,
                             const char *token_file, const char *session, rt_creds *out)
{
	if (!role_arn || !role_arn[0]) {
		msg(x->err, x->errcap, "%s: a web identity token file needs a role ARN (%s)", where,
		    strcmp(where, "environment") == 0 ? "AWS_ROLE_ARN" : "role_arn");
		return AL_ECRED;
	}
	FILE *f = fopen(token_file, "rb");
	if (!f) {
		msg(x->err, x->errcap, "%s: cannot read the web identity token file %s: %s", where,
		    token_file, strerror(errno));
		return AL_ECRED;
	}
	size_t cap = 65536;
	char *tok = malloc(cap);
	size_t n = tok ? fread(tok, 1, cap - 1, f) : 0;
	int big = tok && n == cap - 1 && fgetc(f) != EOF;
	fclose(f);
	if (!tok) {
		msg(x->err, x->errcap, "out of memory");
		return AL_ENOMEM;
	}
	tok[n] = '\0';
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		tok[--n] = '\0';
	int rc = 0;
	if (big || n == 0) {
		msg(x->err, x->errcap, "%s: the web identity token file %s is %s", where, token_file,
		    big ? "too large" : "empty");
		rc = AL_ECRED;
	}
	char sess[80];
	if (!session || !session[0]) {
		snprintf(sess, sizeof sess, "airlock-session-%lld", (long long)time(NULL));
		session = sess;
	}
	char endpoint[1024];
	const char *region = x->p->region;
	if (!rc && rt_sts_endpoint(x->p->cfg, x->p->profile, region, endpoint, sizeof endpoint)) {
		msg(x->err, x->errcap, "%s: no usable STS endpoint for region %s", where,
		    region ? region : "us-east-1");
		rc = AL_ECRED;
	}
	if (!rc) {
		rt_sts_target t = { .endpoint = endpoint, .region = region ? region : "us-east-1",
			            .ca_bundle = rt_awsconfig_ca_bundle(x->p->cfg, x->p->profile),
			            .http = http(x) };
		rt_sts_assume_role a = { .role_arn = role_arn, .role_session_name = session };
		rt_aws_error e;
		rc = rt_sts_assume_role_with_web_identity(&t, &a, tok, out, &e);
		if (rc) {
			if (e.code[0])
				msg(x->err, x->errcap, "%s: AssumeRoleWithWebIdentity %s refused: %s: %s",
				    where, role_arn, e.code, e.message);
			else
				msg(x->err, x->errcap, "%s: AssumeRoleWithWebIdentity %s: %s", where, role_arn,
				    e.message[0] ? e.message : al_strerror(rc));
			rc = AL_ECRED;
		}
	}
	rt_wipe(tok, cap);
	free(tok);
	return rc;
}

/* A profile's own credentials (not env, container or instance): NA when it
 * has none. */
static int from_profile(ctx *x, const char *profile, rt_creds *out)
{
	const rt_awsconfig *c = x->p->cfg;
	const char *role = rt_awsconfig_get(c, profile, "role_arn");
	const char *wit = rt_awsconfig_get(c, profile, "web_identity_token_file");
	if (role && role[0] && !(wit && wit[0]))
		return assume_role(x, profile, role, out);
	if (wit && wit[0]) {
		char where[300];
		snprintf(where, sizeof where, "profile %s", profile);
		return from_web_identity(x, where, role, wit,
		                         rt_awsconfig_get(c, profile, "role_session_name"), out);
	}
	int rc = from_sso(x, profile, out);
	if (rc != NA)
		return rc;
	rc = from_static(x, RT_AWSCONFIG_CREDENTIALS, profile, out);
	if (rc != NA)
		return rc;
	rc = from_process(x, profile, out);
	if (rc != NA)
		return rc;
	return from_static(x, RT_AWSCONFIG_CONFIG, profile, out);
}

static int resolve(rt_creds_provider *p, rt_creds *out, char *err, size_t errcap)
{
	ctx *x = calloc(1, sizeof *x);
	if (!x) {
		msg(err, errcap, "out of memory");
		return AL_ENOMEM;
	}
	x->p = p;
	x->err = err;
	x->errcap = errcap;
	int rc = NA;
	if (!p->explicit_profile)
		rc = from_env(x, out);
	else
		note(x->notes, sizeof x->notes, "environment: skipped (--profile given)");
	/* Web identity from the environment (EKS service accounts) comes after
	 * a profile's own role with a source, before everything else of the
	 * profile (botocore's order); the environment's values win over the
	 * profile's. */
	const char *wit = env("AWS_WEB_IDENTITY_TOKEN_FILE");
	if (rc == NA && wit) {
		int has = rt_awsconfig_has_profile(p->cfg, p->profile);
		const char *role = has ? rt_awsconfig_get(p->cfg, p->profile, "role_arn") : NULL;
		const char *pwit = has ? rt_awsconfig_get(p->cfg, p->profile, "web_identity_token_file")
		                       : NULL;
		int profile_role = role && role[0] && !(pwit && pwit[0]);
		if (!has && p->explicit_profile) {
			/* "profile not found" below */
		} else if (!profile_role) {
			const char *r = env("AWS_ROLE_ARN");
			const char *sn = env("AWS_ROLE_SESSION_NAME");
			if (!r && has)
				r = role;
			if (!sn && has)
				sn = rt_awsconfig_get(p->cfg, p->profile, "role_session_name");
			rc = from_web_identity(x, "environment", r, wit, sn, out);
		}
	}
	if (rc == NA) {
		if (rt_awsconfig_has_profile(p->cfg, p->profile)) {
			rc = from_profile(x, p->profile, out);
			if (rc == NA)
				note(x->notes, sizeof x->notes, "profile %s: no credentials in it", p->profile);
		} else if (p->explicit_profile || strcmp(p->profile, "default") != 0) {
			msg(err, errcap, "profile %s not found in %s or %s", p->profile,
			    rt_awsconfig_path(p->cfg, RT_AWSCONFIG_CONFIG),
			    rt_awsconfig_path(p->cfg, RT_AWSCONFIG_CREDENTIALS));
			rc = AL_ECRED;
		} else {
			note(x->notes, sizeof x->notes, "profile default: not in %s or %s",
			     rt_awsconfig_path(p->cfg, RT_AWSCONFIG_CONFIG),
			     rt_awsconfig_path(p->cfg, RT_AWSCONFIG_CREDENTIALS));
		}
	}
	if (rc == NA)
		rc = from_container(x, out);
	if (rc == NA)
		rc = from_imds(x, out);
	if (rc == NA) {
		msg(err, errcap, "no AWS credentials found (%s)", x->notes);
		rc = AL_ECRED;
	}
	if (rc == 0 && out->expiration && out->expiration <= (int64_t)time(NULL)) {
		msg(err, errcap, "the credentials from %s have already expired", out->source);
		rt_creds_wipe(out);
		rc = AL_ECRED;
	}
	rt_http_close(x->http);
	rt_wipe(x, sizeof *x);
	free(x);
	return rc;
}

int rt_creds_get(rt_creds_provider *p, rt_creds *out, char *err, size_t errcap)
{
	if (errcap)
		err[0] = '\0';
	pthread_mutex_lock(&p->lock);
	int64_t now = (int64_t)time(NULL);
	if (p->have && (p->cached.expiration == 0 ||
	                p->cached.expiration - now > RT_CREDS_REFRESH_SECONDS)) {
		*out = p->cached;
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	memset(out, 0, sizeof *out);
	int rc = resolve(p, out, err, errcap);
	if (rc == 0) {
		p->cached = *out;
		p->have = 1;
	} else if (p->have && p->cached.expiration > now) {
		/* The refresh failed but what we hold is still valid. */
		*out = p->cached;
		if (errcap)
			err[0] = '\0';
		rc = 0;
	} else if (p->have) {
		rt_creds_wipe(&p->cached);
		p->have = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}
