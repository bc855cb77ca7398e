"""More special-function primitives: igamma, igammac, their gradients, betainc, zeta, random_gamma_grad."""
from __future__ import annotations

__all__: list = []
