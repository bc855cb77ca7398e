"""nablax.scipy.stats.gamma: the gamma distribution, as jax.scipy.stats.gamma."""
from nablax._src.stats_continuous_shape import gamma_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous_shape import gamma_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous_shape import gamma_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import gamma_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous_shape import gamma_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous_shape import gamma_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]
