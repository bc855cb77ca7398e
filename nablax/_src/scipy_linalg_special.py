"""Special matrices of jax.scipy.linalg: toeplitz, hankel, circulant, companion, pascal, ...

Matrices built from array arguments (toeplitz, hankel, circulant, leslie, companion,
fiedler, fiedler_companion, convolution_matrix, block_diag) are one gather from the
argument(s) with a static index matrix, so they are differentiable, batch over leading
dimensions (as JAX's do) and trace under jit. Matrices fixed by an integer order (hilbert,
invhilbert, pascal, invpascal, helmert, hadamard, dft) are constants: they are computed
once in NumPy (float64, exact binomials) and cast to JAX's output dtype.
"""
from __future__ import annotations

import math
import operator
from functools import lru_cache

import numpy as np
from scipy import special as sp_special

from . import dtypes
from . import numpy as jnp
from .numpy.promotion import check_arraylike, promote_args, promote_args_inexact

__all__ = [
    "block_diag", "circulant", "companion", "convolution_matrix", "dft", "fiedler",
    "fiedler_companion", "hadamard", "hankel", "helmert", "hilbert", "invhilbert",
    "invpascal", "leslie", "pascal", "toeplitz",
]


def _vector(fname: str, x):
    """x as an array of rank >= 1 (a scalar is a length-1 vector, as JAX's atleast_1d)."""
    check_arraylike(fname, x)
    return jnp.atleast_1d(jnp.asarray(x))


def _broadcast_batch(*xs):
    """Broadcast the leading (batch) dims of vectors xs, keeping each last axis."""
    batch = np.broadcast_shapes(*(x.shape[:-1] for x in xs))
    return [x if x.shape[:-1] == batch else jnp.broadcast_to(x, batch + x.shape[-1:]) for x in xs]


def _gather(v, idx: np.ndarray):
    """v[..., idx] for a static integer index matrix (the one gather every builder uses)."""
    return jnp.take(v, idx, axis=-1)


def _const(v, value, dtype=None):
    """A length-1 vector `value` with v's batch dims and dtype (an extension slot for _gather)."""
    fill = jnp.zeros_like(v[..., :1]) if dtype is None else jnp.zeros(v.shape[:-1] + (1,), dtype)
    return fill if value == 0 else fill + np.asarray(value, fill.dtype)


def toeplitz(c, r=None):
    """The Toeplitz matrix with first column c and first row r (r[0] ignored); r defaults to conj(c)."""
    c = _vector("toeplitz", c)
    r = jnp.conjugate(c) if r is None else _vector("toeplitz", r)
    c, r = _promote(c, r)
    c, r = _broadcast_batch(c, r)
    m, n = c.shape[-1], r.shape[-1]
    if m == 0 or n == 0:
        return jnp.empty(c.shape[:-1] + (m, n), dtype=c.dtype)
    elems = jnp.concatenate((jnp.flip(c, axis=-1), r[..., 1:]), axis=-1)
    return _gather(elems, _toeplitz_index(m, n))


@lru_cache(maxsize=64)
def _toeplitz_index(m: int, n: int) -> np.ndarray:
    return (m - 1) - np.arange(m)[:, None] + np.arange(n)[None, :]


def _promote(*xs):
    return promote_args("scipy.linalg", *xs)


def hankel(c, r=None):
    """The Hankel matrix with first column c and last row r (r[0] ignored); r defaults to zeros."""
    if np.ndim(c) == 0:
        raise ValueError("hankel: c must be at least 1-dimensional, got a scalar.")
    c = _vector("hankel", c)
    if r is None:
        r = jnp.zeros_like(c)
    elif np.ndim(r) == 0:
        raise ValueError("hankel: r must be at least 1-dimensional, got a scalar.")
    r = _vector("hankel", r)
    c, r = _broadcast_batch(*_promote(c, r))
    m, n = c.shape[-1], r.shape[-1]
    if m == 0 or n == 0:
        return jnp.empty(c.shape[:-1] + (m, n), dtype=c.dtype)
    v = jnp.concatenate((c, r[..., 1:]), axis=-1)
    return _gather(v, np.arange(m)[:, None] + np.arange(n)[None, :])


def circulant(c):
    """The circulant matrix with first column c: C[i, j] = c[(i - j) % n]."""
    c = _vector("circulant", c)
    n = c.shape[-1]
    return _gather(c, (np.arange(n)[:, None] - np.arange(n)[None, :]) % n)


def leslie(f, s):
    """The Leslie matrix: fecundities f as the first row, survival rates s on the subdiagonal."""
    f, s = _vector("leslie", f), _vector("leslie", s)
    if f.shape[-1] < 2:
        raise ValueError(f"The length of f along the last axis must be at least 2; got shape {f.shape}.")
    if s.shape[-1] != f.shape[-1] - 1:
        raise ValueError(
            "Incorrect lengths for f and s. The length of s along the last axis must be one less "
            f"than the length of f; got f shape {f.shape} and s shape {s.shape}.")
    f, s = _broadcast_batch(*_promote(f, s))
    n = f.shape[-1]
    v = jnp.concatenate((f, s, _const(f, 0)), axis=-1)
    idx = np.full((n, n), 2 * n - 1)
    idx[0] = np.arange(n)
    idx[np.arange(1, n), np.arange(n - 1)] = n + np.arange(n - 1)
    return _gather(v, idx)


def _inexact_vector(fname: str, a):
    check_arraylike(fname, a)
    return jnp.atleast_1d(promote_args_inexact(fname, a)[0])


def companion(a):
    """The companion matrix of the polynomial with coefficients a (highest degree first)."""
    a = _inexact_vector("companion", a)
    if a.shape[-1] < 2:
        raise ValueError(f"The length of `a` along the last axis must be at least 2; got shape {a.shape}.")
    m = a.shape[-1] - 1
    v = jnp.concatenate((-a[..., 1:] / a[..., :1], _const(a, 1), _const(a, 0)), axis=-1)
    idx = np.full((m, m), m + 1)
    idx[0] = np.arange(m)
    idx[np.arange(1, m), np.arange(m - 1)] = m
    return _gather(v, idx)


def fiedler(a):
    """The symmetric Fiedler matrix F[i, j] = |a[i] - a[j]|."""
    a = _vector("fiedler", a)
    return jnp.abs(a[..., :, None] - a[..., None, :])


def fiedler_companion(a):
    """The pentadiagonal Fiedler companion matrix of the polynomial with coefficients a."""
    a = _inexact_vector("fiedler_companion", a)
    if a.shape[-1] == 0:
        raise ValueError(
            "fiedler_companion requires the last axis of 'a' to have nonzero length, but got an "
            f"array of shape {a.shape}.")
    n = a.shape[-1] - 1
    if n == 0:
        return jnp.empty(a.shape[:-1] + (0, 0), dtype=a.dtype)
    # v[k] = -a[k+1] / a[0] for k < n, then a one and a zero.
    v = jnp.concatenate((-a[..., 1:] / a[..., :1], _const(a, 1), _const(a, 0)), axis=-1)
    return _gather(v, _fiedler_companion_index(n))


@lru_cache(maxsize=64)
def _fiedler_companion_index(n: int) -> np.ndarray:
    one, zero = n, n + 1
    idx = np.full((n, n), zero)
    idx[0, 0] = 0
    if n > 1:
        idx[1, 0] = one
    for i in range(0, n, 2):
        if i + 1 < n:
            idx[i, i + 1] = i + 1
        if i + 2 < n:
            idx[i, i + 2] = one
        if i >= 2:
            idx[i, i - 1] = i
    for i in range(3, n, 2):
        idx[i, i - 2] = one
    return idx


def convolution_matrix(a, n: int, mode: str = "full"):
    """The Toeplitz matrix A with A @ v == jnp.convolve(a, v, mode) for v of length n."""
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"n must be a positive integer; got {n}.")
    if np.ndim(a) == 0:
        raise ValueError("convolution_matrix: a must be at least 1-dimensional, got a scalar.")
    a = _vector("convolution_matrix", a)
    m = a.shape[-1]
    if m < 1:
        raise ValueError(f"len(a) must be at least 1; got shape {a.shape}.")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}.")
    if mode == "same":
        tb = (min(n, m) - 1) // 2
        te = min(n, m) - 1 - tb
    elif mode == "valid":
        tb = te = min(n, m) - 1
    else:
        tb = te = 0
    big = m + n - 1
    # Column j of the full matrix holds a shifted down by j: entry (i, j) = a[i - j] or 0.
    i = np.arange(tb, big - te)[:, None] - np.arange(n)[None, :]
    v = jnp.concatenate((a, _const(a, 0)), axis=-1)
    return _gather(v, np.where((i >= 0) & (i < m), i, m))


def block_diag(*arrs):
    """The block-diagonal matrix with the (at most 2-D) arrays arrs along its diagonal."""
    if not arrs:
        arrs = (jnp.zeros((1, 0)),)
    arrs = _promote(*(jnp.asarray(a) for a in arrs))
    for i, a in enumerate(arrs):
        if a.ndim > 2:
            raise ValueError(
                "Arguments to jax.scipy.linalg.block_diag must have at most 2 dimensions, "
                f"got {a} at argument {i}.")
    arrs = [jnp.atleast_2d(a) for a in arrs]
    total = sum(a.shape[1] for a in arrs)
    rows, col = [], 0
    for a in arrs:
        rows.append(jnp.pad(a, ((0, 0), (col, total - col - a.shape[1]))))
        col += a.shape[1]
    return jnp.concatenate(rows, axis=0)


# Constant matrices of a given order.

def _float_const(value: np.ndarray, dtype=None):
    return jnp.asarray(value.astype(dtype or dtypes.default_float_dtype()))


@lru_cache(maxsize=64)
def _binomials(n: int) -> np.ndarray:
    k = np.arange(n)
    return sp_special.comb(k[:, None], k[None, :], exact=False)


def hilbert(n: int):
    """The Hilbert matrix H[i, j] = 1 / (i + j + 1) of order n."""
    k = np.arange(n, dtype=np.float64)
    return _float_const(1.0 / (k[:, None] + k[None, :] + 1))


def invhilbert(n: int):
    """The inverse of the Hilbert matrix of order n (floating point, from exact binomials)."""
    k = np.arange(n)
    i, j = k[:, None], k[None, :]
    s = i + j
    comb = sp_special.comb
    value = ((-1.0) ** s * (s + 1.0) * comb(n + i, n - j - 1) * comb(n + j, n - i - 1)
             * comb(s, i) ** 2)
    return _float_const(value)


def _check_kind(kind):
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of: ['symmetric', 'lower', 'upper']; got {kind}")
    return kind


def pascal(n: int, kind: str | None = None):
    """The Pascal matrix of order n: 'symmetric' (default), 'lower' or 'upper' (float32, as JAX)."""
    kind = _check_kind(kind)
    low = _binomials(n)
    value = low if kind == "lower" else low.T if kind == "upper" else low @ low.T
    return _float_const(value, np.float32)


def invpascal(n: int, kind: str | None = None):
    """The inverse of the Pascal matrix of order n (kind as in `pascal`)."""
    kind = _check_kind(kind)
    k = np.arange(n)
    low = (-1.0) ** (k[:, None] - k[None, :]) * _binomials(n)
    value = low if kind == "lower" else low.T if kind == "upper" else low.T @ low
    return _float_const(value)


def helmert(n: int, full: bool = False):
    """The Helmert matrix of order n: the (n-1, n) contrasts, or (n, n) with the 1/sqrt(n) row."""
    if n < 1:
        raise ValueError(f"n must be a positive integer; got {n}.")
    i = np.arange(n - 1)[:, None]
    j = np.arange(n)[None, :]
    k = i + 1.0
    denom = np.sqrt(k * (k + 1))
    h = np.where(j <= i, 1.0 / denom, np.where(j == k, -k / denom, 0.0))
    if full:
        h = np.concatenate([np.full((1, n), 1.0 / np.sqrt(n)), h], axis=0)
    return _float_const(h)


def hadamard(n: int, dtype=int):
    """The n-by-n Sylvester Hadamard matrix (n a power of 2)."""
    if n < 1 or not math.log2(n).is_integer():
        raise ValueError(f"n must be a positive power of 2; got {n}.")
    h = np.ones((1, 1))
    for _ in range(int(math.log2(n))):
        h = np.block([[h, h], [h, -h]])
    return jnp.asarray(h, dtype=dtype)


def dft(n: int, scale: str | None = None, *, dtype=None):
    """The n-by-n DFT matrix W[i, j] = exp(-2 pi i j / n), scaled by None, 'sqrtn' or 'n'."""
    if scale is not None and scale not in ("sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}.")
    if dtype is None:
        dtype = dtypes.default_complex_dtype()
    else:
        dtype = dtypes.check_user_dtype(dtype, "dft")
        if not dtypes.issubdtype(dtype, np.complexfloating):
            raise ValueError(f"dtype must be a complex floating-point type; got {dtype}.")
    k = np.arange(n)
    w = np.exp(-2j * np.pi * ((k[:, None] * k[None, :]) % max(n, 1)) / max(n, 1))
    if scale == "sqrtn":
        w = w / np.sqrt(n)
    elif scale == "n":
        w = w / n
    return jnp.asarray(w.astype(dtype))
