"""nablax.scipy.sparse: matrix-free solvers (the linalg submodule)."""
from nablax.scipy.sparse import linalg  # noqa: F401
