"""nablax.typing: as jax.typing — annotations for array-like values and dtype specifiers."""
from __future__ import annotations

from typing import Any, Protocol, Union, runtime_checkable

import numpy as np

from nablax._src.array import Array

__all__ = ["ArrayLike", "DTypeLike"]


@runtime_checkable
class SupportsDType(Protocol):
    """Anything with a `.dtype` (arrays, ShapeDtypeStruct)."""

    @property
    def dtype(self) -> np.dtype: ...


# Values nablax functions accept as arrays (tracers are Array-like at trace time).
ArrayLike = Union[Array, np.ndarray, np.bool_, np.number, bool, int, float, complex]
# Dtype specifiers: 'float32', jnp.float32, np.dtype('float32'), or a value with a dtype.
DTypeLike = Union[str, type[Any], np.dtype, SupportsDType]
