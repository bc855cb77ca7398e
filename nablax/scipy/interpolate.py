"""nablax.scipy.interpolate: RegularGridInterpolator, as jax.scipy.interpolate."""
from nablax._src import scipy_interpolate as _impl
from nablax._src.scipy_interpolate import *  # noqa: F403

__all__ = list(_impl.__all__)
