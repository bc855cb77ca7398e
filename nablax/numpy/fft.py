"""nablax.numpy.fft: discrete Fourier transforms, every name of jax.numpy.fft (see __all__)."""
from nablax._src.numpy.fft import *  # noqa: F403
from nablax._src.numpy.fft import __all__  # noqa: F401
