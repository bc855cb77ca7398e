"""Generated code releases a large value after its last use (codegen `_dead_after`), so a
call's peak memory is what is live, not everything it ever computed."""
import tracemalloc

import numpy as np

import nablax as jax
import nablax.numpy as jnp

N = 1 << 18  # 1 MiB of float32: above the deletion and in-place thresholds


def _peak_of_call(f, *args) -> int:
    jax.block_until_ready(f(*args))
    tracemalloc.start()
    out = jax.block_until_ready(f(*args))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return peak


def _fanout(x, w):
    # every intermediate is read twice, so none can be overwritten in place; each dies after
    # the next step
    h = x
    for _ in range(8):
        g = h @ w
        h = jnp.sin(g) + jnp.cos(g)
    return h


def test_dead_intermediates_are_released_during_the_call():
    x = np.random.RandomState(0).rand(512, 512).astype(np.float32)
    w = (np.eye(512) * 0.5).astype(np.float32)
    f = jax.jit(_fanout)
    src = f.lower(x, w).as_text()
    assert "    del " in src
    np.testing.assert_allclose(np.asarray(f(x, w)), np.asarray(_fanout(x, w)), rtol=1e-6)
    one = x.nbytes
    assert _peak_of_call(f, x, w) < 5 * one  # 8 steps of 3 arrays would be 24 arrays without `del`


def _in_place_then_fanout(x, w):
    h = jnp.exp(-x) * 2.0 + 1.0  # each step writes into the previous one's buffer (`out=`)
    return _fanout(h @ w, w)


def test_a_buffer_taken_over_in_place_is_released_with_its_last_name():
    # 384 x 256: large enough for `out=`, too small for a fused region
    x = np.random.RandomState(3).rand(384, 256).astype(np.float32)
    w = (np.eye(256) * 0.5).astype(np.float32)
    f = jax.jit(_in_place_then_fanout)
    src = f.lower(x, w).as_text()
    assert "out=" in src and "# fused" not in src
    np.testing.assert_allclose(np.asarray(f(x, w)), np.asarray(_in_place_then_fanout(x, w)), rtol=1e-6)
    assert _peak_of_call(f, x, w) < 5 * x.nbytes  # the in-place chain's names would pin one more array


def test_fused_region_scratch_is_released():
    x = np.random.RandomState(1).rand(N).astype(np.float32)

    def f(x):
        a = jnp.sin(x) * jnp.cos(x) + x * x  # a fused region
        b = jnp.exp(-a) * 2.0 - a            # another region reading a (then dead)
        return jnp.sum(b * b)

    jf = jax.jit(f)
    src = jf.lower(x).as_text()
    assert src.count("del _fused") == src.count("def _fused") >= 1
    np.testing.assert_allclose(float(jf(x)), float(f(x)), rtol=1e-5)
    assert _peak_of_call(jf, x) < 3 * x.nbytes


def test_outputs_and_values_read_later_are_kept():
    x = np.random.RandomState(2).rand(N).astype(np.float32)

    def f(x):
        a = jnp.exp(x)
        b = jnp.sin(a) + 1.0
        c = b * a        # a is read again here, after b
        return a, c      # a is also an output

    jf = jax.jit(f)
    a, c = jf(x)
    ra, rc = f(x)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(ra))
    np.testing.assert_allclose(np.asarray(c), np.asarray(rc), rtol=1e-6)
