/*
 * rt_proto_xml.h -- what the XML protocols share: reading an XML tree into
 * the caller-side JSON of a shape (restXml bodies, awsQuery and ec2Query
 * responses), the scalar wire text of an input value (restXml bodies and
 * query forms), and reading an XML error body.  Internal to rt_proto_xml.c
 * (restXml, which owns these) and rt_proto_query.c.
 *
 * Reading follows the Smithy XML bindings: a member's element is its
 * xmlName, else its member name; xmlAttribute members come from the
 * element's attributes; a list is <member> children (the list member's
 * xmlName), or when the structure member is xmlFlattened the repeated
 * member elements themselves; a map is <entry><key/><value/></entry>
 * children (key/value renamed by their xmlName), or flattened the
 * repeated member elements holding <key/><value/>.  Element names are
 * matched as written, or by local name when the document adds a prefix
 * (rt_xml_is).  Unknown elements are ignored; an empty element is an
 * empty string, list, map or blob.  Timestamps default to date-time.
 */
#ifndef RT_PROTO_XML_H
#define RT_PROTO_XML_H

#include <cjson/cJSON.h>

#include "rt_proto.h"
#include "rt_xml.h"

/* Read the members of structure or union SHAPE from element N into OBJ
 * (keyed by member name).  REST: leave out members bound to HTTP (they are
 * read from the headers and status).  Returns 0, AL_EPROTO (a value that
 * does not parse as its type: E->message names the member, kind
 * RT_PERR_MALFORMED), AL_ENOMEM. */
int rt_xmlr_members(const alc_catalog *cat, uint32_t shape, const rt_xnode *n, int rest,
                    cJSON *obj, rt_proto_error *e);

/* The JSON of element N read as member M (NULL: none, e.g. a payload root
 * whose member is M anyway) of type SHAPE; NULL with *RC set on failure. */
cJSON *rt_xmlr_value(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                     const rt_xnode *n, rt_proto_error *e, int *rc);

/* The wire text of scalar input V for member M (may be NULL) of type SHAPE
 * appended to OUT; timestamps in the member's format, else DEFAULT_TS.
 * Returns 0, AL_EINVAL (V is not of the shape's type: ERR says so, naming
 * WHERE), AL_ENOMEM. */
int rt_xml_scalar_text(const alc_catalog *cat, const alc_member *m, uint32_t shape,
                       const cJSON *v, int default_ts, rt_buf *out, const char *where,
                       char *err, size_t errcap);

/* The name a member is written under in XML: its xmlName, else its name. */
const char *rt_xml_member_name(const alc_catalog *cat, const alc_member *m);

/* 1 when BODY[0..LEN) holds something other than XML whitespace. */
int rt_xml_has_content(const char *body, size_t len);

/* Fill E from an XML error answer DOC (NULL: no body; a DOC whose root is
 * NULL did not parse and says why) to OP: code, message and request id
 * from <ErrorResponse><Error> (awsQuery, restXml), a bare <Error> (restXml
 * noErrorWrapping, S3) or <Response><Errors><Error> (ec2Query), whichever
 * the answer holds; the request id falls back to the x-amzn-RequestId /
 * x-amz-request-id headers, the code to X-Amzn-ErrorType, then to one
 * derived from the HTTP status (404 NotFound: S3's HEAD errors).  Then the modeled error (by awsQueryError code when
 * BY_QUERY_CODE) and its body members into E->fields.  REST: the error
 * shape's header-bound members too.  Returns AL_EPROTO (the error was
 * read) or AL_ENOMEM. */
int rt_xml_read_error(const alc_catalog *cat, const alc_operation *op,
                      const rt_proto_response *resp, const rt_xdoc *doc, int by_query_code,
                      int rest, rt_proto_error *e);

#endif
