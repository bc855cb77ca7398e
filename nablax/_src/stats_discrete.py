"""Discrete distributions of jax.scipy.stats: bernoulli, betabinom, binom, geom, multinomial,
nbinom and poisson, written on lax so they are jittable, batchable and differentiable in
their parameters (and in k where the formula is smooth in it, as in JAX).

Each function promotes its arguments like JAX (integers become the default float; a
result is weakly typed only if every argument is) and keeps JAX's edge conventions: outside
the support the log-mass is -inf, and invalid parameters give what JAX's formula gives
(NaN where JAX checks them, the formula's value where it does not).
"""
from __future__ import annotations

import math

import numpy as np

from . import dtypes
from . import numpy as jnp
from .numpy.promotion import check_arraylike, promote_args, promote_args_inexact
from .primitives.special_more import igammac
from .scipy_special import betaln, entr, gammaln, xlog1py, xlogy


def _c(like, value: float):
    """`value` as JAX's formulas spell their constants: a Python float (weak) next to a 0-d
    `like`, a strongly typed array of its dtype otherwise. This is why, as in JAX, an int
    array k with a Python float p gives a strong result from bernoulli/geom/nbinom/betabinom
    but a weak one from binom or poisson.logpmf, whose formulas use no such constant."""
    return value if like.ndim == 0 else jnp.asarray(value, like.dtype)


# ---------------------------------------------------------------------------- bernoulli


def bernoulli_logpmf(k, p, loc=0):
    """log P(K = k) for K ~ Bernoulli(p) shifted by loc: log(1 - p) at 0, log p at 1, -inf elsewhere."""
    k, p, loc = promote_args_inexact("bernoulli.logpmf", k, p, loc)
    x = k - loc
    logp = xlogy(x, p) + xlog1py(_c(k, 1) - x, -p)
    return jnp.where((x < 0) | (x > 1), -np.inf, logp)


def bernoulli_pmf(k, p, loc=0):
    """P(K = k) for K ~ Bernoulli(p) shifted by loc."""
    return jnp.exp(bernoulli_logpmf(k, p, loc))


def _bad_p(*args):
    """NaN anywhere, or p outside [0, 1] (the last argument is p)."""
    p = args[-1]
    bad = (p < 0) | (p > 1)
    for a in args:
        bad = bad | jnp.isnan(a)
    return bad


def bernoulli_cdf(k, p):
    """P(K <= k): 0 below 0, 1 - p on [0, 1), 1 from 1 on; NaN for NaN input or p outside [0, 1]."""
    k, p = promote_args_inexact("bernoulli.cdf", k, p)
    one = _c(k, 1)
    inside = jnp.where(k < 0, _c(k, 0), jnp.where(k < 1, one - p, one))
    return jnp.where(_bad_p(k, p), np.nan, inside)


def bernoulli_ppf(q, p):
    """The smallest k in {0, 1} with cdf(k) >= q; NaN for NaN input, q or p outside [0, 1]."""
    q, p = promote_args_inexact("bernoulli.ppf", q, p)
    one = _c(q, 1)
    out = jnp.where(q <= one - p, _c(q, 0), one)
    return jnp.where(_bad_p(q, p) | (q < 0) | (q > 1), np.nan, out)


# -------------------------------------------------------------------------- betabinom


def betabinom_logpmf(k, n, a, b, loc=0):
    """log of C(n, y) B(y + a, n - y + b) / B(a, b) with y = floor(k) - loc.

    -inf outside 0 <= y <= n, NaN for n < 0, a <= 0 or b <= 0 (as JAX)."""
    k, n, a, b, loc = promote_args_inexact("betabinom.logpmf", k, n, a, b, loc)
    y = jnp.floor(k) - loc
    one = _c(y, 1)
    log_comb = -(jnp.log1p(n) + betaln(n - y + one, y + one))
    logp = log_comb + betaln(y + a, n - y + b) - betaln(a, b)
    logp = jnp.where((y == 0) & (n == 0), 0.0, logp)
    logp = jnp.where((y < -loc) | (y > n) | (y + a <= 0), -np.inf, logp)
    return jnp.where((n < 0) | (a <= 0) | (b <= 0), np.nan, logp)


def betabinom_pmf(k, n, a, b, loc=0):
    """The beta-binomial probability mass."""
    return jnp.exp(betabinom_logpmf(k, n, a, b, loc))


# ------------------------------------------------------------------------------ binom


def binom_logpmf(k, n, p, loc=0):
    """log of C(n, y) p^y (1 - p)^(n - y) with y = k - loc; -inf outside loc <= k < loc + n + 1.

    k is not rounded (the binomial coefficient is taken through gammaln, as in JAX)."""
    k, n, p, loc = promote_args_inexact("binom.logpmf", k, n, p, loc)
    y = k - loc
    log_comb = gammaln(n + 1) - (gammaln(y + 1) + gammaln(n - y + 1))
    log_lin = xlogy(y, p) + xlog1py(n - y, -p)
    logp = jnp.where(((y == 0) & (n == 0)) | (log_lin == 0), 0.0, log_comb + log_lin)
    return jnp.where((k >= loc) & (k < loc + n + 1), logp, -np.inf)


def binom_pmf(k, n, p, loc=0):
    """The binomial probability mass."""
    return jnp.exp(binom_logpmf(k, n, p, loc))


# ------------------------------------------------------------------------------- geom


def geom_logpmf(k, p, loc=0):
    """log of (1 - p)^(x - 1) p with x = k - loc; -inf for x <= 0."""
    k, p, loc = promote_args_inexact("geom.logpmf", k, p, loc)
    x = k - loc
    return jnp.where(x <= 0, -np.inf, xlog1py(x - _c(k, 1), -p) + jnp.log(p))


def geom_pmf(k, p, loc=0):
    """The geometric probability mass (trials up to and including the first success)."""
    return jnp.exp(geom_logpmf(k, p, loc))


# ------------------------------------------------------------------------ multinomial


def multinomial_logpmf(x, n, p):
    """log of n! prod(p_i^x_i / x_i!) over the last axis; -inf unless sum(x) == n.

    x and n must be integers (a ValueError otherwise, as in JAX); as in JAX the support
    test sums every entry of x, so a batch of counts is checked as a whole."""
    (p,) = promote_args_inexact("multinomial.logpmf", p)
    x, n = promote_args("multinomial.logpmf", x, n)
    if not dtypes.is_integer(x.dtype):
        raise ValueError(f"multinomial.logpmf: x and n must be of integer type; got x.dtype={x.dtype}, "
                         f"n.dtype={n.dtype}")
    x, n = x.astype(p.dtype), n.astype(p.dtype)
    logp = gammaln(n + 1) + jnp.sum(xlogy(x, p) - gammaln(x + 1), axis=-1)
    return jnp.where(jnp.sum(x) == n, logp, -np.inf)


def multinomial_pmf(x, n, p):
    """The multinomial probability mass."""
    return jnp.exp(multinomial_logpmf(x, n, p))


# ----------------------------------------------------------------------------- nbinom


def nbinom_logpmf(k, n, p, loc=0):
    """log of Gamma(y + n) / (Gamma(n) y!) p^n (1 - p)^y with y = k - loc; -inf for k < loc."""
    k, n, p, loc = promote_args_inexact("nbinom.logpmf", k, n, p, loc)
    y = k - loc
    one = _c(k, 1)
    log_comb = gammaln(y + n) - gammaln(n) - gammaln(y + one)
    return jnp.where(k < loc, -np.inf, log_comb + xlogy(n, p) + xlogy(y, one - p))


def nbinom_pmf(k, n, p, loc=0):
    """The negative binomial probability mass (failures before the n-th success)."""
    return jnp.exp(nbinom_logpmf(k, n, p, loc))


# ---------------------------------------------------------------------------- poisson


def poisson_logpmf(k, mu, loc=0):
    """log of mu^x e^-mu / x! with x = k - loc; -inf for x < 0 or non-integer k."""
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    x = k - loc
    logp = xlogy(x, mu) - gammaln(x + 1) - mu
    return jnp.where((x < 0) | (jnp.round(k) != k), -np.inf, logp)


def poisson_pmf(k, mu, loc=0):
    """The Poisson probability mass."""
    return jnp.exp(poisson_logpmf(k, mu, loc))


def poisson_cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k - loc) + 1, mu), the regularized upper incomplete gamma; 0 below loc."""
    k, mu, loc = promote_args_inexact("poisson.cdf", k, mu, loc)
    x = k - loc
    return jnp.where(x < 0, _c(k, 0), igammac(jnp.floor(1 + x), mu))


def _entropy_by_sum(mu, terms: int, upper):
    """-sum p log p over k < min(terms, upper(mu)), each mu a column."""
    k = jnp.arange(terms, dtype=mu.dtype)[:, None]
    probs = poisson_pmf(k, mu)
    return jnp.sum(entr(jnp.where(k < jnp.ceil(upper), probs, 0.0)), axis=0)


def poisson_entropy(mu, loc=0):
    """The Poisson entropy (loc does not change it; it only broadcasts), as JAX computes it:
    the sum of -p log p over k < mu + 20 (35 terms) for mu < 10, over k < mu + 10 sqrt(mu) + 20
    (250 terms) for mu < 100, and the asymptotic log(2 pi e mu) / 2 - 1 / (12 mu) above."""
    check_arraylike("poisson.entropy", mu, loc)
    dtype = dtypes.to_inexact_dtype(dtypes.result_type(mu, loc))
    mu, loc = jnp.asarray(mu).astype(dtype), jnp.asarray(loc).astype(dtype)
    flat = jnp.ravel(mu)
    small = _entropy_by_sum(flat, 35, flat + 20)
    medium = _entropy_by_sum(flat, 250, flat + 10 * jnp.sqrt(flat) + 20)
    large = 0.5 * jnp.log(2 * math.pi * math.e * flat) - 1.0 / (12 * flat)
    out = jnp.where(flat == 0, 0.0, jnp.where(flat < 10, small, jnp.where(flat < 100, medium, large)))
    return jnp.broadcast_to(out.reshape(mu.shape), np.broadcast_shapes(mu.shape, loc.shape))


__all__ = [
    "bernoulli_logpmf", "bernoulli_pmf", "bernoulli_cdf", "bernoulli_ppf",
    "betabinom_logpmf", "betabinom_pmf", "binom_logpmf", "binom_pmf", "geom_logpmf", "geom_pmf",
    "multinomial_logpmf", "multinomial_pmf", "nbinom_logpmf", "nbinom_pmf",
    "poisson_logpmf", "poisson_pmf", "poisson_cdf", "poisson_entropy",
]
