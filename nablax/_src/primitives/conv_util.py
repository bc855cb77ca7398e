"""Convolution bookkeeping on static shapes: dimension numbers, padding and output shapes.

Plain Python, no primitive: `conv.py` and the lax wrappers share it. A dimension-numbers
spec lists axis indices as (batch, feature, spatial...) for lhs and output and as
(out feature, in feature, spatial...) for rhs; spatial axes of lhs and output are
ordered as the kernel's spatial letters appear in the rhs string (as JAX does).
"""
from __future__ import annotations

import operator
from typing import NamedTuple, Sequence

import numpy as np

from .window_util import dilate_dim, padtype_to_pads, window_out_dim


class ConvDimensionNumbers(NamedTuple):
    """Axis indices of a convolution: lhs_spec and out_spec are (batch, feature, spatial...),
    rhs_spec is (out feature, in feature, spatial...)."""
    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


def conv_general_permutations(dimension_numbers) -> tuple:
    """The (lhs, rhs, out) axis permutations of a string triple such as ('NHWC', 'HWIO', 'NHWC')."""
    lhs_s, rhs_s, out_s = dimension_numbers
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(pairs):
        spec = dimension_numbers[i]
        if spec.count(a) != 1 or spec.count(b) != 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters '{a}' and '{b}' "
                            f"exactly once, got {spec}.")
        if len(set(spec)) != len(spec):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, got {spec}.")
    spatial = [set(s) - set(p) for s, p in zip(dimension_numbers, pairs)]
    if not spatial[0] == spatial[1] == spatial[2]:
        raise TypeError("convolution dimension_numbers elements must each have the same set of spatial "
                        f"characters, got {tuple(dimension_numbers)}.")

    def perm(spec, pair):
        sp = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_s:
            sp.sort(key=lambda i: rhs_s.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(sp)

    return tuple(perm(s, p) for s, p in zip(dimension_numbers, pairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """None, a string triple or a ConvDimensionNumbers, as a ConvDimensionNumbers of axis indices."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return ConvDimensionNumbers(*(tuple(operator.index(i) for i in s) for s in dimension_numbers))
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and "
                        f"{len(rhs_shape)} (shapes {tuple(lhs_shape)} and {tuple(rhs_shape)}).")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)):
        raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got {type(dimension_numbers)}.")
    if len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got {len(dimension_numbers)}.")
    if not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError("convolution dimension_numbers elements must be strings, got "
                        f"{tuple(type(s) for s in dimension_numbers)}.")
    for i, s in enumerate(dimension_numbers):
        if len(s) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the ndim of lhs and rhs, "
                            f"got {len(s)} for lhs and rhs shapes {tuple(lhs_shape)} and {tuple(rhs_shape)}.")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def check_spec(dnums: ConvDimensionNumbers, ndim: int) -> None:
    """ValueError unless each spec is a permutation of range(ndim)."""
    for name, spec in zip(ConvDimensionNumbers._fields, dnums):
        if sorted(spec) != list(range(ndim)):
            raise ValueError(f"convolution dimension_numbers.{name} must be a permutation of range({ndim}), "
                             f"got {spec}")


def normalize_padding(padding, lhs_spatial, rhs_spatial, window_strides, rhs_dilation) -> tuple:
    """Explicit ((lo, hi), ...) pairs from a padding string or a sequence of pairs."""
    n = len(lhs_spatial)
    if isinstance(padding, str):
        window = [dilate_dim(k, r) for k, r in zip(rhs_spatial, rhs_dilation)]
        return tuple(padtype_to_pads(lhs_spatial, window, window_strides, padding))
    try:
        pads = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise ValueError("padding argument to conv_general_dilated should be a string or a sequence of "
                         f"(low, high) pairs, got {padding!r}") from None
    if len(pads) != n:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {n}, got {len(pads)}.")
    return pads


def int_tuple(what: str, value, n: int, positive: bool = True) -> tuple:
    """`value` (None: all ones) as a tuple of n ints; ValueError/TypeError naming `what` otherwise."""
    if value is None:
        return (1,) * n
    try:
        out = tuple(operator.index(v) for v in value)
    except TypeError:
        raise TypeError(f"lax.conv_general_dilated: {what} must be a sequence of ints, got {value!r}") from None
    if len(out) != n:
        raise ValueError(f"conv_general_dilated {what} must have {n} entries (one per spatial dimension), "
                         f"got {len(out)}: {value!r}")
    if positive and any(v <= 0 for v in out):
        raise (TypeError if "dilation" in what else ValueError)(
            f"lax.conv_general_dilated: all {what} must be positive, got {out}.")
    return out


def out_spatial(lhs_spatial, rhs_spatial, window_strides, padding, lhs_dilation, rhs_dilation) -> tuple:
    """The output's spatial sizes (0 where the dilated window does not fit)."""
    return tuple(window_out_dim(n, k, s, p, ld, rd) for n, k, s, p, ld, rd in
                 zip(lhs_spatial, rhs_spatial, window_strides, padding, lhs_dilation, rhs_dilation))


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count: int = 1) -> tuple:
    """Output shape of a convolution in canonical (NCHW, OIHW) order with explicit or string padding."""
    lhs_shape, rhs_shape = tuple(lhs_shape), tuple(rhs_shape)
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, "
                        f"got {len(pads)}.")
    padded = [n + lo + hi for n, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(p < 0 for p in padded):
        raise ValueError("Negative padding is larger than the size of the corresponding dimension: "
                         f"got padding={tuple(pads)} for lhs_shape[2:]={lhs_shape[2:]}")
    space = tuple(window_out_dim(p, k, s, (0, 0)) for p, k, s in zip(padded, rhs_shape[2:], strides))
    return (lhs_shape[0] // batch_group_count, rhs_shape[0]) + space


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers) -> tuple:
    """Output shape of conv_general_dilated (no dilation) for string dimension numbers."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple([lhs_shape[i] for i in lp], [rhs_shape[i] for i in rp], window_strides, padding)
    return tuple(out[i] for i in np.argsort(op))


def conv_transpose_padding(k: int, s: int, padding) -> tuple:
    """(before, after) padding of the dilated input of conv_transpose for one spatial dimension,
    given the forward conv's padding ('SAME', 'VALID' or a (lo, hi) pair), kernel extent k, stride s."""
    if padding == "SAME":
        total = k + s - 2
        before = k - 1 if s > k - 1 else -(-total // 2)
    elif padding == "VALID":
        total = k + s - 2 + max(k - s, 0)
        before = k - 1
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        before, after = k - padding[0] - 1, k - padding[1] - 1
        total = before + after
    else:
        raise ValueError(f"Invalid padding mode for conv_transpose: {padding!r}; use 'SAME', 'VALID' or "
                         "(low, high) pairs")
    return before, total - before


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers) -> tuple:
    """Output shape of conv_transpose for string dimension numbers."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    lt, rt = [lhs_shape[i] for i in lp], [rhs_shape[i] for i in rp]
    if isinstance(padding, str):
        padding = [conv_transpose_padding(k, s, padding) for k, s in zip(rt[2:], window_strides)]
    space = [(i - 1) * s - k + 2 + sum(p) for i, k, s, p in zip(lt[2:], rt[2:], window_strides, padding)]
    out = (lt[0], rt[0]) + tuple(space)
    return tuple(out[i] for i in np.argsort(op))


__all__ = ["ConvDimensionNumbers", "conv_dimension_numbers", "conv_general_permutations", "conv_shape_tuple",
           "conv_general_shape_tuple", "conv_transpose_shape_tuple"]
