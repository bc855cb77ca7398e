"""nablax.random: key-based pseudo-random numbers (Threefry-2x32), as jax.random.

`key(seed)` makes a typed key (shape (), dtype key<fry>), `PRNGKey(seed)` a legacy
uint32[2] key. The numbers are JAX's own, bit for bit (see nablax/_src/random.py for
exactly which samplers and dtypes).
"""
from nablax._src import random as _base
from nablax._src import random_discrete as _discrete
from nablax._src import random_gamma as _gamma
from nablax._src.random import *  # noqa: F403
from nablax._src.random_discrete import *  # noqa: F403
from nablax._src.random_gamma import *  # noqa: F403

__all__ = [*_base.__all__, *_gamma.__all__, *_discrete.__all__]
