"""The Array API standard on jnp: isdtype, from_dlpack and __array_namespace_info__.

(The dtype names, including ml_dtypes' narrow types such as jnp.int4 and jnp.float8_e4m3fn,
are the scalar types of creation.py; their promotion rules are in dtypes.py.)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..array import CPU_DEVICE, Array, check_placement, wrap
from ..core import Tracer
from .creation import bool_

bool = bool_  # noqa: A001  (the Array API's name for jnp.bool_; nothing below uses the builtin)

_KINDS = ("bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric")
_KIND_LETTERS = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
                 "real floating": "f", "complex floating": "c", "numeric": "iufc"}


def _as_dtype(x: Any, where: str) -> np.dtype:
    d = getattr(x, "dtype", x)  # jnp scalar types, arrays and tracers carry a dtype
    try:
        return np.dtype(d)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: cannot interpret {x!r} as a data type") from None


def _matches(d: np.dtype, kind: Any) -> bool:
    if isinstance(kind, str):
        if kind not in _KIND_LETTERS:
            raise ValueError(f"jnp.isdtype: unrecognized kind={kind!r}; expected one of {list(_KINDS)}, "
                             "a dtype, or a tuple of these")
        return dtypes.kind(d) in _KIND_LETTERS[kind]
    if isinstance(kind, (np.dtype, type)) or hasattr(kind, "dtype"):
        return d == _as_dtype(kind, "jnp.isdtype")
    raise TypeError(f"jnp.isdtype: expected kind to be a dtype, string, or tuple; got kind={kind!r}")


def isdtype(dtype: Any, kind: Any) -> bool:
    """jnp.isdtype (Array API): whether `dtype` is of `kind`, a kind name ('bool', 'signed integer',
    'unsigned integer', 'integral', 'real floating', 'complex floating', 'numeric'), a dtype, or a
    tuple of these. bfloat16 and the 4/6/8-bit floats are real floating; int4 & co. integral."""
    d = _as_dtype(dtype, "jnp.isdtype")
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return any(_matches(d, k) for k in kinds)


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Array:
    """jnp.from_dlpack: an Array from any object with __dlpack__ (NumPy arrays, torch CPU tensors).

    Zero-copy (np.from_dlpack; the Array is a read-only view of the producer's memory, so
    later writes by the producer show through) unless copy=True, or the dtype must change
    (float64 becomes float32 with x64 off, as in JAX). copy=False refuses to copy.
    """
    if isinstance(x, (Array, Tracer)):
        return x
    if not (hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__")):
        raise TypeError("jnp.from_dlpack: the array passed to from_dlpack must have __dlpack__ and "
                        f"__dlpack_device__ methods; got {type(x).__name__}")
    if device is not None and device != "cpu" and getattr(device, "platform", None) != "cpu":
        raise ValueError(f"jnp.from_dlpack: device={device!r} is not available; nablax runs on the CPU (device=None)")
    value = np.from_dlpack(x, copy=copy) if copy is not None else np.from_dlpack(x)
    target = dtypes.canonicalize_dtype(value.dtype)
    if target != value.dtype:
        if copy is False:
            raise ValueError(f"jnp.from_dlpack: copy=False, but dtype {value.dtype} must become {target} "
                             "(64-bit types are disabled)")
        value = value.astype(target)
    else:
        value = value.view()
    value.flags.writeable = False
    return wrap(value, False)


__array_api_version__ = "2024.12"

_NAMES_OF_KIND = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
}
_NAMES_OF_KIND["integral"] = _NAMES_OF_KIND["unsigned integer"] + _NAMES_OF_KIND["signed integer"]
_NAMES_OF_KIND["numeric"] = _NAMES_OF_KIND["integral"] + _NAMES_OF_KIND["real floating"] + _NAMES_OF_KIND["complex floating"]


class ArrayNamespaceInfo:
    """What the Array API standard asks a namespace to report about itself (as JAX's)."""

    def capabilities(self) -> dict:
        return {"boolean indexing": False, "data-dependent shapes": False, "max dimensions": 64}

    def default_device(self) -> None:
        return None

    def devices(self) -> list:
        return [None, CPU_DEVICE]

    def dtypes(self, *, device=None, kind: str | tuple[str, ...] | None = None) -> dict:
        """The supported dtypes (64-bit ones only with x64), optionally of one or more kinds."""
        check_placement(device, "__array_namespace_info__().dtypes")
        kinds = ("bool", "numeric") if kind is None else (kind,) if isinstance(kind, str) else tuple(kind)
        names = [n for k in kinds for n in _NAMES_OF_KIND[k]]
        out = {n: np.dtype(n) for n in names}
        return {n: d for n, d in out.items() if dtypes.canonicalize_dtype(d) == d}

    def default_dtypes(self, *, device=None) -> dict:
        check_placement(device, "__array_namespace_info__().default_dtypes")
        return {"real floating": dtypes.default_float_dtype(), "complex floating": dtypes.default_complex_dtype(),
                "integral": dtypes.default_int_dtype(), "indexing": dtypes.default_int_dtype()}


def __array_namespace_info__() -> ArrayNamespaceInfo:  # noqa: N807  (the standard's name)
    """The Array API inspection object of nablax.numpy."""
    return ArrayNamespaceInfo()


__all__ = ["bool", "isdtype", "from_dlpack", "__array_api_version__", "__array_namespace_info__"]

METHODS: dict = {}
