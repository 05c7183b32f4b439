#!/usr/bin/env python3
"""Fixtures for Kindling's PyTorch checkpoint reader (PyTorchFilesTest), written by real PyTorch.

  /usr/bin/python3   pytorch_fixtures.py   -> ../resources/fixtures/pytorch/torch-1.13/*.pt + expected.json
  /tmp/venv/bin/python pytorch_fixtures.py -> ../resources/fixtures/pytorch/torch-2.x/*.pt  + expected.json

Each directory gets: dtypes.pt (every Kindling dtype, 0-dim, empty), views.pt (tensors sharing one storage, offsets,
non-contiguous strides, an expanded stride-0 view), model.pth (a small Conv+BatchNorm+Linear net's state_dict),
nested.pt (a plain dict with a nested dict, a list and a tuple of tensors), legacy.pt (the pre-1.6 non-zip format), and
under 2.x bigendian.pt (views.pt with byteorder 'big' and byte-swapped storages, checked here to load in PyTorch).
expected.json gives, per file and key, dtype, shape, stride, storage offset, the storage group (keys with the same
group share a storage) and the values in row-major order (floats as float.hex strings, so they compare exactly).
CI never runs this; the outputs are committed.
"""
import collections
import json
import os
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MAJOR = torch.__version__.split(".")[0]
OUT = os.path.join(HERE, "..", "resources", "fixtures", "pytorch", "torch-1.13" if MAJOR == "1" else "torch-2.x")


def fhex(x):
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return float.hex(x)


def values(t):
    flat = t.detach().contiguous().reshape(-1)
    if t.dtype.is_floating_point:
        return [fhex(v) for v in flat.double().tolist()]
    return flat.tolist()


def storage_ptr(t):
    return t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()


def flatten(obj, prefix=""):
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from flatten(v, f"{prefix}.{i}" if prefix else str(i))


def describe(obj):
    groups, out = {}, {}
    for k, t in flatten(obj):
        g = groups.setdefault(storage_ptr(t), len(groups))
        out[k] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "stride": list(t.stride()),
                  "offset": t.storage_offset(), "storage": g, "data": values(t)}
    return out


def dtypes():
    g = torch.Generator().manual_seed(7)
    return collections.OrderedDict([
        ("f32", torch.tensor([1.5, -0.0, float("inf"), float("-inf"), float("nan"), 1e-45, 3.4028234663852886e38])),
        ("f64", torch.randn(2, 3, generator=g, dtype=torch.float64)),
        ("f16", torch.tensor([0.5, -1.25, 65504.0, 6e-8], dtype=torch.float16)),
        ("bf16", torch.tensor([1.0, -3.140625, 1e30, -1e-30], dtype=torch.bfloat16)),
        ("i64", torch.tensor([[1, -2], [2 ** 40, -(2 ** 63)]], dtype=torch.int64)),
        ("i32", torch.tensor([7, -8, 2 ** 31 - 1, -(2 ** 31)], dtype=torch.int32)),
        ("i8", torch.tensor([-128, 0, 127], dtype=torch.int8)),
        ("u8", torch.tensor([0, 1, 128, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(2.5)),
        ("scalar_i64", torch.tensor(-3)),
        ("empty", torch.zeros(0, 3)),
        ("rand", torch.rand(3, 4, generator=g)),
    ])


def views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return collections.OrderedDict([
        ("base", base),
        ("row", base[1]),                # offset 6
        ("col", base[:, 2]),             # stride 6
        ("t", base.t()),                 # transposed
        ("slice", base[1:3, ::2]),       # offset and stride 2
        ("expanded", torch.tensor([1.0, 2.0]).expand(3, 2)),  # stride 0
        ("other", torch.arange(5, dtype=torch.int64)[1:]),    # a slice of an unsaved base
    ])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def model_state():
    torch.manual_seed(0)
    net = Net()
    net.train()
    with torch.no_grad():
        net(torch.randn(4, 1, 4, 4))  # moves the BatchNorm running stats and num_batches_tracked
    return net.state_dict()


def nested():
    g = torch.Generator().manual_seed(11)
    return {"model": {"w": torch.randn(2, 2, generator=g), "b": torch.zeros(2)},
            "list": [torch.tensor([1, 2, 3]), torch.tensor([True])],
            "tup": (torch.tensor(4.0, dtype=torch.float64),)}


def big_endian_copy(src, dst):
    """views.pt rewritten as a big-endian machine would write it."""
    loaded = torch.load(src, weights_only=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename.split("/", 1)[1]
            if name == "byteorder":
                data = b"big"
            elif name.startswith("data/"):
                key = name[5:]
                item = {"0": 4, "1": 4, "2": 8}[key]  # views.pt: base (f32), expanded (f32), other (i64)
                data = b"".join(data[i:i + item][::-1] for i in range(0, len(data), item))
            zout.writestr(info.filename, data)
    again = torch.load(dst, weights_only=True)
    for k, t in loaded.items():
        assert torch.equal(again[k], t), k
    return again


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {"dtypes.pt": dtypes(), "views.pt": views(), "model.pth": model_state(), "nested.pt": nested()}
    expected = {}
    for name, obj in files.items():
        p = os.path.join(OUT, name)
        torch.save(obj, p)
        back = torch.load(p, weights_only=True)
        assert [k for k, _ in flatten(back)] == [k for k, _ in flatten(obj)]
        expected[name] = describe(back)
    legacy = collections.OrderedDict([("w", torch.arange(6, dtype=torch.float32).reshape(2, 3)), ("i", torch.tensor([5, -6])),
                                      ("flag", torch.tensor(True))])
    legacy["wt"] = legacy["w"].t()
    p = os.path.join(OUT, "legacy.pt")
    torch.save(legacy, p, _use_new_zipfile_serialization=False)
    expected["legacy.pt"] = describe(torch.load(p, weights_only=True))
    if MAJOR != "1":
        expected["bigendian.pt"] = describe(big_endian_copy(os.path.join(OUT, "views.pt"), os.path.join(OUT, "bigendian.pt")))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "files": expected}, f, indent=1)
    print("PyTorch", torch.__version__, "wrote", ", ".join(sorted(expected)), "to", os.path.relpath(OUT, HERE))


if __name__ == "__main__":
    main()
