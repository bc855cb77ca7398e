"""jnp's array assembly and editing: insert, delete, put, place, choose, piecewise, block, index tricks (r_, c_, s_, mgrid)."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
