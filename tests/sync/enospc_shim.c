/*
 * enospc_shim.c -- an LD_PRELOAD library for tests/sync: a disk that fills
 * up.  write(2) to a regular file succeeds until ENOSPC_SHIM_BYTES bytes
 * have been written to regular files in all (by this process), then fails
 * with ENOSPC; pipes, sockets and terminals are never affected, so the
 * program's messages and its downloads' sockets still work.
 *
 * sync.enospc runs airlock-compile sync under it to see the disk-full
 * message and that the cache is left as it was, during the download and
 * during the unpacking.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n);

static long long used, budget = -1;

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (budget < 0) {
		const char *e = getenv("ENOSPC_SHIM_BYTES");
		budget = e ? atoll(e) : (long long)1 << 62;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (used >= budget) {
			errno = ENOSPC;
			return -1;
		}
		if ((long long)n > budget - used)
			n = (size_t)(budget - used);   /* a short write, then ENOSPC */
		ssize_t w = real(fd, buf, n);
		if (w > 0)
			used += w;
		return w;
	}
	return real(fd, buf, n);
}
