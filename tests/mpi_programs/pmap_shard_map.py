"""pmap and shard_map across processes against the same program on one process.

Run by tests/test_distributed_pmap.py as `mpiexec -n P python pmap_shard_map.py` with
NABLAX_NUM_CPU_DEVICES=K: P processes of K devices each, N = P*K lanes. Every rank also
computes the one-process answer (a named vmap over all N lanes, no process group) and
compares its own lanes (pmap) or the whole result (shard_map) with it.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import numpy as np  # noqa: E402
from checks import Checks  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as jnp  # noqa: E402
from nablax import lax  # noqa: E402
from nablax.sharding import Mesh  # noqa: E402
from nablax.sharding import PartitionSpec as P  # noqa: E402

nablax.distributed.initialize()
rank, size = nablax.process_index(), nablax.process_count()
k = nablax.local_device_count()
n = k * size
check = Checks(rank)
check.true("device count", nablax.device_count() == n, f"{nablax.device_count()} != {n}")
mine = slice(rank * k, (rank + 1) * k)
rng = np.random.default_rng(0)
xs = rng.standard_normal((n, 3)).astype(np.float32)  # the same on every rank (same seed)
perm = [(j, (j + 1) % n) for j in range(n)]

per_lane = {
    "psum": lambda v: lax.psum(v, "i"),
    "pmean": lambda v: lax.pmean(v, "i"),
    "pmax": lambda v: lax.pmax(v, "i"),
    "pmin": lambda v: lax.pmin(v, "i"),
    "all_gather": lambda v: lax.all_gather(v, "i"),
    "all_gather tiled": lambda v: lax.all_gather(v, "i", tiled=True),
    "axis_index": lambda v: v * lax.axis_index("i"),
    "ppermute": lambda v: lax.ppermute(v, "i", perm),
    "pbroadcast": lambda v: lax.pbroadcast(v, "i", n - 1),
    "psum_scatter": lambda v: lax.psum_scatter(jnp.outer(jnp.arange(1.0, n + 1), v), "i"),
    "all_to_all": lambda v: lax.all_to_all(jnp.outer(jnp.arange(1.0, n + 1), v), "i", 0, 0),
    "scan of psum": lambda v: lax.scan(lambda c, y: (c + lax.psum(y, "i"), None), 0.0, v)[0],
}
for name, f in per_lane.items():
    expected = np.asarray(nablax.vmap(f, axis_name="i")(xs))[mine]
    got = np.asarray(nablax.pmap(f, axis_name="i")(xs[mine]))  # (sums of own lanes, then across: rounding)
    check.true(f"pmap {name}", got.shape == expected.shape and got.dtype == expected.dtype
               and np.allclose(got, expected, rtol=1e-6, atol=1e-6), f"{got!r} vs {expected!r}")
    g = nablax.grad(lambda v, f=f: jnp.sum(jnp.sin(f(v))))
    want = np.asarray(nablax.vmap(g, axis_name="i")(xs))[mine]
    got = np.asarray(nablax.pmap(g, axis_name="i")(xs[mine]))
    check.true(f"pmap(grad) {name}", np.allclose(got, want, rtol=1e-5, atol=1e-6), f"{got} vs {want}")

# grad outside pmap: each process's loss is its share of the sum over all lanes
loss_v = lambda x: jnp.sum(jnp.tanh(nablax.vmap(lambda v: lax.psum(v * v, "i") * v, axis_name="i")(x)))  # noqa: E731
loss_p = lambda x: jnp.sum(jnp.tanh(nablax.pmap(lambda v: lax.psum(v * v, "i") * v, axis_name="i")(x)))  # noqa: E731
want = np.asarray(nablax.grad(loss_v)(xs))[mine]
for label, grad in [("grad of pmap", nablax.grad(loss_p)), ("jit(grad of pmap)", nablax.jit(nablax.grad(loss_p)))]:
    got = np.asarray(grad(xs[mine]))
    check.true(label, np.allclose(got, want, rtol=1e-5, atol=1e-6), f"{got} vs {want}")
got = np.asarray(nablax.vmap(nablax.pmap(lambda v: lax.psum(v, "i"), axis_name="i"), in_axes=1)(xs[mine]))
want = np.asarray(nablax.vmap(nablax.vmap(lambda v: lax.psum(v, "i"), axis_name="i"), in_axes=1)(xs))[:, mine]
check.true("vmap of pmap", got.shape == want.shape and np.allclose(got, want, rtol=1e-6), f"{got} vs {want}")

# shard_map: a data-parallel step equals the unsharded step, on a 1-D and a 2-D mesh
w = rng.standard_normal((3, 2)).astype(np.float32)
loss = lambda w, x: jnp.mean(jnp.tanh(x @ w) ** 2)  # noqa: E731
step = nablax.jit(nablax.grad(loss))(w, xs)
devices = np.array(nablax.devices())
mesh = Mesh(devices, ("batch",))
local = lambda w, x: lax.pmean(nablax.grad(loss)(w, x), "batch")  # noqa: E731
sharded = nablax.shard_map(local, mesh=mesh, in_specs=(P(), P("batch")), out_specs=P())
check.true("shard_map data-parallel step", np.allclose(np.asarray(nablax.jit(sharded)(w, xs)), step, rtol=1e-5),
           "differs from the unsharded step")
whole = nablax.grad(lambda w, x: nablax.shard_map(lambda w, x: lax.pmean(loss(w, x), "batch"), mesh=mesh,
                                                  in_specs=(P(), P("batch")), out_specs=P())(w, x), argnums=(0, 1))
gw, gx = whole(w, xs)
rw, rx = nablax.grad(loss, argnums=(0, 1))(w, xs)
check.true("grad outside shard_map (replicated w)", np.allclose(gw, rw, rtol=1e-5, atol=1e-7), f"{gw} vs {rw}")
check.true("grad outside shard_map (sharded x)", np.allclose(gx, rx, rtol=1e-5, atol=1e-7), "differs")
blocks = nablax.shard_map(lambda b: b * 2 + lax.axis_index("batch"), mesh=mesh, in_specs=P("batch"),
                          out_specs=P("batch"))(xs)
check.equal("shard_map blocks", np.asarray(blocks), xs * 2 + np.repeat(np.arange(n), 1)[:, None].astype(np.float32))
if k > 1:
    mesh2 = Mesh(devices.reshape(size, k), ("proc", "dev"))
    f2 = lambda b: lax.psum(b, "dev") + 10 * lax.axis_index("proc")  # noqa: E731
    got = nablax.shard_map(f2, mesh=mesh2, in_specs=P(("proc", "dev")), out_specs=P("proc"))(xs)
    ref = xs.reshape(size, k, 1, 3).sum(1).reshape(size, 3) + 10 * np.arange(size)[:, None]
    check.true("shard_map 2-D mesh", np.allclose(np.asarray(got), ref, rtol=1e-6), f"{got} vs {ref}")

# bad input: every rank raises, none hangs
check.raises("mismatched shapes", ValueError,
             lambda: nablax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")(jnp.ones((k, 2 + rank))),
             "rank 0 has", "rank 1 has")
check.raises("mapped axis is not the local device count", ValueError,
             lambda: nablax.pmap(lambda v: v)(jnp.ones((k + 1,))), f"{k} local devices")
check.raises("unknown axis", NameError,
             lambda: nablax.pmap(lambda v: lax.psum(v, "j"), axis_name="i")(jnp.ones((k,))), "'j'")
check.done()
