"""Taylor-mode (jet) rules: recurrences on normalized Taylor coefficients.

A series here is the list x_1..x_K of normalized coefficients of x(t) = x_0 + x_1 t + ... + x_K t^K
(the public `jet` divides the derivatives it is given by k! and multiplies back). Each rule takes
`(primals, series, **params)`, where a series is None for an operand that is constant along the
curve, and returns `(primal_out, series_out)`. The primal is always the primitive itself, so it
is bit for bit the undifferentiated value. The recurrences are the classical ones of automatic
Taylor expansion (Griewank and Walther, "Evaluating Derivatives", ch. 13): O(K^2) operations for
K coefficients, where nesting jvp K times costs exponentially many.

Rules are written with lax functions through `ops` (the families are peers), so jit, vmap and
jet itself see through them. The tables in the family files name these rules (`jet=`).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import ops
from ..array import wrap
from ..core import Primitive, lift_aval


def add_all(terms: list):
    """The sum of a nonempty list of terms."""
    acc = terms[0]
    for t in terms[1:]:
        acc = ops.add(acc, t)
    return acc


def zeros_like(x):
    """Zeros of x's shape and dtype (weak as x is), made by broadcasting a scalar."""
    aval = lift_aval(x)
    z = wrap(np.zeros((), aval.dtype), aval.weak_type)
    return ops.broadcast_in_dim(z, aval.shape, ()) if aval.shape else z


def order_of(series) -> int:
    """K, the number of coefficients of the operands that have a series."""
    for s in series:
        if s is not None:
            return len(s)
    raise ValueError("jet rule called with no operand series")


def full(primal, s, k_max: int) -> list:
    """[x_0, x_1, ..., x_K], with zeros for a constant operand."""
    if s is not None:
        return [primal, *s]
    return [primal] + [zeros_like(primal)] * k_max


def cauchy(a: list, b: list, k: int, lo: int = 0, hi: int | None = None):
    """sum_{j=lo}^{hi} a_j b_{k-j}: the k-th coefficient of a product (a slice of it)."""
    hi = k if hi is None else hi
    return add_all([ops.mul(a[j], b[k - j]) for j in range(lo, hi + 1)])


def derivative(x: list) -> list:
    """The coefficients of x'(t): (j + 1) x_{j+1}, j = 0..K-1."""
    return [x[1]] + [ops.mul(x[j + 1], float(j + 1)) for j in range(1, len(x) - 1)]


def integrate(y0, dy: list) -> list:
    """[y_0, y_1, ...] from y_0 and the coefficients of y': y_k = dy_{k-1} / k."""
    return [y0, dy[0]] + [ops.mul(d, 1.0 / (j + 1)) for j, d in enumerate(dy[1:], 1)]


def series_div(u: list, v: list, q0, k_max: int) -> list:
    """Coefficients of q = u / v given q_0: q_k = (u_k - sum_{j=1}^k v_j q_{k-j}) / v_0."""
    q = [q0]
    for k in range(1, k_max + 1):
        q.append(ops.div(ops.sub(u[k], cauchy(v, q, k, 1)), v[0]))
    return q


def ode(x: list, y0, g: Callable[[list, int], object], k_max: int) -> list:
    """Coefficients of y with y' = g x', where `g(y, m)` is g's m-th coefficient and may read
    y_0..y_m: y_k = (1/k) sum_{j=1}^k j x_j g_{k-j}."""
    jx = [None] + [x[1]] + [ops.mul(x[j], float(j)) for j in range(2, k_max + 1)]
    y, gs = [y0], []
    for k in range(1, k_max + 1):
        gs.append(g(y, k - 1))
        acc = add_all([ops.mul(jx[j], gs[k - j]) for j in range(1, k + 1)])
        y.append(acc if k == 1 else ops.mul(acc, 1.0 / k))
    return y


def exp_series(u: list, y0, k_max: int, factor: float = 1.0) -> list:
    """exp(factor u) given its value y0: y' = factor y u'."""
    if factor == 1.0:
        return ode(u, y0, lambda y, m: y[m], k_max)
    return ode(u, y0, lambda y, m: ops.mul(y[m], factor), k_max)


def sqrt_series(x: list, y0, k_max: int) -> list:
    """sqrt(x) given y0: y_k = (x_k - sum_{j=1}^{k-1} y_j y_{k-j}) / (2 y_0)."""
    y = [y0]
    two_y0 = ops.mul(y0, 2.0)
    for k in range(1, k_max + 1):
        num = x[k] if k == 1 else ops.sub(x[k], cauchy(y, y, k, 1, k - 1))
        y.append(ops.div(num, two_y0))
    return y


def power_series(x: list, y0, p, k_max: int) -> list:
    """x**p for a constant exponent p given y0, from x y' = p y x':
    y_k = (1 / (k x_0)) sum_{j=1}^k ((p + 1) j - k) x_j y_{k-j}."""
    y = [y0]
    for k in range(1, k_max + 1):
        terms = [ops.mul(ops.mul(x[j], _coefficient(p, j, k)), y[k - j]) for j in range(1, k + 1)]
        y.append(ops.div(add_all(terms), ops.mul(x[0], float(k))))
    return y


def _coefficient(p, j: int, k: int):
    """p j - (k - j): a Python float for a Python exponent (it then takes x's dtype)."""
    if isinstance(p, float):
        return p * j - (k - j)
    return ops.sub(ops.mul(p, float(j)), float(k - j))


def int_power_series(x: list, n: int, k_max: int) -> list:
    """x**n for an integer n >= 1 by repeated squaring of series (exact where x_0 = 0)."""
    result, base = None, x
    while True:
        if n & 1:
            result = base if result is None else [cauchy(result, base, k) for k in range(k_max + 1)]
        n >>= 1
        if not n:
            return result
        base = [cauchy(base, base, k) for k in range(k_max + 1)]


def shifted(x: list, c: float) -> list:
    """The coefficients of x + c."""
    return [ops.add(x[0], c), *x[1:]]


def squared(x: list, k_max: int, sign: float = 1.0, plus: float = 0.0) -> list:
    """The coefficients of plus + sign * x^2."""
    sq = [cauchy(x, x, k) for k in range(k_max + 1)]
    if sign != 1.0:
        sq = [ops.mul(s, sign) for s in sq]
    return shifted(sq, plus) if plus else sq


def _quotient(u: list, v: list, k_max: int) -> list:
    """u / v, q_0 included."""
    return series_div(u, v, ops.div(u[0], v[0]), k_max)


def _sine_pair(x: list, s0, c0, k_max: int, sign: float) -> tuple[list, list]:
    """The coupled series of s = sin(x), c = cos(x) (sign -1: c' = -s x') or of sinh and
    cosh (sign +1): s_k = (1/k) sum_j j x_j c_{k-j}, c_k = (sign/k) sum_j j x_j s_{k-j}."""
    jx = [None] + [x[1]] + [ops.mul(x[j], float(j)) for j in range(2, k_max + 1)]
    s, c = [s0], [c0]
    for k in range(1, k_max + 1):
        ds = add_all([ops.mul(jx[j], c[k - j]) for j in range(1, k + 1)])
        dc = add_all([ops.mul(jx[j], s[k - j]) for j in range(1, k + 1)])
        s.append(ds if k == 1 else ops.mul(ds, 1.0 / k))
        c.append(ops.mul(dc, sign / k) if k > 1 or sign < 0 else dc)
    return s, c


# The one-operand series functions `f(x, y0, K, **params) -> [y_0..y_K]` from [x_0..x_K] and
# y_0 = prim(x_0), named by the `taylor=` entries of the elementwise tables.

def sin_series(x, y0, k):
    return _sine_pair(x, y0, ops.cos(x[0]), k, -1.0)[0]


def cos_series(x, y0, k):
    return _sine_pair(x, ops.sin(x[0]), y0, k, -1.0)[1]


def sinh_series(x, y0, k):
    return _sine_pair(x, y0, ops.cosh(x[0]), k, 1.0)[0]


def cosh_series(x, y0, k):
    return _sine_pair(x, ops.sinh(x[0]), y0, k, 1.0)[1]


def exp2_series(x, y0, k):
    return exp_series(x, y0, k, math.log(2.0))


def expm1_series(x, y0, k):
    e = exp_series(x, ops.add(y0, 1.0), k)
    return [y0, *e[1:]]


def log_series(x, y0, k):
    return integrate(y0, _quotient(derivative(x), x, k - 1)) if k > 1 else [y0, ops.div(x[1], x[0])]


def log1p_series(x, y0, k):
    return log_series(shifted(x, 1.0), y0, k)


def tan_series(x, y0, k):
    return ode(x, y0, lambda y, m: ops.add(cauchy(y, y, 0), 1.0) if m == 0 else cauchy(y, y, m), k)


def tanh_series(x, y0, k):
    return ode(x, y0, lambda y, m: ops.sub(1.0, cauchy(y, y, 0)) if m == 0 else ops.neg(cauchy(y, y, m)), k)


def logistic_series(x, y0, k):
    return ode(x, y0, lambda y, m: ops.sub(y[m], cauchy(y, y, m)), k)


def _erf_like(sign: float) -> Callable:
    c = sign * 2.0 / math.sqrt(math.pi)

    def series_fn(x, y0, k):
        u = squared(x, k - 1, -1.0)
        e = exp_series(u, ops.exp(u[0]), k - 1)
        g = [ops.mul(t, c) for t in e]
        return ode(x, y0, lambda y, m: g[m], k)

    return series_fn


erf_series = _erf_like(1.0)
erfc_series = _erf_like(-1.0)


def rsqrt_series(x, y0, k):
    return power_series(x, y0, -0.5, k)


def cbrt_series(x, y0, k):
    return power_series(x, y0, 1.0 / 3.0, k)


def square_series(x, y0, k):
    return [y0] + [cauchy(x, x, j) for j in range(1, k + 1)]


def integer_pow_series(x, y0, k, *, y):
    if y == 0:
        return [y0] + [zeros_like(y0)] * k
    pos = int_power_series(x, abs(y), k)
    if y > 0:
        return [y0, *pos[1:]]
    one = [None] + [zeros_like(x[0])] * k
    return series_div(one, pos, y0, k)


def _arc(kind: str) -> Callable:
    """asin, acos, asinh, acosh, atanh, atan: y' = +-x' / a(x)."""

    def slope(x, k):
        if kind in ("asin", "acos"):
            a = squared(x, k, -1.0, 1.0)
        elif kind == "asinh":
            a = squared(x, k, 1.0, 1.0)
        elif kind == "acosh":
            a = squared(x, k, 1.0, -1.0)
        elif kind == "atanh":
            return squared(x, k, -1.0, 1.0)
        else:  # atan
            return squared(x, k, 1.0, 1.0)
        return sqrt_series(a, ops.sqrt(a[0]), k)

    def series_fn(x, y0, k):
        dx = derivative(x)
        if kind == "acos":
            dx = [ops.neg(d) for d in dx]
        return integrate(y0, _quotient(dx, slope(x, k - 1), k - 1))

    return series_fn


asin_series, acos_series, asinh_series, acosh_series, atanh_series, atan_series = (
    _arc(k) for k in ("asin", "acos", "asinh", "acosh", "atanh", "atan"))


# ------------------------------------------------------------------- binary rules

def _bcast(t, shape):
    return t if lift_aval(t).shape == shape else ops.broadcast_in_dim(
        t, shape, tuple(range(len(shape) - len(lift_aval(t).shape), len(shape))))


def _broadcast_series(s, shape):
    """Terms of an operand broadcast NumPy-style to the output's shape."""
    return [_bcast(t, shape) for t in s]


def add_rule(primals, series):
    out = ops.add(*primals)
    (sx, sy), shape = series, lift_aval(out).shape
    if sx is None:
        return out, _broadcast_series(sy, shape)
    if sy is None:
        return out, _broadcast_series(sx, shape)
    return out, [ops.add(a, b) for a, b in zip(sx, sy)]


def sub_rule(primals, series):
    out = ops.sub(*primals)
    (sx, sy), shape = series, lift_aval(out).shape
    if sx is None:
        return out, _broadcast_series([ops.neg(t) for t in sy], shape)
    if sy is None:
        return out, _broadcast_series(sx, shape)
    return out, [ops.sub(a, b) for a, b in zip(sx, sy)]


def mul_rule(primals, series):
    (x, y), (sx, sy) = primals, series
    out = ops.mul(x, y)
    if sx is None:
        return out, [ops.mul(x, t) for t in sy]
    if sy is None:
        return out, [ops.mul(t, y) for t in sx]
    a, b = [x, *sx], [y, *sy]
    return out, [cauchy(a, b, k) for k in range(1, len(sx) + 1)]


def div_rule(primals, series):
    (x, y), (sx, sy) = primals, series
    out = ops.div(x, y)
    if sy is None:
        return out, [ops.div(t, y) for t in sx]
    k_max = len(sy)
    u = full(x, sx, k_max)
    q = [out]
    for k in range(1, k_max + 1):
        q.append(ops.div(ops.sub(u[k], cauchy([y, *sy], q, k, 1)), y))
    return out, [_bcast(t, lift_aval(out).shape) for t in q[1:]]


def pow_rule(primals, series):
    """x ** z: a constant exponent by the power recurrence, else exp(z log x)."""
    (x, z), (sx, sz) = primals, series
    out = ops.pow(x, z)
    k_max = order_of(series)
    if sz is None:
        xa = lift_aval(x)
        y = power_series([x, *sx], out, ops.convert_element_type(z, xa.dtype, lift_aval(z).weak_type), k_max)
        return out, y[1:]
    lx = [ops.log(x)] if sx is None else log_series([x, *sx], ops.log(x), k_max)
    lx = lx + [zeros_like(lx[0])] * (k_max + 1 - len(lx))
    e = [cauchy(lx, full(z, sz, k_max), k) for k in range(k_max + 1)]
    y = exp_series(e, out, k_max)
    return out, [_bcast(t, lift_aval(out).shape) for t in y[1:]]


def extremum_rule(greater: bool) -> Callable:
    """max/min: each coefficient is the winner's (weights 1/0, 1/2 at ties, as the JVP)."""

    def rule(primals, series):
        x, y = primals
        out = (ops.max if greater else ops.min)(x, y)
        dt = lift_aval(out).dtype
        weak = lift_aval(out).weak_type
        cmp = ops.gt(x, y) if greater else ops.lt(x, y)
        w = ops.add(ops.convert_element_type(cmp, dt, weak),
                    ops.mul(ops.convert_element_type(ops.eq(x, y), dt, weak), 0.5))
        shape = lift_aval(out).shape
        k_max = order_of(series)
        sx, sy = [full(p, s, k_max)[1:] for p, s in zip(primals, series)]
        wy = ops.sub(1.0, w)
        return out, [_bcast(ops.add(ops.mul(a, w), ops.mul(b, wy)), shape) for a, b in zip(sx, sy)]

    return rule


def select_n_rule(primals, series):
    pred, *cases = primals
    out = ops.select_n(pred, *cases)
    k_max = order_of(series[1:])
    terms = [full(c, s, k_max)[1:] for c, s in zip(cases, series[1:])]
    return out, [ops.select_n(pred, *ts) for ts in zip(*terms)]


def bilinear(bind: Callable) -> Callable:
    """A rule for a primitive linear in each of two operands (dot_general): a Cauchy product."""

    def rule(primals, series, **params):
        (x, y), (sx, sy) = primals, series
        out = bind(x, y, **params)
        if sx is None:
            return out, [bind(x, t, **params) for t in sy]
        if sy is None:
            return out, [bind(t, y, **params) for t in sx]
        a, b = [x, *sx], [y, *sy]
        return out, [add_all([bind(a[j], b[k - j], **params) for j in range(k + 1)]) for k in range(1, len(sx) + 1)]

    return rule


def linear_jet(prim: Primitive) -> Callable:
    """Taylor rule of a primitive linear in all operands: each coefficient maps through it
    (a constant operand contributes zeros to every coefficient past the first)."""

    def jet(primals, series, **params):
        out = prim.bind(*primals, **params)
        if len(primals) == 1:
            terms = [prim.bind(t, **params) for t in series[0]]
        else:
            k_max = order_of(series)
            cols = [full(p, s, k_max)[1:] for p, s in zip(primals, series)]
            terms = [prim.bind(*ts, **params) for ts in zip(*cols)]
        if prim.multiple_results:
            return out, [list(ts) for ts in zip(*terms)]
        return out, terms

    return jet
