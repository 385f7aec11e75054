#!/usr/bin/env python3
"""run_cases.py -- validation over the full catalog, for operations of every
protocol (schema.cases).

For each sample operation, inputs generated from its Smithy model
(smithy_gen.py): valid inputs at three depths must pass; then, for every
value of the fullest valid input, a mutation breaking each constraint that
applies there must be rejected with the expected JSON pointer and keyword
among the violations.  Constraint kinds that the sample operations lack are
looked for in the other operations of the sample services.  The
hand-written cases of cases.json (realistic inputs, exact messages) run
too.  Every constraint kind must be exercised at least once.

Prints, per operation and per kind, the cases run; exits 1 on any
mismatch.  Needs the models (--shared): fails when they are missing.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smithy_gen as sg  # noqa: E402

SAMPLE = [
    ("dynamodb", "PutItem"), ("dynamodb", "CreateTable"),
    ("cloudwatch-logs", "PutLogEvents"), ("cloudwatch-logs", "PutMetricFilter"),
    ("ecs", "RegisterTaskDefinition"), ("ecs", "RunTask"),
    ("lambda", "CreateFunction"), ("lambda", "Invoke"),
    ("api-gateway", "CreateRestApi"), ("api-gateway", "PutIntegration"),
    ("s3", "PutObject"), ("s3", "PutBucketTagging"),
    ("iam", "CreateRole"), ("sqs", "SendMessage"),
    ("ec2", "RunInstances"), ("cloudformation", "CreateStack"),
]
KINDS = ["required", "type", "enum", "pattern", "minLength", "maxLength",
         "minimum", "maximum", "minItems", "maxItems", "uniqueItems",
         "minProperties", "maxProperties", "propertyNames",
         "additionalProperties", "oneOf", "contentEncoding", "format",
         "duplicateKey", "blobLength"]
# Mutations per kind and operation (the first ones found, in input order).
PER_KIND = 6


def run_batch(tool, catalog, lines):
    p = subprocess.run([tool, "batch", catalog], input="".join(lines).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit("run_cases: FAIL: schema_tool batch exited with %d:\n%s"
                 % (p.returncode, p.stderr.decode()[-4000:]))
    out = [json.loads(x) for x in p.stdout.decode().split("\n")[:-1]]
    if len(out) != len(lines):
        sys.exit("run_cases: schema_tool batch answered %d of %d" % (len(out), len(lines)))
    return out, p.stderr.decode()


def unenforced_patterns(stderr):
    return {m.group(1) for m in re.finditer(r"^airlock: pattern /(.*)/ not enforced: ", stderr, re.M)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--cases", required=True)
    a = ap.parse_args()
    for d in ("api-models-aws", "models-derived"):
        if not os.path.isdir(os.path.join(a.shared, d)):
            sys.exit("run_cases: FAIL: models missing: %s/%s (set AIRLOCK_SHARED)" % (a.shared, d))
    if not os.path.exists(a.catalog):
        sys.exit("run_cases: FAIL: no catalog %s" % a.catalog)
    t0 = time.time()
    svcs = {}
    for line in subprocess.check_output([a.tool, "services", a.catalog]).decode().split("\n")[:-1]:
        key, proto, rel, nops = line.split("\t")
        svcs[key] = (proto, rel)
    # Patterns airlock reports it cannot enforce (it says so once, on stderr).
    sample_svcs = sorted({s for s, _ in SAMPLE})
    p = subprocess.run([a.tool, "schemas", a.catalog] + sample_svcs, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, check=True)
    unenforced = unenforced_patterns(p.stderr.decode())

    cases = []   # (label, kind, service, op, text, expect)
    models = {}
    per_op = {}
    failures = []

    def model_of(svc):
        if svc not in models:
            models[svc] = sg.Model(sg.find_model(a.shared, svcs[svc][1]))
        return models[svc]

    def add_op(svc, op, kinds_wanted=None):
        m = model_of(svc)
        sid = m.input_of(op)
        rng = random.Random(sg.seed_for(svc, op))
        n0 = len(cases)
        if sid is None:
            cases.append(("%s:%s valid" % (svc, op), "valid", svc, op, "{}", "ok"))
            return
        full = None
        for depth, prob in ((0, 1.0), (2, 1.0), (4, 0.5)):
            try:
                v = sg.Generator(m, rng, opt_depth=depth, opt_prob=prob).value(sid)
            except sg.NoValue as e:
                if kinds_wanted is None:
                    failures.append("%s:%s: no valid input at depth %d (%s)" % (svc, op, depth, e))
                return
            if kinds_wanted is None:
                cases.append(("%s:%s valid depth %d" % (svc, op, depth), "valid", svc, op,
                              json.dumps(v, ensure_ascii=False), "ok"))
            if depth == 2:
                full = v
        count = {}
        for c in sg.mutations(m, sid, full, rng, unenforced):
            if kinds_wanted is not None and c.kind not in kinds_wanted:
                continue
            if count.get(c.kind, 0) >= PER_KIND:
                continue
            count[c.kind] = count.get(c.kind, 0) + 1
            cases.append(("%s:%s %s at %s" % (svc, op, c.kind, c.pointer or "(root)"), c.kind, svc, op,
                          c.text, (c.pointer, c.keyword)))
        if len(cases) > n0:
            per_op[(svc, op)] = len(cases) - n0

    for svc, op in SAMPLE:
        add_op(svc, op)
    covered = {c[1] for c in cases}
    missing = [k for k in KINDS if k not in covered]
    # Kinds the sample lacks: the other operations of the sample services
    # first, then the other services, in name order.
    for svc in sample_svcs + sorted(set(svcs) - set(sample_svcs)):
        if not missing:
            break
        for op in sorted(model_of(svc).ops):
            if not missing:
                break
            if (svc, op) in per_op:
                continue
            n0 = len(cases)
            add_op(svc, op, set(missing))
            got = {c[1] for c in cases[n0:]}
            missing = [k for k in missing if k not in got]

    # Hand-written cases.
    with open(a.cases) as f:
        hand = json.load(f)
    for h in hand:
        text = h["text"] if "text" in h else json.dumps(h["input"], ensure_ascii=False)
        expect = "ok" if h["expect"] == "ok" else [tuple(x) for x in h["expect"]]
        cases.append(("hand: " + h["name"], "hand", h["service"], h["operation"], text,
                      (expect, h.get("message"))))

    lines = ["%s\t%s\t%s\n" % (c[2], c[3], c[4].replace("\n", " ")) for c in cases]
    results, _ = run_batch(a.tool, a.catalog, lines)
    by_kind = {}
    for c, r in zip(cases, results):
        label, kind, svc, op, text, expect = c
        by_kind.setdefault(kind, [0, set()])
        by_kind[kind][0] += 1
        by_kind[kind][1].add(svcs[svc][0])
        if "error" in r:
            failures.append("%s: %s" % (label, r["error"]))
            continue
        got = [(v[0], v[1]) for v in r["v"]]
        if kind == "hand":
            want, msg = expect
            if want == "ok":
                if r["n"]:
                    failures.append("%s: expected valid, got %s" % (label, r["v"][:3]))
            elif got[:len(want)] != want or len(got) != len(want):
                failures.append("%s: expected %s, got %s" % (label, want, got))
            if msg and not any(msg in v[2] for v in r["v"]):
                failures.append("%s: no message contains %r: %s" % (label, msg, [v[2] for v in r["v"]]))
        elif expect == "ok":
            if r["n"]:
                failures.append("%s: expected valid, got %s; input %s" % (label, r["v"][:3], text[:300]))
        elif tuple(expect) not in got and not (
                len(expect[0]) > 255 and (expect[0][:255], expect[1]) in got):
            # (pointers longer than rt_violation.pointer holds are cut)
            failures.append("%s: expected %s %s, got %s" % (label, expect[0], expect[1], got[:4]))

    print("schema.cases: %d cases over %d operations (%d services, %.1f s)" %
          (len(cases), len(per_op), len({s for s, _ in per_op}), time.time() - t0))
    print("  %-22s %6s  %s" % ("kind", "cases", "protocols"))
    for k in ["valid"] + KINDS + ["hand"]:
        n, protos = by_kind.get(k, [0, set()])
        print("  %-22s %6d  %s" % (k, n, ", ".join(sorted(protos))))
    print("  sample operations: " + ", ".join("%s:%s (%d)" % (s, o, per_op.get((s, o), 0)) for s, o in SAMPLE))
    protos = {svcs[s][0] for s, _ in SAMPLE}
    if len(protos) < 6:
        failures.append("sample covers only protocols %s" % sorted(protos))
    for k in KINDS:
        if k not in by_kind:
            failures.append("constraint kind %s: no case found in the sample services" % k)
    if failures:
        print("FAIL: %d problem%s" % (len(failures), "s" if len(failures) > 1 else ""))
        for f in failures[:60]:
            print("  " + f)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
