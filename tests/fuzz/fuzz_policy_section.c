/*
 * fuzz_policy_section.c -- libFuzzer target for the compiled policy: the
 * reader's check of the POLICY section (formats/alc_policy.c, called by
 * alc_open) and the runtime's decisions over whatever passes it
 * (runtime/rt_policy.c).
 *
 * Pass condition: never crash, never read outside the image, never leak;
 * a section the checker accepts never makes a decision misbehave.
 *
 * The input is the POLICY section's bytes.  It is spliced into the widgets
 * test catalog (FUZZ_POLICY_CATALOG, compiled by tests/policy/tests.cmake
 * with tests/policy/fuzz/widgets.yaml, or $AIRLOCK_FUZZ_CATALOG) in place
 * of the catalog's own section, the directory and header are fixed up and
 * the checksum recomputed, so that every input reaches the checker.  The
 * operations' class indexes are taken modulo the class count the input's
 * header declares, so that the operation check does not stop most inputs.
 * When the catalog opens, the policy is prepared from the pattern sources
 * (RT_POLICY_FROM_SOURCE: PCRE2's serialized form is for trusted bytes
 * only, see rt_policy.c) and every operation is decided with no input, an
 * empty one and a few shaped ones, in several contexts.
 *
 * Seeds (tests/fuzz/corpus/policy_section/) are sections compiled from
 * policies for the widgets model (tests/policy/extract_section.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "alc_policy.h"
#include "alc_reader.h"
#include "rt_policy.h"

#ifndef FUZZ_POLICY_CATALOG
#define FUZZ_POLICY_CATALOG "fuzz-widgets.alc"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *base;
static size_t base_len;
static cJSON *inputs[6];
static volatile size_t sink;

static void init(void)
{
	const char *path = getenv("AIRLOCK_FUZZ_CATALOG");
	if (!path || !*path)
		path = FUZZ_POLICY_CATALOG;
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "fuzz_policy_section: cannot read %s\n", path);
		abort();
	}
	base_len = (size_t)ftell(f);
	rewind(f);
	base = malloc(base_len);
	if (!base || fread(base, 1, base_len, f) != base_len)
		abort();
	fclose(f);
	static const char *const js[] = {
		"{}",
		("{\"Name\":\"prod-1\",\"Size\":500,\"Enabled\":true,\"Colors\":[\"RED\"],"
		 "\"Tags\":{\"Owner\":\"a\",\"CostCenter\":\"1234\"}}"),
		"{\"WidgetId\":\"arn:aws:widgets:us-east-1:111111111111:widget/w\"}",
		"{\"MaxResults\":60,\"Status\":\"GONE\",\"NextToken\":\"t\"}",
		"{\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"a\"}],\"tags\":\"Owner=a&x=%41\"}",
		"{\"Size\":\"12\",\"size\":1,\"Parts\":[{\"a\":[1,2,{\"b\":null}]}]}",
	};
	for (size_t i = 0; i < sizeof js / sizeof js[0]; i++)
		if (!(inputs[i] = cJSON_Parse(js[i])))
			abort();
}

/* The base image with its POLICY section replaced by DATA.  Malloc'd. */
static uint8_t *splice(const uint8_t *data, size_t size, size_t *out_len)
{
	const alc_header *h = (const alc_header *)base;
	const alc_section *dir = (const alc_section *)(base + h->dir_offset);
	const alc_section *pol = NULL;
	for (uint32_t i = 0; i < h->section_count; i++)
		if (dir[i].id == ALC_SEC_POLICY)
			pol = &dir[i];
	if (!pol)
		abort();
	size_t old = (size_t)((pol->size + 7) & ~7ull);
	size_t neu = (size + 7) & ~(size_t)7;
	size_t len = base_len - old + neu;
	uint8_t *img = calloc(1, len ? len : 1);
	if (!img)
		return NULL;
	size_t at = (size_t)pol->offset;
	memcpy(img, base, at);
	memcpy(img + at, data, size);
	memcpy(img + at + neu, base + at + old, base_len - at - old);
	alc_header *nh = (alc_header *)img;
	alc_section *nd = (alc_section *)(img + nh->dir_offset);
	for (uint32_t i = 0; i < nh->section_count; i++) {
		if (nd[i].id == ALC_SEC_POLICY) {
			nd[i].size = size;
			nd[i].count = (uint32_t)size;
		} else if (nd[i].offset > at) {
			nd[i].offset = nd[i].offset - old + neu;
		}
	}
	/* class indexes within the count the input declares */
	uint32_t ncls = 0;
	if (size >= sizeof(alc_policy_header))
		ncls = ((const alc_policy_header *)data)->tables[ALC_PT_CLASSES].count;
	for (uint32_t i = 0; i < nh->section_count; i++) {
		if (nd[i].id != ALC_SEC_OPS)
			continue;
		alc_operation *ops = (alc_operation *)(img + nd[i].offset);
		for (uint32_t k = 0; k < nd[i].count && ncls; k++) {
			uint32_t r = ops[k].risk;
			ops[k].risk = (r & 0xffffu) |
			              (((r >> ALC_OPRISK_CLASS_SHIFT) % ncls)
			               << ALC_OPRISK_CLASS_SHIFT);
		}
	}
	nh->file_size = len;
	XXH128_hash_t x = XXH3_128bits(img + ALC_CHECKSUM_FROM,
	                               len - ALC_CHECKSUM_FROM);
	nh->checksum_lo = x.low64;
	nh->checksum_hi = x.high64;
	*out_len = len;
	return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!base)
		init();
	if (size > (1u << 20))
		return 0;
	size_t len;
	uint8_t *img = splice(data, size, &len);
	if (!img)
		return 0;
	alc_catalog c;
	alc_diag d;
	if (alc_open_mem(&c, img, len, &d) == 0) {
		rt_policy *p = NULL;
		if (rt_policy_open(&p, &c, RT_POLICY_FROM_SOURCE, d.msg,
		                   sizeof d.msg) == 0) {
			static const char *const ctx[][3] = {
				{ NULL, NULL, NULL },
				{ "us-east-1", "111111111111", "dev-x" },
				{ "eu-west-1", "333333333333", "prod" },
				{ "us-east-1", NULL, "dev" },
				{ "EU", "12", "" },
			};
			for (uint32_t o = 0; o < c.nops; o++)
				for (size_t k = 0; k < sizeof ctx / sizeof ctx[0]; k++)
					for (size_t i = 0; i <= sizeof inputs / sizeof inputs[0]; i++) {
						rt_call call = { &c.ops[o], i ? inputs[i - 1] : NULL,
						                 ctx[k][0], ctx[k][1], ctx[k][2] };
						rt_decision dec;
						rt_policy_decide(p, &call, (unsigned)(i & 1), &dec);
						sink += dec.effect + strlen(dec.reason) +
						        strlen(dec.rule) + dec.nmatched;
						for (uint32_t m = 0; m < dec.nmatched; m++)
							sink += strlen(rt_policy_rule_id(p, dec.matched[m]));
						cJSON *j = rt_policy_decision_json(p, &dec);
						cJSON_Delete(j);
					}
			rt_policy_close(p);
		}
		alc_close(&c);
	}
	free(img);
	return 0;
}
