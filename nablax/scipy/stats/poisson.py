"""nablax.scipy.stats.poisson: the poisson distribution, as jax.scipy.stats.poisson."""
from __future__ import annotations

from nablax._src.stats_discrete import poisson_cdf as cdf  # noqa: F401
from nablax._src.stats_discrete import poisson_entropy as entropy  # noqa: F401
from nablax._src.stats_discrete import poisson_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import poisson_pmf as pmf  # noqa: F401

__all__ = ['logpmf', 'pmf', 'cdf', 'entropy']
