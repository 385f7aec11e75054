#!/usr/bin/env python3
"""diff_moto.py -- the Diff of plans end to end against moto on loopback,
with moto's SigV4 signature checking on.

    diff_moto.py cli AIRLOCK CATALOG
    diff_moto.py sdk AIRLOCK CATALOG NODE SDK_DIFF_MJS

moto (python3 -m moto.server on 127.0.0.1, a free port) starts with
authentication off; boto3 makes two IAM users (one allowed everything, one
denied ec2:ModifyInstanceAttribute and s3:GetBucketPolicy), an EC2 instance
and a bucket, then POST /moto-api/reset-auth 0 switches checking on: from
there every request airlock signs is verified against the user's secret.

cli: through `airlock plan | diff | apply | show | approve | audit`:
  - s3 PutBucketPolicy: before (no policy: added), apply, the same plan
    diffed again (unchanged), a policy with other key order and whitespace
    (unchanged, compared parsed), another policy (changed: old -> new, a
    line diff for people), apply, diff (unchanged);
  - s3 DeleteBucketPolicy (delete: what is removed), and `airlock approve`
    on a pseudo-terminal showing that diff before the person confirms;
  - ec2 ModifyInstanceAttribute InstanceType and DisableApiTermination
    (changed, apply, unchanged), with the DryRun check in the plan
    (would_succeed; not_permitted for the denied user; --no-dry-run);
  - dynamodb CreateTable (does not exist -> exists), UpdateTable
    (ProvisionedThroughput changed; BillingMode found in BillingModeSummary;
    apply; unchanged), DeleteTable (what is removed);
  - a read the user may not make (read_failed, exit 1, the plan unchanged),
    an operation without a mapping (no_mapping, exit 0);
  - the diff and dry_run audit records and the read's own audited plan;
    colours only on a terminal and never with NO_COLOR.
sdk: runs SDK_DIFF_MJS (the official MCP client) against the same moto.

Prints "diff.<mode>: N/M checks passed".  moto or boto3 missing: FAIL.
"""
import json
import os
import pty
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

checks = []


def check(ok, name, detail=""):
    checks.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:2000]))
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def set_auth(url, n):
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=str(n).encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()


POLICY1 = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::airlock-diff-bucket/*"}]}
POLICY2 = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
     "Resource": "arn:aws:s3:::airlock-diff-bucket/*"}]}


def setup(url):
    import boto3
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIASETUP",
              aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    keys = {}
    for user, deny in (("diff-all", []), ("diff-limited",
                                           ["ec2:ModifyInstanceAttribute", "s3:GetBucketPolicy"])):
        iam.create_user(UserName=user)
        keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
        st = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        if deny:
            st.append({"Effect": "Deny", "Action": deny, "Resource": "*"})
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": st}))
    ec2 = boto3.client("ec2", **kw)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    inst = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                             InstanceType="t2.micro")["Instances"][0]["InstanceId"]
    set_auth(url, 0)
    return keys, inst


class Airlock:
    def __init__(self, exe, catalog, env):
        self.exe, self.catalog, self.env = exe, catalog, env

    def run(self, *args, env=None):
        p = subprocess.run([self.exe, *args, "--catalog", self.catalog], capture_output=True,
                           text=True, env=env or self.env, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def json(self, *args, env=None):
        rc, out, err = self.run(*args, "--json", env=env)
        try:
            return rc, json.loads(out), err
        except json.JSONDecodeError:
            return rc, None, err + out

    def plan(self, svc, op, inp, *extra, env=None):
        rc, res, err = self.json("plan", svc, op, "--input", json.dumps(inp), *extra, env=env)
        check(res is not None and res.get("planId"), f"plan {svc}:{op}", err)
        return res or {}

    def diff(self, pid, env=None):
        rc, res, err = self.json("diff", pid, env=env)
        check(res is not None, f"diff {pid}", err)
        return rc, res or {}

    def apply(self, pid):
        rc, res, err = self.json("apply", pid)
        check(rc == 0 and res and res.get("state") == "Applied", f"apply {pid}", err)
        return res or {}

    def on_pty(self, args, answer=None, env=None, catalog=None):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(self.exe, [self.exe, *args, "--catalog", catalog or self.catalog],
                          env or self.env)
            finally:
                os._exit(127)
        out, sent, deadline = b"", False, time.time() + 60
        while time.time() < deadline:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
            if answer and not sent and b'Type "approve"' in out:
                os.write(fd, answer.encode() + b"\n")
                sent = True
        _, st = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(st), out.decode(errors="replace")


def change(res, path):
    for c in res.get("changes", []):
        if c.get("path") == path:
            return c
    return {}


def ops(res):
    return {c["path"]: c["op"] for c in res.get("changes", [])}


def run_cli(a, env, keys, inst):
    limited = dict(env, AWS_ACCESS_KEY_ID=keys["diff-limited"]["AccessKeyId"],
                   AWS_SECRET_ACCESS_KEY=keys["diff-limited"]["SecretAccessKey"])
    # -- a create: the bucket ------------------------------------------------------------
    bucket = "airlock-diff-bucket"
    p = a.plan("s3", "CreateBucket", {"Bucket": bucket})
    rc, d = a.diff(p["planId"])
    check(rc == 0 and d.get("kind") == "create" and d.get("exists") is False and
          ops(d) == {"/Bucket": "added"}, "s3 CreateBucket: does not exist, /Bucket added", d)
    a.apply(p["planId"])

    # -- bucket policy: before and after -------------------------------------------------
    p1 = a.plan("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": json.dumps(POLICY1)})
    rc, d = a.diff(p1["planId"])
    check(rc == 0 and d.get("status") == "computed" and d.get("kind") == "update" and
          d.get("exists") is False and ops(d) == {"/Policy": "added"} and
          "NoSuchBucketPolicy" in d.get("message", ""),
          "PutBucketPolicy before any policy: /Policy added (NoSuchBucketPolicy)", d)
    check(d.get("read", {}).get("operation") == "GetBucketPolicy" and
          d["read"].get("input") == {"Bucket": bucket} and d["read"].get("planId"),
          "the diff names its read: GetBucketPolicy {Bucket}", d.get("read"))
    a.apply(p1["planId"])
    rc, d = a.diff(p1["planId"])
    c = change(d, "/Policy")
    check(rc == 0 and d.get("exists") is True and c.get("op") == "unchanged" and
          c.get("document") is True and d["summary"]["unchanged"] == 1,
          "the applied plan diffed again: /Policy unchanged (a document)", d)
    # the same policy written differently
    same = json.dumps(POLICY1, indent=3, sort_keys=True)
    p = a.plan("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": same})
    rc, d = a.diff(p["planId"])
    check(ops(d) == {"/Policy": "unchanged"}, "other key order and whitespace: unchanged", d)
    # another policy
    p2 = a.plan("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": json.dumps(POLICY2)})
    rc, d = a.diff(p2["planId"])
    c = change(d, "/Policy")
    check(c.get("op") == "changed" and c.get("old") == POLICY1 and c.get("new") == POLICY2 and
          c.get("document") is True and d["summary"]["changed"] == 1,
          "another policy: /Policy changed, old and new parsed", d)
    rc, text, err = a.run("diff", p2["planId"])
    check(rc == 0 and "~ /Policy" in text and '-       "Effect": "Allow"' in text and
          '+       "Effect": "Deny"' in text and '"Sid": "Read"' in text and "\033[" not in text,
          "airlock diff for people: a line diff, no colours on a pipe", text + err)
    rc, text = a.on_pty(["diff", p2["planId"]])
    check(rc == 0 and "\033[33m~ /Policy" in text and "\033[31m" in text,
          "on a terminal: colours", text)
    rc, text = a.on_pty(["diff", p2["planId"]], env=dict(env, NO_COLOR="1"))
    check(rc == 0 and "~ /Policy" in text and "\033[" not in text,
          "on a terminal with NO_COLOR: no colours", text)
    rc, shown, err = a.json("show", p2["planId"])
    check(shown and shown.get("diff", {}).get("summary", {}).get("changed") == 1 and
          shown["diff"].get("status") == "computed",
          "the last diff is kept with the plan (show)", shown)
    digest = shown.get("digest") if shown else None
    a.apply(p2["planId"])
    rc, d = a.diff(p2["planId"])
    check(ops(d) == {"/Policy": "unchanged"}, "after apply: unchanged", d)
    rc, shown, err = a.json("show", p2["planId"])
    check(shown and shown.get("digest") == digest and shown.get("digestIntact") is True,
          "diffs never change the plan's digest", shown)
    # audit: diff records, and the read's own plan
    rc, recs, err = a.json("audit", "list", "--plan", p2["planId"])
    kinds = [r["kind"] for r in recs or []]
    # four diffs before the apply (JSON, text, two terminals), one after
    check(kinds.count("diff") == 5 and kinds.index("apply_start") == kinds.index("diff") + 4,
          "audit: a diff record per diff", kinds)
    rid = d.get("read", {}).get("planId")
    rc, rp, err = a.json("show", rid or "none")
    check(rp and rp.get("operation") == "GetBucketPolicy" and rp.get("state") == "Applied",
          "the read is an audited plan of its own (Applied)", rp or err)

    # -- a delete, and approve showing the diff ------------------------------------------
    pd = a.plan("s3", "DeleteBucketPolicy", {"Bucket": bucket},
                "--justification", "clean up the test policy")
    check(pd.get("state") == "AwaitingApproval", "DeleteBucketPolicy waits for approval", pd)
    rc, d = a.diff(pd["planId"])
    c = change(d, "/Policy")
    check(d.get("kind") == "delete" and d.get("exists") is True and c.get("op") == "removed" and
          json.loads(c.get("old", "{}")) == POLICY2,
          "DeleteBucketPolicy: /Policy removed (the current policy)", d)
    rc, text = a.on_pty(["approve", pd["planId"]], "no")
    check(rc == 1 and "diff of plan" in text and "- /Policy" in text and
          text.index("- /Policy") < text.index('Type "approve"') and "nothing was recorded" in text,
          "airlock approve shows the diff before the person confirms", text)
    rc, text = a.on_pty(["approve", pd["planId"]], "no", catalog="/nonexistent.alc")
    check(rc == 1 and "diff: not available" in text and 'Type "approve"' in text,
          "approve without a usable catalog says the diff is not available and still asks",
          text)

    # -- EC2: an instance attribute, and DryRun --------------------------------------------
    p = a.plan("ec2", "ModifyInstanceAttribute",
               {"InstanceId": inst, "InstanceType": {"Value": "t2.large"}})
    dr = p.get("dryRun", {})
    check(dr.get("result") == "would_succeed" and dr.get("code") == "DryRunOperation",
          "ec2 plan: DryRun would succeed", p)
    check("DryRun" not in p.get("input", {}), "the DryRun check leaves the plan's input alone",
          p.get("input"))
    rc, d = a.diff(p["planId"])
    c = change(d, "/InstanceType/Value")
    check(d.get("read", {}).get("operation") == "DescribeInstanceAttribute" and
          d["read"].get("input", {}).get("Attribute") == "instanceType" and
          c.get("op") == "changed" and c.get("old") == "t2.micro" and c.get("new") == "t2.large",
          "ModifyInstanceAttribute InstanceType: t2.micro -> t2.large", d)
    a.apply(p["planId"])
    rc, d = a.diff(p["planId"])
    check(ops(d) == {"/InstanceType/Value": "unchanged"}, "after apply: unchanged", d)
    p = a.plan("ec2", "ModifyInstanceAttribute",
               {"InstanceId": inst, "DisableApiTermination": {"Value": True}})
    rc, d = a.diff(p["planId"])
    c = change(d, "/DisableApiTermination/Value")
    check(c.get("op") == "changed" and c.get("old") is False and c.get("new") is True,
          "DisableApiTermination: false -> true", d)
    a.apply(p["planId"])
    rc, d = a.diff(p["planId"])
    check(ops(d) == {"/DisableApiTermination/Value": "unchanged"}, "after apply: unchanged", d)
    rc, recs, err = a.json("audit", "list", "--plan", p["planId"])
    dry = [r for r in recs or [] if r["kind"] == "dry_run"]
    check(len(dry) == 1 and dry[0]["payload"].get("result") == "would_succeed" and
          dry[0]["payload"].get("input", {}).get("DryRun") is True,
          "audit: the dry_run record", dry)
    p = a.plan("ec2", "ModifyInstanceAttribute",
               {"InstanceId": inst, "InstanceType": {"Value": "t2.small"}}, env=limited)
    dr = p.get("dryRun", {})
    check(dr.get("result") == "not_permitted" and "ModifyInstanceAttribute" in dr.get("message", ""),
          "ec2 plan for a user denied the action: not permitted, with the message", p)
    check(p.get("state") == "Planned", "the plan stands whatever the dry run says", p)
    p = a.plan("ec2", "ModifyInstanceAttribute",
               {"InstanceId": inst, "InstanceType": {"Value": "t2.small"}}, "--no-dry-run")
    check("dryRun" not in p, "--no-dry-run: no DryRun check", p)
    rc, text, err = a.run("plan", "ec2", "ModifyInstanceAttribute", "--input",
                          json.dumps({"InstanceId": inst, "InstanceType": {"Value": "t2.nano"}}))
    check(rc == 0 and "dry run   would_succeed (DryRunOperation)" in text,
          "airlock plan prints the dry run", text + err)
    p = a.plan("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": json.dumps(POLICY1)})
    check("dryRun" not in p, "no DryRun check outside EC2", p)

    # -- DynamoDB: create, update, delete --------------------------------------------------
    table = {"TableName": "airlock-diff-table", "BillingMode": "PROVISIONED",
             "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    p = a.plan("dynamodb", "CreateTable", table)
    rc, d = a.diff(p["planId"])
    check(d.get("kind") == "create" and d.get("exists") is False and
          set(ops(d).values()) == {"added"} and "/TableName" in ops(d) and len(ops(d)) == 5 and
          "ResourceNotFoundException" in d.get("message", ""),
          "CreateTable: does not exist yet, 5 members added", d)
    a.apply(p["planId"])
    p = a.plan("dynamodb", "CreateTable", table)
    rc, d = a.diff(p["planId"])
    check(d.get("exists") is True and "already exists" in d.get("message", ""),
          "CreateTable again: already exists", d)
    p = a.plan("dynamodb", "UpdateTable", {
        "TableName": table["TableName"], "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 1}})
    rc, d = a.diff(p["planId"])
    o = ops(d)
    c = change(d, "/ProvisionedThroughput/ReadCapacityUnits")
    check(d.get("read", {}).get("statePath") == "Table" and c.get("op") == "changed" and
          c.get("old") == 1 and c.get("new") == 5 and
          o.get("/ProvisionedThroughput/WriteCapacityUnits") == "unchanged" and
          o.get("/BillingMode") == "unchanged" and "BillingModeSummary" in
          change(d, "/BillingMode").get("note", ""),
          "UpdateTable: ReadCapacityUnits 1 -> 5, BillingMode seen in BillingModeSummary", d)
    a.apply(p["planId"])
    rc, d = a.diff(p["planId"])
    check(d.get("summary", {}).get("changed") == 0 and
          ops(d).get("/ProvisionedThroughput/ReadCapacityUnits") == "unchanged",
          "after apply: unchanged", d)
    p = a.plan("dynamodb", "DeleteTable", {"TableName": table["TableName"]})
    rc, d = a.diff(p["planId"])
    c = change(d, "/TableName")
    check(d.get("kind") == "delete" and c.get("op") == "removed" and
          c.get("old") == table["TableName"] and ops(d).get("/ProvisionedThroughput") == "removed",
          "DeleteTable: the table's state would be removed", d)
    p = a.plan("dynamodb", "DeleteTable", {"TableName": "no-such-table"})
    rc, d = a.diff(p["planId"])
    check(d.get("exists") is False and d.get("changes") == [] and
          "nothing" in d.get("message", ""), "DeleteTable of a missing table: nothing to remove", d)

    # -- failures that must not block anything --------------------------------------------
    p = a.plan("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": json.dumps(POLICY1)},
               env=limited)
    rc, d = a.diff(p["planId"], env=limited)
    check(rc == 1 and d.get("status") == "read_failed" and
          d.get("error", {}).get("code") == "AccessDenied" and "can still be approved" in
          d.get("message", ""), "a read the user may not make: read_failed, exit 1", d)
    rc, shown, err = a.json("show", p["planId"])
    check(shown and shown.get("state") == "Planned", "the plan is unchanged", shown)
    p = a.plan("dynamodb", "BatchWriteItem", {"RequestItems": {"t": [
        {"PutRequest": {"Item": {"pk": {"S": "x"}}}}]}})
    rc, d = a.diff(p["planId"])
    check(rc == 0 and d.get("status") == "no_mapping" and "no read mapping" in d.get("message", ""),
          "an operation without a mapping: no_mapping, not an error", d)
    # reads that would not show this resource are not run
    p = a.plan("ec2", "DeleteSecurityGroup", {})
    rc, d = a.diff(p["planId"])
    check(rc == 1 and d.get("status") == "read_failed" and
          d.get("error", {}).get("code") == "not_identified" and "planId" not in d.get("read", {}),
          "a plan naming no resource: its read is not run (not_identified)", d)
    p = a.plan("ec2", "CreateTags", {"Resources": [inst], "Tags": [{"Key": "k", "Value": "v"}]})
    rc, d = a.diff(p["planId"])
    check(d.get("status") == "read_failed" and
          d.get("error", {}).get("code") == "not_identified",
          "a paginated read without arguments (a whole collection): not run", d)
    rc, out, err = a.run("diff", "ZZZZZZZZ")
    check(rc == 1 and "no plan" in err, "diff of an unknown plan: refused", err)
    rc, out, err = a.run("audit", "verify")
    check(rc == 0 and "intact" in out, "the audit log verifies", out + err)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("cli", "sdk"):
        sys.exit("usage: diff_moto.py cli AIRLOCK CATALOG | sdk AIRLOCK CATALOG NODE MJS")
    mode, exe, catalog = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"FAIL: moto and boto3 are required ({e}); install them into {sys.executable}")
        return 1
    root = tempfile.mkdtemp(prefix="airlock-diff-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(root, "moto.log"), "w")
    menv = {k: v for k, v in os.environ.items() if k != "INITIAL_NO_AUTH_ACTION_COUNT"}
    moto_p = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=log, stderr=subprocess.STDOUT, env=menv)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except OSError:
                if moto_p.poll() is not None:
                    break
                time.sleep(0.1)
        if moto_p.poll() is not None:
            print("FAIL: moto.server did not start")
            return 1
        keys, inst = setup(url)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and not k.startswith("AIRLOCK_") and k != "NO_COLOR"}
        env.update(AWS_CONFIG_FILE=os.path.join(root, "none"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(root, "none"),
                   AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL=url, AIRLOCK_HOME=os.path.join(root, "home"),
                   AWS_ACCESS_KEY_ID=keys["diff-all"]["AccessKeyId"],
                   AWS_SECRET_ACCESS_KEY=keys["diff-all"]["SecretAccessKey"])
        if mode == "cli":
            run_cli(Airlock(exe, catalog, env), env, keys, inst)
        else:
            node, mjs = sys.argv[4], sys.argv[5]
            env["DIFF_INSTANCE"] = inst
            env["DIFF_LIMITED_KEY"] = keys["diff-limited"]["AccessKeyId"]
            env["DIFF_LIMITED_SECRET"] = keys["diff-limited"]["SecretAccessKey"]
            p = subprocess.run([node, mjs, exe, catalog], env=env, timeout=600)
            check(p.returncode == 0, "sdk_diff.mjs", f"exit {p.returncode}")
    finally:
        moto_p.terminate()
        try:
            moto_p.wait(10)
        except subprocess.TimeoutExpired:
            moto_p.kill()
    ok = sum(checks)
    print(f"diff.{mode}: {ok}/{len(checks)} checks passed")
    return 0 if checks and ok == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
