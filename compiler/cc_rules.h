/*
 * cc_rules.h -- encodes a service's smithy.rules#endpointRuleSet (JSON AST)
 * into the compact binary form of formats/alc_rules.h, which the runtime
 * evaluates without parsing JSON.
 */
#ifndef CC_RULES_H
#define CC_RULES_H

#include <cjson/cJSON.h>

#include "cc_util.h"

/* Append the encoding of RULESET to OUT (OUT is 8-aligned on entry and on
 * return).  Strings are interned into POOL; the encoding refers to them by
 * STRS offset.  Returns 0, or AL_EMODEL after adding "FILE: JSON-PATH:
 * message" lines to DIAG (JSON paths are rooted at the rule set, e.g.
 * "$.rules[3].conditions[0].fn").  On error OUT is restored to its length
 * on entry. */
int cc_rules_encode(const cJSON *ruleset, cc_pool *pool, cc_buf *out,
                    const char *file, const char *jpath_prefix, cc_buf *diag);

#endif
