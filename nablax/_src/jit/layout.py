"""Emission choices that depend on memory layout.

A broadcasting elementwise op whose result has a short last axis, such as the pairwise
differences `x[:, None, :] - x[None, :, :]` of a (200, 3) array, makes NumPy walk that
short axis innermost with 12-byte strides: 240 us for the (200, 200, 3) result. With the
short axis moved to the front and the (small) operands copied contiguous, the inner loop
runs over 200 contiguous values: 22 us. The result is the same values in a transposed
view; NumPy's later elementwise ops keep that layout (order 'K'), and `m[..., k]` slices
of it are contiguous.
"""
from __future__ import annotations

from ..ir import Literal

_MINOR_MAX = 4          # a last axis at most this long is "short"
_MIN_RESULT = 1 << 14   # below this many elements the copies and calls cost more than they save
_BROADCAST_FACTOR = 8   # each array operand this many times smaller than the result


def minor_axis_first(eqn) -> bool:
    """Whether `eqn` (an elementwise ufunc) should run with its short last axis moved first.
    Float and complex results only, as for `out=`: a `ufunc` fact names the float kernel
    (`true_divide` for div, whose integer form rounds toward zero)."""
    out = eqn.outvars[0].aval if len(eqn.outvars) == 1 else None
    if eqn.prim.ufunc is None or out is None or len(out.shape) < 2 or out.size < _MIN_RESULT \
            or out.shape[-1] > _MINOR_MAX or out.dtype.kind not in "fc":
        return False
    arrays = [a for a in eqn.invars if type(a) is not Literal]
    return bool(arrays) and all(
        len(a.aval.shape) == len(out.shape) and a.aval.size * _BROADCAST_FACTOR <= out.size for a in arrays)


def minor_axis_first_source(eqn, atom) -> str:
    """`xp.<ufunc>` on contiguous copies with the last axis first, viewed back in order."""
    rank = len(eqn.outvars[0].aval.shape)
    front = (rank - 1,) + tuple(range(rank - 1))
    back = tuple(range(1, rank)) + (0,)
    args = [atom(a) if type(a) is Literal else f"xp.ascontiguousarray({atom(a)}.transpose({front}))"
            for a in eqn.invars]
    return f"xp.{eqn.prim.ufunc}({', '.join(args)}).transpose({back})"
