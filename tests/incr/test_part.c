/*
 * test_part.c -- the part serializer (compiler/cc_part.c) in process.
 *
 *   test_part DIR...
 *
 * For every model file under the DIRs (either layout), in both --docs
 * modes: load it, encode its part, decode the part, encode again: the two
 * encodings must be byte-identical (the decoder restores everything the
 * encoder writes).  For the first few models, every truncation of the part
 * and a bit flip at every byte are decoded: with the checksum on, each
 * damaged part past the header must be refused; with it off (what the fuzz
 * target does) nothing may crash or leak.  A wrong key is refused.  And
 * the struct sizes of cc_model.h must be the ones cc_part.c serializes
 * (cc_part_layout_check): a new field fails here until it is serialized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "cc_build.h"
#include "cc_model.h"
#include "cc_part.h"

static int fails;

#define CHECK(c, ...) do { if (!(c)) { fails++; fprintf(stderr, "FAIL: " __VA_ARGS__); \
                                         fputc('\n', stderr); } } while (0)

static int is_zero(const cc_model *m)
{
	static const cc_model z;
	return memcmp(m, &z, sizeof z) == 0;
}

static void damage(const cc_buf *enc, const char *rel)
{
	/* every truncation */
	size_t tried = 0;
	for (size_t n = 0; n < enc->len; n += n < 512 ? 1 : 61) {
		cc_model m;
		memset(&m, 0, sizeof m);
		int rc = cc_part_decode(&m, enc->p, n, CC_PART_KEY, 1, 2);
		CHECK(rc != 0, "%s: a part truncated to %zu of %zu bytes decoded", rel, n, enc->len);
		CHECK(is_zero(&m), "%s: a refused part left the model half-filled", rel);
		rc = cc_part_decode(&m, enc->p, n, CC_PART_NO_SUM, 0, 0);
		CHECK(rc != 0, "%s: truncated to %zu bytes decoded without the checksum", rel, n);
		tried++;
	}
	/* a bit flip at every byte (every 7th on large parts) */
	uint8_t *copy = malloc(enc->len);
	size_t step = enc->len > 20000 ? 7 : 1;
	for (size_t i = 0; i < enc->len; i += step) {
		memcpy(copy, enc->p, enc->len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		cc_model m;
		memset(&m, 0, sizeof m);
		int rc = cc_part_decode(&m, copy, enc->len, CC_PART_KEY, 1, 2);
		/* the header's model size and digest are checked by the caller
		 * against the model file (cc_part_load), not here */
		if (i < 32 || i >= 56)
			CHECK(rc != 0, "%s: a bit flip at byte %zu was not found", rel, i);
		cc_model_free(&m);
		memset(&m, 0, sizeof m);
		rc = cc_part_decode(&m, copy, enc->len, CC_PART_NO_SUM, 0, 0);
		cc_model_free(&m);
		tried++;
	}
	free(copy);
	cc_model m;
	memset(&m, 0, sizeof m);
	CHECK(cc_part_decode(&m, enc->p, enc->len, CC_PART_KEY, 1, 3) == AL_ECORRUPT,
	      "%s: a part under another key decoded", rel);
	printf("  %s: %zu damaged variants refused or survived\n", rel, tried);
}

int main(int argc, char **argv)
{
	cc_buf msg = { 0 };
	if (cc_part_layout_check(&msg)) {
		fails++;
		fprintf(stderr, "FAIL: %.*s", (int)msg.len, (const char *)msg.p);
	}
	cc_buf_free(&msg);
	if (argc < 2) {
		fprintf(stderr, "usage: test_part DIR...\n");
		return 2;
	}
	cc_model_install_hooks(); /* the loader's JSON goes to its arena */
	size_t models = 0, rulesets = 0, bytes = 0;
	for (int a = 1; a < argc; a++) {
		char **paths = NULL, **rels = NULL;
		size_t n = 0;
		if (cc_find_models(argv[a], &paths, &rels, &n) != 0 || n == 0) {
			fprintf(stderr, "FAIL: %s: no models\n", argv[a]);
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			for (int docs = 0; docs < 2; docs++) {
				cc_load_opts lo = { docs };
				cc_model m;
				memset(&m, 0, sizeof m);
				int rc = cc_model_load(&m, paths[i], rels[i], &lo);
				CHECK(rc == 0, "%s: does not load: %.*s", rels[i], (int)m.diag.len,
				      (const char *)m.diag.p);
				if (rc) {
					cc_model_free(&m);
					continue;
				}
				cc_buf e1 = { 0 }, e2 = { 0 };
				cc_part_encode(&m, 1, 2, &e1);
				cc_model d;
				memset(&d, 0, sizeof d);
				rc = cc_part_decode(&d, e1.p, e1.len, CC_PART_KEY, 1, 2);
				CHECK(rc == 0, "%s: its own part does not decode (%s)", rels[i],
				      al_strerror(rc));
				if (rc == 0) {
					CHECK(d.size == m.size && d.digest_lo == m.digest_lo &&
					      d.digest_hi == m.digest_hi, "%s: size or digest lost", rels[i]);
					CHECK(d.nshapes == m.nshapes && d.nops == m.nops &&
					      (d.ruleset != NULL) == (m.ruleset != NULL),
					      "%s: counts lost", rels[i]);
					cc_part_encode(&d, 1, 2, &e2);
					CHECK(e1.len == e2.len && memcmp(e1.p, e2.p, e1.len) == 0,
					      "%s (--docs %s): decode + encode is not the same part",
					      rels[i], docs ? "full" : "summary");
				}
				if (models < 6 && docs == 1)
					damage(&e1, rels[i]);
				models++;
				rulesets += m.ruleset != NULL;
				bytes += e1.len;
				cc_buf_free(&e1);
				cc_buf_free(&e2);
				cc_model_free(&d);
				cc_model_free(&m);
			}
			free(paths[i]);
			free(rels[i]);
		}
		free(paths);
		free(rels);
	}
	printf("%zu model loads round-tripped (%zu with a rule set), %zu bytes of parts; "
	       "%d failure(s)\n", models, rulesets, bytes, fails);
	return fails ? 1 : 0;
}
