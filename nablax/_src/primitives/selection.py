"""Selection and scan-like primitives: top_k, cumlogsumexp, optimization_barrier."""
from __future__ import annotations

__all__: list = []
