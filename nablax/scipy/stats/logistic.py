"""nablax.scipy.stats.logistic: the logistic distribution, as jax.scipy.stats.logistic."""
from nablax._src.stats_continuous import logistic_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import logistic_isf as isf  # noqa: F401
from nablax._src.stats_continuous import logistic_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import logistic_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import logistic_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import logistic_sf as sf  # noqa: F401

__all__ = ["cdf", "isf", "logpdf", "pdf", "ppf", "sf"]
