"""Foundation: Array behaviour, dtypes at the API, make_jaxpr printing, errors, threads."""
import pickle
import threading

import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


def test_dot_prints_like_jax_and_x64():
    out = jnp.dot(jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 2.0, 3.0]))
    assert repr(out) == "Array(14., dtype=float32)"
    with jax.config.enable_x64(True):
        out64 = jnp.dot(jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 2.0, 3.0]))
        assert out64.dtype == np.float64
        assert repr(out64) == "Array(14., dtype=float64)"


def test_config_update_switches_x64_and_back():
    jax.config.update("jax_enable_x64", True)
    try:
        assert jnp.array(1.0).dtype == np.float64
    finally:
        jax.config.update("jax_enable_x64", False)
    assert jnp.array(1.0).dtype == np.float32


def test_array_repr_forms():
    assert repr(jnp.array([1.0, 2.0, 3.0])) == "Array([1., 2., 3.], dtype=float32)"
    assert repr(jnp.array([1, 2])) == "Array([1, 2], dtype=int32)"
    assert repr(jnp.array([True, False])) == "Array([ True, False], dtype=bool)"
    assert str(jnp.array([1.0, 2.0])) == "[1. 2.]"


def test_make_jaxpr_prints_sin_and_mul():
    text = str(jax.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(jnp.ones(3)))
    assert "sin" in text and "mul" in text and "f32[3]" in text
    assert text.splitlines()[0] == "{ lambda ; a:f32[3]. let"


def test_weak_types():
    x = jnp.ones(3, dtype=jnp.float32)
    assert (x * 2.0).dtype == np.float32
    assert (jnp.ones(3, dtype=jnp.int32) * 2).dtype == np.int32
    assert (jnp.ones(3, dtype=jnp.int32) * 2.0).dtype == np.float32
    assert (jnp.ones(3, dtype=jnp.float16) + 1.0).dtype == np.float16
    assert jnp.promote_types(jnp.int8, jnp.uint8) == np.int16
    assert jnp.result_type(jnp.float32, 1.0) == np.float32


def test_clear_errors_for_bad_input():
    with pytest.raises(TypeError, match=r"add.*str"):
        jnp.add("a", 1)
    with pytest.raises(TypeError, match=r"\(3,\).*\(4,\)"):  # a TypeError, as in JAX (same rank)
        jnp.ones(3) + jnp.ones(4)
    with pytest.raises(TypeError, match="bogus"):
        jnp.sum(jnp.ones(3), bogus=1)
    with pytest.raises(TypeError, match="at"):
        x = jnp.ones(3)
        x[0] = 1.0


def test_array_protocols():
    x = jnp.array([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2) and x.ndim == 2 and x.size == 4 and x.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(x.T), [[1.0, 3.0], [2.0, 4.0]])
    view = np.asarray(x)
    assert not view.flags.writeable
    assert len(x) == 2 and [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert float(x[1, 1]) == 4.0 and int(jnp.array(3)) == 3 and bool(jnp.array(True))
    assert x.sum().item() == 10.0
    y = pickle.loads(pickle.dumps(x))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    with pytest.raises(TypeError):
        hash(x)
    assert x.block_until_ready() is x
    np.testing.assert_array_equal(np.asarray(x.at[0, 1].set(9.0)), [[1.0, 9.0], [3.0, 4.0]])
    assert (x @ x).shape == (2, 2)
    assert x.astype(jnp.int32).dtype == np.int32


def test_threads_trace_independently():
    errors = []

    def worker(seed):
        try:
            for _ in range(50):
                v = float(jax.grad(lambda x: x**3 * seed)(2.0))
                assert v == 12.0 * seed
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (1.0, 2.0, 3.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_eval_jaxpr_roundtrip():
    closed = jax.make_jaxpr(lambda x, y: jnp.sin(x) * y + x)(1.0, 2.0)
    from nablax._src.ir import eval_jaxpr

    (out,) = eval_jaxpr(closed.jaxpr, closed.consts, jnp.array(1.0), jnp.array(2.0))
    np.testing.assert_allclose(float(out), np.sin(1.0) * 2.0 + 1.0, rtol=1e-6)


def test_aval_str_and_repr_match_jax():
    aval = jax.make_jaxpr(lambda x: x)(1.0).out_avals[0]
    assert repr(aval) == "ShapedArray(float32[], weak_type=True)"
    assert str(jnp.ones((2, 3)).aval) == "float32[2,3]"
