"""nablax.scipy.linalg: dense linear algebra as jax.scipy.linalg (see __all__)."""
from nablax._src.scipy_linalg import *  # noqa: F403
from nablax._src.scipy_linalg import __all__  # noqa: F401
