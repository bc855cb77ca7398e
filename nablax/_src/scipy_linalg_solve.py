"""Factorizations and solves of jax.scipy.linalg, as SciPy spells them, on the lax.linalg primitives.

Everything here is a thin composition of primitives (cholesky, triangular_solve, lu, qr,
eigh, svd, schur, hessenberg, householder_product, eigh_tridiagonal) and jnp functions, so
derivatives, batching and jit come from the primitives' rules. Leading batch dimensions
broadcast between operands as in JAX's `vectorize`d versions. SciPy's arguments that JAX
ignores (overwrite_*, check_finite, lwork, debug, turbo, lapack_driver) are accepted and
ignored.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import dtypes
from . import numpy as jnp
from .api import vmap
from .control_flow.linear_solve import custom_linear_solve
from .numpy import linalg_module as jnp_linalg
from .numpy.promotion import promote_args_inexact
from .primitives import eig as eig_prims
from .primitives import eig_tridiagonal as tridiag_prims
from .primitives import factorizations, spectral
from .primitives.misc import stop_gradient

__all__ = [
    "cho_factor", "cho_solve", "cholesky", "det", "eigh", "eigh_tridiagonal", "hessenberg", "inv",
    "lu", "lu_factor", "lu_solve", "qr", "qr_multiply", "schur", "solve", "solve_triangular", "svd",
]


def _mT(x):
    return jnp.swapaxes(x, -1, -2)


def _mH(x):
    return jnp.conj(_mT(x)) if dtypes.issubdtype(x.dtype, np.complexfloating) else _mT(x)


def _inexact(fname: str, *xs):
    return promote_args_inexact(fname, *(jnp.asarray(x) for x in xs))


def _broadcast_batch(a, b, b_core: int):
    """a (..., n, n) and b (..., core) with their batch dims broadcast against each other."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:b.ndim - b_core])
    if a.shape[:-2] != batch:
        a = jnp.broadcast_to(a, batch + a.shape[-2:])
    if b.shape[:b.ndim - b_core] != batch:
        b = jnp.broadcast_to(b, batch + b.shape[b.ndim - b_core:])
    return a, b


def _rhs_kind(fname: str, a, b) -> bool:
    """Whether b is a (batch of) vector(s) rather than matrices, with JAX's deprecation warning."""
    if b.ndim == 1:
        return True
    if a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1]:
        warnings.warn(
            f"jax.scipy.linalg.{fname}: batched 1D solves with b.ndim > 1 are deprecated, and in "
            f"the future will be treated as a batched 2D solve. Use {fname}(..., b[..., None])"
            ".squeeze(-1) to avoid this warning.", category=FutureWarning, stacklevel=3)
        return True
    return False


def _check_solve_shapes(fname: str, a, b, vector: bool) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{fname}: a must be a (batched) square matrix, got a.shape={a.shape}")
    n = a.shape[-1]
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else None)
    if rows != n:
        raise ValueError(f"{fname}: incompatible shapes a.shape={a.shape} and b.shape={b.shape}")


def _triangular(fname: str, a, b, *, lower: bool, transpose_a: bool = False, conjugate_a: bool = False,
                unit_diagonal: bool = False):
    """A left-side triangular solve of a with the (batched) vectors or matrices b, SciPy-style."""
    vector = _rhs_kind(fname, a, b)
    _check_solve_shapes(fname, a, b, vector)
    if vector:
        b = b[..., None]
    a, b = _broadcast_batch(a, b, 2)
    x = factorizations.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                        conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return x[..., 0] if vector else x


def cholesky(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """The Cholesky factor of the Hermitian positive-definite a: upper (default) or lower."""
    del overwrite_a, check_finite
    a, = _inexact("cholesky", a)
    factor = factorizations.cholesky(a if lower else _mH(a), symmetrize_input=False)
    return factor if lower else _mH(factor)


def cho_factor(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """(c, lower): the Cholesky factor and its triangle, for cho_solve."""
    del overwrite_a, check_finite
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True):
    """The solution x of A x = b given cho_factor(A) = (c, lower)."""
    del overwrite_b, check_finite
    c, lower = c_and_lower
    c, b = _inexact("cho_solve", c, b)
    # With A = L L^H: solve L y = b, then L^H x = y (with A = U^H U: U^H y = b, U x = y).
    y = _triangular("cho_solve", c, b, lower=lower, transpose_a=not lower, conjugate_a=not lower)
    return _triangular("cho_solve", c, y, lower=lower, transpose_a=lower, conjugate_a=lower)


_TRANS = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False),
          2: (True, True), "C": (True, True)}


def _trans_flags(trans) -> tuple[bool, bool]:
    try:
        return _TRANS[trans]
    except (KeyError, TypeError):
        raise ValueError(f"Invalid 'trans' value {trans}") from None


def solve_triangular(a, b, trans: int | str = 0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, debug: Any = None, check_finite: bool = True):
    """The solution x of op(a) x = b for triangular a; op is trans: 0/'N', 1/'T' or 2/'C'."""
    del overwrite_b, debug, check_finite
    transpose_a, conjugate_a = _trans_flags(trans)
    a, b = _inexact("solve_triangular", a, b)
    return _triangular("solve_triangular", a, b, lower=lower, transpose_a=transpose_a,
                       conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)


def lu_factor(a, overwrite_a: bool = False, check_finite: bool = True):
    """(lu, piv): L (unit diagonal, below) and U packed in one matrix, and LAPACK's row pivots."""
    del overwrite_a, check_finite
    a, = _inexact("lu_factor", a)
    lu_, pivots, _ = factorizations.lu(a)
    return lu_, pivots


def _permute_rows(b, perm):
    """b[..., perm, :] with perm batched like b."""
    return jnp.take_along_axis(b, perm[..., :, None], axis=-2)


def lu_solve(lu_and_piv, b, trans: int = 0, overwrite_b: bool = False, check_finite: bool = True):
    """The solution x of op(A) x = b given lu_factor(A); trans 0: A, 1: A^T, 2: A^H."""
    del overwrite_b, check_finite
    lu_, pivots = lu_and_piv
    lu_, b = _inexact("lu_solve", lu_, b)
    if trans not in (0, 1, 2):
        raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans}")
    vector = _rhs_kind("lu_solve", lu_, b)
    _check_solve_shapes("lu_solve", lu_, b, vector)
    m = lu_.shape[-1]
    perm = factorizations.lu_pivots_to_permutation(jnp.asarray(pivots), m)
    if vector:
        b = b[..., None]
    lu_, b = _broadcast_batch(lu_, b, 2)
    perm = jnp.broadcast_to(perm, lu_.shape[:-2] + (m,))
    solve = factorizations.triangular_solve
    if trans == 0:
        # A = P^T L U with b's rows permuted by perm: L U x = b[perm].
        x = _permute_rows(b, perm)
        x = solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        x = solve(lu_, x, left_side=True, lower=False)
    else:
        conj = trans == 2
        x = solve(lu_, b, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
        x = solve(lu_, x, left_side=True, lower=True, transpose_a=True, conjugate_a=conj,
                  unit_diagonal=True)
        x = _permute_rows(x, jnp.argsort(perm, axis=-1))
    return x[..., 0] if vector else x


def lu(a, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """(P, L, U) with a = P @ L @ U, or (P @ L, U) with permute_l=True."""
    del overwrite_a, check_finite
    a, = _inexact("lu", a)
    lu_, _, permutation = factorizations.lu(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    p = (permutation[..., None, :] == jnp.arange(m, dtype=permutation.dtype)[:, None]).astype(
        jnp.real(a).dtype)
    low = jnp.tril(lu_, -1)[..., :, :k] + jnp.eye(m, k, dtype=a.dtype)
    up = jnp.triu(lu_)[..., :k, :]
    if permute_l:
        return jnp.matmul(p, low), up
    return p, low, up


def det(a, overwrite_a: bool = False, check_finite: bool = True):
    """The determinant of the (batched) square matrix a (jnp.linalg.det)."""
    del overwrite_a, check_finite
    return jnp_linalg.det(a)


def inv(a, overwrite_a: bool = False, check_finite: bool = True):
    """The inverse of the (batched) square matrix a (jnp.linalg.inv)."""
    del overwrite_a, check_finite
    return jnp_linalg.inv(a)


def solve(a, b, lower: bool = False, overwrite_a: bool = False, overwrite_b: bool = False,
          debug: bool = False, check_finite: bool = True, assume_a: str = "gen"):
    """The solution x of a x = b; assume_a 'pos' solves by Cholesky of a's `lower` triangle."""
    del overwrite_a, overwrite_b, debug, check_finite
    valid = ["gen", "sym", "her", "pos"]
    if assume_a not in valid:
        raise ValueError(f"Expected assume_a to be one of {valid}; got {assume_a!r}")
    if assume_a != "pos":
        return jnp_linalg.solve(a, b)
    return _solve_pos(a, b, lower)


def _solve_pos(a, b, lower: bool):
    """a x = b for Hermitian positive-definite a (its `lower` or upper triangle), as JAX: one
    Cholesky of stop_gradient(a) inside custom_linear_solve, so derivatives reuse the factor and
    flow to a through the matvec a @ x (all of a, not only the triangle read)."""
    a, b = _inexact("solve", a, b)
    if not (a.ndim >= 2 and b.ndim in (a.ndim, a.ndim - 1) and a.shape[-1] == a.shape[-2] == b.shape[a.ndim - 2]):
        raise ValueError(
            "The arguments to solve must have shapes a=[..., m, m] and b=[..., m, k] or b=[..., m]; "
            f"got a={a.shape} and b={b.shape}")
    factors = cho_factor(stop_gradient(a), lower=lower)

    def matvec(x):
        return jnp.matmul(a, x[..., None])[..., 0]

    def solve_one(_, x):
        return cho_solve(factors, x[..., None])[..., 0]

    def solve_vec(v):
        return custom_linear_solve(matvec, v, solve_one, symmetric=True)
    if a.ndim == b.ndim + 1:
        return solve_vec(b)
    return vmap(solve_vec, b.ndim - 1, max(a.ndim, b.ndim) - 1)(b)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
    """(u, s, vh) with a = u @ diag(s) @ vh, or only s with compute_uv=False."""
    del overwrite_a, check_finite, lapack_driver
    a, = _inexact("svd", a)
    return spectral.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(a, b=None, lower: bool = True, eigvals_only: bool = False, overwrite_a: bool = False,
         overwrite_b: bool = False, turbo: bool = True, eigvals=None, type: int = 1,
         check_finite: bool = True):
    """(w, v): ascending eigenvalues and eigenvectors (columns) of the Hermitian a; w only with eigvals_only."""
    del overwrite_a, overwrite_b, turbo, check_finite
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    a, = _inexact("eigh", a)
    v, w = spectral.eigh(a, lower=lower)
    return w if eigvals_only else (w, v)


def eigh_tridiagonal(d, e, *, eigvals_only: bool = False, select: str = "a",
                     select_range: tuple[float, float] | None = None, tol: float | None = None):
    """Eigenvalues (and with eigvals_only=False eigenvectors) of the real symmetric tridiagonal matrix (d, e)."""
    return tridiag_prims.eigh_tridiagonal(d, e, eigvals_only=eigvals_only, select=select,
                                          select_range=select_range, tol=tol)


def schur(a, output: str = "real"):
    """(T, Z) with a = Z T Z^H: T quasi-upper-triangular ('real') or upper-triangular ('complex')."""
    if output not in ("real", "complex"):
        raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got output={output!r}.")
    a = jnp.asarray(a)
    if output == "complex" and not dtypes.issubdtype(a.dtype, np.complexfloating):
        a = a.astype(jnp.promote_types(a.dtype, np.complex64))
    return list(eig_prims.schur(a))


def hessenberg(a, *, calc_q: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """The upper Hessenberg form h of a, and with calc_q=True (h, q) with a = q h q^H."""
    del overwrite_a, check_finite
    a = jnp.asarray(a)
    n = a.shape[-1]
    if n == 0:
        return (jnp.zeros_like(a), jnp.zeros_like(a)) if calc_q else jnp.zeros_like(a)
    packed, taus = eig_prims.hessenberg(a)
    h = jnp.triu(packed, -1)
    if not calc_q:
        return h
    q = eig_prims.householder_product(packed[..., 1:, :-1], taus)
    batch = packed.shape[:-2]
    dt = packed.dtype
    top = jnp.concatenate([jnp.ones(batch + (1, 1), dt), jnp.zeros(batch + (1, n - 1), dt)], axis=-1)
    bottom = jnp.concatenate([jnp.zeros(batch + (n - 1, 1), dt), q], axis=-1)
    return h, jnp.concatenate([top, bottom], axis=-2)


def qr(a, overwrite_a: bool = False, lwork: Any = None, mode: str = "full", pivoting: bool = False,
       check_finite: bool = True):
    """(Q, R) of a; mode 'full', 'economic' or 'r' (a 1-tuple (R,)); pivoting adds the column permutation P."""
    del overwrite_a, lwork, check_finite
    if mode in ("full", "r"):
        full_matrices = True
    elif mode == "economic":
        full_matrices = False
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    a, = _inexact("qr", a)
    q, r, *p = spectral.qr(a, pivoting=pivoting, full_matrices=full_matrices)
    if mode == "r":
        return (r, p[0]) if pivoting else (r,)
    return (q, r, p[0]) if pivoting else (q, r)


def qr_multiply(a, c, mode: str = "right", pivoting: bool = False, conjugate: bool = False,
                overwrite_a: bool = False, overwrite_c: bool = False):
    """(Q @ c, R) (mode 'left') or (c @ Q, R) (mode 'right') for a = Q R, with conj(Q) if conjugate.

    Q is the economic factor (m, k), so 'left' takes c with k rows and 'right' c with m columns;
    a 1-D c is a column ('left') or a row ('right') and the product is raveled back.
    """
    del overwrite_a, overwrite_c
    a, c = _inexact("qr_multiply", a, c)
    if mode not in ("right", "left"):
        raise ValueError(f"mode must be 'right' or 'left', got {mode!r}")
    onedim = c.ndim == 1
    if onedim:
        c = c[:, None] if mode == "left" else c[None, :]
    m, n = a.shape[-2:]
    k = min(m, n)
    if mode == "left" and c.shape[-2] != k:
        raise ValueError(
            f"Array shapes are not compatible for Q @ c operation: a has shape {tuple(a.shape)} so Q "
            f"has {k} columns, but c has {c.shape[-2]} rows (expected {k}).")
    if mode == "right" and c.shape[-1] != m:
        raise ValueError(
            f"Array shapes are not compatible for c @ Q operation: a has shape {tuple(a.shape)} so Q "
            f"has {m} rows, but c has {c.shape[-1]} columns (expected {m}).")
    batch = np.broadcast_shapes(a.shape[:-2], c.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    c = jnp.broadcast_to(c, batch + c.shape[-2:])
    q, r, *p = spectral.qr(a, pivoting=pivoting, full_matrices=False)
    if conjugate:
        q = jnp.conj(q)
    out = jnp.matmul(q, c) if mode == "left" else jnp.matmul(c, q)
    if onedim:
        out = jnp.ravel(out)
    r = jnp.triu(r[..., :k, :])
    return (out, r, p[0]) if pivoting else (out, r)
