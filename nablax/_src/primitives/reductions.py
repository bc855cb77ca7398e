"""Reductions over static axes: reduce_sum/max/min/prod/and/or, argmax/argmin.

All keep the operand's dtype (argmax/argmin give `index_dtype`). The cumulative
scans and sort live in sorting.py.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .. import dtypes
from ..avals import ShapedArray, Zero
from . import elementwise, misc, shape, sorting
from ._define import aval_of, define_primitive, never_weak, normalize_axis, require_dtype_kinds

_KIND_WORDS = {"iufc": "a numeric dtype", "biuf": "a real dtype (bool, integer or float)",
               "biu": "a bool or integer dtype"}


def _check_axes(name: str, x: ShapedArray, axes) -> tuple:
    ndim, prev = x.ndim, -1
    for a in axes:  # fast path: already sorted, distinct, in-range ints
        if type(a) is not int or a <= prev or a >= ndim:
            break
        prev = a
    else:
        return tuple(axes)
    out = tuple(sorted(normalize_axis(f"lax.{name}", a, x.ndim) for a in axes))
    if len(set(out)) != len(out):
        raise ValueError(f"lax.{name}: duplicate axes {axes}")
    return out


def _reduced_shape(x: ShapedArray, axes) -> tuple:
    return tuple(d for i, d in enumerate(x.shape) if i not in axes)


def _kept_axes(ndim: int, axes) -> tuple:
    return tuple(i for i in range(ndim) if i not in axes)


def _axis_reduce_batch(prim):
    """vmap rule of a reduction over `axes` (other params passed through): shift the axes."""

    def rule(args, dims, *, axes, **params):
        (x,), (d,) = args, dims
        new_axes = tuple(a + (a >= d) for a in axes)
        out_dim = d - sum(1 for a in new_axes if a < d)
        return prim.bind(x, axes=new_axes, **params), out_dim

    return rule


def _reduce_abstract(name: str, kinds: str):
    def abstract_eval(x: ShapedArray, *, axes) -> ShapedArray:
        require_dtype_kinds(name, x, kinds, _KIND_WORDS[kinds])
        axes = _check_axes(name, x, axes)
        return ShapedArray(_reduced_shape(x, axes), x.dtype, x.weak_type)

    return abstract_eval


def axis_reduction(name: str, kinds: str, doc: str, **rules):
    """A reduction over static `axes` (shape rule, batch rule and lax wrapper filled in)."""
    prim = define_primitive(name, abstract_eval=_reduce_abstract(name, kinds), batch=None, sparsity="reduce", **rules)
    prim.batch = _axis_reduce_batch(prim)

    def wrapper(x, axes):
        return prim.bind(x, axes=_check_axes(name, aval_of(x), axes))

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = doc
    return prim, wrapper


# ----------------------------------------------------------------------------- reduce_sum

def _reduce_sum_transpose(ct, x, *, axes):
    if type(ct) is Zero:
        return [None]
    in_shape = x.aval.shape
    return [shape.broadcast_in_dim(ct, in_shape, _kept_axes(len(in_shape), axes))]


def accumulation_dtype(dtype: np.dtype) -> np.dtype:
    """float32 for the 16-bit floats (float16, bfloat16), whose sums and products are
    accumulated in float32 and rounded once; otherwise `dtype` itself."""
    return _F32 if dtype.itemsize == 2 and dtypes.is_float(dtype) else dtype


_F32 = np.dtype(np.float32)


# The reductions call the ufuncs' `reduce` directly rather than xp.sum/xp.max: NumPy's
# RuntimeWarnings (inf - inf in a sum) then come from nablax's frames, which nablax's filter
# silences, instead of from NumPy's own Python wrappers.

def _unrolled_last_axis(shape: tuple, axes: tuple) -> int:
    """The size of a short last axis (2 to 4) of a large array when it is the only one summed,
    else 0. NumPy reduces such an axis with one tiny inner loop per output element, about 20x
    slower than adding its slices (x[..., 0] + x[..., 1] + ..., the same order of additions,
    so the same bits): pairwise distances `sum((x[:, None] - x[None]) ** 2, -1)` hit this."""
    if len(axes) != 1 or axes[0] != len(shape) - 1 or not 2 <= shape[-1] <= 4:
        return 0
    return shape[-1] if int(np.prod(shape)) >= 4096 else 0


def _blas_sum_shapes(shape: tuple, axes: tuple, dtype: np.dtype) -> tuple | None:
    """(operand shape, result shape) when a float32/float64 sum runs over one contiguous
    block of axes that is not at the end, else None: the sum is then
    `ones(rows) @ x.reshape(operand)`, with the kept axes before the block as a batch (none:
    one 2-D gemv) and those after it as columns. NumPy adds such an array row by row with an
    inner loop over the kept columns: with few columns that is 20-50x slower than BLAS
    ((65536, 3) over axis 0: 1.4 ms vs 27 us; (2048, 16): 32 us vs 2 us, one thread), which
    adds the same rows in the operand's dtype and starts from +0.0 as XLA's reduce does."""
    if dtype not in (np.float32, np.float64) or not axes or axes[-1] >= len(shape) - 1 \
            or axes != tuple(range(axes[0], axes[0] + len(axes))):
        return None
    before, after = shape[:axes[0]], shape[axes[-1] + 1:]
    rows, cols = math.prod(shape[axes[0]:axes[-1] + 1]), math.prod(after)
    if rows < 2:
        return None
    return ((math.prod(before), rows, cols) if before else (rows, cols)), before + after


@functools.lru_cache(maxsize=64)
def _ones(rows: int, dtype: np.dtype) -> np.ndarray:
    ones = np.ones(rows, dtype)
    ones.flags.writeable = False
    return ones


def _reduce_sum_impl(xp, x, *, axes):
    dt = np.result_type(x)
    acc = accumulation_dtype(dt)
    if acc == dt and _unrolled_last_axis(np.shape(x), axes):
        out = x[..., 0]
        for i in range(1, x.shape[-1]):
            out = out + x[..., i]
        return out
    shapes = _blas_sum_shapes(np.shape(x), axes, dt)
    if shapes:
        operand, kept = shapes
        return (_ones(operand[-2], dt) @ xp.reshape(x, operand)).reshape(kept)
    out = xp.add.reduce(x, axis=axes, dtype=acc)
    return out if acc == dt else out.astype(dt)


def _reduce_sum_emit(args, params, src, avals):
    x, axes = avals[0], params["axes"]
    if accumulation_dtype(x.dtype) != x.dtype:
        return None
    size = _unrolled_last_axis(tuple(x.shape), axes)
    if size:
        terms = [f"{args[0]}[..., {i}]" for i in range(size)]
        out = terms[0]
        for term in terms[1:]:
            out = f"({out} + {term})"
        return out
    shapes = _blas_sum_shapes(tuple(x.shape), axes, x.dtype)
    if shapes:
        operand, kept = shapes
        dims = ", ".join(map(str, operand))
        return f"({src(_ones(operand[-2], x.dtype))} @ {args[0]}.reshape({dims})).reshape({kept!r})"
    return f"xp.add.reduce({args[0]}, axis={axes!r}, dtype={args[0]}.dtype)"


reduce_sum_p, reduce_sum = axis_reduction(
    "reduce_sum", "iufc", "lax.reduce_sum over the static `axes`.",
    impl=_reduce_sum_impl,
    jvp="linear",
    linear=True,
    transpose=_reduce_sum_transpose,
    emit=_reduce_sum_emit,
    monoid="add",
)



# ------------------------------------------------------------------ reduce_max, reduce_min

def _extreme_identity(dtype: np.dtype, is_max: bool):
    """The identity of max (the lowest value) or min (the highest) in `dtype`."""
    if dtype.kind == "b":
        return not is_max
    if dtypes.is_float(dtype):  # includes bfloat16, whose NumPy kind is "V"
        return -np.inf if is_max else np.inf
    info = np.iinfo(dtype)
    return info.min if is_max else info.max


def _extreme_impl(is_max: bool):
    def impl(xp, x, *, axes):
        dtype = np.result_type(x)
        fn = xp.maximum.reduce if is_max else xp.minimum.reduce
        # `initial` gives empty reductions the identity (-inf for max), as in lax.
        return fn(x, axis=axes, initial=_extreme_identity(dtype, is_max))

    return impl


def _extreme_emit(is_max: bool):
    """`xp.max(x, axis=...)` when no reduced axis is empty (otherwise the impl's identity)."""

    def emit(args, params, src, avals):
        if any(avals[0].shape[a] == 0 for a in params["axes"]):
            return None
        return f"xp.{'maximum' if is_max else 'minimum'}.reduce({args[0]}, axis={params['axes']!r})"

    return emit


def _extreme_weights(x, out, axes):
    """1/count at the extremal positions of x (ties shared equally), 0 elsewhere."""
    aval = aval_of(x)
    at_extreme = elementwise.eq(x, shape.broadcast_in_dim(out, aval.shape, _kept_axes(aval.ndim, axes)))
    mask = misc.convert_element_type(at_extreme, aval.dtype, aval.weak_type)
    count = reduce_sum(mask, axes)
    return elementwise.div(mask, shape.broadcast_in_dim(count, aval.shape, _kept_axes(aval.ndim, axes)))


def _extreme_jvp(is_max: bool):
    """Tangent of max/min: the tangent at the extremal positions, ties shared equally."""

    def jvp(primals, tangents, *, axes):
        (x,), (t,) = primals, tangents
        out = (reduce_max_p if is_max else reduce_min_p).bind(x, axes=axes)
        if type(t) is Zero or not dtypes.is_float(aval_of(x).dtype):
            return out, Zero(aval_of(out).to_tangent_aval())
        return out, reduce_sum(elementwise.mul(t, _extreme_weights(x, out, axes)), axes)

    return jvp


def _extreme_jet(is_max: bool):
    """Every coefficient taken where the primal is extremal (the JVP's weights, fixed along the curve)."""

    def jet(primals, series, *, axes):
        (x,), (s,) = primals, series
        out = (reduce_max_p if is_max else reduce_min_p).bind(x, axes=axes)
        if not dtypes.is_float(aval_of(x).dtype):
            return out, None
        weights = _extreme_weights(x, out, axes)
        return out, [reduce_sum(elementwise.mul(t, weights), axes) for t in s]

    return jet


reduce_max_p, reduce_max = axis_reduction(
    "reduce_max", "biuf", "lax.reduce_max over the static `axes` (NaN propagates; -inf for an empty reduction).",
    impl=_extreme_impl(True),
    emit=_extreme_emit(True),
    jvp=_extreme_jvp(True),
    jet=_extreme_jet(True),
    monoid="maximum",
)

reduce_min_p, reduce_min = axis_reduction(
    "reduce_min", "biuf", "lax.reduce_min over the static `axes` (NaN propagates; +inf for an empty reduction).",
    impl=_extreme_impl(False),
    emit=_extreme_emit(False),
    jvp=_extreme_jvp(False),
    jet=_extreme_jet(False),
    monoid="minimum",
)




# ----------------------------------------------------------------------------- reduce_prod

def _reduce_prod_impl(xp, x, *, axes):
    dt = np.result_type(x)
    acc = accumulation_dtype(dt)
    out = xp.multiply.reduce(x, axis=axes, dtype=acc)
    return out if acc == dt else out.astype(dt)


def _reduce_prod_jvp(primals, tangents, *, axes):
    """d prod = sum_i t_i * prod_{j != i} x_j, with the products of the others taken from
    exclusive prefix and suffix products: no division, so zeros in x are handled exactly."""
    (x,), (t,) = primals, tangents
    out = reduce_prod(x, axes)
    if not axes:
        return out, t
    if type(t) is Zero or not dtypes.is_inexact(aval_of(x).dtype):
        return out, Zero(aval_of(out).to_tangent_aval())
    aval = aval_of(x)
    if len(axes) == 1:
        axis, xs, ts = axes[0], x, t
    else:
        # Gather the reduced axes into one trailing axis.
        kept = _kept_axes(aval.ndim, axes)
        perm = kept + tuple(axes)
        flat = tuple(aval.shape[i] for i in kept) + (int(np.prod([aval.shape[a] for a in axes])),)
        xs = shape.reshape(shape.transpose(x, perm), flat)
        ts = shape.reshape(shape.transpose(t, perm), flat)
        axis = len(flat) - 1
    before = sorting.shift(sorting.cumprod(xs, axis), axis, 1, 1)
    after = sorting.shift(sorting.cumprod(xs, axis, reverse=True), axis, -1, 1)
    others = elementwise.mul(before, after)
    return out, reduce_sum(elementwise.mul(ts, others), (axis,))


reduce_prod_p, reduce_prod = axis_reduction(
    "reduce_prod", "iufc", "lax.reduce_prod over the static `axes`.",
    impl=_reduce_prod_impl,
    jvp=_reduce_prod_jvp,
)



# ------------------------------------------------------------------ reduce_and, reduce_or

def _logical_impl(is_and: bool):
    def impl(xp, x, *, axes):
        if np.result_type(x) == np.bool_:
            return (xp.all if is_and else xp.any)(x, axis=axes)
        ufunc = np.bitwise_and if is_and else np.bitwise_or
        return ufunc.reduce(x, axis=axes)

    return impl


reduce_and_p, reduce_and = axis_reduction(
    "reduce_and", "biu", "lax.reduce_and: logical AND over `axes` for bool operands (bitwise for integers).",
    impl=_logical_impl(True),
    differentiable=False,
)

reduce_or_p, reduce_or = axis_reduction(
    "reduce_or", "biu", "lax.reduce_or: logical OR over `axes` for bool operands (bitwise for integers).",
    impl=_logical_impl(False),
    differentiable=False,
)


# ---------------------------------------------------------------------- argmax, argmin

def _index_reduction(name: str, is_max: bool, doc: str):
    """argmax/argmin: the index of the extreme value along one axis (integer output)."""
    def impl(xp, x, *, axes, index_dtype):
        # NumPy's argmax/argmin return the first NaN when there is one, like lax.
        fn = xp.argmax if is_max else xp.argmin
        return np.asarray(fn(x, axis=axes[0])).astype(index_dtype)

    def abstract_eval(x: ShapedArray, *, axes, index_dtype) -> ShapedArray:
        require_dtype_kinds(name, x, "biuf", _KIND_WORDS["biuf"])
        if len(axes) != 1:
            raise ValueError(f"lax.{name}: axes must hold exactly one axis, got {axes}")
        (axis,) = _check_axes(name, x, axes)
        if x.shape[axis] == 0:
            raise ValueError(f"lax.{name}: cannot reduce an empty axis {axis} of shape {x.shape}")
        if np.dtype(index_dtype).kind not in "iu":
            raise TypeError(f"lax.{name}: index_dtype must be an integer dtype, got {index_dtype}")
        return ShapedArray(_reduced_shape(x, (axis,)), np.dtype(index_dtype), False)

    prim = define_primitive(name, impl=impl, abstract_eval=abstract_eval, differentiable=False, batch=None,
                            weak_rule=never_weak)
    prim.batch = _axis_reduce_batch(prim)

    def wrapper(operand, axis: int, index_dtype):
        (axis,) = _check_axes(name, aval_of(operand), (axis,))
        return prim.bind(operand, axes=(axis,), index_dtype=dtypes.canonicalize_dtype(index_dtype))

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = doc
    return prim, wrapper


argmax_p, argmax = _index_reduction(
    "argmax", True, "lax.argmax: index of the largest value along `axis` (the first one on ties; NaN wins).")
argmin_p, argmin = _index_reduction(
    "argmin", False, "lax.argmin: index of the smallest value along `axis` (the first one on ties; NaN wins).")


__all__ = [
    "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or",
    "argmax", "argmin",
]
