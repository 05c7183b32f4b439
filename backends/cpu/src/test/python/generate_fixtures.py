#!/usr/bin/python3
"""Generates PyTorch reference fixtures for Kindling's PyTorchConformanceTest.

Run:  /usr/bin/python3 backends/cpu/src/test/python/generate_fixtures.py
Writes backends/cpu/src/test/resources/fixtures/ops.json (next to this script's ../resources).

Every case is {"name", "category", "op", "inputs", "args", then "expected" | "error"}.

  inputs[i]  = {"dtype", "shape", "data" (flat, row-major), optional "pre": [[view-op, ints...], ...]}
               "pre" is applied to the freshly built contiguous tensor before the op runs, to produce
               non-contiguous inputs: ["transpose", d0, d1], ["permute", d...], ["t"], ["slice", dim, start, end, step],
               ["select", dim, index], ["expand", sizes...], ["narrow", dim, start, length].
  expected   = {"dtype", "shape", "data"}  or a list of those (max/min with dim, split, chunk, random sequences)
               or {"str": "..."} for printing cases.
  error      = true when PyTorch raises; "errorMessage" is PyTorch's message (for information) and
               "errorContains" (rarely) a substring Kindling's message must contain.
  exact      = true: floating values must match bit for bit (random streams).
  note       = free text where Kindling is documented to differ from PyTorch (e.g. int16 -> int32).

Floating values: float32 data are written as the shortest decimal that round-trips the float32 value (read them with
Float.parseFloat), float64 as the shortest double repr, float16 as the exact double value; NaN/inf as the strings
"nan", "inf", "-inf".

The op vocabulary and how args map to calls is defined once, in run_torch() below; the Java test mirrors it.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_printoptions(profile="default")
torch.set_default_dtype(torch.float32)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "ops.json"))

DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8,
    "uint8": torch.uint8, "bool": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
BIG = 9223372036854775807  # "to the end" for slice ends (Long.MAX_VALUE)


# ----------------------------------------------------------------------------------------------------------------------
# encoding
# ----------------------------------------------------------------------------------------------------------------------

def _special(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return None


def enc_float32(x):
    s = _special(x)
    if s:
        return s
    r = float(str(np.float32(x)))  # shortest decimal that round-trips the float32 (str: NumPy 2 repr adds a type)
    assert np.float32(r) == np.float32(x) and (math.copysign(1, r) == math.copysign(1, x))
    return r


def enc_float64(x):
    return _special(x) or float(x)


def encode(t):
    t = t.detach()
    dt = DTYPE_NAMES[t.dtype]
    flat = t.contiguous().reshape(-1).tolist()
    if dt == "float32":
        data = [enc_float32(v) for v in flat]
    elif dt in ("float64", "float16"):
        data = [enc_float64(v) for v in flat]
    elif dt == "bool":
        data = [bool(v) for v in flat]
    else:
        data = [int(v) for v in flat]
    out = {"dtype": dt, "shape": list(t.shape), "data": data}
    return out


def decode(spec):
    dt = DTYPES[spec["dtype"]]
    data = spec["data"]
    if spec["dtype"] in ("float32", "float64", "float16"):
        data = [float(v) for v in data]  # also parses "nan", "inf", "-inf"
    t = torch.tensor(data, dtype=dt) if data else torch.zeros(0, dtype=dt)
    return t.reshape(spec["shape"])


def apply_pre(t, pre):
    for step in pre or []:
        name, a = step[0], step[1:]
        if name == "transpose":
            t = t.transpose(a[0], a[1])
        elif name == "permute":
            t = t.permute(*a)
        elif name == "t":
            t = t.t()
        elif name == "slice":
            idx = (slice(None),) * (a[0] % t.dim()) + (slice(a[1], a[2], a[3]),)
            t = t[idx]
        elif name == "select":
            t = t.select(a[0], a[1])
        elif name == "expand":
            t = t.expand(*a)
        elif name == "narrow":
            t = t.narrow(a[0], a[1], a[2])
        else:
            raise ValueError(name)
    return t


# ----------------------------------------------------------------------------------------------------------------------
# the op vocabulary (mirrored by the Java runner table)
# ----------------------------------------------------------------------------------------------------------------------

def scalar_of(a):
    v = a["scalar"]
    if isinstance(v, str):
        v = float(v)
    return int(v) if a.get("scalarType") == "long" else float(v)


def kd(a):
    return bool(a.get("keepdim", False))


BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "remainder": torch.remainder,
    "pow": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum, "atan2": torch.atan2,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
    "logicalAnd": torch.logical_and, "logicalOr": torch.logical_or, "logicalXor": torch.logical_xor,
}
UNARY = {
    "exp": torch.exp, "exp2": torch.exp2, "expm1": torch.expm1, "log": torch.log, "log2": torch.log2,
    "log10": torch.log10, "log1p": torch.log1p, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "abs": torch.abs,
    "sign": torch.sign, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "asin": torch.asin,
    "acos": torch.acos, "atan": torch.atan, "sinh": torch.sinh, "cosh": torch.cosh, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "relu": torch.relu, "erf": torch.erf, "floor": torch.floor, "ceil": torch.ceil,
    "round": torch.round, "trunc": torch.trunc, "reciprocal": torch.reciprocal, "square": torch.square,
    "neg": torch.neg, "isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite,
    "logicalNot": torch.logical_not,
}


def pyindex(spec):
    """'1:3, :' -> a Python index tuple (only ints, slices, None and ...)."""
    return eval("_P[" + spec + "]", {"_P": _IndexProbe()})


class _IndexProbe:
    def __getitem__(self, k):
        return k


def run_torch(op, x, a):
    """x: list of input tensors (pre already applied), a: args dict."""
    if op in SCHEMA_OPS:
        return SCHEMA_OPS[op](x, a)
    if op in BINARY:
        other = scalar_of(a) if "scalar" in a else x[1]
        if "alpha" in a:
            return BINARY[op](x[0], other, alpha=a["alpha"])
        return BINARY[op](x[0], other)
    if op in UNARY:
        return UNARY[op](x[0])
    if op == "clamp":
        return torch.clamp(x[0], min=float(a["min"]), max=float(a["max"]))
    if op == "clampMin":
        return torch.clamp_min(x[0], float(a["min"]))
    if op == "clampMax":
        return torch.clamp_max(x[0], float(a["max"]))
    # reductions
    if op in ("sum", "mean"):
        f = getattr(x[0], op)
        if "dims" in a:
            return f(dim=a["dims"], keepdim=kd(a))
        if "dim" in a:
            return f(a["dim"], keepdim=kd(a))
        return f()
    if op == "prod":
        return x[0].prod(a["dim"], keepdim=kd(a)) if "dim" in a else x[0].prod()
    if op in ("max", "min", "argmax", "argmin"):
        f = getattr(x[0], op)
        if "dim" in a:
            r = f(a["dim"], keepdim=kd(a))
            return [r[0], r[1]] if op in ("max", "min") else r
        return f()
    if op in ("std", "var"):
        f = getattr(x[0], op)
        if "dim" in a:
            return f(a["dim"], unbiased=a.get("unbiased", True), keepdim=kd(a))
        if "unbiased" in a:
            return f(unbiased=a["unbiased"])
        return f()
    if op == "norm":
        p = a.get("p", 2.0)
        p = float(p)
        if "dim" in a:
            return x[0].norm(p=p, dim=a["dim"], keepdim=kd(a))
        return x[0].norm(p=p)
    if op == "logsumexp":
        return x[0].logsumexp(a["dim"], keepdim=kd(a))
    if op == "all":
        return x[0].all()
    if op == "any":
        return x[0].any()
    if op == "softmax":
        return x[0].softmax(a["dim"])
    if op == "logSoftmax":
        return x[0].log_softmax(a["dim"])
    # matrices
    if op == "matmul":
        return torch.matmul(x[0], x[1])
    if op == "mm":
        return torch.mm(x[0], x[1])
    if op == "bmm":
        return torch.bmm(x[0], x[1])
    if op == "inverse":
        return torch.inverse(x[0])
    # shape
    if op == "view":
        return x[0].view(tuple(a["shape"]))
    if op == "reshape":
        return x[0].reshape(tuple(a["shape"]))
    if op == "flatten":
        return x[0].flatten(a["startDim"], a["endDim"]) if "startDim" in a else x[0].flatten()
    if op == "squeeze":
        return x[0].squeeze(a["dim"]) if "dim" in a else x[0].squeeze()
    if op == "unsqueeze":
        return x[0].unsqueeze(a["dim"])
    if op == "t":
        return x[0].t()
    if op == "transpose":
        return x[0].transpose(a["dim0"], a["dim1"])
    if op == "permute":
        return x[0].permute(*a["dims"])
    if op == "expand":
        return x[0].expand(*a["shape"])
    if op == "narrow":
        return x[0].narrow(a["dim"], a["start"], a["length"])
    if op == "unfold":
        return x[0].unfold(a["dim"], a["size"], a["step"])
    if op == "pad":
        return torch.nn.functional.pad(x[0], a["padding"], value=a["value"])
    if op == "repeat":
        return x[0].repeat(*a["repeats"])
    if op == "split":
        return list(x[0].split(a["splitSize"], a["dim"]))
    if op == "chunk":
        return list(x[0].chunk(a["chunks"], a["dim"]))
    if op == "contiguous":
        r = x[0].contiguous()
        assert r.is_contiguous()
        return r
    if op == "cat":
        return torch.cat(x, a["dim"])
    if op == "stack":
        return torch.stack(x, a["dim"])
    # indexing
    if op == "get":
        return x[0][tuple(a["indices"])]
    if op == "select":
        return x[0].select(a["dim"], a["index"])
    if op == "slice":
        d = a["dim"] % x[0].dim()
        return x[0][(slice(None),) * d + (slice(a["start"], a["end"], a["step"]),)]
    if op == "index":
        return x[0][pyindex(a["spec"])]
    if op == "indexTensor":
        return x[0][x[1]]
    if op == "maskedSelect":
        return torch.masked_select(x[0], x[1])
    if op == "indexSelect":
        return torch.index_select(x[0], a["dim"], x[1])
    if op == "gather":
        return torch.gather(x[0], a["dim"], x[1])
    if op == "scatter":
        if "value" in a:
            return torch.scatter(x[0], a["dim"], x[1], float(a["value"]))
        return torch.scatter(x[0], a["dim"], x[1], x[2])
    if op == "scatterAdd":
        return torch.scatter_add(x[0], a["dim"], x[1], x[2])
    if op == "indexAdd":
        return torch.index_add(x[0], a["dim"], x[1], x[2])
    if op == "maskedFill":
        return torch.masked_fill(x[0], x[1], float(a["value"]))
    if op == "where":
        if a.get("method"):
            return x[1].where(x[0], x[2])
        return torch.where(x[0], x[1], x[2])
    if op == "indexPut":
        r = x[0].clone()
        r[pyindex(a["spec"])] = float(a["value"]) if "value" in a else x[1]
        return r
    # conversions
    if op == "to":
        return x[0].to(DTYPES[a["dtype"]])
    if op == "halfRoundTrip":
        return x[0].half().float()
    # creation
    if op == "arange":
        if a["form"] == "long":
            return torch.arange(int(a["start"]), int(a["end"]), int(a["step"]))
        return torch.arange(float(a["start"]), float(a["end"]), float(a["step"]),
                            dtype=DTYPES[a.get("dtype", "float32")])
    if op == "linspace":
        return torch.linspace(float(a["start"]), float(a["end"]), a["steps"], dtype=DTYPES[a.get("dtype", "float32")])
    if op == "eye":
        return torch.eye(a["n"], a.get("m", a["n"]), dtype=DTYPES[a.get("dtype", "float32")])
    if op == "full":
        return torch.full(a["shape"], float(a["value"]), dtype=DTYPES[a.get("dtype", "float32")])
    if op == "zeros":
        return torch.zeros(a["shape"], dtype=DTYPES[a.get("dtype", "float32")])
    if op == "ones":
        return torch.ones(a["shape"], dtype=DTYPES[a.get("dtype", "float32")])
    # random
    if op == "random":
        return run_random(a)
    # printing
    if op == "str":
        t = x[0]
        if a.get("requiresGrad"):
            t = t.clone().requires_grad_(True)
        return {"str": str(t)}
    raise ValueError("unknown op " + op)


def run_random(a):
    if a.get("generator"):
        g = torch.Generator().manual_seed(a["seed"])
    else:
        torch.manual_seed(a["seed"])
        g = None
    out = []
    for c in a["calls"]:
        fn = c["fn"]
        dt = DTYPES[c.get("dtype", "float32")]
        if fn == "rand":
            out.append(torch.rand(c["shape"], dtype=dt, generator=g))
        elif fn == "randn":
            out.append(torch.randn(c["shape"], dtype=dt, generator=g))
        elif fn == "randint":
            out.append(torch.randint(c["low"], c["high"], tuple(c["shape"]), generator=g))
        elif fn == "randperm":
            out.append(torch.randperm(c["n"], generator=g))
        elif fn == "uniform_":
            out.append(torch.zeros(c["shape"], dtype=dt).uniform_(c["from"], c["to"], generator=g))
        elif fn == "normal_":
            out.append(torch.zeros(c["shape"], dtype=dt).normal_(c["mean"], c["std"], generator=g))
        elif fn == "normal":
            out.append(torch.normal(c["mean"], c["std"], c["shape"], generator=g))
        elif fn == "normalTensor":
            mean = torch.tensor(c["mean"], dtype=dt)
            std = torch.tensor(c["std"], dtype=dt) if isinstance(c["std"], list) else c["std"]
            out.append(torch.normal(mean, std, generator=g))
        elif fn == "bernoulli":
            out.append(torch.bernoulli(torch.tensor(c["p"], dtype=dt).view(c["shape"]), generator=g))
        elif fn == "multinomial":
            probs = torch.tensor(c["probs"], dtype=dt).view(c["shape"])
            out.append(torch.multinomial(probs, c["n"], c["replacement"], generator=g))
        else:
            raise ValueError(fn)
    return out


# ----------------------------------------------------------------------------------------------------------------------
# ops of the op table (api/src/main/schema/native_functions.schema) tested by their schema name
# ----------------------------------------------------------------------------------------------------------------------
# Each entry: the op's name in the schema -> PyTorch's call, with the args named as the schema's attributes. The Java
# runners call these ops generically (Tensor.callOp with the attributes by name), and the autograd module gradchecks
# every differentiable one on the same inputs, so a new op needs its entry here and its sample cases in
# gen_schema_ops() below, nothing else.
SCHEMA_OPS = {
    "flip": lambda x, a: torch.flip(x[0], a["dims"]),
    "addmm": lambda x, a: torch.addmm(x[0], x[1], x[2], beta=a.get("beta", 1), alpha=a.get("alpha", 1)),
    "baddbmm": lambda x, a: torch.baddbmm(x[0], x[1], x[2], beta=a.get("beta", 1), alpha=a.get("alpha", 1)),
    "dot": lambda x, a: torch.dot(x[0], x[1]),
    "cumsum": lambda x, a: torch.cumsum(x[0], a["dim"]),
    "tril": lambda x, a: torch.tril(x[0], a.get("diagonal", 0)),
    "triu": lambda x, a: torch.triu(x[0], a.get("diagonal", 0)),
    "roll": lambda x, a: torch.roll(x[0], a["shifts"], a.get("dims")),
    "nll_loss": lambda x, a: torch.nn.functional.nll_loss(x[0], x[1], weight=x[2], ignore_index=a["ignore_index"],
                                                          reduction=REDUCTIONS[a["reduction"]]),
    "mse_loss": lambda x, a: torch.nn.functional.mse_loss(x[0], x[1], reduction=REDUCTIONS[a["reduction"]]),
    "native_dropout": lambda x, a: x[0] * x[1],
    "cumprod": lambda x, a: torch.cumprod(x[0], a["dim"]),
    "einsum": lambda x, a: torch.einsum(a["equation"], *x),
    "unique": lambda x, a: list(torch._unique2(x[0], sorted=True, return_inverse=a.get("return_inverse", False),
                                               return_counts=a.get("return_counts", False))),
    "bincount": lambda x, a: torch.bincount(x[0], weights=x[1] if len(x) > 1 else None, minlength=a.get("minlength", 0)),
    "amax": lambda x, a: torch.amax(x[0], a["dims"] if a.get("dims") is not None else (), a.get("keepdim", False)),
    "amin": lambda x, a: torch.amin(x[0], a["dims"] if a.get("dims") is not None else (), a.get("keepdim", False)),
    "trace": lambda x, a: torch.trace(x[0]),
    "sort": lambda x, a: list(torch.sort(x[0], dim=a.get("dim", -1), descending=a.get("descending", False), stable=True)),
    "argsort": lambda x, a: torch.sort(x[0], dim=a.get("dim", -1), descending=a.get("descending", False), stable=True)[1],
    "topk": lambda x, a: list(torch.topk(x[0], a["k"], dim=a.get("dim", -1), largest=a.get("largest", True))),
    "diag": lambda x, a: torch.diag(x[0], a.get("diagonal", 0)),
    "outer": lambda x, a: torch.outer(x[0], x[1]),
    "threshold_backward": lambda x, a: torch.ops.aten.threshold_backward(x[0], x[1], a["threshold"]),
    "isclose": lambda x, a: torch.isclose(x[0], x[1], rtol=a.get("rtol", 1e-05), atol=a.get("atol", 1e-08),
                                          equal_nan=a.get("equal_nan", False)),
}
REDUCTIONS = ["none", "mean", "sum"]

def _svd_signed(A, full_matrices):
    """torch.linalg.svd with Kindling's sign convention (the largest entry of each column of U is positive; for rows of
    Vh past U's columns, the largest entry of the row), which PyTorch leaves to LAPACK."""
    U, S, Vh = torch.linalg.svd(A, full_matrices=full_matrices)
    U, Vh = U.clone(), Vh.clone()
    uc, vr = U.shape[-1], Vh.shape[-2]
    for j in range(max(uc, vr)):
        ref = U[..., :, j] if j < uc else Vh[..., j, :]
        at = ref.abs().argmax(-1, keepdim=True)
        sign = torch.where(ref.gather(-1, at) < 0, -1.0, 1.0).to(A.dtype)
        if j < uc:
            U[..., :, j] *= sign
        if j < vr:
            Vh[..., j, :] *= sign
    return [U, S, Vh]


# torch.linalg ops of the table (merged into SCHEMA_OPS; their cases are in gen_linalg()).
LINALG_OPS = {
    "linalg_det": lambda x, a: torch.linalg.det(x[0]),
    "det": lambda x, a: torch.det(x[0]),
    "linalg_solve": lambda x, a: torch.linalg.solve(x[0], x[1], left=a.get("left", True)),
    "linalg_cholesky": lambda x, a: torch.linalg.cholesky(x[0], upper=a.get("upper", False)),
    "linalg_qr": lambda x, a: list(torch.linalg.qr(x[0], mode=a.get("mode", "reduced"))),
    "linalg_svd": lambda x, a: _svd_signed(x[0], a.get("full_matrices", True)),
    "linalg_vector_norm": lambda x, a: torch.linalg.vector_norm(x[0], float(a.get("ord", 2)), a.get("dim"),
                                                                a.get("keepdim", False)),
    "linalg_matrix_norm": lambda x, a: torch.linalg.matrix_norm(x[0], a.get("ord", "fro"),
                                                                tuple(a.get("dim") or (-2, -1)), a.get("keepdim", False)),
}
SCHEMA_OPS.update(LINALG_OPS)


# ----------------------------------------------------------------------------------------------------------------------
# case construction
# ----------------------------------------------------------------------------------------------------------------------

CASES = []
NAMES = set()


def inp(t, pre=None):
    """An input spec from a torch tensor (made contiguous; pre describes the view applied before the op)."""
    d = encode(t.contiguous())
    if pre:
        d["pre"] = pre
    return d


def add(category, name, op, inputs=(), args=None, error_contains=None, exact=False, note=None, expect_error=None,
        no_grad=None):
    args = dict(args or {})
    full = category + "." + name
    assert full not in NAMES, full
    NAMES.add(full)
    specs = [i if isinstance(i, dict) else inp(i) for i in inputs]
    tensors = [apply_pre(decode(s), s.get("pre")) for s in specs]
    case = {"name": full, "category": category, "op": op, "inputs": specs, "args": args}
    if no_grad:
        case["noGrad"] = list(no_grad)  # inputs the op has no derivative for (gradchecks leave them constant)
    try:
        r = run_torch(op, tensors, args)
    except Exception as e:  # PyTorch raises -> Kindling must throw
        case["error"] = True
        case["errorMessage"] = (type(e).__name__ + ": " + str(e)).split("\n")[0][:300]
        if error_contains:
            assert error_contains in str(e), (error_contains, str(e))
            case["errorContains"] = error_contains
        if expect_error is False:
            raise
        CASES.append(case)
        return case
    assert expect_error is not True, ("expected an error", full)
    if isinstance(r, dict):
        case["expected"] = r
    elif isinstance(r, (list, tuple)):
        case["expected"] = [encode(v) for v in r]
    else:
        case["expected"] = encode(r)
    notes = []
    for e in (case["expected"] if isinstance(case["expected"], list) else [case["expected"]]):
        if e.get("dtype") == "int16":
            e["dtype"] = "int32"
            notes.append("PyTorch gives int16; Kindling has no int16 and widens to int32 (DType.promote)")
    if note:
        notes.append(note)
    if notes:
        case["note"] = "; ".join(sorted(set(notes)))
    if exact:
        case["exact"] = True
    CASES.append(case)
    return case


def rf(*shape, scale=1.0, digits=2):
    """Float32 values with few decimal digits (keeps the JSON small)."""
    t = torch.randn(*shape) * scale
    return (t * 10 ** digits).round() / 10 ** digits


def rpos(*shape, lo=0.1, hi=5.0):
    t = torch.rand(*shape) * (hi - lo) + lo
    return (t * 100).round() / 100


def ri(lo, hi, *shape, dtype=torch.int64):
    return torch.randint(lo, hi, shape).to(dtype)


def f32(*vals):
    return torch.tensor(vals, dtype=torch.float32)


NAN, INF = float("nan"), float("inf")


# ----------------------------------------------------------------------------------------------------------------------
# binary ops
# ----------------------------------------------------------------------------------------------------------------------

def gen_binary():
    C = "binary"
    arith = ["add", "sub", "mul", "div", "remainder", "pow", "maximum", "minimum", "atan2"]
    for op in arith:
        if op == "pow":
            a, b = rpos(2, 3), rf(2, 3)
        elif op in ("div", "remainder"):
            a, b = rf(2, 3, scale=3), rpos(2, 3) * torch.tensor([1., -1., 1.])
        else:
            a, b = rf(2, 3), rf(2, 3)
        add(C, op + ".f32_same", op, [a, b])
        if op == "pow":
            add(C, op + ".f32_bcast_row", op, [rpos(3, 4), rf(4)])
            add(C, op + ".f32_bcast_outer", op, [rpos(3, 1), rf(1, 4)])
        elif op in ("div", "remainder"):
            add(C, op + ".f32_bcast_row", op, [rf(3, 4, scale=3), rpos(4)])
            add(C, op + ".f32_bcast_outer", op, [rf(3, 1, scale=3), -rpos(1, 4)])
        else:
            add(C, op + ".f32_bcast_row", op, [rf(3, 4), rf(4)])
            add(C, op + ".f32_bcast_outer", op, [rf(3, 1), rf(1, 4)])
            add(C, op + ".f32_bcast_3d", op, [rf(2, 1, 3), rf(4, 1)])
        add(C, op + ".f64", op, [rpos(2, 3).double(), rpos(3).double()])
        add(C, op + ".f32_transposed", op, [inp(rpos(3, 2), [["t"]]), rpos(2, 3)])
        if op == "pow":
            add(C, op + ".i64", op, [ri(-4, 5, 2, 3), ri(0, 4, 2, 3)])
        elif op in ("div", "remainder"):
            add(C, op + ".i64", op, [ri(-9, 10, 2, 4), torch.tensor([3, -3, 2, -5])])
        else:
            add(C, op + ".i64", op, [ri(-9, 10, 2, 3), ri(-9, 10, 3)])
        add(C, op + ".i64_f32", op, [ri(1, 6, 2, 3), rpos(2, 3)])
        add(C, op + ".i32_i64", op, [ri(1, 6, 3, dtype=torch.int32), ri(1, 4, 3)])
        add(C, op + ".f32_f64", op, [rpos(3), rpos(3).double()])
    # add/sub with alpha
    add(C, "add.alpha_f32", "add", [rf(2, 3), rf(2, 3)], {"alpha": 2.5})
    add(C, "add.alpha_bcast", "add", [rf(2, 3), rf(3)], {"alpha": -0.5})
    add(C, "sub.alpha_f32", "sub", [rf(2, 3), rf(3)], {"alpha": 3.0})
    add(C, "add.alpha_i64_f32", "add", [ri(0, 5, 4), rf(4)], {"alpha": 2.0})
    # type promotion between tensors
    add(C, "add.bool_i64", "add", [torch.tensor([True, False, True]), torch.tensor([1, 2, 3])])
    add(C, "mul.bool_f32", "mul", [torch.tensor([True, False, True]), f32(1.5, 2.5, 3.5)])
    add(C, "add.bool_bool", "add", [torch.tensor([True, False, False]), torch.tensor([True, True, False])])
    add(C, "add.u8_i8", "add", [torch.tensor([1, 200, 255], dtype=torch.uint8), torch.tensor([-1, 100, -128], dtype=torch.int8)])
    add(C, "add.u8_u8_wraps", "add", [torch.tensor([100, 200, 255], dtype=torch.uint8), torch.tensor([100, 100, 1], dtype=torch.uint8)])
    add(C, "mul.i32_i32", "mul", [ri(-5, 5, 4, dtype=torch.int32), ri(-5, 5, 4, dtype=torch.int32)])
    add(C, "add.u8_i64", "add", [torch.tensor([1, 2, 250], dtype=torch.uint8), torch.tensor([10, -20, 10])])
    add(C, "add.i64_f64", "add", [ri(0, 9, 3), rf(3).double()])
    add(C, "sub.bool_bool", "sub", [torch.tensor([True, False]), torch.tensor([True, True])], expect_error=True)
    # 0-dim tensors take part in promotion like scalars (their category counts, not their width)
    add(C, "add.f32_zerodim_f64", "add", [f32(1.5, 2.5, 3.5), torch.tensor(0.1, dtype=torch.float64)])
    add(C, "add.i32_zerodim_i64", "add", [torch.tensor([1, 2, 3], dtype=torch.int32), torch.tensor(7)])
    add(C, "add.i64_zerodim_f64", "add", [torch.tensor([1, 2, 3]), torch.tensor(0.5, dtype=torch.float64)])
    add(C, "mul.zerodim_zerodim", "mul", [torch.tensor(3.0), torch.tensor(2, dtype=torch.int32)])
    # scalars: double (a Python float) and long (a Python int)
    for op in ["add", "sub", "mul", "div", "pow"]:
        add(C, op + ".f32_double", op, [rpos(2, 3)], {"scalar": 2.5, "scalarType": "double"})
        add(C, op + ".f32_long", op, [rpos(2, 3)], {"scalar": 3, "scalarType": "long"})
        add(C, op + ".i64_long", op, [ri(-5, 6, 2, 3)], {"scalar": 3, "scalarType": "long"})
        add(C, op + ".i64_double", op, [ri(-5, 6, 2, 3)], {"scalar": 2.0 if op == "pow" else 0.5, "scalarType": "double"})
        add(C, op + ".i32_long", op, [ri(1, 6, 4, dtype=torch.int32)], {"scalar": 2, "scalarType": "long"})
        add(C, op + ".f64_double", op, [rpos(3).double()], {"scalar": 0.1, "scalarType": "double"})
    add(C, "add.u8_long", "add", [torch.tensor([1, 2, 250], dtype=torch.uint8)], {"scalar": 10, "scalarType": "long"})
    add(C, "add.bool_long", "add", [torch.tensor([True, False])], {"scalar": 2, "scalarType": "long"})
    add(C, "mul.bool_double", "mul", [torch.tensor([True, False])], {"scalar": 2.5, "scalarType": "double"})
    add(C, "sub.long_negative", "sub", [torch.tensor([1, 2, 3])], {"scalar": -10, "scalarType": "long"})
    add(C, "remainder.f32_double", "remainder", [rf(2, 4, scale=5)], {"scalar": 1.5, "scalarType": "double"})
    add(C, "remainder.f32_neg_double", "remainder", [rf(2, 4, scale=5)], {"scalar": -2.0, "scalarType": "double"})
    add(C, "remainder.i64_double", "remainder", [ri(-9, 9, 6)], {"scalar": 4.0, "scalarType": "double"})
    # division specials
    add(C, "div.f32_by_zero", "div", [f32(1, -1, 0, NAN), f32(0, 0, 0, 0)])
    add(C, "div.i64_by_zero", "div", [torch.tensor([1, -1, 0]), torch.tensor([0, 0, 0])])
    add(C, "div.i64_i64", "div", [torch.tensor([7, -7, 6, 1]), torch.tensor([2, 2, 3, 3])])
    add(C, "remainder.i64_by_zero", "remainder", [torch.tensor([1, 2]), torch.tensor([0, 1])], expect_error=True)
    add(C, "remainder.f32_by_zero", "remainder", [f32(1, -2.5), f32(0, 0)])
    add(C, "remainder.signs", "remainder", [f32(5, -5, 5, -5, 5.5, -0.5), f32(3, 3, -3, -3, 2, 2)])
    add(C, "remainder.i64_signs", "remainder", [torch.tensor([5, -5, 5, -5, 0]), torch.tensor([3, 3, -3, -3, 7])])
    # pow specials
    add(C, "pow.specials", "pow", [f32(0, 0, -2, -2, 2, NAN, 1, INF, -8), f32(0, -1, 0.5, 3, -2, 0, NAN, -1, 1. / 3)])
    add(C, "pow.f32_half", "pow", [rpos(5)], {"scalar": 0.5, "scalarType": "double"})
    add(C, "pow.f32_square_long", "pow", [rf(5)], {"scalar": 2, "scalarType": "long"})
    add(C, "pow.i64_neg_long", "pow", [torch.tensor([1, 2, 3])], {"scalar": -1, "scalarType": "long"}, expect_error=True)
    add(C, "pow.i64_f32_tensor", "pow", [torch.tensor([1, 2, 3]), f32(0.5, 2, -1)])
    # maximum/minimum propagate NaN
    add(C, "maximum.nan", "maximum", [f32(1, NAN, 3, -INF), f32(NAN, 2, 1, 5)])
    add(C, "minimum.nan", "minimum", [f32(1, NAN, 3, -INF), f32(NAN, 2, 1, 5)])
    add(C, "maximum.i32_i64_neg", "maximum", [torch.tensor([1, 9, -3], dtype=torch.int32), torch.tensor([4, 2, -5])])
    add(C, "atan2.quadrants", "atan2", [f32(1, 1, -1, -1, 0, 0, 0, -0.0, INF), f32(1, -1, 1, -1, 1, -1, 0, -1, INF)])
    add(C, "atan2.i64_to_float", "atan2", [torch.tensor([1, -2, 0]), torch.tensor([2, 2, -1])])
    # comparisons
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        a = (rf(3, 4, digits=0))
        b = (rf(4, digits=0))
        add(C, op + ".f32_bcast", op, [a, b])
        add(C, op + ".i64_f32", op, [ri(-2, 3, 2, 3), rf(2, 3, digits=0)])
        add(C, op + ".nan", op, [f32(NAN, 1, NAN, INF), f32(NAN, NAN, 1, INF)])
        add(C, op + ".double_scalar", op, [rf(2, 3, digits=0)], {"scalar": 0.0, "scalarType": "double"})
        add(C, op + ".i64_double_scalar", op, [ri(-3, 4, 5)], {"scalar": 0.5, "scalarType": "double"})
        add(C, op + ".transposed", op, [inp(rf(3, 2, digits=0), [["t"]]), rf(2, 3, digits=0)])
    for op in ["logicalAnd", "logicalOr", "logicalXor"]:
        add(C, op + ".bool", op, [torch.tensor([True, True, False, False]), torch.tensor([True, False, True, False])])
        add(C, op + ".bool_bcast", op, [torch.tensor([[True], [False]]), torch.tensor([True, False, True])])
        add(C, op + ".f32_i64", op, [f32(0, 1.5, -0.0, NAN), torch.tensor([0, 0, 3, 1])])
    add(C, "add.shape_mismatch", "add", [rf(2, 3), rf(4)], expect_error=True)
    add(C, "mul.shape_mismatch", "mul", [rf(2, 3), rf(3, 2)], expect_error=True)


# ----------------------------------------------------------------------------------------------------------------------
# unary ops
# ----------------------------------------------------------------------------------------------------------------------

SPECIALS = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-8, 100.0, -100.0]


def gen_unary():
    C = "unary"
    domains = {
        "log": "pos", "log2": "pos", "log10": "pos", "log1p": "pos", "sqrt": "pos", "rsqrt": "pos",
        "asin": "unit", "acos": "unit", "reciprocal": "nonzero",
    }
    for op in list(UNARY.keys()):
        dom = domains.get(op, "any")
        if dom == "pos":
            x = rpos(3, 4, lo=0.01, hi=20)
        elif dom == "unit":
            x = (torch.rand(3, 4) * 1.98 - 0.99).mul(100).round().div(100)
        elif dom == "nonzero":
            x = rpos(3, 4) * torch.tensor([1., -1., 1., -1.])
        else:
            x = rf(3, 4, scale=2)
        if op == "round":
            x = torch.tensor([[0.5, 1.5, 2.5, -0.5], [-1.5, -2.5, 0.49, 2.51], [3.7, -3.7, 1e6 + 0.5, -0.0]])
        add(C, op + ".f32", op, [x])
        add(C, op + ".specials", op, [torch.tensor(SPECIALS)])
        if op in ("exp", "sin", "abs", "neg", "sqrt", "sigmoid", "isnan"):
            add(C, op + ".transposed", op, [inp(rpos(4, 3), [["t"]])])
            add(C, op + ".f64", op, [rpos(2, 3).double()])
    # integer inputs
    for op in ("abs", "neg", "sign", "square", "relu"):
        add(C, op + ".i64", op, [torch.tensor([-3, -1, 0, 2, 7])])
    for op in ("exp", "sqrt", "sigmoid", "sin"):
        add(C, op + ".i64_to_float", op, [torch.tensor([0, 1, 2, 4])])
    add(C, "abs.i32", "abs", [torch.tensor([-3, 0, 5], dtype=torch.int32)])
    add(C, "neg.bool", "neg", [torch.tensor([True, False])], expect_error=True)
    add(C, "logicalNot.i64", "logicalNot", [torch.tensor([0, 1, -2])])
    add(C, "logicalNot.bool", "logicalNot", [torch.tensor([True, False])])
    add(C, "isnan.i64", "isnan", [torch.tensor([0, 1])])
    # clamp
    add(C, "clamp.f32", "clamp", [rf(3, 4, scale=2)], {"min": -0.5, "max": 0.5})
    add(C, "clamp.specials", "clamp", [torch.tensor(SPECIALS)], {"min": -1.0, "max": 2.0})
    add(C, "clampMin.f32", "clampMin", [rf(3, 4)], {"min": 0.1})
    add(C, "clampMax.f32", "clampMax", [rf(3, 4)], {"max": -0.1})
    add(C, "clampMin.specials", "clampMin", [torch.tensor(SPECIALS)], {"min": 0.0})
    add(C, "clampMax.specials", "clampMax", [torch.tensor(SPECIALS)], {"max": 0.0})
    add(C, "clamp.i64_double_bounds", "clamp", [torch.tensor([-5, 0, 3, 9])], {"min": 0.0, "max": 4.0})
    add(C, "clamp.f32_transposed", "clamp", [inp(rf(4, 3), [["t"]])], {"min": -0.3, "max": 0.3})


# ----------------------------------------------------------------------------------------------------------------------
# reductions and softmax
# ----------------------------------------------------------------------------------------------------------------------

def gen_reductions():
    C = "reduction"
    x = rf(3, 4)
    x3 = rf(2, 3, 4)
    for op in ("sum", "mean"):
        add(C, op + ".all", op, [x])
        add(C, op + ".dim0", op, [x], {"dim": 0})
        add(C, op + ".dim1_keepdim", op, [x], {"dim": 1, "keepdim": True})
        add(C, op + ".dim_neg", op, [x3], {"dim": -1})
        add(C, op + ".dims_0_2", op, [x3], {"dims": [0, 2], "keepdim": False})
        add(C, op + ".dims_neg_keepdim", op, [x3], {"dims": [-1, -2], "keepdim": True})
        add(C, op + ".transposed", op, [inp(x3, [["transpose", 0, 2]])], {"dim": 1})
        add(C, op + ".f64", op, [x.double()], {"dim": 1})
        add(C, op + ".empty", op, [torch.zeros(0)])
    add(C, "sum.i64", "sum", [ri(-9, 9, 3, 4)])
    add(C, "sum.i64_dim", "sum", [ri(-9, 9, 3, 4)], {"dim": 0})
    add(C, "sum.bool", "sum", [torch.tensor([True, False, True, True])])
    add(C, "sum.bool_dim", "sum", [torch.tensor([[True, False], [True, True]])], {"dim": 1})
    add(C, "sum.i32", "sum", [ri(-9, 9, 5, dtype=torch.int32)])
    add(C, "sum.u8", "sum", [torch.tensor([200, 100], dtype=torch.uint8)])
    add(C, "sum.nan", "sum", [f32(1, NAN, 2)])
    add(C, "sum.inf", "sum", [f32(INF, 1, -INF)])
    add(C, "mean.i64", "mean", [ri(0, 9, 4)], expect_error=True)
    add(C, "mean.i64_dim", "mean", [ri(0, 9, 2, 2)], {"dim": 0}, expect_error=True)
    add(C, "prod.all", "prod", [rpos(2, 3, lo=0.5, hi=2)])
    add(C, "prod.dim1", "prod", [rf(3, 4)], {"dim": 1})
    add(C, "prod.dim0_keepdim", "prod", [rf(3, 4)], {"dim": 0, "keepdim": True})
    add(C, "prod.i64", "prod", [torch.tensor([2, -3, 4])])
    add(C, "prod.i32_dim", "prod", [torch.tensor([[2, -3], [4, 5]], dtype=torch.int32)], {"dim": 1})
    add(C, "prod.bool", "prod", [torch.tensor([True, True])])
    add(C, "prod.empty", "prod", [torch.zeros(0)])
    for op in ("max", "min"):
        add(C, op + ".all", op, [x])
        add(C, op + ".dim0", op, [x], {"dim": 0})
        add(C, op + ".dim1_keepdim", op, [x], {"dim": 1, "keepdim": True})
        add(C, op + ".dim_neg_3d", op, [x3], {"dim": -2})
        add(C, op + ".ties", op, [torch.tensor([[1., 3., 3.], [2., 2., 1.], [5., 5., 5.]])], {"dim": 1})
        add(C, op + ".i64_dim", op, [ri(-9, 9, 3, 4)], {"dim": 1})
        add(C, op + ".i64", op, [ri(-9, 9, 3, 4)])
        add(C, op + ".nan", op, [f32(1, NAN, 3)])
        add(C, op + ".nan_dim", op, [torch.tensor([[1., NAN, 3.], [4., 5., 6.]])], {"dim": 1})
        add(C, op + ".empty", op, [torch.zeros(0)], expect_error=True)
        add(C, op + ".transposed_dim", op, [inp(x, [["t"]])], {"dim": 0})
        add(C, op + ".bool", op, [torch.tensor([False, True, False])])
    for op in ("argmax", "argmin"):
        add(C, op + ".all", op, [x])
        add(C, op + ".dim0", op, [x], {"dim": 0, "keepdim": False})
        add(C, op + ".dim1_keepdim", op, [x], {"dim": 1, "keepdim": True})
        add(C, op + ".ties", op, [torch.tensor([[1., 3., 3.], [2., 2., 1.], [5., 5., 5.]])], {"dim": 1, "keepdim": False})
        add(C, op + ".i64", op, [ri(-9, 9, 7)])
        add(C, op + ".3d_neg", op, [x3], {"dim": -1, "keepdim": False})
        add(C, op + ".nan", op, [f32(1, NAN, 3, NAN)])
    for op in ("std", "var"):
        add(C, op + ".all", op, [x])
        add(C, op + ".biased", op, [x], {"unbiased": False})
        add(C, op + ".unbiased", op, [x], {"unbiased": True})
        add(C, op + ".dim0", op, [x], {"dim": 0})
        add(C, op + ".dim1_biased_keepdim", op, [x], {"dim": 1, "unbiased": False, "keepdim": True})
        add(C, op + ".dim_neg_3d", op, [x3], {"dim": -1, "unbiased": True})
        add(C, op + ".f64", op, [x.double()], {"dim": 1})
        add(C, op + ".single", op, [f32(3.5)])
        add(C, op + ".single_biased", op, [f32(3.5)], {"unbiased": False})
        add(C, op + ".big_offset", op, [f32(1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4)])
        add(C, op + ".i64", op, [torch.tensor([1, 2, 3])], expect_error=True)
    add(C, "norm.all", "norm", [x])
    add(C, "norm.p1", "norm", [x], {"p": 1.0})
    add(C, "norm.p3", "norm", [x], {"p": 3.0})
    add(C, "norm.pinf", "norm", [x], {"p": "inf"})
    add(C, "norm.p2_dim1", "norm", [x], {"p": 2.0, "dim": 1, "keepdim": False})
    add(C, "norm.p1_dim0_keepdim", "norm", [x], {"p": 1.0, "dim": 0, "keepdim": True})
    add(C, "norm.p2_3d_neg", "norm", [x3], {"p": 2.0, "dim": -2, "keepdim": False})
    add(C, "norm.f64", "norm", [x.double()])
    add(C, "norm.i64", "norm", [torch.tensor([3, 4])], expect_error=True)
    add(C, "logsumexp.dim1", "logsumexp", [x], {"dim": 1})
    add(C, "logsumexp.dim0_keepdim", "logsumexp", [x], {"dim": 0, "keepdim": True})
    add(C, "logsumexp.large", "logsumexp", [f32(1000, 1001, 999)], {"dim": 0})
    add(C, "logsumexp.specials", "logsumexp", [torch.tensor([[-INF, -INF], [INF, 1.], [-INF, 0.]])], {"dim": 1})
    add(C, "logsumexp.3d", "logsumexp", [x3], {"dim": -1})
    add(C, "logsumexp.i64", "logsumexp", [torch.tensor([[1, 2], [3, 4]])], {"dim": 1})
    for op in ("all", "any"):
        add(C, op + ".bool_mixed", op, [torch.tensor([True, False, True])])
        add(C, op + ".bool_true", op, [torch.tensor([[True, True], [True, True]])])
        add(C, op + ".bool_false", op, [torch.tensor([False, False])])
        add(C, op + ".f32", op, [f32(1, 0, NAN)])
        add(C, op + ".i64", op, [torch.tensor([3, 1, 2])])
        add(C, op + ".empty", op, [torch.zeros(0, dtype=torch.bool)])
        add(C, op + ".u8", op, [torch.tensor([1, 0, 2], dtype=torch.uint8)])

    C = "softmax"
    y = rf(3, 5, scale=2)
    y3 = rf(2, 3, 4)
    for op in ("softmax", "logSoftmax"):
        add(C, op + ".dim1", op, [y], {"dim": 1})
        add(C, op + ".dim0", op, [y], {"dim": 0})
        add(C, op + ".dim_neg1", op, [y], {"dim": -1})
        add(C, op + ".3d_dim1", op, [y3], {"dim": 1})
        add(C, op + ".3d_dim0", op, [y3], {"dim": 0})
        add(C, op + ".3d_dim2", op, [y3], {"dim": 2})
        add(C, op + ".large", op, [f32(1000, 1001, 1002)], {"dim": 0})
        add(C, op + ".neg_inf", op, [torch.tensor([[-INF, 0., 1.], [2., -INF, -INF]])], {"dim": 1})
        add(C, op + ".transposed", op, [inp(y, [["t"]])], {"dim": 1})
        add(C, op + ".f64", op, [y.double()], {"dim": 1})
        add(C, op + ".i64", op, [torch.tensor([1, 2, 3])], {"dim": 0}, expect_error=True)


# ----------------------------------------------------------------------------------------------------------------------
# matrices
# ----------------------------------------------------------------------------------------------------------------------

def gen_matrix():
    C = "matrix"
    add(C, "matmul.1d_1d", "matmul", [rf(4), rf(4)])
    add(C, "matmul.2d_1d", "matmul", [rf(3, 4), rf(4)])
    add(C, "matmul.1d_2d", "matmul", [rf(3), rf(3, 5)])
    add(C, "matmul.2d_2d", "matmul", [rf(3, 4), rf(4, 2)])
    add(C, "matmul.3d_2d", "matmul", [rf(2, 3, 4), rf(4, 5)])
    add(C, "matmul.2d_3d", "matmul", [rf(3, 4), rf(2, 4, 2)])
    add(C, "matmul.3d_3d", "matmul", [rf(2, 3, 4), rf(2, 4, 2)])
    add(C, "matmul.4d_3d_bcast", "matmul", [rf(2, 1, 2, 3), rf(3, 3, 2)])
    add(C, "matmul.1d_3d", "matmul", [rf(3), rf(2, 3, 2)])
    add(C, "matmul.3d_1d", "matmul", [rf(2, 2, 3), rf(3)])
    add(C, "matmul.transposed", "matmul", [inp(rf(4, 3), [["t"]]), inp(rf(2, 4), [["t"]])])
    add(C, "matmul.f64", "matmul", [rf(3, 4).double(), rf(4, 3).double()])
    add(C, "matmul.i64", "matmul", [ri(-5, 5, 2, 3), ri(-5, 5, 3, 2)])
    add(C, "matmul.mismatch", "matmul", [rf(2, 3), rf(4, 2)], expect_error=True)
    add(C, "matmul.1d_mismatch", "matmul", [rf(3), rf(4)], expect_error=True)
    add(C, "matmul.dtype_mismatch", "matmul", [rf(2, 2), rf(2, 2).double()], expect_error=True)
    add(C, "mm.basic", "mm", [rf(2, 3), rf(3, 4)])
    add(C, "mm.transposed", "mm", [inp(rf(3, 2), [["t"]]), rf(3, 2)])
    add(C, "mm.sliced", "mm", [inp(rf(4, 6), [["slice", 1, 0, 6, 2]]), rf(3, 2)])
    add(C, "mm.f64", "mm", [rf(2, 3).double(), rf(3, 2).double()])
    add(C, "mm.shape_error", "mm", [rf(2, 3), rf(4, 5)],
        error_contains="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", expect_error=True)
    add(C, "mm.not_2d", "mm", [rf(3), rf(3, 2)], expect_error=True)
    add(C, "bmm.basic", "bmm", [rf(2, 2, 3), rf(2, 3, 4)])
    add(C, "bmm.transposed", "bmm", [inp(rf(2, 3, 2), [["transpose", 1, 2]]), rf(2, 3, 2)])
    add(C, "bmm.batch_mismatch", "bmm", [rf(2, 2, 3), rf(3, 3, 4)], expect_error=True)
    add(C, "bmm.not_3d", "bmm", [rf(2, 3), rf(3, 4)], expect_error=True)
    a = torch.tensor([[4., 1., 2.], [1., 5., 3.], [2., 3., 6.]])
    add(C, "inverse.3x3", "inverse", [a])
    b = rf(2, 4, 4) + 4 * torch.eye(4)
    add(C, "inverse.batched_2x4x4", "inverse", [b])
    add(C, "inverse.f64", "inverse", [a.double()])
    add(C, "inverse.2x2", "inverse", [torch.tensor([[2., 1.], [1., 3.]])])
    add(C, "inverse.singular", "inverse", [torch.tensor([[1., 2.], [2., 4.]])], expect_error=True)
    add(C, "inverse.not_square", "inverse", [rf(2, 3)], expect_error=True)
    add(C, "inverse.transposed", "inverse", [inp(a + torch.tensor([[0., 1., 0.], [0., 0., 0.], [0., 0., 0.]]), [["t"]])])


# ----------------------------------------------------------------------------------------------------------------------
# shape ops
# ----------------------------------------------------------------------------------------------------------------------

def gen_shape():
    C = "shape"
    x = torch.arange(24).float().reshape(2, 3, 4)
    m = torch.arange(12).float().reshape(3, 4)
    add(C, "view.2d", "view", [m], {"shape": [4, 3]})
    add(C, "view.minus1", "view", [x], {"shape": [-1, 4]})
    add(C, "view.flat", "view", [x], {"shape": [-1]})
    add(C, "view.to_3d", "view", [m], {"shape": [2, -1, 2]})
    add(C, "view.zero_dim", "view", [f32(5)], {"shape": []})
    add(C, "view.non_contiguous_error", "view", [inp(m, [["t"]])], {"shape": [-1]}, expect_error=True)
    add(C, "view.bad_numel", "view", [m], {"shape": [5, -1]}, expect_error=True)
    add(C, "view.two_minus1", "view", [m], {"shape": [-1, -1]}, expect_error=True)
    add(C, "view.i64", "view", [torch.arange(6)], {"shape": [3, 2]})
    add(C, "reshape.minus1", "reshape", [x], {"shape": [4, -1]})
    add(C, "reshape.transposed_copy", "reshape", [inp(m, [["t"]])], {"shape": [-1]})
    add(C, "reshape.permuted", "reshape", [inp(x, [["permute", 2, 0, 1]])], {"shape": [6, 4]})
    add(C, "reshape.bad", "reshape", [m], {"shape": [5, 3]}, expect_error=True)
    add(C, "reshape.to_scalar", "reshape", [f32(2.5)], {"shape": []})
    add(C, "flatten.all", "flatten", [x])
    add(C, "flatten.1_2", "flatten", [x], {"startDim": 1, "endDim": 2})
    add(C, "flatten.0_1", "flatten", [x], {"startDim": 0, "endDim": 1})
    add(C, "flatten.neg", "flatten", [torch.arange(24).reshape(2, 3, 2, 2)], {"startDim": -3, "endDim": -2})
    add(C, "flatten.zero_dim", "flatten", [torch.tensor(3.0)])
    add(C, "flatten.transposed", "flatten", [inp(m, [["t"]])])
    s = torch.arange(6).float().reshape(1, 2, 1, 3)
    add(C, "squeeze.all", "squeeze", [s])
    add(C, "squeeze.dim0", "squeeze", [s], {"dim": 0})
    add(C, "squeeze.dim_not1", "squeeze", [s], {"dim": 1})
    add(C, "squeeze.neg", "squeeze", [s], {"dim": -2})
    add(C, "squeeze.to_scalar", "squeeze", [f32(4).reshape(1, 1)])
    add(C, "unsqueeze.0", "unsqueeze", [m], {"dim": 0})
    add(C, "unsqueeze.last", "unsqueeze", [m], {"dim": 2})
    add(C, "unsqueeze.neg1", "unsqueeze", [m], {"dim": -1})
    add(C, "unsqueeze.neg3", "unsqueeze", [m], {"dim": -3})
    add(C, "unsqueeze.out_of_range", "unsqueeze", [m], {"dim": 3}, expect_error=True)
    add(C, "unsqueeze.scalar", "unsqueeze", [torch.tensor(1.5)], {"dim": 0})
    add(C, "t.2d", "t", [m])
    add(C, "t.1d", "t", [f32(1, 2, 3)])
    add(C, "t.0d", "t", [torch.tensor(2.0)])
    add(C, "t.3d_error", "t", [x], expect_error=True)
    add(C, "transpose.0_1", "transpose", [x], {"dim0": 0, "dim1": 1})
    add(C, "transpose.neg", "transpose", [x], {"dim0": -1, "dim1": 0})
    add(C, "transpose.same", "transpose", [x], {"dim0": 1, "dim1": 1})
    add(C, "transpose.bad_dim", "transpose", [x], {"dim0": 0, "dim1": 3}, expect_error=True)
    add(C, "permute.201", "permute", [x], {"dims": [2, 0, 1]})
    add(C, "permute.neg", "permute", [x], {"dims": [-1, -3, -2]})
    add(C, "permute.dup", "permute", [x], {"dims": [0, 0, 1]}, expect_error=True)
    add(C, "permute.of_transposed", "permute", [inp(x, [["transpose", 0, 2]])], {"dims": [1, 0, 2]})
    add(C, "expand.row", "expand", [f32(1, 2, 3)], {"shape": [2, 3]})
    add(C, "expand.col", "expand", [f32(1, 2).reshape(2, 1)], {"shape": [2, 4]})
    add(C, "expand.minus1", "expand", [f32(1, 2).reshape(2, 1)], {"shape": [3, -1, 2]})
    add(C, "expand.bad", "expand", [f32(1, 2, 3)], {"shape": [2, 4]}, expect_error=True)
    add(C, "expand.i64", "expand", [torch.tensor([[7], [8]])], {"shape": [2, 3]})
    add(C, "narrow.dim0", "narrow", [m], {"dim": 0, "start": 1, "length": 2})
    add(C, "narrow.dim1", "narrow", [m], {"dim": 1, "start": 1, "length": 3})
    add(C, "narrow.neg_start", "narrow", [m], {"dim": -1, "start": -2, "length": 2})
    add(C, "narrow.too_long", "narrow", [m], {"dim": 0, "start": 2, "length": 2}, expect_error=True)
    add(C, "repeat.2d", "repeat", [f32(1, 2).reshape(1, 2)], {"repeats": [2, 3]})
    add(C, "repeat.more_dims", "repeat", [f32(1, 2, 3)], {"repeats": [2, 1, 2]})
    add(C, "repeat.i64", "repeat", [torch.tensor([[1, 2], [3, 4]])], {"repeats": [1, 2]})
    add(C, "repeat.too_few", "repeat", [m], {"repeats": [2]}, expect_error=True)
    add(C, "repeat.transposed", "repeat", [inp(m, [["t"]])], {"repeats": [1, 2]})
    add(C, "unfold.1d", "unfold", [f32(10)], {"dim": 0, "size": 3, "step": 2})
    add(C, "unfold.2d_last", "unfold", [f32(3, 7)], {"dim": -1, "size": 4, "step": 1})
    add(C, "unfold.twice", "unfold", [f32(2, 5)], {"dim": 0, "size": 2, "step": 1})
    add(C, "unfold.too_big", "unfold", [f32(3)], {"dim": 0, "size": 4, "step": 1}, expect_error=True)
    add(C, "pad.last_dim", "pad", [f32(2, 3)], {"padding": [1, 2], "value": 0.0})
    add(C, "pad.two_dims_value", "pad", [f32(2, 3, 4)], {"padding": [1, 0, 2, 1], "value": -1.5})
    add(C, "pad.negative_crops", "pad", [f32(3, 5)], {"padding": [-1, 2, 1, -2], "value": 0.0})
    add(C, "pad.i64", "pad", [torch.tensor([[1, 2], [3, 4]])], {"padding": [1, 1, 1, 1], "value": 7.0})
    add(C, "pad.odd_length", "pad", [f32(3)], {"padding": [1], "value": 0.0}, expect_error=True)
    add(C, "split.even", "split", [m], {"splitSize": 2, "dim": 1})
    add(C, "split.uneven", "split", [torch.arange(5).float()], {"splitSize": 2, "dim": 0})
    add(C, "split.dim0", "split", [m], {"splitSize": 2, "dim": 0})
    add(C, "split.neg_dim", "split", [x], {"splitSize": 3, "dim": -1})
    add(C, "chunk.even", "chunk", [m], {"chunks": 2, "dim": 1})
    add(C, "chunk.uneven_5_3", "chunk", [torch.arange(5).float()], {"chunks": 3, "dim": 0})
    add(C, "chunk.6_4_gives_3", "chunk", [torch.arange(6).float()], {"chunks": 4, "dim": 0})
    add(C, "chunk.more_than_size", "chunk", [torch.arange(3).float()], {"chunks": 5, "dim": 0})
    add(C, "chunk.neg_dim", "chunk", [x], {"chunks": 2, "dim": -2})
    add(C, "contiguous.transposed", "contiguous", [inp(m, [["t"]])])
    add(C, "contiguous.permuted", "contiguous", [inp(x, [["permute", 2, 0, 1]])])
    add(C, "contiguous.sliced", "contiguous", [inp(x, [["slice", 2, 1, 4, 2]])])
    add(C, "contiguous.expanded", "contiguous", [inp(f32(1, 2, 3), [["expand", 2, 3]])])
    add(C, "contiguous.already", "contiguous", [m])
    a, b, c = rf(2, 3), rf(2, 3), rf(1, 3)
    add(C, "cat.dim0", "cat", [a, b, c], {"dim": 0})
    add(C, "cat.dim1", "cat", [a, rf(2, 1), b], {"dim": 1})
    add(C, "cat.neg_dim", "cat", [a, b], {"dim": -1})
    add(C, "cat.3d_dim1", "cat", [rf(2, 1, 2), rf(2, 3, 2)], {"dim": 1})
    add(C, "cat.1d", "cat", [f32(1, 2), f32(3), f32(4, 5, 6)], {"dim": 0})
    add(C, "cat.i64", "cat", [torch.tensor([1, 2]), torch.tensor([3])], {"dim": 0})
    add(C, "cat.promote_i64_f32", "cat", [torch.tensor([1, 2]), f32(0.5)], {"dim": 0})
    add(C, "cat.transposed", "cat", [inp(rf(3, 2), [["t"]]), a], {"dim": 0})
    add(C, "cat.with_empty", "cat", [f32(1, 2), torch.zeros(0)], {"dim": 0})
    add(C, "cat.shape_mismatch", "cat", [a, rf(2, 2)], {"dim": 0}, expect_error=True)
    add(C, "cat.single", "cat", [a], {"dim": 1})
    for d in (0, 1, 2, -1, -3):
        add(C, "stack.dim%d" % d, "stack", [a, b], {"dim": d})
    add(C, "stack.three_1d", "stack", [f32(1, 2), f32(3, 4), f32(5, 6)], {"dim": 1})
    add(C, "stack.i64", "stack", [torch.tensor([1, 2]), torch.tensor([3, 4])], {"dim": 0})
    add(C, "stack.scalars", "stack", [torch.tensor(1.0), torch.tensor(2.0)], {"dim": 0})
    add(C, "stack.shape_mismatch", "stack", [a, c], {"dim": 0}, expect_error=True)
    add(C, "stack.bad_dim", "stack", [a, b], {"dim": 3}, expect_error=True)


# ----------------------------------------------------------------------------------------------------------------------
# indexing
# ----------------------------------------------------------------------------------------------------------------------

def gen_indexing():
    C = "indexing"
    m = torch.arange(12).float().reshape(3, 4)
    x = torch.arange(24).float().reshape(2, 3, 4)
    v = torch.arange(10).float()
    add(C, "get.row", "get", [m], {"indices": [1]})
    add(C, "get.neg_row", "get", [m], {"indices": [-1]})
    add(C, "get.element", "get", [m], {"indices": [1, 2]})
    add(C, "get.3d_two", "get", [x], {"indices": [1, -2]})
    add(C, "get.3d_three", "get", [x], {"indices": [0, 2, 3]})
    add(C, "get.out_of_range", "get", [m], {"indices": [3]}, expect_error=True)
    add(C, "get.i64", "get", [torch.arange(6).reshape(2, 3)], {"indices": [1]})
    add(C, "get.transposed", "get", [inp(m, [["t"]])], {"indices": [2]})
    add(C, "select.dim1", "select", [m], {"dim": 1, "index": 2})
    add(C, "select.neg", "select", [x], {"dim": -1, "index": -1})
    add(C, "select.out_of_range", "select", [m], {"dim": 1, "index": 4}, expect_error=True)
    add(C, "slice.step2", "slice", [v], {"dim": 0, "start": 1, "end": 8, "step": 2})
    add(C, "slice.neg_start", "slice", [v], {"dim": 0, "start": -3, "end": BIG, "step": 1})
    add(C, "slice.neg_end", "slice", [v], {"dim": 0, "start": 0, "end": -2, "step": 3})
    add(C, "slice.neg_both", "slice", [v], {"dim": 0, "start": -5, "end": -1, "step": 1})
    add(C, "slice.end_past", "slice", [v], {"dim": 0, "start": 7, "end": 100, "step": 1})
    add(C, "slice.empty_result", "slice", [v], {"dim": 0, "start": 6, "end": 2, "step": 1})
    add(C, "slice.dim1", "slice", [m], {"dim": 1, "start": 0, "end": 4, "step": 3})
    add(C, "slice.dim_neg", "slice", [x], {"dim": -2, "start": 1, "end": 3, "step": 1})
    add(C, "slice.start_before", "slice", [v], {"dim": 0, "start": -100, "end": 3, "step": 1})
    for spec in ["1:3, :", "..., ::2", "None, -1", ":, 0", "-2:", ":, 1:3", "0, 1:, None", "..., None",
                 "1, ..., 0", ":, -1, ::3", "::2, ::-2"]:
        name = "index." + spec.replace(" ", "").replace(",", "_").replace("...", "ell").replace(":", "c").replace("-", "m")
        add(C, name, "index", [x], {"spec": spec})
    add(C, "index.2d_colon_zero", "index", [m], {"spec": ":, 0"})
    add(C, "index.2d_rows", "index", [m], {"spec": "1:3, :"})
    add(C, "index.int", "index", [m], {"spec": "2"})
    add(C, "index.out_of_range", "index", [m], {"spec": "5"}, expect_error=True)
    add(C, "index.too_many", "index", [m], {"spec": "0, 0, 0"}, expect_error=True)
    add(C, "index.transposed", "index", [inp(m, [["t"]])], {"spec": "1:, ::2"})
    idx = torch.tensor([2, 0, 2, -1])
    add(C, "indexTensor.i64", "indexTensor", [m, idx])
    add(C, "indexTensor.i64_1d", "indexTensor", [v, torch.tensor([9, 0, 5])])
    add(C, "indexTensor.i64_2d_idx", "indexTensor", [v, torch.tensor([[1, 2], [3, 4]])])
    add(C, "indexTensor.bool_mask", "indexTensor", [m, m > 5])
    add(C, "indexTensor.bool_rows", "indexTensor", [m, torch.tensor([True, False, True])])
    add(C, "indexTensor.out_of_range", "indexTensor", [v, torch.tensor([10])], expect_error=True)
    add(C, "maskedSelect.same", "maskedSelect", [m, m.remainder(3) == 0])
    add(C, "maskedSelect.bcast", "maskedSelect", [m, torch.tensor([True, False, False, True])])
    add(C, "maskedSelect.none", "maskedSelect", [m, torch.zeros(3, 4, dtype=torch.bool)])
    add(C, "maskedSelect.i64", "maskedSelect", [torch.arange(6).reshape(2, 3), torch.tensor([[True], [False]])])
    add(C, "indexSelect.dim0", "indexSelect", [m, torch.tensor([2, 0])], {"dim": 0})
    add(C, "indexSelect.dim1_repeat", "indexSelect", [m, torch.tensor([3, 3, 1])], {"dim": 1})
    add(C, "indexSelect.3d", "indexSelect", [x, torch.tensor([0, 2])], {"dim": -2})
    add(C, "indexSelect.out_of_range", "indexSelect", [m, torch.tensor([3])], {"dim": 0}, expect_error=True)
    add(C, "indexSelect.i32_index", "indexSelect", [m, torch.tensor([1, 0], dtype=torch.int32)], {"dim": 0})
    g2 = torch.tensor([[0, 0], [1, 0], [3, 2]])
    add(C, "gather.dim1", "gather", [m, g2], {"dim": 1})
    add(C, "gather.dim0", "gather", [m, torch.tensor([[0, 1, 2, 0], [2, 2, 1, 1]])], {"dim": 0})
    add(C, "gather.3d", "gather", [x, torch.tensor([[[3, 0], [1, 1], [2, 0]], [[0, 0], [3, 3], [1, 2]]])], {"dim": 2})
    add(C, "gather.out_of_range", "gather", [m, torch.tensor([[4]])], {"dim": 1}, expect_error=True)
    z = torch.zeros(3, 5)
    src = torch.arange(1, 11).float().reshape(2, 5)
    add(C, "scatter.dim0", "scatter", [z, torch.tensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]]), src], {"dim": 0})
    add(C, "scatter.dim1", "scatter", [z, torch.tensor([[0, 4], [1, 3]]), src], {"dim": 1})
    add(C, "scatter.value", "scatter", [z, torch.tensor([[0, 4], [1, 3]])], {"dim": 1, "value": 2.5})
    add(C, "scatterAdd.dups", "scatterAdd", [torch.ones(3, 5), torch.tensor([[0, 1, 2, 0, 0], [0, 1, 0, 1, 2]]), src], {"dim": 0})
    add(C, "scatterAdd.dim1", "scatterAdd", [z, torch.tensor([[0, 0, 4], [1, 1, 1]]), src], {"dim": 1})
    add(C, "scatterAdd.i64", "scatterAdd", [torch.zeros(4, dtype=torch.int64), torch.tensor([0, 1, 0, 3, 3]), torch.tensor([1, 2, 3, 4, 5])], {"dim": 0})
    add(C, "indexAdd.dim0", "indexAdd", [torch.ones(5, 3), torch.tensor([0, 4, 2, 0]), torch.arange(12).float().reshape(4, 3)], {"dim": 0})
    add(C, "indexAdd.dim1", "indexAdd", [torch.zeros(2, 4), torch.tensor([3, 1]), torch.tensor([[1., 2.], [3., 4.]])], {"dim": 1})
    add(C, "indexAdd.shape_error", "indexAdd", [torch.zeros(2, 4), torch.tensor([3, 1]), torch.ones(3, 2)], {"dim": 1}, expect_error=True)
    add(C, "maskedFill.same", "maskedFill", [m, m > 6], {"value": -1.0})
    add(C, "maskedFill.bcast", "maskedFill", [m, torch.tensor([[True], [False], [True]])], {"value": 0.5})
    add(C, "maskedFill.nan", "maskedFill", [m, torch.tensor([False, True, False, False])], {"value": "nan"})
    add(C, "maskedFill.i64", "maskedFill", [torch.arange(6).reshape(2, 3), torch.tensor([True, False, True])], {"value": 9.0})
    add(C, "maskedFill.transposed", "maskedFill", [inp(m, [["t"]]), torch.tensor([True, False, True])], {"value": 7.0})
    cond = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, True, False]])
    add(C, "where.same", "where", [cond, m, -m])
    add(C, "where.bcast", "where", [torch.tensor([True, False, True, False]), m, torch.zeros(3, 1)])
    add(C, "where.promote_i64_f32", "where", [torch.tensor([True, False, True]), torch.tensor([1, 2, 3]), f32(0.5, 0.5, 0.5)])
    add(C, "where.method", "where", [cond, m, torch.full((4,), -1.0)], {"method": True})
    add(C, "where.bad_shape", "where", [cond, m, torch.zeros(2)], expect_error=True)
    add(C, "indexPut.scalar_rows", "indexPut", [m], {"spec": "1:3, :", "value": 0.0})
    add(C, "indexPut.scalar_col", "indexPut", [m], {"spec": ":, 1", "value": -5.0})
    add(C, "indexPut.tensor", "indexPut", [m, f32(1, 2, 3, 4)], {"spec": "0"})
    add(C, "indexPut.tensor_bcast", "indexPut", [x, f32(9, 8)], {"spec": "..., ::2"})
    add(C, "indexPut.step", "indexPut", [v], {"spec": "::3", "value": 100.0})


# ----------------------------------------------------------------------------------------------------------------------
# conversions and creation
# ----------------------------------------------------------------------------------------------------------------------

def gen_conversion():
    C = "conversion"
    xf = f32(-2.7, -1.5, -0.5, 0.0, 0.4, 1.5, 2.9, 100.99)
    for dt in ("float64", "int64", "int32", "bool", "int8", "float16"):
        add(C, "f32_to_" + dt, "to", [xf], {"dtype": dt})
    add(C, "f32_to_uint8", "to", [f32(0, 0.9, 1.5, 127.7, 200.2, 255.0)], {"dtype": "uint8"})
    add(C, "f32_nan_to_bool", "to", [f32(NAN, 0, -0.0, INF)], {"dtype": "bool"})
    add(C, "f64_to_f32_rounding", "to", [torch.tensor([0.1, 1 / 3, 1e-40, 3.4e38, 1e39, 16777217.0], dtype=torch.float64)], {"dtype": "float32"})
    add(C, "f64_to_i64", "to", [torch.tensor([-3.99, 3.99, 1e15 + 0.5], dtype=torch.float64)], {"dtype": "int64"})
    add(C, "i64_to_f32", "to", [torch.tensor([1, -2, 16777217, 123456789])], {"dtype": "float32"})
    add(C, "i64_to_f64", "to", [torch.tensor([1, -2, 9007199254740993])], {"dtype": "float64"})
    add(C, "i64_to_bool", "to", [torch.tensor([0, 1, -3])], {"dtype": "bool"})
    add(C, "i64_to_i32", "to", [torch.tensor([0, 1, -3, 2147483647])], {"dtype": "int32"})
    add(C, "i64_to_u8", "to", [torch.tensor([0, 1, 255, 256, 300])], {"dtype": "uint8"})
    add(C, "i64_to_i8", "to", [torch.tensor([0, 127, 128, -129, 255])], {"dtype": "int8"})
    add(C, "bool_to_f32", "to", [torch.tensor([True, False])], {"dtype": "float32"})
    add(C, "bool_to_i64", "to", [torch.tensor([True, False])], {"dtype": "int64"})
    add(C, "u8_to_f32", "to", [torch.tensor([0, 128, 255], dtype=torch.uint8)], {"dtype": "float32"})
    add(C, "u8_to_i8", "to", [torch.tensor([0, 128, 255], dtype=torch.uint8)], {"dtype": "int8"})
    add(C, "i8_to_u8", "to", [torch.tensor([-1, -128, 5], dtype=torch.int8)], {"dtype": "uint8"})
    add(C, "i32_to_f64", "to", [torch.tensor([-7, 7], dtype=torch.int32)], {"dtype": "float64"})
    add(C, "f32_transposed_to_f64", "to", [inp(rf(2, 3), [["t"]])], {"dtype": "float64"})
    add(C, "f32_same_dtype", "to", [rf(3)], {"dtype": "float32"})
    add(C, "half.roundtrip", "halfRoundTrip",
        [f32(0.1, 1 / 3, 65504, 65519, 65520, 1e5, 1e-8, 6e-8, 3e-8, 2049, 2051, 2050, -0.5, NAN, INF, -INF, -0.0, 1e-5)])
    add(C, "half.roundtrip_random", "halfRoundTrip", [rf(16, scale=10, digits=4)])
    add(C, "half.to_f16_values", "to", [f32(0.1, 1.0009765625, 1.00048828125, 1.0014648, 65535)], {"dtype": "float16"})
    add(C, "half.from_f16", "to", [torch.tensor([0.1, 2.5, -1e-4, 60000], dtype=torch.float16)], {"dtype": "float32"})

    C = "creation"
    add(C, "arange.long_end", "arange", [], {"start": 0, "end": 10, "step": 1, "form": "long"})
    add(C, "arange.long_step3", "arange", [], {"start": 2, "end": 12, "step": 3, "form": "long"})
    add(C, "arange.long_neg_step", "arange", [], {"start": 10, "end": 0, "step": -2, "form": "long"})
    add(C, "arange.long_empty", "arange", [], {"start": 5, "end": 5, "step": 1, "form": "long"})
    add(C, "arange.long_zero_step", "arange", [], {"start": 0, "end": 5, "step": 0, "form": "long"}, expect_error=True)
    add(C, "arange.long_wrong_sign", "arange", [], {"start": 0, "end": 5, "step": -1, "form": "long"}, expect_error=True)
    add(C, "arange.double_01", "arange", [], {"start": 0.0, "end": 1.0, "step": 0.1, "form": "double"})
    add(C, "arange.double_neg", "arange", [], {"start": -1.0, "end": 1.0, "step": 0.25, "form": "double"})
    add(C, "arange.double_03", "arange", [], {"start": 0.0, "end": 1.0, "step": 0.3, "form": "double"})
    add(C, "arange.double_desc", "arange", [], {"start": 2.0, "end": -1.0, "step": -0.5, "form": "double"})
    add(C, "arange.double_ints", "arange", [], {"start": 0.0, "end": 5.0, "step": 1.0, "form": "double"})
    add(C, "arange.double_f64", "arange", [], {"start": 0.0, "end": 1.0, "step": 0.1, "form": "double", "dtype": "float64"})
    add(C, "arange.double_i64", "arange", [], {"start": 0.5, "end": 5.0, "step": 1.5, "form": "double", "dtype": "int64"})
    add(C, "linspace.0_1_5", "linspace", [], {"start": 0.0, "end": 1.0, "steps": 5})
    add(C, "linspace.neg_7", "linspace", [], {"start": -1.0, "end": 1.0, "steps": 7})
    add(C, "linspace.one", "linspace", [], {"start": 3.0, "end": 10.0, "steps": 1})
    add(C, "linspace.zero", "linspace", [], {"start": 3.0, "end": 10.0, "steps": 0})
    add(C, "linspace.desc", "linspace", [], {"start": 10.0, "end": -10.0, "steps": 6})
    add(C, "linspace.f64_11", "linspace", [], {"start": 0.0, "end": 1.0, "steps": 11, "dtype": "float64"})
    add(C, "linspace.thirds", "linspace", [], {"start": 0.0, "end": 1.0, "steps": 4})
    add(C, "linspace.i64", "linspace", [], {"start": 0.0, "end": 10.0, "steps": 4, "dtype": "int64"})
    add(C, "eye.3", "eye", [], {"n": 3})
    add(C, "eye.2x4", "eye", [], {"n": 2, "m": 4})
    add(C, "eye.4x2", "eye", [], {"n": 4, "m": 2})
    add(C, "eye.i64", "eye", [], {"n": 3, "dtype": "int64"})
    add(C, "eye.f64", "eye", [], {"n": 2, "dtype": "float64"})
    add(C, "full.f32", "full", [], {"shape": [2, 3], "value": 1.5})
    add(C, "full.i64", "full", [], {"shape": [3], "value": 7.0, "dtype": "int64"})
    add(C, "full.bool", "full", [], {"shape": [2], "value": 1.0, "dtype": "bool"})
    add(C, "full.nan", "full", [], {"shape": [2], "value": "nan"})
    add(C, "full.scalar", "full", [], {"shape": [], "value": -2.0})
    add(C, "full.empty", "full", [], {"shape": [0, 3], "value": 1.0})
    add(C, "zeros.2x3", "zeros", [], {"shape": [2, 3]})
    add(C, "zeros.i32", "zeros", [], {"shape": [4], "dtype": "int32"})
    add(C, "zeros.bool", "zeros", [], {"shape": [2, 2], "dtype": "bool"})
    add(C, "ones.3d", "ones", [], {"shape": [2, 1, 3]})
    add(C, "ones.f64", "ones", [], {"shape": [3], "dtype": "float64"})
    add(C, "ones.u8", "ones", [], {"shape": [3], "dtype": "uint8"})
    add(C, "ones.i64", "ones", [], {"shape": [2, 2], "dtype": "int64"})


# ----------------------------------------------------------------------------------------------------------------------
# random streams
# ----------------------------------------------------------------------------------------------------------------------

def gen_random():
    C = "random"

    def r(name, seed, calls, generator=False):
        a = {"seed": seed, "calls": calls}
        if generator:
            a["generator"] = True
        add(C, name, "random", [], a, exact=True)

    for seed in (0, 42):
        for n in (5, 16, 37):
            r("rand.f32_n%d_seed%d" % (n, seed), seed, [{"fn": "rand", "shape": [n], "dtype": "float32"}])
            r("randn.f32_n%d_seed%d" % (n, seed), seed, [{"fn": "randn", "shape": [n], "dtype": "float32"}])
        r("rand.f64_n7_seed%d" % seed, seed, [{"fn": "rand", "shape": [7], "dtype": "float64"}])
        r("randn.f64_n7_seed%d" % seed, seed, [{"fn": "randn", "shape": [7], "dtype": "float64"}])
        r("randn.f64_n20_seed%d" % seed, seed, [{"fn": "randn", "shape": [20], "dtype": "float64"}])
        r("randint.0_10_n20_seed%d" % seed, seed, [{"fn": "randint", "low": 0, "high": 10, "shape": [20]}])
        r("randperm.10_seed%d" % seed, seed, [{"fn": "randperm", "n": 10}])
        r("randperm.100_seed%d" % seed, seed, [{"fn": "randperm", "n": 100}])
    r("rand.f32_2d_seed1", 1, [{"fn": "rand", "shape": [3, 4], "dtype": "float32"}])
    r("randn.f32_2d_4x4_seed1", 1, [{"fn": "randn", "shape": [4, 4], "dtype": "float32"}])
    r("randn.f32_n15_seed1", 1, [{"fn": "randn", "shape": [15], "dtype": "float32"}])
    r("randn.f32_n17_seed1", 1, [{"fn": "randn", "shape": [17], "dtype": "float32"}])
    r("randn.f32_n100_seed1", 1, [{"fn": "randn", "shape": [100], "dtype": "float32"}])
    r("randint.neg_range_seed3", 3, [{"fn": "randint", "low": -5, "high": 5, "shape": [2, 6]}])
    r("randint.big_range_seed3", 3, [{"fn": "randint", "low": 0, "high": 1 << 40, "shape": [6]}])
    r("randperm.1_seed3", 3, [{"fn": "randperm", "n": 1}])
    # sequences: the generator state carries over between calls
    r("seq.rand_rand", 7, [{"fn": "rand", "shape": [5], "dtype": "float32"}, {"fn": "rand", "shape": [5], "dtype": "float32"}])
    r("seq.randn3_randn3", 7, [{"fn": "randn", "shape": [3], "dtype": "float32"}, {"fn": "randn", "shape": [3], "dtype": "float32"}])
    r("seq.randn3_rand2", 7, [{"fn": "randn", "shape": [3], "dtype": "float32"}, {"fn": "rand", "shape": [2], "dtype": "float32"}])
    r("seq.randn16_randn3", 7, [{"fn": "randn", "shape": [16], "dtype": "float32"}, {"fn": "randn", "shape": [3], "dtype": "float32"}])
    r("seq.randn1_x3", 7, [{"fn": "randn", "shape": [1], "dtype": "float32"}] * 3)
    r("seq.randperm_rand_randint", 11, [{"fn": "randperm", "n": 10}, {"fn": "rand", "shape": [4], "dtype": "float32"},
                                        {"fn": "randint", "low": 0, "high": 100, "shape": [5]}])
    r("seq.rand_f64_f32", 11, [{"fn": "rand", "shape": [3], "dtype": "float64"}, {"fn": "rand", "shape": [3], "dtype": "float32"}])
    r("uniform_.f32_n8", 5, [{"fn": "uniform_", "shape": [8], "dtype": "float32", "from": -2.0, "to": 3.0}])
    r("normal_.f32_n8", 5, [{"fn": "normal_", "shape": [8], "dtype": "float32", "mean": 1.0, "std": 0.5}])
    r("normal_.f32_n32", 5, [{"fn": "normal_", "shape": [32], "dtype": "float32", "mean": -1.0, "std": 2.0}])
    # independent Generator objects (Torch.rand(Generator, shape) etc.)
    r("generator.rand_n10", 123, [{"fn": "rand", "shape": [10], "dtype": "float32"}], generator=True)
    r("generator.randn_n5_n20", 123, [{"fn": "randn", "shape": [5], "dtype": "float32"},
                                      {"fn": "randn", "shape": [20], "dtype": "float32"}], generator=True)
    r("generator.randint", 123, [{"fn": "randint", "low": 0, "high": 6, "shape": [12]}], generator=True)
    r("generator.randperm", 123, [{"fn": "randperm", "n": 12}], generator=True)


# ----------------------------------------------------------------------------------------------------------------------
# printing
# ----------------------------------------------------------------------------------------------------------------------

def gen_printing():
    C = "printing"
    p = lambda name, t, **a: add(C, name, "str", [t], a)
    p("float_intvalued", f32(1, 2))
    p("float_intvalued_neg", f32(-1, 20, 300))
    p("float_general", f32(1.5, 0.25, -3.125, 10.0))
    p("float_4digits", torch.tensor([0.123456, 1.0, 2.718281828, -0.5]))
    p("float_randn", torch.randn(6))
    p("float_sci_large_ratio", f32(1e-5, 1.0, 1000.0))
    p("float_sci_big", f32(1e10, 1.0))
    p("float_sci_small", f32(1e-10, 3e-9))
    p("float_large_ints", f32(123456789, 1))
    p("float_nan_inf", f32(NAN, INF, -INF, 1.5))
    p("float_nan_inf_intvalued", f32(NAN, INF, -INF, 2))
    p("float_only_nan", f32(NAN))
    p("zero_dim_float", torch.tensor(3.5))
    p("zero_dim_float_int", torch.tensor(2.0))
    p("zero_dim_int", torch.tensor(7))
    p("zero_dim_bool", torch.tensor(True))
    p("zero_dim_f64", torch.tensor(0.1, dtype=torch.float64))
    p("empty_1d", torch.zeros(0))
    p("empty_2d", torch.zeros(2, 0))
    p("empty_i64", torch.zeros(0, dtype=torch.int64))
    p("empty_i32_2d", torch.zeros(0, 3, dtype=torch.int32))
    p("int64", torch.tensor([1, -20, 300]))
    p("int64_2d", torch.tensor([[1, 2, 3], [-4, 50, 6]]))
    p("int32", torch.tensor([1, 2, -3], dtype=torch.int32))
    p("float64", torch.tensor([1.5, 2.25], dtype=torch.float64))
    p("float64_intvalued", torch.tensor([1., 2.], dtype=torch.float64))
    p("bool", torch.tensor([True, False, True]))
    p("bool_2d", torch.tensor([[True, False], [False, True]]))
    p("uint8", torch.tensor([0, 128, 255], dtype=torch.uint8))
    p("int8", torch.tensor([-128, 0, 127], dtype=torch.int8))
    p("float16", torch.tensor([0.1, 2.5, -1.0], dtype=torch.float16))
    p("float_2d", torch.tensor([[1.5, -2.25, 3.0], [4.125, 5.0, -6.5]]))
    p("float_2d_mixed_width", torch.tensor([[1.0, -200.5], [3.25, 4.0]]))
    p("float_3d", torch.arange(12).float().reshape(2, 3, 2) / 4)
    p("int_3d", torch.arange(24).reshape(2, 3, 4))
    p("float_4d", torch.arange(8).float().reshape(2, 1, 2, 2))
    p("summarize_1d_2000", torch.arange(2000).float() / 8)
    p("summarize_1d_2000_fixed", torch.arange(2000).float() / 8 + 100)
    p("summarize_2d_40x40", (torch.arange(1600).float().reshape(40, 40) - 800) / 4)
    p("summarize_int_1001", torch.arange(1001))
    p("no_summarize_1000", torch.arange(1000))
    p("requires_grad", f32(1.0, 2.5), requiresGrad=True)
    p("requires_grad_2d", torch.tensor([[1.0, 2.0], [3.0, 4.0]]), requiresGrad=True)
    p("requires_grad_0d", torch.tensor(1.5), requiresGrad=True)
    p("wrap_float_30", torch.arange(30).float() * 1.5)
    p("wrap_int_40", torch.arange(40) * 1000)
    p("wrap_2d_rows", torch.arange(40).float().reshape(2, 20) / 3)
    p("wrap_sci", torch.tensor([1e-5 * (i + 1) for i in range(12)] + [1e3]))
    p("wrap_f64_suffix", torch.arange(20, dtype=torch.float64) / 7)
    p("transposed_view", inp(torch.tensor([[1.5, 2.0, 3.0], [4.0, 5.0, 6.0]]), [["t"]]))
    p("neg_zero", f32(-0.0, 1.0))
    p("small_values", f32(0.001, 0.0002, 0.5))


def add_capability_alternatives():
    """float32 randn/normal_ of >= 16 contiguous elements goes through normal_fill, whose AVX2 kernel uses
    avx_mathfun's log/sincos approximations while the default kernel uses libm logf/sinf/cosf: the two differ in the
    last bits. Record the default-kernel result too ("expectedAlt") where it differs, so a Java implementation can
    match either of PyTorch's own CPU kernels bit for bit."""
    import subprocess
    cases = [c for c in CASES if c["op"] == "random"]
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    code = ("import json,sys; sys.path.insert(0, %r); import generate_fixtures as g; "
            "args=json.load(sys.stdin); print(json.dumps([[g.encode(t) for t in g.run_random(a)] for a in args]))") % HERE
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps([c["args"] for c in cases]),
                         capture_output=True, text=True, env=env, check=True).stdout
    alts = json.loads(out)
    n = 0
    for c, alt in zip(cases, alts):
        if alt != c["expected"]:
            c["expectedAlt"] = alt
            c["altNote"] = ("expected: PyTorch's AVX2 CPU kernel (avx_mathfun log/sincos); expectedAlt: its default "
                            "kernel (ATEN_CPU_CAPABILITY=default, libm logf/sinf/cosf)")
            n += 1
    return n


# ----------------------------------------------------------------------------------------------------------------------
# schema ops (generated last: the cases above keep their random inputs)
# ----------------------------------------------------------------------------------------------------------------------

def gen_schema_ops():
    C = "schema"
    add(C, "flip_dim0", "flip", [rf(3, 4)], {"dims": [0]})
    add(C, "flip_two_dims", "flip", [rf(2, 3, 4)], {"dims": [0, 2]})
    add(C, "flip_negative_dim", "flip", [rf(2, 3)], {"dims": [-1]})
    add(C, "flip_no_dims", "flip", [rf(2, 3)], {"dims": []})
    add(C, "flip_transposed", "flip", [inp(rf(3, 4), [["t"]])], {"dims": [1]})
    add(C, "flip_int64", "flip", [ri(-9, 9, 2, 5)], {"dims": [1]})
    add(C, "flip_bool", "flip", [torch.tensor([[True, False, False], [False, True, True]])], {"dims": [0, 1]})
    add(C, "flip_0d", "flip", [torch.tensor(2.5)], {"dims": [0]})
    add(C, "flip_duplicate_dims", "flip", [rf(2, 3)], {"dims": [0, 0]}, expect_error=True)
    add(C, "flip_dim_out_of_range", "flip", [rf(2, 3)], {"dims": [2]}, expect_error=True)

    add(C, "addmm", "addmm", [rf(4), rf(3, 5), rf(5, 4)], {})
    add(C, "addmm_beta_alpha", "addmm", [rf(3, 4), rf(3, 5), rf(5, 4)], {"beta": 0.5, "alpha": -2.0})
    add(C, "addmm_beta0_ignores_nan", "addmm", [f32(NAN, 1.0), rf(2, 3), rf(3, 2)], {"beta": 0.0})
    add(C, "addmm_mat2_transposed", "addmm", [rf(1, 4), rf(3, 5), inp(rf(4, 5), [["t"]])], {})
    add(C, "addmm_float64", "addmm", [rf(2).double(), rf(2, 3).double(), rf(3, 2).double()], {"alpha": 3.0})
    add(C, "addmm_shape_mismatch", "addmm", [rf(4), rf(3, 5), rf(4, 4)], {}, expect_error=True)
    add(C, "addmm_self_too_big", "addmm", [rf(5), rf(3, 5), rf(5, 4)], {}, expect_error=True)
    add(C, "baddbmm", "baddbmm", [rf(2, 3, 4), rf(2, 3, 5), rf(2, 5, 4)], {"beta": 2.0, "alpha": 0.5})
    add(C, "baddbmm_broadcast_self", "baddbmm", [rf(4), rf(2, 3, 5), rf(2, 5, 4)], {})
    add(C, "dot", "dot", [rf(5), rf(5)], {})
    add(C, "dot_int64", "dot", [ri(-5, 5, 4), ri(-5, 5, 4)], {})
    add(C, "dot_2d", "dot", [rf(2, 2), rf(4)], {}, expect_error=True)
    add(C, "dot_lengths", "dot", [rf(3), rf(4)], {}, expect_error=True)
    add(C, "dot_dtypes", "dot", [rf(3), rf(3).double()], {}, expect_error=True)
    add(C, "cumsum_dim0", "cumsum", [rf(3, 4)], {"dim": 0})
    add(C, "cumsum_last", "cumsum", [rf(2, 3, 4)], {"dim": -1})
    add(C, "cumsum_transposed", "cumsum", [inp(rf(3, 4), [["t"]])], {"dim": 1})
    add(C, "cumsum_int32_to_int64", "cumsum", [ri(-9, 9, 6, dtype=torch.int32)], {"dim": 0})
    add(C, "cumsum_bool", "cumsum", [torch.tensor([True, False, True, True])], {"dim": 0})
    add(C, "cumsum_0d", "cumsum", [torch.tensor(1.5)], {"dim": 0})
    add(C, "cumsum_long_float32", "cumsum", [rf(1000, scale=100.0)], {"dim": 0})
    add(C, "cumprod_dim1", "cumprod", [rf(3, 4)], {"dim": 1})
    add(C, "cumprod_with_zero", "cumprod", [f32(1.5, -2.0, 0.0, 3.0, 0.5)], {"dim": 0})
    add(C, "cumprod_two_zeros", "cumprod", [f32(2.0, 0.0, 3.0, 0.0, 4.0)], {"dim": 0})
    add(C, "cumprod_dim0_3d", "cumprod", [rf(3, 2, 2)], {"dim": 0})
    add(C, "cumprod_int32_to_int64", "cumprod", [ri(-3, 4, 5, dtype=torch.int32)], {"dim": 0})
    add(C, "unique", "unique", [torch.tensor([3, 1, 3, 2, 1, 1])], {})
    add(C, "unique_inverse_counts", "unique", [torch.tensor([[3, 1], [3, 2]])], {"return_inverse": True, "return_counts": True})
    add(C, "unique_float", "unique", [f32(2.5, -1.0, 2.5, 0.0)], {"return_counts": True})
    add(C, "unique_bool", "unique", [torch.tensor([True, False, True])], {})
    add(C, "bincount", "bincount", [torch.tensor([1, 1, 3, 0])], {})
    add(C, "bincount_minlength", "bincount", [torch.tensor([1, 1, 3])], {"minlength": 6})
    add(C, "bincount_empty", "bincount", [torch.tensor([], dtype=torch.int64)], {})
    add(C, "bincount_weights", "bincount", [torch.tensor([0, 1, 1, 3]), f32(0.5, 1.0, 2.0, 4.0)], {})
    add(C, "bincount_int_weights_float64", "bincount", [torch.tensor([0, 1, 1]), torch.tensor([1, 2, 3])], {"minlength": 5})
    add(C, "bincount_weights_length", "bincount", [torch.tensor([0, 1]), f32(1.0)], {}, expect_error=True)
    add(C, "bincount_negative", "bincount", [torch.tensor([-1, 1])], {}, expect_error=True)
    add(C, "bincount_2d", "bincount", [torch.tensor([[1]])], {}, expect_error=True)
    add(C, "einsum_matmul", "einsum", [rf(3, 4), rf(4, 2)], {"equation": "ij,jk->ik"})
    add(C, "einsum_batched", "einsum", [rf(2, 3, 4), rf(2, 4, 5)], {"equation": "bij,bjk->bik"})
    add(C, "einsum_dot", "einsum", [rf(5), rf(5)], {"equation": "i,i->"})
    add(C, "einsum_outer_implicit", "einsum", [rf(3), rf(2)], {"equation": "i,j"})
    add(C, "einsum_transpose", "einsum", [rf(3, 4)], {"equation": "ij->ji"})
    add(C, "einsum_implicit_sorted", "einsum", [rf(3, 4)], {"equation": "ba"})
    add(C, "einsum_sum_all", "einsum", [rf(3, 4)], {"equation": "ij->"})
    add(C, "einsum_diagonal", "einsum", [rf(3, 3)], {"equation": "ii->i"})
    add(C, "einsum_trace", "einsum", [rf(3, 3)], {"equation": "ii"})
    add(C, "einsum_bilinear", "einsum", [rf(2, 3), rf(4, 3, 5), rf(2, 5)], {"equation": "bn,anm,bm->ba"})
    add(C, "einsum_broadcast_dim1", "einsum", [rf(2, 1), rf(2, 3)], {"equation": "ij,ij->ij"})
    add(C, "einsum_spaces", "einsum", [rf(2, 3), rf(3)], {"equation": "ij, j -> i"})
    add(C, "einsum_ellipsis_batched_matmul", "einsum", [rf(2, 3, 4), rf(4, 5)], {"equation": "...ij,...jk->...ik"})
    add(C, "einsum_ellipsis_broadcast", "einsum", [rf(2, 1, 3, 4), rf(5, 4, 2)], {"equation": "...ij,...jk->...ik"})
    add(C, "einsum_ellipsis_leading", "einsum", [rf(2, 3)], {"equation": "i...->..."})
    add(C, "einsum_ellipsis_implicit", "einsum", [rf(2, 3, 4)], {"equation": "...ji"})
    add(C, "einsum_ellipsis_only", "einsum", [rf(2)], {"equation": "..."})
    add(C, "einsum_two_ellipses", "einsum", [rf(2, 3)], {"equation": "......"}, expect_error=True)
    add(C, "einsum_rank_mismatch", "einsum", [rf(2, 3)], {"equation": "ijk->i"}, expect_error=True)
    add(C, "einsum_unknown_output", "einsum", [rf(2, 3)], {"equation": "ij->k"}, expect_error=True)
    add(C, "einsum_too_many_operands", "einsum", [rf(2), rf(2)], {"equation": "i->i"}, expect_error=True)
    add(C, "einsum_size_mismatch", "einsum", [rf(2, 3), rf(4, 3)], {"equation": "ij,ij->ij"}, expect_error=True)
    add(C, "tril", "tril", [rf(4, 5)], {})
    add(C, "tril_diagonal", "tril", [rf(2, 3, 4)], {"diagonal": 1})
    add(C, "tril_negative", "tril", [rf(4, 3)], {"diagonal": -2})
    add(C, "tril_bool", "tril", [torch.ones(3, 3, dtype=torch.bool)], {})
    add(C, "tril_1d", "tril", [rf(3)], {}, expect_error=True)
    add(C, "triu", "triu", [rf(4, 5)], {})
    add(C, "triu_diagonal", "triu", [rf(3, 4)], {"diagonal": 2})
    add(C, "triu_int64", "triu", [ri(-5, 5, 3, 3)], {"diagonal": -1})
    add(C, "roll_dim", "roll", [rf(3, 4)], {"shifts": [1], "dims": [1]})
    add(C, "roll_negative", "roll", [rf(5)], {"shifts": [-2], "dims": [0]})
    add(C, "roll_two_dims", "roll", [rf(3, 4)], {"shifts": [2, -1], "dims": [0, 1]})
    add(C, "roll_flattened", "roll", [rf(2, 3)], {"shifts": [4]})
    add(C, "roll_large_shift", "roll", [rf(4)], {"shifts": [9], "dims": [0]})
    add(C, "roll_misaligned", "roll", [rf(2, 3)], {"shifts": [1, 2], "dims": [0]}, expect_error=True)
    logp = torch.log_softmax(rf(4, 5), 1)
    add(C, "nll_loss_mean", "nll_loss", [logp, torch.tensor([0, 4, 2, 1]), torch.ones(5)], {"reduction": 1, "ignore_index": -100}, no_grad=[2])
    add(C, "nll_loss_sum_weighted", "nll_loss", [logp, torch.tensor([0, 4, 2, 1]), rpos(5)], {"reduction": 2, "ignore_index": -100}, no_grad=[2])
    add(C, "nll_loss_none_ignored", "nll_loss", [logp, torch.tensor([0, 3, 3, 1]), rpos(5)], {"reduction": 0, "ignore_index": 3}, no_grad=[2])
    add(C, "nll_loss_mean_weighted_ignored", "nll_loss", [logp, torch.tensor([2, 3, 3, 1]), rpos(5)], {"reduction": 1, "ignore_index": 3}, no_grad=[2])
    add(C, "nll_loss_one_sample", "nll_loss", [torch.log_softmax(rf(5), 0), torch.tensor(3), torch.ones(5)], {"reduction": 1, "ignore_index": -100}, no_grad=[2])
    add(C, "mse_loss_mean", "mse_loss", [rf(3, 4), rf(3, 4)], {"reduction": 1})
    add(C, "mse_loss_sum", "mse_loss", [rf(5), rf(5)], {"reduction": 2})
    add(C, "mse_loss_none", "mse_loss", [rf(2, 3), rf(2, 3)], {"reduction": 0})
    distinct = (torch.randperm(12).float() * 0.5 - 3).view(3, 4)
    add(C, "amax_all", "amax", [rf(3, 4)], {})
    add(C, "amax_dim", "amax", [rf(3, 4)], {"dims": [1]})
    add(C, "amax_dims_keepdim", "amax", [rf(2, 3, 4)], {"dims": [0, 2], "keepdim": True})
    add(C, "amax_ties", "amax", [f32(1.0, 3.0, 3.0, 2.0)], {"dims": [0]}, no_grad=[0])  # no derivative at a tie
    add(C, "amax_int64", "amax", [ri(-9, 9, 3, 4)], {"dims": [0]})
    add(C, "amin_dim", "amin", [rf(3, 4)], {"dims": [0]})
    add(C, "amin_ties", "amin", [f32(1.0, 1.0, 3.0)], {}, no_grad=[0])
    add(C, "trace", "trace", [rf(3, 3)], {})
    add(C, "trace_rect", "trace", [rf(2, 4)], {})
    add(C, "trace_int64", "trace", [ri(-9, 9, 3, 3)], {})
    add(C, "trace_1d", "trace", [rf(3)], {}, expect_error=True)
    add(C, "sort_last", "sort", [distinct], {})
    add(C, "sort_dim0_descending", "sort", [distinct], {"dim": 0, "descending": True})
    add(C, "sort_stable_ties_nan", "sort", [f32(2.0, NAN, 1.0, 2.0, -INF, 1.0)], {}, no_grad=[0])
    add(C, "sort_int64", "sort", [torch.tensor([5, -1, 3, 3, 0])], {"descending": True})
    add(C, "argsort", "argsort", [distinct], {"dim": 1})
    add(C, "argsort_descending", "argsort", [distinct], {"dim": 0, "descending": True})
    add(C, "topk", "topk", [distinct], {"k": 2})
    add(C, "topk_smallest_dim0", "topk", [distinct], {"k": 2, "dim": 0, "largest": False})
    add(C, "topk_k_too_big", "topk", [distinct], {"k": 5}, expect_error=True)
    add(C, "diag_of_vector", "diag", [rf(3)], {})
    add(C, "diag_of_vector_above", "diag", [rf(3)], {"diagonal": 1})
    add(C, "diag_of_vector_below", "diag", [rf(2)], {"diagonal": -2})
    add(C, "diag_of_matrix", "diag", [rf(3, 4)], {})
    add(C, "diag_of_matrix_above", "diag", [rf(3, 4)], {"diagonal": 2})
    add(C, "diag_of_matrix_below", "diag", [rf(4, 3)], {"diagonal": -1})
    add(C, "diag_of_wide_matrix_above", "diag", [rf(2, 5)], {"diagonal": 1})
    add(C, "diag_3d", "diag", [rf(2, 2, 2)], {}, expect_error=True)
    add(C, "outer", "outer", [rf(3), rf(4)], {})
    add(C, "outer_2d", "outer", [rf(2, 2), rf(4)], {}, expect_error=True)
    add(C, "isclose", "isclose", [f32(1.0, 2.0, NAN, INF, 1e-9), f32(1.0 + 1e-6, 2.1, NAN, INF, 0.0)], {})
    add(C, "isclose_equal_nan_tolerances", "isclose", [f32(1.0, NAN, 10.0), f32(1.05, NAN, 10.5)],
        {"rtol": 0.01, "atol": 0.1, "equal_nan": True})
    add(C, "isclose_int64", "isclose", [torch.tensor([1, 2, 3]), torch.tensor([1, 3, 3])], {})
    # explicit values only (no draws from the shared generator, which would shift the cases after these): NaN and inf
    # gradients, NaN and signed-zero inputs, ten elements so a vector kernel has a tail
    grads = f32(1.5, -2.0, NAN, 3.0, INF, -1.0, 0.25, 4.0, 5.0, -6.0)
    selfs = f32(1.0, 0.0, -1.0, NAN, -0.0, 2.0, 0.5, 0.0, 1e-8, -3.0)
    # self: piecewise constant, with the cases' values on the kink (PyTorch's derivative there: zeros), so no gradcheck
    add(C, "threshold_backward", "threshold_backward", [grads, selfs], {"threshold": 0.0}, no_grad=[1])
    add(C, "threshold_backward_at_half", "threshold_backward", [grads, selfs], {"threshold": 0.5}, no_grad=[1])
    # float16: PyTorch 1.13's CPU kernel has none ("threshold_cpu" not implemented for 'Half'), 2.x's has; the half paths
    # are checked in HalfOpsTest against float32
    add(C, "threshold_backward_promotes", "threshold_backward", [grads, selfs.double()], {"threshold": 0.0}, no_grad=[1])
    add(C, "threshold_backward_broadcast", "threshold_backward", [f32(1.0, -2.0, 3.0).expand(2, 3).contiguous(),
                                                                 f32(1.0, -1.0).reshape(2, 1)], {"threshold": 0.0}, no_grad=[1])
    add(C, "threshold_backward_transposed", "threshold_backward",
        [inp(f32(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).reshape(2, 3), [["t"]]), f32(1.0, -1.0, 0.0, 2.0, -2.0, 3.0).reshape(3, 2)],
        {"threshold": 0.0}, no_grad=[1])
    add(C, "threshold_backward_int64", "threshold_backward", [torch.tensor([1, 2, 3]), torch.tensor([0, 1, -1])], {"threshold": 0.0}, no_grad=[1])
    add(C, "native_dropout", "native_dropout", [rf(3, 4), (torch.rand(3, 4) > 0.3).float() / 0.7], {}, no_grad=[1])


def gen_linalg():
    C = "schema"
    # inputs from a generator of their own, so cases added elsewhere do not change them
    gen = torch.Generator().manual_seed(20241203)

    def r(*shape, dtype=torch.float32):
        return ((torch.randn(*shape, generator=gen) * 100).round() / 100).to(dtype)

    def wellcond(n, *batch, dtype=torch.float32):  # well away from singular
        return (r(*batch, n, n) + 3 * torch.eye(n)).to(dtype)

    def spd(n, *batch, dtype=torch.float32):  # symmetric positive-definite
        m = r(*batch, n, n, dtype=torch.float64)
        s = m @ m.mT + n * torch.eye(n, dtype=torch.float64)
        s = (s * 100).round() / 100
        return ((s + s.mT) / 2).to(dtype)

    singular = torch.tensor([[1.0, 2.0], [2.0, 4.0]])
    add(C, "linalg_det", "linalg_det", [wellcond(3)], {})
    add(C, "linalg_det_batched", "linalg_det", [wellcond(3, 2)], {})
    add(C, "linalg_det_float64", "linalg_det", [wellcond(4, dtype=torch.float64)], {})
    add(C, "linalg_det_singular", "linalg_det", [singular], {})
    add(C, "linalg_det_1x1", "linalg_det", [r(1, 1)], {})
    add(C, "linalg_det_not_square", "linalg_det", [r(2, 3)], {}, expect_error=True,
        error_contains="linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices")
    add(C, "linalg_det_1d", "linalg_det", [r(3)], {}, expect_error=True)
    add(C, "linalg_det_int64", "linalg_det", [torch.ones(2, 2, dtype=torch.int64)], {}, expect_error=True)
    add(C, "linalg_torch_det", "det", [wellcond(3)], {})
    add(C, "linalg_solve", "linalg_solve", [wellcond(3), r(3, 2)], {})
    add(C, "linalg_solve_vector", "linalg_solve", [wellcond(3), r(3)], {})
    add(C, "linalg_solve_batched_vectors", "linalg_solve", [wellcond(3, 2), r(2, 3)], {})
    add(C, "linalg_solve_broadcast", "linalg_solve", [wellcond(3), r(2, 3, 2)], {})
    add(C, "linalg_solve_batched_a_one_b", "linalg_solve", [wellcond(2, 3), r(2, 1)], {})
    add(C, "linalg_solve_right", "linalg_solve", [wellcond(3), r(2, 3)], {"left": False})
    add(C, "linalg_solve_float64", "linalg_solve", [wellcond(4, dtype=torch.float64), r(4, 3, dtype=torch.float64)], {})
    add(C, "linalg_solve_singular", "linalg_solve", [singular, r(2)], {}, expect_error=True,
        error_contains="torch.linalg.solve: The solver failed because the input matrix is singular.")
    add(C, "linalg_solve_singular_batched", "linalg_solve", [torch.stack([torch.eye(2), singular]), r(2, 2)], {},
        expect_error=True, error_contains="torch.linalg.solve: (Batch element 1): The solver failed because the input matrix is singular.")
    add(C, "linalg_solve_incompatible", "linalg_solve", [wellcond(2), r(3)], {}, expect_error=True,
        error_contains="linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)")
    add(C, "linalg_solve_dtypes_differ", "linalg_solve", [wellcond(2), r(2, 2, dtype=torch.float64)], {}, expect_error=True,
        error_contains="linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead")
    # cholesky reads the lower triangle only and PyTorch's gradient is the symmetric one: gradchecked on A + A^T
    # (GradcheckAllOpsTest), as PyTorch's OpInfo does
    add(C, "linalg_cholesky", "linalg_cholesky", [spd(3)], {}, no_grad=[0])
    add(C, "linalg_cholesky_batched", "linalg_cholesky", [spd(3, 2)], {}, no_grad=[0])
    add(C, "linalg_cholesky_upper", "linalg_cholesky", [spd(4)], {"upper": True}, no_grad=[0])
    add(C, "linalg_cholesky_float64", "linalg_cholesky", [spd(4, dtype=torch.float64)], {}, no_grad=[0])
    add(C, "linalg_cholesky_not_positive_definite", "linalg_cholesky", [torch.tensor([[1.0, 2.0], [2.0, 1.0]])], {},
        expect_error=True, error_contains="linalg.cholesky: The factorization could not be completed because the input is "
        "not positive-definite (the leading minor of order 2 is not positive-definite).")
    add(C, "linalg_cholesky_not_positive_definite_batched", "linalg_cholesky",
        [torch.stack([torch.eye(2), torch.tensor([[1.0, 2.0], [2.0, 1.0]])])], {}, expect_error=True,
        error_contains="linalg.cholesky: (Batch element 1): The factorization could not be completed")
    add(C, "linalg_cholesky_not_square", "linalg_cholesky", [r(2, 3)], {}, expect_error=True)
    add(C, "linalg_qr_tall", "linalg_qr", [r(4, 3)], {})
    add(C, "linalg_qr_wide", "linalg_qr", [r(3, 4)], {})
    add(C, "linalg_qr_square_complete", "linalg_qr", [r(3, 3)], {"mode": "complete"})
    add(C, "linalg_qr_wide_complete", "linalg_qr", [r(2, 4)], {"mode": "complete"})
    # PyTorch: "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
    add(C, "linalg_qr_tall_complete", "linalg_qr", [r(4, 2)], {"mode": "complete"}, no_grad=[0])
    add(C, "linalg_qr_r", "linalg_qr", [r(4, 3)], {"mode": "r"}, no_grad=[0])
    add(C, "linalg_qr_batched", "linalg_qr", [r(2, 4, 3)], {})
    add(C, "linalg_qr_float64", "linalg_qr", [r(5, 3, dtype=torch.float64)], {})
    add(C, "linalg_qr_bad_mode", "linalg_qr", [r(3, 2)], {"mode": "foo"}, expect_error=True,
        error_contains="qr received unrecognized mode 'foo' but expected one of 'reduced' (default), 'r', or 'complete'")
    add(C, "linalg_qr_1d", "linalg_qr", [r(3)], {}, expect_error=True)
    add(C, "linalg_svd_square", "linalg_svd", [r(3, 3)], {})
    add(C, "linalg_svd_tall_reduced", "linalg_svd", [r(4, 3)], {"full_matrices": False})
    add(C, "linalg_svd_wide_reduced", "linalg_svd", [r(3, 5)], {"full_matrices": False})
    add(C, "linalg_svd_batched", "linalg_svd", [r(2, 3, 3)], {})
    add(C, "linalg_svd_float64", "linalg_svd", [r(4, 4, dtype=torch.float64)], {})
    add(C, "linalg_svd_1d", "linalg_svd", [r(3)], {}, expect_error=True)
    add(C, "linalg_svd_int64", "linalg_svd", [torch.ones(2, 2, dtype=torch.int64)], {}, expect_error=True)
    add(C, "linalg_vector_norm", "linalg_vector_norm", [r(3, 4)], {})
    add(C, "linalg_vector_norm_ord1_dim", "linalg_vector_norm", [r(3, 4)], {"ord": 1, "dim": [1]})
    add(C, "linalg_vector_norm_inf_keepdim", "linalg_vector_norm", [r(3, 4)], {"ord": "Infinity", "dim": [0], "keepdim": True})
    add(C, "linalg_vector_norm_ord3_dims", "linalg_vector_norm", [r(2, 3, 4)], {"ord": 3, "dim": [0, 2]})
    add(C, "linalg_vector_norm_float64", "linalg_vector_norm", [r(5, dtype=torch.float64)], {"ord": 2})
    add(C, "linalg_vector_norm_int64", "linalg_vector_norm", [torch.ones(3, dtype=torch.int64)], {}, expect_error=True)
    add(C, "linalg_matrix_norm_fro", "linalg_matrix_norm", [r(3, 4)], {})
    add(C, "linalg_matrix_norm_fro_dims_keepdim", "linalg_matrix_norm", [r(2, 3, 4)], {"dim": [0, 2], "keepdim": True})
    add(C, "linalg_matrix_norm_nuc", "linalg_matrix_norm", [r(3, 4)], {"ord": "nuc"})
    add(C, "linalg_matrix_norm_nuc_batched_keepdim", "linalg_matrix_norm", [r(2, 3, 3)], {"ord": "nuc", "keepdim": True})
    add(C, "linalg_matrix_norm_nuc_dims", "linalg_matrix_norm", [r(3, 2, 4, dtype=torch.float64)], {"ord": "nuc", "dim": [2, 0]})
    add(C, "linalg_matrix_norm_bad_ord", "linalg_matrix_norm", [r(3, 3)], {"ord": "foo"}, expect_error=True,
        error_contains="linalg.matrix_norm: Order foo not supported.")
    add(C, "linalg_matrix_norm_1d", "linalg_matrix_norm", [r(3)], {}, expect_error=True,
        error_contains="linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")


def gen_random_distributions():
    """torch.normal, bernoulli and multinomial streams (last: their reseeding leaves the cases above as they were)."""
    def r(name, seed, calls, generator=False):
        a = {"seed": seed, "calls": calls}
        if generator:
            a["generator"] = True
        add("random", name, "random", [], a, exact=True)

    probs = [0.1, 0.5, 0.05, 0.35, 0.2, 0.2, 0.3, 0.3]
    r("normal.scalars_n20", 13, [{"fn": "normal", "mean": 2.0, "std": 0.5, "shape": [20]}])
    r("normal.tensor_mean", 13, [{"fn": "normalTensor", "mean": [0.0, 1.0, 2.0, 3.0, 4.0], "std": 0.1, "dtype": "float64"}])
    r("normal.tensor_mean_std", 13, [{"fn": "normalTensor", "mean": [0.0, 1.0, -1.0], "std": [1.0, 0.5, 2.0], "dtype": "float64"}])
    r("bernoulli.tensor_p", 17, [{"fn": "bernoulli", "p": [0.0, 0.2, 0.5, 0.9, 1.0, 0.5, 0.3, 0.7], "shape": [2, 4]}])
    r("bernoulli.generator", 17, [{"fn": "bernoulli", "p": [0.25] * 12, "shape": [12]}], generator=True)
    r("multinomial.one_sample_rows", 19, [{"fn": "multinomial", "probs": probs, "shape": [2, 4], "n": 1, "replacement": False}])
    r("multinomial.without_replacement", 19, [{"fn": "multinomial", "probs": probs[:4], "shape": [4], "n": 3, "replacement": False}])
    r("multinomial.with_replacement", 19, [{"fn": "multinomial", "probs": probs, "shape": [2, 4], "n": 6, "replacement": True}])
    r("multinomial.unnormalised_f64", 19, [{"fn": "multinomial", "probs": [2.0, 1.0, 7.0], "shape": [3], "n": 5,
                                            "replacement": True, "dtype": "float64"}], generator=True)


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return None


def main():
    torch.manual_seed(20240601)
    for g in (gen_binary, gen_unary, gen_reductions, gen_matrix, gen_shape, gen_indexing, gen_conversion,
              gen_random, gen_printing, gen_schema_ops, gen_linalg, gen_random_distributions):
        g()
    alts = add_capability_alternatives()
    doc = {
        "generator": "backends/cpu/src/test/python/generate_fixtures.py",
        "torch": torch.__version__,
        "cpuCapability": cpu_capability(),
        "cases": CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # one case per line: readable diffs, still compact
    text = text.replace(',{"name":', ',\n{"name":')
    with open(OUT, "w") as f:
        f.write(text)
        f.write("\n")
    counts = {}
    for c in CASES:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    errors = sum(1 for c in CASES if c.get("error"))
    print("random cases whose default-kernel result differs from the AVX2 one: %d" % alts)
    print("wrote %s: %d cases (%d errors), %d bytes" % (OUT, len(CASES), errors, len(text)))
    for k, v in counts.items():
        print("  %-12s %d" % (k, v))


if __name__ == "__main__":
    main()
