"""nablax.scipy.ndimage: map_coordinates, as jax.scipy.ndimage."""
from nablax._src import scipy_ndimage as _impl
from nablax._src.scipy_ndimage import *  # noqa: F403

__all__ = list(_impl.__all__)
