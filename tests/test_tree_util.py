"""Tests for nablax.tree_util: real values with known answers, plus property tests."""
import collections
import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nablax import tree_util as tu
from nablax._src.tree import broadcast_prefix

Point = collections.namedtuple("Point", ["x", "y"])


class Box:
    """A custom node registered with register_pytree_node (no keys)."""

    def __init__(self, a, b, tag="box"):
        self.a, self.b, self.tag = a, b, tag

    def __eq__(self, other):
        return (type(other) is Box and self.tag == other.tag
                and self.a == other.a and self.b == other.b)


tu.register_pytree_node(Box, lambda x: ((x.a, x.b), x.tag),
                        lambda tag, ch: Box(ch[0], ch[1], tag))


@tu.register_pytree_node_class
class Pair:
    def __init__(self, left, right):
        self.left, self.right = left, right

    def tree_flatten(self):
        return (self.left, self.right), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)


class Lazy:
    """A custom node whose flatten returns its children as a generator."""

    def __init__(self, *items):
        self.items = items


tu.register_pytree_node(Lazy, lambda z: ((c for c in z.items), len(z.items)),
                        lambda n, ch: Lazy(*ch))


class Keyed:
    def __init__(self, w, b):
        self.w, self.b = w, b


tu.register_pytree_with_keys(
    Keyed, lambda k: ([(tu.GetAttrKey("w"), k.w), (tu.GetAttrKey("b"), k.b)], None),
    lambda aux, ch: Keyed(*ch))


@dataclasses.dataclass
class Params:
    w: object
    b: object
    name: str = dataclasses.field(default="p", metadata={"static": True})


tu.register_dataclass(Params)


# ---------------------------------------------------------------- flatten / unflatten

def test_flatten_tuple_of_arrays():
    a, b = np.ones(2), np.zeros(3)
    leaves, td = tu.tree_flatten((a, b))
    assert leaves[0] is a and leaves[1] is b
    assert td.num_leaves == 2 and td.num_nodes == 3
    assert repr(td) == "PyTreeDef((*, *))"
    out = td.unflatten([1, 2])
    assert out == (1, 2) and type(out) is tuple


def test_flatten_nested_order_and_repr():
    tree = (1, {"b": 2, "a": [3, None, Point(4, 5)]})
    leaves, td = tu.tree_flatten(tree)
    assert leaves == [1, 3, 4, 5, 2]  # dict children in sorted-key order
    assert repr(td) == "PyTreeDef((*, {'a': [*, None, CustomNode(namedtuple[Point], [*, *])], 'b': *}))"
    assert td.num_leaves == 5
    assert td.num_nodes == 10  # tuple, dict, list, None, Point, 5 leaves
    back = td.unflatten(leaves)
    assert back == tree
    assert type(back[1]["a"][2]) is Point
    assert list(back[1]) == ["a", "b"]  # dicts come back with sorted keys


def test_repr_small_cases():
    assert repr(tu.tree_structure(1)) == "PyTreeDef(*)"
    assert repr(tu.tree_structure(None)) == "PyTreeDef(None)"
    assert repr(tu.tree_structure((1,))) == "PyTreeDef((*,))"
    assert repr(tu.tree_structure(())) == "PyTreeDef(())"
    assert repr(tu.tree_structure([])) == "PyTreeDef([])"
    assert repr(tu.tree_structure({})) == "PyTreeDef({})"
    assert repr(tu.tree_structure(Box(1, 2))) == "PyTreeDef(CustomNode(Box[box], [*, *]))"


def test_none_is_an_empty_node():
    leaves, td = tu.tree_flatten([None, 1, (None,)])
    assert leaves == [1]
    assert td.unflatten([7]) == [None, 7, (None,)]
    assert tu.tree_leaves(None) == []
    assert tu.tree_structure(None).num_leaves == 0


def test_leaf_like_containers_are_leaves():
    class MyList(list):
        pass

    class MyTuple(tuple):
        pass

    ml, mt = MyList([1, 2]), MyTuple((1, 2))
    assert tu.tree_leaves([ml, mt]) == [ml, mt]
    assert tu.tree_leaves({"s": "str", "n": np.float32(1)}) == [np.float32(1), "str"]
    assert tu.tree_leaves([mt] * 20) == [mt] * 20  # long-container path


def test_ordered_dict_and_defaultdict():
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    leaves, td = tu.tree_flatten(od)
    assert leaves == [1, 2]  # insertion order kept
    back = td.unflatten([10, 20])
    assert type(back) is collections.OrderedDict and list(back.items()) == [("z", 10), ("a", 20)]
    assert repr(td) == "PyTreeDef(CustomNode(OrderedDict[('z', 'a')], [*, *]))"

    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    leaves, td = tu.tree_flatten(dd)
    assert leaves == [2, 1]  # sorted keys
    back = td.unflatten([5, 6])
    assert type(back) is collections.defaultdict and back.default_factory is list
    assert dict(back) == {"a": 5, "b": 6}
    assert repr(td) == "PyTreeDef(CustomNode(defaultdict[(<class 'list'>, ('a', 'b'))], [*, *]))"
    assert td != tu.tree_structure({"a": 0, "b": 0})


def test_custom_nodes():
    leaves, td = tu.tree_flatten([Box(1, (2, 3), tag="t"), Pair(4, 5)])
    assert leaves == [1, 2, 3, 4, 5]
    back = td.unflatten([10, 20, 30, 40, 50])
    assert back[0] == Box(10, (20, 30), tag="t")
    assert isinstance(back[1], Pair) and (back[1].left, back[1].right) == (40, 50)
    lazy = Lazy(1, [2, 3])
    assert tu.tree_leaves(lazy) == [1, 2, 3] == tu.tree_flatten(lazy)[0]
    assert tu.tree_leaves(lazy, is_leaf=lambda x: False) == [1, 2, 3]
    assert tu.tree_map(lambda v: -v, lazy).items == (-1, [-2, -3])
    assert [tu.keystr(k) for k, _ in tu.tree_leaves_with_path(lazy)] == ["[0]", "[1][0]", "[1][1]"]
    # aux data is part of the structure
    assert tu.tree_structure(Box(1, 2, "x")) != tu.tree_structure(Box(1, 2, "y"))
    assert tu.tree_structure(Box(1, 2, "x")) == tu.tree_structure(Box(7, 8, "x"))


def test_register_dataclass():
    p = Params(w=np.ones(2), b=3.0, name="layer")
    leaves, td = tu.tree_flatten(p)
    assert len(leaves) == 2 and leaves[1] == 3.0
    back = td.unflatten([1, 2])
    assert back == Params(1, 2, "layer")
    assert [tu.keystr(k) for k, _ in tu.tree_leaves_with_path(p)] == [".w", ".b"]


def test_partial_is_a_pytree():
    def f(a, b, c=0):
        return a + 10 * b + 100 * c

    p = tu.Partial(f, 1, c=3)
    assert p(2) == 321
    assert tu.tree_leaves(p) == [1, 3]
    q = tu.tree_map(lambda v: v * 2, p)
    assert isinstance(q, tu.Partial) and q(2) == 2 + 20 + 600


def test_is_leaf():
    tree = {"a": (1, 2), "b": [3, (4, 5)]}
    leaves = tu.tree_leaves(tree, is_leaf=lambda x: isinstance(x, tuple))
    assert leaves == [(1, 2), 3, (4, 5)]
    leaves, td = tu.tree_flatten([None, 1], is_leaf=lambda x: x is None)
    assert leaves == [None, 1] and repr(td) == "PyTreeDef([*, *])"
    summed = tu.tree_map(lambda t: sum(t) if type(t) is tuple else -t, tree,
                         is_leaf=lambda x: type(x) is tuple)
    assert summed == {"a": 3, "b": [-3, 9]}


def test_unflatten_wrong_count():
    td = tu.tree_structure((1, [2, 3]))
    with pytest.raises(ValueError, match="expected 3 leaves, got 2"):
        td.unflatten([1, 2])
    with pytest.raises(ValueError, match="expected 3 leaves, got 4"):
        tu.tree_unflatten(td, [1, 2, 3, 4])
    assert tu.tree_unflatten(td, iter([7, 8, 9])) == (7, [8, 9])  # any iterable


def test_unsortable_dict_keys_raise_like_jax():
    # JAX 0.10.2: ValueError("Comparator raised exception while sorting pytree dictionary
    # keys.") raised from the TypeError of the comparison, for every flatten entry point.
    import nablax.tree as jt
    for fn in (tu.tree_flatten, tu.tree_leaves, tu.tree_structure, tu.tree_flatten_with_path,
               lambda t: jt.map(lambda x: x, t), lambda t: tu.tree_leaves(t, is_leaf=lambda x: False)):
        with pytest.raises(ValueError, match="Comparator raised exception while sorting pytree "
                                             "dictionary keys") as info:
            fn({1: 7, "y": 42})
        assert isinstance(info.value.__cause__, TypeError)
    with pytest.raises(TypeError, match="not supported"):  # JAX: the bare TypeError here
        tu.tree_leaves(collections.defaultdict(int, {1: 7, "y": 42}))
    # OrderedDict keeps insertion order and is not sorted; keys of one type are fine.
    assert tu.tree_leaves(collections.OrderedDict([(1, 7), ("y", 42)])) == [7, 42]
    assert tu.tree_leaves({2.5: 3, 1: 7}) == [7, 3]


# ---------------------------------------------------------------- PyTreeDef as a key

def test_treedef_hash_and_equality():
    t1 = tu.tree_structure({"a": 1, "b": (2, 3)})
    t2 = tu.tree_structure({"b": (np.ones(1), 0), "a": "x"})
    assert t1 == t2 and hash(t1) == hash(t2)
    cache = {t1: "hit"}
    assert cache[t2] == "hit"
    assert t1 != tu.tree_structure({"a": 1, "b": [2, 3]})
    assert t1 != tu.tree_structure({"a": 1, "c": (2, 3)})
    assert tu.tree_structure((1, 2)) != tu.tree_structure(Point(1, 2))
    assert tu.tree_structure((1, 2)) != tu.tree_structure((1, (2,)))
    assert tu.tree_structure((1, None)) != tu.tree_structure((1, 2))
    assert tu.tree_structure(1) == tu.tree_structure("leaf")
    assert tu.tree_structure(1) != (1,)


def test_treedef_children_and_node_data():
    td = tu.tree_structure((1, {"a": 2}, None))
    kids = td.children()
    assert [repr(k) for k in kids] == ["PyTreeDef(*)", "PyTreeDef({'a': *})", "PyTreeDef(None)"]
    assert tu.treedef_children(td) == kids
    assert td.node_data() == (tuple, None)
    assert kids[1].node_data() == (dict, ("a",))
    assert kids[0].node_data() is None
    assert tu.treedef_tuple(kids) == td


def test_treedef_pickles():
    td = tu.tree_structure((1, {"a": Point(2, 3)}, [None], Box(1, 2)))
    td2 = pickle.loads(pickle.dumps(td))
    assert td2 == td and hash(td2) == hash(td)
    assert pickle.loads(pickle.dumps(tu.tree_structure(1))) is tu.tree_structure(2)
    assert td2.unflatten(range(5)) == td.unflatten(range(5))


def test_treedef_is_leaf():
    assert tu.treedef_is_leaf(tu.tree_structure(1))
    assert tu.treedef_is_leaf(tu.tree_structure(None))  # as in JAX: one node
    assert not tu.treedef_is_leaf(tu.tree_structure((1,)))
    assert tu.treedef_is_strict_leaf(tu.tree_structure(1))
    assert not tu.treedef_is_strict_leaf(tu.tree_structure(None))


def test_all_leaves():
    assert tu.all_leaves([1, np.ones(2), "s"])
    assert not tu.all_leaves([1, (2,)])
    assert not tu.all_leaves([None])
    assert tu.all_leaves([(1, 2), 3], is_leaf=lambda x: isinstance(x, tuple))


# ---------------------------------------------------------------- tree_map & co

def test_tree_map_single_and_multiple():
    assert tu.tree_map(lambda x: x * 2, {"a": 1, "b": (2, None)}) == {"a": 2, "b": (4, None)}
    out = tu.tree_map(lambda x, y, z: x + y + z, [1, (2, 3)], [10, (20, 30)], [100, (200, 300)])
    assert out == [111, (222, 333)]


def test_tree_map_prefix_semantics():
    # leaves of the first tree map to whole subtrees of the others
    out = tu.tree_map(lambda x, y: (x, y), [1, 2], [(3, 4), {"a": 5}])
    assert out == [(1, (3, 4)), (2, {"a": 5})]


def test_tree_map_structure_mismatch_message():
    with pytest.raises(ValueError) as e:
        tu.tree_map(lambda x, y: x, (1, {"a": 2, "b": 3}), (1, {"a": 2, "c": 3}))
    msg = str(e.value)
    assert "at [1]" in msg and "keys differ" in msg
    assert "PyTreeDef((*, {'a': *, 'b': *}))" in msg
    assert "PyTreeDef((*, {'a': *, 'c': *}))" in msg

    with pytest.raises(ValueError) as e:
        tu.tree_map(lambda x, y: x, [1, (2, 3)], [1, (2, 3, 4)])
    assert "at [1]" in str(e.value) and "2 children, got 3" in str(e.value)

    with pytest.raises(ValueError, match=r"at \[0\]\.x: expected a tuple node, got a leaf"):
        tu.tree_map(lambda x, y: x, [Point((1, 2), 3)], [Point(1, 3)])

    with pytest.raises(ValueError, match="at the root: expected a list node, got a tuple"):
        tu.tree_map(lambda x, y: x, [1], (1,))

    with pytest.raises(ValueError, match=r"at \[1\]: expected a None node, got a leaf"):
        tu.tree_map(lambda x, y: x, [1, None], [1, 2])
    assert tu.tree_map(lambda x, y: x + y, [1, None], [2, None]) == [3, None]


def test_tree_map_with_path():
    out = tu.tree_map_with_path(lambda p, x: (tu.keystr(p), x), {"a": [1, Point(2, 3)]})
    assert out == {"a": [("['a'][0]", 1), (Point(("['a'][1].x", 2), ("['a'][1].y", 3)))]}


def test_tree_reduce_and_all():
    assert tu.tree_reduce(lambda a, b: a + b, [1, (2, 3), {"k": 4}]) == 10
    assert tu.tree_reduce(lambda a, b: a + b, [1, 2], initializer=100) == 103
    assert tu.tree_reduce(lambda a, b: a + b, [], initializer=5) == 5
    with pytest.raises(TypeError):
        tu.tree_reduce(lambda a, b: a + b, [])
    assert tu.tree_reduce(max, [(1, 2), (5, 3)], is_leaf=lambda x: isinstance(x, tuple)) == (5, 3)
    assert tu.tree_all([True, (1, {"a": "s"})])
    assert not tu.tree_all([True, (0,)])
    assert tu.tree_all(None)


def test_tree_transpose():
    outer = tu.tree_structure([0, 0])
    inner = tu.tree_structure((0, 0))
    assert tu.tree_transpose(outer, inner, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
    inner2 = tu.tree_structure({"a": 0, "b": 0})
    out = tu.tree_transpose(outer, inner2, [{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    assert out == {"a": [1, 3], "b": [2, 4]}
    assert tu.tree_transpose(outer, None, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
    with pytest.raises(TypeError, match="tree_transpose"):
        tu.tree_transpose(outer, inner, [(1, 2), (3, 4, 5)])


def test_compose_and_flatten_up_to():
    outer = tu.tree_structure([0, 0])
    inner = tu.tree_structure((0, 0))
    assert outer.compose(inner) == tu.tree_structure([(1, 2), (3, 4)])
    assert outer.flatten_up_to([(1, 2), {"a": 3}]) == [(1, 2), {"a": 3}]
    with pytest.raises(ValueError, match="flatten_up_to"):
        outer.flatten_up_to([1, 2, 3])


# ---------------------------------------------------------------- key paths

def test_flatten_with_path_and_keystr():
    tree = [{"a": Point(1, 2)}, (3,), Box(4, 5)]
    pairs, td = tu.tree_flatten_with_path(tree)
    assert [tu.keystr(p) for p, _ in pairs] == \
        ["[0]['a'].x", "[0]['a'].y", "[1][0]", "[2][0]", "[2][1]"]
    assert [x for _, x in pairs] == [1, 2, 3, 4, 5]
    assert td == tu.tree_structure(tree)
    assert pairs[0][0] == (tu.SequenceKey(0), tu.DictKey("a"), tu.GetAttrKey("x"))
    assert pairs[3][0][-1] == tu.FlattenedIndexKey(0)
    assert tu.keystr(pairs[0][0], simple=True, separator="/") == "0/a/x"
    assert tu.keystr(()) == ""


def test_flatten_with_path_registered_keys():
    pairs = tu.tree_leaves_with_path({"layer": Keyed(1, 2)})
    assert [tu.keystr(p) for p, _ in pairs] == ["['layer'].w", "['layer'].b"]
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(od)] == ["['z']", "['a']"]
    pairs = tu.tree_leaves_with_path([(1, 2), 3], is_leaf=lambda x: isinstance(x, tuple))
    assert pairs == [((tu.SequenceKey(0),), (1, 2)), ((tu.SequenceKey(1),), 3)]


def test_key_entry_reprs():
    assert repr(tu.SequenceKey(2)) == "SequenceKey(idx=2)"
    assert str(tu.DictKey("k")) == "['k']" and str(tu.DictKey(3)) == "[3]"
    assert str(tu.GetAttrKey("w")) == ".w" and str(tu.FlattenedIndexKey(1)) == "[1]"
    assert hash(tu.DictKey("k")) == hash(tu.DictKey("k"))


# ---------------------------------------------------------------- broadcast_prefix

def test_broadcast_prefix_none_is_a_prefix_leaf():
    x, y, z = np.ones(2), np.ones(3), np.ones(4)
    assert broadcast_prefix((0, None), (x, {"a": y, "b": z})) == [0, None, None]
    assert broadcast_prefix(1, (x, [y, z])) == [1, 1, 1]
    assert broadcast_prefix(None, (x, y)) == [None, None]
    assert broadcast_prefix({"a": 0, "b": None}, {"a": x, "b": (y, z)}) == [0, None, None]
    # a None subtree of the full tree has no leaves, so it gets no entries
    assert broadcast_prefix((0, 1), (None, x)) == [1]
    assert broadcast_prefix((0, 1), ((), [x, y])) == [1, 1]
    assert tu.tree_broadcast((0, None), (x, {"a": y, "b": z})) == (0, {"a": None, "b": None})


def test_broadcast_prefix_mismatch_message():
    with pytest.raises(ValueError) as e:
        broadcast_prefix((0, {"a": 0}), (np.ones(2), {"b": 1}))
    msg = str(e.value)
    assert "at [1]" in msg
    assert "PyTreeDef((*, {'a': *}))" in msg and "PyTreeDef((*, {'b': *}))" in msg
    with pytest.raises(ValueError, match="at the root: expected a tuple with 3 children, got 2"):
        broadcast_prefix((0, 0, 0), (1, 2))
    with pytest.raises(ValueError, match=r"at \[0\]: expected a list node, got a leaf"):
        broadcast_prefix(([0, 1],), (np.ones(3),))


# ---------------------------------------------------------------- registration errors

def test_register_twice_raises():
    class Fresh:
        pass

    tu.register_pytree_node(Fresh, lambda x: ((), None), lambda aux, ch: Fresh())
    with pytest.raises(ValueError, match="already registered"):
        tu.register_pytree_node(Fresh, lambda x: ((), None), lambda aux, ch: Fresh())
    with pytest.raises(ValueError, match="already registered"):
        tu.register_pytree_node(tuple, lambda x: (x, None), lambda aux, ch: tuple(ch))
    with pytest.raises(ValueError, match="already registered"):
        tu.register_pytree_node_class(Pair)
    with pytest.raises(TypeError):
        tu.register_pytree_node("notatype", lambda x: ((), None), lambda aux, ch: None)


def test_registered_namedtuple_uses_its_registration():
    NT = collections.namedtuple("NT", "p q")
    tu.register_pytree_node(NT, lambda n: ((n.q,), n.p), lambda p, ch: NT(p, ch[0]))
    leaves, td = tu.tree_flatten(NT(1, 2))
    assert leaves == [2] and td.unflatten([5]) == NT(1, 5)


# ---------------------------------------------------------------- properties

_keys = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
_leaves = st.one_of(st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=2),
                    st.builds(np.float32, st.integers(-3, 3)))
_trees = st.recursive(
    st.one_of(_leaves, st.none()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.lists(kids, max_size=4).map(tuple),
        st.dictionaries(_keys, kids, max_size=4),
        st.builds(Point, kids, kids),
        st.builds(Box, kids, kids),
        st.dictionaries(_keys, kids, max_size=3).map(
            lambda d: collections.OrderedDict(reversed(list(d.items())))),
    ),
    max_leaves=25,
)


def _reversed_dicts(t):
    """Same tree with every dict rebuilt in reversed insertion order."""
    if type(t) is dict:
        return {k: _reversed_dicts(t[k]) for k in reversed(list(t))}
    if type(t) in (list, tuple):
        return type(t)(_reversed_dicts(c) for c in t)
    if type(t) is Point:
        return Point(*map(_reversed_dicts, t))
    if type(t) is Box:
        return Box(_reversed_dicts(t.a), _reversed_dicts(t.b), t.tag)
    if type(t) is collections.OrderedDict:
        return collections.OrderedDict((k, _reversed_dicts(v)) for k, v in t.items())
    return t


def _follow(tree, path):
    for k in path:
        if isinstance(k, tu.SequenceKey):
            tree = tree[k.idx]
        elif isinstance(k, tu.DictKey):
            tree = tree[k.key]
        elif isinstance(k, tu.GetAttrKey):
            tree = getattr(tree, k.name)
        else:
            tree = (tree.a, tree.b)[k.key]
    return tree


@settings(max_examples=200, deadline=None)
@given(_trees)
def test_property_round_trip(tree):
    leaves, td = tu.tree_flatten(tree)
    assert td.num_leaves == len(leaves)
    assert td.unflatten(leaves) == tree
    assert tu.tree_leaves(tree) == leaves
    assert repr(td).count("*") == len(leaves)
    assert [x is y for x, y in zip(tu.tree_leaves(td.unflatten(leaves)), leaves)] == \
        [True] * len(leaves)


@settings(max_examples=200, deadline=None)
@given(_trees)
def test_property_structure_is_a_stable_key(tree):
    td = tu.tree_structure(tree)
    other = tu.tree_structure(_reversed_dicts(tree))
    assert td == other and hash(td) == hash(other)
    mapped = tu.tree_map(lambda x: 0, tree)
    assert tu.tree_structure(mapped) == td
    assert pickle.loads(pickle.dumps(td)) == td
    assert td.num_nodes == 1 + sum(c.num_nodes for c in td.children())
    # the general (is_leaf) path builds the same structure as the fast path
    assert tu.tree_structure(tree, is_leaf=lambda x: False) == td
    assert tu.tree_structure(tree, is_leaf=lambda x: False).__hash__() == hash(td)


@settings(max_examples=200, deadline=None)
@given(_trees)
def test_property_paths_locate_leaves(tree):
    pairs, td = tu.tree_flatten_with_path(tree)
    assert td == tu.tree_structure(tree)
    for path, leaf in pairs:
        assert _follow(tree, path) is leaf


@settings(max_examples=100, deadline=None)
@given(_trees)
def test_property_broadcast_self_prefix(tree):
    # a tree is a prefix of itself; its Nones (prefix leaves) cover no leaves
    assert broadcast_prefix(tree, tree) == tu.tree_leaves(tree)
    assert broadcast_prefix(0, tree) == [0] * len(tu.tree_leaves(tree))
    assert tu.tree_map(lambda x, y: y, tree, tree) == tree


def test_short_tree_namespace():
    import nablax

    tree = {"a": [1, 2], "b": (3,)}
    assert nablax.tree.leaves(tree) == [1, 2, 3]
    assert nablax.tree.map(lambda x: x * 10, tree) == {"a": [10, 20], "b": (30,)}
    leaves, treedef = nablax.tree.flatten(tree)
    assert nablax.tree.unflatten(treedef, leaves) == tree
    assert nablax.tree.reduce(lambda a, b: a + b, tree) == 6
    assert nablax.tree.structure(tree) == treedef
