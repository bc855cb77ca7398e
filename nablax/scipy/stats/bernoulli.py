"""nablax.scipy.stats.bernoulli: the bernoulli distribution, as jax.scipy.stats.bernoulli."""
from __future__ import annotations

__all__: list[str] = []
