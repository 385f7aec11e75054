/*
 * cc_policy.h -- the policy compiler: a YAML policy file (policy/README.md)
 * checked against a catalog and compiled into the POLICY section and the
 * operations' risk fields (formats/alc_policy.h).
 *
 * Two steps, so that a policy can be checked against a catalog that is
 * only being built (the compiler's view over its emit buffers, which has
 * no hash indexes) as well as against an opened one:
 *
 *   cc_policy_load   parse, check and resolve.  Every problem is reported
 *                    as "FILE:LINE:COLUMN: error: MESSAGE" lines in DIAG
 *                    (all of them, up to a cap), and the call fails;
 *   cc_policy_emit   write the section (strings interned into POOL) and
 *                    one risk word per operation.
 *
 * CAT is read through its records only (strs, svcs, ops, shapes, members);
 * its string pointer must stay valid during load, and POOL must be the
 * pool CAT's strings come from during emit (strings are interned last, so
 * CAT is not read after the pool may have moved).
 *
 * Ownership: a cc_policy owns everything it holds (its PCRE2 codes too)
 * until cc_policy_free.  Not thread-safe.
 */
#ifndef CC_POLICY_H
#define CC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"
#include "cc_util.h"

typedef struct cc_policy cc_policy;

/* Parse PATH (DISPLAY names it in messages and in the catalog; NULL: PATH)
 * and resolve it against CAT.  Returns 0 and *OUT, or AL_EPOLICY (errors
 * in DIAG), AL_ENOENT / AL_EIO (message in DIAG), AL_ENOMEM. */
int cc_policy_load(cc_policy **out, const char *path, const char *display,
                   const alc_catalog *cat, cc_buf *diag);

/* The same from a buffer (tests, fuzzing). */
int cc_policy_load_mem(cc_policy **out, const char *text, size_t len,
                       const char *display, const alc_catalog *cat,
                       cc_buf *diag);

/* Append the POLICY section to SECTION (which must be empty) and fill
 * RISK[0..cat->nops) with each operation's risk word.  Returns 0 or
 * AL_ETOOBIG (more than 65535 operation classes). */
int cc_policy_emit(cc_policy *p, const alc_catalog *cat, cc_pool *pool,
                   cc_buf *section, uint32_t *risk, cc_buf *diag);

/* Counts for `build --timings` and tests (filled by cc_policy_emit). */
typedef struct cc_policy_stats {
	uint32_t rules, conds, patterns, classes, tagged_ops;
	size_t section_bytes;
} cc_policy_stats;
void cc_policy_stats_get(const cc_policy *p, cc_policy_stats *st);

void cc_policy_free(cc_policy *p);

/* `airlock-compile policy check --catalog FILE.alc POLICY.yaml`: the same
 * checks as `build --policy`, against an existing catalog.  Exit status 0
 * (valid), 1 (errors printed), 2 (usage). */
int cc_cmd_policy(int argc, char **argv);

/* Where the default policy is: $AIRLOCK_POLICY_DEFAULT, SOURCE_DIR
 * /policy/default.yaml, then ../share/airlock/default.yaml beside the
 * running binary.  NULL when none is readable. */
const char *cc_policy_default_path(const char *source_dir);

#endif
