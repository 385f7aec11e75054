#!/usr/bin/env python3
"""Writes tests/exec/model: three small services (awsJson1_0, awsJson1_1,
restJson1) over one recursive structure with every type, the restJson1
bindings (labels, greedy label, query, query map, headers, prefix headers,
status code, payloads, host prefix), idempotency tokens, a paginated read
and modeled errors.  The fuzz target fuzz_json_response and test_exec use
its catalog (built by tests/exec/tests.cmake).  Rerun after editing:
    python3 tests/exec/gen_model.py
"""
import json, os
def model(ns, svc, proto, rest):
    S = {}
    def add(name, shape): S[f"{ns}#{name}"] = shape
    T = lambda n: {"target": n if "#" in n else f"{ns}#{n}"}
    add("Color", {"type": "enum", "members": {"RED": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "red"}}, "BLUE": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "blue"}}}})
    add("Level", {"type": "intEnum", "members": {"LOW": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 1}}, "HIGH": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 2}}}})
    add("StringList", {"type": "list", "member": T("smithy.api#String")})
    add("SparseList", {"type": "list", "member": T("smithy.api#String"), "traits": {"smithy.api#sparse": {}}})
    add("StringMap", {"type": "map", "key": T("smithy.api#String"), "value": T("smithy.api#String")})
    add("SparseMap", {"type": "map", "key": T("smithy.api#String"), "value": T("Thing"), "traits": {"smithy.api#sparse": {}}})
    add("ThingList", {"type": "list", "member": T("Thing")})
    add("TimeList", {"type": "list", "member": T("smithy.api#Timestamp")})
    add("Text", {"type": "string", "traits": {"smithy.api#mediaType": "application/json"}})
    add("Choice", {"type": "union", "members": {"a": T("smithy.api#String"), "b": T("Thing"), "c": T("StringList")}})
    members = {
        "s": T("smithy.api#String"), "n": T("smithy.api#Integer"), "l": T("smithy.api#Long"),
        "by": T("smithy.api#Byte"), "sh": T("smithy.api#Short"),
        "f": T("smithy.api#Float"), "d": T("smithy.api#Double"), "b": T("smithy.api#Boolean"),
        "bl": T("smithy.api#Blob"), "ts": T("smithy.api#Timestamp"),
        "tsd": dict(T("smithy.api#Timestamp"), traits={"smithy.api#timestampFormat": "date-time"}),
        "tsh": dict(T("smithy.api#Timestamp"), traits={"smithy.api#timestampFormat": "http-date"}),
        "tse": dict(T("smithy.api#Timestamp"), traits={"smithy.api#timestampFormat": "epoch-seconds"}),
        "e": T("Color"), "ie": T("Level"), "list": T("StringList"), "sparse": T("SparseList"),
        "map": T("StringMap"), "smap": T("SparseMap"), "nested": T("Thing"), "things": T("ThingList"),
        "u": T("Choice"), "doc": T("smithy.api#Document"), "bd": T("smithy.api#BigDecimal"),
        "bi": T("smithy.api#BigInteger"), "renamed": dict(T("smithy.api#String"), traits={"smithy.api#jsonName": "Renamed"}),
    }
    add("Thing", {"type": "structure", "members": members})
    add("Empty", {"type": "structure", "members": {}, "traits": {"smithy.api#input": {}}})
    err = {"message": T("smithy.api#String"), "code": T("smithy.api#String"), "thing": T("Thing")}
    if rest:
        err["hdr"] = dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "X-Err"})
    add("ThingError", {"type": "structure", "members": err, "traits": {"smithy.api#error": "client", **({"smithy.api#httpError": 404} if rest else {})}})
    add("Throttled", {"type": "structure", "members": {"message": T("smithy.api#String")}, "traits": {"smithy.api#error": "server", "smithy.api#retryable": {"throttling": True}, **({"smithy.api#httpError": 503} if rest else {})}})
    ops = []
    def op(name, out_members, http=None):
        o = {"type": "operation", "input": T("Empty"), "output": T(name + "Output"), "errors": [T("ThingError"), T("Throttled")], "traits": {}}
        if http: o["traits"]["smithy.api#http"] = http
        add(name, o)
        add(name + "Output", {"type": "structure", "members": out_members, "traits": {"smithy.api#output": {}}})
        ops.append(T(name))
    if not rest:
        op("JsonThing", dict(members))
        # an idempotency token, and a paginated read
        add("CreateThingInput", {"type": "structure", "traits": {"smithy.api#input": {}}, "members": {
            "clientToken": dict(T("smithy.api#String"), traits={"smithy.api#idempotencyToken": {}}),
            "name": dict(T("smithy.api#String"), traits={"smithy.api#required": {}}),
            "thing": T("Thing")}})
        add("CreateThing", {"type": "operation", "input": T("CreateThingInput"), "output": T("CreateThingOutput"), "errors": [T("ThingError"), T("Throttled")]})
        add("CreateThingOutput", {"type": "structure", "members": {"id": T("smithy.api#String")}, "traits": {"smithy.api#output": {}}})
        ops.append(T("CreateThing"))
        add("ListThingsInput", {"type": "structure", "traits": {"smithy.api#input": {}}, "members": {
            "nextToken": T("smithy.api#String"), "maxResults": T("smithy.api#Integer")}})
        add("ListThings", {"type": "operation", "input": T("ListThingsInput"), "output": T("ListThingsOutput"),
            "traits": {"smithy.api#paginated": {"inputToken": "nextToken", "outputToken": "nextToken", "items": "things", "pageSize": "maxResults"}}})
        add("ListThingsOutput", {"type": "structure", "members": {"things": T("ThingList"), "nextToken": T("smithy.api#String")}, "traits": {"smithy.api#output": {}}})
        ops.append(T("ListThings"))
    else:
        hm = dict(members)
        hm.update({
            "hs": dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "X-S"}),
            "hn": dict(T("smithy.api#Integer"), traits={"smithy.api#httpHeader": "X-N"}),
            "hb": dict(T("smithy.api#Boolean"), traits={"smithy.api#httpHeader": "X-B"}),
            "hd": dict(T("smithy.api#Double"), traits={"smithy.api#httpHeader": "X-D"}),
            "hts": dict(T("smithy.api#Timestamp"), traits={"smithy.api#httpHeader": "X-Ts"}),
            "htl": dict(T("TimeList"), traits={"smithy.api#httpHeader": "X-Tl"}),
            "hl": dict(T("StringList"), traits={"smithy.api#httpHeader": "X-L"}),
            "hj": dict(T("Text"), traits={"smithy.api#httpHeader": "X-J"}),
            "he": dict(T("Color"), traits={"smithy.api#httpHeader": "X-E"}),
            "hp": dict(T("StringMap"), traits={"smithy.api#httpPrefixHeaders": "X-P-"}),
            "status": dict(T("smithy.api#Integer"), traits={"smithy.api#httpResponseCode": {}}),
            "q": dict(T("smithy.api#String"), traits={"smithy.api#httpQuery": "q"}),
        })
        op("RestThing", hm, {"method": "GET", "uri": "/thing", "code": 200})
        op("RestPayload", {"p": dict(T("Thing"), traits={"smithy.api#httpPayload": {}}), "hs": dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "X-S"})}, {"method": "GET", "uri": "/payload", "code": 200})
        op("RestBlob", {"p": dict(T("smithy.api#Blob"), traits={"smithy.api#httpPayload": {}}), "ct": dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "Content-Type"})}, {"method": "GET", "uri": "/blob", "code": 200})
        op("RestString", {"p": dict(T("smithy.api#String"), traits={"smithy.api#httpPayload": {}})}, {"method": "GET", "uri": "/string", "code": 200})
        op("RestUnion", {"p": dict(T("Choice"), traits={"smithy.api#httpPayload": {}})}, {"method": "GET", "uri": "/union", "code": 200})
        add("PutThingInput", {"type": "structure", "traits": {"smithy.api#input": {}}, "members": {
            "name": dict(T("smithy.api#String"), traits={"smithy.api#required": {}, "smithy.api#httpLabel": {}, "smithy.api#hostLabel": {}}),
            "path": dict(T("smithy.api#String"), traits={"smithy.api#required": {}, "smithy.api#httpLabel": {}}),
            "q": dict(T("smithy.api#String"), traits={"smithy.api#httpQuery": "q"}),
            "ql": dict(T("StringList"), traits={"smithy.api#httpQuery": "ql"}),
            "qm": dict(T("StringMap"), traits={"smithy.api#httpQueryParams": {}}),
            "ts": dict(T("smithy.api#Timestamp"), traits={"smithy.api#httpHeader": "X-Ts"}),
            "hl": dict(T("StringList"), traits={"smithy.api#httpHeader": "X-L"}),
            "hp": dict(T("StringMap"), traits={"smithy.api#httpPrefixHeaders": "X-P-"}),
            "token": dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "X-Token", "smithy.api#idempotencyToken": {}}),
            "thing": T("Thing")}})
        add("PutThing", {"type": "operation", "input": T("PutThingInput"), "output": T("PutThingOutput"), "errors": [T("ThingError")],
            "traits": {"smithy.api#http": {"method": "PUT", "uri": "/things/{name}/{path+}?fixed=1&flag", "code": 201},
                       "smithy.api#endpoint": {"hostPrefix": "{name}.data."}, "smithy.api#idempotent": {}}})
        add("PutThingOutput", {"type": "structure", "members": {"id": dict(T("smithy.api#String"), traits={"smithy.api#httpHeader": "X-Id"})}, "traits": {"smithy.api#output": {}}})
        ops.append(T("PutThing"))
        op("RestDoc", {"p": dict(T("smithy.api#Document"), traits={"smithy.api#httpPayload": {}})}, {"method": "GET", "uri": "/doc", "code": 200})
    add(svc, {"type": "service", "version": "2024-01-01", "operations": ops,
              "traits": {"aws.api#service": {"sdkId": svc, "endpointPrefix": svc.lower()},
                         "aws.auth#sigv4": {"name": svc.lower()}, proto: {}}})
    return {"smithy": "2.0", "shapes": S}
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
for ns, svc, proto, rest in (("airlock.fuzz.json10", "Json10Fuzz", "aws.protocols#awsJson1_0", False),
                             ("airlock.fuzz.json11", "Json11Fuzz", "aws.protocols#awsJson1_1", False),
                             ("airlock.fuzz.restjson", "RestJsonFuzz", "aws.protocols#restJson1", True)):
    d = os.path.join(root, svc.lower(), "service", "2024-01-01"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{svc.lower()}-2024-01-01.json"), "w") as f:
        json.dump(model(ns, svc, proto, rest), f, indent=1, sort_keys=True); f.write("\n")
