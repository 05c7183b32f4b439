#!/usr/bin/env python3
"""Gradients of composite expressions, from PyTorch, for Kindling's autograd tests.

Run with /usr/bin/python3 (Debian's python3-torch). Writes ../resources/fixtures/grads.json.
Each case: named inputs (float64, requires_grad), the expression's name (the Java test has the same expression
under that name), the output value and the gradient of output.sum() with respect to every input.
"""
import json
import os

import torch

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)


def mlp(x, w1, b1, w2, b2):
    return torch.log_softmax((x @ w1 + b1).relu() @ w2 + b2, dim=1)


def cross_entropy(logits, target_onehot):
    return -(torch.log_softmax(logits, 1) * target_onehot).sum(1).mean()


EXPRS = {
    "mlp_log_softmax": (mlp, lambda: [torch.randn(4, 5), torch.randn(5, 6), torch.randn(6), torch.randn(6, 3), torch.randn(3)]),
    "cross_entropy": (cross_entropy, lambda: [torch.randn(4, 3), torch.eye(3)[[0, 2, 1, 2]]]),
    "tanh_sigmoid_mix": (lambda a, b: torch.tanh(a * b).sigmoid() + (a - b).abs().sqrt(), lambda: [torch.randn(3, 4), torch.randn(3, 4) + 3]),
    "norm_div": (lambda a: a / a.norm(dim=1, keepdim=True), lambda: [torch.randn(3, 4)]),
    "logsumexp_where": (lambda a, b: torch.where(a > 0, a, b).logsumexp(dim=0), lambda: [torch.randn(4, 3), torch.randn(4, 3)]),
    "batched_matmul_broadcast": (lambda a, b: (a @ b).pow(2).mean(dim=(0, 2)), lambda: [torch.randn(2, 3, 4), torch.randn(4, 5)]),
    "var_std_prod": (lambda a: a.var(dim=1) + a.std() * a.prod(dim=0).sum(), lambda: [torch.rand(3, 4) + 0.5]),
    "max_min_clamp": (lambda a: a.max(dim=1).values + a.min() + a.clamp(-0.5, 0.5).sum(dim=1), lambda: [torch.randn(3, 5)]),
    "cat_stack_index": (lambda a, b: torch.stack([torch.cat([a, b], 0)[1:4], b.repeat(3, 1)[:3]], 1).exp().sum(dim=1),
                        lambda: [torch.randn(2, 3), torch.randn(3, 3)]),
    "gather_scatter": (lambda a: a.gather(1, torch.tensor([[0, 2], [1, 1], [2, 0]])) * 3 + a.index_select(0, torch.tensor([2, 0])).sum(),
                       lambda: [torch.randn(3, 3)]),
    "inverse_softmax": (lambda a: torch.inverse(a + 3 * torch.eye(3)).softmax(dim=0), lambda: [torch.randn(3, 3)]),
    "masked_fill_select": (lambda a: a.masked_fill(a < 0, 0.5).square() + a.masked_select(a > 0).sum(), lambda: [torch.randn(3, 4)]),
}


def main():
    cases = []
    for name, (fn, make) in EXPRS.items():
        inputs = [t.clone().requires_grad_(True) for t in make()]
        out = fn(*inputs)
        out.sum().backward()
        cases.append({
            "name": name,
            "inputs": [{"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()} for t in inputs],
            "output": {"shape": list(out.shape), "data": out.detach().reshape(-1).tolist()},
            "grads": [None if t.grad is None else {"shape": list(t.grad.shape), "data": t.grad.reshape(-1).tolist()} for t in inputs],
        })
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "resources", "fixtures", "grads.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_grad_fixtures.py", "torch": torch.__version__, "cases": cases}, f, indent=None)
        f.write("\n")
    print("wrote", len(cases), "cases to", os.path.normpath(path))


if __name__ == "__main__":
    main()
