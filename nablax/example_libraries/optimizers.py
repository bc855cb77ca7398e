"""nablax.example_libraries.optimizers: (init, update, get_params) optimizer triples, as jax.example_libraries.optimizers."""
from __future__ import annotations

__all__: list[str] = []
