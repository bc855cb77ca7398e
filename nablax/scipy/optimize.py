"""nablax.scipy.optimize: minimize (BFGS, L-BFGS) and OptimizeResults, as jax.scipy.optimize."""
from nablax._src import scipy_optimize as _impl
from nablax._src.scipy_optimize import *  # noqa: F403

__all__ = list(_impl.__all__)
