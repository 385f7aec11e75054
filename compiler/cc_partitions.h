/*
 * cc_partitions.h -- compiles the AWS partitions table (botocore's
 * data/partitions.json layout, shipped as catalogs/partitions.json) into
 * the catalog's PARTITIONS section (formats/alc_partitions.h).
 */
#ifndef CC_PARTITIONS_H
#define CC_PARTITIONS_H

#include <stddef.h>

#include "cc_util.h"

/* Encode the partitions table JSON[0, LEN) (read from FILE, used in
 * messages) and append the section to OUT (8-aligned on return).  Strings
 * are interned into POOL.  The result is checked with alc_partitions_check
 * before returning.  Returns 0, or AL_EJSON / AL_EMODEL after adding
 * "FILE: JSON-PATH: message" lines to DIAG; OUT is then unchanged. */
int cc_partitions_encode(const char *json, size_t len, const char *file,
                         cc_pool *pool, cc_buf *out, cc_buf *diag);

/* Read FILE and encode it as above; AL_EIO / AL_ENOENT when unreadable. */
int cc_partitions_load(const char *file, cc_pool *pool, cc_buf *out,
                       cc_buf *diag);

/* Where the default table is: $AIRLOCK_PARTITIONS, SOURCE_DIR
 * /catalogs/partitions.json, then ../share/airlock/partitions.json beside
 * the running binary.  NULL when none is readable.  The result points to
 * static storage. */
const char *cc_partitions_default_path(const char *source_dir);

#endif
