"""nablax.scipy.stats.cauchy: the cauchy distribution, as jax.scipy.stats.cauchy."""
from __future__ import annotations

__all__: list[str] = []
