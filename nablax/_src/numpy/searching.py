"""jnp's searching and counting: searchsorted, digitize, bincount, histograms, partition, argpartition."""
from __future__ import annotations

__all__: list = []

METHODS: dict = {}  # (Array methods this area provides)
