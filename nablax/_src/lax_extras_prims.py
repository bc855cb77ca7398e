"""JAX's `lax.*_p` names for the primitives nablax has: the same objects nablax binds, so
`lax.sin_p.bind(x)` is `lax.sin(x)` and a Jaxpr's equations compare equal to them.

Their parameters are nablax's (as printed by `make_jaxpr`), which for most primitives are
JAX's; gather_p and the scatter_*_p take nablax's NumPy-shaped index spec instead of XLA
dimension numbers, and cond_p/while_p/scan_p/linear_solve_p hold nablax Jaxprs.
Names JAX has with no nablax primitive of the same meaning are listed in the notes.
"""
from __future__ import annotations

from .control_flow import cond_p, custom_linear_solve_p, scan_p, while_p
from .primitives._define import PRIMITIVES

_SAME_NAME = (
    "abs acos acosh add all_gather and argmax argmin asin asinh atan2 atan atanh axis_index bessel_i0e bessel_i1e "
    "broadcast_in_dim cbrt ceil clamp complex concatenate conj conv_general_dilated convert_element_type cos cosh "
    "cummax cummin cumprod cumsum digamma div dot_general dynamic_slice dynamic_update_slice eq erf_inv erf erfc "
    "exp2 exp expm1 floor gather ge gt imag integer_pow iota is_finite le lgamma log1p log logistic lt max min mul "
    "ne neg nextafter not or pad pmax pmin polygamma population_count pow psum real reduce_and reduce_max "
    "reduce_min reduce_or reduce_prod reduce_sum rem reshape rev round rsqrt scatter_add scatter_max scatter_min "
    "scatter_mul scatter select_n shift_left shift_right_arithmetic shift_right_logical sign sin sinh slice sort "
    "sqrt square squeeze stop_gradient sub tan tanh transpose xor").split()

# The higher-order primitives (linear_solve_p is nablax's custom_linear_solve primitive).
_CONTROL_FLOW = {"cond_p": cond_p, "while_p": while_p, "scan_p": scan_p, "linear_solve_p": custom_linear_solve_p}

globals().update({f"{name}_p": PRIMITIVES[name] for name in _SAME_NAME})
globals().update(_CONTROL_FLOW)

__all__ = sorted([f"{name}_p" for name in _SAME_NAME] + list(_CONTROL_FLOW))
