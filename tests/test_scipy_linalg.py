"""nablax.scipy.linalg against SciPy's values, plus derivative checks (no JAX needed)."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

import nablax
import nablax.numpy as jnp
import nablax.scipy.linalg as nsl
from nablax.test_util import check_grads

RNG = np.random.default_rng(1)


def _has(*names):
    import nablax.numpy.linalg as nl
    from nablax._src.primitives import eig, factorizations, spectral
    have = {n for m in (eig, factorizations, spectral, nl) for n in dir(m)}
    missing = [n for n in names if n not in have]
    return pytest.mark.skipif(bool(missing), reason=f"needs {missing}")


def test_special_matrices_match_scipy(x64):
    c, r = RNG.standard_normal(4), RNG.standard_normal(3)
    np.testing.assert_allclose(nsl.toeplitz(c, r), sl.toeplitz(c, r))
    np.testing.assert_allclose(nsl.hankel(c, r), sl.hankel(c, r))
    np.testing.assert_allclose(nsl.circulant(c), sl.circulant(c))
    np.testing.assert_allclose(nsl.leslie(c, r), sl.leslie(c, r))
    np.testing.assert_allclose(nsl.companion(c), sl.companion(c))
    np.testing.assert_allclose(nsl.fiedler(c), sl.fiedler(c))
    for n in (2, 3, 5, 6):
        a = RNG.standard_normal(n) + 2
        np.testing.assert_allclose(nsl.fiedler_companion(a), sl.fiedler_companion(a), rtol=1e-12)
        for mode in ("full", "same", "valid"):
            np.testing.assert_allclose(nsl.convolution_matrix(c, n, mode), sl.convolution_matrix(c, n, mode))
        np.testing.assert_allclose(nsl.hilbert(n), sl.hilbert(n))
        np.testing.assert_allclose(nsl.invhilbert(n), sl.invhilbert(n), rtol=1e-10)
        np.testing.assert_allclose(nsl.helmert(n, True), sl.helmert(n, True))
        np.testing.assert_allclose(nsl.dft(n, "sqrtn"), sl.dft(n, "sqrtn"), atol=1e-12)
        for kind in ("symmetric", "lower", "upper"):
            np.testing.assert_allclose(nsl.pascal(n, kind), sl.pascal(n, kind))
            np.testing.assert_allclose(nsl.invpascal(n, kind), sl.invpascal(n, kind), atol=1e-9)
    np.testing.assert_array_equal(nsl.hadamard(8), sl.hadamard(8))
    np.testing.assert_allclose(nsl.block_diag(np.eye(2), c[:3], 5.0), sl.block_diag(np.eye(2), c[:3], 5.0))


def test_special_matrices_batch_and_grad(x64):
    c = RNG.standard_normal((2, 3, 4))
    out = nsl.toeplitz(c)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(out[i, j], sl.toeplitz(c[i, j], np.conj(c[i, j])))
    check_grads(lambda c, r: nsl.toeplitz(c, r), (c[0, 0], c[1, 1]), order=2)
    check_grads(nsl.fiedler_companion, (RNG.standard_normal(5) + 3,), order=2)


def test_schur_family_matches_scipy(x64):
    a = RNG.standard_normal((5, 5))
    t, z = nsl.rsf2csf(*sl.schur(a))
    t_ref, z_ref = sl.rsf2csf(*sl.schur(a))
    np.testing.assert_allclose(t, t_ref, atol=1e-10)
    np.testing.assert_allclose(z, z_ref, atol=1e-10)
    np.testing.assert_allclose(nsl.funm(a, jnp.exp), sl.funm(a, np.exp), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(nsl.funm(a, jnp.exp), sl.expm(a), rtol=1e-8, atol=1e-10)
    s = a @ a.T + np.eye(5)
    np.testing.assert_allclose(nsl.sqrtm(s), sl.sqrtm(s), rtol=1e-8, atol=1e-10)


@_has("solve")
@pytest.mark.parametrize("scale", [1e-3, 0.2, 1.0, 5.0, 60.0])
def test_expm_matches_scipy(scale, x64):
    a = scale * RNG.standard_normal((4, 4)) / 4
    np.testing.assert_allclose(nsl.expm(a), sl.expm(a), rtol=1e-11, atol=1e-12)
    ab = np.stack([a, -a])
    np.testing.assert_allclose(nsl.expm(ab), np.stack([sl.expm(a), sl.expm(-a)]), rtol=1e-11, atol=1e-12)
    e = RNG.standard_normal((4, 4))
    ref_expm, ref_frechet = sl.expm_frechet(a, e)
    got_expm, got_frechet = nsl.expm_frechet(a, e)
    np.testing.assert_allclose(got_expm, ref_expm, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got_frechet, ref_frechet, rtol=1e-8, atol=1e-10)


@_has("solve")
def test_expm_grads(x64):
    a = 0.7 * RNG.standard_normal((3, 3))
    check_grads(nsl.expm, (a,), order=2)
    check_grads(nsl.expm, (4.0 * a,), order=1)
    assert np.isnan(np.asarray(nsl.expm(1e9 * a))).all()


@_has("cholesky", "triangular_solve")
def test_cho_solve_matches_scipy_and_grads(x64):
    x = RNG.standard_normal((4, 4))
    a = x @ x.T + 4 * np.eye(4)
    b = RNG.standard_normal((4, 2))
    for lower in (False, True):
        c = nsl.cho_factor(a, lower)
        np.testing.assert_allclose(c[0], sl.cholesky(a, lower=lower), rtol=1e-12)
        np.testing.assert_allclose(nsl.cho_solve(c, b), sl.cho_solve((sl.cholesky(a, lower=lower), lower), b),
                                   rtol=1e-10)
        check_grads(lambda a, b, lower=lower: nsl.cho_solve(nsl.cho_factor(a @ a.T + 4 * jnp.eye(4), lower), b),
                    (x, b), order=2)


@_has("lu", "lu_pivots_to_permutation", "triangular_solve")
def test_lu_matches_scipy(x64):
    a = RNG.standard_normal((4, 4)) + 3 * np.eye(4)
    b = RNG.standard_normal((4, 3))
    for got, ref in zip(nsl.lu(a), sl.lu(a)):
        np.testing.assert_allclose(got, ref, rtol=1e-12)
    fac = nsl.lu_factor(a)
    ref = sl.lu_factor(a)
    np.testing.assert_allclose(fac[0], ref[0], rtol=1e-12)
    np.testing.assert_array_equal(fac[1], ref[1])
    for trans in (0, 1, 2):
        np.testing.assert_allclose(nsl.lu_solve(fac, b, trans), sl.lu_solve(ref, b, trans), rtol=1e-10)
    check_grads(lambda a, b: nsl.lu_solve(nsl.lu_factor(a), b), (a, b), order=1)


def test_vmap_matches_loop(x64):
    x = RNG.standard_normal((3, 4, 4))
    a = x @ np.swapaxes(x, -1, -2) + 4 * np.eye(4)
    b = RNG.standard_normal((3, 4, 2))
    fns = [
        lambda a, b: nsl.cho_solve(nsl.cho_factor(a, True), b),
        lambda a, b: nsl.lu_solve(nsl.lu_factor(a), b, 1),
        lambda a, b: nsl.solve(a, b, assume_a="pos"),
        lambda a, b: nsl.solve_triangular(a, b, lower=True),
        lambda a, b: nsl.expm(a / 4) @ b,
        lambda a, b: nsl.solve_sylvester(a, a[:2, :2], b[:, :2]),
    ]
    for f in fns:
        batched = nablax.vmap(f)(a, b)
        looped = np.stack([np.asarray(f(a[i], b[i])) for i in range(3)])
        np.testing.assert_allclose(batched, looped, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(nablax.jit(f)(a[0], b[0]), looped[0], rtol=1e-10, atol=1e-12)
