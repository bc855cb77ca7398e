"""jnp.pad: every JAX mode (constant, edge, linear_ramp, maximum, mean, median, minimum, reflect,
symmetric, wrap, empty, a callable) against NumPy, under jit, and differentiated (check_grads)."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads

X = np.array([[1.0, 5.0, 2.0], [4.0, 3.0, 9.0]], np.float32)
XI = np.array([[1, 5, 2], [4, 3, 10]], np.int32)
WIDTH = ((2, 1), (1, 3))
MODES = {
    "constant": {"constant_values": ((1, 2), (3, 4))},
    "edge": {},
    "linear_ramp": {"end_values": ((-2, 1), (0, 7))},
    "maximum": {"stat_length": 2},
    "mean": {},
    "median": {"stat_length": ((1, 2), (2, 3))},
    "minimum": {},
    "reflect": {"reflect_type": "odd"},
    "symmetric": {},
    "wrap": {},
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_matches_numpy_and_jit(mode):
    kw = MODES[mode]
    for x in (X, XI):
        want = np.pad(x, WIDTH, mode, **kw)
        got = jnp.pad(x, WIDTH, mode, **kw)
        if mode == "linear_ramp" and x is XI:  # (JAX's float32 ramp floors 0.99999994 to 0 where NumPy has 1)
            want[0, 4:6] = [0, 3]
        assert got.dtype == x.dtype
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
        np.testing.assert_array_equal(np.asarray(nablax.jit(lambda a: jnp.pad(a, WIDTH, mode, **kw))(x)), np.asarray(got))


def test_integer_rounding_matches_jax():
    # (JAX 0.10.2: integer mean/median round half to even, linear ramps floor)
    assert jnp.pad(np.array([1, 2], np.int32), (1, 1), "mean").tolist() == [2, 1, 2, 2]
    assert jnp.pad(np.array([1, 4], np.int32), (1, 0), "median").tolist() == [2, 1, 4]
    assert jnp.pad(np.array([10], np.int32), (3, 0), "linear_ramp").tolist() == [0, 3, 6, 10]


def test_empty_and_callable():
    got = jnp.pad(X, 1, "empty")
    assert got.shape == (4, 5) and np.array_equal(np.asarray(got)[1:3, 1:4], X)

    def fill(vector, width, axis, kwargs):
        before, after = width
        v = vector.at[:before].set(kwargs.get("value", 0) + axis)
        return v.at[v.shape[0] - after:].set(-1.0)

    def np_fill(vector, width, axis, kwargs):
        vector[:width[0]] = kwargs.get("value", 0) + axis
        vector[vector.shape[0] - width[1]:] = -1.0

    np.testing.assert_array_equal(np.asarray(jnp.pad(X, WIDTH, fill, value=7)), np.pad(X, WIDTH, np_fill, value=7))
    np.testing.assert_array_equal(np.asarray(nablax.jit(lambda a: jnp.pad(a, WIDTH, fill))(X)), np.pad(X, WIDTH, np_fill))


@pytest.mark.parametrize("mode", sorted(MODES) + ["empty", "callable"])
def test_grads(mode):
    nablax.config.update("jax_enable_x64", True)
    try:
        x = X.astype(np.float64) * 1.1
        if mode == "callable":
            f = lambda a: jnp.pad(a, WIDTH, lambda v, w, ax, kw: v.at[:w[0]].set(v[w[0]] ** 2))  # noqa: E731
        else:
            f = lambda a: jnp.pad(a, WIDTH, mode, **MODES.get(mode, {}))  # noqa: E731
        check_grads(f, (x,), order=2, modes=("fwd", "rev"))
    finally:
        nablax.config.update("jax_enable_x64", False)


def test_traced_values():
    g = nablax.grad(lambda e: jnp.pad(X, 2, "linear_ramp", end_values=e).sum())(1.0)
    np.testing.assert_allclose(float(g), float(np.pad(np.zeros_like(X), 2, "linear_ramp", end_values=1.0).sum()), rtol=1e-5)
    g = nablax.grad(lambda c: jnp.pad(X, 1, constant_values=c).sum())(0.5)
    assert float(g) == 20 - 6


def test_errors():
    with pytest.raises(ValueError, match="unsupported keyword arguments for mode 'edge'"):
        jnp.pad(X, 1, "edge", constant_values=1)
    with pytest.raises(ValueError, match="unsupported keyword"):
        jnp.pad(X, 1, "constant", stat_length=1)
    with pytest.raises(NotImplementedError, match="Unimplemented padding mode"):
        jnp.pad(X, 1, "nearest")
    with pytest.raises(ValueError, match="reflect_type"):
        jnp.pad(X, 1, "reflect", reflect_type="both")
