/*
 * fuzz_rules.c -- libFuzzer target for formats/alc_rules.c: the checker must
 * accept or reject any input without crashing, and a blob it accepts must
 * decode (alc_rules_to_json) without crashing.
 *
 * Input: u32 (little-endian) L, then L bytes of string pool (STRS), then
 * the rule set blob.  Seeds in tests/fuzz/corpus/rules/ are real encodings
 * (the rules-engine-tests rule sets and the RULES.md example) with their
 * own pools, written by `rules_test seeds DIR`.
 *
 * Built per cmake/AirlockFuzz.cmake: fuzz_rules (libFuzzer, -DAIRLOCK_FUZZ=ON)
 * and fuzz_rules_replay, which the normal test run uses to replay
 * tests/fuzz/corpus/rules/ (seeds and any past crash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alc_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ctx, const char *s, size_t n)
{
	(void)s;
	*(size_t *)ctx += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t l = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
	             (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	if (l > size - 4)
		return 0;
	const char *strs = (const char *)data + 4;
	size_t len = size - 4 - l;
	/* an exactly sized, aligned copy: the sanitizer sees any overread */
	uint8_t *blob = aligned_alloc(8, (len + 7) & ~(size_t)7);
	if (!blob)
		return 0;
	memcpy(blob, data + 4 + l, len);
	char err[128];
	if (alc_rules_check(blob, len, l, err, sizeof err) == 0 && l &&
	    strs[l - 1] == '\0') {
		size_t n = 0;
		if (alc_rules_to_json(blob, len, strs, l, 0, sink, &n) != 0 ||
		    alc_rules_to_json(blob, len, strs, l, ALC_RULES_JSON_PRETTY, sink, &n) != 0)
			abort(); /* accepted but not decodable */
	}
	free(blob);
	return 0;
}
