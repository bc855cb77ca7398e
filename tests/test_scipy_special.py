"""nablax.scipy.special and nablax.scipy.stats.norm against SciPy, with gradients."""
import numpy as np
import pytest
import scipy.special as ss
import scipy.stats as st

import nablax as jax
import nablax.numpy as jnp
import nablax.scipy.special as S
from nablax.scipy.stats import norm
from nablax.test_util import check_grads


@pytest.fixture(autouse=True)
def x64():
    with jax.config.enable_x64(True):
        yield


A = np.array([[0.3, -1.2, 2.0, 0.7], [5.0, 4.5, -3.0, 0.1], [-0.5, 0.25, 1.5, -2.0]])


# ------------------------------------------------------------------- logsumexp

@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    out = S.logsumexp(A, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(np.asarray(out), ss.logsumexp(A, axis=axis, keepdims=keepdims), rtol=1e-12)


def test_logsumexp_stability_and_infinities():
    np.testing.assert_allclose(float(S.logsumexp(np.array([1000.0, 1000.0]))), 1000 + np.log(2), rtol=1e-12)
    np.testing.assert_allclose(float(S.logsumexp(np.array([-1000.0, -1000.0]))), -1000 + np.log(2), rtol=1e-12)
    assert float(S.logsumexp(np.array([-np.inf, -np.inf]))) == -np.inf
    assert float(S.logsumexp(np.array([np.inf, 0.0]))) == np.inf
    np.testing.assert_allclose(float(S.logsumexp(np.array([-np.inf, 0.0]))), 0.0)
    g = jax.grad(S.logsumexp)(np.array([1.0, 2.0, -np.inf]))
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(np.asarray(g), [*(e / e.sum()), 0.0], rtol=1e-12)


def test_logsumexp_b_return_sign_where():
    b = np.array([[1.0, -2.0, 0.5, 0.0]])
    out, sign = S.logsumexp(A, axis=1, b=b, return_sign=True)
    ref, rsign = ss.logsumexp(A, axis=1, b=b, return_sign=True)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(sign), rsign)
    # A zero weight hides an infinite entry.
    np.testing.assert_allclose(float(S.logsumexp(np.array([np.inf, 1.0]), b=np.array([0.0, 2.0]))),
                               1 + np.log(2), rtol=1e-12)
    mask = np.array([True, False, True, True])
    np.testing.assert_allclose(np.asarray(S.logsumexp(A, axis=1, where=mask)),
                               ss.logsumexp(A[:, mask], axis=1), rtol=1e-12)
    assert S.logsumexp(np.array([1, 2, 3])).dtype == np.float64  # integers promote


def test_logsumexp_gradients_and_transformations():
    check_grads(lambda a: S.logsumexp(a, axis=1), (A,), order=2)
    check_grads(lambda a, b: S.logsumexp(a, b=b), (A[0], np.array([0.5, 1.0, 2.0, 0.3])), order=2)
    np.testing.assert_allclose(np.asarray(jax.vmap(S.logsumexp)(A)), ss.logsumexp(A, axis=1), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda a: S.logsumexp(a, axis=0))(A)),
                               ss.logsumexp(A, axis=0), rtol=1e-12)


def test_softmax_default_axis_is_all():
    np.testing.assert_allclose(np.asarray(S.softmax(A)), ss.softmax(A), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.log_softmax(A, axis=1)), ss.log_softmax(A, axis=1), rtol=1e-12)


# -------------------------------------------------------------- elementwise

X_REAL = np.array([-2.5, -0.7, 0.3, 1.1, 4.0])
X_POS = np.array([0.2, 0.9, 1.7, 3.3, 8.0])
X_UNIT = np.array([0.01, 0.2, 0.5, 0.77, 0.99])

UNARY = [
    ("erf", ss.erf, X_REAL), ("erfc", ss.erfc, X_REAL), ("erfinv", ss.erfinv, 2 * X_UNIT - 1),
    ("ndtr", ss.ndtr, X_REAL), ("ndtri", ss.ndtri, X_UNIT), ("log_ndtr", ss.log_ndtr, X_REAL),
    ("gammaln", ss.gammaln, X_POS), ("gamma", ss.gamma, X_POS), ("digamma", ss.digamma, X_POS),
    ("psi", ss.psi, X_POS), ("expit", ss.expit, X_REAL), ("logit", ss.logit, X_UNIT), ("entr", ss.entr, X_POS),
]


@pytest.mark.parametrize("name,ref,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_scipy_with_gradients(name, ref, x):
    f = getattr(S, name)
    np.testing.assert_allclose(np.asarray(f(x)), ref(x), rtol=1e-10, atol=1e-13)
    check_grads(f, (x,), order=2, atol=1e-4, rtol=1e-4)


def test_float32_stays_float32():
    x = jnp.asarray(X_POS, jnp.float32)
    for name in ("erf", "gammaln", "digamma", "expit", "ndtr", "log_ndtr", "entr"):
        assert getattr(S, name)(x).dtype == np.float32, name
    # As in JAX, integers of up to 32 bits become float32 even with x64; int64 gives float64.
    assert S.gammaln(jnp.array([1, 2, 3], jnp.int32)).dtype == np.float32
    assert S.gammaln(jnp.array([1, 2, 3], jnp.int64)).dtype == np.float64


def test_tails_and_special_points():
    far = np.array([-40.0, -25.0, -15.0, -9.0, 12.0])
    np.testing.assert_allclose(np.asarray(S.log_ndtr(far)), ss.log_ndtr(far), rtol=1e-10)
    x32 = np.array([-30.0, -12.0, -8.0, -2.0], np.float32)
    np.testing.assert_allclose(np.asarray(S.log_ndtr(jnp.asarray(x32))), ss.log_ndtr(x32.astype(float)), rtol=1e-5)
    # Between 0 and 5, float32 log_ndtr is log(ndtr(x)), as in JAX (whose value this is).
    np.testing.assert_allclose(float(S.log_ndtr(np.float32(3.0))), -1.3508380e-03, rtol=1e-6)
    neg = np.array([-0.5, -1.5, -2.5, 3.0])
    np.testing.assert_allclose(np.asarray(S.gamma(neg)), ss.gamma(neg), rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(S.entr(np.array([0.0, -1.0]))), [0.0, -np.inf])
    np.testing.assert_allclose(np.asarray(S.betaln(2.5, np.array([0.5, 3.0]))), ss.betaln(2.5, [0.5, 3.0]), rtol=1e-12)
    np.testing.assert_allclose(float(S.multigammaln(3.5, 3)), ss.multigammaln(3.5, 3), rtol=1e-12)


def test_polygamma():
    for n in range(4):
        np.testing.assert_allclose(np.asarray(S.polygamma(n, X_POS)), ss.polygamma(n, X_POS), rtol=1e-10)
    check_grads(lambda x: S.polygamma(1, x), (X_POS,), order=1)
    with pytest.raises(ValueError, match="integer"):  # a ValueError, as in JAX
        S.polygamma(1.5, X_POS)
    # an integer array of orders, as in JAX
    orders = np.array([0, 1, 2, 3])
    np.testing.assert_allclose(np.asarray(S.polygamma(orders, X_POS[:1])), ss.polygamma(orders, X_POS[:1]), rtol=1e-10)


def test_xlogy_xlog1py():
    x = np.array([0.0, 0.0, 2.0, 1.5, 0.0])
    y = np.array([0.0, 3.0, 0.5, 4.0, -1.0])
    np.testing.assert_allclose(np.asarray(S.xlogy(x, np.abs(y))), ss.xlogy(x, np.abs(y)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.xlog1py(x, y)), ss.xlog1py(x, y), rtol=1e-12)
    # Gradients at x == 0: d/dx = log(y), d/dy = x / y, as in JAX: (-inf, nan) at x = y = 0.
    gx, gy = jax.grad(S.xlogy, argnums=(0, 1))(0.0, 3.0)
    np.testing.assert_allclose([float(gx), float(gy)], [np.log(3.0), 0.0])
    gx0, gy0 = jax.grad(S.xlogy, argnums=(0, 1))(0.0, 0.0)
    assert float(gx0) == -np.inf and np.isnan(float(gy0))
    check_grads(S.xlogy, (np.array([0.5, 2.0]), np.array([1.5, 0.3])), order=2)
    check_grads(S.xlog1py, (np.array([0.5, 2.0]), np.array([1.5, -0.3])), order=2)


def test_rel_entr_kl_div():
    x = np.array([0.0, 0.5, 2.0, 1.0, 0.0])
    y = np.array([1.0, 0.25, 3.0, 0.0, 0.0])
    np.testing.assert_allclose(np.asarray(S.rel_entr(x, y)), ss.rel_entr(x, y), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(S.kl_div(x, y)), ss.kl_div(x, y), rtol=1e-12)


# ------------------------------------------------------------ stats.norm

def test_stats_norm():
    x = np.array([-3.0, -0.5, 0.0, 1.2, 4.0])
    for name in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"):
        out = getattr(norm, name)(x, 0.5, 2.0)
        np.testing.assert_allclose(np.asarray(out), getattr(st.norm, name)(x, 0.5, 2.0), rtol=1e-10, err_msg=name)
    q = np.array([0.01, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(np.asarray(norm.ppf(q, 1.0, 3.0)), st.norm.ppf(q, 1.0, 3.0), rtol=1e-10)
    check_grads(lambda x, m, s: norm.logpdf(x, m, s), (x, 0.5, 2.0), order=2)
    check_grads(lambda x: norm.cdf(x), (x,), order=1)


def test_edge_values_like_jax():
    x = np.array([0.0, 0.0, 0.0, 1.0], np.float32)
    y = np.array([-1.0, np.inf, np.nan, -1.0], np.float32)
    out = np.asarray(S.xlogy(jnp.asarray(x), jnp.asarray(y)))  # 0 where x == 0, unless y is NaN
    np.testing.assert_array_equal(out[:3], [0.0, 0.0, np.nan])
    assert np.isnan(out[3])
    np.testing.assert_array_equal(np.asarray(S.xlog1py(jnp.asarray(x[:3]), jnp.asarray([-2.0, np.inf, np.nan])))[:2],
                                  [0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(S.entr(jnp.asarray([np.nan, -1.0, 0.0]))), [np.nan, -np.inf, 0.0])
    g = np.asarray(S.gamma(jnp.asarray([-1.0, -2.0, -np.inf, 0.0, -0.0, 2.5])))
    assert np.isnan(g[:3]).all() and g[3] == np.inf and g[4] == -np.inf
    np.testing.assert_allclose(g[5], ss.gamma(2.5), rtol=1e-12)


def test_betaln_keeps_float32_precision():
    a = jnp.asarray(np.array([0.25, 100.0, 1e-3, 3.0, 50.0, 0.5], np.float32))
    b = jnp.asarray(np.array([100.0, 0.25, 200.0, 4.0, 60.0, 1e6], np.float32))
    ref = ss.betaln(np.asarray(a, np.float64), np.asarray(b, np.float64))
    np.testing.assert_allclose(np.asarray(S.betaln(a, b)), ref, rtol=2e-6)
    check_grads(S.betaln, (np.array([0.5, 20.0]), np.array([30.0, 2.0])), order=1)


def test_weak_types_and_dtype_checks_like_jax():
    with jax.config.enable_x64(False):
        assert not S.logsumexp(2.0).weak_type and not S.softmax(jnp.broadcast_to(1.0, (3,))).weak_type
        assert not S.ndtr(0.5).weak_type and S.entr(0.5).weak_type
        assert S.rel_entr(1.0, 2.0).weak_type and not S.rel_entr(jnp.ones(2, jnp.int32), 2.0).weak_type
        for fn in (S.ndtr, S.ndtri, S.log_ndtr):  # float32/float64 only, as in JAX
            with pytest.raises(TypeError):
                fn(jnp.ones(2, jnp.int32))
            with pytest.raises(TypeError):
                fn(jnp.ones(2, jnp.float16))
