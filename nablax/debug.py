"""nablax.debug: as jax.debug."""
__all__: list = []
