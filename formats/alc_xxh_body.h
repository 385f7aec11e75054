/*
 * alc_xxh_body.h -- the streaming XXH3-128 loop, included by alc_xxh.c
 * (baseline) and alc_xxh_avx2.c (compiled with -mavx2) with
 * ALC_XXH_NAME set; xxHash's implementation is inlined into each, so each
 * gets the vector kernel its compiler flags select.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

void ALC_XXH_NAME(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                  alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi)
{
	XXH3_state_t st;
	XXH3_128bits_reset(&st);
	for (size_t off = 0; off < len;) { /* bound: len */
		size_t n = len - off < ALC_XXH_CHUNK ? len - off : ALC_XXH_CHUNK;
		if (before)
			before(ctx, p + off, n);
		XXH3_128bits_update(&st, p + off, n);
		if (after)
			after(ctx, p + off, n);
		off += n;
	}
	XXH128_hash_t h = XXH3_128bits_digest(&st);
	*lo = h.low64;
	*hi = h.high64;
}
