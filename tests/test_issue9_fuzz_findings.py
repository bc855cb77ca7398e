"""Regression tests for defects the randomised consistency suite (tests/randomized) found (issue 9).

The expected values and weak types are JAX 0.10.2's, hard-coded so the tests run without JAX.
"""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax


def _check(x, value, weak):
    assert np.asarray(x).dtype == np.float32
    assert bool(getattr(x, "weak_type", isinstance(x, float))) is weak
    np.testing.assert_allclose(np.asarray(x), value, rtol=1e-6)


@pytest.mark.parametrize("f, out, tangent", [
    (lambda a: jnp.maximum(a, 0.0), 0.7, 0.3),
    (lambda a: lax.max(a, 0.0), 0.7, 0.3),
    (lambda a: jnp.minimum(a, 0.0), 0.0, 0.0),
    (lambda a: lax.min(a, 1.0), 0.7, 0.3),
    (lambda a: jnp.clip(a, -1.0, 1.0), 0.7, 0.3),
    (lambda a: jnp.clip(a, -1.0, 0.5), 0.5, 0.0),
    (lambda a: lax.clamp(-1.0, a, 0.5), 0.5, 0.0),
    (jax.nn.relu, 0.7, 0.3),
    (jax.nn.softplus, 1.1031861, 0.20045634),
    (lambda a: jnp.logaddexp(a, 0.2), 1.174077, 0.18673779),
])
def test_max_min_clamp_tangents_of_weak_operands_are_weak(f, out, tangent):
    # JAX: the tangent of lax.max / lax.min / lax.clamp of weakly typed operands is weak
    p, t = jax.jvp(f, (0.7,), (0.3,))
    _check(p, out, True)
    _check(t, tangent, True)


def test_max_min_clamp_tangent_weak_types_follow_the_operands():
    _, t = jax.jvp(lambda a, b: lax.max(a, b), (0.7, 0.7), (0.3, 0.5))  # a tie: the mean
    _check(t, 0.4, True)
    _, t = jax.jvp(lambda a, b: lax.min(a, b), (0.7, jnp.float32(0.2)), (0.3, jnp.float32(0.5)))
    _check(t, 0.5, False)
    _, t = jax.jvp(lambda a: jnp.maximum(a, 0.0), (jnp.float32(0.7),), (jnp.float32(0.3),))
    _check(t, 0.3, False)
    _, t = jax.jvp(lambda lo, a, hi: lax.clamp(lo, a, hi), (-1.0, 0.7, 0.5), (0.1, 0.3, 0.2))
    _check(t, 0.2, True)
    _check(jax.linearize(lambda a: jnp.maximum(a, 0.0), 0.7)[1](0.3), 0.3, True)
    _check(jax.grad(lambda a: jnp.maximum(a, 0.0))(0.0), 0.5, True)


def test_grad_of_jit_of_logaddexp_with_a_numpy_argument():
    """The custom_jvp rule of logaddexp sees a raw NumPy operand under grad of jit."""
    x = np.array([0.3, -0.5], np.float32)
    y = np.array([-0.5, -1.2], np.float32)
    g = jax.grad(lambda x, y: jnp.sum(jax.jit(lambda u, v: jnp.logaddexp(v, u))(x, y)))(x, y)
    np.testing.assert_allclose(g, [0.68997455, 0.6681878], rtol=1e-6)  # JAX 0.10.2


def test_grad_of_checkpoint_of_custom_vjp():
    cv = jax.custom_vjp(jnp.sin)
    cv.defvjp(lambda x: (jnp.sin(x), jnp.cos(x)), lambda c, g: (g * c,))
    g = jax.grad(lambda x: jax.checkpoint(cv)(x).sum())(jnp.array([0.3, 0.5]))
    np.testing.assert_allclose(g, [0.9553365, 0.87758255], rtol=1e-6)  # JAX 0.10.2


def test_numpy_scalars_are_strong_under_jit_and_eager_checkpoint():
    """np.float64 subclasses float, but it is a NumPy value: strongly typed (JAX 0.10.2)."""
    x = np.float64(2.0)
    for out in (jax.jit(lambda a: a * 2)(x), jax.checkpoint(lambda a: a * 2)(x)):
        assert type(out) is jax.Array and out.dtype == jnp.float32 and not out.weak_type
        assert float(out) == 4.0
    assert jax.checkpoint(lambda a: a * 2)(2.0).weak_type


def test_vmap_of_jit_with_an_unbatched_python_scalar_keeps_float32():
    out = jax.vmap(lambda t: jax.jit(lambda a, b: jnp.sin(b))(t, 0.7))(jnp.eye(2))
    assert out.dtype == jnp.float32 and out.weak_type  # JAX 0.10.2
    np.testing.assert_allclose(out, [0.64421767] * 2, rtol=1e-7)
    jac = jax.jacfwd(jax.jit(lambda a, b: jnp.sin(b)))(jnp.array([0.3, 0.5]), 0.7)
    assert jac.dtype == jnp.float32 and jac.tolist() == [0.0, 0.0]
