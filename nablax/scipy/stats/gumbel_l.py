"""nablax.scipy.stats.gumbel_l: the gumbel_l distribution, as jax.scipy.stats.gumbel_l."""
from __future__ import annotations

__all__: list[str] = []
