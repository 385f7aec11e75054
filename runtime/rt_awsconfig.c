/*
 * rt_awsconfig.c -- see rt_awsconfig.h.
 *
 * Each file is read whole into a buffer that the parser cuts in place
 * (NUL-terminating section names, keys and values); entries point into it.
 * Lookups scan the entries backwards, so a later section or key wins; the
 * files are small (tens of profiles), so a scan is cheaper than an index.
 */
#include "rt_awsconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alc_err.h"
#include "rt_sigv4.h"

#define MAX_FILE (16u << 20)

typedef struct entry {
	int file;
	const char *kind;          /* NULL: a profile; else "sso-session", "services", ... */
	const char *section;
	const char *key;           /* lowercase */
	const char *subkey;        /* lowercase, or NULL */
	const char *value;
} entry;

typedef struct section {
	int file;
	const char *kind;
	const char *name;
} section;

struct rt_awsconfig {
	char *text[2];
	size_t text_cap[2];
	char path[2][4096];
	entry *e;
	size_t n, cap;
	section *s;
	size_t ns, scap;
};

static int push_entry(rt_awsconfig *c, entry e)
{
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		entry *ne = realloc(c->e, nc * sizeof *ne);
		if (!ne)
			return AL_ENOMEM;
		c->e = ne;
		c->cap = nc;
	}
	c->e[c->n++] = e;
	return 0;
}

static int push_section(rt_awsconfig *c, section s)
{
	if (c->ns == c->scap) {
		size_t nc = c->scap ? c->scap * 2 : 16;
		section *ns = realloc(c->s, nc * sizeof *ns);
		if (!ns)
			return AL_ENOMEM;
		c->s = ns;
		c->scap = nc;
	}
	c->s[c->ns++] = s;
	return 0;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Trim S in place (it is NUL-terminated); returns the new start. */
static char *trim(char *s)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void lower_in_place(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Expand a leading "~/" with $HOME into OUT. */
static int expand_home(const char *in, char *out, size_t cap)
{
	int n;
	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0')) {
		const char *home = getenv("HOME");
		if (!home || !home[0])
			return -1;
		n = snprintf(out, cap, "%s%s", home, in + 1);
	} else {
		n = snprintf(out, cap, "%s", in);
	}
	return n >= 0 && (size_t)n < cap ? 0 : -1;
}

static int read_file(const char *path, char **text, size_t *cap, char *err, size_t errcap)
{
	*text = NULL;
	*cap = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return AL_EIO;
	}
	size_t c = 4096, n = 0;
	char *b = malloc(c);
	int rc = 0;
	while (b) {
		size_t r = fread(b + n, 1, c - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (c - n - 1 == 0) {
			if (c >= MAX_FILE) {
				rc = AL_ETOOBIG;
				break;
			}
			char *nb = malloc(c * 2);
			if (nb)
				memcpy(nb, b, n);
			rt_wipe(b, c);
			free(b);
			b = nb;
			c *= 2;
		}
	}
	if (!b)
		rc = AL_ENOMEM;
	else if (!rc && ferror(f))
		rc = AL_EIO;
	fclose(f);
	if (rc) {
		if (b) {
			rt_wipe(b, c);
			free(b);
		}
		snprintf(err, errcap, "%s: %s", path,
		         rc == AL_ETOOBIG ? "too large" : rc == AL_ENOMEM ? "out of memory" : "read error");
		return rc;
	}
	b[n] = '\0';
	*text = b;
	*cap = c;
	return 0;
}

/* Parse one file's text in place. */
static int parse(rt_awsconfig *c, int file, char *text, char *err, size_t errcap)
{
	const char *cur_kind = NULL, *cur_sec = NULL;
	int in_section = 0, ignored_section = 0;
	const char *nest_key = NULL;   /* key with an empty value: indented lines nest under it */
	int after_key = 0;
	unsigned lineno = 0;
	char *p = text;
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3; /* a UTF-8 byte order mark, as Windows editors write */
	while (*p) {
		char *line = p;
		char *nl = strchr(p, '\n');
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
		lineno++;
		int indented = is_space(line[0]);
		char *t = trim(line);
		if (!*t || *t == '#' || *t == ';')
			continue;
		if (indented && after_key) {
			/* Nested "subkey = value" under a key with an empty value;
			 * continuation lines of a non-empty value are dropped (no
			 * setting airlock reads is multi-line). */
			if (!nest_key || ignored_section)
				continue;
			char *eq = strpbrk(t, "=:");
			if (!eq)
				goto bad;
			*eq = '\0';
			char *sk = trim(t), *v = trim(eq + 1);
			lower_in_place(sk);
			if (push_entry(c, (entry){ file, cur_kind, cur_sec, nest_key, sk, v }))
				return AL_ENOMEM;
			continue;
		}
		if (*t == '[') {
			size_t l = strlen(t);
			if (l < 3 || t[l - 1] != ']')
				goto bad;
			t[l - 1] = '\0';
			char *name = trim(t + 1);
			in_section = 1;
			ignored_section = 0;
			after_key = 0;
			nest_key = NULL;
			cur_kind = NULL;
			if (file == RT_AWSCONFIG_CREDENTIALS) {
				cur_sec = name;
			} else if (strcmp(name, "default") == 0) {
				cur_sec = name;
			} else {
				char *sp = name;
				while (*sp && !is_space(*sp))
					sp++;
				if (!*sp) {
					ignored_section = 1; /* e.g. "[foo]" in config: not a profile */
					cur_sec = name;
					cur_kind = "other";
				} else {
					*sp = '\0';
					char *rest = trim(sp + 1);
					if (strcmp(name, "profile") == 0)
						cur_kind = NULL;
					else if (strcmp(name, "sso-session") == 0)
						cur_kind = "sso-session";
					else if (strcmp(name, "services") == 0)
						cur_kind = "services";
					else
						cur_kind = "other";
					cur_sec = rest;
				}
			}
			if (push_section(c, (section){ file, cur_kind, cur_sec }))
				return AL_ENOMEM;
			continue;
		}
		if (!in_section)
			goto bad;
		char *eq = strpbrk(t, "=:");
		if (!eq)
			goto bad;
		*eq = '\0';
		char *k = trim(t), *v = trim(eq + 1);
		if (!*k)
			goto bad;
		lower_in_place(k);
		after_key = 1;
		nest_key = *v ? NULL : k;
		if (push_entry(c, (entry){ file, cur_kind, cur_sec, k, NULL, v }))
			return AL_ENOMEM;
	}
	return 0;
bad:
	snprintf(err, errcap, "%s:%u: expected [section], key = value or a comment", c->path[file],
	         lineno);
	return AL_EINVAL;
}

int rt_awsconfig_load(rt_awsconfig **out, char *err, size_t errcap)
{
	*out = NULL;
	if (errcap)
		err[0] = '\0';
	rt_awsconfig *c = calloc(1, sizeof *c);
	if (!c)
		return AL_ENOMEM;
	static const char *const env[2] = { "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE" };
	static const char *const def[2] = { "~/.aws/config", "~/.aws/credentials" };
	for (int f = 0; f < 2; f++) {
		const char *v = getenv(env[f]);
		if (!v || !v[0])
			v = def[f];
		if (expand_home(v, c->path[f], sizeof c->path[f]) != 0) {
			c->path[f][0] = '\0'; /* no HOME: no file */
			continue;
		}
		int rc = read_file(c->path[f], &c->text[f], &c->text_cap[f], err, errcap);
		if (!rc && c->text[f])
			rc = parse(c, f, c->text[f], err, errcap);
		if (rc) {
			rt_awsconfig_free(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

int rt_awsconfig_load_text(rt_awsconfig **out, const char *config, const char *credentials,
                           char *err, size_t errcap)
{
	*out = NULL;
	if (errcap)
		err[0] = '\0';
	rt_awsconfig *c = calloc(1, sizeof *c);
	if (!c)
		return AL_ENOMEM;
	const char *text[2] = { config, credentials };
	static const char *const name[2] = { "(config)", "(credentials)" };
	for (int f = 0; f < 2; f++) {
		snprintf(c->path[f], sizeof c->path[f], "%s", name[f]);
		if (!text[f])
			continue;
		size_t n = strlen(text[f]);
		c->text[f] = malloc(n + 1);
		if (!c->text[f]) {
			rt_awsconfig_free(c);
			return AL_ENOMEM;
		}
		memcpy(c->text[f], text[f], n + 1);
		c->text_cap[f] = n + 1;
		int rc = parse(c, f, c->text[f], err, errcap);
		if (rc) {
			rt_awsconfig_free(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

void rt_awsconfig_free(rt_awsconfig *c)
{
	if (!c)
		return;
	for (int f = 0; f < 2; f++)
		if (c->text[f]) {
			rt_wipe(c->text[f], c->text_cap[f]);
			free(c->text[f]);
		}
	free(c->e);
	free(c->s);
	free(c);
}

const char *rt_awsconfig_path(const rt_awsconfig *c, int file)
{
	return c->path[file == RT_AWSCONFIG_CREDENTIALS];
}

const char *rt_awsconfig_profile_name(const char *explicit_profile)
{
	if (explicit_profile && explicit_profile[0])
		return explicit_profile;
	const char *v = getenv("AWS_PROFILE");
	if (v && v[0])
		return v;
	v = getenv("AWS_DEFAULT_PROFILE");
	if (v && v[0])
		return v;
	return "default";
}

static int same_kind(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int rt_awsconfig_has_profile(const rt_awsconfig *c, const char *profile)
{
	for (size_t i = 0; i < c->ns; i++)
		if (!c->s[i].kind && strcmp(c->s[i].name, profile) == 0)
			return 1;
	return 0;
}

static const char *find(const rt_awsconfig *c, int file, const char *kind, const char *sec,
                        const char *key, const char *subkey)
{
	for (size_t i = c->n; i-- > 0;) {
		const entry *e = &c->e[i];
		if (e->file != file || !same_kind(e->kind, kind) || strcmp(e->section, sec) != 0 ||
		    strcasecmp(e->key, key) != 0)
			continue;
		if (subkey ? !e->subkey || strcasecmp(e->subkey, subkey) != 0 : e->subkey != NULL)
			continue;
		return e->value;
	}
	return NULL;
}

const char *rt_awsconfig_get_in(const rt_awsconfig *c, int file, const char *profile,
                                const char *key)
{
	return find(c, file == RT_AWSCONFIG_CREDENTIALS, NULL, profile, key, NULL);
}

const char *rt_awsconfig_get(const rt_awsconfig *c, const char *profile, const char *key)
{
	const char *v = find(c, RT_AWSCONFIG_CREDENTIALS, NULL, profile, key, NULL);
	return v ? v : find(c, RT_AWSCONFIG_CONFIG, NULL, profile, key, NULL);
}

const char *rt_awsconfig_section_get(const rt_awsconfig *c, const char *kind, const char *name,
                                     const char *key, const char *subkey)
{
	return find(c, RT_AWSCONFIG_CONFIG, kind, name, key, subkey);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

const char *rt_awsconfig_region(const rt_awsconfig *c, const char *profile)
{
	const char *v = env_nonempty("AWS_REGION");
	if (!v)
		v = env_nonempty("AWS_DEFAULT_REGION");
	if (!v && c && profile) {
		v = rt_awsconfig_get(c, profile, "region");
		if (v && !v[0])
			v = NULL;
	}
	return v;
}

int rt_awsconfig_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

const char *rt_awsconfig_endpoint_url(const rt_awsconfig *c, const char *profile,
                                      const char *service_id)
{
	if (rt_awsconfig_true(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
		return NULL;
	if (c && profile &&
	    rt_awsconfig_true(rt_awsconfig_get(c, profile, "ignore_configured_endpoint_urls")) &&
	    !getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
		return NULL;
	char name[128] = "AWS_ENDPOINT_URL_";
	char key[96];
	size_t n = strlen(name), k = 0;
	for (const char *s = service_id; *s && n + 1 < sizeof name && k + 1 < sizeof key; s++) {
		char ch = *s == ' ' ? '_' : *s;
		name[n++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
		key[k++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	name[n] = '\0';
	key[k] = '\0';
	const char *v = env_nonempty(name);
	if (v)
		return v;
	v = env_nonempty("AWS_ENDPOINT_URL");
	if (v)
		return v;
	if (!c || !profile)
		return NULL;
	const char *svc = rt_awsconfig_get(c, profile, "services");
	if (svc && svc[0]) {
		v = rt_awsconfig_section_get(c, "services", svc, key, "endpoint_url");
		if (v && v[0])
			return v;
	}
	v = rt_awsconfig_get(c, profile, "endpoint_url");
	return v && v[0] ? v : NULL;
}

const char *rt_awsconfig_ca_bundle(const rt_awsconfig *c, const char *profile)
{
	const char *v = env_nonempty("AWS_CA_BUNDLE");
	if (v || !c || !profile)
		return v;
	v = rt_awsconfig_get(c, profile, "ca_bundle");
	return v && v[0] ? v : NULL;
}
