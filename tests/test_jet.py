"""nablax.experimental.jet (Taylor mode): known answers, agreement with nested jvp (float64),
the conventions of jax.experimental.jet, control flow, custom rules, linear algebra, and
composition with jit, vmap and grad. The rule-by-rule column is tests/primitives/test_jet_rules.py;
tests/compat/test_jet_vs_jax.py runs the same kind of programs against JAX's jet."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax import lax
from nablax.experimental import jet as jet_module
from nablax.experimental.jet import jet


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


def nested_derivatives(f, x, order: int, v=1.0) -> list:
    """d^k/dt^k f(x + t v) at t = 0 for k = 1..order, by nested jvp."""
    d = lambda t: f(x + t * v)  # noqa: E731
    out = []
    for _ in range(order):
        d = (lambda g: lambda t: nablax.jvp(g, (t,), (1.0,))[1])(d)
        out.append(d(0.0))
    return out


def line(v, order: int) -> tuple:
    """The series of x + t v: (v, 0, ..., 0)."""
    return (v,) + (jnp.zeros_like(jnp.asarray(v)),) * (order - 1)


def assert_jet_matches_nested(f, x, order: int, v=None, tol=1e-10):
    x = jnp.asarray(x)
    v = jnp.full_like(x, 0.7) if v is None else jnp.asarray(v)
    primal, terms = jet(f, (x,), (line(v, order),))
    np.testing.assert_allclose(np.asarray(primal), np.asarray(f(x)), rtol=1e-14)
    for k, (a, b) in enumerate(zip(terms, nested_derivatives(f, x, order, v)), 1):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol, err_msg=f"order {k}")


# ------------------------------------------------------------------- conventions

def test_module_is_importable_as_in_jax():
    assert jet_module.jet is jet
    assert nablax.experimental.jet.jet is jet


def test_sin_known_derivatives():
    primal, (d1, d2, d3) = jet(jnp.sin, (0.5,), ((1.0, 0.0, 0.0),))
    np.testing.assert_allclose([primal, d1, d2, d3], [math.sin(.5), math.cos(.5), -math.sin(.5), -math.cos(.5)],
                               rtol=1e-6)
    assert primal.dtype == jnp.float32 and primal.weak_type and d1.weak_type


def test_faa_di_bruno_example_from_jax_docs():
    h0, h1, h2 = 0.5 ** 3, 3 * 0.5 ** 2, 6 * 0.5
    f0, (f1, f2) = jet(jnp.sin, (h0,), ((h1, h2),))
    np.testing.assert_allclose(f0, np.sin(h0), rtol=1e-6)
    np.testing.assert_allclose(f1, np.cos(h0) * h1, rtol=1e-6)
    np.testing.assert_allclose(f2, -np.sin(h0) * h1 ** 2 + np.cos(h0) * h2, rtol=1e-6)


def test_polynomial_is_exact_and_vanishes_past_its_degree(x64):
    _, terms = jet(lambda x: x ** 5 - 3.0 * x ** 2, (2.0,), (line(1.0, 7),))
    expected = [5 * 16 - 12, 20 * 8 - 6, 60 * 4, 120 * 2, 120, 0, 0]
    np.testing.assert_array_equal(np.asarray(terms), expected)


def test_factorial_scaled_false_gives_taylor_coefficients(x64):
    _, terms = jet(jnp.exp, (0.0,), ((1.0, 0.0, 0.0, 0.0),), factorial_scaled=False)
    np.testing.assert_allclose(terms, [1.0, 1 / 2, 1 / 6, 1 / 24], rtol=1e-14)
    # with factorial_scaled=False the inputs are coefficients too: x(t) = t + t^2 / 2
    _, scaled = jet(jnp.sin, (0.3,), ((1.0, 1.0),))
    _, coeffs = jet(jnp.sin, (0.3,), ((1.0, 0.5),), factorial_scaled=False)
    np.testing.assert_allclose([coeffs[0], 2 * coeffs[1]], scaled, rtol=1e-14)


def test_pytree_output_several_primals_and_constant_outputs():
    out, terms = jet(lambda x, y: {"a": x * y, "b": (x, 3.0)}, (1.0, 2.0), ((1.0, 2.0), (3.0, 4.0)))
    np.testing.assert_allclose(out["a"], 2.0)
    np.testing.assert_allclose(terms["a"], [5.0, 14.0])  # (xy)'' = x''y + 2x'y' + xy''
    np.testing.assert_allclose(terms["b"][0], [1.0, 2.0])
    np.testing.assert_array_equal(terms["b"][1], [0.0, 0.0])


def test_order_zero_and_integer_outputs():
    out, terms = jet(jnp.sin, (0.4,), ((),))
    np.testing.assert_allclose(out, np.sin(np.float32(0.4)))
    assert terms == []
    out, terms = jet(lambda x: (x > 0.2).astype(jnp.float32) + jnp.floor(x) + jnp.sign(x), (0.4,), ((1.0, 2.0),))
    np.testing.assert_array_equal(terms, [0.0, 0.0])


def test_multidimensional_series_with_nonzero_higher_terms(x64):
    def f(x):
        return jnp.sum(jnp.tanh(x) * jnp.log1p(x * x)) / jnp.sqrt(1.0 + jnp.sum(x ** 2))

    x, v, w = jnp.array([0.3, -0.2, 0.5]), jnp.array([1.0, 0.5, -0.3]), jnp.array([0.2, 0.1, 0.4])
    _, terms = jet(f, (x,), ((v, w, jnp.zeros(3)),))

    def g(t):
        return f(x + t * v + 0.5 * t * t * w)

    expected = nested_derivatives(g, 0.0, 3)
    np.testing.assert_allclose(terms, expected, rtol=1e-10)


# ------------------------------------------------------------------- bad input

@pytest.mark.parametrize("primals,series,error,match", [
    ((1.0,), ((1.0,), (1.0, 2.0)), ValueError, "inconsistent lengths"),
    ((1.0,), (), ValueError, "inconsistent lengths"),
    (1.0, ((1.0,),), TypeError, "tuples or lists"),
    (((1.0, 2.0),), ((1.0,),), ValueError, "primal value at position 0 is not an array"),
    ((1.0,), (((1.0, 2.0),),), ValueError, "term 0 for argument 0 is not an array"),
    ((np.ones(3),), ((np.ones(2),),), TypeError, "term 0 for argument 0 has shape"),
    ((1.0, 2.0), ((1.0,),), ValueError, "2 primals but 1 series"),
    ((1.0,), (1.0,), TypeError, "tuple or list of terms"),
])
def test_bad_input_is_a_clear_error(primals, series, error, match):
    with pytest.raises(error, match=match):
        jet(jnp.sin, primals, series)


def test_a_primitive_without_derivative_is_named():
    with pytest.raises(NotImplementedError, match="hessenberg"):
        jet(lambda a: lax.linalg.hessenberg(a)[0], (jnp.eye(3),), ((jnp.eye(3),),))


# ------------------------------------------------------------------- against nested jvp (float64)

def mixed_chain(x):
    for _ in range(4):
        y = jnp.sin(x) * jnp.exp(-0.3 * x)
        y = jnp.log1p(y * y) + jnp.cos(y) / (2.0 + jnp.tanh(x))
        x = jax_logistic(y) + jnp.sqrt(1.5 + y ** 2) - jnp.arctan(x) * 0.5 + jnp.expm1(0.1 * x)
    return x


def jax_logistic(x):
    return nablax.nn.sigmoid(x)


def test_mixed_chain_to_order_6(x64):
    assert_jet_matches_nested(mixed_chain, 0.3, 6, v=1.0, tol=1e-9)


@pytest.mark.parametrize("name,f,x", [
    ("pow", lambda x: x ** 2.5 + 2.0 ** x + x ** x, 0.7),
    ("integer_pow", lambda x: x ** 3 + x ** -2 + lax.integer_pow(x, 7), 0.7),
    ("inverse_trig", lambda x: jnp.arcsin(x) + jnp.arccos(x) * 2.0 + jnp.arctan(x) + jnp.arctanh(x), 0.3),
    ("hyperbolic", lambda x: jnp.sinh(x) * jnp.cosh(x) + jnp.arcsinh(x) + jnp.arccosh(1.0 + x), 0.3),
    ("roots", lambda x: jnp.cbrt(x) + lax.rsqrt(x) + jnp.sqrt(x) + jnp.tan(x), 0.6),
    ("erf_and_friends", lambda x: lax.erf(x) + lax.erfc(x) * 2.0 + lax.erf_inv(x * 0.5) + lax.lgamma(1.0 + x), 0.3),
    ("max_min_abs", lambda x: jnp.maximum(jnp.sin(x), 0.1) + jnp.minimum(x, x * x) + jnp.abs(x - 1.0), 0.7),
    ("where_clip", lambda x: jnp.where(x > 0.5, jnp.log(x), x ** 3) + jnp.clip(x, 0.0, 0.6), 0.7),
    ("reductions", lambda x: jnp.sum(jnp.sin(x)) + jnp.prod(x) + jnp.max(x * x) + jnp.min(jnp.cos(x))
     + jnp.cumsum(x)[-1] * jnp.mean(x), np.array([0.3, -0.4, 0.8])),
    ("shape_ops", lambda x: jnp.sum(jnp.concatenate([x, x[::-1]]).reshape(2, 3).T * jnp.pad(x, (1, 1))[1:-1, None])
     + jnp.sum(jnp.broadcast_to(x, (2, 3))[:, 1:] ** 2), np.array([0.3, -0.4, 0.8])),
    ("dot_general", lambda x: jnp.sum(jnp.outer(x, x) @ jnp.sin(x)) + jnp.einsum("i,i->", x, x ** 2),
     np.array([0.3, -0.4, 0.8])),
    ("indexing", lambda x: jnp.sum(x[jnp.array([2, 0, 1])] * x.at[1].set(x[0] ** 2)), np.array([0.3, -0.4, 0.8])),
    ("sort", lambda x: jnp.sum(jnp.sort(jnp.sin(x)) * jnp.arange(3.0)), np.array([0.3, -0.4, 0.8])),
])
def test_programs_match_nested_jvp(x64, name, f, x):
    assert_jet_matches_nested(f, x, 4)


def test_cond_concrete_and_traced(x64):
    f = lambda x: lax.cond(x > 0.5, jnp.sin, lambda x: jnp.exp(x) * x, x)  # noqa: E731
    for x in (0.3, 0.7):
        assert_jet_matches_nested(f, x, 4)
        assert_jet_matches_nested(nablax.jit(f), x, 4)
    g = lambda x: lax.switch(1, [jnp.sin, jnp.cos, jnp.tanh], x)  # noqa: E731
    assert_jet_matches_nested(g, 0.3, 3)


def test_scan_while_fori(x64):
    def scanned(x):
        carry, ys = lax.scan(lambda c, a: (jnp.sin(c) * a + x, c * a), x, jnp.arange(1.0, 4.0))
        return carry + jnp.sum(ys)

    assert_jet_matches_nested(scanned, 0.3, 4)
    assert_jet_matches_nested(lambda x: lax.fori_loop(0, 4, lambda i, c: jnp.sin(c) + c * x, x), 0.3, 4)

    def while_(x):
        return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.tanh(c[1]) * x + c[2], c[2]),
                              (0, x, 0.5))[1]

    assert_jet_matches_nested(while_, 0.3, 4)
    assert_jet_matches_nested(nablax.jit(while_), 0.3, 4)


def test_custom_jvp_and_custom_vjp_functions(x64):
    x = jnp.array([0.3, -0.5, 1.2])
    nn = nablax.nn
    assert_jet_matches_nested(lambda x: nn.gelu(x) + nn.softplus(x) + nn.relu(x) + nn.silu(x), x, 4)
    assert_jet_matches_nested(lambda x: nn.logsumexp(x) + jnp.sum(nn.softmax(x) * x), x, 4)

    @nablax.custom_vjp
    def cube(x):
        return x ** 3

    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x ** 2 * g,))
    _, terms = jet(cube, (2.0,), (line(1.0, 4),))
    np.testing.assert_allclose(terms, [12.0, 12.0, 6.0, 0.0])


def test_linear_algebra(x64):
    A = jnp.array([[2.0, 1.0, 0.2], [0.5, 3.0, 0.1], [0.3, 0.2, 2.5]])
    x = jnp.array([0.3, -0.5, 0.8])

    def spd(x):
        return A @ A.T + x[0] * jnp.eye(3) + jnp.outer(x, x)

    assert_jet_matches_nested(lambda x: jnp.linalg.solve(A + x[0] * jnp.eye(3), jnp.sin(x)), x, 4)
    assert_jet_matches_nested(
        lambda x: nablax.scipy.linalg.solve_triangular(jnp.tril(A) + x[1] * jnp.eye(3), x ** 2, lower=True), x, 4)
    assert_jet_matches_nested(
        lambda x: nablax.scipy.linalg.solve_triangular(jnp.triu(A) * x[2], x, lower=False, trans=1), x, 3)
    assert_jet_matches_nested(lambda x: jnp.linalg.cholesky(spd(x)), x, 3)
    assert_jet_matches_nested(lambda x: jnp.linalg.inv(spd(x)) + jnp.linalg.slogdet(spd(x))[1], x, 3)


def test_eighth_derivative(x64):
    f = lambda x: jnp.sin(x) * jnp.exp(0.5 * x) / (2.0 + x)  # noqa: E731
    assert_jet_matches_nested(f, 0.3, 8, v=1.0, tol=1e-8)


# ------------------------------------------------------------------- transformations

def test_jit_of_jet_vmap_of_jet_and_jet_of_vmap(x64):
    f = lambda x: jnp.sin(x) * jnp.exp(x)  # noqa: E731
    x = jnp.array([0.1, 0.5, 1.0])
    series = (line(jnp.ones(3), 3),)
    primal, terms = jet(f, (x,), series)
    jp, jt = nablax.jit(lambda x: jet(f, (x,), series))(x)
    vp, vt = nablax.vmap(lambda x: jet(f, (x,), (line(1.0, 3),)))(x)
    wp, wt = jet(nablax.vmap(f), (x,), series)
    kp, kt = jet(nablax.jit(f), (x,), series)
    for p, t in ((jp, jt), (vp, vt), (wp, wt), (kp, kt)):
        np.testing.assert_allclose(p, primal, rtol=1e-14)
        np.testing.assert_allclose(t, terms, rtol=1e-13)
    np.testing.assert_allclose(terms[2], [float(nested_derivatives(f, xi, 3)[2]) for xi in x], rtol=1e-12)


def test_grad_of_jet_and_jet_of_jet(x64):
    f = lambda x: jnp.sin(x) * jnp.exp(x)  # noqa: E731
    d3 = nablax.grad(nablax.grad(nablax.grad(f)))
    np.testing.assert_allclose(nablax.grad(lambda x: jet(f, (x,), (line(1.0, 2),))[1][1])(0.4), d3(0.4), rtol=1e-13)
    _, terms = jet(lambda x: jet(f, (x,), (line(1.0, 2),))[1][1], (0.4,), (line(1.0, 2),))
    np.testing.assert_allclose(terms, [d3(0.4), nablax.grad(d3)(0.4)], rtol=1e-13)
