"""nablax.scipy.stats.pareto: the pareto distribution, as jax.scipy.stats.pareto."""
from __future__ import annotations

__all__: list[str] = []
