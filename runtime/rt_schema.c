/*
 * rt_schema.c -- the JSON Schema (draft 2020-12) of an operation's input,
 * generated from the catalog; and the helpers rt_validate.c shares with it
 * (constraints of a value, translation of Smithy patterns).  See
 * rt_schema.h and rt_schema_int.h.
 *
 * Mapping (Smithy -> JSON Schema), chosen so that rt_validate() accepts
 * exactly what the schema accepts:
 *   structure   {"type":"object","properties":{..},"required":[..],
 *                "additionalProperties":false}
 *   union       {"oneOf":[{"type":"object","properties":{"A":..},
 *                "required":["A"],"additionalProperties":false}, ..]}: one
 *                single-property object per member (rather than
 *                minProperties/maxProperties 1, so that each member keeps
 *                its own schema); an event-stream union is an array of
 *                such events
 *   list        {"type":"array","items":..,"minItems","maxItems",
 *                "uniqueItems"}; sparse lists allow null items
 *   map         {"type":"object","additionalProperties":<value>,
 *                "propertyNames":<key: enum/pattern/length>,
 *                "minProperties","maxProperties"}
 *   string      {"type":"string","minLength","maxLength","pattern"}; lengths
 *                count Unicode code points, as both Smithy and JSON Schema do
 *   enum        {"type":"string","enum":[values]}; intEnum: integers
 *   byte..long  {"type":"integer","minimum","maximum"}: the range trait
 *                intersected with the type's own range
 *   float..     {"type":"number"}; bigInteger "integer", bigDecimal "number"
 *   boolean     {"type":"boolean"}
 *   blob        {"type":"string","contentEncoding":"base64","pattern":..}:
 *                padded RFC 4648 base64 (the pattern makes it an assertion;
 *                contentEncoding alone is an annotation); streaming payloads
 *                too.  A length trait bounds the decoded bytes, which JSON
 *                Schema cannot say: it goes into the description.
 *   timestamp   {"type":"string","format":"date-time"}: RFC 3339 only, no
 *                epoch numbers -- one form for agents, and the serializer
 *                converts it to the protocol's format.
 *   document    {} (any JSON value)
 * Members carry "description" (their summary) and "default" (the Smithy
 * default, unless it is null).  Members bound to httpResponseCode are left
 * out; the idempotency token is optional.  @required members are
 * "required" even when @clientOptional (see rt_member_required).
 *
 * $defs: a shape goes to "$defs" (keyed by its name) when the input
 * reaches it through more than one member and it is an aggregate, an enum
 * or a patterned scalar; everything else is written inline.  Every
 * recursive shape is therefore in $defs (a cycle is entered through a
 * second reference), except the input itself, which recursion reaches as
 * {"$ref":"#"}.  Each inline shape has exactly one reference, so each shape
 * is written once: the schema is linear in the size of the input's shape
 * closure.
 */
#include "rt_schema.h"
#include "rt_schema_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== constraints ===================================================== */

void rt_cons_of(const alc_catalog *cat, uint32_t shape, const alc_member *m,
                rt_cons *out)
{
	memset(out, 0, sizeof *out);
	const alc_shape *s = &cat->shapes[shape];
	if (s->cons != ALC_NONE) {
		const alc_cons *c = &cat->cons[s->cons];
		out->flags = c->flags;
		out->len_min = c->len_min;
		out->len_max = c->len_max;
		out->range_min = c->range_min;
		out->range_max = c->range_max;
		out->range_min_text = c->range_min_text;
		out->range_max_text = c->range_max_text;
		if (c->flags & ALC_C_PATTERN)
			out->pattern[0] = c->pattern;
	}
	const alc_member_ext *x = m ? alc_member_ext_of(cat, m) : NULL;
	if (!x || x->cons == ALC_NONE)
		return;
	/* The member's constraints narrow the shape's: keep the stricter. */
	const alc_cons *c = &cat->cons[x->cons];
	if ((c->flags & ALC_C_LEN_MIN) &&
	    (!(out->flags & ALC_C_LEN_MIN) || c->len_min > out->len_min))
		out->len_min = c->len_min;
	if ((c->flags & ALC_C_LEN_MAX) &&
	    (!(out->flags & ALC_C_LEN_MAX) || c->len_max < out->len_max))
		out->len_max = c->len_max;
	if ((c->flags & ALC_C_RANGE_MIN) &&
	    (!(out->flags & ALC_C_RANGE_MIN) || c->range_min > out->range_min)) {
		out->range_min = c->range_min;
		out->range_min_text = c->range_min_text;
	}
	if ((c->flags & ALC_C_RANGE_MAX) &&
	    (!(out->flags & ALC_C_RANGE_MAX) || c->range_max < out->range_max)) {
		out->range_max = c->range_max;
		out->range_max_text = c->range_max_text;
	}
	if (c->flags & ALC_C_PATTERN) {
		if (!out->pattern[0])
			out->pattern[0] = c->pattern;
		else if (c->pattern != out->pattern[0])
			out->pattern[1] = c->pattern;
	}
	out->flags |= c->flags;
}

int rt_int_bounds(uint8_t type, double *min, double *max, int *max_strict)
{
	*max_strict = 0;
	switch (type) {
	case ALC_T_BYTE: *min = -128.0; *max = 127.0; return 1;
	case ALC_T_SHORT: *min = -32768.0; *max = 32767.0; return 1;
	case ALC_T_INTEGER: *min = -2147483648.0; *max = 2147483647.0; return 1;
	case ALC_T_LONG:
		*min = -9223372036854775808.0;
		*max = 9223372036854775808.0;
		*max_strict = 1;
		return 1;
	default:
		return 0;
	}
}

/* ==== pattern translation ============================================= *
 * One pass over the source with a small state: inside a class or not, the
 * group depth, and (ECMA) the depth at which (?i) took effect.  Atoms of a
 * class are parsed whole so that ranges can be clamped (PCRE2: surrogate
 * endpoints) or doubled (ECMA: case-insensitive letters). */

#define RX_GROUPS 64             /* nesting of groups translated */

typedef struct rx {
	const char *s;
	size_t i;
	int target;
	char *out;
	size_t n, cap;
	int bad;
	int depth;
	int ci_depth;            /* ECMA: (?i) active for groups >= this; -1 */
	int dotall_depth;        /* ECMA: (?s) likewise */
	size_t gstart[RX_GROUPS];/* output offset of each open group */
	unsigned char glook[RX_GROUPS]; /* the group is a lookaround */
} rx;

enum { A_CP, A_SET, A_KEEP, A_START, A_END };

typedef struct atom {
	int kind;
	uint32_t cp;             /* A_CP */
	int escaped;             /* A_CP came from an escape */
	const char *txt;         /* A_SET content, A_KEEP verbatim text */
	size_t len;
	int brackets;            /* A_SET: content is class ranges */
	int negated;             /* A_SET with brackets: complement */
	char buf[48];
} atom;

static void w_mem(rx *r, const char *p, size_t n)
{
	if (r->n + n >= r->cap) {
		r->bad = 1;
		return;
	}
	memcpy(r->out + r->n, p, n);
	r->n += n;
}

static void w_str(rx *r, const char *p)
{
	w_mem(r, p, strlen(p));
}

static void w_ch(rx *r, char c)
{
	w_mem(r, &c, 1);
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* N hex digits at P into *V; 0 when they are not there. */
static int hex_fixed(const char *p, int n, uint32_t *v)
{
	uint32_t x = 0;
	for (int k = 0; k < n; k++) {
		int h = hexv(p[k]);
		if (h < 0)
			return 0;
		x = x * 16 + (uint32_t)h;
	}
	*v = x;
	return 1;
}

/* "{h..}" at P: code point into *V, bytes used into *used; 0 if absent. */
static int hex_braced(const char *p, uint32_t *v, size_t *used)
{
	if (p[0] != '{')
		return 0;
	uint32_t x = 0;
	size_t k = 1;
	for (; hexv(p[k]) >= 0; k++) {
		x = x * 16 + (uint32_t)hexv(p[k]);
		if (x > 0x10FFFF)
			return 0;
	}
	if (k == 1 || p[k] != '}')
		return 0;
	*v = x;
	*used = k + 1;
	return 1;
}

/* Decode one UTF-8 sequence at P (any bytes: a bad sequence yields its
 * first byte, which the engine will reject).  Returns bytes used. */
static size_t utf8_dec(const char *p, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] < 0x80) { *cp = u[0]; return 1; }
	if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
		return 2;
	}
	if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) |
		      (u[2] & 0x3F);
		return 3;
	}
	if ((u[0] & 0xF8) == 0xF0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
	    (u[3] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
		      ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
		return 4;
	}
	*cp = u[0];
	return 1;
}

static int is_surrogate(uint32_t cp)
{
	return cp >= 0xD800 && cp <= 0xDFFF;
}

static int ci_on(const rx *r)
{
	return r->target == RT_RX_ECMA && r->ci_depth >= 0;
}

static int ascii_alpha(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint32_t other_case(uint32_t c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c + 32;
}

/* One code point as pattern text, escaped only where needed. */
static void emit_cp(rx *r, uint32_t cp, int in_class)
{
	static const char syntax[] = "^$\\.*+?()[]{}|/";
	char b[32];
	if (ascii_alpha(cp) && ci_on(r)) {
		snprintf(b, sizeof b, in_class ? "%c%c" : "[%c%c]", (char)cp,
		         (char)other_case(cp));
		w_str(r, b);
	} else if (cp < 0x80 && ((cp >= '0' && cp <= '9') || ascii_alpha(cp))) {
		w_ch(r, (char)cp);
	} else if (cp > 0 && cp < 0x80 && strchr(syntax, (int)cp)) {
		w_ch(r, '\\');
		w_ch(r, (char)cp);
	} else if (cp == '-') {
		w_str(r, in_class ? "\\-" : "-");
	} else if (cp >= 0x20 && cp < 0x7F) {
		w_ch(r, (char)cp);
	} else if (r->target == RT_RX_PCRE2) {
		snprintf(b, sizeof b, "\\x{%X}", cp);
		w_str(r, b);
	} else if (cp <= 0xFFFF) {
		snprintf(b, sizeof b, "\\u%04X", cp);
		w_str(r, b);
	} else {
		uint32_t v = cp - 0x10000;
		snprintf(b, sizeof b, "\\u%04X\\u%04X", 0xD800 + (v >> 10),
		         0xDC00 + (v & 0x3FF));
		w_str(r, b);
	}
}

/* Java's POSIX classes are US-ASCII; written as ranges valid in both
 * targets. */
static const struct { const char *name; const char *set; } posix_sets[] = {
	{ "Lower", "a-z" }, { "Upper", "A-Z" }, { "ASCII", "\\x00-\\x7F" },
	{ "Alpha", "a-zA-Z" }, { "Digit", "0-9" }, { "Alnum", "a-zA-Z0-9" },
	{ "Punct", "!-\\/:-@\\[-`\\{-~" }, { "Graph", "!-~" }, { "Print", " -~" },
	{ "Blank", " \\t" }, { "Cntrl", "\\x00-\\x1F\\x7F" },
	{ "XDigit", "0-9a-fA-F" }, { "Space", " \\t\\n\\x0B\\f\\r" },
	{ "Word", "a-zA-Z0-9_" },
};

static const char *posix_set(const char *name, size_t n, int any_case)
{
	for (size_t k = 0; k < sizeof posix_sets / sizeof posix_sets[0]; k++) {
		const char *p = posix_sets[k].name;
		if (strlen(p) != n)
			continue;
		if (any_case ? strncasecmp(p, name, n) == 0 : strncmp(p, name, n) == 0)
			return posix_sets[k].set;
	}
	return NULL;
}

/* General categories and the binary properties both engines know. */
static int ecma_property(const char *name, size_t n)
{
	static const char *const ok[] = {
		"L", "Lu", "Ll", "Lt", "Lm", "Lo", "LC", "M", "Mn", "Mc", "Me",
		"N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf",
		"Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc",
		"Cf", "Cs", "Co", "Cn", "Any", "ASCII", "Alphabetic", "White_Space",
		"Uppercase", "Lowercase",
	};
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
		if (strlen(ok[k]) == n && strncmp(ok[k], name, n) == 0)
			return 1;
	return 0;
}

/* \p{NAME} or \P{NAME} (NEG) into A. */
static void property_atom(rx *r, atom *a, const char *name, size_t n, int neg)
{
	const char *set;
	a->kind = A_SET;
	a->negated = neg;
	if ((set = posix_set(name, n, 0)) != NULL) {
		a->txt = set;
		a->len = strlen(set);
		a->brackets = 1;
		return;
	}
	if (n == 2 && memcmp(name, "LD", 2) == 0) {
		a->txt = "\\p{L}\\p{Nd}";
		a->len = strlen(a->txt);
		a->brackets = 1;
		return;
	}
	if (n > 2 && memcmp(name, "Is", 2) == 0) { /* Java: \p{IsAlphabetic} */
		name += 2;
		n -= 2;
		if ((n == 10 && memcmp(name, "Whitespace", 10) == 0) ||
		    (n == 11 && memcmp(name, "White_Space", 11) == 0)) {
			name = "White_Space";
			n = 11;
		}
	}
	if (n == 3 && memcmp(name, "all", 3) == 0) {
		name = "Any";
		n = 3;
	}
	if (r->target == RT_RX_ECMA && !ecma_property(name, n)) {
		r->bad = 1;
		return;
	}
	int k = snprintf(a->buf, sizeof a->buf, "\\%c{%.*s}", neg ? 'P' : 'p',
	                 (int)n, name);
	if (k < 0 || (size_t)k >= sizeof a->buf) {
		r->bad = 1;
		return;
	}
	a->txt = a->buf;
	a->len = (size_t)k;
	a->brackets = 0;
	a->negated = 0;
}

/* The escape at r->s[r->i] == '\\'. */
static void parse_escape(rx *r, atom *a, int in_class)
{
	const char *p = r->s + r->i;
	char c = p[1];
	uint32_t v, lo;
	size_t used;
	memset(a, 0, sizeof *a);
	a->kind = A_CP;
	a->escaped = 1;
	a->txt = p;
	switch (c) {
	case '\0':
		r->bad = 1;
		return;
	case 'u':
		if (hex_fixed(p + 2, 4, &v)) {
			r->i += 6;
			/* A surrogate pair written as two escapes is one code
			 * point (as in ECMA's u mode). */
			if (v >= 0xD800 && v <= 0xDBFF && r->s[r->i] == '\\' &&
			    r->s[r->i + 1] == 'u' && hex_fixed(r->s + r->i + 2, 4, &lo) &&
			    lo >= 0xDC00 && lo <= 0xDFFF) {
				v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
				r->i += 6;
			}
			a->cp = v;
			return;
		}
		if (hex_braced(p + 2, &v, &used)) {
			r->i += 2 + used;
			a->cp = v;
			return;
		}
		r->bad = 1;
		return;
	case 'x':
		if (hex_braced(p + 2, &v, &used)) {
			r->i += 2 + used;
			a->cp = v;
			return;
		}
		if (hex_fixed(p + 2, 2, &v)) {
			r->i += 4;
			a->cp = v;
			return;
		}
		r->bad = 1;
		return;
	case 'p': case 'P': {
		const char *name = p + 2;
		size_t n;
		if (*name == '{') {
			const char *e = strchr(name, '}');
			if (!e) {
				r->bad = 1;
				return;
			}
			n = (size_t)(e - name - 1);
			name++;
			r->i += 3 + n + 1;
		} else if (ascii_alpha((unsigned char)*name)) {
			n = 1;                /* \pL */
			r->i += 3;
		} else {
			r->bad = 1;
			return;
		}
		property_atom(r, a, name, n, c == 'P');
		return;
	}
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
		a->kind = A_SET;
		a->len = 2;
		r->i += 2;
		return;
	case 'b':
		r->i += 2;
		if (in_class) {
			a->cp = 8;
			return;
		}
		a->kind = A_KEEP;
		a->len = 2;
		return;
	case 'B':
		r->i += 2;
		a->kind = A_KEEP;
		a->len = 2;
		if (in_class)
			r->bad = 1;
		return;
	case 'n': a->cp = '\n'; r->i += 2; return;
	case 'r': a->cp = '\r'; r->i += 2; return;
	case 't': a->cp = '\t'; r->i += 2; return;
	case 'f': a->cp = '\f'; r->i += 2; return;
	case 'v': a->cp = '\v'; r->i += 2; return;
	case 'e': a->cp = 0x1B; r->i += 2; return;
	case 'a': a->cp = 0x07; r->i += 2; return;
	case '0': {
		/* Java octal: \0n, \0nn, \0mnn (m <= 3). */
		size_t k = 2;
		uint32_t o = 0;
		while (k < 5 && p[k] >= '0' && p[k] <= '7' &&
		       (k < 4 || p[2] <= '3')) {
			o = o * 8 + (uint32_t)(p[k] - '0');
			k++;
		}
		a->cp = o;
		r->i += k;
		return;
	}
	case 'c':
		if (!ascii_alpha((unsigned char)p[2])) {
			r->bad = 1;
			return;
		}
		a->cp = (uint32_t)(p[2] & 31);
		r->i += 3;
		return;
	case 'A':
		a->kind = in_class ? A_CP : A_START;
		a->len = 2;
		r->i += 2;
		if (in_class)
			r->bad = 1;
		return;
	case 'z': case 'Z':
		a->kind = in_class ? A_CP : A_END;
		a->len = 2;
		r->i += 2;
		if (in_class)
			r->bad = 1;
		return;
	case 'k':
		if (p[2] == '<' && !in_class) {
			const char *e = strchr(p + 3, '>');
			if (!e) {
				r->bad = 1;
				return;
			}
			a->kind = A_KEEP;
			a->len = (size_t)(e + 1 - p);
			r->i += a->len;
			return;
		}
		r->bad = 1;
		return;
	default:
		break;
	}
	if (c >= '1' && c <= '9') {
		/* Back reference (the digits that follow belong to it). */
		size_t k = 2;
		while (p[k] >= '0' && p[k] <= '9')
			k++;
		a->kind = A_KEEP;
		a->len = k;
		r->i += k;
		if (in_class)
			r->bad = 1;
		return;
	}
	if (ascii_alpha((unsigned char)c)) {
		/* \h \R \X \Q \G ...: PCRE2 decides; no ECMA equivalent. */
		a->kind = A_KEEP;
		a->len = 2;
		r->i += 2;
		if (r->target == RT_RX_ECMA || c == 'Q' || c == 'E')
			r->bad = 1;
		return;
	}
	/* Identity escape of punctuation, space or any other character. */
	used = utf8_dec(p + 1, &a->cp);
	r->i += 1 + used;
}

static void emit_set(rx *r, const atom *a, int in_class)
{
	if (!a->brackets) {
		w_mem(r, a->txt, a->len);
		return;
	}
	if (in_class) {
		if (a->negated) {
			r->bad = 1;
			return;
		}
		w_mem(r, a->txt, a->len);
		return;
	}
	w_str(r, a->negated ? "[^" : "[");
	w_mem(r, a->txt, a->len);
	w_ch(r, ']');
}

/* One class atom at r->i (not the closing bracket). */
static void class_atom(rx *r, atom *a)
{
	const char *p = r->s + r->i;
	if (*p == '\\') {
		parse_escape(r, a, 1);
		return;
	}
	memset(a, 0, sizeof *a);
	if (p[0] == '[' && p[1] == ':') {
		/* POSIX [:name:] or [:^name:] */
		const char *e = strstr(p + 2, ":]");
		int neg = p[2] == '^';
		const char *name = p + 2 + neg;
		const char *set = e ? posix_set(name, (size_t)(e - name), 1) : NULL;
		if (!set) {
			r->bad = 1;
			return;
		}
		a->kind = A_SET;
		a->brackets = 1;
		a->negated = neg;
		a->txt = set;
		a->len = strlen(set);
		r->i = (size_t)(e + 2 - r->s);
		return;
	}
	a->kind = A_CP;
	r->i += utf8_dec(p, &a->cp);
}

static void emit_class_cp(rx *r, uint32_t cp)
{
	if (r->target == RT_RX_PCRE2 && is_surrogate(cp))
		return; /* no valid UTF-8 string holds one */
	emit_cp(r, cp, 1);
}

static void emit_range(rx *r, uint32_t lo, uint32_t hi)
{
	if (r->target == RT_RX_PCRE2) {
		if (is_surrogate(lo))
			lo = 0xE000;
		if (is_surrogate(hi))
			hi = 0xD7FF;
		if (lo > hi)
			return;
	}
	if (ci_on(r) && ascii_alpha(lo) && ascii_alpha(hi) &&
	    ((lo >= 'a') == (hi >= 'a'))) {
		/* Both cases: write the range twice without doubling letters. */
		int save = r->ci_depth;
		r->ci_depth = -1;
		emit_cp(r, lo, 1); w_ch(r, '-'); emit_cp(r, hi, 1);
		emit_cp(r, other_case(lo), 1); w_ch(r, '-'); emit_cp(r, other_case(hi), 1);
		r->ci_depth = save;
		return;
	}
	emit_cp(r, lo, 1);
	w_ch(r, '-');
	emit_cp(r, hi, 1);
}

static void parse_class(rx *r);

/* Java's class intersection [X&&[Y]] at r->s[r->i] == '&': written as
 * (?:(?=[Y])[X]), which both targets read.  The class so far, X, is at
 * out[body, n) and the class began at out[start]. */
static void intersect(rx *r, size_t start, size_t body, int neg)
{
	char x[512];
	size_t xn = r->n - body;
	if (neg || r->s[r->i + 2] != '[' || xn == 0 || xn >= sizeof x) {
		r->bad = 1;
		return;
	}
	memcpy(x, r->out + body, xn);
	r->n = start;
	r->i += 2;
	w_str(r, "(?:(?=");
	parse_class(r);
	w_str(r, ")[");
	w_mem(r, x, xn);
	w_str(r, "])");
	if (r->s[r->i] != ']')
		r->bad = 1;
	else
		r->i++;
}

/* The class at r->s[r->i] == '['. */
static void parse_class(rx *r)
{
	size_t start = r->n;
	int neg = 0;
	w_ch(r, '[');
	r->i++;
	if (r->s[r->i] == '^') {
		neg = 1;
		w_ch(r, '^');
		r->i++;
	}
	size_t body = r->n;
	int first = 1;
	while (!r->bad) {
		char c = r->s[r->i];
		if (!c) {
			r->bad = 1;
			return;
		}
		if (c == ']' && !first) {
			r->i++;
			break;
		}
		if (c == '&' && r->s[r->i + 1] == '&') {
			intersect(r, start, body, neg);
			return;
		}
		atom a;
		class_atom(r, &a);
		first = 0;
		if (r->bad)
			return;
		if (a.kind == A_CP && r->s[r->i] == '-' && r->s[r->i + 1] &&
		    r->s[r->i + 1] != ']') {
			size_t save = r->i;
			r->i++;
			atom b;
			class_atom(r, &b);
			if (r->bad)
				return;
			if (b.kind == A_CP) {
				emit_range(r, a.cp, b.cp);
				continue;
			}
			r->i = save;           /* "-" then a set: a literal hyphen */
		}
		if (a.kind == A_CP)
			emit_class_cp(r, a.cp);
		else if (a.kind == A_SET)
			emit_set(r, &a, 1);
		else
			r->bad = 1;
	}
	if (r->n == body) {
		/* Nothing left (only surrogates): never / always matches. */
		r->n = start;
		w_str(r, neg ? "[\\x{0}-\\x{10FFFF}]" : "[^\\x{0}-\\x{10FFFF}]");
		return;
	}
	w_ch(r, ']');
}

/* ECMA: a quantifier {n}, {n,}, {n,m} at P; its length or 0. */
static size_t quantifier_len(const char *p)
{
	size_t k = 1;
	if (!(p[k] >= '0' && p[k] <= '9'))
		return 0;
	while (p[k] >= '0' && p[k] <= '9')
		k++;
	if (p[k] == ',') {
		k++;
		while (p[k] >= '0' && p[k] <= '9')
			k++;
	}
	return p[k] == '}' ? k + 1 : 0;
}

static void open_group(rx *r, size_t at, int look)
{
	if (r->depth >= RX_GROUPS) {
		r->bad = 1;
		return;
	}
	r->gstart[r->depth] = at;
	r->glook[r->depth] = (unsigned char)look;
	r->depth++;
}

/* ECMA's u mode refuses a quantified lookaround, which Java and PCRE2
 * accept: (?!x)+ is the assertion itself, (?!x)* and (?!x)? assert
 * nothing.  The group was written at out[at, n). */
static void lookaround_quantifier(rx *r, size_t at)
{
	const char *p = r->s + r->i;
	size_t q = 0;
	int optional = 0;
	if (*p == '+') {
		q = 1;
	} else if (*p == '*' || *p == '?') {
		q = 1;
		optional = 1;
	} else if (*p == '{' && (q = quantifier_len(p)) != 0) {
		optional = p[1] == '0' && !(p[2] >= '0' && p[2] <= '9');
	}
	if (!q)
		return;
	if (p[q] == '?')
		q++;                  /* lazy: the same for an assertion */
	r->i += q;
	if (optional)
		r->n = at;
}

long rt_pattern_translate(const char *src, int target, char *out, size_t cap)
{
	rx r = { .s = src, .target = target, .out = out, .cap = cap, .ci_depth = -1,
	         .dotall_depth = -1 };
	if (!cap)
		return -1;
	while (r.s[r.i] && !r.bad) {
		const char *p = r.s + r.i;
		char c = *p;
		atom a;
		switch (c) {
		case '\\':
			parse_escape(&r, &a, 0);
			if (r.bad)
				break;
			switch (a.kind) {
			case A_CP:
				if (target == RT_RX_PCRE2 && is_surrogate(a.cp))
					r.bad = 1;
				else
					emit_cp(&r, a.cp, 0);
				break;
			case A_SET:
				emit_set(&r, &a, 0);
				break;
			case A_KEEP:
				w_mem(&r, a.txt, a.len);
				break;
			case A_START:
				w_str(&r, target == RT_RX_ECMA ? "^" : "\\A");
				break;
			default:
				if (target == RT_RX_ECMA)
					w_ch(&r, '$');
				else
					w_mem(&r, a.txt, a.len);
				break;
			}
			break;
		case '[':
			parse_class(&r);
			break;
		case '(': {
			size_t at = r.n;
			int look = 0;
			if (p[1] != '?') {
				w_ch(&r, '(');
				r.i++;
				open_group(&r, at, 0);
				break;
			}
			if (target == RT_RX_ECMA && strncmp(p, "(?i)", 4) == 0) {
				if (r.ci_depth < 0)
					r.ci_depth = r.depth;
				r.i += 4;
				break;
			}
			if (target == RT_RX_ECMA && strncmp(p, "(?s)", 4) == 0) {
				if (r.dotall_depth < 0)
					r.dotall_depth = r.depth;
				r.i += 4;
				break;
			}
			if (target == RT_RX_ECMA && strncmp(p, "(?i:", 4) == 0) {
				w_str(&r, "(?:");
				r.i += 4;
				open_group(&r, at, 0);
				if (r.ci_depth < 0)
					r.ci_depth = r.depth;
				break;
			}
			look = p[2] == '=' || p[2] == '!' ||
			       (p[2] == '<' && (p[3] == '=' || p[3] == '!'));
			if (target == RT_RX_ECMA && !look && p[2] != ':' &&
			    !(p[2] == '<' && ascii_alpha((unsigned char)p[3]))) {
				r.bad = 1;   /* flags, atomic groups, comments */
				break;
			}
			w_str(&r, "(?");
			r.i += 2;
			open_group(&r, at, look);
			break;
		}
		case ')': {
			if (r.depth == 0) {
				r.bad = 1;
				break;
			}
			if (r.ci_depth == r.depth)
				r.ci_depth = -1;
			if (r.dotall_depth == r.depth)
				r.dotall_depth = -1;
			r.depth--;
			w_ch(&r, ')');
			r.i++;
			if (target == RT_RX_ECMA && r.glook[r.depth])
				lookaround_quantifier(&r, r.gstart[r.depth]);
			break;
		}
		case '{': {
			size_t q = quantifier_len(p);
			if (target == RT_RX_ECMA && !q) {
				w_str(&r, "\\{");
				r.i++;
				break;
			}
			if (!q)
				q = 1;
			w_mem(&r, p, q);
			r.i += q;
			if (target == RT_RX_ECMA && r.s[r.i] == '+') {
				/* Possessive: the same as greedy for an exact count
				 * {n}+ (nothing to give back); else not ECMA. */
				if (memchr(p, ',', q))
					r.bad = 1;
				r.i++;
			}
			break;
		}
		case '}':
		case ']':
			if (target == RT_RX_ECMA)
				w_ch(&r, '\\');
			w_ch(&r, c);
			r.i++;
			break;
		case '*': case '+': case '?':
			w_ch(&r, c);
			r.i++;
			if (target == RT_RX_ECMA && r.s[r.i] == '+')
				r.bad = 1;   /* possessive */
			break;
		case '.':
			w_str(&r, target == RT_RX_ECMA && r.dotall_depth >= 0 ? "[\\s\\S]" : ".");
			r.i++;
			break;
		default:
			if (ascii_alpha((unsigned char)c) && ci_on(&r)) {
				emit_cp(&r, (unsigned char)c, 0);
				r.i++;
			} else {
				w_ch(&r, c);
				r.i++;
			}
			break;
		}
	}
	if (r.bad || r.depth != 0)
		return -1;
	out[r.n] = '\0';
	return (long)r.n;
}

/* ==== schema ========================================================== */

#define RT_SCHEMA_URI "https://json-schema.org/draft/2020-12/schema"
/* Padded RFC 4648 base64. */
#define RT_BASE64_PATTERN \
	"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
/* Inline nesting beyond this goes through $defs instead (a bound on the
 * recursion of the writer; real models nest far less). */
#define RT_INLINE_DEPTH 48

/* Per-shape facts of the input's closure: an open-addressing table keyed
 * by shape index. */
typedef struct sinfo {
	uint32_t shape;          /* ALC_NONE = empty slot */
	uint32_t refs;           /* members of the closure that target it */
	char *def;               /* $defs key once written there */
} sinfo;

typedef struct sb {
	const alc_catalog *cat;
	uint32_t root;
	sinfo *tab;
	uint32_t tabsize, used;
	cJSON *defs;
	int oom;
} sb;

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static int tab_grow(sb *b)
{
	uint32_t nsize = b->tabsize ? b->tabsize * 2 : 256;
	sinfo *nt = malloc(nsize * sizeof *nt);
	if (!nt)
		return -1;
	for (uint32_t i = 0; i < nsize; i++)
		nt[i] = (sinfo){ ALC_NONE, 0, NULL };
	for (uint32_t i = 0; i < b->tabsize; i++) {
		if (b->tab[i].shape == ALC_NONE)
			continue;
		uint32_t j = hash32(b->tab[i].shape) & (nsize - 1);
		while (nt[j].shape != ALC_NONE)
			j = (j + 1) & (nsize - 1);
		nt[j] = b->tab[i];
	}
	free(b->tab);
	b->tab = nt;
	b->tabsize = nsize;
	return 0;
}

/* The entry of SHAPE; created when CREATE (NULL on allocation failure or
 * when absent). */
static sinfo *tab_get(sb *b, uint32_t shape, int create)
{
	if (!b->tabsize) {
		if (!create || tab_grow(b))
			return NULL;
	}
	uint32_t mask = b->tabsize - 1, j = hash32(shape) & mask;
	while (b->tab[j].shape != ALC_NONE) {
		if (b->tab[j].shape == shape)
			return &b->tab[j];
		j = (j + 1) & mask;
	}
	if (!create)
		return NULL;
	if ((b->used + 1) * 10 > b->tabsize * 7) {
		if (tab_grow(b))
			return NULL;
		return tab_get(b, shape, 1);
	}
	b->tab[j].shape = shape;
	b->used++;
	return &b->tab[j];
}

static int has_children(const alc_shape *s)
{
	return s->type == ALC_T_STRUCTURE || s->type == ALC_T_UNION ||
	       s->type == ALC_T_LIST || s->type == ALC_T_MAP;
}

/* Count, for every shape of the input's closure, the members that target
 * it.  Iterative (explicit stack): the closure can be deep. */
static int count_refs(sb *b)
{
	const alc_catalog *c = b->cat;
	uint32_t *stack = NULL, n = 0, cap = 0;
	if (!tab_get(b, b->root, 1))
		return -1;
	stack = malloc(64 * sizeof *stack);
	if (!stack)
		return -1;
	cap = 64;
	stack[n++] = b->root;
	while (n) {
		const alc_shape *s = &c->shapes[stack[--n]];
		if (!has_children(s))
			continue;
		for (uint32_t k = 0; k < s->member_count; k++) {
			const alc_member *m = &c->members[s->first_member + k];
			if (rt_member_omitted(m))
				continue;
			uint32_t t = m->target;
			sinfo *e = tab_get(b, t, 0);
			if (!e) {
				if (!(e = tab_get(b, t, 1))) {
					free(stack);
					return -1;
				}
				if (n == cap) {
					uint32_t *ns = realloc(stack, cap * 2 * sizeof *ns);
					if (!ns) {
						free(stack);
						return -1;
					}
					stack = ns;
					cap *= 2;
				}
				stack[n++] = t;
			}
			e->refs++;
		}
	}
	free(stack);
	return 0;
}

static cJSON *add(sb *b, cJSON *obj, const char *key, cJSON *v)
{
	if (!v || !cJSON_AddItemToObject(obj, key, v)) {
		cJSON_Delete(v);
		b->oom = 1;
		return NULL;
	}
	return v;
}

static void add_str(sb *b, cJSON *obj, const char *key, const char *v)
{
	add(b, obj, key, cJSON_CreateString(v));
}

static void add_num(sb *b, cJSON *obj, const char *key, double v)
{
	add(b, obj, key, cJSON_CreateNumber(v));
}

static void add_int(sb *b, cJSON *obj, const char *key, int64_t v)
{
	char t[32];
	snprintf(t, sizeof t, "%lld", (long long)v);
	add(b, obj, key, cJSON_CreateRaw(t));
}

/* A bound as written in the model when it is a plain number (exact for
 * longs); else the double. */
static void add_bound(sb *b, cJSON *obj, const char *key, uint32_t text, double v)
{
	const char *t = text ? alc_str(b->cat, text) : "";
	size_t k = 0;
	if (t[k] == '-')
		k++;
	int plain = t[k] != '\0';
	for (; t[k]; k++)
		if (!((t[k] >= '0' && t[k] <= '9') || t[k] == '.' || t[k] == 'e' ||
		      t[k] == 'E' || t[k] == '+' || t[k] == '-'))
			plain = 0;
	if (plain && strlen(t) < 40)
		add(b, obj, key, cJSON_CreateRaw(t));
	else
		add_num(b, obj, key, v);
}

static void add_pattern(sb *b, cJSON *obj, uint32_t off, int second)
{
	const char *src = alc_str(b->cat, off);
	size_t cap = strlen(src) * 12 + 64;
	char *buf;
	if (!rt_pattern_usable(b->cat, off)) {
		/* Invalid in the model, or beyond PCRE2's limits (airlock
		 * logged which): say so rather than drop it silently. */
		char note[600];
		snprintf(note, sizeof note, "Not enforced: airlock cannot compile the "
		         "model's pattern %.480s", src);
		if (!cJSON_GetObjectItemCaseSensitive(obj, "$comment"))
			add_str(b, obj, "$comment", note);
		return;
	}
	if (!(buf = malloc(cap))) {
		b->oom = 1;
		return;
	}
	if (rt_pattern_translate(src, RT_RX_ECMA, buf, cap) < 0) {
		/* Enforced by airlock, not expressible for ECMA engines:
		 * say so rather than emit a regex they would refuse. */
		char note[600];
		snprintf(note, sizeof note, "Must match the pattern %.480s "
		         "(enforced by airlock; not ECMA 262)", src);
		cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "$comment");
		if (!d)
			add_str(b, obj, "$comment", note);
	} else if (!second && !cJSON_GetObjectItemCaseSensitive(obj, "pattern")) {
		add_str(b, obj, "pattern", buf);
	} else {
		/* A second pattern (member and target): both must match. */
		cJSON *all = cJSON_GetObjectItemCaseSensitive(obj, "allOf");
		if (!all)
			all = add(b, obj, "allOf", cJSON_CreateArray());
		cJSON *o = cJSON_CreateObject();
		if (all && o && cJSON_AddItemToArray(all, o))
			add_str(b, o, "pattern", buf);
		else {
			cJSON_Delete(o);
			b->oom = 1;
		}
	}
	free(buf);
}

/* Length keywords for a value of TYPE under constraints C. */
static void add_cons(sb *b, cJSON *o, uint8_t type, const rt_cons *c, int patterns)
{
	const char *kmin = NULL, *kmax = NULL;
	switch (type) {
	case ALC_T_STRING: case ALC_T_ENUM:
		kmin = "minLength"; kmax = "maxLength";
		break;
	case ALC_T_LIST:
		kmin = "minItems"; kmax = "maxItems";
		break;
	case ALC_T_MAP:
		kmin = "minProperties"; kmax = "maxProperties";
		break;
	default:
		break;
	}
	if (kmin && (c->flags & ALC_C_LEN_MIN) && c->len_min > 0)
		add_int(b, o, kmin, c->len_min);
	if (kmax && (c->flags & ALC_C_LEN_MAX))
		add_int(b, o, kmax, c->len_max);
	if (type == ALC_T_BLOB && (c->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX))) {
		char d[128];
		snprintf(d, sizeof d, "Decoded length: %lld to %lld bytes.",
		         (c->flags & ALC_C_LEN_MIN) ? (long long)c->len_min : 0LL,
		         (c->flags & ALC_C_LEN_MAX) ? (long long)c->len_max : (long long)INT64_MAX);
		add_str(b, o, "$comment", d);
	}
	if (patterns && (type == ALC_T_STRING || type == ALC_T_ENUM)) {
		for (int k = 0; k < 2; k++)
			if (c->pattern[k])
				add_pattern(b, o, c->pattern[k], k);
	}
	double tmin, tmax;
	int strict;
	int is_int = rt_int_bounds(type, &tmin, &tmax, &strict);
	if (is_int || type == ALC_T_FLOAT || type == ALC_T_DOUBLE ||
	    type == ALC_T_BIGINTEGER || type == ALC_T_BIGDECIMAL || type == ALC_T_INTENUM) {
		if ((c->flags & ALC_C_RANGE_MIN) && (!is_int || c->range_min >= tmin))
			add_bound(b, o, "minimum", c->range_min_text, c->range_min);
		else if (is_int && strict)
			add(b, o, "minimum", cJSON_CreateRaw("-9223372036854775808"));
		else if (is_int)
			add_num(b, o, "minimum", tmin);
		if ((c->flags & ALC_C_RANGE_MAX) && (!is_int || c->range_max < tmax ||
		                                     (!strict && c->range_max == tmax)))
			add_bound(b, o, "maximum", c->range_max_text, c->range_max);
		else if (is_int && strict)
			add(b, o, "maximum", cJSON_CreateRaw("9223372036854775807"));
		else if (is_int)
			add_num(b, o, "maximum", tmax);
	}
}

static cJSON *member_schema(sb *b, const alc_member *m, unsigned depth);

static cJSON *enum_values(sb *b, const alc_shape *s)
{
	cJSON *arr = cJSON_CreateArray();
	if (!arr) {
		b->oom = 1;
		return NULL;
	}
	for (uint32_t k = 0; k < s->member_count; k++) {
		const alc_member *m = &b->cat->members[s->first_member + k];
		cJSON *v = s->type == ALC_T_INTENUM
		               ? cJSON_CreateNumber((double)(int32_t)m->aux)
		               : cJSON_CreateString(alc_str(b->cat, m->aux));
		if (!v || !cJSON_AddItemToArray(arr, v)) {
			cJSON_Delete(v);
			b->oom = 1;
		}
	}
	return arr;
}

/* Properties and required of a structure into O. */
static void struct_body(sb *b, cJSON *o, const alc_shape *s, unsigned depth)
{
	cJSON *props = add(b, o, "properties", cJSON_CreateObject());
	cJSON *req = cJSON_CreateArray();
	if (!props || !req) {
		cJSON_Delete(req);
		b->oom = 1;
		return;
	}
	for (uint32_t k = 0; k < s->member_count; k++) {
		const alc_member *m = &b->cat->members[s->first_member + k];
		if (rt_member_omitted(m))
			continue;
		const char *name = alc_str(b->cat, m->name);
		add(b, props, name, member_schema(b, m, depth + 1));
		if (rt_member_required(m)) {
			cJSON *n = cJSON_CreateString(name);
			if (!n || !cJSON_AddItemToArray(req, n)) {
				cJSON_Delete(n);
				b->oom = 1;
			}
		}
	}
	if (cJSON_GetArraySize(req))
		add(b, o, "required", req);
	else
		cJSON_Delete(req);
	add(b, o, "additionalProperties", cJSON_CreateFalse());
}

static cJSON *union_body(sb *b, const alc_shape *s, unsigned depth)
{
	cJSON *o = cJSON_CreateObject(), *alts;
	if (!o || !(alts = add(b, o, "oneOf", cJSON_CreateArray()))) {
		b->oom = 1;
		return o;
	}
	for (uint32_t k = 0; k < s->member_count; k++) {
		const alc_member *m = &b->cat->members[s->first_member + k];
		const char *name = alc_str(b->cat, m->name);
		cJSON *alt = cJSON_CreateObject();
		if (!alt || !cJSON_AddItemToArray(alts, alt)) {
			cJSON_Delete(alt);
			b->oom = 1;
			break;
		}
		add_str(b, alt, "type", "object");
		cJSON *props = add(b, alt, "properties", cJSON_CreateObject());
		if (props)
			add(b, props, name, member_schema(b, m, depth + 1));
		cJSON *req = add(b, alt, "required", cJSON_CreateArray());
		cJSON *n = cJSON_CreateString(name);
		if (!req || !n || !cJSON_AddItemToArray(req, n)) {
			cJSON_Delete(n);
			b->oom = 1;
		}
		add(b, alt, "additionalProperties", cJSON_CreateFalse());
	}
	return o;
}

/* The schema of SHAPE itself (no member facts). */
static cJSON *shape_schema(sb *b, uint32_t shape, unsigned depth)
{
	const alc_catalog *c = b->cat;
	const alc_shape *s = &c->shapes[shape];
	rt_cons cons;
	cJSON *o;
	rt_cons_of(c, shape, NULL, &cons);
	if (s->type == ALC_T_UNION) {
		o = union_body(b, s, depth);
		if (o && (s->flags & ALC_SH_EVENT_STREAM)) {
			cJSON *arr = cJSON_CreateObject();
			if (!arr) {
				cJSON_Delete(o);
				b->oom = 1;
				return NULL;
			}
			add_str(b, arr, "type", "array");
			add(b, arr, "items", o);
			add_str(b, arr, "description", "Event stream: the events to send, in order.");
			return arr;
		}
		return o;
	}
	if (!(o = cJSON_CreateObject())) {
		b->oom = 1;
		return NULL;
	}
	switch (s->type) {
	case ALC_T_STRUCTURE:
		add_str(b, o, "type", "object");
		struct_body(b, o, s, depth);
		break;
	case ALC_T_LIST: {
		const alc_member *m = &c->members[s->first_member];
		add_str(b, o, "type", "array");
		cJSON *it = member_schema(b, m, depth + 1);
		if (it && (s->flags & ALC_SH_SPARSE)) {
			cJSON *any = cJSON_CreateObject();
			cJSON *alts = any ? add(b, any, "anyOf", cJSON_CreateArray()) : NULL;
			cJSON *nul = cJSON_CreateObject();
			if (!alts || !nul || !cJSON_AddItemToArray(alts, it)) {
				cJSON_Delete(it);
				cJSON_Delete(nul);
				cJSON_Delete(any);
				b->oom = 1;
				break;
			}
			add_str(b, nul, "type", "null");
			if (!cJSON_AddItemToArray(alts, nul)) {
				cJSON_Delete(nul);
				b->oom = 1;
			}
			it = any;
		}
		add(b, o, "items", it);
		add_cons(b, o, s->type, &cons, 0);
		if (s->flags & ALC_SH_UNIQUE_ITEMS)
			add(b, o, "uniqueItems", cJSON_CreateTrue());
		break;
	}
	case ALC_T_MAP: {
		const alc_member *km = &c->members[s->first_member];
		const alc_member *vm = &c->members[s->first_member + 1];
		add_str(b, o, "type", "object");
		add_cons(b, o, s->type, &cons, 0);
		/* Keys: only string constraints apply; written inline. */
		const alc_shape *ks = &c->shapes[km->target];
		rt_cons kc;
		rt_cons_of(c, km->target, km, &kc);
		cJSON *pn = cJSON_CreateObject();
		if (!pn) {
			b->oom = 1;
			break;
		}
		if (ks->type == ALC_T_ENUM)
			add(b, pn, "enum", enum_values(b, ks));
		add_cons(b, pn, ALC_T_STRING, &kc, 1);
		if (cJSON_GetArraySize(pn))
			add(b, o, "propertyNames", pn);
		else
			cJSON_Delete(pn);
		cJSON *v = member_schema(b, vm, depth + 1);
		if (v && (s->flags & ALC_SH_SPARSE)) {
			cJSON *any = cJSON_CreateObject();
			cJSON *alts = any ? add(b, any, "anyOf", cJSON_CreateArray()) : NULL;
			cJSON *nul = cJSON_CreateObject();
			if (!alts || !nul || !cJSON_AddItemToArray(alts, v)) {
				cJSON_Delete(v);
				cJSON_Delete(nul);
				cJSON_Delete(any);
				b->oom = 1;
				break;
			}
			add_str(b, nul, "type", "null");
			if (!cJSON_AddItemToArray(alts, nul)) {
				cJSON_Delete(nul);
				b->oom = 1;
			}
			v = any;
		}
		add(b, o, "additionalProperties", v);
		break;
	}
	case ALC_T_STRING:
		add_str(b, o, "type", "string");
		add_cons(b, o, s->type, &cons, 1);
		break;
	case ALC_T_ENUM:
		add_str(b, o, "type", "string");
		add(b, o, "enum", enum_values(b, s));
		add_cons(b, o, s->type, &cons, 1);
		break;
	case ALC_T_INTENUM:
		add_str(b, o, "type", "integer");
		add(b, o, "enum", enum_values(b, s));
		break;
	case ALC_T_BLOB:
		add_str(b, o, "type", "string");
		add_str(b, o, "contentEncoding", "base64");
		add_str(b, o, "pattern", RT_BASE64_PATTERN);
		add_cons(b, o, s->type, &cons, 0);
		break;
	case ALC_T_BOOLEAN:
		add_str(b, o, "type", "boolean");
		break;
	case ALC_T_BYTE: case ALC_T_SHORT: case ALC_T_INTEGER: case ALC_T_LONG:
	case ALC_T_BIGINTEGER:
		add_str(b, o, "type", "integer");
		add_cons(b, o, s->type, &cons, 0);
		break;
	case ALC_T_FLOAT: case ALC_T_DOUBLE: case ALC_T_BIGDECIMAL:
		add_str(b, o, "type", "number");
		add_cons(b, o, s->type, &cons, 0);
		break;
	case ALC_T_TIMESTAMP:
		add_str(b, o, "type", "string");
		add_str(b, o, "format", "date-time");
		break;
	case ALC_T_DOCUMENT:
	default:
		break;                       /* {}: any value */
	}
	return o;
}

/* Whether references to SHAPE go through $defs. */
static int use_def(sb *b, uint32_t shape, unsigned depth)
{
	const alc_shape *s = &b->cat->shapes[shape];
	const sinfo *e = tab_get(b, shape, 0);
	int heavy = has_children(s) || s->type == ALC_T_ENUM || s->type == ALC_T_INTENUM ||
	            (s->cons != ALC_NONE && (b->cat->cons[s->cons].flags & ALC_C_PATTERN));
	if (!heavy)
		return 0;
	if (has_children(s) && depth > RT_INLINE_DEPTH)
		return 1;
	return e && e->refs >= 2;
}

/* A $defs key for SHAPE: its name, made unique within this schema. */
static char *def_key(sb *b, uint32_t shape)
{
	const char *name = alc_str(b->cat, b->cat->shapes[shape].name);
	size_t n = strlen(name);
	char *k = malloc(n + 16);
	if (!k)
		return NULL;
	memcpy(k, name, n + 1);
	for (unsigned i = 2; cJSON_GetObjectItemCaseSensitive(b->defs, k) ||
	                     strcmp(k, "") == 0; i++)
		snprintf(k + n, 16, "_%u", i);
	return k;
}

/* {"$ref": ...} to SHAPE, writing its definition first if needed. */
static cJSON *ref_to(sb *b, uint32_t shape, unsigned depth)
{
	cJSON *r = cJSON_CreateObject();
	if (!r) {
		b->oom = 1;
		return NULL;
	}
	if (shape == b->root) {
		add_str(b, r, "$ref", "#");
		return r;
	}
	sinfo *e = tab_get(b, shape, 1);
	if (!e) {
		b->oom = 1;
		return r;
	}
	if (!e->def) {
		char *k = def_key(b, shape);
		if (!k) {
			b->oom = 1;
			return r;
		}
		/* Reserve the key before writing the body, so that recursion
		 * meets a reference rather than writing it again. */
		cJSON *slot = cJSON_CreateNull();
		if (!slot || !cJSON_AddItemToObject(b->defs, k, slot)) {
			cJSON_Delete(slot);
			free(k);
			b->oom = 1;
			return r;
		}
		e->def = k;
		cJSON *body = shape_schema(b, shape, depth);
		e = tab_get(b, shape, 0);   /* the table may have moved */
		if (!body || !e || !cJSON_ReplaceItemInObjectCaseSensitive(b->defs, e->def, body)) {
			cJSON_Delete(body);
			b->oom = 1;
			return r;
		}
	}
	char ref[512];
	snprintf(ref, sizeof ref, "#/$defs/%s", e->def);
	add_str(b, r, "$ref", ref);
	return r;
}

static cJSON *member_schema(sb *b, const alc_member *m, unsigned depth)
{
	const alc_catalog *c = b->cat;
	uint32_t t = m->target;
	const alc_shape *ts = &c->shapes[t];
	cJSON *o = (t == b->root || use_def(b, t, depth)) ? ref_to(b, t, depth)
	                                                  : shape_schema(b, t, depth);
	if (!o)
		return NULL;
	const alc_member_ext *x = alc_member_ext_of(c, m);
	if (x && x->cons != ALC_NONE) {
		/* The member's own constraints, beside the target's. */
		rt_cons mc;
		memset(&mc, 0, sizeof mc);
		const alc_cons *k = &c->cons[x->cons];
		mc.flags = k->flags;
		mc.len_min = k->len_min;
		mc.len_max = k->len_max;
		mc.range_min = k->range_min;
		mc.range_max = k->range_max;
		mc.range_min_text = k->range_min_text;
		mc.range_max_text = k->range_max_text;
		mc.pattern[0] = (k->flags & ALC_C_PATTERN) ? k->pattern : 0;
		/* Same keyword twice in one object: wrap in allOf. */
		cJSON *extra = cJSON_CreateObject();
		if (!extra) {
			b->oom = 1;
		} else {
			add_cons(b, extra, ts->type, &mc, 1);
			/* add_cons writes type bounds for integers; keep only
			 * what the member says. */
			if (!(mc.flags & ALC_C_RANGE_MIN))
				cJSON_DeleteItemFromObjectCaseSensitive(extra, "minimum");
			if (!(mc.flags & ALC_C_RANGE_MAX))
				cJSON_DeleteItemFromObjectCaseSensitive(extra, "maximum");
			if (!cJSON_GetArraySize(extra)) {
				cJSON_Delete(extra);
			} else {
				cJSON *all = cJSON_GetObjectItemCaseSensitive(o, "allOf");
				if (!all)
					all = add(b, o, "allOf", cJSON_CreateArray());
				if (!all || !cJSON_AddItemToArray(all, extra)) {
					if (all)
						cJSON_Delete(extra);
					b->oom = 1;
				}
			}
		}
	}
	const char *sum = alc_str(c, m->summary);
	if (m->flags & ALC_M_IDEMPOTENCY_TOKEN) {
		char d[600];
		snprintf(d, sizeof d, "%s%sIdempotency token: optional, airlock "
		         "generates one when absent.", sum, *sum ? " " : "");
		add_str(b, o, "description", d);
	} else if (*sum) {
		add_str(b, o, "description", sum);
	}
	if (x && x->default_json && strcmp(alc_str(c, x->default_json), "null") != 0) {
		cJSON *d = cJSON_Parse(alc_str(c, x->default_json));
		if (d)
			add(b, o, "default", d);
	}
	return o;
}

/* see rt_schema.h */
cJSON *rt_schema_input(const alc_catalog *cat, const alc_operation *op)
{
	sb b;
	memset(&b, 0, sizeof b);
	b.cat = cat;
	b.root = op->input;
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	add_str(&b, root, "$schema", RT_SCHEMA_URI);
	const char *sum = alc_str(cat, op->summary);
	if (*sum)
		add_str(&b, root, "description", sum);
	if (op->input == ALC_NONE || cat->shapes[op->input].type != ALC_T_STRUCTURE) {
		/* No input (Unit), or one the runtime cannot take as members. */
		add_str(&b, root, "type", "object");
		add(&b, root, "properties", cJSON_CreateObject());
		add(&b, root, "additionalProperties", cJSON_CreateFalse());
		if (b.oom) {
			cJSON_Delete(root);
			return NULL;
		}
		return root;
	}
	b.defs = cJSON_CreateObject();
	if (!b.defs || count_refs(&b)) {
		b.oom = 1;
	} else {
		add_str(&b, root, "type", "object");
		struct_body(&b, root, &cat->shapes[op->input], 0);
	}
	if (!b.oom && cJSON_GetArraySize(b.defs)) {
		add(&b, root, "$defs", b.defs);
		b.defs = NULL;
	}
	cJSON_Delete(b.defs);
	for (uint32_t i = 0; i < b.tabsize; i++)
		free(b.tab[i].def);
	free(b.tab);
	if (b.oom) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
