"""Linear-algebra primitives for orthogonal decompositions: qr, eigh, svd.

(Being written for issue 11.)
"""
from __future__ import annotations

__all__: list = []
