"""nablax.scipy.stats.geom: the geom distribution, as jax.scipy.stats.geom."""
from __future__ import annotations

from nablax._src.stats_discrete import geom_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import geom_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf']
