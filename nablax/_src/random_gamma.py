"""Gamma-family samplers (gamma, beta, dirichlet, chisquare, f, t, generalized_normal, ...) and random_gamma_p, as JAX's."""
from __future__ import annotations

__all__: list[str] = []
