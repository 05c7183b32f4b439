#!/usr/bin/env python3
"""Regenerates src/test/resources/fixtures/transforms.json: torchvision 0.14 / PyTorch 1.13 reference outputs for
Kindling's transforms. Run from the repository root:

    apt-get install python3-torchvision
    /usr/bin/python3 bundles/data/src/test/python/generate_transform_fixtures.py

UINT8 images go through torchvision's PIL code path (as torchvision's datasets give PIL images); float tensors through
its tensor path. Random transforms are run right after torch.manual_seed(seed); the Java side lends a
Generator(seed) to the transform. CI never runs this script.
"""
import json
import os

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import PIL
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "fixtures", "transforms.json")
rng = np.random.RandomState(1234)
cases = []


def u8(h, w, c):
    """A smooth-ish random uint8 image (so resizes are not all noise), HWC."""
    base = rng.randint(0, 256, size=(h, w, c)).astype(np.float64)
    yy, xx = np.mgrid[0:h, 0:w]
    grad = (yy * 7 + xx * 13)[..., None] % 256
    return ((base + grad) / 2).astype(np.uint8)


def pil(a):
    return Image.fromarray(a[..., 0] if a.shape[2] == 1 else a)


def from_pil(im, c):
    a = np.array(im)
    if a.ndim == 2:
        a = a[..., None]
    assert a.shape[2] == c
    return a


def f32(c, h, w):
    return torch.from_numpy(rng.rand(c, h, w).astype(np.float32) * 2 - 0.5)


def flat(a):
    """Values as JSON numbers; float32 values in their shortest form that reads back to the same float32."""
    if a.dtype == np.uint8:
        return a.reshape(-1).tolist()
    return [float(repr(np.float32(v))) for v in a.reshape(-1)]


def add(name, transform, args, inp, out, seed=None, exact=True):
    cases.append({
        "name": name, "transform": transform, "args": args, "seed": seed, "exact": exact,
        "input": {"dtype": "uint8" if inp.dtype == np.uint8 else "float32", "shape": list(inp.shape),
                  "data": flat(inp)},
        "output": {"dtype": "uint8" if out.dtype == np.uint8 else "float32", "shape": list(out.shape),
                   "data": flat(out)},
    })


def add_pil(name, transform, args, t, a, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    r = t(pil(a))
    if isinstance(r, torch.Tensor):
        add(name, transform, args, a, r.numpy(), seed)
    else:
        add(name, transform, args, a, from_pil(r, a.shape[2]), seed)


def add_tensor(name, transform, args, t, x, seed=None, exact=True):
    if seed is not None:
        torch.manual_seed(seed)
    r = t(x)
    add(name, transform, args, x.numpy(), r.numpy(), seed, exact)


# ToTensor and Normalize
for (h, w, c) in [(5, 7, 3), (6, 4, 1)]:
    add_pil("ToTensor %dx%dx%d" % (h, w, c), "ToTensor", {}, T.ToTensor(), u8(h, w, c))
x = f32(3, 5, 4)
add_tensor("Normalize 3ch", "Normalize", {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
           T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), x)
add_tensor("Normalize 1 value", "Normalize", {"mean": [0.2860], "std": [0.3530]}, T.Normalize([0.2860], [0.3530]), f32(2, 3, 3))
a = u8(6, 5, 1)
add_pil("Compose ToTensor Normalize", "ToTensorNormalize", {"mean": [0.1307], "std": [0.3081]},
        T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))]), a)

# Resize, PIL path (uint8) and tensor path (float)
for (h, w, c, size) in [(28, 28, 1, [20, 20]), (28, 28, 1, [40, 33]), (32, 32, 3, [24, 24]), (9, 13, 3, [17, 5]),
                        (30, 20, 1, [13]), (20, 30, 3, [7]), (11, 11, 1, [11, 30])]:
    add_pil("Resize PIL %dx%dx%d -> %s" % (h, w, c, size), "Resize", {"size": size},
            T.Resize(size if len(size) == 2 else size[0], interpolation=T.InterpolationMode.BILINEAR), u8(h, w, c))
for (c, h, w, size) in [(3, 10, 8, [7, 13]), (1, 28, 28, [14, 14]), (2, 9, 9, [20, 4]), (3, 16, 24, [8])]:
    add_tensor("Resize tensor %dx%dx%d -> %s" % (c, h, w, size), "Resize", {"size": size},
               T.Resize(size if len(size) == 2 else size[0], interpolation=T.InterpolationMode.BILINEAR, antialias=False),
               f32(c, h, w), exact=False)

# CenterCrop
for (h, w, c, size) in [(28, 28, 1, [20, 20]), (9, 13, 3, [4, 7]), (5, 6, 1, [8, 9]), (10, 7, 3, [3, 10])]:
    add_pil("CenterCrop PIL %dx%dx%d -> %s" % (h, w, c, size), "CenterCrop", {"size": size}, T.CenterCrop(size), u8(h, w, c))
for (c, h, w, size) in [(3, 9, 13, [4, 7]), (1, 5, 6, [8, 9])]:
    add_tensor("CenterCrop tensor %dx%dx%d -> %s" % (c, h, w, size), "CenterCrop", {"size": size}, T.CenterCrop(size), f32(c, h, w))

# Random transforms after torch.manual_seed(seed)
for seed in [0, 1, 7, 42]:
    add_pil("RandomCrop PIL seed %d" % seed, "RandomCrop", {"size": 28, "padding": 4}, T.RandomCrop(28, padding=4),
            u8(28, 28, 1), seed)
    add_pil("RandomCrop PIL rgb seed %d" % seed, "RandomCrop", {"size": 24, "padding": 0}, T.RandomCrop(24), u8(32, 32, 3), seed)
    add_tensor("RandomCrop tensor seed %d" % seed, "RandomCrop", {"size": 32, "padding": 4}, T.RandomCrop(32, padding=4),
               f32(3, 32, 32), seed)
    add_pil("RandomHorizontalFlip PIL seed %d" % seed, "RandomHorizontalFlip", {"p": 0.5}, T.RandomHorizontalFlip(0.5),
            u8(5, 6, 3), seed)
    add_tensor("RandomHorizontalFlip tensor seed %d" % seed, "RandomHorizontalFlip", {"p": 0.5}, T.RandomHorizontalFlip(0.5),
               f32(2, 4, 5), seed)
for seed in [0, 3, 5, 11, 12345]:
    add_pil("RandomRotation PIL seed %d" % seed, "RandomRotation", {"degrees": 30}, T.RandomRotation(30), u8(28, 28, 1), seed)
    add_pil("RandomRotation PIL rgb seed %d" % seed, "RandomRotation", {"degrees": 180}, T.RandomRotation(180), u8(17, 23, 3), seed)
    add_tensor("RandomRotation tensor seed %d" % seed, "RandomRotation", {"degrees": 45}, T.RandomRotation(45),
               f32(3, 20, 15), seed, exact=False)

for deg in [[90, 90], [180, 180], [-90, -90], [270, 270], [360, 360]]:
    add_pil("RandomRotation PIL fixed %s" % deg, "RandomRotation", {"degrees": deg}, T.RandomRotation(deg), u8(9, 9, 3), 0)
add_pil("RandomRotation PIL 90 non-square", "RandomRotation", {"degrees": [90, 90]}, T.RandomRotation([90, 90]), u8(7, 10, 1), 0)
add_tensor("RandomRotation tensor 90", "RandomRotation", {"degrees": [90, 90]}, T.RandomRotation([90, 90]), f32(2, 8, 8), 0, exact=False)

# Angles drawn by RandomRotation.get_params, to check the draw itself
angles = []
for seed in [0, 3, 5]:
    torch.manual_seed(seed)
    angles.append({"seed": seed, "degrees": [-30.0, 30.0], "angle": T.RandomRotation.get_params([-30.0, 30.0])})
for seed in [1, 2]:
    torch.manual_seed(seed)
    angles.append({"seed": seed, "degrees": [-10.3, 17.7], "angle": T.RandomRotation.get_params([-10.3, 17.7])})

with open(OUT, "w") as f:
    json.dump({"generator": "torch %s, torchvision %s, Pillow %s" % (torch.__version__, torchvision.__version__, PIL.__version__),
               "cases": cases, "angles": angles}, f, separators=(",", ":"))
print("wrote", len(cases), "cases to", os.path.normpath(OUT))
