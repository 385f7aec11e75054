/*
 * cc_risk.h -- what the compiler infers about an operation for the policy:
 * its access (read or write), its risk level, and where its input carries
 * tags.  Pure functions of the catalog records (the compiler's view of the
 * catalog being built, or an opened catalog), so `build` and the policy
 * tests see the same answers.
 *
 * Risk (policy/README.md states the same rules for policy authors):
 *   low       a read (alc_op_is_read: the readonly trait or a read verb)
 *   critical  a write to IAM, KMS, Organizations, IAM Identity Center
 *             (sso-admin, identitystore) or Account; a write to an
 *             account-level setting (the words Account + Setting(s) /
 *             Configuration / Policy / Attributes / Preferences / Default,
 *             PublicAccessBlock, ...ByDefault, EbsDefaultKmsKeyId,
 *             SerialConsoleAccess, BlockPublicAccess); a mass deletion (a
 *             destructive verb after Batch, "...All...", DeleteObjects)
 *   high      a destructive verb: Delete, Terminate, Remove, Detach,
 *             Revoke, Purge, Disable, Deregister, Disassociate, Dissociate,
 *             Destroy, Drop, Erase, Reset, Release, Deactivate, Unassign,
 *             Deauthorize, Abort, Close, Suspend, Unsubscribe (after an
 *             optional Admin or Batch prefix)
 *   medium    any other write (Create, Update, Put, Modify, Start, Stop,
 *             Tag, Untag, ...)
 *
 * Tags: a top-level input member named (in any case) Tags, TagList,
 * TagsList, ResourceTags, Tagging, TagSpecification(s), whose shape is a
 * map, a list of structures with key and value members (Key/Value,
 * key/value, TagKey/TagValue), a list of structures holding such a Tags
 * member (EC2 TagSpecifications), a structure holding a TagSet list (S3
 * Tagging), or, for Tagging, a string of URL-encoded k=v pairs (S3's
 * x-amz-tagging header).  Reads and destructive operations (Untag*,
 * Delete*, Remove* ...) carry no tags to require.
 */
#ifndef CC_RISK_H
#define CC_RISK_H

#include <stddef.h>
#include <stdint.h>

#include "alc_policy.h"
#include "alc_reader.h"

/* Risk level (enum alc_risk) of operation OP of CAT; *WRITE (may be NULL)
 * receives its access: 1 write, 0 read. */
unsigned cc_risk_of(const alc_catalog *cat, const alc_operation *op,
                    int *write);

/* One place an input carries tags: path steps (member name and
 * ALC_SEG_* kind), the collection's kind and, for lists, the member names
 * of key and value. */
#define CC_TAGLOC_MAX_SEGS 2
typedef struct cc_tagloc {
	uint32_t nsegs;
	const char *seg_name[CC_TAGLOC_MAX_SEGS];   /* catalog strings */
	uint32_t seg_kind[CC_TAGLOC_MAX_SEGS];
	uint32_t kind;                              /* ALC_TL_* */
	const char *key_name, *value_name;          /* "" unless ALC_TL_LIST */
} cc_tagloc;

/* The tag locations of OP's input, at most CAP into OUT, in member
 * order; returns how many were found (may exceed CAP). */
size_t cc_tag_locations(const alc_catalog *cat, const alc_operation *op,
                        cc_tagloc *out, size_t cap);

#endif
