"""nablax.stages: as jax.stages."""
__all__: list = []
