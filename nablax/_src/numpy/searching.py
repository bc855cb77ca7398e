"""jnp's searching and counting: searchsorted, digitize, bincount, histograms, partition, argpartition,
sort_complex, trim_zeros.

All are written on lax/jnp operations (comparisons, sorts, gathers, scatter-adds), so they
work under jit and vmap; histogram counts are differentiable in the weights (and the bin
edges in the data range), partition in the values; the indices are integers. Output sizes
that depend on values (bincount without `length`, trim_zeros) need concrete inputs, as in JAX.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import dtypes, errors
from ..array import wrap
from ..control_flow.loops import fori_loop
from ..core import Tracer
from ..primitives import sorting as lax_sorting
from . import creation, joining
from . import indexing as jidx
from . import reductions as jred
from . import shape as jshape
from . import ufuncs as uf
from .promotion import as_array, check_arraylike, checked_axis, promote_args, promote_args_inexact

_SEARCH_METHODS = ("scan", "scan_unrolled", "sort", "compare_all")


# ----------------------------------------------------------------------- searchsorted

def _index_dtype(n: int) -> np.dtype:
    """int32 unless the length needs more (JAX's choice for searchsorted's result)."""
    return np.dtype(np.int32) if n <= np.iinfo(np.int32).max else dtypes.default_int_dtype()


def _lt_real(x, y):
    """x < y in sort order: NaNs are larger than every number."""
    return uf.logical_or(uf.less(x, y), uf.logical_and(uf.logical_not(uf.isnan(x)), uf.isnan(y)))


def _lt(x, y):
    """x < y in lax.sort's order (complex: by real part, then imaginary part)."""
    if dtypes.is_complex(x.dtype):
        xr, xi, yr, yi = uf.real(x), uf.imag(x), uf.real(y), uf.imag(y)
        same_re = uf.logical_not(uf.logical_or(_lt_real(xr, yr), _lt_real(yr, xr)))
        return uf.logical_or(_lt_real(xr, yr), uf.logical_and(same_re, _lt_real(xi, yi)))
    if dtypes.is_inexact(x.dtype):
        return _lt_real(x, y)
    return uf.less(x, y)


def _le(x, y):
    return uf.logical_not(_lt(y, x))


def _search_bisect(a, v, side: str, itype, unrolled: bool):
    """Binary search: ceil(log2(n+1)) halvings of [low, high), all queries at once."""
    n = a.shape[0]
    goes_left = _le if side == "left" else _lt

    def step(_, state):
        low, high = state
        mid = uf.floor_divide(uf.add(low, high), wrap(np.asarray(2, itype), False))
        left = goes_left(v, jidx.take(a, mid, mode="clip"))
        return jshape.where(left, low, mid), jshape.where(left, mid, high)

    state = (wrap(np.zeros(v.shape, itype), False), wrap(np.full(v.shape, n, itype), False))
    levels = int(np.ceil(np.log2(n + 1)))
    if unrolled:
        for i in range(levels):
            state = step(i, state)
    else:
        state = fori_loop(0, levels, step, state)
    return state[1]


def _rank(x, itype):
    """Each element's position in the stable sort of x."""
    n = x.shape[0]
    order = lax_sorting.sort((x, wrap(np.arange(n, dtype=itype), False)), 0, is_stable=True, num_keys=1)[1]
    return wrap(np.zeros((n,), itype), False).at[order].set(wrap(np.arange(n, dtype=itype), False))


def _search_sort(a, v, side: str, itype):
    """Ranks in a joint sort: the queries' rank among a and themselves, less their rank among themselves."""
    q = jshape.reshape(v, (v.size,))
    if side == "left":
        idx = _rank(joining.concatenate([q, a]), itype)[:q.shape[0]]
    else:
        idx = _rank(joining.concatenate([a, q]), itype)[a.shape[0]:]
    return jshape.reshape(uf.subtract(idx, _rank(q, itype)), tuple(v.shape))


def _search_compare_all(a, v, side: str, itype):
    """Count the sorted entries before each query (an n x m comparison)."""
    before = _lt if side == "left" else _le
    av = jshape.reshape(a, (a.shape[0],) + (1,) * v.ndim)
    return jred.sum(before(av, v[None]), axis=0, dtype=itype)


def searchsorted(a, v, side: str = "left", sorter=None, *, method: str = "scan"):
    """jnp.searchsorted: where each of `v` would go in the sorted 1-D `a` (int32).

    side='left' gives the first such position, 'right' the last; `sorter` sorts `a` first.
    The methods ('scan', 'scan_unrolled': binary search; 'sort': a joint sort;
    'compare_all': all comparisons) give the same answer; NaNs sort last.
    """
    if sorter is None:
        check_arraylike("searchsorted", a, v)
    else:
        check_arraylike("searchsorted", a, v, sorter)
    if side not in ("left", "right"):
        raise ValueError(f"jnp.searchsorted: side must be 'left' or 'right', got {side!r}")
    if method not in _SEARCH_METHODS:
        raise ValueError(f"jnp.searchsorted: unsupported method {method!r}; choose one of {_SEARCH_METHODS}")
    a, v = as_array(a), as_array(v)
    if a.ndim != 1:
        raise ValueError(f"jnp.searchsorted: a should be 1-dimensional, got shape {tuple(a.shape)}")
    a, v = promote_args("searchsorted", a, v)
    if sorter is not None:
        a = jidx.take(a, as_array(sorter))
    itype = _index_dtype(a.shape[0])
    if a.shape[0] == 0:
        return wrap(np.zeros(v.shape, itype), False)
    if method in ("scan", "scan_unrolled"):
        return _search_bisect(a, v, side, itype, method == "scan_unrolled")
    if method == "sort":
        return _search_sort(a, v, side, itype)
    return _search_compare_all(a, v, side, itype)


def digitize(x, bins, right: bool = False, *, method: str | None = None):
    """jnp.digitize: the index of the bin of each x among monotonic `bins` (int32)."""
    check_arraylike("digitize", x, bins)
    x, b = as_array(x), as_array(bins)
    if isinstance(right, Tracer):
        right = bool(right._concrete("the right argument of jnp.digitize"))
    if b.ndim != 1:
        raise ValueError(f"jnp.digitize: bins must be a 1-dimensional array; got shape {tuple(b.shape)}")
    if b.shape[0] == 0:
        return wrap(np.zeros(x.shape, np.int32), False)
    side = "left" if right else "right"
    kw = {} if method is None else {"method": method}
    n = b.shape[0]
    rising = searchsorted(b, x, side=side, **kw)
    falling = uf.subtract(wrap(np.asarray(n, rising.dtype), False), searchsorted(b[::-1], x, side=side, **kw))
    return jshape.where(uf.greater_equal(b[-1], b[0]), rising, falling)


# ------------------------------------------------------------------------ counting

def bincount(x, weights=None, minlength: int = 0, *, length: int | None = None, out_sharding=None):
    """jnp.bincount: how often each non-negative integer occurs in the 1-D x (or the sum of
    its weights); negative entries count as 0, entries past `length` are dropped. Under jit
    pass a static `length`."""
    if out_sharding is not None:
        raise NotImplementedError("jnp.bincount: out_sharding is not supported (nablax has one device)")
    check_arraylike("bincount", x)
    x = as_array(x)
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    if not dtypes.is_integer(x.dtype):
        raise TypeError(f"jnp.bincount: x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"jnp.bincount: only 1-dimensional input supported, got shape {tuple(x.shape)}")
    minlength = jshape._index("bincount", minlength, "minlength")
    if length is None:
        if isinstance(x, Tracer):
            try:
                value = np.asarray(x._concrete("jnp.bincount"))
            except errors.ConcretizationTypeError:
                raise errors.ConcretizationTypeError(
                    f"jnp.bincount got a traced {x.aval.str_short()} for x inside {x._trace.transformation_name()}: "
                    "its output length depends on the values. Pass a static length=... to use it under "
                    "jit, vmap or other transformations.") from None
        else:
            value = np.asarray(x._value)
        length = builtins.max(minlength, value.size and int(builtins.max(0, value.max())) + 1)
    else:
        length = jshape._index("bincount", length, "length")
    if weights is None:
        w = wrap(np.ones((), dtypes.default_int_dtype()), False)
    else:
        check_arraylike("bincount", weights)
        w = as_array(weights)
        if tuple(w.shape) != tuple(x.shape):
            raise ValueError(f"jnp.bincount: weights of shape {tuple(w.shape)} must match x of shape {tuple(x.shape)}")
    base = wrap(np.zeros((length,), w.dtype), False)
    return base.at[uf.maximum(x, wrap(np.zeros((), x.dtype), False))].add(w, mode="drop")


# ----------------------------------------------------------------------- histograms

def _diff(x):
    return uf.subtract(x[1:], x[:-1])


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002  (NumPy's name)
    """jnp.histogram_bin_edges: `bins` (an array) as the edges, or bins+1 equal-width edges over
    `range` (default: the data's min and max; a zero-width range is widened by 0.5 each side)."""
    if isinstance(bins, str):
        raise NotImplementedError("jnp.histogram_bin_edges: string values for `bins` are not implemented")
    check_arraylike("histogram_bin_edges", a)
    arr = as_array(a)
    dtype = dtypes.to_inexact_dtype(arr.dtype)
    if np.ndim(bins) == 1:
        return creation.asarray(bins, dtype=dtype)
    n = jshape._index("histogram_bin_edges", bins, "bins")
    if range is None:
        lo, hi = jred.min(arr), jred.max(arr)
    else:
        r = creation.asarray(range if not isinstance(range, (list, tuple)) else creation.array(range), dtype=dtype)
        if tuple(r.shape) != (2,):
            raise ValueError(f"jnp.histogram_bin_edges: `range` must be either None or a sequence of two scalars, "
                             f"got {range!r}")
        lo, hi = r[0], r[1]
    lo, hi = lo.astype(dtype), hi.astype(dtype)
    flat = uf.equal(lo, hi)
    half = wrap(np.asarray(0.5, dtype), False)
    lo, hi = jshape.where(flat, uf.subtract(lo, half), lo), jshape.where(flat, uf.add(hi, half), hi)
    return creation.linspace(lo, hi, n + 1, dtype=dtype)


def _histogram_args(fname: str, a, weights):
    if weights is None:
        check_arraylike(fname, a)
        (a,) = promote_args_inexact(fname, a)
        return a, None
    check_arraylike(fname, a, weights)
    return tuple(promote_args_inexact(fname, a, weights))


def histogram(a, bins=10, range=None, weights=None, density: bool | None = None):  # noqa: A002
    """jnp.histogram: (counts, edges); the last bin includes its right edge, values outside
    the edges are not counted. density=True divides by the total and the bin widths."""
    a, w = _histogram_args("histogram", a, weights)
    if w is None:
        w = creation.ones_like(a)
    elif tuple(a.shape) != tuple(w.shape):
        raise ValueError(f"jnp.histogram: weights (shape {tuple(w.shape)}) should have the same shape as a "
                         f"(shape {tuple(a.shape)})")
    edges = histogram_bin_edges(a, bins, range, w)
    ne = edges.shape[0]
    idx = searchsorted(edges, a, side="right")
    idx = jshape.where(uf.equal(a, edges[-1]), wrap(np.asarray(ne - 1, idx.dtype), False), idx)
    counts = wrap(np.zeros((ne,), w.dtype), False).at[idx].add(w, mode="drop")[1:]
    if density:
        counts = uf.divide(uf.divide(counts, _diff(edges)), jred.sum(counts))
    return counts, edges


def histogramdd(sample, bins=10, range=None, weights=None, density: bool | None = None):  # noqa: A002
    """jnp.histogramdd: the D-dimensional histogram of N samples (an (N, D) array) and the D edge arrays.

    `bins` is an int (for every dimension), or one int or edge array per dimension;
    `range` one (min, max) pair or None per dimension."""
    sample, w = _histogram_args("histogramdd", sample, weights)
    if sample.ndim != 2:
        raise ValueError(f"jnp.histogramdd: sample must be an (N, D) array, got shape {tuple(sample.shape)}")
    if w is not None and tuple(w.shape) != tuple(sample.shape[:1]):
        raise ValueError(f"jnp.histogramdd: should have one weight for each sample; got weights of shape "
                         f"{tuple(w.shape)} for {sample.shape[0]} samples")
    n, d = sample.shape
    if range is not None and (len(range) != d or builtins.any(r is not None and np.shape(r)[0] != 2 for r in range)):
        raise ValueError(f"jnp.histogramdd: for sample.shape={(n, d)}, range must be a sequence of {d} pairs or "
                         f"Nones; got range={range!r}")
    try:
        per_dim = list(bins)
    except TypeError:
        per_dim = [bins] * d
    else:
        if len(per_dim) != d:
            raise ValueError(f"jnp.histogramdd: should be a bin for each dimension; got {len(per_dim)} for {d}")
    flat_idx = None
    edges_all, nbins = [], []
    for i in builtins.range(d):
        col = sample[:, i]
        edges = histogram_bin_edges(col, per_dim[i], None if range is None else range[i], w)
        idx = searchsorted(edges, col, side="right")
        idx = jshape.where(uf.equal(col, edges[-1]), uf.subtract(idx, wrap(np.asarray(1, idx.dtype), False)), idx)
        nb = edges.shape[0] + 1
        idx = uf.clip(idx, 0, nb - 1)
        flat_idx = idx if flat_idx is None else uf.add(uf.multiply(flat_idx, wrap(np.asarray(nb, idx.dtype), False)), idx)
        edges_all.append(edges)
        nbins.append(nb)
    hist = bincount(flat_idx, w, length=math.prod(nbins))
    hist = jshape.reshape(hist, tuple(nbins))[(builtins.slice(1, -1),) * d]
    if density:
        hist = hist.astype(sample.dtype)
        hist = uf.divide(hist, jred.sum(hist))
        for i, e in enumerate(edges_all):
            widths = jshape.reshape(_diff(e), tuple(-1 if j == i else 1 for j in builtins.range(d)))
            hist = uf.divide(hist, widths)
    return hist, edges_all


def histogram2d(x, y, bins=10, range=None, weights=None, density: bool | None = None):  # noqa: A002
    """jnp.histogram2d: the 2-D histogram of points (x, y): (counts, x edges, y edges)."""
    check_arraylike("histogram2d", x, y)
    try:
        nb = len(bins)
    except TypeError:
        nb = 1
    if nb not in (1, 2):
        e = creation.asarray(bins)
        bins = [e, e]
    sample = jshape.transpose(creation.array([as_array(x), as_array(y)]))
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


# ------------------------------------------------------------------------ partition

def _partition_setup(fname: str, a, kth, axis):
    check_arraylike(fname, a)
    x = as_array(a)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError(f"jnp.{fname} for complex dtype is not implemented.")
    ax = checked_axis(f"jnp.{fname}", axis, x.ndim)
    k = checked_axis(f"jnp.{fname} (kth)", jshape._index(fname, kth, "kth"), x.shape[ax])
    return jshape.moveaxis(x, ax, -1), ax, k


def _ascending_order(x):
    """Indices sorting the last axis ascending; ties in index order."""
    iota = jshape.broadcast_to(wrap(np.arange(x.shape[-1], dtype=dtypes.default_int_dtype()), False), tuple(x.shape))
    return lax_sorting.sort((x, iota), x.ndim - 1, is_stable=True, num_keys=1)[1]


def partition(a, kth: int, axis: int = -1):
    """jnp.partition: along `axis`, the kth+1 smallest values in ascending order, then the
    others in descending order (so the kth smallest sits at position kth), as JAX lays it out."""
    x, ax, k = _partition_setup("partition", a, kth, axis)
    n = x.shape[-1]
    up = _ascending_order(x)[..., :k + 1]
    down = jshape.flip(_ascending_order(jshape.flip(x, -1)), -1)  # descending, ties in index order
    down = uf.subtract(wrap(np.asarray(n - 1, down.dtype), False), down)[..., :n - k - 1]
    out = jidx.take_along_axis(x, joining.concatenate([up, down], axis=-1), axis=-1)
    return jshape.moveaxis(out, -1, ax)


def argpartition(a, kth: int, axis: int = -1):
    """jnp.argpartition: the indices of the kth+1 smallest values (ascending), then the other
    indices in increasing order, as JAX lays them out."""
    x, ax, k = _partition_setup("argpartition", a, kth, axis)
    n = x.shape[-1]
    low = _ascending_order(x)[..., :k + 1]
    # The remaining indices in increasing order: sort the iota with the chosen ones marked.
    ones = jshape.broadcast_to(wrap(np.ones((), np.int32), False), tuple(low.shape))
    chosen = uf.greater(lax_sorting.scatter_add_along_axis(ones, low, x.ndim - 1, n), wrap(np.zeros((), np.int32), False))
    iota = jshape.broadcast_to(wrap(np.arange(n, dtype=low.dtype), False), tuple(x.shape))
    rest = lax_sorting.sort((chosen, iota), x.ndim - 1, is_stable=True, num_keys=1)[1][..., :n - k - 1]
    return jshape.moveaxis(joining.concatenate([low, rest], axis=-1), -1, ax)


# --------------------------------------------------------------------- small helpers

def sort_complex(a):
    """jnp.sort_complex: sorted along the last axis (by real, then imaginary part), as complex."""
    check_arraylike("sort_complex", a)
    x = as_array(a)
    if x.ndim == 0:
        raise ValueError("jnp.sort_complex: the input must have at least one dimension")
    cdt = dtypes.promote_types(dtypes.to_inexact_dtype(x.dtype), np.complex64)
    return lax_sorting.sort(x, x.ndim - 1).astype(cdt)


def trim_zeros(filt, trim: str = "fb", axis=None):
    """jnp.trim_zeros: drop the leading ('f') and/or trailing ('b') all-zero slices along each
    axis in `axis` (default: all). The input must be concrete (the result's shape depends on it)."""
    check_arraylike("trim_zeros", filt)
    x = as_array(filt)
    if isinstance(x, Tracer):
        value = np.asarray(x._concrete("the filt argument of jnp.trim_zeros"))
    else:
        value = np.asarray(x._value)
    if x.ndim == 0:
        raise ValueError("jnp.trim_zeros: the input must have at least one dimension")
    axes = (set(builtins.range(x.ndim)) if axis is None else
            {checked_axis("jnp.trim_zeros", ax, x.ndim) for ax in (axis if isinstance(axis, (tuple, list)) else (axis,))})
    t = trim.lower()
    if not axes or ("f" not in t and "b" not in t):
        return x
    index = []
    for ax in builtins.range(x.ndim):
        if ax not in axes:
            index.append(builtins.slice(None))
            continue
        nz = np.flatnonzero(np.any(value != 0, axis=tuple(i for i in builtins.range(x.ndim) if i != ax)))
        if nz.size == 0:
            index.append(builtins.slice(0, 0))
            continue
        index.append(builtins.slice(int(nz[0]) if "f" in t else None, int(nz[-1]) + 1 if "b" in t else None))
    return x[tuple(index)]


__all__ = ["searchsorted", "digitize", "bincount", "histogram", "histogram_bin_edges", "histogram2d",
           "histogramdd", "partition", "argpartition", "sort_complex", "trim_zeros"]

METHODS: dict = {}
