"""Differential tests: the same programs under nablax and real JAX must agree.

Each case is a function of a namespace `L` (`L.jax`, `L.jnp`, `L.lax`, `L.tu`) run once
with JAX and once with nablax. The outputs are compared leaf by leaf: pytree structure
(`str(treedef)`), leaf kind (array / Python scalar / None), dtype, shape, weak type and
values (float32 tolerances). Error cases compare the exception's class family.
"""
import collections
import re
import types

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402

import nablax  # noqa: E402
import nablax.lax as nlax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from tests.compat.same_as_jax import assert_same  # noqa: E402
from tests.test_issue9_custom import custom_power  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax, tu=jax.tree_util, name="jax")
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax, tu=nablax.tree_util, name="nablax")

Point = collections.namedtuple("Point", ["x", "y"])


class Pair:
    """A custom pytree node, registered (once) with each library by the case that uses it."""

    def __init__(self, a, b):
        self.a, self.b = a, b


_REGISTERED: dict = {"jax": False, "nablax": False}

CASES: dict = {}
XFAIL: dict = {}


def case(fn=None, *, rtol=2e-5, atol=2e-6, xfail=None):
    def register(f):
        CASES[f.__name__] = (f, rtol, atol)
        if xfail:
            XFAIL[f.__name__] = xfail
        return f

    return register(fn) if fn is not None else register


# ============================================================== scalar grad programs

def poly(L, x):
    return x**3 + 2 * x**2 - 3 * x + 1


@case
def grad_poly_python_float(L):
    return L.jax.grad(lambda x: poly(L, x))(1.5)


@case
def grad_poly_f32_array(L):
    return L.jax.grad(lambda x: poly(L, x))(L.jnp.float32(0.5))


@case
def grad_higher_order_poly(L):
    d = lambda x: poly(L, x)  # noqa: E731
    out = []
    for _ in range(4):
        d = L.jax.grad(d)
        out.append(d(1.25))
    return out


@case
def grad_transcendental_mix(L):
    jnp = L.jnp

    def f(x):
        return jnp.sin(x) * jnp.exp(-x) + jnp.log1p(x**2) - jnp.tanh(x) / (1 + jnp.cosh(x))

    return L.jax.grad(f)(0.7), L.jax.grad(L.jax.grad(f))(0.7)


@case
def grad_sqrt_pow_logistic(L):
    jnp = L.jnp
    f = lambda x: jnp.sqrt(x) + x**0.5 + x ** 2.5 + L.jax.nn.sigmoid(x) + jnp.arctan(x)  # noqa: E731
    return L.jax.grad(f)(jnp.float32(2.0))


@case
def grad_abs_max_where(L):
    jnp = L.jnp
    f = lambda x: jnp.abs(x).sum() + jnp.maximum(x, 0.5).sum() + jnp.where(x > 0, x**2, -x).sum()  # noqa: E731
    return L.jax.grad(f)(jnp.array([-1.5, 0.25, 2.0]))


@case
def grad_int_power_and_division(L):
    jnp = L.jnp
    f = lambda x, y: (x**3 / y + y**-2 * x).sum()  # noqa: E731
    return L.jax.grad(f, argnums=(0, 1))(jnp.array([1.0, 2.0]), 3.0)


@case
def grad_argnums_int_second(L):
    return L.jax.grad(lambda x, y, z: x * y**2 + z, argnums=1)(1.0, 2.0, 3.0)


@case
def grad_argnums_tuple(L):
    jnp = L.jnp
    return L.jax.grad(lambda x, y, z: jnp.sum(x * y) * z, argnums=(0, 2))(
        jnp.arange(3.0), jnp.ones(3), 2.0
    )


@case
def grad_argnums_negative(L):
    return L.jax.grad(lambda x, y: x * y**2, argnums=-1)(3.0, 2.0)


@case
def grad_argnums_singleton_tuple(L):
    return L.jax.grad(lambda x, y: x * y, argnums=(0,))(3.0, 2.0)


@case
def grad_kwargs_passthrough(L):
    return L.jax.grad(lambda x, scale=1.0: scale * x**2)(3.0, scale=2.0)


@case
def grad_has_aux(L):
    jnp = L.jnp

    def f(x):
        y = jnp.sum(x**2)
        return y, {"y": y, "n": 3, "x": x}

    return L.jax.grad(f, has_aux=True)(jnp.array([1.0, 2.0]))


@case
def value_and_grad_basic(L):
    jnp = L.jnp
    return L.jax.value_and_grad(lambda x: jnp.sum(jnp.sin(x)))(jnp.linspace(0.0, 1.0, 4))


@case
def value_and_grad_has_aux_argnums(L):
    jnp = L.jnp

    def f(a, b):
        return jnp.dot(a, b), (a + b, None)

    return L.jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(jnp.ones(3), jnp.arange(3.0))


@case
def grad_dict_input(L):
    jnp = L.jnp
    params = {"w": jnp.array([[1.0, 2.0], [3.0, 4.0]]), "b": jnp.array([0.5, -0.5])}
    x = jnp.array([1.0, -1.0])

    def loss(p):
        return jnp.sum(jnp.tanh(p["w"] @ x + p["b"]) ** 2)

    return L.jax.grad(loss)(params)


@case
def grad_nested_pytree_input(L):
    jnp = L.jnp
    tree = {"a": (jnp.float32(1.0), [jnp.array([2.0, 3.0])]), "b": Point(jnp.float32(4.0), None)}

    def f(t):
        return t["a"][0] * jnp.sum(t["a"][1][0] ** 2) + t["b"].x ** 3

    return L.jax.grad(f)(tree)


@case
def grad_namedtuple_input(L):
    return L.jax.grad(lambda p: p.x**2 * p.y)(Point(2.0, 3.0))


@case
def grad_tuple_input_python_scalars(L):
    return L.jax.grad(lambda t: t[0] * t[1] + t[2])((1.0, 2.0, 3.0))


@case
def grad_matrix_function(L):
    jnp = L.jnp
    A = jnp.array([[2.0, 1.0], [1.0, 3.0]])
    f = lambda X: jnp.trace(X @ A @ X.T) + jnp.sum(jnp.exp(X) * X)  # noqa: E731
    return L.jax.grad(f)(jnp.array([[0.1, 0.2], [0.3, 0.4]]))


@case
def grad_of_reductions_and_indexing(L):
    jnp = L.jnp

    def f(x):
        return jnp.max(x) + jnp.mean(x[1:]) + x[0, 1] * x[-1, 0] + jnp.prod(x[:, 0])

    return L.jax.grad(f)(jnp.array([[1.0, 5.0], [2.0, 3.0], [4.0, 0.5]]))


@case
def grad_logsumexp_softmax(L):
    jnp = L.jnp
    f = lambda x: L.jax.nn.logsumexp(x) + jnp.sum(L.jax.nn.softmax(x) * jnp.arange(3.0))  # noqa: E731
    return L.jax.grad(f)(jnp.array([0.1, -1.0, 2.0]))


@case
def grad_holomorphic(L):
    jnp = L.jnp
    f = lambda z: z**2 + jnp.sin(z) * z  # noqa: E731
    return L.jax.grad(f, holomorphic=True)(jnp.complex64(1.0 + 2.0j))


@case
def grad_holomorphic_python_complex(L):
    return L.jax.grad(lambda z: z**3, holomorphic=True)(1.0 + 1.0j)


@case
def grad_real_function_of_complex(L):
    jnp = L.jnp
    f = lambda z: jnp.abs(z) ** 2 + jnp.real(z * 3.0)  # noqa: E731
    return L.jax.grad(f)(jnp.complex64(1.0 + 2.0j))


@case
def grad_real_function_of_complex_vector(L):
    jnp = L.jnp
    f = lambda z: jnp.sum(jnp.real(z) ** 2 - jnp.imag(z) * jnp.real(z))  # noqa: E731
    return L.jax.grad(f)(jnp.array([1.0 + 2.0j, -0.5 + 0.25j], dtype=jnp.complex64))


@case
def grad_allow_int_float0(L):
    jnp = L.jnp
    return L.jax.grad(lambda x, n: x * n, argnums=(0, 1), allow_int=True)(jnp.float32(2.0), 3)


@case
def grad_allow_int_int_array(L):
    jnp = L.jnp
    return L.jax.grad(lambda n: jnp.float32(1.0) * jnp.sum(n), allow_int=True)(jnp.arange(3))


@case
def grad_stop_gradient(L):
    jnp = L.jnp
    f = lambda x: jnp.sum(x * L.lax.stop_gradient(x) ** 2) + L.lax.stop_gradient(jnp.sum(x))  # noqa: E731
    return L.jax.grad(f)(jnp.array([1.0, 2.0]))


@case
def grad_unused_input_zero(L):
    return L.jax.grad(lambda x, y: 2.0 * x, argnums=(0, 1))(1.0, L.jnp.ones(2))


@case
def grad_constant_output(L):
    return L.jax.grad(lambda x: 3.0)(1.0)


@case
def grad_float16_input(L):
    jnp = L.jnp
    return L.jax.grad(lambda x: jnp.sum(x * x))(jnp.array([1.0, 2.0], dtype=jnp.float16))


# ======================================================== jvp / vjp / linearize


@case
def jvp_scalar(L):
    return L.jax.jvp(L.jnp.sin, (0.5,), (1.0,))


@case
def jvp_pytree(L):
    jnp = L.jnp

    def f(p):
        return {"out": p["a"] * jnp.cos(p["b"]), "pair": (p["a"].sum(), p["b"] ** 2)}

    primals = ({"a": jnp.array([1.0, 2.0]), "b": jnp.array([0.5, -0.5])},)
    tangents = ({"a": jnp.array([1.0, 0.0]), "b": jnp.array([0.0, 1.0])},)
    return L.jax.jvp(f, primals, tangents)


@case
def jvp_has_aux(L):
    jnp = L.jnp
    return L.jax.jvp(lambda x: (jnp.exp(x), x * 2), (jnp.ones(2),), (jnp.arange(2.0),), has_aux=True)


@case
def jvp_int_input_float0_tangent(L):
    jnp = L.jnp
    t0 = np.zeros((), dtype=jax.dtypes.float0)
    return L.jax.jvp(lambda x, n: x * n, (jnp.float32(2.0), 3), (jnp.float32(1.0), t0))


@case
def vjp_pytree(L):
    jnp = L.jnp

    def f(x, y):
        return {"s": jnp.sum(x * y), "v": x - y}

    out, pull = L.jax.vjp(f, jnp.array([1.0, 2.0]), jnp.array([3.0, 5.0]))
    return out, pull({"s": jnp.float32(2.0), "v": jnp.array([1.0, -1.0])})


@case
def vjp_has_aux(L):
    jnp = L.jnp
    out, pull, aux = L.jax.vjp(lambda x: (jnp.sin(x), {"c": jnp.cos(x)}), jnp.arange(3.0), has_aux=True)
    return out, pull(jnp.ones(3)), aux


@case
def vjp_python_scalar_primal(L):
    out, pull = L.jax.vjp(lambda x: x * 3.0, 2.0)
    return out, pull(1.0)


@case
def linearize_pytree(L):
    jnp = L.jnp
    out, f_jvp = L.jax.linearize(lambda x, y: (x * y, jnp.sin(x)), jnp.array([1.0, 2.0]), 3.0)
    return out, f_jvp(jnp.array([1.0, 1.0]), 0.5), f_jvp(jnp.zeros(2), 1.0)


@case
def linear_transpose_basic(L):
    jnp = L.jnp
    f_t = L.jax.linear_transpose(lambda x: (2.0 * x, jnp.sum(x)), jnp.ones(3))
    return f_t((jnp.arange(3.0), jnp.float32(1.0)))


# ============================================================ jacobians


@case
def jacfwd_vector(L):
    jnp = L.jnp
    return L.jax.jacfwd(lambda x: jnp.sin(x) * x[0])(jnp.array([1.0, 2.0, 3.0]))


@case
def jacrev_vector(L):
    jnp = L.jnp
    return L.jax.jacrev(lambda x: jnp.outer(x, x))(jnp.array([1.0, 2.0]))


@case
def jacrev_dict_to_tuple(L):
    jnp = L.jnp

    def f(d):
        return d["a"] * 2.0, jnp.sum(d["b"] ** 2)

    return L.jax.jacrev(f)({"a": jnp.ones(2), "b": jnp.arange(3.0)})


@case
def jacfwd_tuple_argnums(L):
    jnp = L.jnp
    return L.jax.jacfwd(lambda x, y: x * y, argnums=(0, 1))(jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0]))


@case
def jacrev_scalar_in_scalar_out(L):
    return L.jax.jacrev(lambda x: x**3)(2.0), L.jax.jacfwd(lambda x: x**3)(2.0)


@case
def jacrev_has_aux(L):
    jnp = L.jnp
    return L.jax.jacrev(lambda x: (x**2, jnp.sum(x)), has_aux=True)(jnp.array([1.0, 2.0]))


@case
def jacfwd_has_aux(L):
    jnp = L.jnp
    return L.jax.jacfwd(lambda x: (x**2, {"s": jnp.sum(x)}), has_aux=True)(jnp.array([1.0, 2.0]))


@case
def hessian_vector(L):
    jnp = L.jnp
    return L.jax.hessian(lambda x: jnp.sum(x**3) + x[0] * x[1])(jnp.array([1.0, 2.0]))


@case
def hessian_dict_of_dicts(L):
    jnp = L.jnp

    def f(p):
        return jnp.sum(p["a"] ** 2 * p["b"]) + jnp.sum(jnp.sin(p["b"]))

    return L.jax.hessian(f)({"a": jnp.array([1.0, 2.0]), "b": jnp.array([0.5, 1.5])})


@case
def hessian_argnums_tuple(L):
    return L.jax.hessian(lambda x, y: x**2 * y**3, argnums=(0, 1))(1.5, 2.0)


@case
def jacobian_namedtuple_out(L):
    jnp = L.jnp
    return L.jax.jacfwd(lambda x: Point(x * 2, jnp.sum(x)))(jnp.ones(2)), L.jax.jacrev(
        lambda x: Point(x * 2, jnp.sum(x))
    )(jnp.ones(2))


@case
def jacrev_matrix_in_matrix_out(L):
    jnp = L.jnp
    return L.jax.jacrev(lambda X: X @ X)(jnp.array([[1.0, 2.0], [3.0, 4.0]]))


@case
def jacfwd_complex_holomorphic(L):
    jnp = L.jnp
    return L.jax.jacfwd(lambda z: z**2, holomorphic=True)(jnp.array([1.0 + 1.0j, 2.0], dtype=jnp.complex64))


# ================================================================ vmap


@case
def vmap_basic(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x: jnp.sum(x**2))(jnp.arange(6.0).reshape(3, 2))


@case
def vmap_in_axes_none(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x, y: x * y, in_axes=(0, None))(jnp.arange(3.0), jnp.array([1.0, 2.0]).sum())


@case
def vmap_in_axes_negative(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x: x * 2.0, in_axes=-1)(jnp.arange(6.0).reshape(2, 3))


@case
def vmap_out_axes_variants(L):
    jnp = L.jnp
    x = jnp.arange(6.0).reshape(3, 2)
    return (
        L.jax.vmap(lambda r: r * 2, out_axes=1)(x),
        L.jax.vmap(lambda r: r * 2, out_axes=-1)(x),
        L.jax.vmap(lambda r: (r, jnp.float32(1.0)), out_axes=(0, None))(x),
    )


@case
def vmap_pytree_in_axes_prefix(L):
    jnp = L.jnp
    params = {"w": jnp.ones((2, 3)), "b": jnp.arange(4.0).reshape(4, 1)[:, 0]}
    f = lambda p, x: jnp.dot(p["w"], x) + p["b"]  # noqa: E731
    return L.jax.vmap(f, in_axes=({"w": None, "b": 0}, 0))(params, jnp.arange(12.0).reshape(4, 3))


@case
def vmap_tuple_arg_prefix(L):
    jnp = L.jnp
    f = lambda t: t[0] + t[1]  # noqa: E731
    return L.jax.vmap(f, in_axes=((0, 1),))((jnp.arange(3.0), jnp.ones((2, 3))))


@case
def vmap_kwargs_batched_axis0(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x, y=None: x + y)(jnp.arange(3.0), y=jnp.ones(3))


@case
def vmap_list_in_axes(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x, y: x - y, in_axes=[1, 0])(jnp.ones((2, 3)), jnp.arange(3.0))


@case
def vmap_nested(L):
    jnp = L.jnp
    f = lambda a, b: jnp.dot(a, b)  # noqa: E731
    return L.jax.vmap(L.jax.vmap(f, in_axes=(None, 0)), in_axes=(0, None))(
        jnp.arange(6.0).reshape(2, 3), jnp.arange(12.0).reshape(4, 3)
    )


@case
def vmap_axis_size_no_batched_inputs(L):
    return L.jax.vmap(lambda: L.jnp.float32(1.0), axis_size=3)()


@case
def vmap_returns_dict_and_python_scalar(L):
    jnp = L.jnp
    return L.jax.vmap(lambda x: {"y": x**2, "c": 1.0})(jnp.arange(3.0))


@case
def vmap_weak_type_scalar_input(L):
    return L.jax.vmap(lambda x: x * 2)(L.jnp.arange(3))


@case
def vmap_of_grad(L):
    jnp = L.jnp
    return L.jax.vmap(L.jax.grad(lambda x: jnp.sin(x) * x))(jnp.linspace(0.0, 2.0, 5))


@case
def grad_of_vmap(L):
    jnp = L.jnp
    return L.jax.grad(lambda x: jnp.sum(L.jax.vmap(lambda r: jnp.dot(r, r))(x)))(jnp.arange(6.0).reshape(3, 2))


@case
def per_example_grads(L):
    jnp = L.jnp

    def loss(w, x, y):
        return (jnp.dot(w, x) - y) ** 2

    w = jnp.array([0.5, -0.5])
    xs = jnp.arange(6.0).reshape(3, 2)
    ys = jnp.array([1.0, 0.0, 2.0])
    return L.jax.vmap(L.jax.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)


@case
def vmap_of_jacrev_hessian(L):
    jnp = L.jnp
    f = lambda x: jnp.sum(jnp.sin(x) * x**2)  # noqa: E731
    return L.jax.vmap(L.jax.hessian(f))(jnp.arange(6.0).reshape(3, 2) / 3)


@case
def vmap_matmul_batch_both(L):
    jnp = L.jnp
    a = jnp.arange(24.0).reshape(2, 3, 4)
    b = jnp.arange(40.0).reshape(4, 5, 2)
    return L.jax.vmap(jnp.matmul, in_axes=(0, 2))(a, b)


# ================================================================ jit


@case
def jit_basic(L):
    jnp = L.jnp
    return L.jax.jit(lambda x, y: jnp.sin(x) * y + 1)(jnp.arange(3.0), 2.0)


@case
def jit_weak_scalar_input(L):
    return L.jax.jit(lambda x: x * 2)(3.0), L.jax.jit(lambda x: x + 1)(3)


def _applied_n_times(fn):
    """x -> fn(fn(...fn(x))), n times: a function whose trace depends on its static argument n."""

    def f(x, n):
        for _ in range(n):
            x = fn(x)
        return x

    return f


@case
def jit_static_argnums(L):
    jnp = L.jnp
    g = L.jax.jit(_applied_n_times(jnp.sin), static_argnums=1)
    return g(jnp.ones(2), 2), g(jnp.ones(2), 3)


@case
def jit_static_argnames(L):
    jnp = L.jnp

    def f(x, mode="sum"):
        return jnp.sum(x) if mode == "sum" else jnp.max(x)

    g = L.jax.jit(f, static_argnames="mode")
    return g(jnp.arange(4.0), mode="sum"), g(jnp.arange(4.0), mode="max")


@case
def jit_returns_python_scalars_none_tuple_dict(L):
    jnp = L.jnp
    f = lambda x: (1, 2.0, None, {"a": x, "b": (x * 2, True)}, jnp.int32(3))  # noqa: E731
    return L.jax.jit(f)(jnp.ones(2))


@case
def jit_returns_none(L):
    return L.jax.jit(lambda x: None)(1.0)


@case
def jit_pytree_args(L):
    jnp = L.jnp
    f = lambda p, q: {"s": p["a"] + q.x, "t": (p["b"] * q.y,)}  # noqa: E731
    return L.jax.jit(f)({"a": jnp.ones(2), "b": 3.0}, Point(jnp.arange(2.0), 2))


@case
def jit_of_grad(L):
    jnp = L.jnp
    return L.jax.jit(L.jax.grad(lambda x: jnp.sum(jnp.tanh(x) ** 2)))(jnp.array([0.5, -1.0]))


@case
def grad_of_jit(L):
    jnp = L.jnp
    return L.jax.grad(L.jax.jit(lambda x: jnp.sum(jnp.tanh(x) ** 2)))(jnp.array([0.5, -1.0]))


@case
def jit_of_vmap_and_vmap_of_jit(L):
    jnp = L.jnp
    f = lambda x: jnp.sum(x**2)  # noqa: E731
    x = jnp.arange(6.0).reshape(3, 2)
    return L.jax.jit(L.jax.vmap(f))(x), L.jax.vmap(L.jax.jit(f))(x)


@case
def jit_of_jacobians(L):
    jnp = L.jnp
    f = lambda x: jnp.sin(x) * x  # noqa: E731
    x = jnp.array([0.1, 0.2])
    return L.jax.jit(L.jax.jacfwd(f))(x), L.jax.jit(L.jax.jacrev(f))(x), L.jax.jit(L.jax.hessian(lambda x: f(x).sum()))(x)


@case
def jit_nested_jit(L):
    jnp = L.jnp
    inner = L.jax.jit(lambda x: jnp.cos(x) * 2)
    return L.jax.jit(lambda x: inner(x) + inner(x * 2))(jnp.arange(3.0))


@case
def jit_int_and_bool_outputs(L):
    jnp = L.jnp
    return L.jax.jit(lambda x: (x > 1, jnp.argmax(x), x.astype(jnp.int32)))(jnp.array([0.5, 2.5, 1.0]))


@case
def jit_value_and_grad_has_aux(L):
    jnp = L.jnp
    f = lambda x: (jnp.sum(x**2), x.shape[0])  # noqa: E731
    return L.jax.jit(L.jax.value_and_grad(f, has_aux=True))(jnp.arange(3.0))


# ============================================================== custom rules


def _make_custom_jvp(L):
    jnp = L.jnp

    @L.jax.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return jnp.sin(x), 2.0 * jnp.cos(x) * t

    return f


@case
def custom_jvp_grad_jvp_vmap_jit(L):
    jnp = L.jnp
    f = _make_custom_jvp(L)
    x = jnp.array([0.1, 0.5])
    return (
        f(x),
        L.jax.jvp(f, (x,), (jnp.ones(2),)),
        L.jax.grad(lambda x: f(x).sum())(x),
        L.jax.vmap(L.jax.grad(f))(x),
        L.jax.jit(L.jax.grad(lambda x: f(x).sum()))(x),
    )


@case
def custom_jvp_nondiff_argnums(L):
    app = custom_power(L, lambda p, n, x, t: (x**n, 10.0 * t))  # a rule unlike the derivative: it must be used
    return L.jax.grad(lambda x: app(3, x))(2.0), app(2, L.jnp.float32(3.0))


@case
def custom_jvp_defjvps(L):
    jnp = L.jnp
    f = L.jax.custom_jvp(lambda x, y: x * y)
    f.defjvps(lambda t, ans, x, y: 3.0 * t * y, lambda t, ans, x, y: x * t)
    return L.jax.grad(f, argnums=(0, 1))(jnp.float32(2.0), jnp.float32(5.0))


def _make_custom_vjp(L):
    jnp = L.jnp

    @L.jax.custom_vjp
    def clip_grad(x, lo):
        return x

    def fwd(x, lo):
        return x, lo

    def bwd(lo, g):
        return (jnp.clip(g, -lo, lo), None)

    clip_grad.defvjp(fwd, bwd)
    return clip_grad


@case
def custom_vjp_grad_vmap_jit(L):
    jnp = L.jnp
    f = _make_custom_vjp(L)
    loss = lambda x: jnp.sum(f(x, 0.5) * jnp.array([3.0, -0.1, 1.0]))  # noqa: E731
    x = jnp.array([1.0, 2.0, 3.0])
    return (
        L.jax.grad(loss)(x),
        L.jax.jit(L.jax.grad(loss))(x),
        L.jax.vmap(L.jax.grad(lambda x: f(x, 0.5) * 2.0))(x),
    )


@case
def custom_vjp_pytree_and_residuals(L):
    jnp = L.jnp

    @L.jax.custom_vjp
    def f(p):
        return p["a"] * jnp.exp(p["b"])

    def fwd(p):
        e = jnp.exp(p["b"])
        return p["a"] * e, (p["a"], e)

    def bwd(res, g):
        a, e = res
        return ({"a": g * e, "b": g * a * e * 2.0},)

    f.defvjp(fwd, bwd)
    return L.jax.grad(lambda p: jnp.sum(f(p)))({"a": jnp.array([1.0, 2.0]), "b": jnp.array([0.0, 1.0])})


@case
def custom_vjp_nondiff_argnums(L):
    from functools import partial

    @partial(L.jax.custom_vjp, nondiff_argnums=(1,))
    def scale(x, k):
        return x * k

    def fwd(x, k):
        return x * k, None

    def bwd(k, res, g):
        return (g * k * 100.0,)

    scale.defvjp(fwd, bwd)
    # (JAX returns the primal value of value_and_grad here as a Python float: not compared.)
    return L.jax.grad(lambda x: scale(x, 2.0))(3.0), L.jax.value_and_grad(lambda x: scale(x, 3))(1.0)[1]


@case
def checkpoint_grad(L):
    jnp = L.jnp

    def block(x):
        return jnp.sin(jnp.sin(x) * 2.0)

    f = lambda x: jnp.sum(L.jax.checkpoint(block)(x) ** 2)  # noqa: E731
    x = jnp.array([0.2, 0.4])
    return L.jax.grad(f)(x), L.jax.jit(L.jax.grad(f))(x), L.jax.vmap(L.jax.grad(lambda x: f(x[None])))(x)


@case
def checkpoint_static_argnums(L):
    g = L.jax.checkpoint(_applied_n_times(L.jnp.cos), static_argnums=(1,))
    return L.jax.grad(lambda x: g(x, 3))(0.3)


# =============================================================== control flow


@case
def cond_grad_vmap_jit(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        return lax.cond(x > 0, lambda x: jnp.sin(x) * x, lambda x: -(x**3), x)

    xs = jnp.array([-1.0, 0.5, 2.0])
    return (
        f(0.5),
        L.jax.grad(f)(0.5),
        L.jax.grad(f)(-0.5),
        L.jax.vmap(f)(xs),
        L.jax.vmap(L.jax.grad(f))(xs),
        L.jax.jit(f)(-2.0),
        L.jax.jit(L.jax.grad(f))(xs[1]),
    )


@case
def cond_operand_pytree(L):
    jnp, lax = L.jnp, L.lax
    f = lambda p, b: lax.cond(b, lambda p: {"a": p["a"] * 2, "b": p["b"]}, lambda p: p, p)  # noqa: E731
    p = {"a": jnp.ones(2), "b": jnp.int32(3)}
    return f(p, True), L.jax.jit(f)(p, False)


@case
def switch_grad_vmap(L):
    jnp, lax = L.jnp, L.lax
    branches = [lambda x: x**2, lambda x: jnp.sin(x), lambda x: 3.0 * x]
    f = lambda i, x: lax.switch(i, branches, x)  # noqa: E731
    return (
        f(1, 0.5),
        f(7, 0.5),
        L.jax.grad(f, argnums=1)(0, 1.5),
        L.jax.vmap(f)(jnp.array([0, 1, 2]), jnp.array([1.0, 2.0, 3.0])),
        L.jax.jit(L.jax.grad(f, argnums=1))(2, 1.0),
    )


@case
def scan_cumsum_grad_vmap_jit(L):
    jnp, lax = L.jnp, L.lax

    def f(xs):
        def body(c, x):
            c = c * 0.9 + jnp.sin(x)
            return c, c**2

        c, ys = lax.scan(body, 0.0, xs)
        return c + jnp.sum(ys)

    xs = jnp.linspace(0.0, 1.0, 5)
    return (
        f(xs),
        L.jax.grad(f)(xs),
        L.jax.vmap(f)(jnp.stack([xs, xs * 2])),
        L.jax.jit(L.jax.grad(f))(xs),
    )


@case
def scan_pytree_carry_and_reverse(L):
    jnp, lax = L.jnp, L.lax

    def body(carry, x):
        a, b = carry["a"], carry["b"]
        return {"a": a + x, "b": b * 2}, (a * x, None)

    init = {"a": jnp.float32(0.0), "b": jnp.ones(2)}
    xs = jnp.arange(4.0)
    return lax.scan(body, init, xs), lax.scan(body, init, xs, reverse=True)


@case
def scan_length_no_xs(L):
    jnp, lax = L.jnp, L.lax
    return lax.scan(lambda c, _: (c + 1, c * 2), jnp.int32(0), None, length=4)


@case
def fori_loop_grad_jit_vmap(L):
    jnp, lax = L.jnp, L.lax
    f = lambda x: lax.fori_loop(0, 4, lambda i, c: c * x + i, 1.0)  # noqa: E731
    return f(1.5), L.jax.grad(f)(1.5), L.jax.jit(f)(2.0), L.jax.vmap(f)(jnp.array([0.5, 1.0]))


@case
def fori_loop_int_carry(L):
    lax = L.lax
    return lax.fori_loop(0, 5, lambda i, c: c + i, 0), L.jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, 0))(5)


@case
def while_loop_jvp_vmap_jit(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        return lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * x), (0, 1.0))[1]

    return (
        f(1.1),
        L.jax.jvp(f, (1.1,), (1.0,)),
        L.jax.jit(f)(1.2),
        L.jax.vmap(f)(jnp.array([0.5, 2.0])),
        L.jax.jacfwd(f)(1.1),
    )


@case
def while_loop_batched_predicate(L):
    jnp, lax = L.jnp, L.lax
    f = lambda n: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 2.0), (0, 1.0))  # noqa: E731
    return L.jax.vmap(f)(jnp.array([1, 3, 0]))


@case
def select_and_clamp_grad(L):
    jnp, lax = L.jnp, L.lax
    f = lambda x: jnp.sum(lax.select(x > 0, x**2, x * 3) + lax.clamp(-0.5, x, 0.5))  # noqa: E731
    return L.jax.grad(f)(jnp.array([-1.0, 0.25, 2.0]))


# =============================================================== tree_util


@case
def tree_flatten_leaf_order_and_treedefs(L):
    tu = L.tu
    trees = [
        {"b": 1, "a": (2, 3), "c": [4, {"z": 5, "y": 6}]},
        (1, None, 2),
        None,
        [],
        (),
        {},
        Point(1, (2, 3)),
        [Point(None, 1), {"k": ()}],
        1.0,
    ]
    out = []
    for t in trees:
        leaves, tree = tu.tree_flatten(t)
        out.append((leaves, str(tree), tree.num_leaves, tree.num_nodes))
    return out


@case
def tree_map_multi_and_is_leaf(L):
    tu = L.tu
    a = {"x": (1, 2), "y": [3]}
    b = {"x": (10, 20), "y": [30]}
    return (
        tu.tree_map(lambda u, v: u + v, a, b),
        tu.tree_map(lambda t: len(t), a, is_leaf=lambda t: isinstance(t, tuple) or isinstance(t, list)),
        tu.tree_leaves({"a": None, "b": (None, 1)}),
        str(tu.tree_structure({"a": None, "b": (None, 1)})),
    )


@case
def tree_paths(L):
    tu = L.tu
    tree = {"w": [1, (2, 3)], "p": Point(4, 5)}
    return [(tu.keystr(p), v) for p, v in tu.tree_flatten_with_path(tree)[0]]


@case
def tree_transpose_and_unflatten(L):
    tu = L.tu
    outer = tu.tree_structure([0, 0, 0])
    inner = tu.tree_structure((0, 0))
    t = tu.tree_transpose(outer, inner, [(1, 2), (3, 4), (5, 6)])
    leaves, tree = tu.tree_flatten({"a": 1, "b": [2, 3]})
    return t, tu.tree_unflatten(tree, [x * 10 for x in leaves]), tu.tree_reduce(lambda a, b: a + b, [1, (2, 3)])


# ============================================================== make_jaxpr


def _jaxpr_summary(L, closed):
    text = str(closed)
    first = text.splitlines()[0] if "\n" in text else text.split(" let")[0] + " let"
    eqns = closed.jaxpr.eqns
    names = [getattr(e, "primitive", None) or e.prim for e in eqns]
    outs = [(v.aval.shape, str(v.aval.dtype), v.aval.weak_type) for v in closed.jaxpr.outvars]
    return first.strip(), [n.name for n in names], outs


@case
def make_jaxpr_sin_times_two(L):
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda x: L.jnp.sin(x) * 2.0)(L.jnp.ones(3)))


@case
def make_jaxpr_two_args(L):
    jnp = L.jnp
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda x, y: jnp.exp(x) + jnp.cos(y))(jnp.ones((2, 3)), jnp.ones((2, 3))))


@case
def make_jaxpr_weak_scalar(L):
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda x: x * x)(2.0))


@case
def make_jaxpr_int_input(L):
    jnp = L.jnp
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda n: jnp.negative(n))(jnp.arange(4)))


@case
def make_jaxpr_static_argnums(L):
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda x, n: L.jnp.sin(x) * n, static_argnums=1)(L.jnp.ones(2), 3.0))


@case
def make_jaxpr_pytree_input(L):
    jnp = L.jnp
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda d: jnp.tanh(d["a"]) - d["b"])({"a": jnp.ones(2), "b": jnp.ones(2)}))


@case
def make_jaxpr_reductions_and_dot(L):
    jnp = L.jnp
    return _jaxpr_summary(L, L.jax.make_jaxpr(lambda x, y: jnp.sum(x @ y) + jnp.max(y))(jnp.ones((2, 3)), jnp.ones(3)))


@case
def make_jaxpr_control_flow_and_nested_jit(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        y = lax.cond(x > 0, lambda v: -v, lambda v: v, x)
        z = lax.while_loop(lambda c: c < 3.0, lambda c: c + 1.0, y)
        return L.jax.jit(jnp.sin)(z)

    return _jaxpr_summary(L, L.jax.make_jaxpr(f)(1.0))


@case
def make_jaxpr_of_grad(L):
    return _jaxpr_summary(L, L.jax.make_jaxpr(L.jax.grad(lambda x: L.jnp.sin(x) * 2.0))(1.0))


@case
def make_jaxpr_eqn_params(L):
    closed = L.jax.make_jaxpr(lambda x: L.jnp.sum(x, axis=1))(L.jnp.ones((2, 3)))
    return [e.params["axes"] for e in closed.jaxpr.eqns], [str(v.aval.dtype) for v in closed.jaxpr.invars]


# ========================================================== more weak types / dtypes


@case
def jvp_weak_primal_strong_tangent(L):
    jnp = L.jnp
    return L.jax.jvp(lambda x: x**3, (2.0,), (jnp.float32(1.0),)), L.jax.jvp(lambda x: x**3, (jnp.float32(2.0),), (1.0,))


@case
def jacfwd_weak_scalar_inputs(L):
    jnp = L.jnp
    return (
        L.jax.jacfwd(lambda x: x**3)(2.0),
        L.jax.jacfwd(jnp.sin)(2.0),
        L.jax.jacfwd(lambda x: x * jnp.float32(2))(2.0),
        L.jax.jacfwd(lambda x, y: x * y, argnums=(0, 1))(2.0, jnp.float32(1)),
    )


@case
def grad_weak_seed_and_strong_constant(L):
    jnp = L.jnp
    return L.jax.grad(lambda x: x * jnp.float32(3))(2.0), L.jax.grad(lambda x: jnp.float32(3))(2.0)


@case
def jit_weak_outputs(L):
    jnp = L.jnp
    return (
        L.jax.jit(lambda x: x)(1.0),
        L.jax.jit(lambda: 1.0)(),
        L.jax.jit(lambda x: x + 1)(jnp.int32(1)),
        L.jax.jit(lambda x: x * 2.0)(jnp.arange(2)),
    )


@case
def vmap_unbatched_python_output(L):
    return L.jax.vmap(lambda x: 1.0)(L.jnp.arange(3.0)), L.jax.vmap(lambda x: (x, 2))(L.jnp.arange(2))


@case
def fori_loop_weak_index_keeps_carry_dtype(L):
    jnp, lax = L.jnp, L.lax
    return (
        lax.fori_loop(0, 3, lambda i, c: c + i, jnp.int16(0)),
        lax.fori_loop(0, 4, lambda i, c: c + i, 0),
        L.jax.jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, jnp.int16(1)))(4),
        lax.fori_loop(0, 3, lambda i, c: c * i, 1.5),
    )


@case
def eval_shape_structs(L):
    jnp = L.jnp
    out = L.jax.eval_shape(lambda x, y: {"a": x @ y, "b": (x.sum(), 2.0 * y)}, jnp.ones((2, 3)), jnp.ones(3))
    return L.tu.tree_map(lambda s: (s.shape, str(s.dtype), bool(s.weak_type)), out)


@case
def grad_where_nan_semantics(L):
    jnp = L.jnp
    f = lambda x: jnp.sum(jnp.where(x > 0, jnp.sqrt(x), 0.0))  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        return L.jax.grad(f)(jnp.array([-1.0, 0.0, 4.0]))


@case
def grad_norm_and_linalg_products(L):
    jnp = L.jnp
    f = lambda x, A: jnp.linalg.norm(A @ x) + jnp.vdot(x, x) + jnp.einsum("i,ij,j->", x, A, x)  # noqa: E731
    return L.jax.grad(f, argnums=(0, 1))(jnp.array([1.0, -2.0]), jnp.array([[1.0, 2.0], [0.5, -1.0]]))


@case
def hessian_tuple_argument(L):
    jnp = L.jnp
    return L.jax.hessian(lambda t: t[0] ** 2 * jnp.sum(t[1] ** 3))((1.5, jnp.array([1.0, 2.0])))


@case
def jacrev_dict_argnums_tuple(L):
    jnp = L.jnp

    def f(p, x):
        return {"y": p["w"] * x, "s": jnp.sum(p["w"])}

    return L.jax.jacrev(f, argnums=(0, 1))({"w": jnp.array([1.0, 2.0])}, jnp.array([3.0, 4.0]))


@case
def vmap_out_axes_pytree_prefix(L):
    jnp = L.jnp
    f = lambda x: {"a": x * 2, "b": (x, x.sum())}  # noqa: E731
    return L.jax.vmap(f, out_axes={"a": 1, "b": (-1, 0)})(jnp.ones((3, 2)))


@case
def vmap_namedtuple_in_axes(L):
    jnp = L.jnp
    f = lambda p: p.x * p.y  # noqa: E731
    return L.jax.vmap(f, in_axes=(Point(0, None),))(Point(jnp.arange(3.0), jnp.float32(2.0)))


@case
def vmap_cond_batched_predicate(L):
    jnp, lax = L.jnp, L.lax
    f = lambda x: lax.cond(x > 1.0, lambda v: v * 10.0, lambda v: -v, x)  # noqa: E731
    return L.jax.vmap(f)(jnp.array([0.5, 2.0, 3.0])), L.jax.vmap(L.jax.grad(f))(jnp.array([0.5, 2.0]))


@case
def vmap_scan_batched_xs_and_carry(L):
    jnp, lax = L.jnp, L.lax

    def f(c0, xs):
        return lax.scan(lambda c, x: (c * x, c + x), c0, xs)

    return L.jax.vmap(f, in_axes=(0, 1))(jnp.array([1.0, 2.0]), jnp.arange(6.0).reshape(3, 2))


@case
def scan_grad_pytree_xs(L):
    jnp, lax = L.jnp, L.lax

    def f(w, xs):
        def body(c, x):
            return c + jnp.sum(w * x["a"]) * x["b"], None

        return lax.scan(body, 0.0, xs)[0]

    xs = {"a": jnp.arange(6.0).reshape(3, 2), "b": jnp.array([1.0, -1.0, 0.5])}
    return L.jax.grad(f, argnums=(0, 1))(jnp.array([0.5, 2.0]), xs)


@case
def lax_map_and_associative_ops(L):
    jnp, lax = L.jnp, L.lax
    return lax.map(lambda x: x**2 + 1, jnp.arange(4.0)), L.jax.grad(lambda x: jnp.sum(lax.map(jnp.sin, x)))(jnp.ones(3))


@case
def custom_pytree_class_through_transforms(L):
    jnp = L.jnp
    if not _REGISTERED[L.name]:
        L.tu.register_pytree_node(Pair, lambda p: ((p.a, p.b), "pair"), lambda aux, ch: Pair(*ch))
        _REGISTERED[L.name] = True
    p = Pair(jnp.array([1.0, 2.0]), 3.0)
    g = L.jax.grad(lambda p: jnp.sum(p.a**2) * p.b)(p)
    v = L.jax.vmap(lambda p: p.a * p.b, in_axes=(Pair(0, None),))(p)
    j = L.jax.jit(lambda p: Pair(p.b, p.a))(p)
    return g, v, j, str(L.tu.tree_structure(p))


@case
def tree_util_misc(L):
    tu = L.tu
    t = {"a": [1, 2], "b": (3, Point(4, None))}
    leaves, tree = tu.tree_flatten(t)
    return (
        [str(c) for c in tu.treedef_children(tree)],
        tu.treedef_is_leaf(tu.tree_structure(1)),
        tu.tree_leaves(t, is_leaf=lambda x: isinstance(x, Point)) == [1, 2, 3, Point(4, None)],
        tu.tree_structure(t) == tu.tree_structure({"b": (0, Point(0, None)), "a": [0, 0]}),
        tu.tree_all([True, (True, 1)]),
        re.sub(r" at 0x[0-9a-f]+", "", str(tu.tree_structure(tu.Partial(lambda x, y: x + y, 1)))),
        tu.tree_map(lambda x: x * 2, tu.Partial(lambda x, y: x + y, 1))(3),
    )


@case
def custom_jvp_on_pytree_and_vmap_of_jvp(L):
    jnp = L.jnp

    @L.jax.custom_jvp
    def f(p):
        return jnp.sum(p["x"] ** 2) * p["s"]

    @f.defjvp
    def f_jvp(primals, tangents):
        (p,), (t,) = primals, tangents
        return f(p), jnp.sum(2 * p["x"] * t["x"]) * p["s"] + jnp.sum(p["x"] ** 2) * t["s"] * 7.0

    p = {"x": jnp.array([1.0, 2.0]), "s": jnp.float32(0.5)}
    return L.jax.grad(f)(p), L.jax.vmap(lambda s: f({"x": p["x"], "s": s}))(jnp.arange(3.0)), L.jax.hessian(f)(p)


@case
def custom_vjp_under_jvp_of_grad_free_path(L):
    jnp = L.jnp
    f = _make_custom_vjp(L)
    return L.jax.jit(lambda x: f(x, 1.0) * 2)(jnp.ones(2)), L.jax.vmap(lambda x: f(x, 0.1))(jnp.arange(3.0))


@case
def checkpoint_nested_with_scan(L):
    jnp, lax = L.jnp, L.lax

    @L.jax.checkpoint
    def step(c, x):
        return jnp.tanh(c * x + 0.5), c

    f = lambda xs: jnp.sum(lax.scan(step, 0.3, xs)[1])  # noqa: E731
    return L.jax.grad(f)(jnp.linspace(0.1, 1.0, 4)), L.jax.jit(L.jax.grad(f))(jnp.linspace(0.1, 1.0, 4))


@case
def stop_gradient_pytree_and_vmap(L):
    jnp, lax = L.jnp, L.lax
    f = lambda p: jnp.sum(lax.stop_gradient(p)["a"] * p["a"]) + jnp.sum(p["b"])  # noqa: E731
    p = {"a": jnp.array([1.0, 2.0]), "b": jnp.array([3.0])}
    return L.jax.grad(f)(p), L.jax.vmap(L.jax.grad(lambda x: lax.stop_gradient(x) * x))(jnp.arange(3.0))


@case
def linearize_then_vmap_and_jit(L):
    jnp = L.jnp
    _, f_jvp = L.jax.linearize(lambda x: jnp.sin(x) * x, jnp.array([0.5, 1.0]))
    return L.jax.vmap(f_jvp)(jnp.eye(2)), L.jax.jit(f_jvp)(jnp.ones(2))


@case
def vjp_of_vmap_and_jit_of_vjp(L):
    jnp = L.jnp
    f = L.jax.vmap(lambda x: jnp.sum(jnp.cos(x)))
    out, pull = L.jax.vjp(f, jnp.arange(6.0).reshape(3, 2))
    return out, pull(jnp.array([1.0, 2.0, 3.0])), L.jax.jit(lambda c: pull(c))(jnp.ones(3))


@case
def jit_kwargs_and_defaults(L):
    jnp = L.jnp
    f = L.jax.jit(lambda x, y=2.0, *, z: x * y + z)
    return f(jnp.ones(2), z=1.0), f(jnp.ones(2), y=jnp.float32(3.0), z=jnp.ones(2))


@case
def jit_static_argnums_negative_and_tuple(L):
    jnp = L.jnp
    f = L.jax.jit(lambda x, shape, k: jnp.zeros(shape) + x * k, static_argnums=(1, -1))
    return f(1.0, (2, 2), 3), f(jnp.float32(1.0), (1,), 2)


@case
def grad_allow_int_mixed_pytree(L):
    jnp = L.jnp
    f = lambda p: p["w"] * jnp.sum(p["n"]).astype(jnp.float32)  # noqa: E731
    return L.jax.grad(f, allow_int=True)({"w": jnp.float32(2.0), "n": jnp.arange(3), "b": True})


@case
def vjp_float0_cotangent_for_int_output(L):
    jnp = L.jnp
    out, pull = L.jax.vjp(lambda x: (x * 2.0, jnp.round(x).astype(jnp.int32)), jnp.array([1.2, 2.7]))
    return out, pull((jnp.ones(2), np.zeros((2,), dtype=jax.dtypes.float0)))


@case
def jvp_int_output_float0_tangent(L):
    jnp = L.jnp
    out, t = L.jax.jvp(lambda x: (x * 2.0, jnp.argmax(x)), (jnp.array([1.0, 3.0]),), (jnp.ones(2),))
    return out, t


@case
def linearize_float0_tangent(L):
    jnp = L.jnp
    _, f_jvp = L.jax.linearize(lambda x, n: x * n, jnp.float32(2.0), jnp.int32(3))
    return f_jvp(jnp.float32(1.0), np.zeros((), dtype=jax.dtypes.float0))


@case
def complex_jvp_vjp(L):
    jnp = L.jnp
    z = jnp.array([1.0 + 2.0j, -1.0j], dtype=jnp.complex64)
    f = lambda z: jnp.exp(z) * jnp.conj(z)  # noqa: E731
    out, pull = L.jax.vjp(f, z)
    return L.jax.jvp(f, (z,), (jnp.ones_like(z),)), pull(jnp.ones_like(z)), L.jax.jacrev(lambda z: jnp.abs(z) ** 2)(z)


@case
def grad_complex_mixed_argnums(L):
    jnp = L.jnp
    f = lambda x, z: jnp.real(z * x) ** 2  # noqa: E731
    return L.jax.grad(f, argnums=(0, 1))(jnp.float32(1.5), jnp.complex64(1.0 - 1.0j))


@case
def nested_vmap_in_axes_none_inner(L):
    jnp = L.jnp
    f = lambda a, b, c: a * b + c  # noqa: E731
    inner = L.jax.vmap(f, in_axes=(0, None, 0))
    return L.jax.vmap(inner, in_axes=(None, 0, 1))(jnp.arange(3.0), jnp.arange(2.0), jnp.ones((3, 2)))


@case
def vmap_axis_name_collectives(L):
    jnp, lax = L.jnp, L.lax
    f = lambda x: (x / lax.psum(x, "i"), lax.pmean(x, "i"), lax.pmax(x, "i"), lax.axis_index("i"))  # noqa: E731
    return L.jax.vmap(f, axis_name="i")(jnp.array([1.0, 2.0, 5.0]))


@case
def grad_through_jit_static_and_vmap(L):
    jnp = L.jnp
    g = L.jax.jit(L.jax.vmap(L.jax.grad(lambda x, k: jnp.sum(x**k)), in_axes=(0, None)), static_argnums=1)
    return g(jnp.arange(6.0).reshape(3, 2), 3)


@case
def jvp_of_grad_hvp(L):
    jnp = L.jnp
    f = lambda x: jnp.sum(jnp.tanh(x) ** 2 * x)  # noqa: E731
    x = jnp.array([0.1, 0.5, -0.3])
    return L.jax.jvp(L.jax.grad(f), (x,), (jnp.array([1.0, 0.0, 2.0]),))


@case
def switch_index_clamping_and_vmap_index(L):
    jnp, lax = L.jnp, L.lax
    br = [lambda x: x + 1.0, lambda x: x * 2.0]
    return lax.switch(-3, br, 1.0), L.jax.vmap(lambda i: lax.switch(i, br, 3.0))(jnp.array([-1, 0, 1, 5]))



@case()
def checkpoint_with_policy(L):
    jnp = L.jnp
    f = L.jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)), policy=lambda *args, **params: False)
    return L.jax.grad(f)(0.5)


@case()
def grad_through_linalg_solve(L):
    jnp = L.jnp
    A = jnp.array([[3.0, 1.0], [1.0, 2.0]])
    return L.jax.grad(lambda b: jnp.sum(jnp.linalg.solve(A, b)))(jnp.array([1.0, 2.0]))


# ================================================================ errors


def _error(fn):
    def run(L):
        try:
            fn(L)
        except Exception as e:  # noqa: BLE001
            return type(e)
        return None

    return run


ERROR_CASES = {}
ERROR_XFAIL = {}


def error_case(expected, xfail=None):
    def register(fn):
        ERROR_CASES[fn.__name__] = (fn, expected)
        if xfail:
            ERROR_XFAIL[fn.__name__] = xfail
        return fn

    return register


@error_case(TypeError)
def err_grad_non_scalar_output(L):
    L.jax.grad(lambda x: x * 2)(L.jnp.ones(3))


@error_case(TypeError)
def err_grad_int_input(L):
    L.jax.grad(lambda x: x * 2.0)(3)


@error_case(TypeError)
def err_grad_complex_output_not_holomorphic(L):
    L.jax.grad(lambda z: z**2)(L.jnp.complex64(1.0 + 1.0j))


@error_case(TypeError)
def err_grad_holomorphic_real_input(L):
    L.jax.grad(lambda z: z**2, holomorphic=True)(1.0)


@error_case(TypeError)
def err_grad_int_output(L):
    L.jax.grad(lambda x: L.jnp.int32(1))(1.0)


@error_case(ValueError)
def err_vmap_size_mismatch(L):
    L.jax.vmap(lambda a, b: a + b)(L.jnp.ones(3), L.jnp.ones(4))


@error_case(ValueError)
def err_vmap_in_axes_out_of_range(L):
    L.jax.vmap(lambda a: a, in_axes=2)(L.jnp.ones((3, 2)))


@error_case(ValueError)
def err_vmap_in_axes_wrong_length(L):
    L.jax.vmap(lambda a, b: a, in_axes=(0, 0, 0))(L.jnp.ones(3), L.jnp.ones(3))


@error_case(TypeError)
def err_jit_concretization_if(L):
    def f(x):
        if x > 0:
            return x
        return -x

    L.jax.jit(f)(1.0)


@error_case(TypeError)
def err_jit_int_of_tracer(L):
    L.jax.jit(lambda x: L.jnp.ones(int(x)))(3)


@error_case(TypeError)
def err_grad_python_control_flow_on_jit_tracer(L):
    L.jax.jit(L.jax.grad(lambda x: x if x > 0 else -x))(1.0)


@error_case(TypeError)
def err_jvp_structure_mismatch(L):
    L.jax.jvp(lambda x, y: x + y, (1.0, 2.0), (1.0,))


@error_case(TypeError)
def err_jvp_tangent_dtype(L):
    L.jax.jvp(lambda x: x, (L.jnp.float32(1.0),), (L.jnp.float16(1.0),))


@error_case(ValueError)
def err_vjp_cotangent_shape(L):
    _, pull = L.jax.vjp(lambda x: x * 2, L.jnp.ones(3))
    pull(L.jnp.ones(4))


@error_case(ValueError)
def err_jit_unhashable_static(L):
    L.jax.jit(lambda x, n: x, static_argnums=1)(1.0, [1, 2])


@error_case(TypeError)
def err_grad_of_string_arg(L):
    L.jax.grad(lambda x: 1.0)("a")


@error_case(TypeError)
def err_cond_branch_mismatch(L):
    L.lax.cond(True, lambda x: x, lambda x: L.jnp.ones(2), 1.0)


@error_case(TypeError)
def err_scan_carry_mismatch(L):
    L.lax.scan(lambda c, x: (c.astype(L.jnp.int32), x), 0.0, L.jnp.ones(3))


@error_case(TypeError)
def err_has_aux_not_pair(L):
    L.jax.grad(lambda x: x, has_aux=True)(1.0)


@error_case(TypeError)
def err_grad_argnums_past_end(L):
    L.jax.grad(lambda x: x, argnums=1)(1.0)


@error_case(ValueError)
def err_grad_argnums_negative_out_of_range(L):
    L.jax.grad(lambda x: x, argnums=-2)(1.0)


@error_case(ValueError)
def err_jacfwd_argnums_out_of_range(L):
    L.jax.jacfwd(lambda x: x, argnums=2)(1.0)


@error_case(TypeError)
def err_linearize_tangent_structure(L):
    L.jax.linearize(lambda x: x * 2, L.jnp.ones(3))[1](L.jnp.ones(3), L.jnp.ones(3))


@error_case(ValueError)
def err_linearize_tangent_shape(L):
    L.jax.linearize(lambda x: x * 2, L.jnp.ones(3))[1](L.jnp.ones(4))


@error_case(ValueError)
def err_jvp_tangent_shape(L):
    L.jax.jvp(lambda x: x, (L.jnp.ones(2),), (L.jnp.ones(3),))


@error_case(ValueError)
def err_vjp_cotangent_structure(L):
    L.jax.vjp(lambda x: x * 2, L.jnp.ones(3))[1]((L.jnp.ones(3),))


@error_case(ValueError)
def err_vmap_out_axes_structure(L):
    L.jax.vmap(lambda x: x, out_axes=(0, 0))(L.jnp.ones(3))


@error_case(ValueError)
def err_vmap_scalar_mapped(L):
    L.jax.vmap(lambda x: x)(1.0)


@error_case(ValueError)
def err_vmap_no_args(L):
    L.jax.vmap(lambda: 1.0)()


@error_case(ValueError)
def err_vmap_out_axes_none_for_batched(L):
    L.jax.vmap(lambda x: x, out_axes=None)(L.jnp.ones(3))


@error_case(TypeError)
def err_grad_shape_one_output(L):
    L.jax.grad(lambda x: x * L.jnp.ones(1))(1.0)


@error_case(TypeError)
def err_hessian_int_input(L):
    L.jax.hessian(lambda x: x * 2.0)(L.jnp.arange(2))


@error_case(TypeError)
def err_jit_bool_conversion(L):
    L.jax.jit(lambda x: L.jnp.where(x, 1, 0) if x else 0)(True)


@error_case(TypeError)
def err_vmap_bool_conversion(L):
    L.jax.vmap(lambda x: 1.0 if x > 0 else 0.0)(L.jnp.ones(3))


@error_case(IndexError)
def err_jit_traced_slice_bound(L):
    L.jax.jit(lambda x, n: x[:n])(L.jnp.ones(3), 2)


@error_case(TypeError)
def err_jit_array_conversion(L):
    L.jax.jit(lambda x: np.asarray(x))(1.0)


@error_case(TypeError)
def err_jit_returns_string(L):
    L.jax.jit(lambda x: "s")(1.0)


@error_case(TypeError)
def err_fori_loop_float_bounds(L):
    L.lax.fori_loop(0, 3.0, lambda i, c: c, 0.0)


@error_case(ValueError)
def err_scan_xs_length_mismatch(L):
    L.lax.scan(lambda c, x: (c, x), 0.0, (L.jnp.ones(3), L.jnp.ones(4)))


@error_case(TypeError)
def err_cond_non_scalar_predicate(L):
    L.lax.cond(L.jnp.array([True, False]), lambda: 1.0, lambda: 2.0)


@error_case(TypeError)
def err_custom_vjp_bwd_wrong_structure(L):
    f = L.jax.custom_vjp(lambda x, y: x * y)
    f.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g,))
    L.jax.grad(f)(1.0, 2.0)


def _leak(L, transform):
    store = []

    def f(x):
        store.append(x)
        return x * 1.0

    if transform == "vmap":
        L.jax.vmap(f)(L.jnp.ones(2))
    else:
        getattr(L.jax, transform)(f)(1.0)
    return store[0]


@pytest.mark.parametrize("transform", ["jit", "vmap", "grad"])
def test_tracer_leak_raises_on_use(transform):
    with pytest.raises(jax.errors.UnexpectedTracerError) as j_info:
        _leak(J, transform) + 1
    with pytest.raises(nablax.errors.UnexpectedTracerError) as n_info:
        _leak(N, transform) + 1
    assert _builtin_base(type(n_info.value)) is _builtin_base(type(j_info.value)) is TypeError


def test_concretization_error_classes():
    def f(x):
        return 1 if x > 0 else 0

    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.jit(f)(1.0)
    with pytest.raises(nablax.errors.TracerBoolConversionError) as info:
        nablax.jit(f)(1.0)
    assert isinstance(info.value, nablax.errors.ConcretizationTypeError)
    assert isinstance(info.value, TypeError)
    assert issubclass(jax.errors.TracerBoolConversionError, jax.errors.ConcretizationTypeError)
    assert issubclass(jax.errors.ConcretizationTypeError, TypeError)


# ================================================================ the tests


@pytest.mark.parametrize("name", sorted(CASES))
def test_program_matches_jax(name, request):
    fn, rtol, atol = CASES[name]
    if name in XFAIL:
        request.applymarker(pytest.mark.xfail(strict=True, reason=XFAIL[name]))
    j_out = fn(J)
    n_out = fn(N)
    assert_same(j_out, n_out, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_error_class_matches_jax(name, request):
    fn, expected = ERROR_CASES[name]
    if name in ERROR_XFAIL:
        request.applymarker(pytest.mark.xfail(strict=True, reason=ERROR_XFAIL[name]))
    j_cls = _error(fn)(J)
    n_cls = _error(fn)(N)
    assert j_cls is not None and issubclass(j_cls, expected), f"JAX raised {j_cls}"
    assert n_cls is not None, "nablax raised nothing"
    assert issubclass(n_cls, expected), f"nablax raised {n_cls.__name__}, JAX {j_cls.__name__}"
    assert _builtin_base(n_cls) is _builtin_base(j_cls), (n_cls.__mro__, j_cls.__mro__)


def _builtin_base(cls):
    return next(c for c in cls.__mro__ if c.__module__ == "builtins")


def test_case_count():
    assert len(CASES) + len(ERROR_CASES) >= 50


def test_jaxpr_first_line_exact():
    j = str(jax.make_jaxpr(lambda x: jjnp.sin(x) * 2.0)(jjnp.ones(3)))
    n = str(nablax.make_jaxpr(lambda x: njnp.sin(x) * 2.0)(njnp.ones(3)))
    assert n == j  # one line: JAX prints a jaxpr that fits in 80 columns on one line
    assert re.match(r"\{ lambda ; a:f32\[3\]\. let", j)
