"""lax-level semantics that follow JAX (found by tests/compat/test_numpy_vs_jax.py; no JAX needed)."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax

F = jnp.asarray(np.array([1.5, -2.0, 0.0], np.float32))
I = jnp.asarray(np.array([3, -7, 0], np.int32))


def test_comparisons_of_weak_values_are_weak_bools():
    assert lax.lt(2.0, 3.0).weak_type and lax.eq(2, 3).weak_type
    assert not lax.lt(F, 3.0).weak_type
    assert lax.is_finite(2.5).weak_type and not lax.is_finite(F).weak_type
    # a weak bool joins promotion as bool: + an int8 is int8, + a Python int a weak int32
    w = lax.lt(2.0, 3.0)
    assert (w + jnp.int8(1)).dtype == np.int8 and (w + 1).weak_type


def test_float_to_int_conversion_saturates_and_maps_nan_to_zero():
    x = jnp.asarray(np.array([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.7, -2.7, 300.5], np.float32))
    assert lax.convert_element_type(x, jnp.int32).tolist() == [0, 2 ** 31 - 1, -2 ** 31, 2 ** 31 - 1, -2 ** 31, 2, -2, 300]
    assert x.astype(jnp.uint8).tolist() == [0, 255, 0, 255, 0, 2, 0, 255]
    assert x.astype(jnp.int8).tolist() == [0, 127, -128, 127, -128, 2, -2, 127]
    assert nablax.jit(lambda a: a.astype(jnp.int8))(x).tolist() == [0, 127, -128, 127, -128, 2, -2, 127]


def test_dtype_and_kind_checks_run_eagerly():
    with pytest.raises(TypeError):
        lax.abs(jnp.asarray(np.array([1, 2], np.uint8)))  # unsigned: no lax.abs (jnp.abs is the identity)
    assert jnp.abs(jnp.asarray(np.array([1, 200], np.uint8))).tolist() == [1, 200]
    with pytest.raises(TypeError):
        lax.conj(I)
    c = lax.conj(2.5)
    assert c.dtype == np.complex64 and c.weak_type
    for fn in (lax.cumsum, lax.cumprod, lax.cummax, lax.cummin):
        with pytest.raises(TypeError):
            fn(jnp.asarray(np.array([True, False])))
    with pytest.raises(TypeError, match="same dtypes"):
        lax.select_n(jnp.asarray(np.array([True, False, True])), F, I)
    with pytest.raises(TypeError, match="same dtypes"):
        lax.clamp(np.int32(-1), F, np.int32(1))
    with pytest.raises(TypeError):
        lax.dynamic_update_slice(F, I[:1], (0,))
    with pytest.raises(TypeError):  # incompatible sizes: a TypeError, as in JAX
        lax.broadcast_in_dim(F, (2, 5), (1,))


def test_bfloat16_elementwise():
    bf = jnp.array([1.5, -2.0], dtype=jnp.bfloat16)
    assert lax.add(bf, bf).dtype == jnp.bfloat16 and lax.ne(bf, bf).tolist() == [False, False]
    assert lax.neg(bf).tolist() == [-1.5, 2.0]


def test_dot_general_promotes_mixed_dtypes():
    out = lax.dot(jnp.ones((2, 3), jnp.int8), jnp.ones(3, jnp.int32))
    assert out.dtype == np.int32 and out.tolist() == [3, 3]
    assert lax.dot(jnp.ones(3, jnp.float16), jnp.ones(3)).dtype == np.float32
    with pytest.raises(ValueError):
        lax.dot(jnp.ones((2, 3)), jnp.ones((2, 3)))


def test_reshape_dimensions_and_special_values():
    x = jnp.arange(6.0).reshape(2, 3)
    assert lax.reshape(x, (3, 2), dimensions=(1, 0)).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    v = jnp.asarray(np.array([-np.inf, 0.0, -0.0, -1.0], np.float32))
    assert np.asarray(lax.lgamma(v))[0] == np.inf  # SciPy: -inf
    assert np.isnan(np.asarray(lax.digamma(v))).tolist() == [True, True, True, True]  # poles: NaN
    # lax.polygamma also takes an integral float order (JAX's m is a float array)
    np.testing.assert_allclose(np.asarray(lax.polygamma(np.float32(1.0), jnp.ones(1))), [1.644934], rtol=1e-6)
    with pytest.raises(TypeError):
        lax.polygamma(1.5, jnp.ones(1))
