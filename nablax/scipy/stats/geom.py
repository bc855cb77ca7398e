"""nablax.scipy.stats.geom: the geom distribution, as jax.scipy.stats.geom."""
from __future__ import annotations

__all__: list[str] = []
