"""The Array API standard on jnp: dtype names (incl. ml_dtypes), isdtype, from_dlpack, __array_namespace_info__."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
