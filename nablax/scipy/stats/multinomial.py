"""nablax.scipy.stats.multinomial: the multinomial distribution, as jax.scipy.stats.multinomial."""
from __future__ import annotations

from nablax._src.stats_discrete import multinomial_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import multinomial_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf']
