"""jnp.linalg's decompositions and what is built on them: cholesky, eigh, eigvalsh, eig,
eigvals, qr, svd, svdvals, matrix_rank, pinv, lstsq (cond is with the norms).

Each is a thin layer over the lax.linalg primitive (promotion of integer inputs to the
default float, JAX's result namedtuples, JAX's argument checks); the derivatives are the
primitives', except pinv's, which has its own JVP (Golub & Pereyra 1973) so that it is
defined wherever the rank is locally constant.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from .. import numpy as jnp
from ..custom_derivatives import custom_jvp
from ..primitives import eig as _eig
from ..primitives import factorizations, spectral
from . import linalg as _products
from .promotion import as_array, check_arraylike, promote_args_inexact


class EighResult(NamedTuple):
    """eigh's result: ascending eigenvalues and the eigenvectors as columns."""
    eigenvalues: Any
    eigenvectors: Any


class EigResult(NamedTuple):
    """eig's result: complex eigenvalues and right eigenvectors as columns."""
    eigenvalues: Any
    eigenvectors: Any


class QRResult(NamedTuple):
    """qr's result: Q with orthonormal columns and upper-triangular R."""
    Q: Any
    R: Any


class SVDResult(NamedTuple):
    """svd's result: U, the descending singular values S, and Vh (a = U diag(S) Vh)."""
    U: Any
    S: Any
    Vh: Any


def _inexact(fname: str, a):
    check_arraylike(f"linalg.{fname}", a)
    (a,) = promote_args_inexact(f"linalg.{fname}", a)
    return a


def _check_rank2(fname: str, a, square: bool, error: type[Exception]) -> None:
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        need = "[..., n, n]" if square else "[..., m, n]"
        raise error(f"jnp.linalg.{fname}: the argument must have shape {need}, got {tuple(a.shape)}")


def _H(x):
    """The conjugate transpose of the last two axes."""
    x = jnp.matrix_transpose(x)
    return jnp.conj(x) if x.dtype.kind == "c" else x


def cholesky(a: Any, *, upper: bool = False, symmetrize_input: bool = True):
    """jnp.linalg.cholesky: L with a = L L^H (or U = L^H when upper); a matrix that is not
    positive definite gives NaNs, not an exception."""
    a = _inexact("cholesky", a)
    _check_rank2("cholesky", a, True, TypeError)
    low = factorizations.cholesky(a, symmetrize_input=symmetrize_input)
    return _H(low) if upper else low


def _uplo_lower(UPLO: str | None) -> bool:
    if UPLO is None or UPLO == "L":
        return True
    if UPLO == "U":
        return False
    raise ValueError(f"jnp.linalg.eigh: UPLO must be one of None, 'L' or 'U', got {UPLO!r}")


def eigh(a: Any, UPLO: str | None = None, symmetrize_input: bool = True) -> EighResult:
    """jnp.linalg.eigh: ascending eigenvalues and eigenvectors of a Hermitian matrix (stack)."""
    lower = _uplo_lower(UPLO)
    a = _inexact("eigh", a)
    _check_rank2("eigh", a, True, TypeError)
    v, w = spectral.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a: Any, UPLO: str | None = "L", *, symmetrize_input: bool = True):
    """jnp.linalg.eigvalsh: the ascending eigenvalues of a Hermitian matrix (stack)."""
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def eig(a: Any) -> EigResult:
    """jnp.linalg.eig: eigenvalues and right eigenvectors of a general square matrix (complex)."""
    a = _inexact("eig", a)
    _check_rank2("eig", a, True, ValueError)
    w, v = _eig.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a: Any):
    """jnp.linalg.eigvals: the (complex) eigenvalues of a general square matrix."""
    a = _inexact("eigvals", a)
    _check_rank2("eigvals", a, True, ValueError)
    return _eig.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def qr(a: Any, mode: str = "reduced"):
    """jnp.linalg.qr: QRResult(Q, R) for mode 'reduced' (also 'full') or 'complete', R alone
    for mode 'r'. mode='raw' needs Householder output (geqrf), which nablax lacks."""
    a = _inexact("qr", a)
    _check_rank2("qr", a, False, TypeError)
    if mode == "raw":
        raise NotImplementedError("jnp.linalg.qr: mode='raw' needs the geqrf primitive (Householder "
                                  "reflectors), which nablax does not have; use 'reduced', 'complete' or 'r'")
    if mode not in ("reduced", "r", "full", "complete"):
        raise ValueError(f"jnp.linalg.qr: unsupported mode {mode!r}")
    q, r = spectral.qr(a, pivoting=False, full_matrices=mode == "complete")
    return r if mode == "r" else QRResult(q, r)


def _svd_hermitian(a, compute_uv: bool, subset_by_index):
    """The SVD of a Hermitian matrix from its eigendecomposition: s = |w|, sorted descending
    (ties in reverse order of the ascending sort, as JAX's), U = V, Vh = (V sign(w))^H."""
    v, w = spectral.eigh(a, subset_by_index=subset_by_index)
    s = jnp.abs(w)
    order = jnp.argsort(s, axis=-1)[..., ::-1]
    s = jnp.take_along_axis(s, order, axis=-1)
    if not compute_uv:
        return s
    sign = jnp.take_along_axis(jnp.sign(w), order, axis=-1)
    u = jnp.take_along_axis(v, order[..., None, :], axis=-1)
    return SVDResult(u, s, _H(u * sign[..., None, :].astype(u.dtype)))


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False,
        subset_by_index: tuple | None = None):
    """jnp.linalg.svd: SVDResult(U, S, Vh) with descending S, or S alone when compute_uv=False."""
    a = _inexact("svd", a)
    _check_rank2("svd", a, False, TypeError)
    if hermitian:
        return _svd_hermitian(a, compute_uv, subset_by_index)
    if compute_uv:
        u, s, vh = spectral.svd(a, full_matrices=full_matrices, compute_uv=True, subset_by_index=subset_by_index)
        return SVDResult(u, s, vh)
    return spectral.svd(a, full_matrices=full_matrices, compute_uv=False, subset_by_index=subset_by_index)


def svdvals(x: Any, /):
    """jnp.linalg.svdvals: the singular values, descending."""
    return svd(x, compute_uv=False)


def matrix_rank(M: Any, rtol: Any = None, *, hermitian: bool = False, tol: Any = None):
    """jnp.linalg.matrix_rank: the number of singular values above the tolerance (default
    max(s) * max(m, n) * eps); a given `rtol`/`tol` is compared with s directly, as JAX does."""
    if tol is not None:
        if rtol is not None:
            raise ValueError("jnp.linalg.matrix_rank: only one of tol or rtol may be given")
        rtol = tol
    M = _inexact("matrix_rank", M)
    if M.ndim < 2:
        return jnp.any(M != 0).astype(np.int32)
    s = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = jnp.max(s, axis=-1) * np.asarray(max(M.shape[-2:]), s.dtype) * np.finfo(s.dtype).eps
    rtol = as_array(rtol)
    return jnp.sum(s > rtol[..., None], axis=-1)


def _pinv_value(a, rtol, hermitian: bool):
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return jnp.zeros(tuple(a.shape[:-2]) + (n, m), a.dtype)
    if rtol is None:
        rtol = 10.0 * max(m, n) * np.finfo(dtypes.complex_to_real(a.dtype)).eps
    ac = jnp.conj(a) if a.dtype.kind == "c" else a
    u, s, vh = svd(ac, full_matrices=False, hermitian=hermitian)
    rtol = as_array(rtol)
    cutoff = rtol[..., None] * s[..., :1]
    s = jnp.where(s > cutoff, s, np.inf).astype(u.dtype)
    # pinv(a) = V diag(1/s) U^H, with conj(a) = u s vh: vh^T diag(1/s) u^T
    out = _products.matmul(jnp.matrix_transpose(vh), jnp.matrix_transpose(u) / s[..., :, None])
    return out.astype(a.dtype)


_pinv = custom_jvp(_pinv_value, nondiff_argnums=(1, 2))


@_pinv.defjvp
def _pinv_jvp(rtol, hermitian, primals, tangents):
    """Golub & Pereyra (1973): dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P."""
    (a,), (da,) = primals, tangents
    p = _pinv(a, rtol, hermitian)
    if hermitian:  # the eigh-based SVD reads a symmetrized input; so does the derivative
        a, da = (a + _H(a)) / 2, (da + _H(da)) / 2
    mm = _products.matmul
    dah, ph = _H(da), _H(p)
    s = mm(mm(p, ph), dah)
    t = mm(mm(dah, ph), p)
    dp = -mm(mm(p, da), p) + s - mm(mm(s, a), p) + t - mm(mm(p, a), t)
    return p, dp


def pinv(a: Any, rtol: Any = None, hermitian: bool = False, *, rcond: Any = None):
    """jnp.linalg.pinv: the Moore-Penrose pseudo-inverse via the SVD; singular values at or
    below rtol * max(s) (default 10 * max(m, n) * eps) count as zero."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError("jnp.linalg.pinv: only one of rtol and rcond may be given")
        rtol = rcond
    a = _inexact("pinv", a)
    _check_rank2("pinv", a, False, ValueError)
    return _pinv(a, rtol, bool(hermitian))


def lstsq(a: Any, b: Any, rcond: float | None = None, *, numpy_resid: bool = False) -> tuple:
    """jnp.linalg.lstsq: (x, residuals, rank, s) minimising ||a x - b|| through the SVD of a
    (2-D) for b (m,) or (m, k). Residuals are always returned (per column) unless
    numpy_resid=True, which gives NumPy's empty residuals when rank < n or m <= n (eager only)."""
    check_arraylike("linalg.lstsq", a, b)
    a, b = promote_args_inexact("linalg.lstsq", a, b)
    if a.ndim == 0 or b.ndim == 0 or a.shape[0] != b.shape[0]:
        raise ValueError(f"jnp.linalg.lstsq: the leading dimensions must match, got a of shape {tuple(a.shape)} "
                         f"and b of shape {tuple(b.shape)}")
    if a.ndim != 2:
        raise TypeError(f"jnp.linalg.lstsq: a must be 2-D, got shape {tuple(a.shape)}")
    if b.ndim not in (1, 2):
        raise TypeError(f"jnp.linalg.lstsq: b must be 1-D or 2-D, got shape {tuple(b.shape)}")
    vector = b.ndim == 1
    bm = b[:, None] if vector else b
    m, n = a.shape
    real = dtypes.complex_to_real(a.dtype)
    eps = np.finfo(real).eps
    if a.size == 0:
        s = jnp.zeros((0,), real)
        rank = jnp.asarray(0, dtype=dtypes.default_int_dtype())
        x = jnp.zeros((n,) + tuple(bm.shape[1:]), a.dtype)
    else:
        rc = float(eps) * max(m, n) if rcond is None else jnp.where(as_array(rcond) < 0, eps, rcond)
        u, s, vh = svd(a, full_matrices=False)
        mask = (s > 0) & (s >= jnp.asarray(rc).astype(s.dtype) * s[0])
        rank = jnp.sum(mask)
        s_inv = jnp.where(mask, 1 / jnp.where(mask, s, 1), 0).astype(a.dtype)
        x = _products.matmul(_H(vh), s_inv[:, None] * _products.matmul(_H(u), bm))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = jnp.zeros((0,), real)
    else:
        r = bm - _products.matmul(a, x)
        resid = jnp.sum(jnp.real(r * jnp.conj(r)) if r.dtype.kind == "c" else r * r, axis=0)
    return (x[:, 0] if vector else x), resid, rank, s


__all__ = ["cholesky", "eigh", "eigvalsh", "eig", "eigvals", "qr", "svd", "svdvals", "matrix_rank",
           "pinv", "lstsq"]
