"""nablax.scipy.stats.expon: the exponential distribution, as jax.scipy.stats.expon."""
from nablax._src.stats_continuous import expon_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import expon_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous import expon_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import expon_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous import expon_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import expon_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import expon_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
