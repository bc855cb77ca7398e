"""Runtime names, small modules and the array protocol against real JAX: printed forms of devices,
shardings and avals; ravel_pytree, segment reductions, dtypes helpers, strict promotion, tree
helpers and the namespace info, compared value by value (dtypes, weak types, shapes)."""
import operator

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402
from jax import flatten_util as jflat  # noqa: E402
from jax import ops as jops  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax import flatten_util as nflat  # noqa: E402
from nablax import ops as nops  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402


def test_printed_forms():
    for lib, np_ in ((jax, jjnp), (nablax, njnp)):
        x = np_.ones((2, 3))
        assert [repr(lib.devices()[0]), str(x.device), repr(x.sharding)] == [
            "CpuDevice(id=0)", "cpu:0", "SingleDeviceSharding(device=CpuDevice(id=0), memory_kind=device)"]
    for j, n in [(jjnp.ones((2, 3)), njnp.ones((2, 3))), (1.0, 1.0), (jjnp.int32(1), njnp.int32(1))]:
        assert str(nablax.typeof(n)) == str(jax.typeof(j)) and repr(nablax.typeof(n)) == repr(jax.typeof(j))
    for name in ("default_backend", "process_index", "process_count", "device_count", "local_device_count"):
        assert getattr(nablax, name)() == getattr(jax, name)()
    assert tuple(njnp.ones(2).__dlpack_device__()) == tuple(jjnp.ones(2).__dlpack_device__())


TREES = [
    {"a": np.ones(2, np.int32), "b": (np.arange(4.0, dtype=np.float32).reshape(2, 2), 3.0)},
    [np.ones(1, np.float16), np.ones(2, np.int8)],
    [2, 1.0],
    [2],
    [],
]


@pytest.mark.parametrize("tree", TREES)
def test_ravel_pytree(tree):
    (jf, ju), (nf, nu) = jflat.ravel_pytree(tree), nflat.ravel_pytree(tree)
    assert_same(jf, nf)
    assert_same(ju(jf), nu(nf))


SEG_IDS = np.array([0, -1, 2, 2, 5, 1])


@pytest.mark.parametrize("name", ["segment_sum", "segment_prod", "segment_max", "segment_min"])
@pytest.mark.parametrize("kw", [{}, {"num_segments": 3, "mode": "clip"}, {"num_segments": 4, "bucket_size": 2}])
def test_segments(name, kw):
    for data in (np.array([1.5, 2.0, -3.0, 4.0, 5.0, 0.5], np.float32), np.array([1, 2, -3, 4, 5, 7], np.int32)):
        assert_same(getattr(jops, name)(data, SEG_IDS, **kw), getattr(nops, name)(data, SEG_IDS, **kw))


def test_segment_grads():
    data = np.array([0.3, -1.2, 0.7, 2.1, 0.9, 1.1], np.float32)
    for name in ("segment_max",):
        jg = jax.grad(lambda d: (getattr(jops, name)(d, SEG_IDS, 4) ** 2).sum())(data)  # noqa: B023
        ng = nablax.grad(lambda d: (getattr(nops, name)(d, SEG_IDS, 4) ** 2).sum())(data)  # noqa: B023
        assert_same(jg, ng)


def test_dtypes_helpers():
    for t in ("bool", "int4", "uint8", "float8_e4m3fn", "bfloat16", "float32", "complex64", np.int16):
        assert nablax.dtypes.itemsize_bits(t) == jax.dtypes.itemsize_bits(t), t
    for x in (True, 1, 2.0, 1j, np.ones(2, np.uint8), np.float16(1), "bfloat16", "complex64"):
        assert nablax.dtypes.scalar_type_of(x) is jax.dtypes.scalar_type_of(x), x
    for t in ("bfloat16", "float8_e5m2", "float16", "float32", float):
        j, n = jax.dtypes.finfo(t), nablax.dtypes.finfo(t)
        assert (n.dtype, n.eps, n.max, n.tiny, n.bits) == (j.dtype, j.eps, j.max, j.tiny, j.bits), t
    for t in ("int4", "uint16", "int32", int):
        j, n = jax.dtypes.iinfo(t), nablax.dtypes.iinfo(t)
        assert (n.min, n.max, n.bits) == (j.min, j.max, j.bits), t


STRICT_VALUES = {"i*": 1, "f*": 1.0, "c*": 1j, "b": np.bool_(True), "i32": np.int32(1), "u8": np.uint8(1),
                 "f32": np.float32(1), "bf16": "bfloat16", "c64": np.complex64(1)}


def _strict_table(lib, np_):
    def cell(a, b):
        a = np_.ones((), a) if isinstance(a, str) else a
        b = np_.ones((), b) if isinstance(b, str) else b
        try:
            return str(np_.result_type(a, b))
        except lib.dtypes.TypePromotionError:
            return "X"
    with lib.numpy_dtype_promotion("strict"):
        return [[cell(a, b) for b in STRICT_VALUES.values()] for a in STRICT_VALUES.values()]


def test_strict_promotion_table():
    assert _strict_table(nablax, njnp) == _strict_table(jax, jjnp)


def test_tree_helpers():
    tree = {"b": [1, 2], "a": (3, 4, 5)}
    assert nablax.tree.reduce_associative(lambda a, b: (a, b), tree) == jax.tree.reduce_associative(
        lambda a, b: (a, b), tree)
    assert nablax.tree_util.tree_reduce_associative(operator.add, tree) == 15
    for t in (tree, (1, 2), None, [3]):
        assert nablax.tree_util.flatten_one_level(t) == jax.tree_util.flatten_one_level(t)
        nk, jk = nablax.tree_util.flatten_one_level_with_keys(t), jax.tree_util.flatten_one_level_with_keys(t)
        assert [(str(k), v) for k, v in nk[0]] == [(str(k), v) for k, v in jk[0]] and nk[1] == jk[1]
    for typ in (int, list, dict, type(None), tuple):
        assert nablax.tree_util.is_tree_node(typ) == jax.tree_util.is_tree_node(typ)


def test_namespace_info_and_errors():
    ni, ji = njnp.__array_namespace_info__(), jjnp.__array_namespace_info__()
    assert ni.capabilities() == ji.capabilities() and ni.default_dtypes() == ji.default_dtypes()
    for kind in (None, "integral", "numeric", ("bool", "complex floating")):
        assert ni.dtypes(kind=kind) == ji.dtypes(kind=kind)
    assert [repr(d) for d in ni.devices()] == [repr(d) for d in ji.devices()]
    for name in jax.errors.__all__ if hasattr(jax.errors, "__all__") else nablax.errors.__all__:
        j, n = getattr(jax.errors, name), getattr(nablax.errors, name)
        builtins = lambda c: [b for b in c.__mro__ if b.__module__ == "builtins"]  # noqa: E731
        assert builtins(n) == builtins(j), name
