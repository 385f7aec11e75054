/* alc_xxh.c -- see alc_xxh.h */
#include "alc_xxh.h"

#define ALC_XXH_NAME alc_xxh128_base
#include "alc_xxh_body.h"

static int selected = -1; /* -1: not chosen yet; a benign race (idempotent) */

void alc_xxh_select(int best)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	selected = best && __builtin_cpu_supports("avx2");
#else
	(void)best;
	selected = 0;
#endif
}

void alc_xxh128(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi)
{
	if (selected < 0)
		alc_xxh_select(1);
	if (selected)
		alc_xxh128_avx2(p, len, before, after, ctx, lo, hi);
	else
		alc_xxh128_base(p, len, before, after, ctx, lo, hi);
}
