"""lax.custom_linear_solve: values, implicit derivatives (vs finite differences and the
analytic formulas), jit, vmap of the operator and/or b, pytrees, has_aux, and the errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads

RNG = np.random.default_rng(0)
A = np.diag([4.0, 5.0, 6.0]) + 0.3 * RNG.standard_normal((3, 3))
B = RNG.standard_normal(3)


def _jacobi(d, sweeps=100):
    def solve(mv, b):
        return lax.fori_loop(0, sweeps, lambda _, x: x + (b - mv(x)) / d, jnp.zeros_like(b))
    return solve


def _while_jacobi(d):
    # A while_loop solve: reverse mode must never differentiate through it.
    def solve(mv, b):
        def body(c):
            return c[0] + (b - mv(c[0])) / d, c[1] + 1
        return lax.while_loop(lambda c: c[1] < 100, body, (jnp.zeros_like(b), 0))[0]
    return solve


def _solve(a, b, symmetric=False, transpose=True, solver=_while_jacobi):
    d = jnp.diagonal(a)
    ts = solver(d) if transpose and not symmetric else None
    return lax.custom_linear_solve(lambda x: a @ x, b, solver(d), transpose_solve=ts, symmetric=symmetric)


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


def test_value_eager_and_jit():
    np.testing.assert_allclose(_solve(A, B), np.linalg.solve(A, B), rtol=1e-12)
    np.testing.assert_allclose(nablax.jit(_solve)(A, B), np.linalg.solve(A, B), rtol=1e-12)


def test_grad_matches_analytic():
    def loss(a, b):
        return jnp.sum(_solve(a, b) ** 2)
    ga, gb = nablax.grad(loss, argnums=(0, 1))(A, B)
    x = np.linalg.solve(A, B)
    lam = np.linalg.solve(A.T, 2 * x)
    np.testing.assert_allclose(gb, lam, rtol=1e-10)
    np.testing.assert_allclose(ga, -np.outer(lam, x), rtol=1e-10)
    ga_j, gb_j = nablax.jit(nablax.grad(loss, argnums=(0, 1)))(A, B)
    np.testing.assert_allclose(ga_j, ga, rtol=1e-12)
    np.testing.assert_allclose(gb_j, gb, rtol=1e-12)


@pytest.mark.parametrize("symmetric", [False, True])
def test_check_grads_order2(symmetric):
    a = A + A.T if symmetric else A
    check_grads(lambda a, b: _solve(a, b, symmetric=symmetric, solver=_jacobi), (a, B), order=2,
                modes=("fwd", "rev"))


def test_forward_mode_without_transpose_solve():
    f = lambda a, b: _solve(a, b, transpose=False)  # noqa: E731
    check_grads(f, (A, B), order=1, modes=("fwd",))
    with pytest.raises(TypeError, match="transpose_solve"):
        nablax.grad(lambda b: jnp.sum(f(A, b)))(B)


def test_vmap_operator_and_or_b():
    As = np.stack([A, A + np.eye(3), A.T])
    Bs = RNG.standard_normal((3, 3))
    ref = lambda a, b: np.linalg.solve(a, b)  # noqa: E731
    np.testing.assert_allclose(nablax.vmap(_solve, (0, None))(As, B), [ref(a, B) for a in As], rtol=1e-10)
    np.testing.assert_allclose(nablax.vmap(_solve, (None, 0))(A, Bs), [ref(A, b) for b in Bs], rtol=1e-10)
    np.testing.assert_allclose(nablax.vmap(_solve, (0, 1))(As, Bs), [ref(a, b) for a, b in zip(As, Bs.T)],
                               rtol=1e-10)
    g = nablax.vmap(nablax.grad(lambda a, b: jnp.sum(_solve(a, b))), (0, None))(As, B)
    for a, gi in zip(As, g):
        lam = np.linalg.solve(a.T, np.ones(3))
        np.testing.assert_allclose(gi, -np.outer(lam, ref(a, B)), rtol=1e-10)


def test_pytree_and_aux():
    d = {"p": jnp.diagonal(A), "q": jnp.full(2, 2.0)}

    def mv(x):
        return {"p": A @ x["p"], "q": 2.0 * x["q"]}

    def solve(mv, b):
        x = lax.fori_loop(0, 100, lambda _, x: nablax.tree_util.tree_map(
            lambda xi, bi, yi, di: xi + (bi - yi) / di, x, b, mv(x), d), nablax.tree_util.tree_map(jnp.zeros_like, b))
        return x, {"sweeps": 100}

    b = {"p": B, "q": np.array([1.0, -4.0])}
    x, aux = lax.custom_linear_solve(mv, b, solve, transpose_solve=solve, has_aux=True)
    np.testing.assert_allclose(x["p"], np.linalg.solve(A, B), rtol=1e-10)
    np.testing.assert_allclose(x["q"], [0.5, -2.0])
    assert int(aux["sweeps"]) == 100


def test_float32_stays_float32_and_weak_type():
    x = _solve(A.astype(np.float32), B.astype(np.float32))
    assert x.dtype == np.float32
    with nablax.config.enable_x64(False):
        x = lax.custom_linear_solve(lambda x: 2.0 * x, 3.0, lambda mv, b: b / 2.0)
        assert x.dtype == np.float32 and x.weak_type
        np.testing.assert_allclose(x, 1.5)


@pytest.mark.parametrize("jit", [False, True])
def test_errors(jit):
    def run(f):
        return (nablax.jit(f) if jit else f)(A, B)
    with pytest.raises(ValueError, match="matvec.*shapes"):
        run(lambda a, b: lax.custom_linear_solve(lambda x: (a @ x)[:2], b, _jacobi(4.0)))
    with pytest.raises(TypeError, match="matvec.*structure"):
        run(lambda a, b: lax.custom_linear_solve(lambda x: (a @ x[0],), [b], lambda mv, r: r))
    with pytest.raises(ValueError, match="solve.*shapes"):
        run(lambda a, b: lax.custom_linear_solve(lambda x: a @ x, b, lambda mv, r: r[1:]))
    with pytest.raises(ValueError, match="has_aux"):
        run(lambda a, b: lax.custom_linear_solve(lambda x: a @ x, b, lambda mv, r: r, has_aux=True))
