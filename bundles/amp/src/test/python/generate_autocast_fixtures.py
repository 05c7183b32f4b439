#!/usr/bin/env python3
"""Output dtypes and values of ops under torch.autocast("cpu") (bfloat16 and float16), from PyTorch 2.x (pip:
Debian's 1.13 has older CPU lists), for Kindling's AutocastPolicyTest:
    /tmp/venv/bin/python generate_autocast_fixtures.py > ../resources/autocast_cpu.json
Each case names the Kindling call the test makes; inputs are float32 unless said."""
import json

import torch
import torch.nn.functional as F

g = torch.Generator().manual_seed(7)


def r(*shape):
    return torch.randn(*shape, generator=g)


X, W, B = r(4, 3), r(5, 3), r(5)
A, M = r(3, 4), r(4, 2)
BA, BB = r(2, 3, 4), r(2, 4, 5)
IMG, K = r(1, 2, 5, 5), r(3, 2, 3, 3)
SEQ, K1 = r(1, 2, 7), r(3, 2, 3)
SQ = r(3, 3) + 3 * torch.eye(3)
T = r(4, 5)
IDX = torch.tensor([1, 0, 4, 2])

def cases(low):
    return {
        "linear": (lambda: F.linear(X, W, B), [X, W, B]),
        "mm": (lambda: A.mm(M), [A, M]),
        "matmul": (lambda: A.matmul(M), [A, M]),
        "bmm": (lambda: BA.bmm(BB), [BA, BB]),
        "addmm": (lambda: torch.addmm(B[:2], A, M), [B[:2], A, M]),
        "baddbmm": (lambda: torch.baddbmm(torch.zeros(2, 3, 5), BA, BB), [torch.zeros(2, 3, 5), BA, BB]),
        "conv2d": (lambda: F.conv2d(IMG, K, padding=1), [IMG, K]),
        "conv1d": (lambda: F.conv1d(SEQ, K1), [SEQ, K1]),
        "mse_loss": (lambda: F.mse_loss(T.to(low), torch.zeros(4, 5)), [T, torch.zeros(4, 5)]),
        "nll_loss": (lambda: F.nll_loss(T.log_softmax(1).to(low), IDX), [T]),
        "prod": (lambda: T.to(low).prod(), [T]),
        "inverse": (lambda: torch.inverse(SQ.to(low)), [SQ]),
        "cat_promote": (lambda: torch.cat([T, T.to(low)]), [T]),
        "stack_low": (lambda: torch.stack([T.to(low), T.to(low)]), [T]),
        "relu_keeps": (lambda: T.to(low).relu(), [T]),
        "softmax_keeps": (lambda: T.to(low).softmax(1), [T]),
        "sum_keeps": (lambda: T.to(low).sum(), [T]),
        "exp_keeps": (lambda: T.to(low).exp(), [T]),
        "layer_norm_keeps": (lambda: F.layer_norm(T.to(low), (5,)), [T]),
        "add_promotes_natively": (lambda: T + T.to(low), [T]),
        "mm_float64_untouched": (lambda: A.double().mm(M.double()), [A, M]),
        "l1_loss": (lambda: F.l1_loss(T.to(low), torch.zeros(4, 5)), [T, torch.zeros(4, 5)]),
        "smooth_l1_loss": (lambda: F.smooth_l1_loss(T.to(low), torch.zeros(4, 5)), [T, torch.zeros(4, 5)]),
        "cross_entropy": (lambda: F.cross_entropy(T.to(low), IDX), [T]),
        "bce_with_logits": (lambda: F.binary_cross_entropy_with_logits(T.to(low), torch.ones(4, 5)), [T]),
        "kl_div": (lambda: F.kl_div(T.log_softmax(1).to(low), torch.full((4, 5), 0.2), reduction="batchmean"), [T]),
    }


def enc(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "data": t.float().flatten().tolist()}


def main():
    out = {"torch": torch.__version__, "cases": []}
    for dtype in (torch.bfloat16, torch.float16):
        for name, (fn, inputs) in cases(dtype).items():
            with torch.autocast("cpu", dtype=dtype):
                y = fn()
            out["cases"].append({"name": name, "autocast_dtype": str(dtype).replace("torch.", ""),
                                 "inputs": [enc(i) for i in inputs], "expected": enc(y)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
