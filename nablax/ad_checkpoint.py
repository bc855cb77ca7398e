"""nablax.ad_checkpoint: as jax.ad_checkpoint."""
__all__: list = []
