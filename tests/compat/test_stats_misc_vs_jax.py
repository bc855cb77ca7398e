"""nablax.scipy.stats' gaussian_kde, mode, rankdata and sem against JAX 0.10: values, dtypes,
weak types, shapes, gradients, resampled bits and errors (zscore, which JAX lacks, is tested
against SciPy in tests/test_stats_misc.py)."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.scipy.stats as jst  # noqa: E402

import nablax  # noqa: E402
import nablax.scipy.stats as nst  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402

_R = np.random.RandomState(3)
TIES = np.array([[3.0, 1.0, 2.0, 2.0], [5.0, 5.0, -1.0, 0.0], [1.0, 1.0, 1.0, 7.0]], np.float32)
INTS = np.array([[4, 2, 2, 9], [1, 1, 3, 3], [0, 8, 8, 8]], np.int32)
WITH_NAN = np.array([[1.0, np.nan, 2.0, 2.0], [0.0, 0.5, 0.5, 3.0], [np.nan, np.nan, 1.0, 1.0]], np.float32)


# --------------------------------------------------------------------------------- mode

@pytest.mark.parametrize("x", [TIES, INTS, WITH_NAN, TIES[0], np.float32(2.5)], ids=["ties", "ints", "nan", "1d",
                                                                                     "scalar"])
@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("keepdims", [False, True])
def test_mode(x, axis, keepdims):
    if axis in (1, -1) and np.ndim(x) < 2:
        axis = 0
    want = jst.mode(x, axis=axis, keepdims=keepdims)
    got = nst.mode(x, axis=axis, keepdims=keepdims)
    assert type(got).__name__ == "ModeResult"
    assert_same(tuple(want), tuple(got))


def test_mode_empty_and_jit():
    x = np.zeros((0, 3), np.float32)
    assert_same(tuple(jst.mode(x)), tuple(nst.mode(x)))
    want = jax.jit(jst.mode, static_argnames="axis")(TIES, axis=1)
    got = nablax.jit(nst.mode, static_argnames="axis")(TIES, axis=1)
    assert_same(tuple(want), tuple(got))


@pytest.mark.parametrize("kwargs,error", [({"nan_policy": "omit"}, NotImplementedError),
                                          ({"nan_policy": "raise"}, NotImplementedError),
                                          ({"nan_policy": "bogus"}, ValueError), ({"axis": 3}, ValueError)])
def test_mode_errors(kwargs, error):
    for lib in (jst, nst):
        with pytest.raises(error):
            lib.mode(TIES, **kwargs)


# ----------------------------------------------------------------------------- rankdata

@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
@pytest.mark.parametrize("x,axis", [(TIES, None), (TIES, 0), (TIES, 1), (INTS, -1), (WITH_NAN, 1), (WITH_NAN, None),
                                    (TIES[0], None), (np.float32(3.0), None)],
                         ids=["flat", "axis0", "axis1", "ints", "nan-rows", "nan-flat", "1d", "scalar"])
def test_rankdata(method, x, axis):
    assert_same(jst.rankdata(x, method, axis=axis), nst.rankdata(x, method, axis=axis))


def test_rankdata_jit_and_errors():
    assert_same(jax.jit(jst.rankdata, static_argnames="method")(TIES, method="dense"),
                nablax.jit(nst.rankdata, static_argnames="method")(TIES, method="dense"))
    for lib in (jst, nst):
        with pytest.raises(ValueError):
            lib.rankdata(TIES, "bogus")
        with pytest.raises(NotImplementedError):
            lib.rankdata(TIES, nan_policy="omit")
        with pytest.raises(ValueError):
            lib.rankdata(TIES, nan_policy="bogus")


# ---------------------------------------------------------------------------------- sem

@pytest.mark.parametrize("x", [TIES, INTS, WITH_NAN], ids=["float", "int", "nan"])
@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": None}, {"ddof": 0}, {"keepdims": True},
                                    {"nan_policy": "omit"}, {"nan_policy": "omit", "axis": 1, "keepdims": True}])
def test_sem(x, kwargs):
    assert_same(jst.sem(x, **kwargs), nst.sem(x, **kwargs))


def test_sem_scalar_gradient_and_errors():
    assert_same(jst.sem(np.float32(1.0), axis=None), nst.sem(np.float32(1.0), axis=None))
    assert_same(jax.grad(lambda x: jst.sem(x, axis=None))(TIES), nablax.grad(lambda x: nst.sem(x, axis=None))(TIES))
    for lib in (jst, nst):
        with pytest.raises(ValueError):
            lib.sem(TIES, nan_policy="raise")


# ------------------------------------------------------------------------- gaussian_kde

DATA1 = _R.randn(30).astype(np.float32)
DATA2 = (_R.randn(2, 40) * np.array([[1.0], [0.5]]) + np.array([[0.0], [2.0]])).astype(np.float32)
W2 = _R.uniform(0.5, 2.0, 40).astype(np.float32)


@pytest.mark.parametrize("data,weights,bw", [(DATA1, None, None), (DATA2, None, "silverman"), (DATA2, W2, None),
                                             (DATA2, W2, 0.4), (DATA1, None, lambda k: 0.3 * k.neff ** -0.2)],
                         ids=["1d", "2d-silverman", "weighted", "scalar-bw", "callable-bw"])
def test_kde_fields_and_densities(data, weights, bw):
    jk = jst.gaussian_kde(data, bw_method=bw, weights=weights)
    nk = nst.gaussian_kde(data, bw_method=bw, weights=weights)
    for field in ("neff", "dataset", "weights", "covariance", "inv_cov"):
        assert_same(getattr(jk, field), getattr(nk, field), rtol=1e-5, path=field)
    assert (nk.d, nk.n) == (jk.d, jk.n)
    pts = _R.randn(nk.d, 7).astype(np.float32)
    for method in ("evaluate", "pdf", "logpdf", "__call__"):
        assert_same(getattr(jk, method)(pts), getattr(nk, method)(pts), rtol=1e-5, atol=1e-7, path=method)
    assert_same(jk.evaluate(pts[:, 0]), nk.evaluate(pts[:, 0]), rtol=1e-5)  # one point
    assert_same(jk.integrate_gaussian(pts[:, 0], np.eye(nk.d, dtype=np.float32)),
                nk.integrate_gaussian(pts[:, 0], np.eye(nk.d, dtype=np.float32)), rtol=1e-5)
    other_j = jst.gaussian_kde(data[..., :9])
    other_n = nst.gaussian_kde(data[..., :9])
    assert_same(jk.integrate_kde(other_j), nk.integrate_kde(other_n), rtol=1e-5)


def test_kde_integrate_box_1d_and_resample():
    jk, nk = jst.gaussian_kde(DATA1), nst.gaussian_kde(DATA1)
    assert_same(jk.integrate_box_1d(-0.5, 1.0), nk.integrate_box_1d(-0.5, 1.0), rtol=1e-5)
    for shape in [(), (5,)]:
        want = jk.resample(jax.random.key(7), shape)
        got = nk.resample(nablax.random.key(7), shape)
        assert_same(want, got, rtol=1e-5, atol=1e-6, path=f"resample{shape}")
    jk2, nk2 = jst.gaussian_kde(DATA2, weights=W2), nst.gaussian_kde(DATA2, weights=W2)
    assert_same(jk2.resample(jax.random.key(1), (6,)), nk2.resample(nablax.random.key(1), (6,)), rtol=1e-5, atol=1e-6)


def test_kde_pytree_jit_grad():
    jk, nk = jst.gaussian_kde(DATA2), nst.gaussian_kde(DATA2)
    pts = DATA2[:, :5]
    assert len(nablax.tree_util.tree_leaves(nk)) == len(jax.tree_util.tree_leaves(jk)) == 5
    assert_same(jax.jit(lambda k, x: k.logpdf(x))(jk, pts), nablax.jit(lambda k, x: k.logpdf(x))(nk, pts), rtol=1e-5)
    want = jax.grad(lambda x: jst.gaussian_kde(x).logpdf(pts).sum())(DATA2)
    got = nablax.grad(lambda x: nst.gaussian_kde(x).logpdf(pts).sum())(DATA2)
    assert_same(want, got, rtol=2e-4, atol=2e-5)
    want = jax.grad(lambda p: jk.logpdf(p).sum())(pts)
    got = nablax.grad(lambda p: nk.logpdf(p).sum())(pts)
    assert_same(want, got, rtol=2e-4, atol=2e-5)


def test_kde_errors():
    for lib in (jst, nst):
        k1, k2 = lib.gaussian_kde(DATA1), lib.gaussian_kde(DATA2)
        with pytest.raises(ValueError):
            lib.gaussian_kde(np.ones(1, np.float32))
        with pytest.raises(ValueError):
            lib.gaussian_kde(DATA1, bw_method="bogus")
        with pytest.raises(ValueError):
            lib.gaussian_kde(DATA2, weights=W2[:5])
        with pytest.raises(NotImplementedError):
            lib.gaussian_kde(DATA1.astype(np.complex64))
        with pytest.raises(ValueError):
            k2.evaluate(np.ones((3, 4), np.float32))
        with pytest.raises(ValueError):
            k2.integrate_box_1d(0.0, 1.0)
        with pytest.raises(ValueError):
            k1.integrate_kde(k2)
        with pytest.raises(ValueError):
            k2.integrate_gaussian(np.zeros(3, np.float32), np.eye(2, dtype=np.float32))
        with pytest.raises(NotImplementedError):
            k1.integrate_box(0.0, 1.0)
        with pytest.raises(NotImplementedError):
            k1.set_bandwidth("scott")
        with pytest.raises(TypeError):
            k1.evaluate([0.0, 1.0])
