"""nablax.scipy.stats.dirichlet: the dirichlet distribution, as jax.scipy.stats.dirichlet."""
from __future__ import annotations

from nablax._src.stats_multivariate import dirichlet_logpdf as logpdf  # noqa: F401
from nablax._src.stats_multivariate import dirichlet_pdf as pdf  # noqa: F401

__all__ = ['logpdf', 'pdf']
