"""Transcendental, special-function and rounding primitives: one line of calculus each.

Built with the elementwise builders (one operand of a floating or complex dtype);
the special functions use SciPy, cast back to the operand's dtype. Rounding has a
zero derivative (as in JAX); nextafter has none.
"""
from __future__ import annotations

import contextlib
import enum
import math
import operator

import numpy as np
import scipy.special as sps

from . import taylor
from ._define import aval_of
from .elementwise import (
    abs,
    add,
    div,
    exp,
    gt,
    integer_pow,
    mul,
    neg,
    scalar_like,
    select_n,
    sign,
    sub,
)
from .elementwise_builders import binary_elementwise, binary_wrapper, bool_out, unary_elementwise

_LN2 = math.log(2.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


def _same_dtype(fn):
    """A NumPy/SciPy function made to return its operand's dtype (SciPy may widen)."""

    def f(x, **params):
        out = fn(x, **params)
        dt = np.result_type(x)
        return out if out.dtype == dt else out.astype(dt)

    f.__name__ = getattr(fn, "__name__", "special")
    return f


exp2_p = unary_elementwise("exp2", "exp2", ufunc=True, tangent=lambda t, x, y: mul(t, mul(y, _LN2)), taylor=taylor.exp2_series)
exp2 = exp2_p.bind
log1p_p = unary_elementwise("log1p", "log1p", ufunc=True, tangent=lambda t, x, y: div(t, add(x, 1.0)), taylor=taylor.log1p_series)
log1p = log1p_p.bind
expm1_p = unary_elementwise("expm1", "expm1", ufunc=True, tangent=lambda t, x, y: mul(t, add(y, 1.0)), taylor=taylor.expm1_series)
expm1 = expm1_p.bind
sqrt_p = unary_elementwise("sqrt", "sqrt", ufunc=True, tangent=lambda t, x, y: div(t, mul(y, 2.0)),
                           taylor=taylor.sqrt_series)
sqrt = sqrt_p.bind
rsqrt_p = unary_elementwise("rsqrt", lambda x: 1 / np.sqrt(x), emit="(1 / xp.sqrt({0}))",
                            tangent=lambda t, x, y: mul(t, mul(div(y, x), -0.5)), taylor=taylor.rsqrt_series)
rsqrt = rsqrt_p.bind
cbrt_p = unary_elementwise("cbrt", "cbrt", kinds="f", tangent=lambda t, x, y: mul(t, mul(integer_pow(y, -2), 1 / 3)),
                           taylor=taylor.cbrt_series)
cbrt = cbrt_p.bind

tan_p = unary_elementwise("tan", "tan", ufunc=True, tangent=lambda t, x, y: mul(t, add(mul(y, y), 1.0)), taylor=taylor.tan_series)
tan = tan_p.bind
asin_p = unary_elementwise("asin", "arcsin", tangent=lambda t, x, y: mul(t, rsqrt(sub(1.0, mul(x, x)))),
                           taylor=taylor.asin_series)
asin = asin_p.bind
acos_p = unary_elementwise("acos", "arccos", tangent=lambda t, x, y: neg(mul(t, rsqrt(sub(1.0, mul(x, x))))),
                           taylor=taylor.acos_series)
acos = acos_p.bind
atan_p = unary_elementwise("atan", "arctan", tangent=lambda t, x, y: div(t, add(mul(x, x), 1.0)), taylor=taylor.atan_series)
atan = atan_p.bind


def _atan2_term(t, x, y, out, wrt_x: bool):
    r2 = add(mul(x, x), mul(y, y))
    return mul(t, div(y, r2)) if wrt_x else neg(mul(t, div(x, r2)))


atan2_p = binary_elementwise(
    "atan2", "arctan2", kinds="f", python_literal_ok=True,
    jvp_lhs=lambda t, x, y, out: _atan2_term(t, x, y, out, True),
    jvp_rhs=lambda t, x, y, out: _atan2_term(t, x, y, out, False),
)
atan2 = binary_wrapper(atan2_p)
atan2.__doc__ = "lax.atan2(x, y): the angle of the point (y, x), in (-pi, pi]."

sinh_p = unary_elementwise("sinh", "sinh", ufunc=True, tangent=lambda t, x, y: mul(t, cosh(x)), taylor=taylor.sinh_series)
sinh = sinh_p.bind
cosh_p = unary_elementwise("cosh", "cosh", ufunc=True, tangent=lambda t, x, y: mul(t, sinh(x)), taylor=taylor.cosh_series)
cosh = cosh_p.bind
asinh_p = unary_elementwise("asinh", "arcsinh", tangent=lambda t, x, y: mul(t, rsqrt(add(mul(x, x), 1.0))),
                            taylor=taylor.asinh_series)
asinh = asinh_p.bind
acosh_p = unary_elementwise("acosh", "arccosh",  # (1/sqrt(x^2 - 1), real below -1 too, as in JAX)
                            tangent=lambda t, x, y: mul(t, rsqrt(sub(mul(x, x), 1.0))), taylor=taylor.acosh_series)
acosh = acosh_p.bind
atanh_p = unary_elementwise("atanh", "arctanh", tangent=lambda t, x, y: div(t, sub(1.0, mul(x, x))), taylor=taylor.atanh_series)
atanh = atanh_p.bind


def _logistic_impl(x):
    if np.result_type(x).kind == "c":
        return 1 / (1 + np.exp(-x))
    return sps.expit(x)


logistic_p = unary_elementwise("logistic", _same_dtype(_logistic_impl),
                               tangent=lambda t, x, y: mul(t, mul(y, sub(1.0, y))), taylor=taylor.logistic_series)
logistic = logistic_p.bind


def _gaussian(x):
    return exp(neg(mul(x, x)))


erf_p = unary_elementwise("erf", _same_dtype(sps.erf), kinds="f",
                          tangent=lambda t, x, y: mul(t, mul(_gaussian(x), _TWO_OVER_SQRT_PI)), taylor=taylor.erf_series)
erf = erf_p.bind
erfc_p = unary_elementwise("erfc", _same_dtype(sps.erfc), kinds="f",
                           tangent=lambda t, x, y: mul(t, mul(_gaussian(x), -_TWO_OVER_SQRT_PI)), taylor=taylor.erfc_series)
erfc = erfc_p.bind
def _erf_inv_impl(x):
    return np.copysign(sps.erfinv(x), x)  # erfinv(-0.) is -0., as in JAX (SciPy gives +0.)


erf_inv_p = unary_elementwise("erf_inv", _same_dtype(_erf_inv_impl), kinds="f",
                              tangent=lambda t, x, y: mul(t, mul(exp(mul(y, y)), _SQRT_PI_OVER_TWO)))
erf_inv = erf_inv_p.bind

def _lgamma_impl(x):
    out = sps.gammaln(x)
    return np.where(np.isneginf(x), np.inf, out) if np.any(np.isneginf(x)) else out  # lgamma(-inf) = inf (JAX)


def _digamma_impl(x):
    out = sps.psi(x)
    return np.where(np.equal(x, 0), np.nan, out) if np.any(np.equal(x, 0)) else out  # a pole: NaN (JAX)


lgamma_p = unary_elementwise("lgamma", _same_dtype(_lgamma_impl), kinds="f",
                             tangent=lambda t, x, y: mul(t, digamma(x)))
lgamma = lgamma_p.bind
digamma_p = unary_elementwise("digamma", _same_dtype(_digamma_impl), kinds="f",
                              tangent=lambda t, x, y: mul(t, polygamma_p.bind(x, m=1)))
digamma = digamma_p.bind


def _polygamma_impl(x, *, m):
    out = sps.polygamma(m, x)
    return out.astype(np.result_type(x), copy=False)


polygamma_p = unary_elementwise(
    "polygamma", _polygamma_impl, kinds="f", has_params=True,
    tangent=lambda t, x, y, *, m: mul(t, polygamma_p.bind(x, m=m + 1)),
)


def polygamma(m, x):
    """lax.polygamma(m, x): the m-th derivative of digamma; `m` is a static non-negative integer.

    (JAX also accepts a traced array `m`; here it must be concrete: an integer, or an
    integral-valued float scalar such as JAX's float `m`.)
    """
    m = _static_order(m)
    if m < 0:
        raise ValueError(f"lax.polygamma: the order m must be non-negative, got {m}")
    return polygamma_p.bind(x, m=m)


def _static_order(m) -> int:
    with contextlib.suppress(TypeError):  # not an int: maybe an integral float below
        return operator.index(m)
    try:
        v = float(m)  # a concrete float scalar (JAX passes m as a float array of x's dtype)
    except (TypeError, ValueError):
        v = math.nan
    if not v.is_integer():
        raise TypeError(f"lax.polygamma: the order m must be a concrete integer, got {m!r}")
    return int(v)



# ------------------------------------------------------------------ Bessel functions

def _i1e_derivative(x, y):
    """d/dx i1e(x) = i0e(x) - i1e(x) * (sign(x) + 1/x); 1/2, its limit at 0, within eps of 0 (as JAX)."""
    not_tiny = gt(abs(x), scalar_like(x, np.finfo(aval_of(x).dtype).eps))
    safe_x = select_n(not_tiny, scalar_like(x, 1.0), x)
    slope = sub(bessel_i0e(safe_x), mul(y, add(sign(safe_x), div(scalar_like(x, 1.0), safe_x))))
    return select_n(not_tiny, scalar_like(x, 0.5), slope)


# The exponentially scaled modified Bessel functions exp(-|x|) I0(x) and exp(-|x|) I1(x);
# I0' = I1 and I1' = I0 - I1/x give their derivatives.
bessel_i0e_p = unary_elementwise("bessel_i0e", _same_dtype(sps.i0e), kinds="f",
                                 tangent=lambda t, x, y: mul(t, sub(bessel_i1e(x), mul(sign(x), y))))
bessel_i0e = bessel_i0e_p.bind
bessel_i1e_p = unary_elementwise("bessel_i1e", _same_dtype(sps.i1e), kinds="f",
                                 tangent=lambda t, x, y: mul(t, _i1e_derivative(x, y)))
bessel_i1e = bessel_i1e_p.bind

# ------------------------------------------------------------------------- rounding

floor_p = unary_elementwise("floor", "floor", kinds="f", tangent=None)
floor = floor_p.bind
ceil_p = unary_elementwise("ceil", "ceil", kinds="f", tangent=None)
ceil = ceil_p.bind


class RoundingMethod(enum.IntEnum):
    """lax.round's tie-breaking rule."""

    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def _round_impl(x, *, rounding_method):
    if rounding_method == RoundingMethod.TO_NEAREST_EVEN:
        return np.rint(x)
    whole = np.trunc(x)
    return np.where(np.abs(x - whole) >= 0.5, whole + np.sign(x), whole).astype(np.result_type(x))


round_p = unary_elementwise("round", _round_impl, kinds="f", tangent=None, has_params=True)


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):  # noqa: A001
    """lax.round: to the nearest integer; ties away from zero (default) or to even."""
    return round_p.bind(x, rounding_method=int(RoundingMethod(rounding_method)))


def _no_derivative(name: str):
    def term(t, x, y, out):
        raise NotImplementedError(f"Differentiation rule for '{name}' not implemented (as in JAX)")

    return term


nextafter_p = binary_elementwise(
    "nextafter", "nextafter", kinds="f", jvp_lhs=_no_derivative("nextafter"), jvp_rhs=_no_derivative("nextafter"),
    python_literal_ok=True,
)
nextafter = binary_wrapper(nextafter_p)
nextafter.__doc__ = "lax.nextafter: the next representable number after x in the direction of y."

is_finite_p = unary_elementwise("is_finite", "isfinite", kinds="f", out_dtype=bool_out, tangent=None)
is_finite = is_finite_p.bind



__all__ = [
    "exp2", "log1p", "expm1", "sqrt", "rsqrt", "cbrt", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh",
    "asinh", "acosh", "atanh", "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma", "polygamma",
    "bessel_i0e", "bessel_i1e", "floor", "ceil", "round", "RoundingMethod", "nextafter", "is_finite",
]
