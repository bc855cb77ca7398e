"""Host callbacks as primitives: pure_callback, io_callback and debug_callback (ordered effects)."""
from __future__ import annotations

__all__: list = []
