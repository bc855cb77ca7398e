"""Linear-algebra primitives that factor or solve: cholesky, lu, triangular_solve, tridiagonal_solve.

(Being written for issue 11.)
"""
from __future__ import annotations

__all__: list = []
