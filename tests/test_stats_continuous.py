"""nablax.scipy.stats' continuous distributions (all but norm, which tests/test_scipy_special.py
covers; norm.isf is here): values against scipy.stats on grids that cross the support
edges, derivatives in x and in every parameter by finite differences, jit against eager,
vmap against a loop, and the dtypes, weak types, edge values and errors JAX gives
(hard-coded here; tests/compat/test_stats_continuous_vs_jax.py compares with live JAX)."""
import numpy as np
import pytest
import scipy.stats as st

import nablax
import nablax.numpy as jnp
import nablax.scipy.stats as stats
from nablax.test_util import check_grads

LOC, SCALE = 0.5, 2.0
Q = np.array([0.0, 1e-3, 0.2, 0.5, 0.9, 1.0])

# dist: (shape parameters, standardized x grid (edges included), takes loc/scale,
#        interior standardized points for the derivative checks)
DISTS = {
    "beta": ((2.5, 1.5), [-0.5, 0.0, 0.2, 0.5, 0.9, 1.0, 1.5], True, [0.25, 0.6]),
    "cauchy": ((), [-50.0, -1.0, 0.0, 0.3, 2.0, 1e3], True, [-1.0, 0.3]),
    "chi2": ((3.0,), [-1.0, 0.0, 0.5, 2.0, 10.0], True, [0.5, 2.0]),
    "expon": ((), [-1.0, 0.0, 0.5, 3.0, 30.0], True, [0.5, 3.0]),
    "gamma": ((2.5,), [-1.0, 0.0, 0.5, 2.0, 12.0], True, [0.5, 2.0]),
    "gennorm": ((1.5,), [-3.0, -0.5, 0.0, 0.7, 2.0], False, [-0.5, 0.7]),
    "gumbel_l": ((), [-8.0, -1.0, 0.0, 0.5, 2.5], True, [-1.0, 0.5]),
    "gumbel_r": ((), [-2.5, -0.5, 0.0, 1.0, 8.0], True, [-0.5, 1.0]),
    "laplace": ((), [-5.0, -0.5, 0.0, 0.5, 5.0], True, [-0.5, 0.5]),
    "logistic": ((), [-30.0, -2.0, 0.0, 0.5, 3.0, 30.0], True, [-2.0, 0.5]),
    "norm": ((), [-30.0, -3.0, 0.0, 0.5, 3.0], True, [-3.0, 0.5]),
    "pareto": ((3.0,), [0.5, 1.0, 1.5, 4.0, 100.0], True, [1.5, 4.0]),
    "t": ((4.0,), [-30.0, -1.0, 0.0, 0.5, 3.0], True, [-1.0, 0.5]),
    "truncnorm": ((-1.0, 1.5), [-2.0, -1.0, -0.3, 0.0, 0.8, 1.5, 3.0], True, [-0.3, 0.8]),
    "uniform": ((), [-0.5, 0.0, 0.3, 0.7, 1.0, 1.5], True, [0.3, 0.7]),
    "vonmises": ((2.0,), [-3.0, -1.0, 0.0, 0.5, 3.0], False, [-1.0, 0.5]),
    "wrapcauchy": ((0.4,), [-0.5, 0.0, 1.0, 3.0, 6.0, 6.5], False, [1.0, 3.0]),
}
QUANTILE = {"ppf", "isf"}
# JAX (and so nablax) differentiates betainc in x only: beta's CDFs are not
# differentiable in a and b (a ValueError, checked below).
NOT_DIFFERENTIABLE = {("beta", f, i) for f in ("cdf", "logcdf", "sf", "logsf") for i in (1, 2)}
# d/da of igamma is igamma_grad_a, which (as in JAX) has no derivative of its own: first
# order only in the shape parameter of gamma's and chi2's CDFs and in gennorm's beta.
FIRST_ORDER_ONLY = ({(d, f, 1) for d in ("gamma", "chi2") for f in ("cdf", "logcdf", "sf", "logsf")}
                    | {("gennorm", "cdf", 1)})
# JAX's quantiles at q = 0 and 1: tan(+-pi/2) is finite in floating point (Cauchy), and the
# Gumbel quantiles give nan outside the open interval; SciPy gives +-inf. Compared inside.
OPEN_INTERVAL_QUANTILES = {"cauchy", "gumbel_l", "gumbel_r"}


def _fns(dist):
    return getattr(stats, dist).__all__


ALL = [(d, f) for d in DISTS for f in _fns(d) if d != "norm" or f == "isf"]


@pytest.fixture(autouse=True)
def x64():
    with nablax.config.enable_x64(True):
        yield


def _args(dist, pts):
    params, _, takes_loc, _ = DISTS[dist]
    return (pts, *params, *((LOC, SCALE) if takes_loc else ()))


def _points(dist, fn):
    _, xs, takes_loc, _ = DISTS[dist]
    if fn in QUANTILE:
        return Q[1:-1] if dist in OPEN_INTERVAL_QUANTILES else Q
    xs = np.array(xs)
    return xs * SCALE + LOC if takes_loc else xs


@pytest.mark.parametrize("dist,fn", ALL)
def test_values_match_scipy(dist, fn):
    pts = _points(dist, fn)
    args = _args(dist, pts)
    got = getattr(getattr(stats, dist), fn)(*args)
    want = getattr(getattr(st, dist), fn)(*args)
    assert got.dtype == np.float64 and got.shape == pts.shape
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-7, atol=1e-12, err_msg=f"{dist}.{fn}")


@pytest.mark.parametrize("dist,fn", ALL)
def test_derivatives(dist, fn):
    """First and second derivatives in x and in each parameter, at interior points."""
    params, _, takes_loc, inner = DISTS[dist]
    f = getattr(getattr(stats, dist), fn)
    xs = [0.2, 0.6] if fn in QUANTILE else ([x * SCALE + LOC for x in inner] if takes_loc else inner)
    extra = (LOC, SCALE) if takes_loc else ()
    for x in xs:
        args = (x, *params, *extra)
        for i in range(len(args)):
            if (dist, fn, i) in NOT_DIFFERENTIABLE:
                continue

            def partial(v, i=i, args=args):
                return f(*args[:i], v, *args[i + 1:])

            check_grads(partial, (args[i],), order=1 if (dist, fn, i) in FIRST_ORDER_ONLY else 2)


@pytest.mark.parametrize("dist,fn", ALL)
def test_jit_and_vmap(dist, fn):
    pts = _points(dist, fn)
    args = _args(dist, pts)
    f = getattr(getattr(stats, dist), fn)
    eager = np.asarray(f(*args))
    np.testing.assert_array_equal(np.asarray(nablax.jit(f)(*args)), eager)
    # vmap over x, and over the last parameter (scale, or the shape parameter)
    np.testing.assert_allclose(np.asarray(nablax.vmap(lambda x: f(x, *args[1:]))(pts)), eager, rtol=1e-14)
    if len(args) > 1:
        ps = np.array([args[-1], args[-1] * 1.5])
        looped = [np.asarray(f(*args[:-1], p)) for p in ps]
        batched = nablax.vmap(lambda p: f(*args[:-1], p))(ps)
        np.testing.assert_allclose(np.asarray(batched), np.stack(looped), rtol=1e-14)


@pytest.mark.parametrize("fn", ["cdf", "logcdf", "sf", "logsf"])
def test_beta_cdf_not_differentiable_in_shape(fn):
    f = getattr(stats.beta, fn)
    with pytest.raises(ValueError, match="a and b"):
        nablax.grad(f, argnums=1)(0.3, 2.0, 3.0)
    with pytest.raises(ValueError, match="a and b"):
        nablax.grad(f, argnums=2)(0.3, 2.0, 3.0)


def test_gamma_and_chi2_cdf_differentiable_in_shape():
    # d/da P(a, x) at a = 1.5, x = 0.3 (JAX: -0.20261903); chi2 df = 1.5 at x = 0.3: -0.27001655
    with nablax.config.enable_x64(False):
        np.testing.assert_allclose(nablax.grad(stats.gamma.cdf, argnums=1)(0.3, 1.5), -0.20261903, rtol=1e-5)
        np.testing.assert_allclose(nablax.grad(stats.chi2.cdf, argnums=1)(0.3, 1.5), -0.27001655, rtol=1e-5)


# ---------------------------------------------------------------- dtypes, weak types, edges (JAX's)

def _f32(fn, *args):
    with nablax.config.enable_x64(False):
        return fn(*args)


@pytest.mark.parametrize("fn,args,value,weak", [
    (stats.cauchy.pdf, (1.0,), 0.15915495, True),
    (stats.cauchy.pdf, (1,), 0.15915495, True),
    (stats.expon.sf, (1.0,), 0.36787945, True),
    (stats.uniform.cdf, (0.5,), 0.5, False),          # 0 and 1 carry x's dtype: never weak
    (stats.uniform.logpdf, (0.5,), 0.0, True),
    (stats.gamma.sf, (-1.0, 2.0), 1.0, True),
    (stats.gamma.sf, (np.float32(-1.0), 2.0), 1.0, False),
    (stats.vonmises.pdf, (1.0, 2.0), 0.2057145, True),
    (stats.beta.logpdf, (0.5, 2, 3), 0.40546584, True),
    (stats.chi2.cdf, (1, 2), 0.39346915, True),
    (stats.t.pdf, (1, 2), 0.19245008, True),
    (stats.truncnorm.logpdf, (0.5, -1.0, 1.0), -0.6622233, False),  # ndtr's result is strong
    (stats.truncnorm.cdf, (0.5, -1, 1), 0.7804532, False),
    (stats.norm.isf, (0.3,), 0.5244005, False),
])
def test_dtype_and_weak_type_like_jax(fn, args, value, weak):
    out = _f32(fn, *args)
    assert out.dtype == np.float32 and out.weak_type is weak
    np.testing.assert_allclose(np.asarray(out), value, rtol=2e-6)


def test_float16_stays_float16():
    out = _f32(stats.cauchy.pdf, np.float16(1.0))
    assert out.dtype == np.float16
    np.testing.assert_allclose(np.asarray(out, np.float32), 0.1592, rtol=1e-3)


@pytest.mark.parametrize("fn,args", [
    (stats.norm.ppf, (0,)), (stats.norm.isf, (1,)), (stats.norm.ppf, (np.float16(0.3),)),
    (stats.truncnorm.logpdf, (np.float16(0.5), -1.0, 1.0)),
])
def test_type_errors_like_jax(fn, args):
    """ndtri, ndtr and log_ndtr take float32/float64 only (norm.ppf does not promote q)."""
    with pytest.raises(TypeError, match="not supported"):
        _f32(fn, *args)


def test_norm_isf_and_negative_scale():
    q = np.array([0.01, 0.3, 0.5, 0.95])
    np.testing.assert_allclose(np.asarray(stats.norm.isf(q, 1.0, 3.0)), st.norm.isf(q, 1.0, 3.0), rtol=1e-10)
    # JAX writes the normal log density with scale^2: a negative scale gives |scale|'s density
    np.testing.assert_allclose(np.asarray(stats.norm.logpdf(0.3, 0.0, -2.0)), st.norm.logpdf(0.3, 0.0, 2.0),
                               rtol=1e-12)


def test_support_edges_and_invalid_parameters():
    nan, inf = np.nan, np.inf
    edge = {
        # outside the support: -inf log density, CDF 0 / 1
        "beta.logpdf(-0.1)": (stats.beta.logpdf(-0.1, 2.0, 3.0), -inf),
        "beta.cdf(1.5)": (stats.beta.cdf(1.5, 2.0, 3.0), 1.0),
        "beta.logpdf(a<=0)": (stats.beta.logpdf(0.5, 0.0, 3.0), nan),
        "beta.logpdf(scale<0)": (stats.beta.logpdf(0.5, 2.0, 3.0, 0.0, -1.0), nan),
        "expon.cdf(-1)": (stats.expon.cdf(-1.0), 0.0),
        "expon.logsf(-1)": (stats.expon.logsf(-1.0), 0.0),
        "expon.ppf(1.5)": (stats.expon.ppf(1.5), nan),
        "expon.ppf(1)": (stats.expon.ppf(1.0), inf),
        "gamma.logpdf(-1)": (stats.gamma.logpdf(-1.0, 2.0), -inf),
        "gamma.cdf(-1)": (stats.gamma.cdf(-1.0, 2.0), 0.0),
        "chi2.logpdf(-1)": (stats.chi2.logpdf(-1.0, 3.0), -inf),
        "chi2.sf(-1)": (stats.chi2.sf(-1.0, 3.0), 1.0),
        "gumbel_l.logpdf(scale=0)": (stats.gumbel_l.logpdf(0.3, 0.0, 0.0), nan),
        "gumbel_r.ppf(0)": (stats.gumbel_r.ppf(0.0), nan),
        "gumbel_l.ppf(1)": (stats.gumbel_l.ppf(1.0), nan),
        "pareto.logpdf(0.5)": (stats.pareto.logpdf(0.5, 3.0), -inf),
        "pareto.cdf(0.5)": (stats.pareto.cdf(0.5, 3.0), 0.0),
        "pareto.logsf(0.5)": (stats.pareto.logsf(0.5, 3.0), 0.0),
        "pareto.ppf(-0.1)": (stats.pareto.ppf(-0.1, 3.0), nan),
        "uniform.logpdf(2)": (stats.uniform.logpdf(2.0), -inf),
        "uniform.cdf(-1)": (stats.uniform.cdf(-1.0), 0.0),
        "uniform.cdf(nan)": (stats.uniform.cdf(nan), 0.0),  # jnp.select's default, as in JAX
        "uniform.ppf(nan)": (stats.uniform.ppf(nan), nan),
        "truncnorm.logpdf(outside)": (stats.truncnorm.logpdf(2.0, -1.0, 1.0), -inf),
        "truncnorm.logpdf(a>=b)": (stats.truncnorm.logpdf(0.0, 1.0, 1.0), nan),
        "truncnorm.cdf(b)": (stats.truncnorm.cdf(1.0, -1.0, 1.0), 1.0),
        "truncnorm.sf(a)": (stats.truncnorm.sf(-1.0, -1.0, 1.0), 1.0),
        "vonmises.logpdf(kappa=0)": (stats.vonmises.logpdf(0.3, 0.0), nan),
        "wrapcauchy.logpdf(c=1)": (stats.wrapcauchy.logpdf(0.3, 1.0), nan),
        "wrapcauchy.logpdf(x<0)": (stats.wrapcauchy.logpdf(-0.3, 0.5), -inf),
        "cauchy.ppf(0)": (stats.cauchy.ppf(0.0), -np.tan(np.pi / 2)),
        "cauchy.isf(0)": (stats.cauchy.isf(0.0), np.tan(np.pi / 2)),
    }
    for name, (got, want) in edge.items():
        np.testing.assert_equal(np.asarray(got), want, err_msg=name)


def test_truncnorm_far_tails_stay_finite():
    # both bounds far in a tail: the mass comes from log_ndtr of the mirrored bounds
    np.testing.assert_allclose(np.asarray(stats.truncnorm.logpdf(10.5, 10.0, 11.0)),
                               st.truncnorm.logpdf(10.5, 10.0, 11.0), rtol=1e-9)
    np.testing.assert_allclose(np.asarray(stats.truncnorm.logcdf(-10.5, -11.0, -10.0)),
                               st.truncnorm.logcdf(-10.5, -11.0, -10.0), rtol=1e-9)


def test_broadcasting():
    x = np.linspace(0.1, 0.9, 4)[:, None]
    a = np.array([1.5, 2.0, 3.0])
    out = stats.beta.logpdf(x, a, 2.0)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(np.asarray(out), st.beta.logpdf(x, a, 2.0), rtol=1e-10)
    out = stats.gamma.cdf(x, a, jnp.zeros(3), 2.0)
    np.testing.assert_allclose(np.asarray(out), st.gamma.cdf(x, a, 0.0, 2.0), rtol=1e-10)
