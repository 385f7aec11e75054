#!/usr/bin/env bash
# setup-deps.sh -- install the Debian 12 packages that airlock needs to build,
# run and test.  Called by quickstart.sh and test.sh; safe to run again.
#
# It asks dpkg first and touches apt only when a package is missing, so a
# repeated run is instant and needs no network; on a fresh machine it runs
# `apt-get update` and installs everything.
#
# Environment:
#   AIRLOCK_SKIP_DEPS=1   do nothing (you manage the packages yourself)
set -euo pipefail

log() { printf 'setup-deps: %s\n' "$*" >&2; }

if [[ ${AIRLOCK_SKIP_DEPS:-0} == 1 ]]; then
	log "AIRLOCK_SKIP_DEPS=1: not checking packages"
	exit 0
fi

# Why each package is here:
#   build-essential cmake pkg-config  the C11 build (gcc carries ASan/UBSan)
#   clang libclang-rt-14-dev          libFuzzer targets (AIRLOCK_FUZZ=ON)
#   libcjson-dev                      Smithy JSON AST models, MCP JSON-RPC
#   libxxhash-dev                     catalog checksums and hashed indexes
#   libbearssl-dev                    SHA-256 / HMAC (SigV4, digests)
#   liblmdb-dev                       plans, approvals, audit log
#   libyaml-dev libpcre2-dev          policy files, policy and @pattern regexes
#   libcurl4-openssl-dev              AWS calls, model sync
#   libexpat1-dev                     the XML protocols (restXml, query, ec2Query)
#   libarchive-dev                    unpacking the models archive
#   git ca-certificates curl          fetching the pinned models over HTTPS
packages=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libcjson-dev libxxhash-dev libbearssl-dev liblmdb-dev libyaml-dev
	libpcre2-dev libcurl4-openssl-dev libexpat1-dev libarchive-dev
	git ca-certificates curl
)

# python3 and node drive some tests.  The machines may carry their own
# (pyenv's python3 with boto3/moto, Node 20): use whatever is on PATH and
# install Debian's only when there is none, never over the top of them.
command -v python3 >/dev/null 2>&1 || packages+=(python3)
if node_version=$(node --version 2>/dev/null); then
	log "using node ${node_version} from $(command -v node)"
else
	packages+=(nodejs npm)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	log "no dpkg-query: not a Debian system; install the equivalents of:"
	log "  ${packages[*]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	log "all ${#packages[@]} packages present"
	exit 0
fi

log "installing: ${missing[*]}"
sudo=()
if ((EUID != 0)); then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		log "not root and no sudo: install these packages as root, then run again"
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# Another apt run (unattended-upgrades on a fresh machine) may hold the lock
# for a while; wait for it rather than fail.
apt_opts=(-q -o DPkg::Lock::Timeout=300)
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get "${apt_opts[@]}" install -y "${missing[@]}"
log "installed ${#missing[@]} packages"
