"""nablax.scipy.stats.wrapcauchy: the wrapcauchy distribution, as jax.scipy.stats.wrapcauchy."""
from __future__ import annotations

__all__: list[str] = []
