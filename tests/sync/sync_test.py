#!/usr/bin/env python3
"""sync_test.py -- `airlock-compile sync` against a loopback HTTP server.

    sync_test.py --bin airlock-compile --shared DIR --work DIR CASE

Each CASE is one ctest test (tests/sync/tests.cmake).  Archives are made at
test time, with tarfile, from SHARED/api-models-aws (a subset of the 20
smallest services, or all of it for `full`); the server (server.py) runs in
this process and records every request, so the cases assert requests and
body bytes, not just exit codes.  Every sync runs with its own AIRLOCK_CACHE
and HOME under WORK.  "Cache unchanged" compares a snapshot of the cache
(every file's bytes and every link's target; the build's parts/ and the
sync.lock file aside) taken before and after.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import Server, http_date  # noqa: E402

REPO = "aws/api-models-aws"
COMMIT_A = "56c8953e87aeead95ae5e66a3ca6a355731db6ad"
COMMIT_B = "0123456789abcdef0123456789abcdef01234567"
ARGS = None
FAILS = []


def check(cond, what):
    if cond:
        print("ok   %s" % what)
    else:
        print("FAIL %s" % what)
        FAILS.append(what)


# ---- models and archives ---------------------------------------------------

def all_models():
    root = os.path.join(ARGS.shared, "api-models-aws")
    if not os.path.isdir(root):
        print("FAIL no %s (AIRLOCK_SHARED)" % root)
        sys.exit(1)
    out = []
    for sdk in sorted(os.listdir(root)):
        sdir = os.path.join(root, sdk, "service")
        if not os.path.isdir(sdir):
            continue
        for ver in sorted(os.listdir(sdir)):
            for f in sorted(os.listdir(os.path.join(sdir, ver))):
                if f.endswith(".json"):
                    out.append("%s/service/%s/%s" % (sdk, ver, f))
    return root, out


def subset(n=20, skip=0):
    root, rels = all_models()
    rels = sorted(rels, key=lambda r: (os.path.getsize(os.path.join(root, r)), r))
    pick = sorted(rels[skip:skip + n])
    return {r: open(os.path.join(root, r), "rb").read() for r in pick}


def tar_bytes(files, top="api-models-aws-" + COMMIT_A[:12], layout="root", extra=(),
              special=(), level=1, fmt="gz"):
    """FILES {rel: bytes} placed as [top/][models/]rel; EXTRA {arcname: bytes}
    added as is; SPECIAL: TarInfo objects (links, devices)."""
    buf = io.BytesIO()
    mode = "w:" + fmt if fmt else "w"
    kw = {"compresslevel": level} if fmt in ("gz", "bz2") else {}
    # git archive (and so GitHub) starts with a pax global header naming the commit
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": COMMIT_A}, **kw) as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1700000000
            ti.mode = 0o644
            t.addfile(ti, io.BytesIO(data))
        prefix = (top + "/" if top else "") + ("models/" if layout == "models" else "")
        if top:
            ti = tarfile.TarInfo(top)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            t.addfile(ti)
        for name, data in extra:
            add(name, data)
        for rel in sorted(files):
            add(prefix + rel, files[rel])
        for ti in special:
            t.addfile(ti, io.BytesIO(b"x" * ti.size) if ti.isreg() else None)
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


# ---- running the compiler --------------------------------------------------

class Case:
    def __init__(self, name, srv):
        self.work = os.path.join(ARGS.work, name)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.cache = os.path.join(self.work, "cache")
        self.srv = srv
        self.lock = os.path.join(self.work, "models.lock")

    def env(self, extra=None):
        e = dict(os.environ)
        for k in ("AIRLOCK_MODELS", "AIRLOCK_MODELS_LOCK", "GITHUB_TOKEN", "XDG_CACHE_HOME"):
            e.pop(k, None)
        e["HOME"] = self.work
        e["AIRLOCK_CACHE"] = self.cache
        if self.srv:
            e["AIRLOCK_MODELS_URL"] = self.srv.base
            e["AIRLOCK_GITHUB_API"] = self.srv.base + "/api"
        e.update(extra or {})
        return e

    def run(self, *args, env=None, timeout=300):
        p = subprocess.run([ARGS.bin] + list(args), env=self.env(env), capture_output=True,
                           text=True, timeout=timeout)
        sys.stdout.write("$ airlock-compile %s -> %d\n" % (" ".join(args), p.returncode))
        for line in p.stderr.splitlines()[-12:]:
            sys.stdout.write("    | %s\n" % line)
        return p

    def sync(self, *args, env=None):
        return self.run("sync", "--lock", self.lock, *args, env=env)

    def write_lock(self, commit=COMMIT_A, digest="", date="2025-04-02", comments=True):
        text = ""
        if comments:
            text += ("# The revision of the AWS models.\n"
                     "# (a comment that must survive a rewrite)\n")
        text += "repository = %s\ncommit = %s\ndate = %s\n" % (REPO, commit, date)
        if comments:
            text += "# SHA-256 of the archive\n"
        text += "archive_sha256 = %s\n" % digest
        with open(self.lock, "w") as f:
            f.write(text)
        return text

    def pin_path(self, commit=COMMIT_A):
        return "/%s/tar.gz/%s" % (REPO, commit)

    def snapshot(self):
        """Every file's digest and every link's target under the cache,
        except the build's parts/, the lock file and partial downloads."""
        snap = {}
        for dp, dns, fns in os.walk(self.cache):
            rel_dir = os.path.relpath(dp, self.cache)
            if rel_dir.split(os.sep)[0] == "parts":
                dns[:] = []
                continue
            for n in dns + fns:
                p = os.path.join(dp, n)
                rel = os.path.normpath(os.path.join(rel_dir, n))
                if rel in ("sync.lock",) or ".part" in n:
                    continue
                if os.path.islink(p):
                    snap[rel] = "-> " + os.readlink(p)
                elif os.path.isfile(p):
                    snap[rel] = sha(open(p, "rb").read())
                else:
                    snap[rel] = "dir"
        return snap

    def tree(self):
        """{rel: bytes} of the current synced models."""
        cur = os.path.join(self.cache, "current")
        out = {}
        for dp, _dns, fns in os.walk(cur):
            for n in fns:
                p = os.path.join(dp, n)
                rel = os.path.relpath(p, cur)
                if rel in ("SOURCE", ".airlock-sync"):
                    continue
                out[rel] = open(p, "rb").read()
        return out

    def build_verify(self, what):
        out = os.path.join(self.work, "out.alc")
        p = self.run("build", "-o", out)
        check(p.returncode == 0 and "(synced)" in p.stderr,
              "%s: build with no --models uses the synced models" % what)
        v = self.run("verify", out)
        check(v.returncode == 0, "%s: the catalog verifies" % what)
        return out


def outside_files(root):
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


# ---- cases -------------------------------------------------------------------

def case_fresh(srv, name="fresh"):
    c = Case(name, srv)
    files = subset()
    arc = tar_bytes(files)
    srv.route(c.pin_path(), arc, etag='"a1"')
    c.write_lock(digest=sha(arc))
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 0, "fresh sync exits 0")
    check(len(log) == 1 and log[0]["status"] == 200 and log[0]["sent"] == len(arc),
          "one GET, 200, the whole archive (%d bytes): %s" % (len(arc), log))
    check(c.tree() == files, "the synced tree holds exactly the %d model files" % len(files))
    src = open(os.path.join(c.cache, "current", "SOURCE")).read()
    check(COMMIT_A in src and sha(arc) in src, "SOURCE names the commit and the digest")
    out = c.build_verify(name)
    info = json.loads(c.run("info", "--json", out).stdout or "{}")
    check(info.get("models_revision") == COMMIT_A and info.get("models_source") == REPO,
          "the catalog's manifest names %s@%s: %s" % (REPO, COMMIT_A[:12],
                                                    (info.get("models_source"),
                                                     info.get("models_revision"))))
    st = c.run("sync", "--status")
    check(st.returncode == 0 and COMMIT_A in st.stdout and sha(arc) in st.stdout,
          "sync --status names the commit and digest")
    return c, files, arc


def case_cached(srv):
    c, files, arc = case_fresh(srv, "cached")   # its own directory: ctest -j
    before = c.snapshot()
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 0 and "nothing downloaded" in p.stderr,
          "a second sync of the same pin says it downloaded nothing")
    check(log == [], "and sends no request at all: %s" % log)
    check(c.snapshot() == before, "the cache is unchanged")
    # the same through --url: a conditional request answered 304
    url = srv.base + "/mirror/models.tar.gz"
    srv.route("/mirror/models.tar.gz", arc, etag='"m1"',
              last_modified=http_date(1700000000))
    p = c.sync("--url", url)
    log = srv.take_log()
    check(p.returncode == 0 and len(log) == 1 and log[0]["status"] == 200,
          "--url URL: first sync downloads (%s)" % log)
    before = c.snapshot()
    p = c.sync("--url", url)
    log = srv.take_log()
    check(p.returncode == 0 and "not modified" in p.stderr, "--url URL: second sync: not modified")
    check(len(log) == 1 and log[0]["if_none_match"] == '"m1"' and log[0]["status"] == 304
          and log[0]["sent"] == 0, "one conditional GET (If-None-Match), 304, 0 body bytes: %s"
          % log)
    check(log and log[0]["if_modified_since"] == http_date(1700000000),
          "If-Modified-Since is sent too")
    check(c.snapshot() == before, "the cache is unchanged by the 304")
    # a server without ETag: If-Modified-Since alone
    srv.route("/mirror/lm.tar.gz", arc, last_modified=http_date(1700000100))
    c.sync("--url", srv.base + "/mirror/lm.tar.gz")
    srv.take_log()
    p = c.sync("--url", srv.base + "/mirror/lm.tar.gz")
    log = srv.take_log()
    check(p.returncode == 0 and len(log) == 1 and log[0]["if_none_match"] is None and
          log[0]["status"] == 304 and log[0]["sent"] == 0,
          "Last-Modified only: If-Modified-Since, 304: %s" % log)


def case_mirror(srv):
    """AIRLOCK_MODELS_URL's three forms: base, template, full URL."""
    c = Case("mirror", srv)
    files = subset(4)
    arc = tar_bytes(files)
    c.write_lock(digest=sha(arc))
    srv.route("/base/%s/tar.gz/%s" % (REPO, COMMIT_A), arc)
    srv.route("/t/%s.tgz" % COMMIT_A, arc)
    srv.route("/full/api-%s.tar.gz" % COMMIT_A, arc)
    for form, url, path in [
            ("base URL", srv.base + "/base/", "/base/%s/tar.gz/%s" % (REPO, COMMIT_A)),
            ("template", srv.base + "/t/{commit}.tgz", "/t/%s.tgz" % COMMIT_A),
            ("full URL", srv.base + "/full/api-%s.tar.gz" % COMMIT_A,
             "/full/api-%s.tar.gz" % COMMIT_A)]:
        shutil.rmtree(c.cache, ignore_errors=True)
        r = c.sync(env={"AIRLOCK_MODELS_URL": url})
        log = srv.take_log()
        check(r.returncode == 0 and [x["path"] for x in log] == [path] and c.tree() == files,
              "AIRLOCK_MODELS_URL as a %s: GET %s" % (form, path))
    # a mirror on disk, and its digest still checked
    d = os.path.join(c.work, "disk", REPO, "tar.gz")
    os.makedirs(d)
    open(os.path.join(d, COMMIT_A), "wb").write(arc)
    shutil.rmtree(c.cache, ignore_errors=True)
    r = c.sync(env={"AIRLOCK_MODELS_URL": "file://" + os.path.join(c.work, "disk")})
    check(r.returncode == 0 and c.tree() == files and srv.take_log() == [],
          "AIRLOCK_MODELS_URL as a file:// base: no request, synced")
    c.write_lock(digest="1" * 64)
    shutil.rmtree(c.cache, ignore_errors=True)
    r = c.sync(env={"AIRLOCK_MODELS_URL": os.path.join(c.work, "disk")})
    check(r.returncode == 1 and "checksum mismatch" in r.stderr and
          not os.path.exists(os.path.join(c.cache, "current")),
          "a mirror on disk is checked against the lock too")
    # --url URL --sha256: a synced digest needs no request at all
    srv.route("/u.tgz", arc, etag='"u"')
    r = c.sync("--url", srv.base + "/u.tgz", "--sha256", sha(arc))
    check(r.returncode == 0 and len(srv.take_log()) == 1, "--url URL --sha256: downloaded")
    r = c.sync("--url", srv.base + "/u.tgz", "--sha256", sha(arc))
    check(r.returncode == 0 and "nothing downloaded" in r.stderr and srv.take_log() == [],
          "--url URL --sha256 again: no request")


def case_progress(srv):
    """A progress line on a terminal; none when stderr is a file; --quiet."""
    import pty
    c = Case("progress", srv)
    files = subset(20)
    arc = tar_bytes(files, level=0)
    c.write_lock(digest=sha(arc))
    srv.route(c.pin_path(), arc, etag='"p"', delay=0.03)
    master, slave = pty.openpty()
    p = subprocess.Popen([ARGS.bin, "sync", "--lock", c.lock], env=c.env(), stdin=slave,
                         stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    text = out.decode("utf-8", "replace")
    lines = [l for l in text.split("\r") if "sync: downloading:" in l]
    check(p.returncode == 0 and len(lines) >= 2,
          "on a terminal: an updating progress line (%d updates)" % len(lines))
    check(any(" of " in l and "/s" in l and " left" in l for l in lines),
          "it shows bytes of total, the rate and the time left: %r" % (lines[-1:],))
    shutil.rmtree(c.cache)
    srv.route(c.pin_path(), arc, etag='"p"')
    r = c.sync()
    check(r.returncode == 0 and "\r" not in r.stderr and "downloading:" not in r.stderr,
          "not a terminal: no progress line")
    shutil.rmtree(c.cache)
    r = c.sync("--quiet")
    check(r.returncode == 0 and r.stderr == "", "--quiet: nothing on stderr")


def case_enospc(srv):
    """The disk fills up: during the download, then during the unpacking."""
    c = Case("enospc", srv)
    a, b = subset(5), subset(20, skip=5)
    arc_a, arc_b = tar_bytes(a), tar_bytes(b)
    srv.route(c.pin_path(), arc_a, etag='"a"')
    c.write_lock(digest=sha(arc_a))
    check(c.sync().returncode == 0, "pin A synced")
    before = c.snapshot()
    srv.route(c.pin_path(COMMIT_B), arc_b, etag='"b"')
    c.write_lock(COMMIT_B, digest=sha(arc_b))
    shim = {"LD_PRELOAD": ARGS.shim,
            "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                             ":verify_asan_link_order=0").lstrip(":")}
    for where, budget in [("downloading", len(arc_b) // 2),
                          ("unpacking", len(arc_b) + 4096 + 200000)]:
        env = dict(shim, ENOSPC_SHIM_BYTES=str(budget))
        r = c.sync(env=env)
        check(r.returncode == 1 and "No space left on device" in r.stderr,
              "disk full while %s: exit 1, 'No space left on device'" % where)
        check("the synced models are unchanged" in r.stderr,
              "disk full while %s: says the models are unchanged" % where)
        check(c.snapshot() == before and c.tree() == a,
              "disk full while %s: the cache is unchanged" % where)
        left = [n for n in os.listdir(os.path.join(c.cache, "models")) if n.startswith(".")]
        parts = [n for n in os.listdir(os.path.join(c.cache, "downloads")) if ".part" in n]
        check(left == [] and parts == [], "disk full while %s: nothing left behind (%s %s)"
              % (where, left, parts))
    check("archive entry" in r.stderr, "while unpacking, the message names the entry")
    r = c.sync()
    check(r.returncode == 0 and c.tree() == b, "with room again, the sync completes")


def case_changed(srv):
    c = Case("changed", srv)
    a, b = subset(20), subset(20, skip=20)
    arc_a, arc_b = tar_bytes(a), tar_bytes(b)
    srv.route("/m.tar.gz", arc_a, etag='"v1"')
    url = srv.base + "/m.tar.gz"
    p = c.sync("--url", url)
    check(p.returncode == 0 and c.tree() == a, "first version synced")
    srv.take_log()
    srv.route("/m.tar.gz", arc_b, etag='"v2"')
    p = c.sync("--url", url)
    log = srv.take_log()
    check(p.returncode == 0, "sync after upstream changed exits 0")
    check(len(log) == 1 and log[0]["if_none_match"] == '"v1"' and log[0]["status"] == 200
          and log[0]["sent"] == len(arc_b),
          "conditional GET with the old ETag gets 200 and the whole new archive: %s" % log)
    check(c.tree() == b, "the current tree is the new version")
    meta = open(os.path.join(c.cache, "downloads",
                             [n for n in os.listdir(os.path.join(c.cache, "downloads"))
                              if n.endswith(".meta")][0])).read()
    check('etag = "v2"' in meta and sha(arc_b) in meta, "the metadata keeps the new ETag and digest")
    p = c.sync("--url", url)
    log = srv.take_log()
    check(len(log) == 1 and log[0]["if_none_match"] == '"v2"' and log[0]["status"] == 304,
          "and the next sync asks with the new ETag: %s" % log)
    c.build_verify("changed")


def case_corrupt(srv):
    c = Case("corrupt", srv)
    a = subset(20)
    arc_a = tar_bytes(a)
    srv.route(c.pin_path(), arc_a, etag='"a"')
    c.write_lock(digest=sha(arc_a))
    check(c.sync().returncode == 0, "pin A synced")
    before = c.snapshot()
    b = subset(20, skip=20)
    arc_b = tar_bytes(b)
    bad = bytearray(arc_b)
    bad[len(bad) // 2] ^= 0xff
    srv.route(c.pin_path(COMMIT_B), bytes(bad), etag='"b"')
    c.write_lock(COMMIT_B, digest=sha(arc_b))
    srv.take_log()
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 1, "a corrupted archive: exit 1")
    check("checksum mismatch" in p.stderr and sha(arc_b) in p.stderr and sha(bytes(bad)) in p.stderr,
          "the message names the expected and the actual SHA-256")
    check(len(log) == 1 and log[0]["sent"] == len(bad), "it was downloaded whole (%s)" % log)
    check(c.snapshot() == before, "the cache is unchanged (nothing unpacked)")
    check(not [n for n in os.listdir(os.path.join(c.cache, "downloads")) if ".part" in n],
          "no partial download is kept")
    check(c.tree() == a, "the synced models are still pin A's")


def case_resume(srv):
    c = Case("resume", srv)
    a = subset(40)
    arc = tar_bytes(a, level=0)   # bigger, so the cut lands mid-transfer
    cut = len(arc) // 3
    srv.route(c.pin_path(), arc, etag='"r1"', cut_after=cut, cut_times=1)
    c.write_lock(digest=sha(arc))
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 4, "a cut-off download exits 4 (network): %d" % p.returncode)
    check("cut off" in p.stderr and "run sync again to resume" in p.stderr,
          "the message says it was cut off and how to resume")
    check(len(log) == 1 and log[0]["sent"] == cut and log[0]["range"] is None,
          "the server sent %d bytes and closed: %s" % (cut, log))
    parts = [n for n in os.listdir(os.path.join(c.cache, "downloads")) if n.endswith(".part")]
    check(len(parts) == 1 and
          os.path.getsize(os.path.join(c.cache, "downloads", parts[0])) == cut,
          "the partial file holds exactly the %d bytes received" % cut)
    check(not os.path.exists(os.path.join(c.cache, "current")), "nothing is synced yet")
    # a server error while resuming says nothing about our bytes: kept
    srv.route(c.pin_path(), arc, etag='"r1"', status=503)
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 1 and "HTTP 503" in p.stderr and "partial download is kept" in p.stderr
          and len(log) == 1 and log[0]["range"] == "bytes=%d-" % cut and
          os.path.getsize(os.path.join(c.cache, "downloads", parts[0])) == cut,
          "a 503 on the resume keeps the %d bytes: %s" % (cut, log))
    srv.route(c.pin_path(), arc, etag='"r1"')
    p = c.sync()
    log = srv.take_log()
    check(p.returncode == 0 and "downloaded the remaining" in p.stderr,
          "the next sync completes")
    check(len(log) == 1 and log[0]["range"] == "bytes=%d-" % cut and
          log[0]["if_range"] == '"r1"' and log[0]["status"] == 206 and
          log[0]["sent"] == len(arc) - cut,
          "it sent Range: bytes=%d- with If-Range and received the other %d bytes: %s"
          % (cut, len(arc) - cut, log))
    check(c.tree() == a, "the resumed archive verified and unpacked whole")
    # a partial file of an older version: If-Range no longer matches -> 200
    c2 = Case("resume-changed", srv)
    c2.write_lock(digest=sha(arc))
    srv.route(c2.pin_path(), arc, etag='"old"', cut_after=cut, cut_times=1)
    c2.sync()
    srv.route(c2.pin_path(), arc, etag='"new"')
    srv.take_log()
    p = c2.sync()
    log = srv.take_log()
    check(p.returncode == 0 and len(log) == 1 and log[0]["if_range"] == '"old"' and
          log[0]["status"] == 200 and log[0]["sent"] == len(arc),
          "with a changed ETag the server answers 200 and the download starts over: %s" % log)
    c2.build_verify("resume")


def _ti(name, kind, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mtime = 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def case_malicious(srv):
    c = Case("malicious", srv)
    good = subset(5)
    arc = tar_bytes(good)
    p = os.path.join(c.work, "good.tar.gz")
    open(p, "wb").write(arc)
    check(c.sync("--url", p).returncode == 0, "a good archive synced first")
    before = c.snapshot()
    victim = os.path.join(c.work, "victim")
    os.makedirs(victim)
    top = "api-models-aws-x"
    m = "%s/acm/service/2015-12-08/" % top
    cases = [
        ("traversal", [_ti(top + "/../../victim/x.json", tarfile.REGTYPE, size=3)],
         '"%s/../../victim/x.json": path traversal' % top),
        ("absolute", [_ti(victim + "/abs.json", tarfile.REGTYPE, size=3)],
         '"%s/abs.json": absolute path refused' % victim),
        ("symlink", [_ti(m + "acm-2015-12-08.json", tarfile.SYMTYPE, linkname="/etc/passwd")],
         '"%sacm-2015-12-08.json": symbolic link refused' % m),
        ("hardlink", [_ti(m + "acm-2015-12-08.json", tarfile.LNKTYPE, linkname="/etc/passwd")],
         '"%sacm-2015-12-08.json": hard link refused' % m),
        ("device", [_ti(top + "/dev0", tarfile.CHRTYPE, devmajor=1, devminor=3)],
         '"%s/dev0": device, FIFO, socket' % top),
        ("fifo", [_ti(top + "/fifo", tarfile.FIFOTYPE)], '"%s/fifo": device, FIFO' % top),
        ("huge", [_ti(m + "acm-2015-12-08.json", tarfile.REGTYPE, size=2 << 20)],
         '"%sacm-2015-12-08.json": larger than the per-entry limit of 1048576 bytes' % m),
    ]
    for name, special, expect in cases:
        data = tar_bytes(good, top=top, special=special)
        path = os.path.join(c.work, name + ".tar.gz")
        open(path, "wb").write(data)
        r = c.sync("--url", path, "--max-entry-size", "1M")
        check(r.returncode == 1 and expect in r.stderr and "archive entry" in r.stderr,
              "%s: refused with %r" % (name, expect))
        check("the synced models are unchanged" in r.stderr, "%s: says the models are unchanged"
              % name)
        check(outside_files(victim) == [] and not os.path.exists(victim + "/abs.json"),
              "%s: nothing written outside the cache" % name)
        check(c.snapshot() == before, "%s: the cache is unchanged" % name)
        check(not [n for n in os.listdir(os.path.join(c.cache, "models")) if n.startswith(".")],
              "%s: no work directory left behind" % name)
    # the total limit, counted from what the archive unpacks to
    big = {"acm/service/2015-12-08/acm-2015-12-08.json": b" " * (3 << 20)}
    path = os.path.join(c.work, "total.tar.gz")
    open(path, "wb").write(tar_bytes(dict(good, **big)))
    r = c.sync("--url", path, "--max-total-size", "2M")
    check(r.returncode == 1 and "more than the limit of 2097152 bytes" in r.stderr,
          "total limit: refused")
    check(c.snapshot() == before, "total limit: the cache is unchanged")
    # zip: same checks
    zb = io.BytesIO()
    with zipfile.ZipFile(zb, "w") as z:
        z.writestr("top/../evil.json", b"{}")
    path = os.path.join(c.work, "evil.zip")
    open(path, "wb").write(zb.getvalue())
    r = c.sync("--url", path)
    check(r.returncode == 1 and "path traversal" in r.stderr, "zip with ../: refused")
    # not an archive at all, and an archive without models
    path = os.path.join(c.work, "junk.tar.gz")
    open(path, "wb").write(b"this is not an archive\n" * 10)
    r = c.sync("--url", path)
    check(r.returncode == 1 and ("not a readable archive" in r.stderr or
                                 "unreadable archive" in r.stderr), "junk: refused as unreadable")
    path = os.path.join(c.work, "empty.tar.gz")
    open(path, "wb").write(tar_bytes({}, extra=[("top/README.md", b"hi")]))
    r = c.sync("--url", path)
    check(r.returncode == 1 and "no model files in the archive" in r.stderr,
          "an archive without models: refused")
    check(c.snapshot() == before, "the cache is unchanged after all of them")
    # the same refusal through the pinned download
    data = tar_bytes(good, special=[_ti("api-models-aws-x/../x.json", tarfile.REGTYPE, size=1)])
    srv.route(c.pin_path(), data, etag='"evil"')
    c.write_lock(digest=sha(data))
    r = c.sync()
    check(r.returncode == 1 and "path traversal" in r.stderr and c.snapshot() == before,
          "pinned download with a traversal entry: refused after the checksum, cache unchanged")


def case_http_errors(srv):
    c = Case("http", srv)
    good = subset(5)
    arc = tar_bytes(good)
    srv.route(c.pin_path(), arc, etag='"g"')
    c.write_lock(digest=sha(arc))
    check(c.sync().returncode == 0, "a good pin synced first")
    before = c.snapshot()
    c.write_lock(COMMIT_B, digest=sha(arc))
    srv.take_log()
    r = c.sync()   # no route for COMMIT_B: 404
    check(r.returncode == 1 and "HTTP 404 from %s%s" % (srv.base, c.pin_path(COMMIT_B))
          in r.stderr, "404: exit 1, status and URL named")
    check(c.snapshot() == before, "404: the cache is unchanged")
    srv.route(c.pin_path(COMMIT_B), arc, status=500)
    r = c.sync()
    check(r.returncode == 1 and "HTTP 500" in r.stderr and "injected failure 500" in r.stderr,
          "500: exit 1, status and the server's message")
    check(c.snapshot() == before, "500: the cache is unchanged")
    # connection refused: a port nobody listens on
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = c.sync(env={"AIRLOCK_MODELS_URL": "http://127.0.0.1:%d" % port})
    check(r.returncode == 4 and "cannot connect to 127.0.0.1:%d" % port in r.stderr,
          "connection refused: exit 4, 'cannot connect' names the host")
    check(c.snapshot() == before, "connection refused: the cache is unchanged")
    # user info and query strings never reach messages
    r = c.sync(env={"AIRLOCK_MODELS_URL":
                    "http://user:s3cret@127.0.0.1:%d/x?X-Amz-Signature=abcdef&{commit}" % port})
    check("s3cret" not in r.stderr and "abcdef" not in r.stderr,
          "credentials in the URL are not printed")
    check(len(srv.take_log()) == 2, "two requests reached the server (404, 500)")


def case_layouts(srv):
    c = Case("layouts", srv)
    files = subset(8)
    noise = [("TOP/README.md", b"readme"), ("TOP/LICENSE", b"license"),
             ("TOP/.github/workflows/ci.json", b"{}"),
             ("TOP/build.gradle.kts", b""),
             ("TOP/docs/n\u00f6t-\u00e4scii.md", b"a UTF-8 name in a pax header"),
             ("TOP/PFX/trebuchet-test/service/2019-02-07/trebuchet-test-2019-02-07.json", b"{}"),
             ("TOP/PFX/apimetrics-test1/service/2019-02-07/apimetrics-test1-2019-02-07.json", b"{}"),
             ("TOP/PFX/acm/service/2015-12-08/README.md", b"not json"),
             ("TOP/tests/fake/service/1/fake.json", b"{}")]
    for top in ("api-models-aws-" + COMMIT_A[:12], None):
        for layout in ("root", "models"):
            pfx = (top + "/" if top else "") + ("models/" if layout == "models" else "")
            extra = [(n.replace("TOP/PFX/", pfx).replace("TOP/", (top + "/") if top else ""), d)
                     for n, d in noise]
            arc = tar_bytes(files, top=top, layout=layout, extra=extra)
            path = os.path.join(c.work, "%s-%s.tar.gz" % (layout, "top" if top else "flat"))
            open(path, "wb").write(arc)
            r = c.sync("--url", path)
            what = "%s layout%s" % (layout, " in a top directory" if top else " at the root")
            check(r.returncode == 0 and c.tree() == files,
                  "%s: exactly the %d model files" % (what, len(files)))
            check("layout" in r.stderr and ("models/" in r.stderr) == (layout == "models"),
                  "%s: reported as such" % what)
            check("test services (trebuchet-test,apimetrics-test1)" in r.stderr
                  or "test services (apimetrics-test1,trebuchet-test)" in r.stderr,
                  "%s: the test services are skipped and named" % what)
    # other compressions
    for fmt in ("bz2", "xz", ""):
        arc = tar_bytes(files, fmt=fmt)
        path = os.path.join(c.work, "m.tar" + ("." + fmt if fmt else ""))
        open(path, "wb").write(arc)
        r = c.sync("--url", path)
        check(r.returncode == 0 and c.tree() == files, "tar%s: unpacked" % ("." + fmt if fmt else ""))
    c.build_verify("layouts")


def case_from(srv):
    c = Case("from", srv)
    files = subset(10)
    d1 = os.path.join(c.work, "src1")
    for rel, data in files.items():   # the models/ layout
        p = os.path.join(d1, "models", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "wb").write(data)
    open(os.path.join(d1, "SOURCE"), "w").write("Source: aws/api-models-aws\ncommit %s\n"
                                                % COMMIT_A)
    r = c.sync("--from", d1)
    check(r.returncode == 0 and c.tree() == files, "--from DIR (models/ layout): copied")
    out = c.build_verify("from")
    info = json.loads(c.run("info", "--json", out).stdout or "{}")
    check(info.get("models_revision") == COMMIT_A, "the directory's SOURCE names the revision")
    before = c.snapshot()
    r = c.sync("--from", d1)
    check(r.returncode == 0 and "nothing copied" in r.stderr and c.snapshot() == before,
          "the same directory again: nothing copied, cache unchanged")
    d2 = os.path.join(c.work, "src2")
    shutil.copytree(os.path.join(d1, "models"), d2)
    r = c.sync("--from", d1, "--from", d2)
    check(r.returncode == 1 and "more than one --from" in r.stderr and c.snapshot() == before,
          "the same model in two directories: refused, cache unchanged")
    r = c.sync("--from", os.path.join(c.work, "nope"))
    check(r.returncode == 1 and "not a directory" in r.stderr, "a missing directory: refused")


def case_url_file(srv):
    c = Case("url-file", srv)
    files = subset(6)
    arc = tar_bytes(files)
    p = os.path.join(c.work, "m.tar.gz")
    open(p, "wb").write(arc)
    r = c.sync("--url", p, "--sha256", "0" * 64)
    check(r.returncode == 1 and "checksum mismatch" in r.stderr and sha(arc) in r.stderr
          and not os.path.exists(os.path.join(c.cache, "current")),
          "--url FILE with a wrong --sha256: refused, nothing synced")
    r = c.sync("--url", p, "--sha256", sha(arc))
    check(r.returncode == 0 and c.tree() == files, "--url FILE --sha256: synced")
    r = c.sync("--url", "file://" + p)
    check(r.returncode == 0 and "already synced" in r.stderr, "file:// URL of the same archive")
    c.build_verify("url-file")


def api_answer(commit, date):
    return json.dumps({"sha": commit, "node_id": "x",
                       "commit": {"author": {"date": "2020-01-01T00:00:00Z"},
                                  "committer": {"date": date + "T10:11:12Z"},
                                  "message": "update models"},
                       "files": []}).encode()


def case_update(srv):
    c = Case("update", srv)
    a, b = subset(10), subset(10, skip=10)
    arc_a, arc_b = tar_bytes(a), tar_bytes(b)
    srv.route(c.pin_path(COMMIT_A), arc_a, etag='"a"')
    srv.route(c.pin_path(COMMIT_B), arc_b, etag='"b"')
    # a copy of the real lock, so its comments are the ones kept
    real = open(os.path.join(ARGS.source, "catalogs", "models.lock")).read()
    lines = [("archive_sha256 = " + sha(arc_a)) if l.startswith("archive_sha256") else l
             for l in real.splitlines()]
    open(c.lock, "w").write("\n".join(lines) + "\n")
    text = open(c.lock).read()
    check("commit = " + COMMIT_A in text, "the lock copy pins commit A")
    apipath = "/api/repos/%s/commits/main" % REPO
    srv.route(apipath, b"", status=500)
    r = c.sync("--update")
    check(r.returncode == 1 and "HTTP 500" in r.stderr and open(c.lock).read() == text,
          "API failure: exit 1, the lock unchanged")
    srv.route(apipath, b"{\"sha\": 12}", content_type="application/json")
    r = c.sync("--update")
    check(r.returncode == 1 and "$.sha" in r.stderr and open(c.lock).read() == text,
          "a malformed API answer: exit 1, the lock unchanged")
    srv.route(apipath, api_answer(COMMIT_B, "2026-11-20"), content_type="application/json")
    srv.take_log()
    r = c.sync("--update", env={"GITHUB_TOKEN": "ghp_secret_token_value"})
    log = srv.take_log()
    check(r.returncode == 0, "sync --update exits 0")
    check([x["path"] for x in log] == [apipath, c.pin_path(COMMIT_B)],
          "it asked the API, then downloaded the new commit: %s" % [x["path"] for x in log])
    check(log and log[0]["authorization"], "GITHUB_TOKEN is sent to the API")
    check("ghp_secret_token_value" not in r.stderr + r.stdout, "and never printed")
    new = open(c.lock).read()
    old_lines, new_lines = text.splitlines(), new.splitlines()
    check(len(old_lines) == len(new_lines), "the rewritten lock has the same lines")
    changed = [(o, n) for o, n in zip(old_lines, new_lines) if o != n]
    check(sorted(n for _o, n in changed) ==
          sorted(["commit = " + COMMIT_B, "date = 2026-11-20", "archive_sha256 = " + sha(arc_b)]),
          "only commit, date and archive_sha256 changed: %s" % changed)
    check(c.tree() == b, "the new commit is synced")
    st = os.stat(c.lock)
    check(oct(st.st_mode & 0o777) == oct(0o644), "the lock keeps its mode")
    r = c.sync("--update")
    log = srv.take_log()
    check(r.returncode == 0 and "already at the newest commit" in r.stderr and
          [x["path"] for x in log] == [apipath] and open(c.lock).read() == new,
          "--update again: only the API is asked, the lock is unchanged")
    c.build_verify("update")


def case_record(srv):
    c = Case("record", srv)
    files = subset(6)
    arc = tar_bytes(files)
    srv.route(c.pin_path(), arc, etag='"x"')
    text = c.write_lock(digest="")
    r = c.sync()
    check(r.returncode == 1 and "--record-digest" in r.stderr and srv.take_log() == [],
          "a lock without a digest: refused before any download")
    check(not os.path.exists(os.path.join(c.cache, "current")), "nothing synced")
    r = c.sync("--record-digest", "--quiet")
    check(r.returncode == 0 and "RECORDED archive_sha256 = " + sha(arc) in r.stderr,
          "--record-digest: synced, and says loudly (even with --quiet) what it recorded")
    new = open(c.lock).read()
    check(new == text.replace("archive_sha256 = \n", "archive_sha256 = %s\n" % sha(arc)),
          "the lock now holds the digest, nothing else changed")
    r = c.sync()
    check(r.returncode == 0 and "nothing downloaded" in r.stderr, "and the next sync verifies it")
    # the repository's own lock, whose line is "archive_sha256 =" (no value)
    real = open(os.path.join(ARGS.source, "catalogs", "models.lock")).read()
    if "\narchive_sha256 =\n" in real:
        open(c.lock, "w").write(real)
        shutil.rmtree(c.cache)
        r = c.sync("--record-digest")
        check(r.returncode == 0 and open(c.lock).read() ==
              real.replace("\narchive_sha256 =\n", "\narchive_sha256 = %s\n" % sha(arc)),
              "the repository's lock gets 'archive_sha256 = <digest>', the rest unchanged")
    # a lock the parser refuses names the line
    open(c.lock, "w").write(text.replace("commit = ", "comit = "))
    r = c.sync()
    check(r.returncode == 1 and "models.lock:4: unknown key" in r.stderr,
          "a misspelt key: refused with file:line")


def case_nothing(srv):
    c = Case("nothing", srv)
    r = c.run("build", "-o", os.path.join(c.work, "x.alc"))
    check(r.returncode == 1 and "no models are synced in %s" % c.cache in r.stderr and
          "airlock-compile sync" in r.stderr, "build with nothing synced says so")
    r = c.run("sync", "--status")
    check(r.returncode == 1 and "none synced" in r.stdout, "sync --status: none synced")
    r = c.run("sync", "--bogus")
    check(r.returncode == 2, "an unknown option: usage, exit 2")
    r = c.run("sync", "--help")
    check(r.returncode == 0 and "--record-digest" in r.stdout and "AIRLOCK_CACHE" in r.stdout,
          "sync --help")


def case_concurrent(srv):
    c = Case("concurrent", srv)
    files = subset(20)
    arc = tar_bytes(files, level=0)
    srv.route(c.pin_path(), arc, etag='"c"', delay=0.05)
    c.write_lock(digest=sha(arc))
    procs = [subprocess.Popen([ARGS.bin, "sync", "--lock", c.lock], env=c.env(),
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=300)[1] for p in procs]
    log = srv.take_log()
    check(all(p.returncode == 0 for p in procs), "three syncs at once all succeed")
    check(len(log) == 1, "one download between them (%d requests)" % len(log))
    check(sum("waiting for another sync" in o for o in outs) >= 1,
          "the others waited for the cache lock")
    check(sum("nothing downloaded" in o for o in outs) == 2, "and then found it synced")
    check(c.tree() == files, "the tree is whole")


def case_killed(srv):
    c = Case("killed", srv)
    a, b = subset(10), subset(30, skip=10)
    arc_a, arc_b = tar_bytes(a), tar_bytes(b, level=0)
    srv.route(c.pin_path(), arc_a, etag='"a"')
    c.write_lock(digest=sha(arc_a))
    check(c.sync().returncode == 0, "pin A synced")
    before = c.snapshot()
    srv.route(c.pin_path(COMMIT_B), arc_b, etag='"b"', delay=0.05)
    c.write_lock(COMMIT_B, digest=sha(arc_b))
    p = subprocess.Popen([ARGS.bin, "sync", "--lock", c.lock], env=c.env(),
                         stderr=subprocess.DEVNULL)
    # kill it once bytes have arrived (a loaded machine may take a while)
    part = os.path.join(c.cache, "downloads",
                        "aws-api-models-aws-%s.part" % COMMIT_B)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(part) and os.path.getsize(part) > 0:
            break
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    srv.take_log()
    check(c.snapshot() == before and c.tree() == a,
          "a sync killed mid-download leaves the cache as it was")
    dl = os.path.join(c.cache, "downloads")
    parts = [n for n in os.listdir(dl) if n.endswith(".part")]
    have = os.path.getsize(os.path.join(dl, parts[0])) if parts else 0
    check(len(parts) == 1 and 0 < have < len(arc_b) and
          os.path.exists(os.path.join(dl, parts[0] + ".meta")),
          "the killed download left %d bytes and their validators (.part.meta)" % have)
    # what a sync killed while unpacking leaves: its work directory
    stale = os.path.join(c.cache, "models", ".tmp-killed")
    os.makedirs(os.path.join(stale, "acm"))
    open(os.path.join(stale, "acm", "x.json"), "w").write("{")
    check(c.tree() == a, "a stale work directory does not change the synced models")
    srv.route(c.pin_path(COMMIT_B), arc_b, etag='"b"')
    r = c.sync()
    log = srv.take_log()
    check(r.returncode == 0 and c.tree() == b, "the next sync completes")
    check(not os.path.exists(stale), "and removes the stale work directory")
    check(len(log) == 1 and log[0]["range"] == "bytes=%d-" % have and log[0]["status"] == 206
          and log[0]["sent"] == len(arc_b) - have,
          "it resumed where the killed one stopped (Range: bytes=%d-, %d bytes): %s"
          % (have, len(arc_b) - have, log))


def case_full(srv):
    c = Case("full", srv)
    root, rels = all_models()
    files = {r: open(os.path.join(root, r), "rb").read() for r in rels}
    t0 = time.time()
    arc = tar_bytes(files, layout="models", extra=[("top/README.md", b"x")], top="top")
    t1 = time.time()
    srv.route(c.pin_path(), arc, etag='"full"')
    c.write_lock(digest=sha(arc))
    r = c.sync()
    t2 = time.time()
    check(r.returncode == 0 and c.tree() == files,
          "full corpus: %d model files, archive %.1f MiB" % (len(files), len(arc) / 1048576))
    print("     (making the archive %.1f s, sync %.1f s)" % (t1 - t0, t2 - t1))
    c.build_verify("full")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shim", help="enospc_shim.so (the enospc case)")
    ap.add_argument("case", choices=sorted(CASES))
    ARGS = ap.parse_args()
    srv = Server().start()
    try:
        CASES[ARGS.case](srv)
    finally:
        srv.stop()
    if FAILS:
        print("%d check(s) failed" % len(FAILS))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
