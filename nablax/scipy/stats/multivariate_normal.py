"""nablax.scipy.stats.multivariate_normal: the multivariate_normal distribution, as jax.scipy.stats.multivariate_normal."""
from __future__ import annotations

from nablax._src.stats_multivariate import multivariate_normal_logpdf as logpdf  # noqa: F401
from nablax._src.stats_multivariate import multivariate_normal_pdf as pdf  # noqa: F401

__all__ = ['logpdf', 'pdf']
