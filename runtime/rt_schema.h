/*
 * rt_schema.h -- JSON Schema (draft 2020-12) of an operation's input,
 * generated from the catalog; and input validation against the same
 * constraints.
 *
 * Owner: rt_schema.c (schema) and rt_validate.c (validation).
 */
#ifndef RT_SCHEMA_H
#define RT_SCHEMA_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "alc_reader.h"

/* The strict input schema of OP: types, required, enum, pattern, length
 * and value bounds, additionalProperties:false, nested structures, lists,
 * maps, unions as oneOf, recursive shapes through $defs/$ref, blobs as
 * base64 strings, timestamps as date-time strings.  Members bound to HTTP
 * response codes or otherwise not part of the caller's input are left out.
 * An operation without input gets {"type":"object","properties":{},
 * "additionalProperties":false}.  Returns a new cJSON tree (caller frees)
 * or NULL on allocation failure. */
cJSON *rt_schema_input(const alc_catalog *cat, const alc_operation *op);

/* One violation: JSON pointer (RFC 6901) into the input, the constraint
 * keyword it breaks ("required", "type", "enum", "pattern", "minLength",
 * "maxLength", "minimum", "maximum", "minItems", "maxItems",
 * "minProperties", "maxProperties", "propertyNames",
 * "additionalProperties", "oneOf", "uniqueItems", "format",
 * "contentEncoding", "duplicateKey", "maxDepth"), and a message an agent
 * can act on. */
typedef struct rt_violation {
	char pointer[256];
	char keyword[24];
	char message[256];
} rt_violation;

/* Validate INPUT (a parsed JSON value) against OP's input.  Writes at most
 * CAP violations to OUT and returns the total number found (which may
 * exceed CAP; the count is bounded by RT_VALIDATE_MAX).  0 means valid. */
#define RT_VALIDATE_MAX 1000
size_t rt_validate(const alc_catalog *cat, const alc_operation *op,
                   const cJSON *input, rt_violation *out, size_t cap);

#endif
