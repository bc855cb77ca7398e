"""nablax.nn: activation functions, softmax, one_hot, standardize and initializers, as jax.nn."""
from nablax._src.nn import *  # noqa: F403
from nablax._src.nn import __all__ as _all
from nablax.nn import initializers  # noqa: F401

__all__ = [*_all, "initializers"]
