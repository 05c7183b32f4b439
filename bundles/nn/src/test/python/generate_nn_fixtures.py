#!/usr/bin/env python3
"""Reference values for Kindling's nn bundle, from PyTorch.

Run with /usr/bin/python3 (Debian's python3-torch 1.13). Writes ../resources/fixtures/nn.json:

- "layers" and "losses": each case names a layer or loss and its constructor arguments (PyTorch's keyword names), the
  module's state dict (random weights, loaded unchanged into the Kindling module), the inputs, the outputs, and the
  gradients of sum_i (output_i * R_i).sum() for fixed random R_i with respect to the floating inputs and to every
  parameter; also the state dict after the forward pass (BatchNorm running statistics).
- "init": state dicts of freshly constructed layers after torch.manual_seed(seed) (PyTorch's default initialisation).
- "repr": print(model) strings.

The Java test (NnConformanceTest) builds each case with Kindling's constructors from the same arguments.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2024)


def short32(v):
    """The shortest decimal that reads back as the same float32 (keeps the JSON small)."""
    f = float(str(np.float32(v)))
    assert np.float32(f) == v or (math.isnan(f) and math.isnan(v)), v
    return f


def enc(t):
    if t is None:
        return None
    t = t.detach()
    d = {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
    if t.dtype == torch.bool:
        d["data"] = [bool(v) for v in t.reshape(-1).tolist()]
    elif t.dtype == torch.float32:
        d["data"] = [short32(v) for v in t.reshape(-1).numpy()]
    elif t.dtype.is_floating_point:
        d["data"] = [float(v) for v in t.double().reshape(-1).tolist()]
    else:
        d["data"] = [int(v) for v in t.reshape(-1).tolist()]
    return d


def enc_args(args):
    out = {}
    for k, v in args.items():
        out[k] = enc(v) if isinstance(v, torch.Tensor) else v
    return out


def as_tuple(outs):
    """Flattens a module's result into a list of tensors (LSTM's (out, (h, c)), MHA's (out, weights))."""
    if isinstance(outs, torch.Tensor):
        return [outs]
    flat = []
    for o in outs:
        flat.extend(as_tuple(o))
    return flat


def randomize(module):
    """Random weights and buffers (so that loading them checks every key), but keeps num_batches_tracked."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn(p.shape) * 0.5)
        for name, b in module.named_buffers():
            if name.endswith("running_var"):
                b.copy_(torch.rand(b.shape) + 0.5)
            elif name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape) * 0.3)


def run_case(module, inputs, requires_grad, call=None, train=True):
    module.train(train)
    inputs = [t.clone().requires_grad_(rg) if t is not None else None for t, rg in zip(inputs, requires_grad)]
    state_before = {k: enc(v.clone()) for k, v in module.state_dict().items()}
    outs = as_tuple(call(module, *inputs) if call else module(*inputs))
    rs = [torch.randn(o.shape) if o.dtype.is_floating_point else None for o in outs]
    total = sum((o * r).sum() for o, r in zip(outs, rs) if r is not None and o.requires_grad)
    if isinstance(total, torch.Tensor):
        total.backward()
    return {
        "train": train,
        "state": state_before,
        "inputs": [enc(t) for t in inputs],
        "requires_grad": requires_grad,
        "outputs": [enc(o) for o in outs],
        "r": [enc(r) for r in rs],
        "input_grads": [enc(t.grad) if t is not None and t.grad is not None else None for t in inputs],
        "param_grads": {k: enc(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        "state_after": {k: enc(v) for k, v in module.state_dict().items()},
    }


LAYERS = []


def layer(name, ctor, args, inputs, requires_grad=None, train=True, call=None, kwargs=None, randomize_weights=True):
    LAYERS.append((name, ctor, args, inputs, requires_grad, train, call, kwargs, randomize_weights))


def x(*shape):
    return torch.randn(*shape)


# ---- linear and convolutions
layer("linear", "Linear", {"in_features": 5, "out_features": 3}, lambda: [x(4, 5)])
layer("linear_nobias_3d", "Linear", {"in_features": 5, "out_features": 3, "bias": False}, lambda: [x(2, 3, 5)])
layer("linear_1d", "Linear", {"in_features": 4, "out_features": 2}, lambda: [x(4)])
layer("conv2d", "Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3}, lambda: [x(2, 3, 6, 6)])
layer("conv2d_stride_pad", "Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}, lambda: [x(2, 3, 7, 7)])
layer("conv2d_dilation", "Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 2, "dilation": 2}, lambda: [x(1, 2, 7, 7)])
layer("conv2d_groups", "Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1, "groups": 2}, lambda: [x(2, 4, 5, 5)])
layer("conv2d_depthwise", "Conv2d", {"in_channels": 3, "out_channels": 3, "kernel_size": 3, "groups": 3}, lambda: [x(1, 3, 5, 5)])
layer("conv2d_rect_nobias", "Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": [2, 3], "stride": [2, 1], "padding": [1, 0],
                                        "dilation": [1, 2], "bias": False}, lambda: [x(1, 2, 5, 7)])
layer("conv2d_unbatched", "Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1}, lambda: [x(2, 5, 5)])
layer("conv2d_1x1_stride", "Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 1, "stride": 2}, lambda: [x(2, 3, 5, 5)])
layer("conv2d_same_even_kernel", "Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": [2, 3], "padding": "same", "dilation": [2, 1]},
      lambda: [x(1, 2, 5, 6)])
layer("conv2d_reflect", "Conv2d", {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1, "padding_mode": "reflect"}, lambda: [x(1, 2, 4, 5)])
layer("conv2d_replicate_stride", "Conv2d", {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": [2, 1],
                                            "padding_mode": "replicate"}, lambda: [x(1, 2, 5, 5)])
layer("conv2d_circular", "Conv2d", {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1, "padding_mode": "circular"}, lambda: [x(1, 2, 4, 4)])
layer("conv1d_same", "Conv1d", {"in_channels": 2, "out_channels": 3, "kernel_size": 4, "padding": "same"}, lambda: [x(2, 2, 7)])
layer("conv1d", "Conv1d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}, lambda: [x(2, 3, 9)])
layer("conv1d_dilation_groups", "Conv1d", {"in_channels": 4, "out_channels": 4, "kernel_size": 2, "dilation": 2, "groups": 2}, lambda: [x(2, 4, 8)])
layer("conv1d_unbatched", "Conv1d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3}, lambda: [x(2, 6)])

# ---- pooling
layer("maxpool2d", "MaxPool2d", {"kernel_size": 2}, lambda: [x(2, 3, 6, 6)])
layer("maxpool2d_stride_pad", "MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, lambda: [x(1, 2, 7, 7)])
layer("maxpool2d_dilation", "MaxPool2d", {"kernel_size": 2, "stride": 1, "dilation": 2}, lambda: [x(1, 2, 6, 6)])
layer("maxpool2d_ceil", "MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, lambda: [x(1, 2, 6, 6)])
layer("maxpool2d_rect_unbatched", "MaxPool2d", {"kernel_size": [2, 3], "stride": [2, 1]}, lambda: [x(2, 5, 6)])
layer("avgpool2d", "AvgPool2d", {"kernel_size": 2}, lambda: [x(2, 3, 6, 6)])
layer("avgpool2d_stride_pad", "AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, lambda: [x(1, 2, 7, 7)])
layer("avgpool2d_exclude_pad", "AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, lambda: [x(1, 2, 7, 7)])
layer("avgpool2d_ceil", "AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, lambda: [x(1, 2, 6, 6)])
layer("avgpool2d_ceil_exclude", "AvgPool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True, "count_include_pad": False}, lambda: [x(1, 2, 6, 6)])
layer("avgpool2d_divisor", "AvgPool2d", {"kernel_size": 2, "divisor_override": 3}, lambda: [x(1, 2, 4, 4)])
layer("adaptiveavgpool2d", "AdaptiveAvgPool2d", {"output_size": [3, 2]}, lambda: [x(2, 3, 7, 5)])
layer("adaptiveavgpool2d_1", "AdaptiveAvgPool2d", {"output_size": 1}, lambda: [x(2, 3, 4, 4)])
layer("adaptiveavgpool2d_up", "AdaptiveAvgPool2d", {"output_size": [4, 3]}, lambda: [x(1, 2, 3, 2)])

# ---- normalisation
layer("batchnorm1d_train", "BatchNorm1d", {"num_features": 4}, lambda: [x(5, 4)])
layer("batchnorm1d_3d_train", "BatchNorm1d", {"num_features": 3}, lambda: [x(4, 3, 5)])
layer("batchnorm1d_eval", "BatchNorm1d", {"num_features": 4}, lambda: [x(5, 4)], train=False)
layer("batchnorm2d_train", "BatchNorm2d", {"num_features": 3}, lambda: [x(2, 3, 4, 4)])
layer("batchnorm2d_eval", "BatchNorm2d", {"num_features": 3}, lambda: [x(2, 3, 4, 4)], train=False)
layer("batchnorm2d_momentum", "BatchNorm2d", {"num_features": 3, "momentum": 0.3, "eps": 1e-3}, lambda: [x(2, 3, 3, 3)])
layer("batchnorm2d_momentum_none", "BatchNorm2d", {"num_features": 3, "momentum": None}, lambda: [x(2, 3, 3, 3)])
layer("batchnorm2d_no_affine", "BatchNorm2d", {"num_features": 3, "affine": False}, lambda: [x(2, 3, 3, 3)])
layer("batchnorm2d_no_stats_eval", "BatchNorm2d", {"num_features": 3, "track_running_stats": False}, lambda: [x(2, 3, 3, 3)], train=False)
layer("layernorm", "LayerNorm", {"normalized_shape": 5}, lambda: [x(3, 5)])
layer("layernorm_2d", "LayerNorm", {"normalized_shape": [3, 4], "eps": 1e-3}, lambda: [x(2, 3, 4)])
layer("layernorm_no_affine", "LayerNorm", {"normalized_shape": 4, "elementwise_affine": False}, lambda: [x(2, 3, 4)])

# ---- embedding
layer("embedding", "Embedding", {"num_embeddings": 10, "embedding_dim": 4}, lambda: [torch.tensor([[1, 2, 4], [4, 3, 9]])], [False])
layer("embedding_padding_idx", "Embedding", {"num_embeddings": 6, "embedding_dim": 3, "padding_idx": 1},
      lambda: [torch.tensor([1, 2, 1, 5, 0])], [False])

# ---- activations and shape layers
layer("relu", "ReLU", {}, lambda: [x(3, 4)])
layer("leakyrelu", "LeakyReLU", {"negative_slope": 0.2}, lambda: [x(3, 4)])
layer("leakyrelu_default", "LeakyReLU", {}, lambda: [x(3, 4)])
layer("gelu", "GELU", {}, lambda: [x(3, 4) * 2])
layer("gelu_tanh", "GELU", {"approximate": "tanh"}, lambda: [x(3, 4) * 2])
layer("sigmoid", "Sigmoid", {}, lambda: [x(3, 4)])
layer("tanh", "Tanh", {}, lambda: [x(3, 4)])
layer("softmax", "Softmax", {"dim": 1}, lambda: [x(3, 4)])
layer("logsoftmax", "LogSoftmax", {"dim": -1}, lambda: [x(2, 3, 4)])
layer("flatten", "Flatten", {}, lambda: [x(2, 3, 2, 2)])
layer("flatten_0_1", "Flatten", {"start_dim": 0, "end_dim": 1}, lambda: [x(2, 3, 2)])
layer("identity", "Identity", {}, lambda: [x(2, 3)])
layer("dropout_eval", "Dropout", {"p": 0.5}, lambda: [x(3, 4)], train=False)

# ---- recurrent
def rnn_call(m, inp, *state):
    if not state:
        return m(inp)
    if isinstance(m, nn.LSTM):
        return m(inp, (state[0], state[1]))
    return m(inp, state[0])


layer("lstm", "LSTM", {"input_size": 3, "hidden_size": 4}, lambda: [x(5, 2, 3)], call=rnn_call)
layer("lstm_2layer_batch_first_state", "LSTM", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "batch_first": True},
      lambda: [x(2, 5, 3), x(2, 2, 4), x(2, 2, 4)], call=rnn_call)
layer("lstm_bidirectional_2layer", "LSTM", {"input_size": 3, "hidden_size": 2, "num_layers": 2, "bidirectional": True},
      lambda: [x(4, 2, 3)], call=rnn_call)
layer("lstm_unbatched_nobias", "LSTM", {"input_size": 3, "hidden_size": 4, "bias": False}, lambda: [x(5, 3)], call=rnn_call)
layer("gru", "GRU", {"input_size": 3, "hidden_size": 4}, lambda: [x(5, 2, 3)], call=rnn_call)
layer("gru_2layer_batch_first_state", "GRU", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "batch_first": True},
      lambda: [x(2, 5, 3), x(2, 2, 4)], call=rnn_call)
layer("gru_bidirectional", "GRU", {"input_size": 3, "hidden_size": 2, "bidirectional": True}, lambda: [x(4, 2, 3)], call=rnn_call)
layer("rnn_tanh", "RNN", {"input_size": 3, "hidden_size": 4, "num_layers": 2}, lambda: [x(5, 2, 3)], call=rnn_call)
layer("rnn_relu_state", "RNN", {"input_size": 3, "hidden_size": 4, "nonlinearity": "relu"}, lambda: [x(5, 2, 3), x(1, 2, 4)], call=rnn_call)

# ---- attention
def mha_call(m, q, k=None, v=None, key_padding_mask=None, attn_mask=None, need_weights=True, average=True):
    if k is None:
        k = v = q
    return m(q, k, v, key_padding_mask=key_padding_mask, attn_mask=attn_mask, need_weights=need_weights, average_attn_weights=average)


layer("mha_self", "MultiheadAttention", {"embed_dim": 8, "num_heads": 2}, lambda: [x(4, 2, 8)], call=mha_call)
layer("mha_cross_batch_first", "MultiheadAttention", {"embed_dim": 6, "num_heads": 3, "batch_first": True},
      lambda: [x(2, 3, 6), x(2, 5, 6), x(2, 5, 6)], call=mha_call)
layer("mha_masks", "MultiheadAttention", {"embed_dim": 4, "num_heads": 2},
      lambda: [x(3, 2, 4), x(5, 2, 4), x(5, 2, 4), torch.tensor([[False, False, False, True, True], [False, False, False, False, True]]),
               torch.tensor([[0.0, -1.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.0, -0.5, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0]])],
      [True, True, True, False, False], call=mha_call)
layer("mha_bool_mask_per_head_weights", "MultiheadAttention", {"embed_dim": 4, "num_heads": 2, "bias": False},
      lambda: [x(3, 2, 4), x(3, 2, 4), x(3, 2, 4), None, torch.tensor([[False, True, True], [False, False, True], [False, False, False]])],
      [True, True, True, False, False], call=lambda m, q, k, v, kpm, am: mha_call(m, q, k, v, kpm, am, average=False))
layer("mha_unbatched", "MultiheadAttention", {"embed_dim": 4, "num_heads": 1}, lambda: [x(3, 4)], call=mha_call)


# ---- containers
def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5),
                         nn.LogSoftmax(dim=1))


layer("sequential_cnn", "small_cnn", {}, lambda: [x(2, 1, 6, 6)])


CTORS = {
    "small_cnn": lambda: small_cnn(),
}


def build(ctor, args):
    if ctor in CTORS:
        return CTORS[ctor](**args)
    return getattr(nn, ctor)(**{k: tuple(v) if isinstance(v, list) else v for k, v in args.items()})


# ---- losses
LOSSES = []


def loss(name, ctor, args, inputs, requires_grad):
    LOSSES.append((name, ctor, args, inputs, requires_grad))


def probs(*shape):
    return torch.rand(*shape) * 0.9 + 0.05


for red in ["mean", "sum", "none"]:
    loss("mse_" + red, "MSELoss", {"reduction": red}, lambda: [x(3, 4), x(3, 4)], [True, True])
    loss("l1_" + red, "L1Loss", {"reduction": red}, lambda: [x(3, 4), x(3, 4)], [True, True])
    loss("smooth_l1_" + red, "SmoothL1Loss", {"reduction": red}, lambda: [x(3, 4) * 2, x(3, 4)], [True, True])
    loss("huber_" + red, "HuberLoss", {"reduction": red}, lambda: [x(3, 4) * 2, x(3, 4)], [True, True])
    loss("cross_entropy_" + red, "CrossEntropyLoss", {"reduction": red}, lambda: [x(4, 5), torch.tensor([1, 0, 4, 2])], [True, False])
    loss("cross_entropy_weight_ignore_smoothing_" + red, "CrossEntropyLoss",
         {"reduction": red, "weight": torch.rand(5) + 0.5, "ignore_index": 2, "label_smoothing": 0.2},
         lambda: [x(6, 5), torch.tensor([1, 2, 4, 0, 2, 3])], [True, False])
    loss("cross_entropy_probs_weight_smoothing_" + red, "CrossEntropyLoss",
         {"reduction": red, "weight": torch.rand(4) + 0.5, "label_smoothing": 0.1},
         lambda: [x(3, 4), torch.softmax(x(3, 4), 1)], [True, True])
    loss("nll_weight_ignore_" + red, "NLLLoss", {"reduction": red, "weight": torch.rand(5) + 0.5, "ignore_index": 1},
         lambda: [torch.log_softmax(x(5, 5), 1), torch.tensor([1, 0, 4, 1, 3])], [True, False])
    loss("bce_" + red, "BCELoss", {"reduction": red}, lambda: [probs(3, 4), probs(3, 4)], [True, True])
    loss("bce_with_logits_" + red, "BCEWithLogitsLoss", {"reduction": red}, lambda: [x(3, 4) * 3, probs(3, 4)], [True, True])
    loss("bce_with_logits_pos_weight_" + red, "BCEWithLogitsLoss", {"reduction": red, "pos_weight": torch.rand(4) * 3},
         lambda: [x(3, 4) * 3, probs(3, 4)], [True, True])
    loss("kl_div_" + red, "KLDivLoss", {"reduction": red}, lambda: [torch.log_softmax(x(3, 4), 1), torch.softmax(x(3, 4), 1)], [True, True])
    loss("triplet_margin_" + red, "TripletMarginLoss", {"reduction": red}, lambda: [x(4, 5), x(4, 5), x(4, 5)], [True, True, True])
    loss("cosine_embedding_" + red, "CosineEmbeddingLoss", {"reduction": red, "margin": 0.2},
         lambda: [x(4, 5), x(4, 5), torch.tensor([1, -1, -1, 1])], [True, True, False])

loss("smooth_l1_beta", "SmoothL1Loss", {"beta": 0.5}, lambda: [x(3, 4) * 2, x(3, 4)], [True, True])
loss("smooth_l1_beta0", "SmoothL1Loss", {"beta": 0.0}, lambda: [x(3, 4) * 2, x(3, 4)], [True, True])
loss("huber_delta", "HuberLoss", {"delta": 0.7}, lambda: [x(3, 4) * 2, x(3, 4)], [True, True])
loss("cross_entropy_weight", "CrossEntropyLoss", {"weight": torch.rand(5) + 0.5}, lambda: [x(4, 5), torch.tensor([1, 0, 4, 2])], [True, False])
loss("cross_entropy_ignore_index", "CrossEntropyLoss", {"ignore_index": 0}, lambda: [x(4, 5), torch.tensor([1, 0, 4, 0])], [True, False])
loss("cross_entropy_smoothing", "CrossEntropyLoss", {"label_smoothing": 0.15}, lambda: [x(4, 5), torch.tensor([1, 0, 4, 2])], [True, False])
loss("cross_entropy_probs", "CrossEntropyLoss", {}, lambda: [x(3, 4), torch.softmax(x(3, 4), 1)], [True, True])
loss("cross_entropy_4d", "CrossEntropyLoss", {"weight": torch.rand(3) + 0.5, "ignore_index": 1},
     lambda: [x(2, 3, 2, 2), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]])], [True, False])
loss("cross_entropy_4d_none_smoothing", "CrossEntropyLoss", {"reduction": "none", "label_smoothing": 0.1},
     lambda: [x(2, 3, 2, 2), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]])], [True, False])
loss("cross_entropy_unbatched", "CrossEntropyLoss", {}, lambda: [x(5), torch.tensor(3)], [True, False])
loss("nll", "NLLLoss", {}, lambda: [torch.log_softmax(x(4, 5), 1), torch.tensor([1, 0, 4, 2])], [True, False])
loss("nll_4d_none", "NLLLoss", {"reduction": "none"}, lambda: [x(2, 3, 2, 2), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]])], [True, False])
loss("bce_weight", "BCELoss", {"weight": torch.rand(4) + 0.5}, lambda: [probs(3, 4), probs(3, 4)], [True, True])
loss("bce_with_logits_weight_pos_weight", "BCEWithLogitsLoss", {"weight": torch.rand(3, 1) + 0.5, "pos_weight": torch.rand(4) * 3},
     lambda: [x(3, 4) * 3, probs(3, 4)], [True, True])
loss("kl_div_batchmean", "KLDivLoss", {"reduction": "batchmean"}, lambda: [torch.log_softmax(x(3, 4), 1), torch.softmax(x(3, 4), 1)], [True, True])
loss("kl_div_log_target", "KLDivLoss", {"reduction": "sum", "log_target": True},
     lambda: [torch.log_softmax(x(3, 4), 1), torch.log_softmax(x(3, 4), 1)], [True, True])
loss("triplet_margin_p1_swap", "TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}, lambda: [x(4, 5), x(4, 5), x(4, 5)], [True, True, True])
loss("triplet_margin_eps_margin2", "TripletMarginLoss", {"margin": 2.0, "eps": 1e-3}, lambda: [x(4, 5), x(4, 5), x(4, 5)], [True, True, True])
loss("cosine_embedding_default", "CosineEmbeddingLoss", {}, lambda: [x(4, 5), x(4, 5), torch.tensor([1, -1, -1, 1])], [True, True, False])


def run_loss(name, ctor, args, make, requires_grad):
    m = getattr(nn, ctor)(**args)
    case = run_case(m, make(), requires_grad)
    case.update({"name": name, "type": ctor, "args": enc_args(args)})
    return case


# ---- default initialisation after torch.manual_seed
INIT = [
    ("Linear", {"in_features": 7, "out_features": 5}),
    ("Linear", {"in_features": 3, "out_features": 4, "bias": False}),
    ("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3}),
    ("Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": [3, 2], "groups": 2}),
    ("Conv1d", {"in_channels": 2, "out_channels": 3, "kernel_size": 5}),
    ("BatchNorm2d", {"num_features": 3}),
    ("LayerNorm", {"normalized_shape": 6}),
    ("Embedding", {"num_embeddings": 10, "embedding_dim": 4}),
    ("Embedding", {"num_embeddings": 6, "embedding_dim": 4, "padding_idx": 2}),
    ("LSTM", {"input_size": 3, "hidden_size": 4, "num_layers": 2}),
    ("GRU", {"input_size": 3, "hidden_size": 5, "bidirectional": True}),
    ("RNN", {"input_size": 2, "hidden_size": 3}),
    ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2}),
]


def init_cases():
    out = []
    for i, (ctor, args) in enumerate(INIT):
        torch.manual_seed(100 + i)
        m = build(ctor, args)
        out.append({"name": "%s_%d" % (ctor.lower(), i), "type": ctor, "args": args, "seed": 100 + i,
                    "state": {k: enc(v) for k, v in m.state_dict().items()}})
    return out


def random_cases():
    """Streams drawn from the default generator after torch.manual_seed: dropout masks and nn.init functions."""
    out = []
    torch.manual_seed(5)
    out.append({"name": "dropout_p0.3", "seed": 5, "output": enc(F.dropout(torch.ones(4, 8), 0.3, True))})
    torch.manual_seed(6)
    out.append({"name": "dropout_module_p0.5", "seed": 6, "output": enc(nn.Dropout(0.5).train()(torch.arange(1.0, 25.0).view(2, 3, 4)))})
    fns = [
        ("kaiming_uniform_fan_out_relu", lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), [6, 4, 3]),
        ("kaiming_uniform_default", lambda t: nn.init.kaiming_uniform_(t), [5, 7]),
        ("kaiming_normal_default", lambda t: nn.init.kaiming_normal_(t), [8, 4]),
        ("kaiming_normal_fan_out_leaky", lambda t: nn.init.kaiming_normal_(t, a=0.1, mode="fan_out"), [4, 2, 3, 3]),
        ("xavier_uniform_gain", lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain("tanh")), [5, 6]),
        ("xavier_normal", lambda t: nn.init.xavier_normal_(t), [6, 5]),
        ("uniform_range", lambda t: nn.init.uniform_(t, -2.0, 3.0), [4, 5]),
        ("normal_mean_std", lambda t: nn.init.normal_(t, 1.5, 0.5), [4, 5]),
    ]
    for i, (name, fn, shape) in enumerate(fns):
        torch.manual_seed(50 + i)
        t = torch.empty(*shape)
        fn(t)
        out.append({"name": name, "seed": 50 + i, "output": enc(t)})
    return out


def functional_cases():
    """F.pad in every mode, with the gradient of (output * r).sum()."""
    out = []
    cases = [("pad_constant", [1, 2, 0, 1], "constant", 0.5, [2, 3, 4]), ("pad_negative_crop", [-1, 2, 1, -1], "constant", 0.0, [2, 3, 4]),
             ("pad_reflect", [2, 1, 1, 2], "reflect", 0.0, [1, 2, 3, 4]), ("pad_replicate", [3, 1, 0, 2], "replicate", 0.0, [1, 2, 3, 4]),
             ("pad_circular", [2, 3, 1, 0], "circular", 0.0, [1, 2, 3, 4]), ("pad_reflect_1d", [3, 2], "reflect", 0.0, [2, 2, 5])]
    for name, pad, mode, value, shape in cases:
        inp = torch.randn(*shape, requires_grad=True)
        y = F.pad(inp, pad, mode=mode, value=value) if mode == "constant" else F.pad(inp, pad, mode=mode)
        r = torch.randn(y.shape)
        (y * r).sum().backward()
        out.append({"name": name, "pad": pad, "mode": mode, "value": value, "input": enc(inp), "output": enc(y), "r": enc(r), "grad": enc(inp.grad)})
    return out


def repr_cases():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                          nn.Conv2d(32, 64, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=2, bias=False))
            self.norm = nn.BatchNorm1d(10, eps=1e-3, momentum=None, affine=False, track_running_stats=False)
            self.heads = nn.ModuleList([nn.Linear(10, 2), nn.Linear(10, 3, bias=False)])
            self.rnn = nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)

    models = {
        "mlp": nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)),
        "cnn": nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(3136, 128), nn.Dropout(0.25), nn.Linear(128, 10)),
        "net": Net(),
        "misc": nn.Sequential(nn.Conv1d(2, 4, 3), nn.AvgPool2d(3, stride=2, padding=1), nn.AdaptiveAvgPool2d((7, 7)), nn.AdaptiveAvgPool2d(1),
                              nn.BatchNorm2d(8), nn.LayerNorm([3, 4]), nn.Dropout(), nn.LeakyReLU(0.2), nn.GELU(), nn.GELU(approximate="tanh"),
                              nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Flatten(0, 2), nn.Identity(),
                              nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=0), nn.GRU(4, 8), nn.RNN(3, 4, nonlinearity="relu", bias=False),
                              nn.MultiheadAttention(16, 4, dropout=0.1, batch_first=True), nn.MaxPool2d((2, 3), stride=1, ceil_mode=True),
                              nn.ReLU(inplace=True), nn.Sequential(), nn.ModuleList()),
        "losses": nn.ModuleList([nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.HuberLoss(), nn.CrossEntropyLoss(), nn.NLLLoss(),
                                 nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.KLDivLoss(), nn.TripletMarginLoss(), nn.CosineEmbeddingLoss()]),
    }
    return {k: repr(v) for k, v in models.items()}, models


def structure_cases(models):
    """Names and order of parameters, buffers, state dict entries and modules."""
    out = {}
    for name in ["cnn", "net", "misc"]:
        m = models[name]
        out[name] = {
            "parameters": [[k, list(p.shape)] for k, p in m.named_parameters()],
            "buffers": [[k, list(b.shape), str(b.dtype).replace("torch.", "")] for k, b in m.named_buffers()],
            "state_dict": [k for k in m.state_dict().keys()],
            "modules": [k for k, _ in m.named_modules()],
            "children": [k for k, _ in m.named_children()],
        }
    return out


def load_error_cases():
    """load_state_dict's errors and results, worded by PyTorch."""
    out = []

    def model():
        return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))

    good = model().state_dict()
    variants = {
        "missing": {k: v for k, v in good.items() if k not in ("0.bias", "1.running_var")},
        "unexpected": dict(good, **{"3.weight": torch.zeros(1), "1.extra": torch.zeros(1), "2.0.foo.bar": torch.zeros(1)}),
        "size_mismatch": dict(good, **{"0.weight": torch.zeros(3, 3), "2.0.bias": torch.zeros(2)}),
        "all": dict({k: v for k, v in good.items() if k != "2.0.weight"}, **{"0.weight": torch.zeros(2, 2), "zzz": torch.zeros(1)}),
    }
    for name, sd in variants.items():
        case = {"name": name, "keys": {k: list(v.shape) for k, v in sd.items()}, "dtypes": {k: str(v.dtype).replace("torch.", "") for k, v in sd.items()}}
        for strict in (True, False):
            try:
                r = model().load_state_dict(sd, strict=strict)
                case["strict" if strict else "lenient"] = {"missing": r.missing_keys, "unexpected": r.unexpected_keys}
            except RuntimeError as e:
                case["strict" if strict else "lenient"] = {"error": str(e)}
        out.append(case)
    return out


def main():
    layers = []
    for name, ctor, args, make, requires_grad, train, call, kwargs, rnd in LAYERS:
        m = build(ctor, args)
        if rnd:
            randomize(m)
        if name == "batchnorm2d_momentum_none":
            m.num_batches_tracked.fill_(3)
        inputs = make()
        if requires_grad is None:
            requires_grad = [t.dtype.is_floating_point for t in inputs]
        case = run_case(m, inputs, requires_grad, call=call, train=train)
        case.update({"name": name, "type": ctor, "args": enc_args(args)})
        layers.append(case)
    losses = [run_loss(*c) for c in LOSSES]
    reprs, models = repr_cases()
    doc = {"generator": "generate_nn_fixtures.py", "torch": torch.__version__, "layers": layers, "losses": losses,
           "init": init_cases(), "random": random_cases(), "functional": functional_cases(), "repr": reprs,
           "structure": structure_cases(models), "load_state_dict": load_error_cases()}
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "resources", "fixtures", "nn.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", len(layers), "layer cases,", len(losses), "loss cases,", len(doc["init"]), "init cases,", len(doc["repr"]), "reprs to",
          os.path.normpath(path))


if __name__ == "__main__":
    main()
