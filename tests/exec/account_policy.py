#!/usr/bin/env python3
"""account_policy.py AIRLOCK-COMPILE AIRLOCK MODELS -- the account from STS
decides under a policy that lists accounts.

Builds two small catalogs (sts + logs) whose policies allow only account
123456789012 (moto's) or only 999999999999, starts moto on a free loopback
port, and runs `airlock call logs describe-log-groups` with credentials
from the environment and no AWS configuration naming an account: the
first is applied with caller.account 123456789012, the second is denied
naming that account, and with STS unreachable the account is unknown and
the call is denied.  Fails (never skips) when moto is missing.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    compiler, airlock, models = sys.argv[1], sys.argv[2], sys.argv[3]
    tmp = tempfile.mkdtemp(prefix="airlock-acct-")
    cats = {}
    for name, acct in (("ok", "123456789012"), ("other", "999999999999")):
        pol = os.path.join(tmp, name + ".yaml")
        with open(pol, "w") as f:
            f.write('version: 1\nallowed_accounts: ["%s"]\n' % acct)
        cats[name] = os.path.join(tmp, name + ".alc")
        subprocess.run([compiler, "build", "--models", models, "--services", "sts,cloudwatch-logs",
                        "--policy", pol, "-o", cats[name]], check=True)
    port = free_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDACCTEXAMPLE", AWS_SECRET_ACCESS_KEY="acct-secret",
               AWS_REGION="us-east-1", AWS_ENDPOINT_URL="http://127.0.0.1:%d" % port,
               AIRLOCK_HOME=os.path.join(tmp, "home"), AWS_CONFIG_FILE=os.path.join(tmp, "none"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"), AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_PROFILE", None)
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fails = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("FAIL: moto did not start")
            return 1

        def call(cat, e):
            return subprocess.run([airlock, "call", "logs", "describe-log-groups", "--catalog", cat],
                                  capture_output=True, text=True, env=e, timeout=60)

        p = call(cats["ok"], env)
        if p.returncode != 0:
            fails.append("listed account: exit %d: %s" % (p.returncode, p.stderr.strip()))
        else:
            d = json.loads(p.stdout)
            if d.get("state") != "Applied" or d.get("caller", {}).get("account") != "123456789012":
                fails.append("listed account: state %s, account %s" %
                             (d.get("state"), d.get("caller", {}).get("account")))
        p = call(cats["other"], env)
        if p.returncode == 0 or "123456789012 is not in the policy's allowed_accounts" not in p.stderr:
            fails.append("other account: exit %d: %s" % (p.returncode, p.stderr.strip()))
        dead = dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % free_port())
        p = call(cats["ok"], dead)
        if p.returncode == 0 or "account is not known" not in p.stderr:
            fails.append("STS unreachable: exit %d: %s" % (p.returncode, p.stderr.strip()))
    finally:
        moto.terminate()
        moto.wait()
    for f in fails:
        print("FAIL", f)
    print("account policy: %s" % ("3/3 cases ok" if not fails else "FAILED"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
