"""nablax.random: key-based pseudo-random numbers (Threefry-2x32), as jax.random.

Keys are uint32[2] arrays; `PRNGKey(seed)` and `key(seed)` both make one. Streams are
not bit-identical to JAX's; the distributions are the same.
"""
from nablax._src.random import *  # noqa: F403
from nablax._src.random import __all__  # noqa: F401
