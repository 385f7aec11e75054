/*
 * cc_partitions.c -- see cc_partitions.h; the layout is
 * formats/alc_partitions.h.
 *
 * Input (botocore data/partitions.json):
 *   { "version": "1.1",
 *     "partitions": [ { "id": "aws", "regionRegex": "^(us|eu|...)...$",
 *                       "outputs": { "name", "dnsSuffix", "dualStackDnsSuffix",
 *                                    "implicitGlobalRegion", "supportsFIPS",
 *                                    "supportsDualStack" },
 *                       "regions": { "us-east-1": { "description": "...",
 *                                                   <output overrides> } } } ] }
 * Descriptions are not stored.  An output key this format does not know is
 * an error rather than silently dropped: a rule set reading it would get
 * an unset value.
 */
#include "cc_partitions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alc_err.h"
#include "alc_format.h"
#include "alc_partitions.h"

typedef struct preg {
	const char *name;
	uint32_t partition;
	uint32_t override;       /* index into the overrides, or ALC_NONE */
	uint32_t order;          /* first-listed wins among equal names */
} preg;

static int cmp_preg(const void *a, const void *b)
{
	const preg *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* One output key: its ALC_PO_ bit, and whether it is a string. */
static const struct {
	const char *key;
	uint32_t bit;
	int is_bool;
} outputs[] = {
	{ "name", ALC_PO_NAME, 0 },
	{ "dnsSuffix", ALC_PO_DNS_SUFFIX, 0 },
	{ "dualStackDnsSuffix", ALC_PO_DUAL_DNS, 0 },
	{ "implicitGlobalRegion", ALC_PO_GLOBAL, 0 },
	{ "supportsFIPS", ALC_PO_FIPS, 1 },
	{ "supportsDualStack", ALC_PO_DUAL_STACK, 1 },
};
#define NOUTPUTS (sizeof outputs / sizeof outputs[0])

/* Read the output keys of OBJ (an outputs object, or a region entry when
 * REGION is set, which also allows "description") into *O.  Returns 0 or
 * -1 after a diagnostic. */
static int read_outputs(const cJSON *obj, int region, const char *file,
                        const char *jpath, cc_pool *pool,
                        alc_part_override *o, cc_buf *diag)
{
	memset(o, 0, sizeof *o);
	const cJSON *it;
	cJSON_ArrayForEach(it, obj) {
		const char *k = it->string;
		if (region && strcmp(k, "description") == 0)
			continue;
		size_t i = 0;
		while (i < NOUTPUTS && strcmp(outputs[i].key, k) != 0)
			i++;
		if (i == NOUTPUTS) {
			cc_diag_add(diag, file, jpath, "unknown output '%s' (the "
			            "catalog stores name, dnsSuffix, dualStackDnsSuffix, "
			            "implicitGlobalRegion, supportsFIPS, "
			            "supportsDualStack)", k);
			return -1;
		}
		if (outputs[i].is_bool ? !cJSON_IsBool(it) : !cJSON_IsString(it)) {
			cc_diag_add(diag, file, jpath, "output '%s' must be a %s", k,
			            outputs[i].is_bool ? "boolean" : "string");
			return -1;
		}
		o->has |= outputs[i].bit;
		switch (outputs[i].bit) {
		case ALC_PO_NAME: o->name = cc_intern_cstr(pool, it->valuestring); break;
		case ALC_PO_DNS_SUFFIX: o->dns_suffix = cc_intern_cstr(pool, it->valuestring); break;
		case ALC_PO_DUAL_DNS: o->dual_stack_dns_suffix = cc_intern_cstr(pool, it->valuestring); break;
		case ALC_PO_GLOBAL: o->implicit_global_region = cc_intern_cstr(pool, it->valuestring); break;
		case ALC_PO_FIPS: o->flags |= cJSON_IsTrue(it) ? ALC_PART_FIPS : 0; break;
		default: o->flags |= cJSON_IsTrue(it) ? ALC_PART_DUAL_STACK : 0; break;
		}
	}
	return 0;
}

int cc_partitions_encode(const char *json, size_t len, const char *file,
                         cc_pool *pool, cc_buf *out, cc_buf *diag)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	if (!root) {
		cc_diag_add(diag, file, "$", "not valid JSON");
		return AL_EJSON;
	}
	int rc = AL_EMODEL;
	alc_partition *parts = NULL;
	preg *regs = NULL;
	alc_part_override *ovs = NULL;
	size_t nregs = 0, novs = 0, cap = 0;
	char jp[256];

	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(root, "partitions");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(pl)) {
		cc_diag_add(diag, file, "$.partitions", "expected an array of partitions");
		goto out;
	}
	if (ver && !cJSON_IsString(ver)) {
		cc_diag_add(diag, file, "$.version", "expected a string");
		goto out;
	}
	int np = cJSON_GetArraySize(pl);
	if (np < 1 || (unsigned)np > ALC_PART_MAX_PARTITIONS) {
		cc_diag_add(diag, file, "$.partitions", "%d partitions (1..%u)", np,
		            ALC_PART_MAX_PARTITIONS);
		goto out;
	}
	/* strings are interned in file order: the version, then per
	 * partition its id, regex, outputs and region names */
	uint32_t table_version = ver ? cc_intern_cstr(pool, ver->valuestring) : 0;
	parts = cc_xcalloc((size_t)np, sizeof *parts);
	uint32_t deflt = 0, have_aws = 0;
	for (int i = 0; i < np; i++) {
		const cJSON *p = cJSON_GetArrayItem(pl, i);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "id");
		const cJSON *re = cJSON_GetObjectItemCaseSensitive(p, "regionRegex");
		const cJSON *outs = cJSON_GetObjectItemCaseSensitive(p, "outputs");
		const cJSON *regions = cJSON_GetObjectItemCaseSensitive(p, "regions");
		snprintf(jp, sizeof jp, "$.partitions[%d]", i);
		if (!cJSON_IsString(id) || !*id->valuestring) {
			cc_diag_add(diag, file, jp, "partition needs a non-empty \"id\"");
			goto out;
		}
		if (!cJSON_IsString(re)) {
			cc_diag_add(diag, file, jp, "partition '%s' needs a \"regionRegex\" string",
			            id->valuestring);
			goto out;
		}
		char why[128];
		if (alc_part_regex_check(re->valuestring, why, sizeof why)) {
			snprintf(jp, sizeof jp, "$.partitions[%d].regionRegex", i);
			cc_diag_add(diag, file, jp, "'%s': %s (airlock matches a regex "
			            "subset: literals, . \\d \\w \\s, classes, groups with |, "
			            "* + ? on single atoms)", re->valuestring, why);
			goto out;
		}
		if (!cJSON_IsObject(outs) || (regions && !cJSON_IsObject(regions))) {
			cc_diag_add(diag, file, jp, "partition '%s' needs an \"outputs\" object "
			            "and a \"regions\" object", id->valuestring);
			goto out;
		}
		alc_partition *r = &parts[i];
		r->id = cc_intern_cstr(pool, id->valuestring);
		r->region_regex = cc_intern_cstr(pool, re->valuestring);
		alc_part_override o;
		snprintf(jp, sizeof jp, "$.partitions[%d].outputs", i);
		if (read_outputs(outs, 0, file, jp, pool, &o, diag))
			goto out;
		uint32_t need = ALC_PO_DNS_SUFFIX | ALC_PO_DUAL_DNS | ALC_PO_FIPS |
		                ALC_PO_DUAL_STACK;
		if ((o.has & need) != need) {
			cc_diag_add(diag, file, jp, "outputs need dnsSuffix, dualStackDnsSuffix, "
			            "supportsFIPS and supportsDualStack");
			goto out;
		}
		r->name = (o.has & ALC_PO_NAME) ? o.name : r->id;
		r->dns_suffix = o.dns_suffix;
		r->dual_stack_dns_suffix = o.dual_stack_dns_suffix;
		r->implicit_global_region = o.implicit_global_region;
		r->flags = o.flags;
		if (!have_aws && strcmp(id->valuestring, "aws") == 0) {
			deflt = (uint32_t)i;
			have_aws = 1;
		}

		const cJSON *rg;
		cJSON_ArrayForEach(rg, regions) {
			size_t nl = strlen(rg->string);
			snprintf(jp, sizeof jp, "$.partitions[%d].regions['%.64s']", i,
			         rg->string);
			if (nl == 0 || nl > ALC_PART_MAX_REGION) {
				cc_diag_add(diag, file, jp, "region names are 1..%u bytes",
				            ALC_PART_MAX_REGION);
				goto out;
			}
			if (!cJSON_IsObject(rg)) {
				cc_diag_add(diag, file, jp, "expected an object");
				goto out;
			}
			if (read_outputs(rg, 1, file, jp, pool, &o, diag))
				goto out;
			if (nregs == cap) {
				cap = cap ? cap * 2 : 64;
				regs = cc_xrealloc(regs, cap * sizeof *regs);
				ovs = cc_xrealloc(ovs, cap * sizeof *ovs);
			}
			uint32_t ov = ALC_NONE;
			if (o.has) {
				ov = (uint32_t)novs;
				ovs[novs++] = o;
			}
			(void)cc_intern_cstr(pool, rg->string);
			regs[nregs] = (preg){ rg->string, (uint32_t)i, ov, (uint32_t)nregs };
			nregs++;
			if (nregs > ALC_PART_MAX_REGIONS) {
				cc_diag_add(diag, file, "$.partitions", "more than %u regions",
				            ALC_PART_MAX_REGIONS);
				goto out;
			}
		}
	}

	/* Sorted by name; a region listed twice keeps its first entry (the
	 * lookup rule: first listed wins). */
	if (nregs)
		qsort(regs, nregs, sizeof *regs, cmp_preg);
	size_t k = 0;
	for (size_t i = 0; i < nregs; i++)
		if (k == 0 || strcmp(regs[k - 1].name, regs[i].name) != 0)
			regs[k++] = regs[i];
	nregs = k;

	size_t start = out->len;
	alc_part_header h;
	memset(&h, 0, sizeof h);
	h.magic = ALC_PART_MAGIC;
	h.version = ALC_PART_VERSION;
	h.header_size = sizeof h;
	h.size = (uint32_t)alc_part_section_size((uint64_t)np, nregs, novs);
	h.table_version = table_version;
	h.partition_count = (uint32_t)np;
	h.region_count = (uint32_t)nregs;
	h.override_count = (uint32_t)novs;
	h.default_partition = deflt;
	cc_buf_put(out, &h, sizeof h);
	cc_buf_put(out, parts, (size_t)np * sizeof *parts);
	for (size_t i = 0; i < nregs; i++) {
		alc_part_region r = { cc_intern_cstr(pool, regs[i].name),
		                      (uint16_t)regs[i].partition, 0, regs[i].override };
		cc_buf_put(out, &r, sizeof r);
	}
	if (novs)
		cc_buf_put(out, ovs, novs * sizeof *ovs);
	cc_buf_align(out, 8);

	/* The writer proves its output with the reader's checker. */
	char why[256];
	if (alc_partitions_check(out->p + start, out->len - start,
	                         (const char *)pool->data.p,
	                         (uint32_t)pool->data.len, why, sizeof why)) {
		cc_diag_add(diag, file, "$", "internal error: encoded table fails "
		            "its check: %s", why);
		out->len = start;
		goto out;
	}
	rc = 0;
out:
	free(parts);
	free(regs);
	free(ovs);
	cJSON_Delete(root);
	return rc;
}

int cc_partitions_load(const char *file, cc_pool *pool, cc_buf *out,
                       cc_buf *diag)
{
	FILE *f = fopen(file, "rb");
	if (!f) {
		int e = errno;
		cc_diag_add(diag, file, "$", "cannot read the partitions table: %s",
		            strerror(e));
		return e == ENOENT ? AL_ENOENT : AL_EIO;
	}
	cc_buf b = { 0 };
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		cc_buf_put(&b, chunk, n);
	int bad_read = ferror(f);
	fclose(f);
	int rc;
	if (bad_read) {
		cc_diag_add(diag, file, "$", "read error");
		rc = AL_EIO;
	} else {
		rc = cc_partitions_encode(b.p ? (const char *)b.p : "", b.len, file,
		                          pool, out, diag);
	}
	cc_buf_free(&b);
	return rc;
}

const char *cc_partitions_default_path(const char *source_dir)
{
	static char path[4096];
	return cc_data_path("AIRLOCK_PARTITIONS", source_dir, "catalogs/partitions.json",
	                    "partitions.json", path, sizeof path);
}
