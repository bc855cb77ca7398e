"""nablax.scipy.stats.chi2: the chi2 distribution, as jax.scipy.stats.chi2."""
from __future__ import annotations

__all__: list[str] = []
