"""jnp joining and splitting: concatenate, stack and friends, split and friends (API on lax)."""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array
from ..core import Tracer
from ..primitives import shape as lax_shape
from ..primitives.misc import convert_element_type
from .promotion import promote_args
from .shape import _arr, _axis, _concrete, _index, atleast_1d, atleast_2d, atleast_3d, ravel

# -------------------------------------------------------------------------- joining

def _unstack_leading(fname: str, a) -> list:
    a = _arr(fname, a)
    if a.ndim == 0:
        raise ValueError(f"jnp.{fname}: a 0-d array cannot be split into arrays to join")
    return [lax_shape.squeeze(lax_shape.slice_in_dim(a, i, i + 1, axis=0), (0,)) for i in range(a.shape[0])]


def _sequence(fname: str, arrays) -> list:
    if isinstance(arrays, (Array, Tracer, np.ndarray)):
        return _unstack_leading(fname, arrays)
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"jnp.{fname}: expected a sequence of arrays, got {type(arrays).__name__}")
    if not arrays:
        raise ValueError(f"jnp.{fname}: need at least one array")
    return list(arrays)


def _promote_all(fname: str, arrays: list, dtype) -> list:
    first = arrays[0]
    if not (type(first) is Array and all(
            type(a) is Array and a._value.dtype == first._value.dtype and a._weak == first._weak
            for a in arrays)):
        arrays = promote_args(fname, *arrays)
    if dtype is not None:
        dt = dtypes.check_user_dtype(dtype, f"jnp.{fname}")
        arrays = [convert_element_type(a, dt) for a in arrays]
    return arrays


def concatenate(arrays, axis: int | None = 0, dtype: Any = None):
    """jnp.concatenate: join arrays along an existing axis (axis=None: flatten them first)."""
    arrays = _sequence("concatenate", arrays)
    arrays = _promote_all("concatenate", arrays, dtype)
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    n = arrays[0].ndim
    if n == 0:
        raise ValueError("jnp.concatenate: zero-dimensional arrays cannot be concatenated")
    ax = _axis("concatenate", axis, n)
    s0 = tuple(arrays[0].shape)
    for a in arrays:
        s = tuple(a.shape)
        if len(s) != n or s[:ax] != s0[:ax] or s[ax + 1:] != s0[ax + 1:]:
            shown = ", ".join(str(tuple(b.shape)) for b in arrays)
            raise TypeError(  # a TypeError, as in JAX
                f"jnp.concatenate: array shapes {shown} must have the same rank and agree except "
                f"along axis {ax}"
            )
    return lax_shape.concatenate(arrays, ax)


def concat(arrays, /, *, axis: int | None = 0):
    """jnp.concat: the array-API name of concatenate."""
    return concatenate(arrays, axis=axis)


def append(arr, values, axis: int | None = None):
    """jnp.append: `values` joined to the end of `arr` (both flattened when axis is None)."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


def stack(arrays, axis: int = 0, out=None, dtype: Any = None):
    """jnp.stack: join arrays of one shape along a new axis."""
    if out is not None:
        raise NotImplementedError("jnp.stack: the out= argument is not supported (arrays are immutable)")
    arrays = _sequence("stack", arrays)
    arrays = _promote_all("stack", arrays, dtype)
    s = tuple(arrays[0].shape)
    if any(tuple(a.shape) != s for a in arrays):
        shown = ", ".join(str(tuple(a.shape)) for a in arrays)
        raise ValueError(f"jnp.stack: all input arrays must have the same shape, got {shown}")
    ax = _axis("stack", axis, len(s) + 1)
    expanded = s[:ax] + (1,) + s[ax:]
    return lax_shape.concatenate([lax_shape.reshape(a, expanded) for a in arrays], ax)


def vstack(tup, dtype: Any = None):
    """jnp.vstack: stack rows (1-D arrays become rows)."""
    arrays = [atleast_2d(a) for a in _sequence("vstack", tup)]
    return concatenate(arrays, axis=0, dtype=dtype)


def hstack(tup, dtype: Any = None):
    """jnp.hstack: join along axis 1 (axis 0 for 1-D arrays)."""
    arrays = [atleast_1d(a) for a in _sequence("hstack", tup)]
    return concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1, dtype=dtype)


def dstack(tup, dtype: Any = None):
    """jnp.dstack: join along the third axis."""
    arrays = [atleast_3d(a) for a in _sequence("dstack", tup)]
    return concatenate(arrays, axis=2, dtype=dtype)


def column_stack(tup):
    """jnp.column_stack: 1-D arrays become columns of a 2-D array."""
    arrays = []
    for a in _sequence("column_stack", tup):
        a = _arr("column_stack", a)
        if a.ndim < 2:
            a = lax_shape.reshape(a, (a.size, 1))
        arrays.append(a)
    return concatenate(arrays, axis=1)


# ---------------------------------------------------------------------------- splitting

def _split(fname: str, ary, indices_or_sections, axis, equal: bool) -> list:
    a = _arr(fname, ary)
    ax = _axis(fname, axis, a.ndim)
    n = a.shape[ax]
    ios = indices_or_sections
    if isinstance(ios, Tracer) or (isinstance(ios, (Array, np.ndarray)) and np.ndim(ios) == 0):
        ios = _index(fname, ios, "the number of sections")
    if isinstance(ios, (int, np.integer)):
        sections = int(ios)
        if sections <= 0:
            raise ValueError(f"jnp.{fname}: the number of sections must be positive, got {sections}")
        if equal and n % sections:
            raise ValueError(
                f"jnp.{fname}: an axis of size {n} does not split into {sections} equal sections "
                "(use jnp.array_split for unequal ones)"
            )
        q, r = divmod(n, sections)
        sizes = [q + 1] * r + [q] * (sections - r)
        bounds, start = [], 0
        for s in sizes:
            bounds.append((start, start + s))
            start += s
    else:
        idx = _concrete(fname, ios, "the split indices").reshape(-1)
        if idx.size and idx.dtype.kind not in "iu":
            raise TypeError(f"jnp.{fname}: split indices must be integers, got {idx!r}")
        points = [0] + [int(i) for i in idx] + [n]
        bounds = []
        for st, en in zip(points[:-1], points[1:]):
            lo, hi, _ = builtins.slice(st, en).indices(n)
            bounds.append((lo, builtins.max(lo, hi)))
    return [lax_shape.slice_in_dim(a, lo, hi, 1, ax) for lo, hi in bounds]


def split(ary, indices_or_sections, axis: int = 0) -> list:
    """jnp.split: equal sections (an int) or pieces between sorted indices."""
    return _split("split", ary, indices_or_sections, axis, equal=True)


def array_split(ary, indices_or_sections, axis: int = 0) -> list:
    """jnp.array_split: like split, but sections may differ in size by one."""
    return _split("array_split", ary, indices_or_sections, axis, equal=False)


def hsplit(ary, indices_or_sections) -> list:
    """jnp.hsplit: split along axis 1 (axis 0 for 1-D arrays)."""
    a = _arr("hsplit", ary)
    return _split("hsplit", a, indices_or_sections, 0 if a.ndim == 1 else 1, equal=True)


def vsplit(ary, indices_or_sections) -> list:
    """jnp.vsplit: split along axis 0 (arrays of rank >= 2)."""
    a = _arr("vsplit", ary)
    if a.ndim < 2:
        raise ValueError(f"jnp.vsplit: needs an array of rank >= 2, got shape {a.shape}")
    return _split("vsplit", a, indices_or_sections, 0, equal=True)


def dsplit(ary, indices_or_sections) -> list:
    """jnp.dsplit: split along axis 2 (arrays of rank >= 3)."""
    a = _arr("dsplit", ary)
    if a.ndim < 3:
        raise ValueError(f"jnp.dsplit: needs an array of rank >= 3, got shape {a.shape}")
    return _split("dsplit", a, indices_or_sections, 2, equal=True)


__all__ = [
    "concatenate", "concat", "append", "stack", "vstack", "hstack", "dstack", "column_stack",
    "split", "array_split", "hsplit", "vsplit", "dsplit",
]
