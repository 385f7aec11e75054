#!/usr/bin/env python3
"""tests/cdiff: `airlock-compile diff` between catalogs built from models
that differ in known ways.

  --case build      copy real models (sqs, sns, dynamodb, ec2) from the
                    shared corpus into WORK/old, and make WORK/new (sns
                    removed, sts added, the mutations below) and WORK/renamed
                    (shapes cloned under new names, nothing else changed);
                    build old.alc (policy/default.yaml), new.alc
                    (tests/cdiff/policy-new.yaml, readmap-new.tsv) and
                    renamed.alc; all with only the test's read-mapping overrides
  --case known      diff old new: exactly EXPECTED, in --json, in the text
                    and in --stat; exit 1
  --case identical  old against itself and against a second build of the
                    same models: exit 0, no change, in every output form
  --case renamed    old against renamed: only the two model digests change
                    (the comparison is structural, not by shape name/index)
  --case shared     old against shared.alc, where the shape sqs#String (used
                    all over sqs) gained a length: every edge to it is
                    reported, in every operation, at the path the
                    documented walk reaches first (the set is computed here
                    from the model JSON) -- the cache of equal shape pairs
                    must never hide a change from a later operation
  --case errors     exit 2 with a precise message: corrupt (checksum; an
                    operation record pointing outside SHAPES under a valid
                    checksum),
                    truncated, missing, not a catalog, usage, shapes nested
                    deeper than the walk goes, output to a full disk
  --case self       CATALOG against itself (the full corpus): exit 0, no
                    change

Every mutation below is made where exactly one operation reaches it (a
member of that operation's own input, or a clone of a shared shape made
for it), so the expected set is known without re-implementing the diff.
"""
import argparse
import copy
import json
import os
import shutil
import struct
import subprocess
import sys

MODELS = {
    "sqs": "api-models-aws/sqs/service/2012-11-05/sqs-2012-11-05.json",
    "sns": "api-models-aws/sns/service/2010-03-31/sns-2010-03-31.json",
    "sts": "api-models-aws/sts/service/2011-06-15/sts-2011-06-15.json",
    "dynamodb": "api-models-aws/dynamodb/service/2012-08-10/dynamodb-2012-08-10.json",
    "ec2": "models-derived/ec2/service/2016-11-15/ec2-2016-11-15.json",
}
OLD_SERVICES = ["sqs", "sns", "dynamodb", "ec2"]
DEEP = 300
NEW_SERVICES = ["sqs", "sts", "dynamodb", "ec2"]

# (kind, service, operation, path, old, new); None for old/new: not checked
# beyond presence (they are asserted below where a value is known).
EXPECTED = [
    ("catalog.changed", None, None, "models-revision", "r1", "r2"),
    ("catalog.changed", None, None, "policy", "policy/default.yaml", "@POLICY"),
    ("catalog.changed", None, None, "policy-digest", "*", "*"),
    ("service.removed", "sns", None, None, "*", None),
    ("service.added", "sts", None, None, None, "*"),
    ("service.changed", "dynamodb", None, "model", "*", "*"),
    ("constraint.length", "dynamodb", "DescribeTable", "input.TableName", "1..1024", "1..2048"),
    ("constraint.range", "dynamodb", "Scan", "input.Limit", "1..", "1..1000"),
    ("constraint.pattern", "dynamodb", "Query", "input.IndexName",
     "^[a-zA-Z0-9_.-]+$", "^[a-z]+$"),
    ("enum.value-added", "dynamodb", "GetItem", "input.ReturnConsumedCapacity",
     None, "EVERYTHING"),
    ("member.added", "dynamodb", "PutItem", "input.Item{}.X", None, "string"),
    ("service.changed", "ec2", None, "model", "*", "*"),
    ("constraint.length", "ec2", "RunInstances",
     "input.TagSpecifications[].Tags[].Key", None, "1..128"),
    ("service.changed", "sqs", None, "model", "*", "*"),
    ("member.required", "sqs", "CreateQueue", "input.Attributes", "false", "true"),
    ("operation.changed", "sqs", "SetQueueAttributes", "read-mapping",
     "update: GetQueueAttributes (QueueUrl=QueueUrl)",
     "update: GetQueueAttributes Attributes (QueueUrl=QueueUrl)"),
    ("policy.risk", "sqs", "ListQueues", None, "low", "high"),
    ("policy.decision", "sqs", "ListQueues", None, "allow", "deny"),
    ("operation.added", "sqs", "PingQueue", None, None, "medium write, allow"),
    ("member.removed", "sqs", "ReceiveMessage", "input.VisibilityTimeout", "integer", None),
    ("shape.type", "sqs", "ReceiveMessage", "input.MaxNumberOfMessages", "integer", "long"),
    ("policy.decision", "sqs", "SendMessage", None, "allow", "deny"),
    ("policy.rule", "sqs", "SendMessage", None, "default", "deny-sqs-send"),
    ("member.sensitive", "sqs", "SendMessage", "input.MessageBody", "false", "true"),
    ("member.added", "sqs", "SendMessage", "input.TraceId", None, "string"),
    ("operation.removed", "sqs", "TagQueue", None, "medium write, allow", None),
    ("error.added", "sqs", "DeleteQueue", None, None, "OverLimit"),
    ("error.removed", "sqs", "PurgeQueue", None, "PurgeQueueInProgress", None),
    ("operation.changed", "sqs", "PurgeQueue", "deprecated", "false", "true"),
    ("operation.changed", "sqs", "ListQueues", "pagination",
     "input-token=NextToken output-token=NextToken items=QueueUrls page-size=MaxResults",
     "input-token=NextToken output-token=NextToken items=QueueUrls page-size="),
    ("operation.changed", "sqs", "SendMessage", "idempotency-token", None,
     "MessageDeduplicationId"),
    # the change inside the recursive AttributeValue clone's own cycle is
    # reported once, at the first path: nothing at input.Item{}.M{}.X
]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def load(shared, svc):
    p = os.path.join(shared, MODELS[svc])
    if not os.path.isfile(p):
        fail(f"{p}: missing (AIRLOCK_SHARED must hold the AWS models)")
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def write_model(root, svc, model, raw=None):
    rel = MODELS[svc].split("/", 1)[1]
    dst = os.path.join(root, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if raw is not None:
        shutil.copyfile(raw, dst)
    else:
        with open(dst, "w", encoding="utf-8") as f:
            json.dump(model, f, indent=1)  # source order: rule-set records keep it


def service_shape(model):
    ids = [k for k, v in model["shapes"].items() if v["type"] == "service"]
    if len(ids) != 1:
        fail(f"expected one service shape, found {ids}")
    return model["shapes"][ids[0]]


def op_input(model, ns, op):
    return model["shapes"][model["shapes"][ns + op]["input"]["target"]]


def clone(model, src, dst):
    sh = model["shapes"]
    if src not in sh or dst in sh:
        fail(f"clone {src} -> {dst}: source missing or target exists")
    sh[dst] = copy.deepcopy(sh[src])
    return sh[dst]


def privatize_chains(model_ddb, model_ec2):
    """Clone the shapes that the recursive (dynamodb PutItem) and the deep
    (ec2 RunInstances) mutations touch, so that only one operation reaches
    them.  Structurally nothing changes."""
    d = "com.amazonaws.dynamodb#"
    put = op_input(model_ddb, d, "PutItem")
    clone(model_ddb, d + "PutItemInputAttributeMap", d + "CdiffItemMap")["value"]["target"] = d + "CdiffAV"
    av = clone(model_ddb, d + "AttributeValue", d + "CdiffAV")
    av["members"]["M"]["target"] = d + "CdiffMap"
    av["members"]["L"]["target"] = d + "CdiffList"
    clone(model_ddb, d + "MapAttributeValue", d + "CdiffMap")["value"]["target"] = d + "CdiffAV"
    clone(model_ddb, d + "ListAttributeValue", d + "CdiffList")["member"]["target"] = d + "CdiffAV"
    put["members"]["Item"]["target"] = d + "CdiffItemMap"

    e = "com.amazonaws.ec2#"
    run = op_input(model_ec2, e, "RunInstances")
    clone(model_ec2, e + "TagSpecificationList", e + "CdiffTagSpecList")["member"]["target"] = e + "CdiffTagSpec"
    clone(model_ec2, e + "TagSpecification", e + "CdiffTagSpec")["members"]["Tags"]["target"] = e + "CdiffTagList"
    clone(model_ec2, e + "TagList", e + "CdiffTagList")["member"]["target"] = e + "CdiffTag"
    clone(model_ec2, e + "Tag", e + "CdiffTag")
    run["members"]["TagSpecifications"]["target"] = e + "CdiffTagSpecList"


def mutate(sqs, ddb, ec2):
    q = "com.amazonaws.sqs#"
    svc = service_shape(sqs)
    # remove an operation, add one
    svc["operations"] = [o for o in svc["operations"] if o["target"] != q + "TagQueue"]
    svc["operations"].append({"target": q + "PingQueue"})
    sqs["shapes"][q + "PingQueue"] = {
        "type": "operation",
        "input": {"target": q + "PingQueueRequest"},
        "output": {"target": "smithy.api#Unit"},
        "traits": {"smithy.api#documentation": "Pings a queue."},
    }
    sqs["shapes"][q + "PingQueueRequest"] = {
        "type": "structure",
        "members": {"QueueUrl": {"target": q + "String",
                                 "traits": {"smithy.api#required": {}}}},
        "traits": {"smithy.api#input": {}},
    }
    send = op_input(sqs, q, "SendMessage")
    send["members"]["TraceId"] = {"target": q + "String"}                 # member added
    sqs["shapes"][q + "CdiffSecretBody"] = {                              # sensitive
        "type": "string", "traits": {"smithy.api#sensitive": {}}}
    send["members"]["MessageBody"]["target"] = q + "CdiffSecretBody"
    recv = op_input(sqs, q, "ReceiveMessage")
    del recv["members"]["VisibilityTimeout"]                              # member removed
    if sqs["shapes"].get(q + "Long", {}).get("type") != "long":
        fail("sqs#Long is not a long")
    recv["members"]["MaxNumberOfMessages"]["target"] = q + "Long"         # type
    op_input(sqs, q, "CreateQueue")["members"]["Attributes"].setdefault(
        "traits", {})["smithy.api#required"] = {}                         # required
    sh = sqs["shapes"]
    sh[q + "DeleteQueue"]["errors"].append({"target": q + "OverLimit"})   # errors
    sh[q + "PurgeQueue"]["errors"] = [e for e in sh[q + "PurgeQueue"]["errors"]
                                      if e["target"] != q + "PurgeQueueInProgress"]
    sh[q + "PurgeQueue"].setdefault("traits", {})["smithy.api#deprecated"] = {}
    del sh[q + "ListQueues"]["traits"]["smithy.api#paginated"]["pageSize"]
    send["members"]["MessageDeduplicationId"].setdefault("traits", {})[
        "smithy.api#idempotencyToken"] = {}

    d = "com.amazonaws.dynamodb#"
    op_input(ddb, d, "DescribeTable")["members"]["TableName"]["traits"][
        "smithy.api#length"] = {"min": 1, "max": 2048}                    # length
    op_input(ddb, d, "Scan")["members"]["Limit"].setdefault("traits", {})[
        "smithy.api#range"] = {"min": 1, "max": 1000}                     # range
    op_input(ddb, d, "Query")["members"]["IndexName"].setdefault("traits", {})[
        "smithy.api#pattern"] = "^[a-z]+$"                                # pattern
    rcc = clone(ddb, d + "ReturnConsumedCapacity", d + "CdiffReturnCC")  # enum value
    rcc["members"]["EVERYTHING"] = {"target": "smithy.api#Unit",
                                    "traits": {"smithy.api#enumValue": "EVERYTHING"}}
    op_input(ddb, d, "GetItem")["members"]["ReturnConsumedCapacity"]["target"] = d + "CdiffReturnCC"
    ddb["shapes"][d + "CdiffAV"]["members"]["X"] = {                      # recursive
        "target": d + "StringAttributeValue"}

    e = "com.amazonaws.ec2#"
    ec2["shapes"][e + "CdiffTag"]["members"]["Key"].setdefault("traits", {})[
        "smithy.api#length"] = {"min": 1, "max": 128}                     # deep


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build(a, models, out, policy, revision, readmap=None):
    cmd = [a.bin, "build", "--models", models, "--source", "cdiff-test",
           "--revision", revision, "--threads", "2", "--no-cache", "-o", out]
    cmd += ["--policy", policy] if policy else []
    # the read-mapping overrides are the test's own, not catalogs/'s
    cmd += ["--readmap-overrides", readmap] if readmap else ["--no-readmap-overrides"]
    r = run(cmd)
    if r.returncode != 0 or not os.path.isfile(out):
        fail(f"build {models} failed ({r.returncode}):\n{r.stderr}")


def case_build(a):
    shutil.rmtree(a.work, ignore_errors=True)
    old, new, ren = (os.path.join(a.work, x) for x in ("old", "new", "renamed"))
    for svc in OLD_SERVICES:
        write_model(old, svc, None, raw=os.path.join(a.shared, MODELS[svc]))
    ddb, ec2 = load(a.shared, "dynamodb"), load(a.shared, "ec2")
    privatize_chains(ddb, ec2)
    for svc in OLD_SERVICES:
        if svc == "dynamodb":
            write_model(ren, svc, ddb)
        elif svc == "ec2":
            write_model(ren, svc, ec2)
        else:
            write_model(ren, svc, None, raw=os.path.join(a.shared, MODELS[svc]))
    sqs = load(a.shared, "sqs")
    mutate(sqs, ddb, ec2)
    write_model(new, "sqs", sqs)
    write_model(new, "dynamodb", ddb)
    write_model(new, "ec2", ec2)
    write_model(new, "sts", None, raw=os.path.join(a.shared, MODELS["sts"]))
    build(a, old, os.path.join(a.work, "old.alc"), None, "r1")
    build(a, old, os.path.join(a.work, "old2.alc"), None, "r1")
    build(a, ren, os.path.join(a.work, "renamed.alc"), None, "r1")
    build(a, new, os.path.join(a.work, "new.alc"), a.policy, "r2",
          os.path.join(os.path.dirname(a.policy), "readmap-new.tsv"))
    shared = os.path.join(a.work, "shared")
    for svc in OLD_SERVICES:
        if svc != "sqs":
            write_model(shared, svc, None, raw=os.path.join(a.shared, MODELS[svc]))
    sqs = load(a.shared, "sqs")
    sqs["shapes"]["com.amazonaws.sqs#String"].setdefault("traits", {})[
        "smithy.api#length"] = {"min": 1, "max": 10}
    write_model(shared, "sqs", sqs)
    build(a, shared, os.path.join(a.work, "shared.alc"), None, "r1")
    # structures nested deeper than the diff walks (CC_DIFF_MAX_DEPTH 256)
    deep = os.path.join(a.work, "deep")
    sqs = load(a.shared, "sqs")
    q = "com.amazonaws.sqs#"
    for i in range(DEEP):
        nxt = {"Next": {"target": q + f"CdiffDeep{i + 1}"}} if i + 1 < DEEP else {}
        sqs["shapes"][q + f"CdiffDeep{i}"] = {"type": "structure", "members": nxt}
    op_input(sqs, q, "SendMessage")["members"]["Deep"] = {"target": q + "CdiffDeep0"}
    write_model(deep, "sqs", sqs)
    build(a, deep, os.path.join(a.work, "deep.alc"), None, "r1")
    print("ok: built old, old2, renamed, new, shared and deep catalogs")


def diff(a, *args):
    return run([a.bin, "diff", *args])


def diff_json(a, x, y):
    r = diff(a, "--json", x, y)
    if r.returncode not in (0, 1):
        fail(f"diff --json {x} {y}: exit {r.returncode}\n{r.stderr}")
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError as e:
        fail(f"diff --json output is not JSON ({e}):\n{r.stdout[:2000]}")


def check_schema(doc, x, y):
    if doc.get("schema") != "airlock-catalog-diff/1":
        fail(f"schema: {doc.get('schema')!r}")
    if doc.get("shapes_compared") != ["input", "output"]:
        fail(f"shapes_compared: {doc.get('shapes_compared')!r}")
    for side, f in (("old", x), ("new", y)):
        s = doc.get(side, {})
        if s.get("file") != f or len(s.get("checksum", "")) != 32:
            fail(f"{side}: {s}")
    for c in doc["changes"]:
        if set(c) != {"kind", "service", "operation", "path", "old", "new"}:
            fail(f"change keys: {sorted(c)}")
    summ = doc["summary"]
    if summ["changes"] != len(doc["changes"]):
        fail(f"summary.changes {summ['changes']} != {len(doc['changes'])}")
    kinds = {}
    for c in doc["changes"]:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    if summ["kinds"] != kinds:
        fail(f"summary.kinds {summ['kinds']} != counted {kinds}")
    for what, k in (("services", "service"), ("operations", "operation")):
        for verb in ("added", "removed"):
            n = sum(1 for c in doc["changes"] if c["kind"] == f"{k}.{verb}")
            if summ[what][verb] != n:
                fail(f"summary.{what}.{verb} {summ[what][verb]} != {n}")


def key(c):
    return (c["kind"], c["service"], c["operation"], c["path"])


def case_known(a):
    x, y = os.path.join(a.work, "old.alc"), os.path.join(a.work, "new.alc")
    rc, doc = diff_json(a, x, y)
    if rc != 1:
        fail(f"exit {rc} for differing catalogs (want 1)")
    check_schema(doc, x, y)
    got = {key(c): c for c in doc["changes"]}
    if len(got) != len(doc["changes"]):
        fail("a change is reported twice")
    want = {e[:4]: e for e in EXPECTED}
    missing = sorted(set(want) - set(got), key=str)
    extra = sorted(set(got) - set(want), key=str)
    if missing or extra:
        fail("change set differs\n  missing: %s\n  unexpected: %s" % (
            "\n    ".join(map(str, missing)) or "-",
            "\n    ".join(json.dumps(got[k]) for k in extra) or "-"))
    for k, e in want.items():
        c = got[k]
        for field, v in (("old", e[4]), ("new", e[5])):
            v = a.policy if v == "@POLICY" else v
            if v == "*":
                if not c[field]:
                    fail(f"{k}: {field} is empty")
            elif c[field] != v:
                fail(f"{k}: {field} {c[field]!r}, want {v!r}")
    summ = doc["summary"]
    if summ["services"] != {"added": 1, "removed": 1, "changed": 3}:
        fail(f"summary.services {summ['services']}")
    if summ["operations"] != {"added": 1, "removed": 1, "changed": 13}:
        fail(f"summary.operations {summ['operations']}")
    print(f"ok: --json has exactly the {len(EXPECTED)} expected changes")

    # the text names every change, under its service and operation
    r = diff(a, "--color", "never", x, y)
    if r.returncode != 1 or "\033[" in r.stdout:
        fail(f"text: exit {r.returncode} (want 1), or colours off a terminal")
    lines = r.stdout.splitlines()
    for e in EXPECTED:
        kind, svc, op, path = e[:4]
        if svc and not any(l.lstrip("+-~ ").startswith("service " + svc) for l in lines):
            fail(f"text: no line for service {svc}")
        if op and not any(("operation " + op) in l for l in lines):
            fail(f"text: no line for operation {op}")
        if path and not any(path in l for l in lines):
            fail(f"text: {path} not mentioned")
        val = e[5] if e[5] not in (None, "*", "@POLICY") else e[4]
        if val not in (None, "*") and not any(val in l for l in lines):
            fail(f"text: value {val!r} of {e[:4]} not shown")
    want_line = ("31 changes: services +1 -1 ~3, operations +1 -1 ~13"
                 " (shapes compared: input, output)")
    if lines[-1] != want_line:
        fail(f"text summary {lines[-1]!r}, want {want_line!r}")
    for mark, l in (("+", "+ service sts"), ("-", "- service sns"),
                    ("+", "  + operation PingQueue"), ("-", "  - operation TagQueue"),
                    ("~", "      ~ input.Attributes  required: false -> true"),
                    ("+", "      + input.TraceId  string"),
                    ("-", "      - input.VisibilityTimeout  integer"),
                    ("+", "      + error OverLimit"),
                    ("-", "      - error PurgeQueueInProgress"),
                    ("~", "      ~ deprecated: false -> true")):
        if not any(ln.startswith(l) for ln in lines):
            fail(f"text: no line starting {l!r}:\n{r.stdout}")
    r = diff(a, "--color", "always", x, y)
    if "\033[32m+" not in r.stdout or "\033[31m-" not in r.stdout:
        fail("--color always: no coloured markers")
    print("ok: the text output shows every change, with markers and summary")

    r = diff(a, "--stat", x, y)
    if r.returncode != 1:
        fail(f"--stat exit {r.returncode}")
    stat = dict(l.split() for l in r.stdout.splitlines()[:-1])
    if {k: int(v) for k, v in stat.items()} != summ["kinds"] or \
            r.stdout.splitlines()[-1] != want_line:
        fail(f"--stat disagrees with --json:\n{r.stdout}")
    r = diff(a, "--quiet", x, y)
    if r.returncode != 1 or r.stdout:
        fail(f"--quiet: exit {r.returncode}, output {r.stdout!r}")
    # the other direction mirrors every change
    rc, back = diff_json(a, y, x)
    if rc != 1 or len(back["changes"]) != len(EXPECTED):
        fail(f"new -> old: exit {rc}, {len(back['changes'])} changes")
    print("ok: --stat, --quiet and the reverse diff agree")


def case_identical(a):
    x = os.path.join(a.work, "old.alc")
    for y in (x, os.path.join(a.work, "old2.alc")):
        rc, doc = diff_json(a, x, y)
        check_schema(doc, x, y)
        if rc != 0 or doc["changes"] or doc["summary"]["changes"] != 0:
            fail(f"{x} vs {y}: exit {rc}, {len(doc['changes'])} changes")
        for opt in ("--stat", "--quiet", "--color=never"):
            r = diff(a, opt, x, y)
            if r.returncode != 0:
                fail(f"{opt}: exit {r.returncode}")
        r = diff(a, x, y)
        if r.stdout != ("0 changes: services +0 -0 ~0, operations +0 -0 ~0"
                        " (shapes compared: input, output)\n"):
            fail(f"text for identical catalogs: {r.stdout!r}")
    print("ok: identical catalogs: exit 0, no change")


def case_renamed(a):
    x, y = os.path.join(a.work, "old.alc"), os.path.join(a.work, "renamed.alc")
    rc, doc = diff_json(a, x, y)
    got = sorted(key(c) for c in doc["changes"])
    want = [("service.changed", "dynamodb", None, "model"),
            ("service.changed", "ec2", None, "model")]
    if rc != 1 or got != want:
        fail(f"renamed shapes: exit {rc}, changes {got}, want {want}")
    print("ok: shapes cloned under other names are structurally equal")


def edges_to(model, root, target, side):
    """Paths of the edges to TARGET, each owner expanded once, members in
    name order, depth first (the walk cc_diff.h documents)."""
    sh, seen, out = model["shapes"], set(), []

    def walk(sid, path):
        if sid not in sh or sid in seen:
            return
        seen.add(sid)
        s = sh[sid]
        kids = []
        if s["type"] in ("structure", "union"):
            kids = [("." + n, m["target"]) for n, m in sorted(s.get("members", {}).items())]
        elif s["type"] == "list":
            kids = [("[]", s["member"]["target"])]
        elif s["type"] == "map":
            kids = [("{key}", s["key"]["target"]), ("{}", s["value"]["target"])]
        for step, t in kids:
            if t == target:
                out.append(path + step)
            walk(t, path + step)
    walk(root, side)
    return out


def case_shared(a):
    x, y = os.path.join(a.work, "old.alc"), os.path.join(a.work, "shared.alc")
    rc, doc = diff_json(a, x, y)
    model = load(a.shared, "sqs")
    q = "com.amazonaws.sqs#"
    want = {("service.changed", "sqs", None, "model")}
    for op in service_shape(model)["operations"]:
        name = op["target"].split("#")[1]
        o = model["shapes"][op["target"]]
        for side in ("input", "output"):
            if side in o:
                for p in edges_to(model, o[side]["target"], q + "String", side):
                    want.add(("constraint.length", "sqs", name, p))
    got = [key(c) for c in doc["changes"]]
    if rc != 1 or len(got) != len(set(got)) or set(got) != want:
        fail("shared shape: exit %d\n  missing: %s\n  unexpected: %s" % (
            rc, sorted(want - set(got), key=str), sorted(set(got) - want, key=str)))
    for c in doc["changes"]:
        if c["kind"] == "constraint.length" and (c["old"], c["new"]) != (None, "1..10"):
            fail(f"shared shape: {c}")
    ops = {k[2] for k in want if k[2]}
    print(f"ok: a change to a shared shape is reported {len(want) - 1} times "
          f"across {len(ops)} operations, each at its first path")


def xxh3_128(data):
    """XXH3-128 through libxxhash (the catalog checksum), as (lo, hi)."""
    import ctypes
    import ctypes.util

    class H(ctypes.Structure):
        _fields_ = [("lo", ctypes.c_uint64), ("hi", ctypes.c_uint64)]
    name = ctypes.util.find_library("xxhash") or "libxxhash.so.0"
    lib = ctypes.CDLL(name)
    lib.XXH3_128bits.restype = H
    lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    h = lib.XXH3_128bits(bytes(data), len(data))
    return h.lo, h.hi


def bad_op_input(data):
    """The catalog with OPS[0].input out of range and a valid checksum: only
    the structural checks can find it."""
    b = bytearray(data)
    dir_off, nsec = struct.unpack_from("<II", b, 48)
    for i in range(nsec):
        sid, _, _, _, off, _ = struct.unpack_from("<IIIIQQ", b, dir_off + 32 * i)
        if sid == 3:  # ALC_SEC_OPS
            struct.pack_into("<I", b, off + 16, 0x7ffffff0)
            break
    else:
        fail("no OPS section")
    lo, hi = xxh3_128(b[48:])
    struct.pack_into("<QQ", b, 32, lo, hi)
    return b


def case_errors(a):
    x = os.path.join(a.work, "old.alc")
    bad = os.path.join(a.work, "bad")
    os.makedirs(bad, exist_ok=True)
    data = open(x, "rb").read()
    corrupt = os.path.join(bad, "corrupt.alc")
    b = bytearray(data)
    b[len(b) // 2] ^= 0x55
    open(corrupt, "wb").write(b)
    trunc = os.path.join(bad, "truncated.alc")
    open(trunc, "wb").write(data[: len(data) // 3])
    text = os.path.join(bad, "text.alc")
    open(text, "w").write("not a catalog\n" * 20)
    missing = os.path.join(bad, "missing.alc")
    badref = os.path.join(bad, "badref.alc")
    open(badref, "wb").write(bad_op_input(data))
    deep = os.path.join(a.work, "deep.alc")
    for args, needles in (
        ([x, corrupt], [corrupt, "checksum mismatch"]),
        ([corrupt, x], [corrupt, "checksum mismatch"]),
        ([x, trunc], [trunc, "truncated"]),
        ([x, badref], [badref, "catalog corrupt: OPS[0].input"]),
        ([text, x], [text, "bad magic"]),
        ([x, missing], [missing, "no such file"]),
        ([x], ["needs OLD.alc and NEW.alc", "usage"]),
        ([x, x, x], ["more than two", "usage"]),
        (["--bogus", x, x], ["unknown option --bogus"]),
        (["--json", "--stat", x, x], ["exclude"]),
        (["--color", "sometimes", x, x], ["--color takes"]),
        ([deep, deep], ["sqs:SendMessage: shapes nest deeper than 256 levels, at input.Deep.Next.Next."]),
    ):
        r = diff(a, *args)
        if r.returncode != 2:
            fail(f"diff {args}: exit {r.returncode} (want 2)\n{r.stderr}")
        if r.stdout:
            fail(f"diff {args}: wrote to stdout on error: {r.stdout[:200]!r}")
        for n in needles:
            if n not in r.stderr:
                fail(f"diff {args}: stderr lacks {n!r}: {r.stderr!r}")
    # a full disk (Linux's /dev/full): an error, not a short report
    with open("/dev/full", "w") as full:
        r = subprocess.run([a.bin, "diff", "--json", x, os.path.join(a.work, "new.alc")],
                           stdout=full, stderr=subprocess.PIPE, text=True)
    if r.returncode != 2 or "error writing the output" not in r.stderr:
        fail(f"diff > /dev/full: exit {r.returncode}, {r.stderr!r}")
    r = diff(a, "--help")
    if r.returncode != 0 or "Exit status" not in r.stdout or "airlock-catalog-diff/1" not in r.stdout:
        fail(f"--help: exit {r.returncode}: {r.stdout[:300]!r}")
    print("ok: errors exit 2 with the file and the reason; --help documents the exit status")


def case_self(a):
    rc, doc = diff_json(a, a.catalog, a.catalog)
    check_schema(doc, a.catalog, a.catalog)
    if rc != 0 or doc["changes"]:
        fail(f"full catalog against itself: exit {rc}, {len(doc['changes'])} changes")
    print("ok: the full catalog against itself: exit 0, no change")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--shared")
    p.add_argument("--policy")
    p.add_argument("--catalog")
    p.add_argument("--case", required=True,
                   choices=["build", "known", "identical", "renamed", "shared", "errors",
                            "self"])
    a = p.parse_args()
    globals()["case_" + a.case](a)


if __name__ == "__main__":
    main()
