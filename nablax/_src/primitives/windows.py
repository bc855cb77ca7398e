"""Window reductions: reduce_window_{sum,max,min}, and the two primitives max/min pooling
differentiates through, select_and_gather_add and select_and_scatter_add.

Every primitive takes XLA's window parameters: `window_dimensions`, `window_strides`,
`padding` ((low, high) per dimension, negative crops), `base_dilation` (holes between the
operand's elements) and `window_dilation` (holes between the window's taps). The kernels
loop over the window's taps (9 for a 3x3 window), never over output positions: each tap is
one strided slice of the padded operand, the size of the output, combined with one NumPy
ufunc call. For the small windows of CNNs that beats a reduction over a strided
`sliding_window_view` (measured: 2x2 max-pool of (32, 32, 32, 16) float32, 4 slices and 3
`maximum`s ~1.0 ms vs `sliding_window_view(...).max(...)` ~3.7 ms).

Max and min reduce one axis at a time instead (exact for them, so the same bits): a 2x2
window is two `maximum`s, the first over whole rows. Masked writes (the pooling gradients)
multiply the mask into the value's bit pattern: np.where and masked copies branch per
element and mispredict on the random masks of pooling (`_select`).

Max and min pooling choose one element per window: the first tap (in row-major window
order) that holds the extreme value, as XLA's `select` with `>=` / `<=`. Their tangent is
the chosen element's tangent (select_and_gather_add), their cotangent goes to the chosen
element, summed where windows overlap (select_and_scatter_add). Those two are linear in
their first operand and each other's transposes, so every order of derivative works.
reduce_window_sum is linear; its transpose is a reduce_window_sum of the interior-padded
cotangent (the window of ones is its own reflection).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .. import ad_util, ops
from ..avals import ShapedArray, Zero
from . import templates
from ._define import aval_of, define_primitive
from .bit_select import UNSIGNED
from .linalg_common import checked_eager
from .shape import _pad_impl
from .window_util import dilate_dim, window_out_dim

__all__ = ["reduce_window_sum_p", "reduce_window_max_p", "reduce_window_min_p", "select_and_gather_add_p",
           "select_and_scatter_add_p", "reduce_window_sum", "reduce_window_max", "reduce_window_min",
           "select_and_gather_add", "select_and_scatter_add"]

_PARAM_NAMES = ("window_dimensions", "window_strides", "padding", "base_dilation", "window_dilation")


# ------------------------------------------------------------------------------ shapes and checks

def _check_window(name: str, shape: tuple, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation) -> tuple:
    """The output shape, after JAX's checks (ValueError naming `lax.<name>` and the parameter)."""
    n = len(shape)
    for what, values in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                         ("padding", padding), ("base_dilation", base_dilation),
                         ("window_dilation", window_dilation)):
        if len(values) != n:
            raise TypeError(f"lax.{name}: {what} must have one entry per operand dimension ({n} for operand "
                            f"shape {shape}), got {tuple(values)}")
    for what, values in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                         ("base_dilation", base_dilation), ("window_dilation", window_dilation)):
        if any(v < 1 for v in values):
            raise TypeError(f"lax.{name}: {what} must be positive, got {tuple(values)}")
    return tuple(window_out_dim(d, w, s, p, b, r) for d, w, s, p, b, r in
                 zip(shape, window_dimensions, window_strides, padding, base_dilation, window_dilation))


def _out_aval(name: str, x: ShapedArray, kinds: str, **params) -> ShapedArray:
    if x.dtype.kind not in kinds:
        raise TypeError(f"lax.{name} does not accept dtype {x.dtype.name}")
    return ShapedArray(_check_window(name, x.shape, **params), x.dtype, x.weak_type)


# ------------------------------------------------------------------------------ the tap kernels

def _padded(x, fill, padding, base_dilation):
    """The operand with its base dilation (holes of `fill`) and padding (crops when negative)."""
    config = tuple((lo, hi, b - 1) for (lo, hi), b in zip(padding, base_dilation))
    if all(c == (0, 0, 0) for c in config):
        return x
    return _pad_impl(np, x, np.asarray(fill, x.dtype), padding_config=config)


def _tap_slices(out_shape, window_dimensions, window_strides, window_dilation):
    """For each tap of the window, in row-major order, the strided slice of the padded operand
    that holds that tap of every window."""
    for tap in itertools.product(*[range(w) for w in window_dimensions]):
        yield tuple(slice(t * r, t * r + s * (o - 1) + 1, s) if o else slice(0, 0)
                    for t, r, s, o in zip(tap, window_dilation, window_strides, out_shape))


def _extreme_fill(dtype, is_max: bool):
    if dtype.kind == "f":
        return -np.inf if is_max else np.inf
    if dtype.kind == "b":
        return not is_max
    info = np.iinfo(dtype)
    return info.min if is_max else info.max




def _select(mask: np.ndarray, values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """`where(mask, values, 0)`, into `out` when given. Without branches: on the random masks
    of pooling, np.where and masked copies mispredict (measured on 131K float32: 308 us,
    and copyto(where=) 724 us, vs 53 us here). The product of the mask and the value's bit
    pattern as an unsigned integer is exact (inf and nan included) and +0.0 elsewhere."""
    bits = UNSIGNED.get(values.dtype.itemsize)
    if bits is None:
        picked = np.where(mask, values, np.zeros((), values.dtype))
        if out is None:
            return picked
        out[...] = picked
        return out
    res = np.multiply(mask, values.view(bits), out=None if out is None else out.view(bits))
    return res.view(values.dtype)


def _axis_by_axis(padded, combine, out_shape, window_dimensions, window_strides, window_dilation):
    """The window reduction of an exact combine (maximum, minimum) one axis at a time: a 2x2
    window is 2 combines, the first over whole rows, where the taps take 1 copy and 3
    combines over runs of one pixel (measured, 2x2 max-pool of (32, 8, 8, 16) float32:
    10 vs 21 us; of (32, 32, 32, 16): 139 vs 176 us)."""
    out, combined = padded, False
    for axis, (w, s, r, o) in enumerate(zip(window_dimensions, window_strides, window_dilation, out_shape)):
        if w == 1 and s == 1:
            continue
        lead, span = (slice(None),) * axis, s * (o - 1) + 1 if o else 0
        acc = out[(*lead, slice(0, span, s))]
        for t in range(1, w):
            tap = out[(*lead, slice(t * r, t * r + span, s))]
            acc = combine(acc, tap) if t == 1 else combine(acc, tap, out=acc)
        out, combined = acc, combined or w > 1
    return np.ascontiguousarray(out) if combined else np.array(out, copy=True)


def _reduce_impl(combine, fill, exact: bool):
    """reduce_window's impl; `exact` combines (max, min) reduce axis by axis, a sum keeps the
    taps' order of additions."""
    def impl(xp, x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        x = np.asarray(x)
        out_shape = _check_window("reduce_window", x.shape, window_dimensions, window_strides, padding,
                                  base_dilation, window_dilation)
        value = fill(x.dtype)
        if math.prod(out_shape) == 0 or math.prod(window_dimensions) == 0:
            return np.full(out_shape, value, x.dtype)
        padded = _padded(x, value, padding, base_dilation)
        if exact:
            return _axis_by_axis(padded, combine, out_shape, window_dimensions, window_strides, window_dilation)
        taps = _tap_slices(out_shape, window_dimensions, window_strides, window_dilation)
        out = np.array(padded[next(taps)], dtype=x.dtype, copy=True)
        for where in taps:
            combine(out, padded[where], out=out)
        return out
    return impl


def _first_extreme(operand, params, is_max: bool):
    """The padded operand, and per tap of the window (in order) its slice and the mask of the
    windows whose first extreme element sits at that tap (so each window is chosen once)."""
    out_shape = _check_window("reduce_window", operand.shape, **params)
    padded = _padded(operand, _extreme_fill(operand.dtype, is_max), params["padding"], params["base_dilation"])
    taps = list(_tap_slices(out_shape, params["window_dimensions"], params["window_strides"],
                            params["window_dilation"]))
    best = _axis_by_axis(padded, np.maximum if is_max else np.minimum, out_shape, params["window_dimensions"],
                         params["window_strides"], params["window_dilation"])
    taken = None
    masks = []
    for i, where in enumerate(taps):
        mask = padded[where] == best
        if taken is None:
            taken = mask.copy()
        else:
            np.greater(mask, taken, out=mask)  # (for booleans: mask and not yet taken)
            if i < len(taps) - 1:
                taken |= mask
        masks.append((where, mask))
    return padded, masks


def _gather_impl(is_max: bool):
    def impl(xp, tangent, operand, **params):
        tangent, operand = np.asarray(tangent), np.asarray(operand)
        padded_t = _padded(tangent, 0, params["padding"], params["base_dilation"])
        _, masks = _first_extreme(operand, params, is_max)
        out = _select(masks[0][1], padded_t[masks[0][0]])
        bits = UNSIGNED.get(out.dtype.itemsize)
        for where, mask in masks[1:]:  # at most one tap per window is chosen: OR the bit patterns
            if bits is None:
                np.copyto(out, padded_t[where], where=mask)
            else:
                np.bitwise_or(out.view(bits), _select(mask, padded_t[where]).view(bits), out=out.view(bits))
        return out
    return impl


def _scatter_impl(is_max: bool):
    def impl(xp, source, operand, **params):
        source, operand = np.asarray(source), np.asarray(operand)
        padded, masks = _first_extreme(operand, params, is_max)
        acc = np.zeros(padded.shape, source.dtype)
        disjoint = all(s >= (w - 1) * r + 1 for s, w, r in zip(params["window_strides"], params["window_dimensions"],
                                                               params["window_dilation"]))
        for where, mask in masks:
            if disjoint:  # each position belongs to one window at most: write, don't add
                _select(mask, source, out=acc[where])
            else:
                acc[where] += _select(mask, source)
        if all(p == (0, 0) for p in params["padding"]) and all(b == 1 for b in params["base_dilation"]):
            return acc
        return _unpad(acc, operand.shape, params["padding"], params["base_dilation"])
    return impl


def _unpad(padded, shape, padding, base_dilation):
    """The inverse of `_padded` for a cotangent: the operand's own positions of `padded`; where
    the padding was negative (cropped), those positions get zero."""
    out = np.zeros(shape, padded.dtype)
    src, dst = [], []
    for d, (lo, _), b, size in zip(shape, padding, base_dilation, padded.shape):
        # operand element i sits at lo + i*b of the padded array; keep those inside it
        first = -(lo // b) if lo < 0 else 0
        last = min(d, (size - 1 - lo) // b + 1) if size else 0
        if last <= first:
            return out
        src.append(slice(lo + first * b, lo + (last - 1) * b + 1, b))
        dst.append(slice(first, last))
    out[tuple(dst)] = padded[tuple(src)]
    return out


# ------------------------------------------------------------------------------ calculus and vmap

def _batched_params(params):
    """The window parameters with a leading, untouched batch dimension."""
    return dict(window_dimensions=(1,) + tuple(params["window_dimensions"]),
                window_strides=(1,) + tuple(params["window_strides"]),
                padding=((0, 0),) + tuple(params["padding"]),
                base_dilation=(1,) + tuple(params["base_dilation"]),
                window_dilation=(1,) + tuple(params["window_dilation"]))


def _batch(prim):
    def rule(args, dims, **params):
        size = templates.batch_size(args, dims)
        return prim.bind(*[templates.bdim_to_front(a, d, size) for a, d in zip(args, dims)],
                         **_batched_params(params)), 0
    return rule


def _sum_transpose(ct, operand, **params):
    if type(ct) is Zero:
        return [Zero(operand.aval)]
    in_shape = operand.aval.shape
    config = []
    for d, w, s, (lo, _), b, r, o in zip(in_shape, params["window_dimensions"], params["window_strides"],
                                         params["padding"], params["base_dilation"], params["window_dilation"],
                                         aval_of(ct).shape):
        span, extent = dilate_dim(w, r), dilate_dim(d, b)
        before = span - lo - 1
        after = extent + span - 1 - dilate_dim(o, s) - before
        config.append((before, after, s - 1))
    padded = ops.pad(ct, np.zeros((), aval_of(ct).dtype), tuple(config))
    n = len(in_shape)
    return [reduce_window_sum(padded, params["window_dimensions"], params["base_dilation"], ((0, 0),) * n,
                              (1,) * n, params["window_dilation"])]


def _chooser_jvp(prim_of):
    def jvp(primals, tangents, **params):
        (x,), (t,) = primals, tangents
        out = prim_of().bind(x, **params)
        if type(t) is Zero:
            return out, Zero(aval_of(out).to_tangent_aval())
        gather = select_and_gather_add_p if prim_of() is reduce_window_max_p else _gather_min_p
        return out, gather.bind(t, x, **params)
    return jvp


def _operand_not_linear_jvp(prim_of):
    """JVP of a primitive linear in its first operand and locally constant in its second (the
    choice of element does not move under a small change of the operand)."""
    def jvp(primals, tangents, **params):
        (src, operand), (ts, _) = primals, tangents
        out = prim_of().bind(src, operand, **params)
        if type(ts) is Zero:
            return out, Zero(aval_of(out).to_tangent_aval())
        return out, prim_of().bind(ts, operand, **params)
    return jvp


def _pair_transpose(other_of):
    def transpose(ct, source, operand, **params):
        assert ad_util.is_undefined(source) and not ad_util.is_undefined(operand)
        if type(ct) is Zero:
            return [Zero(source.aval), None]
        return [other_of().bind(ct, operand, **params), None]
    return transpose


def _window_abstract(name: str, kinds: str):
    def abstract(x, **params):
        return _out_aval(name, x, kinds, **params)
    return abstract


def _pair_abstract(name: str, scatter: bool):
    def abstract(source, operand, **params):
        windows = _out_aval(name, operand, "biuf", **params).shape
        # scatter: one source value per window, onto the operand; gather: the reverse
        source_shape, result_shape = (windows, operand.shape) if scatter else (operand.shape, windows)
        if source.shape != source_shape:
            raise TypeError(f"lax.{name}: the {'source' if scatter else 'tangent'} has shape {source.shape}, "
                            f"expected {source_shape}")
        if source.dtype.kind not in "fc":
            raise TypeError(f"lax.{name} needs a floating source, got {source.dtype.name}")
        return ShapedArray(result_shape, source.dtype, source.weak_type)
    return abstract


def _define_reduce(name: str, kinds: str, impl, **rules):
    abstract = _window_abstract(name, kinds)
    prim = define_primitive(name, impl=impl, abstract_eval=abstract, eager=checked_eager(impl, abstract),
                            batch=None, sparsity="window", **rules)
    prim.batch = _batch(prim)
    return prim


reduce_window_sum_p = _define_reduce("reduce_window_sum", "iufc", _reduce_impl(np.add, lambda dt: 0, False),
                                     jvp="linear", linear=True, transpose=_sum_transpose)
reduce_window_max_p = _define_reduce("reduce_window_max", "biuf",
                                     _reduce_impl(np.maximum, lambda dt: _extreme_fill(dt, True), True),
                                     jvp=_chooser_jvp(lambda: reduce_window_max_p))
reduce_window_min_p = _define_reduce("reduce_window_min", "biuf",
                                     _reduce_impl(np.minimum, lambda dt: _extreme_fill(dt, False), True),
                                     jvp=_chooser_jvp(lambda: reduce_window_min_p))


def _define_pair(name: str, is_max: bool, scatter: bool, jvp, transpose):
    impl = (_scatter_impl if scatter else _gather_impl)(is_max)
    abstract = _pair_abstract(name, scatter)
    prim = define_primitive(name, impl=impl, abstract_eval=abstract, eager=checked_eager(impl, abstract),
                            batch=None, jvp=jvp, linear=True, transpose=transpose,
                            sparsity="window_scatter" if scatter else "window")
    prim.batch = _batch(prim)
    return prim


# The max-pool pair carries JAX's names; the min-pool pair is the same with `<=`.
select_and_gather_add_p = _define_pair("select_and_gather_add", True, False,
                                       _operand_not_linear_jvp(lambda: select_and_gather_add_p),
                                       _pair_transpose(lambda: select_and_scatter_add_p))
select_and_scatter_add_p = _define_pair("select_and_scatter_add", True, True,
                                        _operand_not_linear_jvp(lambda: select_and_scatter_add_p),
                                        _pair_transpose(lambda: select_and_gather_add_p))
_gather_min_p = _define_pair("select_and_gather_add_min", False, False,
                             _operand_not_linear_jvp(lambda: _gather_min_p),
                             _pair_transpose(lambda: _scatter_min_p))
_scatter_min_p = _define_pair("select_and_scatter_add_min", False, True,
                              _operand_not_linear_jvp(lambda: _scatter_min_p),
                              _pair_transpose(lambda: _gather_min_p))


# ------------------------------------------------------------------------------ wrappers

def _params(operand_ndim, window_dimensions, window_strides, padding, base_dilation, window_dilation) -> dict:
    n = operand_ndim
    return dict(window_dimensions=tuple(int(v) for v in window_dimensions),
                window_strides=tuple(int(v) for v in window_strides),
                padding=tuple((int(lo), int(hi)) for lo, hi in padding),
                base_dilation=tuple(int(v) for v in base_dilation) if base_dilation is not None else (1,) * n,
                window_dilation=tuple(int(v) for v in window_dilation) if window_dilation is not None else (1,) * n)


def _ndim(x) -> int:
    return len(aval_of(x).shape)


def _unary_wrapper(prim, doc: str):
    def op(operand, window_dimensions, window_strides, padding, base_dilation=None, window_dilation=None):
        return prim.bind(operand, **_params(_ndim(operand), window_dimensions, window_strides, padding,
                                            base_dilation, window_dilation))
    op.__name__ = op.__qualname__ = prim.name
    op.__doc__ = doc
    return op


def _pair_wrapper(prim, doc: str):
    def op(source, operand, window_dimensions, window_strides, padding, base_dilation=None, window_dilation=None):
        return prim.bind(source, operand, **_params(_ndim(operand), window_dimensions, window_strides, padding,
                                                    base_dilation, window_dilation))
    op.__name__ = op.__qualname__ = prim.name
    op.__doc__ = doc
    return op


reduce_window_sum = _unary_wrapper(reduce_window_sum_p, "The sum over each window; `padding` as (low, high) pairs.")
reduce_window_max = _unary_wrapper(reduce_window_max_p, "The maximum over each window (padding counts as -inf).")
reduce_window_min = _unary_wrapper(reduce_window_min_p, "The minimum over each window (padding counts as +inf).")
select_and_gather_add = _pair_wrapper(select_and_gather_add_p,
                                      "Per window, the first operand at the position of `operand`'s first maximum.")
select_and_scatter_add = _pair_wrapper(select_and_scatter_add_p,
                                       "Each window's source value added at the position of `operand`'s first maximum.")
