"""nablax.experimental: as jax.experimental (io_callback; the jet module; more with later issues)."""
from nablax._src.engine_api import io_callback
from nablax.experimental import jet  # the module, as `import jax.experimental.jet`

__all__ = ["io_callback", "jet"]
