"""Sorting in nablax.numpy: sort, argsort, lexsort, median (a quantile, in statistics.py).

All are lax.sort of one or more operands; argsort sorts (keys, iota) and keeps the
iota. NaNs sort last. Gradients flow through the sorted values (the permutation is
applied to the tangents).
"""
from __future__ import annotations

from .. import dtypes
from ..primitives import misc, shape, sorting
from . import reductions as jred
from .promotion import as_array, check_arraylike
from .statistics import median_of


def _arg(fname: str, a):
    check_arraylike(fname, a)
    return as_array(a)


def _iota(shape_: tuple, axis: int, dtype):
    return misc.broadcasted_iota(dtype, shape_, axis)


def _flip(x, axis: int):
    return shape.rev(x, (axis,))


def _prepare(fname: str, a, axis):
    """The operand and the axis to sort along; axis None sorts the flattened array."""
    x = _arg(fname, a)
    if axis is None:
        return shape.reshape(x, (x.size,)), 0
    return x, jred.canonical_axis(fname, axis, x.ndim)


def _check_unsupported(fname: str, kind, order) -> None:
    if order is not None:
        raise ValueError(f"jnp.{fname}: the 'order' argument (structured arrays) is not supported")
    if kind is not None:  # a TypeError, as in JAX
        raise TypeError(f"jnp.{fname}: the 'kind' argument is not supported; use stable=True or stable=False "
                        "to choose the sort's stability")


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """jnp.sort: sorted copy along `axis` (None: flattened); NaNs last (first when descending)."""
    _check_unsupported("sort", kind, order)
    x, ax = _prepare("sort", a, axis)
    out = sorting.sort(x, ax, is_stable=stable)
    return _flip(out, ax) if descending else out


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """jnp.argsort: the indices that sort `a` along `axis` (default int dtype); ties keep their
    original order, also when descending."""
    _check_unsupported("argsort", kind, order)
    x, ax = _prepare("argsort", a, axis)
    index_dtype = dtypes.default_int_dtype()
    if not descending:
        return sorting.sort((x, _iota(tuple(x.shape), ax, index_dtype)), ax, is_stable=stable)[1]
    # Sort the reversed array with reversed indices and reverse back: a descending order in
    # which equal elements keep their original order.
    idx = sorting.sort((_flip(x, ax), _flip(_iota(tuple(x.shape), ax, index_dtype), ax)), ax,
                       is_stable=stable)[1]
    return _flip(idx, ax)


def lexsort(keys, axis=-1):
    """jnp.lexsort: indices sorting by the last key first, then the others (stable)."""
    if isinstance(keys, (list, tuple)):
        keys = [_arg("lexsort", k) for k in keys]
    else:
        k = _arg("lexsort", keys)
        rest = tuple(k.shape[1:])
        keys = [shape.reshape(shape.slice_in_dim(k, i, i + 1, axis=0), rest) for i in range(k.shape[0])] if k.ndim else [k]
    if not keys:
        raise TypeError("jnp.lexsort: need sequence of keys with len > 0")
    shape0 = tuple(keys[0].shape)
    if any(tuple(k.shape) != shape0 for k in keys):
        raise ValueError(f"jnp.lexsort: all keys need to be the same shape, got {[tuple(k.shape) for k in keys]}")
    ax = jred.canonical_axis("lexsort", axis, len(shape0))
    iota = _iota(shape0, ax, dtypes.default_int_dtype())
    outs = sorting.sort(tuple(reversed(keys)) + (iota,), ax, is_stable=True, num_keys=len(keys))
    return outs[-1]


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """jnp.median: the middle value (mean of the two middle ones for even counts); NaN if any NaN.
    As in JAX, the 'midpoint' quantile at 0.5 (so gradients split between the two middle values)."""
    return median_of("median", a, axis, out, overwrite_input, keepdims, False)


def _sort_method(self, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    return sort(self, axis, kind=kind, order=order, stable=stable, descending=descending)


def _argsort_method(self, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    return argsort(self, axis, kind=kind, order=order, stable=stable, descending=descending)


__all__ = ["sort", "argsort", "lexsort", "median"]

METHODS = {"sort": _sort_method, "argsort": _argsort_method}
