/*
 * rt_rest.h -- the HTTP bindings restJson1 and restXml share
 * (smithy.api#http and the member binding traits), so that each of the two
 * only writes and reads its own body.
 *
 * Request (rt_rest_serialize): method; the path from the URI pattern with
 * httpLabel members (greedy {Key+} keeps '/'), percent-encoded; the
 * pattern's constant query ("?x-id=PutObject", "?list-type=2", "?tagging");
 * httpQuery members (lists repeat the key) and the httpQueryParams map (a
 * key an httpQuery member already sent is not repeated); httpHeader members
 * (lists comma-joined, strings with commas or quotes quoted; timestamps as
 * http-date unless the member says otherwise; a string with mediaType is
 * base64) and httpPrefixHeaders maps; the hostPrefix.  The body is left to
 * the protocol: rt_rest_serialize says whether an httpPayload member is
 * set and whether any member goes to the body.
 *
 * Response (rt_rest_parse_bindings): httpHeader, httpPrefixHeaders and
 * httpResponseCode members of an output or error structure, into the
 * output object; the body members and the payload are left to the protocol.
 *
 * Owner: rt_rest.c.
 */
#ifndef RT_REST_H
#define RT_REST_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "rt_proto.h"

/* What rt_rest_serialize found of the body. */
typedef struct rt_rest_body {
	const alc_member *payload;   /* the httpPayload member, or NULL */
	const cJSON *payload_value;  /* its input value, or NULL when unset */
	int body_members;            /* members without a binding trait exist
	                                in the input shape (set or not) */
	int body_set;                /* ... and at least one of them is set */
} rt_rest_body;

/* Method, path, query, headers and host prefix of OP for INPUT into REQ.
 * Returns 0, AL_EINVAL (a label unset or empty, a value a header cannot
 * carry: ERR names the member), AL_ENOMEM. */
int rt_rest_serialize(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                      rt_proto_request *req, rt_rest_body *body, char *err, size_t errcap);

/* 1 when member M of an input goes in the body (no http binding trait). */
int rt_rest_in_body(const alc_member *m);
/* 1 when member M of an output or error is read from the body: no
 * httpHeader, httpPrefixHeaders, httpResponseCode or httpPayload
 * (httpQuery and httpLabel mean nothing in a response). */
int rt_rest_in_output_body(const alc_member *m);

/* A blob, string or enum payload VALUE of member M as raw body bytes
 * (base64 decoded for blobs) with its Content-Type (the target's
 * mediaType, else application/octet-stream for blobs, text/plain for
 * strings) unless the request already has one.  Returns 0, AL_EINVAL,
 * AL_ENOMEM.  Structure, union and document payloads are the protocol's. */
int rt_rest_raw_payload(const alc_catalog *cat, const alc_member *m, const cJSON *value,
                        rt_proto_request *req, char *err, size_t errcap);

/* The httpHeader, httpPrefixHeaders and httpResponseCode members of
 * structure SHAPE from RESP into OUT (an object keyed by member name).
 * *PAYLOAD gets the httpPayload member or NULL (may be NULL).  Returns 0,
 * AL_EPROTO (a header value that does not parse as its member's type: E
 * says which, kind RT_PERR_MALFORMED), AL_ENOMEM. */
int rt_rest_parse_bindings(const alc_catalog *cat, uint32_t shape,
                           const rt_proto_response *resp, cJSON *out,
                           const alc_member **payload, rt_proto_error *e);

/* A raw blob or string payload: the body as the member's value (base64
 * for blobs) under its name in OUT; nothing when the body is empty and the
 * target is a string.  Returns 0 or AL_ENOMEM. */
int rt_rest_parse_raw_payload(const alc_catalog *cat, const alc_member *m,
                              const rt_proto_response *resp, cJSON *out);

/* The value of header text S[0..LEN) as member M's JSON (strings, enums,
 * numbers, booleans, timestamps in the member's format, default
 * http-date; base64 decoded for mediaType strings; lists split on commas
 * with quoted items honoured).  NULL when it does not parse (or ENOMEM). */
cJSON *rt_rest_header_to_json(const alc_catalog *cat, const alc_member *m, const char *s,
                              size_t len);

#endif
