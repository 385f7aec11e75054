/* cc_util.c -- see cc_util.h */
#include "cc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

void cc_oom(void)
{
	fputs("airlock-compile: out of memory\n", stderr);
	exit(3);
}

void *cc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		cc_oom();
	return p;
}

void *cc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		cc_oom();
	return p;
}

void *cc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		cc_oom();
	return q;
}

char *cc_xstrndup(const char *s, size_t n)
{
	char *d = cc_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void cc_buf_reserve(cc_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = cc_xrealloc(b->p, cap);
	b->cap = cap;
}

void cc_buf_put(cc_buf *b, const void *p, size_t n)
{
	cc_buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void cc_buf_u8(cc_buf *b, uint8_t v) { cc_buf_put(b, &v, 1); }

/* Explicit little-endian stores: the format is LE whatever the host. */
void cc_buf_u16(cc_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	cc_buf_put(b, x, 2);
}

void cc_buf_u32(cc_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 24) };
	cc_buf_put(b, x, 4);
}

void cc_buf_u64(cc_buf *b, uint64_t v)
{
	cc_buf_u32(b, (uint32_t)v);
	cc_buf_u32(b, (uint32_t)(v >> 32));
}

void cc_buf_align(cc_buf *b, size_t align)
{
	static const uint8_t zero[16];
	size_t pad = (align - (b->len & (align - 1))) & (align - 1);
	cc_buf_put(b, zero, pad);
}

void cc_buf_write(const cc_buf *b, FILE *f)
{
	if (b->len)
		fwrite(b->p, 1, b->len, f);
}

void cc_buf_free(cc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void cc_buf_printf(cc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	cc_buf_reserve(b, (size_t)n + 1);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

/* ---- string pool ---------------------------------------------------- */

void cc_pool_init(cc_pool *p)
{
	memset(p, 0, sizeof *p);
	p->nslots = 1u << 12;
	p->slots = cc_xcalloc(p->nslots, sizeof *p->slots);
	cc_buf_u8(&p->data, 0); /* offset 0 == "" */
}

void cc_pool_reserve(cc_pool *p, size_t expect)
{
	if (p->used)
		return;
	size_t n = p->nslots;
	while (n < expect * 2)
		n *= 2;
	if (n == p->nslots)
		return;
	free(p->slots);
	p->slots = cc_xcalloc(n, sizeof *p->slots);
	p->nslots = n;
}

void cc_pool_free(cc_pool *p)
{
	cc_buf_free(&p->data);
	free(p->slots);
	memset(p, 0, sizeof *p);
}

static void cc_pool_grow(cc_pool *p)
{
	size_t n = p->nslots * 2;
	cc_pool_slot *slots = cc_xcalloc(n, sizeof *slots);
	for (size_t i = 0; i < p->nslots; i++) {
		if (!p->slots[i].off1)
			continue;
		size_t j = (size_t)p->slots[i].hash & (n - 1);
		while (slots[j].off1)
			j = (j + 1) & (n - 1);
		slots[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
}

uint32_t cc_intern(cc_pool *p, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	uint64_t h = XXH3_64bits(s, len);
	size_t mask = p->nslots - 1;
	size_t i = (size_t)h & mask;
	while (p->slots[i].off1) {
		const cc_pool_slot *sl = &p->slots[i];
		if (sl->hash == h && sl->len == len &&
		    memcmp(p->data.p + sl->off1 - 1, s, len) == 0)
			return sl->off1 - 1;
		i = (i + 1) & mask;
	}
	if (p->data.len + len + 1 > 0xfffffff0u) {
		fputs("airlock-compile: string pool exceeds 4 GiB\n", stderr);
		exit(3);
	}
	uint32_t off = (uint32_t)p->data.len;
	cc_buf_put(&p->data, s, len);
	cc_buf_u8(&p->data, 0);
	p->slots[i] = (cc_pool_slot){ h, off + 1, (uint32_t)len };
	if (++p->used * 2 > p->nslots)
		cc_pool_grow(p);
	return off;
}

uint32_t cc_intern_cstr(cc_pool *p, const char *s)
{
	return s ? cc_intern(p, s, strlen(s)) : 0;
}

/* ---- arena ---------------------------------------------------------- */

struct cc_arena_block {
	cc_arena_block *next;
	size_t size;
	/* data follows, 16-byte aligned */
	_Alignas(16) unsigned char data[];
};

void *cc_arena_alloc(cc_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	while (!a->cur || a->used + n > a->cur->size) {
		if (a->cur && a->cur->next) { /* reuse a block kept by reset */
			a->cur = a->cur->next;
			a->used = 0;
			continue;
		}
		size_t min = a->block ? a->block : (1u << 16);
		size_t cap = n > min ? n : min;
		cc_arena_block *b = cc_xmalloc(sizeof *b + cap);
		b->next = NULL;
		b->size = cap;
		if (a->cur)
			a->cur->next = b;
		else
			a->first = b;
		a->cur = b;
		a->used = 0;
	}
	void *p = a->cur->data + a->used;
	a->used += n;
	return p;
}

void cc_arena_reset(cc_arena *a)
{
	a->cur = a->first;
	a->used = 0;
}

char *cc_arena_strndup(cc_arena *a, const char *s, size_t n)
{
	char *d = cc_arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *cc_arena_strdup(cc_arena *a, const char *s)
{
	return s ? cc_arena_strndup(a, s, strlen(s)) : NULL;
}

void cc_arena_free(cc_arena *a)
{
	cc_arena_block *b = a->first;
	while (b) {
		cc_arena_block *n = b->next;
		free(b);
		b = n;
	}
	size_t block = a->block;
	memset(a, 0, sizeof *a);
	a->block = block;
}

/* ---- data files --------------------------------------------------- */

const char *cc_data_path(const char *envvar, const char *source_dir, const char *src_rel,
                         const char *share_name, char *buf, size_t cap)
{
	const char *ev = getenv(envvar);
	if (ev && *ev) {
		snprintf(buf, cap, "%s", ev);
		return buf;
	}
	if (source_dir && (size_t)snprintf(buf, cap, "%s/%s", source_dir, src_rel) < cap &&
	    access(buf, R_OK) == 0)
		return buf;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(buf, cap, "%s/../share/airlock/%s", exe, share_name) < cap &&
	    access(buf, R_OK) == 0)
		return buf;
	return NULL;
}

/* ---- diagnostics ---------------------------------------------------- */

void cc_diag_vadd(cc_buf *out, const char *file, const char *jpath,
                  const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (jpath && *jpath)
		cc_buf_printf(out, "%s: %s: %s\n", file, jpath, msg);
	else
		cc_buf_printf(out, "%s: %s\n", file, msg);
}

void cc_diag_add(cc_buf *out, const char *file, const char *jpath,
                 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cc_diag_vadd(out, file, jpath, fmt, ap);
	va_end(ap);
}

void cc_json_put_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}
