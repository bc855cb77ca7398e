"""jnp.convolve and jnp.correlate, on conv_general_dilated (issue 12)."""
__all__: list[str] = []
METHODS: dict = {}
