"""nablax.scipy: SciPy functions on lax (special, stats, linalg, sparse, fft, signal, optimize, integrate, interpolate, ...)."""
from nablax.scipy import (  # noqa: F401
    cluster,
    fft,
    integrate,
    interpolate,
    linalg,
    ndimage,
    optimize,
    signal,
    sparse,
    spatial,
    special,
    stats,
)
