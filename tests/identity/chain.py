#!/usr/bin/env python3
"""chain.py AIRLOCK -- the network side of identity, end to end through
`airlock whoami`:

  * moto (python3 -m moto.server on 127.0.0.1, a free port) with IAM
    authentication switched on after the setup (POST /moto-api/reset-auth 0):
    from then on every request's SigV4 signature is checked by moto, so each
    successful whoami proves that airlock's signature is accepted;
  * a loopback server (this script, http.server on 127.0.0.1) playing
    IMDSv2 (token PUT first, then role name and credentials, token required),
    the ECS/EKS container endpoint (Authorization checked) and the SSO portal
    (GetRoleCredentials with the bearer token);
  * the credential chain: environment, profiles, precedence, AssumeRole with
    source_profile / credential_source (Environment, Ec2InstanceMetadata,
    EcsContainer), role chaining, external_id / duration_seconds /
    role_session_name, web identity (environment and profile; moto's
    authentication is off for those runs: the call is unsigned and moto would
    refuse it), credential_process, IMDS (v2, v1 fallback, v1
    disabled), container (token and token file), SSO (cached token, expired);
  * TLS: the container endpoint over https with a self-signed certificate
    is refused, then accepted with AWS_CA_BUNDLE naming it;
  * the leak scan: every stdout and stderr of every run, success or failure,
    is searched for every secret the test handed out or moto minted.

Prints "chain: N/M checks passed".  Exits 1 on any failure; moto missing is
a failure, never a skip.
"""
import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

AIRLOCK = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
checks = 0
failures = []
outputs = []           # (label, stdout, stderr) of every airlock run
secrets = set()        # every value that must never appear


def check(cond, label, detail=""):
    global checks
    checks += 1
    if not cond:
        failures.append(label)
        print(f"FAIL {label}" + (f": {detail}" if detail else ""), flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- the loopback IMDS / container / SSO server ---------------------------

class Fake:
    mode = {}
    log = []
    creds = {}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/json"):
        b = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def creds_json(self):
        c = Fake.creds
        return json.dumps({"Code": "Success", "AccessKeyId": c["id"],
                           "SecretAccessKey": c["secret"], "Token": c.get("token", ""),
                           "Expiration": iso(time.time() + 3600)})

    def do_PUT(self):
        Fake.log.append(("PUT", self.path, dict(self.headers)))
        if self.path == "/latest/api/token":
            m = Fake.mode.get("imds", "v2")
            if m == "v1only":
                return self.send(404, "")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.send(400, "")
            return self.send(200, "IMDSTOKEN-123", "text/plain")
        self.send(404, "")

    def do_GET(self):
        Fake.log.append(("GET", self.path, dict(self.headers)))
        p = urllib.parse.urlparse(self.path)
        if p.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if Fake.mode.get("imds", "v2") == "v2" and \
                    self.headers.get("X-aws-ec2-metadata-token") != "IMDSTOKEN-123":
                return self.send(401, "")
            role = p.path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.send(200, "bastion-role", "text/plain")
            if role != "bastion-role":
                return self.send(404, "")
            if Fake.mode.get("imds_creds") == "500":
                return self.send(500, "oops " + Fake.creds["secret"])
            return self.send(200, self.creds_json())
        if p.path == "/container/creds":
            if Fake.mode.get("container_auth") and \
                    self.headers.get("Authorization") != Fake.mode["container_auth"]:
                return self.send(403, "")
            if Fake.mode.get("container") == "badjson":
                return self.send(200, '{"AccessKeyId": "' + Fake.creds["id"] +
                                 '", "SecretAccessKey": "' + Fake.creds["secret"])
            return self.send(200, self.creds_json())
        if p.path == "/federation/credentials":
            q = urllib.parse.parse_qs(p.query)
            if self.headers.get("x-amz-sso_bearer_token") != Fake.mode.get("sso_token"):
                return self.send(401, '{"message": "Session token not found or invalid"}')
            if q.get("account_id") != ["123456789012"] or q.get("role_name") != ["Admin"]:
                return self.send(403, "")
            c = Fake.creds
            return self.send(200, json.dumps({"roleCredentials": {
                "accessKeyId": c["id"], "secretAccessKey": c["secret"],
                "sessionToken": c.get("token", ""),
                "expiration": int((time.time() + 3600) * 1000)}}))
        self.send(404, "")


# ---- running airlock -------------------------------------------------------

class Env:
    def __init__(self, root, moto_url):
        self.root = root
        self.moto = moto_url

    def base(self):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("AWS_") and k.lower() not in
             ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        e.update({
            "HOME": self.root,
            "AWS_CONFIG_FILE": os.path.join(self.root, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.root, "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_STS": self.moto,
        })
        return e


def write(root, name, text):
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def whoami(label, env, *args, json_out=True):
    argv = [AIRLOCK, "whoami", *args] + (["--json"] if json_out else [])
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    outputs.append((label, p.stdout, p.stderr))
    data = None
    if p.returncode == 0 and json_out:
        try:
            data = json.loads(p.stdout)
        except ValueError:
            data = None
    return p.returncode, data, p.stdout, p.stderr


def expect_ok(label, env, *args, arn_part, source, **kw):
    rc, d, out, err = whoami(label, env, *args)
    ok = rc == 0 and d and d.get("account") == "123456789012" and arn_part in d.get("arn", "") \
        and d.get("credential_source") == source
    for k, v in kw.items():
        ok = ok and d.get(k) == v
    check(ok, label, f"rc={rc} out={out.strip()} err={err.strip()}")
    return d


def expect_fail(label, env, *args, want):
    rc, d, out, err = whoami(label, env, *args)
    check(rc == 1 and want in err, label, f"rc={rc} out={out.strip()} err={err.strip()}")


# ---- main ------------------------------------------------------------------

def main():
    if not AIRLOCK or not os.access(AIRLOCK, os.X_OK):
        print("usage: chain.py AIRLOCK")
        return 2
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print(f"FAIL: moto and boto3 are required ({e}); install them into {sys.executable}")
        print("chain: 0/1 checks passed")
        return 1
    import boto3

    root = tempfile.mkdtemp(prefix="airlock-chain-")
    port = free_port()
    moto_log = open(os.path.join(root, "moto.log"), "w")
    menv = {k: v for k, v in os.environ.items() if k != "INITIAL_NO_AUTH_ACTION_COUNT"}
    moto_p = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=moto_log, stderr=subprocess.STDOUT, env=menv)
    moto_url = f"http://127.0.0.1:{port}"
    fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake_url = f"http://127.0.0.1:{fake.server_address[1]}"
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(moto_url + "/moto-api/", timeout=1)
                break
            except OSError:
                if moto_p.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pass
        if moto_p.poll() is not None:
            print("FAIL: moto.server did not start (see its log below)")
            moto_log.flush()
            print(open(os.path.join(root, "moto.log")).read()[-2000:])
            return 1
        return run(root, moto_url, fake_url, boto3)
    finally:
        fake.shutdown()
        moto_p.terminate()
        try:
            moto_p.wait(10)
        except subprocess.TimeoutExpired:
            moto_p.kill()
        subprocess.run(["rm", "-rf", root])


def run(root, moto_url, fake_url, boto3):
    # Setup while moto still accepts anything.
    kw = dict(endpoint_url=moto_url, region_name="us-east-1",
              aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    # moto matches trust principals exactly (no ":root" expansion).
    def trust(principal, external_id=None):
        st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        if external_id:
            st["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
        return json.dumps({"Version": "2012-10-17", "Statement": [st]})
    allow_all = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    alice = "arn:aws:iam::123456789012:user/alice"
    for r, t in (("deployer", trust(alice)),
                 ("chained", trust("arn:aws:sts::123456789012:assumed-role/deployer/airlock-test")),
                 ("guarded", trust(alice, "ext-123"))):
        iam.create_role(RoleName=r, AssumeRolePolicyDocument=t)
        iam.put_role_policy(RoleName=r, PolicyName="all", PolicyDocument=allow_all)
    kid, ksecret = key["AccessKeyId"], key["SecretAccessKey"]
    secrets.update([kid, ksecret])
    # From here on moto checks every signature.
    req = urllib.request.Request(moto_url + "/moto-api/reset-auth", data=b"0", method="POST",
                                 headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req, timeout=10).read()

    E = Env(root, moto_url)
    write(root, "config", "")
    write(root, "credentials", "")

    # -- environment ---------------------------------------------------------
    env = E.base()
    env.update(AWS_ACCESS_KEY_ID=kid, AWS_SECRET_ACCESS_KEY=ksecret)
    d = expect_ok("env credentials", env, arn_part=":user/alice", source="environment",
                  profile="default", region=None)
    env2 = dict(env, AWS_REGION="eu-west-1")
    expect_ok("env credentials, AWS_REGION", env2, arn_part=":user/alice", source="environment",
              region="eu-west-1")
    expect_ok("--region", env, "--region", "ap-southeast-2", arn_part=":user/alice",
              source="environment", region="ap-southeast-2")
    rc, _, out, err = whoami("text output", env, json_out=False)
    check(rc == 0 and "account            123456789012" in out and ":user/alice" in out and
          "credential_source  environment" in out, "text output", out + err)

    # Signature checking is on: a wrong secret and an unknown key are refused.
    wrong = dict(env, AWS_SECRET_ACCESS_KEY="LeakTestWrongSecret0000000000000000000000")
    secrets.add("LeakTestWrongSecret0000000000000000000000")
    expect_fail("wrong secret refused (moto checks signatures)", wrong, want="SignatureDoesNotMatch")
    unknown = dict(env, AWS_ACCESS_KEY_ID="AKIALEAKTESTENV00001",
                   AWS_SECRET_ACCESS_KEY="LeakTestEnvSecret000000000000000000000000",
                   AWS_SESSION_TOKEN="LeakTestEnvSessionToken//+==")
    secrets.update(["AKIALEAKTESTENV00001", "LeakTestEnvSecret000000000000000000000000",
                    "LeakTestEnvSessionToken//+=="])
    expect_fail("unknown key refused", unknown, want="InvalidClientTokenId")

    # -- profiles and precedence ---------------------------------------------
    write(root, "credentials",
          f"[alice]\naws_access_key_id = {kid}\naws_secret_access_key = {ksecret}\n"
          "[bogus]\naws_access_key_id = AKIALEAKTESTBOGUS001\n"
          "aws_secret_access_key = LeakTestBogusSecret00000000000000000000000\n")
    secrets.update(["AKIALEAKTESTBOGUS001", "LeakTestBogusSecret00000000000000000000000"])
    write(root, "config",
          "[profile alice]\nregion = us-west-2\n"
          "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
          "source_profile = alice\nexternal_id = ext-123\nduration_seconds = 1800\n"
          "role_session_name = airlock-test\n"
          "[profile guarded]\nrole_arn = arn:aws:iam::123456789012:role/guarded\n"
          "source_profile = alice\nexternal_id = ext-123\n"
          "[profile guarded_wrong]\nrole_arn = arn:aws:iam::123456789012:role/guarded\n"
          "source_profile = alice\nexternal_id = not-it\n"
          "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/chained\n"
          "source_profile = deployer\n"
          "[profile fromenv]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
          "credential_source = Environment\n"
          "[profile fromimds]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
          "credential_source = Ec2InstanceMetadata\n"
          "[profile fromecs]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
          "credential_source = EcsContainer\n"
          "[profile badsource]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
          "source_profile = bogus\n"
          "[profile process]\ncredential_process = " + os.path.join(root, "proc.sh") + " ok\n"
          "[profile process_fail]\ncredential_process = " + os.path.join(root, "proc.sh") +
          " fail\n"
          "[profile process_bad]\ncredential_process = " + os.path.join(root, "proc.sh") +
          " bad\n"
          "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
          "sso_role_name = Admin\nregion = us-east-1\n"
          "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
          "sso_region = us-east-1\n")
    base = E.base()
    expect_ok("--profile, credentials file", base, "--profile", "alice", arn_part=":user/alice",
              source="shared-credentials-file", profile="alice", region="us-west-2")
    expect_ok("AWS_PROFILE", dict(base, AWS_PROFILE="alice"), arn_part=":user/alice",
              source="shared-credentials-file", profile="alice")
    # env > AWS_PROFILE, but --profile > env (the CLI's rule).
    expect_ok("environment over AWS_PROFILE", dict(env, AWS_PROFILE="bogus"),
              arn_part=":user/alice", source="environment")
    expect_fail("--profile over the environment", dict(env, AWS_PROFILE="alice"), "--profile",
                "bogus", want="InvalidClientTokenId")
    expect_fail("--profile that does not exist", base, "--profile", "nope",
                want="profile nope not found")

    # -- AssumeRole ----------------------------------------------------------
    d = expect_ok("AssumeRole with source_profile", base, "--profile", "deployer",
                  arn_part=":assumed-role/deployer/airlock-test", source="assume-role")
    expect_ok("role chaining", base, "--profile", "chained",
              arn_part=":assumed-role/chained/airlock-session-", source="assume-role")
    expect_ok("AssumeRole sends external_id", base, "--profile", "guarded",
              arn_part=":assumed-role/guarded/", source="assume-role")
    expect_fail("AssumeRole with the wrong external_id", base, "--profile", "guarded_wrong",
                want="AccessDenied")
    expect_ok("AssumeRole with credential_source Environment",
              dict(base, AWS_ACCESS_KEY_ID=kid, AWS_SECRET_ACCESS_KEY=ksecret),
              "--profile", "fromenv", arn_part=":assumed-role/deployer/", source="assume-role")
    expect_fail("AssumeRole with a refused source", base, "--profile", "badsource",
                want="AssumeRole arn:aws:iam::123456789012:role/deployer refused: InvalidClientTokenId")

    # -- credential_process ----------------------------------------------------
    write(root, "proc.sh",
          "#!/bin/sh\n"
          "echo 'LeakTestStderrSecret0000000000000000000000' >&2\n"
          "case \"$1\" in\n"
          f"ok) printf '%s' '{json.dumps({'Version': 1, 'AccessKeyId': kid, 'SecretAccessKey': ksecret, 'Expiration': iso(time.time() + 3600)})}' ;;\n"
          "fail) printf '{\"Version\": 1, \"AccessKeyId\": \"AKIALEAKTESTPROC0001\", "
          "\"SecretAccessKey\": \"LeakTestProcSecret000000000000000000000000\"}'; exit 7 ;;\n"
          "bad) printf 'AccessKeyId=AKIALEAKTESTPROC0001 LeakTestProcSecret000000000000000000000000' ;;\n"
          "esac\n")
    os.chmod(os.path.join(root, "proc.sh"), 0o700)
    secrets.update(["AKIALEAKTESTPROC0001", "LeakTestProcSecret000000000000000000000000",
                    "LeakTestStderrSecret0000000000000000000000"])
    expect_ok("credential_process", base, "--profile", "process", arn_part=":user/alice",
              source="credential-process")
    expect_fail("credential_process failing", base, "--profile", "process_fail",
                want="exited with status 7")
    expect_fail("credential_process bad JSON", base, "--profile", "process_bad",
                want="not a JSON object")

    # -- IMDS ------------------------------------------------------------------
    Fake.creds = {"id": kid, "secret": ksecret, "token": ""}
    imds = dict(base)
    del imds["AWS_EC2_METADATA_DISABLED"]
    imds["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fake_url + "/"
    Fake.mode = {"imds": "v2"}
    Fake.log.clear()
    expect_ok("IMDSv2", imds, arn_part=":user/alice", source="imds")
    seq = [(m, p) for m, p, _ in Fake.log]
    check(seq[:3] == [("PUT", "/latest/api/token"),
                      ("GET", "/latest/meta-data/iam/security-credentials/"),
                      ("GET", "/latest/meta-data/iam/security-credentials/bastion-role")],
          "IMDSv2: token PUT first, then role name and credentials", str(seq))
    check(Fake.log and Fake.log[0][2].get("X-aws-ec2-metadata-token-ttl-seconds") == "21600",
          "IMDSv2: token TTL header")
    check(all(h.get("X-aws-ec2-metadata-token") == "IMDSTOKEN-123" for m, p, h in Fake.log[1:3]),
          "IMDSv2: token on every GET")
    Fake.mode = {"imds": "v1only"}
    expect_ok("IMDSv1 fallback when the token PUT is refused", imds, arn_part=":user/alice",
              source="imds")
    expect_fail("IMDSv1 disabled", dict(imds, AWS_EC2_METADATA_V1_DISABLED="true"),
                want="IMDSv1 is disabled")
    Fake.mode = {"imds": "v2"}
    expect_ok("AssumeRole with credential_source Ec2InstanceMetadata", imds, "--profile",
              "fromimds", arn_part=":assumed-role/deployer/", source="assume-role")
    # Unreachable IMDS: quick, and the chain ends with a clear message.
    dead = dict(imds, AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{free_port()}")
    t0 = time.time()
    expect_fail("IMDS unreachable", dead, want="no AWS credentials found")
    check(time.time() - t0 < 10, "IMDS unreachable: no hang", f"{time.time() - t0:.1f}s")
    leak = {"id": "AKIALEAKTESTIMDS0001", "secret": "LeakTestImdsSecret000000000000000000000000",
            "token": "LeakTestImdsToken/+="}
    secrets.update(leak.values())
    Fake.creds = leak
    expect_fail("IMDS credentials refused by STS", imds, want="InvalidClientTokenId")
    Fake.mode = {"imds": "v2", "imds_creds": "500"}
    expect_fail("IMDS answering 500", imds, want="HTTP 500")

    # -- container -------------------------------------------------------------
    Fake.creds = {"id": kid, "secret": ksecret, "token": ""}
    cont = dict(base, AWS_CONTAINER_CREDENTIALS_FULL_URI=fake_url + "/container/creds",
                AWS_CONTAINER_AUTHORIZATION_TOKEN="LeakTestContainerAuth000")
    secrets.add("LeakTestContainerAuth000")
    Fake.mode = {"container_auth": "LeakTestContainerAuth000"}
    expect_ok("container credentials (token)", cont, arn_part=":user/alice", source="container")
    tf = write(root, "ecs-token", "LeakTestContainerAuth000\n")
    cont_file = dict(cont, AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong",
                     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=tf)
    expect_ok("container credentials (token file wins)", cont_file, arn_part=":user/alice",
              source="container")
    expect_fail("container refuses a wrong token", dict(cont, AWS_CONTAINER_AUTHORIZATION_TOKEN="x"),
                want="HTTP 403")
    expect_ok("AssumeRole with credential_source EcsContainer", cont, "--profile", "fromecs",
              arn_part=":assumed-role/deployer/", source="assume-role")
    expect_ok("environment before the container", dict(cont, AWS_ACCESS_KEY_ID=kid,
              AWS_SECRET_ACCESS_KEY=ksecret), arn_part=":user/alice", source="environment")
    Fake.creds = {"id": "AKIALEAKTESTECS00001", "secret": "LeakTestEcsSecret0000000000000000000000000"}
    secrets.update(Fake.creds.values())
    Fake.mode = {"container": "badjson"}
    expect_fail("container answering bad JSON", dict(cont), want="not the expected JSON")
    expect_fail("container FULL_URI to a remote http host",
                dict(base, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds"),
                want="must be https")

    # -- TLS: verification on, AWS_CA_BUNDLE honoured --------------------------
    # The container endpoint over https (allowed for any host), served with
    # a self-signed certificate for 127.0.0.1.
    cert, keyf = os.path.join(root, "tls.pem"), os.path.join(root, "tls.key")
    gen = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                          "-keyout", keyf, "-out", cert], capture_output=True, text=True)
    check(gen.returncode == 0, "openssl makes a test certificate", gen.stderr[-300:])
    if gen.returncode == 0:
        import ssl
        tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, keyf)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        try:
            Fake.creds = {"id": kid, "secret": ksecret, "token": ""}
            Fake.mode = {}
            https = dict(base, AWS_CONTAINER_CREDENTIALS_FULL_URI=
                         f"https://127.0.0.1:{tls.server_address[1]}/container/creds")
            expect_fail("TLS: an unknown certificate is refused", https, want="certificate")
            expect_ok("TLS: AWS_CA_BUNDLE", dict(https, AWS_CA_BUNDLE=cert),
                      arn_part=":user/alice", source="container")
        finally:
            tls.shutdown()

    # -- web identity (EKS service accounts) --------------------------------------
    # AssumeRoleWithWebIdentity is unsigned, and moto checks every request
    # once authentication is on: it is off for these three runs only.
    def moto_auth(count):
        r = urllib.request.Request(moto_url + "/moto-api/reset-auth", data=count.encode(),
                                   method="POST", headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(r, timeout=10).read()
    webtok = write(root, "eks-token", "LeakTestWebIdentityToken.eyJhbGciOiJSUzI1NiJ9.sig\n")
    secrets.add("LeakTestWebIdentityToken.eyJhbGciOiJSUzI1NiJ9.sig")
    wi = dict(base, AWS_WEB_IDENTITY_TOKEN_FILE=webtok,
              AWS_ROLE_ARN="arn:aws:iam::123456789012:role/deployer", AWS_ROLE_SESSION_NAME="irsa")
    moto_auth("inf")
    try:
        expect_ok("web identity from the environment", wi,
                  arn_part=":assumed-role/deployer/irsa", source="web-identity")
        write(root, "config", open(os.path.join(root, "config")).read() +
              f"[profile wiprof]\nrole_arn = arn:aws:iam::123456789012:role/chained\n"
              f"web_identity_token_file = {webtok}\nrole_session_name = fromprofile\n")
        expect_ok("web identity from a profile", base, "--profile", "wiprof",
                  arn_part=":assumed-role/chained/fromprofile", source="web-identity")
        expect_ok("a profile's role with a source before web identity", wi, "--profile",
                  "deployer", arn_part=":assumed-role/deployer/airlock-test", source="assume-role")
    finally:
        moto_auth("0")
    expect_fail("signature checking is back on", wrong, want="SignatureDoesNotMatch")

    # -- SSO -------------------------------------------------------------------
    Fake.creds = {"id": kid, "secret": ksecret, "token": ""}
    Fake.mode = {"sso_token": "LeakTestSsoAccessToken000"}
    secrets.add("LeakTestSsoAccessToken000")
    sha = hashlib.sha1(b"corp").hexdigest()
    cache = os.path.join(".aws", "sso", "cache", sha + ".json")
    write(root, cache, json.dumps({"startUrl": "https://corp.awsapps.com/start",
                                   "region": "us-east-1", "accessToken": "LeakTestSsoAccessToken000",
                                   "expiresAt": iso(time.time() + 3600)}))
    sso = dict(base, AWS_ENDPOINT_URL_SSO=fake_url)
    expect_ok("SSO (cached token, GetRoleCredentials)", sso, "--profile", "sso",
              arn_part=":user/alice", source="sso")
    Fake.mode = {"sso_token": "another"}
    expect_fail("SSO token refused", sso, "--profile", "sso", want="aws sso login --profile sso")
    write(root, cache, json.dumps({"accessToken": "LeakTestSsoAccessToken000",
                                   "expiresAt": iso(time.time() - 60)}))
    expect_fail("SSO token expired", sso, "--profile", "sso", want="aws sso login --profile sso")

    # -- the leak scan -----------------------------------------------------------
    leaks = [(label, s) for label, out, err in outputs for s in secrets if s and (s in out or s in err)]
    check(not leaks, f"no secret in any output ({len(outputs)} runs, {len(secrets)} secrets)",
          "; ".join(f"{label}: {s[:8]}..." for label, s in leaks))
    print(f"chain: leak scan over {len(outputs)} runs for {len(secrets)} secrets")
    print(f"chain: {checks - len(failures)}/{checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
