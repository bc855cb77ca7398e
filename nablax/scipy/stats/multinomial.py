"""nablax.scipy.stats.multinomial: the multinomial distribution, as jax.scipy.stats.multinomial."""
from __future__ import annotations

__all__: list[str] = []
