"""nablax.scipy.signal: convolutions, spectral estimates and STFTs as jax.scipy.signal (issue 12)."""
__all__: list[str] = []
