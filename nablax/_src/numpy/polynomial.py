"""jnp's polynomial routines: poly, polyval, polyfit, polyadd/sub/mul/div, polyder, polyint, roots, vander."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
