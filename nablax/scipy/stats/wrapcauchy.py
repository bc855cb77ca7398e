"""nablax.scipy.stats.wrapcauchy: the wrapped Cauchy distribution, as jax.scipy.stats.wrapcauchy."""
from nablax._src.stats_continuous import wrapcauchy_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import wrapcauchy_pdf as pdf  # noqa: F401

__all__ = ["logpdf", "pdf"]
