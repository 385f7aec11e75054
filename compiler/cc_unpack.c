/* cc_unpack.c -- see cc_unpack.h */
#include "cc_unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "alc_err.h"

/* Seen in aws/api-models-aws under models/ at various revisions: internal
 * test and canary services published by mistake.  Sorted. */
static const char *const test_services[] = {
	"apimetrics-test1", "apimetrics-test2", "hornnichtest", "integtestssmithy",
	"testpowershellpreviewcanary", "trebuchet-test", "trebuchetnext",
	"trebuchetnextsmithy",
};

int cc_unpack_is_test_service(const char *sdk)
{
	for (size_t i = 0; i < sizeof test_services / sizeof test_services[0]; i++)
		if (strcmp(sdk, test_services[i]) == 0)
			return 1;
	return 0;
}

int cc_unpack_plain_name(const char *s, size_t n)
{
	if (!n || n > 255 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

#define MAX_COMPS 64

typedef struct unpacker {
	struct archive *a;
	const char *dest;
	int destfd;
	const cc_unpack_opts *o;
	uint64_t max_entry, max_total;
	unsigned max_entries;
	cc_unpack_stats *st;
	char *err;
	size_t errcap;
	char top[256];        /* first component of the first entry */
	int have_top;
	int prefix_len;       /* -1 until the first model fixes it */
	int prefix_models;    /* the prefix ends in "models" */
	char *buf;
} unpacker;

/* The entry's name for messages: quoted, control bytes escaped, cut. */
static void shown_name(const char *p, char *buf, size_t cap)
{
	size_t k = 0;
	if (cap < 8) {
		buf[0] = '\0';
		return;
	}
	buf[k++] = '"';
	for (size_t i = 0; p && p[i] && k + 6 < cap; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	buf[k++] = '"';
	buf[k] = '\0';
}

static int fail(unpacker *u, int rc, const char *path, const char *fmt, const char *what)
{
	char name[300];
	shown_name(path, name, sizeof name);
	char msg[512];
	snprintf(msg, sizeof msg, fmt, what ? what : "");
	snprintf(u->err, u->errcap, "archive entry %s: %s", name, msg);
	return rc;
}

/* Split PATH into components, dropping "" and "."; refuse what could leave
 * the destination.  Returns the count, or -1 after setting the error. */
static int split(unpacker *u, const char *path, char comps[][256], int *rc)
{
	if (!path || !*path) {
		*rc = fail(u, AL_EARCHIVE, "", "entry without a name%s", NULL);
		return -1;
	}
	if (path[0] == '/') {
		*rc = fail(u, AL_EARCHIVE, path, "absolute path refused%s", NULL);
		return -1;
	}
	if (strchr(path, '\\')) {
		*rc = fail(u, AL_EARCHIVE, path, "backslash in path refused%s", NULL);
		return -1;
	}
	int n = 0;
	const char *p = path;
	while (*p) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			*rc = fail(u, AL_EARCHIVE, path, "path traversal (\"..\") refused%s", NULL);
			return -1;
		}
		if (l && !(l == 1 && p[0] == '.')) {
			if (n == MAX_COMPS || l > 255) {
				*rc = fail(u, AL_EARCHIVE, path, "path too deep or too long%s", NULL);
				return -1;
			}
			memcpy(comps[n], p, l);
			comps[n][l] = '\0';
			n++;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	return n;
}

static int mkdir_at(unpacker *u, int dfd, const char *name, const char *path, int *out)
{
	if (mkdirat(dfd, name, 0755) != 0 && errno != EEXIST) {
		int e = errno;
		char msg[256];
		snprintf(msg, sizeof msg, "cannot create a directory for it in %s: %s", u->dest,
		         strerror(e));
		return fail(u, e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO, path, "%s", msg);
	}
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		char msg[256];
		snprintf(msg, sizeof msg, "cannot open its directory in %s: %s", u->dest, strerror(e));
		return fail(u, AL_EIO, path, "%s", msg);
	}
	*out = fd;
	return 0;
}

/* Read the entry's data: into FD when >= 0, else discard.  Counts bytes
 * against the per-entry limit whatever the header claimed. */
static int copy_data(unpacker *u, const char *path, int fd, uint64_t *bytes)
{
	*bytes = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(u->a, u->buf, 1 << 16);
		if (n == 0)
			return 0;
		if (n < 0)
			return fail(u, AL_EARCHIVE, path, "unreadable data: %s",
			            archive_error_string(u->a));
		*bytes += (uint64_t)n;
		if (*bytes > u->max_entry) {
			char lim[64];
			snprintf(lim, sizeof lim, "%llu", (unsigned long long)u->max_entry);
			return fail(u, AL_ETOOBIG, path, "larger than the per-entry limit of %s bytes", lim);
		}
		if ((uint64_t)archive_filter_bytes(u->a, 0) > u->max_total) {
			char lim[64];
			snprintf(lim, sizeof lim, "%llu", (unsigned long long)u->max_total);
			return fail(u, AL_ETOOBIG, path, "archive unpacks to more than the limit of %s bytes",
			            lim);
		}
		if (fd >= 0) {
			const char *p = u->buf;
			size_t left = (size_t)n;
			while (left) {
				ssize_t w = write(fd, p, left);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					int e = w < 0 ? errno : EIO;
					char msg[256];
					snprintf(msg, sizeof msg, "cannot write it in %s: %s", u->dest, strerror(e));
					return fail(u, e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO, path, "%s",
					            msg);
				}
				p += w;
				left -= (size_t)w;
			}
		}
	}
}

static int write_model(unpacker *u, const char *path, char c[][256], int n)
{
	const char *sdk = c[n - 4], *ver = c[n - 2], *file = c[n - 1];
	if (u->destfd < 0) {
		uint64_t b;
		int rc = copy_data(u, path, -1, &b);
		if (rc == 0)
			u->st->model_bytes += b;
		return rc;
	}
	int d1 = -1, d2 = -1, d3 = -1, fd = -1, rc;
	if ((rc = mkdir_at(u, u->destfd, sdk, path, &d1)) ||
	    (rc = mkdir_at(u, d1, "service", path, &d2)) ||
	    (rc = mkdir_at(u, d2, ver, path, &d3)))
		goto out;
	fd = openat(d3, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST)
			rc = fail(u, AL_EARCHIVE, path, "the archive holds this model file twice%s", NULL);
		else {
			char msg[256];
			snprintf(msg, sizeof msg, "cannot create it in %s: %s", u->dest, strerror(e));
			rc = fail(u, e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO, path, "%s", msg);
		}
		goto out;
	}
	uint64_t b;
	rc = copy_data(u, path, fd, &b);
	if (rc == 0 && close(fd) != 0) {
		int e = errno;
		char msg[256];
		snprintf(msg, sizeof msg, "cannot write it in %s: %s", u->dest, strerror(e));
		rc = fail(u, e == ENOSPC || e == EDQUOT ? AL_ENOSPC : AL_EIO, path, "%s", msg);
		fd = -1;
	} else if (rc == 0)
		fd = -1;
	if (rc == 0)
		u->st->model_bytes += b;
out:
	if (fd >= 0)
		close(fd);
	if (d3 >= 0)
		close(d3);
	if (d2 >= 0)
		close(d2);
	if (d1 >= 0)
		close(d1);
	return rc;
}

static void note_test(unpacker *u, const char *sdk)
{
	char *t = u->st->tests;
	size_t tl = strlen(t), sl = strlen(sdk);
	/* the same service may have several files: name it once */
	for (const char *p = t; (p = strstr(p, sdk)); p++)
		if ((p == t || p[-1] == ',') && (p[sl] == ',' || p[sl] == '\0'))
			return;
	if (tl + sl + 2 < sizeof u->st->tests)
		snprintf(t + tl, sizeof u->st->tests - tl, "%s%s", tl ? "," : "", sdk);
}

static int run(unpacker *u)
{
	struct archive_entry *e;
	static char comps[MAX_COMPS][256];   /* not reentrant: one unpack at a time */
	uint64_t declared = 0;
	int rc = 0;
	for (;;) {
		int r = archive_read_next_header(u->a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			snprintf(u->err, u->errcap, "unreadable archive: %s",
			         archive_error_string(u->a) ? archive_error_string(u->a) : "unknown error");
			return AL_EARCHIVE;
		}
		/* a name the locale cannot show (airlock-compile runs in "C") is
		 * still a name: GitHub's pax headers carry UTF-8 */
		const char *path = archive_entry_pathname(e);
		if (!path)
			path = archive_entry_pathname_utf8(e);
		if (++u->st->entries > u->max_entries) {
			char lim[32];
			snprintf(lim, sizeof lim, "%u", u->max_entries);
			return fail(u, AL_ETOOBIG, path, "more than %s entries in the archive", lim);
		}
		int n = split(u, path, comps, &rc);
		if (n < 0)
			return rc;
		if (archive_entry_hardlink(e))
			return fail(u, AL_EARCHIVE, path, "hard link refused%s", NULL);
		unsigned type = archive_entry_filetype(e);
		if (type == AE_IFLNK || archive_entry_symlink(e))
			return fail(u, AL_EARCHIVE, path, "symbolic link refused%s", NULL);
		if (type != AE_IFREG && type != AE_IFDIR)
			return fail(u, AL_EARCHIVE, path, "device, FIFO, socket or unknown entry type "
			                                  "refused%s", NULL);
		if (archive_entry_size_is_set(e)) {
			la_int64_t sz = archive_entry_size(e);
			if (sz < 0 || (uint64_t)sz > u->max_entry) {
				char lim[64];
				snprintf(lim, sizeof lim, "%llu", (unsigned long long)u->max_entry);
				return fail(u, AL_ETOOBIG, path,
				            "larger than the per-entry limit of %s bytes", lim);
			}
			declared += (uint64_t)sz;
			if (declared > u->max_total) {
				char lim[64];
				snprintf(lim, sizeof lim, "%llu", (unsigned long long)u->max_total);
				return fail(u, AL_ETOOBIG, path,
				            "archive unpacks to more than the limit of %s bytes", lim);
			}
		}
		if (!u->have_top && n > 0) {
			snprintf(u->top, sizeof u->top, "%s", comps[0]);
			u->have_top = 1;
		}
		if (type == AE_IFDIR)
			continue;
		/* [TOP/][models/]<sdk>/service/<ver>/<file>.json */
		int pl = n - 4;
		int model = n >= 4 && pl <= 2 && strcmp(comps[n - 3], "service") == 0;
		if (model && pl == 2)
			model = strcmp(comps[0], u->top) == 0 && strcmp(comps[1], "models") == 0;
		else if (model && pl == 1)
			model = strcmp(comps[0], u->top) == 0 || strcmp(comps[0], "models") == 0;
		size_t fl = model ? strlen(comps[n - 1]) : 0;
		model = model && cc_unpack_plain_name(comps[n - 4], strlen(comps[n - 4])) &&
		        cc_unpack_plain_name(comps[n - 2], strlen(comps[n - 2])) &&
		        cc_unpack_plain_name(comps[n - 1], fl) && fl > 5 &&
		        strcmp(comps[n - 1] + fl - 5, ".json") == 0;
		int pm = pl > 0 && strcmp(comps[pl - 1], "models") == 0;
		if (model && u->prefix_len < 0) {
			u->prefix_len = pl;
			u->prefix_models = pm;
			snprintf(u->st->layout, sizeof u->st->layout, "%s", pm ? "models/" : "root");
		} else if (model)
			model = pl == u->prefix_len && pm == u->prefix_models;
		if (model && cc_unpack_is_test_service(comps[n - 4])) {
			u->st->test_services++;
			note_test(u, comps[n - 4]);
			model = 0;
		} else if (!model)
			u->st->skipped++;
		if (!model) {
			uint64_t b;
			if ((rc = copy_data(u, path, -1, &b)) != 0)
				return rc;
			continue;
		}
		if ((rc = write_model(u, path, comps, n)) != 0)
			return rc;
		u->st->models++;
	}
	if (!u->st->models) {
		snprintf(u->err, u->errcap, "no model files in the archive (expected "
		         "[TOP/][models/]<sdk-id>/service/<version>/<file>.json)");
		return AL_ENOENT;
	}
	return 0;
}

static int unpack(struct archive *a, int open_rc, const char *dest, const cc_unpack_opts *o,
                  cc_unpack_stats *st, char *err, size_t errcap)
{
	unpacker u;
	memset(&u, 0, sizeof u);
	memset(st, 0, sizeof *st);
	u.a = a;
	u.dest = dest;
	u.destfd = -1;
	u.o = o;
	u.max_entry = o && o->max_entry ? o->max_entry : CC_UNPACK_MAX_ENTRY;
	u.max_total = o && o->max_total ? o->max_total : CC_UNPACK_MAX_TOTAL;
	u.max_entries = o && o->max_entries ? o->max_entries : CC_UNPACK_MAX_ENTRIES;
	u.st = st;
	u.err = err;
	u.errcap = errcap;
	u.prefix_len = -1;
	int rc;
	if (open_rc != ARCHIVE_OK) {
		snprintf(err, errcap, "not a readable archive: %s",
		         archive_error_string(a) ? archive_error_string(a) : "unknown error");
		rc = AL_EARCHIVE;
		goto out;
	}
	if (dest) {
		u.destfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (u.destfd < 0) {
			snprintf(err, errcap, "%s: %s", dest, strerror(errno));
			rc = AL_EIO;
			goto out;
		}
	}
	u.buf = malloc(1 << 16);
	if (!u.buf) {
		rc = AL_ENOMEM;
		goto out;
	}
	rc = run(&u);
out:
	free(u.buf);
	if (u.destfd >= 0)
		close(u.destfd);
	archive_read_free(a);
	return rc;
}

/* Only the formats and filters a models archive comes in: each one more
 * is more parser for untrusted bytes.  No external-program filters. */
static struct archive *new_reader(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	return a;
}

int cc_unpack_file(const char *path, const char *dest, const cc_unpack_opts *o,
                   cc_unpack_stats *st, char *err, size_t errcap)
{
	struct archive *a = new_reader();
	if (!a)
		return AL_ENOMEM;
	int r = archive_read_open_filename(a, path, 1 << 16);
	return unpack(a, r, dest, o, st, err, errcap);
}

int cc_unpack_mem(const void *mem, size_t len, const char *dest, const cc_unpack_opts *o,
                  cc_unpack_stats *st, char *err, size_t errcap)
{
	struct archive *a = new_reader();
	if (!a)
		return AL_ENOMEM;
	int r = archive_read_open_memory(a, mem, len);
	return unpack(a, r, dest, o, st, err, errcap);
}
