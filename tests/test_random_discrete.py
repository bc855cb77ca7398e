"""nablax.random's discrete and multivariate samplers: distributions against SciPy with fixed
keys (chi-square and KS tests at 4-sigma margins), special values, eager = jit = vmap, errors."""
import numpy as np
import pytest
import scipy.stats as st

import nablax as jax
import nablax.numpy as jnp
from nablax import random as R

N = 20_000
F32 = np.float32


def chi2_ok(samples, pmf, support):
    """Pearson chi-square over `support` (the rest pooled into one bin, bins of expected
    count < 5 merged into it) below df + 4 sqrt(2 df)."""
    x = np.asarray(samples).ravel()
    expected = pmf(support) * x.size
    keep = expected >= 5
    observed = np.array([(x == v).sum() for v in support[keep]], float)
    exp_kept = expected[keep]
    rest_obs, rest_exp = x.size - observed.sum(), x.size - exp_kept.sum()
    stat = ((observed - exp_kept) ** 2 / exp_kept).sum()
    df = keep.sum() - 1
    if rest_exp >= 5:
        stat += (rest_obs - rest_exp) ** 2 / rest_exp
        df += 1
    assert stat < df + 4 * np.sqrt(2 * df), (stat, df)


def ks_ok(samples, cdf):
    p = st.kstest(np.asarray(samples, np.float64).ravel(), cdf).pvalue
    assert p > 6.3e-5, p  # a 4-sigma two-sided margin


# -------------------------------------------------------------------- distributions

@pytest.mark.parametrize("lam", [0.7, 4.0, 9.5, 10.0, 60.0, 2500.0])
def test_poisson_distribution(lam):
    x = R.poisson(R.key(1), lam, (N,))
    assert x.dtype == jnp.int32 and x.shape == (N,)
    chi2_ok(x, st.poisson(lam).pmf, np.arange(int(lam + 8 * np.sqrt(lam) + 10)))


def test_poisson_special_values_and_broadcasting():
    lam = jnp.array([0.0, 2.0, 50.0])
    x = np.asarray(R.poisson(R.key(0), lam, (4000, 3)))
    assert (x[:, 0] == 0).all()
    np.testing.assert_allclose(x[:, 1:].mean(0), [2.0, 50.0], rtol=0.05)
    assert R.poisson(R.key(0), lam).shape == (3,)
    assert R.poisson(R.key(0), 3.0, (5,), dtype=jnp.int8).dtype == jnp.int8


@pytest.mark.parametrize("n,p", [(10, 0.3), (20, 0.9), (200, 0.3), (1000, 0.75), (50, 0.5)])
def test_binomial_distribution(n, p):
    x = R.binomial(R.key(2), float(n), p, (N,))
    assert x.dtype == jnp.float32
    chi2_ok(x, st.binom(n, p).pmf, np.arange(n + 1))


def test_binomial_special_values():
    n = jnp.array([0.0, 7.0, -1.0, np.nan, np.inf, 7.0, 7.0, 7.0])
    p = jnp.array([0.5, 0.0, 0.5, 0.5, 0.5, np.nan, 1.0, 1.5])
    x = np.asarray(R.binomial(R.key(3), n, p))
    np.testing.assert_array_equal(x[:2], [0.0, 0.0])
    assert np.isnan(x[2]) and np.isnan(x[3]) and np.isinf(x[4]) and np.isnan(x[5])
    assert x[6] == 7.0
    assert R.binomial(R.key(0), 10, 0.5, (3, 2)).shape == (3, 2)
    x = np.asarray(R.binomial(R.key(0), 12.7, 0.5, (500,)))  # a float count is floored, as NumPy
    assert x.max() <= 12


@pytest.mark.parametrize("p", [0.05, 0.5, 0.97])
def test_geometric_distribution(p):
    x = R.geometric(R.key(4), p, (N,))
    assert x.dtype == jnp.int32 and np.asarray(x).min() >= 1
    chi2_ok(x, st.geom(p).pmf, np.arange(1, 200))


def test_multinomial():
    p = np.array([0.1, 0.0, 0.4, 0.5], F32)
    x = np.asarray(R.multinomial(R.key(5), 50.0, p, shape=(4000, 4)))
    assert x.shape == (4000, 4) and x.dtype == np.float32
    np.testing.assert_array_equal(x.sum(-1), 50.0)
    assert (x[:, 1] == 0).all()
    np.testing.assert_allclose(x.mean(0), 50 * p, atol=4 * np.sqrt(50 * 0.25 / 4000))
    chi2_ok(x[:, 2], st.binom(50, 0.4).pmf, np.arange(51))
    # batches of n and p; integer dtypes
    y = R.multinomial(R.key(5), jnp.array([3.0, 30.0]), jnp.array([[0.5, 0.5], [0.2, 0.8]]), dtype=jnp.int32)
    assert y.dtype == jnp.int32 and y.shape == (2, 2)
    np.testing.assert_array_equal(np.asarray(y).sum(-1), [3, 30])


@pytest.mark.parametrize("method", ["cholesky", "eigh", "svd"])
def test_multivariate_normal(method):
    mean = np.array([1.0, -2.0, 0.5], F32)
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]], F32)
    x = np.asarray(R.multivariate_normal(R.key(6), mean, cov, (N,), method=method), np.float64)
    assert x.shape == (N, 3)
    se = np.sqrt(np.diag(cov) / N)
    assert (np.abs(x.mean(0) - mean) < 4 * se).all()
    np.testing.assert_allclose(np.cov(x.T), cov, atol=4 * np.sqrt(2 * 2.0 ** 2 / N))
    # each coordinate's marginal is normal
    ks_ok((x[:, 1] - mean[1]) / np.sqrt(cov[1, 1]), st.norm.cdf)


def test_multivariate_normal_batches_and_singular_cov():
    mean = jnp.zeros((4, 2))
    cov = jnp.array([[1.0, 1.0], [1.0, 1.0]])  # singular: eigh and svd still work
    for method in ("eigh", "svd"):
        x = np.asarray(R.multivariate_normal(R.key(0), mean, cov, method=method))
        assert x.shape == (4, 2)
        np.testing.assert_allclose(x[:, 0], x[:, 1], rtol=1e-4, atol=1e-4)
    assert R.multivariate_normal(R.key(0), jnp.zeros(2), jnp.eye(2), (5, 3)).shape == (5, 3, 2)


def test_triangular():
    x = R.triangular(R.key(7), -1.0, 0.5, 2.0, (N,))
    assert x.dtype == jnp.float32
    ks_ok(x, st.triang(c=1.5 / 3.0, loc=-1.0, scale=3.0).cdf)


@pytest.mark.parametrize("mean", [0.3, 1.0, 8.0])
def test_wald(mean):
    x = R.wald(R.key(8), mean, (N,))
    ks_ok(x, st.invgauss(mu=mean).cdf)


def test_lognormal():
    ks_ok(R.lognormal(R.key(9), 0.6, (N,)), st.lognorm(s=0.6).cdf)
    ks_ok(R.lognormal(R.key(9), shape=(N,)), st.lognorm(s=1.0).cdf)
    assert R.lognormal(R.key(0), shape=(2,), dtype=jnp.complex64).dtype == jnp.complex64


def test_double_sided_maxwell():
    x = np.asarray(R.double_sided_maxwell(R.key(10), 2.0, 3.0, (N,)))
    ks_ok(np.abs(x - 2.0) / 3.0, st.maxwell.cdf)
    assert abs(np.mean(x > 2.0) - 0.5) < 4 * 0.5 / np.sqrt(N)
    assert R.double_sided_maxwell(R.key(0), jnp.zeros(3), 1.0, (5,)).shape == (5, 3)
    assert R.double_sided_maxwell(R.key(0), jnp.zeros(3), 1.0).shape == (3, 3)  # JAX's rule: () -> params


def test_maxwell():
    ks_ok(R.maxwell(R.key(11), (N,)), st.maxwell.cdf)


def test_key_dtype():
    assert R.key_dtype() == R.key(0).dtype
    assert R.key_dtype("threefry2x32") == R.key(0).dtype
    with pytest.raises(ValueError, match="unrecognized PRNG"):
        R.key_dtype("rbg")


def test_float64_under_x64():
    with jax.config.enable_x64(True):
        assert R.poisson(R.key(0), 3.0).dtype == jnp.int64
        assert R.binomial(R.key(0), 30.0, 0.4, (3,)).dtype == jnp.float64
        x = np.asarray(R.binomial(R.key(0), 300.0, jnp.float64(0.4), (N,)))
        chi2_ok(x, st.binom(300, 0.4).pmf, np.arange(301))
        assert R.wald(R.key(0), 1.0).dtype == jnp.float64


# ------------------------------------------------------- transformations, keys

SAMPLERS = {
    "poisson": lambda k: R.poisson(k, jnp.array([1.0, 30.0, 300.0]), (4, 3)),
    "binomial": lambda k: R.binomial(k, jnp.array([5.0, 100.0]), jnp.array([0.3, 0.6]), (3, 2)),
    "geometric": lambda k: R.geometric(k, 0.3, (5,)),
    "multinomial": lambda k: R.multinomial(k, 20.0, jnp.array([0.2, 0.3, 0.5])),
    "mvn": lambda k: R.multivariate_normal(k, jnp.zeros(2), jnp.array([[1.0, 0.3], [0.3, 2.0]]), (4,)),
    "triangular": lambda k: R.triangular(k, 0.0, 0.2, 1.0, (5,)),
    "wald": lambda k: R.wald(k, 2.0, (5,)),
    "lognormal": lambda k: R.lognormal(k, 0.5, (5,)),
    "dsm": lambda k: R.double_sided_maxwell(k, 0.0, 1.0, (5,)),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_eager_jit_vmap_agree(name):
    f = SAMPLERS[name]
    keys = R.split(R.key(12), 3)
    eager = np.stack([np.asarray(f(k)) for k in keys])
    np.testing.assert_array_equal(np.asarray(jax.jit(jax.vmap(f))(keys)), eager)
    np.testing.assert_array_equal(np.asarray(jax.vmap(f)(keys)), eager)
    np.testing.assert_array_equal(np.asarray(jax.jit(f)(keys[1])), eager[1])
    legacy = R.key_data(keys[0])
    np.testing.assert_array_equal(np.asarray(f(legacy)), eager[0])


def test_vmap_over_parameters():
    lam = jnp.array([1.0, 20.0, 500.0])
    out = jax.vmap(lambda l: R.poisson(R.key(0), l, (6,)))(lam)
    for i, l in enumerate(lam):
        np.testing.assert_array_equal(np.asarray(out[i]), np.asarray(R.poisson(R.key(0), l, (6,))))


def test_wald_and_triangular_differentiable_in_parameters():
    g = jax.grad(lambda m: R.triangular(R.key(0), 0.0, m, 1.0, (4,)).sum())(0.5)
    assert np.isfinite(float(g))
    g = jax.grad(lambda s: R.lognormal(R.key(0), s, (4,)).sum())(0.5)
    assert np.isfinite(float(g))


# ---------------------------------------------------------------------- errors

@pytest.mark.parametrize("call,exc,match", [
    (lambda: R.multivariate_normal(R.key(0), jnp.zeros(2), jnp.eye(2), method="qr"), ValueError, "method"),
    (lambda: R.multivariate_normal(R.key(0), 0.0, jnp.eye(2)), ValueError, "mean.ndim"),
    (lambda: R.multivariate_normal(R.key(0), jnp.zeros(2), jnp.ones(2)), ValueError, "cov.ndim"),
    (lambda: R.multivariate_normal(R.key(0), jnp.zeros(2), jnp.eye(3)), ValueError, "cov.shape"),
    (lambda: R.multivariate_normal(R.key(0), jnp.zeros((3, 2)), jnp.eye(2), (4,)), ValueError, "broadcast"),
    (lambda: R.poisson(R.key(0), 1.0, dtype=jnp.float32), ValueError, "int dtype"),
    (lambda: R.geometric(R.key(0), 0.5, dtype=jnp.float32), ValueError, "int dtype"),
    (lambda: R.binomial(R.key(0), 5.0, 0.5, dtype=jnp.int32), ValueError, "float dtype"),
    (lambda: R.binomial(R.key(0), [5.0], 0.5), TypeError, "ndarray or scalar"),
    (lambda: R.binomial(R.key(0), 5.0, jnp.ones(3), (2,)), ValueError, "broadcast"),
    (lambda: R.wald(R.key(0), 1.0, dtype=jnp.int32), ValueError, "float dtype"),
    (lambda: R.wald(R.key(0), np.ones(2), dtype=jnp.float16), ValueError, "safely cast"),
    (lambda: R.poisson(R.split(R.key(0)), 1.0), ValueError, "vmap"),
    (lambda: R.poisson("key", 1.0), TypeError, "key"),
    (lambda: R.poisson(R.key(0), 1.0, (-1,)), ValueError, "negative"),
    (lambda: R.normal(R.key(0), (2.5,)), TypeError, "shape"),
    (lambda: R.normal(R.key(0), (2,), jnp.int32), ValueError, "float"),
    (lambda: R.uniform(R.key(0), (2,), jnp.int32), ValueError, "float"),
    (lambda: R.randint(R.key(0), (2,), 0, 3, jnp.float32), TypeError, "integer"),
    (lambda: R.bits(R.key(0), (2,), jnp.float32), ValueError, "unsigned"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
