/*
 * cc_lock.h -- the two small text files of `airlock-compile sync`:
 * catalogs/models.lock (the pinned revision of the AWS models) and the
 * cache's metadata files (downloads/<key>.meta, the .airlock-sync marker of
 * an unpacked tree).  Both are "key = value" lines:
 *
 *     # comment                      blank lines and '#' lines are kept
 *     repository = aws/api-models-aws
 *     commit = 56c8953e87aeead95ae5e66a3ca6a355731db6ad
 *
 * A key is [a-z0-9_]+; the value is the rest of the line without the
 * surrounding blanks (in the lock, a " #" starts a trailing comment; meta
 * values such as ETags keep every byte).  Lines are at most CC_KV_LINE_MAX
 * bytes, values at most the field they fill; control bytes, unknown keys
 * and repeated keys are errors that name the file and the line.  Both files
 * may be edited by people or damaged: every value is checked for its
 * shape (hex digests, a commit id, owner/name) before anything uses it.
 *
 * Writes are atomic (temporary file in the same directory, fsync, rename,
 * fsync of the directory): a reader sees the old file or the new one.
 * Nothing here allocates memory that outlives a call, except the cc_buf a
 * caller passes in.
 */
#ifndef CC_LOCK_H
#define CC_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "cc_util.h"

#define CC_KV_LINE_MAX 2048

typedef struct cc_lock {
	char repository[128];     /* owner/name on GitHub */
	char commit[41];          /* 40 lower-case hex digits */
	char date[11];            /* YYYY-MM-DD of the commit, or "" */
	char archive_sha256[65];  /* 64 lower-case hex digits, or "" when not
	                             recorded yet (sync refuses to unpack an
	                             unverified archive without --record-digest) */
	char branch[128];         /* what --update follows; "main" by default */
} cc_lock;

/* Parse lock TEXT (LEN bytes; NAME names it in messages).  Returns 0, or
 * AL_EINVAL with "NAME:LINE: what" in ERR. */
int cc_lock_parse(const char *text, size_t len, const char *name, cc_lock *out,
                  char *err, size_t errcap);
/* Read and parse PATH; AL_ENOENT / AL_EIO / AL_EINVAL with ERR set. */
int cc_lock_load(const char *path, cc_lock *out, char *err, size_t errcap);
/* TEXT with the values of commit, date and archive_sha256 replaced by L's
 * (keys missing from TEXT are appended), every other byte kept: comments,
 * order, spacing around '='.  Appends to OUT. */
void cc_lock_rewrite(const char *text, size_t len, const cc_lock *l, cc_buf *out);
/* cc_lock_rewrite of PATH's current text, written back atomically. */
int cc_lock_store(const char *path, const cc_lock *l, char *err, size_t errcap);

/* What the cache keeps about one download (downloads/<key>.meta) or one
 * unpacked tree (models/<tree>/.airlock-sync).  Unknown keys are errors;
 * every field is optional. */
typedef struct cc_meta {
	char url[1024];           /* the URL it came from, redacted (no user
	                             info, no query string) */
	char etag[256];           /* validators of the response, as sent */
	char last_modified[64];
	char sha256[65];          /* of the archive */
	char tree[256];           /* models/<tree> it was unpacked into */
	char source[1024];        /* what the tree was made from, for people */
	char commit[41];          /* the pinned commit, when there is one */
	uint64_t size;            /* archive bytes */
	uint64_t models;          /* model files in the tree */
} cc_meta;

int cc_meta_parse(const char *text, size_t len, const char *name, cc_meta *out,
                  char *err, size_t errcap);
int cc_meta_load(const char *path, cc_meta *out, char *err, size_t errcap);
/* The text form of M (fields that are empty or zero are left out). */
void cc_meta_format(const cc_meta *m, cc_buf *out);
int cc_meta_store(const char *path, const cc_meta *m, char *err, size_t errcap);

/* Write LEN bytes to PATH atomically (see above) with mode MODE.  Returns
 * 0, AL_ENOSPC or AL_EIO with ERR set; PATH is untouched on failure. */
int cc_lock_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, char *err, size_t errcap);

/* Shape checks shared with the sync driver. */
int cc_lock_is_hex(const char *s, size_t n);        /* exactly N [0-9a-f] */
int cc_lock_valid_repository(const char *s);        /* owner/name */

#endif
