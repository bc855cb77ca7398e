"""lax.conv_general_dilated_local: the unshared ("locally connected") convolution.

Each output position has its own kernel: the windows of lhs (conv_general_dilated_patches,
features ordered channel-major, then filter position) are contracted with rhs, whose
spatial axes index output positions and whose I axis holds those patch features. Built
on lax, so it is differentiable and batchable as they are.
"""
from __future__ import annotations

from .lax_api import check_precision
from .primitives.conv import conv_general_dilated_patches
from .primitives.conv_util import conv_dimension_numbers
from .primitives.linalg import dot_general
from .primitives.shape import transpose


def conv_general_dilated_local(lhs, rhs, window_strides, padding, filter_shape, lhs_dilation=None, rhs_dilation=None,
                               dimension_numbers=None, precision=None):
    """lax.conv_general_dilated_local: convolution with a separate kernel at every output position.

    `rhs` has lhs's rank; its spatial axes are the output's spatial axes and its I axis has
    size C * prod(filter_shape) (channel-major, then the window in rhs_spec's spatial order)."""
    check_precision("lax.conv_general_dilated_local", precision)
    if isinstance(precision, tuple):
        precision = precision[0]
    patches = conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation, rhs_dilation,
                                           dimension_numbers)
    nd = patches.ndim
    dn = conv_dimension_numbers(patches.shape, (1,) * nd, dimension_numbers)
    n_sp = nd - 2
    # (spatial..., N, features) and (spatial..., features, O): a batched matrix product per position.
    p = transpose(patches, tuple(dn.out_spec[2:]) + (dn.out_spec[0], dn.out_spec[1]))
    k = transpose(rhs, tuple(dn.rhs_spec[2:]) + (dn.rhs_spec[1], dn.rhs_spec[0]))
    batch = tuple(range(n_sp))
    out = dot_general(p, k, (((n_sp + 1,), (n_sp,)), (batch, batch)))  # (spatial..., N, O)
    where = [0] * nd  # the axis of `out` holding each output axis
    where[dn.out_spec[0]], where[dn.out_spec[1]] = n_sp, n_sp + 1
    for i, d in enumerate(dn.out_spec[2:]):
        where[d] = i
    return transpose(out, tuple(where))


__all__ = ["conv_general_dilated_local"]
