"""lax.linalg.eigh / svd / qr without JAX: known answers, NumPy/SciPy comparisons, dtypes,
derivatives (check_grads to second order) and transformations."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

import nablax
import nablax.numpy as jnp
from nablax.lax import linalg as L
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def _randn(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_eigh_known_answer():
    v, w = L.eigh(np.array([[2.0, 1.0], [1.0, 2.0]], np.float32))
    np.testing.assert_allclose(np.asarray(w), [1.0, 3.0], rtol=1e-6)
    assert v.dtype == w.dtype == np.float32
    np.testing.assert_allclose(np.abs(np.asarray(v)), np.full((2, 2), 2 ** -0.5), rtol=1e-6)


def test_eigh_reads_one_triangle_without_symmetrize():
    x = np.array([[1.0, 100.0], [2.0, 1.0]], np.float32)
    lo = np.asarray(L.eigh(x, symmetrize_input=False, lower=True)[1])
    up = np.asarray(L.eigh(x, symmetrize_input=False, lower=False)[1])
    np.testing.assert_allclose(lo, [-1.0, 3.0], rtol=1e-6)
    np.testing.assert_allclose(up, [-99.0, 101.0], rtol=1e-6)


def test_eigh_complex_hermitian_and_subset(x64):
    a = _randn(4, 4) + 1j * _randn(4, 4, seed=1)
    h = (a + a.conj().T) / 2
    v, w = L.eigh(h)
    assert v.dtype == np.complex128 and w.dtype == np.float64
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(h), rtol=1e-12)
    vs, ws = L.eigh(h, subset_by_index=(2, 4))
    np.testing.assert_allclose(np.asarray(ws), np.asarray(w)[2:], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(vs), np.asarray(v)[:, 2:], atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_svd_matches_scipy_and_reconstructs(shape):
    x = _randn(*shape, dtype=np.float32)
    u, s, vh = L.svd(x, full_matrices=False)
    assert u.dtype == s.dtype == vh.dtype == np.float32
    np.testing.assert_allclose(np.asarray(s), np.linalg.svd(x, compute_uv=False), rtol=1e-5)
    rec = (np.asarray(u) * np.asarray(s)[..., None, :]) @ np.asarray(vh)
    np.testing.assert_allclose(rec, x, atol=1e-5)
    m, n = shape[-2:]
    assert L.svd(x)[0].shape == shape[:-2] + (m, m) and L.svd(x)[2].shape == shape[:-2] + (n, n)
    np.testing.assert_allclose(np.asarray(L.svd(x, compute_uv=False)), np.asarray(s), rtol=1e-6)


def test_svd_subset_by_index():
    x = _randn(5, 4)
    u, s, vh = L.svd(x, full_matrices=False, subset_by_index=(1, 3))
    assert u.shape == (5, 2) and s.shape == (2,) and vh.shape == (2, 4)
    np.testing.assert_allclose(np.asarray(s), np.linalg.svd(x, compute_uv=False)[1:3], rtol=1e-5)
    with pytest.raises(ValueError, match="full_matrices"):
        L.svd(x, subset_by_index=(0, 2))


@pytest.mark.parametrize("pivoting", [False, True])
@pytest.mark.parametrize("full_matrices", [False, True])
def test_qr_against_scipy(x64, pivoting, full_matrices):
    x = _randn(5, 3)
    outs = L.qr(x, pivoting=pivoting, full_matrices=full_matrices)
    ref = scipy.linalg.qr(x, mode="full" if full_matrices else "economic", pivoting=pivoting)
    assert len(outs) == (3 if pivoting else 2)
    for o, r in zip(outs, ref):
        np.testing.assert_allclose(np.asarray(o), r, atol=1e-12)
    if pivoting:
        assert outs[2].dtype == np.int32


def test_integer_input_rejected():
    with pytest.raises(TypeError, match="qr"):
        L.qr(np.eye(3, dtype=np.int32))
    with pytest.raises(TypeError, match="svd"):
        L.svd(np.eye(3, dtype=np.int32))
    with pytest.raises(TypeError, match="eigh"):
        L.eigh(np.eye(3, dtype=np.int32), symmetrize_input=False)


def test_grads_second_order(x64):
    sym = _randn(4, 4) + np.diag(np.arange(4.0) * 2)
    check_grads(lambda a: L.eigh(a)[1], (sym,), order=2)
    check_grads(lambda a: (lambda v, w: v[:, :1] @ v[:, :1].T)(*L.eigh(a)), (sym,), order=2)
    x = _randn(5, 3, seed=2)
    check_grads(lambda a: L.svd(a, compute_uv=False), (x,), order=2)
    check_grads(lambda a: (lambda u, s, vh: u[:, :1] @ vh[:1, :])(*L.svd(a, full_matrices=False)), (x.T,),
                order=2)
    check_grads(lambda a: (lambda q, r: (q @ q.T, jnp.abs(r)))(*L.qr(a, full_matrices=False)), (x,), order=2)


def test_jvp_not_implemented_cases(x64):
    x = _randn(5, 3)
    with pytest.raises(NotImplementedError, match="full_matrices"):
        nablax.jvp(lambda a: L.svd(a)[0], (x,), (x,))
    with pytest.raises(NotImplementedError, match="subset_by_index"):
        nablax.jvp(lambda a: L.eigh(a, subset_by_index=(0, 2))[1], (x[:3],), (x[:3],))


def test_complete_qr_of_tall_matrix_differentiable(x64):
    check_grads(lambda a: L.qr(a), (_randn(5, 3, seed=4),), order=2)
    check_grads(lambda a: L.qr(a), (_randn(2, 6, 2, seed=5) + 1j * _randn(2, 6, 2, seed=6),), order=1)


def test_vmap_and_jit_match_stacked():
    x = _randn(3, 4, 4, dtype=np.float32)
    for f in (lambda a: L.eigh(a)[1], lambda a: L.svd(a)[1], lambda a: L.qr(a)[1]):
        stacked = np.asarray(f(x))
        np.testing.assert_allclose(np.asarray(nablax.vmap(f, in_axes=2)(np.moveaxis(x, 0, 2))), stacked,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(nablax.jit(f)(x)), stacked, rtol=1e-6, atol=1e-6)


def test_qdwh_polar_decomposition(x64):
    x = _randn(6, 4, seed=5)
    u, h, k, ok = L.qdwh(x)
    u, h = np.asarray(u), np.asarray(h)
    up, hp = scipy.linalg.polar(x)
    np.testing.assert_allclose(u, up, atol=1e-10)
    np.testing.assert_allclose(h, hp, atol=1e-10)
    assert bool(ok) and 0 < int(k) <= 10 and k.dtype == np.int64  # x64: the default int
    assert not bool(L.qdwh(x, max_iterations=1)[3])
    with pytest.raises(ValueError, match="m >= n"):
        L.qdwh(x.T)


def test_wide_pivoted_qr_jvp_matches_finite_differences(x64):
    check_grads(lambda a: L.qr(a, pivoting=True)[:2], (_randn(3, 5, seed=7),), order=1)
