"""nablax.scipy.sparse.linalg: cg, gmres, bicgstab with the operator given as a function."""
from nablax._src.scipy_sparse_linalg import *  # noqa: F403
from nablax._src.scipy_sparse_linalg import __all__  # noqa: F401
