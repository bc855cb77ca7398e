"""The elementwise family's builders: one call makes a complete one- or two-operand primitive.

`unary_elementwise` and `binary_elementwise` fill every rule from a NumPy function and a
tangent formula (impl, abstract eval with dtype-kind checks and weak types, a fast eager
path, JVP, vmap, the emitted source) and the compiler facts that follow from the NumPy
spelling (`ufunc=True`). `binary_wrapper` is the lax-level function, coercing Python
scalars to the other operand's dtype as lax does.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import ad_util
from ..array import Array, to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from . import templates
from ._define import (
    aval_of,
    broadcast_shapes,
    define_primitive,
    never_weak,
    require_dtype_kinds,
    require_same_dtypes,
    weak_if_all_weak,
)

SCALARS = (bool, int, float, complex)

FLOAT_KINDS = "fc"
NUMERIC_KINDS = "iufc"
KIND_WORDS = {
    "fc": "a floating-point or complex dtype",
    "f": "a floating-point dtype",
    "iufc": "a numeric dtype",
    "iuf": "a real numeric dtype",
    "ifc": "a signed integer, floating-point or complex dtype",
    "iub": "an integer or bool dtype",
    "iu": "an integer dtype",
    "biufc": "any dtype",
    "biuf": "a real dtype",
    "c": "a complex dtype",
}


def coerce_scalars(*args):
    """Python scalars take the dtype of the first array operand (weakly typed), like lax."""
    for ref in args:
        if type(ref) not in SCALARS:
            break
    else:
        return [to_concrete_array(a) for a in args]
    dtype = ref._value.dtype if type(ref) is Array else aval_of(ref).dtype
    out = []
    for a in args:
        t = type(a)
        if t in SCALARS:
            a = wrap(np.asarray(a, dtype), True)
        elif t is not Array and isinstance(a, (np.ndarray, np.generic)):
            a = to_concrete_array(a)
        out.append(a)
    return out


# ------------------------------------------------------------------------- unary builder

def unary_elementwise(
    name: str,
    np_fn: Callable | str,
    *,
    tangent: Callable | None,
    kinds: str = FLOAT_KINDS,
    out_dtype: Callable | None = None,
    weak: bool = True,
    emit: str | None = None,
    linear: bool = False,
    transpose: Callable | None = None,
    has_params: bool = False,
    ufunc: bool | str = False,
    taylor: Callable | None = None,
    **facts,
):
    """A one-operand elementwise primitive.

    `tangent(t, x, y, **params)` gives the output tangent from the input tangent `t`,
    the input `x` and the output `y`; None means the primitive is not differentiable.
    `out_dtype(dtype)` maps the input dtype to the output dtype (default: the same).
    The output is weakly typed iff the input is, unless `weak=False` (bool outputs).
    `has_params`: the primitive takes static keyword params, passed to `np_fn` and rules.
    `ufunc=True`: `np_fn` (a NumPy name) may write into a buffer with `out=`; a string names
    another ufunc for that. `taylor(x, y0, K, **params)` gives the normalized Taylor
    coefficients [y_0..y_K] from [x_0..x_K] and y_0 (primitives/taylor.py): the jet rule.
    Other keywords are compiler facts passed to define_primitive.
    """
    fn = getattr(np, np_fn) if isinstance(np_fn, str) else np_fn
    np_name = np_fn if isinstance(np_fn, str) else None
    words = KIND_WORDS.get(kinds, kinds)

    def impl(xp, x, **params):
        return getattr(xp, np_name)(x, **params) if np_name else fn(x, **params)

    def abstract_eval(x: ShapedArray, **params) -> ShapedArray:
        require_dtype_kinds(name, x, kinds, words)
        if out_dtype is None:
            return x if weak or not x.weak_type else x.strip_weak_type()
        return ShapedArray(x.shape, out_dtype(x.dtype), weak and x.weak_type)

    def eager(x):
        try:
            v = x._value
        except AttributeError:
            x = to_concrete_array(x)
            v = x._value
        if v.dtype.kind not in kinds:
            abstract_eval(x.aval)
        return wrap(fn(v), weak and x._weak)

    def eager_params(x, **params):
        try:
            v = x._value
        except AttributeError:
            x = to_concrete_array(x)
            v = x._value
        if v.dtype.kind not in kinds:
            abstract_eval(x.aval, **params)
        return wrap(fn(v, **params), weak and x._weak)

    prim = None

    def jvp(primals, tangents, **params):
        (x,), (t,) = primals, tangents
        y = prim.bind(x, **params)
        return y, tangent(t, x, y, **params)

    def batch(args, dims, **params):
        return prim.bind(args[0], **params), dims[0]

    def jet(primals, series, **params):
        (x,), (s,) = primals, series
        y0 = prim.bind(x, **params)
        return y0, taylor([x, *s], y0, len(s), **params)[1:]

    prim = define_primitive(
        name,
        impl=impl,
        abstract_eval=abstract_eval,
        eager=eager_params if has_params else eager,
        jvp=jvp if tangent is not None else None,
        differentiable=tangent is not None,
        batch=batch,
        emit=emit or (f"xp.{np_name}({{0}})" if np_name and not has_params else None),
        linear=linear,
        transpose=transpose,
        weak_rule=weak_if_all_weak if weak else never_weak,
        ufunc=_ufunc_name(ufunc, np_name),
        jet=jet if taylor is not None else facts.pop("jet", None),
        **facts,
    )
    prim.elementwise = True
    return prim


def _ufunc_name(ufunc: bool | str, np_name: str | None) -> str | None:
    """A builder's `ufunc` argument as define_primitive's: True means `np_fn` itself."""
    if ufunc is True:
        if np_name is None:
            raise TypeError("ufunc=True needs np_fn given as a NumPy name; pass the ufunc's name instead")
        return np_name
    return ufunc or None


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
    weak: bool = True,
    emit: str | None = None,
    linear: bool = False,
    transpose: Callable | None = None,
    ufunc: bool | str = False,
    **facts,
):
    """A two-operand elementwise primitive with NumPy broadcasting.

    `jvp_lhs(t, x, y, out)` / `jvp_rhs(t, x, y, out)` are the output tangent's terms from
    each operand's tangent; missing terms mean that operand has no influence.
    The output is weakly typed iff both operands are, unless `weak=False` (bool outputs).
    `ufunc` and the other keywords are compiler facts, as for unary_elementwise.
    """
    fn = getattr(np, np_fn) if isinstance(np_fn, str) else np_fn
    np_name = np_fn if isinstance(np_fn, str) else None
    words = KIND_WORDS.get(kinds, kinds)

    def impl(xp, x, y):
        return getattr(xp, np_name)(x, y) if np_name else fn(x, y)

    def abstract_eval(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        dt, shape = x.dtype, x.shape
        # The common case (once per staged binary op) checked inline: one dtype of the
        # family's kinds, and equal shapes or a scalar operand.
        if not (dt is y.dtype and dt.kind in kinds and (shape == y.shape or not y.shape)):
            dt = require_same_dtypes(name, (x, y))
            require_dtype_kinds(name, x, kinds, words)
            shape = broadcast_shapes(f"lax.{name}", x.shape, y.shape)
        w = weak and x.weak_type and y.weak_type
        if out_dtype is None:  # (once per staged binary op: an operand's aval when it is the result's)
            if shape == x.shape and w == x.weak_type:
                return x
            if shape == y.shape and w == y.weak_type:
                return y
            return ShapedArray(shape, dt, w)
        return ShapedArray(shape, out_dtype(dt), w)

    def eager(x, y):
        try:
            xv = x._value
            yv = y._value
        except AttributeError:
            x, y = coerce_scalars(x, y)
            xv, yv = x._value, y._value
        dt = xv.dtype
        if dt is not yv.dtype or dt.kind not in kinds:
            abstract_eval(x.aval, y.aval)
        try:
            out = fn(xv, yv)
        except ValueError:
            broadcast_shapes(f"lax.{name}", np.shape(xv), np.shape(yv))
            raise
        return wrap(out, weak and x._weak and y._weak)

    prim = None

    def jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        out = prim.bind(x, y)
        # templates.tangent_sum, written out: this runs for every binary op under grad, and
        # the general form would build a closure per operand per call (and a Zero to start
        # the sum from, which the common case, one or two nonzero terms, never needs).
        shape = out.shape
        lhs = None
        if type(tx) is not Zero and jvp_lhs is not None:
            lhs = jvp_lhs(tx, x, y, out)
            if getattr(lhs, "shape", ()) != shape:  # (broadcast_to's first test, without its frame)
                lhs = templates.broadcast_to(lhs, shape)
        if type(ty) is not Zero and jvp_rhs is not None:
            rhs = jvp_rhs(ty, x, y, out)
            if getattr(rhs, "shape", ()) != shape:
                rhs = templates.broadcast_to(rhs, shape)
            return out, rhs if lhs is None else ad_util.add_tangents(lhs, rhs)
        return out, Zero(aval_of(out).to_tangent_aval()) if lhs is None else lhs

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
        weak_rule=weak_if_all_weak if weak else never_weak,
        ufunc=_ufunc_name(ufunc, np_name),
        **facts,
    )
    prim.batch = templates.elementwise_batch(prim)
    return prim


def binary_wrapper(prim):
    """The lax function of a binary primitive: Python scalars take the other operand's dtype."""
    bind = prim.bind

    def op(x, y):
        if type(x) in SCALARS or type(y) in SCALARS:
            x, y = coerce_scalars(x, y)
        return bind(x, y)

    op.__name__ = prim.name
    op.__doc__ = f"lax.{prim.name}: elementwise, operands of one dtype, NumPy broadcasting."
    return op


def bool_out(dtype):
    """out_dtype of comparisons and predicates."""
    return np.dtype(bool)
