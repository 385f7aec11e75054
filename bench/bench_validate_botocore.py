#!/usr/bin/env python3
"""bench_validate_botocore.py -- airlock's validation beside botocore's.

Runs bench_validate (C) on the inputs of bench_validate_inputs.json, then
botocore's ParamValidator on the same inputs (the validation boto3 runs
before every call), and prints both per call with the ratio, with and
without JSON parsing (json.loads for botocore, cJSON_Parse for airlock).
Target: airlock >= 30x faster.

    bench_validate_botocore.py BENCH_VALIDATE CATALOG [INPUTS.json]

The target applies to validation proper, like for like: ParamValidator
takes parsed parameters, rt_validate a parsed cJSON tree.  Exit status 1
when that ratio misses it.  The ratio with parsing is printed beside it
(cJSON's parse costs about three validations: see bench_cjson).  A third figure shows the
parse with cJSON's allocations on a bump allocator (cJSON_InitHooks),
i.e. what parsing costs without malloc/free per node.  (botocore checks less:
types, required members, minimum lengths and ranges -- no enums, patterns,
maximums or unknown-member suggestions.)
"""
import json
import os
import subprocess
import sys
import timeit

TARGET = 30.0


def per_call_ns(fn, rounds=7):
    """Best of ROUNDS rounds (timeit's advice: load only adds time), ns."""
    t = timeit.Timer(fn)
    n, _ = t.autorange()
    n = max(1, n)
    return min(t.repeat(repeat=rounds, number=n)) / n * 1e9


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bench, catalog = sys.argv[1], sys.argv[2]
    inputs = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "bench_validate_inputs.json")
    out = subprocess.check_output([bench, catalog, inputs, "--json"]).decode()
    c_res = {r["op"]: r for r in map(json.loads, out.split("\n")[:-1])}

    import botocore
    import botocore.session
    from botocore.validate import ParamValidator
    session = botocore.session.get_session()
    ok = True
    print("validation per call (best of 7 rounds); botocore %s, Python %s" %
          (botocore.__version__, sys.version.split()[0]))
    print("  %-28s %12s %12s %8s   %14s %14s %8s" % (
        "operation", "airlock", "botocore", "ratio", "+parse airlock", "+parse boto", "ratio"))
    with open(inputs) as f:
        cases = json.load(f)
    for c in cases:
        key = "%s:%s" % (c["service"], c["operation"])
        shape = session.get_service_model(c["service"]).operation_model(c["operation"]).input_shape
        params, text = c["input"], json.dumps(c["input"])
        v = ParamValidator()
        report = v.validate(params, shape)
        if report.has_errors():
            sys.exit("botocore refuses %s: %s" % (key, report.generate_report()))
        b = per_call_ns(lambda: v.validate(params, shape))
        bp = per_call_ns(lambda: v.validate(json.loads(text), shape))
        r = c_res[key]
        ratio, ratio_p = b / r["validate_ns"], bp / r["parse_validate_ns"]
        print("  %-28s %9.0f ns %9.0f ns %7.0fx   %11.0f ns %11.0f ns %7.0fx" % (
            key, r["validate_ns"], b, ratio, r["parse_validate_ns"], bp, ratio_p))
        if "arena_parse_validate_ns" in r:
            print("  %-28s %37s   %11.0f ns %14s %7.0fx" % (
                "", "(cJSON on a bump allocator)", r["arena_parse_validate_ns"], "",
                bp / r["arena_parse_validate_ns"]))
        if ratio < TARGET:
            ok = False
    print("target: validation >= %.0fx faster than botocore: %s" % (TARGET, "met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
