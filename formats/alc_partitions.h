/*
 * alc_partitions.h -- the AWS partitions table in the catalog
 * (ALC_SEC_PARTITIONS): its layout, its checker, the lookup behind the
 * endpoint rules function aws.partition, and the small regular-expression
 * matcher for the partitions' regionRegex.
 *
 * Written by compiler/cc_partitions.c from catalogs/partitions.json
 * (botocore's data/partitions.json, Apache-2.0); checked at open by
 * formats/alc_reader.c (alc_partitions_check); read by runtime/rt_endpoint.c
 * through alc_partitions_lookup().
 *
 * Layout (little-endian; `str` is a u32 offset into the catalog's STRS;
 * the section is 8-aligned in the file, its size a multiple of 8):
 *
 *   OFFSET  SIZE           DESCRIPTION
 *   0       32             alc_part_header
 *   32      32 * P         alc_partition[P]      in partitions.json order
 *   ...     12 * R         alc_part_region[R]    sorted by name (byte order)
 *   ...     24 * O         alc_part_override[O]  per-region output overrides
 *   ...     0..7           zero padding to a multiple of 8
 *
 * alc_part_header:
 *   0   u32  magic            ALC_PART_MAGIC, bytes 41 4c 50 54 ("ALPT")
 *   4   u16  version          ALC_PART_VERSION (1)
 *   6   u16  header_size      32
 *   8   u32  size             section bytes, padding included
 *   12  str  table_version    partitions.json "version" ("1.1")
 *   16  u32  partition_count  P >= 1
 *   20  u32  region_count     R
 *   24  u32  override_count   O
 *   28  u32  default_partition  index used when no partition claims a
 *                             region: the one whose id is "aws" (else 0)
 *
 * alc_partition (one per partition; the regions a partition lists are the
 * regions records whose `partition` is its index):
 *   0   str  id                   "aws"
 *   4   str  region_regex         "^(us|eu|ap|...)\\-\\w+\\-\\d+$" (source)
 *   8   str  name                 outputs.name (== id in every revision)
 *   12  str  dns_suffix           outputs.dnsSuffix
 *   16  str  dual_stack_dns_suffix
 *   20  str  implicit_global_region
 *   24  u32  flags                ALC_PART_FIPS | ALC_PART_DUAL_STACK
 *   28  u32  reserved             0
 *
 * alc_part_region:
 *   0   str  name                 "us-east-1", 1..ALC_PART_MAX_REGION bytes
 *   4   u16  partition            index of its partition
 *   6   u16  reserved             0
 *   8   u32  override             index of its alc_part_override, or
 *                                 ALC_NONE when the region only has a
 *                                 description (every region of 2025)
 *
 * alc_part_override (a region entry's own values for outputs; a field
 * counts only when its ALC_PO_* bit is in `has`):
 *   0   u32  has                  ALC_PO_* bits
 *   4   str  name
 *   8   str  dns_suffix
 *   12  str  dual_stack_dns_suffix
 *   16  str  implicit_global_region
 *   20  u32  flags                ALC_PART_FIPS / ALC_PART_DUAL_STACK values
 *                                 for the ALC_PO_FIPS / ALC_PO_DUAL_STACK
 *                                 bits of `has`
 *
 * Lookup (the Smithy aws.partition semantics): a region named in some
 * partition's regions map belongs to that partition (first listed wins;
 * the compiler keeps one entry per name), with that region's overrides;
 * otherwise the first partition, in table order, whose regionRegex
 * matches; otherwise default_partition.
 *
 * Regular expressions: regionRegex is stored as written and matched by
 * alc_part_regex_match(), a backtracking matcher for the subset the
 * partitions use: literals, '.', escapes (\d \w \s \D \W \S and escaped
 * punctuation), classes [...] with ranges and negation, groups (...) and
 * (?:...) with '|', the quantifiers * + ? on single atoms (not on groups),
 * '^' first and '$' last.  alc_part_regex_check() accepts exactly that
 * subset; the compiler refuses anything else, and the checker at open
 * refuses it too, so the matcher only ever sees well-formed patterns.
 * Matching is anchored at the start (Python re.match); patterns carry
 * their own '$'.  \w and \d are ASCII.
 *
 * Worked example: a table with one partition and one region, encoded
 * into a fresh string pool (the test `endpoints_test unit` checks these
 * bytes).  STRS holds "" at 0, "1.1" at 1, "aws" at 5, "^us\-\w+\-\d+$"
 * at 9, "amazonaws.com" at 24, "api.aws" at 38, "us-east-1" at 46; the
 * section is 32 + 32 + 12 = 76 bytes, padded to 80:
 *
 *   00  41 4c 50 54 01 00 20 00  50 00 00 00 01 00 00 00   "ALPT" v1, header 32, size 80, version "1.1"
 *   10  01 00 00 00 01 00 00 00  00 00 00 00 00 00 00 00   1 partition, 1 region, 0 overrides, default 0
 *   20  05 00 00 00 09 00 00 00  05 00 00 00 18 00 00 00   id "aws", regex, name "aws", "amazonaws.com"
 *   30  26 00 00 00 2e 00 00 00  03 00 00 00 00 00 00 00   "api.aws", "us-east-1", FIPS|DUAL_STACK, 0
 *   40  2e 00 00 00 00 00 00 00  ff ff ff ff 00 00 00 00   region "us-east-1", partition 0, none; pad
 *
 * Version rule: ALC_PART_VERSION changes with any change of layout or
 * meaning.  The section is optional (a catalog without it resolves no
 * endpoints), so an older reader skips it rather than misreading it.
 */
#ifndef ALC_PARTITIONS_H
#define ALC_PARTITIONS_H

#include <stddef.h>
#include <stdint.h>

#define ALC_PART_MAGIC 0x54504c41u   /* "ALPT" in file order */
#define ALC_PART_VERSION 1u

#define ALC_PART_MAX_PARTITIONS 256u /* corpus: 8 */
#define ALC_PART_MAX_REGIONS 4096u   /* corpus: 49; partition is a u16 */
#define ALC_PART_MAX_REGION 63u      /* longest region name (bytes) */
#define ALC_PART_MAX_REGEX 255u      /* longest regionRegex (bytes) */

#define ALC_PART_FIPS       0x1u     /* supportsFIPS */
#define ALC_PART_DUAL_STACK 0x2u     /* supportsDualStack */

#define ALC_PO_NAME         0x01u
#define ALC_PO_DNS_SUFFIX   0x02u
#define ALC_PO_DUAL_DNS     0x04u
#define ALC_PO_GLOBAL       0x08u    /* implicitGlobalRegion */
#define ALC_PO_FIPS         0x10u
#define ALC_PO_DUAL_STACK   0x20u
#define ALC_PO_ALL          0x3fu

typedef struct alc_part_header {
	uint32_t magic;             /*  0 ALC_PART_MAGIC */
	uint16_t version;           /*  4 ALC_PART_VERSION */
	uint16_t header_size;       /*  6 32 */
	uint32_t size;              /*  8 section bytes, padding included */
	uint32_t table_version;     /* 12 str */
	uint32_t partition_count;   /* 16 */
	uint32_t region_count;      /* 20 */
	uint32_t override_count;    /* 24 */
	uint32_t default_partition; /* 28 */
} alc_part_header;

typedef struct alc_partition {
	uint32_t id;                /*  0 str */
	uint32_t region_regex;      /*  4 str */
	uint32_t name;              /*  8 str */
	uint32_t dns_suffix;        /* 12 str */
	uint32_t dual_stack_dns_suffix; /* 16 str */
	uint32_t implicit_global_region; /* 20 str */
	uint32_t flags;             /* 24 ALC_PART_* */
	uint32_t reserved;          /* 28 zero */
} alc_partition;

typedef struct alc_part_region {
	uint32_t name;              /*  0 str */
	uint16_t partition;         /*  4 */
	uint16_t reserved;          /*  6 zero */
	uint32_t override;          /*  8 index or ALC_NONE (0xffffffff) */
} alc_part_region;

typedef struct alc_part_override {
	uint32_t has;               /*  0 ALC_PO_* */
	uint32_t name;              /*  4 str */
	uint32_t dns_suffix;        /*  8 str */
	uint32_t dual_stack_dns_suffix; /* 12 str */
	uint32_t implicit_global_region; /* 16 str */
	uint32_t flags;             /* 20 ALC_PART_* values */
} alc_part_override;

_Static_assert(sizeof(alc_part_header) == 32, "alc_part_header");
_Static_assert(sizeof(alc_partition) == 32, "alc_partition");
_Static_assert(sizeof(alc_part_region) == 12, "alc_part_region");
_Static_assert(sizeof(alc_part_override) == 24, "alc_part_override");

/* ---- access (valid only after alc_partitions_check accepted SEC) ------ */

static inline const alc_part_header *alc_part_hdr(const uint8_t *sec)
{
	return (const alc_part_header *)(const void *)sec;
}
static inline const alc_partition *alc_part_partitions(const uint8_t *sec)
{
	return (const alc_partition *)(const void *)(sec + sizeof(alc_part_header));
}
static inline const alc_part_region *alc_part_regions(const uint8_t *sec)
{
	return (const alc_part_region *)(const void *)
		(alc_part_partitions(sec) + alc_part_hdr(sec)->partition_count);
}
static inline const alc_part_override *alc_part_overrides(const uint8_t *sec)
{
	return (const alc_part_override *)(const void *)
		(alc_part_regions(sec) + alc_part_hdr(sec)->region_count);
}

/* Bytes of a section holding P partitions, R regions and O overrides
 * (padding included). */
static inline uint64_t alc_part_section_size(uint64_t p, uint64_t r, uint64_t o)
{
	uint64_t n = sizeof(alc_part_header) + p * sizeof(alc_partition) +
	             r * sizeof(alc_part_region) + o * sizeof(alc_part_override);
	return (n + 7u) & ~(uint64_t)7u;
}

/* ---- validation ------------------------------------------------------ */

/* Validate the section SEC[0, LEN) against everything stated above: header
 * fields, size, zero padding and reserved fields, every string offset
 * below STRS_SIZE (STRS must be a NUL-terminated pool, as the reader has
 * checked), non-empty ids and region names no longer than
 * ALC_PART_MAX_REGION, region names strictly ascending, partition and
 * override indexes in range, flag bits known, and every regionRegex in the
 * matcher's subset.  SEC must be 4-byte aligned.
 * Work: O(LEN) plus the bytes of the region names and patterns it reads
 * (each bounded above); no allocation, constant stack.
 * Returns 0, or AL_ECORRUPT with a message such as "region 3: name
 * \"us-east-1\" not after \"us-west-2\"" in ERR (ERRLEN bytes,
 * NUL-terminated; ERR may be NULL). */
int alc_partitions_check(const uint8_t *sec, size_t len, const char *strs,
                         uint32_t strs_size, char *err, size_t errlen);

/* ---- lookup ---------------------------------------------------------- */

/* What aws.partition returns for a region.  Strings point into STRS and
 * live as long as the catalog mapping. */
typedef struct alc_part_outputs {
	const char *name;                   /* "aws" */
	const char *dns_suffix;             /* "amazonaws.com" */
	const char *dual_stack_dns_suffix;  /* "api.aws" */
	const char *implicit_global_region; /* "us-east-1" */
	int supports_fips;                  /* 0 / 1 */
	int supports_dual_stack;            /* 0 / 1 */
	uint32_t partition;                 /* index of the partition */
} alc_part_outputs;

/* Resolve REGION[0, LEN) (need not be NUL-terminated) against a checked
 * section, per the lookup rule above, into *OUT.  Always succeeds: an
 * unknown region gets the default partition.  Work: a binary search over
 * the regions, then at most one regex match per partition. */
void alc_partitions_lookup(const uint8_t *sec, const char *strs,
                           const char *region, size_t len,
                           alc_part_outputs *out);

/* ---- the regionRegex matcher ------------------------------------------ */

/* 0 when the NUL-terminated pattern RE is in the supported subset (and at
 * most ALC_PART_MAX_REGEX bytes); else AL_EUNSUPPORTED with the reason in
 * ERR ("quantifier on a group at 12"). */
int alc_part_regex_check(const char *re, char *err, size_t errlen);

/* 1 when S[0, N) matches RE from its start, else 0.  RE must have passed
 * alc_part_regex_check.  Work: bounded by a step budget
 * (ALC_PART_REGEX_STEPS); a pattern that exhausts it does not match. */
#define ALC_PART_REGEX_STEPS 100000u
int alc_part_regex_match(const char *re, const char *s, size_t n);

#endif
