"""The nablax.numpy namespace, assembled from its area modules (API, not mechanism).

Each area module lists its public names in `__all__` and the Array/Tracer methods it
provides in `METHODS`; `methods.install()` puts those on the shared mixin once.
"""
from . import creation, methods, ufuncs
from .creation import *  # noqa: F403
from .ufuncs import *  # noqa: F403

_AREAS = (creation, ufuncs)
__all__ = [name for mod in _AREAS for name in mod.__all__]
methods.install(_AREAS)
