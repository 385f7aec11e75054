#!/usr/bin/env bash
# quickstart.sh -- the README's first command: install what airlock needs,
# build it, get the AWS models, compile them into one catalog and, once the
# runtime exists, serve it.
#
#   scripts/quickstart.sh
#   AIRLOCK_MODELS=/path/to/api-models-aws[:/more/models] scripts/quickstart.sh
#
# Where the models come from, first match wins:
#   1. AIRLOCK_MODELS: one or more directories separated by ':';
#   2. the pinned revision of aws/api-models-aws (catalogs/models.lock),
#      downloaded once into the cache (AIRLOCK_CACHE, default
#      ${XDG_CACHE_HOME:-~/.cache}/airlock) and reused from there;
#   3. ../shared/api-models-aws (+ ../shared/models-derived) beside the
#      checkout, the developers' copy of the same revision.
#
# Environment:
#   AIRLOCK_MODELS    model directories, ':'-separated (skips the download)
#   AIRLOCK_CATALOG   where to write the catalog (default catalogs/aws.alc)
#   AIRLOCK_CACHE     download cache directory
#   AIRLOCK_MODELS_URL where to download the pinned archive from (a mirror);
#                     default https://codeload.github.com/<repository>/tar.gz/<commit>
#   AIRLOCK_JOBS      parallel build jobs (default: number of CPUs)
#
# When stdin is not a terminal (an MCP client started this script) and the
# runtime is built, the script ends by exec'ing `airlock serve`, so all of its
# own output goes to stderr: stdout belongs to the protocol.
set -euo pipefail

caller_pwd=$PWD # relative paths in the environment are the caller's
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

exec 3>&1 1>&2 # keep stdout clean for `airlock serve`; see above
log() { printf 'quickstart: %s\n' "$*" >&2; }
die() { printf 'quickstart: error: %s\n' "$*" >&2; exit 1; }

jobs=${AIRLOCK_JOBS:-$(nproc 2>/dev/null || echo 2)}
catalog=${AIRLOCK_CATALOG:-$root/catalogs/aws.alc}
[[ $catalog == /* ]] || catalog=$caller_pwd/$catalog
compiler=$root/build/compiler/airlock-compile
runtime=$root/build/runtime/airlock

# -- 1. dependencies and build ----------------------------------------------
"$root/scripts/setup-deps.sh"
log "building in build/ (-j$jobs)"
cmake -S "$root" -B "$root/build" >/dev/null
cmake --build "$root/build" -j"$jobs"
[[ -x $compiler ]] || die "build/compiler/airlock-compile was not built (is compiler/cc_main.c there yet?)"

# -- 2. models --------------------------------------------------------------
# Reads one "key = value" line of catalogs/models.lock.
lock_get() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p" \
		"$root/catalogs/models.lock" | head -n 1
}

# Downloads and unpacks the pinned revision into the cache, once, and sets
# pinned_dir.  Returns 1 when the download fails (no network: the caller
# explains); any other failure is fatal.  Runs in an `if`, where set -e is
# off, so every step checks for itself.
fetch_pinned() {
	local repo commit sha cache dest url got
	repo=$(lock_get repository)
	commit=$(lock_get commit)
	sha=$(lock_get archive_sha256)
	[[ -n $repo && -n $commit ]] || die "catalogs/models.lock names no repository/commit"
	cache=${AIRLOCK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock}
	dest=$cache/models/${repo//\//-}-$commit
	if [[ -d $dest ]]; then
		log "models: $repo@${commit:0:12} from the cache ($dest)"
		pinned_dir=$dest
		return 0
	fi
	url=${AIRLOCK_MODELS_URL:-https://codeload.github.com/$repo/tar.gz/$commit}
	mkdir -p "$cache/models" || die "cannot create $cache/models"
	fetch_tmp=$(mktemp -d "$cache/models/.fetch.XXXXXX") || die "cannot write to $cache/models"
	trap 'rm -rf "$fetch_tmp"' EXIT
	log "models: downloading $repo@${commit:0:12} ($url)"
	local progress=(-sS)
	[[ -t 2 ]] && progress=(--progress-bar)
	curl -fL --connect-timeout 15 --retry 2 "${progress[@]}" \
		-o "$fetch_tmp/models.tar.gz" "$url" || { rm -rf "$fetch_tmp"; return 1; }
	got=$(sha256sum "$fetch_tmp/models.tar.gz" | cut -d' ' -f1) || die "sha256sum failed"
	if [[ -n $sha ]]; then
		[[ $got == "$sha" ]] || die "archive SHA-256 is $got, catalogs/models.lock pins $sha"
	else
		log "models: archive SHA-256 $got (not pinned yet in catalogs/models.lock)"
	fi
	{ mkdir "$fetch_tmp/tree" &&
		tar -xzf "$fetch_tmp/models.tar.gz" -C "$fetch_tmp/tree" --strip-components=1 \
			--no-same-owner --no-same-permissions; } ||
		die "cannot unpack the models archive"
	# Atomic: $dest exists only once it is complete.
	mv "$fetch_tmp/tree" "$dest" || die "cannot move the models into $dest"
	rm -rf "$fetch_tmp"
	pinned_dir=$dest
}

# The archive carries no SOURCE file: name the pin in the catalog's source
# manifest (when this compiler takes --source/--revision).
pin_manifest_args() {
	"$compiler" --help 2>&1 | grep -q -- --revision || return 0
	models+=(--source "$(lock_get repository)" --revision "$(lock_get commit)")
}

models=()
if [[ -n ${AIRLOCK_MODELS:-} ]]; then
	IFS=: read -r -a dirs <<<"$AIRLOCK_MODELS"
	for d in "${dirs[@]}"; do
		[[ -n $d ]] || continue
		[[ $d == /* ]] || d=$caller_pwd/$d
		[[ -d $d ]] || die "AIRLOCK_MODELS: $d is not a directory"
		models+=(--models "$d")
	done
	((${#models[@]})) || die "AIRLOCK_MODELS is set but names no directory"
	log "models: from AIRLOCK_MODELS ($AIRLOCK_MODELS)"
elif fetch_pinned; then
	models=(--models "$pinned_dir")
	pin_manifest_args
elif [[ -d $root/../shared/api-models-aws ]]; then
	shared=$(cd "$root/../shared" && pwd)
	log "models: no network; using the copy in $shared"
	models=(--models "$shared/api-models-aws")
	# That copy lacks EC2; models-derived carries it.
	[[ -d $shared/models-derived ]] && models+=(--models "$shared/models-derived")
else
	die "could not download the AWS models (no network?).
  Point AIRLOCK_MODELS at a local copy of https://github.com/aws/api-models-aws
  (one or more directories, separated by ':') and run again:
    AIRLOCK_MODELS=/path/to/api-models-aws scripts/quickstart.sh"
fi

# -- 3. compile the catalog -------------------------------------------------
mkdir -p "$(dirname "$catalog")"
log "compiling $catalog"
"$compiler" build "${models[@]}" -o "$catalog"
"$compiler" info "$catalog"

# -- 4. serve ---------------------------------------------------------------
if [[ ! -x $runtime ]]; then
	log "catalog ready: $catalog"
	log "the runtime (airlock serve) is not built yet: it is coming (see README, 'What is not done yet')"
	exit 0
fi
if [[ ! -t 0 ]]; then
	exec 1>&3 3>&-
	exec "$runtime" serve --catalog "$catalog"
fi
cat >&3 <<EOF

Catalog ready: $catalog
To use it, add airlock to your MCP client's configuration, e.g.:

{
  "mcpServers": {
    "airlock": {
      "command": "$runtime",
      "args": ["serve", "--catalog", "$catalog"]
    }
  }
}

or serve it by hand: $runtime serve --catalog $catalog
EOF
