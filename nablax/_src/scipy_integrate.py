"""jax.scipy.integrate for nablax."""
from __future__ import annotations

__all__: list[str] = []
