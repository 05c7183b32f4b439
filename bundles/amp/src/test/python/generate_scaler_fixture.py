#!/usr/bin/env python3
"""A scripted GradScaler run (PyTorch 2.x's torch.amp.GradScaler on the CPU) with injected infs, NaNs and an overflow
of the scaled gradient, for Kindling's GradScalerTest: the scale, growth tracker and parameters after every step.
    /tmp/venv/bin/python generate_scaler_fixture.py > ../resources/grad_scaler_run.json
(pip's PyTorch 2.x: Debian's 1.13 has no CPU GradScaler.)"""
import json
import math

import torch

INF, NAN = float("inf"), float("nan")
XS = [[1.0, 2.0, -1.0, 0.5], [0.5, 0.5, 0.5, 0.5], [INF, 1.0, 1.0, 1.0], [1.0, -1.0, 2.0, 0.0], [0.25, 0.5, 1.0, 2.0],
      [NAN, 0.0, 0.0, 0.0], [3.0, 1.0, 4.0, 1.0], [1e37, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 0.5, 0.25, 1.0],
      [1.0, 1.0, 1.0, 1.0], [0.1, 0.2, 0.3, 0.4], [0.5, -0.5, 0.5, -0.5]]


def enc(v):
    return "inf" if v == INF else "-inf" if v == -INF else "nan" if math.isnan(v) else v


def main():
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5, 3.0]))
    opt = torch.optim.SGD([p], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=3)
    steps = []
    for x in XS:
        opt.zero_grad()
        loss = (p * torch.tensor(x)).sum()
        scaler.scale(loss).backward()
        before = p.detach().clone()
        scaler.step(opt)
        skipped = bool(torch.equal(before, p.detach()))
        scaler.update()
        steps.append({"x": [enc(v) for v in x], "skipped": skipped, "scale": scaler.get_scale(),
                      "growth_tracker": scaler.state_dict()["_growth_tracker"], "p": p.detach().tolist()})
    print(json.dumps({"torch": torch.__version__, "init_scale": 1024.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                      "growth_interval": 3, "lr": 0.1, "p0": [1.0, -2.0, 0.5, 3.0], "steps": steps,
                      "state_dict": {k: v for k, v in scaler.state_dict().items()}}, indent=1))


if __name__ == "__main__":
    main()
