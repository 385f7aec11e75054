"""smithy_view.py -- the text of `airlock-compile dump` rendered straight
from a Smithy JSON AST model, without the compiler or the catalog.

This is the independent half of the round-trip test (roundtrip.py): it
reads the model with Python's json module and applies Smithy's rules and
the mapping documented in formats/alc_format.h (which traits the catalog
keeps, and as what).  The output grammar is the one documented at the top
of compiler/cc_inspect.c.  It shares no code with the compiler; where the
compiler makes a choice of its own (the documentation summary, the compact
JSON of default values, the text of range bounds), the choice is written
out again here from its description, so a change on either side shows up
as a diff.
"""

import json
import math

PRELUDE = {
    'smithy.api#Unit', 'smithy.api#String', 'smithy.api#Blob',
    'smithy.api#BigInteger', 'smithy.api#BigDecimal', 'smithy.api#Timestamp',
    'smithy.api#Document', 'smithy.api#Boolean', 'smithy.api#PrimitiveBoolean',
    'smithy.api#Byte', 'smithy.api#PrimitiveByte', 'smithy.api#Short',
    'smithy.api#PrimitiveShort', 'smithy.api#Integer',
    'smithy.api#PrimitiveInteger', 'smithy.api#Long', 'smithy.api#PrimitiveLong',
    'smithy.api#Float', 'smithy.api#PrimitiveFloat', 'smithy.api#Double',
    'smithy.api#PrimitiveDouble',
}

DATA_TYPES = {
    'blob', 'boolean', 'string', 'byte', 'short', 'integer', 'long', 'float',
    'double', 'bigInteger', 'bigDecimal', 'timestamp', 'document', 'enum',
    'intEnum', 'list', 'set', 'map', 'structure', 'union',
}

PROTOCOLS = [
    ('aws.protocols#awsJson1_0', 'awsJson1_0'),
    ('aws.protocols#awsJson1_1', 'awsJson1_1'),
    ('aws.protocols#restJson1', 'restJson1'),
    ('aws.protocols#restXml', 'restXml'),
    ('aws.protocols#awsQuery', 'awsQuery'),
    ('aws.protocols#ec2Query', 'ec2Query'),
]

# Flag names in bit order (the order the dump prints them).
OP_FLAGS = ['readonly', 'idempotent', 'paginated', 'checksum-required',
            'unsigned-payload', 'no-auth', 'optional-auth', 'deprecated',
            'input-streaming', 'output-streaming', 'endpoint-discovery',
            'request-compression', 'event-stream']
SHAPE_FLAGS = ['sensitive', 'streaming', 'sparse', 'unique-items',
               'error-client', 'error-server', 'retryable', 'throttling',
               'xml-flattened', 'requires-length', 'deprecated', 'enum-trait',
               'event-stream', 'input', 'output', 'has-default']
MEMBER_FLAGS = ['required', 'client-optional', 'has-default', 'http-label',
                'http-query', 'http-query-params', 'http-header',
                'http-prefix-headers', 'http-payload', 'http-response-code',
                'host-label', 'idempotency-token', 'xml-attribute',
                'xml-flattened', 'sensitive', 'deprecated', 'event-payload',
                'greedy-label', 'event-header']

TS_FORMATS = {'date-time', 'http-date', 'epoch-seconds'}

A = 'smithy.api#'


# ---- text conventions --------------------------------------------------

def raw(s):
    """A raw value: control characters and DEL as \\xNN."""
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x20 or o == 0x7f:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    return ''.join(out)


def q(s):
    """A JSON string as json.dumps(s, ensure_ascii=False) writes it (done
    by hand so that surrogate-escaped bytes pass through unchanged)."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\b':
            out.append('\\b')
        elif ch == '\f':
            out.append('\\f')
        elif ord(ch) < 0x20:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def flags(names, present):
    sel = [n for n in names if n in present]
    return ' [' + ' '.join(sel) + ']' if sel else ''


def cstr(s):
    """A model string as the compiler's C strings see it: up to a NUL."""
    return s.split('\0', 1)[0] if isinstance(s, str) else s


def compact_json(v):
    """The compact JSON text the compiler stores for default values and
    static context parameters (cJSON 1.7's unformatted printer: integers
    in int range as %d, other numbers %1.15g, or %1.17g when that does not
    read back; keys and members in document order)."""
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, (int, float)):
        d = float(v)
        if math.isnan(d) or math.isinf(d):
            return 'null'
        if d.is_integer() and -2**31 <= d <= 2**31 - 1:
            return '%d' % int(d)
        s = '%1.15g' % d
        t = float(s)
        if abs(t - d) > max(abs(t), abs(d)) * 2.220446049250313e-16:
            s = '%1.17g' % d
        return s
    if isinstance(v, str):
        return q(cstr(v))
    if isinstance(v, list):
        return '[' + ','.join(compact_json(x) for x in v) + ']'
    if isinstance(v, dict):
        return '{' + ','.join(q(cstr(k)) + ':' + compact_json(x)
                              for k, x in v.items()) + '}'
    raise TypeError(v)


def num_text(v):
    """A range bound as the compiler writes it: integral values below 2^63
    as integers, anything else with 17 significant digits."""
    d = float(v)
    if d == math.floor(d) and abs(d) < 9.2e18:
        return '%d' % int(d)
    return '%.17g' % d


# ---- documentation summaries -------------------------------------------
# The catalog keeps the first sentence of each documentation string, as
# plain text: leading <note>/<important> asides skipped when text follows
# them, tags dropped (an inline tag such as <code> or <a> reads as
# nothing, any other tag as a blank, a paragraph or list tag ends the
# summary), the common entities decoded, white space
# collapsed, a sentence ending at '.', '!' or '?' before a blank, a tag or
# the end (not after "e.g", "i.e" and the like), at most 300 bytes (cut at
# a blank after byte 200, "..." appended).  Worked on bytes, as stored.

_ENTITIES = [(b'lt;', b'<'), (b'gt;', b'>'), (b'amp;', b'&'), (b'quot;', b'"'),
             (b'apos;', b"'"), (b'#39;', b"'"), (b'nbsp;', b' ')]
_ABBREV = [b'e.g', b'i.e', b'etc', b'vs', b'Inc', b'approx', b'Mr', b'Ms',
           b'Dr', b'No']
_BLOCK = [b'</p', b'<br', b'</li', b'<li', b'</h']


_INLINE = {b'a', b'b', b'i', b'u', b'em', b'strong', b'code', b'span', b'sub',
           b'sup', b'tt', b'kbd', b'var', b'samp', b'abbr', b'cite', b'q', b's',
           b'small', b'big', b'mark', b'strike'}


def _inline_tag(inner):
    """INNER is the text between '<' and '>'.  Inline elements (<code>,
    </a>, ...) render without a break, so they do not read as a blank."""
    if inner.startswith(b'/'):
        inner = inner[1:]
    n = 0
    while n < len(inner) and (65 <= inner[n] <= 90 or 97 <= inner[n] <= 122):
        n += 1
    if n == 0 or (n < len(inner) and inner[n:n + 1] not in (b' ', b'/', b'\t', b'\n')):
        return False
    return inner[:n].lower() in _INLINE


def _abbrev_before(out, dot):
    for a in _ABBREV:
        n = len(a)
        if dot >= n and out[dot - n:dot] == a and \
                (dot == n or out[dot - n - 1:dot - n] in (b' ', b'(')):
            return True
    return False


def _skip_ws(b, p):
    while p < len(b) and b[p:p + 1] in (b' ', b'\t', b'\r', b'\n'):
        p += 1
    return p


def summary(doc):
    if not isinstance(doc, str) or not doc:
        return ''
    b = cstr(doc).encode('utf-8', 'surrogateescape')
    if not b:
        return ''
    cap = min(len(b), 4096)
    out = bytearray()
    space = para = False
    p = 0
    L = len(b)
    # Up to 4 leading <note>/<important> asides are skipped when text
    # follows them.
    for _ in range(4):
        q = _skip_ws(b, p)
        close = b'</note>' if b.startswith(b'<note>', q) else \
            b'</important>' if b.startswith(b'<important>', q) else None
        end = b.find(close, q) if close else -1
        if end < 0:
            break
        rest = _skip_ws(b, end + len(close))
        if rest >= L:
            break
        p = rest
    while p < L and len(out) < cap:
        c = b[p:p + 1]
        if c == b'<':
            qpos = b.find(b'>', p)
            if qpos < 0:
                break
            block = qpos - p >= 2 and any(b.startswith(t, p) for t in _BLOCK)
            inline = _inline_tag(b[p + 1:qpos])
            p = qpos + 1
            if block and out:
                break
            if not inline:
                space = True
            continue
        if c in (b' ', b'\n', b'\t', b'\r'):
            space = True
            p += 1
            continue
        d = c
        used = 1
        if c == b'&':
            for e, ch in _ENTITIES:
                if b.startswith(e, p + 1):
                    d = ch
                    used = 1 + len(e)
                    break
        if out and space:
            out += b' '
        para = space = False
        if len(out) >= cap:
            break
        out += d
        p += used
        if d in (b'.', b'!', b'?'):
            nx = b[p:p + 1]
            if nx in (b'', b' ', b'\n', b'<') and \
                    not (d == b'.' and _abbrev_before(out, len(out) - 1)):
                break
    while out and out[-1:] == b' ':
        del out[-1]
    if len(out) > 300:
        cut = 297
        while cut > 200 and out[cut:cut + 1] != b' ':
            cut -= 1
        out = out[:cut] + b'...'
    del para
    return out.decode('utf-8', 'surrogateescape')


# ---- the model ---------------------------------------------------------

class ModelError(Exception):
    pass


class Model:
    """One model file: shapes with `apply` folded in, mixins flattened."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            doc = json.load(f)
        self.path = path
        self.smithy = doc.get('smithy')
        self.shapes = {}
        applies = []
        for sid, s in doc['shapes'].items():
            if s.get('type') == 'apply':
                applies.append((sid, s.get('traits', {})))
            else:
                self.shapes[sid] = s
        for target, traits in applies:
            sid, _, member = target.partition('$')
            owner = self.shapes[sid]
            if member in ('member', 'key', 'value') and \
                    owner['type'] in ('list', 'set', 'map'):
                owner = owner[member]      # ns#List$member, ns#Map$value
            elif member:
                owner = owner['members'][member]
            owner.setdefault('traits', {}).update(traits)
        svcs = [k for k, v in self.shapes.items() if v['type'] == 'service']
        if len(svcs) != 1:
            raise ModelError('%s: %d service shapes' % (path, len(svcs)))
        self.service_id = svcs[0]
        self.service = self.shapes[self.service_id]
        st = self.traits(self.service)
        self.sdk_id = st['aws.api#service']['sdkId']
        self.key = ''.join('-' if c == ' ' else
                           (c.lower() if 'A' <= c <= 'Z' else c)
                           for c in self.sdk_id)
        self.ns = self.service_id.split('#')[0]
        self.protocol = next((n for t, n in PROTOCOLS if t in st), 'none')
        self.op_ids = self._operations()
        self.ops_by_name = {}
        for oid in self.op_ids:
            self.ops_by_name[oid.split('#', 1)[1]] = oid
        self._greedy = None

    # Traits of a shape: its own, then those of its mixins (depth first)
    # that it does not set itself.
    def traits(self, s, depth=0):
        t = dict(s.get('traits', {}))
        if depth < 16:
            for m in s.get('mixins', []):
                ms = self.shapes.get(m['target'])
                if ms is None:
                    continue
                for k, v in self.traits(ms, depth + 1).items():
                    if k == A + 'mixin':
                        continue
                    t.setdefault(k, v)
        return t

    # Members of a structure/union/enum: its mixins' members first, then
    # its own; a member redefined locally keeps the mixin's position and
    # adds the mixin member's traits that it does not set itself.
    def members(self, s, depth=0):
        out = []
        if depth < 16:
            for m in s.get('mixins', []):
                ms = self.shapes.get(m['target'])
                if ms is not None:
                    out.extend(self.members(ms, depth + 1))
        pos = {n: i for i, (n, _) in enumerate(out)}
        for name, mj in s.get('members', {}).items():
            if name in pos:
                old = out[pos[name]][1]
                merged = dict(mj)
                t = dict(old.get('traits', {}))
                t.update(mj.get('traits', {}))
                merged['traits'] = t
                out[pos[name]] = (name, merged)
            else:
                out.append((name, mj))
        return out

    def _operations(self):
        """Operation ids bound to the service, directly or through its
        resources (recursively), each once."""
        seen, order, res_seen = set(), [], set()

        def add(ref):
            oid = ref['target']
            if oid not in seen:
                seen.add(oid)
                order.append(oid)

        def walk(owner):
            for k in ('create', 'put', 'read', 'update', 'delete', 'list'):
                if k in owner:
                    add(owner[k])
            for k in ('operations', 'collectionOperations'):
                for r in owner.get(k, []):
                    add(r)
            for r in owner.get('resources', []):
                rid = r['target']
                if rid not in res_seen:
                    res_seen.add(rid)
                    walk(self.shapes[rid])

        walk(self.service)
        return order

    def shape_type(self, sid):
        s = self.shapes[sid]
        t = s['type']
        if t == 'set':
            return 'list'
        if t == 'string' and isinstance(self.traits(s).get(A + 'enum'), list):
            return 'enum'
        return t

    def greedy_labels(self):
        """(input shape id, member) pairs marked greedy: a label written
        {Name+} in the uri of an operation of the service using that input."""
        if self._greedy is None:
            g = set()
            for oid in self.op_ids:
                op = self.shapes[oid]
                uri = (self.traits(op).get(A + 'http') or {}).get('uri')
                inp = op.get('input', {}).get('target')
                if not isinstance(uri, str) or inp not in self.shapes:
                    continue
                for name, mj in self.members(self.shapes[inp]):
                    if A + 'httpLabel' in mj.get('traits', {}) and \
                            '{%s+}' % name in uri:
                        g.add((inp, name))
            self._greedy = g
        return self._greedy


# ---- rendering -----------------------------------------------------------

def cons_parts(t):
    """[(kind, text)] for length / range / pattern traits."""
    out = []
    ln = t.get(A + 'length')
    if isinstance(ln, dict) and ('min' in ln or 'max' in ln):
        lo = '%d' % int(float(ln['min'])) if 'min' in ln else ''
        hi = '%d' % int(float(ln['max'])) if 'max' in ln else ''
        out.append(('length', lo + '..' + hi))
    rg = t.get(A + 'range')
    if isinstance(rg, dict) and ('min' in rg or 'max' in rg):
        lo = num_text(rg['min']) if 'min' in rg else ''
        hi = num_text(rg['max']) if 'max' in rg else ''
        out.append(('range', lo + '..' + hi))
    if isinstance(t.get(A + 'pattern'), str):
        out.append(('pattern', q(cstr(t[A + 'pattern']))))
    return out


def is_sensitive(model, target):
    s = model.shapes.get(target)
    return s is not None and A + 'sensitive' in model.traits(s)


def member_line(model, owner_id, owner_type, name, mj, enum_value=None):
    t = mj.get('traits', {})
    present = set()
    simple = [('required', 'required'), ('clientOptional', 'client-optional'),
              ('default', 'has-default'), ('httpLabel', 'http-label'),
              ('httpQuery', 'http-query'), ('httpQueryParams', 'http-query-params'),
              ('httpHeader', 'http-header'),
              ('httpPrefixHeaders', 'http-prefix-headers'),
              ('httpPayload', 'http-payload'),
              ('httpResponseCode', 'http-response-code'),
              ('hostLabel', 'host-label'),
              ('idempotencyToken', 'idempotency-token'),
              ('xmlAttribute', 'xml-attribute'), ('xmlFlattened', 'xml-flattened'),
              ('sensitive', 'sensitive'), ('deprecated', 'deprecated'),
              ('eventPayload', 'event-payload'), ('eventHeader', 'event-header')]
    for trait, flag in simple:
        if A + trait in t:
            present.add(flag)
    if owner_type in ('enum', 'intEnum'):
        line = '  value %s = %s' % (raw(cstr(name)), enum_value)
        line += flags(MEMBER_FLAGS, present)
        s = summary(t.get(A + 'documentation'))
        if s:
            line += ' summary=' + q(s)
        return line
    target = mj['target']
    if is_sensitive(model, target):
        present.add('sensitive')
    if (owner_id, name) in model.greedy_labels():
        present.add('greedy-label')
    line = '  member %s -> %s' % (raw(cstr(name)), raw(target))
    line += flags(MEMBER_FLAGS, present)
    toks = []

    def tq(key, v):
        if isinstance(v, str) and cstr(v):
            toks.append('%s=%s' % (key, q(cstr(v))))

    loc = None
    if A + 'httpQuery' in t:
        loc = t[A + 'httpQuery']
    if A + 'httpHeader' in t:
        loc = t[A + 'httpHeader']
    if A + 'httpPrefixHeaders' in t:
        loc = t[A + 'httpPrefixHeaders']
    tq('loc', loc)
    tq('json', t.get(A + 'jsonName'))
    tq('xml', t.get(A + 'xmlName'))
    tq('ec2', t.get('aws.protocols#ec2QueryName'))
    ns = t.get(A + 'xmlNamespace')
    if isinstance(ns, dict):
        tq('xmlns', ns.get('uri'))
        tq('xmlns-prefix', ns.get('prefix'))
    if A + 'default' in t:
        toks.append('default=' + raw(compact_json(t[A + 'default'])))
    cp = t.get('smithy.rules#contextParam')
    if isinstance(cp, dict):
        tq('context-param', cp.get('name'))
    ts = t.get(A + 'timestampFormat')
    if ts in TS_FORMATS:
        toks.append('timestamp-format=' + ts)
    for kind, text in cons_parts(t):
        toks.append('%s=%s' % (kind, text))
    s = summary(t.get(A + 'documentation'))
    if s:
        toks.append('summary=' + q(s))
    return line + ''.join(' ' + x for x in toks)


def shape_block(model, sid):
    s = model.shapes[sid]
    t = model.traits(s)
    typ = model.shape_type(sid)
    present = set()
    if A + 'sensitive' in t:
        present.add('sensitive')
    if A + 'streaming' in t:
        present.add('streaming')
        if typ == 'union':
            present.add('event-stream')
    if A + 'sparse' in t:
        present.add('sparse')
    if A + 'uniqueItems' in t or s['type'] == 'set':
        present.add('unique-items')
    if t.get(A + 'error') == 'client':
        present.add('error-client')
    if t.get(A + 'error') == 'server':
        present.add('error-server')
    if A + 'retryable' in t:
        present.add('retryable')
        if (t[A + 'retryable'] or {}).get('throttling') is True:
            present.add('throttling')
    if A + 'requiresLength' in t:
        present.add('requires-length')
    if A + 'deprecated' in t:
        present.add('deprecated')
    legacy_enum = s['type'] == 'string' and isinstance(t.get(A + 'enum'), list)
    if legacy_enum:
        present.add('enum-trait')
    if A + 'input' in t:
        present.add('input')
    if A + 'output' in t:
        present.add('output')
    if A + 'default' in t and s['type'] != 'structure':
        present.add('has-default')
    lines = ['', 'shape %s: %s%s' % (raw(sid), typ, flags(SHAPE_FLAGS, present))]
    for kind, text in cons_parts(t):
        lines.append('  %s: %s' % (kind, text))
    if t.get(A + 'timestampFormat') in TS_FORMATS:
        lines.append('  timestamp-format: ' + t[A + 'timestampFormat'])
    if isinstance(t.get(A + 'httpError'), (int, float)):
        lines.append('  http-error: %d' % int(t[A + 'httpError']))
    qe = t.get('aws.protocols#awsQueryError')
    if isinstance(qe, dict) and isinstance(qe.get('code'), str) and qe['code']:
        lines.append('  error-code: ' + raw(cstr(qe['code'])))
    if isinstance(t.get(A + 'xmlName'), str) and t[A + 'xmlName']:
        lines.append('  xml-name: ' + raw(cstr(t[A + 'xmlName'])))
    ns = t.get(A + 'xmlNamespace')
    if isinstance(ns, dict):
        uri = ns.get('uri') if isinstance(ns.get('uri'), str) else ''
        pre = ns.get('prefix') if isinstance(ns.get('prefix'), str) else ''
        if uri or pre:
            line = '  xml-namespace: ' + raw(cstr(uri))
            if pre:
                line += ' prefix=' + raw(cstr(pre))
            lines.append(line)
    if isinstance(t.get(A + 'mediaType'), str) and t[A + 'mediaType']:
        lines.append('  media-type: ' + raw(cstr(t[A + 'mediaType'])))

    targets = []
    if legacy_enum:
        for e in t[A + 'enum']:
            v = e.get('value')
            if not isinstance(v, str):
                continue
            nm = e.get('name') if isinstance(e.get('name'), str) else v
            line = '  value %s = %s' % (raw(cstr(nm)), q(cstr(v)))
            sm = summary(e.get('documentation'))
            if sm:
                line += ' summary=' + q(sm)
            lines.append(line)
    elif typ == 'enum':
        for name, mj in model.members(s):
            v = mj.get('traits', {}).get(A + 'enumValue', name)
            lines.append(member_line(model, sid, typ, name, mj, q(cstr(v))))
    elif typ == 'intEnum':
        for name, mj in model.members(s):
            v = int(float(mj['traits'][A + 'enumValue']))
            v = (v + 2**31) % 2**32 - 2**31
            lines.append(member_line(model, sid, typ, name, mj, '%d' % v))
    elif typ == 'list':
        lines.append(member_line(model, sid, typ, 'member', s['member']))
        targets.append(s['member']['target'])
    elif typ == 'map':
        for k in ('key', 'value'):
            lines.append(member_line(model, sid, typ, k, s[k]))
            targets.append(s[k]['target'])
    elif typ in ('structure', 'union'):
        for name, mj in model.members(s):
            lines.append(member_line(model, sid, typ, name, mj))
            targets.append(mj['target'])
    return lines, targets


def closure(model, root, seen, lines):
    """Depth-first pre-order from ROOT through member targets, each shape
    once; prelude shapes are named, never expanded."""
    stack = [root]
    while stack:
        sid = stack.pop()
        if sid in seen:
            continue
        seen.add(sid)
        if sid in PRELUDE:
            continue
        block, targets = shape_block(model, sid)
        lines.extend(block)
        stack.extend(reversed(targets))


def _ref(op, key):
    r = op.get(key)
    return r['target'] if r else 'smithy.api#Unit'


def operation_lines(model, name, cli_name):
    oid = model.ops_by_name[name]
    op = model.shapes[oid]
    t = model.traits(op)
    st = model.traits(model.service)
    lines = ['operation %s:%s' % (raw(model.key), raw(name))]
    if cli_name:
        lines.append('  cli-name: ' + raw(cli_name))
    http = t.get(A + 'http')
    if isinstance(http, dict) and isinstance(http.get('method'), str) and \
            isinstance(http.get('uri'), str):
        code = http.get('code', 200)
        lines.append('  http: %s %s %d' % (raw(cstr(http['method'])),
                                           raw(cstr(http['uri'])), int(code)))
    ep = t.get(A + 'endpoint')
    if isinstance(ep, dict) and isinstance(ep.get('hostPrefix'), str) and ep['hostPrefix']:
        lines.append('  host-prefix: ' + raw(cstr(ep['hostPrefix'])))

    inp, out = _ref(op, 'input'), _ref(op, 'output')
    present = set()
    for trait, flag in [('readonly', 'readonly'), ('idempotent', 'idempotent'),
                        ('paginated', 'paginated'),
                        ('httpChecksumRequired', 'checksum-required'),
                        ('optionalAuth', 'optional-auth'),
                        ('deprecated', 'deprecated'),
                        ('requestCompression', 'request-compression')]:
        if A + trait in t:
            present.add(flag)
    if 'aws.auth#unsignedPayload' in t:
        present.add('unsigned-payload')
    if t.get(A + 'auth') == []:
        present.add('no-auth')
    if 'aws.api#clientDiscoveredEndpoint' in t:
        present.add('endpoint-discovery')
    hc = t.get('aws.protocols#httpChecksum')
    if isinstance(hc, dict) and hc.get('requestChecksumRequired') is True:
        present.add('checksum-required')
    for ref, flag in ((inp, 'input-streaming'), (out, 'output-streaming')):
        s = model.shapes.get(ref)
        if s is None:
            continue
        for _, mj in model.members(s):
            ts = model.shapes.get(mj['target'])
            if ts is None:
                continue
            tt = model.traits(ts)
            if A + 'httpPayload' in mj.get('traits', {}) and A + 'streaming' in tt:
                present.add(flag)
            if ts['type'] == 'union' and A + 'streaming' in tt:
                present.add('event-stream')
    if present:
        lines.append('  flags:' + flags(OP_FLAGS, present))
    lines.append('  input: ' + raw(inp))
    lines.append('  output: ' + raw(out))
    if inp in model.shapes:
        for mname, mj in model.members(model.shapes[inp]):
            if A + 'idempotencyToken' in mj.get('traits', {}):
                lines.append('  idempotency-token: ' + raw(mname))
                break
    if A + 'paginated' in t:
        pg = {}
        for src in (st.get(A + 'paginated'), t[A + 'paginated']):
            for k in ('inputToken', 'outputToken', 'items', 'pageSize'):
                if isinstance(src, dict) and isinstance(src.get(k), str):
                    pg[k] = cstr(src[k])
        toks = ''
        for k, label in (('inputToken', 'input-token'), ('outputToken', 'output-token'),
                         ('items', 'items'), ('pageSize', 'page-size')):
            if pg.get(k):
                toks += ' %s=%s' % (label, q(pg[k]))
        if toks:
            lines.append('  pagination:' + toks)
    if isinstance(hc, dict) and isinstance(hc.get('requestAlgorithmMember'), str):
        lines.append('  checksum-member: ' + raw(cstr(hc['requestAlgorithmMember'])))
    for pname, p in (t.get('smithy.rules#staticContextParams') or {}).items():
        lines.append('  param static-context %s %s' % (raw(cstr(pname)),
                                                       raw(compact_json(p['value']))))
    for pname, p in (t.get('smithy.rules#operationContextParams') or {}).items():
        lines.append('  param operation-context %s %s' % (raw(cstr(pname)),
                                                          q(cstr(p['path']))))
    for e in op.get('errors', []):
        lines.append('  error ' + raw(e['target']))
    sm = summary(t.get(A + 'documentation'))
    if sm:
        lines.append('  summary: ' + q(sm))

    seen = set()
    for root in [inp, out] + [e['target'] for e in op.get('errors', [])]:
        if root == 'smithy.api#Unit':
            continue
        closure(model, root, seen, lines)
    return lines


def shape_lines(model, sid):
    lines = ['shapes of ' + raw(sid)]
    closure(model, sid, set(), lines)
    return lines
