"""Regenerates the PyTorch-exported fixtures of PyTorchExportsTest: small models exported by torch.onnx.export
with the TorchScript exporter (opset 17, dynamic_axes) and the dynamo exporter (its default opset, dynamic_shapes),
each with an input at batch 3 (the export traced batch 2) and PyTorch's output for it.

    pip install torch==2.13.0+cpu onnxscript onnx   # the local wheel index has them
    python make_fixtures.py
"""
import os, sys, torch, torch.nn as nn, numpy as np, onnx
from onnx import numpy_helper
torch.manual_seed(0)
OUT = os.path.dirname(os.path.abspath(__file__))

class MLP(nn.Module):
    def __init__(s): super().__init__(); s.fc1 = nn.Linear(8, 16); s.fc2 = nn.Linear(16, 4)
    def forward(s, x): return s.fc2(torch.relu(s.fc1(x)))
class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.f = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5))
    def forward(s, x): return s.f(x)
class BiLSTM(nn.Module):
    def __init__(s): super().__init__(); s.l = nn.LSTM(6, 10, num_layers=2, bidirectional=True, batch_first=True); s.o = nn.Linear(20, 3)
    def forward(s, x): return s.o(s.l(x)[0])
class GRUNet(nn.Module):
    def __init__(s): super().__init__(); s.g = nn.GRU(6, 7, batch_first=True); s.o = nn.Linear(7, 2)
    def forward(s, x): return s.o(s.g(x)[0][:, -1])
class Enc(nn.Module):
    def __init__(s): super().__init__(); s.e = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    def forward(s, x): return s.e(x)
class MHA(nn.Module):
    def __init__(s): super().__init__(); s.m = nn.MultiheadAttention(12, 3, batch_first=True)
    def forward(s, x): return s.m(x, x, x)[0]
class Emb(nn.Module):
    def __init__(s): super().__init__(); s.e = nn.Embedding(50, 8); s.o = nn.Linear(8, 3)
    def forward(s, x): return s.o(s.e(x).mean(1))
class LnGelu(nn.Module):
    def __init__(s): super().__init__(); s.ln = nn.LayerNorm(10); s.fc = nn.Linear(10, 10)
    def forward(s, x): return torch.nn.functional.gelu(s.fc(s.ln(x)), approximate="tanh")
class C1(nn.Module):
    def __init__(s): super().__init__(); s.c = nn.Conv1d(4, 6, 5, padding=2, dilation=1); s.p = nn.AvgPool1d(2)
    def forward(s, x): return s.p(torch.tanh(s.c(x)))
class Upsample(nn.Module):
    def __init__(s): super().__init__(); s.c = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)
    def forward(s, x): return torch.nn.functional.interpolate(s.c(x), scale_factor=2, mode="bilinear", align_corners=False)

models = [("mlp", MLP(), lambda b: (torch.randn(b, 8),)),
          ("cnn", CNN(), lambda b: (torch.randn(b, 3, 16, 16),)),
          ("bilstm", BiLSTM(), lambda b: (torch.randn(b, 7, 6),)),
          ("gru", GRUNet(), lambda b: (torch.randn(b, 5, 6),)),
          ("encoder", Enc(), lambda b: (torch.randn(b, 6, 16),)),
          ("mha", MHA(), lambda b: (torch.randn(b, 5, 12),)),
          ("embedding", Emb(), lambda b: (torch.randint(0, 50, (b, 9)),)),
          ("lngelu", LnGelu(), lambda b: (torch.randn(b, 3, 10),)),
          ("conv1d", C1(), lambda b: (torch.randn(b, 4, 20),)),
          ("upsample", Upsample(), lambda b: (torch.randn(b, 3, 5, 5),))]
for name, m, mk in models:
    m.eval()
    for dynamo in (False, True):
        d = f"{OUT}/test_{name}_{'dynamo' if dynamo else 'legacy'}"
        os.makedirs(d + "/test_data_set_0", exist_ok=True)
        ex = mk(2)
        try:
            kw = dict(input_names=["x"], output_names=["y"])
            if dynamo:
                from torch.export import Dim
                torch.onnx.export(m, ex, d + "/model.onnx", dynamo=True, dynamic_shapes=({0: Dim("batch")},), external_data=False, **kw)
            else:
                torch.onnx.export(m, ex, d + "/model.onnx", dynamo=False, opset_version=17, dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, **kw)
        except Exception as e:
            print("EXPORT FAIL", d, type(e).__name__, str(e)[:200]); continue
        x = mk(3)  # another batch size than the export's
        with torch.no_grad(): y = m(*x)
        for i, t in enumerate(x): open(f"{d}/test_data_set_0/input_{i}.pb", "wb").write(numpy_helper.from_array(t.numpy()).SerializeToString())
        open(f"{d}/test_data_set_0/output_0.pb", "wb").write(numpy_helper.from_array(y.numpy()).SerializeToString())
        print("ok", d)
