"""Every ProcessGroup collective, nablax.distributed and multihost_utils, checked on every rank.

Run by tests/test_distributed_transport.py as `mpiexec -n N python collectives.py [--timeout]`.
Each rank computes what every rank holds (the data depend only on the rank), so the
expected results are the single-process NumPy ones. With --timeout the group's timeout
becomes 2 s, the last rank skips a final collective and the others must raise
TimeoutError naming it; the job must still exit 0.
"""
import functools
import pathlib
import sys
import time

import ml_dtypes
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from checks import Checks  # noqa: E402

import nablax  # noqa: E402
from nablax import distributed  # noqa: E402
from nablax._src.distributed import world  # noqa: E402
from nablax.experimental import multihost_utils as mhu  # noqa: E402
from nablax.sharding import PartitionSpec as P  # noqa: E402

group = world()
rank, size = group.rank, group.size
check = Checks(rank)

NUMERIC = [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint32, np.uint64, np.float16, ml_dtypes.bfloat16,
           np.float32, np.float64, np.complex64, np.complex128]
SHAPES = [(), (0,), (5,), (3, 4), (20000,)]  # the last one is too big to travel with the header


def data(r, dtype, shape, salt=0):
    """Rank r's array: small integers (exact in every dtype, also when summed over 4 ranks)."""
    values = np.random.default_rng(1000 * salt + r).integers(-20, 21, size=shape)
    dtype = np.dtype(dtype)
    if dtype.kind == "u":
        values = np.abs(values)
    if dtype.kind == "c":
        values = values + 1j * np.random.default_rng(77 + r).integers(-5, 6, size=shape)
    return np.asarray(values).astype(dtype)


def everyone(dtype, shape, salt=0):
    return [data(r, dtype, shape, salt) for r in range(size)]


# ---- allreduce: every dtype and op against NumPy -------------------------------------------------
for dtype in NUMERIC:
    for shape in SHAPES:
        for op, fold in (("sum", np.add), ("max", np.maximum), ("min", np.minimum)):
            if np.dtype(dtype).kind == "c" and op != "sum":
                continue
            parts = everyone(dtype, shape, salt=len(shape))
            if np.dtype(dtype) == ml_dtypes.bfloat16 or dtype == np.float16:
                expected = functools.reduce(fold, [p.astype(np.float32) for p in parts]).astype(dtype)
            else:
                expected = functools.reduce(fold, parts)
            mine = parts[rank]
            got = group.allreduce(mine, op, what=f"p{op}")
            check.equal(f"allreduce {op} {np.dtype(dtype)}{list(shape)}", got, np.asarray(expected, dtype))
            check.true(f"allreduce result is a new writable array {np.dtype(dtype)}",
                       got is not mine and got.flags.writeable and not np.shares_memory(got, mine))
got = group.allreduce(data(rank, np.float32, (4, 3)).T, "sum")  # a non-contiguous input
check.equal("allreduce of a transposed view", got, functools.reduce(np.add, everyone(np.float32, (4, 3))).T)
check.raises("allreduce bool", TypeError, lambda: group.allreduce(np.ones(3, bool), "sum"), "bool", "integer")
check.raises("allreduce complex max", TypeError, lambda: group.allreduce(np.ones(3, np.complex64), "max"), "complex")
check.raises("allreduce unknown op", ValueError, lambda: group.allreduce(np.ones(3), "prod"), "'prod'", "sum")

# ---- allgather and broadcast: any dtype, bytes moved ----------------------------------------------
RECORD = np.dtype([("a", np.int32), ("b", np.float64)])
for dtype in NUMERIC + [np.bool_, RECORD]:
    for shape in SHAPES:
        if dtype is RECORD:
            parts = [np.zeros(shape, RECORD) for _ in range(size)]
            for r, p in enumerate(parts):
                p["a"], p["b"] = r, r / 4
        elif dtype is np.bool_:
            parts = [data(r, np.int8, shape) > 0 for r in range(size)]
        else:
            parts = everyone(dtype, shape, salt=3)
        name = f"{np.dtype(dtype)}{list(shape)}"
        check.equal(f"allgather {name}", group.allgather(parts[rank]), np.stack(parts))
        root = size - 1
        got = group.broadcast(parts[rank], root)
        check.equal(f"broadcast {name}", got, parts[root])
        check.true(f"broadcast result is new {name}", got is not parts[rank] and got.flags.writeable)
check.raises("broadcast bad root", ValueError, lambda: group.broadcast(np.ones(2), size), "root", f"[0, {size})")
check.raises("allgather of objects", TypeError, lambda: group.allgather(np.array([None, 1])), "allgather_object")

check.true("allgather_object", group.allgather_object({"rank": rank, "text": "x" * rank})
           == [{"rank": r, "text": "x" * r} for r in range(size)])
group.barrier()
check.true("process_index/process_count", (nablax._src.distributed.process_index(),
                                           nablax._src.distributed.process_count()) == (rank, size))

# ---- mismatched arguments raise the same ValueError on every rank ------------------------------
expected_text = ", ".join(f"rank {r} has float32[{3 + r}]" for r in range(size))
check.raises("mismatched shapes", ValueError,
             lambda: group.allreduce(np.zeros(3 + rank, np.float32), "sum", what="psum over axis 'i'"),
             f"psum over axis 'i' across processes: {expected_text}")
check.raises("mismatched dtypes", ValueError,
             lambda: group.allgather(np.zeros(2, np.float32 if rank else np.int32), what="all_gather"),
             "rank 0 has int32[2]", "rank 1 has float32[2]")
check.raises("mismatched collectives", ValueError,
             lambda: group.allreduce(np.zeros(2), "sum" if rank == 0 else "max", what=f"p{'sum' if rank == 0 else 'max'}"),
             "rank 0 is in psum", "rank 1 is in pmax")
check.raises("mismatched roots", ValueError, lambda: group.broadcast(np.zeros(2), rank), "rank 0 has root 0")
check.equal("a collective after the mismatches", group.allreduce(np.ones(2, np.int32), "sum"),
            np.full(2, size, np.int32))

# ---- nablax.distributed.initialize --------------------------------------------------------------
check.true("not initialized yet", not distributed.is_initialized())
check.raises("initialize num_processes", ValueError, lambda: distributed.initialize(num_processes=size + 1),
             f"num_processes={size + 1}", f"{size} processes")
check.raises("initialize process_id", ValueError, lambda: distributed.initialize(process_id=(rank + 1) % size),
             f"process_id={(rank + 1) % size}", f"rank {rank}")
check.raises("initialize process_id type", TypeError, lambda: distributed.initialize(process_id="0"), "process_id")
distributed.initialize(coordinator_address="localhost:1234", num_processes=size, process_id=rank)
check.true("initialized", distributed.is_initialized())
check.raises("initialize twice", RuntimeError, distributed.initialize, "distributed.initialize should only be called once.")
distributed.shutdown()
check.true("shut down", not distributed.is_initialized())

# ---- multihost_utils ---------------------------------------------------------------------------
mhu.sync_global_devices("step 1")
check.raises("sync_global_devices names", AssertionError, lambda: mhu.sync_global_devices(f"name {rank}"),
             "rank 0 passed 'name 0'", "rank 1 passed 'name 1'")
tree = {"a": np.arange(3.0) + rank, "b": (np.int32(rank), [np.ones((2, 2), bool) * (rank % 2)])}
out = mhu.broadcast_one_to_all(tree)
check.equal("broadcast_one_to_all a", out["a"], np.arange(3.0))
check.equal("broadcast_one_to_all b", out["b"][0], np.asarray(np.int32(0)))
out = mhu.broadcast_one_to_all(tree, is_source=rank == size - 1)
check.equal("broadcast_one_to_all is_source", out["b"][1][0], np.ones((2, 2), bool) * ((size - 1) % 2))
check.raises("broadcast_one_to_all two sources", ValueError, lambda: mhu.broadcast_one_to_all(tree, is_source=True),
             "exactly one")
out = mhu.process_allgather(tree)
check.equal("process_allgather", out["a"], np.stack([np.arange(3.0) + r for r in range(size)]))
check.equal("process_allgather scalar", out["b"][0], np.arange(size, dtype=np.int32))
out = mhu.process_allgather(nablax.numpy.ones((2, 3)) * rank, tiled=True)
check.equal("process_allgather tiled", out, np.concatenate([np.full((2, 3), r, np.float32) for r in range(size)]))
mhu.assert_equal({"x": np.arange(4), "s": 3.0}, "should pass")
check.raises("assert_equal differs", AssertionError, lambda: mhu.assert_equal(np.arange(2) * rank, "differ"), "differ.")


class Device:
    def __init__(self, id, process_index):
        self.id, self.process_index = id, process_index


class Mesh:
    def __init__(self, devices, axis_names):
        self.devices, self.axis_names = devices, tuple(axis_names)
        self.shape = dict(zip(self.axis_names, devices.shape))


mesh = Mesh(np.array([[Device(2 * q + j, q) for j in range(2)] for q in range(size)]), ("host", "dev"))
local = np.arange(8.0).reshape(4, 2) + 100 * rank
every_local = [np.arange(8.0).reshape(4, 2) + 100 * q for q in range(size)]
for spec, expected in [
    (P("host"), np.concatenate(every_local)),
    (P(("host", "dev")), np.concatenate(every_local)),
    (P(None, "host"), np.concatenate(every_local, axis=1)),
    (P(("dev", "host")), np.concatenate([every_local[q][2 * j:2 * j + 2] for j in range(2) for q in range(size)])),
    (P(), every_local[0]),  # replicated: the processes should agree; if not, the lowest rank's copy is kept
]:
    got = mhu.host_local_array_to_global_array(local, mesh, spec)
    check.true(f"host_local_array_to_global_array {spec} is an Array", isinstance(got, nablax.Array), type(got))
    check.equal(f"host_local_array_to_global_array {spec}", got, expected.astype(np.float32))
    back = mhu.global_array_to_host_local_array(got, mesh, spec)
    check.equal(f"global_array_to_host_local_array {spec}", back, (every_local[0] if spec == P() else local).astype(np.float32))
both = mhu.host_local_array_to_global_array({"u": local, "v": [local]}, mesh, {"u": P("host"), "v": P()})
check.equal("host_local_array_to_global_array tree", both["u"], np.concatenate(every_local).astype(np.float32))

# ---- a rank that does not arrive: TimeoutError naming it; the job still exits 0 -------------------
if "--timeout" in sys.argv:
    group.timeout = 2.0  # as NABLAX_COLLECTIVE_TIMEOUT=2 would (which would also bound the join: ranks start skewed)
    if rank != size - 1:
        check.raises("timeout", TimeoutError, lambda: group.allreduce(np.ones(3), "sum", what="psum over axis 'i'"),
                     "psum over axis 'i' across processes", f"rank {rank} waited 2 s", f"rank {size - 1} did not arrive",
                     "NABLAX_COLLECTIVE_TIMEOUT")
        check.raises("after a timeout", RuntimeError, lambda: group.barrier(), "unusable", "did not complete")
    else:
        time.sleep(3)  # alive but elsewhere (a rank that has ended is noticed sooner: rank_ends.py)
check.done()
