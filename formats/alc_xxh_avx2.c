/* alc_xxh_avx2.c -- the AVX2 build of the checksum loop (see alc_xxh.h).
 * This file is compiled with -mavx2 on x86-64 and only ever called after
 * the CPU was checked for AVX2. */
#include "alc_xxh.h"

#if defined(__AVX2__)
#define ALC_XXH_NAME alc_xxh128_avx2
#include "alc_xxh_body.h"
#else
/* Not x86-64 (or no -mavx2): never selected. */
void alc_xxh128_avx2(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                     alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi)
{
	alc_xxh128_base(p, len, before, after, ctx, lo, hi);
}
#endif
