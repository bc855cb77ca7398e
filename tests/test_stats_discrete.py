"""nablax.scipy.stats' discrete and multivariate distributions against SciPy (values, support
edges), with finite-difference gradients, jit vs eager and vmap vs a loop, and the dtypes
and weak types JAX gives (hard-coded here; tests/compat checks them against live JAX)."""
import numpy as np
import pytest
import scipy.stats as st

import nablax as jax
import nablax.numpy as jnp
import nablax.scipy.stats as S
from nablax.test_util import check_grads

K = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0])


@pytest.fixture
def x64():
    with jax.config.enable_x64(True):
        yield


# (nablax function, SciPy function, parameters): values over K in float64.
SCIPY_CASES = [
    (S.bernoulli.logpmf, st.bernoulli.logpmf, (0.3,)),
    (S.bernoulli.pmf, st.bernoulli.pmf, (0.3,)),
    (S.bernoulli.cdf, st.bernoulli.cdf, (0.3,)),
    (S.betabinom.logpmf, st.betabinom.logpmf, (6.0, 2.5, 1.5)),
    (S.betabinom.pmf, st.betabinom.pmf, (6.0, 0.5, 3.0)),
    (S.binom.logpmf, st.binom.logpmf, (6.0, 0.35)),
    (S.binom.pmf, st.binom.pmf, (6.0, 0.35)),
    (S.geom.logpmf, st.geom.logpmf, (0.3,)),
    (S.geom.pmf, st.geom.pmf, (0.3,)),
    (S.nbinom.logpmf, st.nbinom.logpmf, (2.5, 0.4)),
    (S.nbinom.pmf, st.nbinom.pmf, (2.5, 0.4)),
    (S.poisson.logpmf, st.poisson.logpmf, (2.5,)),
    (S.poisson.pmf, st.poisson.pmf, (2.5,)),
    (S.poisson.cdf, st.poisson.cdf, (2.5,)),
]


@pytest.mark.parametrize("ours,ref,params", SCIPY_CASES, ids=[f"{c[1].__self__.name}.{c[1].__name__}"
                                                              for c in SCIPY_CASES])
def test_matches_scipy(ours, ref, params, x64):
    np.testing.assert_allclose(np.asarray(ours(K, *params)), ref(K, *params), rtol=1e-10, atol=1e-300)
    if "loc" in ours.__code__.co_varnames:  # a shifted distribution
        np.testing.assert_allclose(np.asarray(ours(K, *params, 1.0)), ref(K, *params, loc=1.0), rtol=1e-10)


def test_bernoulli_ppf_and_edges(x64):
    q = np.array([0.0, 0.2, 0.7, 0.71, 1.0])
    # As JAX: 0 at q = 0 (SciPy gives -1 there, one below the support).
    np.testing.assert_array_equal(np.asarray(S.bernoulli.ppf(q, 0.3)), [0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(np.asarray(S.bernoulli.ppf(q[1:], 0.3)), st.bernoulli.ppf(q[1:], 0.3))
    # Outside [0, 1], and NaN inputs, give NaN (as JAX; SciPy agrees).
    assert np.isnan(S.bernoulli.ppf(1.5, 0.3)) and np.isnan(S.bernoulli.ppf(0.5, 1.2))
    assert np.isnan(S.bernoulli.cdf(0.5, -0.1)) and np.isnan(S.bernoulli.cdf(np.nan, 0.3))
    assert S.bernoulli.logpmf(2.0, 0.3) == -np.inf and S.bernoulli.logpmf(-1.0, 0.3) == -np.inf
    # p = 0 and 1 are exact: log 1 = 0, not 0 * log 0 = nan.
    assert S.bernoulli.logpmf(0.0, 0.0) == 0.0 and S.bernoulli.logpmf(1.0, 1.0) == 0.0


def test_support_edges(x64):
    # binom: k is not rounded (gammaln carries the binomial coefficient), as JAX.
    np.testing.assert_allclose(S.binom.pmf(2.5, 6.0, 0.3),
                               np.exp(st.binom.logpmf(2, 6, 0.3) * 0 + _gammaln_binom(2.5, 6.0, 0.3)), rtol=1e-12)
    assert S.binom.logpmf(7.0, 6.0, 0.3) == -np.inf and S.binom.logpmf(0.0, 0.0, 0.3) == 0.0
    # poisson: non-integer k and k < 0 have no mass; mu = 0 is a point mass at 0.
    assert S.poisson.logpmf(2.5, 2.0) == -np.inf and S.poisson.pmf(0.0, 0.0) == 1.0
    assert S.poisson.cdf(-0.5, 2.0) == 0.0
    np.testing.assert_allclose(S.poisson.cdf(2.7, 2.0), st.poisson.cdf(2, 2.0), rtol=1e-12)
    # betabinom: floor(k) is used; invalid n, a, b give NaN.
    np.testing.assert_allclose(S.betabinom.pmf(2.7, 6.0, 2.0, 3.0), st.betabinom.pmf(2, 6, 2.0, 3.0), rtol=1e-12)
    for n, a, b in [(-1.0, 2.0, 3.0), (5.0, 0.0, 3.0), (5.0, 2.0, -1.0)]:
        assert np.isnan(S.betabinom.logpmf(1.0, n, a, b))
    assert S.betabinom.pmf(0.0, 0.0, 1.0, 1.0) == 1.0
    assert S.geom.logpmf(0.0, 0.3) == -np.inf and S.nbinom.logpmf(-1.0, 2.0, 0.3) == -np.inf


def _gammaln_binom(k, n, p):
    from scipy.special import gammaln
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * np.log(p) + (n - k) * np.log1p(-p)


def test_poisson_entropy(x64):
    mu = np.array([0.5, 3.0, 9.5, 10.0, 45.0, 99.0])
    np.testing.assert_allclose(np.asarray(S.poisson.entropy(mu)), st.poisson.entropy(mu), rtol=2e-6)
    # From mu = 100 on, JAX's (and so nablax's) asymptotic log(2 pi e mu) / 2 - 1 / (12 mu),
    # within 5e-4 of SciPy's sum.
    mu = np.array([100.0, 150.0, 1e4])
    np.testing.assert_allclose(np.asarray(S.poisson.entropy(mu)), 0.5 * np.log(2 * np.pi * np.e * mu) - 1 / (12 * mu),
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.poisson.entropy(mu[:2])), st.poisson.entropy(mu[:2]), rtol=5e-4)
    assert S.poisson.entropy(0.0) == 0.0
    assert S.poisson.entropy(np.array([1.0, 2.0]), np.zeros((3, 1))).shape == (3, 2)  # loc only broadcasts


def test_multinomial(x64):
    p = np.array([0.2, 0.3, 0.5])
    x = np.array([[1, 2, 3], [0, 0, 6], [6, 0, 0]])
    for row in x:
        np.testing.assert_allclose(S.multinomial.logpmf(row, 6, p), st.multinomial.logpmf(row, 6, p), rtol=1e-12)
        np.testing.assert_allclose(S.multinomial.pmf(row, 6, p), st.multinomial.pmf(row, 6, p), rtol=1e-12)
    assert S.multinomial.logpmf(x[0], 5, p) == -np.inf
    with pytest.raises(ValueError, match="integer"):
        S.multinomial.logpmf(np.array([1.0, 2.0]), 3, p[:2])
    check_grads(lambda p: S.multinomial.logpmf(x[0], 6, p), (p,), order=2)


def test_dirichlet(x64):
    alpha = np.array([1.5, 0.7, 3.0])
    xs = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    for x in xs:
        np.testing.assert_allclose(S.dirichlet.logpdf(x, alpha), st.dirichlet.logpdf(x, alpha), rtol=1e-12)
        np.testing.assert_allclose(S.dirichlet.pdf(x[:2], alpha), st.dirichlet.pdf(x, alpha), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.dirichlet.logpdf(xs.T, alpha)), [st.dirichlet.logpdf(x, alpha) for x in xs],
                               rtol=1e-12)
    assert S.dirichlet.logpdf(np.array([0.5, 0.6, -0.1]), alpha) == -np.inf
    assert S.dirichlet.logpdf(np.array([0.3, 0.3, 0.3]), alpha) == -np.inf
    with pytest.raises(ValueError, match="one-dimensional"):
        S.dirichlet.logpdf(xs[0], alpha[:, None])
    with pytest.raises(ValueError, match="entries"):
        S.dirichlet.logpdf(xs[0, :1], alpha)
    check_grads(S.dirichlet.logpdf, (xs[0, :2], alpha), order=2)  # x short: perturbations stay on the simplex


_R = np.random.RandomState(0)
_A = _R.randn(3, 3)
COV = _A @ _A.T + np.eye(3)
MEAN = np.array([0.3, -0.2, 1.0])
XM = _R.randn(4, 3)


def test_multivariate_normal(x64):
    ref = st.multivariate_normal(MEAN, COV)
    np.testing.assert_allclose(np.asarray(S.multivariate_normal.logpdf(XM, MEAN, COV)), ref.logpdf(XM), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.multivariate_normal.pdf(XM, MEAN, COV)), ref.pdf(XM), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.multivariate_normal.logpdf(XM, MEAN, 2.0)),
                               st.multivariate_normal(MEAN, 2.0 * np.eye(3)).logpdf(XM), rtol=1e-12)
    np.testing.assert_allclose(S.multivariate_normal.logpdf(0.7, 0.5, 2.0), st.norm.logpdf(0.7, 0.5, np.sqrt(2.0)),
                               rtol=1e-12)
    covs = np.stack([COV, 2 * COV])[:, None]  # (2, 1, 3, 3) against x (4, 3): (2, 4)
    got = np.asarray(S.multivariate_normal.logpdf(XM, MEAN, covs))
    np.testing.assert_allclose(got, [st.multivariate_normal(MEAN, c[0]).logpdf(XM) for c in covs], rtol=1e-12)
    with pytest.raises(ValueError, match="incompatible"):
        S.multivariate_normal.logpdf(XM, MEAN, COV[:2, :2])
    with pytest.raises(NotImplementedError, match="allow_singular"):
        S.multivariate_normal.logpdf(XM, MEAN, COV, allow_singular=True)
    check_grads(lambda x, m, c: S.multivariate_normal.logpdf(x, m, c @ c.T + np.eye(3)), (XM, MEAN, _A), order=2)


# Gradients in the parameters (k fixed where the mass jumps with it), at interior points;
# entropy's mu avoids the integers where its truncated sums gain a term.
GRAD_CASES = [
    (lambda p: S.bernoulli.logpmf(1.0, p), (0.3,)),
    (lambda n, a, b: S.betabinom.logpmf(2.0, n, a, b), (6.0, 2.5, 1.5)),
    (S.binom.logpmf, (2.0, 6.0, 0.35)),
    (S.geom.logpmf, (3.0, 0.3)),
    (S.nbinom.pmf, (3.0, 2.5, 0.4)),
    (lambda mu: S.poisson.logpmf(3.0, mu), (2.5,)),
    (lambda mu: S.poisson.cdf(3.0, mu), (2.5,)),
    (S.poisson.entropy, (3.3,)),
    (S.poisson.entropy, (40.3,)),
    (S.poisson.entropy, (400.0,)),
]


@pytest.mark.parametrize("fn,args", GRAD_CASES, ids=[f"{i}" for i in range(len(GRAD_CASES))])
def test_gradients(fn, args, x64):
    # Below mu = 100 the entropy's forward-mode derivative is NaN, in JAX too: the masked-out
    # terms are entr(0), whose tangent rule is 0 * (log 0 + 1). Reverse mode drops them.
    rev_only = fn is S.poisson.entropy and args[0] < 100
    check_grads(fn, args, order=2, modes=("rev",) if rev_only else ("fwd", "rev"))


def test_gradient_values(x64):
    # d/dp log(C(n,k) p^k (1-p)^(n-k)) = k/p - (n-k)/(1-p); d/dmu of the Poisson log-mass = k/mu - 1.
    np.testing.assert_allclose(jax.grad(S.binom.logpmf, 2)(2.0, 6.0, 0.35), 2 / 0.35 - 4 / 0.65, rtol=1e-12)
    np.testing.assert_allclose(jax.grad(S.poisson.logpmf, 1)(3.0, 2.5), 3 / 2.5 - 1, rtol=1e-12)
    # d/dmu P(K <= k) = -pmf(k, mu).
    np.testing.assert_allclose(jax.grad(S.poisson.cdf, 1)(3.0, 2.5), -st.poisson.pmf(3, 2.5), rtol=1e-10)


def test_dtypes_and_weak_types():
    # As JAX: ints promote to float32; an int array with a Python float is strong for the
    # formulas that carry an array constant (bernoulli, geom, nbinom), weak for binom/poisson.
    ki = np.array([0, 1, 2], np.int32)
    out = S.bernoulli.logpmf(ki, 0.3)
    assert out.dtype == np.float32 and not out.weak_type
    out = S.binom.logpmf(ki, 6, 0.4)
    assert out.dtype == np.float32 and out.weak_type
    out = S.poisson.logpmf(2, 1.5)
    assert out.dtype == np.float32 and out.weak_type and out.shape == ()
    out = S.poisson.cdf(ki, 3)
    assert out.dtype == np.float32 and not out.weak_type
    assert S.geom.pmf(np.float32(2.0), 0.5).weak_type is False


@pytest.mark.parametrize("fn,args", [(S.binom.logpmf, (K, 6.0, 0.35)), (S.poisson.cdf, (K, 2.5)),
                                     (S.betabinom.pmf, (K, 6.0, 2.5, 1.5)), (S.bernoulli.ppf, (K / 8, 0.3)),
                                     (S.poisson.entropy, (K + 2.0,))])
def test_jit_and_vmap(fn, args):
    want = np.asarray(fn(*args))
    np.testing.assert_allclose(np.asarray(jax.jit(fn)(*args)), want, rtol=1e-6)
    in_axes = (0,) + (None,) * (len(args) - 1)
    np.testing.assert_allclose(np.asarray(jax.vmap(fn, in_axes)(*args)), want, rtol=1e-6)
    xm = np.stack([XM, XM + 1.0])
    loop = [np.asarray(S.multivariate_normal.logpdf(x, MEAN, COV)) for x in xm]
    np.testing.assert_allclose(np.asarray(jax.vmap(S.multivariate_normal.logpdf, (0, None, None))(xm, MEAN, COV)),
                               loop, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(S.dirichlet.logpdf)(jnp.array([0.2, 0.3, 0.5]), jnp.ones(3) * 2)),
                               st.dirichlet.logpdf([0.2, 0.3, 0.5], [2, 2, 2]), rtol=1e-5)
