/*
 * rt_search.h -- ranked, deterministic, offline search over the catalog's
 * operations for natural-language queries ("list my s3 buckets", "delete a
 * cloudformation stack", "who am i").
 *
 * Owner: rt_search.c.  rt_search_open() only allocates the handle (the
 * runtime's cold start must stay within a few milliseconds); the in-memory
 * index (about 3.4 MB for the full AWS catalog, built in about 10 ms) is built
 * at the first rt_search_run(), or earlier by rt_search_build().  Queries
 * never allocate: callers pass the output array and the handle holds
 * fixed-size scratch, so a handle serves one thread at a time (use one
 * handle per thread; the catalog itself may be shared).
 *
 * Ranking (the algorithm is described at the top of rt_search.c): BM25-like
 * scores over operation-name words (CamelCase and acronyms split:
 * "DescribeDBInstances" -> describe db instances), summary words and service
 * names and aliases; light stemming, stopwords, verb synonyms (show/list ->
 * List|Describe, remove -> Delete, launch -> Run|Create|Start, ...), a
 * bonus when the query's verb is the operation's verb, a bonus for names
 * whose every word the query covers, a penalty for deprecated operations.
 * Results are deterministic: the same catalog and query give the same hits
 * in the same order on every run and host (ties broken by op index).
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

/* Longest query considered: bytes beyond are ignored, as are words beyond
 * RT_SEARCH_MAX_WORDS (this bounds the work of a query). */
#define RT_SEARCH_MAX_QUERY 1024
#define RT_SEARCH_MAX_WORDS 32

typedef struct rt_search_hit {
	uint32_t op;             /* OPS index */
	float score;             /* higher is better; ties broken by op index */
} rt_search_hit;

/* Build the search structures for CAT (which must outlive S).  Returns 0 or
 * AL_ENOMEM. */
int rt_search_open(rt_search **s, const alc_catalog *cat);
void rt_search_close(rt_search *s);

/* Build the index now if it is not built yet (a server may call this off
 * the critical path, a benchmark to time it).  Returns 0 or AL_ENOMEM; after
 * a failure rt_search_run() returns no hits and the next call retries. */
int rt_search_build(rt_search *s);

/* Bytes held by S (handle, index and scratch); 0 before the build. */
size_t rt_search_footprint(const rt_search *s);

/* Up to CAP best hits, best first, into HITS; returns the count.  Only
 * operations of Q->service (when not NULL) and of the access class Q->access
 * (see rt_op_is_read) are returned.  A query without any usable word (empty,
 * only stopwords, only punctuation or non-ASCII) returns nothing, except
 * with a service filter, where it returns that service's operations in
 * catalog order with score 0.  Text is matched as ASCII, case-insensitively;
 * other bytes separate words. */
size_t rt_search_run(rt_search *s, const rt_search_query *q,
                     rt_search_hit *hits, size_t cap);

/* The one definition of a "read" operation, used by search's access filter
 * and by the rest of airlock (policy, tool annotations): an operation is read
 * when it carries the Smithy readonly trait (ALC_OP_READONLY), or when its
 * name's first CamelCase word is Get, List, Describe, Head, Search, Query,
 * Scan or Lookup, or its first two words are Batch followed by Get, List or
 * Describe ("BatchGetItem").  A word matches only whole: "Getaway..." or
 * "Listener..." would not.  Every other operation is "write"
 * (RT_ACCESS_WRITE).  The name rule errs towards read for a few Get
 * operations that mint credentials (sts:GetSessionToken); policy decides
 * about those by name, not by this class. */
int rt_op_is_read(const alc_catalog *cat, const alc_operation *op);

#endif
