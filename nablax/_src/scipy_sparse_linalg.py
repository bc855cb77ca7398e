"""nablax.scipy.sparse.linalg: matrix-free Krylov solvers (cg, gmres, bicgstab).

(Being written for issue 11.)
"""
from __future__ import annotations

__all__: list = []
