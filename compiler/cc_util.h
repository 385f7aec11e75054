/*
 * cc_util.h -- growable buffers, the interned string pool and diagnostics
 * for the compiler.  The compiler is a batch program: allocation failure is
 * fatal (cc_oom), which keeps every caller free of OOM paths.
 *
 * Ownership: a cc_buf owns its bytes until cc_buf_free; a cc_pool owns its
 * bytes and its hash table until cc_pool_free.  Offsets returned by
 * cc_intern stay valid for the life of the pool (they are file offsets into
 * the STRS section).
 */
#ifndef CC_UTIL_H
#define CC_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cc_buf {
	uint8_t *p;
	size_t len, cap;
} cc_buf;

void cc_oom(void);
void *cc_xmalloc(size_t n);
void *cc_xcalloc(size_t n, size_t size);
void *cc_xrealloc(void *p, size_t n);
char *cc_xstrndup(const char *s, size_t n);

void cc_buf_reserve(cc_buf *b, size_t extra);
void cc_buf_put(cc_buf *b, const void *p, size_t n);
void cc_buf_u8(cc_buf *b, uint8_t v);
void cc_buf_u16(cc_buf *b, uint16_t v);
void cc_buf_u32(cc_buf *b, uint32_t v);
void cc_buf_u64(cc_buf *b, uint64_t v);
/* Pad with zero bytes to a multiple of ALIGN (a power of two). */
void cc_buf_align(cc_buf *b, size_t align);
void cc_buf_free(cc_buf *b);
/* Write the buffer's bytes to F (nothing for an empty buffer, whose p may
 * be NULL: fwrite(NULL, ...) is undefined even for 0 bytes). */
void cc_buf_write(const cc_buf *b, FILE *f);
/* printf onto the end of the buffer (NUL kept past len, not counted). */
void cc_buf_printf(cc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Deduplicating string pool: each distinct string stored once,
 * NUL-terminated; offset 0 is the empty string. */
typedef struct cc_pool_slot {
	uint64_t hash;
	uint32_t off1;     /* offset + 1; 0 = empty */
	uint32_t len;
} cc_pool_slot;        /* one cache line holds four: a probe is one miss */

typedef struct cc_pool {
	cc_buf data;
	cc_pool_slot *slots;
	size_t nslots, used;
} cc_pool;

void cc_pool_init(cc_pool *p);
/* Size the table for EXPECT distinct strings up front (a good guess saves
 * the rehashes of a growing table); only before the first cc_intern. */
void cc_pool_reserve(cc_pool *p, size_t expect);
void cc_pool_free(cc_pool *p);
uint32_t cc_intern(cc_pool *p, const char *s, size_t len);
/* NULL interns as "" (offset 0). */
uint32_t cc_intern_cstr(cc_pool *p, const char *s);

/* Where a data file the compiler ships with lives: $ENVVAR when set, else
 * SOURCE_DIR/SRC_REL (a build tree), else <exe dir>/../share/airlock/
 * SHARE_NAME (an installed copy).  The path is written to BUF; NULL when
 * none is readable. */
const char *cc_data_path(const char *envvar, const char *source_dir, const char *src_rel,
                         const char *share_name, char *buf, size_t cap);

/* A simple bump allocator for per-model data; freed all at once. */
typedef struct cc_arena_block cc_arena_block;
typedef struct cc_arena {
	cc_arena_block *first;   /* blocks in allocation order */
	cc_arena_block *cur;     /* block being filled */
	size_t used;             /* bytes used in cur */
	size_t block;            /* minimum block size (0: 64 KiB) */
} cc_arena;

/* Forget every allocation but keep the blocks for reuse: a worker parses
 * file after file into the same memory without page faults or free(). */
void cc_arena_reset(cc_arena *a);

void *cc_arena_alloc(cc_arena *a, size_t n);
char *cc_arena_strndup(cc_arena *a, const char *s, size_t n);
char *cc_arena_strdup(cc_arena *a, const char *s);
void cc_arena_free(cc_arena *a);

/* Diagnostics are collected as "file: path: message" lines in a cc_buf so
 * that worker threads never interleave output; the driver prints them in
 * model order. */
void cc_diag_add(cc_buf *out, const char *file, const char *jpath,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cc_diag_vadd(cc_buf *out, const char *file, const char *jpath,
                  const char *fmt, va_list ap);

/* S as a JSON string on F, escaped exactly as Python's json.dumps(s,
 * ensure_ascii=False) does, so that scripts can produce the same bytes
 * (info --json, dump, diff --json); NULL is written as null. */
void cc_json_put_str(FILE *f, const char *s);

#endif
