"""Elementwise nablax.numpy functions: check and promote arguments, then call lax.

Two factories cover most functions: `binary_ufunc` (promote both operands to their
common dtype) and `unary_ufunc` (optionally to an inexact dtype first). Each has an
eager fast path for the overwhelmingly common case of same-dtype Arrays. The rest
are short compositions of lax functions, so they are differentiable, batchable and
traceable like everything else; their non-differentiable points follow JAX.
"""
from __future__ import annotations

import math
import operator
from typing import Callable, Iterator

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..core import Tracer, lift_aval
from ..custom_derivatives import custom_jvp
from ..primitives import elementwise as ew
from ..primitives import reductions as red
from ..primitives import shape as lax_shape
from ..primitives import special as sp
from ..primitives.misc import convert_element_type
from .methods import reflected
from .promotion import as_array, check_arraylike, promote_args, promote_args_inexact, scalar_value

# ------------------------------------------------------------------------------ factories


def _named(fn: Callable, name: str, doc: str) -> Callable:
    """`fn` renamed to the jnp function it implements (its name and docstring show in help and errors)."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _ufuncs(factory: Callable, lax_fns: dict[str, Callable], **options) -> Iterator[Callable]:
    """`factory(name, lax_fn, **options)` for each `jnp name: lax function` of `lax_fns`, in order
    (unpacked into module names; tests/test_numpy_names.py checks each name matches its function)."""
    return (factory(name, lax_fn, **options) for name, lax_fn in lax_fns.items())


def binary_ufunc(name: str, lax_fn: Callable, doc: str = "", inexact: bool = False,
                 bool_fn: Callable | None = None) -> Callable:
    """`bool_fn`, if given, computes the result for bool operands (add is logical or)."""
    promote = promote_args_inexact if inexact else promote_args
    kinds = "fc" if inexact else "biufc" if bool_fn is None else "iufc"

    def ufunc(x, y, /):
        tx, ty = type(x), type(y)
        if tx is Array and ty is Array:
            dt = x._value.dtype
            if dt == y._value.dtype and dt.kind in kinds:
                return lax_fn(x, y)
        elif isinstance(x, Tracer) and isinstance(y, (Tracer, Array)) or isinstance(y, Tracer) and tx is Array:
            dt = x.dtype
            if dt == y.dtype and dt.kind in kinds:
                return lax_fn(x, y)
        elif ty in _PY_NUMBERS and (tx is Array or isinstance(x, Tracer)):
            s = _scalar_like(x, y, kinds)
            if s is not None:
                return lax_fn(x, s)
        elif tx in _PY_NUMBERS and (ty is Array or isinstance(y, Tracer)):
            s = _scalar_like(y, x, kinds)
            if s is not None:
                return lax_fn(s, y)
        x, y = promote(name, x, y)
        if bool_fn is not None and x.dtype == np.bool_:
            return bool_fn(x, y)
        return lax_fn(x, y)

    return _named(ufunc, name, doc or f"jnp.{name}: elementwise, with NumPy broadcasting and JAX promotion.")


_PY_NUMBERS = (int, float)


def _scalar_like(arr, py, kinds: str):
    """A Python int/float operand as a weak array of `arr`'s dtype, when JAX promotion keeps
    that dtype (float/complex arrays; int arrays with int scalars); else None."""
    dt = arr.dtype
    k = dt.kind
    if k not in kinds or not (k in "fc" or (k in "iu" and type(py) is int)):
        return None
    if type(py) is int and not -2 ** 31 <= py < 2 ** 31:
        return None  # (promote_args checks the range)
    return wrap(scalar_value(py, dt), True)


def unary_ufunc(name: str, lax_fn: Callable, inexact: bool = False, doc: str = "") -> Callable:
    promote = promote_args_inexact if inexact else promote_args
    kinds = "fc" if inexact else "biufc"

    def ufunc(x, /):
        if type(x) is Array and x._value.dtype.kind in kinds:
            return lax_fn(x)
        if isinstance(x, Tracer) and x.aval.dtype.kind in kinds:
            return lax_fn(x)
        (x,) = promote(name, x)
        return lax_fn(x)

    return _named(ufunc, name, doc or f"jnp.{name}: elementwise.")


def _promote2(name: str, x, y):
    """promote_args for two operands, skipping the work for two Arrays of one dtype and weak type."""
    if type(x) is Array and type(y) is Array and x._value.dtype == y._value.dtype and x._weak == y._weak:
        return x, y
    return promote_args(name, x, y)


def _promote2_inexact(name: str, x, y):
    """promote_args_inexact for two operands, skipping the work for two float/complex Arrays alike."""
    if type(x) is Array and type(y) is Array:
        dt = x._value.dtype
        if dt == y._value.dtype and dt.kind in "fc" and x._weak == y._weak:
            return x, y
    return promote_args_inexact(name, x, y)


def _arg(name: str, x):
    """One checked argument as an Array or tracer (Python scalars become weak arrays)."""
    if type(x) is Array:
        return x
    check_arraylike(name, x)
    return as_array(x)


def _kind(x) -> str:
    """x's NumPy dtype kind, "f" for bfloat16 (whose NumPy kind is "V")."""
    k = x.dtype.kind
    return "f" if k == "V" and x.dtype == dtypes.bfloat16 else k


def _require(name: str, x, kinds: str, what: str) -> None:
    if _kind(x) not in kinds:
        raise TypeError(f"jnp.{name} does not accept dtype {x.dtype.name}; it needs {what}")


def _zeros_like(x):
    """Zeros of x's shape and dtype (weak if x is), safe for NaN/inf values of x."""
    zero = wrap(np.zeros((), x.dtype), x.weak_type)
    return lax_shape.broadcast_in_dim(zero, tuple(x.shape), ()) if x.shape else zero


def _strong(x):
    """x without its weak type. Some JAX functions return strongly typed values even for
    weakly typed input (jnp.log10(2.0), jnp.isinf(2.0)); these follow them."""
    return convert_element_type(x, x.dtype)


def _weak_only_if_scalar(x):
    """As JAX's hypot, logaddexp2, heaviside and the logical functions: a weakly typed
    result only when it is 0-d (arrays of weakly typed values give strong results)."""
    return _strong(x) if x.ndim else x


def _same_dtype_const(x, value):
    aval = lift_aval(x)  # (x may be a raw NumPy array inside a rule run by grad of jit)
    return wrap(np.asarray(value, aval.dtype), aval.weak_type)


# ------------------------------------------------------------------------- arithmetic
add = binary_ufunc("add", ew.add, bool_fn=ew.bitwise_or)  # on bools: logical or, as in JAX
subtract = binary_ufunc("subtract", ew.sub)
multiply = binary_ufunc("multiply", ew.mul, bool_fn=ew.bitwise_and)  # on bools: logical and
maximum, minimum, greater, less, greater_equal, less_equal, equal, not_equal = _ufuncs(binary_ufunc, {
    "maximum": ew.max, "minimum": ew.min, "greater": ew.gt, "less": ew.lt, "greater_equal": ew.ge,
    "less_equal": ew.le, "equal": ew.eq, "not_equal": ew.ne})


def true_divide(x, y, /):
    """jnp.true_divide: always a floating result (integers are promoted to float first)."""
    x, y = _promote2_inexact("true_divide", x, y)
    return ew.div(x, y)


divide = true_divide
negative = unary_ufunc("negative", ew.neg)


def positive(x, /):
    """jnp.positive: x itself (as an array)."""
    (x,) = promote_args("positive", x)
    return x


def absolute(x, /):
    """jnp.absolute / jnp.abs: |x|; a real dtype for complex x; bool and unsigned unchanged."""
    x = _arg("absolute", x)
    if x.dtype.kind in "bu":
        return x
    return ew.abs(x)


abs = absolute  # noqa: A001


def fabs(x, /):
    """jnp.fabs: |x| as a floating value (complex input is an error, as in NumPy)."""
    (x,) = promote_args_inexact("fabs", x)
    _require("fabs", x, "f", "a real dtype")
    return ew.abs(x)


sign = unary_ufunc("sign", ew.sign, doc="jnp.sign: -1, 0 or 1 (x/|x| for complex).")
square = unary_ufunc("square", lambda x: ew.square(
    convert_element_type(x, dtypes.default_int_dtype()) if x.dtype == np.bool_ else x))
reciprocal = unary_ufunc("reciprocal", lambda x: ew.integer_pow(x, -1), inexact=True, doc="jnp.reciprocal: 1/x.")


def power(x1, x2, /):
    """jnp.power: x1 ** x2. A concrete integer exponent uses lax.integer_pow, as JAX does.

    Integer ** integer-array follows JAX: the exponent's low six bits are used (see
    lax.pow). As in JAX, a strongly typed integer exponent array makes the result strong."""
    if type(x2) is int and type(x1) is Array and x1._value.dtype.kind in "fc":
        return ew.integer_pow(x1, x2)  # the common `x ** 2`
    check_arraylike("power", x1, x2)
    n = _concrete_int(x2)
    if n is not None:
        (x1,) = promote_args("power", x1)
        if x1.dtype.kind == "b":
            x1 = convert_element_type(x1, dtypes.default_int_dtype())
        if n < 0 and x1.dtype.kind in "iu":
            raise TypeError(f"jnp.power: integers cannot be raised to negative powers (exponent {n})")
        return ew.integer_pow(x1, n)
    strong_int_exponent = not dtypes.is_weakly_typed(x2) and dtypes.dtype_of(x2).kind in "biu"
    x1, x2 = _promote2("power", x1, x2)
    if x1.dtype.kind == "b":
        x1 = convert_element_type(x1, dtypes.default_int_dtype())
        x2 = convert_element_type(x2, dtypes.default_int_dtype())
    out = ew.pow_any(x1, x2)
    return _strong(out) if strong_int_exponent else out


def _concrete_int(x):
    """The value of a Python/NumPy integer or a concrete 0-d integer array, else None."""
    if type(x) is int:
        return x
    if type(x) is bool or getattr(x, "ndim", 0) != 0 or getattr(x, "dtype", None) == np.bool_:
        return None
    if isinstance(x, float) or getattr(getattr(x, "dtype", None), "kind", "i") not in "iu":
        return None
    try:
        return operator.index(x)
    except TypeError:  # a traced value, or not an integer
        return None


pow = power  # noqa: A001


def float_power(x1, x2, /):
    """jnp.float_power: x1 ** x2 in floating point (as JAX: the promoted inexact dtype)."""
    x1, x2 = _promote2_inexact("float_power", x1, x2)
    return ew.pow(x1, x2)


def _no_complex(name: str, x) -> None:
    if x.dtype.kind == "c":
        raise TypeError(f"jnp.{name} does not support complex dtypes (got {x.dtype.name})")


def _bools_to_int(x1, x2):
    """Bool operands of integer arithmetic (//, %, fmod, shifts) as the default int, as in JAX."""
    if x1.dtype == np.bool_:
        int_ = dtypes.default_int_dtype()
        return convert_element_type(x1, int_), convert_element_type(x2, int_)
    return x1, x2


def _nonzero_divisor(x2):
    """Integer divisors with 0 replaced by 1 (x % 0 and fmod(x, 0) are 0 for integers)."""
    return ew.select_n(ew.eq(x2, 0), x2, 1)


def fmod(x1, x2, /):
    """jnp.fmod: remainder of truncated division; the result has the sign of x1."""
    x1, x2 = _promote2("fmod", x1, x2)
    _no_complex("fmod", x1)
    if x1.dtype.kind in "iu":  # fmod(x, 0) is 0 for integers; for bools it is x, as in JAX
        x2 = _nonzero_divisor(x2)
    x1, x2 = _bools_to_int(x1, x2)
    return ew.rem(x1, x2)


def remainder(x1, x2, /):
    """jnp.remainder / jnp.mod: remainder of floor division; the result has the sign of x2."""
    x1, x2 = _bools_to_int(*_promote2("remainder", x1, x2))
    _no_complex("remainder", x1)
    if x1.dtype.kind in "iu":
        x2 = _nonzero_divisor(x2)  # x % 0 is 0 for integers, as in NumPy and JAX
    r = ew.rem(x1, x2)
    if x1.dtype.kind == "u":
        return r
    fix = ew.bitwise_and(ew.ne(r, 0), ew.ne(ew.lt(r, 0), ew.lt(x2, 0)))
    return ew.select_n(fix, r, ew.add(r, x2))


mod = remainder


def _float_divmod(x1, x2):
    r = ew.rem(x1, x2)
    q = ew.div(ew.sub(x1, r), x2)
    fix = ew.bitwise_and(ew.ne(r, 0), ew.ne(ew.lt(r, 0), ew.lt(x2, 0)))
    r = ew.select_n(fix, r, ew.add(r, x2))
    q = ew.select_n(fix, q, ew.sub(q, 1))
    q = ew.select_n(ew.eq(x2, 0), q, ew.div(x1, x2))  # x // 0 is inf, -inf or nan, as in NumPy and JAX
    return sp.round(q, sp.RoundingMethod.TO_NEAREST_EVEN), r


def floor_divide(x1, x2, /):
    """jnp.floor_divide: x1 // x2, rounding toward minus infinity (ints and floats).

    Integer division by zero follows JAX (XLA): x // 0 is -2 for x != 0 and -1 for 0."""
    x1, x2 = _bools_to_int(*_promote2("floor_divide", x1, x2))
    kind = _kind(x1)
    _no_complex("floor_divide", x1)
    if kind == "u":
        return ew.div(x1, x2)
    if kind == "i":
        q = ew.div(x1, x2)
        fix = ew.bitwise_and(ew.ne(ew.sign(x1), ew.sign(x2)), ew.ne(ew.rem(x1, x2), 0))
        return ew.select_n(fix, q, ew.sub(q, 1))
    _require("floor_divide", x1, "f", "a numeric dtype")
    return _float_divmod(x1, x2)[0]


def divmod(x1, x2, /):  # noqa: A001
    """jnp.divmod: (floor_divide(x1, x2), remainder(x1, x2))."""
    x1, x2 = _bools_to_int(*_promote2("divmod", x1, x2))
    if _kind(x1) == "f":
        return _float_divmod(x1, x2)
    return floor_divide(x1, x2), remainder(x1, x2)


# -------------------------------------------------------------- exponents and logs
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
exp, exp2, expm1, log, log1p, sqrt, cbrt, log2, log10 = _ufuncs(unary_ufunc, {
    "exp": ew.exp, "exp2": sp.exp2, "expm1": sp.expm1, "log": ew.log, "log1p": sp.log1p, "sqrt": sp.sqrt,
    "cbrt": sp.cbrt, "log2": lambda x: _strong(ew.div(ew.log(x), _LN2)),
    "log10": lambda x: _strong(ew.div(ew.log(x), _LN10))}, inexact=True)


def _logaddexp_value(x1, x2, exp_fn, inv_scale):
    amax = ew.max(x1, x2)
    delta = ew.sub(x1, x2)
    tail = sp.log1p(exp_fn(ew.neg(ew.abs(delta))))
    out = ew.add(amax, tail if inv_scale is None else ew.mul(tail, inv_scale))
    return ew.select_n(ew.ne(delta, delta), out, ew.add(x1, x2))  # both infinite: x1 + x2


def _posinf_to_zero(x):
    return ew.select_n(ew.eq(x, np.inf), x, _same_dtype_const(x, 0))


def _logaddexp_rule(core, exp_fn):
    """The JVP JAX gives logaddexp(2): t1 * w(x1) + t2 * w(x2) with w(x) = exp(x - out) (exp2
    for base 2), +inf counted as 0 in the exponent; it is 0.5 each at x1 == x2 and finite at
    (inf, inf), where differentiating the formula would give NaN."""

    def jvp(primals, tangents):
        (x1, x2), (t1, t2) = primals, tangents
        out = core(x1, x2)
        o = _posinf_to_zero(out)
        w1 = exp_fn(ew.sub(_posinf_to_zero(x1), o))
        w2 = exp_fn(ew.sub(_posinf_to_zero(x2), o))
        return out, ew.add(ew.mul(t1, w1), ew.mul(t2, w2))

    return jvp


@custom_jvp
def _logaddexp(x1, x2):
    return _logaddexp_value(x1, x2, ew.exp, None)


@custom_jvp
def _logaddexp2(x1, x2):
    return _logaddexp_value(x1, x2, sp.exp2, 1 / _LN2)


_logaddexp.defjvp(_logaddexp_rule(_logaddexp, ew.exp))
_logaddexp2.defjvp(_logaddexp_rule(_logaddexp2, sp.exp2))


logaddexp = binary_ufunc("logaddexp", _logaddexp, inexact=True,
                         doc="jnp.logaddexp: log(exp(x1) + exp(x2)) without overflow.")
logaddexp2 = binary_ufunc("logaddexp2", lambda x, y: _weak_only_if_scalar(_logaddexp2(x, y)), inexact=True,
                          doc="jnp.logaddexp2: log2(2**x1 + 2**x2) without overflow.")

# ------------------------------------------------------------------- trigonometric
sin, cos, tan, arcsin, arccos, arctan, sinh, cosh, tanh, arcsinh, arccosh, arctanh, deg2rad, rad2deg = _ufuncs(
    unary_ufunc, {"sin": ew.sin, "cos": ew.cos, "tan": sp.tan, "arcsin": sp.asin, "arccos": sp.acos,
                  "arctan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": ew.tanh, "arcsinh": sp.asinh,
                  "arccosh": sp.acosh, "arctanh": sp.atanh, "deg2rad": lambda x: ew.mul(x, math.pi / 180),
                  "rad2deg": lambda x: ew.mul(x, 180 / math.pi)}, inexact=True)
arctan2 = binary_ufunc("arctan2", sp.atan2, inexact=True, doc="jnp.arctan2(x1, x2): the angle of the point (x2, x1).")
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh
radians, degrees = deg2rad, rad2deg


def hypot(x1, x2, /):
    """jnp.hypot: sqrt(x1**2 + x2**2) without overflow or underflow."""
    x1, x2 = _promote2_inexact("hypot", x1, x2)
    _no_complex("hypot", x1)
    a, b = ew.abs(x1), ew.abs(x2)
    hi, lo = ew.max(a, b), ew.min(a, b)
    ratio = ew.div(lo, ew.select_n(ew.eq(hi, 0), hi, 1))
    out = ew.mul(hi, sp.sqrt(ew.add(ew.mul(ratio, ratio), 1)))
    infinite = ew.bitwise_or(ew.eq(a, np.inf), ew.eq(b, np.inf))  # hypot(inf, nan) is inf, as in C
    return _weak_only_if_scalar(ew.select_n(infinite, out, np.inf))


def sinc(x, /):
    """jnp.sinc: sin(pi x) / (pi x), 1 at 0 (with the right derivatives there, up to fourth order)."""
    (x,) = promote_args_inexact("sinc", x)
    at0 = ew.eq(x, 0)
    pix = ew.mul(ew.select_n(at0, x, 1), math.pi)
    away = ew.div(ew.sin(pix), pix)
    # At 0, the Maclaurin polynomial of sinc: its value and derivatives are exact there.
    u = ew.square(ew.mul(x, math.pi))
    near = ew.add(ew.mul(u, ew.sub(ew.div(u, 120.0), 1 / 6)), 1)
    return _weak_only_if_scalar(ew.select_n(at0, away, near))


# ------------------------------------------------------------------------ rounding


def _rounding(name: str, lax_fn: Callable) -> Callable:
    def fn(x, /):
        x = _arg(name, x)
        _no_complex(name, x)
        if x.dtype.kind in "biu":
            return x
        return lax_fn(x)

    return _named(fn, name, f"jnp.{name}: elementwise (integer and bool arrays are returned unchanged).")


floor = _rounding("floor", sp.floor)
ceil = _rounding("ceil", sp.ceil)
trunc = _rounding("trunc", lambda x: ew.select_n(ew.lt(x, 0), sp.floor(x), sp.ceil(x)))
fix = _rounding("fix", lambda x: ew.select_n(ew.ge(x, 0), sp.ceil(x), sp.floor(x)))


def rint(x, /):
    """jnp.rint: round to the nearest integer, ties to even (integers become floats)."""
    x = _arg("rint", x)
    if x.dtype.kind in "biu":
        return convert_element_type(x, dtypes.default_float_dtype())  # not weak, as in JAX
    if x.dtype.kind == "c":
        return ew.complex(rint(ew.real(x)), rint(ew.imag(x)))
    return sp.round(x, sp.RoundingMethod.TO_NEAREST_EVEN)


def round(a, decimals: int = 0, out=None):  # noqa: A001
    """jnp.round / jnp.around: to `decimals` decimal places, ties to even (as NumPy)."""
    if out is not None:
        raise NotImplementedError("jnp.round: the `out` argument is not supported (arrays are immutable)")
    decimals = operator.index(decimals)
    x = _arg("round", a)
    kind = _kind(x)
    if kind == "b":
        raise ValueError("jnp.round: bool input is not supported (as in JAX); convert it to a number first")
    if kind in "iu":
        if decimals >= 0:
            return x
        return convert_element_type(round(convert_element_type(x, dtypes.default_float_dtype()), decimals),
                                    x.dtype, x.weak_type)
    if kind == "c":
        return ew.complex(round(ew.real(x), decimals), round(ew.imag(x), decimals))
    even = sp.RoundingMethod.TO_NEAREST_EVEN
    if decimals == 0:
        return sp.round(x, even)
    if decimals > 0:
        factor = 10.0 ** decimals
        return ew.div(sp.round(ew.mul(x, factor), even), factor)
    factor = 10.0 ** -decimals
    return ew.mul(sp.round(ew.div(x, factor), even), factor)


around = round


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):  # noqa: A002
    """jnp.clip: values limited to [min, max] (either may be None); a_min/a_max accepted too."""
    if arr is None:
        arr = a
    if arr is None:
        raise TypeError("jnp.clip() missing the array argument")
    if a_min is not None:
        if min is not None:
            raise TypeError("jnp.clip: give `min` or `a_min`, not both")
        min = a_min  # noqa: A001
    if a_max is not None:
        if max is not None:
            raise TypeError("jnp.clip: give `max` or `a_max`, not both")
        max = a_max  # noqa: A001
    x = _arg("clip", arr)
    for v in (x, min, max):
        if v is not None and (isinstance(v, complex) or getattr(getattr(v, "dtype", None), "kind", "") == "c"):
            raise ValueError("jnp.clip: complex values have no ordering and cannot be clipped")
    if min is not None:
        x = maximum(min, x)
    if max is not None:
        x = minimum(max, x)
    return x


def _fmaxmin(name: str, pick_first: Callable) -> Callable:
    def fn(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        # As JAX: x1 where it wins or x2 is NaN, else x2 (so ties, and their gradient, go to x2).
        return ew.select_n(ew.bitwise_or(pick_first(x1, x2), ew.ne(x2, x2)), x2, x1)

    return _named(fn, name, f"jnp.{name}: elementwise {name[1:]}imum, ignoring NaNs.")


fmax = _fmaxmin("fmax", ew.gt)
fmin = _fmaxmin("fmin", ew.lt)

# ------------------------------------------------------------------ logical, bitwise


def _to_bool(x):
    return x if x.dtype == np.bool_ else ew.ne(x, 0)


def _logical(name: str, lax_fn: Callable) -> Callable:
    def fn(x1, x2, /):
        check_arraylike(name, x1, x2)
        return _weak_only_if_scalar(lax_fn(_to_bool(as_array(x1)), _to_bool(as_array(x2))))

    return _named(fn, name, f"jnp.{name}: elementwise, on truth values (nonzero is True).")


logical_and = _logical("logical_and", ew.bitwise_and)
logical_or = _logical("logical_or", ew.bitwise_or)
logical_xor = _logical("logical_xor", ew.bitwise_xor)


def logical_not(x, /):
    """jnp.logical_not: elementwise, on truth values (nonzero is True)."""
    return _weak_only_if_scalar(ew.bitwise_not(_to_bool(_arg("logical_not", x))))


def _bitwise(name: str, lax_fn: Callable, kinds: str = "biu", what: str = "an integer or bool dtype") -> Callable:
    def fn(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        if "b" not in kinds:  # shifts of bools shift the default int, as in JAX
            x1, x2 = _bools_to_int(x1, x2)
        _require(name, x1, kinds, what)
        return lax_fn(x1, x2)

    return _named(fn, name, f"jnp.{name}: elementwise, on the bits of integers (logical for bools).")


bitwise_and = _bitwise("bitwise_and", ew.bitwise_and)
bitwise_or = _bitwise("bitwise_or", ew.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", ew.bitwise_xor)
left_shift = _bitwise("left_shift", ew.shift_left, "iu", "an integer dtype")


def _right_shift(x1, x2):
    if x1.dtype.kind == "u":
        return ew.shift_right_logical(x1, x2)
    return ew.shift_right_arithmetic(x1, x2)


right_shift = _bitwise("right_shift", _right_shift, "iu", "an integer dtype")
bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def invert(x, /):
    """jnp.invert / jnp.bitwise_not: flip every bit (logical not for bools)."""
    x = _arg("invert", x)
    _require("invert", x, "biu", "an integer or bool dtype")
    return ew.bitwise_not(x)


bitwise_not = bitwise_invert = invert

# --------------------------------------------------------------------- predicates


def isnan(x, /):
    """jnp.isnan: True where x is NaN (never for integers)."""
    x = _arg("isnan", x)
    return ew.ne(x, x)


def isinf(x, /):
    """jnp.isinf: True where x is +inf or -inf (either part, for complex)."""
    x = _arg("isinf", x)
    kind = _kind(x)
    if kind == "f":
        return _strong(ew.eq(ew.abs(x), np.inf))
    if kind == "c":
        return ew.bitwise_or(isinf(ew.real(x)), isinf(ew.imag(x)))
    return _strong(ew.ne(x, x))


def isposinf(x, /):
    """jnp.isposinf: True where x is +inf."""
    x = _arg("isposinf", x)
    _no_complex("isposinf", x)
    return _strong(ew.eq(x, np.inf) if _kind(x) == "f" else ew.ne(x, x))


def isneginf(x, /):
    """jnp.isneginf: True where x is -inf."""
    x = _arg("isneginf", x)
    _no_complex("isneginf", x)
    return _strong(ew.eq(x, -np.inf) if _kind(x) == "f" else ew.ne(x, x))


def isfinite(x, /):
    """jnp.isfinite: True where x is neither infinite nor NaN (always for integers)."""
    x = _arg("isfinite", x)
    kind = _kind(x)
    if kind == "f":
        return sp.is_finite(x)
    if kind == "c":
        return ew.bitwise_and(sp.is_finite(ew.real(x)), sp.is_finite(ew.imag(x)))
    return _strong(ew.eq(x, x))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
    """jnp.isclose: |a - b| <= atol + rtol * |b|, elementwise (infinities equal only to themselves)."""
    a, b = _promote2_inexact("isclose", a, b)
    real_dt = dtypes.complex_to_real(a.dtype)
    rtol = convert_element_type(as_array(rtol), real_dt, True)
    atol = convert_element_type(as_array(atol), real_dt, True)
    close = ew.le(ew.abs(ew.sub(a, b)), ew.add(atol, ew.mul(rtol, ew.abs(b))))
    out = ew.bitwise_or(ew.bitwise_and(close, isfinite(b)), ew.eq(a, b))
    if equal_nan:
        out = ew.bitwise_or(out, ew.bitwise_and(isnan(a), isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
    """jnp.allclose: whether isclose holds everywhere (a 0-d bool Array)."""
    c = isclose(a, b, rtol, atol, equal_nan)
    return red.reduce_and(c, tuple(range(len(c.shape))))


def signbit(x, /):
    """jnp.signbit: True where the sign bit is set (-0.0 included; not read for NaNs)."""
    x = _arg("signbit", x)
    kind = _kind(x)
    _no_complex("signbit", x)
    if kind == "f":
        # atan2(x, -1) is +pi for +0.0 and -pi for -0.0, and has x's sign elsewhere.
        return _strong(ew.lt(sp.atan2(x, _same_dtype_const(x, -1)), 0))
    if kind == "i":
        return _strong(ew.lt(x, 0))
    return _strong(ew.ne(x, x))


def copysign(x1, x2, /):
    """jnp.copysign: |x1| with the sign of x2."""
    x1, x2 = _promote2_inexact("copysign", x1, x2)
    _no_complex("copysign", x1)
    mag = ew.abs(x1)
    return ew.select_n(signbit(x2), mag, ew.neg(mag))


nextafter = binary_ufunc("nextafter", sp.nextafter, inexact=True,
                         doc="jnp.nextafter: the next floating-point value after x1 towards x2.")


def heaviside(x1, x2, /):
    """jnp.heaviside: 0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0 (NaN where x1 is NaN)."""
    x1, x2 = _promote2_inexact("heaviside", x1, x2)
    return _weak_only_if_scalar(
        ew.select_n(ew.lt(x1, 0), ew.select_n(ew.gt(x1, 0), ew.select_n(ew.eq(x1, 0), x1, x2), 1), 0))


# ------------------------------------------------------------------------- complex


def real(val, /):
    """jnp.real: the real part (x itself for real x)."""
    x = _arg("real", val)
    return ew.real(x) if x.dtype.kind == "c" else x


def imag(val, /):
    """jnp.imag: the imaginary part (zeros for real x)."""
    x = _arg("imag", val)
    return ew.imag(x) if x.dtype.kind == "c" else _zeros_like(x)


def conjugate(x, /):
    """jnp.conjugate / jnp.conj: the complex conjugate (x itself for real x)."""
    x = _arg("conjugate", x)
    return ew.conj(x) if x.dtype.kind == "c" else x


conj = conjugate


def angle(z, deg: bool = False):
    """jnp.angle: the argument of z, in radians (or degrees with deg=True)."""
    (z,) = promote_args_inexact("angle", z)
    if z.dtype.kind == "c":
        re, im = ew.real(z), ew.imag(z)
    else:
        re, im = z, _zeros_like(z)
    out = sp.atan2(im, re)
    if out.ndim == 0:  # as in JAX: the angle of a scalar is strongly typed (of an array, not)
        out = _strong(out)
    return ew.mul(out, 180 / math.pi) if deg else out


# ------------------------------------------------------------------------- methods


def _round_method(self, decimals: int = 0, out=None):
    return round(self, decimals, out)


def _clip_method(self, min=None, max=None, out=None, **kwargs):  # noqa: A002
    if out is not None:
        raise NotImplementedError("Array.clip: the `out` argument is not supported (arrays are immutable)")
    return clip(self, min, max, **kwargs)


# add, subtract, multiply, maximum, minimum, negative, logaddexp(2), logical_and/or/xor and
# bitwise_and/or/xor reach jnp as ufunc objects (ufunc_objects.py) that wrap these functions.
__all__ = [
    "greater", "less", "greater_equal",
    "less_equal", "equal", "not_equal", "true_divide", "divide", "positive", "absolute", "abs",
    "fabs", "sign", "square", "reciprocal", "power", "pow", "float_power", "fmod", "remainder", "mod",
    "floor_divide", "divmod",
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh",
    "arccosh", "arctanh", "asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh", "deg2rad", "rad2deg",
    "radians", "degrees", "hypot", "sinc",
    "floor", "ceil", "trunc", "fix", "rint", "round", "around", "clip", "fmax", "fmin",
    "logical_not",
    "bitwise_not", "bitwise_invert", "invert", "left_shift", "right_shift", "bitwise_left_shift",
    "bitwise_right_shift",
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isclose", "allclose", "signbit", "copysign",
    "nextafter", "heaviside", "real", "imag", "conjugate", "conj", "angle",
]

# Binary operators, by dunder stem: each gives `__stem__` and its reflected `__rstem__`.
_BINARY_OPERATORS = {
    "add": add, "sub": subtract, "mul": multiply, "truediv": true_divide, "floordiv": floor_divide,
    "mod": remainder, "divmod": divmod, "pow": power, "and": bitwise_and, "or": bitwise_or, "xor": bitwise_xor,
    "lshift": left_shift, "rshift": right_shift,
}

METHODS = {
    **{f"__{stem}__": fn for stem, fn in _BINARY_OPERATORS.items()},
    **{f"__r{stem}__": reflected(fn) for stem, fn in _BINARY_OPERATORS.items()},
    "__invert__": invert, "__neg__": negative, "__pos__": positive, "__abs__": absolute,
    "__lt__": less, "__le__": less_equal, "__gt__": greater, "__ge__": greater_equal,
    "__eq__": equal, "__ne__": not_equal,
    "conj": conjugate, "conjugate": conjugate, "round": _round_method, "clip": _clip_method,
    "real": property(real), "imag": property(imag),
}
