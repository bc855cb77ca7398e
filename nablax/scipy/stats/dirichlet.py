"""nablax.scipy.stats.dirichlet: the dirichlet distribution, as jax.scipy.stats.dirichlet."""
from __future__ import annotations

__all__: list[str] = []
