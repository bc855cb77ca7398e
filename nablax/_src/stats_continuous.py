"""Continuous distributions of jax.scipy.stats with closed-form densities and CDFs.

cauchy, expon, gumbel_l, gumbel_r, laplace, logistic, pareto, uniform, vonmises and
wrapcauchy, each as `<dist>_<fn>` (the public modules `nablax.scipy.stats.<dist>` rename
them). Every function promotes its arguments like jnp (integers become the default float,
Python scalars stay weak) and is made of lax operations, so it is jittable, batchable and
differentiable in `x` and in every parameter. Formulas, support edges (-inf, 0 or nan
outside the support) and the guarded branches follow JAX's, so values, dtypes, weak types
and gradients agree with it.

The distributions whose CDFs need special functions (beta, chi2, gamma, gennorm, t,
truncnorm) are in `stats_continuous_shape.py`.
"""
from __future__ import annotations

import math
from typing import Union

import numpy as np

from . import numpy as jnp
from .array import Array
from .nn_attention import log1mexp
from .numpy.promotion import promote_args_inexact
from .primitives import special
from .scipy_special import expit, logit

ArrayLike = Union[Array, np.ndarray, np.bool_, np.number, bool, int, float]

_PI = math.pi
_LOG_2PI = math.log(2.0 * math.pi)


def _promote(fname: str, *args) -> list:
    """The arguments as one inexact dtype (jnp's rules), named as JAX names them in errors."""
    return promote_args_inexact(fname, *args)


def _outside_unit(q):
    """Where a probability argument is not in [0, 1] (or is nan): the quantile is nan there."""
    return jnp.isnan(q) | (q < 0) | (q > 1)


# --------------------------------------------------------------------------- cauchy

def cauchy_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the Cauchy distribution: -log(pi scale (1 + z^2)), z = (x - loc) / scale."""
    x, loc, scale = _promote("cauchy.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return -(jnp.log(_PI * scale) + jnp.log1p(z * z))


def cauchy_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the Cauchy distribution."""
    return jnp.exp(cauchy_logpdf(x, loc, scale))


def cauchy_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the Cauchy distribution: 1/2 + arctan(z) / pi."""
    x, loc, scale = _promote("cauchy.cdf", x, loc, scale)
    return 0.5 + (1.0 / _PI) * jnp.arctan((x - loc) / scale)


def cauchy_logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the Cauchy distribution."""
    return jnp.log(cauchy_cdf(x, loc, scale))


def cauchy_sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the Cauchy distribution (the CDF of the mirrored one, so the
    right tail keeps its precision)."""
    x, loc, scale = _promote("cauchy.sf", x, loc, scale)
    return cauchy_cdf(-x, -loc, scale)


def cauchy_logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the Cauchy distribution."""
    x, loc, scale = _promote("cauchy.logsf", x, loc, scale)
    return cauchy_logcdf(-x, -loc, scale)


def cauchy_ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the Cauchy distribution: loc + scale tan(pi (q - 1/2))."""
    q, loc, scale = _promote("cauchy.ppf", q, loc, scale)
    return jnp.tan(_PI * q - 0.5 * _PI) * scale + loc


def cauchy_isf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Inverse survival function of the Cauchy distribution: loc + scale tan(pi (1/2 - q))."""
    q, loc, scale = _promote("cauchy.isf", q, loc, scale)
    return jnp.tan(0.5 * _PI - _PI * q) * scale + loc


# --------------------------------------------------------------------------- expon

def expon_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the exponential distribution; -inf below loc."""
    x, loc, scale = _promote("expon.logpdf", x, loc, scale)
    log_probs = -((x - loc) / scale + jnp.log(scale))
    return jnp.where(x < loc, -np.inf, log_probs)


def expon_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the exponential distribution."""
    return jnp.exp(expon_logpdf(x, loc, scale))


def expon_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the exponential distribution: -expm1(-(x - loc) / scale), 0 below loc."""
    x, loc, scale = _promote("expon.cdf", x, loc, scale)
    minus_z = (loc - x) / scale
    return jnp.where(x < loc, jnp.zeros_like(minus_z), -jnp.expm1(minus_z))


def expon_logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the exponential distribution: -(x - loc) / scale, 0 below loc."""
    x, loc, scale = _promote("expon.sf", x, loc, scale)
    minus_z = (loc - x) / scale
    return jnp.where(x < loc, jnp.zeros_like(minus_z), minus_z)


def expon_sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the exponential distribution."""
    return jnp.exp(expon_logsf(x, loc, scale))


def expon_logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the exponential distribution, log1p(-sf)."""
    return jnp.log1p(-expon_sf(x, loc, scale))


def expon_ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the exponential distribution; nan outside [0, 1]."""
    q, loc, scale = _promote("expon.ppf", q, loc, scale)
    return jnp.where(_outside_unit(q), np.nan, loc - scale * jnp.log1p(-q))


# ------------------------------------------------------------------- gumbel_l / gumbel_r
# Both give nan wherever scale <= 0, as JAX does.

def gumbel_l_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the left-skewed Gumbel distribution: z - e^z - log(scale)."""
    x, loc, scale = _promote("gumbel_l.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, (z - jnp.exp(z)) - jnp.log(scale), np.nan)


def gumbel_l_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the left-skewed Gumbel distribution."""
    return jnp.exp(gumbel_l_logpdf(x, loc, scale))


def gumbel_l_logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the left-skewed Gumbel distribution: log(1 - exp(-e^z))."""
    x, loc, scale = _promote("gumbel_l.logcdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, jnp.log(-jnp.expm1(-jnp.exp(z))), np.nan)


def gumbel_l_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the left-skewed Gumbel distribution."""
    return jnp.exp(gumbel_l_logcdf(x, loc, scale))


def gumbel_l_logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the left-skewed Gumbel distribution: -e^z."""
    x, loc, scale = _promote("gumbel_l.logsf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, -jnp.exp(z), np.nan)


def gumbel_l_sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the left-skewed Gumbel distribution."""
    return jnp.exp(gumbel_l_logsf(x, loc, scale))


def gumbel_l_ppf(p: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the left-skewed Gumbel distribution: loc + scale log(-log1p(-p));
    nan outside (0, 1)."""
    p, loc, scale = _promote("gumbel_l.ppf", p, loc, scale)
    inside = (p > 0) & (p < 1)
    return jnp.where(inside, loc + scale * jnp.log(-jnp.log1p(-p)), np.nan)


def gumbel_r_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the right-skewed Gumbel distribution: -(z + e^-z) - log(scale)."""
    x, loc, scale = _promote("gumbel_r.logpdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, -(z + jnp.exp(-z)) - jnp.log(scale), np.nan)


def gumbel_r_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the right-skewed Gumbel distribution."""
    return jnp.exp(gumbel_r_logpdf(x, loc, scale))


def gumbel_r_logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the right-skewed Gumbel distribution: -e^-z."""
    x, loc, scale = _promote("gumbel_r.logcdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(scale > 0, -jnp.exp(-z), np.nan)


def gumbel_r_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the right-skewed Gumbel distribution."""
    return jnp.exp(gumbel_r_logcdf(x, loc, scale))


def gumbel_r_sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the right-skewed Gumbel distribution: 1 - exp(-e^-z)."""
    x, loc, scale = _promote("gumbel_r.sf", x, loc, scale)
    minus_z = (loc - x) / scale
    return jnp.where(scale > 0, 1.0 - jnp.exp(-jnp.exp(minus_z)), np.nan)


def gumbel_r_logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the right-skewed Gumbel distribution: log(1 - exp(-e^-z)),
    computed by log1mexp so both tails keep their precision."""
    x, loc, scale = _promote("gumbel_r.logsf", x, loc, scale)
    minus_z = (loc - x) / scale
    return jnp.where(scale > 0, log1mexp(jnp.exp(minus_z)), np.nan)


def gumbel_r_ppf(p: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the right-skewed Gumbel distribution: loc - scale log(-log p);
    nan outside (0, 1)."""
    p, loc, scale = _promote("gumbel_r.ppf", p, loc, scale)
    inside = (p > 0) & (p < 1)
    return jnp.where(inside, loc - scale * jnp.log(-jnp.log(p)), np.nan)


# --------------------------------------------------------------------------- laplace

def laplace_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the Laplace distribution: -|x - loc| / scale - log(2 scale)."""
    x, loc, scale = _promote("laplace.logpdf", x, loc, scale)
    return -(jnp.abs(x - loc) / scale + jnp.log(2.0 * scale))


def laplace_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the Laplace distribution."""
    return jnp.exp(laplace_logpdf(x, loc, scale))


def laplace_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the Laplace distribution: e^z / 2 for z <= 0, 1 - e^-z / 2 above."""
    x, loc, scale = _promote("laplace.cdf", x, loc, scale)
    z = (x - loc) / scale
    return jnp.where(z <= 0, 0.5 * jnp.exp(z), 1.0 - 0.5 * jnp.exp(-z))


# --------------------------------------------------------------------------- logistic

def logistic_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the logistic distribution: -2 logaddexp(z/2, -z/2) - log(scale)
    (symmetric in z, so neither tail overflows)."""
    x, loc, scale = _promote("logistic.logpdf", x, loc, scale)
    half_z = ((x - loc) / scale) / 2.0
    return -2.0 * jnp.logaddexp(half_z, -half_z) - jnp.log(scale)


def logistic_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the logistic distribution."""
    return jnp.exp(logistic_logpdf(x, loc, scale))


def logistic_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the logistic distribution: expit(z)."""
    x, loc, scale = _promote("logistic.cdf", x, loc, scale)
    return expit((x - loc) / scale)


def logistic_sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the logistic distribution: expit(-z)."""
    x, loc, scale = _promote("logistic.sf", x, loc, scale)
    return expit(-((x - loc) / scale))


def logistic_ppf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the logistic distribution: loc + scale logit(q)."""
    x, loc, scale = _promote("logistic.ppf", x, loc, scale)
    return logit(x) * scale + loc


def logistic_isf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Inverse survival function of the logistic distribution: loc - scale logit(q)."""
    x, loc, scale = _promote("logistic.isf", x, loc, scale)
    return -logit(x) * scale + loc


# --------------------------------------------------------------------------- pareto
# The support is x >= loc + scale; below it the density is 0 and the CDF 0.

def pareto_logpdf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the Pareto distribution: log(b / scale) - (b + 1) log z."""
    x, b, loc, scale = _promote("pareto.logpdf", x, b, loc, scale)
    z = (x - loc) / scale
    log_probs = -(jnp.log(scale / b) + (b + 1.0) * jnp.log(z))
    return jnp.where(x < loc + scale, -np.inf, log_probs)


def pareto_pdf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the Pareto distribution."""
    return jnp.exp(pareto_logpdf(x, b, loc, scale))


def pareto_cdf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the Pareto distribution: 1 - z^-b."""
    x, b, loc, scale = _promote("pareto.cdf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, 0.0, 1.0 - z ** -b)


def pareto_logcdf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log CDF of the Pareto distribution: log1p(-z^-b)."""
    x, b, loc, scale = _promote("pareto.logcdf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, -np.inf, jnp.log1p(-(z ** -b)))


def pareto_logsf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log survival function of the Pareto distribution: -b log z."""
    x, b, loc, scale = _promote("pareto.logsf", x, b, loc, scale)
    z = (x - loc) / scale
    return jnp.where(x < loc + scale, 0.0, -(b * jnp.log(z)))


def pareto_sf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Survival function of the Pareto distribution."""
    return jnp.exp(pareto_logsf(x, b, loc, scale))


def pareto_ppf(q: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the Pareto distribution: loc + scale (1 - q)^(-1/b); nan outside [0, 1]."""
    q, b, loc, scale = _promote("pareto.ppf", q, b, loc, scale)
    return jnp.where(_outside_unit(q), np.nan, loc + scale * (1.0 - q) ** -(1.0 / b))


# --------------------------------------------------------------------------- uniform

def uniform_logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """log density of the uniform distribution on [loc, loc + scale]: -log(scale) inside, -inf outside."""
    x, loc, scale = _promote("uniform.logpdf", x, loc, scale)
    outside = (x > loc + scale) | (x < loc)
    return jnp.where(outside, -np.inf, -jnp.log(scale))


def uniform_pdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Density of the uniform distribution."""
    return jnp.exp(uniform_logpdf(x, loc, scale))


def uniform_cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """CDF of the uniform distribution: (x - loc) / scale inside, clipped to 0 and 1 outside.

    As in JAX the result is never weakly typed (its 0 and 1 carry x's dtype), and a nan
    anywhere gives 0."""
    x, loc, scale = _promote("uniform.cdf", x, loc, scale)
    zero, one = jnp.array(0, x.dtype), jnp.array(1, x.dtype)
    upper = loc + scale
    below, above = x < loc, x > upper
    return jnp.select([below, above, (x >= loc) & (x <= upper)], [zero, one, (x - loc) / scale])


def uniform_ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) -> Array:
    """Quantile function of the uniform distribution: loc + scale q; nan outside [0, 1]."""
    q, loc, scale = _promote("uniform.ppf", q, loc, scale)
    return jnp.where(_outside_unit(q), np.nan, loc + scale * q)


# ------------------------------------------------------------------ circular: vonmises, wrapcauchy

def vonmises_logpdf(x: ArrayLike, kappa: ArrayLike) -> Array:
    """log density of the von Mises distribution: kappa (cos x - 1) - log(2 pi i0e(kappa))
    (the scaled Bessel function, so large kappa does not overflow); nan for kappa <= 0."""
    x, kappa = _promote("vonmises.logpdf", x, kappa)
    log_probs = kappa * (jnp.cos(x) - 1.0) - jnp.log(2.0 * _PI * special.bessel_i0e(kappa))
    return jnp.where(kappa > 0, log_probs, np.nan)


def vonmises_pdf(x: ArrayLike, kappa: ArrayLike) -> Array:
    """Density of the von Mises distribution."""
    return jnp.exp(vonmises_logpdf(x, kappa))


def wrapcauchy_logpdf(x: ArrayLike, c: ArrayLike) -> Array:
    """log density of the wrapped Cauchy distribution on [0, 2 pi]:
    log((1 - c^2) / (2 pi (1 + c^2 - 2 c cos x))); -inf off [0, 2 pi], nan unless 0 < c < 1."""
    x, c = _promote("wrapcauchy.logpdf", x, c)
    log_probs = jnp.log(1.0 - c * c) - _LOG_2PI - jnp.log(1.0 + c * c - 2.0 * c * jnp.cos(x))
    on_circle = jnp.where((x >= 0) & (x <= 2.0 * _PI), log_probs, -np.inf)
    return jnp.where((c > 0) & (c < 1), on_circle, np.nan)


def wrapcauchy_pdf(x: ArrayLike, c: ArrayLike) -> Array:
    """Density of the wrapped Cauchy distribution."""
    return jnp.exp(wrapcauchy_logpdf(x, c))
