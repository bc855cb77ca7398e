"""lax.ragged_dot and lax.ragged_dot_general, written on dot_general and a group mask.

The lhs ragged dimension is cut into consecutive groups of `group_sizes` (the last group
ends at sum(group_sizes); positions past it belong to no group). A (groups, length) mask
selects each group's positions of lhs, so one dot_general with the group as an extra axis
computes every group at once (differentiable in lhs and rhs, batchable, jit-able):

1. ragged non-contracting dim, rhs has a group dim: the group axis is a batch axis of the
   product, then summed (each row meets its own group's rhs; rows in no group give 0);
2. ragged contracting dim: the group axis stays, first, in the result [g, ...];
3. ragged batch dim: the groups share one rhs, so it is dot_general itself (as in JAX).
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .core import lift_aval
from .lax_api import check_precision
from .lax_extras_types import RaggedDotDimensionNumbers
from .primitives import elementwise as ew
from .primitives import linalg, misc, reductions, sorting
from .primitives import shape as sh


def _group_mask(group_sizes, length: int):
    """Boolean (g, length): position p of the ragged dimension belongs to group j."""
    ga = lift_aval(group_sizes)
    if ga.dtype.kind not in "iu":
        raise TypeError(f"lax.ragged_dot: group_sizes must have an integer dtype, got {ga.dtype.name}")
    ends = sorting.cumsum(group_sizes, 0)
    starts = ew.sub(ends, group_sizes)
    pos = misc.broadcasted_iota(ga.dtype, (1, length), 1)
    column = (ga.shape[0], 1)
    return ew.bitwise_and(ew.ge(pos, sh.reshape(starts, column)), ew.lt(pos, sh.reshape(ends, column)))


def _masked_by_group(lhs, group_sizes, ragged: int):
    """lhs repeated per group on a new leading axis, zero outside each group's positions."""
    la = lift_aval(lhs)
    mask = _group_mask(group_sizes, la.shape[ragged])
    g = lift_aval(mask).shape[0]
    full = (g,) + tuple(la.shape)
    mask = sh.broadcast_in_dim(mask, full, (0, ragged + 1))
    stacked = sh.broadcast_in_dim(lhs, full, tuple(range(1, la.ndim + 1)))
    zeros = sh.broadcast_in_dim(misc.convert_element_type(np.zeros((), la.dtype), la.dtype, False), full, ())
    return ew.select_n(mask, zeros, stacked), g


def _shift(dims, by: int = 1) -> tuple:
    return tuple(d + by for d in dims)


def ragged_dot_general(lhs, rhs, group_sizes, ragged_dot_dimension_numbers: RaggedDotDimensionNumbers, precision=None,
                       preferred_element_type=None, group_offset=None, out_sharding=None):
    """lax.ragged_dot_general: dot_general whose lhs has one ragged dimension cut into groups of
    `group_sizes` (shape (g,)); see the module docstring for the three modes."""
    check_precision("lax.ragged_dot_general", precision)
    if group_offset is not None:
        raise NotImplementedError("lax.ragged_dot_general: group_offset is not supported (JAX's CPU backend does not "
                                  "support it either)")
    if not isinstance(ragged_dot_dimension_numbers, RaggedDotDimensionNumbers):
        raise TypeError(f"lax.ragged_dot_general: ragged_dot_dimension_numbers must be a "
                        f"lax.RaggedDotDimensionNumbers, got {ragged_dot_dimension_numbers!r}")
    (lc, rc), (lb, rb) = ragged_dot_dimension_numbers.dot_dimension_numbers
    (ragged,) = ragged_dot_dimension_numbers.lhs_ragged_dimensions or (None,)
    group_dims = ragged_dot_dimension_numbers.rhs_group_dimensions
    if ragged is None or len(ragged_dot_dimension_numbers.lhs_ragged_dimensions) != 1:
        raise TypeError("lax.ragged_dot_general: lhs_ragged_dimensions must name exactly one lhs dimension")
    if lift_aval(group_sizes).ndim != 1:
        raise NotImplementedError("lax.ragged_dot_general: group_sizes with more than one dimension (broadcast over "
                                  "batch / outer dimensions) is not supported; pass shape (g,)")
    pref = dict(preferred_element_type=preferred_element_type)
    if ragged in lb:  # mode 3
        if group_dims:
            raise TypeError("lax.ragged_dot_general: rhs_group_dimensions must be empty for a ragged batch dimension")
        return linalg.dot_general(lhs, rhs, ((lc, rc), (lb, rb)), **pref)
    masked, g = _masked_by_group(lhs, group_sizes, ragged)
    if ragged in lc:  # mode 2: the group axis is an lhs free axis, moved to the front
        if group_dims:
            raise TypeError("lax.ragged_dot_general: rhs_group_dimensions must be empty for a ragged contracting "
                            "dimension")
        out = linalg.dot_general(masked, rhs, ((_shift(lc), rc), (_shift(lb), rb)), **pref)
        nb = len(lb)
        perm = (nb,) + tuple(i for i in range(lift_aval(out).ndim) if i != nb)
        return sh.transpose(out, perm)
    if len(group_dims) != 1:  # mode 1
        raise TypeError("lax.ragged_dot_general: a ragged non-contracting dimension needs exactly one rhs group "
                        "dimension")
    (gd,) = group_dims
    if lift_aval(rhs).shape[gd] != g:
        raise TypeError(f"lax.ragged_dot_general: group_sizes has {g} groups but the rhs group dimension has "
                        f"{lift_aval(rhs).shape[gd]}")
    out = linalg.dot_general(masked, rhs, ((_shift(lc), rc), ((0,) + _shift(lb), (gd,) + tuple(rb))), **pref)
    return reductions.reduce_sum(out, (0,))


_RAGGED_DOT = RaggedDotDimensionNumbers(dot_dimension_numbers=(((1,), (1,)), ((), ())), lhs_ragged_dimensions=(0,),
                                        rhs_group_dimensions=(0,))


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None, group_offset=None,
               out_sharding=None):
    """lax.ragged_dot: lhs (m, k) rows in consecutive groups of group_sizes (g,), each multiplied
    by its rhs[g] (g, k, n); rows past sum(group_sizes) give zeros. Result (m, n)."""
    la, ra = lift_aval(lhs), lift_aval(rhs)
    if la.ndim != 2 or ra.ndim != 3:
        raise TypeError(f"lax.ragged_dot: expected lhs of rank 2 and rhs of rank 3, got shapes {la.shape} and "
                        f"{ra.shape}")
    ga = lift_aval(group_sizes)
    if ga.shape != (ra.shape[0],):
        raise TypeError(f"expected group_sizes to have shape ({ra.shape[0]},), got {ga.shape}.")
    return ragged_dot_general(lhs, rhs, group_sizes, _RAGGED_DOT, precision, preferred_element_type, group_offset)


def _repeat_blocks(scale, axis: int, size: int):
    """Each entry of `scale` along `axis` repeated size // n times (its subchannel)."""
    sa = lift_aval(scale)
    n = sa.shape[axis]
    if n == 0 or size % n:
        raise TypeError(f"lax.scaled_dot: the operand's contracting size {size} must be a multiple of the scale's {n}")
    shape = tuple(sa.shape[:axis + 1]) + (size // n,) + tuple(sa.shape[axis + 1:])
    dims = tuple(range(axis + 1)) + tuple(range(axis + 2, len(shape)))
    merged = tuple(sa.shape[:axis]) + (size,) + tuple(sa.shape[axis + 1:])
    return sh.reshape(sh.broadcast_in_dim(scale, shape, dims), merged)


def _scaled(x, scale, contracting):
    xa = lift_aval(x)
    f32 = np.dtype(np.float32)
    x = misc.convert_element_type(misc.convert_element_type(x, dtypes.bfloat16, False), f32, False)
    if scale is None:
        return x
    sa = lift_aval(scale)
    if sa.ndim != xa.ndim or any(a != b for d, (a, b) in enumerate(zip(sa.shape, xa.shape)) if d not in contracting):
        raise TypeError(f"lax.scaled_dot: a scale of shape {sa.shape} must match its operand's shape {xa.shape} "
                        "except along the contracting dimensions")
    scale = misc.convert_element_type(scale, f32, False)
    for d in contracting:
        scale = _repeat_blocks(scale, d, xa.shape[d])
    return ew.mul(x, scale)


def scaled_dot(lhs, rhs, *, lhs_scale=None, rhs_scale=None, dimension_numbers=None, preferred_element_type=None):
    """lax.scaled_dot: (lhs * lhs_scale) @ (rhs * rhs_scale) (dot_general), each scale entry
    covering a block (subchannel) of its contracting dimension. The operands are rounded to
    bfloat16 (as JAX's CPU decomposition does; exact for bfloat16 and float8 inputs), the
    product is computed in float32 and
    returned as preferred_element_type (default bfloat16, as in JAX). Default dimension
    numbers: contract lhs's last axis with rhs's second to last, leading axes batched."""
    la = lift_aval(lhs)
    if dimension_numbers is None:
        if la.ndim < 2:
            raise TypeError("scaled_dot does not support 0-rank and 1-rank operands.")
        n = la.ndim
        dimension_numbers = (((n - 1,), (n - 2,)), (tuple(range(n - 2)), tuple(range(n - 2))))
    (lc, rc), batch = dimension_numbers
    out_dtype = dtypes.check_user_dtype(dtypes.bfloat16 if preferred_element_type is None else preferred_element_type,
                                        "lax.scaled_dot")
    out = linalg.dot_general(_scaled(lhs, lhs_scale, tuple(lc)), _scaled(rhs, rhs_scale, tuple(rc)), ((lc, rc), batch))
    return misc.convert_element_type(out, out_dtype, False)


__all__ = ["ragged_dot", "ragged_dot_general", "scaled_dot"]
