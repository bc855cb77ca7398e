"""convert_element_type, stop_gradient, iota and other small primitives."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..array import to_concrete_array, wrap
from ..avals import ShapedArray, Zero
from ..tree import tree_map
from ._define import aval_of, define_primitive
from .rewrites import first_operand, when_same_type

# ------------------------------------------------------------------- convert_element_type


def _convert_impl(xp, x, *, new_dtype, weak_type):
    src = np.result_type(x)
    if src.kind == "c" and new_dtype.kind != "c":
        x = xp.real(x)
    if new_dtype.kind in "iu" and dtypes.is_float(src):
        return _float_to_int(np.asarray(x), new_dtype)
    return xp.asarray(x).astype(new_dtype) if np.ndim(x) else np.asarray(x).astype(new_dtype)[()]


def _float_to_int(x: np.ndarray, dtype: np.dtype):
    """Float to integer as XLA converts (and so JAX): toward zero, saturating at the
    integer range, NaN to 0 (NumPy leaves these undefined)."""
    info = np.iinfo(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        out = x.astype(dtype)
        hi, lo, nan = x >= info.max, x <= info.min, x != x
    if hi.any() or lo.any() or nan.any():
        out = np.where(nan, 0, np.where(hi, info.max, np.where(lo, info.min, out))).astype(dtype)
    return out if out.ndim else out[()]


def _convert_abstract(x: ShapedArray, *, new_dtype, weak_type) -> ShapedArray:
    return ShapedArray(x.shape, new_dtype, weak_type)


def _convert_eager(x, *, new_dtype, weak_type):
    try:
        v = x._value
    except AttributeError:
        v = to_concrete_array(x)._value
    return wrap(_convert_impl(np, v, new_dtype=new_dtype, weak_type=weak_type), weak_type)


def _convert_jvp(primals, tangents, *, new_dtype, weak_type):
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    out_aval = aval_of(out)
    if type(t) is Zero or not dtypes.is_inexact(new_dtype) or not dtypes.is_inexact(aval_of(x).dtype):
        return out, Zero(out_aval.to_tangent_aval())
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, x, *, new_dtype, weak_type):
    if type(ct) is Zero:
        return [None]
    aval = x.aval
    return [convert_element_type_p.bind(ct, new_dtype=aval.dtype, weak_type=aval.weak_type)]


def _convert_emit(args, params, src, avals):
    if avals[0].dtype.kind == "c" and params["new_dtype"].kind != "c":
        return None
    if params["new_dtype"].kind in "iu" and dtypes.is_float(avals[0].dtype):
        return None  # (saturating, NaN-to-0 conversion: the impl)
    return f"{args[0]}.astype({src(params['new_dtype'])})"


def _convert_jet(primals, series, *, new_dtype, weak_type):
    (x,), (s,) = primals, series
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if not (dtypes.is_inexact(new_dtype) and dtypes.is_inexact(aval_of(x).dtype)):
        return out, None
    return out, [convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type) for t in s]


convert_element_type_p = define_primitive(
    "convert_element_type",
    emit=_convert_emit,
    impl=_convert_impl,
    abstract_eval=_convert_abstract,
    eager=_convert_eager,
    jvp=_convert_jvp,
    batch=lambda args, dims, **p: (convert_element_type_p.bind(args[0], **p), dims[0]),
    linear=True,
    transpose=_convert_transpose,
    simplify=when_same_type,
    jet=_convert_jet,
)
convert_element_type_p.elementwise = True


def convert_element_type(x, new_dtype, weak_type: bool = False):
    """lax.convert_element_type: cast to `new_dtype` (canonicalized for the x64 setting)."""
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    aval = aval_of(x)
    if aval.dtype == new_dtype and aval.weak_type == weak_type and not isinstance(x, (bool, int, float, complex)):
        return x if not isinstance(x, (np.ndarray, np.generic)) else to_concrete_array(x)  # an Array, as in JAX
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


# ------------------------------------------------------------------------- stop_gradient

def _stop_gradient_jvp(primals, tangents):
    out = stop_gradient_p.bind(primals[0])
    return out, Zero(aval_of(out).to_tangent_aval())


stop_gradient_p = define_primitive(
    "stop_gradient",
    impl=lambda xp, x: x,
    abstract_eval=lambda x: x,
    jvp=_stop_gradient_jvp,
    batch=lambda args, dims: (stop_gradient_p.bind(args[0]), dims[0]),
    emit="{0}",
    simplify=first_operand,  # (compiled code computes no derivatives)
    sparsity="zero",
)


def stop_gradient(x):
    """lax.stop_gradient: the identity whose derivative is zero (applies to every pytree leaf).
    Integer and boolean leaves have no derivative and come back unchanged (as JAX)."""
    return tree_map(lambda v: stop_gradient_p.bind(v) if dtypes.is_inexact(aval_of(v).dtype) else v, x)


# ---------------------------------------------------------------------------------- iota

def _iota_impl(xp, *, dtype, shape, dimension):
    ramp = xp.arange(shape[dimension], dtype=dtype)
    if len(shape) == 1:
        return ramp
    expanded = [1] * len(shape)
    expanded[dimension] = shape[dimension]
    return xp.broadcast_to(xp.reshape(ramp, expanded), shape)


def _iota_abstract(*, dtype, shape, dimension) -> ShapedArray:
    if not 0 <= dimension < len(shape):
        raise ValueError(f"lax.iota: dimension {dimension} is out of bounds for shape {shape}")
    if any(d < 0 for d in shape):
        raise ValueError(f"lax.iota: negative dimensions are not allowed, got shape {shape}")
    if dtype.kind not in "iufc":
        raise TypeError(f"lax.iota: dtype must be numeric, got {dtype.name}")
    return ShapedArray(shape, dtype, False)


def _iota_batch(args, dims, **params):
    raise AssertionError("iota has no operands, so vmap never batches it")


iota_p = define_primitive(
    "iota",
    impl=_iota_impl,
    abstract_eval=_iota_abstract,
    batch=_iota_batch,
    differentiable=False,
)


def broadcasted_iota(dtype, shape, dimension: int):
    """lax.broadcasted_iota: 0, 1, 2, ... along `dimension`, constant along the other axes."""
    shape = tuple(int(d) for d in shape)
    dimension = int(dimension)
    if -len(shape) <= dimension < 0:
        dimension += len(shape)
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(dtype), shape=shape, dimension=dimension)


def iota(dtype, size: int):
    """lax.iota: the vector [0, 1, ..., size - 1] of `dtype`."""
    return broadcasted_iota(dtype, (int(size),), 0)


__all__ = [
    "convert_element_type", "stop_gradient", "iota", "broadcasted_iota",
]
