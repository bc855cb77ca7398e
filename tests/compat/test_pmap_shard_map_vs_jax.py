"""pmap and shard_map against JAX with 4 CPU devices: values, dtypes, shapes, gradients and
the classes of the errors (tests/compat/four_devices.py runs the probe in both)."""
from __future__ import annotations

import pytest

pytest.importorskip("jax")

from .four_devices import probe_test  # noqa: E402

PROBE = r'''
import numpy as np


def probe(jax):
    jnp, lax = jax.numpy, jax.lax
    P, Mesh = jax.sharding.PartitionSpec, jax.sharding.Mesh
    out = {}

    def show(x):
        x = np.asarray(x)
        return [str(x.dtype), list(x.shape), x.tolist()]

    def put(key, f):
        try:
            out[key] = jax.tree_util.tree_map(show, f())
        except Exception as e:  # noqa: BLE001  (the error is what is compared)
            out[key] = ["error", type(e).__name__]

    def error_class(key, f):
        try:
            f()
            out[key] = "no error"
        except Exception as e:  # noqa: BLE001
            out[key] = ["error", type(e).__name__]

    x = jnp.arange(4.0)
    xi = jnp.arange(4)
    m = jnp.arange(12.0).reshape(3, 4)
    perm = [(0, 1), (1, 2), (2, 3), (3, 0)]
    put("pmap double", lambda: jax.pmap(lambda v: v * 2)(x))
    put("pmap psum", lambda: jax.pmap(lambda v: lax.psum(v ** 2, "i"), axis_name="i")(x))
    put("pmap psum int", lambda: jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")(xi))
    put("pmap pmean", lambda: jax.pmap(lambda v: lax.pmean(v, "i"), axis_name="i")(x))
    put("pmap pmax pmin", lambda: jax.pmap(lambda v: (lax.pmax(v, "i"), lax.pmin(v, "i")), axis_name="i")(x))
    put("pmap all_gather", lambda: jax.pmap(lambda v: lax.all_gather(v, "i"), axis_name="i")(x))
    put("pmap all_gather tiled", lambda: jax.pmap(lambda v: lax.all_gather(v, "i", tiled=True),
                                                   axis_name="i")(m.T))
    put("pmap axis_index", lambda: jax.pmap(lambda v: lax.axis_index("i"), axis_name="i")(x))
    put("pmap ppermute", lambda: jax.pmap(lambda v: lax.ppermute(v, "i", perm), axis_name="i")(x))
    put("pmap psum_scatter", lambda: jax.pmap(lambda v: lax.psum_scatter(v, "i", tiled=True),
                                               axis_name="i")(jnp.arange(16.0).reshape(4, 4)))
    put("pmap all_to_all", lambda: jax.pmap(lambda v: lax.all_to_all(v, "i", 0, 0),
                                             axis_name="i")(jnp.arange(16.0).reshape(4, 4)))
    put("pmap in_axes", lambda: jax.pmap(lambda a, b: a + b, in_axes=(1, None))(m, 10.0))
    put("pmap out_axes", lambda: jax.pmap(lambda a: a * 2, in_axes=1, out_axes=1)(m))
    put("pmap static", lambda: jax.pmap(lambda a, n: a * n, static_broadcasted_argnums=1)(x, 3))
    put("pmap pytree", lambda: jax.pmap(lambda d: {"s": d["a"] + d["b"]})({"a": x, "b": x * 3}))
    put("pmap two devices", lambda: jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")(x[:2]))
    put("pmap grad inside", lambda: jax.pmap(jax.grad(lambda v: lax.psum(v ** 2, "i")), axis_name="i")(x))
    put("grad of pmap", lambda: jax.grad(lambda v: jax.pmap(lambda w: lax.psum(w ** 2, "i"),
                                                             axis_name="i")(v).sum())(x))
    put("pmap grad all_gather", lambda: jax.pmap(jax.grad(lambda v: lax.all_gather(v, "i").sum() * v),
                                                  axis_name="i")(x))
    put("pmap grad ppermute", lambda: jax.pmap(jax.grad(lambda v: lax.ppermute(v, "i", perm) * v),
                                                axis_name="i")(x))
    put("jit of pmap", lambda: jax.jit(jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i"))(x))
    put("vmap of pmap", lambda: jax.vmap(jax.pmap(lambda v: lax.psum(v, "i"), axis_name="i"))(m))
    put("pmap of vmap", lambda: jax.pmap(jax.vmap(lambda v: lax.psum(v, "i")), axis_name="i")(m.T))
    put("pmap scan", lambda: jax.pmap(lambda v: lax.scan(lambda c, y: (c + lax.psum(y, "i"), None), 0.0, v)[0],
                                      axis_name="i")(m.T))
    scan_psum = lambda v: lax.scan(lambda c, y: (c + lax.psum(y, "i"), None), 0.0, v)[0]  # noqa: E731
    put("pmap grad scan psum", lambda: jax.pmap(jax.grad(lambda v: jnp.sum(jnp.sin(scan_psum(v)))),
                                                axis_name="i")(m.T))
    put("vmap grad cond psum", lambda: jax.vmap(jax.grad(lambda v: lax.cond(True, lambda: lax.psum(v, "i"),
                                                                            lambda: v) ** 2), axis_name="i")(x))
    error_class("pmap too many", lambda: jax.pmap(lambda v: v)(jnp.arange(5.0)))
    error_class("pmap unknown axis", lambda: jax.pmap(lambda v: lax.psum(v, "j"), axis_name="i")(x))
    error_class("psum outside", lambda: lax.psum(x, "i"))
    error_class("pmap nothing mapped", lambda: jax.pmap(lambda v: v, in_axes=None, axis_size=4)(x))

    devs = np.array(jax.devices())
    mesh = Mesh(devs, ("x",))
    mesh2 = Mesh(devs.reshape(2, 2), ("x", "y"))
    a = jnp.arange(16.0).reshape(8, 2)
    w = jnp.array([1.0, 2.0])

    def smap(f, mesh, i, o, **kw):
        return jax.shard_map(f, mesh=mesh, in_specs=i, out_specs=o, **kw)

    put("shard_map blocks", lambda: smap(lambda b: b * 2, mesh, P("x"), P("x"))(a))
    put("shard_map psum", lambda: smap(lambda b: lax.psum(b.sum(0), "x"), mesh, P("x"), P())(a))
    put("shard_map axis_index", lambda: smap(lambda b: b[:1, 0] * 0 + lax.axis_index("x"), mesh, P("x"), P("x"))(a))
    index2 = lambda b: b + lax.axis_index("y") * 100 + lax.axis_index("x") * 10  # noqa: E731
    put("shard_map 2d", lambda: smap(index2, mesh2, P("x", "y"), P("x", "y"))(a))
    put("shard_map xy", lambda: smap(index2, mesh2, P(("x", "y")), P(("x", "y")))(a))
    put("shard_map yx", lambda: smap(index2, mesh2, P(("y", "x")), P(("y", "x")))(a))
    put("shard_map psum y", lambda: smap(lambda b: lax.psum(b, "y"), mesh2, P("x", "y"), P("x", None))(a))
    put("shard_map replicated y", lambda: smap(lambda b: b, mesh2, P("x"), P("x"))(a))
    put("shard_map two args", lambda: smap(lambda b, v: b * v, mesh, (P("x"), P()), P("x"))(a, w))
    # (check_vma=False: JAX types all_gather's result as varying, nablax sees it is replicated; see below)
    put("shard_map all_gather", lambda: smap(lambda b: lax.all_gather(b, "x", tiled=True), mesh, P("x"), P(),
                                             check_vma=False)(a))
    put("shard_map grad", lambda: jax.grad(lambda v: smap(lambda b: lax.psum((b ** 2).sum(), "x"),
                                                           mesh, P("x"), P())(v))(a))
    loss = lambda v, u: (smap(lambda b, c: b * c, mesh, (P("x"), P()), P("x"))(v, u) ** 2).sum()  # noqa: E731
    put("shard_map grad two", lambda: jax.grad(loss, argnums=(0, 1))(a, w))
    put("jit shard_map", lambda: jax.jit(smap(lambda b: lax.pmean(b, "x"), mesh, P("x"), P()))(a))
    put("shard_map psum of constant", lambda: smap(lambda b: lax.psum(1.0, "x"), mesh, P("x"), P())(a))
    with jax.sharding.set_mesh(mesh):
        put("shard_map context mesh", lambda: jax.shard_map(lambda b: b * 2, in_specs=P("x"), out_specs=P("x"))(a))
    error_class("shard_map varying out", lambda: smap(lambda b: b, mesh, P("x"), P())(a))
    error_class("shard_map unknown axis", lambda: smap(lambda b: b, mesh, P("z"), P("z"))(a))
    error_class("shard_map indivisible", lambda: smap(lambda b: b, mesh, P(None, "x"), P(None, "x"))(a))
    error_class("shard_map spec too long", lambda: smap(lambda b: b, mesh, P("x", None, None), P("x"))(a))
    error_class("shard_map specs prefix", lambda: smap(lambda b, c: b, mesh, (P("x"),), P("x"))(a, a))
    error_class("shard_map not a spec", lambda: smap(lambda b: b, mesh, "x", P("x"))(a))
    error_class("shard_map no mesh", lambda: jax.shard_map(lambda b: b, in_specs=P("x"), out_specs=P("x"))(a))
    return out
'''

test_same_as_jax = probe_test(PROBE)


def test_all_gather_result_counts_as_replicated():
    """A documented difference: JAX's check_vma types all_gather's result as varying over the
    axis and rejects out_specs=P() for it; nablax checks what the values do (every block's
    result is the same gathered array), so it returns the gathered array."""
    import numpy as np

    import nablax
    from nablax import lax
    from nablax.sharding import Mesh
    from nablax.sharding import PartitionSpec as P

    old = nablax.config.jax_num_cpu_devices
    nablax.config.update("jax_num_cpu_devices", 4)
    try:
        mesh = Mesh(np.array(nablax.devices()), ("x",))
        a = np.arange(16.0, dtype=np.float32).reshape(8, 2)
        out = nablax.shard_map(lambda b: lax.all_gather(b, "x", tiled=True), mesh=mesh, in_specs=P("x"),
                               out_specs=P())(a)
    finally:
        nablax.config.update("jax_num_cpu_devices", old)
    np.testing.assert_array_equal(np.asarray(out), a)
