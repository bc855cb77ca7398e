"""The nablax.numpy namespace, assembled from its area modules (API, not mechanism).

Each area module lists its public names in `__all__` and the Array/Tracer methods it
provides in `METHODS`; `methods.install()` puts those on the shared mixin once.
"""
from . import convolution, creation, indexing, joining, linalg, methods, padding, reductions, sorting, ufuncs
from . import shape as _shape  # (the name `shape` itself is jnp.shape, the function)
from .convolution import *  # noqa: F403
from .creation import *  # noqa: F403
from .indexing import *  # noqa: F403
from .joining import *  # noqa: F403
from .linalg import *  # noqa: F403
from .padding import *  # noqa: F403
from .reductions import *  # noqa: F403
from .shape import *  # noqa: F403
from .sorting import *  # noqa: F403
from .ufuncs import *  # noqa: F403

_AREAS = (creation, ufuncs, _shape, joining, reductions, sorting, linalg, indexing, padding, convolution)
__all__ = [name for mod in _AREAS for name in mod.__all__]
methods.install(_AREAS)
