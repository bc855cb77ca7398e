"""Control flow (lax.cond, switch, while_loop, fori_loop, scan, map): values, derivatives,
jit, vmap, nesting and error messages."""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with jax.config.enable_x64(True):
        yield


def _close(a, b, tol=1e-6):
    # Expected values: Python lists are arrays, not pytree nodes.
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b, is_leaf=lambda v: isinstance(v, list))
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=tol, atol=tol)


# ------------------------------------------------------------------------------- values

def test_cond_values_and_pytrees():
    x = jnp.array([1.0, -2.0, 3.0])
    out = lax.cond(True, lambda d: {"a": d["x"] * 2, "b": (d["x"].sum(),)},
                   lambda d: {"a": -d["x"], "b": (d["x"].max(),)}, {"x": x})
    _close(out, {"a": [2.0, -4.0, 6.0], "b": (2.0,)})
    out = lax.cond(False, lambda d: {"a": d["x"] * 2, "b": (d["x"].sum(),)},
                   lambda d: {"a": -d["x"], "b": (d["x"].max(),)}, {"x": x})
    _close(out, {"a": [-1.0, 2.0, -3.0], "b": (3.0,)})
    # no operands, integer predicate, operand= keyword
    assert float(lax.cond(0, lambda: 1.0, lambda: 2.0)) == 2.0
    assert float(lax.cond(jnp.int32(5), lambda: 1.0, lambda: 2.0)) == 1.0
    assert float(lax.cond(True, lambda v: v + 1, lambda v: v - 1, operand=1.0)) == 2.0
    # branches may differ in weak type only; the result has the first branch's (false_fun's), as JAX
    out = lax.cond(True, lambda: 1.0, lambda: jnp.float32(2.0))
    assert out.dtype == np.float32 and not out.weak_type and float(out) == 1.0
    out = lax.cond(True, lambda: jnp.float32(1.0), lambda: 2.0)
    assert out.dtype == np.float32 and out.weak_type and float(out) == 1.0
    with pytest.raises(TypeError, match=r"false_fun returns f32\[\] and true_fun returns i32\[\]"):
        lax.cond(True, lambda: 1, lambda: 2.5)  # JAX never promotes branch dtypes


def test_switch_values_and_clamping():
    branches = [lambda v: v + 1.0, lambda v: v * 10.0, lambda v: -v]
    assert [float(lax.switch(i, branches, 2.0)) for i in range(3)] == [3.0, 20.0, -2.0]
    assert float(lax.switch(-5, branches, 2.0)) == 3.0   # clamped to 0
    assert float(lax.switch(99, branches, 2.0)) == -2.0  # clamped to the last branch
    assert float(lax.switch(0, [lambda v: v * 3.0], 2.0)) == 6.0


def test_while_fori_scan_map_values():
    n, s = lax.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] + c[0]), (0, 0))
    assert (int(n), int(s)) == (10, 45)
    assert float(lax.fori_loop(0, 5, lambda i, v: v + i * i, 0.0)) == 30.0
    assert float(lax.fori_loop(3, 1, lambda i, v: v + 1.0, 0.0)) == 0.0  # empty range
    xs = jnp.arange(6.0)
    carry, ys = lax.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    ref_c, ref_y = 0.0, []
    for x in np.arange(6.0):
        ref_y.append(ref_c * x)
        ref_c += x
    assert float(carry) == ref_c
    _close(ys, ref_y)
    carry, ys = lax.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    _close(ys, [15.0, 14.0, 12.0, 9.0, 5.0, 0.0])
    # xs=None with length, ys=None, pytree carry
    (a, b), none = lax.scan(lambda c, _: ((c[0] * 2, c[1] + 1), None), (1.0, 0), None, length=4)
    assert (float(a), int(b), none) == (16.0, 4, None)
    # zero-length scan keeps the carry and returns empty ys
    c, ys = lax.scan(lambda c, x: (c + x.sum(), x * 2), 1.0, jnp.zeros((0, 3)))
    assert float(c) == 1.0 and ys.shape == (0, 3)
    _close(lax.map(lambda r: r.sum(), jnp.arange(6.0).reshape(3, 2)), [1.0, 5.0, 9.0])


def test_long_loops_use_the_compiled_body():
    # Past a few iterations eager loops run a compiled body; the results must not change.
    xs = jnp.linspace(0.0, 1.0, 200)
    c, ys = lax.scan(lambda c, x: (c * 0.99 + x, jnp.sin(c)), 0.0, xs)
    ref_c, ref_y = 0.0, []
    for x in np.linspace(0.0, 1.0, 200, dtype=np.float32):
        ref_y.append(np.sin(ref_c))
        ref_c = ref_c * 0.99 + x
    np.testing.assert_allclose(float(c), ref_c, rtol=1e-4)
    np.testing.assert_allclose(np.asarray(ys), ref_y, rtol=1e-4, atol=1e-5)
    i, v = lax.while_loop(lambda c: c[0] < 100, lambda c: (c[0] + 1, c[1] * 1.01), (0, 1.0))
    assert int(i) == 100 and v.dtype == np.float32
    np.testing.assert_allclose(float(v), 1.01 ** 100, rtol=1e-4)


def test_carry_weak_type_promotion():
    # A Python-scalar initial carry takes the body's dtype, as in JAX.
    c, _ = lax.scan(lambda c, x: (c + x, None), 0, jnp.arange(3.0, dtype=jnp.float32))
    assert c.dtype == np.float32 and float(c) == 3.0
    v = lax.fori_loop(0, 3, lambda i, v: v + jnp.float32(0.5), 0.0)
    assert v.dtype == np.float32 and not v.weak_type and float(v) == 1.5


# -------------------------------------------------------------------------- derivatives

def test_cond_grads(x64):
    def f(x, y):
        return lax.cond(jnp.sum(x) > 0, lambda a, b: jnp.sin(a) * b, lambda a, b: jnp.exp(a) - b, x, y)

    x, y = jnp.array([0.3, 0.7, -0.2]), jnp.array([1.5, -0.5, 2.0])
    check_grads(f, (x, y), order=2)
    check_grads(f, (-x, y), order=2)
    g = jax.grad(lambda x: f(x, y).sum())(x)
    _close(g, np.cos(np.asarray(x)) * np.asarray(y))
    # a branch that ignores an operand gives it a zero gradient
    h = lambda x, y: lax.cond(True, lambda a, b: a * 2.0, lambda a, b: b, x, y)  # noqa: E731
    gx, gy = jax.grad(lambda x, y: h(x, y).sum(), argnums=(0, 1))(x, y)
    _close(gx, [2.0, 2.0, 2.0])
    _close(gy, [0.0, 0.0, 0.0])


def test_scan_grads(x64):
    def f(c, xs, w):
        c, ys = lax.scan(lambda c, x: (jnp.tanh(c * w + x), c * x), c, xs)
        return c.sum() + (ys ** 2).sum()

    c, xs, w = jnp.array([0.1, -0.3]), jnp.linspace(-1.0, 1.0, 10).reshape(5, 2), jnp.array([0.9, 1.1])
    check_grads(f, (c, xs, w), order=2)
    # the same computation unrolled in Python
    def unrolled(c, xs, w):
        total = 0.0
        for x in xs:
            total = total + ((c * x) ** 2).sum()
            c = jnp.tanh(c * w + x)
        return c.sum() + total

    for a, b in zip(jax.grad(f, argnums=(0, 1, 2))(c, xs, w), jax.grad(unrolled, argnums=(0, 1, 2))(c, xs, w)):
        _close(a, b, 1e-10)
    # hessian (forward over reverse) and a reverse scan
    _close(jax.hessian(f)(c, xs, w), jax.hessian(unrolled)(c, xs, w), 1e-8)
    g = lambda xs: lax.scan(lambda c, x: (c * x, c), 1.0, xs, reverse=True)[1].sum()  # noqa: E731
    check_grads(g, (jnp.array([0.5, 2.0, -1.5, 3.0]),), order=2)


def test_fori_loop_static_bounds_reverse_mode(x64):
    f = lambda x: lax.fori_loop(0, 4, lambda i, v: jnp.sin(v) * x + i, x)  # noqa: E731
    check_grads(f, (jnp.array(0.7),), order=2)
    assert float(jax.grad(lambda x: lax.fori_loop(0, 3, lambda i, v: v * x, 1.0))(2.0)) == 12.0


def test_while_loop_forward_and_reverse_mode(x64):
    def f(x):
        return lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, jnp.sin(c[1]) * 1.5), (0, x))[1]

    x = jnp.array([0.3, -0.4])
    check_grads(f, (x,), order=2, modes=("fwd",))
    check_grads(f, (x,), order=1, modes=("rev",))
    # the linearized function (forward evaluation of the linear map) works
    y, f_jvp = jax.linearize(f, x)
    _close(f_jvp(jnp.ones(2)), jax.jvp(f, (x,), (jnp.ones(2),))[1])
    # reverse mode (JAX raises here) equals forward mode
    _close(jax.grad(lambda x: f(x).sum())(x), jax.jvp(f, (x,), (jnp.ones(2),))[1])
    gd = jax.jit(jax.grad(lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x, x)))
    _close(gd(1.5, 3), 4 * 1.5 ** 3)
    # dynamic fori_loop: forward mode still works
    g = jax.jit(lambda x, n: lax.fori_loop(0, n, lambda i, v: v * x, 1.0))
    _close(jax.jvp(lambda x: g(x, 3), (2.0,), (1.0,))[1], 12.0)


def test_grad_of_closed_over_values(x64):
    # Values the branch/body functions close over are differentiated too.
    def f(w, x):
        c = lax.cond(x > 0, lambda: jnp.sin(w) * x, lambda: w * w)
        _, ys = lax.scan(lambda c, xi: (c, c * w * xi), c, jnp.arange(3.0))
        return ys.sum()

    check_grads(f, (jnp.array(0.8), jnp.array(1.2)), order=2)
    check_grads(f, (jnp.array(0.8), jnp.array(-1.2)), order=2)


def test_linear_transpose_of_scan(x64):
    f = lambda xs: lax.scan(lambda c, x: (c + 2.0 * x, c), 0.0, xs)  # noqa: E731
    xs = jnp.arange(4.0)
    t = jax.linear_transpose(f, xs)
    (ct,) = t((jnp.array(1.0), jnp.ones(4)))
    # d/dxs of carry is 2 everywhere; ys[i] = 2 * sum(xs[:i]) -> ct_k = 2 * (#i > k)
    _close(ct, [2.0 + 6.0, 2.0 + 4.0, 2.0 + 2.0, 2.0])


# ---------------------------------------------------------------------------------- jit

def test_jit_matches_eager_and_emits_statements():
    def f(p, x):
        y = lax.cond(p, lambda a: a * 2.0, lambda a: a - 1.0, x)
        c, ys = lax.scan(lambda c, r: (c + r, c * r), 0.0, y)
        n, z = lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, s[1] * 2.0), (0, c))
        return lax.switch(n - 2, [lambda: z, lambda: z + ys.sum()]), ys

    x = jnp.array([1.0, 2.0, 3.0])
    jf = jax.jit(f)
    for p in (True, False):
        _close(jf(p, x), f(p, x))
    rev = jax.jit(lambda xs: lax.scan(lambda c, r: (c * 0.5 + r, c), 1.0, xs, reverse=True))
    _close(rev(x), lax.scan(lambda c, r: (c * 0.5 + r, c), 1.0, x, reverse=True))
    _close(jax.jit(lambda xs: lax.map(jnp.sin, xs))(x), np.sin(np.asarray(x)))
    text = jf.lower(True, x).as_text()
    assert "if " in text and "else:" in text and "while " in text and "for _i in range(3):" in text


def test_jit_of_grad_with_traced_predicate(x64):
    def f(x):
        y = lax.cond(x.sum() > 0, lambda a: jnp.sin(a) * a, lambda a: jnp.cos(a) + a, x)
        z = lax.switch(jnp.argmax(x), [lambda a: a.sum(), lambda a: (a * a).sum(), lambda a: jnp.exp(a).sum()], y)
        return z + lax.fori_loop(0, 3, lambda i, v: v * 0.5 + jnp.tanh(v), y).sum()

    g, jg = jax.grad(f), jax.jit(jax.grad(f))
    for x in (jnp.array([0.3, 0.8, -0.1]), jnp.array([-0.9, 0.2, 0.1]), jnp.array([-0.2, -0.1, 0.5])):
        _close(jg(x), g(x), 1e-10)
    check_grads(jax.jit(f), (jnp.array([0.3, 0.8, -0.1]),), order=2)
    # grad of a jitted function with control flow, and jit of the scan's vjp
    _close(jax.grad(jax.jit(f))(jnp.array([0.3, 0.8, -0.1])), g(jnp.array([0.3, 0.8, -0.1])), 1e-10)


# --------------------------------------------------------------------------------- vmap

@pytest.mark.filterwarnings("ignore:invalid value")  # both branches run on every example
def test_vmap_cond_batched_predicate():
    f = lambda x: lax.cond(x > 0, lambda v: jnp.log(v), lambda v: v * v, x)  # noqa: E731
    xs = jnp.array([2.0, -3.0, 0.5, -1.0])
    _close(jax.vmap(f)(xs), [np.log(2.0), 9.0, np.log(0.5), 1.0])
    _close(jax.jit(jax.vmap(f))(xs), jax.vmap(f)(xs))
    # gradient per example through the select
    _close(jax.vmap(jax.grad(f))(xs), [0.5, -6.0, 2.0, -2.0])
    # batched index of switch, unbatched operand
    g = lambda i: lax.switch(i, [lambda v: v, lambda v: v * 2, lambda v: v * 3], jnp.ones(2))  # noqa: E731
    _close(jax.vmap(g)(jnp.array([0, 2, 1, 5])), [[1, 1], [3, 3], [2, 2], [3, 3]])


def test_vmap_while_batched_predicate():
    def collatz_steps(n):
        def body(c):
            k, m = c
            return k + 1, lax.cond(m % 2 == 0, lambda v: v // 2, lambda v: 3 * v + 1, m)
        return lax.while_loop(lambda c: c[1] != 1, body, (0, n))[0]

    ns = jnp.array([1, 2, 3, 6, 7, 27])
    expected = []
    for n in [1, 2, 3, 6, 7, 27]:
        k = 0
        while n != 1:
            n, k = (n // 2 if n % 2 == 0 else 3 * n + 1), k + 1
        expected.append(k)
    np.testing.assert_array_equal(np.asarray(jax.vmap(collatz_steps)(ns)), expected)
    np.testing.assert_array_equal(np.asarray(jax.jit(jax.vmap(collatz_steps))(ns)), expected)


def test_vmap_loop_bounds_and_consts():
    # A batched trip count (traced fori_loop bounds) and a batched bound closed over by cond_fun.
    tri = jax.vmap(lambda n: lax.fori_loop(0, n, lambda i, v: v + i, 0))(jnp.array([1, 3, 5, 0]))
    np.testing.assert_array_equal(np.asarray(tri), [0, 3, 10, 0])
    steps = jax.vmap(lambda lim: lax.while_loop(lambda c: c * 2.0 < lim, lambda c: c * 2.0, 1.0))
    _close(steps(jnp.array([1.0, 5.0, 100.0])), [1.0, 4.0, 64.0])
    _close(jax.jit(steps)(jnp.array([1.0, 5.0, 100.0])), [1.0, 4.0, 64.0])


def test_vmap_scan_axes_and_jacobians(x64):
    def f(c, xs):
        return lax.scan(lambda c, x: (c * 0.5 + x, c + x), c, xs)

    cs, xs = jnp.array([1.0, 2.0, 3.0]), jnp.arange(12.0).reshape(4, 3)  # xs batched along axis 1
    c_out, ys = jax.vmap(f, in_axes=(0, 1), out_axes=(0, 1))(cs, xs)
    for k in range(3):
        ck, yk = f(cs[k], xs[:, k])
        _close(c_out[k], ck)
        _close(ys[:, k], yk)
    h = lambda xs: f(1.0, xs)[1]  # noqa: E731
    _close(jax.jacfwd(h)(xs[:, 0]), jax.jacrev(h)(xs[:, 0]))


# ------------------------------------------------------------------------------ nesting

def test_nested_control_flow(x64):
    def f(x):
        def body(c, xi):
            c = lax.cond(xi > 0, lambda v: v * xi, lambda v: jnp.sin(v) - xi, c)
            _, inner = lax.scan(lambda a, b: (a + b * c, a), 0.0, jnp.arange(3.0))
            return c + 0.1 * inner.sum(), c
        c, ys = lax.scan(body, x[0], x)
        return c + ys.sum() + lax.fori_loop(0, 2, lambda i, v: lax.cond(i == 0, lambda: v * 2, lambda: v + 1), c)

    def ref(x):
        x = np.asarray(x)
        c, total = x[0], 0.0
        for xi in x:
            c = c * xi if xi > 0 else np.sin(c) - xi
            a, inner = 0.0, 0.0
            for b in range(3):
                inner += a
                a = a + b * c
            total += c
            c = c + 0.1 * inner
        return c + total + (c * 2 + 1)

    x = jnp.array([0.5, -0.3, 0.8, 0.2])
    _close(f(x), ref(x), 1e-10)
    _close(jax.jit(f)(x), ref(x), 1e-10)
    check_grads(f, (x,), order=2)
    _close(jax.jit(jax.grad(f))(x), jax.grad(f)(x), 1e-10)
    xs = jnp.stack([x, -x, x * 2])
    _close(jax.vmap(f)(xs), [ref(r) for r in xs], 1e-10)
    _close(jax.vmap(jax.grad(f))(xs), [jax.grad(f)(r) for r in xs], 1e-10)


# ------------------------------------------------------------------------------- errors

def test_predicate_errors():
    with pytest.raises(TypeError, match="must be a scalar"):
        lax.cond(jnp.array([True, False]), lambda: 1.0, lambda: 2.0)
    with pytest.raises(TypeError, match="boolean or numeric scalar, got dtype complex64"):
        lax.cond(jnp.complex64(1.0), lambda: 1.0, lambda: 2.0)
    with pytest.raises(TypeError, match="integer scalar"):
        lax.switch(1.5, [lambda: 1.0, lambda: 2.0])
    with pytest.raises(ValueError, match="branches is empty"):
        lax.switch(0, [])


def test_branch_mismatch_errors():
    with pytest.raises(TypeError, match=r"false_fun returns f32\[3\] and true_fun returns f32\[4\]"):
        lax.cond(True, lambda: jnp.ones(4), lambda: jnp.ones(3))
    with pytest.raises(TypeError, match=r"output\[1\] false_fun returns i32\[\] and true_fun returns f32\[\]"):
        lax.cond(True, lambda: (1.0, jnp.float32(1)), lambda: (1.0, jnp.int32(1)))
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.cond(True, lambda: (1.0, 2.0), lambda: [1.0, 2.0])
    with pytest.raises(TypeError, match=r"branches\[0\] and branches\[2\]"):
        lax.switch(0, [lambda: jnp.ones(2), lambda: jnp.ones(2), lambda: jnp.ones((2, 1))])


def test_loop_errors():
    with pytest.raises(ValueError, match="same leading axis size.*has 3 and xs\\['b'\\] has 4"):
        lax.scan(lambda c, x: (c, x), 0.0, {"a": jnp.ones(3), "b": jnp.ones(4)})
    with pytest.raises(ValueError, match="length=5"):
        lax.scan(lambda c, x: (c, x), 0.0, jnp.ones(3), length=5)
    with pytest.raises(ValueError, match="give length="):
        lax.scan(lambda c, x: (c, x), 0.0, None)
    with pytest.raises(ValueError, match="scalar"):
        lax.scan(lambda c, x: (c, x), 0.0, jnp.float32(1.0))
    with pytest.raises(TypeError, match="must return a pair"):
        lax.scan(lambda c, x: c, 0.0, jnp.ones(3))
    with pytest.raises(TypeError, match=r"at carry\[1\] the input is f32\[2\] but f returns f32\[1,2\]"):
        lax.scan(lambda c, x: ((c[0], c[1][None]), x), (0.0, jnp.ones(2)), jnp.ones(3))
    with pytest.raises(TypeError, match=r"input is i32\[\] but body_fun returns f32\[\]"):
        lax.while_loop(lambda c: c < 3, lambda c: c * jnp.float32(1.5), jnp.int32(1))
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.while_loop(lambda c: c[0] < 3, lambda c: [c[0] + 1, c[1]], (0, 1.0))
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c - 1, 3)
    with pytest.raises(TypeError, match="integers"):
        lax.fori_loop(0.0, 3, lambda i, v: v, 1.0)


def test_python_control_flow_inside_jit_points_to_cond():
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(jax.errors.ConcretizationTypeError, match="lax.cond"):
        jax.jit(f)(1.0)
    # and inside a traced branch, the label names the control-flow primitive
    with pytest.raises(jax.errors.ConcretizationTypeError, match="lax.while_loop"):
        lax.while_loop(lambda c: c < 3, lambda c: c + 1 if c > 0 else c, 0)


def test_fori_loop_index_is_weakly_typed():
    # `carry + i` keeps the carry's dtype, as in JAX, for static and traced bounds
    out = lax.fori_loop(0, 3, lambda i, c: c + i, jnp.int16(0))
    assert out.dtype == np.int16 and int(out) == 3
    out = jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, jnp.int16(1)))(4)
    assert out.dtype == np.int16 and int(out) == 7
    out = lax.fori_loop(0, 4, lambda i, c: c + i, 0)
    assert out.dtype == np.int32 and out.weak_type and int(out) == 6
