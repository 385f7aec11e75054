#!/bin/sh
# make_seeds.sh BIN SHARED -- (re)write tests/fuzz/corpus/part/: the parts
# of tests/catalog/tiny and edge and of the three smallest AWS models with
# an endpoint rule set, in both --docs modes.  Run by hand after a change
# to the part layout (CC_PART_VERSION); the seeds are committed.
set -eu
bin=$1 shared=$2
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../fuzz/corpus/part
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/models"
cp -r "$here/../catalog/tiny/"* "$here/../catalog/edge/"* "$tmp/models/"
n=0
for f in $(ls -S -r "$shared"/api-models-aws/models/*/service/*/*.json \
                    "$shared"/api-models-aws/*/service/*/*.json 2>/dev/null); do
	grep -q 'smithy.rules#endpointRuleSet' "$f" || continue
	rel=${f#"$shared"/api-models-aws/}
	rel=${rel#models/}
	mkdir -p "$tmp/models/$(dirname "$rel")"
	cp "$f" "$tmp/models/$rel"
	n=$((n + 1))
	[ $n -lt 3 ] || break
done
for docs in summary full; do
	"$bin" build --no-policy --models "$tmp/models" --docs $docs --cache "$tmp/cache" \
		-o "$tmp/x.alc"
done
rm -f "$out"/*.part
i=0
for p in $(ls -S -r "$tmp"/cache/parts/*.part); do
	i=$((i + 1))
	cp "$p" "$out/seed-$i.part"
	chmod 644 "$out/seed-$i.part"
done
echo "wrote $i seeds to $out"
