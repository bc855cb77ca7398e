"""Helpers every differentiation rule shares: symbolic zeros, tangent sums, undefined primals.

A leaf below the primitive families and the interpreters, which both use it.
"""
from __future__ import annotations

import numpy as np

from . import ops
from .array import wrap
from .avals import ShapedArray, UndefinedPrimal, Zero, float0


def is_undefined(x) -> bool:
    """True for a linear operand being transposed (its value is unknown)."""
    return type(x) is UndefinedPrimal


def add_tangents(a, b):
    """Sum of two tangents of the same shape, keeping symbolic zeros symbolic."""
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    return ops.add(a, b)


def zeros_of_aval(aval: ShapedArray):
    """A concrete zero array (float0 zeros for integer/bool tangents)."""
    return wrap(np.zeros(aval.shape, aval.dtype), aval.weak_type and aval.dtype != float0)


def instantiate(t):
    """A symbolic Zero made concrete; other tangents unchanged."""
    return zeros_of_aval(t.aval) if type(t) is Zero else t
