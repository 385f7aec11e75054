/*
 * alc_xxh.h -- the catalog checksum (XXH3-128) over a large image, with the
 * widest vector unit the CPU has.
 *
 * Why not libxxhash's XXH3_128bits: Debian builds it for baseline x86-64
 * (SSE2), and the checksum is the largest single cost of opening a
 * catalog.  alc_xxh.c compiles xxHash's header implementation twice --
 * once for baseline, once for AVX2 -- and picks at run time; the result is
 * the same hash either way (tests compare both with libxxhash).
 */
#ifndef ALC_XXH_H
#define ALC_XXH_H

#include <stddef.h>
#include <stdint.h>

/* Called after each chunk of at most ALC_XXH_CHUNK bytes is hashed. */
typedef void (*alc_xxh_chunk_fn)(void *ctx, const uint8_t *p, size_t len);
#define ALC_XXH_CHUNK ((size_t)2 << 20)

/* XXH3-128 of [P, P+LEN) into *LO and *HI.  BEFORE and AFTER (may be NULL) run
 * around each chunk (the reader maps pages in before and gives them back
 * after). */
void alc_xxh128(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi);

/* Force the baseline path (0) or the best path (1); for tests. */
void alc_xxh_select(int best);

/* The two variants (alc_xxh.c, alc_xxh_avx2.c); call alc_xxh128. */
void alc_xxh128_base(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                     alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi);
void alc_xxh128_avx2(const uint8_t *p, size_t len, alc_xxh_chunk_fn before,
                     alc_xxh_chunk_fn after, void *ctx, uint64_t *lo, uint64_t *hi);

#endif
