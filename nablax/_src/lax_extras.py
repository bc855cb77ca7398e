"""The rest of lax on top of the primitives: shape helpers (full, split, tile, stack, ...),
the in-dim slicing helpers with JAX's keywords, the identity-like single-device functions
(with_sharding_constraint, pcast, dce_sink, stage, composite, platform_dependent).

Everything here is written on lax operations, so jit, vmap and grad apply as to those.
Re-exports the other lax_extras_* modules (dataclasses, *_p names, XLA-style gather and
scatter, ragged dots, associative_scan, custom_root).
"""
from __future__ import annotations

import builtins
import math
import operator
from typing import Any, Callable, Sequence

import numpy as np

from . import dtypes, tree
from .core import lift_aval
from .lax_api import broadcast, concatenate, integer_pow, reshape
from .lax_extras_dots import *  # noqa: F403
from .lax_extras_dots import __all__ as _dots_all
from .lax_extras_gather import *  # noqa: F403
from .lax_extras_gather import __all__ as _gather_all
from .lax_extras_prims import *  # noqa: F403
from .lax_extras_prims import __all__ as _prims_all
from .lax_extras_scan import *  # noqa: F403
from .lax_extras_scan import __all__ as _scan_all
from .lax_extras_types import *  # noqa: F403
from .lax_extras_types import __all__ as _types_all
from .primitives import collectives, misc
from .primitives import dynamic_slice as ds
from .primitives import elementwise as ew
from .primitives import shape as sh


def _aval(x):
    return lift_aval(x)


def _canonical_axis(name: str, axis, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"lax.{name}: axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _static_shape(name: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"lax.{name}: shapes must be 1D sequences of concrete values of integer type, got "
                        f"{shape!r}") from None
    if builtins.any(d < 0 for d in shape):
        raise TypeError(f"lax.{name}: shape must have every element be nonnegative, got {shape}")
    return shape


# ------------------------------------------------------------------------ in-dim helpers

def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
    """lax.index_in_dim: the slice at static `index` (negative counts from the end) along `axis`."""
    shape = _aval(operand).shape
    axis = ds._axis(len(shape), axis)
    index = operator.index(index)
    size = shape[axis]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {size}")
    index %= size
    out = sh.slice_in_dim(operand, index, index + 1, 1, axis)
    return out if keepdims else sh.reshape(out, shape[:axis] + shape[axis + 1:])


def _static_nonnegative(index, allow_negative_indices: bool):
    """The start as bound: with allow_negative_indices=False a static negative start is an error
    (as in JAX) and a traced one is clamped at 0, as the window is."""
    if allow_negative_indices:
        return index
    if isinstance(index, (int, np.integer)):
        if index < 0:
            raise ValueError(f"Index {index} is out of bounds if allow_negative_indices=False")
        return index
    return ew.max(index, 0)


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *, allow_negative_indices: bool = True):
    """lax.dynamic_slice_in_dim: dynamic_slice along one axis (the others whole); a negative start
    counts from the end unless allow_negative_indices=False."""
    return ds.dynamic_slice_in_dim(operand, _static_nonnegative(start_index, allow_negative_indices), slice_size, axis)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *, allow_negative_indices: bool = True):
    """lax.dynamic_index_in_dim: the slice at a (traced) `index` along `axis`."""
    return ds.dynamic_index_in_dim(operand, _static_nonnegative(index, allow_negative_indices), axis, keepdims)


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *, allow_negative_indices: bool = True):
    """lax.dynamic_update_slice_in_dim: dynamic_update_slice with a start along one axis only."""
    return ds.dynamic_update_slice_in_dim(operand, update, _static_nonnegative(start_index, allow_negative_indices),
                                          axis)


def dynamic_update_index_in_dim(operand, update, index, axis: int, *, allow_negative_indices: bool = True):
    """lax.dynamic_update_index_in_dim: write `update` (with or without the size-1 axis) at `index`."""
    return ds.dynamic_update_index_in_dim(operand, update, _static_nonnegative(index, allow_negative_indices), axis)


def collapse(operand, start_dimension: int, stop_dimension: int | None = None):
    """lax.collapse: merge axes [start_dimension, stop_dimension) into one (Python slice rules)."""
    shape = _aval(operand).shape
    lo, hi, _ = builtins.slice(start_dimension, stop_dimension).indices(len(shape))
    if hi < lo:
        raise ValueError(f"Invalid dimension range passed to collapse: {shape}[{start_dimension}:{stop_dimension}]")
    return reshape(operand, shape[:lo] + (math.prod(shape[lo:hi]),) + shape[hi:])


# ------------------------------------------------------------------------ constructors

def _convert(x, dtype, weak: bool):
    return misc.convert_element_type(x, dtypes.canonicalize_dtype(dtype), weak)


def full(shape, fill_value, dtype=None, *, sharding=None):
    """lax.full: an array of `shape` filled with the scalar `fill_value` (its dtype and weak type
    unless `dtype` is given). `sharding` is accepted; there is one device."""
    shape = _static_shape("full", shape)
    if np.shape(fill_value):
        raise TypeError(f"full must be called with scalar fill_value, got fill_value.shape {np.shape(fill_value)}.")
    if dtype is None:
        value = _convert(fill_value, dtypes.dtype_of(fill_value), dtypes.is_weakly_typed(fill_value))
    else:
        value = _convert(fill_value, dtypes.check_user_dtype(dtype, "lax.full"), False)
    return broadcast(value, shape)


def full_like(x, fill_value, dtype=None, shape=None, sharding=None):
    """lax.full_like: `fill_value` in x's shape (or `shape`) and dtype (or `dtype`); weak iff x is
    and no dtype is given."""
    fill_shape = np.shape(x) if shape is None else _static_shape("full_like", shape)
    weak = dtype is None and dtypes.is_weakly_typed(x)
    dt = dtypes.dtype_of(x) if dtype is None else dtypes.check_user_dtype(dtype, "lax.full_like")
    return full(fill_shape, _convert(fill_value, dt, weak))


def empty(shape, dtype, *, out_sharding=None):
    """lax.empty: an array whose contents do not matter (zeros here, as JAX's CPU backend gives)."""
    return full(shape, 0, dtype)


def broadcast_to_rank(x, rank: int):
    """lax.broadcast_to_rank: add leading axes of size 1 until x has `rank` axes."""
    ndim = np.ndim(x)
    return _convert(x, dtypes.dtype_of(x), dtypes.is_weakly_typed(x)) if ndim >= rank else broadcast(x, (1,) * (rank - ndim))


def broadcast_shapes(*shapes) -> tuple:
    """lax.broadcast_shapes: the NumPy broadcast of the given shapes (ValueError if incompatible)."""
    if not shapes:
        raise ValueError("lax.broadcast_shapes needs at least one shape")
    shapes = [tuple(operator.index(d) for d in s) for s in shapes]
    ndim = builtins.max(len(s) for s in shapes)
    out = []
    for column in zip(*[(1,) * (ndim - len(s)) + s for s in shapes]):
        sizes = {d for d in column if d != 1}
        if len(sizes) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_like(arr, like_arr):
    """lax.broadcast_like: `arr` broadcast (NumPy rules) to the shape of `like_arr`."""
    target = _aval(like_arr).shape
    a = _aval(arr)
    if broadcast_shapes(a.shape, target) != tuple(target):
        raise ValueError(f"Incompatible shapes for broadcasting: {a.shape} to {target}")
    lead = len(target) - a.ndim
    return sh.broadcast_in_dim(arr, tuple(target), tuple(range(lead, len(target))))


def reciprocal(x):
    """lax.reciprocal: 1 / x, elementwise (integer_pow(x, -1); integers are a TypeError)."""
    return integer_pow(x, -1)


def shape_as_value(shape):
    """lax.shape_as_value: the (static) shape as an int32 vector (int64 if a size needs it)."""
    shape = _static_shape("shape_as_value", shape)
    dt = np.int64 if builtins.any(d > np.iinfo(np.int32).max for d in shape) else np.int32
    return full((0,), np.array(0, dt)) if not shape else np.asarray(shape, dt)


def dtype(x: Any) -> np.dtype:
    """lax.dtype: the canonical dtype of a value, array, scalar type or dtype name."""
    if isinstance(x, (list, tuple)):
        raise TypeError(f"Cannot determine dtype of {x!r}")
    if isinstance(x, (str, type, np.dtype)):
        return dtypes.canonicalize_dtype(x)
    return dtypes.dtype_of(x)


# ------------------------------------------------------------------------ split, tile, stack

def split(operand, sizes: Sequence[int], axis: int = 0) -> list:
    """lax.split: consecutive pieces of the given (nonnegative) sizes along `axis`; they must add
    up to the axis length."""
    shape = _aval(operand).shape
    axis = _canonical_axis("split", axis, len(shape))
    sizes = [operator.index(s) for s in sizes]
    if builtins.any(s < 0 for s in sizes):
        raise ValueError(f"Sizes passed to split must be nonnegative, got {sizes}")
    if builtins.sum(sizes) != shape[axis]:
        raise ValueError(f"Sum of sizes {builtins.sum(sizes)} must be equal to dimension {axis} of the operand "
                         f"shape {list(shape)}")
    starts = np.cumsum([0] + sizes[:-1])
    return [sh.slice_in_dim(operand, int(s), int(s) + n, 1, axis) for s, n in zip(starts, sizes)]


def tile(operand, reps: Sequence[int]):
    """lax.tile: repeat the whole operand reps[i] times along axis i (len(reps) == ndim)."""
    shape = _aval(operand).shape
    reps = tuple(operator.index(r) for r in reps)
    if len(reps) != len(shape):
        raise TypeError(f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} and "
                        f"x.ndim={len(shape)}.")
    if builtins.any(r < 0 for r in reps):
        raise ValueError(f"lax.tile: reps must be nonnegative, got {reps}")
    # (r0, d0, r1, d1, ...) by broadcasting, then merge each pair.
    interleaved = tuple(v for r, d in zip(reps, shape) for v in (r, d))
    out = sh.broadcast_in_dim(operand, interleaved, tuple(range(1, 2 * len(shape), 2)))
    return sh.reshape(out, tuple(r * d for r, d in zip(reps, shape)))


def stack(operands: Sequence[Any], axis: int = 0):
    """lax.stack: operands of one shape and dtype joined along a new axis."""
    operands = list(operands)
    if not operands:
        raise ValueError("lax.stack needs at least one operand")
    shapes = [tuple(_aval(o).shape) for o in operands]
    if builtins.any(len(s) != len(shapes[0]) for s in shapes):
        raise ValueError(f"Cannot stack arrays with different numbers of dimensions: got "
                         f"{', '.join(map(str, shapes))}.")
    axis = _canonical_axis("stack", axis, len(shapes[0]) + 1)
    expanded = [sh.expand_dims(o, (axis,)) if _aval(o).ndim else sh.reshape(o, (1,)) for o in operands]
    return concatenate(expanded, axis)


def unstack(x, axis: int = 0) -> tuple:
    """lax.unstack: the slices of x along `axis`, as a tuple."""
    shape = _aval(x).shape
    axis = _canonical_axis("unstack", axis, len(shape))
    return tuple(index_in_dim(x, i, axis, keepdims=False) for i in range(shape[axis]))


# ------------------------------------------------------------------------ single-device identities

def with_sharding_constraint(x, shardings):
    """lax.with_sharding_constraint: the identity (one device: every sharding is satisfied)."""
    if builtins.any(s is None for s in tree.tree_leaves(shardings, is_leaf=lambda s: s is None)):
        raise ValueError("One of with_sharding_constraint arguments got sharding None which is not allowed. "
                         "Please only pass `jax.sharding.Sharding` instances.")
    return x


_PCAST_TO = ("varying", "reduced", "unreduced")


def pcast(x, axis_name, *, to: str):
    """lax.pcast: change how a value varies over shard_map axes. nablax does not track which
    axes a value varies over (an unbatched value is broadcast where it meets a varying one), so
    to='varying' is the identity under the named axes; 'reduced'/'unreduced' (which change what
    a later psum does) are not implemented. Outside the axes: the ValueError JAX raises."""
    if isinstance(axis_name, (set, frozenset)):
        raise TypeError(f"axis_name={axis_name!r} must be a tuple or a str. Got {axis_name}")
    if not axis_name:
        return x
    if to not in _PCAST_TO:
        raise ValueError(f"Got unexpected `to` value. Allowed `to` values are: {set(_PCAST_TO)}")
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    if not all(collectives.axis_is_bound(n) for n in names):
        raise ValueError(f"pcast should be called under jax.shard_map (or pmap/vmap) with axes {names}")
    if to != "varying":
        raise NotImplementedError(f"lax.pcast(..., to={to!r}): nablax does not track reduced/unreduced values")
    return x


def dce_sink(val, *, prevent_mlir_dce: bool = False) -> None:
    """lax.dce_sink: marks values as used (keeps them from dead-code elimination); returns None."""
    for leaf in tree.tree_leaves(val):
        _aval(leaf)


def stage(x, /):
    """lax.stage: x as an array of its dtype and weak type (under a trace, a value of that trace)."""
    return _convert(x, dtypes.dtype_of(x), dtypes.is_weakly_typed(x))


def composite(decomposition: Callable, name: str, version: int = 0) -> Callable:
    """lax.composite: a decorator naming `decomposition` as one operation for a compiler; here
    the decorated function runs the decomposition (keyword arguments are its attributes)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"lax.composite: name must be a nonempty string, got {name!r}")

    def run(*args, **kwargs):
        return tree.tree_map(stage, decomposition(*args, **kwargs))  # arrays out, as a traced composite gives

    run.__name__ = getattr(decomposition, "__name__", name)
    run.__doc__ = decomposition.__doc__
    return run


def platform_dependent(*args, default: Callable | None = None, **per_platform: Callable):
    """lax.platform_dependent: the 'cpu' branch applied to args (nablax runs on the CPU), else
    `default`; NotImplementedError when neither is given."""
    chosen = per_platform.get("cpu", default)
    if chosen is None:
        raise NotImplementedError(f"lax.platform_dependent: no branch for the cpu platform (given: "
                                  f"{sorted(per_platform)}) and no default")
    return chosen(*args)


__all__ = [
    "index_in_dim", "dynamic_slice_in_dim", "dynamic_index_in_dim", "dynamic_update_slice_in_dim",
    "dynamic_update_index_in_dim", "collapse", "full", "full_like", "empty", "broadcast_to_rank", "broadcast_shapes",
    "broadcast_like", "reciprocal", "shape_as_value", "dtype", "split", "tile", "stack", "unstack",
    "with_sharding_constraint", "pcast", "dce_sink", "stage", "composite", "platform_dependent",
    *_types_all, *_prims_all, *_gather_all, *_dots_all, *_scan_all,
]
