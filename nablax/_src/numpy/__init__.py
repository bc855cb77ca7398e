"""The nablax.numpy namespace, assembled from its area modules (API, not mechanism).

Each area module lists its public names in `__all__` and the Array/Tracer methods it
provides in `METHODS`; `methods.install()` puts those on the shared mixin once.
"""
from . import (
    array_api,
    assembly,
    assembly_index,
    convolution,
    creation,
    fileio,
    functional,
    indexing,
    joining,
    linalg,
    mathfuncs,
    methods,
    padding,
    polynomial,
    reductions,
    searching,
    sets,
    sorting,
    statistics,
    ufunc_objects,
    ufuncs,
)
from . import shape as _shape  # (the name `shape` itself is jnp.shape, the function)
from .array_api import *  # noqa: F403
from .assembly import *  # noqa: F403
from .assembly_index import *  # noqa: F403
from .convolution import *  # noqa: F403
from .creation import *  # noqa: F403
from .fileio import *  # noqa: F403
from .functional import *  # noqa: F403
from .indexing import *  # noqa: F403
from .joining import *  # noqa: F403
from .linalg import *  # noqa: F403
from .mathfuncs import *  # noqa: F403
from .padding import *  # noqa: F403
from .polynomial import *  # noqa: F403
from .reductions import *  # noqa: F403
from .searching import *  # noqa: F403
from .sets import *  # noqa: F403
from .shape import *  # noqa: F403
from .sorting import *  # noqa: F403
from .statistics import *  # noqa: F403
from .ufunc_objects import *  # noqa: F403
from .ufuncs import *  # noqa: F403

_AREAS = (creation, ufuncs, _shape, joining, reductions, sorting, linalg, indexing, padding, convolution,
          sets, searching, statistics, polynomial, mathfuncs, assembly, assembly_index, functional, fileio, array_api,
          ufunc_objects)
__all__ = [name for mod in _AREAS for name in mod.__all__]
methods.install(_AREAS)
