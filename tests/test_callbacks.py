"""pure_callback and experimental.io_callback: eager, jit (the compiled code calls them), vmap
methods, result checks, effects (io_callback is never dropped, runs in order) and the
errors JAX raises under differentiation."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax.experimental import io_callback
from nablax.test_util import check_grads

F32 = jax.ShapeDtypeStruct((), jnp.float32)
X = np.array([0.5, -1.0, 2.0], np.float32)


def _sin_struct(x):
    return jax.ShapeDtypeStruct(x.shape, x.dtype)


def test_pure_callback_eager_and_jit_give_numpy_values():
    f = lambda x: jax.pure_callback(np.sin, _sin_struct(x), x) * 2  # noqa: E731
    for g in (f, jax.jit(f)):
        out = g(X)
        assert out.dtype == jnp.float32 and out.shape == (3,)
        np.testing.assert_allclose(np.asarray(out), 2 * np.sin(X), rtol=1e-6)
    assert "_pure_callback" in jax.jit(f).lower(X).as_text()  # the generated code calls the function


def test_pure_callback_sees_arrays_and_pytrees():
    seen = []

    def cb(a, b, *, scale):
        seen.append((type(a).__name__, np.shape(a), np.shape(b["y"])))
        return {"s": np.asarray(a) * scale, "t": [np.asarray(b["y"]).sum()]}

    out = jax.jit(lambda x: jax.pure_callback(cb, {"s": _sin_struct(x), "t": [F32]}, x, {"y": x}, scale=3.0))(X)
    np.testing.assert_allclose(np.asarray(out["s"]), 3 * X)
    np.testing.assert_allclose(np.asarray(out["t"][0]), X.sum(), rtol=1e-6)
    assert seen == [("Array", (3,), (3,))]


def test_result_mismatch_is_a_runtime_error_eager_and_jit():
    bad_shape = lambda x: jax.pure_callback(lambda v: np.zeros(4, np.float32), _sin_struct(x), x)  # noqa: E731
    for g in (bad_shape, jax.jit(bad_shape)):
        with pytest.raises(RuntimeError, match=r"Incorrect output shape for return value #0: Expected: \(3,\), "
                                               r"Actual: \(4,\)"):
            g(X)
    with pytest.raises(RuntimeError, match="Incorrect output dtype for return value #0: Expected: float32, Actual: int32"):
        jax.pure_callback(lambda v: 1, F32, 1.0)
    # float64 results are made float32 (x64 off), as JAX does
    assert jax.pure_callback(lambda v: np.float64(2.5), F32, 1.0).dtype == jnp.float32
    with pytest.raises(ValueError, match="64-bit types"):
        jax.pure_callback(lambda v: v, jax.ShapeDtypeStruct((), np.float64), 1.0)
    with pytest.raises(ValueError, match="allowed methods"):
        jax.pure_callback(np.sin, F32, 1.0, vmap_method="loop")


@pytest.mark.parametrize("method, shapes", [
    ("sequential", [((), ())] * 3), ("sequential_unrolled", [((), ())] * 3),
    ("expand_dims", [((3,), (1,))]), ("broadcast_all", [((3,), (3,))]), ("legacy_vectorized", [((3,), ())]),
])
def test_vmap_methods_call_the_function_as_jax_does(method, shapes):
    seen = []

    def cb(a, b):
        seen.append((np.shape(a), np.shape(b)))
        return np.asarray(a) + np.asarray(b)

    f = jax.vmap(lambda x, y: jax.pure_callback(cb, F32, x, y, vmap_method=method), in_axes=(0, None))
    np.testing.assert_allclose(np.asarray(f(X, np.float32(2.0))), X + 2)
    assert seen == shapes
    seen.clear()
    np.testing.assert_allclose(np.asarray(jax.jit(f)(X, np.float32(2.0))), X + 2)
    assert seen == shapes


def test_vmap_without_method_and_grad_raise_as_jax():
    with pytest.raises(NotImplementedError, match="Got vmap_method=None"):
        jax.vmap(lambda x: jax.pure_callback(np.sin, F32, x))(X)
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        jax.grad(lambda x: jax.pure_callback(np.sin, F32, x))(1.0)


def test_pure_callback_inside_custom_jvp_is_differentiable():
    @jax.custom_jvp
    def host_sin(x):
        return jax.pure_callback(np.sin, _sin_struct(x), x, vmap_method="sequential")

    @host_sin.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return host_sin(x), jnp.cos(x) * t

    check_grads(host_sin, (X,), order=1, modes=("fwd", "rev"))
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(jax.grad(host_sin)))(X)), np.cos(X), rtol=1e-6)


def test_unused_pure_callback_is_dropped_by_jit_but_io_callback_is_not():
    calls = []

    def record(v):
        calls.append(np.asarray(v).copy())
        return v

    jax.jit(lambda x: (jax.pure_callback(record, _sin_struct(x), x), x + 1)[1])(X)
    assert calls == []
    out = jax.jit(lambda x: (io_callback(record, _sin_struct(x), x), x + 1)[1])(X)
    np.testing.assert_allclose(np.asarray(out), X + 1)
    assert len(calls) == 1 and np.array_equal(calls[0], X)


def test_io_callback_runs_in_program_order_and_is_not_merged():
    log = []

    def note(tag):
        def cb(v):
            log.append((tag, float(v)))
        return cb

    @jax.jit
    def f(x):
        io_callback(note("a"), None, x, ordered=True)
        io_callback(note("a"), None, x, ordered=True)  # identical: must not be merged
        io_callback(note("b"), None, x * 2)
        return x

    f(1.5)
    f(2.0)
    assert log == [("a", 1.5), ("a", 1.5), ("b", 3.0), ("a", 2.0), ("a", 2.0), ("b", 4.0)]


def test_io_callback_vmap_and_grad():
    seen = []
    cb = lambda v: seen.append(np.shape(v)) or np.asarray(v) * 2  # noqa: E731
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda x: io_callback(cb, F32, x))(X)), 2 * X)
    assert seen == [(), (), ()]
    with pytest.raises(ValueError, match="Cannot `vmap` ordered IO callback"):
        jax.vmap(lambda x: io_callback(cb, F32, x, ordered=True))(X)
    with pytest.raises(ValueError, match="IO callbacks do not support JVP"):
        jax.grad(lambda x: io_callback(cb, F32, x))(1.0)


def test_sharding_other_than_none_is_refused():
    with pytest.raises(NotImplementedError, match="sharding=None"):
        jax.pure_callback(np.sin, F32, 1.0, sharding=object())


def test_effects_barrier_after_effects(capsys):
    jax.jit(lambda x: jax.debug.print("{}", x))(1.0)
    assert jax.effects_barrier() is None
    assert capsys.readouterr().out == "1.0\n"  # already printed: effects are synchronous
