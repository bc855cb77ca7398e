"""Linear-algebra primitives for general matrices: eig and the condensed forms (schur, hessenberg, tridiagonal).

(Being written for issue 11.)
"""
from __future__ import annotations

__all__: list = []
