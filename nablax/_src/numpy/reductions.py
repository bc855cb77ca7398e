"""Reductions of nablax.numpy: sum, prod, mean, var, std, max, min, argmax, any, all, ...

Written on lax. dtypes follow JAX: sums and products of bool and small integers give the
default integer (int32, or int64 with x64); means and variances of integers give the
default float; max/min keep the dtype; argmax/argmin give the default integer.
"""
from __future__ import annotations

import builtins
import operator

import numpy as np

from .. import dtypes
from ..primitives import elementwise as ew
from ..primitives import misc, shape, sorting, special
from ..primitives import reductions as red
from .promotion import as_array, check_arraylike, promote_args_inexact

# ------------------------------------------------------------------------------- helpers


def _arg(fname: str, a):
    check_arraylike(fname, a)
    return as_array(a)


def _no_out(fname: str, out) -> None:
    if out is not None:
        raise NotImplementedError(f"jnp.{fname}: the `out` argument is not supported (nablax arrays are "
                                  "immutable); use the returned value")


def _axis_index(fname: str, a, ndim: int) -> int:
    try:
        a = operator.index(a)
    except TypeError:
        raise TypeError(f"jnp.{fname}: axis must be an int, a tuple of ints or None, got {a!r}") from None
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(f"jnp.{fname}: axis {a} is out of bounds for an array of dimension {ndim}")
    return a % ndim


def canonical_axes(fname: str, axis, ndim: int) -> tuple:
    """`axis` (None, an int or a sequence of ints, possibly negative) as sorted axis numbers."""
    if axis is None:
        return tuple(range(ndim))
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = [_axis_index(fname, a, ndim) for a in items]
    if len(set(out)) != len(out):
        raise ValueError(f"jnp.{fname}: duplicate value in 'axis': {axis}")
    return tuple(sorted(out))


def canonical_axis(fname: str, axis, ndim: int) -> int:
    """A single axis (int, possibly negative) as an axis number."""
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"jnp.{fname}: axis must be an int or None, got {axis!r}")
    return _axis_index(fname, axis, ndim)


def _cast(x, dtype):
    """Convert to `dtype`, strongly typed: as in JAX, jnp reductions of weakly typed values
    (e.g. jnp.sum(2.0)) are not weak. A strong value of `dtype` is returned as is."""
    return x if x.dtype == dtype and not x.weak_type else misc.convert_element_type(x, dtype)


def _keep(r, in_shape: tuple, axes: tuple):
    return shape.reshape(r, tuple(1 if i in axes else d for i, d in enumerate(in_shape)))


def _broadcast_to(fname: str, x, target: tuple):
    if tuple(x.shape) == tuple(target):
        return x
    try:
        ok = np.broadcast_shapes(tuple(x.shape), tuple(target)) == tuple(target)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"jnp.{fname}: `where` of shape {tuple(x.shape)} does not broadcast to the "
                         f"array's shape {tuple(target)}")
    lead = len(target) - x.ndim
    return shape.broadcast_in_dim(x, tuple(target), tuple(range(lead, len(target))))


def _where_mask(fname: str, where, target: tuple):
    w = _arg(fname, where)
    if w.dtype != np.bool_:
        w = _to_bool(w)
    return _broadcast_to(fname, w, target)


def _to_bool(x):
    return x if x.dtype == np.bool_ else ew.ne(x, 0)


def _logical_and(a, b):
    return ew.select_n(a, a, b)


def _isnan(x):
    return ew.ne(x, x)


def _count(in_shape: tuple, axes: tuple) -> int:
    n = 1
    for a in axes:
        n *= in_shape[a]
    return n


def sum_accumulation_dtype(x_dtype: np.dtype) -> np.dtype:
    """The dtype jnp.sum (and prod, cumsum, trace) gives x: bool and integers narrower than the
    default int widen to it (unsigned ones to the default uint), as in JAX."""
    if x_dtype.kind == "b":
        return dtypes.default_int_dtype()
    if x_dtype.kind == "i" and x_dtype.itemsize < dtypes.default_int_dtype().itemsize:
        return dtypes.default_int_dtype()
    if x_dtype.kind == "u" and x_dtype.itemsize < dtypes.default_uint_dtype().itemsize:
        return dtypes.default_uint_dtype()
    return x_dtype


def _sum_dtype(fname: str, dtype, x_dtype, promote_integers: bool = True) -> np.dtype:
    """The user's `dtype`, checked, or JAX's accumulation dtype for x (see sum_accumulation_dtype)."""
    if dtype is not None:
        return dtypes.check_user_dtype(dtype, f"jnp.{fname}", stacklevel=4)
    return sum_accumulation_dtype(x_dtype) if promote_integers else x_dtype


def _inexact_dtypes(fname: str, dtype, x_dtype) -> tuple[np.dtype, np.dtype]:
    """(result dtype, computation dtype) of mean/var: ints become the default float, and
    16-bit floats are accumulated in float32."""
    if dtype is None:
        res = dtypes.to_inexact_dtype(x_dtype)
    else:
        res = dtypes.to_inexact_dtype(dtypes.check_user_dtype(dtype, f"jnp.{fname}", stacklevel=4))
    return res, red.accumulation_dtype(res)


def _reduce(fname, a, lax_fn, combine, axis, dtype, out, keepdims, initial, where, identity):
    """The shared body of sum/prod/max/min/any/all. `dtype` is the dtype to reduce in;
    `identity` fills the positions `where` excludes (None: the caller's `initial` must)."""
    _no_out(fname, out)
    x = _cast(a, dtype)
    in_shape = tuple(x.shape)
    axes = canonical_axes(fname, axis, x.ndim)
    if where is not None:
        if identity is None:
            if initial is None:
                raise ValueError(f"jnp.{fname}: reduction operation {fname} does not have an identity, so to use "
                                 "a where mask one has to specify 'initial'")
            identity = initial
        fill = _cast(as_array(identity), x.dtype) if not isinstance(identity, (bool, int, float, complex)) else identity
        x = ew.select_n(_where_mask(fname, where, in_shape), fill, x)
    elif identity is None and initial is None and _count(in_shape, axes) == 0:
        raise ValueError(f"jnp.{fname}: zero-size array to reduction operation {fname} which has no identity")
    r = lax_fn(x, axes)
    if initial is not None:
        r = combine(r, _cast(_arg(fname, initial), x.dtype))
    return _keep(r, in_shape, axes) if keepdims else r


# ------------------------------------------------------------------- sum, prod, max, min


def _upcast_16bit(reduce, fname, x, lax_fn, combine, axis, dtype, *rest):
    """`reduce(...)` in float32 when `dtype` is a 16-bit float, cast back to it (JAX's jaxpr:
    convert_element_type, reduce_sum in f32, convert_element_type)."""
    acc = red.accumulation_dtype(dtype)
    if acc == dtype:
        return reduce(fname, x, lax_fn, combine, axis, dtype, *rest)
    return misc.convert_element_type(reduce(fname, x, lax_fn, combine, axis, acc, *rest), dtype)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,  # noqa: A001
        promote_integers=True):
    """jnp.sum: bool and small integers are summed in the default integer dtype; 16-bit
    floats in float32 (rounded once at the end), as in JAX."""
    x = _arg("sum", a)
    return _upcast_16bit(_reduce, "sum", x, red.reduce_sum, ew.add, axis,
                         _sum_dtype("sum", dtype, x.dtype, promote_integers), out, keepdims, initial, where, 0)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
    """jnp.prod: bool and small integers are multiplied in the default integer dtype; 16-bit
    floats in float32 (rounded once at the end), as in JAX."""
    x = _arg("prod", a)
    return _upcast_16bit(_reduce, "prod", x, red.reduce_prod, ew.mul, axis,
                         _sum_dtype("prod", dtype, x.dtype, promote_integers), out, keepdims, initial, where, 1)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """jnp.max (amax): NaN propagates; `where` needs `initial`; gradients split evenly between ties."""
    x = _arg("max", a)
    return _reduce("max", x, red.reduce_max, ew.max, axis, x.dtype, out, keepdims, initial, where, None)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """jnp.min (amin): NaN propagates; `where` needs `initial`; gradients split evenly between ties."""
    x = _arg("min", a)
    return _reduce("min", x, red.reduce_min, ew.min, axis, x.dtype, out, keepdims, initial, where, None)


amax = max
amin = min


def any(a, axis=None, out=None, keepdims=False, *, where=None):  # noqa: A001
    """jnp.any: whether any element (along `axis`) is nonzero."""
    x = _to_bool(_arg("any", a))
    return _reduce("any", x, red.reduce_or, None, axis, x.dtype, out, keepdims, None, where, False)


def all(a, axis=None, out=None, keepdims=False, *, where=None):  # noqa: A001
    """jnp.all: whether every element (along `axis`) is nonzero."""
    x = _to_bool(_arg("all", a))
    return _reduce("all", x, red.reduce_and, None, axis, x.dtype, out, keepdims, None, where, True)


def ptp(a, axis=None, out=None, keepdims=False):
    """jnp.ptp: max - min along `axis` ("peak to peak")."""
    x = _arg("ptp", a)
    _no_out("ptp", out)
    return ew.sub(max(x, axis, keepdims=keepdims), min(x, axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    """jnp.count_nonzero: the number of nonzero elements, in the default integer dtype."""
    x = _to_bool(_arg("count_nonzero", a))
    return sum(misc.convert_element_type(x, dtypes.default_int_dtype()), axis, keepdims=keepdims)


# --------------------------------------------------------------------- mean, var, std


def _mean(x, axes: tuple, mask):
    """Mean of x (already of the computation dtype) over `axes`; `mask` selects elements."""
    if mask is None:
        return ew.div(red.reduce_sum(x, axes), builtins.float(_count(tuple(x.shape), axes)))
    total = red.reduce_sum(ew.select_n(mask, 0, x), axes)
    return ew.div(total, red.reduce_sum(misc.convert_element_type(mask, x.dtype), axes))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """jnp.mean: integers average in the default float dtype; float16 accumulates in float32."""
    _no_out("mean", out)
    x = _arg("mean", a)
    res, comp = _inexact_dtypes("mean", dtype, x.dtype)
    x = _cast(x, comp)
    in_shape = tuple(x.shape)
    axes = canonical_axes("mean", axis, x.ndim)
    mask = None if where is None else _where_mask("mean", where, in_shape)
    r = _cast(_mean(x, axes, mask), res)
    return _keep(r, in_shape, axes) if keepdims else r


def _abs2(c):
    """|c|^2, real, for real or complex c."""
    if c.dtype.kind != "c":
        return ew.mul(c, c)
    re, im = ew.real(c), ew.imag(c)
    return ew.add(ew.mul(re, re), ew.mul(im, im))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """jnp.var: mean squared deviation, divided by N - ddof (`correction` is ddof's new name)."""
    _no_out("var", out)
    if correction is not None:
        if ddof != 0:
            raise ValueError("jnp.var: ddof and correction can't both be specified")
        ddof = correction
    x = _arg("var", a)
    res, comp = _inexact_dtypes("var", dtype, x.dtype)
    x = _cast(x, comp)
    in_shape = tuple(x.shape)
    axes = canonical_axes("var", axis, x.ndim)
    kept = tuple(i for i in range(x.ndim) if i not in axes)
    mask = None if where is None else _where_mask("var", where, in_shape)
    centered = ew.sub(x, shape.broadcast_in_dim(_mean(x, axes, mask), in_shape, kept))
    sq = _abs2(centered)
    # N - ddof <= 0 gives NaN, as in JAX (NumPy divides by zero: inf).
    if mask is None:
        n = _count(in_shape, axes) - ddof
        r = ew.div(red.reduce_sum(sq, axes), builtins.float(n) if n > 0 else np.nan)
    else:
        sq = ew.select_n(mask, 0, sq)
        n = ew.sub(red.reduce_sum(misc.convert_element_type(mask, sq.dtype), axes), builtins.float(ddof))
        r = ew.div(red.reduce_sum(sq, axes), ew.select_n(ew.gt(n, 0.0), np.nan, n))
    r = _cast(r, dtypes.complex_to_real(res))
    return _keep(r, in_shape, axes) if keepdims else r


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """jnp.std: the square root of jnp.var."""
    return special.sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """jnp.average: the (weighted) mean; with `returned`, also the sum of the weights."""
    x = _arg("average", a)
    if weights is None:
        avg = mean(x, axis, keepdims=keepdims)
        n = x.size // builtins.max(avg.size, 1) if x.size else 0
        scale = shape.broadcast_in_dim(misc.convert_element_type(as_array(n), avg.dtype), tuple(avg.shape), ())
        return (avg, scale) if returned else avg
    check_arraylike("average", weights)
    x, w = promote_args_inexact("average", x, weights)
    if tuple(w.shape) != tuple(x.shape):
        if axis is None:
            raise TypeError("jnp.average: axis must be specified when shapes of a and weights differ")
        if w.ndim != 1:
            raise TypeError("jnp.average: 1D weights expected when shapes of a and weights differ")
        ax = canonical_axis("average", axis, x.ndim)
        if w.shape[0] != x.shape[ax]:
            raise ValueError(f"jnp.average: length of weights ({w.shape[0]}) is not compatible with axis {ax} "
                             f"of shape {tuple(x.shape)}")
        w = shape.broadcast_in_dim(w, tuple(x.shape), (ax,))
    wsum = sum(w, axis, keepdims=keepdims)
    avg = ew.div(sum(ew.mul(x, w), axis, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg


# ------------------------------------------------------------------------ NaN-ignoring


def _nan_to(x, value):
    return ew.select_n(_isnan(x), x, value) if dtypes.is_inexact(x.dtype) else x


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nansum: sum treating NaNs as zero."""
    return sum(_nan_to(_arg("nansum", a), 0), axis, dtype, out, keepdims, initial, where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanprod: product treating NaNs as one."""
    return prod(_nan_to(_arg("nanprod", a), 1), axis, dtype, out, keepdims, initial, where)


def _nan_extreme(fname, fn, fill, a, axis, out, keepdims, initial, where):
    x = _arg(fname, a)
    if not dtypes.is_inexact(x.dtype):
        return fn(x, axis, out, keepdims, initial, where)
    nan = _isnan(x)
    r = fn(ew.select_n(nan, x, fill), axis, out, keepdims, initial, where)
    all_nan = all(nan, axis, keepdims=keepdims, where=where)
    return ew.select_n(all_nan, r, np.nan)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanmax: max ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme("nanmax", max, -np.inf, a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanmin: min ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme("nanmin", min, np.inf, a, axis, out, keepdims, initial, where)


def _not_nan_where(fname, x, where):
    ok = ew.eq(x, x)
    return ok if where is None else _logical_and(ok, _where_mask(fname, where, tuple(x.shape)))


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """jnp.nanmean: mean of the non-NaN elements."""
    x = _arg("nanmean", a)
    if not dtypes.is_inexact(x.dtype):
        return mean(x, axis, dtype, out, keepdims, where=where)
    return mean(x, axis, dtype, out, keepdims, where=_not_nan_where("nanmean", x, where))


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """jnp.nanvar: variance of the non-NaN elements."""
    x = _arg("nanvar", a)
    if dtypes.is_inexact(x.dtype):
        where = _not_nan_where("nanvar", x, where)
    return var(x, axis, dtype, out, ddof, keepdims, where=where, correction=correction)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    """jnp.nanstd: standard deviation of the non-NaN elements."""
    return special.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, correction=correction))


# ---------------------------------------------------------------------- argmax, argmin


def _arg_extreme(fname, lax_fn, a, axis, out, keepdims):
    _no_out(fname, out)
    x = _arg(fname, a)
    in_shape = tuple(x.shape)
    if axis is None:
        ax = 0
        x = shape.reshape(x, (x.size,))
    else:
        ax = canonical_axis(fname, axis, x.ndim)
    if x.shape[ax] == 0:
        raise ValueError(f"jnp.{fname}: attempt to get {fname} of an empty sequence")
    r = lax_fn(x, ax, dtypes.default_int_dtype())
    if keepdims:
        kept = tuple(range(len(in_shape))) if axis is None else (ax,)
        r = _keep(r, in_shape, kept)
    return r


def argmax(a, axis=None, out=None, keepdims=None):
    """jnp.argmax: index of the first maximum (of the flattened array when axis is None)."""
    return _arg_extreme("argmax", red.argmax, a, axis, out, keepdims)


def argmin(a, axis=None, out=None, keepdims=None):
    """jnp.argmin: index of the first minimum (of the flattened array when axis is None)."""
    return _arg_extreme("argmin", red.argmin, a, axis, out, keepdims)


# --------------------------------------------------------------------- cumulative ops


def _cumulative(fname, lax_fn, a, axis, dtype, out, fill=None, promote_integers=False):
    """Running sums/products. As in JAX, bool becomes the default integer but other integer
    dtypes are kept (jnp.cumsum of int8 is int8), except in jnp.cumulative_sum."""
    _no_out(fname, out)
    x = _arg(fname, a)
    if fill is not None:
        x = _nan_to(x, fill)
    if dtype is None and not promote_integers and x.dtype.kind != "b":
        x = _cast(x, x.dtype)
    else:
        x = _cast(x, _sum_dtype(fname, dtype, x.dtype))
    if axis is None:
        x = shape.reshape(x, (x.size,))
        ax = 0
    else:
        ax = canonical_axis(fname, axis, x.ndim)
    return lax_fn(x, ax)


def cumsum(a, axis=None, dtype=None, out=None):
    """jnp.cumsum: running sum (of the flattened array when axis is None)."""
    return _cumulative("cumsum", sorting.cumsum, a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    """jnp.cumprod: running product (of the flattened array when axis is None)."""
    return _cumulative("cumprod", sorting.cumprod, a, axis, dtype, out)


def nancumsum(a, axis=None, dtype=None, out=None):
    """jnp.nancumsum: running sum treating NaNs as zero."""
    return _cumulative("nancumsum", sorting.cumsum, a, axis, dtype, out, fill=0)


def nancumprod(a, axis=None, dtype=None, out=None):
    """jnp.nancumprod: running product treating NaNs as one."""
    return _cumulative("nancumprod", sorting.cumprod, a, axis, dtype, out, fill=1)


def _cumulative_array_api(fname, lax_fn, identity, x, axis, dtype, include_initial):
    x = _arg(fname, x)
    if x.ndim == 0:
        raise ValueError(f"jnp.{fname} does not accept 0-d arrays")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"jnp.{fname}: axis must be specified for arrays of more than one dimension")
        axis = 0
    r = _cumulative(fname, lax_fn, x, axis, dtype, None, promote_integers=fname == "cumulative_sum")
    if include_initial:
        ax = canonical_axis(fname, axis, x.ndim)
        config = [(0, 0, 0)] * r.ndim
        config[ax] = (1, 0, 0)
        r = shape.pad(r, _cast(as_array(identity), r.dtype), config)
    return r


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """jnp.cumulative_sum (Array API): cumsum, optionally starting with a zero."""
    return _cumulative_array_api("cumulative_sum", sorting.cumsum, 0, x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """jnp.cumulative_prod (Array API): cumprod, optionally starting with a one."""
    return _cumulative_array_api("cumulative_prod", sorting.cumprod, 1, x, axis, dtype, include_initial)


__all__ = [
    "sum", "prod", "max", "min", "amax", "amin", "any", "all", "ptp", "count_nonzero",
    "mean", "var", "std", "average", "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
    "argmax", "argmin", "cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum", "cumulative_prod",
]

METHODS = {
    "sum": sum, "prod": prod, "max": max, "min": min, "any": any, "all": all, "ptp": ptp,
    "mean": mean, "var": var, "std": std, "argmax": argmax, "argmin": argmin,
    "cumsum": cumsum, "cumprod": cumprod,
}
