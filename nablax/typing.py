"""nablax.typing: as jax.typing."""
__all__: list = []
