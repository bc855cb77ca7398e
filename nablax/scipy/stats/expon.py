"""nablax.scipy.stats.expon: the expon distribution, as jax.scipy.stats.expon."""
from __future__ import annotations

__all__: list[str] = []
