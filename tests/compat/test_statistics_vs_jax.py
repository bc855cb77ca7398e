"""jnp's quantiles, nan-arg-extremes, cov/corrcoef and sample calculus (diff, gradient, interp,
trapezoid, unwrap, cross) against real JAX: values, dtypes, weak types, shapes, gradients."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4, 5)).astype(np.float32)
XN = X.copy()
XN[0, 1, :] = np.nan
XN[1, 2, 3] = np.nan
Q = np.array([0.0, 0.2, 0.5, 0.77, 1.0], np.float32)
METHODS = ["linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf"]


def _both(fn, *args, rtol=2e-5, atol=2e-6, **kw):
    assert_same(fn(jjnp, *args, **kw), fn(njnp, *args, **kw), rtol=rtol, atol=atol)


def test_quantile_methods():
    cases = [(XN, {"axis": 2}), (X, {"axis": (0, 2), "keepdims": True})]
    for i, method in enumerate(METHODS):
        name = ("quantile", "nanquantile")[i % 2]
        a, kw = cases[(i // 2) % 2]
        _both(lambda m, a, q, name=name, method=method, kw=kw: getattr(m, name)(a, q, method=method, **kw), a, Q)
    _both(lambda m, a: m.percentile(a, np.array([10, 50, 95]), axis=-1, method="nearest"), X)
    _both(lambda m, a: m.nanpercentile(a, 37.5, axis=(1, 2), method="higher", keepdims=True), XN)


def test_quantile_weights_median_and_ints():
    w = RNG.uniform(0, 2, (3, 4, 5)).astype(np.float32)
    _both(lambda m: m.nanquantile(XN, Q, axis=2, method="inverted_cdf", weights=w))
    _both(lambda m: m.quantile(X, 0.4, axis=(0, 1), method="inverted_cdf", weights=w[:, :, 0]))
    _both(lambda m: m.quantile(np.array([1.0, 2.0, 3.0]), 0.5, method="inverted_cdf", weights=np.array([1, -1, 2])))
    _both(lambda m: m.median(X, axis=(0, 2)))
    _both(lambda m: m.nanmedian(XN, axis=None, keepdims=True))
    _both(lambda m: m.median(np.arange(7, dtype=np.int32)))
    _both(lambda m: m.quantile(X.astype(np.float16), 0.5, axis=0))


def test_quantile_grads_and_jit():
    for name, a, method in (("quantile", X, "linear"), ("nanquantile", XN, "midpoint")):
        if True:
            def loss(m, a, name=name, method=method):
                return (getattr(m, name)(a, Q, axis=1, method=method) ** 2).sum()
            assert_same(jax.grad(lambda a: loss(jjnp, a))(a), nablax.grad(lambda a: loss(njnp, a))(a), path="grad")
    assert_same(jax.jit(jjnp.nanmedian)(XN), nablax.jit(njnp.nanmedian)(XN), path="jit")
    assert_same(jax.grad(lambda a: jjnp.median(a))(X), nablax.grad(lambda a: njnp.median(a))(X), path="grad")


def test_quantile_errors():
    for bad in (lambda m: m.quantile(X, 0.5, method="bad"), lambda m: m.quantile(X, np.ones((2, 2), np.float32)),
                lambda m: m.quantile(X + 1j, 0.5), lambda m: m.quantile(X, 0.5, out=1),
                lambda m: m.quantile(X, 0.5, weights=X), lambda m: m.quantile(np.arange(4.0), 1),
                lambda m: m.median(np.zeros((0, 3)))):
        with pytest.raises(Exception) as je:
            bad(jjnp)
        with pytest.raises(je.type):
            bad(njnp)


def test_nanargmax_nanargmin():
    for name in ("nanargmax", "nanargmin"):
        for kw in ({}, {"axis": 2}, {"axis": 1, "keepdims": True}):
            _both(lambda m, kw=kw, name=name: getattr(m, name)(XN, **kw))
        _both(lambda m, name=name: getattr(m, name)(np.array([np.nan, np.nan], np.float32)))
        _both(lambda m, name=name: getattr(m, name)(np.array([[3, 1], [2, 5]], np.int32), axis=0))


def test_cov_corrcoef(x64):
    m = RNG.standard_normal((3, 6))
    y = RNG.standard_normal(6)
    fw = np.array([1, 2, 1, 3, 1, 2])
    aw = RNG.uniform(0.5, 2.0, 6)
    _both(lambda mm: mm.cov(m, ddof=2, fweights=fw, aweights=aw), rtol=1e-12, atol=1e-12)
    _both(lambda mm: mm.cov(m.T, rowvar=False, bias=True, dtype=np.float32), rtol=1e-6, atol=1e-7)
    _both(lambda mm: mm.corrcoef(m, y), rtol=1e-12, atol=1e-12)
    _both(lambda mm: mm.corrcoef(m + 1j * m[::-1]), rtol=1e-12, atol=1e-12)
    _both(lambda mm: mm.cov(np.arange(6, dtype=np.int32).reshape(2, 3)))
    def g(mm):
        return (lambda a: (mm.corrcoef(a) ** 3).sum() + mm.cov(a, aweights=aw).sum())
    assert_same(jax.grad(g(jjnp))(m), nablax.grad(g(njnp))(m), rtol=1e-10, atol=1e-10, path="grad")


def test_diff_ediff1d():
    _both(lambda m: m.diff(X, n=2, axis=1, prepend=0.5, append=X[:, :1]))
    _both(lambda m: m.diff(np.array([True, False, False])))
    _both(lambda m: m.diff(np.arange(5, dtype=np.int8), n=0))
    _both(lambda m: m.diff(np.array([1.0, 2.0, 4.0]), n=3))
    _both(lambda m: m.ediff1d(np.arange(6, dtype=np.int32).reshape(2, 3) ** 2, to_end=np.array([9.5]), to_begin=-1))
    assert_same(jax.grad(lambda a: (jjnp.diff(a, 2) ** 2).sum())(X),
                nablax.grad(lambda a: (njnp.diff(a, 2) ** 2).sum())(X), path="grad")


def test_gradient():
    coords = np.array([0.0, 0.5, 1.5, 3.0], np.float32)
    _both(lambda m: m.gradient(X))
    _both(lambda m: m.gradient(X, 2.0, coords, 0.5))
    _both(lambda m: m.gradient(X, coords, axis=1))
    _both(lambda m: m.gradient(X, axis=(0, -1)))
    _both(lambda m: m.gradient(np.arange(5, dtype=np.int32) ** 2))
    def f(m):
        return (lambda a: (m.gradient(a, coords, axis=1) ** 2).sum())
    assert_same(jax.grad(f(jjnp))(X), nablax.grad(f(njnp))(X), path="grad")


def test_interp():
    xp = np.array([0.0, 1.0, 2.5, 2.5, 4.0], np.float32)
    fp = np.array([1.0, 3.0, -1.0, 0.0, 2.0], np.float32)
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.9, 4.0, 5.0, np.nan], np.float32)
    for kw in ({"left": -9.0, "right": "extrapolate"}, {"period": 3.0}):
        _both(lambda m, kw=kw: m.interp(x, xp, fp, **kw))
    _both(lambda m: m.interp(x.reshape(2, 5), xp, fp + 1j * fp[::-1]))
    def loss(m):
        return lambda a, b, c: (m.interp(a, b, c, left="extrapolate") ** 2).sum()
    xs, bp = x[:-1] * 0.97, np.array([0.0, 1.0, 2.5, 4.0], np.float32)
    assert_same(jax.grad(loss(jjnp), (0, 1, 2))(xs, bp, fp[:4]), nablax.grad(loss(njnp), (0, 1, 2))(xs, bp, fp[:4]),
                path="grad")
    assert_same(jax.jit(jjnp.interp)(x, xp, fp), nablax.jit(njnp.interp)(x, xp, fp), path="jit")


def test_trapezoid_unwrap_cross():
    _both(lambda m: m.trapezoid(X, dx=0.5, axis=1))
    _both(lambda m: m.trapezoid(X, x=np.cumsum(np.abs(X), axis=0), axis=0))
    _both(lambda m: m.trapezoid(np.arange(4, dtype=np.int32)))
    ph = np.cumsum(RNG.uniform(-4, 4, (3, 10)), axis=1).astype(np.float32)
    _both(lambda m: m.unwrap(ph), rtol=1e-5, atol=1e-5)
    _both(lambda m: m.unwrap(np.array([0, 5, 10, 3], np.int32), period=8))
    a3, b3 = X[..., :3], X[..., 2:]
    _both(lambda m: m.cross(X[:2, :, :2], X[0, :, :3]))
    _both(lambda m: m.cross(X[:, :3], X[:, 1:4], axisa=1, axisb=1, axisc=0))
    _both(lambda m: m.cross(np.moveaxis(a3, -1, 0), np.moveaxis(b3, -1, 0), axis=0))
    def f(m):
        return (lambda a: (m.cross(a, b3) ** 2).sum() + (m.unwrap(a) ** 2).sum() + m.trapezoid(a ** 2).sum())
    assert_same(jax.grad(f(jjnp))(a3), nablax.grad(f(njnp))(a3), rtol=1e-4, atol=1e-4, path="grad")
