"""nablax.scipy: SciPy functions written on lax (special functions, stats.norm, linalg, sparse.linalg, fft, signal)."""
from nablax.scipy import fft, linalg, signal, sparse, special, stats  # noqa: F401
