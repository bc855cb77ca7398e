"""jax.scipy.spatial.transform for nablax."""
from __future__ import annotations

__all__: list[str] = []
