"""vmap semantics, composition with autodiff, and its errors (issue: vmap)."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


def value_fn(theta, state):
    return jnp.dot(theta, state)


def td_loss(theta, s_tm1, r_t, s_t):
    v_tm1 = value_fn(theta, s_tm1)
    target = r_t + value_fn(theta, s_t)
    return (jax.lax.stop_gradient(target) - v_tm1) ** 2


def _batch():
    theta = jnp.array([0.1, -0.1, 0.0])
    s_tm1 = jnp.array([1.0, 2.0, -1.0])
    r_t = jnp.array(1.0)
    s_t = jnp.array([2.0, 1.0, 0.0])
    stack = lambda x: jnp.stack([x, x])  # noqa: E731
    return theta, stack(s_tm1), stack(r_t), stack(s_t)


def test_tour_per_example_gradients():
    theta, b_s_tm1, b_r_t, b_s_t = _batch()
    g = jax.vmap(jax.grad(td_loss), in_axes=(None, 0, 0, 0))(theta, b_s_tm1, b_r_t, b_s_t)
    assert g.dtype == np.float32
    np.testing.assert_allclose(np.asarray(g), [[-2.4, -4.8, 2.4], [-2.4, -4.8, 2.4]], rtol=1e-6)
    b_theta = jnp.stack([theta, theta])
    g2 = jax.vmap(jax.grad(td_loss))(b_theta, b_s_tm1, b_r_t, b_s_t)
    np.testing.assert_allclose(np.asarray(g2), np.asarray(g), rtol=1e-6)
    g3 = jax.jit(jax.vmap(jax.grad(td_loss), in_axes=(None, 0, 0, 0)))(theta, b_s_tm1, b_r_t, b_s_t)
    np.testing.assert_allclose(np.asarray(g3), np.asarray(g), rtol=1e-6)


def _loop(f, xs):
    return np.stack([np.asarray(f(x)) for x in xs])


def test_vmap_of_grad_of_grad_and_grad_of_vmap():
    f = lambda x: jnp.sin(x) * x**2  # noqa: E731
    xs = jnp.array([0.1, 0.5, 2.0])
    gg = jax.grad(jax.grad(f))
    np.testing.assert_allclose(np.asarray(jax.vmap(gg)(xs)), _loop(gg, xs), rtol=1e-5)
    g_of_v = jax.grad(lambda xs: jnp.sum(jax.vmap(f)(xs)))(xs)
    np.testing.assert_allclose(np.asarray(g_of_v), _loop(jax.grad(f), xs), rtol=1e-5)


def test_vmap_of_jacobians_and_hessian():
    f = lambda x: jnp.tanh(x * jnp.array([1.0, 2.0])).sum() * x[0]  # noqa: E731
    xs = jnp.array([[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]])
    for transform in (jax.jacfwd, jax.jacrev, jax.hessian):
        t = transform(f)
        np.testing.assert_allclose(np.asarray(jax.vmap(t)(xs)), _loop(t, xs), rtol=1e-5, atol=1e-6)


def test_in_axes_forms_and_out_axes():
    x = jnp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(jax.vmap(lambda r: r * 2, in_axes=1)(x)), np.asarray(x).T * 2)
    np.testing.assert_array_equal(np.asarray(jax.vmap(lambda r: r * 2, in_axes=-1, out_axes=1)(x)), np.asarray(x) * 2)
    out = jax.vmap(lambda d: d["a"] + d["b"], in_axes=({"a": 0, "b": None},))({"a": x, "b": jnp.ones(3)})
    np.testing.assert_array_equal(np.asarray(out), np.asarray(x) + 1)
    k = jax.vmap(lambda a, *, b: a * b)(x, b=x)
    np.testing.assert_array_equal(np.asarray(k), np.asarray(x) ** 2)
    nested = jax.vmap(jax.vmap(lambda a, b: a * b, in_axes=(0, None)), in_axes=(None, 0))(jnp.arange(3.0), jnp.arange(2.0))
    np.testing.assert_array_equal(np.asarray(nested), np.outer(np.arange(2.0), np.arange(3.0)))
    assert jax.vmap(lambda a: 1.0, axis_size=4)(None).shape == (4,)


def test_named_axis_collectives():
    x = jnp.arange(4.0)
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda v: v / jax.lax.psum(v, "i"), axis_name="i")(x)),
                               np.arange(4.0) / 6.0)
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda v: v - jax.lax.pmean(v, "i"), axis_name="i")(x)),
                               np.arange(4.0) - 1.5)
    assert float(jax.vmap(lambda v: jax.lax.pmax(v, "i"), axis_name="i")(x)[0]) == 3.0
    np.testing.assert_array_equal(np.asarray(jax.vmap(lambda v: jax.lax.axis_index("i"), axis_name="i")(x)),
                                  [0, 1, 2, 3])
    g = jax.vmap(lambda v: jax.lax.all_gather(v, "i"), axis_name="i")(x)
    assert g.shape == (4, 4)
    nested = jax.vmap(jax.vmap(lambda v: jax.lax.psum(v, "inner"), axis_name="inner"), axis_name="outer")
    np.testing.assert_allclose(np.asarray(nested(jnp.ones((2, 3)))), 3 * np.ones((2, 3)))


def test_inconsistent_sizes_error_lists_paths_and_sizes():
    with pytest.raises(ValueError, match=r"args\[0\].*size 3[\s\S]*args\[1\].*size 4"):
        jax.vmap(lambda a, b: a + b.sum())(jnp.ones(3), jnp.ones(4))


def test_in_axes_structure_mismatch_error_shows_both():
    with pytest.raises(ValueError, match="in_axes"):
        jax.vmap(lambda a, b: a + b, in_axes=(0, 0, 0))(jnp.ones(3), jnp.ones(3))
    with pytest.raises(ValueError, match="in_axes"):
        jax.vmap(lambda d: d["a"], in_axes=({"a": 0, "c": 0},))({"a": jnp.ones(3), "b": jnp.ones(3)})


def test_out_axes_out_of_range_error():
    with pytest.raises(ValueError, match="out_axes"):
        jax.vmap(lambda a: a, out_axes=3)(jnp.ones((2, 2)))


def test_batched_python_control_flow_error():
    with pytest.raises(jax.errors.ConcretizationTypeError, match="vmap"):
        jax.vmap(lambda a: a if a > 0 else -a)(jnp.ones(3))
