"""jnp.pad: NumPy's padding modes, written with lax.pad (constant), static gathers, ramps and reductions.

Every mode works axis by axis, as NumPy's does (so the corners of later axes see the padding
of earlier ones). The index modes (edge, wrap, reflect, symmetric) are one gather per axis
whose index map is NumPy's own padding of `arange(n)`, so they are differentiable and jit
like any indexing; the statistic modes reduce the first / last `stat_length` entries.
"""
from __future__ import annotations

import builtins
from typing import Callable

import numpy as np

from .. import dtypes
from ..primitives import elementwise as ew
from ..primitives import indexing as lax_ix
from ..primitives import reductions as lax_red
from ..primitives import shape as lax_shape
from ..primitives.misc import convert_element_type
from . import sorting, ufuncs
from .promotion import as_array, check_arraylike

_INDEX_MODES = ("edge", "wrap", "reflect", "symmetric")
_STAT_MODES = ("maximum", "minimum", "mean", "median")
# the keyword arguments each mode accepts (others are a ValueError, as in JAX)
_MODE_KWARGS = {"constant": ("constant_values",), "empty": (), "edge": (), "wrap": (), "reflect": ("reflect_type",),
                "symmetric": ("reflect_type",), "linear_ramp": ("end_values",), "maximum": ("stat_length",),
                "minimum": ("stat_length",), "mean": ("stat_length",), "median": ("stat_length",)}


def _pairs(what: str, value, ndim: int, integral: bool) -> np.ndarray:
    """`value` (a scalar, (v,), (before, after) or one pair per axis) as an (ndim, 2) array."""
    arr = np.asarray(value)
    if integral:
        if arr.dtype.kind not in "iu":
            raise TypeError(f"jnp.pad: `{what}` must be of integral type, got {value!r}")
        if np.any(arr < 0):
            raise ValueError(f"jnp.pad: {what} can't contain negative values, got {value!r}")
    if arr.shape not in ((), (1,), (2,), (1, 1), (1, 2), (2, 1), (ndim, 1), (ndim, 2)) or arr.ndim > 2:
        raise ValueError(f"jnp.pad: {what} with nd={ndim} has unsupported shape {arr.shape}. Valid shapes are "
                         f"({ndim}, 2), (1, 2), (2,), (1,), or ().")
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    return np.broadcast_to(arr, (ndim, 2))


def _along(a, axis: int, idx: np.ndarray):
    """a[..., idx, ...] along `axis` for a static in-range index array."""
    return lax_ix.gather(a, (builtins.slice(None),) * axis + (idx.astype(np.int32),))


def _constant(a, widths: np.ndarray, values):
    dt = a.dtype
    if isinstance(values, (int, float, complex, bool)) or np.ndim(values) == 0:
        pv = as_array(values)
        pv = convert_element_type(pv, dt) if pv.dtype != dt else pv
        return lax_shape.pad(a, pv, [(int(b), int(e), 0) for b, e in widths])
    vals = _pairs("constant_values", values, a.ndim, integral=False)
    for axis, ((b, e), (vb, ve)) in enumerate(zip(widths, vals)):
        for width, value, before in ((b, vb, True), (e, ve, False)):
            if width:
                config = [(0, 0, 0)] * a.ndim
                config[axis] = (int(width), 0, 0) if before else (0, int(width), 0)
                a = lax_shape.pad(a, convert_element_type(as_array(value), dt), config)
    return a


def _odd_step(a, axis: int, before: int, after: int, mode: str):
    """One step of NumPy's odd reflection (widths within one period): 2 * edge - even reflection."""
    n = a.shape[axis]
    idx = np.arange(n)
    even = _along(a, axis, np.pad(idx, (before, after), mode=mode))
    edge = _along(a, axis, np.pad(idx, (before, after), mode="edge"))
    mask = np.zeros(n + before + after, bool)
    mask[:before] = True
    mask[n + before:] = True
    mask = mask.reshape((1,) * axis + (-1,) + (1,) * (a.ndim - axis - 1))
    return ew.select_n(as_array(mask), even, ew.sub(ew.add(edge, edge), even))


def _index_mode(a, widths: np.ndarray, mode: str, reflect_type: str):
    for axis, (b, e) in enumerate(widths):
        b, e = int(b), int(e)
        n = a.shape[axis]
        if not (b or e):
            continue
        if n == 0:
            raise ValueError(f"jnp.pad: cannot apply {mode!r} padding to an empty axis (axis {axis})")
        if reflect_type != "odd" or mode not in ("reflect", "symmetric") or (mode == "reflect" and n == 1):
            a = _along(a, axis, np.pad(np.arange(n), (b, e), mode=mode))
            continue
        # odd: NumPy reflects at most one period at a time, about the current edge
        while b or e:
            period = a.shape[axis] - (mode == "reflect")
            step_b, step_e = builtins.min(b, period), builtins.min(e, period)
            a = _odd_step(a, axis, step_b, step_e, mode)
            b, e = b - step_b, e - step_e
    return a


def _stat(a, axis: int, start: int, stop: int, mode: str):
    part = lax_shape.slice_in_dim(a, start, stop, axis=axis)
    if mode == "maximum":
        return lax_red.reduce_max(part, (axis,))
    if mode == "minimum":
        return lax_red.reduce_min(part, (axis,))
    if mode == "median":
        med = sorting.median(part, axis=axis)
        return convert_element_type(ufuncs.rint(med), a.dtype) if a.dtype.kind in "iub" else med.astype(a.dtype)
    if a.dtype.kind in "iub":
        s = lax_red.reduce_sum(convert_element_type(part, np.float64 if a.dtype.itemsize > 4 else np.float32), (axis,))
        return convert_element_type(ufuncs.rint(ew.div(s, float(stop - start))), a.dtype)
    return ew.div(lax_red.reduce_sum(part, (axis,)), as_array(np.asarray(stop - start, a.dtype)))


def _stat_mode(a, widths: np.ndarray, mode: str, stat_length):
    lengths = None if stat_length is None else _pairs("stat_length", stat_length, a.ndim, integral=True)
    for axis, (b, e) in enumerate(widths):
        n = a.shape[axis]
        if not (b or e):
            continue
        if n == 0:
            raise ValueError(f"jnp.pad: cannot apply {mode!r} padding to an empty axis (axis {axis})")
        lb, le = (n, n) if lengths is None else (builtins.max(builtins.min(int(v), n), 1) for v in lengths[axis])
        kept = tuple(i for i in range(a.ndim) if i != axis)

        def block(width, start, stop, a=a, axis=axis, kept=kept):
            shape = list(a.shape)
            shape[axis] = int(width)
            return lax_shape.broadcast_in_dim(_stat(a, axis, start, stop, mode), tuple(shape), kept)

        pieces = ([block(b, 0, lb)] if b else []) + [a] + ([block(e, n - le, n)] if e else [])
        a = lax_shape.concatenate(pieces, axis)
    return a


def _linear_ramp(a, widths: np.ndarray, end_values):
    """Ramps from end_values (per axis and side) towards the edge value, edge excluded."""
    scalar = isinstance(end_values, (int, float, bool)) or np.ndim(end_values) == 0  # (may be traced)
    ends = [(end_values, end_values)] * a.ndim if scalar else _pairs("end_values", end_values, a.ndim, integral=False)
    wide = a.dtype if dtypes.is_inexact(a.dtype) else np.dtype(np.float64 if a.dtype.itemsize > 4 else np.float32)
    for axis, ((b, e), (vb, ve)) in enumerate(zip(widths, ends)):
        pieces = [a]
        for width, value, before in ((int(b), vb, True), (int(e), ve, False)):
            if not width:
                continue
            edge = convert_element_type(lax_shape.slice_in_dim(a, 0 if before else a.shape[axis] - 1,
                                                               1 if before else a.shape[axis], axis=axis), wide)
            start = convert_element_type(as_array(value), wide)
            # JAX's linspace: start * (1 - t) + edge * t with t = k / width in the ramp's dtype
            frac = np.arange(width, dtype=wide) / np.asarray(width, wide)
            frac = (frac if before else frac[::-1]).reshape((1,) * axis + (-1,) + (1,) * (a.ndim - axis - 1))
            ramp = ew.add(ew.mul(start, as_array(1 - frac)), ew.mul(edge, as_array(frac)))
            ramp = convert_element_type(ufuncs.floor(ramp), a.dtype) if a.dtype.kind in "iub" else ramp
            pieces.insert(0 if before else len(pieces), ramp)
        a = lax_shape.concatenate(pieces, axis)
    return a


def _callable_mode(a, widths: np.ndarray, func: Callable, kwargs: dict):
    """NumPy's function mode: zero padding, then func(vector, (before, after), axis, kwargs) on
    every 1-D slice along each axis in turn (vmapped), returning the padded vector."""
    from .functional import apply_along_axis
    a = _constant(a, widths, 0)
    for axis in range(a.ndim):
        pair = (int(widths[axis][0]), int(widths[axis][1]))
        a = apply_along_axis(lambda v, axis=axis, pair=pair: func(v, pair, axis, kwargs), axis, a)
    return a


def pad(array, pad_width, mode="constant", **kwargs):
    """jnp.pad: `array` padded by `pad_width` (an int, (before, after), or one pair per axis).

    Modes: 'constant' (constant_values: a scalar or pairs per axis), 'empty' (zeros), 'edge',
    'wrap', 'reflect' and 'symmetric' (reflect_type 'even' or 'odd'), 'linear_ramp' (towards
    end_values), 'maximum', 'minimum', 'mean' and 'median' (over stat_length entries, default
    the whole axis; integer results round half to even), or a function
    f(vector, (before, after), axis, kwargs) -> padded vector, given the other keywords.
    """
    check_arraylike("pad", array)
    a = as_array(array)
    try:
        widths = _pairs("pad_width", pad_width, a.ndim, integral=True)
    except TypeError:
        raise TypeError(f"jnp.pad: `pad_width` must be of integral type, got {pad_width!r}") from None
    if callable(mode):
        return _callable_mode(a, widths, mode, kwargs)
    if mode not in _MODE_KWARGS:
        raise NotImplementedError(f"Unimplemented padding mode {mode!r} for np.pad (nablax supports "
                                  f"{', '.join(_MODE_KWARGS)} and callables).")
    unsupported = set(kwargs) - set(_MODE_KWARGS[mode])
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    reflect_type = kwargs.get("reflect_type", "even")
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"jnp.pad: reflect_type must be 'even' or 'odd', got {reflect_type!r}")
    if a.ndim == 0 or not widths.any():
        return a
    if mode in ("constant", "empty"):
        return _constant(a, widths, 0 if mode == "empty" else kwargs.get("constant_values", 0))
    if mode in _INDEX_MODES:
        return _index_mode(a, widths, mode, reflect_type)
    if mode == "linear_ramp":
        return _linear_ramp(a, widths, kwargs.get("end_values", 0))
    return _stat_mode(a, widths, mode, kwargs.get("stat_length"))


__all__ = ["pad"]

METHODS: dict = {}  # (no Array methods)
