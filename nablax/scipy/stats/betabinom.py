"""nablax.scipy.stats.betabinom: the betabinom distribution, as jax.scipy.stats.betabinom."""
from __future__ import annotations

from nablax._src.stats_discrete import betabinom_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import betabinom_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf']
