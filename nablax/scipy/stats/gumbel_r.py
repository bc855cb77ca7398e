"""nablax.scipy.stats.gumbel_r: the right-skewed Gumbel distribution, as jax.scipy.stats.gumbel_r."""
from nablax._src.stats_continuous import gumbel_r_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import gumbel_r_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
