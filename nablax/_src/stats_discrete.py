"""Discrete and multivariate distributions of jax.scipy.stats (bernoulli, binom, poisson, dirichlet, multivariate_normal, ...)."""
from __future__ import annotations

__all__: list[str] = []
