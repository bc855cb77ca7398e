"""Bit-level primitives: clz, population count helpers, mulhi, reduce_xor, reduce_precision, bitcast."""
from __future__ import annotations

__all__: list = []
