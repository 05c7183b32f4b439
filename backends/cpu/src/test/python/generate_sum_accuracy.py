#!/usr/bin/env python3
"""Generates the fixture of Kindling's SumAccuracyTest: how far PyTorch's float32 sum lands from the exact sum of
10^7 float32 values, for a few distributions, as a whole-tensor sum and as row sums.

Run:  /tmp/venv/bin/python backends/cpu/src/test/python/generate_sum_accuracy.py     (pip's torch and numpy)
Writes backends/cpu/src/test/resources/fixtures/sum_accuracy.json. CI never runs this: the test regenerates the same
values in Java and reads only the JSON.

The values come from a counter-based SplitMix64 stream that the Java test reproduces bit for bit, and only from exact
or correctly rounded IEEE operations (no transcendental functions, whose last bit differs between libraries):
  draw(seed, i)  = splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15), mod 2^64
  uniform(i)     = (draw >> 40) * 2^-24                      (exact in float32, in [0, 1))
  "uniform"      = uniform(i)
  "normal"       = float32(sum of uniform(12 i + k), k < 12, minus 6)        (Irwin-Hall: mean 0, variance 1)
  "offset"       = float32(1000 + the same sum minus 6)                       (a large mean: cancellation-free, big sum)
Every value is a multiple of 2^-24, so the exact sum is an integer times 2^-24: "exactScaled" is that integer (the
test checks its regenerated data against it) and "exact" its nearest double. PyTorch's error is |float32 sum - exact|,
on 1 and on 2 threads.
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "sum_accuracy.json"))

N = 10_000_000
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
DISTRIBUTIONS = [("uniform", 1), ("normal", 2), ("offset", 3)]
ROW_SHAPES = [[1000, 10000], [40000, 250]]


def uniforms(seed, start, count):
    """uniform(start .. start + count - 1) of the stream `seed`, as float64 (exact)."""
    with np.errstate(over="ignore"):
        i = np.arange(start + 1, start + count + 1, dtype=np.uint64)
        z = np.uint64(seed) + i * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24


def values(name, seed):
    if name == "uniform":
        return uniforms(seed, 0, N).astype(np.float32)
    out = np.empty(N, dtype=np.float32)
    chunk = 1_000_000
    for lo in range(0, N, chunk):
        u = uniforms(seed, 12 * lo, 12 * chunk).reshape(chunk, 12)
        s = np.zeros(chunk)
        for k in range(12):  # in index order, as the Java test adds them (exact in double anyway)
            s = s + u[:, k]
        s = s - 6.0
        if name == "offset":
            s = s + 1000.0
        out[lo:lo + chunk] = s.astype(np.float32)
    return out


def exact_scaled(x):
    """sum(x) * 2^24 exactly, as a Python int."""
    k = (x.astype(np.float64) * 2.0 ** 24)
    assert np.all(k == np.round(k))
    return int(k.astype(np.int64).sum(dtype=np.int64))


def torch_sums(x, shape=None):
    t = torch.from_numpy(x)
    if shape is not None:
        t = t.view(*shape)
        return {threads: (torch.set_num_threads(threads), t.sum(1).double().numpy())[1] for threads in (1, 2)}
    return {threads: (torch.set_num_threads(threads), float(t.sum()))[1] for threads in (1, 2)}


def main():
    cases = []
    for name, seed in DISTRIBUTIONS:
        x = values(name, seed)
        scaled = exact_scaled(x)
        exact = math.fsum(x.astype(np.float64).tolist())
        assert exact == scaled / 2.0 ** 24
        sums = torch_sums(x)
        case = {
            "name": name, "seed": seed, "n": N, "exactScaled": str(scaled), "exact": exact,
            "sumAbs": math.fsum(np.abs(x.astype(np.float64)).tolist()),
            "pytorch": {str(k): {"sum": v, "error": abs(v - exact)} for k, v in sums.items()},
            "rows": [],
        }
        for shape in ROW_SHAPES:
            rows = x.reshape(shape)
            exact_rows = np.array([math.fsum(r) for r in rows.astype(np.float64).tolist()])
            per = torch_sums(x, shape)
            case["rows"].append({
                "shape": shape,
                "pytorch": {str(k): {"maxError": float(np.max(np.abs(v - exact_rows))),
                                     "meanError": float(np.mean(np.abs(v - exact_rows)))} for k, v in per.items()},
            })
        print(name, json.dumps(case["pytorch"]), file=sys.stderr)
        cases.append(case)
    doc = {
        "generator": "backends/cpu/src/test/python/generate_sum_accuracy.py",
        "torch": torch.__version__,
        "cpuCapability": torch.backends.cpu.get_cpu_capability(),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
