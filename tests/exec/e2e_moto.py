#!/usr/bin/env python3
"""End to end: AWS operations through rt_exec (exec_driver) against moto on
loopback, with moto's SigV4 signature checking on.

    e2e_moto.py EXEC_DRIVER CATALOG

moto (python3 -m moto.server on 127.0.0.1, a free port) starts with
authentication off; an IAM user with an allow-all policy is made with boto3,
then POST /moto-api/reset-auth 0 switches checking on: from there every
request's signature is verified by moto against that user's secret.  A call
signed with a wrong secret must be refused, which shows the checking is on.

Operations (each checked for the answer it must give):
  sts GetCallerIdentity; dynamodb CreateTable, PutItem, GetItem, Query (and
  a paginated Query); logs CreateLogGroup, DescribeLogGroups (paginated);
  cloudformation CreateStack, DescribeStacks, DeleteStack; ec2 RunInstances,
  DescribeInstances, TerminateInstances; s3 CreateBucket, PutObject,
  GetObject, ListObjectsV2; iam CreateRole, GetRole; sqs (awsJson1_0 in the
  current models) CreateQueue, SendMessage, ReceiveMessage; sns CreateTopic,
  Publish; a modeled error (dynamodb ResourceNotFoundException).
  lambda ListFunctions runs with moto's checking switched off again: moto
  rejects correctly signed REST requests whose query string it canonicalises
  differently (lambda's ListFunctions among them).

Prints "moto: N/M checks passed".  Exit 1 on any failure; moto or boto3
missing is a failure, not a skip.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

checks = []


def check(ok, name, detail=""):
    checks.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:1500]))
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Driver:
    def __init__(self, exe, catalog, url, env, extra=()):
        self.exe, self.catalog, self.url, self.env, self.extra = exe, catalog, url, env, extra

    def calls(self, lines):
        inp = "".join(json.dumps(l) + "\n" for l in lines)
        p = subprocess.run([self.exe, self.catalog, "--endpoint", self.url, "--region",
                            "us-east-1", *self.extra], input=inp, capture_output=True,
                           text=True, env=self.env, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"exec_driver exited {p.returncode}: {p.stderr}")
        return [json.loads(x) for x in p.stdout.splitlines()]

    def call(self, service, op, inp=None, **kw):
        return self.calls([dict(service=service, operation=op, input=inp or {}, **kw)])[0]


def out(r):
    return r.get("output") if isinstance(r, dict) else None


def set_auth(url, n):
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=str(n).encode(),
                                 method="POST", headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: e2e_moto.py EXEC_DRIVER CATALOG")
    exe, catalog = sys.argv[1], sys.argv[2]
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"FAIL: moto and boto3 are required ({e}); install them into {sys.executable}")
        return 1
    root = tempfile.mkdtemp(prefix="airlock-e2e-")
    port = free_port()
    log = open(os.path.join(root, "moto.log"), "w")
    menv = {k: v for k, v in os.environ.items() if k != "INITIAL_NO_AUTH_ACTION_COUNT"}
    moto_p = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=log, stderr=subprocess.STDOUT, env=menv)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except Exception:
                if moto_p.poll() is not None:
                    break
                time.sleep(0.1)
        if moto_p.poll() is not None:
            print("FAIL: moto.server did not start:\n" + open(os.path.join(root, "moto.log")).read()[-2000:])
            return 1
        run(exe, catalog, url, root)
    finally:
        moto_p.terminate()
        try:
            moto_p.wait(10)
        except subprocess.TimeoutExpired:
            moto_p.kill()
    n, ok = len(checks), sum(checks)
    print(f"moto: {ok}/{n} checks passed")
    return 0 if ok == n and n > 0 else 1


def run(exe, catalog, url, root):
    import boto3
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIASETUP",
              aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="e2e")
    key = iam.create_access_key(UserName="e2e")["AccessKey"]
    iam.put_user_policy(UserName="e2e", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    ami = boto3.client("ec2", **kw).describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    set_auth(url, 0)

    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(AWS_CONFIG_FILE=os.path.join(root, "none"),
                AWS_SHARED_CREDENTIALS_FILE=os.path.join(root, "none"),
                AWS_EC2_METADATA_DISABLED="true")
    env = dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    d = Driver(exe, catalog, url, env)

    # -- checking is on: a wrong secret is refused -------------------------
    bad = Driver(exe, catalog, url, dict(env, AWS_SECRET_ACCESS_KEY="wrong" * 8))
    r = bad.call("sts", "GetCallerIdentity")
    check("error" in r and r["error"]["http_status"] == 403,
          "signature checking is on (a wrong secret gets 403)", r)

    # -- sts -----------------------------------------------------------------
    r = d.call("sts", "GetCallerIdentity")
    check((out(r) or {}).get("Arn", "").endswith(":user/e2e"), "sts GetCallerIdentity", r)

    # -- dynamodb (awsJson1_0) -------------------------------------------------
    r = d.call("dynamodb", "CreateTable", {
        "TableName": "t", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]})
    check((out(r) or {}).get("TableDescription", {}).get("TableStatus") == "ACTIVE",
          "dynamodb CreateTable", r)
    items = [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "blob": {"B": "aGVsbG8="},
              "n": {"N": "1.5"}} for i in range(1, 4)]
    rs = d.calls([dict(service="dynamodb", operation="PutItem",
                       input={"TableName": "t", "Item": it}) for it in items])
    check(all(out(x) == {} for x in rs), "dynamodb PutItem x3", rs)
    r = d.call("dynamodb", "GetItem", {"TableName": "t",
                                       "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}}})
    check((out(r) or {}).get("Item") == items[1], "dynamodb GetItem (blob and number "
          "attributes round-trip)", r)
    q = {"TableName": "t", "KeyConditionExpression": "pk = :p",
         "ExpressionAttributeValues": {":p": {"S": "p"}}}
    r = d.call("dynamodb", "Query", q)
    check((out(r) or {}).get("Count") == 3 and len(out(r)["Items"]) == 3, "dynamodb Query", r)
    r = d.call("dynamodb", "Query", dict(q, Limit=1), max_pages=10)
    check(out(r) is not None and len(out(r)["Items"]) == 3 and r["pages"] >= 3 and
          not r.get("truncated") and r["progress"][-1][2] is False,
          "dynamodb Query paginated (map token LastEvaluatedKey, 1 item a page)", r)
    r = d.call("dynamodb", "Query", dict(q, Limit=1), max_pages=2)
    check(out(r) is not None and len(out(r)["Items"]) == 2 and r.get("truncated") and
          "LastEvaluatedKey" in out(r), "dynamodb Query stops at max_pages and says so", r)
    r = d.call("dynamodb", "GetItem", {"TableName": "nope",
                                       "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}}})
    e = r.get("error", {})
    check(e.get("code") == "ResourceNotFoundException" and e.get("http_status") == 400 and
          e.get("type") == "com.amazonaws.dynamodb#ResourceNotFoundException" and
          e.get("request_id") and r["attempts"] == 1,
          "dynamodb modeled error (code, type, request id, not retried)", r)

    # -- logs (awsJson1_1) -------------------------------------------------------
    rs = d.calls([dict(service="logs", operation="CreateLogGroup",
                       input={"logGroupName": f"/e2e/g{i}"}) for i in range(3)])
    check(all(out(x) == {} for x in rs), "logs CreateLogGroup x3", rs)
    r = d.call("logs", "DescribeLogGroups", {"logGroupNamePrefix": "/e2e/"})
    names = [g["logGroupName"] for g in (out(r) or {}).get("logGroups", [])]
    check(names == ["/e2e/g0", "/e2e/g1", "/e2e/g2"], "logs DescribeLogGroups", r)
    r = d.call("logs", "DescribeLogGroups", {"logGroupNamePrefix": "/e2e/", "limit": 1},
               max_pages=5)
    names = [g["logGroupName"] for g in (out(r) or {}).get("logGroups", [])]
    check(names == ["/e2e/g0", "/e2e/g1", "/e2e/g2"] and r["pages"] == 3 and
          [p[0] for p in r["progress"]] == [1, 2, 3],
          "logs DescribeLogGroups paginated (3 pages, progress per page)", r)

    # -- cloudformation (awsQuery) ------------------------------------------------
    tmpl = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                           "Properties": {"QueueName": "cfnq"}}}})
    r = d.call("cloudformation", "CreateStack", {"StackName": "s1", "TemplateBody": tmpl})
    check((out(r) or {}).get("StackId", "").startswith("arn:aws:cloudformation:"),
          "cloudformation CreateStack", r)
    r = d.call("cloudformation", "DescribeStacks", {"StackName": "s1"})
    st = (out(r) or {}).get("Stacks", [{}])[0]
    check(st.get("StackName") == "s1" and st.get("StackStatus") == "CREATE_COMPLETE" and
          "CreationTime" in st, "cloudformation DescribeStacks", r)
    r = d.call("cloudformation", "DeleteStack", {"StackName": "s1"})
    check(out(r) == {}, "cloudformation DeleteStack", r)

    # -- ec2 (ec2Query) -------------------------------------------------------------
    r = d.call("ec2", "RunInstances", {"ImageId": ami, "MinCount": 2, "MaxCount": 2,
                                       "InstanceType": "t3.micro"})
    inst = [i["InstanceId"] for i in (out(r) or {}).get("Instances", [])]
    check(len(inst) == 2, "ec2 RunInstances (ClientToken filled)", r)
    r = d.call("ec2", "DescribeInstances", {"InstanceIds": inst})
    found = [i["InstanceId"] for res in (out(r) or {}).get("Reservations", [])
             for i in res.get("Instances", [])]
    check(sorted(found) == sorted(inst), "ec2 DescribeInstances", r)
    r = d.call("ec2", "TerminateInstances", {"InstanceIds": inst})
    states = [i.get("CurrentState", {}).get("Name")
              for i in (out(r) or {}).get("TerminatingInstances", [])]
    check(len(states) == 2 and all(s in ("shutting-down", "terminated") for s in states),
          "ec2 TerminateInstances", r)

    # -- s3 (restXml) ---------------------------------------------------------------
    r = d.call("s3", "CreateBucket", {"Bucket": "e2e-bucket"})
    check(out(r) is not None, "s3 CreateBucket", r)
    body = "hello, airlock\n"
    import base64
    b64 = base64.b64encode(body.encode()).decode()
    r = d.call("s3", "PutObject", {"Bucket": "e2e-bucket", "Key": "dir/a b.txt",
                                   "Body": b64, "ContentType": "text/plain",
                                   "Metadata": {"k": "v"}})
    check("ETag" in (out(r) or {}), "s3 PutObject (key with a space and a slash)", r)
    r = d.call("s3", "GetObject", {"Bucket": "e2e-bucket", "Key": "dir/a b.txt"})
    o = out(r) or {}
    check(o.get("Body") == b64 and o.get("ContentType") == "text/plain" and
          o.get("Metadata") == {"k": "v"}, "s3 GetObject (body, headers, metadata)", r)
    r = d.call("s3", "ListObjectsV2", {"Bucket": "e2e-bucket"})
    keys = [c["Key"] for c in (out(r) or {}).get("Contents", [])]
    check(keys == ["dir/a b.txt"], "s3 ListObjectsV2", r)

    # -- iam (awsQuery) ---------------------------------------------------------------
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})
    r = d.call("iam", "CreateRole", {"RoleName": "e2e-role", "AssumeRolePolicyDocument": trust})
    check((out(r) or {}).get("Role", {}).get("RoleName") == "e2e-role", "iam CreateRole", r)
    r = d.call("iam", "GetRole", {"RoleName": "e2e-role"})
    check((out(r) or {}).get("Role", {}).get("Arn", "").endswith(":role/e2e-role"),
          "iam GetRole", r)

    # -- sqs (awsJson1_0 since 2023) -----------------------------------------------------
    r = d.call("sqs", "CreateQueue", {"QueueName": "e2e-q"})
    qurl = (out(r) or {}).get("QueueUrl", "")
    check(qurl.endswith("/e2e-q"), "sqs CreateQueue", r)
    r = d.call("sqs", "SendMessage", {"QueueUrl": qurl, "MessageBody": "hi there"})
    check(len((out(r) or {}).get("MD5OfMessageBody", "")) == 32, "sqs SendMessage", r)
    r = d.call("sqs", "ReceiveMessage", {"QueueUrl": qurl, "MaxNumberOfMessages": 1})
    msgs = (out(r) or {}).get("Messages", [])
    check(len(msgs) == 1 and msgs[0].get("Body") == "hi there", "sqs ReceiveMessage", r)

    # -- sns (awsQuery) ---------------------------------------------------------------------
    r = d.call("sns", "CreateTopic", {"Name": "e2e-t"})
    arn = (out(r) or {}).get("TopicArn", "")
    check(arn.endswith(":e2e-t"), "sns CreateTopic", r)
    r = d.call("sns", "Publish", {"TopicArn": arn, "Message": "hello"})
    check((out(r) or {}).get("MessageId"), "sns Publish", r)

    # -- lambda (restJson1): moto's checking off (see the top) ---------------------------------
    set_auth(url, 1000000)
    r = d.call("lambda", "ListFunctions", {})
    check(out(r) == {"Functions": []}, "lambda ListFunctions (moto signature checking off)", r)
    r = d.call("lambda", "ListFunctions", {"MaxItems": 5})
    check(out(r) == {"Functions": []}, "lambda ListFunctions with a query string", r)


if __name__ == "__main__":
    sys.exit(main())
