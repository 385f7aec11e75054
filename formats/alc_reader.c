/*
 * alc_reader.c -- see alc_reader.h
 *
 * Validation runs once, at open, in this order; the first failure is
 * returned with a named code and a message naming the field:
 *
 *   1. header fields outside the checksum: magic (with a diagnosis of
 *      text-mode and 7-bit mangling), endian tag, versions, header size,
 *      file size against the real size;
 *   2. XXH3-128 of bytes [ALC_CHECKSUM_FROM, file_size): after this, a
 *      random flip anywhere reports as AL_ECHECKSUM, the true cause, rather
 *      than as whatever field it happened to hit;
 *   3. section directory: bounds, alignment, record sizes, overlaps,
 *      duplicates, required sections;
 *   4. every record: string offsets, record indexes and index ranges, and
 *      every endpoint rule set (alc_rules_check); the compiled policy and
 *      the operations' risk words (alc_policy_check, alc_policy.c); the
 *      partitions table (alc_partitions_check, alc_partitions.c);
 *   5. the three hash indexes: geometry, load factor, slot values and keys.
 *
 * alc_open runs them all before it returns (the checksum on a second thread
 * beside steps 3-5).  alc_open_deferred runs steps 1 and 3 and hands 2, 4
 * and 5 to a thread that alc_verify_wait joins: same checks, same order of
 * verdicts, same messages (tests/reader compares the three ways to open).
 *
 * A checksummed file can still be hostile (the checksum is no signature),
 * so steps 3-5 assume nothing about the writer.  Every loop over file data
 * is bounded by a section's record count, and the total work is linear in
 * the file size: what records may share (U32 error lists, member ranges,
 * rule sets) is checked with scratch arrays instead of once per referrer.
 * That scratch space is the only allocation, and it is freed before
 * alc_open returns.
 *
 * Pointers: sections are 8-aligned within an 8-aligned image, so every
 * record pointer is aligned for its type.  alc_open gets a page-aligned
 * mapping; alc_open_mem refuses a buffer that is not 8-aligned.
 */
#include "alc_reader.h"
#include "alc_xxh.h"
#include "alc_partitions.h"
#include "alc_policy.h"
#include "alc_rules.h"

#include "alc_err.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

/* ---- diagnostics ---------------------------------------------------- */

static int fail(alc_diag *diag, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(alc_diag *diag, int code, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- section table -------------------------------------------------- */

#define SEC_REQUIRED 1u

struct sec_desc {
	const char *name;
	uint32_t entsize;    /* record size; 1 for byte sections */
	uint32_t flags;
};

static const struct sec_desc sec_descs[] = {
	[0] = { NULL, 0, 0 },
	[ALC_SEC_STRS] = { "STRS", 1, SEC_REQUIRED },
	[ALC_SEC_SVCS] = { "SVCS", sizeof(alc_service), SEC_REQUIRED },
	[ALC_SEC_OPS] = { "OPS", sizeof(alc_operation), SEC_REQUIRED },
	[ALC_SEC_SHAPES] = { "SHAPES", sizeof(alc_shape), SEC_REQUIRED },
	[ALC_SEC_MEMBERS] = { "MEMBERS", sizeof(alc_member), SEC_REQUIRED },
	[ALC_SEC_MEMBEXT] = { "MEMBEXT", sizeof(alc_member_ext), 0 },
	[ALC_SEC_CONS] = { "CONS", sizeof(alc_cons), 0 },
	[ALC_SEC_U32] = { "U32", sizeof(uint32_t), 0 },
	[ALC_SEC_PARAMS] = { "PARAMS", sizeof(alc_param), 0 },
	[ALC_SEC_RULES] = { "RULES", 1, 0 },
	[ALC_SEC_MANIFEST] = { "MANIFEST", sizeof(alc_manifest), 0 },
	/* indexes are byte sections: a header, then the slots */
	[ALC_SEC_IDX_SVC] = { "IDX_SVC", 1, SEC_REQUIRED },
	[ALC_SEC_IDX_OP] = { "IDX_OP", 1, SEC_REQUIRED },
	[ALC_SEC_IDX_CLI] = { "IDX_CLI", 1, SEC_REQUIRED },
	[ALC_SEC_PARTITIONS] = { "PARTITIONS", 1, 0 },
	[ALC_SEC_POLICY] = { "POLICY", 1, 0 },
	[ALC_SEC_SHAPEXT] = { "SHAPEXT", sizeof(alc_shape_ext), 0 },
	[ALC_SEC_DOCS] = { "DOCS", sizeof(uint32_t), 0 },
	[ALC_SEC_READMAP] = { "READMAP", sizeof(uint32_t), 0 },
};
_Static_assert(sizeof sec_descs / sizeof sec_descs[0] == ALC_SEC_MAX_ID + 1,
               "sec_descs must have one row per section id");

/* String fields of each record kind.  Each list is written once and
 * expanded twice: into a table for the message of a failure, and into the
 * branch-free test of the fast path (STR_OOB below). */
#define HDR_STRS(X) X(compiler_version) X(models_source) X(models_revision)
#define SVC_STRS(X) X(key) X(sdk_id) X(shape_id) X(version) X(title) \
	X(summary) X(signing_name) X(endpoint_prefix) X(cli_name) \
	X(arn_namespace) X(cfn_name) X(xml_ns_uri) X(xml_ns_prefix) \
	X(target_prefix) X(namespace_)
#define OP_STRS(X) X(name) X(cli_name) X(summary) X(http_method) \
	X(http_uri) X(host_prefix) X(pg_input_token) X(pg_output_token) \
	X(pg_items) X(pg_page_size) X(checksum_member)
#define SHAPE_STRS(X) X(name)
#define SHEXT_STRS(X) X(ns) X(xml_name) X(xml_ns_uri) X(xml_ns_prefix) \
	X(error_code) X(media_type)
#define MEMBER_STRS(X) X(name) X(summary)
#define MEXT_STRS(X) X(loc_name) X(json_name) X(xml_name) X(ec2_name) \
	X(xml_ns_uri) X(xml_ns_prefix) X(default_json) X(context_param)
#define CONS_STRS(X) X(pattern) X(range_min_text) X(range_max_text)
#define PARAM_STRS(X) X(name) X(value) X(doc)
#define MANIFEST_STRS(X) X(path) X(smithy_version)

struct str_field {
	const char *name;
	uint32_t off;
};
#define STR_TABLE(tab, type, LIST) \
	static const struct str_field tab[] = { LIST(SF_##type) }
#define SF_(type, f) { #f, (uint32_t)offsetof(type, f) },
#define SF_alc_header(f) SF_(alc_header, f)
#define SF_alc_service(f) SF_(alc_service, f)
#define SF_alc_operation(f) SF_(alc_operation, f)
#define SF_alc_shape(f) SF_(alc_shape, f)
#define SF_alc_shape_ext(f) SF_(alc_shape_ext, f)
#define SF_alc_member(f) SF_(alc_member, f)
#define SF_alc_member_ext(f) SF_(alc_member_ext, f)
#define SF_alc_cons(f) SF_(alc_cons, f)
#define SF_alc_param(f) SF_(alc_param, f)
#define SF_alc_manifest(f) SF_(alc_manifest, f)
STR_TABLE(hdr_strs, alc_header, HDR_STRS);
STR_TABLE(svc_strs, alc_service, SVC_STRS);
STR_TABLE(op_strs, alc_operation, OP_STRS);
STR_TABLE(shape_strs, alc_shape, SHAPE_STRS);
STR_TABLE(shext_strs, alc_shape_ext, SHEXT_STRS);
STR_TABLE(member_strs, alc_member, MEMBER_STRS);
STR_TABLE(mext_strs, alc_member_ext, MEXT_STRS);
STR_TABLE(cons_strs, alc_cons, CONS_STRS);
STR_TABLE(param_strs, alc_param, PARAM_STRS);
STR_TABLE(manifest_strs, alc_manifest, MANIFEST_STRS);
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Nonzero when a string field of record R is out of STRS (size SS). */
#define STR_OOB_(f) | (r->f >= ss)
#define STR_OOB(LIST) (0 LIST(STR_OOB_))

/* ---- validation state ----------------------------------------------- */

typedef struct vstate {
	alc_catalog *c;
	alc_diag *diag;
	uint32_t *u32_cover;  /* difference array: lists covering U32[k] */
	uint64_t *member_pre; /* prefix counts over MEMBERS (check_members) */
} vstate;

/* The failure paths below only format messages; the fast paths that call
 * them are inline tests, so a valid catalog costs a few compares per
 * field. */
#define COLD __attribute__((noinline, cold))

static COLD int bad_strs(vstate *v, const char *tbl, uint32_t i,
                         const void *rec, const struct str_field *f,
                         size_t nf)
{
	for (size_t k = 0; k < nf; k++) {   /* bound: fields of one record */
		uint32_t off;
		memcpy(&off, (const uint8_t *)rec + f[k].off, sizeof off);
		if (off < v->c->strs_size)
			continue;
		char where[32] = "";
		if (strcmp(tbl, "header") != 0)    /* one header, no index */
			snprintf(where, sizeof where, "[%u]", i);
		return fail(v->diag, AL_ECORRUPT, "%s%s.%s: string offset %u "
		            "out of range (STRS has %u bytes)", tbl, where,
		            f[k].name, off, v->c->strs_size);
	}
	return fail(v->diag, AL_ECORRUPT, "%s[%u]: string offset out of range",
	            tbl, i);
}

/* Every string field of R (a record of LIST's kind) within STRS. */
#define CHECK_STRS(tbl, i, LIST, tab) \
	(STR_OOB(LIST) ? bad_strs(v, tbl, i, r, tab, NFIELDS(tab)) : 0)

static COLD int bad_ref(vstate *v, const char *tbl, uint32_t i,
                        const char *field, uint32_t val, const char *target,
                        uint32_t n)
{
	if (val == ALC_NONE)
		return fail(v->diag, AL_ECORRUPT, "%s[%u].%s: ALC_NONE not "
		            "allowed here (must be a %s index)", tbl, i, field,
		            target);
	return fail(v->diag, AL_ECORRUPT, "%s[%u].%s: %s index %u out of "
	            "range (%s has %u)", tbl, i, field, target, val, target, n);
}

/* VAL names a record of TARGET (N records), or is ALC_NONE if NONE_OK. */
#define CHECK_REF(tbl, i, field, val, target, n, none_ok) \
	((val) < (n) || ((none_ok) && (val) == ALC_NONE) ? 0 : \
	 bad_ref(v, tbl, i, field, val, target, n))

static COLD int bad_span(vstate *v, const char *tbl, uint32_t i,
                         const char *first_name, const char *count_name,
                         uint32_t first, uint32_t count, const char *target,
                         uint32_t n)
{
	return fail(v->diag, AL_ECORRUPT, "%s[%u].%s+%s: %u+%u exceeds %s "
	            "(%s has %u)", tbl, i, first_name, count_name, first, count,
	            target, target, n);
}

/* [FIRST, FIRST+COUNT) lies within a table of N entries. */
#define CHECK_SPAN(tbl, i, fname, cname, first, count, target, n) \
	((uint64_t)(first) + (count) <= (n) ? 0 : \
	 bad_span(v, tbl, i, fname, cname, first, count, target, n))

/* A U32 list of shape indexes (error lists).  Lists may be shared, so
 * instead of walking each list, every list adds itself to a difference
 * array over U32, and check_u32 checks each covered entry once: O(1) per
 * list plus O(nu32). */
static int add_shape_list(vstate *v, const char *tbl, uint32_t i,
                          const char *first_name, const char *count_name,
                          uint32_t first, uint32_t count)
{
	int rc = CHECK_SPAN(tbl, i, first_name, count_name, first, count,
	                    "U32", v->c->nu32);
	if (rc)
		return rc;
	/* unsigned wrap-around is intended: the prefix sums in check_u32
	 * are exact counts */
	v->u32_cover[first] += 1;
	v->u32_cover[first + count] -= 1;
	return 0;
}

/* ---- 1. header ------------------------------------------------------ */

static int prefix_eq(const uint8_t *p, size_t len, const char *pat, size_t plen)
{
	size_t n = len < plen ? len : plen;
	return n > 0 && memcmp(p, pat, n) == 0;
}

static int check_magic(const uint8_t *p, size_t len, alc_diag *diag)
{
	/* The magic as the usual transfer accidents leave it. */
	static const char crlf_to_lf[] = "\x89" "ALC\n\x1a\n";
	static const char lf_to_crlf[] = "\x89" "ALC\r\r\n\x1a\r\n";
	static const char seven_bit[] = "\x09" "ALC\r\n\x1a\n";

	if (len >= ALC_MAGIC_LEN && memcmp(p, ALC_MAGIC, ALC_MAGIC_LEN) == 0)
		return 0;
	if (len < ALC_MAGIC_LEN && prefix_eq(p, len, ALC_MAGIC, ALC_MAGIC_LEN))
		return fail(diag, AL_ETRUNC, "file is %zu bytes, shorter than "
		            "the %u-byte magic", len, ALC_MAGIC_LEN);
	if (len == 0)
		return fail(diag, AL_ETRUNC, "file is empty");
	if (len >= sizeof crlf_to_lf - 1 &&
	    memcmp(p, crlf_to_lf, sizeof crlf_to_lf - 1) == 0)
		return fail(diag, AL_EMAGIC, "text-mode mangled: CR LF was "
		            "rewritten to LF (transfer the file in binary mode)");
	if (len >= sizeof lf_to_crlf - 1 &&
	    memcmp(p, lf_to_crlf, sizeof lf_to_crlf - 1) == 0)
		return fail(diag, AL_EMAGIC, "text-mode mangled: LF was "
		            "rewritten to CR LF (transfer the file in binary mode)");
	if (len >= sizeof seven_bit - 1 &&
	    memcmp(p, seven_bit, sizeof seven_bit - 1) == 0)
		return fail(diag, AL_EMAGIC, "high bit stripped: the file went "
		            "through a 7-bit channel");
	return fail(diag, AL_EMAGIC, "first bytes %02x %02x %02x %02x are not "
	            "the catalog magic 89 41 4c 43", p[0],
	            len > 1 ? p[1] : 0, len > 2 ? p[2] : 0, len > 3 ? p[3] : 0);
}

static int check_header(const uint8_t *base, size_t len, alc_diag *diag)
{
	int rc = check_magic(base, len, diag);
	if (rc)
		return rc;
	if (len < sizeof(alc_header))
		return fail(diag, AL_ETRUNC, "file is %zu bytes, shorter than the "
		            "%zu-byte header", len, sizeof(alc_header));

	const alc_header *h = (const alc_header *)base;
	if (h->endian_tag != ALC_ENDIAN_TAG) {
		if (h->endian_tag == __builtin_bswap32(ALC_ENDIAN_TAG))
			return fail(diag, AL_EENDIAN, "endian tag %08x: the file "
			            "was written with the other byte order",
			            h->endian_tag);
		return fail(diag, AL_EENDIAN, "endian tag %08x is neither "
		            "%08x nor its byte swap", h->endian_tag,
		            ALC_ENDIAN_TAG);
	}
	if (h->read_version > ALC_READ_VERSION)
		return fail(diag, AL_EVERSION, "file needs reader version %u "
		            "(format %u); this reader implements %u",
		            h->read_version, h->write_version, ALC_READ_VERSION);
	if (h->read_version == 0 || h->write_version < h->read_version)
		return fail(diag, AL_ECORRUPT, "header: read_version %u, "
		            "write_version %u: need 1 <= read <= write",
		            h->read_version, h->write_version);
	if (h->header_size != sizeof(alc_header))
		return fail(diag, AL_ECORRUPT, "header: header_size %u, "
		            "expected %zu", h->header_size, sizeof(alc_header));
	if (h->reserved0 != 0)
		return fail(diag, AL_ECORRUPT, "header: reserved0 is %08x, "
		            "expected 0", h->reserved0);
	if (h->file_size > len)
		return fail(diag, AL_ETRUNC, "header says %llu bytes, file has "
		            "%zu", (unsigned long long)h->file_size, len);
	if (h->file_size < len)
		return fail(diag, AL_ECORRUPT, "file has %zu bytes, header says "
		            "%llu (trailing data)", len,
		            (unsigned long long)h->file_size);
	return 0;
}

/* ---- 2. checksum ---------------------------------------------------- */

/* Give mapped pages back after reading them: validation reads the whole
 * file once, but a serving process only ever needs a fraction of it, and
 * its resident size should say so.  The pages stay in the page cache and
 * fault back in cheaply when a lookup needs them. */
static void drop_pages(const alc_catalog *c, const uint8_t *p, size_t len)
{
	if (!c->mapped)
		return;
	uintptr_t lo = ((uintptr_t)p + 4095u) & ~(uintptr_t)4095u;
	uintptr_t hi = ((uintptr_t)p + len) & ~(uintptr_t)4095u;
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Map a range in one call rather than a page fault per 64 KiB: the
 * checksum reads every page anyway.  Best effort (Linux >= 5.14). */
static void populate(const alc_catalog *c, const uint8_t *p, size_t len)
{
#ifdef MADV_POPULATE_READ
	if (!c->mapped)
		return;
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)4095u;
	uintptr_t hi = ((uintptr_t)p + len + 4095u) & ~(uintptr_t)4095u;
	madvise((void *)lo, hi - lo, MADV_POPULATE_READ);
#else
	(void)c; (void)p; (void)len;
#endif
}

static void chunk_in(void *ctx, const uint8_t *p, size_t len)
{
	populate(ctx, p, len);
}

static void chunk_out(void *ctx, const uint8_t *p, size_t len)
{
	drop_pages(ctx, p, len);
}

/* The checksum reads the file in chunks (alc_xxh.h), mapping each in one
 * call and giving it back after: the resident set never holds more than a
 * chunk of the file while hashing. */
static int check_checksum(const alc_catalog *c, alc_diag *diag)
{
	const uint8_t *base = c->base;
	size_t len = c->size;
	const alc_header *h = (const alc_header *)base;
	XXH128_hash_t x;
	alc_xxh128(base + ALC_CHECKSUM_FROM, len - ALC_CHECKSUM_FROM, chunk_in,
	           chunk_out, (void *)(uintptr_t)c, &x.low64, &x.high64);
	if (x.low64 != h->checksum_lo || x.high64 != h->checksum_hi)
		return fail(diag, AL_ECHECKSUM, "XXH3-128 of bytes [%u, %zu) is "
		            "%016llx%016llx, header says %016llx%016llx",
		            ALC_CHECKSUM_FROM, len,
		            (unsigned long long)x.high64,
		            (unsigned long long)x.low64,
		            (unsigned long long)h->checksum_hi,
		            (unsigned long long)h->checksum_lo);
	return 0;
}

/* ---- 3. section directory ------------------------------------------- */

struct extent {
	uint64_t off, size;
	const char *what;
	uint32_t idx;        /* directory entry, for messages */
};

static const char *sec_name(uint32_t id)
{
	return id <= ALC_SEC_MAX_ID && sec_descs[id].name ? sec_descs[id].name
	                                                   : "unknown";
}

static int check_directory(vstate *v, const alc_section **by_id)
{
	alc_catalog *c = v->c;
	const alc_header *h = c->hdr;
	const uint64_t fsize = h->file_size;

	if (h->section_count > ALC_MAX_SECTIONS)
		return fail(v->diag, AL_ECORRUPT, "header: section_count %u "
		            "exceeds %u", h->section_count, ALC_MAX_SECTIONS);
	if (h->dir_offset < sizeof(alc_header) || h->dir_offset % ALC_ALIGN)
		return fail(v->diag, AL_ECORRUPT, "header: dir_offset %u must be "
		            ">= %zu and %u-aligned", h->dir_offset,
		            sizeof(alc_header), ALC_ALIGN);
	uint64_t dir_size = (uint64_t)h->section_count * sizeof(alc_section);
	if (h->dir_offset > fsize || dir_size > fsize - h->dir_offset)
		return fail(v->diag, AL_ECORRUPT, "header: directory [%u, +%llu) "
		            "extends past end of file (%llu bytes)", h->dir_offset,
		            (unsigned long long)dir_size,
		            (unsigned long long)fsize);

	const alc_section *dir = (const alc_section *)(c->base + h->dir_offset);
	struct extent ext[ALC_MAX_SECTIONS + 2];
	uint32_t next = 0;
	ext[next++] = (struct extent){ 0, sizeof(alc_header), "header", 0 };
	ext[next++] = (struct extent){ h->dir_offset, dir_size, "directory", 0 };

	for (uint32_t i = 0; i < h->section_count; i++) { /* bound: <= 32 */
		const alc_section *s = &dir[i];
		const char *nm = sec_name(s->id);
		if (s->offset % ALC_ALIGN)
			return fail(v->diag, AL_ECORRUPT, "section %u (%s): offset "
			            "%llu not %u-aligned", i, nm,
			            (unsigned long long)s->offset, ALC_ALIGN);
		if (s->offset > fsize || s->size > fsize - s->offset)
			return fail(v->diag, AL_ECORRUPT, "section %u (%s): [%llu, "
			            "+%llu) extends past end of file (%llu bytes)", i,
			            nm, (unsigned long long)s->offset,
			            (unsigned long long)s->size,
			            (unsigned long long)fsize);
		if (s->entsize == 0 ||
		    (uint64_t)s->entsize * s->count != s->size)
			return fail(v->diag, AL_ECORRUPT, "section %u (%s): size "
			            "%llu != entsize %u * count %u", i, nm,
			            (unsigned long long)s->size, s->entsize,
			            s->count);
		for (uint32_t j = 0; j < i; j++) /* bound: <= 32*32 */
			if (dir[j].id == s->id)
				return fail(v->diag, AL_ECORRUPT, "sections %u and %u "
				            "both have id %u (%s)", j, i, s->id, nm);
		if (s->size)
			ext[next++] = (struct extent){ s->offset, s->size, nm, i };
		if (s->id == 0 || s->id > ALC_SEC_MAX_ID)
			continue;     /* unknown: a newer optional section */
		const struct sec_desc *d = &sec_descs[s->id];
		if (s->entsize != d->entsize)
			return fail(v->diag, AL_ECORRUPT, "section %u (%s): entsize "
			            "%u, expected %u", i, nm, s->entsize, d->entsize);
		by_id[s->id] = s;
	}
	/* Overlaps: sort the (<= 34) extents by offset, compare neighbours.
	 * Empty sections occupy nothing and cannot overlap. */
	for (uint32_t i = 1; i < next; i++) {  /* insertion sort, bound 34^2 */
		struct extent e = ext[i];
		uint32_t j = i;
		while (j > 0 && ext[j - 1].off > e.off) {
			ext[j] = ext[j - 1];
			j--;
		}
		ext[j] = e;
	}
	for (uint32_t i = 1; i < next; i++)
		if (ext[i - 1].off + ext[i - 1].size > ext[i].off)
			return fail(v->diag, AL_ECORRUPT, "%s [%llu, +%llu) overlaps "
			            "%s [%llu, +%llu)", ext[i - 1].what,
			            (unsigned long long)ext[i - 1].off,
			            (unsigned long long)ext[i - 1].size, ext[i].what,
			            (unsigned long long)ext[i].off,
			            (unsigned long long)ext[i].size);

	for (uint32_t id = 1; id <= ALC_SEC_MAX_ID; id++)
		if ((sec_descs[id].flags & SEC_REQUIRED) && !by_id[id])
			return fail(v->diag, AL_ECORRUPT, "required section %s "
			            "missing", sec_descs[id].name);
	return 0;
}

/* Point the catalog at its sections. */
static void bind_sections(alc_catalog *c, const alc_section **by_id)
{
#define BIND(id, ptr, n, type) do { \
		if (by_id[id]) { \
			c->ptr = (const type *)(c->base + by_id[id]->offset); \
			c->n = (uint32_t)(by_id[id]->size / sizeof(type)); \
		} \
	} while (0)
	BIND(ALC_SEC_STRS, strs, strs_size, char);
	BIND(ALC_SEC_SVCS, svcs, nsvcs, alc_service);
	BIND(ALC_SEC_OPS, ops, nops, alc_operation);
	BIND(ALC_SEC_SHAPES, shapes, nshapes, alc_shape);
	BIND(ALC_SEC_SHAPEXT, shext, nshext, alc_shape_ext);
	BIND(ALC_SEC_MEMBERS, members, nmembers, alc_member);
	BIND(ALC_SEC_MEMBEXT, mext, nmext, alc_member_ext);
	BIND(ALC_SEC_CONS, cons, ncons, alc_cons);
	BIND(ALC_SEC_U32, u32, nu32, uint32_t);
	BIND(ALC_SEC_PARAMS, params, nparams, alc_param);
	BIND(ALC_SEC_RULES, rules, rules_size, uint8_t);
	BIND(ALC_SEC_MANIFEST, manifest, nmanifest, alc_manifest);
	BIND(ALC_SEC_PARTITIONS, partitions, partitions_size, uint8_t);
	BIND(ALC_SEC_POLICY, policy, policy_size, uint8_t);
	BIND(ALC_SEC_DOCS, docs, ndocs, uint32_t);
	BIND(ALC_SEC_READMAP, readmap, nreadmap, uint32_t);
#undef BIND
	c->idx_svc = (const alc_index_header *)(c->base +
	                                        by_id[ALC_SEC_IDX_SVC]->offset);
	c->idx_op = (const alc_index_header *)(c->base +
	                                       by_id[ALC_SEC_IDX_OP]->offset);
	c->idx_cli = (const alc_index_header *)(c->base +
	                                        by_id[ALC_SEC_IDX_CLI]->offset);
}

/* ---- 4. records ----------------------------------------------------- */

static int check_counts(vstate *v)
{
	const alc_catalog *c = v->c;
	const alc_header *h = c->hdr;
	struct { const char *field, *sec; uint32_t hv, n; } t[] = {
		{ "service_count", "SVCS", h->service_count, c->nsvcs },
		{ "operation_count", "OPS", h->operation_count, c->nops },
		{ "shape_count", "SHAPES", h->shape_count, c->nshapes },
		{ "member_count", "MEMBERS", h->member_count, c->nmembers },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].hv != t[i].n)
			return fail(v->diag, AL_ECORRUPT, "header: %s %u, but %s "
			            "has %u records", t[i].field, t[i].hv, t[i].sec,
			            t[i].n);

	if (c->strs_size == 0)
		return fail(v->diag, AL_ECORRUPT, "STRS: empty (must hold at "
		            "least the empty string)");
	if (c->strs[0] != '\0')
		return fail(v->diag, AL_ECORRUPT, "STRS: first byte %02x, "
		            "expected NUL (offset 0 is the empty string)",
		            (unsigned)(uint8_t)c->strs[0]);
	if (c->strs[c->strs_size - 1] != '\0')
		return fail(v->diag, AL_ECORRUPT, "STRS: unterminated (last "
		            "byte %02x, expected NUL)",
		            (unsigned)(uint8_t)c->strs[c->strs_size - 1]);
	const uint32_t ss = c->strs_size;
	const alc_header *r = h;
	return CHECK_STRS("header", 0, HDR_STRS, hdr_strs);
}

static int check_services(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t ss = c->strs_size;
	uint64_t total_ops = 0;
	int rc;

	for (uint32_t i = 0; i < c->nsvcs; i++) {     /* bound: nsvcs */
		const alc_service *r = &c->svcs[i];
		if ((rc = CHECK_STRS("SVCS", i, SVC_STRS, svc_strs)))
			return rc;
		if (r->protocol >= ALC_PROTO_COUNT)
			return fail(v->diag, AL_ECORRUPT, "SVCS[%u].protocol: %u "
			            "is not a protocol", i, r->protocol);
		if ((rc = CHECK_SPAN("SVCS", i, "first_op", "op_count",
		                     r->first_op, r->op_count, "OPS", c->nops)) ||
		    (rc = CHECK_SPAN("SVCS", i, "rules_offset", "rules_size",
		                     r->rules_offset, r->rules_size, "RULES",
		                     c->rules_size)) ||
		    (rc = CHECK_SPAN("SVCS", i, "first_param", "param_count",
		                     r->first_param, r->param_count, "PARAMS",
		                     c->nparams)) ||
		    (rc = add_shape_list(v, "SVCS", i, "first_error",
		                         "error_count", r->first_error,
		                         r->error_count)) ||
		    (rc = CHECK_REF("SVCS", i, "manifest", r->manifest,
		                    "MANIFEST", c->nmanifest, 0)) ||
		    (rc = CHECK_SPAN("SVCS", i, "first_shape", "shape_count",
		                     r->first_shape, r->shape_count, "SHAPES",
		                     c->nshapes)))
			return rc;
		/* alc_shape_service() binary-searches these ranges */
		if (i > 0 && r->first_shape < (uint64_t)c->svcs[i - 1].first_shape +
		                              c->svcs[i - 1].shape_count)
			return fail(v->diag, AL_ECORRUPT, "SVCS[%u].first_shape: %u "
			            "overlaps or precedes SVCS[%u]'s shapes [%u, +%u)",
			            i, r->first_shape, i - 1,
			            c->svcs[i - 1].first_shape,
			            c->svcs[i - 1].shape_count);
		total_ops += r->op_count;
	}
	/* With every op inside its own service's range (check_ops), equal
	 * totals mean the ranges are disjoint and cover OPS exactly. */
	if (total_ops != c->nops)
		return fail(v->diag, AL_ECORRUPT, "SVCS: op_count totals %llu, "
		            "OPS has %u (ranges must partition OPS)",
		            (unsigned long long)total_ops, c->nops);
	return 0;
}

/* Endpoint rule sets.  The evaluator walks a rule set without bounds
 * checks, so each one is proved sound here (alc_rules_check, linear in its
 * size).  Services may share one (the writer stores identical rule sets
 * once), so each distinct rule set is checked once: two services' rule
 * sets must be the same (offset and size) or disjoint, which a claim per
 * 8-byte unit of RULES tracks.  Work: O(rules_size / 8 + nsvcs) plus one
 * check of each distinct, disjoint rule set. */
#define RULES_INNER UINT32_MAX  /* claim of a unit inside a rule set */

static int check_rules(vstate *v)
{
	const alc_catalog *c = v->c;
	uint32_t *claim = calloc((size_t)c->rules_size / ALC_ALIGN + 1,
	                         sizeof *claim);
	int rc = 0;
	if (!claim)
		return fail(v->diag, AL_ENOMEM, "no memory to validate RULES");
	for (uint32_t i = 0; i < c->nsvcs && !rc; i++) { /* bound: nsvcs */
		const alc_service *r = &c->svcs[i];
		if (!r->rules_size)
			continue;
		if (r->rules_offset % ALC_ALIGN) {
			rc = fail(v->diag, AL_ECORRUPT, "SVCS[%u].rules_offset: %u "
			          "is not %u-aligned", i, r->rules_offset, ALC_ALIGN);
			break;
		}
		/* check_services bounded offset + size by rules_size < 2^32,
		 * so a rule set of size RULES_INNER could only start at 0,
		 * which is never an inner unit. */
		uint32_t first = r->rules_offset / ALC_ALIGN;
		if (claim[first] == r->rules_size)
			continue;                       /* shared: checked */
		uint32_t end = (uint32_t)(((uint64_t)r->rules_offset +
		                           r->rules_size + ALC_ALIGN - 1) / ALC_ALIGN);
		for (uint32_t u = first; u < end && !rc; u++) /* each unit once */
			if (claim[u])
				rc = fail(v->diag, AL_ECORRUPT, "SVCS[%u].rules_offset: "
				          "rule set [%u, +%u) overlaps another "
				          "service's", i, r->rules_offset,
				          r->rules_size);
		if (rc)
			break;
		claim[first] = r->rules_size;
		for (uint32_t u = first + 1; u < end; u++)
			claim[u] = RULES_INNER;
		char why[160];
		if (alc_rules_check(c->rules + r->rules_offset, r->rules_size,
		                    c->strs_size, why, sizeof why) != 0)
			rc = fail(v->diag, AL_ECORRUPT, "SVCS[%u] rule set: %s", i,
			          why);
	}
	free(claim);
	return rc;
}

static int check_ops(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t ss = c->strs_size;
	int rc;

	for (uint32_t i = 0; i < c->nops; i++) {      /* bound: nops */
		const alc_operation *r = &c->ops[i];
		if ((rc = CHECK_STRS("OPS", i, OP_STRS, op_strs)) ||
		    (rc = CHECK_REF("OPS", i, "service", r->service, "SVCS",
		                    c->nsvcs, 0)))
			return rc;
		const alc_service *s = &c->svcs[r->service];
		if (i < s->first_op || i - s->first_op >= s->op_count)
			return fail(v->diag, AL_ECORRUPT, "OPS[%u].service: %u, "
			            "whose operations are [%u, %u)", i, r->service,
			            s->first_op, s->first_op + s->op_count);
		if ((rc = CHECK_REF("OPS", i, "input", r->input, "SHAPES",
		                    c->nshapes, 1)) ||
		    (rc = CHECK_REF("OPS", i, "output", r->output, "SHAPES",
		                    c->nshapes, 1)) ||
		    (rc = add_shape_list(v, "OPS", i, "first_error",
		                         "error_count", r->first_error,
		                         r->error_count)) ||
		    (rc = CHECK_REF("OPS", i, "idem_member", r->idem_member,
		                    "MEMBERS", c->nmembers, 1)) ||
		    (rc = CHECK_SPAN("OPS", i, "first_param", "param_count",
		                     r->first_param, r->param_count, "PARAMS",
		                     c->nparams)))
			return rc;
	}
	return 0;
}

/* The U32 entries covered by some list are shape indexes. */
static COLD int bad_u32(vstate *v, uint32_t k)
{
	const alc_catalog *c = v->c;
	/* name a referrer: the message is worth one more scan */
	for (uint32_t i = 0; i < c->nsvcs; i++)       /* bound: nsvcs */
		if (k - c->svcs[i].first_error < c->svcs[i].error_count)
			return fail(v->diag, AL_ECORRUPT, "SVCS[%u].first_error: "
			            "U32[%u] = shape index %u out of range (SHAPES "
			            "has %u)", i, k, c->u32[k], c->nshapes);
	for (uint32_t i = 0; i < c->nops; i++)        /* bound: nops */
		if (k - c->ops[i].first_error < c->ops[i].error_count)
			return fail(v->diag, AL_ECORRUPT, "OPS[%u].first_error: "
			            "U32[%u] = shape index %u out of range (SHAPES "
			            "has %u)", i, k, c->u32[k], c->nshapes);
	return fail(v->diag, AL_ECORRUPT, "U32[%u] = shape index %u out of "
	            "range (SHAPES has %u)", k, c->u32[k], c->nshapes);
}

static int check_u32(vstate *v)
{
	const alc_catalog *c = v->c;
	uint32_t run = 0;
	for (uint32_t k = 0; k < c->nu32; k++) {      /* bound: nu32 */
		run += v->u32_cover[k];
		if ((run != 0) & (c->u32[k] >= c->nshapes))
			return bad_u32(v, k);
	}
	return 0;
}

/* Members and their shapes.  Whether a member is an enum value (no
 * target; aux a string or an int32 rather than a MEMBEXT index) is stated
 * by its ALC_M_ENUM_VALUE flag, so check_members checks each member on its
 * own, in one pass with no branch on data, and records prefix counts of
 * enum values and of enum values whose aux is a valid string offset.
 * check_shapes then checks each shape's whole range in O(1) from those
 * counts: every member of an enum or intEnum shape is an enum value, no
 * member of another shape is, every value of an enum is a string.  This
 * holds however ranges are ordered or shared. */

static COLD int bad_member(vstate *v, uint32_t i)
{
	const alc_catalog *c = v->c;
	const alc_member *r = &c->members[i];
	const uint32_t ss = c->strs_size;
	int ev = (r->flags & ALC_M_ENUM_VALUE) != 0;
	int ext = (r->flags & ALC_M_HAS_EXT) != 0;
	int rc;

	if ((rc = CHECK_STRS("MEMBERS", i, MEMBER_STRS, member_strs)) ||
	    (rc = CHECK_REF("MEMBERS", i, "target", r->target, "SHAPES",
	                    c->nshapes, ev)))
		return rc;
	if (ev && ext)
		return fail(v->diag, AL_ECORRUPT, "MEMBERS[%u].flags: HAS_EXT on "
		            "an enum value (aux holds the value)", i);
	if (ext)
		return CHECK_REF("MEMBERS", i, "aux", r->aux, "MEMBEXT", c->nmext,
		                 0);
	if (!ev && r->aux != ALC_NONE)
		return fail(v->diag, AL_ECORRUPT, "MEMBERS[%u].aux: %u without "
		            "HAS_EXT (must be ALC_NONE)", i, r->aux);
	return fail(v->diag, AL_ECORRUPT, "MEMBERS[%u]: invalid", i);
}

static int check_members(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t ss = c->strs_size, nshapes = c->nshapes;
	uint64_t *pre = v->member_pre, acc = 0;

	pre[0] = 0;
	for (uint32_t i = 0; i < c->nmembers; i++) {  /* bound: nmembers */
		const alc_member *r = &c->members[i];
		uint32_t ev = (r->flags & ALC_M_ENUM_VALUE) != 0;
		uint32_t ext = (r->flags & ALC_M_HAS_EXT) != 0;
		uint32_t bad = STR_OOB(MEMBER_STRS);
		bad |= (r->target >= nshapes) & !(ev & (r->target == ALC_NONE));
		bad |= ev & ext;
		bad |= ext & (r->aux >= c->nmext);
		bad |= ((ev | ext) == 0) & (r->aux != ALC_NONE);
		if (bad)
			return bad_member(v, i);
		/* low half: enum values; high half: ... with a string aux */
		acc += ev | (uint64_t)(ev & (r->aux < ss)) << 32;
		pre[i + 1] = acc;
	}
	return 0;
}

static const char *const type_names[] = {
	"?", "blob", "boolean", "string", "byte", "short", "integer", "long",
	"float", "double", "bigInteger", "bigDecimal", "timestamp", "document",
	"enum", "intEnum", "list", "map", "structure", "union",
};
_Static_assert(sizeof type_names / sizeof type_names[0] == ALC_T_COUNT,
               "type_names must have one row per enum alc_type");

static const char *type_name(uint8_t t)
{
	return t < ALC_T_COUNT ? type_names[t] : "?";
}

static COLD int bad_shape(vstate *v, uint32_t i)
{
	const alc_catalog *c = v->c;
	const alc_shape *r = &c->shapes[i];
	const uint32_t ss = c->strs_size;
	int rc;

	if ((rc = CHECK_STRS("SHAPES", i, SHAPE_STRS, shape_strs)))
		return rc;
	if (r->type < 1 || r->type >= ALC_T_COUNT)
		return fail(v->diag, AL_ECORRUPT, "SHAPES[%u].type: %u is not a "
		            "shape type", i, r->type);
	if (r->ts_format > ALC_TS_EPOCH_SECONDS)
		return fail(v->diag, AL_ECORRUPT, "SHAPES[%u].ts_format: %u is "
		            "not a timestamp format", i, r->ts_format);
	if ((rc = CHECK_SPAN("SHAPES", i, "first_member", "member_count",
	                     r->first_member, r->member_count, "MEMBERS",
	                     c->nmembers)) ||
	    (rc = CHECK_REF("SHAPES", i, "cons", r->cons, "CONS", c->ncons,
	                    1)) ||
	    (rc = CHECK_REF("SHAPES", i, "ext", r->ext, "SHAPEXT", c->nshext,
	                    1)))
		return rc;
	if ((r->type == ALC_T_LIST && r->member_count != 1) ||
	    (r->type == ALC_T_MAP && r->member_count != 2))
		return fail(v->diag, AL_ECORRUPT, "SHAPES[%u].member_count: %u "
		            "for a %s (must be %u)", i, r->member_count,
		            type_name(r->type), r->type == ALC_T_LIST ? 1u : 2u);
	/* the members' kinds (bound: member_count, once, on failure) */
	int enums = r->type == ALC_T_ENUM || r->type == ALC_T_INTENUM;
	for (uint32_t m = r->first_member;
	     m < r->first_member + r->member_count; m++) {
		const alc_member *mb = &c->members[m];
		int ev = (mb->flags & ALC_M_ENUM_VALUE) != 0;
		if (ev != enums)
			return fail(v->diag, AL_ECORRUPT, "SHAPES[%u] (%s): "
			            "MEMBERS[%u] is %san enum value", i,
			            type_name(r->type), m, ev ? "" : "not ");
		if (r->type == ALC_T_ENUM && mb->aux >= ss)
			return fail(v->diag, AL_ECORRUPT, "SHAPES[%u] (enum): "
			            "MEMBERS[%u].aux: value string offset %u out of "
			            "range (STRS has %u bytes)", i, m, mb->aux, ss);
	}
	return fail(v->diag, AL_ECORRUPT, "SHAPES[%u]: invalid", i);
}

static int check_shapes(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t ss = c->strs_size;
	const uint64_t *pre = v->member_pre;

	for (uint32_t i = 0; i < c->nshapes; i++) {   /* bound: nshapes */
		const alc_shape *r = &c->shapes[i];
		uint32_t n = r->member_count;
		uint64_t end = (uint64_t)r->first_member + n;
		uint32_t bad = STR_OOB(SHAPE_STRS);
		bad |= (uint32_t)(r->type - 1) >= ALC_T_COUNT - 1u;
		bad |= r->ts_format > ALC_TS_EPOCH_SECONDS;
		bad |= end > c->nmembers;
		bad |= (uint32_t)(r->cons + 1) > c->ncons;   /* ALC_NONE + 1 == 0 */
		bad |= (uint32_t)(r->ext + 1) > c->nshext;
		bad |= (r->type == ALC_T_LIST) & (n != 1);
		bad |= (r->type == ALC_T_MAP) & (n != 2);
		if (bad)
			return bad_shape(v, i);
		uint64_t d = pre[end] - pre[r->first_member];
		uint32_t is_enum = r->type == ALC_T_ENUM;
		uint32_t enums = is_enum | (r->type == ALC_T_INTENUM);
		bad = (uint32_t)d != (enums ? n : 0);
		bad |= is_enum & ((uint32_t)(d >> 32) != n);
		if (bad)
			return bad_shape(v, i);
	}

	/* Shapes outside every service's range (the prelude) take their
	 * namespace from their ext record.  The ranges are sorted and
	 * disjoint (check_services), so the gaps are found in one pass. */
	uint32_t pos = 0;
	for (uint32_t si = 0; si <= c->nsvcs; si++) { /* bound: nsvcs + nshapes */
		uint32_t end = si < c->nsvcs ? c->svcs[si].first_shape : c->nshapes;
		for (; pos < end; pos++) {
			const alc_shape *s = &c->shapes[pos];
			if (s->ext == ALC_NONE || c->shext[s->ext].ns == 0)
				return fail(v->diag, AL_ECORRUPT, "SHAPES[%u].ext: "
				            "owned by no service, so needs an ext "
				            "record naming its namespace", pos);
		}
		if (si < c->nsvcs)
			pos = c->svcs[si].first_shape + c->svcs[si].shape_count;
	}
	return 0;
}

static int check_small_tables(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t ss = c->strs_size;
	int rc;

	for (uint32_t i = 0; i < c->nmext; i++) {     /* bound: nmext */
		const alc_member_ext *r = &c->mext[i];
		if ((rc = CHECK_STRS("MEMBEXT", i, MEXT_STRS, mext_strs)) ||
		    (rc = CHECK_REF("MEMBEXT", i, "cons", r->cons, "CONS",
		                    c->ncons, 1)))
			return rc;
		if (r->ts_format > ALC_TS_EPOCH_SECONDS)
			return fail(v->diag, AL_ECORRUPT, "MEMBEXT[%u].ts_format: %u "
			            "is not a timestamp format", i, r->ts_format);
	}
	for (uint32_t i = 0; i < c->nshext; i++) {    /* bound: nshext */
		const alc_shape_ext *r = &c->shext[i];
		if ((rc = CHECK_STRS("SHAPEXT", i, SHEXT_STRS, shext_strs)))
			return rc;
	}
	for (uint32_t i = 0; i < c->ncons; i++) {     /* bound: ncons */
		const alc_cons *r = &c->cons[i];
		if ((rc = CHECK_STRS("CONS", i, CONS_STRS, cons_strs)))
			return rc;
	}
	for (uint32_t i = 0; i < c->nparams; i++) {   /* bound: nparams */
		const alc_param *r = &c->params[i];
		if ((rc = CHECK_STRS("PARAMS", i, PARAM_STRS, param_strs)))
			return rc;
		if (r->kind < ALC_PARAM_CLIENT_CONTEXT ||
		    r->kind > ALC_PARAM_OPERATION_CONTEXT)
			return fail(v->diag, AL_ECORRUPT, "PARAMS[%u].kind: %u is "
			            "not a parameter kind", i, r->kind);
	}
	for (uint32_t i = 0; i < c->nmanifest; i++) { /* bound: nmanifest */
		const alc_manifest *r = &c->manifest[i];
		if ((rc = CHECK_STRS("MANIFEST", i, MANIFEST_STRS,
		                     manifest_strs)) ||
		    (rc = CHECK_REF("MANIFEST", i, "service", r->service, "SVCS",
		                    c->nsvcs, 0)))
			return rc;
	}
	return 0;
}

static int check_records(vstate *v)
{
	const alc_catalog *c = v->c;
	int rc;

	/* Scratch, freed before open returns: the U32 cover counts and the
	 * MEMBERS prefix counts. */
	v->u32_cover = calloc((size_t)c->nu32 + 1, sizeof *v->u32_cover);
	v->member_pre = malloc(((size_t)c->nmembers + 1) *
	                       sizeof *v->member_pre);
	if (!v->u32_cover || !v->member_pre)
		rc = fail(v->diag, AL_ENOMEM, "no memory for validation scratch");
	/* small tables first: check_shapes reads SHAPEXT namespaces */
	/* Each pass gives the pages it read back before the next one starts
	 * (drop_pages), so the resident size peaks at one pass's tables. */
	else if (!(rc = check_small_tables(v)) && !(rc = check_services(v)) &&
	         !(rc = check_rules(v)) && (drop_pages(c, c->base, c->size), 1) &&
	         !(rc = check_ops(v)) && (drop_pages(c, c->base, c->size), 1) &&
	         !(rc = check_u32(v)) &&
	         !(rc = check_members(v)) && (drop_pages(c, c->base, c->size), 1))
		rc = check_shapes(v);
	free(v->u32_cover);
	free(v->member_pre);
	v->u32_cover = NULL;
	v->member_pre = NULL;
	return rc;
}

/* DOCS (--docs full only): one str per service, operation and member. */
static int check_docs(vstate *v)
{
	const alc_catalog *c = v->c;
	if (!c->docs)
		return 0;
	uint64_t want = (uint64_t)c->nsvcs + c->nops + c->nmembers;
	if (c->ndocs != want)
		return fail(v->diag, AL_ECORRUPT, "DOCS: %u entries, expected %llu "
		            "(services + operations + members)", c->ndocs,
		            (unsigned long long)want);
	for (uint32_t i = 0; i < c->ndocs; i++)       /* bound: ndocs */
		if (c->docs[i] >= c->strs_size)
			return fail(v->diag, AL_ECORRUPT, "DOCS[%u]: string offset %u "
			            "out of range (STRS has %u bytes)", i, c->docs[i],
			            c->strs_size);
	return 0;
}

/* READMAP (optional): each operation's word names an entry that lies
 * inside the section, whose read is a read operation of the same service
 * and whose strings and flags are valid.  Entries shared by several
 * operations are checked once per referrer: the work is bounded by
 * nops * ALC_RM_ENTRY_WORDS(ALC_READMAP_MAX_ARGS). */
static COLD int bad_readmap(vstate *v, uint32_t i, const char *what,
                            uint32_t val)
{
	return fail(v->diag, AL_ECORRUPT, "OPS[%u].readmap: %s (%u)", i, what,
	            val);
}

static int check_readmap(vstate *v)
{
	const alc_catalog *c = v->c;
	const uint32_t n = c->nreadmap, ss = c->strs_size;

	for (uint32_t i = 0; i < c->nops; i++) {      /* bound: nops */
		uint32_t w = c->ops[i].readmap;
		if (w == ALC_NONE)
			continue;
		if (!c->readmap) {
			if (w != 0) /* 0: written before READMAP existed */
				return bad_readmap(v, i, "set, but the catalog has no "
				                   "READMAP section", w);
			continue;
		}
		uint32_t at = w & ALC_RM_INDEX_MASK;
		if ((w >> ALC_RM_SOURCE_SHIFT) + 1u > ALC_RM_OVERRIDE)
			return bad_readmap(v, i, "source is not a mapping source",
			                   (w >> ALC_RM_SOURCE_SHIFT) + 1u);
		if (at > n || n - at < 2)
			return bad_readmap(v, i, "entry out of READMAP", at);
		const uint32_t *e = c->readmap + at;
		uint32_t nargs = e[1] >> ALC_RM_HIGH_SHIFT;
		if (nargs > ALC_READMAP_MAX_ARGS)
			return bad_readmap(v, i, "entry has too many arguments",
			                   nargs);
		if (n - at < ALC_RM_ENTRY_WORDS(nargs))
			return bad_readmap(v, i, "entry's arguments run past "
			                   "READMAP", at);
		if (e[0] >= c->nops)
			return bad_readmap(v, i, "read operation out of range",
			                   e[0]);
		const alc_operation *rd = &c->ops[e[0]];
		if (rd->service != c->ops[i].service)
			return bad_readmap(v, i, "read operation of another "
			                   "service", e[0]);
		if (!alc_op_is_read(c->strs + rd->name, rd->flags))
			return bad_readmap(v, i, "read operation is not a read",
			                   e[0]);
		if ((e[1] & ALC_RM_STR_MASK) >= ss)
			return bad_readmap(v, i, "state path string out of range",
			                   e[1] & ALC_RM_STR_MASK);
		for (uint32_t a = 0; a < nargs; a++) {    /* bound: 8 */
			const uint32_t *g = e + 2 + 2 * a;
			if (g[0] >= ss || (g[1] & ALC_RM_STR_MASK) >= ss)
				return bad_readmap(v, i, "argument string out of range",
				                   a);
			if ((g[1] >> ALC_RM_HIGH_SHIFT) & ~(ALC_RMA_LIST | ALC_RMA_CONST))
				return bad_readmap(v, i, "argument flags unknown",
				                   g[1] >> ALC_RM_HIGH_SHIFT);
		}
	}
	return 0;
}

int alc_op_readmap(const alc_catalog *c, const alc_operation *op,
                   alc_readmap *out)
{
	uint32_t w = op->readmap;
	if (w == ALC_NONE || !c->readmap)
		return 0;
	const uint32_t *e = c->readmap + (w & ALC_RM_INDEX_MASK);
	out->read = &c->ops[e[0]];
	out->kind = ((w >> ALC_RM_KIND_SHIFT) & 3u) + 1u;
	out->source = (w >> ALC_RM_SOURCE_SHIFT) + 1u;
	out->state_path = c->strs + (e[1] & ALC_RM_STR_MASK);
	out->nargs = e[1] >> ALC_RM_HIGH_SHIFT;
	for (uint32_t a = 0; a < out->nargs; a++) {   /* bound: 8 */
		out->args[a].from = c->strs + e[2 + 2 * a];
		out->args[a].to = c->strs + (e[3 + 2 * a] & ALC_RM_STR_MASK);
		out->args[a].flags = e[3 + 2 * a] >> ALC_RM_HIGH_SHIFT;
	}
	return 1;
}

/* ---- 5. hash indexes ------------------------------------------------ */

static int check_index(vstate *v, const alc_section *sec, const char *name,
                       const char *target, uint32_t n, int scoped)
{
	const alc_catalog *c = v->c;
	if (sec->size < sizeof(alc_index_header))
		return fail(v->diag, AL_ECORRUPT, "%s: %llu bytes, too small for "
		            "the index header", name,
		            (unsigned long long)sec->size);
	const alc_index_header *ih =
		(const alc_index_header *)(c->base + sec->offset);
	uint32_t slots = ih->slot_count;
	if (slots == 0 || (slots & (slots - 1)))
		return fail(v->diag, AL_ECORRUPT, "%s.slot_count: %u is not a "
		            "power of two", name, slots);
	uint64_t want = sizeof(alc_index_header) +
	                (uint64_t)slots * sizeof(alc_index_slot);
	if (sec->size != want)
		return fail(v->diag, AL_ECORRUPT, "%s: section is %llu bytes, "
		            "slot_count %u needs %llu", name,
		            (unsigned long long)sec->size, slots,
		            (unsigned long long)want);
	/* At most 70% full, hence at least one empty slot: every probe for a
	 * missing key ends at an empty slot. */
	if ((uint64_t)ih->entry_count * 10 > (uint64_t)slots * 7)
		return fail(v->diag, AL_ECORRUPT, "%s.entry_count: %u exceeds "
		            "70%% of slot_count %u", name, ih->entry_count, slots);

	const alc_index_slot *sl = (const alc_index_slot *)(ih + 1);
	uint32_t used = 0, bad = 0;
	for (uint32_t i = 0; i < slots; i++) {        /* bound: slot_count */
		uint32_t u = sl[i].value != ALC_NONE;
		used += u;
		/* scope: a service index in operation indexes, 0 in IDX_SVC
		 * (that it is the operation's own service is verify's check) */
		bad |= u & ((sl[i].value >= n) | (sl[i].key >= c->strs_size) |
		            (scoped ? sl[i].scope >= c->nsvcs : sl[i].scope != 0));
	}
	for (uint32_t i = 0; bad && i < slots; i++) { /* the message */
		if (sl[i].value == ALC_NONE)
			continue;
		if (sl[i].value >= n)
			return fail(v->diag, AL_ECORRUPT, "%s slot %u: value %u out "
			            "of range (%s has %u)", name, i, sl[i].value,
			            target, n);
		if (sl[i].key >= c->strs_size)
			return fail(v->diag, AL_ECORRUPT, "%s slot %u: key string "
			            "offset %u out of range (STRS has %u bytes)",
			            name, i, sl[i].key, c->strs_size);
		if (scoped ? sl[i].scope >= c->nsvcs : sl[i].scope != 0)
			return fail(v->diag, AL_ECORRUPT, "%s slot %u: scope %u %s",
			            name, i, sl[i].scope, scoped ? "is not a service index"
			            : "is not 0");
	}
	if (used != ih->entry_count)
		return fail(v->diag, AL_ECORRUPT, "%s.entry_count: %u, but %u "
		            "slots are used", name, ih->entry_count, used);
	return 0;
}

/* ---- open ----------------------------------------------------------- */

/* PARTITIONS (optional): the partitions table (alc_partitions.c). */
static int check_partitions(vstate *v)
{
	const alc_catalog *c = v->c;
	char why[200];
	if (c->partitions && alc_partitions_check(c->partitions,
	                                          c->partitions_size, c->strs,
	                                          c->strs_size, why, sizeof why))
		return fail(v->diag, AL_ECORRUPT, "PARTITIONS: %s", why);
	return 0;
}

/* The checksum of a mapped file runs on a second thread while this one
 * checks the structure: both read the whole file, and on two cores the
 * open takes the longer of the two instead of their sum.  The structure
 * checks are safe on any bytes, and when the checksum fails too its error
 * wins, so damage is still reported as what it is. */
typedef struct ck_job {
	const alc_catalog *c;
	alc_diag diag;
	int rc;
} ck_job;

static void *ck_thread(void *arg)
{
	ck_job *j = arg;
	j->rc = check_checksum(j->c, &j->diag);
	return NULL;
}

/* Step 3 and the record counts: the section directory, bound into C.
 * O(sections): this is all that alc_open_deferred checks before it
 * returns, and all that the first replies of a server read (counts). */
static int check_layout(alc_catalog *c, const alc_section **by_id,
                        alc_diag *diag)
{
	vstate v = { c, diag, NULL, NULL };
	int rc;
	c->hdr = (const alc_header *)c->base;
	if ((rc = check_directory(&v, by_id)))
		return rc;
	bind_sections(c, by_id);
	return check_counts(&v);
}

/* Steps 4 and 5 over the sections check_layout bound. */
static int check_body(alc_catalog *c, const alc_section **by_id,
                      alc_diag *diag)
{
	vstate v = { c, diag, NULL, NULL };
	int rc;
	if ((rc = check_records(&v)) ||
	    (rc = check_docs(&v)) || (rc = check_readmap(&v)) ||
	    (rc = check_partitions(&v)) ||
	    (rc = alc_policy_check(c, diag)) ||
	    (rc = check_index(&v, by_id[ALC_SEC_IDX_SVC], "IDX_SVC", "SVCS",
	                      c->nsvcs, 0)) ||
	    (rc = check_index(&v, by_id[ALC_SEC_IDX_OP], "IDX_OP", "OPS",
	                      c->nops, 1)) ||
	    (rc = check_index(&v, by_id[ALC_SEC_IDX_CLI], "IDX_CLI", "OPS",
	                      c->nops, 1)))
		return rc;
	return 0;
}

/* A layout failure RC, unless the checksum fails too: then the checksum
 * is the true cause of whatever the layout check tripped on. */
static int layout_failed(const alc_catalog *c, int rc, alc_diag *diag)
{
	alc_diag ck;
	int crc = check_checksum(c, &ck);
	if (crc == 0)
		return rc;
	if (diag)
		*diag = ck;
	return crc;
}

/* Steps 2, 4 and 5: the checksum of a mapped image on a second thread
 * while this one checks the records (both read the whole file; two cores
 * halve the wait).  A checksum failure wins, as above. */
static int check_rest(alc_catalog *c, const alc_section **by_id,
                      alc_diag *diag)
{
	ck_job job = { c, { "" }, 0 };
	pthread_t tid;
	int rc;
	int threaded = c->mapped && pthread_create(&tid, NULL, ck_thread, &job) == 0;
	if (!threaded && (rc = check_checksum(c, diag)))
		return rc;
	rc = check_body(c, by_id, diag);
	if (threaded) {
		pthread_join(tid, NULL);
		if (job.rc) {
			if (diag)
				*diag = job.diag;
			return job.rc;
		}
	}
	return rc;
}

static int validate(alc_catalog *c, alc_diag *diag)
{
	const alc_section *by_id[ALC_SEC_MAX_ID + 1] = { 0 };
	int rc;
	if ((rc = check_header(c->base, c->size, diag)))
		return rc;
	if ((rc = check_layout(c, by_id, diag)))
		return layout_failed(c, rc, diag);
	return check_rest(c, by_id, diag);
}

static int open_image(alc_catalog *cat, alc_diag *diag);

int alc_open_mem(alc_catalog *cat, const void *buf, size_t len,
                 alc_diag *diag)
{
	memset(cat, 0, sizeof *cat);
	if (diag)
		diag->msg[0] = '\0';
	if (!buf && len)
		return fail(diag, AL_EINVAL, "NULL buffer");
	if ((uintptr_t)buf % ALC_ALIGN)
		return fail(diag, AL_EINVAL, "buffer not %u-byte aligned",
		            ALC_ALIGN);
	cat->base = buf;
	cat->size = len;
	return open_image(cat, diag);
}

/* Validate CAT->base/size; a mapped image gives its pages back after. */
static int open_image(alc_catalog *cat, alc_diag *diag)
{
	int rc = validate(cat, diag);
	if (rc) {
		memset(cat, 0, sizeof *cat);
		return rc;
	}
	drop_pages(cat, cat->base, cat->size);
	return 0;
}

/* Where the file is mapped.  On a fault the kernel maps a whole large folio
 * of the page cache when the folio fits in one page table (Linux 6.18's
 * fault-around), and a catalog the compiler has just written sits in 2 MiB
 * folios: one lookup would make 2 MiB resident, a session that reads a few
 * records of each section most of the file.  Half a page table (1 MiB) off
 * the 2 MiB alignment the folios have in the file, no such folio fits in
 * one, and a fault maps the fault-around window (64 KiB), as it does for a
 * file in small folios.  The span is reserved first (PROT_NONE, never
 * touched) so that the file can go at the chosen address; when that fails
 * the kernel's choice is taken. */
#define MAP_SPAN ((size_t)2 << 20)
#define MAP_SKEW ((size_t)1 << 20)

static void *map_file(int fd, size_t len)
{
	size_t span = len + 2 * MAP_SPAN;
	uint8_t *r = mmap(NULL, span, PROT_NONE,
	                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	uintptr_t at = (((uintptr_t)r + MAP_SPAN - 1) & ~(uintptr_t)(MAP_SPAN - 1)) +
	               MAP_SKEW;
	void *p = mmap((void *)at, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		munmap(r, span);
		return mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	size_t head = (size_t)(at - (uintptr_t)r);
	size_t mlen = (len + 4095u) & ~(size_t)4095u;
	if (head)
		munmap(r, head);
	munmap((uint8_t *)p + mlen, span - head - mlen);
	return p;
}

/* Opens PATH and maps it into CAT (base, size, mapped); nothing checked
 * yet.  Returns 0, or a failure with CAT closed. */
static int map_catalog(alc_catalog *cat, const char *path, alc_diag *diag)
{
	memset(cat, 0, sizeof *cat);
	if (diag)
		diag->msg[0] = '\0';

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(diag, errno == ENOENT ? AL_ENOENT : AL_EIO,
		            "open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return fail(diag, AL_EIO, "fstat: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(diag, AL_EIO, "not a regular file");
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return fail(diag, AL_ETOOBIG, "%lld bytes do not fit in the "
		            "address space", (long long)st.st_size);
	}
	size_t len = (size_t)st.st_size;
	if (len < sizeof(alc_header)) {
		/* Too small to map usefully; read it so the diagnosis (bad
		 * magic or truncation) is the same as for a larger file.
		 * Such a file never validates, so this is always a failure. */
		uint64_t small[sizeof(alc_header) / sizeof(uint64_t)];
		ssize_t got = pread(fd, small, len, 0);
		int e = errno;
		close(fd);
		if (got < 0)
			return fail(diag, AL_EIO, "read: %s", strerror(e));
		int rc = alc_open_mem(cat, small, (size_t)got, diag);
		memset(cat, 0, sizeof *cat);
		return rc ? rc : fail(diag, AL_ETRUNC, "%zd bytes", got);
	}
	/* Catalogs are replaced by rename, never rewritten in place: a file
	 * truncated under the mapping would fault on access.  No
	 * MAP_POPULATE: the checksum reads the file in chunks and gives each
	 * back (drop_pages), so the resident size stays small; map_file
	 * keeps a fault to 64 KiB whatever the page cache holds. */
	void *p = map_file(fd, len);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED)
		return fail(diag, e == ENOMEM ? AL_ENOMEM : AL_EIO, "mmap: %s",
		            strerror(e));
	madvise(p, len, MADV_SEQUENTIAL);
	cat->base = p;
	cat->size = len;
	cat->mapped = 1;
	cat->file.dev = (uint64_t)st.st_dev;
	cat->file.ino = (uint64_t)st.st_ino;
	cat->file.size = (uint64_t)st.st_size;
	cat->file.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	cat->file.ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	return 0;
}

int alc_open(alc_catalog *cat, const char *path, alc_diag *diag)
{
	int rc = map_catalog(cat, path, diag);
	if (rc)
		return rc;
	void *p = (void *)(uintptr_t)cat->base;
	size_t len = cat->size;
	if ((rc = open_image(cat, diag))) {
		munmap(p, len);
		return rc;
	}
	madvise(p, len, MADV_NORMAL);
	return 0;
}

/* ---- deferred verification ------------------------------------------ */

struct alc_pending {
	pthread_t tid;
	alc_catalog *c;
	const alc_section *by_id[ALC_SEC_MAX_ID + 1];
	alc_diag diag;
	int rc;
	int joined;
};

/* Everything alc_open checks after the layout, then what open_image and
 * alc_open do with the pages of a valid image. */
static void *verify_thread(void *arg)
{
	struct alc_pending *pd = arg;
	alc_catalog *c = pd->c;
	pd->rc = check_rest(c, pd->by_id, &pd->diag);
	if (pd->rc == 0) {
		drop_pages(c, c->base, c->size);
		madvise((void *)(uintptr_t)c->base, c->size, MADV_NORMAL);
	}
	return NULL;
}

int alc_open_deferred(alc_catalog *cat, const char *path, alc_diag *diag)
{
	int rc = map_catalog(cat, path, diag);
	if (rc)
		return rc;
	struct alc_pending *pd = calloc(1, sizeof *pd);
	if (!pd) {
		rc = fail(diag, AL_ENOMEM, "verification state");
		goto fail;
	}
	if ((rc = check_header(cat->base, cat->size, diag)))
		goto fail;
	if ((rc = check_layout(cat, pd->by_id, diag))) {
		rc = layout_failed(cat, rc, diag);
		goto fail;
	}
	pd->c = cat;
	if (pthread_create(&pd->tid, NULL, verify_thread, pd) == 0) {
		cat->pending = pd;
		return 0;
	}
	/* No thread: verify now, as alc_open does. */
	verify_thread(pd);
	if ((rc = pd->rc)) {
		if (diag)
			*diag = pd->diag;
		goto fail;
	}
	free(pd);
	return 0;
fail:
	free(pd);
	munmap((void *)(uintptr_t)cat->base, cat->size);
	memset(cat, 0, sizeof *cat);
	return rc;
}

int alc_verify_wait(alc_catalog *cat, alc_diag *diag)
{
	struct alc_pending *pd = cat->pending;
	if (diag)
		diag->msg[0] = '\0';
	if (!pd)
		return 0;
	if (!pd->joined) {
		pthread_join(pd->tid, NULL);
		pd->joined = 1;
	}
	if (pd->rc && diag)
		*diag = pd->diag;
	return pd->rc;
}

void alc_trim(const alc_catalog *cat)
{
	drop_pages(cat, cat->base, cat->size);
}

void alc_close(alc_catalog *cat)
{
	if (cat->pending) {
		alc_verify_wait(cat, NULL);
		free(cat->pending);
	}
	if (cat->mapped && cat->base)
		munmap((void *)(uintptr_t)cat->base, cat->size);
	memset(cat, 0, sizeof *cat);
}

/* ---- lookups -------------------------------------------------------- */

/* The normalisation as a table: A-Z to a-z, ' ' to '-', every other
 * byte (NUL included) to itself.  One load per byte and no branch: names
 * are normalised on every lookup. */
static const uint8_t norm_tab[256] = {
#define R4(b) (b), (b) + 1, (b) + 2, (b) + 3
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
	R16(0x00), R16(0x10),
	'-', 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, R16(0x30),
	0x40, R4('a'), R4('e'), R4('i'), R4('m'), 'q', 'r', 's', 't', 'u',
	'v', 'w', 'x', 'y', 'z', 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	R16(0x60), R16(0x70), R16(0x80), R16(0x90), R16(0xa0), R16(0xb0),
	R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0)
#undef R16
#undef R4
};
_Static_assert(sizeof norm_tab == 256, "norm_tab");

/* Normalise and tell whether a '-' was produced (DASH may be NULL). */
static size_t normalise(char *out, size_t cap, const char *name, size_t len,
                        int *dash)
{
	if (len == 0 || len >= cap)
		return 0;
	unsigned nul = 0, minus = 0;
	for (size_t i = 0; i < len; i++) {        /* bound: len < cap */
		uint8_t c = norm_tab[(uint8_t)name[i]];
		nul |= (c == 0);
		minus |= (c == '-');
		out[i] = (char)c;
	}
	out[len] = '\0';
	if (dash)
		*dash = (int)minus;
	return nul ? 0 : len;
}

size_t alc_normalise(char *out, size_t cap, const char *name, size_t len)
{
	return normalise(out, cap, name, len, NULL);
}

/* Stored key at K (NUL-terminated in STRS) equals KEY[0..LEN)?  Never reads
 * past K's terminator, whatever KEY holds. */
/* Stored keys are the records' own strings; KEY is normalised, so the
 * stored key is normalised character by character as it is compared. */
static int key_eq(const char *k, const char *key, size_t len)
{
	/* KEY holds no NUL, so a NUL in K (normalised to itself) mismatches
	 * before the loop can read past K's terminator. */
	for (size_t i = 0; i < len; i++)          /* bound: len */
		if ((char)norm_tab[(uint8_t)k[i]] != key[i])
			return 0;
	return k[len] == '\0';
}

uint32_t alc_index_lookup(const alc_index_header *idx, const char *strs,
                          const char *key, size_t len)
{
	const alc_index_slot *slots = (const alc_index_slot *)(idx + 1);
	uint64_t mask = idx->slot_count - 1u;
	uint64_t h = XXH3_64bits_withSeed(key, len, idx->seed);

	/* bound: slot_count probes; open checked that some slot is empty, so
	 * a miss normally stops much earlier */
	for (uint64_t n = 0; n < idx->slot_count; n++) {
		const alc_index_slot *s = &slots[(h + n) & mask];
		if (s->value == ALC_NONE)
			return ALC_NONE;
		if (s->hash == (uint32_t)h && key_eq(strs + s->key, key, len))
			return s->value;
	}
	return ALC_NONE;
}

uint32_t alc_index_lookup_op(const alc_catalog *cat,
                             const alc_index_header *idx, uint32_t svc,
                             const char *key, size_t len)
{
	const alc_index_slot *slots = (const alc_index_slot *)(idx + 1);
	uint64_t mask = idx->slot_count - 1u;
	uint64_t h = XXH3_64bits_withSeed(key, len, idx->seed + svc);

	/* bound: slot_count probes, as above; values of IDX_OP and IDX_CLI
	 * were checked at open to be OPS indexes, and their scope to be the
	 * operation's service, so the probe reads only the slot and the key */
	for (uint64_t n = 0; n < idx->slot_count; n++) {
		const alc_index_slot *s = &slots[(h + n) & mask];
		if (s->value == ALC_NONE)
			return ALC_NONE;
		if (s->hash == (uint32_t)h && s->scope == svc &&
		    key_eq(cat->strs + s->key, key, len))
			return s->value;
	}
	return ALC_NONE;
}

const alc_service *alc_find_service(const alc_catalog *cat, const char *name,
                                    size_t len)
{
	char key[ALC_KEY_MAX];
	size_t n = alc_normalise(key, sizeof key, name, len);
	if (!n)
		return NULL;
	uint32_t i = alc_index_lookup(cat->idx_svc, cat->strs, key, n);
	return i == ALC_NONE ? NULL : &cat->svcs[i];
}

const alc_operation *alc_find_operation(const alc_catalog *cat,
                                        const char *service, size_t slen,
                                        const char *op, size_t olen)
{
	const alc_service *s = alc_find_service(cat, service, slen);
	if (!s)
		return NULL;
	uint32_t si = alc_svc_index(cat, s);
	char key[ALC_KEY_MAX];
	int dash;
	size_t n = normalise(key, sizeof key, op, olen, &dash);
	if (!n)
		return NULL;
	/* Smithy names never contain '-' and CLI names of more than one word
	 * always do (a one-word CLI name is the Smithy name in lower case):
	 * one probe, in the index that can hold the name. */
	uint32_t i = alc_index_lookup_op(cat, dash ? cat->idx_cli : cat->idx_op,
	                                 si, key, n);
	return i == ALC_NONE ? NULL : &cat->ops[i];
}

const alc_operation *alc_find_operation_key(const alc_catalog *cat,
                                            const char *key, size_t len)
{
	const char *colon = memchr(key, ':', len);
	if (!colon)
		return NULL;
	size_t slen = (size_t)(colon - key);
	return alc_find_operation(cat, key, slen, colon + 1, len - slen - 1);
}

uint32_t alc_shape_service(const alc_catalog *cat, uint32_t shape)
{
	/* The last service whose range starts at or before SHAPE is the only
	 * candidate: ranges are sorted and disjoint (checked at open). */
	uint32_t lo = 0, hi = cat->nsvcs;        /* bound: log2(nsvcs) steps */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cat->svcs[mid].first_shape <= shape)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return ALC_NONE;
	const alc_service *s = &cat->svcs[lo - 1];
	return shape - s->first_shape < s->shape_count ? lo - 1 : ALC_NONE;
}

const char *alc_shape_ns(const alc_catalog *cat, uint32_t shape)
{
	const alc_shape *s = &cat->shapes[shape];
	if (s->ext != ALC_NONE && cat->shext[s->ext].ns != 0)
		return alc_str(cat, cat->shext[s->ext].ns);
	uint32_t si = alc_shape_service(cat, shape);
	/* open checked that shapes of no service name their namespace */
	return si == ALC_NONE ? "" : alc_str(cat, cat->svcs[si].namespace_);
}
