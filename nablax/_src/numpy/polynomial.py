"""jnp's polynomial routines: poly, polyval, polyfit, polyadd/sub/mul/div, polyder, polyint, roots, vander.

Coefficients run from the highest power down, as in NumPy. Everything is jnp arithmetic
(polyval a lax.scan, roots the eigenvalues of the companion matrix, polyfit a scaled
least-squares solve), so it differentiates, batches and compiles. The few options whose
result shape depends on values (trimming leading zeros) need concrete values, as in JAX.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..control_flow import scan
from ..primitives import eig as lax_eig
from ..primitives import sorting, spectral
from . import convolution as jconv
from . import creation as cr
from . import joining as jj
from . import linalg as jla
from . import reductions as jred
from . import shape as jsh
from . import ufuncs as uf
from .promotion import as_array, check_arraylike, promote_args, promote_args_inexact
from .shape import _concrete, _index


def _trim_leading(fname: str, a, tol):
    """`a` without its leading near-zero (|c| < tol, or == 0 for tol None) coefficients; the
    length depends on the values, so they must be concrete (not traced)."""
    vals = _concrete(fname, a, "trimming leading zeros (pass trim_leading_zeros=False under jit)")
    small = vals == 0 if tol is None else np.abs(vals) < tol
    start = int(np.argmin(small)) if not small.all() else vals.shape[0]
    return a[start:]


def vander(x, N=None, increasing=False):
    """jnp.vander: the Vandermonde matrix of the 1-d x: columns x**(N-1), ..., x**0 (or
    ascending powers when `increasing`)."""
    check_arraylike("vander", x)
    x = as_array(x)
    if x.ndim != 1:
        raise ValueError("jnp.vander: x must be a one-dimensional array")
    N = x.shape[0] if N is None else _index("vander", N, "N")
    if N < 0:
        raise ValueError("jnp.vander: N must be nonnegative")
    powers = cr.arange(N, dtype=x.dtype) if increasing else cr.arange(N - 1, -1, -1, dtype=x.dtype)
    return uf.power(x[:, None], powers[None, :])


def poly(seq_of_zeros):
    """jnp.poly: the monic polynomial with the given roots (of a square matrix: of its
    eigenvalues, i.e. the characteristic polynomial)."""
    check_arraylike("poly", seq_of_zeros)
    (z,) = promote_args_inexact("poly", seq_of_zeros)
    z = jsh.atleast_1d(z)
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] != 0:
        z = _eigvals(z)
    if z.ndim != 1:
        raise ValueError("jnp.poly: input must be 1d or non-empty square 2d array")
    if z.shape[0] == 0:
        return cr.ones((), dtype=z.dtype)
    c = cr.ones((1,), dtype=z.dtype)
    zero = cr.zeros((1,), dtype=z.dtype)
    for k in range(z.shape[0]):  # multiply by (x - z_k)
        c = jj.concatenate([c, zero]) - z[k] * jj.concatenate([zero, c])
    return c


def polyval(p, x, *, unroll=16):
    """jnp.polyval: p evaluated at x by Horner's rule (a lax.scan over p's leading axis)."""
    check_arraylike("polyval", p, x)
    p, x = promote_args("polyval", p, x)
    out_shape = np.broadcast_shapes(tuple(p.shape[1:]), tuple(x.shape))
    y0 = cr.zeros(out_shape, dtype=x.dtype)
    y, _ = scan(lambda y, c: (y * x + c, None), y0, p, unroll=unroll)
    return y


def polyadd(a1, a2):
    """jnp.polyadd: the sum of two polynomials (the shorter is aligned at the low powers)."""
    check_arraylike("polyadd", a1, a2)
    a1, a2 = promote_args("polyadd", a1, a2)
    if a2.shape[0] > a1.shape[0]:
        a1, a2 = a2, a1
    return a1.at[a1.shape[0] - a2.shape[0]:].add(a2)


def polysub(a1, a2):
    """jnp.polysub: the difference of two polynomials."""
    check_arraylike("polysub", a1, a2)
    a1, a2 = promote_args("polysub", a1, a2)
    return polyadd(a1, -a2)


def polymul(a1, a2, *, trim_leading_zeros=False):
    """jnp.polymul: the product of two polynomials (a full convolution)."""
    check_arraylike("polymul", a1, a2)
    a1, a2 = promote_args_inexact("polymul", a1, a2)
    if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
        a1, a2 = _trim_leading("polymul", a1, None), _trim_leading("polymul", a2, None)
    if a1.shape[0] == 0:
        a1 = cr.zeros(1, dtype=a2.dtype)
    if a2.shape[0] == 0:
        a2 = cr.zeros(1, dtype=a1.dtype)
    return jconv.convolve(a1, a2, mode="full")


def polydiv(u, v, *, trim_leading_zeros=False):
    """jnp.polydiv: (quotient, remainder) of polynomial long division; the remainder keeps
    u's length (its leading zeros) unless `trim_leading_zeros`."""
    check_arraylike("polydiv", u, v)
    u, v = promote_args_inexact("polydiv", u, v)
    m, n = u.shape[0] - 1, v.shape[0] - 1
    inv_lead = 1.0 / v[0]
    q = cr.zeros(max(m - n + 1, 1), dtype=u.dtype)
    for k in range(m - n + 1):
        d = inv_lead * u[k]
        q = q.at[k].set(d)
        u = u.at[k:k + n + 1].add(-d * v)
    if trim_leading_zeros:  # (a tolerance near NumPy's: the square root of eps)
        u = _trim_leading("polydiv", u, float(np.sqrt(np.finfo(u.dtype).eps)))
    return q, u


def _falling_factorials(powers: np.ndarray, m: int) -> np.ndarray:
    """prod_{t<m} max(1, powers - t), the factor m derivatives (or integrals) bring to x**powers."""
    grid = powers[None, :] - np.arange(m)[:, None]
    return np.prod(np.maximum(grid, 1), axis=0)


def polyder(p, m=1):
    """jnp.polyder: the m-th derivative of p."""
    check_arraylike("polyder", p)
    m = _index("polyder", m, "m")
    (p,) = promote_args_inexact("polyder", p)
    if m < 0:
        raise ValueError("jnp.polyder: order of derivative must be positive")
    if m == 0:
        return p
    n = p.shape[0]
    powers = np.arange(n - 1, m - 1, -1)
    return p[:n - m] * cr.asarray(_falling_factorials(powers, m), dtype=p.dtype)


def polyint(p, m=1, k=None):
    """jnp.polyint: the m-th antiderivative of p; `k` the integration constants (a scalar,
    or one per integration, the first for the highest power)."""
    m = _index("polyint", m, "m")
    k = 0 if k is None else k
    check_arraylike("polyint", p, k)
    p, k = promote_args_inexact("polyint", p, k)
    if m < 0:
        raise ValueError("jnp.polyint: order of integral must be positive (see polyder)")
    k = jsh.atleast_1d(k)
    if k.shape[0] == 1:
        k = cr.full((m,), k[0])
    if tuple(k.shape) != (m,):
        raise ValueError("jnp.polyint: k must be a scalar or a rank-1 array of length 1 or m")
    if m == 0:
        return p
    powers = np.arange(p.shape[0] + m - 1, -1, -1)
    return uf.true_divide(jj.concatenate((p, k)), cr.asarray(_falling_factorials(powers, m), dtype=p.dtype))


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """jnp.polyfit: least-squares polynomial coefficients of degree `deg` (columns of y fit
    separately); `full` adds (residuals, rank, singular values, rcond), `cov` the covariance."""
    check_arraylike("polyfit", x, y, *(() if w is None else (w,)))
    x, y = as_array(x), as_array(y)
    deg = _index("polyfit", deg, "deg")
    order = deg + 1
    if deg < 0:
        raise ValueError("jnp.polyfit: expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("jnp.polyfit: expected 1D vector for x")
    if x.size == 0:
        raise TypeError("jnp.polyfit: expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("jnp.polyfit: expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("jnp.polyfit: expected x and y to have same length")
    if rcond is None:
        rcond = x.shape[0] * float(np.finfo(dtypes.to_inexact_dtype(x.dtype)).eps)
    rcond = float(_concrete("polyfit", rcond, "rcond"))
    lhs, rhs = vander(x, order), y
    if w is not None:
        (w,) = promote_args_inexact("polyfit", w)
        if w.ndim != 1:
            raise TypeError("jnp.polyfit: expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("jnp.polyfit: expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if rhs.ndim == 2 else w)
    scale = uf.sqrt(jred.sum(lhs * lhs, axis=0))  # (column scaling for a better condition number)
    lhs = lhs / scale[None, :]
    c, resids, rank, s, vh = _lstsq(lhs, rhs, rcond)
    c = (c.T / scale[None, :]).T if c.ndim > 1 else c / scale
    if full:
        return c, resids, rank, s, cr.asarray(rcond)
    if not cov:
        return c
    # inv(lhs^T lhs) = V diag(1/s^2) V^T, from the SVD the solve already made
    vbase = jla.dot(vh.T / (s * s)[None, :], vh) / jla.outer(scale, scale)
    if cov == "unscaled":
        fac = cr.array(1.0)
    else:
        if x.shape[0] <= order:
            raise ValueError("jnp.polyfit: the number of data points must exceed order to scale the covariance matrix")
        fac = resids / (x.shape[0] - order)
    if y.ndim == 1:
        return c, vbase * jsh.atleast_1d(fac)[None]
    return c, vbase[:, :, None] * jsh.atleast_1d(fac)[None, None, :]


def _lstsq(a, b, rcond: float):
    """(x, residuals, rank, s, vh): the minimum-norm least-squares solution of a x = b through
    the SVD of a, singular values below rcond * s[0] dropped. (jnp.linalg.lstsq's module reads
    the jnp namespace, which this module is part of: importing it would be a cycle.)"""
    u, s, vh = spectral.svd(a, full_matrices=False, compute_uv=True)
    keep = uf.logical_and(s > 0, s >= rcond * s[0])
    s_inv = jsh.where(keep, 1 / jsh.where(keep, s, 1), 0)
    bm = b[:, None] if b.ndim == 1 else b
    x = jla.dot(vh.T, s_inv[:, None] * jla.dot(u.T, bm))
    r = bm - jla.dot(a, x)
    x = x[:, 0] if b.ndim == 1 else x
    return x, jred.sum(r * r, axis=0), jred.sum(keep), s, vh


def _eigvals(a):
    """The (complex) eigenvalues of the square matrix a."""
    return lax_eig.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def _complex_of(dtype) -> np.dtype:
    """The complex dtype roots come back in: complex128 for float64, else complex64."""
    return np.dtype(np.complex128) if np.dtype(dtype).itemsize == 16 or dtype == np.float64 else np.dtype(np.complex64)


def _companion_roots(p):
    """The eigenvalues of p's companion matrix (p has a nonzero leading coefficient)."""
    n = p.shape[0]
    if n < 2:
        return cr.array([], dtype=_complex_of(p.dtype))
    a = jsh.diag(cr.ones((n - 2,), p.dtype), -1)
    a = a.at[0, :].set(-p[1:] / p[0])
    return _eigvals(a)


def roots(p, *, strip_zeros=True):
    """jnp.roots: the (complex) roots of p. With strip_zeros (the default) leading zeros are
    dropped, which needs concrete coefficients; with strip_zeros=False the array keeps its
    length and the roots the leading zeros stand for are NaN (works under jit)."""
    check_arraylike("roots", p)
    (p,) = promote_args_inexact("roots", p)
    p = jsh.atleast_1d(p)
    if p.ndim != 1:
        raise ValueError("jnp.roots: input must be a rank-1 array")
    if p.shape[0] < 2:
        return cr.array([], dtype=_complex_of(p.dtype))
    if strip_zeros:
        return _companion_roots(_trim_leading("roots", p, None))
    n = p.shape[0]
    is_zero = p == 0
    lead = jsh.where(jred.all(is_zero), n, jred.argmin(is_zero))
    p = jsh.where(lead == n, 1.0, p)  # (an all-zero p would give LAPACK NaNs)
    rolled = p[(cr.arange(n) + lead) % n]  # leading zeros moved to the end: extra zero roots
    r = _companion_roots(rolled)
    _, r = sorting.sort((jsh.astype(r == 0, np.int32), r), 0, num_keys=1)  # (zero roots last, stably)
    return jsh.where(cr.arange(r.shape[0]) < r.shape[0] - lead, r, complex(np.nan, np.nan))


__all__ = ["poly", "polyadd", "polysub", "polymul", "polydiv", "polyder", "polyint", "polyval", "polyfit",
           "roots", "vander"]

METHODS: dict = {}
