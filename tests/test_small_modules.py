"""nablax.flatten_util, dtypes, errors, typing, stages, tree/tree_util additions and ops (segment reductions)."""
import collections
import dataclasses
import operator

import ml_dtypes
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import dtypes as ndt
from nablax import errors, ops
from nablax import tree_util as tu
from nablax.flatten_util import ravel_pytree
from nablax.test_util import check_grads


# ------------------------------------------------------------------ flatten_util
def test_ravel_pytree_round_trip():
    tree = {"a": jnp.ones(2, jnp.int32), "b": (jnp.arange(4.0).reshape(2, 2), 3.0)}
    flat, unravel = ravel_pytree(tree)
    assert flat.dtype == np.float32 and not flat.weak_type
    np.testing.assert_array_equal(flat, [1, 1, 0, 1, 2, 3, 3])
    back = unravel(flat)
    assert back["a"].dtype == np.int32 and back["b"][0].shape == (2, 2) and back["b"][1].dtype == np.float32
    np.testing.assert_array_equal(back["b"][0], tree["b"][0])
    with pytest.raises(TypeError, match="expected dtype float32"):
        unravel(jnp.ones(7, jnp.int32))
    with pytest.raises(ValueError, match="shape"):
        unravel(jnp.ones(5))
    empty, unravel_empty = ravel_pytree([])
    assert empty.shape == (0,) and empty.dtype == np.float32 and unravel_empty(empty) == []
    assert ravel_pytree(2)[0].weak_type and ravel_pytree([jnp.ones(1, "bfloat16"), jnp.ones(1, "int8")])[0].dtype == ndt.bfloat16


def test_ravel_pytree_differentiable_and_jittable():
    tree = [jnp.array([0.5, -1.0]), {"w": jnp.array([[2.0]])}]
    flat, unravel = ravel_pytree(tree)
    loss = lambda v: jnp.sum(unravel(v)[0] ** 2) * unravel(v)[1]["w"][0, 0]  # noqa: E731
    check_grads(loss, (flat,), order=2, modes=("fwd", "rev"))
    np.testing.assert_array_equal(nablax.jit(lambda t: ravel_pytree(t)[0])(tree), flat)


# ------------------------------------------------------------------------ dtypes
def test_dtypes_module():
    assert ndt.finfo("bfloat16").eps == 2.0 ** -7 and ndt.finfo(ml_dtypes.float8_e4m3fn).max == 448
    assert ndt.finfo(jnp.ones(2)).dtype == np.float32 and ndt.finfo(float).dtype == np.float64
    assert (ndt.iinfo("int4").min, ndt.iinfo("int4").max) == (-8, 7) and ndt.iinfo(np.uint8).max == 255
    assert [ndt.itemsize_bits(t) for t in ("bool", "int4", "float8_e4m3fn", "bfloat16", np.float64)] == [8, 4, 8, 16, 64]
    assert ndt.itemsize_bits(ndt.float0) == 0
    assert [ndt.scalar_type_of(x) for x in (True, 1, 2.0, 1j, jnp.ones(2, jnp.uint8), np.float16(1), "bfloat16")] == \
        [bool, int, float, complex, int, float, float]
    assert issubclass(ndt.TypePromotionError, ValueError)
    assert set(ndt.__all__) >= {"TypePromotionError", "finfo", "iinfo", "itemsize_bits", "scalar_type_of", "float0"}


# ------------------------------------------------------------------------ errors
def test_error_classes():
    bases = {"ConcretizationTypeError": TypeError, "InconclusiveDimensionOperation": Exception,
             "JAXIndexError": IndexError, "JAXTypeError": TypeError, "JaxRuntimeError": RuntimeError,
             "JaxprTypeError": TypeError, "KeyReuseError": errors.JAXTypeError,
             "NonConcreteBooleanIndexError": errors.JAXIndexError, "TracerArrayConversionError": errors.JAXTypeError,
             "TracerBoolConversionError": errors.ConcretizationTypeError,
             "TracerIntegerConversionError": errors.JAXTypeError, "UnexpectedTracerError": errors.JAXTypeError}
    assert sorted(errors.__all__) == sorted(bases)
    for name, base in bases.items():
        assert issubclass(getattr(errors, name), base), name
    with pytest.raises(errors.NonConcreteBooleanIndexError):
        nablax.jit(lambda x: x[x > 0])(jnp.ones(3))
    with pytest.raises(errors.TracerArrayConversionError):
        nablax.jit(lambda x: np.asarray(x))(jnp.ones(3))


def test_typing():
    from nablax.typing import ArrayLike, DTypeLike

    assert nablax.Array in ArrayLike.__args__ and float in ArrayLike.__args__
    assert np.dtype in DTypeLike.__args__ and str in DTypeLike.__args__


# -------------------------------------------------------------------------- tree
def test_tree_additions():
    assert tu.tree_reduce_associative(operator.add, [1, 2, (3, 4)]) == 10
    assert nablax.tree.reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == ((1, 2), (3, (4, 5)))
    assert tu.tree_reduce_associative(operator.add, [], identity=0) == 0
    with pytest.raises(TypeError, match="identity"):
        tu.tree_reduce_associative(operator.add, [])
    assert tu.flatten_one_level({"b": [2], "a": 1}) == ((1, [2]), ("a", "b"))
    assert tu.flatten_one_level((1, 2)) == ((1, 2), None) and tu.flatten_one_level(None) == ((), None)
    assert tu.flatten_one_level(collections.OrderedDict(b=1, a=2)) == ([1, 2], ("b", "a"))
    with pytest.raises(ValueError, match="can't tree-flatten"):
        tu.flatten_one_level(1.0)
    assert tu.flatten_one_level_with_keys({"a": 1}) == (((tu.DictKey("a"), 1),), ("a",))
    assert [tu.is_tree_node(t) for t in (int, list, type(None), collections.namedtuple("P", "x"))] == [False, True, True, True]
    assert not tu.is_tree_node([1])
    assert tu.default_registry.is_node(dict) and tu.default_registry.flatten([1, (2,)])[0] == [1, 2]


def test_static_fields_and_types():
    @tu.register_dataclass
    @dataclasses.dataclass
    class Op:
        x: object
        op: str = nablax.tree.static(default="add")

    leaves, treedef = nablax.tree.flatten(Op(jnp.ones(2)))
    assert len(leaves) == 1 and nablax.tree.unflatten(treedef, leaves).op == "add"

    @tu.register_static
    @dataclasses.dataclass(frozen=True)
    class Scale:
        k: float

    traces = []

    @nablax.jit
    def f(s, x):
        traces.append(1)
        return x * s.k

    assert float(f(Scale(2.0), 1.0)) == 2.0 and float(f(Scale(3.0), 1.0)) == 3.0 and float(f(Scale(3.0), 2.0)) == 6.0
    assert len(traces) == 2 and nablax.tree.leaves([Scale(1.0), 5]) == [5]


# --------------------------------------------------------------------------- ops
DATA = np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)
IDS = np.array([0, 0, 2, 2, 5])


@pytest.mark.parametrize("name,expected", [
    ("segment_sum", [3, 0, 7, 0]), ("segment_prod", [2, 1, 12, 1]),
    ("segment_max", [2, -np.inf, 4, -np.inf]), ("segment_min", [1, np.inf, 3, np.inf])])
def test_segment_values(name, expected):
    fn = getattr(ops, name)
    np.testing.assert_array_equal(fn(DATA, IDS, 4), expected)
    np.testing.assert_array_equal(fn(DATA, IDS, 4, bucket_size=2), expected)
    np.testing.assert_array_equal(nablax.jit(fn, static_argnums=2)(DATA, IDS, 4), expected)
    assert fn(DATA, IDS).shape == (6,)  # num_segments from the ids


def test_segment_details():
    ints = jnp.array([1, 2, 3])
    np.testing.assert_array_equal(ops.segment_max(ints, jnp.array([0, 0, 2]), 4), [2, -2 ** 31, 3, -2 ** 31])
    np.testing.assert_array_equal(ops.segment_sum(ints, jnp.array([0, -1, 2]), 3), [1, 0, 3])  # negative: dropped
    np.testing.assert_array_equal(ops.segment_sum(DATA, IDS, 3, mode="clip"), [3, 0, 12])
    assert ops.segment_sum(jnp.ones((5, 2)), IDS, 3).shape == (3, 2)
    assert ops.segment_sum(jnp.ones(2, jnp.int8), jnp.array([0, 1]), 2).dtype == np.int8
    with pytest.raises(TypeError, match="bool"):
        ops.segment_sum(jnp.array([True]), jnp.array([0]), 1)
    with pytest.raises(errors.ConcretizationTypeError):
        nablax.jit(ops.segment_sum)(DATA, IDS)
    with pytest.raises(ValueError):
        ops.segment_sum(DATA, IDS, 3, mode="bogus")
    batched = nablax.vmap(lambda d: ops.segment_sum(d, IDS, 3))(jnp.stack([DATA, 2 * DATA]))
    np.testing.assert_array_equal(batched, [[3, 0, 7], [6, 0, 14]])


@pytest.mark.parametrize("name", ["segment_sum", "segment_max", "segment_prod"])
def test_segment_grads(name):
    fn = getattr(ops, name)
    x = jnp.array([0.3, -1.2, 0.7, 2.1, 0.9])
    check_grads(lambda d: fn(d, jnp.array([0, 0, 1, 2, 2]), 3), (x,), order=2, modes=("fwd", "rev"))
