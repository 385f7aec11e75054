/*
 * fuzz_cfn_changeset.c -- what rt_cfn.c makes of a DescribeChangeSet
 * answer (rt_cfn_changeset_result) and how it prints it for people
 * (rt_cfn_render), on outside input: AWS's answer as rt_exec hands it over
 * (any JSON: members missing, of the wrong type, nested oddly).
 *
 * Input: one JSON text, the DescribeChangeSet output.  Pass condition:
 * never crash, never leak, never read out of bounds (ASan/UBSan); every
 * change the answer lists is converted (the change set's "changes" has as
 * many entries as the answer's "Changes" array) and the result renders.
 * Seeds: tests/cfn/fixtures' change sets and a few damaged ones.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_cfn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 16))
		return 0;
	cJSON *d = cJSON_ParseWithLength((const char *)data, size);
	cJSON *r = cJSON_Parse("{\"planId\":\"01FUZZ\",\"operation\":\"UpdateStack\","
	                       "\"summary\":{},\"changes\":[]}");
	if (d && r && rt_cfn_changeset_result(r, d) == 0) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(d, "Changes");
		const cJSON *cs = cJSON_GetObjectItemCaseSensitive(r, "changeSet");
		int n = cJSON_IsArray(in) || cJSON_IsObject(in) ? cJSON_GetArraySize(in) : 0;
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cs, "changes")) != n)
			abort();
		FILE *f = fopen("/dev/null", "w");
		if (f) {
			rt_cfn_render(f, r, 1);
			fclose(f);
		}
	}
	cJSON_Delete(r);
	cJSON_Delete(d);
	return 0;
}
