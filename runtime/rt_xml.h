/*
 * rt_xml.h -- XML for the restXml, awsQuery and ec2Query protocols: a
 * writer that escapes what it is given, and a reader that turns a response
 * body into a small read-only tree with expat.  No XML is parsed by hand.
 *
 * Owner: rt_xml.c.
 *
 * Writer.  rt_xw appends to a growable buffer it owns; errors are sticky
 * (the first one is kept, later calls do nothing) and read once at the end
 * with rt_xw_finish(), BearSSL-style.  Names are written as given (the
 * catalog's names are plain XML names); text and attribute values are
 * escaped: & < > always, " in attributes, and CR, LF, TAB, NEL and LS as
 * character references where a parser would otherwise normalise them away.
 *
 * Reader.  rt_xml_parse() builds the whole tree (bodies are bounded by the
 * HTTP layer's max_response): every element keeps its qualified name as
 * written ("xsi:type": namespace processing is off, because the catalog
 * names members by the names written on the wire), its attributes, the
 * concatenation of the character data directly inside it, and its child
 * elements in document order.  A DOCTYPE stops the parse (no AWS service
 * sends one; refusing it also refuses every entity-expansion attack);
 * nesting deeper than RT_XML_MAX_DEPTH stops it too, so a consumer that
 * recurses over the tree is bounded.  Every node, name, attribute and text
 * lives in the document's arena and is valid until rt_xml_free().
 */
#ifndef RT_XML_H
#define RT_XML_H

#include <stddef.h>
#include <stdint.h>

/* ---- writer --------------------------------------------------------- */

typedef struct rt_xw {
	char *buf;              /* malloc'd; NUL-terminated after rt_xw_finish */
	size_t len, cap;
	int err;                /* sticky: 0 or AL_ENOMEM / AL_ETOOBIG / AL_EINVAL */
	int open;               /* a start tag waits for its '>' (attributes may follow) */
	uint32_t depth;         /* open elements */
} rt_xw;

/* Largest document the writer builds (request bodies). */
#define RT_XW_MAX ((size_t)1 << 30)

void rt_xw_init(rt_xw *w);
/* "<NAME" -- attributes may follow until the next content call. */
void rt_xw_start(rt_xw *w, const char *name);
/* NAME="VALUE" on the open start tag (AL_EINVAL when none is open). */
void rt_xw_attr(rt_xw *w, const char *name, const char *value, size_t len);
/* Escaped character data inside the current element. */
void rt_xw_text(rt_xw *w, const char *s, size_t len);
/* Text as given, no escaping (an XML declaration, already-escaped text). */
void rt_xw_raw(rt_xw *w, const char *s, size_t len);
/* "</NAME>" (an element with no content is written <NAME></NAME>). */
void rt_xw_end(rt_xw *w, const char *name);
/* Finish: returns the sticky error or 0.  On 0, *OUT (NUL-terminated,
 * caller frees) and *LEN hold the document and W is reset; on failure the
 * buffer is freed. */
int rt_xw_finish(rt_xw *w, char **out, size_t *len);
/* Drop the buffer without taking it. */
void rt_xw_discard(rt_xw *w);

/* ---- reader --------------------------------------------------------- */

#define RT_XML_MAX_DEPTH 200

typedef struct rt_xattr {
	const char *name;       /* qualified, as written: "xsi:type", "xmlns:b" */
	const char *value;      /* entity references resolved, NUL-terminated */
	size_t value_len;
} rt_xattr;

typedef struct rt_xnode {
	const char *name;       /* qualified name as written: "a:Foo" */
	const char *local;      /* the part after any prefix: "Foo" */
	const char *text;       /* direct character data, NUL-terminated; "" when none */
	size_t text_len;        /* bytes (text may hold NUL characters only as &#0;,
	                           which XML forbids, so never in practice) */
	const rt_xattr *attrs;
	uint32_t nattrs;
	uint32_t nchildren;
	const struct rt_xnode *parent, *child, *next; /* first child, next sibling */
} rt_xnode;

typedef struct rt_xdoc {
	const rt_xnode *root;   /* the document element */
	void *arena;            /* owned */
	char error[160];        /* why a parse failed: expat's message and line */
} rt_xdoc;

/* Parse BODY[0..LEN) into DOC.  Returns 0; AL_EPROTO (not well-formed, a
 * DOCTYPE, nesting over RT_XML_MAX_DEPTH, no document element: DOC->error
 * says which); AL_ETOOBIG (LEN over INT_MAX); AL_ENOMEM.  DOC is always
 * safe to rt_xml_free() afterwards. */
int rt_xml_parse(const char *body, size_t len, rt_xdoc *doc);
void rt_xml_free(rt_xdoc *doc);

/* The first child element of N named NAME (see rt_xml_is); NULL when
 * none. */
const rt_xnode *rt_xml_child(const rt_xnode *n, const char *name);
/* The next sibling after C with the same name test as rt_xml_child. */
const rt_xnode *rt_xml_next_named(const rt_xnode *c, const char *name);
/* The value of attribute NAME of N (qualified name as written), or NULL. */
const rt_xattr *rt_xml_attr(const rt_xnode *n, const char *name);
/* 1 when N is named NAME: its qualified name is NAME, or NAME has no
 * prefix and is N's local name (a response may prefix what the model
 * names without one). */
int rt_xml_is(const rt_xnode *n, const char *name);

#endif
