#!/bin/sh
# golden.sh -- the server's golden transcript: JSON-RPC requests in, the
# exact replies out.
#
#   golden.sh AIRLOCK CATALOG DIR           compare (the ctest mcp.golden)
#   golden.sh AIRLOCK CATALOG DIR --update  rewrite DIR/expected.jsonl
#
# DIR/requests.jsonl is fed to `AIRLOCK serve --catalog CATALOG` on stdin as
# one file (so the server reads ahead and sees every cancellation before it
# answers the request it names); stdout must equal DIR/expected.jsonl line
# for line, stderr must be empty (stdout is for protocol messages only, and
# nothing here is worth a log line), and the exit status 0 (end of input).
# Review a --update diff before committing it: it is the protocol.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: golden.sh AIRLOCK CATALOG DIR [--update]" >&2
	exit 2
fi
airlock=$1 catalog=$2 dir=$3 update=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
AIRLOCK_DEBUG= "$airlock" serve --catalog "$catalog" <"$dir/requests.jsonl" \
	>"$work/out.jsonl" 2>"$work/err.txt" || status=$?

if [ "$update" = --update ]; then
	cp "$work/out.jsonl" "$dir/expected.jsonl"
	echo "golden.sh: wrote $dir/expected.jsonl ($(wc -l <"$work/out.jsonl") lines)"
fi

fail=0
if [ "$status" -ne 0 ]; then
	echo "golden.sh: airlock serve exited with status $status" >&2
	fail=1
fi
if [ -s "$work/err.txt" ]; then
	echo "golden.sh: airlock serve wrote to stderr:" >&2
	cat "$work/err.txt" >&2
	fail=1
fi
if ! diff -u "$dir/expected.jsonl" "$work/out.jsonl" >"$work/diff.txt"; then
	echo "golden.sh: replies differ from $dir/expected.jsonl (- expected, + got):" >&2
	cat "$work/diff.txt" >&2
	echo "golden.sh: if the change is intended: $0 $airlock $catalog $dir --update" >&2
	fail=1
fi
[ "$fail" -eq 0 ] && echo "golden.sh: $(wc -l <"$work/out.jsonl") replies match"
exit "$fail"
