"""Cases for eigh, svd and qr (primitives/spectral.py).

The factors are unique only up to signs (phases), so the derivative columns run through
sign-invariant quantities (`bind=`): eigenvalues, singular values, reconstructions and
projectors, packed into one vector. Symmetric inputs are made inside `bind`, so the vmap
column's perturbed inputs stay valid. Direct cases (order=0) check the raw outputs.
"""
import numpy as np
import scipy.linalg

import nablax.numpy as jnp
from nablax._src.primitives import spectral
from nablax.lax import linalg as L

from .case import Case, randn


def _H(a):
    return np.conj(np.swapaxes(a, -1, -2))


def _jH(a):
    return jnp.conj(jnp.swapaxes(a, -1, -2))


def _sym(a):
    return (a + _H(a)) / 2


def _flat(*parts):
    return jnp.concatenate([jnp.ravel(p) for p in parts])


def _np_flat(*parts):
    return np.concatenate([np.ravel(p) for p in parts])


# ---------------------------------------------------------------------------- eigh

def _eigh_ref(x, *, lower, sort_eigenvalues, subset_by_index):
    w, v = np.linalg.eigh(x, UPLO="L" if lower else "U")
    if subset_by_index is not None:
        lo, hi = subset_by_index
        w, v = w[..., lo:hi], v[..., :, lo:hi]
    return [v, w]


def _eigh_invariants(a):
    """Eigenvalues, V diag(w) Vᴴ and the projector onto the lowest eigenvector."""
    v, w = L.eigh(a)
    v0 = v[..., :, :1]
    return _flat(w, (v * w[..., None, :]) @ _jH(v), v0 @ _jH(v0))


def _eigh_invariants_ref(a):
    w, v = np.linalg.eigh(_sym(a))
    v0 = v[..., :, :1]
    return _np_flat(w, (v * w[..., None, :]) @ _H(v), v0 @ _H(v0))


def _sym_input(seed, n=4, complex_=False):
    a = randn(n, n, seed=seed) + (1j * randn(n, n, seed=seed + 50) if complex_ else 0)
    return _sym(a) + np.diag(np.arange(n, dtype=np.float64))  # well separated eigenvalues


_EIGH_P = {"lower": True, "sort_eigenvalues": True, "subset_by_index": None}

# ----------------------------------------------------------------------------- svd


def _svd_ref(x, *, full_matrices, compute_uv, subset_by_index):
    if not compute_uv:
        return [np.linalg.svd(x, compute_uv=False)]
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return [s, u, vh]


def _svd_invariants(a):
    """s, U diag(s) Vh and the projectors onto the leading singular vectors."""
    u, s, vh = L.svd(a, full_matrices=False)
    u0, v0 = u[..., :, :1], _jH(vh[..., :1, :])
    return _flat(s, (u * s[..., None, :]) @ vh, u0 @ _jH(u0), v0 @ _jH(v0))


def _svd_invariants_ref(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    u0, v0 = u[..., :, :1], _H(vh[..., :1, :])
    return _np_flat(s, (u * s[..., None, :]) @ vh, u0 @ _H(u0), v0 @ _H(v0))


def _svd_p(full_matrices=False, compute_uv=True):
    return {"full_matrices": full_matrices, "compute_uv": compute_uv, "subset_by_index": None}


# ------------------------------------------------------------------------------ qr

def _qr_ref(x, *, pivoting, full_matrices):
    if pivoting:

        q, r, p = scipy.linalg.qr(x, mode="full" if full_matrices else "economic", pivoting=True)
        return [q, r, p.astype(np.int32)]
    return list(np.linalg.qr(x, mode="complete" if full_matrices else "reduced"))


def _qr_invariants(a, full_matrices=False, pivoting=False):
    """Q R (with the columns permuted back), Q Qᴴ and |diag R|."""
    q, r, *p = L.qr(a, full_matrices=full_matrices, pivoting=pivoting)
    k = min(a.shape[-2:])
    qk = q[..., :, :k]
    return _flat(q @ r, qk @ _jH(qk), jnp.abs(jnp.diagonal(r, axis1=-2, axis2=-1)))


def _qr_invariants_ref(a, full_matrices=False, pivoting=False):
    q, r, *p = _qr_ref(a, pivoting=pivoting, full_matrices=full_matrices)
    k = min(a.shape[-2:])
    qk = q[..., :, :k]
    return _np_flat(q @ r, qk @ _H(qk), np.abs(np.diagonal(r, axis1=-2, axis2=-1)))


def _qr_p(pivoting=False, full_matrices=True):
    return {"pivoting": pivoting, "full_matrices": full_matrices}


_TALL = randn(5, 3, seed=3)
_WIDE = randn(3, 5, seed=4)
_TALL_C = _TALL + 1j * randn(5, 3, seed=5)
_SQUARE = randn(4, 4, seed=6)

CASES = [
    # eigh: raw outputs (the vmap column's x + 0.1k stays symmetric), then invariants.
    Case(spectral.eigh_p, (_sym_input(1),), _EIGH_P, reference=_eigh_ref, name="raw", order=0),
    Case(spectral.eigh_p, (randn(2, 3, 3, seed=2),), {**_EIGH_P, "lower": False}, reference=_eigh_ref,
         name="upper-batched", order=0),
    Case(spectral.eigh_p, (_sym_input(7),), {**_EIGH_P, "subset_by_index": (1, 3)}, reference=_eigh_ref,
         name="subset", order=0),
    Case(spectral.eigh_p, (_sym_input(8, complex_=True),), _EIGH_P, reference=_eigh_ref, name="raw-complex",
         order=0),
    Case(spectral.eigh_p, (_sym_input(9),), bind=_eigh_invariants, reference=_eigh_invariants_ref,
         name="invariants"),
    Case(spectral.eigh_p, (_sym_input(10, complex_=True),), bind=_eigh_invariants,
         reference=_eigh_invariants_ref, name="invariants-complex"),
    # svd
    Case(spectral.svd_p, (_TALL,), _svd_p(True), reference=_svd_ref, name="raw-full", order=0),
    Case(spectral.svd_p, (randn(2, 3, 4, seed=11),), _svd_p(False), reference=_svd_ref, name="raw-batched",
         order=0),
    Case(spectral.svd_p, (_TALL_C,), _svd_p(False), reference=_svd_ref, name="raw-complex", order=0),
    Case(spectral.svd_p, (_TALL,), _svd_p(False, False), reference=_svd_ref, name="values"),
    Case(spectral.svd_p, (_TALL_C,), _svd_p(False, False), reference=_svd_ref, name="values-complex"),
    Case(spectral.svd_p, (_TALL,), bind=_svd_invariants, reference=_svd_invariants_ref, name="invariants-tall"),
    Case(spectral.svd_p, (_WIDE,), bind=_svd_invariants, reference=_svd_invariants_ref, name="invariants-wide"),
    Case(spectral.svd_p, (_TALL_C,), bind=_svd_invariants, reference=_svd_invariants_ref,
         name="invariants-complex", order=1),
    # qr
    Case(spectral.qr_p, (_TALL,), _qr_p(), reference=_qr_ref, name="raw-complete", order=0),
    Case(spectral.qr_p, (randn(2, 3, 4, seed=12),), _qr_p(full_matrices=False), reference=_qr_ref,
         name="raw-reduced-batched", order=0),
    Case(spectral.qr_p, (_TALL,), _qr_p(True, False), reference=_qr_ref, name="raw-pivoting", order=0),
    Case(spectral.qr_p, (_TALL,), bind=_qr_invariants, reference=_qr_invariants_ref, name="invariants-tall"),
    Case(spectral.qr_p, (_WIDE,), bind=_qr_invariants, reference=_qr_invariants_ref, name="invariants-wide"),
    Case(spectral.qr_p, (_SQUARE,), {"full_matrices": True}, bind=_qr_invariants, reference=_qr_invariants_ref,
         name="invariants-square"),
    # The complete Q of a tall matrix: LAPACK's extra columns, differentiated as they come out.
    Case(spectral.qr_p, (_TALL,), _qr_p(), name="complete-tall",
         reference=lambda a, **p: _np_flat(*_qr_ref(a, **p)),
         bind=lambda a, **p: _flat(*L.qr(a, **p))),
    Case(spectral.qr_p, (_TALL_C,), bind=_qr_invariants, reference=_qr_invariants_ref,
         name="invariants-complex", order=1),
    Case(spectral.qr_p, (_WIDE,), {"pivoting": True}, bind=_qr_invariants, reference=_qr_invariants_ref,
         name="invariants-pivoting", order=1),
]

BAD_CASES = [
    Case(spectral.eigh_p, (randn(3, 4),), bind=L.eigh, name="non-square"),
    Case(spectral.eigh_p, (randn(4),), bind=L.eigh, name="rank-1"),
    Case(spectral.eigh_p, (np.eye(3, dtype=np.int32),), {"symmetrize_input": False}, bind=L.eigh, name="int"),
    Case(spectral.svd_p, (randn(4),), bind=L.svd, name="rank-1"),
    Case(spectral.svd_p, (np.eye(3, dtype=np.int32),), bind=L.svd, name="int"),
    Case(spectral.svd_p, (randn(3, 3),), {"subset_by_index": (0, 4), "full_matrices": False}, bind=L.svd,
         name="subset-range"),
    Case(spectral.qr_p, (randn(4),), bind=L.qr, name="rank-1"),
    Case(spectral.qr_p, (np.eye(3, dtype=np.int32),), bind=L.qr, name="int"),
]
