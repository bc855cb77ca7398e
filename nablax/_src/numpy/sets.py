"""jnp's set routines: unique and its Array API variants, intersect1d, union1d, setdiff1d, setxor1d, isin."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
