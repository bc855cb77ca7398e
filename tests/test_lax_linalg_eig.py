"""lax.linalg eig, schur, hessenberg, tridiagonal, householder_product, ormqr and the
eigh_tridiagonal computation without JAX: known answers, reconstructions, dtypes, batching,
NaN handling, derivatives (check_grads), and the documented error classes."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg

import nablax
import nablax.numpy as jnp
from nablax._src.primitives.eig_tridiagonal import eigh_tridiagonal
from nablax.lax import linalg as L
from nablax.test_util import check_grads

RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


def _mat(*shape, complex_=False):
    x = RNG.standard_normal(shape)
    return x + 1j * RNG.standard_normal(shape) if complex_ else x


def test_eig_known_answer():
    # A rotation by 90 degrees scaled by 2: eigenvalues ±2i.
    a = np.array([[0.0, -2.0], [2.0, 0.0]])
    w, vl, vr = L.eig(a)
    np.testing.assert_allclose(np.sort_complex(np.asarray(w)), [-2j, 2j], atol=1e-14)
    assert w.dtype == np.complex128 and vr.dtype == np.complex128
    # geev's normalisation: unit 2-norm, largest-magnitude component real.
    v = np.asarray(vr)
    np.testing.assert_allclose(np.linalg.norm(v, axis=0), 1.0)
    k = np.argmax(np.abs(v), axis=0)
    np.testing.assert_allclose(v[k, range(2)].imag, 0.0, atol=1e-15)


@pytest.mark.parametrize("complex_", [False, True])
def test_eig_reconstruction_batched(complex_):
    a = _mat(3, 5, 5, complex_=complex_)
    w, vl, vr = (np.asarray(o) for o in L.eig(a))
    np.testing.assert_allclose(a @ vr, vr * w[..., None, :], atol=1e-12)
    np.testing.assert_allclose(np.conj(np.swapaxes(vl, -1, -2)) @ a, w[..., :, None] * np.conj(np.swapaxes(vl, -1, -2)),
                               atol=1e-12)


def test_eig_dtypes_and_output_counts():
    a = _mat(4, 4).astype(np.float32)
    with nablax.config.enable_x64(False):
        outs = L.eig(a)
        assert [o.dtype for o in outs] == [np.complex64] * 3
        assert len(L.eig(a, compute_left_eigenvectors=False)) == 2
        assert len(L.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)) == 1
        assert L.schur(a)[0].dtype == np.float32
        assert [o.dtype for o in L.tridiagonal(a + a.T)] == [np.float32] * 4


def test_eig_nan_input_gives_nans():
    a = np.array([[np.nan, 1.0], [2.0, 3.0]])
    for o in L.eig(a):
        assert np.isnan(np.asarray(o)).all()
    good = _mat(2, 2)
    w = np.asarray(L.eig(np.stack([a, good]), compute_left_eigenvectors=False)[0])
    assert np.isnan(w[0]).all() and np.isfinite(w[1]).all()


def test_eig_implementation_and_use_magma():
    a = _mat(3, 3)
    L.eig(a, implementation=L.EigImplementation.LAPACK)
    with pytest.raises(ValueError, match="LAPACK"):
        L.eig(a, implementation=L.EigImplementation.CUSOLVER)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L.eig(a, use_magma=False)
    assert any(issubclass(c.category, DeprecationWarning) for c in caught)


def test_eig_eigenvalue_hessian_and_grad():
    a = _mat(4, 4)

    def loss(x):
        (w,) = L.eig(x, compute_left_eigenvectors=False, compute_right_eigenvectors=False)
        return jnp.sum(jnp.real(w * w))  # = trace(A²)

    np.testing.assert_allclose(np.asarray(nablax.grad(loss)(a)), 2 * a.T, rtol=1e-9, atol=1e-12)
    check_grads(loss, (a,), order=2, atol=1e-5, rtol=1e-5)


def test_eig_eigenvector_derivatives_opt_in():
    a = _mat(3, 3, complex_=True)

    def f(x):
        vr = L.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)[1]
        return jnp.abs(vr) ** 2

    check_grads(f, (a,), order=1, atol=1e-5, rtol=1e-5)
    with pytest.raises(NotImplementedError, match="enable_eigvec_derivs"):
        nablax.jvp(lambda x: L.eig(x)[1], (a,), (a,))


def test_schur_reconstruction_and_form():
    a = _mat(2, 4, 4)
    t, z = (np.asarray(o) for o in L.schur(a))
    np.testing.assert_allclose(z @ t @ np.swapaxes(z, -1, -2), a, atol=1e-12)
    np.testing.assert_allclose(np.tril(t, -2), 0.0)  # real Schur form: quasi-triangular
    c = _mat(4, 4, complex_=True)
    tc, zc = (np.asarray(o) for o in L.schur(c, sort_eig_vals=True, select_callable=None))
    np.testing.assert_allclose(np.tril(tc, -1), 0.0)
    np.testing.assert_allclose(zc @ tc @ zc.conj().T, c, atol=1e-12)
    with pytest.raises(NotImplementedError, match="schur"):
        nablax.jvp(lambda x: L.schur(x)[0], (a,), (a,))


def _householder_q(packed, taus):
    n = packed.shape[-1]
    q = np.eye(n, dtype=packed.dtype)
    q[1:, 1:] = np.asarray(L.householder_product(packed[1:, :-1], taus))
    return q


@pytest.mark.parametrize("complex_", [False, True])
def test_hessenberg_reconstruction(complex_):
    a = _mat(5, 5, complex_=complex_)
    h, taus = (np.asarray(o) for o in L.hessenberg(a))
    q = _householder_q(h, taus)
    np.testing.assert_allclose(q @ np.triu(h, -1) @ q.conj().T, a, atol=1e-12)
    np.testing.assert_allclose(q.conj().T @ q, np.eye(5), atol=1e-12)


@pytest.mark.parametrize("complex_", [False, True])
def test_tridiagonal_reconstruction(complex_):
    x = _mat(5, 5, complex_=complex_)
    herm = x + x.conj().T
    packed, d, e, taus = (np.asarray(o) for o in L.tridiagonal(herm))
    assert d.dtype == e.dtype == np.float64
    q = _householder_q(packed, taus)
    t = np.diag(d) + np.diag(e, -1) + np.diag(e, 1)
    np.testing.assert_allclose(q @ t @ q.conj().T, herm, atol=1e-12)
    # lower=False reads only the upper triangle: the same tridiagonal form's spectrum.
    _, d2, e2, _ = (np.asarray(o) for o in L.tridiagonal(np.triu(herm), lower=False))
    np.testing.assert_allclose(np.linalg.eigvalsh(np.diag(d2) + np.diag(e2, 1) + np.diag(e2, -1)),
                               np.linalg.eigvalsh(herm), atol=1e-12)


def test_ormqr_matches_householder_product():
    x = _mat(2, 5, 3)
    raw = [scipy.linalg.qr(m, mode="raw")[0] for m in x]
    a, taus = np.stack([np.ascontiguousarray(r[0]) for r in raw]), np.stack([r[1] for r in raw])
    q = np.asarray(L.householder_product(a, taus))  # 5×3, the first columns of the full Q
    c = _mat(2, 5, 4)
    qc = np.asarray(L.ormqr(a, taus, c, transpose=True))
    np.testing.assert_allclose(qc[..., :3, :], np.swapaxes(q, -1, -2) @ c, atol=1e-12)
    back = np.asarray(L.ormqr(a, taus, qc))
    np.testing.assert_allclose(back, c, atol=1e-12)
    right = np.asarray(L.ormqr(a, taus, np.swapaxes(c, -1, -2), left=False))
    np.testing.assert_allclose(right, np.swapaxes(np.asarray(L.ormqr(a, taus, c, transpose=True)), -1, -2),
                               atol=1e-12)


def test_eigh_tridiagonal_values_vectors_and_select():
    d, e = RNG.standard_normal(6), RNG.standard_normal(5)
    dense = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
    w, v = (np.asarray(o) for o in eigh_tridiagonal(d, e))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(dense), atol=1e-12)
    np.testing.assert_allclose(dense @ v, v * w, atol=1e-12)
    sub = eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(2, 4))
    np.testing.assert_allclose(np.asarray(sub), w[2:5], atol=1e-12)
    batched = eigh_tridiagonal(np.stack([d, 2 * d]), np.stack([e, 2 * e]), eigvals_only=True)
    np.testing.assert_allclose(np.asarray(batched), np.stack([w, 2 * w]), atol=1e-12)
    assert eigh_tridiagonal(d.astype(np.float32), e.astype(np.float32), eigvals_only=True).dtype == np.float32
    with pytest.raises(NotImplementedError, match="select='v'"):
        eigh_tridiagonal(d, e, select="v", select_range=(0.0, 1.0))


def test_eigh_tridiagonal_derivatives():
    d, e = RNG.standard_normal(5), RNG.standard_normal(4)
    check_grads(lambda d, e: eigh_tridiagonal(d, e, eigvals_only=True), (d, e), order=2, atol=1e-5, rtol=1e-5)
    with pytest.raises(NotImplementedError, match="select='a'"):
        nablax.jvp(lambda d: eigh_tridiagonal(d, e, select="i", select_range=(0, 1))[1], (d,), (d,))


@pytest.mark.parametrize("fn,args,cls", [
    (L.eig, (np.ones((2, 3)),), ValueError),
    (L.eig, (np.ones((3, 3), np.int32),), TypeError),
    (L.schur, (np.ones(3),), ValueError),
    (L.hessenberg, (np.ones((3, 3), np.int32),), TypeError),
    (L.tridiagonal, (np.ones((0, 0)),), ValueError),
    (L.householder_product, (np.ones((2, 3)), np.ones(2)), ValueError),
    (L.ormqr, (np.ones((3, 3)), np.ones(3), np.ones((2, 2))), ValueError),
])
def test_bad_input_names_the_function(fn, args, cls):
    with pytest.raises(cls, match=fn.__name__):
        fn(*args)
    with pytest.raises(cls):
        nablax.jit(fn)(*args)
