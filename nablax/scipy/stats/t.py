"""nablax.scipy.stats.t: the t distribution, as jax.scipy.stats.t."""
from __future__ import annotations

__all__: list[str] = []
