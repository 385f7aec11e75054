/*
 * fuzz_part.c -- libFuzzer target for the part reader (compiler/cc_part.c):
 * parts are files in the build cache, outside input like any file.
 *
 * Pass condition: never crash, never leak, never hang, whatever the bytes.
 * Each input is decoded twice: as is (magic, version, sizes and checksum
 * checked), and with the checksum skipped (CC_PART_NO_SUM), so that
 * mutations reach the record stream behind it.  A part that decodes is
 * encoded again and that encoding must decode, with the checksum, to the
 * same bytes once more (the encoder and decoder mirror each other).
 *
 * Seeds: tests/fuzz/corpus/part/ -- parts of tests/catalog/tiny and edge
 * and of three small AWS models, in both --docs modes (tests/incr/
 * make_seeds.sh writes them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_part.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cc_model m;
	memset(&m, 0, sizeof m);
	if (cc_part_decode(&m, data, size, 0, 0, 0) == 0)
		cc_model_free(&m);
	memset(&m, 0, sizeof m);
	if (cc_part_decode(&m, data, size, CC_PART_NO_SUM, 0, 0) != 0)
		return 0;
	cc_buf e1 = { 0 }, e2 = { 0 };
	cc_part_encode(&m, 7, 9, &e1);
	cc_model d;
	memset(&d, 0, sizeof d);
	if (cc_part_decode(&d, e1.p, e1.len, CC_PART_KEY, 7, 9) != 0) {
		fprintf(stderr, "fuzz_part: a re-encoded part does not decode\n");
		abort();
	}
	cc_part_encode(&d, 7, 9, &e2);
	if (e1.len != e2.len || memcmp(e1.p, e2.p, e1.len) != 0) {
		fprintf(stderr, "fuzz_part: encode(decode(encode(x))) != encode(x)\n");
		abort();
	}
	cc_buf_free(&e1);
	cc_buf_free(&e2);
	cc_model_free(&d);
	cc_model_free(&m);
	return 0;
}
