"""nablax.scipy: SciPy functions written on lax (special functions, stats.norm)."""
from nablax.scipy import special, stats  # noqa: F401
