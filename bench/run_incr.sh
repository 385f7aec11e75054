#!/bin/sh
# bench/run_incr.sh -- incremental builds (compiler/cc_part.c): a full
# rebuild of the corpus against a rebuild after one model changed, both as
# a user runs them (whole process, bench_exec), and the byte-identity check
# of the incremental catalog against a full build of the same models.
#
#   bench/run_incr.sh
#
# bench/run.sh runs it after the catalog figures, on its build.
#
# Method: the corpus is copied to a temporary directory (so one model can
# be changed) and built once into an empty cache (the cold build, which
# writes every part).  Then, BENCH_RUNS times each, medians:
#   full         airlock-compile build --no-cache (every model parsed)
#   incremental  one model changed (a space appended: a new digest), then
#                airlock-compile build with the cache: that model parsed,
#                every other one read from its part
# for a small model (sts) and for the largest (ec2, models-derived).  The shell that
# appends the space is inside the timed command (~1 ms).  Finally the
# last incremental catalog is compared byte for byte with a --no-cache
# build of the same tree.
#
# Environment (all optional):
#   AIRLOCK_SHARED   models root, default ../shared beside the repository
#   BENCH_BUILD_DIR  build tree, default <repo>/build-bench
#   BENCH_JOBS       build jobs, default 2
#   BENCH_RUNS       runs per figure (median), 5
#   BENCH_STRICT     1: exit status 1 when a figure misses its target
#
# Target: an incremental rebuild after one model changed takes well under
# half of a full rebuild (< 0.5x), and its catalog is byte-identical.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${AIRLOCK_SHARED:-$ROOT/../shared}
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
JOBS=${BENCH_JOBS:-2}
RUNS=${BENCH_RUNS:-5}

for d in "$SHARED/api-models-aws" "$SHARED/models-derived"; do
	if [ ! -d "$d" ]; then
		echo "bench/run_incr.sh: $d: no such directory (set AIRLOCK_SHARED)" >&2
		exit 1
	fi
done

mkdir -p "$BUILD"
LOG=$BUILD/bench-incr-build.log
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
       cmake --build "$BUILD" -j "$JOBS" --target airlock-compile bench_exec; } >"$LOG" 2>&1; then
	tail -30 "$LOG" >&2
	echo "bench/run_incr.sh: build failed (log: $LOG)" >&2
	exit 1
fi
COMPILE=$BUILD/compiler/airlock-compile
B=$BUILD/bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/airlock-bench-incr.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
cp -r "$SHARED/api-models-aws" "$TMP/m1"
cp -r "$SHARED/models-derived" "$TMP/m2"
chmod -R u+w "$TMP"
CACHE=$TMP/cache
OUT=$TMP/incr.alc
load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(load)

# one model file of a service folder, in either layout
model_of() {
	for d in "$TMP/m1" "$TMP/m1/models" "$TMP/m2" "$TMP/m2/models"; do
		ls "$d/$1"/service/*/*.json 2>/dev/null || true
	done | head -n 1
}
SMALL=$(model_of sts)
LARGE=$(model_of ec2)
if [ -z "$SMALL" ] || [ -z "$LARGE" ]; then
	echo "bench/run_incr.sh: sts or ec2 model not found under $SHARED" >&2
	exit 1
fi

# the cold build: every model parsed, every part written
"$COMPILE" build --models "$TMP/m1" --models "$TMP/m2" --cache "$CACHE" --timings \
	-o "$OUT" 2>"$TMP/cold.txt" >/dev/null
"$B/bench_exec" -n "$RUNS" -w 1 -- "$COMPILE" build --models "$TMP/m1" \
	--models "$TMP/m2" --no-cache -o "$TMP/full.alc" >"$TMP/full.kv"
for which in small large; do
	if [ $which = small ]; then f=$SMALL; else f=$LARGE; fi
	"$B/bench_exec" -n "$RUNS" -w 1 -- sh -c 'printf " " >>"$0"; exec "$1" build \
		--models "$2" --models "$3" --cache "$4" -o "$5"' \
		"$f" "$COMPILE" "$TMP/m1" "$TMP/m2" "$CACHE" "$OUT" >"$TMP/$which.kv"
done
# the phases and part counts of one more incremental build (ec2 changed)
printf ' ' >>"$LARGE"
"$COMPILE" build --models "$TMP/m1" --models "$TMP/m2" --cache "$CACHE" --timings \
	-o "$OUT" 2>"$TMP/phases.txt" >/dev/null
"$COMPILE" build --models "$TMP/m1" --models "$TMP/m2" --no-cache -o "$TMP/check.alc" \
	>/dev/null 2>&1
if cmp -s "$OUT" "$TMP/check.alc"; then SAME=1; else SAME=0; fi
LOAD_AFTER=$(load)

kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
row() { printf '  %-34s %-24s %-22s %s\n' "$1" "$2" "$3" "$4"; }
NMISS=0
verdict() {
	if [ "$(awk "BEGIN { print ($1 $2 $3) ? 1 : 0 }")" = 1 ]; then V=PASS
	else V=MISS; NMISS=$((NMISS + 1)); fi
}

full=$(kv "$TMP/full.kv" wall_ms_median)
small=$(kv "$TMP/small.kv" wall_ms_median)
large=$(kv "$TMP/large.kv" wall_ms_median)
echo "incremental builds -- $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average before" \
     "$LOAD_BEFORE, after $LOAD_AFTER"
row FIGURE VALUE TARGET RESULT
row "full rebuild, --no-cache (median)" "$full ms" "-" info
r=$(calc %.2f "$small / $full")
verdict "$r" '<' 0.5
row "incremental, sts changed (median)" "$small ms (${r}x, $(calc %.1f "$full / $small")x faster)" "< 0.5x full" "$V"
r=$(calc %.2f "$large / $full")
verdict "$r" '<' 0.5
row "incremental, ec2 changed (median)" "$large ms (${r}x, $(calc %.1f "$full / $large")x faster)" "< 0.5x full" "$V"
if [ $SAME = 1 ]; then V=PASS; else V=MISS; NMISS=$((NMISS + 1)); fi
row "incremental == full, byte for byte" "$([ $SAME = 1 ] && echo identical || echo DIFFERENT)" "identical" "$V"
echo "  runs (ms): full $(sed -n 's/^wall_ms_[0-9]*=//p' "$TMP/full.kv" | tr '\n' ' ')" \
     "/ sts $(sed -n 's/^wall_ms_[0-9]*=//p' "$TMP/small.kv" | tr '\n' ' ')" \
     "/ ec2 $(sed -n 's/^wall_ms_[0-9]*=//p' "$TMP/large.kv" | tr '\n' ' ')"
echo "  CPU (user+sys, medians): full $(calc %.0f "$(kv "$TMP/full.kv" user_ms_median) + $(kv "$TMP/full.kv" sys_ms_median)") ms," \
     "incremental (ec2) $(calc %.0f "$(kv "$TMP/large.kv" user_ms_median) + $(kv "$TMP/large.kv" sys_ms_median)") ms"
echo "  cold build (writes every part): $(sed -n 's/^timings: //p' "$TMP/cold.txt")"
echo "  incremental build, ec2 changed: $(sed -n 's/^parts: //p' "$TMP/phases.txt")"
echo "                                  $(sed -n 's/^timings: //p' "$TMP/phases.txt")"
echo "  parts: $(ls "$CACHE/parts" | wc -l) files, $(du -sk "$CACHE/parts" | cut -f1) KiB"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$NMISS" -gt 0 ]; then
	exit 1
fi
exit 0
