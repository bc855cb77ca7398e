"""NumPy indexing for nablax: x[idx], x.at[idx].<op>(...), take, take_along_axis, nonzero, ...

Every form of NumPy indexing is turned into one lax.gather (or scatter) call whose static
spec describes the index tuple (see primitives/indexing.py): ints, slices of any step,
None, Ellipsis, integer arrays (NumPy's broadcasting and placement rules) and concrete
boolean masks (converted to integer arrays with np.nonzero). A plain basic index of an
eager Array is NumPy basic indexing on its value (no transformation is active, so there
is nothing to record).

Out-of-range indices follow JAX (negative ones wrap once first): x[idx] clamps them. With
only static ints, slices, None and Ellipsis in the index (JAX's dynamic_slice path) the
gradient goes to the clamped element; with array indices (a gather, mode
'promise_in_bounds') an out-of-range index gets no gradient. `.at[]` updates drop them;
`take` and `take_along_axis` fill (NaN for inexact dtypes) by default.
"""
from __future__ import annotations

import builtins
import contextlib
import operator

import numpy as np

from .. import dtypes, errors
from ..array import Array, wrap
from ..core import Tracer, current_trace
from ..primitives import dynamic_slice as lax_ds
from ..primitives import elementwise as ew
from ..primitives import indexing as lax_ix
from ..primitives import shape as lax_shape
from ..primitives import sorting
from ..primitives.misc import convert_element_type
from . import ufuncs
from .promotion import as_array, check_arraylike, checked_axis

_BASIC_TYPES = (int, builtins.slice)


def _fast_basic(idx) -> bool:
    """Whether idx is a basic index NumPy can apply directly (ints, slices, None, Ellipsis)."""
    t = type(idx)
    if t in _BASIC_TYPES or idx is None or idx is Ellipsis:
        return True
    if t is tuple:
        for e in idx:
            if not (type(e) in _BASIC_TYPES or e is None or e is Ellipsis):
                return False
        return True
    return False


def _is_static_int(e) -> bool:
    return isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_))


def _static_slice(s: builtins.slice) -> builtins.slice:
    bounds = []
    for v in (s.start, s.stop, s.step):
        if v is None or type(v) is int:
            bounds.append(v)
            continue
        try:
            bounds.append(operator.index(v))
        except errors.ConcretizationTypeError as err:  # an IndexError, as in JAX
            raise IndexError(
                f"Slice entries must be static integers, got slice({s.start!r}, {s.stop!r}, {s.step!r}).\n{err}\n"
                "For a window whose start is traced, use lax.dynamic_slice / lax.dynamic_slice_in_dim (fixed "
                "size), or index with an integer array (e.g. x[i + jnp.arange(n)])."
            ) from None
        except TypeError:
            raise TypeError(f"slice indices must be integers or None, got {v!r}") from None
    return builtins.slice(*bounds)


def _concrete_mask(m):
    if isinstance(m, Tracer):
        try:
            return np.asarray(m._concrete("boolean indexing"))
        except errors.ConcretizationTypeError:
            raise errors.NonConcreteBooleanIndexError(
                f"Array boolean indices must be concrete; got a traced mask {m.aval.str_short()}. "
                "The shape of x[mask] depends on the mask's values, which are unknown inside "
                f"{m._trace.transformation_name()}. Use jnp.where(mask, x, fill) to keep the shape, "
                "or x.at[...] / jnp.nonzero(mask, size=...) with a static size."
            ) from None
    return np.asarray(m._value if isinstance(m, Array) else m)


def _classify(e):
    """(kind, value) for one entry of an index tuple."""
    if e is None:
        return "none", None
    if e is Ellipsis:
        return "ellipsis", None
    if type(e) is builtins.slice:
        return "slice", _static_slice(e)
    if isinstance(e, (bool, np.bool_)):
        return "bool", bool(e)
    if _is_static_int(e):
        return "int", int(e)
    if isinstance(e, (Array, Tracer)):
        kind = e.dtype.kind
        if kind == "b":
            m = _concrete_mask(e)
            return ("bool", bool(m)) if m.ndim == 0 else ("mask", m)
        if kind in "iu":
            return "array", e
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {e.dtype.name}")
    if isinstance(e, (np.ndarray, list, tuple)):
        if isinstance(e, (list, tuple)) and any(isinstance(v, Tracer) for v in _flat(e)):
            from .creation import asarray  # noqa: PLC0415  (lists holding tracers: rare)

            return _classify(asarray(e))
        a = np.asarray(e)
        if a.dtype.kind == "b":
            return ("bool", bool(a)) if a.ndim == 0 else ("mask", a)
        if a.dtype.kind in "iu":
            return "array", a
        if a.size == 0:
            return "array", a.astype(dtypes.default_int_dtype())
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {a.dtype}")
    try:
        return "int", operator.index(e)
    except TypeError:
        raise TypeError(
            "Only integers, slices (`:`), ellipsis (`...`), None (`jnp.newaxis`) and integer or boolean "
            f"arrays are valid indices; got {e!r} of type {type(e).__name__}"
        ) from None


def _flat(seq):
    for v in seq:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _expand_index(shape: tuple, idx, clamp_static: bool):
    """Rewrite a NumPy index as a lax.gather index tuple (no Ellipsis, no booleans).

    Returns (tuple, false_axes): output axes to empty afterwards (scalar `False` indices).
    An out-of-range static int is clamped to a static int when `clamp_static` and the index
    holds no arrays (JAX slices then: the gradient goes to the clamped element); otherwise
    it becomes a 0-d index array, which follows the gather/scatter mode.
    """
    if not isinstance(idx, tuple):
        if isinstance(idx, list):
            raise _list_index_error()
        idx = (idx,)
    items = [_classify(e) for e in idx]
    consumed = 0
    ellipses = 0
    for kind, v in items:
        if kind in ("int", "slice", "array"):
            consumed += 1
        elif kind == "mask":
            consumed += v.ndim
        elif kind == "ellipsis":
            ellipses += 1
    ndim = len(shape)
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {consumed} were indexed")
    has_adv = any(kind in ("array", "mask") for kind, _ in items)
    out = []
    false_positions = []
    axis = 0
    for kind, v in items:
        if kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.extend([builtins.slice(None)] * (ndim - consumed))
            axis += ndim - consumed
        elif kind == "slice":
            out.append(v)
            axis += 1
        elif kind == "int":
            d = shape[axis]
            if not -d <= v < d:
                if d == 0:
                    raise IndexError(f"index {v} is out of bounds for axis {axis} with size 0")
                if clamp_static and not has_adv:
                    v = builtins.min(builtins.max(v + d if v < 0 else v, 0), d - 1)
                else:
                    v = np.asarray(v, dtypes.default_int_dtype())
            out.append(v)
            axis += 1
        elif kind == "array":
            out.append(v)
            axis += 1
        elif kind == "mask":
            k = v.ndim
            for j in range(k):
                if v.shape[j] != shape[axis + j]:
                    raise IndexError(
                        f"boolean index did not match indexed array along axis {axis + j}; size of axis is "
                        f"{shape[axis + j]} but size of corresponding boolean axis is {v.shape[j]}"
                    )
            itype = dtypes.default_int_dtype()
            out.extend(wrap(i.astype(itype), False) for i in np.nonzero(v))
            axis += k
        else:  # scalar bool: a new axis of length 1 (True) or 0 (False)
            if has_adv:
                raise TypeError("a scalar boolean index combined with array indices is not supported")
            if not v:
                false_positions.append(len(out))
            out.append(None)
    false_axes = [builtins.sum(1 for e in out[:p] if e is None or type(e) is builtins.slice) for p in false_positions]
    return tuple(out), false_axes


def _list_index_error() -> TypeError:
    return TypeError("Using a non-tuple sequence (a list) as an index is not allowed, as in JAX; use "
                     "x[jnp.array(seq)] for an integer-array index or x[tuple(seq)] for one index per axis")


def _is_identity(spec, shape) -> bool:
    return len(spec) == len(shape) and all(e == (0, d, 1) for e, d in zip(spec, shape))


def _take(x, idx, *, mode=None, fill_value=None):
    tup, false_axes = _expand_index(x.shape, idx, mode in (None, "clip", "promise_in_bounds"))
    ix = lax_ix.prepare_index(x.shape, tup)
    out = x if _is_identity(ix.spec, x.shape) else lax_ix.gather(x, ix, mode=mode, fill_value=fill_value)
    for ax in false_axes:
        out = lax_shape.slice_in_dim(out, 0, 0, axis=ax)
    return out


def getitem(self, idx):
    """x[idx] with NumPy semantics (ints, slices, None, ..., integer arrays, concrete boolean masks).

    Out-of-range indices are clamped, as in JAX (see the module docstring).
    """
    if type(idx) is list:
        raise _list_index_error()
    if type(self) is Array and current_trace() is None:
        if _fast_basic(idx):
            with contextlib.suppress(IndexError):  # out of range: clamped by the general path
                return wrap(self._value[idx], self._weak)
        # Eager and concrete: NumPy's own indexing agrees with ours whenever it succeeds
        # (it raises IndexError for out-of-range indices, which we clamp).
        with contextlib.suppress(IndexError, TypeError, ValueError):  # else the general path below
            raw = tuple(e._value if type(e) is Array else e for e in idx) if type(idx) is tuple else (
                idx._value if type(idx) is Array else idx)
            return wrap(np.asarray(self._value[raw]), self._weak)
    return _take(self, idx)


# --------------------------------------------------------------------------------- .at[]

_UPDATE_OPS = ("set", "add", "subtract", "multiply", "divide", "power", "min", "max")


def _update_values(fname: str, values, x, target: tuple):
    """`values` cast to x's dtype and broadcast to the indexed shape (NumPy assignment rules)."""
    if isinstance(values, (list, tuple)):
        values = np.asarray(values)
    if type(values) in (int, float, bool, complex) and x.dtype.kind in "biufc":
        # A constant: broadcast it with NumPy (cast like lax would, e.g. 2.7 -> 2 for ints).
        return wrap(np.broadcast_to(np.asarray(values).astype(x.dtype), target), False)
    check_arraylike(fname, values)
    v = as_array(values)
    if v.dtype != x.dtype:
        v = convert_element_type(v, x.dtype)
    vshape = tuple(v.shape)
    if vshape == target:
        return v
    trimmed = vshape
    while len(trimmed) > len(target) and trimmed[0] == 1:
        trimmed = trimmed[1:]
    ok = len(trimmed) <= len(target) and all(
        a in (1, b) for a, b in zip(trimmed[::-1], target[::-1]))
    if not ok:
        raise ValueError(f"{fname}: shape mismatch: value array of shape {vshape} could not be broadcast to "
                         f"indexing result of shape {target}")
    if trimmed != vshape:
        v = lax_shape.reshape(v, trimmed)
    lead = len(target) - len(trimmed)
    return lax_shape.broadcast_in_dim(v, target, tuple(range(lead, len(target))))


def _ones(x):
    return wrap(np.ones(x.shape, x.dtype), x.weak_type)


def at_update(x, index, op: str, values, *, indices_are_sorted: bool = False, unique_indices: bool = False,
              mode=None, fill_value=None):
    """The engine behind `x.at[index].<op>(values, ...)` (op: get/set/add/subtract/multiply/divide/power/min/max).

    Values are cast to x's dtype and broadcast to the indexed shape. Duplicate indices:
    add/multiply/min/max apply every update; set keeps one (NumPy's choice, the last).
    mode: 'drop' (default for updates: out-of-range updates are ignored), 'clip',
    'promise_in_bounds'; for get: 'clip' (default) or 'fill' (with fill_value).
    """
    if op == "get":
        return _take(x, index, mode=mode, fill_value=fill_value)
    if op not in _UPDATE_OPS:
        raise ValueError(f".at[]: unknown update {op!r}; expected one of {_UPDATE_OPS}")
    fname = f"x.at[...].{op}"
    if op in ("add", "subtract", "multiply", "min", "max"):
        # As in JAX: the update runs in the promoted dtype of x and the values, and the
        # result is cast back to x's dtype and weak type (int x .at[i].multiply(2.5) scales by 2.5).
        vals = np.asarray(values) if isinstance(values, (list, tuple)) else values
        check_arraylike(fname, vals)
        pdt = dtypes.result_type(x, vals)
        if pdt != x.dtype:
            out = at_update(convert_element_type(x, pdt), index, op, vals, indices_are_sorted=indices_are_sorted,
                            unique_indices=unique_indices, mode=mode, fill_value=fill_value)
            return convert_element_type(out, x.dtype, x.weak_type)
    tup, false_axes = _expand_index(x.shape, index, False)
    ix = lax_ix.prepare_index(x.shape, tup, name="scatter")
    v = _update_values(fname, values, x, ix.shape)
    if false_axes:  # x[False] selects nothing: nothing to update
        return x
    kw = {"mode": mode, "unique_indices": unique_indices, "indices_are_sorted": indices_are_sorted}
    if op == "set":
        return lax_ix.scatter(x, ix, v, **kw)
    if op == "add":
        return lax_ix.scatter_add(x, ix, v, **kw)
    if op == "subtract":
        return lax_ix.scatter_add(x, ix, ew.neg(v), **kw)
    if op == "multiply":
        return lax_ix.scatter_mul(x, ix, v, **kw)
    if op == "min":
        return lax_ix.scatter_min(x, ix, v, **kw)
    if op == "max":
        return lax_ix.scatter_max(x, ix, v, **kw)
    if op == "divide":
        return ufuncs.true_divide(x, lax_ix.scatter_mul(_ones(x), ix, v, **kw))
    power = getattr(ufuncs, "power", None)
    if power is None:
        raise NotImplementedError(".at[].power needs jnp.power, which is not available yet")
    # Exponents of repeated indices multiply, as in JAX: x ** (y * y) for an index given twice.
    return power(x, lax_ix.scatter_mul(_ones(x), ix, v, **kw))


def _at_update(array, index, op, values, **kwargs):
    return at_update(array, index, op, values, **kwargs)


# ------------------------------------------------------------------ take / take_along_axis

def _int_indices(fname: str, indices):
    check_arraylike(fname, indices)  # lists are rejected (TypeError), as in JAX
    i = as_array(indices)
    if i.dtype.kind not in "iu":  # (JAX: a ValueError in take, a TypeError in take_along_axis)
        raise (ValueError if fname == "take" else TypeError)(
            f"jnp.{fname}: indices must have an integer dtype, got {i.dtype.name}")
    return i


def _gather_mode(fname: str, mode):
    if mode is None:
        return "fill"
    if mode in ("fill", "clip", "promise_in_bounds", "wrap"):
        return mode
    if mode == "raise":
        raise NotImplementedError(f"jnp.{fname}: mode='raise' is not supported (it would need a value-dependent "
                                  "error); use 'fill', 'clip' or 'wrap'")
    raise ValueError(f"jnp.{fname}: invalid mode {mode!r}; expected 'fill', 'clip' or 'wrap'")


def _wrap_indices(i, d: int):
    if d == 0:
        return i
    r = ew.rem(i, d)
    return ew.select_n(ew.lt(r, 0), r, ew.add(r, d))


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False, fill_value=None):
    """jnp.take: elements of `a` at `indices` along `axis` (flattened `a` when axis is None).

    mode: 'fill' (default: out-of-range gives fill_value, NaN for inexact dtypes), 'clip' (clamps
    the indices as given: as in JAX, negative ones do not wrap), 'wrap'. `unique_indices` and
    `indices_are_sorted` are promises that let XLA optimise; the result is the same without them.
    """
    if out is not None:
        raise NotImplementedError("jnp.take: the 'out' argument is not supported (arrays are immutable)")
    check_arraylike("take", a)
    a = as_array(a)
    i = _int_indices("take", indices)
    if axis is None:
        a = lax_shape.reshape(a, (a.size,))
        axis = 0
    axis = checked_axis("jnp.take", axis, a.ndim)
    mode = _gather_mode("take", mode)
    if mode == "wrap":
        i, mode = _wrap_indices(i, a.shape[axis]), "clip"
    elif mode == "clip" and a.shape[axis]:
        i = ew.clamp(wrap(np.zeros((), i.dtype), True), i, wrap(np.asarray(a.shape[axis] - 1, i.dtype), True))
    tup = (builtins.slice(None),) * axis + (i,)
    return lax_ix.gather(a, tup, mode=mode, fill_value=fill_value)


def _take_method(self, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False,
                 fill_value=None):
    return take(self, indices, axis=axis, out=out, mode=mode, unique_indices=unique_indices,
                indices_are_sorted=indices_are_sorted, fill_value=fill_value)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None):
    """jnp.take_along_axis: `arr` indexed along `axis` by `indices` of the same rank (other axes broadcast).

    mode: 'fill' (default), 'clip' or 'wrap', as in take.
    """
    check_arraylike("take_along_axis", arr)
    arr = as_array(arr)
    i = _int_indices("take_along_axis", indices)
    if axis is None:
        if i.ndim != 1:
            raise ValueError(f"jnp.take_along_axis: with axis=None the indices must be 1-d, got shape {i.shape}")
        arr = lax_shape.reshape(arr, (arr.size,))
        axis = 0
    if i.ndim != arr.ndim:
        raise ValueError(f"jnp.take_along_axis: indices and arr must have the same number of dimensions; "
                         f"{i.ndim} vs. {arr.ndim}")
    axis = checked_axis("jnp.take_along_axis", axis, arr.ndim)
    mode = _gather_mode("take_along_axis", mode)
    if mode == "wrap":
        i, mode = _wrap_indices(i, arr.shape[axis]), "clip"
    n = arr.ndim
    itype = i.dtype
    tup = []
    for j in range(n):
        if j == axis:
            tup.append(i)
            continue
        da, di = arr.shape[j], i.shape[j]
        if da != di and 1 not in (da, di):
            raise ValueError(f"jnp.take_along_axis: indices of shape {i.shape} do not broadcast against arr of "
                             f"shape {arr.shape} along axis {j}")
        tup.append(np.arange(da, dtype=itype).reshape((1,) * j + (da,) + (1,) * (n - j - 1)))
    return lax_ix.gather(arr, tuple(tup), mode=mode, fill_value=fill_value)


# ------------------------------------------------------------------------ nonzero & co.

def _try_concrete(a):
    if isinstance(a, Array):
        return np.asarray(a._value)
    try:
        return np.asarray(a._concrete("jnp.nonzero"))
    except errors.ConcretizationTypeError:
        return None


def _fill_values(fill_value, n: int) -> list:
    if fill_value is None:
        return [0] * n
    if isinstance(fill_value, (tuple, list)):
        if len(fill_value) != n:
            raise ValueError(f"jnp.nonzero: fill_value must be a scalar or a tuple of length {n}")
        return list(fill_value)
    return [fill_value] * n


def nonzero(a, *, size=None, fill_value=None):
    """jnp.nonzero: a tuple of index arrays, one per axis, of the nonzero elements.

    The output shape depends on the values, so under jit/vmap/make_jaxpr give a static
    `size` (padded with fill_value, default 0, or truncated).
    """
    check_arraylike("nonzero", a)
    a = as_array(a)
    if a.ndim == 0:
        raise ValueError("jnp.nonzero: calling nonzero on 0-d arrays is not allowed; use jnp.atleast_1d first")
    itype = dtypes.default_int_dtype()
    fills = _fill_values(fill_value, a.ndim)
    value = _try_concrete(a)
    if value is not None:
        found = np.nonzero(value)
        if size is not None:
            size = operator.index(size)
            found = [np.concatenate([f[:size], np.full(builtins.max(size - len(f), 0), fv)]) for f, fv in zip(found, fills)]
        return tuple(wrap(np.asarray(f).astype(itype), False) for f in found)
    if size is None:
        raise errors.ConcretizationTypeError(
            f"jnp.nonzero needs a concrete array: got a traced {a.aval.str_short()} inside "
            f"{a._trace.transformation_name()}, and its output shape depends on the values. Pass a static "
            "size=... (and fill_value=...) to use it under transformations."
        )
    return _traced_nonzero(a, operator.index(size), fills, itype)


def _traced_nonzero(a, size: int, fills, itype):
    n = a.size
    flat = ew.ne(lax_shape.reshape(a, (n,)), wrap(np.zeros((), a.dtype), True))
    counts = sorting.cumsum(convert_element_type(flat, itype))
    # the k-th nonzero element (k = count before it) lands at output slot k; the others drop
    slot = ew.select_n(flat, wrap(np.full((n,), size, itype)), ew.sub(counts, wrap(np.ones((), itype), True)))
    coords = np.unravel_index(np.arange(n), a.shape)
    out = []
    for c, fv in zip(coords, fills):
        base = wrap(np.full((size,), fv, itype))
        out.append(lax_ix.scatter(base, (slot,), wrap(c.astype(itype)), mode="drop", unique_indices=True))
    return tuple(out)


def _nonzero_method(self, *, size=None, fill_value=None):
    return nonzero(self, size=size, fill_value=fill_value)


def flatnonzero(a, *, size=None, fill_value=None):
    """jnp.flatnonzero: indices of the nonzero elements of the flattened array (size= as in nonzero)."""
    check_arraylike("flatnonzero", a)
    a = as_array(a)
    return nonzero(lax_shape.reshape(a, (a.size,)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """jnp.argwhere: the (N, ndim) array of indices of nonzero elements (size= as in nonzero)."""
    check_arraylike("argwhere", a)
    a = as_array(a)
    if a.ndim == 0:  # NumPy: shape (1, 0) for a nonzero scalar, (0, 0) for zero
        cols = nonzero(lax_shape.reshape(a, (1,)), size=size, fill_value=fill_value)
        return _columns((), cols[0].shape[0])
    cols = nonzero(a, size=size, fill_value=fill_value)
    return _columns(cols, cols[0].shape[0])


def _columns(cols, k: int):
    itype = dtypes.default_int_dtype()
    out = wrap(np.zeros((k, len(cols)), itype))
    for j, c in enumerate(cols):
        out = lax_ds.dynamic_update_slice(out, lax_shape.reshape(c, (k, 1)), (0, j))
    return out


def _index_arrays(arrays) -> tuple:
    itype = dtypes.default_int_dtype()
    return tuple(wrap(np.asarray(i).astype(itype), False) for i in arrays)


def diag_indices(n, ndim=2):
    """jnp.diag_indices: the indices of the main diagonal of an (n, ..., n) array."""
    return _index_arrays(np.diag_indices(operator.index(n), operator.index(ndim)))


def diag_indices_from(arr):
    """jnp.diag_indices_from: diag_indices for an array whose axes all have one length."""
    shape = tuple(arr.shape)
    if len(shape) < 2 or len(set(shape)) != 1:
        raise ValueError(f"jnp.diag_indices_from: all dimensions of the input must be equal, got shape {shape}")
    return diag_indices(shape[0], len(shape))


def tril_indices(n, k=0, m=None):
    """jnp.tril_indices: the indices of the lower triangle of an (n, m) array (diagonal offset k)."""
    return _index_arrays(np.tril_indices(operator.index(n), operator.index(k), None if m is None else operator.index(m)))


def triu_indices(n, k=0, m=None):
    """jnp.triu_indices: the indices of the upper triangle of an (n, m) array (diagonal offset k)."""
    return _index_arrays(np.triu_indices(operator.index(n), operator.index(k), None if m is None else operator.index(m)))


def tril_indices_from(arr, k=0):
    """jnp.tril_indices_from: tril_indices for the shape of a 2-d array."""
    if len(arr.shape) != 2:
        raise ValueError("jnp.tril_indices_from: the input array must be 2-d")
    return tril_indices(arr.shape[0], k, arr.shape[1])


def triu_indices_from(arr, k=0):
    """jnp.triu_indices_from: triu_indices for the shape of a 2-d array."""
    if len(arr.shape) != 2:
        raise ValueError("jnp.triu_indices_from: the input array must be 2-d")
    return triu_indices(arr.shape[0], k, arr.shape[1])


def ix_(*args):
    """jnp.ix_: an open mesh of 1-d index sequences (booleans become their nonzero positions)."""
    n = len(args)
    out = []
    for j, a in enumerate(args):
        kind, v = _classify(a)
        if kind == "mask":
            if v.ndim != 1:
                raise ValueError("jnp.ix_: boolean sequences must be 1-d")
            v = np.nonzero(v)[0].astype(dtypes.default_int_dtype())
        elif kind != "array":
            raise ValueError(f"jnp.ix_: each argument must be a 1-d integer or boolean sequence, got {a!r}")
        v = as_array(v)
        if v.ndim != 1:
            raise ValueError(f"jnp.ix_: cross index must be 1-d, got shape {v.shape}")
        out.append(lax_shape.reshape(v, (1,) * j + (v.shape[0],) + (1,) * (n - j - 1)))
    return tuple(out)


def static_slice(x, axis: int, start, stop, step: int = 1):
    """x[..., start:stop:step, ...] along one axis with static bounds (a helper for other jnp modules)."""
    x = as_array(x)
    axis = checked_axis("jnp.static_slice", axis, x.ndim)
    return _take(x, (builtins.slice(None),) * axis + (builtins.slice(start, stop, step),))


__all__ = [
    "take", "take_along_axis", "nonzero", "flatnonzero", "argwhere",
    "diag_indices", "diag_indices_from", "tril_indices", "triu_indices", "tril_indices_from",
    "triu_indices_from", "ix_",
]

METHODS = {
    "__getitem__": getitem,
    "_at_update": staticmethod(_at_update),
    "take": _take_method,
    "nonzero": _nonzero_method,
}
