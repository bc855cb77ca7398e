"""nablax.experimental.jet: Taylor-mode higher-order differentiation, as jax.experimental.jet."""
from nablax._src.jet import jet

__all__ = ["jet"]
