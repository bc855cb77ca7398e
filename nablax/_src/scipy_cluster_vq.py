"""jax.scipy.cluster.vq for nablax."""
from __future__ import annotations

__all__: list[str] = []
