#!/bin/sh
# check_bad.sh -- a bad policy's errors against its golden file.
#
#   check_bad.sh COMPILER CATALOG NAME            compare (ctest policy.bad.NAME)
#   check_bad.sh COMPILER CATALOG NAME --update   rewrite bad/NAME.stderr
#
# Runs `COMPILER policy check --catalog CATALOG bad/NAME.yaml` from this
# directory (so messages name bad/NAME.yaml), which must exit 1 with
# exactly bad/NAME.stderr on stderr and nothing on stdout.
set -u
cc=$1 catalog=$2 name=$3 update=${4:-}
cd "$(dirname "$0")" || exit 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
"$cc" policy check --catalog "$catalog" "bad/$name.yaml" >"$work/out" 2>"$work/err" ||
	status=$?
if [ "$update" = --update ]; then
	cp "$work/err" "bad/$name.stderr"
	echo "check_bad.sh: wrote bad/$name.stderr"
fi
fail=0
if [ "$status" -ne 1 ]; then
	echo "check_bad.sh: exit status $status, want 1" >&2
	fail=1
fi
if [ -s "$work/out" ]; then
	echo "check_bad.sh: unexpected stdout:" >&2
	cat "$work/out" >&2
	fail=1
fi
if ! diff -u "bad/$name.stderr" "$work/err" >&2; then
	echo "check_bad.sh: if intended: $0 $cc $catalog $name --update" >&2
	fail=1
fi
exit "$fail"
