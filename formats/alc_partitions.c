/* alc_partitions.c -- see alc_partitions.h */
#include "alc_partitions.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alc_err.h"

#define PART_NONE 0xffffffffu

/* ---- the regionRegex subset ------------------------------------------ */

/* Pattern grammar (alc_partitions.h):
 *   re    := '^'? alt '$'?
 *   alt   := seq ('|' seq)*
 *   seq   := (atom quant? | group | '$')*
 *   group := '(' ('?:')? alt ')'
 *   atom  := literal | '.' | '\' escape | '[' class ']'
 *   quant := '*' | '+' | '?'
 * The matcher walks the pattern text directly; the checker has proved
 * parentheses balanced and every escape and class closed, so it never
 * reads past the terminating NUL. */

#define RX_MAX_DEPTH 8u   /* group nesting */

static int is_word(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }
static int is_space(unsigned c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Does escape letter E (after '\') match C? */
static int esc_match(char e, unsigned c)
{
	switch (e) {
	case 'd': return is_digit(c);
	case 'D': return !is_digit(c);
	case 'w': return is_word(c);
	case 'W': return !is_word(c);
	case 's': return is_space(c);
	case 'S': return !is_space(c);
	default:  return (unsigned char)e == c;
	}
}

/* Letters allowed after '\': the classes; any other escaped character
 * must be punctuation (a literal). */
static int esc_ok(char e)
{
	unsigned c = (unsigned char)e;
	if (strchr("dDwWsS", e) && c)
		return 1;
	return c > 0x20 && c < 0x7f && !is_word(c);
}

/* Length of the atom at P (P is not at '(' ')' '|' '$' or NUL). */
static size_t atom_len(const char *p)
{
	if (*p == '\\')
		return 2;
	if (*p == '[') {
		const char *q = p + 1;
		if (*q == '^')
			q++;
		while (*q != ']')             /* bound: checked closed */
			q += *q == '\\' ? 2 : 1;
		return (size_t)(q - p) + 1;
	}
	return 1;
}

/* Does the atom at P (length N) match byte C? */
static int atom_match(const char *p, size_t n, unsigned c)
{
	if (*p == '\\')
		return esc_match(p[1], c);
	if (*p == '.')
		return c != '\n';
	if (*p != '[')
		return (unsigned char)*p == c;
	const char *q = p + 1, *end = p + n - 1;
	int neg = *q == '^', hit = 0;
	if (neg)
		q++;
	while (q < end && !hit) {             /* bound: the class text */
		if (*q == '\\') {
			hit = esc_match(q[1], c);
			q += 2;
		} else if (q + 2 < end && q[1] == '-') {
			hit = c >= (unsigned char)q[0] && c <= (unsigned char)q[2];
			q += 3;
		} else {
			hit = (unsigned char)*q == c;
			q++;
		}
	}
	return hit != neg;
}

/* Skip a group body from P (just inside '(' or after a '|' inside it) to
 * its closing ')' (or, at top level, the final NUL).  Returns a pointer
 * at the ')' / NUL. */
static const char *group_end(const char *p)
{
	unsigned depth = 0;
	for (;;) {                            /* bound: the pattern text */
		char c = *p;
		if (c == '\0')
			return p;
		if (c == '\\' || c == '[') {
			p += atom_len(p);
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')') {
			if (depth == 0)
				return p;
			depth--;
		}
		p++;
	}
}

/* The continuation after a group: where the pattern resumes, and the
 * continuation of the enclosing group. */
typedef struct rx_k {
	const char *after;
	const struct rx_k *up;
} rx_k;

typedef struct rx {
	const char *s, *end;
	uint32_t budget;
} rx;

static int rx_seq(rx *x, const char *p, const char *s, const rx_k *k);

/* Try each alternative of the group whose body starts at BODY. */
static int rx_group(rx *x, const char *body, const char *s, const rx_k *k)
{
	const char *close = group_end(body);
	rx_k inner = { *close ? close + 1 : close, k };
	const char *alt = body;
	for (;;) {                            /* bound: alternatives */
		if (rx_seq(x, alt, s, &inner))
			return 1;
		/* next top-level '|' of this group */
		const char *q = alt;
		unsigned depth = 0;
		while (q < close) {
			if (*q == '\\' || *q == '[') {
				q += atom_len(q);
				continue;
			}
			if (*q == '(')
				depth++;
			else if (*q == ')')
				depth--;
			else if (*q == '|' && depth == 0)
				break;
			q++;
		}
		if (q >= close)
			return 0;
		alt = q + 1;
	}
}

static int rx_seq(rx *x, const char *p, const char *s, const rx_k *k)
{
	for (;;) {              /* bound: pattern length, and x->budget calls */
		if (x->budget == 0)
			return 0;
		x->budget--;
		char c = *p;
		if (c == '\0')
			return 1;               /* anchored at the start only */
		if (c == '|' || c == ')') {
			/* end of this alternative: resume after the group */
			if (!k)
				return 1;
			return rx_seq(x, k->after, s, k->up);
		}
		if (c == '^') {
			p++;
			continue;
		}
		if (c == '$') {
			if (s != x->end)
				return 0;
			p++;
			continue;
		}
		if (c == '(') {
			const char *body = p + 1;
			if (body[0] == '?' && body[1] == ':')
				body += 2;
			return rx_group(x, body, s, k);
		}
		size_t n = atom_len(p);
		char q = p[n];
		if (q != '*' && q != '+' && q != '?') {
			if (s == x->end || !atom_match(p, n, (unsigned char)*s))
				return 0;
			s++;
			p += n;
			continue;
		}
		/* greedy: count the run, then give back one at a time */
		size_t lo = q == '+' ? 1 : 0;
		size_t hi = 0, left = (size_t)(x->end - s);
		size_t cap = q == '?' && left > 1 ? 1 : left;
		while (hi < cap && atom_match(p, n, (unsigned char)s[hi]))
			hi++;
		for (size_t i = hi + 1; i-- > lo;)   /* bound: the run */
			if (rx_seq(x, p + n + 1, s + i, k))
				return 1;
		return 0;
	}
}

int alc_part_regex_match(const char *re, const char *s, size_t n)
{
	rx x = { s, s + n, ALC_PART_REGEX_STEPS };
	return rx_seq(&x, re, s, NULL);
}

static int rx_bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int rx_bad(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return AL_EUNSUPPORTED;
}

int alc_part_regex_check(const char *re, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	size_t len = strnlen(re, ALC_PART_MAX_REGEX + 1);
	if (len > ALC_PART_MAX_REGEX)
		return rx_bad(err, errlen, "longer than %u bytes", ALC_PART_MAX_REGEX);
	unsigned depth = 0;
	int quantifiable = 0;      /* the previous item is a single atom */
	for (size_t i = 0; i < len;) {        /* bound: len */
		char c = re[i];
		unsigned uc = (unsigned char)c;
		if (uc < 0x20 || uc >= 0x7f)
			return rx_bad(err, errlen, "byte 0x%02x at %zu", uc, i);
		switch (c) {
		case '^':
			if (i != 0)
				return rx_bad(err, errlen, "'^' not at the start (%zu)", i);
			quantifiable = 0;
			i++;
			break;
		case '$':
			if (i != len - 1)
				return rx_bad(err, errlen, "'$' not at the end (%zu)", i);
			quantifiable = 0;
			i++;
			break;
		case '(':
			if (++depth > RX_MAX_DEPTH)
				return rx_bad(err, errlen, "groups nested deeper than %u",
				              RX_MAX_DEPTH);
			if (re[i + 1] == '?') {
				if (re[i + 2] != ':')
					return rx_bad(err, errlen, "'(?' other than '(?:' at %zu", i);
				i += 2;
			}
			quantifiable = 0;
			i++;
			break;
		case ')':
			if (depth == 0)
				return rx_bad(err, errlen, "unbalanced ')' at %zu", i);
			depth--;
			quantifiable = 0;
			i++;
			if (re[i] == '*' || re[i] == '+' || re[i] == '?')
				return rx_bad(err, errlen, "quantifier on a group at %zu", i);
			break;
		case '|':
			quantifiable = 0;
			i++;
			break;
		case '*': case '+': case '?':
			if (!quantifiable)
				return rx_bad(err, errlen, "quantifier '%c' without an atom "
				              "at %zu", c, i);
			quantifiable = 0;
			i++;
			break;
		case '{': case '}': case ']':
			return rx_bad(err, errlen, "'%c' at %zu (repetition counts and "
			              "stray brackets are not supported)", c, i);
		case '\\':
			if (!esc_ok(re[i + 1]))
				return rx_bad(err, errlen, "escape '\\%c' at %zu", re[i + 1] ? re[i + 1] : '0', i);
			quantifiable = 1;
			i += 2;
			break;
		case '[': {
			size_t j = i + 1;
			if (re[j] == '^')
				j++;
			size_t first = j;
			while (j < len && re[j] != ']') {   /* bound: len */
				unsigned cc = (unsigned char)re[j];
				if (cc < 0x20 || cc >= 0x7f || re[j] == '[')
					return rx_bad(err, errlen, "byte 0x%02x in a class at %zu",
					              cc, j);
				if (re[j] == '\\') {
					if (!esc_ok(re[j + 1]))
						return rx_bad(err, errlen, "escape in a class at %zu", j);
					j += 2;
				} else if (re[j + 1] == '-' && j + 2 < len && re[j + 2] != ']') {
					if (re[j + 2] == '\\' || (unsigned char)re[j + 2] < (unsigned char)re[j])
						return rx_bad(err, errlen, "bad range at %zu", j);
					j += 3;
				} else {
					j++;
				}
			}
			if (j >= len)
				return rx_bad(err, errlen, "unclosed class at %zu", i);
			if (j == first)
				return rx_bad(err, errlen, "empty class at %zu", i);
			quantifiable = 1;
			i = j + 1;
			break;
		}
		default:
			quantifiable = 1;
			i++;
			break;
		}
	}
	if (depth)
		return rx_bad(err, errlen, "unclosed '('");
	return 0;
}

/* ---- check ----------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return AL_ECORRUPT;
}

int alc_partitions_check(const uint8_t *sec, size_t len, const char *strs,
                         uint32_t strs_size, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!sec || ((uintptr_t)sec & 3u))
		return bad(err, errlen, "section not 4-byte aligned");
	if (len < sizeof(alc_part_header))
		return bad(err, errlen, "%zu bytes, shorter than the %zu-byte header",
		           len, sizeof(alc_part_header));
	const alc_part_header *h = alc_part_hdr(sec);
	if (h->magic != ALC_PART_MAGIC)
		return bad(err, errlen, "bad magic 0x%08x", h->magic);
	if (h->version != ALC_PART_VERSION)
		return bad(err, errlen, "version %u, this reader implements %u",
		           h->version, ALC_PART_VERSION);
	if (h->header_size != sizeof(alc_part_header))
		return bad(err, errlen, "header_size %u, expected %zu",
		           h->header_size, sizeof(alc_part_header));
	if (h->size != len)
		return bad(err, errlen, "header says %u bytes, section has %zu",
		           h->size, len);
	if (h->partition_count == 0 || h->partition_count > ALC_PART_MAX_PARTITIONS ||
	    h->region_count > ALC_PART_MAX_REGIONS ||
	    h->override_count > h->region_count)
		return bad(err, errlen, "%u partitions, %u regions, %u overrides: "
		           "need 1..%u partitions, at most %u regions, no more "
		           "overrides than regions", h->partition_count,
		           h->region_count, h->override_count,
		           ALC_PART_MAX_PARTITIONS, ALC_PART_MAX_REGIONS);
	uint64_t want = alc_part_section_size(h->partition_count, h->region_count,
	                                      h->override_count);
	if (want != len)
		return bad(err, errlen, "%zu bytes, the counts need %llu", len,
		           (unsigned long long)want);
	uint64_t end = sizeof(alc_part_header) +
	               (uint64_t)h->partition_count * sizeof(alc_partition) +
	               (uint64_t)h->region_count * sizeof(alc_part_region) +
	               (uint64_t)h->override_count * sizeof(alc_part_override);
	for (uint64_t i = end; i < len; i++)      /* bound: 7 bytes */
		if (sec[i])
			return bad(err, errlen, "nonzero padding at %llu",
			           (unsigned long long)i);
	if (h->table_version >= strs_size)
		return bad(err, errlen, "table_version: string offset %u out of "
		           "range (STRS has %u bytes)", h->table_version, strs_size);
	if (h->default_partition >= h->partition_count)
		return bad(err, errlen, "default_partition %u, only %u partitions",
		           h->default_partition, h->partition_count);

	const alc_partition *pt = alc_part_partitions(sec);
	for (uint32_t i = 0; i < h->partition_count; i++) { /* bound: <= 256 */
		const alc_partition *p = &pt[i];
		const uint32_t s[] = { p->id, p->region_regex, p->name, p->dns_suffix,
		                       p->dual_stack_dns_suffix,
		                       p->implicit_global_region };
		static const char *const sn[] = { "id", "region_regex", "name",
		                                  "dns_suffix", "dual_stack_dns_suffix",
		                                  "implicit_global_region" };
		for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
			if (s[k] >= strs_size)
				return bad(err, errlen, "partition %u: %s: string offset %u "
				           "out of range (STRS has %u bytes)", i, sn[k], s[k],
				           strs_size);
		if (strs[p->id] == '\0')
			return bad(err, errlen, "partition %u: empty id", i);
		if (p->flags & ~(uint32_t)(ALC_PART_FIPS | ALC_PART_DUAL_STACK))
			return bad(err, errlen, "partition %u: unknown flags 0x%x", i,
			           p->flags);
		if (p->reserved)
			return bad(err, errlen, "partition %u: reserved is 0x%x", i,
			           p->reserved);
		char why[96];
		if (alc_part_regex_check(strs + p->region_regex, why, sizeof why))
			return bad(err, errlen, "partition %u: region_regex: %s", i, why);
	}

	const alc_part_region *rg = alc_part_regions(sec);
	const char *prev = NULL;
	for (uint32_t i = 0; i < h->region_count; i++) {   /* bound: <= 4096 */
		const alc_part_region *r = &rg[i];
		if (r->name >= strs_size)
			return bad(err, errlen, "region %u: name: string offset %u out of "
			           "range (STRS has %u bytes)", i, r->name, strs_size);
		const char *nm = strs + r->name;
		size_t nl = strnlen(nm, ALC_PART_MAX_REGION + 1);
		if (nl == 0 || nl > ALC_PART_MAX_REGION)
			return bad(err, errlen, "region %u: name of %s bytes (1..%u)", i,
			           nl ? "too many" : "0", ALC_PART_MAX_REGION);
		/* both names are at most ALC_PART_MAX_REGION bytes: strcmp is
		 * bounded */
		if (prev && strcmp(prev, nm) >= 0)
			return bad(err, errlen, "region %u: name \"%s\" not after \"%s\" "
			           "(regions are sorted, each once)", i, nm, prev);
		prev = nm;
		if (r->partition >= h->partition_count)
			return bad(err, errlen, "region %u (%s): partition %u out of range "
			           "(%u partitions)", i, nm, r->partition,
			           h->partition_count);
		if (r->reserved)
			return bad(err, errlen, "region %u (%s): reserved is 0x%x", i, nm,
			           r->reserved);
		if (r->override != PART_NONE && r->override >= h->override_count)
			return bad(err, errlen, "region %u (%s): override %u out of range "
			           "(%u overrides)", i, nm, r->override, h->override_count);
	}

	const alc_part_override *ov = alc_part_overrides(sec);
	for (uint32_t i = 0; i < h->override_count; i++) { /* bound: <= regions */
		const alc_part_override *o = &ov[i];
		const uint32_t s[] = { o->name, o->dns_suffix, o->dual_stack_dns_suffix,
		                       o->implicit_global_region };
		for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
			if (s[k] >= strs_size)
				return bad(err, errlen, "override %u: string offset %u out of "
				           "range (STRS has %u bytes)", i, s[k], strs_size);
		if (o->has & ~ALC_PO_ALL)
			return bad(err, errlen, "override %u: unknown has bits 0x%x", i,
			           o->has);
		uint32_t allowed = ((o->has & ALC_PO_FIPS) ? ALC_PART_FIPS : 0) |
		                   ((o->has & ALC_PO_DUAL_STACK) ? ALC_PART_DUAL_STACK : 0);
		if (o->flags & ~allowed)
			return bad(err, errlen, "override %u: flags 0x%x for outputs it "
			           "does not override", i, o->flags);
	}
	return 0;
}

/* ---- lookup ---------------------------------------------------------- */

/* strcmp of a stored NUL-terminated name against KEY[0, LEN). */
static int name_cmp(const char *name, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++) {     /* bound: len */
		unsigned a = (unsigned char)name[i], b = (unsigned char)key[i];
		if (a != b)
			return a < b ? -1 : 1;        /* a == 0 sorts first */
	}
	return name[len] ? 1 : 0;
}

void alc_partitions_lookup(const uint8_t *sec, const char *strs,
                           const char *region, size_t len,
                           alc_part_outputs *out)
{
	const alc_part_header *h = alc_part_hdr(sec);
	const alc_partition *pt = alc_part_partitions(sec);
	const alc_part_region *rg = alc_part_regions(sec);
	const alc_part_override *o = NULL;
	uint32_t pi = PART_NONE;

	/* 1. named in a regions map: binary search, log2(R) steps */
	uint32_t lo = 0, hi = h->region_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(strs + rg[mid].name, region, len);
		if (c == 0) {
			pi = rg[mid].partition;
			if (rg[mid].override != PART_NONE)
				o = &alc_part_overrides(sec)[rg[mid].override];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* 2. the first partition whose regionRegex matches */
	for (uint32_t i = 0; pi == PART_NONE && i < h->partition_count; i++)
		if (alc_part_regex_match(strs + pt[i].region_regex, region, len))
			pi = i;
	/* 3. the default */
	if (pi == PART_NONE)
		pi = h->default_partition;

	const alc_partition *p = &pt[pi];
	out->partition = pi;
	out->name = strs + (p->name ? p->name : p->id);
	out->dns_suffix = strs + p->dns_suffix;
	out->dual_stack_dns_suffix = strs + p->dual_stack_dns_suffix;
	out->implicit_global_region = strs + p->implicit_global_region;
	out->supports_fips = (p->flags & ALC_PART_FIPS) != 0;
	out->supports_dual_stack = (p->flags & ALC_PART_DUAL_STACK) != 0;
	if (!o)
		return;
	if (o->has & ALC_PO_NAME)
		out->name = strs + o->name;
	if (o->has & ALC_PO_DNS_SUFFIX)
		out->dns_suffix = strs + o->dns_suffix;
	if (o->has & ALC_PO_DUAL_DNS)
		out->dual_stack_dns_suffix = strs + o->dual_stack_dns_suffix;
	if (o->has & ALC_PO_GLOBAL)
		out->implicit_global_region = strs + o->implicit_global_region;
	if (o->has & ALC_PO_FIPS)
		out->supports_fips = (o->flags & ALC_PART_FIPS) != 0;
	if (o->has & ALC_PO_DUAL_STACK)
		out->supports_dual_stack = (o->flags & ALC_PART_DUAL_STACK) != 0;
}
