/*
 * cc_names.h -- AWS CLI names for services and operations, so that the
 * catalog can be searched the way users type commands
 * (`aws logs ...`, `aws s3api list-objects-v2`).
 *
 * Services: the CLI command is botocore's data-folder name, which is the
 * Smithy sdkId lower-cased with spaces turned into '-' except for ~60
 * services listed in catalogs/cli-names.tsv (generated from botocore by
 * catalogs/gen-cli-names.py; S3 -> s3api, CloudWatch Logs -> logs, SFN ->
 * stepfunctions, ...).  Sdk-ids the table lacks use that default rule.
 *
 * Operations: the CLI command is botocore.xform_name(op, '-'), reproduced
 * here byte for byte (tests/names checks every operation of the corpus
 * against botocore itself).
 *
 * Threads: call cc_names_load once before starting workers; afterwards the
 * lookups only read the table and may run concurrently.  cc_cli_op_name
 * has no state at all.
 */
#ifndef CC_NAMES_H
#define CC_NAMES_H

#include <stddef.h>

#include "cc_util.h"

/* Load the sdk-id -> CLI name table from PATH (format: see the header of
 * catalogs/cli-names.tsv: '#' comment lines, blank lines, and
 * "sdk-id<TAB>cli-name" rows; a trailing CR is tolerated).  Replaces any
 * table loaded before, but only on success.
 *
 * @param[in]  path  the TSV file
 * @param[out] diag  receives one "PATH:LINE: message" line per problem
 *                   ("PATH: message" for I/O errors); every bad line is
 *                   reported, not just the first
 * @return 0; AL_ENOENT if PATH does not exist, AL_EIO if it cannot be read;
 *         AL_EINVAL for a malformed row (wrong field count, empty field,
 *         leading/trailing blanks, a CLI name outside [a-z0-9.-]);
 *         AL_EDUP if an sdk-id appears twice.  On error the previous table
 *         (or none) stays in effect. */
int cc_names_load(const char *path, cc_buf *diag);

/* Drop the loaded table (lookups fall back to the default rule). */
void cc_names_free(void);

/* Number of rows in the loaded table (0 if none). */
size_t cc_names_count(void);

/* The AWS CLI service command for SDK_ID: the table's entry, else the
 * default rule (ASCII lower-case, ' ' -> '-').  Writes it NUL-terminated
 * into BUF and returns BUF; returns NULL (BUF untouched if CAP is 0,
 * otherwise BUF = "") when it does not fit in CAP bytes -- never a
 * truncated name.  64 bytes is ample for every AWS service. */
const char *cc_cli_service_name(const char *sdk_id, char *buf, size_t cap);

/* botocore.xform_name(OP, '-'), i.e. the AWS CLI operation command:
 * ListObjectsV2 -> list-objects-v2, DescribeDBInstances ->
 * describe-db-instances, ListWebACLs -> list-web-acls,
 * CreateCachediSCSIVolume -> create-cached-iscsi-volume (botocore's
 * prepopulated exceptions).  A name that already contains '-' is returned
 * unchanged, as botocore does.
 *
 * snprintf contract: writes at most CAP bytes including the NUL (nothing if
 * CAP is 0) and returns the length of the full name, so a return >= CAP
 * means truncation.  The result is at most 2*strlen(OP)+1 bytes long.
 * Exact for ASCII names without '\n' (every Smithy identifier); other bytes
 * are copied unchanged where Python would apply Unicode lower-casing. */
size_t cc_cli_op_name(const char *op, char *out, size_t cap);

#endif
