"""nablax.scipy: SciPy functions written on lax (special functions, stats.norm, linalg, sparse.linalg)."""
from nablax.scipy import linalg, sparse, special, stats  # noqa: F401
