"""nablax.scipy.cluster: vector quantisation (vq), as jax.scipy.cluster."""
from nablax.scipy.cluster import vq  # noqa: F401
