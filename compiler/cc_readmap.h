/*
 * cc_readmap.h -- the read mappings of a catalog (READMAP, alc_format.h):
 * for each mutating operation, the read operation that shows the state it
 * changes, with the identifier members mapped and where that state sits in
 * the read's output.  Used by the Diff of Plan -> Diff -> Approve -> Apply.
 *
 * Rules, in order, the first that gives a valid mapping wins; the
 * overrides file is applied last and wins over both:
 *   1. lifecycle: an operation bound to a Smithy resource's lifecycle
 *      (create, put, update, delete) maps to the resource's read, else its
 *      list, identifiers matched by name or by @resourceIdentifier; an
 *      instance or collection operation tries rule 2 first (parents list
 *      their children's operations) and its resource after;
 *   2. verb and noun: UpdateStack -> DescribeStacks, PutBucketPolicy ->
 *      GetBucketPolicy, AttachRolePolicy -> ListAttachedRolePolicies
 *      (cc_readmap.c lists the verbs and the read names tried);
 *   3. catalogs/readmap-overrides.tsv (format in that file's header).
 * A candidate is taken only when every required member of the read's
 * input is filled from the mutating input, and at least one member is
 * (or the read takes no input at all).
 *
 * Ownership: cc_readmap_emit reads the catalog view V (records emitted so
 * far, no indexes) and the models in service order; it appends the READMAP
 * words to OUT, writes each operation's word into WORDS (e->nops entries,
 * ALC_NONE when unmapped) and interns new strings (state paths, constants)
 * into POOL only after it is done reading V (V->strs points into POOL).
 */
#ifndef CC_READMAP_H
#define CC_READMAP_H

#include <stdio.h>

#include "alc_reader.h"
#include "cc_model.h"
#include "cc_util.h"

typedef struct cc_readmap_stats {
	uint32_t mutating;        /* operations that are not reads */
	uint32_t mapped;          /* ... with a mapping */
	uint32_t by_source[4];    /* indexed by ALC_RM_LIFECYCLE..OVERRIDE */
	uint32_t override_lines;  /* mapping lines applied from the overrides */
	uint32_t override_skipped;/* lines naming a service the catalog lacks
	                             (or, SHIPPED, an operation) */
	uint32_t entries;         /* distinct READMAP entries */
} cc_readmap_stats;

/* OVERRIDES: the overrides file, or NULL for none (lines naming a service
 * the catalog does not hold are skipped and counted).  SHIPPED: it is the
 * file that comes with airlock, written against the pinned models: a line
 * naming an operation the models at hand lack (another revision, the
 * protocol tests' reduced S3) is skipped and counted too, where a file of
 * the user's own fails the build (tests/readmap checks every shipped line
 * against the full corpus, so a typo there does not go unnoticed).  REPORT:
 * when not NULL, receives one "service<TAB>operation" line per mutating
 * operation without a mapping.  Returns 0, or AL_EINVAL after writing
 * "file:line: message" lines to DIAG for a bad overrides file. */
int cc_readmap_emit(const alc_catalog *v, cc_model *const *models, size_t nmodels,
                    const char *overrides, int shipped, cc_pool *pool,
                    cc_buf *out, uint32_t *words, cc_buf *diag, FILE *report,
                    cc_readmap_stats *st);

/* Parse and check overrides text BUF[0..LEN) (named NAME in messages)
 * against catalog V without applying it: 0, or AL_EINVAL with
 * "NAME:LINE: message" lines in DIAG.  For the fuzz target. */
int cc_readmap_check_overrides(const alc_catalog *v, const char *buf, size_t len,
                               const char *name, cc_buf *diag);

#endif
