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
#      synced by `airlock-compile sync` into the cache (AIRLOCK_CACHE,
#      default ${XDG_CACHE_HOME:-~/.cache}/airlock): downloaded once,
#      verified against the lock's archive_sha256, reused from there;
#   3. ../shared/api-models-aws (+ ../shared/models-derived) beside the
#      checkout, the developers' copy of the same revision.
#
# Environment:
#   AIRLOCK_MODELS    model directories, ':'-separated (skips the download)
#   AIRLOCK_CATALOG   where to write the catalog (default catalogs/aws.alc)
#   AIRLOCK_CACHE     download cache directory
#   AIRLOCK_MODELS_URL a mirror of the pinned archive: a base URL (.../<repository>
#                     /tar.gz/<commit> is added), a template with {repository}
#                     and {commit}, or the full URL of the pinned commit's archive;
#                     default https://codeload.github.com
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

# Syncs the pinned revision into the cache with `airlock-compile sync`
# (downloaded once, checked against the lock's SHA-256, resumed when cut
# off); the build then reads the synced models.  Returns 1 when the network
# cannot be reached (sync's exit status 4: the caller falls back); any
# other failure is fatal.
sync_pinned() {
	local args=() rc=0
	if [[ -z $(lock_get archive_sha256) ]]; then
		# The lock was written offline: trust this first download and record
		# its digest in catalogs/models.lock (sync says so loudly).
		log "models: catalogs/models.lock has no archive_sha256 yet; recording the digest of this download (trust on first use)"
		args+=(--record-digest)
	fi
	"$compiler" sync ${args[@]+"${args[@]}"} || rc=$?
	case $rc in
	0) return 0 ;;
	4) return 1 ;;
	*) die "airlock-compile sync failed (exit $rc); see its message above" ;;
	esac
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
elif sync_pinned; then
	models=() # build reads the synced models (and their SOURCE: the pin)
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
"$compiler" build ${models[@]+"${models[@]}"} -o "$catalog"
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
