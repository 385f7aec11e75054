#!/bin/sh
# npm_ci.sh DIR -- installs DIR/package-lock.json into DIR/node_modules with
# `npm ci --prefer-offline` (the ctest fixture mcp.npm).  A second run with
# the same lock file is a no-op: the lock that was installed is kept beside
# node_modules and compared first.
set -eu
dir=$1
cd "$dir"
if [ -d node_modules ] && cmp -s package-lock.json node_modules/.airlock-installed-lock; then
	echo "npm_ci.sh: node_modules is up to date"
	exit 0
fi
npm ci --prefer-offline --no-audit --no-fund
cp package-lock.json node_modules/.airlock-installed-lock
