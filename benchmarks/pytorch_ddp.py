#!/usr/bin/env python3
"""PyTorch's side of benchmarks/run-ddp-scaling.sh: the same MLP 784-512-512-10, SGD, cross-entropy, one compute
thread per process; run plainly for one process, or under `python3 -m torch.distributed.run --nproc_per_node N` for
DDP on gloo. Rank 0 prints the global throughput.
    usage: pytorch_ddp.py steps warmup batch_per_rank [nosync]
`nosync` runs every step inside DDP's no_sync(): no gradient communication, what two processes side by side cost.
"""
import contextlib
import os
import sys
import time

# Debian's PyTorch multiplies on OpenBLAS, which keeps its own thread pool: torch.set_num_threads(1) alone leaves it
# at one thread per CPU (a "one-thread" process measured 148-159% CPU). Cap it before torch loads it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn as nn  # noqa: E402

steps, warmup, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
no_sync = len(sys.argv) > 4 and sys.argv[4] == "nosync"
torch.set_num_threads(1)
world = int(os.environ.get("WORLD_SIZE", "1"))
distributed = world > 1
if distributed:
    dist.init_process_group("gloo")
rank = dist.get_rank() if distributed else 0
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
net = nn.parallel.DistributedDataParallel(model) if distributed else model
opt = torch.optim.SGD(net.parameters(), lr=0.01)
g = torch.Generator().manual_seed(100 + rank)
x = torch.randn(batch, 784, generator=g)
y = torch.randint(0, 10, (batch,), generator=g)
loss_fn = nn.CrossEntropyLoss()
t0 = 0.0
for s in range(warmup + steps):
    if s == warmup:
        if distributed:
            dist.barrier()
        t0 = time.perf_counter()
    opt.zero_grad()
    with net.no_sync() if no_sync and distributed else contextlib.nullcontext():
        loss_fn(net(x), y).backward()
    opt.step()
if distributed:
    dist.barrier()
sec = time.perf_counter() - t0
if rank == 0:
    print("pytorch %s world=%d%s batch/rank=%d steps=%d: %.1f samples/s (%.2f ms/step)"
          % (torch.__version__, world, " nosync" if no_sync and distributed else "", batch, steps, world * batch * steps / sec,
             1000 * sec / steps))
if distributed:
    dist.destroy_process_group()
