"""nablax.scipy.stats.vonmises: the von Mises distribution, as jax.scipy.stats.vonmises."""
from nablax._src.stats_continuous import vonmises_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous import vonmises_pdf as pdf  # noqa: F401

__all__ = ["logpdf", "pdf"]
