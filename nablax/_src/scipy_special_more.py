"""The rest of jax.scipy.special (gamma, beta, hyp1f1, expi, spence, sph_harm_y, ...), on lax and the special_scipy primitives.

Functions JAX writes as compositions of lax operations (gammasgn, beta, factorial, comb,
boxcox, i0, ...) are the same compositions here, so their values, weak types and
derivatives are JAX's. Functions with a SciPy kernel (expi, expn, sici, fresnel, spence,
dawsn, erfcx, wofz, owens_t, poch, hyp1f1, hyp2f1, bessel_jn, sph_harm_y) bind a
special_scipy primitive, whose derivative is the formula JAX's custom JVP uses; their
results are never weakly typed, as in JAX (its versions are jitted or vectorized).
"""
from __future__ import annotations

import math
import operator

import numpy as np
import scipy.special as sps

from . import dtypes, errors
from . import numpy as jnp
from .api import jvp as _jvp
from .custom_derivatives import custom_jvp
from .numpy.promotion import promote_args_inexact
from .primitives import elementwise as ew
from .primitives import special, special_more
from .primitives import special_scipy as ssp
from .scipy_special import _float32_or_64, _strong, betaln, gammaln

# ----------------------------------------------------------------------- helpers


def _real_args(fname: str, *args, error: type[Exception] = ValueError, msg: str | None = None) -> list:
    """The arguments promoted as jnp promotes them (integers to the default float), rejecting
    complex ones with JAX's error class."""
    out = promote_args_inexact(fname, *args)
    if dtypes.is_complex(out[0].dtype):
        raise error(msg or f"{fname} does not support complex-valued inputs.")
    return out


def _concrete_int(value, what: str) -> int:
    """A Python int from a concrete integer (a traced value is a ConcretizationTypeError)."""
    if hasattr(value, "_concrete"):
        value = value._concrete(what)
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None


# ------------------------------------------------------------------- gamma family

def gammasgn(x):
    """The sign of the gamma function: NaN at the poles (negative integers, -inf) and NaN,
    -1 at -0 and where Gamma is negative, else +1."""
    (x,) = _real_args("gammasgn", x, msg="gammasgn does not support complex-valued inputs.")
    floor_x = jnp.floor(x)
    negative = x < 0
    nan_at = (negative & (x == floor_x)) | jnp.isnan(x)
    minus_at = (negative & (jnp.remainder(floor_x, 2) != 0)) | ((x == 0) & jnp.signbit(x))
    one = jnp.ones_like(x)
    return _strong(jnp.where(nan_at, np.nan, jnp.where(minus_at, -one, one)))


def loggamma(x):
    """The principal branch of log Gamma: gammaln(x) for x > 0, NaN for real x <= 0; for
    complex x, SciPy's branch (one cut along the negative real axis)."""
    (x,) = promote_args_inexact("loggamma", x)
    if dtypes.is_complex(x.dtype):
        return _strong(ssp.loggamma_complex_p.bind(x))
    return jnp.where(x > 0, special.lgamma(x), np.nan)


def beta(a, b):
    """The beta function B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), as sign * exp(betaln)."""
    a, b = _real_args("beta", a, b)
    sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
    return _strong(sign * jnp.exp(betaln(a, b)))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) (differentiable in x only, as in JAX)."""
    a, b, x = _real_args("betainc", a, b, x)
    return special_more.regularized_incomplete_beta_p.bind(a, b, x)


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    return special_more.igamma_p.bind(*promote_args_inexact("gammainc", a, x))


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return special_more.igammac_p.bind(*promote_args_inexact("gammaincc", a, x))


def factorial(n, exact: bool = False):
    """n! = Gamma(n + 1) as a float (0 for n < 0); exact=True is not supported, as in JAX."""
    if exact:
        raise NotImplementedError("factorial with exact=True")
    (n,) = promote_args_inexact("factorial", n)
    return jnp.where(n < 0, 0, jnp.exp(special.lgamma(n + 1)))


def comb(N, k, *, repetition: bool = False):
    """The binomial coefficient N choose k as a float, from gammaln (0 where N < 0, k < 0 or
    k > N); with repetition, N + k - 1 choose k."""
    N, k = promote_args_inexact("comb", N, k)
    if repetition:
        return jnp.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1, k))
    ok = (k <= N) & (N >= 0) & (k >= 0)
    safe_n, safe_k = jnp.where(ok, N, 0.0), jnp.where(ok, k, 0.0)
    out = jnp.exp(gammaln(safe_n + 1) - gammaln(safe_k + 1) - gammaln(safe_n + 1 - safe_k))
    return jnp.where(ok, out, 0.0)


def poch(z, m):
    """The Pochhammer symbol (z)_m = Gamma(z + m) / Gamma(z) (1 at m == 0)."""
    z, m = _real_args("poch", z, m, msg="jnp.poch does not support complex-valued inputs.")
    return _strong(ssp.poch_p.bind(z, m))


# ------------------------------------------------------------------ Box-Cox

def _boxcox(fname: str, log_fn, x, lmbda):
    x, lmbda = promote_args_inexact(fname, x, lmbda)
    zero = lmbda == 0
    safe = jnp.where(zero, jnp.ones_like(lmbda), lmbda)
    logged = log_fn(x)
    return jnp.where(zero, logged, jnp.expm1(safe * logged) / safe)


def boxcox(x, lmbda):
    """The Box-Cox transform (x^lmbda - 1) / lmbda, log(x) at lmbda == 0."""
    return _boxcox("boxcox", jnp.log, x, lmbda)


def boxcox1p(x, lmbda):
    """The Box-Cox transform of 1 + x: ((1 + x)^lmbda - 1) / lmbda, log1p(x) at lmbda == 0."""
    return _boxcox("boxcox1p", jnp.log1p, x, lmbda)


# ------------------------------------------------------------------ Bessel functions

def i0e(x):
    """The exponentially scaled modified Bessel function exp(-|x|) I0(x)."""
    return special.bessel_i0e(*promote_args_inexact("i0e", x))


def i0(x):
    """The modified Bessel function of order 0, exp(|x|) * i0e(x)."""
    (x,) = promote_args_inexact("i0", x)
    return jnp.exp(jnp.abs(x)) * special.bessel_i0e(x)


def i1e(x):
    """The exponentially scaled modified Bessel function exp(-|x|) I1(x)."""
    return special.bessel_i1e(*promote_args_inexact("i1e", x))


def i1(x):
    """The modified Bessel function of order 1, exp(|x|) * i1e(x)."""
    (x,) = promote_args_inexact("i1", x)
    return jnp.exp(jnp.abs(x)) * special.bessel_i1e(x)


def bessel_jn(z, *, v: int, n_iter: int = 50):
    """Bessel functions of the first kind J_0(z), ..., J_v(z), stacked on a new leading axis.

    The values are SciPy's J_n; JAX computes them by a backward recurrence started
    `n_iter` steps up, whose accuracy `n_iter` sets (it is checked here, and SciPy's values
    are those the recurrence converges to). The derivative is (J_{n-1} - J_{n+1}) / 2.
    """
    (z,) = _real_args("bessel_jn", z, error=TypeError, msg="bessel_jn: complex input not supported.")
    v = _concrete_int(v, "Argument v of bessel_jn")
    n_iter = _concrete_int(n_iter, "Argument n_iter of bessel_jn")
    if v < 0:
        raise ValueError(f"bessel_jn: the order v must be non-negative, got {v}")
    if n_iter < 1:
        raise ValueError(f"bessel_jn: n_iter must be positive, got {n_iter}")
    orders = jnp.arange(v + 1, dtype=z.dtype).reshape((v + 1,) + (1,) * z.ndim)
    return _strong(ssp.bessel_jv_p.bind(_strong(orders), _strong(z)))


# ------------------------------------------------------------- exponential integrals

def expi(x):
    """The exponential integral Ei(x); derivative exp(x) / x."""
    (x,) = _real_args("expi", x)
    return _strong(ssp.expi_p.bind(x))


def expn(n, x):
    """The generalized exponential integral E_n(x) for integral n (NaN for non-integral n);
    derivative -E_{n-1}(x) in x, none in n (zero, as in JAX)."""
    n, x = _real_args("expn", n, x)
    return _strong(ssp.expn_p.bind(n, x))


def exp1(x):
    """E_1(x) = expn(1, x)."""
    (x,) = _real_args("exp1", x)
    return _strong(ssp.expn_p.bind(jnp.ones_like(x), x))


def sici(x):
    """The sine and cosine integrals (Si(x), Ci(x)); derivatives sin(x)/x and cos(x)/x."""
    (x,) = _real_args("sici", x, msg=f"Argument `x` to sici must be real-valued. Got dtype "
                      f"{jnp.asarray(x).dtype}.")
    si, ci = ssp.sici_p.bind(_strong(x))
    return si, ci


def fresnel(x):
    """The Fresnel integrals (S(x), C(x)); derivatives sin(pi x^2 / 2) and cos(pi x^2 / 2)."""
    (x,) = _real_args("fresnel", x, error=NotImplementedError,
                      msg="Support for complex-valued inputs is not implemented yet.")
    s, c = ssp.fresnel_p.bind(_strong(x))
    return s, c


def spence(x):
    """Spence's function (the dilogarithm Li2(1 - x)) for float32/float64 x >= 0 (NaN below)."""
    return ssp.spence_p.bind(_float32_or_64("spence", x))


# --------------------------------------------------------- error-function relatives

def dawsn(x):
    """Dawson's integral exp(-x^2) * integral_0^x exp(t^2) dt; derivative 1 - 2 x dawsn(x)."""
    (x,) = _real_args("dawsn", x)
    return _strong(ssp.dawsn_p.bind(x))


def _complex_dtype(dt: np.dtype) -> np.dtype:
    if dtypes.is_complex(dt):
        return dt
    return np.dtype(np.complex128) if dt == np.float64 else np.dtype(np.complex64)


def wofz(z):
    """The Faddeeva function w(z) = exp(-z^2) erfc(-iz) (complex output)."""
    (z,) = promote_args_inexact("wofz", z)
    return ssp.wofz_p.bind(z.astype(_complex_dtype(z.dtype)))


def erfcx(x):
    """The scaled complementary error function exp(x^2) erfc(x) (w(ix) for complex x)."""
    (x,) = promote_args_inexact("erfcx", x)
    if dtypes.is_complex(x.dtype):
        return ssp.wofz_p.bind(ew.complex(-ew.imag(_strong(x)), ew.real(_strong(x))))
    return _strong(ssp.erfcx_p.bind(x))


def owens_t(h, a):
    """Owen's T function T(h, a) (float32 at least, as in JAX)."""
    h, a = _real_args("owens_t", h, a)
    if np.dtype(h.dtype).itemsize < 4:
        h, a = h.astype(np.float32), a.astype(np.float32)
    return _strong(ssp.owens_t_p.bind(h, a))


# ------------------------------------------------------------------ hypergeometric

def hyp1f1(a, b, x):
    """The confluent hypergeometric function 1F1(a; b; x). Differentiable in all three
    arguments: in x it is a/b 1F1(a+1; b+1; x), in a and b the series differentiated term by
    term (as JAX; those derivatives are not differentiable again)."""
    a, b, x = _real_args("hyp1f1", a, b, x)
    return _strong(ssp.hyp1f1_p.bind(a, b, x))


def hyp2f1(a, b, c, x):
    """The Gauss hypergeometric function 2F1(a, b; c; x). The x derivative is
    ab/c 2F1(a+1, b+1; c+1; x); those in a, b, c are the differentiated series (as JAX)."""
    a, b, c, x = _real_args("hyp2f1", a, b, c, x)
    return _strong(ssp.hyp2f1_p.bind(a, b, c, x))


# ------------------------------------------------------------------ zeta, Bernoulli


def _zeta_series(x, q):
    """The Hurwitz zeta function by Euler-Maclaurin summation with N terms summed directly and
    N Bernoulli corrections (N = 8 in float32, 16 in float64, as JAX): JAX differentiates this
    sum for zeta's derivative."""
    n = 8 if x.dtype == np.float32 else 16
    k = jnp.arange(n, dtype=x.dtype)
    direct = jnp.sum((q[..., None] + k) ** -x[..., None], axis=-1)
    tail = q + n
    total = direct + tail ** (1 - x) / (x - 1) + 0.5 * tail ** -x
    bern = sps.bernoulli(2 * n)
    rising = x / tail  # x (x+1) ... (x+2j-2) / tail^(2j-1) times tail^-x below
    for j in range(1, n + 1):
        coef = bern[2 * j] / math.factorial(2 * j)
        total = total + coef * jnp.minimum(rising, np.finfo(x.dtype).max) * tail ** -x
        rising = rising * (x + 2 * j - 1) * (x + 2 * j) / (tail * tail)
    return total


@custom_jvp
def _zeta(x, q):
    return special_more.zeta_p.bind(x, q)


@_zeta.defjvp
def _zeta_jvp(primals, tangents):
    return _zeta(*primals), _jvp(_zeta_series, primals, tangents)[1]


def zeta(x, q=None):
    """The Hurwitz zeta function sum_n (n + q)^-x. The derivative (in x and q) is that of the
    Euler-Maclaurin sum, as in JAX; q=None (Riemann zeta) is not implemented, as in JAX."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to compute the "
                                  "Hurwitz Zeta function.")
    return _zeta(*promote_args_inexact("zeta", x, q))


def bernoulli(n: int):
    """The Bernoulli numbers B_0, ..., B_n (B_1 = -1/2) as a float array of length n + 1."""
    n = _concrete_int(n, "Argument n of bernoulli")
    if n < 0:
        raise ValueError("n must be a non-negative integer.")
    return jnp.asarray(sps.bernoulli(n)[:n + 1], dtype=dtypes.default_float_dtype())


# ------------------------------------------------------------------ spherical harmonics

def _int_array(fname: str, v, what: str):
    v = jnp.asarray(v)
    if v.dtype.kind not in "iu":
        raise TypeError(f"{fname}: {what} must have an integer dtype, got {v.dtype.name}")
    if v.ndim == 0:
        raise TypeError(f"{fname}: {what} must be a 1-D array (len() of unsized object), got a scalar")
    return v


def sph_harm_y(n, m, theta, phi, diff_n: int | None = None, n_max: int | None = None):
    """The spherical harmonic Y_n^m(theta, phi) (theta the polar angle, phi the azimuth), as
    SciPy's sph_harm_y, for integer arrays n (degree) and m (order).

    `n_max` (by default max(n), which needs a concrete n) bounds the degree: as in JAX, a
    degree or |order| above it is clipped to it in the Legendre factor. A scalar theta is
    made a 1-element array, as in JAX. Differentiable in theta and phi.
    """
    if diff_n is not None:
        raise NotImplementedError("The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
    n, m = _int_array("sph_harm_y", n, "n"), _int_array("sph_harm_y", m, "m")
    if jnp.isscalar(theta):
        theta = jnp.asarray([theta])
    if n_max is None:
        try:
            n_max = int(np.max(np.asarray(n._concrete("the degrees n of sph_harm_y (or pass n_max)"))))
        except errors.ConcretizationTypeError:
            raise errors.ConcretizationTypeError(
                "sph_harm_y: n_max must be given statically when n is traced (inside jit, vmap or grad)") from None
    n_max = _concrete_int(n_max, "The `n_max` argument of `jnp.scipy.special.sph_harm` (static)")
    theta, phi = promote_args_inexact("sph_harm_y", theta, phi)
    theta, phi = _strong(theta), _strong(phi)
    n_eff = jnp.minimum(n, n_max)
    abs_m = jnp.abs(m)
    m_eff = jnp.where(m < 0, -jnp.minimum(abs_m, n_max), jnp.minimum(abs_m, n_max))
    out = ssp.sph_harm_y_p.bind(n_eff, m_eff.astype(m.dtype), theta, phi)
    # JAX's clipped Legendre index keeps the azimuthal factor e^{i m phi} of the true order.
    shift = (m - m_eff).astype(phi.dtype)
    parity = jnp.where((m < 0) & (jnp.remainder(abs_m - jnp.abs(m_eff), 2) == 1), -1.0, 1.0).astype(phi.dtype)
    fix = ew.complex(parity * jnp.cos(shift * phi), parity * jnp.sin(shift * phi))
    return out * fix


__all__ = [
    "bernoulli", "bessel_jn", "beta", "betainc", "boxcox", "boxcox1p", "comb", "dawsn", "erfcx", "exp1", "expi",
    "expn", "factorial", "fresnel", "gammainc", "gammaincc", "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e", "i1",
    "i1e", "loggamma", "owens_t", "poch", "sici", "spence", "sph_harm_y", "wofz", "zeta",
]
