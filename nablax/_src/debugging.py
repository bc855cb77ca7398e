"""jax.debug on nablax: print, callback, breakpoint, ordered from inside jit, vmap and grad."""
from __future__ import annotations

__all__: list = []
