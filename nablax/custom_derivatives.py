"""Custom differentiation rules, as in ``jax.custom_derivatives``."""
from nablax._src.control_flow.linear_call import linear_call
from nablax._src.control_flow.remat_opt import remat_opt_p
from nablax._src.custom_derivatives import (
    CustomVJPPrimal,
    SymbolicZero,
    custom_jvp,
    custom_jvp_call_p,
    custom_vjp,
    custom_vjp_call_p,
    custom_vjp_primal_tree_values,
    zero_from_primal,
)
from nablax._src.transform_extras import closure_convert, custom_gradient

__all__ = ["CustomVJPPrimal", "SymbolicZero", "closure_convert", "custom_gradient", "custom_jvp", "custom_jvp_call_p",
           "custom_vjp", "custom_vjp_call_p", "custom_vjp_primal_tree_values", "linear_call", "remat_opt_p",
           "zero_from_primal"]
