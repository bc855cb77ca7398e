"""nablax.scipy.spatial: rotations (spatial.transform), as jax.scipy.spatial."""
from nablax.scipy.spatial import transform  # noqa: F401
