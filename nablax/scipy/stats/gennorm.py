"""nablax.scipy.stats.gennorm: the gennorm distribution, as jax.scipy.stats.gennorm."""
from __future__ import annotations

__all__: list[str] = []
