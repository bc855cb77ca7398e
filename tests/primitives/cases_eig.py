"""Cases for the general-matrix primitives (primitives/eig*.py): eig, schur, hessenberg,
tridiagonal, householder_product, ormqr, eigh_tridiagonal.

Raw outputs are checked against SciPy's LAPACK calls with order=0 (eigenvector phases and Schur
vector signs are LAPACK's choice); derivatives go through eigenvalues, through eigenvectors
under the geev normalisation (enable_eigvec_derivs=True), and through phase-invariant
projectors v vᴴ. Reconstructions (A V = V diag(w), Z T Zᴴ, Q H Qᴴ, Q T Qᴴ) are cases too.
"""
import numpy as np
import scipy.linalg
from scipy.linalg import lapack

import nablax.numpy as jnp
from nablax._src.primitives import eig as eig_mod
from nablax._src.primitives import eig_householder as hh
from nablax._src.primitives import eig_tridiagonal as etd
from nablax.lax import linalg as L

from .case import Case, randn

EIG = dict(compute_left_eigenvectors=True, compute_right_eigenvectors=True, enable_eigvec_derivs=False,
           implementation=None)


def _eig_params(left: bool, right: bool, derivs: bool = False) -> dict:
    return dict(EIG, compute_left_eigenvectors=left, compute_right_eigenvectors=right,
                enable_eigvec_derivs=derivs)


def _complex_of(x):
    return np.complex64 if x.dtype in (np.float32, np.complex64) else np.complex128


def _eig_ref(x, *, compute_left_eigenvectors, compute_right_eigenvectors, **_):
    out = scipy.linalg.eig(x, left=compute_left_eigenvectors, right=compute_right_eigenvectors)
    out = out if isinstance(out, tuple) else (out,)
    return [np.asarray(o).astype(_complex_of(x)) for o in out]


def _cplx(n, seed):
    return randn(n, n, seed=seed) + 1j * randn(n, n, seed=seed + 100)


A4 = randn(4, 4, seed=1)          # real, one complex-conjugate pair of eigenvalues
A3 = randn(3, 3, seed=5)
C3 = _cplx(3, seed=2)
SYM4 = A4 + A4.T
HERM3 = C3 + C3.conj().T


# ------------------------------------------------------------------- bind functions (eig)

def _projectors(v):
    """v_j v_jᴴ for each column j: invariant under each eigenvector's phase ([..., n, n, n])."""
    return v[..., :, None, :] * jnp.conj(v[..., None, :, :])


def _eig_right_projectors(x):
    return _projectors(L.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)[1])


def _eig_left_projectors(x):
    return _projectors(L.eig(x, compute_right_eigenvectors=False, enable_eigvec_derivs=True)[1])


def _np_projectors(v):
    return v[..., :, None, :] * np.conj(v[..., None, :, :])


def _eig_residual(x):
    """A V - V diag(w) and Vlᴴ A - diag(w) Vlᴴ: zero for any phases."""
    w, vl, vr = L.eig(x)
    return jnp.concatenate([x @ vr - vr * w[..., None, :], jnp.conj(vl).mT @ x - w[..., :, None] * jnp.conj(vl).mT],
                           axis=-1)


def _zeros_residual(x):
    n = x.shape[-1]
    return np.zeros(x.shape[:-1] + (2 * n,), _complex_of(x))


# -------------------------------------------------------------------- schur / hessenberg

def _schur_ref(x, *, compute_schur_vectors, **_):
    t, z = scipy.linalg.schur(x, output="complex" if x.dtype.kind == "c" else "real")
    return [t, z] if compute_schur_vectors else [t]


def _schur_reconstruct(x):
    t, z = L.schur(x)
    return z @ t @ jnp.conj(z).mT


def _embed_q(q1, n):
    """diag(1, q1): the Householder Q of hessenberg/sytrd (the first reflector acts on rows 1..)."""
    e0 = jnp.zeros((n, n), q1.dtype).at[0, 0].set(1)
    return e0 + jnp.pad(q1, [(0, 0)] * (q1.ndim - 2) + [(1, 0), (1, 0)])


def _hessenberg_reconstruct(x):
    h, taus = L.hessenberg(x)
    n = x.shape[-1]
    q = _embed_q(L.householder_product(h[..., 1:, :-1], taus), n)
    return q @ jnp.triu(h, -1) @ jnp.conj(q).mT


def _tridiagonal_reconstruct(x):
    """Q T Qᴴ from tridiagonal(lower=True): equals the Hermitian matrix whose lower triangle is x's."""
    a, d, e, taus = L.tridiagonal(x)
    n = x.shape[-1]
    q = _embed_q(L.householder_product(a[..., 1:, :-1], taus), n)
    t = jnp.diag(d) + jnp.diag(e, -1) + jnp.diag(e, 1)
    return q @ t.astype(q.dtype) @ jnp.conj(q).mT


def _hermitian_from_lower(x):
    low = np.tril(x, -1)
    return low + low.conj().T + np.diag(np.diag(x).real)


def _gehrd_ref(x):
    h, tau, _ = lapack.get_lapack_funcs("gehrd", (x,))(x)
    return [h, tau]


def _sytrd_ref(x, *, lower):
    fn = lapack.get_lapack_funcs("hetrd" if x.dtype.kind == "c" else "sytrd", (x,))
    return list(fn(x, lower=int(lower))[:4])


# --------------------------------------------------------------- householder / ormqr

def _raw_qr(x):
    (qr, tau), _ = scipy.linalg.qr(x, mode="raw")
    return np.ascontiguousarray(qr), tau


QR_A, QR_TAU = _raw_qr(randn(5, 3, seed=7))
QRC_A, QRC_TAU = _raw_qr(randn(4, 3, seed=8) + 1j * randn(4, 3, seed=9))
Q_FULL = scipy.linalg.qr(randn(5, 3, seed=7))[0]


def _orgqr_ref(a, taus):
    """H_1 ⋯ H_k, H_i = I - tau_i v_i v_iᴴ (v_i: 1 at row i, a's column i below it), first n columns."""
    m, n = a.shape
    q = np.eye(m, dtype=a.dtype)
    for i, tau in enumerate(taus):
        v = np.concatenate([np.zeros(i), [1.0], a[i + 1:, i]]).astype(a.dtype)
        q = q @ (np.eye(m) - tau * np.outer(v, v.conj()))
    return q[:, :n]


def _ormqr_ref(a, taus, c, *, left, transpose):
    q = Q_FULL.conj().T if transpose else Q_FULL
    return q @ c if left else c @ q


# --------------------------------------------------------------------- eigh_tridiagonal

TD_D, TD_E = randn(5, seed=11), randn(4, seed=12)
TD = dict(compute_eigenvectors=False, select_range=None, tol=None)


def _td_dense(d, e):
    return np.diag(d) + np.diag(e, 1) + np.diag(e, -1)


def _td_ref(d, e, *, compute_eigenvectors, select_range, tol):
    w, v = np.linalg.eigh(_td_dense(d, e))
    if select_range is not None:
        w, v = w[select_range[0]:select_range[1] + 1], v[:, select_range[0]:select_range[1] + 1]
    return [w, v] if compute_eigenvectors else [w]


def _td_vec_ref(d, e, **params):
    w, v = scipy.linalg.eigh_tridiagonal(d, e)
    return [w, v]


def _td_projectors(d, e):
    return _projectors(etd.eigh_tridiagonal(d, e)[1])


def _td_np_projectors(d, e):
    return _np_projectors(np.linalg.eigh(_td_dense(d, e))[1])


CASES = [
    # eig: raw outputs (phases are LAPACK's) and eigenvalues
    Case(eig_mod.eig_p, (A4,), EIG, reference=_eig_ref, name="raw", order=0),
    Case(eig_mod.eig_p, (A4,), _eig_params(False, True), reference=_eig_ref, name="right", order=0),
    Case(eig_mod.eig_p, (C3,), EIG, reference=_eig_ref, name="complex-raw", order=0),
    Case(eig_mod.eig_p, (A4.astype(np.float32),), _eig_params(False, False), reference=_eig_ref,
         name="float32", order=0, tol=1e-5),
    Case(eig_mod.eig_p, (A4,), _eig_params(False, False), reference=_eig_ref, name="eigenvalues", tol=1e-5),
    Case(eig_mod.eig_p, (C3,), _eig_params(False, False), reference=_eig_ref, name="complex-eigenvalues",
         order=1, tol=1e-5),
    # eigenvector derivatives under geev's normalisation, and through phase-invariant projectors
    Case(eig_mod.eig_p, (A3,), _eig_params(False, True, True), reference=_eig_ref, name="right-derivs",
         order=1, tol=1e-5),
    Case(eig_mod.eig_p, (A3,), _eig_params(True, False, True), reference=_eig_ref, name="left-derivs",
         order=1, tol=1e-5),
    Case(eig_mod.eig_p, (A3,), {}, bind=_eig_right_projectors, name="right-projectors", tol=1e-5,
         reference=lambda x: _np_projectors(scipy.linalg.eig(x)[1])),
    Case(eig_mod.eig_p, (A3,), {}, bind=_eig_left_projectors, name="left-projectors", tol=1e-5, order=1,
         reference=lambda x: _np_projectors(scipy.linalg.eig(x, left=True, right=False)[1])),
    Case(eig_mod.eig_p, (A4,), {}, bind=_eig_residual, name="residual", order=0, tol=1e-12,
         reference=_zeros_residual),
    # schur
    Case(eig_mod.schur_p, (A4,), dict(compute_schur_vectors=True, sort_eig_vals=False, select_callable=None),
         reference=_schur_ref, name="real", order=0),
    Case(eig_mod.schur_p, (C3,), dict(compute_schur_vectors=True, sort_eig_vals=False, select_callable=None),
         reference=_schur_ref, name="complex", order=0),
    Case(eig_mod.schur_p, (A4,), dict(compute_schur_vectors=False, sort_eig_vals=False, select_callable=None),
         reference=_schur_ref, name="no-vectors", order=0),
    Case(eig_mod.schur_p, (C3,), {}, bind=_schur_reconstruct, reference=lambda x: x, name="reconstruct",
         order=0, tol=1e-12),
    # hessenberg / tridiagonal (raw LAPACK packed forms) and reconstructions through householder_product
    Case(hh.hessenberg_p, (A4,), reference=_gehrd_ref, name="real", order=0),
    Case(hh.hessenberg_p, (C3,), reference=_gehrd_ref, name="complex", order=0),
    Case(hh.hessenberg_p, (A4,), bind=_hessenberg_reconstruct, reference=lambda x: x, name="reconstruct",
         order=0, tol=1e-12),
    Case(hh.tridiagonal_p, (SYM4,), {"lower": True}, reference=_sytrd_ref, name="lower", order=0),
    Case(hh.tridiagonal_p, (SYM4,), {"lower": False}, reference=_sytrd_ref, name="upper", order=0),
    Case(hh.tridiagonal_p, (HERM3,), {"lower": True}, reference=_sytrd_ref, name="hermitian", order=0),
    Case(hh.tridiagonal_p, (C3,), bind=_tridiagonal_reconstruct, reference=_hermitian_from_lower,
         name="reconstruct", order=0, tol=1e-12),
    Case(hh.householder_product_p, (QR_A, QR_TAU), reference=_orgqr_ref, name="real", order=0),
    Case(hh.householder_product_p, (QR_A, QR_TAU[:2]), reference=_orgqr_ref, name="fewer-taus", order=0),
    Case(hh.householder_product_p, (QRC_A, QRC_TAU), reference=_orgqr_ref, name="complex", order=0),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(5, 2, seed=3)), {"left": True, "transpose": False},
         reference=_ormqr_ref, name="left", order=0, batch_argnums=(2,)),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(5, 2, seed=3)), {"left": True, "transpose": True},
         reference=_ormqr_ref, name="left-transpose", order=0, batch_argnums=(2,)),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(2, 5, seed=3)), {"left": False, "transpose": False},
         reference=_ormqr_ref, name="right", order=0, batch_argnums=(2,)),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(2, 5, seed=3)), {"left": False, "transpose": True},
         reference=_ormqr_ref, name="right-transpose", order=0),
    # eigh_tridiagonal
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E), TD, reference=_td_ref, name="eigvals", tol=1e-6),
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E), dict(TD, select_range=(1, 3)), reference=_td_ref,
         name="select-i", order=1, tol=1e-6),
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E), dict(TD, compute_eigenvectors=True), reference=_td_vec_ref,
         name="vectors-raw", order=0),
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E), {}, bind=_td_projectors, reference=_td_np_projectors,
         name="projectors", tol=1e-6),
]


def _eig_default(x):
    return L.eig(x)


BAD_CASES = [
    Case(eig_mod.eig_p, (randn(3, 4),), bind=_eig_default, name="non-square"),
    Case(eig_mod.eig_p, (np.ones((3, 3), np.int32),), bind=_eig_default, name="integer"),
    Case(eig_mod.eig_p, (randn(3, 3),), {"implementation": L.EigImplementation.MAGMA}, bind=L.eig,
         name="magma"),
    Case(eig_mod.schur_p, (randn(2, 3),), bind=L.schur, name="non-square"),
    Case(eig_mod.schur_p, (np.ones((3, 3), np.int32),), bind=L.schur, name="integer"),
    Case(hh.hessenberg_p, (randn(3, 4),), bind=L.hessenberg, name="non-square"),
    Case(hh.hessenberg_p, (np.ones((3, 3), np.int32),), bind=L.hessenberg, name="integer"),
    Case(hh.tridiagonal_p, (randn(4, 3),), bind=L.tridiagonal, name="non-square"),
    Case(hh.tridiagonal_p, (np.ones((3, 3), np.int32),), bind=L.tridiagonal, name="integer"),
    Case(hh.householder_product_p, (randn(3, 4), randn(3)), bind=L.householder_product, name="wide"),
    Case(hh.householder_product_p, (randn(4, 3), randn(4)), bind=L.householder_product, name="many-taus"),
    Case(hh.householder_product_p, (randn(4, 3), randn(3).astype(np.float32)), bind=L.householder_product,
         name="mixed-dtypes"),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(4, 2)), bind=L.ormqr, name="rows"),
    Case(hh.ormqr_p, (QR_A, QR_TAU, randn(4, 2)), {"left": False}, bind=L.ormqr, name="columns"),
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E[:3]), {"eigvals_only": True}, bind=etd.eigh_tridiagonal,
         name="e-shape"),
    Case(etd.eigh_tridiagonal_p, (TD_D, TD_E), {"eigvals_only": True, "select": "i", "select_range": (3, 9)},
         bind=etd.eigh_tridiagonal, name="select-range"),
    Case(etd.eigh_tridiagonal_p, (np.arange(3, dtype=np.int32), np.arange(2, dtype=np.int32)),
         {"eigvals_only": True}, bind=etd.eigh_tridiagonal, name="integer"),
]
