#!/bin/sh
# check_policy_doc.sh -- formats/POLICY-FORMAT.md against formats/alc_policy.h,
# with bench/check_format_doc.py (every struct's offset table, every ALC_*
# constant named with a value).  That checker reads "alc_format.h" and
# "FORMAT.md" under ROOT/formats, so it runs on a scratch tree holding the
# layout part of alc_policy.h (up to its accessors) under that name.
#
#   check_policy_doc.sh REPO
set -eu
repo=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/formats" "$work/bench"
{
	sed -e "s|#include \"alc_format.h\"|#include \"$repo/formats/alc_format.h\"|" \
	    -e '/---- access to a checked section/,$d' "$repo/formats/alc_policy.h"
	echo '#endif'
} >"$work/formats/alc_format.h"
cp "$repo/formats/alc_reader.h" "$work/formats/alc_reader.h"
cp "$repo/formats/POLICY-FORMAT.md" "$work/formats/FORMAT.md"
cp "$repo/bench/check_format_doc.py" "$work/bench/"
status=0
python3 "$work/bench/check_format_doc.py" "$work" >"$work/out" 2>&1 || status=$?
sed 's/FORMAT\.md/POLICY-FORMAT.md/g; s/alc_format\.h/alc_policy.h/g' "$work/out"
exit "$status"
