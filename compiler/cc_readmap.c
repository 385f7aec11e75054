/*
 * cc_readmap.c -- see cc_readmap.h.
 *
 * Works on the emitted records (a catalog view: names, input and output
 * members, required flags, target types) plus the resource facts the
 * models kept (cc_resource, cc_member.resource_ident).  Every operation is
 * looked at once; a mutating one bound to a resource's lifecycle tries
 * that resource's read or list first; otherwise (or when that fails) the
 * read names its verb and noun suggest, then those of its identifier
 * members' nouns (bounded: at most MAX_VARIANTS nouns x MAX_CANDS names,
 * each one probe of a (service, name) hash), then an instance binding's
 * resource; the overrides replace whatever was found.  A candidate given
 * no argument is kept only as a fallback (no_arg_ok).  The whole corpus
 * takes ~30 ms.
 *
 * The catalog view's strings live in the pool, which moves when it grows:
 * nothing is interned until every mapping is computed (new strings -- state
 * paths and constants -- are kept as text until then).
 */
#include "cc_readmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "alc_err.h"
#include "alc_policy.h"

#define MAX_ARGS ALC_READMAP_MAX_ARGS
#define NAME_MAX_ 200      /* longest operation name we build candidates for */
#define CAND_MAX_ 256      /* a candidate: NAME_MAX_ plus a verb and suffix */
#define PATH_MAX_ 128      /* longest state path */

typedef struct rm_arg {
	uint32_t from, to;     /* STRS offsets (from: unused when ctext) */
	uint32_t flags;        /* ALC_RMA_* */
	const char *ctext;     /* ALC_RMA_CONST: JSON text (owned by the overrides) */
} rm_arg;

typedef struct rm_map {
	uint32_t read;         /* OPS index; ALC_NONE: no mapping */
	uint8_t kind, source, nargs;
	char path[PATH_MAX_];
	rm_arg args[MAX_ARGS];
} rm_map;

typedef struct rm_ctx {
	const alc_catalog *v;
	cc_model *const *models;
	size_t nmodels;
	rm_map *maps;          /* one per operation */
	/* bound resource per operation: model resource index + 1, 0 none */
	uint32_t *res_of;
	uint8_t *role_of;      /* CC_LC_* or ROLE_INSTANCE / ROLE_COLLECTION */
	uint32_t *optab;       /* (service, name) -> OPS index + 1; 0 empty */
	size_t opslots;        /* power of two, at least twice nops */
	int shipped;           /* overrides: skip lines naming missing operations */
} rm_ctx;

enum { ROLE_INSTANCE = CC_LC_COUNT, ROLE_COLLECTION };

static const char *N(const rm_ctx *c, uint32_t off) { return c->v->strs + off; }

/* ---- catalog view helpers ------------------------------------------- */

static const alc_shape *shape_of(const rm_ctx *c, uint32_t s)
{
	return s == ALC_NONE || s >= c->v->nshapes ? NULL : &c->v->shapes[s];
}

static uint8_t type_of(const rm_ctx *c, uint32_t s)
{
	const alc_shape *sh = shape_of(c, s);
	return sh ? sh->type : 0;
}

/* Operations by (service, name): the rules look up tens of candidate
 * names per operation, so a probe is one hash and one compare. */
static uint64_t op_hash(uint32_t svc, const char *name, size_t len)
{
	return XXH3_64bits_withSeed(name, len, svc);
}

static void optab_build(rm_ctx *c)
{
	c->opslots = 64;
	while (c->opslots < (size_t)c->v->nops * 2)
		c->opslots <<= 1;
	c->optab = cc_xcalloc(c->opslots, sizeof *c->optab);
	for (uint32_t i = 0; i < c->v->nops; i++) {        /* bound: nops */
		const alc_operation *o = &c->v->ops[i];
		const char *n = N(c, o->name);
		size_t at = (size_t)op_hash(o->service, n, strlen(n)) & (c->opslots - 1);
		while (c->optab[at])                   /* load <= 1/2 */
			at = (at + 1) & (c->opslots - 1);
		c->optab[at] = i + 1;
	}
}

/* Operation NAME[0..len) of service SVC, or ALC_NONE. */
static uint32_t find_op(const rm_ctx *c, uint32_t svc, const char *name, size_t len)
{
	size_t at = (size_t)op_hash(svc, name, len) & (c->opslots - 1);
	for (uint32_t e; (e = c->optab[at]) != 0; at = (at + 1) & (c->opslots - 1)) {
		const alc_operation *o = &c->v->ops[e - 1];
		const char *n = N(c, o->name);
		if (o->service == svc && strncmp(n, name, len) == 0 && n[len] == '\0')
			return e - 1;
	}
	return ALC_NONE;
}

static int is_read(const rm_ctx *c, uint32_t op)
{
	const alc_operation *o = &c->v->ops[op];
	return alc_op_is_read(N(c, o->name), o->flags);
}

/* The cc_member behind catalog member K of operation OP's input, for its
 * @resourceIdentifier; NULL when unknown. */
static const cc_member *model_member(const rm_ctx *c, uint32_t op, uint32_t k)
{
	const alc_operation *o = &c->v->ops[op];
	if (o->service >= c->nmodels)
		return NULL;
	const cc_model *m = c->models[o->service];
	uint32_t i = op - c->v->svcs[o->service].first_op;
	if (i >= m->nops || m->ops[i].input < 0)
		return NULL;
	const cc_shape *sh = &m->shapes[m->ops[i].input];
	return k < sh->nmembers ? &sh->members[k] : NULL;
}

/* ---- argument matching ---------------------------------------------- */

/* Members that page or test a call, never name what it acts on. */
static int is_control(const char *n)
{
	static const char *const ctl[] = {
		"NextToken", "MaxResults", "MaxItems", "Marker", "Limit", "DryRun",
		"ClientToken", "PageSize", "MaxRecords", "StartingToken",
		"PaginationToken", "NextMarker", "MaxResult", "PageToken",
		"NextPageToken", "MaxResultsPerPage", "MaxRows",
	};
	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++)
		if (strcmp(n, ctl[i]) == 0)
			return 1;
	/* ReturnValues, ReturnConsumedCapacity: shape the answer; IfMatch,
	 * IfNoneMatch: would make the read fail against the current state */
	return (strncmp(n, "Return", 6) == 0 && n[6] >= 'A' && n[6] <= 'Z') ||
	       (strncmp(n, "If", 2) == 0 && n[2] >= 'A' && n[2] <= 'Z');
}

static int id_like(const char *n)
{
	static const char *const ids[] = { "Name", "Id", "Arn", "ARN", "Identifier",
	                                   "Key", "ID", "Names", "Ids", "Arns" };
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (strcmp(n, ids[i]) == 0)
			return 1;
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && strcmp(s + a - b, suf) == 0;
}

static int scalar_type(uint8_t t)
{
	return t && t != ALC_T_STRUCTURE && t != ALC_T_UNION && t != ALC_T_MAP &&
	       t != ALC_T_DOCUMENT && t != ALC_T_LIST && t != ALC_T_BLOB;
}

/* LONG is SHORT after (the end of) the noun: "StackName" is "Name" for
 * noun "Stack" (or "UpdateStack"'s "Stack"), "CreatorRequestId" is not
 * "Id" for noun "HttpNamespace". */
static int noun_plus(const char *lng, const char *shrt, const char *noun)
{
	size_t ll = strlen(lng), sl = strlen(shrt);
	if (!noun || ll <= sl || strcmp(lng + ll - sl, shrt) != 0)
		return 0;
	size_t pl = ll - sl, nl = strlen(noun);
	return pl <= nl && strncasecmp(noun + nl - pl, lng, pl) == 0;
}

/* A scalar, or a list of scalars (InstanceIds). */
static int plain_value(const rm_ctx *c, uint32_t shape)
{
	const alc_shape *sh = shape_of(c, shape);
	if (!sh)
		return 0;
	if (sh->type == ALC_T_LIST)
		return sh->member_count == 1 &&
		       scalar_type(type_of(c, c->v->members[sh->first_member].target));
	return scalar_type(sh->type);
}

/* Fill the read's input from the mutating input: every required member
 * of the read must be filled, optional ones are filled when a member
 * matches closely (name, case, singular for a list).  LIFE: also match
 * by @resourceIdentifier.  NOUN (verb/noun rule): a required member named
 * after it ("WorkGroup") takes the mutating "Name" or "Id".  Returns the
 * number of arguments (0 when the read takes no input or nothing matched),
 * or -1 when a required member stays empty. */
static int map_args(const rm_ctx *c, uint32_t mop, uint32_t rop, int life,
                    const char *noun, rm_arg *args)
{
	const alc_catalog *v = c->v;
	const alc_operation *M = &v->ops[mop], *R = &v->ops[rop];
	const alc_shape *ms = shape_of(c, M->input), *rs = shape_of(c, R->input);
	if (!rs || rs->member_count == 0)
		return 0;                      /* a read without input: the account's state */
	int n = 0;
	/* the mutating members' control flags, once per call rather than per
	 * (read member, pass, member) */
	enum { CTL_CAP = 512 };
	uint8_t ctl[CTL_CAP];
	uint32_t nm = ms ? ms->member_count : 0;
	for (uint32_t j = 0; j < nm && j < CTL_CAP; j++)
		ctl[j] = (uint8_t)is_control(N(c, v->members[ms->first_member + j].name));
	for (uint32_t k = 0; k < rs->member_count; k++) {   /* bound: members */
		const alc_member *r = &v->members[rs->first_member + k];
		const char *rn = N(c, r->name);
		int req = (r->flags & ALC_M_REQUIRED) != 0;
		if (is_control(rn) || r->name == R->pg_input_token ||
		    r->name == R->pg_page_size)
			continue;
		uint8_t rt = type_of(c, r->target);
		const cc_member *rcm = life ? model_member(c, rop, k) : NULL;
		int found = -1;
		uint32_t flags = 0;
		for (int pass = 0; pass < 4 && found < 0 && ms; pass++) {
			for (uint32_t j = 0; j < ms->member_count && found < 0; j++) {
				const alc_member *m = &v->members[ms->first_member + j];
				const char *mn = N(c, m->name);
				if (j < CTL_CAP ? ctl[j] : is_control(mn))
					continue;
				uint8_t mt = type_of(c, m->target);
				int ok = 0;
				switch (pass) {
				case 0:        /* exact, or bound to the same identifier */
					ok = strcmp(mn, rn) == 0;
					if (!ok && life) {
						const cc_member *mcm = model_member(c, mop, j);
						const char *a = mcm && mcm->resource_ident ? mcm->resource_ident : mn;
						const char *b = rcm && rcm->resource_ident ? rcm->resource_ident : rn;
						ok = strcmp(a, b) == 0;
					}
					break;
				case 1:        /* case */
					ok = strcasecmp(mn, rn) == 0;
					break;
				case 2: {      /* InstanceId -> InstanceIds */
					size_t ml = strlen(mn), rl = strlen(rn);
					ok = rt == ALC_T_LIST && scalar_type(mt) &&
					     ((rl == ml + 1 && rn[ml] == 's') ||
					      (rl == ml + 2 && rn[ml] == 'e' && rn[ml + 1] == 's')) &&
					     strncmp(mn, rn, ml) == 0;
					if (ok)
						flags = ALC_RMA_LIST;
					break;
				}
				case 3:        /* Name <-> StackName, for required members */
					ok = req && scalar_type(mt) && scalar_type(rt) &&
					     ((id_like(rn) && noun_plus(mn, rn, noun)) ||
					      (id_like(mn) && noun_plus(rn, mn, noun)) ||
					      (id_like(mn) && noun && strcmp(rn, noun) == 0));
					break;
				}
				if (!ok)
					continue;
				/* a structure only goes to the very same shape */
				if (!scalar_type(mt) && !(flags & ALC_RMA_LIST) &&
				    !(mt == ALC_T_LIST && rt == ALC_T_LIST) && m->target != r->target)
					continue;
				found = (int)j;
			}
			if (found < 0)
				flags = 0;
		}
		if (found < 0) {
			if (req)
				return -1;
			continue;
		}
		/* an optional member is filled only with a plain value: a map or
		 * document (ExpressionAttributeNames) belongs to the write */
		if (!req && !plain_value(c, v->members[ms->first_member + (uint32_t)found].target))
			continue;
		if (n == MAX_ARGS)
			return req ? -1 : n;
		const alc_member *m = &v->members[ms->first_member + (uint32_t)found];
		args[n++] = (rm_arg){ m->name, r->name, flags, NULL };
	}
	return n;
}

static const alc_member *member_named(const rm_ctx *c, uint32_t s, const char *name,
                                      size_t len);

/* ---- state path ----------------------------------------------------- */

static int is_out_control(const char *n)
{
	static const char *const ctl[] = {
		"NextToken", "Marker", "NextMarker", "IsTruncated", "MaxResults",
		"MaxItems", "NextPageToken", "PaginationToken", "ResponseMetadata",
		"RequestId", "Limit", "Count", "TotalCount", "NextContinuationToken",
		"ContinuationToken", "KeyMarker", "NextKeyMarker", "failures", "Failures",
		"FailedItems", "Errors", "errors",
	};
	if (strncmp(n, "Unprocessed", 11) == 0)
		return 1;
	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++)
		if (strcmp(n, ctl[i]) == 0)
			return 1;
	return 0;
}

/* Where the state sits in ROP's output: the one structure member, or the
 * first element of the one list of structures ("Stacks[0]"; a List* read,
 * or any read given no identifier (WHOLE_LIST), keeps the whole list),
 * else the whole output. */
/* An element made of a key (or name) and a value: the list is a bag of
 * attributes or tags, whose state is the whole list. */
static int attribute_bag(const rm_ctx *c, uint32_t el)
{
	const alc_shape *sh = shape_of(c, el);
	return sh && sh->member_count <= 3 && (member_named(c, el, "Value", 5) ||
	                                        member_named(c, el, "value", 5));
}

/* Does an argument pick one element of list LNAME (elements EL)?  A value
 * wrapped in a list does (InstanceIds=[InstanceId]), and so does a member
 * named after the element ("StackName" for Stacks, "GroupIds" for
 * SecurityGroups); "ListenerArn" for Rules names the parent, not a rule. */
static int picks_one(const rm_ctx *c, const rm_arg *args, int n, const char *lname,
                     uint32_t el)
{
	if (attribute_bag(c, el))
		return 0;
	char sing[NAME_MAX_];
	size_t l = strlen(lname);
	if (l >= sizeof sing)
		return 0;
	for (size_t i = 0; i <= l; i++)
		sing[i] = (char)tolower((unsigned char)lname[i]);
	if (l > 4 && strcmp(sing + l - 4, "list") == 0)
		sing[l -= 4] = '\0';
	if (l > 3 && strcmp(sing + l - 3, "ies") == 0) {
		l -= 3;
		sing[l++] = 'y';
		sing[l] = '\0';
	} else if (l > 4 && (strcmp(sing + l - 4, "sses") == 0 || strcmp(sing + l - 3, "xes") == 0))
		sing[l -= 2] = '\0';
	else if (l > 1 && sing[l - 1] == 's')
		sing[--l] = '\0';
	static const char *const sufs[] = { "identifiers", "identifier", "names", "name",
	                                    "arns", "arn", "ids", "id", "s" };
	for (int a = 0; a < n; a++) {
		if (args[a].flags & ALC_RMA_LIST)
			return 1;
		char st[NAME_MAX_];
		const char *to = N(c, args[a].to);
		size_t tl = strlen(to);
		if (tl >= sizeof st)
			continue;
		for (size_t i = 0; i <= tl; i++)
			st[i] = (char)tolower((unsigned char)to[i]);
		for (size_t k = 0; k < sizeof sufs / sizeof sufs[0]; k++) {
			size_t sl = strlen(sufs[k]);
			if (tl >= sl && strcmp(st + tl - sl, sufs[k]) == 0) {
				st[tl -= sl] = '\0';
				break;
			}
		}
		if (tl <= l && strcmp(sing + l - tl, st) == 0)
			return 1;
	}
	return 0;
}

/* Where the state sits in ROP's output, given the arguments ARGS: the one
 * structure member; or the one list of structures, its first element when
 * the read names many things and an argument picks one (DescribeStacks
 * given StackName: "Stacks[0]"; DescribeInstances: the instance inside
 * its reservation, "Reservations[0].Instances[0]"), else the whole list
 * (List* reads, WHOLE_LIST, GetBucketCors's rules, DescribeRules given a
 * listener, tags and attributes); else the whole output. */
static void state_path(const rm_ctx *c, uint32_t rop, int whole_list, const rm_arg *args,
                       int nargs, char *out)
{
	const alc_catalog *v = c->v;
	const alc_operation *R = &v->ops[rop];
	const alc_shape *os = shape_of(c, R->output);
	out[0] = '\0';
	if (!os || os->type != ALC_T_STRUCTURE)
		return;
	const alc_member *one = NULL;
	for (uint32_t k = 0; k < os->member_count; k++) {
		const alc_member *m = &v->members[os->first_member + k];
		if (is_out_control(N(c, m->name)) || m->name == R->pg_output_token ||
		    (m->flags & (ALC_M_HTTP_HEADER | ALC_M_HTTP_RESPONSE_CODE |
		                 ALC_M_HTTP_PREFIX_HEADERS)))
			continue;
		if (one)
			return;
		one = m;
	}
	if (!one || strlen(N(c, one->name)) + 4 > PATH_MAX_)
		return;
	const alc_shape *t = shape_of(c, one->target);
	if (!t)
		return;
	const char *lname = N(c, one->name);
	if (t->type == ALC_T_STRUCTURE) {
		snprintf(out, PATH_MAX_, "%s", lname);
		return;
	}
	if (t->type != ALC_T_LIST || t->member_count != 1 ||
	    type_of(c, v->members[t->first_member].target) != ALC_T_STRUCTURE)
		return;
	const char *rn = N(c, R->name);
	size_t rl = strlen(rn);
	int many = !whole_list && strncmp(rn, "List", 4) != 0 && rn[rl - 1] == 's';
	uint32_t el = v->members[t->first_member].target;
	const char *noun = strncmp(rn, "Describe", 8) == 0 ? rn + 8 :
	                   strncmp(rn, "Get", 3) == 0 ? rn + 3 : NULL;
	const alc_member *in = many && noun && strcmp(noun, lname) ?
	                       member_named(c, el, noun, strlen(noun)) : NULL;
	const alc_shape *it = in ? shape_of(c, in->target) : NULL;
	if (it && it->type == ALC_T_LIST && it->member_count == 1 &&
	    type_of(c, v->members[it->first_member].target) == ALC_T_STRUCTURE &&
	    strlen(lname) + strlen(noun) + 8 < PATH_MAX_) {
		uint32_t iel = v->members[it->first_member].target;
		size_t ll = strlen(lname), nl = strlen(noun);  /* fit: checked above */
		memcpy(out, lname, ll);
		memcpy(out + ll, "[0].", 4);
		memcpy(out + ll + 4, noun, nl);
		strcpy(out + ll + 4 + nl, picks_one(c, args, nargs, noun, iel) ? "[0]" : "");
		return;
	}
	snprintf(out, PATH_MAX_, "%s%s", lname,
	         many && picks_one(c, args, nargs, lname, el) ? "[0]" : "");
}

/* ---- verbs and nouns ------------------------------------------------ */

static const struct { const char *verb; uint8_t kind; } verbs[] = {
	{ "Create", ALC_RM_CREATE }, { "Update", ALC_RM_UPDATE }, { "Put", ALC_RM_UPDATE },
	{ "Modify", ALC_RM_UPDATE }, { "Set", ALC_RM_UPDATE }, { "Delete", ALC_RM_DELETE },
	{ "Start", ALC_RM_OTHER }, { "Stop", ALC_RM_OTHER }, { "Reboot", ALC_RM_OTHER },
	{ "Terminate", ALC_RM_DELETE }, { "Attach", ALC_RM_UPDATE }, { "Detach", ALC_RM_UPDATE },
	{ "Add", ALC_RM_UPDATE }, { "Remove", ALC_RM_UPDATE }, { "Associate", ALC_RM_UPDATE },
	{ "Disassociate", ALC_RM_UPDATE }, { "Enable", ALC_RM_UPDATE }, { "Disable", ALC_RM_UPDATE },
	{ "Register", ALC_RM_CREATE }, { "Deregister", ALC_RM_DELETE }, { "Tag", ALC_RM_UPDATE },
	{ "Untag", ALC_RM_UPDATE }, { "Reset", ALC_RM_UPDATE }, { "Restore", ALC_RM_OTHER },
	{ "Cancel", ALC_RM_OTHER }, { "Change", ALC_RM_UPDATE }, { "Replace", ALC_RM_UPDATE },
	{ "Import", ALC_RM_CREATE }, { "Allocate", ALC_RM_CREATE }, { "Release", ALC_RM_DELETE },
	{ "Authorize", ALC_RM_UPDATE }, { "Revoke", ALC_RM_UPDATE }, { "Copy", ALC_RM_CREATE },
	{ "Upload", ALC_RM_CREATE }, { "Publish", ALC_RM_OTHER }, { "Send", ALC_RM_OTHER },
	{ "Invoke", ALC_RM_OTHER }, { "Execute", ALC_RM_OTHER }, { "Run", ALC_RM_CREATE },
	{ "Apply", ALC_RM_UPDATE }, { "Accept", ALC_RM_UPDATE }, { "Reject", ALC_RM_UPDATE },
	{ "Approve", ALC_RM_UPDATE }, { "Confirm", ALC_RM_UPDATE }, { "Rotate", ALC_RM_UPDATE },
	{ "Grant", ALC_RM_UPDATE }, { "Retire", ALC_RM_UPDATE }, { "Purge", ALC_RM_DELETE },
	{ "Flush", ALC_RM_OTHER }, { "Clear", ALC_RM_UPDATE }, { "Lock", ALC_RM_UPDATE },
	{ "Unlock", ALC_RM_UPDATE }, { "Suspend", ALC_RM_UPDATE }, { "Resume", ALC_RM_UPDATE },
	{ "Activate", ALC_RM_UPDATE }, { "Deactivate", ALC_RM_UPDATE }, { "Archive", ALC_RM_UPDATE },
	{ "Unarchive", ALC_RM_UPDATE }, { "Move", ALC_RM_UPDATE }, { "Rename", ALC_RM_UPDATE },
	{ "Link", ALC_RM_UPDATE }, { "Unlink", ALC_RM_UPDATE }, { "Assign", ALC_RM_UPDATE },
	{ "Unassign", ALC_RM_UPDATE }, { "Subscribe", ALC_RM_UPDATE }, { "Unsubscribe", ALC_RM_UPDATE },
	{ "Share", ALC_RM_UPDATE }, { "Unshare", ALC_RM_UPDATE }, { "Request", ALC_RM_CREATE },
	{ "Renew", ALC_RM_UPDATE }, { "Revert", ALC_RM_UPDATE }, { "Rollback", ALC_RM_UPDATE },
	{ "Promote", ALC_RM_UPDATE }, { "Failover", ALC_RM_OTHER }, { "Restart", ALC_RM_OTHER },
	{ "Enter", ALC_RM_OTHER }, { "Exit", ALC_RM_OTHER }, { "Export", ALC_RM_OTHER },
	{ "Submit", ALC_RM_CREATE }, { "Schedule", ALC_RM_OTHER }, { "Complete", ALC_RM_OTHER },
	{ "Abort", ALC_RM_OTHER }, { "Deprecate", ALC_RM_UPDATE }, { "Undeprecate", ALC_RM_UPDATE },
	{ "Increase", ALC_RM_UPDATE }, { "Decrease", ALC_RM_UPDATE }, { "Purchase", ALC_RM_CREATE },
	{ "Provision", ALC_RM_CREATE }, { "Deprovision", ALC_RM_DELETE }, { "Upsert", ALC_RM_UPDATE },
	{ "Merge", ALC_RM_UPDATE }, { "Pause", ALC_RM_OTHER }, { "Unpause", ALC_RM_OTHER },
	{ "Upgrade", ALC_RM_UPDATE }, { "Recover", ALC_RM_OTHER }, { "Retry", ALC_RM_OTHER },
	{ "Refresh", ALC_RM_OTHER }, { "Sync", ALC_RM_OTHER }, { "Migrate", ALC_RM_OTHER },
	{ "Disconnect", ALC_RM_UPDATE }, { "Connect", ALC_RM_UPDATE }, { "Bundle", ALC_RM_CREATE },
	{ "Reload", ALC_RM_OTHER }, { "Respond", ALC_RM_OTHER }, { "Signal", ALC_RM_OTHER },
	{ "Notify", ALC_RM_OTHER }, { "Record", ALC_RM_OTHER }, { "Report", ALC_RM_OTHER },
	{ "Generate", ALC_RM_OTHER }, { "Stage", ALC_RM_OTHER }, { "Build", ALC_RM_OTHER },
	{ "Deploy", ALC_RM_UPDATE }, { "Install", ALC_RM_UPDATE }, { "Uninstall", ALC_RM_UPDATE },
	{ "Adopt", ALC_RM_UPDATE }, { "Reimport", ALC_RM_UPDATE }, { "Reinstate", ALC_RM_UPDATE },
	{ "Verify", ALC_RM_OTHER }, { "Claim", ALC_RM_UPDATE }, { "Transfer", ALC_RM_UPDATE },
	{ "Initiate", ALC_RM_OTHER }, { "Reverse", ALC_RM_UPDATE }, { "Detect", ALC_RM_OTHER },
	{ "Acknowledge", ALC_RM_UPDATE }, { "Tag", ALC_RM_UPDATE }, { "Label", ALC_RM_UPDATE },
	{ "Unlabel", ALC_RM_UPDATE }, { "Mark", ALC_RM_UPDATE }, { "Undo", ALC_RM_UPDATE },
	{ "Override", ALC_RM_UPDATE }, { "Reorder", ALC_RM_UPDATE }, { "Extend", ALC_RM_UPDATE },
	{ "Accept", ALC_RM_UPDATE }, { "Decline", ALC_RM_UPDATE }, { "Invite", ALC_RM_CREATE },
	{ "Deny", ALC_RM_UPDATE }, { "Allow", ALC_RM_UPDATE }, { "Opt", ALC_RM_UPDATE },
};

static int upper(char ch) { return ch >= 'A' && ch <= 'Z'; }
static int lower_or_digit(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

/* Length of the verb that starts NAME at a word boundary (longest), and
 * its kind; 0 when none. */
static size_t verb_of(const char *name, uint8_t *kind)
{
	size_t best = 0;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (verbs[i].verb[0] != name[0])
			continue;
		size_t n = strlen(verbs[i].verb);
		if (n > best && strncmp(name, verbs[i].verb, n) == 0 &&
		    (name[n] == '\0' || upper(name[n]) || (name[n] >= '0' && name[n] <= '9'))) {
			best = n;
			*kind = verbs[i].kind;
		}
	}
	return best;
}

/* Word starts of NOUN: at an upper-case letter after a lower-case one or
 * a digit, and before the last capital of an acronym ("DBInstance" is
 * DB + Instance).  Returns the count (<= cap). */
static int words(const char *s, size_t len, size_t *at, int cap)
{
	int n = 0;
	for (size_t i = 0; i < len && n < cap; i++) {
		if (i == 0 || (upper(s[i]) && (lower_or_digit(s[i - 1]) ||
		                               (upper(s[i - 1]) && i + 1 < len &&
		                                s[i + 1] >= 'a' && s[i + 1] <= 'z'))))
			at[n++] = i;
	}
	return n;
}

/* Plural of a noun: ...y -> ...ies, ...s/x/ch/sh -> ...es, else ...s. */
static void plural(const char *nn, size_t len, char *out, size_t cap, int alt)
{
	const char *suf = "s";
	size_t keep = len;
	if (len >= 2 && nn[len - 1] == 'y' && !strchr("aeiou", nn[len - 2])) {
		keep = len - 1;
		suf = "ies";
	} else if (alt || (len && (nn[len - 1] == 's' || nn[len - 1] == 'x')) ||
	           (len >= 2 && nn[len - 1] == 'h' && (nn[len - 2] == 'c' || nn[len - 2] == 's'))) {
		suf = "es";
	}
	snprintf(out, cap, "%.*s%s", (int)keep, nn, suf);
}

#define MAX_VARIANTS 24
#define MAX_CANDS 40

typedef struct variant { const char *p; size_t len; } variant;

/* Nouns to try, best first: the whole noun; around a connective
 * ("RoleToInstanceProfile": InstanceProfile, Role); shorter suffixes
 * (drop leading words); shorter prefixes (drop trailing words). */
static int variants(const char *noun, size_t len, variant *out)
{
	size_t at[32];
	int nw = words(noun, len, at, 32), n = 0;
	out[n++] = (variant){ noun, len };
	static const char *const conn[] = { "To", "From", "For", "On", "In", "With", "Of", "And" };
	for (int w = 1; w < nw && n < MAX_VARIANTS - 2; w++) {
		size_t wl = (w + 1 < nw ? at[w + 1] : len) - at[w];
		for (size_t k = 0; k < sizeof conn / sizeof conn[0]; k++)
			if (strlen(conn[k]) == wl && strncmp(noun + at[w], conn[k], wl) == 0 &&
			    w + 1 < nw) {
				out[n++] = (variant){ noun + at[w + 1], len - at[w + 1] };
				out[n++] = (variant){ noun, at[w] };
			}
	}
	for (int w = 1; w < nw && n < MAX_VARIANTS; w++)
		out[n++] = (variant){ noun + at[w], len - at[w] };
	for (int w = nw - 1; w >= 1 && n < MAX_VARIANTS; w--)
		out[n++] = (variant){ noun, at[w] };
	return n;
}

/* Read names for verb VERB (NAME[0..vlen)) and noun NV, best first. */
typedef struct cand { char s[CAND_MAX_]; size_t len; } cand;

/* OUT = P A B[0..BL) C; candidates fit: nouns are < NAME_MAX_ - 40 bytes
 * and P, A, C are short constants. */
static void cat4(cand *out, const char *p, const char *a, const char *b, size_t bl,
                 const char *c)
{
	size_t pl = strlen(p), al = strlen(a), cl = strlen(c);
	memcpy(out->s, p, pl);
	memcpy(out->s + pl, a, al);
	memcpy(out->s + pl + al, b, bl);
	memcpy(out->s + pl + al + bl, c, cl);
	out->len = pl + al + bl + cl;
	out->s[out->len] = '\0';
}

/* Read names for verb NAME[0..vlen) and noun NV, best first; PRE is ""
 * or "Admin" (AdminUpdateUser -> AdminGetUser). */
static int candidates(const char *pre, const char *name, size_t vlen, variant nv,
                      cand *out)
{
	char pl[NAME_MAX_], pl2[NAME_MAX_];
	int n = 0;
	if (nv.len + 40 >= NAME_MAX_)
		return 0;
	plural(nv.p, nv.len, pl, sizeof pl, 0);
	plural(nv.p, nv.len, pl2, sizeof pl2, 1);
	size_t pll = strlen(pl), pl2l = strlen(pl2);
	int two = strcmp(pl, pl2) != 0;
	const char *p = nv.p;
	size_t L = nv.len;
#define C(verb, noun, nl, suf) do { \
		if (n < MAX_CANDS) cat4(&out[n++], pre, verb, noun, nl, suf); \
	} while (0)
	int tag = (vlen == 3 && strncmp(name, "Tag", 3) == 0) ||
	          (vlen == 5 && strncmp(name, "Untag", 5) == 0) ||
	          (strncmp(name + vlen, "Tags", 4) == 0 && !lower_or_digit(name[vlen + 4]));
	int attach = (vlen == 6 && strncmp(name, "Attach", 6) == 0) ||
	             (vlen == 6 && strncmp(name, "Detach", 6) == 0);
	int assoc = (vlen == 9 && strncmp(name, "Associate", 9) == 0) ||
	            (vlen == 12 && strncmp(name, "Disassociate", 12) == 0);
	if (tag) {
		C("ListTagsFor", p, L, "");
		C("ListTagsOf", p, L, "");
		C("List", p, L, "Tags");
		C("Get", p, L, "Tags");
		C("ListTagsForResource", "", 0, "");
		C("ListTags", "", 0, "");
		C("DescribeTags", "", 0, "");
		C("GetTags", "", 0, "");
	}
	if (attach)
		C("ListAttached", pl, pll, "");
	if (assoc) {
		C("ListAssociated", pl, pll, "");
		C("Describe", p, L, "Associations");
		C("List", p, L, "Associations");
	}
	C("Get", p, L, "");
	C("Describe", p, L, "");
	C("Describe", pl, pll, "");
	if (two) C("Describe", pl2, pl2l, "");
	C("Head", p, L, "");
	C("Get", pl, pll, "");
	C("List", pl, pll, "");
	if (two) C("List", pl2, pl2l, "");
	C("List", p, L, "");
	C("Get", p, L, "Attributes");
	C("Get", p, L, "Attribute");
	C("Describe", p, L, "Attribute");
	C("Describe", p, L, "Attributes");
	C("Get", p, L, "Configuration");
	C("Describe", p, L, "Configuration");
	C("Get", p, L, "Settings");
	C("Describe", p, L, "Settings");
	C("Get", p, L, "Policy");
	C("Get", p, L, "Details");
	C("Describe", p, L, "Details");
	C("Get", p, L, "Info");
	C("Get", p, L, "Status");
	C("Describe", p, L, "Status");
	C("BatchGet", pl, pll, "");
#undef C
	return n;
}

/* A read with nothing filled is taken only when it takes no input (the
 * account's settings), or for a create that has no identifier yet, when
 * it lists the collection (a plural name and no required member): the
 * diff then shows whether the thing already exists. */
static int no_arg_ok(const rm_ctx *c, uint32_t rop, uint8_t kind)
{
	const alc_operation *R = &c->v->ops[rop];
	const alc_shape *rs = shape_of(c, R->input);
	uint32_t real = 0;
	for (uint32_t k = 0; rs && k < rs->member_count; k++)
		real += !is_control(N(c, c->v->members[rs->first_member + k].name));
	if (!real)
		return 1;
	if (kind != ALC_RM_CREATE)
		return 0;
	const char *rn = N(c, R->name);
	size_t l = strlen(rn);
	if (!l || rn[l - 1] != 's' || (strncmp(rn, "List", 4) && strncmp(rn, "Describe", 8) &&
	                               strncmp(rn, "Get", 3)))
		return 0;
	for (uint32_t k = 0; k < rs->member_count; k++)
		if (c->v->members[rs->first_member + k].flags & ALC_M_REQUIRED)
			return 0;
	return 1;
}

/* Try read ROP for mutating MOP: 1 and *MAP filled when it takes an
 * argument.  One that takes none but may (no_arg_ok) goes to *FALLBACK
 * if that is still empty, and the search goes on: a read given an
 * identifier beats one that lists everything. */
static int try_read(const rm_ctx *c, uint32_t mop, uint32_t rop, int life,
                    const char *noun, uint8_t kind, uint8_t source, rm_map *fallback,
                    rm_map *map)
{
	if (rop == ALC_NONE || rop == mop || !is_read(c, rop))
		return 0;
	rm_arg args[MAX_ARGS];
	int n = map_args(c, mop, rop, life, noun, args);
	if (n < 0)
		return 0;
	if (n == 0) {
		if (fallback->read == ALC_NONE && no_arg_ok(c, rop, kind)) {
			fallback->read = rop;
			fallback->kind = kind;
			fallback->source = source;
			fallback->nargs = 0;
			state_path(c, rop, 1, NULL, 0, fallback->path);
		}
		return 0;
	}
	map->read = rop;
	map->kind = kind;
	map->source = source;
	map->nargs = (uint8_t)n;
	memcpy(map->args, args, (size_t)n * sizeof args[0]);
	state_path(c, rop, 0, args, n, map->path);
	return 1;
}

static int try_nouns(const rm_ctx *c, uint32_t op, const char *pre, const char *base,
                     size_t vl, const variant *vs, int nv, uint8_t kind, rm_map *fb,
                     rm_map *map);

static int by_ident_noun(const rm_ctx *c, uint32_t op, const char *pre, const char *base,
                         size_t vl, uint8_t kind, rm_map *fb, rm_map *map);

static int by_verbnoun(const rm_ctx *c, uint32_t op, rm_map *map)
{
	const alc_operation *o = &c->v->ops[op];
	const char *name = N(c, o->name);
	const char *pre = "";
	uint8_t kind = ALC_RM_OTHER;
	const char *base = name;
	if (strncmp(base, "Batch", 5) == 0 && upper(base[5]))
		base += 5;
	else if (strncmp(base, "Admin", 5) == 0 && upper(base[5])) {
		base += 5;
		pre = "Admin";
	}
	size_t vl = verb_of(base, &kind);
	if (!vl || !base[vl] || strlen(base) >= NAME_MAX_)
		return 0;
	variant vs[MAX_VARIANTS];
	int nv = variants(base + vl, strlen(base + vl), vs);
	rm_map fb;
	fb.read = ALC_NONE;
	if (try_nouns(c, op, pre, base, vl, vs, nv, kind, &fb, map) ||
	    by_ident_noun(c, op, pre, base, vl, kind, &fb, map))
		return 1;
	if (fb.read == ALC_NONE)
		return 0;
	*map = fb;
	return 1;
}

/* The noun of the operation's identifier: UpdateBrokerType takes
 * ClusterArn, so DescribeCluster shows what it changes. */
static int by_ident_noun(const rm_ctx *c, uint32_t op, const char *pre, const char *base,
                         size_t vl, uint8_t kind, rm_map *fb, rm_map *map)
{
	const alc_operation *o = &c->v->ops[op];
	const alc_shape *in = shape_of(c, o->input);
	static const char *const sufs[] = { "Identifier", "Name", "Arn", "ARN", "Id", "Url" };
	for (uint32_t k = 0; in && k < in->member_count; k++) {  /* bound: members */
		const alc_member *m = &c->v->members[in->first_member + k];
		const char *mn = N(c, m->name);
		if (!(m->flags & ALC_M_REQUIRED) || !scalar_type(type_of(c, m->target)))
			continue;
		for (size_t j = 0; j < sizeof sufs / sizeof sufs[0]; j++) {
			if (!ends_with(mn, sufs[j]) || strlen(mn) >= NAME_MAX_)
				continue;
			char nn[NAME_MAX_];
			size_t l = strlen(mn) - strlen(sufs[j]);
			memcpy(nn, mn, l);
			nn[l] = '\0';
			nn[0] = (char)toupper((unsigned char)nn[0]);
			variant one = { nn, l };
			if (try_nouns(c, op, pre, base, vl, &one, 1, kind, fb, map))
				return 1;
			break;
		}
	}
	return 0;
}

static int try_nouns(const rm_ctx *c, uint32_t op, const char *pre, const char *base,
                     size_t vl, const variant *vs, int nv, uint8_t kind, rm_map *fb,
                     rm_map *map)
{
	const alc_operation *o = &c->v->ops[op];
	cand cs[MAX_CANDS];
	for (int pass = 0; pass < (*pre ? 2 : 1); pass++) {
		for (int i = 0; i < nv; i++) {        /* bound: MAX_VARIANTS */
			int nc = candidates(pass ? "" : pre, base, vl, vs[i], cs);
			char nn[NAME_MAX_];
			snprintf(nn, sizeof nn, "%.*s", (int)vs[i].len, vs[i].p);
			for (int k = 0; k < nc; k++) {    /* bound: MAX_CANDS */
				uint32_t r = find_op(c, o->service, cs[k].s, cs[k].len);
				if (try_read(c, op, r, 0, nn, kind, ALC_RM_VERBNOUN, fb, map))
					return 1;
			}
		}
	}
	return 0;
}

static int by_lifecycle(const rm_ctx *c, uint32_t op, rm_map *map)
{
	uint32_t ri = c->res_of[op];
	if (!ri)
		return 0;
	const alc_operation *o = &c->v->ops[op];
	const cc_model *m = c->models[o->service];
	const cc_resource *r = &m->resources[ri - 1];
	uint8_t role = c->role_of[op], kind = ALC_RM_OTHER;
	switch (role) {
	case CC_LC_CREATE: kind = ALC_RM_CREATE; break;
	case CC_LC_PUT: case CC_LC_UPDATE: kind = ALC_RM_UPDATE; break;
	case CC_LC_DELETE: kind = ALC_RM_DELETE; break;
	default: verb_of(N(c, o->name), &kind); break;
	}
	const char *rd = r->life[CC_LC_READ], *ls = r->life[CC_LC_LIST];
	if (role == ROLE_COLLECTION) {
		const char *t = rd;
		rd = ls;
		ls = t;
	}
	rm_map fb;
	fb.read = ALC_NONE;
	if ((rd && try_read(c, op, find_op(c, o->service, rd, strlen(rd)), 1, r->name, kind,
	                    ALC_RM_LIFECYCLE, &fb, map)) ||
	    (ls && try_read(c, op, find_op(c, o->service, ls, strlen(ls)), 1, r->name, kind,
	                    ALC_RM_LIFECYCLE, &fb, map)))
		return 1;
	if (fb.read == ALC_NONE)
		return 0;
	*map = fb;
	return 1;
}

/* ---- overrides ------------------------------------------------------ */

typedef struct ovr {
	char *text;            /* the file, split in place */
	cJSON **consts;        /* parsed constants, to validate only */
} ovr;

static uint32_t find_service(const rm_ctx *c, const char *key)
{
	for (uint32_t s = 0; s < c->v->nsvcs; s++)    /* bound: nsvcs */
		if (strcmp(N(c, c->v->svcs[s].key), key) == 0)
			return s;
	return ALC_NONE;
}

/* Member NAME of shape S (structure), or NULL. */
static const alc_member *member_named(const rm_ctx *c, uint32_t s, const char *name, size_t len)
{
	const alc_shape *sh = shape_of(c, s);
	if (!sh || (sh->type != ALC_T_STRUCTURE && sh->type != ALC_T_UNION))
		return NULL;
	for (uint32_t k = 0; k < sh->member_count; k++) {
		const alc_member *m = &c->v->members[sh->first_member + k];
		const char *mn = N(c, m->name);
		if (strlen(mn) == len && strncmp(mn, name, len) == 0)
			return m;
	}
	return NULL;
}

/* Check a state path against the output shape: Name(.Name)* with [0]
 * after a list member.  0, or -1 with the bad part in WHY. */
static int check_path(const rm_ctx *c, uint32_t out, const char *path, char *why, size_t wc)
{
	uint32_t s = out;
	const char *p = path;
	while (*p) {                                   /* bound: strlen(path) */
		size_t n = strcspn(p, ".[");
		const alc_member *m = member_named(c, s, p, n);
		if (!m) {
			snprintf(why, wc, "state path \"%s\": no member \"%.*s\" in the read's output",
			         path, (int)n, p);
			return -1;
		}
		s = m->target;
		p += n;
		if (*p == '[') {
			if (strncmp(p, "[0]", 3) != 0 || type_of(c, s) != ALC_T_LIST) {
				snprintf(why, wc, "state path \"%s\": [0] only after a list member", path);
				return -1;
			}
			s = c->v->members[c->v->shapes[s].first_member].target;
			p += 3;
		}
		if (*p == '.')
			p++;
		else if (*p) {
			snprintf(why, wc, "state path \"%s\": expected '.' or end at \"%s\"", path, p);
			return -1;
		}
	}
	return 0;
}

static int kind_word(const char *w)
{
	static const char *const k[] = { "create", "update", "delete", "other" };
	for (int i = 0; i < 4; i++)
		if (strcmp(w, k[i]) == 0)
			return i + 1;
	return 0;
}

/* Apply FILE's lines.  Format (also in the file's header):
 *   service <TAB> operation <TAB> read <TAB> state <TAB> args [<TAB> kind]
 * separated by one or more tabs; '#' starts a comment line.  read "-"
 * removes the mapping; state "-" is the whole output; args "-" is none,
 * else space-separated TO=FROM, TO=[FROM] (wrap in a list) or TO:=JSON
 * (a constant).  kind: create, update, delete or other (default: the
 * verb's). */
static int parse_overrides(rm_ctx *c, char *text, const char *file, cc_buf *diag,
                           uint32_t *lines, uint32_t *skipped);

static int apply_overrides(rm_ctx *c, const char *file, ovr *ov, cc_buf *diag,
                           uint32_t *lines, uint32_t *skipped)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		cc_buf_printf(diag, "%s: cannot open: %s\n", file, strerror(errno));
		return AL_ENOENT;
	}
	cc_buf all = { 0 };
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		cc_buf_put(&all, chunk, got);
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		cc_buf_printf(diag, "%s: read error\n", file);
		cc_buf_free(&all);
		return AL_EIO;
	}
	cc_buf_u8(&all, 0);
	ov->text = (char *)all.p;  /* constants point into it until emitted */
	return parse_overrides(c, ov->text, file, diag, lines, skipped);
}

/* TEXT is NUL-terminated and split in place; a NUL inside ends it. */
static int parse_overrides(rm_ctx *c, char *text, const char *file, cc_buf *diag,
                           uint32_t *lines, uint32_t *skipped)
{
	int bad = 0;
	unsigned lineno = 0;
	char *save = NULL;
	char *line = text;
	while (line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char *cur = line;
		line = nl ? nl + 1 : NULL;
		cur[strcspn(cur, "\r")] = '\0';
		if (!*cur || *cur == '#' || strspn(cur, " \t") == strlen(cur))
			continue;
		char *fld[7];
		int nf = 0;
		for (char *t = strtok_r(cur, "\t", &save); t && nf < 7; t = strtok_r(NULL, "\t", &save))
			fld[nf++] = t;
#define BAD(...) do { cc_buf_printf(diag, "%s:%u: ", file, lineno); \
		cc_buf_printf(diag, __VA_ARGS__); cc_buf_printf(diag, "\n"); bad = 1; goto next; } while (0)
		if (nf < 5 || nf > 6)
			BAD("expected 5 or 6 tab-separated fields (service, operation, read, state, args[, kind]), found %d", nf);
		uint32_t svc = find_service(c, fld[0]);
		if (svc == ALC_NONE) {
			/* a service this catalog does not hold (--services, test
			 * models); tests/readmap checks every line against the
			 * full corpus, so a misspelt key does not go unnoticed */
			(*skipped)++;
			goto next;
		}
		uint32_t mop = find_op(c, svc, fld[1], strlen(fld[1]));
		if (mop == ALC_NONE && c->shipped) {
			(*skipped)++;  /* models of another revision */
			goto next;
		}
		if (mop == ALC_NONE)
			BAD("%s has no operation \"%s\"", fld[0], fld[1]);
		if (is_read(c, mop))
			BAD("%s:%s is a read; only mutating operations have a read mapping", fld[0], fld[1]);
		int kind = 0;
		if (nf == 6 && !(kind = kind_word(fld[5])))
			BAD("kind \"%s\" is not create, update, delete or other", fld[5]);
		(*lines)++;
		rm_map *map = &c->maps[mop];
		if (strcmp(fld[2], "-") == 0) {
			map->read = ALC_NONE;
			goto next;
		}
		uint32_t rop = find_op(c, svc, fld[2], strlen(fld[2]));
		if (rop == ALC_NONE && c->shipped) {
			(*lines)--;    /* counted above, not applied */
			(*skipped)++;
			goto next;
		}
		if (rop == ALC_NONE)
			BAD("%s has no operation \"%s\"", fld[0], fld[2]);
		if (!is_read(c, rop))
			BAD("%s:%s is not a read operation", fld[0], fld[2]);
		const alc_operation *M = &c->v->ops[mop], *R = &c->v->ops[rop];
		rm_map nm;
		memset(&nm, 0, sizeof nm);
		nm.read = rop;
		nm.source = ALC_RM_OVERRIDE;
		if (!kind) {
			uint8_t k = ALC_RM_OTHER;
			if (map->read != ALC_NONE)
				k = map->kind;
			else
				verb_of(N(c, M->name), &k);
			kind = k;
		}
		nm.kind = (uint8_t)kind;
		if (strcmp(fld[3], "-") != 0) {
			char why[300];
			if (strlen(fld[3]) >= PATH_MAX_)
				BAD("state path longer than %d bytes", PATH_MAX_ - 1);
			if (check_path(c, R->output, fld[3], why, sizeof why))
				BAD("%s", why);
			snprintf(nm.path, sizeof nm.path, "%s", fld[3]);
		}
		if (strcmp(fld[4], "-") != 0) {
			char *s2 = NULL;
			for (char *a = strtok_r(fld[4], " ", &s2); a; a = strtok_r(NULL, " ", &s2)) {
				if (nm.nargs == MAX_ARGS)
					BAD("more than %d arguments", MAX_ARGS);
				char *eq = strchr(a, '=');
				if (!eq || eq == a)
					BAD("argument \"%s\": expected TO=FROM, TO=[FROM] or TO:=JSON", a);
				int cst = eq[-1] == ':';
				*(cst ? eq - 1 : eq) = '\0';
				const char *to = a, *from = eq + 1;
				const alc_member *tm = member_named(c, R->input, to, strlen(to));
				if (!tm)
					BAD("%s:%s has no input member \"%s\"", fld[0], fld[2], to);
				rm_arg *g = &nm.args[nm.nargs];
				g->to = tm->name;
				if (cst) {
					cJSON *j = cJSON_Parse(from);
					if (!j)
						BAD("argument %s: constant is not JSON: %s", to, from);
					cJSON_Delete(j);
					g->flags = ALC_RMA_CONST;
					g->ctext = from;
				} else {
					size_t fl = strlen(from);
					if (fl > 2 && from[0] == '[' && from[fl - 1] == ']') {
						g->flags = ALC_RMA_LIST;
						from++;
						fl -= 2;
					}
					const alc_member *fm = member_named(c, M->input, from, fl);
					if (!fm)
						BAD("%s:%s has no input member \"%.*s\"", fld[0], fld[1], (int)fl, from);
					g->from = fm->name;
				}
				nm.nargs++;
			}
		}
		*map = nm;
next:;
#undef BAD
	}
	return bad ? AL_EINVAL : 0;
}

int cc_readmap_check_overrides(const alc_catalog *v, const char *buf, size_t len,
                               const char *name, cc_buf *diag)
{
	rm_ctx c = { v, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 };
	c.maps = cc_xcalloc(v->nops + 1, sizeof *c.maps);
	for (uint32_t i = 0; i < v->nops; i++)
		c.maps[i].read = ALC_NONE;
	optab_build(&c);
	char *text = cc_xmalloc(len + 1);
	memcpy(text, buf, len);
	text[len] = '\0';
	uint32_t lines = 0, skipped = 0;
	int rc = parse_overrides(&c, text, name, diag, &lines, &skipped);
	free(text);
	free(c.maps);
	free(c.optab);
	return rc;
}

/* ---- output --------------------------------------------------------- */

typedef struct etab {
	uint64_t *hash;
	uint32_t *at;          /* word index + 1; 0 empty */
	size_t slots;
} etab;

static uint32_t add_entry(etab *t, cc_buf *out, const uint32_t *w, size_t nw, uint32_t *entries)
{
	uint64_t h = XXH3_64bits(w, nw * 4);
	size_t i = (size_t)h & (t->slots - 1);
	while (t->at[i]) {                          /* bound: slots, load <= 1/2 */
		const uint32_t *e = (const uint32_t *)out->p + (t->at[i] - 1);
		if (t->hash[i] == h && ALC_RM_ENTRY_WORDS(e[1] >> ALC_RM_HIGH_SHIFT) == nw &&
		    memcmp(e, w, nw * 4) == 0)
			return t->at[i] - 1;
		i = (i + 1) & (t->slots - 1);
	}
	uint32_t at = (uint32_t)(out->len / 4);
	cc_buf_put(out, w, nw * 4);
	t->hash[i] = h;
	t->at[i] = at + 1;
	(*entries)++;
	return at;
}

int cc_readmap_emit(const alc_catalog *v, cc_model *const *models, size_t nmodels,
                    const char *overrides, int shipped, cc_pool *pool,
                    cc_buf *out, uint32_t *words_out, cc_buf *diag, FILE *report,
                    cc_readmap_stats *st)
{
	rm_ctx c = { v, models, nmodels, NULL, NULL, NULL, NULL, 0, shipped };
	memset(st, 0, sizeof *st);
	c.maps = cc_xcalloc(v->nops + 1, sizeof *c.maps);
	c.res_of = cc_xcalloc(v->nops + 1, sizeof *c.res_of);
	c.role_of = cc_xcalloc(v->nops + 1, 1);
	for (uint32_t i = 0; i < v->nops; i++)
		c.maps[i].read = ALC_NONE;
	optab_build(&c);

	/* operations bound to resources: a lifecycle binding before an
	 * instance one (a parent often lists its children's operations),
	 * then the first in file order */
	for (uint32_t s = 0; s < v->nsvcs && s < nmodels; s++) {
		const cc_model *m = models[s];
		for (int role = 0; role <= ROLE_COLLECTION; role++) {
			for (uint32_t r = 0; r < m->nresources; r++) {
				const cc_resource *res = &m->resources[r];
				const char *const *names;
				uint32_t n;
				if (role < CC_LC_COUNT) {
					if (role == CC_LC_READ || role == CC_LC_LIST)
						continue;
					names = &res->life[role];
					n = res->life[role] ? 1 : 0;
				} else if (role == ROLE_INSTANCE) {
					names = res->ops;
					n = res->nops;
				} else {
					names = res->coll;
					n = res->ncoll;
				}
				for (uint32_t k = 0; k < n; k++) {
					uint32_t op = find_op(&c, s, names[k], strlen(names[k]));
					if (op != ALC_NONE && !c.res_of[op]) {
						c.res_of[op] = r + 1;
						c.role_of[op] = (uint8_t)role;
					}
				}
			}
		}
	}

	for (uint32_t i = 0; i < v->nops; i++) {        /* bound: nops */
		if (is_read(&c, i))
			continue;
		/* A lifecycle binding names the resource's own read.  An
		 * instance or collection binding often sits on a parent (the
		 * farm lists its storage profiles' operations): the verb and
		 * noun find the child's read first, the parent's is the
		 * fallback. */
		if (c.res_of[i] && c.role_of[i] < CC_LC_COUNT) {
			if (!by_lifecycle(&c, i, &c.maps[i]))
				by_verbnoun(&c, i, &c.maps[i]);
		} else if (!by_verbnoun(&c, i, &c.maps[i])) {
			by_lifecycle(&c, i, &c.maps[i]);
		}
	}

	ovr ov = { NULL, NULL };
	int rc = 0;
	if (overrides)
		rc = apply_overrides(&c, overrides, &ov, diag, &st->override_lines,
		                     &st->override_skipped);

	if (!rc) {
		/* Everything that reads strings through v first: v->strs moves
		 * when the pool grows, so interning comes after. */
		uint32_t nops = v->nops;
		uint8_t *rd = cc_xcalloc(nops + 1, 1);
		for (uint32_t i = 0; i < nops; i++) {
			rd[i] = (uint8_t)(is_read(&c, i) != 0);
			if (rd[i])
				continue;
			st->mutating++;
			if (c.maps[i].read == ALC_NONE) {
				if (report) {
					const alc_operation *o = &v->ops[i];
					fprintf(report, "%s\t%s\n", v->strs + v->svcs[o->service].key,
					        v->strs + o->name);
				}
				continue;
			}
			st->mapped++;
			st->by_source[c.maps[i].source]++;
		}
		etab t;
		t.slots = 64;
		while (t.slots < (size_t)nops * 2)
			t.slots <<= 1;
		t.hash = cc_xcalloc(t.slots, sizeof *t.hash);
		t.at = cc_xcalloc(t.slots, sizeof *t.at);
		for (uint32_t i = 0; i < nops; i++) {
			rm_map *m = &c.maps[i];
			if (rd[i] || m->read == ALC_NONE) {
				words_out[i] = ALC_NONE;
				continue;
			}
			uint32_t w[ALC_RM_ENTRY_WORDS(MAX_ARGS)];
			w[0] = m->read;
			w[1] = cc_intern_cstr(pool, m->path) | (uint32_t)m->nargs << ALC_RM_HIGH_SHIFT;
			for (uint32_t a = 0; a < m->nargs; a++) {
				w[2 + 2 * a] = m->args[a].ctext ? cc_intern_cstr(pool, m->args[a].ctext)
				                                : m->args[a].from;
				w[3 + 2 * a] = m->args[a].to | m->args[a].flags << ALC_RM_HIGH_SHIFT;
			}
			uint32_t at = add_entry(&t, out, w, ALC_RM_ENTRY_WORDS(m->nargs), &st->entries);
			words_out[i] = ALC_RM_PACK(at, m->kind, m->source);
		}
		free(rd);
		/* string offsets share their word with a count or flags */
		if (pool->data.len > ALC_RM_STR_MASK) {
			cc_buf_printf(diag, "airlock-compile: the string pool (%zu bytes) is too large "
			              "for READMAP; no read mappings written\n", pool->data.len);
			out->len = 0;
			for (uint32_t i = 0; i < nops; i++)
				words_out[i] = ALC_NONE;
		}
		free(t.hash);
		free(t.at);
	}
	free(ov.text);
	free(c.maps);
	free(c.res_of);
	free(c.role_of);
	free(c.optab);
	return rc;
}
