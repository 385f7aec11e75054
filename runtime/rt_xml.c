/*
 * rt_xml.c -- see rt_xml.h.
 *
 * The tree lives in an arena of blocks that are wiped when freed, and expat
 * runs with a memory suite that wipes every block it frees: responses carry
 * secrets (IAM CreateAccessKey, STS credentials) and expat buffers text.
 * Text is gathered per open element in a stack of buffers (one per depth,
 * reused by siblings) and copied into the arena when the element closes, so
 * the arena only ever grows by final sizes.
 */
#include "rt_xml.h"

#include <limits.h>
#include <malloc.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "alc_err.h"

/* ---- wiping ----------------------------------------------------------- */

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

static void *w_malloc(size_t n)
{
	return malloc(n);
}

static void w_free(void *p)
{
	if (p) {
		wipe(p, malloc_usable_size(p));
		free(p);
	}
}

/* Never realloc in place: the old block is wiped before it goes back. */
static void *w_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t old = malloc_usable_size(p);
	void *np = malloc(n);
	if (!np)
		return NULL;
	memcpy(np, p, old < n ? old : n);
	w_free(p);
	return np;
}

static const XML_Memory_Handling_Suite wiping_suite = { w_malloc, w_realloc, w_free };

/* ---- writer ----------------------------------------------------------- */

void rt_xw_init(rt_xw *w)
{
	memset(w, 0, sizeof *w);
}

static void put(rt_xw *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	if (n > RT_XW_MAX - w->len) {
		w->err = AL_ETOOBIG;
		return;
	}
	if (w->len + n + 1 > w->cap) {
		size_t nc = w->cap ? w->cap : 256;
		while (nc < w->len + n + 1)
			nc *= 2;
		char *nb = w_realloc(w->buf, nc);
		if (!nb) {
			w->err = AL_ENOMEM;
			return;
		}
		w->buf = nb;
		w->cap = nc;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(rt_xw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void close_start(rt_xw *w)
{
	if (w->open) {
		put(w, ">", 1);
		w->open = 0;
	}
}

/* Escape S: text (ATTR 0) or an attribute value (ATTR 1).  Runs of plain
 * bytes are copied in one go. */
static void escaped(rt_xw *w, const char *s, size_t n, int attr)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t skip = 1;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		case '\r': rep = "&#xD;"; break;
		case '\n': rep = attr ? "&#xA;" : NULL; break;
		case '\t': rep = attr ? "&#x9;" : NULL; break;
		case 0xc2: /* U+0085 NEL: XML 1.1 line end; kept as written */
			if (i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
				rep = "&#x85;";
				skip = 2;
			}
			break;
		case 0xe2: /* U+2028 LINE SEPARATOR */
			if (i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			    (unsigned char)s[i + 2] == 0xa8) {
				rep = "&#x2028;";
				skip = 3;
			}
			break;
		default: break;
		}
		if (!rep)
			continue;
		put(w, s + from, i - from);
		puts_(w, rep);
		i += skip - 1;
		from = i + 1;
	}
	put(w, s + from, n - from);
}

void rt_xw_start(rt_xw *w, const char *name)
{
	close_start(w);
	put(w, "<", 1);
	puts_(w, name);
	w->open = 1;
	w->depth++;
}

void rt_xw_attr(rt_xw *w, const char *name, const char *value, size_t len)
{
	if (!w->err && !w->open)
		w->err = AL_EINVAL;
	put(w, " ", 1);
	puts_(w, name);
	put(w, "=\"", 2);
	escaped(w, value, len, 1);
	put(w, "\"", 1);
}

void rt_xw_text(rt_xw *w, const char *s, size_t len)
{
	close_start(w);
	escaped(w, s, len, 0);
}

void rt_xw_raw(rt_xw *w, const char *s, size_t len)
{
	close_start(w);
	put(w, s, len);
}

void rt_xw_end(rt_xw *w, const char *name)
{
	close_start(w);
	if (!w->err && w->depth == 0)
		w->err = AL_EINVAL;
	w->depth--;
	put(w, "</", 2);
	puts_(w, name);
	put(w, ">", 1);
}

int rt_xw_finish(rt_xw *w, char **out, size_t *len)
{
	close_start(w);
	if (!w->err && w->depth != 0)
		w->err = AL_EINVAL;
	if (!w->err && !w->buf) {
		w->buf = w_malloc(1);
		if (w->buf)
			w->buf[0] = '\0';
		else
			w->err = AL_ENOMEM;
	}
	int err = w->err;
	if (err) {
		rt_xw_discard(w);
		return err;
	}
	*out = w->buf;
	*len = w->len;
	memset(w, 0, sizeof *w);
	return 0;
}

void rt_xw_discard(rt_xw *w)
{
	w_free(w->buf);
	memset(w, 0, sizeof *w);
}

/* ---- arena ------------------------------------------------------------ */

typedef struct ablock {
	struct ablock *next;
	size_t used, cap;
	/* data follows, max_align_t-aligned */
} ablock;

#define ABLOCK_HDR ((sizeof(ablock) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))
#define ABLOCK_MIN ((size_t)16384)

typedef struct arena {
	ablock *head;
	size_t total;
} arena;

static void *arena_alloc(arena *a, size_t n)
{
	n = (n + 7u) & ~(size_t)7u;
	ablock *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ABLOCK_MIN ? n : ABLOCK_MIN;
		b = w_malloc(ABLOCK_HDR + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
		a->total += cap;
	}
	void *p = (char *)b + ABLOCK_HDR + b->used;
	b->used += n;
	return p;
}

static char *arena_strdup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void arena_free(arena *a)
{
	ablock *b = a->head;
	while (b) {
		ablock *n = b->next;
		wipe(b, ABLOCK_HDR + b->cap);
		free(b);
		b = n;
	}
	a->head = NULL;
}

/* ---- reader ----------------------------------------------------------- */

/* Bound on elements and attributes together: a response body of tens of
 * megabytes of tiny elements would otherwise cost gigabytes of tree. */
#define RT_XML_MAX_NODES 2000000u

typedef struct tbuf {
	char *p;
	size_t len, cap;
} tbuf;

typedef struct pstate {
	XML_Parser p;
	arena *a;
	rt_xnode *root;
	rt_xnode *open[RT_XML_MAX_DEPTH];  /* the open elements */
	rt_xnode *tail[RT_XML_MAX_DEPTH];  /* their last child so far */
	tbuf text[RT_XML_MAX_DEPTH];       /* their character data so far */
	uint32_t depth;
	uint32_t nodes;
	int err;                            /* AL_* once stopped */
	char why[96];
} pstate;

static void stop(pstate *s, int err, const char *why)
{
	if (!s->err) {
		s->err = err;
		snprintf(s->why, sizeof s->why, "%s", why);
	}
	XML_StopParser(s->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	pstate *s = ud;
	if (s->err)
		return;
	if (s->depth >= RT_XML_MAX_DEPTH) {
		stop(s, AL_EPROTO, "elements nested too deep");
		return;
	}
	if (s->depth == 0 && s->root) {
		stop(s, AL_EPROTO, "more than one document element");
		return;
	}
	uint32_t na = 0;
	while (atts[2 * na])
		na++;
	if (na > RT_XML_MAX_NODES - s->nodes - 1) {
		stop(s, AL_ETOOBIG, "too many elements");
		return;
	}
	s->nodes += na + 1;
	rt_xnode *n = arena_alloc(s->a, sizeof *n);
	rt_xattr *at = na ? arena_alloc(s->a, na * sizeof *at) : NULL;
	size_t nl = strlen(name);
	char *nm = arena_strdup(s->a, name, nl);
	if (!n || (na && !at) || !nm) {
		stop(s, AL_ENOMEM, "out of memory");
		return;
	}
	memset(n, 0, sizeof *n);
	n->name = nm;
	const char *colon = strchr(nm, ':');
	n->local = colon ? colon + 1 : nm;
	n->text = "";
	for (uint32_t i = 0; i < na; i++) {
		size_t vl = strlen(atts[2 * i + 1]);
		at[i].name = arena_strdup(s->a, atts[2 * i], strlen(atts[2 * i]));
		at[i].value = arena_strdup(s->a, atts[2 * i + 1], vl);
		at[i].value_len = vl;
		if (!at[i].name || !at[i].value) {
			stop(s, AL_ENOMEM, "out of memory");
			return;
		}
	}
	n->attrs = at;
	n->nattrs = na;
	if (s->depth == 0) {
		s->root = n;
	} else {
		rt_xnode *par = s->open[s->depth - 1];
		n->parent = par;
		if (s->tail[s->depth - 1])
			s->tail[s->depth - 1]->next = n;
		else
			par->child = n;
		s->tail[s->depth - 1] = n;
		par->nchildren++;
	}
	s->open[s->depth] = n;
	s->tail[s->depth] = NULL;
	s->text[s->depth].len = 0;
	s->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)name;
	pstate *s = ud;
	if (s->err || s->depth == 0)
		return;
	s->depth--;
	rt_xnode *n = s->open[s->depth];
	tbuf *t = &s->text[s->depth];
	if (t->len) {
		char *txt = arena_strdup(s->a, t->p, t->len);
		if (!txt) {
			stop(s, AL_ENOMEM, "out of memory");
			return;
		}
		n->text = txt;
		n->text_len = t->len;
		wipe(t->p, t->len);
		t->len = 0;
	}
}

static void XMLCALL on_text(void *ud, const XML_Char *txt, int len)
{
	pstate *s = ud;
	if (s->err || s->depth == 0 || len <= 0)
		return;
	tbuf *t = &s->text[s->depth - 1];
	size_t n = (size_t)len;
	if (t->len + n + 1 > t->cap) {
		size_t nc = t->cap ? t->cap : 64;
		while (nc < t->len + n + 1)
			nc *= 2;
		char *np = w_realloc(t->p, nc);
		if (!np) {
			stop(s, AL_ENOMEM, "out of memory");
			return;
		}
		t->p = np;
		t->cap = nc;
	}
	memcpy(t->p + t->len, txt, n);
	t->len += n;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	stop(ud, AL_EPROTO, "a DOCTYPE (not accepted)");
}

/* Entity declarations outside a DOCTYPE cannot occur; this is a second
 * lock on the same door. */
static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
                              const XML_Char *value, int value_len, const XML_Char *base,
                              const XML_Char *sysid, const XML_Char *pubid,
                              const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)sysid, (void)pubid, (void)notation;
	stop(ud, AL_EPROTO, "an entity declaration (not accepted)");
}

int rt_xml_parse(const char *body, size_t len, rt_xdoc *doc)
{
	memset(doc, 0, sizeof *doc);
	if (len > INT_MAX) {
		snprintf(doc->error, sizeof doc->error, "XML body too large");
		return AL_ETOOBIG;
	}
	arena *a = calloc(1, sizeof *a);
	pstate *s = calloc(1, sizeof *s);
	if (!a || !s) {
		free(a);
		free(s);
		snprintf(doc->error, sizeof doc->error, "out of memory");
		return AL_ENOMEM;
	}
	doc->arena = a;
	s->a = a;
	s->p = XML_ParserCreate_MM(NULL, &wiping_suite, NULL);
	if (!s->p) {
		free(s);
		snprintf(doc->error, sizeof doc->error, "out of memory");
		return AL_ENOMEM;
	}
	XML_SetUserData(s->p, s);
	XML_SetElementHandler(s->p, on_start, on_end);
	XML_SetCharacterDataHandler(s->p, on_text);
	XML_SetStartDoctypeDeclHandler(s->p, on_doctype);
	XML_SetEntityDeclHandler(s->p, on_entity);
	XML_SetParamEntityParsing(s->p, XML_PARAM_ENTITY_PARSING_NEVER);
	enum XML_Status st = XML_Parse(s->p, body ? body : "", (int)len, XML_TRUE);
	int rc = 0;
	if (s->err) {
		rc = s->err;
		snprintf(doc->error, sizeof doc->error, "XML: %s at line %lu", s->why,
		         (unsigned long)XML_GetCurrentLineNumber(s->p));
	} else if (st != XML_STATUS_OK) {
		rc = AL_EPROTO;
		snprintf(doc->error, sizeof doc->error, "XML: %s at line %lu",
		         XML_ErrorString(XML_GetErrorCode(s->p)),
		         (unsigned long)XML_GetCurrentLineNumber(s->p));
	} else if (!s->root) {
		rc = AL_EPROTO;
		snprintf(doc->error, sizeof doc->error, "XML: no document element");
	}
	XML_ParserFree(s->p);
	for (uint32_t i = 0; i < RT_XML_MAX_DEPTH; i++)
		w_free(s->text[i].p);
	if (!rc)
		doc->root = s->root;
	free(s);
	return rc;
}

void rt_xml_free(rt_xdoc *doc)
{
	if (doc->arena) {
		arena_free(doc->arena);
		free(doc->arena);
	}
	doc->arena = NULL;
	doc->root = NULL;
}

int rt_xml_is(const rt_xnode *n, const char *name)
{
	if (strcmp(n->name, name) == 0)
		return 1;
	return n->local != n->name && strchr(name, ':') == NULL && strcmp(n->local, name) == 0;
}

const rt_xnode *rt_xml_child(const rt_xnode *n, const char *name)
{
	for (const rt_xnode *c = n ? n->child : NULL; c; c = c->next)
		if (rt_xml_is(c, name))
			return c;
	return NULL;
}

const rt_xnode *rt_xml_next_named(const rt_xnode *c, const char *name)
{
	for (c = c ? c->next : NULL; c; c = c->next)
		if (rt_xml_is(c, name))
			return c;
	return NULL;
}

const rt_xattr *rt_xml_attr(const rt_xnode *n, const char *name)
{
	for (uint32_t i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return &n->attrs[i];
	return NULL;
}
