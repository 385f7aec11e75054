/* cc_sync.c -- see cc_sync.h */
#include "cc_sync.h"
#include "cc_build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bearssl_hash.h>
#include <cjson/cJSON.h>

#include "alc_err.h"
#include "cc_fetch.h"
#include "cc_lock.h"
#include "cc_unpack.h"
#include "cc_util.h"

#define P PATH_MAX

typedef struct sync_opts {
	const char *lock_path;
	const char *from[32];
	size_t nfrom;
	const char *url;
	const char *sha256;       /* expected digest of --url */
	const char *branch;       /* --update: overrides the lock's */
	int update, record_digest, status, quiet, progress;
	cc_unpack_opts lim;
} sync_opts;

typedef struct cache {
	char dir[P];
	int lockfd;
} cache;

static const sync_opts *g_o;   /* for say(): one sync per process */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	if (g_o && g_o->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("sync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("airlock-compile: sync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return rc;
}

static int errno_rc(int e)
{
	return e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO;
}

static void pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, P, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= P) {
		fputs("airlock-compile: sync: path too long\n", stderr);
		exit(1);
	}
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int mkdir_p(const char *path)
{
	char tmp[P];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return -1;
	return is_dir(tmp) ? 0 : -1;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void rm_tree(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fsync_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static void hex(const unsigned char *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static int sha256_file(const char *path, char out[65], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(AL_EIO, "%s: %s", path, strerror(errno));
	br_sha256_context c;
	br_sha256_init(&c);
	static unsigned char buf[1 << 16];
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return fail(AL_EIO, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		br_sha256_update(&c, buf, (size_t)n);
		total += (uint64_t)n;
	}
	close(fd);
	unsigned char d[32];
	br_sha256_out(&c, d);
	hex(d, 32, out);
	if (size)
		*size = total;
	return 0;
}

static void sha256_str(const char *s, char out[65])
{
	br_sha256_context c;
	br_sha256_init(&c);
	br_sha256_update(&c, s, strlen(s));
	unsigned char d[32];
	br_sha256_out(&c, d);
	hex(d, 32, out);
}

/* ---- the cache ------------------------------------------------------ */

int cc_sync_cache_dir(char *buf, size_t cap)
{
	const char *e = getenv("AIRLOCK_CACHE");
	if (e && *e)
		return (size_t)snprintf(buf, cap, "%s", e) < cap ? 0 : AL_EINVAL;
	e = getenv("XDG_CACHE_HOME");
	if (e && *e == '/')   /* the XDG spec: relative values are ignored */
		return (size_t)snprintf(buf, cap, "%s/airlock", e) < cap ? 0 : AL_EINVAL;
	e = getenv("HOME");
	if (e && *e)
		return (size_t)snprintf(buf, cap, "%s/.cache/airlock", e) < cap ? 0 : AL_EINVAL;
	return AL_ENOENT;
}

/* The tree `current` names ("" when none). */
static void current_tree(const cache *c, char *name, size_t cap)
{
	char link[P], target[P];
	pathf(link, "%s/current", c->dir);
	ssize_t n = readlink(link, target, sizeof target - 1);
	name[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	if (strncmp(target, "models/", 7) != 0)
		return;
	const char *t = target + 7;
	if (cc_unpack_plain_name(t, strlen(t)))
		snprintf(name, cap, "%s", t);
}

static int load_marker(const cache *c, const char *tree, cc_meta *m)
{
	char p[P], err[512];
	pathf(p, "%s/models/%s/.airlock-sync", c->dir, tree);
	return cc_meta_load(p, m, err, sizeof err);
}

int cc_sync_current(char *buf, size_t cap, char *err, size_t errcap)
{
	cache c;
	if (cc_sync_cache_dir(c.dir, sizeof c.dir) != 0) {
		snprintf(err, errcap, "no cache directory (set AIRLOCK_CACHE or HOME)");
		return AL_ENOENT;
	}
	char tree[256];
	current_tree(&c, tree, sizeof tree);
	cc_meta m;
	if (!*tree || load_marker(&c, tree, &m) != 0) {
		snprintf(err, errcap, "no models are synced in %s yet", c.dir);
		return AL_ENOENT;
	}
	char p[P];
	pathf(p, "%s/models/%s", c.dir, tree);
	char *r = realpath(p, NULL);
	if (!r || strlen(r) >= cap) {
		free(r);
		snprintf(err, errcap, "%s: cannot resolve", p);
		return AL_ENOENT;
	}
	snprintf(buf, cap, "%s", r);
	free(r);
	return 0;
}

static int cache_open(cache *c)
{
	if (cc_sync_cache_dir(c->dir, sizeof c->dir) != 0)
		return fail(AL_EINVAL, "no cache directory: set AIRLOCK_CACHE (or HOME)");
	char p[P];
	pathf(p, "%s/models", c->dir);
	if (mkdir_p(p) != 0)
		return fail(errno_rc(errno), "cannot create %s: %s", p, strerror(errno));
	pathf(p, "%s/downloads", c->dir);
	if (mkdir_p(p) != 0)
		return fail(errno_rc(errno), "cannot create %s: %s", p, strerror(errno));
	pathf(p, "%s/sync.lock", c->dir);
	c->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (c->lockfd < 0)
		return fail(errno_rc(errno), "cannot create %s: %s", p, strerror(errno));
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) != 0) {
		say("waiting for another sync of %s to finish", c->dir);
		if (flock(c->lockfd, LOCK_EX) != 0)
			return fail(AL_EIO, "cannot lock %s: %s", p, strerror(errno));
	}
	/* A sync that was killed leaves its work directories: ours now. */
	pathf(p, "%s/models", c->dir);
	DIR *d = opendir(p);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".tmp-", 5) == 0 || strncmp(de->d_name, ".old-", 5) == 0) {
			char t[P];
			pathf(t, "%s/%s", p, de->d_name);
			rm_tree(t);
		}
	if (d)
		closedir(d);
	return 0;
}

static void cache_close(cache *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd);   /* releases the flock */
	c->lockfd = -1;
}

/* A fresh work directory models/.tmp-XXXXXX. */
static int make_tmp(const cache *c, char *out)
{
	pathf(out, "%s/models/.tmp-XXXXXX", c->dir);
	if (!mkdtemp(out))
		return fail(errno_rc(errno), "cannot create a work directory in %s/models: %s", c->dir,
		            strerror(errno));
	chmod(out, 0755);
	return 0;
}

/* Point `current` at models/TREE: a new symlink renamed over the old. */
static int switch_current(const cache *c, const char *tree)
{
	char link[P], tmp[P], target[P];
	pathf(link, "%s/current", c->dir);
	pathf(tmp, "%s/.current-%ld", c->dir, (long)getpid());
	pathf(target, "models/%s", tree);
	unlink(tmp);
	if (symlink(target, tmp) != 0)
		return fail(errno_rc(errno), "cannot create %s: %s", tmp, strerror(errno));
	if (rename(tmp, link) != 0) {
		int e = errno;
		unlink(tmp);
		return fail(errno_rc(e), "cannot replace %s: %s", link, strerror(e));
	}
	fsync_dir(c->dir);
	return 0;
}

/* Remove every tree but KEEP1 and KEEP2. */
static void gc(const cache *c, const char *keep1, const char *keep2)
{
	char p[P];
	pathf(p, "%s/models", c->dir);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, keep1) == 0 ||
		    (keep2 && strcmp(de->d_name, keep2) == 0))
			continue;
		char t[P];
		pathf(t, "%s/%s", p, de->d_name);
		rm_tree(t);
	}
	closedir(d);
}

/* Make TREE current; trees other than it and the previous current go. */
static int make_current(const cache *c, const char *tree)
{
	char prev[256];
	current_tree(c, prev, sizeof prev);
	if (strcmp(prev, tree) == 0)
		return 0;   /* nothing moved: nothing to collect either */
	int rc = switch_current(c, tree);
	if (rc)
		return rc;
	gc(c, tree, *prev ? prev : NULL);
	return 0;
}

/* Finish work directory TMP as models/TREE: write SOURCE and the marker,
 * flush the file system, rename. */
static int install_tree(const cache *c, const char *tmp, const char *tree, const cc_meta *mark,
                        const char *source_text)
{
	char p[P], err[1024];
	int rc;
	pathf(p, "%s/SOURCE", tmp);
	if ((rc = cc_lock_write_atomic(p, source_text, strlen(source_text), 0644, err,
	                               sizeof err)) != 0)
		return fail(rc, "%s", err);
	pathf(p, "%s/.airlock-sync", tmp);
	if ((rc = cc_meta_store(p, mark, err, sizeof err)) != 0)
		return fail(rc, "%s", err);
	/* every file written above reaches the disk before the tree can be
	 * seen complete */
	int fd = open(tmp, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		if (syncfs(fd) != 0) {
			int e = errno;
			close(fd);
			return fail(errno_rc(e), "cannot flush %s: %s", tmp, strerror(e));
		}
		close(fd);
	}
	char dst[P];
	pathf(dst, "%s/models/%s", c->dir, tree);
	if (is_dir(dst)) {
		/* damaged or unverifiable copy of the same tree: set it aside */
		char old[P];
		pathf(old, "%s/models/.old-%s", c->dir, tree);
		rm_tree(old);
		if (rename(dst, old) != 0)
			return fail(errno_rc(errno), "cannot replace %s: %s", dst, strerror(errno));
		rm_tree(old);
	}
	if (rename(tmp, dst) != 0)
		return fail(errno_rc(errno), "cannot rename %s to %s: %s", tmp, dst, strerror(errno));
	pathf(p, "%s/models", c->dir);
	fsync_dir(p);
	return 0;
}

/* ---- downloads ------------------------------------------------------ */

static int is_http(const char *u)
{
	return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

/* The digest of a local archive, checked against EXPECTED ("" for none). */
static int check_local(const char *path, const char *expected, char sha[65], uint64_t *size)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(AL_ENOENT, "%s: no such archive file", path);
	int rc = sha256_file(path, sha, size);
	if (rc)
		return rc;
	if (expected[0] && strcmp(expected, sha) != 0)
		return fail(AL_EDIGEST, "checksum mismatch for %s:\n  expected SHA-256 %s\n"
		            "  got      SHA-256 %s\nnothing was unpacked; the synced models are "
		            "unchanged", path, expected, sha);
	return 0;
}

typedef struct dl {
	char key[256];          /* downloads/<key>.* */
	const char *url;
	const char *expected;   /* digest to check, "" for none */
	int conditional;        /* send the stored validators */
	/* results */
	char part[P];           /* the complete archive (a .part file) */
	char sha[65];
	uint64_t size;
	int not_modified;
	cc_meta meta;           /* the stored .meta (validators of the last
	                           archive fetched), updated on success */
} dl;

/* cc_fetch's on_start: the validators of the answer whose bytes are about
 * to go into the .part file, kept beside it (.part.meta) before the first
 * byte, so that even a killed sync leaves a download the next one resumes. */
typedef struct start_ctx {
	const char *pmpath;
	const char *shown;
} start_ctx;

static int on_start(void *vctx, const cc_fetch_res *res)
{
	start_ctx *s = vctx;
	char err[1024];
	if (!res->etag[0] && !res->last_modified[0]) {
		unlink(s->pmpath);   /* nothing to resume against */
		return 0;
	}
	cc_meta keep;
	memset(&keep, 0, sizeof keep);
	snprintf(keep.url, sizeof keep.url, "%s", s->shown);
	snprintf(keep.etag, sizeof keep.etag, "%s", res->etag);
	snprintf(keep.last_modified, sizeof keep.last_modified, "%s", res->last_modified);
	if (cc_meta_store(s->pmpath, &keep, err, sizeof err) != 0)
		unlink(s->pmpath);   /* then the next sync starts over */
	return 0;
}

static int download(const sync_opts *o, const cache *c, dl *d)
{
	char shown[1024], mpath[P], pmpath[P], err[1024];
	cc_fetch_redact(d->url, shown, sizeof shown);
	pathf(mpath, "%s/downloads/%s.meta", c->dir, d->key);
	pathf(pmpath, "%s/downloads/%s.part.meta", c->dir, d->key);
	pathf(d->part, "%s/downloads/%s.part", c->dir, d->key);
	int rc = cc_meta_load(mpath, &d->meta, err, sizeof err);
	if (rc != 0 && rc != AL_ENOENT)
		say("ignoring damaged %s (%s)", mpath, err);
	if (rc != 0 || strcmp(d->meta.url, shown) != 0)
		memset(&d->meta, 0, sizeof d->meta);

	for (int attempt = 0; attempt < 2; attempt++) {
		/* a partial download is resumed only when its validators say
		 * which version of the file its bytes belong to */
		cc_meta pm;
		uint64_t have = 0;
		struct stat st;
		if (cc_meta_load(pmpath, &pm, err, sizeof err) == 0 && strcmp(pm.url, shown) == 0 &&
		    (pm.etag[0] || pm.last_modified[0]) && stat(d->part, &st) == 0 && st.st_size > 0)
			have = (uint64_t)st.st_size;
		else
			memset(&pm, 0, sizeof pm);
		const char *if_range = pm.etag[0] && strncmp(pm.etag, "W/", 2) != 0 ? pm.etag
		                       : pm.last_modified[0] ? pm.last_modified : NULL;
		if (!if_range)
			have = 0;
		int fd = open(d->part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail(errno_rc(errno), "cannot create %s: %s", d->part, strerror(errno));
		if (ftruncate(fd, (off_t)have) != 0) {
			int e = errno;
			close(fd);
			return fail(errno_rc(e), "%s: %s", d->part, strerror(e));
		}
		int cond = d->conditional && d->meta.tree[0] && !have;
		char lbl[64];
		snprintf(lbl, sizeof lbl, "sync: downloading");
		if (have) {
			char hb[32];
			cc_fetch_bytes(have, hb, sizeof hb);
			say("resuming %s after %s", shown, hb);
		} else if (cond)
			say("checking %s (conditional request)", shown);
		else
			say("downloading %s", shown);
		start_ctx sctx = { pmpath, shown };
		cc_fetch_req r = {
			.url = d->url, .fd = fd, .resume_from = have, .if_range = if_range,
			.if_none_match = cond ? d->meta.etag : NULL,
			.if_modified_since = cond ? d->meta.last_modified : NULL,
			.progress = o->progress, .label = lbl,
			.on_start = on_start, .ctx = &sctx,
		};
		cc_fetch_res res;
		rc = cc_fetch(&r, &res);
		int ce = close(fd) != 0 ? errno : 0;
		if (rc == 0 && ce)
			rc = fail(errno_rc(ce), "%s: %s", d->part, strerror(ce));
		else if (rc == 0 && res.status == 304) {
			d->not_modified = 1;
			unlink(d->part);
			unlink(pmpath);
			return 0;
		}
		if (rc == AL_EHTTP && res.status == 416 && have) {
			/* our partial file is not a prefix of what the server has */
			unlink(d->part);
			unlink(pmpath);
			continue;
		}
		if (rc != 0) {
			struct stat ps;
			/* the bytes so far stay when the failure says nothing about
			 * them: a broken connection, a stall, a server error */
			int transient = rc == AL_ENET || rc == AL_ETIMEOUT ||
			                (rc == AL_EHTTP && res.status >= 500);
			if (transient && stat(d->part, &ps) == 0 && ps.st_size > 0 &&
			    access(pmpath, F_OK) == 0) {
				/* on_start kept the validators: the next sync continues */
				fail(rc, "%s", res.err);
				return fail(rc, "the partial download is kept in %s: run sync again "
				                "to resume it (the synced models are unchanged)", d->part);
			}
			unlink(d->part);
			unlink(pmpath);
			if (rc == AL_ENOSPC)
				return fail(rc, "%s (the partial download was deleted; the synced models "
				                "are unchanged)", res.err);
			return fail(rc, "%s", res.err);
		}
		/* complete */
		if ((rc = sha256_file(d->part, d->sha, &d->size)) != 0)
			return rc;
		char got[32];
		cc_fetch_bytes(res.received, got, sizeof got);
		if (res.total && d->size != res.total) {
			unlink(d->part);
			unlink(pmpath);
			return fail(AL_EPROTO, "%s: got %" PRIu64 " bytes, the server announced %" PRIu64,
			            shown, d->size, res.total);
		}
		if (res.appended) {
			char all[32];
			cc_fetch_bytes(d->size, all, sizeof all);
			say("downloaded the remaining %s (%s in all)", got, all);
		} else
			say("downloaded %s", got);
		if (d->expected[0] && strcmp(d->sha, d->expected) != 0) {
			unlink(d->part);
			unlink(pmpath);
			return fail(AL_EDIGEST, "checksum mismatch for %s:\n  expected SHA-256 %s\n"
			            "  got      SHA-256 %s\nthe download was deleted and nothing was "
			            "unpacked; the synced models are unchanged", shown, d->expected,
			            d->sha);
		}
		unlink(pmpath);
		snprintf(d->meta.url, sizeof d->meta.url, "%s", shown);
		snprintf(d->meta.etag, sizeof d->meta.etag, "%s", res.etag);
		snprintf(d->meta.last_modified, sizeof d->meta.last_modified, "%s", res.last_modified);
		snprintf(d->meta.sha256, sizeof d->meta.sha256, "%s", d->sha);
		d->meta.size = d->size;
		return 0;
	}
	return fail(AL_EPROTO, "%s: the server refused to resume and then to start over", shown);
}

/* Unpack ARCHIVE (file; WHAT names it in messages: its URL) into a fresh
 * tree named TREE with the given SOURCE text and marker, and install it. */
static int unpack_install(const sync_opts *o, const cache *c, const char *archive,
                          const char *what, const char *tree, cc_meta *mark,
                          const char *source_text)
{
	char tmp[P], err[1024];
	int rc = make_tmp(c, tmp);
	if (rc)
		return rc;
	cc_unpack_stats st;
	rc = cc_unpack_file(archive, tmp, &o->lim, &st, err, sizeof err);
	if (rc != 0) {
		rm_tree(tmp);
		fail(rc, "%s: %s", what, err);
		return fail(rc, "nothing was installed (what was unpacked is removed); the synced "
		                "models are unchanged");
	}
	if (st.test_services)
		say("skipped %zu file%s of test services (%s)", st.test_services,
		    st.test_services == 1 ? "" : "s", st.tests);
	char mb[32];
	cc_fetch_bytes(st.model_bytes, mb, sizeof mb);
	say("unpacked %zu model files (%s, %s layout; %zu other files skipped)", st.models, mb,
	    st.layout, st.skipped);
	mark->models = st.models;
	snprintf(mark->tree, sizeof mark->tree, "%s", tree);
	rc = install_tree(c, tmp, tree, mark, source_text);
	if (rc)
		rm_tree(tmp);
	return rc;
}

/* ---- the pinned revision -------------------------------------------- */

/* AIRLOCK_MODELS_URL: a template with {repository} and {commit}; or the
 * full URL of this commit's archive (it names the commit: taken as is, as
 * scripts/quickstart.sh took it before sync existed); or a base URL to
 * which /<repository>/tar.gz/<commit> is added (codeload's form). */
static void archive_url(const char *repo, const char *commit, char *out, size_t cap)
{
	const char *e = getenv("AIRLOCK_MODELS_URL");
	if (!e || !*e) {
		snprintf(out, cap, "https://codeload.github.com/%s/tar.gz/%s", repo, commit);
		return;
	}
	if (!strstr(e, "{commit}") && strstr(e, commit)) {
		snprintf(out, cap, "%s", e);
		return;
	}
	if (!strstr(e, "{commit}")) {
		size_t l = strlen(e);
		snprintf(out, cap, "%.*s/%s/tar.gz/%s", (int)(l && e[l - 1] == '/' ? l - 1 : l), e,
		         repo, commit);
		return;
	}
	size_t k = 0;
	for (const char *p = e; *p && k + 1 < cap;) {
		const char *v = NULL;
		size_t skip = 0;
		if (strncmp(p, "{commit}", 8) == 0)
			v = commit, skip = 8;
		else if (strncmp(p, "{repository}", 12) == 0)
			v = repo, skip = 12;
		if (v) {
			k += (size_t)snprintf(out + k, cap - k, "%s", v);
			if (k >= cap)
				k = cap - 1;
			p += skip;
		} else
			out[k++] = *p++;
	}
	out[k] = '\0';
}

static void pin_tree(const cc_lock *l, char *out, size_t cap)
{
	snprintf(out, cap, "%s-%s", l->repository, l->commit);
	for (char *s = out; *s; s++)
		if (*s == '/')
			*s = '-';
}

/* Sync the revision L pins.  RECORD: the lock's digest may be empty; the
 * digest of what was downloaded is then written to LOCK_PATH (with L's
 * commit and date).  OLD_COMMIT: for the message of --update. */
static int sync_pin(const sync_opts *o, const cache *c, const cc_lock *l, const char *lock_path,
                    int record)
{
	char tree[256], err[1024];
	pin_tree(l, tree, sizeof tree);
	if (!l->archive_sha256[0] && !record)
		return fail(AL_EDIGEST,
		            "%s pins %s@%.12s but records no archive_sha256, so the download could "
		            "not be verified and is not unpacked.\n"
		            "  `airlock-compile sync --record-digest` downloads it, trusts it on first "
		            "use and writes its SHA-256 into the lock (review that change);\n"
		            "  `airlock-compile sync --update` moves the pin to the newest revision "
		            "and records its digest.", lock_path, l->repository, l->commit);
	cc_meta m;
	int have = load_marker(c, tree, &m) == 0 && m.sha256[0] && strcmp(m.commit, l->commit) == 0;
	if (have && l->archive_sha256[0] && strcmp(m.sha256, l->archive_sha256) != 0)
		have = 0;   /* a tree from another archive: fetch the pinned one */
	cc_lock nl = *l;
	const char *sha = l->archive_sha256;
	cc_meta mark;
	memset(&mark, 0, sizeof mark);
	if (have) {
		say("%s@%.12s is already synced (%s/models/%s); nothing downloaded", l->repository,
		    l->commit, c->dir, tree);
		sha = m.sha256;
	} else {
		dl d;
		memset(&d, 0, sizeof d);
		char url[2048];
		archive_url(l->repository, l->commit, url, sizeof url);
		snprintf(d.key, sizeof d.key, "%s", tree);
		d.url = url;
		d.expected = l->archive_sha256;
		/* a mirror on disk (AIRLOCK_MODELS_URL=file:///... or a path) */
		const char *local = is_http(url) ? NULL
		                    : strncmp(url, "file://", 7) == 0 ? url + 7 : url;
		int rc = local ? check_local(local, d.expected, d.sha, &d.size) : download(o, c, &d);
		if (rc)
			return rc;
		char shown[1024];
		cc_fetch_redact(url, shown, sizeof shown);
		snprintf(mark.url, sizeof mark.url, "%s", shown);
		snprintf(mark.sha256, sizeof mark.sha256, "%s", d.sha);
		snprintf(mark.commit, sizeof mark.commit, "%s", l->commit);
		snprintf(mark.source, sizeof mark.source, "%s", l->repository);
		mark.size = d.size;
		char source[2048];
		snprintf(source, sizeof source,
		         "Source: %s (https://github.com/%s), synced by airlock-compile sync\n"
		         "commit %s%s%s%s\narchive-sha256 %s\n", l->repository, l->repository,
		         l->commit, l->date[0] ? " (" : "", l->date, l->date[0] ? ")" : "", d.sha);
		rc = unpack_install(o, c, local ? local : d.part, local ? local : shown, tree, &mark,
		                    source);
		if (!local)
			unlink(d.part);
		if (rc)
			return rc;
		sha = mark.sha256;
	}
	if (record && strcmp(l->archive_sha256, sha) != 0) {
		snprintf(nl.archive_sha256, sizeof nl.archive_sha256, "%s", sha);
		int rc = cc_lock_store(lock_path, &nl, err, sizeof err);
		if (rc)
			return fail(rc, "%s (the synced models are unchanged)", err);
		/* loud on purpose, even with --quiet: the lock now trusts this */
		fprintf(stderr, "sync: RECORDED archive_sha256 = %s\n"
		                "sync:   in %s for %s@%s\n"
		                "sync:   trust on first use: nothing verified this digest; review and "
		                "commit the change to the lock\n", sha, lock_path, l->repository,
		        l->commit);
	}
	int rc = make_current(c, tree);
	if (rc)
		return rc;
	if (!have)
		say("synced %s@%.12s: %s/models/%s", l->repository, l->commit, c->dir, tree);
	return 0;
}

/* ---- --update ------------------------------------------------------- */

int cc_sync_parse_commit(const char *json, size_t len, char sha[41], char date[11],
                         char *err, size_t errcap)
{
	cJSON *j = cJSON_ParseWithLength(json, len);
	if (!j) {
		snprintf(err, errcap, "the answer is not JSON");
		return AL_EJSON;
	}
	int rc = AL_EPROTO;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "sha");
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(j, "commit");
	const cJSON *cr = cm ? cJSON_GetObjectItemCaseSensitive(cm, "committer") : NULL;
	const cJSON *dt = cr ? cJSON_GetObjectItemCaseSensitive(cr, "date") : NULL;
	if (!cJSON_IsString(s) || !cc_lock_is_hex(s->valuestring, 40))
		snprintf(err, errcap, "$.sha: expected 40 lower-case hex digits");
	else if (!cJSON_IsString(dt) || strlen(dt->valuestring) < 10 ||
	         dt->valuestring[4] != '-' || dt->valuestring[7] != '-')
		snprintf(err, errcap, "$.commit.committer.date: expected an ISO 8601 date");
	else {
		int ok = 1;
		for (int i = 0; i < 10; i++)
			if (i != 4 && i != 7 && !(dt->valuestring[i] >= '0' && dt->valuestring[i] <= '9'))
				ok = 0;
		if (!ok)
			snprintf(err, errcap, "$.commit.committer.date: expected an ISO 8601 date");
		else {
			memcpy(sha, s->valuestring, 41);
			memcpy(date, dt->valuestring, 10);
			date[10] = '\0';
			rc = 0;
		}
	}
	cJSON_Delete(j);
	return rc;
}

static int sync_update(const sync_opts *o, const cache *c, const cc_lock *l,
                       const char *lock_path)
{
	const char *api = getenv("AIRLOCK_GITHUB_API");
	if (!api || !*api)
		api = "https://api.github.com";
	const char *branch = o->branch ? o->branch : l->branch;
	for (const char *s = branch; *s; s++)
		if (!(cc_unpack_plain_name(s, 1) || *s == '/'))
			return fail(AL_EINVAL, "--branch: unexpected character in %s", branch);
	char url[2048];
	size_t al = strlen(api);
	snprintf(url, sizeof url, "%.*s/repos/%s/commits/%s", (int)(al && api[al - 1] == '/' ? al - 1 : al),
	         api, l->repository, branch);
	cc_buf body = { 0 };
	const char *tok = getenv("GITHUB_TOKEN");
	cc_fetch_req r = { .url = url, .fd = -1, .mem = &body, .mem_max = 1u << 22,
	                   .accept = "application/vnd.github+json",
	                   .bearer = tok && *tok ? tok : NULL };
	cc_fetch_res res;
	char api_shown[1024];
	cc_fetch_redact(api, api_shown, sizeof api_shown);
	say("asking %s for the newest commit of %s (%s)", api_shown, l->repository, branch);
	int rc = cc_fetch(&r, &res);
	char shown[1024];
	cc_fetch_redact(url, shown, sizeof shown);
	if (rc == 0 && res.status != 200)
		rc = AL_EHTTP, snprintf(res.err, sizeof res.err, "HTTP %ld from %s", res.status, shown);
	if (rc) {
		cc_buf_free(&body);
		if (res.status == 403 || res.status == 429)
			fail(rc, "%s (GitHub's rate limit? set GITHUB_TOKEN)", res.err);
		else
			fail(rc, "%s", res.err);
		return fail(rc, "the lock and the synced models are unchanged");
	}
	char sha[41], date[11], err[256];
	rc = cc_sync_parse_commit(body.p ? (const char *)body.p : "", body.len, sha, date, err,
	                          sizeof err);
	cc_buf_free(&body);
	if (rc)
		return fail(rc, "%s: %s; the lock is unchanged", shown, err);
	if (strcmp(sha, l->commit) == 0 && l->archive_sha256[0]) {
		say("%s is already at the newest commit of %s (%.12s, %s)", lock_path, branch, sha, date);
		return sync_pin(o, c, l, lock_path, 0);
	}
	cc_lock nl = *l;
	snprintf(nl.commit, sizeof nl.commit, "%s", sha);
	snprintf(nl.date, sizeof nl.date, "%s", date);
	if (strcmp(sha, l->commit) != 0)
		nl.archive_sha256[0] = '\0';
	say("newest commit of %s: %.12s (%s); the lock pins %.12s", branch, sha, date, l->commit);
	rc = sync_pin(o, c, &nl, lock_path, 1);
	if (rc == 0 && strcmp(sha, l->commit) != 0)
		say("updated %s: commit %.12s -> %.12s (%s)", lock_path, l->commit, sha, date);
	return rc;
}

/* ---- --url ---------------------------------------------------------- */

static int sync_url(const sync_opts *o, const cache *c)
{
	const char *u = o->url;
	char shown[1024], tree[256], source[1400];
	cc_meta mark, m;
	memset(&mark, 0, sizeof mark);
	if (!is_http(u)) {
		const char *path = strncmp(u, "file://", 7) == 0 ? u + 7 : u;
		char sha[65];
		uint64_t size;
		int rc = check_local(path, o->sha256 ? o->sha256 : "", sha, &size);
		if (rc)
			return rc;
		snprintf(tree, sizeof tree, "archive-%.16s", sha);
		if (load_marker(c, tree, &m) == 0 && strcmp(m.sha256, sha) == 0)
			say("%s (SHA-256 %.16s...) is already synced; nothing unpacked", path, sha);
		else {
			char *rp = realpath(path, NULL);
			snprintf(mark.url, sizeof mark.url, "%s", rp ? rp : path);
			snprintf(mark.source, sizeof mark.source, "%s", mark.url);
			snprintf(mark.sha256, sizeof mark.sha256, "%s", sha);
			mark.size = size;
			snprintf(source, sizeof source, "Source: %s\narchive-sha256 %s\n", mark.url, sha);
			free(rp);
			if (!o->sha256)
				say("archive SHA-256 %s (not checked: no --sha256)", sha);
			if ((rc = unpack_install(o, c, path, path, tree, &mark, source)) != 0)
				return rc;
		}
		return make_current(c, tree);
	}
	cc_fetch_redact(u, shown, sizeof shown);
	if (o->sha256) {
		/* the digest names the content: a tree made from it needs nothing */
		snprintf(tree, sizeof tree, "archive-%.16s", o->sha256);
		if (load_marker(c, tree, &m) == 0 && strcmp(m.sha256, o->sha256) == 0) {
			say("the archive with SHA-256 %.16s... is already synced; nothing downloaded",
			    o->sha256);
			return make_current(c, tree);
		}
	}
	dl d;
	memset(&d, 0, sizeof d);
	char uh[65];
	sha256_str(u, uh);
	snprintf(d.key, sizeof d.key, "url-%.16s", uh);
	d.url = u;
	d.expected = o->sha256 ? o->sha256 : "";
	/* validators are only worth sending while the tree they describe is
	 * still here */
	char mp[P], err[512];
	pathf(mp, "%s/downloads/%s.meta", c->dir, d.key);
	if (cc_meta_load(mp, &m, err, sizeof err) == 0 && m.tree[0] && !o->sha256 &&
	    load_marker(c, m.tree, &mark) == 0 && strcmp(mark.sha256, m.sha256) == 0)
		d.conditional = 1;
	memset(&mark, 0, sizeof mark);
	int rc = download(o, c, &d);
	if (rc)
		return rc;
	if (d.not_modified) {
		say("%s is not modified (HTTP 304); nothing downloaded", shown);
		return make_current(c, d.meta.tree);
	}
	snprintf(tree, sizeof tree, "archive-%.16s", d.sha);
	if (load_marker(c, tree, &m) == 0 && strcmp(m.sha256, d.sha) == 0) {
		say("the archive is the one already synced (SHA-256 %.16s...)", d.sha);
		unlink(d.part);
	} else {
		snprintf(mark.url, sizeof mark.url, "%s", shown);
		snprintf(mark.source, sizeof mark.source, "%s", shown);
		snprintf(mark.sha256, sizeof mark.sha256, "%s", d.sha);
		mark.size = d.size;
		snprintf(source, sizeof source, "Source: %s\narchive-sha256 %s\n", shown, d.sha);
		if (!o->sha256)
			say("archive SHA-256 %s (not checked: no --sha256)", d.sha);
		rc = unpack_install(o, c, d.part, shown, tree, &mark, source);
		unlink(d.part);
		if (rc)
			return rc;
	}
	snprintf(d.meta.tree, sizeof d.meta.tree, "%s", tree);
	if ((rc = cc_meta_store(mp, &d.meta, err, sizeof err)) != 0)
		return fail(rc, "%s", err);
	return make_current(c, tree);
}

/* ---- --from --------------------------------------------------------- */

static int copy_file(const char *src, const char *dst, br_sha256_context *h, uint64_t *bytes)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail(AL_EIO, "%s: %s", src, strerror(errno));
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0) {
		int e = errno;
		close(in);
		return fail(errno_rc(e), "%s: %s", dst, strerror(e));
	}
	static char buf[1 << 16];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(AL_EIO, "%s: %s", src, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		br_sha256_update(h, buf, (size_t)n);
		*bytes += (uint64_t)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int e = w < 0 ? errno : EIO;
				rc = fail(errno_rc(e), "%s: %s", dst, strerror(e));
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	close(in);
	if (close(out) != 0 && !rc)
		rc = fail(errno_rc(errno), "%s: %s", dst, strerror(errno));
	return rc;
}

/* A model path found by cc_find_models whose every component is a plain
 * name (cc_unpack.h), as for an archive's entries. */
static int plain_rel(const char *rel)
{
	for (const char *p = rel; *p;) {
		size_t l = strcspn(p, "/");
		if (!cc_unpack_plain_name(p, l))
			return 0;
		p += l + (p[l] == '/');
	}
	return 1;
}

/* Copy the model files of one --from directory into TMP: the files
 * `build --models` would read there (cc_find_models), test services left
 * out and counted in *TESTS. */
static int copy_models(const char *from, const char *tmp, br_sha256_context *h, size_t *count,
                       size_t *tests, uint64_t *bytes)
{
	char **paths = NULL, **rels = NULL;
	size_t n = 0, skipped = 0;
	int rc = cc_find_models_ex(from, &paths, &rels, &n, &skipped);
	if (rc)
		return fail(rc, "--from %s: cannot read it", from);
	*tests += skipped;
	size_t tl = strlen(tmp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (!plain_rel(rels[i]) || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		char dst[P];
		pathf(dst, "%s/%s", tmp, rels[i]);
		for (char *q = dst + tl + 1; (q = strchr(q, '/')) != NULL; q++) {
			*q = '\0';     /* <sdk>, <sdk>/service, <sdk>/service/<version> */
			mkdir(dst, 0755);
			*q = '/';
		}
		if (access(dst, F_OK) == 0) {
			rc = fail(AL_EDUP, "%s is in more than one --from directory", rels[i]);
			break;
		}
		br_sha256_update(h, rels[i], strlen(rels[i]) + 1);
		rc = copy_file(paths[i], dst, h, bytes);
		(*count)++;
	}
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(rels[i]);
	}
	free(paths);
	free(rels);
	return rc;
}

static int sync_from(const sync_opts *o, const cache *c)
{
	char tmp[P];
	for (size_t i = 0; i < o->nfrom; i++)
		if (!is_dir(o->from[i]))
			return fail(AL_ENOENT, "--from %s: not a directory", o->from[i]);
	int rc = make_tmp(c, tmp);
	if (rc)
		return rc;
	br_sha256_context h;
	br_sha256_init(&h);
	size_t count = 0, tests = 0;
	uint64_t bytes = 0;
	cc_buf src = { 0 }, srcs = { 0 };
	for (size_t i = 0; i < o->nfrom && !rc; i++) {
		rc = copy_models(o->from[i], tmp, &h, &count, &tests, &bytes);
		char *rp = realpath(o->from[i], NULL);
		cc_buf_printf(&srcs, "%s%s", i ? ";" : "", rp ? rp : o->from[i]);
		/* the first directory's SOURCE names the revision, as it would
		 * for build --models */
		if (!src.len) {
			char sp[P];
			pathf(sp, "%s/SOURCE", o->from[i]);
			FILE *f = fopen(sp, "r");
			if (f) {
				char line[1024];
				while (fgets(line, sizeof line, f) && src.len < 16384)
					cc_buf_put(&src, line, strlen(line));
				fclose(f);
			}
		}
		free(rp);
	}
	if (!rc && !count)
		rc = fail(AL_ENOENT, "no model files in the --from directories (expected "
		          "<sdk-id>/service/<version>/*.json or models/<sdk-id>/...)");
	if (rc) {
		rm_tree(tmp);
		cc_buf_free(&src);
		cc_buf_free(&srcs);
		return rc;
	}
	unsigned char dg[32];
	char sha[65], tree[256];
	br_sha256_out(&h, dg);
	hex(dg, 32, sha);
	snprintf(tree, sizeof tree, "local-%.16s", sha);
	if (!src.len)
		cc_buf_printf(&src, "Source: %s\n", (const char *)srcs.p);
	cc_meta m, mark;
	memset(&mark, 0, sizeof mark);
	char mb[32];
	cc_fetch_bytes(bytes, mb, sizeof mb);
	if (load_marker(c, tree, &m) == 0 && strcmp(m.sha256, sha) == 0) {
		rm_tree(tmp);
		say("%s: the same %zu model files as already synced; nothing copied",
		    (const char *)srcs.p, count);
	} else {
		snprintf(mark.source, sizeof mark.source, "%s", (const char *)srcs.p);
		snprintf(mark.sha256, sizeof mark.sha256, "%s", sha);
		snprintf(mark.tree, sizeof mark.tree, "%s", tree);
		mark.models = count;
		if (tests)
			say("skipped %zu test service%s", tests, tests == 1 ? "" : "s");
		say("copied %zu model files (%s) from %s", count, mb, (const char *)srcs.p);
		rc = install_tree(c, tmp, tree, &mark, (const char *)src.p);
		if (rc)
			rm_tree(tmp);
	}
	cc_buf_free(&src);
	cc_buf_free(&srcs);
	return rc ? rc : make_current(c, tree);
}

/* ---- --status ------------------------------------------------------- */

static int sync_status(void)
{
	cache c;
	if (cc_sync_cache_dir(c.dir, sizeof c.dir) != 0)
		return fail(AL_EINVAL, "no cache directory: set AIRLOCK_CACHE (or HOME)");
	char tree[256];
	current_tree(&c, tree, sizeof tree);
	cc_meta m;
	printf("cache: %s\n", c.dir);
	if (!*tree || load_marker(&c, tree, &m) != 0) {
		printf("models: none synced\n");
		return AL_ENOENT;
	}
	printf("models: %s/models/%s\n", c.dir, tree);
	if (m.source[0])
		printf("source: %s\n", m.source);
	if (m.commit[0])
		printf("commit: %s\n", m.commit);
	if (m.url[0])
		printf("url: %s\n", m.url);
	printf("sha256: %s\n", m.sha256);
	printf("files: %" PRIu64 "\n", m.models);
	return 0;
}

/* ---- the command ---------------------------------------------------- */

static void sync_usage(FILE *f)
{
	fputs("usage:\n"
	      "  airlock-compile sync [--lock FILE] [--record-digest]      the pinned revision\n"
	      "  airlock-compile sync --update [--branch NAME] [--lock FILE]\n"
	      "  airlock-compile sync --url URL|FILE [--sha256 HEX]\n"
	      "  airlock-compile sync --from DIR [--from DIR ...]\n"
	      "  airlock-compile sync --status\n"
	      "options: [--quiet] [--max-entry-size N[K|M|G]] [--max-total-size N[K|M|G]]\n"
	      "\n"
	      "Brings the AWS models into the cache, verified, and makes them the models\n"
	      "`airlock-compile build` reads when it is given no --models.\n"
	      "\n"
	      "  (default)      download the archive of the commit pinned in catalogs/models.lock\n"
	      "                 (--lock FILE), check its SHA-256 against the lock's\n"
	      "                 archive_sha256, unpack it.  A second sync of the same pin\n"
	      "                 downloads nothing.  A lock without archive_sha256 is refused:\n"
	      "                 --record-digest downloads anyway, trusts the archive on first\n"
	      "                 use and writes its digest into the lock (review that change).\n"
	      "  --update       ask GitHub for the newest commit of the lock's branch (main),\n"
	      "                 sync it and rewrite the lock (commit, date, archive_sha256),\n"
	      "                 keeping its comments.\n"
	      "  --url          an archive (tar, tar.gz/bz2/xz/zst, zip) from an http(s) URL,\n"
	      "                 with conditional requests (ETag, Last-Modified), or from a file;\n"
	      "                 --sha256 checks it.\n"
	      "  --from         copy the models of local directories (either layout).\n"
	      "  --status       print what is synced.\n"
	      "\n"
	      "Archives: models at the root or under models/ (in one top directory or not);\n"
	      "other files and the repository's test services are skipped; absolute paths,\n"
	      "\"..\", links, devices and entries over the size limits (64 MiB each, 2 GiB in\n"
	      "all, by default) are refused.  Interrupted downloads are resumed by the next\n"
	      "sync.  A failed sync leaves the synced models as they were.\n"
	      "\n"
	      "Environment: AIRLOCK_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/airlock),\n"
	      "AIRLOCK_MODELS_URL (a mirror: a base URL, a template with {repository} and\n"
	      "{commit}, the pinned archive's URL, or a directory; default\n"
	      "https://codeload.github.com), AIRLOCK_GITHUB_API (default\n"
	      "https://api.github.com), GITHUB_TOKEN\n"
	      "(optional, for the API's rate limit), AIRLOCK_MODELS_LOCK (the lock).\n"
	      "Exit status: 0 synced, 1 error, 2 usage, 4 network unreachable.\n", f);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int cc_cmd_sync(int argc, char **argv, const char *source_dir)
{
	sync_opts o;
	memset(&o, 0, sizeof o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() do { if (!v) { fprintf(stderr, "airlock-compile: sync: %s needs a value\n", a); return 2; } i++; } while (0)
		if (strcmp(a, "--lock") == 0) { NEEDV(); o.lock_path = v; }
		else if (strcmp(a, "--from") == 0) {
			NEEDV();
			if (o.nfrom == sizeof o.from / sizeof o.from[0]) {
				fprintf(stderr, "airlock-compile: sync: too many --from\n");
				return 2;
			}
			o.from[o.nfrom++] = v;
		}
		else if (strcmp(a, "--url") == 0) { NEEDV(); o.url = v; }
		else if (strcmp(a, "--sha256") == 0) {
			NEEDV();
			if (!cc_lock_is_hex(v, 64)) {
				fprintf(stderr, "airlock-compile: sync: --sha256 takes 64 lower-case hex digits\n");
				return 2;
			}
			o.sha256 = v;
		}
		else if (strcmp(a, "--branch") == 0) { NEEDV(); o.branch = v; }
		else if (strcmp(a, "--update") == 0) o.update = 1;
		else if (strcmp(a, "--record-digest") == 0) o.record_digest = 1;
		else if (strcmp(a, "--status") == 0) o.status = 1;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) o.quiet = 1;
		else if (strcmp(a, "--max-entry-size") == 0 || strcmp(a, "--max-total-size") == 0) {
			NEEDV();
			uint64_t *dst = a[6] == 'e' ? &o.lim.max_entry : &o.lim.max_total;
			if (parse_size(v, dst) != 0) {
				fprintf(stderr, "airlock-compile: sync: %s takes a size such as 64M\n", a);
				return 2;
			}
		}
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			sync_usage(stdout);
			return 0;
		}
		else {
			fprintf(stderr, "airlock-compile: sync: unknown option %s\n", a);
			sync_usage(stderr);
			return 2;
		}
#undef NEEDV
	}
	int modes = (o.update != 0) + (o.url != NULL) + (o.nfrom > 0) + (o.status != 0);
	if (modes > 1) {
		fprintf(stderr, "airlock-compile: sync: --update, --url, --from and --status exclude "
		                "each other\n");
		return 2;
	}
	if (o.sha256 && !o.url) {
		fprintf(stderr, "airlock-compile: sync: --sha256 goes with --url (the pinned "
		                "revision's digest is in the lock)\n");
		return 2;
	}
	if (o.record_digest && modes) {
		fprintf(stderr, "airlock-compile: sync: --record-digest is for the pinned revision\n");
		return 2;
	}
	if (o.branch && !o.update) {
		fprintf(stderr, "airlock-compile: sync: --branch goes with --update\n");
		return 2;
	}
	if (o.status)
		return sync_status() == 0 ? 0 : 1;
	o.progress = !o.quiet && isatty(2);
	g_o = &o;

	char lockbuf[P];
	cc_lock l;
	if (!o.url && !o.nfrom) {
		if (!o.lock_path)
			o.lock_path = cc_data_path("AIRLOCK_MODELS_LOCK", source_dir, "catalogs/models.lock",
			                           "models.lock", lockbuf, sizeof lockbuf);
		if (!o.lock_path)
			return fail(1, "catalogs/models.lock not found; pass --lock FILE"), 1;
		char err[1024];
		if (cc_lock_load(o.lock_path, &l, err, sizeof err) != 0)
			return fail(1, "%s", err), 1;
	}
	cache c = { .lockfd = -1 };
	int rc = cache_open(&c);
	if (rc == 0) {
		if (o.update)
			rc = sync_update(&o, &c, &l, o.lock_path);
		else if (o.url)
			rc = sync_url(&o, &c);
		else if (o.nfrom)
			rc = sync_from(&o, &c);
		else
			rc = sync_pin(&o, &c, &l, o.lock_path, o.record_digest);
	}
	cache_close(&c);
	g_o = NULL;
	if (rc == 0)
		return 0;
	return rc == AL_ENET || rc == AL_ETIMEOUT ? 4 : 1;
}
