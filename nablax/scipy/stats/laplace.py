"""nablax.scipy.stats.laplace: the Laplace distribution, as jax.scipy.stats.laplace."""
from nablax._src.stats_continuous import laplace_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import laplace_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import laplace_pdf as pdf  # noqa: F401

__all__ = ["cdf", "logpdf", "pdf"]
