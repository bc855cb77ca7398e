"""Indexing primitives: gather and the scatter family (dynamic_slice lives in dynamic_slice.py).

Gather and scatter use a NumPy-shaped formulation rather than XLA's dimension numbers.
A static *index spec* describes a NumPy index tuple, one entry per entry of the tuple:

    None                 a new axis of size 1 (np.newaxis)
    int  (>= 0)          a static integer index (in range)
    (start, stop, step)  a static slice, normalized for its axis (stop None: run to the
                         front of a negative-step slice)
    ARRAY  ("array")     an integer-array index: the next index operand

The non-None entries consume the operand's axes in order and must cover all of them.
`gather_p.bind(operand, *index_arrays, spec=..., mode=..., fill_value=...)` is
`operand[index_tuple]` with NumPy's advanced-indexing semantics (index arrays broadcast
together; static ints count as advanced indices when any array is present; the broadcast
index axes replace the indexed axes when the advanced entries are adjacent, and go first
otherwise). The scatters take `(operand, updates, *index_arrays)` where `updates` has
exactly the shape of that gather's result.

Index-array semantics: a negative index wraps once (i + dim, as NumPy); what is still out
of range follows `mode`, as JAX's GatherScatterMode:

    mode                gather (forward)   its transpose        scatter (forward)   its transpose
    'promise_in_bounds' clamp              scatter-add, drops   drop the update     gather, clamps
    'clip'              clamp              scatter-add, clamps  clamp               gather, clamps
    'fill' / 'drop'     fill_value         scatter-add, drops   drop the update     gather, fills 0

JAX's x[idx] is 'promise_in_bounds': the value at an out-of-range index is the clamped
element's, and its gradient is dropped (0); `.at[].set/add/...` default to 'drop'.
Duplicate indices: scatter_add/mul/min/max combine every update; scatter (set) keeps one
of them — NumPy's, in practice the last in C order (JAX leaves the choice unspecified).
"""
from __future__ import annotations

import builtins
import contextlib
import functools
import math

import numpy as np

from .. import ad_util, dtypes
from ..ad_util import instantiate, zeros_of_aval
from ..array import wrap
from ..avals import ShapedArray, Zero
from . import elementwise as ew
from . import misc, shape, templates
from ._define import aval_of, broadcast_shapes, define_primitive

ARRAY = "array"
_GATHER_MODES = ("clip", "fill", "promise_in_bounds")
_SCATTER_MODES = ("clip", "drop", "promise_in_bounds")


def _operand_weak(arrays, params) -> bool:
    return arrays[0]._weak


def _is_array_entry(e) -> bool:
    return type(e) is str


def _count_arrays(spec) -> int:
    return builtins.sum(1 for e in spec if type(e) is str)


def _slice_len(e) -> int:
    start, stop, step = e
    return len(range(start, -1 if stop is None else stop, step))


def _layout(spec, index_rank: int) -> list:
    """Output axes of `operand[spec]` as tags: ('adv', k) for axis k of the broadcast index
    shape, ('e', p) for the basic axis made by spec entry p (a slice or None)."""
    has_array = builtins.any(type(e) is str for e in spec)
    basic = [("e", p) for p, e in enumerate(spec) if e is None or type(e) is tuple]
    if not has_array:
        return basic
    adv_pos = [p for p, e in enumerate(spec) if type(e) in (str, int)]
    adv = [("adv", k) for k in range(index_rank)]
    if adv_pos == list(range(adv_pos[0], adv_pos[-1] + 1)):
        return [t for t in basic if t[1] < adv_pos[0]] + adv + [t for t in basic if t[1] > adv_pos[-1]]
    return adv + basic


def _out_shape(spec, operand_shape, bshape) -> tuple:
    sizes = {}
    axis = 0
    for p, e in enumerate(spec):
        if e is None:
            sizes[("e", p)] = 1
            continue
        if type(e) is tuple:
            sizes[("e", p)] = _slice_len(e)
        axis += 1
    for k, d in enumerate(bshape):
        sizes[("adv", k)] = d
    return tuple(sizes[t] for t in _layout(spec, len(bshape)))


def _check_index(name: str, operand: ShapedArray, indices, spec) -> tuple:
    """Validate an index spec against the operand and index avals; return the broadcast index shape."""
    if _count_arrays(spec) != len(indices):
        raise TypeError(f"lax.{name}: the spec {spec} names {_count_arrays(spec)} index arrays, got {len(indices)}")
    axis = 0
    for e in spec:
        if e is None:
            continue
        if axis >= operand.ndim:
            raise IndexError(f"lax.{name}: the spec {spec} indexes more axes than the operand of shape {operand.shape} has")
        d = operand.shape[axis]
        if type(e) is int:
            if not 0 <= e < d:
                raise IndexError(f"lax.{name}: static index {e} is out of bounds for axis {axis} with size {d}")
        elif type(e) is tuple:
            if len(e) != 3 or not e[2] or not 0 <= e[0] <= d or not (e[1] is None or 0 <= e[1] <= d):
                raise ValueError(f"lax.{name}: invalid slice entry {e} for an axis of size {d} in the spec "
                                 "(use prepare_index to normalize slices)")
        elif not _is_array_entry(e):
            raise TypeError(f"lax.{name}: invalid spec entry {e!r}")
        axis += 1
    if axis != operand.ndim:
        raise IndexError(f"lax.{name}: the spec {spec} covers {axis} axes of an operand of rank {operand.ndim}; "
                         "give one entry per axis")
    for i in indices:
        if i.dtype.kind not in "iu":
            raise TypeError(f"lax.{name}: index arrays must have an integer dtype, got {i.dtype.name}")
    return _broadcast_index_shapes(name, [i.shape for i in indices])


def _broadcast_index_shapes(name: str, shapes) -> tuple:
    if not shapes:
        return ()
    try:
        return broadcast_shapes(f"lax.{name}", *shapes)
    except (TypeError, ValueError):  # a ValueError, as in JAX's x[i, j]
        shown = ", ".join(str(tuple(s)) for s in shapes)
        raise ValueError(f"lax.{name}: incompatible shapes for broadcasting: index arrays of shapes {shown} cannot "
                         "be broadcast together") from None


@functools.lru_cache(maxsize=512)
def _basic_tuple(spec) -> tuple:
    return tuple(builtins.slice(*e) if type(e) is tuple else e for e in spec)


def _index_tuple(shape, spec, indices, mode):
    """The NumPy index tuple for `spec`; array indices wrapped and clipped into range.

    Returns (tuple, valid, pad_axes): `valid` is the broadcast in-range mask (or None when
    every index is in range); pad_axes lists the axes whose out-of-range indices were
    redirected to one past the end (scatter 'drop'). `mode` is 'clip' or 'drop' here.
    """
    out = []
    valid = None
    pad_axes = []
    axis = 0
    k = 0
    for e in spec:
        if e is None:
            out.append(None)
            continue
        if type(e) is str:
            d = shape[axis]
            i = np.asarray(indices[k])
            k += 1
            if i.size and (i.min() < 0 or i.max() >= d):
                i = np.where(i < 0, i + d, i)
                ok = (i >= 0) & (i < d)
                valid = ok if valid is None else valid & ok
                if mode == "drop":
                    i = np.where(ok, i, d)
                    pad_axes.append(axis)
                else:
                    i = np.clip(i, 0, builtins.max(d - 1, 0))
            out.append(i)
        elif type(e) is int:
            out.append(e)
        else:
            out.append(builtins.slice(*e))
        axis += 1
    return tuple(out), valid, pad_axes


def _expand_mask(valid, spec, bshape, out_ndim):
    """Reshape a broadcast-index-shaped mask so it broadcasts against the gather output."""
    valid = np.broadcast_to(valid, bshape)
    layout = _layout(spec, len(bshape))
    if not bshape:
        return valid
    start = layout.index(("adv", 0))
    return valid.reshape((1,) * start + tuple(bshape) + (1,) * (out_ndim - start - len(bshape)))


# ------------------------------------------------------------------------------- gather

def default_fill_value(dtype):
    """JAX's fill for out-of-range gathers: NaN, the most negative int, the largest uint, True."""
    dtype = np.dtype(dtype)
    if dtypes.is_inexact(dtype):
        return float("nan")
    if dtype.kind == "i":
        return int(np.iinfo(dtype).min)
    if dtype.kind == "u":
        return int(np.iinfo(dtype).max)
    return True


def _gather_impl(xp, x, *indices, spec, mode, fill_value):
    x = np.asarray(x)
    if not indices:
        return np.asarray(x[_basic_tuple(spec)])
    # Fast path: NumPy wraps negative indices once, as the spec says, and raises
    # IndexError for anything else out of range (handled below).
    with contextlib.suppress(IndexError):
        return np.asarray(x[_raw_tuple(spec, indices)])
    bshape = _np_index_shape(indices)
    if builtins.any(x.shape[a] == 0 for a in _array_axes(spec)):
        out_shape = _out_shape(spec, x.shape, bshape)
        return np.full(out_shape, fill_value if mode == "fill" else 0, x.dtype)
    tup, valid, _ = _index_tuple(x.shape, spec, indices, "clip")
    out = np.asarray(x[tup])
    if mode == "fill" and valid is not None:
        mask = _expand_mask(valid, spec, bshape, out.ndim)
        out = np.where(mask, out, np.asarray(fill_value).astype(x.dtype))
    return out


def _np_index_shape(indices) -> tuple:
    shapes = [np.shape(i) for i in indices]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"incompatible shapes for broadcasting: index arrays of shapes {shapes} cannot be "
                         "broadcast together") from None


def _raw_tuple(spec, indices) -> tuple:
    it = iter(indices)
    return tuple(next(it) if type(e) is str else e for e in _basic_tuple(spec))


def _array_axes(spec) -> list:
    axes = []
    axis = 0
    for e in spec:
        if e is None:
            continue
        if type(e) is str:
            axes.append(axis)
        axis += 1
    return axes


def _gather_abstract(operand, *indices, spec, mode, fill_value):
    if mode not in _GATHER_MODES:
        raise ValueError(f"lax.gather: mode must be one of {_GATHER_MODES}, got {mode!r}")
    bshape = _check_index("gather", operand, indices, spec)
    return ShapedArray(_out_shape(spec, operand.shape, bshape), operand.dtype, operand.weak_type)


def _tangent_fill(mode):
    return 0 if mode == "fill" else None


def _gather_jvp(primals, tangents, *, spec, mode, fill_value):
    x, *idx = primals
    out = gather_p.bind(x, *idx, spec=spec, mode=mode, fill_value=fill_value)
    tx = tangents[0]
    if type(tx) is Zero or not dtypes.is_inexact(aval_of(out).dtype):
        return out, Zero(aval_of(out).to_tangent_aval())
    return out, gather_p.bind(tx, *idx, spec=spec, mode=mode, fill_value=_tangent_fill(mode))


def _scatter_mode_for(gather_mode: str) -> str:
    """The scatter mode of a gather's transpose (see the module docstring's table)."""
    return "drop" if gather_mode == "fill" else gather_mode


def _gather_mode_for(scatter_mode: str) -> str:
    """The gather mode of a scatter's transpose."""
    return "fill" if scatter_mode == "drop" else scatter_mode


def _gather_transpose(ct, x, *idx, spec, mode, fill_value):
    rest = [None] * len(idx)
    if type(ct) is Zero or not ad_util.is_undefined(x):
        return [None] + rest
    zeros = zeros_of_aval(x.aval)
    return [scatter_add_p.bind(zeros, ct, *idx, spec=spec, mode=_scatter_mode_for(mode), unique_indices=not idx)] + rest


# ----------------------------------------------------------------- batching gather/scatter

def _index_dtype(indices) -> np.dtype:
    for i in indices:
        return aval_of(i).dtype
    return dtypes.default_int_dtype()


def _batch_index(x, dx, idx, didx, spec, size: int, force_operand: bool):
    """Rewrite an indexing operation over a batch of `size` examples.

    Returns (operand, index arrays, spec, layout) where `layout` lists the new output
    axes as the original output tags, with "B" for the batch axis.
    """
    per_ex_rank = builtins.max([templates.ndim_of(i) - (d is not None) for i, d in zip(idx, didx)], default=0)
    operand_batched = dx is not None or force_operand
    if operand_batched:
        x = templates.bdim_to_front(x, dx, size)
    if builtins.all(d is None for d in didx):
        new_spec = ((0, size, 1),) + tuple(spec)
        new_idx = list(idx)
        rank = per_ex_rank

        def tag(t):
            return "B" if t == ("e", 0) else (("e", t[1] - 1) if t[0] == "e" else t)
    else:
        new_idx = []
        for i, d in zip(idx, didx):
            if d is not None:
                i = templates.moveaxis(i, d, 0)
                s = templates.shape_of(i)
                if len(s) - 1 < per_ex_rank:
                    i = shape.reshape(i, (s[0],) + (1,) * (per_ex_rank - len(s) + 1) + tuple(s[1:]))
            new_idx.append(i)
        rank = per_ex_rank + 1
        shift = 0
        new_spec = tuple(spec)
        if operand_batched:
            iota = wrap(np.arange(size, dtype=_index_dtype(idx)).reshape((size,) + (1,) * per_ex_rank))
            new_idx.insert(0, iota)
            new_spec = (ARRAY,) + new_spec
            shift = 1

        def tag(t):
            if t[0] == "adv":
                return "B" if t[1] == 0 else ("adv", t[1] - 1)
            return ("e", t[1] - shift)
    layout = [tag(t) for t in _layout(new_spec, rank)]
    return x, new_idx, new_spec, layout


def _gather_batch(args, dims, *, spec, mode, fill_value):
    x, *idx = args
    dx, *didx = dims
    size = templates.batch_size(args, dims)
    orig = _layout(spec, builtins.max([templates.ndim_of(i) - (d is not None) for i, d in zip(idx, didx)], default=0))
    x, idx, new_spec, layout = _batch_index(x, dx, idx, didx, spec, size, force_operand=False)
    out = gather_p.bind(x, *idx, spec=new_spec, mode=mode, fill_value=fill_value)
    if [t for t in layout if t != "B"] == orig:
        return out, layout.index("B")
    desired = ["B"] + orig
    return shape.transpose(out, tuple(layout.index(t) for t in desired)), 0


gather_p = define_primitive(
    "gather",
    impl=_gather_impl,
    abstract_eval=_gather_abstract,
    jvp=_gather_jvp,
    batch=_gather_batch,
    linear=True,
    transpose=_gather_transpose,
    weak_rule=_operand_weak,
    sparsity="move",
)


# ------------------------------------------------------------------------------ scatters

_UFUNCS = {"scatter_add": np.add, "scatter_mul": np.multiply, "scatter_min": np.minimum, "scatter_max": np.maximum}


def _apply_update(ufunc, out, tup, updates, direct: bool) -> None:
    """out[tup] (op)= updates in place; `direct` when no position repeats (else ufunc.at accumulates)."""
    if ufunc is None:
        out[tup] = updates
    elif direct:
        out[tup] = ufunc(out[tup], updates)
    else:
        ufunc.at(out, tup, updates)


def _distinct_outer_indices(shape, spec, indices):
    """The update tuple of a scatter whose index arrays form an outer product without
    repeats, else None. Each array must vary along one broadcast axis of its own (the
    transpose of `x[rows[:, None], cols[None, :]]`, as a row or column permutation's gradient
    gives) and hold no value twice; then no position repeats, and the scatter is one
    fancy-indexed update instead of `ufunc.at` (200x200 float32: 700 -> 366 us in one
    process). Only checked when the vectors are much smaller than the update.

    Where every array but one is the whole range of its axis (a row permutation), those
    become slices and the last a vector: NumPy then moves whole rows instead of computing
    an address per element (the same 200x200 scatter: 214 -> 14 us)."""
    arrays = [np.asarray(i) for i in indices]
    rank = builtins.max(a.ndim for a in arrays)
    if builtins.sum(a.size for a in arrays) * 4 > math.prod(np.broadcast_shapes(*(a.shape for a in arrays))):
        return None
    used: set = set()
    vectors = []
    for a, axis in zip(arrays, _array_axes(spec)):
        padded = (1,) * (rank - a.ndim) + a.shape
        long = [i for i, n in enumerate(padded) if n > 1]
        if len(long) > 1 or (long and long[0] in used):
            return None
        used.update(long)
        flat, size = a.reshape(-1), shape[axis]
        if flat.size and flat.min() < 0:
            flat = np.where(flat < 0, flat + size, flat)
        if flat.size and (flat.min() < 0 or flat.max() >= size):
            return None  # out of range: the general path applies the mode
        whole = flat.size == size and np.array_equal(flat, _arange(size))
        if not whole and flat.size and np.bincount(flat, minlength=size).max() > 1:
            return None
        vectors.append((flat, long[0] if long else None, axis, whole))
    return _rows_tuple(spec, vectors, rank) or _raw_tuple(spec, indices)


@functools.lru_cache(maxsize=64)
def _arange(n: int) -> np.ndarray:
    return np.arange(n)


def _rows_tuple(spec, vectors, rank):
    """`_distinct_outer_indices`' slice form, or None: the arrays are adjacent in `spec`,
    the j-th varies along broadcast axis j (so the result keeps the operand's axis order),
    and all but at most one cover their axis in order."""
    axes = [axis for _, _, axis, _ in vectors]
    if rank != len(vectors) or axes != list(range(axes[0], axes[0] + len(axes))):
        return None
    if builtins.any(long not in (j, None) for j, (_, long, _, _) in enumerate(vectors)):
        return None
    if [whole for *_, whole in vectors].count(False) > 1 or builtins.any(e is None for e in spec):
        return None
    by_axis = {axis: builtins.slice(None) if whole else flat for flat, _, axis, whole in vectors}
    return tuple(by_axis.get(axis, e) for axis, e in enumerate(_basic_tuple(spec)))


def _scatter_impl_for(name: str):
    ufunc = _UFUNCS.get(name)

    def impl(xp, x, updates, *indices, spec, mode, unique_indices):
        x = np.asarray(x)
        updates = np.asarray(updates)
        out = x.copy()
        if not indices:
            _apply_update(ufunc, out, _basic_tuple(spec), updates, True)
            return out
        # Fast path: every index in range (NumPy wraps negatives once, as the spec says).
        # On IndexError `out` may be partly updated: the general path starts again from x.
        with contextlib.suppress(IndexError):
            outer = None if unique_indices or ufunc is None else _distinct_outer_indices(x.shape, spec, indices)
            tup = _raw_tuple(spec, indices) if outer is None else outer
            _apply_update(ufunc, out, tup, updates, unique_indices or ufunc is None or outer is not None)
            return out
        _np_index_shape(indices)
        if builtins.any(x.shape[a] == 0 for a in _array_axes(spec)):
            return x.copy()
        tup, _, pad_axes = _index_tuple(x.shape, spec, indices, "clip" if mode == "clip" else "drop")
        if not pad_axes:
            out = x.copy()
            _apply_update(ufunc, out, tup, updates, unique_indices)
            return out
        # 'drop': out-of-range indices were sent one past the end of a padded copy
        out = np.pad(x, [(0, 1 if a in pad_axes else 0) for a in range(x.ndim)])
        _apply_update(ufunc, out, tup, updates, unique_indices)
        return np.ascontiguousarray(out[tuple(builtins.slice(0, d) for d in x.shape)])

    return impl


def _scatter_abstract_for(name: str):
    def abstract_eval(operand, updates, *indices, spec, mode, unique_indices):
        if mode not in _SCATTER_MODES:
            raise ValueError(f"lax.{name}: mode must be one of {_SCATTER_MODES}, got {mode!r}")
        bshape = _check_index(name, operand, indices, spec)
        _check_updates(name, operand, updates, _out_shape(spec, operand.shape, bshape))
        return ShapedArray(operand.shape, operand.dtype, operand.weak_type)

    return abstract_eval


def _scatter_batch_for(name: str):
    def batch(args, dims, *, spec, mode, unique_indices):
        x, u, *idx = args
        dx, du, *didx = dims
        size = templates.batch_size(args, dims)
        orig = _layout(spec, builtins.max([templates.ndim_of(i) - (d is not None) for i, d in zip(idx, didx)], default=0))
        x, idx, new_spec, layout = _batch_index(x, dx, idx, didx, spec, size, force_operand=True)
        u = templates.bdim_to_front(u, du, size)
        desired = ["B"] + orig
        perm = tuple(desired.index(t) for t in layout)
        if perm != tuple(range(len(perm))):
            u = shape.transpose(u, perm)
        return _SCATTERS[name].bind(x, u, *idx, spec=new_spec, mode=mode, unique_indices=unique_indices), 0

    return batch


def _zero_tangent(out):
    return Zero(aval_of(out).to_tangent_aval())


def _inexact(out) -> bool:
    return dtypes.is_inexact(aval_of(out).dtype)


def _scatter_params(spec, mode, unique_indices):
    return {"spec": spec, "mode": mode, "unique_indices": unique_indices}


def _gather_back(y, idx, spec, mode, fill=0):
    """y[idx] for a scatter's operand-shaped y, with out-of-range updates reading `fill`."""
    gmode = _gather_mode_for(mode)
    return gather_p.bind(y, *idx, spec=spec, mode=gmode, fill_value=fill if gmode == "fill" else None)


# scatter (set) -------------------------------------------------------------------------

def _scatter_jvp_for(name: str, tangent):
    """A scatter's JVP: its result, and `tangent(x, u, idx, tx, tu, out, params)` unless no
    tangent can flow (both tangents zero, or an integer result)."""
    def jvp(primals, tangents, *, spec, mode, unique_indices):
        x, u, *idx = primals
        p = _scatter_params(spec, mode, unique_indices)
        out = _SCATTERS[name].bind(x, u, *idx, **p)
        tx, tu = tangents[:2]
        if (type(tx) is Zero and type(tu) is Zero) or not _inexact(out):
            return out, _zero_tangent(out)
        return out, tangent(x, u, idx, tx, tu, out, p)

    return jvp


def _scatter_tangent(x, u, idx, tx, tu, out, p):
    return scatter_p.bind(instantiate(tx), instantiate(tu), *idx, **p)


def _winners(u_aval, idx, spec, mode, operand_shape):
    """1 where an update survives a scatter (set) with duplicate indices, else 0 (ct's dtype)."""
    n = u_aval.size
    int_dtype = dtypes.default_int_dtype()
    ids = wrap(np.arange(n, dtype=int_dtype).reshape(u_aval.shape))
    base = wrap(np.full(operand_shape, -1, int_dtype))
    landed = scatter_p.bind(base, ids, *idx, spec=spec, mode=mode, unique_indices=False)
    back = _gather_back(landed, idx, spec, mode, fill=-1)
    return misc.convert_element_type(ew.eq(back, ids), u_aval.dtype)


def _scatter_transpose(ct, x, u, *idx, spec, mode, unique_indices):
    rest = [None] * len(idx)
    if type(ct) is Zero:
        return [None, None] + rest
    ct_x = ct_u = None
    if ad_util.is_undefined(x):
        ct_x = scatter_p.bind(ct, zeros_of_aval(u.aval), *idx, spec=spec, mode=mode, unique_indices=unique_indices)
    if ad_util.is_undefined(u):
        ct_u = _gather_back(ct, idx, spec, mode)
        if idx and not unique_indices:
            ct_u = ew.mul(ct_u, _winners(u.aval, idx, spec, mode, x.aval.shape))
    return [ct_x, ct_u] + rest


# scatter_add ---------------------------------------------------------------------------

def _scatter_add_tangent(x, u, idx, tx, tu, out, p):
    return tx if type(tu) is Zero else scatter_add_p.bind(instantiate(tx), tu, *idx, **p)


def _scatter_add_transpose(ct, x, u, *idx, spec, mode, unique_indices):
    rest = [None] * len(idx)
    if type(ct) is Zero:
        return [None, None] + rest
    ct_x = ct if ad_util.is_undefined(x) else None
    ct_u = _gather_back(ct, idx, spec, mode) if ad_util.is_undefined(u) else None
    return [ct_x, ct_u] + rest


# scatter_mul ---------------------------------------------------------------------------

def _full(shape_, dtype, value):
    return wrap(np.full(shape_, value, dtype))


def _exclusive_products(u, idx, spec, mode, operand_shape):
    """For each update u_j: the product of the other updates landing where u_j lands,
    computed without dividing by zero (zeros are counted separately)."""
    ua = aval_of(u)
    p = _scatter_params(spec, mode, False)
    is_zero = ew.eq(u, _full((), ua.dtype, 0))
    ones_u = _full(ua.shape, ua.dtype, 1)
    zeros_u = _full(ua.shape, ua.dtype, 0)
    u_safe = ew.select_n(is_zero, u, ones_u)
    prod_nz = scatter_mul_p.bind(_full(operand_shape, ua.dtype, 1), u_safe, *idx, **p)
    n_zero = scatter_add_p.bind(_full(operand_shape, ua.dtype, 0), ew.select_n(is_zero, zeros_u, ones_u), *idx, **p)
    prod_g = _gather_back(prod_nz, idx, spec, mode, fill=1)
    zeros_g = _gather_back(n_zero, idx, spec, mode)
    others_nonzero = ew.eq(zeros_g, zeros_u)          # no zero update lands here
    only_me = ew.eq(zeros_g, ones_u)                  # exactly one zero lands here (me, if I am zero)
    when_nonzero = ew.select_n(others_nonzero, zeros_u, ew.div(prod_g, u_safe))
    when_zero = ew.select_n(only_me, zeros_u, prod_g)
    return ew.select_n(is_zero, when_nonzero, when_zero)


def _scatter_mul_tangent(x, u, idx, tx, tu, out, p):
    t = Zero(aval_of(out))
    if type(tx) is not Zero:
        t = scatter_mul_p.bind(tx, u, *idx, **p)
    if type(tu) is not Zero:
        xa = aval_of(x)
        if not (p["unique_indices"] or not idx):
            tu = ew.mul(tu, _exclusive_products(u, idx, p["spec"], p["mode"], xa.shape))
        spread = scatter_add_p.bind(_full(xa.shape, xa.dtype, 0), tu, *idx, **p)
        t = ad_util.add_tangents(t, ew.mul(x, spread))
    return t


def _scatter_mul_transpose(ct, x, u, *idx, spec, mode, unique_indices):
    if ad_util.is_undefined(u):
        raise TypeError("lax.scatter_mul is linear in its operand only, not in its updates")
    if type(ct) is Zero:
        return [None, None] + [None] * len(idx)
    return [scatter_mul_p.bind(ct, u, *idx, spec=spec, mode=mode, unique_indices=unique_indices), None] + [None] * len(idx)


# scatter_min / scatter_max -------------------------------------------------------------

def _extremal_tangent(x, u, idx, tx, tu, out, p):
    """scatter_min/max: the tangent follows the winners; ties share it equally (as JAX does)."""
    spec, mode = p["spec"], p["mode"]
    dt = aval_of(out).dtype
    won_x = misc.convert_element_type(ew.eq(x, out), dt)
    won_u = misc.convert_element_type(ew.eq(u, _gather_back(out, idx, spec, mode)), dt)
    count = scatter_add_p.bind(won_x, won_u, *idx, **_scatter_params(spec, mode, False))
    num = ew.mul(won_x, tx) if type(tx) is not Zero else _full(aval_of(x).shape, dt, 0)
    if type(tu) is not Zero:
        num = scatter_add_p.bind(num, ew.mul(won_u, tu), *idx, **_scatter_params(spec, mode, False))
    return ew.div(num, count)


def _define_scatter(name: str, tangent, transpose=None, sparsity=None):
    return define_primitive(
        name,
        impl=_scatter_impl_for(name),
        abstract_eval=_scatter_abstract_for(name),
        jvp=_scatter_jvp_for(name, tangent),
        batch=_scatter_batch_for(name),
        linear=transpose is not None,
        transpose=transpose,
        weak_rule=_operand_weak,
        sparsity=sparsity,
    )


scatter_p = _define_scatter("scatter", _scatter_tangent, _scatter_transpose, sparsity="move")
scatter_add_p = _define_scatter("scatter_add", _scatter_add_tangent, _scatter_add_transpose, sparsity="move")
scatter_mul_p = _define_scatter("scatter_mul", _scatter_mul_tangent, _scatter_mul_transpose)
scatter_min_p = _define_scatter("scatter_min", _extremal_tangent)
scatter_max_p = _define_scatter("scatter_max", _extremal_tangent)
_SCATTERS = {p.name: p for p in (scatter_p, scatter_add_p, scatter_mul_p, scatter_min_p, scatter_max_p)}


# ----------------------------------------------------------------- gather/scatter wrappers

class Indexer:
    """A NumPy-style index tuple resolved against an operand shape: spec, index arrays, result shape."""

    __slots__ = ("spec", "arrays", "operand_shape", "_shape")

    def __init__(self, spec: tuple, arrays: list, operand_shape: tuple):
        self.spec = spec
        self.arrays = arrays
        self.operand_shape = operand_shape
        self._shape = None

    @property
    def shape(self) -> tuple:
        """The shape of operand[index] (what a scatter's updates must have)."""
        if self._shape is None:
            arrays = self.arrays
            bshape = _broadcast_index_shapes("gather", [aval_of(a).shape for a in arrays])
            self._shape = _out_shape(self.spec, self.operand_shape, bshape)
        return self._shape

    def __repr__(self) -> str:
        return f"Indexer(spec={self.spec}, shape={self.shape})"


def _as_index_array(i):
    if isinstance(i, (list, tuple, np.ndarray, np.generic)):
        a = np.asarray(i)
        if a.dtype.kind not in "iu":
            if a.size == 0:
                a = a.astype(dtypes.default_int_dtype())
            else:
                raise TypeError(f"index arrays must have an integer dtype, got {a.dtype}")
        return wrap(a.astype(dtypes.canonicalize_dtype(a.dtype)))
    dt = aval_of(i).dtype
    if dt.kind not in "iu":
        raise TypeError(f"index arrays must have an integer dtype, got {dt.name}")
    return i


def prepare_index(operand_shape, index, name: str = "gather") -> Indexer:
    """Resolve a NumPy-style index tuple (None, ints, slices, integer arrays; no Ellipsis or
    booleans) against `operand_shape`. Static ints must be in range (negative ones wrap);
    missing trailing entries mean whole axes."""
    if not isinstance(index, tuple):
        index = (index,)
    spec = []
    arrays = []
    axis = 0
    ndim = len(operand_shape)
    for e in index:
        if e is None:
            spec.append(None)
            continue
        if axis >= ndim:
            raise IndexError(f"lax.{name}: too many indices for an operand of shape {tuple(operand_shape)}")
        d = operand_shape[axis]
        if type(e) is builtins.slice:
            start, stop, step = e.indices(d)
            if not len(range(start, stop, step)):
                spec.append((0, 0, 1))
            else:
                spec.append((start, None if stop < 0 else stop, step))
        elif isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_)):
            i = int(e)
            if not -d <= i < d:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {d}")
            spec.append(i + d if i < 0 else i)
        else:
            arrays.append(_as_index_array(e))
            spec.append(ARRAY)
        axis += 1
    for a in range(axis, ndim):
        spec.append((0, operand_shape[a], 1))
    return Indexer(tuple(spec), arrays, tuple(operand_shape))


def _indexer(operand, index, name) -> Indexer:
    return index if isinstance(index, Indexer) else prepare_index(aval_of(operand).shape, index, name)


def _mode_name(mode) -> str | None:
    """A mode given as a string or as an enum-like value with a `name` (JAX's GatherScatterMode)."""
    if mode is None or isinstance(mode, str):
        return mode
    name = getattr(mode, "name", None)
    return {"CLIP": "clip", "FILL_OR_DROP": "fill", "PROMISE_IN_BOUNDS": "promise_in_bounds"}.get(name, mode)


def _gather_mode(mode) -> str:
    mode = _mode_name(mode)
    if mode is None or mode == "promise_in_bounds":
        return "promise_in_bounds"
    if mode in ("clip", "fill"):
        return mode
    if mode == "drop":
        return "fill"
    raise ValueError(f"lax.gather: mode must be 'promise_in_bounds', 'clip' or 'fill', got {mode!r}")


def _scatter_mode(mode, name) -> str:
    mode = _mode_name(mode)
    if mode is None or mode in ("drop", "fill"):
        return "drop"
    if mode in ("clip", "promise_in_bounds"):
        return mode
    raise ValueError(f"lax.{name}: mode must be 'drop', 'clip' or 'promise_in_bounds', got {mode!r}")


def gather(operand, index, *, mode=None, fill_value=None):
    """`operand[index]` with NumPy semantics, as one primitive.

    `index`: a tuple of None, static ints, slices and integer arrays (Arrays, tracers,
    NumPy arrays or lists), at most one per operand axis; missing trailing entries are whole
    axes (use nablax.numpy indexing for Ellipsis and boolean masks). Negative array indices
    wrap once; indices still out of range are clamped (mode 'promise_in_bounds', the
    default, whose gradient drops them, or 'clip', whose gradient goes to the clamped
    element) or give `fill_value` (mode 'fill'; default NaN for inexact dtypes, the most
    negative / largest integer, True for bool). An `Indexer` from `prepare_index` is
    accepted in place of the tuple.
    """
    ix = _indexer(operand, index, "gather")
    mode = _gather_mode(mode)
    if mode == "fill" and fill_value is None:
        fill_value = default_fill_value(aval_of(operand).dtype)
    if mode != "fill":
        fill_value = None
    elif not isinstance(fill_value, (bool, int, float, complex)):
        try:  # a static scalar (NumPy scalar, concrete 0-d array) becomes a Python scalar param
            fill_value = np.asarray(fill_value).item()
        except Exception:
            raise TypeError(f"lax.gather: fill_value must be a static scalar, got {fill_value!r}") from None
    return gather_p.bind(operand, *ix.arrays, spec=ix.spec, mode=mode, fill_value=fill_value)


def _check_updates(name: str, operand: ShapedArray, updates: ShapedArray, expected: tuple) -> None:
    if updates.shape != expected:
        raise ValueError(f"lax.{name}: updates of shape {updates.shape} do not match the indexed shape {expected} "
                         f"of the operand of shape {operand.shape} (jnp's .at[] broadcasts them for you)")
    if updates.dtype != operand.dtype:
        raise TypeError(f"lax.{name}: operand dtype {operand.dtype.name} and updates dtype {updates.dtype.name} differ")
    if name in ("scatter_min", "scatter_max") and operand.dtype.kind == "c":
        raise TypeError(f"lax.{name} does not accept complex dtypes")


def _scatter_wrapper(name: str):
    prim = _SCATTERS[name]
    what = {"scatter": "set to", "scatter_add": "added to", "scatter_mul": "multiplied into",
            "scatter_min": "combined by minimum into", "scatter_max": "combined by maximum into"}[name]

    def wrapper(operand, index, updates, *, mode=None, unique_indices=False, indices_are_sorted=False):
        ix = _indexer(operand, index, name)
        _check_updates(name, aval_of(operand), aval_of(updates), ix.shape)  # (the eager path skips abstract_eval)
        return prim.bind(operand, updates, *ix.arrays, spec=ix.spec, mode=_scatter_mode(mode, name),
                         unique_indices=bool(unique_indices))

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = (
        f"lax.{name}(operand, index, updates, *, mode=None, unique_indices=False): a copy of `operand` with "
        f"`updates` {what} `operand[index]`.\n\n`index` is as for `gather`; `updates` must have exactly the shape "
        "of `operand[index]` and the operand's dtype. Out-of-range indices (after negative ones wrap once) drop "
        "their update (mode 'drop', the default, and 'promise_in_bounds') or are clamped ('clip'). "
        "`unique_indices=True` promises no duplicates (faster; gradients skip the duplicate handling)."
    )
    return wrapper


scatter = _scatter_wrapper("scatter")
scatter_add = _scatter_wrapper("scatter_add")
scatter_mul = _scatter_wrapper("scatter_mul")
scatter_min = _scatter_wrapper("scatter_min")
scatter_max = _scatter_wrapper("scatter_max")


__all__ = [
    "gather", "scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max",
]
