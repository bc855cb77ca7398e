"""custom_vjp with optimize_remat=True: the forward rule runs as one remat_opt equation."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax.custom_derivatives import remat_opt_p


def make(optimize_remat: bool):
    @jax.custom_vjp
    def f(x, y):
        return jnp.sin(x) * y

    def fwd(x, y):
        return jnp.sin(x) * y, (jnp.cos(x), jnp.sin(x), y)

    def bwd(res, g):
        cos_x, sin_x, y = res
        return g * cos_x * y, g * sin_x

    f.defvjp(fwd, bwd, optimize_remat=optimize_remat)
    return f


X, Y = np.array([0.3, 1.2, -0.7]), np.array([2.0, -1.0, 0.5])


def test_the_forward_rule_is_one_remat_opt_equation():
    f = make(True)
    text = str(jax.make_jaxpr(lambda x, y: jax.vjp(f, x, y)[0])(X, Y))
    assert "remat_opt" in text
    assert "remat_opt" not in str(jax.make_jaxpr(lambda x, y: jax.vjp(make(False), x, y)[0])(X, Y))
    assert remat_opt_p.name == "remat_opt"


@pytest.mark.parametrize("wrap", [lambda g: g, jax.jit], ids=["eager", "jit"])
def test_gradients_equal_the_plain_rule(wrap):
    loss = lambda f: (lambda x, y: jnp.sum(f(x, y) ** 2))  # noqa: E731
    want = jax.grad(loss(make(False)), argnums=(0, 1))(X, Y)
    got = wrap(jax.grad(loss(make(True)), argnums=(0, 1)))(X, Y)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    analytic = (2 * np.sin(X) * Y * np.cos(X) * Y, 2 * np.sin(X) * Y * np.sin(X))
    np.testing.assert_allclose(want[0], analytic[0], rtol=1e-6)


def test_vmap_checkpoint_and_higher_order():
    f = make(True)
    per_example = jax.vmap(jax.grad(lambda x, y: f(x, y)))(X, Y)
    np.testing.assert_allclose(per_example, np.cos(X) * Y, rtol=1e-6)
    ckpt = jax.grad(jax.checkpoint(lambda x: jnp.sum(f(x, Y))))(X)
    np.testing.assert_allclose(ckpt, np.cos(X) * Y, rtol=1e-6)
    # Beyond JAX (NotImplementedError there): the forward rule is differentiable again.
    hess = jax.jacfwd(jax.grad(lambda x: jnp.sum(f(x, Y))))(X)
    np.testing.assert_allclose(hess, np.diag(-np.sin(X) * Y), rtol=1e-6, atol=1e-12)


def test_symbolic_zeros_are_refused():
    f = make(False)
    with pytest.raises(NotImplementedError, match="symbolic zeros"):
        f.defvjp(lambda x, y: (x, ()), lambda r, g: (g, g), symbolic_zeros=True, optimize_remat=True)
