"""nablax.experimental: as jax.experimental (io_callback; more with later issues)."""
__all__: list = []
