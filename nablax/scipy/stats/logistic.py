"""nablax.scipy.stats.logistic: the logistic distribution, as jax.scipy.stats.logistic."""
from __future__ import annotations

__all__: list[str] = []
