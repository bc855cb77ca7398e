"""custom_jvp, custom_vjp and checkpoint through every transformation."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


@jax.custom_jvp
def clipped_log(x):
    return jnp.log(x)


@clipped_log.defjvp
def _clipped_log_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return clipped_log(x), t / jnp.maximum(x, 1.0)


def test_custom_jvp_used_by_forward_and_reverse_mode():
    assert float(jax.grad(clipped_log)(0.5)) == 1.0
    assert float(jax.jvp(clipped_log, (4.0,), (1.0,))[1]) == 0.25
    np.testing.assert_allclose(np.asarray(jax.vmap(jax.grad(clipped_log))(jnp.array([0.5, 2.0]))), [1.0, 0.5])
    np.testing.assert_allclose(float(jax.jit(jax.grad(clipped_log))(2.0)), 0.5)


def test_custom_jvp_defjvps_and_nondiff_argnums():
    f = jax.custom_jvp(lambda x, y: x * y)
    f.defjvps(lambda g, ans, x, y: 10.0 * g, lambda g, ans, x, y: 100.0 * g)
    assert float(jax.grad(f, argnums=1)(2.0, 3.0)) == 100.0

    g = jax.custom_jvp(lambda n, x: x ** n, nondiff_argnums=(0,))

    @g.defjvp
    def g_jvp(n, primals, tangents):
        (x,), (t,) = primals, tangents
        return g(n, x), n * x ** (n - 1) * t * 2.0

    assert float(jax.grad(g, argnums=1)(3, 2.0)) == 24.0


@jax.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, None


def _clip_bwd(_, g):
    return (jnp.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)


def test_custom_vjp_reverse_mode_vmap_jit_and_jacrev():
    assert float(jax.grad(lambda x: 5.0 * clip_gradient(x))(2.0)) == 1.0
    g = jax.vmap(jax.grad(lambda x: 0.5 * clip_gradient(x)))(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(g), [0.5, 0.5])
    assert float(jax.jit(jax.grad(lambda x: 5.0 * clip_gradient(x)))(2.0)) == 1.0
    j = jax.jacrev(lambda x: 3.0 * clip_gradient(x))(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(np.asarray(j), np.eye(2))


def test_forward_mode_through_custom_vjp_with_a_nonlinear_bwd_is_a_clear_type_error():
    # Forward mode transposes bwd (unlike JAX, which always raises here: see
    # tests/test_custom_vjp_forward.py); clipping the cotangent is not linear in it.
    with pytest.raises(TypeError, match="clip_gradient .*_clip_bwd.*linear in the cotangent.*'max'"):
        jax.jvp(clip_gradient, (1.0,), (1.0,))


def test_checkpoint_gives_same_gradients():
    def f(x):
        return jnp.sum(jnp.sin(jnp.cos(x)) * x)

    x = jnp.array([0.1, 0.7, -1.3])
    g_ref = jax.grad(f)(x)
    g_remat = jax.grad(jax.checkpoint(f))(x)
    np.testing.assert_allclose(np.asarray(g_remat), np.asarray(g_ref), rtol=1e-6)
    h_ref = jax.hessian(f)(x)
    h_remat = jax.hessian(jax.checkpoint(f))(x)
    np.testing.assert_allclose(np.asarray(h_remat), np.asarray(h_ref), rtol=1e-5)


def test_checkpoint_recomputes_forward_in_backward_pass():
    f = jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)))
    jaxpr = jax.make_jaxpr(jax.grad(f))(1.0)
    names = [e.prim.name for e in jaxpr.eqns]
    # The inner sin is computed by the forward pass and again by the backward pass.
    assert names.count("sin") >= 2
