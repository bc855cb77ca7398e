"""nablax.scipy.stats.pareto: the Pareto distribution, as jax.scipy.stats.pareto."""
from nablax._src.stats_continuous import pareto_cdf as cdf  # noqa: F401
from nablax._src.stats_continuous import pareto_logcdf as logcdf  # noqa: F401
from nablax._src.stats_continuous import pareto_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import pareto_logsf as logsf  # noqa: F401
from nablax._src.stats_continuous import pareto_pdf as pdf  # noqa: F401
from nablax._src.stats_continuous import pareto_ppf as ppf  # noqa: F401
from nablax._src.stats_continuous import pareto_sf as sf  # noqa: F401

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
