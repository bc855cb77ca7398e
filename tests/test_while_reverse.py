"""Reverse mode through lax.while_loop (JAX: forward mode only): values against analytic
gradients, the implicit-function theorem, forward mode and finite differences, under jit and
vmap, with every checkpoint policy; the memory the tape holds; bad policies."""
import tracemalloc

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", False)


def newton_sqrt(x, **policy):
    """sqrt(x) by Newton's method, iterating until converged: the trip count depends on x."""
    def cond(c):
        return jnp.abs(c[0] * c[0] - x) > 1e-12 * x

    def body(c):
        return 0.5 * (c[0] + x / c[0]), c[1] + 1

    return lax.while_loop(cond, body, (x, 0), **policy)[0]


POLICIES = [{}, {"checkpoint_every": 3}, {"checkpoint_every": 10}, {"max_checkpoints": 2},
            {"checkpoint_every": 2, "max_checkpoints": 3}]


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_newton_sqrt_gradient_is_one_over_two_sqrt(x64, policy):
    for x in (0.5, 2.0, 100.0, 1e6):
        expected = 1 / (2 * np.sqrt(x))
        np.testing.assert_allclose(jax.grad(newton_sqrt)(x, **policy), expected, rtol=1e-12)
        np.testing.assert_allclose(jax.jit(jax.grad(lambda v: newton_sqrt(v, **policy)))(x), expected, rtol=1e-12)
    xs = jnp.array([0.5, 2.0, 100.0, 1e6])  # lanes stop after different numbers of iterations
    g = jax.vmap(jax.grad(lambda v: newton_sqrt(v, **policy)))
    np.testing.assert_allclose(g(xs), 1 / (2 * np.sqrt(xs)), rtol=1e-12)
    np.testing.assert_allclose(jax.jit(g)(xs), 1 / (2 * np.sqrt(xs)), rtol=1e-12)
    np.testing.assert_allclose(jax.hessian(newton_sqrt)(2.0, **policy), -0.25 * 2.0 ** -1.5, rtol=1e-10)
    np.testing.assert_allclose(jax.grad(jax.grad(newton_sqrt))(2.0, **policy), -0.25 * 2.0 ** -1.5, rtol=1e-10)


def test_newton_sqrt_float32():
    g = jax.jit(jax.grad(lambda x: lax.while_loop(lambda c: c[1] < 8, lambda c: (0.5 * (c[0] + x / c[0]), c[1] + 1),
                                                  (x, 0))[0]))
    out = g(jnp.float32(3.0))
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, 1 / (2 * np.sqrt(3.0)), rtol=1e-6)


def test_solver_loop_gradient_is_the_implicit_function_gradient(x64):
    """x* solves x = theta * cos(x) by fixed-point iteration to a tolerance; the implicit
    function theorem gives dx*/dtheta = cos(x*) / (1 + theta * sin(x*))."""
    def solve(theta):
        def cond(c):
            return jnp.abs(c[0] - c[1]) > 1e-14

        def body(c):
            return theta * jnp.cos(c[0]), c[0]

        return lax.while_loop(cond, body, (0.0, 1.0))[0]

    for theta in (0.3, 0.5, 0.7):
        x = solve(theta)
        ift = np.cos(x) / (1 + theta * np.sin(x))
        np.testing.assert_allclose(jax.grad(solve)(theta), ift, rtol=1e-9)
        np.testing.assert_allclose(jax.jit(jax.grad(solve))(theta), ift, rtol=1e-9)


def _loop(x, w, **policy):
    """A vector loop with an int counter, a closure over w and a pytree carry."""
    def body(c):
        i, (u, v) = c
        return i + 1, (jnp.sin(u) * w + v * 0.3, jnp.tanh(v + u * w))

    out = lax.while_loop(lambda c: c[0] < 7, body, (0, (x, x * 0.5)), **policy)[1]
    return out[0] + 2.0 * out[1]


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_reverse_equals_forward_and_finite_differences(x64, policy):
    x, w = jnp.array([0.3, -0.4, 1.1]), jnp.array([0.9, 1.2, -0.7])
    f = lambda x, w: _loop(x, w, **policy)  # noqa: E731
    check_grads(f, (x, w), order=2, modes=("rev",))
    check_grads(jax.jit(f), (x, w), order=1, modes=("rev",))
    for argnums in (0, 1, (0, 1)):
        rev, fwd = jax.jacrev(f, argnums)(x, w), jax.jacfwd(f, argnums)(x, w)
        jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14), rev, fwd)
    np.testing.assert_allclose(jax.hessian(lambda x: f(x, w).sum())(x),
                               jax.jacfwd(jax.jacfwd(lambda x: f(x, w).sum()))(x), rtol=1e-10, atol=1e-12)


def test_vmap_of_grad_equals_a_loop_of_grad(x64):
    def g(w, x):  # stops when the carry passes 10: a different trip count per lane
        return lax.while_loop(lambda c: c[1] < 10.0, lambda c: (c[0] + 1, c[1] * w + x), (0, x))[1]

    ws, xs = jnp.array([1.5, 2.0, 3.0, 1.1]), jnp.array([0.5, 1.0, 2.0, 0.1])
    grads = jax.grad(g, argnums=(0, 1))
    for in_axes, args in (((0, 0), (ws, xs)), ((None, 0), (1.5, xs)), ((0, None), (ws, 0.7))):
        got = jax.vmap(grads, in_axes=in_axes)(*args)
        jitted = jax.jit(jax.vmap(grads, in_axes=in_axes))(*args)
        lanes = [grads(*[a if d is None else a[k] for a, d in zip(args, in_axes)]) for k in range(4)]
        for j in range(2):
            np.testing.assert_allclose(got[j], [lane[j] for lane in lanes], rtol=1e-12)
            np.testing.assert_allclose(jitted[j], [lane[j] for lane in lanes], rtol=1e-12)
    # per-example Jacobians of a vmapped loop (jacrev of vmap: cotangents batched, loop not)
    np.testing.assert_allclose(jax.jacrev(jax.vmap(g))(ws, xs), np.diag(jax.vmap(grads)(ws, xs)[0]), rtol=1e-12)


def test_zero_and_one_iterations(x64):
    f = lambda x, n: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * c[1]), (0, x))[1]  # noqa: E731
    assert float(jax.grad(f)(3.0, 0)) == 1.0
    assert float(jax.grad(f)(3.0, 1)) == 6.0
    assert float(jax.jit(jax.grad(f))(3.0, 2)) == 4 * 27.0
    # a traced trip count: fori_loop with a traced upper bound lowers to while_loop
    h = jax.jit(jax.grad(lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x + i, x)))
    np.testing.assert_allclose(h(1.5, 4), jax.grad(lambda x: lax.fori_loop(0, 4, lambda i, v: v * x + i, x))(1.5))


def test_closure_in_cond_gets_no_gradient_and_int_carries(x64):
    def f(limit, x):
        return lax.while_loop(lambda c: c[1] < limit, lambda c: (c[0] * 1.5, c[1] + 1), (x, 0))[0]

    gl, gx = jax.grad(f, argnums=(0, 1))(3.0, 2.0)
    assert float(gl) == 0.0 and float(gx) == 1.5 ** 3


def test_jaxpr_shows_the_tape_primitives(x64):
    text = str(jax.make_jaxpr(jax.grad(newton_sqrt))(2.0))
    assert "while_record" in text and "while_bwd" in text and "object[]" in text


def test_checkpointing_bounds_the_memory_of_the_tape():
    """1,000 iterations of a 160 kB carry: keeping every carry holds ~160 MB; checkpoints
    every 10 iterations hold ~100 + 10, at least 5x less (measured with tracemalloc)."""
    def f(x, **policy):
        return lax.while_loop(lambda c: c[0] < 1000, lambda c: (c[0] + 1, jnp.sin(c[1]) * 0.999 + 0.001),
                              (0, x), **policy)[1].sum()

    x = jnp.linspace(0.0, 1.0, 40_000)
    peaks, grads = [], []
    for policy in ({}, {"checkpoint_every": 10}, {"max_checkpoints": 20}):
        g = jax.jit(jax.grad(lambda x, policy=policy: f(x, **policy)))
        g(x).block_until_ready()
        tracemalloc.start()
        grads.append(np.asarray(g(x)))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[0] > 1000 * x.nbytes  # every carry was kept
    assert peaks[0] >= 5 * peaks[1], peaks
    assert peaks[0] >= 5 * peaks[2], peaks
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(grads[0], grads[2])


@pytest.mark.parametrize("kwargs", [{"checkpoint_every": 0}, {"checkpoint_every": 2.5}, {"max_checkpoints": 1},
                                    {"checkpoint_every": None}, {"max_checkpoints": True}], ids=str)
def test_bad_checkpoint_policy(kwargs):
    with pytest.raises(ValueError, match="lax.while_loop: (checkpoint_every|max_checkpoints)"):
        lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0, **kwargs)


def test_minimize_is_reverse_differentiable(x64):
    """scipy.optimize.minimize is one while_loop: jacrev through its iterations equals jacfwd
    and, at the converged optimum, the implicit-function gradient -H_xx⁻¹ H_xa."""
    from nablax.scipy import optimize

    def solve(a):
        return optimize.minimize(lambda x: jnp.sum((x - a) ** 2) + 0.1 * jnp.sum(x ** 4), jnp.zeros(2),
                                 method="BFGS").x

    a = jnp.array([1.0, -0.5])
    x = solve(a)
    rev = jax.jacrev(solve)(a)
    np.testing.assert_allclose(rev, jax.jacfwd(solve)(a), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(rev, np.diag(2 / (2 + 1.2 * x ** 2)), atol=1e-5)


def _inner(v):
    return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.sin(c[1]) + 0.5 * c[1]), (0, v))[1]


def _nested_while(x):
    return lax.while_loop(lambda c: c[0] < 2, lambda c: (c[0] + 1, _inner(c[1]) * x), (0, x))[1]


def _while_in_scan(x):
    return lax.scan(lambda c, _: (_inner(c), None), x, None, length=3)[0]


def _scan_in_while(x):
    step = lambda c: (c[0] + 1, lax.scan(lambda a, _: (jnp.cos(a) * x, None), c[1], None, length=2)[0])  # noqa: E731
    return lax.while_loop(lambda c: c[0] < 2, step, (0, x))[1]


def _cond_in_while(x):
    step = lambda c: (c[0] + 1, lax.cond(c[1].sum() > 0, jnp.sin, jnp.cos, c[1]) * x)  # noqa: E731
    return lax.while_loop(lambda c: c[0] < 4, step, (0, x))[1]


def _remat_in_while(x):
    return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jax.checkpoint(jnp.sin)(c[1]) * x), (0, x))[1]


@pytest.mark.parametrize("f", [_nested_while, _while_in_scan, _scan_in_while, _cond_in_while, _remat_in_while],
                         ids=lambda f: f.__name__)
def test_nested_control_flow(x64, f):
    x = jnp.array([0.3, 0.7])
    check_grads(f, (x,), order=2)
    np.testing.assert_allclose(jax.jit(jax.jacrev(f))(x), jax.jacfwd(f)(x), rtol=1e-12, atol=1e-14)


def test_custom_vjp_in_the_body(x64):
    @jax.custom_vjp
    def square(v):
        return v * v

    square.defvjp(lambda v: (v * v, v), lambda v, g: (2 * v * g,))

    def f(x):
        return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, square(c[1]) * 0.5 + x), (0, x))[1].sum()

    x, eps = jnp.array([0.3, 0.7]), 1e-6
    fd = [(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in jnp.eye(2)]
    np.testing.assert_allclose(jax.grad(f)(x), fd, rtol=1e-7)
    np.testing.assert_allclose(jax.jit(jax.grad(f))(x), fd, rtol=1e-7)
