"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims, ..."""
from __future__ import annotations

import builtins

import numpy as np

from ..avals import ShapedArray, Zero
from . import elementwise, reductions, templates
from ._define import aval_of, define_primitive

# ---------------------------------------------------------------------- broadcast_in_dim


def _bid_impl(xp, x, *, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        expanded[dst] = np.shape(x)[src]
    return xp.broadcast_to(xp.reshape(x, expanded), shape)


def _bid_abstract(x: ShapedArray, *, shape, broadcast_dimensions) -> ShapedArray:
    if len(broadcast_dimensions) != x.ndim:
        raise ValueError(
            f"lax.broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must have one "
            f"entry per operand axis (operand shape {x.shape})"
        )
    for src, dst in enumerate(broadcast_dimensions):
        if not 0 <= dst < len(shape) or x.shape[src] not in (1, shape[dst]):
            raise ValueError(
                f"lax.broadcast_in_dim: cannot broadcast operand of shape {x.shape} to {shape} "
                f"with broadcast_dimensions {broadcast_dimensions}"
            )
    return ShapedArray(shape, x.dtype, x.weak_type)


def _bid_transpose(ct, x, *, shape, broadcast_dimensions):
    if type(ct) is Zero:
        return [None]
    in_shape = x.aval.shape
    summed = [i for i in range(len(shape)) if i not in broadcast_dimensions]
    summed += [dst for src, dst in enumerate(broadcast_dimensions) if in_shape[src] == 1 and shape[dst] != 1]
    out = reductions.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
    return [reshape(out, in_shape) if templates.shape_of(out) != in_shape else out]


def _bid_batch(args, dims, *, shape, broadcast_dimensions):
    (x,), (d,) = args, dims
    x = templates.moveaxis(x, d, 0)
    size = templates.shape_of(x)[0]
    new_dims = (0,) + tuple(b + 1 for b in broadcast_dimensions)
    return broadcast_in_dim(x, (size,) + tuple(shape), new_dims), 0


broadcast_in_dim_p = define_primitive(
    "broadcast_in_dim",
    impl=_bid_impl,
    abstract_eval=_bid_abstract,
    jvp="linear",
    batch=_bid_batch,
    linear=True,
    transpose=_bid_transpose,
)


def broadcast_in_dim(x, shape, broadcast_dimensions):
    """lax.broadcast_in_dim: operand axis i becomes output axis broadcast_dimensions[i]."""
    return broadcast_in_dim_p.bind(x, shape=tuple(int(d) for d in shape),
                                   broadcast_dimensions=tuple(int(d) for d in broadcast_dimensions))


# ------------------------------------------------------------------------------ reshape

def _reshape_impl(xp, x, *, new_sizes):
    return xp.reshape(x, new_sizes)


def _reshape_abstract(x: ShapedArray, *, new_sizes) -> ShapedArray:
    size = 1
    for d in new_sizes:
        size *= d
    if size != x.size or any(d < 0 for d in new_sizes):
        raise ValueError(f"lax.reshape: cannot reshape an array of shape {x.shape} into shape {new_sizes}")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


def _reshape_batch(args, dims, *, new_sizes):
    x = templates.moveaxis(args[0], dims[0], 0)
    return reshape(x, (templates.shape_of(x)[0],) + tuple(new_sizes)), 0


reshape_p = define_primitive(
    "reshape",
    impl=_reshape_impl,
    abstract_eval=_reshape_abstract,
    jvp="linear",
    batch=_reshape_batch,
    linear=True,
    transpose=lambda ct, x, *, new_sizes: [None if type(ct) is Zero else reshape(ct, x.aval.shape)],
    emit="xp.reshape({0}, {new_sizes})",
)


def reshape(x, new_sizes):
    """lax.reshape to a static shape."""
    return reshape_p.bind(x, new_sizes=tuple(int(d) for d in new_sizes))


# ---------------------------------------------------------------------------- transpose

def _transpose_abstract(x: ShapedArray, *, permutation) -> ShapedArray:
    if sorted(permutation) != list(range(x.ndim)):
        raise ValueError(f"lax.transpose: permutation {permutation} is not a permutation of the axes of shape {x.shape}")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


def _transpose_batch(args, dims, *, permutation):
    (x,), (d,) = args, dims
    perm = [d] + [p + (p >= d) for p in permutation]
    return transpose(x, tuple(perm)), 0


def _transpose_transpose(ct, x, *, permutation):
    if type(ct) is Zero:
        return [None]
    return [transpose(ct, tuple(int(i) for i in np.argsort(permutation)))]


transpose_p = define_primitive(
    "transpose",
    impl=lambda xp, x, *, permutation: xp.transpose(x, permutation),
    abstract_eval=_transpose_abstract,
    jvp="linear",
    batch=_transpose_batch,
    linear=True,
    transpose=_transpose_transpose,
    emit="xp.transpose({0}, {permutation})",
)


def transpose(x, permutation):
    """lax.transpose with a static permutation."""
    return transpose_p.bind(x, permutation=tuple(int(p) for p in permutation))



# -------------------------------------------------------------------------------- slice

def _slice_impl(xp, x, *, start_indices, limit_indices, strides):
    st = strides or (1,) * len(start_indices)
    return x[tuple(builtins.slice(a, b, c) for a, b, c in zip(start_indices, limit_indices, st))]


def _slice_abstract(x: ShapedArray, *, start_indices, limit_indices, strides) -> ShapedArray:
    st = strides or (1,) * x.ndim
    if not (len(start_indices) == len(limit_indices) == len(st) == x.ndim):
        raise ValueError(
            f"lax.slice: start_indices {start_indices}, limit_indices {limit_indices} and strides "
            f"{strides} need one entry per axis of the operand of shape {x.shape}"
        )
    for a, b, c, d in zip(start_indices, limit_indices, st, x.shape):
        if not (0 <= a <= b <= d) or c < 1:
            raise ValueError(
                f"lax.slice: invalid slice [{a}:{b}:{c}] of an axis of size {d} (operand shape {x.shape})"
            )
    shape = tuple((b - a + c - 1) // c for a, b, c in zip(start_indices, limit_indices, st))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    if type(ct) is Zero:
        return [None]
    in_shape = x.aval.shape
    st = strides or (1,) * len(in_shape)
    lo = tuple(start_indices)
    hi = tuple(d - b_used for d, b_used in zip(
        in_shape, (a + (n - 1) * c + 1 if n else a for a, c, n in zip(lo, st, templates.shape_of(ct)))))
    interior = tuple(c - 1 for c in st)
    return [pad(ct, templates.zeros_of_aval(ShapedArray((), x.aval.dtype)), tuple(zip(lo, hi, interior)))]


def _slice_batch(args, dims, *, start_indices, limit_indices, strides):
    (x,), (d,) = args, dims
    size = templates.shape_of(x)[d]
    st = strides or (1,) * len(start_indices)
    return slice(x, start_indices[:d] + (0,) + start_indices[d:],
                 limit_indices[:d] + (size,) + limit_indices[d:],
                 tuple(st[:d]) + (1,) + tuple(st[d:])), d


slice_p = define_primitive(
    "slice",
    impl=_slice_impl,
    abstract_eval=_slice_abstract,
    jvp="linear",
    batch=_slice_batch,
    linear=True,
    transpose=_slice_transpose,
)


def slice(x, start_indices, limit_indices, strides=None):  # noqa: A001
    """lax.slice: the static box [start, limit) with optional strides."""
    return slice_p.bind(
        x,
        start_indices=tuple(int(i) for i in start_indices),
        limit_indices=tuple(int(i) for i in limit_indices),
        strides=None if strides is None else tuple(int(s) for s in strides),
    )


def slice_in_dim(x, start_index, limit_index, stride: int = 1, axis: int = 0):
    """lax.slice_in_dim: slice one axis, keep the others whole."""
    shape = templates.shape_of(x)
    axis = axis % len(shape)
    start = [0] * len(shape)
    limit = list(shape)
    strides = [1] * len(shape)
    n = shape[axis]
    start[axis] = 0 if start_index is None else (start_index + n if start_index < 0 else start_index)
    limit[axis] = n if limit_index is None else (limit_index + n if limit_index < 0 else limit_index)
    strides[axis] = stride
    return slice(x, start, limit, strides)


# ---------------------------------------------------------------------------------- pad

def _pad_impl(xp, x, padding_value, *, padding_config):
    lo = [max(p[0], 0) for p in padding_config]
    # interior padding: place x on a strided grid, then crop negative low/high padding.
    shape = [
        max(0, d + max(0, d - 1) * i) for d, (_, _, i) in zip(np.shape(x), padding_config)
    ]
    core = xp.full(shape, padding_value, dtype=np.result_type(x))
    core[tuple(np.s_[:: i + 1] for (_, _, i) in padding_config)] = x
    full_shape = [s + max(a, 0) + max(b, 0) for s, (a, b, _) in zip(shape, padding_config)]
    out = xp.full(full_shape, padding_value, dtype=np.result_type(x))
    out[tuple(np.s_[lo_i: lo_i + s] for lo_i, s in zip(lo, shape))] = core
    crop = tuple(
        np.s_[(-a if a < 0 else 0): (fs + b if b < 0 else fs)]
        for (a, b, _), fs in zip(padding_config, full_shape)
    )
    return out[crop]


def _pad_abstract(x: ShapedArray, pv: ShapedArray, *, padding_config) -> ShapedArray:
    if pv.shape != ():
        raise ValueError(f"lax.pad: the padding value must be a scalar, got shape {pv.shape}")
    if pv.dtype != x.dtype:
        raise TypeError(f"lax.pad: operand dtype {x.dtype.name} and padding value dtype {pv.dtype.name} differ")
    if len(padding_config) != x.ndim:
        raise ValueError(f"lax.pad: padding_config needs one (low, high, interior) triple per axis of shape {x.shape}")
    shape = []
    for d, (lo, hi, interior) in zip(x.shape, padding_config):
        if interior < 0:
            raise ValueError("lax.pad: interior padding must be non-negative")
        n = lo + hi + d + max(0, d - 1) * interior
        if n < 0:
            raise ValueError(f"lax.pad: padding {padding_config} gives a negative size for shape {x.shape}")
        shape.append(n)
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


def _pad_transpose(ct, x, pv, *, padding_config):
    if type(ct) is Zero:
        return [None, None]
    ct_x = None
    if templates.is_undefined(x):
        # Undo the padding: un-crop (negative pads) then slice out the strided interior.
        lo_neg = [(max(-a, 0), max(-b, 0), 0) for a, b, _ in padding_config]
        t = pad(ct, templates.zeros_of_aval(ShapedArray((), x.aval.dtype)), lo_neg) if any(
            a or b for a, b, _ in lo_neg) else ct
        tshape = templates.shape_of(t)
        starts = [max(a, 0) for a, _, _ in padding_config]
        limits = [s - max(b, 0) for s, (_, b, _) in zip(tshape, padding_config)]
        ct_x = slice(t, starts, limits, [i + 1 for _, _, i in padding_config])
    ct_pv = None
    if templates.is_undefined(pv):
        total = reductions.reduce_sum(ct, tuple(range(len(templates.shape_of(ct)))))
        inner = reductions.reduce_sum(ct_x, tuple(range(len(templates.shape_of(ct_x))))) if ct_x is not None else None
        ct_pv = total if inner is None else elementwise.sub(total, inner)
    return [ct_x, ct_pv]


def _pad_batch(args, dims, *, padding_config):
    x, pv = args
    dx, dpv = dims
    config = ((0, 0, 0),) + tuple(padding_config)
    if dpv is None:
        return pad(templates.moveaxis(x, dx, 0), pv, config), 0
    # A per-example padding value: pad with zeros, then add value * (mask of padded cells).
    size = templates.shape_of(pv)[dpv]
    x = templates.bdim_to_front(x, dx, size)
    zero = templates.zeros_of_aval(ShapedArray((), aval_of(x).dtype))
    one = elementwise.coerce_scalars(x, 1)[1]
    mask = pad(templates.zeros_of_aval(aval_of(x).update(weak_type=False)), one, config)
    pv = templates.moveaxis(pv, dpv, 0)
    pv = shape_reshape_trailing(pv, len(templates.shape_of(mask)))
    return elementwise.add(pad(x, zero, config), elementwise.mul(mask, pv)), 0


def shape_reshape_trailing(v, ndim: int):
    """Give a (B,) vector trailing unit axes so it broadcasts against rank-`ndim` arrays."""
    return reshape(v, (templates.shape_of(v)[0],) + (1,) * (ndim - 1))


pad_p = define_primitive(
    "pad",
    impl=_pad_impl,
    abstract_eval=_pad_abstract,
    jvp="linear",
    batch=_pad_batch,
    linear=True,
    transpose=_pad_transpose,
)


def pad(x, padding_value, padding_config):
    """lax.pad with (low, high, interior) per axis; negative low/high crop."""
    return pad_p.bind(x, padding_value, padding_config=tuple(tuple(int(v) for v in p) for p in padding_config))


__all__ = [
    "broadcast_in_dim", "reshape", "transpose", "slice", "slice_in_dim", "pad",
]
