/*
 * rt_schema_int.h -- internals shared by rt_schema.c (JSON Schema) and
 * rt_validate.c (validation), so that both read the catalog's constraints
 * and patterns the same way.  Not part of the runtime's interface.
 *
 * Owner: rt_schema.c (constraints, pattern translation) and rt_validate.c
 * (the compiled-pattern cache).
 */
#ifndef RT_SCHEMA_INT_H
#define RT_SCHEMA_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"

/* The constraints that apply to one value: its shape's, narrowed by those
 * of the member that holds it (Smithy lets a member restate length, range
 * and pattern; both must hold).  Pattern offsets are STRS offsets, 0 when
 * absent; pattern[1] is the member's when it differs from the shape's. */
typedef struct rt_cons {
	uint32_t flags;          /* ALC_C_* */
	int64_t len_min, len_max;
	double range_min, range_max;
	uint32_t range_min_text, range_max_text; /* STRS: bounds as written */
	uint32_t pattern[2];
} rt_cons;

/* Whether a value of SHAPE held by M has any constraint record (a quick
 * test that spares rt_cons_of() on the common unconstrained value). */
static inline int rt_has_cons(const alc_catalog *cat, uint32_t shape, const alc_member *m)
{
	return cat->shapes[shape].cons != ALC_NONE ||
	       (m && (m->flags & ALC_M_HAS_EXT) && cat->mext[m->aux].cons != ALC_NONE);
}

/* Constraints of a value of SHAPE held by member M (M may be NULL). */
void rt_cons_of(const alc_catalog *cat, uint32_t shape, const alc_member *m,
                rt_cons *out);

/* Members an agent never sends: bound to the HTTP response code.  (The
 * idempotency token stays, as an optional member.) */
static inline int rt_member_omitted(const alc_member *m)
{
	return (m->flags & ALC_M_HTTP_RESPONSE_CODE) != 0;
}

/* A member the caller must give.  @required members stay required even
 * with @clientOptional (Smithy 2.0 lets clients relax them for forward
 * compatibility; the service still refuses a call without them, and the
 * gate's job is a correct call).  The idempotency token is the exception:
 * airlock fills it when absent. */
static inline int rt_member_required(const alc_member *m)
{
	return (m->flags & ALC_M_REQUIRED) &&
	       !(m->flags & (ALC_M_IDEMPOTENCY_TOKEN | ALC_M_HTTP_RESPONSE_CODE));
}

/* Bounds implied by an integer type (byte, short, integer, long); 0 for
 * other types.  Long's maximum 2^63-1 is not a double: *max is 2^63 and
 * *max_strict is set (value must be < *max). */
int rt_int_bounds(uint8_t type, double *min, double *max, int *max_strict);

/* ---- patterns -------------------------------------------------------- *
 * Smithy patterns are meant to be ECMA 262, but AWS models carry Java
 * regex habits: \x{hhhh}, surrogate-pair escapes (\uD800\uDC00), POSIX
 * \p{Alpha}, \p{IsAlphabetic}, \A and \z, (?i), identity escapes like \_.
 * rt_pattern_translate rewrites one pattern for a target:
 *   RT_RX_PCRE2: for pcre2_compile(PCRE2_UTF | PCRE2_DOLLAR_ENDONLY):
 *     escapes of code points become \x{h}; surrogate pairs are combined;
 *     lone surrogates (which no valid UTF-8 string holds) are dropped from
 *     classes; POSIX property names become ASCII classes.  \u is rewritten
 *     here rather than with PCRE2_ALT_BSUX because ALT_BSUX would also
 *     change \x{h}, which the models use.
 *   RT_RX_ECMA: valid ECMA 262 with the u flag (what JSON Schema
 *     validators such as ajv use): the same, written as \uhhhh (pairs
 *     above the BMP), \A \z as ^ $, (?i) expanded into [aA] classes,
 *     identity escapes that u-mode refuses (\_ \- \ ...) unescaped, lone
 *     { } ] escaped.
 * Returns the length written to OUT (NUL-terminated), or -1 when the
 * pattern uses a construct the target cannot express (class intersection
 * &&, \Q, possessive quantifiers or atomic groups for ECMA, ...) or OUT is
 * too small.  Work is linear in the length of SRC. */
enum { RT_RX_PCRE2 = 0, RT_RX_ECMA = 1 };
long rt_pattern_translate(const char *src, int target, char *out, size_t cap);

/* Whether the validator enforces the pattern at STRS offset OFF (it
 * translates and compiles; see rt_validate.c).  The schema carries only
 * the patterns the validator enforces, so the two agree. */
int rt_pattern_usable(const alc_catalog *cat, uint32_t off);

#endif
