/*
 * fuzz_cfn_template.c -- rt_cfn_deletion_policies (rt_cfn_tpl.c) on
 * outside input: a CloudFormation template as GetTemplate returns it,
 * JSON or YAML (tags, anchors and aliases, several documents, any bytes).
 *
 * Pass condition: never crash, never leak, never read out of bounds
 * (ASan/UBSan); the result, when there is one, is an object of strings.
 * Seeds: tests/fuzz/corpus/cfn_template (JSON and YAML templates with
 * Retain, Snapshot and conditional policies, an alias bomb, damaged text).
 */
#include <stdint.h>
#include <stdlib.h>

#include "rt_cfn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *p = rt_cfn_deletion_policies((const char *)data, size);
	const cJSON *e;
	cJSON_ArrayForEach(e, p)
		if (!cJSON_IsString(e) || !e->string)
			abort();
	if (p && !cJSON_IsObject(p))
		abort();
	cJSON_Delete(p);
	return 0;
}
