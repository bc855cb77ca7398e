"""Array creation (array, asarray, zeros, full, arange, linspace, eye, meshgrid, ...), the
scalar types (`jnp.float32`, ...) and the dtype utilities of the jnp namespace.

Concrete inputs are computed with NumPy and wrapped; only inputs that are tracers
(linspace's endpoints, full's fill value, the elements of jnp.array([...])) go through
lax, so the results stay differentiable, batchable and jittable.
"""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, check_placement, wrap
from ..core import Tracer
from ..primitives import elementwise as ew
from ..primitives import misc
from ..primitives import shape as lax_shape
from ..primitives.misc import convert_element_type

_SCALARS = (bool, int, float, complex)
_SCALAR_SAMPLE = {bool: False, int: 0, float: 0.0, complex: 0j}
_INT32 = np.iinfo(np.int32)

# ------------------------------------------------------------------------------- array


def _scan(obj, arrays: list, kinds: set) -> bool:
    """Walk a nested list/tuple: collect array leaves and Python scalar types; True on a tracer."""
    for x in obj:
        t = type(x)
        if t is float or t is int or t is bool or t is complex:
            kinds.add(t)
        elif t is list or t is tuple:
            if _scan(x, arrays, kinds):
                return True
        elif isinstance(x, Tracer):
            return True
        elif isinstance(x, (Array, np.ndarray, np.generic)):
            arrays.append(x)
        elif isinstance(x, _SCALARS):  # subclasses of Python scalars
            kinds.add(next(k for k in (bool, int, float, complex) if isinstance(x, k)))
    return False


def _not_array_like(fname: str, obj) -> TypeError:
    return TypeError(f"{fname}: cannot make an array from {type(obj).__name__} {obj!r}")


def _from_sequence(fname: str, obj, dtype):
    arrays: list = []
    kinds: set = set()
    if _scan(obj, arrays, kinds):
        return _stack_traced(fname, obj, dtype)
    try:
        value = np.asarray(obj)
    except (TypeError, ValueError) as e:  # e.g. a ragged list: a ValueError, as in JAX
        raise ValueError(f"{fname}: cannot make an array from this {type(obj).__name__}: {e}") from None
    if not dtypes.is_array_dtype(value.dtype):
        raise TypeError(f"{fname}: unsupported element type {value.dtype} (from a {type(obj).__name__}); "
                        "nested sequences must be rectangular and hold numbers")
    if dtype is None:
        if arrays:  # JAX promotion over the leaves (Python scalars are weak)
            dtype = dtypes.result_type(*arrays, *[_SCALAR_SAMPLE[k] for k in kinds])
        else:
            dtype = dtypes.canonicalize_dtype(value.dtype)
            if value.dtype == np.int64 and dtype == np.int32 and value.size:
                lo, hi = value.min(), value.max()
                if lo < _INT32.min or hi > _INT32.max:
                    raise OverflowError(f"{fname}: Python int {hi if hi > _INT32.max else lo} is too large "
                                        "for int32; enable 64-bit types or pass dtype=")
    elif not arrays and dtype.kind in "iu" and value.dtype.kind in "iuf":
        # Python numbers out of range of an integer dtype raise OverflowError (NumPy, JAX).
        return wrap(np.array(obj, dtype=dtype), False)
    return wrap(np.array(value, dtype=dtype, copy=True), False)


def _stack_traced(fname: str, obj, dtype):
    """jnp.array of a nested list holding tracers: convert the leaves, stack along new axes."""
    leaves: list = []

    def collect(o):
        if type(o) is list or type(o) is tuple:
            for x in o:
                collect(x)
        else:
            leaves.append(o)

    collect(obj)
    if dtype is None:
        dtype = dtypes.result_type(*leaves)

    def build(o):
        if type(o) is list or type(o) is tuple:
            if not o:
                return wrap(np.zeros((0,), dtype), False)
            parts = [build(x) for x in o]
            shapes = {tuple(p.shape) for p in parts}
            if len(shapes) != 1:
                raise ValueError(f"{fname}: the elements of a (nested) list must have equal shapes, got "
                                 f"{sorted(shapes)}")
            (inner,) = shapes
            parts = [lax_shape.reshape(p, (1,) + inner) for p in parts]
            return parts[0] if len(parts) == 1 else lax_shape.concatenate(parts, 0)
        return _convert_leaf(fname, o, dtype)

    return build(obj)


def _convert_leaf(fname: str, x, dtype):
    if isinstance(x, (Array, Tracer)):
        return convert_element_type(x, dtype)
    if isinstance(x, _SCALARS + (np.ndarray, np.generic)):
        return wrap(np.array(x, dtype=dtype), False)
    raise _not_array_like(fname, x)


def _array(obj, dtype, fname: str):
    """Shared body of array/asarray and the scalar types; `dtype` already canonical or None."""
    t = type(obj)
    if t is Array or isinstance(obj, Tracer):
        if dtype is None:
            return obj
        return convert_element_type(obj, dtype)
    if t is float or t is int or t is complex or t is bool:
        if dtype is None:
            d = dtypes.dtype_of(obj)
            return wrap(np.asarray(obj, d), t is not bool)
        return wrap(np.asarray(obj, dtype), False)
    if isinstance(obj, (np.ndarray, np.generic)):
        if not dtypes.is_array_dtype(obj.dtype):
            raise TypeError(f"{fname}: unsupported NumPy dtype {obj.dtype}")
        d = dtypes.canonicalize_dtype(obj.dtype) if dtype is None else dtype
        return wrap(np.array(obj, dtype=d, copy=True), False)
    if t is list or t is tuple:
        return _from_sequence(fname, obj, dtype)
    if obj is None:
        raise ValueError(f"{fname}: None is not a valid value for an array")
    if isinstance(obj, str) or isinstance(obj, (dict, set)):
        raise _not_array_like(fname, obj)
    if isinstance(obj, _SCALARS):
        return _array(next(k for k in (bool, int, float, complex) if isinstance(obj, k))(obj), dtype, fname)
    jax_array = getattr(obj, "__jax_array__", None)
    if jax_array is not None:
        return _array(jax_array(), dtype, fname)
    try:
        value = np.asarray(obj)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{fname}: cannot make an array from {type(obj).__name__}: {e}") from None
    if not dtypes.is_array_dtype(value.dtype):
        raise _not_array_like(fname, obj)
    return _array(value, dtype, fname)


def array(object: Any, dtype: Any = None, copy: bool = True, order: str | None = None,  # noqa: A002
          ndmin: int = 0, *, device: Any = None) -> Array:
    """jnp.array: an Array from an array, scalar or (nested) list of them (tracers allowed).

    As in JAX, a Python scalar (or weakly typed array) without `dtype` gives a weakly
    typed result; the default dtypes are 32-bit unless x64 is enabled. `copy` has no
    visible effect (arrays are immutable); `order` must be 'K' (or None).
    """
    if device is not None:
        check_placement(device, "jnp.array")
    if order is not None:
        _check_order("jnp.array", order)
    if dtype is not None:
        dtype = dtypes.check_user_dtype(dtype, "jnp.array")
    out = _array(object, dtype, "jnp.array")
    if ndmin and out.ndim < ndmin:
        out = lax_shape.reshape(out, (1,) * (ndmin - out.ndim) + tuple(out.shape))
    return out


def asarray(a: Any, dtype: Any = None, order: str | None = None, *, copy: bool | None = None,
            device: Any = None) -> Array:
    """jnp.asarray: like jnp.array; an Array or tracer already of that dtype is returned as is."""
    if device is not None:
        check_placement(device, "jnp.asarray")
    if order is not None:
        _check_order("jnp.asarray", order)
    if dtype is None:
        if type(a) is Array or isinstance(a, Tracer):
            return a
        return _array(a, None, "jnp.asarray")
    return _array(a, dtypes.check_user_dtype(dtype, "jnp.asarray"), "jnp.asarray")


def copy(a: Any, order: str | None = None) -> Array:
    """jnp.copy: arrays are immutable, so this is jnp.array(a)."""
    _check_order("jnp.copy", order)
    return array(a)


def _check_order(fname: str, order) -> None:
    """Arrays have no memory layout to choose: only order 'K' (keep), or None, as in JAX."""
    if order is not None and order != "K":
        raise NotImplementedError(f"{fname}: order={order!r} is not supported; only order='K'")


# ------------------------------------------------------------------- filled arrays

def _shape_arg(fname: str, shape) -> tuple:
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, (Array, Tracer)) and shape.ndim == 0):
        shape = (shape,)
    try:
        out = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"jnp.{fname}: shape must be an int or a sequence of ints, got {shape!r}") from None
    for d in out:
        if d < 0:  # a TypeError, as in JAX (NumPy raises ValueError)
            raise TypeError(f"jnp.{fname}: negative dimensions are not allowed, got shape {out}")
    return out


def _default_float(fname: str, dtype) -> np.dtype:
    return dtypes.default_float_dtype() if dtype is None else dtypes.check_user_dtype(dtype, f"jnp.{fname}")


def _fill(fname: str, shape: tuple, fill_value, dtype: np.dtype, weak: bool):
    if isinstance(fill_value, Tracer):
        v = convert_element_type(fill_value, dtype, weak)
        nd = v.ndim
        if nd > len(shape):
            raise ValueError(f"jnp.{fname}: fill value of shape {v.shape} does not broadcast to {shape}")
        return lax_shape.broadcast_in_dim(v, shape, tuple(range(len(shape) - nd, len(shape))))
    value = np.asarray(fill_value)
    if value.dtype.kind == "c" and dtype.kind != "c":
        value = value.real
    try:
        return wrap(np.full(shape, value, dtype), weak)
    except ValueError:
        raise ValueError(f"jnp.{fname}: fill value of shape {value.shape} does not broadcast to {shape}") from None


def _fill_dtype(fname: str, fill_value, dtype) -> tuple:
    if isinstance(fill_value, (list, tuple)):
        fill_value = array(fill_value)
    if dtype is not None:
        return fill_value, dtypes.check_user_dtype(dtype, f"jnp.{fname}"), False
    return fill_value, dtypes.dtype_of(fill_value), dtypes.is_weakly_typed(fill_value)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.full: `shape` filled with `fill_value` (weakly typed for a Python scalar, as in JAX)."""
    if device is not None:
        check_placement(device, "jnp.full")
    shape = _shape_arg("full", shape)
    fill_value, dtype, weak = _fill_dtype("full", fill_value, dtype)
    return _fill("full", shape, fill_value, dtype, weak)


def zeros(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.zeros (default dtype float32, or float64 with x64)."""
    if device is not None:
        check_placement(device, "jnp.zeros")
    return wrap(np.zeros(_shape_arg("zeros", shape), _default_float("zeros", dtype)), False)


def ones(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.ones (default dtype float32, or float64 with x64)."""
    if device is not None:
        check_placement(device, "jnp.ones")
    return wrap(np.ones(_shape_arg("ones", shape), _default_float("ones", dtype)), False)


def empty(shape: Any, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.empty: arrays are immutable, so this is jnp.zeros."""
    if device is not None:
        check_placement(device, "jnp.empty")
    return wrap(np.zeros(_shape_arg("empty", shape), _default_float("empty", dtype)), False)


def _like_info(fname: str, a, dtype, shape) -> tuple:
    if isinstance(a, (Array, Tracer)):
        a_dtype, a_shape, a_weak = a.dtype, tuple(a.shape), a.weak_type
    else:
        if isinstance(a, (str, type(None))):
            raise _not_array_like(f"jnp.{fname}", a)
        a_weak = isinstance(a, (int, float, complex)) and not isinstance(a, (bool, np.generic))
        v = np.asarray(a)
        if not dtypes.is_array_dtype(v.dtype):
            raise _not_array_like(f"jnp.{fname}", a)
        a_dtype, a_shape = dtypes.canonicalize_dtype(v.dtype), v.shape
    out_dtype = a_dtype if dtype is None else dtypes.check_user_dtype(dtype, f"jnp.{fname}")
    out_shape = a_shape if shape is None else _shape_arg(fname, shape)
    return out_dtype, out_shape, dtype is None and a_weak


def zeros_like(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Array:
    """jnp.zeros_like: zeros of a's shape and dtype (a may be a tracer; the result is constant)."""
    if device is not None:
        check_placement(device, "jnp.zeros_like")
    dtype, shape, weak = _like_info("zeros_like", a, dtype, shape)
    return wrap(np.zeros(shape, dtype), weak)


def ones_like(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Array:
    """jnp.ones_like: ones of a's shape and dtype."""
    if device is not None:
        check_placement(device, "jnp.ones_like")
    dtype, shape, weak = _like_info("ones_like", a, dtype, shape)
    return wrap(np.ones(shape, dtype), weak)


def empty_like(a: Any, dtype: Any = None, shape: Any = None, *, device: Any = None) -> Array:
    """jnp.empty_like: arrays are immutable, so this is jnp.zeros_like."""
    if device is not None:
        check_placement(device, "jnp.empty_like")
    dtype, shape, weak = _like_info("empty_like", a, dtype, shape)
    return wrap(np.zeros(shape, dtype), weak)


def full_like(a: Any, fill_value: Any, dtype: Any = None, shape: Any = None, *,
              device: Any = None) -> Array:
    """jnp.full_like: `fill_value` in a's shape and dtype (a traced fill value stays traced)."""
    if device is not None:
        check_placement(device, "jnp.full_like")
    dtype, shape, weak = _like_info("full_like", a, dtype, shape)
    if isinstance(fill_value, (list, tuple)):
        fill_value = array(fill_value)
    return _fill("full_like", shape, fill_value, dtype, weak)


# --------------------------------------------------------------------------- ranges

def _concrete(fname: str, x, what: str):
    """A concrete NumPy scalar/array for a static argument; tracers raise ConcretizationTypeError."""
    if isinstance(x, (Array, Tracer)):
        return np.asarray(x._concrete(f"the {what} argument of jnp.{fname}"))
    return x


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.arange: int32 for integer arguments, float32 for floats (64-bit with x64)."""
    if device is not None:
        check_placement(device, "jnp.arange")
    given = [v for v in (start, stop, step) if v is not None]
    for v in given:
        if isinstance(v, (Array, Tracer, np.ndarray)) and v.ndim != 0:
            raise TypeError(f"jnp.arange: arguments must be scalars, got an array of shape {v.shape}")
    if dtype is None:
        dtype = dtypes.result_type(*given)
    else:
        dtype = dtypes.check_user_dtype(dtype, "jnp.arange")
        if dtype == np.bool_:
            raise TypeError("jnp.arange: dtype bool is not supported; it needs a numeric dtype")
    vals = [_concrete("arange", v, name) for v, name in ((start, "start"), (stop, "stop"), (step, "step"))]
    if vals[1] is None and vals[2] is None:
        out = np.arange(vals[0], dtype=dtype)
    else:
        out = np.arange(vals[0], vals[1], 1 if vals[2] is None else vals[2], dtype=dtype)
    return wrap(out, False)


def _num_arg(fname: str, num) -> int:
    n = operator.index(_concrete(fname, num, "num"))
    if n < 0:
        raise ValueError(f"jnp.{fname}: num must be non-negative, got {n}")
    return n


def _space_dtypes(fname: str, start, stop, dtype) -> tuple:
    """(computation dtype, output dtype) of linspace & co: inexact, complex if either is."""
    comp = dtypes.result_type(start, stop, 1.0)
    out = comp if dtype is None else dtypes.check_user_dtype(dtype, f"jnp.{fname}")
    if out.kind == "c" and comp.kind != "c":
        comp = out
    return comp, out


def _arraylike(x):
    return array(x) if isinstance(x, (list, tuple)) else x


def _cast_out(x, out_dtype: np.dtype, floor: bool):
    """Cast traced samples to the output dtype; integer outputs round toward -inf like NumPy."""
    if out_dtype.kind in "fc" or out_dtype.kind == "b":
        return convert_element_type(x, out_dtype)
    t = convert_element_type(x, out_dtype)
    if not floor:
        return t
    back = convert_element_type(t, x.dtype)
    return ew.sub(t, convert_element_type(ew.gt(back, x), out_dtype))


def _bcast_pair(a, b):
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))

    def to(x):
        if tuple(x.shape) == shape:
            return x
        nd = x.ndim
        return lax_shape.broadcast_in_dim(x, shape, tuple(range(len(shape) - nd, len(shape))))

    return to(a), to(b), shape


def _traced_linspace(start, stop, num: int, endpoint: bool, axis: int, comp: np.dtype):
    start, stop, shape = _bcast_pair(_array(start, comp, "jnp.linspace"), _array(stop, comp, "jnp.linspace"))
    nd = len(shape) + 1
    if not -nd <= axis < nd:
        raise ValueError(f"jnp.linspace: axis {axis} is out of bounds for a result of rank {nd}")
    axis %= nd
    out_shape = shape[:axis] + (num,) + shape[axis:]
    others = tuple(i for i in range(nd) if i != axis)
    s = lax_shape.broadcast_in_dim(start, out_shape, others)
    e = lax_shape.broadcast_in_dim(stop, out_shape, others)
    div = num - 1 if endpoint else num
    delta = ew.sub(stop, start)
    if div > 0:
        step = ew.div(delta, wrap(np.asarray(div, comp), False))
    else:
        step = ew.mul(delta, wrap(np.asarray(np.nan, comp), False))
    if num == 0:
        return wrap(np.zeros(out_shape, comp), False), step
    ramp = misc.broadcasted_iota(comp, out_shape, axis)
    out = ew.add(s, ew.mul(ramp, lax_shape.broadcast_in_dim(step, out_shape, others))) if div > 0 else s
    if endpoint and num > 1:
        last = ew.eq(ramp, wrap(np.asarray(num - 1, comp), False))
        out = ew.select(last, e, out)
    return out, step


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, *, device: Any = None):
    """jnp.linspace: `num` evenly spaced samples; differentiable in traced start/stop."""
    if device is not None:
        check_placement(device, "jnp.linspace")
    num = _num_arg("linspace", num)
    start, stop = _arraylike(start), _arraylike(stop)
    comp, out_dtype = _space_dtypes("linspace", start, stop, dtype)
    if isinstance(start, Tracer) or isinstance(stop, Tracer):
        out, step = _traced_linspace(start, stop, num, endpoint, operator.index(axis), comp)
        out = _cast_out(out, out_dtype, floor=True)
    else:
        wide = np.complex128 if comp.kind == "c" else np.float64
        vals, step = np.linspace(np.asarray(start, wide), np.asarray(stop, wide), num, endpoint=endpoint,
                                 retstep=True, axis=axis)
        if out_dtype.kind in "iu":
            vals = np.floor(vals)
        out = wrap(np.asarray(vals).astype(out_dtype), False)
        step = wrap(np.asarray(step).astype(comp), False)
    return (out, step) if retstep else out


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0) -> Array:
    """jnp.logspace: base ** linspace(start, stop)."""
    num = _num_arg("logspace", num)
    start, stop = _arraylike(start), _arraylike(stop)
    comp, out_dtype = _space_dtypes("logspace", start, stop, dtype)
    if isinstance(start, Tracer) or isinstance(stop, Tracer) or isinstance(base, Tracer):
        lin = linspace(start, stop, num, endpoint, dtype=comp, axis=axis)
        b = _array(base, comp, "jnp.logspace")
        if b.ndim:
            ax = axis % lin.ndim
            b = lax_shape.reshape(b, tuple(b.shape[:ax]) + (1,) + tuple(b.shape[ax:]))
        out = ew.exp(ew.mul(lin, ew.log(b)) if b.ndim == 0 else _mul_bcast(lin, ew.log(b)))
        return _cast_out(out, out_dtype, floor=False)
    wide = np.complex128 if comp.kind == "c" else np.float64
    vals = np.logspace(np.asarray(start, wide), np.asarray(stop, wide), num, endpoint=endpoint,
                       base=np.asarray(base, wide), axis=axis)
    return wrap(_through(vals, comp, out_dtype), False)


def _through(vals, comp: np.dtype, out_dtype: np.dtype):
    """Float64 samples as `out_dtype`, rounded to `comp` first as JAX computes them
    (so 7.999999999999998 becomes the integer 8, not 7)."""
    vals = np.asarray(vals)
    return (vals.astype(comp) if out_dtype.kind in "biu" else vals).astype(out_dtype)


def _mul_bcast(a, b):
    a, b, _ = _bcast_pair(a, b)
    return ew.mul(a, b)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Array:
    """jnp.geomspace: samples evenly spaced on a log scale (real endpoints of one sign)."""
    num = _num_arg("geomspace", num)
    start, stop = _arraylike(start), _arraylike(stop)
    comp, out_dtype = _space_dtypes("geomspace", start, stop, dtype)
    if isinstance(start, Tracer) or isinstance(stop, Tracer):
        if comp.kind == "c":
            raise TypeError("jnp.geomspace: traced complex endpoints are not supported")
        s, e, _ = _bcast_pair(_array(start, comp, "jnp.geomspace"), _array(stop, comp, "jnp.geomspace"))
        neg = ew.lt(s, wrap(np.asarray(0, comp), False))
        sign = ew.select(neg, wrap(np.full(s.shape, -1, comp), False), wrap(np.ones(s.shape, comp), False))
        lin = linspace(ew.log(ew.mul(s, sign)), ew.log(ew.mul(e, sign)), num, endpoint, dtype=comp, axis=axis)
        ax = axis % lin.ndim
        sign = lax_shape.reshape(sign, tuple(sign.shape[:ax]) + (1,) + tuple(sign.shape[ax:]))
        return _cast_out(_mul_bcast(ew.exp(lin), sign), out_dtype, floor=False)
    wide = np.complex128 if comp.kind == "c" else np.float64
    vals = np.geomspace(np.asarray(start, wide), np.asarray(stop, wide), num, endpoint=endpoint, axis=axis)
    return wrap(_through(vals, comp, out_dtype), False)


# ------------------------------------------------------------------ matrices, grids

def _dim(fname: str, n, what: str) -> int:
    try:
        n = operator.index(_concrete(fname, n, what))
    except TypeError:
        raise TypeError(f"jnp.{fname}: {what} must be an integer, got {n!r}") from None
    if n < 0:
        raise ValueError(f"jnp.{fname}: negative dimensions are not allowed, got {what}={n}")
    return n


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None, *, device: Any = None) -> Array:
    """jnp.eye: ones on the k-th diagonal of an N x M matrix."""
    if device is not None:
        check_placement(device, "jnp.eye")
    n = _dim("eye", N, "N")
    m = n if M is None else _dim("eye", M, "M")
    k = operator.index(_concrete("eye", k, "k"))
    return wrap(np.eye(n, m, k, dtype=_default_float("eye", dtype)), False)


def identity(n: int, dtype: Any = None) -> Array:
    """jnp.identity: the n x n identity matrix."""
    n = _dim("identity", n, "n")
    return wrap(np.eye(n, dtype=_default_float("identity", dtype)), False)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Array:
    """jnp.tri: ones at and below the k-th diagonal of an N x M matrix."""
    n = _dim("tri", N, "N")
    m = n if M is None else _dim("tri", M, "M")
    k = operator.index(_concrete("tri", k, "k"))
    return wrap(np.tri(n, m, k, dtype=_default_float("tri", dtype)), False)


def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> list:
    """jnp.meshgrid of 1-D arrays ('xy' Cartesian or 'ij' matrix indexing; sparse keeps unit axes)."""
    if not copy:  # (a ValueError, as in JAX)
        raise ValueError("jnp.meshgrid: only copy=True is supported")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"jnp.meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    arrays = [asarray(x) for x in xi]
    for i, a in enumerate(arrays):
        if a.ndim != 1:
            raise ValueError(f"jnp.meshgrid: arguments must be 1-D, argument {i} has shape {a.shape}")
    n = len(arrays)
    axes = list(range(n))
    if indexing == "xy" and n >= 2:
        axes[0], axes[1] = 1, 0
    full_shape = [0] * n
    for a, ax in zip(arrays, axes):
        full_shape[ax] = a.shape[0]
    out = []
    for a, ax in zip(arrays, axes):
        if sparse:
            s = [1] * n
            s[ax] = a.shape[0]
            out.append(lax_shape.reshape(a, tuple(s)))
        else:
            out.append(lax_shape.broadcast_in_dim(a, tuple(full_shape), (ax,)))
    return out


# ------------------------------------------------------------------------ constants

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
euler_gamma = 0.5772156649015329
newaxis = None

# ----------------------------------------------------------------------- scalar types


class _ScalarMeta(type):
    """Metaclass of jnp.float32 & co: usable as a dtype, and callable to make a 0-d (or any) Array."""

    dtype: np.dtype

    def __call__(cls, x: Any = 0) -> Array:
        return _array(x, dtypes.check_user_dtype(cls.dtype, f"jnp.{cls.__name__}"), f"jnp.{cls.__name__}")

    def __eq__(cls, other) -> bool:
        # As in JAX: equal to the NumPy scalar type and to np.dtype, from either side.
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other) -> bool:
        return not cls == other

    def __hash__(cls) -> int:
        return hash(cls.dtype.type)

    def __instancecheck__(cls, inst) -> bool:
        return isinstance(inst, cls.dtype.type)

    def __repr__(cls) -> str:
        return f"<class 'nablax.numpy.{cls.__name__}'>"


def _scalar_type(name: str, dtype) -> type:
    return _ScalarMeta(name, (), {"dtype": np.dtype(dtype), "__doc__": f"jnp.{name}: the {dtype} scalar type."})


bool_ = _scalar_type("bool_", np.bool_)
int8 = _scalar_type("int8", np.int8)
int16 = _scalar_type("int16", np.int16)
int32 = _scalar_type("int32", np.int32)
int64 = _scalar_type("int64", np.int64)
uint8 = _scalar_type("uint8", np.uint8)
uint16 = _scalar_type("uint16", np.uint16)
uint32 = _scalar_type("uint32", np.uint32)
uint64 = _scalar_type("uint64", np.uint64)
float16 = _scalar_type("float16", np.float16)
float32 = _scalar_type("float32", np.float32)
float64 = _scalar_type("float64", np.float64)
complex64 = _scalar_type("complex64", np.complex64)
complex128 = _scalar_type("complex128", np.complex128)
int_ = int64
uint = uint64
half, single, double = float16, float32, float64
csingle, cdouble = complex64, complex128
_SCALAR_TYPE_NAMES = ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                      "float16", "float32", "float64", "complex64", "complex128", "int_", "uint",
                      "half", "single", "double", "csingle", "cdouble"]
complex_, float_ = complex128, float64  # (jnp.bool, which would shadow the builtin here, is in array_api.py)
_SCALAR_TYPE_NAMES += ["complex_", "float_"]
if dtypes.bfloat16 is not None:
    bfloat16 = _scalar_type("bfloat16", dtypes.bfloat16)
    _SCALAR_TYPE_NAMES.append("bfloat16")
# ml_dtypes' narrow integers and floats (int4, float8_e4m3fn, ...): promote only with themselves,
# bool and Python scalars (see dtypes.NARROW_DTYPES).
globals().update({_name: _scalar_type(_name, _dt) for _name, _dt in dtypes.NARROW_DTYPES.items()})
_SCALAR_TYPE_NAMES += list(dtypes.NARROW_DTYPES)
# NumPy's own types that jnp re-exports (no Array can hold objects or strings).
object_, character, flexible = np.object_, np.character, np.flexible
_SCALAR_TYPE_NAMES += ["object_", "character", "flexible"]

# Abstract scalar categories, for issubdtype (NumPy's own).
generic = np.generic
number = np.number
inexact = np.inexact
floating = np.floating
complexfloating = np.complexfloating
integer = np.integer
signedinteger = np.signedinteger
unsignedinteger = np.unsignedinteger

dtype = np.dtype


class _ArrayMeta(type):
    def __instancecheck__(cls, inst) -> bool:
        return isinstance(inst, (Array, Tracer))


class ndarray(metaclass=_ArrayMeta):
    """jnp.ndarray: `isinstance(x, jnp.ndarray)` is True for Arrays and for traced values."""


def _unwrap(x):
    """Scalar types to their NumPy dtype; arrays and tracers to their dtype; others unchanged."""
    if isinstance(x, _ScalarMeta):
        return x.dtype
    if isinstance(x, (Array, Tracer)):
        return x.dtype
    return x


def promote_types(a: Any, b: Any) -> np.dtype:
    """jnp.promote_types: JAX's promotion of two dtypes (canonicalized for the x64 setting)."""
    return dtypes.promote_types(_unwrap(a), _unwrap(b))


def result_type(*args: Any) -> np.dtype:
    """jnp.result_type: JAX's promotion over values and dtypes (Python scalars are weak)."""
    return dtypes.result_type(*[a if isinstance(a, (Array, Tracer)) else _unwrap(a) for a in args])


def can_cast(from_: Any, to: Any, casting: str = "safe") -> bool:
    """jnp.can_cast: NumPy's casting rule between the two dtypes."""
    src = _unwrap(from_)
    if isinstance(src, (np.ndarray, np.generic)):
        src = src.dtype
    return bool(np.can_cast(src, _unwrap(to), casting=casting))


def issubdtype(arg1: Any, arg2: Any) -> bool:
    """jnp.issubdtype (the jnp scalar types count as their NumPy types)."""
    a, b = _unwrap(arg1), _unwrap(arg2)
    if isinstance(b, np.dtype):
        b = b.type
    return dtypes.issubdtype(a, b)


def finfo(dtype: Any):
    """jnp.finfo: machine limits of a floating dtype."""
    return dtypes.finfo(_unwrap(dtype))


def iinfo(dtype: Any) -> np.iinfo:
    """jnp.iinfo: machine limits of an integer dtype."""
    return dtypes.iinfo(_unwrap(dtype))


def isscalar(element: Any) -> bool:
    """jnp.isscalar: Python and NumPy numeric scalars, and 0-d arrays (traced or not)."""
    if isinstance(element, _SCALARS) or (isinstance(element, np.generic) and element.dtype.kind in "biufc"):
        return True
    if isinstance(element, (Array, Tracer, np.ndarray)):
        return element.ndim == 0
    return False


__all__ = [
    "array", "asarray", "copy", "full", "zeros", "ones", "empty", "zeros_like", "ones_like", "empty_like",
    "full_like", "arange", "linspace", "logspace", "geomspace", "eye", "identity", "tri", "meshgrid",
    "pi", "e", "inf", "nan", "euler_gamma", "newaxis",
    *_SCALAR_TYPE_NAMES,
    "generic", "number", "inexact", "floating", "complexfloating", "integer", "signedinteger",
    "unsignedinteger", "dtype", "ndarray", "promote_types", "result_type", "can_cast", "issubdtype",
    "finfo", "iinfo", "isscalar",
]
METHODS: dict = {}
