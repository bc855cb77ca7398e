"""All primitive families. Importing this package registers every primitive."""
from .. import ops
from . import (  # noqa: F401
    collectives,
    dynamic_slice,
    eig,
    eig_householder,
    eig_tridiagonal,
    elementwise,
    factorizations,
    factorizations_more,
    indexing,
    linalg,
    misc,
    random_bits,
    reductions,
    shape,
    sorting,
    special,
    spectral,
)
from ._define import PRIMITIVES  # noqa: F401

ops.fill(collectives, dynamic_slice, eig, elementwise, factorizations, factorizations_more, indexing, linalg, misc,
         random_bits, reductions, shape, sorting, special, spectral)
