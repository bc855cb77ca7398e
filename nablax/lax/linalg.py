"""nablax.lax.linalg: the linear-algebra primitives' wrappers, as jax.lax.linalg."""
from nablax._src.primitives.eig import *  # noqa: F403
from nablax._src.primitives.factorizations import *  # noqa: F403
from nablax._src.primitives.spectral import *  # noqa: F403
from nablax._src.qdwh import *  # noqa: F403

# isort: split
# The primitives themselves, under JAX's names (as jax.lax.linalg exports them).
from nablax._src.primitives.eig import eig_p, schur_p  # noqa: E402,F401
from nablax._src.primitives.eig_householder import (  # noqa: E402,F401
    hessenberg_p,
    householder_product_p,
    ormqr_p,
    tridiagonal_p,
)
from nablax._src.primitives.factorizations import (  # noqa: E402,F401
    cholesky_p,
    lu_p,
    lu_pivots_to_permutation_p,
    triangular_solve_p,
)
from nablax._src.primitives.factorizations_more import (  # noqa: E402,F401
    cholesky_update_p,
    symmetric_product_p,
    tridiagonal_solve_p,
)
