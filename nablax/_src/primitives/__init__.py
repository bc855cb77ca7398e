"""All primitive families. Importing this package registers every primitive."""
from .. import ops
from . import (  # noqa: F401
    bitwise,
    callbacks,
    collectives,
    conv,
    dynamic_slice,
    eig,
    eig_householder,
    eig_tridiagonal,
    elementwise,
    factorizations,
    factorizations_more,
    fft,
    indexing,
    linalg,
    misc,
    random_bits,
    random_gamma,
    reductions,
    refs,
    selection,
    shape,
    sorting,
    special,
    special_more,
    special_scipy,
    spectral,
    window_util,
    windows,
)
from ._define import PRIMITIVES  # noqa: F401

ops.fill(bitwise, callbacks, collectives, conv, dynamic_slice, eig, elementwise, factorizations, factorizations_more,
         fft, indexing, linalg, misc, random_bits, random_gamma, reductions, refs, selection, shape, sorting, special,
         special_more, special_scipy, spectral, window_util, windows)
