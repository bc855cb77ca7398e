"""jnp's statistics and calculus on samples: quantile, percentile (and their NaN-ignoring
forms), nanmedian, nanargmax/nanargmin, cov, corrcoef; diff, ediff1d, gradient, interp,
trapezoid, unwrap, cross.

Quantiles sort the reduced axes (gathered into one trailing axis) and read the two order
statistics around q * (n - 1) with take_along_axis, so gradients flow to the elements that
were picked, as in JAX. The calculus is written on slices and jnp arithmetic; interp finds
each point's interval with one sort of the breakpoints and the points together.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import dtypes
from ..primitives import elementwise as ew
from ..primitives import misc, shape, sorting
from . import creation as cr
from . import indexing as jix
from . import joining as jj
from . import linalg as jla
from . import reductions as jred
from . import shape as jsh
from . import ufuncs as uf
from .promotion import as_array, check_arraylike, promote_args, promote_args_inexact
from .shape import _index

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


# ------------------------------------------------------------------------------ quantiles


def _to_trailing_axis(x, axes: tuple):
    """x with the axes `axes` moved to the end and merged into one."""
    kept = tuple(i for i in range(x.ndim) if i not in axes)
    n = math.prod(x.shape[a] for a in axes)
    moved = shape.transpose(x, kept + axes) if kept + axes != tuple(range(x.ndim)) else x
    return shape.reshape(moved, tuple(x.shape[i] for i in kept) + (n,))


def _weights_like(fname: str, a, weights, axis, axes: tuple):
    """`weights` checked and broadcast to a's shape (they may give only the reduced axes)."""
    if weights.dtype.kind == "c":
        raise ValueError(f"jnp.{fname}: weights cannot be complex")
    if tuple(weights.shape) == tuple(a.shape):
        return weights
    if axis is None:
        raise ValueError(f"jnp.{fname}: weights shape {tuple(weights.shape)} must match the shape of `a` "
                         f"{tuple(a.shape)} when axis is None")
    want = tuple(a.shape[ax] for ax in axes)
    if tuple(weights.shape) != want:
        raise ValueError(f"jnp.{fname}: weights shape {tuple(weights.shape)} must match the reduction axes {want}")
    return shape.broadcast_in_dim(weights, tuple(a.shape), axes)


def _gather_last(x, idx):
    return jix.take_along_axis(x, idx, axis=-1)


def _interpolated(method: str, srt, pos, n, q_dtype):
    """The quantile at fractional positions `pos` (..., nq) of the sorted rows `srt` (..., n),
    combined as `method` says; `n` (a number or an (..., 1) array) counts the valid elements."""
    low, high = uf.floor(pos), uf.ceil(pos)
    high_w = ew.sub(pos, low)
    top = ew.sub(n, 1.0)
    int_dtype = dtypes.default_int_dtype()

    def index(p):
        return misc.convert_element_type(ew.max(ew.min(p, top), 0.0), int_dtype)

    lo_v, hi_v = _gather_last(srt, index(low)), _gather_last(srt, index(high))
    if method == "linear":
        lo_q, hi_q = misc.convert_element_type(lo_v, q_dtype), misc.convert_element_type(hi_v, q_dtype)
        return ew.add(ew.mul(lo_q, ew.sub(1.0, high_w)), ew.mul(hi_q, high_w))
    if method == "lower":
        return lo_v
    if method == "higher":
        return hi_v
    if method == "nearest":  # (JAX: the lower one at exactly half way)
        return ew.select_n(ew.le(high_w, 0.5), hi_v, lo_v)
    return ew.mul(ew.add(lo_v, hi_v), 0.5)  # midpoint


def _inverted_cdf(srt, w, q, squash_nans: bool):
    """The first sorted element whose cumulative weight reaches q * total weight. Negative or
    NaN weights make the result NaN; NaN data carry no weight."""
    bad = ew.select_n(ew.lt(w, 0.0), ew.ne(w, w), True)
    nan_data = ew.ne(srt, srt)
    clean = ew.select_n(ew.select_n(bad, nan_data, True), w, 0.0)
    cum = sorting.cumsum(clean, clean.ndim - 1)
    total = shape.slice_in_dim(cum, cum.shape[-1] - 1, cum.shape[-1], axis=cum.ndim - 1)
    target = ew.mul(total, q)  # (..., nq)
    below = ew.lt(jsh.expand_dims(cum, -2), jsh.expand_dims(target, -1))  # (..., nq, n)
    idx = jred.sum(below, axis=-1)
    valid = jred.sum(ew.eq(srt, srt), axis=-1, keepdims=True) if squash_nans else srt.shape[-1]
    idx = ew.max(ew.min(idx, ew.sub(valid, 1)), 0)
    out = _gather_last(srt, idx)
    force = jred.any(bad, axis=-1, keepdims=True)
    missing = ew.eq(valid, 0) if squash_nans else jred.any(nan_data, axis=-1, keepdims=True)
    return ew.select_n(ew.select_n(force, missing, True), out, np.nan)


def _quantile(fname: str, a, q, axis, out, overwrite_input, method, keepdims, squash_nans, weights):
    if out is not None or overwrite_input:
        raise ValueError(f"jnp.{fname} does not support overwrite_input=True or out != None")
    check_arraylike(fname, a, q)
    if method not in _METHODS:
        raise ValueError(f"jnp.{fname}: method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' "
                         f"or 'inverted_cdf', got {method!r}")
    a = as_array(a)
    if weights is not None:
        check_arraylike(fname, weights)
        if method != "inverted_cdf":
            raise NotImplementedError(f"jnp.{fname}: method {method!r} does not support weights; only "
                                      "method='inverted_cdf' does")
        a, weights = promote_args_inexact(fname, a, weights)
    else:
        (a,) = promote_args_inexact(fname, a)
    if a.dtype.kind == "c":
        raise ValueError(f"jnp.{fname} does not support complex input (the order of complex numbers is not defined)")
    q = as_array(q)
    if q.ndim > 1:
        raise ValueError(f"jnp.{fname}: q must have rank <= 1, got shape {tuple(q.shape)}")
    if not dtypes.is_inexact(q.dtype) or q.dtype.kind == "c":
        raise TypeError(f"jnp.{fname}: q must be a real floating-point value, got dtype {q.dtype}")
    a = jred._cast(a, a.dtype)
    axes = jred.canonical_axes(fname, axis, a.ndim)
    if weights is not None:
        weights = _to_trailing_axis(_weights_like(fname, a, weights, axis, axes), axes)
    in_shape = tuple(a.shape)
    rows = _to_trailing_axis(a, axes)
    n = rows.shape[-1]
    if n == 0:  # (a TypeError, as JAX's gather gives)
        raise TypeError(f"jnp.{fname} of an empty array (or of empty axes) is undefined")
    if not squash_nans:
        rows = ew.select_n(jred.any(ew.ne(rows, rows), axis=-1, keepdims=True), rows, np.nan)
    if weights is None:
        srt, w = sorting.sort(rows, rows.ndim - 1), None
    else:
        srt, w = sorting.sort((rows, weights), rows.ndim - 1, num_keys=1)
    qv = shape.reshape(q, (q.size,))
    if method == "inverted_cdf":
        r = _inverted_cdf(srt, cr.ones_like(srt) if w is None else w, qv, squash_nans)
    else:
        count = jred.sum(ew.eq(srt, srt), axis=-1, keepdims=True, dtype=q.dtype) if squash_nans else float(n)
        pos = jsh.broadcast_to(ew.mul(qv, ew.sub(count, 1.0)), tuple(srt.shape[:-1]) + (q.size,))
        r = _interpolated(method, srt, pos, count, q.dtype)
    # (..., nq) -> q's shape + the result's shape
    r = shape.transpose(r, (r.ndim - 1,) + tuple(range(r.ndim - 1)))
    kept_shape = tuple(1 if i in axes else d for i, d in enumerate(in_shape)) if keepdims else \
        tuple(d for i, d in enumerate(in_shape) if i not in axes)
    r = shape.reshape(r, tuple(q.shape) + kept_shape)
    return jred._cast(r, a.dtype)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """jnp.quantile: the q-th quantiles (q in [0, 1], scalar or 1-d; q's axis first) along `axis`.
    Any NaN makes the result NaN; `weights` need method='inverted_cdf'."""
    return _quantile("quantile", a, q, axis, out, overwrite_input, method, keepdims, False, weights)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """jnp.nanquantile: jnp.quantile ignoring NaNs (NaN where every element is NaN)."""
    return _quantile("nanquantile", a, q, axis, out, overwrite_input, method, keepdims, True, weights)


def _percent(fname: str, q):
    check_arraylike(fname, q)
    (q,) = promote_args_inexact(fname, q)
    return ew.div(q, 100.0)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None,
               out_sharding=None):
    """jnp.percentile: jnp.quantile with q in percent (0 to 100)."""
    if out_sharding is not None:
        raise NotImplementedError("jnp.percentile: out_sharding is not supported (nablax has no shardings)")
    return _quantile("percentile", a, _percent("percentile", q), axis, out, overwrite_input, method, keepdims,
                     False, weights)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None):
    """jnp.nanpercentile: jnp.nanquantile with q in percent (0 to 100)."""
    return _quantile("nanpercentile", a, _percent("nanpercentile", q), axis, out, overwrite_input, method, keepdims,
                     True, weights)


def median_of(fname: str, a, axis, out, overwrite_input, keepdims, squash_nans: bool):
    """The median as JAX computes it: the 'midpoint' quantile at 0.5."""
    return _quantile(fname, a, 0.5, axis, out, overwrite_input, "midpoint", keepdims, squash_nans, None)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """jnp.nanmedian: the median of the non-NaN elements (NaN where every element is NaN)."""
    return median_of("nanmedian", a, axis, out, overwrite_input, keepdims, True)


# ------------------------------------------------------------------ nanargmax, nanargmin


def _nan_arg_extreme(fname: str, arg_fn, fill: float, a, axis, out, keepdims):
    if out is not None:
        raise NotImplementedError(f"jnp.{fname}: the 'out' argument is not supported; use the returned value")
    check_arraylike(fname, a)
    x = as_array(a)
    axis = None if axis is None else operator.index(axis)
    keepdims = bool(keepdims)
    if not dtypes.is_inexact(x.dtype):
        return arg_fn(x, axis, keepdims=keepdims)
    nan = ew.ne(x, x)
    r = arg_fn(ew.select_n(nan, x, fill), axis, keepdims=keepdims)
    return ew.select_n(jred.all(nan, axis, keepdims=keepdims), r, -1)


def nanargmax(a, axis=None, out=None, keepdims=None):
    """jnp.nanargmax: index of the first maximum ignoring NaNs; -1 where every element is NaN (as JAX)."""
    return _nan_arg_extreme("nanargmax", jred.argmax, -np.inf, a, axis, out, keepdims)


def nanargmin(a, axis=None, out=None, keepdims=None):
    """jnp.nanargmin: index of the first minimum ignoring NaNs; -1 where every element is NaN (as JAX)."""
    return _nan_arg_extreme("nanargmin", jred.argmin, np.inf, a, axis, out, keepdims)


# ------------------------------------------------------------------------ cov, corrcoef


def _check_inexact_dtype(fname: str, dtype):
    if dtype is not None and not dtypes.is_inexact(np.dtype(dtype)):
        raise ValueError(f"jnp.{fname}: dtype must be a subclass of float or complex; got dtype={dtype}")


def _sample_weights(x_cols: int, fweights, aweights):
    """(product of the frequency and analytic weights or None, the analytic weights or None)."""
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        check_arraylike("cov", wt)
        wt = as_array(wt)
        if wt.ndim > 1:
            raise RuntimeError(f"jnp.cov: cannot handle multidimensional {name}")
        if wt.shape[0] != x_cols:
            raise RuntimeError(f"jnp.cov: incompatible numbers of samples ({x_cols}) and {name} ({wt.shape[0]})")
        if name == "fweights" and wt.dtype.kind not in "iu":
            raise TypeError("jnp.cov: fweights must be integer")
        wt = uf.abs(wt)  # (JAX takes |w|; NumPy rejects negative weights)
        if name == "aweights":
            aweights = wt
        w = wt if w is None else uf.multiply(w, wt)
    return w, aweights


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    """jnp.cov: the covariance matrix of the variables in the rows of `m` (columns if not rowvar),
    with `y` as more variables; frequency and analytic weights as NumPy."""
    args = (m,) if y is None else (m, y)
    check_arraylike("cov", *args)
    args = promote_args_inexact("cov", *args)
    m = args[0]
    if y is not None and args[1].ndim > 2:
        raise ValueError("jnp.cov: y has more than 2 dimensions")
    if m.ndim > 2:
        raise ValueError("jnp.cov: m has more than 2 dimensions")
    _check_inexact_dtype("cov", dtype)
    x = jsh.atleast_2d(m)
    if not rowvar and m.ndim != 1:
        x = jsh.transpose(x)
    if x.shape[0] == 0:
        return jsh.reshape(cr.array([]), (0, 0))
    if y is not None:
        yy = jsh.atleast_2d(args[1])
        if not rowvar and yy.shape[0] != 1:
            yy = jsh.transpose(yy)
        x = jj.concatenate((x, yy), axis=0)
    if x.shape[1] == 0:
        return cr.full(() if x.shape[0] == 1 else (x.shape[0], x.shape[0]), np.nan, dtype=x.dtype)
    if ddof is None:
        ddof = 0 if bias else 1
    w, aw = _sample_weights(x.shape[1], fweights, aweights)
    if dtype is not None:
        x = jsh.astype(x, dtype)
        w = None if w is None else jsh.astype(w, dtype)
    avg, w_sum = jred.average(x, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        f = x.shape[1] - ddof
    elif ddof == 0:
        f = w_sum
    elif aw is None:
        f = w_sum - ddof
    else:
        f = w_sum - ddof * jred.sum(w * aw) / w_sum
    x = x - avg[:, None]
    xt = jsh.transpose(x if w is None else x * w)
    return jsh.squeeze(uf.true_divide(jla.dot(x, uf.conjugate(xt)), f))


def corrcoef(x, y=None, rowvar=True, dtype=None):
    """jnp.corrcoef: Pearson correlation coefficients (cov scaled by the standard deviations,
    clipped to [-1, 1])."""
    check_arraylike("corrcoef", x)
    _check_inexact_dtype("corrcoef", dtype)
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return uf.divide(c, c)  # (nan for 0/0 and inf/inf, 1 otherwise)
    std = jsh.astype(uf.sqrt(uf.real(jsh.diag(c))), c.dtype)
    c = c / std[:, None] / std[None, :]
    re = uf.clip(uf.real(c), -1, 1)
    if c.dtype.kind != "c":
        return re
    return ew.complex(re, uf.clip(uf.imag(c), -1, 1))


# ------------------------------------------------------------------------------ calculus


def _edge(fname: str, v, like, axis: int):
    """A prepend/append value: a scalar grows to a one-long slice of `like` along `axis`."""
    check_arraylike(fname, v)
    v = as_array(v)
    if v.ndim == 0:
        target = list(like.shape)
        target[axis] = 1
        v = jsh.broadcast_to(v, tuple(target))
    return v


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """jnp.diff: the n-th discrete difference along `axis` (not-equal for bools), after
    adding `prepend`/`append` at the ends."""
    check_arraylike("diff", a)
    arr = as_array(a)
    n = _index("diff", n, "n")
    axis = _index("diff", axis, "axis")
    if n == 0:
        return arr
    if n < 0:
        raise ValueError(f"jnp.diff: order must be non-negative but got {n}")
    if arr.ndim == 0:
        raise ValueError("jnp.diff requires input that is at least one dimensional")
    axis = jred.canonical_axis("diff", axis, arr.ndim)
    parts = [arr]
    if prepend is not None:
        parts.insert(0, _edge("diff", prepend, arr, axis))
    if append is not None:
        parts.append(_edge("diff", append, arr, axis))
    if len(parts) > 1:
        arr = jj.concatenate(parts, axis)
    op = uf.not_equal if arr.dtype == np.bool_ else uf.subtract
    for _ in range(n):
        size = arr.shape[axis]
        arr = op(shape.slice_in_dim(arr, min(1, size), size, axis=axis), shape.slice_in_dim(arr, 0, max(size - 1, 0), axis=axis))
    return arr


def ediff1d(ary, to_end=None, to_begin=None):
    """jnp.ediff1d: differences of the flattened array, with `to_begin`/`to_end` (cast to its
    dtype) around them."""
    check_arraylike("ediff1d", ary)
    arr = jsh.ravel(as_array(ary))
    def edge(v):
        check_arraylike("ediff1d", v)
        return [jsh.ravel(jsh.astype(as_array(v), arr.dtype))]

    parts = ([] if to_begin is None else edge(to_begin)) + [uf.subtract(arr[1:], arr[:-1])] + \
        ([] if to_end is None else edge(to_end))
    return parts[0] if len(parts) == 1 else jj.concatenate(parts)


def _gradient_along(f, h, axis: int):
    """Central differences inside, one-sided at the two ends; `h` a scalar spacing or the
    1-d coordinates along `axis`."""
    def part(x, lo, hi):
        return shape.slice_in_dim(x, lo, hi, axis=axis)

    n = f.shape[axis]
    first = uf.subtract(part(f, 1, 2), part(f, 0, 1))
    last = uf.subtract(part(f, n - 1, n), part(f, n - 2, n - 1))
    if h.ndim == 0:
        inner = uf.divide(uf.multiply(uf.subtract(part(f, 2, n), part(f, 0, n - 2)), 0.5), h)
        first, last = uf.divide(first, h), uf.divide(last, h)
    elif h.ndim == 1:
        if h.shape[0] != n:
            raise ValueError("jnp.gradient: spacing arrays must have the same length as the dimension along "
                             "which the gradient is calculated")
        h = shape.reshape(h, tuple(n if i == axis else 1 for i in range(f.ndim)))
        first = uf.divide(first, uf.subtract(part(h, 1, 2), part(h, 0, 1)))
        last = uf.divide(last, uf.subtract(part(h, n - 1, n), part(h, n - 2, n - 1)))
        d1 = uf.subtract(part(h, 1, n - 1), part(h, 0, n - 2))
        d2 = uf.subtract(part(h, 2, n), part(h, 1, n - 1))
        w0 = uf.negative(uf.divide(d2, uf.multiply(d1, uf.add(d1, d2))))
        w1 = uf.divide(uf.subtract(d2, d1), uf.multiply(d1, d2))
        w2 = uf.divide(d1, uf.multiply(d2, uf.add(d1, d2)))
        inner = uf.add(uf.add(uf.multiply(w0, part(f, 0, n - 2)), uf.multiply(w1, part(f, 1, n - 1))),
                        uf.multiply(w2, part(f, 2, n)))
    else:
        raise ValueError("jnp.gradient: spacing arrays must be 1D arrays or scalars")
    return jj.concatenate((first, inner, last), axis=axis)


def gradient(f, *varargs, axis=None, edge_order=None):
    """jnp.gradient: second-order central differences inside, first-order at the edges; one
    array per axis (a single array for a single axis). Spacings: scalars or coordinates."""
    if edge_order is not None:  # (as JAX)
        raise NotImplementedError("jnp.gradient: the 'edge_order' argument is not supported")
    check_arraylike("gradient", f, *varargs)
    a, *spacing = promote_args_inexact("gradient", f, *varargs)
    axes = tuple(range(a.ndim)) if axis is None else tuple(
        jred.canonical_axis("gradient", ax, a.ndim) for ax in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if not axes:
        return []
    if min(a.shape[ax] for ax in axes) < 2:
        raise ValueError("jnp.gradient: shape of array too small to calculate a numerical gradient, at least 2 "
                         "elements are required")
    if not spacing:
        spacing = [as_array(1.0)] * len(axes)
    elif len(spacing) == 1:
        spacing = spacing * len(axes)
    elif len(spacing) != len(axes):
        raise TypeError(f"jnp.gradient: invalid number of spacing arguments {len(spacing)} for axis={axis}")
    grads = [_gradient_along(a, h, ax) for ax, h in zip(axes, spacing)]
    return grads[0] if len(axes) == 1 else grads


def _count_at_most(xp, x):
    """For each element of x: how many elements of the sorted 1-d `xp` are <= it (NumPy's
    searchsorted(xp, x, side='right')), by one stable sort of both (breakpoints first among
    ties) and a second that puts the counts back in x's order."""
    n, xf = xp.shape[0], jsh.ravel(x)
    m = xf.shape[0]
    int_dtype = dtypes.default_int_dtype()
    keys = misc.stop_gradient(jj.concatenate([xp, xf]))
    tags = jj.concatenate([cr.zeros(n, int_dtype), cr.ones(m, int_dtype)])
    where = misc.broadcasted_iota(int_dtype, (n + m,), 0)
    _, s_tags, s_where = sorting.sort((keys, tags, where), 0, num_keys=2)
    counts = sorting.cumsum(uf.subtract(1, s_tags), 0)
    _, back = sorting.sort((s_where, counts), 0, num_keys=1)
    return jsh.reshape(back[n:], tuple(x.shape))


def _interp_end(fname: str, v, what: str):
    if isinstance(v, str):
        if v != "extrapolate":
            raise ValueError(f"jnp.{fname}: the only valid string value of `{what}` is 'extrapolate', got {v!r}")
        return None, True
    return v, False


def interp(x, xp, fp, left=None, right=None, period=None):
    """jnp.interp: piecewise-linear interpolation of (xp, fp) at x; `left`/`right` fill outside
    (or 'extrapolate'), `period` wraps the coordinates. fp may be complex."""
    check_arraylike("interp", x, xp, fp)
    if np.shape(xp) != np.shape(fp) or np.ndim(xp) != 1:
        raise ValueError("jnp.interp: xp and fp must be one-dimensional arrays of equal size")
    x, xp = promote_args_inexact("interp", x, xp)
    (fp,) = promote_args_inexact("interp", fp)
    left, extrapolate_left = _interp_end("interp", left, "left")
    right, extrapolate_right = _interp_end("interp", right, "right")
    if x.dtype.kind == "c":
        raise ValueError("jnp.interp: complex x values are not supported")
    if period is not None:
        if np.ndim(period) != 0:
            raise ValueError(f"jnp.interp: period must be a scalar; got {period}")
        period = uf.abs(period)
        x, xp = uf.remainder(x, period), uf.remainder(xp, period)
        xp, fp = sorting.sort((xp, fp), 0, num_keys=1)
        xp = jj.concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = jj.concatenate([fp[-1:], fp, fp[:1]])
    i = uf.clip(_count_at_most(xp, x), 1, xp.shape[0] - 1)
    f0, x0 = fp[i - 1], xp[i - 1]
    dx = xp[i] - x0
    tiny = np.spacing(np.finfo(xp.dtype).eps)
    flat = uf.abs(dx) <= tiny  # (a zero-width interval: no division, no NaN gradient)
    f = jsh.where(flat, f0, f0 + (x - x0) / jsh.where(flat, 1, dx) * (fp[i] - f0))
    if period is None:
        if not extrapolate_left:
            f = jsh.where(x < xp[0], fp[0] if left is None else left, f)
        if not extrapolate_right:
            f = jsh.where(x > xp[-1], fp[-1] if right is None else right, f)
    return f


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """jnp.trapezoid: the integral of y along `axis` by the trapezoidal rule, at sample points
    `x` or spacing `dx`."""
    if x is None:
        check_arraylike("trapezoid", y)
        (y,) = promote_args_inexact("trapezoid", y)
        d = as_array(dx)
        if d.ndim > 0:
            d = jsh.moveaxis(jsh.reshape(d, (1,) * (y.ndim - d.ndim) + tuple(d.shape)), axis, -1)
    else:
        check_arraylike("trapezoid", y, x)
        y, x = promote_args_inexact("trapezoid", y, x)
        d = diff(x) if x.ndim == 1 else jsh.moveaxis(diff(x, axis=axis), axis, -1)
    y = jsh.moveaxis(y, axis, -1)
    if d.ndim == 0 or d.shape[-1] == 1:  # a constant spacing
        step = d if d.ndim == 0 else d[..., 0]
        return step * (jred.sum(y, -1) - 0.5 * (y[..., 0] + y[..., -1]))
    return 0.5 * jred.sum(d * (y[..., 1:] + y[..., :-1]), -1)


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """jnp.unwrap: remove jumps larger than `discont` (default period/2) along `axis` by adding
    multiples of `period`."""
    check_arraylike("unwrap", p)
    p, period = promote_args("unwrap", p, period)
    if p.dtype.kind == "c":
        raise ValueError("jnp.unwrap does not support complex inputs")
    if p.shape[axis] == 0:
        return p
    if discont is None:
        discont = period / 2
    half = period // 2 if p.dtype.kind in "iu" else period / 2
    dd = diff(p, axis=axis)
    ddmod = uf.remainder(dd + half, period) - half
    ddmod = jsh.where((ddmod == -half) & (dd > 0), half, ddmod)
    correction = jsh.where(uf.abs(dd) < discont, 0, ddmod - dd)
    n = p.shape[axis]
    head = shape.slice_in_dim(p, 0, 1, axis=axis)
    rest = shape.slice_in_dim(p, 1, n, axis=axis) + jred.cumsum(correction, axis=axis)
    return jj.concatenate((head, rest), axis=axis)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """jnp.cross: the cross product of 3-vectors (a 2-vector has z = 0) along the given axes;
    of two 2-vectors, the z component alone."""
    check_arraylike("cross", a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = jsh.moveaxis(as_array(a), axisa, -1), jsh.moveaxis(as_array(b), axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("jnp.cross: dimension must be either 2 or 3 for cross product")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else cr.zeros_like(a0)
    b2 = b[..., 2] if b.shape[-1] == 3 else cr.zeros_like(b0)
    c = jj.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])
    return jsh.moveaxis(c, 0, axisc)


__all__ = [
    "quantile", "nanquantile", "percentile", "nanpercentile", "nanmedian", "nanargmax", "nanargmin",
    "cov", "corrcoef", "diff", "ediff1d", "gradient", "interp", "trapezoid", "unwrap", "cross",
]

METHODS: dict = {}
