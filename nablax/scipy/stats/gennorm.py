"""nablax.scipy.stats.gennorm: the generalized normal distribution, as jax.scipy.stats.gennorm."""
from nablax._src.stats_continuous_shape import gennorm_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous_shape import gennorm_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import gennorm_pdf as pdf  # noqa: F401

__all__ = ["cdf", "logpdf", "pdf"]
