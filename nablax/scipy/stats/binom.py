"""nablax.scipy.stats.binom: the binom distribution, as jax.scipy.stats.binom."""
from __future__ import annotations

from nablax._src.stats_discrete import binom_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import binom_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf']
