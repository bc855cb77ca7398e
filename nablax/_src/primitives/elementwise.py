"""Elementwise primitives: one block each, reading like a table of calculus.

Operands broadcast NumPy-style and must share one dtype (nablax.numpy promotes first).
Each public wrapper coerces Python scalars to the other operand's dtype, as lax does.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..array import to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from . import templates
from ._define import (
    aval_of,
    broadcast_shapes,
    define_primitive,
    require_dtype_kinds,
    require_same_dtypes,
)

_SCALARS = (bool, int, float, complex)
FLOAT_KINDS = "fc"
NUMERIC_KINDS = "iufc"
_KIND_WORDS = {
    "fc": "a floating-point or complex dtype",
    "f": "a floating-point dtype",
    "iufc": "a numeric dtype",
    "iuf": "a real numeric dtype",
    "iub": "an integer or bool dtype",
    "iu": "an integer dtype",
    "biufc": "any dtype",
    "biuf": "a real dtype",
    "c": "a complex dtype",
}


def coerce_scalars(*args):
    """Python scalars take the dtype of the first array operand (weakly typed), like lax."""
    ref = next((a for a in args if type(a) not in _SCALARS), None)
    if ref is None:
        return [to_concrete_array(a) for a in args]
    dtype = aval_of(ref).dtype
    return [wrap(np.asarray(a, dtype), True) if type(a) in _SCALARS
            else to_concrete_array(a) if isinstance(a, (np.ndarray, np.generic)) else a
            for a in args]


# ------------------------------------------------------------------------- unary builder

def unary_elementwise(
    name: str,
    np_fn: Callable | str,
    *,
    tangent: Callable | None,
    kinds: str = FLOAT_KINDS,
    out_dtype: Callable | None = None,
    emit: str | None = None,
    linear: bool = False,
    transpose: Callable | None = None,
):
    """A one-operand elementwise primitive.

    `tangent(t, x, y)` gives the output tangent from the input tangent `t`, the input
    `x` and the output `y`; None means the primitive is not differentiable.
    `out_dtype(dtype)` maps the input dtype to the output dtype (default: the same).
    """
    fn = getattr(np, np_fn) if isinstance(np_fn, str) else np_fn
    np_name = np_fn if isinstance(np_fn, str) else None

    def impl(xp, x):
        return getattr(xp, np_name)(x) if np_name else fn(x)

    def abstract_eval(x: ShapedArray) -> ShapedArray:
        require_dtype_kinds(name, x, kinds, _KIND_WORDS.get(kinds, kinds))
        if out_dtype is None:
            return x
        return ShapedArray(x.shape, out_dtype(x.dtype), False)

    keep_weak = out_dtype is None

    def eager(x):
        try:
            v = x._value
        except AttributeError:
            x = to_concrete_array(x)
            v = x._value
        return wrap(fn(v), keep_weak and x._weak)

    prim = None

    def jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        y = prim.bind(x)
        return y, tangent(t, x, y)

    def batch(args, dims):
        return prim.bind(args[0]), dims[0]

    prim = define_primitive(
        name,
        impl=impl,
        abstract_eval=abstract_eval,
        eager=eager,
        jvp=jvp if tangent is not None else None,
        differentiable=tangent is not None,
        batch=batch,
        emit=emit or (f"xp.{np_name}({{0}})" if np_name else None),
        linear=linear,
        transpose=transpose,
    )
    return prim


# ------------------------------------------------------------------------ binary builder

def binary_elementwise(
    name: str,
    np_fn: Callable | str,
    *,
    jvp_lhs: Callable | None = None,
    jvp_rhs: Callable | None = None,
    differentiable: bool = True,
    kinds: str = NUMERIC_KINDS,
    out_dtype: Callable | None = None,
    emit: str | None = None,
    linear: bool = False,
    transpose: Callable | None = None,
):
    """A two-operand elementwise primitive with NumPy broadcasting.

    `jvp_lhs(t, x, y, out)` / `jvp_rhs(t, x, y, out)` are the output tangent's terms from
    each operand's tangent; missing terms mean that operand has no influence.
    """
    fn = getattr(np, np_fn) if isinstance(np_fn, str) else np_fn
    np_name = np_fn if isinstance(np_fn, str) else None

    def impl(xp, x, y):
        return getattr(xp, np_name)(x, y) if np_name else fn(x, y)

    def abstract_eval(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        dt = require_same_dtypes(name, (x, y))
        require_dtype_kinds(name, x, kinds, _KIND_WORDS.get(kinds, kinds))
        shape = broadcast_shapes(f"lax.{name}", x.shape, y.shape)
        if out_dtype is not None:
            return ShapedArray(shape, out_dtype(dt), False)
        return ShapedArray(shape, dt, x.weak_type and y.weak_type)

    keep_weak = out_dtype is None

    def eager(x, y):
        try:
            xv = x._value
            yv = y._value
        except AttributeError:
            x, y = coerce_scalars(x, y)
            xv, yv = x._value, y._value
        try:
            out = fn(xv, yv)
        except ValueError:
            broadcast_shapes(f"lax.{name}", np.shape(xv), np.shape(yv))
            raise
        return wrap(out, keep_weak and x._weak and y._weak)

    prim = None

    def jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        out = prim.bind(x, y)
        out_shape = aval_of(out).shape
        total = Zero(aval_of(out).to_tangent_aval())
        if type(tx) is not Zero and jvp_lhs is not None:
            total = templates.add_tangents(total, templates.broadcast_to(jvp_lhs(tx, x, y, out), out_shape))
        if type(ty) is not Zero and jvp_rhs is not None:
            total = templates.add_tangents(total, templates.broadcast_to(jvp_rhs(ty, x, y, out), out_shape))
        return out, total

    prim = define_primitive(
        name,
        impl=impl,
        abstract_eval=abstract_eval,
        eager=eager,
        jvp=jvp if differentiable else None,
        differentiable=differentiable,
        batch=None,
        emit=emit or (f"xp.{np_name}({{0}}, {{1}})" if np_name else None),
        linear=linear,
        transpose=transpose,
    )
    prim.batch = templates.elementwise_batch(prim)
    return prim


def _binary_wrapper(prim):
    bind = prim.bind

    def op(x, y):
        if type(x) in _SCALARS or type(y) in _SCALARS:
            x, y = coerce_scalars(x, y)
        return bind(x, y)

    op.__name__ = prim.name
    op.__doc__ = f"lax.{prim.name}: elementwise, operands of one dtype, NumPy broadcasting."
    return op


def _unbroadcast_ct(ct, operand):
    return None if type(ct) is Zero else templates.unbroadcast(ct, operand.aval.shape)


# ------------------------------------------------------------------------- the primitives

def _add_transpose(ct, x, y):
    return [_unbroadcast_ct(ct, x) if templates.is_undefined(x) else None,
            _unbroadcast_ct(ct, y) if templates.is_undefined(y) else None]


add_p = binary_elementwise(
    "add", "add",
    jvp_lhs=lambda t, x, y, out: t,
    jvp_rhs=lambda t, x, y, out: t,
    linear=True, transpose=_add_transpose, emit="({0} + {1})",
)
add = _binary_wrapper(add_p)


def _sub_transpose(ct, x, y):
    return [_unbroadcast_ct(ct, x) if templates.is_undefined(x) else None,
            _unbroadcast_ct(neg(ct), y) if templates.is_undefined(y) and type(ct) is not Zero else None]


sub_p = binary_elementwise(
    "sub", "subtract",
    jvp_lhs=lambda t, x, y, out: t,
    jvp_rhs=lambda t, x, y, out: neg(t),
    linear=True, transpose=_sub_transpose, emit="({0} - {1})",
)
sub = _binary_wrapper(sub_p)


def _mul_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    if templates.is_undefined(x):
        return [templates.unbroadcast(mul(ct, y), x.aval.shape), None]
    return [None, templates.unbroadcast(mul(x, ct), y.aval.shape)]


mul_p = binary_elementwise(
    "mul", "multiply",
    jvp_lhs=lambda t, x, y, out: mul(t, y),
    jvp_rhs=lambda t, x, y, out: mul(x, t),
    linear=True, transpose=_mul_transpose, emit="({0} * {1})",
)
mul = _binary_wrapper(mul_p)


def _div_transpose(ct, x, y):
    if type(ct) is Zero:
        return [None, None]
    return [templates.unbroadcast(div(ct, y), x.aval.shape), None]


def _true_or_floor_divide(x, y):
    if np.result_type(x).kind in "iu":
        # lax.div on integers rounds toward zero (C semantics), unlike NumPy's floor division.
        q = np.floor_divide(x, y)
        fix = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
        return (q + fix).astype(np.result_type(x))
    return np.true_divide(x, y)


div_p = binary_elementwise(
    "div", _true_or_floor_divide,
    jvp_lhs=lambda t, x, y, out: div(t, y),
    jvp_rhs=lambda t, x, y, out: mul(neg(t), div(out, y)),
    linear=True, transpose=_div_transpose,
)
div = _binary_wrapper(div_p)

neg_p = unary_elementwise(
    "neg", "negative", kinds=NUMERIC_KINDS,
    tangent=lambda t, x, y: neg(t),
    linear=True, transpose=lambda ct, x: [None if type(ct) is Zero else neg(ct)],
    emit="(-{0})",
)
neg = neg_p.bind

sin_p = unary_elementwise("sin", "sin", tangent=lambda t, x, y: mul(t, cos(x)))
sin = sin_p.bind
cos_p = unary_elementwise("cos", "cos", tangent=lambda t, x, y: neg(mul(t, sin(x))))
cos = cos_p.bind
exp_p = unary_elementwise("exp", "exp", tangent=lambda t, x, y: mul(t, y))
exp = exp_p.bind
log_p = unary_elementwise("log", "log", tangent=lambda t, x, y: div(t, x))
log = log_p.bind
tanh_p = unary_elementwise("tanh", "tanh", tangent=lambda t, x, y: mul(t, sub(1.0, mul(y, y))))
tanh = tanh_p.bind


def _bool_out(dtype):
    return np.dtype(bool)


def _comparison(name: str, np_name: str):
    prim = binary_elementwise(name, np_name, differentiable=False, kinds="biuf" if name not in ("eq", "ne") else "biufc",
                              out_dtype=_bool_out)
    return prim, _binary_wrapper(prim)


gt_p, gt = _comparison("gt", "greater")
lt_p, lt = _comparison("lt", "less")
ge_p, ge = _comparison("ge", "greater_equal")
le_p, le = _comparison("le", "less_equal")
eq_p, eq = _comparison("eq", "equal")
ne_p, ne = _comparison("ne", "not_equal")


def _select_weights_lhs_rhs(first: bool, greater: bool):
    def term(t, x, y, out):
        a, b = (x, y) if first else (y, x)
        cmp = gt(a, b) if greater else lt(a, b)
        w = select_n(cmp, select_n(eq(a, b), _zeros_like(t), _full_like(t, 0.5)), _ones_like(t))
        return mul(t, w)

    return term


def _full_like(x, value):
    aval = aval_of(x)
    return wrap(np.full(aval.shape, value, aval.dtype))


def _zeros_like(x):
    return _full_like(x, 0)


def _ones_like(x):
    return _full_like(x, 1)


max_p = binary_elementwise(
    "max", "maximum",
    jvp_lhs=_select_weights_lhs_rhs(True, True),
    jvp_rhs=_select_weights_lhs_rhs(False, True),
    kinds="biuf",
)
max = _binary_wrapper(max_p)  # noqa: A001
min_p = binary_elementwise(
    "min", "minimum",
    jvp_lhs=_select_weights_lhs_rhs(True, False),
    jvp_rhs=_select_weights_lhs_rhs(False, False),
    kinds="biuf",
)
min = _binary_wrapper(min_p)  # noqa: A001


# ---------------------------------------------------------------------------- select_n

def _select_n_impl(xp, which, *cases):
    if len(cases) == 2 and np.result_type(which) == np.bool_:
        return xp.where(which, cases[1], cases[0])
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
    ts = [templates.broadcast_to(templates.instantiate(t), aval.shape) for t in tangents[1:]]
    return out, select_n_p.bind(which, *ts)


def _select_n_transpose(ct, which, *cases):
    if templates.is_undefined(which):
        raise TypeError("select_n is not linear in its selector")
    out = [None]
    for i, c in enumerate(cases):
        if templates.is_undefined(c) and type(ct) is not Zero:
            zeros = _zeros_like(ct)
            branches = [zeros] * len(cases)
            branches[i] = ct
            out.append(templates.unbroadcast(select_n_p.bind(which, *branches), c.aval.shape))
        else:
            out.append(None)
    return out


def _select_n_weak(arrays, params):
    return all(a._weak for a in arrays[1:])


select_n_p = define_primitive(
    "select_n",
    impl=_select_n_impl,
    abstract_eval=_select_n_abstract,
    jvp=_select_n_jvp,
    batch=None,
    linear=True,
    transpose=_select_n_transpose,
    weak_rule=_select_n_weak,
)
select_n_p.batch = templates.elementwise_batch(select_n_p)


def select_n(which, *cases):
    """lax.select_n: case `which[i]` at each position (bool selector: False→cases[0])."""
    if any(type(c) in _SCALARS for c in cases):
        cases = coerce_scalars(*cases)
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
    deriv = mul(float(y) if aval_of(x).dtype.kind in "fc" else y, integer_pow(x, y - 1) if y != 1 else _ones_like(x))
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


integer_pow_p = define_primitive(
    "integer_pow",
    impl=_integer_pow_impl,
    abstract_eval=_integer_pow_abstract,
    eager=_integer_pow_eager,
    jvp=_integer_pow_jvp,
    batch=_integer_pow_batch,
)


def integer_pow(x, y: int):
    """lax.integer_pow: x ** y for a static Python integer y."""
    return integer_pow_p.bind(x, y=int(y))


__all__ = [
    "add", "sub", "mul", "div", "neg", "sin", "cos", "exp", "log", "tanh", "gt", "lt", "ge", "le", "eq", "ne",
    "max", "min", "select_n", "select", "integer_pow",
]
