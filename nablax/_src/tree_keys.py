"""Key paths of pytrees: the key entries naming a child, and ``keystr``."""
from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any


class _BracketedKey:
    """Prints as its bare key in brackets (``[0]``, ``['a']``), as JAX's index and dict keys do."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"[{_simple_key(self)!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class SequenceKey(_BracketedKey):
    """Index of a child of a tuple or list: prints as ``[0]``."""
    idx: int


@dataclasses.dataclass(frozen=True, slots=True)
class DictKey(_BracketedKey):
    """Key of a child of a dict: prints as ``['a']``."""
    key: Hashable


@dataclasses.dataclass(frozen=True, slots=True)
class GetAttrKey:
    """Attribute name of a child (namedtuple fields, dataclasses): prints as ``.name``."""
    name: str

    def __str__(self) -> str:
        return f".{self.name}"


@dataclasses.dataclass(frozen=True, slots=True)
class FlattenedIndexKey(_BracketedKey):
    """Position of a child of a custom node registered without keys: prints as ``[0]``."""
    key: int


KeyEntry = Any
KeyPath = tuple


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
    """Render a key path, e.g. ``[0]['a'].b``; ``simple=True`` gives the bare keys."""
    if simple:
        return separator.join(str(_simple_key(k)) for k in keys)
    return separator.join(map(str, keys))


def _simple_key(k: Any) -> Any:
    t = type(k)
    if t is SequenceKey:
        return k.idx
    if t is DictKey or t is FlattenedIndexKey:
        return k.key
    if t is GetAttrKey:
        return k.name
    return k
