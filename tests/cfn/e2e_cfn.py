#!/usr/bin/env python3
"""e2e_cfn.py AIRLOCK CATALOG -- CloudFormation plans end to end, over MCP
(raw JSON-RPC to `airlock serve`) against moto on loopback.

moto runs through tests/cfn/moto_cfn.py (moto's server with execution made
asynchronous, with per-resource events and failures: see that file).  The
catalog holds cloudformation + sts with tests/cfn/policy.yaml.  boto3 reads
the same moto to check what airlock says.  Checks, in order:

  1. deploy_stack of a new stack: a CreateStack plan, its diff a CREATE
     change set whose changes equal DescribeChangeSet's (boto3), exists
     false; apply_plan with a progress token follows the stack: a progress
     notification per resource event, increasing, the plan Applied with
     StackStatus CREATE_COMPLETE (boto3 agrees).
  2. deploy_stack again with a changed template: an UpdateStack plan whose
     diff (Add B, Modify Q, Remove T) equals boto3's DescribeChangeSet
     exactly; applied to UPDATE_COMPLETE, events in the output.
  3. the same template again: an empty, computed diff ("no changes"); the
     apply is Applied with noChanges and the change set is deleted.
  4. a failing update (a queue VisibilityTimeout moto's SQS refuses): the
     diff is computed, apply_plan is an error naming StackFailed, the
     resource, UPDATE_FAILED and the reason; the plan is ApplyFailed with
     apply.error.failedEvents; boto3 says UPDATE_ROLLBACK_COMPLETE.
  5. cleanup: diffing a plan twice deletes its first change set; rejecting
     it deletes the second; a stale airlock-<rejected plan>-7 change set is
     swept when another plan's change set is made (boto3 ListChangeSets).
  6. a plan the policy denies (forbidden-*) gets no change set: diff_plan is
     refused with policy_denies and ListChangeSets shows none.
  7. DeleteStack: the diff lists exactly the resources ListStackResources
     shows (boto3), each "removed" but the bucket whose DeletionPolicy
     (GetTemplate) is Retain; the apply follows the stack to
     DELETE_COMPLETE (progress per event) and the stack is gone.
  8. the audit log: every call made for the update plan is a "call" record
     naming the plan (CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
     DescribeStackEvents, DescribeStacks), and `airlock audit verify` passes.
  9. (before 8) the command line: `airlock deploy` makes the plan and shows
     its change set, `airlock apply` creates the stack; a usage error.

Fails (never skips) when moto or boto3 is missing.
"""
import json
import os
import socket
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL", what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One `airlock serve` per batch of calls (the store is shared)."""

    def __init__(self, airlock, catalog, env):
        self.airlock, self.catalog, self.env = airlock, catalog, env

    def calls(self, calls, token=True):
        msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
                 "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                            "clientInfo": {"name": "e2e_cfn", "version": "1"}}},
                {"jsonrpc": "2.0", "method": "notifications/initialized"}]
        for i, (name, args) in enumerate(calls):
            m = {"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                 "params": {"name": name, "arguments": args}}
            if token:
                m["params"]["_meta"] = {"progressToken": "tok%d" % (i + 1)}
            msgs.append(m)
        p = subprocess.run([self.airlock, "serve", "--catalog", self.catalog],
                           input="".join(json.dumps(m) + "\n" for m in msgs),
                           capture_output=True, text=True, env=self.env, timeout=300)
        # a crash, a sanitizer report or a leak ends the server non-zero
        check(p.returncode == 0 and "Sanitizer" not in p.stderr,
              "airlock serve exit %d: %s" % (p.returncode, p.stderr[-2000:]))
        results, progress = {}, {}
        for line in p.stdout.splitlines():
            m = json.loads(line)
            if m.get("method") == "notifications/progress":
                progress.setdefault(m["params"]["progressToken"], []).append(m["params"])
            elif "id" in m and m["id"]:
                results[m["id"]] = m.get("result") or {"isError": True, "content": [
                    {"text": json.dumps(m.get("error"))}]}
        return [(results.get(i + 1), progress.get("tok%d" % (i + 1), []))
                for i in range(len(calls))]

    def call(self, name, args):
        return self.calls([(name, args)])[0]


def sc(result):
    return (result or {}).get("structuredContent") or {}


def text(result):
    return "".join(c.get("text", "") for c in (result or {}).get("content", []))


def boto_changes(d):
    """DescribeChangeSet's Changes (boto3) in the shape airlock reports."""
    out = []
    for c in d.get("Changes", []):
        rc = c.get("ResourceChange", {})
        out.append({
            "type": c.get("Type"), "action": rc.get("Action"),
            "logicalId": rc.get("LogicalResourceId"), "physicalId": rc.get("PhysicalResourceId"),
            "resourceType": rc.get("ResourceType"), "replacement": rc.get("Replacement"),
            "scope": rc.get("Scope", []),
            "details": [{"target": {"attribute": x.get("Target", {}).get("Attribute"),
                                    "name": x.get("Target", {}).get("Name"),
                                    "requiresRecreation": x.get("Target", {}).get("RequiresRecreation")},
                         "evaluation": x.get("Evaluation"), "changeSource": x.get("ChangeSource"),
                         "causingEntity": x.get("CausingEntity")} for x in rc.get("Details", [])]})
    return out


def airlock_changes(cs):
    keep = ("type", "action", "logicalId", "physicalId", "resourceType", "replacement", "scope",
            "details")
    return [{k: c.get(k) for k in keep} for c in cs.get("changes", [])]


def progress_ok(notes, what):
    values = [n["progress"] for n in notes]
    check(values and all(b > a for a, b in zip(values, values[1:])) and values[-1] == 1,
          "%s: progress does not grow to 1: %s" % (what, values))
    return [n.get("message", "") for n in notes]


def our_sets(cf, stack):
    """airlock's change sets (moto lists every stack's: the name says whose)."""
    return {s["ChangeSetName"]: s for s in cf.list_change_sets(StackName=stack)["Summaries"]
            if s["ChangeSetName"].startswith("airlock-")}


def main():
    airlock, catalog = sys.argv[1], sys.argv[2]
    try:
        import boto3
    except ImportError:
        print("FAIL: boto3 is not importable from", sys.executable)
        return 1
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="airlock-cfn-")
    url = "http://127.0.0.1:%d" % port
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDCFNEXAMPLE", AWS_SECRET_ACCESS_KEY="cfn-secret",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=url,
               AIRLOCK_HOME=os.path.join(tmp, "home"), AWS_CONFIG_FILE=os.path.join(tmp, "none"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"),
               AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_PROFILE", None)
    moto = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_cfn.py"), "-H", "127.0.0.1",
                             "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("FAIL: moto did not start")
            return 1
        cf = boto3.client("cloudformation", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="AKIDCFNEXAMPLE", aws_secret_access_key="cfn-secret")
        srv = Server(airlock, catalog, env)
        run(srv, cf, airlock, env)
    finally:
        moto.terminate()
        moto.wait()
    print("cfn e2e: %s (%d failures)" % ("ok" if not FAILS else "FAILED", len(FAILS)))
    return 1 if FAILS else 0


T1 = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "cfn-q1"}},
                    "T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "cfn-t1"}}}}
T2 = {"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                          "Properties": {"QueueName": "cfn-q1", "VisibilityTimeout": 60}},
                    "B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
                          "Properties": {"BucketName": "cfn-bucket-1"}}}}
# moto's SQS refuses this during the update (int("abc")): the resource fails
TBAD = {"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                            "Properties": {"QueueName": "cfn-q1", "VisibilityTimeout": "abc"}},
                      "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "cfn-bucket-1"}}}}


def with_timeout(t, v):
    t = json.loads(json.dumps(t))
    t["Resources"]["Q"]["Properties"]["VisibilityTimeout"] = v
    return t


def deploy(srv, stack, template, what):
    res, notes = srv.call("deploy_stack", {"stack_name": stack, "template_body": json.dumps(template)})
    if not check(res and not res.get("isError"), "%s: deploy_stack failed: %s" % (what, text(res)[:600])):
        return None
    return sc(res)


def apply(srv, pid):
    return srv.call("apply_plan", {"plan_id": pid})


def run(srv, cf, airlock, env):
    # 1. create
    d = deploy(srv, "cfn-s1", T1, "create")
    if not d:
        return
    diff = d.get("diff") or {}
    check(d.get("operation") == "CreateStack", "create: operation %s" % d.get("operation"))
    check(diff.get("status") == "computed" and diff.get("kind") == "create" and
          diff.get("exists") is False, "create: diff %s" % json.dumps(diff)[:400])
    cs = diff.get("changeSet", {})
    bd = cf.describe_change_set(ChangeSetName=cs.get("id", "none"))
    check(airlock_changes(cs) == boto_changes(bd),
          "create: changes differ from DescribeChangeSet: %s vs %s" %
          (airlock_changes(cs), boto_changes(bd)))
    check(cs.get("name", "").startswith("airlock-" + d["plan"]["planId"] + "-"),
          "create: change set name %s" % cs.get("name"))
    res, notes = apply(srv, d["plan"]["planId"])
    out = sc(res).get("output", {})
    check(sc(res).get("state") == "Applied" and out.get("StackStatus") == "CREATE_COMPLETE",
          "create: apply %s" % text(res)[:600])
    msgs = progress_ok(notes, "create apply")
    for m in ("Q AWS::SQS::Queue CREATE_COMPLETE", "T AWS::SNS::Topic CREATE_COMPLETE",
              "cfn-s1 AWS::CloudFormation::Stack CREATE_COMPLETE"):
        check(m in msgs, "create: no progress notification %r in %s" % (m, msgs))
    check(cf.describe_stacks(StackName="cfn-s1")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE",
          "create: boto3 stack status")

    # parameters and tags as objects become CloudFormation's lists
    tp = {"Parameters": {"Vis": {"Type": "Number"}, "Name": {"Type": "String"}},
          "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
              "QueueName": {"Ref": "Name"}, "VisibilityTimeout": {"Ref": "Vis"}}}}}
    res, _ = srv.call("deploy_stack", {"stack_name": "cfn-p1", "template_body": json.dumps(tp),
                                       "parameters": {"Vis": 30, "Name": "cfn-pq"},
                                       "tags": {"team": "platform"},
                                       "capabilities": ["CAPABILITY_IAM"]})
    pin = (sc(res).get("plan") or {}).get("input", {})
    check(pin.get("Parameters") == [{"ParameterKey": "Vis", "ParameterValue": "30"},
                                    {"ParameterKey": "Name", "ParameterValue": "cfn-pq"}] and
          pin.get("Tags") == [{"Key": "team", "Value": "platform"}] and
          pin.get("Capabilities") == ["CAPABILITY_IAM"] and
          (sc(res).get("diff") or {}).get("status") == "computed",
          "parameters: %s" % text(res)[:600])
    res, _ = srv.call("deploy_stack", {"stack_name": "cfn-p1", "template_body": "{}",
                                       "template_url": "https://example.com/t.json"})
    check(res and res.get("isError") and "exactly one of template_body" in text(res),
          "deploy_stack: both template_body and template_url: %s" % text(res)[:300])

    # 2. update through a change set
    d = deploy(srv, "cfn-s1", {"Resources": {"Q": T2["Resources"]["Q"], "B": T2["Resources"]["B"]}},
               "update")
    if not d:
        return
    upd_plan = d["plan"]["planId"]
    diff = d.get("diff") or {}
    cs = diff.get("changeSet", {})
    check(d.get("operation") == "UpdateStack" and diff.get("kind") == "update" and
          diff.get("exists") is True, "update: %s %s" % (d.get("operation"), json.dumps(diff)[:300]))
    bd = cf.describe_change_set(ChangeSetName=cs.get("id", "none"))
    check(airlock_changes(cs) == boto_changes(bd),
          "update: changes differ from DescribeChangeSet: %s vs %s" %
          (airlock_changes(cs), boto_changes(bd)))
    got = sorted((c["logicalId"], c["action"]) for c in cs.get("changes", []))
    check(got == [("B", "Add"), ("Q", "Modify"), ("T", "Remove")], "update: changes %s" % got)
    s = diff.get("summary", {})
    check((s.get("added"), s.get("changed"), s.get("removed")) == (1, 1, 1), "update: summary %s" % s)
    paths = sorted(c["path"] + ":" + c["op"] for c in diff.get("changes", []))
    check(paths == ["/Resources/B:added", "/Resources/Q:changed", "/Resources/T:removed"],
          "update: diff changes %s" % paths)
    # what a person sees: `airlock diff` shows each resource change (the
    # change set's own rendering, rt_cfn_render), not a generic field diff
    r = subprocess.run([airlock, "diff", upd_plan, "--catalog", srv.catalog],
                       capture_output=True, text=True, env=env)
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and "change set airlock-" in r.stdout and
          any(re.match(r"\+ Add +B AWS::", l) for l in lines) and
          any(re.match(r"~ Modify +Q AWS::SQS::Queue", l) for l in lines) and
          any(re.match(r"- Remove +T AWS::SNS::Topic", l) for l in lines),
          "update: airlock diff %d: %s %s" % (r.returncode, r.stdout[:800], r.stderr[:300]))
    # that diff made the plan's next change set, which apply executes
    g, _ = srv.call("get_plan", {"plan_id": upd_plan})
    cs = sc(g).get("changeSet") or {}
    check(cs.get("name") == "airlock-%s-2" % upd_plan and cs.get("name") in r.stdout,
          "update: change set after airlock diff: %s" % cs)
    res, notes = apply(srv, upd_plan)
    out = sc(res).get("output", {})
    check(sc(res).get("state") == "Applied" and out.get("StackStatus") == "UPDATE_COMPLETE",
          "update: apply %s" % text(res)[:600])
    msgs = progress_ok(notes, "update apply")
    check("Q AWS::SQS::Queue UPDATE_COMPLETE" in msgs and
          "cfn-s1 AWS::CloudFormation::Stack UPDATE_COMPLETE" in msgs,
          "update: progress messages %s" % msgs)
    evs = [(e["logicalId"], e["status"]) for e in out.get("events", [])]
    check(("B", "CREATE_COMPLETE") in evs and ("Q", "UPDATE_COMPLETE") in evs and
          ("T", "DELETE_COMPLETE") in evs and evs[-1] == ("cfn-s1", "UPDATE_COMPLETE"),
          "update: events %s" % evs)
    check(not any(e == ("cfn-s1", "CREATE_COMPLETE") for e in evs),
          "update: events from before the execution were reported: %s" % evs)
    check(cf.describe_stacks(StackName="cfn-s1")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE",
          "update: boto3 stack status")
    gcs = sc(res).get("changeSet") or {}
    check(gcs.get("id") == cs.get("id") and gcs.get("executedAt") and not gcs.get("deletedAt"),
          "update: plan view changeSet %s" % gcs)

    # 3. no changes
    d = deploy(srv, "cfn-s1", {"Resources": {"Q": T2["Resources"]["Q"], "B": T2["Resources"]["B"]}},
               "no change")
    if d:
        diff = d.get("diff") or {}
        check(diff.get("status") == "computed" and diff.get("changes") == [] and
              "no changes" in diff.get("message", ""), "no change: diff %s" % json.dumps(diff)[:400])
        res, _ = apply(srv, d["plan"]["planId"])
        check(sc(res).get("state") == "Applied" and sc(res).get("output", {}).get("noChanges") is True,
              "no change: apply %s" % text(res)[:400])
        left = [n for n in our_sets(cf, "cfn-s1") if d["plan"]["planId"] in n]
        check(not left, "no change: its FAILED change set was not deleted: %s" % left)

    # 4. a failing update
    d = deploy(srv, "cfn-s1", TBAD, "failing update")
    if d:
        fail_plan = d["plan"]["planId"]
        check((d.get("diff") or {}).get("status") == "computed", "failing: diff %s" % d.get("diff"))
        res, notes = apply(srv, fail_plan)
        t = text(res)
        check(res and res.get("isError") and "StackFailed" in t and "UPDATE_FAILED" in t and
              "invalid literal" in t and "Q (AWS::SQS::Queue)" in t, "failing: apply %s" % t[:800])
        g, _ = srv.call("get_plan", {"plan_id": fail_plan})
        g = sc(g)
        err = (g.get("apply") or {}).get("error") or {}
        fe = err.get("failedEvents") or []
        check(g.get("state") == "ApplyFailed" and err.get("code") == "StackFailed" and
              err.get("stackStatus") == "UPDATE_ROLLBACK_COMPLETE", "failing: plan %s" %
              json.dumps(g.get("apply"))[:600])
        check(len(fe) == 1 and fe[0].get("logicalId") == "Q" and fe[0].get("status") == "UPDATE_FAILED"
              and "invalid literal" in (fe[0].get("reason") or ""), "failing: failedEvents %s" % fe)
        msgs = [n.get("message", "") for n in notes]
        check(any(m.startswith("Q AWS::SQS::Queue UPDATE_FAILED") for m in msgs),
              "failing: no progress notification of the failed event: %s" % msgs)
        check(cf.describe_stacks(StackName="cfn-s1")["Stacks"][0]["StackStatus"] ==
              "UPDATE_ROLLBACK_COMPLETE", "failing: boto3 stack status")

    # 5. cleanup of change sets never applied
    res, _ = srv.call("plan_operation", {"service": "cloudformation", "operation": "UpdateStack",
                                         "input": {"StackName": "cfn-s1", "TemplateBody":
                                                   json.dumps(with_timeout(T2, 90))}})
    p1 = sc(res).get("planId", "?")
    res, _ = srv.call("diff_plan", {"plan_id": p1})
    n1 = sc(res).get("changeSet", {}).get("name")
    check(n1 == "airlock-%s-1" % p1 and n1 in our_sets(cf, "cfn-s1"),
          "cleanup: first change set %s not in %s" % (n1, list(our_sets(cf, "cfn-s1"))))
    res, _ = srv.call("diff_plan", {"plan_id": p1})
    n2 = sc(res).get("changeSet", {}).get("name")
    sets = our_sets(cf, "cfn-s1")
    check(n2 == "airlock-%s-2" % p1 and n2 in sets and n1 not in sets,
          "cleanup: second diff: %s, sets %s" % (n2, list(sets)))
    r = subprocess.run([airlock, "reject", p1, "--comment", "not now", "--catalog", srv.catalog],
                       capture_output=True, text=True, env=env, timeout=120)
    check(r.returncode == 0 and "Sanitizer" not in r.stderr,
          "cleanup: reject: %s %s" % (r.stdout, r.stderr))
    sets = our_sets(cf, "cfn-s1")
    check(not [n for n in sets if p1 in n], "cleanup: rejected plan's change set left: %s" % list(sets))
    g, _ = srv.call("get_plan", {"plan_id": p1})
    gcs = sc(g).get("changeSet") or {}
    check(sc(g).get("state") == "Rejected" and gcs.get("name") == n2 and gcs.get("deletedAt"),
          "cleanup: plan view changeSet %s" % gcs)
    # a stale change set of the rejected plan (as if its deletion had failed)
    cf.create_change_set(StackName="cfn-s1", ChangeSetName="airlock-%s-7" % p1,
                         ChangeSetType="UPDATE", TemplateBody=json.dumps(with_timeout(T2, 91)))
    res, _ = srv.call("plan_operation", {"service": "cloudformation", "operation": "UpdateStack",
                                         "input": {"StackName": "cfn-s1", "TemplateBody":
                                                   json.dumps(with_timeout(T2, 92))}})
    p2 = sc(res).get("planId", "?")
    res, _ = srv.call("diff_plan", {"plan_id": p2})
    sets = our_sets(cf, "cfn-s1")
    check("airlock-%s-7" % p1 not in sets and "airlock-%s-1" % p2 in sets,
          "cleanup: sweep left %s" % list(sets))

    # 6. a denied plan never gets a change set
    res, _ = srv.call("plan_operation", {"service": "cloudformation", "operation": "CreateStack",
                                         "input": {"StackName": "forbidden-1",
                                                   "TemplateBody": json.dumps(T1)}})
    pd = sc(res).get("planId", "?")
    check(sc(res).get("state") == "Denied", "denied: plan state %s" % sc(res).get("state"))
    res, _ = srv.call("diff_plan", {"plan_id": pd})
    check(res and res.get("isError") and "policy_denies" in text(res),
          "denied: diff_plan %s" % text(res)[:300])
    check(not [n for n in our_sets(cf, "cfn-s1") if pd in n], "denied: a change set was made")
    res, _ = srv.call("deploy_stack", {"stack_name": "forbidden-2", "template_body": json.dumps(T1)})
    check(sc(res).get("plan", {}).get("state") == "Denied" and sc(res).get("diff") is None,
          "denied: deploy_stack %s" % text(res)[:400])

    # 7. DeleteStack
    res, _ = srv.call("plan_operation", {"service": "cloudformation", "operation": "DeleteStack",
                                         "input": {"StackName": "cfn-s1"}})
    pdel = sc(res).get("planId", "?")
    check(sc(res).get("state") == "Planned", "delete: plan %s" % text(res)[:300])
    res, _ = srv.call("diff_plan", {"plan_id": pdel})
    diff = sc(res)
    want = sorted(r["LogicalResourceId"] for r in
                  cf.list_stack_resources(StackName="cfn-s1")["StackResourceSummaries"])
    got = sorted(c.get("logicalId") for c in diff.get("changes", []) if c.get("op") == "removed")
    kept = sorted(c.get("logicalId") for c in diff.get("changes", []) if c.get("op") == "unchanged")
    # B's DeletionPolicy Retain (the stack's template, GetTemplate) keeps it
    check(diff.get("kind") == "delete" and diff.get("status") == "computed" and
          sorted(got + kept) == want and kept == ["B"] and "B" in want,
          "delete: diff %s, ListStackResources %s" % (json.dumps(diff)[:600], want))
    check([c.get("deletionPolicy") for c in diff.get("changes", []) if c.get("logicalId") == "B"]
          == ["Retain"], "delete: B's deletionPolicy")
    res, notes = apply(srv, pdel)
    check(sc(res).get("state") == "Applied" and
          sc(res).get("output", {}).get("StackStatus") == "DELETE_COMPLETE",
          "delete: apply %s" % text(res)[:300])
    check("cfn-s1 AWS::CloudFormation::Stack DELETE_COMPLETE" in
          [n.get("message") for n in notes], "delete: progress %s" % notes)
    try:
        st = cf.describe_stacks(StackName="cfn-s1")["Stacks"][0]["StackStatus"]
    except Exception as e:  # gone
        st = "gone: %s" % e
    check(st == "DELETE_COMPLETE" or st.startswith("gone"), "delete: stack %s" % st)

    # 9. the command line: airlock deploy, then airlock apply
    tpath = os.path.join(env["AIRLOCK_HOME"], "..", "cli-template.json")
    with open(tpath, "w") as f:
        json.dump({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                       "Properties": {"QueueName": "cfn-cli-q"}}}}, f)
    r = subprocess.run([airlock, "deploy", "cfn-cli", "--template-body", "@" + tpath,
                        "--tags", '{"team": "platform"}', "--catalog", srv.catalog],
                       capture_output=True, text=True, env=env, timeout=120)
    check(r.returncode == 0 and "+ Add" in r.stdout and "Q AWS::SQS::Queue" in r.stdout and
          "CreateStack cfn-cli, Planned" in r.stdout and "Sanitizer" not in r.stderr,
          "cli: deploy exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
    pid = r.stdout.split()[1].rstrip(":") if r.stdout.startswith("plan ") else "?"
    r = subprocess.run([airlock, "apply", pid, "--json", "--catalog", srv.catalog],
                       capture_output=True, text=True, env=env, timeout=120)
    check(r.returncode == 0 and "Sanitizer" not in r.stderr,
          "cli: apply exit %d: %s" % (r.returncode, r.stderr))
    check(cf.describe_stacks(StackName="cfn-cli")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE",
          "cli: boto3 stack status")
    r = subprocess.run([airlock, "deploy", "cfn-cli", "--catalog", srv.catalog],
                       capture_output=True, text=True, env=env, timeout=60)
    check(r.returncode == 2 and "exactly one of --template-body" in r.stderr,
          "cli: usage exit %d: %s" % (r.returncode, r.stderr))

    # 8. the audit log
    res, _ = srv.call("query_audit", {"plan_id": upd_plan, "limit": 500})
    recs = sc(res).get("records", [])
    calls = [r for r in recs if r["kind"] == "call"]
    ops = {r["payload"].get("operation") for r in calls}
    purposes = {r["payload"].get("purpose") for r in calls}
    check({"CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "DescribeStackEvents",
           "DescribeStacks"} <= ops and {"diff", "apply"} <= purposes and
          all(r.get("planId") == upd_plan for r in calls),
          "audit: call records %s %s" % (sorted(o or "?" for o in ops), purposes))
    v = subprocess.run([airlock, "audit", "verify"], capture_output=True, text=True, env=env)
    check(v.returncode == 0, "audit verify: %s %s" % (v.stdout, v.stderr))


if __name__ == "__main__":
    sys.exit(main())
