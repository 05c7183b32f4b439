#!/usr/bin/env python3
"""ONNX Runtime's pass rate on the ONNX node test cases, to set beside Kindling's importer (NodeConformanceTest):
    /tmp/venv/bin/python ort_node_pass_rate.py /usr/share/libonnx-testdata/data/node [report.tsv]
Compares each output with rtol 1e-3 / atol 1e-7 as onnx's own backend runner does; prints totals and per-op counts."""
import collections
import glob
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper


def load(pb):
    t = onnx.TensorProto()
    with open(pb, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def run(case):
    model = onnx.load(os.path.join(case, "model.onnx"))
    op = model.graph.node[0].op_type if model.graph.node else "?"
    try:
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        for ds in sorted(glob.glob(os.path.join(case, "test_data_set_*"))):
            ins = [load(p) for p in sorted(glob.glob(os.path.join(ds, "input_*.pb")), key=lambda p: int(p.rsplit("_", 1)[1][:-3]))]
            outs = [load(p) for p in sorted(glob.glob(os.path.join(ds, "output_*.pb")), key=lambda p: int(p.rsplit("_", 1)[1][:-3]))]
            names = [i.name for i in sess.get_inputs()]
            got = sess.run(None, dict(zip(names, ins)))
            for g, w in zip(got, outs):
                if w.dtype == object or g.dtype == object:
                    if not np.array_equal(g, w):
                        return op, "mismatch"
                elif not np.allclose(g, w, rtol=1e-3, atol=1e-7, equal_nan=True):
                    return op, "mismatch"
        return op, "pass"
    except Exception:
        return op, "error"


def main(root, report=None):
    counts = collections.defaultdict(collections.Counter)
    total = collections.Counter()
    rows = []
    for case in sorted(glob.glob(os.path.join(root, "*"))):
        if not os.path.isfile(os.path.join(case, "model.onnx")):
            continue
        op, result = run(case)
        counts[op][result] += 1
        total[result] += 1
        rows.append((os.path.basename(case), op, result))
    n = sum(total.values())
    print(f"ONNX Runtime {ort.__version__}: {total['pass']}/{n} pass, {total['mismatch']} mismatches, {total['error']} load/run errors")
    if report:
        with open(report, "w") as f:
            for r in rows:
                f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
