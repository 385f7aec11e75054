/*
 * rt_search.h -- ranked, deterministic, offline search over the catalog's
 * operations for natural-language queries ("list my s3 buckets", "delete a
 * cloudformation stack", "who am i").
 *
 * Owner: rt_search.c.  The search index is built from the mapped catalog at
 * rt_search_open() (or lazily at the first query) and never allocates per
 * query: callers pass the output array.
 */
#ifndef RT_SEARCH_H
#define RT_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"

typedef struct rt_search rt_search;   /* opaque; owned by the caller */

enum rt_access { RT_ACCESS_ANY = 0, RT_ACCESS_READ = 1, RT_ACCESS_WRITE = 2 };

typedef struct rt_search_query {
	const char *text;        /* the query, UTF-8 */
	size_t len;
	const alc_service *service; /* restrict to one service, or NULL */
	int access;              /* enum rt_access */
} rt_search_query;

typedef struct rt_search_hit {
	uint32_t op;             /* OPS index */
	float score;             /* higher is better; ties broken by op index */
} rt_search_hit;

/* Build the search structures for CAT (which must outlive S).  Returns 0 or
 * AL_ENOMEM. */
int rt_search_open(rt_search **s, const alc_catalog *cat);
void rt_search_close(rt_search *s);

/* Up to CAP best hits, best first, into HITS; returns the count. */
size_t rt_search_run(rt_search *s, const rt_search_query *q,
                     rt_search_hit *hits, size_t cap);

#endif
