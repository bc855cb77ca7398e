"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims, ..."""
from __future__ import annotations

import builtins

import numpy as np

from .. import ad_util, ops
from ..array import to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from . import elementwise, templates
from ._define import all_weak, aval_of, define_primitive, require_same_dtypes, weak_if_all_weak
from .rewrites import produced_by, same_type, when_same_type

# ------------------------------------------------------------------------- eager checks

def _checked_eager(impl, abstract, suspicious=None):
    """Eager path that reports invalid arguments with abstract_eval's clear error.

    NumPy raises for most invalid shape arguments (then abstract_eval explains); where it
    would silently do something else (clipping slices, casting dtypes), `suspicious(values,
    **params)` -- a cheap test on the NumPy operands, or None for "always" -- sends the call
    to abstract_eval first.
    """

    def eager(*args, **params):
        arrays, vals = eager_args(args)
        if suspicious is None or suspicious(vals, **params):
            abstract(*[a.aval for a in arrays], **params)
        try:
            out = impl(np, *vals, **params)
        except (ValueError, TypeError, IndexError):
            abstract(*[a.aval for a in arrays], **params)
            raise
        return wrap(out, weak_if_all_weak(arrays, params))

    return eager


def _linear_shape_primitive(name: str, *, impl, abstract_eval, suspicious=None, **rules):
    """A shape primitive: linear in its operand (its JVP applies it to the tangent), with the
    checked eager path above; `rules` are the rest of define_primitive's keywords."""
    return define_primitive(name, impl=impl, abstract_eval=abstract_eval, jvp="linear", linear=True, sparsity="move",
                            eager=_checked_eager(impl, abstract_eval, suspicious), **rules)


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
    if any(a >= b for a, b in zip(broadcast_dimensions, broadcast_dimensions[1:])):
        raise ValueError(
            f"lax.broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must be strictly "
            f"increasing (operand shape {x.shape}, target shape {shape})"
        )
    for src, dst in enumerate(broadcast_dimensions):
        if not 0 <= dst < len(shape) or x.shape[src] not in (1, shape[dst]):
            raise TypeError(  # a TypeError, as in JAX
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
    out = ops.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
    return [reshape(out, in_shape) if templates.shape_of(out) != in_shape else out]


def _bid_batch(args, dims, *, shape, broadcast_dimensions):
    (x,), (d,) = args, dims
    x = templates.moveaxis(x, d, 0)
    size = templates.shape_of(x)[0]
    new_dims = (0,) + tuple(b + 1 for b in broadcast_dimensions)
    return broadcast_in_dim(x, (size,) + tuple(shape), new_dims), 0


def _bid_emit(args, params, src, avals):
    """NumPy broadcasting spelled out: insert unit axes where needed, then broadcast_to."""
    shape, dims = tuple(params["shape"]), tuple(params["broadcast_dimensions"])
    x = args[0]
    if dims != tuple(range(len(shape) - len(dims), len(shape))):
        expanded = [1] * len(shape)
        for src_axis, dst in enumerate(dims):
            expanded[dst] = avals[0].shape[src_axis]
        x = f"{x}.reshape({tuple(expanded)!r})"
    return f"xp.broadcast_to({x}, {shape!r})"


def _bid_simplify(invars, params, out, producers):
    """A broadcast to the operand's own shape and axes is a no-op."""
    x = invars[0]
    if same_type(x, out) and tuple(params["broadcast_dimensions"]) == tuple(range(len(out.aval.shape))):
        return x
    return None


broadcast_in_dim_p = _linear_shape_primitive(
    "broadcast_in_dim",
    emit=_bid_emit,
    simplify=_bid_simplify,
    suspicious=lambda vals, *, shape, broadcast_dimensions: (
        len(broadcast_dimensions) != np.ndim(vals[0])
        or any(a >= b for a, b in zip(broadcast_dimensions, broadcast_dimensions[1:]))),
    impl=_bid_impl,
    abstract_eval=_bid_abstract,
    batch=_bid_batch,
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


def _reshape_simplify(invars, params, out, producers):
    """A reshape to the operand's own shape, or back to the shape before a reshape: no-ops."""
    src = produced_by(invars[0], producers, reshape_p)
    if src is not None and same_type(src.invars[0], out):
        return src.invars[0]
    return when_same_type(invars, params, out, producers)


def _reshape_rewrite(invars, params, producers):
    """reshape(reshape(x)) -> reshape(x)."""
    src = produced_by(invars[0], producers, reshape_p)
    return None if src is None else (reshape_p, [src.invars[0]])


reshape_p = _linear_shape_primitive(
    "reshape",
    suspicious=lambda vals, *, new_sizes: builtins.any(d < 0 for d in new_sizes),
    impl=_reshape_impl,
    abstract_eval=_reshape_abstract,
    batch=_reshape_batch,
    transpose=lambda ct, x, *, new_sizes: [None if type(ct) is Zero else reshape(ct, x.aval.shape)],
    emit="{0}.reshape({new_sizes})",  # the method: np.reshape costs ~1 µs more per call
    simplify=_reshape_simplify,
    rewrite=_reshape_rewrite,
)


def reshape(x, new_sizes, dimensions=None):
    """lax.reshape to a static shape; `dimensions`, if given, transposes x first (as in JAX)."""
    if dimensions is not None:
        dimensions = tuple(int(d) for d in dimensions)
        if dimensions != tuple(range(len(dimensions))):
            x = transpose(x, dimensions)
    return reshape_p.bind(x, new_sizes=tuple(int(d) for d in new_sizes))


# ---------------------------------------------------------------------------- transpose

def _transpose_impl(xp, x, *, permutation):
    return xp.transpose(x, permutation)


def _transpose_abstract(x: ShapedArray, *, permutation) -> ShapedArray:
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"lax.transpose: permutation {permutation} is not a permutation of the axes of shape {x.shape}")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


def _transpose_batch(args, dims, *, permutation):
    (x,), (d,) = args, dims
    perm = [d] + [p + (p >= d) for p in permutation]
    return transpose(x, tuple(perm)), 0


def _transpose_transpose(ct, x, *, permutation):
    if type(ct) is Zero:
        return [None]
    return [transpose(ct, tuple(int(i) for i in np.argsort(permutation)))]


def _transpose_simplify(invars, params, out, producers):
    """The identity permutation, and a transpose undoing the one that produced its operand."""
    (x,) = invars
    perm = tuple(params["permutation"])
    if perm == tuple(range(len(perm))):
        return x
    src = produced_by(x, producers, transpose_p)
    if src is not None:
        inner = src.params["permutation"]
        if tuple(inner[i] for i in perm) == tuple(range(len(inner))):
            return src.invars[0]
    return None


transpose_p = _linear_shape_primitive(
    "transpose",
    simplify=_transpose_simplify,
    suspicious=lambda vals, *, permutation: False,
    impl=_transpose_impl,
    abstract_eval=_transpose_abstract,
    batch=_transpose_batch,
    transpose=_transpose_transpose,
    emit="{0}.transpose({permutation})",  # the method: np.transpose costs ~0.3 µs more per call
)


def transpose(x, permutation):
    """lax.transpose with a static permutation."""
    return transpose_p.bind(x, permutation=tuple(int(p) for p in permutation))



# -------------------------------------------------------------------------------- slice

def _slice_impl(xp, x, *, start_indices, limit_indices, strides):
    st = strides or (1,) * len(start_indices)
    return x[tuple(builtins.slice(a, b, c) for a, b, c in zip(start_indices, limit_indices, st))]


def _slice_suspicious(vals, *, start_indices, limit_indices, strides) -> bool:
    shape = np.shape(vals[0])
    if len(start_indices) != len(shape) or len(limit_indices) != len(shape):
        return True
    for a, b, d in zip(start_indices, limit_indices, shape):
        if a < 0 or b > d or a > b:
            return True
    return strides is not None and (len(strides) != len(shape) or builtins.min(strides, default=1) < 1)


def _slice_abstract(x: ShapedArray, *, start_indices, limit_indices, strides) -> ShapedArray:
    st = strides or (1,) * x.ndim
    if not (len(start_indices) == len(limit_indices) == len(st) == x.ndim):
        raise ValueError(
            f"lax.slice: start_indices {start_indices}, limit_indices {limit_indices} and strides "
            f"{strides} need one entry per axis of the operand of shape {x.shape}"
        )
    for a, b, c, d in zip(start_indices, limit_indices, st, x.shape):
        if c < 1:
            raise ValueError(f"lax.slice: strides must be positive, got {strides}")
        if not (0 <= a <= b <= d):
            raise TypeError(  # a TypeError, as in JAX
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
    return [pad(ct, _scalar(0, x.aval.dtype), tuple(zip(lo, hi, interior)))]


def _slice_batch(args, dims, *, start_indices, limit_indices, strides):
    (x,), (d,) = args, dims
    size = templates.shape_of(x)[d]
    st = strides or (1,) * len(start_indices)
    return slice(x, start_indices[:d] + (0,) + start_indices[d:],
                 limit_indices[:d] + (size,) + limit_indices[d:],
                 tuple(st[:d]) + (1,) + tuple(st[d:])), d


slice_p = _linear_shape_primitive(
    "slice",
    suspicious=_slice_suspicious,
    impl=_slice_impl,
    abstract_eval=_slice_abstract,
    batch=_slice_batch,
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
    return ShapedArray(tuple(shape), x.dtype, x.weak_type and pv.weak_type)


def _pad_transpose(ct, x, pv, *, padding_config):
    if type(ct) is Zero:
        return [None, None]
    # The operand's cells: un-crop (negative pads), then slice out the strided interior.
    lo_neg = [(max(-a, 0), max(-b, 0), 0) for a, b, _ in padding_config]
    dtype = aval_of(ct).dtype
    t = ct
    if any(a or b for a, b, _ in lo_neg):
        t = pad(ct, _scalar(0, dtype), lo_neg)
    tshape = templates.shape_of(t)
    starts = [max(a, 0) for a, _, _ in padding_config]
    limits = [s - max(b, 0) for s, (_, b, _) in zip(tshape, padding_config)]
    ct_operand = slice(t, starts, limits, [i + 1 for _, _, i in padding_config])
    ct_pv = None
    if ad_util.is_undefined(pv):
        # Every output cell not taken from the operand holds the padding value.
        everything = tuple(range(len(templates.shape_of(ct))))
        total = ops.reduce_sum(ct, everything)
        inner = ops.reduce_sum(ct_operand, tuple(range(len(templates.shape_of(ct_operand)))))
        ct_pv = elementwise.sub(total, inner)
    return [ct_operand if ad_util.is_undefined(x) else None, ct_pv]


def _pad_batch(args, dims, *, padding_config):
    x, pv = args
    dx, dpv = dims
    if dpv is None:
        config = list(padding_config)
        config.insert(dx, (0, 0, 0))
        return pad(x, pv, config), dx
    # A per-example padding value: pad with zeros, then add value * (mask of padded cells).
    config = ((0, 0, 0),) + tuple(padding_config)
    size = templates.shape_of(pv)[dpv]
    x = templates.bdim_to_front(x, dx, size)
    dtype = aval_of(x).dtype
    mask = pad(ad_util.zeros_of_aval(aval_of(x).update(weak_type=True)), _scalar(1, dtype), config)
    pv = templates.moveaxis(pv, dpv, 0)
    pv = shape_reshape_trailing(pv, len(templates.shape_of(mask)))
    return elementwise.add(pad(x, _scalar(0, dtype), config), elementwise.mul(mask, pv)), 0


def _scalar(value, dtype):
    """A weakly typed scalar constant of `dtype` (so it never strengthens a result's type)."""
    return wrap(np.asarray(value, dtype), True)


def shape_reshape_trailing(v, ndim: int):
    """Give a (B,) vector trailing unit axes so it broadcasts against rank-`ndim` arrays."""
    return reshape(v, (templates.shape_of(v)[0],) + (1,) * (ndim - 1))


pad_p = _linear_shape_primitive(
    "pad",
    impl=_pad_impl,
    abstract_eval=_pad_abstract,
    batch=_pad_batch,
    transpose=_pad_transpose,
)


def pad(x, padding_value, padding_config):
    """lax.pad with (low, high, interior) per axis; negative low/high crop."""
    return pad_p.bind(x, padding_value, padding_config=tuple(tuple(int(v) for v in p) for p in padding_config))


# ------------------------------------------------------------------------------ squeeze

def _squeeze_impl(xp, x, *, dimensions):
    return xp.reshape(x, tuple(d for i, d in enumerate(np.shape(x)) if i not in dimensions))


def _squeeze_abstract(x: ShapedArray, *, dimensions) -> ShapedArray:
    for d in dimensions:
        if not 0 <= d < x.ndim:
            raise ValueError(f"lax.squeeze: dimension {d} is out of range for an operand of shape {x.shape}")
        if x.shape[d] != 1:
            raise ValueError(
                f"lax.squeeze: cannot squeeze dimension {d} of size {x.shape[d]} (operand shape "
                f"{x.shape}); squeezed dimensions must have size 1"
            )
    if len(set(dimensions)) != len(dimensions):
        raise ValueError(f"lax.squeeze: repeated dimensions {dimensions}")
    shape = tuple(d for i, d in enumerate(x.shape) if i not in dimensions)
    return ShapedArray(shape, x.dtype, x.weak_type)


def _squeeze_batch(args, dims, *, dimensions):
    (x,), (d,) = args, dims
    moved = tuple(a + (a >= d) for a in dimensions)
    return squeeze_p.bind(x, dimensions=moved), d - builtins.sum(1 for a in moved if a < d)


squeeze_p = _linear_shape_primitive(
    "squeeze",
    impl=_squeeze_impl,
    abstract_eval=_squeeze_abstract,
    batch=_squeeze_batch,
    transpose=lambda ct, x, *, dimensions: [None if type(ct) is Zero else reshape(ct, x.aval.shape)],
    emit="xp.squeeze({0}, axis={dimensions})",
)


def _normalize_dims(opname: str, dimensions, ndim: int) -> tuple:
    out = []
    for d in dimensions:
        d = int(d)
        if not -ndim <= d < ndim:
            raise ValueError(f"lax.{opname}: dimension {d} is out of range for rank {ndim}")
        out.append(d % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"lax.{opname}: repeated dimensions {tuple(dimensions)}")
    return tuple(sorted(out))


def squeeze(array, dimensions):
    """lax.squeeze: remove the given size-1 dimensions (negative ones count from the end)."""
    return squeeze_p.bind(array, dimensions=_normalize_dims("squeeze", dimensions, aval_of(array).ndim))


def expand_dims(array, dimensions):
    """lax.expand_dims: insert size-1 dimensions at the given positions of the result."""
    shape = aval_of(array).shape
    dims = _normalize_dims("expand_dims", dimensions, len(shape) + len(tuple(dimensions)))
    out = list(shape)
    for d in dims:
        out.insert(d, 1)
    return reshape(array, out)


def broadcast(operand, sizes):
    """lax.broadcast: prepend new leading dimensions of the given sizes."""
    shape = aval_of(operand).shape
    sizes = tuple(int(s) for s in sizes)
    n = len(sizes)
    return broadcast_in_dim(operand, sizes + tuple(shape), tuple(range(n, n + len(shape))))


# ---------------------------------------------------------------------------------- rev

def _rev_impl(xp, x, *, dimensions):
    if not dimensions:
        return x
    return x[tuple(builtins.slice(None, None, -1) if i in dimensions else builtins.slice(None)
                   for i in range(np.ndim(x)))]


def _rev_abstract(x: ShapedArray, *, dimensions) -> ShapedArray:
    if len(set(dimensions)) != len(dimensions) or any(not 0 <= d < x.ndim for d in dimensions):
        raise ValueError(
            f"lax.rev: dimensions {dimensions} must be distinct axes of the operand of shape {x.shape}"
        )
    return x


def _rev_batch(args, dims, *, dimensions):
    (x,), (d,) = args, dims
    return rev_p.bind(x, dimensions=tuple(a + (a >= d) for a in dimensions)), d


rev_p = _linear_shape_primitive(
    "rev",
    impl=_rev_impl,
    abstract_eval=_rev_abstract,
    batch=_rev_batch,
    transpose=lambda ct, x, *, dimensions: [None if type(ct) is Zero else rev_p.bind(ct, dimensions=dimensions)],
    emit="xp.flip({0}, axis={dimensions})",
)


def rev(operand, dimensions):
    """lax.rev: reverse the order of elements along `dimensions`."""
    return rev_p.bind(operand, dimensions=_normalize_dims("rev", dimensions, aval_of(operand).ndim))


# -------------------------------------------------------------------------- concatenate

def _concatenate_impl(xp, *operands, dimension):
    return xp.concatenate(operands, axis=dimension)


def _concatenate_abstract(*operands: ShapedArray, dimension) -> ShapedArray:
    if not operands:
        raise ValueError("lax.concatenate needs at least one operand")
    dt = require_same_dtypes("concatenate", operands)
    first = operands[0]
    shapes = ", ".join(str(o.shape) for o in operands)
    if not 0 <= dimension < first.ndim:
        raise ValueError(
            f"lax.concatenate: dimension {dimension} is out of range for operands of rank {first.ndim} "
            f"(shapes {shapes})"
        )
    for o in operands[1:]:
        if o.ndim != first.ndim or any(
            a != b for i, (a, b) in enumerate(zip(o.shape, first.shape)) if i != dimension
        ):
            raise ValueError(
                f"lax.concatenate: operand shapes {shapes} must agree except in dimension {dimension}"
            )
    shape = list(first.shape)
    shape[dimension] = builtins.sum(o.shape[dimension] for o in operands)
    return ShapedArray(tuple(shape), dt, all_weak(operands))


def _concatenate_suspicious(vals, *, dimension) -> bool:
    dt = vals[0].dtype
    for v in vals:
        if v.dtype != dt:  # NumPy would promote silently
            return True
    return False


def _concatenate_transpose(ct, *operands, dimension):
    if type(ct) is Zero:
        return [None] * len(operands)
    out = []
    start = 0
    for o in operands:
        n = (o.aval if ad_util.is_undefined(o) else aval_of(o)).shape[dimension]
        out.append(slice_in_dim(ct, start, start + n, axis=dimension) if ad_util.is_undefined(o) else None)
        start += n
    return out


def _concatenate_batch(args, dims, *, dimension):
    bdim = next(d for d in dims if d is not None)
    size = templates.batch_size(args, dims)
    moved = []
    for x, d in zip(args, dims):
        if d is None:
            shape = list(templates.shape_of(x))
            shape.insert(bdim, size)
            kept = tuple(i + (i >= bdim) for i in range(len(shape) - 1))
            x = broadcast_in_dim(x, shape, kept)
        else:
            x = templates.moveaxis(x, d, bdim)
        moved.append(x)
    return concatenate_p.bind(*moved, dimension=dimension + (dimension >= bdim)), bdim


concatenate_p = _linear_shape_primitive(
    "concatenate",
    suspicious=_concatenate_suspicious,
    impl=_concatenate_impl,
    abstract_eval=_concatenate_abstract,
    batch=_concatenate_batch,
    transpose=_concatenate_transpose,
    emit=lambda args, params, src, avals: f"xp.concatenate(({', '.join(args)},), axis={params['dimension']})",
)


def concatenate(operands, dimension: int):
    """lax.concatenate: join operands of one dtype along `dimension` (their other sizes agree)."""
    operands = list(operands)
    if not operands:
        raise ValueError("lax.concatenate needs at least one operand")
    ndim = aval_of(operands[0]).ndim
    if ndim and -ndim <= dimension < 0:
        dimension += ndim
    if len(operands) == 1:
        _concatenate_abstract(aval_of(operands[0]), dimension=int(dimension))
        return to_concrete_array(operands[0]) if isinstance(operands[0], np.ndarray) else operands[0]
    return concatenate_p.bind(*operands, dimension=int(dimension))


__all__ = [
    "broadcast_in_dim", "reshape", "transpose", "slice", "slice_in_dim", "pad",
    "squeeze", "expand_dims", "broadcast", "rev", "concatenate",
]
