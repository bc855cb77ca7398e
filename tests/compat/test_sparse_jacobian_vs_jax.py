"""nablax.experimental.sparse_jacobian / sparse_hessian against JAX's dense jacfwd / hessian
(JAX has no sparse Jacobian: its dense result is the reference; skipped without JAX).

Each program is a function of a namespace `L` (`L.jax`, `L.jnp`, `L.lax`), run once with JAX
(dense jacfwd or hessian, reshaped to (outputs, inputs)) and once with nablax (sparse, then
densified); the values must agree to float32 (or float64) rounding.
"""
import types

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nlax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax.experimental import sparse_hessian, sparse_jacobian  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax)


def pde_residual(L, u):
    h = 1.0 / (u.shape[0] + 1)
    p = L.jnp.pad(u, 1)
    return (p[:-2] - 2 * p[1:-1] + p[2:]) / h ** 2 + u ** 3 - 1.0


def bratu_2d(L, u):
    g = u.reshape(5, 6)
    p = L.jnp.pad(g, 1)
    return (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * g + 0.5 * L.jnp.exp(g)).ravel()


def arrowhead(L, u):
    return u ** 2 + u[0] * L.jnp.sum(u)


def block_diagonal(L, u):
    return L.jax.vmap(lambda b: L.jnp.tanh(L.jnp.outer(b, b) @ b))(u.reshape(6, 5)).ravel()


def scan_and_cond(L, u):
    ys = L.lax.scan(lambda c, x: (0.5 * c + x, L.jnp.sin(c) * x), 1.0, u)[1]
    return L.lax.cond(u[0] > 0.5, lambda v: v * L.jnp.roll(v, 1), lambda v: L.jnp.cos(v), ys)


def while_loop(L, u):
    body = lambda s: (s[0] + 1, s[1] + 0.1 * L.jnp.roll(s[1], 1) ** 2)  # noqa: E731
    return L.lax.while_loop(lambda s: s[0] < 3, body, (0, u))[1]


def windowed(L, u):
    v = L.jnp.sin(u)
    return v[:-4] * v[2:-2] + v[4:] + L.jnp.cumsum(u)[::5].sum()


PROGRAMS = [pde_residual, bratu_2d, arrowhead, block_diagonal, scan_and_cond, while_loop, windowed]


def _point(dtype):
    return np.random.default_rng(3).uniform(0.1, 1.0, 30).astype(dtype)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_sparse_jacobian_equals_jax_jacfwd(program):
    x = _point(np.float32)
    want = np.asarray(jax.jacfwd(lambda u: program(J, u))(jjnp.asarray(x))).reshape(-1, x.size)
    mode = "forward" if program is while_loop else "auto"
    got = sparse_jacobian(lambda u: program(N, u), mode=mode)(njnp.asarray(x))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.toarray(), want, rtol=2e-5, atol=2e-4)


def test_sparse_jacobian_float64(x64):
    x = _point(np.float64)
    want = np.asarray(jax.jacfwd(lambda u: pde_residual(J, u))(jjnp.asarray(x)))
    got = sparse_jacobian(lambda u: pde_residual(N, u))(njnp.asarray(x))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.toarray(), want, rtol=1e-12)


def _objective(L, u):
    r = pde_residual(L, u) * 1e-3
    return L.jnp.sum(r ** 2) + L.jnp.sum(L.jnp.sin(u[1:] * u[:-1])) + u[0] * L.jnp.sum(u ** 2)


@pytest.mark.parametrize("fn", [_objective, lambda L, u: L.jnp.sum(block_diagonal(L, u) ** 2)], ids=["banded_arrow", "blocks"])
def test_sparse_hessian_equals_jax_hessian(fn):
    x = _point(np.float32)
    want = np.asarray(jax.hessian(lambda u: fn(J, u))(jjnp.asarray(x)))
    got = sparse_hessian(lambda u: fn(N, u))(njnp.asarray(x)).toarray()
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_allclose(got, got.T, rtol=1e-4, atol=1e-5 * scale)
