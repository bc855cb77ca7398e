"""nablax.dtypes: dtype utilities, as jax.dtypes (float0, promotion, machine limits incl. bfloat16 and float8)."""
from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np

from nablax._src import dtypes as _dtypes
from nablax._src.dtypes import (
    bfloat16,
    canonicalize_dtype,
    extended,
    float0,
    issubdtype,
    prng_key,
    promote_types,
    result_type,
)
from nablax._src.errors import TypePromotionError

__all__ = ["TypePromotionError", "bfloat16", "canonicalize_dtype", "extended", "finfo", "float0", "iinfo",
           "issubdtype", "itemsize_bits", "prng_key", "promote_types", "result_type", "scalar_type_of"]


def _np_dtype(x: Any) -> np.dtype:
    """The NumPy dtype of a dtype specifier or of a value that has one (arrays, scalars)."""
    dt = getattr(x, "dtype", None)
    return dt if isinstance(dt, np.dtype) else np.dtype(x)


def finfo(dtype: Any) -> Any:
    """Machine limits of a floating dtype, NumPy's and ml_dtypes' (bfloat16, float8_*, ...) alike."""
    return ml_dtypes.finfo(_np_dtype(dtype))


def iinfo(int_type: Any) -> Any:
    """Machine limits of an integer dtype, including ml_dtypes' int4/uint4/int2."""
    return ml_dtypes.iinfo(_np_dtype(int_type))


def itemsize_bits(dtype: Any) -> int:
    """Bits per element: 8 for bool, 4 for int4 (sub-byte dtypes count their real width)."""
    d = _np_dtype(dtype)
    if d == float0:
        return 0
    if d.itemsize == 1 and d.kind in "iuV":  # ml_dtypes' int4, float8_*, ... (kind V) may be sub-byte
        try:
            return int(iinfo(d).bits)
        except ValueError:
            return int(finfo(d).bits)
    return d.itemsize * 8


def scalar_type_of(x: Any) -> type:
    """The Python scalar type (bool, int, float or complex) matching the dtype of `x`."""
    d = _dtypes._dtype_and_weak(x, "scalar_type_of")[0]
    if _dtypes.is_bool(d):
        return bool
    if _dtypes.is_integer(d):
        return int
    if _dtypes.is_complex(d):
        return complex
    if _dtypes.is_inexact(d):
        return float
    raise TypeError(f"scalar_type_of: dtype {d} has no Python scalar type")
