#!/usr/bin/env python3
"""check_format_doc.py -- formats/FORMAT.md must say what formats/alc_format.h says.

    bench/check_format_doc.py [REPO]        (CC from the environment, default cc)

Compiles a small C program against alc_format.h / alc_reader.h that prints
offsetof and sizeof of every field of every struct in alc_format.h, and the
value of every ALC_* constant that FORMAT.md names in a table, then checks
FORMAT.md against it:

  - every struct of alc_format.h has a field table in FORMAT.md under a
    heading naming it (`alc_service` ...), listing exactly its fields, in
    order, each with the right offset and size; a size stated in the
    heading ("120 bytes") must be sizeof;
  - in every table, a cell holding an ALC_* name followed by a cell holding
    a number gives that constant's value.

Exit status 0 when all agree, 1 on a mismatch (each one printed), 2 when the
check cannot run.  It is not timing-dependent: tests may run it.
"""
import os
import re
import subprocess
import sys
import tempfile

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..'))
hdr_path = os.path.join(root, 'formats', 'alc_format.h')
doc_path = os.path.join(root, 'formats', 'FORMAT.md')
header = open(hdr_path).read()
doc = open(doc_path).read()

# ---- structs of alc_format.h -------------------------------------------
nocomment = re.sub(r'/\*.*?\*/', '', header, flags=re.S)
structs = {}
for name, body in re.findall(r'typedef struct (\w+) \{(.*?)\} \1;', nocomment, re.S):
    fields = []
    for decl in body.split(';'):
        decl = decl.strip()
        if not decl:
            continue
        m = re.match(r'[\w\s]+?\b(\w+)\s*(\[[^\]]+\])?$', decl)
        if not m:
            print('check_format_doc: cannot parse "%s" in %s' % (decl, name))
            sys.exit(2)
        fields.append(m.group(1))
    structs[name] = fields

# ---- tables of FORMAT.md -----------------------------------------------
def cells(line):
    return [c.strip() for c in line.strip().strip('|').split('|')]

def unquote(c):
    return c.strip('`* ')

doc_structs = {}        # name -> (stated size or None, [(off, size, field)])
doc_consts = {}         # name -> value
heading = None
lines = doc.split('\n')
i = 0
while i < len(lines):
    line = lines[i]
    if line.startswith('#'):
        heading = line
    elif line.startswith('|') and i + 1 < len(lines) and re.match(r'^\|[\s:|-]+\|$', lines[i + 1].strip()):
        head = [h.lower() for h in cells(line)]
        rows = []
        i += 2
        while i < len(lines) and lines[i].startswith('|'):
            rows.append(cells(lines[i]))
            i += 1
        is_layout = head[:3] == ['offset', 'size', 'field']
        named = re.findall(r'`(alc_\w+)`', heading or '')
        if is_layout and named:
            size = re.search(r'(\d+) bytes', heading)
            doc_structs[named[0]] = (int(size.group(1)) if size else None,
                                     [(r[0], r[1], unquote(r[2])) for r in rows])
        for r in rows:      # `ALC_X` | value pairs, several per row allowed
            for k in range(len(r) - 1):
                if re.match(r'^`ALC_\w+`$', r[k]) and \
                   re.match(r'^`?(0x[0-9a-fA-F]+|\d+)u?`?$', r[k + 1]):
                    doc_consts[unquote(r[k])] = int(r[k + 1].strip('`').rstrip('u'), 0)
        continue
    i += 1

# ---- the truth, from the compiler --------------------------------------
prog = ['#include <stdio.h>', '#include <stddef.h>', '#include "alc_format.h"',
        '#include "alc_reader.h"', 'int main(void) {']
for s, fields in structs.items():
    prog.append('printf("S %s %%zu\\n", sizeof(%s));' % (s, s))
    for f in fields:
        prog.append('printf("F %s %s %%zu %%zu\\n", offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                    % (s, f, s, f, s, f))
for c in sorted(doc_consts):
    prog.append('printf("C %s %%llu\\n", (unsigned long long)(%s));' % (c, c))
prog.append('return 0; }')
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, 'fmt.c')
    exe = os.path.join(tmp, 'fmt')
    open(src, 'w').write('\n'.join(prog) + '\n')
    cc = os.environ.get('CC', 'cc')
    r = subprocess.run([cc, '-std=c11', '-I', os.path.join(root, 'formats'), src, '-o', exe],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print('check_format_doc: cannot compile the layout probe:\n' + r.stderr)
        sys.exit(2 if 'undeclared' not in r.stderr else 1)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout

sizes, layout, values = {}, {}, {}
for line in out.splitlines():
    p = line.split()
    if p[0] == 'S':
        sizes[p[1]] = int(p[2])
    elif p[0] == 'F':
        layout.setdefault(p[1], []).append((p[3], p[4], p[2]))
    else:
        values[p[1]] = int(p[2])

# ---- compare -------------------------------------------------------------
errors = []
for s in structs:
    if s not in doc_structs:
        errors.append('%s: no "Offset | Size | Field" table under a heading naming it' % s)
        continue
    stated, rows = doc_structs[s]
    if stated is not None and stated != sizes[s]:
        errors.append('%s: heading says %d bytes, sizeof is %d' % (s, stated, sizes[s]))
    want = layout.get(s, [])
    for k in range(max(len(want), len(rows))):
        w = want[k] if k < len(want) else None
        g = rows[k] if k < len(rows) else None
        if w != g:
            errors.append('%s row %d: FORMAT.md has %s, alc_format.h has %s'
                          % (s, k + 1, '| %s | %s | %s |' % g if g else 'nothing',
                             '| %s | %s | %s |' % w if w else 'nothing'))
for s in doc_structs:
    if s not in structs:
        errors.append('%s: FORMAT.md has a table, alc_format.h no such struct' % s)
for c, v in sorted(doc_consts.items()):
    if values.get(c) != v:
        errors.append('%s: FORMAT.md says %d, the header %s' % (c, v, values.get(c)))

if errors:
    print('FORMAT.md disagrees with alc_format.h:')
    for e in errors:
        print('  ' + e)
    sys.exit(1)
print('FORMAT.md matches alc_format.h: %d structs, %d fields, %d constants'
      % (len(structs), sum(len(f) for f in structs.values()), len(doc_consts)))
