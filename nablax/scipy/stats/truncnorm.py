"""nablax.scipy.stats.truncnorm: the truncated normal distribution, as jax.scipy.stats.truncnorm."""
from nablax._src.stats_continuous_shape import truncnorm_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous_shape import truncnorm_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous_shape import truncnorm_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import truncnorm_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous_shape import truncnorm_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous_shape import truncnorm_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]
