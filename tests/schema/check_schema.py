#!/usr/bin/env python3
"""check_schema.py -- the input schemas of the full catalog (schema.agree).

1. Well-formed: every operation's schema passes the draft 2020-12
   metaschema (jsonschema's check_schema, "regex" formats checked as ECMA
   262 read by the `regex` module), every $ref resolves, every $defs entry
   is used, every "required" name is a property.
2. ECMA 262: every pattern of every schema compiles with `new RegExp(p,
   "u")` in node (what JSON Schema validators such as ajv do).
3. Agreement: for every operation of AGREE_SERVICES, a valid input and
   mutations breaking each constraint (smithy_gen.py) get the same verdict
   from jsonschema (Draft202012Validator, date-time format asserted,
   patterns as ECMA 262) and from rt_validate.  Two mutation kinds are
   left out, by design: duplicate keys (a JSON Schema validator never
   sees them: the parser keeps one) and blob lengths (bytes after base64
   decoding, which JSON Schema cannot state; the schema says it in
   $comment).

Prints figures; exits 1 on any problem.  Needs the models: fails when they
are missing.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

import jsonschema
import regex
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.validators import extend

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smithy_gen as sg  # noqa: E402

AGREE_SERVICES = [
    "ec2", "s3", "iam", "cloudformation", "dynamodb", "sqs", "sns",
    "cloudwatch-logs", "ecs", "lambda", "api-gateway", "kms", "sts",
    "secrets-manager", "ssm", "kinesis", "route-53", "eventbridge", "glue",
    "cloudwatch",
]
EXCLUDED_KINDS = {"duplicateKey", "blobLength"}
PER_KIND = 3     # mutations per kind and operation


# ---- ECMA 262 (u flag) patterns read by `regex` -----------------------------

def _pair(m):
    hi, lo = int(m.group(1), 16), int(m.group(2), 16)
    return "\\U%08X" % (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


def ecma_to_python(p):
    p = re.sub(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})", _pair, p)
    # ECMA's $ (no m flag) is the end of input only.
    out, i, inside = [], 0, False
    while i < len(p):
        c = p[i]
        if c == "\\":
            out.append(p[i:i + 2])
            i += 2
            continue
        if c == "[" and not inside:
            inside = True
        elif c == "]" and inside:
            inside = False
        out.append("\\Z" if c == "$" and not inside else c)
        i += 1
    return "".join(out)


_rx = {}


def ecma_regex(p):
    if p not in _rx:
        # ASCII \d \w \s \b: what PCRE2 without UCP matches.
        _rx[p] = regex.compile(ecma_to_python(p), regex.V0 | regex.ASCII)
    return _rx[p]


def _pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(patrn).search(instance):
        yield ValidationError("%r does not match %r" % (instance, patrn))


Validator = extend(Draft202012Validator, {"pattern": _pattern})
FORMATS = FormatChecker(formats=["date-time"])
META_FORMATS = FormatChecker(formats=[])


@META_FORMATS.checks("regex", raises=(regex.error,))
def _is_regex(instance):
    return not isinstance(instance, str) or bool(ecma_regex(instance))


# ---- structure ----------------------------------------------------------------

def walk(x, path=""):
    if isinstance(x, dict):
        yield path, x
        for k, v in x.items():
            yield from walk(v, path + "/" + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from walk(v, path + "/" + str(i))


def structural_problems(schema):
    probs, used = [], set()
    defs = schema.get("$defs", {})
    for path, o in walk(schema):
        ref = o.get("$ref")
        if ref is not None:
            if ref == "#":
                pass
            elif ref.startswith("#/$defs/") and ref[8:] in defs:
                used.add(ref[8:])
            else:
                probs.append("%s: $ref %s does not resolve" % (path, ref))
        if isinstance(o.get("required"), list) and isinstance(o.get("properties"), dict):
            for r in o["required"]:
                if r not in o["properties"]:
                    probs.append("%s: required %s is not a property" % (path, r))
        if o.get("type") == "object" and "properties" in o and o.get("additionalProperties") is not False:
            probs.append("%s: structure without additionalProperties:false" % path)
    for d in defs:
        if d not in used:
            probs.append("$defs/%s is never referenced" % d)
    return probs


def patterns_of(schema):
    for _, o in walk(schema):
        if isinstance(o.get("pattern"), str):
            yield o["pattern"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--node", default="")
    ap.add_argument("--services", default=",".join(AGREE_SERVICES))
    a = ap.parse_args()
    for d in ("api-models-aws", "models-derived"):
        if not os.path.isdir(os.path.join(a.shared, d)):
            sys.exit("check_schema: FAIL: models missing: %s/%s (set AIRLOCK_SHARED)" % (a.shared, d))
    if not a.node or not os.path.exists(a.node):
        sys.exit("check_schema: FAIL: node not found (needed to compile the patterns as ECMA 262)")
    problems = []
    t0 = time.time()

    # 1. every schema
    p = subprocess.run([a.tool, "schemas", a.catalog], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=True)
    unenforced = {m.group(1) for m in re.finditer(r"^airlock: pattern /(.*)/ not enforced: ",
                                                  p.stderr.decode(), re.M)}
    schemas, pats, nbytes, ndefs = {}, set(), 0, 0
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=META_FORMATS)
    for line in p.stdout.decode().split("\n")[:-1]:
        svc, op, text = line.split("\t", 2)
        nbytes += len(text)
        s = json.loads(text)
        schemas[(svc, op)] = s
        ndefs += len(s.get("$defs", {}))
        for e in meta.iter_errors(s):
            problems.append("%s:%s: metaschema: %s at %s" % (svc, op, e.message[:200], "/".join(map(str, e.absolute_path))))
            break
        for pr in structural_problems(s):
            problems.append("%s:%s: %s" % (svc, op, pr))
        pats.update(patterns_of(s))
    t1 = time.time()
    print("schema.agree: %d schemas, %.1f MB, %d $defs, %d distinct patterns, checked in %.1f s"
          % (len(schemas), nbytes / 1e6, ndefs, len(pats), t1 - t0))
    print("  patterns airlock does not enforce (reported by it): %d" % len(unenforced))

    # 2. ECMA 262 with the u flag
    js = ("const p=JSON.parse(require('fs').readFileSync(0,'utf8'));let bad=[];"
          "for(const x of p){try{new RegExp(x,'u')}catch(e){bad.push([x,e.message])}}"
          "console.log(JSON.stringify(bad))")
    r = subprocess.run([a.node, "-e", js], input=json.dumps(sorted(pats)).encode(),
                       stdout=subprocess.PIPE, check=True)
    bad = json.loads(r.stdout)
    for x, msg in bad:
        problems.append("pattern %r is not ECMA 262 (u): %s" % (x, msg))
    print("  ECMA 262 (node %s, u flag): %d of %d patterns compile"
          % (subprocess.check_output([a.node, "--version"]).decode().strip(), len(pats) - len(bad), len(pats)))

    # 3. agreement
    svcs = {}
    for line in subprocess.check_output([a.tool, "services", a.catalog]).decode().split("\n")[:-1]:
        key, proto, rel, _ = line.split("\t")
        svcs[key] = (proto, rel)
    wanted = [s for s in a.services.split(",") if s]
    cases, skipped, nops = [], [], 0
    for svc in wanted:
        if svc not in svcs:
            problems.append("service %s not in the catalog" % svc)
            continue
        m = sg.Model(sg.find_model(a.shared, svcs[svc][1]))
        for op in sorted(m.ops):
            if (svc, op) not in schemas:
                problems.append("%s:%s: in the model, not in the catalog" % (svc, op))
                continue
            nops += 1
            sid = m.input_of(op)
            rng = random.Random(sg.seed_for(svc, op))
            if sid is None:
                cases.append((svc, op, "valid", "{}"))
                cases.append((svc, op, "additionalProperties", '{"x":1}'))
                continue
            try:
                v = sg.Generator(m, rng, opt_depth=2, opt_prob=0.7).value(sid)
            except sg.NoValue as e:
                skipped.append("%s:%s (%s)" % (svc, op, e))
                continue
            cases.append((svc, op, "valid", json.dumps(v, ensure_ascii=False)))
            count = {}
            for c in sg.mutations(m, sid, v, rng, unenforced):
                if c.kind in EXCLUDED_KINDS or count.get(c.kind, 0) >= PER_KIND:
                    continue
                count[c.kind] = count.get(c.kind, 0) + 1
                cases.append((svc, op, c.kind, c.text))
    t2 = time.time()
    p = subprocess.run([a.tool, "batch", a.catalog], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       input="".join("%s\t%s\t%s\n" % (c[0], c[1], c[3]) for c in cases).encode())
    if p.returncode != 0:
        sys.exit("check_schema: FAIL: schema_tool batch exited with %d:\n%s"
                 % (p.returncode, p.stderr.decode()[-4000:]))
    results = [json.loads(x) for x in p.stdout.decode().split("\n")[:-1]]
    t3 = time.time()
    validators = {}
    agree, by_kind, disagree = 0, {}, []
    for c, r in zip(cases, results):
        svc, op, kind, text = c
        if (svc, op) not in validators:
            validators[(svc, op)] = Validator(schemas[(svc, op)], format_checker=FORMATS)
        js_ok = validators[(svc, op)].is_valid(json.loads(text))
        rt_ok = r.get("n") == 0
        st = by_kind.setdefault(kind, [0, 0])
        st[0] += 1
        if js_ok == rt_ok:
            agree += 1
            st[1] += 1
        else:
            disagree.append("%s:%s %s: jsonschema %s, airlock %s %s; input %s"
                            % (svc, op, kind, "valid" if js_ok else "invalid",
                               "valid" if rt_ok else "invalid", r.get("v", [])[:2], text[:200]))
        if kind == "valid" and not rt_ok:
            problems.append("%s:%s: generated valid input refused: %s" % (svc, op, r.get("v", [])[:3]))
    t4 = time.time()
    print("  agreement over %d services, %d operations (%d without a generated input): "
          "%d cases, %d agree, %d disagree" % (len(wanted), nops, len(skipped), len(cases), agree, len(disagree)))
    print("  time: generate %.1f s, airlock %.2f s (one batch process), jsonschema %.1f s"
          % (t2 - t1, t3 - t2, t4 - t3))
    print("  %-22s %7s %7s" % ("kind", "cases", "agree"))
    for k in sorted(by_kind):
        print("  %-22s %7d %7d" % (k, by_kind[k][0], by_kind[k][1]))
    if skipped:
        print("  no input generated for: " + ", ".join(skipped[:20]) + (" ..." if len(skipped) > 20 else ""))
    problems.extend(disagree)
    if problems:
        print("FAIL: %d problem%s" % (len(problems), "s" if len(problems) > 1 else ""))
        for x in problems[:80]:
            print("  " + x)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
