"""dynamic_slice and dynamic_update_slice: static sizes, start indices known only at run time.

The public wrappers count a negative start from the end and check their arguments as
JAX does (the eager path does not run abstract_eval); the primitives clamp starts into
range like JAX. With batched starts, vmap turns them into one
gather / scatter (primitives/indexing.py) over per-example index grids.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import ad_util, dtypes
from ..ad_util import instantiate, zeros_of_aval
from ..array import Array, wrap
from ..avals import ShapedArray, Zero
from . import elementwise as ew
from . import shape, templates
from ._define import aval_of, define_primitive
from .indexing import ARRAY, _inexact, _operand_weak, _zero_tangent, gather_p, scatter_p

# ------------------------------------------------------------------------ dynamic_slice

def _clamped_starts(shape_, starts, sizes):
    return [builtins.min(builtins.max(int(s), 0), d - n) for s, d, n in zip(starts, shape_, sizes)]


def _check_starts(name: str, operand: ShapedArray, starts) -> None:
    if len(starts) != operand.ndim:
        raise TypeError(f"lax.{name}: needs one start index per operand axis: operand shape {operand.shape}, "
                        f"got {len(starts)} start indices")
    for s in starts:
        if s.shape != () or s.dtype.kind not in "iu":
            raise TypeError(f"lax.{name}: start indices must be integer scalars, got {s.str_short()}")


def _ds_impl(xp, x, *starts, slice_sizes):
    x = np.asarray(x)
    st = _clamped_starts(x.shape, starts, slice_sizes)
    return x[tuple(builtins.slice(s, s + n) for s, n in zip(st, slice_sizes))]


def _ds_abstract(operand, *starts, slice_sizes):
    _check_starts("dynamic_slice", operand, starts)
    if len(slice_sizes) != operand.ndim or builtins.any(not 0 <= n <= d for n, d in zip(slice_sizes, operand.shape)):
        raise TypeError(f"lax.dynamic_slice: slice_sizes {slice_sizes} must have one entry per axis of the operand "
                        f"of shape {operand.shape}, each between 0 and that axis' size")
    return ShapedArray(tuple(slice_sizes), operand.dtype, operand.weak_type)


def _ds_jvp(primals, tangents, *, slice_sizes):
    x, *starts = primals
    out = dynamic_slice_p.bind(x, *starts, slice_sizes=slice_sizes)
    tx = tangents[0]
    if type(tx) is Zero or not _inexact(out):
        return out, _zero_tangent(out)
    return out, dynamic_slice_p.bind(tx, *starts, slice_sizes=slice_sizes)


def _ds_transpose(ct, x, *starts, slice_sizes):
    rest = [None] * len(starts)
    if type(ct) is Zero or not ad_util.is_undefined(x):
        return [None] + rest
    return [dynamic_update_slice_p.bind(zeros_of_aval(x.aval), ct, *starts)] + rest


def _dynamic_grid(shape_, starts, dstarts, sizes, size):
    """Per-axis index arrays (broadcasting to (size, *sizes)) for a batch of clamped windows."""
    n = len(shape_)
    out = []
    for k, (s, ds, d, m) in enumerate(zip(starts, dstarts, shape_, sizes)):
        if ds is not None:
            s = templates.moveaxis(s, ds, 0)
        s = ew.max(ew.min(s, d - m), 0)
        dt = aval_of(s).dtype
        lead = size if ds is not None else 1
        s = shape.reshape(s, (lead,) + (1,) * n)
        window = np.arange(m, dtype=dt).reshape((1,) + (1,) * k + (m,) + (1,) * (n - k - 1))
        out.append(ew.add(s, wrap(window)))
    return out


def _ds_batch(args, dims, *, slice_sizes):
    x, *starts = args
    dx, *dstarts = dims
    size = templates.batch_size(args, dims)
    if builtins.all(d is None for d in dstarts):
        new_starts = list(starts[:dx]) + [0] + list(starts[dx:])
        new_sizes = tuple(slice_sizes[:dx]) + (size,) + tuple(slice_sizes[dx:])
        return dynamic_slice_p.bind(x, *new_starts, slice_sizes=new_sizes), dx
    per_ex = aval_of(x).shape if dx is None else tuple(s for a, s in enumerate(aval_of(x).shape) if a != dx)
    grid = _dynamic_grid(per_ex, starts, dstarts, slice_sizes, size)
    if dx is None:
        return gather_p.bind(x, *grid, spec=(ARRAY,) * len(grid), mode="clip", fill_value=None), 0
    x = templates.moveaxis(x, dx, 0)
    iota = wrap(np.arange(size, dtype=aval_of(grid[0]).dtype if grid else dtypes.default_int_dtype())
                .reshape((size,) + (1,) * len(grid)))
    return gather_p.bind(x, iota, *grid, spec=(ARRAY,) * (len(grid) + 1), mode="clip", fill_value=None), 0


dynamic_slice_p = define_primitive(
    "dynamic_slice",
    impl=_ds_impl,
    abstract_eval=_ds_abstract,
    jvp=_ds_jvp,
    batch=_ds_batch,
    linear=True,
    transpose=_ds_transpose,
    weak_rule=_operand_weak,
    sparsity="move",
)


# ----------------------------------------------------------------- dynamic_update_slice

def _dus_impl(xp, x, update, *starts):
    x = np.asarray(x)
    update = np.asarray(update)
    st = _clamped_starts(x.shape, starts, update.shape)
    out = x.copy()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(st, update.shape))] = update
    return out


def _check_update(operand, update):
    """JAX's rule for dynamic_update_slice: the update has the operand's rank and dtype and fits."""
    if update.ndim != operand.ndim or builtins.any(u > d for u, d in zip(update.shape, operand.shape)):
        raise TypeError(f"lax.dynamic_update_slice: update of shape {update.shape} does not fit in the operand of "
                        f"shape {operand.shape} (same rank, no larger along any axis)")
    if update.dtype != operand.dtype:
        raise TypeError(f"lax.dynamic_update_slice: operand dtype {operand.dtype.name} and update dtype "
                        f"{update.dtype.name} differ")


def _dus_abstract(operand, update, *starts):
    _check_starts("dynamic_update_slice", operand, starts)
    _check_update(operand, update)
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


def _dus_jvp(primals, tangents):
    x, u, *starts = primals
    out = dynamic_update_slice_p.bind(x, u, *starts)
    tx, tu = tangents[:2]
    if (type(tx) is Zero and type(tu) is Zero) or not _inexact(out):
        return out, _zero_tangent(out)
    return out, dynamic_update_slice_p.bind(instantiate(tx), instantiate(tu), *starts)


def _dus_transpose(ct, x, u, *starts):
    rest = [None] * len(starts)
    if type(ct) is Zero:
        return [None, None] + rest
    ct_x = dynamic_update_slice_p.bind(ct, zeros_of_aval(u.aval), *starts) if ad_util.is_undefined(x) else None
    ct_u = None
    if ad_util.is_undefined(u):
        ct_u = dynamic_slice_p.bind(ct, *starts, slice_sizes=tuple(u.aval.shape))
    return [ct_x, ct_u] + rest


def _dus_batch(args, dims):
    x, u, *starts = args
    dx, du, *dstarts = dims
    size = templates.batch_size(args, dims)
    if builtins.all(d is None for d in dstarts):
        if dx is not None and dx == du:
            new_starts = list(starts[:dx]) + [0] + list(starts[dx:])
            return dynamic_update_slice_p.bind(x, u, *new_starts), dx
        x = templates.bdim_to_front(x, dx, size)
        u = templates.bdim_to_front(u, du, size)
        return dynamic_update_slice_p.bind(x, u, 0, *starts), 0
    x = templates.bdim_to_front(x, dx, size)
    u = templates.bdim_to_front(u, du, size)
    sizes = templates.shape_of(u)[1:]
    grid = _dynamic_grid(templates.shape_of(x)[1:], starts, dstarts, sizes, size)
    iota = wrap(np.arange(size, dtype=aval_of(grid[0]).dtype).reshape((size,) + (1,) * len(grid)))
    return scatter_p.bind(x, u, iota, *grid, spec=(ARRAY,) * (len(grid) + 1), mode="clip", unique_indices=True), 0


dynamic_update_slice_p = define_primitive(
    "dynamic_update_slice",
    impl=_dus_impl,
    abstract_eval=_dus_abstract,
    jvp=_dus_jvp,
    batch=_dus_batch,
    linear=True,
    transpose=_dus_transpose,
    weak_rule=_operand_weak,
    sparsity="move",
)


def _start_operand(name: str, s, d: int):
    """A start index as bound: a Python int or an integer scalar Array/tracer, with a negative
    start counted from the end (start + d), as in JAX; the primitive then clamps it."""
    if isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)):
        s = int(s)
        return s + d if s < 0 else s
    a = aval_of(s)
    if a.shape != () or a.dtype.kind not in "iu":
        raise TypeError(f"lax.{name}: start indices must be integer scalars, got {a.str_short()}")
    if a.dtype.kind == "u":
        return s
    if type(s) is np.ndarray or type(s) is Array:  # concrete: normalize in NumPy
        v = int(np.asarray(s))
        return v + d if v < 0 else v
    return ew.select_n(ew.lt(s, 0), s, ew.add(s, d))


def _starts(name: str, shape_, start_indices) -> list:
    start_indices = list(start_indices)
    if len(start_indices) != len(shape_):
        raise ValueError(f"lax.{name}: got {len(start_indices)} start indices for an operand of shape {shape_}; "
                         "give one per axis")
    return [_start_operand(name, s, d) for s, d in zip(start_indices, shape_)]


def dynamic_slice(operand, start_indices, slice_sizes):
    """lax.dynamic_slice: the window of `slice_sizes` at `start_indices` (scalar integers, traced
    allowed). A negative start counts from the end; then starts are clamped so the window fits:
    start = clip(start, 0, dim - size). Errors as in JAX: ValueError for the wrong number of
    starts or sizes, TypeError for a size that is negative or larger than its axis."""
    shape_ = aval_of(operand).shape
    sizes = tuple(int(n) for n in slice_sizes)
    starts = _starts("dynamic_slice", shape_, start_indices)
    if len(sizes) != len(shape_):
        raise ValueError(f"lax.dynamic_slice: slice_sizes {sizes} must have one entry per axis of the operand of "
                         f"shape {shape_}")
    if builtins.any(n < 0 or n > d for n, d in zip(sizes, shape_)):
        raise TypeError(f"lax.dynamic_slice: slice_sizes {sizes} must be between 0 and the operand's shape {shape_} "
                        "along every axis")
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=sizes)


def dynamic_update_slice(operand, update, start_indices):
    """lax.dynamic_update_slice: `operand` with the window at `start_indices` replaced by `update`
    (starts as in dynamic_slice). The update must have the operand's rank and dtype and fit in it
    (TypeError otherwise, as in JAX)."""
    oa, ua = aval_of(operand), aval_of(update)
    starts = _starts("dynamic_update_slice", oa.shape, start_indices)
    _check_update(oa, ua)  # eagerly too: the eager path skips abstract_eval
    return dynamic_update_slice_p.bind(operand, update, *starts)


def _axis(ndim: int, axis) -> int:
    """`axis` indexed like a Python list of the operand's axes (JAX: IndexError when out of range)."""
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise IndexError(f"axis {axis} is out of range for an operand of rank {ndim}")
    return axis % ndim


def _axis_starts(ndim: int, axis: int, index):
    return [index if a == axis else 0 for a in range(ndim)]


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0):
    """lax.dynamic_slice_in_dim: dynamic_slice along one axis, keeping the others whole."""
    shape_ = aval_of(operand).shape
    axis = _axis(len(shape_), axis)
    sizes = list(shape_)
    sizes[axis] = int(slice_size)
    return dynamic_slice(operand, _axis_starts(len(shape_), axis, start_index), sizes)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True):
    """lax.dynamic_index_in_dim: the slice at `index` along `axis` (size-1 axis kept if keepdims)."""
    axis = _axis(aval_of(operand).ndim, axis)
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    if keepdims:
        return out
    shape_ = aval_of(out).shape
    return shape.reshape(out, shape_[:axis] + shape_[axis + 1:])


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int):
    """lax.dynamic_update_slice_in_dim: dynamic_update_slice with a start along one axis only."""
    ndim = aval_of(operand).ndim
    return dynamic_update_slice(operand, update, _axis_starts(ndim, _axis(ndim, axis), start_index))


def dynamic_update_index_in_dim(operand, update, index, axis: int):
    """lax.dynamic_update_index_in_dim: write `update` (with or without the size-1 axis) at `index`."""
    ndim = aval_of(operand).ndim
    axis = _axis(ndim, axis)
    ushape = aval_of(update).shape
    if len(ushape) == ndim - 1:
        update = shape.reshape(update, ushape[:axis] + (1,) + ushape[axis:])
    return dynamic_update_slice_in_dim(operand, update, index, axis)


__all__ = [
    "dynamic_slice", "dynamic_update_slice", "dynamic_slice_in_dim", "dynamic_update_slice_in_dim",
    "dynamic_index_in_dim", "dynamic_update_index_in_dim",
]
