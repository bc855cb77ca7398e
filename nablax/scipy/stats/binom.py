"""nablax.scipy.stats.binom: the binom distribution, as jax.scipy.stats.binom."""
from __future__ import annotations

__all__: list[str] = []
