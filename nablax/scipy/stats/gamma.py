"""nablax.scipy.stats.gamma: the gamma distribution, as jax.scipy.stats.gamma."""
from __future__ import annotations

__all__: list[str] = []
