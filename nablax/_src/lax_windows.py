"""lax.reduce and lax.reduce_window with any monoid, written on the window primitives.

A known monoid with its identity as the initial value (lax.add with 0, lax.max with -inf or
the dtype's minimum, lax.min with +inf or its maximum, lax.mul with 1, the bitwise and/or)
becomes its primitive. Anything else runs the user's function on lax values, so it is
differentiable, batchable and jittable with no new primitive: reduce_window pads the
operand with the initial value and folds the window's taps (one strided slice each) into
an accumulator that starts at the initial value; reduce folds halves of the flattened
reduced axes pairwise (log2(n) calls), then combines the result once with the initial
value. Operands may be pytrees (several arrays reduced together, as a variadic reduce).
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Sequence

import numpy as np

from . import lax_api
from .array import Array
from .core import lift_aval
from .primitives import elementwise as ew
from .primitives import shape as sh
from .primitives import windows
from .primitives.window_util import padtype_to_pads, window_out_dim
from .tree import tree_flatten, tree_unflatten

__all__ = ["reduce_window", "reduce_window_shape_tuple", "reduce"]


def _concrete_scalar(x) -> Any:
    """The Python value of a concrete scalar, or None for a tracer / non-scalar."""
    if isinstance(x, Array) or isinstance(x, (int, float, bool, np.number, np.ndarray, np.bool_)):
        value = np.asarray(x)
        return value.item() if value.shape == () else None
    return None


def _is(fn, *candidates) -> bool:
    return any(fn is c for c in candidates)


def _identity_of(computation: Callable, dtype: np.dtype) -> tuple[str, Any] | None:
    """(monoid name, its identity) when `computation` is a known monoid for `dtype`."""
    if _is(computation, lax_api.add, ew.add):
        return "sum", 0
    if _is(computation, lax_api.mul, ew.mul):
        return "prod", 1
    if _is(computation, lax_api.max, ew.max):
        return "max", (-np.inf if dtype.kind == "f" else False if dtype.kind == "b" else np.iinfo(dtype).min)
    if _is(computation, lax_api.min, ew.min):
        return "min", (np.inf if dtype.kind == "f" else True if dtype.kind == "b" else np.iinfo(dtype).max)
    if _is(computation, lax_api.bitwise_and, ew.bitwise_and) and dtype.kind == "b":
        return "and", True
    if _is(computation, lax_api.bitwise_or, ew.bitwise_or) and dtype.kind == "b":
        return "or", False
    return None


def _known_monoid(computation, operands, inits) -> str | None:
    if len(operands) != 1:
        return None
    dtype = lift_aval(operands[0]).dtype
    found = _identity_of(computation, dtype)
    init = _concrete_scalar(inits[0])
    if found is None or init is None or init != found[1]:
        return None
    return found[0]


def _flat_operands(name: str, operands, init_values):
    flat_ops, tree = tree_flatten(operands)
    flat_inits, init_tree = tree_flatten(init_values)
    if init_tree != tree:
        raise TypeError(f"lax.{name}: operands and init_values must have the same structure, got {tree} "
                        f"and {init_tree}")
    if not flat_ops:
        raise TypeError(f"lax.{name} needs at least one operand")
    shapes = {tuple(lift_aval(o).shape) for o in flat_ops}
    if len(shapes) != 1:
        raise TypeError(f"lax.{name}: all operands must have the same shape, got {sorted(shapes)}")
    return flat_ops, flat_inits, tree


def _combine(computation, tree, acc: list, new: list) -> list:
    out = computation(tree_unflatten(tree, acc), tree_unflatten(tree, new))
    flat, out_tree = tree_flatten(out)
    if out_tree != tree:
        raise TypeError(f"the reduction computation must return the operands' structure {tree}, got {out_tree}")
    return flat


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding, base_dilation=None,
                              window_dilation=None) -> tuple:
    """The output shape of reduce_window; `padding` as (low, high) pairs."""
    n = len(operand_shape)
    base_dilation = base_dilation or (1,) * n
    window_dilation = window_dilation or (1,) * n
    return tuple(window_out_dim(d, w, s, tuple(p), b, r) for d, w, s, p, b, r in
                 zip(operand_shape, window_dimensions, window_strides, padding, base_dilation, window_dilation))


def reduce_window(operand, init_value, computation: Callable, window_dimensions: Sequence[int],
                  window_strides: Sequence[int], padding, base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None):
    """Reduce each window of `operand` with `computation`, starting from `init_value` (also the
    padding value). `padding` is 'SAME', 'SAME_LOWER', 'VALID' or (low, high) pairs."""
    flat_ops, flat_inits, tree = _flat_operands("reduce_window", operand, init_value)
    shape = tuple(lift_aval(flat_ops[0]).shape)
    n = len(shape)
    window_dimensions = tuple(int(w) for w in window_dimensions)
    window_strides = tuple(int(s) for s in window_strides) if window_strides is not None else (1,) * n
    window_dilation = tuple(window_dilation) if window_dilation is not None else (1,) * n
    base_dilation = tuple(base_dilation) if base_dilation is not None else (1,) * n
    if len(window_dimensions) != n:
        raise TypeError(f"lax.reduce_window: window_dimensions {window_dimensions} must have one entry per "
                        f"operand dimension ({n} for shape {shape})")
    if isinstance(padding, str):
        spans = [1 + r * (w - 1) for w, r in zip(window_dimensions, window_dilation)]
        padding = padtype_to_pads(shape, spans, window_strides, padding)
    padding = tuple((int(lo), int(hi)) for lo, hi in padding)
    params = (window_dimensions, window_strides, padding, base_dilation, window_dilation)
    monoid = _known_monoid(computation, flat_ops, flat_inits)
    if monoid in ("sum", "max", "min"):
        prim = {"sum": windows.reduce_window_sum, "max": windows.reduce_window_max,
                "min": windows.reduce_window_min}[monoid]
        return tree_unflatten(tree, [prim(flat_ops[0], *params)])
    out_shape = windows._check_window("reduce_window", shape, *params)
    padded = []
    for x, init in zip(flat_ops, flat_inits):
        init = ew.convert_element_type(init, lift_aval(x).dtype) if not hasattr(init, "aval") else init
        config = tuple((lo, hi, b - 1) for (lo, hi), b in zip(padding, base_dilation))
        padded.append(sh.pad(x, init, config))
    acc = [sh.broadcast_in_dim(ew.convert_element_type(i, lift_aval(x).dtype), out_shape, ())
           for i, x in zip(flat_inits, flat_ops)]
    for tap in itertools.product(*[range(w) for w in window_dimensions]):
        start = [t * r for t, r in zip(tap, window_dilation)]
        limit = [s0 + s * (o - 1) + 1 if o else s0 for s0, s, o in zip(start, window_strides, out_shape)]
        taps = [sh.slice(p, start, limit, window_strides) for p in padded]
        acc = _combine(computation, tree, acc, taps)
    return tree_unflatten(tree, acc)


_AXIS_REDUCTIONS = {"sum": lax_api.reduce_sum, "prod": lax_api.reduce_prod, "max": lax_api.reduce_max,
                    "min": lax_api.reduce_min, "and": lax_api.reduce_and, "or": lax_api.reduce_or}


def reduce(operands, init_values, computation: Callable, dimensions: Sequence[int]):
    """Reduce `operands` over `dimensions` with the monoid `computation` and its identity
    `init_values` (pytrees of one structure)."""
    flat_ops, flat_inits, tree = _flat_operands("reduce", operands, init_values)
    shape = tuple(lift_aval(flat_ops[0]).shape)
    dims = tuple(int(d) for d in dimensions)
    if any(not 0 <= d < len(shape) for d in dims) or len(set(dims)) != len(dims):
        raise ValueError(f"lax.reduce: dimensions {dims} must be distinct and in range for operand shape {shape}")
    monoid = _known_monoid(computation, flat_ops, flat_inits)
    if monoid is not None:
        return tree_unflatten(tree, [_AXIS_REDUCTIONS[monoid](flat_ops[0], dims)])
    kept = [d for d in range(len(shape)) if d not in dims]
    count = math.prod(shape[d] for d in dims)
    rows = [sh.reshape(sh.transpose(x, tuple(kept + list(dims))), tuple(shape[d] for d in kept) + (count,))
            for x in flat_ops]
    inits = [ew.convert_element_type(i, lift_aval(x).dtype) for i, x in zip(flat_inits, flat_ops)]
    width = 1 << max(0, (count - 1).bit_length())
    if width != count or count == 0:  # pad with the identity to a power of two
        rows = [sh.pad(r, i, ((0, 0, 0),) * len(kept) + ((0, width - count, 0),)) for r, i in zip(rows, inits)]
    while width > 1:
        width //= 2
        lo = [sh.slice_in_dim(r, 0, width, axis=len(kept)) for r in rows]
        hi = [sh.slice_in_dim(r, width, 2 * width, axis=len(kept)) for r in rows]
        rows = _combine(computation, tree, lo, hi)
    folded = [sh.reshape(r, tuple(shape[d] for d in kept)) for r in rows]
    kept_shape = tuple(shape[d] for d in kept)
    start = [sh.broadcast_in_dim(i, kept_shape, ()) for i in inits]
    return tree_unflatten(tree, _combine(computation, tree, start, folded))
