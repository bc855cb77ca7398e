"""nablax.scipy.stats.betabinom: the betabinom distribution, as jax.scipy.stats.betabinom."""
from __future__ import annotations

__all__: list[str] = []
