/*
 * rt_stamp.c -- see rt_stamp.h
 */
#include "rt_stamp.h"
#include "rt_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The stamps' directory into OUT. */
static int stamp_dir(char *out, size_t cap)
{
	const char *env;
	int n;
	if ((env = getenv("AIRLOCK_CACHE")) != NULL && env[0])
		n = snprintf(out, cap, "%s/verified", env);
	else if ((env = getenv("XDG_CACHE_HOME")) != NULL && env[0] == '/')
		n = snprintf(out, cap, "%s/airlock/verified", env);
	else if ((env = getenv("HOME")) != NULL && env[0] == '/')
		n = snprintf(out, cap, "%s/.cache/airlock/verified", env);
	else
		return -1;
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* "v1-<dev>-<ino>-": what every stamp of this file starts with. */
static int stamp_prefix(const alc_catalog *cat, char *out, size_t cap)
{
	int n = snprintf(out, cap, "v%d-%" PRIu64 "-%" PRIu64 "-", RT_STAMP_GEN,
	                 cat->file.dev, cat->file.ino);
	return n > 0 && (size_t)n < cap ? n : -1;
}

static int stamp_name(const alc_catalog *cat, char *out, size_t cap)
{
	int p = stamp_prefix(cat, out, cap);
	if (p < 0)
		return -1;
	const alc_header *h = (const alc_header *)cat->base;
	int n = snprintf(out + p, cap - (size_t)p,
	                 "%" PRIu64 "-%" PRId64 "-%" PRId64 "-%016" PRIx64 "%016" PRIx64,
	                 cat->file.size, cat->file.mtime_ns, cat->file.ctime_ns,
	                 (uint64_t)h->checksum_hi, (uint64_t)h->checksum_lo);
	return n > 0 && (size_t)n < cap - (size_t)p ? 0 : -1;
}

int rt_stamp_path(const alc_catalog *cat, char *out, size_t cap)
{
	char dir[4096], name[160];
	if (!cat->mapped || !cat->base || stamp_dir(dir, sizeof dir) != 0 ||
	    stamp_name(cat, name, sizeof name) != 0)
		return -1;
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

int rt_stamp_ok(const alc_catalog *cat)
{
	char path[4400];
	struct stat st;
	return rt_stamp_path(cat, path, sizeof path) == 0 && lstat(path, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

void rt_stamp_write(const alc_catalog *cat)
{
	char dir[4096], name[160], prefix[64], path[4400];
	if (!cat->mapped || !cat->base || stamp_dir(dir, sizeof dir) != 0 ||
	    stamp_name(cat, name, sizeof name) != 0 ||
	    stamp_prefix(cat, prefix, sizeof prefix) < 0 || rt_mkdirs(dir) != 0)
		return;
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n <= 0 || (size_t)n >= sizeof path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	close(fd);
	/* Earlier stamps of this file (rewritten in place since) vouch for
	 * nothing now. */
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t pl = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {   /* bound: the directory's entries */
		if (strncmp(e->d_name, prefix, pl) != 0 || strcmp(e->d_name, name) == 0)
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

void rt_stamp_remove(const alc_catalog *cat)
{
	char path[4400];
	if (rt_stamp_path(cat, path, sizeof path) == 0)
		unlink(path);
}
