"""Install the operators and methods that the area modules provide on Array and Tracer."""
from __future__ import annotations

from typing import Callable, Iterable

from ..array import install_array_methods


def reflected(fn: Callable) -> Callable:
    """`other <op> self` for the reflected operator `__rop__`."""

    def method(self, other):
        return fn(other, self)

    method.__name__ = f"r{fn.__name__}"
    return method


def install(modules: Iterable) -> None:
    for mod in modules:
        install_array_methods(getattr(mod, "METHODS", {}))
