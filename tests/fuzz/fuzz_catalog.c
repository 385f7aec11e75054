/*
 * fuzz_catalog.c -- libFuzzer target for the catalog reader
 * (formats/alc_reader.c) and the verify checks (compiler/cc_verify.c).
 *
 * Pass condition: never crash, never read outside the image, whatever the
 * input.  Each input is opened twice:
 *
 *   1. as is -- exercises the header checks and the checksum;
 *   2. with file_size and the checksum fixed up -- otherwise nearly every
 *      mutation would stop at the checksum and the fuzzer would never
 *      reach the directory, record and index checks.
 *
 * When an open succeeds, every record is walked (every string read to its
 * NUL, every reference followed), every service and operation is looked up
 * by each of its names, names cut from the input are looked up, and the
 * verify checks run.
 *
 * Seeds (tests/fuzz/corpus/catalog/) come from `test_reader
 * --write-corpus DIR`: small valid catalogs and a few corrupt ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "alc_reader.h"
#include "cc_inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const alc_catalog *c, uint32_t str)
{
	sink += strlen(alc_str(c, str));
}

static void walk(const alc_catalog *c)
{
	touch(c, c->hdr->compiler_version);
	touch(c, c->hdr->models_source);
	for (uint32_t i = 0; i < c->nsvcs; i++) {
		const alc_service *s = &c->svcs[i];
		const char *names[] = {
			alc_str(c, s->key), alc_str(c, s->sdk_id),
			alc_str(c, s->cli_name), alc_str(c, s->endpoint_prefix),
			alc_str(c, s->namespace_), alc_str(c, s->shape_id),
		};
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
			sink += alc_find_service(c, names[k], strlen(names[k])) != NULL;
		for (uint32_t e = 0; e < s->error_count; e++)
			sink += c->shapes[c->u32[s->first_error + e]].type;
		for (uint32_t p = 0; p < s->param_count; p++)
			touch(c, c->params[s->first_param + p].value);
		for (uint32_t b = 0; b < s->rules_size; b++)
			sink += c->rules[s->rules_offset + b];
		touch(c, c->manifest[s->manifest].path);
		sink += strlen(alc_doc_service(c, i));
	}
	for (uint32_t i = 0; i < c->nops; i++) {
		const alc_operation *op = &c->ops[i];
		const alc_service *s = &c->svcs[op->service];
		const char *sk = alc_str(c, s->key);
		const char *on = alc_str(c, op->name);
		const char *cn = alc_str(c, op->cli_name);
		sink += alc_find_operation(c, sk, strlen(sk), on, strlen(on)) == op;
		sink += alc_find_operation(c, sk, strlen(sk), cn, strlen(cn)) == op;
		if (op->input != ALC_NONE)
			sink += c->shapes[op->input].member_count;
		if (op->output != ALC_NONE)
			sink += c->shapes[op->output].member_count;
		if (op->idem_member != ALC_NONE)
			touch(c, c->members[op->idem_member].name);
		for (uint32_t e = 0; e < op->error_count; e++)
			sink += c->shapes[c->u32[op->first_error + e]].type;
		for (uint32_t p = 0; p < op->param_count; p++)
			touch(c, c->params[op->first_param + p].name);
		touch(c, op->http_uri);
		sink += strlen(alc_doc_op(c, i));
	}
	for (uint32_t i = 0; i < c->nshapes; i++) {
		const alc_shape *s = &c->shapes[i];
		touch(c, s->name);
		sink += strlen(alc_shape_ns(c, i));
		sink += alc_shape_service(c, i);
		if (s->cons != ALC_NONE)
			touch(c, c->cons[s->cons].pattern);
		if (s->ext != ALC_NONE)
			touch(c, c->shext[s->ext].xml_name);
		for (uint32_t m = 0; m < s->member_count; m++) {
			const alc_member *mb = &c->members[s->first_member + m];
			touch(c, mb->name);
			sink += strlen(alc_doc_member(c, s->first_member + m));
			if (s->type == ALC_T_ENUM)
				touch(c, mb->aux);
			else if (s->type != ALC_T_INTENUM)
				sink += c->shapes[mb->target].type;
			const alc_member_ext *x = alc_member_ext_of(c, mb);
			if (x) {
				touch(c, x->loc_name);
				if (x->cons != ALC_NONE)
					touch(c, c->cons[x->cons].range_min_text);
			}
		}
	}
}

/* Look up names cut from the input itself. */
static void probe(const alc_catalog *c, const uint8_t *data, size_t size)
{
	size_t n = size < 300 ? size : 300;
	const char *p = (const char *)data + size - n;
	sink += alc_find_service(c, p, n / 4) != NULL;
	sink += alc_find_operation_key(c, p, n) != NULL;
	sink += alc_find_operation(c, p, n / 3, p + n / 3, n - n / 3) != NULL;
	char key[ALC_KEY_MAX];
	size_t kl = alc_normalise(key, sizeof key, p, n / 2);
	sink += alc_index_lookup(c->idx_svc, c->strs, key, kl);
	sink += alc_index_lookup_op(c, c->idx_op, 0, key, kl);
}

static void try_open(const uint8_t *img, size_t size, const uint8_t *data)
{
	alc_catalog c;
	alc_diag d;
	if (alc_open_mem(&c, img, size, &d) != 0)
		return;
	walk(&c);
	probe(&c, data, size);
	sink += (size_t)cc_verify_catalog(&c, &d);
	alc_close(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so that the sanitizer sees any overread;
	 * malloc's alignment satisfies alc_open_mem's 8 bytes. */
	uint8_t *img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	try_open(img, size, data);

	if (size >= sizeof(alc_header)) {
		alc_header *h = (alc_header *)img;
		h->file_size = size;
		XXH128_hash_t x = XXH3_128bits(img + ALC_CHECKSUM_FROM,
		                               size - ALC_CHECKSUM_FROM);
		h->checksum_lo = x.low64;
		h->checksum_hi = x.high64;
		try_open(img, size, data);
	}
	free(img);
	return 0;
}
