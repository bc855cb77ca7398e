"""nablax.scipy.stats.truncnorm: the truncnorm distribution, as jax.scipy.stats.truncnorm."""
from __future__ import annotations

__all__: list[str] = []
