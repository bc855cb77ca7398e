"""nablax.experimental.jet against jax.experimental.jet, in float32 and float64.

Each program is written once for both libraries (`L.jnp`, `L.lax`, `L.nn`, ...). Where JAX's
jet has rules for every primitive of the program, the outputs match JAX's jet: structure,
dtypes, shapes and values. Where it has none (control flow, tan, the inverse trig functions,
linear solves, sort, reduce_prod, lgamma, ...: JAX raises a KeyError naming the primitive; relu,
softplus and clip fail inside JAX's jet), nablax's jet matches JAX's own nested jvp along the same curve.
"""
import types

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
from jax import lax as jlax  # noqa: E402
from jax.experimental.jet import jet as jjet  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as njnp  # noqa: E402
from nablax import lax as nlax  # noqa: E402
from nablax.experimental.jet import jet as njet  # noqa: E402

J = types.SimpleNamespace(jax=jax, jnp=jjnp, lax=jlax, nn=jax.nn, jet=jjet, scipy=jax.scipy)
N = types.SimpleNamespace(jax=nablax, jnp=njnp, lax=nlax, nn=nablax.nn, jet=njet, scipy=nablax.scipy)

X = np.array([0.3, -0.4, 0.8])
V = np.array([1.0, 0.5, -0.3])
W = np.array([0.2, 0.1, 0.4])


def _mixed(L):
    def f(x):
        for _ in range(3):
            y = L.jnp.sin(x) * L.jnp.exp(-0.3 * x)
            x = L.jnp.tanh(y) + L.jnp.log(2.0 + L.jnp.cos(x)) / (1.5 + L.nn.sigmoid(y))
        return x
    return f


def _elementwise(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        p = 1.2 + x  # positive, for the real powers
        return {
            "chain": _mixed(L)(x),
            "exp_log": jnp.expm1(x) + jnp.log1p(x * x) + jnp.sqrt(1.0 + x * x) + lax.rsqrt(2.0 + x) + lax.square(x),
            "hyperbolic": jnp.sinh(x) * jnp.cosh(x) + jnp.arcsinh(x) + jnp.arccosh(2.0 + x) + jnp.arctanh(0.5 * x),
            "erf": lax.erf(x) + lax.erfc(x) + lax.erf_inv(x),
            "powers": p ** 3 + p ** -2 + lax.integer_pow(p, 5) + p ** 2.5 + p ** p + 1.0 / (1.0 + p),
        }
    return f


def _selection(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        return {
            "max_min_abs_where": jnp.maximum(x, 0.1) + jnp.minimum(jnp.sin(x), x * x) + jnp.abs(x)
            + jnp.where(x > 0.0, x ** 3, jnp.exp(x)),
            "reductions": jnp.sum(jnp.sin(x)) + jnp.max(x * x) + jnp.min(jnp.cos(x)) + jnp.cumsum(x * x)[-1]
            + jnp.mean(x) * jnp.sum(x),
            "cumulative": lax.cumprod(x) + lax.cummax(jnp.sin(x)) + lax.cummin(x),
        }
    return f


def _structure(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        return {
            "shape_ops": jnp.concatenate([x, x[::-1]]).reshape(2, 3).T * jnp.pad(x, (1, 1))[1:-1, None]
            + jnp.broadcast_to(x, (3, 3))[:, :2] ** 2,
            "dot_general": jnp.outer(x, x) @ jnp.sin(x) + jnp.einsum("i,j,j->i", x, x, jnp.cos(x)),
            "indexing": x[jnp.array([2, 0, 1])] * x[1:3].sum() + lax.dynamic_slice(x, (1,), (2,)).sum(),
        }
    return f


def _calls(L):
    def f(x):
        return {"custom_jvp_nn": L.nn.gelu(x) + L.nn.silu(x) + L.nn.logsumexp(x),
                "jitted": L.jax.jit(lambda x: L.jnp.sin(x) * L.jnp.exp(x))(x)}
    return f


def _control_flow(L):
    jnp, lax = L.jnp, L.lax

    def f(x):
        return {
            "cond": lax.cond(x[0] > 0.0, lambda x: jnp.sin(x) * x, jnp.cos, x),
            "scan": lax.scan(lambda c, a: (jnp.sin(c) * a + x, c * a), x, jnp.arange(1.0, 4.0))[0],
            "fori_loop": lax.fori_loop(0, 3, lambda i, c: jnp.tanh(c) * x + c, x),
            "while_loop": lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.sin(c[1]) * x), (0, x))[1],
        }
    return f


def _no_jax_rules(L):
    jnp = L.jnp

    def f(x):
        p = 0.5 * (x + 1.0)  # inside (0, 1)
        return {
            "trig": jnp.tan(p) + jnp.arctan(p) + jnp.arcsin(p) + jnp.arccos(p) + jnp.cbrt(p),
            "sort_prod_lgamma": jnp.sort(jnp.sin(x)) * jnp.prod(x) + L.scipy.special.gammaln(2.0 + x),
            "relu_softplus_clip": L.nn.relu(x) + L.nn.softplus(x) + jnp.clip(x, -0.2, 0.5),
        }
    return f


def _linear_algebra(L):
    jnp = L.jnp

    def f(x):
        a = jnp.eye(3) * 2.0 + jnp.outer(x, x)
        return {
            "solve": jnp.linalg.solve(a, jnp.sin(x)),
            "triangular_solve": L.scipy.linalg.solve_triangular(jnp.tril(a), x, lower=True),
            "cholesky": jnp.linalg.cholesky(a),
        }
    return f


# Each program returns a dict of parts, compared leaf by leaf (one JAX compile per program).
WITH_JAX_RULES = {"elementwise": _elementwise, "selection": _selection, "structure": _structure, "calls": _calls}
WITHOUT_JAX_RULES = {"control_flow": _control_flow, "no_jax_rules": _no_jax_rules, "linear_algebra": _linear_algebra}

TOL = {"float32": dict(rtol=3e-4, atol=3e-5), "float64": dict(rtol=1e-10, atol=1e-11)}


@pytest.fixture(params=["float32", "float64"])
def precision(request):
    if request.param == "float64":
        request.getfixturevalue("x64")
    return request.param


def _series(L, x, order=3):
    v, w = L.jnp.asarray(V), L.jnp.asarray(W)
    return (L.jnp.asarray(x),), ((v, w) + (L.jnp.zeros_like(v),) * (order - 2),)


def _jax_nested(f, x, order=3):
    """d^k/dt^k f(x + t v + t^2/2 w) at 0 by JAX's nested jvp (under one jit)."""
    x, v, w = jjnp.asarray(x), jjnp.asarray(V), jjnp.asarray(W)
    d = lambda t: f(x + t * v + 0.5 * t * t * w)  # noqa: E731
    ds = []
    for _ in range(order):
        d = (lambda g: lambda t: jax.jvp(g, (t,), (jjnp.ones_like(t),))[1])(d)
        ds.append(d)
    return jax.jit(lambda t: [d(t) for d in ds])(jjnp.zeros((), x.dtype))


def _same(j, n, tol, what):
    j, n = np.asarray(j), np.asarray(n)
    assert n.dtype == j.dtype and n.shape == j.shape, f"{what}: {n.dtype}{n.shape} != JAX {j.dtype}{j.shape}"
    np.testing.assert_allclose(n, j, err_msg=what, **tol)


def _same_tree(j, n, tol, what):
    j_leaves, j_tree = jax.tree_util.tree_flatten(j)
    n_leaves, n_tree = nablax.tree_util.tree_flatten(n)
    assert str(n_tree) == str(j_tree), f"{what}: structure {n_tree} != JAX {j_tree}"
    names = sorted(j) if isinstance(j, dict) else range(len(j_leaves))
    for name, a, b in zip(names, j_leaves, n_leaves):
        _same(a, b, tol, f"{what} {name}")


@pytest.mark.parametrize("name", sorted(WITH_JAX_RULES))
def test_matches_jax_jet(name, precision):
    build = WITH_JAX_RULES[name]
    primals, series = _series(J, X)
    jp, jt = jax.jit(lambda x, s: jjet(build(J), (x,), s))(primals[0], series)  # (jit: JAX's eager ops are slow)
    np_, nt = njet(build(N), *_series(N, X))
    _same_tree(jp, np_, TOL[precision], f"{name} primal")
    for k in range(3):
        _same_tree({key: t[k] for key, t in jt.items()}, {key: t[k] for key, t in nt.items()}, TOL[precision],
                   f"{name} order {k + 1}")


@pytest.mark.parametrize("name", sorted(WITHOUT_JAX_RULES))
def test_matches_jax_nested_jvp_where_jax_jet_has_no_rule(name, x64):
    build = WITHOUT_JAX_RULES[name]
    _, nt = njet(build(N), *_series(N, X))
    for k, expected in enumerate(_jax_nested(build(J), X)):
        _same_tree(expected, {key: t[k] for key, t in nt.items()}, TOL["float64"], f"{name} order {k + 1}")


def test_jax_jet_lacks_these_rules():
    """Why the second group is compared with nested jvp: JAX's jet raises on each of these."""
    primals, series = _series(J, X)
    for f in (lambda x: jjnp.tan(x), lambda x: jlax.cond(x[0] > 0, jjnp.sin, jjnp.cos, x),
              lambda x: jjnp.linalg.solve(jjnp.eye(3) + jjnp.outer(x, x), x)):
        with pytest.raises(KeyError):
            jax.jit(lambda x, s, f=f: jjet(f, (x,), s))(primals[0], series)


def test_under_jit_and_vmap(precision):
    def run(L):
        f, x = _mixed(L), L.jnp.asarray(X)
        one = L.jnp.ones((), x.dtype)
        jitted = L.jax.jit(lambda x: L.jet(f, (x,), _series(L, x)[1]))(x)
        mapped = L.jax.vmap(lambda x: L.jet(f, (x,), ((one, one * 0.5, one * 0.0),)))
        return jitted, (L.jax.jit(mapped) if L is J else mapped)(x)

    for (jp, jt), (np_, nt) in zip(run(J), run(N)):
        _same(jp, np_, TOL[precision], "primal")
        for k, (a, b) in enumerate(zip(jt, nt), 1):
            _same(a, b, TOL[precision], f"order {k}")


def test_factorial_scaled_false_matches(precision):
    jp, jt = jjet(J.jnp.exp, (J.jnp.asarray(0.3),), ((J.jnp.asarray(1.0), J.jnp.asarray(0.5)),), factorial_scaled=False)
    np_, nt = njet(N.jnp.exp, (N.jnp.asarray(0.3),), ((N.jnp.asarray(1.0), N.jnp.asarray(0.5)),), factorial_scaled=False)
    for a, b in zip([jp, *jt], [np_, *nt]):
        _same(a, b, TOL[precision], "factorial_scaled=False")
