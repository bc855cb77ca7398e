"""jnp's set routines: unique and its Array API variants, intersect1d, union1d, setdiff1d, setxor1d, isin.

Every routine sorts, marks the first element of each run of equal values, and gathers
the marked positions with `nonzero(mask, size=...)`, so one code path serves eager use,
`jit` and `vmap`. The output length depends on the values: with `size=` it is static
(padded with `fill_value`, or truncated), as in JAX; without it the inputs must be
concrete and the length is read from them, and the result is then a constant (as in
JAX, no gradient flows through an unsized call). Gradients of a sized call flow through
the gathered values to the first occurrence of each value in sorted order.
"""
from __future__ import annotations

import math
import operator
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes, errors
from ..array import Array, wrap
from ..core import Tracer
from ..primitives import sorting as lax_sorting
from . import indexing as jidx
from . import joining
from . import reductions as jred
from . import shape as jshape
from . import ufuncs as uf
from .promotion import as_array, check_arraylike, promote_args

_SIZE_HINT = ("its output size depends on the values. Pass a static size=... (and optionally fill_value=...) "
              "to use it under jit, vmap or other transformations.")


class _UniqueAllResult(NamedTuple):
    """The result of jnp.unique_all."""
    values: Any
    indices: Any
    inverse_indices: Any
    counts: Any


class _UniqueCountsResult(NamedTuple):
    """The result of jnp.unique_counts."""
    values: Any
    counts: Any


class _UniqueInverseResult(NamedTuple):
    """The result of jnp.unique_inverse."""
    values: Any
    inverse_indices: Any


# ------------------------------------------------------------------------- helpers

def _int(n) -> Array:
    return wrap(np.asarray(n, dtypes.default_int_dtype()), False)


def _iota(n: int):
    return wrap(np.arange(n, dtype=dtypes.default_int_dtype()), False)


def _concrete(fname: str, x):
    """`x` as a constant Array (tracers with a known value drop their tracing), or JAX's
    ConcretizationTypeError asking for size=."""
    if isinstance(x, Tracer):
        try:
            return wrap(np.asarray(x._concrete(f"jnp.{fname}")), x.aval.weak_type)
        except errors.ConcretizationTypeError:
            raise errors.ConcretizationTypeError(
                f"jnp.{fname} got a traced {x.aval.str_short()} inside {x._trace.transformation_name()}, "
                f"and {_SIZE_HINT}") from None
    return x


def _static_size(fname: str, size) -> int | None:
    if size is None:
        return None
    if isinstance(size, Tracer):
        raise errors.ConcretizationTypeError(f"jnp.{fname}: the size argument must be a static Python int, "
                                             f"got a traced {size.aval.str_short()}; mark it static in jit")
    try:
        return operator.index(size)
    except TypeError:
        raise TypeError(f"jnp.{fname}: size must be an integer, got {size!r}") from None


def _ravel(x):
    return jshape.reshape(x, (x.size,))


def _count(mask) -> int:
    """The number of True entries of a concrete mask."""
    return int(np.count_nonzero(np.asarray(mask)))


def _valid(size: int, n):
    """arange(size) < n: the slots of a padded result that hold real entries."""
    return uf.less(_iota(size), n)


def _first_of_runs(aux, equal_nan: bool):
    """True where a (sorted) row differs from the row before it; the first row is always True."""
    if aux.shape[0] == 0:
        return wrap(np.zeros((0,), bool), False)
    lo, hi = aux[:-1], aux[1:]
    neq = uf.not_equal(hi, lo)
    if dtypes.is_inexact(aux.dtype) and equal_nan:
        neq = uf.logical_and(neq, uf.logical_not(uf.logical_and(uf.isnan(hi), uf.isnan(lo))))
    if aux.ndim > 1:
        neq = jred.any(neq, tuple(range(1, aux.ndim)))
    return joining.concatenate([wrap(np.ones((1,), bool), False), neq])


def _sorted_rows(x):
    """Rows of `x` (axis 0) in lexicographic order, stably: (sorted rows, permutation)."""
    if dtypes.is_complex(x.dtype):  # every NaN as the same complex NaN, so NaNs group together
        x = jshape.where(uf.isnan(x), wrap(np.asarray(np.nan, x.dtype), False), x)
    n, inner = x.shape[0], math.prod(x.shape[1:])
    if inner == 0:
        perm = wrap(np.zeros((1,), dtypes.default_int_dtype()), False)
        return jidx.take(x, perm, axis=0, mode="clip") if n else x, perm
    cols = jshape.reshape(x, (n, inner))
    keys = [cols[:, j] for j in range(inner)] if x.ndim > 1 else [x]
    perm = lax_sorting.sort((*keys, _iota(n)), 0, is_stable=True, num_keys=len(keys))[-1]
    return jidx.take(x, perm, axis=0), perm


# -------------------------------------------------------------------------- unique

def _unique(fname: str, ar, axis, return_index: bool, return_inverse: bool, return_counts: bool,
            equal_nan: bool, size, fill_value):
    out, _ = _unique_and_count(fname, ar, axis, return_index, return_inverse, return_counts, equal_nan, size,
                               fill_value)
    return out[0] if len(out) == 1 else tuple(out)


def _unique_and_count(fname: str, ar, axis, return_index: bool, return_inverse: bool, return_counts: bool,
                      equal_nan: bool, size, fill_value) -> tuple[list, Any]:
    """unique's outputs (a list) and the number of unique values (an Array)."""
    check_arraylike(fname, ar)
    size = _static_size(fname, size)
    arr = as_array(ar) if size is not None else _concrete(fname, as_array(ar))
    in_shape = tuple(arr.shape)
    if axis is None:
        arr, ax = _ravel(arr), 0
    else:
        ax = jred.canonical_axis(fname, axis, arr.ndim)
    if arr.shape[ax] == 0 and size and fill_value is None:
        raise ValueError(f"jnp.{fname}: for zero-sized input with nonzero size argument, fill_value must be specified")
    moved = jshape.moveaxis(arr, ax, 0)
    aux, perm = _sorted_rows(moved)
    mask = _first_of_runs(aux, equal_nan) if aux.size else wrap(np.zeros((aux.shape[0],), bool), False)
    n_unique = jred.sum(mask)
    if size is None:
        size = _count(mask)
    ind = jidx.nonzero(mask, size=size)[0] if mask.shape[0] else _iota(0)
    values = jidx.take(aux, ind, axis=0) if aux.size else aux
    if fill_value is not None:
        fill = as_array(fill_value).astype(values.dtype)
        if values.shape[0]:
            keep = jshape.reshape(_valid(size, n_unique), (size,) + (1,) * (values.ndim - 1))
            values = jshape.where(keep, values, fill)
        else:
            values = jshape.broadcast_to(fill, (size,) + tuple(values.shape[1:]))
    out = [jshape.moveaxis(values, 0, ax)]
    if return_index:
        out.append(jidx.take(perm, ind) if aux.size else perm)
    if return_inverse:
        out.append(_inverse(mask, perm, arr.shape[ax], aux.size, in_shape if axis is None else None))
    if return_counts:
        out.append(_counts(mask, size, arr.shape[ax], aux.size))
    return out, n_unique


def _inverse(mask, perm, n: int, nonempty: int, reshape_to):
    itype = dtypes.default_int_dtype()
    if nonempty:
        slot = uf.subtract(jred.cumsum(mask.astype(itype)), _int(1))
        inv = wrap(np.zeros((mask.shape[0],), itype), False).at[perm].set(slot)
    else:
        inv = wrap(np.zeros((n,), itype), False)
    return jshape.reshape(inv, reshape_to) if reshape_to is not None else inv


def _counts(mask, size: int, n: int, nonempty: int):
    itype = dtypes.default_int_dtype()
    if not nonempty:
        return wrap(np.full((1,), n, itype) if n else np.zeros((0,), itype), False)
    starts = jidx.nonzero(mask, size=size + 1)[0]
    # Padding slots (index 0 past the first) end at the array's end, so their counts are 0.
    tail = starts[1:]
    bounds = joining.concatenate([starts[:1], jshape.where(uf.not_equal(tail, _int(0)), tail, _int(mask.shape[0]))])
    return uf.subtract(bounds[1:], bounds[:-1])


def unique(ar, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False,
           axis: int | None = None, *, equal_nan: bool = True, size: int | None = None, fill_value=None,
           sorted: bool = True):  # noqa: A002  (JAX's name)
    """jnp.unique: the sorted unique values (rows along `axis`), optionally with the first
    indices, the inverse (input shape for axis=None) and the counts.

    With a static `size` the values are padded with `fill_value` (default: the smallest
    value), the indices with the smallest value's index and the counts with 0. `sorted`
    is accepted for NumPy compatibility; the result is always sorted, as in JAX.
    """
    return _unique("unique", ar, axis, return_index, return_inverse, return_counts, equal_nan, size, fill_value)


def unique_all(x, /, *, size: int | None = None, fill_value=None) -> _UniqueAllResult:
    """jnp.unique_all (Array API): values, indices, inverse_indices and counts (NaNs distinct)."""
    return _UniqueAllResult(*_unique("unique_all", x, None, True, True, True, False, size, fill_value))


def unique_counts(x, /, *, size: int | None = None, fill_value=None) -> _UniqueCountsResult:
    """jnp.unique_counts (Array API): values and counts (NaNs distinct)."""
    return _UniqueCountsResult(*_unique("unique_counts", x, None, False, False, True, False, size, fill_value))


def unique_inverse(x, /, *, size: int | None = None, fill_value=None) -> _UniqueInverseResult:
    """jnp.unique_inverse (Array API): values and inverse_indices of the input's shape (NaNs distinct)."""
    return _UniqueInverseResult(*_unique("unique_inverse", x, None, False, True, False, False, size, fill_value))


def unique_values(x, /, *, size: int | None = None, fill_value=None):
    """jnp.unique_values (Array API): the sorted unique values (NaNs distinct)."""
    return _unique("unique_values", x, None, False, False, False, False, size, fill_value)


# ------------------------------------------------------------- two-array set operations

def _pair(fname: str, ar1, ar2, size):
    """Both operands promoted to one dtype and flattened; concrete when there is no size."""
    a, b = promote_args(fname, ar1, ar2)
    if size is None:
        a, b = _concrete(fname, a), _concrete(fname, b)
    return _ravel(a), _ravel(b)


def _unique_padded(x, fill_value=None):
    """(unique values padded to x's length, their first indices, how many there are)."""
    (vals, idx), n = _unique_and_count("unique", x, None, True, False, False, True, x.size, fill_value)
    return vals, idx, n


def _smallest_fill(vals, n_results, size: int):
    """Padding for intersect1d/setxor1d without fill_value: the smallest result (0 if none).
    (The pads first become the largest entry, then the smallest of what that leaves.)"""
    keep = _valid(size, n_results)
    vals = jshape.where(keep, vals, jred.max(vals))
    return jshape.where(keep, vals, jred.min(vals))


def _gather_runs(aux, aux_mask, size: int, fill_value):
    """The entries of `aux` where `aux_mask` holds, padded to `size` (slot indices too)."""
    n_results = jred.sum(aux_mask)
    if aux.size:
        slots = jidx.nonzero(aux_mask, size=size, fill_value=aux.shape[0])[0]
        vals = jidx.take(aux, slots, mode="fill", fill_value=0)
    else:
        slots = _iota(0)
        vals = wrap(np.zeros((size,), aux.dtype), False)
    if fill_value is None:
        vals = _smallest_fill(vals, n_results, size)
    else:
        vals = jshape.where(_valid(size, n_results), vals, as_array(fill_value).astype(vals.dtype))
    return vals, slots, n_results


def _sort_valid_first(arr, valid):
    """Sort `arr` with the valid entries first (stably, by value), then the padding; also the
    sorted validity and the permutation."""
    invalid, aux, perm = lax_sorting.sort((uf.logical_not(valid), arr, _iota(arr.shape[0])), 0,
                                          is_stable=True, num_keys=2)
    return aux, uf.logical_not(invalid), perm


def _concat_unique(a, b):
    """The unique values of a and of b side by side, each padded to its length, with a mask of
    the real ones (and each array's first indices)."""
    ua, ia, na = _unique_padded(a, 0)
    ub, ib, nb = _unique_padded(b, 0)
    valid = joining.concatenate([_valid(a.size, na), _valid(b.size, nb)])
    return joining.concatenate([ua, ub]), valid, (ia, ib)


def intersect1d(ar1, ar2, assume_unique: bool = False, return_indices: bool = False, *,
                size: int | None = None, fill_value=None):
    """jnp.intersect1d: the sorted values in both arrays (with their first indices in each).

    With `size`, values are padded with `fill_value` (default: the smallest result) and the
    indices with each array's length.
    """
    size = _static_size("intersect1d", size)
    a, b = _pair("intersect1d", ar1, ar2, size)
    n1, n2 = a.size, b.size
    if assume_unique:
        arr = joining.concatenate([a, b])
        aux, perm = lax_sorting.sort((arr, _iota(arr.shape[0])), 0, is_stable=True, num_keys=1)
        aux_mask = uf.equal(aux[1:], aux[:-1])
    else:
        arr, valid, (i1, i2) = _concat_unique(a, b)
        aux, valid_sorted, perm = _sort_valid_first(arr, valid)
        aux_mask = uf.logical_and(uf.equal(aux[1:], aux[:-1]), valid_sorted[1:])
    if size is None:
        size = _count(aux_mask)
    vals, slots, n_results = _gather_runs(aux, aux_mask, size, fill_value)
    if not return_indices:
        return vals
    keep = _valid(slots.shape[0], n_results)
    idx1 = jshape.where(keep, jidx.take(perm, slots, mode="fill", fill_value=n1), _int(n1))
    idx2 = jshape.where(keep, uf.subtract(jidx.take(perm, uf.add(slots, _int(1)), mode="fill", fill_value=n1 + n2),
                                          _int(n1)), _int(n2))
    if not assume_unique:
        idx1 = jidx.take(i1, idx1, mode="fill", fill_value=n1)
        idx2 = jidx.take(i2, idx2, mode="fill", fill_value=n2)
    return vals, idx1, idx2


def union1d(ar1, ar2, *, size: int | None = None, fill_value=None):
    """jnp.union1d: the sorted unique values of both arrays (size/fill_value as in unique)."""
    size = _static_size("union1d", size)
    a, b = _pair("union1d", ar1, ar2, size)
    return _unique("union1d", joining.concatenate([a, b]), None, False, False, False, True, size, fill_value)


def _in1d(fname: str, x, test, invert: bool, method: str):
    """Per element of flat `x`: is it (not, with invert) among the flat `test` values."""
    if method not in ("auto", "compare_all", "binary_search", "sort"):
        raise ValueError(f"jnp.{fname}: method={method!r} is not implemented; options are 'compare_all', "
                         "'binary_search', 'sort', and 'auto'")
    if x.size == 0 or test.size == 0:
        return wrap(np.full(x.shape, bool(invert)), False)
    if method in ("auto", "compare_all"):
        hit = jred.any(uf.equal(x[:, None], test[None, :]), -1)
    else:  # 'binary_search' and 'sort' (both O(n log n)): find each element among the sorted tests
        from .searching import searchsorted
        st = lax_sorting.sort(test, 0)
        pos = uf.minimum(searchsorted(st, x), _int(st.shape[0] - 1))
        hit = uf.equal(x, jidx.take(st, pos))
    return uf.logical_not(hit) if invert else hit


def isin(element, test_elements, assume_unique: bool = False, invert: bool = False, *, method: str = "auto"):
    """jnp.isin: True where an element of `element` is among `test_elements` (False with invert).

    `assume_unique` does not change the answer; `method` picks the algorithm ('auto' and
    'compare_all' compare all pairs; 'binary_search' and 'sort' search the sorted tests)."""
    x, t = promote_args("isin", element, test_elements)
    return jshape.reshape(_in1d("isin", _ravel(x), _ravel(t), invert, method), tuple(x.shape))


def setdiff1d(ar1, ar2, assume_unique: bool = False, *, size: int | None = None, fill_value=None):
    """jnp.setdiff1d: the sorted unique values of ar1 that are not in ar2 (padding: fill_value, default 0)."""
    size = _static_size("setdiff1d", size)
    a, b = _pair("setdiff1d", ar1, ar2, size)
    fill = as_array(0 if fill_value is None else fill_value).astype(a.dtype)
    if a.size == 0:
        return jshape.broadcast_to(fill, (size or 0,))
    mask_padding = None
    if not assume_unique:
        a, _, n_unique = _unique_padded(a)
        mask_padding = _valid(a.size, n_unique)  # the padding of unique() is not part of the difference
    mask = _in1d("setdiff1d", a, b, True, "auto")
    if mask_padding is not None:
        mask = uf.logical_and(mask, mask_padding)
    if size is None:
        size = _count(mask)
    picked = jidx.take(a, jidx.nonzero(mask, size=size)[0])
    return jshape.where(_valid(size, jred.sum(mask)), picked, fill)


def setxor1d(ar1, ar2, assume_unique: bool = False, *, size: int | None = None, fill_value=None):
    """jnp.setxor1d: the sorted values in exactly one of the arrays (padding: fill_value, default
    the smallest result)."""
    size = _static_size("setxor1d", size)
    a, b = _pair("setxor1d", ar1, ar2, size)
    true, false = wrap(np.ones((1,), bool), False), wrap(np.zeros((1,), bool), False)
    if assume_unique:
        aux = lax_sorting.sort(joining.concatenate([a, b]), 0)
        flag = joining.concatenate([true if aux.size else false, uf.not_equal(aux[1:], aux[:-1]), true])
    else:
        arr, valid, _ = _concat_unique(a, b)
        aux, valid_sorted, _ = _sort_valid_first(arr, valid)
        n = jred.sum(valid)
        # A value in exactly one array is a run of length one among the real entries; the
        # entry after the last real one counts as a run boundary.
        bound = joining.concatenate([true if aux.size else false, uf.not_equal(aux[1:], aux[:-1]), false])
        bound = uf.logical_or(bound, uf.equal(_iota(aux.shape[0] + 1), n))
        flag = uf.logical_and(bound, _valid(aux.shape[0] + 1, uf.add(n, _int(1))))
    aux_mask = uf.logical_and(flag[1:], flag[:-1])
    if size is None:
        size = _count(aux_mask)
    return _gather_runs(aux, aux_mask, size, fill_value)[0]


__all__ = ["unique", "unique_all", "unique_counts", "unique_inverse", "unique_values", "intersect1d", "union1d",
           "setdiff1d", "setxor1d", "isin"]

METHODS: dict = {}
