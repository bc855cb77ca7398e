"""jax.scipy.stats' functions that are not distributions: gaussian_kde, mode, rankdata, sem, zscore."""
from __future__ import annotations

__all__: list[str] = []
