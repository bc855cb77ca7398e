"""jnp's index tricks and index arithmetic: mgrid, ogrid, r_, c_, s_, index_exp, indices,
ravel_multi_index, unravel_index.

The tricks are objects indexed with slices, as in NumPy: a real step is arange's step, a
complex step `nj` asks for n points with the stop included (linspace). Slice bounds must be
concrete; the arrays concatenated by r_/c_ may be traced.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import dtypes
from . import creation, joining, ufuncs
from . import shape as shp
from .assembly import _concrete
from .promotion import check_arraylike

# NumPy's own index-expression builders: they only build tuples of slices (JAX reuses them too).
s_ = np.s_
index_exp = np.index_exp


def _grid_1d(s: slice, where: str):
    """The 1-D grid a slice stands for in mgrid/ogrid/r_."""
    start, stop, step = (None if v is None else _concrete(v, f"slice bound of jnp.{where}")[()]
                         for v in (s.start, s.stop, s.step))
    start = 0 if start is None else start
    step = 1 if step is None else step
    if np.iscomplexobj(step):
        return creation.linspace(start, stop, int(abs(step)))
    return creation.arange(start, stop, step)


class _Grid:
    """mgrid / ogrid: grids from slices (a dense stack, or open broadcastable arrays)."""

    def __init__(self, sparse: bool, name: str):
        self._sparse, self._name = sparse, name

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, self._name)
        grids = [_grid_1d(k, self._name) for k in key]
        if not grids:
            return [] if self._sparse else creation.arange(0)
        dtype = dtypes.result_type(*grids)
        grids = [g.astype(dtype) for g in grids]
        out = creation.meshgrid(*grids, indexing="ij", sparse=self._sparse)
        return out if self._sparse else joining.stack(out)

    def __repr__(self) -> str:
        return f"jnp.{self._name}"


mgrid = _Grid(False, "mgrid")
ogrid = _Grid(True, "ogrid")


def _directive(text: str, defaults: list) -> list:
    """r_'s leading string: 'r'/'c' (make a row/column matrix) or 'axis[,ndmin[,trans1d]]'."""
    if text == "r":
        return defaults[:3] + [0]
    if text == "c":
        return defaults[:3] + [1]
    parts = text.split(",")
    given = parts[:3] + defaults[len(parts):3] if len(parts) < 3 else parts[:3]
    try:
        return [int(p) for p in given] + [defaults[3]]
    except ValueError:
        raise ValueError(f"could not understand directive {text!r}") from None


class _Concat:
    """r_ / c_: slices, scalars and arrays concatenated along an axis, NumPy's directives included."""

    def __init__(self, axis: int, ndmin: int, trans1d: int, name: str):
        self._params, self._name = [axis, ndmin, trans1d, -1], name

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        params = list(self._params)
        if items and isinstance(items[0], str):
            params, items = _directive(items[0], params), items[1:]
        axis, ndmin, trans1d, matrix = params
        pieces = []
        for item in items:
            if isinstance(item, str):
                raise ValueError("string directive must be placed at the beginning")
            if isinstance(item, slice):
                arr, item_ndim = _grid_1d(item, self._name), 0
            else:
                arr = creation.asarray(item)
                item_ndim = arr.ndim
            arr = creation.array(arr, ndmin=ndmin)
            if trans1d != -1 and ndmin > item_ndim:
                shift = ndmin - abs(ndmin + trans1d + 1) % ndmin
                order = tuple(range(ndmin))
                arr = shp.transpose(arr, order[shift:] + order[:shift])
            pieces.append(arr)
        out = joining.concatenate(pieces, axis=axis)
        if matrix != -1 and out.ndim == 1:
            out = shp.expand_dims(out, matrix)
        return out

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"jnp.{self._name}"


r_ = _Concat(0, 1, -1, "r_")
c_ = _Concat(-1, 2, 0, "c_")


def indices(dimensions, dtype=None, sparse: bool = False):
    """jnp.indices: index grids for an array of shape `dimensions` (a stack, or open arrays)."""
    dims = tuple(operator.index(d) for d in dimensions)
    dtype = dtypes.default_int_dtype() if dtype is None else dtypes.check_user_dtype(dtype, "jnp.indices")
    out = []
    for i, d in enumerate(dims):
        shape = [1] * len(dims)
        shape[i] = d
        g = creation.arange(d, dtype=dtype).reshape(shape)
        out.append(g if sparse else shp.broadcast_to(g, dims))
    if sparse:
        return tuple(out)
    return joining.stack(out) if out else creation.zeros((0,), dtype)


def ravel_multi_index(multi_index, dims, mode: str = "raise", order: str = "C", *, dtype=None):
    """jnp.ravel_multi_index: flat indices of the coordinate arrays `multi_index` in shape `dims`.

    mode: 'raise' (coordinates concrete and in range: not under jit), 'wrap', 'clip' or 'ignore'.
    """
    if len(multi_index) != len(dims):
        raise ValueError(f"len(multi_index)={len(multi_index)} != len(dims)={len(dims)}")
    dims = tuple(operator.index(_concrete(d, "`dims` of jnp.ravel_multi_index")[()]) for d in dims)
    check_arraylike("ravel_multi_index", *multi_index)
    idx = [creation.asarray(i) for i in multi_index]
    if dtype is None:
        dtype = dtypes.result_type(int, *idx)
    else:
        dtype = dtypes.check_user_dtype(dtype, "jnp.ravel_multi_index")
    if not dtypes.issubdtype(dtype, np.integer):
        raise ValueError(f"dtype={dtype} is not an integer type.")
    if math.prod(dims) - 1 > np.iinfo(dtype).max:
        raise ValueError(f"jnp.ravel_multi_index: dtype={dtype} not large enough to hold flattened index for "
                         f"dims={dims}. Pass a wider integer dtype with the dtype argument.")
    for i in idx:
        if mode == "raise":
            _concrete(i, "jnp.ravel_multi_index with mode='raise' (use mode='wrap' or mode='clip' under jit)")
        if not dtypes.issubdtype(i.dtype, np.integer):
            raise TypeError("only int indices permitted")
    if mode == "raise":
        if any(np.any((_concrete(i, "") < 0) | (_concrete(i, "") >= d)) for i, d in zip(idx, dims)):
            raise ValueError("invalid entry in coordinates array")
    elif mode == "clip":
        idx = [ufuncs.clip(i, 0, d - 1) for i, d in zip(idx, dims)]
    elif mode == "wrap":
        idx = [ufuncs.remainder(i, d) for i, d in zip(idx, dims)]
    elif mode != "ignore":
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', 'clip', or 'ignore'.")
    if order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    elif order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    else:
        raise ValueError(f"invalid order={order!r}. Expected 'C' or 'F'")
    out = creation.zeros((), dtype)
    for i, s in zip(idx, strides):
        out = ufuncs.add(out, ufuncs.multiply(i.astype(dtype), int(s)))
    return out


def unravel_index(indices, shape) -> tuple:
    """jnp.unravel_index: coordinate arrays of the flat `indices` in `shape`. As in JAX, negative
    indices count from the end and out-of-range ones are clipped (NumPy raises)."""
    check_arraylike("unravel_index", indices)
    idx = creation.asarray(indices)
    try:
        shape = list(shape)
    except TypeError:
        shape = [shape]
    if any(np.ndim(s) != 0 for s in shape):
        raise ValueError("unravel_index: shape should be a scalar or 1D sequence.")
    coords = [None] * len(shape)
    for k in range(len(shape) - 1, -1, -1):
        idx, coords[k] = ufuncs.divmod(idx, shape[k])
    high = idx > 0
    low = creation.asarray(False) if dtypes.issubdtype(idx.dtype, np.unsignedinteger) else idx < -1
    return tuple(shp.where(high, s - 1, shp.where(low, 0, c)) for s, c in zip(shape, coords))


__all__ = ["s_", "index_exp", "mgrid", "ogrid", "r_", "c_", "indices", "ravel_multi_index", "unravel_index"]

METHODS: dict = {}  # (no Array methods)
