#!/usr/bin/env python3
"""Checks that PyTorch reads the checkpoints Kindling writes, with torch.load(path, weights_only=True).

  cd bundles/io && mvn -o -q test -Dtest=PyTorchFilesTest       # writes target/pytorch-interop/*.pt* + expected.json
  /usr/bin/python3     src/test/python/verify_pth.py target/pytorch-interop   # PyTorch 1.13
  /tmp/venv/bin/python src/test/python/verify_pth.py target/pytorch-interop   # PyTorch 2.x

For every file and key of expected.json (written by the Java test from Kindling's own tensors) it compares dtype,
shape, stride, storage offset, every value exactly (floats as hex, NaN with NaN) and which keys share one storage,
and reports the 64-byte alignment of the storage records. CI never runs this.
"""
import json
import math
import os
import sys
import zipfile

import torch


def storage_ptr(t):
    return t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()


def parse(v):
    if v == "NaN":
        return math.nan
    if v in ("Infinity", "-Infinity"):
        return math.inf if v[0] != "-" else -math.inf
    return float.fromhex(v)


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def aligned(path):
    with open(path, "rb") as f:
        raw = f.read()
    out = []
    with zipfile.ZipFile(path) as z:
        for i in z.infolist():
            if "/data/" in i.filename:
                name_len, extra_len = int.from_bytes(raw[i.header_offset + 26:i.header_offset + 28], "little"), \
                    int.from_bytes(raw[i.header_offset + 28:i.header_offset + 30], "little")
                out.append((i.header_offset + 30 + name_len + extra_len) % 64 == 0)
    return all(out), len(out)


def main(folder):
    with open(os.path.join(folder, "expected.json")) as f:
        expected = json.load(f)
    checked = 0
    for name, keys in expected.items():
        path = os.path.join(folder, name)
        got = torch.load(path, weights_only=True)
        assert list(got.keys()) == list(keys.keys()), (name, list(got.keys()), list(keys.keys()))
        assert type(got).__name__ == "OrderedDict", type(got)
        groups = {}
        for k, w in keys.items():
            t = got[k]
            where = f"{name} '{k}'"
            assert str(t.dtype) == "torch." + w["dtype"], (where, t.dtype, w["dtype"])
            assert list(t.shape) == w["shape"], (where, t.shape, w["shape"])
            assert list(t.stride()) == w["stride"], (where, t.stride(), w["stride"])
            assert t.storage_offset() == w["offset"], (where, t.storage_offset(), w["offset"])
            assert not t.requires_grad
            flat = t.contiguous().reshape(-1)
            if t.dtype.is_floating_point:
                vals = flat.double().tolist()
                assert len(vals) == len(w["data"]), where
                for i, (a, b) in enumerate(zip(vals, w["data"])):
                    assert same_float(a, parse(b)), (where, i, a, b)
            else:
                assert flat.tolist() == w["data"], (where, flat.tolist(), w["data"])
            ptr = storage_ptr(t)
            if t.numel() > 0:
                assert groups.setdefault(w["storage"], ptr) == ptr, (where, "should share storage group", w["storage"])
            checked += 1
        ok, records = aligned(path)
        mm = ""
        if "mmap" in torch.load.__code__.co_varnames:  # PyTorch 2.1+: memory-mapped loading needs aligned records
            again = torch.load(path, weights_only=True, mmap=True)
            for k in got:  # NaN != NaN, so compare NaN-replaced copies of float tensors
                a, b = again[k], got[k]
                assert torch.equal(a.nan_to_num(0.0), b.nan_to_num(0.0)) if b.dtype.is_floating_point else torch.equal(a, b), (name, k)
            mm = ", mmap=True too"
        print(f"  {name}: {len(keys)} tensors equal, {len(groups)} storages ({records} records, 64-byte aligned: {ok}{mm})")
    print(f"PyTorch {torch.__version__}: torch.load(weights_only=True) read {len(expected)} Kindling files, "
          f"{checked} tensors, all equal")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/pytorch-interop")
