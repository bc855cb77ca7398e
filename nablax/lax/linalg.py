"""nablax.lax.linalg: the linear-algebra primitives' wrappers, as jax.lax.linalg."""
from nablax._src.primitives.eig import *  # noqa: F403
from nablax._src.primitives.factorizations import *  # noqa: F403
from nablax._src.primitives.spectral import *  # noqa: F403
from nablax._src.qdwh import *  # noqa: F403
