/*
 * cc_model.h -- one Smithy JSON AST model file, loaded into the compiler's
 * intermediate form.
 *
 * cc_model_load() runs in a worker thread: it reads and parses one file,
 * resolves every shape reference inside the file (plus the Smithy prelude),
 * computes the shapes reachable from the service, extracts documentation
 * summaries, and frees the JSON tree.  It touches no shared state, so
 * models load in parallel; cc_emit.c then merges them in a fixed order,
 * which keeps the output deterministic.
 *
 * EVERY FIELD MUST ALSO BE SERIALIZED: cc_part.c writes a loaded cc_model to
 * a "part" file in the build cache and reads it back instead of parsing the
 * model again (incremental builds).  A field added here and not written and
 * read there is silently lost on a warm build; the byte-identity test
 * (tests/incr) catches it, but only if the full corpus exercises the field.
 * Add it to part_write_model()/part_read_model() (and to the part key in
 * cc_part.c when it is a new cc_load_opts field), and bump CC_PART_VERSION.
 *
 * Ownership: every string and array in a cc_model lives in model->arena,
 * freed by cc_model_free().  model->ruleset is a cJSON tree detached from
 * the document (the endpoint rule set, encoded later by cc_rules.c), freed
 * by cc_model_free() too.
 */
#ifndef CC_MODEL_H
#define CC_MODEL_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "alc_format.h"
#include "cc_util.h"

typedef struct cc_cons {
	uint32_t flags; /* ALC_C_* */
	const char *pattern;
	int64_t len_min, len_max;
	double range_min, range_max;
	const char *range_min_text, *range_max_text;
} cc_cons;

typedef struct cc_member {
	const char *name;
	const char *target_id;   /* valid only while loading (it points into
	                            the JSON tree), like cc_shape.json */
	int32_t target;          /* model shape index, or -(prelude index)-2;
	                            -1 for enum values */
	uint32_t flags;          /* ALC_M_* */
	const char *summary, *doc;
	const char *loc_name, *json_name, *xml_name, *ec2_name;
	const char *xml_ns_uri, *xml_ns_prefix, *default_json, *context_param;
	const char *enum_value;  /* enum shapes */
	int64_t enum_int;        /* intEnum shapes */
	uint8_t ts_format;
	int has_cons;
	cc_cons cons;
	const char *resource_ident; /* smithy.api#resourceIdentifier, or NULL */
} cc_member;

typedef struct cc_shape {
	const char *id;
	uint8_t type;            /* enum alc_type; 0 for service/operation/resource */
	uint8_t ts_format;
	uint16_t http_error;
	uint32_t flags;          /* ALC_SH_* */
	cc_member *members;
	uint32_t nmembers;
	int has_cons;
	cc_cons cons;
	const char *xml_name, *xml_ns_uri, *xml_ns_prefix, *error_code, *media_type;
	const cJSON *json;       /* valid only while loading */
	int reachable;
	uint32_t out;            /* final SHAPES index, set by cc_emit */
} cc_shape;

typedef struct cc_param {
	const char *name, *value, *doc;
	uint32_t kind;           /* enum alc_param_kind */
} cc_param;

typedef struct cc_op {
	const char *name, *id;
	const char *summary, *doc;
	int32_t input, output;   /* shape refs like cc_member.target; -1 = Unit */
	int32_t *errors;
	uint32_t nerrors;
	const char *http_method, *http_uri, *host_prefix;
	uint32_t http_code;
	uint32_t flags;          /* ALC_OP_* */
	int32_t idem_member;     /* index among the input's members, or -1 */
	const char *pg_input_token, *pg_output_token, *pg_items, *pg_page_size;
	cc_param *params;
	uint32_t nparams;
	const char *checksum_member;
} cc_op;

/* A Smithy resource reachable from the service, kept for the read
 * mappings (cc_readmap.c): pure model facts, names only. */
enum { CC_LC_CREATE, CC_LC_PUT, CC_LC_READ, CC_LC_UPDATE, CC_LC_DELETE,
       CC_LC_LIST, CC_LC_COUNT };
typedef struct cc_resource {
	const char *name;        /* shape name ("Stack") */
	const char **ids;        /* identifier names, in model order */
	const char **id_targets; /* ... and their target shape ids */
	uint32_t nids;
	const char *life[CC_LC_COUNT]; /* lifecycle operation names, or NULL */
	const char **ops;        /* instance operations (names) */
	uint32_t nops;
	const char **coll;       /* collection operations (names) */
	uint32_t ncoll;
	int32_t parent;          /* index in cc_model.resources, or -1 */
} cc_resource;

typedef struct cc_model {
	/* source */
	char *path;              /* as opened (malloc) */
	char *relpath;           /* relative to its models dir (malloc) */
	uint64_t size;
	uint64_t digest_lo, digest_hi;
	const char *smithy_version;
	/* service */
	const char *service_id, *sdk_id, *key, *version, *title, *summary, *doc;
	const char *signing_name, *endpoint_prefix, *arn_namespace, *cfn_name;
	const char *xml_ns_uri, *xml_ns_prefix, *target_prefix;
	uint32_t protocol, svc_flags;
	cJSON *ruleset;
	cc_param *params;        /* clientContextParams */
	uint32_t nparams;
	int32_t *errors;         /* service-wide errors */
	uint32_t nerrors;
	/* shapes in file order, then operations sorted by name */
	cc_shape *shapes;
	uint32_t nshapes;
	cc_op *ops;
	uint32_t nops;
	/* resources reachable from the service, in file order (cc_part.c
	 * must serialize these and cc_member.resource_ident too) */
	cc_resource *resources;
	uint32_t nresources;
	/* outcome */
	int failed;              /* nonzero when diag holds errors */
	cc_buf diag;
	cc_arena arena;
} cc_model;

/* Every field here changes what a load produces: each one must be part of
 * the part key (cc_part.c, part_key()). */
typedef struct cc_load_opts {
	int full_docs;
} cc_load_opts;

/* Load PATH into M (zeroed by the caller).  RELPATH is kept for the
 * manifest.  Returns 0 or a negative AL_* code; errors are in m->diag. */
int cc_model_load(cc_model *m, const char *path, const char *relpath,
                  const cc_load_opts *opts);
/* The same on the file's bytes already in memory (BUF[0..LEN), not
 * necessarily NUL-terminated; the caller keeps them): the part cache reads
 * and hashes a file once whether or not it must be parsed. */
int cc_model_load_buf(cc_model *m, const char *path, const char *relpath,
                      const char *buf, size_t len, const cc_load_opts *opts);
void cc_model_free(cc_model *m);

/* Route cJSON's allocations through the per-thread JSON arena (see
 * cc_model.c).  Call once, before any thread starts. */
void cc_model_install_hooks(void);
/* Give the calling thread an arena for the JSON of the models it loads
 * (kept between files, reset after each); NULL detaches it. */
void cc_model_thread_arena(cc_arena *a);

/* The Smithy prelude shapes known to the compiler (smithy.api#String...). */
typedef struct cc_prelude {
	const char *id;
	uint8_t type;
	uint32_t flags;
} cc_prelude;
extern const cc_prelude cc_prelude_shapes[];
extern const uint32_t cc_prelude_count;

/* Documentation: HTML stripped to plain text.  SUMMARY_ONLY keeps the
 * first sentence.  Result in the arena; NULL when DOC is NULL or empty. */
const char *cc_doc_text(cc_arena *a, const char *doc, int summary_only);

#endif
