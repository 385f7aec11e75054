/*
 * fuzz_catalog_diff.c -- libFuzzer target for `airlock-compile diff`
 * (compiler/cc_diff.c) over any catalog the reader accepts.
 *
 * Pass condition: never crash, never read outside either image, and a
 * catalog compared with itself has no change.  The input is either one
 * catalog image, or two: a little-endian u32 length N, then N bytes of the
 * old catalog, then the new one.  Each image has its file_size and
 * checksum fixed up (as fuzz_catalog.c does), so mutations reach the walk
 * instead of stopping at the checksum.  When both open, the diff runs both
 * ways and every output form is written (to /dev/null).
 *
 * Seeds (tests/fuzz/corpus/catalog_diff/): tiny catalogs and pairs made by
 * tests/cdiff/make_seeds.py.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "alc_reader.h"
#include "cc_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* An exactly sized copy with file_size and checksum fixed up; NULL when
 * too short to be a catalog. */
static uint8_t *fixed_copy(const uint8_t *p, size_t n)
{
	if (n < sizeof(alc_header))
		return NULL;
	uint8_t *img = malloc(n);
	if (!img)
		return NULL;
	memcpy(img, p, n);
	alc_header *h = (alc_header *)img;
	h->file_size = n;
	XXH128_hash_t x = XXH3_128bits(img + ALC_CHECKSUM_FROM, n - ALC_CHECKSUM_FROM);
	h->checksum_lo = x.low64;
	h->checksum_hi = x.high64;
	return img;
}

static void run(const alc_catalog *a, const alc_catalog *b, int must_be_empty)
{
	cc_diff *d = NULL;
	char err[256];
	if (cc_diff_run(a, b, &d, err, sizeof err) != 0)
		return; /* too deep: a named error, not a crash */
	if (must_be_empty && cc_diff_count(d) != 0) {
		const cc_diff_change *c = cc_diff_get(d, 0);
		fprintf(stderr, "self-diff found %zu changes, first %s %s %s\n",
		        cc_diff_count(d), cc_diff_kind_name(c->kind),
		        c->service ? c->service : "-", c->path ? c->path : "-");
		abort();
	}
	cc_diff_print_text(devnull, d, 1);
	cc_diff_print_stat(devnull, d);
	cc_diff_print_json(devnull, d, a, "old", b, "new");
	cc_diff_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return 0;
	const uint8_t *pa = data, *pb = NULL;
	size_t na = size, nb = 0;
	if (size >= 4) {
		uint32_t n = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
		             (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		if (n <= size - 4 && n >= sizeof(alc_header)) {
			pa = data + 4;
			na = n;
			pb = data + 4 + n;
			nb = size - 4 - n;
		}
	}
	uint8_t *ia = fixed_copy(pa, na), *ib = pb ? fixed_copy(pb, nb) : NULL;
	alc_catalog ca, cb;
	int oka = ia && alc_open_mem(&ca, ia, na, NULL) == 0;
	int okb = ib && alc_open_mem(&cb, ib, nb, NULL) == 0;
	if (oka)
		run(&ca, &ca, 1);
	if (okb)
		run(&cb, &cb, 1);
	if (oka && okb) {
		run(&ca, &cb, 0);
		run(&cb, &ca, 0);
	}
	if (oka)
		alc_close(&ca);
	if (okb)
		alc_close(&cb);
	free(ia);
	free(ib);
	return 0;
}
