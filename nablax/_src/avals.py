"""Abstract values: what a transformation knows about an array without its contents."""
from __future__ import annotations

import numpy as np

from .dtypes import float0  # the tangent dtype of ints and bools (also re-exported)
from .dtypes import is_inexact as _is_inexact


def short_dtype_name(dtype: np.dtype) -> str:
    """f32, i32, u8, c64, bf16, bool, float0: the names jaxprs print (JAX's abbreviation rule)."""
    if dtype == float0:
        return "float0"
    return dtype.name.replace("float", "f").replace("uint", "u").replace("int", "i").replace("complex", "c")


class ShapedArray:
    """Shape, dtype and weak-type flag of an array: the key of tracing and of jit caches."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape: tuple, dtype: np.dtype, weak_type: bool = False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def update(self, shape=None, dtype=None, weak_type=None) -> "ShapedArray":
        return ShapedArray(
            self.shape if shape is None else shape,
            self.dtype if dtype is None else dtype,
            self.weak_type if weak_type is None else weak_type,
        )

    def strip_weak_type(self) -> "ShapedArray":
        return ShapedArray(self.shape, self.dtype, False) if self.weak_type else self

    def to_tangent_aval(self) -> "ShapedArray":
        """Tangent space: the same array for inexact dtypes, float0 for integer and bool."""
        if self.dtype.kind in "fc" or _is_inexact(self.dtype):  # (bfloat16, float8: NumPy kind "V")
            return self
        return ShapedArray(self.shape, float0, False)

    def __eq__(self, other) -> bool:
        return (
            type(other) is ShapedArray
            and self.shape == other.shape
            and self.dtype == other.dtype
            and self.weak_type == other.weak_type
        )

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak_type))

    def str_short(self) -> str:
        return f"{short_dtype_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    def str_long(self) -> str:
        """`float32[3]`: the dtype's full name, no weak-type marker."""
        name = "float0" if self.dtype == float0 else self.dtype.name
        return f"{name}[{','.join(map(str, self.shape))}]"

    def __str__(self) -> str:
        """`~float32[]` for a weakly typed value, as JAX prints avals."""
        return f"~{self.str_long()}" if self.weak_type else self.str_long()

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_long()}{weak})"


class AvalCarrier:
    """A value known only by its aval (shape, dtype, weak type); prints as `Name(f32[3])`."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.aval.str_short()})"


class Zero(AvalCarrier):
    """A symbolic zero tangent or cotangent: carries only its aval, never materialized."""

    __slots__ = ()


class UndefinedPrimal(AvalCarrier):
    """Marks a linear input of an equation being transposed: its value is unknown."""

    __slots__ = ()


class ShapeDtypeStruct:
    """Shape and dtype of an array, without data (what eval_shape returns)."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype, weak_type: bool = False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __eq__(self, other) -> bool:
        return isinstance(other, ShapeDtypeStruct) and (
            (self.shape, self.dtype, self.weak_type) == (other.shape, other.dtype, other.weak_type))

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak_type))

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"
