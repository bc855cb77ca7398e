"""jnp.linalg's LU-based and spectral functions against NumPy, with derivatives to second
order (check_grads against finite differences), jit/vmap, and bad input. No JAX needed."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

la = jnp.linalg


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def _well(*shape, seed=0):
    rng = np.random.default_rng(seed)
    n = shape[-1]
    return rng.standard_normal(shape) + 2 * n * np.eye(n)


def _rand(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


def test_solve_values_and_broadcasting(x64):
    a, b = _well(2, 4, 4), _rand(2, 4, 3)
    np.testing.assert_allclose(la.solve(a, b), np.linalg.solve(a, b), rtol=1e-12)
    v = _rand(4)
    np.testing.assert_allclose(la.solve(a, v), np.linalg.solve(a, v), rtol=1e-12)
    np.testing.assert_allclose(la.solve(a[0], _rand(5, 2, 4, 3)), np.linalg.solve(a[0], _rand(5, 2, 4, 3)),
                               rtol=1e-12)
    np.testing.assert_allclose(la.solve(a, _rand(5, 1, 4, 3)), np.linalg.solve(a, _rand(5, 1, 4, 3)), rtol=1e-12)
    np.testing.assert_allclose(la.inv(a), np.linalg.inv(a), rtol=1e-12)
    c = a + 1j * _rand(2, 4, 4)
    np.testing.assert_allclose(la.solve(c, b), np.linalg.solve(c, b), rtol=1e-12)


def test_dtypes():
    a = _well(3, 3).astype(np.float32)
    assert la.solve(a, a[0]).dtype == np.float32
    assert la.det(a).dtype == np.float32
    assert la.inv(np.eye(3, dtype=np.int32)).dtype == np.float32
    sign, logdet = la.slogdet(a.astype(np.complex64))
    assert sign.dtype == np.complex64 and logdet.dtype == np.float32


def test_det_slogdet_values(x64):
    for n in (1, 2, 3, 4, 6):
        a = _rand(3, n, n)
        np.testing.assert_allclose(la.det(a), np.linalg.det(a), rtol=1e-10)
        sign, logdet = la.slogdet(a)
        esign, elogdet = np.linalg.slogdet(a)
        np.testing.assert_allclose(sign, esign)
        np.testing.assert_allclose(logdet, elogdet, rtol=1e-12)
    c = _rand(2, 4, 4) + 1j * _rand(2, 4, 4, seed=3)
    sign, logdet = la.slogdet(c)
    esign, elogdet = np.linalg.slogdet(c)
    np.testing.assert_allclose(sign, esign, rtol=1e-12)
    np.testing.assert_allclose(logdet, elogdet, rtol=1e-12)
    sign, logdet = la.slogdet(np.zeros((4, 4)))
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    assert type(la.slogdet(np.eye(2))).__name__ == "SlogdetResult"


def test_solve_grads_second_order(x64):
    a, b = _well(3, 3), _rand(3, 2)
    check_grads(la.solve, (a, b), order=2)
    check_grads(la.solve, (a, b[:, 0]), order=2)
    check_grads(lambda a: la.solve(a, b), (_well(2, 3, 3),), order=2)
    check_grads(la.inv, (a,), order=2)


def test_slogdet_det_grads_second_order(x64):
    for n in (1, 2, 4):
        a = _well(n, n) / n
        check_grads(lambda x: la.slogdet(x).logabsdet, (a,), order=2)
        check_grads(la.det, (a,), order=2)
    c = (_well(3, 3) + 1j * _rand(3, 3)).astype(np.complex128)
    check_grads(lambda x: la.slogdet(x).logabsdet, (c,), order=1)
    check_grads(lambda x: la.slogdet(x).sign, (c,), order=1)


def test_det_gradient_at_singular_matrices_is_the_adjugate(x64):
    """d det / dA = adj(A)^T, which is finite (and nonzero for rank n - 1) at singular A."""
    def adjugate(a):
        n = a.shape[0]
        cof = np.empty_like(a)
        for i in range(n):
            for j in range(n):
                minor = np.delete(np.delete(a, i, 0), j, 1)
                cof[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
        return cof.T
    rank3 = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], [0.0, 1.0, 0.0, 2.0], [1.0, 0.0, 5.0, 1.0]])
    rank2 = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], [3.0, 6.0, 9.0, 12.0], [1.0, 0.0, 5.0, 1.0]])
    for a in (rank3, rank2, _well(5, 5)):
        g = nablax.grad(la.det)(a)
        np.testing.assert_allclose(g, adjugate(a).T, rtol=1e-9, atol=1e-9)
    assert np.abs(adjugate(rank3)).max() > 1  # the rank-(n-1) gradient is not zero


def test_jit_vmap(x64):
    a, b = _well(4, 3, 3), _rand(4, 3, 2)
    np.testing.assert_allclose(nablax.jit(la.solve)(a, b), np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(nablax.vmap(la.solve)(a, b), np.linalg.solve(a, b), rtol=1e-12)
    np.testing.assert_allclose(nablax.vmap(la.det)(a), np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(nablax.jit(nablax.grad(lambda x: la.slogdet(x)[1]))(a[0]),
                               np.linalg.inv(a[0]).T, rtol=1e-12)
    np.testing.assert_allclose(nablax.vmap(nablax.grad(la.det))(a),
                               np.linalg.det(a)[:, None, None] * np.swapaxes(np.linalg.inv(a), -1, -2), rtol=1e-10)


def test_decompositions_against_numpy(x64):
    a = _rand(2, 5, 3)
    h = a[0] @ a[0].T + np.eye(5)
    np.testing.assert_allclose(la.cholesky(h), np.linalg.cholesky(h), rtol=1e-12)
    np.testing.assert_allclose(la.eigvalsh(h), np.linalg.eigvalsh(h), rtol=1e-12)
    np.testing.assert_allclose(la.svdvals(a), np.linalg.svd(a, compute_uv=False), rtol=1e-12)
    np.testing.assert_allclose(la.pinv(a), np.linalg.pinv(a), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(la.matrix_rank(a[0] @ a[1].T), 3)
    x, resid, rank, s = la.lstsq(a[0], _rand(5))
    ex, eresid, erank, es = np.linalg.lstsq(a[0], _rand(5), rcond=None)
    np.testing.assert_allclose(x, ex, rtol=1e-10)
    np.testing.assert_allclose(resid, eresid, rtol=1e-10)
    assert int(rank) == erank
    for p in (None, 1, 2, -2, np.inf, "fro", "nuc"):
        np.testing.assert_allclose(la.cond(h, p), np.linalg.cond(h, p), rtol=1e-9)
        np.testing.assert_allclose(la.norm(a, p if p is not None else "fro", axis=(1, 2)),
                                   np.linalg.norm(a, p if p is not None else "fro", axis=(1, 2)), rtol=1e-12)
    np.testing.assert_allclose(la.tensorinv(_well(6, 6).reshape(6, 2, 3), ind=1),
                               np.linalg.tensorinv(_well(6, 6).reshape(6, 2, 3), ind=1), rtol=1e-12)
    t, tb = _well(6, 6).reshape(2, 3, 2, 3), _rand(2, 3)
    np.testing.assert_allclose(la.tensorsolve(t, tb), np.linalg.tensorsolve(t, tb), rtol=1e-12)
    tt = t.transpose(2, 0, 3, 1)
    np.testing.assert_allclose(la.tensorsolve(tt, tb, axes=(0, 2)), np.linalg.tensorsolve(tt, tb, axes=(0, 2)),
                               rtol=1e-12)


def test_products_against_numpy(x64):
    chain = [_rand(*s, seed=i) for i, s in enumerate([(6,), (6, 2), (2, 7), (7, 3), (3,)])]
    np.testing.assert_allclose(la.multi_dot(chain), np.linalg.multi_dot(chain), rtol=1e-12)
    np.testing.assert_allclose(la.cross(_rand(4, 3), _rand(3)), np.cross(_rand(4, 3), _rand(3)), rtol=1e-12)
    m = _well(3, 3) / 6
    for n in (0, 1, 2, 3, 5, 10, -1, -4):
        np.testing.assert_allclose(la.matrix_power(m, n), np.linalg.matrix_power(m, n), rtol=1e-10)


def test_pinv_eigh_svd_grads(x64):
    check_grads(la.pinv, (_rand(4, 2),), order=2)
    check_grads(la.pinv, (_rand(2, 4),), order=1)
    h = _rand(3, 3)
    check_grads(lambda x: la.eigvalsh(x + x.T), (h,), order=2)
    check_grads(lambda x: la.svdvals(x), (_rand(4, 3),), order=2)
    check_grads(lambda x: la.norm(x, "nuc"), (_rand(4, 3),), order=2)
    check_grads(lambda x: la.norm(x, -2), (_rand(4, 3),), order=1)


def test_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"jnp.linalg.inv.*\(2, 3\)"):
        la.inv(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"jnp.linalg.det.*\(3,\)"):
        la.det(np.ones(3))
    with pytest.raises(TypeError, match=r"jnp.linalg.cholesky.*\(2, 3\)"):
        la.cholesky(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"a=\(3, 3\) and b=\(2, 3\)"):
        la.solve(np.eye(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"a=\(2, 3, 3\) and b=\(4, 3\)"):
        la.solve(np.ones((2, 3, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"do not broadcast.*a=\(2, 3, 3\) and b=\(4, 3, 1\)"):
        la.solve(np.ones((2, 3, 3)), np.ones((4, 3, 1)))
    with pytest.raises(NotImplementedError, match="geqrf"):
        la.qr(np.eye(3), mode="raw")
    with pytest.raises(ValueError, match=r"jnp.linalg.inv"):
        nablax.jit(la.inv)(np.ones((2, 3)))


def test_grad_of_solve_reuses_one_factorization():
    """Derivatives in a and b are further triangular solves with the same LU factors (the
    transpose rule of custom_linear_solve), not a differentiated factorization."""
    a, b = np.eye(3, dtype=np.float32) * 3, np.ones((3, 2), np.float32)
    jaxpr = str(nablax.make_jaxpr(nablax.grad(lambda a, b: jnp.sum(la.solve(a, b)), argnums=(0, 1)))(a, b))
    assert jaxpr.count(" lu[") + jaxpr.count(" lu ") == 1
    assert jaxpr.count("custom_linear_solve") == 2  # the solve and its transpose


def test_newton_logistic_regression_converges(x64):
    """Newton's method with solve(hessian, grad) reaches |grad| < 1e-5 in under 10 steps."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 3))
    y = (x @ np.array([1.5, -2.0, 0.5]) + 0.5 * rng.standard_normal(200) > 0).astype(np.float64)

    def loss(w):
        z = x @ w
        return jnp.mean(jnp.logaddexp(0.0, z) - y * z) + 0.01 * jnp.sum(w ** 2)
    w, steps = jnp.zeros(3), 0
    while float(jnp.linalg.norm(nablax.grad(loss)(w))) >= 1e-5 and steps < 20:
        w = w - la.solve(nablax.hessian(loss)(w), nablax.grad(loss)(w))
        steps += 1
    assert steps < 10 and float(jnp.linalg.norm(nablax.grad(loss)(w))) < 1e-5
    # closed-form check: at the optimum, mean((sigmoid(xw) - y) x) + 0.02 w = 0
    p = 1 / (1 + np.exp(-(x @ np.asarray(w))))
    np.testing.assert_allclose(x.T @ (p - y) / len(y) + 0.02 * np.asarray(w), 0, atol=1e-5)
