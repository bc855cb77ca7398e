"""nablax.example_libraries.stax: (init_fun, apply_fun) layer combinators, as jax.example_libraries.stax."""
from __future__ import annotations

__all__: list[str] = []
