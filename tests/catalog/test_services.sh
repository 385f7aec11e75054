#!/bin/sh
# test_services.sh COMPILER API_MODELS_AWS WORKDIR
#
# `build --models DIR` finds the same models `sync` keeps: a checkout that
# carries one of the repository's internal test services (here a copy of
# sqs under models/trebuchet-test) builds a catalog without it, in either
# layout, and the same model under its own name is kept.
set -u
cc=$1 models=$2 work=$3
rm -rf "$work"
fail=0
for layout in root models; do
	dir=$work/$layout
	base=$dir
	[ "$layout" = models ] && base=$dir/models
	mkdir -p "$base" || exit 1
	cp -r "$models/sqs" "$base/sqs" && cp -r "$models/sqs" "$base/trebuchet-test" || exit 1
	if ! "$cc" build --no-cache --models "$dir" -o "$work/$layout.alc" >"$work/out" 2>&1; then
		echo "FAIL ($layout): build failed:"; cat "$work/out"; fail=1; continue
	fi
	n=$("$cc" info "$work/$layout.alc" | awk '$1 == "services" && NF == 2 { print $2 }')
	if [ "$n" != 1 ]; then
		echo "FAIL ($layout): $n services, want 1 (sqs only)"; fail=1
	fi
	if ! "$cc" dump "$work/$layout.alc" sqs >/dev/null 2>&1; then
		echo "FAIL ($layout): no sqs in the catalog"; fail=1
	fi
done
[ $fail = 0 ] && echo "test_services.sh: ok"
exit $fail
