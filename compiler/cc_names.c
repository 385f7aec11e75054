/* cc_names.c -- see cc_names.h */
#include "cc_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"

/* ---- sdk-id -> CLI service name table -------------------------------- */

typedef struct cc_name_row {
	const char *sdk_id, *cli; /* both point into cc_names_tab.text */
	unsigned line;            /* in the file, for diagnostics */
} cc_name_row;

/* The one table, sorted by sdk_id (strcmp) for bsearch.  Written only by
 * cc_names_load/cc_names_free, which callers run before any lookup. */
static struct {
	char *text;       /* the file's bytes, fields NUL-terminated in place */
	cc_name_row *rows;
	size_t n;
} cc_names_tab;

static int cc_names_cmp(const void *a, const void *b)
{
	return strcmp(((const cc_name_row *)a)->sdk_id,
	              ((const cc_name_row *)b)->sdk_id);
}

static int cc_names_cmp_line(const void *a, const void *b)
{
	const cc_name_row *x = a, *y = b;
	int c = strcmp(x->sdk_id, y->sdk_id);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Read the whole file into a NUL-terminated heap string. */
static int cc_names_slurp(const char *path, char **text, size_t *len,
                          cc_buf *diag)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		cc_buf_printf(diag, "%s: %s\n", path, strerror(e));
		return e == ENOENT ? AL_ENOENT : AL_EIO;
	}
	cc_buf b = {0};
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		cc_buf_put(&b, chunk, got);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		cc_buf_printf(diag, "%s: read error\n", path);
		cc_buf_free(&b);
		return AL_EIO;
	}
	cc_buf_reserve(&b, 1);
	b.p[b.len] = '\0';
	*text = (char *)b.p;
	*len = b.len;
	return 0;
}

static int cc_names_cli_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '.'))
			return 0;
	return 1;
}

int cc_names_load(const char *path, cc_buf *diag)
{
	char *text;
	size_t len;
	int rc = cc_names_slurp(path, &text, &len, diag);
	if (rc)
		return rc;

	/* Rows <= lines <= newlines + 1. */
	size_t maxrows = 1;
	for (size_t i = 0; i < len; i++)
		maxrows += text[i] == '\n';
	cc_name_row *rows = cc_xcalloc(maxrows, sizeof *rows);
	size_t n = 0;
	unsigned lineno = 0;

	/* One pass over the lines; every field is cut in place. */
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		char *next = nl ? nl + 1 : end;
		lineno++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		*eol = '\0';
		if (memchr(p, '\0', (size_t)(eol - p))) {
			cc_buf_printf(diag, "%s:%u: NUL byte in line\n", path,
			              lineno);
			rc = AL_EINVAL;
			p = next;
			continue;
		}
		if (*p == '#' || *p == '\0') {
			p = next;
			continue;
		}
		char *tab = strchr(p, '\t');
		if (!tab || strchr(tab + 1, '\t')) {
			cc_buf_printf(diag, "%s:%u: expected 2 tab-separated "
			              "fields (sdk-id, cli-name)\n", path, lineno);
			rc = AL_EINVAL;
			p = next;
			continue;
		}
		*tab = '\0';
		const char *sdk = p, *cli = tab + 1;
		size_t sl = strlen(sdk), cl = strlen(cli);
		if (!sl || !cl) {
			cc_buf_printf(diag, "%s:%u: empty %s\n", path, lineno,
			              sl ? "cli-name" : "sdk-id");
			rc = AL_EINVAL;
		} else if (sdk[0] == ' ' || sdk[sl - 1] == ' ') {
			cc_buf_printf(diag, "%s:%u: sdk-id \"%s\" has leading or "
			              "trailing blanks\n", path, lineno, sdk);
			rc = AL_EINVAL;
		} else if (!cc_names_cli_ok(cli)) {
			cc_buf_printf(diag, "%s:%u: cli-name \"%s\" is not "
			              "[a-z0-9.-]+\n", path, lineno, cli);
			rc = AL_EINVAL;
		} else {
			rows[n].sdk_id = sdk;
			rows[n].cli = cli;
			rows[n].line = lineno;
			n++;
		}
		p = next;
	}

	/* Ties keep file order (line numbers break them), so a duplicate is
	 * reported at its later line, pointing back at the first. */
	qsort(rows, n, sizeof *rows, cc_names_cmp_line);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(rows[i - 1].sdk_id, rows[i].sdk_id)) {
			cc_buf_printf(diag, "%s:%u: duplicate sdk-id \"%s\" "
			              "(first on line %u)\n", path, rows[i].line,
			              rows[i].sdk_id, rows[i - 1].line);
			if (!rc)
				rc = AL_EDUP;
		}

	if (rc) {
		free(rows);
		free(text);
		return rc;
	}
	cc_names_free();
	cc_names_tab.text = text;
	cc_names_tab.rows = rows;
	cc_names_tab.n = n;
	return 0;
}

void cc_names_free(void)
{
	free(cc_names_tab.rows);
	free(cc_names_tab.text);
	cc_names_tab.rows = NULL;
	cc_names_tab.text = NULL;
	cc_names_tab.n = 0;
}

size_t cc_names_count(void)
{
	return cc_names_tab.n;
}

const char *cc_cli_service_name(const char *sdk_id, char *buf, size_t cap)
{
	if (!cap)
		return NULL;
	const cc_name_row *hit = NULL;
	if (cc_names_tab.n) {
		cc_name_row key = { .sdk_id = sdk_id };
		hit = bsearch(&key, cc_names_tab.rows, cc_names_tab.n,
		              sizeof key, cc_names_cmp);
	}
	const char *src = hit ? hit->cli : sdk_id;
	size_t len = strlen(src);
	if (len >= cap) {
		buf[0] = '\0';
		return NULL;
	}
	if (hit) {
		memcpy(buf, src, len + 1);
		return buf;
	}
	for (size_t i = 0; i <= len; i++) {
		char c = src[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ')
			c = '-';
		buf[i] = c;
	}
	return buf;
}

/* ---- botocore.xform_name(name, '-') ------------------------------------
 *
 * botocore 1.43.11 (botocore/__init__.py):
 *
 *   if sep in name: return name
 *   if (name, sep) in _xform_cache: return it   # prepopulated exceptions
 *   if re.search('[A-Z]{2,}s$', name):          # GatewayARNs, ListWebACLs
 *       m = the match;  name = name[:-len(m)] + sep + m.lower()
 *   s1 = re.sub('(.)([A-Z][a-z]+)', r'\1' + sep + r'\2', name)
 *   return re.sub('([a-z0-9])([A-Z])', r'\1' + sep + r'\2', s1).lower()
 *
 * The scanner below runs the three steps as one left-to-right pass:
 *
 *  1. The special case is a view: S1[i] = name[i] for i < k, sep at k,
 *     lower(name[i-1]) after, where k is the start of the maximal upper-case
 *     run before the final 's' (search() finds the leftmost start, and the
 *     run is maximal).
 *  2. first_cap is re.sub's non-overlapping left-to-right scan: at P, if
 *     S1[P] is not '\n', S1[P+1] is A-Z and S1[P+2] is a-z, the match runs
 *     to the end of the a-z run; emit S1[P], sep, the rest, and resume
 *     after it.  (A char consumed as the tail of one match cannot start
 *     the next; we keep that behaviour even though step 3 would repair it.)
 *  3. end_cap's matches are pairs ([a-z0-9], [A-Z]); the second char can
 *     never begin another match, so the substitution is exactly "put sep
 *     between every adjacent such pair of step 2's output", applied by
 *     cc_xf_put as characters stream out, before lower-casing.
 *
 * Bound: each boundary between two input chars (and the start) gets at
 * most one sep, so the output is at most 2*strlen(name) bytes.  The special
 * exceptions come from botocore's _xform_cache and must be kept in sync
 * with it; tests/names feeds botocore's own cache keys through this code.
 */

static const char *const cc_xform_exceptions[][2] = {
	{ "CreateCachediSCSIVolume", "create-cached-iscsi-volume" },
	{ "DescribeCachediSCSIVolumes", "describe-cached-iscsi-volumes" },
	{ "DescribeStorediSCSIVolumes", "describe-stored-iscsi-volumes" },
	{ "CreateStorediSCSIVolume", "create-stored-iscsi-volume" },
	{ "ListHITsForQualificationType",
	  "list-hits-for-qualification-type" },
	{ "ExecutePartiQLStatement", "execute-partiql-statement" },
	{ "ExecutePartiQLTransaction", "execute-partiql-transaction" },
	{ "ExecutePartiQLBatch", "execute-partiql-batch" },
	{ "AssociateWhatsAppBusinessAccount",
	  "associate-whatsapp-business-account" },
	{ "CreateWhatsAppMessageTemplate",
	  "create-whatsapp-message-template" },
	{ "CreateWhatsAppMessageTemplateFromLibrary",
	  "create-whatsapp-message-template-from-library" },
	{ "CreateWhatsAppMessageTemplateMedia",
	  "create-whatsapp-message-template-media" },
	{ "DeleteWhatsAppMessageMedia", "delete-whatsapp-message-media" },
	{ "DeleteWhatsAppMessageTemplate",
	  "delete-whatsapp-message-template" },
	{ "DisassociateWhatsAppBusinessAccount",
	  "disassociate-whatsapp-business-account" },
	{ "GetLinkedWhatsAppBusinessAccount",
	  "get-linked-whatsapp-business-account" },
	{ "GetLinkedWhatsAppBusinessAccountPhoneNumber",
	  "get-linked-whatsapp-business-account-phone-number" },
	{ "GetOTelEnrichment", "get-otel-enrichment" },
	{ "GetWhatsAppMessageMedia", "get-whatsapp-message-media" },
	{ "GetWhatsAppMessageTemplate", "get-whatsapp-message-template" },
	{ "ListLinkedWhatsAppBusinessAccounts",
	  "list-linked-whatsapp-business-accounts" },
	{ "ListWhatsAppMessageTemplates", "list-whatsapp-message-templates" },
	{ "ListWhatsAppTemplateLibrary", "list-whatsapp-template-library" },
	{ "PostWhatsAppMessageMedia", "post-whatsapp-message-media" },
	{ "PutWhatsAppBusinessAccountEventDestinations",
	  "put-whatsapp-business-account-event-destinations" },
	{ "SendWhatsAppMessage", "send-whatsapp-message" },
	{ "StartOTelEnrichment", "start-otel-enrichment" },
	{ "StopOTelEnrichment", "stop-otel-enrichment" },
	{ "UpdateWhatsAppMessageTemplate",
	  "update-whatsapp-message-template" },
};

#define CC_XF_SEP '-'

static int cc_is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int cc_is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int cc_is_lowdig(char c)
{
	return cc_is_lower(c) || (c >= '0' && c <= '9');
}
static char cc_lower(char c)
{
	return cc_is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* The output sink: applies step 3 and lower-casing, writes within CAP. */
typedef struct cc_xf_out {
	char *out;
	size_t cap, len;
	char prev;   /* last char of step 2's output, before lower-casing;
	              * '\0' at the start, which pairs with nothing */
} cc_xf_out;

static void cc_xf_emit(cc_xf_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->out[o->len] = c;
	o->len++;
}

static void cc_xf_put(cc_xf_out *o, char c)
{
	if (cc_is_lowdig(o->prev) && cc_is_upper(c))
		cc_xf_emit(o, CC_XF_SEP);
	cc_xf_emit(o, cc_lower(c));
	o->prev = c;
}

/* Step 1's view S1 of NAME: split at K, or K = strlen(NAME)+1 for no
 * special case; S1 has strlen(NAME) + (K <= strlen(NAME)) chars. */
typedef struct cc_xf_s1 {
	const char *name;
	size_t k;
} cc_xf_s1;

static char cc_xf_at(const cc_xf_s1 *s, size_t i)
{
	if (i < s->k)
		return s->name[i];
	if (i == s->k)
		return CC_XF_SEP;
	return cc_lower(s->name[i - 1]);
}

/* Steps 1 and 2 over OP (length N), feeding step 3 in O. */
static void cc_xf_scan(cc_xf_out *o, const char *op, size_t n)
{
	/* Step 1: [A-Z]{2,}s$ -- the upper-case run before a final 's'. */
	cc_xf_s1 s = { op, n + 1 };
	if (n >= 3 && op[n - 1] == 's') {
		size_t j = n - 1;
		while (j > 0 && cc_is_upper(op[j - 1]))
			j--;
		if (n - 1 - j >= 2)
			s.k = j;
	}
	size_t n1 = n + (s.k <= n);

	/* Step 2: (.)([A-Z][a-z]+), non-overlapping, left to right. */
	size_t p = 0;
	while (p < n1) {
		char c = cc_xf_at(&s, p);
		if (c != '\n' && p + 2 < n1 && cc_is_upper(cc_xf_at(&s, p + 1)) &&
		    cc_is_lower(cc_xf_at(&s, p + 2))) {
			size_t e = p + 3;
			while (e < n1 && cc_is_lower(cc_xf_at(&s, e)))
				e++;
			cc_xf_put(o, c);
			cc_xf_put(o, CC_XF_SEP);
			for (size_t i = p + 1; i < e; i++)
				cc_xf_put(o, cc_xf_at(&s, i));
			p = e;
		} else {
			cc_xf_put(o, c);
			p++;
		}
	}
}

size_t cc_cli_op_name(const char *op, char *out, size_t cap)
{
	cc_xf_out o = { out, cap, 0, '\0' };
	size_t n = strlen(op);

	const char *fixed = NULL;
	if (memchr(op, CC_XF_SEP, n))
		fixed = op;     /* "already transformed": verbatim */
	for (size_t i = 0; !fixed && i < sizeof cc_xform_exceptions /
	                                  sizeof cc_xform_exceptions[0]; i++)
		if (!strcmp(op, cc_xform_exceptions[i][0]))
			fixed = cc_xform_exceptions[i][1];
	if (fixed)
		for (; *fixed; fixed++)
			cc_xf_emit(&o, *fixed);
	else
		cc_xf_scan(&o, op, n);

	if (cap)
		out[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}
