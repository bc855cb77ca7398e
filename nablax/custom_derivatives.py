"""Custom differentiation rules, as in ``jax.custom_derivatives``."""
from nablax._src.custom_derivatives import (
    CustomVJPPrimal,
    SymbolicZero,
    custom_jvp,
    custom_vjp,
    zero_from_primal,
)

__all__ = ["CustomVJPPrimal", "SymbolicZero", "custom_jvp", "custom_vjp", "zero_from_primal"]
