#!/usr/bin/env python3
"""PyTorch's side of MlpGemmBenchmark's products, on one thread (OpenBLAS capped too, before torch loads it):
    /usr/bin/python3 benchmarks/pytorch_mm_shapes.py [ROUNDS]
Prints the median microseconds per product over ROUNDS rounds of 1 s each, after 1 s of warm-up."""
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

# Debian's PyTorch calls the system BLAS: without libopenblas0-pthread that is the reference BLAS, 25x slower
_blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
if "openblas" not in _blas:
    print("# WARNING: PyTorch's BLAS here is '%s', not OpenBLAS: these products run on the reference BLAS, about 25x slower."
          " apt-get install libopenblas0-pthread to compare against the usual setup." % _blas, file=sys.stderr)

torch.set_num_threads(1)
torch.manual_seed(0)
x, w1, g1 = torch.randn(64, 784), torch.randn(256, 784), torch.randn(64, 256)
g512, h512, w512 = torch.randn(64, 512), torch.randn(64, 512), torch.randn(512, 512)
products = {
    "mlpLayer1Forward": lambda: x.mm(w1.t()),
    "mlpLayer1WeightGrad": lambda: g1.t().mm(x),
    "wideInputGrad": lambda: g512.mm(w512),
    "wideLayer1WeightGrad": lambda: g512.t().mm(x),
    "wideLayer2WeightGrad": lambda: g512.t().mm(h512),
}
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def per_call_us(f, seconds):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        f()
        n += 1
    return (time.perf_counter() - t0) / n * 1e6


for name, f in products.items():
    per_call_us(f, 1.0)
    times = sorted(per_call_us(f, 1.0) for _ in range(rounds))
    print("pytorch %s %s: %.1f us/op (median of %d)" % (torch.__version__, name, times[len(times) // 2], rounds))
