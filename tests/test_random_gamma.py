"""nablax.random's gamma family (random_gamma.py): known answers (JAX's, hard-coded),
distributions against SciPy (Kolmogorov-Smirnov with fixed keys at a 4-sigma level),
shapes and dtypes, eager = jit = vmap, reparameterisation gradients against finite
differences of the inverse CDF, and JAX's errors."""
import numpy as np
import pytest
import scipy.special as sps
import scipy.stats as st

import nablax
import nablax.numpy as jnp
from nablax import random as R
from nablax.dtypes import TypePromotionError
from nablax.errors import ConcretizationTypeError

P_MIN = 6.3e-5  # two-sided 4-sigma level: a KS p-value below it fails
N = 4000


def ks(samples, cdf) -> None:
    p = st.kstest(np.asarray(samples, np.float64).ravel(), cdf).pvalue
    assert p > P_MIN, f"KS p-value {p:.2e}"


# ----------------------------------------------------------------- JAX's own answers

A = [0.5, 1.0, 2.0, 4.0, 0.05, 1e-30, 0.0, -1.0, np.inf, np.nan]
GAMMA_KEY0 = [0.8845648169517517, 0.726284921169281, 1.12900710105896, 6.765570163726807,
              1.1215912643081083e-08, 0.0, 0.0, np.nan, np.inf, np.nan]
LOGGAMMA_KEY0 = [-0.12265952676534653, -0.3198128640651703, 0.1213386058807373, 1.91184663772583,
                 -18.305932998657227, -5.788645100398846e+30, -np.inf, np.nan, np.inf, np.nan]


def test_known_answers_from_jax():
    """jax.random.gamma / loggamma / beta / t (JAX 0.10.2, CPU) for these keys, bit for bit."""
    a = jnp.array(A, dtype=jnp.float32)
    np.testing.assert_array_equal(np.asarray(R.gamma(R.key(0), a)), np.array(GAMMA_KEY0, np.float32))
    np.testing.assert_array_equal(np.asarray(R.loggamma(R.key(0), a)), np.array(LOGGAMMA_KEY0, np.float32))
    beta = R.beta(R.key(1), jnp.array([0.5, 2.0, 3.0]), jnp.array([1.5, 2.0, 0.7]))
    np.testing.assert_array_equal(np.asarray(beta), np.array([0.17202149331569672, 0.2539312541484833,
                                                              0.997811496257782], np.float32))
    t = R.t(R.key(2), jnp.array([1.0, 3.0, 10.0]))
    np.testing.assert_array_equal(np.asarray(t), np.array([1.0088986158370972, 0.3464464545249939,
                                                           -1.606764793395996], np.float32))


def test_typed_and_legacy_keys_agree():
    a = jnp.array([0.3, 2.0, 5.0])
    np.testing.assert_array_equal(np.asarray(R.gamma(R.key(7), a)), np.asarray(R.gamma(R.PRNGKey(7), a)))


# ------------------------------------------------------------------- distributions

@pytest.mark.parametrize("a", [0.1, 0.7, 1.0, 3.5, 40.0])
def test_gamma_distribution(a):
    ks(R.gamma(R.key(11), a, (N,)), st.gamma(a).cdf)


@pytest.mark.parametrize("a", [0.01, 0.6, 5.0])
def test_loggamma_distribution_and_consistency(a):
    logs = R.loggamma(R.key(12), a, (N,))
    ks(np.exp(np.asarray(logs, np.float64)), st.gamma(a).cdf)
    # log space keeps what gamma loses to underflow, and agrees with it elsewhere.
    g = np.asarray(R.gamma(R.key(12), a, (N,)))
    ok = g > 1e-30
    np.testing.assert_allclose(np.exp(np.asarray(logs)[ok]), g[ok], rtol=2e-5)


def test_loggamma_tiny_alpha_stays_finite():
    logs = np.asarray(R.loggamma(R.key(3), 1e-4, (1000,)))
    assert np.isfinite(logs).all() and logs.min() < -1000  # gamma samples of 0 would be -inf


@pytest.mark.parametrize("a,b", [(0.5, 0.5), (2.0, 5.0), (0.05, 1.0)])
def test_beta_distribution(a, b):
    x = R.beta(R.key(13), a, b, (N,))
    ks(x, st.beta(a, b).cdf)
    assert float(jnp.min(x)) >= 0 and float(jnp.max(x)) <= 1


def test_dirichlet_marginals_and_simplex():
    alpha = np.array([0.3, 1.0, 2.5, 4.0])
    x = np.asarray(R.dirichlet(R.key(14), jnp.asarray(alpha), (N,)), np.float64)
    assert x.shape == (N, 4)
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-5)
    for i, ai in enumerate(alpha):
        ks(x[:, i], st.beta(ai, alpha.sum() - ai).cdf)


@pytest.mark.parametrize("df", [0.5, 3.0, 25.0])
def test_chisquare_distribution(df):
    ks(R.chisquare(R.key(15), df, (N,)), st.chi2(df).cdf)


def test_f_distribution():
    ks(R.f(R.key(16), 4.0, 7.0, (N,)), st.f(4.0, 7.0).cdf)


@pytest.mark.parametrize("df", [1.0, 4.0, 30.0])
def test_t_distribution(df):
    ks(R.t(R.key(17), df, (N,)), st.t(df).cdf)


@pytest.mark.parametrize("p", [0.8, 2.0, 5.0])
def test_generalized_normal_distribution(p):
    ks(R.generalized_normal(R.key(18), p, (N,)), st.gennorm(p).cdf)


@pytest.mark.parametrize("d,p", [(2, 2.0), (3, 1.0), (5, 3.5)])
def test_ball_is_uniform_in_the_lp_ball(d, p):
    x = np.asarray(R.ball(R.key(19), d, p, (N,)), np.float64)
    assert x.shape == (N, d)
    r = (np.abs(x) ** p).sum(-1) ** (1 / p)
    assert r.max() <= 1
    ks(r ** d, st.uniform.cdf)  # P(|x|_p <= r) = r^d for the uniform distribution on the ball
    signs = np.sign(x[:, 0])
    assert abs(signs.mean()) < 4 / np.sqrt(N)


# ------------------------------------------------------------------ shapes and dtypes

def test_shapes_and_defaults():
    k = R.key(0)
    assert R.gamma(k, 1.0).shape == ()
    assert R.gamma(k, jnp.ones((2, 3))).shape == (2, 3)
    assert R.gamma(k, jnp.ones(3), (4, 3)).shape == (4, 3)
    assert R.beta(k, jnp.ones((2, 1)), jnp.ones(3)).shape == (2, 3)
    assert R.dirichlet(k, jnp.ones((2, 3))).shape == (2, 3)
    assert R.dirichlet(k, jnp.ones((2, 3)), (5, 2)).shape == (5, 2, 3)
    assert R.chisquare(k, jnp.ones(4)).shape == (4,)
    assert R.f(k, 1.0, jnp.ones(4)).shape == (4,)
    assert R.t(k, jnp.ones(4), (2, 4)).shape == (2, 4)
    assert R.generalized_normal(k, 1.0).shape == ()
    assert R.ball(k, 3).shape == (3,)
    assert R.gamma(k, jnp.ones(0)).shape == (0,)
    for out in (R.gamma(k, 2.0), R.beta(k, 1, 2), R.t(k, 3), R.ball(k, 2)):
        assert out.dtype == np.float32 and not out.weak_type


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_dtypes(dtype):
    k = R.key(1)
    for f in (lambda: R.gamma(k, 2.0, (5,), dtype), lambda: R.loggamma(k, 2.0, (5,), dtype),
              lambda: R.beta(k, 2.0, 3.0, (5,), dtype), lambda: R.dirichlet(k, jnp.ones(3), (5,), dtype),
              lambda: R.chisquare(k, 2.0, (5,), dtype), lambda: R.f(k, 2.0, 3.0, (5,), dtype),
              lambda: R.t(k, 2.0, (5,), dtype), lambda: R.generalized_normal(k, 2.0, (5,), dtype),
              lambda: R.ball(k, 2, 2, (5,), dtype)):
        out = f()
        assert out.dtype == dtype and np.isfinite(np.asarray(out, np.float64)).all()


def test_float64_under_x64():
    with nablax.config.enable_x64(True):
        g = R.gamma(R.key(20), 2.5, (N,))
        assert g.dtype == np.float64
        ks(g, st.gamma(2.5).cdf)
        assert R.beta(R.key(0), 1.0, 2.0).dtype == np.float64


def test_nonpositive_and_special_alphas():
    g = np.asarray(R.gamma(R.key(0), jnp.array([0.0, -1.0, np.inf, np.nan])))
    assert g[0] == 0 and np.isnan(g[1]) and g[2] == np.inf and np.isnan(g[3])


# ---------------------------------------------------------- eager = jit = vmap

def test_jit_matches_eager():
    k, a = R.key(4), jnp.array([0.2, 1.0, 3.0, 9.0])
    for f in (R.gamma, R.loggamma, R.t, R.chisquare, lambda k, a: R.beta(k, a, a[::-1]),
              lambda k, a: R.dirichlet(k, a), lambda k, a: R.f(k, a, 2.0)):
        np.testing.assert_array_equal(np.asarray(nablax.jit(f)(k, a)), np.asarray(f(k, a)))
    ball = nablax.jit(lambda k, p: R.ball(k, 3, p, (4,)))
    np.testing.assert_array_equal(np.asarray(ball(k, 1.5)), np.asarray(R.ball(k, 3, 1.5, (4,))))


def test_vmap_over_keys_and_alphas_matches_loop():
    keys = R.split(R.key(5), 4)
    a = jnp.array([0.4, 2.0, 7.0])
    batched = nablax.vmap(lambda k: R.gamma(k, a))(keys)
    np.testing.assert_array_equal(np.asarray(batched), np.stack([np.asarray(R.gamma(k, a)) for k in keys]))
    alphas = jnp.array([0.3, 1.5, 4.0, 10.0])
    batched = nablax.vmap(lambda al: R.gamma(R.key(6), al, (3,)))(alphas)
    np.testing.assert_array_equal(np.asarray(batched),
                                  np.stack([np.asarray(R.gamma(R.key(6), al, (3,))) for al in alphas]))
    both = nablax.vmap(lambda k, al: R.loggamma(k, al))(keys, alphas)
    np.testing.assert_array_equal(np.asarray(both),
                                  np.array([np.asarray(R.loggamma(k, al)) for k, al in zip(keys, alphas)]))
    jitted = nablax.jit(nablax.vmap(lambda k: R.beta(k, 2.0, 3.0, (2,))))(keys)
    np.testing.assert_array_equal(np.asarray(jitted),
                                  np.stack([np.asarray(R.beta(k, 2.0, 3.0, (2,))) for k in keys]))


# ------------------------------------------------------------ reparameterised gradients

def _fd_gammaincinv(a, x, h=1e-5):
    """d x / d a at fixed u = P(a, x): central differences of the inverse CDF."""
    u = sps.gammainc(a, x)
    return (sps.gammaincinv(a + h, u) - sps.gammaincinv(a - h, u)) / (2 * h)


def test_gamma_gradient_is_the_inverse_cdf_derivative():
    with nablax.config.enable_x64(True):
        a = jnp.array([0.3, 1.0, 2.5, 8.0])
        key = R.key(21)
        x = np.asarray(R.gamma(key, a))
        grad = np.asarray(nablax.grad(lambda a: jnp.sum(R.gamma(key, a)))(a))
        np.testing.assert_allclose(grad, _fd_gammaincinv(np.asarray(a), x), rtol=1e-5)
        log_grad = np.asarray(nablax.grad(lambda a: jnp.sum(R.loggamma(key, a)))(a))
        np.testing.assert_allclose(log_grad, _fd_gammaincinv(np.asarray(a), x) / x, rtol=1e-5)


def test_beta_gradient_through_its_gammas():
    """beta = Ga / (Ga + Gb) with Ga, Gb the loggamma draws of split(key): its gradient in a is
    Gb / (Ga + Gb)^2 dGa/da, dGa/da the inverse-CDF derivative."""
    with nablax.config.enable_x64(True):
        key, a, b = R.key(22), 1.7, 0.6
        ka, kb = R.split(key)
        ga, gb = float(jnp.exp(R.loggamma(ka, a))), float(jnp.exp(R.loggamma(kb, b)))
        grad_a, grad_b = nablax.grad(lambda a, b: R.beta(key, a, b), argnums=(0, 1))(a, b)
        s = ga + gb
        np.testing.assert_allclose(float(grad_a), gb / s**2 * _fd_gammaincinv(a, ga), rtol=1e-5)
        np.testing.assert_allclose(float(grad_b), -ga / s**2 * _fd_gammaincinv(b, gb), rtol=1e-5)


def test_mean_gradients_are_the_gradients_of_the_means():
    """E[d x / d theta] = d E[x] / d theta: gamma (E = a), beta (a / (a + b)), dirichlet
    (alpha_i / sum alpha), within 4 standard errors."""
    def check(grads, expected):
        grads = np.asarray(grads)
        se = grads.std(0) / np.sqrt(grads.shape[0])
        assert np.all(np.abs(grads.mean(0) - expected) < 4 * se + 1e-6), (grads.mean(0), expected)

    keys = R.split(R.key(23), 3000)
    check(nablax.vmap(nablax.grad(lambda k, a: R.gamma(k, a), argnums=1), (0, None))(keys, 2.5), 1.0)
    a, b = 2.0, 3.0
    check(nablax.vmap(nablax.grad(lambda k, a: R.beta(k, a, b), argnums=1), (0, None))(keys, a), b / (a + b) ** 2)
    alpha = jnp.array([1.0, 2.0, 3.0])
    g = nablax.vmap(nablax.grad(lambda k, al: R.dirichlet(k, al)[0], argnums=1), (0, None))(keys, alpha)
    s = 6.0
    check(g, np.array([1 / s - 1 / s**2, -1 / s**2, -1 / s**2]))


def test_gradients_of_derived_samplers_exist():
    for f in (lambda df: R.t(R.key(1), df), lambda df: R.chisquare(R.key(1), df),
              lambda df: R.f(R.key(1), df, 3.0)):
        assert np.isfinite(float(nablax.grad(f)(4.0)))


# ------------------------------------------------------------------------- errors

def test_errors():
    k = R.key(0)
    with pytest.raises(TypeError):
        R.gamma(jnp.ones(2), 1.0)
    with pytest.raises(ValueError, match="single key"):
        R.gamma(R.split(k), 1.0)
    with pytest.raises(ValueError, match="must be a float dtype"):
        R.gamma(k, 1.0, dtype=int)
    with pytest.raises(ValueError, match="must be a float dtype"):
        R.loggamma(k, 1.0, dtype=jnp.int32)
    with pytest.raises(ValueError):
        R.gamma(k, jnp.ones(3), (2,))
    with pytest.raises(ValueError):
        R.beta(k, jnp.ones(3), jnp.ones(2))
    with pytest.raises(ValueError, match="alpha.ndim >= 1"):
        R.dirichlet(k, 1.0)
    with pytest.raises(ValueError):
        R.dirichlet(k, jnp.ones((2, 3)), (4,))
    with pytest.raises(TypePromotionError, match="cannot safely cast"):
        R.beta(k, jnp.array([1 + 2j]), 1.0)
    with pytest.raises(TypePromotionError):
        R.t(k, jnp.array([1 + 2j]))
    with pytest.raises(TypeError):
        R.ball(k, 2.5)
    with pytest.raises(TypeError):
        R.ball(k, -1)
    with pytest.raises(ConcretizationTypeError):
        nablax.jit(lambda d: R.ball(k, d))(3)
    with pytest.raises(TypeError):
        R.gamma(k, [1.0, 2.0])
    with pytest.raises(TypeError):
        R.f(k, jnp.ones(3), jnp.ones((2, 1)))
