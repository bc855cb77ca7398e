"""Array creation: array, asarray, zeros, ones, full, ..."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..core import Tracer
from ..primitives.misc import convert_element_type
from ..tree import tree_leaves

_SCALARS = (bool, int, float, complex)


def _contains_tracer(obj) -> bool:
    return isinstance(obj, (list, tuple)) and any(isinstance(x, Tracer) for x in tree_leaves(obj))


def array(object: Any, dtype: Any = None, copy: bool = True, order: str | None = None, ndmin: int = 0) -> Array:  # noqa: A002
    """jnp.array: a new Array from an array, scalar, or (nested) list of them."""
    if dtype is not None:
        dtype = dtypes.check_user_dtype(dtype, "jnp.array")
    if isinstance(object, (Array, Tracer)):
        out = object if dtype is None else convert_element_type(object, dtype)
        if isinstance(out, Array) and out._weak:
            out = wrap(out._value, False)
    elif _contains_tracer(object):
        from .shape import stack  # noqa: PLC0415  (lists of traced values: rare, not a hot path)

        out = stack([array(x) for x in object])
        if dtype is not None:
            out = convert_element_type(out, dtype)
    else:
        if isinstance(object, str) or object is None:
            raise TypeError(f"jnp.array: cannot make an array from {type(object).__name__} {object!r}")
        try:
            value = np.asarray(object)
        except (TypeError, ValueError) as e:
            raise TypeError(f"jnp.array: cannot make an array from {type(object).__name__}: {e}") from None
        if value.dtype.kind not in "biufc":
            raise TypeError(f"jnp.array: unsupported element type {value.dtype} (from {type(object).__name__})")
        target = dtype if dtype is not None else dtypes.canonicalize_dtype(value.dtype)
        out = wrap(np.array(value, dtype=target, copy=True), False)
    if ndmin and out.ndim < ndmin:
        from ..primitives.shape import reshape  # noqa: PLC0415

        out = reshape(out, (1,) * (ndmin - out.ndim) + tuple(out.shape))
    return out


def asarray(a: Any, dtype: Any = None, order: str | None = None, copy: bool | None = None) -> Array:
    """jnp.asarray: like jnp.array, but returns Arrays and tracers of the right dtype as they are."""
    if isinstance(a, (Array, Tracer)) and (dtype is None or np.dtype(dtype) == a.dtype):
        return a
    return array(a, dtype=dtype)


def _shape_arg(fname: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        out = tuple(int(operator_index(d)) for d in shape)
    except TypeError:
        raise TypeError(f"jnp.{fname}: shape must be an int or a sequence of ints, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"jnp.{fname}: negative dimensions are not allowed, got {out}")
    return out


def operator_index(d):
    import operator  # noqa: PLC0415

    return operator.index(d)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Array:
    """jnp.full: an array of `shape` filled with `fill_value`."""
    shape = _shape_arg("full", shape)
    if dtype is None:
        dtype = dtypes.dtype_of(fill_value) if not isinstance(fill_value, (Array, Tracer)) else fill_value.dtype
    else:
        dtype = dtypes.check_user_dtype(dtype, "jnp.full")
    if isinstance(fill_value, Tracer):
        from ..primitives.shape import broadcast_in_dim  # noqa: PLC0415

        v = convert_element_type(fill_value, dtype)
        return broadcast_in_dim(v, shape, tuple(range(len(shape) - v.ndim, len(shape))))
    return wrap(np.full(shape, np.asarray(fill_value), dtype), False)


def zeros(shape: Any, dtype: Any = None) -> Array:
    """jnp.zeros (default dtype float32, or float64 with x64)."""
    dtype = dtypes.default_float_dtype() if dtype is None else dtypes.check_user_dtype(dtype, "jnp.zeros")
    return wrap(np.zeros(_shape_arg("zeros", shape), dtype), False)


def ones(shape: Any, dtype: Any = None) -> Array:
    """jnp.ones (default dtype float32, or float64 with x64)."""
    dtype = dtypes.default_float_dtype() if dtype is None else dtypes.check_user_dtype(dtype, "jnp.ones")
    return wrap(np.ones(_shape_arg("ones", shape), dtype), False)

__all__ = ["array", "asarray", "full", "zeros", "ones"]
METHODS: dict = {}
