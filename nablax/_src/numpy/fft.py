"""nablax.numpy.fft: every name of jax.numpy.fft, on the fft primitive (issue 12)."""
__all__: list[str] = []
