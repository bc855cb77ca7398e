"""The fft primitive (FFT, IFFT, RFFT, IRFFT over the last k axes) and lax.fft (issue 12)."""
__all__: list[str] = []
