"""Mutable array references (new_ref, Ref, freeze, empty_ref, free_ref) with JAX's semantics under jit, grad and vmap."""
from __future__ import annotations

__all__: list = []
