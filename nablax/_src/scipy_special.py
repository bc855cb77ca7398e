"""nablax.scipy.special (and nablax.scipy.stats.norm): special functions written on lax.

Each function promotes its arguments like jnp (integers become the default float) and is
differentiable, batchable and compilable because it is made of lax operations. Where a
function is piecewise, its derivative follows JAX's: a custom JVP where JAX has one
(log_ndtr, logit, xlogy, xlog1py, entr), so the derivative at a branch point is the true
one (log_ndtr'(0) = phi(0)/Phi(0)), and unused branches are fed safe values so gradients
stay finite (logsumexp over -inf, ...).
"""
from __future__ import annotations

import math
import operator

import numpy as np

from . import dtypes, errors
from . import numpy as jnp
from .custom_derivatives import custom_jvp
from .numpy.promotion import promote_args_inexact
from .numpy.reductions import canonical_axes
from .primitives import elementwise as ew
from .primitives import misc, special

_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _inexact(fname: str, *args):
    out = promote_args_inexact(fname, *args)
    return out if len(out) > 1 else out[0]


def _real(fname: str, x) -> None:
    if not dtypes.is_float(x.dtype):
        raise TypeError(f"scipy.special.{fname} needs real floating-point input, got {x.dtype.name}")


def _strong(x):
    """x without its weak type (JAX's reductions, and so logsumexp/softmax, are never weak)."""
    return misc.convert_element_type(x, x.dtype)


def _float32_or_64(fname: str, x):
    """As in JAX, ndtr/ndtri/log_ndtr take float32 or float64 only (not ints or float16),
    and give a strongly typed result."""
    x = jnp.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"scipy.special.{fname}: x.dtype={x.dtype.name} is not supported; it needs "
                        "float32 or float64")
    return _strong(x)


# ------------------------------------------------------------------------ logsumexp

def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False, where=None):
    """log(sum(b * exp(a))) over `axis`, computed stably (the maximum is subtracted first).

    Entries with b == 0 (or outside `where`) are ignored; all-(-inf) input gives -inf.
    With `return_sign=True` returns (log|sum|, sign(sum)); otherwise a negative sum
    gives nan, as in SciPy.
    """
    if b is None:
        a = _inexact("logsumexp", a)
    else:
        a, b = _inexact("logsumexp", a, b)
        shape = np.broadcast_shapes(a.shape, b.shape)
        a, b = jnp.broadcast_to(a, shape), jnp.broadcast_to(b, shape)
        a = jnp.where(ew.ne(b, 0), a, -np.inf)
    _real("logsumexp", a)
    axes = canonical_axes("logsumexp", axis, a.ndim)
    amax = jnp.max(a, axis=axes, keepdims=True, where=where, initial=-np.inf)
    amax = misc.stop_gradient(jnp.where(jnp.isfinite(amax), amax, 0))
    e = jnp.exp(a - amax)
    if b is not None:
        e = b * e
    s = jnp.sum(e, axis=axes, keepdims=True, where=where)
    if return_sign:
        sign = jnp.sign(s)
        s = jnp.abs(s)
    out = jnp.log(s) + amax
    if not keepdims:
        out = jnp.squeeze(out, axis=axes)
        if return_sign:
            sign = jnp.squeeze(sign, axis=axes)
    return (_strong(out), _strong(sign)) if return_sign else _strong(out)


def _softmax(fname: str, x, axis, where, initial, log: bool):
    x = _inexact(fname, x)
    _real(fname, x)
    axes = canonical_axes(fname, axis, x.ndim)
    init = -np.inf if initial is None else initial
    # (An infinite maximum is not replaced, as it is in logsumexp: softmax([inf, 0.]) is
    # [nan, nan] in JAX.)
    xmax = misc.stop_gradient(jnp.max(x, axis=axes, keepdims=True, where=where, initial=init))
    shifted = x - xmax
    e = jnp.exp(shifted)
    if where is not None:
        e = jnp.where(where, e, 0)
    total = jnp.sum(e, axis=axes, keepdims=True)
    if log:
        out = shifted - jnp.log(total)
        return _strong(out if where is None else jnp.where(where, out, -np.inf))
    return _strong(e / total)


def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over `axis` (all axes by default, as in SciPy)."""
    return _softmax("softmax", x, axis, None, None, log=False)


def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis` (all axes by default, as in SciPy)."""
    return _softmax("log_softmax", x, axis, None, None, log=True)


# ------------------------------------------------------------- error function family

def erf(x):
    """The error function."""
    return special.erf(_inexact("erf", x))


def erfc(x):
    """1 - erf(x), accurate in the right tail."""
    return special.erfc(_inexact("erfc", x))


def erfinv(x):
    """The inverse of erf on (-1, 1)."""
    return special.erf_inv(_inexact("erfinv", x))


def _ndtr(x):
    """Phi(x) from erf near 0 and erfc in the tails (as JAX computes it: the same rounding)."""
    half_sqrt2 = 0.5 * _SQRT2
    w = x * half_sqrt2
    z = jnp.abs(w)
    tails = jnp.where(w > 0, 2.0 - special.erfc(z), special.erfc(z))
    return 0.5 * jnp.where(z < half_sqrt2, 1.0 + special.erf(w), tails)


def ndtr(x):
    """The standard normal CDF, accurate in both tails."""
    return _ndtr(_float32_or_64("ndtr", x))


def ndtri(p):
    """The inverse of ndtr: sqrt(2) * erfinv(2p - 1).

    (Relative precision degrades for p very close to 0 or 1, where 2p - 1 rounds.)
    """
    p = _float32_or_64("ndtri", p)
    return _SQRT2 * special.erf_inv(2 * p - 1)


def _log_ndtr_asymptotic(x):
    """log Phi(x) for x << 0: log(phi(x) / -x) + log of the asymptotic series
    1 - 1/x^2 + 3/x^4 - 15/x^6 (three terms, as JAX)."""
    z = 1 / (x * x)
    series = 1 + z * (-1 + z * (3 + z * -15))
    return -0.5 * (x * x) - jnp.log(-x) - _LOG_SQRT_2PI + jnp.log(series)


@custom_jvp
def _log_ndtr(x):
    # -Phi(-x) above `upper` (log(1 - e) ~ -e), log(Phi(x)) in the middle, the asymptotic
    # series below `lower`. Each branch sees only inputs it is valid for.
    f64 = x.dtype == np.float64
    lower, upper = (-20.0, 8.0) if f64 else (-10.0, 5.0)
    high = x > upper
    phi = _ndtr(jnp.where(high, -x, jnp.maximum(x, lower)))
    left = _log_ndtr_asymptotic(jnp.minimum(x, lower))
    return jnp.where(high, -phi, jnp.where(x > lower, jnp.log(phi), left))


@_log_ndtr.defjvp
def _log_ndtr_jvp(primals, tangents):
    # d/dx log Phi(x) = phi(x) / Phi(x) = exp(log phi(x) - log Phi(x)): the same formula on
    # every side of the branch points, so the derivative at 0 is phi(0)/Phi(0) = 0.798.
    (x,), (t,) = primals, tangents
    out = _log_ndtr(x)
    return out, t * jnp.exp(-0.5 * (x * x) - _LOG_SQRT_2PI - out)


def log_ndtr(x):
    """log(ndtr(x)), accurate in both tails (an asymptotic series far in the left tail)."""
    return _log_ndtr(_float32_or_64("log_ndtr", x))


# ------------------------------------------------------------------- gamma family

def gammaln(x):
    """log|Gamma(x)|."""
    return special.lgamma(_inexact("gammaln", x))


def gamma(x):
    """Gamma(x) = sign * exp(gammaln(x)); the sign alternates between the negative poles."""
    x = _inexact("gamma", x)
    _real("gamma", x)
    parity = jnp.remainder(jnp.floor(x), 2)
    sign = jnp.where((x > 0) | (parity == 0), 1.0, -1.0).astype(x.dtype)
    out = sign * jnp.exp(special.lgamma(x))
    # Poles at the negative integers, and -inf: NaN, as in SciPy and JAX; +-0 gives +-inf.
    bad = ((x < 0) & (jnp.floor(x) == x)) | jnp.isneginf(x)
    zero = x == 0
    return jnp.where(bad, np.nan, jnp.where(zero, 1 / jnp.where(zero, x, 1.0), out))


def _stirling_correction(z):
    """lgamma(z) - ((z - 1/2) log z - z + log(2 pi)/2), for z >= 8 (four terms of the series)."""
    z2 = 1 / (z * z)
    return (1 / z) * (1 / 12 + z2 * (-1 / 360 + z2 * (1 / 1260 + z2 * (-1 / 1680))))


def _log_gamma_difference(a, b):
    """lgamma(b) - lgamma(a + b) for b >= 8 and a > 0, without the cancellation of
    subtracting two large lgamma values (from Stirling's formula for both)."""
    ab = a + b
    return (-(b - 0.5) * jnp.log1p(a / b) - a * jnp.log(ab) + a
            + _stirling_correction(b) - _stirling_correction(ab))


def betaln(a, b):
    """log|B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b).

    When the larger argument is at least 8 (and the smaller positive) this is
    gammaln(small) + [gammaln(big) - gammaln(small + big)], the bracket computed from
    Stirling's series, so betaln(0.25, 100) keeps float32 precision."""
    a, b = _inexact("betaln", a, b)
    direct = special.lgamma(a) + special.lgamma(b) - special.lgamma(a + b)
    small, big = jnp.minimum(a, b), jnp.maximum(a, b)
    use = (big >= 8) & (small > 0)
    small_s, big_s = jnp.where(use, small, 1.0), jnp.where(use, big, 8.0)
    return jnp.where(use, special.lgamma(small_s) + _log_gamma_difference(small_s, big_s), direct)


def digamma(x):
    """The logarithmic derivative of Gamma."""
    return special.digamma(_inexact("digamma", x))


psi = digamma


def polygamma(n, x):
    """The n-th derivative of digamma. `n` is a concrete integer or integer array (each of
    its values is computed and selected; a traced `n` is not supported)."""
    x = _inexact("polygamma", x)
    if isinstance(n, (list, tuple)):
        n = np.asarray(n)
    try:
        nv = np.asarray(n._concrete("the order n of scipy.special.polygamma") if hasattr(n, "_concrete") else n)
    except errors.ConcretizationTypeError:
        raise TypeError("scipy.special.polygamma: n must be concrete (nablax does not accept a traced "
                        f"order), got {n!r}") from None
    if nv.dtype.kind not in "iu":  # a ValueError, as in JAX
        raise ValueError(f"scipy.special.polygamma: n must be of integer type, got dtype {nv.dtype}")
    if nv.ndim == 0:
        return special.polygamma(int(nv), x) if nv >= 0 else jnp.full_like(x, np.nan)
    out = jnp.full(np.broadcast_shapes(nv.shape, tuple(x.shape)), np.nan, x.dtype)
    for k in np.unique(nv[nv >= 0]):
        out = jnp.where(nv == k, special.polygamma(int(k), x), out)
    return out


def multigammaln(a, d: int):
    """log of the multivariate gamma function of dimension d."""
    a = _inexact("multigammaln", a)
    d = operator.index(d)
    total = 0.25 * d * (d - 1) * math.log(math.pi)
    for j in range(d):
        total = total + special.lgamma(a - 0.5 * j)
    return total


# ------------------------------------------------------------- logistic / entropy

def expit(x):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return special.logistic(_inexact("expit", x))


@custom_jvp
def _logit(x):
    return jnp.log(x / (1 - x))


@_logit.defjvp
def _logit_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _logit(x), t / (x * (1 - x))


def logit(x):
    """log(x / (1 - x)), the inverse of expit."""
    return _logit(_inexact("logit", x))


def _x_times_log(name: str, log_fn, log_arg):
    """x * log_fn(y), taken as +0 where x == 0 unless y is NaN, with JAX's unguarded JVP:
    d/dx = log_fn(y), d/dy = x / log_arg(y) (so xlogy(x, x)' is nan at 0)."""

    @custom_jvp
    def fn(x, y):
        return jnp.where((x != 0) | (y != y), x * log_fn(y), jnp.zeros_like(x))

    @fn.defjvp
    def fn_jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return fn(x, y), tx * log_fn(y) + ty * (x / log_arg(y))

    fn.__name__, fn_jvp.__name__ = name, f"{name}_jvp"  # printed names
    return fn


_xlogy = _x_times_log("_xlogy", jnp.log, lambda y: y)
_xlog1py = _x_times_log("_xlog1py", jnp.log1p, lambda y: 1 + y)


def xlogy(x, y):
    """x * log(y), taken as +0 where x == 0 unless y is NaN (as in JAX and SciPy)."""
    return _xlogy(*_inexact("xlogy", x, y))


def xlog1py(x, y):
    """x * log1p(y), taken as +0 where x == 0 unless y is NaN (as in JAX and SciPy)."""
    return _xlog1py(*_inexact("xlog1py", x, y))


@custom_jvp
def _xlogx(x):
    return _xlogy(x, x)


@_xlogx.defjvp
def _xlogx_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _xlogx(x), t * (jnp.log(x) + 1)  # inf at 0, as in JAX


def entr(x):
    """Elementwise entropy: -x log x for x >= 0 (0 at 0, derivative inf there), -inf for x < 0."""
    x = _inexact("entr", x)
    _real("entr", x)
    return jnp.where(x < 0, jnp.full_like(x, -np.inf), -_xlogx(x))


def rel_entr(x, y):
    """x log(x / y) for x, y > 0; 0 at x == 0, y >= 0; inf otherwise.

    As in JAX, the result is weakly typed only if both arguments are."""
    weak = dtypes.is_weakly_typed(x) and dtypes.is_weakly_typed(y)
    x, y = _inexact("rel_entr", x, y)
    if not weak:
        x, y = _strong(x), _strong(y)
    both = (x > 0) & (y > 0)
    sx = jnp.where(both, x, jnp.ones_like(x))
    sy = jnp.where(both, y, jnp.ones_like(y))
    edge = jnp.where((x == 0) & (y >= 0), jnp.zeros_like(x), jnp.full_like(x, np.inf))
    return jnp.where(both, _xlogx(sx) - _xlogy(sx, sy), edge)


def kl_div(x, y):
    """x log(x / y) - x + y for x, y > 0; y at x == 0, y >= 0; inf otherwise."""
    weak = dtypes.is_weakly_typed(x) and dtypes.is_weakly_typed(y)
    x, y = _inexact("kl_div", x, y)
    out = rel_entr(x, y) - x + y
    return out if weak else _strong(out)


# ------------------------------------------------------------- scipy.stats.norm

def _standardized(fname: str, x, loc, scale):
    x, loc, scale = _inexact(f"stats.norm.{fname}", x, loc, scale)
    return (x - loc) / scale


def norm_logpdf(x, loc=0, scale=1):
    """The log normal density, -(log(2 pi scale^2) + (x - loc)^2 / scale^2) / 2: as in JAX,
    written with scale^2, so a negative scale gives the density of |scale|."""
    x, loc, scale = _inexact("stats.norm.logpdf", x, loc, scale)
    scale_sq = scale * scale
    d = x - loc
    return (jnp.log((2.0 * math.pi) * scale_sq) + (d * d) / scale_sq) / -2.0


def norm_pdf(x, loc=0, scale=1):
    """The normal density."""
    return jnp.exp(norm_logpdf(x, loc, scale))


def norm_cdf(x, loc=0, scale=1):
    """The normal CDF."""
    z = _standardized("cdf", x, loc, scale)
    return ndtr(z)


def norm_logcdf(x, loc=0, scale=1):
    """The log of the normal CDF."""
    z = _standardized("logcdf", x, loc, scale)
    return log_ndtr(z)


def norm_sf(x, loc=0, scale=1):
    """The survival function 1 - cdf."""
    z = _standardized("sf", x, loc, scale)
    return ndtr(-z)


def norm_logsf(x, loc=0, scale=1):
    """log(1 - cdf)."""
    z = _standardized("logsf", x, loc, scale)
    return log_ndtr(-z)


def norm_ppf(q, loc=0, scale=1):
    """The inverse CDF (quantile function). As in JAX, q must be float32 or float64 (it is
    not promoted: ndtri's TypeError otherwise) and the result has the default float dtype."""
    return jnp.asarray(ndtri(q) * scale + loc, float)


def norm_isf(q, loc=0, scale=1):
    """The inverse survival function: ppf(1 - q)."""
    return norm_ppf(1 - jnp.asarray(q), loc, scale)


__all__ = [
    "logsumexp", "softmax", "log_softmax", "erf", "erfc", "erfinv", "ndtr", "ndtri", "log_ndtr",
    "gammaln", "gamma", "betaln", "digamma", "psi", "polygamma", "multigammaln", "expit", "logit",
    "xlogy", "xlog1py", "entr", "rel_entr", "kl_div",
]
