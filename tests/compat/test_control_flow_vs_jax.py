"""Control flow under transformations, nablax against live JAX (skipped without JAX).

Each case is a function of a namespace `L` (`L.jax`, `L.jnp`, `L.lax`) run once with JAX
and once with nablax; outputs are compared leaf by leaf (pytree structure, leaf kind,
dtype, shape, weak type, values). Error cases compare the builtin exception class.
"""
import types

import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nlax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402
from tests.test_issue9_transforms import switch_issue_program  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax)

CASES: dict = {}
ERRORS: dict = {}


def case(fn=None, *, rtol=2e-5, atol=2e-6):
    def register(f):
        CASES[f.__name__] = (f, rtol, atol)
        return f

    return register(fn) if fn is not None else register


def error_case(expected):
    def register(f):
        ERRORS[f.__name__] = (f, expected)
        return f

    return register


# ======================================================= 1. jacfwd of jit, unused argument

@case
def jacfwd_jit_unused_argument(L):
    return L.jax.jacfwd(L.jax.jit(lambda x, y: x * 2.0), argnums=1)(L.jnp.ones(3), L.jnp.ones(2))


@case
def jacfwd_jit_cond_scan_while_unused_argument(L):
    x, y = L.jnp.ones(3), L.jnp.ones(2)
    f1 = L.jax.jit(lambda x, y: L.lax.cond(x[0] > 0, lambda: x * 2, lambda: x * 3))
    f2 = L.jax.jit(lambda x, y: L.lax.scan(lambda c, _: (c * 2, c), x, None, length=2))
    f3 = L.jax.jit(lambda x, y: L.lax.while_loop(lambda c: c[0] < 4, lambda c: c * 2, x))
    return [L.jax.jacfwd(f, argnums=1)(x, y) for f in (f1, f2, f3)]


@case
def hessian_jit_unused_argument(L):
    return L.jax.hessian(L.jax.jit(lambda x, y: (x ** 3).sum()), argnums=1)(L.jnp.ones(3), L.jnp.ones(2))


@case
def vmap_jit_out_axes_none(L):
    f = L.jax.jit(lambda x, y: (x * 2, y))
    return L.jax.vmap(f, in_axes=(None, 0), out_axes=(None, 0))(L.jnp.ones(3), L.jnp.ones(2))


# ==================================================== 2. Array methods in staged bodies

def _methods(x):
    return [x.var(), x.std(), x.mean(), x.sum(axis=0), x.prod(), x.max(), x.min(axis=1), x.argmax(),
            x.cumsum(axis=1), x.ptp(), x.T, x.reshape(3, 2), x.ravel(), x.swapaxes(0, 1), x.clip(-1.0, 1.0),
            x.round(), x.astype("int32"), x.conj(), x.real, x.sort(axis=1), x.argsort(axis=1), x.repeat(2, axis=0),
            x.diagonal(), x.trace(), x.all(), x.any(), x.var(axis=1, ddof=1), x.at[0, 1].set(9.0)]


_XV = [[3.0, -1.0, 2.0], [0.5, 4.0, -2.0]]


@case
def array_methods_in_cond(L):
    x = L.jnp.array(_XV)
    return L.lax.cond(True, _methods, lambda x: [L.jnp.zeros_like(v) for v in _methods(x)], x)


@case
def array_methods_in_jit_cond(L):
    x = L.jnp.array(_XV)
    return L.jax.jit(lambda p, x: L.lax.cond(p, _methods, lambda x: [L.jnp.zeros_like(v) for v in _methods(x)], x))(
        True, x)


@case
def array_methods_in_scan(L):
    return L.lax.scan(lambda c, x: (c, _methods(x)), 0.0, L.jnp.array([_XV]))[1]


@case
def array_methods_in_jit(L):
    return L.jax.jit(_methods)(L.jnp.array(_XV))


# =============================================== 3. gradients through a per-example switch

@case(rtol=1e-5)
def grad_vmap_vjp_switch_issue_program(L):
    return switch_issue_program(L.jax, L.jnp, L.lax)


@case
def grad_vmap_vjp_switch_shared_residual(L):
    jnp, lax, jax_ = L.jnp, L.lax, L.jax

    def inner(i, v):
        out, pull = jax_.vjp(lambda u: lax.switch(i, [jnp.log, lambda u: (u - 1.0) * (u - 1.0)], u), v)
        return pull(jnp.ones_like(out))[0]

    def loss(v):
        return jnp.arctan2(0.5, jax_.vmap(inner, in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    return jax_.grad(loss)(jnp.array([1.0, 2.0]))


@case
def grad_vmap_jvp_switch(L):
    jnp, lax, jax_ = L.jnp, L.lax, L.jax

    def tangent(i, v):
        return jax_.jvp(lambda u: lax.switch(i, [jnp.log, lambda u: (u - 1.0) * (u - 1.0)], u), (v,),
                        (jnp.ones_like(v),))[1]

    def loss(v):
        return jnp.arctan2(0.5, jax_.vmap(tangent, in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    return jax_.grad(loss)(jnp.array([1.0, 2.0]))


@case
def grad_vmap_unselected_branch_inf(L):
    jnp, lax = L.jnp, L.lax
    f = lambda p, x: lax.cond(p, jnp.sqrt, lambda x: x * 2, x)  # noqa: E731
    h = lambda i, x: lax.switch(i, [jnp.log, lambda x: x * 2, lambda x: 1 / x], x)  # noqa: E731
    return (L.jax.grad(lambda x: L.jax.vmap(f)(jnp.array([False, True]), x).sum())(jnp.array([0.0, 4.0])),
            L.jax.grad(lambda x: L.jax.vmap(h)(jnp.array([1, 1, 0]), x).sum())(jnp.array([0.0, 0.0, 2.0])),
            L.jax.jacfwd(lambda x: L.jax.vmap(f)(jnp.array([False, True]), x))(jnp.array([0.0, 4.0])))


@case
def grad_vmap_jit_vjp_switch_shared_residual(L):
    jnp, lax, jax_ = L.jnp, L.lax, L.jax

    def inner(i, v):
        out, pull = jax_.vjp(lambda u: lax.switch(i, [lambda u: jnp.log(u * 1.5), lambda u: (u - 1.0) * (u - 1.0)], u), v)
        return pull(jnp.ones_like(out))[0]

    def loss(v):
        return jnp.arctan2(0.5, jax_.vmap(jax_.jit(inner), in_axes=(0, None))(jnp.array([0, 1]), v)).sum()

    return jax_.grad(loss)(jnp.array([1.0, 2.0])), jax_.jit(jax_.grad(loss))(jnp.array([1.0, 2.0]))


@case
def grad_vmap_cond_inf_in_selected_lane(L):
    jnp, lax = L.jnp, L.lax

    def loss(v):
        f = lambda p, v: lax.cond(p, jnp.sqrt, lambda v: v * 2, v)  # noqa: E731
        return L.jax.vmap(f, in_axes=(0, None))(jnp.array([False, True]), v).sum()

    return L.jax.grad(loss)(jnp.array([0.0, 2.0]))


# ============================================================ 4. weak types

@case
def scan_weak_types(L):
    jnp, lax = L.jnp, L.lax
    return [
        lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3)),
        lax.scan(lambda c, x: (c + 1, c + 1), 0, None, length=3),
        lax.scan(lambda c, x: (c + x, c * 2), 0.0, jnp.arange(3.0)),
        lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3.0)),
        lax.scan(lambda c, x: (c + 1, x), jnp.int32(0), jnp.arange(3)),
        lax.scan(lambda c, x: (1.0, c), jnp.float32(0), None, length=2),
        lax.scan(lambda c, x: (c + 0.5, c), 0, None, length=2),
        lax.scan(lambda c, x: (c + x, c), jnp.asarray(0), jnp.arange(3)),
        L.jax.jit(lambda xs: lax.scan(lambda c, x: (c + x, c), 0, xs))(jnp.arange(3)),
        lax.map(lambda x: 1.0, jnp.arange(2.0)),
    ]


@case
def scan_forwarded_carry(L):
    jnp, lax = L.jnp, L.lax
    return [
        lax.scan(lambda c, x: (c, 1.0), 0.0, None, length=2),
        lax.scan(lambda c, x: (c, x), 0, jnp.asarray([1, 2])),
        lax.scan(lambda c, x: ((c[0], c[1] + 1), x), (1.0, 2.0), jnp.arange(2)),
        lax.fori_loop(0, 3, lambda i, c: c, 1.0),
        lax.fori_loop(0, 3, lambda i, c: (c[0], c[1] + 1), (1.0, 2)),
        lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1]), (0, 2.0)),
        lax.while_loop(lambda c: c[0] < c[1], lambda c: (c[0] + 1, c[1]), (0, 2.0)),
    ]


@case
def while_fori_weak_types(L):
    jnp, lax = L.jnp, L.lax
    return [
        lax.while_loop(lambda c: False, lambda c: 1.0, jnp.float32(0)),
        lax.while_loop(lambda c: c < 2, lambda c: c + jnp.float32(1), 0.0),
        lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0),
        lax.while_loop(lambda c: c < 3, lambda c: c + jnp.int32(1), 0),
        lax.fori_loop(0, 3, lambda i, c: c + jnp.int32(i), 0),
        lax.fori_loop(0, 2, lambda i, c: c + jnp.float32(1), 0.0),
        L.jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, 0))(3),
        L.jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + 1.0, 0.0))(3),
        L.jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + jnp.float32(1), 0.0))(2),
    ]


@case
def cond_switch_weak_types(L):
    jnp, lax = L.jnp, L.lax
    return [
        lax.cond(True, lambda: 1.0, lambda: jnp.float32(2.0)),
        lax.cond(True, lambda: jnp.float32(1.0), lambda: 2.0),
        lax.cond(False, lambda: 1, lambda: jnp.int32(2)),
        lax.cond(False, lambda: 1.0, lambda: 2.0),
        lax.cond(False, lambda x: x, lambda x: x + 1, 2.0),
        lax.cond(True, lambda x: x, lambda x: x, 2.0),
        lax.cond(True, lambda x, y: (x, y + 1), lambda x, y: (x, y * jnp.float32(2)), 1.0, 2.0),
        lax.switch(1, [lambda: 1.0, lambda: jnp.float32(2.0), lambda: 3.0]),
        lax.switch(2, [lambda: 1.0, lambda: jnp.float32(2.0), lambda: jnp.float32(3.0)]),
        L.jax.jit(lambda p: lax.cond(p, lambda: 1.0, lambda: jnp.float32(2.0)))(True),
        L.jax.vmap(lambda p: lax.cond(p, lambda: jnp.float32(1.0), lambda: 2.0))(jnp.array([True, False])),
        L.jax.grad(lambda x: lax.cond(x > 0, lambda x: x * jnp.float32(2.0), lambda x: x * 2.0, x))(1.0),
    ]


@error_case(TypeError)
def err_cond_branch_dtypes_differ(L):
    L.lax.cond(False, lambda: 1, lambda: 2.0)


@error_case(TypeError)
def err_switch_branch_dtypes_differ(L):
    L.lax.switch(0, [lambda: 1.0, lambda: L.jnp.float16(2.0)])


@error_case(TypeError)
def err_scan_carry_dtype_changes(L):
    L.lax.scan(lambda c, x: (c.astype("float16"), c), L.jnp.float32(0), None, length=2)


@error_case(TypeError)
def err_while_carry_dtype_changes(L):
    L.lax.while_loop(lambda c: c["a"] < 1, lambda c: {"a": c["a"] + 1, "b": c["b"] * 1.5},
                     {"a": 0, "b": L.jnp.int32(1)})


# ============================================================ 5. API details

@case
def cond_float_predicate_and_old_convention(L):
    lax = L.lax
    return [
        lax.cond(L.jnp.float32(1.5), lambda: 1.0, lambda: 2.0),
        lax.cond(0.0, lambda: 1.0, lambda: 2.0),
        L.jax.vmap(lambda p: lax.cond(p, lambda: 1.0, lambda: 2.0))(L.jnp.array([0.0, 0.5])),
        lax.cond(True, 1.0, lambda x: x + 1, 2.0, lambda x: x * 10),
        lax.cond(False, 1.0, lambda x: x + 1, 2.0, lambda x: x * 10),
        lax.switch(0, [lambda x: x, lambda x: x * 2], operand=2.0),
        lax.switch(5, [lambda x: x * 2], 2.0),
        lax.switch(L.jnp.uint8(1), [lambda: 1.0, lambda: 2.0]),
        lax.scan(lambda c, x: (c + x, c), 0.0, L.jnp.arange(5.0), unroll=True),
        lax.scan(lambda c, x: (c + x, c), 0.0, L.jnp.arange(5.0), unroll=2),
    ]


@error_case(TypeError)
def err_cond_predicate_none(L):
    L.lax.cond(None, lambda: 1.0, lambda: 2.0)


@error_case(ValueError)
def err_switch_empty(L):
    L.lax.switch(0, [])


@error_case(TypeError)
def err_switch_operand_twice(L):
    L.lax.switch(0, [lambda x: x, lambda x: x], 1.0, operand=2.0)


@error_case(ValueError)
def err_scan_negative_unroll(L):
    L.lax.scan(lambda c, x: (c, x), 0.0, L.jnp.arange(2.0), unroll=-1)


@error_case(TypeError)  # ConcretizationTypeError in both
def err_scan_traced_length(L):
    L.jax.jit(lambda n: L.lax.scan(lambda c, x: (c, x), 0.0, None, length=n))(3)


# ======================================= 6. collectives inside control flow under vmap

def _named(L, f, x):
    return L.jax.vmap(f, axis_name="b")(x)


@case
def vmap_psum_in_scan(L):
    f = lambda x: L.lax.scan(lambda c, xi: (c + L.lax.psum(xi, "b"), c), 0.0, x)[0]  # noqa: E731
    return _named(L, f, L.jnp.arange(6.0).reshape(2, 3))


@case
def vmap_psum_pmean_in_cond(L):
    lax = L.lax
    f = lambda x: lax.cond(x > 1, lambda: lax.psum(x, "b"), lambda: lax.pmean(x, "b"))  # noqa: E731
    g = lambda x: lax.cond(True, lambda: lax.psum(x, "b"), lambda: lax.pmean(x, "b"))  # noqa: E731
    return _named(L, f, L.jnp.arange(4.0)), _named(L, g, L.jnp.arange(4.0))


@case
def vmap_psum_in_while(L):
    f = lambda x: L.lax.while_loop(lambda c: c < 10, lambda c: c + L.lax.psum(1.0, "b"), x)  # noqa: E731
    return _named(L, f, L.jnp.arange(3.0))


@case
def vmap_axis_index_in_cond_and_scan(L):
    lax = L.lax
    f = lambda x: lax.cond(lax.axis_index("b") > 0, lambda: x * 2, lambda: x)  # noqa: E731
    g = lambda x: lax.scan(lambda c, _: (c + lax.axis_index("b"), c), x, None, length=2)  # noqa: E731
    return _named(L, f, L.jnp.arange(3.0)), _named(L, g, L.jnp.arange(3))


@case
def vmap_jit_psum(L):
    return _named(L, L.jax.jit(lambda x: L.lax.psum(x, "b") * x), L.jnp.arange(3.0))


@case
def nested_named_vmaps_scan(L):
    def f(x):
        return L.lax.scan(lambda c, xi: (c + L.lax.psum(xi, "i") * 10 + L.lax.psum(xi, "j"), c), 0.0, x)[0]

    return L.jax.vmap(L.jax.vmap(f, axis_name="j"), axis_name="i")(L.jnp.arange(12.0).reshape(2, 2, 3))


@case
def grad_vmap_psum_in_scan(L):
    def loss(w):
        g = lambda x: L.lax.scan(lambda c, xi: (c + L.lax.psum(xi * w, "b") ** 2, c), 0.0, x)[0]  # noqa: E731
        return _named(L, g, L.jnp.arange(6.0).reshape(2, 3)).sum()

    return L.jax.grad(loss)(0.5)


@case
def vmap_all_gather_in_cond(L):
    lax = L.lax
    f = lambda x: lax.cond(x > 0, lambda: lax.all_gather(x, "b"), lambda: -lax.all_gather(x, "b"))  # noqa: E731
    return _named(L, f, L.jnp.arange(3.0))


# ================================================================ 7. collectives

def V(L, f, x):
    return L.jax.vmap(f, axis_name="i")(x)


def V2(L, f, x):
    return L.jax.vmap(L.jax.vmap(f, axis_name="j"), axis_name="i")(x)


@case
def pmean_dtypes(L):
    a3 = L.jnp.arange(3)
    return [V(L, lambda v: L.lax.pmean(v, "i"), a3), V(L, lambda v: L.lax.pmean(1, "i"), a3),
            V(L, lambda v: L.lax.pmean(v.astype("float16"), "i"), a3), V(L, lambda v: L.lax.pmean(2.0, "i"), a3),
            V(L, lambda v: L.lax.pmean(v > 0, "i"), a3)]

@case
def psum_dtypes(L):
    a3 = L.jnp.arange(3)
    return [V(L, lambda v: L.lax.psum(True, "i"), a3), V(L, lambda v: L.lax.psum(v > 0, "i"), a3),
            V(L, lambda v: L.lax.psum(1.0, "i"), a3), V(L, lambda v: L.lax.psum(1, "i"), a3),
            V(L, lambda v: L.lax.psum(L.jnp.int8(1), "i"), a3), V(L, lambda v: L.lax.psum(v.astype("int8"), "i"), a3),
            V(L, lambda v: L.lax.pmax(1.0, "i"), a3), V(L, lambda v: L.lax.pmin(v > 0, "i"), a3)]

@case
def tuple_names(L):
    x = L.jnp.arange(6.).reshape(2, 3)
    return [V2(L, lambda v: L.lax.psum(v, ("i", "j")), x), V2(L, lambda v: L.lax.pmean(v, ("i", "j")), x),
            V2(L, lambda v: L.lax.pmax(v, ("j", "i")), x), V2(L, lambda v: L.lax.psum(v, ("i",)), x),
            V2(L, lambda v: L.lax.psum(2.0, ("i", "j")), x)]

@case
def axis_index_jit(L): return L.jax.vmap(L.jax.jit(lambda v: v * L.lax.axis_index("i")), axis_name="i")(L.jnp.ones(3))

@case
def psum_const_jit(L): return L.jax.vmap(L.jax.jit(lambda v: v * L.lax.psum(1, "i")), axis_name="i")(L.jnp.ones(3))

@case
def all_gather_tiled(L):
    x = L.jnp.arange(6.).reshape(3, 2)
    return [V(L, lambda v: L.lax.all_gather(v, "i", tiled=True), x),
            V(L, lambda v: L.lax.all_gather(v, "i", axis=1, tiled=True), L.jnp.arange(12.).reshape(3, 2, 2)),
            L.jax.grad(lambda x: V(L, lambda v: (L.lax.all_gather(v, "i", tiled=True) ** 2).sum() * v[0], x).sum())(x)]


# ====================================== 8. batching: exactly the outputs that vary

@case
def hessian_nested_scans(L):
    lax, jnp = L.lax, L.jnp

    def f(x):
        def outer(c, _):
            inner = lax.scan(lambda d, y: (d * x + y, d), c, jnp.arange(2.0))[0]
            return inner, inner

        return lax.scan(outer, 1.0, None, length=2)[1].sum()

    return L.jax.grad(f)(0.5), L.jax.hessian(f)(0.5), L.jax.jacfwd(L.jax.jit(L.jax.grad(f)))(0.5)


@case
def vmap_scan_unbatched_carry_out_axes_none(L):
    def f(a):
        (i, s), _ = L.lax.scan(lambda c, x: ((c[0] + 1, c[1] + a * x), None), (0, 0.0), L.jnp.arange(3.0))
        return i, s

    return L.jax.vmap(f, out_axes=(None, 0))(L.jnp.array([1.0, 2.0]))


@case
def vmap_while_cond_unbatched_carries(L):
    def f(a):
        return L.lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * a, c[2] + 1.0), (0, 1.0, 0.0))

    return L.jax.vmap(f, out_axes=(None, 0, None))(L.jnp.array([2.0, 3.0]))


@case
def stop_gradient_leaves(L):
    # (JAX 0.10 hands Python scalars back as its TypedInt/TypedFloat: not compared here)
    return (L.lax.stop_gradient({"b": L.jnp.arange(2), "c": L.jnp.float32(2.0)}),
            L.jax.grad(lambda x: L.lax.stop_gradient(x) * x)(2.0))


# ================================================================ 9. disable_jit

def _no_jit(L, f):
    with L.jax.disable_jit():
        return f()


@case
def disable_jit_control_flow(L):
    lax, jnp = L.lax, L.jnp
    return [
        _no_jit(L, lambda: lax.cond(True, lambda: 1.0, lambda: 2.0)),
        _no_jit(L, lambda: lax.cond(jnp.bool_(False), lambda x: x * 2, lambda x: x + 1, jnp.float32(3))),
        _no_jit(L, lambda: lax.switch(1, [lambda: 1, lambda: 2.0])),
        _no_jit(L, lambda: lax.scan(lambda c, x: (c + x, c * 2), 0.0, jnp.arange(3.0))),
        _no_jit(L, lambda: lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3), reverse=True)),
        _no_jit(L, lambda: lax.fori_loop(0, 3, lambda i, c: c + i, 0)),
        _no_jit(L, lambda: lax.fori_loop(3, 0, lambda i, c: c + i, 0)),
        _no_jit(L, lambda: lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0)),
        _no_jit(L, lambda: L.jax.vmap(lambda p: lax.cond(p, lambda: 1.0, lambda: 2.0))(jnp.array([True, False]))),
    ]


@case
def map_with_batch_size(L):
    jax, jnp, lax = L.jax, L.jnp, L.lax
    xs = jnp.arange(14.0).reshape(7, 2)

    def f(x):
        return {"s": jnp.sin(x).sum(), "x2": x * 2}

    return [
        lax.map(f, xs, batch_size=3),  # two chunks of 3 and a remainder of 1
        lax.map(f, xs, batch_size=7),
        lax.map(f, xs, batch_size=10),  # larger than the mapped axis: all remainder
        jax.jit(lambda v: lax.map(f, v, batch_size=2))(xs),
        jax.grad(lambda v: lax.map(lambda x: jnp.tanh(x).sum(), v, batch_size=3).sum())(xs),
        jax.vmap(lambda v: lax.map(lambda x: x * x, v, batch_size=2))(xs.reshape(7, 2, 1)),
    ]


@case
def fori_loop_unroll_with_static_bounds(L):
    lax = L.lax
    return [lax.fori_loop(0, 5, lambda i, c: c * 2 + i, 1.0, unroll=2),
            lax.fori_loop(0, 5, lambda i, c: c * 2 + i, 1.0, unroll=True)]


@error_case(ValueError)
def err_fori_loop_unroll_with_traced_bounds(L):
    L.jax.jit(lambda n: L.lax.fori_loop(0, n, lambda i, c: c + i, 0.0, unroll=2))(3)


@error_case(ValueError)
def err_disable_jit_zero_length_scan(L):
    _no_jit(L, lambda: L.lax.scan(lambda c, x: (c, x), 0.0, L.jnp.zeros((0,))))


# ================================================================ the tests

@pytest.mark.parametrize("name", sorted(CASES))
def test_program_matches_jax(name):
    fn, rtol, atol = CASES[name]
    assert_same(fn(J), fn(N), rtol, atol)


def _raised(fn, L):
    try:
        fn(L)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e)
    return None


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_class_matches_jax(name):
    fn, expected = ERRORS[name]
    j_cls, n_cls = _raised(fn, J), _raised(fn, N)
    assert j_cls is not None and issubclass(j_cls, expected), f"JAX raised {j_cls}"
    assert n_cls is not None and issubclass(n_cls, expected), f"nablax raised {n_cls}, JAX {j_cls.__name__}"
