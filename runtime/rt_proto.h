/*
 * rt_proto.h -- the protocol interface: how one AWS operation's input
 * becomes an HTTP request and how an HTTP response becomes its output or an
 * error, from the catalog alone.
 *
 * One vtable per protocol (rt_proto_for()):
 *   awsJson1_0, awsJson1_1, restJson1   rt_proto_json.c
 *   restXml, awsQuery, ec2Query         rt_proto_xml.c, rt_proto_query.c
 * and the helpers every protocol shares (buffers, header and query lists,
 * base64, timestamps, error codes, modeled error lookup): rt_proto.c.  The
 * HTTP bindings restJson1 and restXml share are in rt_rest.h.
 *
 * The caller's side of the contract (input and output JSON) is the same for
 * every protocol, so that a plan, a diff or an agent never sees which wire
 * format a service speaks:
 *   - a structure or union is an object keyed by MEMBER NAME (never by
 *     jsonName, xmlName, ec2QueryName or locationName: those are wire
 *     names); a union has exactly one key;
 *   - a timestamp is an RFC 3339 string "2024-01-31T12:00:00Z", with a
 *     fraction ("...:00.125Z") only when there is one; input also accepts a
 *     number of seconds since the epoch;
 *   - a blob (streaming or not) is a base64 string (RFC 4648, padded);
 *   - integers and floating point numbers are JSON numbers; the float and
 *     double values NaN, Infinity and -Infinity are the strings "NaN",
 *     "Infinity" and "-Infinity" (JSON has no literal for them);
 *   - a document is any JSON value; list and map values are what their
 *     member says; a null in a sparse list or map is a JSON null;
 *   - a member left out is unset; an empty string, list or map is set.
 * A response output also carries the members bound to headers, the status
 * code and the payload, under their member names like the rest.
 *
 * Ownership: every rt_proto_request, rt_proto_error and rt_buf owns its
 * storage (malloc) until its _free(); rt_proto_response only points at the
 * caller's bytes, which must outlive the parse call and nothing longer: the
 * output and the error never point into them.  Buffer and list errors are
 * sticky (->err), so builders append without checking each call and check
 * once at the end.
 */
#ifndef RT_PROTO_H
#define RT_PROTO_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "alc_reader.h"

/* ---- growable byte buffer ------------------------------------------ */

typedef struct rt_buf {
	char *p;                 /* NUL-terminated when p != NULL */
	size_t len, cap;
	int err;                 /* sticky: 0 or AL_ENOMEM */
} rt_buf;

void rt_buf_init(rt_buf *b);
void rt_buf_free(rt_buf *b);
void rt_buf_reset(rt_buf *b);                /* len = 0, keeps the storage */
void rt_buf_put(rt_buf *b, const void *data, size_t len);
void rt_buf_puts(rt_buf *b, const char *s);
void rt_buf_putc(rt_buf *b, char c);
void rt_buf_printf(rt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append S[0..LEN) percent-encoded the AWS way (RFC 3986 unreserved bytes
 * kept; '/' kept when KEEP_SLASH). */
void rt_buf_put_uri(rt_buf *b, const char *s, size_t len, int keep_slash);

/* ---- ordered name/value list (headers, query parameters) ------------ */

typedef struct rt_kv {
	char *name;              /* owned, NUL-terminated */
	char *value;             /* owned, NUL-terminated; NULL for a query key
	                            without '=' ("?list-type" style constants) */
} rt_kv;

typedef struct rt_kvlist {
	rt_kv *v;
	size_t n, cap;
	int err;                 /* sticky: 0 or AL_ENOMEM */
} rt_kvlist;

void rt_kvlist_init(rt_kvlist *l);
void rt_kvlist_free(rt_kvlist *l);
/* Append a copy of NAME[0..NLEN) and VALUE[0..VLEN) (VALUE NULL: no value). */
void rt_kvlist_add(rt_kvlist *l, const char *name, size_t nlen, const char *value,
                   size_t vlen);
void rt_kvlist_adds(rt_kvlist *l, const char *name, const char *value);
/* First entry named NAME (ASCII case-insensitive when NOCASE), or NULL. */
const rt_kv *rt_kvlist_find(const rt_kvlist *l, const char *name, int nocase);

/* ---- the request ---------------------------------------------------- */

typedef struct rt_proto_request {
	char method[8];          /* "POST", "GET", ... */
	rt_buf path;             /* "/" or "/bucket/key%20name": percent-encoded
	                            exactly as it is sent (and signed), no query */
	rt_kvlist query;         /* raw (not encoded) names and values, in the
	                            order they are sent; encoded when the URL is
	                            built (rt_proto_query_string) */
	rt_kvlist headers;       /* raw values; no Host, no Content-Length, no
	                            signing headers (the sender adds those) */
	rt_buf body;             /* the payload bytes; len 0 when none */
	rt_buf host_prefix;      /* expanded smithy.api#endpoint hostPrefix
	                            ("foo.bar-baz.") to put before the endpoint
	                            host, or empty */
	unsigned flags;          /* RT_REQ_* */
} rt_proto_request;

#define RT_REQ_UNSIGNED_PAYLOAD 0x1u /* sign with UNSIGNED-PAYLOAD (the operation says so) */
#define RT_REQ_STREAMING_BODY   0x2u /* the body is a streaming blob payload */

void rt_proto_request_init(rt_proto_request *r);
/* Frees R's storage, wiping the body first (it may carry secrets). */
void rt_proto_request_free(rt_proto_request *r);

/* The encoded query "a=1&b=x%20y&flag" of R into OUT (appended); nothing
 * when R has no query parameters. */
void rt_proto_query_string(const rt_proto_request *r, rt_buf *out);

/* ---- the response --------------------------------------------------- */

typedef struct rt_proto_response {
	long status;
	const char *headers;     /* header lines "Name: value\r\n" (rt_http's form;
	                            a bare "\n" also ends a line); may be NULL */
	size_t headers_len;
	const char *body;        /* need not be NUL-terminated */
	size_t body_len;
} rt_proto_response;

/* The value of header NAME (case-insensitive), trimmed, its length in *LEN;
 * NULL when absent.  Several lines of the same name: the first. */
const char *rt_proto_header(const rt_proto_response *r, const char *name, size_t *len);

/* Iterate the header lines: *POS starts at 0; returns 1 with the name and
 * the trimmed value of the next header, 0 at the end. */
int rt_proto_header_next(const rt_proto_response *r, size_t *pos, const char **name,
                         size_t *nlen, const char **value, size_t *vlen);

/* ---- errors --------------------------------------------------------- */

enum rt_proto_error_kind {
	RT_PERR_NONE = 0,
	RT_PERR_SERVICE = 1,     /* AWS answered with an error */
	RT_PERR_MALFORMED = 2,   /* the answer did not parse as the protocol says */
	RT_PERR_TRANSPORT = 3,   /* no answer: connection, timeout (rt_exec) */
	RT_PERR_CLIENT = 4       /* refused before sending: validation,
	                            serialization, endpoint, credentials (rt_exec) */
};

typedef struct rt_proto_error {
	int kind;                /* enum rt_proto_error_kind */
	long http_status;        /* 0 when no answer came */
	char code[128];          /* "ThrottlingException", "NoSuchBucket": the
	                            bare code, namespace and ":..." suffix stripped */
	char message[1024];
	char request_id[128];
	int retryable;           /* 1 when the modeled shape says so; rt_retry
	                            adds the standard codes, 5xx, transport */
	int throttling;          /* the modeled shape says retryable{throttling} */
	uint32_t shape;          /* SHAPES index of the modeled error, or ALC_NONE */
	cJSON *fields;           /* the modeled error's members (object keyed by
	                            member name, as an output), or NULL; owned */
} rt_proto_error;

void rt_proto_error_init(rt_proto_error *e);
void rt_proto_error_free(rt_proto_error *e);    /* frees fields; re-inits */
/* Set kind, code and message (printf) of E; keeps the other fields. */
void rt_proto_error_set(rt_proto_error *e, int kind, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* {code, message, request_id, http_status, retryable, kind, type?, fields?}
 * as a new cJSON object (type: the modeled shape's name); NULL on ENOMEM. */
cJSON *rt_proto_error_json(const alc_catalog *cat, const rt_proto_error *e);

/* The bare error code of a raw one: "aws.protocoltests#FooError:http://..."
 * -> "FooError" (text after the last '#', before the first ':'), trimmed.
 * Writes at most CAP-1 bytes and a NUL to OUT. */
void rt_proto_error_code(const char *raw, size_t len, char *out, size_t cap);

/* The modeled error shape of OP (its errors, then the service's) whose name
 * (or awsQueryError code when BY_QUERY_CODE) is CODE; ALC_NONE when none. */
uint32_t rt_proto_find_error(const alc_catalog *cat, const alc_operation *op,
                             const char *code, int by_query_code);

/* Fill E's shape, retryable and throttling from the modeled error named by
 * E->code (see rt_proto_find_error); no change when there is none. */
void rt_proto_error_model(const alc_catalog *cat, const alc_operation *op, rt_proto_error *e,
                          int by_query_code);

/* ---- the protocol vtable ------------------------------------------- */

typedef struct rt_proto {
	int protocol;            /* enum alc_protocol */
	const char *name;        /* "awsJson1_0", "restXml", ... */
	/* Build the request of OP for INPUT (an object keyed by member name,
	 * validated and with idempotency tokens filled: rt_exec does that) into
	 * REQ (initialised by the caller).  What every protocol shares comes
	 * after, in rt_exec_prepare (rt_exec.h): service customizations,
	 * request compression, then Content-MD5 (rt_proto_add_checksum, which
	 * does nothing when the request already carries a checksum).  Returns
	 * 0, AL_EINVAL (a value the wire format cannot carry, a missing label:
	 * ERR says which member), AL_ENOMEM. */
	int (*serialize)(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
	                 rt_proto_request *req, char *err, size_t errcap);
	/* Read RESP, the answer to OP.  A success status (2xx, or the
	 * operation's http_code) gives 0 and *OUT, a new object keyed by
	 * member name ({} when the operation has no output).  Anything else
	 * gives AL_EPROTO with E filled (kind RT_PERR_SERVICE, or
	 * RT_PERR_MALFORMED when a success answer does not parse) and *OUT
	 * NULL.  AL_ENOMEM.  E must be initialised; it may be left with
	 * fields to free on any return. */
	int (*parse)(const alc_catalog *cat, const alc_operation *op,
	             const rt_proto_response *resp, cJSON **out, rt_proto_error *e);
} rt_proto;

/* The vtable of PROTOCOL (enum alc_protocol), or NULL when none is built in. */
const rt_proto *rt_proto_for(int protocol);

/* The vtables (defined by each protocol's file). */
extern const rt_proto rt_proto_awsjson1_0, rt_proto_awsjson1_1, rt_proto_restjson1;
extern const rt_proto rt_proto_restxml, rt_proto_awsquery, rt_proto_ec2query;

/* ---- values shared by every protocol ------------------------------- */

/* Base64 (RFC 4648, padded) of DATA[0..LEN) appended to OUT. */
void rt_base64_encode(rt_buf *out, const void *data, size_t len);
/* Decode S[0..LEN) (whitespace ignored, padding optional) appended to OUT.
 * Returns 0, or AL_EINVAL when S is not base64. */
int rt_base64_decode(rt_buf *out, const char *s, size_t len);

/* A timestamp: whole seconds since the epoch and nanoseconds.  (A double
 * loses the nanoseconds of dates far from 1970.) */
typedef struct rt_ts {
	int64_t sec;
	int32_t nsec;            /* 0..999999999 */
} rt_ts;

/* An input timestamp: an RFC 3339 string (offsets allowed), an HTTP date,
 * or a JSON number of epoch seconds.  Returns 0 or AL_EINVAL. */
int rt_ts_from_json(const cJSON *v, rt_ts *t);
/* Parse wire text in format FMT (enum alc_tsformat): ALC_TS_DATE_TIME
 * (RFC 3339, any offset, any fraction), ALC_TS_HTTP_DATE (IMF-fixdate;
 * RFC 850 and asctime forms too), ALC_TS_EPOCH_SECONDS (decimal with an
 * optional fraction or exponent).  Returns 0 or AL_EINVAL. */
int rt_ts_parse(const char *s, size_t len, int fmt, rt_ts *t);
/* Format T in FMT into OUT (CAP >= 40): date-time "1985-04-12T23:20:50.52Z"
 * (fraction only when non-zero, no trailing zeros), http-date "Tue, 29 Apr
 * 2014 18:30:38 GMT" (milliseconds dropped), epoch-seconds "1398796238" or
 * "1398796238.123" (up to milliseconds, no trailing zeros).  Returns the
 * length. */
size_t rt_ts_format(const rt_ts *t, int fmt, char *out, size_t cap);
/* The caller-side JSON value of T: a date-time string. */
cJSON *rt_ts_to_json(const rt_ts *t);

/* The timestamp format that applies to member M (NULL: none) targeting
 * SHAPE: the member's timestampFormat, else the shape's, else DEFLT. */
int rt_proto_ts_format(const alc_catalog *cat, const alc_member *m, uint32_t shape, int deflt);

/* Doubles as wire text: shortest round-trip ("1.5", "1e+300"), and
 * "NaN" / "Infinity" / "-Infinity".  Returns the length (CAP >= 32). */
size_t rt_proto_fmt_double(double d, char *out, size_t cap);
/* A float/double input value (number or one of the three strings) into
 * *D.  Returns 0 or AL_EINVAL. */
int rt_proto_double_from_json(const cJSON *v, double *d);
/* The caller-side JSON of D (a number, or one of the three strings). */
cJSON *rt_proto_double_to_json(double d);

/* The member of structure SHAPE named NAME[0..LEN), or NULL. */
const alc_member *rt_proto_member(const alc_catalog *cat, uint32_t shape, const char *name,
                                  size_t len);

/* Expand OP's hostPrefix ("{Foo}.data.") with the hostLabel members of
 * INPUT into REQ->host_prefix.  Returns 0, or AL_EINVAL (a label member
 * missing or not a valid host label: ERR says which). */
int rt_proto_host_prefix(const alc_catalog *cat, const alc_operation *op, const cJSON *input,
                         rt_proto_request *req, char *err, size_t errcap);

/* Content-MD5 (base64 of the MD5 of the body) when OP requires a checksum
 * (ALC_OP_CHECKSUM_REQUIRED) and REQ has no checksum header yet. */
void rt_proto_add_checksum(const alc_catalog *cat, const alc_operation *op,
                           rt_proto_request *req);

#endif
