"""nablax.scipy.stats.nbinom: the nbinom distribution, as jax.scipy.stats.nbinom."""
from __future__ import annotations

from nablax._src.stats_discrete import nbinom_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import nbinom_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf']
