"""nablax.scipy.stats' gaussian_kde, mode, rankdata, sem and zscore against SciPy, with
finite-difference gradients, jit vs eager and vmap vs a loop."""
import numpy as np
import pytest
import scipy.stats as st

import nablax as jax
import nablax.numpy as jnp
import nablax.scipy.stats as S
from nablax.test_util import check_grads

_R = np.random.RandomState(5)
TIES = np.array([[3.0, 1.0, 2.0, 2.0], [5.0, 5.0, -1.0, 0.0], [1.0, 1.0, 1.0, 7.0]])
DATA1 = _R.randn(25)
DATA2 = _R.randn(2, 30) * np.array([[1.0], [0.5]])
W = _R.uniform(0.5, 2.0, 30)


@pytest.fixture
def x64():
    with jax.config.enable_x64(True):
        yield


def test_exports():
    assert sorted(S.__all__) == ["gaussian_kde", "mode", "rankdata", "sem", "zscore"]


# --------------------------------------------------------------------------------- mode

@pytest.mark.parametrize("axis", [0, 1, None])
def test_mode_matches_scipy(axis):
    m, c = S.mode(TIES, axis=axis)
    ref = st.mode(TIES, axis=axis)
    np.testing.assert_array_equal(np.asarray(m), ref.mode)
    np.testing.assert_array_equal(np.asarray(c), ref.count)
    assert c.dtype == np.int32 and m.dtype == np.float32


def test_mode_details():
    m, c = S.mode(TIES, axis=1, keepdims=True)
    assert m.shape == c.shape == (3, 1)
    # NaNs are one value; the smallest value wins a tie.
    m, c = S.mode(np.array([np.nan, 2.0, np.nan, 1.0, 1.0]))
    assert m == 1.0 and c == 2
    m, c = S.mode(np.array([np.nan, np.nan, 1.0]))
    assert np.isnan(m) and c == 2
    m, c = S.mode(np.zeros((0, 2)))
    assert np.isnan(np.asarray(m)).all() and m.shape == (2,) and c.dtype == np.float32
    for policy, err in [("omit", NotImplementedError), ("raise", NotImplementedError), ("x", ValueError)]:
        with pytest.raises(err):
            S.mode(TIES, nan_policy=policy)
    m, c = jax.jit(S.mode, static_argnames="axis")(TIES, axis=1)
    np.testing.assert_array_equal(np.asarray(m), st.mode(TIES, axis=1).mode)
    np.testing.assert_array_equal(np.asarray(jax.vmap(lambda r: S.mode(r).mode)(TIES)), st.mode(TIES, axis=1).mode)


# ----------------------------------------------------------------------------- rankdata

@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_rankdata_matches_scipy(method, axis):
    got = S.rankdata(TIES, method, axis=axis)
    np.testing.assert_array_equal(np.asarray(got), st.rankdata(TIES, method, axis=axis))
    assert got.dtype == np.float32 and not got.weak_type


def test_rankdata_nan_jit_vmap():
    x = np.array([[1.0, np.nan, 2.0], [3.0, 3.0, 1.0]])
    got = np.asarray(S.rankdata(x, axis=1))
    assert np.isnan(got[0]).all()
    np.testing.assert_array_equal(got[1], [2.5, 2.5, 1.0])
    assert np.isnan(np.asarray(S.rankdata(x))).all()
    jitted = jax.jit(S.rankdata, static_argnames=("method", "axis"))
    np.testing.assert_array_equal(np.asarray(jitted(TIES, method="min", axis=0)), st.rankdata(TIES, "min", axis=0))
    np.testing.assert_array_equal(np.asarray(jax.vmap(S.rankdata)(TIES)), st.rankdata(TIES, axis=1))
    with pytest.raises(ValueError, match="method"):
        S.rankdata(TIES, "bogus")
    with pytest.raises(TypeError):
        S.rankdata([1.0, 2.0])


# ---------------------------------------------------------------------- sem and zscore

@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": None}, {"ddof": 0}])
def test_sem_matches_scipy(kwargs, x64):
    np.testing.assert_allclose(np.asarray(S.sem(TIES, **kwargs)), st.sem(TIES, **kwargs), rtol=1e-12)


def test_sem_omit_keepdims_grad(x64):
    x = TIES.copy()
    x[0, 1] = np.nan
    np.testing.assert_allclose(np.asarray(S.sem(x, axis=1, nan_policy="omit")), st.sem(x, axis=1, nan_policy="omit"),
                               rtol=1e-12)
    assert S.sem(TIES, axis=1, keepdims=True).shape == (3, 1)
    with pytest.raises(ValueError):
        S.sem(TIES, nan_policy="raise")
    check_grads(lambda x: S.sem(x, axis=1), (TIES + _R.randn(3, 4) * 0.1,), order=2)
    assert S.sem(np.arange(4)).dtype == np.float64


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": None}, {"ddof": 1}])
def test_zscore_matches_scipy(kwargs, x64):
    np.testing.assert_allclose(np.asarray(S.zscore(TIES, **kwargs)), st.zscore(TIES, **kwargs), rtol=1e-12)


def test_zscore_omit_grad_jit(x64):
    x = TIES.copy()
    x[1, 2] = np.nan
    np.testing.assert_allclose(np.asarray(S.zscore(x, axis=1, nan_policy="omit")),
                               st.zscore(x, axis=1, nan_policy="omit"), rtol=1e-12)
    assert np.isnan(np.asarray(S.zscore(x, axis=1))[1]).all()
    with pytest.raises(NotImplementedError):
        S.zscore(x, nan_policy="raise")
    with pytest.raises(ValueError):
        S.zscore(x, nan_policy="bogus")
    check_grads(lambda x: S.zscore(x, axis=0), (TIES + _R.randn(3, 4) * 0.1,), order=2)
    np.testing.assert_allclose(np.asarray(jax.jit(S.zscore)(TIES)), st.zscore(TIES), rtol=1e-12)
    out = S.zscore(np.arange(5, dtype=np.int64))
    assert out.dtype == np.float64


# ------------------------------------------------------------------------- gaussian_kde

@pytest.mark.parametrize("data,weights,bw", [(DATA1, None, None), (DATA2, None, "silverman"), (DATA2, W, None),
                                             (DATA2, W, 0.4)], ids=["1d", "silverman", "weighted", "scalar-bw"])
def test_kde_matches_scipy(data, weights, bw, x64):
    ours, ref = S.gaussian_kde(data, bw, weights), st.gaussian_kde(data, bw, weights)
    np.testing.assert_allclose(np.asarray(ours.covariance), ref.covariance, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ours.inv_cov), ref.inv_cov, rtol=1e-10)
    np.testing.assert_allclose(ours.neff, ref.neff, rtol=1e-12)
    pts = _R.randn(ours.d, 6)
    np.testing.assert_allclose(np.asarray(ours(pts)), ref(pts), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(ours.pdf(pts)), ref.pdf(pts), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(ours.logpdf(pts)), ref.logpdf(pts), rtol=1e-10)
    mean, cov = pts[:, 0], np.eye(ours.d) * 0.7
    np.testing.assert_allclose(ours.integrate_gaussian(mean, cov), ref.integrate_gaussian(mean, cov), rtol=1e-10)
    other = data[..., :7] + 0.3
    np.testing.assert_allclose(ours.integrate_kde(S.gaussian_kde(other)),
                               ref.integrate_kde(st.gaussian_kde(other)), rtol=1e-10)
    np.testing.assert_allclose(S.gaussian_kde(other).integrate_kde(ours), ref.integrate_kde(st.gaussian_kde(other)),
                               rtol=1e-10)


def test_kde_box_resample_pytree(x64):
    ours, ref = S.gaussian_kde(DATA1), st.gaussian_kde(DATA1)
    np.testing.assert_allclose(ours.integrate_box_1d(-0.5, 1.2), ref.integrate_box_1d(-0.5, 1.2), rtol=1e-10)
    draws = ours.resample(jax.random.key(0), (4000,))
    assert draws.shape == (1, 4000)
    # KS test of the draws against the estimate's own CDF (4-sigma-like margin: p > 1e-4).
    cdf = np.vectorize(lambda t: ref.integrate_box_1d(-np.inf, t))
    assert st.kstest(np.asarray(draws[0]), cdf).pvalue > 1e-4
    assert ours.resample(jax.random.key(0)).shape == (1,)
    leaves, tree = jax.tree_util.tree_flatten(ours)
    assert len(leaves) == 5
    back = jax.tree_util.tree_unflatten(tree, leaves)
    np.testing.assert_allclose(np.asarray(back.evaluate(0.3)), ref.evaluate(0.3), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda k, x: k.logpdf(x))(ours, DATA1[:5])), ref.logpdf(DATA1[:5]),
                               rtol=1e-10)
    loop = [np.asarray(ours.evaluate(x)) for x in DATA1[:4]]
    np.testing.assert_allclose(np.asarray(jax.vmap(ours.evaluate)(DATA1[:4]))[:, 0], np.ravel(loop), rtol=1e-12)
    with pytest.raises(AttributeError):
        ours.neff = 3.0


def test_kde_gradients(x64):
    check_grads(lambda x: S.gaussian_kde(DATA2).logpdf(x), (DATA2[:, :3] + 0.1,), order=2)
    check_grads(lambda d: S.gaussian_kde(d).logpdf(DATA2[:, :3]), (DATA2[:, :8],), order=1)
    check_grads(lambda m: S.gaussian_kde(DATA2).integrate_gaussian(m, np.eye(2)), (jnp.array([0.2, -0.1]),), order=2)
    check_grads(lambda lo: S.gaussian_kde(DATA1).integrate_box_1d(lo, 1.0), (-0.3,), order=2)


def test_kde_errors():
    k1, k2 = S.gaussian_kde(DATA1), S.gaussian_kde(DATA2)
    with pytest.raises(ValueError, match="multiple elements"):
        S.gaussian_kde(np.ones(1))
    with pytest.raises(ValueError, match="bw_method"):
        S.gaussian_kde(DATA1, bw_method="bogus")
    with pytest.raises(ValueError, match="length n"):
        S.gaussian_kde(DATA2, weights=W[:5])
    with pytest.raises(NotImplementedError, match="complex"):
        S.gaussian_kde(DATA1.astype(np.complex64))
    with pytest.raises(ValueError, match="dimension"):
        k2.evaluate(np.ones((3, 4)))
    with pytest.raises(ValueError, match="1D"):
        k2.integrate_box_1d(0.0, 1.0)
    with pytest.raises(ValueError, match="scalars"):
        k1.integrate_box_1d(np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="dimensionality"):
        k1.integrate_kde(k2)
    with pytest.raises(NotImplementedError, match="integrate_box_1d"):
        k1.integrate_box(0.0, 1.0)
    with pytest.raises(NotImplementedError, match="bandwidth"):
        k1.set_bandwidth("scott")
