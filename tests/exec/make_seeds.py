#!/usr/bin/env python3
"""Seeds for tests/fuzz/fuzz_json_response.c, written to
tests/fuzz/corpus/json_response/ (run from anywhere; rewrites the
directory).  A seed is: byte 0 the operation index, byte 1 the status index,
byte 2 the header block length, the header block, the body (see the fuzz
target's top comment)."""
import json
import os

OPS = ["json10", "json11", "rest_thing", "rest_payload", "rest_blob", "rest_string",
       "rest_union", "rest_doc"]
ST = {200: 0, 400: 1, 404: 2, 500: 3, 503: 4, 204: 5, 206: 6}

thing = {"s": "str", "n": 42, "l": 9007199254740993, "by": -1, "sh": 300, "f": 1.5,
         "d": -2.25e300, "b": True, "bl": "aGVsbG8=", "ts": 1515531081.123,
         "tsd": "2018-01-09T20:51:21.123456Z", "tsh": "Tue, 09 Jan 2018 20:51:21 GMT",
         "tse": 1515531081, "e": "red", "ie": 2, "list": ["a", "b"], "sparse": ["a", None],
         "map": {"k": "v"}, "smap": {"x": None, "y": {"s": "deep"}},
         "nested": {"nested": {"s": "z", "things": [{"n": 1}, {"u": {"a": "x"}}]}},
         "things": [{"n": 1}], "u": {"b": {"s": "u"}}, "doc": {"any": [1, "two", None, {}]},
         "bd": 1.25e-7, "bi": 123456789012345678901234567890, "Renamed": "jn"}
odd = {"f": "NaN", "d": "-Infinity", "ts": "1515531081", "tsd": "2018-01-09T20:51:21+05:30",
       "tse": 1e10, "n": 2147483648, "list": [], "map": {}, "u": {"__type": "x", "c": ["1"]},
       "unknown": {"ignored": [1, 2]}}


def seed(op, status, headers, body):
    h = "".join(f"{k}: {v}\r\n" for k, v in headers).encode()
    b = body if isinstance(body, bytes) else body.encode()
    return bytes([OPS.index(op), ST[status], min(len(h), 255)]) + h[:255] + b


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus",
                       "json_response")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))
    seeds = {}
    for op in ("json10", "json11"):
        ct = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", "r1")]
        seeds[f"{op}_thing"] = seed(op, 200, ct, json.dumps(thing))
        seeds[f"{op}_odd"] = seed(op, 200, ct, json.dumps(odd))
        seeds[f"{op}_empty"] = seed(op, 200, ct, "")
        seeds[f"{op}_null"] = seed(op, 200, ct, "null")
        seeds[f"{op}_err_type"] = seed(op, 400, ct, json.dumps(
            {"__type": "airlock.fuzz#ThingError", "message": "no", "thing": {"n": 1}}))
        seeds[f"{op}_err_suffix"] = seed(op, 400, ct, json.dumps(
            {"__type": "ThingError:http://internal.amazon.com/coral/x/", "Message": "m"}))
        seeds[f"{op}_err_header"] = seed(op, 400, ct + [("X-Amzn-ErrorType", "Throttled:x")],
                                         "{}")
        seeds[f"{op}_err_code"] = seed(op, 500, ct, json.dumps({"code": "Unknown", "errorMessage": 1}))
        seeds[f"{op}_err_html"] = seed(op, 503, [("Content-Type", "text/html")],
                                       "<html>Service Unavailable</html>")
    rh = [("X-S", "s"), ("X-N", "-12"), ("X-B", "true"), ("X-D", "NaN"),
          ("X-Ts", "Mon, 16 Dec 2019 23:48:18 GMT"),
          ("X-Tl", "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT"),
          ("X-L", 'a, "b,c", "d\\"e"'), ("X-J", "dHJ1ZQ=="), ("X-E", "blue"),
          ("X-P-One", "1"), ("x-p-two", "2"), ("x-amzn-RequestId", "r2")]
    seeds["rest_thing"] = seed("rest_thing", 200, rh, json.dumps(thing))
    seeds["rest_thing_206"] = seed("rest_thing", 206, rh[:3], json.dumps(odd))
    seeds["rest_thing_badhdr"] = seed("rest_thing", 200, [("X-N", "x"), ("X-Tl", "nope")], "{}")
    seeds["rest_payload"] = seed("rest_payload", 200, [("X-S", "p")], json.dumps(thing))
    seeds["rest_payload_empty"] = seed("rest_payload", 200, [], "")
    seeds["rest_blob"] = seed("rest_blob", 200, [("Content-Type", "image/png")],
                              bytes(range(256)))
    seeds["rest_string"] = seed("rest_string", 200, [], "plain text payload")
    seeds["rest_union"] = seed("rest_union", 200, [], json.dumps({"b": {"n": 3}}))
    seeds["rest_doc"] = seed("rest_doc", 200, [], json.dumps([1, {"a": None}, "x", 1e308]))
    seeds["rest_err"] = seed("rest_thing", 404, [("X-Amzn-ErrorType", "ThingError"),
                                                 ("X-Err", "header value")],
                             json.dumps({"message": "nf", "thing": thing}))
    seeds["rest_err_throttle"] = seed("rest_thing", 503, [], json.dumps(
        {"code": "airlock.fuzz.restjson#Throttled", "message": "slow down"}))
    seeds["rest_err_empty"] = seed("rest_payload", 500, [], "")
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
