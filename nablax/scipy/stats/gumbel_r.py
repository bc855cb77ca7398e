"""nablax.scipy.stats.gumbel_r: the gumbel_r distribution, as jax.scipy.stats.gumbel_r."""
from __future__ import annotations

__all__: list[str] = []
