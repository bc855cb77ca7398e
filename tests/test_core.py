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
    # JAX 0.10.2 prints a jaxpr that fits in 80 columns on one line.
    assert text == "{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b 2.0:f32[] in (c,) }"


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


# ------------------------------------------------------------------ jax_debug_nans / jax_debug_infs
# Messages measured in JAX 0.10.2: "invalid value (nan) encountered in log".

def _raises_fpe(fn, match):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(FloatingPointError, match=match):
            fn()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_debug_nans_flag_names_the_primitive(capsys):
    jax.config.update("jax_debug_nans", True)
    try:
        _raises_fpe(lambda: jnp.log(-1.0), r"^invalid value \(nan\) encountered in log")
        _raises_fpe(lambda: jnp.array(0.0) / 0.0, r"invalid value \(nan\) encountered in div")
        _raises_fpe(lambda: jnp.sqrt(jnp.array([1.0, -1.0])), r"encountered in sqrt")
        assert float(jnp.array(1.0) / 0.0) == np.inf  # infs pass unless jax_debug_infs is set
        assert int(jnp.array(1) // 0) == -2  # integer arithmetic is not checked (JAX: -2)
        # under jit the program is re-run op by op, as JAX re-runs the de-optimized function
        _raises_fpe(lambda: jax.jit(lambda x: jnp.sin(x) + jnp.log(x - 3))(1.0), r"encountered in log")
        assert "Calling the de-optimized version" in capsys.readouterr().out
        _raises_fpe(lambda: jax.grad(lambda x: jnp.log(x))(-1.0), r"encountered in log")
        _raises_fpe(lambda: jax.vmap(jnp.log)(jnp.array([1.0, -1.0])), r"encountered in log")
        assert float(jax.grad(jnp.sqrt)(0.0)) == np.inf  # inf, not NaN: no error (as in JAX)
    finally:
        jax.config.update("jax_debug_nans", False)
    assert np.isnan(float(jnp.log(-1.0)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_debug_nans_and_infs_context_managers():
    assert jax.config.jax_debug_nans is False and jax.debug_nans.value is False
    with jax.debug_nans(True):
        assert jax.config.jax_debug_nans is True and jax.debug_nans.value is True
        _raises_fpe(lambda: jnp.log(-1.0), r"nan\) encountered in log")
    assert np.isnan(float(jnp.log(-1.0)))
    with jax.debug_infs(True):
        _raises_fpe(lambda: jnp.log(0.0), r"^invalid value \(inf\) encountered in log")
        _raises_fpe(lambda: jax.jit(lambda x: jnp.exp(x) + 1)(1000.0), r"\(inf\) encountered in exp")
        assert float(jnp.log(1.0)) == 0.0
    assert float(jnp.log(0.0)) == -np.inf


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_debug_nans_jit_without_a_nan_producing_op_says_so():
    with jax.debug_nans(True):
        _raises_fpe(lambda: jax.jit(lambda x: x + 1)(np.float32(np.nan)), r"encountered in add")
        f = jax.jit(lambda x: x * 1.0)
        _raises_fpe(lambda: f(np.array([np.nan], np.float32)), r"encountered in mul")
