/*
 * cc_emit.c -- the build driver and the catalog writer.  See cc_build.h.
 *
 * Determinism: model files are sorted by relative path and loaded into a
 * slot each (the thread that loads a file does not matter); models are then
 * merged in order of their canonical service key, and every table is
 * written in that order.  Strings are interned in merge order, so the same
 * inputs give the same bytes.
 *
 * Atomicity: the catalog is written to a temporary file in the target's
 * directory, fsynced, renamed over the target, and the directory fsynced;
 * on any failure the temporary file is removed and the target is untouched.
 */
#include "cc_build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "alc_err.h"
#include "alc_format.h"
#include "alc_reader.h"
#include "cc_model.h"
#include "cc_unpack.h"
#include "cc_names.h"
#include "cc_part.h"
#include "cc_partitions.h"
#include "cc_policy.h"
#include "cc_readmap.h"
#include "cc_rules.h"
#include "cc_util.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- finding model files --------------------------------------------- */

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	*n = 0;
	if (!d)
		return NULL;
	size_t cap = 64;
	char **v = cc_xmalloc(cap * sizeof *v);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap *= 2;
			v = cc_xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = cc_xstrndup(de->d_name, strlen(de->d_name));
	}
	closedir(d);
	qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = cc_xmalloc(la + lb + 2);
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

int cc_find_models(const char *dir, char ***paths, char ***rels, size_t *n)
{
	size_t tests;
	return cc_find_models_ex(dir, paths, rels, n, &tests);
}

int cc_find_models_ex(const char *dir, char ***paths, char ***rels, size_t *n,
                      size_t *tests)
{
	*tests = 0;
	if (!is_dir(dir))
		return AL_ENOENT;
	char *root = join(dir, "models");
	if (!is_dir(root)) {
		free(root);
		root = cc_xstrndup(dir, strlen(dir));
	}
	size_t nsdk;
	char **sdks = list_dir(root, &nsdk);
	for (size_t i = 0; i < nsdk; i++) {
		/* the same models `sync` keeps: not the repository's internal
		 * test services */
		char *svcdir = join(root, sdks[i]);
		if (cc_unpack_is_test_service(sdks[i])) {
			char *sd = join(svcdir, "service");
			*tests += is_dir(sd);
			free(sd);
			free(svcdir);
			continue;
		}
		char *sdir = join(svcdir, "service");
		free(svcdir);
		size_t nver;
		char **vers = list_dir(sdir, &nver);
		for (size_t k = 0; k < nver; k++) {
			char *vdir = join(sdir, vers[k]);
			size_t nf;
			char **files = list_dir(vdir, &nf);
			for (size_t f = 0; f < nf; f++) {
				if (!ends_with(files[f], ".json"))
					continue;
				*paths = cc_xrealloc(*paths, (*n + 1) * sizeof **paths);
				*rels = cc_xrealloc(*rels, (*n + 1) * sizeof **rels);
				(*paths)[*n] = join(vdir, files[f]);
				size_t rl = strlen(sdks[i]) + strlen(vers[k]) + strlen(files[f]) + 16;
				char *rel = cc_xmalloc(rl);
				snprintf(rel, rl, "%s/service/%s/%s", sdks[i], vers[k], files[f]);
				(*rels)[*n] = rel;
				(*n)++;
			}
			free_list(files, nf);
			free(vdir);
		}
		free_list(vers, nver);
		free(sdir);
	}
	free_list(sdks, nsdk);
	free(root);
	return 0;
}

/* ---- parallel loading ------------------------------------------------ */

typedef struct job {
	char **paths, **rels;
	size_t n;
	size_t *order;           /* load order: largest files first */
	cc_model *models;
	cc_part_cache *cache;    /* parts (cc_part.h); models are parsed
	                            when it has no directory */
	atomic_size_t next;
} job;

static void *worker(void *arg)
{
	job *j = arg;
	cc_arena ja = { .block = 4u << 20 };
	cc_part_scratch ps = { 0 };
	cc_model_thread_arena(&ja);
	for (;;) {
		size_t k = atomic_fetch_add(&j->next, 1);
		if (k >= j->n)
			break;
		size_t i = j->order[k];
		cc_part_load(j->cache, &j->models[i], j->paths[i], j->rels[i], &ps);
	}
	cc_model_thread_arena(NULL);
	cc_part_scratch_free(&ps);
	cc_arena_free(&ja);
	return NULL;
}

static off_t file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : 0;
}

static const job *sort_job;
static int cmp_size_desc(const void *a, const void *b)
{
	off_t x = file_size(sort_job->paths[*(const size_t *)a]);
	off_t y = file_size(sort_job->paths[*(const size_t *)b]);
	return x < y ? 1 : x > y ? -1 : (int)(*(const size_t *)a - *(const size_t *)b);
}

static void load_all(job *j, int threads)
{
	j->order = cc_xmalloc((j->n ? j->n : 1) * sizeof *j->order);
	off_t *sizes = cc_xmalloc((j->n ? j->n : 1) * sizeof *sizes);
	for (size_t i = 0; i < j->n; i++) {
		j->order[i] = i;
		sizes[i] = 0;
	}
	sort_job = j;
	qsort(j->order, j->n, sizeof *j->order, cmp_size_desc);
	free(sizes);
	atomic_init(&j->next, 0);
	if (threads < 1)
		threads = 1;
	pthread_t *tids = cc_xmalloc((size_t)threads * sizeof *tids);
	int started = 0;
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tids[started], NULL, worker, j) == 0)
			started++;
	worker(j);
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	free(tids);
	free(j->order);
}

/* ---- the emitter ----------------------------------------------------- */

typedef struct u32list { uint64_t hash; uint32_t first, n; } u32list;
typedef struct ruleset_ref { uint64_t hash; uint32_t off, size; } ruleset_ref;

typedef struct emit {
	cc_pool pool;
	cc_buf svcs, ops, shapes, shext, members, mext, cons, u32, params, rules, manifest;
	uint32_t nsvcs, nops, nshapes, nshext, nmembers, nmext, ncons, nu32, nparams, nmanifest;
	/* constraint dedup: hash -> index+1 */
	uint32_t *cons_map;
	uint64_t *cons_hash;
	size_t cons_slots;
	cc_buf docs_svc, docs_op, docs_mem; /* full docs, one str per record */
	ruleset_ref *rulesets;
	size_t nrulesets;
	u32list *u32_map;
	size_t u32_slots, u32_used;
	cc_buf diag;
	int failed;
	cc_buf policy;           /* POLICY section (emit_policy) */
	cc_buf partitions;       /* PARTITIONS section (cc_partitions.c) */
	cc_buf readmap;          /* READMAP section (cc_readmap.c) */
	char readmap_line[256];  /* coverage, printed once the file is written */
} emit;

#define REC_ADD(buf, cnt, rec) (cc_buf_put(&(buf), &(rec), sizeof(rec)), (cnt)++)

static uint32_t S(emit *e, const char *s)
{
	return cc_intern_cstr(&e->pool, s);
}

static uint32_t emit_cons(emit *e, const cc_cons *c)
{
	alc_cons r;
	memset(&r, 0, sizeof r);
	r.flags = c->flags;
	r.pattern = S(e, c->pattern);
	r.len_min = c->len_min;
	r.len_max = c->len_max;
	r.range_min = c->range_min;
	r.range_max = c->range_max;
	r.range_min_text = S(e, c->range_min_text);
	r.range_max_text = S(e, c->range_max_text);
	/* Identical constraints (length 1..256 and the like) are stored once. */
	uint64_t h = XXH3_64bits(&r, sizeof r);
	if (!e->cons_slots) {
		e->cons_slots = 1u << 14;
		e->cons_map = cc_xcalloc(e->cons_slots, sizeof *e->cons_map);
		e->cons_hash = cc_xcalloc(e->cons_slots, sizeof *e->cons_hash);
	}
	size_t mask = e->cons_slots - 1, i = (size_t)h & mask;
	const alc_cons *all = (const alc_cons *)e->cons.p;
	while (e->cons_map[i]) {
		uint32_t k = e->cons_map[i] - 1;
		if (e->cons_hash[i] == h && memcmp(&all[k], &r, sizeof r) == 0)
			return k;
		i = (i + 1) & mask;
	}
	uint32_t idx = e->ncons;
	REC_ADD(e->cons, e->ncons, r);
	e->cons_map[i] = idx + 1;
	e->cons_hash[i] = h;
	if (e->ncons * 2 > e->cons_slots) {
		size_t ns = e->cons_slots * 2;
		uint32_t *m2 = cc_xcalloc(ns, sizeof *m2);
		uint64_t *h2 = cc_xcalloc(ns, sizeof *h2);
		for (size_t s = 0; s < e->cons_slots; s++) {
			if (!e->cons_map[s])
				continue;
			size_t j = (size_t)e->cons_hash[s] & (ns - 1);
			while (m2[j])
				j = (j + 1) & (ns - 1);
			m2[j] = e->cons_map[s];
			h2[j] = e->cons_hash[s];
		}
		free(e->cons_map);
		free(e->cons_hash);
		e->cons_map = m2;
		e->cons_hash = h2;
		e->cons_slots = ns;
	}
	return idx;
}

static uint32_t ref_out(const cc_model *m, uint32_t base, int32_t ref)
{
	(void)m;
	if (ref >= 0)
		return base + (uint32_t)ref;
	if (ref <= -2)
		return (uint32_t)(-ref - 2); /* prelude shapes come first */
	return ALC_NONE;
}

static void emit_member(emit *e, const cc_model *m, uint32_t base, uint8_t owner_type,
                        const cc_member *mb)
{
	alc_member r;
	memset(&r, 0, sizeof r);
	r.name = S(e, mb->name);
	r.flags = mb->flags;
	r.summary = S(e, mb->summary);
	r.aux = ALC_NONE;
	if (owner_type == ALC_T_ENUM || owner_type == ALC_T_INTENUM) {
		r.target = ALC_NONE;
		r.aux = owner_type == ALC_T_ENUM ? S(e, mb->enum_value)
		                                 : (uint32_t)(int32_t)mb->enum_int;
		r.flags |= ALC_M_ENUM_VALUE;
	} else {
		r.target = ref_out(m, base, mb->target);
		if (mb->target >= 0 && (m->shapes[mb->target].flags & ALC_SH_SENSITIVE))
			r.flags |= ALC_M_SENSITIVE;
		if (mb->loc_name || mb->json_name || mb->xml_name || mb->ec2_name ||
		    mb->xml_ns_uri || mb->xml_ns_prefix || mb->default_json ||
		    mb->context_param || mb->ts_format || mb->has_cons) {
			alc_member_ext x;
			memset(&x, 0, sizeof x);
			x.loc_name = S(e, mb->loc_name);
			x.json_name = S(e, mb->json_name);
			x.xml_name = S(e, mb->xml_name);
			x.ec2_name = S(e, mb->ec2_name);
			x.xml_ns_uri = S(e, mb->xml_ns_uri);
			x.xml_ns_prefix = S(e, mb->xml_ns_prefix);
			x.default_json = S(e, mb->default_json);
			x.context_param = S(e, mb->context_param);
			x.ts_format = mb->ts_format;
			x.cons = mb->has_cons ? emit_cons(e, &mb->cons) : ALC_NONE;
			r.aux = e->nmext;
			r.flags |= ALC_M_HAS_EXT;
			REC_ADD(e->mext, e->nmext, x);
		}
	}
	REC_ADD(e->members, e->nmembers, r);
	uint32_t d = S(e, mb->doc);
	cc_buf_put(&e->docs_mem, &d, sizeof d);
}

/* The strings every lookup and the search index touch -- service names,
 * operation names, CLI names, then operation summaries -- go first in the
 * pool, contiguous, so that a lookup's key compare and the index build
 * stay within a few hundred KB of the file instead of all 12 MB. */
static void intern_hot(emit *e, cc_model *const *sel, size_t nsel)
{
	char buf[512];
	for (size_t i = 0; i < nsel; i++) {
		const cc_model *m = sel[i];
		S(e, m->key);
		S(e, m->sdk_id);
		S(e, cc_cli_service_name(m->sdk_id, buf, sizeof buf));
		S(e, m->endpoint_prefix);
		S(e, m->target_prefix);
		S(e, m->title);
	}
	for (size_t i = 0; i < nsel; i++) {
		const cc_model *m = sel[i];
		for (uint32_t k = 0; k < m->nops; k++) {
			S(e, m->ops[k].name);
			if (cc_cli_op_name(m->ops[k].name, buf, sizeof buf) < sizeof buf)
				S(e, buf);
		}
	}
	for (size_t i = 0; i < nsel; i++)
		for (uint32_t k = 0; k < sel[i]->nops; k++)
			S(e, sel[i]->ops[k].summary);
}

static void emit_prelude(emit *e)
{
	for (uint32_t i = 0; i < cc_prelude_count; i++) {
		alc_shape r;
		memset(&r, 0, sizeof r);
		r.name = S(e, strchr(cc_prelude_shapes[i].id, '#') + 1);
		r.type = cc_prelude_shapes[i].type;
		r.flags = cc_prelude_shapes[i].flags;
		r.first_member = e->nmembers;
		r.cons = ALC_NONE;
		alc_shape_ext x;
		memset(&x, 0, sizeof x);
		x.ns = S(e, "smithy.api");
		r.ext = e->nshext;
		REC_ADD(e->shext, e->nshext, x);
		REC_ADD(e->shapes, e->nshapes, r);
	}
}

static uint32_t emit_params(emit *e, const cc_param *p, uint32_t n)
{
	uint32_t first = e->nparams;
	for (uint32_t i = 0; i < n; i++) {
		alc_param r = { S(e, p[i].name), p[i].kind, S(e, p[i].value), S(e, p[i].doc) };
		REC_ADD(e->params, e->nparams, r);
	}
	return first;
}

/* Operations of a service mostly share one error list: identical lists
 * are stored once (keyed by content hash; the map is exact, not lossy). */
static uint32_t emit_u32_refs(emit *e, const cc_model *m, uint32_t base,
                              const int32_t *v, uint32_t n)
{
	if (!n)
		return e->nu32;
	uint32_t tmp[256], *list = n <= 256 ? tmp : cc_xmalloc(n * sizeof *list);
	for (uint32_t i = 0; i < n; i++)
		list[i] = ref_out(m, base, v[i]);
	uint64_t h = XXH3_64bits(list, n * sizeof *list);
	if (!e->u32_slots) {
		e->u32_slots = 1u << 12;
		e->u32_map = cc_xcalloc(e->u32_slots, sizeof *e->u32_map);
	}
	size_t mask = e->u32_slots - 1, i = (size_t)h & mask;
	const uint32_t *all = (const uint32_t *)e->u32.p;
	while (e->u32_map[i].n) {
		if (e->u32_map[i].hash == h && e->u32_map[i].n == n &&
		    memcmp(all + e->u32_map[i].first, list, n * sizeof *list) == 0) {
			if (list != tmp)
				free(list);
			return e->u32_map[i].first;
		}
		i = (i + 1) & mask;
	}
	uint32_t first = e->nu32;
	cc_buf_put(&e->u32, list, n * sizeof *list);
	e->nu32 += n;
	e->u32_map[i] = (u32list){ h, first, n };
	if (++e->u32_used * 2 > e->u32_slots) {
		size_t ns = e->u32_slots * 2;
		u32list *nm = cc_xcalloc(ns, sizeof *nm);
		for (size_t k = 0; k < e->u32_slots; k++) {
			if (!e->u32_map[k].n)
				continue;
			size_t j = (size_t)e->u32_map[k].hash & (ns - 1);
			while (nm[j].n)
				j = (j + 1) & (ns - 1);
			nm[j] = e->u32_map[k];
		}
		free(e->u32_map);
		e->u32_map = nm;
		e->u32_slots = ns;
	}
	if (list != tmp)
		free(list);
	return first;
}

/* Rule-set blobs already written, for sharing identical ones.  403 at
 * most: a linear scan over hashes is enough. */
static uint32_t find_rules(emit *e, size_t off, uint32_t size)
{
	uint64_t h = XXH3_64bits(e->rules.p + off, size);
	for (size_t i = 0; i < e->nrulesets; i++)
		if (e->rulesets[i].hash == h && e->rulesets[i].size == size &&
		    memcmp(e->rules.p + e->rulesets[i].off, e->rules.p + off, size) == 0)
			return e->rulesets[i].off;
	return ALC_NONE;
}

static void add_rules(emit *e, uint32_t off, uint32_t size)
{
	e->rulesets = cc_xrealloc(e->rulesets, (e->nrulesets + 1) * sizeof *e->rulesets);
	e->rulesets[e->nrulesets++] = (ruleset_ref){ XXH3_64bits(e->rules.p + off, size), off, size };
}

static void emit_model(emit *e, cc_model *m, uint32_t svc_index)
{
	uint32_t base = e->nshapes;
	size_t nslen = (size_t)(strchr(m->service_id, '#') - m->service_id);
	/* shapes, then their members, keeping each shape's members together */
	for (uint32_t i = 0; i < m->nshapes; i++) {
		cc_shape *s = &m->shapes[i];
		alc_shape r;
		memset(&r, 0, sizeof r);
		const char *hash = strchr(s->id, '#');
		r.name = S(e, hash + 1);
		r.type = s->type;
		r.ts_format = s->ts_format;
		r.http_error = s->http_error;
		r.flags = s->flags;
		r.first_member = e->nmembers;
		r.member_count = s->nmembers;
		r.cons = s->has_cons ? emit_cons(e, &s->cons) : ALC_NONE;
		r.ext = ALC_NONE;
		int own_ns = (size_t)(hash - s->id) == nslen && memcmp(s->id, m->service_id, nslen) == 0;
		if (!own_ns || s->xml_name || s->xml_ns_uri || s->xml_ns_prefix ||
		    s->error_code || s->media_type) {
			alc_shape_ext x;
			memset(&x, 0, sizeof x);
			x.ns = own_ns ? 0 : cc_intern(&e->pool, s->id, (size_t)(hash - s->id));
			x.xml_name = S(e, s->xml_name);
			x.xml_ns_uri = S(e, s->xml_ns_uri);
			x.xml_ns_prefix = S(e, s->xml_ns_prefix);
			x.error_code = S(e, s->error_code);
			x.media_type = S(e, s->media_type);
			r.ext = e->nshext;
			REC_ADD(e->shext, e->nshext, x);
		}
		s->out = e->nshapes;
		for (uint32_t k = 0; k < s->nmembers; k++)
			emit_member(e, m, base, s->type, &s->members[k]);
		REC_ADD(e->shapes, e->nshapes, r);
	}

	alc_service sv;
	memset(&sv, 0, sizeof sv);
	sv.key = S(e, m->key);
	sv.sdk_id = S(e, m->sdk_id);
	sv.shape_id = S(e, m->service_id);
	sv.version = S(e, m->version);
	sv.title = S(e, m->title);
	sv.summary = S(e, m->summary);
	uint32_t sdoc = S(e, m->doc);
	cc_buf_put(&e->docs_svc, &sdoc, sizeof sdoc);
	sv.signing_name = S(e, m->signing_name);
	sv.endpoint_prefix = S(e, m->endpoint_prefix);
	char cli[128];
	sv.cli_name = S(e, cc_cli_service_name(m->sdk_id, cli, sizeof cli));
	sv.arn_namespace = S(e, m->arn_namespace);
	sv.cfn_name = S(e, m->cfn_name);
	sv.xml_ns_uri = S(e, m->xml_ns_uri);
	sv.xml_ns_prefix = S(e, m->xml_ns_prefix);
	sv.target_prefix = S(e, m->target_prefix);
	sv.protocol = m->protocol;
	sv.flags = m->svc_flags;
	sv.first_op = e->nops;
	sv.op_count = m->nops;
	sv.first_param = emit_params(e, m->params, m->nparams);
	sv.param_count = m->nparams;
	sv.first_error = emit_u32_refs(e, m, base, m->errors, m->nerrors);
	sv.error_count = m->nerrors;
	sv.manifest = e->nmanifest;
	sv.namespace_ = cc_intern(&e->pool, m->service_id, nslen);
	sv.first_shape = base;
	sv.shape_count = m->nshapes;
	if (m->ruleset) {
		cc_buf_align(&e->rules, ALC_ALIGN);
		size_t before = e->rules.len;
		char jpath[600];
		snprintf(jpath, sizeof jpath,
		         "$.shapes['%s'].traits['smithy.rules#endpointRuleSet']", m->service_id);
		if (cc_rules_encode(m->ruleset, &e->pool, &e->rules, m->path, jpath,
		                    &e->diag) != 0) {
			e->failed = 1;
		} else {
			sv.rules_offset = (uint32_t)before;
			sv.rules_size = (uint32_t)(e->rules.len - before);
			/* Services sharing a rule set byte for byte share one
			 * copy (blobs are self-contained, offsets relative). */
			uint32_t prev = find_rules(e, before, sv.rules_size);
			if (prev != ALC_NONE) {
				e->rules.len = before;
				sv.rules_offset = prev;
			} else {
				add_rules(e, sv.rules_offset, sv.rules_size);
			}
		}
	}

	for (uint32_t i = 0; i < m->nops; i++) {
		const cc_op *op = &m->ops[i];
		alc_operation r;
		memset(&r, 0, sizeof r);
		r.name = S(e, op->name);
		char cop[512];
		size_t cl = cc_cli_op_name(op->name, cop, sizeof cop);
		r.cli_name = cl < sizeof cop ? S(e, cop) : 0;
		r.summary = S(e, op->summary);
		uint32_t odoc = S(e, op->doc);
		cc_buf_put(&e->docs_op, &odoc, sizeof odoc);
		r.service = svc_index;
		r.input = ref_out(m, base, op->input);
		r.output = ref_out(m, base, op->output);
		if (op->input == -2) r.input = ALC_NONE;   /* smithy.api#Unit */
		if (op->output == -2) r.output = ALC_NONE;
		r.first_error = emit_u32_refs(e, m, base, op->errors, op->nerrors);
		r.error_count = op->nerrors;
		r.http_method = S(e, op->http_method);
		r.http_uri = S(e, op->http_uri);
		r.http_code = op->http_code;
		r.host_prefix = S(e, op->host_prefix);
		r.flags = op->flags;
		r.idem_member = ALC_NONE;
		if (op->idem_member >= 0 && op->input >= 0)
			r.idem_member = ((const alc_shape *)e->shapes.p)[base + (uint32_t)op->input].first_member +
			                (uint32_t)op->idem_member;
		r.pg_input_token = S(e, op->pg_input_token);
		r.pg_output_token = S(e, op->pg_output_token);
		r.pg_items = S(e, op->pg_items);
		r.pg_page_size = S(e, op->pg_page_size);
		r.first_param = emit_params(e, op->params, op->nparams);
		r.param_count = op->nparams;
		r.checksum_member = S(e, op->checksum_member);
		REC_ADD(e->ops, e->nops, r);
	}

	alc_manifest mf;
	memset(&mf, 0, sizeof mf);
	mf.path = S(e, m->relpath);
	mf.service = svc_index;
	mf.size = m->size;
	mf.digest_lo = m->digest_lo;
	mf.digest_hi = m->digest_hi;
	mf.smithy_version = S(e, m->smithy_version);
	REC_ADD(e->manifest, e->nmanifest, mf);
	REC_ADD(e->svcs, e->nsvcs, sv);
}

/* ---- hash indexes ---------------------------------------------------- */

typedef struct ikey { uint32_t key; uint32_t value; uint32_t scope; } ikey;

/* Keys of IDX_OP and IDX_CLI are per service: the hash seed is offset
 * by the service index, and equal keys of different services coexist. */
static void build_index(emit *e, const ikey *keys, size_t n, cc_buf *out)
{
	uint32_t slots = 16;
	while ((uint64_t)slots * 7 < (uint64_t)(n + 1) * 10)
		slots *= 2;
	alc_index_slot *tab = cc_xmalloc(slots * sizeof *tab);
	for (uint32_t i = 0; i < slots; i++)
		tab[i] = (alc_index_slot){ 0, 0, 0, ALC_NONE };
	uint32_t used = 0;
	const char *strs = (const char *)e->pool.data.p;
	for (size_t i = 0; i < n; i++) {
		/* The slot keeps the record's own string; the hash is of its
		 * normalised form (see alc_format.h). */
		char k[ALC_KEY_MAX], other[ALC_KEY_MAX];
		const char *raw = strs + keys[i].key;
		size_t kl = alc_normalise(k, sizeof k, raw, strlen(raw));
		if (!kl)
			continue;
		uint64_t h = XXH3_64bits_withSeed(k, kl, ALC_INDEX_SEED + keys[i].scope);
		uint32_t j = (uint32_t)h & (slots - 1);
		int dup = 0;
		while (tab[j].value != ALC_NONE) {
			const char *o = strs + tab[j].key;
			if (tab[j].hash == (uint32_t)h && tab[j].scope == keys[i].scope &&
			    alc_normalise(other, sizeof other, o, strlen(o)) == kl &&
			    memcmp(other, k, kl) == 0) {
				dup = 1;
				break;
			}
			j = (j + 1) & (slots - 1);
		}
		if (dup)
			continue; /* the first (highest-priority) binding wins */
		tab[j] = (alc_index_slot){ (uint32_t)h, keys[i].scope, keys[i].key,
		                           keys[i].value };
		used++;
	}
	alc_index_header ih = { slots, used, ALC_INDEX_SEED };
	cc_buf_put(out, &ih, sizeof ih);
	cc_buf_put(out, tab, slots * sizeof *tab);
	free(tab);
}

static void build_indexes(emit *e, cc_buf *isvc, cc_buf *iop, cc_buf *icli)
{
	const alc_service *sv = (const alc_service *)e->svcs.p;
	const alc_operation *ops = (const alc_operation *)e->ops.p;
	/* Service names by priority: keys, sdk-ids, CLI names, shape names,
	 * endpoint prefixes -- an alias never shadows a canonical name. */
	ikey *k = cc_xmalloc((size_t)(e->nsvcs * 5 + 1) * sizeof *k);
	size_t n = 0;
	for (int pass = 0; pass < 5; pass++) {
		for (uint32_t i = 0; i < e->nsvcs; i++) {
			uint32_t f = pass == 0 ? sv[i].key : pass == 1 ? sv[i].sdk_id :
			             pass == 2 ? sv[i].cli_name : pass == 3 ? sv[i].target_prefix :
			             sv[i].endpoint_prefix;
			if (f)
				k[n++] = (ikey){ f, i, 0 };
		}
	}
	build_index(e, k, n, isvc);
	free(k);

	k = cc_xmalloc((size_t)(e->nops + 1) * sizeof *k);
	ikey *kc = cc_xmalloc((size_t)(e->nops + 1) * sizeof *kc);
	size_t nc = 0;
	n = 0;
	for (uint32_t i = 0; i < e->nops; i++) {
		if (ops[i].name)
			k[n++] = (ikey){ ops[i].name, i, ops[i].service };
		if (ops[i].cli_name)
			kc[nc++] = (ikey){ ops[i].cli_name, i, ops[i].service };
	}
	build_index(e, k, n, iop);
	build_index(e, kc, nc, icli);
	free(k);
	free(kc);
}

/* ---- policy ---------------------------------------------------------- */

/* The records emitted so far as a catalog (strings, services, operations,
 * shapes, members): what the policy and the read mappings are computed
 * from.  V's pointers move when the buffers grow. */
static void catalog_view(const emit *e, alc_catalog *v)
{
	memset(v, 0, sizeof *v);
	v->strs = (const char *)e->pool.data.p;
	v->strs_size = (uint32_t)e->pool.data.len;
	v->svcs = (const alc_service *)e->svcs.p;
	v->nsvcs = e->nsvcs;
	v->ops = (const alc_operation *)e->ops.p;
	v->nops = e->nops;
	v->shapes = (const alc_shape *)e->shapes.p;
	v->nshapes = e->nshapes;
	v->members = (const alc_member *)e->members.p;
	v->nmembers = e->nmembers;
}

/* Check and compile o->policy against the records emitted so far (a
 * catalog view without hash indexes), fill every operation's risk word and
 * e->policy.  Errors are printed; nothing is written after one. */
static int emit_policy(emit *e, const cc_build_opts *o)
{
	alc_catalog v;
	catalog_view(e, &v);
	cc_buf diag = { 0 };
	cc_policy *p = NULL;
	int rc = cc_policy_load(&p, o->policy, o->policy_name, &v, &diag);
	uint32_t *risk = cc_xcalloc(e->nops + 1, sizeof *risk);
	if (!rc)
		rc = cc_policy_emit(p, &v, &e->pool, &e->policy, risk, &diag);
	cc_buf_write(&diag, stderr);
	if (rc) {
		fprintf(stderr, "airlock-compile: %s: the policy has errors; nothing written\n",
		        o->policy);
	} else {
		alc_operation *ops = (alc_operation *)e->ops.p;
		for (uint32_t i = 0; i < e->nops; i++)
			ops[i].risk = risk[i];
		if (o->timings) {
			cc_policy_stats st;
			cc_policy_stats_get(p, &st);
			fprintf(stderr, "policy: %s: %u rules, %u conditions, %u stored patterns, "
			        "%u operation classes, %u operations with tags, %zu bytes\n",
			        o->policy, st.rules, st.conds, st.patterns, st.classes,
			        st.tagged_ops, st.section_bytes);
		}
	}
	free(risk);
	cc_buf_free(&diag);
	cc_policy_free(p);
	return rc;
}

/* ---- read mappings ---------------------------------------------------- */

/* Compute every operation's read mapping (cc_readmap.c) from the records
 * emitted so far and the models' resources; print the coverage line. */
static int emit_readmap(emit *e, const cc_build_opts *o, cc_model *const *sel, size_t nsel)
{
	alc_catalog v;
	catalog_view(e, &v);
	FILE *rep = NULL;
	if (o->readmap_report && !(rep = fopen(o->readmap_report, "w"))) {
		fprintf(stderr, "airlock-compile: %s: %s\n", o->readmap_report, strerror(errno));
		return AL_EIO;
	}
	uint32_t *words = cc_xcalloc(e->nops + 1, sizeof *words);
	cc_buf diag = { 0 };
	cc_readmap_stats st;
	double t0 = now_s();
	int rc = cc_readmap_emit(&v, sel, nsel, o->readmap_overrides,
	                         o->readmap_overrides_shipped, &e->pool,
	                         &e->readmap, words, &diag, rep, &st);
	cc_buf_write(&diag, stderr);
	cc_buf_free(&diag);
	if (rep && fclose(rep) != 0 && !rc) {
		fprintf(stderr, "airlock-compile: %s: %s\n", o->readmap_report, strerror(errno));
		rc = AL_EIO;
	}
	if (rc) {
		fprintf(stderr, "airlock-compile: %s: the read-mapping overrides have errors; "
		        "nothing written\n", o->readmap_overrides);
	} else {
		alc_operation *ops = (alc_operation *)e->ops.p;
		for (uint32_t i = 0; i < e->nops; i++)
			ops[i].readmap = words[i];
		snprintf(e->readmap_line, sizeof e->readmap_line, "readmap: %u of %u mutating operations mapped (%.1f%%): %u lifecycle, "
			       "%u verb/noun, %u overrides; %u entries, %zu bytes",
			       st.mapped, st.mutating,
			       st.mutating ? 100.0 * st.mapped / st.mutating : 100.0,
			       st.by_source[ALC_RM_LIFECYCLE], st.by_source[ALC_RM_VERBNOUN],
			       st.by_source[ALC_RM_OVERRIDE], st.entries, e->readmap.len);
		if (st.override_skipped) {
			size_t l = strlen(e->readmap_line);
			snprintf(e->readmap_line + l, sizeof e->readmap_line - l,
			         "; %u override lines skipped (services or operations these models lack)", st.override_skipped);
		}
		if (o->timings)
			fprintf(stderr, "readmap: %.1f ms\n", (now_s() - t0) * 1e3);
	}
	free(words);
	return rc;
}

/* ---- writing --------------------------------------------------------- */

typedef struct secsrc { uint32_t id, entsize, count; const cc_buf *b; } secsrc;

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *q = p;
	while (n) {
		ssize_t w = write(fd, q, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The catalog as the pieces of its file, in order: header, directory and
 * each section, with the zero padding between them.  The pieces point into
 * the emitter's buffers (and the indexes and DOCS built here), so the file
 * is written from them directly: no 25 MB image is zeroed, copied and
 * faulted in first. */
#define IMG_MAX_SECS 24
typedef struct piece { const uint8_t *p; size_t n; } piece;
typedef struct image {
	uint8_t hdr[sizeof(alc_header)];
	alc_section dir[IMG_MAX_SECS];
	cc_buf isvc, iop, icli, docs;
	piece pieces[2 * IMG_MAX_SECS + 3];
	size_t npieces;
	size_t len;               /* file size */
} image;

static const uint8_t zero_pad[ALC_ALIGN];

static void image_free(image *im)
{
	cc_buf_free(&im->isvc);
	cc_buf_free(&im->iop);
	cc_buf_free(&im->icli);
	cc_buf_free(&im->docs);
}

static void add_piece(image *im, const void *p, size_t n)
{
	if (n)
		im->pieces[im->npieces++] = (piece){ p, n };
}

static int write_atomic(const char *out, const image *im)
{
	size_t ol = strlen(out);
	char *tmp = cc_xmalloc(ol + 16);
	snprintf(tmp, ol + 16, "%s.tmp.XXXXXX", out);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "airlock-compile: %s: cannot create temporary file: %s\n", out, strerror(errno));
		free(tmp);
		return AL_EIO;
	}
	int rc = 0;
	int werr = 0;
	for (size_t i = 0; i < im->npieces && !werr; i++)
		werr = write_all(fd, im->pieces[i].p, im->pieces[i].n);
	if (werr || fsync(fd) != 0) {
		fprintf(stderr, "airlock-compile: %s: write failed: %s\n", tmp, strerror(errno));
		rc = AL_EIO;
	}
	if (fchmod(fd, 0644) != 0 && rc == 0)
		rc = AL_EIO;
	if (close(fd) != 0 && rc == 0) {
		fprintf(stderr, "airlock-compile: %s: close failed: %s\n", tmp, strerror(errno));
		rc = AL_EIO;
	}
	if (rc == 0 && rename(tmp, out) != 0) {
		fprintf(stderr, "airlock-compile: %s: rename failed: %s\n", out, strerror(errno));
		rc = AL_EIO;
	}
	if (rc != 0) {
		unlink(tmp);
	} else {
		/* Make the rename itself durable. */
		char *dir = cc_xstrndup(out, ol);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	return rc;
}

static void put_le_header(uint8_t *img, const alc_header *h)
{
	/* The header struct is written as is: the build refuses big-endian
	 * hosts (see cc_build), so host order is little-endian. */
	memcpy(img, h, sizeof *h);
}

static int assemble(emit *e, const cc_build_opts *o, const char *source,
                    const char *revision, image *im)
{
	cc_buf *isvc = &im->isvc, *iop = &im->iop, *icli = &im->icli, *docs = &im->docs;
	build_indexes(e, isvc, iop, icli);
	if (o->full_docs) {
		cc_buf_put(docs, e->docs_svc.p, e->docs_svc.len);
		cc_buf_put(docs, e->docs_op.p, e->docs_op.len);
		cc_buf_put(docs, e->docs_mem.p, e->docs_mem.len);
	}
	uint32_t compiler_version = S(e, "airlock-compile " AIRLOCK_VERSION);
	uint32_t src = S(e, source), rev = S(e, revision);
	cc_buf_align(&e->pool.data, 1); /* STRS ends with a NUL already */

	secsrc secs[] = {
		{ ALC_SEC_STRS, 1, (uint32_t)e->pool.data.len, &e->pool.data },
		{ ALC_SEC_SVCS, sizeof(alc_service), e->nsvcs, &e->svcs },
		{ ALC_SEC_OPS, sizeof(alc_operation), e->nops, &e->ops },
		{ ALC_SEC_SHAPES, sizeof(alc_shape), e->nshapes, &e->shapes },
		{ ALC_SEC_SHAPEXT, sizeof(alc_shape_ext), e->nshext, &e->shext },
		{ ALC_SEC_MEMBERS, sizeof(alc_member), e->nmembers, &e->members },
		{ ALC_SEC_MEMBEXT, sizeof(alc_member_ext), e->nmext, &e->mext },
		{ ALC_SEC_CONS, sizeof(alc_cons), e->ncons, &e->cons },
		{ ALC_SEC_U32, 4, e->nu32, &e->u32 },
		{ ALC_SEC_PARAMS, sizeof(alc_param), e->nparams, &e->params },
		{ ALC_SEC_RULES, 1, (uint32_t)e->rules.len, &e->rules },
		{ ALC_SEC_MANIFEST, sizeof(alc_manifest), e->nmanifest, &e->manifest },
		{ ALC_SEC_IDX_SVC, 1, (uint32_t)isvc->len, isvc },
		{ ALC_SEC_IDX_OP, 1, (uint32_t)iop->len, iop },
		{ ALC_SEC_IDX_CLI, 1, (uint32_t)icli->len, icli },
		{ ALC_SEC_PARTITIONS, 1, (uint32_t)e->partitions.len, &e->partitions },
		{ ALC_SEC_POLICY, 1, (uint32_t)e->policy.len, &e->policy },
		{ ALC_SEC_DOCS, 4, (uint32_t)(docs->len / 4), docs },
		{ ALC_SEC_READMAP, 4, (uint32_t)(e->readmap.len / 4), &e->readmap },
	};
	/* DOCS only exists in --docs full catalogs, POLICY with a policy,
	 * PARTITIONS with a partitions table. */
	uint32_t nsec = 0;
	for (uint32_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
		if ((secs[i].id != ALC_SEC_DOCS || o->full_docs) &&
		    (secs[i].id != ALC_SEC_POLICY || e->policy.len) &&
		    (secs[i].id != ALC_SEC_PARTITIONS || e->partitions.len))
			secs[nsec++] = secs[i];
	_Static_assert(sizeof secs / sizeof secs[0] <= IMG_MAX_SECS, "IMG_MAX_SECS");
	size_t dir_off = sizeof(alc_header);
	size_t off = dir_off + nsec * sizeof(alc_section);
	size_t dir_end = off;
	off = (off + ALC_ALIGN - 1) & ~(size_t)(ALC_ALIGN - 1);
	alc_section *dir = im->dir;
	for (uint32_t i = 0; i < nsec; i++) {
		dir[i] = (alc_section){ secs[i].id, secs[i].entsize, secs[i].count, 0,
		                        off, secs[i].b->len };
		off += secs[i].b->len;
		off = (off + ALC_ALIGN - 1) & ~(size_t)(ALC_ALIGN - 1);
	}
	if (off > 0xffffffffu) {
		fprintf(stderr, "airlock-compile: catalog would exceed 4 GiB\n");
		return AL_ETOOBIG;
	}
	/* header, directory, then each section followed by its padding */
	im->npieces = 0;
	add_piece(im, im->hdr, sizeof im->hdr);
	add_piece(im, dir, nsec * sizeof dir[0]);
	size_t at = dir_end;
	for (uint32_t i = 0; i < nsec; i++) {
		add_piece(im, zero_pad, dir[i].offset - at);
		add_piece(im, secs[i].b->p, secs[i].b->len);
		at = dir[i].offset + secs[i].b->len;
	}
	add_piece(im, zero_pad, off - at);
	im->len = off;

	alc_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, ALC_MAGIC, ALC_MAGIC_LEN);
	h.endian_tag = ALC_ENDIAN_TAG;
	h.write_version = ALC_WRITE_VERSION;
	h.read_version = ALC_READ_VERSION;
	h.header_size = sizeof h;
	h.file_size = off;
	h.dir_offset = (uint32_t)dir_off;
	h.section_count = nsec;
	h.flags = (o->full_docs ? ALC_F_FULL_DOCS : 0) |
	          (e->policy.len ? ALC_F_POLICY : 0);
	h.compiler_version = compiler_version;
	h.models_source = src;
	h.models_revision = rev;
	h.service_count = e->nsvcs;
	h.operation_count = e->nops;
	h.shape_count = e->nshapes;
	h.member_count = e->nmembers;
	put_le_header(im->hdr, &h);
	/* The checksum of bytes [ALC_CHECKSUM_FROM, end), piece by piece
	 * (streaming XXH3 gives the one-shot value). */
	XXH3_state_t st;
	XXH3_128bits_reset(&st);
	for (size_t i = 0; i < im->npieces; i++) {
		const uint8_t *p = im->pieces[i].p;
		size_t n = im->pieces[i].n;
		if (p == im->hdr) {
			p += ALC_CHECKSUM_FROM;
			n -= ALC_CHECKSUM_FROM;
		}
		XXH3_128bits_update(&st, p, n);
	}
	XXH128_hash_t ck = XXH3_128bits_digest(&st);
	h.checksum_lo = ck.low64;
	h.checksum_hi = ck.high64;
	put_le_header(im->hdr, &h);
	return 0;
}

/* ---- the build ------------------------------------------------------- */

static int cmp_model_key(const void *a, const void *b)
{
	const cc_model *x = *(cc_model *const *)a, *y = *(cc_model *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->relpath, y->relpath);
}

/* Does model M answer to NAME (any of its names, or its folder)? */
static int model_named(const cc_model *m, const char *name)
{
	char a[ALC_KEY_MAX], b[ALC_KEY_MAX], cli[128];
	size_t na = alc_normalise(a, sizeof a, name, strlen(name));
	const char *names[] = { m->key, m->sdk_id, m->endpoint_prefix,
	                        cc_cli_service_name(m->sdk_id, cli, sizeof cli) };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!names[i])
			continue;
		size_t nb = alc_normalise(b, sizeof b, names[i], strlen(names[i]));
		if (na && na == nb && memcmp(a, b, na) == 0)
			return 1;
	}
	const char *slash = strchr(m->relpath, '/');
	return slash && (size_t)(slash - m->relpath) == strlen(name) &&
	       strncmp(m->relpath, name, strlen(name)) == 0;
}

/* Read "commit <sha>" and the source line of a SOURCE file if present. */
static void read_source_file(const char *dir, char *src, size_t sc, char *rev, size_t rc)
{
	char *p = join(dir, "SOURCE");
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "commit ", 7) == 0 && !*rev)
			snprintf(rev, rc, "%.64s", line + 7 + strspn(line + 7, " "));
		else if (strstr(line, "aws/api-models-aws") && !*src)
			snprintf(src, sc, "aws/api-models-aws");
	}
	fclose(f);
	/* "commit X (date)": keep the hash only */
	rev[strcspn(rev, " ")] = '\0';
}

int cc_build(const cc_build_opts *o)
{
	double t0 = now_s();
	if (ALC_ENDIAN_TAG != 0x0a1b2c3du || *(const uint8_t *)&(uint32_t){ 1 } != 1) {
		fprintf(stderr, "airlock-compile: big-endian hosts are not supported\n");
		return AL_EUNSUPPORTED;
	}
	if (o->cli_names) {
		cc_buf d = { 0 };
		if (cc_names_load(o->cli_names, &d) != 0) {
			cc_buf_write(&d, stderr);
			cc_buf_free(&d);
			return AL_EINVAL;
		}
		cc_buf_free(&d);
	}
	char **paths = NULL, **rels = NULL;
	size_t n = 0;
	char source[512] = "", revision[128] = "";
	for (size_t i = 0; i < o->nmodels; i++) {
		size_t before = n;
		if (cc_find_models(o->models[i], &paths, &rels, &n) != 0) {
			fprintf(stderr, "airlock-compile: %s: no such models directory\n", o->models[i]);
			return AL_ENOENT;
		}
		if (n == before) {
			fprintf(stderr, "airlock-compile: %s: no model files (expected <sdk-id>/service/<version>/*.json or models/<sdk-id>/...)\n",
			        o->models[i]);
			return AL_ENOENT;
		}
		char s[256] = "", r[128] = "";
		read_source_file(o->models[i], s, sizeof s, r, sizeof r);
		if (!*revision && *r)
			snprintf(revision, sizeof revision, "%s", r);
		size_t sl = strlen(source);
		snprintf(source + sl, sizeof source - sl, "%s%s", sl ? ";" : "", *s ? s : o->models[i]);
		/* One source name per distinct value. */
	}
	if (o->source)
		snprintf(source, sizeof source, "%s", o->source);
	if (o->revision)
		snprintf(revision, sizeof revision, "%s", o->revision);

	/* A --services filter that names folders lets us skip parsing the
	 * rest; any other name (an alias) needs every model loaded. */
	char *want = NULL;
	size_t nwant = 0;
	char **wants = NULL;
	if (o->services) {
		want = cc_xstrndup(o->services, strlen(o->services));
		for (char *tok = strtok(want, ","); tok; tok = strtok(NULL, ",")) {
			wants = cc_xrealloc(wants, (nwant + 1) * sizeof *wants);
			wants[nwant++] = tok;
		}
		int all_folders = 1;
		for (size_t w = 0; w < nwant; w++) {
			int found = 0;
			for (size_t i = 0; i < n && !found; i++)
				found = strncmp(rels[i], wants[w], strlen(wants[w])) == 0 &&
				        rels[i][strlen(wants[w])] == '/';
			all_folders &= found;
		}
		if (all_folders) {
			size_t k = 0;
			for (size_t i = 0; i < n; i++) {
				int keep = 0;
				for (size_t w = 0; w < nwant && !keep; w++)
					keep = strncmp(rels[i], wants[w], strlen(wants[w])) == 0 &&
					       rels[i][strlen(wants[w])] == '/';
				if (keep) {
					paths[k] = paths[i];
					rels[k++] = rels[i];
				} else {
					free(paths[i]);
					free(rels[i]);
				}
			}
			n = k;
		}
	}

	cc_load_opts lo = { o->full_docs };
	cc_part_cache cache;
	cc_buf note = { 0 };
	cc_part_open(&cache, o->cache, o->no_cache, &lo, &note);
	cc_buf_write(&note, stderr);
	note.len = 0;
	job j;
	memset(&j, 0, sizeof j);
	j.paths = paths;
	j.rels = rels;
	j.n = n;
	j.models = cc_xcalloc(n ? n : 1, sizeof *j.models);
	j.cache = &cache;
	int threads = o->threads;
	if (threads <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (int)(c > 16 ? 16 : c) : 1;
	}
	double t1 = now_s();
	cc_model_install_hooks();
	load_all(&j, threads);
	if (atomic_load(&cache.unwritten)) {
		fprintf(stderr, "airlock-compile: note: %u parts could not be written to %s: %s\n",
		        atomic_load(&cache.unwritten), cache.dir,
		        strerror(atomic_load(&cache.write_errno)));
	}
	if (atomic_load(&cache.written))
		cc_part_prune(&cache, o->timings, &note);
	if (o->timings) {
		if (cache.dir)
			fprintf(stderr, "parts: %u reused, %u built, %u rejected, %u written (%s)\n",
			        atomic_load(&cache.reused), atomic_load(&cache.built),
			        atomic_load(&cache.rejected), atomic_load(&cache.written), cache.dir);
		else
			fprintf(stderr, "parts: none (%s)\n", o->no_cache ? "--no-cache" : "no cache");
		cc_buf_write(&note, stderr);
	}
	cc_buf_free(&note);
	cc_part_close(&cache);
	double t2 = now_s();

	int rc = 0;
	size_t nfailed = 0;
	for (size_t i = 0; i < n; i++) {
		if (j.models[i].failed) {
			if (!nfailed || o->keep_going)
				cc_buf_write(&j.models[i].diag, stderr);
			nfailed++;
		}
	}
	cc_model **sel = cc_xmalloc((n ? n : 1) * sizeof *sel);
	size_t nsel = 0;
	if (!nfailed) {
		for (size_t i = 0; i < n; i++) {
			int keep = !nwant;
			for (size_t w = 0; w < nwant && !keep; w++)
				keep = model_named(&j.models[i], wants[w]);
			if (keep)
				sel[nsel++] = &j.models[i];
		}
		for (size_t w = 0; w < nwant; w++) {
			int found = 0;
			for (size_t i = 0; i < n && !found; i++)
				found = model_named(&j.models[i], wants[w]);
			if (!found) {
				fprintf(stderr, "airlock-compile: --services: no model for \"%s\"\n", wants[w]);
				rc = AL_ENOTFOUND;
			}
		}
		qsort(sel, nsel, sizeof *sel, cmp_model_key);
		for (size_t i = 1; i < nsel; i++) {
			if (strcmp(sel[i - 1]->key, sel[i]->key) == 0) {
				fprintf(stderr, "%s: $.shapes['%s'].traits['aws.api#service'].sdkId: "
				        "duplicate service \"%s\" (also defined by %s)\n",
				        sel[i]->path, sel[i]->service_id, sel[i]->sdk_id, sel[i - 1]->path);
				rc = AL_EDUP;
			}
		}
		if (!nsel && !rc) {
			fprintf(stderr, "airlock-compile: no services selected\n");
			rc = AL_ENOTFOUND;
		}
	} else {
		fprintf(stderr, "airlock-compile: %zu of %zu model files have errors%s; nothing written\n",
		        nfailed, n, o->keep_going ? "" : " (first shown; --keep-going lists all)");
		rc = AL_EMODEL;
	}

	double t3 = t2, t4 = t2;
	if (!rc) {
		emit e;
		memset(&e, 0, sizeof e);
		cc_pool_init(&e.pool);
		size_t expect = 0;
		for (size_t i = 0; i < nsel; i++) {
			expect += sel[i]->nshapes + 4u * sel[i]->nops;
			for (uint32_t k = 0; k < sel[i]->nshapes; k++)
				expect += 2u * sel[i]->shapes[k].nmembers;
		}
		cc_pool_reserve(&e.pool, expect / 2); /* about half are repeats */
		intern_hot(&e, sel, nsel);
		emit_prelude(&e);
		for (size_t i = 0; i < nsel; i++)
			emit_model(&e, sel[i], (uint32_t)i);
		if (e.failed) {
			cc_buf_write(&e.diag, stderr);
			fprintf(stderr, "airlock-compile: endpoint rule sets have errors; nothing written\n");
			rc = AL_EMODEL;
		}
		if (!rc && o->partitions) {
			cc_buf d = { 0 };
			rc = cc_partitions_load(o->partitions, &e.pool, &e.partitions, &d);
			cc_buf_write(&d, stderr);
			cc_buf_free(&d);
			if (rc)
				fprintf(stderr, "airlock-compile: %s: the partitions table has "
				        "errors; nothing written\n", o->partitions);
		}
		if (!rc && o->policy)
			rc = emit_policy(&e, o);
		if (!rc)
			rc = emit_readmap(&e, o, sel, nsel);
		image *img = cc_xcalloc(1, sizeof *img);
		if (!rc)
			rc = assemble(&e, o, source, revision, img);
		t3 = now_s();
		if (!rc)
			rc = write_atomic(o->out, img);
		if (!rc)
			printf("%s\n", e.readmap_line);
		t4 = now_s();
		if (!rc && o->timings)
			fprintf(stderr, "catalog: %zu bytes, %u services, %u operations, %u shapes, %u members\n",
			        img->len, e.nsvcs, e.nops, e.nshapes, e.nmembers);
		image_free(img);
		free(img);
		cc_pool_free(&e.pool);
		cc_buf *bufs[] = { &e.docs_svc, &e.docs_op, &e.docs_mem,
		                   &e.svcs, &e.ops, &e.shapes, &e.shext, &e.members, &e.mext, &e.cons,
		                   &e.u32, &e.params, &e.rules, &e.manifest, &e.diag,
		                   &e.policy, &e.partitions, &e.readmap };
		for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
			cc_buf_free(bufs[i]);
		free(e.cons_map);
		free(e.cons_hash);
		free(e.u32_map);
		free(e.rulesets);
	}
	if (o->timings)
		fprintf(stderr, "timings: scan %.1f ms, load %.1f ms (%d threads), emit %.1f ms, write %.1f ms, total %.1f ms\n",
		        (t1 - t0) * 1e3, (t2 - t1) * 1e3, threads, (t3 - t2) * 1e3,
		        (t4 - t3) * 1e3, (t4 - t0) * 1e3);
	for (size_t i = 0; i < n; i++) {
		cc_model_free(&j.models[i]);
		free(paths[i]);
		free(rels[i]);
	}
	free(j.models);
	free(paths);
	free(rels);
	free(sel);
	free(want);
	free(wants);
	return rc;
}
