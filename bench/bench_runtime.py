#!/usr/bin/env python3
"""bench_runtime.py -- botocore's side of bench/run_runtime.sh.

    bench_runtime.py cold [RUNS]          boto3/botocore cold start
    bench_runtime.py aws [RUNS [AWS]]     `aws --version` wall time
    bench_runtime.py validate BENCH_VALIDATE CATALOG
                                          bench_validate_botocore.py, parsed

Each prints key=value lines (the shell report reads them); `validate` also
passes the table of bench_validate_botocore.py through as table_<i>= lines.

cold: RUNS (default 7) fresh Python processes, each timing, inside itself,
`import boto3` plus boto3.client("ec2", region_name="us-east-1") -- what a
boto3 program pays before its first call, the counterpart of airlock's cold
start to the first tools/list reply -- and, from outside, the whole process
(interpreter start-up included).  No credentials are needed or looked up to
create a client.

aws: AWS, default the `aws` found on PATH (AWS CLI v1 or v2, whichever is
installed; pass the caller's `command -v aws`, since a Python started through
pyenv sees a different PATH); a pyenv shim is reported with the script it
runs, timed too.  `aws --version` is timed from outside, RUNS (default 5)
runs after one warm-up.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

CHILD = r"""
import time
t0 = time.perf_counter()
import boto3
t1 = time.perf_counter()
boto3.client("ec2", region_name="us-east-1")
t2 = time.perf_counter()
import botocore
print("%f %f %s %s" % (t1 - t0, t2 - t1, boto3.__version__, botocore.__version__))
"""


def env_quiet():
    env = dict(os.environ)
    # no instance-metadata probes, whatever the host
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def cold(runs):
    imp, cli, tot, wall = [], [], [], []
    versions = ("?", "?")
    for _ in range(runs + 1):  # the first run warms the page cache
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], check=True,
                             capture_output=True, env=env_quiet()).stdout.decode()
        w = time.perf_counter() - t0
        i, c, bv, cv = out.split()
        imp.append(float(i))
        cli.append(float(c))
        tot.append(float(i) + float(c))
        wall.append(w)
        versions = (bv, cv)
    med = lambda v: statistics.median(v[1:]) * 1e3
    print("python=%s" % sys.version.split()[0])
    print("python_path=%s" % sys.executable)
    print("boto3=%s\nbotocore=%s" % versions)
    print("cold_runs=%d" % runs)
    print("import_ms_median=%.1f" % med(imp))
    print("client_ms_median=%.1f" % med(cli))
    print("cold_ms_median=%.1f" % med(tot))
    print("cold_ms_min=%.1f" % (min(tot[1:]) * 1e3))
    print("process_ms_median=%.1f" % med(wall))


def aws(runs, path=None):
    path = path or shutil.which("aws")
    if not path:
        print("aws_path=")
        return
    print("aws_path=%s" % path)
    real = path
    with open(path, "rb") as f:
        head = f.read(4096)
    if b"pyenv\" exec" in head or b"pyenv exec" in head:
        r = subprocess.run(["pyenv", "which", "aws"], capture_output=True)
        if r.returncode == 0:
            real = r.stdout.decode().strip()
            print("aws_shim_runs=%s" % real)
    times = []
    version = ""
    for k in range(runs + 1):
        t0 = time.perf_counter()
        r = subprocess.run([path, "--version"], capture_output=True, env=env_quiet())
        w = time.perf_counter() - t0
        if r.returncode != 0:
            print("aws_error=%s" % r.stderr.decode().strip().replace("\n", " ")[:200])
            return
        version = (r.stdout or r.stderr).decode().strip()
        if k:
            times.append(w)
    print("aws_version=%s" % version)
    print("aws_runs=%d" % runs)
    print("aws_ms_median=%.1f" % (statistics.median(times) * 1e3))
    print("aws_ms_min=%.1f" % (min(times) * 1e3))
    if real != path:  # the script itself, without the shim
        times = []
        for k in range(runs + 1):
            t0 = time.perf_counter()
            subprocess.run([real, "--version"], capture_output=True, env=env_quiet())
            if k:
                times.append(time.perf_counter() - t0)
        print("aws_direct_ms_median=%.1f" % (statistics.median(times) * 1e3))


ROW = re.compile(r"^\s+(\S+:\S+)\s+([\d.]+) ns\s+([\d.]+) ns\s+([\d.]+)x\s+"
                 r"([\d.]+) ns\s+([\d.]+) ns\s+([\d.]+)x\s*$")


def validate(bench, catalog):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "bench_validate_botocore.py")
    r = subprocess.run([sys.executable, script, bench, catalog],
                       capture_output=True, env=env_quiet())
    lines = r.stdout.decode().splitlines()
    for i, line in enumerate(lines):
        print("table_%d=%s" % (i, line))
    if r.returncode not in (0, 1):  # 1: a ratio missed its target
        print("error=%s" % r.stderr.decode().strip().replace("\n", " ")[:300])
        return
    rows = 0
    for line in lines:
        m = ROW.match(line)
        if m:
            op = m.group(1)
            print("op_%d=%s" % (rows, op))
            print("airlock_ns_%d=%s\nbotocore_ns_%d=%s\nratio_%d=%s" %
                  (rows, m.group(2), rows, m.group(3), rows, m.group(4)))
            print("parse_airlock_ns_%d=%s\nparse_botocore_ns_%d=%s\nparse_ratio_%d=%s" %
                  (rows, m.group(5), rows, m.group(6), rows, m.group(7)))
            rows += 1
    print("rows=%d" % rows)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "cold":
        cold(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
    elif cmd == "aws":
        aws(int(sys.argv[2]) if len(sys.argv) > 2 else 5,
            sys.argv[3] if len(sys.argv) > 3 else None)
    elif cmd == "validate" and len(sys.argv) == 4:
        validate(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
