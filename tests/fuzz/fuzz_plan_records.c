/*
 * fuzz_plan_records.c -- libFuzzer target for the stored records of plans
 * and the audit log (runtime/rt_plan.c rt_plan_decode/rt_plan_load,
 * runtime/rt_audit.c rt_audit_decode/rt_audit_json): the bytes LMDB hands
 * back are checked before anything trusts them, so a damaged or edited
 * state database is an error with a name, never a crash.
 *
 * Pass condition: never crash, never read outside the input, never leak;
 * whatever decodes also loads (JSON parse, view) or is refused cleanly.
 *
 * The first byte chooses the decoder (even: plan record, odd: audit
 * record); the rest is the record.  Seeds (tests/fuzz/corpus/plan_records/)
 * are records written by the test suite, plus a few hand-made ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rt_audit.h"
#include "rt_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* an exact-size copy: ASan sees any read past the record */
	size_t n = size - 1;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	if ((data[0] & 1) == 0) {
		rt_plan_rec r;
		if (rt_plan_decode(buf, n, &r) == 0) {
			rt_id id;
			memset(&id, 0, sizeof id);
			rt_plan pl;
			if (rt_plan_load(&id, buf, n, &pl) == 0) {
				cJSON *v = rt_plan_view(&pl);
				char *s = v ? cJSON_PrintUnformatted(v) : NULL;
				free(s);
				cJSON_Delete(v);
				rt_plan_free(&pl);
			}
		}
	} else {
		rt_audit_rec r;
		if (rt_audit_decode(buf, n, &r) == 0) {
			cJSON *j = rt_audit_json(&r, buf, n);
			cJSON_Delete(j);
		}
	}
	free(buf);
	return 0;
}
