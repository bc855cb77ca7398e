"""Forward mode through custom_vjp against JAX. JAX refuses it (a TypeError, checked below);
nablax transposes bwd, so its jvp / jacfwd / hessian / linearize are compared with what JAX
computes from the same bwd in reverse mode: jacrev, the transpose of its vjp, and
hessian as jacrev of jacrev (values, dtypes, shapes, pytree structure)."""
from functools import partial

import numpy as np
import pytest

import nablax

from .same_as_jax import assert_same

jax = pytest.importorskip("jax")


def _scaled_sin(lib):
    @lib.custom_vjp
    def f(x, y):
        return lib.numpy.sin(x) * y

    f.defvjp(lambda x, y: (f(x, y), (lib.numpy.cos(x), lib.numpy.sin(x), y)),
             lambda r, ct: (ct * r[0] * r[2], ct * r[1]))
    return f


def _tree(lib):
    jnp = lib.numpy

    @lib.custom_vjp
    def f(p, y):
        return {"a": jnp.sin(p["x"]) * y, "b": p["s"] * jnp.sum(y ** 2)}

    def bwd(res, ct):
        p, y = res
        return ({"x": ct["a"] * jnp.cos(p["x"]) * y, "s": ct["b"] * jnp.sum(y ** 2)},
                ct["a"] * jnp.sin(p["x"]) + 2.0 * ct["b"] * p["s"] * y)

    f.defvjp(lambda p, y: (f(p, y), (p, y)), bwd)
    return f


def _lse(lib):
    jnp = lib.numpy

    @lib.custom_vjp
    def f(x):
        return jnp.log(jnp.sum(jnp.exp(x)))

    def fwd(x):
        out = f(x)
        return out, jnp.exp(x - out)

    f.defvjp(fwd, lambda softmax, ct: (ct * softmax,))
    return f


def _nondiff(lib):
    jnp = lib.numpy

    @partial(lib.custom_vjp, nondiff_argnums=(0,))
    def f(n, x):
        return jnp.sum(x ** n) * x

    def bwd(n, x, ct):
        s = jnp.sum(x ** n)
        return (ct * s + jnp.sum(ct * x) * n * x ** (n - 1),)

    f.defvjp(lambda n, x: (f(n, x), x), bwd)
    return partial(f, 3)


def _power_int(lib):
    @lib.custom_vjp
    def f(x, n):
        return x ** n

    f.defvjp(lambda x, n: (f(x, n), (x, n)), lambda r, ct: (ct * r[1] * r[0] ** (r[1] - 1), None))
    return f


X = np.array([0.3, -1.1, 0.8], np.float32)
Y = np.array([1.5, -0.5, 2.0], np.float32)
P = {"x": np.array([0.3, 1.2], np.float32), "s": np.float32(2.0)}
Y2 = np.array([1.5, -0.5], np.float32)

CASES = {
    "scaled_sin": (_scaled_sin, (X, Y)),
    "pytrees": (_tree, (P, Y2)),
    "logsumexp": (_lse, (X,)),
    "nondiff_argnums": (_nondiff, (X,)),
}


def _jax_jvp(f, args, tangents):
    """J·t the way JAX can compute it from bwd alone: the transpose of its vjp."""
    out, pullback = jax.vjp(f, *args)
    return out, jax.linear_transpose(pullback, out)(tuple(tangents))[0]


@pytest.mark.parametrize("name", CASES)
def test_jacfwd_equals_jax_jacrev(name):
    build, args = CASES[name]
    argnums = tuple(range(len(args)))
    want = jax.jacrev(build(jax), argnums=argnums)(*args)
    assert_same(want, nablax.jacfwd(build(nablax), argnums=argnums)(*args), path="jacfwd")
    assert_same(want, nablax.jit(nablax.jacfwd(build(nablax), argnums=argnums))(*args), path="jit(jacfwd)")


@pytest.mark.parametrize("name", CASES)
def test_jvp_and_linearize_equal_the_transpose_of_jax_vjp(name):
    build, args = CASES[name]
    tangents = jax.tree_util.tree_map(lambda a: np.asarray(a) * 0.5 + 0.25, args)
    want = _jax_jvp(build(jax), args, tangents)
    f = build(nablax)
    assert_same(want, nablax.jvp(f, args, tangents), path="jvp")
    assert_same(want, nablax.jit(lambda a, t: nablax.jvp(f, a, t))(args, tangents), path="jit(jvp)")
    out, f_jvp = nablax.linearize(f, *args)
    assert_same(want, (out, f_jvp(*tangents)), path="linearize")


def test_vmap_of_jvp_equals_jax():
    tangents = np.stack([X, 2.0 * X, -X])
    jf, nf = _lse(jax), _lse(nablax)
    want = jax.vmap(lambda t: _jax_jvp(jf, (X,), (t,))[1])(tangents)
    assert_same(want, nablax.vmap(lambda t: nablax.jvp(nf, (X,), (t,))[1])(tangents), path="vmap(jvp)")
    xs = np.stack([X, Y])
    want = jax.vmap(jax.jacrev(jf))(xs)
    assert_same(want, nablax.vmap(nablax.jacfwd(nf))(xs), path="vmap(jacfwd)")
    assert_same(want, nablax.jacfwd(nablax.vmap(nf))(xs).diagonal(axis1=0, axis2=1).T, path="jacfwd(vmap)")


def test_hessian_equals_jax_jacrev_of_jacrev():
    def loss(lib):
        f, g = _lse(lib), _scaled_sin(lib)
        return lambda x: f(lib.numpy.sin(x) * x) + lib.numpy.sum(g(x, x))

    want = jax.jacrev(jax.jacrev(loss(jax)))(X)
    f = loss(nablax)
    assert_same(want, nablax.hessian(f)(X), rtol=1e-4, atol=1e-5, path="hessian")
    assert_same(want, nablax.jacfwd(nablax.jacfwd(f))(X), rtol=1e-4, atol=1e-5, path="jacfwd(jacfwd)")
    assert_same(want, nablax.jit(nablax.hessian(f))(X), rtol=1e-4, atol=1e-5, path="jit(hessian)")


def test_integer_argument_and_none_cotangent():
    x, n = np.float32(2.0), np.int32(3)
    want = jax.jacrev(_power_int(jax))(jax.numpy.asarray(x), n)
    assert_same(want, nablax.jacfwd(_power_int(nablax))(nablax.numpy.asarray(x), n), path="jacfwd")
    out, pullback = jax.vjp(_power_int(jax), jax.numpy.asarray(x), n)
    want_t = jax.linear_transpose(lambda c: pullback(c)[0], out)(np.float32(1.0))[0]
    t0 = np.zeros((), jax.dtypes.float0)
    got = nablax.jvp(_power_int(nablax), (nablax.numpy.asarray(x), n), (np.float32(1.0), t0))
    assert_same((out, want_t), got, path="jvp")


def test_jax_refuses_what_nablax_computes():
    """The departure: JAX raises a TypeError for forward mode through custom_vjp."""
    f = _scaled_sin(jax)
    with pytest.raises(TypeError):
        jax.jvp(f, (X, Y), (X, Y))
    with pytest.raises(TypeError):
        jax.jacfwd(f)(X, Y)
    nablax.jvp(_scaled_sin(nablax), (X, Y), (X, Y))
