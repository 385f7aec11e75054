/*
 * fuzz_sync_archive.c -- libFuzzer target for the archive checks of
 * `airlock-compile sync` (compiler/cc_unpack.c over libarchive): any bytes,
 * read as an archive from memory, are either refused with a message or
 * accepted, and never crash, leak or hang.  Small limits (1 MiB per entry,
 * 8 MiB in all, 10000 entries) keep each input's work bounded.
 *
 * The check runs without a destination (cc_unpack_mem with DEST NULL):
 * every entry is checked and its data read exactly as when unpacking, but
 * nothing is written.  When an archive is accepted, its counts must add
 * up (every entry was a model, skipped, a test service or a directory).
 * Seeds: tests/fuzz/corpus/sync_archive/ (good archives in both layouts,
 * tar.gz/tar/zip, and one of each refused kind), written by
 * tests/sync/make_seeds.py.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cc_unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cc_unpack_opts o = { 1u << 20, 8u << 20, 10000 };
	cc_unpack_stats st;
	char err[1024];
	int rc = cc_unpack_mem(data, size, NULL, &o, &st, err, sizeof err);
	if (rc == 0 && (st.models == 0 || st.models + st.skipped + st.test_services > st.entries))
		abort();
	if (rc != 0 && !err[0])
		abort();
	return 0;
}
