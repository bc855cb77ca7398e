"""nablax.scipy.stats.laplace: the laplace distribution, as jax.scipy.stats.laplace."""
from __future__ import annotations

__all__: list[str] = []
