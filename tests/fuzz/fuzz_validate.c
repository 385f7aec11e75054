/*
 * fuzz_validate.c -- libFuzzer target for rt_validate() (and the pattern
 * translation it relies on), over the gizmos catalog of tests/schema/model
 * (every constraint kind, recursion, unions, event streams), embedded at
 * build time (tests/schema/embed.cmake).
 *
 * Input: JSON text, validated against every operation of the catalog; or,
 * when the first byte is 0x01, a pattern (the rest of the input) given to
 * rt_pattern_translate() for both targets and, when translated, to
 * pcre2_compile() with the validator's options.
 *
 * Pass condition: never crash, never read outside a buffer, never report
 * more than RT_VALIDATE_MAX violations, never write past the array given;
 * every pointer is a valid RFC 6901 pointer ("" or "/..." with ~ only as
 * ~0 or ~1) and every keyword non-empty.
 *
 * Seeds: tests/fuzz/corpus/validate/ (valid and invalid inputs of each
 * operation, duplicate keys, deep nesting, patterns from AWS models).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rt_schema.h"
#include "rt_schema_int.h"

extern const unsigned char airlock_gizmos_alc[];
extern const size_t airlock_gizmos_alc_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int opened;

static void open_catalog(void)
{
	alc_diag diag;
	if (alc_open_mem(&cat, airlock_gizmos_alc, airlock_gizmos_alc_len, &diag)) {
		fprintf(stderr, "fuzz_validate: embedded catalog: %s\n", diag.msg);
		abort();
	}
	opened = 1;
}

static void check_violations(const rt_violation *v, size_t n, size_t cap)
{
	if (n > RT_VALIDATE_MAX)
		abort();
	for (size_t i = 0; i < n && i < cap; i++) {
		const char *p = v[i].pointer;
		if (memchr(p, '\0', sizeof v[i].pointer) == NULL || !v[i].keyword[0] ||
		    memchr(v[i].message, '\0', sizeof v[i].message) == NULL)
			abort();
		if (p[0] && p[0] != '/')
			abort();
		for (const char *q = p; *q; q++)
			if (*q == '~' && q[1] != '0' && q[1] != '1' && q[1] != '\0')
				abort(); /* a cut pointer may end in '~' */
	}
}

static void fuzz_pattern(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	if (!src)
		return;
	memcpy(src, data, size);
	src[size] = '\0';
	size_t cap = strlen(src) * 12 + 64;
	char *out = malloc(cap);
	if (out) {
		for (int t = 0; t < 2; t++) {
			long n = rt_pattern_translate(src, t, out, cap);
			if (n >= 0 && (size_t)n != strlen(out))
				abort();
			if (n >= 0 && t == RT_RX_PCRE2) {
				int err;
				PCRE2_SIZE at;
				pcre2_code *c = pcre2_compile((PCRE2_SPTR)out, (size_t)n,
				                              PCRE2_UTF | PCRE2_DOLLAR_ENDONLY,
				                              &err, &at, NULL);
				pcre2_code_free(c);
			}
		}
		/* A buffer too small is refused, never overrun. */
		(void)rt_pattern_translate(src, RT_RX_ECMA, out, size / 2 + 1);
	}
	free(out);
	free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!opened)
		open_catalog();
	if (size > 0 && data[0] == 0x01) {
		fuzz_pattern(data + 1, size - 1);
		return 0;
	}
	cJSON *in = cJSON_ParseWithLength((const char *)data, size);
	if (!in)
		return 0;
	rt_violation v[16];
	for (uint32_t i = 0; i < cat.nops; i++) {
		size_t n = rt_validate(&cat, &cat.ops[i], in, v, 16);
		check_violations(v, n, 16);
		if (rt_validate(&cat, &cat.ops[i], in, NULL, 0) != n)
			abort();
	}
	cJSON_Delete(in);
	return 0;
}
