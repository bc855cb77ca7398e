"""nablax.flatten_util: as jax.flatten_util."""
__all__: list = []
