"""The lax operations, by name, for rules that need another family's operation.

Primitive families are peers: elementwise rules unbroadcast with `reduce_sum`, the
transpose of `broadcast_in_dim` is a `reduce_sum`, reductions' JVPs multiply. Importing
each other would make a cycle, so a rule reaches a peer's wrapper through this
namespace at call time (`ops.reduce_sum(x, axes)`). `primitives/__init__.py` fills it
once, with every family's public wrappers, before any rule can run.
"""
from __future__ import annotations

from types import ModuleType


def fill(*families: ModuleType) -> None:
    """Publish each family's `__all__` wrappers here; a name defined twice is a bug."""
    namespace = globals()
    for family in families:
        for name in family.__all__:
            value = getattr(family, name)
            if namespace.get(name, value) is not value:
                raise ValueError(f"ops.{name} is exported by two primitive families")
            namespace[name] = value


def __getattr__(name: str):
    raise AttributeError(
        f"nablax._src.ops has no operation {name!r}: it is filled by importing "
        "nablax._src.primitives, and holds the names in the families' __all__ lists"
    )
