"""jnp.pad in every mode against real JAX: values, dtypes, weak types, under jit, and gradients."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

X = np.array([[1.0, 5.0, 2.0], [4.0, 3.0, 9.5]], np.float32)
XI = np.array([[1, 5, 2], [-4, 3, 10]], np.int32)
WIDTH = ((2, 1), (1, 3))
MODES = [
    ("constant", {"constant_values": ((1, 2), (3, 4))}),
    ("constant", {"constant_values": 2.5}),
    ("edge", {}),
    ("linear_ramp", {"end_values": ((-2, 1), (0, 7))}),
    ("maximum", {"stat_length": 2}),
    ("mean", {}),
    ("median", {"stat_length": ((1, 2), (2, 3))}),
    ("median", {}),
    ("minimum", {}),
    ("reflect", {"reflect_type": "odd"}),
    ("symmetric", {}),
    ("wrap", {}),
    ("empty", {}),
]


@pytest.mark.parametrize("mode,kw", MODES, ids=[f"{m}{i}" for i, (m, _) in enumerate(MODES)])
def test_values(mode, kw):
    for x in (X, XI):
        want = jax.jit(lambda a: jjnp.pad(a, WIDTH, mode, **kw))(x)  # (one compilation, not one per op)
        got = njnp.pad(x, WIDTH, mode, **kw)
        if mode == "empty":  # (unspecified padding: only the kept block and the avals must agree)
            want, got = want[2:4, 1:4], got[2:4, 1:4]
        assert_same(want, got)


def test_weak_and_jit():
    for mode, kw in [("edge", {}), ("linear_ramp", {"end_values": 1}), ("mean", {}), ("median", {}), ("wrap", {})]:
        assert_same(jax.jit(lambda a, m=mode, k=kw: jjnp.pad(a, 1, m, **k))(2.0 * jjnp.ones(3)),
                    nablax.jit(lambda a, m=mode, k=kw: njnp.pad(a, 1, m, **k))(2.0 * njnp.ones(3)))


def test_callable():
    def fill(L):
        return lambda v, w, ax, kw: v.at[:w[0]].set(v[w[0]] * kw.get("k", 1) + ax)
    assert_same(jax.jit(lambda a: jjnp.pad(a, WIDTH, fill(jjnp), k=3))(X), njnp.pad(X, WIDTH, fill(njnp), k=3))


@pytest.mark.parametrize("mode", ["linear_ramp", "median", "mean", "reflect", "maximum"])
def test_grads(mode):
    kw = dict(MODES)[mode]
    loss = lambda L: lambda a: (L.pad(a, WIDTH, mode, **kw) ** 2 * L.arange(35.0).reshape(5, 7)).sum()  # noqa: E731
    assert_same(jax.jit(jax.grad(loss(jjnp)))(X), nablax.grad(loss(njnp))(X), rtol=1e-4, atol=1e-4)
