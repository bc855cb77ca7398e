"""nablax.scipy.stats.uniform: the uniform distribution, as jax.scipy.stats.uniform."""
from nablax._src.stats_continuous import uniform_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import uniform_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import uniform_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import uniform_ppf as ppf  # noqa: F401

__all__ = ["cdf", "logpdf", "pdf", "ppf"]
