#!/usr/bin/env python3
"""PyTorch side of benchmarks/src/main/java/dev/kindling/benchmarks/Workloads.java: the same workloads, the same
warm-up and rounds, the same output line. /usr/bin/python3 benchmarks/pytorch_workloads.py WORKLOAD [ROUNDS]
Threads: KINDLING_THREADS (default 2), as torch.set_num_threads."""
import gzip
import os
import sys
import time

THREADS = int(os.environ.get("KINDLING_THREADS", "2"))
# OpenBLAS (Debian's PyTorch calls it for matrix products) keeps its own thread pool: cap it too, before it loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(THREADS)
torch.manual_seed(0)
ROOT = "/usr/share/datasets/fashion-mnist/"
ALL = ["mlp_train", "cnn_train", "mlp_infer", "sgemm1024", "add1", "graph3", "add_large", "relu_large", "sum_large"]


def idx(name):
    for path in (ROOT + name + ".gz", ROOT + name):
        if os.path.exists(path):
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                data = f.read()
            break
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion(train):
    p = "train" if train else "t10k"
    x = torch.from_numpy(idx(p + "-images-idx3-ubyte").copy()).float().div(255).sub(0.2860).div(0.3530).unsqueeze(1)
    y = torch.from_numpy(idx(p + "-labels-idx1-ubyte").copy()).long()
    return x, y


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def training(is_cnn):
    x, y = fashion(True)
    model = cnn() if is_cnn else mlp()
    opt = torch.optim.Adam(model.parameters(), 1e-3) if is_cnn else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    steps = 40 if is_cnn else 150

    def round_():
        perm = torch.randperm(x.shape[0], generator=g)
        t0 = time.perf_counter()
        for s in range(steps):
            i = perm[s * 64:(s + 1) * 64]
            xb, yb = x.index_select(0, i), y.index_select(0, i)
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        return steps * 64 / (time.perf_counter() - t0)
    return round_


def inference():
    x, _ = fashion(False)
    model = mlp().eval()

    def round_():
        t0 = time.perf_counter()
        with torch.no_grad():
            for s in range(0, 10000, 1000):
                model(x[s:s + 1000]).argmax(1)
        return 10000 / (time.perf_counter() - t0)
    return round_


def sgemm(size):
    a, b = torch.randn(size, size), torch.randn(size, size)

    def round_():
        t0 = time.perf_counter()
        for _ in range(10):
            a.mm(b)
        return 2.0 * size ** 3 * 10 / (time.perf_counter() - t0) / 1e9
    return round_


def add_one():
    a, b = torch.rand(1), torch.rand(1)

    def round_():
        reps = 200_000
        t0 = time.perf_counter()
        with torch.no_grad():
            for _ in range(reps):
                a.add(b)
        return (time.perf_counter() - t0) * 1e6 / reps
    return round_


def graph3():
    a, b, c = (torch.rand(1, requires_grad=True) for _ in range(3))

    def round_():
        reps = 50_000
        t0 = time.perf_counter()
        for _ in range(reps):
            a.grad = b.grad = c.grad = None
            (a * b + c).tanh().backward()
        return (time.perf_counter() - t0) * 1e6 / reps
    return round_


def large(op):
    n = 1 << 24
    a, b = torch.randn(n), torch.randn(n)
    per = {"add": 12, "relu": 8, "sum": 4}[op]

    def round_():
        t0 = time.perf_counter()
        with torch.no_grad():
            for _ in range(10):
                if op == "add":
                    a.add(b)
                elif op == "relu":
                    a.relu()
                else:
                    a.sum()
        return per * n * 10 / (time.perf_counter() - t0) / 1e9
    return round_


UNITS = {"mlp_train": "samples/s", "cnn_train": "samples/s", "mlp_infer": "samples/s", "sgemm1024": "GFLOPS", "add1": "us/op",
         "graph3": "us/op", "add_large": "GB/s", "relu_large": "GB/s", "sum_large": "GB/s"}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ALL:
        sys.exit("usage: pytorch_workloads.py " + "|".join(ALL) + " [ROUNDS]")
    w = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    fn = {"mlp_train": lambda: training(False), "cnn_train": lambda: training(True), "mlp_infer": inference,
          "sgemm1024": lambda: sgemm(1024), "add1": add_one, "graph3": graph3, "add_large": lambda: large("add"),
          "relu_large": lambda: large("relu"), "sum_large": lambda: large("sum")}[w]()
    # the same warm-up as the Java side: at least 3 s of rounds
    warm_end = time.perf_counter() + 3
    warm = 0
    while warm < 2 or time.perf_counter() < warm_end:
        fn()
        warm += 1
    v = sorted(fn() for _ in range(rounds))
    print(f"RESULT {w} {v[rounds // 2]:.4f} {UNITS[w]} gc=0.000 rounds={[round(x, 4) for x in v]}")


if __name__ == "__main__":
    main()
