"""jnp's function application: vectorize, apply_along_axis, apply_over_axes, fromfunction, frompyfunc, ufunc."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
