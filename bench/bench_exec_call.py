#!/usr/bin/env python3
"""The boto3 side of bench_exec_call: the same calls, the same canned
answers, the same loopback server, in the same run.

    bench_exec_call.py PORT N ROUNDS LOOPBACK_N < cases.json

cases.json (written by bench_exec_call): [{"name", "service" (boto3 name),
"operation" (API name), "input", "status", "headers", "body"}].

Overhead: each call goes through the whole boto3 client (parameter
validation, serialization, endpoint resolution, signing, hooks, parsing); a
'before-send' handler answers with the canned response instead of the
network, so what is timed is boto3's own work.  Loopback: the first case's
client calls the loopback server on PORT for real, LOOPBACK_N times.

Prints one "name us_per_call" line per case, then "loopback calls_per_s".
"""
import json
import sys
import time

import boto3
import botocore.awsrequest
import botocore.config


class Raw:
    def __init__(self, body):
        self.body = body

    def stream(self, **kw):
        yield self.body

    def read(self, *a, **k):
        b, self.body = self.body, b""
        return b


def client(service, port):
    cfg = botocore.config.Config(retries={"mode": "standard", "max_attempts": 3},
                                 s3={"addressing_style": "path"})
    return boto3.session.Session().client(
        service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="AKIDBENCHEXAMPLE", aws_secret_access_key="bench-secret-key",
        config=cfg)


def main():
    port, n, rounds, loop_n = (int(x) for x in sys.argv[1:5])
    cases = json.load(sys.stdin)
    for c in cases:
        cl = client(c["service"], port)
        body = c["body"].encode()
        headers = c["headers"]

        def canned(request, **kw):
            return botocore.awsrequest.AWSResponse(request.url, c["status"], headers,
                                                   Raw(body))
        cl.meta.events.register("before-send", canned)
        call = cl._make_api_call
        times = []
        call(c["operation"], c["input"])
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(n):
                call(c["operation"], c["input"])
            times.append((time.perf_counter() - t0) / n * 1e6)
        times.sort()
        print(f"{c['name']} {times[len(times) // 2]:.2f}", flush=True)
    c = cases[0]
    cl = client(c["service"], port)
    cl._make_api_call(c["operation"], c["input"])
    t0 = time.perf_counter()
    for _ in range(loop_n):
        cl._make_api_call(c["operation"], c["input"])
    print(f"loopback {loop_n / (time.perf_counter() - t0):.1f}", flush=True)


if __name__ == "__main__":
    main()
