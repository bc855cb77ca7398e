"""nablax.scipy.stats.chi2: the chi-squared distribution, as jax.scipy.stats.chi2."""
from nablax._src.stats_continuous_shape import chi2_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous_shape import chi2_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous_shape import chi2_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import chi2_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous_shape import chi2_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous_shape import chi2_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]
