/*
 * cc_diff.h -- `airlock-compile diff OLD.alc NEW.alc`: what a new catalog
 * changes, for the people (and the CI job) reviewing it.
 *
 * Both catalogs are opened with the deep-validating reader; the comparison
 * then walks them by name, never by record index (indexes differ between
 * any two builds):
 *
 *   catalog     models source and revision, compiler, policy (file,
 *               digest, defaults, allowed accounts and regions,
 *               environments), the partitions table (digest)
 *   service     added / removed (by canonical key); version, protocol,
 *               signing name, endpoint prefix, auth, endpoint rule set and
 *               model file (digests)
 *   operation   added / removed; HTTP binding, pagination, idempotency
 *               token, deprecation; read mapping (the read that shows what
 *               it changes, alc_op_readmap); errors added / removed (by
 *               shape name); the policy's outcome (risk, access, decision,
 *               deciding rule, approvals, required tags)
 * The rule set and partitions digests are of their content with every
 * string resolved (XXH3-128): their records hold offsets into the
 * catalog's own string pool, which differ between any two builds.
 *   shapes      the input and the output of every operation present in
 *               both, compared structurally and recursively: members added
 *               or removed, required, default, sensitive, type, length /
 *               range / pattern (member traits override the target's, as
 *               in Smithy), enum values added or removed.  Paths read
 *               "input.TagSpecifications[].Tags[].Key": "[]" is a list's
 *               element, "{}" a map's value, "{key}" a map's key.
 *
 * Each pair of shapes (old, new) is expanded once per operation side (a
 * visited set: recursive shapes terminate; a shape used twice reports at
 * the first path reached), and a pair found equal with no dependence on a
 * pair still being compared is remembered for the whole run, so the full
 * corpus against itself costs one walk of each distinct shape pair.
 *
 * The policy outcome is the one a person reviewing the policy cares about,
 * decided statically as the compiler resolved it (alc_policy.h): the risk
 * level, read or write, the decision with no environment known (allow,
 * require_approval, deny, or "conditional" when rules depend on the call's
 * input or context), the deciding rule (or the candidate rules when
 * conditional), the approvals it needs (approvers and TTL) and the
 * required tag keys.  A change of conditions inside a rule shows as the
 * policy digest changing.
 *
 * JSON (--json), schema "airlock-catalog-diff/1", stable: new keys may be
 * added, none removed or changed in meaning.
 *   { "schema": "airlock-catalog-diff/1",
 *     "old": {"file": F, "checksum": HEX32}, "new": {...},
 *     "shapes_compared": ["input", "output"],
 *     "changes": [ {"kind": K, "service": S|null, "operation": O|null,
 *                   "path": P|null, "old": V|null, "new": V|null}, ... ],
 *     "summary": {"changes": N,
 *                 "services": {"added": N, "removed": N, "changed": N},
 *                 "operations": {"added": N, "removed": N, "changed": N},
 *                 "kinds": {K: N, ...}} }
 * K is one of the names of enum cc_diff_kind below ("member.added", ...);
 * V is a string.  P is a shape path for shape changes, NULL for added /
 * removed services and operations, errors and policy changes, else the
 * fact's name:
 *   catalog.changed    models-source models-revision compiler policy
 *                      policy-digest policy-defaults policy-allowed-accounts
 *                      policy-allowed-regions policy-environments
 *                      partitions-digest
 *   service.changed    version protocol signing-name endpoint-prefix auth
 *                      endpoint-rules model
 *   operation.changed  http pagination idempotency-token deprecated
 *                      read-mapping  Changes come grouped: catalog facts, then services by
 * key, within a service its own facts then operations by name, within an
 * operation its facts, policy, input, output.
 *
 * Ownership: a cc_diff owns its changes and their path/old/new strings;
 * service and operation names point into the catalogs, which must outlive
 * it.  Allocation failure is fatal (cc_oom), as everywhere in the compiler.
 */
#ifndef CC_DIFF_H
#define CC_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alc_reader.h"

#define CC_DIFF_KINDS(X) \
	X(CC_DK_CATALOG,          "catalog.changed") \
	X(CC_DK_SERVICE_ADDED,    "service.added") \
	X(CC_DK_SERVICE_REMOVED,  "service.removed") \
	X(CC_DK_SERVICE_CHANGED,  "service.changed") \
	X(CC_DK_OP_ADDED,         "operation.added") \
	X(CC_DK_OP_REMOVED,       "operation.removed") \
	X(CC_DK_OP_CHANGED,       "operation.changed") \
	X(CC_DK_ERROR_ADDED,      "error.added") \
	X(CC_DK_ERROR_REMOVED,    "error.removed") \
	X(CC_DK_MEMBER_ADDED,     "member.added") \
	X(CC_DK_MEMBER_REMOVED,   "member.removed") \
	X(CC_DK_REQUIRED,         "member.required") \
	X(CC_DK_DEFAULT,          "member.default") \
	X(CC_DK_SENSITIVE,        "member.sensitive") \
	X(CC_DK_TYPE,             "shape.type") \
	X(CC_DK_LENGTH,           "constraint.length") \
	X(CC_DK_RANGE,            "constraint.range") \
	X(CC_DK_PATTERN,          "constraint.pattern") \
	X(CC_DK_ENUM_ADDED,       "enum.value-added") \
	X(CC_DK_ENUM_REMOVED,     "enum.value-removed") \
	X(CC_DK_RISK,             "policy.risk") \
	X(CC_DK_ACCESS,           "policy.access") \
	X(CC_DK_DECISION,         "policy.decision") \
	X(CC_DK_RULE,             "policy.rule") \
	X(CC_DK_APPROVAL,         "policy.approval") \
	X(CC_DK_TAGS,             "policy.required-tags")

enum cc_diff_kind {
#define CC_DK_ENUM_(id, name) id,
	CC_DIFF_KINDS(CC_DK_ENUM_)
#undef CC_DK_ENUM_
	CC_DK_COUNT
};

/* "member.added" ... */
const char *cc_diff_kind_name(unsigned kind);

typedef struct cc_diff_change {
	unsigned kind;            /* enum cc_diff_kind */
	const char *service;      /* canonical key, NULL for catalog facts */
	const char *operation;    /* NULL unless about one operation */
	const char *path;         /* fact name or shape path, or NULL */
	const char *old_value;    /* NULL: absent (added) */
	const char *new_value;    /* NULL: absent (removed) */
} cc_diff_change;

typedef struct cc_diff cc_diff;

/* Compare catalog A (old) with B (new), both opened with alc_open.
 * Returns 0 with the result in *OUT (free with cc_diff_free), or
 * AL_ETOOBIG when a shape path nests deeper than CC_DIFF_MAX_DEPTH (the
 * message, naming the path, in ERR). */
#define CC_DIFF_MAX_DEPTH 256
int cc_diff_run(const alc_catalog *a, const alc_catalog *b, cc_diff **out,
                char *err, size_t errcap);
void cc_diff_free(cc_diff *d);

size_t cc_diff_count(const cc_diff *d);
const cc_diff_change *cc_diff_get(const cc_diff *d, size_t i);

/* Output.  FILE_A / FILE_B name the catalogs in the JSON. */
void cc_diff_print_text(FILE *f, const cc_diff *d, int colour);
void cc_diff_print_stat(FILE *f, const cc_diff *d);
void cc_diff_print_json(FILE *f, const cc_diff *d, const alc_catalog *a,
                        const char *file_a, const alc_catalog *b,
                        const char *file_b);

/* The command: argv[0] is "diff".  Exit status as diff(1): 0 no
 * differences, 1 differences, 2 error (usage, unreadable or corrupt
 * catalog). */
int cc_cmd_diff(int argc, char **argv);

#endif
