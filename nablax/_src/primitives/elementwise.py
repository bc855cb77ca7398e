"""Elementwise primitives: one block each, reading like a table of calculus.

Operands broadcast NumPy-style and must share one dtype (nablax.numpy promotes first).
Each public wrapper coerces Python scalars to the other operand's dtype, as lax does.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import ad_util, dtypes
from ..array import to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from ..ir import Literal, Var
from . import taylor, templates
from ._define import (
    aval_of,
    broadcast_shapes,
    define_primitive,
    nary_elementwise_aval,
    require_dtype_kinds,
    require_same_dtypes,
)
from .bit_select import BRANCHLESS_MIN_SIZE, where_bits
from .elementwise_builders import (
    NUMERIC_KINDS,
    SCALARS,
    binary_elementwise,
    binary_wrapper,
    bool_out,
    coerce_scalars,
    unary_elementwise,
)
from .misc import convert_element_type
from .rewrites import emitted_literal, literal_scalar, produced_by, same_type, unit_identity

# JAX never prints NumPy's floating-point RuntimeWarnings ("divide by zero encountered in
# log"): log(0) is -inf by design. NumPy attributes them to the Python frame that called
# the ufunc, so one filter on nablax's own module names (generated jit code runs under
# "nablax._src.jit.generated") silences them at no per-call cost, while warnings raised by
# the user's own NumPy calls still show. (A `warnings.catch_warnings()` block around the
# first `import nablax` discards the filter with the rest of its changes.)
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"nablax(\.|$)")


def _unbroadcast_ct(ct, operand):
    return None if type(ct) is Zero else templates.unbroadcast(ct, operand.aval.shape)


# ------------------------------------------------------------------------- the primitives

def _add_rewrite(invars, params, producers):
    """x + (-y) -> x - y and (-x) + y -> y - x."""
    x, y = invars
    ny = produced_by(y, producers, neg_p)
    if ny is not None:
        return sub_p, [x, ny.invars[0]]
    nx = produced_by(x, producers, neg_p)
    if nx is not None:
        return sub_p, [y, nx.invars[0]]
    return None


def _add_transpose(ct, x, y):
    return [_unbroadcast_ct(ct, x) if ad_util.is_undefined(x) else None,
            _unbroadcast_ct(ct, y) if ad_util.is_undefined(y) else None]


add_p = binary_elementwise(
    "add", "add",
    jvp_lhs=lambda t, x, y, out: t,
    jvp_rhs=lambda t, x, y, out: t,
    linear=True, transpose=_add_transpose, emit="({0} + {1})",
    ufunc=True, python_literal_ok=True, simplify=unit_identity(0, left_ok=True), rewrite=_add_rewrite,
    commutative=True, jet=taylor.add_rule,
)
add = binary_wrapper(add_p)


def _sub_rewrite(invars, params, producers):
    """x - (-y) -> x + y."""
    x, y = invars
    ny = produced_by(y, producers, neg_p)
    return None if ny is None else (add_p, [x, ny.invars[0]])


def _sub_transpose(ct, x, y):
    return [_unbroadcast_ct(ct, x) if ad_util.is_undefined(x) else None,
            _unbroadcast_ct(neg(ct), y) if ad_util.is_undefined(y) and type(ct) is not Zero else None]


sub_p = binary_elementwise(
    "sub", "subtract",
    jvp_lhs=lambda t, x, y, out: t,
    jvp_rhs=lambda t, x, y, out: neg(t),
    linear=True, transpose=_sub_transpose, emit="({0} - {1})",
    ufunc=True, python_literal_ok=True, simplify=unit_identity(0, left_ok=False), rewrite=_sub_rewrite,
    jet=taylor.sub_rule,
)
sub = binary_wrapper(sub_p)


def _mul_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    if ad_util.is_undefined(x):
        return [templates.unbroadcast(mul(ct, y), x.aval.shape), None]
    return [None, templates.unbroadcast(mul(x, ct), y.aval.shape)]


def _mul_rewrite(invars, params, producers):
    """c * (-x) -> (-c) * x for a scalar literal c (exact: only the sign moves)."""
    for lit, other in ((invars[0], invars[1]), (invars[1], invars[0])):
        c = literal_scalar(lit)
        src = produced_by(other, producers, neg_p)
        if c is not None and src is not None and c.dtype.kind in "fc":
            return mul_p, [Literal(wrap(np.negative(c), lit.val._weak)), src.invars[0]]
    return None


mul_p = binary_elementwise(
    "mul", "multiply",
    jvp_lhs=lambda t, x, y, out: mul(t, y),
    jvp_rhs=lambda t, x, y, out: mul(x, t),
    linear=True, transpose=_mul_transpose, emit="({0} * {1})",
    ufunc=True, python_literal_ok=True, simplify=unit_identity(1, left_ok=True), rewrite=_mul_rewrite,
    commutative=True, sparsity="product", jet=taylor.mul_rule,
)
mul = binary_wrapper(mul_p)


def _div_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    return [templates.unbroadcast(div(ct, y), x.aval.shape), None]


def _true_or_floor_divide(x, y):
    dt = np.result_type(x)
    if dt.kind in "iu":
        # lax.div on integers rounds toward zero (C semantics), unlike NumPy's floor division.
        zero = np.equal(y, 0)
        if np.any(zero):  # x / 0 is -1 (all bits set), as in JAX (XLA); NumPy gives 0
            y = np.where(zero, 1, y).astype(np.result_type(y))
        with np.errstate(over="ignore"):  # INT_MIN / -1 wraps to INT_MIN, as in XLA
            q = np.floor_divide(x, y)
            fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
            q = (q + fix).astype(dt)
        return np.where(zero, np.array(-1).astype(dt), q) if np.any(zero) else q
    return np.true_divide(x, y)


def _div_emit(args, params, src, avals):
    return f"({args[0]} / {args[1]})" if avals[0].dtype.kind in "fc" else None


div_p = binary_elementwise(
    "div", _true_or_floor_divide, emit=_div_emit,
    jvp_lhs=lambda t, x, y, out: div(t, y),
    jvp_rhs=lambda t, x, y, out: mul(neg(t), div(out, y)),
    linear=True, transpose=_div_transpose,
    ufunc="true_divide", python_literal_ok=True, simplify=unit_identity(1, left_ok=False),
    jet=taylor.div_rule,
)
div = binary_wrapper(div_p)

def _neg_simplify(invars, params, out, producers):
    """-(-x) -> x."""
    src = produced_by(invars[0], producers, neg_p)
    return None if src is None else src.invars[0]


def _neg_rewrite(invars, params, producers):
    """-(c * x) -> (-c) * x for a scalar literal c, and -(x + x) -> -2.0 * x for floats
    (exact: zero signs and infinities included; CSE turns `h + i` into `h + h`)."""
    doubled = produced_by(invars[0], producers, add_p)
    if doubled is not None and doubled.invars[0] is doubled.invars[1] and type(doubled.invars[0]) is Var \
            and doubled.invars[0].aval.dtype.kind in "fc":
        x = doubled.invars[0]
        return mul_p, [Literal(wrap(np.asarray(-2, x.aval.dtype), True)), x]
    src = produced_by(invars[0], producers, mul_p)
    if src is not None:
        a, b = src.invars
        for lit, other in ((a, b), (b, a)):
            v = literal_scalar(lit)
            if v is not None:
                return mul_p, [Literal(wrap(np.negative(v), lit.val._weak)), other]
    return None


neg_p = unary_elementwise(
    "neg", "negative", kinds=NUMERIC_KINDS,
    tangent=lambda t, x, y: neg(t),
    linear=True, transpose=lambda ct, x: [None if type(ct) is Zero else neg(ct)],
    emit="(-{0})",
    ufunc=True, simplify=_neg_simplify, rewrite=_neg_rewrite,
)
neg = neg_p.bind

sin_p = unary_elementwise("sin", "sin", ufunc=True, tangent=lambda t, x, y: mul(t, cos(x)),
                          taylor=taylor.sin_series)
sin = sin_p.bind
cos_p = unary_elementwise("cos", "cos", ufunc=True, tangent=lambda t, x, y: neg(mul(t, sin(x))),
                          taylor=taylor.cos_series)
cos = cos_p.bind
exp_p = unary_elementwise("exp", "exp", ufunc=True, tangent=lambda t, x, y: mul(t, y), taylor=taylor.exp_series)
exp = exp_p.bind
log_p = unary_elementwise("log", "log", ufunc=True, tangent=lambda t, x, y: div(t, x), taylor=taylor.log_series)
log = log_p.bind
tanh_p = unary_elementwise("tanh", "tanh", ufunc=True, tangent=lambda t, x, y: mul(t, sub(1.0, mul(y, y))),
                           taylor=taylor.tanh_series)
tanh = tanh_p.bind


def _comparison(name: str, np_name: str):
    # As in JAX, a comparison of two weakly typed values is a weakly typed bool (`2 < 3.0`).
    prim = binary_elementwise(name, np_name, differentiable=False, kinds="biuf" if name not in ("eq", "ne") else "biufc",
                              out_dtype=bool_out, python_literal_ok=True, commutative=name in ("eq", "ne"))
    return prim, binary_wrapper(prim)


gt_p, gt = _comparison("gt", "greater")
lt_p, lt = _comparison("lt", "less")
ge_p, ge = _comparison("ge", "greater_equal")
le_p, le = _comparison("le", "less_equal")
eq_p, eq = _comparison("eq", "equal")
ne_p, ne = _comparison("ne", "not_equal")


def _select_weights_lhs_rhs(first: bool, greater: bool):
    """The tangent term of max/min from one operand: t times 1 where that operand wins,
    0.5 at ties (JAX's convention) and 0 elsewhere (NaN included).

    The weight is float(a > b) + float(a == b) * 0.5, not two nested selects: the masks
    never hold together, so the sum is exactly the selected weight, and NumPy's `where` on
    masks of random signs is branchy (70-250 us per 128x512 float32 array, against ~15 us
    for the arithmetic; a relu network's backward pass has one per layer)."""

    def term(t, x, y, out):
        a, b = (x, y) if first else (y, x)
        cmp = gt(a, b) if greater else lt(a, b)
        # The weights are weak when the output is (as in JAX), so a weak tangent stays weak.
        weak = aval_of(out).weak_type
        dt = aval_of(t).dtype
        w = add(convert_element_type(cmp, dt, weak),
                mul(convert_element_type(eq(a, b), dt, weak), scalar_like(t, 0.5, weak)))
        return mul(t, w)

    return term


def scalar_like(x, value, weak: bool = False):
    """A rank-0 array of x's dtype."""
    return wrap(np.asarray(value, aval_of(x).dtype), weak)


def _is_real_float(dt) -> bool:
    return dt.kind == "f" or dt == dtypes.bfloat16


def _plus_signed_scalar(x, y) -> bool:
    """Whether x or y is a 0-d value whose sign bit is clear (+0., or any positive number)."""
    return (np.ndim(y) == 0 and not np.signbit(y)) or (np.ndim(x) == 0 and not np.signbit(x))


def _signed_zero_extremum(np_fn, both_signs_needed: bool):
    """np.maximum / np.minimum ordering -0.0 below +0.0, as XLA does: max(0., -0.) is 0.
    and min(0., -0.) is -0. whichever operand comes first (NumPy returns the first)."""

    count_nonzero, bf16 = np.count_nonzero, dtypes.bfloat16

    def fn(x, y):
        out = np_fn(x, y)
        dt = out.dtype
        if not (dt.kind == "f" or dt == bf16):
            return out
        if both_signs_needed and _plus_signed_scalar(x, y):
            # max with a scalar of positive sign (relu: max(x, 0.)): no zero result may be
            # -0., and -0. + 0. is +0. while every other value is unchanged: one pass, and
            # no count of the zeros (a relu's result nearly always has some).
            return out + np.zeros((), dt)
        if count_nonzero(out) != out.size:  # (only zeros need a look)
            zero = out == 0
            sx, sy = np.signbit(x), np.signbit(y)
            negative = (sx & sy) if both_signs_needed else (sx | sy)
            out = np.where(zero, np.where(negative, -0.0, 0.0).astype(out.dtype), out)
        return out

    fn.__name__ = np_fn.__name__
    return fn


def _extremum_emit(np_name: str, is_max: bool):
    """NumPy's maximum/minimum alone where no two zeros of different signs can tie: integers,
    and a nonzero literal operand. max(x, +0.0) (relu) is NumPy's maximum plus +0.0, which
    turns a -0.0 result into +0.0 and leaves every other value as it is. Else the impl."""

    def emit(args, params, src, avals):
        kind = avals[0].dtype.kind
        if kind in "biu":
            return f"xp.{np_name}({args[0]}, {args[1]})"
        if kind != "f":
            return None
        for i in (0, 1):
            v = emitted_literal(args[i])
            if v is None:
                continue
            if v != 0:
                return f"xp.{np_name}({args[0]}, {args[1]})"
            if is_max and math.copysign(1.0, v) > 0:
                return f"(xp.{np_name}({args[1 - i]}, {args[i]}) + {args[i]})"
        return None

    return emit


max_p = binary_elementwise(
    "max", _signed_zero_extremum(np.maximum, True),
    jvp_lhs=_select_weights_lhs_rhs(True, True),
    jvp_rhs=_select_weights_lhs_rhs(False, True),
    kinds="biuf", python_literal_ok=True, emit=_extremum_emit("maximum", True), fresh_result=True,
    jet=taylor.extremum_rule(True),
)
max = binary_wrapper(max_p)  # noqa: A001
min_p = binary_elementwise(
    "min", _signed_zero_extremum(np.minimum, False),
    jvp_lhs=_select_weights_lhs_rhs(True, False),
    jvp_rhs=_select_weights_lhs_rhs(False, False),
    kinds="biuf", python_literal_ok=True, emit=_extremum_emit("minimum", False), fresh_result=True,
    jet=taylor.extremum_rule(False),
)
min = binary_wrapper(min_p)  # noqa: A001


# ---------------------------------------------------------------------------- select_n

def _select_n_impl(xp, which, *cases):
    if len(cases) == 2 and which.dtype.kind == "b":
        return where_bits(which, cases[1], cases[0]) if xp is np else xp.where(which, cases[1], cases[0])
    return xp.choose(which.astype(np.int64) if hasattr(which, "astype") else int(which), cases)


def _select_n_abstract(which: ShapedArray, *cases: ShapedArray) -> ShapedArray:
    if not cases:
        raise TypeError("lax.select_n needs at least one case")
    require_same_dtypes("select_n", cases)
    if which.dtype.kind not in "biu":
        raise TypeError(f"lax.select_n: the selector must be bool or integer, got {which.dtype.name}")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise TypeError("lax.select_n: a bool selector allows at most two cases")
    shape = broadcast_shapes("lax.select_n", which.shape, *[c.shape for c in cases])
    return ShapedArray(shape, cases[0].dtype, all(c.weak_type for c in cases))


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    aval = aval_of(out)
    if all(type(t) is Zero for t in tangents[1:]):
        return out, Zero(aval.to_tangent_aval())
    ts = [templates.broadcast_to(ad_util.instantiate(t), aval.shape) for t in tangents[1:]]
    return out, select_n_p.bind(which, *ts)


def _select_n_transpose(ct, which, *cases):
    if ad_util.is_undefined(which):
        raise TypeError("select_n is not linear in its selector")
    out = [None]
    for i, c in enumerate(cases):
        if ad_util.is_undefined(c) and type(ct) is not Zero:
            zeros = scalar_like(ct, 0)
            branches = [zeros] * len(cases)
            branches[i] = ct
            out.append(templates.unbroadcast(select_n_p.bind(which, *branches), c.aval.shape))
        else:
            out.append(None)
    return out


def _select_n_weak(arrays, params):
    return all(a._weak for a in arrays[1:])


def _select_n_emit(args, params, src, avals):
    if len(args) == 3 and avals[0].dtype.kind == "b":
        which, *cases = avals
        full = which.size >= BRANCHLESS_MIN_SIZE and all(c.shape in ((), which.shape) for c in cases)
        fn = src(where_bits) if full else "xp.where"
        return f"{fn}({args[0]}, {args[2]}, {args[1]})"
    return None


def _select_n_simplify(invars, params, out, producers):
    """select_n with a literal selector: the chosen case."""
    v = literal_scalar(invars[0])
    if v is not None:
        chosen = invars[1 + int(v)]
        if same_type(chosen, out):
            return chosen
    return None


select_n_p = define_primitive(
    "select_n",
    emit=_select_n_emit,
    simplify=_select_n_simplify,
    impl=_select_n_impl,
    abstract_eval=_select_n_abstract,
    jvp=_select_n_jvp,
    batch=None,
    linear=True,
    transpose=_select_n_transpose,
    weak_rule=_select_n_weak,
    sparsity="move",  # with a constant predicate; otherwise elementwise
    jet=taylor.select_n_rule,
)
select_n_p.batch = templates.elementwise_batch(select_n_p)


def select_n(which, *cases):
    """lax.select_n: case `which[i]` at each position (bool selector: False→cases[0])."""
    if any(type(c) in SCALARS for c in cases):
        cases = coerce_scalars(*cases)
    if len(cases) > 1:  # (the eager path does not run abstract_eval)
        require_same_dtypes("select_n", [aval_of(c) for c in cases])
    return select_n_p.bind(which, *cases)


def select(pred, on_true, on_false):
    """lax.select(pred, on_true, on_false)."""
    return select_n(pred, on_false, on_true)


# --------------------------------------------------------------------------- integer_pow

def _integer_pow_impl(xp, x, *, y):
    return xp.power(x, y) if y >= 0 else xp.power(x, y, dtype=x.dtype) if x.dtype.kind in "fc" else xp.power(x, y)


def _integer_pow_abstract(x: ShapedArray, *, y: int) -> ShapedArray:
    require_dtype_kinds("integer_pow", x, NUMERIC_KINDS, "a numeric dtype")
    if y < 0 and x.dtype.kind in "iu":
        raise TypeError("lax.integer_pow: negative exponents need a floating-point base")
    return x


def _integer_pow_jvp(primals, tangents, *, y):
    (x,), (t,) = primals, tangents
    out = integer_pow(x, y)
    if type(t) is Zero:
        return out, t
    if y == 0:
        return out, Zero(aval_of(out).to_tangent_aval())
    if y == 1:
        return out, t
    # y * x**(y-1), with x itself for y == 2: an x**1 would be one more operation at every
    # level of a nested derivative (10 of the 65 operations of grad^4 of the tour polynomial).
    deriv = mul(float(y) if aval_of(x).dtype.kind in "fc" else y, x if y == 2 else integer_pow(x, y - 1))
    return out, mul(t, deriv)


def _integer_pow_batch(args, dims, *, y):
    return integer_pow(args[0], y), dims[0]


def _integer_pow_eager(x, *, y):
    try:
        v = x._value
    except AttributeError:
        x = to_concrete_array(x)
        v = x._value
    return wrap(_integer_pow_impl(np, v, y=y), x._weak)


def _integer_pow_emit(args, params, src, avals):
    """Small powers as repeated products (faster than xp.power); others call impl."""
    y = params["y"]
    if 1 <= y <= 4:
        return "(" + " * ".join([args[0]] * y) + ")"
    return None


def _integer_pow_jet(x, s, y):
    out = integer_pow(x, y)
    return out, taylor.integer_pow_series([x, *s], out, len(s), y=y)[1:]


integer_pow_p = define_primitive(
    "integer_pow",
    impl=_integer_pow_impl,
    abstract_eval=_integer_pow_abstract,
    eager=_integer_pow_eager,
    jvp=_integer_pow_jvp,
    batch=_integer_pow_batch,
    emit=_integer_pow_emit,
    simplify=lambda invars, params, out, producers: invars[0] if params["y"] == 1 else None,
    jet=lambda primals, series, *, y: _integer_pow_jet(primals[0], series[0], y),
)
integer_pow_p.elementwise = True


def integer_pow(x, y: int):
    """lax.integer_pow: x ** y for a static Python integer y."""
    return integer_pow_p.bind(x, y=int(y))


# ------------------------------------------------------------------ more arithmetic

def _trunc(q):
    """q rounded toward zero, as q - rem(q, 1) (infinities kept): differentiable, with
    derivative zero (rem's JVP)."""
    return select_n(eq(abs(q), scalar_like(q, np.inf)), sub(q, rem(q, scalar_like(q, 1))), q)


def _rem_impl(x, y):
    if np.result_type(x).kind in "iu":
        zero = np.equal(y, 0)
        if np.any(zero):  # x % 0 is x, as in JAX (XLA); NumPy gives 0
            return np.where(zero, x, np.fmod(x, np.where(zero, 1, y).astype(np.result_type(y))))
    return np.fmod(x, y)


def _rem_emit(args, params, src, avals):
    return f"xp.fmod({args[0]}, {args[1]})" if avals[0].dtype.kind == "f" else None


rem_p = binary_elementwise(
    "rem", _rem_impl, kinds="iuf", emit=_rem_emit, python_literal_ok=True,
    jvp_lhs=lambda t, x, y, out: t,
    jvp_rhs=lambda t, x, y, out: mul(neg(t), _trunc(div(x, y))),
)
rem = binary_wrapper(rem_p)
rem.__doc__ = "lax.rem: remainder of C-style (truncated) division; the sign follows x."


def _pow_impl(x, y):
    dt = np.result_type(x, y)  # (one operand may be a Python scalar in generated code)
    if dt.kind not in "iu":
        if np.ndim(y) == 0 and y == 0.5 and dt.kind != "c":
            # NumPy computes x ** 0.5 as sqrt(x); C's pow (and XLA) give +inf at -inf, +0 at -0.
            return np.where(x == -np.inf, np.inf, np.sqrt(x) + 0.0).astype(dt)
        return np.power(x, y)
    # Integer ** integer array, as JAX computes it: binary exponentiation over the low six
    # bits of the exponent, wrapping on overflow. Exponents in [0, 64) give the exact
    # (wrapped) power; a negative or larger exponent is taken modulo 64, except that
    # 0 ** y is 0 for every y != 0.
    with np.errstate(over="ignore"):
        out = np.power(x, np.bitwise_and(y, 63))
    return np.where((np.equal(x, 0)) & np.not_equal(y, 0), 0, out).astype(dt)


def _replace_zeros(x):
    return select_n(eq(x, 0), x, scalar_like(x, 1))


def _pow_jvp_lhs(t, x, y, out):
    # d/dx x**y = y * x**(y-1). For an integer y it is 0 where y == 0 (also at x == 0); for
    # a float y it is not special-cased, so 0 ** 0 has derivative 0 * inf = nan, as in JAX.
    if aval_of(y).dtype.kind in "iu":
        jac = select_n(eq(y, 0), mul(_replace_zeros(y), pow_any(x, sub(y, 1))), scalar_like(y, 0))
    else:
        jac = mul(y, pow_any(x, sub(y, scalar_like(y, 1))))
    return mul(t, jac)


def _pow_jvp_rhs(t, x, y, out):
    # d/dy x**y = log(x) * x**y, taken as 0 at x == 0.
    return mul(t, mul(out, log(_replace_zeros(x))))


pow_p = binary_elementwise(
    "pow", _pow_impl, jvp_lhs=_pow_jvp_lhs, jvp_rhs=_pow_jvp_rhs, python_literal_ok=True, jet=taylor.pow_rule,
)
pow_any = binary_wrapper(pow_p)  # also integer ** integer (used by jnp.power)


def pow(x, y):  # noqa: A001
    """lax.pow: x ** y elementwise for a floating or complex x; y has x's dtype, or is an
    integer array (as in JAX; see integer_pow for a static integer y)."""
    if type(x) in SCALARS or type(y) in SCALARS:
        x, y = coerce_scalars(x, y)
    xa, ya = aval_of(x), aval_of(y)
    if not (xa.dtype.kind in "fc" or xa.dtype == dtypes.bfloat16):
        raise TypeError(f"lax.pow does not accept dtype {xa.dtype.name} for x; it needs a floating-point "
                        "or complex dtype (jnp.power handles integers)")
    if ya.dtype != xa.dtype and ya.dtype.kind in "iu":
        y = convert_element_type(y, xa.dtype, ya.weak_type)
    return pow_p.bind(x, y)

square_p = unary_elementwise("square", "square", kinds=NUMERIC_KINDS, tangent=lambda t, x, y: mul(t, mul(x, 2)),
                             taylor=taylor.square_series)
square = square_p.bind


def _sign_impl(x):
    dt = np.result_type(x)
    if _is_real_float(dt):
        return np.copysign(np.sign(x), x)  # sign(-0.) is -0., as in JAX
    if dt.kind != "c":
        return np.sign(x)
    mag = np.abs(x)
    return np.where(mag == 0, 0, x / np.where(mag == 0, 1, mag)).astype(np.result_type(x))


sign_p = unary_elementwise("sign", _sign_impl, kinds=NUMERIC_KINDS, tangent=None)
sign = sign_p.bind


def _abs_tangent(t, x, y):
    if aval_of(x).dtype.kind != "c":
        return select_n(ge(x, scalar_like(x, 0)), neg(t), t)  # d|x|/dx is 1 at 0 (and -0.), as in JAX
    # d|z| = Re(conj(z) dz) / |z|, taken as 0 at z == 0.
    safe = select_n(eq(y, 0), y, scalar_like(y, 1))
    unit = div(x, complex(safe, scalar_like(safe, 0)))
    return real(mul(conj(unit), t))


abs_p = unary_elementwise("abs", "abs", kinds="ifc", out_dtype=dtypes.complex_to_real, tangent=_abs_tangent)
abs = abs_p.bind  # noqa: A001

# ------------------------------------------------------------------ bitwise / logical

and_p = binary_elementwise("and", "bitwise_and", kinds="biu", differentiable=False, emit="({0} & {1})",
                          commutative=True)
bitwise_and = binary_wrapper(and_p)
or_p = binary_elementwise("or", "bitwise_or", kinds="biu", differentiable=False, emit="({0} | {1})",
                         commutative=True)
bitwise_or = binary_wrapper(or_p)
xor_p = binary_elementwise("xor", "bitwise_xor", kinds="biu", differentiable=False, emit="({0} ^ {1})",
                          commutative=True)
bitwise_xor = binary_wrapper(xor_p)
not_p = unary_elementwise("not", "invert", kinds="biu", tangent=None, emit="(~{0})")
bitwise_not = not_p.bind
for _f, _what in ((bitwise_and, "and"), (bitwise_or, "or"), (bitwise_xor, "xor")):
    _f.__doc__ = f"lax.bitwise_{_what}: elementwise bitwise {_what} (logical {_what} for bools)."


def _as_unsigned(x):
    x = np.asarray(x)
    return x.view(f"u{x.dtype.itemsize}")


def _as_signed(x):
    x = np.asarray(x)
    return x.view(f"i{x.dtype.itemsize}")


def _constant_shift(y, dt) -> bool:
    """A 0-d shift amount within the width: NumPy's shift alone is exact, in one pass."""
    return np.ndim(y) == 0 and 0 <= int(y) < dt.itemsize * 8


def _shift_left_impl(x, y):
    dt = np.result_type(x)
    if _constant_shift(y, dt):
        return np.left_shift(x, np.asarray(y, dt))
    ok = (y >= 0) & (y < dt.itemsize * 8)
    return np.where(ok, np.left_shift(x, np.where(ok, y, 0)), 0).astype(dt)


def _shift_right_logical_impl(x, y):
    dt = np.result_type(x)
    u = _as_unsigned(x)
    if _constant_shift(y, dt):
        return np.right_shift(u, np.asarray(y, u.dtype)).view(dt)
    ok = (y >= 0) & (y < dt.itemsize * 8)
    out = np.where(ok, np.right_shift(u, np.where(ok, y, 0).astype(u.dtype)), 0).astype(u.dtype)
    return out.view(dt)


def _shift_right_arithmetic_impl(x, y):
    dt = np.result_type(x)
    bits = dt.itemsize * 8
    s = _as_signed(x)
    amount = np.where((y >= 0) & (y < bits), y, bits - 1).astype(s.dtype)
    return np.right_shift(s, amount).astype(s.dtype).view(dt)


shift_left_p = binary_elementwise("shift_left", _shift_left_impl, kinds="iu", differentiable=False)
shift_left = binary_wrapper(shift_left_p)
shift_left.__doc__ = "lax.shift_left: x << y (0 when y is negative or at least the bit width)."
shift_right_logical_p = binary_elementwise("shift_right_logical", _shift_right_logical_impl, kinds="iu",
                                           differentiable=False)
shift_right_logical = binary_wrapper(shift_right_logical_p)
shift_right_logical.__doc__ = "lax.shift_right_logical: x >> y filling with zeros, on the bit pattern."
shift_right_arithmetic_p = binary_elementwise("shift_right_arithmetic", _shift_right_arithmetic_impl, kinds="iu",
                                              differentiable=False)
shift_right_arithmetic = binary_wrapper(shift_right_arithmetic_p)
shift_right_arithmetic.__doc__ = "lax.shift_right_arithmetic: x >> y replicating the sign bit."

_BYTE_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], np.uint8)


def _population_count_impl(x):
    dt = np.result_type(x)
    u = _as_unsigned(x)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(u).astype(dt)
    by_byte = _BYTE_POPCOUNT[np.ascontiguousarray(u).view(np.uint8)].reshape(u.shape + (dt.itemsize,))
    return by_byte.sum(axis=-1).astype(dt)


population_count_p = unary_elementwise("population_count", _population_count_impl, kinds="iu", tangent=None)
population_count = population_count_p.bind

# ----------------------------------------------------------------------------- clamp


def _clamp_impl(xp, lo, x, hi):
    return xp.minimum(xp.maximum(x, lo), hi)


def _clamp_abstract(lo: ShapedArray, x: ShapedArray, hi: ShapedArray) -> ShapedArray:
    return nary_elementwise_aval("clamp", (lo, x, hi), "iuf", "a real numeric dtype")


def _clamp_jvp(primals, tangents):
    lo, x, hi = primals
    out = clamp_p.bind(lo, x, hi)

    def where(cond, weak=None):
        # The zeros are weak like x for x's term and like the tangent for the bounds' (as in JAX).
        return lambda t: select_n(cond, scalar_like(t, 0, aval_of(t).weak_type if weak is None else weak), t)

    return out, templates.tangent_sum(out, [
        (tangents[0], where(and_p.bind(gt(lo, x), lt(lo, hi)))),             # min is the answer
        (tangents[1], where(and_p.bind(gt(x, lo), lt(x, hi)), aval_of(x).weak_type)),  # x is inside
        (tangents[2], where(lt(hi, x))),                                        # max is the answer
    ])


clamp_p = define_primitive(
    "clamp",
    impl=_clamp_impl,
    abstract_eval=_clamp_abstract,
    jvp=_clamp_jvp,
    batch=None,
    emit="xp.minimum(xp.maximum({1}, {0}), {2})",
)
clamp_p.batch = templates.elementwise_batch(clamp_p)


def clamp(min, x, max):  # noqa: A002
    """lax.clamp(min, x, max): x limited to [min, max] (operands broadcast NumPy-style)."""
    args = (min, x, max)
    if any(type(a) in SCALARS for a in args):
        args = coerce_scalars(*args)
    require_same_dtypes("clamp", [aval_of(a) for a in args])  # (the eager path does not run abstract_eval)
    return clamp_p.bind(*args)


# --------------------------------------------------------------------------- complex

def _to_complex(dtype):
    return np.dtype(np.complex64) if dtype == np.float32 else np.dtype(np.complex128)


real_p = unary_elementwise(
    "real", "real", kinds="c", out_dtype=dtypes.complex_to_real, tangent=lambda t, x, y: real(t), linear=True,
    transpose=lambda ct, x: [None if type(ct) is Zero else complex(ct, scalar_like(ct, 0))],
)
real = real_p.bind
imag_p = unary_elementwise(
    "imag", "imag", kinds="c", out_dtype=dtypes.complex_to_real, tangent=lambda t, x, y: imag(t), linear=True,
    transpose=lambda ct, x: [None if type(ct) is Zero else complex(scalar_like(ct, 0), neg(ct))],
)
imag = imag_p.bind
conj_p = unary_elementwise(
    "conj", "conj", kinds="c", tangent=lambda t, x, y: conj(t), linear=True,
    transpose=lambda ct, x: [None if type(ct) is Zero else conj(ct)],
)


def conj(x):
    """lax.conj: the complex conjugate (a float32/64 operand is made complex first, as in JAX)."""
    aval = aval_of(x)
    if aval.dtype.kind != "c":
        if aval.dtype not in (dtypes.float32, dtypes.float64):
            raise TypeError(f"lax.conj does not accept dtype {aval.dtype.name}; it needs float32, float64 "
                            "or a complex dtype")
        x = convert_element_type(x, _to_complex(aval.dtype), aval.weak_type)
    return conj_p.bind(x)


def _complex_impl(x, y):
    out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)), _to_complex(np.result_type(x)))
    out.real = x
    out.imag = y
    return out


def _complex_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    return [templates.unbroadcast(real(ct), x.aval.shape) if ad_util.is_undefined(x) else None,
            templates.unbroadcast(neg(imag(ct)), y.aval.shape) if ad_util.is_undefined(y) else None]


complex_p = binary_elementwise(
    "complex", _complex_impl, kinds="f", out_dtype=_to_complex,
    jvp_lhs=lambda t, x, y, out: complex(t, scalar_like(t, 0)),
    jvp_rhs=lambda t, x, y, out: complex(scalar_like(t, 0), t),
    linear=True, transpose=_complex_transpose,
)
complex = binary_wrapper(complex_p)  # noqa: A001
complex.__doc__ = "lax.complex: x + i*y from two real arrays of one dtype."


__all__ = [
    "add", "sub", "mul", "div", "neg", "sin", "cos", "exp", "log", "tanh", "gt", "lt", "ge", "le", "eq", "ne",
    "max", "min", "select_n", "select", "integer_pow",
    "rem", "pow", "square", "sign", "abs",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "shift_left", "shift_right_logical",
    "shift_right_arithmetic", "population_count", "clamp", "real", "imag", "conj", "complex",
]
