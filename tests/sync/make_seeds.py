#!/usr/bin/env python3
"""make_seeds.py -- write the seed corpora of the sync fuzz targets.

    make_seeds.py SOURCE_DIR

tests/fuzz/corpus/sync_text/: selector byte + catalogs/models.lock, lock
variants, a cache metadata file, GitHub API answers (fuzz_sync_text.c).
tests/fuzz/corpus/sync_archive/: small archives, accepted and refused
(fuzz_sync_archive.c).  Deterministic: run it again after changing it and
commit what changed.
"""
import io
import json
import os
import sys
import tarfile
import zipfile

src = sys.argv[1]
text_dir = os.path.join(src, "tests/fuzz/corpus/sync_text")
arc_dir = os.path.join(src, "tests/fuzz/corpus/sync_archive")
os.makedirs(text_dir, exist_ok=True)
os.makedirs(arc_dir, exist_ok=True)

lock = open(os.path.join(src, "catalogs/models.lock"), "rb").read()
texts = {
    "lock-real": b"\0" + lock,
    "lock-full": b"\0repository = a/b\ncommit = " + b"a" * 40 + b"\r\ndate = 2020-01-02 # c\n"
                 b"archive_sha256 = " + b"0" * 64 + b"\nbranch = release/v1\n",
    "lock-bad-key": b"\0repository = a/b\ncomit = x\n",
    "lock-missing": b"\0# only a comment\n",
    "meta": b"\1url = http://127.0.0.1:1/x?...\netag = \"abc\"\nlast_modified = Tue, 14 Nov 2023 "
            b"22:13:20 GMT\nsha256 = " + b"f" * 64 + b"\ntree = archive-0123456789abcdef\n"
            b"size = 123\nmodels = 4\ncommit = " + b"b" * 40 + b"\nsource = a/b\n",
    "meta-bad": b"\1tree = ../x\n",
    "api": b"\2" + json.dumps({"sha": "c" * 40, "commit": {"committer":
                                {"date": "2026-11-20T10:11:12Z"}}}).encode(),
    "api-bad": b"\2{\"sha\": 12}",
}
for name, data in texts.items():
    open(os.path.join(text_dir, name), "wb").write(data)


def tar(entries, mode="w:gz"):
    buf = io.BytesIO()
    kw = {"compresslevel": 9} if mode == "w:gz" else {}
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT, **kw) as t:
        for name, kind, data, link in entries:
            ti = tarfile.TarInfo(name)
            ti.type = kind
            ti.mtime = 0
            ti.size = len(data) if kind == tarfile.REGTYPE else 0
            ti.linkname = link or ""
            t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    raw = buf.getvalue()
    if mode == "w:gz":   # gzip's header carries a time: zero it
        raw = raw[:4] + b"\0\0\0\0" + raw[8:]
    return raw


R, D = tarfile.REGTYPE, tarfile.DIRTYPE
model = b'{"smithy": "2.0", "shapes": {}}'
good = [("top", D, b"", None), ("top/README.md", R, b"hi", None),
        ("top/acm/service/2015-12-08/acm-2015-12-08.json", R, model, None),
        ("top/trebuchet-test/service/2019-02-07/trebuchet-test-2019-02-07.json", R, model, None),
        ("top/s3/service/2006-03-01/s3-2006-03-01.json", R, model, None)]
archives = {
    "good-root.tar.gz": tar(good),
    "good-models.tar.gz": tar([(n.replace("top/", "top/models/", 1) if n.count("/") > 1 else n,
                                k, d, l) for n, k, d, l in good]),
    "good-flat.tar": tar([e for e in good[2:]], mode="w"),
    "traversal.tar.gz": tar(good + [("top/../../x.json", R, b"x", None)]),
    "absolute.tar.gz": tar(good + [("/tmp/abs.json", R, b"x", None)]),
    "symlink.tar.gz": tar(good + [("top/ec2/service/1/ec2-1.json", tarfile.SYMTYPE, b"",
                                   "/etc/passwd")]),
    "hardlink.tar.gz": tar(good + [("top/ec2/service/1/ec2-1.json", tarfile.LNKTYPE, b"",
                                    "top/README.md")]),
    "device.tar.gz": tar(good + [("top/null", tarfile.CHRTYPE, b"", None)]),
    "duplicate.tar.gz": tar(good + [good[2]]),
}
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w") as z:
    for n, k, d, _l in good:
        if k == R:
            zi = zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0))
            z.writestr(zi, d)
archives["good.zip"] = zb.getvalue()
for name, data in archives.items():
    open(os.path.join(arc_dir, name), "wb").write(data)
print("wrote %d text and %d archive seeds" % (len(texts), len(archives)))
