"""Discrete and multivariate samplers (poisson, binomial, multinomial, multivariate_normal, ...), bit-identical to JAX's."""
from __future__ import annotations

__all__: list[str] = []
