"""smithy_gen.py -- inputs for AWS operations, generated from the Smithy JSON
AST model files themselves (not from airlock's catalog), for the schema and
validation tests.

For an operation it builds a valid input (every required member, and the
optional ones down to a depth, each value inside its constraints), then
mutations of that input, each breaking one constraint at one place, with
the JSON pointer and keyword airlock must report:

    type, enum, pattern, minLength, maxLength, minimum, maximum, minItems,
    maxItems, uniqueItems, minProperties, maxProperties, propertyNames,
    required, additionalProperties, oneOf, contentEncoding, format,
    duplicateKey

Patterns are checked with an oracle independent of airlock's translation:
the `regex` module on the model's pattern with the few Java spellings it
does not read rewritten (\\x{h}, surrogate-pair escapes, \\p{LD}, \\p{all}).
Strings are generated from a pattern's parse tree (re._parser) and kept
only when the oracle accepts them.
"""

import base64
import copy
import hashlib
import json
import random
import re
import re._parser as sre_parse
import re._constants as C

import regex

PRELUDE = {
    "smithy.api#Unit": {"type": "structure", "members": {}},
    "smithy.api#String": {"type": "string"},
    "smithy.api#Blob": {"type": "blob"},
    "smithy.api#BigInteger": {"type": "bigInteger"},
    "smithy.api#BigDecimal": {"type": "bigDecimal"},
    "smithy.api#Timestamp": {"type": "timestamp"},
    "smithy.api#Document": {"type": "document"},
}
for _t in ("Boolean", "Byte", "Short", "Integer", "Long", "Float", "Double"):
    PRELUDE["smithy.api#" + _t] = {"type": _t.lower()}
    PRELUDE["smithy.api#Primitive" + _t] = {"type": _t.lower()}

INT_BOUNDS = {
    "byte": (-128, 127), "short": (-32768, 32767),
    "integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1),
}
INTEGER_TYPES = ("byte", "short", "integer", "long", "bigInteger")
NUMBER_TYPES = ("float", "double", "bigDecimal")
T = "smithy.api#"


def pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


# ---- the pattern oracle -------------------------------------------------

def _pair(m):
    hi, lo = int(m.group(1), 16), int(m.group(2), 16)
    return "\\U%08X" % (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


def _in_class_positions(p):
    """For each index of p: inside a [...] class (escapes honoured)."""
    inside, out, i = False, [False] * len(p), 0
    while i < len(p):
        out[i] = inside
        c = p[i]
        if c == "\\":
            if i + 1 < len(p):
                out[i + 1] = inside
            i += 2
            continue
        if c == "[" and not inside:
            inside = True
        elif c == "]" and inside:
            inside = False
        i += 1
    return out


def smithy_to_python(p):
    p = re.sub(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})", _pair, p)
    p = re.sub(r"\\x\{([0-9a-fA-F]+)\}", lambda m: "\\U%08X" % int(m.group(1), 16), p)
    p = p.replace("\\p{all}", "\\p{Any}")
    ins = _in_class_positions(p)
    out, i = [], 0
    while i < len(p):
        if p.startswith("\\p{LD}", i):
            out.append("\\p{L}\\p{Nd}" if ins[i] else "[\\p{L}\\p{Nd}]")
            i += 6
            continue
        if p[i] == "\\" and i + 1 < len(p):
            out.append(p[i:i + 2])
            i += 2
            continue
        out.append(p[i])
        i += 1
    return "".join(out)


_oracle_cache = {}


def oracle(p):
    """Compiled matcher for Smithy pattern p (search semantics), or None."""
    if p not in _oracle_cache:
        try:
            flags = regex.V1 if "&&" in p else regex.V0
            _oracle_cache[p] = regex.compile(smithy_to_python(p), flags)
        except Exception:
            _oracle_cache[p] = None
    return _oracle_cache[p]


def matches(p, s):
    o = oracle(p)
    return o is not None and o.search(s) is not None


# ---- strings from patterns -------------------------------------------------

_PROP_SETS = [
    (("L", "Lu", "Ll", "Lt", "Lm", "Lo", "Alpha", "IsAlphabetic", "Alphabetic",
      "IsLetter", "Lower", "Upper"), "a-zA-Z"),
    (("LD", "Alnum", "Word"), "a-zA-Z0-9"),
    (("N", "Nd", "Digit", "Nl", "No"), "0-9"),
    (("Z", "Zs", "Space", "Blank", "IsWhitespace", "White_Space"), " "),
    (("P", "Punct", "Po"), ".,"),
    (("Pc",), "_"), (("Pd",), "\\-"),
    (("S", "Sm", "Sc", "Sk", "So"), "+$"),
    (("M", "Mn", "Mc", "Me"), "\\u0301"),
    (("C", "Cc", "Cntrl"), "\\x01"),
    (("XDigit",), "0-9a-f"),
]


def _prop_set(name):
    for names, s in _PROP_SETS:
        if name in names:
            return s
    return "a-z0-9"


def generation_text(p):
    """A pattern re._parser can read, matching a subset of p's language
    (more or less: candidates are checked with the oracle anyway)."""
    p = smithy_to_python(p)
    p = re.sub(r"&&\[[^\]]*\]", "", p)
    p = p.replace("(?i)", "").replace("(?s)", "").replace("\\z", "\\Z")
    ins = _in_class_positions(p)
    out, i = [], 0
    while i < len(p):
        m = re.match(r"\\([pP])\{(\^?[A-Za-z_]+)\}|\\([pP])([A-Z])", p[i:])
        if m:
            neg = (m.group(1) or m.group(3)) == "P"
            name = m.group(2) or m.group(4)
            s = "a-z" if neg else _prop_set(name)
            out.append(s if ins[i] else "[" + s + "]")
            i += m.end()
            continue
        if p[i] == "\\" and i + 1 < len(p):
            out.append(p[i:i + 2])
            i += 2
            continue
        out.append(p[i])
        i += 1
    return "".join(out)


_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-._"
_POOL = _PREFERRED + " !#%&*+,/:;=?@~"


class _Gen:
    def __init__(self, rng, extra):
        self.rng, self.extra, self.groups = rng, extra, {}

    def char_in(self, items):
        neg = any(op == C.NEGATE for op, _ in items)

        def hit(ch):
            o = ord(ch)
            for op, av in items:
                if op == C.LITERAL and av == o:
                    return True
                if op == C.RANGE and av[0] <= o <= av[1]:
                    return True
                if op == C.CATEGORY and _cat_match(av, ch):
                    return True
            return False
        if neg:
            cands = [c for c in _POOL if not hit(c)]
            return self.rng.choice(cands) if cands else "a"
        cands = [c for c in _PREFERRED if hit(c)]
        if cands and self.rng.random() < 0.9:
            return self.rng.choice(cands)
        op, av = self.rng.choice([it for it in items if it[0] != C.NEGATE])
        if op == C.LITERAL:
            return chr(av)
        if op == C.RANGE:
            lo, hi = av
            return chr(self.rng.randint(lo, min(hi, lo + 60)))
        return _cat_char(av)

    def node(self, tree):
        return "".join(self.op(op, av) for op, av in tree)

    def op(self, op, av):
        if op == C.LITERAL:
            return chr(av)
        if op == C.NOT_LITERAL:
            return "a" if av != ord("a") else "b"
        if op == C.ANY:
            return self.rng.choice(_PREFERRED)
        if op == C.IN:
            return self.char_in(av)
        if op == C.CATEGORY:
            return _cat_char(av)
        if op == C.BRANCH:
            return self.node(self.rng.choice(av[1]))
        if op == C.SUBPATTERN:
            group, _, _, sub = av
            s = self.node(sub)
            if group:
                self.groups[group] = s
            return s
        if op == C.ATOMIC_GROUP:
            return self.node(av)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            hi = 10**6 if hi == C.MAXREPEAT else hi
            n = min(hi, lo + self.rng.randint(0, self.extra))
            return "".join(self.node(sub) for _ in range(n))
        if op == C.GROUPREF:
            return self.groups.get(av, "")
        if op == C.GROUPREF_EXISTS:
            return self.node(av[1])
        return ""        # AT, ASSERT, ASSERT_NOT: checked afterwards


def _cat_match(cat, ch):
    return {
        C.CATEGORY_DIGIT: ch.isdigit(), C.CATEGORY_NOT_DIGIT: not ch.isdigit(),
        C.CATEGORY_WORD: ch.isalnum() or ch == "_",
        C.CATEGORY_NOT_WORD: not (ch.isalnum() or ch == "_"),
        C.CATEGORY_SPACE: ch.isspace(), C.CATEGORY_NOT_SPACE: not ch.isspace(),
    }.get(cat, False)


def _cat_char(cat):
    return {
        C.CATEGORY_DIGIT: "7", C.CATEGORY_NOT_DIGIT: "x", C.CATEGORY_WORD: "w",
        C.CATEGORY_NOT_WORD: "-", C.CATEGORY_SPACE: " ", C.CATEGORY_NOT_SPACE: "s",
    }.get(cat, "a")


_tree_cache = {}


def _tree(p):
    if p not in _tree_cache:
        try:
            _tree_cache[p] = sre_parse.parse(generation_text(p))
        except Exception:
            _tree_cache[p] = None
    return _tree_cache[p]


def string_for(cons, rng):
    """A string inside CONS (lengths in code points, every pattern), or None."""
    lo = cons["len_min"] if cons["len_min"] is not None else 0
    hi = cons["len_max"] if cons["len_max"] is not None else 10**9
    if lo > hi:
        return None
    if not cons["patterns"]:
        n = max(lo, min(hi, rng.randint(3, 8)))
        if n > 200000:
            return None
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    if any(oracle(p) is None for p in cons["patterns"]):
        return None
    tree = _tree(cons["patterns"][0])
    if tree is None:
        return None
    extra = 2
    for attempt in range(80):
        try:
            s = _Gen(rng, extra).node(tree)
        except RecursionError:
            return None
        if len(s) < lo:
            extra = extra * 2 + 1
            continue
        if len(s) > hi:
            extra = max(0, extra // 2 - 1 if attempt % 3 else 0)
            continue
        if all(matches(p, s) for p in cons["patterns"]):
            return s
    return None


def failing_string(cons, valid, rng):
    """A string inside the length bounds that breaks a pattern, or None."""
    lo = cons["len_min"] or 0
    hi = cons["len_max"] if cons["len_max"] is not None else lo + 8
    lengths = sorted({n for n in (lo, max(lo, 1), min(hi, max(lo, 3)), min(hi, len(valid)))
                      if lo <= n <= hi and n <= 5000})
    cands = []
    for n in lengths:
        for ch in "!~ -.A0a/é_":
            cands.append(ch * n)
    if valid:
        for ch in "!~ ":
            cands.append(valid[:-1] + ch)
            cands.append(ch + valid[1:])
    for s in cands:
        if lo <= len(s) <= hi and any(not matches(p, s) for p in cons["patterns"]):
            return s
    return None


# ---- models ------------------------------------------------------------

class Model:
    """One Smithy JSON AST file: shapes, operations, constraints."""

    def __init__(self, path):
        with open(path) as f:
            self.shapes = json.load(f)["shapes"]
        self.service = next(k for k, v in self.shapes.items() if v.get("type") == "service")
        self.ops = {}
        self._collect(self.shapes[self.service], 0)

    def _collect(self, owner, depth):
        if depth > 16:
            return
        for key in ("create", "put", "read", "update", "delete", "list"):
            if key in owner:
                self._add_op(owner[key]["target"])
        for key in ("operations", "collectionOperations"):
            for r in owner.get(key, []):
                self._add_op(r["target"])
        for r in owner.get("resources", []):
            self._collect(self.shapes[r["target"]], depth + 1)

    def _add_op(self, sid):
        self.ops[sid.split("#", 1)[1]] = sid

    def get(self, sid):
        return PRELUDE.get(sid) or self.shapes[sid]

    def traits(self, sid):
        return self.get(sid).get("traits", {})

    def type(self, sid):
        s = self.get(sid)
        t = s["type"]
        if t == "set":
            return "list"
        if t == "string" and T + "enum" in s.get("traits", {}):
            return "enum"
        return t

    def input_of(self, op):
        r = self.shapes[self.ops[op]].get("input")
        if not r or r["target"] == T + "Unit":
            return None
        return r["target"]

    def members(self, sid):
        s = self.get(sid)
        if s["type"] in ("list", "set"):
            return [("member", s["member"])]
        if s["type"] == "map":
            return [("key", s["key"]), ("value", s["value"])]
        return list(s.get("members", {}).items())

    def enum_values(self, sid):
        s = self.get(sid)
        if s["type"] == "string":
            return [e["value"] for e in s["traits"][T + "enum"]]
        return [m.get("traits", {}).get(T + "enumValue", name)
                for name, m in s.get("members", {}).items()]

    def unique(self, sid):
        s = self.get(sid)
        return s["type"] == "set" or T + "uniqueItems" in s.get("traits", {})

    def sparse(self, sid):
        return T + "sparse" in self.traits(sid)

    def event_stream(self, sid):
        return self.get(sid)["type"] == "union" and T + "streaming" in self.traits(sid)

    def cons(self, sid, mtraits=None):
        c = {"len_min": None, "len_max": None, "min": None, "max": None, "patterns": []}
        for tr in (self.traits(sid), mtraits or {}):
            ln = tr.get(T + "length")
            if ln:
                if "min" in ln and (c["len_min"] is None or ln["min"] > c["len_min"]):
                    c["len_min"] = int(ln["min"])
                if "max" in ln and (c["len_max"] is None or ln["max"] < c["len_max"]):
                    c["len_max"] = int(ln["max"])
            rg = tr.get(T + "range")
            if rg:
                if "min" in rg and (c["min"] is None or rg["min"] > c["min"]):
                    c["min"] = rg["min"]
                if "max" in rg and (c["max"] is None or rg["max"] < c["max"]):
                    c["max"] = rg["max"]
            p = tr.get(T + "pattern")
            if p and p not in c["patterns"]:
                c["patterns"].append(p)
        return c

    def bounds(self, sid, mtraits=None):
        """Effective numeric bounds (range trait and integer type)."""
        c = self.cons(sid, mtraits)
        lo, hi = c["min"], c["max"]
        tb = INT_BOUNDS.get(self.type(sid))
        if tb:
            lo = tb[0] if lo is None else max(lo, tb[0])
            hi = tb[1] if hi is None else min(hi, tb[1])
        return lo, hi


def omitted(m):
    return T + "httpResponseCode" in m.get("traits", {})


def required(m):
    tr = m.get("traits", {})
    return T + "required" in tr and T + "idempotencyToken" not in tr and T + "httpResponseCode" not in tr


# ---- valid values --------------------------------------------------------

class NoValue(Exception):
    pass


class Generator:
    def __init__(self, model, rng, opt_depth=2, opt_prob=1.0, max_items=2):
        self.m, self.rng = model, rng
        self.opt_depth, self.opt_prob, self.max_items = opt_depth, opt_prob, max_items

    def value(self, sid, mtraits=None, depth=0):
        m, rng = self.m, self.rng
        if depth > 14:
            raise NoValue("too deep")
        t = m.type(sid)
        c = m.cons(sid, mtraits)
        if t == "structure":
            out = {}
            for name, mem in m.members(sid):
                if omitted(mem):
                    continue
                if not required(mem):
                    if depth >= self.opt_depth or rng.random() > self.opt_prob:
                        continue
                    if m.event_stream(mem["target"]):
                        continue
                try:
                    out[name] = self.value(mem["target"], mem.get("traits"), depth + 1)
                except NoValue:
                    if required(mem):
                        raise
            return out
        if t == "union":
            mems = [(n, x) for n, x in m.members(sid)]
            rng.shuffle(mems)
            for name, mem in mems:
                try:
                    v = {name: self.value(mem["target"], mem.get("traits"), depth + 1)}
                    return [v] if m.event_stream(sid) else v
                except NoValue:
                    continue
            raise NoValue("union")
        if t == "list":
            lo = c["len_min"] or 0
            hi = c["len_max"] if c["len_max"] is not None else 10**9
            n = max(lo, min(hi, 1 if depth >= self.opt_depth else self.max_items))
            if n > 200:
                raise NoValue("list too long")
            mem = m.members(sid)[0][1]
            items, tries = [], 0
            while len(items) < n and tries < 10 * n + 10:
                tries += 1
                v = self.value(mem["target"], mem.get("traits"), depth + 1)
                if m.unique(sid) and v in items:
                    continue
                items.append(v)
            if len(items) < n:
                raise NoValue("unique items")
            return items
        if t == "map":
            lo = c["len_min"] or 0
            hi = c["len_max"] if c["len_max"] is not None else 10**9
            n = max(lo, min(hi, 1))
            (_, km), (_, vm) = m.members(sid)
            out, tries = {}, 0
            while len(out) < n and tries < 10 * n + 10:
                tries += 1
                k = self.value(km["target"], km.get("traits"), depth + 1)
                if k in out:
                    continue
                out[k] = self.value(vm["target"], vm.get("traits"), depth + 1)
            if len(out) < n:
                raise NoValue("map keys")
            return out
        if t == "enum":
            vals = [v for v in m.enum_values(sid)
                    if (c["len_min"] is None or len(v) >= c["len_min"])
                    and (c["len_max"] is None or len(v) <= c["len_max"])
                    and all(matches(p, v) for p in c["patterns"])]
            if not vals:
                raise NoValue("enum")
            return rng.choice(vals)
        if t == "intEnum":
            return rng.choice(m.enum_values(sid))
        if t == "string":
            s = string_for(c, rng)
            if s is None:
                raise NoValue("string")
            return s
        if t in INTEGER_TYPES:
            lo, hi = m.bounds(sid, mtraits)
            lo = None if lo is None else int(-(-lo // 1))
            hi = None if hi is None else int(hi // 1)
            for v in (1, lo, hi, 0):
                if v is not None and (lo is None or v >= lo) and (hi is None or v <= hi):
                    return v
            raise NoValue("range")
        if t in NUMBER_TYPES:
            lo, hi = m.bounds(sid, mtraits)
            for v in (1.5, lo, hi):
                if v is not None and (lo is None or v >= lo) and (hi is None or v <= hi):
                    return v
            raise NoValue("range")
        if t == "boolean":
            return rng.random() < 0.5
        if t == "timestamp":
            return "2024-01-31T12:00:00Z"
        if t == "blob":
            lo = c["len_min"] or 1
            hi = c["len_max"] if c["len_max"] is not None else 10**9
            n = min(max(lo, 3), hi)
            if n > 100000:
                raise NoValue("blob")
            return base64.b64encode(b"gen" * (n // 3) + b"g" * (n % 3)).decode()
        if t == "document":
            return {"doc": [1, "two", None]}
        raise NoValue("type " + t)


# ---- mutations -------------------------------------------------------------

def _get(root, path):
    for p in path:
        root = root[p]
    return root


def _set(root, path, value):
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


class Case:
    """A mutated input: JSON text, and the (pointer, keyword) expected."""

    def __init__(self, kind, text, ptr, keyword, note=""):
        self.kind, self.text, self.pointer, self.keyword, self.note = kind, text, ptr, keyword, note


def wrong_type(t):
    return {"structure": [], "map": [], "union": [], "list": {}, "boolean": "true",
            "string": 12345, "enum": 12345, "blob": 12345, "timestamp": 12345,
            "intEnum": "1"}.get(t, "1")


def sites(model, sid, mtraits, value, path):
    """(path, shape, member traits, value) for every value of the input."""
    yield path, sid, mtraits, value
    t = model.type(sid)
    if t == "structure" and isinstance(value, dict):
        mems = dict(model.members(sid))
        for k, v in value.items():
            if k in mems:
                yield from sites(model, mems[k]["target"], mems[k].get("traits"), v, path + [k])
    elif t == "union" and model.event_stream(sid) and isinstance(value, list):
        mems = dict(model.members(sid))
        for i, ev in enumerate(value):
            for k, v in ev.items():
                if k in mems:
                    yield from sites(model, mems[k]["target"], mems[k].get("traits"), v, path + [i, k])
    elif t == "union" and isinstance(value, dict):
        mems = dict(model.members(sid))
        for k, v in value.items():
            if k in mems:
                yield from sites(model, mems[k]["target"], mems[k].get("traits"), v, path + [k])
    elif t == "list" and isinstance(value, list):
        mem = model.members(sid)[0][1]
        for i, v in enumerate(value):
            if v is not None:
                yield from sites(model, mem["target"], mem.get("traits"), v, path + [i])
    elif t == "map" and isinstance(value, dict):
        vm = model.members(sid)[1][1]
        for k, v in value.items():
            if v is not None:
                yield from sites(model, vm["target"], vm.get("traits"), v, path + [k])


def mutations(model, root_sid, valid, rng, unenforced=frozenset()):
    """Every single-constraint mutation of VALID (an input of ROOT_SID)."""
    out = []

    def emit(kind, path, newval, ptr_path, keyword, note=""):
        doc = _set(copy.deepcopy(valid), path, newval)
        out.append(Case(kind, json.dumps(doc, ensure_ascii=False), pointer(ptr_path), keyword, note))

    for path, sid, mt, v in sites(model, root_sid, None, valid, []):
        t = model.type(sid)
        c = model.cons(sid, mt)
        if path and t != "document":
            emit("type", path, wrong_type(t), path, "type")
        if t == "enum":
            emit("enum", path, "NOT-A-VALUE-" + str(rng.randint(0, 999)), path, "enum")
        if t == "intEnum":
            emit("enum", path, max(model.enum_values(sid)) + 1000, path, "enum")
        if t == "string":
            enforced = [p for p in c["patterns"] if p not in unenforced]
            if enforced and all(oracle(p) for p in enforced):
                bad = failing_string(dict(c, patterns=enforced), v, rng)
                if bad is not None:
                    emit("pattern", path, bad, path, "pattern")
            if c["len_min"]:
                emit("minLength", path, v[:c["len_min"] - 1], path, "minLength")
            if c["len_max"] is not None and c["len_max"] < 5000:
                emit("maxLength", path, v + (v[-1:] or "a") * (c["len_max"] + 1 - len(v)), path, "maxLength")
        if t in INTEGER_TYPES or t in NUMBER_TYPES:
            lo, hi = model.bounds(sid, mt)
            step = 1 if t in INTEGER_TYPES else 0.5
            if lo is not None and abs(lo) < 2**53:
                emit("minimum", path, lo - step if t in NUMBER_TYPES else int(-(-lo // 1)) - 1, path, "minimum")
            if hi is not None and abs(hi) < 2**53:
                emit("maximum", path, hi + step if t in NUMBER_TYPES else int(hi // 1) + 1, path, "maximum")
        if t == "list" and isinstance(v, list):
            if c["len_min"]:
                emit("minItems", path, v[:c["len_min"] - 1], path, "minItems")
            if c["len_max"] is not None and c["len_max"] < 1000 and v:
                emit("maxItems", path, v + [v[0]] * (c["len_max"] + 1 - len(v)), path, "maxItems")
            if model.unique(sid) and v:
                emit("uniqueItems", path, v + [copy.deepcopy(v[0])], path + [len(v)], "uniqueItems")
        if t == "map" and isinstance(v, dict):
            (_, km), _ = model.members(sid)
            if c["len_min"]:
                emit("minProperties", path, dict(list(v.items())[:c["len_min"] - 1]), path, "minProperties")
            if c["len_max"] is not None and c["len_max"] < 200 and v:
                more = dict(v)
                first = next(iter(v.values()))
                g = Generator(model, rng)
                for _ in range(20 * (c["len_max"] + 1)):
                    if len(more) > c["len_max"]:
                        break
                    try:
                        more[g.value(km["target"], km.get("traits"))] = first
                    except NoValue:
                        break
                if len(more) > c["len_max"]:
                    emit("maxProperties", path, more, path, "maxProperties")
            kc = model.cons(km["target"], km.get("traits"))
            kt = model.type(km["target"])
            if v:
                bad = None
                if kt == "enum":
                    bad = "NOT-A-KEY"
                elif kc["patterns"] and all(p not in unenforced for p in kc["patterns"]):
                    bad = failing_string(kc, next(iter(v)), rng)
                elif kc["len_max"] is not None and kc["len_max"] < 5000:
                    bad = "k" * (kc["len_max"] + 1)
                elif kc["len_min"]:
                    bad = ""
                if bad is not None and bad not in v:
                    items = list(v.items())
                    nv = dict([(bad, items[0][1])] + items[1:])
                    emit("propertyNames", path, nv, path + [bad], "propertyNames")
        if t == "structure" and isinstance(v, dict):
            mems = dict(model.members(sid))
            for name in v:
                if name in mems and required(mems[name]):
                    nv = dict(v)
                    del nv[name]
                    emit("required", path, nv, path, "required", name)
                    break
            nv = dict(v)
            nv["NotAMember9"] = 1
            emit("additionalProperties", path, nv, path + ["NotAMember9"], "additionalProperties")
            if v:
                # duplicate the first member at the text level
                name = next(iter(v))
                nv = dict(v)
                nv["__dup_marker__"] = v[name]
                doc = _set(copy.deepcopy(valid), path, nv)
                text = json.dumps(doc, ensure_ascii=False).replace('"__dup_marker__"', json.dumps(name, ensure_ascii=False))
                out.append(Case("duplicateKey", text, pointer(path + [name]), "duplicateKey"))
        if t == "union" and isinstance(v, dict) and not model.event_stream(sid):
            emit("oneOf", path, {}, path, "oneOf", "empty")
            mems = model.members(sid)
            if len(mems) >= 2:
                g = Generator(model, rng, opt_depth=0)
                for name, mem in mems:
                    if name in v:
                        continue
                    try:
                        nv = dict(v)
                        nv[name] = g.value(mem["target"], mem.get("traits"), 1)
                    except NoValue:
                        continue
                    emit("oneOf", path, nv, path, "oneOf", "two members")
                    break
        if t == "blob":
            emit("contentEncoding", path, "@@not base64@@", path, "contentEncoding")
            if c["len_max"] is not None and c["len_max"] < 100000:
                emit("blobLength", path, base64.b64encode(b"x" * (c["len_max"] + 1)).decode(),
                     path, "maxLength")
        if t == "timestamp":
            emit("format", path, "2024-02-30T00:00:00Z", path, "format")
    return out


def seed_for(*parts):
    return int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest()[:8], "little")


def find_model(shared, relpath):
    import os
    for d in ("api-models-aws", "models-derived"):
        p = os.path.join(shared, d, relpath)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(relpath)
