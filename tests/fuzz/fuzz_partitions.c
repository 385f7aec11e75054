/*
 * fuzz_partitions.c -- libFuzzer target for formats/alc_partitions.c: the
 * PARTITIONS checker must accept or reject any input without crashing;
 * on a section it accepts, lookups (listed names, regex fallbacks, the
 * default) and the regex matcher must run without crashing and give
 * answers that point into the string pool.
 *
 * Input: u32 (little-endian) L, then L bytes of string pool (STRS), then
 * the section.  The last pool byte is forced to NUL, as the catalog reader
 * guarantees before it calls the checker.  Seeds in
 * tests/fuzz/corpus/partitions/ are real encodings (the alc_partitions.h
 * example and catalogs/partitions.json) written by
 * `endpoints_test seeds DIR`.
 *
 * Built per cmake/AirlockFuzz.cmake: fuzz_partitions (libFuzzer,
 * -DAIRLOCK_FUZZ=ON) and fuzz_partitions_replay, which the normal test run
 * uses to replay tests/fuzz/corpus/partitions/ (seeds and any past crash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alc_partitions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void in_pool(const char *p, const char *strs, uint32_t l)
{
	if (p < strs || p >= strs + l)
		abort();           /* a lookup answer outside the pool */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t l = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
	             (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	if (l == 0 || l > size - 4)
		return 0;
	/* exactly sized copies (malloc memory is 16-aligned, as a section
	 * in a mapped catalog is 8-aligned): the sanitizer sees any overread */
	char *strs = malloc(l);
	size_t len = size - 4 - l;
	uint8_t *sec = malloc(len ? len : 1);
	if (!strs || !sec) {
		free(strs);
		free(sec);
		return 0;
	}
	memcpy(strs, data + 4, l);
	strs[l - 1] = '\0';
	memcpy(sec, data + 4 + l, len);
	char err[200];
	if (alc_partitions_check(sec, len, strs, l, err, sizeof err) == 0) {
		const alc_part_header *h = alc_part_hdr(sec);
		const alc_part_region *rg = alc_part_regions(sec);
		const alc_partition *pt = alc_part_partitions(sec);
		alc_part_outputs po;
		/* every listed name, and each name with a suffix (regex path) */
		for (uint32_t i = 0; i < h->region_count; i++) {
			const char *nm = strs + rg[i].name;
			char buf[ALC_PART_MAX_REGION + 8];
			size_t n = strlen(nm);
			alc_partitions_lookup(sec, strs, nm, n, &po);
			if (po.partition >= h->partition_count)
				abort();
			in_pool(po.name, strs, l);
			in_pool(po.dns_suffix, strs, l);
			memcpy(buf, nm, n);
			memcpy(buf + n, "-9", 2);
			alc_partitions_lookup(sec, strs, buf, n + 2, &po);
			if (po.partition >= h->partition_count)
				abort();
		}
		static const char *const probes[] = { "", "us-east-1", "cn-north-1",
		                                      "us-gov-west-1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
		for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
			alc_partitions_lookup(sec, strs, probes[i], strlen(probes[i]), &po);
			if (po.partition >= h->partition_count)
				abort();
			in_pool(po.implicit_global_region, strs, l);
			in_pool(po.dual_stack_dns_suffix, strs, l);
		}
		/* each regex against a few strings, the pool's own among them */
		for (uint32_t i = 0; i < h->partition_count; i++) {
			const char *re = strs + pt[i].region_regex;
			(void)alc_part_regex_match(re, re, strlen(re));
			(void)alc_part_regex_match(re, strs + pt[i].id, strlen(strs + pt[i].id));
		}
	}
	/* the regex checker and matcher on raw input: the section bytes as
	 * a pattern (NUL-terminated copy), matched against the pool */
	char *re = malloc(len + 1);
	if (re) {
		memcpy(re, sec, len);
		re[len] = '\0';
		if (alc_part_regex_check(re, NULL, 0) == 0)
			(void)alc_part_regex_match(re, strs, l - 1);
		free(re);
	}
	free(strs);
	free(sec);
	return 0;
}
