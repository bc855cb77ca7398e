"""nablax.scipy.signal: as jax.scipy.signal (see __all__)."""
from nablax._src.scipy_signal import *  # noqa: F403
from nablax._src.scipy_signal import __all__  # noqa: F401
