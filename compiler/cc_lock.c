/* cc_lock.c -- see cc_lock.h */
#include "cc_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alc_err.h"

/* ---- shapes --------------------------------------------------------- */

int cc_lock_is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* GitHub's owner/name: one slash, no empty half, no "." or ".." halves
 * (the value ends up in URLs and in a cache directory name). */
int cc_lock_valid_repository(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return 0;
	for (const char *p = s; *p; p++)
		if (p != slash && !name_char(*p))
			return 0;
	if (s[0] == '.' || slash[1] == '.')
		return 0;
	return strlen(s) < 128;
}

static int valid_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	int mon = (s[5] - '0') * 10 + (s[6] - '0');
	int day = (s[8] - '0') * 10 + (s[9] - '0');
	return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

/* ---- the line parser ------------------------------------------------ */

/* Called per "key = value"; returns NULL or a message (static text). */
typedef const char *(*kv_set_fn)(void *ctx, const char *key, const char *val,
                                 size_t vlen);

static int kv_parse(const char *text, size_t len, const char *name, int trailing_comments,
                    kv_set_fn set, void *ctx, char *err, size_t errcap)
{
	size_t pos = 0;
	int line = 0;
	while (pos < len) {
		line++;
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll && l[ll - 1] == '\r')   /* CRLF from an editor */
			ll--;
		if (ll > CC_KV_LINE_MAX) {
			snprintf(err, errcap, "%s:%d: line longer than %d bytes", name, line,
			         CC_KV_LINE_MAX);
			return AL_EINVAL;
		}
		for (size_t i = 0; i < ll; i++)
			if ((unsigned char)l[i] < 0x20 && l[i] != '\t') {
				snprintf(err, errcap, "%s:%d: control byte 0x%02x", name, line,
				         (unsigned char)l[i]);
				return AL_EINVAL;
			}
		size_t i = 0;
		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i == ll || l[i] == '#')
			continue;
		char key[32];
		size_t k = 0;
		while (i < ll && ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') ||
		                  l[i] == '_')) {
			if (k + 1 >= sizeof key) {
				snprintf(err, errcap, "%s:%d: key too long", name, line);
				return AL_EINVAL;
			}
			key[k++] = l[i++];
		}
		key[k] = '\0';
		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (!k || i == ll || l[i] != '=') {
			snprintf(err, errcap, "%s:%d: expected \"key = value\"", name, line);
			return AL_EINVAL;
		}
		i++;
		while (i < ll && (l[i] == ' ' || l[i] == '\t'))
			i++;
		size_t vs = i, ve = ll;
		if (trailing_comments)
			for (size_t j = vs; j < ll; j++)
				if (l[j] == '#' && (j == vs || l[j - 1] == ' ' || l[j - 1] == '\t')) {
					ve = j;
					break;
				}
		while (ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
			ve--;
		const char *msg = set(ctx, key, l + vs, ve - vs);
		if (msg) {
			snprintf(err, errcap, "%s:%d: %s", name, line, msg);
			return AL_EINVAL;
		}
	}
	return 0;
}

/* Copy a value into a field; NULL or a message. */
static const char *put(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return "value too long";
	memcpy(dst, v, n);
	dst[n] = '\0';
	return NULL;
}

static const char *put_u64(uint64_t *dst, const char *v, size_t n)
{
	if (!n || n > 19)
		return "expected a number";
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return "expected a number";
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*dst = x;
	return NULL;
}

/* ---- the lock ------------------------------------------------------- */

typedef struct lock_ctx {
	cc_lock *l;
	unsigned seen;
} lock_ctx;

static const char *const lock_keys[] = { "repository", "commit", "date", "archive_sha256",
                                         "branch" };

static const char *lock_set(void *vctx, const char *key, const char *v, size_t n)
{
	lock_ctx *c = vctx;
	cc_lock *l = c->l;
	size_t k = 0;
	while (k < sizeof lock_keys / sizeof lock_keys[0] && strcmp(lock_keys[k], key) != 0)
		k++;
	if (k == sizeof lock_keys / sizeof lock_keys[0])
		return "unknown key (expected repository, commit, date, archive_sha256 or branch)";
	if (c->seen & (1u << k))
		return "key given twice";
	c->seen |= 1u << k;
	const char *msg;
	switch (k) {
	case 0:
		if ((msg = put(l->repository, sizeof l->repository, v, n)))
			return msg;
		return cc_lock_valid_repository(l->repository) ? NULL
		       : "repository: expected owner/name";
	case 1:
		if ((msg = put(l->commit, sizeof l->commit, v, n)) || !cc_lock_is_hex(l->commit, 40))
			return "commit: expected 40 lower-case hex digits";
		return NULL;
	case 2:
		if ((msg = put(l->date, sizeof l->date, v, n)) || (n && !valid_date(l->date)))
			return "date: expected YYYY-MM-DD";
		return NULL;
	case 3:
		if ((msg = put(l->archive_sha256, sizeof l->archive_sha256, v, n)) ||
		    (n && !cc_lock_is_hex(l->archive_sha256, 64)))
			return "archive_sha256: expected 64 lower-case hex digits (or nothing)";
		return NULL;
	default:
		if ((msg = put(l->branch, sizeof l->branch, v, n)))
			return msg;
		for (size_t i = 0; i < n; i++)
			if (!name_char(v[i]) && v[i] != '/')
				return "branch: unexpected character";
		return n && v[0] != '.' && v[0] != '/' && !strstr(l->branch, "..") ? NULL
		       : "branch: expected a branch name";
	}
}

int cc_lock_parse(const char *text, size_t len, const char *name, cc_lock *out,
                  char *err, size_t errcap)
{
	memset(out, 0, sizeof *out);
	lock_ctx c = { out, 0 };
	int rc = kv_parse(text, len, name, 1, lock_set, &c, err, errcap);
	if (rc)
		return rc;
	if (!(c.seen & 1u) || !(c.seen & 2u)) {
		snprintf(err, errcap, "%s: needs repository = OWNER/NAME and commit = SHA", name);
		return AL_EINVAL;
	}
	if (!out->branch[0])
		snprintf(out->branch, sizeof out->branch, "main");
	return 0;
}

static int read_file(const char *path, cc_buf *b, size_t max, char *err, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? AL_ENOENT : AL_EIO;
	}
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (b->len + n > max) {
			fclose(f);
			snprintf(err, errcap, "%s: larger than %zu bytes", path, max);
			return AL_EINVAL;
		}
		cc_buf_put(b, tmp, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errcap, "%s: read error", path);
		return AL_EIO;
	}
	return 0;
}

int cc_lock_load(const char *path, cc_lock *out, char *err, size_t errcap)
{
	cc_buf b = { 0 };
	int rc = read_file(path, &b, 1u << 16, err, errcap);
	if (rc == 0)
		rc = cc_lock_parse(b.p ? (const char *)b.p : "", b.len, path, out, err, errcap);
	cc_buf_free(&b);
	return rc;
}

/* Does line L (LL bytes) set KEY?  Then *vs..*ve is its value (without a
 * trailing comment), which a rewrite replaces. */
static int line_sets(const char *l, size_t ll, const char *key, size_t *vs, size_t *ve)
{
	size_t i = 0, kl = strlen(key);
	while (i < ll && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (ll - i < kl || memcmp(l + i, key, kl) != 0)
		return 0;
	i += kl;
	while (i < ll && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i == ll || l[i] != '=')
		return 0;
	i++;
	while (i < ll && (l[i] == ' ' || l[i] == '\t'))
		i++;
	*vs = i;
	size_t e = ll;
	for (size_t j = i; j < ll; j++)
		if (l[j] == '#' && (j == i || l[j - 1] == ' ' || l[j - 1] == '\t')) {
			e = j;
			break;
		}
	while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	*ve = e;
	return 1;
}

void cc_lock_rewrite(const char *text, size_t len, const cc_lock *l, cc_buf *out)
{
	const char *keys[] = { "commit", "date", "archive_sha256" };
	const char *vals[] = { l->commit, l->date, l->archive_sha256 };
	int done[3] = { 0, 0, 0 };
	size_t pos = 0;
	while (pos < len) {
		const char *ln = text + pos;
		const char *nl = memchr(ln, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - ln) : len - pos;
		size_t full = ll + (nl ? 1 : 0);
		pos += full;
		size_t body = ll && ln[ll - 1] == '\r' ? ll - 1 : ll;
		int replaced = 0;
		for (int k = 0; k < 3 && !replaced; k++) {
			size_t vs, ve;
			if (done[k] || !line_sets(ln, body, keys[k], &vs, &ve))
				continue;
			cc_buf_put(out, ln, vs);
			/* "key =" with nothing after it gets the usual space */
			if (vs && ln[vs - 1] == '=' && vals[k][0])
				cc_buf_u8(out, ' ');
			cc_buf_put(out, vals[k], strlen(vals[k]));
			/* the comment after the value, and the line end, stay */
			cc_buf_put(out, ln + ve, full - ve);
			done[k] = replaced = 1;
		}
		if (!replaced)
			cc_buf_put(out, ln, full);
	}
	for (int k = 0; k < 3; k++) {
		if (done[k])
			continue;
		if (out->len && out->p[out->len - 1] != '\n')
			cc_buf_u8(out, '\n');
		cc_buf_printf(out, "%s = %s\n", keys[k], vals[k]);
	}
}

int cc_lock_store(const char *path, const cc_lock *l, char *err, size_t errcap)
{
	cc_buf old = { 0 }, neu = { 0 };
	int rc = read_file(path, &old, 1u << 16, err, errcap);
	if (rc == 0) {
		cc_lock_rewrite(old.p ? (const char *)old.p : "", old.len, l, &neu);
		struct stat st;
		unsigned mode = stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644u;
		rc = cc_lock_write_atomic(path, neu.p, neu.len, mode, err, errcap);
	}
	cc_buf_free(&old);
	cc_buf_free(&neu);
	return rc;
}

/* ---- metadata ------------------------------------------------------- */

typedef struct meta_ctx {
	cc_meta *m;
	unsigned seen;
} meta_ctx;

static const char *const meta_keys[] = { "url", "etag", "last_modified", "sha256", "tree",
                                         "source", "commit", "size", "models" };

static const char *meta_set(void *vctx, const char *key, const char *v, size_t n)
{
	meta_ctx *c = vctx;
	cc_meta *m = c->m;
	size_t k = 0;
	while (k < sizeof meta_keys / sizeof meta_keys[0] && strcmp(meta_keys[k], key) != 0)
		k++;
	if (k == sizeof meta_keys / sizeof meta_keys[0])
		return "unknown key";
	if (c->seen & (1u << k))
		return "key given twice";
	c->seen |= 1u << k;
	const char *msg;
	switch (k) {
	case 0: return put(m->url, sizeof m->url, v, n);
	case 1: return put(m->etag, sizeof m->etag, v, n);
	case 2: return put(m->last_modified, sizeof m->last_modified, v, n);
	case 3:
		if ((msg = put(m->sha256, sizeof m->sha256, v, n)) || !cc_lock_is_hex(m->sha256, 64))
			return "sha256: expected 64 lower-case hex digits";
		return NULL;
	case 4:
		/* a directory name inside the cache: nothing that climbs out */
		if ((msg = put(m->tree, sizeof m->tree, v, n)))
			return msg;
		if (!n || v[0] == '.')
			return "tree: expected a directory name";
		for (size_t i = 0; i < n; i++)
			if (!name_char(v[i]))
				return "tree: expected a directory name";
		return NULL;
	case 5: return put(m->source, sizeof m->source, v, n);
	case 6:
		if ((msg = put(m->commit, sizeof m->commit, v, n)) || !cc_lock_is_hex(m->commit, 40))
			return "commit: expected 40 lower-case hex digits";
		return NULL;
	case 7: return put_u64(&m->size, v, n);
	default: return put_u64(&m->models, v, n);
	}
}

int cc_meta_parse(const char *text, size_t len, const char *name, cc_meta *out,
                  char *err, size_t errcap)
{
	memset(out, 0, sizeof *out);
	meta_ctx c = { out, 0 };
	return kv_parse(text, len, name, 0, meta_set, &c, err, errcap);
}

int cc_meta_load(const char *path, cc_meta *out, char *err, size_t errcap)
{
	cc_buf b = { 0 };
	int rc = read_file(path, &b, 1u << 16, err, errcap);
	if (rc == 0)
		rc = cc_meta_parse(b.p ? (const char *)b.p : "", b.len, path, out, err, errcap);
	else
		memset(out, 0, sizeof *out);
	cc_buf_free(&b);
	return rc;
}

void cc_meta_format(const cc_meta *m, cc_buf *out)
{
	cc_buf_printf(out, "# written by airlock-compile sync; safe to delete with the cache\n");
	const char *keys[] = { "url", "etag", "last_modified", "sha256", "tree", "source",
	                       "commit" };
	const char *vals[] = { m->url, m->etag, m->last_modified, m->sha256, m->tree,
	                       m->source, m->commit };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (vals[i][0])
			cc_buf_printf(out, "%s = %s\n", keys[i], vals[i]);
	if (m->size)
		cc_buf_printf(out, "size = %" PRIu64 "\n", m->size);
	if (m->models)
		cc_buf_printf(out, "models = %" PRIu64 "\n", m->models);
}

int cc_meta_store(const char *path, const cc_meta *m, char *err, size_t errcap)
{
	cc_buf b = { 0 };
	cc_meta_format(m, &b);
	int rc = cc_lock_write_atomic(path, b.p, b.len, 0644, err, errcap);
	cc_buf_free(&b);
	return rc;
}

/* ---- atomic writes -------------------------------------------------- */

int cc_lock_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, char *err, size_t errcap)
{
	size_t pl = strlen(path);
	char *tmp = cc_xmalloc(pl + 16);
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errcap, "%s: cannot create a file beside it: %s", path, strerror(e));
		free(tmp);
		return e == ENOSPC ? AL_ENOSPC : AL_EIO;
	}
	const char *p = data;
	size_t left = len;
	int e = 0;
	while (left && !e) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			e = w < 0 ? errno : EIO;
		else {
			p += w;
			left -= (size_t)w;
		}
	}
	if (!e && fchmod(fd, (mode_t)mode) != 0)
		e = errno;
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		snprintf(err, errcap, "%s: %s", path, strerror(e));
		free(tmp);
		return e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO;
	}
	free(tmp);
	/* the rename is durable once the directory is */
	char *dir = cc_xstrndup(path, pl);
	char *slash = strrchr(dir, '/');
	const char *d = ".";
	if (slash) {
		*slash = '\0';
		d = slash == dir ? "/" : dir;
	}
	int dfd = open(d, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;
}
