"""The counter-based random-bit primitive: the Threefry-2x32 block cipher (20 rounds).

Threefry (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
SC'11; the Random123 library) encrypts a 64-bit counter (x0, x1) under a 64-bit key
(k0, k1). Each round adds, rotates and xors the two 32-bit words; every four rounds a
word of the extended key schedule (k0, k1, k0 ^ k1 ^ 0x1BD11BDA) is injected together
with the injection number. Distinct counters under one key give independent-looking
words, which is all nablax.random needs: it builds keys, splits and draws from it.

`threefry2x32_p` is elementwise (NumPy broadcasting of its four uint32 operands) with
two uint32 outputs; it has no derivative (its outputs are integers).
"""
from __future__ import annotations

import numpy as np

from ..array import wrap
from ..avals import ShapedArray
from ..core import eager_args
from . import templates
from ._define import broadcast_shapes, define_primitive, never_weak

_U32 = np.dtype(np.uint32)
_ROTATIONS = (13, 15, 26, 6, 17, 29, 16, 24)
_PARITY = 0x1BD11BDA


def _rotl(x, r: int):
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _threefry_impl(xp, k0, k1, x0, x1):
    shape = np.broadcast_shapes(np.shape(k0), np.shape(k1), np.shape(x0), np.shape(x1))
    # Work on 1-d arrays: NumPy warns about wrap-around on uint32 scalars, not arrays.
    flat = (max(1, int(np.prod(shape))),)

    def prep(v):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(v, _U32), shape)).reshape(flat)

    k0, k1, x0, x1 = prep(k0), prep(k1), prep(x0), prep(x1)
    ks = (k0, k1, k0 ^ k1 ^ np.uint32(_PARITY))
    x0 = x0 + ks[0]
    x1 = x1 + ks[1]
    for block in range(5):
        for r in _ROTATIONS[4 * (block % 2): 4 * (block % 2) + 4]:
            x0 += x1
            x1 = _rotl(x1, r)
            x1 ^= x0
        s = block + 1
        x0 += ks[s % 3]
        x1 += ks[(s + 1) % 3]
        x1 += np.uint32(s)
    return [x0.reshape(shape), x1.reshape(shape)]


def _threefry_abstract(k0, k1, x0, x1):
    avals = (k0, k1, x0, x1)
    for name, a in zip(("k0", "k1", "x0", "x1"), avals):
        if a.dtype != _U32:
            raise TypeError(f"lax.threefry2x32: operand {name} must be uint32, got {a.dtype.name}"
                            f"{list(a.shape)}")
    shape = broadcast_shapes("lax.threefry2x32", *[a.shape for a in avals])
    out = ShapedArray(shape, _U32, False)
    return [out, out]


def _threefry_batch(args, dims):
    ndims = [templates.ndim_of(a) - (d is not None) for a, d in zip(args, dims)]
    out_core = max(ndims)
    new = []
    for a, d, n in zip(args, dims, ndims):
        if d is not None:
            a = templates.moveaxis(a, d, 0)
            if n < out_core:
                s = templates.shape_of(a)
                a = templates.shape.reshape(a, (s[0],) + (1,) * (out_core - n) + tuple(s[1:]))
        new.append(a)
    return threefry2x32_p.bind(*new), [0, 0]


def _threefry_eager(*args):
    arrays, vals = eager_args(args)
    if any(v.dtype != _U32 for v in vals):
        _threefry_abstract(*[a.aval for a in arrays])
    return [wrap(o, False) for o in _threefry_impl(np, *vals)]


threefry2x32_p = define_primitive(
    "threefry2x32",
    impl=_threefry_impl,
    abstract_eval=_threefry_abstract,
    batch=_threefry_batch,
    eager=_threefry_eager,
    differentiable=False,
    multiple_results=True,
    weak_rule=never_weak,
)


def threefry2x32(k0, k1, x0, x1):
    """lax-level Threefry-2x32 (20 rounds): encrypt counters (x0, x1) under key (k0, k1).

    All operands are uint32 and broadcast NumPy-style; returns the two output words.
    """
    y0, y1 = threefry2x32_p.bind(k0, k1, x0, x1)
    return y0, y1


__all__ = ["threefry2x32"]
