"""Issue 9 regressions: transformation crashes and control-flow gradients and weak types.

Expected values were measured with JAX 0.10.2 (CPU, float32) and are hard-coded here, so
these tests run without JAX; tests/compat/test_control_flow_vs_jax.py runs the same
programs against live JAX when it is installed.
"""
import numpy as np
import pytest

import nablax as jax
import nablax.numpy as jnp
from nablax import lax
from nablax._src.array import ArrayMethods
from nablax._src.interpreters import batching, jvp, linearize, staging


def _check(x, dtype, weak, value):
    assert x.dtype == np.dtype(dtype), x.dtype
    assert x.weak_type == weak, x.weak_type
    np.testing.assert_allclose(np.asarray(x), value, rtol=1e-6, atol=1e-7)


# ------------------------------------------------- 1. jacfwd of jit w.r.t. an unused argument

def test_jacfwd_of_jit_wrt_unused_argument_is_zeros():
    f = jax.jit(lambda x, y: x * 2.0)
    out = jax.jacfwd(f, argnums=1)(jnp.ones(3), jnp.ones(2))
    _check(out, np.float32, False, np.zeros((3, 2)))
    h = jax.hessian(jax.jit(lambda x, y: (x ** 3).sum()), argnums=1)(jnp.ones(3), jnp.ones(2))
    _check(h, np.float32, False, np.zeros((2, 2)))


def test_vmap_of_jit_keeps_unbatched_outputs_unbatched():
    f = jax.jit(lambda x, y: (x * 2, y))
    a, b = jax.vmap(f, in_axes=(None, 0), out_axes=(None, 0))(jnp.ones(3), jnp.arange(2.0))
    _check(a, np.float32, False, [2.0, 2.0, 2.0])
    _check(b, np.float32, False, [0.0, 1.0])


# ------------------------------------------------------ 2. Array methods inside staged bodies

def test_no_tracer_attribute_shadows_an_array_method():
    # StagingTracer stored its Var in a slot named `var`, hiding Array.var under jit/cond/scan.
    names = [n for n in dir(ArrayMethods) if not n.startswith("_")]
    for cls in (staging.StagingTracer, batching.BatchTracer, jvp.JVPTracer, linearize.LinearizeTracer):
        assert [n for n in names if getattr(cls, n) is not getattr(ArrayMethods, n)] == [], cls


_X = jnp.array([[3.0, -1.0, 2.0], [0.5, 4.0, -2.0]])


def _methods(x):
    return [x.var(), x.std(), x.mean(), x.sum(axis=0), x.prod(), x.max(), x.min(axis=1), x.argmax(),
            x.argmin(axis=0), x.cumsum(axis=1), x.cumprod(), x.ptp(), x.T, x.mT, x.reshape(3, 2),
            x.ravel(), x.flatten(), x.transpose(), x.swapaxes(0, 1), x.squeeze(), x.clip(-1.0, 1.0),
            x.round(), x.astype(jnp.int32), x.conj(), x.conjugate(), x.real, x.imag, x.sort(axis=1),
            x.argsort(axis=1), x.take(jnp.array([0, 4])), x.repeat(2, axis=0), x.diagonal(),
            x.trace(), x.dot(x.T), x.all(), x.any(), x.var(axis=1, ddof=1), x.at[0, 1].set(9.0),
            x.at[1].get()]


def test_array_methods_inside_cond_scan_while_and_jit():
    expected = [np.asarray(v) for v in _methods(_X)]

    def same(outs):
        assert len(outs) == len(expected)
        for o, e in zip(outs, expected):
            assert o.shape == e.shape and o.dtype == e.dtype
            np.testing.assert_allclose(np.asarray(o), e, rtol=1e-6)

    same(lax.cond(True, _methods, lambda x: [jnp.zeros_like(v) for v in _methods(x)], _X))
    same(jax.jit(lambda p, x: lax.cond(p, _methods, lambda x: [jnp.zeros_like(v) for v in _methods(x)], x))(True, _X))
    same(lax.switch(1, [lambda x: [jnp.zeros_like(v) for v in _methods(x)], _methods], _X))
    _, ys = lax.scan(lambda c, x: (c, _methods(x)), 0.0, _X[None])
    same([y[0] for y in ys])
    _, out = lax.while_loop(lambda c: c[0] < 1, lambda c: (c[0] + 1, _methods(_X)),
                            (0, [jnp.zeros_like(v) for v in _methods(_X)]))
    same(out)
    same(jax.jit(_methods)(_X))


# -------------------------------------- 3. gradients through a per-example (vmapped) switch

def test_grad_of_vmapped_vjp_of_switch_has_no_nan():
    # Under vmap the switch is a select of both branches. The second derivative used to run
    # the unselected branch's linear part on the other branch's residual (0 at v = 1):
    # log's tangent t / 0 = inf, and 0 * inf = NaN in the outer gradient.
    def inner(i, v):
        out, pull = jax.vjp(lambda u: lax.switch(i, [jnp.log, lambda u: (u - 1.0) * (u - 1.0)], u), v)
        return pull(jnp.ones_like(out))[0]

    def loss(v):
        return jnp.arctan2(0.5, jax.vmap(inner, in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    _check(jax.grad(loss)(jnp.array([1.0, 2.0])), np.float32, False, [-3.6, 0.014705881476402283])


def switch_issue_program(jax, jnp, lax):
    """(loss(v), grad(loss)(v)) of the issue's program, a loss through vmap of vjp of lax.switch,
    in the given library (tests/compat/test_control_flow_vs_jax.py runs it with JAX too)."""

    def branch0(v):
        return jnp.broadcast_to(jnp.mean(jax.nn.softplus(jnp.stack([v, v]))), (3, 1))

    def inner(i, v):
        out, pull = jax.vjp(lambda u: lax.switch(i, [branch0, lambda u: u], u), v)
        return pull(jnp.ones_like(out))[0] * out

    def loss(v):
        return jnp.arctan2(0.5, jax.vmap(inner, in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    v = jnp.array([[0.3], [-200.0], [1.5]])
    return loss(v), jax.grad(loss)(v)


def test_grad_of_vmapped_vjp_of_switch_issue_program():
    value, g = switch_issue_program(jax, jnp, lax)
    _check(value, np.float32, False, 7.480762481689453)
    assert g.dtype == np.float32 and np.all(np.isfinite(np.asarray(g)))
    np.testing.assert_allclose(np.asarray(g), [[-1.9021517], [-1.2499921e-05], [-0.5978762]], rtol=2e-6)


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_unselected_branch_passes_no_cotangent_under_vmap():
    # As JAX, each branch of a batched cond reads select(index == k, x, stop_gradient(x)):
    # sqrt'(0) = inf and log'(0) = inf in lanes where those branches are not selected stay out.
    f = lambda p, x: lax.cond(p, jnp.sqrt, lambda x: x * 2, x)  # noqa: E731
    g = jax.grad(lambda x: jax.vmap(f)(jnp.array([False, True]), x).sum())(jnp.array([0.0, 4.0]))
    _check(g, np.float32, False, [2.0, 0.25])
    h = lambda i, x: lax.switch(i, [jnp.log, lambda x: x * 2, lambda x: 1 / x], x)  # noqa: E731
    g = jax.grad(lambda x: jax.vmap(h)(jnp.array([1, 1, 0]), x).sum())(jnp.array([0.0, 0.0, 2.0]))
    _check(g, np.float32, False, [2.0, 2.0, 0.5])


def test_grad_of_jitted_vmapped_vjp_of_switch_has_no_nan():
    # The residual slot shared by both branches holds (u - 1) = 0 in the lane where the log
    # branch is not selected; without the stop_gradient guard 0 * inf made a NaN.
    def inner(i, v):
        out, pull = jax.vjp(lambda u: lax.switch(i, [lambda u: jnp.log(u * 1.5), lambda u: (u - 1.0) * (u - 1.0)], u), v)
        return pull(jnp.ones_like(out))[0]

    def loss(v):
        return jnp.arctan2(0.5, jax.vmap(jax.jit(inner), in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    _check(jax.grad(loss)(jnp.array([1.0, 2.0])), np.float32, False, [-3.6, 0.014705881476402283])


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_batched_cond_selects_without_masks():
    # jnp.sqrt's derivative is inf at 0 in the unselected lane; JAX's answer keeps it there
    # (the select routes an exact zero cotangent to the unselected branch).
    def loss(v):
        f = lambda p, v: lax.cond(p, jnp.sqrt, lambda v: v * 2, v)  # noqa: E731
        return jax.vmap(f, in_axes=(0, None))(jnp.array([False, True]), v).sum()

    _check(jax.grad(loss)(jnp.array([0.0, 2.0])), np.float32, False, [np.inf, 2.353553295135498])


# ------------------------------------------------------------------------ 4. weak types

def test_scan_carry_weak_types_match_jax():
    # A Python-int carry meeting int32 xs: the final carry is int32, the ys (the input
    # carry, still weak) are weakly typed.
    c, ys = lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3))
    _check(c, np.int32, False, 3)
    _check(ys, np.int32, True, [0, 0, 1])
    c, ys = jax.jit(lambda xs: lax.scan(lambda c, x: (c + x, c), 0, xs))(jnp.arange(3))
    _check(c, np.int32, False, 3)
    _check(ys, np.int32, True, [0, 0, 1])
    c, ys = lax.scan(lambda c, x: (c + x, c * 2), 0.0, jnp.arange(3.0))
    _check(c, np.float32, False, 3.0)
    _check(ys, np.float32, True, [0.0, 0.0, 2.0])
    # a strongly typed carry the body returns weakly typed: the result takes the body's type
    c, ys = lax.scan(lambda c, x: (1.0, c), jnp.float32(0), None, length=2)
    _check(c, np.float32, True, 1.0)
    _check(ys, np.float32, False, [0.0, 1.0])
    # a weak int carry meeting a float body: promoted once, to a strong float32
    c, ys = lax.scan(lambda c, x: (c + 0.5, c), 0, None, length=2)
    _check(c, np.float32, False, 1.0)
    _check(ys, np.float32, False, [0.0, 0.5])
    c, ys = lax.scan(lambda c, x: (c + 1, c * 2), jnp.int32(0), None, length=3)
    _check(c, np.int32, False, 3)
    _check(ys, np.int32, False, [0, 2, 4])


def test_while_carry_weak_types_match_jax():
    _check(lax.while_loop(lambda c: False, lambda c: 1.0, jnp.float32(0)), np.float32, True, 0.0)
    _check(lax.while_loop(lambda c: c < 2, lambda c: c + jnp.float32(1), 0.0), np.float32, False, 2.0)
    _check(lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0), np.int32, True, 3)
    _check(lax.fori_loop(0, 3, lambda i, c: c + jnp.int32(i), 0), np.int32, False, 3)


def test_unchanged_carry_comes_back_as_given():
    # JAX forwards a carry the body returns unchanged: a Python scalar stays one.
    c, ys = lax.scan(lambda c, x: (c, x * 2), 0.0, jnp.array([1.0, 2.0]))
    assert type(c) is float and c == 0.0
    _check(ys, np.float32, False, [2.0, 4.0])
    (a, b), _ = lax.scan(lambda c, x: ((c[0], c[1] + 1), x), (1.0, 2.0), jnp.arange(2))
    assert type(a) is float
    _check(b, np.float32, True, 4.0)
    out = lax.fori_loop(0, 3, lambda i, c: c, 1.0)
    assert type(out) is float and out == 1.0
    i, v = lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1]), (0, 2.0))
    _check(i, np.int32, True, 3)
    assert type(v) is float
    # read by cond_fun: not forwarded
    i, v = lax.while_loop(lambda c: c[0] < c[1], lambda c: (c[0] + 1, c[1]), (0, 2.0))
    _check(v, np.float32, True, 2.0)


def test_cond_output_weak_type_is_the_first_branchs():
    _check(lax.cond(True, lambda: 1.0, lambda: jnp.float32(2.0)), np.float32, False, 1.0)
    _check(lax.cond(True, lambda: jnp.float32(1.0), lambda: 2.0), np.float32, True, 1.0)
    _check(lax.switch(1, [lambda: 1.0, lambda: jnp.float32(2.0), lambda: 3.0]), np.float32, True, 2.0)
    _check(lax.switch(2, [lambda: 1.0, lambda: jnp.float32(2.0), lambda: jnp.float32(3.0)]), np.float32, True, 3.0)
    _check(jax.jit(lambda p: lax.cond(p, lambda: 1.0, lambda: jnp.float32(2.0)))(True), np.float32, False, 1.0)
    # under vmap a batched predicate selects: weak only if every branch is
    out = jax.vmap(lambda p: lax.cond(p, lambda: jnp.float32(1.0), lambda: 2.0))(jnp.array([True, False]))
    _check(out, np.float32, False, [1.0, 2.0])


def test_cond_branches_of_different_dtypes_raise():
    with pytest.raises(TypeError, match=r"false_fun returns f32\[\] and true_fun returns i32\[\]"):
        lax.cond(False, lambda: 1, lambda: 2.0)
    with pytest.raises(TypeError, match=r"branches\[0\] returns f32\[\] and branches\[1\] returns f16\[\]"):
        lax.switch(0, [lambda: 1.0, lambda: jnp.float16(2.0)])


def test_carry_type_mismatch_names_the_path():
    with pytest.raises(TypeError, match=r"for the carry the input is f32\[\] but f returns f16\[\]"):
        lax.scan(lambda c, x: (c.astype("float16"), c), jnp.float32(0), None, length=2)
    with pytest.raises(TypeError, match=r"at carry\['b'\] the input is i32\[\] but body_fun returns f32\[\]"):
        lax.while_loop(lambda c: c["a"] < 1, lambda c: {"a": c["a"] + 1, "b": c["b"] * 1.5},
                       {"a": 0, "b": jnp.int32(1)})


# ----------------------------------------------------------- 5. API details, as JAX 0.10.2

def test_cond_float_predicate_and_old_calling_convention():
    _check(lax.cond(jnp.float32(1.5), lambda: 1.0, lambda: 2.0), np.float32, True, 1.0)
    _check(lax.cond(0.0, lambda: 1.0, lambda: 2.0), np.float32, True, 2.0)
    out = jax.vmap(lambda p: lax.cond(p, lambda: 1.0, lambda: 2.0))(jnp.array([0.0, 0.5]))
    _check(out, np.float32, True, [2.0, 1.0])
    # cond(pred, true_operand, true_fun, false_operand, false_fun)
    _check(lax.cond(True, 1.0, lambda x: x + 1, 2.0, lambda x: x * 10), np.float32, True, 2.0)
    _check(lax.cond(False, 1.0, lambda x: x + 1, 2.0, lambda x: x * 10), np.float32, True, 20.0)


def test_cond_switch_argument_errors():
    with pytest.raises(TypeError, match="predicate is None"):
        lax.cond(None, lambda: 1.0, lambda: 2.0)
    with pytest.raises(ValueError, match="branches is empty"):
        lax.switch(0, [])
    with pytest.raises(TypeError, match="either positionally or as operand="):
        lax.switch(0, [lambda x: x, lambda x: x], 1.0, operand=2.0)
    _check(lax.switch(0, [lambda x: x, lambda x: x * 2], operand=2.0), np.float32, True, 2.0)


def test_scan_length_and_unroll_validation():
    with pytest.raises(ValueError, match="non-negative"):
        lax.scan(lambda c, x: (c, x), 0.0, jnp.arange(2.0), unroll=-1)
    with pytest.raises(jax.errors.ConcretizationTypeError, match="`length` argument must be a concrete"):
        jax.jit(lambda n: lax.scan(lambda c, x: (c, x), 0.0, None, length=n))(3)
    c, ys = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(5.0), unroll=True)
    _check(c, np.float32, False, 10.0)
    _check(ys, np.float32, True, [0.0, 0.0, 1.0, 3.0, 6.0])


def test_fori_loop_errors_name_fori_loop():
    # fori_loop lowers to scan (static bounds) or while_loop (traced ones); errors name what the user called
    with pytest.raises(TypeError, match=r"lax.fori_loop: body_fun must return a carry with the same pytree"):
        lax.fori_loop(0, 3, lambda i, c: c + [i], [0])
    with pytest.raises(TypeError, match=r"lax.fori_loop: body_fun must return a carry of the same shapes"):
        jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + 0.5, jnp.int32(0)))(3)


# ---------------------------------------------- collectives inside control flow under vmap

def test_collectives_inside_control_flow_bodies_under_named_vmap():
    # The bodies used to be batched under an unnamed vmap: "unbound axis name: 'b'".
    x = jnp.arange(6.0).reshape(2, 3)
    out = jax.vmap(lambda x: lax.scan(lambda c, xi: (c + lax.psum(xi, "b"), c), 0.0, x)[0], axis_name="b")(x)
    _check(out, np.float32, False, [15.0, 15.0])
    out = jax.vmap(lambda x: lax.cond(x > 1, lambda: lax.psum(x, "b"), lambda: lax.pmean(x, "b")),
                   axis_name="b")(jnp.arange(4.0))
    _check(out, np.float32, False, [1.5, 1.5, 6.0, 6.0])
    out = jax.vmap(lambda x: lax.while_loop(lambda c: c < 10, lambda c: c + lax.psum(1.0, "b"), x),
                   axis_name="b")(jnp.arange(3.0))
    _check(out, np.float32, False, [12.0, 10.0, 11.0])
    c, ys = jax.vmap(lambda x: lax.scan(lambda c, _: (c + lax.axis_index("b"), c), x, None, length=2),
                     axis_name="b")(jnp.arange(3))
    _check(c, np.int32, False, [0, 3, 6])
    _check(ys, np.int32, False, [[0, 0], [1, 2], [2, 4]])
    out = jax.vmap(jax.jit(lambda x: lax.psum(x, "b") * x), axis_name="b")(jnp.arange(3.0))
    _check(out, np.float32, False, [0.0, 3.0, 6.0])


def test_collectives_in_scan_nested_named_vmaps_and_grad():
    def f(x):
        return lax.scan(lambda c, xi: (c + lax.psum(xi, "i") * 10 + lax.psum(xi, "j"), c), 0.0, x)[0]

    out = jax.vmap(jax.vmap(f, axis_name="j"), axis_name="i")(jnp.arange(12.0).reshape(2, 2, 3))
    _check(out, np.float32, False, [[255.0, 435.0], [291.0, 471.0]])

    def loss(w):
        g = lambda x: lax.scan(lambda c, xi: (c + lax.psum(xi * w, "b") ** 2, c), 0.0, x)[0]  # noqa: E731
        return jax.vmap(g, axis_name="b")(jnp.arange(6.0).reshape(2, 3)).sum()

    _check(jax.grad(loss)(0.5), np.float32, True, 166.0)


# ------------------------------------------------------------------- collectives (vs JAX)

def _named(f, x, name="i"):
    return jax.vmap(f, axis_name=name)(x)


def test_psum_pmean_dtypes_match_jax():
    a3 = jnp.arange(3)
    _check(_named(lambda v: lax.psum(True, "i"), a3), np.int32, False, [3, 3, 3])
    _check(_named(lambda v: lax.psum(v > 0, "i"), a3), np.int32, False, [2, 2, 2])
    _check(_named(lambda v: lax.psum(1.0, "i"), a3), np.float32, True, [3.0, 3.0, 3.0])
    _check(_named(lambda v: lax.psum(1, "i"), a3), np.int32, True, [3, 3, 3])
    _check(_named(lambda v: lax.psum(jnp.int8(1), "i"), a3), np.int8, False, [3, 3, 3])
    _check(_named(lambda v: lax.pmean(v, "i"), a3), np.float32, False, [1.0, 1.0, 1.0])
    _check(_named(lambda v: lax.pmean(1, "i"), a3), np.float32, True, [1.0, 1.0, 1.0])
    _check(_named(lambda v: lax.pmean(v > 0, "i"), a3), np.float32, False, [2 / 3] * 3)
    _check(_named(lambda v: lax.pmean(v.astype("float16"), "i"), a3), np.float16, False, [1.0, 1.0, 1.0])


def test_collectives_over_a_tuple_of_axis_names():
    x = jnp.arange(6.0).reshape(2, 3)

    def both(f):
        return jax.vmap(jax.vmap(f, axis_name="j"), axis_name="i")(x)

    _check(both(lambda v: lax.psum(v, ("i", "j"))), np.float32, False, np.full((2, 3), 15.0))
    _check(both(lambda v: lax.pmean(v, ("i", "j"))), np.float32, False, np.full((2, 3), 2.5))
    _check(both(lambda v: lax.pmax(v, ("j", "i"))), np.float32, False, np.full((2, 3), 5.0))
    _check(both(lambda v: lax.psum(v, ("i",))), np.float32, False, [[3.0, 5.0, 7.0], [3.0, 5.0, 7.0]])
    _check(both(lambda v: lax.psum(2.0, ("i", "j"))), np.float32, True, np.full((2, 3), 12.0))


def test_collectives_without_operands_inside_jit_under_vmap():
    # jit's constant folding used to evaluate axis_index / psum(1, ...) while compiling
    out = jax.vmap(jax.jit(lambda v: v * lax.axis_index("i")), axis_name="i")(jnp.ones(3))
    _check(out, np.float32, False, [0.0, 1.0, 2.0])
    out = jax.vmap(jax.jit(lambda v: v * lax.psum(1, "i")), axis_name="i")(jnp.ones(3))
    _check(out, np.float32, False, [3.0, 3.0, 3.0])


def test_all_gather_tiled():
    x = jnp.arange(6.0).reshape(3, 2)
    _check(_named(lambda v: lax.all_gather(v, "i", tiled=True), x), np.float32, False, np.tile(np.arange(6.0), (3, 1)))
    out = _named(lambda v: lax.all_gather(v, "i", axis=1, tiled=True), jnp.arange(12.0).reshape(3, 2, 2))
    ref = np.broadcast_to(np.arange(12.0).reshape(3, 2, 2).transpose(1, 0, 2).reshape(2, 6), (3, 2, 6))
    _check(out, np.float32, False, ref)
    g = jax.grad(lambda x: _named(lambda v: (lax.all_gather(v, "i", tiled=True) ** 2).sum() * v[0], x).sum())(x)
    _check(g, np.float32, False, [[55.0, 12.0], [79.0, 36.0], [103.0, 60.0]])


# ------------------------------------------- batching reports exactly which outputs vary

def _nested_scans(x):
    def outer(c, _):
        inner = lax.scan(lambda d, y: (d * x + y, d), c, jnp.arange(2.0))[0]
        return inner, inner

    return lax.scan(outer, 1.0, None, length=2)[1].sum()


def test_hessian_of_nested_scans():
    # jacfwd vmaps the JVP of grad: the outer scan's primal carries used to be marked
    # batched because an inner scan had a batched input ("out_axes is None for an output
    # that depends on the mapped inputs").
    _check(jax.grad(_nested_scans)(0.5), np.float32, True, 2.5)
    _check(jax.hessian(_nested_scans)(0.5), np.float32, True, 7.0)
    _check(jax.jacfwd(jax.jit(jax.grad(_nested_scans)))(0.5), np.float32, True, 7.0)


def test_vmap_scan_carry_batched_only_where_it_varies():
    # only the second carry depends on the mapped input; the first stays unbatched
    def f(a):
        (i, s), _ = lax.scan(lambda c, x: ((c[0] + 1, c[1] + a * x), None), (0, 0.0), jnp.arange(3.0))
        return i, s

    i, s = jax.vmap(f, out_axes=(None, 0))(jnp.array([1.0, 2.0]))
    _check(i, np.int32, True, 3)
    _check(s, np.float32, False, [3.0, 6.0])


def test_stop_gradient_passes_integer_leaves_through():
    out = lax.stop_gradient({"a": 1, "b": jnp.arange(2), "c": 2.0})
    assert type(out["a"]) is int and out["a"] == 1
    _check(out["b"], np.int32, False, [0, 1])
    _check(out["c"], np.float32, True, 2.0)
    _check(jax.grad(lambda x: lax.stop_gradient(x) * x)(2.0), np.float32, True, 2.0)


def test_numpy_scalar_operands_are_strongly_typed():
    # np.float64 subclasses float; it was taken for a weakly typed Python scalar
    _check(lax.cond(True, lambda x: x * 2, lambda x: x, np.float64(3)), np.float32, False, 6.0)
    c, _ = lax.scan(lambda c, x: (c + x, c), np.float64(0), jnp.arange(3.0))
    _check(c, np.float32, False, 3.0)
    _check(jnp.asarray(np.float64(3)) + 1.0, np.float32, False, 4.0)


def test_control_flow_under_disable_jit_runs_python():
    # As JAX: concrete predicates call the branch, scan/fori/while are Python loops.
    with jax.disable_jit():
        out = lax.cond(True, lambda: 1.0, lambda: 2.0)
        assert type(out) is float and out == 1.0
        out = lax.switch(1, [lambda: 1, lambda: 2.0])  # no branch type check either
        assert type(out) is float and out == 2.0
        c, ys = lax.scan(lambda c, x: (c + x, c * 2), 0.0, jnp.arange(3.0))
        _check(c, np.float32, False, 3.0)
        _check(ys, np.float32, False, [0.0, 0.0, 2.0])
        c, ys = lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3), reverse=True)
        _check(ys, np.int32, False, [3, 2, 0])
        out = lax.fori_loop(0, 3, lambda i, c: c + i, 0)
        assert type(out) is int and out == 3
        _check(lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0), np.int32, True, 3)
        with pytest.raises(ValueError, match="zero-length scan"):
            lax.scan(lambda c, x: (c, x), 0.0, jnp.zeros((0,)))
        # a batched predicate still works (the primitive path)
        out = jax.vmap(lambda p: lax.cond(p, lambda: 1.0, lambda: 2.0))(jnp.array([True, False]))
        _check(out, np.float32, True, [1.0, 2.0])
