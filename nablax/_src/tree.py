"""Pytrees: nested containers flattened to a list of leaves plus a hashable PyTreeDef.

Every transformation takes and returns pytrees, and jit keys its cache on the
PyTreeDef of its arguments, so flatten, hash and == are on the hot path: nodes
are dispatched on ``type(x)`` through one dict, and built-in containers are
handled inline.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from .tree_keys import (  # noqa: F401 - re-exported: the key path API is part of nablax.tree_util
    DictKey,
    FlattenedIndexKey,
    GetAttrKey,
    KeyEntry,
    KeyPath,
    SequenceKey,
    keystr,
)

_LEAF, _NONE, _TUPLE, _LIST, _DICT, _NAMEDTUPLE, _CUSTOM = range(7)
_T = TypeVar("_T", bound=type)


class _Node(NamedTuple):
    tag: int
    flatten: Callable | None = None            # x -> (children, aux)
    unflatten: Callable | None = None          # (aux, children) -> x
    flatten_with_keys: Callable | None = None  # x -> ([(key, child)], aux)


_registry: dict[type, _Node] = {
    tuple: _Node(_TUPLE), list: _Node(_LIST), dict: _Node(_DICT), type(None): _Node(_NONE),
}
_registry_get = _registry.get


# ---------------------------------------------------------------- PyTreeDef

def _sorted_keys(d: dict) -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError as e:  # e.g. {1: ..., "y": ...}: JAX raises ValueError from the TypeError
        raise ValueError(
            f"Comparator raised exception while sorting pytree dictionary keys: {e}. The keys "
            f"{list(d)!r:.200} cannot be ordered; a dict in a pytree needs keys that sort "
            "together (e.g. all str or all int).") from e


class PyTreeDef:
    """The structure of a pytree: immutable, hashable, compared structurally.

    Built by ``tree_flatten``; attributes are read-only by convention.
    """

    __slots__ = ("_aux", "_children", "_flat", "_hash", "_num_leaves", "_num_nodes", "_tag",
                 "_type")

    def __init__(self, tag: int, type_: Any, aux: Any, children: tuple) -> None:
        self._tag, self._type, self._aux, self._children = tag, type_, aux, children
        self._num_leaves = 1 if tag == _LEAF else sum(c._num_leaves for c in children)
        self._num_nodes = 1 + sum(c._num_nodes for c in children)
        self._flat = all(c._tag == _LEAF for c in children)
        self._hash = None

    @property
    def num_leaves(self) -> int:
        return self._num_leaves

    @property
    def num_nodes(self) -> int:
        return self._num_nodes

    def children(self) -> list[PyTreeDef]:
        """The treedefs of the immediate children."""
        return list(self._children)

    def node_data(self) -> tuple[type, Any] | None:
        """``(node type, aux data)``, or None for a leaf."""
        return None if self._tag == _LEAF else (self._type, self._aux)

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """Rebuild a pytree of this structure from its leaves (in flatten order)."""
        if type(leaves) is not list and type(leaves) is not tuple:
            leaves = list(leaves)
        if len(leaves) != self._num_leaves:
            few = "few" if len(leaves) < self._num_leaves else "many"
            raise ValueError(f"Too {few} leaves for {self!r}: expected {self._num_leaves} "
                             f"leaves, got {len(leaves)}.")
        try:
            return _build(self, leaves, 0)[0]
        except RecursionError:  # very deep trees: the same recursion on an explicit stack
            return _drive(_build_g(self, leaves, 0))[0]

    def flatten_up_to(self, tree: Any) -> list[Any]:
        """The subtrees of ``tree`` sitting where this structure has leaves."""
        return _subtrees_at_leaves(self, tree, lambda where: (
            f"flatten_up_to: tree does not match {self!r} {where}; its structure is {tree_structure(tree)!r}."))

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """This structure with every leaf replaced by ``inner``."""
        return _drive(_compose(self, inner))

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        try:
            return _eq(self, other)
        except RecursionError:
            return _drive(_eq_g(self, other))

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            try:
                h = _hash(self)
            except RecursionError:
                h = _drive(_hash_g(self))
        return h

    def __reduce__(self):
        return _unpickle_def, (self._tag, self._type, self._aux, self._children)

    def __repr__(self) -> str:
        return f"PyTreeDef({_drive(_repr_g(self))})"


_LEAF_DEF = PyTreeDef(_LEAF, None, None, ())
_NONE_DEF = PyTreeDef(_NONE, type(None), None, ())
_new_def = object.__new__


def _unpickle_def(tag: int, type_: Any, aux: Any, children: tuple) -> PyTreeDef:
    if tag == _LEAF:
        return _LEAF_DEF
    return _NONE_DEF if tag == _NONE else PyTreeDef(tag, type_, aux, children)


@functools.lru_cache(maxsize=256)
def _leaf_defs(n: int) -> tuple:
    """``(_LEAF_DEF,) * n``, shared so equal flat nodes compare children by identity."""
    return (_LEAF_DEF,) * n


# ---------------------------------------------------------------- deep trees
# The hot recursions (flatten, unflatten, ==, hash, prefix matching) are plain Python
# recursion and fall back, on RecursionError, to generator versions run by `_drive`, whose
# depth is bounded by memory rather than by the interpreter's recursion limit (JAX handles
# ~1000 levels). The cold ones (repr, compose) only exist as generators.

def _drive(gen: Any) -> Any:
    """Run a generator-style recursion on an explicit stack: inside one, ``yield g``
    runs the sub-generator ``g`` and evaluates to its return value."""
    stack, value = [gen], None
    while stack:
        try:
            sub = stack[-1].send(value)
        except StopIteration as done:
            stack.pop()
            value = done.value
        else:
            stack.append(sub)
            value = None
    return value


def _same_node(a: PyTreeDef, b: PyTreeDef) -> bool:
    if (a._tag != b._tag or a._type is not b._type or a._num_nodes != b._num_nodes
            or a._num_leaves != b._num_leaves or len(a._children) != len(b._children)):
        return False
    h1, h2 = a._hash, b._hash
    if h1 is not None and h2 is not None and h1 != h2:
        return False
    return bool(a._aux == b._aux)


def _eq(a: PyTreeDef, b: PyTreeDef) -> bool:
    if not _same_node(a, b):
        return False
    if a._children is not b._children:  # flat nodes share their children tuple
        for x, y in zip(a._children, b._children):
            if x is not y and not _eq(x, y):
                return False
    return True


def _eq_g(a: PyTreeDef, b: PyTreeDef):
    if not _same_node(a, b):
        return False
    for x, y in zip(a._children, b._children):
        if x is not y and not (yield _eq_g(x, y)):
            return False
    return True


def _node_hash(td: PyTreeDef, child_hashes: tuple) -> int:
    """Hash of a node given its non-leaf children's hashes (leaf children are implied by
    the counts). Aux data that cannot be hashed (a dict, as JAX allows) is left out:
    equal treedefs still hash equal, and == compares the aux data."""
    try:
        h = hash((td._tag, td._type, td._aux, td._num_leaves, td._num_nodes) + child_hashes)
    except TypeError:
        h = hash((td._tag, td._type, td._num_leaves, td._num_nodes) + child_hashes)
    td._hash = h
    return h


def _hash(td: PyTreeDef) -> int:
    h = td._hash
    if h is None:
        kids = () if td._flat else tuple(_hash(c) for c in td._children if c._tag != _LEAF)
        h = _node_hash(td, kids)
    return h


def _hash_g(td: PyTreeDef):
    h = td._hash
    if h is None:
        kids = []
        for c in td._children:
            if c._tag != _LEAF:
                kids.append((yield _hash_g(c)))
        h = _node_hash(td, tuple(kids))
    return h


def _compose(td: PyTreeDef, inner: PyTreeDef):
    if td._tag == _LEAF:
        return inner
    kids = []
    for c in td._children:
        kids.append((yield _compose(c, inner)))
    return PyTreeDef(td._tag, td._type, td._aux, tuple(kids))


def _repr_g(td: PyTreeDef):
    tag = td._tag
    if tag == _LEAF:
        return "*"
    if tag == _NONE:
        return "None"
    kids = []
    for c in td._children:
        kids.append("*" if c is _LEAF_DEF else (yield _repr_g(c)))
    if tag == _TUPLE:
        return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"
    if tag == _LIST:
        return "[" + ", ".join(kids) + "]"
    if tag == _DICT:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(td._aux, kids)) + "}"
    # Every other node prints as JAX prints it: CustomNode(name[aux], [children]).
    if tag == _NAMEDTUPLE:
        head = f"namedtuple[{td._type.__name__}]"
    else:
        aux = td._aux
        if td._type is collections.defaultdict:
            aux = (aux[0], tuple(aux[1]))
        elif td._type is collections.OrderedDict:
            aux = tuple(aux)
        head = f"{td._type.__name__}[{aux}]"
    return f"CustomNode({head}, [{', '.join(kids)}])"


def _build(td: PyTreeDef, leaves: Sequence, i: int) -> tuple[Any, int]:
    """Rebuild the subtree ``td`` from ``leaves[i:]``; returns (subtree, next index)."""
    tag = td._tag
    if tag == _LEAF:
        return leaves[i], i + 1
    if tag == _NONE:
        return None, i
    if td._flat:
        j = i + td._num_leaves
        kids = leaves[i:j]
    else:
        kids = []
        for c in td._children:
            if c is _LEAF_DEF:
                kids.append(leaves[i])
                i += 1
            else:
                v, i = _build(c, leaves, i)
                kids.append(v)
        j = i
    if tag == _TUPLE:
        return tuple(kids), j
    return _make_node(td, kids), j


def _build_g(td: PyTreeDef, leaves: Sequence, i: int):
    tag = td._tag
    if tag == _LEAF:
        return leaves[i], i + 1
    if tag == _NONE:
        return None, i
    kids = []
    for c in td._children:
        v, i = yield _build_g(c, leaves, i)
        kids.append(v)
    return _make_node(td, kids), i


def _make_node(td: PyTreeDef, kids: Sequence) -> Any:
    tag = td._tag
    if tag == _TUPLE:
        return tuple(kids)
    if tag == _LIST:
        return list(kids)
    if tag == _DICT:
        return dict(zip(td._aux, kids))
    if tag == _NAMEDTUPLE:
        return td._type(*kids)
    return _registry[td._type].unflatten(td._aux, tuple(kids))


# ---------------------------------------------------------------- flattening

def _has_node(children: Sequence) -> bool:
    """Whether any child is a pytree node (errs towards True for tuple subclasses)."""
    if len(children) < 8:
        for c in children:
            ct = type(c)
            if ct in _registry or (isinstance(c, tuple) and hasattr(ct, "_fields")):
                return True
        return False
    for ct in set(map(type, children)):  # long containers: check each distinct type once
        if ct in _registry or issubclass(ct, tuple):
            return True
    return False


def _flatten(x: Any, leaves: list) -> PyTreeDef:
    """The fast path: no is_leaf, no key paths."""
    t = type(x)
    node = _registry_get(t)
    if node is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            tag, aux, children = _NAMEDTUPLE, None, tuple(x)  # tuple(): a subclass may override len/[] (Rotation)
        else:
            leaves.append(x)
            return _LEAF_DEF
    else:
        tag = node.tag
        if tag == _TUPLE or tag == _LIST:
            aux, children = None, x
        elif tag == _DICT:
            aux = _sorted_keys(x)
            children = [x[k] for k in aux]
        elif tag == _NONE:
            return _NONE_DEF
        else:
            children, aux = node.flatten(x)
            children = tuple(children)
    td = _new_def(PyTreeDef)
    td._tag, td._type, td._aux, td._hash = tag, t, aux, None
    start = len(leaves)
    if not _has_node(children):  # all leaves: the common case, no per-child PyTreeDef work
        leaves.extend(children)
        n = len(leaves) - start
        td._children, td._num_leaves, td._num_nodes, td._flat = _leaf_defs(n), n, n + 1, True
        return td
    defs = []
    extra = 0
    append, dappend = leaves.append, defs.append
    for c in children:
        ct = type(c)
        if ct in _registry or (isinstance(c, tuple) and hasattr(ct, "_fields")):
            d = _flatten(c, leaves)
            dappend(d)
            extra += d._num_nodes - 1
        else:
            append(c)
            dappend(_LEAF_DEF)
    td._children, td._num_leaves = tuple(defs), len(leaves) - start
    td._num_nodes = len(defs) + 1 + extra
    td._flat = all(d is _LEAF_DEF for d in defs)  # tuple-subclass leaves land here too
    return td


def _parts(x: Any, with_keys: bool):
    """``(tag, type, aux, children, keys)`` of a node (keys only if asked), None for a leaf."""
    t = type(x)
    node = _registry_get(t)
    if node is None:
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            return _NAMEDTUPLE, t, None, tuple(x), with_keys and [GetAttrKey(f) for f in t._fields]
        return None
    tag = node.tag
    if tag == _TUPLE or tag == _LIST:
        return tag, t, None, x, with_keys and [SequenceKey(i) for i in range(len(x))]
    if tag == _DICT:
        aux = _sorted_keys(x)
        return tag, t, aux, [x[k] for k in aux], with_keys and [DictKey(k) for k in aux]
    if tag == _NONE:
        return tag, t, None, (), []
    if with_keys and node.flatten_with_keys is not None:
        pairs, aux = node.flatten_with_keys(x)
        pairs = list(pairs)
        return tag, t, aux, [c for _, c in pairs], [k for k, _ in pairs]
    children, aux = node.flatten(x)
    children = list(children)
    return tag, t, aux, children, with_keys and [FlattenedIndexKey(i) for i in range(len(children))]


def _general_node(x: Any, leaves: list, is_leaf: Callable | None, paths: list | None, path: tuple):
    """One step of flattening with ``is_leaf`` and/or key paths (collected into ``paths``):
    the PyTreeDef of a leaf or None (recorded), else the node's `_parts`."""
    p = None if is_leaf is not None and is_leaf(x) else _parts(x, paths is not None)
    if p is None:
        leaves.append(x)
        if paths is not None:
            paths.append(path)
        return _LEAF_DEF
    return _NONE_DEF if p[0] == _NONE else p


def _flatten_general(x: Any, leaves: list, is_leaf: Callable | None, paths: list | None,
                     path: tuple) -> PyTreeDef:
    p = _general_node(x, leaves, is_leaf, paths, path)
    if type(p) is PyTreeDef:
        return p
    tag, t, aux, children, keys = p
    defs = tuple([_flatten_general(c, leaves, is_leaf, paths, path if paths is None else path + (keys[i],))
                  for i, c in enumerate(children)])
    return PyTreeDef(tag, t, aux, defs)


def _flatten_general_g(x: Any, leaves: list, is_leaf: Callable | None, paths: list | None, path: tuple):
    p = _general_node(x, leaves, is_leaf, paths, path)
    if type(p) is PyTreeDef:
        return p
    tag, t, aux, children, keys = p
    defs = []
    for i, c in enumerate(children):
        defs.append((yield _flatten_general_g(c, leaves, is_leaf, paths,
                                              path if paths is None else path + (keys[i],))))
    return PyTreeDef(tag, t, aux, tuple(defs))


def _flatten_any(tree: Any, leaves: list, is_leaf: Callable | None, paths: list | None) -> PyTreeDef:
    try:
        return _flatten_general(tree, leaves, is_leaf, paths, ())
    except RecursionError:  # very deep: the same on an explicit stack
        leaves.clear()
        if paths is not None:
            paths.clear()
        return _drive(_flatten_general_g(tree, leaves, is_leaf, paths, ()))


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                 ) -> tuple[list[Any], PyTreeDef]:
    """Flatten ``tree`` into its leaves (in canonical order) and its structure."""
    leaves: list = []
    if is_leaf is None:
        try:
            return leaves, _flatten(tree, leaves)
        except RecursionError:  # very deep: the general flatten runs on an explicit stack
            leaves.clear()
            return leaves, _drive(_flatten_general_g(tree, leaves, None, None, ()))
    return leaves, _flatten_any(tree, leaves, is_leaf, None)


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """The leaves of ``tree`` in flatten order."""
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The PyTreeDef of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree with structure ``treedef`` from ``leaves``."""
    return treedef.unflatten(leaves)


def tree_flatten_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                           ) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
    """Like ``tree_flatten`` but each leaf comes with its key path."""
    leaves: list = []
    paths: list = []
    td = _flatten_any(tree, leaves, is_leaf, paths)
    return list(zip(paths, leaves)), td


def tree_leaves_with_path(tree: Any, is_leaf: Callable[[Any], bool] | None = None
                          ) -> list[tuple[KeyPath, Any]]:
    """The ``(key path, leaf)`` pairs of ``tree``."""
    return tree_flatten_with_path(tree, is_leaf)[0]


# ---------------------------------------------------------------- matching structures

class _Mismatch(Exception):
    def __init__(self, path: list, msg: str) -> None:
        self.path, self.msg = tuple(path), msg

    def where(self) -> str:
        at = f"at {keystr(self.path)}" if self.path else "at the root"
        return f"{at}: {self.msg}"


def _node_name(td: PyTreeDef) -> str:
    return {_TUPLE: "tuple", _LIST: "list", _DICT: "dict", _NONE: "None"}.get(
        td._tag, getattr(td._type, "__name__", str(td._type)))


def _matched_children(td: PyTreeDef, x: Any, path: list):
    """``(key, child, child treedef)`` for each child of ``x``, which must be a node like ``td``
    (else _Mismatch)."""
    p = _parts(x, True)
    if p is None or p[1] is not td._type:
        got = "a leaf" if p is None else f"a {type(x).__name__} node"
        raise _Mismatch(path, f"expected a {_node_name(td)} node, got {got} ({x!r:.80})")
    tag, _, aux, children, keys = p
    if len(children) != len(td._children):
        raise _Mismatch(path, f"expected a {_node_name(td)} with {len(td._children)} "
                              f"children, got {len(children)}")
    if not bool(aux == td._aux):
        what = "keys" if tag == _DICT else "node data"
        raise _Mismatch(path, f"{_node_name(td)} {what} differ: expected {td._aux!r}, got {aux!r}")
    return zip(keys, children, td._children)


def _up_to_rec(td: PyTreeDef, x: Any, out: list, path: list) -> None:
    for k, c, sub in _matched_children(td, x, path):
        if sub._tag == _LEAF:
            out.append(c)
        else:
            path.append(k)
            _up_to_rec(sub, c, out, path)
            path.pop()


def _up_to_g(td: PyTreeDef, x: Any, out: list, path: list):
    for k, c, sub in _matched_children(td, x, path):
        if sub._tag == _LEAF:
            out.append(c)
        else:
            path.append(k)
            yield _up_to_g(sub, c, out, path)
            path.pop()


def _up_to(td: PyTreeDef, x: Any, out: list) -> None:
    """Append to ``out`` the subtrees of ``x`` at the leaves of ``td``; raise _Mismatch."""
    if td._tag == _LEAF:
        out.append(x)
        return
    try:
        _up_to_rec(td, x, out, [])
    except RecursionError:
        out.clear()
        _drive(_up_to_g(td, x, out, []))


def _subtrees_at_leaves(td: PyTreeDef, x: Any, message: Callable[[str], str]) -> list:
    """The subtrees of ``x`` at the leaves of ``td``; if ``x`` does not have ``td`` as a prefix,
    a ValueError with ``message(where they differ)``."""
    out: list = []
    try:
        _up_to(td, x, out)
    except _Mismatch as m:
        raise ValueError(message(m.where())) from None
    return out


def _map_inputs(fname: str, treedef: PyTreeDef, rest: tuple) -> list[list]:
    return [_subtrees_at_leaves(treedef, r, lambda where, i=i, r=r: (
        f"{fname}: tree {i} must have the structure of tree 1 (or have it as a prefix), but they differ "
        f"{where}.\n  tree 1: {treedef!r}\n  tree {i}: {tree_structure(r)!r}")) for i, r in enumerate(rest, 2)]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Apply ``f`` to each leaf of ``tree`` (and the matching subtrees of ``rest``)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    if not rest:
        return treedef.unflatten([f(x) for x in leaves])
    subs = _map_inputs("tree_map", treedef, rest)
    return treedef.unflatten([f(*xs) for xs in zip(leaves, *subs)])


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``tree_map`` where ``f`` also receives each leaf's key path first."""
    pairs, treedef = tree_flatten_with_path(tree, is_leaf)
    subs = _map_inputs("tree_map_with_path", treedef, rest)
    return treedef.unflatten([f(p, x, *xs) for (p, x), *xs in zip(pairs, *subs)])


_MISSING = object()


def tree_reduce(f: Callable[[Any, Any], Any], tree: Any, initializer: Any = _MISSING,
                is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``functools.reduce`` over the leaves of ``tree``."""
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _MISSING:
        return functools.reduce(f, leaves)
    return functools.reduce(f, leaves, initializer)


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True if every leaf is truthy."""
    return all(tree_leaves(tree, is_leaf))


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True if every element of ``iterable`` is a leaf (None is not a leaf)."""
    items = list(iterable)
    if is_leaf is None:
        return all(_parts(x, False) is None for x in items)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(a is b for a, b in zip(items, leaves))


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True for a one-node treedef (a leaf, but also ``None`` and ``()``, as in JAX)."""
    return treedef._num_nodes == 1


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
    """True only for the structure of a single leaf."""
    return treedef._tag == _LEAF


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    """The treedefs of the immediate children."""
    return treedef.children()


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The treedef of a tuple whose children have the given structures."""
    return PyTreeDef(_TUPLE, tuple, None, tuple(treedefs))


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
    """Turn an outer-of-inner pytree into an inner-of-outer pytree."""
    flat, treedef = tree_flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    expected = outer_treedef.compose(inner_treedef)
    if treedef != expected:
        raise TypeError(f"tree_transpose: tree structure {treedef!r} is not the outer "
                        f"structure composed with the inner one, {expected!r}.")
    n_in, n_out = inner_treedef.num_leaves, outer_treedef.num_leaves
    rows = [flat[i * n_in:(i + 1) * n_in] for i in range(n_out)]
    return inner_treedef.unflatten([outer_treedef.unflatten(col) for col in zip(*rows)])


def broadcast_prefix(prefix_tree: Any, full_tree: Any,
                     is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """For each leaf of ``full_tree``, the leaf of ``prefix_tree`` that covers it.

    ``None`` in ``prefix_tree`` is a leaf (vmap's ``in_axes=None``: not mapped).
    """
    def prefix_leaf(x: Any) -> bool:
        return x is None or (is_leaf is not None and bool(is_leaf(x)))

    prefix_leaves, prefix_def = tree_flatten(prefix_tree, prefix_leaf)
    subs = _subtrees_at_leaves(prefix_def, full_tree, lambda where: (
        f"broadcast_prefix: the prefix tree is not a prefix of the full tree; they differ {where}.\n"
        f"  prefix: {prefix_def!r}\n  full:   {tree_structure(full_tree)!r}"))
    out: list = []
    for p, sub in zip(prefix_leaves, subs):
        out.extend([p] * len(tree_leaves(sub)))
    return out


def tree_broadcast(prefix_tree: Any, full_tree: Any,
                   is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """``prefix_tree`` with each of its leaves repeated to the structure of ``full_tree``."""
    return tree_structure(full_tree).unflatten(broadcast_prefix(prefix_tree, full_tree, is_leaf))


# ---------------------------------------------------------------- registration

_registry_lock = threading.Lock()  # check-and-insert is atomic: a type registers once


def _register(nodetype: type, node: _Node) -> None:
    if not isinstance(nodetype, type):
        raise TypeError(f"pytree node types must be classes, got {nodetype!r}.")
    with _registry_lock:
        if nodetype in _registry:
            raise ValueError(f"{nodetype.__qualname__} is already registered as a pytree node.")
        _registry[nodetype] = node


def register_pytree_node(nodetype: type, flatten_func: Callable[[Any], tuple[Iterable, Any]],
                         unflatten_func: Callable[[Any, Iterable], Any],
                         flatten_with_keys_func: Callable | None = None) -> None:
    """Make ``nodetype`` a pytree node.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data, children)``.
    ``aux_data`` must be hashable and comparable: it is part of the PyTreeDef.
    """
    _register(nodetype, _Node(_CUSTOM, flatten_func, unflatten_func, flatten_with_keys_func))


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
    """Register a node whose children carry keys: ``flatten_with_keys(x) -> ([(key, child)], aux)``."""
    if flatten_func is None:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [c for _, c in pairs], aux
    _register(nodetype, _Node(_CUSTOM, flatten_func, unflatten_func, flatten_with_keys))


def register_pytree_node_class(cls: _T) -> _T:
    """Class decorator: register via ``x.tree_flatten()`` and ``cls.tree_unflatten(aux, children)``."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def register_pytree_with_keys_class(cls: _T) -> _T:
    """Class decorator: like ``register_pytree_node_class`` using ``x.tree_flatten_with_keys()``."""
    flat = (lambda x: x.tree_flatten()) if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(), cls.tree_unflatten, flat)
    return cls


def register_dataclass(nodetype: _T, data_fields: Sequence[str] | None = None,
                       meta_fields: Sequence[str] | None = None) -> _T:
    """Register a dataclass: ``data_fields`` are children, ``meta_fields`` are static aux data.

    Without field lists, fields with ``metadata={'static': True}`` are meta, the rest data.
    """
    if data_fields is None or meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError("register_dataclass needs data_fields and meta_fields for a "
                            f"class that is not a dataclass ({nodetype.__qualname__}).")
        fields = [f for f in dataclasses.fields(nodetype) if f.init]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
    data, meta = tuple(data_fields), tuple(meta_fields)

    def unflatten(aux, children):
        return nodetype(**dict(zip(meta, aux)), **dict(zip(data, children)))

    register_pytree_node(
        nodetype, lambda x: ([getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)),
        unflatten,
        lambda x: ([(GetAttrKey(n), getattr(x, n)) for n in data],
                   tuple(getattr(x, n) for n in meta)))
    return nodetype


register_pytree_with_keys(
    collections.OrderedDict,
    lambda d: ([(DictKey(k), v) for k, v in d.items()], tuple(d)),
    lambda keys, values: collections.OrderedDict(zip(keys, values)),
    lambda d: (list(d.values()), tuple(d)))


def _defaultdict_with_keys(d: collections.defaultdict):
    keys = tuple(sorted(d))  # unsortable keys: the TypeError itself, as in JAX
    return [(DictKey(k), d[k]) for k in keys], (d.default_factory, keys)


register_pytree_with_keys(
    collections.defaultdict, _defaultdict_with_keys,
    lambda aux, values: collections.defaultdict(aux[0], zip(aux[1], values)))


class Partial(functools.partial):
    """A ``functools.partial`` that is a pytree: the bound arguments are its children and
    the function is static, so it can be passed through and returned from transformations.
    """


register_pytree_node(
    Partial, lambda p: ((p.args, p.keywords), p.func),
    lambda func, children: Partial(func, *children[0], **children[1]))


# ---------------------------------------------------------- one-level views, static types

def _one_level(tree: Any, with_keys: bool):
    p = _parts(tree, with_keys)
    if p is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return p


def flatten_one_level(tree: Any) -> tuple[Iterable[Any], Hashable]:
    """The children of the pytree node ``tree`` and its auxiliary data (ValueError for a leaf)."""
    tag, _, aux, children, _ = _one_level(tree, False)
    return (list(children) if tag in (_CUSTOM, _LIST) else tuple(children)), aux


def flatten_one_level_with_keys(tree: Any) -> tuple[Iterable[tuple[KeyEntry, Any]], Hashable]:
    """Like ``flatten_one_level``, each child paired with its key."""
    _, _, aux, children, keys = _one_level(tree, True)
    return tuple(zip(keys, children)), aux


def is_tree_node(typ: type) -> bool:
    """True if ``typ`` is a registered pytree node type (built-in, custom, or a namedtuple)."""
    return isinstance(typ, type) and (typ in _registry or (issubclass(typ, tuple) and hasattr(typ, "_fields")))


def register_static(cls: _T) -> _T:
    """Register ``cls`` as a pytree node with no children: instances (hashable) are part of the
    structure, so ``jit`` treats them as static."""
    register_pytree_node(cls, lambda x: ((), x), lambda x, _: x)
    return cls


def tree_reduce_associative(operation: Callable[[Any, Any], Any], tree: Any, *, identity: Any = _MISSING,
                            is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """Reduce the leaves with an associative ``operation`` as a balanced tree of calls
    (so its depth is logarithmic); ``identity`` is the answer for no leaves."""
    leaves = tree_leaves(tree, is_leaf)
    if not leaves:
        if identity is _MISSING:
            raise TypeError("Must specify identity for parallel reduction of empty sequence.")
        return identity

    def reduce(items: list) -> Any:
        if len(items) == 1:
            return items[0]
        half = len(items) // 2
        return operation(reduce(items[:half]), reduce(items[half:]))

    return reduce(leaves)


def static(**kwargs: Any) -> Any:
    """A ``dataclasses.field`` marked static, for ``register_dataclass`` (part of the structure, not a leaf)."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["static"] = True
    return dataclasses.field(metadata=metadata, **kwargs)


class PyTreeRegistry:
    """The registry of pytree node types, with JAX's method names (`default_registry`)."""

    def flatten(self, tree: Any, leaf_predicate: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
        return tree_flatten(tree, leaf_predicate)

    def flatten_with_path(self, tree: Any, leaf_predicate: Callable[[Any], bool] | None = None) -> tuple:
        return tree_flatten_with_path(tree, leaf_predicate)

    def flatten_one_level(self, tree: Any) -> tuple:
        return flatten_one_level(tree)

    def flatten_one_level_with_keys(self, tree: Any) -> tuple:
        return flatten_one_level_with_keys(tree)

    def is_node(self, typ: type) -> bool:
        return is_tree_node(typ)

    def register_node(self, nodetype: type, flatten_func: Callable, unflatten_func: Callable,
                      flatten_with_keys_func: Callable | None = None) -> None:
        register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)

    def register_dataclass_node(self, nodetype: type, data_fields: Sequence[str], meta_fields: Sequence[str]) -> None:
        register_dataclass(nodetype, data_fields, meta_fields)

    def __repr__(self) -> str:
        return f"<nablax PyTreeRegistry: {len(_registry)} node types>"


default_registry = PyTreeRegistry()
