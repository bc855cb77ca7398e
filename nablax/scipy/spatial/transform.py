"""nablax.scipy.spatial.transform: Rotation and Slerp, as jax.scipy.spatial.transform."""
from nablax._src import scipy_spatial_transform as _impl
from nablax._src.scipy_spatial_transform import *  # noqa: F403

__all__ = list(_impl.__all__)
