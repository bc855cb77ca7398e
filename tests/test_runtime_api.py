"""Top-level runtime names: devices and transfers, typeof/jacobian, caches, the config states,
jit's logging/explanations/no_tracing, and the trace/lower/compile stages."""
import logging
import pickle

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.dtypes import TypePromotionError


def test_one_cpu_device():
    (d,) = nablax.devices()
    assert repr(d) == "CpuDevice(id=0)" and str(d) == "cpu:0"
    assert (d.id, d.platform, d.device_kind, d.process_index) == (0, "cpu", "cpu", 0)
    assert isinstance(d, nablax.Device) and nablax.Device() is d and pickle.loads(pickle.dumps(d)) is d
    assert nablax.devices("cpu") == nablax.local_devices() == [d]
    assert nablax.device_count() == nablax.local_device_count() == 1
    assert nablax.default_backend() == "cpu"
    assert (nablax.process_index(), nablax.process_count(), nablax.host_id(), nablax.host_count()) == (0, 1, 0, 1)
    assert nablax.process_indices() == nablax.host_ids() == [0]
    with pytest.raises(RuntimeError, match="backend"):
        nablax.devices("gpu")
    with pytest.raises(ValueError, match="process_index"):
        nablax.local_devices(process_index=1)


def test_device_put_and_get():
    a = np.arange(3.0)
    out = nablax.device_put({"a": a, "s": 2.0, "i": 1}, nablax.devices()[0])
    assert out["a"].dtype == np.float32 and out["s"].weak_type and out["i"].dtype == np.int32
    a[0] = 9.0  # the Array was copied in
    assert float(out["a"][0]) == 0.0
    x = jnp.ones(2)
    assert nablax.device_put(x, x.sharding, donate=True, may_alias=False) is x
    with pytest.raises(ValueError, match="device_put"):
        nablax.device_put(x, "gpu")
    got = nablax.device_get({"x": x, "n": 3})
    assert type(got["x"]) is np.ndarray and got["n"] == 3
    np.testing.assert_array_equal(got["x"], [1.0, 1.0])
    assert nablax.block_until_ready((x, [x])) == (x, [x])
    assert nablax.copy_to_host_async(x) is x
    assert nablax.effects_barrier() is None
    # device_put under jit passes tracers through
    assert float(nablax.jit(lambda v: nablax.device_put(v) * 2)(3.0)) == 6.0


def test_typeof_and_jacobian():
    assert str(nablax.typeof(jnp.ones((2, 3)))) == "float32[2,3]"
    assert str(nablax.typeof(1.0)) == "~float32[]"
    assert repr(nablax.typeof(jnp.int32(1))) == "ShapedArray(int32[])"
    seen = []
    nablax.jit(lambda v: seen.append(str(nablax.typeof(v))) or v)(jnp.zeros(4))
    assert seen == ["float32[4]"]
    f = lambda x: jnp.sin(x) * x[0]  # noqa: E731
    x = jnp.array([0.5, 1.5])
    np.testing.assert_allclose(nablax.jacobian(f)(x), nablax.jacfwd(f)(x), rtol=1e-6)
    assert nablax.float0 == np.dtype([("float0", np.void, 0)])


def test_make_array_from_callback_and_live_arrays():
    indices = []
    data = np.arange(6.0).reshape(2, 3)
    out = nablax.make_array_from_callback((2, 3), jnp.ones(1).sharding, lambda idx: indices.append(idx) or data[idx])
    np.testing.assert_array_equal(out, data)
    assert indices == [(slice(None), slice(None))]
    with pytest.raises(ValueError, match="shape"):
        nablax.make_array_from_callback((3,), None, lambda idx: np.ones(2))
    x = jnp.ones(2)
    assert nablax.make_array_from_single_device_arrays((2,), x.sharding, [x]) is x
    with pytest.raises(ValueError, match="shard shape"):
        nablax.make_array_from_single_device_arrays((3,), x.sharding, [x])
    with pytest.raises(ValueError, match="Expected 1"):
        nablax.make_array_from_single_device_arrays((2,), x.sharding, [x, x])
    assert isinstance(x.addressable_shards[0], nablax.Shard)
    keep = jnp.full(5, 7.0)
    assert any(a is keep for a in nablax.live_arrays())


def test_clear_caches_retraces():
    traces = []

    def f(x):
        traces.append(1)
        return x + 1

    g = nablax.jit(f)
    g(1.0)
    g(1.0)
    nablax.clear_caches()
    g(1.0)
    assert len(traces) == 2


def test_log_compiles_and_cache_misses(caplog):
    def square(x):
        return x * x

    g = nablax.jit(square)
    with caplog.at_level(logging.WARNING, logger="nablax.jit"):
        with nablax.log_compiles(True):
            g(jnp.ones(3))
            g(jnp.ones(3))  # a hit: nothing logged
        assert len(caplog.records) == 1 and "jit(square)" in caplog.text and "float32[3]" in caplog.text
        caplog.clear()
        with nablax.explain_cache_misses(True):
            g(jnp.ones(4, jnp.int32))
        assert "TRACING CACHE MISS" in caplog.text and "now i32[4] and before f32[3]" in caplog.text
    assert not nablax.log_compiles.value


def test_no_tracing():
    g = nablax.jit(lambda x: x - 1)
    g(1.0)
    with nablax.no_tracing(True):
        assert float(g(2.0)) == 1.0  # cached: fine
        with pytest.raises(RuntimeError, match="no_tracing"):
            g(jnp.ones(2))
        assert issubclass(nablax.errors.JaxRuntimeError, RuntimeError)


def test_config_states():
    assert nablax.numpy_rank_promotion.value == "allow"
    with nablax.numpy_rank_promotion("raise"):
        assert nablax.config.jax_numpy_rank_promotion == "raise"
    assert nablax.config.jax_numpy_rank_promotion == "allow"
    with pytest.raises(ValueError, match="enum value must be in"):
        nablax.numpy_rank_promotion("bogus")
    with nablax.enable_x64():
        assert jnp.ones(1).dtype == np.float64
    assert jnp.ones(1).dtype == np.float32
    with nablax.checking_leaks():
        assert nablax.check_tracer_leaks.value is True
    with nablax.default_matmul_precision("highest"), nablax.default_prng_impl("rbg"):
        assert nablax.config.jax_default_matmul_precision == "highest"
        assert nablax.default_prng_impl.value == "rbg"
    with nablax.transfer_guard("disallow"):
        assert nablax.transfer_guard_host_to_device.value == "disallow"
        assert nablax.transfer_guard_device_to_host.value == "disallow"
    assert nablax.transfer_guard_device_to_device.value is None
    with nablax.default_device(nablax.devices()[0]):
        assert nablax.default_device.value is nablax.devices()[0]
    with pytest.raises(ValueError, match="default_device"):
        nablax.default_device(3)
    with nablax.enable_checks(False):
        assert nablax.config.read("nablax_check_jaxprs") is False  # the same flag as the Jaxpr checker's
    for st in (nablax.debug_key_reuse, nablax.enable_checks, nablax.enable_custom_prng, nablax.softmax_custom_jvp,
               nablax.no_execution, nablax.thread_guard, nablax.jax2tf_associative_scan_reductions):
        with st(True):
            assert st.value is True
    assert nablax.threefry_partitionable.value and nablax.allow_f16_reductions.value
    assert nablax.legacy_prng_key.value == "allow" and nablax.array_garbage_collection_guard.value is None


def test_strict_dtype_promotion():
    f32, i32 = jnp.ones(2, jnp.float32), jnp.ones(2, jnp.int32)
    with nablax.numpy_dtype_promotion("strict"):
        assert (f32 + 1.0).dtype == np.float32 and (i32 + 1).dtype == np.int32 and (f32 + 1).dtype == np.float32
        for a, b in [(f32, i32), (i32, 1.0), (f32, jnp.ones(2, jnp.float16)), (f32, 1j)]:
            with pytest.raises(TypePromotionError, match="strict"):
                a + b
            with pytest.raises(TypePromotionError):
                nablax.jit(lambda u, v: u + v)(a, b)
        with pytest.raises(ValueError):  # TypePromotionError is a ValueError, as JAX's
            jnp.promote_types("float32", "int32")
    assert (f32 + i32).dtype == np.float32
    assert nablax.jit(lambda u, v: u + v)(f32, i32).dtype == np.float32


def test_stages():
    f = nablax.jit(lambda x, y=2.0: x * y)
    traced = f.trace(jnp.ones(3), y=3.0)
    assert traced.fun_name == "<lambda>"
    assert str(traced.jaxpr) == "{ lambda ; a:f32[3] b:f32[]. let c:f32[3] = mul a b in (c,) }"
    assert traced.out_info.shape == (3,) and traced.out_info.dtype == np.float32
    (pos,), kw = traced.args_info
    assert pos.shape == (3,) and not pos.donated
    assert repr(kw["y"]) == "ArgInfo(_aval=ShapedArray(float32[], weak_type=True), donated=False)"
    lowered = traced.lower()
    assert "def jitted(" in lowered.as_text() and lowered.cost_analysis() is None
    compiled = lowered.compile()
    np.testing.assert_array_equal(compiled(jnp.ones(3), y=3.0), [3.0, 3.0, 3.0])
    with pytest.raises(TypeError, match="now f32\\[4\\] and before f32\\[3\\]"):
        compiled(jnp.ones(4), y=3.0)
    assert isinstance(f, nablax.stages.Wrapped) and isinstance(compiled, nablax.stages.Compiled)
    with pytest.raises(ValueError, match="dialect"):
        lowered.as_text("stablehlo")


def test_print_environment_info(capsys):
    text = nablax.print_environment_info(return_string=True)
    assert text.startswith(f"nablax: {nablax.__version__}\nnumpy:  {np.__version__}")
    assert nablax.print_environment_info() is None and capsys.readouterr().out == text
