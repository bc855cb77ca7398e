"""nablax.scipy.stats.beta: the beta distribution, as jax.scipy.stats.beta."""
from __future__ import annotations

__all__: list[str] = []
