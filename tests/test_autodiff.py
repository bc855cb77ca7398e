"""The advanced-autodiff tour's results, and AD API behaviour (issue: automatic differentiation)."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax.test_util import check_grads


def poly(x):
    return x**3 + 2 * x**2 - 3 * x + 1


def test_higher_order_derivatives_of_polynomial():
    d1 = jax.grad(poly)
    d2 = jax.grad(d1)
    d3 = jax.grad(d2)
    d4 = jax.grad(d3)
    assert [float(d(1.0)) for d in (d1, d2, d3, d4)] == [4.0, 10.0, 6.0, 0.0]
    assert d1(1.0).dtype == np.float32


def test_hessian_of_dot_via_jacfwd_of_grad():
    h = jax.jacfwd(jax.grad(lambda x: jnp.dot(x, x)))(jnp.array([1.0, 2.0, 3.0]))
    assert h.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(h), 2 * np.eye(3))


def test_maml_meta_gradient_matches_finite_differences():
    def loss(params, data):
        x, y = data
        pred = params["w"] * x + params["b"]
        return jnp.mean((pred - y) ** 2)

    def meta_loss(params, data):
        g = jax.grad(loss)(params, data)
        adapted = jax.tree_util.tree_map(lambda p, gp: p - 0.1 * gp, params, g)
        return loss(adapted, data)

    with jax.config.enable_x64(True):
        params = {"w": jnp.array(0.5), "b": jnp.array(-0.3)}
        data = (jnp.array([0.0, 1.0, 2.0]), jnp.array([1.0, 3.0, 5.0]))
        g = jax.grad(meta_loss)(params, data)
        eps = 1e-6
        for k in params:
            plus = dict(params, **{k: params[k] + eps})
            minus = dict(params, **{k: params[k] - eps})
            fd = (meta_loss(plus, data) - meta_loss(minus, data)) / (2 * eps)
            np.testing.assert_allclose(float(g[k]), float(fd), rtol=1e-6)


def _td_setup():
    value_fn = lambda theta, state: jnp.dot(theta, state)  # noqa: E731
    theta = jnp.array([0.1, -0.1, 0.0])
    s_tm1 = jnp.array([1.0, 2.0, -1.0])
    r_t = jnp.array(1.0)
    s_t = jnp.array([2.0, 1.0, 0.0])
    return value_fn, theta, s_tm1, r_t, s_t


def test_td_update_with_and_without_stop_gradient():
    value_fn, theta, s_tm1, r_t, s_t = _td_setup()

    def td_loss(theta, s_tm1, r_t, s_t, target_fn=lambda target: target):
        return (target_fn(r_t + value_fn(theta, s_t)) - value_fn(theta, s_tm1)) ** 2

    np.testing.assert_allclose(np.asarray(jax.grad(td_loss)(theta, s_tm1, r_t, s_t)), [2.4, -2.4, 2.4], rtol=1e-6)
    g = jax.grad(td_loss)(theta, s_tm1, r_t, s_t, jax.lax.stop_gradient)
    assert g.dtype == np.float32
    np.testing.assert_allclose(np.asarray(g), [-2.4, -4.8, 2.4], rtol=1e-6)


def test_straight_through_estimator():
    def f(x):
        return jnp.round(x)

    def straight_through_f(x):
        zero = x - jax.lax.stop_gradient(x)
        return zero + jax.lax.stop_gradient(f(x))

    assert float(f(3.2)) == 3.0
    assert float(straight_through_f(3.2)) == 3.0
    assert float(jax.grad(f)(3.2)) == 0.0
    assert float(jax.grad(straight_through_f)(3.2)) == 1.0


def test_eighth_derivative_of_sin():
    with jax.config.enable_x64(True):
        d = jnp.sin
        for _ in range(8):
            d = jax.grad(d)
        np.testing.assert_allclose(float(d(0.3)), np.sin(0.3), rtol=1e-12)
        dd = jax.grad(d)
        np.testing.assert_allclose(float(dd(0.3)), np.cos(0.3), rtol=1e-12)


def test_hessian_of_dict_input_has_nested_dict_structure():
    def f(p):
        return jnp.sum(p["a"] ** 2) * jnp.sum(p["b"] ** 3)

    p = {"a": jnp.array([1.0, 2.0]), "b": jnp.array([0.5, 1.5, 2.0])}
    h = jax.hessian(f)(p)
    assert set(h) == {"a", "b"} and set(h["a"]) == {"a", "b"}
    assert h["a"]["b"].shape == (2, 3) and h["b"]["a"].shape == (3, 2)
    sb3 = float(jnp.sum(p["b"] ** 3))
    np.testing.assert_allclose(np.asarray(h["a"]["a"]), 2 * sb3 * np.eye(2), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(h["a"]["b"]),
                               np.outer(2 * np.asarray(p["a"]), 3 * np.asarray(p["b"]) ** 2), rtol=1e-6)


def test_grad_of_vector_output_is_a_clear_type_error():
    with pytest.raises(TypeError, match=r"scalar.*\(3,\).*jacrev"):
        jax.grad(lambda x: x * 2)(jnp.ones(3))


def test_grad_wrt_int_input_mentions_allow_int():
    with pytest.raises(TypeError, match="allow_int"):
        jax.grad(lambda x: x * 2.0)(jnp.array(3, dtype=jnp.int32))
    g = jax.grad(lambda x, y: x * y, argnums=1, allow_int=True)(2.0, jnp.array(3))
    assert g.dtype == jax.dtypes.float0


def test_escaped_tracer_is_reported():
    stash = []

    def f(x):
        stash.append(x)
        return x * 2

    jax.grad(f)(1.0)
    with pytest.raises(jax.errors.UnexpectedTracerError, match="escaped"):
        jnp.sin(stash[0])


def test_value_and_grad_argnums_and_has_aux():
    def f(x, y):
        return x * y**2, {"aux": x + y}

    (v, aux), (gx, gy) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(3.0, 2.0)
    assert float(v) == 12.0 and float(aux["aux"]) == 5.0
    assert (float(gx), float(gy)) == (4.0, 12.0)


def test_vjp_function_reusable_with_pytree_cotangents():
    out, f_vjp = jax.vjp(lambda x: {"s": jnp.sin(x), "c": jnp.cos(x)}, jnp.array([0.0, 1.0]))
    (g1,) = f_vjp({"s": jnp.ones(2), "c": jnp.zeros(2)})
    (g2,) = f_vjp({"s": jnp.zeros(2), "c": jnp.ones(2)})
    np.testing.assert_allclose(np.asarray(g1), np.cos([0.0, 1.0]), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(g2), -np.sin([0.0, 1.0]), rtol=1e-6)


def test_linearize_and_linear_transpose():
    y, f_jvp = jax.linearize(jnp.sin, 1.0)
    assert abs(float(f_jvp(2.0)) - 2 * np.cos(1.0)) < 1e-6
    t = jax.linear_transpose(lambda x: 3.0 * x, 1.0)
    assert float(t(2.0)[0]) == 6.0


def test_jacfwd_jacrev_agree_with_pytrees():
    def f(p):
        return {"y": jnp.tanh(p[0] * p[1]), "z": p[0] ** 2}

    p = (jnp.array([0.3, -0.2]), jnp.array([1.5, 0.5]))
    jf = jax.jacfwd(f)(p)
    jr = jax.jacrev(f)(p)
    for k in ("y", "z"):
        for i in range(2):
            np.testing.assert_allclose(np.asarray(jf[k][i]), np.asarray(jr[k][i]), rtol=1e-5)
    assert jf["y"][0].shape == (2, 2)


def test_complex_grad_conventions():
    # real-valued function of a complex input: JAX returns the conjugate-convention gradient
    g = jax.grad(lambda z: jnp.real(z * jnp.conj(z)))(jnp.array(1.0 + 2.0j))
    np.testing.assert_allclose(complex(g), 2.0 - 4.0j, rtol=1e-6)
    h = jax.grad(lambda z: z**2, holomorphic=True)(jnp.array(1.0 + 2.0j))
    np.testing.assert_allclose(complex(h), 2.0 + 4.0j, rtol=1e-6)
    with pytest.raises(TypeError, match="holomorphic"):
        jax.grad(lambda z: z**2)(jnp.array(1.0 + 2.0j))


def test_check_grads_on_composite_function():
    with jax.config.enable_x64(True):
        x = jnp.array([0.3, -1.2, 2.0])
        check_grads(lambda x: jnp.sum(jnp.tanh(x) * jnp.exp(x) / (1.0 + x**2)), (x,), order=3)


def test_python_control_flow_on_values_under_grad():
    def f(x):
        if x > 0:
            return x**2
        return -x

    assert float(jax.grad(f)(3.0)) == 6.0
    assert float(jax.grad(f)(-3.0)) == -1.0


def test_jvp_accepts_float0_tangents_and_tangents_take_the_primal_weak_type():
    t0 = np.zeros((), dtype=jax.dtypes.float0)
    out, t = jax.jvp(lambda x, n: x * n, (jnp.float32(2.0), 3), (jnp.float32(1.0), t0))
    assert float(out) == 6.0 and float(t) == 3.0
    # a weakly typed primal gives a weakly typed tangent, whatever the tangent's flag
    _, t = jax.jvp(lambda x: x**3, (2.0,), (jnp.float32(1.0),))
    assert float(t) == 12.0 and t.weak_type
    _, t = jax.jvp(lambda x: x**3, (jnp.float32(2.0),), (1.0,))
    assert not t.weak_type
    assert jax.jacfwd(lambda x: x**3)(2.0).weak_type
    assert not jax.jacfwd(lambda x: x * jnp.float32(2))(2.0).weak_type


def test_vjp_and_linearize_accept_float0_for_integer_parts():
    _, pull = jax.vjp(lambda x: (x * 2.0, jnp.round(x).astype(jnp.int32)), jnp.array([1.2, 2.7]))
    (g,) = pull((jnp.ones(2), np.zeros((2,), dtype=jax.dtypes.float0)))
    np.testing.assert_array_equal(np.asarray(g), [2.0, 2.0])
    _, f_jvp = jax.linearize(lambda x, n: x * n, jnp.float32(2.0), jnp.int32(3))
    assert float(f_jvp(jnp.float32(1.0), np.zeros((), dtype=jax.dtypes.float0))) == 3.0


def test_structure_and_argnums_errors_have_jax_classes():
    with pytest.raises(TypeError, match="tangents"):
        jax.jvp(lambda x, y: x + y, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="structure"):
        jax.jvp(lambda x: x, ({"a": 1.0},), ((1.0,),))
    with pytest.raises(ValueError, match="shape"):
        jax.jvp(lambda x: x, (jnp.ones(2),), (jnp.ones(3),))
    _, f_jvp = jax.linearize(lambda x: x * 2, jnp.ones(3))
    with pytest.raises(TypeError, match="structure"):
        f_jvp(jnp.ones(3), jnp.ones(3))
    with pytest.raises(TypeError, match="argnums"):  # an index past the last argument
        jax.grad(lambda x: x, argnums=1)(1.0)
    with pytest.raises(ValueError, match="argnums"):
        jax.grad(lambda x: x, argnums=-2)(1.0)
    with pytest.raises(ValueError, match="argnums"):
        jax.jacfwd(lambda x: x, argnums=2)(1.0)


def test_grad_is_seeded_with_the_output_weak_type():
    jaxpr = jax.make_jaxpr(jax.grad(lambda x: jnp.sin(x) * 2.0))(1.0)
    assert [e.primitive.name for e in jaxpr.jaxpr.eqns] == ["sin", "cos", "mul", "mul", "mul"]
    assert jaxpr.jaxpr.outvars[0].aval.weak_type
    assert jax.grad(lambda x: x * jnp.float32(3))(2.0).weak_type
