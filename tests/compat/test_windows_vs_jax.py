"""lax.reduce_window (sum/max/min/generic), pooling and its gradients (ties included), and
lax.reduce with known and generic monoids, against real JAX: values, dtypes, shapes, weak
types, first and second derivatives, error classes."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(5)
X = RNG.standard_normal((2, 7, 6, 3)).astype(np.float32)
W = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)  # a cotangent-sized weight for 2x2 stride 2 pools

MONOIDS = {"max": (-np.inf, "max"), "min": (np.inf, "min"), "add": (0.0, "add")}
WINDOWS = [
    ((1, 2, 2, 1), (1, 2, 2, 1), "VALID", None, None),
    ((1, 3, 3, 1), (1, 1, 1, 1), "SAME", None, None),
    ((1, 3, 2, 1), (1, 2, 1, 1), "SAME_LOWER", None, (1, 1, 2, 1)),
    ((1, 2, 3, 1), (1, 1, 2, 1), ((0, 0), (1, 2), (2, -1), (0, 0)), (1, 2, 1, 1), None),
    ((2, 2, 2, 2), (1, 1, 1, 1), "VALID", None, (1, 2, 1, 1)),
]


def _pool(lib, monoid, window):
    lax = lib.lax
    init, op = MONOIDS[monoid]
    dims, strides, padding, base, wdil = window

    def f(x):
        return lax.reduce_window(x, init, getattr(lax, op), dims, strides, padding, base, wdil)
    return f


@pytest.mark.parametrize("monoid", sorted(MONOIDS))
@pytest.mark.parametrize("window", WINDOWS, ids=str)
def test_reduce_window_values_and_grads(monoid, window):
    jf, nf = _pool(jax, monoid, window), _pool(nablax, monoid, window)
    assert_same(jf(X), nf(X))
    out = np.asarray(jf(X))
    ct = RNG.standard_normal(out.shape).astype(np.float32)
    if monoid == "add" or window[3] is window[4] is None:  # JAX has no max-pool VJP with dilations (we do)
        assert_same(jax.vjp(jf, X)[1](ct), nablax.vjp(nf, X)[1](ct))
    t = RNG.standard_normal(X.shape).astype(np.float32)
    assert_same(jax.jvp(jf, (X,), (t,)), nablax.jvp(nf, (X,), (t,)))
    assert_same(jax.jit(jf)(X), nablax.jit(nf)(X))


@pytest.mark.parametrize("monoid", ["max", "min"])
@pytest.mark.parametrize("window", WINDOWS[:2], ids=str)
def test_pooling_ties_go_where_jax_sends_them(monoid, window):
    """All-equal and repeated values: each window's cotangent goes to one element, as XLA's."""
    for x in (np.ones((2, 7, 6, 3), np.float32), np.round(X * 2).astype(np.float32) / 2):
        jf, nf = _pool(jax, monoid, window), _pool(nablax, monoid, window)
        ct = RNG.standard_normal(np.shape(jf(x))).astype(np.float32)
        # (a tie sent to another element would differ by O(1); sums of overlaps round alike to 1e-6)
        assert_same(jax.vjp(jf, x)[1](ct), nablax.vjp(nf, x)[1](ct), rtol=1e-6, atol=1e-6)
        assert_same(jax.jvp(jf, (x,), (X,)), nablax.jvp(nf, (x,), (X,)), rtol=0, atol=0)


def test_max_pool_second_order_and_vmap(x64):
    def loss(lib, x):
        y = lib.lax.reduce_window(x, -np.inf, lib.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return (lib.numpy.tanh(y) * W.astype(np.float64)).sum()
    x = X.astype(np.float64)
    v = RNG.standard_normal(x.shape)
    jh = jax.jvp(jax.grad(lambda x: loss(jax, x)), (x,), (v,))
    nh = nablax.jvp(nablax.grad(lambda x: loss(nablax, x)), (x,), (v,))
    assert_same(jh, nh, rtol=1e-10, atol=1e-12)
    assert_same(jax.vmap(jax.grad(lambda x: loss(jax, x[None])))(x),
                nablax.vmap(nablax.grad(lambda x: loss(nablax, x[None])))(x), rtol=1e-10, atol=1e-12)


def test_average_pooling_and_integer_and_weak_types():
    def avg(lib, x):
        total = lib.lax.reduce_window(x, 0.0, lib.lax.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME")
        count = lib.lax.reduce_window(lib.numpy.ones_like(x), 0.0, lib.lax.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME")
        return total / count
    assert_same(avg(jax, X), avg(nablax, X))
    assert_same(jax.grad(lambda x: avg(jax, x).sum())(X), nablax.grad(lambda x: avg(nablax, x).sum())(X))
    xi = np.arange(24, dtype=np.int32).reshape(4, 6)
    for op, init in (("max", np.int32(np.iinfo(np.int32).min)), ("add", np.int32(0)), ("min", np.int32(2 ** 31 - 1))):
        assert_same(jax.lax.reduce_window(xi, init, getattr(jax.lax, op), (2, 2), (2, 1), "SAME"),
                    nablax.lax.reduce_window(xi, init, getattr(nablax.lax, op), (2, 2), (2, 1), "SAME"))
    assert_same(jax.lax.reduce_window(jjnp.arange(5.0) * 1.0, 0.0, jax.lax.add, (2,), (1,), "VALID"),
                nablax.lax.reduce_window(njnp.arange(5.0) * 1.0, 0.0, nablax.lax.add, (2,), (1,), "VALID"))


def test_generic_reduce_window_and_reduce():
    def logaddexp_pool(lib, x):
        return lib.lax.reduce_window(x, -np.inf, lib.numpy.logaddexp, (1, 2, 2, 1), (1, 1, 1, 1), "SAME")
    assert_same(logaddexp_pool(jax, X), logaddexp_pool(nablax, X), rtol=1e-5, atol=1e-5)
    assert_same(jax.lax.reduce_window(X, 1.0, jax.lax.mul, (1, 2, 1, 1), (1, 1, 1, 1), "VALID"),
                nablax.lax.reduce_window(X, 1.0, nablax.lax.mul, (1, 2, 1, 1), (1, 1, 1, 1), "VALID"))
    for dims in ((1,), (1, 3), (0, 1, 2, 3)):
        for op, init in (("add", 0.0), ("mul", 1.0), ("max", -np.inf), ("min", np.inf)):
            assert_same(jax.lax.reduce(X, init, getattr(jax.lax, op), dims),
                        nablax.lax.reduce(X, init, getattr(nablax.lax, op), dims), rtol=1e-5, atol=1e-5)
        assert_same(jax.lax.reduce(X, -np.inf, jjnp.logaddexp, dims),
                    nablax.lax.reduce(X, -np.inf, njnp.logaddexp, dims), rtol=1e-5, atol=1e-5)
    pair = lambda lib, a, b: (a[0] + b[0], lib.numpy.maximum(a[1], b[1]))  # noqa: E731
    assert_same(jax.lax.reduce((X, X), (0.0, -np.inf), lambda a, b: pair(jax, a, b), (2,)),
                nablax.lax.reduce((X, X), (0.0, -np.inf), lambda a, b: pair(nablax, a, b), (2,)), rtol=1e-5)
    b = X > 0
    assert_same(jax.lax.reduce(b, False, jax.lax.bitwise_or, (1,)), nablax.lax.reduce(b, False, nablax.lax.bitwise_or, (1,)))


def test_shape_tuple_and_padtype_to_pads():
    for window in WINDOWS:
        dims, strides, padding, base, wdil = window
        if isinstance(padding, str):
            spans = [1 + (r - 1) * 0 + (w - 1) * r for w, r in zip(dims, wdil or (1,) * 4)]
            padding = jax.lax.padtype_to_pads(X.shape, spans, strides, padding)
            assert [tuple(p) for p in padding] == nablax.lax.padtype_to_pads(X.shape, spans, strides, window[2])
        assert tuple(jax.lax.reduce_window_shape_tuple(X.shape, dims, strides, padding, base, wdil)) == \
            nablax.lax.reduce_window_shape_tuple(X.shape, dims, strides, padding, base, wdil)


def test_errors():
    """A window of the wrong rank: JAX's TypeError. An unknown padding string: JAX raises a
    RuntimeError; we raise the ValueError the issue asks for, naming the choices."""
    with pytest.raises(TypeError):
        jax.lax.reduce_window(X, -np.inf, jax.lax.max, (2, 2), (1, 1), "VALID")
    with pytest.raises(TypeError, match="window_dimensions"):
        nablax.lax.reduce_window(X, -np.inf, nablax.lax.max, (2, 2), (1, 1), "VALID")
    with pytest.raises(ValueError, match="SAME_LOWER"):
        nablax.lax.reduce_window(X, -np.inf, nablax.lax.max, (1, 2, 2, 1), (1, 1, 1, 1), "FULL")
