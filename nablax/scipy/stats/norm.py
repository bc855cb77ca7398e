"""nablax.scipy.stats.norm: the normal distribution's pdf, logpdf, cdf, logcdf, sf, logsf, ppf and isf."""
from nablax._src.scipy_special import norm_cdf as cdf  # noqa: F401
from nablax._src.scipy_special import norm_isf as isf  # noqa: F401
from nablax._src.scipy_special import norm_logcdf as logcdf  # noqa: F401
from nablax._src.scipy_special import norm_logpdf as logpdf  # noqa: F401
from nablax._src.scipy_special import norm_logsf as logsf  # noqa: F401
from nablax._src.scipy_special import norm_pdf as pdf  # noqa: F401
from nablax._src.scipy_special import norm_ppf as ppf  # noqa: F401
from nablax._src.scipy_special import norm_sf as sf  # noqa: F401

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]
