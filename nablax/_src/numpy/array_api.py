"""The Array API standard on jnp: dtype names (incl. ml_dtypes), isdtype, from_dlpack, __array_namespace_info__."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..array import CPU_DEVICE, check_placement

__all__: list = ["__array_api_version__", "__array_namespace_info__"]

METHODS: dict = {}  # (Array methods this area provides)

__array_api_version__ = "2024.12"

_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
}
_KINDS["integral"] = _KINDS["unsigned integer"] + _KINDS["signed integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]


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
        names = [n for k in kinds for n in _KINDS[k]]
        out = {n: np.dtype(n) for n in names}
        return {n: d for n, d in out.items() if dtypes.canonicalize_dtype(d) == d}

    def default_dtypes(self, *, device=None) -> dict:
        check_placement(device, "__array_namespace_info__().default_dtypes")
        return {"real floating": dtypes.default_float_dtype(), "complex floating": dtypes.default_complex_dtype(),
                "integral": dtypes.default_int_dtype(), "indexing": dtypes.default_int_dtype()}


def __array_namespace_info__() -> ArrayNamespaceInfo:  # noqa: N807  (the standard's name)
    """The Array API inspection object of nablax.numpy."""
    return ArrayNamespaceInfo()
