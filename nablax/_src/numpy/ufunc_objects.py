"""The jnp functions JAX exposes as `jnp.ufunc` objects (add, multiply, maximum, logical_and, ...).

Calling one runs the plain elementwise function from ufuncs.py; `reduce`, `accumulate` and `at`
use the matching whole-array operation (sum, cumsum, .at[].add, ...) where one exists, as JAX
does, and the ufunc class's generic loops otherwise. Internal code keeps calling the plain
functions, so only user calls pay the object's small dispatch cost.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..primitives import bitwise
from ..primitives import elementwise as ew
from ..primitives import reductions as red
from ..primitives.misc import stop_gradient
from . import reductions, ufuncs
from .functional import ufunc


def _reduction(fname: str, lax_fn, combine, identity, to_bool: bool = False):
    """A ufunc `reduce` on the shared jnp reduction body: `dtype` (default: the input's) is the
    dtype to reduce in; tuple axes and axis=None reduce several axes at once, as in JAX."""
    def reduce(a, axis=0, dtype=None, keepdims=False, initial=None, where=None):
        x = reductions._arg(fname, a)
        if to_bool:
            x = reductions._to_bool(x)
        acc = x.dtype if dtype is None else dtypes.check_user_dtype(dtype, f"{fname}.reduce")
        return reductions._reduce(fname, x, lax_fn, combine, axis, acc, None, keepdims, initial, where, identity)
    return reduce


def _logsumexp_reduce(fname: str, exp_fn, log_fn, combine):
    """logaddexp(2).reduce: log(sum(exp(x - m))) + m with m the (gradient-free) finite maximum,
    and `initial` folded in with the ufunc itself."""
    def reduce(a, axis=0, dtype=None, keepdims=False, initial=None, where=None):
        x = reductions._arg(fname, a)
        if dtype is not None:
            x = reductions._cast(x, dtypes.check_user_dtype(dtype, f"{fname}.reduce"))
        if not dtypes.issubdtype(x.dtype, np.inexact):
            x = reductions._cast(x, dtypes.default_float_dtype())
        peak = reductions.max(x, axis=axis, keepdims=True, where=where, initial=-np.inf)
        shift = stop_gradient(ew.select_n(ufuncs.isfinite(peak), ufuncs._zeros_like(peak), peak))
        total = reductions.sum(exp_fn(ew.sub(x, shift)), axis=axis, keepdims=keepdims, where=where)
        out = ew.add(log_fn(total), shift.reshape(total.shape))
        return out if initial is None else combine(out, initial)
    return reduce


def _indexed(method: str, negate: bool = False):
    """add.at / multiply.at / subtract.at as one scatter (a.at[indices].add(b), ...)."""
    def at(a, indices, b):
        ref = reductions._arg("ufunc.at", a).at[indices]
        return getattr(ref, method)(ufuncs.negative(b) if negate else b)
    return at


def _binary(func, identity, **custom) -> ufunc:
    return ufunc(func, 2, 1, name=func.__name__, identity=identity, call=func, **custom)


add = _binary(ufuncs.add, 0, reduce=reductions.sum, accumulate=reductions.cumsum,
              at=_indexed("add"))
multiply = _binary(ufuncs.multiply, 1, reduce=reductions.prod, accumulate=reductions.cumprod, at=_indexed("multiply"))
subtract = _binary(ufuncs.subtract, None, at=_indexed("add", negate=True))
maximum = _binary(ufuncs.maximum, None, reduce=_reduction("maximum", red.reduce_max, ew.max, None))
minimum = _binary(ufuncs.minimum, None, reduce=_reduction("minimum", red.reduce_min, ew.min, None))
bitwise_and = _binary(ufuncs.bitwise_and, -1, reduce=_reduction("bitwise_and", red.reduce_and, ew.bitwise_and, -1))
bitwise_or = _binary(ufuncs.bitwise_or, 0, reduce=_reduction("bitwise_or", red.reduce_or, ew.bitwise_or, 0))
bitwise_xor = _binary(ufuncs.bitwise_xor, 0,
                      reduce=_reduction("bitwise_xor", bitwise.reduce_xor, ew.bitwise_xor, 0))
logical_and = _binary(ufuncs.logical_and, True,
                      reduce=_reduction("logical_and", red.reduce_and, ew.bitwise_and, True, to_bool=True))
logical_or = _binary(ufuncs.logical_or, False,
                     reduce=_reduction("logical_or", red.reduce_or, ew.bitwise_or, False, to_bool=True))
logical_xor = _binary(ufuncs.logical_xor, False,
                      reduce=_reduction("logical_xor", bitwise.reduce_xor, ew.bitwise_xor, False, to_bool=True))
logaddexp = _binary(ufuncs.logaddexp, -np.inf, reduce=_logsumexp_reduce("logaddexp", ufuncs.exp, ufuncs.log, ufuncs.logaddexp))
logaddexp2 = _binary(ufuncs.logaddexp2, -np.inf, reduce=_logsumexp_reduce("logaddexp2", ufuncs.exp2, ufuncs.log2,
                                                                            ufuncs.logaddexp2))
negative = ufunc(ufuncs.negative, 1, 1, name="negative", call=ufuncs.negative)

__all__ = ["add", "multiply", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor",
           "logical_and", "logical_or", "logical_xor", "logaddexp", "logaddexp2", "negative"]

METHODS: dict = {}  # (Array methods this area provides)
