"""The eager fast paths of issue 15 behave exactly as the general paths they shortcut:
cached Python-scalar avals, BatchTracer's cached aval, the garbage collector paused while
staging, grad/vmap argument handling that renders key paths only for an error, and the
per-primitive paths under grad (binary abstract eval and JVP, staging, the backward pass)."""
import gc

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax._src.array import Array, get_aval, python_scalar_aval
from nablax._src.avals import ShapedArray
from nablax._src.core import eager_args, gc_paused
from nablax._src.primitives.elementwise import add_p, lt_p, mul_p

# ------------------------------------------------------------------ Python-scalar avals

def test_python_scalar_avals_follow_type_and_x64(x64):
    assert python_scalar_aval(1.5).dtype == np.float64 and python_scalar_aval(1.5).weak_type
    assert python_scalar_aval(2).dtype == np.int64
    assert python_scalar_aval(1j).dtype == np.complex128
    jax.config.update("jax_enable_x64", False)  # the cache is keyed by the flag, not filled once
    assert python_scalar_aval(1.5).dtype == np.float32 and python_scalar_aval(1.5).weak_type
    assert python_scalar_aval(2).dtype == np.int32
    b = python_scalar_aval(True)
    assert b.dtype == np.bool_ and not b.weak_type


def test_python_scalar_aval_of_a_subclass():
    class MyFloat(float):
        pass

    aval = get_aval(MyFloat(2.0))
    assert aval.dtype == np.float32 and aval.weak_type
    assert jax.grad(lambda x: x * x)(MyFloat(3.0)) == 6.0


def test_grad_of_python_scalars_under_x64(x64):
    g = jax.grad(lambda x: x**3 + 2 * x)(2.0)
    assert g.dtype == np.float64 and g.weak_type and float(g) == 14.0


# ------------------------------------------------------------------ BatchTracer aval

def test_batch_tracer_aval_is_computed_once_and_is_per_example():
    seen = []

    def f(x):
        seen.append((x.aval is x.aval, x.shape, x.dtype, x.weak_type))
        return x.sum()

    out = jax.vmap(f, in_axes=1)(jnp.ones((2, 5, 3)))
    assert out.shape == (5,)
    assert seen == [(True, (2, 3), np.dtype(np.float32), False)]


# ------------------------------------------------------------------ gc paused while staging

def test_gc_paused_restores_and_nests():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer pause alone
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_staging_pauses_gc_and_restores_it_on_errors():
    states = []

    def f(x):
        states.append(gc.isenabled())
        return jnp.sin(x)

    jax.make_jaxpr(f)(1.0)
    assert states == [False] and gc.isenabled()

    def bad(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        jax.make_jaxpr(bad)(1.0)
    assert gc.isenabled()


# ------------------------------------------------------------------ grad argument handling

def test_grad_fast_path_values():
    assert float(jax.grad(lambda x: x**3)(2.0)) == 12.0
    g = jax.grad(lambda d: d["a"] * d["b"][0])({"a": 3.0, "b": [jnp.float32(2.0)]})
    assert float(g["a"]) == 2.0 and float(g["b"][0]) == 3.0
    v, g = jax.value_and_grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 5.0)
    assert (float(v), float(g[0]), float(g[1])) == (10.0, 5.0, 2.0)
    g = jax.grad(lambda x: x * 2, allow_int=True)(np.float32(3.0))
    assert float(g) == 2.0
    assert complex(jax.grad(lambda z: z * z, holomorphic=True)(1.0 + 1.0j)) == 2.0 + 2.0j


@pytest.mark.parametrize("call, exc, text", [
    (lambda: jax.grad(lambda d: d["a"] * d["b"])({"a": 1.0, "b": 2}), TypeError,
     "argument [0]['b'] has dtype int32"),
    (lambda: jax.grad(lambda d: d["a"])({"a": 1.0, "b": "x"}), TypeError,
     "argument [0]['b'] of type str is not a valid array type"),
    (lambda: jax.grad(lambda x, y: x * y, argnums=1)(1.0, 2), TypeError, "argument [0] has dtype int32"),
    (lambda: jax.grad(lambda x: x, holomorphic=True)(1.0), TypeError, "requires complex inputs"),
    (lambda: jax.grad(lambda x: x)(True), TypeError, "argument [0] has dtype bool"),
    (lambda: jax.grad(lambda x: x, argnums=3)(1.0), TypeError, "argnums=3 needs at least 4"),
    (lambda: jax.grad(lambda x: (x, x))(1.0), TypeError, "2 values with shapes [(), ()]"),
    (lambda: jax.grad(lambda x: x)(jax.new_ref(1.0)), ValueError, "mutable array reference"),
])
def test_grad_errors_name_the_argument(call, exc, text):
    with pytest.raises(exc) as info:
        call()
    assert text in str(info.value)


# ------------------------------------------------------------------ vmap argument handling

def test_vmap_fast_path_values_match_the_general_path():
    a, b = jnp.arange(6.0).reshape(2, 3), jnp.arange(6.0).reshape(3, 2)
    flat = jax.vmap(lambda x, y: x * y, in_axes=(1, 0))(a, b)
    nested = jax.vmap(lambda p: p[0] * p[1], in_axes=((1, 0),))((a, b))
    np.testing.assert_array_equal(np.asarray(flat), np.asarray(nested))
    np.testing.assert_array_equal(np.asarray(flat), np.asarray(a).T * np.asarray(b))
    neg = jax.vmap(lambda x, y: x * y, in_axes=(-1, 0))(a, b)  # negative axes normalized
    np.testing.assert_array_equal(np.asarray(neg), np.asarray(flat))
    out = jax.vmap(lambda x, s: x * s, in_axes=(0, None), out_axes=1)(a, 2.0)
    np.testing.assert_array_equal(np.asarray(out), 2 * np.asarray(a).T)
    x, c = jax.vmap(lambda x: (x, 1.0), out_axes=(0, None))(a)
    assert x.shape == (2, 3) and float(c) == 1.0


@pytest.mark.parametrize("call, exc, text", [
    (lambda a: jax.vmap(lambda x, y: x + y)(a, jnp.ones((3, 3))), ValueError,
     "argument args[0] has size 2 along its mapped axis\n  argument args[1] has size 3"),
    (lambda a: jax.vmap(lambda x, y: x + y, in_axes=(0, 2))(a, a), ValueError,
     "in_axes=2 is out of range for argument args[1] of rank 2"),
    (lambda a: jax.vmap(lambda x, y: x + y, in_axes=(0, 0))(a, 1.0), ValueError,
     "in_axes=0 is out of range for argument args[1] of rank 0"),
    (lambda a: jax.vmap(lambda x, y: x + y, in_axes=(0, "a"))(a, a), TypeError,
     "got 'a' for argument args[1]"),
    (lambda a: jax.vmap(lambda x, y: x + y["k"])(a, {"k": jnp.ones((3, 3))}), ValueError,
     "argument args[1]['k'] has size 3"),
    (lambda a: jax.vmap(lambda x, y: x, in_axes=(0, None))(a, "s"), TypeError,
     "argument args[1] of type str"),
    (lambda a: jax.vmap(lambda x: x, out_axes=None)(a), ValueError, "out_axes is None for an output"),
    (lambda a: jax.vmap(lambda x: x.sum(), out_axes=1)(a), ValueError, "out_axes=1 is out of range"),
    (lambda a: jax.vmap(lambda x: "s")(a), TypeError, "output of vmap(<lambda>)"),
    (lambda a: jax.vmap(lambda x: x, in_axes=None)(a), ValueError, "at least one argument with a mapped axis"),
])
def test_vmap_errors_name_the_argument(call, exc, text):
    with pytest.raises(exc) as info:
        call(jnp.ones((2, 3)))
    assert text in str(info.value)


# ------------------------------------------------------------------ per-primitive paths under grad

F32 = np.dtype(np.float32)


def test_binary_abstract_eval_shares_the_operand_aval_it_equals():
    vec, weak, strong = ShapedArray((3,), F32), ShapedArray((), F32, True), ShapedArray((), F32)
    assert add_p.abstract_eval(vec, weak) is vec
    assert add_p.abstract_eval(weak, vec) is vec
    assert mul_p.abstract_eval(weak, weak) is weak
    assert mul_p.abstract_eval(weak, strong) is strong  # weak only if both are
    out = add_p.abstract_eval(ShapedArray((3, 1), F32), ShapedArray((1, 4), F32))
    assert (out.shape, out.dtype, out.weak_type) == ((3, 4), F32, False)
    out = lt_p.abstract_eval(vec, vec)  # a changed dtype is a new aval
    assert (out.shape, out.dtype) == ((3,), np.dtype(bool))


@pytest.mark.parametrize("call, exc, text", [
    (lambda: jax.grad(lambda x: jax.lax.add(x, jnp.ones(3, jnp.int32)).sum())(jnp.ones(3)), TypeError,
     "lax.add requires arguments to have the same dtypes, got float32, int32"),
    (lambda: jax.grad(lambda x: jax.lax.mul(x, jnp.ones(4)).sum())(jnp.ones(3)), TypeError,
     "lax.mul got incompatible shapes for broadcasting: (3,), (4,)"),
    (lambda: jax.make_jaxpr(lambda x: jax.lax.add(x, x))(jnp.ones(3, bool)), TypeError,
     "lax.add does not accept dtype bool; it needs a numeric dtype"),
    (lambda: jax.make_jaxpr(lambda x: jax.lax.atan2(x, x))(jnp.ones(3, jnp.int32)), TypeError,
     "lax.atan2 does not accept dtype int32; it needs a floating-point dtype"),
])
def test_binary_abstract_eval_errors_outside_the_common_case(call, exc, text):
    with pytest.raises(exc) as e:
        call()
    assert text in str(e.value)


def test_binary_jvp_terms_one_side_both_sides_and_broadcast():
    x, t = jnp.arange(3.0), jnp.full(3, 0.5)
    y, ty = jax.jvp(lambda a: a * 2.0, (x,), (t,))  # one nonzero term
    np.testing.assert_array_equal(ty, [1.0, 1.0, 1.0])
    y, ty = jax.jvp(lambda a, b: a * b, (x, jnp.float32(3.0)), (t, jnp.float32(2.0)))  # both; rhs broadcast
    np.testing.assert_array_equal(ty, 0.5 * 3.0 + np.arange(3.0) * 2.0)
    y, ty = jax.jvp(lambda s: s + x, (jnp.float32(1.0),), (jnp.float32(4.0),))  # a scalar term broadcast
    assert ty.shape == (3,)
    np.testing.assert_array_equal(ty, [4.0, 4.0, 4.0])
    y, ty = jax.jvp(lambda a: jax.lax.stop_gradient(a) * x, (x,), (t,))  # no nonzero term
    np.testing.assert_array_equal(ty, np.zeros(3))


def test_tracer_shapes_and_dtypes_are_their_avals():
    seen = []

    def f(x):
        y = x * 2.0
        z = jnp.sum(y[:, None] * x, axis=1)
        seen.extend([((v.shape, v.dtype), (v.aval.shape, v.aval.dtype)) for v in (x, y, z)])
        return z.sum()

    jax.make_jaxpr(f)(jnp.ones(3))
    jax.grad(f)(jnp.ones(3))
    jax.jvp(f, (jnp.ones(3, jnp.float16),), (jnp.ones(3, jnp.float16),))
    assert len(seen) == 9 and all(a == b for a, b in seen)
    assert seen[0] == (((3,), F32), ((3,), F32)) and seen[-1][0] == ((3,), np.dtype(np.float16))


def test_grad_residuals_are_concrete_and_values_match():
    y, f_jvp = jax.linearize(lambda x: jnp.sin(x) * 3.0, 0.5)
    assert all(type(leaf) is Array for leaf in jax.tree_util.tree_leaves(f_jvp))
    np.testing.assert_allclose(f_jvp(1.0), 3.0 * np.cos(np.float32(0.5)), rtol=1e-6)


def test_backward_pass_sums_fan_out_and_skips_zero_cotangents():
    x = jnp.arange(3.0)
    np.testing.assert_array_equal(jax.grad(lambda a: (a * a + a).sum())(x), 2 * np.arange(3.0) + 1)
    _, pull = jax.vjp(lambda a: (a * 2.0, a * 3.0), x)
    (g,) = pull((jnp.ones(3), jnp.zeros(3)))
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(jax.hessian(lambda a: (a ** 3).sum())(x), np.diag(6 * np.arange(3.0)))
    assert float(jax.grad(jax.grad(jax.grad(jax.grad(lambda a: a ** 4 + a ** 3))))(1.0)) == 24.0


def test_eager_args_converts_python_scalars():
    arrays, values = eager_args((1.0, jnp.ones(2)))
    assert [type(a) for a in arrays] == [Array, Array] and arrays[0].weak_type
    assert [v.shape for v in values] == [(), (2,)]
    assert float(jax.lax.select_n(True, 1.0, 2.0)) == 2.0


def test_dot_general_output_avals_are_cached_and_errors_still_raise():
    from nablax._src.avals import ShapedArray
    from nablax._src.primitives import linalg

    a, b = ShapedArray((3, 4), np.dtype(np.float32), False), ShapedArray((4, 5), np.dtype(np.float32), True)
    dims = (((1,), (0,)), ((), ()))
    first = linalg._dot_general_abstract(a, b, dimension_numbers=dims, preferred_element_type=None)
    again = linalg._dot_general_abstract(a, b, dimension_numbers=dims, preferred_element_type=None)
    assert again is first and first.shape == (3, 5) and not first.weak_type
    listed = linalg._dot_general_abstract(a, b, dimension_numbers=[[[1], [0]], [[], []]], preferred_element_type=None)
    assert listed.shape == (3, 5)
    bad = ShapedArray((6, 5), np.dtype(np.float32), False)
    for _ in range(2):
        with pytest.raises(TypeError):
            linalg._dot_general_abstract(a, bad, dimension_numbers=dims, preferred_element_type=None)
