"""nablax.scipy.stats.multivariate_normal: the multivariate_normal distribution, as jax.scipy.stats.multivariate_normal."""
from __future__ import annotations

__all__: list[str] = []
