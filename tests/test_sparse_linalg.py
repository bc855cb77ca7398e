"""scipy.sparse.linalg without JAX: solutions vs np.linalg.solve / scipy, gradients through
the solvers vs the analytic gradient of a direct solve (the gradient is a second solve),
check_grads, vmap, jit, pytrees, preconditioning, complex systems and the errors."""
import numpy as np
import pytest
import scipy.sparse.linalg as ssl

import nablax
import nablax.numpy as jnp
from nablax.scipy.sparse import linalg as sl
from nablax.test_util import check_grads

RNG = np.random.default_rng(3)
N = 10
_Q = RNG.standard_normal((N, N))
SPD = _Q @ _Q.T + N * np.eye(N)
GEN = RNG.standard_normal((N, N)) + 5.0 * np.eye(N)
B = RNG.standard_normal(N)

SOLVERS = {
    "cg": (sl.cg, SPD),
    "bicgstab": (sl.bicgstab, GEN),
    "gmres": (sl.gmres, GEN),
    "gmres-incremental": (lambda *a, **k: sl.gmres(*a, solve_method="incremental", **k), GEN),
    "gmres-restart4": (lambda *a, **k: sl.gmres(*a, restart=4, **k), GEN),
}


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


@pytest.mark.parametrize("key", list(SOLVERS))
def test_solution_matrix_and_function(key):
    f, a = SOLVERS[key]
    x, info = f(a, B, tol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve(a, B), rtol=1e-9, atol=1e-12)
    assert info is None if key in ("cg", "bicgstab") else int(info) == 0
    x, _ = f(lambda v: jnp.asarray(a) @ v, B, tol=1e-12, x0=B, M=lambda v: v / np.diag(a))
    np.testing.assert_allclose(x, np.linalg.solve(a, B), rtol=1e-9, atol=1e-12)


def test_cg_tolerance_like_scipy():
    # Both stop at norm(r) <= max(tol * norm(b), atol): the residuals are of that size.
    x, _ = sl.cg(SPD, B, tol=1e-3)
    xs, _ = ssl.cg(SPD, B, rtol=1e-3)
    for sol in (np.asarray(x), xs):
        assert np.linalg.norm(SPD @ sol - B) <= 1e-3 * np.linalg.norm(B)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_grad_equals_direct_solve_grad(key):
    f, a = SOLVERS[key]
    w = RNG.standard_normal(N)

    def loss(a, b):
        return jnp.sum(w * jnp.sin(f(lambda v: a @ v, b, tol=1e-12)[0]))

    ga, gb = nablax.grad(loss, argnums=(0, 1))(a, B)
    x = np.linalg.solve(a, B)
    lam = np.linalg.solve(a.T, w * np.cos(x))  # the adjoint solve
    np.testing.assert_allclose(gb, lam, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ga, -np.outer(lam, x), rtol=1e-5, atol=1e-7)
    ga_j, gb_j = nablax.jit(nablax.grad(loss, argnums=(0, 1)))(a, B)
    np.testing.assert_allclose(ga_j, ga, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gb_j, gb, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", ["cg", "bicgstab", "gmres"])
def test_check_grads_order2(key):
    f, a = SOLVERS[key]
    small = a[:4, :4]
    check_grads(lambda a, b: f(lambda v: a @ v, b, tol=1e-13)[0], (small, B[:4]), order=2, modes=("fwd", "rev"),
                atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_vmap_and_jit(key):
    f, a = SOLVERS[key]
    As = np.stack([a, a + np.eye(N), a + 3 * np.eye(N)])
    Bs = RNG.standard_normal((3, N))
    xs, _ = nablax.vmap(lambda A, b: f(A, b, tol=1e-12))(As, Bs)
    np.testing.assert_allclose(xs, np.linalg.solve(As, Bs[..., None])[..., 0], rtol=1e-9, atol=1e-12)
    xs, _ = nablax.jit(nablax.vmap(lambda A, b: f(A, b, tol=1e-12), (0, None)))(As, B)
    np.testing.assert_allclose(xs, np.linalg.solve(As, np.broadcast_to(B, (3, N))[..., None])[..., 0], rtol=1e-9)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_pytree_rhs(key):
    f, a = SOLVERS[key]

    def mv(x):
        y = jnp.asarray(a) @ jnp.concatenate([x[0], x[1].reshape(-1)])
        return (y[:4], y[4:].reshape(2, 3))

    x, _ = f(mv, (B[:4], B[4:].reshape(2, 3)), tol=1e-12)
    ref = np.linalg.solve(a, B)
    np.testing.assert_allclose(x[0], ref[:4], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x[1], ref[4:].reshape(2, 3), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_float32_and_complex(key):
    f, a = SOLVERS[key]
    with nablax.config.enable_x64(False):
        x, _ = f(a.astype(np.float32), B.astype(np.float32))
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, np.linalg.solve(a, B), rtol=1e-3, atol=1e-4)
    skew = RNG.standard_normal((N, N))
    ac = a + 1j * (skew - skew.T) if key == "cg" else a + 0.5j * skew
    bc = B + 1j * RNG.standard_normal(N)
    x, _ = f(ac, bc, tol=1e-12)
    assert x.dtype == np.complex128
    np.testing.assert_allclose(x, np.linalg.solve(ac, bc), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", list(SOLVERS))
def test_errors(key):
    f, a = SOLVERS[key]
    with pytest.raises(ValueError, match="square"):
        f(np.ones((3, 4)), B[:3])
    with pytest.raises(TypeError, match="function or ndarray"):
        f("A", B)
    with pytest.raises(ValueError, match="tree structure"):
        f(a, B, x0=(B,))
    with pytest.raises(ValueError, match="shapes"):
        f(lambda v: v[:3], B)
    with pytest.raises(ValueError, match="shapes"):
        nablax.jit(lambda b: f(lambda v: v[:3], b)[0])(B)
    with pytest.raises(TypeError if key.startswith("gmres") else ValueError, match="shapes"):
        f(a, B, x0=B[:3])


def test_gmres_solve_method_and_info():
    with pytest.raises(ValueError, match="solve_method"):
        sl.gmres(GEN, B, solve_method="qr")
    assert int(sl.gmres(GEN, B)[1]) == 0
    # A NaN residual stops at once (as JAX): x is x0, and info is -1 where that is NaN.
    assert int(sl.gmres(GEN, B, x0=np.full(N, np.nan))[1]) == -1


@pytest.mark.parametrize("key", list(SOLVERS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_equals_grad_through_jnp_linalg_solve(key, dtype):
    # The check: grad of a loss through the iterative solver equals grad through
    # jnp.linalg.solve (itself differentiated by its own transpose rule) to 1e-5.
    f, a = SOLVERS[key]
    a, b = a.astype(dtype), B.astype(dtype)
    w = RNG.standard_normal(N).astype(dtype)

    def loss(solve):
        return lambda a, b: jnp.sum(w * jnp.tanh(solve(a, b)))

    tol = 1e-7 if dtype == np.float32 else 1e-12
    ga, gb = nablax.grad(loss(lambda a, b: f(a, b, tol=tol)[0]), argnums=(0, 1))(a, b)
    ra, rb = nablax.grad(loss(jnp.linalg.solve), argnums=(0, 1))(a, b)
    assert ga.dtype == ra.dtype == dtype
    np.testing.assert_allclose(ga, ra, rtol=1e-5, atol=1e-5 if dtype == np.float32 else 1e-10)
    np.testing.assert_allclose(gb, rb, rtol=1e-5, atol=1e-5 if dtype == np.float32 else 1e-10)


def test_gradient_is_a_second_solve_not_unrolled_iterations():
    # The iterations are a while_loop (not reverse-differentiable); grad works because its
    # program holds a second custom_linear_solve (the transposed solve), not the iterations.
    text = str(nablax.make_jaxpr(nablax.grad(lambda b: jnp.sum(sl.cg(SPD, b)[0] ** 2)))(B))
    assert text.count("custom_linear_solve[") == 2
