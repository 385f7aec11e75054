#!/usr/bin/env python3
"""tests/incr: incremental builds (compiler/cc_part.c) seen from outside.

Every check compares catalogs byte for byte with a build that uses no
parts (--no-cache), and reads the counts of the "parts:" line that
--timings prints:
    parts: R reused, B built, J rejected, W written (DIR)

  full     the full corpus (AIRLOCK_SHARED), --docs summary and full:
           cold build into an empty cache == --no-cache == warm rebuild
           from parts (every model reused)
  change   a small tree copied from the corpus (plus tests/catalog/edge and
           tiny): change one model (a documentation string, a new member,
           a new error), rebuild: one model built, every other reused, the
           catalog differs from before and equals a --no-cache build
  corrupt  truncated, bit-flipped, empty, garbage, foreign-version and
           foreign-key parts: each rejected and rebuilt, catalog unchanged
  nocache  a cache that cannot be created, a read-only one, AIRLOCK_CACHE
           and XDG_CACHE_HOME: the build works (with a note when it cannot
           use parts) and its catalog is unchanged
  concurrent  three builds writing one empty cache at once: no part
           rejected, every catalog identical, then all reused
  prune    old parts beyond the size cap and stale temporary files are
           removed; the parts of the last build stay

A missing ../shared is a failure, never a skip.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

PARTS_RE = re.compile(r"^parts: (\d+) reused, (\d+) built, (\d+) rejected, (\d+) written \((.*)\)$",
                      re.M)
FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)
    return cond


def build(args, models, out, *extra, env=None, expect_ok=True):
    cmd = [args.bin, "build", "--threads", "2", "--timings", "--no-policy",
           "--cli-names", args.cli_names]
    for m in models:
        cmd += ["--models", m]
    cmd += list(extra) + ["-o", out]
    e = dict(os.environ)
    # never the user's own cache unless a test asks for it
    e.pop("AIRLOCK_CACHE", None)
    if env:
        e.update(env)
    p = subprocess.run(cmd, capture_output=True, text=True, env=e)
    if expect_ok and p.returncode != 0:
        print(p.stderr)
        raise SystemExit("FAIL: build failed: " + " ".join(cmd))
    m = PARTS_RE.search(p.stderr)
    counts = None
    if m:
        counts = dict(reused=int(m.group(1)), built=int(m.group(2)),
                      rejected=int(m.group(3)), written=int(m.group(4)), dir=m.group(5))
    return counts, p.stderr


def same(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def expect(counts, label, **want):
    if not check(counts is not None, f"{label}: no 'parts:' line"):
        return
    got = {k: counts[k] for k in want}
    check(got == want, f"{label}: parts {got}, expected {want}")


def model_files(root):
    out = []
    for dp, _, fs in os.walk(root):
        for f in fs:
            if f.endswith(".json") and "/service/" in dp + "/":
                out.append(os.path.join(dp, f))
    return sorted(out)


def parts_of(cache):
    d = os.path.join(cache, "parts")
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".part"))


# ---- full ------------------------------------------------------------------

def t_full(args):
    corpus = [os.path.join(args.shared, "api-models-aws"),
              os.path.join(args.shared, "models-derived")]
    for c in corpus:
        if not os.path.isdir(c):
            raise SystemExit(f"FAIL: {c} missing (AIRLOCK_SHARED)")
    n = sum(len(model_files(c)) for c in corpus)
    check(n > 300, f"corpus has only {n} models")
    for docs in ("summary", "full"):
        cache = os.path.join(args.work, "full-cache-" + docs)
        shutil.rmtree(cache, ignore_errors=True)
        cold, nocache, warm = (os.path.join(args.work, f"full-{docs}-{k}.alc")
                               for k in ("cold", "nocache", "warm"))
        c, _ = build(args, corpus, cold, "--docs", docs, "--cache", cache)
        expect(c, f"full/{docs} cold", reused=0, built=n, rejected=0, written=n)
        check(len(parts_of(cache)) == n, f"full/{docs}: {len(parts_of(cache))} part files, expected {n}")
        c, err = build(args, corpus, nocache, "--docs", docs, "--no-cache")
        check("parts: none (--no-cache)" in err, f"full/{docs} --no-cache: no 'parts: none' line")
        c, _ = build(args, corpus, warm, "--docs", docs, "--cache", cache)
        expect(c, f"full/{docs} warm", reused=n, built=0, rejected=0, written=0)
        check(same(cold, nocache), f"full/{docs}: cold build != --no-cache build")
        check(same(warm, nocache), f"full/{docs}: warm build from parts != --no-cache build")
        print(f"full/{docs}: {n} models, cold / no-cache / warm compared "
              f"({os.path.getsize(warm)} bytes)")
        shutil.rmtree(cache, ignore_errors=True)


# ---- a small tree ------------------------------------------------------------

def small_tree(args, dest):
    """The 10 smallest corpus models with a rule set, plus edge and tiny."""
    shutil.rmtree(dest, ignore_errors=True)
    src = os.path.join(args.shared, "api-models-aws")
    if not os.path.isdir(src):
        raise SystemExit(f"FAIL: {src} missing (AIRLOCK_SHARED)")
    files = sorted(model_files(src), key=lambda p: (os.path.getsize(p), p))
    picked = []
    for f in files:
        with open(f, "rb") as fh:
            if b"smithy.rules#endpointRuleSet" not in fh.read():
                continue
        picked.append(f)
        if len(picked) == 10:
            break
    for f in picked:
        rel = os.path.relpath(f, src)
        if rel.startswith("models/"):
            rel = rel[len("models/"):]
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy(f, os.path.join(dest, rel))
    for extra in ("edge", "tiny"):
        d = os.path.join(args.catalog_tests, extra)
        for name in os.listdir(d):
            shutil.copytree(os.path.join(d, name), os.path.join(dest, name))
    return model_files(dest)


def t_change(args):
    tree = os.path.join(args.work, "change-models")
    files = small_tree(args, tree)
    n = len(files)
    cache = os.path.join(args.work, "change-cache")
    shutil.rmtree(cache, ignore_errors=True)
    before = os.path.join(args.work, "change-before.alc")
    c, _ = build(args, [tree], before, "--cache", cache)
    expect(c, "change: cold", reused=0, built=n, rejected=0, written=n)

    # change the edge model: its service documentation, a new member on an
    # operation's input, a new error on an operation
    target = [f for f in files if "edge-cases" in f][0]
    with open(target) as f:
        doc = json.load(f)
    shapes = doc["shapes"]
    svc = [k for k, v in shapes.items() if v["type"] == "service"][0]
    shapes[svc].setdefault("traits", {})["smithy.api#documentation"] = \
        "<p>Changed by the incremental build test. Second sentence.</p>"
    op = None
    for k, v in sorted(shapes.items()):
        if v["type"] == "operation" and "input" in v and \
                shapes.get(v["input"]["target"], {}).get("type") == "structure":
            op = k
            break
    check(op is not None, "change: no operation with a structure input in the edge model")
    inp = shapes[shapes[op]["input"]["target"]]
    inp.setdefault("members", {})["IncrAddedMember"] = {
        "target": "smithy.api#String",
        "traits": {"smithy.api#documentation": "A member the test added."}}
    ns = svc.split("#")[0]
    shapes[ns + "#IncrAddedError"] = {
        "type": "structure", "members": {"message": {"target": "smithy.api#String"}},
        "traits": {"smithy.api#error": "client"}}
    shapes[op].setdefault("errors", []).append({"target": ns + "#IncrAddedError"})
    with open(target, "w") as f:
        json.dump(doc, f, indent=2)

    after = os.path.join(args.work, "change-after.alc")
    nocache = os.path.join(args.work, "change-nocache.alc")
    c, _ = build(args, [tree], after, "--cache", cache)
    expect(c, "change: one model changed", reused=n - 1, built=1, rejected=0, written=1)
    build(args, [tree], nocache, "--no-cache")
    check(not same(before, after), "change: the catalog did not change with the model")
    check(same(after, nocache), "change: incremental build != --no-cache build of the changed tree")
    dump = subprocess.run([args.bin, "dump", after, "edge-cases"], capture_output=True, text=True)
    check("Changed by the incremental build test." in dump.stdout,
          "change: dump of the rebuilt catalog does not show the new documentation")
    opname = op.split("#")[1]
    dump = subprocess.run([args.bin, "dump", after, "edge-cases:" + opname],
                          capture_output=True, text=True)
    check("IncrAddedMember" in dump.stdout and "IncrAddedError" in dump.stdout,
          f"change: dump of {opname} does not show the added member and error:\n{dump.stdout}")
    # --docs full: other parts (another key), same rule
    full1 = os.path.join(args.work, "change-full1.alc")
    full2 = os.path.join(args.work, "change-full2.alc")
    fulln = os.path.join(args.work, "change-fulln.alc")
    c, _ = build(args, [tree], full1, "--docs", "full", "--cache", cache)
    expect(c, "change: --docs full cold", reused=0, built=n, written=n)
    c, _ = build(args, [tree], full2, "--docs", "full", "--cache", cache)
    expect(c, "change: --docs full warm", reused=n, built=0)
    build(args, [tree], fulln, "--docs", "full", "--no-cache")
    check(same(full1, fulln) and same(full2, fulln), "change: --docs full builds differ")
    # and summary again: the summary parts are still there
    c, _ = build(args, [tree], after, "--cache", cache)
    expect(c, "change: summary parts kept beside the full ones", reused=n, built=0)
    check(same(after, nocache), "change: summary rebuild differs")
    # a model with errors gets no part, and the same diagnostics as without parts
    bad = os.path.join(tree, "incr-broken", "service", "2020-01-01")
    os.makedirs(bad)
    with open(os.path.join(bad, "incr-broken-2020-01-01.json"), "w") as f:
        f.write('{"smithy": "2.0", "shapes": {\n  "a#B": {"type": "structure"},\n')
    nparts = len(parts_of(cache))
    c, err1 = build(args, [tree], after, "--cache", cache, expect_ok=False)
    expect(c, "change: a broken model", reused=n, built=1, written=0)
    _, err2 = build(args, [tree], after, "--no-cache", expect_ok=False)
    diag = lambda e: [l for l in e.splitlines() if not l.startswith(("parts:", "timings:"))]
    check(diag(err1) == diag(err2) and any("invalid JSON at line" in l for l in diag(err1)),
          f"change: a broken model's diagnostics differ with parts:\n{err1}\n---\n{err2}")
    check(len(parts_of(cache)) == nparts, "change: a broken model got a part")
    print(f"change: {n} models, one changed: {n - 1} reused, identical to --no-cache")


# ---- damaged parts -----------------------------------------------------------

def t_corrupt(args):
    tree = os.path.join(args.work, "corrupt-models")
    files = small_tree(args, tree)
    n = len(files)
    cache = os.path.join(args.work, "corrupt-cache")
    shutil.rmtree(cache, ignore_errors=True)
    ref = os.path.join(args.work, "corrupt-ref.alc")
    out = os.path.join(args.work, "corrupt-out.alc")
    build(args, [tree], ref, "--no-cache")
    c, _ = build(args, [tree], out, "--cache", cache)
    expect(c, "corrupt: cold", built=n, written=n)
    parts = parts_of(cache)
    check(len(parts) == n, f"corrupt: {len(parts)} parts for {n} models")
    parts.sort(key=os.path.getsize)

    def flip(path, off):
        with open(path, "r+b") as f:
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([b[0] ^ 0x40]))

    damage = [
        ("truncated to half", lambda p: os.truncate(p, os.path.getsize(p) // 2)),
        ("truncated to its header", lambda p: os.truncate(p, 80)),
        ("one bit flipped in the records", lambda p: flip(p, os.path.getsize(p) - 7)),
        ("one bit flipped in the strings", lambda p: flip(p, 81)),
        ("empty", lambda p: os.truncate(p, 0)),
        ("foreign version", lambda p: open(p, "r+b").write(b"ALCPART\n\x63\x00\x00\x00")),
        ("bad magic", lambda p: flip(p, 0)),
        ("model size changed in the header", lambda p: flip(p, 33)),
    ]
    check(n >= len(damage) + 1, "corrupt: not enough models")
    for (label, fn), p in zip(damage, parts):
        fn(p)
    # a foreign key: another model's part under this one's name
    victim = parts[len(damage)]
    shutil.copy(parts[-1], victim)
    nbad = len(damage) + 1
    c, _ = build(args, [tree], out, "--cache", cache)
    expect(c, "corrupt: damaged parts", reused=n - nbad, built=nbad, rejected=nbad, written=nbad)
    check(same(out, ref), "corrupt: the catalog built over damaged parts differs")
    c, _ = build(args, [tree], out, "--cache", cache)
    expect(c, "corrupt: rewritten parts are good", reused=n, built=0, rejected=0, written=0)
    check(same(out, ref), "corrupt: the catalog from rewritten parts differs")
    # a directory where a part should be, and a part that is not a file
    os.remove(parts[0])
    os.mkdir(parts[0])
    c, _ = build(args, [tree], out, "--cache", cache)
    check(c is not None and c["rejected"] == 1 and c["built"] == 1 and c["reused"] == n - 1,
          f"corrupt: a directory in place of a part: {c}")
    check(same(out, ref), "corrupt: catalog differs with a directory in place of a part")
    print(f"corrupt: {nbad} damaged parts rejected and rebuilt, catalog identical")


# ---- caches that cannot be used ----------------------------------------------

def t_nocache(args):
    tree = os.path.join(args.work, "nocache-models")
    files = small_tree(args, tree)
    n = len(files)
    ref = os.path.join(args.work, "nocache-ref.alc")
    out = os.path.join(args.work, "nocache-out.alc")
    build(args, [tree], ref, "--no-cache")

    # both options: refused
    c, err = build(args, [tree], out, "--cache", ref + ".c", "--no-cache", expect_ok=False)
    check("exclude each other" in err, f"nocache: --cache with --no-cache accepted: {err!r}")

    # a cache that cannot be created (a path under a regular file)
    c, err = build(args, [tree], out, "--cache", ref + "/cache")
    check("building without parts" in err and "note:" in err,
          f"nocache: no note for an impossible cache: {err!r}")
    check("parts: none (no cache)" in err, "nocache: parts line for an impossible cache")
    check(same(out, ref), "nocache: catalog differs without a usable cache")

    # a read-only cache
    if os.geteuid() == 0:
        # root writes through permissions: a directory of /proc is read-only
        ro = "/proc/self/fdinfo"
        c, err = build(args, [tree], out, "--cache", ro)
        check("building without parts" in err, f"nocache: no note for read-only {ro}: {err!r}")
        check(same(out, ref), "nocache: catalog differs with a read-only cache")
    else:
        ro = os.path.join(args.work, "nocache-ro")
        shutil.rmtree(ro, ignore_errors=True)
        os.makedirs(ro)
        os.chmod(ro, 0o555)
        c, err = build(args, [tree], out, "--cache", ro)
        check("building without parts" in err, f"nocache: no note for read-only {ro}: {err!r}")
        check(same(out, ref), "nocache: catalog differs with a read-only cache")
        # a read-only cache that holds parts: they are reused, none written
        ro2 = os.path.join(args.work, "nocache-ro2")
        shutil.rmtree(ro2, ignore_errors=True)
        build(args, [tree], out, "--cache", ro2)
        os.chmod(os.path.join(ro2, "parts"), 0o555)
        c, err = build(args, [tree], out, "--cache", ro2)
        check("read-only" in err, "nocache: no note for a read-only parts directory")
        expect(c, "nocache: read-only parts", reused=n, written=0)
        check(same(out, ref), "nocache: catalog differs from read-only parts")
        os.chmod(os.path.join(ro2, "parts"), 0o755)

    # the default root: AIRLOCK_CACHE, then XDG_CACHE_HOME/airlock, then HOME
    envc = os.path.join(args.work, "nocache-env")
    shutil.rmtree(envc, ignore_errors=True)
    c, _ = build(args, [tree], out, env={"AIRLOCK_CACHE": envc})
    expect(c, "nocache: AIRLOCK_CACHE", written=n)
    check(c is not None and c["dir"] == envc + "/parts", f"nocache: AIRLOCK_CACHE dir {c}")
    xdg = os.path.join(args.work, "nocache-xdg")
    shutil.rmtree(xdg, ignore_errors=True)
    c, _ = build(args, [tree], out, env={"XDG_CACHE_HOME": xdg})
    check(c is not None and c["dir"] == xdg + "/airlock/parts", f"nocache: XDG_CACHE_HOME dir {c}")
    home = os.path.join(args.work, "nocache-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    e = {"HOME": home, "XDG_CACHE_HOME": ""}
    c, _ = build(args, [tree], out, env=e)
    check(c is not None and c["dir"] == home + "/.cache/airlock/parts", f"nocache: HOME dir {c}")
    c, _ = build(args, [tree], out, env=e)
    expect(c, "nocache: HOME warm", reused=n, built=0)
    check(same(out, ref), "nocache: catalog differs with the default cache")
    print("nocache: builds without a usable cache work and match")


# ---- builds at the same time -------------------------------------------------

def t_concurrent(args):
    """Three builds into one empty cache at once (all write the same parts),
    then one from it: every part whole, every catalog the same."""
    tree = os.path.join(args.work, "concurrent-models")
    files = small_tree(args, tree)
    n = len(files)
    cache = os.path.join(args.work, "concurrent-cache")
    shutil.rmtree(cache, ignore_errors=True)
    ref = os.path.join(args.work, "concurrent-ref.alc")
    build(args, [tree], ref, "--no-cache")
    e = dict(os.environ)
    e.pop("AIRLOCK_CACHE", None)
    procs = []
    for k in range(3):
        out = os.path.join(args.work, f"concurrent-{k}.alc")
        cmd = [args.bin, "build", "--threads", "2", "--timings", "--no-policy",
               "--cli-names", args.cli_names, "--models", tree, "--cache", cache, "-o", out]
        procs.append((out, subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True, env=e)))
    for out, p in procs:
        err = p.communicate()[1]
        check(p.returncode == 0, f"concurrent: a build failed: {err}")
        m = PARTS_RE.search(err)
        check(m is not None and int(m.group(3)) == 0,
              f"concurrent: a build rejected a part another was writing: {err}")
        check(same(out, ref), "concurrent: a concurrent build's catalog differs")
    leftovers = [f for f in os.listdir(os.path.join(cache, "parts")) if ".tmp." in f]
    check(not leftovers, f"concurrent: temporary files left: {leftovers}")
    out = os.path.join(args.work, "concurrent-after.alc")
    c, _ = build(args, [tree], out, "--cache", cache)
    expect(c, "concurrent: afterwards", reused=n, built=0, rejected=0, written=0)
    check(same(out, ref), "concurrent: the catalog from the shared parts differs")
    print(f"concurrent: 3 builds into one cache, then {n} parts reused")


# ---- pruning -------------------------------------------------------------------

def t_prune(args):
    tree = os.path.join(args.work, "prune-models")
    files = small_tree(args, tree)
    n = len(files)
    cache = os.path.join(args.work, "prune-cache")
    shutil.rmtree(cache, ignore_errors=True)
    pdir = os.path.join(cache, "parts")
    os.makedirs(pdir)
    old = []
    for i in range(80):  # 80 MiB of parts nobody used for a day
        p = os.path.join(pdir, "%032x.part" % (0xdead0000 + i))
        with open(p, "wb") as f:
            f.truncate(1 << 20)
        os.utime(p, (1_000_000 + i, 1_000_000 + i))
        old.append(p)
    stale = os.path.join(pdir, "0123.part.tmp.abcdef")
    open(stale, "wb").close()
    os.utime(stale, (1_000_000, 1_000_000))
    fresh = os.path.join(pdir, "0124.part.tmp.abcdef")
    open(fresh, "wb").close()
    out = os.path.join(args.work, "prune-out.alc")
    c, err = build(args, [tree], out, "--cache", cache)
    expect(c, "prune: cold", built=n, written=n)
    total = sum(os.path.getsize(os.path.join(pdir, f)) for f in os.listdir(pdir))
    check(total <= 64 << 20, f"prune: {total} bytes left, cap is 64 MiB")
    check(not os.path.exists(stale), "prune: a stale temporary file was kept")
    check(os.path.exists(fresh), "prune: a fresh temporary file (another build's) was removed")
    left = [p for p in old if os.path.exists(p)]
    check(0 < len(left) < 80, f"prune: {len(left)} of 80 old parts left")
    check(all(not os.path.exists(p) for p in old[:80 - len(left)]),
          "prune: removed parts were not the oldest")
    check("pruned" in err, "prune: --timings does not say what was pruned")
    c, _ = build(args, [tree], out, "--cache", cache)
    expect(c, "prune: the build's own parts stay", reused=n, built=0)
    print(f"prune: {80 - len(left)} old parts and the stale temporary file removed")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["full", "change", "corrupt", "nocache", "concurrent",
                                     "prune"])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--cli-names", required=True)
    ap.add_argument("--catalog-tests", required=True, help="tests/catalog")
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    args.work = os.path.join(args.work, args.what)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    globals()["t_" + args.what](args)
    if FAILS:
        print(f"{len(FAILS)} failure(s)")
        sys.exit(1)
    shutil.rmtree(args.work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
