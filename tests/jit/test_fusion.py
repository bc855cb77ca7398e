"""Cache-blocked fusion of large elementwise chains (jit/fusion.py): what it fuses, and
that the fused program computes what the unfused one does."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import config, lax
from nablax._src.jit import fusion

N = 3 * fusion.FUSE_MIN_SIZE + 12345  # several chunks and a short last one


def _x(n=N, seed=0):
    return np.random.RandomState(seed).uniform(-2, 2, n).astype(np.float32)


def _source(f, *args):
    return jax.jit(f).lower(*args).as_text()


def w6(x):
    return jnp.sum(jnp.sin(x) * jnp.cos(x) + x ** 2)


def test_chain_and_sum_run_in_one_region_without_full_size_arrays():
    x = _x()
    src = _source(w6, x)
    assert src.count("# fused: 5 elementwise operations and 1 full reductions") == 1
    assert "xp.empty((" not in src  # no full-size array: the sum keeps one partial per chunk
    got = jax.jit(w6)(x)
    want = np.sum(np.sin(x) * np.cos(x) + x * x, dtype=np.float64)
    assert got.dtype == np.float32
    np.testing.assert_allclose(float(got), want, rtol=2e-6)


def test_elementwise_results_are_bit_identical_to_eager():
    x = _x()

    def f(x):
        return jnp.tanh(x) * jnp.exp(-x * x) + jnp.where(x > 0.5, jnp.log1p(x * x), -x)

    assert "# fused" in _source(f, x)
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), np.asarray(f(jnp.asarray(x))))


def test_gradient_of_a_chain_is_fused_and_correct():
    x = _x()
    src = _source(jax.grad(w6), x)
    assert "# fused" in src and src.count("xp.empty((") == 1  # only the gradient itself is full-size
    g = np.asarray(jax.jit(jax.grad(w6))(x))
    s, c = np.sin(x), np.cos(x)
    np.testing.assert_allclose(g, c * c - s * s + 2 * x, rtol=1e-5, atol=1e-6)


def test_values_read_after_the_region_are_materialized():
    x = _x()

    def f(x):
        y = jnp.sin(x) * 2.0 + 1.0
        return y, jnp.max(y), jnp.min(y), y.reshape(-1, 3)[:, 0]

    assert "# fused" in _source(f, x)
    y, hi, lo, col = jax.jit(f)(x)
    want = np.sin(x) * np.float32(2.0) + np.float32(1.0)
    np.testing.assert_array_equal(np.asarray(y), want)
    assert float(hi) == want.max() and float(lo) == want.min()
    np.testing.assert_array_equal(np.asarray(col), want.reshape(-1, 3)[:, 0])


def test_a_reduction_result_read_by_the_chain_splits_it():
    x = _x()

    def f(x):
        y = jnp.exp(x) * 0.5
        return jnp.sum((y - jnp.sum(y) / x.size) ** 2)

    y = np.exp(x.astype(np.float64)) * 0.5
    np.testing.assert_allclose(float(jax.jit(f)(x)), np.sum((y - y.mean()) ** 2), rtol=1e-4)


def test_independent_work_between_elementwise_ops_does_not_split_the_chain():
    x, m = _x(), np.random.RandomState(1).rand(20, 20).astype(np.float32)

    def f(x, m):
        a = jnp.sin(x) + 1.0
        mm = m @ m  # independent of the chain: emitted before the region
        b = a * jnp.cos(x) - jnp.trace(mm)
        return jnp.sum(b), mm

    src = _source(f, x, m)
    assert src.count("# fused") == 1
    s, mm = jax.jit(f)(x, m)
    want = np.sum((np.sin(x) + 1.0) * np.cos(x) - np.trace(m @ m), dtype=np.float64)
    np.testing.assert_allclose(float(s), want, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(mm), m @ m, rtol=1e-5)


def test_broadcasting_and_small_operands_stay_unfused_and_correct():
    x = _x(600_000).reshape(1000, 600)
    row = np.linspace(0, 1, 600, dtype=np.float32)

    def f(x, row, s):
        return jnp.sum(jnp.sin(x) * row + s * jnp.cos(x))

    got = jax.jit(f)(x, row, np.float32(3.0))
    want = np.sum(np.sin(x) * row + 3.0 * np.cos(x), dtype=np.float64)
    np.testing.assert_allclose(float(got), want, rtol=1e-4)


def test_non_contiguous_and_integer_operands():
    x = _x(700_000).reshape(700, 1000).T  # a transposed (strided) input
    k = np.arange(x.size, dtype=np.int32).reshape(x.shape) % 7

    def f(x, k):
        return jnp.where((k > 3) & (x > 0), x * 2.0, jnp.abs(x) + k.astype(jnp.float32))

    assert "# fused" in _source(f, x, k)
    want = np.where((k > 3) & (x > 0), x * np.float32(2.0), np.abs(x) + k.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x, k)), want)


def test_nan_propagates_through_fused_max():
    x = _x()
    x[N - 3] = np.nan
    assert np.isnan(float(jax.jit(lambda x: jnp.max(jnp.exp(x) + 1.0))(x)))


def test_side_effects_keep_their_order():
    seen = []
    x = _x()

    def f(x):
        a = jnp.sin(x) * 3.0
        jax.debug.callback(lambda v: seen.append(float(v)), jnp.sum(a))
        return jnp.sum(jnp.cos(a) * a)

    out = jax.jit(f)(x)
    a = np.sin(x) * np.float32(3.0)
    np.testing.assert_allclose(seen, [np.sum(a, dtype=np.float64)], rtol=1e-4)
    np.testing.assert_allclose(float(out), np.sum(np.cos(a) * a, dtype=np.float64), rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_bit_identical_results(threads):
    x = _x(5 * fusion.FUSE_MIN_SIZE + 7)
    f = jax.jit(lambda x: (jnp.sum(jnp.sin(x) * jnp.cos(x) + x ** 2), jnp.tanh(x) * 2.0))
    g = jax.jit(jax.grad(w6))
    one = [np.asarray(v) for v in (*f(x), g(x))]
    config.update("nablax_num_threads", threads)
    try:
        many = [np.asarray(v) for v in (*f(x), g(x))]
    finally:
        config.update("nablax_num_threads", 1)
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)


def test_num_threads_rejects_non_positive_values():
    with pytest.raises(ValueError, match="nablax_num_threads"):
        config.update("nablax_num_threads", 0)


def test_small_arrays_are_not_fused():
    x = _x(1000)
    assert "# fused" not in _source(w6, x)


def test_fused_region_inside_scan_body():
    x = _x()

    def f(x):
        def body(c, _):
            return jnp.sin(c) * 0.9 + 0.1, None
        return lax.scan(body, x, None, length=3)[0]

    want = x
    for _ in range(3):
        want = np.sin(want) * np.float32(0.9) + np.float32(0.1)
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), want)


def test_an_output_overwrites_a_dead_intermediate_in_place():
    x, m = _x(400 * 1000).reshape(400, 1000), np.random.RandomState(2).rand(1000, 1000).astype(np.float32)

    def f(x, m):
        g = x @ m  # a fresh result nothing reads after the chain
        return x - 0.01 * jnp.tanh(g)

    src = _source(f, x, m)
    assert "in place: " in src
    np.testing.assert_allclose(np.asarray(jax.jit(f)(x, m)), x - np.float32(0.01) * np.tanh(x @ m), rtol=1e-5, atol=1e-6)


def test_fortran_ordered_operands_are_walked_without_copies():
    m = np.random.RandomState(3).rand(800, 700).astype(np.float32)

    def f(m):
        t = m.T * 1.0  # Fortran-ordered in memory (NumPy keeps the transposed layout)
        return jnp.tanh(t) * t + jnp.sin(t)

    src = _source(f, m)
    assert "memory_order" in src
    t = m.T.copy()
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(m)), np.tanh(t) * t + np.sin(t))
    assert fusion.memory_order(m.T, m.T) == "F" and fusion.memory_order(m, m.T) == "C"
    assert fusion.memory_order(m[:, ::2]) == "C"
