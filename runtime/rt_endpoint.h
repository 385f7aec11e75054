/*
 * rt_endpoint.h -- endpoint resolution: the Smithy rules engine over a
 * service's compiled rule set (formats/alc_rules.h, RULES.md) and the
 * catalog's partitions table (formats/alc_partitions.h).
 *
 * Owner: rt_endpoint.c.
 *
 * Memory: nothing here allocates.  The caller owns three plain structs,
 * none holding a pointer into itself, so each may be copied or reused:
 *   rt_endpoint_params  the parameter values (copied in by the setters);
 *   rt_endpoint         the result, strings rendered into its buffer and
 *                       addressed by offsets (rt_endpoint_str), plus the
 *                       evaluation scratch space (`work`);
 * and the catalog, whose mapping must outlive the call.  Resolution reads
 * only the catalog, so threads may resolve concurrently with their own
 * structs.
 *
 * Parameter precedence (Smithy): a value bound by the operation
 * (staticContextParams, operationContextParams, contextParam: level
 * RT_EP_OPERATION) over a client value set by parameter name
 * (RT_EP_CLIENT) over a builtIn value set by builtIn name ("AWS::Region":
 * RT_EP_BUILTIN) over the rule set's default.
 */
#ifndef RT_ENDPOINT_H
#define RT_ENDPOINT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"

/* ---- parameters ------------------------------------------------------ */

#define RT_EP_MAX_PARAMS 64      /* distinct (name, level) values */
#define RT_EP_MAX_ITEMS 256      /* string-array items, all values together */
#define RT_EP_TEXT 16384         /* bytes of names and string values */

enum rt_ep_type {                /* == enum alc_rules_ptype */
	RT_EP_STRING = 1,
	RT_EP_BOOL = 2,
	RT_EP_STRING_ARRAY = 3
};

enum rt_ep_level {
	RT_EP_BUILTIN = 0,           /* by builtIn name: "AWS::Region", "SDK::Endpoint" */
	RT_EP_CLIENT = 1,            /* by parameter name: client configuration */
	RT_EP_OPERATION = 2          /* bound by the operation (rt_endpoint_params_for_operation) */
};

typedef struct rt_endpoint_value {
	uint16_t name;               /* text offset */
	uint8_t type;                /* enum rt_ep_type */
	uint8_t level;               /* enum rt_ep_level */
	uint16_t value;              /* STRING: text offset; BOOL: 0/1;
	                                STRING_ARRAY: first index into items */
	uint16_t count;              /* STRING: bytes; STRING_ARRAY: items */
} rt_endpoint_value;

typedef struct rt_endpoint_params {
	uint16_t n;                  /* values in v[] */
	uint16_t nitems;             /* used items[] */
	uint16_t used;               /* used text[] bytes */
	int16_t err;                 /* sticky: 0, or the first setter failure
	                                (AL_ETOOBIG, AL_EINVAL); resolve
	                                refuses params with err set */
	rt_endpoint_value v[RT_EP_MAX_PARAMS];
	uint16_t items[RT_EP_MAX_ITEMS]; /* text offsets (NUL-terminated) */
	char text[RT_EP_TEXT];
} rt_endpoint_params;

/* Empty the set. */
void rt_endpoint_params_init(rt_endpoint_params *p);

/* Set NAME to a value, copying NAME and the value.  A NAME containing
 * "::" is a builtIn name (level RT_EP_BUILTIN), any other a parameter name
 * (RT_EP_CLIENT).  Setting a (name, level) again replaces the value.
 * Returns 0, or AL_ETOOBIG when the fixed buffers are full / AL_EINVAL for
 * an empty name; the failure also sticks in p->err. */
int rt_endpoint_set_string(rt_endpoint_params *p, const char *name,
                           const char *value);
int rt_endpoint_set_bool(rt_endpoint_params *p, const char *name, int value);
int rt_endpoint_set_string_array(rt_endpoint_params *p, const char *name,
                                 const char *const *items, size_t n);

/* The same at an explicit level; VALUE[0, LEN) need not be NUL-terminated
 * and must not contain NUL bytes. */
int rt_endpoint_set_string_at(rt_endpoint_params *p, int level,
                              const char *name, const char *value,
                              size_t len);
int rt_endpoint_set_bool_at(rt_endpoint_params *p, int level,
                            const char *name, int value);
int rt_endpoint_set_string_array_at(rt_endpoint_params *p, int level,
                                    const char *name,
                                    const char *const *items, size_t n);

/* Add the values operation OP binds, at level RT_EP_OPERATION:
 * staticContextParams (the JSON values in the catalog), then
 * operationContextParams (JMESPath paths over INPUT: field chains,
 * [n], [*], [], multi-select lists [a, b.c] and keys(x); string results
 * become strings, booleans booleans, lists string arrays of their string
 * items), then the input members marked with contextParam (strings and
 * booleans).  INPUT is the operation input as JSON keyed by member name,
 * or NULL.  Returns 0, AL_ETOOBIG (buffers full), or AL_EINVAL (a path
 * this subset does not parse), with a message in ERR. */
int rt_endpoint_params_for_operation(const alc_catalog *cat,
                                     const alc_operation *op,
                                     const cJSON *input,
                                     rt_endpoint_params *p,
                                     char *err, size_t errlen);

/* ---- the result ------------------------------------------------------ */

#define RT_EP_BUF 4096           /* rendered strings of one result
                                    (corpus tests: at most 400 bytes) */
#define RT_EP_MAX_HEADERS 16     /* header values (corpus: 1) */
#define RT_EP_MAX_AUTH 4         /* auth schemes (corpus: 2) */
#define RT_EP_WORK 16384         /* evaluation scratch (corpus tests: at
                                    most 1,648 bytes; long caller values
                                    through uriEncode need 3x their size) */

typedef struct rt_endpoint_header {
	uint16_t name;               /* buf offsets; a header with several */
	uint16_t value;              /* values has several entries, in order */
} rt_endpoint_header;

/* One entry of the endpoint's authSchemes property. */
typedef struct rt_endpoint_auth {
	uint16_t name;               /* "sigv4", "sigv4a", "sigv4-s3express" */
	uint16_t signing_name;       /* "" when not given */
	uint16_t signing_region;     /* "" when not given */
	uint16_t signing_region_set; /* sigv4a: "*" or "us-east-1,us-west-2";
	                                "" when not given */
	int8_t disable_double_encoding; /* -1 not given, 0, 1 */
	uint8_t reserved[3];
} rt_endpoint_auth;

typedef struct rt_endpoint_work {
	size_t used;
	_Alignas(16) unsigned char mem[RT_EP_WORK];
} rt_endpoint_work;

typedef struct rt_endpoint {
	uint16_t url;                /* buf offset: "https://s3.us-east-1.amazonaws.com" */
	uint16_t properties;         /* buf offset: the properties record as
	                                compact JSON, "{}" when the rule has none */
	uint16_t nheaders, nauth;
	rt_endpoint_header headers[RT_EP_MAX_HEADERS];
	rt_endpoint_auth auth[RT_EP_MAX_AUTH];
	uint32_t used;               /* buf bytes used */
	char buf[RT_EP_BUF];
	rt_endpoint_work work;       /* scratch; meaningless after return */
} rt_endpoint;

static inline const char *rt_endpoint_str(const rt_endpoint *e, uint16_t off)
{
	return e->buf + off;
}

/* ---- resolving ------------------------------------------------------- */

/* Evaluate SVC's endpoint rule set with the values IN into *OUT.
 * Returns:
 *   0              *OUT holds the endpoint;
 *   AL_ENOTFOUND   the rule set ended in an error rule: ERR holds its
 *                  message exactly ("Invalid region: region was not a valid
 *                  DNS name."), or no rule matched;
 *   AL_EINVAL      a value does not fit its parameter (type, or a required
 *                  parameter without value or default), or IN->err is set;
 *   AL_EUNSUPPORTED  the service has no rule set;
 *   AL_ECORRUPT    the rule set calls aws.partition and the catalog has no
 *                  PARTITIONS section;
 *   AL_ETOOBIG     the result or the scratch space did not fit.
 * ERR (ERRLEN bytes, NUL-terminated, may be NULL) gets a message on
 * failure.  Work: each rule and condition of the rule set at most once,
 * each expression bounded by its node count (RULES.md). */
int rt_endpoint_resolve(const alc_catalog *cat, const alc_service *svc,
                        const rt_endpoint_params *in, rt_endpoint *out,
                        char *err, size_t errlen);

#endif
