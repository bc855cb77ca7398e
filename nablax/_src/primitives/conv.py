"""Convolution: the conv_general_dilated primitive and the lax convolution wrappers (issue 12)."""
__all__: list[str] = []
