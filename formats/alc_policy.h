/*
 * alc_policy.h -- the compiled policy: the POLICY section of the catalog
 * (ALC_SEC_POLICY) and the policy bits of alc_operation.risk.
 *
 * Written by the compiler (compiler/cc_policy.c), checked at open by the
 * reader (alc_policy_check, called from alc_reader.c), evaluated by the
 * runtime (runtime/rt_policy.c).  formats/POLICY-FORMAT.md documents the
 * same layout with offset tables; policy/README.md documents the language
 * and the decision order.
 *
 * Layout.  The section is a header (alc_policy_header) followed by tables
 * of fixed-size records, each at an 8-aligned offset from the start of the
 * section, located by the header's table directory (off, count per
 * ALC_PT_* kind).  References are indexes into those tables, or string
 * offsets into the catalog's STRS section (rule ids, descriptions, pattern
 * sources, member names are catalog strings: they share the pool and its
 * validation).  Nothing here is a pointer.
 *
 * What is decided when.  Everything that depends on the operation alone
 * (service, operation, access, risk) is resolved by the compiler: each
 * operation carries a class index in alc_operation.risk, and its class
 * lists the rules whose static part matched it (in file order), the tag
 * locations of its input, and -- when none of those rules needs the call's
 * input or context -- the final effect and deciding rule.  The runtime only
 * evaluates the dynamic conditions (region, account, profile, environment,
 * input values) of the rules its class lists.
 *
 * Version rule: ALC_POLICY_VERSION is bumped on any change of layout or
 * meaning; a reader refuses a section whose version it does not know (the
 * catalog then fails to open: a policy that cannot be read must not be
 * silently ignored).
 */
#ifndef ALC_POLICY_H
#define ALC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "alc_format.h"

struct alc_catalog;
struct alc_diag;

#define ALC_POLICY_MAGIC 0x59504c41u /* "ALPY" little-endian */
#define ALC_POLICY_VERSION 1u

/* ---- alc_operation.risk ---------------------------------------------- *
 *   bits  0-2  risk level (enum alc_risk), 0 only in catalogs without a
 *              policy (ALC_F_POLICY clear: then the whole field is 0)
 *   bit   3    write access (clear: a read, see alc_op_is_read)
 *   bit   4    the level was set by a `risk` entry of the policy
 *   bit   5    the input carries tags (the class lists its tag locations
 *              when a required_tags entry applies)
 *   bits 16-31 class index into the PCLASSES table */
#define ALC_OPRISK_LEVEL 0x7u
#define ALC_OPRISK_WRITE 0x8u
#define ALC_OPRISK_OVERRIDDEN 0x10u
#define ALC_OPRISK_TAGS 0x20u
#define ALC_OPRISK_CLASS_SHIFT 16

enum alc_risk {
	ALC_RISK_NONE = 0,
	ALC_RISK_LOW = 1,
	ALC_RISK_MEDIUM = 2,
	ALC_RISK_HIGH = 3,
	ALC_RISK_CRITICAL = 4,
	ALC_RISK_COUNT
};

/* Ordered: a larger effect beats a smaller one (deny beats approval beats
 * allow). */
enum alc_effect {
	ALC_EFFECT_NONE = 0,      /* class: not decided statically */
	ALC_EFFECT_ALLOW = 1,
	ALC_EFFECT_APPROVAL = 2,  /* require_approval */
	ALC_EFFECT_DENY = 3,
	ALC_EFFECT_COUNT
};

/* ---- header: at offset 0 of the section, 160 bytes -------------------- */
enum alc_ptable_kind {
	ALC_PT_RULES = 0,     /* alc_prule[] in file order */
	ALC_PT_CONDS = 1,     /* alc_pcond[] */
	ALC_PT_VALS = 2,      /* alc_pval[] */
	ALC_PT_SEGS = 3,      /* alc_pseg[]: input paths */
	ALC_PT_TAGS = 4,      /* alc_ptag[]: required tag keys */
	ALC_PT_TAGLOCS = 5,   /* alc_ptagloc[]: where an input carries tags */
	ALC_PT_CLASSES = 6,   /* alc_pclass[]: one per distinct operation class */
	ALC_PT_REFS = 7,      /* u32[]: rule indexes listed by classes */
	ALC_PT_PATS = 8,      /* alc_ppat[]: patterns (PCRE2) */
	ALC_PT_ENVS = 9,      /* alc_penv[] */
	ALC_PT_APPROVALS = 10,/* alc_papproval[(nenvs + 1) * 4] */
	ALC_PT_COUNT = 11
};

typedef struct alc_ptable {
	uint32_t off;            /*  0 from the start of the section, 8-aligned */
	uint32_t count;          /*  4 records */
} alc_ptable;

#define ALC_POL_ACCOUNTS 0x1u /* allowed_accounts is set: others refused */
#define ALC_POL_REGIONS  0x2u /* allowed_regions is set: others refused */

typedef struct alc_policy_header {
	uint32_t magic;          /*   0 ALC_POLICY_MAGIC */
	uint32_t version;        /*   4 ALC_POLICY_VERSION */
	uint32_t size;           /*   8 bytes of the section used (<= its size) */
	uint32_t flags;          /*  12 ALC_POL_* */
	uint64_t digest_lo;      /*  16 XXH3-128 of the policy file's bytes: */
	uint64_t digest_hi;      /*  24 its identity for plans and the audit */
	uint32_t source;         /*  32 str: the policy file as named to the
	                            compiler ("policy/default.yaml") */
	uint32_t pcre2_version;  /*  36 str: PCRE2 version of the compiler */
	uint32_t blob_off;       /*  40 PCRE2 serialized patterns (all PATS, in
	                            order, one pcre2_serialize_encode); 0 and
	                            blob_size 0 when there are no patterns */
	uint32_t blob_size;      /*  44 bytes */
	uint8_t defaults[8];     /*  48 effect when no rule matches, by risk
	                            level: [1] low .. [4] critical; others 0 */
	uint32_t accounts_first; /*  56 VALS: allowed_accounts (ALC_POL_ACCOUNTS) */
	uint32_t accounts_count; /*  60 */
	uint32_t regions_first;  /*  64 VALS: allowed_regions (ALC_POL_REGIONS) */
	uint32_t regions_count;  /*  68 */
	alc_ptable tables[ALC_PT_COUNT]; /* 72 the table directory */
} alc_policy_header;

/* ---- rules ---------------------------------------------------------- */
enum alc_prule_kind {
	ALC_PRULE_RULE = 0,      /* rules: entry with an effect */
	ALC_PRULE_TAGS = 1       /* required_tags: entry (effect is deny) */
};

#define ALC_PRULE_DYNAMIC 0x1u   /* has conditions evaluated per call */

typedef struct alc_prule {
	uint32_t id;             /*  0 str: "deny-prod-deletes" */
	uint32_t description;    /*  4 str */
	uint8_t effect;          /*  8 enum alc_effect (1..3) */
	uint8_t kind;            /*  9 enum alc_prule_kind */
	uint16_t flags;          /* 10 ALC_PRULE_* */
	uint32_t specificity;    /* 12 higher is more specific (README.md) */
	uint32_t cond_first;     /* 16 CONDS: the dynamic conditions, all must */
	uint32_t cond_count;     /* 20   hold */
	uint32_t tag_first;      /* 24 TAGS: required tags (kind TAGS) */
	uint32_t tag_count;      /* 28 */
	uint32_t line;           /* 32 line of the entry in the policy file */
} alc_prule;

/* ---- conditions ----------------------------------------------------- */
enum alc_psubject {
	ALC_PS_REGION = 1,       /* the call's region */
	ALC_PS_ACCOUNT = 2,      /* its account id */
	ALC_PS_PROFILE = 3,      /* its AWS profile */
	ALC_PS_ENV = 4,          /* the environment of account / profile */
	ALC_PS_INPUT = 5,        /* values of the input at a path */
	ALC_PS_COUNT
};

enum alc_pop {
	ALC_PO_IN = 1,           /* equal to one of VALS (pattern: matches) */
	ALC_PO_NOT_IN = 2,
	ALC_PO_MATCHES = 3,      /* VALS[0] is a pattern */
	ALC_PO_NOT_MATCHES = 4,
	ALC_PO_LT = 5,           /* VALS[0] is a number */
	ALC_PO_LE = 6,
	ALC_PO_GT = 7,
	ALC_PO_GE = 8,
	ALC_PO_EQ = 9,           /* VALS[0]: string, number or boolean */
	ALC_PO_NE = 10,
	ALC_PO_PRESENT = 11,     /* the path has at least one value */
	ALC_PO_ABSENT = 12,
	ALC_PO_COUNT
};

enum alc_pquant {
	ALC_PQ_ANY = 0,          /* some value at the path satisfies it */
	ALC_PQ_ALL = 1           /* every value does (and there is one) */
};

typedef struct alc_pcond {
	uint8_t subject;         /*  0 enum alc_psubject */
	uint8_t op;              /*  1 enum alc_pop */
	uint8_t quant;           /*  2 enum alc_pquant */
	uint8_t pad;             /*  3 zero */
	uint32_t seg_first;      /*  4 SEGS: the input path (ALC_PS_INPUT) */
	uint32_t seg_count;      /*  8 */
	uint32_t val_first;      /* 12 VALS: operands */
	uint32_t val_count;      /* 16 */
	uint32_t path;           /* 20 str: the path as written, for messages */
} alc_pcond;

enum alc_pval_type {
	ALC_PV_STR = 1,          /* a: str */
	ALC_PV_NUM = 2,          /* num; a: str of the number as written */
	ALC_PV_BOOL = 3,         /* a: 0 or 1 */
	ALC_PV_PAT = 4,          /* a: PATS index */
	ALC_PV_ENV = 5,          /* a: ENVS index */
	ALC_PV_COUNT
};

typedef struct alc_pval {
	uint32_t type;           /*  0 enum alc_pval_type */
	uint32_t a;              /*  4 see alc_pval_type */
	double num;              /*  8 ALC_PV_NUM */
} alc_pval;

/* A path step.  Input paths are "Name(.Name)*" where a step "Name[*]"
 * takes the member then each element of the list, and "*" each value of
 * a map; the JSON is walked by exact member names. */
enum alc_pseg_kind {
	ALC_SEG_MEMBER = 0,      /* the member NAME of an object */
	ALC_SEG_EACH = 1,        /* the member NAME, then each list element */
	ALC_SEG_VALUES = 2,      /* each value of an object (name is 0) */
	ALC_SEG_COUNT
};

typedef struct alc_pseg {
	uint32_t name;           /*  0 str */
	uint32_t kind;           /*  4 enum alc_pseg_kind */
} alc_pseg;

/* ---- required tags -------------------------------------------------- */
typedef struct alc_ptag {
	uint32_t key;            /*  0 str: the tag key, matched exactly */
	uint32_t pat;            /*  4 PATS index the value must match, or
	                            ALC_NONE: any value */
} alc_ptag;

enum alc_ptagloc_kind {
	ALC_TL_LIST = 1,         /* list of {key_name: k, value_name: v} */
	ALC_TL_MAP = 2,          /* map of key -> value */
	ALC_TL_QUERY = 3,        /* string "k1=v1&k2=v2" (URL-encoded; S3's
	                            Tagging header) */
	ALC_TL_COUNT
};

typedef struct alc_ptagloc {
	uint32_t seg_first;      /*  0 SEGS: path to the tag collection */
	uint32_t seg_count;      /*  4 */
	uint32_t kind;           /*  8 enum alc_ptagloc_kind */
	uint32_t key_name;       /* 12 str: "Key", "key", "TagKey" (LIST) */
	uint32_t value_name;     /* 16 str: "Value", ... (LIST) */
	uint32_t path;           /* 20 str: the path as text ("Tagging.TagSet") */
} alc_ptagloc;

/* ---- operation classes ---------------------------------------------- */
typedef struct alc_pclass {
	uint32_t ref_first;      /*  0 REFS: rules whose static part matches */
	uint32_t ref_count;      /*  4   the class's operations, in evaluation
	                            order: effect (deny first), specificity
	                            (most first), file order */
	uint32_t tagloc_first;   /*  8 TAGLOCS: tag locations of the input */
	uint32_t tagloc_count;   /* 12   (0 unless a tags rule is listed) */
	uint32_t static_rule;    /* 16 RULES index that decides, or ALC_NONE
	                            (the default for the risk level) */
	uint8_t static_effect;   /* 20 the decision when it needs nothing of the
	                            call but context lists and approval
	                            settings; ALC_EFFECT_NONE: evaluate */
	uint8_t pad[3];          /* 21 zero */
} alc_pclass;

/* ---- patterns, environments, approvals ------------------------------ */
#define ALC_PAT_CASELESS 0x1u

typedef struct alc_ppat {
	uint32_t source;         /*  0 str: the PCRE2 pattern */
	uint32_t flags;          /*  4 ALC_PAT_* */
} alc_ppat;

typedef struct alc_penv {
	uint32_t name;           /*  0 str: "prod" */
	uint32_t accounts_first; /*  4 VALS (strings): account ids */
	uint32_t accounts_count; /*  8 */
	uint32_t profiles_first; /* 12 VALS (strings or patterns): profiles */
	uint32_t profiles_count; /* 16 */
} alc_penv;

/* Approval settings, expanded by the compiler: entry (e, r) at index
 * e * 4 + (r - 1) for environment e (e == nenvs: no environment known)
 * and risk level r. */
typedef struct alc_papproval {
	uint32_t ttl;            /*  0 seconds an approval stays valid */
	uint8_t approvers;       /*  4 1 or 2 distinct people */
	uint8_t required;        /*  5 1: an allowed operation of this level
	                            needs approval (high, critical: default 1) */
	uint8_t pad[2];          /*  6 zero */
	uint32_t line;           /*  8 line of the approvals entry, 0: default */
} alc_papproval;

_Static_assert(sizeof(alc_ptable) == 8, "alc_ptable");
_Static_assert(sizeof(alc_policy_header) == 160, "alc_policy_header");
_Static_assert(sizeof(alc_prule) == 36, "alc_prule");
_Static_assert(sizeof(alc_pcond) == 24, "alc_pcond");
_Static_assert(sizeof(alc_pval) == 16, "alc_pval");
_Static_assert(sizeof(alc_pseg) == 8, "alc_pseg");
_Static_assert(sizeof(alc_ptag) == 8, "alc_ptag");
_Static_assert(sizeof(alc_ptagloc) == 24, "alc_ptagloc");
_Static_assert(sizeof(alc_pclass) == 24, "alc_pclass");
_Static_assert(sizeof(alc_ppat) == 8, "alc_ppat");
_Static_assert(sizeof(alc_penv) == 20, "alc_penv");
_Static_assert(sizeof(alc_papproval) == 12, "alc_papproval");

/* Record size of each table kind (for the checker and the writer). */
extern const uint32_t alc_ptable_entsize[ALC_PT_COUNT];

/* ---- access to a checked section ------------------------------------ *
 * Valid once alc_open succeeded on a catalog whose header has
 * ALC_F_POLICY; every pointer is into the mapping (lifetime: the
 * catalog's). */
typedef struct alc_policy {
	const alc_policy_header *hdr;
	const alc_prule *rules;      uint32_t nrules;
	const alc_pcond *conds;      uint32_t nconds;
	const alc_pval *vals;        uint32_t nvals;
	const alc_pseg *segs;        uint32_t nsegs;
	const alc_ptag *tags;        uint32_t ntags;
	const alc_ptagloc *taglocs;  uint32_t ntaglocs;
	const alc_pclass *classes;   uint32_t nclasses;
	const uint32_t *refs;        uint32_t nrefs;
	const alc_ppat *pats;        uint32_t npats;
	const alc_penv *envs;        uint32_t nenvs;
	const alc_papproval *approvals; uint32_t napprovals;
	const uint8_t *blob;         uint32_t blob_size;
} alc_policy;

/* Check the POLICY section of CAT (whose other sections are checked
 * already) and the policy bits of every operation's risk field: header,
 * table bounds and alignment, every string offset, every index and range,
 * every enum; the risk field's class index and level.  A catalog without
 * the ALC_F_POLICY flag must have no POLICY section and all risk fields
 * 0.  Work is linear in the section size plus the operation count.  The
 * PCRE2 blob is only bounds-checked here (the runtime decodes it, see
 * rt_policy.c).  Returns 0 or AL_ECORRUPT / AL_EVERSION with a message in
 * DIAG (may be NULL). */
int alc_policy_check(const struct alc_catalog *cat, struct alc_diag *diag);

/* Bind the tables of CAT's checked POLICY section.  Returns 0, or
 * AL_ENOTFOUND when the catalog has no policy. */
int alc_policy_get(const struct alc_catalog *cat, alc_policy *out);

/* Names for messages and for the policy language: "low".."critical",
 * "allow" / "require_approval" / "deny".  "?" out of range. */
const char *alc_risk_name(unsigned risk);
const char *alc_effect_name(unsigned effect);

/* The one definition of a "read" operation (runtime/rt_search.h's
 * rt_op_is_read uses it; so does the compiler's risk and access): a read
 * carries the Smithy readonly trait (ALC_OP_READONLY in FLAGS), or its
 * NAME's first CamelCase word is Get, List, Describe, Head, Search, Query,
 * Scan or Lookup, or its first two words are Batch followed by Get, List or
 * Describe ("BatchGetItem").  A word matches only whole: "Getaway..." or
 * "Listener..." would not. */
int alc_op_is_read(const char *name, uint32_t flags);

#endif
