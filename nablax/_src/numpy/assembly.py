"""jnp's array assembly and editing: choose, piecewise, put, place, insert, delete, compress,
block, resize, bit packing, vector products and array equality.

Everything is written on other jnp/lax operations, so it differentiates, batches and jits.
Where JAX needs a value to be concrete (mode='raise' checks, non-unique deletions) the same
value is required here, and a traced one raises ConcretizationTypeError.
"""
from __future__ import annotations

import builtins
import math
import operator
from typing import Callable

import numpy as np

from .. import dtypes
from ..array import Array
from ..core import Tracer
from . import creation, joining, linalg, reductions, sorting, ufuncs
from . import shape as shp
from .indexing import nonzero, take_along_axis
from .promotion import check_arraylike, checked_axis


def _concrete(x, what: str) -> np.ndarray:
    """The NumPy value of `x`; a traced value raises ConcretizationTypeError naming `what`."""
    if isinstance(x, Array):
        return np.asarray(x._value)
    if isinstance(x, Tracer):
        return np.asarray(x._concrete(what))
    return np.asarray(x)


def _no_inplace(fname: str, inplace: bool) -> None:
    if inplace:
        raise ValueError(f"jax.numpy.{fname} cannot modify arrays in-place, because JAX arrays are immutable. "
                         "Pass inplace=False to instead return an updated array.")


def _no_out(fname: str, out) -> None:
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{fname} is not supported.")


def _tile_to(v, n: int):
    """The flat array `v` repeated cyclically to length n (NumPy's resize of a 1-D array)."""
    if v.shape[0] == n:
        return v
    reps = -(-n // v.shape[0])
    return shp.tile(v, reps)[:n]


def _along(axis: int, idx) -> tuple:
    return (builtins.slice(None),) * axis + (idx,)


# ---------------------------------------------------------------------- selecting

def choose(a, choices, out=None, mode: str = "raise"):
    """jnp.choose: out[i] = choices[a[i]][i], everything broadcast together.

    mode: 'raise' (a must be concrete and within range: not usable under jit), 'wrap' or 'clip'.
    """
    _no_out("choose", out)
    check_arraylike("choose", a, *choices)
    a = creation.asarray(a)
    if not dtypes.issubdtype(a.dtype, np.integer):
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        value = _concrete(a, "jnp.choose with mode='raise' (use mode='wrap' or mode='clip' under jit)")
        if np.any((value < 0) | (value >= n)):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        a = ufuncs.remainder(a, n)
    elif mode == "clip":
        a = ufuncs.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    a, *cs = shp.broadcast_arrays(a, *choices)
    stacked = joining.stack(cs)
    return take_along_axis(stacked, a[None], axis=0, mode="clip")[0]


def piecewise(x, condlist, funclist: list, *args, **kw):
    """jnp.piecewise: funclist[i] applied where condlist[i] holds (a later condition wins).

    One extra function is the default where no condition holds; otherwise such entries are 0.
    Functions are applied elementwise (vmapped over the elements, as JAX's switch is), and
    constants stand for constant functions; results take x's dtype.
    """
    from ..api import vmap
    check_arraylike("piecewise", x)
    x = creation.asarray(x)
    conds = creation.asarray(condlist, dtype=bool) if not isinstance(condlist, (Array, Tracer)) else condlist
    if conds.ndim == 0 or (conds.ndim == x.ndim and len(funclist) == 1 and not isinstance(condlist, (list, tuple))):
        conds = conds.reshape((1,) + conds.shape)
    nc, nf = conds.shape[0], len(funclist)
    if nf == nc + 1:
        funclist = list(funclist)
        default = funclist.pop()
        conds = joining.concatenate([conds, ufuncs.logical_not(reductions.any(conds, axis=0, keepdims=True))], 0)
        funclist.append(default)
    elif nf != nc:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are expected; got {nf}")
    conds = shp.broadcast_to(conds, (conds.shape[0],) + x.shape)
    flat = x.reshape(-1)
    out = creation.zeros(x.shape, x.dtype)
    for c, f in zip(conds, funclist):
        if callable(f):
            vals = vmap(lambda xi, f=f: creation.asarray(f(xi, *args, **kw)))(flat).reshape(x.shape) if flat.size else out
        else:
            vals = creation.asarray(f)
        out = shp.where(c, vals.astype(x.dtype), out)
    return out


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """jnp.compress: the slices of `a` along `axis` (None: flattened) where the 1-D condition holds.

    The result's length depends on the values unless a static `size` is given (padded with
    fill_value or truncated), which is what jit and vmap need.
    """
    _no_out("compress", out)
    check_arraylike("compress", condition, a, fill_value)
    cond = creation.asarray(condition).astype(bool)
    if cond.ndim != 1:
        raise ValueError("condition must be a 1D array")
    arr = creation.asarray(a)
    arr = shp.ravel(arr) if axis is None else shp.moveaxis(arr, axis, 0)
    n = arr.shape[0]
    cond, extra = cond[:n], cond[n:]
    arr = arr[:cond.shape[0]]
    if size is None:
        if extra.shape[0] and np.any(_concrete(extra, "jnp.compress condition")):
            raise ValueError("condition contains entries that are out of bounds")
        result = arr[cond]
    else:
        size = operator.index(size)
        if not 0 <= size <= arr.shape[0]:
            raise ValueError("size must be positive and not greater than the size of the array axis;"
                             f" got size={size} for a.shape[axis]={arr.shape[0]}")
        mask = cond.reshape(cond.shape + (1,) * (arr.ndim - 1))
        arr = shp.where(mask, arr, creation.asarray(fill_value).astype(arr.dtype))
        result = arr[sorting.argsort(cond, stable=True, descending=True)][:size]
    return shp.moveaxis(result, 0, 0 if axis is None else axis)


def extract(condition, arr, *, size=None, fill_value=0):
    """jnp.extract: the elements of `arr` where `condition` holds, flattened (static `size` pads)."""
    check_arraylike("extract", condition, arr, fill_value)
    return compress(shp.ravel(condition), shp.ravel(arr), size=size, fill_value=fill_value)


def mask_indices(n: int, mask_func: Callable, k: int = 0, *, size=None) -> tuple:
    """jnp.mask_indices: the (row, column) indices where mask_func(ones((n, n)), k) is nonzero."""
    n = operator.index(n)
    return nonzero(mask_func(creation.ones((n, n)), k), size=size)


# ---------------------------------------------------------------------- editing

def _flat_put_index(fname: str, mode, size: int, ind):
    """NumPy's put modes as in-range flat indices: None counts negatives from the end and clips
    (as JAX's unravel_index does), 'clip' clips, 'wrap' takes the remainder."""
    if mode is None:
        return ufuncs.clip(shp.where(ind < 0, ufuncs.add(ind, size), ind), 0, size - 1)
    if mode == "clip":
        return ufuncs.clip(ind, 0, size - 1)
    if mode == "wrap":
        return ufuncs.remainder(ind, size)
    if mode == "raise":
        raise NotImplementedError(f"The 'raise' mode to jnp.{fname} is not supported.")
    raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")


def put(a, ind, v, mode=None, *, inplace: bool = True):
    """jnp.put: a copy of `a` with the flat positions `ind` set to `v` (repeated as needed).

    mode: None (negative indices count from the end, then out-of-range ones clip, as in JAX),
    'clip' or 'wrap'; pass inplace=False.
    """
    check_arraylike("put", a, ind, v)
    _no_inplace("put", inplace)
    arr = creation.asarray(a)
    ind, vals = shp.ravel(ind), shp.ravel(v)
    if not dtypes.issubdtype(ind.dtype, np.integer):
        raise TypeError(f"jnp.put: indices must be integers, got dtype {ind.dtype}")
    if not arr.size or not ind.size or not vals.size:
        return arr
    ind = _flat_put_index("put", mode, arr.size, ind)
    vals = _tile_to(vals, ind.shape[0]).astype(arr.dtype)
    return shp.ravel(arr).at[ind].set(vals, mode="promise_in_bounds").reshape(arr.shape)


def put_along_axis(arr, indices, values, axis, inplace: bool = True, *, mode=None):
    """jnp.put_along_axis: the update that take_along_axis reads (inplace=False required)."""
    check_arraylike("put_along_axis", arr, indices, values)
    _no_inplace("put_along_axis", inplace)
    a, idx = creation.asarray(arr), creation.asarray(indices)
    original_shape = a.shape
    if axis is None:
        a, idx, axis = shp.ravel(a), shp.ravel(idx), 0
    if a.ndim != idx.ndim:
        raise ValueError(f"put_along_axis: indices and arr must have the same number of dimensions; "
                         f"{idx.ndim} vs. {a.ndim}")
    axis = checked_axis("jnp.put_along_axis", axis, a.ndim)
    shape = [builtins.max(x, y) if y != 1 else x for x, y in zip(a.shape, idx.shape)]
    shape[axis] = idx.shape[axis]
    idx = shp.broadcast_to(idx, tuple(shape))
    grid = []
    for i in range(a.ndim):
        if i == axis:
            grid.append(ufuncs.add(idx, a.shape[axis] * (idx < 0)))
        else:
            grid.append(creation.arange(shape[i]).reshape((1,) * i + (-1,) + (1,) * (a.ndim - i - 1)))
    vals = shp.broadcast_to(creation.asarray(values).astype(a.dtype), tuple(shape))
    return a.at[tuple(grid)].set(vals, mode=mode).reshape(original_shape)


def place(arr, mask, vals, *, inplace: bool = True):
    """jnp.place: the positions where `mask` holds take the values `vals` in order (cycled)."""
    check_arraylike("place", arr, mask, vals)
    _no_inplace("place", inplace)
    a = creation.asarray(arr)
    m = shp.ravel(mask).astype(bool)
    if m.shape[0] != a.size:
        raise ValueError(f"place: arr and mask must have the same size; got {a.size} and {m.shape[0]}")
    v = shp.ravel(vals).astype(a.dtype)
    if not v.size:
        raise ValueError("Cannot place values from an empty array")
    if not a.size:
        return a
    v = _tile_to(v, a.size)
    pos = ufuncs.subtract(reductions.cumsum(m), 1)
    picked = v.at[pos].get(mode="clip")
    return shp.where(m, picked, shp.ravel(a)).reshape(a.shape)


def fill_diagonal(a, val, wrap: bool = False, *, inplace: bool = True):
    """jnp.fill_diagonal: a copy of `a` with its main diagonal set to `val` (cycled).

    For 2-D tall arrays, wrap=True restarts the diagonal after every n+1 rows, as in NumPy
    (JAX raises NotImplementedError for wrap=True).
    """
    check_arraylike("fill_diagonal", a, val)
    if inplace:  # (JAX raises NotImplementedError here, a ValueError in put/place)
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    arr = creation.asarray(a)
    if arr.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if arr.ndim > 2 and len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    if arr.ndim == 2:
        step, end = arr.shape[1] + 1, (arr.size if wrap else arr.shape[1] * arr.shape[1])
    else:
        step, end = 1 + int(np.cumprod(arr.shape[:-1]).sum()), arr.size
    flat_idx = np.arange(0, builtins.min(end, arr.size), step)
    v = shp.ravel(val).astype(arr.dtype)
    if not flat_idx.size or not v.size:
        return arr
    v = _tile_to(v, flat_idx.size)
    return shp.ravel(arr).at[flat_idx].set(v).reshape(arr.shape)


def _insert_indices(obj, n: int):
    """(index array, scalar?) of jnp.insert's `obj`, negatives counted from the end and clipped."""
    if isinstance(obj, builtins.slice):
        return creation.asarray(np.arange(*obj.indices(n))), False
    check_arraylike("insert", obj)
    idx = creation.asarray(obj)
    if idx.ndim > 1:
        raise ValueError("jnp.insert(): obj must be a slice, a one-dimensional array, or a scalar")
    if not dtypes.issubdtype(idx.dtype, np.integer):
        if idx.size == 0 and not isinstance(obj, (Array, Tracer)):
            idx = idx.astype(dtypes.default_int_dtype())
        else:
            raise ValueError("jnp.insert(): index array must be integer typed")
    idx = ufuncs.clip(shp.where(idx < 0, ufuncs.add(idx, n), idx), 0, n)
    return idx, idx.ndim == 0


def insert(arr, obj, values, axis=None):
    """jnp.insert: `values` inserted before the positions `obj` (an int, a slice or a 1-D index
    array, which may be traced) along `axis` (None: the flattened array)."""
    check_arraylike("insert", arr, values)
    a = creation.asarray(arr)
    if axis is None:
        a, axis = shp.ravel(a), 0
    axis = checked_axis("jnp.insert", axis, a.ndim)
    n = a.shape[axis]
    idx, scalar = _insert_indices(obj, n)
    vals = creation.array(creation.asarray(values).astype(a.dtype), ndmin=a.ndim)
    if idx.size == 1:  # (one position, as in NumPy: all of `values` goes there)
        if scalar:
            vals = shp.moveaxis(vals, 0, axis)
        k = vals.shape[axis]
        idx = shp.broadcast_to(idx.reshape(()), (k,))
    else:
        k = idx.shape[0]
    vshape = list(a.shape)
    vshape[axis] = k
    vals = shp.broadcast_to(vals, tuple(vshape))
    order = sorting.argsort(idx, stable=True)
    new_pos = idx.at[order].add(creation.arange(k, dtype=idx.dtype))
    keep = creation.ones(n + k, bool).at[new_pos].set(False)
    old_pos = nonzero(keep, size=n)[0]
    oshape = list(a.shape)
    oshape[axis] = n + k
    out = creation.zeros(tuple(oshape), a.dtype)
    out = out.at[_along(axis, new_pos)].set(vals)
    return out.at[_along(axis, old_pos)].set(a)


def delete(arr, obj, axis=None, *, assume_unique_indices: bool = False):
    """jnp.delete: `arr` without the entries `obj` (an int, a slice, an index array or a boolean
    mask) along `axis` (None: flattened). Traced integer indices need assume_unique_indices=True."""
    check_arraylike("delete", arr)
    a = creation.asarray(arr)
    if axis is None:
        a, axis = shp.ravel(a), 0
    axis = checked_axis("jnp.delete", axis, a.ndim)
    n = a.shape[axis]
    try:
        i = operator.index(obj)
    except TypeError:
        pass
    else:
        if not -n <= i < n:  # (a ValueError, as in JAX; NumPy raises IndexError)
            raise ValueError(f"jnp.delete: index {i} is out of bounds for axis {axis} with size {n}")
        i %= n
        return joining.concatenate([a[_along(axis, builtins.slice(0, i))], a[_along(axis, builtins.slice(i + 1, None))]],
                                   axis=axis)
    if isinstance(obj, builtins.slice):
        keep = np.ones(n, bool)
        keep[obj] = False
        return a[_along(axis, np.nonzero(keep)[0])]
    check_arraylike("delete", a, obj)
    if isinstance(obj, (Array, Tracer)) and dtypes.issubdtype(obj.dtype, np.integer) and assume_unique_indices:
        d = sorting.sort(ufuncs.clip(shp.where(obj < 0, ufuncs.add(obj, n), obj), 0, n).reshape(-1))
        d = ufuncs.subtract(d, creation.arange(d.shape[0], dtype=d.dtype))
        j = creation.arange(n - d.shape[0], dtype=d.dtype)
        src = ufuncs.add(j, reductions.sum(j[None, :] >= d[:, None], axis=0, dtype=d.dtype))
        return a[_along(axis, src)]
    o = _concrete(obj, "'obj' array argument of jnp.delete()")
    if o.dtype.kind in "iu":
        keep = np.ones(n, bool)
        keep[o] = False
    elif o.dtype == bool:
        if o.shape != (n,):
            raise ValueError("np.delete(arr, obj): for boolean indices, obj must be one-dimensional "
                             "with length matching specified axis.")
        keep = ~o
    else:
        raise ValueError(f"np.delete(arr, obj): got obj.dtype={o.dtype}; must be integer or bool.")
    return a[_along(axis, np.nonzero(keep)[0])]


# ---------------------------------------------------------------------- shapes

def resize(a, new_shape):
    """jnp.resize: `a`'s elements, flattened and repeated cyclically, in the shape new_shape."""
    check_arraylike("resize", a)
    arr = creation.asarray(a)
    new_shape = (operator.index(new_shape),) if np.ndim(new_shape) == 0 else tuple(operator.index(s) for s in new_shape)
    if any(s < 0 for s in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    total = math.prod(new_shape)
    if arr.size == 0 or total == 0:
        return creation.zeros(new_shape, arr.dtype)
    return _tile_to(shp.ravel(arr), total).reshape(new_shape)


def rollaxis(a, axis: int, start: int = 0):
    """jnp.rollaxis: axis `axis` moved to sit before position `start` (NumPy's older moveaxis)."""
    check_arraylike("rollaxis", a)
    arr = creation.asarray(a)
    n = arr.ndim
    axis = checked_axis("jnp.rollaxis", axis, n)
    start = operator.index(start)
    if not -n <= start <= n:
        raise ValueError(f"jnp.rollaxis: start={start} must satisfy {-n} <= start <= {n}")
    start = start + n if start < 0 else start
    if axis < start:
        start -= 1
    return shp.moveaxis(arr, axis, start)


def unstack(x, /, *, axis: int = 0) -> tuple:
    """jnp.unstack: the slices of `x` along `axis`, as a tuple."""
    check_arraylike("unstack", x)
    arr = creation.asarray(x)
    if arr.ndim == 0:
        raise ValueError("Unstack requires arrays with rank > 0, however a scalar array was passed.")
    axis = checked_axis("jnp.unstack", axis, arr.ndim)
    return tuple(shp.moveaxis(arr, axis, 0)[i] for i in range(arr.shape[axis]))


def _block_depth(x, path: str) -> int:
    if isinstance(x, tuple):
        raise TypeError(f"jnp.block: arrays is a tuple at {path or 'the top level'}; only lists may be used "
                        "to arrange blocks, and tuples are not allowed.")
    if isinstance(x, list):
        if not x:
            raise ValueError(f"jnp.block: list at {path or 'the top level'} cannot be empty")
        depths = {_block_depth(e, f"{path}[{i}]") for i, e in enumerate(x)}
        if len(depths) != 1:
            raise ValueError(f"jnp.block: list depths are mismatched at {path or 'the top level'}")
        return depths.pop() + 1
    return 0


def _block_leaves(x) -> list:
    return [leaf for e in x for leaf in _block_leaves(e)] if isinstance(x, list) else [x]


def _block_join(x, depth: int, ndim: int):
    if not isinstance(x, list):
        return creation.array(x, ndmin=ndim)
    return joining.concatenate([_block_join(e, depth - 1, ndim) for e in x], axis=-depth)


def block(arrays):
    """jnp.block: an array assembled from nested lists of blocks (innermost lists join along the
    last axis, the next level along the one before, ...)."""
    depth = _block_depth(arrays, "")
    leaves = [creation.asarray(e) for e in _block_leaves(arrays)]
    ndim = builtins.max([depth] + [e.ndim for e in leaves])
    return _block_join(arrays, depth, ndim) if depth else creation.array(arrays)


# ---------------------------------------------------------------------- bits

def _bitorder(bitorder: str) -> str:
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    return bitorder


def packbits(a, axis=None, bitorder: str = "big"):
    """jnp.packbits: groups of 8 truth values along `axis` (None: flattened) packed into uint8."""
    check_arraylike("packbits", a)
    arr = creation.asarray(a)
    if not (dtypes.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_):
        raise TypeError("Expected an input array of integer or boolean data type")
    _bitorder(bitorder)
    if axis is None:
        arr, axis = shp.ravel(arr), 0
    axis = checked_axis("jnp.packbits", axis, arr.ndim)
    bits = shp.moveaxis(ufuncs.not_equal(arr, 0).astype(np.uint8), axis, -1)
    pad = -bits.shape[-1] % 8
    if pad:
        bits = joining.concatenate([bits, creation.zeros(bits.shape[:-1] + (pad,), np.uint8)], -1)
    bits = bits.reshape(bits.shape[:-1] + (-1, 8))
    weights = np.array([1 << i for i in range(8)], np.uint8)
    weights = weights[::-1] if bitorder == "big" else weights
    packed = reductions.sum(ufuncs.multiply(bits, creation.asarray(weights)), axis=-1, dtype=np.uint8)
    return shp.moveaxis(packed, -1, axis)


def unpackbits(a, axis=None, count=None, bitorder: str = "big"):
    """jnp.unpackbits: each uint8 along `axis` (None: flattened) expanded to its 8 bits; `count`
    keeps that many bits (negative: drops from the end)."""
    check_arraylike("unpackbits", a)
    arr = creation.asarray(a)
    if arr.dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    _bitorder(bitorder)
    if axis is None:
        arr, axis = shp.ravel(arr), 0
    axis = checked_axis("jnp.unpackbits", axis, arr.ndim)
    shifts = np.arange(8, dtype=np.uint8)
    shifts = shifts[::-1] if bitorder == "big" else shifts
    moved = shp.moveaxis(arr, axis, -1)
    bits = ufuncs.bitwise_and(ufuncs.right_shift(moved[..., None], creation.asarray(shifts)), np.uint8(1))
    bits = bits.reshape(moved.shape[:-1] + (-1,))
    if count is not None:
        count = operator.index(count)
        if count > bits.shape[-1]:
            bits = joining.concatenate([bits, creation.zeros(bits.shape[:-1] + (count - bits.shape[-1],), np.uint8)], -1)
        bits = bits[..., :count]
    return shp.moveaxis(bits, -1, axis)


# ---------------------------------------------------------------------- products

def _vector_product(fname: str, x1, x2, spec: str, conj_first: bool, **kw):
    check_arraylike(fname, x1, x2)
    x1, x2 = creation.asarray(x1), creation.asarray(x2)
    if conj_first and dtypes.issubdtype(x1.dtype, np.complexfloating):
        x1 = ufuncs.conjugate(x1)
    return linalg.einsum(spec, x1, x2, **kw)


def matvec(x1, x2, /):
    """jnp.matvec: batched matrix-vector product, (..., m, n) x (..., n) -> (..., m)."""
    if np.ndim(x1) < 2 or np.ndim(x2) < 1:
        raise ValueError("matvec: x1 must be at least 2-dimensional and x2 at least 1-dimensional; "
                         f"got shapes {np.shape(x1)} and {np.shape(x2)}")
    return _vector_product("matvec", x1, x2, "...mn,...n->...m", False)


def vecmat(x1, x2, /):
    """jnp.vecmat: batched conj(vector)-matrix product, (..., n) x (..., n, m) -> (..., m)."""
    if np.ndim(x1) < 1 or np.ndim(x2) < 2:
        raise ValueError("vecmat: x1 must be at least 1-dimensional and x2 at least 2-dimensional; "
                         f"got shapes {np.shape(x1)} and {np.shape(x2)}")
    return _vector_product("vecmat", x1, x2, "...n,...nm->...m", True)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
    """jnp.vecdot: sum(conj(x1) * x2) along `axis`, the other axes broadcast."""
    check_arraylike("vecdot", x1, x2)
    x1, x2 = creation.asarray(x1), creation.asarray(x2)
    if x1.ndim < 1 or x2.ndim < 1:
        raise ValueError(f"vecdot: arguments must be at least 1-dimensional; got {x1.shape} and {x2.shape}")
    x1 = shp.moveaxis(x1, checked_axis("jnp.vecdot", axis, x1.ndim), -1)
    x2 = shp.moveaxis(x2, checked_axis("jnp.vecdot", axis, x2.ndim), -1)
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"vecdot: the reduced axes must have the same size; got {x1.shape[-1]} and {x2.shape[-1]}")
    return _vector_product("vecdot", x1, x2, "...n,...n->...", True, precision=precision,
                           preferred_element_type=preferred_element_type)


# ---------------------------------------------------------------------- equality

def _as_arrays_or_none(*xs):
    try:
        return [creation.asarray(x) for x in xs]
    except Exception:  # (anything that is not array-like compares unequal, as in JAX)
        return None


def array_equal(a1, a2, equal_nan: bool = False):
    """jnp.array_equal: True when the arrays have the same shape and elements (NaN == NaN with
    equal_nan); a boolean Array."""
    arrs = _as_arrays_or_none(a1, a2)
    if arrs is None or arrs[0].shape != arrs[1].shape:
        return creation.asarray(False)
    x, y = arrs
    eq = ufuncs.equal(x, y)
    if equal_nan:
        eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(x), ufuncs.isnan(y)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    """jnp.array_equiv: True when the arrays broadcast together and are equal everywhere."""
    arrs = _as_arrays_or_none(a1, a2)
    if arrs is None:
        return creation.asarray(False)
    try:
        shp.broadcast_shapes(arrs[0].shape, arrs[1].shape)
    except ValueError:
        return creation.asarray(False)
    return reductions.all(ufuncs.equal(*arrs))


__all__ = ["choose", "piecewise", "compress", "extract", "mask_indices", "put", "put_along_axis", "place",
           "fill_diagonal", "insert", "delete", "resize", "rollaxis", "unstack", "block", "packbits", "unpackbits",
           "matvec", "vecmat", "vecdot", "array_equal", "array_equiv"]



def _choose_method(self, choices, out=None, mode: str = "raise"):
    return choose(self, choices, out=out, mode=mode)


def _compress_method(self, condition, axis=None, *, size=None, fill_value=0, out=None):
    return compress(condition, self, axis, size=size, fill_value=fill_value, out=out)


METHODS: dict = {"choose": _choose_method, "compress": _compress_method}
