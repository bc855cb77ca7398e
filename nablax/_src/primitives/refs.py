"""Mutable array references as primitives: ref creation, get, swap and add-update (JAX's array refs)."""
from __future__ import annotations

__all__: list = []
