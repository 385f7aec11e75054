#!/usr/bin/env python3
"""Seeds for tests/fuzz/fuzz_catalog_diff.c: small catalogs built from
tests/catalog/tiny and tests/catalog/edge, and pairs of them (a u32 LE
length, the old image, the new image) where the new tiny model differs in
known ways (a member added and one removed, a constraint, an enum value,
an operation removed, a policy rule).

  make_seeds.py --bin build/compiler/airlock-compile --out tests/fuzz/corpus/catalog_diff

Run again when the catalog format changes (the seeds must open)."""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = os.path.join(ROOT, "tests/catalog/tiny")
EDGE = os.path.join(ROOT, "tests/catalog/edge")
MODEL = "tiny-notes/service/2024-06-01/tiny-notes-2024-06-01.json"
POLICY = """version: 1
defaults: {low: allow, medium: allow, high: deny, critical: deny}
risk:
  - {service: tiny-notes, operation: ListNotes, level: high}
rules:
  - id: no-put
    effect: require_approval
    match: {service: tiny-notes, operation: PutNote}
"""


def build(b, models, out, *extra):
    r = subprocess.run([b, "build", "--models", models, "--no-partitions",
                        "--no-readmap-overrides", "--source", "seed", "--revision",
                        "1", "--no-cache", "-o", out, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"build {models}: {r.stderr}")
    return open(out, "rb").read()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    tmp = tempfile.mkdtemp()
    try:
        tiny = build(a.bin, TINY, os.path.join(tmp, "tiny.alc"))
        edge = build(a.bin, EDGE, os.path.join(tmp, "edge.alc"))
        edge_np = build(a.bin, EDGE, os.path.join(tmp, "edge-np.alc"), "--no-policy")
        m = json.load(open(os.path.join(TINY, MODEL)))
        sh = m["shapes"]
        ns = "example.tinynotes#"
        sh[ns + "PutNoteInput"]["members"]["Extra"] = {"target": ns + "ShelfName"}
        del sh[ns + "PutNoteInput"]["members"]["Version"]
        sh[ns + "NoteId"]["traits"]["smithy.api#length"] = {"min": 2, "max": 99}
        sh[ns + "Color"]["members"]["BLUE"] = {
            "target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "BLUE"}}
        new = os.path.join(tmp, "new")
        os.makedirs(os.path.dirname(os.path.join(new, MODEL)))
        json.dump(m, open(os.path.join(new, MODEL), "w"), indent=1)
        pol = os.path.join(tmp, "p.yaml")
        open(pol, "w").write(POLICY)
        tiny2 = build(a.bin, new, os.path.join(tmp, "tiny2.alc"), "--policy", pol)
        os.makedirs(a.out, exist_ok=True)

        def pair(x, y):
            return struct.pack("<I", len(x)) + x + y
        seeds = {
            "tiny.alc": tiny, "edge.alc": edge,
            "pair-tiny-changed": pair(tiny, tiny2),
            "pair-changed-tiny": pair(tiny2, tiny),
            "pair-edge-tiny": pair(edge, tiny),
            "pair-edge-nopolicy": pair(edge, edge_np),
        }
        for name, data in seeds.items():
            open(os.path.join(a.out, name), "wb").write(data)
        print(f"{len(seeds)} seeds in {a.out}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
