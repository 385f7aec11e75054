#!/bin/sh
# cli.sh -- the command line for people (runtime/rt_cli.c) on the widgets
# test catalog: outputs, exit statuses, catalog selection, and failing
# closed on a missing, truncated, corrupt or wrong-version catalog.
#
#   cli.sh AIRLOCK CATALOG
set -u

if [ $# -ne 2 ]; then
	echo "usage: cli.sh AIRLOCK CATALOG" >&2
	exit 2
fi
airlock=$1 cat=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset AIRLOCK_CATALOG AIRLOCK_DEBUG
failures=0 checks=0

# run EXPECTED-STATUS COMMAND...: runs it with stdout/stderr captured in
# $work/out and $work/err; records a failure on any other status.
run() {
	want=$1
	shift
	checks=$((checks + 1))
	got=0
	"$@" >"$work/out" 2>"$work/err" || got=$?
	if [ "$got" -ne "$want" ]; then
		failures=$((failures + 1))
		echo "FAIL: exit $got, want $want: $*" >&2
		sed 's/^/  stdout: /' "$work/out" | head -20 >&2
		sed 's/^/  stderr: /' "$work/err" | head -20 >&2
	fi
}

# has FILE TEXT: the last run's out/err contains TEXT (fixed string).
has() {
	checks=$((checks + 1))
	if ! grep -qF -- "$2" "$work/$1"; then
		failures=$((failures + 1))
		echo "FAIL: $1 lacks: $2" >&2
		sed "s/^/  $1: /" "$work/$1" | head -20 >&2
	fi
}

empty() {
	checks=$((checks + 1))
	if [ -s "$work/$1" ]; then
		failures=$((failures + 1))
		echo "FAIL: $1 is not empty:" >&2
		sed "s/^/  $1: /" "$work/$1" | head -20 >&2
	fi
}

# -- help, version, usage errors (exit 2, before any catalog is opened)
run 0 "$airlock" --version
has out "airlock "
has out "2026-07-28"
run 0 "$airlock" help
has out "airlock serve"
has out "aws.alc"
run 2 "$airlock"
has err "usage"
run 2 "$airlock" frobnicate
has err "unknown command"
run 2 "$airlock" search --catalog /nonexistent
has err "QUERY"
run 2 "$airlock" describe widgets --catalog "$cat"
run 2 "$airlock" validate widgets CreateWidget --catalog "$cat"
has err "--input"
run 2 "$airlock" search widget --limit 0 --catalog "$cat"
run 2 "$airlock" search widget --access sometimes --catalog "$cat"
run 2 "$airlock" serve extra --catalog "$cat"
run 2 "$airlock" describe widgets x --bogus --catalog "$cat"
has err "unknown option --bogus"

# -- describe: the sdk-id, the key, Smithy and CLI operation names
run 0 "$airlock" describe widgets delete-widget --catalog "$cat"
has out "airlock-widgets:DeleteWidget"
has out "http: DELETE /widgets/{WidgetId} -> 204"
has out "idempotent"
run 0 "$airlock" describe "Airlock Widgets" DeleteWidget --catalog="$cat"
has out "airlock-widgets:DeleteWidget"
run 0 "$airlock" describe airlock-widgets list-widgets --catalog "$cat"
has out "paginated: input token NextToken, output token NextToken, items Widgets, page size MaxResults"
has out "read-only"
run 0 "$airlock" describe widgets CreateWidget --catalog "$cat"
has out "idempotency token: ClientToken"
has out "input:"
run 0 "$airlock" describe widgets describe-account --json --catalog "$cat"
has out '"inputSchema"'
has out '"operation": "DescribeAccount"'
run 1 "$airlock" describe widgets DeleteWidgit --catalog "$cat"
has err "Did you mean: DeleteWidget"
run 1 "$airlock" describe widgetz DeleteWidget --catalog "$cat"
has err "Did you mean: airlock-widgets"

# -- search
run 0 "$airlock" search widget --catalog "$cat"
has out "airlock-widgets:"
run 0 "$airlock" search widgets --service widgets --limit 2 --json --catalog "$cat"
has out '"results"'
run 1 "$airlock" search widget --service nope --catalog "$cat"
has err "unknown service"

# -- validate: inline, @file, @- (stdin); exit 0 valid, 1 invalid, 2 bad JSON
run 0 "$airlock" validate widgets CreateWidget --input '{"Name":"blue-one"}' --catalog "$cat"
has out "valid"
run 1 "$airlock" validate widgets CreateWidget --input '{}' --catalog "$cat"
has out "violation"
has out "required"
printf '{"Name":"blue-one"}' >"$work/in.json"
run 0 "$airlock" validate widgets create-widget --input "@$work/in.json" --catalog "$cat"
run 1 sh -c "printf '{}' | \"\$0\" validate widgets CreateWidget --input @- --json --catalog \"\$1\"" "$airlock" "$cat"
has out '"valid": false'
run 2 "$airlock" validate widgets CreateWidget --input '{"Name":' --catalog "$cat"
has err "not valid JSON"
run 2 "$airlock" validate widgets CreateWidget --input "@$work/missing.json" --catalog "$cat"
run 1 "$airlock" validate widgets NoSuchOp --input '{}' --catalog "$cat"

# -- catalog selection: --catalog, then $AIRLOCK_CATALOG, then the XDG path
run 0 env AIRLOCK_CATALOG="$cat" "$airlock" describe widgets DeleteWidget
mkdir -p "$work/xdg/airlock" "$work/home/.local/share/airlock"
cp "$cat" "$work/xdg/airlock/aws.alc"
cp "$cat" "$work/home/.local/share/airlock/aws.alc"
run 0 env XDG_DATA_HOME="$work/xdg" HOME=/nonexistent "$airlock" describe widgets DeleteWidget
run 0 env -u XDG_DATA_HOME HOME="$work/home" "$airlock" describe widgets DeleteWidget
run 3 env -u XDG_DATA_HOME HOME="$work/nohome" "$airlock" describe widgets DeleteWidget
has err "$work/nohome/.local/share/airlock/aws.alc"
has err "airlock-compile build"

# -- fail closed: every command, and serve before reading anything
run 3 "$airlock" serve --catalog "$work/missing.alc"
has err "$work/missing.alc"
has err "no such file"
empty out
head -c 1000 "$cat" >"$work/trunc.alc"
run 3 "$airlock" serve --catalog "$work/trunc.alc"
has err "$work/trunc.alc"
has err "truncated"
empty out
# flip one byte in the body: the checksum catches it
size=$(wc -c <"$cat")
cp "$cat" "$work/flip.alc"
printf '\377' | dd of="$work/flip.alc" bs=1 seek=$((size - 9)) conv=notrunc 2>/dev/null
run 3 "$airlock" describe widgets DeleteWidget --catalog "$work/flip.alc"
has err "checksum"
# serve on a file it has not verified before checks all of it first: the
# flipped catalog is refused before anything is answered
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cli.sh","version":"1"}}}'
inited='{"jsonrpc":"2.0","method":"notifications/initialized"}'
call='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"describe_operation","arguments":{"service":"widgets","operation":"DeleteWidget"}}}'
ping='{"jsonrpc":"2.0","id":4,"method":"ping"}'
serve4() { # serve4 CATALOG: initialize, initialized, a tool call, a ping
	run "$1" sh -c "printf '%s\n' \"\$2\" \"\$3\" \"\$4\" \"\$5\" | \"\$0\" serve --catalog \"\$1\"" \
		"$airlock" "$2" "$init" "$inited" "$call" "$ping"
}
export AIRLOCK_CACHE="$work/cache"
serve4 3 "$work/flip.alc"
has err "checksum"
has err "fail closed"
empty out
checks=$((checks + 1))
if [ -n "$(ls -A "$work/cache/verified" 2>/dev/null)" ]; then
	failures=$((failures + 1))
	echo "FAIL: a stamp was written for a catalog that failed its checks" >&2
fi
# a good one is verified, answered, and stamped (rt_stamp.h) ...
cp "$cat" "$work/good.alc"
serve4 0 "$work/good.alc"
has out '"id":3,"result"'
has out '"id":4,"result"'
# stamp FILE: the name of FILE's verification stamp, from stat and the
# header's checksum (offsets 32 and 40, u64 LE)
stamp() {
	_ck=$(od -An -tx8 -j32 -N16 "$1" | tr -s ' ' '\n' | grep -v '^$' | tac | tr -d '\n')
	_mt=$(stat -c %.9Y "$1" | tr -d .) _ct=$(stat -c %.9Z "$1" | tr -d .)
	echo "v1-$(stat -c %d "$1")-$(stat -c %i "$1")-$(stat -c %s "$1")-$_mt-$_ct-$_ck"
}
checks=$((checks + 1))
if [ ! -f "$work/cache/verified/$(stamp "$work/good.alc")" ]; then
	failures=$((failures + 1))
	echo "FAIL: no stamp $(stamp "$work/good.alc") in: $(ls "$work/cache/verified" 2>&1)" >&2
fi
# ... and served again at once, the checks running on a thread that the
# tool call waits for: the same replies
cp "$work/out" "$work/out.first"
serve4 0 "$work/good.alc"
checks=$((checks + 1))
if ! cmp -s "$work/out" "$work/out.first"; then
	failures=$((failures + 1))
	echo "FAIL: a stamped catalog was served differently" >&2
fi
# a stamp that vouches for a file that has gone bad since (forged here:
# a real one never matches a changed file): the handshake may be answered
# first, but the tool call gets an error, not a result, the server stops
# with status 3 and the reason, and the stamp is gone
touch "$work/cache/verified/$(stamp "$work/flip.alc")"
serve4 3 "$work/flip.alc"
has err "checksum"
has err "fail closed"
has out '"id":3,"error":{"code":-32603'
checks=$((checks + 1))
if grep -qF '"id":3,"result"' "$work/out" || grep -qF '"id":4' "$work/out" ||
   [ -f "$work/cache/verified/$(stamp "$work/flip.alc")" ]; then
	failures=$((failures + 1))
	echo "FAIL: serve on a corrupt catalog answered a tool call, went on, or kept its stamp" >&2
fi
# a session that never calls a tool: the verdict still decides the exit
touch "$work/cache/verified/$(stamp "$work/flip.alc")"
run 3 sh -c "printf '%s\n' \"\$2\" | \"\$0\" serve --catalog \"\$1\"" "$airlock" "$work/flip.alc" "$init"
has err "checksum"
# and a client that stays quiet: the server stops by itself (its input is
# a FIFO held open for writing, so it never ends; `timeout` would exit 124)
touch "$work/cache/verified/$(stamp "$work/flip.alc")"
mkfifo "$work/fifo"
run 3 sh -c 'exec 3<>"$2"; printf "%s\n" "$3" >&3; exec timeout 20 "$0" serve --catalog "$1" <"$2"' \
	"$airlock" "$work/flip.alc" "$work/fifo" "$init"
has err "checksum"
unset AIRLOCK_CACHE
# a reader version newer than this reader (header offset 14, u16 LE)
cp "$cat" "$work/ver.alc"
printf '\143\000' | dd of="$work/ver.alc" bs=1 seek=14 conv=notrunc 2>/dev/null
run 3 "$airlock" serve --catalog "$work/ver.alc"
has err "version"
empty out
printf 'not a catalog at all, but long enough to have a header...........................................................................\n' >"$work/text.alc"
run 3 "$airlock" search x --catalog "$work/text.alc"
has err "bad magic"
run 3 "$airlock" serve --catalog "$work"
has err "$work"

# -- serve: exits 0 at end of input, stdout only for protocol messages
run 0 sh -c "\"\$0\" serve --catalog \"\$1\" </dev/null" "$airlock" "$cat"
empty out
empty err
run 0 sh -c "printf '%s\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}' | \"\$0\" serve --catalog \"\$1\"" "$airlock" "$cat"
has out '{"jsonrpc":"2.0","id":1,"result":{}}'
empty err

echo "cli.sh: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
