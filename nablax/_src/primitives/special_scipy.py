"""Special-function primitives whose values are SciPy kernels (hyp1f1, hyp2f1, expi, spence, ...), with JAX's derivatives.

Each primitive is elementwise (NumPy broadcasting) over operands of one floating dtype
(sph_harm_y: integer degree and order, float angles), computed by SciPy in float32 or
float64 (float16/bfloat16 operands are widened to float32 and the result cast back) and
differentiated by the formula JAX's jax.scipy.special uses. The derivatives of hyp1f1 and
hyp2f1 in their parameters have no SciPy kernel: they are the term-by-term derivatives of
the hypergeometric series (d/da (a)_k = (a)_k (psi(a + k) - psi(a))), summed here in
float64 with JAX's cap of 250 terms, and are not differentiable further.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import scipy.special as sps

from ..array import wrap
from ..avals import ShapedArray, Zero
from ..core import eager_args
from . import templates
from ._define import aval_of, broadcast_shapes, define_primitive, nary_elementwise_aval, require_dtype_kinds
from .elementwise import (
    add,
    bitwise_and,
    complex,
    cos,
    div,
    eq,
    exp,
    gt,
    log,
    max,
    mul,
    ne,
    neg,
    scalar_like,
    select_n,
    sin,
    sub,
)
from .elementwise_builders import binary_elementwise, unary_elementwise
from .misc import convert_element_type
from .special import digamma, erf, sqrt

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SERIES_TERMS = 250  # JAX's cap on the hypergeometric series


def _work_dtype(dt: np.dtype) -> np.dtype:
    """SciPy's kernels run in float32/float64 (complex64/complex128); narrower floats widen."""
    if dt in (np.float32, np.float64, np.complex64, np.complex128):
        return dt
    return np.dtype(np.float32)


def _kernel(fn: Callable) -> Callable:
    """A SciPy kernel over operands of one float or complex dtype, returning that dtype; a
    tuple of results for the multiple-output kernels (sici, fresnel)."""

    def f(*args, **params):
        dt = np.result_type(*args)
        work = _work_dtype(dt)
        out = fn(*[np.asarray(a, work) for a in args], **params)
        if isinstance(out, tuple):
            return tuple(np.asarray(o).astype(dt, copy=False) for o in out)
        return np.asarray(out).astype(dt, copy=False)

    f.__name__ = getattr(fn, "__name__", "special")
    return f


def _one(x):
    return scalar_like(x, 1.0)


def _safe(cond, x, value: float):
    """x where `cond` is false, `value` where it is true (so an unused branch sees no pole)."""
    return select_n(cond, x, scalar_like(x, value))


# ------------------------------------------------------------------ a general builder

def _elementwise(name: str, kernel: Callable, terms, *, kinds: str = "f", what: str = "a floating-point dtype",
                 abstract: Callable | None = None):
    """An elementwise primitive of several operands. `terms[i](t, *primals, out, **params)` is
    the output tangent from operand i's tangent `t` (None: no influence); `terms=None` means
    not differentiable (NotImplementedError, as JAX's reverse mode through a while_loop)."""

    def abstract_eval(*avals, **params):
        if abstract is not None:
            return abstract(*avals)
        return nary_elementwise_aval(name, avals, kinds, what)

    def impl(xp, *args, **params):
        return kernel(*args, **params)

    def eager(*args, **params):
        arrays, vals = eager_args(args)
        aval = abstract_eval(*[a.aval for a in arrays], **params)
        return wrap(kernel(*vals, **params), aval.weak_type)

    prim = None

    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if terms is None:
            if any(type(t) is not Zero for t in tangents):
                raise NotImplementedError(f"Differentiation rule for '{name}' not implemented (as in JAX)")
            return out, Zero(aval_of(out).to_tangent_aval())
        pairs = [(t, (lambda t, rule=rule: rule(t, *primals, out, **params)))
                 for t, rule in zip(tangents, terms) if rule is not None]
        return out, templates.tangent_sum(out, pairs)

    prim = define_primitive(name, impl=impl, abstract_eval=abstract_eval, eager=eager, jvp=jvp, batch=None)
    prim.batch = templates.elementwise_batch(prim)
    return prim


# ------------------------------------------------------------------ complex log-gamma

# SciPy's principal branch of log Gamma(z); its derivative is digamma(z), whose own
# derivative (the complex trigamma) has no SciPy kernel.
complex_digamma_p = _elementwise("complex_digamma", _kernel(sps.psi), None, kinds="c", what="a complex dtype")
loggamma_complex_p = unary_elementwise("loggamma_complex", _kernel(sps.loggamma), kinds="c",
                                       tangent=lambda t, z, y: mul(t, complex_digamma_p.bind(z)))

# ------------------------------------------------------------------ exponential integrals

expi_p = unary_elementwise("expi", _kernel(sps.expi), kinds="f",
                           tangent=lambda t, x, y: mul(t, div(exp(x), x)))

expn_p = binary_elementwise(
    "expn", _kernel(lambda n, x: sps.expn(np.where(n == np.trunc(n), n, np.nan), x)), kinds="f",
    jvp_rhs=lambda t, n, x, out: neg(mul(t, expn_p.bind(sub(n, 1.0), x))))


def _sici_kernel(x):
    si, ci = sps.sici(x)
    return si, np.where(np.isneginf(x), np.nan, ci)  # Ci(-inf) is NaN in JAX (SciPy: -inf... +0j)


def _sinc(x):
    """sin(x)/x, 1 at 0 (the derivative of Si)."""
    zero = eq(x, scalar_like(x, 0.0))
    safe = _safe(zero, x, 1.0)
    return select_n(zero, div(sin(safe), safe), _one(x))


def _multi_unary(name: str, kernel: Callable, tangents: Callable):
    """A one-operand primitive with two float results (sici, fresnel)."""

    def abstract_eval(x: ShapedArray):
        require_dtype_kinds(name, x, "f", "a floating-point dtype")
        return [x, x]

    def impl(xp, x):
        return list(kernel(x))

    def eager(x):
        arrays, vals = eager_args((x,))
        abstract_eval(arrays[0].aval)
        return [wrap(o, arrays[0]._weak) for o in kernel(vals[0])]

    prim = None

    def jvp(primals, tangents_in):
        (x,), (t,) = primals, tangents_in
        outs = prim.bind(x)
        if type(t) is Zero:
            return outs, [Zero(aval_of(o).to_tangent_aval()) for o in outs]
        return outs, [mul(t, d) for d in tangents(x)]

    def batch(args, dims):
        return prim.bind(args[0]), [dims[0], dims[0]]

    prim = define_primitive(name, impl=impl, abstract_eval=abstract_eval, eager=eager, jvp=jvp, batch=batch,
                            multiple_results=True)
    prim.elementwise = False
    return prim


sici_p = _multi_unary("sici", _kernel(_sici_kernel), lambda x: (_sinc(x), div(cos(x), x)))


def _half_pi_square(x):
    return mul(mul(x, x), math.pi / 2)


fresnel_p = _multi_unary("fresnel", _kernel(sps.fresnel),
                         lambda x: (sin(_half_pi_square(x)), cos(_half_pi_square(x))))


def _spence_tangent(t, x, y):
    # log(x) / (1 - x) for x > 0, x != 1; 0 at 0, at 1 and below 0 (JAX's piecewise constants).
    smooth = bitwise_and(gt(x, scalar_like(x, 0.0)), ne(x, _one(x)))
    safe = select_n(smooth, scalar_like(x, 2.0), x)
    return mul(t, select_n(smooth, scalar_like(x, 0.0), div(log(safe), sub(1.0, safe))))


spence_p = unary_elementwise("spence", _kernel(sps.spence), kinds="f", tangent=_spence_tangent)

# ------------------------------------------------------------- error-function relatives

dawsn_p = unary_elementwise("dawsn", _kernel(sps.dawsn), kinds="f",
                            tangent=lambda t, x, y: mul(t, sub(1.0, mul(mul(x, 2.0), y))))
erfcx_p = unary_elementwise("erfcx", _kernel(sps.erfcx), kinds="f",
                            tangent=lambda t, x, y: mul(t, sub(mul(mul(x, 2.0), y), _TWO_OVER_SQRT_PI)))
wofz_p = unary_elementwise("wofz", _kernel(sps.wofz), kinds="c",
                           tangent=lambda t, z, w: mul(t, add(mul(mul(z, -2.0), w), 1j * _TWO_OVER_SQRT_PI)))


def _owens_dh(t, h, a, out):
    return mul(t, div(neg(mul(exp(mul(mul(h, h), -0.5)), erf(div(mul(a, h), math.sqrt(2.0))))), 2.0 * _SQRT_2PI))


def _owens_da(t, h, a, out):
    a2p1 = add(mul(a, a), 1.0)
    return mul(t, div(exp(mul(mul(a2p1, mul(h, h)), -0.5)), mul(a2p1, 2.0 * math.pi)))


owens_t_p = binary_elementwise("owens_t", _kernel(sps.owens_t), kinds="f", jvp_lhs=_owens_dh, jvp_rhs=_owens_da)

# ------------------------------------------------------------------ Pochhammer, Bessel J

poch_p = binary_elementwise(
    "poch", _kernel(sps.poch), kinds="f",
    jvp_lhs=lambda t, z, m, out: mul(t, mul(sub(digamma(add(z, m)), digamma(z)), out)),
    jvp_rhs=lambda t, z, m, out: mul(t, mul(digamma(add(z, m)), out)))

# J_k(x) for a float order array k (integral in bessel_jn); J_k' = (J_{k-1} - J_{k+1}) / 2.
bessel_jv_p = binary_elementwise(
    "bessel_jv", _kernel(sps.jv), kinds="f",
    jvp_rhs=lambda t, k, x, out: mul(t, mul(sub(bessel_jv_p.bind(sub(k, 1.0), x), bessel_jv_p.bind(add(k, 1.0), x)),
                                            0.5)))

# ------------------------------------------------------------------ hypergeometric


def _series_param_grads(tops, bottoms, x, wrt: int):
    """d/dp of sum_k prod (tops)_k / prod (bottoms)_k x^k / k! for p = (tops + bottoms)[wrt], by
    the series differentiated term by term (float64, at most 250 terms, as JAX)."""
    arrs = np.broadcast_arrays(*[np.asarray(v, np.float64) for v in (*tops, *bottoms, x)])
    tops, bottoms, x = arrs[:len(tops)], arrs[len(tops):-1], arrs[-1]
    p = (*tops, *bottoms)[wrt]
    sign = 1.0 if wrt < len(tops) else -1.0
    term = np.ones_like(x)
    harmonic = np.zeros_like(x)  # psi(p + k) - psi(p) = sum_{j < k} 1 / (p + j)
    total = np.zeros_like(x)
    with np.errstate(all="ignore"):
        for k in range(_SERIES_TERMS):
            ratio = x / (k + 1)
            for a in tops:
                ratio = ratio * (a + k)
            for b in bottoms:
                ratio = ratio / (b + k)
            harmonic = harmonic + 1.0 / (p + k)
            term = term * ratio
            step = sign * term * harmonic
            total = total + step
            if np.all(~(np.abs(step) > np.finfo(np.float64).eps * np.abs(total))):
                break
    return total


def _hyp1f1_grad_kernel(a, b, x, *, wrt):
    return _series_param_grads((a,), (b,), x, wrt)


def _hyp2f1_grad_kernel(a, b, c, x, *, wrt):
    return _series_param_grads((a, b), (c,), x, wrt)


hyp1f1_grad_p = _elementwise("hyp1f1_grad", _kernel(_hyp1f1_grad_kernel), None)
hyp2f1_grad_p = _elementwise("hyp2f1_grad", _kernel(_hyp2f1_grad_kernel), None)


def _hyp1f1_dx(t, a, b, x, out):
    return mul(t, mul(div(a, b), hyp1f1_p.bind(add(a, 1.0), add(b, 1.0), x)))


def _param_term(prim, wrt: int):
    def term(t, *args):
        return mul(t, prim.bind(*args[:-1], wrt=wrt))
    return term


hyp1f1_p = _elementwise("hyp1f1", _kernel(sps.hyp1f1),
                        [_param_term(hyp1f1_grad_p, 0), _param_term(hyp1f1_grad_p, 1), _hyp1f1_dx])


def _hyp2f1_dx(t, a, b, c, x, out):
    return mul(t, mul(div(mul(a, b), c), hyp2f1_p.bind(add(a, 1.0), add(b, 1.0), add(c, 1.0), x)))


hyp2f1_p = _elementwise("hyp2f1", _kernel(sps.hyp2f1),
                        [_param_term(hyp2f1_grad_p, 0), _param_term(hyp2f1_grad_p, 1), _param_term(hyp2f1_grad_p, 2),
                         _hyp2f1_dx])

# ------------------------------------------------------------------ spherical harmonics


def _sph_abstract(n: ShapedArray, m: ShapedArray, theta: ShapedArray, phi: ShapedArray) -> ShapedArray:
    for what, v in (("n", n), ("m", m)):
        require_dtype_kinds("sph_harm_y", v, "iu", f"an integer dtype for {what}")
    angles = nary_elementwise_aval("sph_harm_y", (theta, phi), "f", "floating-point angles")
    shape = broadcast_shapes("lax.sph_harm_y", n.shape, m.shape, theta.shape, phi.shape)
    return ShapedArray(shape, np.result_type(angles.dtype, np.complex64), False)


def _sph_kernel(n, m, theta, phi):
    dt = np.result_type(theta, phi)
    work = _work_dtype(dt)
    out = sps.sph_harm_y(np.asarray(n), np.asarray(m), np.asarray(theta, work), np.asarray(phi, work))
    return np.asarray(out).astype(np.result_type(dt, np.complex64), copy=False)


def _sph_dtheta(t, n, m, theta, phi, out):
    # dY_n^m/dtheta = (sqrt((n-m)(n+m+1)) e^{-i phi} Y_n^{m+1} - sqrt((n+m)(n-m+1)) e^{i phi} Y_n^{m-1}) / 2
    nf, mf = convert_element_type(n, aval_of(theta).dtype), convert_element_type(m, aval_of(theta).dtype)
    zero = scalar_like(nf, 0.0)
    up = sqrt(max(mul(sub(nf, mf), add(add(nf, mf), 1.0)), zero))
    down = sqrt(max(mul(add(nf, mf), add(sub(nf, mf), 1.0)), zero))
    one = scalar_like(m, 1)
    cdt = aval_of(out).dtype
    rot = complex(cos(phi), sin(phi))
    conj_rot = complex(cos(phi), neg(sin(phi)))
    y_up = sph_harm_y_p.bind(n, add(m, one), theta, phi)
    y_down = sph_harm_y_p.bind(n, sub(m, one), theta, phi)
    slope = sub(mul(mul(convert_element_type(up, cdt), conj_rot), y_up),
                mul(mul(convert_element_type(down, cdt), rot), y_down))
    return mul(convert_element_type(t, cdt), mul(slope, 0.5))


def _sph_dphi(t, n, m, theta, phi, out):
    cdt = aval_of(out).dtype
    im = complex(scalar_like(phi, 0.0), convert_element_type(m, aval_of(phi).dtype))
    return mul(convert_element_type(t, cdt), mul(convert_element_type(im, cdt), out))


sph_harm_y_p = _elementwise("sph_harm_y", _sph_kernel, [None, None, _sph_dtheta, _sph_dphi], abstract=_sph_abstract)

__all__ = [
    "complex_digamma_p", "loggamma_complex_p", "expi_p", "expn_p", "sici_p", "fresnel_p", "spence_p", "dawsn_p",
    "erfcx_p", "wofz_p", "owens_t_p", "poch_p", "bessel_jv_p", "hyp1f1_p", "hyp1f1_grad_p", "hyp2f1_p",
    "hyp2f1_grad_p", "sph_harm_y_p",
]
