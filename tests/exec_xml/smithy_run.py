#!/usr/bin/env python3
"""Run the Smithy protocol tests of the XML protocols (restXml, awsQuery,
ec2Query) through xml_driver, for development: the shared harness in
tests/protocol is the one the test suite runs.

    smithy_run.py XML_DRIVER CATALOG TESTS_DIR [FILE...] [-v] [-k ID]

Compares the way the tests prescribe: XML bodies semantically (element
names with their namespaces, attributes, leaf text exactly, whitespace
between elements ignored), form bodies by their parameters, headers and
query parameters by value, forbidden and required items; outputs and error
members by value (timestamps as instants, blobs as bytes, NaN as NaN).
"""
import base64
import json
import math
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

PROTOS = {"aws.protocols#restXml": "restXml", "aws.protocols#awsQuery": "awsQuery",
          "aws.protocols#ec2Query": "ec2Query"}
FILES = ["aws-restXml.json", "aws-restXmlWithNamespace.json", "aws-awsQuery.json",
         "aws-ec2Query.json"]
PRELUDE = {"String": "string", "Blob": "blob", "Boolean": "boolean", "Byte": "byte",
           "Short": "short", "Integer": "integer", "Long": "long", "Float": "float",
           "Double": "double", "BigInteger": "bigInteger", "BigDecimal": "bigDecimal",
           "Timestamp": "timestamp", "Document": "document", "PrimitiveBoolean": "boolean",
           "PrimitiveInteger": "integer", "PrimitiveLong": "long", "PrimitiveFloat": "float",
           "PrimitiveDouble": "double", "PrimitiveShort": "short", "PrimitiveByte": "byte",
           "Unit": "structure"}


class Model:
    def __init__(self, shapes):
        self.shapes = shapes

    def shape(self, sid):
        if sid.startswith("smithy.api#"):
            return {"type": PRELUDE[sid.split("#")[1]]}
        return self.shapes[sid]

    def members(self, sid):
        s = self.shape(sid)
        return s.get("members", {})


def to_input(model, sid, v):
    """Smithy test params -> the caller-side JSON (blobs base64)."""
    if v is None:
        return None
    s = model.shape(sid)
    t = s["type"]
    if t in ("structure", "union"):
        ms = s.get("members", {})
        return {k: to_input(model, ms[k]["target"], x) for k, x in v.items() if k in ms}
    if t in ("list", "set"):
        return [to_input(model, s["member"]["target"], x) for x in v]
    if t == "map":
        return {k: to_input(model, s["value"]["target"], x) for k, x in v.items()}
    if t == "blob":
        return base64.b64encode(v.encode("utf-8")).decode()
    return v


def parse_time(x):
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        s = x.replace("Z", "+00:00")
        try:
            return datetime.fromisoformat(s).timestamp()
        except ValueError:
            return None
    return None


def same(model, sid, want, got, path, diffs):
    s = model.shape(sid) if sid else {"type": "document"}
    t = s["type"]
    if want is None:
        if got is not None:
            diffs.append(f"{path}: expected unset, got {json.dumps(got)[:200]}")
        return
    if got is None:
        diffs.append(f"{path}: missing (expected {json.dumps(want)[:200]})")
        return
    if t in ("structure", "union"):
        if not isinstance(got, dict):
            diffs.append(f"{path}: not an object: {got!r}")
            return
        ms = s.get("members", {})
        for k in set(want) | set(got):
            if k not in ms:
                diffs.append(f"{path}.{k}: not a member")
                continue
            same(model, ms[k]["target"], want.get(k), got.get(k), f"{path}.{k}", diffs)
    elif t in ("list", "set"):
        if not isinstance(got, list) or len(got) != len(want):
            diffs.append(f"{path}: list {json.dumps(got)[:200]} != {json.dumps(want)[:200]}")
            return
        for i, (a, b) in enumerate(zip(want, got)):
            same(model, s["member"]["target"], a, b, f"{path}[{i}]", diffs)
    elif t == "map":
        if not isinstance(got, dict) or set(got) != set(want):
            diffs.append(f"{path}: map keys {sorted(got) if isinstance(got, dict) else got}"
                         f" != {sorted(want)}")
            return
        for k in want:
            same(model, s["value"]["target"], want[k], got[k], f"{path}[{k}]", diffs)
    elif t == "blob":
        try:
            ok = base64.b64decode(got) == want.encode("utf-8")
        except Exception:
            ok = False
        if not ok:
            diffs.append(f"{path}: blob {got!r} != base64({want!r})")
    elif t == "timestamp":
        a, b = parse_time(want), parse_time(got)
        if a is None or b is None or abs(a - b) > 1e-6:
            diffs.append(f"{path}: timestamp {got!r} != {want!r}")
    elif t in ("float", "double"):
        if isinstance(want, str) or isinstance(got, str):
            if want != got:
                diffs.append(f"{path}: {got!r} != {want!r}")
        elif not math.isclose(float(want), float(got), rel_tol=1e-6):
            diffs.append(f"{path}: {got!r} != {want!r}")
    else:
        if want != got:
            diffs.append(f"{path}: {got!r} != {want!r}")


def xml_canon(e):
    kids = list(e)
    text = (e.text or "")
    if kids:
        text = text.strip()
    # Siblings of different names may come in any order (as in Smithy's
    # XmlUnit comparison); same-named ones (list items) keep theirs.
    kids = sorted(kids, key=lambda k: k.tag)
    return (e.tag, tuple(sorted(e.attrib.items())), text, tuple(xml_canon(k) for k in kids))


def xml_same(a, b):
    try:
        return xml_canon(ET.fromstring(a)) == xml_canon(ET.fromstring(b))
    except ET.ParseError as ex:
        return f"parse error {ex}"


def form_pairs(s):
    return sorted(urllib.parse.parse_qsl(s, keep_blank_values=True))


def check_request(case, got, diffs):
    if "serialize_error" in got:
        diffs.append("serialize: " + got["serialize_error"])
        return
    if case.get("method") and got["method"] != case["method"]:
        diffs.append(f"method {got['method']} != {case['method']}")
    if "uri" in case and got["path"] != case["uri"]:
        diffs.append(f"path {got['path']} != {case['uri']}")
    q = [(n, v) for n, v in got["query"]]
    for qp in case.get("queryParams", []):
        n, _, v = qp.partition("=")
        n, v = urllib.parse.unquote(n), urllib.parse.unquote(v) if "=" in qp else None
        if (n, v) not in q and not (v == "" and (n, None) in q):
            diffs.append(f"query {qp} missing (have {q})")
    names = [n for n, _ in q]
    for n in case.get("forbidQueryParams", []):
        if n in names:
            diffs.append(f"query {n} forbidden")
    for n in case.get("requireQueryParams", []):
        if n not in names:
            diffs.append(f"query {n} required")
    hdr = {}
    for n, v in got["headers"]:
        hdr.setdefault(n.lower(), v)
    for n, v in case.get("headers", {}).items():
        if hdr.get(n.lower()) != v:
            diffs.append(f"header {n}: {hdr.get(n.lower())!r} != {v!r}")
    for n in case.get("forbidHeaders", []):
        if n.lower() in hdr:
            diffs.append(f"header {n} forbidden")
    for n in case.get("requireHeaders", []):
        if n.lower() not in hdr and n.lower() != "content-length":
            diffs.append(f"header {n} required")
    body = base64.b64decode(got["body_b64"])
    if "body" in case:
        want = case["body"]
        mt = case.get("bodyMediaType", "")
        if want == "":
            if body:
                diffs.append(f"body should be empty, is {body[:200]!r}")
        elif "xml" in mt:
            r = xml_same(want, body.decode("utf-8", "replace"))
            if r is not True:
                diffs.append(f"xml body differs ({r}):\n got {body.decode('utf-8', 'replace')}"
                             f"\nwant {want}")
        elif "urlencoded" in mt or case.get("headers", {}).get(
                "Content-Type", "").startswith("application/x-www-form-urlencoded"):
            if form_pairs(want) != form_pairs(body.decode()):
                diffs.append(f"form body:\n got {body.decode()}\nwant {want}")
        elif body != want.encode("utf-8"):
            diffs.append(f"body {body[:200]!r} != {want[:200]!r}")
    if "resolvedHost" in case:
        host = got["host_prefix"] + case.get("host", "example.com")
        if host != case["resolvedHost"]:
            diffs.append(f"host {host} != {case['resolvedHost']}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    only = None
    if "-k" in sys.argv:
        only = sys.argv[sys.argv.index("-k") + 1]
        args.remove(only)
    driver, catalog, tdir = args[:3]
    files = args[3:] or FILES
    jobs, meta = [], []
    for f in files:
        d = json.load(open(f"{tdir}/{f}"))
        shapes = d["shapes"]
        model = Model(shapes)
        svc_of = {}
        for sid, s in shapes.items():
            if s["type"] == "service":
                proto = next((PROTOS[t] for t in s.get("traits", {}) if t in PROTOS), None)
                for o in s.get("operations", []):
                    svc_of[o["target"]] = (sid.split("#")[1], proto)
        for sid, s in shapes.items():
            tr = s.get("traits", {})
            for kind in ("smithy.test#httpRequestTests", "smithy.test#httpResponseTests"):
                for case in tr.get(kind, []):
                    if case.get("appliesTo") == "server":
                        continue
                    if only and case["id"] != only:
                        continue
                    if s["type"] == "operation":
                        svc, proto = svc_of[sid]
                        op = sid.split("#")[1]
                        err = None
                    else:  # an error shape: run through an operation that lists it
                        err = sid
                        op = None
                        for osid, o in shapes.items():
                            if o["type"] == "operation" and any(
                                    x["target"] == sid for x in o.get("errors", [])):
                                op = osid
                                break
                        svc, proto = svc_of[op]
                        op = op.split("#")[1]
                    if proto != case.get("protocol", "").split("#")[-1] and case.get("protocol"):
                        continue
                    osid = f"{sid.split('#')[0]}#{op}"
                    if kind.endswith("RequestTests"):
                        ishape = shapes[osid].get("input", {}).get("target")
                        params = to_input(model, ishape, case.get("params", {}) or {}) \
                            if ishape else {}
                        if ishape:
                            for mn, m in model.members(ishape).items():
                                if "smithy.api#idempotencyToken" in m.get("traits", {}) \
                                        and mn not in params:
                                    params[mn] = "00000000-0000-4000-8000-000000000000"
                        jobs.append({"service": svc, "operation": op, "params": params})
                    else:
                        jobs.append({"service": svc, "operation": op, "response": {
                            "code": case.get("code", 200), "headers": case.get("headers", {}),
                            "body": case.get("body", "")}})
                    meta.append((proto, case, kind, model, osid, err, shapes))
    inp = "".join(json.dumps(j) + "\n" for j in jobs)
    out = subprocess.run([driver, catalog], input=inp.encode(), capture_output=True)
    if out.returncode:
        print(out.stderr.decode())
        sys.exit(1)
    results = [json.loads(x) for x in out.stdout.decode().splitlines()]
    counts = {}
    failed = 0
    for (proto, case, kind, model, osid, err, shapes), got in zip(meta, results):
        diffs = []
        if "fail" in got:
            diffs.append(got["fail"])
        elif kind.endswith("RequestTests"):
            check_request(case, got, diffs)
        elif err:
            e = got.get("error") or {}
            if e.get("type") not in (err, err.split("#")[1]):
                diffs.append(f"error type {e.get('type')!r} (code {e.get('code')!r}) != {err}")
            same(model, err, case.get("params", {}), e.get("fields", {}), "", diffs)
        else:
            if "output" not in got:
                diffs.append(f"error: {json.dumps(got)[:400]}")
            else:
                oshape = shapes[osid].get("output", {}).get("target")
                if oshape:
                    same(model, oshape, case.get("params", {}) or {}, got["output"], "", diffs)
        c = counts.setdefault(proto, [0, 0])
        c[1] += 1
        if diffs:
            failed += 1
            print(f"FAIL {proto} {case['id']}")
            for d in diffs:
                print("     " + d)
        else:
            c[0] += 1
            if verbose:
                print(f"ok   {proto} {case['id']}")
    for p, (ok, n) in counts.items():
        print(f"{p}: {ok}/{n} passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
