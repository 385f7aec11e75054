#!/usr/bin/env bash
# test.sh -- the README's second command and what CI runs (.ci/run): install
# the dependencies, then build and test every configuration CI checks:
#
#   build-ci/normal  -DAIRLOCK_WERROR=ON, RelWithDebInfo
#   build-ci/asan    -DAIRLOCK_WERROR=ON -DAIRLOCK_SANITIZE=ON, Debug,
#                    with leak detection and abort on the first error
#   build-ci/fuzz    clang, -DAIRLOCK_FUZZ=ON: the fuzz targets only, each
#                    run briefly (only when the tree has fuzz targets)
#
# Every configuration is tried even when an earlier one fails; the summary at
# the end lists each step, and the exit status is non-zero if any failed.
#
# Environment:
#   AIRLOCK_SHARED          the shared test data (default: ../shared beside the
#                           repository); tests that need it fail, not skip
#   AIRLOCK_REQUIRE_SHARED  default 1; 0 lets those tests skip instead
#   AIRLOCK_JOBS            build and ctest parallelism (default: CPUs)
#   AIRLOCK_CI_CONFIGS      configurations to run (default "normal asan fuzz")
#   AIRLOCK_FUZZ_SECONDS    how long each fuzz target runs (default 10; 0: build only)
#   AIRLOCK_CI_CLEAN=1      start each configuration from an empty directory
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2

log() { printf '\n== %s\n' "$*"; }
ulimit -c 0 # abort_on_error below must not litter the tree with cores

"$root/scripts/setup-deps.sh" || { echo "test.sh: installing dependencies failed" >&2; exit 1; }

# Tests find the shared data through AIRLOCK_SHARED (read by CMake and by the
# tests themselves); make it absolute so it holds from any directory.
shared=${AIRLOCK_SHARED:-$(dirname "$root")/shared}
if [[ -d $shared ]]; then
	shared=$(cd "$shared" && pwd)
fi
export AIRLOCK_SHARED=$shared
export AIRLOCK_REQUIRE_SHARED=${AIRLOCK_REQUIRE_SHARED:-1}
if [[ $AIRLOCK_REQUIRE_SHARED == 1 && ! -d $AIRLOCK_SHARED ]]; then
	echo "test.sh: the shared test data is not at $AIRLOCK_SHARED" >&2
	echo "test.sh: set AIRLOCK_SHARED to its directory (or AIRLOCK_REQUIRE_SHARED=0 to skip those tests)" >&2
	exit 2
fi

jobs=${AIRLOCK_JOBS:-$(nproc 2>/dev/null || echo 2)}
configs=${AIRLOCK_CI_CONFIGS:-normal asan fuzz}
fuzz_seconds=${AIRLOCK_FUZZ_SECONDS:-10}

# An empty suite is fine while the project is young; once any test area
# exists, finding no tests means the suite is broken.
if compgen -G "$root/tests/*/tests.cmake" >/dev/null; then
	no_tests=error
else
	no_tests=ignore
fi

summary=()
failed=0
# step NAME COMMAND... -- runs a step, times it, and records the result.
step() {
	local name=$1 start rc
	shift
	log "$name"
	start=$SECONDS
	"$@"
	rc=$?
	if ((rc == 0)); then
		summary+=("$(printf 'ok    %-28s %4ds' "$name" $((SECONDS - start)))")
	else
		summary+=("$(printf 'FAIL  %-28s %4ds  (exit %d)' "$name" $((SECONDS - start)) "$rc")")
		failed=1
	fi
	return "$rc"
}

# configure_build NAME CMAKE-ARGS... -- (re)configures build-ci/NAME and
# builds all of it.
configure_build() {
	local name=$1 dir=$root/build-ci/$1
	shift
	[[ ${AIRLOCK_CI_CLEAN:-0} == 1 ]] && rm -rf "$dir"
	step "$name: configure" cmake -S "$root" -B "$dir" "$@" &&
		step "$name: build" cmake --build "$dir" -j"$jobs"
}

run_ctest() {
	local name=$1 dir=$root/build-ci/$1 count
	count=$(ctest --test-dir "$dir" -N 2>/dev/null | sed -n 's/^Total Tests: //p')
	step "$name: ctest (${count:-?} tests)" ctest --test-dir "$dir" --output-on-failure \
		-j"$jobs" --no-tests="$no_tests"
}

for config in $configs; do
	case $config in
	normal)
		configure_build normal -DAIRLOCK_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
			run_ctest normal
		;;
	asan)
		# Sanitizer settings for this configuration only (set before the
		# build too: a build step may run an instrumented tool).  The
		# caller's own settings come after ours, so they win.
		saved_asan=${ASAN_OPTIONS-} saved_ubsan=${UBSAN_OPTIONS-}
		export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:disable_coredump=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${saved_asan:+:$saved_asan}"
		export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1${saved_ubsan:+:$saved_ubsan}"
		configure_build asan -DAIRLOCK_WERROR=ON -DAIRLOCK_SANITIZE=ON \
			-DCMAKE_BUILD_TYPE=Debug &&
			run_ctest asan
		ASAN_OPTIONS=$saved_asan UBSAN_OPTIONS=$saved_ubsan
		[[ -n $saved_asan ]] || unset ASAN_OPTIONS
		[[ -n $saved_ubsan ]] || unset UBSAN_OPTIONS
		;;
	fuzz)
		# Cheap by design: only the fuzz targets are built, and only when the
		# tree has any (a fuzz/ directory somewhere) and clang is present.
		if ! command -v clang >/dev/null 2>&1; then
			summary+=("skip  fuzz (no clang)")
			continue
		fi
		if [[ -z $(find "$root" \( -path "$root/build*" -o -name .git -o -name node_modules \) \
			-prune -o -type d -name fuzz -print -quit) ]]; then
			summary+=("skip  fuzz (no fuzz targets yet)")
			continue
		fi
		dir=$root/build-ci/fuzz
		[[ ${AIRLOCK_CI_CLEAN:-0} == 1 ]] && rm -rf "$dir"
		step "fuzz: configure" cmake -S "$root" -B "$dir" -DCMAKE_C_COMPILER=clang \
			-DAIRLOCK_WERROR=ON -DAIRLOCK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo ||
			continue
		# fuzz_* targets, less the plain replay tools (fuzz_*_replay) that
		# the normal test run already uses.
		mapfile -t targets < <(cmake --build "$dir" --target help 2>/dev/null |
			sed -n 's/^\.\.\. \(fuzz_[A-Za-z0-9_]*\).*/\1/p' | grep -v '_replay$')
		if ((${#targets[@]} == 0)); then
			summary+=("skip  fuzz (no fuzz_* targets in the build)")
			continue
		fi
		step "fuzz: build ${#targets[@]} targets" \
			cmake --build "$dir" -j"$jobs" --target "${targets[@]}" || continue
		if ((fuzz_seconds > 0)); then
			for t in "${targets[@]}"; do
				bin=$(find "$dir" -type f -name "$t" -perm -u+x -print -quit)
				# Only libFuzzer binaries take -max_total_time.
				if [[ -z $bin ]] || ! grep -qa max_total_time "$bin"; then
					continue
				fi
				# Run in a scratch dir (libFuzzer writes crash-* files to its
				# working directory) with a scratch corpus first, so that new
				# inputs never land in the tree's seed corpus, if it has one.
				work=$dir/run/$t
				mkdir -p "$work/corpus"
				seeds=()
				while IFS= read -r d; do seeds+=("$d"); done < <(find "$root" \
					\( -path "$root/build*" -o -name .git \) -prune -o -type d \
					-path '*corpus*' \( -name "$t" -o -name "${t#fuzz_}" \) -print)
				step "fuzz: $t ${fuzz_seconds}s" \
					env -C "$work" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
					"$bin" -max_total_time="$fuzz_seconds" -print_final_stats=1 \
					"$work/corpus" "${seeds[@]}"
			done
		fi
		;;
	*)
		summary+=("FAIL  unknown configuration '$config'")
		failed=1
		;;
	esac
done

printf '\n== summary (AIRLOCK_SHARED=%s)\n' "$AIRLOCK_SHARED"
printf '%s\n' "${summary[@]}"
if ((failed)); then
	printf 'test.sh: FAILED\n'
	exit 1
fi
printf 'test.sh: all passed\n'
