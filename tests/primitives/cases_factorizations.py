"""Cases for the factor/solve primitives (primitives/factorizations.py, factorizations_more.py).

Inputs that must stay well conditioned under the columns' perturbations are built inside
`bind` (an SPD matrix from any square one) or made diagonally dominant.
"""
import numpy as np
import scipy.linalg as sl

import nablax.numpy as jnp
from nablax._src.primitives import factorizations as fz
from nablax._src.primitives import factorizations_more as fm
from nablax.lax import linalg as L

from .case import Case, randn


def _tri(n, batch=(), seed=0, dtype=np.float64):
    a = randn(*batch, n, n, seed=seed) + 4 * np.eye(n)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * randn(*batch, n, n, seed=seed + 7)
    return a.astype(dtype)


def _solve_ref(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        a = a - a * np.eye(a.shape[-1]) + np.eye(a.shape[-1])
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if conjugate_a:
        a = np.conj(a)
    if left_side:
        return np.linalg.solve(a, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _ts(left_side=True, lower=True, transpose_a=False, conjugate_a=False, unit_diagonal=False):
    return dict(left_side=left_side, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a,
                unit_diagonal=unit_diagonal)


def _spd(a):
    """A Hermitian positive definite matrix from any square (stack of) a, built with jnp."""
    n = a.shape[-1]
    return a @ jnp.conj(jnp.swapaxes(a, -1, -2)) + n * jnp.eye(n, dtype=a.dtype)


def _spd_np(a):
    n = a.shape[-1]
    return a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)


def _cholesky_nan_ref(x):
    return np.where(np.tri(x.shape[-1], dtype=bool), np.nan, 0.0) * np.ones_like(x)


def _lu_ref(x):
    m, n = x.shape[-2:]
    lus, pivs, perms = [], [], []
    for mat in x.reshape(-1, m, n):
        lu, piv = sl.lu_factor(mat)
        perm = np.arange(m)
        for i, p in enumerate(piv):
            perm[[i, p]] = perm[[p, i]]
        lus.append(lu)
        pivs.append(piv.astype(np.int32))
        perms.append(perm.astype(np.int32))
    batch = x.shape[:-2]
    k = min(m, n)
    return [np.stack(lus).reshape(x.shape), np.stack(pivs).reshape(batch + (k,)),
            np.stack(perms).reshape(batch + (m,))]


def _lu_reconstruct(x):
    """P⁻¹ L U, sign- and pivot-free: equals x; its derivatives go through the lu JVP."""
    lu, _, perm = L.lu(x)
    m, n = x.shape[-2:]
    k = min(m, n)
    low = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=lu.dtype)
    up = jnp.triu(lu[..., :k, :])
    inverse = jnp.argsort(perm, axis=-1)
    return jnp.take_along_axis(low @ up, inverse[..., :, None], axis=-2)


def _lu_factor_ref(x):
    return _lu_ref(x)[0]


def _perm_ref(pivots, *, permutation_size):
    out = []
    for piv in pivots.reshape(-1, pivots.shape[-1]):
        perm = np.arange(permutation_size)
        for i, p in enumerate(piv):
            perm[[i, p]] = perm[[p, i]]
        out.append(perm)
    return np.stack(out).astype(np.int32).reshape(pivots.shape[:-1] + (permutation_size,))


def _tridiag_args(m, k, batch=(), dtype=np.float64, seed=0):
    dl, du = randn(*batch, m, seed=seed), randn(*batch, m, seed=seed + 1)
    d = randn(*batch, m, seed=seed + 2) + 5.0
    dl[..., 0] = 0.0
    du[..., -1] = 0.0
    b = randn(*batch, m, k, seed=seed + 3)
    if np.dtype(dtype).kind == "c":
        dl, d, du, b = (x + 0.5j * randn(*x.shape, seed=seed + 9) for x in (dl, d, du, b))
        dl[..., 0] = 0.0
        du[..., -1] = 0.0
    return tuple(x.astype(dtype) for x in (dl, d, du, b))


def _tridiag_ref(dl, d, du, b, *, perturb_singular):
    m = d.shape[-1]
    t = d[..., :, None] * np.eye(m) + np.eye(m, k=-1) * dl[..., :, None] + np.eye(m, k=1) * du[..., :, None]
    return np.linalg.solve(t, b)


def _upper_factor(n, seed=0):
    return np.linalg.cholesky(_spd_np(randn(n, n, seed=seed))).T.copy()


def _cholesky_update_ref(r, w):
    r = np.triu(r)
    return np.swapaxes(np.linalg.cholesky(np.swapaxes(r, -1, -2) @ r + w[..., :, None] * w[..., None, :]),
                       -1, -2)


def _symmetric_product_ref(a, c, *, alpha, beta):
    return alpha * a @ np.swapaxes(a, -1, -2) + beta * c


CASES = [
    Case(fz.triangular_solve_p, (_tri(4), randn(4, 3, seed=1)), _ts(), reference=_solve_ref, name="left-lower"),
    Case(fz.triangular_solve_p, (_tri(4), randn(3, 4, seed=1)), _ts(left_side=False, lower=False),
         reference=_solve_ref, name="right-upper"),
    Case(fz.triangular_solve_p, (_tri(4), randn(4, 2, seed=1)), _ts(transpose_a=True, unit_diagonal=True),
         reference=_solve_ref, name="transpose-unit"),
    Case(fz.triangular_solve_p, (_tri(3, (2,)), randn(2, 2, 3, seed=1)),
         _ts(left_side=False, transpose_a=True), reference=_solve_ref, name="batched-right-transpose"),
    Case(fz.triangular_solve_p, (_tri(3, dtype=np.complex128), randn(3, 2, seed=1) + 1j * randn(3, 2, seed=2)),
         _ts(lower=False, transpose_a=True, conjugate_a=True), reference=_solve_ref, name="complex-adjoint"),
    Case(fz.triangular_solve_p, (_tri(3, dtype=np.complex128), randn(2, 3, seed=1) + 1j * randn(2, 3, seed=2)),
         _ts(left_side=False, conjugate_a=True), reference=_solve_ref, name="complex-conjugate"),
    Case(fz.triangular_solve_p, (_tri(4), randn(4, seed=1)), {}, reference=lambda a, b: np.linalg.solve(
        np.tril(a), b), bind=lambda a, b: L.triangular_solve(a, b, left_side=True, lower=True), name="vector"),
    Case(fz.cholesky_p, (_spd_np(randn(4, 4)),), reference=np.linalg.cholesky, name="direct"),
    Case(fz.cholesky_p, (randn(2, 3, 3),), reference=lambda a: np.linalg.cholesky(_spd_np(a)),
         bind=lambda a: L.cholesky(_spd(a)), name="spd-batched"),
    Case(fz.cholesky_p, (randn(3, 3) + 1j * randn(3, 3, seed=1),),
         reference=lambda a: np.linalg.cholesky(_spd_np(a)), bind=lambda a: L.cholesky(_spd(a)), name="complex"),
    Case(fz.cholesky_p, (randn(3, 3),), reference=lambda a: np.linalg.cholesky(_spd_np(a)),
         bind=lambda a: L.cholesky(_spd(a), symmetrize_input=False), name="lower-only"),
    Case(fz.cholesky_p, (np.stack([np.eye(3) * 2.0, -np.eye(3)]),),
         reference=lambda x: np.stack([np.linalg.cholesky(x[0]), _cholesky_nan_ref(x[1])]), name="not-pd",
         order=0),
    Case(fz.lu_p, (randn(4, 4),), reference=_lu_ref, name="square", order=0),
    Case(fz.lu_p, (randn(2, 5, 3),), reference=_lu_ref, name="tall-batched", order=0),
    Case(fz.lu_p, (randn(3, 5) + 1j * randn(3, 5, seed=1),), reference=_lu_ref, name="wide-complex", order=0),
    Case(fz.lu_p, (randn(4, 4),), reference=_lu_factor_ref, bind=lambda x: L.lu(x)[0], name="factor"),
    Case(fz.lu_p, (randn(2, 5, 3),), reference=_lu_factor_ref, bind=lambda x: L.lu(x)[0], name="factor-tall"),
    Case(fz.lu_p, (randn(3, 5) + 1j * randn(3, 5, seed=1),), reference=_lu_factor_ref,
         bind=lambda x: L.lu(x)[0], name="factor-wide-complex"),
    Case(fz.lu_p, (randn(4, 4),), reference=lambda x: x, bind=_lu_reconstruct, name="reconstruct"),
    Case(fz.lu_pivots_to_permutation_p, (np.array([[2, 2, 3], [0, 3, 2]], np.int32),),
         {"permutation_size": 5}, reference=_perm_ref, order=0),
    Case(fm.tridiagonal_solve_p, _tridiag_args(5, 2), {"perturb_singular": False}, reference=_tridiag_ref),
    Case(fm.tridiagonal_solve_p, _tridiag_args(4, 3, (2,), seed=3), {"perturb_singular": False},
         reference=_tridiag_ref, name="batched"),
    Case(fm.tridiagonal_solve_p, _tridiag_args(4, 2, dtype=np.complex128, seed=5), {"perturb_singular": False},
         reference=_tridiag_ref, name="complex"),
    Case(fm.cholesky_update_p, (_upper_factor(4), randn(4, seed=2)), reference=_cholesky_update_ref, order=0),
    Case(fm.symmetric_product_p, (randn(3, 2), randn(3, 3, seed=1)), {"alpha": 2.0, "beta": 0.5},
         reference=_symmetric_product_ref, order=0),
    Case(fm.symmetric_product_p, (randn(2, 3, 4), randn(2, 3, 3, seed=1)), {"alpha": 1.0, "beta": 0.0},
         reference=_symmetric_product_ref, name="batched", order=0),
]

# Misuse: eager and jit raise the same class, through the public lax.linalg functions.
BAD_CASES = [
    Case(fz.cholesky_p, (randn(3, 4),), bind=L.cholesky, name="not-square"),
    Case(fz.cholesky_p, (randn(3, 4),), {"symmetrize_input": False}, bind=L.cholesky, name="not-square-lower"),
    Case(fz.cholesky_p, (np.eye(3, dtype=np.int32),), {"symmetrize_input": False}, bind=L.cholesky,
         name="integer"),
    Case(fz.cholesky_p, (randn(3),), bind=L.cholesky, name="vector"),
    Case(fz.triangular_solve_p, (_tri(3), randn(4, 2)), {"left_side": True}, bind=L.triangular_solve,
         name="shapes"),
    Case(fz.triangular_solve_p, (randn(3, 4), randn(4, 2)), {"left_side": True}, bind=L.triangular_solve,
         name="not-square"),
    Case(fz.triangular_solve_p, (_tri(3, (2,)), randn(4, 3, 3)), {"left_side": True},
         bind=L.triangular_solve, name="batch-sizes"),
    Case(fz.triangular_solve_p, (np.eye(3, dtype=np.int32), np.ones((3, 2), np.int32)), {"left_side": True},
         bind=L.triangular_solve, name="integer"),
    Case(fz.triangular_solve_p, (_tri(3), randn(3, 2).astype(np.float32)), {"left_side": True},
         bind=L.triangular_solve, name="dtypes"),
    Case(fz.lu_p, (np.eye(3, dtype=np.int32),), bind=L.lu, name="integer"),
    Case(fz.lu_p, (randn(3),), bind=L.lu, name="vector"),
    Case(fz.lu_pivots_to_permutation_p, (np.array([0, 1, 2], np.int32),), {"permutation_size": 2},
         bind=L.lu_pivots_to_permutation, name="too-small"),
    Case(fm.tridiagonal_solve_p, _tridiag_args(4, 2)[:2] + (randn(3),) + _tridiag_args(4, 2)[3:],
         bind=L.tridiagonal_solve, name="diagonals"),
    Case(fm.tridiagonal_solve_p, _tridiag_args(4, 2)[:3] + (randn(3, 2),), bind=L.tridiagonal_solve,
         name="rhs"),
    Case(fm.cholesky_update_p, (_upper_factor(3), randn(2)), bind=L.cholesky_update, name="sizes"),
    Case(fm.cholesky_update_p, (_upper_factor(3)[None], randn(1, 3)), bind=L.cholesky_update, name="rank"),
    Case(fm.symmetric_product_p, (randn(3, 2) + 0j, randn(3, 3) + 0j), bind=L.symmetric_product,
         name="complex"),
    Case(fm.symmetric_product_p, (randn(3, 2), randn(2, 2)), bind=L.symmetric_product, name="shapes"),
]
