/*
 * cc_build.h -- `airlock-compile build`: find the model files, load them in
 * parallel (cc_model.c), merge them in a fixed order into the catalog
 * sections, and write the file atomically (cc_emit.c).
 */
#ifndef CC_BUILD_H
#define CC_BUILD_H

#include <stddef.h>

typedef struct cc_build_opts {
	const char **models;     /* model directories */
	size_t nmodels;
	const char *services;    /* comma-separated filter, or NULL for all */
	const char *out;         /* catalog path */
	const char *cli_names;   /* catalogs/cli-names.tsv */
	const char *policy;      /* YAML policy (cc_policy.c), NULL: none */
	const char *policy_name; /* its name in messages and in the catalog
	                            (NULL: the path) */
	const char *partitions;  /* catalogs/partitions.json (cc_partitions.c),
	                            NULL: no PARTITIONS section */
	const char *source;      /* models source name override, or NULL */
	const char *revision;    /* models revision override, or NULL */
	const char *readmap_overrides; /* catalogs/readmap-overrides.tsv, or NULL */
	int readmap_overrides_shipped; /* it is the file shipped with airlock:
	                                  lines naming operations the models
	                                  lack are skipped (cc_readmap.h) */
	const char *readmap_report; /* file listing unmapped mutating operations */
	int full_docs;
	int keep_going;
	int threads;             /* 0: one per online CPU */
	int timings;             /* print phase times on stderr */
	const char *cache;       /* --cache: parts root (cc_part.h), NULL: default */
	int no_cache;            /* --no-cache: parse every model, write no parts */
} cc_build_opts;

/* Returns 0, or a negative AL_* code after printing diagnostics. */
int cc_build(const cc_build_opts *o);

/* Model files found under DIR in either layout of aws/api-models-aws:
 * DIR/<sdk>/service/<version>/<file>.json or DIR/models/<sdk>/..., less
 * the repository's internal test services (cc_unpack_is_test_service),
 * as `sync` keeps them.  Paths are appended (malloc) to *paths / *rels,
 * sorted by relative path. */
int cc_find_models(const char *dir, char ***paths, char ***rels, size_t *n);
/* The same, counting in *TESTS (not NULL) the test services passed over
 * (`sync --from` reports them). */
int cc_find_models_ex(const char *dir, char ***paths, char ***rels, size_t *n,
                      size_t *tests);

#endif
