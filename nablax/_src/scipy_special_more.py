"""The rest of jax.scipy.special (gamma, beta, hyp1f1, expi, spence, sph_harm_y, ...), on lax and the special_scipy primitives."""
from __future__ import annotations

__all__: list[str] = []
