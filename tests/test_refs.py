"""Mutable array references (nablax.new_ref / Ref / freeze / empty_ref / free_ref): eager
semantics, jit writing back to refs passed in or closed over, refs as local state under
grad / vmap / jit, in Python, scan, fori_loop and while_loop loops and in cond / switch
branches, and JAX's errors."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads


def test_eager_read_write_index():
    r = nablax.new_ref(jnp.arange(4.0))
    assert isinstance(r, nablax.Ref) and r.shape == (4,) and r.dtype == np.float32 and len(r) == 4
    r[1] = 7.0
    r[2:4] = jnp.array([9.0, 8.0])
    r[...] += 1.0
    r[jnp.array([0, 3])] = jnp.array([5.0, 6.0])
    np.testing.assert_array_equal(r[...], [5.0, 8.0, 10.0, 6.0])
    assert float(r[-2]) == 10.0
    assert repr(r) == "Ref([ 5.,  8., 10.,  6.], dtype=float32)"
    assert repr(nablax.new_ref(3)) == "Ref(3, dtype=int32, weak_type=True)"
    frozen = nablax.freeze(r)
    assert type(frozen) is nablax.Array and np.array_equal(frozen, [5.0, 8.0, 10.0, 6.0])


def test_write_errors():
    r = nablax.new_ref(jnp.zeros(3))
    with pytest.raises(ValueError, match="Invalid shape for `swap`"):
        r[...] = 2.0  # no broadcasting into a ref
    with pytest.raises(ValueError, match="Invalid dtype for `swap`"):
        r[0] = 2  # int32 into float32
    with pytest.raises(ValueError, match="Out of bound indexer: idx=5, dim=3"):
        r[5] = 1.0
    with pytest.raises(TypeError, match="not a valid JAX type"):
        r[0] = [1.0]
    with pytest.raises(TypeError, match="Error interpreting argument to new_ref"):
        nablax.new_ref([1.0, 2.0])
    np.testing.assert_array_equal(r[...], [0.0, 0.0, 0.0])  # nothing written


def _bump(r, x):
    r[...] += x
    r[1] = 7.0
    return r[...] * 2


def test_jit_mutates_ref_argument_like_eager():
    eager, jitted = nablax.new_ref(jnp.arange(3.0)), nablax.new_ref(jnp.arange(3.0))
    f = nablax.jit(_bump)
    for _ in range(2):  # the second call hits the cache
        np.testing.assert_array_equal(f(jitted, 1.0), _bump(eager, 1.0))
        np.testing.assert_array_equal(jitted[...], eager[...])
    np.testing.assert_array_equal(jitted[...], [2.0, 7.0, 4.0])
    assert nablax.jit(lambda d: d["a"][0])({"a": jitted}) == 2.0  # a ref inside a pytree


def test_jit_closed_over_ref_reads_current_value_each_call():
    g = nablax.new_ref(0.0)

    @nablax.jit
    def h(x):
        g[...] += x
        return g[...] * 10

    assert float(h(2.0)) == 20.0
    g[...] = 100.0  # a write between calls is seen by the cached program
    assert float(h(3.0)) == 1030.0 and float(g[...]) == 103.0

    @nablax.jit
    def outer(x):
        return h(x) + h(x)  # a nested jit: lifted through both traces

    assert float(outer(1.0)) == 1040.0 + 1050.0 and float(g[...]) == 105.0


def _loop_python(x):
    r = nablax.new_ref(jnp.zeros_like(x))
    for i in range(3):
        r[...] += x * i
    r[0] = r[0] * x[1]
    return jnp.sum(r[...] ** 2)


def _loop_fori(x):
    r = nablax.new_ref(jnp.zeros_like(x))

    def body(i, c):
        r[...] += x * i
        return c
    lax.fori_loop(0, 3, body, 0)
    r[0] = r[0] * x[1]
    return jnp.sum(r[...] ** 2)


def _loop_scan(x):
    r = nablax.new_ref(jnp.zeros_like(x))

    def body(c, i):
        r[...] += x * i
        return c + 1.0, r[...]
    c, ys = lax.scan(body, 0.0, jnp.arange(3.0))
    r[0] = r[0] * x[1]
    return jnp.sum(r[...] ** 2) + c * jnp.sum(ys)


def _pure(x):
    acc = x * 3.0
    acc = acc.at[0].multiply(x[1])
    return jnp.sum(acc ** 2)


def _pure_scan(x):
    ys = jnp.stack([x * 0.0, x * 1.0, x * 3.0])
    return _pure(x) + 3.0 * jnp.sum(ys)


@pytest.mark.parametrize("fn, pure", [(_loop_python, _pure), (_loop_fori, _pure), (_loop_scan, _pure_scan)])
def test_local_ref_values_and_gradients_match_pure(fn, pure):
    x = jnp.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(fn(x), pure(x), rtol=1e-6)
    np.testing.assert_allclose(nablax.jit(fn)(x), pure(x), rtol=1e-6)
    np.testing.assert_allclose(nablax.grad(fn)(x), nablax.grad(pure)(x), rtol=1e-6)
    np.testing.assert_allclose(nablax.jit(nablax.grad(fn))(x), nablax.grad(pure)(x), rtol=1e-6)
    check_grads(fn, (np.array([0.5, -1.0, 2.0]),), order=2, modes=("fwd", "rev"))


def test_vmap_of_local_ref():
    xs = jnp.array([[0.5, -1.0, 2.0], [1.0, 2.0, 3.0]])
    for fn in (_loop_python, _loop_fori, _loop_scan):
        expected = [fn(x) for x in xs]
        np.testing.assert_allclose(nablax.vmap(fn)(xs), expected, rtol=1e-6)
        np.testing.assert_allclose(nablax.jit(nablax.vmap(fn))(xs), expected, rtol=1e-6)


def test_while_loop_and_nested_loops_carry_refs():
    def doubling(x, n):
        r = nablax.new_ref(x)

        def body(i):
            r[...] = r[...] * 2.0
            return i + 1
        lax.while_loop(lambda i: i < n, body, 0)
        return r[...]

    assert float(doubling(1.5, 3)) == 12.0 and float(nablax.jit(doubling)(1.5, 3)) == 12.0

    def nested(x):
        r = nablax.new_ref(0.0)

        def outer(c, xi):
            def inner(c2, _):
                r[...] += xi ** 2
                return c2, None
            lax.scan(inner, 0, None, length=2)
            return c, None
        lax.scan(outer, 0, x)
        return r[...]

    x = jnp.array([1.0, 2.0, 3.0])
    assert float(nested(x)) == 28.0
    np.testing.assert_allclose(nablax.grad(nested)(x), 4.0 * x)

    g = nablax.new_ref(jnp.zeros(3))

    @nablax.jit
    def accumulate(xs):  # a global ref written in a scan inside jit
        lax.scan(lambda c, x: (g.__setitem__(..., g[...] + x), (c, None))[1], 0, xs)

    accumulate(jnp.ones((4, 3)))
    accumulate(jnp.ones((4, 3)))
    np.testing.assert_array_equal(g[...], [8.0, 8.0, 8.0])


def _branchy(p, x):
    r = nablax.new_ref(jnp.zeros(2))

    def true_branch(y):
        r[0] = y * 2
        return y

    def false_branch(y):
        r[1] = 5.0  # a constant write: must happen only when this branch is taken
        return -y

    out = lax.cond(p, true_branch, false_branch, x)
    return r[...].sum() * out


def test_cond_and_switch_carry_refs():
    for p, value, slope in ((True, 8.0, 8.0), (False, -10.0, -5.0)):
        assert float(_branchy(p, 2.0)) == value and float(nablax.jit(_branchy)(p, 2.0)) == value
        assert float(nablax.jit(nablax.grad(_branchy, 1))(p, 2.0)) == slope
    np.testing.assert_array_equal(nablax.vmap(_branchy)(jnp.array([True, False]), jnp.array([2.0, 2.0])), [8.0, -10.0])

    def sw(i, x):
        r = nablax.new_ref(0.0)
        lax.switch(i, [lambda: r.__setitem__(..., x), lambda: r.__setitem__(..., x * 2), lambda: None])
        return r[...]

    assert [float(nablax.jit(sw)(i, 3.0)) for i in range(3)] == [3.0, 6.0, 0.0]


def _update(r, x):
    r[...] += x
    r[0] = r[0] * 2
    return r[...].sum()


@pytest.mark.parametrize("axis", [0, 1])
def test_vmap_over_a_mapped_ref_argument(axis):
    x = jnp.arange(6.0).reshape(2, 3)
    expected = nablax.new_ref(jnp.ones((2, 3)))
    sums = [_update(nablax.new_ref(jnp.ones(3)), x[i]) for i in range(2)]
    for vmapped in (nablax.vmap(_update, in_axes=(axis, 0)), nablax.jit(nablax.vmap(_update, in_axes=(axis, 0))),
                    nablax.vmap(nablax.jit(_update), in_axes=(axis, 0))):
        r = nablax.new_ref(jnp.ones((2, 3)) if axis == 0 else jnp.ones((3, 2)))
        np.testing.assert_allclose(vmapped(r, x), sums)
        expected = np.array([[2.0, 2.0, 3.0], [8.0, 5.0, 6.0]])
        np.testing.assert_allclose(r[...], expected if axis == 0 else expected.T)


def test_reading_outer_refs_under_grad_and_vmap():
    r = nablax.new_ref(2.0)
    assert float(nablax.grad(lambda x: r[...] * x)(3.0)) == 2.0
    np.testing.assert_array_equal(nablax.vmap(lambda x: r[...] * x)(jnp.ones(2)), [2.0, 2.0])
    np.testing.assert_array_equal(nablax.vmap(lambda q, x: q[...] + x, in_axes=(None, 0))(r, jnp.ones(2)), [3.0, 3.0])


def test_errors_as_jax():
    r = nablax.new_ref(1.0)

    def write(x):
        r[...] = x
        return x

    with pytest.raises(Exception, match="set/swap operation with a differentiated value"):
        nablax.grad(write)(2.0)
    with pytest.raises(Exception, match="set/swap operation with vmapped value on an unbatched"):
        nablax.vmap(write)(jnp.ones(2))
    with pytest.raises(Exception, match="differentiated value"):  # through a jit too
        nablax.grad(nablax.jit(write))(2.0)
    with pytest.raises(ValueError, match="mutable array reference"):
        nablax.grad(lambda q: q[...] * 2)(r)
    with pytest.raises(ValueError, match="mutable array references cannot be returned"):
        nablax.jit(lambda x: nablax.new_ref(x))(1.0)
    with pytest.raises(ValueError, match="only one reference to a mutable array"):
        nablax.jit(lambda a, b: a[...] + b[...])(r, r)
    with pytest.raises(NotImplementedError, match="make_jaxpr"):
        nablax.make_jaxpr(write)(1.0)
    assert nablax.eval_shape(write, 1.0).shape == ()  # traced with the ref lifted; nothing written
    assert float(r[...]) == 1.0  # no failed call wrote anything


def test_gradient_plumbing_through_custom_vjp():
    seen = nablax.new_ref(0.0)

    @nablax.custom_vjp
    def stash(x):
        return x

    def bwd(_, g):
        seen[...] += g  # the cotangent reaching x, plumbed out
        return (g,)

    stash.defvjp(lambda x: (x, None), bwd)
    loss = lambda x: jnp.sin(stash(x)) * 3  # noqa: E731
    assert float(nablax.grad(loss)(1.0)) == pytest.approx(3 * np.cos(1.0))
    assert float(seen[...]) == pytest.approx(3 * np.cos(1.0))
    nablax.jit(nablax.grad(loss))(1.0)
    assert float(seen[...]) == pytest.approx(6 * np.cos(1.0))


def test_written_and_unwritten_weak_refs_print_as_jax():
    r = nablax.new_ref(1.0)
    nablax.jit(lambda q: q[...] * 2)(r)  # read only: not written back
    assert repr(r) == "Ref(1., dtype=float32, weak_type=True)"
    r.addupdate(1.0)
    assert repr(r) == "Ref(2., dtype=float32)" and r[...].weak_type  # JAX: reads keep the ref's type


def test_freeze_free_empty():
    def f(x):
        q = nablax.new_ref(x)
        q[...] = q[...] * 3
        out = nablax.freeze(q)
        e = nablax.empty_ref(nablax.ShapeDtypeStruct((2,), jnp.float32))
        e[...] = e[...] + out
        return nablax.freeze(e)

    np.testing.assert_array_equal(f(1.0), [3.0, 3.0])
    np.testing.assert_array_equal(nablax.jit(f)(1.0), [3.0, 3.0])
    assert float(nablax.grad(lambda x: f(x).sum())(1.0)) == 6.0
    q = nablax.new_ref(1.0)
    assert nablax.free_ref(q) == ()
    with pytest.raises(ValueError, match="`get` must be called on `Ref` types"):
        nablax.jit(lambda x: (lambda p: (nablax.free_ref(p), p[...])[1])(nablax.new_ref(x)))(1.0)
    with pytest.raises(TypeError, match="abstract array"):
        nablax.empty_ref((2,))
