"""jnp's input/output and printing: save/load, from* constructors, array_repr/array_str, print options."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
