/*
 * plans_tamper.c -- edits the state database behind airlock's back, for
 * the tests that must show such edits are caught (a test tool only):
 *
 *   plans_tamper HOME plan ID FIND REPLACE    bytes of a plan record
 *   plans_tamper HOME audit SEQ FIND REPLACE  bytes of an audit record
 *
 * FIND and REPLACE have the same length; the first FIND is replaced.
 * Exit 0 when the record was changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_plan.h"
#include "rt_store.h"

typedef struct edit {
	int db;
	unsigned char key[16];
	size_t klen;
	const char *find, *repl;
	int done;
} edit;

static int edit_txn(rt_txn *t, void *vc)
{
	edit *e = vc;
	rt_slice v;
	int rc = rt_store_get(t, e->db, e->key, e->klen, &v);
	if (rc)
		return rc;
	size_t fl = strlen(e->find);
	char *c = malloc(v.n);
	if (!c)
		return -1;
	memcpy(c, v.p, v.n);
	for (size_t i = 0; i + fl <= v.n; i++)
		if (memcmp(c + i, e->find, fl) == 0) {
			memcpy(c + i, e->repl, fl);
			e->done = 1;
			break;
		}
	rc = e->done ? rt_store_put(t, e->db, e->key, e->klen, c, v.n, 0) : 0;
	free(c);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 6 || strlen(argv[4]) != strlen(argv[5])) {
		fprintf(stderr, "usage: plans_tamper HOME plan ID|audit SEQ FIND REPLACE (same length)\n");
		return 2;
	}
	edit e = { 0, { 0 }, 0, argv[4], argv[5], 0 };
	if (strcmp(argv[2], "plan") == 0) {
		rt_id id;
		if (rt_id_parse(argv[3], &id) != 0)
			return 2;
		e.db = RT_DB_PLANS;
		memcpy(e.key, id.b, 16);
		e.klen = 16;
	} else {
		e.db = RT_DB_AUDIT;
		rt_be64(e.key, strtoull(argv[3], NULL, 10));
		e.klen = 8;
	}
	rt_store *s;
	char err[512];
	if (rt_store_open(&s, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "plans_tamper: %s\n", err);
		return 1;
	}
	int rc = rt_store_update(s, edit_txn, &e);
	rt_store_close(s);
	if (rc || !e.done) {
		fprintf(stderr, "plans_tamper: nothing changed (%d)\n", rc);
		return 1;
	}
	return 0;
}
