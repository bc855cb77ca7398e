"""Argument checking and dtype promotion for nablax.numpy (primitives never promote)."""
from __future__ import annotations

import operator

import numpy as np

from .. import dtypes
from ..array import Array, to_concrete_array, wrap
from ..core import Tracer
from ..primitives.misc import convert_element_type

_SCALARS = (bool, int, float, complex)


def check_arraylike(fname: str, *args) -> None:
    """Raise a TypeError naming `fname` for arguments that are not arrays or scalars."""
    for i, a in enumerate(args):
        if not isinstance(a, (Array, Tracer, np.ndarray, np.generic) + _SCALARS):
            hint = " (wrap lists with jnp.array(...))" if isinstance(a, (list, tuple)) else ""
            raise TypeError(
                f"jnp.{fname} requires array or scalar arguments, got {type(a).__name__} "
                f"at position {i}{hint}"
            )
        if isinstance(a, (np.ndarray, np.generic)) and not dtypes.is_array_dtype(a.dtype):
            raise TypeError(f"jnp.{fname}: unsupported NumPy dtype {a.dtype} at position {i}")


def checked_axis(where: str, axis, ndim: int, error: type[Exception] = ValueError) -> int:
    """`axis` (an integer, negative counting from the end) as an index into `ndim` axes, or
    `error` naming `where` (e.g. "jnp.take") when it is out of bounds."""
    a = operator.index(axis)
    if not -ndim <= a < ndim:
        raise error(f"{where}: axis {a} is out of bounds for an array of rank {ndim}")
    return a % ndim


def as_array(x):
    """Arrays and tracers pass through; Python scalars and NumPy arrays become Arrays."""
    if isinstance(x, (Array, Tracer)):
        return x
    return to_concrete_array(x)


def promote_args(fname: str, *args) -> list:
    """Check the arguments and convert them to their common (JAX-promoted) dtype."""
    check_arraylike(fname, *args)
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [_to(a, dtype, weak) for a in args]


def promote_args_inexact(fname: str, *args) -> list:
    """Like promote_args, then to a floating dtype (sin of an int array is a float array)."""
    check_arraylike(fname, *args)
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [_to(a, dtypes.to_inexact_dtype(dtype), weak) for a in args]


def check_int_range(x: int) -> None:
    """A Python int operand must fit the default int dtype (int32 unless x64), as in JAX,
    even when it meets a float array."""
    if not -_INT_BOUND[dtypes.x64_flag.value] <= x < _INT_BOUND[dtypes.x64_flag.value]:
        raise OverflowError(f"Python int {x} is too large for {dtypes.default_int_dtype().name}; "
                            "enable 64-bit types or pass a float")


_INT_BOUND = {False: 2 ** 31, True: 2 ** 63}


def scalar_value(x, dtype: np.dtype) -> np.ndarray:
    """A Python scalar as a 0-d NumPy array of `dtype`. An int outside the dtype's range
    wraps around, as in JAX (`jnp.int8(5) * 1000` is -120): NumPy would raise."""
    try:
        return np.asarray(x, dtype)
    except OverflowError:
        return np.asarray(x).astype(dtype)


def _to(a, dtype: np.dtype, weak: bool):
    if type(a) in _SCALARS:
        if type(a) is int:
            check_int_range(a)
        return wrap(scalar_value(a, dtype), weak)
    aval = a.aval if isinstance(a, (Array, Tracer)) else None
    if aval is not None and aval.dtype == dtype and aval.weak_type == weak:
        return a
    return convert_element_type(as_array(a), dtype, weak)

