#!/usr/bin/env python3
"""Interop fixtures for Kindling's safetensors codec, with PyTorch's own safetensors.torch.

  /usr/bin/python3 safetensors_fixtures.py write    -> ../resources/fixtures/pytorch_written.safetensors + expected.json
  /usr/bin/python3 safetensors_fixtures.py verify F -> loads F (written by Kindling's test) with safetensors.torch and
                                                      checks every tensor against expected.json
Needs the safetensors wheel on PYTHONPATH (pip download safetensors; unzip). CI never runs this.
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "resources", "fixtures")


def tensors():
    g = torch.Generator().manual_seed(3)
    return {
        "f32": torch.randn(2, 3, generator=g),
        "f64": torch.randn(4, generator=g, dtype=torch.float64),
        "f16": torch.tensor([0.5, -1.25, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
        "i64": torch.tensor([[1, -2], [2**40, -(2**62)]], dtype=torch.int64),
        "i32": torch.tensor([7, -8, 2**31 - 1], dtype=torch.int32),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "layer1.weight": torch.arange(6, dtype=torch.float32).reshape(3, 2).t(),  # non-contiguous on the way in
    }


def expected_json(ts):
    out = {}
    for k, t in ts.items():
        out[k] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                  "data": t.float().reshape(-1).tolist() if t.dtype in (torch.float16, torch.bfloat16) else t.reshape(-1).tolist()}
    return out


def main():
    ts = tensors()
    if sys.argv[1] == "write":
        save_file({k: v.contiguous() for k, v in ts.items()}, os.path.join(FIX, "pytorch_written.safetensors"), metadata={"format": "pt", "source": "pytorch"})
        with open(os.path.join(FIX, "expected.json"), "w") as f:
            json.dump(expected_json(ts), f)
        print("wrote pytorch_written.safetensors and expected.json")
    else:
        loaded = load_file(sys.argv[2])
        assert set(loaded) == set(ts), (set(loaded), set(ts))
        for k, t in ts.items():
            assert loaded[k].dtype == t.dtype and loaded[k].shape == t.shape and torch.equal(loaded[k], t), k
        print("safetensors.torch loaded", sys.argv[2], "with", len(loaded), "tensors equal to PyTorch's")


if __name__ == "__main__":
    main()
