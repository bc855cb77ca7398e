"""nablax.numpy: the NumPy API on nablax arrays, differentiable, batchable and jittable."""
from nablax._src.numpy import *  # noqa: F401,F403
from nablax._src.numpy import __dict__ as _ns

__all__ = [k for k in _ns if not k.startswith("_")]
del _ns
