"""The nablax.numpy namespace, assembled from its modules (API, not mechanism)."""
from . import methods  # noqa: F401  (installs Array/Tracer operators)
from .creation import array, asarray, full, ones, zeros  # noqa: F401
from .ufuncs import (  # noqa: F401
    add,
    cos,
    divide,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    sin,
    subtract,
    tanh,
    true_divide,
)
