"""Reductions: reduce_sum, reduce_max, ... over static axes."""
from __future__ import annotations

from ..avals import ShapedArray, Zero
from . import shape
from ._define import aval_of, define_primitive, normalize_axis


def _check_axes(name: str, x: ShapedArray, axes) -> tuple:
    out = tuple(sorted(normalize_axis(f"lax.{name}", a, x.ndim) for a in axes))
    if len(set(out)) != len(out):
        raise ValueError(f"lax.{name}: duplicate axes {axes}")
    return out


def _reduce_sum_abstract(x: ShapedArray, *, axes) -> ShapedArray:
    axes = _check_axes("reduce_sum", x, axes)
    return ShapedArray(tuple(d for i, d in enumerate(x.shape) if i not in axes), x.dtype, x.weak_type)


def _reduce_sum_transpose(ct, x, *, axes):
    if type(ct) is Zero:
        return [None]
    in_shape = x.aval.shape
    kept = tuple(i for i in range(len(in_shape)) if i not in axes)
    return [shape.broadcast_in_dim(ct, in_shape, kept)]


def _reduce_sum_batch(args, dims, *, axes):
    (x,), (d,) = args, dims
    new_axes = tuple(a + (a >= d) for a in axes)
    out_dim = d - sum(1 for a in new_axes if a < d)
    return reduce_sum(x, new_axes), out_dim


def _reduce_sum_impl(xp, x, *, axes):
    return xp.sum(x, axis=axes, dtype=x.dtype)


reduce_sum_p = define_primitive(
    "reduce_sum",
    impl=_reduce_sum_impl,
    abstract_eval=_reduce_sum_abstract,
    jvp="linear",
    batch=_reduce_sum_batch,
    linear=True,
    transpose=_reduce_sum_transpose,
    emit="xp.sum({0}, axis={axes}, dtype={0}.dtype)",
)


def reduce_sum(x, axes):
    """lax.reduce_sum over the static `axes`."""
    return reduce_sum_p.bind(x, axes=_check_axes("reduce_sum", aval_of(x), axes))


__all__ = [
    "reduce_sum",
]
