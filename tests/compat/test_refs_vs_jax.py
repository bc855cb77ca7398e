"""Mutable array refs against real JAX: the same programs (eager, jit writing back, local
refs under grad / vmap / loops) give the same values, dtypes, weak types and printed forms,
and the error cases raise the same classes."""
import numpy as np
import pytest

pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

X = np.array([0.5, -1.0, 2.0], np.float32)
XS = np.array([[0.5, -1.0, 2.0], [1.0, 2.0, 3.0]], np.float32)


def _programs(J, jnp):
    """The same ref programs written against one library (J: jax or nablax)."""
    def writes(r, x):
        r[...] += x
        r[1] = 7.0
        r[0:2] = r[0:2] * 2
        r[jnp.array([2])] = jnp.array([x])
        return r[...] * 2

    def local_python(x):
        r = J.new_ref(jnp.zeros_like(x))
        for i in range(3):
            r[...] += x * i
        r[0] = r[0] * x[1]
        return jnp.sum(r[...] ** 2)

    def local_fori(x):
        r = J.new_ref(jnp.zeros_like(x))

        def body(i, c):
            r[...] += jnp.sin(x) * i
            return c
        J.lax.fori_loop(0, 3, body, 0)
        return jnp.sum(r[...] ** 2)

    def local_scan(x):
        r = J.new_ref(0.0)

        def body(c, xi):
            r[...] += xi ** 2
            return c * xi, r[...]
        c, ys = J.lax.scan(body, 1.0, x)
        return r[...] + ys.sum() + c

    def local_while(x):
        r = J.new_ref(x)

        def body(i):
            r[...] = r[...] * 2.0
            return i + 1
        J.lax.while_loop(lambda i: i < 3, body, 0)
        return r[...]

    def local_cond(p, x):
        r = J.new_ref(jnp.zeros(2))

        def true_branch(y):
            r[0] = y * 2
            return y

        def false_branch(y):
            r[1] = 5.0
            return -y
        out = J.lax.cond(p, true_branch, false_branch, x)
        return r[...].sum() * out

    return dict(writes=writes, local=[local_python, local_fori, local_scan], local_while=local_while,
                local_cond=local_cond)


JP, NP = _programs(jax, jjnp), _programs(nablax, njnp)


def test_eager_and_jit_writes():
    for jwrap, nwrap in ((lambda f: f, lambda f: f), (jax.jit, nablax.jit)):
        jr, nr = jax.new_ref(jjnp.arange(3.0)), nablax.new_ref(njnp.arange(3.0))
        for _ in range(2):
            assert_same(jwrap(JP["writes"])(jr, 1.5), nwrap(NP["writes"])(nr, 1.5))
            assert_same(jr[...], nr[...], path="ref")
            assert repr(jr) == repr(nr)
    assert repr(jax.new_ref(jjnp.ones((2, 2), jjnp.int8))) == repr(nablax.new_ref(njnp.ones((2, 2), njnp.int8)))


def _closed_over(J, jnp):
    g = J.new_ref(jnp.zeros(3))

    @J.jit
    def h(x):
        g[...] += x
        return g[...].sum()

    first = h(jnp.ones(3))
    g[...] = g[...] * 10
    return first, h(jnp.ones(3)), g[...]


def test_closed_over_ref_in_jit():
    assert_same(_closed_over(jax, jjnp), _closed_over(nablax, njnp))


@pytest.mark.parametrize("i", range(3))
def test_local_refs_grad_jit_vmap(i):
    jf, nf = JP["local"][i], NP["local"][i]
    # JAX's side under one jit each: its eager mode compiles every operation (seconds here).
    assert_same(jax.jit(jf)(X), nf(X))
    g = jax.jit(jax.grad(jf))(X)
    assert_same(g, nablax.grad(nf)(X), path="grad", rtol=1e-5)
    assert_same(g, nablax.jit(nablax.grad(nf))(X), path="jit grad", rtol=1e-5)
    assert_same(jax.jit(jax.vmap(jf))(XS), nablax.vmap(nf)(XS), path="vmap", rtol=1e-5)


def _mapped_ref(J, jnp):
    def update(r, x):
        r[...] += x
        r[0] = r[0] * 2
        return r[...].sum()

    r = J.new_ref(jnp.ones((2, 3)))
    return J.vmap(update)(r, jnp.arange(6.0).reshape(2, 3)), r[...]


def test_vmap_over_ref_argument():
    assert_same(_mapped_ref(jax, jjnp), _mapped_ref(nablax, njnp))


def test_while_loop_and_cond_refs():
    assert_same(jax.jit(JP["local_while"])(jjnp.float32(1.5)), NP["local_while"](njnp.float32(1.5)))
    assert_same(jax.jit(JP["local_while"])(jjnp.float32(1.5)), nablax.jit(NP["local_while"])(njnp.float32(1.5)))
    # Values only: JAX 0.10.2 fails inside grad of a cond that writes a ref (an internal AttributeError).
    jc, nc = jax.jit(JP["local_cond"]), nablax.jit(NP["local_cond"])
    for p in (True, False):
        assert_same(jc(p, jjnp.float32(2.0)), nc(p, njnp.float32(2.0)))


def _plumbing(J, jnp):
    seen = J.new_ref(0.0)

    @J.custom_vjp
    def stash(x):
        return x

    def bwd(_, g):
        seen[...] += g
        return (g,)

    stash.defvjp(lambda x: (x, None), bwd)
    g = J.jit(J.grad(lambda x: jnp.sin(stash(x)) * 3))(1.0)
    return g, seen[...]


def test_gradient_plumbing():
    assert_same(_plumbing(jax, jjnp), _plumbing(nablax, njnp))


def _error_cases(J, jnp):
    r = J.new_ref(1.0)

    def write(x):
        r[...] = x
        return x

    def bad_shape():
        q = J.new_ref(jnp.zeros(3))
        q[...] = 2.0

    def bad_dtype():
        q = J.new_ref(jnp.zeros(3))
        q[0] = 2

    return [lambda: J.grad(write)(2.0), lambda: J.vmap(write)(jnp.ones(2)),
            lambda: J.grad(lambda q: q[...] * 2)(r), lambda: J.jit(lambda x: J.new_ref(x))(1.0),
            lambda: J.jit(lambda a, b: a[...] + b[...])(r, r), bad_shape, bad_dtype,
            lambda: J.new_ref([1.0])]


def test_error_classes():
    for jcase, ncase in zip(_error_cases(jax, jjnp), _error_cases(nablax, njnp)):
        with pytest.raises(Exception) as je:
            jcase()
        with pytest.raises(Exception) as ne:
            ncase()
        assert type(ne.value) is type(je.value), (ne.value, je.value)
