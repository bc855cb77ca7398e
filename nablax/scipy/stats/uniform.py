"""nablax.scipy.stats.uniform: the uniform distribution, as jax.scipy.stats.uniform."""
from __future__ import annotations

__all__: list[str] = []
