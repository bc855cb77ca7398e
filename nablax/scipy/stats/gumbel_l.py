"""nablax.scipy.stats.gumbel_l: the left-skewed Gumbel distribution, as jax.scipy.stats.gumbel_l."""
from nablax._src.stats_continuous import gumbel_l_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import gumbel_l_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
