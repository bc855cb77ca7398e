"""nablax.scipy.linalg: SciPy's dense linear algebra on nablax arrays.

(Being written for issue 11.)
"""
from __future__ import annotations

__all__: list = []
