#!/usr/bin/env python3
"""Fault tests: rt_exec (through exec_driver) against a loopback server that
answers with throttling errors, 500s, connection resets and slow responses.

    faults.py EXEC_DRIVER CATALOG

The server (in this process) follows a script of answers, one per request
(the last one repeats), and records every request it reads.  DynamoDB is the
service: TransactWriteItems carries an idempotency token
(ClientRequestToken), PutItem is neither idempotent nor a read, DescribeTable
is a read.  What must hold:
  - attempts are bounded (3 by default, AWS_MAX_ATTEMPTS), and so is the
    time (backoff <= 1 s then <= 2 s; read timeouts; the call's total
    timeout);
  - every attempt of one call carries the same idempotency token, a UUIDv4
    filled by airlock when the caller left it out;
  - final errors say what happened: code, HTTP status, retryable, how many
    attempts, and why there was no retry;
  - an operation that is not retry-safe is sent once when the request may
    have reached the server, and retried when the connection was refused;
  - the retry quota (500 tokens, 5 a retry) stops retries once spent.
Prints "faults: N/M checks passed"; exit 1 on any failure.
"""
import http.server
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

checks = []


def check(ok, name, detail=""):
    checks.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:1500]))
    return ok


THROTTLE = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                  "message": "Rate of requests exceeds the allowed throughput."})
ERR500 = (500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                "message": "boom"})
ERR503 = (503, {"__type": "ServiceUnavailable", "message": "try later"})
INVALID = (400, {"__type": "com.amazon.coral.validate#ValidationException",
                 "message": "1 validation error detected"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script, self.log, self.n = [], [], 0
        self.lock = threading.Lock()

    def set(self, script):
        with self.lock:
            self.script, self.log, self.n = list(script), [], 0

    def next(self):
        with self.lock:
            a = self.script[min(self.n, len(self.script) - 1)]
            self.n += 1
            return a


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        srv = self.server
        with srv.lock:
            srv.log.append({"headers": dict(self.headers), "body": body.decode("utf-8", "replace"),
                            "t": time.monotonic()})
        action = srv.next()
        if action == "reset":
            # RST instead of FIN: SO_LINGER with a zero timeout
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if isinstance(action, tuple) and action[0] == "slow":
            time.sleep(action[1])
            action = action[2]
        extra = {}
        if isinstance(action, tuple) and action[0] == "skewed":
            # the server's clock is an hour ahead
            extra["Date"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                          time.gmtime(time.time() + 3600))
            action = (403, {"__type": "RequestTimeTooSkewed",
                            "message": "The difference between the request time and the "
                                       "current time is too large."})
        status, obj = action
        data = json.dumps(obj).encode()
        self.send_response_only(status)   # one Date header: ours
        extra.setdefault("Date", self.date_time_string())
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amzn-RequestId", f"req-{srv.n}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass


def run_driver(exe, catalog, url, lines, extra=(), env_extra=None, timeout=120):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    root = tempfile.gettempdir()
    env.update(AWS_ACCESS_KEY_ID="AKIDFAULTS", AWS_SECRET_ACCESS_KEY="faults-secret",
               AWS_CONFIG_FILE=os.path.join(root, "airlock-faults-none"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(root, "airlock-faults-none"),
               AWS_EC2_METADATA_DISABLED="true")
    env.update(env_extra or {})
    inp = "".join(json.dumps(l) + "\n" for l in lines)
    t0 = time.monotonic()
    p = subprocess.run([exe, catalog, "--endpoint", url, "--region", "us-east-1", *extra],
                       input=inp, capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError(f"exec_driver exited {p.returncode}: {p.stderr}")
    return [json.loads(x) for x in p.stdout.splitlines()], wall


UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

TWI = {"service": "dynamodb", "operation": "TransactWriteItems", "input": {"TransactItems": [
    {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}}}}]}}
PUT = {"service": "dynamodb", "operation": "PutItem",
       "input": {"TableName": "t", "Item": {"pk": {"S": "a"}}}}
DESC = {"service": "dynamodb", "operation": "DescribeTable", "input": {"TableName": "t"}}


def tokens(log):
    return [json.loads(r["body"]).get("ClientRequestToken") for r in log]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: faults.py EXEC_DRIVER CATALOG")
    exe, catalog = sys.argv[1], sys.argv[2]
    srv = Server()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    ok200 = (200, {})

    def one(line, script, extra=(), env=None, timeout=120):
        srv.set(script)
        res, wall = run_driver(exe, catalog, url, [line], extra, env, timeout)
        return res[0], list(srv.log), wall

    # -- throttling, then success: same token on every attempt --------------
    r, log, wall = one(TWI, [THROTTLE, THROTTLE, ok200])
    toks = tokens(log)
    check("output" in r and r["attempts"] == 3 and len(log) == 3,
          "throttled twice then answered: 3 attempts, success", r)
    check(len(set(toks)) == 1 and UUID4.match(toks[0] or ""),
          "the same UUIDv4 idempotency token on all 3 attempts", toks)
    check(len(r["sleeps"]) == 2 and 0 <= r["sleeps"][0] <= 1000 and 0 <= r["sleeps"][1] <= 2000,
          "full-jitter backoff within 1 s then 2 s", r["sleeps"])
    auths = [l["headers"].get("Authorization", "") for l in log]
    check(all(a.startswith("AWS4-HMAC-SHA256 Credential=AKIDFAULTS/") for a in auths) and
          all(l["headers"].get("X-Amz-Target") == "DynamoDB_20120810.TransactWriteItems"
              for l in log), "every attempt signed again", auths)

    # a caller's own token is kept
    mine = dict(TWI, input=dict(TWI["input"], ClientRequestToken="caller-token-1"))
    r, log, wall = one(mine, [ERR500, ok200])
    check(tokens(log) == ["caller-token-1"] * 2 and "output" in r,
          "a token the caller set is sent as is, on both attempts", (tokens(log), r))

    # -- 500s until the attempts run out ---------------------------------------
    r, log, wall = one(TWI, [ERR500])
    e = r.get("error", {})
    check(r["attempts"] == 3 and len(log) == 3 and e.get("code") == "InternalServerError" and
          e.get("http_status") == 500 and e.get("retryable") is True and
          "gave up after 3 attempts" in e.get("message", ""),
          "500 three times: 3 attempts, a clear final error", r)
    check(len(set(tokens(log))) == 1, "same token on the three 500s", tokens(log))
    check(e.get("request_id") == "req-3", "the final error carries the last request id", e)

    # AWS_MAX_ATTEMPTS
    r, log, wall = one(TWI, [ERR503], env={"AWS_MAX_ATTEMPTS": "5"}, extra=("--no-sleep",))
    check(r["attempts"] == 5 and len(log) == 5, "AWS_MAX_ATTEMPTS=5: 5 attempts", r)

    # -- connection resets ----------------------------------------------------------
    r, log, wall = one(TWI, ["reset"])
    e = r.get("error", {})
    check(r["attempts"] == 3 and len(log) == 3 and e.get("kind") == "transport" and
          e.get("code") == "NetworkError" and "gave up after 3 attempts" in e.get("message", ""),
          "connection reset three times: 3 attempts, NetworkError", r)
    check(len(set(tokens(log))) == 1, "same token across the resets", tokens(log))
    r, log, wall = one(TWI, ["reset", ok200])
    check("output" in r and r["attempts"] == 2, "a reset then an answer: success", r)

    # -- slow answers: the read timeout, then the call's total timeout ----------------
    # (libcurl's low-speed check averages over a few seconds, and the
    # request's own upload counts: a 1 s read timeout fires after ~6 s)
    slow = ("slow", 30, ok200)
    r, log, wall = one(TWI, [slow], extra=("--read-timeout-ms", "1000", "--attempts", "1"),
                       timeout=60)
    e = r.get("error", {})
    check(r["attempts"] == 1 and e.get("code") == "TimeoutError" and
          e.get("kind") == "transport" and wall < 12,
          f"no answer within the read timeout: TimeoutError after {wall:.1f} s", r)
    r, log, wall = one(TWI, [slow], extra=("--read-timeout-ms", "30000",
                                           "--total-timeout-ms", "2500"), timeout=60)
    e = r.get("error", {})
    check("error" in r and e.get("kind") == "transport" and e.get("code") == "TimeoutError"
          and wall < 5, f"the call's total timeout (2.5 s) ends it: {wall:.1f} s", r)
    r, log, wall = one(TWI, [("slow", 1.5, ERR500)], extra=("--total-timeout-ms", "4000"),
                       timeout=60)
    e = r.get("error", {})
    check("error" in r and wall < 6 and len(log) <= 3,
          f"slow 500s within a 4 s total timeout: {len(log)} attempts, {wall:.1f} s, "
          "stops in time", r)
    r, log, wall = one(TWI, [("slow", 1.5, THROTTLE), ok200],
                       extra=("--read-timeout-ms", "5000"))
    check("output" in r and r["attempts"] == 2, "a slow throttling answer, then success", r)

    # -- not retry-safe: PutItem ---------------------------------------------------------
    r, log, wall = one(PUT, [ERR500, ok200])
    e = r.get("error", {})
    check(r["attempts"] == 1 and len(log) == 1 and "not retried" in e.get("message", "") and
          "not idempotent" in e.get("message", ""),
          "PutItem (no idempotency token) answered 500: sent once, says why", r)
    r, log, wall = one(PUT, [THROTTLE, ok200])
    check(r["attempts"] == 1 and len(log) == 1 and r.get("error", {}).get("throttling"),
          "PutItem throttled: sent once (it may have reached AWS)", r)
    r, log, wall = one(PUT, ["reset", ok200])
    check(r["attempts"] == 1 and len(log) == 1, "PutItem reset after sending: sent once", r)
    # a refused connection never reached anything: retried
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    res, wall = run_driver(exe, catalog, dead, [PUT], ("--no-sleep",))
    e = res[0].get("error", {})
    check(res[0]["attempts"] == 3 and e.get("code") == "NetworkError",
          "PutItem, connection refused: retried (never sent), 3 attempts", res[0])

    # -- clock skew: corrected from the answer's Date, signed again once ----------------
    r, log, wall = one(PUT, [("skewed",), ok200])
    dates = [l["headers"].get("X-Amz-Date", "") for l in log]
    ahead = len(dates) == 2 and dates[1] > dates[0] and \
        abs(time.mktime(time.strptime(dates[1], "%Y%m%dT%H%M%SZ")) -
            time.mktime(time.strptime(dates[0], "%Y%m%dT%H%M%SZ")) - 3600) < 120
    check("output" in r and len(log) == 2 and ahead,
          "RequestTimeTooSkewed: the clock corrected from Date, signed again (even PutItem)",
          (r, dates))
    r, log, wall = one(PUT, [("skewed",)])
    check("error" in r and len(log) == 2 and r["error"]["code"] == "RequestTimeTooSkewed",
          "skew corrected once only", r)

    # -- reads retry; client errors do not -------------------------------------------------
    r, log, wall = one(DESC, [ERR503, ok200])
    check("output" in r and r["attempts"] == 2, "DescribeTable (a read) 503 then success", r)
    r, log, wall = one(DESC, [INVALID])
    e = r.get("error", {})
    check(r["attempts"] == 1 and e.get("code") == "ValidationException" and
          e.get("retryable") is False, "ValidationException: not retried", r)

    # -- the retry quota ----------------------------------------------------------------------
    srv.set([ERR500])
    res, wall = run_driver(exe, catalog, url, [DESC] * 60, ("--no-sleep",))
    att = [x["attempts"] for x in res]
    # 500 tokens, 5 a retry, 2 retries a call: 50 calls retry fully
    check(att[:50] == [3] * 50 and all(a == 1 for a in att[50:]) and
          "retry quota" in res[-1]["error"]["message"],
          "the retry quota: 50 calls retried, then no retries", att)
    srv.set([ok200])
    res2, _ = run_driver(exe, catalog, url, [DESC], ("--no-sleep",))
    check("output" in res2[0], "the quota does not block first attempts", res2[0])

    srv.shutdown()
    n, ok = len(checks), sum(checks)
    print(f"faults: {ok}/{n} checks passed")
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(main())
