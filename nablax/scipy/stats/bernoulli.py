"""nablax.scipy.stats.bernoulli: the bernoulli distribution, as jax.scipy.stats.bernoulli."""
from __future__ import annotations

from nablax._src.stats_discrete import bernoulli_cdf as cdf  # noqa: F401
from nablax._src.stats_discrete import bernoulli_logpmf as logpmf  # noqa: F401
from nablax._src.stats_discrete import bernoulli_pmf as pmf  # noqa: F401
from nablax._src.stats_discrete import bernoulli_ppf as ppf  # noqa: F401

__all__ = ['logpmf', 'pmf', 'cdf', 'ppf']
