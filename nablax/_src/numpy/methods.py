"""Operators and methods of Array and Tracer, installed once on the shared mixin."""
from __future__ import annotations

from ..array import install_array_methods
from . import ufuncs


def _swap(fn):
    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = f"r{fn.__name__}"
    return reflected


def _install() -> None:
    install_array_methods({
        "__add__": ufuncs.add, "__radd__": _swap(ufuncs.add),
        "__sub__": ufuncs.subtract, "__rsub__": _swap(ufuncs.subtract),
        "__mul__": ufuncs.multiply, "__rmul__": _swap(ufuncs.multiply),
        "__truediv__": ufuncs.true_divide, "__rtruediv__": _swap(ufuncs.true_divide),
        "__neg__": ufuncs.negative,
        "__lt__": ufuncs.less, "__le__": ufuncs.less_equal,
        "__gt__": ufuncs.greater, "__ge__": ufuncs.greater_equal,
        "__eq__": ufuncs.equal, "__ne__": ufuncs.not_equal,
    })


_install()
