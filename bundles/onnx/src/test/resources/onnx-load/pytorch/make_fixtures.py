"""Regenerates the PyTorch-exported fixtures of PyTorchExportsTest: small models exported by torch.onnx.export
with the TorchScript exporter (opset 17, dynamic_axes) and the dynamo exporter (its default opset, dynamic_shapes),
each with an input at batch 3 (the export traced batch 2) and PyTorch's output for it.

    pip install torch==2.13.0+cpu onnxscript onnx   # the local wheel index has them
    python make_fixtures.py
"""
import os, torch, torch.nn as nn, torch.nn.functional as F
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

class Misc1(nn.Module):  # norms, pixel shuffle, nearest upsampling, depthwise conv
    def __init__(s):
        super().__init__()
        s.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8); s.gn = nn.GroupNorm(2, 8); s.inorm = nn.InstanceNorm2d(8, affine=True)
        s.pw = nn.Conv2d(8, 16, 1)
    def forward(s, x):
        y = F.silu(s.gn(s.dw(x)))
        y = s.inorm(y) + F.hardswish(y)
        y = F.pixel_shuffle(s.pw(y), 2)
        return F.interpolate(y, scale_factor=0.5, mode="nearest")
class Misc2(nn.Module):  # indexing ops
    def forward(s, x):
        v, i = torch.topk(x, 3, dim=-1)
        c = torch.cumsum(x, dim=1)
        g = torch.gather(x, 1, i)
        m = torch.where(x > 0, x, torch.zeros_like(x))
        return torch.cat([v, g, c.argmax(dim=1, keepdim=True).float(), m.sum(-1, keepdim=True), x.softmax(-1).log()], dim=1)
class CausalAttn(nn.Module):
    def __init__(s): super().__init__(); s.qkv = nn.Linear(16, 48); s.o = nn.Linear(16, 16)
    def forward(s, x):
        b, t, _ = x.shape
        q, k, v = s.qkv(x).chunk(3, dim=-1)
        q = q.view(b, t, 4, 4).transpose(1, 2); k = k.view(b, t, 4, 4).transpose(1, 2); v = v.view(b, t, 4, 4).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return s.o(y.transpose(1, 2).reshape(b, t, 16))
class Decoder(nn.Module):
    def __init__(s): super().__init__(); s.d = nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0, batch_first=True, norm_first=True)
    def forward(s, x): return s.d(x, x)
class Pads(nn.Module):
    def forward(s, x):
        return torch.cat([F.pad(x, (1, 2, 0, 1), mode="reflect"), F.pad(x, (1, 2, 0, 1), mode="replicate"), F.pad(x, (1, 2, 0, 1), value=3.0)], 1)
class Stats(nn.Module):
    def forward(s, x):
        return torch.stack([x.var(1), x.std(1), x.amax(1), x.amin(1), x.norm(dim=1), x.logsumexp(1), x.prod(1)], 1)
class Seq(nn.Module):
    def __init__(s): super().__init__(); s.l = nn.LSTM(5, 6, batch_first=True); s.e = nn.Embedding(20, 5)
    def forward(s, x):
        h = s.e(x)
        y, (hn, cn) = s.l(h)
        return torch.cat([y[:, -1], hn[0], cn[0]], 1)

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
# added later: a fresh seed, so that the models above keep their weights and inputs
torch.manual_seed(1)
models += [("misc_norms", Misc1(), lambda b: (torch.randn(b, 8, 8, 8),)),
          ("misc_index", Misc2(), lambda b: (torch.randn(b, 7),)),
          ("causal_attn", CausalAttn(), lambda b: (torch.randn(b, 5, 16),)),
          ("decoder", Decoder(), lambda b: (torch.randn(b, 5, 16),)),
          ("pads", Pads(), lambda b: (torch.randn(b, 2, 5, 6),)),
          ("stats", Stats(), lambda b: (torch.rand(b, 6) + 0.5,)),
          ("emb_lstm", Seq(), lambda b: (torch.randint(0, 20, (b, 7)),))]

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
