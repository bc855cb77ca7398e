"""Helpers for writing a primitive's `simplify` and `rewrite` facts (see _define.py).

jit's simplify pass calls the rules with the equation's operands (Vars or Literals) and
`producers`, which maps each Var computed so far to the equation that computed it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..ir import Literal, Var


def literal_scalar(a):
    """The NumPy value of a rank-0 Literal operand, else None."""
    if type(a) is Literal:
        v = a.val._value
        if np.ndim(v) == 0:
            return v
    return None


def is_literal(a, value) -> bool:
    """True if `a` is a rank-0 Literal equal to `value`."""
    v = literal_scalar(a)
    return v is not None and v == value


def same_type(a, out) -> bool:
    """True if the atom `a` could stand for `out`: same shape and dtype."""
    return a.aval.shape == out.aval.shape and a.aval.dtype == out.aval.dtype


def produced_by(a, producers: dict, prim):
    """The equation computing `a` when it applies `prim`, else None."""
    src = producers.get(a) if type(a) is Var else None
    return src if src is not None and src.prim is prim else None


def unit_identity(unit: int, *, left_ok: bool) -> Callable:
    """The `simplify` rule of a binary op with identity element `unit`: `x op unit` is x,
    and so is `unit op x` when `left_ok` (x * 1, 1 * x, x + 0, 0 + x, x - 0, x / 1).

    (x + 0 changes -0.0 into +0.0; that sign is observable only through division, accepted.)
    """

    def rule(invars, params, out, producers):
        x, y = invars
        if is_literal(y, unit) and same_type(x, out):
            return x
        if left_ok and is_literal(x, unit) and same_type(y, out):
            return y
        return None

    return rule


def first_operand(invars, params, out, producers):
    """The `simplify` rule of an identity operation (stop_gradient under jit)."""
    return invars[0]


def when_same_type(invars, params, out, producers):
    """The `simplify` rule of a shape or type change: a no-op when nothing changes."""
    return invars[0] if same_type(invars[0], out) else None


def emitted_literal(src: str):
    """The value of an operand that codegen wrote as a finite scalar literal ("0.0",
    "np.float32(0.5)"), else None (a variable, a constant, or a non-finite value)."""
    if src.startswith("np.") and src.endswith(")"):
        src = src[src.index("(") + 1:-1]
    try:
        value = float(src)
    except ValueError:
        return None
    return value if np.isfinite(value) else None  # "inf"/"nan" would be variable names
