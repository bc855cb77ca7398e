"""nablax.numpy: the NumPy API on nablax arrays — differentiable, batchable and jittable."""
from nablax._src.numpy import *  # noqa: F403
from nablax._src.numpy import __all__  # noqa: F401
from nablax.numpy import (
    fft,  # noqa: F401,E402  (the jnp.fft submodule)
    linalg,  # noqa: F401,E402  (the jnp.linalg submodule)
)
