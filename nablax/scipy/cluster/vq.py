"""nablax.scipy.cluster.vq: vq, as jax.scipy.cluster.vq."""
from nablax._src import scipy_cluster_vq as _impl
from nablax._src.scipy_cluster_vq import *  # noqa: F403

__all__ = list(_impl.__all__)
