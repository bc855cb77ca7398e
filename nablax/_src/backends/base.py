"""The Backend protocol: what generated code and primitive impls need from an array library."""
from __future__ import annotations

from typing import Any, Protocol


class Backend(Protocol):
    """An array namespace (`xp`) plus conversions; NumPy is the default implementation."""

    name: str
    xp: Any

    def asarray(self, x: Any) -> Any:
        """A backend array from host data."""

    def to_numpy(self, x: Any) -> Any:
        """Host (NumPy) data from a backend array."""
