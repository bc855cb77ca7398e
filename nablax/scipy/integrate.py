"""nablax.scipy.integrate: trapezoid, as jax.scipy.integrate."""
from nablax._src import scipy_integrate as _impl
from nablax._src.scipy_integrate import *  # noqa: F403

__all__ = list(_impl.__all__)
