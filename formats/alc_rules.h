/*
 * alc_rules.h -- the compact binary form of a Smithy endpoint rule set
 * (smithy.rules#endpointRuleSet), stored per service in the RULES section
 * (alc_service.rules_offset / rules_size).  RULES.md documents the same
 * layout with offset tables and a labelled hex example.
 *
 * Written by compiler/cc_rules.c; read by the endpoint evaluator (runtime),
 * by alc_rules_check() at catalog open and by alc_rules_to_json() for
 * `airlock-compile dump`.  The blob is built for direct evaluation: fixed
 * size records addressed by index, every template pre-split, every getAttr
 * path pre-parsed, every variable reference resolved to a slot of a small
 * array (parameters first, then one slot per `assign` in scope).
 *
 * A blob is (all offsets are bytes from the blob start, all little-endian,
 * every record 4-aligned, the blob itself 8-aligned and a multiple of 8):
 *
 *   header   alc_rules_header                      64 bytes
 *   params   alc_rules_param[param_count]          24 bytes each
 *   nodes    alc_rules_node[node_count]             8 bytes each
 *   ops      uint32_t[op_count]   operand words of the nodes
 *   conds    alc_rules_cond[cond_count]             8 bytes each
 *   rules    alc_rules_rule[rule_count]            20 bytes each
 *   pad      zero bytes up to a multiple of 8
 *
 * Invariants enforced by alc_rules_check() (what the evaluator may assume):
 *   - the sections are contiguous in the order above, each offset is the
 *     end of the previous one, and header.size == blob length;
 *   - expression nodes form a DAG whose edges go strictly downwards: every
 *     node index held by node I (in its operand words) is < I; node I's
 *     operand words are ops[a .. a+words) and these ranges tile ops[] in
 *     node order, so no word belongs to two nodes;
 *   - node.size == 1 + the sizes of its children: the number of nodes in
 *     the expression written out as a tree (a shared child counts at each
 *     use), <= ALC_RULES_MAX_EXPR_SIZE.  It bounds both the work to
 *     evaluate or decode one expression and its nesting depth (the
 *     evaluator's expression stack), whatever sharing a blob contains;
 *   - node.need == 1 + highest variable slot referenced below it (0 when
 *     none);
 *   - rules are stored in breadth-first order: rules [0, root_count) are
 *     the top level, and the children of tree rules, taken in index order,
 *     tile [root_count, rule_count), each child range starting after its
 *     parent; so every rule has exactly one parent and the tree holds
 *     rule_count rules at nesting depth <= ALC_RULES_MAX_DEPTH;
 *   - conditions: rule I's conditions are conds[first_cond .. +ncond) and
 *     these ranges tile conds[] in rule order;
 *   - scoping: a rule's slot_base is the number of variables live when it
 *     is entered (param_count at top level, the parent's slot_base plus
 *     the parent's assigns for a child).  Its K-th assigning condition
 *     writes slot slot_base + K.  Every expression only references slots
 *     that are live where it is evaluated (node.need <= live), and every
 *     slot is < var_count <= ALC_RULES_MAX_VARS;
 *   - every string offset is < the STRS size given to the check; every
 *     enum is in range; every function call has a legal arity.
 *
 * Evaluation sketch (for the runtime): vars[var_count] start unset; params
 * fill slots [0, param_count) (builtIn id / defaults).  Evaluate rules
 * [0, root_count) in order; for a rule, evaluate conditions in order: a
 * condition holds when its node's value is neither unset nor false; if it
 * carries an assign, store the value in vars[slot_base + K].  The first
 * rule whose conditions all hold decides: endpoint / error are terminal,
 * a tree evaluates its children the same way (and is terminal too: no
 * child matching is an error).
 *
 * Version rule: ALC_RULES_VERSION changes with any change of layout or
 * meaning; the catalog's ALC_WRITE_VERSION / ALC_READ_VERSION are bumped
 * along with it (the section is not optional).
 */
#ifndef ALC_RULES_H
#define ALC_RULES_H

#include <stddef.h>
#include <stdint.h>

#define ALC_RULES_MAGIC 0x53524c41u /* "ALRS" in file order */
#define ALC_RULES_VERSION 1u

#define ALC_RULES_MAX_VARS 255u      /* slots: node.need is a u8 */
#define ALC_RULES_MAX_DEPTH 64u      /* nesting of tree rules (corpus: 17) */
#define ALC_RULES_MAX_EXPR_SIZE 255u /* node.size: tree size of one
                                         expression (corpus: 15, depth 6) */
#define ALC_RULES_MAX_OPERANDS 255u  /* args, parts, elements, entries, steps */
#define ALC_RULES_MAX_CONDS 255u     /* conditions of one rule */

/* ---- header: offset 0 ------------------------------------------------ */
typedef struct alc_rules_header {
	uint32_t magic;          /*  0 ALC_RULES_MAGIC */
	uint16_t version;        /*  4 ALC_RULES_VERSION */
	uint16_t header_size;    /*  6 sizeof(alc_rules_header) == 64 */
	uint32_t size;           /*  8 blob bytes, padding included */
	uint32_t ruleset_version;/* 12 str: the rule set's "version" ("1.0") */
	uint16_t param_count;    /* 16 P: parameters are slots [0, P) */
	uint16_t var_count;      /* 18 P + most assigns live at once */
	uint32_t root_count;     /* 20 top-level rules are [0, root_count) */
	uint32_t params_off;     /* 24 == header_size */
	uint32_t nodes_off;      /* 28 */
	uint32_t node_count;     /* 32 */
	uint32_t ops_off;        /* 36 */
	uint32_t op_count;       /* 40 u32 words */
	uint32_t conds_off;      /* 44 */
	uint32_t cond_count;     /* 48 */
	uint32_t rules_off;      /* 52 */
	uint32_t rule_count;     /* 56 */
	uint32_t reserved;       /* 60 zero */
} alc_rules_header;

/* ---- parameters ------------------------------------------------------ */
enum alc_rules_ptype {
	ALC_RPT_STRING = 1,
	ALC_RPT_BOOLEAN = 2,
	ALC_RPT_STRING_ARRAY = 3
};

/* builtIn of a parameter; the evaluator dispatches on the id.  A builtIn
 * this table does not know is ALC_RB_OTHER and keeps its name. */
#define ALC_RULES_BUILTINS(X) \
	X(ALC_RB_AWS_REGION,          "AWS::Region") \
	X(ALC_RB_AWS_USE_FIPS,        "AWS::UseFIPS") \
	X(ALC_RB_AWS_USE_DUAL_STACK,  "AWS::UseDualStack") \
	X(ALC_RB_SDK_ENDPOINT,        "SDK::Endpoint") \
	X(ALC_RB_AWS_ACCOUNT_ID,      "AWS::Auth::AccountId") \
	X(ALC_RB_AWS_ACCOUNT_ID_ENDPOINT_MODE, "AWS::Auth::AccountIdEndpointMode") \
	X(ALC_RB_AWS_CREDENTIAL_SCOPE, "AWS::Auth::CredentialScope") \
	X(ALC_RB_S3_ACCELERATE,       "AWS::S3::Accelerate") \
	X(ALC_RB_S3_DISABLE_MRAP,     "AWS::S3::DisableMultiRegionAccessPoints") \
	X(ALC_RB_S3_FORCE_PATH_STYLE, "AWS::S3::ForcePathStyle") \
	X(ALC_RB_S3_USE_ARN_REGION,   "AWS::S3::UseArnRegion") \
	X(ALC_RB_S3_USE_GLOBAL_ENDPOINT, "AWS::S3::UseGlobalEndpoint") \
	X(ALC_RB_S3CONTROL_USE_ARN_REGION, "AWS::S3Control::UseArnRegion") \
	X(ALC_RB_STS_USE_GLOBAL_ENDPOINT, "AWS::STS::UseGlobalEndpoint")

enum alc_rules_builtin {
	ALC_RB_NONE = 0,   /* not a builtIn */
	ALC_RB_OTHER = 1,  /* unknown builtIn: alc_rules_param.builtin_name */
#define ALC_RB_ENUM_(id, name) id,
	ALC_RULES_BUILTINS(ALC_RB_ENUM_)
#undef ALC_RB_ENUM_
	ALC_RB_COUNT
};

#define ALC_RPF_REQUIRED    0x01u /* "required": true */
#define ALC_RPF_DEFAULT     0x02u /* "default" present: see deflt */
#define ALC_RPF_DEPRECATED  0x04u /* "deprecated" object present */
#define ALC_RPF_DEP_MESSAGE 0x08u /* deprecated.message present */
#define ALC_RPF_DEP_SINCE   0x10u /* deprecated.since present */
#define ALC_RPF_ALL         0x1fu

typedef struct alc_rules_param {
	uint32_t name;           /*  0 str: parameter name, non-empty */
	uint8_t type;            /*  4 enum alc_rules_ptype */
	uint8_t builtin;         /*  5 enum alc_rules_builtin */
	uint16_t flags;          /*  6 ALC_RPF_* */
	uint32_t builtin_name;   /*  8 str: only for ALC_RB_OTHER, else 0 */
	uint32_t deflt;          /* 12 with ALC_RPF_DEFAULT: string: str;
	                            boolean: 0/1; stringArray: node index of an
	                            ARRAY node of STR nodes.  Else 0 */
	uint32_t dep_message;    /* 16 str (0 unless ALC_RPF_DEP_MESSAGE) */
	uint32_t dep_since;      /* 20 str (0 unless ALC_RPF_DEP_SINCE) */
} alc_rules_param;

/* ---- expression nodes ------------------------------------------------ *
 * op selects the meaning of n and a:
 *   STR      a = str; a literal string (template text with {{ }} already
 *            unescaped).  n = 0
 *   TPL      a template with at least one placeholder: n parts at
 *            ops[a..a+n), each a node index of a STR, a REF, or a GETATTR
 *            whose target is a REF ({name} / {name#path})
 *   BOOL     a = 0 or 1.  n = 0
 *   INT      a = the value as int32 bits.  n = 0
 *   REF      a = variable slot.  n = 0
 *   GETATTR  ops[a] = target node, ops[a+1..a+1+n) = n >= 1 path steps:
 *            bit 31 set: array index (low 31 bits); clear: str of a field
 *   ARRAY    n elements at ops[a..a+n) (node indexes)
 *   RECORD   n entries at ops[a..a+2n): (str key, node index) pairs, in
 *            source order
 *   FN_*     a library function call: n arguments at ops[a..a+n) */
#define ALC_RULES_FUNCTIONS(X) \
	X(ALC_RX_FN_IS_SET,          "isSet",            1, 1) \
	X(ALC_RX_FN_NOT,             "not",              1, 1) \
	X(ALC_RX_FN_BOOLEAN_EQUALS,  "booleanEquals",    2, 2) \
	X(ALC_RX_FN_STRING_EQUALS,   "stringEquals",     2, 2) \
	X(ALC_RX_FN_PARTITION,       "aws.partition",    1, 1) \
	X(ALC_RX_FN_PARSE_ARN,       "aws.parseArn",     1, 1) \
	X(ALC_RX_FN_IS_VIRTUAL_HOSTABLE_S3_BUCKET, \
	                             "aws.isVirtualHostableS3Bucket", 2, 2) \
	X(ALC_RX_FN_PARSE_URL,       "parseURL",         1, 1) \
	X(ALC_RX_FN_SUBSTRING,       "substring",        4, 4) \
	X(ALC_RX_FN_URI_ENCODE,      "uriEncode",        1, 1) \
	X(ALC_RX_FN_IS_VALID_HOST_LABEL, "isValidHostLabel", 2, 2) \
	X(ALC_RX_FN_COALESCE,        "coalesce",         2, 255) \
	X(ALC_RX_FN_ITE,             "ite",              3, 3) \
	X(ALC_RX_FN_SPLIT,           "split",            3, 3)

enum alc_rules_op {
	ALC_RX_STR = 1,
	ALC_RX_TPL = 2,
	ALC_RX_BOOL = 3,
	ALC_RX_INT = 4,
	ALC_RX_REF = 5,
	ALC_RX_GETATTR = 6,
	ALC_RX_ARRAY = 7,
	ALC_RX_RECORD = 8,
	ALC_RX_FN_FIRST_ = 15,
#define ALC_RX_ENUM_(id, name, lo, hi) id,
	ALC_RULES_FUNCTIONS(ALC_RX_ENUM_)
#undef ALC_RX_ENUM_
	ALC_RX_COUNT
};
#define ALC_RX_FN_BASE (ALC_RX_FN_FIRST_ + 1)
#define ALC_RX_IS_FN(op) ((op) >= ALC_RX_FN_BASE && (op) < ALC_RX_COUNT)

#define ALC_RULES_STEP_INDEX 0x80000000u /* GETATTR step: array index */

typedef struct alc_rules_node {
	uint8_t op;              /*  0 enum alc_rules_op */
	uint8_t n;               /*  1 operand count (see above) */
	uint8_t need;            /*  2 1 + highest slot referenced, 0 if none */
	uint8_t size;            /*  3 1 + sizes of the children (leaves: 1) */
	uint32_t a;              /*  4 see above */
} alc_rules_node;

/* ---- conditions and rules -------------------------------------------- */
typedef struct alc_rules_cond {
	uint32_t node;           /*  0 a FN_* or GETATTR node */
	uint32_t assign;         /*  4 str: variable name, 0 when no assign */
} alc_rules_cond;

enum alc_rules_kind {
	ALC_RK_ENDPOINT = 1,
	ALC_RK_ERROR = 2,
	ALC_RK_TREE = 3
};

typedef struct alc_rules_rule {
	uint8_t kind;            /*  0 enum alc_rules_kind */
	uint8_t ncond;           /*  1 conditions */
	uint8_t slot_base;       /*  2 live variables on entry */
	uint8_t reserved;        /*  3 zero */
	uint32_t first_cond;     /*  4 conds[first_cond .. first_cond+ncond) */
	uint32_t x;              /*  8 ENDPOINT: url node; ERROR: message node;
	                            TREE: first child rule */
	uint32_t y;              /* 12 ENDPOINT: properties RECORD node or
	                            ALC_RULES_NONE; TREE: child count; ERROR: 0 */
	uint32_t z;              /* 16 ENDPOINT: headers RECORD node (values are
	                            ARRAY nodes) or ALC_RULES_NONE; else 0 */
} alc_rules_rule;

#define ALC_RULES_NONE 0xffffffffu

_Static_assert(sizeof(alc_rules_header) == 64, "alc_rules_header");
_Static_assert(sizeof(alc_rules_param) == 24, "alc_rules_param");
_Static_assert(sizeof(alc_rules_node) == 8, "alc_rules_node");
_Static_assert(sizeof(alc_rules_cond) == 8, "alc_rules_cond");
_Static_assert(sizeof(alc_rules_rule) == 20, "alc_rules_rule");
_Static_assert(ALC_RX_COUNT <= 256, "op fits a byte");

/* ---- names ----------------------------------------------------------- */

/* Smithy name of a function op ("isSet"), NULL for other ops. */
const char *alc_rules_fn_name(unsigned op);
/* Arity bounds of a function op; 0 for other ops. */
unsigned alc_rules_fn_min_args(unsigned op);
unsigned alc_rules_fn_max_args(unsigned op);
/* Function op for a Smithy function name, 0 when unknown (getAttr is not
 * a function op: it is ALC_RX_GETATTR). */
unsigned alc_rules_fn_lookup(const char *name, size_t len);
/* "AWS::Region" for ALC_RB_AWS_REGION; NULL for NONE, OTHER, out of range. */
const char *alc_rules_builtin_name(unsigned id);
/* Builtin id for a name: a known id, or ALC_RB_OTHER. */
unsigned alc_rules_builtin_lookup(const char *name, size_t len);

/* ---- access (valid only after alc_rules_check() accepted the blob) ---- */

static inline const alc_rules_header *alc_rules_hdr(const uint8_t *blob)
{
	return (const alc_rules_header *)(const void *)blob;
}
static inline const alc_rules_param *alc_rules_params(const uint8_t *blob)
{
	return (const alc_rules_param *)(const void *)(blob + alc_rules_hdr(blob)->params_off);
}
static inline const alc_rules_node *alc_rules_nodes(const uint8_t *blob)
{
	return (const alc_rules_node *)(const void *)(blob + alc_rules_hdr(blob)->nodes_off);
}
static inline const uint32_t *alc_rules_ops(const uint8_t *blob)
{
	return (const uint32_t *)(const void *)(blob + alc_rules_hdr(blob)->ops_off);
}
static inline const alc_rules_cond *alc_rules_conds(const uint8_t *blob)
{
	return (const alc_rules_cond *)(const void *)(blob + alc_rules_hdr(blob)->conds_off);
}
static inline const alc_rules_rule *alc_rules_rules(const uint8_t *blob)
{
	return (const alc_rules_rule *)(const void *)(blob + alc_rules_hdr(blob)->rules_off);
}

/* ---- validation ------------------------------------------------------ */

/* Validate BLOB[0, LEN) completely against every invariant listed at the
 * top of this file; STRS_SIZE is the size of the catalog's STRS section
 * (string offsets must be below it).  BLOB must be 4-byte aligned (blobs
 * are 8-aligned inside RULES, which is 8-aligned in the file).
 * Work: O(LEN) time, O(ALC_RULES_MAX_DEPTH) stack, no allocation.
 * Returns 0, or AL_ECORRUPT with a description such as
 * "node 12: operand 3 (node 40) is not below the node" in ERR (ERRLEN
 * bytes, NUL-terminated, truncated; ERR may be NULL). */
int alc_rules_check(const uint8_t *blob, size_t len, uint32_t strs_size,
                    char *err, size_t errlen);

/* ---- decoding back to Smithy JSON ------------------------------------ */

/* Output sink: write N bytes of S.  Return 0, or a nonzero value to stop
 * the decoder, which then returns that value. */
typedef int (*alc_rules_write_fn)(void *ctx, const char *s, size_t n);

#define ALC_RULES_JSON_PRETTY 0x1u /* indent by two spaces, one item per line */

/* Write the rule set as Smithy JSON (an endpointRuleSet object) through
 * WRITE.  STRS / STRS_SIZE are the catalog's string pool.  The blob is
 * checked first (alc_rules_check), so any input is safe.  Documentation is
 * not stored and is not written; the other canonical forms are listed in
 * RULES.md ("Round trip").  Returns 0, AL_ECORRUPT, or the sink's value. */
int alc_rules_to_json(const uint8_t *blob, size_t len, const char *strs,
                      uint32_t strs_size, unsigned flags,
                      alc_rules_write_fn write, void *ctx);

#endif
