"""lax's configuration types: Precision, dot algorithms, gather/scatter/ragged-dot dimension
numbers, GatherScatterMode, AccuracyMode and Tolerance, spelled and printed as JAX's.

Precision and the dot algorithms are accepted wherever JAX takes `precision=` and change
nothing: NumPy computes every product at the operands' full precision, which meets any of
them. Kept apart from lax_extras.py so that lax_api.py (which checks `precision=`) can
import them without a cycle.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, NamedTuple, Sequence, Union

import numpy as np

from . import dtypes
from .primitives.conv_util import ConvDimensionNumbers

# The strings JAX parses into a Precision (its aliases).
_PRECISION_STRINGS = {
    "highest": "HIGHEST", "float32": "HIGHEST", "high": "HIGH", "bfloat16_3x": "HIGH",
    "tensorfloat32": "HIGH", "default": "DEFAULT", "bfloat16": "DEFAULT", "fastest": "DEFAULT",
}


class _NamedEnum(enum.Enum):
    """repr `Class.NAME`, str `NAME`, as JAX prints its lax enums."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    def __str__(self) -> str:
        return self.name


class Precision(_NamedEnum):
    """Precision of matrix products on accelerators: DEFAULT, HIGH, HIGHEST (also parsed from
    JAX's strings: 'default'/'fastest'/'bfloat16', 'high'/'bfloat16_3x'/'tensorfloat32',
    'highest'/'float32'). No effect here: NumPy always computes at full precision."""

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value: object):
        name = _PRECISION_STRINGS.get(value) if isinstance(value, str) else None
        return None if name is None else cls[name]


class DotAlgorithm(NamedTuple):
    """A dot-product algorithm (storage and accumulation types, component counts), accepted as
    `precision=`; NumPy computes in the operands' own dtype whatever it says."""

    lhs_precision_type: Any
    rhs_precision_type: Any
    accumulation_type: Any
    lhs_component_count: int = 1
    rhs_component_count: int = 1
    num_primitive_operations: int = 1
    allow_imprecise_accumulation: bool = False


class DotAlgorithmPreset(_NamedEnum):
    """JAX's named dot algorithms (LHS_RHS_ACCUM), accepted as `precision=` (or by name)."""

    DEFAULT = enum.auto()
    ANY_F8_ANY_F8_F32 = enum.auto()
    ANY_F8_ANY_F8_F32_FAST_ACCUM = enum.auto()
    ANY_F8_ANY_F8_ANY = enum.auto()
    ANY_F8_ANY_F8_ANY_FAST_ACCUM = enum.auto()
    F16_F16_F16 = enum.auto()
    F16_F16_F32 = enum.auto()
    BF16_BF16_BF16 = enum.auto()
    BF16_BF16_F32 = enum.auto()
    BF16_BF16_F32_X3 = enum.auto()
    BF16_BF16_F32_X6 = enum.auto()
    BF16_BF16_F32_X9 = enum.auto()
    TF32_TF32_F32 = enum.auto()
    TF32_TF32_F32_X3 = enum.auto()
    F32_F32_F32 = enum.auto()
    F64_F64_F64 = enum.auto()

    @property
    def supported_lhs_types(self) -> tuple | None:
        """The input dtypes the preset takes (None: any)."""
        name = self.name
        if name == "DEFAULT" or name.startswith("ANY_F8"):
            return None
        if name.startswith("F16"):
            return (np.dtype(np.float16),)
        if name in ("BF16_BF16_BF16", "BF16_BF16_F32"):
            return (dtypes.bfloat16, np.dtype(np.float32))
        if name == "F64_F64_F64":
            return (np.dtype(np.float64),)
        return (np.dtype(np.float32),)

    @property
    def supported_rhs_types(self) -> tuple | None:
        return self.supported_lhs_types

    @property
    def accumulation_type(self):
        """The accumulator dtype (None: from the inputs / preferred_element_type)."""
        name = self.name
        if name in ("DEFAULT", "ANY_F8_ANY_F8_ANY", "ANY_F8_ANY_F8_ANY_FAST_ACCUM"):
            return None
        return {"F16_F16_F16": np.dtype(np.float16), "BF16_BF16_BF16": dtypes.bfloat16,
                "F64_F64_F64": np.dtype(np.float64)}.get(name, np.dtype(np.float32))


PrecisionLike = Union[None, str, Precision, tuple[str, str], tuple[Precision, Precision], DotAlgorithm,
                      DotAlgorithmPreset]
DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]], tuple[Sequence[int], Sequence[int]]]
ConvGeneralDilatedDimensionNumbers = Union[tuple[str, str, str], ConvDimensionNumbers, None]


def is_precision_like(precision) -> bool:
    """Whether `precision` is something JAX's `precision=` accepts (a Precision or its string,
    a pair of those, a DotAlgorithm, a DotAlgorithmPreset or its name)."""
    if precision is None or isinstance(precision, (Precision, DotAlgorithm, DotAlgorithmPreset)):
        return True
    if isinstance(precision, str):
        return precision in _PRECISION_STRINGS or precision in DotAlgorithmPreset.__members__
    if isinstance(precision, tuple) and len(precision) == 2:  # two Precisions or two of their names, not mixed
        return (all(isinstance(p, Precision) for p in precision)
                or all(isinstance(p, str) and p in _PRECISION_STRINGS for p in precision))
    return False


class GatherDimensionNumbers(NamedTuple):
    """XLA gather dimension numbers (the index vector is always the last axis of the indices)."""

    offset_dims: tuple[int, ...]
    collapsed_slice_dims: tuple[int, ...]
    start_index_map: tuple[int, ...]
    operand_batching_dims: tuple[int, ...] = ()
    start_indices_batching_dims: tuple[int, ...] = ()


class ScatterDimensionNumbers(NamedTuple):
    """XLA scatter dimension numbers (the index vector is always the last axis of the indices)."""

    update_window_dims: Sequence[int]
    inserted_window_dims: Sequence[int]
    scatter_dims_to_operand_dims: Sequence[int]
    operand_batching_dims: Sequence[int] = ()
    scatter_indices_batching_dims: Sequence[int] = ()


class GatherScatterMode(enum.Enum):
    """Out-of-bounds indices in gather/scatter: CLIP (clamp the window into range), FILL_OR_DROP
    (a window partly out of range is filled / its update dropped), PROMISE_IN_BOUNDS (gather
    clamps, scatter drops), ONE_HOT (accepted by JAX only for some scatters; not supported here)."""

    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s) -> GatherScatterMode:
        """The mode from itself, None ('fill or drop'), 'clip', 'fill', 'drop', 'promise_in_bounds' or 'one_hot'."""
        if isinstance(s, GatherScatterMode):
            return s
        named = {None: "FILL_OR_DROP", "fill": "FILL_OR_DROP", "drop": "FILL_OR_DROP", "clip": "CLIP",
                 "promise_in_bounds": "PROMISE_IN_BOUNDS", "one_hot": "ONE_HOT"}
        if isinstance(s, (str, type(None))) and s in named:
            return GatherScatterMode[named[s]]
        raise ValueError(f'Unknown gather mode "{s}"')


@dataclasses.dataclass(frozen=True, init=False)
class RaggedDotDimensionNumbers:
    """Ragged, group and dot dimensions of lax.ragged_dot_general (stored as tuples)."""

    dot_dimension_numbers: DotDimensionNumbers
    lhs_ragged_dimensions: Sequence[int]
    rhs_group_dimensions: Sequence[int]

    def __init__(self, dot_dimension_numbers, lhs_ragged_dimensions, rhs_group_dimensions):
        object.__setattr__(self, "dot_dimension_numbers", tuple(tuple(map(tuple, t)) for t in dot_dimension_numbers))
        object.__setattr__(self, "lhs_ragged_dimensions", tuple(lhs_ragged_dimensions))
        object.__setattr__(self, "rhs_group_dimensions", tuple(rhs_group_dimensions))


class AccuracyMode(enum.Enum):
    """Accuracy requested of a transcendental function (JAX's `accuracy=`): HIGHEST or DEFAULT."""

    HIGHEST = 1
    DEFAULT = 2


class Tolerance:
    """Tolerances for a transcendental function (atol and rtol, or atol and ulps)."""

    def __init__(self, atol: float = 0.0, rtol: float = 0.0, ulps: int = 0):
        if atol < 0.0 or rtol < 0.0 or ulps < 0:
            raise ValueError("Tolerances must be non-negative.")
        if atol == 0.0 and rtol == 0.0 and ulps == 0:
            raise ValueError("At least one of atol, rtol, or ulps must be set.")
        self.atol = atol
        self.rtol = rtol
        self.ulps = ulps


__all__ = ["Precision", "PrecisionLike", "DotAlgorithm", "DotAlgorithmPreset", "DotDimensionNumbers",
           "ConvGeneralDilatedDimensionNumbers", "GatherDimensionNumbers", "ScatterDimensionNumbers",
           "GatherScatterMode", "RaggedDotDimensionNumbers", "AccuracyMode", "Tolerance"]
