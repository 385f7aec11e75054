#!/usr/bin/env python3
"""format_dump.py -- labelled xxd-style dump of parts of a catalog (.alc).

    bench/format_dump.py FILE.alc PART...

PART is one of: header, dir, strs:N (first N bytes of STRS), rec:SEC:I[,J]
(records of SVCS, OPS, SHAPES, SHAPEXT, MEMBERS, MEMBEXT, CONS, PARAMS,
MANIFEST), u32, rules, idx:IDX_SVC|IDX_OP|IDX_CLI.  Each 16-byte line is
printed as xxd prints it (xxd -s OFFSET), followed by the fields that start
in it: absolute offset, field, decoded value (strings resolved, flags
named).  This is how the worked example of formats/FORMAT.md is made:

    airlock-compile build --models tests/catalog/tiny -o /tmp/tiny.alc
    bench/format_dump.py /tmp/tiny.alc header dir strs:48 rec:SVCS:0 \
        rec:OPS:1 rec:SHAPES:0 rec:SHAPES:21 rec:MEMBERS:0,1 rec:MEMBEXT:0 \
        idx:IDX_SVC idx:IDX_OP

    bench/format_dump.py --update-doc formats/FORMAT.md /tmp/tiny.alc

rewrites every dump block of FORMAT.md (a line starting with "--- " inside a
code fence, up to the fence or a blank line) from the catalog, choosing the
parts by the block's title; the prose around the blocks is left alone.

The field lists mirror alc_format.h by hand (a record size that no longer
matches is refused); bench/check_format_doc.py checks FORMAT.md's tables.
"""
import struct, subprocess, sys

import contextlib, io

DOC_BLOCKS = {   # title prefix of a block in FORMAT.md -> parts that make it
    'header': ['header'], 'section directory': ['dir'], 'STRS': ['strs:48'],
    'SVCS [0]': ['rec:SVCS:0'], 'OPS [1]': ['rec:OPS:1'], 'SHAPES [0]': ['rec:SHAPES:0'],
    'SHAPES [21]': ['rec:SHAPES:21'], 'MEMBERS [0],[1]': ['rec:MEMBERS:0,1'],
    'MEMBEXT [0]': ['rec:MEMBEXT:0'], 'IDX_SVC': ['idx:IDX_SVC'], 'IDX_OP': ['idx:IDX_OP'],
}

if len(sys.argv) == 4 and sys.argv[1] == '--update-doc':
    doc_path, alc = sys.argv[2], sys.argv[3]
    def render(parts):
        out = subprocess.run([sys.executable, __file__, alc] + parts,
                             capture_output=True, text=True, check=True).stdout
        return out.rstrip('\n')
    lines = open(doc_path).read().split('\n')
    out, i, n = [], 0, 0
    while i < len(lines):
        if lines[i].startswith('--- '):
            j = i
            while j < len(lines) and lines[j] not in ('', '```'):
                j += 1
            key = [k for k in sorted(DOC_BLOCKS, key=len, reverse=True)
                   if lines[i].startswith('--- ' + k + ':') or lines[i].startswith('--- ' + k + ' ')]
            if not key:
                sys.exit('format_dump.py: no parts known for block "%s"' % lines[i])
            out.append(render(DOC_BLOCKS[key[0]]))
            n += 1
            i = j
        else:
            out.append(lines[i])
            i += 1
    open(doc_path, 'w').write('\n'.join(out))
    print('format_dump.py: %d blocks of %s rewritten from %s' % (n, doc_path, alc))
    sys.exit(0)

data = open(sys.argv[1], 'rb').read()

def u(fmt, off):
    return struct.unpack_from('<' + fmt, data, off)[0]

def cstr(off_in_strs):
    o = STRS + off_in_strs
    e = data.index(b'\0', o)
    return data[o:e].decode()

SECNAMES = {1:"STRS",2:"SVCS",3:"OPS",4:"SHAPES",5:"MEMBERS",6:"MEMBEXT",7:"CONS",8:"U32",
            9:"PARAMS",10:"RULES",11:"MANIFEST",12:"IDX_SVC",13:"IDX_OP",14:"IDX_CLI",
            15:"PARTITIONS",16:"POLICY",17:"SHAPEXT",18:"DOCS"}
TYPES = "? blob boolean string byte short integer long float double bigInteger bigDecimal timestamp document enum intEnum list map structure union".split()
PROTO = "none awsJson1_0 awsJson1_1 restJson1 restXml awsQuery ec2Query".split()

# header
dir_off = u('I', 48); nsec = u('I', 52)
secs = {}
for i in range(nsec):
    o = dir_off + 32 * i
    sid, ent, cnt, fl, off, size = struct.unpack_from('<IIIIQQ', data, o)
    secs[SECNAMES.get(sid, str(sid))] = (off, size, cnt, ent)
STRS = secs['STRS'][0]

def sval(v):
    if v == 0:
        return '0 ""'
    s = cstr(v)
    if len(s) > 44:
        s = s[:41] + '...'
    return '%d "%s"' % (v, s)

def ival(v):
    return 'ALC_NONE' if v == 0xffffffff else str(v)

def hx(v):
    return '0x%x' % v

def flagdec(names):
    def r(v):
        on = [n for b, n in names if v & b]
        return '0x%x %s' % (v, '|'.join(on)) if on else '0x%x' % v
    return r
SVCF = flagdec([(1,'SIGV4'),(2,'BEARER'),(4,'NO_ERROR_WRAPPING'),(8,'QUERY_COMPATIBLE'),(16,'ENDPOINT_DISCOVERY')])
OPF = flagdec([(1<<i, n) for i, n in enumerate('READONLY IDEMPOTENT PAGINATED CHECKSUM_REQUIRED UNSIGNED_PAYLOAD NO_AUTH OPTIONAL_AUTH DEPRECATED INPUT_STREAMING OUTPUT_STREAMING ENDPOINT_DISCOVERY REQUEST_COMPRESSION EVENT_STREAM'.split())])
SHF = flagdec([(1<<i, n) for i, n in enumerate('SENSITIVE STREAMING SPARSE UNIQUE_ITEMS ERROR_CLIENT ERROR_SERVER RETRYABLE THROTTLING XML_FLATTENED REQUIRES_LENGTH DEPRECATED ENUM_TRAIT EVENT_STREAM INPUT OUTPUT HAS_DEFAULT'.split())])
MF = flagdec([(1<<i, n) for i, n in enumerate('REQUIRED CLIENT_OPTIONAL HAS_DEFAULT HTTP_LABEL HTTP_QUERY HTTP_QUERY_PARAMS HTTP_HEADER HTTP_PREFIX_HEADERS HTTP_PAYLOAD HTTP_RESPONSE_CODE HOST_LABEL IDEMPOTENCY_TOKEN XML_ATTRIBUTE XML_FLATTENED SENSITIVE DEPRECATED EVENT_PAYLOAD GREEDY_LABEL EVENT_HEADER ENUM_VALUE HAS_EXT'.split())])

def RISK(v):   # alc_policy.h: ALC_OPRISK_*
    if not v:
        return '0 (no policy)'
    parts = ['level %d' % (v & 7), 'write' if v & 8 else 'read']
    if v & 0x10: parts.append('set by the policy')
    if v & 0x20: parts.append('tags')
    parts.append('class %d' % (v >> 16))
    return '%d: %s' % (v, ', '.join(parts))

# field kinds: (name, fmt, render)
def F(name, fmt, render=str):
    return (name, fmt, render)

HEADER = [F('magic','8s',lambda b: ' '.join('%02x'%c for c in b)), F('endian_tag','I',lambda v:'0x%08x'%v),
          F('write_version','H'), F('read_version','H'), F('header_size','I'), F('reserved0','I'),
          F('file_size','Q'), F('checksum_lo','Q',lambda v:'0x%016x'%v), F('checksum_hi','Q',lambda v:'0x%016x'%v),
          F('dir_offset','I'), F('section_count','I'), F('flags','I',hx),
          F('compiler_version','I',sval), F('models_source','I',sval), F('models_revision','I',sval),
          F('service_count','I'), F('operation_count','I'), F('shape_count','I'), F('member_count','I'),
          F('reserved2','32s',lambda b:'32 zero bytes' if not any(b) else 'NONZERO'), F('reserved1','Q')]
SECTION = [F('id','I',lambda v:'%d %s'%(v,SECNAMES.get(v,'?'))), F('entsize','I'), F('count','I'), F('flags','I'),
           F('offset','Q'), F('size','Q')]
SERVICE = [F(n,'I',sval) for n in 'key sdk_id shape_id version title summary signing_name endpoint_prefix cli_name arn_namespace cfn_name xml_ns_uri xml_ns_prefix target_prefix'.split()] + \
          [F('protocol','I',lambda v:'%d %s'%(v,PROTO[v])), F('flags','I',SVCF), F('first_op','I'), F('op_count','I'),
           F('rules_offset','I'), F('rules_size','I'), F('first_param','I'), F('param_count','I'),
           F('first_error','I'), F('error_count','I'), F('manifest','I'), F('namespace_','I',sval),
           F('first_shape','I'), F('shape_count','I')]
OPERATION = [F(n,'I',sval) for n in 'name cli_name summary'.split()] + \
            [F('service','I'), F('input','I',ival), F('output','I',ival), F('first_error','I'), F('error_count','I'),
             F('http_method','I',sval), F('http_uri','I',sval), F('http_code','I'), F('host_prefix','I',sval),
             F('flags','I',OPF), F('idem_member','I',ival)] + \
            [F(n,'I',sval) for n in 'pg_input_token pg_output_token pg_items pg_page_size'.split()] + \
            [F('first_param','I'), F('param_count','I'), F('checksum_member','I',sval), F('risk','I',RISK), F('reserved','I')]
SHAPE = [F('name','I',sval), F('type','B',lambda v:'%d %s'%(v,TYPES[v])), F('ts_format','B'), F('http_error','H'),
         F('flags','I',SHF), F('first_member','I'), F('member_count','I'), F('cons','I',ival), F('ext','I',ival)]
SHAPEXT = [F(n,'I',sval) for n in 'ns xml_name xml_ns_uri xml_ns_prefix error_code media_type'.split()]
MEMBER = [F('name','I',sval), F('target','I',ival), F('flags','I',MF), F('summary','I',sval), F('aux','I',ival)]
MEMBEXT = [F(n,'I',sval) for n in 'loc_name json_name xml_name ec2_name xml_ns_uri xml_ns_prefix default_json context_param'.split()] + \
          [F('cons','I',ival), F('ts_format','B'), F('pad','3s',lambda b:'zero' if not any(b) else 'NONZERO')]
CONS = [F('flags','I',flagdec([(1,'LEN_MIN'),(2,'LEN_MAX'),(4,'RANGE_MIN'),(8,'RANGE_MAX'),(16,'PATTERN')])), F('pattern','I',sval), F('len_min','q'), F('len_max','q'), F('range_min','d'), F('range_max','d'),
        F('range_min_text','I',sval), F('range_max_text','I',sval)]
PARAM = [F('name','I',sval), F('kind','I'), F('value','I',sval), F('doc','I',sval)]
MANIFEST = [F('path','I',sval), F('service','I'), F('size','Q'), F('digest_lo','Q',lambda v:'0x%016x'%v),
            F('digest_hi','Q',lambda v:'0x%016x'%v), F('smithy_version','I',sval), F('reserved','I')]
IDXH = [F('slot_count','I'), F('entry_count','I'), F('seed','Q',lambda v:'0x%016x'%v)]
SLOT = [F('hash','I',lambda v:'0x%08x'%v), F('scope','I',ival), F('key','I',sval), F('value','I',ival)]

def layout(fields, base, label):
    out = []
    o = base
    for name, fmt, render in fields:
        v = struct.unpack_from('<' + fmt, data, o)[0]
        out.append((o, '%s%s' % (label, name), render(v)))
        o += struct.calcsize('<' + fmt)
    return out, o

def xxd_line(o, end=None):
    b = data[o:min(o + 16, end) if end else o + 16]
    hexs = ' '.join(b[i:i+2].hex() for i in range(0, len(b), 2))
    asc = ''.join(chr(c) if 32 <= c < 127 else '.' for c in b)
    return '%08x: %-39s  %s' % (o, hexs, asc)

def dump(title, start, end, annots):
    print('--- %s' % title)
    lo = start
    ai = 0
    annots = sorted(annots)
    o = lo
    while o < end:
        print(xxd_line(o, end))
        while ai < len(annots) and annots[ai][0] < min(o + 16, end):
            fo, name, val = annots[ai]
            print('    %5d  %-26s %s' % (fo, name, val))
            ai += 1
        o += 16
    print()

what = sys.argv[2:]
if 'header' in what:
    a, _ = layout(HEADER, 0, '')
    dump('header: offset 0, 128 bytes', 0, 128, a)
if 'dir' in what:
    print('--- section directory: offset %d, %d entries of 32 bytes' % (dir_off, nsec))
    for i in range(nsec):
        o = dir_off + 32 * i
        print(xxd_line(o)); print(xxd_line(o + 16))
        sid, ent, cnt, fl, off, size = struct.unpack_from('<IIIIQQ', data, o)
        print('    %5d  [%d] id %d %s, entsize %d, count %d, flags %d, offset %d, size %d' % (o, i, sid, SECNAMES.get(sid,'?'), ent, cnt, fl, off, size))
    end = dir_off + 32 * nsec
    first = min(v[0] for v in secs.values())
    if first > end:
        print('    %5d  %d zero bytes of padding to the 8-aligned first section' % (end, first - end))
    print()

def rec(secname, fields, idxs, title=None):
    off, size, cnt, ent = secs[secname]
    mine = sum(struct.calcsize('<' + f[1]) for f in fields)
    if mine != ent:
        sys.exit('format_dump.py: %s records are %d bytes in the file, %d here: '
                 'update the field list from alc_format.h' % (secname, ent, mine))
    a = []
    lo = None; hi = 0
    for i in idxs:
        b = off + ent * i
        aa, e = layout(fields, b, '%s[%d].' % (secname, i))
        a += aa
        lo = b if lo is None else min(lo, b); hi = max(hi, e)
    dump(title or ('%s (offset %d)' % (secname, off)), lo, hi, a)

for w in what:
    if w.startswith('strs:'):
        n = int(w[5:])
        a = []
        o = 0
        while o < n:
            e = data.index(b'\0', STRS + o) - STRS
            a.append((STRS + o, 'str %d' % o, '"%s"' % cstr(o)))
            o = e + 1
        dump('STRS: offset %d, %d bytes (first %d shown)' % (STRS, secs['STRS'][1], n), STRS, STRS + n, a)
    elif w.startswith('rec:'):
        _, sec, idx = w.split(':')
        idxs = [int(x) for x in idx.split(',')]
        fields = dict(SVCS=SERVICE, OPS=OPERATION, SHAPES=SHAPE, SHAPEXT=SHAPEXT, MEMBERS=MEMBER, MEMBEXT=MEMBEXT,
                      CONS=CONS, PARAMS=PARAM, MANIFEST=MANIFEST)[sec]
        rec(sec, fields, idxs, '%s %s: section at %d, records of %d bytes' % (sec, ','.join('[%d]'%i for i in idxs), secs[sec][0], secs[sec][3]))
    elif w.startswith('u32'):
        off, size, cnt, ent = secs['U32']
        a = [(off + 4*i, 'U32[%d]' % i, str(u('I', off + 4*i))) for i in range(cnt)]
        dump('U32: offset %d, %d entries' % (off, cnt), off, off + size, a)
    elif w.startswith('rules'):
        off, size, cnt, ent = secs['RULES']
        dump('RULES: offset %d, %d bytes (first 32 shown; encoding in RULES.md)' % (off, size), off, off + 32, [])
    elif w.startswith('idx:'):
        name = w[4:]
        off, size, cnt, ent = secs[name]
        slots = u('I', off)
        hdr, _ = layout(IDXH, off, '')
        print('--- %s: offset %d, 16-byte header + %d slots of 16 bytes' % (name, off, slots))
        print(xxd_line(off))
        for fo, nm, val in hdr:
            print('    %5d  %-26s %s' % (fo, nm, val))
        empty = 0
        def flush(empty):
            if empty:
                print('          ... %d empty slot%s (hash 0, scope 0, key 0, value ffffffff)' % (empty, '' if empty == 1 else 's'))
        for i in range(slots):
            so = off + 16 + 16 * i
            if u('I', so + 12) == 0xffffffff:
                empty += 1
                continue
            flush(empty); empty = 0
            print(xxd_line(so))
            aa, _ = layout(SLOT, so, 'slot[%d].' % i)
            for fo, nm, val in aa:
                print('    %5d  %-26s %s' % (fo, nm, val))
        flush(empty)
        print()
