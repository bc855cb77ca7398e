"""nablax.scipy.stats.vonmises: the vonmises distribution, as jax.scipy.stats.vonmises."""
from __future__ import annotations

__all__: list[str] = []
