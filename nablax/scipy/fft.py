"""nablax.scipy.fft: discrete cosine transforms as jax.scipy.fft (see __all__)."""
from nablax._src.scipy_fft import *  # noqa: F403
from nablax._src.scipy_fft import __all__  # noqa: F401
