"""Virtual devices, meshes, partition specs, named shardings and placed arrays (no JAX needed)."""
from __future__ import annotations

import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax._src import sharding as sharding_impl
from nablax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec, SingleDeviceSharding

P = nablax.P
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def four():
    """Four devices in this process for one test (then back to the previous count)."""
    old = nablax.config.jax_num_cpu_devices
    nablax.config.update("jax_num_cpu_devices", 4)
    yield nablax.devices()
    nablax.config.update("jax_num_cpu_devices", old)


class _SecondOfTwo:
    """A stand-in process group: this is process 1 of 2; process 0's contribution is `theirs`."""

    rank, size = 1, 2
    theirs = None

    def allgather_object(self, obj):
        return [self.theirs, obj]


@pytest.fixture
def second_of_two(monkeypatch):
    """This process as process 1 of a 2-process job with 2 devices each (a stand-in transport)."""
    group = _SecondOfTwo()
    monkeypatch.setattr(sharding_impl, "_distributed", types.SimpleNamespace(world=lambda: group))
    old = nablax.config.jax_num_cpu_devices
    nablax.config.update("jax_num_cpu_devices", 2)
    yield group
    nablax.config.update("jax_num_cpu_devices", old)


# ----------------------------------------------------------------------- devices
def test_one_device_by_default():
    assert nablax.config.jax_num_cpu_devices == -1
    assert nablax.devices() == [nablax.Device()] and nablax.local_device_count() == 1
    assert nablax.device_count() == 1 and nablax.process_count() == 1 and nablax.process_indices() == [0]


def test_four_devices(four):
    assert [repr(d) for d in four] == [f"CpuDevice(id={i})" for i in range(4)]
    assert [str(d) for d in four] == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    d = four[2]
    assert (d.id, d.platform, d.device_kind, d.process_index, d.host_id, d.task_id, d.local_hardware_id) == \
        (2, "cpu", "cpu", 0, 0, 0, 2)
    assert nablax.devices()[2] is d and nablax.local_devices() == four and nablax.local_devices(process_index=0) == four
    assert nablax.device_count() == nablax.local_device_count() == 4 and nablax.default_backend() == "cpu"
    assert pickle.loads(pickle.dumps(d)) is d and len(set(four)) == 4 and d == four[2] and d != four[1]
    assert isinstance(d, nablax.Device)
    with pytest.raises(ValueError, match="Unknown process_index 1"):
        nablax.local_devices(process_index=1)
    assert "cpu-4, 4 local devices" in nablax.print_environment_info(return_string=True)


@pytest.mark.parametrize("bad", [0, -2, 1.5, "4", True])
def test_bad_device_counts(bad):
    with pytest.raises(ValueError, match="jax_num_cpu_devices must be a positive int"):
        nablax.config.update("jax_num_cpu_devices", bad)
    assert nablax.config.jax_num_cpu_devices == -1


def test_count_from_the_environment():
    code = "import nablax; print(nablax.device_count(), nablax.devices()[-1])"
    env = {**os.environ, "PYTHONPATH": ROOT, "NABLAX_NUM_CPU_DEVICES": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["3", "cpu:2"], out.stderr
    env["NABLAX_NUM_CPU_DEVICES"] = "three"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "NABLAX_NUM_CPU_DEVICES must be a positive int, got 'three'" in out.stderr


def test_devices_of_a_two_process_job(second_of_two):
    all_ = nablax.devices()
    assert [(d.id, d.process_index, d.local_hardware_id) for d in all_] == [(0, 0, 0), (1, 0, 1), (2, 1, 0), (3, 1, 1)]
    assert nablax.local_devices() == all_[2:] and nablax.local_devices(process_index=0) == all_[:2]
    computed = jnp.arange(3.0) + 1  # not placed: on this process's first device
    assert computed.devices() == {all_[2]} and computed.is_fully_addressable and not computed.committed
    assert computed.addressable_shards[0].device is all_[2]
    assert (nablax.process_index(), nablax.process_count(), nablax.device_count(), nablax.local_device_count()) == \
        (1, 2, 4, 2)
    mesh = nablax.make_mesh((2, 2), ("proc", "dev"))
    assert mesh.is_multi_process and mesh.local_devices == all_[2:]
    s = NamedSharding(mesh, P("proc"))
    assert s.addressable_devices == set(all_[2:]) and not s.is_fully_addressable
    x = nablax.device_put(np.arange(4.0), s)
    assert not x.is_fully_addressable
    assert [(sh.device.id, sh.index, sh.data.tolist()) for sh in x.addressable_shards] == \
        [(2, (slice(2, 4),), [2.0, 3.0]), (3, (slice(2, 4),), [2.0, 3.0])]
    assert len(x.global_shards) == 4
    assert nablax.make_mesh((2, 2), ("dev", "proc"), devices=[all_[i] for i in (0, 2, 1, 3)]).local_mesh.devices.tolist() \
        == [[all_[2]], [all_[3]]]
    with pytest.raises(ValueError, match="do not form a block"):
        Mesh([all_[0], all_[2], all_[1], all_[3]], "x").local_mesh
    with pytest.raises(ValueError, match="belongs to process 0"):
        nablax.device_put(1.0, all_[0])


def test_arrays_assembled_across_processes(second_of_two):
    s = NamedSharding(nablax.make_mesh((4,), ("x",)), P("x"))  # devices 0, 1 are process 0's
    second_of_two.theirs = {((0, 1, None),): np.array([0.0]), ((1, 2, None),): np.array([1.0])}
    mine = [nablax.device_put(np.array([3.0]), nablax.local_devices()[1]),
            nablax.device_put(np.array([2.0]), nablax.local_devices()[0])]
    x = nablax.make_array_from_single_device_arrays((4,), s, mine)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0] and x.sharding == s
    second_of_two.theirs = ((slice(0, 2),), np.array([10.0, 11.0]))
    y = nablax.make_array_from_process_local_data(s, np.array([12.0, 13.0]), (4,))
    assert y.tolist() == [10.0, 11.0, 12.0, 13.0] and y.sharding == s
    with pytest.raises(ValueError, match=r"holds? the block \(slice\(2, 4, None\),\)"):
        nablax.make_array_from_process_local_data(s, np.array([12.0, 13.0, 14.0]), (4,))


# ------------------------------------------------------------------------ meshes
def test_mesh(four):
    m = Mesh(np.array(four).reshape(2, 2), ("x", "y"))
    assert repr(m) == "Mesh(axis_sizes=(2, 2), axis_names=('x', 'y'), axis_types=(Auto, Auto))"
    assert str(m) == "Mesh('x': 2, 'y': 2, axis_types=(Auto, Auto))"
    assert list(m.shape.items()) == [("x", 2), ("y", 2)] and str(m.shape) == "OrderedDict([('x', 2), ('y', 2)])"
    assert m.size == 4 and m.axis_names == ("x", "y") and m.axis_sizes == (2, 2)
    assert m.devices[1, 0] is four[2] and m.device_ids.tolist() == [[0, 1], [2, 3]]
    assert m.local_devices == four and not m.is_multi_process
    assert m == Mesh([[four[0], four[1]], [four[2], four[3]]], ("x", "y")) and hash(m) == hash(pickle.loads(pickle.dumps(m)))
    assert m != Mesh(np.array(four).reshape(2, 2), ("x", "z"))
    assert repr(Mesh(four, "x")) == "Mesh(axis_sizes=(4,), axis_names=('x',), axis_types=(Auto,))"
    assert str(m.abstract_mesh) == \
        "AbstractMesh('x': 2, 'y': 2, axis_types=(Auto, Auto), device_kind=cpu, num_cores=None, platform=cpu)"
    assert sharding_impl.context_mesh() is None
    other = Mesh(four, "z")
    with m as entered:
        assert entered is m and sharding_impl.context_mesh() is m
        with other:
            assert sharding_impl.context_mesh() is other
        assert sharding_impl.context_mesh() is m
    assert sharding_impl.context_mesh() is None


def test_mesh_errors(four):
    with pytest.raises(ValueError, match=r"devices.ndim == 2 and len\(axis_names\) == 1"):
        Mesh(np.array(four).reshape(2, 2), ("x",))
    with pytest.raises(ValueError, match="distinct"):
        Mesh(np.array(four).reshape(2, 2), ("x", "x"))
    with pytest.raises(TypeError, match="must be a device"):
        Mesh(np.array([1, 2]), ("x",))
    with pytest.raises(ValueError, match="more than once"):
        Mesh([four[0], four[0]], ("x",))
    with pytest.raises(TypeError, match="must be of type `jax.sharding.AxisType`"):
        Mesh(four, "x", axis_types="auto")
    with pytest.raises(ValueError, match="Number of axis names should match the number of axis_types"):
        Mesh(four, "x", axis_types=(AxisType.Auto, AxisType.Auto))


def test_make_mesh(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    assert repr(m) == "Mesh(axis_sizes=(2, 2), axis_names=('x', 'y'), axis_types=(Explicit, Explicit))"
    assert m.devices.tolist() == [[four[0], four[1]], [four[2], four[3]]]
    assert nablax.make_mesh((3,), "x").devices.tolist() == four[:3]
    assert nablax.make_mesh((2,), ("x",), devices=four[2:]).device_ids.tolist() == [2, 3]
    assert nablax.make_mesh((4,), ("x",), axis_types=(AxisType.Auto,)).axis_types == (AxisType.Auto,)
    assert [repr(t) for t in AxisType] == ["Auto", "Explicit", "Manual"]
    with pytest.raises(ValueError, match=r"Number of devices 4 must be >= the product of mesh_shape \(2, 4\)"):
        nablax.make_mesh((2, 4), ("x", "y"))
    with pytest.raises(ValueError, match="sequence of ints"):
        nablax.make_mesh(("a",), ("x",))
    with pytest.raises(ValueError, match="positive"):
        nablax.make_mesh((0,), ("x",))


def test_set_mesh(four):
    m = nablax.make_mesh((4,), ("x",))
    assert repr(nablax.sharding.get_mesh()) == "Mesh(axis_sizes=(), axis_names=())"
    assert repr(nablax.sharding.get_abstract_mesh()) == "AbstractMesh((), axis_types=())"
    with nablax.set_mesh(m) as nothing:
        assert nothing is None and nablax.sharding.get_mesh() is m and sharding_impl.context_mesh() is m
        assert nablax.sharding.get_abstract_mesh().shape_tuple == (("x", 4),)
    assert nablax.sharding.get_mesh().empty
    with pytest.raises(TypeError, match="Mesh"):
        nablax.set_mesh("x")


def test_reshard_and_the_axis_wrappers(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    x = np.arange(8.0)
    assert nablax.reshard(x, NamedSharding(m, P("x"))).sharding == NamedSharding(m, P("x"))
    with pytest.raises(ValueError, match="not under a mesh context"):
        nablax.reshard(x, P("x"))
    with pytest.raises(ValueError, match="non-None"):
        nablax.reshard(x, None)
    with pytest.raises(TypeError, match="only supports instances of `NamedSharding` or `PartitionSpec`"):
        nablax.reshard(x, four[1])
    with nablax.set_mesh(m):
        a, b = nablax.reshard([x, np.ones((2, 4))], [P("x"), P(None, "y")])
        assert a.sharding == NamedSharding(m, P("x")) and b.sharding == NamedSharding(m, P(None, "y"))
        assert a.tolist() == x.tolist()
        doubled = nablax.sharding.auto_axes(lambda v: v * 2, axes="x", out_sharding=P("x"))(x)
        assert doubled.sharding == NamedSharding(m, P("x")) and doubled.tolist() == (2 * x).tolist()
        seen = []
        nablax.sharding.explicit_axes(lambda v: seen.append(v.sharding), axes="x", in_sharding=P("y"))(x)
        assert seen == [NamedSharding(m, P("y"))]
    with pytest.raises(TypeError, match="Missing required keyword argument: 'in_sharding'"):
        nablax.sharding.explicit_axes(lambda v: v, axes="x")(x)
    abstract = nablax.sharding.AbstractMesh((2, 3), ("a", "b"))
    with nablax.sharding.use_abstract_mesh(abstract) as nothing:
        assert nothing is None and nablax.sharding.get_abstract_mesh() is abstract
    assert nablax.sharding.get_abstract_mesh().empty
    with pytest.raises(ValueError, match="Expected mesh of type `jax.sharding.AbstractMesh`"):
        nablax.sharding.use_abstract_mesh(m)
    assert m.local_mesh == Mesh(m.devices, ("x", "y"))
    t = nablax.sharding.ManualAxisType(varying={"x"})
    assert repr(t) == "ManualAxisType(varying=frozenset({'x'}), unreduced=frozenset(), reduced=frozenset())"
    assert t.update(reduced={"y"}).reduced == {"y"} and not t.empty and nablax.sharding.ManualAxisType().empty
    assert pickle.loads(pickle.dumps(t)) == t and hash(t) == hash(nablax.sharding.ManualAxisType(varying={"x"}))
    with pytest.raises(ValueError, match="varying and reduced cannot have common mesh axes"):
        nablax.sharding.ManualAxisType(varying={"x"}, reduced={"x"})


# --------------------------------------------------------------- partition specs
def test_partition_spec():
    assert PartitionSpec is P
    assert repr(P()) == "P()" and repr(P("x")) == "P('x',)" and repr(P(("x", "y"), None)) == "P(('x', 'y'), None)"
    assert P(["x", "y"]) == P(("x", "y")) and P(("x",)) == P("x") and hash(P("x")) == hash(P(("x",)))
    assert P("x") != P("x", None) and P("x") != ("x",) and not isinstance(P("x"), tuple)
    assert len(P("x", None)) == 2 and tuple(P("x", None)) == ("x", None) and P("x", None)[0] == "x"
    assert P("x", None).partitions == ("x", None) and P("x") + P("y") == P("x", "y") and ("a",) + P("b") == P("a", "b")
    assert P("x", None).index(None) == 1 and P("x", "x").count("x") == 2
    assert repr(P(P.UNCONSTRAINED, "x")) == "P(UNCONSTRAINED, 'x')"
    assert pickle.loads(pickle.dumps(P(P.UNCONSTRAINED, ("x", "y")))) == P(P.UNCONSTRAINED, ("x", "y"))
    assert nablax.tree_util.tree_leaves([P("x"), P()]) == [P("x"), P()]  # a leaf, not a tuple node


# --------------------------------------------------------------- named sharding
def test_named_sharding(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    s = NamedSharding(m, P("x", None))
    assert repr(s) == ("NamedSharding(mesh=Mesh('x': 2, 'y': 2, axis_types=(Explicit, Explicit)), spec=P('x', None), "
                       "memory_kind=device)")
    assert s.shard_shape((4, 6)) == (2, 6) and s.mesh is m and s.spec == P("x", None)
    assert s.devices_indices_map((4, 6)) == {
        four[0]: (slice(0, 2), slice(None)), four[1]: (slice(0, 2), slice(None)),
        four[2]: (slice(2, 4), slice(None)), four[3]: (slice(2, 4), slice(None))}
    assert s.device_set == s.addressable_devices == set(four) and s.num_devices == 4 and s.is_fully_addressable
    assert not s.is_fully_replicated and NamedSharding(m, P()).is_fully_replicated
    both = NamedSharding(m, P(("y", "x")))
    assert both.shard_shape((8,)) == (2,)
    assert [i[0].start for i in both.devices_indices_map((8,)).values()] == [0, 4, 2, 6]  # 'y' is the major axis
    cols = NamedSharding(m, P(None, "y")).devices_indices_map((2, 4))
    assert [i[1] for i in cols.values()] == [slice(0, 2), slice(2, 4), slice(0, 2), slice(2, 4)]
    assert s == NamedSharding(m, P("x", None)) and hash(s) == hash(NamedSharding(m, P("x", None)))
    assert s != NamedSharding(m, P("x")) and pickle.loads(pickle.dumps(s)) == s
    assert s.with_memory_kind("pinned_host").memory_kind == "pinned_host"
    assert isinstance(s, nablax.sharding.Sharding) and isinstance(SingleDeviceSharding(four[1]), nablax.sharding.Sharding)


def test_named_sharding_errors(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    with pytest.raises(ValueError, match=r"Resource axis: z of P\('z',\) is not found in mesh: \('x', 'y'\)"):
        NamedSharding(m, P("z"))
    with pytest.raises(sharding_impl.DuplicateSpecError, match="duplicate entries for `x`"):
        NamedSharding(m, P(("x", "y"), "x"))
    with pytest.raises(ValueError, match="dimension size is 3"):
        NamedSharding(m, P("x")).shard_shape((3, 6))
    assert issubclass(sharding_impl.IndivisibleError, ValueError)
    with pytest.raises(ValueError, match="UNCONSTRAINED"):
        NamedSharding(m, P(P.UNCONSTRAINED))
    assert NamedSharding(nablax.make_mesh((4,), "x", axis_types=(AxisType.Auto,)), P(P.UNCONSTRAINED)).shard_shape((4,)) == (4,)
    with pytest.raises(TypeError, match=r"write P\('x',\)"):
        NamedSharding(m, ("x",))
    with pytest.raises(ValueError, match="memory kinds: device, pinned_host, unpinned_host. Got memory kind: xyz"):
        NamedSharding(m, P(), memory_kind="xyz")
    with pytest.raises(ValueError, match="more than the rank"):
        NamedSharding(m, P("x", "y")).shard_shape((4,))


def test_single_device_sharding(four):
    s = SingleDeviceSharding(four[1])
    assert repr(s) == "SingleDeviceSharding(device=CpuDevice(id=1), memory_kind=device)" and s.device is four[1]
    assert s.device_set == {four[1]} and s.shard_shape((3, 4)) == (3, 4)
    assert s.devices_indices_map((3,)) == {four[1]: (slice(None),)}
    assert s == SingleDeviceSharding(four[1]) != SingleDeviceSharding(four[2]) and pickle.loads(pickle.dumps(s)) == s
    assert nablax.sharding.make_single_device_sharding(four[1]) == s
    with pytest.raises(TypeError, match="expected a device"):
        SingleDeviceSharding(3)


# ------------------------------------------------------------------ placed arrays
def test_device_put_on_a_device(four):
    x = jnp.arange(3.0)
    assert x.devices() == {four[0]} and not x.committed
    y = nablax.device_put(x, four[2])
    assert y.devices() == {four[2]} and y.device is four[2] and y.committed and y.sharding == SingleDeviceSharding(four[2])
    assert repr(y.addressable_shards[0]) == \
        "Shard(device=CpuDevice(id=2), index=(slice(None, None, None),), replica_id=0, data=[0. 1. 2.])"
    assert np.shares_memory(np.asarray(x), np.asarray(y)) and x.devices() == {four[0]}
    assert (y + 1).devices() == {four[0]}  # results of computations are not placed (see the notes)
    assert pickle.loads(pickle.dumps(y)).devices() == {four[2]}
    assert nablax.device_put(x, four[0]) is x and x.to_device(four[0]) is x and x.to_device(four[3]).device is four[3]
    s = nablax.device_put(1.0, four[3])
    assert s.weak_type and s.devices() == {four[3]}
    tree = nablax.device_put({"a": 1, "b": np.ones(2)}, {"a": four[1], "b": None})
    assert tree["a"].device is four[1] and not tree["b"].committed
    pair = nablax.device_put((1.0, [2.0, 3.0]), (four[1], four[2]))
    assert pair[0].device is four[1] and [v.device for v in pair[1]] == [four[2], four[2]]
    with pytest.raises(ValueError, match="not a prefix"):
        nablax.device_put((1.0, 2.0), [four[1], four[2]])
    with pytest.raises(ValueError, match="only accepts None, a sharding"):
        nablax.device_put(1.0, "cpu")
    with pytest.raises(TypeError, match="is a placement, not a value"):
        nablax.device_put(four[1])


def test_device_put_on_a_named_sharding(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    x = nablax.device_put(np.arange(24.0).reshape(4, 6), NamedSharding(m, P(None, "y")))
    assert x.devices() == set(four) and x.device is x.sharding and not x.is_fully_replicated and x.is_fully_addressable
    shards = x.addressable_shards
    assert [(sh.device.id, sh.replica_id) for sh in shards] == [(0, 0), (1, 0), (2, 1), (3, 1)]
    np.testing.assert_array_equal(shards[1].data, np.arange(24.0).reshape(4, 6)[:, 3:])
    assert x.addressable_data(1).shape == (4, 3)
    with pytest.raises(ValueError, match="partitioned 2 times, but the dimension size is 5"):
        nablax.device_put(np.arange(5.0), NamedSharding(m, P("x")))
    with pytest.raises(ValueError, match="more than the rank"):
        nablax.device_put(1.0, NamedSharding(m, P("x")))
    f = nablax.jit(lambda v: nablax.device_put(v, NamedSharding(m, P("x"))) * 2)
    np.testing.assert_array_equal(f(jnp.arange(4.0)), [0.0, 2.0, 4.0, 6.0])


def test_make_array_from_callback(four):
    m = nablax.make_mesh((2, 2), ("x", "y"))
    data = np.arange(24.0).reshape(4, 6)
    asked = []
    x = nablax.make_array_from_callback((4, 6), NamedSharding(m, P("x")), lambda idx: asked.append(idx) or data[idx])
    np.testing.assert_array_equal(x, data)
    assert asked == [(slice(0, 2), slice(None)), (slice(2, 4), slice(None))]  # once per distinct piece
    assert x.sharding == NamedSharding(m, P("x")) and x.dtype == np.float32
    with pytest.raises(ValueError, match="expected shard shape"):
        nablax.make_array_from_callback((4, 6), NamedSharding(m, P("x")), lambda idx: np.ones((3, 6)))


def test_make_array_from_single_device_arrays(four):
    s = NamedSharding(nablax.make_mesh((4,), ("x",)), P("x"))
    pieces = [nablax.device_put(np.array([float(i)]), four[i]) for i in range(4)]
    x = nablax.make_array_from_single_device_arrays((4,), s, pieces[::-1])  # matched by their devices
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0, 3.0])
    assert x.sharding == s
    y = nablax.make_array_from_single_device_arrays((4,), s, [jnp.array([float(i)]) for i in range(4)])  # by order
    np.testing.assert_array_equal(y, [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Expected 4 per-device arrays"):
        nablax.make_array_from_single_device_arrays((4,), s, pieces[:2])
    z = nablax.make_array_from_process_local_data(s, np.arange(4.0))
    assert z.sharding == s and z.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="global_shape"):
        nablax.make_array_from_process_local_data(s, np.arange(4.0), (8,))


MPI_PROGRAM = """
import numpy as np
import nablax
from nablax.sharding import NamedSharding
nablax.config.update("jax_num_cpu_devices", 2)
r = nablax.process_index()
s = NamedSharding(nablax.make_mesh((4,), ("x",)), nablax.P("x"))
mine = [nablax.device_put(np.array([float(d.id)]), d) for d in nablax.local_devices()]
x = nablax.make_array_from_single_device_arrays((4,), s, mine)
y = nablax.make_array_from_process_local_data(s, np.arange(2.0) + 10 * r, (4,))
line = " ".join(str(v) for v in (r, nablax.process_count(), [d.id for d in nablax.local_devices()],
                                  [d.process_index for d in nablax.devices()], x.tolist(), y.tolist(),
                                  [sh.device.id for sh in x.addressable_shards]))
from nablax._src.distributed import world
lines = world().allgather_object(line)  # printed by one rank: two ranks' prints can interleave
if r == 0:
    for each in lines:
        print(each, flush=True)
"""


@pytest.mark.skipif(importlib.util.find_spec("nablax._src.distributed") is None or shutil.which("mpiexec") is None
                    or importlib.util.find_spec("mpi4py") is None, reason="needs mpiexec, mpi4py and nablax's transport")
def test_devices_and_assembly_under_mpiexec(tmp_path):
    program = tmp_path / "two_processes.py"
    program.write_text(MPI_PROGRAM)
    env = {**os.environ, "PYTHONPATH": ROOT}
    run = subprocess.run(["timeout", "150", "mpiexec", "-n", "2", sys.executable, str(program)], env=env,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = sorted(line for line in run.stdout.splitlines() if line[:2] in ("0 ", "1 "))
    assert lines == [
        "0 2 [0, 1] [0, 0, 1, 1] [0.0, 1.0, 2.0, 3.0] [0.0, 1.0, 10.0, 11.0] [0, 1]",
        "1 2 [2, 3] [0, 0, 1, 1] [0.0, 1.0, 2.0, 3.0] [0.0, 1.0, 10.0, 11.0] [2, 3]",
    ]
