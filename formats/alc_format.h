/*
 * alc_format.h -- the one definition of the airlock catalog file (.alc).
 *
 * Included by the compiler (which writes it, compiler/cc_write.c) and by the
 * reader (formats/alc_reader.c), which every runtime module goes through.
 * The two mirror each other field for field; FORMAT.md documents the same
 * layout with offset tables and a labelled hex dump.
 *
 * Conventions (why they hold is in FORMAT.md):
 *   - little-endian, fixed-width fields, explicit padding, no pointers:
 *     every reference is an offset or an index;
 *   - every section starts on an 8-byte boundary;
 *   - a string is a u32 offset into the STRS section, where it is stored
 *     NUL-terminated; offset 0 is the empty string (STRS starts with a NUL);
 *   - ALC_NONE (0xffffffff) marks an absent index;
 *   - records are arrays of fixed-size structs, one section per record kind.
 *
 * Version rule: ALC_WRITE_VERSION is bumped on any change of layout or
 * meaning.  ALC_READ_VERSION is bumped only when a change would make an
 * older reader misread the file (a new optional section does not bump it: a
 * reader ignores section ids it does not know).  A reader refuses a file
 * whose read_version is greater than the version it implements.
 */
#ifndef ALC_FORMAT_H
#define ALC_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* First 8 bytes.  0x89 catches 7-bit channels, CR LF catches CRLF->LF
 * rewriting, 0x1a stops DOS "type", the final LF catches LF->CRLF. */
#define ALC_MAGIC "\x89" "ALC\r\n\x1a\n"
#define ALC_MAGIC_LEN 8
/* Stored as a u32: reads back as 0x3d2c1b0a on a big-endian host. */
#define ALC_ENDIAN_TAG 0x0a1b2c3du

#define ALC_WRITE_VERSION 2u
#define ALC_READ_VERSION 1u

#define ALC_NONE 0xffffffffu
#define ALC_ALIGN 8u
#define ALC_MAX_SECTIONS 32u

/* ---- header: offset 0, 128 bytes ------------------------------------- */
typedef struct alc_header {
	uint8_t magic[8];          /*   0 ALC_MAGIC */
	uint32_t endian_tag;       /*   8 ALC_ENDIAN_TAG */
	uint16_t write_version;    /*  12 layout version the writer produced */
	uint16_t read_version;     /*  14 minimum reader version required */
	uint32_t header_size;      /*  16 sizeof(alc_header) == 128 */
	uint32_t reserved0;        /*  20 zero */
	uint64_t file_size;        /*  24 total bytes, header included */
	uint64_t checksum_lo;      /*  32 XXH3-128 of bytes [48, file_size),
	                                 i.e. the rest of the header and the
	                                 whole body: low 64 bits */
	uint64_t checksum_hi;      /*  40 ... high 64 bits */
	uint32_t dir_offset;       /*  48 offset of the section directory (128) */
	uint32_t section_count;    /*  52 entries in the section directory */
	uint32_t flags;            /*  56 ALC_F_* */
	uint32_t compiler_version; /*  60 str: "airlock-compile 0.1.0" */
	uint32_t models_source;    /*  64 str: e.g. "aws/api-models-aws" or a path */
	uint32_t models_revision;  /*  68 str: commit or "" when unknown */
	uint32_t service_count;    /*  72 == SVCS count */
	uint32_t operation_count;  /*  76 == OPS count */
	uint32_t shape_count;      /*  80 == SHAPES count */
	uint32_t member_count;     /*  84 == MEMBERS count */
	uint8_t reserved2[32];     /*  88 zero.  The catalog's identity (what
	                                 plans bind to) is the 128-bit checksum:
	                                 the file is an artifact teams review
	                                 and may sign; a cryptographic digest
	                                 here would cost the build 70 ms and
	                                 add no protection the file system does
	                                 not already give. */
	uint64_t reserved1;        /* 120 zero */
} alc_header;

/* The checksum starts after itself; bytes before it are checked field by
 * field (magic, tag, versions, sizes). */
#define ALC_CHECKSUM_FROM 48u

#define ALC_F_FULL_DOCS  0x1u  /* full documentation text is present */
#define ALC_F_POLICY     0x2u  /* a policy is compiled in */

/* ---- section directory: at dir_offset, section_count entries --------- */
typedef struct alc_section {
	uint32_t id;        /*  0 ALC_SEC_* */
	uint32_t entsize;   /*  4 record size, or 1 for byte sections */
	uint32_t count;     /*  8 number of records (bytes for byte sections) */
	uint32_t flags;     /* 12 zero */
	uint64_t offset;    /* 16 absolute file offset, 8-aligned */
	uint64_t size;      /* 24 bytes == entsize * count (before padding) */
} alc_section;

enum alc_section_id {
	ALC_SEC_STRS = 1,     /* bytes: NUL-terminated strings, [0] == '\0' */
	ALC_SEC_SVCS = 2,     /* alc_service[], sorted by key */
	ALC_SEC_OPS = 3,      /* alc_operation[], grouped by service, by name */
	ALC_SEC_SHAPES = 4,   /* alc_shape[] */
	ALC_SEC_MEMBERS = 5,  /* alc_member[] */
	ALC_SEC_MEMBEXT = 6,  /* alc_member_ext[] */
	ALC_SEC_CONS = 7,     /* alc_cons[] */
	ALC_SEC_U32 = 8,      /* u32[]: lists (operation errors, ...) */
	ALC_SEC_PARAMS = 9,   /* alc_param[]: endpoint context parameters */
	ALC_SEC_RULES = 10,   /* bytes: endpoint rule sets (RULES.md) */
	ALC_SEC_MANIFEST = 11,/* alc_manifest[] */
	ALC_SEC_IDX_SVC = 12, /* hash index: service name/alias -> SVCS index */
	ALC_SEC_IDX_OP = 13,  /* hash index: operation name, per service -> OPS index */
	ALC_SEC_IDX_CLI = 14, /* hash index: CLI operation name, per service -> OPS index */
	ALC_SEC_PARTITIONS = 15, /* bytes: partitions table (reserved) */
	ALC_SEC_POLICY = 16,  /* bytes: compiled policy (reserved) */
	ALC_SEC_SHAPEXT = 17, /* alc_shape_ext[] */
	ALC_SEC_DOCS = 18,    /* u32[]: full documentation (see below) */
	ALC_SEC_READMAP = 19, /* u32[]: read mappings (see below) */
	ALC_SEC_MAX_ID = 19
};

/* ---- services ------------------------------------------------------- */
enum alc_protocol {
	ALC_PROTO_NONE = 0,
	ALC_PROTO_AWSJSON1_0 = 1,
	ALC_PROTO_AWSJSON1_1 = 2,
	ALC_PROTO_RESTJSON1 = 3,
	ALC_PROTO_RESTXML = 4,
	ALC_PROTO_AWSQUERY = 5,
	ALC_PROTO_EC2QUERY = 6,
	ALC_PROTO_COUNT
};

#define ALC_SVC_SIGV4              0x01u /* aws.auth#sigv4 */
#define ALC_SVC_BEARER             0x02u /* smithy.api#httpBearerAuth */
#define ALC_SVC_NO_ERROR_WRAPPING  0x04u /* restXml noErrorWrapping */
#define ALC_SVC_QUERY_COMPATIBLE   0x08u /* aws.protocols#awsQueryCompatible */
#define ALC_SVC_ENDPOINT_DISCOVERY 0x10u /* aws.api#clientEndpointDiscovery */

typedef struct alc_service {
	uint32_t key;            /*  0 str: canonical name, "cloudwatch-logs" */
	uint32_t sdk_id;         /*  4 str: "CloudWatch Logs" */
	uint32_t shape_id;       /*  8 str: "com.amazonaws.cloudwatchlogs#Logs_20140328" */
	uint32_t version;        /* 12 str: "2014-03-28" */
	uint32_t title;          /* 16 str */
	uint32_t summary;        /* 20 str: first sentence of the docs */
	uint32_t signing_name;   /* 24 str: aws.auth#sigv4 name */
	uint32_t endpoint_prefix;/* 28 str */
	uint32_t cli_name;       /* 32 str: "logs" */
	uint32_t arn_namespace;  /* 36 str */
	uint32_t cfn_name;       /* 40 str */
	uint32_t xml_ns_uri;     /* 44 str: smithy.api#xmlNamespace uri */
	uint32_t xml_ns_prefix;  /* 48 str */
	uint32_t target_prefix;  /* 52 str: awsJson X-Amz-Target prefix (shape name) */
	uint32_t protocol;       /* 56 enum alc_protocol */
	uint32_t flags;          /* 60 ALC_SVC_* */
	uint32_t first_op;       /* 64 OPS index of the first operation */
	uint32_t op_count;       /* 68 operations are [first_op, first_op+op_count) */
	uint32_t rules_offset;   /* 72 offset into RULES of this service's rule set */
	uint32_t rules_size;     /* 76 bytes; 0 when the model has none */
	uint32_t first_param;    /* 80 PARAMS: clientContextParams */
	uint32_t param_count;    /* 84 */
	uint32_t first_error;    /* 88 U32: service-wide error shapes */
	uint32_t error_count;    /* 92 */
	uint32_t manifest;       /* 96 MANIFEST index of the model file */
	uint32_t namespace_;     /*100 str: namespace of the service shape; the
	                            namespace of its shapes unless their ext
	                            record names another */
	uint32_t first_shape;    /*104 SHAPES index: the model's shapes are */
	uint32_t shape_count;    /*108 [first_shape, first_shape+shape_count) */
} alc_service;

/* ---- operations ----------------------------------------------------- */
#define ALC_OP_READONLY            0x0001u
#define ALC_OP_IDEMPOTENT          0x0002u
#define ALC_OP_PAGINATED           0x0004u
#define ALC_OP_CHECKSUM_REQUIRED   0x0008u /* httpChecksumRequired or httpChecksum.requestChecksumRequired */
#define ALC_OP_UNSIGNED_PAYLOAD    0x0010u /* aws.auth#unsignedPayload */
#define ALC_OP_NO_AUTH             0x0020u /* smithy.api#auth [] */
#define ALC_OP_OPTIONAL_AUTH       0x0040u /* smithy.api#optionalAuth */
#define ALC_OP_DEPRECATED          0x0080u
#define ALC_OP_INPUT_STREAMING     0x0100u /* input payload is a stream */
#define ALC_OP_OUTPUT_STREAMING    0x0200u
#define ALC_OP_ENDPOINT_DISCOVERY  0x0400u /* aws.api#clientDiscoveredEndpoint */
#define ALC_OP_REQUEST_COMPRESSION 0x0800u
#define ALC_OP_EVENT_STREAM        0x1000u /* input or output carries an event stream */

typedef struct alc_operation {
	uint32_t name;           /*  0 str: "CreateStack" */
	uint32_t cli_name;       /*  4 str: "create-stack" */
	uint32_t summary;        /*  8 str */
	uint32_t service;        /* 12 SVCS index */
	uint32_t input;          /* 16 SHAPES index or ALC_NONE (smithy.api#Unit) */
	uint32_t output;         /* 20 SHAPES index or ALC_NONE */
	uint32_t first_error;    /* 24 U32 index: error shape indexes */
	uint32_t error_count;    /* 28 */
	uint32_t http_method;    /* 32 str: "POST" ("" when no http trait) */
	uint32_t http_uri;       /* 36 str: "/{Bucket}/{Key+}?x-id=PutObject" */
	uint32_t http_code;      /* 40 success status code (default 200) */
	uint32_t host_prefix;    /* 44 str: smithy.api#endpoint hostPrefix */
	uint32_t flags;          /* 48 ALC_OP_* */
	uint32_t idem_member;    /* 52 MEMBERS index of the idempotency token, or ALC_NONE */
	uint32_t pg_input_token; /* 56 str: paginated inputToken (service defaults merged) */
	uint32_t pg_output_token;/* 60 str: output path */
	uint32_t pg_items;       /* 64 str: items path */
	uint32_t pg_page_size;   /* 68 str: pageSize member */
	uint32_t first_param;    /* 72 PARAMS: staticContextParams + operationContextParams */
	uint32_t param_count;    /* 76 */
	uint32_t checksum_member;/* 80 str: httpChecksum requestAlgorithmMember */
	uint32_t risk;           /* 84 reserved for the policy (0 until [policy]) */
	uint32_t readmap;        /* 88 ALC_NONE, or the operation's read
	                            mapping packed by ALC_RM_PACK (READMAP) */
} alc_operation;

/* ---- shapes --------------------------------------------------------- */
enum alc_type {
	ALC_T_BLOB = 1, ALC_T_BOOLEAN, ALC_T_STRING, ALC_T_BYTE, ALC_T_SHORT,
	ALC_T_INTEGER, ALC_T_LONG, ALC_T_FLOAT, ALC_T_DOUBLE, ALC_T_BIGINTEGER,
	ALC_T_BIGDECIMAL, ALC_T_TIMESTAMP, ALC_T_DOCUMENT, ALC_T_ENUM,
	ALC_T_INTENUM, ALC_T_LIST, ALC_T_MAP, ALC_T_STRUCTURE, ALC_T_UNION,
	ALC_T_COUNT
};

enum alc_tsformat {
	ALC_TS_NONE = 0, ALC_TS_DATE_TIME = 1, ALC_TS_HTTP_DATE = 2,
	ALC_TS_EPOCH_SECONDS = 3
};

#define ALC_SH_SENSITIVE     0x0001u
#define ALC_SH_STREAMING     0x0002u
#define ALC_SH_SPARSE        0x0004u
#define ALC_SH_UNIQUE_ITEMS  0x0008u
#define ALC_SH_ERROR_CLIENT  0x0010u /* smithy.api#error "client" */
#define ALC_SH_ERROR_SERVER  0x0020u /* smithy.api#error "server" */
#define ALC_SH_RETRYABLE     0x0040u
#define ALC_SH_THROTTLING    0x0080u /* retryable {throttling: true} */
#define ALC_SH_XML_FLATTENED 0x0100u /* not used on shapes; members carry it */
#define ALC_SH_REQUIRES_LENGTH 0x0200u
#define ALC_SH_DEPRECATED    0x0400u
#define ALC_SH_ENUM_TRAIT    0x0800u /* Smithy 1.0 string with @enum: members hold the values */
#define ALC_SH_EVENT_STREAM  0x1000u /* union marked @streaming */
#define ALC_SH_INPUT         0x2000u /* smithy.api#input */
#define ALC_SH_OUTPUT        0x4000u /* smithy.api#output */
#define ALC_SH_HAS_DEFAULT   0x8000u /* shape-level default (prelude primitives) */

typedef struct alc_shape {
	uint32_t name;           /*  0 str: shape name, the part after '#'; the
	                            absolute id is <namespace>#<name> with the
	                            namespace from the ext record or the
	                            owning service */
	uint8_t type;            /*  4 enum alc_type */
	uint8_t ts_format;       /*  5 enum alc_tsformat (timestampFormat on the shape) */
	uint16_t http_error;     /*  6 smithy.api#httpError, 0 when absent */
	uint32_t flags;          /*  8 ALC_SH_* */
	uint32_t first_member;   /* 12 MEMBERS index */
	uint32_t member_count;   /* 16 structure/union/enum: members; list: 1
	                            ("member"); map: 2 ("key", "value") */
	uint32_t cons;           /* 20 CONS index or ALC_NONE */
	uint32_t ext;            /* 24 SHAPEXT index or ALC_NONE */
} alc_shape;

/* The rare facts of a shape.  Prelude shapes (the first shapes of the
 * table, owned by no service) always have one, naming "smithy.api". */
typedef struct alc_shape_ext {
	uint32_t ns;             /*  0 str: namespace when it is not the
	                            service's ("" = the service's) */
	uint32_t xml_name;       /*  4 str: smithy.api#xmlName on the shape */
	uint32_t xml_ns_uri;     /*  8 str */
	uint32_t xml_ns_prefix;  /* 12 str */
	uint32_t error_code;     /* 16 str: awsQueryError code */
	uint32_t media_type;     /* 20 str: smithy.api#mediaType */
} alc_shape_ext;

/* ---- members -------------------------------------------------------- */
#define ALC_M_REQUIRED       0x00000001u
#define ALC_M_CLIENT_OPTIONAL 0x00000002u
#define ALC_M_HAS_DEFAULT    0x00000004u /* default_json in the ext record */
#define ALC_M_HTTP_LABEL     0x00000008u
#define ALC_M_HTTP_QUERY     0x00000010u /* loc_name is the query key */
#define ALC_M_HTTP_QUERY_PARAMS 0x00000020u
#define ALC_M_HTTP_HEADER    0x00000040u /* loc_name is the header */
#define ALC_M_HTTP_PREFIX_HEADERS 0x00000080u /* loc_name is the prefix */
#define ALC_M_HTTP_PAYLOAD   0x00000100u
#define ALC_M_HTTP_RESPONSE_CODE 0x00000200u
#define ALC_M_HOST_LABEL     0x00000400u
#define ALC_M_IDEMPOTENCY_TOKEN 0x00000800u
#define ALC_M_XML_ATTRIBUTE  0x00001000u
#define ALC_M_XML_FLATTENED  0x00002000u
#define ALC_M_SENSITIVE      0x00004000u /* target is sensitive (copied for speed) */
#define ALC_M_DEPRECATED     0x00008000u
#define ALC_M_EVENT_PAYLOAD  0x00010000u
#define ALC_M_GREEDY_LABEL   0x00020000u /* label is {Name+} in the uri */
#define ALC_M_EVENT_HEADER   0x00040000u
#define ALC_M_ENUM_VALUE     0x00080000u /* aux holds the enum value */
#define ALC_M_HAS_EXT        0x00100000u /* aux is a MEMBEXT index */

typedef struct alc_member {
	uint32_t name;           /*  0 str: member name ("member", "key", "value"
	                            for list and map) */
	uint32_t target;         /*  4 SHAPES index (ALC_NONE for enum values) */
	uint32_t flags;          /*  8 ALC_M_* */
	uint32_t summary;        /* 12 str */
	uint32_t aux;            /* 16 enum member of an enum shape: str of the
	                            value; of an intEnum: the value (int32 bits);
	                            otherwise a MEMBEXT index when ALC_M_HAS_EXT,
	                            else ALC_NONE */
} alc_member;

/* The less common serialization facts of a member. */
typedef struct alc_member_ext {
	uint32_t loc_name;       /*  0 str: header / query key / header prefix */
	uint32_t json_name;      /*  4 str: smithy.api#jsonName */
	uint32_t xml_name;       /*  8 str: smithy.api#xmlName */
	uint32_t ec2_name;       /* 12 str: aws.protocols#ec2QueryName */
	uint32_t xml_ns_uri;     /* 16 str */
	uint32_t xml_ns_prefix;  /* 20 str */
	uint32_t default_json;   /* 24 str: default value as compact JSON */
	uint32_t context_param;  /* 28 str: smithy.rules#contextParam name */
	uint32_t cons;           /* 32 CONS index of constraints on the member
	                            itself (they narrow the target's), or ALC_NONE */
	uint8_t ts_format;       /* 36 enum alc_tsformat on the member */
	uint8_t pad[3];          /* 37 zero */
} alc_member_ext;

/* ---- full documentation (optional) ----------------------------------- *
 * Only in catalogs built with --docs full (ALC_F_FULL_DOCS): DOCS is a u32
 * array of str offsets, one per service, then one per operation, then one
 * per member: count == services + operations + members.  Summaries are
 * always in the records; the full text costs nothing when not asked for. */

/* ---- read mappings (optional) ---------------------------------------- *
 * For a mutating operation, the read operation (same service) that shows
 * the state it changes, how to fill that read's input from the mutating
 * operation's input, and where the state sits in the read's output (the
 * Diff of Plan -> Diff -> Approve -> Apply; compiler/cc_readmap.c).
 *
 * alc_operation.readmap is ALC_NONE (no mapping, or no READMAP section:
 * catalogs before write version 2 hold 0 there and no READMAP, and mean
 * "none") or packs three fields:
 *   bits  0..27  word index into READMAP of the mapping's entry
 *   bits 28..29  kind - 1    (ALC_RM_CREATE .. ALC_RM_OTHER, alc_reader.h)
 *   bits 30..31  source - 1  (ALC_RM_LIFECYCLE .. ALC_RM_OVERRIDE)
 * Source 4 does not exist, so no packed value equals ALC_NONE.
 *
 * READMAP is an array of u32 words holding entries, each
 *   +0  read        OPS index of the read operation (same service, a read)
 *   +1  bits 0..27  state_path: str, "" = the whole output, else dotted
 *                   member names with [0] for a list's first element
 *                   ("Stacks[0]")
 *       bits 28..31 nargs, 0..ALC_READMAP_MAX_ARGS
 *   +2  nargs x 2 words:
 *       from        str: a top-level member of the mutating input (or JSON
 *                   literal text when ALC_RMA_CONST)
 *       bits 0..27  to: str, a top-level member of the read's input
 *       bits 28..29 flags ALC_RMA_* (alc_reader.h); bits 30..31 zero
 * Operations that share a read, path and argument list (the lifecycle
 * operations of one resource) share one entry; the kind, which differs
 * between them, lives in the operation's word.  Argument and path strings
 * are member names already in STRS.  Packing a string offset with a count
 * or flags needs STRS below 2^28 bytes (256 MiB; the full catalog's is 12
 * MB); a compiler with a larger pool writes no READMAP. */
#define ALC_RM_INDEX_MASK   0x0fffffffu
#define ALC_RM_KIND_SHIFT   28
#define ALC_RM_SOURCE_SHIFT 30
#define ALC_RM_PACK(idx, kind, source) \
	((uint32_t)(idx) | ((uint32_t)((kind) - 1u) << ALC_RM_KIND_SHIFT) | \
	 ((uint32_t)((source) - 1u) << ALC_RM_SOURCE_SHIFT))
#define ALC_RM_STR_MASK     0x0fffffffu  /* str part of words +1 and "to" */
#define ALC_RM_HIGH_SHIFT   28           /* nargs in +1, flags in "to" */
#define ALC_RM_ENTRY_WORDS(nargs) (2u + 2u * (uint32_t)(nargs))
#define ALC_READMAP_MAX_ARGS 8

/* ---- constraints ---------------------------------------------------- */
#define ALC_C_LEN_MIN   0x01u
#define ALC_C_LEN_MAX   0x02u
#define ALC_C_RANGE_MIN 0x04u
#define ALC_C_RANGE_MAX 0x08u
#define ALC_C_PATTERN   0x10u

typedef struct alc_cons {
	uint32_t flags;          /*  0 ALC_C_* */
	uint32_t pattern;        /*  4 str: ECMA 262 regex (smithy.api#pattern) */
	int64_t len_min;         /*  8 smithy.api#length */
	int64_t len_max;         /* 16 */
	double range_min;        /* 24 smithy.api#range (as double) */
	double range_max;        /* 32 */
	uint32_t range_min_text; /* 40 str: the bound as written (exact for big
	                            numbers) */
	uint32_t range_max_text; /* 44 str */
} alc_cons;

/* ---- endpoint parameters bound by the model -------------------------- */
enum alc_param_kind {
	ALC_PARAM_CLIENT_CONTEXT = 1, /* service: smithy.rules#clientContextParams */
	ALC_PARAM_STATIC_CONTEXT = 2, /* operation: staticContextParams */
	ALC_PARAM_OPERATION_CONTEXT = 3 /* operation: operationContextParams */
};

typedef struct alc_param {
	uint32_t name;           /*  0 str: rule set parameter name */
	uint32_t kind;           /*  4 enum alc_param_kind */
	uint32_t value;          /*  8 str: value as compact JSON (static), JMESPath
	                            path (operation context), type (client context) */
	uint32_t doc;            /* 12 str */
} alc_param;

/* ---- source manifest ------------------------------------------------ */
typedef struct alc_manifest {
	uint32_t path;           /*  0 str: path relative to the models dir */
	uint32_t service;        /*  4 SVCS index */
	uint64_t size;           /*  8 bytes of the model file */
	uint64_t digest_lo;      /* 16 XXH3-128 of the model file: low 64 bits */
	uint64_t digest_hi;      /* 24 ... high 64 bits */
	uint32_t smithy_version; /* 32 str: "2.0" or "1.0" */
	uint32_t reserved;       /* 36 zero */
} alc_manifest;

/* ---- hash indexes --------------------------------------------------- *
 * Open addressing with linear probing over a power-of-two table at most
 * 70% full (so a probe always meets an empty slot).  A slot with value
 * ALC_NONE is empty.  The key string is stored so that a probe compares
 * the full key, not just the hash.  The stored key is the record's own
 * string ("CloudWatch Logs", "CreateStack", "create-stack"), so keys cost
 * no extra space; the hash is of its normalised form, and a probe
 * compares normalising the stored key (alc_normalise: ASCII lower case,
 * ' ' -> '-').
 *
 * IDX_SVC: key = normalised service name (alc_normalise: ASCII lower
 *   case, ' ' -> '-'): the canonical key, sdk-id, CLI name, service shape
 *   name and endpoint prefix, in that priority (an alias never shadows a
 *   canonical name); hash = XXH3_64(key, seed).
 * IDX_OP: key = the operation name in ASCII lower case ("createstack"),
 *   scoped by service: hash = XXH3_64(key, seed + service index); a probe
 *   matches when the key is equal AND its scope is the service.
 * IDX_CLI: key = the CLI operation name ("create-stack"), scoped the same
 *   way.  Scoping by service keeps keys short and shared between services
 *   (the CLI key is the operation's cli_name string itself). */
typedef struct alc_index_header {
	uint32_t slot_count;     /*  0 power of two */
	uint32_t entry_count;    /*  4 used slots */
	uint64_t seed;           /*  8 XXH3 seed */
} alc_index_header;

typedef struct alc_index_slot {
	uint32_t hash;           /*  0 low 32 bits of XXH3-64(normalised key,
	                            seed + scope): a filter before the key
	                            compare; the probe starts at the 64-bit
	                            hash & (slot_count - 1) */
	uint32_t scope;          /*  4 IDX_OP/IDX_CLI: the SVCS index of the
	                            operation's service (so a probe never reads
	                            OPS); IDX_SVC: 0 */
	uint32_t key;            /*  8 str: the record's own string */
	uint32_t value;          /* 12 record index, ALC_NONE when empty */
} alc_index_slot;

/* Longest key the runtime will normalise on the stack. */
#define ALC_KEY_MAX 256u

_Static_assert(sizeof(alc_header) == 128, "alc_header");
_Static_assert(sizeof(alc_section) == 32, "alc_section");
_Static_assert(sizeof(alc_service) == 112, "alc_service");
_Static_assert(sizeof(alc_operation) == 92, "alc_operation");
_Static_assert(sizeof(alc_shape) == 28, "alc_shape");
_Static_assert(sizeof(alc_shape_ext) == 24, "alc_shape_ext");
_Static_assert(sizeof(alc_member) == 20, "alc_member");
_Static_assert(sizeof(alc_member_ext) == 40, "alc_member_ext");
_Static_assert(sizeof(alc_cons) == 48, "alc_cons");
_Static_assert(sizeof(alc_param) == 16, "alc_param");
_Static_assert(sizeof(alc_manifest) == 40, "alc_manifest");
_Static_assert(sizeof(alc_index_header) == 16, "alc_index_header");
_Static_assert(sizeof(alc_index_slot) == 16, "alc_index_slot");
_Static_assert(offsetof(alc_header, reserved2) == 88, "header reserved2");
_Static_assert(offsetof(alc_operation, risk) == 84, "op risk");
_Static_assert(offsetof(alc_operation, readmap) == 88, "op readmap");

#endif
