"""nablax.scipy.stats.t: Student's t distribution, as jax.scipy.stats.t."""
from nablax._src.stats_continuous_shape import t_logpdf as logpdf  # noqa: F401
from nablax._src.stats_continuous_shape import t_pdf as pdf  # noqa: F401

__all__ = ["logpdf", "pdf"]
