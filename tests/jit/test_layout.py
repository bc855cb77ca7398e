"""Broadcasting elementwise ops with a short last axis run with that axis first (jit/layout.py)."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp


def _pairwise(x):
    d = x[:, None, :] - x[None, :, :]
    return jnp.sum(d * d, axis=-1)


def test_pairwise_differences_are_emitted_minor_axis_first_and_equal_eager():
    x = np.random.RandomState(0).rand(200, 3).astype(np.float32)
    src = jax.jit(_pairwise).lower(x).as_text()
    assert "ascontiguousarray" in src and ".transpose((1, 2, 0))" in src
    np.testing.assert_array_equal(np.asarray(jax.jit(_pairwise)(x)), np.asarray(_pairwise(x)))


@pytest.mark.parametrize("use", ["reshape", "matmul", "returned", "grad"])
def test_the_transposed_result_serves_every_consumer(use):
    rs = np.random.RandomState(1)
    a, b = rs.rand(64, 1, 2).astype(np.float32), rs.rand(1, 300, 2).astype(np.float32)

    def f(a, b):
        d = a * b
        if use == "reshape":
            return d.reshape(-1)[::7]
        if use == "matmul":
            return d.reshape(64, 600) @ np.ones((600, 3), np.float32)
        if use == "returned":
            return d
        return jnp.sum(jnp.sin(d))

    g = jax.grad(f) if use == "grad" else f
    out = jax.jit(g)(a, b)
    assert "ascontiguousarray" in jax.jit(g).lower(a, b).as_text()
    np.testing.assert_allclose(np.asarray(out), np.asarray(g(a, b)), rtol=1e-6)
    assert out.shape == np.asarray(g(a, b)).shape


@pytest.mark.parametrize("shapes", [
    ((200, 200, 3), (200, 200, 3)),  # no broadcast: the operands are as large as the result
    ((20, 1, 3), (1, 20, 3)),        # too small to pay for the copies
    ((200, 1, 16), (1, 200, 16)),    # last axis not short
])
def test_plain_emission_elsewhere(shapes):
    rs = np.random.RandomState(2)
    a, b = (rs.rand(*s).astype(np.float32) for s in shapes)
    src = jax.jit(lambda a, b: a - b).lower(a, b).as_text()
    assert "ascontiguousarray" not in src
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda a, b: a - b)(a, b)), a - b)


def test_scalar_literal_operands_stay_literals():
    x = np.random.RandomState(3).rand(100, 1, 2).astype(np.float32)
    y = np.random.RandomState(4).rand(1, 300, 2).astype(np.float32)
    f = jax.jit(lambda x, y: jnp.maximum(x - y, 0.5))
    np.testing.assert_array_equal(np.asarray(f(x, y)), np.maximum(x - y, np.float32(0.5)))


def test_integer_division_keeps_its_own_kernel():
    a = np.arange(1, 201, dtype=np.int32).reshape(200, 1, 1) * np.array([1, -1, 3], np.int32)
    b = np.full((1, 200, 3), 7, np.int32)
    f = jax.jit(jax.lax.div)  # rounds toward zero, unlike NumPy's floor_divide
    assert "ascontiguousarray" not in f.lower(a, b).as_text()
    np.testing.assert_array_equal(np.asarray(f(a, b)), np.sign(a) * (np.abs(a) // b))
