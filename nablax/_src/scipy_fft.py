"""nablax.scipy.fft: dct, dctn, idct, idctn (issue 12)."""
__all__: list[str] = []
