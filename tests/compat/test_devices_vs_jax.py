"""Devices, meshes, partition specs, shardings and placed arrays against JAX with 4 CPU devices.

The probe (run by both: tests/compat/four_devices.py) prints reprs, attributes, shard shapes,
index maps and errors (class and message) as JSON, and each entry must agree."""
from __future__ import annotations

import pytest

pytest.importorskip("jax")

from .four_devices import probe_test  # noqa: E402

PROBE = r'''
import numpy as np


def probe(jax):
    jnp = jax.numpy
    sh = jax.sharding
    AxisType, Mesh, NamedSharding, SingleDeviceSharding = sh.AxisType, sh.Mesh, sh.NamedSharding, sh.SingleDeviceSharding
    P = jax.P
    out = {}

    def put(key, f):
        try:
            out[key] = f()
        except Exception as e:  # noqa: BLE001  (the error is what is compared)
            out[key] = ["error", type(e).__name__, str(e)]

    def error_class(key, f):
        try:
            f()
            out[key] = "no error"
        except ValueError:  # (JAX raises some as a subclass of ValueError, nablax others)
            out[key] = "ValueError"
        except Exception as e:  # noqa: BLE001
            out[key] = type(e).__name__

    def index_map(s, shape):
        return [[d.id, repr(i)] for d, i in s.devices_indices_map(shape).items()]

    def shards(x):
        return [[s.device.id, repr(s.index), s.replica_id, np.asarray(s.data).tolist()] for s in x.addressable_shards]

    d = jax.devices()
    put("devices", lambda: [[repr(v), str(v), v.id, v.platform, v.device_kind, v.process_index, v.host_id,
                             v.local_hardware_id, v.task_id] for v in d])
    put("counts", lambda: [jax.device_count(), jax.local_device_count(), jax.process_count(), jax.process_index(),
                           jax.process_indices(), jax.default_backend(), repr(jax.local_devices(process_index=0))])
    put("unknown process", lambda: jax.local_devices(process_index=1))
    put("identity", lambda: [jax.devices()[2] is d[2], hash(d[1]) == hash(jax.devices()[1]), d[0] != d[1]])

    m = jax.make_mesh((2, 2), ("x", "y"))
    put("make_mesh", lambda: [repr(m), str(m), str(m.shape), m.size, list(m.axis_names), m.device_ids.tolist(),
                              str(m.devices), repr(m.local_devices), m.is_multi_process, repr(m.axis_types),
                              list(m.axis_sizes), repr(m.shape_tuple), str(m.abstract_mesh)])
    put("make_mesh small", lambda: [repr(jax.make_mesh((3,), ("x",)).devices.tolist()),
                                    jax.make_mesh((2,), "x", devices=d[2:]).device_ids.tolist()])
    put("make_mesh too big", lambda: jax.make_mesh((2, 4), ("x", "y")))
    put("make_mesh names", lambda: jax.make_mesh((2, 2), ("x",)))
    put("make_mesh types", lambda: jax.make_mesh((2, 2), ("x", "y"), axis_types=(AxisType.Auto,)))
    put("Mesh", lambda: [repr(Mesh(np.array(d).reshape(2, 2), ("a", "b"))), str(Mesh(d, "x")),
                         repr(Mesh([[d[0], d[1]], [d[2], d[3]]], ("a", "b"))),
                         repr(Mesh(d, "x", axis_types=AxisType.Explicit))])
    put("Mesh eq", lambda: [m == jax.make_mesh((2, 2), ("x", "y")), hash(m) == hash(jax.make_mesh((2, 2), ("x", "y"))),
                            m == jax.make_mesh((2, 2), ("x", "z"))])
    put("Mesh bad types", lambda: Mesh(d, "x", axis_types="auto"))
    put("AxisType", lambda: [repr(list(AxisType)), str(AxisType.Manual)])
    put("empty mesh", lambda: [repr(jax.sharding.get_mesh()), repr(jax.sharding.get_abstract_mesh())])

    def in_set_mesh():
        with jax.set_mesh(m) as r:
            return [repr(r), repr(jax.sharding.get_mesh()), str(jax.sharding.get_abstract_mesh())]
    put("set_mesh", in_set_mesh)

    def in_mesh():
        with m as r:
            return r is m
    put("with mesh", in_mesh)

    put("P repr", lambda: [repr(P()), repr(P("x")), repr(P(("x", "y"), None)), repr(P(["x", "y"])), str(P("x", None)),
                           repr(P(P.UNCONSTRAINED, "x")), repr(P("x") + P("y")), repr(("a",) + P("b"))])
    put("P eq", lambda: [P("x") == P("x"), P(("x",)) == P("x"), P("x") == P("x", None), P("x") == ("x",),
                         isinstance(P("x"), tuple), len(P("x", None)), list(P("x", None)), P(("x", "y"))[0],
                         P("x", None).index(None)])

    s = NamedSharding(m, P("x", None))
    put("NamedSharding", lambda: [repr(s), str(s), list(s.shard_shape((4, 6))), index_map(s, (4, 6)),
                                  s.is_fully_replicated, s.num_devices, sorted(v.id for v in s.device_set),
                                  sorted(v.id for v in s.addressable_devices), s.is_fully_addressable, s.memory_kind,
                                  repr(s.spec), repr(s.mesh), repr(s.with_memory_kind("pinned_host"))])
    put("NamedSharding maps", lambda: [index_map(NamedSharding(m, P(("y", "x"))), (8,)),
                                       index_map(NamedSharding(m, P(None, "y")), (2, 4)),
                                       index_map(NamedSharding(m, P()), (3,)),
                                       list(NamedSharding(m, P(("x", "y"))).shard_shape((8, 2))),
                                       NamedSharding(m, P()).is_fully_replicated])
    put("NamedSharding eq", lambda: [s == NamedSharding(m, P("x", None)), s == NamedSharding(m, P("x")),
                                     hash(s) == hash(NamedSharding(m, P("x", None)))])
    put("bad axis", lambda: NamedSharding(m, P("z")))
    put("duplicate axis", lambda: NamedSharding(m, P(("x", "y"), "x")))
    put("indivisible", lambda: s.shard_shape((3, 6)))
    put("memory kind", lambda: NamedSharding(m, P(), memory_kind="xyz"))
    put("unconstrained", lambda: NamedSharding(m, P(P.UNCONSTRAINED)))

    sd = SingleDeviceSharding(d[1])
    put("SingleDeviceSharding", lambda: [repr(sd), str(sd), sorted(v.id for v in sd.device_set), sd.num_devices,
                                         list(sd.shard_shape((3, 4))), index_map(sd, (3,)), sd.is_fully_replicated,
                                         sd.is_fully_addressable, sd.memory_kind, sd == SingleDeviceSharding(d[1]),
                                         sd == SingleDeviceSharding(d[2]),
                                         repr(jax.sharding.make_single_device_sharding(d[1]))])
    put("Sharding base", lambda: [isinstance(s, jax.sharding.Sharding), isinstance(sd, jax.sharding.Sharding)])

    x = jnp.arange(8.0)
    put("uncommitted", lambda: [repr(x.devices()), str(x.device), repr(x.sharding), x.committed,
                                jax.device_put(x).committed, shards(x)])
    y = jax.device_put(x, d[2])
    put("on a device", lambda: [repr(y.devices()), str(y.device), repr(y.sharding), y.committed, shards(y),
                                y.is_fully_addressable, y.is_fully_replicated, repr(y.addressable_shards[0]),
                                jax.device_put(np.arange(3), d[0]).committed, repr(x.to_device(d[3]).devices()),
                                repr(jax.device_put(1.0, d[3]).devices()), jax.device_put(1.0, d[3]).weak_type])
    z = jax.device_put(np.arange(24.0).reshape(4, 6), NamedSharding(m, P(None, "y")))
    put("on a mesh", lambda: [repr(z.sharding), sorted(v.id for v in z.devices()), repr(z.device), shards(z),
                              z.is_fully_replicated, z.is_fully_addressable, len(z.global_shards), z.committed])
    put("tree of placements", lambda: [
        [repr(v.devices()) for v in jax.device_put((1.0, [2.0, 3.0]), (d[1], d[2]))[1]],
        repr(jax.device_put({"a": 1, "b": np.ones(2)}, {"a": d[1], "b": None})["a"].devices())])
    error_class("bad placement", lambda: jax.device_put(1.0, "cpu"))
    error_class("indivisible put", lambda: jax.device_put(np.arange(5.0), NamedSharding(m, P("x"))))
    data = np.arange(24.0).reshape(4, 6)
    put("from callback", lambda: [
        np.asarray(jax.make_array_from_callback((4, 6), s, lambda i: data[i])).tolist(),
        repr(jax.make_array_from_callback((4, 6), s, lambda i: data[i]).sharding),
        shards(jax.make_array_from_callback((4, 6), s, lambda i: data[i]))[2]])
    line = NamedSharding(jax.make_mesh((4,), ("x",)), P("x"))
    pieces = [jax.device_put(np.array([float(i)]), d[i]) for i in range(4)]
    put("from single device arrays", lambda: [
        np.asarray(jax.make_array_from_single_device_arrays((4,), line, pieces)).tolist(),
        repr(jax.make_array_from_single_device_arrays((4,), line, pieces).sharding)])
    error_class("too few single device arrays", lambda: jax.make_array_from_single_device_arrays((4,), line, pieces[:2]))
    put("from process local data", lambda: [
        np.asarray(jax.make_array_from_process_local_data(line, np.arange(4.0))).tolist(),
        repr(jax.make_array_from_process_local_data(line, np.arange(4.0)).sharding)])
    put("reshard", lambda: [repr(jax.reshard(np.arange(8.0), NamedSharding(m, P("x"))).sharding),
                            repr(jax.reshard({"a": np.arange(8.0)}, {"a": NamedSharding(m, P("y"))})["a"].sharding)])
    put("reshard without a mesh", lambda: jax.reshard(np.arange(8.0), P("x")))
    put("reshard to None", lambda: jax.reshard(np.arange(8.0), None))

    def reshard_on_set_mesh():
        with jax.set_mesh(m):
            pair = jax.reshard([np.arange(8.0), np.ones((2, 4))], [P("x"), P(None, "y")])
            return [repr(pair[0].sharding), repr(pair[1].sharding), repr(jax.reshard((1.0, 2.0), P())[1].sharding)]
    put("reshard on set_mesh", reshard_on_set_mesh)

    def in_abstract_mesh():
        with sh.use_abstract_mesh(sh.AbstractMesh((2, 2), ("x", "y"))) as r:
            return [repr(r), repr(sh.get_abstract_mesh()), repr(sh.get_mesh())]
    put("use_abstract_mesh", in_abstract_mesh)
    error_class("use_abstract_mesh of a Mesh", lambda: sh.use_abstract_mesh(m).__enter__())
    put("AbstractMesh", lambda: [repr(sh.AbstractMesh((2, 3), ("a", "b"))), sh.AbstractMesh((2, 3), ("a", "b")).size,
                                 repr(sh.AbstractMesh((2,), ("a",), axis_types=(AxisType.Explicit,)))])
    put("local_mesh", lambda: repr(m.local_mesh))
    put("ManualAxisType", lambda: [repr(sh.ManualAxisType(varying=frozenset({"x"}))),
                                   repr(sh.ManualAxisType(reduced={"y"}).update(varying={"x"})),
                                   sh.ManualAxisType().empty, sh.ManualAxisType(varying={"x"}).empty])
    put("ManualAxisType overlap", lambda: sh.ManualAxisType(varying=frozenset({"x"}), reduced=frozenset({"x"})))
    put("explicit_axes without in_sharding", lambda: sh.explicit_axes(lambda v: v * 2, axes="x")(np.arange(4.0)))

    def auto_axes_out():
        with jax.set_mesh(m):
            return repr(sh.auto_axes(lambda v: v * 2, axes="x", out_sharding=P("x"))(np.arange(4.0)).sharding)
    put("auto_axes out_sharding", auto_axes_out)
    return out
'''

test_same_as_jax = probe_test(PROBE)
