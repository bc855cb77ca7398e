"""Issue 9: custom_jvp / custom_vjp / checkpoint / vjp behave as in JAX 0.10.2.

Each program is a function of a namespace `L` (`L.jax`, `L.jnp`, `L.lax`); here it runs
with nablax against JAX's outputs, measured once and written down (tests/compat/
test_custom_vs_jax.py runs the same programs with JAX and checks the numbers).
"""
import types
from functools import partial

import numpy as np
import pytest

import nablax
import nablax.lax
import nablax.numpy

N = types.SimpleNamespace(jax=nablax, jnp=nablax.numpy, lax=nablax.lax)

PROGRAMS: dict = {}  # name -> program(L); EXPECTED[name] holds JAX's flat outputs
ERRORS: dict = {}  # name -> (program(L), exception class JAX raises, message regex for nablax)


def program(fn):
    PROGRAMS[fn.__name__] = fn
    return fn


def error(exc, match):
    def register(fn):
        ERRORS[fn.__name__] = (fn, exc, match)
        return fn

    return register


# ============================================ 1. higher order through custom_jvp rules

def _f(L):
    """The issue's function: its rule's derivative differs from the primal's derivative."""
    jnp = L.jnp
    f = L.jax.custom_jvp(lambda x, y: jnp.tanh(x) * (1 + y**2))
    f.defjvps(lambda tx, ans, x, y: tx * (1 + y**2), lambda ty, ans, x, y: 3 * y * ty * jnp.tanh(x))
    return f


def _g(L):
    jnp = L.jnp

    @L.jax.custom_jvp
    def g(x):
        return jnp.sin(x) * x

    @g.defjvp
    def g_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return g(x), 2.0 * jnp.cos(x) * x * t + x**3 * t

    return g


@program
def jvp_rule_value_and_grad_of_value_and_grad(L):
    f, jnp = _f(L), L.jnp
    h = lambda x: jnp.sum(jnp.sin(jnp.stack(L.jax.value_and_grad(lambda x: f(x, x))(x))))  # noqa: E731
    return [L.jax.value_and_grad(h)(x) for x in (0.7, 1.5, 3.0)]


@program
def jvp_rule_value_and_grad_two_args(L):
    f, jnp = _f(L), L.jnp
    return L.jax.value_and_grad(lambda x: jnp.sum(jnp.sin(jnp.stack(L.jax.value_and_grad(f)(x, x)))))(0.7)


@program
def jvp_rule_vjp_of_vjp(L):
    f, jnp = _f(L), L.jnp

    def h(x):
        y, f_vjp = L.jax.vjp(f, x, 2 * x)
        a, b = f_vjp(jnp.ones_like(y))
        return jnp.sin(y) + jnp.sin(a) * b

    return L.jax.vjp(h, 0.3)[1](1.0), L.jax.value_and_grad(h)(0.3)


@program
def jvp_rule_jacrev_of_jacrev(L):
    f, jnp = _f(L), L.jnp

    def h(x):
        return jnp.sin(L.jax.jacrev(f, argnums=(0, 1))(x, x**2)[1]) + f(x, x)

    return L.jax.jacrev(h)(jnp.array([0.2, -0.5, 1.1])), L.jax.jacrev(L.jax.jacrev(lambda x: f(x, x)))(jnp.array(0.4))


@program
def jvp_rule_concatenate_value_and_grad(L):
    f, jnp = _f(L), L.jnp

    def h(x):
        v, g = L.jax.value_and_grad(lambda x: jnp.sum(f(x, x)))(x)
        return jnp.concatenate([jnp.atleast_1d(v), g, f(x, 1.0)])

    x = jnp.array([0.2, 0.9])
    return L.jax.jacrev(h)(x), L.jax.jacfwd(h)(x)


@program
def jvp_rule_inside_scan(L):
    f, jnp = _f(L), L.jnp

    def body(c, x):
        v, g = L.jax.value_and_grad(f)(c, x)
        return jnp.sin(v) + g, v * g

    def h(c0, xs):
        c, ys = L.lax.scan(body, c0, xs)
        return c + jnp.sum(ys)

    return L.jax.value_and_grad(h, argnums=(0, 1))(jnp.float32(0.4), jnp.array([0.1, 0.5, -0.3]))


@program
def jvp_rule_hessians(L):
    f, g, jnp = _f(L), _g(L), L.jnp
    x = jnp.array([0.3, -0.8])
    F = lambda x: jnp.sum(f(x, x[::-1]))  # noqa: E731
    G = lambda x: jnp.sum(g(x) * x)  # noqa: E731
    return (L.jax.hessian(F)(x), L.jax.jacfwd(L.jax.jacrev(F))(x), L.jax.jacrev(L.jax.jacrev(F))(x),
            L.jax.jacrev(L.jax.jacfwd(F))(x), L.jax.hessian(G)(x), L.jax.grad(L.jax.grad(L.jax.grad(g)))(0.6))


def custom_power(L, rule):
    """p(n, x) = x ** n as a custom_jvp with n non-differentiable, whose JVP rule gives
    `rule(p, n, x, t)` (primal out, tangent out); tests/compat/test_transforms_vs_jax.py uses it too."""

    @partial(L.jax.custom_jvp, nondiff_argnums=(0,))
    def p(n, x):
        return x**n

    @p.defjvp
    def p_jvp(n, primals, tangents):
        (x,), (t,) = primals, tangents
        return rule(p, n, x, t)

    return p


@program
def jvp_rule_nondiff_argnums_higher_order(L):
    p = custom_power(L, lambda p, n, x, t: (p(n, x), 2.0 * n * x ** (n - 1) * t))  # the true derivative
    f0 = np.zeros((), L.jax.dtypes.float0)
    return (L.jax.grad(L.jax.grad(p, 1), 1)(3, 1.5), L.jax.hessian(lambda x: p(4, x))(1.5),
            L.jax.value_and_grad(lambda x: L.jnp.sin(L.jax.value_and_grad(p, 1)(2, x)[0]))(0.5),
            L.jax.jvp(L.jax.grad(p, 1), (3, 1.5), (f0, 1.0)))


@program
def jvp_rule_nondiff_function_argument(L):
    @partial(L.jax.custom_jvp, nondiff_argnums=(0,))
    def app(fn, x):
        return fn(x)

    @app.defjvp
    def app_jvp(fn, primals, tangents):
        (x,), (t,) = primals, tangents
        return app(fn, x), 3.0 * t * x

    sin = L.jnp.sin
    return L.jax.grad(L.jax.grad(lambda x: app(sin, x)))(0.5), L.jax.grad(lambda x: app(sin, x) ** 2)(0.5)


@program
def jvp_rule_zero_tangents(L):
    jnp = L.jnp
    f = L.jax.custom_jvp(lambda x, y: x * y)
    f.defjvp(lambda p, t: (f(*p), jnp.zeros_like(p[0])))
    f2 = L.jax.custom_jvp(lambda x, y: (x * y, x + y))
    f2.defjvps(None, lambda ty, ans, x, y: (ty, ty))
    return (L.jax.grad(f)(2.0, 3.0), L.jax.jvp(f, (2.0, 3.0), (1.0, 1.0))[1], L.jax.grad(L.jax.grad(f))(2.0, 3.0),
            L.jax.jacrev(f2, argnums=(0, 1))(2.0, 3.0), L.jax.jacfwd(f2, argnums=(0, 1))(2.0, 3.0))


@program
def jvp_rule_float0_tangent_for_integer_output(L):
    jnp = L.jnp
    f = L.jax.custom_jvp(lambda x: (x > 0).astype(jnp.int32))
    f.defjvp(lambda p, t: (f(*p), np.zeros(p[0].shape, L.jax.dtypes.float0)))
    out, tout = L.jax.jvp(f, (jnp.ones(3),), (jnp.ones(3),))
    return out, tout.dtype == L.jax.dtypes.float0, tout.shape


@program
def jvp_rule_with_symbolic_zeros(L):
    jax, jnp = L.jax, L.jnp
    SymbolicZero = jax.custom_derivatives.SymbolicZero
    seen = []
    f = jax.custom_jvp(lambda x, y: x * jnp.sin(y))

    def rule(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        seen.append((isinstance(tx, SymbolicZero), isinstance(ty, SymbolicZero)))
        if isinstance(ty, SymbolicZero):
            return f(x, y), tx * jnp.sin(y)
        if isinstance(tx, SymbolicZero):
            return f(x, y), ty * x * jnp.cos(y)
        return f(x, y), tx * jnp.sin(y) + ty * x * jnp.cos(y)

    f.defjvp(rule, symbolic_zeros=True)
    g = jax.custom_jvp(lambda x: x * 2)
    g.defjvp(lambda p, t: (g(*p), SymbolicZero.from_primal_value(p[0])), symbolic_zeros=True)
    h = jax.custom_jvp(lambda x: x * 2)
    h.defjvp(lambda p, t: (h(*p), jax.custom_derivatives.zero_from_primal(p[0])))
    ones = jnp.ones(2)
    out = (jax.jvp(lambda x: f(x, 3.0), (2.0,), (1.0,)), jax.jvp(lambda y: f(2.0, y), (3.0,), (1.0,)),
           jax.grad(f)(2.0, 3.0), jax.grad(f, 1)(2.0, 3.0), jax.grad(jax.grad(f, 1), 1)(2.0, 3.0),
           jax.vmap(jax.grad(f))(ones, ones), jax.jit(jax.vmap(jax.grad(f, 1)))(ones, ones),
           jax.grad(lambda x: jnp.sum(jax.vmap(f, (0, None))(x, 2.0)))(ones),
           jax.jvp(g, (2.0,), (1.0,))[1], jax.grad(g)(2.0), jax.jvp(h, (2.0,), (1.0,))[1], jax.grad(h)(2.0))
    return out, seen


@program
def vjp_rule_with_symbolic_zeros(L):
    jax, jnp = L.jax, L.jnp
    SymbolicZero = jax.custom_derivatives.SymbolicZero
    log = []

    @partial(jax.custom_vjp, nondiff_argnums=(1,))
    def h(x, n, d):
        return x * n + d["a"]

    def h_fwd(x, n, d):
        log.append((type(x).__name__, x.perturbed, d["a"].perturbed))
        return h(x.value, n, {"a": d["a"].value}), x.value

    h.defvjp(h_fwd, lambda n, r, g: (g * n, {"a": SymbolicZero.from_primal_value(g)}), symbolic_zeros=True)
    k = jax.custom_vjp(lambda x: (x * 2, x * 3))

    def k_bwd(r, g):
        log.append(tuple(isinstance(c, SymbolicZero) for c in g))
        return (g[0] * 2 + (0 if isinstance(g[1], SymbolicZero) else g[1] * 3),)

    k.defvjp(lambda x: (k(x.value), None), k_bwd, symbolic_zeros=True)
    out = (jax.grad(lambda x: h(x, 3.0, {"a": 1.0}))(2.0), jax.grad(lambda x: h(x, 3.0, {"a": x}))(2.0),
           jax.vmap(jax.grad(lambda x: h(x, 3.0, {"a": 1.0})))(jnp.ones(2)), jax.grad(lambda x: k(x)[0])(1.0),
           jax.grad(lambda x: sum(k(x)))(1.0))
    return out, log


@program
def jvp_rule_traced_nondiff_argument(L):
    jax, jnp = L.jax, L.jnp

    @partial(jax.custom_jvp, nondiff_argnums=(1,))
    def f(x, s):
        return x * s["k"]

    f.defjvp(lambda s, p, t: (f(p[0], s), t[0] * s["k"] * 10))
    return (jax.jit(lambda s: jax.grad(f)(2.0, {"k": s}))(3.0), jax.vmap(lambda s: jax.grad(f)(2.0, {"k": s}))(jnp.arange(3.0)),
            jax.vmap(jax.grad(f), (0, None))(jnp.arange(3.0), {"k": 2.0}),
            jax.grad(lambda s: jax.grad(f)(2.0, {"k": s * s}) + f(s, {"k": s}))(3.0),  # no derivative through s
            jax.jvp(lambda s: f(s, {"k": s}), (jnp.float32(3.0),), (jnp.float32(1.0),))[1],
            jax.hessian(lambda x: f(x, {"k": x}) * x)(3.0))


@program
def custom_rules_see_keyword_and_default_arguments(L):
    jax = L.jax
    f = jax.custom_jvp(lambda x, y=2.0: x * y)
    f.defjvp(lambda p, t: (f(*p), t[0] * p[1] * 10 + t[1]))
    g = jax.custom_vjp(lambda x, y=2.0: x * y)
    g.defvjp(lambda x, y: (g(x, y), (x, y)), lambda r, ct: (ct * r[1] * 10, ct))
    return (jax.grad(lambda x: f(x, y=3.0))(1.0), jax.grad(lambda x: f(x))(1.0), jax.grad(lambda x: g(x, y=3.0))(1.0),
            jax.grad(lambda y: g(1.0, y=y))(3.0), jax.grad(g)(1.0))


# ======================================================== custom_vjp under transformations

def _c(L):
    jnp = L.jnp

    @L.jax.custom_vjp
    def c(x, y):
        return jnp.sin(x) * y

    c.defvjp(lambda x, y: (c(x, y), (x, y)), lambda r, g: (2.0 * g * r[1], g * r[0] ** 2))
    return c


@program
def vjp_rule_under_vmap_of_grad(L):
    c, jnp, jax = _c(L), L.jnp, L.jax
    xs = jnp.array([0.1, 0.5, 2.0])
    return (jax.vmap(jax.grad(c, argnums=(0, 1)))(xs, xs + 1),
            jax.vmap(jax.grad(c), in_axes=(0, None))(xs, 3.0),
            jax.vmap(jax.grad(lambda x: c(x, x) ** 2))(xs),
            jax.jit(jax.vmap(jax.grad(lambda x: c(x, 2.0))))(xs),
            jax.grad(lambda x: jnp.sum(jax.vmap(c, (0, None))(x, 2.0)))(xs),
            jax.vmap(jax.vmap(jax.grad(c), (0, None)), (None, 0))(xs, xs))


@program
def vjp_rule_second_order(L):
    jnp = L.jnp

    @L.jax.custom_vjp
    def c(x):
        return jnp.sin(x)

    c.defvjp(lambda x: (c(x), x), lambda x, g: (g * 3.0 * jnp.cos(x) * x,))
    return L.jax.grad(L.jax.grad(c))(0.7), L.jax.grad(lambda x: L.jax.grad(c)(x) * c(x))(0.7)


# ============================================ 2. linearize / checkpoint and unused custom_vjp

def _unused_custom_vjp(L):
    jnp = L.jnp

    @L.jax.custom_vjp
    def c(x):
        return jnp.sin(x)

    c.defvjp(lambda x: (c(x), x), lambda x, g: (g * 3.0 * jnp.cos(x),))

    def f(x):
        c(x)  # computed, but the output does not depend on it
        return x * 2.0

    def f2(x):
        return x * 2.0 + 0.0 * L.lax.stop_gradient(c(x))

    return c, f, f2


@program
def linearize_checkpoint_with_unused_custom_vjp(L):
    jax = L.jax
    c, f, f2 = _unused_custom_vjp(L)
    out = []
    for fn in (f, f2):
        out += [jax.linearize(jax.checkpoint(fn), 1.0)[1](1.0), jax.linearize(fn, 1.0)[1](1.0),
                jax.grad(jax.checkpoint(fn))(1.0), jax.linearize(jax.jit(jax.checkpoint(fn)), 1.0)[1](1.0)]
    return out, jax.hessian(jax.checkpoint(f))(1.0), jax.jacrev(jax.jacrev(jax.checkpoint(lambda x: c(x) * 2)))(1.0)


@program
def checkpoint_closing_over_tracers(L):
    jax, jnp = L.jax, L.jnp
    return (jax.grad(lambda y: jax.checkpoint(lambda x: x * y)(2.0))(3.0),
            jax.vmap(lambda y: jax.checkpoint(lambda x: jnp.sin(x * y))(2.0))(jnp.array([1.0, 2.0])),
            jax.jit(lambda y: jax.checkpoint(lambda x: x * y)(2.0))(3.0),
            jax.grad(lambda y: jax.jit(jax.checkpoint(lambda x: jnp.sin(x) * y))(2.0))(3.0))


@program
def checkpoint_closing_over_weights_under_vmap(L):
    jax, jnp = L.jax, L.jnp
    w = jnp.arange(12.0).reshape(3, 4) / 10
    f = jax.checkpoint(lambda x: jnp.tanh(w @ x))
    xs = jnp.arange(8.0).reshape(2, 4) / 5
    loss = lambda x: jnp.sum(f(x) ** 2)  # noqa: E731
    return (jax.vmap(f)(xs), jax.vmap(jax.grad(loss))(xs), jax.grad(lambda xs: jnp.sum(jax.vmap(f)(xs) ** 2))(xs),
            jax.vmap(jax.hessian(loss))(xs)[1, 0], jax.jacfwd(jax.vmap(f))(xs)[1, 2, 1],
            jax.vmap(lambda x: jax.linearize(f, x)[1](x))(xs),
            jax.vmap(jax.grad(lambda x, t: jnp.sum(jax.linearize(f, x)[1](t) ** 2)), (None, 0))(xs[0], xs))


# ========================================= 3. what custom rules may return (accepted cases)

def _vjpf(L, bwd, fwd=None, fun=lambda x, y: x * y):
    f = L.jax.custom_vjp(fun)
    f.defvjp(fwd or (lambda x, y: (x * y, (x, y))), bwd)
    return f


@program
def bwd_accepted_outputs(L):
    jax, jnp = L.jax, L.jnp
    X, Y = jnp.ones(3), jnp.arange(3.0)
    loss = lambda f: lambda x, y: f(x, y).sum()  # noqa: E731
    dict_f = lambda bwd: _vjpf(L, bwd, lambda p: (p["a"] * p["b"], p), lambda p: p["a"] * p["b"])  # noqa: E731
    int_f = lambda ct: _vjpf(L, lambda r, g: (g, ct), lambda x, n: (x * n, None))  # noqa: E731
    return (jax.grad(loss(_vjpf(L, lambda r, g: (None, g))), argnums=(0, 1))(X, Y),  # None: zero
            jax.grad(loss(_vjpf(L, lambda r, g: [g * r[1], g])))(X, Y),  # a list is accepted
            jax.grad(lambda p: dict_f(lambda r, g: ({"a": g, "b": None},))(p).sum())({"a": X, "b": Y}),
            [jax.grad(lambda x, f=f: f(x, 3).sum())(X)  # integer inputs take any cotangent
             for f in map(int_f, (None, 1.0, 5, np.zeros((), jax.dtypes.float0)))],
            jax.grad(loss(_vjpf(L, lambda r, g: (g.astype(jnp.float16), g))))(X, Y))  # dtype: as returned


@program
def vjp_accepted_cotangents(L):
    jax, jnp = L.jax, L.jnp
    X = jnp.ones(3)
    _, f_vjp = jax.vjp(lambda x: x * 2, X)
    _, i_vjp = jax.vjp(lambda x: (x > 0).astype(jnp.int32), X)
    return (f_vjp(np.ones(3)), jax.vjp(lambda x: x * 2, 1.0)[1](1.0),
            jax.vjp(lambda x: x * 2, jnp.float32(1.0))[1](jnp.asarray(3.0)),
            i_vjp(jnp.ones(3)), i_vjp(np.zeros(3, jax.dtypes.float0)), i_vjp(jnp.ones(3, jnp.int32)))


# ========================================== 5. the function vjp returns is a pytree (Partial)

@program
def vjp_function_is_a_pytree(L):
    jax, jnp = L.jax, L.jnp
    x = jnp.array([1.0, 2.0, 3.0])
    _, f_vjp = jax.vjp(lambda x: jnp.sin(x) * 2.0, x)
    _, sq_vjp = jax.vjp(lambda x: x * x, x)
    apply = lambda f, ct: f(ct)  # noqa: E731
    return (jax.jit(apply)(f_vjp, jnp.ones(3)),
            jax.vmap(apply, in_axes=(None, 0))(f_vjp, jnp.ones((2, 3))),
            jax.tree.map(lambda leaf: leaf * 0, f_vjp)(jnp.ones(3)),
            jax.tree.leaves(sq_vjp),
            jax.grad(lambda x: jax.jit(lambda f, ct: f(ct)[0].sum())(jax.vjp(jnp.sin, x)[1], jnp.ones(3)))(x),
            jax.jit(lambda x: jax.vjp(jnp.sin, x)[1])(x)(jnp.ones(3)))  # returned from jit


@program
def linearized_function_is_a_pytree(L):
    jax, jnp = L.jax, L.jnp
    x = jnp.array([1.0, 2.0])
    _, f_jvp = jax.linearize(jnp.sin, x)
    _, g_jvp = jax.linearize(lambda x, n: x * n, 2.0, 3)
    return (jax.tree.leaves(f_jvp), jax.jit(lambda f, t: f(t))(f_jvp, x), jax.tree.map(lambda r: 2 * r, f_jvp)(x),
            g_jvp(1.0, np.zeros((), jax.dtypes.float0)))


@program
def transposed_function_is_a_pytree(L):
    jax, jnp = L.jax, L.jnp
    lt = jax.linear_transpose(lambda t: t * jnp.arange(2.0), jnp.ones(2))
    return (jax.tree.leaves(lt), jax.jit(lambda f, c: f(c))(lt, jnp.ones(2)), jax.tree.map(lambda r: 2 * r, lt)(jnp.ones(2)),
            jax.linear_transpose(lambda t: t * 2, 1.0)(1.0), jax.linear_transpose(lambda t: t * 2, 1.0)(jnp.float32(1)))


# ========================================================= 3, 4. errors, as JAX raises them

@error(ValueError, r"bwd rule <lambda> of <lambda> returned a cotangent of type float32\[2\] at output\[0\] "
                   r"for an input of type float32\[3\]: the shapes must match")
def err_bwd_wrong_shape(L):
    return L.jax.grad(lambda x, y: _vjpf(L, lambda r, g: (g[:2], g))(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


@error(ValueError, r"float32\[\] at output\[0\]")
def err_bwd_scalar_for_vector(L):
    return L.jax.grad(lambda x, y: _vjpf(L, lambda r, g: (g.sum(), g))(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


@error(ValueError, r"float32\[1\] at output\['b'\]|float32\[1\] at output\[0\]\['b'\]")
def err_bwd_wrong_shape_in_pytree(L):
    f = _vjpf(L, lambda r, g: ({"a": g, "b": g[:1]},), lambda p: (p["a"] * p["b"], p), lambda p: p["a"] * p["b"])
    return L.jax.grad(lambda p: f(p).sum())({"a": L.jnp.ones(3), "b": L.jnp.ones(3)})


@error(TypeError, r"one cotangent per differentiable argument.*PyTreeDef\(\(\*,\)\) for arguments of structure "
                  r"PyTreeDef\(\(\*, \*\)\)")
def err_bwd_too_few(L):
    return L.jax.grad(lambda x, y: _vjpf(L, lambda r, g: (g,))(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


@error(TypeError, r"returned structure PyTreeDef\(\*\)")
def err_bwd_not_a_tuple(L):
    return L.jax.grad(lambda x, y: _vjpf(L, lambda r, g: g)(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


@error(TypeError, r"returned structure PyTreeDef\(\(\{'a': \*\},\)\)")
def err_bwd_missing_dict_key(L):
    f = _vjpf(L, lambda r, g: ({"a": g},), lambda p: (p["a"] * p["b"], p), lambda p: p["a"] * p["b"])
    return L.jax.grad(lambda p: f(p).sum())({"a": L.jnp.ones(3), "b": L.jnp.ones(3)})


@error(TypeError, r"structure PyTreeDef\(\(\(\*, \*\),\)\) for arguments of structure PyTreeDef\(\(\[\*, \*\],\)\)")
def err_bwd_tuple_for_list(L):
    f = _vjpf(L, lambda r, g: ((g, g),), lambda p: (p[0] * p[1], p), lambda p: p[0] * p[1])
    return L.jax.grad(lambda p: f(p).sum())([L.jnp.ones(3), L.jnp.ones(3)])


@error(TypeError, r"fwd rule <lambda> of <lambda> must return a pair \(primal_out, residuals\).*of type Array")
def err_fwd_not_a_pair(L):
    f = _vjpf(L, lambda r, g: (g, g), lambda x, y: x * y)
    return L.jax.grad(lambda x, y: f(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


@error(TypeError, r"fwd rule <lambda> of <lambda> must return a pair.*a tuple of length 3")
def err_fwd_triple(L):
    f = _vjpf(L, lambda r, g: (g, g), lambda x, y: (x * y, 1, 2))
    return L.jax.grad(lambda x, y: f(x, y).sum())(L.jnp.ones(3), L.jnp.ones(3))


def _jvpf(L, rule, fun=None):
    f = L.jax.custom_jvp(fun or L.jnp.sin)
    f.defjvp(rule)
    return f


@error(TypeError, r"custom_jvp rule <lambda> of sin returned a tangent of type float32\[2\] for its primal output "
                  r"of type float32\[3\]: the tangent must be float32\[3\]")
def err_jvp_rule_wrong_shape(L):
    x = L.jnp.ones(3)
    return L.jax.jvp(_jvpf(L, lambda p, t: (L.jnp.sin(p[0]), t[0][:2])), (x,), (x,))


@error(TypeError, r"tangent of type float32\[2\]")
def err_jvp_rule_wrong_shape_under_grad(L):
    return L.jax.grad(lambda x: _jvpf(L, lambda p, t: (L.jnp.sin(p[0]), t[0][:2]))(x).sum())(L.jnp.ones(3))


@error(TypeError, r"tangent of type float16\[3\]")
def err_jvp_rule_wrong_dtype(L):
    x = L.jnp.ones(3)
    return L.jax.jvp(_jvpf(L, lambda p, t: (L.jnp.sin(p[0]), t[0].astype(L.jnp.float16))), (x,), (x,))


@error(TypeError, r"tangent of type float32\[3\] for its primal output of type int32\[3\]: the tangent must be "
                  r"float0\[3\]")
def err_jvp_rule_float_tangent_for_integer_output(L):
    x, jnp = L.jnp.ones(3), L.jnp
    f = _jvpf(L, lambda p, t: ((p[0] > 0).astype(jnp.int32), t[0]), lambda x: (x > 0).astype(jnp.int32))
    return L.jax.jvp(f, (x,), (x,))


@error(TypeError, r"must return a pair \(primal_out, tangent_out\), but it returned a value of type Array")
def err_jvp_rule_not_a_pair(L):
    x = L.jnp.ones(3)
    return L.jax.jvp(_jvpf(L, lambda p, t: L.jnp.sin(p[0])), (x,), (x,))


@error(TypeError, r"primal structure PyTreeDef\(\*\) and tangent structure PyTreeDef\(None\)")
def err_jvp_rule_none_tangent(L):
    x = L.jnp.ones(3)
    return L.jax.jvp(_jvpf(L, lambda p, t: (L.jnp.sin(p[0]), None)), (x,), (x,))


@error(TypeError, r"defjvps rule of <lambda>.*tangent structure PyTreeDef\(None\)")
def err_defjvps_rule_returning_none(L):
    f = L.jax.custom_jvp(lambda x: L.jnp.sin(x))
    f.defjvps(lambda t, ans, x: None)
    return L.jax.jvp(f, (L.jnp.ones(3),), (L.jnp.ones(3),))


@error(TypeError, r"defjvps with nondiff_argnums")
def err_defjvps_with_nondiff_argnums(L):
    L.jax.custom_jvp(lambda n, x: x * n, nondiff_argnums=(0,)).defjvps(lambda t, ans, n, x: t * n)


@error(TypeError, r"argument 1 is marked non-differentiable \(nondiff_argnums\) but holds a traced value")
def err_vjp_rule_traced_nondiff_argument(L):
    f = L.jax.custom_vjp(lambda x, s: x * s, nondiff_argnums=(1,))
    f.defvjp(lambda x, s: (f(x, s), None), lambda s, r, g: (g * s,))
    return L.jax.jit(lambda s: L.jax.grad(f)(2.0, s))(3.0)


def _x2_vjp(L, x=None):
    return L.jax.vjp(lambda x: x * 2, L.jnp.ones(3) if x is None else x)[1]


@error(ValueError, r"vjp: the cotangent has type float16\[3\], but the differentiated function's output has type "
                   r"float32\[3\], so its cotangent must have type float32\[3\]")
def err_vjp_cotangent_float16(L):
    return _x2_vjp(L)(L.jnp.ones(3, L.jnp.float16))


@error(ValueError, r"cotangent has type int32\[3\]")
def err_vjp_cotangent_int(L):
    return _x2_vjp(L)(L.jnp.ones(3, L.jnp.int32))


@error(ValueError, r"cotangent has type ~?int32\[\]")
def err_vjp_cotangent_python_int(L):
    return _x2_vjp(L, 1.0)(1)


@error(ValueError, r"cotangent has type complex64\[3\]")
def err_vjp_cotangent_complex_for_real(L):
    return _x2_vjp(L)(L.jnp.ones(3, L.jnp.complex64))


@error(ValueError, r"cotangent has type float32\[3\].*must have type complex64\[3\]")
def err_vjp_cotangent_real_for_complex(L):
    return _x2_vjp(L, L.jnp.ones(3, L.jnp.complex64))(L.jnp.ones(3))


@error(ValueError, r"cotangent has type float0\[3\]")
def err_vjp_cotangent_float0_for_real(L):
    return _x2_vjp(L)(np.zeros(3, L.jax.dtypes.float0))


@error(ValueError, r"cotangent has type float32\[2\]")
def err_vjp_cotangent_shape(L):
    return _x2_vjp(L)(L.jnp.ones(2))


@error(ValueError, r"float32\[2\].*must have type float0\[3\]")
def err_vjp_cotangent_shape_for_integer_output(L):
    return L.jax.vjp(lambda x: (x > 0).astype(L.jnp.int32), L.jnp.ones(3))[1](L.jnp.ones(2))


@error(ValueError, r"vjp: the cotangent\['b'\] has type int32\[3\], but the differentiated function's "
                   r"output\['b'\] has type float32\[3\]")
def err_vjp_cotangent_dtype_in_pytree(L):
    f_vjp = L.jax.vjp(lambda x: {"a": x, "b": x * 2}, L.jnp.ones(3))[1]
    return f_vjp({"a": L.jnp.ones(3), "b": L.jnp.ones(3, L.jnp.int32)})


@error(ValueError, r"linearize: the linearized function got a tangent of type float16\[2\] for a primal of "
                   r"type float32\[2\]; it must be float32\[2\]")
def err_linearized_function_tangent_dtype(L):
    return L.jax.linearize(L.jnp.sin, L.jnp.ones(2))[1](L.jnp.ones(2, L.jnp.float16))


@error(ValueError, r"tangent of type float32\[3\]")
def err_linearized_function_tangent_shape(L):
    return L.jax.linearize(L.jnp.sin, L.jnp.ones(2))[1](L.jnp.ones(3))


@error(TypeError, r"tangent structure")
def err_linearized_function_tangent_structure(L):
    return L.jax.linearize(L.jnp.sin, L.jnp.ones(2))[1](L.jnp.ones(2), L.jnp.ones(2))


@error(TypeError, r"linear_transpose: cotangent of type float16\[2\] for an output of type float32\[2\]")
def err_linear_transpose_cotangent_dtype(L):
    return L.jax.linear_transpose(lambda t: t * 2, L.jnp.ones(2))(L.jnp.ones(2, L.jnp.float16))


@error(TypeError, r"cotangent of type float32\[3\]")
def err_linear_transpose_cotangent_shape(L):
    return L.jax.linear_transpose(lambda t: t * 2, L.jnp.ones(2))(L.jnp.ones(3))


@error(TypeError, r"cotangent structure PyTreeDef\(\(\*,\)\) must match output structure PyTreeDef\(\*\)")
def err_linear_transpose_cotangent_structure(L):
    return L.jax.linear_transpose(lambda t: t * 2, L.jnp.ones(2))((L.jnp.ones(2),))


# ================================================================================== tests

def flat_outputs(out) -> list:
    """Leaves as (value, dtype name) pairs: what EXPECTED records."""
    leaves = nablax.tree_util.tree_leaves(out) if isinstance(out, (tuple, list, dict)) else [out]
    res = []
    for leaf in leaves:
        a = np.asarray(leaf)
        res.append((a.tolist() if a.dtype.kind in "biufc" else None, str(a.dtype) if a.dtype.kind != "V" else "float0"))
    return res


def assert_matches(got: list, expected: list, where: str) -> None:
    assert len(got) == len(expected), f"{where}: {len(got)} leaves, JAX has {len(expected)}"
    for i, ((gv, gd), (ev, ed)) in enumerate(zip(got, expected)):
        assert gd == ed, f"{where} leaf {i}: dtype {gd}, JAX {ed}"
        if ev is not None:
            np.testing.assert_allclose(np.asarray(gv, float), np.asarray(ev, float), rtol=3e-6, atol=1e-6,
                                       err_msg=f"{where} leaf {i}")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_gives_jax_numbers(name):
    from .issue9_custom_expected import EXPECTED

    assert_matches(flat_outputs(PROGRAMS[name](N)), EXPECTED[name], name)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_as_jax(name):
    fn, exc, match = ERRORS[name]
    with pytest.raises(exc, match=match):
        fn(N)


def test_vjp_returns_a_partial_whose_leaves_are_residuals():
    jax, jnp = nablax, nablax.numpy
    x = jnp.array([1.0, 2.0, 3.0])
    _, f_vjp = jax.vjp(lambda x: x * x, x)
    assert isinstance(f_vjp, jax.tree_util.Partial)
    leaves, tree = jax.tree_util.tree_flatten(f_vjp)
    np.testing.assert_array_equal(np.asarray(leaves[0]), [1.0, 2.0, 3.0])
    rebuilt = jax.tree_util.tree_unflatten(tree, [2 * leaf for leaf in leaves])
    np.testing.assert_array_equal(np.asarray(rebuilt(jnp.ones(3))[0]), [4.0, 8.0, 12.0])
    with pytest.raises(TypeError, match="exactly one argument"):
        f_vjp(jnp.ones(3), jnp.ones(3))


def test_vmap_of_checkpoint_shares_closed_over_weights():
    """Closed-over arrays become operands of the checkpoint, unbatched, never broadcast."""
    jax, jnp = nablax, nablax.numpy
    w = jnp.ones((3, 4))
    f = jax.checkpoint(lambda x: jnp.tanh(w @ x))
    jaxpr = jax.make_jaxpr(jax.vmap(jax.grad(lambda x: jnp.sum(f(x)))))(jnp.ones((2, 4)))
    shapes = [tuple(v.aval.shape) for e in jaxpr.eqns for v in e.outvars]
    assert (2, 3, 4) not in shapes
    assert [tuple(v.aval.shape) for v in jaxpr.eqns[0].invars] == [(3, 4), (2, 4)]
