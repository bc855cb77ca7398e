"""jnp's statistics and calculus on samples: quantiles, nan-reductions, cov, corrcoef, diff, gradient, interp."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
