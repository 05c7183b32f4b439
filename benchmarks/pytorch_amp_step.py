#!/usr/bin/env python3
"""PyTorch side of TrainingStepSideBySide: one training step at batch 64 (zero_grad, forward, loss, backward, step), the
MLP 784-256-10 with SGD momentum and the CNN with Adam, in float32 and under CPU autocast to bfloat16, medians of 15
rounds of 100 (MLP) or 10 (CNN) steps after a warm-up. Run it with pip's PyTorch 2.x (a virtualenv): Debian's 1.13
predates CPU autocast's current op lists.  python benchmarks/pytorch_amp_step.py [THREADS]"""
import statistics
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
torch.manual_seed(0)
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    # FashionMnistTraining.CNN
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def median_step_ms(build, make_opt, bf16, steps):
    model = build()
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(2 * steps):
        step()
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        times.append((time.perf_counter() - t0) / steps * 1e3)
    return statistics.median(times)


for name, build, make_opt, steps in [
        ("mlpSgdMomentum", mlp, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), 100),
        ("cnnAdam", cnn, lambda p: torch.optim.Adam(p, lr=1e-3), 10)]:
    fp32 = median_step_ms(build, make_opt, False, steps)
    bf16 = median_step_ms(build, make_opt, True, steps)
    print("%-15s torch %s, %d threads: fp32 %.3f ms   bf16-mixed %.3f ms   ratio %.2f"
          % (name, torch.__version__, torch.get_num_threads(), fp32, bf16, bf16 / fp32))
