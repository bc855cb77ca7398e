"""nablax.numpy quantiles, nan-arg-extremes, cov/corrcoef and sample calculus against NumPy and
known answers: values, dtypes, errors, check_grads (fwd and rev, order 2), eager vs jit."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


RNG = np.random.default_rng(1)
X = RNG.standard_normal((3, 4, 5))
XN = X.copy()
XN[0, 1, :] = np.nan
XN[2, 0, 1] = np.nan
Q = np.array([0.0, 0.15, 0.5, 0.8, 1.0])


def _close(actual, expected, rtol=1e-10, atol=1e-12):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "inverted_cdf"])
def test_quantiles_match_numpy(x64, method):
    for axis, keepdims in ((None, False), (1, True), ((0, 2), False)):
        _close(jnp.quantile(X, Q, axis=axis, method=method, keepdims=keepdims),
               np.quantile(X, Q, axis=axis, method=method, keepdims=keepdims))
        _close(jnp.nanquantile(XN, 0.3, axis=axis, method=method, keepdims=keepdims),
               np.nanquantile(XN, 0.3, axis=axis, method=method, keepdims=keepdims))
    _close(jnp.percentile(X, np.array([5.0, 50.0]), axis=2, method=method),
           np.percentile(X, [5.0, 50.0], axis=2, method=method))
    _close(jnp.nanpercentile(XN, 64.0, axis=-1, method=method), np.nanpercentile(XN, 64.0, axis=-1, method=method))


def test_quantile_known_answers_and_dtypes():
    x = jnp.arange(10)
    assert jnp.quantile(x, jnp.array([0.25, 0.5, 0.75])).tolist() == [2.25, 4.5, 6.75]
    assert jnp.quantile(x, jnp.array([0.25, 0.5, 0.75]), method="nearest").tolist() == [2.0, 4.0, 7.0]  # (0.5 -> lower)
    assert float(jnp.quantile(jnp.array([1, 2, 3, 4, 5]), 0.5, weights=jnp.array([1, 1, 2, 1, 1]),
                              method="inverted_cdf")) == 3.0
    assert float(jnp.nanquantile(jnp.array([1, 2, np.nan, 4, 5]), 0.5, weights=jnp.array([1, 1, 1, 2, 1]),
                                 method="inverted_cdf")) == 4.0
    assert np.isnan(jnp.quantile(jnp.array([1.0, 2.0]), 0.5, weights=jnp.array([1.0, -1.0]), method="inverted_cdf"))
    assert np.isnan(jnp.quantile(jnp.array([1.0, np.nan]), 0.5)) and float(jnp.nanmedian(jnp.array([1.0, np.nan, 3.0]))) == 2.0
    assert np.isnan(jnp.nanmedian(jnp.array([np.nan, np.nan])))
    assert float(jnp.quantile(jnp.arange(5.0), 1.5)) == 4.0  # q outside [0, 1] is clamped, as in JAX
    r = jnp.median(jnp.arange(7, dtype=jnp.int32))
    assert r.dtype == np.float32 and not r.weak_type and float(r) == 3.0
    assert jnp.quantile(jnp.arange(4.0, dtype=jnp.float16), 0.5).dtype == np.float16
    assert jnp.quantile(X.astype(np.float32), Q, axis=(0, 2), keepdims=True).shape == (5, 1, 4, 1)


def test_quantile_errors():
    x = jnp.arange(4.0)
    for call, exc in ((lambda: jnp.quantile(x, 0.5, method="bogus"), ValueError),
                      (lambda: jnp.quantile(x, jnp.ones((2, 2))), ValueError),
                      (lambda: jnp.quantile(x + 1j, 0.5), ValueError),
                      (lambda: jnp.quantile(x, 0.5, overwrite_input=True), ValueError),
                      (lambda: jnp.quantile(x, 1), TypeError),
                      (lambda: jnp.quantile(x, 0.5, weights=x), NotImplementedError),
                      (lambda: jnp.quantile(x, 0.5, method="inverted_cdf", weights=x + 1j), ValueError),
                      (lambda: jnp.quantile(jnp.ones((2, 3)), 0.5, method="inverted_cdf", weights=jnp.ones(3)), ValueError),
                      (lambda: jnp.median(jnp.zeros((0, 2))), TypeError),
                      (lambda: jnp.quantile(x, 0.5, axis=1), ValueError)):
        with pytest.raises(exc):
            call()
        with pytest.raises(exc):
            nablax.jit(lambda call=call: call())()


def test_quantile_grads_and_jit(x64):
    x = RNG.permutation(20).reshape(4, 5) + 0.1  # (distinct values: the order is locally constant)
    for method in ("linear", "midpoint", "nearest", "lower"):
        check_grads(lambda a, m=method: jnp.quantile(a, Q, axis=1, method=m), (x,), order=2, modes=("fwd", "rev"))
    check_grads(lambda a: jnp.nanpercentile(a, 40.0, axis=0), (np.where(x > 15, np.nan, x),), order=2,
                modes=("fwd", "rev"))
    check_grads(jnp.median, (x,), order=2, modes=("fwd", "rev"))
    _close(nablax.jit(lambda a: jnp.nanquantile(a, Q, axis=(0, 2)))(XN), jnp.nanquantile(XN, Q, axis=(0, 2)))
    _close(nablax.vmap(lambda a: jnp.median(a))(X), np.median(X.reshape(3, -1), axis=1))


def test_nanargmax_nanargmin():
    a = np.array([[np.nan, 1.0, 3.0], [np.nan, np.nan, np.nan], [2.0, -1.0, np.nan]])
    assert jnp.nanargmax(a, axis=1).tolist() == [2, -1, 0]  # (JAX: -1 where all are NaN)
    assert jnp.nanargmin(a, axis=1, keepdims=True).tolist() == [[1], [-1], [1]]
    assert int(jnp.nanargmax(a)) == 2 and int(jnp.nanargmin(a)) == 7
    assert jnp.nanargmax(np.array([[1, 5], [7, 2]]), axis=0).tolist() == [1, 0]
    assert nablax.jit(jnp.nanargmin)(a).dtype == np.int32
    with pytest.raises(ValueError):
        jnp.nanargmax(np.zeros(0))


def test_cov_corrcoef(x64):
    m = RNG.standard_normal((3, 7))
    y = RNG.standard_normal(7)
    fw = np.array([1, 2, 1, 3, 1, 2, 1])
    aw = RNG.uniform(0.5, 2.0, 7)
    for kw in ({}, {"bias": True}, {"ddof": 3}, {"fweights": fw}, {"aweights": aw}, {"fweights": fw, "aweights": aw, "ddof": 2}):
        _close(jnp.cov(m, **kw), np.cov(m, **kw))
    _close(jnp.cov(m.T, rowvar=False), np.cov(m.T, rowvar=False))
    _close(jnp.cov(m, y), np.cov(m, y))
    _close(jnp.cov(m[0]), np.cov(m[0]))
    _close(jnp.corrcoef(m, y), np.corrcoef(m, y))
    _close(jnp.corrcoef(m + 1j * m[::-1]), np.corrcoef(m + 1j * m[::-1]))
    assert float(jnp.corrcoef(m[0])) == 1.0
    assert jnp.cov(m, dtype=np.float32).dtype == np.float32 and jnp.cov(np.zeros((0, 3))).shape == (0, 0)
    assert np.isnan(jnp.cov(np.zeros((2, 0)))).all()
    for call, exc in ((lambda: jnp.cov(np.zeros((2, 2, 2))), ValueError), (lambda: jnp.cov(m, fweights=aw), TypeError),
                      (lambda: jnp.cov(m, aweights=aw[:3]), RuntimeError), (lambda: jnp.cov(m, dtype=np.int32), ValueError)):
        with pytest.raises(exc):
            call()
    check_grads(lambda a: jnp.corrcoef(a), (m,), order=2, modes=("fwd", "rev"))
    check_grads(lambda a, w: jnp.cov(a, aweights=w), (m, aw), order=2, modes=("fwd", "rev"))


def test_diff_ediff1d(x64):
    _close(jnp.diff(X, n=2, axis=1, prepend=0.5, append=X[:, :1]), np.diff(X, n=2, axis=1, prepend=0.5, append=X[:, :1]))
    assert jnp.diff(np.array([True, False, False])).tolist() == [True, False]
    assert jnp.diff(np.array([1, 4, 9, 16], np.int8), n=2).dtype == np.int8
    assert jnp.diff(np.array([1.0, 2.0]), n=3).shape == (0,)
    assert jnp.ediff1d(np.array([[1, 2], [4, 7]]), to_end=np.array([9.7]), to_begin=-1).tolist() == [-1, 1, 2, 3, 9]
    for call in (lambda: jnp.diff(3.0), lambda: jnp.diff(X, n=-1)):
        with pytest.raises(ValueError):
            call()
    check_grads(lambda a: jnp.diff(a, 2, axis=0, prepend=a[:1]), (X,), order=2, modes=("fwd", "rev"))


def test_gradient(x64):
    coords = np.array([0.0, 0.5, 1.5, 3.0])
    for got, want in zip(jnp.gradient(X, 2.0, coords, 0.5), np.gradient(X, 2.0, coords, 0.5)):
        _close(got, want)
    _close(jnp.gradient(X, coords, axis=1), np.gradient(X, coords, axis=1))
    _close(jnp.gradient(np.arange(5) ** 2), np.gradient(np.arange(5) ** 2))
    assert jnp.gradient(X, axis=()) == []
    with pytest.raises(NotImplementedError):
        jnp.gradient(X, edge_order=2)
    with pytest.raises(ValueError):
        jnp.gradient(np.ones((1, 3)))
    with pytest.raises(TypeError):
        jnp.gradient(X, 1.0, 2.0)
    check_grads(lambda a, h: jnp.gradient(a, h, axis=1), (X, coords), order=2, modes=("fwd", "rev"))


def test_interp(x64):
    xp = np.array([0.0, 1.0, 2.5, 4.0])
    fp = np.array([1.0, 3.0, -1.0, 2.0])
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.9, 4.0, 5.0, np.nan])
    _close(jnp.interp(x, xp, fp), np.interp(x, xp, fp))
    _close(jnp.interp(x, xp, fp, left=-9.0, right=9.0), np.interp(x, xp, fp, left=-9.0, right=9.0))
    _close(jnp.interp(x, xp, fp, period=3.0), np.interp(x, xp, fp, period=3.0))
    _close(jnp.interp(x, xp, fp + 2j * fp[::-1]), np.interp(x, xp, fp + 2j * fp[::-1]))
    assert jnp.interp(np.array([-1.0, 5.0]), xp, fp, left="extrapolate", right="extrapolate").tolist() == [-1.0, 4.0]
    for call in (lambda: jnp.interp(x, xp, fp[:3]), lambda: jnp.interp(x, xp, fp, left="bad"),
                 lambda: jnp.interp(x + 1j, xp, fp), lambda: jnp.interp(x, xp, fp, period=np.ones(2))):
        with pytest.raises(ValueError):
            call()
    xs = np.array([0.2, 1.3, 3.1, 4.5])
    check_grads(lambda a, b, c: jnp.interp(a, b, c, right="extrapolate"), (xs, xp, fp), order=2, modes=("fwd", "rev"))
    _close(nablax.jit(jnp.interp)(x, xp, fp), np.interp(x, xp, fp))
    _close(nablax.vmap(jnp.interp, (0, None, None))(x.reshape(2, 5), xp, fp), np.interp(x, xp, fp).reshape(2, 5))


def test_trapezoid_unwrap_cross(x64):
    _close(jnp.trapezoid(X, axis=1), np.trapezoid(X, axis=1))
    _close(jnp.trapezoid(X, dx=0.3), np.trapezoid(X, dx=0.3))
    xs = np.cumsum(RNG.uniform(0.1, 1.0, 5))
    _close(jnp.trapezoid(X, x=xs), np.trapezoid(X, x=xs))
    _close(jnp.trapezoid(X, x=np.cumsum(np.abs(X), 0), axis=0), np.trapezoid(X, x=np.cumsum(np.abs(X), 0), axis=0))
    ph = np.cumsum(RNG.uniform(-4, 4, (2, 12)), axis=1)
    _close(jnp.unwrap(ph), np.unwrap(ph))
    _close(jnp.unwrap(ph.T, discont=4.0, axis=0), np.unwrap(ph.T, discont=4.0, axis=0))
    _close(jnp.unwrap(ph, period=5.0), np.unwrap(ph, period=5.0))
    assert jnp.unwrap(np.array([0, 5, 10, 3]), period=8).tolist() == [0, -3, -6, -5]
    a3, b3 = X[..., :3], X[..., 2:]
    _close(jnp.cross(a3, b3), np.cross(a3, b3))
    _close(jnp.cross(X[:, :3], X[:, 1:4], axisa=1, axisb=1, axisc=0), np.cross(X[:, :3], X[:, 1:4], axisa=1, axisb=1, axisc=0))
    assert jnp.cross(np.array([1.0, 2.0]), np.array([3.0, 4.0])).tolist() == -2.0
    assert jnp.cross(np.array([1, 0]), np.array([0, 1, 0])).tolist() == [0, 0, 1]
    with pytest.raises(ValueError):
        jnp.cross(np.ones(4), np.ones(3))
    check_grads(lambda a, b: jnp.cross(a, b), (a3, b3), order=2, modes=("fwd", "rev"))
    check_grads(lambda y, x: jnp.trapezoid(y, x), (X, xs), order=2, modes=("fwd", "rev"))
    check_grads(jnp.unwrap, (ph,), order=2, modes=("fwd", "rev"))
