/*
 * cc_inspect.c -- `airlock-compile info` and `airlock-compile dump`.
 * See cc_inspect.h; `verify` lives in cc_verify.c.
 *
 * Both commands read the catalog through the reader API only (alc_open and
 * the accessors of alc_reader.h), so they see exactly what the runtime
 * sees, and a file they can print is a file alc_open accepted.
 *
 * The dump is a test surface: tests/catalog renders the same text from
 * the model JSON with an independent script and diffs the two, and golden
 * files pin it down.  Its grammar is therefore part of the contract and
 * changes only on purpose:
 *
 *   - one fact per line, "field: value", in a fixed order; a field whose
 *     value is empty (string offset 0, count 0, ALC_NONE) is left out;
 *   - identifiers, shape ids, URIs and enum names are printed raw, with
 *     control bytes as \xNN so that a line is always one line; free text
 *     (titles, summaries, docs, patterns) and the string values of member
 *     and parameter lines are JSON strings (escaped as Python's
 *     json.dumps(s, ensure_ascii=False) does);
 *   - flags are printed by name in bit order, in brackets; a bit without a
 *     name is printed as 0xNN so that nothing stored is hidden;
 *   - shapes are printed once each, by absolute id, in depth-first
 *     pre-order from the roots (input, output, then each error), following
 *     members in stored order; prelude shapes (smithy.api#...) are
 *     referred to but not expanded.
 *
 * Views: `dump FILE SERVICE` (the service's fields, then its operations
 * with their flags), `SERVICE:OPERATION` (the operation's fields, then its
 * shapes), `SERVICE:*` (every operation in turn, blank-line separated,
 * each with its own shapes), `SERVICE#Name` and `--shape ns#Name` (one
 * shape and the shapes it reaches).
 *
 * `info FILE [--services] [--manifest] [--json]`: header, record counts,
 * section sizes; --services adds the per-service table, --manifest the
 * model files; --json prints the same facts as one JSON object (the tests
 * and the benchmarks read it).  Hashes are printed as 32 hex digits, high
 * half first: the canonical XXH128 form of `xxhsum -H2`.
 */
#include "cc_inspect.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alc_err.h"
#include "alc_format.h"
#include "alc_policy.h"
#include "alc_reader.h"
#include "cc_util.h"

/* ---- names of stored enums and flags --------------------------------- */

typedef struct flag_name { uint32_t bit; const char *name; } flag_name;

static const flag_name svc_flags[] = {
	{ ALC_SVC_SIGV4, "sigv4" },
	{ ALC_SVC_BEARER, "bearer" },
	{ ALC_SVC_NO_ERROR_WRAPPING, "no-error-wrapping" },
	{ ALC_SVC_QUERY_COMPATIBLE, "query-compatible" },
	{ ALC_SVC_ENDPOINT_DISCOVERY, "endpoint-discovery" },
};

static const flag_name op_flags[] = {
	{ ALC_OP_READONLY, "readonly" },
	{ ALC_OP_IDEMPOTENT, "idempotent" },
	{ ALC_OP_PAGINATED, "paginated" },
	{ ALC_OP_CHECKSUM_REQUIRED, "checksum-required" },
	{ ALC_OP_UNSIGNED_PAYLOAD, "unsigned-payload" },
	{ ALC_OP_NO_AUTH, "no-auth" },
	{ ALC_OP_OPTIONAL_AUTH, "optional-auth" },
	{ ALC_OP_DEPRECATED, "deprecated" },
	{ ALC_OP_INPUT_STREAMING, "input-streaming" },
	{ ALC_OP_OUTPUT_STREAMING, "output-streaming" },
	{ ALC_OP_ENDPOINT_DISCOVERY, "endpoint-discovery" },
	{ ALC_OP_REQUEST_COMPRESSION, "request-compression" },
	{ ALC_OP_EVENT_STREAM, "event-stream" },
};

static const flag_name shape_flags[] = {
	{ ALC_SH_SENSITIVE, "sensitive" },
	{ ALC_SH_STREAMING, "streaming" },
	{ ALC_SH_SPARSE, "sparse" },
	{ ALC_SH_UNIQUE_ITEMS, "unique-items" },
	{ ALC_SH_ERROR_CLIENT, "error-client" },
	{ ALC_SH_ERROR_SERVER, "error-server" },
	{ ALC_SH_RETRYABLE, "retryable" },
	{ ALC_SH_THROTTLING, "throttling" },
	{ ALC_SH_XML_FLATTENED, "xml-flattened" },
	{ ALC_SH_REQUIRES_LENGTH, "requires-length" },
	{ ALC_SH_DEPRECATED, "deprecated" },
	{ ALC_SH_ENUM_TRAIT, "enum-trait" },
	{ ALC_SH_EVENT_STREAM, "event-stream" },
	{ ALC_SH_INPUT, "input" },
	{ ALC_SH_OUTPUT, "output" },
	{ ALC_SH_HAS_DEFAULT, "has-default" },
};

/* ALC_M_ENUM_VALUE and ALC_M_HAS_EXT say how a record is laid out, not
 * what the model says; the dump shows their effect (the "value" line, the
 * ext fields) instead of the bits. */
#define MEMBER_LAYOUT_BITS (ALC_M_ENUM_VALUE | ALC_M_HAS_EXT)

static const flag_name member_flags[] = {
	{ ALC_M_REQUIRED, "required" },
	{ ALC_M_CLIENT_OPTIONAL, "client-optional" },
	{ ALC_M_HAS_DEFAULT, "has-default" },
	{ ALC_M_HTTP_LABEL, "http-label" },
	{ ALC_M_HTTP_QUERY, "http-query" },
	{ ALC_M_HTTP_QUERY_PARAMS, "http-query-params" },
	{ ALC_M_HTTP_HEADER, "http-header" },
	{ ALC_M_HTTP_PREFIX_HEADERS, "http-prefix-headers" },
	{ ALC_M_HTTP_PAYLOAD, "http-payload" },
	{ ALC_M_HTTP_RESPONSE_CODE, "http-response-code" },
	{ ALC_M_HOST_LABEL, "host-label" },
	{ ALC_M_IDEMPOTENCY_TOKEN, "idempotency-token" },
	{ ALC_M_XML_ATTRIBUTE, "xml-attribute" },
	{ ALC_M_XML_FLATTENED, "xml-flattened" },
	{ ALC_M_SENSITIVE, "sensitive" },
	{ ALC_M_DEPRECATED, "deprecated" },
	{ ALC_M_EVENT_PAYLOAD, "event-payload" },
	{ ALC_M_GREEDY_LABEL, "greedy-label" },
	{ ALC_M_EVENT_HEADER, "event-header" },
};

static const flag_name file_flags[] = {
	{ ALC_F_FULL_DOCS, "full-docs" },
	{ ALC_F_POLICY, "policy" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const type_names[ALC_T_COUNT] = {
	[ALC_T_BLOB] = "blob", [ALC_T_BOOLEAN] = "boolean",
	[ALC_T_STRING] = "string", [ALC_T_BYTE] = "byte",
	[ALC_T_SHORT] = "short", [ALC_T_INTEGER] = "integer",
	[ALC_T_LONG] = "long", [ALC_T_FLOAT] = "float",
	[ALC_T_DOUBLE] = "double", [ALC_T_BIGINTEGER] = "bigInteger",
	[ALC_T_BIGDECIMAL] = "bigDecimal", [ALC_T_TIMESTAMP] = "timestamp",
	[ALC_T_DOCUMENT] = "document", [ALC_T_ENUM] = "enum",
	[ALC_T_INTENUM] = "intEnum", [ALC_T_LIST] = "list", [ALC_T_MAP] = "map",
	[ALC_T_STRUCTURE] = "structure", [ALC_T_UNION] = "union",
};

static const char *const proto_names[ALC_PROTO_COUNT] = {
	[ALC_PROTO_NONE] = "none",
	[ALC_PROTO_AWSJSON1_0] = "awsJson1_0", [ALC_PROTO_AWSJSON1_1] = "awsJson1_1",
	[ALC_PROTO_RESTJSON1] = "restJson1", [ALC_PROTO_RESTXML] = "restXml",
	[ALC_PROTO_AWSQUERY] = "awsQuery", [ALC_PROTO_EC2QUERY] = "ec2Query",
};

static const char *const ts_names[] = {
	[ALC_TS_NONE] = "", [ALC_TS_DATE_TIME] = "date-time",
	[ALC_TS_HTTP_DATE] = "http-date", [ALC_TS_EPOCH_SECONDS] = "epoch-seconds",
};

static const char *const param_kinds[] = {
	[0] = "unknown", [ALC_PARAM_CLIENT_CONTEXT] = "client-context",
	[ALC_PARAM_STATIC_CONTEXT] = "static-context",
	[ALC_PARAM_OPERATION_CONTEXT] = "operation-context",
};

static const char *const sec_names[ALC_SEC_MAX_ID + 1] = {
	[ALC_SEC_STRS] = "STRS", [ALC_SEC_SVCS] = "SVCS", [ALC_SEC_OPS] = "OPS",
	[ALC_SEC_SHAPES] = "SHAPES", [ALC_SEC_MEMBERS] = "MEMBERS",
	[ALC_SEC_MEMBEXT] = "MEMBEXT", [ALC_SEC_CONS] = "CONS",
	[ALC_SEC_U32] = "U32", [ALC_SEC_PARAMS] = "PARAMS",
	[ALC_SEC_RULES] = "RULES", [ALC_SEC_MANIFEST] = "MANIFEST",
	[ALC_SEC_IDX_SVC] = "IDX_SVC", [ALC_SEC_IDX_OP] = "IDX_OP",
	[ALC_SEC_IDX_CLI] = "IDX_CLI", [ALC_SEC_PARTITIONS] = "PARTITIONS",
	[ALC_SEC_POLICY] = "POLICY", [ALC_SEC_SHAPEXT] = "SHAPEXT",
	[ALC_SEC_DOCS] = "DOCS", [ALC_SEC_READMAP] = "READMAP",
};

/* Tables indexed by an enum have one row per value. */
_Static_assert(NELEM(type_names) == ALC_T_COUNT, "type_names");
_Static_assert(NELEM(proto_names) == ALC_PROTO_COUNT, "proto_names");
_Static_assert(NELEM(ts_names) == ALC_TS_EPOCH_SECONDS + 1, "ts_names");
_Static_assert(NELEM(param_kinds) == ALC_PARAM_OPERATION_CONTEXT + 1, "param_kinds");

/* The catalog was validated at open, but enum fields are not all range
 * checked there; a name lookup never indexes out of its table. */
static const char *type_name(uint32_t t)
{
	return t < ALC_T_COUNT && type_names[t] ? type_names[t] : "?";
}

static const char *proto_name(uint32_t p)
{
	return p < ALC_PROTO_COUNT ? proto_names[p] : "?";
}

static const char *ts_name(uint32_t t)
{
	return t < NELEM(ts_names) ? ts_names[t] : "?";
}

static const char *param_kind(uint32_t k)
{
	return k < NELEM(param_kinds) ? param_kinds[k] : "unknown";
}

static const char *sec_name(uint32_t id)
{
	return id <= ALC_SEC_MAX_ID && sec_names[id] ? sec_names[id] : "unknown";
}

/* ---- output primitives ----------------------------------------------- */

/* Raw text with control bytes (and DEL) as \xNN: one value, one line. */
static void put_raw(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			putc(*p, f);
	}
}

/* A JSON string (cc_util.h). */
static void put_q(FILE *f, const char *s)
{
	cc_json_put_str(f, s ? s : "");
}

/* " [a b c]" for the set bits of FLAGS (nothing when none is set). */
static void put_flags(FILE *f, uint32_t flags, const flag_name *t, size_t n)
{
	if (!flags)
		return;
	const char *sep = " [";
	for (size_t i = 0; i < n; i++) {
		if (flags & t[i].bit) {
			fprintf(f, "%s%s", sep, t[i].name);
			sep = " ";
			flags &= ~t[i].bit;
		}
	}
	if (flags)
		fprintf(f, "%s0x%" PRIx32, sep, flags);
	putc(']', f);
}

/* "  field: value\n" with a raw value, left out when the value is empty. */
static void field_raw(FILE *f, const char *indent, const char *name, const char *v)
{
	if (!*v)
		return;
	fprintf(f, "%s%s: ", indent, name);
	put_raw(f, v);
	putc('\n', f);
}

/* The same with a JSON-quoted value. */
static void field_q(FILE *f, const char *indent, const char *name, const char *v)
{
	if (!*v)
		return;
	fprintf(f, "%s%s: ", indent, name);
	put_q(f, v);
	putc('\n', f);
}

/* " key=\"value\"" inside a member line, left out when empty. */
static void tok_q(FILE *f, const char *key, const char *v)
{
	if (!*v)
		return;
	fprintf(f, " %s=", key);
	put_q(f, v);
}

/* 32 hex digits: the canonical (big-endian) form of an XXH128 hash, as
 * printed by `xxhsum -H2` / `xxh128sum`. */
static void hex128(char out[33], uint64_t hi, uint64_t lo)
{
	snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, hi, lo);
}

/* ---- opening --------------------------------------------------------- */

static int open_catalog(alc_catalog *c, const char *path)
{
	alc_diag d;
	d.msg[0] = '\0';
	int rc = alc_open(c, path, &d);
	if (rc != 0) {
		fprintf(stderr, "%s: %s%s%s\n", path, al_strerror(rc),
		        d.msg[0] ? ": " : "", d.msg);
		return 1;
	}
	return 0;
}

/* Flush stdout and report a write error (a full disk, a closed pipe). */
static int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "airlock-compile: error writing the output\n");
		return 1;
	}
	return rc;
}

/* ---- info ------------------------------------------------------------ */

typedef struct info_opts {
	int json, services, manifest;
	const char *path;
} info_opts;

static const alc_section *section_dir(const alc_catalog *c)
{
	/* alc_open checked that the directory lies inside the file. */
	return (const alc_section *)(c->base + c->hdr->dir_offset);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Bytes that belong to no section: header, directory and padding. */
static uint64_t overhead_bytes(const alc_catalog *c)
{
	const alc_section *dir = section_dir(c);
	uint64_t used = 0;
	for (uint32_t i = 0; i < c->hdr->section_count; i++)
		used += dir[i].size;
	return c->hdr->file_size - used;
}

static uint32_t services_with_rules(const alc_catalog *c)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nsvcs; i++)
		n += c->svcs[i].rules_size != 0;
	return n;
}

static uint64_t manifest_bytes(const alc_catalog *c)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < c->nmanifest; i++)
		n += c->manifest[i].size;
	return n;
}

/* Mutating operations (not alc_op_is_read) and those with a read mapping. */
static void readmap_counts(const alc_catalog *c, uint32_t *mut, uint32_t *mapped)
{
	alc_readmap rm;
	for (uint32_t i = 0; i < c->nops; i++) {
		const alc_operation *op = &c->ops[i];
		if (alc_op_is_read(alc_str(c, op->name), op->flags))
			continue;
		(*mut)++;
		*mapped += (uint32_t)alc_op_readmap(c, op, &rm);
	}
}

static void info_text(const alc_catalog *c, const info_opts *o)
{
	const alc_header *h = c->hdr;
	FILE *f = stdout;
	char hex[33];
	hex128(hex, h->checksum_hi, h->checksum_lo);
	printf("catalog: ");
	put_raw(f, o->path);
	printf("\nfile size: %" PRIu64 " bytes\n", h->file_size);
	printf("format: write version %u, read version %u\n",
	       (unsigned)h->write_version, (unsigned)h->read_version);
	printf("compiler: ");
	put_raw(f, alc_str(c, h->compiler_version));
	printf("\nflags: 0x%" PRIx32, h->flags);
	put_flags(f, h->flags, file_flags, NELEM(file_flags));
	printf("\nchecksum: xxh3-128 %s\n", hex);
	printf("models source: ");
	put_raw(f, alc_str(c, h->models_source));
	printf("\nmodels revision: ");
	put_raw(f, *alc_str(c, h->models_revision) ? alc_str(c, h->models_revision) : "(unknown)");
	printf("\n\ncounts:\n");
	printf("  services           %10" PRIu32 "\n", c->nsvcs);
	printf("  operations         %10" PRIu32 "\n", c->nops);
	printf("  shapes             %10" PRIu32 "\n", c->nshapes);
	printf("  members            %10" PRIu32 "\n", c->nmembers);
	printf("  shape ext records  %10" PRIu32 "\n", c->nshext);
	printf("  member ext records %10" PRIu32 "\n", c->nmext);
	printf("  constraints        %10" PRIu32 "\n", c->ncons);
	printf("  u32 list entries   %10" PRIu32 "\n", c->nu32);
	printf("  endpoint params    %10" PRIu32 "\n", c->nparams);
	printf("  services with rules%10" PRIu32 " (RULES: %" PRIu32 " bytes, rule sets may be shared)\n",
	       services_with_rules(c), c->rules_size);
	printf("  model files        %10" PRIu32 " (%" PRIu64 " bytes)\n",
	       c->nmanifest, manifest_bytes(c));
	printf("  string bytes       %10" PRIu32 "\n", c->strs_size);
	uint32_t mut = 0, mapped = 0;
	readmap_counts(c, &mut, &mapped);
	printf("  read mappings      %10" PRIu32 " of %" PRIu32 " mutating operations (%.1f%%)\n",
	       mapped, mut, pct(mapped, mut));

	const alc_section *dir = section_dir(c);
	printf("\nsections:\n");
	printf("  %-2s %-10s %10s %8s %10s %10s %6s\n", "id", "name", "records",
	       "entsize", "offset", "bytes", "%file");
	for (uint32_t i = 0; i < h->section_count; i++) {
		const alc_section *s = &dir[i];
		printf("  %2" PRIu32 " %-10s %10" PRIu32 " %8" PRIu32 " %10" PRIu64
		       " %10" PRIu64 " %5.1f%%\n", s->id, sec_name(s->id), s->count,
		       s->entsize, s->offset, s->size, pct(s->size, h->file_size));
	}
	uint64_t ov = overhead_bytes(c);
	printf("  %-2s %-10s %10s %8s %10s %10" PRIu64 " %5.1f%%\n", "-",
	       "(overhead)", "", "", "", ov, pct(ov, h->file_size));
	printf("     header %zu, directory %zu, alignment padding %" PRIu64 "\n",
	       sizeof(alc_header), (size_t)h->section_count * sizeof(alc_section),
	       ov - sizeof(alc_header) - (uint64_t)h->section_count * sizeof(alc_section));

	if (o->services) {
		printf("\nservices:\n");
		printf("  %-40s %-44s %-10s %5s %6s\n", "key", "sdk-id", "protocol",
		       "ops", "shapes");
		for (uint32_t i = 0; i < c->nsvcs; i++) {
			const alc_service *s = &c->svcs[i];
			printf("  %-40s %-44s %-10s %5" PRIu32 " %6" PRIu32 "\n",
			       alc_str(c, s->key), alc_str(c, s->sdk_id),
			       proto_name(s->protocol), s->op_count, s->shape_count);
		}
	}
	if (o->manifest) {
		printf("\nmanifest:\n");
		for (uint32_t i = 0; i < c->nmanifest; i++) {
			const alc_manifest *m = &c->manifest[i];
			hex128(hex, m->digest_hi, m->digest_lo);
			printf("  ");
			put_raw(f, alc_str(c, m->path));
			printf("  %" PRIu64 " bytes  xxh3-128 %s  smithy %s\n", m->size,
			       hex, alc_str(c, m->smithy_version));
		}
	} else if (c->nmanifest) {
		printf("\nmanifest: %" PRIu32 " model files (--manifest lists them)\n",
		       c->nmanifest);
	}
}

static void jkey(FILE *f, int *first, const char *k)
{
	fputs(*first ? "" : ",", f);
	*first = 0;
	fprintf(f, "\n  ");
	put_q(f, k);
	fputs(": ", f);
}

static void info_json(const alc_catalog *c, const info_opts *o)
{
	const alc_header *h = c->hdr;
	FILE *f = stdout;
	char hex[33];
	int first = 1;
	putc('{', f);
	jkey(f, &first, "file");
	put_q(f, o->path);
	jkey(f, &first, "file_size");
	fprintf(f, "%" PRIu64, h->file_size);
	jkey(f, &first, "write_version");
	fprintf(f, "%u", (unsigned)h->write_version);
	jkey(f, &first, "read_version");
	fprintf(f, "%u", (unsigned)h->read_version);
	jkey(f, &first, "compiler_version");
	put_q(f, alc_str(c, h->compiler_version));
	jkey(f, &first, "flags");
	fprintf(f, "%" PRIu32, h->flags);
	jkey(f, &first, "checksum");
	hex128(hex, h->checksum_hi, h->checksum_lo);
	put_q(f, hex);
	jkey(f, &first, "models_source");
	put_q(f, alc_str(c, h->models_source));
	jkey(f, &first, "models_revision");
	put_q(f, alc_str(c, h->models_revision));
	uint32_t mut = 0, mapped = 0;
	readmap_counts(c, &mut, &mapped);
	jkey(f, &first, "counts");
	fprintf(f, "{\"services\": %" PRIu32 ", \"operations\": %" PRIu32
	        ", \"shapes\": %" PRIu32 ", \"members\": %" PRIu32
	        ", \"shape_exts\": %" PRIu32 ", \"member_exts\": %" PRIu32
	        ", \"constraints\": %" PRIu32 ", \"u32\": %" PRIu32
	        ", \"params\": %" PRIu32 ", \"services_with_rules\": %" PRIu32
	        ", \"rules_bytes\": %" PRIu32 ", \"models\": %" PRIu32
	        ", \"models_bytes\": %" PRIu64 ", \"string_bytes\": %" PRIu32
	        ", \"mutating_operations\": %" PRIu32 ", \"read_mappings\": %" PRIu32 "}",
	        c->nsvcs, c->nops, c->nshapes, c->nmembers, c->nshext, c->nmext,
	        c->ncons, c->nu32, c->nparams, services_with_rules(c),
	        c->rules_size, c->nmanifest, manifest_bytes(c), c->strs_size, mut, mapped);
	jkey(f, &first, "sections");
	putc('[', f);
	const alc_section *dir = section_dir(c);
	for (uint32_t i = 0; i < h->section_count; i++) {
		const alc_section *s = &dir[i];
		fprintf(f, "%s\n    {\"id\": %" PRIu32 ", \"name\": \"%s\", \"records\": %"
		        PRIu32 ", \"entsize\": %" PRIu32 ", \"offset\": %" PRIu64
		        ", \"bytes\": %" PRIu64 ", \"percent\": %.2f}", i ? "," : "",
		        s->id, sec_name(s->id), s->count, s->entsize, s->offset,
		        s->size, pct(s->size, h->file_size));
	}
	fputs("\n  ]", f);
	jkey(f, &first, "overhead_bytes");
	fprintf(f, "%" PRIu64, overhead_bytes(c));
	if (o->services) {
		jkey(f, &first, "services");
		putc('[', f);
		for (uint32_t i = 0; i < c->nsvcs; i++) {
			const alc_service *s = &c->svcs[i];
			fprintf(f, "%s\n    {\"key\": ", i ? "," : "");
			put_q(f, alc_str(c, s->key));
			fputs(", \"sdk_id\": ", f);
			put_q(f, alc_str(c, s->sdk_id));
			fputs(", \"shape_id\": ", f);
			put_q(f, alc_str(c, s->shape_id));
			fprintf(f, ", \"protocol\": \"%s\", \"operations\": %" PRIu32
			        ", \"shapes\": %" PRIu32 ", \"rules_bytes\": %" PRIu32 "}",
			        proto_name(s->protocol), s->op_count, s->shape_count,
			        s->rules_size);
		}
		fputs("\n  ]", f);
	}
	if (o->manifest) {
		jkey(f, &first, "manifest");
		putc('[', f);
		for (uint32_t i = 0; i < c->nmanifest; i++) {
			const alc_manifest *m = &c->manifest[i];
			hex128(hex, m->digest_hi, m->digest_lo);
			fprintf(f, "%s\n    {\"path\": ", i ? "," : "");
			put_q(f, alc_str(c, m->path));
			fputs(", \"service\": ", f);
			put_q(f, m->service < c->nsvcs ? alc_str(c, c->svcs[m->service].key) : "");
			fprintf(f, ", \"size\": %" PRIu64 ", \"digest\": \"%s\", "
			        "\"smithy_version\": ", m->size, hex);
			put_q(f, alc_str(c, m->smithy_version));
			putc('}', f);
		}
		fputs("\n  ]", f);
	}
	fputs("\n}\n", f);
}

static void info_usage(void)
{
	fputs("usage: airlock-compile info FILE.alc [--services] [--manifest] [--json]\n", stderr);
}

int cc_cmd_info(int argc, char **argv)
{
	info_opts o;
	memset(&o, 0, sizeof o);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) o.json = 1;
		else if (strcmp(argv[i], "--services") == 0) o.services = 1;
		else if (strcmp(argv[i], "--manifest") == 0) o.manifest = 1;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "airlock-compile: info: unknown option %s\n", argv[i]);
			info_usage();
			return 2;
		} else if (!o.path) o.path = argv[i];
		else {
			info_usage();
			return 2;
		}
	}
	if (!o.path) {
		info_usage();
		return 2;
	}
	alc_catalog c;
	if (open_catalog(&c, o.path) != 0)
		return 1;
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (o.json)
		info_json(&c, &o);
	else
		info_text(&c, &o);
	int rc = finish_output(0);
	alc_close(&c);
	return rc;
}

/* ---- dump ------------------------------------------------------------ */

typedef struct dumper {
	const alc_catalog *c;
	FILE *f;
	uint8_t *seen;           /* one byte per shape: already printed */
	uint32_t *stack;         /* pending shape indexes (DFS) */
	size_t nstack, capstack;
} dumper;

static void put_shape_id(dumper *d, uint32_t shape)
{
	if (shape == ALC_NONE) {
		fputs("smithy.api#Unit", d->f);
		return;
	}
	put_raw(d->f, alc_shape_ns(d->c, shape));
	putc('#', d->f);
	put_raw(d->f, alc_str(d->c, d->c->shapes[shape].name));
}

static int is_prelude(const alc_catalog *c, uint32_t shape)
{
	return strcmp(alc_shape_ns(c, shape), "smithy.api") == 0 &&
	       alc_shape_service(c, shape) == ALC_NONE;
}

/* length/range as "min..max" with an absent side left empty. */
static void put_length(FILE *f, const alc_cons *k)
{
	if (k->flags & ALC_C_LEN_MIN)
		fprintf(f, "%" PRId64, k->len_min);
	fputs("..", f);
	if (k->flags & ALC_C_LEN_MAX)
		fprintf(f, "%" PRId64, k->len_max);
}

static void put_bound(const alc_catalog *c, FILE *f, uint32_t text, double v)
{
	/* The text is the bound as the compiler wrote it; the double is what
	 * validation uses.  A record without the text still shows the value. */
	if (*alc_str(c, text))
		put_raw(f, alc_str(c, text));
	else
		fprintf(f, "%.17g", v);
}

static void put_range(const alc_catalog *c, FILE *f, const alc_cons *k)
{
	if (k->flags & ALC_C_RANGE_MIN)
		put_bound(c, f, k->range_min_text, k->range_min);
	fputs("..", f);
	if (k->flags & ALC_C_RANGE_MAX)
		put_bound(c, f, k->range_max_text, k->range_max);
}

/* Shape-level constraints, one field line each. */
static void cons_lines(dumper *d, const char *indent, uint32_t ci)
{
	if (ci == ALC_NONE)
		return;
	const alc_cons *k = &d->c->cons[ci];
	if (k->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX)) {
		fprintf(d->f, "%slength: ", indent);
		put_length(d->f, k);
		putc('\n', d->f);
	}
	if (k->flags & (ALC_C_RANGE_MIN | ALC_C_RANGE_MAX)) {
		fprintf(d->f, "%srange: ", indent);
		put_range(d->c, d->f, k);
		putc('\n', d->f);
	}
	if (k->flags & ALC_C_PATTERN)
		field_q(d->f, indent, "pattern", alc_str(d->c, k->pattern));
	uint32_t other = k->flags & ~(uint32_t)(ALC_C_LEN_MIN | ALC_C_LEN_MAX |
	                                        ALC_C_RANGE_MIN | ALC_C_RANGE_MAX |
	                                        ALC_C_PATTERN);
	if (other)
		fprintf(d->f, "%sconstraint-flags: 0x%" PRIx32 "\n", indent, other);
}

/* Member-level constraints as tokens of the member line. */
static void cons_tokens(dumper *d, uint32_t ci)
{
	if (ci == ALC_NONE)
		return;
	const alc_cons *k = &d->c->cons[ci];
	if (k->flags & (ALC_C_LEN_MIN | ALC_C_LEN_MAX)) {
		fputs(" length=", d->f);
		put_length(d->f, k);
	}
	if (k->flags & (ALC_C_RANGE_MIN | ALC_C_RANGE_MAX)) {
		fputs(" range=", d->f);
		put_range(d->c, d->f, k);
	}
	if (k->flags & ALC_C_PATTERN)
		tok_q(d->f, "pattern", alc_str(d->c, k->pattern));
}

static void push_shape(dumper *d, uint32_t shape)
{
	if (shape == ALC_NONE || d->seen[shape])
		return;
	if (d->nstack == d->capstack) {
		d->capstack = d->capstack ? d->capstack * 2 : 64;
		d->stack = cc_xrealloc(d->stack, d->capstack * sizeof *d->stack);
	}
	d->stack[d->nstack++] = shape;
}

static void member_line(dumper *d, const alc_shape *owner, const alc_member *m)
{
	const alc_catalog *c = d->c;
	FILE *f = d->f;
	if (owner->type == ALC_T_ENUM || owner->type == ALC_T_INTENUM) {
		fputs("  value ", f);
		put_raw(f, alc_str(c, m->name));
		fputs(" = ", f);
		if (owner->type == ALC_T_ENUM)
			put_q(f, alc_str(c, m->aux));
		else
			fprintf(f, "%" PRId32, (int32_t)m->aux);
	} else {
		fputs("  member ", f);
		put_raw(f, alc_str(c, m->name));
		fputs(" -> ", f);
		put_shape_id(d, m->target);
	}
	put_flags(f, m->flags & ~(uint32_t)MEMBER_LAYOUT_BITS, member_flags,
	          NELEM(member_flags));
	const alc_member_ext *x = (owner->type == ALC_T_ENUM ||
	                           owner->type == ALC_T_INTENUM)
	                          ? NULL : alc_member_ext_of(c, m);
	if (x) {
		tok_q(f, "loc", alc_str(c, x->loc_name));
		tok_q(f, "json", alc_str(c, x->json_name));
		tok_q(f, "xml", alc_str(c, x->xml_name));
		tok_q(f, "ec2", alc_str(c, x->ec2_name));
		tok_q(f, "xmlns", alc_str(c, x->xml_ns_uri));
		tok_q(f, "xmlns-prefix", alc_str(c, x->xml_ns_prefix));
		if (*alc_str(c, x->default_json)) {
			fputs(" default=", f);
			put_raw(f, alc_str(c, x->default_json));
		}
		tok_q(f, "context-param", alc_str(c, x->context_param));
		if (x->ts_format)
			fprintf(f, " timestamp-format=%s", ts_name(x->ts_format));
		cons_tokens(d, x->cons);
	}
	tok_q(f, "summary", alc_str(c, m->summary));
	tok_q(f, "doc", alc_doc_member(c, (uint32_t)(m - c->members)));
	putc('\n', f);
}

static void shape_block(dumper *d, uint32_t si)
{
	const alc_catalog *c = d->c;
	const alc_shape *s = &c->shapes[si];
	FILE *f = d->f;
	fputs("\nshape ", f);
	put_shape_id(d, si);
	fprintf(f, ": %s", type_name(s->type));
	put_flags(f, s->flags, shape_flags, NELEM(shape_flags));
	putc('\n', f);
	cons_lines(d, "  ", s->cons);
	if (s->ts_format)
		fprintf(f, "  timestamp-format: %s\n", ts_name(s->ts_format));
	if (s->http_error)
		fprintf(f, "  http-error: %u\n", (unsigned)s->http_error);
	if (s->ext != ALC_NONE) {
		const alc_shape_ext *x = &c->shext[s->ext];
		field_raw(f, "  ", "error-code", alc_str(c, x->error_code));
		field_raw(f, "  ", "xml-name", alc_str(c, x->xml_name));
		if (x->xml_ns_uri || x->xml_ns_prefix) {
			fputs("  xml-namespace: ", f);
			put_raw(f, alc_str(c, x->xml_ns_uri));
			if (x->xml_ns_prefix) {
				fputs(" prefix=", f);
				put_raw(f, alc_str(c, x->xml_ns_prefix));
			}
			putc('\n', f);
		}
		field_raw(f, "  ", "media-type", alc_str(c, x->media_type));
	}
	for (uint32_t i = 0; i < s->member_count; i++)
		member_line(d, s, &c->members[s->first_member + i]);
}

/* Print ROOT and every shape reachable from it through members, each once
 * (see the order at the top of the file).  The explicit stack keeps the
 * depth of deeply nested models off the C stack; marking on pop and
 * pushing members in reverse gives the recursive pre-order. */
static void shape_closure(dumper *d, uint32_t root)
{
	push_shape(d, root);
	while (d->nstack) { /* bound: each shape is expanded once */
		uint32_t si = d->stack[--d->nstack];
		if (d->seen[si])
			continue;
		d->seen[si] = 1;
		if (is_prelude(d->c, si))
			continue;
		shape_block(d, si);
		const alc_shape *s = &d->c->shapes[si];
		if (s->type == ALC_T_ENUM || s->type == ALC_T_INTENUM)
			continue;
		for (uint32_t i = s->member_count; i-- > 0;)
			push_shape(d, d->c->members[s->first_member + i].target);
	}
}

static void param_lines(dumper *d, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const alc_param *p = &d->c->params[first + i];
		fprintf(d->f, "  param %s ", param_kind(p->kind));
		put_raw(d->f, alc_str(d->c, p->name));
		putc(' ', d->f);
		if (p->kind == ALC_PARAM_STATIC_CONTEXT)
			put_raw(d->f, alc_str(d->c, p->value)); /* compact JSON */
		else
			put_q(d->f, alc_str(d->c, p->value));
		tok_q(d->f, "doc", alc_str(d->c, p->doc));
		putc('\n', d->f);
	}
}

static void error_lines(dumper *d, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		fputs("  error ", d->f);
		put_shape_id(d, d->c->u32[first + i]);
		putc('\n', d->f);
	}
}

static void dump_service(dumper *d, const alc_service *s)
{
	const alc_catalog *c = d->c;
	FILE *f = d->f;
	fputs("service ", f);
	put_raw(f, alc_str(c, s->key));
	putc('\n', f);
	field_raw(f, "  ", "sdk-id", alc_str(c, s->sdk_id));
	field_raw(f, "  ", "shape", alc_str(c, s->shape_id));
	field_raw(f, "  ", "version", alc_str(c, s->version));
	field_q(f, "  ", "title", alc_str(c, s->title));
	fprintf(f, "  protocol: %s\n", proto_name(s->protocol));
	field_raw(f, "  ", "signing-name", alc_str(c, s->signing_name));
	field_raw(f, "  ", "endpoint-prefix", alc_str(c, s->endpoint_prefix));
	field_raw(f, "  ", "cli-name", alc_str(c, s->cli_name));
	field_raw(f, "  ", "arn-namespace", alc_str(c, s->arn_namespace));
	field_raw(f, "  ", "cfn-name", alc_str(c, s->cfn_name));
	if (s->xml_ns_uri || s->xml_ns_prefix) {
		fputs("  xml-namespace: ", f);
		put_raw(f, alc_str(c, s->xml_ns_uri));
		if (s->xml_ns_prefix) {
			fputs(" prefix=", f);
			put_raw(f, alc_str(c, s->xml_ns_prefix));
		}
		putc('\n', f);
	}
	field_raw(f, "  ", "target-prefix", alc_str(c, s->target_prefix));
	field_raw(f, "  ", "namespace", alc_str(c, s->namespace_));
	if (s->flags) {
		fputs("  flags:", f);
		put_flags(f, s->flags, svc_flags, NELEM(svc_flags));
		putc('\n', f);
	}
	param_lines(d, s->first_param, s->param_count);
	error_lines(d, s->first_error, s->error_count);
	if (s->rules_size)
		fprintf(f, "  rules: %" PRIu32 " bytes\n", s->rules_size);
	fprintf(f, "  shapes: %" PRIu32 "\n", s->shape_count);
	if (s->manifest < c->nmanifest) {
		const alc_manifest *m = &c->manifest[s->manifest];
		fputs("  model: ", f);
		put_raw(f, alc_str(c, m->path));
		fputs(" (smithy ", f);
		put_raw(f, alc_str(c, m->smithy_version));
		fputs(")\n", f);
	}
	field_q(f, "  ", "summary", alc_str(c, s->summary));
	field_q(f, "  ", "doc", alc_doc_service(c, alc_svc_index(c, s)));
	fprintf(f, "  operations: %" PRIu32 "\n", s->op_count);
	for (uint32_t i = 0; i < s->op_count; i++) {
		const alc_operation *op = &c->ops[s->first_op + i];
		fputs("  op ", f);
		put_raw(f, alc_str(c, op->name));
		put_flags(f, op->flags, op_flags, NELEM(op_flags));
		putc('\n', f);
	}
}

/* "  readmap: READ kind=K source=S state=PATH args=TO=FROM,TO=[FROM],TO:=JSON"
 * (state "-" is the whole output, args "-" none). */
static void readmap_line(dumper *d, const alc_operation *op)
{
	static const char *const kinds[] = { "?", "create", "update", "delete", "other" };
	static const char *const sources[] = { "?", "lifecycle", "verb-noun", "override" };
	alc_readmap rm;
	FILE *f = d->f;
	if (!alc_op_readmap(d->c, op, &rm))
		return;
	fputs("  readmap: ", f);
	put_raw(f, alc_str(d->c, rm.read->name));
	fprintf(f, " kind=%s source=%s state=", kinds[rm.kind < 5 ? rm.kind : 0],
	        sources[rm.source < 4 ? rm.source : 0]);
	put_raw(f, *rm.state_path ? rm.state_path : "-");
	fputs(" args=", f);
	if (!rm.nargs)
		putc('-', f);
	for (uint32_t i = 0; i < rm.nargs; i++) {
		const alc_readmap_arg *a = &rm.args[i];
		if (i)
			putc(',', f);
		put_raw(f, a->to);
		fputs(a->flags & ALC_RMA_CONST ? ":=" : "=", f);
		if (a->flags & ALC_RMA_LIST)
			putc('[', f);
		put_raw(f, a->from);
		if (a->flags & ALC_RMA_LIST)
			putc(']', f);
	}
	putc('\n', f);
}

static void dump_operation(dumper *d, const alc_operation *op)
{
	const alc_catalog *c = d->c;
	const alc_service *s = &c->svcs[op->service];
	FILE *f = d->f;
	fputs("operation ", f);
	put_raw(f, alc_str(c, s->key));
	putc(':', f);
	put_raw(f, alc_str(c, op->name));
	putc('\n', f);
	field_raw(f, "  ", "cli-name", alc_str(c, op->cli_name));
	if (*alc_str(c, op->http_method) || *alc_str(c, op->http_uri)) {
		fputs("  http: ", f);
		put_raw(f, alc_str(c, op->http_method));
		putc(' ', f);
		put_raw(f, alc_str(c, op->http_uri));
		fprintf(f, " %" PRIu32 "\n", op->http_code);
	} else if (op->http_code != 200) {
		fprintf(f, "  http-code: %" PRIu32 "\n", op->http_code);
	}
	field_raw(f, "  ", "host-prefix", alc_str(c, op->host_prefix));
	if (op->flags) {
		fputs("  flags:", f);
		put_flags(f, op->flags, op_flags, NELEM(op_flags));
		putc('\n', f);
	}
	fputs("  input: ", f);
	put_shape_id(d, op->input);
	fputs("\n  output: ", f);
	put_shape_id(d, op->output);
	putc('\n', f);
	if (op->idem_member != ALC_NONE)
		field_raw(f, "  ", "idempotency-token",
		          alc_str(c, c->members[op->idem_member].name));
	if (op->pg_input_token || op->pg_output_token || op->pg_items || op->pg_page_size) {
		fputs("  pagination:", f);
		tok_q(f, "input-token", alc_str(c, op->pg_input_token));
		tok_q(f, "output-token", alc_str(c, op->pg_output_token));
		tok_q(f, "items", alc_str(c, op->pg_items));
		tok_q(f, "page-size", alc_str(c, op->pg_page_size));
		putc('\n', f);
	}
	field_raw(f, "  ", "checksum-member", alc_str(c, op->checksum_member));
	readmap_line(d, op);
	param_lines(d, op->first_param, op->param_count);
	error_lines(d, op->first_error, op->error_count);
	/* op->risk belongs to the policy: `airlock policy explain` shows it */
	field_q(f, "  ", "summary", alc_str(c, op->summary));
	field_q(f, "  ", "doc", alc_doc_op(c, alc_op_index(c, op)));

	shape_closure(d, op->input);
	shape_closure(d, op->output);
	for (uint32_t i = 0; i < op->error_count; i++)
		shape_closure(d, c->u32[op->first_error + i]);
}

/* Shapes named NAME ("Name" in service SVC, or an absolute "ns#Name" when
 * SVC is NULL); the first match, or ALC_NONE.  *OTHERS counts further
 * matches (the same id in several models). */
static uint32_t find_shape(const alc_catalog *c, const alc_service *svc,
                           const char *name, uint32_t *others)
{
	uint32_t lo = 0, hi = c->nshapes, found = ALC_NONE;
	const char *ns = NULL, *nm = name;
	size_t nslen = 0;
	if (svc) {
		lo = svc->first_shape;
		hi = svc->first_shape + svc->shape_count;
	} else {
		const char *hash = strchr(name, '#');
		if (!hash)
			return ALC_NONE;
		ns = name;
		nslen = (size_t)(hash - name);
		nm = hash + 1;
	}
	*others = 0;
	for (uint32_t i = lo; i < hi; i++) { /* bound: the shape table */
		if (strcmp(alc_str(c, c->shapes[i].name), nm) != 0)
			continue;
		if (ns) {
			const char *sns = alc_shape_ns(c, i);
			if (strlen(sns) != nslen || memcmp(sns, ns, nslen) != 0)
				continue;
		}
		if (found == ALC_NONE)
			found = i;
		else
			(*others)++;
	}
	return found;
}

static void dump_usage(void)
{
	fputs("usage: airlock-compile dump FILE.alc SERVICE[:OPERATION|:*]\n"
	      "       airlock-compile dump FILE.alc SERVICE#ShapeName\n"
	      "       airlock-compile dump FILE.alc --shape ns#ShapeName\n"
	      "SERVICE and OPERATION take any name the catalog knows (key, sdk-id,\n"
	      "CLI name, endpoint prefix; Smithy or CLI operation name), any case.\n",
	      stderr);
}

int cc_cmd_dump(int argc, char **argv)
{
	const char *path = NULL, *what = NULL, *shape_id = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--shape") == 0) {
			if (i + 1 >= argc || shape_id) {
				dump_usage();
				return 2;
			}
			shape_id = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "airlock-compile: dump: unknown option %s\n", argv[i]);
			dump_usage();
			return 2;
		} else if (!path) {
			path = argv[i];
		} else if (!what) {
			what = argv[i];
		} else {
			dump_usage();
			return 2;
		}
	}
	if (!path || (!what == !shape_id)) {
		dump_usage();
		return 2;
	}
	alc_catalog c;
	if (open_catalog(&c, path) != 0)
		return 1;
	dumper d = { .c = &c, .f = stdout };
	d.seen = cc_xcalloc(c.nshapes ? c.nshapes : 1, 1);
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);

	int rc = 0;
	uint32_t others = 0, si = ALC_NONE;
	const char *label = shape_id;
	if (shape_id) {
		si = find_shape(&c, NULL, shape_id, &others);
	} else {
		size_t sep = strcspn(what, ":#");
		const alc_service *svc = alc_find_service(&c, what, sep);
		label = what;
		if (!svc) {
			fprintf(stderr, "%s: no service \"%.*s\"\n", path, (int)sep, what);
			rc = 1;
		} else if (what[sep] == '\0') {
			dump_service(&d, svc);
		} else if (what[sep] == ':') {
			const char *opn = what + sep + 1;
			const alc_operation *op = strcmp(opn, "*") == 0 ? NULL :
				alc_find_operation(&c, what, sep, opn, strlen(opn));
			if (strcmp(opn, "*") == 0) {
				/* Every operation, each with its own closure. */
				for (uint32_t i = 0; i < svc->op_count; i++) {
					if (i)
						putc('\n', d.f);
					memset(d.seen, 0, c.nshapes);
					dump_operation(&d, &c.ops[svc->first_op + i]);
				}
			} else if (!op) {
				fprintf(stderr, "%s: service %s has no operation \"%s\"\n", path,
				        alc_str(&c, svc->key), opn);
				rc = 1;
			} else {
				dump_operation(&d, op);
			}
		} else {
			si = find_shape(&c, svc, what + sep + 1, &others);
		}
	}
	if (!rc && (shape_id || (what && what[strcspn(what, ":#")] == '#'))) {
		if (si == ALC_NONE) {
			fprintf(stderr, "%s: no shape \"%s\"\n", path, label);
			rc = 1;
		} else {
			fputs("shapes of ", d.f);
			put_shape_id(&d, si);
			putc('\n', d.f);
			/* A prelude shape asked for by name is shown, not skipped. */
			if (is_prelude(&c, si)) {
				d.seen[si] = 1;
				shape_block(&d, si);
			} else {
				shape_closure(&d, si);
			}
			if (others)
				fprintf(stderr, "%s: note: %u more shapes with this id "
				        "(other models); the first is shown\n", path,
				        (unsigned)others);
		}
	}
	rc = finish_output(rc);
	free(d.seen);
	free(d.stack);
	alc_close(&c);
	return rc;
}
