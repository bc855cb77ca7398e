"""Small jitted programs do less: cheaper spellings and fewer equations, same numbers.

Each test checks what the generated source no longer contains and that the values equal
the eager (un-jitted) result or a hard-coded JAX answer, bit for bit (signs of zero too).
"""
import numpy as np

import nablax as jax
import nablax.numpy as jnp
from nablax import lax


def _source(fn, *args) -> str:
    return jax.jit(fn).lower(*args).as_text()


def _same_bits(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


ZEROS_AND_NAN = np.array([-0.0, 0.0, -1.5, 2.0, np.nan, -3.0], np.float32)


def test_relu_is_numpy_maximum_plus_positive_zero():
    def f(x):
        return jnp.maximum(x, 0.0), jnp.maximum(0.0, x)

    src = _source(f, ZEROS_AND_NAN)
    assert "_max" not in src and src.count("(xp.maximum(a, 0.0) + 0.0)") == 2
    for out in jax.jit(f)(ZEROS_AND_NAN):  # JAX: max(-0., 0.) is +0.
        _same_bits(out, np.array([0.0, 0.0, 0.0, 2.0, np.nan, 0.0], np.float32))


def test_max_and_min_with_a_nonzero_literal_are_numpy_alone():
    src = _source(lambda x: (jnp.maximum(x, 1.0), jnp.minimum(x, -1.0)), ZEROS_AND_NAN)
    assert "_max" not in src and "_min" not in src
    hi, lo = jax.jit(lambda x: (jnp.maximum(x, 1.0), jnp.minimum(x, -1.0)))(ZEROS_AND_NAN)
    _same_bits(hi, np.array([1.0, 1.0, 1.0, 2.0, np.nan, 1.0], np.float32))
    _same_bits(lo, np.array([-1.0, -1.0, -1.5, -1.0, np.nan, -3.0], np.float32))


def test_ties_of_signed_zeros_still_follow_xla():
    def f(x):
        return jnp.maximum(x, -0.0), jnp.minimum(x, 0.0), jnp.minimum(x, -0.0)

    assert "_max" in _source(f, ZEROS_AND_NAN)  # no cheap spelling here: the impl
    mx, mn, mn_neg = jax.jit(f)(ZEROS_AND_NAN)
    _same_bits(mx, np.array([-0.0, 0.0, -0.0, 2.0, np.nan, -0.0], np.float32))
    _same_bits(mn, np.array([-0.0, 0.0, -1.5, 0.0, np.nan, -3.0], np.float32))
    _same_bits(mn_neg, np.array([-0.0, -0.0, -1.5, -0.0, np.nan, -3.0], np.float32))


def test_integer_max_is_numpy_maximum():
    x = np.array([-2, 0, 3], np.int32)
    assert "xp.maximum(a, 0)" in _source(lambda x: jnp.maximum(x, 0), x)
    _same_bits(jax.jit(lambda x: jnp.maximum(x, 0))(x), np.array([0, 0, 3], np.int32))


def test_relu_derivative_weights_are_arithmetic_not_selects():
    def loss(x):
        return jnp.sum(jnp.maximum(x, 0.0) * jnp.arange(6.0, dtype=jnp.float32))

    g = jax.grad(loss)
    src = _source(g, ZEROS_AND_NAN)
    assert "where" not in src
    # JAX: 1 above zero, 0.5 at either zero, 0 below and at NaN, times the cotangent.
    expected = np.array([0.0, 0.5, 0.0, 3.0, 0.0, 0.0], np.float32)
    _same_bits(jax.jit(g)(ZEROS_AND_NAN), expected)
    _same_bits(g(ZEROS_AND_NAN), expected)


def test_min_derivative_weights_and_both_operands():
    x = np.array([1.0, 2.0, -1.0, 0.0], np.float32)
    y = np.array([1.0, 3.0, -2.0, -0.0], np.float32)

    def loss(x, y):
        return jnp.sum(jnp.minimum(x, y) * jnp.array([1.0, 2.0, 3.0, 4.0], jnp.float32))

    g = jax.grad(loss, argnums=(0, 1))
    assert "where" not in _source(g, x, y)
    for a, b in zip(jax.jit(g)(x, y), g(x, y)):
        _same_bits(a, b)
    gx, gy = jax.jit(g)(x, y)
    _same_bits(gx, np.array([0.5, 2.0, 0.0, 2.0], np.float32))
    _same_bits(gy, np.array([0.5, 0.0, 3.0, 2.0], np.float32))


def test_select_with_other_weights_is_left_alone():
    x = np.array([-1.0, 0.0, 2.0], np.float32)

    def f(x):  # a negative weight: the arithmetic form could differ in the sign of zero
        return lax.select(x > 0, jnp.full_like(x, -1.0), lax.select(x == 0, jnp.zeros_like(x), jnp.full_like(x, 0.5)))

    src = _source(f, x)
    assert "where" in src
    _same_bits(jax.jit(f)(x), np.array([0.5, 0.0, -1.0], np.float32))


def test_broadcast_feeding_an_elementwise_op_is_left_to_numpy():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    rows = np.arange(3, dtype=np.float32)
    cols = np.arange(4, dtype=np.float32)

    def f(x, rows, cols):
        a = x - lax.broadcast_in_dim(rows, (3, 4), (0,))
        return a * lax.broadcast_in_dim(cols, (3, 4), (1,))

    src = _source(f, x, rows, cols)
    assert "broadcast_to" not in src and "reshape((3, 1))" in src
    _same_bits(jax.jit(f)(x, rows, cols), (x - rows[:, None]) * cols)


def test_a_broadcast_that_is_returned_stays():
    rows = np.arange(3, dtype=np.float32)
    f = lambda r: lax.broadcast_in_dim(r, (3, 4), (0,))  # noqa: E731
    assert "broadcast_to" in _source(f, rows)
    _same_bits(jax.jit(f)(rows), np.broadcast_to(rows[:, None], (3, 4)))


def test_reshape_of_a_reshape_is_one_reshape_or_none():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    src = _source(lambda x: (x.reshape(6).reshape(3, 2) * 2.0, x.reshape(6).reshape(2, 3) + 1.0), x)
    assert src.count(".reshape(") == 1
    a, b = jax.jit(lambda x: (x.reshape(6).reshape(3, 2) * 2.0, x.reshape(6).reshape(2, 3) + 1.0))(x)
    _same_bits(a, x.reshape(3, 2) * 2.0)
    _same_bits(b, x + 1.0)


def test_unbatched_dot_is_ndarray_dot_and_batched_is_matmul():
    rs = np.random.RandomState(0)
    m, v = rs.randn(5, 7).astype(np.float32), rs.randn(7).astype(np.float32)
    b = rs.randn(3, 5, 7).astype(np.float32)

    def f(m, v, b):
        return m @ v, v @ m.T, m.T @ m, b @ v, jnp.einsum("bij,bkj->bik", b, b)

    src = _source(f, m, v, b)
    assert "a.dot(b)" in src and "xp.matmul(" in src
    for got, want in zip(jax.jit(f)(m, v, b), (np.matmul(m, v), np.matmul(v, m.T), np.matmul(m.T, m),
                                               np.matmul(b, v), np.matmul(b, b.transpose(0, 2, 1)))):
        _same_bits(got, want)


def test_tall_narrow_outer_product_is_written_column_major():
    rs = np.random.RandomState(1)
    w, s = rs.randn(8192).astype(np.float32), rs.randn(8192, 3).astype(np.float32)
    f = lambda w, s: lax.dot_general(w, s, (((), ()), ((0,), (0,))))  # noqa: E731
    assert "order='F'" in _source(f, w, s)
    _same_bits(jax.jit(f)(w, s), w[:, None] * s)
    wide = rs.randn(8192, 16).astype(np.float32)
    assert "order='F'" not in _source(f, w, wide)
    _same_bits(jax.jit(f)(w, wide), w[:, None] * wide)


def test_per_example_td_gradients_are_unchanged():
    """The tour's jit(vmap(grad)) row, B=65536: column-major output, same values as NumPy's."""
    rs = np.random.RandomState(2)
    theta = rs.randn(3).astype(np.float32)
    s_tm1, r_t, s_t = rs.randn(65536, 3).astype(np.float32), rs.randn(65536).astype(np.float32), \
        rs.randn(65536, 3).astype(np.float32)

    def td_loss(theta, s_tm1, r_t, s_t):
        target = r_t + jnp.dot(theta, s_t)
        return (lax.stop_gradient(target) - jnp.dot(theta, s_tm1)) ** 2

    g = jax.jit(jax.vmap(jax.grad(td_loss), in_axes=(None, 0, 0, 0)))(theta, s_tm1, r_t, s_t)
    delta = r_t + np.matmul(theta, s_t.T) - np.matmul(theta, s_tm1.T)
    _same_bits(g, (np.float32(-2.0) * delta)[:, None] * s_tm1)


def test_hit_path_takes_lists_and_tuples_of_arrays_without_retracing():
    traces = []

    def step(params, x):
        traces.append(1)
        return [(w * x + b, b) for w, b in params], x.sum()

    f = jax.jit(step)
    params = [(jnp.ones(3), jnp.zeros(3)), (jnp.full(3, 2.0), jnp.ones(3))]
    x = jnp.arange(3.0)
    for _ in range(3):
        out, total = f(params, x)
    assert len(traces) == 1 and len(f._fast) == 1  # served by the hit path (no PyTreeDef built)
    _same_bits(out[1][0], np.array([1.0, 3.0, 5.0], np.float32))
    assert isinstance(out, list) and isinstance(out[0], tuple) and float(total) == 3.0
    f(tuple(params), x)  # another structure: another entry
    f([params[0], (jnp.ones(3), 1.5)], x)  # a Python float leaf
    f([(jnp.ones(4), jnp.ones(4))] * 2, jnp.arange(4.0))  # other shapes
    assert len(traces) == 4
    f(tuple(params), x)
    f([params[0], (jnp.ones(3), 2.5)], x)
    assert len(traces) == 4


def test_hit_path_leaves_other_containers_to_the_full_path():
    import collections

    Pair = collections.namedtuple("Pair", "w b")
    traces = []

    def f(p, d):
        traces.append(1)
        return p.w + p.b + d["k"]

    g = jax.jit(f)
    for _ in range(2):
        out = g(Pair(jnp.ones(2), jnp.ones(2)), {"k": jnp.ones(2)})
    assert len(traces) == 1
    _same_bits(out, np.full(2, 3.0, np.float32))


def test_contraction_over_leading_axes_reads_a_transposed_view():
    rs = np.random.RandomState(3)
    a, b = rs.randn(25, 10, 40).astype(np.float32), rs.randn(25, 10, 8).astype(np.float32)
    c, d = rs.randn(7, 3, 4).astype(np.float32), rs.randn(5, 3, 4).astype(np.float32)

    def f(a, b, c, d):
        return (lax.dot_general(a, b, (((0, 1), (0, 1)), ((), ()))),   # lhs axes rotated: a view
                lax.dot_general(c, d, (((1, 2), (1, 2)), ((), ()))),   # rhs axes rotated: a view
                lax.dot_general(d, a[:4, :5], (((2, 0), (0, 1)), ((), ()))))  # not a rotation

    src = _source(f, a, b, c, d)
    assert "a.reshape((250, 40)).T.dot(" in src and "d.reshape((5, 12)).T" in src
    assert "d.transpose((1, 2, 0)).reshape((3, 20))" in src
    want = (np.matmul(a.reshape(250, 40).T, b.reshape(250, 8)), np.matmul(c.reshape(7, 12), d.reshape(5, 12).T),
            np.matmul(d.transpose(1, 2, 0).reshape(3, 20), a[:4, :5].reshape(20, 40)))
    for got, w in zip(jax.jit(f)(a, b, c, d), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-5)
    for got, eager in zip(jax.jit(f)(a, b, c, d), f(a, b, c, d)):
        _same_bits(got, eager)


def _python_float_call():
    f = jax.jit(lambda x, y: x * y + 0.1)
    f(1.5, 2)
    return f(1.5, 2), f(2.5, 3)  # the second call takes the hit path


def test_python_float_arguments_on_the_hit_path():
    first, second = _python_float_call()
    assert first.dtype == np.float32 and first.weak_type
    _same_bits(second, np.float32(2.5) * np.float32(3) + np.float32(0.1))


def test_python_float_arguments_on_the_hit_path_with_x64(x64):
    first, second = _python_float_call()
    assert second.dtype == np.float64 and second.weak_type
    _same_bits(second, np.float64(2.5) * 3 + 0.1)


def test_a_very_deep_argument_pytree_takes_the_full_path():
    t = 1.0
    for _ in range(200):
        t = [t]
    out = jax.jit(lambda t: jax.tree_util.tree_leaves(t)[0] * 2)(t)
    assert float(out) == 2.0


def test_a_large_broadcast_keeps_its_full_shape_for_fusion():
    x = np.ones((512, 256), np.float32)
    rows = np.arange(512, dtype=np.float32)
    f = lambda x, r: jnp.sin(x) * lax.broadcast_in_dim(r, (512, 256), (0,))  # noqa: E731
    assert ".reshape((512, 1)) * " not in _source(f, x, rows)
    np.testing.assert_allclose(jax.jit(f)(x, rows), np.sin(x) * rows[:, None], rtol=1e-6)
