#!/usr/bin/env python3
"""Models exported by PyTorch 2.x's ONNX exporters, with inputs and PyTorch's outputs, for Kindling's importer tests.

Run with a virtualenv that has torch 2.x, onnx and onnxruntime (pip's local index on these machines):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install --index-url file:///opt/pypi/simple \
        --extra-index-url file:///opt/pypi-more/simple torch onnx onnxruntime onnxscript numpy
    /tmp/venv/bin/python make_torch_onnx_fixtures.py ../resources/onnx-torch
Writes, per case, <case>/model.onnx (single file: external data folded in) and <case>/input_K.pb, output_0.pb
(TensorProto), plus cases.json (exporter, opset, torch and onnx versions). Each case is also run in ONNX Runtime and
checked with onnx.checker, so a fixture that PyTorch's exporter gets wrong is not committed as truth.
"""
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from onnx import numpy_helper

torch.manual_seed(0)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(12, 6)
        self.lstm = nn.LSTM(6, 5, batch_first=True)
        self.out = nn.Linear(5, 3)

    def forward(self, tokens):
        y, _ = self.lstm(self.embed(tokens))
        return self.out(y).log_softmax(-1)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.block(x)


class Gru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, num_layers=2, bidirectional=True)

    def forward(self, x):
        return self.gru(x)[0]


def randomize_stats(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
    return m


CASES = [
    ("mlp", lambda: nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3)), lambda: torch.randn(4, 10)),
    ("cnn_bn", lambda: randomize_stats(Cnn()), lambda: torch.randn(2, 1, 10, 10)),
    ("lstm_tagger", Tagger, lambda: torch.randint(0, 12, (2, 7))),
    ("gru_bidirectional", Gru, lambda: torch.randn(5, 2, 4)),
    ("transformer_encoder", Encoder, lambda: torch.randn(2, 6, 16)),
    ("gelu_layernorm", lambda: nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.LayerNorm(8)), lambda: torch.randn(3, 8)),
]


def export(model, x, path, dynamo, opset):
    with tempfile.TemporaryDirectory() as tmp:
        f = os.path.join(tmp, "m.onnx")
        if dynamo:
            torch.onnx.export(model, (x,), f, dynamo=True, opset_version=opset, input_names=["x"], output_names=["y"])
        else:
            torch.onnx.export(model, (x,), f, dynamo=False, opset_version=opset, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        m = onnx.load(f, load_external_data=True)  # fold any side file into the one we commit
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path, save_as_external_data=False)


def main(out):
    os.makedirs(out, exist_ok=True)
    index = []
    for name, make, inp in CASES:
        for dynamo, opset in ((False, 17), (True, 18)):
            case = f"{name}_{'dynamo' if dynamo else 'legacy'}_opset{opset}"
            d = os.path.join(out, case)
            os.makedirs(d, exist_ok=True)
            torch.manual_seed(1)
            model = make().eval()
            x = inp()
            with torch.no_grad():
                y = model(x)
            path = os.path.join(d, "model.onnx")
            export(model, x, path, dynamo, opset)
            got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x.numpy()})[0]
            err = float(np.abs(got - y.numpy()).max())
            if err > 1e-4:
                raise SystemExit(f"{case}: ONNX Runtime disagrees with PyTorch by {err}")
            with open(os.path.join(d, "input_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
            with open(os.path.join(d, "output_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(y.numpy(), "y").SerializeToString())
            index.append({"case": case, "exporter": "dynamo" if dynamo else "torchscript", "opset": opset,
                          "ort_vs_torch_max_abs": err})
            print(case, "ok", err, os.path.getsize(path))
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": ort.__version__, "cases": index}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "resources", "onnx-torch"))
