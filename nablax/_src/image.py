"""nablax.image: resize and scale_and_translate as jax.image (issue 12)."""
__all__: list[str] = []
