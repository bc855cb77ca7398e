"""Special-function primitives whose values are SciPy kernels (hyp1f1, hyp2f1, expi, spence, ...), with JAX's derivatives."""
from __future__ import annotations

__all__: list[str] = []
