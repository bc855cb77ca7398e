"""The rest of nablax.scipy.special: values against SciPy, known values, finite-difference
derivatives (check_grads, in float64), jit against eager, vmap against a loop, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sps

import nablax
import nablax.numpy as jnp
import nablax.scipy.special as nsp
from nablax.test_util import check_grads

P = np.array([0.3, 0.9, 1.7, 2.6, 4.2])
S = np.array([-2.2, -0.6, 0.4, 1.3, 3.1])
Q = np.array([0.1, 0.35, 0.5, 0.72, 0.95])
M = np.array([0.0, 1.5, -0.5, 2.0, 1.0])

# name: (arguments, SciPy reference, argnums to differentiate)
TABLE = {
    "beta": ((P, P[::-1]), sps.beta, (0, 1)),
    "betainc": ((P, P[::-1], Q), sps.betainc, (2,)),
    "boxcox": ((P, S), sps.boxcox, (0, 1)),
    "boxcox1p": ((P, S), sps.boxcox1p, (0, 1)),
    "comb": ((np.array([5.0, 7, 3, 10, 4]), np.array([2.0, 3, 0, 4, 6])), sps.comb, ()),
    "dawsn": ((S,), sps.dawsn, (0,)),
    "erfcx": ((S,), sps.erfcx, (0,)),
    "exp1": ((P,), sps.exp1, (0,)),
    "expi": ((S,), sps.expi, (0,)),
    "expn": ((np.array([1.0, 2, 3, 4, 5]), P), sps.expn, (1,)),
    "factorial": ((np.array([0.5, 1, 3, 4.5, 6]),), lambda n: sps.gamma(n + 1), (0,)),
    "gammainc": ((P, P[::-1]), sps.gammainc, (1,)),
    "gammaincc": ((P, P[::-1]), sps.gammaincc, (1,)),
    "gammasgn": ((S,), sps.gammasgn, ()),
    "hyp1f1": ((P, P[::-1] + 0.5, S), sps.hyp1f1, (2,)),
    "hyp2f1": ((Q, P, P + 1.0, Q - 0.5), sps.hyp2f1, (3,)),
    "i0": ((S,), sps.i0, (0,)),
    "i0e": ((S,), sps.i0e, (0,)),
    "i1": ((S,), sps.i1, (0,)),
    "i1e": ((S,), sps.i1e, (0,)),
    "loggamma": ((P,), sps.loggamma, (0,)),
    "owens_t": ((S, S[::-1]), sps.owens_t, (0, 1)),
    "poch": ((P, M), sps.poch, (0, 1)),
    "spence": ((P,), sps.spence, (0,)),
    "zeta": ((P + 1.5, P), sps.zeta, ()),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_match_scipy(name):
    args, ref, _ = TABLE[name]
    got = getattr(nsp, name)(*[a.astype(np.float32) for a in args])
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), ref(*args), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(n for n in TABLE if TABLE[n][2]))
def test_gradients_float64(name, x64):
    args, _, argnums = TABLE[name]
    f = getattr(nsp, name)
    for i in argnums:
        def g(v, i=i):
            return f(*[v if j == i else a for j, a in enumerate(args)])
        check_grads(g, (jnp.asarray(args[i]),), order=1, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["hyp1f1", "poch", "owens_t", "dawsn", "expi", "boxcox"])
def test_jit_and_vmap(name):
    args, _, _ = TABLE[name]
    args = [a.astype(np.float32) for a in args]
    f = getattr(nsp, name)
    eager = f(*args)
    np.testing.assert_allclose(np.asarray(nablax.jit(f)(*args)), np.asarray(eager), rtol=1e-6)
    looped = [f(*[a[k] for a in args]) for k in range(len(args[0]))]
    np.testing.assert_allclose(np.asarray(nablax.vmap(f)(*args)), np.stack([np.asarray(v) for v in looped]),
                               rtol=1e-6)


def test_known_values():
    np.testing.assert_allclose(float(nsp.zeta(2.0, 1.0)), math.pi ** 2 / 6, rtol=1e-6)
    np.testing.assert_allclose(float(nsp.factorial(5)), 120.0, rtol=1e-5)
    np.testing.assert_allclose(float(nsp.comb(5, 2)), 10.0, rtol=1e-5)
    np.testing.assert_allclose(float(nsp.comb(5, 2, repetition=True)), 15.0, rtol=1e-5)
    np.testing.assert_allclose(float(nsp.spence(1.0)), 0.0)
    np.testing.assert_allclose(float(nsp.spence(0.0)), math.pi ** 2 / 6, rtol=1e-6)
    np.testing.assert_allclose(float(nsp.beta(2.0, 3.0)), 1 / 12, rtol=1e-6)
    np.testing.assert_allclose(float(nsp.poch(2.5, 0.0)), 1.0)
    np.testing.assert_array_equal(np.asarray(nsp.gammasgn(np.float32([-0.0, 0.0, -1.5, -2.5, -2.0, np.inf]))),
                                  [-1, 1, 1, -1, np.nan, 1])
    np.testing.assert_array_equal(np.asarray(nsp.factorial(np.float32([-1.0, -3.5]))), [0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(nsp.loggamma(np.float32([-1.5, 0.0]))), [np.nan, np.nan])
    np.testing.assert_allclose(np.asarray(nsp.bernoulli(6)), [1, -0.5, 1 / 6, 0, -1 / 30, 0, 1 / 42], rtol=1e-6)
    si, ci = nsp.sici(np.float32([0.0, np.inf, -np.inf]))
    np.testing.assert_allclose(np.asarray(si), [0.0, math.pi / 2, -math.pi / 2], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(ci), [-np.inf, 0.0, np.nan])
    s, c = nsp.fresnel(np.float32([0.0, np.inf]))
    np.testing.assert_allclose(np.asarray(s), [0.0, 0.5])
    np.testing.assert_allclose(np.asarray(c), [0.0, 0.5])


def test_weak_types_and_dtypes():
    assert nsp.factorial(5).weak_type and nsp.gammainc(1, 2).weak_type and nsp.i0(1.0).weak_type
    assert nsp.zeta(2.0, 1.5).weak_type and nsp.boxcox1p(2.0, 0.5).weak_type
    for f, args in [(nsp.expi, (0.5,)), (nsp.expn, (2, 1.5)), (nsp.poch, (2.5, 2)), (nsp.hyp1f1, (0.5, 1.5, 0.3)),
                    (nsp.dawsn, (0.5,)), (nsp.spence, (0.5,)), (nsp.beta, (1.0, 2.0)), (nsp.gammasgn, (0.5,))]:
        out = f(*args)
        assert out.dtype == np.float32 and not out.weak_type, f
    assert nsp.wofz(0.5).dtype == np.complex64 and nsp.wofz(np.float64(0.5)).dtype == np.complex64
    assert nsp.owens_t(np.float16(0.5), np.float16(0.3)).dtype == np.float32
    assert nsp.dawsn(np.float16([0.5])).dtype == np.float16
    assert nsp.fresnel(np.float16([0.5]))[0].dtype == np.float16


def test_hypergeometric_parameter_derivatives(x64):
    a, b, c, x = 0.5, 1.5, 2.5, 0.3
    h = 1e-6
    da = nablax.grad(nsp.hyp1f1, argnums=(0, 1))(a, b, x)
    np.testing.assert_allclose(float(da[0]), (sps.hyp1f1(a + h, b, x) - sps.hyp1f1(a - h, b, x)) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(float(da[1]), (sps.hyp1f1(a, b + h, x) - sps.hyp1f1(a, b - h, x)) / (2 * h), rtol=1e-6)
    d2 = nablax.grad(nsp.hyp2f1, argnums=(0, 1, 2))(a, b, c, x)
    for i, dv in enumerate(d2):
        up, down = [a, b, c, x], [a, b, c, x]
        up[i] += h
        down[i] -= h
        np.testing.assert_allclose(float(dv), (sps.hyp2f1(*up) - sps.hyp2f1(*down)) / (2 * h), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        nablax.grad(nablax.grad(nsp.hyp1f1))(a, b, x)
    check_grads(lambda v: nsp.hyp1f1(a, b, v), (x,), order=2)


def test_zeta_derivatives(x64):
    # In q the Euler-Maclaurin derivative is -x zeta(x + 1, q); in x, the finite difference.
    dx, dq = nablax.grad(nsp.zeta, argnums=(0, 1))(2.5, 1.5)
    np.testing.assert_allclose(float(dq), -2.5 * sps.zeta(3.5, 1.5), rtol=1e-9)
    h = 1e-6
    np.testing.assert_allclose(float(dx), (sps.zeta(2.5 + h, 1.5) - sps.zeta(2.5 - h, 1.5)) / (2 * h), rtol=1e-6)


def test_bessel_jn():
    z = np.array([0.0, 0.5, 3.0, 12.0])
    out = nsp.bessel_jn(z.astype(np.float32), v=3)
    assert out.shape == (4, 4) and out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), np.stack([sps.jv(k, z) for k in range(4)]), rtol=1e-5, atol=1e-7)
    assert nsp.bessel_jn(np.ones((2, 3)), v=1).shape == (2, 2, 3)
    g = nablax.vmap(nablax.grad(lambda v: nsp.bessel_jn(v, v=2)[1]))(jnp.asarray(z[1:]))
    np.testing.assert_allclose(np.asarray(g), (sps.jv(0, z[1:]) - sps.jv(2, z[1:])) / 2, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(nablax.jit(lambda v: nsp.bessel_jn(v, v=2))(z)),
                               np.asarray(nsp.bessel_jn(z, v=2)), rtol=1e-6)
    with pytest.raises(ValueError):
        nsp.bessel_jn(z, v=-1)


def test_sph_harm_y():
    n, m = np.array([0, 1, 2, 3, 3]), np.array([0, -1, 1, -2, 3])
    theta, phi = np.array([0.3, 0.9, 1.7, 2.4, 0.5]), np.array([0.2, 1.1, -0.6, 3.0, 2.2])
    out = nsp.sph_harm_y(n, m, theta, phi)
    assert out.dtype == np.complex64 and out.shape == (5,)
    np.testing.assert_allclose(np.asarray(out), sps.sph_harm_y(n, m, theta, phi), rtol=1e-5, atol=1e-6)
    assert nsp.sph_harm_y(n[:1], m[:1], 0.3, 0.2).shape == (1,)
    jitted = nablax.jit(nsp.sph_harm_y, static_argnames="n_max")(n, m, theta, phi, n_max=3)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(out), rtol=1e-6)
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(nsp.sph_harm_y)(n, m, theta, phi)
    # Clipped at n_max, as in JAX: the degree-3 entries use degree 2 (and |order| 2).
    clipped = nsp.sph_harm_y(n, m, theta, phi, n_max=2)
    np.testing.assert_allclose(np.asarray(clipped)[:3], np.asarray(out)[:3], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(clipped)[3], sps.sph_harm_y(2, -2, theta[3], phi[3]), rtol=1e-5)


def test_sph_harm_y_gradients(x64):
    n, m = np.array([1, 2, 3, 3]), np.array([-1, 1, -2, 0])
    theta, phi = np.array([0.9, 1.7, 2.4, 0.5]), np.array([1.1, -0.6, 3.0, 2.2])
    for part in (jnp.real, jnp.imag):
        check_grads(lambda t, p, part=part: part(nsp.sph_harm_y(n, m, t, p)), (theta, phi), order=2)


def test_complex_functions(x64):
    z = np.array([0.5 + 0.2j, -1.0 + 1.5j, 2.0 - 0.3j])
    np.testing.assert_allclose(np.asarray(nsp.wofz(z)), sps.wofz(z), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(nsp.erfcx(z)), sps.erfcx(z), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(nsp.loggamma(z)), sps.loggamma(z), rtol=1e-12)
    check_grads(lambda v: nsp.wofz(v), (z,), order=2)
    check_grads(lambda v: nsp.loggamma(v), (z,), order=1)


def test_pairs_gradients(x64):
    x = np.array([-2.2, -0.6, 0.4, 1.3, 3.1])
    check_grads(lambda v: nsp.sici(v), (x,), order=2)
    check_grads(lambda v: nsp.fresnel(v), (x,), order=2)


@pytest.mark.parametrize("call,error", [
    (lambda: nsp.factorial(3, exact=True), NotImplementedError),
    (lambda: nsp.zeta(2.0), NotImplementedError),
    (lambda: nsp.beta(1j, 2.0), ValueError),
    (lambda: nsp.expi(1j), ValueError),
    (lambda: nsp.fresnel(1j), NotImplementedError),
    (lambda: nsp.spence(np.float16(0.5)), TypeError),
    (lambda: nsp.spence(2), TypeError),
    (lambda: nsp.bernoulli(-1), ValueError),
    (lambda: nsp.bessel_jn(1j, v=1), TypeError),
    (lambda: nsp.sph_harm_y(np.float32([1.0]), np.int32([0]), 0.3, 0.2), TypeError),
    (lambda: nsp.sph_harm_y(np.int32([1]), np.int32([0]), 0.3, 0.2, diff_n=1), NotImplementedError),
])
def test_errors(call, error):
    with pytest.raises(error):
        call()
