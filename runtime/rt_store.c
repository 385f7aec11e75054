/*
 * rt_store.c -- see rt_store.h.  The one wrapper of LMDB: MDB_* codes are
 * mapped to AL_* here and their messages kept for the log.
 */
#include "rt_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl.h>

#include "alc_err.h"

/* One LMDB environment per path and process: LMDB must not open an
 * environment twice in one process (closing either handle would drop the
 * process's fcntl locks on lock.mdb, which other processes rely on), so
 * every rt_store of one home shares it, counted. */
typedef struct shared_env {
	char path[PATH_MAX];
	MDB_env *env;
	MDB_dbi dbi[RT_DB_COUNT];
	size_t map_size;
	int refs;
	struct shared_env *next;
} shared_env;

static shared_env *envs;
static pthread_mutex_t envs_lock = PTHREAD_MUTEX_INITIALIZER;

struct rt_store {
	shared_env *sh;
	MDB_env *env;            /* sh->env */
	MDB_dbi *dbi;            /* sh->dbi */
	char home[1024];
	char msg[1536];  /* paths (up to ~1.2 KB) and a reason */
};

struct rt_txn {
	MDB_txn *txn;
	rt_store *s;
	int write;
	int map_full;
};

static const char *const db_names[RT_DB_COUNT] = {
	[RT_DB_META] = "meta",
	[RT_DB_PLANS] = "plans",
	[RT_DB_PLAN_STATE] = "plan-state",
	[RT_DB_AUDIT] = "audit",
	[RT_DB_AUDIT_PLAN] = "audit-plan",
	[RT_DB_AUDIT_TX] = "audit-tx",
};
_Static_assert(sizeof db_names / sizeof db_names[0] == RT_DB_COUNT, "one name per database");

/* ---- byte order -------------------------------------------------------- */

void rt_be64(unsigned char out[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

uint64_t rt_get_be64(const unsigned char in[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | in[i];
	return v;
}

void rt_le16(unsigned char *out, uint16_t v)
{
	out[0] = (unsigned char)(v & 0xff);
	out[1] = (unsigned char)(v >> 8);
}

void rt_le32(unsigned char *out, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		out[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

void rt_le64(unsigned char *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

uint16_t rt_get_le16(const unsigned char *in)
{
	return (uint16_t)(in[0] | (in[1] << 8));
}

uint32_t rt_get_le32(const unsigned char *in)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | in[i];
	return v;
}

uint64_t rt_get_le64(const unsigned char *in)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | in[i];
	return v;
}

/* ---- errors ------------------------------------------------------------ */

/* Maps an LMDB or errno code to AL_*, keeping its message. */
static int map_err(rt_store *s, int rc, const char *what)
{
	if (rc == 0)
		return 0;
	if (rc == MDB_NOTFOUND)
		return AL_ENOTFOUND;
	if (rc == MDB_KEYEXIST)
		return AL_EDUP;
	if (s)
		snprintf(s->msg, sizeof s->msg, "%s: %s", what, mdb_strerror(rc));
	switch (rc) {
	case ENOMEM:
		return AL_ENOMEM;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		return AL_ETOOBIG;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_BAD_DBI:
		return AL_ECORRUPT;
	case MDB_VERSION_MISMATCH:
		return AL_EVERSION;
	case ENOENT:
		return AL_ENOENT;
	default:
		return AL_EIO;
	}
}

const char *rt_store_errmsg(const rt_store *s)
{
	return s ? s->msg : "";
}

const char *rt_store_home(const rt_store *s)
{
	return s->home;
}

/* ---- paths ------------------------------------------------------------- */

const char *rt_store_default_home(char *buf, size_t cap)
{
	const char *env = getenv("AIRLOCK_HOME");
	int n;
	if (env && env[0])
		n = snprintf(buf, cap, "%s", env);
	else if ((env = getenv("XDG_STATE_HOME")) && env[0] == '/')
		n = snprintf(buf, cap, "%s/airlock", env);
	else if ((env = getenv("HOME")) && env[0])
		n = snprintf(buf, cap, "%s/.local/state/airlock", env);
	else
		return NULL;
	return n > 0 && (size_t)n < cap ? buf : NULL;
}

int rt_mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (errno == 0)
			errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* ---- open -------------------------------------------------------------- */

static int open_dbs(rt_store *s, char *err, size_t errcap)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc) {
		int e = map_err(s, rc, "begin");
		snprintf(err, errcap, "%s", s->msg);
		return e;
	}
	for (int i = 0; i < RT_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
		if (rc) {
			mdb_txn_abort(txn);
			int e = map_err(s, rc, db_names[i]);
			snprintf(err, errcap, "%s", s->msg);
			return e;
		}
	}
	MDB_val k = { 6, (void *)(uintptr_t)"format" }, v;
	rc = mdb_get(txn, s->dbi[RT_DB_META], &k, &v);
	if (rc == MDB_NOTFOUND) {
		unsigned char f[4];
		rt_le32(f, RT_STORE_FORMAT);
		v.mv_size = 4;
		v.mv_data = f;
		rc = mdb_put(txn, s->dbi[RT_DB_META], &k, &v, 0);
	} else if (rc == 0) {
		uint32_t f = v.mv_size == 4 ? rt_get_le32(v.mv_data) : 0;
		if (f == 0 || f > RT_STORE_FORMAT) {
			mdb_txn_abort(txn);
			snprintf(err, errcap, "the store was written by a newer airlock (store format %u, "
			         "this build reads %u)", (unsigned)f, RT_STORE_FORMAT);
			return f == 0 ? AL_ECORRUPT : AL_EVERSION;
		}
	}
	if (rc) {
		mdb_txn_abort(txn);
		int e = map_err(s, rc, "format");
		snprintf(err, errcap, "%s", s->msg);
		return e;
	}
	rc = mdb_txn_commit(txn);
	if (rc) {
		int e = map_err(s, rc, "commit");
		snprintf(err, errcap, "%s", s->msg);
		return e;
	}
	return 0;
}

/* Opens the environment at DBDIR (not yet open in this process). */
static int env_open(rt_store *s, shared_env *sh, const char *dbdir, char *err, size_t errcap)
{
	size_t map = (size_t)RT_STORE_MAP_SIZE;
	const char *ms = getenv("AIRLOCK_MAP_SIZE");
	if (ms && ms[0]) {
		char *end;
		unsigned long long v = strtoull(ms, &end, 10);
		if (!*end && v >= (1u << 20) && v <= RT_STORE_MAP_MAX)
			map = (size_t)v;
	}
	sh->map_size = map;
	int rc = mdb_env_create(&sh->env);
	if (!rc)
		rc = mdb_env_set_maxdbs(sh->env, RT_DB_COUNT);
	if (!rc)
		rc = mdb_env_set_mapsize(sh->env, map);
	if (!rc)
		rc = mdb_env_open(sh->env, dbdir, MDB_NOTLS, 0600);
	if (rc) {
		int e = map_err(s, rc, dbdir);
		snprintf(err, errcap, "cannot open the state database %s: %s", dbdir, s->msg);
		if (sh->env)
			mdb_env_close(sh->env);
		sh->env = NULL;
		return e;
	}
	/* Reader slots of processes that died (SIGKILL) would pin old pages
	 * forever; clear them at every open. */
	int dead = 0;
	mdb_reader_check(sh->env, &dead);
	MDB_envinfo info;
	if (mdb_env_info(sh->env, &info) == 0 && info.me_mapsize > sh->map_size)
		sh->map_size = info.me_mapsize;
	s->env = sh->env;
	s->dbi = sh->dbi;
	rc = open_dbs(s, err, errcap);
	if (rc) {
		mdb_env_close(sh->env);
		sh->env = NULL;
	}
	return rc;
}

int rt_store_open(rt_store **out, const char *home, char *err, size_t errcap)
{
	*out = NULL;
	err[0] = '\0';
	rt_store *s = calloc(1, sizeof *s);
	if (!s)
		return AL_ENOMEM;
	if (!home)
		home = rt_store_default_home(s->home, sizeof s->home);
	else if (snprintf(s->home, sizeof s->home, "%s", home) >= (int)sizeof s->home)
		home = NULL;
	if (!home || !s->home[0]) {
		snprintf(err, errcap, "no state directory: set AIRLOCK_HOME (neither HOME nor "
		         "XDG_STATE_HOME is set)");
		free(s);
		return AL_EINVAL;
	}
	char path[1100];
	const char *subs[] = { "blobs", "db" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", s->home, subs[i]);
		if (rt_mkdirs(path) != 0) {
			snprintf(err, errcap, "cannot create %s: %s", path, strerror(errno));
			free(s);
			return AL_EIO;
		}
	}
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		free(s);
		return AL_EIO;
	}
	pthread_mutex_lock(&envs_lock);
	shared_env *sh;
	for (sh = envs; sh; sh = sh->next)
		if (strcmp(sh->path, real) == 0)
			break;
	int rc = 0;
	if (sh) {
		sh->refs++;
		s->env = sh->env;
		s->dbi = sh->dbi;
	} else if (!(sh = calloc(1, sizeof *sh))) {
		rc = AL_ENOMEM;
	} else {
		snprintf(sh->path, sizeof sh->path, "%s", real);
		rc = env_open(s, sh, real, err, errcap);
		if (rc) {
			free(sh);
			sh = NULL;
		} else {
			sh->refs = 1;
			sh->next = envs;
			envs = sh;
		}
	}
	pthread_mutex_unlock(&envs_lock);
	if (rc) {
		free(s);
		return rc;
	}
	s->sh = sh;
	*out = s;
	return 0;
}

void rt_store_close(rt_store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&envs_lock);
	shared_env *sh = s->sh;
	if (--sh->refs == 0) {
		for (shared_env **pp = &envs; *pp; pp = &(*pp)->next)
			if (*pp == sh) {
				*pp = sh->next;
				break;
			}
		mdb_env_close(sh->env);
		free(sh);
	}
	pthread_mutex_unlock(&envs_lock);
	free(s);
}

/* ---- transactions ------------------------------------------------------ */

rt_store *rt_txn_store(rt_txn *t)
{
	return t->s;
}

int rt_txn_writable(const rt_txn *t)
{
	return t->write;
}

/* Doubles the map (no transaction of this process is open). */
static int grow(rt_store *s)
{
	MDB_envinfo info;
	size_t cur = s->sh->map_size;
	if (mdb_env_info(s->env, &info) == 0 && info.me_mapsize > cur)
		cur = info.me_mapsize;
	if (cur >= RT_STORE_MAP_MAX) {
		snprintf(s->msg, sizeof s->msg, "the state database is full at its largest map "
		         "size (%llu bytes)", (unsigned long long)cur);
		return AL_ETOOBIG;
	}
	size_t next = cur * 2 > RT_STORE_MAP_MAX ? (size_t)RT_STORE_MAP_MAX : cur * 2;
	int rc = mdb_env_set_mapsize(s->env, next);
	if (rc)
		return map_err(s, rc, "map size");
	s->sh->map_size = next;
	return 0;
}

/* Bounded: each retry follows a map growth, which is bounded by
 * RT_STORE_MAP_MAX, or another process's resize. */
#define MAX_RETRIES 64

int rt_store_update(rt_store *s, rt_store_fn fn, void *ctx)
{
	for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
		rt_txn t = { NULL, s, 1, 0 };
		int rc = mdb_txn_begin(s->env, NULL, 0, &t.txn);
		if (rc == MDB_MAP_RESIZED) {
			/* another process grew the map: adopt its size */
			if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0)
				return map_err(s, rc, "map size");
			continue;
		}
		if (rc)
			return map_err(s, rc, "begin");
		int r = fn(&t, ctx);
		if (r != 0 || t.map_full) {
			mdb_txn_abort(t.txn);
			if (!t.map_full)
				return r;
			if ((r = grow(s)) != 0)
				return r;
			continue;
		}
		rc = mdb_txn_commit(t.txn);
		if (rc == MDB_MAP_FULL) {
			if ((r = grow(s)) != 0)
				return r;
			continue;
		}
		return map_err(s, rc, "commit");
	}
	snprintf(s->msg, sizeof s->msg, "write transaction retried %d times", MAX_RETRIES);
	return AL_EIO;
}

int rt_store_view(rt_store *s, rt_store_fn fn, void *ctx)
{
	for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
		rt_txn t = { NULL, s, 0, 0 };
		int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t.txn);
		if (rc == MDB_MAP_RESIZED) {
			if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0)
				return map_err(s, rc, "map size");
			continue;
		}
		if (rc)
			return map_err(s, rc, "begin");
		int r = fn(&t, ctx);
		mdb_txn_abort(t.txn);
		return r;
	}
	return AL_EIO;
}

/* ---- data -------------------------------------------------------------- */

static int bad_db(int db)
{
	return db < 0 || db >= RT_DB_COUNT;
}

int rt_store_get(rt_txn *t, int db, const void *key, size_t klen, rt_slice *val)
{
	if (bad_db(db))
		return AL_EINVAL;
	MDB_val k = { klen, (void *)(uintptr_t)key }, v;
	int rc = mdb_get(t->txn, t->s->dbi[db], &k, &v);
	if (rc)
		return map_err(t->s, rc, db_names[db]);
	val->p = v.mv_data;
	val->n = v.mv_size;
	return 0;
}

int rt_store_put(rt_txn *t, int db, const void *key, size_t klen, const void *val,
                 size_t vlen, unsigned flags)
{
	if (bad_db(db) || !t->write)
		return AL_EINVAL;
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val v = { vlen, (void *)(uintptr_t)val };
	int rc = mdb_put(t->txn, t->s->dbi[db], &k, &v, (flags & RT_PUT_NEW) ? MDB_NOOVERWRITE : 0);
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
		t->map_full = 1;
	return map_err(t->s, rc, db_names[db]);
}

int rt_store_del(rt_txn *t, int db, const void *key, size_t klen)
{
	if (bad_db(db) || !t->write)
		return AL_EINVAL;
	MDB_val k = { klen, (void *)(uintptr_t)key };
	int rc = mdb_del(t->txn, t->s->dbi[db], &k, NULL);
	if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
		t->map_full = 1;
	return map_err(t->s, rc, db_names[db]);
}

int rt_store_count(rt_txn *t, int db, uint64_t *n)
{
	if (bad_db(db))
		return AL_EINVAL;
	MDB_stat st;
	int rc = mdb_stat(t->txn, t->s->dbi[db], &st);
	if (rc)
		return map_err(t->s, rc, db_names[db]);
	*n = st.ms_entries;
	return 0;
}

static int cmp_prefix(const MDB_val *k, const void *from, size_t flen)
{
	return k->mv_size >= flen && memcmp(k->mv_data, from, flen) == 0;
}

int rt_store_iter(rt_txn *t, int db, const void *from, size_t flen, unsigned flags,
                  rt_iter_fn fn, void *ctx)
{
	if (bad_db(db))
		return AL_EINVAL;
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c);
	if (rc)
		return map_err(t->s, rc, db_names[db]);
	int reverse = (flags & RT_ITER_REVERSE) != 0, prefix = (flags & RT_ITER_PREFIX) && from;
	MDB_val k = { flen, (void *)(uintptr_t)from }, v;
	MDB_cursor_op next = reverse ? MDB_PREV : MDB_NEXT;
	if (!from) {
		rc = mdb_cursor_get(c, &k, &v, reverse ? MDB_LAST : MDB_FIRST);
	} else if (!reverse) {
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	} else {
		/* the last key <= FROM; with PREFIX, the last key starting with
		 * FROM: position after every such key, then step back */
		unsigned char hi[64]; /* longer than any key used */
		MDB_val probe = k;
		if (prefix && flen < sizeof hi) {
			memcpy(hi, from, flen);
			memset(hi + flen, 0xff, sizeof hi - flen);
			probe.mv_data = hi;
			probe.mv_size = sizeof hi;
		}
		MDB_val want = probe;
		rc = mdb_cursor_get(c, &probe, &v, MDB_SET_RANGE);
		if (rc == MDB_NOTFOUND) {
			rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
		} else if (rc == 0) {
			size_t m = probe.mv_size < want.mv_size ? probe.mv_size : want.mv_size;
			int cmp = memcmp(probe.mv_data, want.mv_data, m);
			if (cmp > 0 || (cmp == 0 && probe.mv_size > want.mv_size))
				rc = mdb_cursor_get(c, &k, &v, MDB_PREV);
			else
				k = probe;
		}
	}
	int r = 0;
	while (rc == 0) {
		if (prefix && !cmp_prefix(&k, from, flen))
			break;
		rt_slice ks = { k.mv_data, k.mv_size }, vs = { v.mv_data, v.mv_size };
		r = fn(ctx, ks, vs);
		if (r != 0)
			break;
		rc = mdb_cursor_get(c, &k, &v, next);
	}
	mdb_cursor_close(c);
	if (r == 1)
		return 0;
	if (r)
		return r;
	return rc == MDB_NOTFOUND ? 0 : map_err(t->s, rc, db_names[db]);
}

/* ---- file store -------------------------------------------------------- */

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	static const char dig[] = "0123456789abcdef";
	br_sha256_context c;
	unsigned char d[32];
	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, d);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = dig[d[i] >> 4];
		hex[2 * i + 1] = dig[d[i] & 15];
	}
	hex[64] = '\0';
}

static int hex_name_ok(const char *hex)
{
	size_t i;
	for (i = 0; hex[i]; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	return i == 64;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int rt_store_blob_put(rt_store *s, const void *data, size_t len, char hex[65])
{
	sha256_hex(data, len, hex);
	char dir[1100], path[1200], tmp[1220];
	snprintf(dir, sizeof dir, "%s/blobs/%.2s", s->home, hex);
	snprintf(path, sizeof path, "%s/%s", dir, hex);
	struct stat st;
	if (stat(path, &st) == 0 && (size_t)st.st_size == len)
		return 0; /* content-addressed: already there */
	if (rt_mkdirs(dir) != 0) {
		snprintf(s->msg, sizeof s->msg, "%s: %s", dir, strerror(errno));
		return AL_EIO;
	}
	snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(s->msg, sizeof s->msg, "%s: %s", dir, strerror(errno));
		return AL_EIO;
	}
	int ok = fchmod(fd, 0600) == 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0;
	int e = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(s->msg, sizeof s->msg, "%s: %s", path, strerror(e));
		return AL_EIO;
	}
	if (fsync_dir(dir) != 0) {
		snprintf(s->msg, sizeof s->msg, "%s: %s", dir, strerror(errno));
		return AL_EIO;
	}
	return 0;
}

#define BLOB_MAX (1u << 30)

int rt_store_blob_get(rt_store *s, const char *hex, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (!hex_name_ok(hex))
		return AL_EINVAL;
	char path[1200];
	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", s->home, hex, hex);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(s->msg, sizeof s->msg, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? AL_ENOENT : AL_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > BLOB_MAX) {
		close(fd);
		return AL_EIO;
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = malloc(n + 1);
	if (!buf) {
		close(fd);
		return AL_ENOMEM;
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != n) {
		free(buf);
		return AL_EIO;
	}
	buf[n] = '\0';
	char check[65];
	sha256_hex(buf, n, check);
	if (strcmp(check, hex) != 0) {
		free(buf);
		snprintf(s->msg, sizeof s->msg, "%s: content does not match its digest", path);
		return AL_ECORRUPT;
	}
	*data = buf;
	*len = n;
	return 0;
}
