/*
 * test_xml.c -- rt_xml (the XML writer and the expat-based reader): known
 * answers for escaping, round trips through the reader, and the documents
 * the reader must refuse (DOCTYPE and entity declarations, nesting past
 * RT_XML_MAX_DEPTH, two roots, malformed input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "rt_xml.h"

static int failures, checks;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

static void test_writer(void)
{
	rt_xw w;
	rt_xw_init(&w);
	rt_xw_start(&w, "Root");
	rt_xw_attr(&w, "xmlns", "http://x/", 9);
	rt_xw_attr(&w, "a", "<\"&'>\n\t\r", 8);
	rt_xw_start(&w, "t");
	rt_xw_text(&w, "a<b>&c\"d\r\n\te", 12);
	rt_xw_end(&w, "t");
	rt_xw_start(&w, "empty");
	rt_xw_end(&w, "empty");
	rt_xw_start(&w, "u");
	rt_xw_text(&w, "\xc2\x85|\xe2\x80\xa8|\xc3\xa9", 9);
	rt_xw_end(&w, "u");
	rt_xw_end(&w, "Root");
	char *doc;
	size_t len;
	CHECK(rt_xw_finish(&w, &doc, &len) == 0, "finish");
	const char *want = "<Root xmlns=\"http://x/\" a=\"&lt;&quot;&amp;'&gt;&#xA;&#x9;&#xD;\">"
	                   "<t>a&lt;b&gt;&amp;c\"d&#xD;\n\te</t><empty></empty>"
	                   "<u>&#x85;|&#x2028;|\xc3\xa9</u></Root>";
	CHECK(strcmp(doc, want) == 0, "writer:\n got %s\nwant %s", doc, want);
	CHECK(len == strlen(want), "length");

	/* The writer's own output reads back to the same values. */
	rt_xdoc d;
	CHECK(rt_xml_parse(doc, len, &d) == 0, "reparse: %s", d.error);
	if (d.root) {
		const rt_xattr *a = rt_xml_attr(d.root, "a");
		CHECK(a && strcmp(a->value, "<\"&'>\n\t\r") == 0, "attribute round trip");
		const rt_xnode *t = rt_xml_child(d.root, "t");
		CHECK(t && strcmp(t->text, "a<b>&c\"d\r\n\te") == 0, "text round trip: [%s]",
		      t ? t->text : "");
		const rt_xnode *u = rt_xml_child(d.root, "u");
		CHECK(u && strcmp(u->text, "\xc2\x85|\xe2\x80\xa8|\xc3\xa9") == 0, "NEL/LS round trip");
		const rt_xnode *e = rt_xml_child(d.root, "empty");
		CHECK(e && e->text_len == 0 && e->text[0] == '\0' && !e->child, "empty element");
	}
	rt_xml_free(&d);
	free(doc);

	/* Sticky errors: an end without a start, an attribute after content. */
	rt_xw_init(&w);
	rt_xw_end(&w, "x");
	CHECK(rt_xw_finish(&w, &doc, &len) == AL_EINVAL, "end without start");
	rt_xw_init(&w);
	rt_xw_start(&w, "x");
	rt_xw_text(&w, "t", 1);
	rt_xw_attr(&w, "a", "b", 1);
	rt_xw_end(&w, "x");
	CHECK(rt_xw_finish(&w, &doc, &len) == AL_EINVAL, "attribute after content");
	rt_xw_init(&w);
	rt_xw_start(&w, "x");
	CHECK(rt_xw_finish(&w, &doc, &len) == AL_EINVAL, "unclosed element");
	rt_xw_init(&w);
	CHECK(rt_xw_finish(&w, &doc, &len) == 0 && len == 0 && doc[0] == '\0', "empty document");
	free(doc);
}

static void test_reader(void)
{
	static const char body[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<a:Resp xmlns:a=\"urn:a\" xmlns=\"urn:d\" x=\"1\" xsi:type=\"T\">\n"
		"  <Name>one &amp; <![CDATA[<two>]]>&#x41;&#65;</Name>\n"
		"  <List><member>1</member><member>2</member><other/><member>3</member></List>\n"
		"  <a:Prefixed>p</a:Prefixed>\n"
		"  <Self/>\n"
		"  <Mixed>x<b>in</b>y</Mixed>\n"
		"</a:Resp>";
	rt_xdoc d;
	int rc = rt_xml_parse(body, sizeof body - 1, &d);
	CHECK(rc == 0, "parse: %s", d.error);
	if (!rc) {
		const rt_xnode *r = d.root;
		CHECK(strcmp(r->name, "a:Resp") == 0 && strcmp(r->local, "Resp") == 0, "root name");
		CHECK(rt_xml_is(r, "Resp") && rt_xml_is(r, "a:Resp") && !rt_xml_is(r, "b:Resp"),
		      "rt_xml_is");
		CHECK(r->nattrs == 4, "attributes: %u", r->nattrs);
		const rt_xattr *t = rt_xml_attr(r, "xsi:type");
		CHECK(t && strcmp(t->value, "T") == 0, "prefixed attribute kept as written");
		const rt_xnode *n = rt_xml_child(r, "Name");
		CHECK(n && strcmp(n->text, "one & <two>AA") == 0, "entities, CDATA, char refs: [%s]",
		      n ? n->text : "");
		const rt_xnode *l = rt_xml_child(r, "List");
		CHECK(l && l->nchildren == 4, "children");
		int k = 0;
		const char *want[] = { "1", "2", "3" };
		for (const rt_xnode *m = rt_xml_child(l, "member"); m; m = rt_xml_next_named(m, "member"))
			CHECK(k < 3 && strcmp(m->text, want[k++]) == 0, "member %d", k);
		CHECK(k == 3, "three members");
		CHECK(rt_xml_child(r, "Prefixed") != NULL, "prefixed child by local name");
		const rt_xnode *s = rt_xml_child(r, "Self");
		CHECK(s && s->text_len == 0 && s->parent == r, "self-closed");
		const rt_xnode *mx = rt_xml_child(r, "Mixed");
		CHECK(mx && strcmp(mx->text, "xy") == 0 && strcmp(mx->child->text, "in") == 0,
		      "mixed content");
		CHECK(rt_xml_child(r, "Missing") == NULL, "missing child");
	}
	rt_xml_free(&d);
	rt_xml_free(&d); /* twice is harmless */
}

static void refuse(const char *what, const char *body, int want)
{
	rt_xdoc d;
	int rc = rt_xml_parse(body, strlen(body), &d);
	CHECK(rc == want && d.root == NULL && d.error[0], "%s: rc %d (%s)", what, rc, d.error);
	rt_xml_free(&d);
}

static void test_refusals(void)
{
	refuse("doctype", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>", AL_EPROTO);
	refuse("billion laughs",
	       "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY l0 \"ha\">"
	       "<!ENTITY l1 \"&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;\">]><l>&l1;</l>",
	       AL_EPROTO);
	refuse("external entity",
	       "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>", AL_EPROTO);
	refuse("undefined entity", "<x>&nope;</x>", AL_EPROTO);
	refuse("empty", "", AL_EPROTO);
	refuse("whitespace", "  \n", AL_EPROTO);
	refuse("unclosed", "<a><b></a>", AL_EPROTO);
	refuse("two roots", "<a/><b/>", AL_EPROTO);
	refuse("text only", "hello", AL_EPROTO);
	refuse("bad utf-8", "<a>\xff\xfe</a>", AL_EPROTO);

	/* Nesting: RT_XML_MAX_DEPTH is accepted, one more is not. */
	size_t depth = RT_XML_MAX_DEPTH;
	char *deep = malloc(8 * (depth + 1) + 1);
	char *p = deep;
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	rt_xdoc d;
	CHECK(rt_xml_parse(deep, (size_t)(p - deep), &d) == 0, "max depth accepted: %s", d.error);
	rt_xml_free(&d);
	p = deep;
	for (size_t i = 0; i <= depth; i++)
		p += sprintf(p, "<a>");
	for (size_t i = 0; i <= depth; i++)
		p += sprintf(p, "</a>");
	CHECK(rt_xml_parse(deep, (size_t)(p - deep), &d) == AL_EPROTO, "too deep refused");
	rt_xml_free(&d);
	free(deep);

	/* A body that is not NUL-terminated is read to its length only. */
	char buf[8];
	memcpy(buf, "<a>b</a>", 8);
	CHECK(rt_xml_parse(buf, 8, &d) == 0 && strcmp(d.root->text, "b") == 0,
	      "unterminated input");
	rt_xml_free(&d);
}

/* A large flat document: many siblings, long text split across expat
 * buffers, arena blocks chained. */
static void test_large(void)
{
	size_t n = 50000;
	size_t cap = n * 40 + 100000;
	char *b = malloc(cap);
	char *p = b;
	p += sprintf(p, "<r>");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "<m k=\"%zu\">v%zu</m>", i, i);
	p += sprintf(p, "<big>");
	for (size_t i = 0; i < 70000; i++)
		*p++ = (char)('a' + i % 26);
	p += sprintf(p, "</big></r>");
	rt_xdoc d;
	int rc = rt_xml_parse(b, (size_t)(p - b), &d);
	CHECK(rc == 0, "large: %s", d.error);
	if (!rc) {
		CHECK(d.root->nchildren == n + 1, "large: children %u", d.root->nchildren);
		const rt_xnode *big = rt_xml_child(d.root, "big");
		CHECK(big && big->text_len == 70000 && big->text[69999] == (char)('a' + 69999 % 26),
		      "large text");
		size_t i = 0;
		int ok = 1;
		char want[32];
		for (const rt_xnode *m = rt_xml_child(d.root, "m"); m; m = rt_xml_next_named(m, "m"), i++) {
			snprintf(want, sizeof want, "v%zu", i);
			ok &= strcmp(m->text, want) == 0;
		}
		CHECK(ok && i == n, "large: order kept");
	}
	rt_xml_free(&d);
	free(b);
}

int main(void)
{
	test_writer();
	test_reader();
	test_refusals();
	test_large();
	printf("test_xml: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
