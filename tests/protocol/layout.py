#!/usr/bin/env python3
"""Lay the Smithy protocol test files out as a models directory for
airlock-compile: one model file per service (the compiler takes one
service shape per file, as in aws/api-models-aws), holding the shapes that
service reaches, at <dir>/<service-name>/service/<version>/<service-name>.json.

    layout.py [--clean] [--rules-from SERVICE_ID=MODEL] SRC_DIR OUT_DIR FILE...

--clean empties OUT_DIR first.  A missing FILE is an error.

--rules-from gives the test service SERVICE_ID the endpoint rules of the
real service in MODEL (an api-models-aws file): its endpointRuleSet and
clientContextParams, and the contextParam / staticContextParams /
operationContextParams of every shape the two models share.  The S3 cases
of the restXml suite expect S3's addressing (bucket in the host, dual-stack,
accelerate), which the test model leaves to each SDK's rules.

Prints one line per service written: "<file> <service shape id>".
"""
import json
import os
import shutil
import sys


def closure(shapes, root):
    seen = set()
    todo = [root]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in shapes:
            continue
        seen.add(sid)
        s = shapes[sid]
        refs = []
        for key in ("operations", "resources", "errors"):
            refs += [x["target"] for x in s.get(key, [])]
        for key in ("input", "output", "member", "key", "value", "create", "put", "read",
                    "update", "delete", "list"):
            if isinstance(s.get(key), dict):
                refs.append(s[key]["target"])
        for m in s.get("members", {}).values():
            refs.append(m["target"])
        todo += refs
    return seen


RULE_TRAITS = ("smithy.rules#endpointRuleSet", "smithy.rules#clientContextParams")
OP_TRAITS = ("smithy.rules#staticContextParams", "smithy.rules#operationContextParams")


def graft_rules(shapes, sid, model_path):
    with open(model_path) as f:
        real = json.load(f)["shapes"]
    traits = shapes[sid].setdefault("traits", {})
    for t in RULE_TRAITS:
        if t in real[sid].get("traits", {}):
            traits[t] = real[sid]["traits"][t]
    for k, s in shapes.items():
        r = real.get(k)
        if not r or k == sid:
            continue
        for t in OP_TRAITS:
            if t in r.get("traits", {}):
                s.setdefault("traits", {})[t] = r["traits"][t]
        for mname, m in s.get("members", {}).items():
            rm = r.get("members", {}).get(mname, {})
            if "smithy.rules#contextParam" in rm.get("traits", {}):
                m.setdefault("traits", {})["smithy.rules#contextParam"] = \
                    rm["traits"]["smithy.rules#contextParam"]


def main():
    args = sys.argv[1:]
    clean = False
    rules = {}
    while args and args[0].startswith("--"):
        if args[0] == "--clean":
            clean = True
            args = args[1:]
        elif args[0] == "--rules-from" and len(args) > 1:
            sid, path = args[1].split("=", 1)
            rules[sid] = path
            args = args[2:]
        else:
            sys.exit("layout.py: unknown option " + args[0])
    if len(args) < 3:
        sys.exit("usage: layout.py [--clean] SRC_DIR OUT_DIR FILE...")
    src, out = args[0], args[1]
    if clean and os.path.isdir(out):
        shutil.rmtree(out)
    for name in args[2:]:
        with open(os.path.join(src, name)) as f:
            model = json.load(f)
        shapes = model["shapes"]
        for sid, s in shapes.items():
            if s.get("type") != "service":
                continue
            if sid in rules:
                graft_rules(shapes, sid, rules[sid])
            keep = closure(shapes, sid)
            sub = {"smithy": model.get("smithy", "2.0"),
                   "shapes": {k: shapes[k] for k in shapes if k in keep}}
            if "metadata" in model:
                sub["metadata"] = model["metadata"]
            short = sid.split("#")[1]
            ver = s.get("version", "1")
            d = os.path.join(out, short, "service", ver)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, short + ".json"), "w") as f:
                json.dump(sub, f)
            print(name, sid)


if __name__ == "__main__":
    main()
