"""nablax.numpy.linalg: linear algebra on nablax arrays, every name of jax.numpy.linalg (see __all__)."""
from nablax._src.numpy.linalg_module import *  # noqa: F403
from nablax._src.numpy.linalg_module import __all__  # noqa: F401
