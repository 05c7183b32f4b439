#!/usr/bin/env python3
"""Optimizer trajectories and learning-rate schedules from PyTorch, for Kindling's optim tests.

Run with /usr/bin/python3 (Debian's python3-torch, 1.13). Writes ../resources/fixtures/optimizers.json and
../resources/fixtures/schedulers.json. CI never runs this: the JSON files are what the tests read.

optimizers.json: one fixed problem (a tiny linear regression, pred = x @ W.T + b, loss = ((pred - y) ** 2).mean(),
gradients by autograd every step) and, for every optimizer case, the weights after each of 20 steps (zero_grad,
forward, backward, step), the loss before each step and the optimizer's final per-parameter state.
The Java test builds the same optimizer from the case's "optimizer" and "groups" entries.

schedulers.json: for every scheduler case, the learning rate of each parameter group (and, for OneCycleLR, the
momentum or Adam's beta1) at epochs 0..200: the value after construction, then after each of 200 step() calls.
ReduceLROnPlateau cases carry the metric sequence they are fed.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import SGD, Adam, AdamW, RMSprop, Adagrad
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
torch.manual_seed(0)

STEPS = 20
SCHED_STEPS = 200

# ---------------------------------------------------------------- the problem
X = torch.randn(8, 3)
W_TRUE = torch.tensor([[1.5, -2.0, 0.5], [-0.7, 0.3, 2.2]])
Y = X @ W_TRUE.T + torch.tensor([0.3, -1.1]) + 0.1 * torch.randn(8, 2)
W0 = torch.randn(2, 3)
B0 = torch.randn(2)


def flat(t):
    return t.detach().reshape(-1).tolist()


def loss_fn(w, b):
    return ((X @ w.t() + b - Y) ** 2).mean()


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}

# name -> (optimizer type, kwargs, per-group kwargs for [W, b] or None for one group, scheduler or None)
OPT_CASES = [
    ("sgd_plain", "sgd", dict(lr=0.1), None, None),
    ("sgd_momentum", "sgd", dict(lr=0.05, momentum=0.9), None, None),
    ("sgd_momentum_dampening", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.3), None, None),
    ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True), None, None),
    ("sgd_weight_decay", "sgd", dict(lr=0.1, weight_decay=0.1), None, None),
    ("sgd_momentum_weight_decay", "sgd", dict(lr=0.05, momentum=0.5, weight_decay=0.2), None, None),
    ("sgd_nesterov_weight_decay", "sgd", dict(lr=0.05, momentum=0.8, weight_decay=0.05, nesterov=True), None, None),
    ("sgd_maximize", "sgd", dict(lr=0.01, momentum=0.5, maximize=True), None, None),
    ("sgd_groups", "sgd", dict(lr=0.1), [dict(), dict(lr=0.02, momentum=0.9)], None),
    ("adam_default", "adam", dict(), None, None),
    ("adam_lr", "adam", dict(lr=0.05), None, None),
    ("adam_betas_eps", "adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-3), None, None),
    ("adam_weight_decay", "adam", dict(lr=0.05, weight_decay=0.1), None, None),
    ("adam_amsgrad", "adam", dict(lr=0.2, betas=(0.5, 0.6), amsgrad=True), None, None),
    ("adam_amsgrad_weight_decay", "adam", dict(lr=0.2, betas=(0.5, 0.6), amsgrad=True, weight_decay=0.3), None, None),
    ("adam_maximize", "adam", dict(lr=0.01, maximize=True), None, None),
    ("adam_groups", "adam", dict(lr=0.05), [dict(lr=0.1, amsgrad=True, betas=(0.5, 0.6)), dict()], None),
    ("adamw_default", "adamw", dict(), None, None),
    ("adamw_lr", "adamw", dict(lr=0.05), None, None),
    ("adamw_decoupled_decay", "adamw", dict(lr=0.05, weight_decay=0.5), None, None),
    ("adamw_amsgrad", "adamw", dict(lr=0.2, betas=(0.5, 0.6), weight_decay=0.1, amsgrad=True), None, None),
    ("adamw_maximize", "adamw", dict(lr=0.01, maximize=True), None, None),
    ("adamw_groups", "adamw", dict(lr=0.05), [dict(weight_decay=0.0), dict(lr=0.1, weight_decay=1.0)], None),
    ("rmsprop_default", "rmsprop", dict(), None, None),
    ("rmsprop_alpha", "rmsprop", dict(lr=0.02, alpha=0.9, eps=1e-4), None, None),
    ("rmsprop_centered", "rmsprop", dict(lr=0.01, centered=True), None, None),
    ("rmsprop_momentum", "rmsprop", dict(lr=0.01, momentum=0.9), None, None),
    ("rmsprop_centered_momentum_weight_decay", "rmsprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1), None, None),
    ("rmsprop_maximize", "rmsprop", dict(lr=0.001, maximize=True), None, None),
    ("rmsprop_groups", "rmsprop", dict(lr=0.01), [dict(centered=True), dict(lr=0.03, momentum=0.5)], None),
    ("adagrad_default", "adagrad", dict(), None, None),
    ("adagrad_lr", "adagrad", dict(lr=0.3), None, None),
    ("adagrad_lr_decay", "adagrad", dict(lr=0.3, lr_decay=0.1), None, None),
    ("adagrad_initial_accumulator", "adagrad", dict(lr=0.3, initial_accumulator_value=0.5, eps=1e-6), None, None),
    ("adagrad_weight_decay", "adagrad", dict(lr=0.3, weight_decay=0.2), None, None),
    ("adagrad_maximize", "adagrad", dict(lr=0.05, maximize=True), None, None),
    ("adagrad_groups", "adagrad", dict(lr=0.3), [dict(), dict(lr=0.05, lr_decay=0.5)], None),
    # optimizers driven by a scheduler (scheduler.step() after each optimizer.step())
    ("sgd_momentum_steplr", "sgd", dict(lr=0.1, momentum=0.9), None, ("steplr", dict(step_size=5, gamma=0.5))),
    ("sgd_onecyclelr", "sgd", dict(lr=0.1, momentum=0.9), None, ("onecyclelr", dict(max_lr=0.2, total_steps=20))),
    ("adam_onecyclelr", "adam", dict(lr=0.05), None, ("onecyclelr", dict(max_lr=0.3, total_steps=20))),
]

SCHEDULERS = {"steplr": S.StepLR, "onecyclelr": S.OneCycleLR}


def run_opt_case(name, kind, kwargs, groups, sched):
    w = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    if groups is None:
        params = [w, b]
    else:
        params = [dict(params=[w], **groups[0]), dict(params=[b], **groups[1])]
    opt = OPTIMIZERS[kind](params, **kwargs)
    scheduler = None if sched is None else SCHEDULERS[sched[0]](opt, **sched[1])
    weights, losses, lrs = [], [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(w, b)
        loss.backward()
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
        weights.append([flat(w), flat(b)])
    sd = opt.state_dict()
    state = {}
    for idx, st in sd["state"].items():
        entry = {}
        for k, v in st.items():
            if v is None:
                continue
            entry[k] = float(v) if (k == "step") else flat(v)
        state[str(idx)] = entry
    jsonable = lambda g: {k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()
                          if k not in ("params", "foreach", "differentiable", "capturable", "fused")}
    return {
        "name": name,
        "optimizer": kind,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()},
        "groups": groups and [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in groups],
        "scheduler": sched and {"type": sched[0], "options": sched[1]},
        "losses": losses,
        "lrs": lrs,
        "weights": weights,
        "final_state": state,
        "final_param_groups": [jsonable(g) for g in sd["param_groups"]],
    }


# ---------------------------------------------------------------- schedulers
def make_optimizer(kind="sgd"):
    p0 = torch.zeros(2, requires_grad=True)
    p1 = torch.zeros(3, requires_grad=True)
    groups = [dict(params=[p0]), dict(params=[p1], lr=0.01)]
    if kind == "sgd":
        return SGD(groups, lr=0.1, momentum=0.9)
    return Adam(groups, lr=0.1, betas=(0.9, 0.99))


def plateau_metrics():
    m = []
    for i in range(SCHED_STEPS):
        if i < 40:
            v = 1.0 / (1 + 0.1 * i)
        elif i < 90:
            v = 0.2 + 0.01 * math.sin(i)          # a noisy plateau
        elif i < 120:
            v = 0.2 - 0.002 * (i - 90)           # improves again, slowly
        else:
            v = 0.15 + 0.001 * ((i * 7) % 5)     # flat again
        m.append(v)
    return m


def plateau_metrics_max():
    return [1.0 - v for v in plateau_metrics()]


# name -> (optimizer kind, factory(opt) -> scheduler, metrics or None)
SCHED_CASES = [
    ("steplr", "sgd", lambda o: S.StepLR(o, step_size=30, gamma=0.1), None),
    ("steplr_default_gamma", "sgd", lambda o: S.StepLR(o, 7), None),
    ("steplr_half", "sgd", lambda o: S.StepLR(o, step_size=7, gamma=0.5), None),
    ("multisteplr", "sgd", lambda o: S.MultiStepLR(o, milestones=[30, 80, 80, 150], gamma=0.1), None),
    ("multisteplr_default_gamma", "sgd", lambda o: S.MultiStepLR(o, milestones=[10, 100]), None),
    ("exponentiallr", "sgd", lambda o: S.ExponentialLR(o, gamma=0.97), None),
    ("cosineannealinglr", "sgd", lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.001), None),
    ("cosineannealinglr_tmax200", "sgd", lambda o: S.CosineAnnealingLR(o, T_max=200), None),
    ("cosineannealinglr_tmax30", "sgd", lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.005), None),
    ("lambdalr_pow", "sgd", lambda o: S.LambdaLR(o, lambda e: 0.95 ** e), None),
    ("lambdalr_step", "sgd", lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + e // 10)), None),
    ("lambdalr_per_group", "sgd", lambda o: S.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)]), None),
    ("linearlr", "sgd", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=40), None),
    ("linearlr_default", "sgd", lambda o: S.LinearLR(o), None),
    ("linearlr_decay", "sgd", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=100), None),
    ("constantlr", "sgd", lambda o: S.ConstantLR(o, factor=0.5, total_iters=20), None),
    ("polynomiallr", "sgd", lambda o: S.PolynomialLR(o, total_iters=150, power=2.0), None),
    ("multiplicativelr", "sgd", lambda o: S.MultiplicativeLR(o, lambda e: 0.98), None),
    ("onecyclelr_sgd", "sgd", lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=200), None),
    ("onecyclelr_adam", "adam", lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=200), None),
    ("onecyclelr_per_group", "sgd", lambda o: S.OneCycleLR(o, max_lr=[0.2, 0.05], total_steps=210, pct_start=0.4,
                                                           base_momentum=0.8, max_momentum=0.9), None),
    ("onecyclelr_linear_three_phase", "sgd", lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=250, pct_start=0.25,
                                                                    anneal_strategy="linear", three_phase=True), None),
    ("onecyclelr_epochs", "sgd", lambda o: S.OneCycleLR(o, max_lr=0.1, epochs=10, steps_per_epoch=25, div_factor=10.0,
                                                        final_div_factor=100.0, cycle_momentum=False), None),
    ("sequentiallr_warmup_cosine", "sgd", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.CosineAnnealingLR(o, T_max=190)], milestones=[10]), None),
    ("sequentiallr_constant_exponential", "sgd", lambda o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)], milestones=[2]), None),
    ("sequentiallr_three", "sgd", lambda o: S.SequentialLR(
        o, [S.StepLR(o, 10, 0.5), S.MultiStepLR(o, [20, 40], 0.5), S.ExponentialLR(o, 0.98)], milestones=[50, 120]), None),
    ("chainedscheduler", "sgd", lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]), None),
    ("reducelronplateau_default", "sgd", lambda o: S.ReduceLROnPlateau(o), plateau_metrics()),
    ("reducelronplateau_abs_cooldown", "sgd", lambda o: S.ReduceLROnPlateau(
        o, mode="min", factor=0.5, patience=3, threshold=0.01, threshold_mode="abs", cooldown=5,
        min_lr=[0.001, 0.0005]), plateau_metrics()),
    ("reducelronplateau_max", "sgd", lambda o: S.ReduceLROnPlateau(
        o, mode="max", factor=0.3, patience=5, threshold=0.001, min_lr=0.0001), plateau_metrics_max()),
    ("reducelronplateau_max_abs_eps", "sgd", lambda o: S.ReduceLROnPlateau(
        o, mode="max", factor=0.5, patience=2, threshold=0.005, threshold_mode="abs", min_lr=0.004, eps=0.0015),
     plateau_metrics_max()),
]


def momentum_of(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


def run_sched_case(name, kind, factory, metrics):
    opt = make_optimizer(kind)
    sched = factory(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [momentum_of(opt)]
    for i in range(SCHED_STEPS):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        # get_last_lr() is the groups' lr for every scheduler (ReduceLROnPlateau of 1.13 has only _last_lr)
        assert list(sched._last_lr) == lrs[-1], name
        moms.append(momentum_of(opt))
    case = {"name": name, "optimizer": kind, "lrs": lrs}
    if name.startswith("onecyclelr"):
        case["momentums"] = moms
    if metrics is not None:
        case["metrics"] = metrics
    return case


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "resources", "fixtures")
    os.makedirs(out, exist_ok=True)
    problem = {"x": {"shape": list(X.shape), "data": flat(X)}, "y": {"shape": list(Y.shape), "data": flat(Y)},
               "w0": {"shape": list(W0.shape), "data": flat(W0)}, "b0": {"shape": list(B0.shape), "data": flat(B0)}}
    cases = [run_opt_case(*c) for c in OPT_CASES]
    with open(os.path.join(out, "optimizers.json"), "w") as f:
        json.dump({"generator": "generate_optim_fixtures.py", "torch": torch.__version__, "steps": STEPS,
                   "problem": problem, "cases": cases}, f, indent=None)
        f.write("\n")
    sched_cases = [run_sched_case(*c) for c in SCHED_CASES]
    with open(os.path.join(out, "schedulers.json"), "w") as f:
        json.dump({"generator": "generate_optim_fixtures.py", "torch": torch.__version__, "steps": SCHED_STEPS,
                   "cases": sched_cases}, f, indent=None)
        f.write("\n")
    print("wrote", len(cases), "optimizer cases and", len(sched_cases), "scheduler cases to", os.path.normpath(out))


if __name__ == "__main__":
    main()
