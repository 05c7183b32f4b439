#!/usr/bin/env python3
"""OIP v2 client conformance fixtures, made once with NVIDIA's tritonclient (HTTP), committed, and replayed by
TritonClientConformanceTest without Python.

  requests SRC OUT   writes each case's request as tritonclient builds it: OUT/<case>.request.bin (the body) and
                     OUT/<case>.request.json (method, path, headers)
  check SRC DIR      parses the server's answers DIR/<case>.response.bin (+ .response.json: headers) with tritonclient and
                     compares each output to DIR/expected.json

SRC is tritonclient's source tree (src/python/library of triton-inference-server/client); only numpy must be
installed. tritonclient is not on the local package index, so it runs from source: the request bodies come from
InferenceServerClient.generate_request_body and answers are read by InferenceServerClient.parse_response_body, the
library's own public API for building and parsing bodies without its network transport. That transport's modules
(gevent, geventhttpclient) are stubbed, and python-rapidjson (not on the index either) is mapped onto the standard json
module with compact separators, which writes the same bytes as rapidjson for these ASCII documents.
"""
import json
import os
import sys
import types


def load_tritonclient(src):
    sys.path.insert(0, src)
    rj = types.ModuleType("rapidjson")
    rj.dumps = lambda o, **kw: json.dumps(o, separators=(",", ":"))
    rj.loads = json.loads
    sys.modules["rapidjson"] = rj
    for name in ["gevent", "gevent.pool", "geventhttpclient", "geventhttpclient.url"]:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["gevent"].pool = sys.modules["gevent.pool"]
    sys.modules["gevent.pool"].Pool = object
    sys.modules["geventhttpclient"].HTTPClient = object
    sys.modules["geventhttpclient.url"].URL = object
    import tritonclient.http as httpclient
    return httpclient


X = [[1.0, 0.0, -1.0, 2.0], [0.5, 0.25, -2.0, 3.0]]


def cases(httpclient, np):
    """name -> (model version or "", inputs, outputs, request id, timeout in microseconds)."""
    x = np.array(X, dtype=np.float32)

    def inp(binary):
        i = httpclient.InferInput("input", list(x.shape), "FP32")
        i.set_data_from_numpy(x, binary_data=binary)
        return i

    return {
        # JSON both ways, with a request id and the protocol's timeout parameter
        "json": ("", [inp(False)], [httpclient.InferRequestedOutput("output", binary_data=False)], "req-json", 10_000_000),
        # the client's defaults: binary input and binary output, on a pinned version
        "binary": ("1", [inp(True)], [httpclient.InferRequestedOutput("output")], "req-binary", None),
        # no outputs named: the client asks for all of them in binary (binary_data_output)
        "all_outputs": ("", [inp(True)], None, "", None),
    }


def requests(src, out):
    httpclient = load_tritonclient(src)
    import numpy as np
    os.makedirs(out, exist_ok=True)
    for name, (version, inputs, outputs, rid, timeout) in cases(httpclient, np).items():
        body, json_size = httpclient.InferenceServerClient.generate_request_body(inputs, outputs=outputs, request_id=rid, timeout=timeout)
        # the headers and path InferenceServerClient.infer sends with that body
        headers = {}
        if json_size is not None:
            headers["Inference-Header-Content-Length"] = str(json_size)
        path = "/v2/models/mlp/versions/{}/infer".format(version) if version else "/v2/models/mlp/infer"
        with open(os.path.join(out, name + ".request.bin"), "wb") as f:
            f.write(body)
        with open(os.path.join(out, name + ".request.json"), "w") as f:
            json.dump({"method": "POST", "path": path, "headers": headers}, f, indent=2, sort_keys=True)
            f.write("\n")
        print("wrote", name, len(body), "bytes", headers)


def check(src, d):
    httpclient = load_tritonclient(src)
    import numpy as np
    with open(os.path.join(d, "expected.json")) as f:
        expected = json.load(f)
    want = np.array(expected["output"], dtype=np.float32)
    for name in cases(httpclient, np):
        with open(os.path.join(d, name + ".response.bin"), "rb") as f:
            body = f.read()
        with open(os.path.join(d, name + ".response.json")) as f:
            headers = json.load(f)
        length = headers.get("Inference-Header-Content-Length")
        result = httpclient.InferenceServerClient.parse_response_body(body, header_length=int(length) if length else None)
        got = result.as_numpy("output")
        response = result.get_response()
        assert got is not None, name + ": no output 'output'"
        assert got.dtype == np.float32 and got.shape == want.shape, (name, got.dtype, got.shape)
        assert np.allclose(got, want, atol=1e-6), (name, got, want)
        assert response["model_name"] == "mlp", response
        print("tritonclient parsed", name, "ok:", response.get("id"), response["outputs"][0]["shape"], got.tolist())


if __name__ == "__main__":
    {"requests": requests, "check": check}[sys.argv[1]](sys.argv[2], sys.argv[3])
