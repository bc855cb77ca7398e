"""nablax.scipy.stats.beta: the beta distribution, as jax.scipy.stats.beta."""
from nablax._src.stats_continuous_shape import beta_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous_shape import beta_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous_shape import beta_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import beta_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous_shape import beta_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous_shape import beta_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]
