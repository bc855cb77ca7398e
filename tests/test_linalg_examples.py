"""Linear algebra as JAX users use it: Newton's method with a dense Hessian solve, and
implicit differentiation through a matrix-free conjugate-gradient solve.

Every check is against an answer computed without nablax (SciPy's optimiser on a
hand-written NumPy loss, hand-written gradients/Hessians, scikit-learn) or against
nablax's dense `jnp.linalg.solve` path.
"""
import numpy as np
import pytest
import scipy.optimize

import nablax as jax
import nablax.numpy as jnp
from nablax.scipy.sparse.linalg import cg


@pytest.fixture
def x64():
    with jax.config.enable_x64(True):
        yield


# ------------------------------------------------------------------ Newton for logistic regression

def logistic_loss(w, X, y):
    """mean log(1 + exp(-y x.w)), y in {-1, +1}: unpenalised logistic regression."""
    return jnp.mean(jnp.logaddexp(0.0, -y * (X @ w)))


def numpy_loss_and_grad(w, X, y):
    """The same loss and its gradient written out in NumPy (no autodiff)."""
    z = y * (X @ w)
    loss = np.mean(np.logaddexp(0.0, -z))
    return loss, X.T @ (-y / (1.0 + np.exp(z))) / len(y)


def numpy_hessian(w, X):
    """X^T diag(p (1 - p)) X / n with p = sigmoid(X w): the logistic Hessian by hand."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return (X.T * (p * (1 - p))) @ X / len(X)


def synthetic(n=600, d=5, seed=0):
    """Overlapping classes (not separable, so the unpenalised optimum is finite), plus an intercept."""
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.normal(size=(n, d)), np.ones((n, 1))])
    w_true = rng.normal(size=d + 1)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-(X @ w_true))), 1.0, -1.0)
    return X, y


def diabetes():
    """scikit-learn's diabetes data, standardised, labelled +1 above the median target."""
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X, t = sklearn_datasets.load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.hstack([X, np.ones((len(X), 1))]), np.where(t > np.median(t), 1.0, -1.0)


def newton(X, y, max_steps=10, tol=1e-5, step=None):
    """Pure Newton (no line search) from w = 0: w -= solve(hessian(loss)(w), grad(loss)(w)).
    Returns w and the gradient norm before every step and after the last."""
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    if step is None:
        def step(w, X, y):
            return w - jnp.linalg.solve(jax.hessian(logistic_loss)(w, X, y), jax.grad(logistic_loss)(w, X, y))
    w = jnp.zeros(X.shape[1])
    norms = [float(jnp.linalg.norm(jax.grad(logistic_loss)(w, Xj, yj)))]
    while norms[-1] >= tol and len(norms) <= max_steps:
        w = step(w, Xj, yj)
        norms.append(float(jnp.linalg.norm(jax.grad(logistic_loss)(w, Xj, yj))))
    return w, norms


def independent_optimum(X, y):
    """The minimiser by SciPy's BFGS on the NumPy loss and gradient, polished by two NumPy Newton
    steps on the hand-written Hessian (BFGS alone stops near 1e-9 on some SciPy/NumPy versions)."""
    res = scipy.optimize.minimize(numpy_loss_and_grad, np.zeros(X.shape[1]), args=(X, y), jac=True,
                                  method="BFGS", options={"gtol": 1e-11, "maxiter": 10_000})
    w = res.x
    for _ in range(2):
        w = w - np.linalg.solve(numpy_hessian(w, X), numpy_loss_and_grad(w, X, y)[1])
    assert np.linalg.norm(numpy_loss_and_grad(w, X, y)[1]) < 1e-12
    return w


@pytest.mark.parametrize("data", [synthetic, diabetes])
def test_newton_logistic_regression_converges_in_under_10_steps(x64, data):
    X, y = data()
    w, norms = newton(X, y)
    assert w.dtype == jnp.float64
    assert len(norms) - 1 < 10 and norms[-1] < 1e-5, norms
    # the closed-form gradient vanishes at nablax's answer
    assert np.linalg.norm(numpy_loss_and_grad(np.asarray(w), X, y)[1]) < 1e-5
    # quadratic convergence: the last step squares the gradient norm (up to a modest constant)
    assert norms[-1] < 100 * norms[-2] ** 2, norms
    # A gradient norm of 1e-5 still leaves w off by about |H^-1 g| (the diabetes features are
    # correlated, so that is ~1e-4 there); one or two more steps reach round-off, still under 10.
    w, norms = newton(X, y, tol=1e-10)
    assert len(norms) - 1 < 10 and norms[-1] < 1e-10, norms
    np.testing.assert_allclose(np.asarray(w), independent_optimum(X, y), rtol=1e-6, atol=1e-8)


def test_newton_matches_sklearn_unpenalised_logistic_regression(x64):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    w, norms = newton(X, y, tol=1e-10, max_steps=20)
    assert norms[-1] < 1e-10
    model = linear_model.LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000)
    model.fit(X, y)
    np.testing.assert_allclose(np.asarray(w), model.coef_[0], rtol=1e-4, atol=1e-5)


def test_logistic_hessian_and_grad_are_the_closed_forms(x64):
    X, y = synthetic(n=80, d=3, seed=4)
    w = np.random.default_rng(1).normal(size=X.shape[1])
    H = jax.hessian(logistic_loss)(jnp.asarray(w), jnp.asarray(X), jnp.asarray(y))
    g = jax.grad(logistic_loss)(jnp.asarray(w), jnp.asarray(X), jnp.asarray(y))
    np.testing.assert_allclose(np.asarray(H), numpy_hessian(w, X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(g), numpy_loss_and_grad(w, X, y)[1], rtol=1e-12, atol=1e-14)


def test_jitted_newton_step_takes_the_same_path(x64):
    X, y = synthetic(seed=2)
    jitted = jax.jit(lambda w, X, y: w - jnp.linalg.solve(jax.hessian(logistic_loss)(w, X, y),
                                                          jax.grad(logistic_loss)(w, X, y)))
    w_eager, n_eager = newton(X, y)
    w_jit, n_jit = newton(X, y, step=jitted)
    assert len(n_jit) == len(n_eager)
    np.testing.assert_allclose(np.asarray(w_jit), np.asarray(w_eager), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ cg with implicit differentiation

def spd(M):
    """A well-conditioned symmetric positive-definite matrix built from M (differentiably)."""
    return M @ M.T + M.shape[0] * jnp.eye(M.shape[0], dtype=M.dtype)


def solve_loss(M, b):
    return jnp.sum(jnp.sin(jnp.linalg.solve(spd(M), b)))


def cg_loss(M, b):
    x, _ = cg(spd(M), b, tol=1e-12, atol=0.0)
    return jnp.sum(jnp.sin(x))


def cg_operator_loss(M, b):
    """The same through a matrix-free operator: cg only sees v -> A v."""
    A = spd(M)
    x, _ = cg(lambda v: A @ v, b, tol=1e-12, atol=0.0)
    return jnp.sum(jnp.sin(x))


def _problem(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return jnp.asarray(rng.normal(size=(n, n))), jnp.asarray(rng.normal(size=n))


@pytest.mark.parametrize("loss", [cg_loss, cg_operator_loss], ids=["matrix", "operator"])
def test_grad_through_cg_equals_grad_through_solve(x64, loss):
    M, b = _problem()
    value, (gM, gb) = jax.value_and_grad(loss, argnums=(0, 1))(M, b)
    ref_value, (rM, rb) = jax.value_and_grad(solve_loss, argnums=(0, 1))(M, b)
    np.testing.assert_allclose(float(value), float(ref_value), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(gb), np.asarray(rb), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(np.asarray(gM), np.asarray(rM), rtol=1e-5, atol=1e-8)
    assert float(jnp.max(jnp.abs(gM))) > 1e-3  # the comparison is not between two zeros


def test_grad_through_cg_under_jit_and_against_finite_differences(x64):
    M, b = _problem(n=8, seed=3)
    gM, gb = jax.jit(jax.grad(cg_loss, argnums=(0, 1)))(M, b)
    rM, rb = jax.grad(solve_loss, argnums=(0, 1))(M, b)
    np.testing.assert_allclose(np.asarray(gM), np.asarray(rM), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(np.asarray(gb), np.asarray(rb), rtol=1e-5, atol=1e-8)
    # and the derivative in a random direction matches a central difference of the cg loss itself
    dM = jnp.asarray(np.random.default_rng(5).normal(size=M.shape))
    eps = 1e-6
    fd = (float(cg_loss(M + eps * dM, b)) - float(cg_loss(M - eps * dM, b))) / (2 * eps)
    assert float(jnp.sum(gM * dM)) == pytest.approx(fd, rel=1e-6)


def test_cg_solution_and_float32_gradient(x64):
    M, b = _problem(n=10, seed=7)
    x, _ = cg(spd(M), b, tol=1e-12, atol=0.0)
    np.testing.assert_allclose(np.asarray(x), np.linalg.solve(np.asarray(spd(M)), np.asarray(b)), rtol=1e-9)
    ref = np.asarray(jax.grad(solve_loss, argnums=1)(M, b))
    M, b = np.asarray(M, np.float32), np.asarray(b, np.float32)
    with jax.config.enable_x64(False):
        gb = jax.grad(lambda b: jnp.sum(jnp.sin(cg(spd(jnp.asarray(M)), b, tol=1e-6)[0])))(jnp.asarray(b))
        assert gb.dtype == jnp.float32
        np.testing.assert_allclose(np.asarray(gb), ref, rtol=1e-4, atol=1e-5)
