"""reduce_sum over a block of axes that is not at the end runs as `ones @ x.reshape(...)` (BLAS),
in eager and jit."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


@pytest.mark.parametrize("shape,axes", [((4096, 3), (0,)), ((32, 8, 8, 16), (0, 1, 2)), ((7, 5, 2), (0, 1)),
                                        ((300, 40), (0,)), ((25, 10, 40), (1,)), ((3, 4, 5, 6), (1, 2))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leading_axis_sums_match_float64(shape, axes, dtype, request):
    if dtype == np.float64:
        request.getfixturevalue("x64")
    x = np.random.RandomState(0).uniform(-1, 1, shape).astype(dtype)
    want = x.astype(np.float64).sum(axis=axes)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    eager = np.asarray(jnp.sum(jnp.asarray(x), axis=axes))
    jitted = np.asarray(jax.jit(lambda x: jnp.sum(x, axis=axes))(x))
    assert eager.dtype == jitted.dtype == dtype and eager.shape == want.shape
    np.testing.assert_allclose(eager, want, rtol=tol, atol=tol * shape[0])
    np.testing.assert_array_equal(eager, jitted)
    assert "@" in jax.jit(lambda x: jnp.sum(x, axis=axes)).lower(x).as_text()


def test_negative_zeros_sum_to_positive_zero_as_in_xla():
    x = -np.zeros((6, 3), np.float32)
    out = np.asarray(jnp.sum(jnp.asarray(x), axis=0))
    assert not np.signbit(out).any()


def test_non_float_and_trailing_axis_sums_keep_numpy_reduce():
    x = np.arange(12, dtype=np.int32).reshape(4, 3)
    np.testing.assert_array_equal(np.asarray(jnp.sum(x, axis=0)), x.sum(0))
    src = jax.jit(lambda x: jnp.sum(x, axis=1)).lower(np.ones((4, 3), np.float32)).as_text()
    assert "@" not in src


def test_gradient_through_leading_axis_sum():
    x = np.random.RandomState(1).rand(50, 4).astype(np.float32)
    g = jax.grad(lambda x: jnp.sum(jnp.sum(x, axis=0) ** 2))(x)
    np.testing.assert_allclose(np.asarray(g), np.broadcast_to(2 * x.sum(0), x.shape), rtol=1e-5)
