"""max/min tangent weights are arithmetic (float(a > b) + 0.5 * float(a == b)), not selects."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax._src import dtypes


def test_the_linearized_relu_has_no_select():
    jaxpr = jax.make_jaxpr(jax.grad(lambda x: jnp.sum(jnp.maximum(x, 0.0))))(np.ones(4, np.float32))
    names = [e.prim.name for e in jaxpr.jaxpr.eqns]
    assert "select_n" not in names and names.count("convert_element_type") == 2


@pytest.mark.parametrize("fn, want_x, want_y", [
    (jnp.maximum, [1.0, 0.5, 0.0, 0.0, 0.5], [0.0, 0.5, 1.0, 0.0, 0.5]),
    (jnp.minimum, [0.0, 0.5, 1.0, 0.0, 0.5], [1.0, 0.5, 0.0, 0.0, 0.5]),
])
def test_weights_at_wins_ties_losses_and_nan(fn, want_x, want_y):
    x = np.array([2.0, 1.0, -1.0, np.nan, -0.0], np.float32)
    y = np.array([1.0, 1.0, 0.0, 1.0, 0.0], np.float32)
    gx, gy = jax.grad(lambda x, y: jnp.sum(fn(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(np.asarray(gx), np.array(want_x, np.float32))
    np.testing.assert_array_equal(np.asarray(gy), np.array(want_y, np.float32))
    gjx, gjy = jax.jit(jax.grad(lambda x, y: jnp.sum(fn(x, y)), argnums=(0, 1)))(x, y)
    np.testing.assert_array_equal(np.asarray(gjx), np.asarray(gx))
    np.testing.assert_array_equal(np.asarray(gjy), np.asarray(gy))


def test_weak_and_narrow_dtypes_are_kept():
    g = jax.grad(lambda x: jnp.maximum(x, 1.0))(1.0)
    assert float(g) == 0.5 and g.dtype == np.float32 and g.weak_type
    xb = jnp.asarray(np.array([0.5, 2.0], np.float32)).astype(dtypes.bfloat16)
    gb = jax.grad(lambda x: jnp.sum(jnp.minimum(x, 1.0).astype(np.float32)))(xb)
    assert gb.dtype == dtypes.bfloat16
    np.testing.assert_array_equal(np.asarray(gb, np.float32), [1.0, 0.0])


@pytest.mark.parametrize("scalar", [0.0, 2.0])
def test_eager_max_with_a_positive_scalar_is_exact(scalar):
    x = np.array([-0.0, 0.0, -1.0, np.nan, 3.0, -np.inf, np.inf], np.float32)
    out = np.asarray(jnp.maximum(x, scalar))
    want = np.maximum(x, np.float32(scalar))
    want[want == 0] = 0.0  # XLA orders -0.0 below +0.0: no -0.0 result
    np.testing.assert_array_equal(out, want)
    assert not np.signbit(out[out == 0]).any() and out.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x: jnp.maximum(x, scalar))(x)), out)


def test_vmap_of_a_custom_jvp_keeps_an_unbatched_scalar_operand_a_literal():
    f = lambda t: jnp.sum(jax.nn.softplus(t))  # noqa: E731  (softplus is logaddexp(t, 0.0), a custom_jvp)
    x = np.random.RandomState(5).randn(8, 5).astype(np.float32)
    src = jax.jit(jax.vmap(jax.grad(f))).lower(x).as_text()
    assert "xp.maximum(a, 0.0)" in src  # not max against a folded (8, 1) array of zeros
    np.testing.assert_allclose(np.asarray(jax.vmap(jax.grad(f))(x)), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(jax.grad(f)))(x)), 1 / (1 + np.exp(-x)), rtol=1e-6)
