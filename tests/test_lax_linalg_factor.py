"""lax.linalg factor/solve functions without JAX: known answers, SciPy comparisons, dtypes,
NaN semantics, second derivatives, transformations."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

import nablax
import nablax.numpy as jnp
from nablax.lax import linalg as L
from nablax.test_util import check_grads

RNG = np.random.default_rng(5)


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def test_triangular_solve_known_answer_and_float32():
    a = np.array([[2.0, 0.0], [1.0, 4.0]], np.float32)
    b = np.array([[2.0], [9.0]], np.float32)
    x = L.triangular_solve(a, b, left_side=True, lower=True)
    assert x.dtype == np.float32
    np.testing.assert_allclose(np.asarray(x), [[1.0], [2.0]])
    # Only the lower triangle is read: garbage above the diagonal changes nothing.
    np.testing.assert_allclose(np.asarray(L.triangular_solve(a + np.triu(np.full((2, 2), 9.0, np.float32), 1),
                                                             b, left_side=True, lower=True)), [[1.0], [2.0]])


def test_triangular_solve_matches_scipy(x64):
    a = RNG.standard_normal((5, 5)) + 5 * np.eye(5)
    b = RNG.standard_normal((5, 3))
    for lower in (True, False):
        for trans in (0, 1):
            got = L.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=bool(trans))
            np.testing.assert_allclose(np.asarray(got), sl.solve_triangular(a, b, lower=lower, trans=trans))


def test_triangular_solve_second_order_and_vmap(x64):
    a = jnp.asarray(RNG.standard_normal((4, 4)) + 4 * np.eye(4))
    b = jnp.asarray(RNG.standard_normal((3, 4)))

    def f(a, b):
        return L.triangular_solve(a, b, left_side=False, lower=False, transpose_a=True)

    check_grads(f, (a, b), order=2)
    bs = jnp.asarray(RNG.standard_normal((6, 3, 4)))
    np.testing.assert_allclose(np.asarray(nablax.vmap(f, (None, 0))(a, bs)),
                               np.stack([np.asarray(f(a, bs[i])) for i in range(6)]))


def test_cholesky_matches_numpy_and_nan_per_matrix():
    x = RNG.standard_normal((3, 4, 4)).astype(np.float32)
    spd = x @ np.swapaxes(x, -1, -2) + 4 * np.eye(4, dtype=np.float32)
    spd[1] = -spd[1]
    c = np.asarray(L.cholesky(spd))
    assert c.dtype == np.float32
    np.testing.assert_allclose(c[0], np.linalg.cholesky(spd[0]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c[2], np.linalg.cholesky(spd[2]), rtol=1e-5, atol=1e-6)
    assert np.isnan(c[1][np.tril_indices(4)]).all() and (c[1][np.triu_indices(4, 1)] == 0).all()


def test_cholesky_gradient_of_logdet(x64):
    """d/dA log det A = A⁻¹ (symmetric A), through 2 Σ log diag(L)."""
    x = RNG.standard_normal((4, 4))
    a = x @ x.T + 4 * np.eye(4)

    def logdet(a):
        return 2 * jnp.sum(jnp.log(jnp.diagonal(L.cholesky(a))))

    np.testing.assert_allclose(np.asarray(nablax.grad(logdet)(jnp.asarray(a))), np.linalg.inv(a), rtol=1e-10)
    check_grads(lambda x: L.cholesky(x @ x.T + 4 * jnp.eye(4)), (jnp.asarray(x),), order=2)


def test_lu_matches_scipy(x64):
    for shape in [(4, 4), (6, 3), (3, 6)]:
        x = RNG.standard_normal(shape)
        lu, piv, perm = L.lu(x)
        ref_lu, ref_piv = sl.lu_factor(x)
        np.testing.assert_allclose(np.asarray(lu), ref_lu)
        np.testing.assert_array_equal(np.asarray(piv), ref_piv)
        assert piv.dtype == perm.dtype == np.int32
        p, low, up = sl.lu(x)
        np.testing.assert_allclose(x[np.asarray(perm)], low @ up, atol=1e-12)
        check_grads(lambda x: L.lu(x)[0], (jnp.asarray(x),), order=2)


def test_lu_pivots_to_permutation_known_answer():
    perm = L.lu_pivots_to_permutation(np.array([2, 2, 3], np.int32), 4)
    np.testing.assert_array_equal(np.asarray(perm), [2, 0, 3, 1])


def test_tridiagonal_solve_matches_solve_banded(x64):
    m = 6
    dl, d, du = RNG.standard_normal(m), RNG.standard_normal(m) + 4, RNG.standard_normal(m)
    dl[0] = du[-1] = 0
    b = RNG.standard_normal((m, 2))
    ab = np.stack([np.r_[0, du[:-1]], d, np.r_[dl[1:], 0]])
    np.testing.assert_allclose(np.asarray(L.tridiagonal_solve(dl, d, du, b)), sl.solve_banded((1, 1), ab, b))
    check_grads(L.tridiagonal_solve, tuple(map(jnp.asarray, (dl, d, du, b))), order=2)
    with pytest.raises(NotImplementedError, match="perturb_singular"):
        L.tridiagonal_solve(dl, d, du, b, perturb_singular=True)


def test_cholesky_update_and_symmetric_product(x64):
    x = RNG.standard_normal((4, 4))
    a = x @ x.T + 4 * np.eye(4)
    r = np.linalg.cholesky(a).T
    w = RNG.standard_normal(4)
    np.testing.assert_allclose(np.asarray(L.cholesky_update(r, w)), np.linalg.cholesky(a + np.outer(w, w)).T)
    m, c = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 4))
    np.testing.assert_allclose(np.asarray(L.symmetric_product(m, c, alpha=3.0, beta=-1.0)), 3 * m @ m.T - c)


def test_lu_of_a_transposed_view_leaves_its_input_alone():
    """A.T of a C-ordered A is Fortran-ordered already: LAPACK must get a copy, not the view."""
    import nablax
    import nablax.numpy as jnp

    a = jnp.array([[3.0, 1.0], [0.5, 2.0]])
    before = np.array(a)
    b = jnp.array([1.0, 2.0])
    x = jnp.linalg.solve(a.T, b)
    np.testing.assert_array_equal(np.asarray(a), before)
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(before.T, [1.0, 2.0]), rtol=1e-6)
    nablax.jit(lambda m, v: jnp.linalg.solve(m.T, v))(a, b)
    np.testing.assert_array_equal(np.asarray(a), before)
