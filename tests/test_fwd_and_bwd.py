"""jax.fwd_and_bwd: values equal vjp's, aux passes through, and the jitted halves trace once."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp

X = np.arange(6.0, dtype=np.float32).reshape(2, 3) / 5
W = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
CT = np.ones((2, 4), np.float32)


def loss(x, w):
    return jnp.tanh(x @ w)


@pytest.mark.parametrize("jitted", [True, False])
def test_matches_vjp(jitted):
    fwd, bwd = jax.fwd_and_bwd(loss, argnums=(0, 1), jitted=jitted)
    y, res = fwd(X, W)
    want_y, want_vjp = jax.vjp(loss, X, W)
    np.testing.assert_allclose(y, want_y, rtol=1e-6)
    for got, want in zip(bwd(res, CT), want_vjp(CT)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    # an int argnums gives one cotangent, not a tuple
    fwd1, bwd1 = jax.fwd_and_bwd(loss, argnums=1, jitted=jitted)
    np.testing.assert_allclose(bwd1(fwd1(X, W)[1], CT), want_vjp(CT)[1], rtol=1e-6)


def test_has_aux_and_single_trace():
    traces = []

    def f(x, w):
        traces.append(1)
        return x @ w, {"norm": jnp.sum(x ** 2)}

    fwd, bwd = jax.fwd_and_bwd(f, argnums=0, has_aux=True)
    for step in range(3):
        y, res, aux = fwd(X + step, W)
        ct = bwd(res, CT)
    np.testing.assert_allclose(aux["norm"], np.sum((X + 2) ** 2), rtol=1e-6)
    np.testing.assert_allclose(ct, CT @ W.T, rtol=1e-6)
    assert len(traces) == 1 and bwd._cache_size_now() == 1


def test_bad_arguments():
    with pytest.raises(TypeError, match="expected a callable"):
        jax.fwd_and_bwd(3, argnums=0)
    fwd, _ = jax.fwd_and_bwd(loss, argnums=5, jitted=False)
    with pytest.raises(ValueError, match="argnums"):
        fwd(X, W)
