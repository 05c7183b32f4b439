#!/usr/bin/env python3
"""Regenerates src/test/resources/fixtures/distributed_sampler.json: the indices PyTorch 1.13's
torch.utils.data.distributed.DistributedSampler yields per rank and epoch. Run from the repository root:

    apt-get install python3-torch
    /usr/bin/python3 bundles/data/src/test/python/generate_distributed_sampler_fixture.py

CI never runs this script.
"""
import json
import os

import torch
from torch.utils.data.distributed import DistributedSampler

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "distributed_sampler.json")


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


cases = []
for n, world, shuffle, seed, drop_last in [
    (10, 2, False, 0, False), (10, 3, False, 0, False), (10, 3, False, 0, True), (10, 4, True, 0, False),
    (10, 4, True, 0, True), (2, 5, False, 0, False), (2, 5, True, 7, False), (1, 3, True, 0, False),
    (7, 7, True, 3, False), (100, 3, True, 42, False), (100, 3, True, 42, True), (1000, 8, True, 123456789, False),
    (0, 2, True, 0, False), (11, 1, True, 5, True),
]:
    for epoch in [0, 1, 5]:
        per_rank = []
        for rank in range(world):
            s = DistributedSampler(Sized(n), num_replicas=world, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            s.set_epoch(epoch)
            idx = list(iter(s))
            assert len(idx) == len(s)
            per_rank.append(idx)
        cases.append({"n": n, "world": world, "shuffle": shuffle, "seed": seed, "dropLast": drop_last,
                      "epoch": epoch, "indices": per_rank})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases to", OUT)
