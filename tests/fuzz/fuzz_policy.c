/*
 * fuzz_policy.c -- libFuzzer target for the policy YAML parser and checker
 * (compiler/cc_policy.c over libyaml and PCRE2).
 *
 * Pass condition: never crash, never leak, never hang, whatever the bytes;
 * a load either fails with at least one "FILE:LINE:COLUMN: error:" line or
 * succeeds, and a policy that loads also compiles (cc_policy_emit into a
 * scratch string pool).
 *
 * The names are resolved against the widgets test catalog compiled by
 * tests/policy/tests.cmake (FUZZ_POLICY_CATALOG), or $AIRLOCK_FUZZ_CATALOG
 * (e.g. the full AWS catalog).  Seeds: tests/fuzz/corpus/policy/ (the test
 * policies, the bad policies of the golden tests, the widgets policy).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_reader.h"
#include "cc_policy.h"

#ifndef FUZZ_POLICY_CATALOG
#define FUZZ_POLICY_CATALOG "fuzz-widgets.alc"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alc_catalog cat;
static int cat_ready;

static void open_catalog(void)
{
	const char *path = getenv("AIRLOCK_FUZZ_CATALOG");
	alc_diag d;
	if (!path || !*path)
		path = FUZZ_POLICY_CATALOG;
	if (alc_open(&cat, path, &d) != 0) {
		fprintf(stderr, "fuzz_policy: %s: %s\n", path, d.msg);
		abort();
	}
	cat_ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat_ready)
		open_catalog();
	cc_buf diag = { 0 };
	cc_policy *p = NULL;
	int rc = cc_policy_load_mem(&p, (const char *)data, size, "fuzz.yaml",
	                            &cat, &diag);
	if (rc != 0) {
		/* every failure says why, in the documented form */
		if (!diag.len || !memmem(diag.p, diag.len, ": error: ", 9))
			abort();
	} else {
		cc_pool pool;
		cc_pool_init(&pool);
		cc_buf sec = { 0 };
		uint32_t *risk = calloc(cat.nops + 1, sizeof *risk);
		if (!risk)
			abort();
		if (cc_policy_emit(p, &cat, &pool, &sec, risk, &diag) == 0 &&
		    sec.len < sizeof(uint32_t) * 40)
			abort();   /* a section always holds its header */
		free(risk);
		cc_buf_free(&sec);
		cc_pool_free(&pool);
	}
	cc_policy_free(p);
	cc_buf_free(&diag);
	return 0;
}
