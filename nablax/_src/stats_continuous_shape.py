"""Continuous distributions of jax.scipy.stats whose CDFs are special functions.

beta (regularized incomplete beta), chi2 and gamma (regularized incomplete gamma),
gennorm (incomplete gamma of |x|^beta), t (density only, as in JAX) and truncnorm (normal
masses from ndtr / log_ndtr), each as `<dist>_<fn>`. The CDFs are lax.igamma, lax.igammac
and lax.betainc, whose values are SciPy's kernels; so, as in JAX, the gamma and chi2 CDFs
are differentiable in the shape parameter while beta's CDF is differentiable in x, loc
and scale only (a ValueError for a and b, as JAX raises). Formulas, support edges and
guarded branches follow JAX's.
"""
from __future__ import annotations

import math

import numpy as np

from . import numpy as jnp
from .array import Array
from .primitives import elementwise as ew
from .primitives import special, special_more
from .scipy_special import betaln, log_ndtr, logsumexp, ndtr, norm_logpdf, xlog1py, xlogy
from .stats_continuous import ArrayLike, _promote

_LOG2 = math.log(2.0)


def _standardized_clamped(x, loc, scale, upper: float):
    """(x - loc) / scale clamped to [0, upper]: the CDF argument of a distribution on
    [0, upper]. A clamped point has derivative 0, as lax.clamp gives."""
    return ew.clamp(jnp.zeros_like(x), (x - loc) / scale, jnp.full_like(x, upper))


# --------------------------------------------------------------------------- beta

def beta_logpdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the beta distribution on [loc, loc + scale]; -inf outside, nan where
    a, b or scale is not positive."""
    x, a, b, loc, scale = _promote("beta.logpdf", x, a, b, loc, scale)
    y = (x - loc) / scale
    log_probs = (-betaln(a, b) + (xlogy(a - 1.0, y) + xlog1py(b - 1.0, -y))) - jnp.log(scale)
    inside = jnp.where((x > loc + scale) | (x < loc), -np.inf, log_probs)
    return jnp.where((a <= 0) | (b <= 0) | (scale <= 0), np.nan, inside)


def beta_pdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the beta distribution."""
    return jnp.exp(beta_logpdf(x, a, b, loc, scale))


def beta_cdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the beta distribution: I_y(a, b) at y = (x - loc) / scale clamped to [0, 1]."""
    x, a, b, loc, scale = _promote("beta.cdf", x, a, b, loc, scale)
    return special_more.regularized_incomplete_beta_p.bind(a, b, _standardized_clamped(x, loc, scale, 1.0))


def beta_logcdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the beta distribution."""
    return jnp.log(beta_cdf(x, a, b, loc, scale))


def beta_sf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the beta distribution: I_{1-y}(b, a), accurate near y = 1."""
    x, a, b, loc, scale = _promote("beta.sf", x, a, b, loc, scale)
    return special_more.regularized_incomplete_beta_p.bind(b, a, 1.0 - _standardized_clamped(x, loc, scale, 1.0))


def beta_logsf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the beta distribution."""
    return jnp.log(beta_sf(x, a, b, loc, scale))


# --------------------------------------------------------------------------- chi2

def chi2_logpdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the chi-squared distribution with `df` degrees of freedom; -inf below loc."""
    x, df, loc, scale = _promote("chi2.logpdf", x, df, loc, scale)
    y = (x - loc) / scale
    half_df = df / 2.0
    kernel = (half_df - 1.0) * jnp.log(y) - y / 2.0
    log_norm = -(special.lgamma(half_df) + (_LOG2 * df) / 2.0)
    return jnp.where(x < loc, -np.inf, (log_norm - jnp.log(scale)) + kernel)


def chi2_pdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the chi-squared distribution."""
    return jnp.exp(chi2_logpdf(x, df, loc, scale))


def chi2_cdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the chi-squared distribution: P(df/2, (x - loc) / (2 scale)), 0 below loc."""
    x, df, loc, scale = _promote("chi2.cdf", x, df, loc, scale)
    return special_more.igamma_p.bind(df / 2.0, _standardized_clamped(x, loc, scale * 2.0, np.inf))


def chi2_logcdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the chi-squared distribution."""
    return jnp.log(chi2_cdf(x, df, loc, scale))


def chi2_sf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the chi-squared distribution: Q(df/2, (x - loc) / (2 scale))."""
    x, df, loc, scale = _promote("chi2.sf", x, df, loc, scale)
    return special_more.igammac_p.bind(df / 2.0, _standardized_clamped(x, loc, scale * 2.0, np.inf))


def chi2_logsf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the chi-squared distribution."""
    return jnp.log(chi2_sf(x, df, loc, scale))


# --------------------------------------------------------------------------- gamma

def gamma_logpdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the gamma distribution with shape `a`; -inf below loc (where the
    standardized value is replaced by 1, so no nan reaches the gradient)."""
    x, a, loc, scale = _promote("gamma.logpdf", x, a, loc, scale)
    ok = x >= loc
    y = jnp.where(ok, (x - loc) / scale, 1.0)
    log_probs = (xlogy(a - 1.0, y) - y) - (special.lgamma(a) + jnp.log(scale))
    return jnp.where(ok, log_probs, -np.inf)


def gamma_pdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the gamma distribution."""
    return jnp.exp(gamma_logpdf(x, a, loc, scale))


def gamma_cdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the gamma distribution: P(a, (x - loc) / scale), 0 below loc."""
    x, a, loc, scale = _promote("gamma.cdf", x, a, loc, scale)
    return special_more.igamma_p.bind(a, _standardized_clamped(x, loc, scale, np.inf))


def gamma_logcdf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the gamma distribution."""
    return jnp.log(gamma_cdf(x, a, loc, scale))


def gamma_sf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the gamma distribution: Q(a, (x - loc) / scale), 1 below loc."""
    x, a, loc, scale = _promote("gamma.sf", x, a, loc, scale)
    y = (x - loc) / scale
    return jnp.where(y < 0, 1, special_more.igammac_p.bind(a, y))


def gamma_logsf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the gamma distribution."""
    return jnp.log(gamma_sf(x, a, loc, scale))


# --------------------------------------------------------------------------- gennorm

def gennorm_logpdf(x: ArrayLike, beta: ArrayLike) -> Array:
    """log density of the generalized normal distribution: log(beta / 2) - lgamma(1/beta) - |x|^beta."""
    x, beta = _promote("gennorm.logpdf", x, beta)
    return jnp.log(0.5 * beta) - special.lgamma(1.0 / beta) - jnp.abs(x) ** beta


def gennorm_pdf(x: ArrayLike, beta: ArrayLike) -> Array:
    """Density of the generalized normal distribution."""
    return jnp.exp(gennorm_logpdf(x, beta))


def gennorm_cdf(x: ArrayLike, beta: ArrayLike) -> Array:
    """CDF of the generalized normal distribution: (1 + sign(x) P(1/beta, |x|^beta)) / 2."""
    x, beta = _promote("gennorm.cdf", x, beta)
    return 0.5 * (1.0 + jnp.sign(x) * special_more.igamma_p.bind(1.0 / beta, jnp.abs(x) ** beta))


# --------------------------------------------------------------------------- t

def t_logpdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of Student's t distribution with `df` degrees of freedom."""
    x, df, loc, scale = _promote("t.logpdf", x, df, loc, scale)
    z = (x - loc) / scale
    half_df = df / 2.0
    half_df_plus = half_df + 0.5
    log_norm = (special.lgamma(half_df) + jnp.log((scale * scale) * np.pi * df) / 2.0
                - special.lgamma(half_df_plus))
    return -(log_norm + half_df_plus * jnp.log1p((z * z) / df))


def t_pdf(x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of Student's t distribution."""
    return jnp.exp(t_logpdf(x, df, loc, scale))


# --------------------------------------------------------------------------- truncnorm
# a and b are the truncation bounds in standardized units, as in SciPy.

def _log_sub_exp(x, y):
    """log(exp(x) - exp(y)) by logsumexp with signed weights; nan where x < y, put in by a
    select (as JAX's logsumexp does), so no gradient flows from there."""
    out, sign = logsumexp(jnp.stack([x, y]), b=jnp.stack([jnp.ones_like(x), -jnp.ones_like(y)]), axis=0,
                          return_sign=True)
    return jnp.where(sign < 0, np.nan, out)


def _log_gauss_mass(a, b):
    """log(Phi(b) - Phi(a)) for a <= b: from the tail nearer to the interval when it lies on
    one side of 0 (mirrored into the left tail, where log_ndtr is accurate), else
    log1p(-Phi(a) - Phi(-b))."""
    a, b = jnp.broadcast_arrays(jnp.asarray(a), jnp.asarray(b))
    left, right = b <= 0, a > 0
    lo = jnp.where(right, -b, a)
    hi = jnp.where(right, -a, b)
    tail = _log_sub_exp(log_ndtr(hi), log_ndtr(lo))
    central = jnp.log1p(-ndtr(a) - ndtr(-b))
    return jnp.where(left | right, tail, central)


def truncnorm_logpdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the normal distribution truncated to [a, b] (standardized units);
    -inf outside, nan where a >= b."""
    x, a, b, loc, scale = _promote("truncnorm.logpdf", x, a, b, loc, scale)
    log_probs = norm_logpdf(x, loc, scale) - _log_gauss_mass(a, b)
    z = (x - loc) / scale
    log_probs = jnp.where((z < a) | (z > b), -np.inf, log_probs)
    return jnp.where(a >= b, np.nan, log_probs)


def truncnorm_pdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the truncated normal distribution."""
    return jnp.exp(truncnorm_logpdf(x, a, b, loc, scale))


def truncnorm_logcdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the truncated normal distribution: the mass of [a, z] over that of [a, b],
    or log1p(-sf) when that is close to 0 (above -0.1), where it is more accurate."""
    x, a, b, loc, scale = _promote("truncnorm.logcdf", x, a, b, loc, scale)
    x, a, b = jnp.broadcast_arrays(x, a, b)
    z = (x - loc) / scale
    total = _log_gauss_mass(a, b)
    log_cdf = _log_gauss_mass(a, z) - total
    log_sf = _log_gauss_mass(z, b) - total
    out = jnp.select([z >= b, z <= a, log_cdf > -0.1, z > a],
                     [0, -np.inf, jnp.log1p(-jnp.exp(log_sf)), log_cdf])
    return jnp.where(a >= b, np.nan, out)


def truncnorm_cdf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the truncated normal distribution."""
    return jnp.exp(truncnorm_logcdf(x, a, b, loc, scale))


def truncnorm_logsf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the truncated normal distribution (the log CDF of the
    mirrored distribution)."""
    x, a, b, loc, scale = _promote("truncnorm.logsf", x, a, b, loc, scale)
    return truncnorm_logcdf(-x, -b, -a, -loc, scale)


def truncnorm_sf(x: ArrayLike, a: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the truncated normal distribution."""
    return jnp.exp(truncnorm_logsf(x, a, b, loc, scale))
