#!/usr/bin/env python3
"""read_pages.py AIRLOCK CATALOG -- a paginated read through MCP, end to end.

Starts moto on a free loopback port (signatures are checked by exec.moto;
here moto runs without its IAM mode, which would need users set up first),
creates five log
groups with boto3, then drives `airlock serve` with raw JSON-RPC: a
read_operation of logs DescribeLogGroups with limit 2 and max_pages 3 and a
progress token.  Checks: the merged output holds all five groups (three
pages), a progress notification came for each page, progress only grows and
ends at 1 of 1, and the audit log verifies.  Fails (never skips) when moto or
boto3 is missing.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    airlock, catalog = sys.argv[1], sys.argv[2]
    try:
        import boto3  # noqa: F401
    except ImportError:
        print("FAIL: boto3 is not importable from", sys.executable)
        return 1
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="airlock-pages-")
    env = dict(os.environ,
               AWS_ACCESS_KEY_ID="AKIDPAGESEXAMPLE", AWS_SECRET_ACCESS_KEY="pages-secret",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port, AIRLOCK_HOME=os.path.join(tmp, "home"),
               AWS_CONFIG_FILE=os.path.join(tmp, "none"), AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"),
               AWS_EC2_METADATA_DISABLED="true")
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("FAIL: moto did not start")
            return 1
        import boto3
        logs = boto3.client("logs", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
        names = ["pages-%d" % i for i in range(5)]
        for n in names:
            logs.create_log_group(logGroupName=n)
        msgs = [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                        "clientInfo": {"name": "read_pages", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
             "params": {"name": "read_operation",
                        "arguments": {"service": "logs", "operation": "describe-log-groups",
                                      "input": {"limit": 2}, "max_pages": 3},
                        "_meta": {"progressToken": "pages"}}},
        ]
        p = subprocess.run([airlock, "serve", "--catalog", catalog],
                           input="".join(json.dumps(m) + "\n" for m in msgs),
                           capture_output=True, text=True, env=env, timeout=60)
        progress, result = [], None
        for line in p.stdout.splitlines():
            m = json.loads(line)
            if m.get("method") == "notifications/progress":
                progress.append(m["params"])
            elif m.get("id") == 2:
                result = m.get("result")
        fails = []
        if not result or result.get("isError"):
            fails.append("read_operation failed: %s" % json.dumps(result)[:500])
        else:
            got = [g["logGroupName"] for g in result["structuredContent"]["output"].get("logGroups", [])]
            if got != names:
                fails.append("merged groups %s, expected %s" % (got, names))
            if result["structuredContent"].get("state") != "Applied":
                fails.append("plan state %s" % result["structuredContent"].get("state"))
        pages = [x for x in progress if str(x.get("message", "")).startswith("page ")]
        if len(pages) != 3:
            fails.append("%d page progress notifications, expected 3: %s" % (len(pages), progress))
        values = [x["progress"] for x in progress]
        if any(b <= a for a, b in zip(values, values[1:])) or not values or values[-1] != 1:
            fails.append("progress does not grow to 1: %s" % values)
        v = subprocess.run([airlock, "audit", "verify"], capture_output=True, text=True, env=env)
        if v.returncode != 0:
            fails.append("audit verify: %s %s" % (v.stdout, v.stderr))
        for f in fails:
            print("FAIL", f)
        print("read pages: %d pages merged, %d progress notifications, %s" %
              (len(pages), len(progress), "ok" if not fails else "FAILED"))
        return 1 if fails else 0
    finally:
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    sys.exit(main())
