"""bfloat16 reductions and scans against real JAX, eagerly and under jit, grad and vmap.

nablax and JAX must agree on the dtype (bfloat16; int32 for argmax/argmin) and shape,
and on values to within bfloat16 rounding (JAX accumulates some reductions in float32
and rounds once; nablax may round differently by an ulp or two).
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy  # noqa: E402
import jax.scipy.special  # noqa: E402

import nablax  # noqa: E402

from ..test_bfloat16_jit import BF16, DIFFERENTIABLE, REDUCTIONS, X, reductions  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")


LIBS = {
    "nablax": (nablax, REDUCTIONS),
    "jax": (jax, reductions(jax.numpy, jax.lax, jax.scipy.special)),
}


def _transformed(lib, f, transform: str):
    def loss(x):
        return f(x).astype(np.float32).sum()

    return {
        "eager": f, "jit": lib.jit(f), "vmap": lib.vmap(f), "jit(vmap)": lib.jit(lib.vmap(f)),
        "grad": lib.grad(loss), "jit(grad)": lib.jit(lib.grad(loss)),
    }[transform]


def _run(name: str, transform: str, lib_name: str) -> np.ndarray:
    lib, table = LIBS[lib_name]
    x = np.stack([X, X[::-1]]) if "vmap" in transform else X
    return np.asarray(_transformed(lib, table[name], transform)(x))


@pytest.mark.parametrize("transform", ["eager", "jit", "vmap", "jit(vmap)"])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_values_like_jax(name, transform):
    ours, theirs = _run(name, transform, "nablax"), _run(name, transform, "jax")
    assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape)
    assert ours.dtype == (np.int32 if name.startswith("arg") else BF16)
    np.testing.assert_allclose(ours.astype(np.float32), theirs.astype(np.float32), rtol=2 ** -7, atol=1e-2)


@pytest.mark.parametrize("transform", ["grad", "jit(grad)"])
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradients_like_jax(name, transform):
    ours, theirs = _run(name, transform, "nablax"), _run(name, transform, "jax")
    assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape) == (BF16, X.shape)
    np.testing.assert_allclose(ours.astype(np.float32), theirs.astype(np.float32), rtol=2 ** -6, atol=1e-2)
