"""Top-level runtime names.

Devices, device_put/get, block_until_ready, typeof, jacobian, caches, config context
managers, environment info.
"""
from __future__ import annotations

__all__: list = []
