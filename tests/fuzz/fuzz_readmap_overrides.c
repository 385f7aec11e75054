/*
 * fuzz_readmap_overrides.c -- libFuzzer target for the read-mapping
 * overrides parser (compiler/cc_readmap.c, catalogs/readmap-overrides.tsv).
 *
 * Pass condition: never crash, leak or hang, whatever the bytes; a parse
 * either succeeds or fails with at least one "fuzz.tsv:LINE: " message.
 *
 * Names are resolved against the tiny test catalog compiled by
 * tests/readmap/tests.cmake (FUZZ_READMAP_CATALOG), or $AIRLOCK_FUZZ_CATALOG
 * (e.g. the full AWS catalog).  Seeds: tests/fuzz/corpus/readmap_overrides/
 * (the bad and good overrides of tests/readmap, lines in the shape of the
 * shipped file).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_reader.h"
#include "cc_readmap.h"

#ifndef FUZZ_READMAP_CATALOG
#define FUZZ_READMAP_CATALOG "fuzz-readmap.alc"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int cat_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat_ready) {
		const char *path = getenv("AIRLOCK_FUZZ_CATALOG");
		alc_diag d;
		if (!path || !*path)
			path = FUZZ_READMAP_CATALOG;
		if (alc_open(&cat, path, &d) != 0) {
			fprintf(stderr, "fuzz_readmap_overrides: %s: %s\n", path, d.msg);
			abort();
		}
		cat_ready = 1;
	}
	cc_buf diag = { 0 };
	int rc = cc_readmap_check_overrides(&cat, (const char *)data, size, "fuzz.tsv", &diag);
	if (rc != 0 && (!diag.len || !memmem(diag.p, diag.len, "fuzz.tsv:", 9)))
		abort();
	cc_buf_free(&diag);
	return 0;
}
