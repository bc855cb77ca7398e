"""The rest of jax.scipy.special against real JAX: values, dtypes, weak types and shapes for
array, Python-scalar and integer inputs, first derivatives, errors, and float64."""
from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jjnp  # noqa: E402
import jax.scipy.special as jsp  # noqa: E402

import nablax  # noqa: E402
import nablax.numpy as jnp  # noqa: E402
import nablax.scipy.special as nsp  # noqa: E402

from .same_as_jax import assert_same  # noqa: E402

P = np.array([0.3, 0.9, 1.7, 2.6, 4.2], np.float32)      # positive
S = np.array([-2.2, -0.6, 0.4, 1.3, 3.1], np.float32)    # signed, no zero or integer
Q = np.array([0.1, 0.35, 0.5, 0.72, 0.95], np.float32)   # in (0, 1)

# name: (argument arrays, rtol, differentiated argnums)
TABLE = {
    "beta": ((P, P[::-1]), 1e-4, (0, 1)),
    "betainc": ((P, P[::-1], Q), 1e-4, (2,)),
    "boxcox": ((P, S), 1e-5, (0, 1)),
    "boxcox1p": ((P, S), 1e-5, (0, 1)),
    "comb": ((np.float32([5, 7, 3, 10, 4]), np.float32([2, 3, 0, 4, 6])), 1e-4, ()),
    "dawsn": ((S,), 1e-5, (0,)),
    "erfcx": ((S,), 1e-5, (0,)),
    "exp1": ((P,), 1e-5, (0,)),
    "expi": ((S,), 1e-5, (0,)),
    "expn": ((np.float32([1, 2, 3, 4, 5]), P), 1e-5, (1,)),
    "factorial": ((np.float32([0, 1, 3, 4.5, 6]),), 1e-5, (0,)),
    "gammainc": ((P, P[::-1]), 1e-5, (1,)),
    "gammaincc": ((P, P[::-1]), 1e-5, (1,)),
    "gammasgn": ((S,), 0, ()),
    "hyp1f1": ((P, P[::-1] + 0.5, S), 1e-4, (0, 1, 2)),
    "hyp2f1": ((Q, P, P + 1.0, Q - 0.5), 1e-4, (0, 1, 2, 3)),
    "i0": ((S,), 1e-5, (0,)),
    "i0e": ((S,), 1e-5, (0,)),
    "i1": ((S,), 1e-5, (0,)),
    "i1e": ((S,), 1e-5, (0,)),
    "loggamma": ((S,), 1e-5, (0,)),
    "owens_t": ((S, S[::-1]), 1e-5, (0, 1)),
    "poch": ((P, np.float32([0.0, 1.5, -0.5, 2.0, 1.0])), 1e-4, (0, 1)),
    "spence": ((P,), 1e-5, (0,)),
    "zeta": ((P + 1.5, P), 1e-5, (0, 1)),
}


def _pair(name):
    return getattr(nsp, name), getattr(jsp, name)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_dtypes_weak_types(name):
    ours, theirs = _pair(name)
    args, rtol, _ = TABLE[name]
    assert_same(theirs(*args), ours(*args), rtol=rtol, atol=1e-6)
    scalars = [float(a[2]) for a in args]
    assert_same(theirs(*scalars), ours(*scalars), rtol=rtol, atol=1e-6)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_integer_and_float16_inputs(name):
    ours, theirs = _pair(name)
    if name == "spence":
        with pytest.raises(TypeError):
            ours(np.int32(2))
        return
    ints = [np.array([1, 2, 3], np.int32)] * len(TABLE[name][0])
    assert_same(theirs(*ints), ours(*ints), rtol=1e-4, atol=1e-6)
    halves = [a.astype(np.float16) for a in TABLE[name][0]]
    assert_same(theirs(*halves), ours(*halves), rtol=5e-3, atol=1e-3)


@pytest.mark.parametrize("name", sorted(n for n in TABLE if TABLE[n][2]))
def test_gradients(name):
    ours, theirs = _pair(name)
    args, rtol, argnums = TABLE[name]
    for i in argnums:
        g_j = jax.vmap(jax.grad(theirs, argnums=i))(*args)
        g_n = nablax.vmap(nablax.grad(ours, argnums=i))(*args)
        assert_same(g_j, g_n, rtol=max(rtol, 1e-4), atol=1e-5, path=f"d/d arg {i}")


@pytest.mark.parametrize("name", ["sici", "fresnel"])
def test_pairs(name):
    ours, theirs = _pair(name)
    x = np.concatenate([S, np.float32([0.0, 12.0, -30.0])])
    assert_same(theirs(x), ours(x))
    assert_same(theirs(0.5), ours(0.5))
    x = S
    for k in range(2):
        g_j = jax.vmap(jax.grad(lambda v, k=k: theirs(v)[k]))(x)
        g_n = nablax.vmap(nablax.grad(lambda v, k=k: ours(v)[k]))(x)
        assert_same(g_j, g_n, rtol=1e-5)


def test_wofz_and_complex_erfcx():
    z = np.array([0.5 + 0.2j, -1.0 + 1.5j, 2.0 - 0.3j, 0.3 - 2.0j], np.complex64)
    assert_same(jsp.wofz(z), nsp.wofz(z), rtol=1e-5)
    assert_same(jsp.wofz(S), nsp.wofz(S), rtol=1e-5)
    assert_same(jsp.wofz(0.5), nsp.wofz(0.5), rtol=1e-5)
    assert_same(jsp.erfcx(z), nsp.erfcx(z), rtol=1e-5)
    f_j = jax.grad(lambda v: jsp.wofz(v).real, holomorphic=False)
    f_n = nablax.grad(lambda v: nsp.wofz(v).real)
    assert_same(f_j(0.7), f_n(0.7), rtol=1e-5)


def test_complex_loggamma():
    z = np.array([-1.5 + 0.0j, 0.5 + 1.0j, 3.0 - 2.0j, -2.5 + 0.7j], np.complex64)
    assert_same(jsp.loggamma(z), nsp.loggamma(z), rtol=1e-5, atol=1e-5)


def test_bessel_jn():
    z = np.array([2.5, 7.0, 15.0, 30.0], np.float32)  # where JAX's recurrence has converged
    assert_same(jsp.bessel_jn(z, v=3), nsp.bessel_jn(z, v=3), rtol=1e-4, atol=1e-5)
    assert_same(jsp.bessel_jn(z.reshape(2, 2), v=1), nsp.bessel_jn(z.reshape(2, 2), v=1), rtol=1e-4, atol=1e-5)
    assert_same(jsp.bessel_jn(3.0, v=0), nsp.bessel_jn(3.0, v=0), rtol=1e-4, atol=1e-5)
    g_j = jax.vmap(jax.grad(lambda v: jsp.bessel_jn(v, v=2)[2]))(z)
    g_n = nablax.vmap(nablax.grad(lambda v: nsp.bessel_jn(v, v=2)[2]))(z)
    assert_same(g_j, g_n, rtol=1e-3, atol=1e-5)


def test_sph_harm_y():
    n, m = np.array([0, 1, 2, 3, 3], np.int32), np.array([0, -1, 1, -2, 3], np.int32)
    theta, phi = np.float32([0.3, 0.9, 1.7, 2.4, 0.5]), np.float32([0.2, 1.1, -0.6, 3.0, 2.2])
    assert_same(jsp.sph_harm_y(n, m, theta, phi), nsp.sph_harm_y(n, m, theta, phi), rtol=1e-4, atol=1e-6)
    assert_same(jsp.sph_harm_y(n, m, theta, phi, n_max=5), nsp.sph_harm_y(n, m, theta, phi, n_max=5),
                rtol=1e-4, atol=1e-6)
    assert_same(jsp.sph_harm_y(n, m, theta, phi, n_max=2), nsp.sph_harm_y(n, m, theta, phi, n_max=2),
                rtol=1e-4, atol=1e-6)
    assert_same(jsp.sph_harm_y(n[:1], m[:1], 0.3, 0.2), nsp.sph_harm_y(n[:1], m[:1], 0.3, 0.2), rtol=1e-4)
    for i in (2, 3):
        for part in (jjnp.real, jjnp.imag):
            npart = jnp.real if part is jjnp.real else jnp.imag
            g_j = jax.grad(lambda *a, part=part: part(jsp.sph_harm_y(*a)).sum(), argnums=i)(n, m, theta, phi)
            g_n = nablax.grad(lambda *a, npart=npart: npart(nsp.sph_harm_y(*a)).sum(), argnums=i)(n, m, theta, phi)
            assert_same(g_j, g_n, rtol=1e-3, atol=1e-5)


def test_bernoulli():
    for k in (0, 1, 2, 7, 12):
        assert_same(jsp.bernoulli(k), nsp.bernoulli(k), rtol=1e-5, atol=1e-6)


def test_factorial_comb_options():
    assert_same(jsp.comb(5, 2, repetition=True), nsp.comb(5, 2, repetition=True), rtol=1e-5)
    assert_same(jsp.comb(np.float32([5, -1, 3]), np.float32([2, 1, 4])),
                nsp.comb(np.float32([5, -1, 3]), np.float32([2, 1, 4])), rtol=1e-5)
    assert_same(jsp.factorial(-2.0), nsp.factorial(-2.0))
    assert_same(jsp.gammasgn(np.float32([-0.0, 0.0, -2.0, np.inf, -np.inf, np.nan])),
                nsp.gammasgn(np.float32([-0.0, 0.0, -2.0, np.inf, -np.inf, np.nan])))


def _error_class(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the class is compared
        return type(e)
    return None


@pytest.mark.parametrize("call", [
    lambda s: s.factorial(3, exact=True),
    lambda s: s.zeta(2.0),
    lambda s: s.beta(1j, 2.0),
    lambda s: s.betainc(1j, 2.0, 0.5),
    lambda s: s.expi(1j),
    lambda s: s.expn(1, 1j),
    lambda s: s.sici(1j),
    lambda s: s.fresnel(1j),
    lambda s: s.dawsn(1j),
    lambda s: s.poch(1j, 1.0),
    lambda s: s.hyp1f1(1.0, 2.0, 1j),
    lambda s: s.gammasgn(1j),
    lambda s: s.spence(np.float16(0.5)),
    lambda s: s.bessel_jn(1j, v=1),
    lambda s: s.bernoulli(-1),
    lambda s: s.sph_harm_y(np.float32([1.0]), np.int32([0]), 0.3, 0.2),
    lambda s: s.sph_harm_y(np.int32([1]), np.int32([0]), 0.3, 0.2, diff_n=1),
])
def test_errors(call):
    assert _error_class(lambda: call(nsp)) is _error_class(lambda: call(jsp)) is not None


def test_float64(x64):
    x = np.array([0.3, 1.7, 4.2])
    for name in ("expi", "exp1", "dawsn", "erfcx", "spence", "i0", "loggamma", "gammasgn"):
        assert_same(getattr(jsp, name)(x), getattr(nsp, name)(x), rtol=1e-10, atol=1e-12)
    assert_same(jsp.hyp1f1(0.5, 1.5, x), nsp.hyp1f1(0.5, 1.5, x), rtol=1e-10)
    assert_same(jsp.zeta(2.5, x), nsp.zeta(2.5, x), rtol=1e-10)
    assert_same(jax.grad(jsp.zeta, argnums=(0, 1))(2.5, 1.5), nablax.grad(nsp.zeta, argnums=(0, 1))(2.5, 1.5),
                rtol=1e-10)
    assert_same(jsp.bernoulli(6), nsp.bernoulli(6), rtol=1e-6)
    assert_same(jsp.wofz(x), nsp.wofz(x), rtol=1e-10)
