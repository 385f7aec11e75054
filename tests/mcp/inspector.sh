#!/bin/sh
# inspector.sh NODE_DIR AIRLOCK CATALOG -- the MCP Inspector's CLI
# (`npx @modelcontextprotocol/inspector --cli`, installed in NODE_DIR by
# mcp.npm) lists airlock's tools and calls one.  The catalog goes through
# AIRLOCK_CATALOG because the Inspector has a --catalog option of its own.
set -u
node_dir=$1 airlock=$2 catalog=$3
cd "$node_dir" || exit 1
fail=0
out=$(npx --no-install @modelcontextprotocol/inspector --cli -e "AIRLOCK_CATALOG=$catalog" \
	--method tools/list -- "$airlock" serve) || fail=1
for tool in search_operations describe_operation validate_input; do
	case $out in
	*"\"name\": \"$tool\""*) ;;
	*) echo "inspector.sh: tools/list lacks $tool" >&2; fail=1 ;;
	esac
done
call=$(npx --no-install @modelcontextprotocol/inspector --cli -e "AIRLOCK_CATALOG=$catalog" \
	--method tools/call --tool-name describe_operation \
	--tool-arg service=widgets operation=delete-widget -- "$airlock" serve) || fail=1
case $call in
*'"operation": "DeleteWidget"'*) ;;
*) echo "inspector.sh: tools/call describe_operation did not answer DeleteWidget" >&2; fail=1 ;;
esac
if [ "$fail" -ne 0 ]; then
	printf '%s\n%s\n' "$out" "$call" | head -80 >&2
	exit 1
fi
echo "inspector.sh: the Inspector CLI lists the 3 tools and calls describe_operation"
