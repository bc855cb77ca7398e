"""Reverse mode through while_loop, nablax against JAX (skipped without JAX).

JAX raises for reverse mode through while_loop, so each program's nablax reverse-mode
derivative (grad, jacrev, vjp, vmap of grad, hessian = jacfwd(jacrev), grad of grad) is
compared with JAX's forward-mode one (jvp, jacfwd, jacfwd of jacfwd) of the same program:
values, dtypes, shapes and weak types. Also: JAX still raises where nablax computes.
"""
import types

import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nlax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax)


def newton_sqrt(L, x):
    return L.lax.while_loop(lambda c: L.jnp.abs(c[0] * c[0] - x) > 1e-6 * x,
                            lambda c: (0.5 * (c[0] + x / c[0]), c[1] + 1), (x, 0))[0]


def vector_loop(L, x, w):
    def body(c):
        i, (u, v) = c
        return i + 1, (L.jnp.sin(u) * w + v * 0.3, L.jnp.tanh(v + u * w))

    u, v = L.lax.while_loop(lambda c: c[0] < 6, body, (0, (x, x * 0.5)))[1]
    return u + 2.0 * v


def until_large(L, w, x):
    return L.lax.while_loop(lambda c: c[1] < 10.0, lambda c: (c[0] + 1, c[1] * w + x), (0, x))[1]


X = [0.5, 2.0, 30.0]
V = [[0.3, -0.4, 1.1], [0.9, 1.2, -0.7]]

# name -> (nablax reverse-mode derivative, JAX forward-mode derivative, args builder)
PAIRS = {
    "grad_newton": (lambda L: L.jax.grad(lambda x: newton_sqrt(L, x)),
                    lambda L: L.jax.jacfwd(lambda x: newton_sqrt(L, x)), lambda L: (L.jnp.float32(2.0),)),
    "jit_grad_newton_weak": (lambda L: L.jax.jit(L.jax.grad(lambda x: newton_sqrt(L, x))),
                             lambda L: L.jax.jit(L.jax.jacfwd(lambda x: newton_sqrt(L, x))), lambda L: (2.0,)),
    "vmap_grad_newton": (lambda L: L.jax.vmap(L.jax.grad(lambda x: newton_sqrt(L, x))),
                         lambda L: L.jax.vmap(L.jax.jacfwd(lambda x: newton_sqrt(L, x))),
                         lambda L: (L.jnp.array(X),)),
    "jacrev_vector": (lambda L: L.jax.jacrev(lambda x, w: vector_loop(L, x, w), argnums=(0, 1)),
                      lambda L: L.jax.jacfwd(lambda x, w: vector_loop(L, x, w), argnums=(0, 1)),
                      lambda L: tuple(L.jnp.array(v) for v in V)),
    "jit_jacrev_vector": (lambda L: L.jax.jit(L.jax.jacrev(lambda x, w: vector_loop(L, x, w))),
                          lambda L: L.jax.jit(L.jax.jacfwd(lambda x, w: vector_loop(L, x, w))),
                          lambda L: tuple(L.jnp.array(v) for v in V)),
    "hessian_vector": (lambda L: L.jax.hessian(lambda x, w: vector_loop(L, x, w).sum()),
                       lambda L: L.jax.jacfwd(L.jax.jacfwd(lambda x, w: vector_loop(L, x, w).sum())),
                       lambda L: tuple(L.jnp.array(v) for v in V)),
    "grad_grad_newton": (lambda L: L.jax.grad(L.jax.grad(lambda x: newton_sqrt(L, x))),
                         lambda L: L.jax.jacfwd(L.jax.jacfwd(lambda x: newton_sqrt(L, x))),
                         lambda L: (L.jnp.float32(3.0),)),
    "vmap_grad_lanes_differ": (lambda L: L.jax.vmap(L.jax.grad(lambda w, x: until_large(L, w, x), argnums=(0, 1))),
                               lambda L: L.jax.vmap(L.jax.jacfwd(lambda w, x: until_large(L, w, x), argnums=(0, 1))),
                               lambda L: (L.jnp.array([1.5, 2.0, 3.0]), L.jnp.array([0.5, 1.0, 2.0]))),
    "vmap_grad_unbatched_const": (
        lambda L: L.jax.vmap(L.jax.grad(lambda w, x: until_large(L, w, x), argnums=(0, 1)), in_axes=(None, 0)),
        lambda L: L.jax.vmap(L.jax.jacfwd(lambda w, x: until_large(L, w, x), argnums=(0, 1)), in_axes=(None, 0)),
        lambda L: (L.jnp.float32(1.5), L.jnp.array([0.5, 1.0, 2.0]))),
    "dynamic_fori_grad": (lambda L: L.jax.jit(L.jax.grad(lambda x, n: L.lax.fori_loop(0, n, lambda i, v: v * x + i, x))),
                          lambda L: L.jax.jit(L.jax.jacfwd(lambda x, n: L.lax.fori_loop(0, n, lambda i, v: v * x + i,
                                                                                          x))),
                          lambda L: (L.jnp.float32(1.5), 4)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_reverse_mode_equals_jax_forward_mode(name):
    rev, fwd, args = PAIRS[name]
    assert_same(fwd(J)(*args(J)), rev(N)(*args(N)), rtol=2e-5, atol=2e-6)


def test_vjp_equals_jax_jvp_transposed():
    x, w = (jjnp.array(v) for v in V)
    jac = jax.jacfwd(lambda x: vector_loop(J, x, w))(x)
    ct = jjnp.array([1.0, -2.0, 0.5])
    nx, nw = (njnp.array(v) for v in V)
    out, pullback = nablax.vjp(lambda x: vector_loop(N, x, nw), nx)
    assert_same(ct @ jac, pullback(njnp.array([1.0, -2.0, 0.5]))[0])


def test_jax_still_raises_where_nablax_computes():
    with pytest.raises(ValueError):
        jax.grad(lambda x: newton_sqrt(J, x))(2.0)
    assert float(nablax.grad(lambda x: newton_sqrt(N, x))(2.0)) == pytest.approx(0.5 / 2.0 ** 0.5, rel=1e-6)
