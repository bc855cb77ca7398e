"""More special-function primitives: igamma, igammac, their gradients, betainc, zeta, random_gamma_grad.

Values come from SciPy (gammainc, gammaincc, betainc, zeta). The derivative of the
regularized incomplete gamma function P(a, x) with respect to `a` has no SciPy kernel: it
is computed here from P's power series (x <= max(a, 1)) or Q = 1 - P's continued fraction
(elsewhere), each differentiated in `a` by a complex step (exact to rounding: no
cancellation), with the prefactor x^a e^-x / Gamma(a) differentiated analytically.
As in JAX: igamma and igammac are differentiable in both arguments, betainc only in x
(a ValueError for a and b), zeta, igamma_grad_a and random_gamma_grad not at all
(NotImplementedError).
"""
from __future__ import annotations

import numpy as np
import scipy.special as sps

from ..array import wrap
from ..avals import Zero
from ..core import eager_args, lift_aval
from . import templates
from ._define import define_primitive, nary_elementwise_aval
from .elementwise import add, exp, log, mul, neg, sub
from .elementwise_builders import SCALARS, binary_elementwise, coerce_scalars
from .special import _no_derivative, lgamma, log1p

_STEP = 1e-20            # the complex step in `a`
_EPS = np.finfo(np.float64).eps
_TINY = 1e-300
_MAX_TERMS = 2000


def _series(a, x):
    """S(a) = sum_n x^n / ((a+1)...(a+n)), so P(a, x) = x^a e^-x / Gamma(a+1) * S; complex `a`."""
    term = np.ones_like(a)
    total = np.ones_like(a)
    for n in range(1, _MAX_TERMS):
        term = term * x / (a + n)
        total = total + term
        if np.all((np.abs(term.real) <= _EPS * np.abs(total.real))
                  & (np.abs(term.imag) <= _EPS * (np.abs(total.imag) + _STEP * np.abs(total.real)))):
            break
    return total


def _continued_fraction(a, x):
    """H(a) with Q(a, x) = x^a e^-x / Gamma(a) * H: the modified Lentz evaluation of
    1 / (x+1-a - 1(1-a) / (x+3-a - 2(2-a) / ...)); complex `a`."""
    b = x + 1 - a
    c = np.full_like(a, 1 / _TINY)
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if np.all((np.abs(delta.real - 1) <= _EPS) & (np.abs(delta.imag) <= _EPS * _STEP)):
            break
    return h


def _value_and_slope(kernel, a, x):
    """kernel(a, x) and its derivative in `a`, by a complex step."""
    out = kernel(a + 1j * _STEP, x.astype(complex))
    return out.real, out.imag / _STEP


def _gamma_derivatives(a, x, sample: bool):
    """dP/da (sample=False), or dx/da of a Gamma(a, 1) sample at x (sample=True: -dP/da / pdf(x)),
    in float64, with JAX's conventions at the edges (0 at x = 0, NaN off the domain)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    bad = np.isnan(a) | np.isnan(x) | (x < 0) | (a <= 0)
    ok = ~bad & (x > 0) & np.isfinite(x) & np.isfinite(a)
    upper = ok & (x > 1) & (x > a)
    lower = ok & ~upper
    with np.errstate(all="ignore"):
        for mask, kernel, shift in ((lower, _series, 1.0), (upper, _continued_fraction, 0.0)):
            if not mask.any():
                continue
            am, xm = a[mask], x[mask]
            s, ds = _value_and_slope(kernel, am, xm)
            # d/da [x^a e^-x / Gamma(a + shift) * s] = prefactor * (s (log x - digamma(a + shift)) + ds)
            inner = s * (np.log(xm) - sps.digamma(am + shift)) + ds
            sign = 1.0 if kernel is _series else -1.0  # P = 1 - Q on the continued-fraction side
            if sample:  # the prefactor over the density x^(a-1) e^-x / Gamma(a) is x/a or x
                out[mask] = -sign * inner * (xm / am if kernel is _series else xm)
            else:
                out[mask] = sign * inner * np.exp(am * np.log(xm) - xm - sps.gammaln(am + shift))
    out[bad] = np.nan
    return out


def _cast_like(fn):
    """A float64 kernel made to return its operands' dtype (a Python float literal, which jit
    may emit, takes the arrays' dtype, as in NumPy 2)."""

    def f(*args):
        dt = np.result_type(*args)
        out = np.asarray(fn(*args))
        return out if out.dtype == dt else out.astype(dt)

    f.__name__ = fn.__name__
    return f


def _igamma_dx(a, x):
    """d/dx P(a, x): the Gamma(a, 1) density at x."""
    return exp(sub(mul(sub(a, 1.0), log(x)), add(x, lgamma(a))))


igamma_grad_a_p = binary_elementwise(
    "igamma_grad_a", _cast_like(lambda a, x: _gamma_derivatives(a, x, sample=False)), kinds="f",
    jvp_lhs=_no_derivative("igamma_grad_a"), jvp_rhs=_no_derivative("igamma_grad_a"), python_literal_ok=True)
random_gamma_grad_p = binary_elementwise(
    "random_gamma_grad", _cast_like(lambda a, x: _gamma_derivatives(a, x, sample=True)), kinds="f",
    jvp_lhs=_no_derivative("random_gamma_grad"), jvp_rhs=_no_derivative("random_gamma_grad"),
    python_literal_ok=True)
igamma_p = binary_elementwise(
    "igamma", _cast_like(sps.gammainc), kinds="f", python_literal_ok=True,
    jvp_lhs=lambda t, a, x, out: mul(t, igamma_grad_a_p.bind(a, x)),
    jvp_rhs=lambda t, a, x, out: mul(t, _igamma_dx(a, x)))
igammac_p = binary_elementwise(
    "igammac", _cast_like(sps.gammaincc), kinds="f", python_literal_ok=True,
    jvp_lhs=lambda t, a, x, out: neg(mul(t, igamma_grad_a_p.bind(a, x))),
    jvp_rhs=lambda t, a, x, out: neg(mul(t, _igamma_dx(a, x))))
zeta_p = binary_elementwise(
    "zeta", _cast_like(sps.zeta), kinds="f", python_literal_ok=True,
    jvp_lhs=_no_derivative("zeta"), jvp_rhs=_no_derivative("zeta"))


# ------------------------------------------------------------------------------- betainc

def _betainc_abstract(a, b, x):
    return nary_elementwise_aval("regularized_incomplete_beta", (a, b, x), "f", "a floating-point dtype")


def _betainc_jvp(primals, tangents):
    a, b, x = primals
    ta, tb, tx = tangents
    out = regularized_incomplete_beta_p.bind(a, b, x)
    if type(ta) is not Zero or type(tb) is not Zero:
        raise ValueError("Betainc gradient with respect to a and b not supported (as in JAX; only x is).")
    # d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b)
    log_beta = sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
    density = exp(sub(add(mul(sub(b, 1.0), log1p(neg(x))), mul(sub(a, 1.0), log(x))), log_beta))
    return out, templates.tangent_sum(out, [(tx, lambda t: mul(t, density))])


def _betainc_impl(xp, a, b, x):
    return _cast_like(sps.betainc)(a, b, x)


def _betainc_eager(*args):
    arrays, vals = eager_args(args)
    aval = _betainc_abstract(*[a.aval for a in arrays])  # the checks the generic eager path skips
    return wrap(_betainc_impl(np, *vals), aval.weak_type)


regularized_incomplete_beta_p = define_primitive(
    "regularized_incomplete_beta",
    impl=_betainc_impl,
    eager=_betainc_eager,
    abstract_eval=_betainc_abstract,
    jvp=_betainc_jvp,
    batch=None,
)
regularized_incomplete_beta_p.batch = templates.elementwise_batch(regularized_incomplete_beta_p)


# ------------------------------------------------------------------------------- wrappers

def _float_operands(name: str, *args) -> list:
    """JAX's lax rules for these float-only operations: a Python int or bool is its default
    integer dtype (rejected), a Python float takes the other operands' dtype; operands of
    rank > 0 share one rank (rank-0 ones go with anything)."""
    for v in args:
        if type(v) in (bool, int):
            raise TypeError(f"lax.{name} does not accept a Python {type(v).__name__} operand ({v!r}): "
                            "it needs floating-point operands; pass a float")
    ranks = {lift_aval(v).ndim for v in args if type(v) not in SCALARS} - {0}
    if len(ranks) > 1:
        raise TypeError(f"lax.{name}: arrays must have the same number of dimensions, got {sorted(ranks)}")
    scalars = [type(v) in SCALARS for v in args]
    if all(scalars):
        return coerce_scalars(*args)
    return _in_order(args) if any(scalars) else list(args)


def _in_order(args) -> list:
    """Python scalars coerced to the dtype of the first array operand, in the original order."""
    ref = next(v for v in args if type(v) not in SCALARS)
    coerced = iter(coerce_scalars(ref, *[v for v in args if type(v) in SCALARS])[1:])
    return [next(coerced) if type(v) in SCALARS else v for v in args]


def igamma(a, x):
    """lax.igamma: the regularized lower incomplete gamma function P(a, x)."""
    return igamma_p.bind(*_float_operands("igamma", a, x))


def igammac(a, x):
    """lax.igammac: the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return igammac_p.bind(*_float_operands("igammac", a, x))


def igamma_grad_a(a, x):
    """lax.igamma_grad_a: dP(a, x)/da (not differentiable further, as in JAX)."""
    return igamma_grad_a_p.bind(*_float_operands("igamma_grad_a", a, x))


def random_gamma_grad(a, x):
    """lax.random_gamma_grad: d sample / d a for a Gamma(a, 1) sample x, i.e. -dP/da / pdf(x)
    (the reparameterization gradient of gamma sampling)."""
    return random_gamma_grad_p.bind(*_float_operands("random_gamma_grad", a, x))


def betainc(a, b, x):
    """lax.betainc: the regularized incomplete beta function I_x(a, b) (differentiable in x only)."""
    return regularized_incomplete_beta_p.bind(*_float_operands("betainc", a, b, x))


def zeta(x, q):
    """lax.zeta: the Hurwitz zeta function sum_n (n + q)^-x (not differentiable, as lax.zeta in JAX)."""
    return zeta_p.bind(*_float_operands("zeta", x, q))


__all__ = [
    "igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "betainc", "zeta",
    "igamma_p", "igammac_p", "igamma_grad_a_p", "regularized_incomplete_beta_p", "zeta_p",
]
