"""XLA-style lax.gather and the scatter family (GatherDimensionNumbers /
ScatterDimensionNumbers), scatter_sub, scatter_apply and index_take.

nablax's gather/scatter primitives take a NumPy-shaped index (see primitives/indexing.py).
The XLA form maps onto them: every operand axis gets one integer index array, broadcast to
`batch shape + full window shape` (start + iota for an indexed axis, iota for a window axis,
the batch position for a batching axis), so the primitive's result is the gathered windows
in that layout; collapsing and transposing gives XLA's output. Out-of-range windows follow
GatherScatterMode: CLIP clamps the start so the window fits, FILL_OR_DROP fills a gathered
window / drops a scattered one if any part of it is out of range, PROMISE_IN_BOUNDS clamps
(gather; the gradient of an out-of-range window is dropped, as JAX's) or drops (scatter),
as XLA does. Called without dimension numbers, gather and the
scatters are nablax's NumPy-style ones. Gradients and vmap come from the primitives.
"""
from __future__ import annotations

import builtins
import operator
from typing import Callable, Sequence

import numpy as np

from . import dtypes
from .core import lift_aval
from .lax_extras_types import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from .primitives import elementwise as ew
from .primitives import indexing as ix
from .primitives import misc, reductions
from .primitives import shape as sh


def _ints(x) -> tuple:
    return tuple(operator.index(v) for v in x)


def _mode(mode) -> GatherScatterMode:
    parsed = GatherScatterMode.from_any(mode)
    if parsed is GatherScatterMode.ONE_HOT:
        raise NotImplementedError("GatherScatterMode.ONE_HOT is not supported by nablax's gather/scatter")
    return parsed


def _window_indices(name, operand_shape, indices, start_index_map, window, operand_batching_dims,
                    indices_batching_dims, clamp: bool):
    """(index arrays, each of shape batch + window, one per operand axis; the in-range mask of
    shape batch + (1,) * rank, or None when every window is clamped into range)."""
    ia = lift_aval(indices)
    if ia.dtype.kind not in "iu":
        raise TypeError(f"lax.{name}: indices must have an integer dtype, got {ia.dtype.name}")
    if ia.ndim < 1:
        raise TypeError(f"lax.{name}: indices must have rank >= 1 (the last axis is the index vector)")
    batch = tuple(ia.shape[:-1])
    rank = len(operand_shape)
    if ia.shape[-1] != len(start_index_map):
        raise TypeError(f"lax.{name}: the index vector size {ia.shape[-1]} must equal len(start_index_map) = "
                        f"{len(start_index_map)}")
    full_shape = batch + tuple(window)
    nb = len(batch)
    dt = ia.dtype
    arrays, valid = [], None
    for d in range(rank):
        if d in start_index_map:
            k = start_index_map.index(d)
            s = sh.reshape(sh.slice_in_dim(indices, k, k + 1, 1, nb), batch + (1,) * rank)
            hi = operand_shape[d] - window[d]
            if not clamp:
                ok = ew.bitwise_and(ew.ge(s, 0), ew.le(s, hi)) if dt.kind == "i" else ew.le(s, hi)
                valid = ok if valid is None else ew.bitwise_and(valid, ok)
            s = ew.clamp(np.zeros((), dt), s, np.asarray(builtins.max(hi, 0), dt))
            idx = ew.add(s, misc.broadcasted_iota(dt, (1,) * nb + tuple(window), nb + d))
        elif d in operand_batching_dims:
            b = indices_batching_dims[operand_batching_dims.index(d)]
            idx = misc.broadcasted_iota(dt, batch + (1,) * rank, b)
        else:
            idx = misc.broadcasted_iota(dt, (1,) * nb + tuple(window), nb + d)
        arrays.append(sh.broadcast_in_dim(idx, full_shape, tuple(range(len(full_shape)))))
    return arrays, valid


def _check_sorted_in_range(name, what, dims, bound) -> None:
    if list(dims) != sorted(set(dims)) or builtins.any(not 0 <= d < bound for d in dims):
        raise TypeError(f"lax.{name}: {what} must be sorted, unique and in [0, {bound}), got {tuple(dims)}")


def _spec(rank: int) -> tuple:
    return (ix.ARRAY,) * rank


def gather(operand, start_indices, dimension_numbers=None, slice_sizes=None, *, indices_are_sorted=False,
           unique_indices=False, mode=None, fill_value=None):
    """lax.gather with XLA's GatherDimensionNumbers and slice_sizes (the index vector is the last
    axis of start_indices). mode None is PROMISE_IN_BOUNDS; FILL_OR_DROP fills a window that is
    partly out of range with `fill_value` (default NaN, the most negative / largest integer,
    True). Without dimension numbers: nablax's NumPy-style gather(operand, index, mode=, fill_value=)."""
    if dimension_numbers is None:
        return ix.gather(operand, start_indices, mode=mode, fill_value=fill_value)
    if not isinstance(dimension_numbers, GatherDimensionNumbers):
        raise TypeError(f"lax.gather: dimension_numbers must be a lax.GatherDimensionNumbers, got "
                        f"{dimension_numbers!r}")
    oa = lift_aval(operand)
    rank = oa.ndim
    offset_dims = _ints(dimension_numbers.offset_dims)
    collapsed = _ints(dimension_numbers.collapsed_slice_dims)
    start_index_map = _ints(dimension_numbers.start_index_map)
    obatch = _ints(dimension_numbers.operand_batching_dims)
    ibatch = _ints(dimension_numbers.start_indices_batching_dims)
    slice_sizes = _ints(slice_sizes if slice_sizes is not None else ())
    if len(slice_sizes) != rank:
        raise TypeError(f"lax.gather: slice_sizes must have one entry per operand axis; got {slice_sizes} for "
                        f"operand shape {oa.shape}")
    if builtins.any(not 0 <= s <= d for s, d in zip(slice_sizes, oa.shape)):
        raise TypeError(f"lax.gather: slice_sizes {slice_sizes} must be in [0, operand shape {oa.shape}]")
    _check_sorted_in_range("gather", "collapsed_slice_dims", collapsed, rank)
    _check_sorted_in_range("gather", "operand_batching_dims", obatch, rank)
    if builtins.any(slice_sizes[d] > 1 for d in collapsed + obatch):
        raise TypeError("lax.gather: slice_sizes must be 1 (or 0) at collapsed_slice_dims and operand_batching_dims, "
                        f"got {slice_sizes}")
    if len(ibatch) != len(obatch):
        raise TypeError("lax.gather: operand_batching_dims and start_indices_batching_dims must have equal lengths")
    pmode = _mode(GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    arrays, valid = _window_indices("gather", oa.shape, start_indices, start_index_map, slice_sizes, obatch,
                                    ibatch, clamp=pmode is GatherScatterMode.CLIP)
    out = ix.gather_p.bind(operand, *arrays, spec=_spec(rank), mode="clip", fill_value=None)
    if valid is not None and pmode is GatherScatterMode.PROMISE_IN_BOUNDS:
        # the value of the clamped window; its gradient, as XLA's transpose (a scatter), dropped
        out = ew.select_n(valid, misc.stop_gradient(out), out)
    elif valid is not None:
        if fill_value is None:
            fill_value = ix.default_fill_value(oa.dtype)
        filler = misc.convert_element_type(np.asarray(fill_value, oa.dtype), oa.dtype, False)
        out = ew.select_n(valid, sh.broadcast_in_dim(filler, lift_aval(out).shape, ()), out)
    ga = lift_aval(out)
    nb = ga.ndim - rank
    kept = [d for d in range(rank) if d not in collapsed and d not in obatch]
    out = sh.reshape(out, ga.shape[:nb] + tuple(slice_sizes[d] for d in kept))
    out_rank = nb + len(kept)
    _check_sorted_in_range("gather", "offset_dims", offset_dims, out_rank)
    if len(offset_dims) != len(kept):
        raise TypeError(f"lax.gather: offset_dims {offset_dims} must name one output axis per operand axis that is "
                        f"neither collapsed nor batching ({len(kept)})")
    batch_axes = iter(range(nb))
    offset_axes = iter(range(nb, out_rank))
    perm = tuple(next(offset_axes) if p in offset_dims else next(batch_axes) for p in range(out_rank))
    return out if perm == tuple(range(out_rank)) else sh.transpose(out, perm)


def _scatter_layout(name, operand, indices, updates, dnums, mode):
    """(index arrays, updates in the batch + full-window layout) for the primitive scatters."""
    if not isinstance(dnums, ScatterDimensionNumbers):
        raise TypeError(f"lax.{name}: dimension_numbers must be a lax.ScatterDimensionNumbers, got {dnums!r}")
    oa, ua = lift_aval(operand), lift_aval(updates)
    rank = oa.ndim
    window_dims = _ints(dnums.update_window_dims)
    inserted = _ints(dnums.inserted_window_dims)
    obatch = _ints(dnums.operand_batching_dims)
    ibatch = _ints(dnums.scatter_indices_batching_dims)
    _check_sorted_in_range(name, "update_window_dims", window_dims, ua.ndim)
    _check_sorted_in_range(name, "inserted_window_dims", inserted, rank)
    kept = [d for d in range(rank) if d not in inserted and d not in obatch]
    if len(kept) != len(window_dims):
        raise TypeError(f"lax.{name}: update_window_dims {window_dims} must name one updates axis per operand axis "
                        f"that is neither inserted nor batching ({len(kept)})")
    scatter_dims = [a for a in range(ua.ndim) if a not in window_dims]
    window = [1] * rank
    for d, a in zip(kept, window_dims):
        window[d] = ua.shape[a]
        if window[d] > oa.shape[d]:
            raise TypeError(f"lax.{name}: the update window size {window[d]} exceeds operand axis {d} of size "
                            f"{oa.shape[d]}")
    batch = tuple(lift_aval(indices).shape[:-1])
    if tuple(ua.shape[a] for a in scatter_dims) != batch:
        raise TypeError(f"lax.{name}: the scatter axes of updates {tuple(ua.shape)} must match the batch shape "
                        f"{batch} of the indices")
    if ua.dtype != oa.dtype:
        raise TypeError(f"lax.{name}: operand dtype {oa.dtype.name} and updates dtype {ua.dtype.name} differ")
    perm = tuple(scatter_dims) + window_dims
    u = updates if perm == tuple(range(ua.ndim)) else sh.transpose(updates, perm)
    u = sh.reshape(u, batch + tuple(window))
    pmode = _mode(mode)
    clip = pmode is GatherScatterMode.CLIP
    arrays, valid = _window_indices(name, oa.shape, indices, _ints(dnums.scatter_dims_to_operand_dims), window,
                                    obatch, ibatch, clamp=clip)
    if valid is not None:  # an out-of-range window: every index past the end, so the primitive drops it
        dt = lift_aval(arrays[0]).dtype
        arrays = [ew.select_n(valid, np.asarray(oa.shape[d], dt), a) for d, a in enumerate(arrays)]
    return arrays, u, ("clip" if clip else "drop")


def _xla_scatter(name: str, prim, combine_updates: Callable | None = None) -> Callable:
    numpy_form = getattr(ix, name, None)

    def op(operand, scatter_indices, updates, dimension_numbers=None, *, indices_are_sorted=False,
           unique_indices=False, mode=None):
        if dimension_numbers is None and numpy_form is not None:
            return numpy_form(operand, scatter_indices, updates, mode=mode, unique_indices=unique_indices,
                              indices_are_sorted=indices_are_sorted)
        if name in ("scatter_min", "scatter_max") and lift_aval(operand).dtype.kind == "c":
            raise TypeError(f"lax.{name} does not accept complex dtypes")
        arrays, u, pmode = _scatter_layout(name, operand, scatter_indices, updates, dimension_numbers, mode)
        if combine_updates is not None:
            u = combine_updates(u)
        return prim.bind(operand, u, *arrays, spec=_spec(len(arrays)), mode=pmode, unique_indices=bool(unique_indices))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"lax.{name}(operand, scatter_indices, updates, dimension_numbers, *, mode=None, ...): XLA's "
                  "scatter with lax.ScatterDimensionNumbers (mode None drops out-of-range windows; 'clip' clamps)."
                  + ("" if numpy_form is None else f" Without dimension numbers: nablax's NumPy-style {name}."))
    return op


scatter = _xla_scatter("scatter", ix.scatter_p)
scatter_add = _xla_scatter("scatter_add", ix.scatter_add_p)
scatter_sub = _xla_scatter("scatter_sub", ix.scatter_add_p, ew.neg)
scatter_mul = _xla_scatter("scatter_mul", ix.scatter_mul_p)
scatter_min = _xla_scatter("scatter_min", ix.scatter_min_p)
scatter_max = _xla_scatter("scatter_max", ix.scatter_max_p)


def scatter_apply(operand, scatter_indices, func: Callable, dimension_numbers, *, update_shape: Sequence[int] = (),
                  indices_are_sorted=False, unique_indices=False, mode=None):
    """lax.scatter_apply: `func` (a scalar function) applied to the operand elements the scatter
    windows touch, once per touching window (so a duplicated index applies it repeatedly, as in
    XLA). Like JAX's, it is not differentiable in reverse mode (a loop over the repeat count)."""
    from .api import vmap
    from .control_flow import while_loop

    oa = lift_aval(operand)
    ones = misc.convert_element_type(np.ones(tuple(_ints(update_shape)), np.int32), np.dtype(np.int32), False)
    counts = scatter_add(np.zeros(oa.shape, np.int32), scatter_indices, ones, dimension_numbers,
                         indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    flat_apply = vmap(func)

    def apply(x):
        return sh.reshape(flat_apply(sh.reshape(x, (x.size,))), oa.shape) if oa.ndim else func(x)

    def body(state):
        k, x = state
        return ew.add(k, 1), ew.select_n(ew.gt(counts, k), x, apply(x))

    def more(state):
        return ew.lt(state[0], _max_count(counts))

    return while_loop(more, body, (np.int32(0), operand))[1]


def _max_count(counts):
    """The largest repeat count (0 for an empty operand)."""
    ca = lift_aval(counts)
    return reductions.reduce_max(counts, tuple(range(ca.ndim))) if ca.size else np.int32(0)


def index_take(src, idxs, axes: Sequence[int]):
    """lax.index_take: src at the index tuples (idxs[0][n], idxs[1][n], ...) over `axes` (taken
    modulo each axis length), the other axes kept whole: shape (n,) + the remaining axes."""
    sa = lift_aval(src)
    axes = _ints(axes)
    cols = [sh.reshape(i, (lift_aval(i).shape[0], 1)) for i in idxs]
    dt = np.dtype(np.result_type(*[lift_aval(c).dtype for c in cols])) if cols else dtypes.default_int_dtype()
    indices = sh.concatenate([misc.convert_element_type(c, dt, False) for c in cols], 1)
    sizes = np.asarray([sa.shape[a] for a in axes], dt).reshape(1, -1)
    indices = ew.rem(ew.add(ew.rem(indices, sizes), sizes), sizes)  # Python-style modulo
    slice_sizes = tuple(1 if d in axes else n for d, n in enumerate(sa.shape))
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(1, sa.ndim - len(axes) + 1)),
                                   collapsed_slice_dims=tuple(sorted(axes)), start_index_map=axes)
    return gather(src, indices, dnums, slice_sizes)


__all__ = ["gather", "scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max",
           "scatter_apply", "index_take"]
