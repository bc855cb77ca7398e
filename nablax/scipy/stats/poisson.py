"""nablax.scipy.stats.poisson: the poisson distribution, as jax.scipy.stats.poisson."""
from __future__ import annotations

__all__: list[str] = []
