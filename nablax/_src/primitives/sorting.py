"""Scans and sorting: cumsum/cumprod/cummax/cummin, sort, and the gathers sort's JVP uses.

`sort` sorts several operands together by the first `num_keys` of them (lexicographic
order, NaNs last); argsort is sort of (keys, iota). Its JVP applies the same
permutation to the tangents with `take_along_axis`, whose transpose is
`scatter_add_along_axis`; both are primitives here with all their rules.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..array import wrap
from ..avals import ShapedArray, Zero
from . import elementwise, shape, templates
from ._define import aval_of, define_primitive, normalize_axis, require_dtype_kinds

_INDEX_DTYPE = np.dtype(np.int32)  # internal permutations (canonical with and without x64)


def _iota(shape_: tuple, axis: int, dtype=_INDEX_DTYPE):
    """A concrete int array of `shape_` counting 0, 1, ... along `axis`."""
    n = shape_[axis]
    ar = np.arange(n, dtype=dtype).reshape((n,) + (1,) * (len(shape_) - axis - 1))
    return wrap(np.ascontiguousarray(np.broadcast_to(ar, shape_)), False)


def shift(x, axis: int, k: int, fill):
    """`x` moved by `k` places along `axis` (k > 0: towards higher indices), `fill` entering."""
    aval = aval_of(x)
    n = aval.shape[axis]
    value = wrap(np.asarray(fill, aval.dtype), aval.weak_type)
    if k == 0:
        return x
    if abs(k) >= n:
        return shape.broadcast_in_dim(value, aval.shape, ())
    config = [(0, 0, 0)] * aval.ndim
    config[axis] = (k, -k, 0)
    return shape.pad(x, value, config)


def _check_scan(name: str, x: ShapedArray, axis: int, kinds: str, what: str) -> None:
    require_dtype_kinds(name, x, kinds, what)
    if x.ndim == 0:
        raise ValueError(f"lax.{name} needs an operand of rank >= 1, got shape {x.shape}")
    if not 0 <= axis < x.ndim:
        raise ValueError(f"lax.{name}: axis {axis} is out of bounds for an operand of shape {x.shape}")


# ------------------------------------------------------------------ cumulative scans

def _scan_prim(name: str, accumulate, kinds: str, what: str, **rules):
    def impl(xp, x, *, axis, reverse):
        if reverse:
            x = xp.flip(x, axis)
        out = accumulate(xp, x, axis)
        return xp.flip(out, axis) if reverse else out

    def abstract_eval(x: ShapedArray, *, axis, reverse) -> ShapedArray:
        _check_scan(name, x, axis, kinds, what)
        return x

    prim = define_primitive(name, impl=impl, abstract_eval=abstract_eval, batch=None, sparsity="cumulative",
                            **rules)

    def batch(args, dims, *, axis, reverse):
        (x,), (d,) = args, dims
        return prim.bind(x, axis=axis + (axis >= d), reverse=reverse), d

    prim.batch = batch
    return prim


def _cumprod_jvp(primals, tangents, *, axis, reverse):
    """Product rule through a doubling (Hillis-Steele) scan: no division, exact at zeros."""
    (x,), (t,) = primals, tangents
    out = cumprod_p.bind(x, axis=axis, reverse=reverse)
    if type(t) is Zero or not dtypes.is_inexact(aval_of(x).dtype):
        return out, Zero(aval_of(out).to_tangent_aval())
    n = aval_of(x).shape[axis]
    direction = -1 if reverse else 1
    y, dt = x, t
    step = 1
    while step < n:
        y_prev = shift(y, axis, direction * step, 1)
        dt = elementwise.add(elementwise.mul(dt, y_prev), elementwise.mul(y, shift(dt, axis, direction * step, 0)))
        y = elementwise.mul(y, y_prev)
        step *= 2
    return out, dt


def _cumextreme_jvp(is_max: bool):
    """Tangent of a running max/min: the tangent where the current extreme was attained."""

    def jvp(primals, tangents, *, axis, reverse):
        (x,), (t,) = primals, tangents
        prim = cummax_p if is_max else cummin_p
        out = prim.bind(x, axis=axis, reverse=reverse)
        if type(t) is Zero or not dtypes.is_float(aval_of(x).dtype):
            return out, Zero(aval_of(out).to_tangent_aval())
        aval = aval_of(x)
        n = aval.shape[axis]
        # Positions where x equals the running extreme; the most recent one (in scan
        # order) up to each position is where that position's value came from.
        is_new = elementwise.eq(x, out)
        iota = _iota(aval.shape, axis)
        fill = wrap(np.asarray(n - 1 if reverse else 0, _INDEX_DTYPE))
        marks = elementwise.select_n(is_new, templates.broadcast_to(fill, aval.shape), iota)
        source = (cummin_p if reverse else cummax_p).bind(marks, axis=axis, reverse=reverse)
        return out, take_along_axis(t, source, axis)

    return jvp


def _cumsum_transpose(ct, x, *, axis, reverse):
    return [None if type(ct) is Zero else cumsum_p.bind(ct, axis=axis, reverse=not reverse)]


def _scan_impl(name: str):
    """xp.add / xp.multiply's accumulate in x's dtype (called directly, not through
    xp.cumsum, so NumPy's RuntimeWarnings come from this module, which nablax's filter
    silences). Along more than 16 entries, 16-bit floats
    accumulate in float32 instead (rounded once per entry): XLA's scan is a tree there,
    nearly as accurate, where a running 16-bit sum stalls (a bfloat16 sum of 0.1s at 32).
    Up to 16 entries XLA adds one by one in 16 bits, and so does this."""

    def impl(xp, x, axis):
        dt = np.result_type(x)
        if dt.itemsize == 2 and dtypes.is_float(dt) and np.shape(x)[axis] > 16:
            return getattr(xp, name).accumulate(x, axis=axis, dtype=np.float32).astype(dt)
        return getattr(xp, name).accumulate(x, axis=axis, dtype=dt)

    return impl


cumsum_p = _scan_prim(
    "cumsum", _scan_impl("add"),
    "iufc", "a numeric dtype", jvp="linear", linear=True, transpose=_cumsum_transpose,
)
cumprod_p = _scan_prim(
    "cumprod", _scan_impl("multiply"),
    "iufc", "a numeric dtype", jvp=_cumprod_jvp,
)
cummax_p = _scan_prim(
    "cummax", lambda xp, x, axis: np.maximum.accumulate(x, axis=axis),
    "iuf", "a real numeric dtype (not bool, as in JAX)", jvp=_cumextreme_jvp(True),
)
cummin_p = _scan_prim(
    "cummin", lambda xp, x, axis: np.minimum.accumulate(x, axis=axis),
    "iuf", "a real numeric dtype (not bool, as in JAX)", jvp=_cumextreme_jvp(False),
)


def _scan_wrapper(prim):
    def scan(operand, axis: int = 0, reverse: bool = False):
        aval = aval_of(operand)
        axis = normalize_axis(f"lax.{prim.name}", int(axis), aval.ndim)
        prim.abstract_eval(aval, axis=axis, reverse=bool(reverse))  # (the eager path skips it)
        return prim.bind(operand, axis=axis, reverse=bool(reverse))

    scan.__name__ = scan.__qualname__ = prim.name
    scan.__doc__ = f"lax.{prim.name}(operand, axis=0, reverse=False): inclusive running scan along `axis`."
    return scan


cumsum = _scan_wrapper(cumsum_p)
cumprod = _scan_wrapper(cumprod_p)
cummax = _scan_wrapper(cummax_p)
cummin = _scan_wrapper(cummin_p)


# ------------------------------------------------------------- take_along_axis / scatter

def _check_take(name: str, x: ShapedArray, idx: ShapedArray, axis: int) -> None:
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got {idx.dtype.name}")
    if x.ndim != idx.ndim or not 0 <= axis < max(x.ndim, 1):
        raise ValueError(f"{name}: operand shape {x.shape} and indices shape {idx.shape} need the same "
                         f"rank >= 1 and a valid axis (got axis {axis})")
    if any(a != b for i, (a, b) in enumerate(zip(x.shape, idx.shape)) if i != axis):
        raise ValueError(f"{name}: operand shape {x.shape} and indices shape {idx.shape} must agree "
                         f"except along axis {axis}")


def _take_abstract(x: ShapedArray, idx: ShapedArray, *, axis) -> ShapedArray:
    _check_take("take_along_axis", x, idx, axis)
    return ShapedArray(idx.shape, x.dtype, x.weak_type)


def _take_transpose(ct, x, idx, *, axis):
    if type(ct) is Zero:
        return [None, None]
    return [scatter_add_along_axis_p.bind(ct, idx, axis=axis, size=x.aval.shape[axis]), None]


def _along_axis_primitive(name: str, impl, abstract_eval, transpose, **rules):
    """An (operand, indices) primitive along `axis`, linear in the operand: its JVP applies it
    to the operand's tangent, its vmap rule moves batch dims to the front."""

    def jvp(primals, tangents, **params):
        (x, idx), (t, _) = primals, tangents
        out = prim.bind(x, idx, **params)
        if type(t) is Zero:
            return out, Zero(aval_of(out).to_tangent_aval())
        return out, prim.bind(t, idx, **params)

    def batch(args, dims, *, axis, **params):
        size = templates.batch_size(args, dims)
        x, idx = (templates.bdim_to_front(a, d, size) for a, d in zip(args, dims))
        return prim.bind(x, idx, axis=axis + 1, **params), 0

    prim = define_primitive(name, impl=impl, abstract_eval=abstract_eval, jvp=jvp, batch=batch, linear=True,
                            transpose=transpose, weak_rule=_first_operand_weak, **rules)
    return prim


def _first_operand_weak(arrays, params) -> bool:
    return arrays[0]._weak


take_along_axis_p = _along_axis_primitive(
    "take_along_axis", lambda xp, x, idx, *, axis: xp.take_along_axis(x, idx, axis=axis), _take_abstract,
    _take_transpose, sparsity="move")


def _scatter_impl(xp, u, idx, *, axis, size):
    out_shape = list(np.shape(u))
    out_shape[axis] = size
    out = xp.zeros(out_shape, dtype=np.result_type(u))
    index = list(np.indices(np.shape(idx), sparse=True))
    index[axis] = idx
    np.add.at(out, tuple(index), u)
    return out


def _scatter_abstract(u: ShapedArray, idx: ShapedArray, *, axis, size) -> ShapedArray:
    if u.shape != idx.shape:
        raise ValueError(f"scatter_add_along_axis: updates shape {u.shape} and indices shape {idx.shape} differ")
    _check_take("scatter_add_along_axis", u, idx, axis)
    return ShapedArray(u.shape[:axis] + (size,) + u.shape[axis + 1:], u.dtype, u.weak_type)


def _scatter_transpose(ct, u, idx, *, axis, size):
    if type(ct) is Zero:
        return [None, None]
    return [take_along_axis_p.bind(ct, idx, axis=axis), None]


scatter_add_along_axis_p = _along_axis_primitive(
    "scatter_add_along_axis", _scatter_impl, _scatter_abstract, _scatter_transpose, sparsity="move")


def take_along_axis(x, indices, axis: int):
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis` (linear in x)."""
    return take_along_axis_p.bind(x, indices, axis=int(axis))


def scatter_add_along_axis(updates, indices, axis: int, size: int):
    """The transpose of take_along_axis: add updates into zeros of length `size` along `axis`."""
    return scatter_add_along_axis_p.bind(updates, indices, axis=int(axis), size=int(size))


# --------------------------------------------------------------------------------- sort

def _sort_impl(xp, *operands, dimension, is_stable, num_keys):
    if len(operands) == 1:
        return [xp.sort(operands[0], axis=dimension, kind="stable")]
    keys = operands[:num_keys]
    # lexsort's last key is the primary one; it is stable and puts NaNs last.
    perm = np.lexsort(tuple(reversed(keys)), axis=dimension)
    return [xp.take_along_axis(o, perm, axis=dimension) for o in operands]


def _sort_abstract(*operands: ShapedArray, dimension, is_stable, num_keys) -> list:
    if not operands:
        raise TypeError("lax.sort needs at least one operand")
    shape0 = operands[0].shape
    if any(o.shape != shape0 for o in operands):
        raise TypeError(f"lax.sort: operands must share one shape, got {[o.shape for o in operands]}")
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"lax.sort: num_keys={num_keys} must be between 1 and the number of operands "
                         f"({len(operands)})")
    if not operands[0].ndim:
        raise ValueError("lax.sort needs operands of rank >= 1, got scalars")
    if not 0 <= dimension < len(shape0):
        raise ValueError(f"lax.sort: dimension {dimension} is out of bounds for shape {shape0}")
    for k in operands[:num_keys]:
        require_dtype_kinds("sort", k, "biufc", "a bool or numeric key dtype")
    return list(operands)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    shape0 = aval_of(primals[0]).shape
    outs = sort_p.bind(*primals, _iota(shape0, dimension), dimension=dimension, is_stable=True,
                       num_keys=num_keys)
    perm = outs[-1]
    touts = []
    for o, t in zip(outs[:-1], tangents):
        if type(t) is Zero or not dtypes.is_inexact(aval_of(o).dtype):
            touts.append(Zero(aval_of(o).to_tangent_aval()))
        else:
            touts.append(take_along_axis_p.bind(t, perm, axis=dimension))
    return outs[:-1], touts


def _sort_batch(args, dims, *, dimension, is_stable, num_keys):
    size = templates.batch_size(args, dims)
    ops = [templates.bdim_to_front(a, d, size) for a, d in zip(args, dims)]
    outs = sort_p.bind(*ops, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return outs, [0] * len(outs)


sort_p = define_primitive(
    "sort",
    impl=_sort_impl,
    abstract_eval=_sort_abstract,
    jvp=_sort_jvp,
    batch=_sort_batch,
    multiple_results=True,
    weak_rule=lambda arrays, params: [a._weak for a in arrays],
)


def sort(operand, dimension: int = -1, is_stable: bool = True, num_keys: int = 1):
    """lax.sort: sort along `dimension`; a tuple of operands is sorted by its first `num_keys`
    (lexicographically), the others carried along. Returns the same structure it was given."""
    multiple = isinstance(operand, (tuple, list))
    operands = tuple(operand) if multiple else (operand,)
    dim = normalize_axis("lax.sort", int(dimension), aval_of(operands[0]).ndim)
    outs = sort_p.bind(*operands, dimension=dim, is_stable=bool(is_stable), num_keys=int(num_keys))
    return tuple(outs) if multiple else outs[0]


def sort_key_val(keys, values, dimension: int = -1, is_stable: bool = True):
    """lax.sort_key_val: sort `keys` along `dimension` and permute `values` the same way."""
    return sort((keys, values), dimension, is_stable, 1)


__all__ = [
    "cumsum", "cumprod", "cummax", "cummin", "sort", "sort_key_val",
]
