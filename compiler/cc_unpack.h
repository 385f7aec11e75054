/*
 * cc_unpack.h -- unpacking a models archive for `airlock-compile sync`, the
 * compiler's one wrapper of libarchive.
 *
 * What is accepted: a tar archive (plain, gzip, bzip2, xz or zstd) or a zip,
 * holding the AWS models in either layout of aws/api-models-aws, optionally
 * inside one top-level directory (GitHub's archives have one):
 *
 *     [TOP/][models/]<sdk-id>/service/<version>/<file>.json
 *
 * where TOP is the first path component of the archive's first entry.  The
 * first model file fixes which of the four prefixes the archive uses; a
 * model-shaped path under any other prefix is not a model.  Everything else
 * (README, LICENSE, build files, hidden directories) is skipped, and so are
 * the internal test services the public repository has carried at times
 * (cc_unpack_is_test_service): they are not AWS services.  The names must
 * be plain ([A-Za-z0-9._-], not starting with '.'): the same files
 * cc_find_models (cc_emit.c) finds in a directory, less the test services.
 *
 * What is refused, for EVERY entry, kept or not, with a message that names
 * the entry: an absolute path, a ".." component, a backslash, a symbolic or
 * hard link, a device, FIFO or socket, an entry larger than max_entry, more
 * than max_entries entries, or more than max_total bytes of unpacked data
 * in all (counted from what the decompressor produces, so a lying header
 * does not help), and two entries for the same model file.
 *
 * The models are written flat into DEST (<sdk-id>/service/<version>/<file>,
 * the root layout), which must be a fresh empty directory the caller made
 * and owns: on an error the caller removes it (cc_unpack never leaves a
 * tree it calls complete; files are created O_EXCL|O_NOFOLLOW).  DEST NULL
 * checks the archive without writing anything (the fuzz target does that).
 */
#ifndef CC_UNPACK_H
#define CC_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#define CC_UNPACK_MAX_ENTRY   (64ull << 20)   /* the largest model is 6 MB */
#define CC_UNPACK_MAX_TOTAL   (2ull << 30)    /* the whole repository: ~0.2 GB */
#define CC_UNPACK_MAX_ENTRIES 200000u

typedef struct cc_unpack_opts {
	uint64_t max_entry;      /* 0: CC_UNPACK_MAX_ENTRY */
	uint64_t max_total;      /* 0: CC_UNPACK_MAX_TOTAL */
	unsigned max_entries;    /* 0: CC_UNPACK_MAX_ENTRIES */
} cc_unpack_opts;

typedef struct cc_unpack_stats {
	size_t entries;          /* every entry seen */
	size_t models;           /* model files written */
	size_t skipped;          /* files that are not models */
	size_t test_services;    /* model files of test services, skipped */
	uint64_t model_bytes;    /* bytes written */
	char layout[16];         /* "root" or "models/" */
	char tests[256];         /* the test services skipped, comma-separated */
} cc_unpack_stats;

/* Unpack the archive in file PATH (or the LEN bytes at MEM) into DEST.
 * Returns 0, or AL_EARCHIVE (unsafe or unreadable: ERR names the entry),
 * AL_ETOOBIG (a limit), AL_ENOSPC / AL_EIO (writing DEST), AL_ENOENT (no
 * model in it). */
int cc_unpack_file(const char *path, const char *dest, const cc_unpack_opts *o,
                   cc_unpack_stats *st, char *err, size_t errcap);
int cc_unpack_mem(const void *mem, size_t len, const char *dest, const cc_unpack_opts *o,
                  cc_unpack_stats *st, char *err, size_t errcap);

/* The public repository's internal test services (by <sdk-id> directory
 * name): not AWS services, never synced. */
int cc_unpack_is_test_service(const char *sdk);
/* A plain file or directory name as defined above. */
int cc_unpack_plain_name(const char *s, size_t n);

#endif
