#!/usr/bin/env python3
"""PyTorch 2.x's fused GradScaler pass on the CPU, torch._amp_foreach_non_finite_check_and_unscale_, on gradients of
float32 (contiguous and transposed), float64 and bfloat16 with random, tiny, huge, inf and NaN values, for Kindling's
UnscaleFixtureTest: every output bit and found_inf per call.
    /tmp/venv/bin/python generate_unscale_fixture.py > ../resources/unscale_cpu.json
(pip's PyTorch 2.x: Debian's 1.13 has no CPU kernel for this op.)"""
import json
import struct

import torch


def bits(t):
    """Each element's bit pattern as an int (float32/float64/bfloat16), so NaN payloads and signed zeros compare exactly."""
    t = t.contiguous().view(-1)
    if t.dtype == torch.float32:
        return [struct.unpack("<I", struct.pack("<f", v))[0] for v in t.tolist()]
    if t.dtype == torch.float64:
        return [struct.unpack("<Q", struct.pack("<d", v))[0] for v in t.tolist()]
    return [int(v) & 0xFFFF for v in t.view(torch.int16).tolist()]


def grads(gen):
    f32 = torch.randn(5, 7, generator=gen) * 1000
    f32[1, 2] = 3.0e38          # finite, overflows when inv_scale > 1
    f32[2, 3] = 1.0e-40         # subnormal
    f32[0, 0] = -0.0
    t32 = (torch.randn(6, 4, generator=gen) * 10).t()    # a non-contiguous gradient
    f64 = torch.randn(9, generator=gen, dtype=torch.float64) * 1e300
    bf = (torch.randn(4, 4, generator=gen) * 50).to(torch.bfloat16)
    return [f32, t32, f64, bf]


def main():
    gen = torch.Generator().manual_seed(20261204)
    cases = []
    for name, inv, poison in [("plain", 1.0 / 65536, None), ("odd-scale", 1.0 / 3.0, None), ("growing", 4.0, None),
                              ("inf", 1.0 / 1024, ("f32", float("inf"))), ("nan", 1.0 / 8, ("bf16", float("nan"))),
                              ("neg-inf-transposed", 0.5, ("t32", float("-inf"))), ("nan-f64", 2.0 ** -20, ("f64", float("nan")))]:
        gs = grads(gen)
        if poison:
            which, v = poison
            g = gs[["f32", "t32", "f64", "bf16"].index(which)]
            if g.is_contiguous():
                g.view(-1)[3] = v
            else:
                g[2, 1] = v
        before = [{"dtype": str(g.dtype).replace("torch.", ""), "shape": list(g.shape), "stride": list(g.stride()),
                   "bits": bits(g)} for g in gs]
        found = torch.zeros(1)
        inv_t = torch.full((1,), inv)
        torch._amp_foreach_non_finite_check_and_unscale_(gs, found, inv_t)
        cases.append({"name": name, "inv_scale_bits": bits(inv_t)[0], "inputs": before, "outputs": [bits(g) for g in gs],
                      "found_inf": found.item()})
    print(json.dumps({"torch": torch.__version__, "cases": cases}))


if __name__ == "__main__":
    main()
