#!/usr/bin/env python3
"""The PyTorch side of AutogradBenchmark, for side-by-side runs: /usr/bin/python3 benchmarks/pytorch_autograd.py"""
import timeit

import torch

torch.set_num_threads(2)
torch.manual_seed(0)
a, b, c = (torch.rand(1, requires_grad=True) for _ in range(3))
x = torch.rand(64, 784)
w1 = (torch.randn(784, 256) * 0.05).requires_grad_()
b1 = torch.zeros(256, requires_grad=True)
w2 = (torch.randn(256, 10) * 0.05).requires_grad_()
b2 = torch.zeros(10, requires_grad=True)


def add_one():
    with torch.no_grad():
        return a + b


def three_op():
    for t in (a, b, c):
        t.grad = None
    (a * b + c).tanh().backward()


def mlp():
    for t in (w1, b1, w2, b2):
        t.grad = None
    (-(x @ w1 + b1).relu().matmul(w2).add(b2).log_softmax(1).mean()).backward()


for name, fn, n in (("addOneElement", add_one, 20000), ("threeOpForwardBackward", three_op, 5000), ("mlpForwardBackward", mlp, 200)):
    runs = [timeit.timeit(fn, number=n) / n * 1e6 for _ in range(5)]
    runs.sort()
    print(f"{name:28s} median {runs[2]:10.3f} us/op  (min {runs[0]:.3f}, max {runs[-1]:.3f})")
