"""jnp's remaining elementwise math: gcd, lcm, frexp, ldexp, modf, spacing, i0, nan_to_num, window functions."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
