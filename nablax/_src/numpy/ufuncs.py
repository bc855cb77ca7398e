"""Elementwise nablax.numpy functions: check and promote arguments, then call lax.

Two factories cover most functions: `binary_ufunc` (promote both operands to their
common dtype) and `unary_ufunc` (optionally to an inexact dtype first). Each has an
eager fast path for the overwhelmingly common case of same-dtype Arrays.
"""
from __future__ import annotations

from typing import Callable

from ..array import Array
from ..primitives import elementwise as ew
from .methods import reflected
from .promotion import promote_args, promote_args_inexact


def binary_ufunc(name: str, lax_fn: Callable, doc: str = "") -> Callable:
    bind = lax_fn

    def ufunc(x, y, /):
        if type(x) is Array and type(y) is Array and x._value.dtype == y._value.dtype:
            return bind(x, y)
        x, y = promote_args(name, x, y)
        return bind(x, y)

    ufunc.__name__ = ufunc.__qualname__ = name
    ufunc.__doc__ = doc or f"jnp.{name}: elementwise, with NumPy broadcasting and JAX promotion."
    return ufunc


def unary_ufunc(name: str, lax_fn: Callable, inexact: bool = False, doc: str = "") -> Callable:
    promote = promote_args_inexact if inexact else promote_args
    kinds = "fc" if inexact else "biufc"

    def ufunc(x, /):
        if type(x) is Array and x._value.dtype.kind in kinds:
            return lax_fn(x)
        (x,) = promote(name, x)
        return lax_fn(x)

    ufunc.__name__ = ufunc.__qualname__ = name
    ufunc.__doc__ = doc or f"jnp.{name}: elementwise."
    return ufunc


add = binary_ufunc("add", ew.add)
subtract = binary_ufunc("subtract", ew.sub)
multiply = binary_ufunc("multiply", ew.mul)
maximum = binary_ufunc("maximum", ew.max)
minimum = binary_ufunc("minimum", ew.min)
greater = binary_ufunc("greater", ew.gt)
less = binary_ufunc("less", ew.lt)
greater_equal = binary_ufunc("greater_equal", ew.ge)
less_equal = binary_ufunc("less_equal", ew.le)
equal = binary_ufunc("equal", ew.eq)
not_equal = binary_ufunc("not_equal", ew.ne)


def true_divide(x, y, /):
    """jnp.true_divide: always a floating result (integers are promoted to float first)."""
    x, y = promote_args_inexact("true_divide", x, y)
    return ew.div(x, y)


divide = true_divide
negative = unary_ufunc("negative", ew.neg)
sin = unary_ufunc("sin", ew.sin, inexact=True)
cos = unary_ufunc("cos", ew.cos, inexact=True)
exp = unary_ufunc("exp", ew.exp, inexact=True)
log = unary_ufunc("log", ew.log, inexact=True)
tanh = unary_ufunc("tanh", ew.tanh, inexact=True)

__all__ = [
    "add", "subtract", "multiply", "maximum", "minimum", "greater", "less", "greater_equal",
    "less_equal", "equal", "not_equal", "true_divide", "divide", "negative", "sin", "cos", "exp",
    "log", "tanh",
]

METHODS = {
    "__add__": add, "__radd__": reflected(add),
    "__sub__": subtract, "__rsub__": reflected(subtract),
    "__mul__": multiply, "__rmul__": reflected(multiply),
    "__truediv__": true_divide, "__rtruediv__": reflected(true_divide),
    "__neg__": negative,
    "__lt__": less, "__le__": less_equal, "__gt__": greater, "__ge__": greater_equal,
    "__eq__": equal, "__ne__": not_equal,
}
