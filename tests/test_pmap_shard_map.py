"""pmap and shard_map in one process with 4 virtual devices: against vmap and Python loops,
gradients against finite differences, and the errors for bad input. (Against JAX:
tests/compat/test_pmap_shard_map_vs_jax.py; across processes: tests/test_distributed_*.py.)"""
from __future__ import annotations

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.sharding import Mesh, NamedSharding
from nablax.sharding import PartitionSpec as P
from nablax.test_util import check_grads


@pytest.fixture(autouse=True)
def four_devices():
    old = nablax.config.jax_num_cpu_devices
    nablax.config.update("jax_num_cpu_devices", 4)
    yield
    nablax.config.update("jax_num_cpu_devices", old)


def _rng(*shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def _step(w, x):
    """A per-device loss whose gradient is averaged over the devices."""
    loss = lambda w: jnp.mean(jnp.tanh(x @ w) ** 2)  # noqa: E731
    g = nablax.grad(loss)(w)
    return lax.pmean(g, "d"), lax.psum(loss(w), "d")


def test_pmap_equals_vmap_and_a_loop():
    w, xs = _rng(3, 2), _rng(4, 5, 3)
    g_p, l_p = nablax.pmap(_step, axis_name="d", in_axes=(None, 0))(w, xs)
    g_v, l_v = nablax.vmap(_step, axis_name="d", in_axes=(None, 0))(w, xs)
    loss = lambda w, x: np.mean(np.tanh(x @ w) ** 2)  # noqa: E731
    grads = [nablax.grad(lambda w, x=x: jnp.mean(jnp.tanh(x @ w) ** 2))(w) for x in xs]
    np.testing.assert_allclose(np.asarray(g_p), np.asarray(g_v), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(g_p)[0], np.mean(grads, 0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(l_p), sum(loss(w, x) for x in xs), rtol=1e-5)
    assert g_p.shape == (4, 3, 2) and g_p.dtype == np.float32


def test_pmap_collectives_values():
    x = jnp.arange(4.0)
    assert np.asarray(nablax.pmap(lambda v: lax.psum(v, "i"), axis_name="i")(x)).tolist() == [6.0] * 4
    assert np.asarray(nablax.pmap(lambda v: lax.axis_index("i"), axis_name="i")(x)).tolist() == [0, 1, 2, 3]
    shifted = nablax.pmap(lambda v: lax.ppermute(v, "i", [(j, (j + 1) % 4) for j in range(4)]), axis_name="i")(x)
    assert np.asarray(shifted).tolist() == [3.0, 0.0, 1.0, 2.0]
    gathered = nablax.pmap(lambda v: lax.all_gather(v, "i"), axis_name="i")(x)
    assert np.asarray(gathered).tolist() == [[0.0, 1.0, 2.0, 3.0]] * 4


def test_pmap_gradients_match_finite_differences():
    f = nablax.pmap(lambda v: lax.psum(jnp.sin(v) * v, "i") * v, axis_name="i")
    check_grads(lambda v: f(v).sum(), (np.linspace(0.1, 1.0, 4),), order=2, modes=("fwd", "rev"))


def test_pmap_static_argument_and_devices():
    f = nablax.pmap(lambda v, n: v * n, static_broadcasted_argnums=1)
    assert np.asarray(f(jnp.ones(4), 3)).tolist() == [3.0] * 4
    assert np.asarray(f(jnp.ones(4), 5)).tolist() == [5.0] * 4
    two = nablax.pmap(lambda v: lax.psum(v, "i"), axis_name="i", devices=nablax.devices()[:2])
    assert np.asarray(two(jnp.ones(2))).tolist() == [2.0, 2.0]


@pytest.mark.parametrize("call, error, words", [
    (lambda: nablax.pmap(lambda v: v)(jnp.arange(5.0)), ValueError, ["size 5", "4 devices"]),
    (lambda: nablax.pmap(lambda v, w: v + w)(jnp.ones(4), jnp.ones(3)), ValueError, ["inconsistent sizes"]),
    (lambda: nablax.pmap(lambda v: lax.psum(v, "j"), axis_name="i")(jnp.ones(4)), NameError, ["'j'"]),
    (lambda: lax.psum(jnp.ones(4), "i"), NameError, ["'i'", "shard_map"]),
    (lambda: nablax.pmap(lambda v: v, in_axes=None, axis_size=4)(jnp.ones(4)), ValueError, ["mapped axis"]),
    (lambda: nablax.pmap(lambda v: v, devices=nablax.devices()[:2])(jnp.ones(4)), ValueError, ["2 devices"]),
])
def test_pmap_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    for w in words:
        assert w in str(info.value)


def _mesh2():
    return Mesh(np.array(nablax.devices()).reshape(2, 2), ("x", "y"))


def test_shard_map_data_parallel_step_equals_the_unsharded_step():
    mesh = Mesh(np.array(nablax.devices()), ("batch",))
    w, x = _rng(3, 2), _rng(8, 3)
    loss = lambda w, x: jnp.mean(jnp.tanh(x @ w) ** 2)  # noqa: E731

    def local(w, xb):
        return lax.pmean(nablax.grad(loss)(w, xb), "batch")

    sharded = nablax.jit(nablax.shard_map(local, mesh=mesh, in_specs=(P(), P("batch")), out_specs=P()))
    np.testing.assert_allclose(np.asarray(sharded(w, x)), np.asarray(nablax.grad(loss)(w, x)), rtol=1e-5)


def test_shard_map_blocks_on_a_2d_mesh():
    a = np.arange(16.0, dtype=np.float32).reshape(8, 2)
    f = nablax.shard_map(lambda b: b + 10 * lax.axis_index("x") + 100 * lax.axis_index("y"), mesh=_mesh2(),
                         in_specs=P(("x", "y")), out_specs=P(("x", "y")))
    expected = a + np.repeat([0, 100, 10, 110], 2)[:, None]
    np.testing.assert_array_equal(np.asarray(f(a)), expected)


def test_shard_map_infers_in_specs_from_placed_arguments():
    mesh = _mesh2()
    a = nablax.device_put(np.arange(8.0, dtype=np.float32), NamedSharding(mesh, P("x")))
    f = nablax.shard_map(lambda b: lax.psum(b.sum(), "x"), mesh=mesh, out_specs=P())
    assert float(f(a)) == 28.0


def test_shard_map_gradient_outside_matches_finite_differences():
    mesh = Mesh(np.array(nablax.devices()), ("x",))
    f = nablax.shard_map(lambda b, c: lax.psum(jnp.sum(jnp.sin(b) * c), "x"), mesh=mesh, in_specs=(P("x"), P()),
                         out_specs=P())
    check_grads(f, (np.linspace(0.1, 1.0, 8), np.float64(0.7)), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("specs, error, words", [
    ((P("x"), P()), ValueError, ["varies along mesh axis 'x'", "check_vma"]),
    ((P("z"), P("z")), ValueError, ["'z'"]),
    ((P(None, "x"), P(None, "x")), ValueError, ["divisible by 2"]),
    ((P("x", "x"), P("x")), ValueError, ["twice"]),
    (("x", P("x")), TypeError, ["PartitionSpec"]),
])
def test_shard_map_bad_specs(specs, error, words):
    a = np.zeros((8, 3), np.float32)
    with pytest.raises(error) as info:
        nablax.shard_map(lambda b: b, mesh=_mesh2(), in_specs=specs[0], out_specs=specs[1])(a)
    for w in words:
        assert w in str(info.value)


def test_a_mesh_larger_than_the_devices_is_an_error():
    with pytest.raises(ValueError, match="4"):
        nablax.make_mesh((8,), ("x",))


def test_grad_inside_the_mapped_function_of_a_scan_with_a_collective():
    """The scan's transpose is unbatched here, yet its body's psum needs the axis (it failed with
    an unbound-axis NameError): each lane's gradient is psum's transpose, 4 cos(12)."""
    total = lambda v: lax.scan(lambda c, y: (c + lax.psum(y, "i"), None), 0.0, v)[0]  # noqa: E731
    g = nablax.grad(lambda v: jnp.sin(total(v)))
    for mapped in (nablax.vmap(g, axis_name="i"), nablax.pmap(g, axis_name="i")):
        np.testing.assert_allclose(np.asarray(mapped(jnp.ones((4, 3)))), np.full((4, 3), 4 * np.cos(12.0)),
                                   rtol=1e-5)
