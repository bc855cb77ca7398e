"""Rule templates shared by the primitive families: tangent arithmetic and batch-dim moves.

These call other families' lax wrappers through the `ops` namespace (at call time), so
every family can import this module without an import cycle.
"""
from __future__ import annotations

from .. import ops
from ..ad_util import add_tangents
from ..avals import Zero
from ._define import aval_of, broadcast_shapes


def ndim_of(x) -> int:
    return getattr(x, "ndim", 0)


def shape_of(x) -> tuple:
    return getattr(x, "shape", ())


def unbroadcast(x, target_shape: tuple):
    """Sum `x` over the axes that NumPy broadcasting added to reach its shape from target."""
    xshape = getattr(x, "shape", ())  # (shape_of, inlined: once per cotangent of a broadcasting op)
    if xshape == tuple(target_shape):
        return x
    lead = len(xshape) - len(target_shape)
    axes = list(range(lead))
    for i, d in enumerate(target_shape):
        if d == 1 and xshape[lead + i] != 1:
            axes.append(lead + i)
    if axes:
        x = ops.reduce_sum(x, tuple(axes))
    if shape_of(x) != tuple(target_shape):
        x = ops.reshape(x, tuple(target_shape))
    return x


def broadcast_to(x, target_shape: tuple):
    """NumPy-style broadcast of `x` to `target_shape` via broadcast_in_dim."""
    xshape = getattr(x, "shape", ())  # (shape_of, inlined: once per tangent term under grad)
    if xshape == target_shape or xshape == tuple(target_shape):
        return x
    lead = len(target_shape) - len(xshape)
    return ops.broadcast_in_dim(x, tuple(target_shape), tuple(range(lead, len(target_shape))))


def tangent_sum(out, terms):
    """The output tangent of a multi-operand primitive: the sum of `term(t)`, broadcast to
    `out`'s shape, over the (tangent, term) pairs whose tangent is nonzero (else a Zero)."""
    shape = aval_of(out).shape
    total = Zero(aval_of(out).to_tangent_aval())
    for t, term in terms:
        if type(t) is not Zero:
            total = add_tangents(total, broadcast_to(term(t), shape))
    return total


def moveaxis(x, src: int, dst: int):
    if src == dst:
        return x
    perm = [i for i in range(ndim_of(x)) if i != src]
    perm.insert(dst, src)
    return ops.transpose(x, tuple(perm))


def bdim_to_front(x, bdim, size: int):
    """Move the batch dimension to axis 0, materializing it (broadcast) when absent."""
    if bdim is None:
        xs = shape_of(x)
        return ops.broadcast_in_dim(x, (size,) + tuple(xs), tuple(range(1, len(xs) + 1)))
    return moveaxis(x, bdim, 0)


def batch_size(args, dims) -> int:
    for a, d in zip(args, dims):
        if d is not None:
            return shape_of(a)[d]
    raise ValueError("batch rule called without a batched operand")


def elementwise_batch(prim):
    """vmap rule for NumPy-broadcasting elementwise primitives: align batch dims, bind once.

    Also marks `prim` as elementwise, which lets jit compute it on scalars (passes.py)."""
    prim.elementwise = True

    def rule(args, dims, **params):
        # (Loops, not comprehensions or generators: this runs once per elementwise op under vmap.)
        ndims, first = [], None
        for a, d in zip(args, dims):
            ndims.append(getattr(a, "ndim", 0) - (d is not None))
            if first is None:
                first = d
        out_core = max(ndims)
        # Fast path: all batched operands share the batch axis and full rank; the others are scalars.
        for d, n in zip(dims, ndims):
            if not ((d == first and n == out_core) if d is not None else n == 0):
                break
        else:
            return prim.bind(*args, **params), first
        # Check the per-example shapes first, so a mismatch is reported as the user wrote it.
        broadcast_shapes(f"lax.{prim.name}", *[
            shape_of(a) if d is None else shape_of(a)[:d] + shape_of(a)[d + 1:] for a, d in zip(args, dims)])
        new = []
        for a, d, n in zip(args, dims, ndims):
            if d is not None:
                a = moveaxis(a, d, 0)
                if n < out_core:
                    s = shape_of(a)
                    a = ops.reshape(a, (s[0],) + (1,) * (out_core - n) + tuple(s[1:]))
            new.append(a)
        return prim.bind(*new, **params), 0

    return rule
