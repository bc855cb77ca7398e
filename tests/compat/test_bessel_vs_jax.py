"""lax.bessel_i0e / bessel_i1e against real JAX: values, dtypes, weak types, and first and
second derivatives (including at and near 0, where i1e's derivative is a limit)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.lax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax  # noqa: E402

POINTS = np.array([-30.0, -3.0, -0.5, -1e-9, 0.0, 1e-9, 0.7, 4.0, 50.0], np.float32)
NAMES = ["bessel_i0e", "bessel_i1e"]


def _both(name):
    return getattr(nablax.lax, name), getattr(jax.lax, name)


def _compare_values(name, dtype):
    ours, theirs = _both(name)
    x = POINTS.astype(dtype)
    got, want = ours(x), theirs(x)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=2e-3 if dtype == np.float16 else 2e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_values_and_dtypes(name, dtype):
    _compare_values(name, dtype)


@pytest.mark.parametrize("name", NAMES)
def test_values_float64(name, x64):
    _compare_values(name, np.float64)


@pytest.mark.parametrize("name", NAMES)
def test_python_scalar_is_weak(name):
    ours, theirs = _both(name)
    got, want = ours(0.5), theirs(0.5)
    assert got.dtype == want.dtype and got.weak_type == want.weak_type
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", [1, 2])
def test_derivatives(name, order):
    ours, theirs = _both(name)
    for _ in range(order):
        ours, theirs = nablax.grad(ours), jax.grad(theirs)
    got = nablax.vmap(ours)(POINTS)
    want = jax.vmap(theirs)(POINTS)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-5, atol=2e-7)
    np.testing.assert_allclose(np.asarray(nablax.jit(nablax.vmap(ours))(POINTS)), np.asarray(want),
                               rtol=2e-5, atol=2e-7)

