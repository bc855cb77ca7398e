"""custom_vjp(optimize_remat=True) against JAX: the same gradients, eagerly and under jit."""
import numpy as np
import pytest

import nablax

jax = pytest.importorskip("jax")


def build(lib):
    @lib.custom_vjp
    def f(x):
        return lib.numpy.exp(x) * x

    def fwd(x):
        e = lib.numpy.exp(x)
        return e * x, (e, x)

    def bwd(res, g):
        e, x = res
        return (g * e * (1 + x),)

    f.defvjp(fwd, bwd, optimize_remat=True)
    return lambda x: lib.numpy.sum(lib.numpy.tanh(f(x)))


def test_gradients_match_jax():
    x = np.linspace(-1.0, 1.0, 7, dtype=np.float32)
    for wrap in (lambda g: g, "jit"):
        ours = nablax.grad(build(nablax))
        theirs = jax.grad(build(jax))
        if wrap == "jit":
            ours, theirs = nablax.jit(ours), jax.jit(theirs)
        got, want = np.asarray(ours(x)), np.asarray(theirs(x))
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=2e-6)
    assert "remat_opt" in str(jax.make_jaxpr(lambda x: jax.vjp(build(jax), x)[0])(x))
    assert "remat_opt" in str(nablax.make_jaxpr(lambda x: nablax.vjp(build(nablax), x)[0])(x))
