/*
 * fuzz_sync_text.c -- libFuzzer target for the text that `airlock-compile
 * sync` reads from outside: catalogs/models.lock and the cache's metadata
 * files (compiler/cc_lock.c), and the GitHub API's commit answer
 * (cc_sync_parse_commit in compiler/cc_sync.c).
 *
 * Input: one selector byte, then the text.  Selector % 3:
 *   0  lock: parse; when it parses, rewrite the same text with the parsed
 *      values (what --update and --record-digest do) and parse the result:
 *      it must parse to the same values;
 *   1  metadata: parse; when it parses, format and parse again: the same
 *      values (the round trip the cache relies on);
 *   2  the API answer: parse; when it parses, the sha is 40 hex digits and
 *      the date YYYY-MM-DD.
 * Pass condition: never crash, never leak, and the invariants above
 * (abort() otherwise).  Seeds: tests/fuzz/corpus/sync_text/, written by
 * tests/sync/make_seeds.py.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cc_lock.h"
#include "cc_sync.h"
#include "cc_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	char err[512];
	switch (data[0] % 3) {
	case 0: {
		cc_lock l, l2;
		if (cc_lock_parse(text, len, "fuzz", &l, err, sizeof err) != 0)
			break;
		cc_buf out = { 0 };
		cc_lock_rewrite(text, len, &l, &out);
		if (cc_lock_parse(out.p ? (const char *)out.p : "", out.len, "fuzz", &l2, err,
		                  sizeof err) != 0 || memcmp(&l, &l2, sizeof l) != 0)
			abort();
		cc_buf_free(&out);
		break;
	}
	case 1: {
		cc_meta m, m2;
		if (cc_meta_parse(text, len, "fuzz", &m, err, sizeof err) != 0)
			break;
		cc_buf out = { 0 };
		cc_meta_format(&m, &out);
		if (cc_meta_parse((const char *)out.p, out.len, "fuzz", &m2, err, sizeof err) != 0 ||
		    memcmp(&m, &m2, sizeof m) != 0)
			abort();
		cc_buf_free(&out);
		break;
	}
	default: {
		char sha[41], date[11];
		if (cc_sync_parse_commit(text, len, sha, date, err, sizeof err) != 0)
			break;
		if (strlen(sha) != 40 || strlen(date) != 10 || date[4] != '-' || date[7] != '-')
			abort();
		break;
	}
	}
	return 0;
}
