#!/usr/bin/env python3
"""PyTorch side of FashionMnistTraining: /usr/bin/python3 benchmarks/pytorch_fashion_mnist.py mlp|cnn EPOCHS [LR [sgd|adam [cosine]]].
Same data (Debian's dataset-fashion-mnist IDX files), model, optimizer, batch 64, 2 threads."""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)
ROOT = "/usr/share/datasets/fashion-mnist/"


def idx(name):
    for path in (ROOT + name + ".gz", ROOT + name):
        try:
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                data = f.read()
            break
        except FileNotFoundError:
            continue
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(train):
    p = "train" if train else "t10k"
    x = torch.from_numpy(idx(p + "-images-idx3-ubyte").copy()).float().div(255).sub(0.2860).div(0.3530).unsqueeze(1)
    y = torch.from_numpy(idx(p + "-labels-idx1-ubyte").copy()).long()
    return torch.utils.data.TensorDataset(x, y)


which = sys.argv[1] if len(sys.argv) > 1 else "mlp"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
lr = float(sys.argv[3]) if len(sys.argv) > 3 else (1e-3 if which == "cnn" else 0.01)
adam = sys.argv[4] == "adam" if len(sys.argv) > 4 else which == "cnn"
train = torch.utils.data.DataLoader(load(True), batch_size=64, shuffle=True)
test = torch.utils.data.DataLoader(load(False), batch_size=1000)
if which == "cnn":
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
else:
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
opt = torch.optim.Adam(model.parameters(), lr) if adam else torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs, 0) if len(sys.argv) > 5 and sys.argv[5] == "cosine" else None
start = time.time()
for epoch in range(epochs):
    model.train()
    t0 = time.time()
    n = 0
    for x, y in train:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        n += len(y)
    secs = time.time() - t0
    if sched is not None:
        sched.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(1) == y).sum().item() for x, y in test)
    print(f"epoch {epoch + 1}/{epochs}  {secs:.1f} s  {n / secs:.0f} samples/s  test_acc {correct / 10000:.4f}", flush=True)
print(f"RESULT model={which} epochs={epochs} total_seconds={time.time() - start:.1f}")
