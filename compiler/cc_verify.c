/*
 * cc_verify.c -- `airlock-compile verify FILE`.
 *
 * alc_open already proves a catalog safe to read (every offset and index in
 * range).  verify adds what alc_open leaves out to stay within its time
 * budget, i.e. that the catalog is also *right*:
 *
 *   - reserved header fields are zero;
 *   - every used index slot: the stored hash is XXH3-64 of the stored key
 *     under the index seed, the key is normalised and short enough to be
 *     looked up, and a probe for the key lands on this very slot (so it is
 *     reachable and not shadowed by a duplicate);
 *   - IDX_SVC keys are names of the service they point to; IDX_OP keys are
 *     the lower-case name of their operation, IDX_CLI keys its CLI name,
 *     hashed with the seed plus the operation's service index;
 *   - every service is found by its key and by each of its aliases, every
 *     operation by its Smithy name and, when it has one, its CLI name;
 *   - SVCS is sorted by key.
 *
 * Work: one pass over each table and each index; each key costs one probe
 * sequence, expected O(1) at load factor <= 1/2 (a hostile file can make
 * clusters long, but never longer than slot_count).
 */
#include "cc_inspect.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_reader.h"

static int vfail(alc_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int vfail(alc_diag *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return AL_ECORRUPT;
}

/* Reserved header fields are zero (reserved0 is checked at open). */
static int verify_reserved(const alc_catalog *c, alc_diag *d)
{
	const alc_header *h = c->hdr;
	for (size_t i = 0; i < sizeof h->reserved2; i++)
		if (h->reserved2[i])
			return vfail(d, "header.reserved2[%zu]: %02x, expected 0",
			             i, h->reserved2[i]);
	if (h->reserved1)
		return vfail(d, "header.reserved1: not zero");
	return 0;
}

/* Normalise a C string of the pool; 0 when empty or too long. */
static size_t norm_str(char *out, const char *s)
{
	return alc_normalise(out, ALC_KEY_MAX, s, strlen(s));
}

/* The part of a shape id after '#'. */
static const char *shape_name(const char *id)
{
	const char *h = strchr(id, '#');
	return h ? h + 1 : id;
}

enum idx_kind { IDX_SVC, IDX_OP, IDX_CLI };

/* The seed a slot was hashed with: operation keys are scoped by service. */
static uint64_t slot_seed(const alc_catalog *c, const alc_index_header *ih,
                          enum idx_kind k, uint32_t val)
{
	return k == IDX_SVC ? ih->seed : ih->seed + c->ops[val].service;
}

/* Does KEY (from the index of kind K) name record VAL? */
static int key_names(const alc_catalog *c, enum idx_kind k, const char *key,
                     uint32_t val, alc_diag *d, const char *iname,
                     uint32_t slot)
{
	char a[ALC_KEY_MAX];

	if (k == IDX_SVC) {
		const alc_service *s = &c->svcs[val];
		const char *names[] = {
			alc_str(c, s->key), alc_str(c, s->sdk_id),
			alc_str(c, s->endpoint_prefix), alc_str(c, s->cli_name),
			alc_str(c, s->target_prefix),
			shape_name(alc_str(c, s->shape_id)),
		};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (norm_str(a, names[i]) && strcmp(a, key) == 0)
				return 0;
		return vfail(d, "%s slot %u: key \"%s\" is not a name of "
		             "SVCS[%u] (%s)", iname, slot, key, val,
		             alc_str(c, s->key));
	}
	const alc_operation *op = &c->ops[val];
	const char *name = alc_str(c, k == IDX_OP ? op->name : op->cli_name);
	if (!norm_str(a, name) || strcmp(a, key) != 0)
		return vfail(d, "%s slot %u: key \"%s\" points at OPS[%u] (%s:%s)",
		             iname, slot, key, val,
		             alc_str(c, c->svcs[op->service].key), name);
	return 0;
}

static int verify_index(const alc_catalog *c, const alc_index_header *ih,
                        enum idx_kind k, const char *iname, alc_diag *d)
{
	const alc_index_slot *sl = (const alc_index_slot *)(ih + 1);
	uint32_t mask = ih->slot_count - 1;
	char tmp[ALC_KEY_MAX];

	for (uint32_t i = 0; i < ih->slot_count; i++) {
		if (sl[i].value == ALC_NONE)
			continue;
		/* Stored keys are the records' own strings ("CloudWatch Logs",
		 * "CreateStack"); the hash is of their normalised form. */
		const char *stored = alc_str(c, sl[i].key);
		size_t len = alc_normalise(tmp, sizeof tmp, stored, strlen(stored));
		if (!len)
			return vfail(d, "%s slot %u: key \"%s\" empty or longer than %u bytes",
			             iname, i, stored, ALC_KEY_MAX - 1);
		const char *key = tmp;
		uint64_t seed = slot_seed(c, ih, k, sl[i].value);
		uint64_t h = XXH3_64bits_withSeed(key, len, seed);
		if ((uint32_t)h != sl[i].hash)
			return vfail(d, "%s slot %u: stored hash %08x, key "
			             "\"%s\" hashes to %08x", iname, i,
			             sl[i].hash, key, (uint32_t)h);
		/* The probe for this key must end here: not behind an empty
		 * slot, not shadowed by an earlier slot with the same key (in
		 * the same service, for operation indexes). */
		uint32_t home = (uint32_t)h & mask;
		for (uint32_t j = home; j != i; j = (j + 1) & mask) {
			if (sl[j].value == ALC_NONE)
				return vfail(d, "%s slot %u: key \"%s\" unreachable "
				             "(empty slot %u between its home slot "
				             "%u and it)", iname, i, key, j, home);
			char other[ALC_KEY_MAX];
			if (sl[j].hash == (uint32_t)h &&
			    slot_seed(c, ih, k, sl[j].value) == seed &&
			    norm_str(other, alc_str(c, sl[j].key)) == len &&
			    memcmp(other, key, len) == 0)
				return vfail(d, "%s slot %u: key \"%s\" duplicated "
				             "in slot %u", iname, i, key, j);
		}
		if (k != IDX_SVC && sl[i].scope != c->ops[sl[i].value].service)
			return vfail(d, "%s slot %u: scope %u, but OPS[%u] belongs to "
			             "service %u", iname, i, sl[i].scope, sl[i].value,
			             c->ops[sl[i].value].service);
		int rc = key_names(c, k, key, sl[i].value, d, iname, i);
		if (rc)
			return rc;
	}
	return 0;
}

static int verify_reach(const alc_catalog *c, alc_diag *d)
{
	char a[ALC_KEY_MAX];

	for (uint32_t i = 0; i < c->nsvcs; i++) {
		const alc_service *s = &c->svcs[i];
		const char *sk = alc_str(c, s->key);
		if (alc_find_service(c, sk, strlen(sk)) != s)
			return vfail(d, "SVCS[%u] (%s): not found by its key", i,
			             sk);
		/* Aliases may be claimed by another service's higher-priority
		 * name, but each must lead somewhere. */
		const char *alias[] = {
			alc_str(c, s->sdk_id), alc_str(c, s->endpoint_prefix),
			alc_str(c, s->cli_name),
		};
		for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++)
			if (*alias[k] && strlen(alias[k]) < ALC_KEY_MAX &&
			    !alc_find_service(c, alias[k], strlen(alias[k])))
				return vfail(d, "SVCS[%u] (%s): alias \"%s\" not in "
				             "IDX_SVC", i, sk, alias[k]);
	}
	for (uint32_t i = 0; i < c->nops; i++) {
		const alc_operation *op = &c->ops[i];
		const alc_service *s = &c->svcs[op->service];
		const char *sk = alc_str(c, s->key), *on = alc_str(c, op->name);
		if (!norm_str(a, on))
			return vfail(d, "OPS[%u] (%s:%s): name empty or too long",
			             i, sk, on);
		if (alc_index_lookup_op(c, c->idx_op, op->service, a,
		                        strlen(a)) != i)
			return vfail(d, "OPS[%u] (%s:%s): \"%s\" not in IDX_OP", i,
			             sk, on, a);
		if (alc_find_operation(c, sk, strlen(sk), on, strlen(on)) != op)
			return vfail(d, "OPS[%u]: alc_find_operation(\"%s\", "
			             "\"%s\") does not find it", i, sk, on);
		const char *cli = alc_str(c, op->cli_name);
		if (!norm_str(a, cli))
			continue;       /* no CLI name: nothing to reach */
		if (alc_index_lookup_op(c, c->idx_cli, op->service, a,
		                        strlen(a)) != i)
			return vfail(d, "OPS[%u] (%s:%s): \"%s\" not in IDX_CLI", i,
			             sk, on, a);
	}
	return 0;
}

static int verify_order(const alc_catalog *c, alc_diag *d)
{
	for (uint32_t i = 1; i < c->nsvcs; i++) {
		const char *prev = alc_str(c, c->svcs[i - 1].key);
		const char *sk = alc_str(c, c->svcs[i].key);
		if (strcmp(prev, sk) >= 0)
			return vfail(d, "SVCS[%u].key: \"%s\" not after \"%s\" "
			             "(SVCS is sorted by key)", i, sk, prev);
	}
	return 0;
}

int cc_verify_catalog(const alc_catalog *c, alc_diag *d)
{
	int rc;
	if ((rc = verify_reserved(c, d)) || (rc = verify_order(c, d)) ||
	    (rc = verify_index(c, c->idx_svc, IDX_SVC, "IDX_SVC", d)) ||
	    (rc = verify_index(c, c->idx_op, IDX_OP, "IDX_OP", d)) ||
	    (rc = verify_index(c, c->idx_cli, IDX_CLI, "IDX_CLI", d)) ||
	    (rc = verify_reach(c, d)))
		return rc;
	return 0;
}

int cc_cmd_verify(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: airlock-compile verify FILE.alc\n");
		return 2;
	}
	const char *path = argv[1];
	alc_catalog c;
	alc_diag d = { "" };
	int rc = alc_open(&c, path, &d);
	if (rc == 0) {
		rc = cc_verify_catalog(&c, &d);
		if (rc == 0)
			printf("%s: ok (%u services, %u operations, %u shapes, "
			       "%zu bytes)\n", path, c.nsvcs, c.nops, c.nshapes,
			       c.size);
		alc_close(&c);
	}
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", path, al_strerror(rc), d.msg);
		return 1;
	}
	return 0;
}
