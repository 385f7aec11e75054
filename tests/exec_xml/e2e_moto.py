#!/usr/bin/env python3
"""End to end through rt_exec against moto on loopback, with SigV4 checking
on, for the XML and query protocols (and sqs, which this model has on
awsJson1_0):

    e2e_moto.py EXEC_CALL CATALOG

  * moto (python3 -m moto.server -H 127.0.0.1 -p PORT); setup while it
    accepts anything (an IAM user with an allow-all policy and an access
    key), then POST /moto-api/reset-auth 0: from then on every request's
    signature is checked, as with INITIAL_NO_AUTH_ACTION_COUNT=0;
  * exec_call (rt_exec_call) runs, with the user's key in the environment:
      sts GetCallerIdentity                           awsQuery
      cloudformation CreateStack, DescribeStacks, DeleteStack   awsQuery
      ec2 RunInstances, DescribeInstances, TerminateInstances   ec2Query
      s3 CreateBucket, PutObject, GetObject, ListObjectsV2      restXml
      iam CreateRole, GetRole                         awsQuery
      sns CreateTopic, Publish                        awsQuery
      sqs CreateQueue, SendMessage, ReceiveMessage    awsJson1_0
    and error answers (s3 GetObject of a missing key, iam GetRole of a
    missing role, ec2 an unknown instance) come back as modeled errors.
    Signature checking stays on throughout; the one query value that moto's
    check wrongly refuses (an encoded '/' in an S3 query parameter, refused
    from boto3 too) is avoided;
  * boto3 checks what airlock did (the stack, the instance, the object,
    the role), and a wrong secret is refused.

Prints "e2e: N/M checks passed"; exits 1 on any failure (moto or boto3
missing is a failure, not a skip).
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

checks = [0, 0]


def check(cond, what, detail=""):
    checks[1] += 1
    if cond:
        checks[0] += 1
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}\n     {str(detail)[:1500]}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Airlock:
    def __init__(self, exe, catalog, url, env):
        self.p = subprocess.Popen([exe, catalog, url, "us-east-1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env, text=True)

    def call(self, service, operation, inp=None):
        self.p.stdin.write(json.dumps({"service": service, "operation": operation,
                                       "input": inp or {}}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            return {"fail": "exec_call exited"}
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait(30)


def out(r):
    return r.get("output") or {}


TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "e2e-cfn"}}},
    "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}}})


def run(exe, catalog, url, boto3):
    kw = dict(endpoint_url=url, region_name="us-east-1",
              aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="airlock")
    key = iam.create_access_key(UserName="airlock")["AccessKey"]
    iam.put_user_policy(UserName="airlock", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                  "Resource": "*"}]}))
    ami = boto3.client("ec2", **kw).describe_images()["Images"][0]["ImageId"]
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0", method="POST",
                                 headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()
    kw.update(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    home = tempfile.mkdtemp(prefix="airlock-e2e-")
    env.update(HOME=home, AWS_CONFIG_FILE=os.path.join(home, "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "credentials"),
               AWS_ACCESS_KEY_ID=key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    a = Airlock(exe, catalog, url, env)

    # -- sts (awsQuery) ---------------------------------------------------
    r = a.call("sts", "GetCallerIdentity")
    check(out(r).get("Arn", "").endswith(":user/airlock"), "sts GetCallerIdentity", r)

    # -- cloudformation (awsQuery) -----------------------------------------
    r = a.call("cloudformation", "CreateStack", {
        "StackName": "airlock-e2e", "TemplateBody": TEMPLATE,
        "Tags": [{"Key": "team", "Value": "airlock"}],
        "Parameters": [], "Capabilities": ["CAPABILITY_IAM"]})
    sid = out(r).get("StackId", "")
    check(sid.startswith("arn:aws:cloudformation:"), "cloudformation CreateStack", r)
    r = a.call("cloudformation", "DescribeStacks", {"StackName": "airlock-e2e"})
    st = (out(r).get("Stacks") or [{}])[0]
    check(st.get("StackId") == sid and st.get("StackStatus") == "CREATE_COMPLETE" and
          st.get("Tags") == [{"Key": "team", "Value": "airlock"}] and
          isinstance(st.get("CreationTime"), str) and st["CreationTime"].endswith("Z"),
          "cloudformation DescribeStacks (list of structures, timestamp)", r)
    outs = {o["OutputKey"]: o["OutputValue"] for o in st.get("Outputs", [])}
    check(outs.get("TopicArn", "").endswith(":e2e-cfn"), "cloudformation stack outputs", st)
    b = boto3.client("cloudformation", **kw).describe_stacks(StackName="airlock-e2e")
    check(b["Stacks"][0]["StackId"] == sid, "boto3 sees the stack airlock created")
    r = a.call("cloudformation", "DeleteStack", {"StackName": "airlock-e2e"})
    check("output" in r, "cloudformation DeleteStack", r)
    r = a.call("cloudformation", "DescribeStacks", {"StackName": sid})
    st = (out(r).get("Stacks") or [{}])[0]
    check(st.get("StackStatus") == "DELETE_COMPLETE", "cloudformation stack deleted", r)
    r = a.call("cloudformation", "DescribeStacks", {"StackName": "no-such-stack"})
    e = r.get("error") or {}
    check(e.get("code") == "ValidationError" and e.get("http_status") == 400 and
          "does not exist" in e.get("message", ""), "cloudformation error (ErrorResponse)", r)

    # -- ec2 (ec2Query) ------------------------------------------------------
    r = a.call("ec2", "RunInstances", {
        "ImageId": ami, "MinCount": 1, "MaxCount": 1, "InstanceType": "t2.micro",
        "TagSpecifications": [{"ResourceType": "instance",
                               "Tags": [{"Key": "Name", "Value": "airlock-e2e"}]}]})
    inst = (out(r).get("Instances") or [{}])[0]
    iid = inst.get("InstanceId", "")
    check(iid.startswith("i-") and out(r).get("ReservationId", "").startswith("r-"),
          "ec2 RunInstances", r)
    r = a.call("ec2", "DescribeInstances", {"InstanceIds": [iid]})
    res = out(r).get("Reservations") or [{}]
    i2 = (res[0].get("Instances") or [{}])[0]
    check(i2.get("InstanceId") == iid and i2.get("ImageId") == ami and
          {"Key": "Name", "Value": "airlock-e2e"} in i2.get("Tags", []) and
          i2.get("State", {}).get("Name") in ("pending", "running"),
          "ec2 DescribeInstances (flattened ec2 lists, nested structures)", r)
    b = boto3.client("ec2", **kw).describe_instances(InstanceIds=[iid])
    check(b["Reservations"][0]["Instances"][0]["InstanceType"] == "t2.micro",
          "boto3 sees the instance airlock ran")
    r = a.call("ec2", "TerminateInstances", {"InstanceIds": [iid]})
    ti = (out(r).get("TerminatingInstances") or [{}])[0]
    check(ti.get("InstanceId") == iid and
          ti.get("CurrentState", {}).get("Name") in ("shutting-down", "terminated"),
          "ec2 TerminateInstances", r)
    r = a.call("ec2", "DescribeInstances", {"InstanceIds": ["i-0123456789abcdef0"]})
    e = r.get("error") or {}
    check(e.get("code") == "InvalidInstanceID.NotFound" and e.get("request_id"),
          "ec2 error (Response/Errors/Error, RequestID)", r)

    # -- s3 (restXml) ---------------------------------------------------------
    r = a.call("s3", "CreateBucket", {"Bucket": "airlock-e2e"})
    check("output" in r, "s3 CreateBucket", r)
    body = b"hello from airlock\n\x00\xff binary too"
    r = a.call("s3", "PutObject", {"Bucket": "airlock-e2e", "Key": "dir/hello world.txt",
                                   "Body": base64.b64encode(body).decode(),
                                   "ContentType": "text/plain",
                                   "Metadata": {"owner": "airlock"}})
    check(out(r).get("ETag", "").strip('"') != "", "s3 PutObject", r)
    r = a.call("s3", "GetObject", {"Bucket": "airlock-e2e", "Key": "dir/hello world.txt"})
    o = out(r)
    check(base64.b64decode(o.get("Body", "")) == body and o.get("ContentType") == "text/plain"
          and o.get("Metadata") == {"owner": "airlock"} and o.get("ContentLength") == len(body),
          "s3 GetObject (payload, headers, prefix headers)", r)
    # Prefix "dir", not "dir/": moto's signature check refuses a query
    # value holding an encoded '/' (%2F) from boto3 as well as from airlock.
    r = a.call("s3", "ListObjectsV2", {"Bucket": "airlock-e2e", "Prefix": "dir"})
    o = out(r)
    keys = [c.get("Key") for c in o.get("Contents", [])]
    check(keys == ["dir/hello world.txt"] and o.get("KeyCount") == 1 and
          o["Contents"][0].get("Size") == len(body) and o.get("Name") == "airlock-e2e",
          "s3 ListObjectsV2 (flattened list)", r)
    b = boto3.client("s3", **kw).get_object(Bucket="airlock-e2e", Key="dir/hello world.txt")
    check(b["Body"].read() == body, "boto3 reads the object airlock wrote")
    # A structure payload with the service's namespace, and S3's unwrapped
    # GetBucketLocation answer (<LocationConstraint>eu-west-1</...>).
    r = a.call("s3", "CreateBucket", {"Bucket": "airlock-e2e-eu", "CreateBucketConfiguration":
                                      {"LocationConstraint": "eu-west-1"}})
    check("output" in r, "s3 CreateBucket with a CreateBucketConfiguration payload", r)
    r = a.call("s3", "GetBucketLocation", {"Bucket": "airlock-e2e-eu"})
    check(out(r).get("LocationConstraint") == "eu-west-1", "s3 GetBucketLocation (unwrapped)", r)
    # httpChecksumRequired operations: Content-MD5 over the XML body.
    r = a.call("s3", "PutBucketTagging", {"Bucket": "airlock-e2e", "Tagging": {"TagSet": [
        {"Key": "team", "Value": "airlock"}, {"Key": "x", "Value": "a & <b>"}]}})
    check("output" in r, "s3 PutBucketTagging (Content-MD5)", r)
    r = a.call("s3", "GetBucketTagging", {"Bucket": "airlock-e2e"})
    check(out(r).get("TagSet") == [{"Key": "team", "Value": "airlock"},
                                   {"Key": "x", "Value": "a & <b>"}],
          "s3 GetBucketTagging", r)
    a.call("s3", "PutObject", {"Bucket": "airlock-e2e", "Key": "tmp1", "Body": ""})
    r = a.call("s3", "DeleteObjects", {"Bucket": "airlock-e2e", "Delete": {
        "Objects": [{"Key": "tmp1"}, {"Key": "never-there"}], "Quiet": False}})
    check(sorted(d.get("Key") for d in out(r).get("Deleted", [])) == ["never-there", "tmp1"],
          "s3 DeleteObjects (flattened lists both ways, Content-MD5)", r)
    r = a.call("s3", "GetObject", {"Bucket": "airlock-e2e", "Key": "missing"})
    e = r.get("error") or {}
    check(e.get("code") == "NoSuchKey" and e.get("http_status") == 404 and
          e.get("type", "").endswith("NoSuchKey"), "s3 error (noErrorWrapping, modeled)", r)
    r = a.call("s3", "HeadObject", {"Bucket": "airlock-e2e", "Key": "missing"})
    e = r.get("error") or {}
    check(e.get("code") == "NotFound" and e.get("http_status") == 404,
          "s3 HEAD error without a body", r)

    # -- iam (awsQuery) ---------------------------------------------------------
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]})
    r = a.call("iam", "CreateRole", {"RoleName": "airlock-e2e", "AssumeRolePolicyDocument": trust,
                                     "Tags": [{"Key": "k", "Value": "v"}]})
    check(out(r).get("Role", {}).get("RoleName") == "airlock-e2e", "iam CreateRole", r)
    r = a.call("iam", "GetRole", {"RoleName": "airlock-e2e"})
    role = out(r).get("Role", {})
    check(role.get("Arn", "").endswith(":role/airlock-e2e") and
          isinstance(role.get("CreateDate"), str), "iam GetRole", r)
    b = boto3.client("iam", **kw).get_role(RoleName="airlock-e2e")
    check(b["Role"]["RoleId"] == role.get("RoleId"), "boto3 sees the role airlock created")
    r = a.call("iam", "GetRole", {"RoleName": "no-such-role"})
    e = r.get("error") or {}
    check(e.get("code") == "NoSuchEntity" and e.get("type", "").endswith("NoSuchEntityException"),
          "iam error mapped by its awsQueryError code", r)

    # -- sns (awsQuery) -----------------------------------------------------------
    r = a.call("sns", "CreateTopic", {"Name": "airlock-e2e",
                                      "Attributes": {"DisplayName": "airlock"}})
    arn = out(r).get("TopicArn", "")
    check(arn.endswith(":airlock-e2e"), "sns CreateTopic (map input)", r)
    r = a.call("sns", "Publish", {"TopicArn": arn, "Message": "hello & <goodbye>",
                                  "MessageAttributes": {"k": {"DataType": "String",
                                                              "StringValue": "v"}}})
    check(len(out(r).get("MessageId", "")) > 10, "sns Publish", r)
    r = a.call("sns", "GetTopicAttributes", {"TopicArn": arn})
    check(out(r).get("Attributes", {}).get("DisplayName") == "airlock",
          "sns GetTopicAttributes (map output)", r)

    # -- sqs (awsJson1_0 in this model) ----------------------------------------------
    r = a.call("sqs", "CreateQueue", {"QueueName": "airlock-e2e"})
    qurl = out(r).get("QueueUrl", "")
    check(qurl.endswith("/airlock-e2e"), "sqs CreateQueue", r)
    r = a.call("sqs", "SendMessage", {"QueueUrl": qurl, "MessageBody": "hi from airlock"})
    check(len(out(r).get("MessageId", "")) > 10, "sqs SendMessage", r)
    r = a.call("sqs", "ReceiveMessage", {"QueueUrl": qurl, "MaxNumberOfMessages": 1})
    msgs = out(r).get("Messages", [])
    check(len(msgs) == 1 and msgs[0].get("Body") == "hi from airlock", "sqs ReceiveMessage", r)
    a.close()

    # -- signature checking is on ---------------------------------------------------
    env2 = dict(env, AWS_SECRET_ACCESS_KEY="WrongSecret00000000000000000000000000000")
    w = Airlock(exe, catalog, url, env2)
    r = w.call("iam", "GetRole", {"RoleName": "airlock-e2e"})
    e = r.get("error") or {}
    check(e.get("http_status") in (401, 403) and e.get("code"), "a wrong secret is refused", r)
    w.close()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: e2e_moto.py EXEC_CALL CATALOG")
    try:
        import boto3
        import moto  # noqa: F401
    except ImportError as ex:
        print(f"FAIL: moto and boto3 are required ({ex}); install them into {sys.executable}")
        sys.exit(1)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
    menv = {k: v for k, v in os.environ.items() if k != "INITIAL_NO_AUTH_ACTION_COUNT"}
    p = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                          str(port)], stdout=log, stderr=subprocess.STDOUT, env=menv)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except Exception:
                if p.poll() is not None:
                    break
                time.sleep(0.1)
        if p.poll() is not None:
            print("FAIL: moto.server did not start:\n" + open(log.name).read()[-2000:])
            sys.exit(1)
        run(sys.argv[1], sys.argv[2], url, boto3)
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    print(f"e2e: {checks[0]}/{checks[1]} checks passed")
    sys.exit(0 if checks[0] == checks[1] else 1)


if __name__ == "__main__":
    main()
