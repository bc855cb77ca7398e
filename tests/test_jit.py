"""jit: caching, composition, generated source, concretization errors (issue: jit)."""
import gc

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


def test_jit_matches_eager_and_caches():
    calls = []

    def f(x, y):
        calls.append(1)
        return jnp.sin(x) * y + 1.0

    jf = jax.jit(f)
    x = jnp.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(np.asarray(jf(x, 2.0)), np.asarray(f(x, 2.0)), rtol=1e-6)
    n = len(calls)
    jf(x, 3.0)
    jf(x + 1, 4.0)
    assert len(calls) == n  # same signature: no retrace
    jf(jnp.ones(4), 2.0)
    assert len(calls) == n + 1


def test_jit_composition():
    f = lambda x: jnp.sum(jnp.tanh(x) ** 2)  # noqa: E731
    x = jnp.array([0.5, -1.0, 2.0])
    g = np.asarray(jax.grad(f)(x))
    for h in (jax.jit(jax.grad(f)), jax.grad(jax.jit(f)), jax.jit(jax.jit(jax.grad(f)))):
        np.testing.assert_allclose(np.asarray(h(x)), g, rtol=1e-6)
    xs = jnp.stack([x, 2 * x])
    expected = np.stack([np.asarray(jax.grad(f)(r)) for r in xs])
    np.testing.assert_allclose(np.asarray(jax.vmap(jax.jit(jax.grad(f)))(xs)), expected, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(jax.grad(f)))(xs)), expected, rtol=1e-5)


def test_jit_pytrees_scalars_and_closures():
    w = jnp.array([1.0, 2.0])

    @jax.jit
    def f(params, scale):
        return {"out": params["a"] * w * scale, "n": 3}

    out = f({"a": jnp.array([1.0, 1.0])}, 2.0)
    np.testing.assert_array_equal(np.asarray(out["out"]), [2.0, 4.0])
    assert int(out["n"]) == 3


def test_static_argnums_and_unhashable_static_error():
    f = jax.jit(lambda x, n: x * n, static_argnums=1)
    assert float(f(2.0, 3)) == 6.0
    g = jax.jit(lambda x, shape: jnp.zeros(shape) + x, static_argnames="shape")
    assert g(1.0, shape=(2, 3)).shape == (2, 3)
    with pytest.raises(ValueError, match="hashable"):  # ValueError, as in JAX
        jax.jit(lambda x, s: x, static_argnums=1)(1.0, [1, 2])
    with pytest.raises(ValueError, match="hashable"):
        jax.jit(lambda x, s=None: x, static_argnames="s")(1.0, s={"a": 1})


def test_concretization_errors_name_the_operation_and_fix():
    for body, what in ((lambda x: 1.0 if x > 0 else 2.0, "bool"), (lambda x: int(x), "int"),
                       (lambda x: float(x), "float"), (lambda x: x.item(), "item")):
        with pytest.raises(jax.errors.ConcretizationTypeError, match=r"(?s)" + what + ".*static_argnums"):
            jax.jit(body)(1.0)
    with pytest.raises(jax.errors.TracerArrayConversionError, match="nablax.numpy"):
        jax.jit(lambda x: np.asarray(x))(1.0)


def test_lower_shows_readable_source_without_dead_code():
    def f(x):
        unused = jnp.exp(x)  # noqa: F841
        return jnp.sin(x) * 1.0 + jnp.sin(x)

    text = jax.jit(f).lower(jnp.ones(3)).as_text()
    assert "exp" not in text
    assert text.count("sin") == 1
    assert "* 1.0" not in text


def test_x64_flag_change_recompiles():
    f = jax.jit(lambda x: x * 2)
    assert f(1.0).dtype == np.float32
    with jax.config.enable_x64(True):
        assert f(1.0).dtype == np.float64
    assert f(1.0).dtype == np.float32


def test_cache_is_bounded_and_freed():
    import weakref

    f = jax.jit(lambda x: x + 1)
    for n in range(100):
        f(jnp.ones(n + 1))
    assert f._cache_size_now() <= 64
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None


def test_many_distinct_jitted_lambdas_do_not_accumulate():
    import tracemalloc

    def churn(k):
        for i in range(k):
            jax.jit(lambda x, i=i: x * i)(1.0)

    churn(200)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    churn(2000)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 100_000, grown  # bytes: nothing per discarded function survives


def test_eval_shape():
    out = jax.eval_shape(lambda x: {"y": x @ x.T}, jax.ShapeDtypeStruct((3, 4), jnp.float32))
    assert out["y"].shape == (3, 3) and out["y"].dtype == np.float32


def test_disable_jit_runs_python():
    seen = []

    def f(x):
        seen.append(type(x).__name__)
        return x * 2

    jf = jax.jit(f)
    with jax.disable_jit():
        assert float(jf(3.0)) == 6.0
    assert seen == ["float"]
    jf(3.0)
    assert seen[-1] != "float"


def test_large_arrays_reuse_dead_buffers_without_clobbering_views():
    n = 1 << 17

    def f(x):
        a = jnp.sin(x)
        v = a.reshape(2, -1)  # a view of a's buffer
        b = jnp.exp(a)  # a is dead after this, but v still aliases it
        return v.sum() + b.sum() + (jnp.cos(x) * 2.0 + 1.0).sum()

    x = jnp.linspace(0.0, 1.0, n)
    text = jax.jit(f).lower(x).as_text()
    assert "out=" in text
    np.testing.assert_allclose(float(jax.jit(f)(x)), float(f(x)), rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(x), np.linspace(0.0, 1.0, n, dtype=np.float32))


def test_bool_and_int_of_a_tracer_raise_the_specific_concretization_errors():
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.jit(lambda x: 1.0 if x > 0 else 0.0)(1.0)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.vmap(lambda x: 1.0 if x > 0 else 0.0)(jnp.ones(3))
    with pytest.raises(jax.errors.TracerIntegerConversionError):
        jax.jit(lambda x: jnp.ones(int(x)))(3)
    with pytest.raises(jax.errors.TracerIntegerConversionError):
        jax.jit(lambda x: list(range(x)))(3)
    with pytest.raises(jax.errors.ConcretizationTypeError) as info:  # float() keeps the base class
        jax.jit(lambda x: float(x))(1.0)
    assert type(info.value) is jax.errors.ConcretizationTypeError
    assert issubclass(jax.errors.TracerBoolConversionError, jax.errors.ConcretizationTypeError)


def test_nested_jit_prints_as_jit_in_jaxprs():
    closed = jax.make_jaxpr(lambda x: jax.jit(jnp.sin)(x))(1.0)
    assert [e.primitive.name for e in closed.jaxpr.eqns] == ["jit"]
    assert "= jit[" in str(closed)


def test_shape_dtype_struct_carries_the_weak_type():
    s = jax.eval_shape(lambda x: x * 2, 1.0)
    assert s.weak_type and repr(s) == "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    assert s != jax.ShapeDtypeStruct((), jnp.float32)
    assert repr(jax.ShapeDtypeStruct((2, 3), jnp.int32)) == "ShapeDtypeStruct(shape=(2, 3), dtype=int32)"
    _, shape = jax.make_jaxpr(lambda x: x, return_shape=True)(1.0)
    assert shape.weak_type
