"""Cases for conv_general_dilated (primitives/conv.py): layouts, strides, dilations, padding, groups."""
import numpy as np
from scipy import signal

from nablax import lax
from nablax._src.primitives import conv
from nablax._src.primitives.conv_util import ConvDimensionNumbers

from .case import Case, randn


def _p(nd, strides=None, padding=None, ldil=None, rdil=None, dn=None, g=1, b=1):
    n = nd - 2
    return {"window_strides": strides or (1,) * n, "padding": padding or ((0, 0),) * n,
            "lhs_dilation": ldil or (1,) * n, "rhs_dilation": rdil or (1,) * n,
            "dimension_numbers": dn or ConvDimensionNumbers(*(tuple(range(nd)),) * 3),
            "feature_group_count": g, "batch_group_count": b, "preferred_element_type": None}


def _ref_valid(lhs, rhs, **params):
    """NCHW/OIHW VALID stride-1 correlation by scipy.signal.correlate, one (n, o) pair at a time."""
    out = np.stack([np.stack([sum(signal.correlate(lhs[n, c], rhs[o, c], mode="valid")
                                  for c in range(lhs.shape[1])) for o in range(rhs.shape[0])])
                    for n in range(lhs.shape[0])])
    return out


def _ref_any(lhs, rhs, **params):
    """The impl itself on the same inputs: for cases whose values tests/test_conv.py checks."""
    return conv._conv_impl(np, lhs, rhs, **params)


CASES = [
    Case(conv.conv_general_dilated_p, (randn(2, 2, 4, 3), randn(3, 2, 2, 2, seed=1)), _p(4),
         reference=_ref_valid, name="2d-valid"),
    Case(conv.conv_general_dilated_p, (randn(1, 2, 5), randn(2, 2, 3, seed=1)), _p(3, (2,), ((1, 2),), rdil=(2,)),
         reference=_ref_any, name="1d-stride-dilated"),
    Case(conv.conv_general_dilated_p, (randn(1, 4, 3, 2), randn(2, 3, 2, 2, seed=1)),
         _p(4, (1, 1), ((1, -1), (0, 1)), ldil=(2, 1),
            dn=ConvDimensionNumbers((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))),
         reference=_ref_any, name="nhwc-lhs-dilated"),
    Case(conv.conv_general_dilated_p, (randn(1, 4, 3, 3), randn(4, 2, 2, 2, seed=1)), _p(4, g=2),
         reference=_ref_any, name="feature-groups"),
    Case(conv.conv_general_dilated_p, (randn(4, 2, 3, 3), randn(4, 2, 2, 1, seed=1)), _p(4, b=2),
         reference=_ref_any, name="batch-groups"),
    Case(conv.conv_general_dilated_p, (randn(1, 1, 3, 3, 2), randn(2, 1, 2, 2, 1, seed=1)), _p(5, (1, 2, 1)),
         reference=_ref_any, name="3d"),
]

BAD_CASES = [
    Case(conv.conv_general_dilated_p, (randn(1, 3, 4, 4), randn(2, 2, 2, 2)),
         {"window_strides": (1, 1), "padding": "SAME"}, bind=lax.conv_general_dilated, name="channels"),
    Case(conv.conv_general_dilated_p, (randn(1, 3, 4, 4), randn(2, 3, 2, 2)),
         {"window_strides": (1, 1), "padding": "FULL"}, bind=lax.conv_general_dilated, name="padding-string"),
    Case(conv.conv_general_dilated_p, (randn(1, 3, 4, 4), randn(2, 3, 2, 2)),
         {"window_strides": (1, 1), "padding": "SAME", "dimension_numbers": ("NHWX", "HWIO", "NHWC")},
         bind=lax.conv_general_dilated, name="layout"),
    Case(conv.conv_general_dilated_p, (randn(1, 3, 4), randn(2, 3, 2, 2)),
         {"window_strides": (1, 1), "padding": "SAME"}, bind=lax.conv_general_dilated, name="ranks"),
]
