"""nablax.nn: activation functions, softmax, one_hot, standardize and initializers, as jax.nn."""
from nablax._src.nn import *  # noqa: F403
from nablax._src.nn import __all__ as _all
from nablax._src.nn_attention import *  # noqa: F403
from nablax._src.nn_attention import __all__ as _attention_all
from nablax.nn import initializers  # noqa: F401

__all__ = [*_all, *_attention_all, "initializers"]
