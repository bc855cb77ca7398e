"""nablax.scipy.stats.nbinom: the nbinom distribution, as jax.scipy.stats.nbinom."""
from __future__ import annotations

__all__: list[str] = []
