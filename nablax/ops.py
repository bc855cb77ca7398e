"""nablax.ops: as jax.ops."""
__all__: list = []
