"""nablax.experimental: as jax.experimental (io_callback; more with later issues)."""
from nablax._src.engine_api import io_callback

__all__ = ["io_callback"]
