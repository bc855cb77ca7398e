"""The rest of lax on top of the primitives.

In-dim helpers, associative_scan, batch_matmul, ragged_dot, dataclasses, the *_p names.
"""
from __future__ import annotations

__all__: list = []
