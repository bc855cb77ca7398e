"""select_n on a large bool mask selects on bit patterns (bit_select.where_bits), bit for bit
what np.where gives."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax._src import dtypes
from nablax._src.primitives.bit_select import BRANCHLESS_MIN_SIZE, where_bits

N = BRANCHLESS_MIN_SIZE + 37


def _bytes(a):
    return np.ascontiguousarray(np.asarray(a)).view(np.uint8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, dtypes.bfloat16, np.int8, np.int64,
                                   np.uint16, np.bool_, np.complex64, np.complex128])
@pytest.mark.parametrize("cases", ["arrays", "zero false", "scalar true", "both scalar"])
def test_where_bits_equals_np_where_bit_for_bit(dtype, cases):
    rs = np.random.RandomState(0)
    m = rs.rand(N) > 0.5
    a = (rs.randn(N) * 10).astype(dtype)
    b = (rs.randn(N) * 10).astype(dtype)
    if np.dtype(dtype).kind == "f":
        a[:4] = [np.nan, -0.0, np.inf, -np.inf]
        b[:4] = [0.0, np.nan, -np.inf, -0.0]
    t, f = {"arrays": (a, b), "zero false": (a, np.zeros((), dtype)),
            "scalar true": (np.ones((), dtype), b), "both scalar": (np.ones((), dtype), np.zeros((), dtype))}[cases]
    got, want = where_bits(m, t, f), np.where(m, t, f)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(_bytes(got), _bytes(want))


def test_small_broadcast_and_strided_operands():
    rs = np.random.RandomState(1)
    m = rs.rand(300, 200) > 0.5
    a = rs.randn(200, 300).astype(np.float32).T  # strided
    row = rs.randn(200).astype(np.float32)       # broadcasts: np.where
    for t, f in ((a, row), (a, a * 2), (m[:10, :10].astype(np.float32), np.float32(3.0))):
        mm = m if np.shape(t) == m.shape else m[:10, :10]
        np.testing.assert_array_equal(_bytes(where_bits(mm, t, f)), _bytes(np.where(mm, t, f)))


def test_jit_and_eager_use_it_and_agree():
    rs = np.random.RandomState(2)
    x = rs.randn(128, 128).astype(np.float32)
    f = lambda x: jnp.where(x > 0, x, jnp.sin(x) * 0.1)  # noqa: E731
    src = jax.jit(f).lower(x).as_text()
    assert "_where_bits" in src
    want = np.where(x > 0, x, np.sin(x) * np.float32(0.1))
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), want)
    np.testing.assert_array_equal(np.asarray(f(x)), want)
    small = x[:8, :8]
    assert "xp.where" in jax.jit(f).lower(small).as_text()
    g = jax.grad(lambda x: jnp.sum(f(x)))(x)
    np.testing.assert_allclose(np.asarray(g), np.where(x > 0, 1.0, np.cos(x) * 0.1), rtol=1e-6)
