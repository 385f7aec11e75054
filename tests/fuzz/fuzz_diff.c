/*
 * fuzz_diff.c -- the Diff's comparison engine and rendering (rt_diff.h) on
 * outside input: what AWS answers is compared with what a plan sets.
 *
 * Input: two JSON texts separated by the first newline, the plan's input
 * and the state; the whole input is also tried as a (URL-encoded) JSON
 * document.  Pass condition: never crash, never leak, never read out of
 * bounds (ASan/UBSan); the result's summary counts the changes listed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 16))
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	cJSON *doc = rt_diff_document(s);
	cJSON_Delete(doc);
	char *nl = memchr(s, '\n', size);
	size_t n1 = nl ? (size_t)(nl - s) : size;
	cJSON *planned = cJSON_ParseWithLength(s, n1);
	cJSON *state = nl ? cJSON_ParseWithLength(nl + 1, size - n1 - 1) : NULL;
	cJSON *r = cJSON_Parse("{\"summary\":{\"changed\":0,\"added\":0,\"removed\":0,"
	                       "\"unchanged\":0,\"notVisible\":0,\"sensitive\":0},\"changes\":[]}");
	if (r && cJSON_IsObject(planned) && rt_diff_compare(NULL, ALC_NONE, planned, ALC_NONE, state,
	                                                    NULL, "", r) == 0) {
		int total = 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r, "summary"))
			total += c->valueint;
		if (total != cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "changes")))
			abort();
		FILE *f = fopen("/dev/null", "w");
		if (f) {
			rt_diff_render(f, r, 1, 1);
			fclose(f);
		}
	}
	cJSON_Delete(r);
	cJSON_Delete(planned);
	cJSON_Delete(state);
	free(s);
	return 0;
}
