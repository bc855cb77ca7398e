"""Continuous distributions of jax.scipy.stats (beta, cauchy, chi2, expon, ...): densities, CDFs and quantiles on lax."""
from __future__ import annotations

__all__: list[str] = []
