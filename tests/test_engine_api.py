"""named_call, named_scope, ensure_compile_time_eval, custom_gradient, closure_convert,
linear_call and the jax.custom_derivatives / jax.ad_checkpoint / jax.debug name lists."""
import json
import pathlib

import numpy as np
import pytest

import nablax as jax
import nablax.custom_derivatives as cd
import nablax.numpy as jnp
from nablax._src.array import Array
from nablax._src.transform_extras import current_name_stack

NAMES = json.loads((pathlib.Path(__file__).parent.parent / "tools" / "jax-0.10.2-public-names.json").read_text())["modules"]


@pytest.mark.parametrize("module, missing_ok", [
    ("jax.custom_derivatives", {"remat_opt_p"}),  # XLA's remat of custom_vjp forward passes: nothing to export
    ("jax.debug", set()),
])
def test_module_names_present(module, missing_ok):
    mod = {"jax.custom_derivatives": cd, "jax.debug": jax.debug}[module]
    assert sorted(set(NAMES[module]) - set(dir(mod)) - missing_ok) == []


def test_top_level_names():
    for name in ["pure_callback", "checkpoint_policies", "named_call", "named_scope", "ensure_compile_time_eval",
                 "custom_gradient", "closure_convert", "checkpoint", "remat"]:
        assert hasattr(jax, name), name
    assert sorted(n for n in dir(jax.ad_checkpoint) if not n.startswith("_")) == [
        "Offloadable", "Recompute", "Saveable", "checkpoint_name", "checkpoint_policies", "print_saved_residuals"]
    assert jax.experimental.io_callback is not None
    assert cd.custom_jvp_call_p.name == "custom_jvp_call" and cd.custom_vjp_call_p.name == "custom_vjp_call"


def test_named_call_and_named_scope_change_nothing_but_names():
    seen = []

    def f(x):
        seen.append(current_name_stack())
        return jnp.sin(x) * 2

    g = jax.named_call(f, name="block")
    assert str(jax.make_jaxpr(g)(1.0)) == str(jax.make_jaxpr(f)(1.0))
    with jax.named_scope("outer"):
        np.testing.assert_allclose(np.asarray(jax.grad(g)(0.5)), 2 * np.cos(0.5), rtol=1e-6)
        jax.named_call(f)(1.0)
    assert seen[-2:] == [("outer", "block"), ("outer", "f")]
    with pytest.raises(TypeError, match="must be a string"):
        with jax.named_scope(3):
            pass


def test_ensure_compile_time_eval_runs_constants_eagerly_inside_jit():
    @jax.jit
    def f(x):
        with jax.ensure_compile_time_eval():
            y = jnp.sin(2.0)
            assert type(y) is Array  # a concrete value: Python may branch on it
            z = x + 1  # still traced
            assert type(z) is not Array
            n = int(jnp.sum(jnp.arange(4)))
        return z * y * n

    np.testing.assert_allclose(np.asarray(f(1.0)), 2 * np.sin(2.0) * 6, rtol=1e-6)
    with jax.ensure_compile_time_eval():  # eagerly: no effect
        assert type(jnp.cos(0.0)) is Array


def test_custom_gradient():
    @jax.custom_gradient
    def f(x):
        return jnp.sin(x), lambda g: (g * 10 * x,)

    @jax.custom_gradient
    def h(x, y):
        return x * y, lambda g: (g * y, g * x * 3)

    @jax.custom_gradient
    def one(x):
        return x ** 2, lambda g: g * 7  # a bare cotangent for a function of one argument

    np.testing.assert_allclose(np.asarray(f(2.0)), np.sin(2.0), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.grad(f)(2.0)), 20.0)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(jax.grad(f)))(jnp.arange(3.0))), [0.0, 10.0, 20.0])
    gx, gy = jax.grad(h, argnums=(0, 1))(2.0, 3.0)
    assert (float(gx), float(gy)) == (3.0, 6.0)
    assert float(jax.grad(one)(5.0)) == 7.0


def test_closure_convert_hoists_traced_closures():
    def outer(x):
        def inner(y):
            return y * x

        converted, consts = jax.closure_convert(inner, 1.0)
        return converted(2.0, *consts), len(consts)

    value, n = outer(3.0)
    assert (float(value), n) == (6.0, 0)  # a concrete closure stays inside
    assert float(jax.grad(lambda x: outer(x)[0])(3.0)) == 2.0  # the traced x became an argument
    converted, _ = jax.closure_convert(lambda a, b: a + b, 1.0, 2.0)
    with pytest.raises(TypeError, match="same Pytree structure"):
        converted((1.0, 2.0))


def test_linear_call_uses_its_transpose():
    def fun(r, x):
        return x / r

    def fun_t(r, t):
        return t / r

    f = lambda x, r: cd.linear_call(fun, fun_t, r, x)  # noqa: E731
    assert float(f(6.0, 2.0)) == 3.0
    assert float(jax.grad(f)(6.0, 2.0)) == 0.5
    assert float(jax.jit(jax.grad(f))(6.0, 2.0)) == 0.5
    # a deliberately "wrong" transpose shows that it is the one used, and transposing twice gives fun back
    g = lambda x: cd.linear_call(fun, lambda r, t: 100 * t, 2.0, x)  # noqa: E731
    (ct,) = jax.linear_transpose(g, 1.0)(1.0)
    assert float(ct) == 100.0
    assert float(jax.linear_transpose(lambda c: jax.linear_transpose(g, 1.0)(c)[0], 1.0)(1.0)[0]) == 0.5
    np.testing.assert_allclose(np.asarray(jax.jvp(lambda x: f(x, 2.0), (6.0,), (1.0,))[1]), 0.5)
    with pytest.raises(NotImplementedError, match="Batching rule for 'linear_call'"):
        jax.vmap(f)(jnp.ones(2), jnp.ones(2))
    with pytest.raises(AssertionError, match="residual"):
        jax.jvp(f, (1.0, 2.0), (1.0, 1.0))
    with pytest.raises(TypeError, match="pytree structure must match"):
        jax.grad(lambda x: cd.linear_call(fun, lambda r, t: (t, t), 2.0, x))(1.0)


def test_custom_vjp_primal_tree_values_and_a_callback_in_custom_vjp():
    from nablax.custom_derivatives import CustomVJPPrimal
    tree = {"a": CustomVJPPrimal(1.0, True), "b": [CustomVJPPrimal(2.0, False), 3.0]}
    assert cd.custom_vjp_primal_tree_values(tree) == {"a": 1.0, "b": [2.0, 3.0]}

    @jax.custom_vjp
    def host_exp(x):
        return jax.pure_callback(np.exp, jax.ShapeDtypeStruct(x.shape, x.dtype), x)

    host_exp.defvjp(lambda x: (host_exp(x), host_exp(x)), lambda e, g: (g * e,))
    x = np.array([0.1, 0.2], np.float32)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(lambda v: jnp.sum(host_exp(v))))(x)), np.exp(x), rtol=1e-6)


def test_ad_checkpoint_checkpoint_was_removed_as_in_jax():
    with pytest.raises(AttributeError, match="removed in JAX v0.10.0; use jax.checkpoint instead"):
        jax.ad_checkpoint.checkpoint  # noqa: B018
