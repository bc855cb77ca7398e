"""nablax.scipy.stats.cauchy: the Cauchy distribution, as jax.scipy.stats.cauchy."""
from nablax._src.stats_continuous import cauchy_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import cauchy_isf as isf  # noqa: F401
from nablax._src.stats_continuous import cauchy_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous import cauchy_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import cauchy_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous import cauchy_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import cauchy_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import cauchy_sf as sf  # noqa: F401

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
