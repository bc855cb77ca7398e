"""nablax.numpy polynomial routines against NumPy and known answers: values, dtypes, errors,
check_grads (fwd and rev, order 2), eager vs jit, and roots' data-dependent stripping."""
import numpy as np
import pytest

import nablax
import nablax.numpy as jnp
from nablax.test_util import check_grads


@pytest.fixture
def x64():
    with nablax.config.enable_x64(True):
        yield


P = np.array([1.0, -3.0, 2.0, 5.0])
Q = np.array([2.0, 1.0])


def _close(actual, expected, rtol=1e-10, atol=1e-12):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def test_arithmetic(x64):
    _close(jnp.polyadd(P, Q), np.polyadd(P, Q))
    _close(jnp.polyadd(Q, P), np.polyadd(Q, P))
    _close(jnp.polysub(Q, P), np.polysub(Q, P))
    _close(jnp.polymul(P, Q), np.polymul(P, Q))
    assert jnp.polymul(np.array([0.0, 0.0, 1.0, 2.0]), Q, trim_leading_zeros=True).tolist() == [2.0, 5.0, 2.0]
    assert jnp.polymul(np.array([0.0, 0.0]), Q, trim_leading_zeros=True).tolist() == [0.0, 0.0]
    q, r = jnp.polydiv(P, Q)
    nq, nr = np.polydiv(P, Q)
    _close(q, nq)
    _close(r[-1:], nr)
    assert r.shape == P.shape and np.allclose(r[:-1], 0)  # (JAX keeps the leading zeros)
    _close(jnp.polydiv(P, Q, trim_leading_zeros=True)[1], nr)
    assert jnp.polyadd(np.array([1, 2]), np.array([3])).dtype == np.int64
    assert jnp.polymul(np.array([1, 2]), np.array([3])).dtype == np.float64
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(lambda a: jnp.polymul(a, Q, trim_leading_zeros=True))(P)
    check_grads(lambda a, b: jnp.polymul(a, b), (P, Q), order=2, modes=("fwd", "rev"))
    check_grads(lambda a, b: jnp.polydiv(a, b), (P, Q), order=2, modes=("fwd", "rev"))
    check_grads(lambda a, b: jnp.polysub(a, b), (P, Q), order=2, modes=("fwd", "rev"))


def test_calculus(x64):
    for m in (0, 1, 2, 4):
        _close(jnp.polyder(P, m), np.polyder(P, m))
    _close(jnp.polyint(P), np.polyint(P))
    _close(jnp.polyint(P, 2, k=np.array([1.0, 2.0])), np.polyint(P, 2, k=[1.0, 2.0]))
    _close(jnp.polyint(P, 3, k=2.0), np.polyint(P, 3, k=2.0))
    assert jnp.polyder(np.array([1, 2, 3])).dtype == np.float64
    for call in (lambda: jnp.polyder(P, -1), lambda: jnp.polyint(P, -1), lambda: jnp.polyint(P, 2, k=np.ones(3))):
        with pytest.raises(ValueError):
            call()
    check_grads(lambda p: jnp.polyint(jnp.polyder(p, 1), 2, k=p[:2]), (P,), order=2, modes=("fwd", "rev"))


def test_poly_polyval_vander(x64):
    _close(jnp.poly(np.array([1.0, 2.0, 3.0])), np.poly([1.0, 2.0, 3.0]))
    assert jnp.poly(np.zeros(0)).shape == () and float(jnp.poly(np.zeros(0))) == 1.0
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    _close(jnp.real(jnp.poly(a)), np.poly(a), rtol=1e-8)
    x = np.array([[0.5, 2.0], [-1.0, 3.0]])
    _close(jnp.polyval(P, x), np.polyval(P, x))
    assert jnp.polyval(np.array([1, 2]), 3).tolist() == 5
    _close(jnp.polyval(np.stack([P, 2 * P], 1), 1.5), [np.polyval(P, 1.5), np.polyval(2 * P, 1.5)])
    _close(nablax.jit(jnp.polyval)(P, x), np.polyval(P, x))
    _close(jnp.vander(np.array([1.0, 2.0, 3.0])), np.vander([1.0, 2.0, 3.0]))
    _close(jnp.vander(np.array([1.0, 2.0, 3.0]), 4, increasing=True), np.vander([1.0, 2.0, 3.0], 4, increasing=True))
    assert jnp.vander(np.array([2, 3])).tolist() == [[2, 1], [3, 1]]
    with pytest.raises(ValueError):
        jnp.vander(np.ones((2, 2)))
    check_grads(jnp.polyval, (P, x), order=2, modes=("fwd", "rev"))
    check_grads(jnp.poly, (np.array([1.0, -2.0, 0.5]),), order=2, modes=("fwd", "rev"))


def test_polyfit(x64):
    x = np.linspace(0.0, 1.0, 12)
    y = np.stack([np.sin(3 * x), np.cos(x)], 1)
    w = np.linspace(1.0, 2.0, 12)
    _close(jnp.polyfit(x, y[:, 0], 3), np.polyfit(x, y[:, 0], 3), rtol=1e-8)
    _close(jnp.polyfit(x, y, 2, w=w), np.polyfit(x, y, 2, w=w), rtol=1e-8)
    c, res, rank, s, rcond = jnp.polyfit(x, y[:, 0], 3, full=True)
    nc, nres, nrank, ns, nrcond = np.polyfit(x, y[:, 0], 3, full=True)
    _close(res, nres, rtol=1e-6)
    assert int(rank) == nrank and float(rcond) == nrcond
    _close(s, ns, rtol=1e-8)
    _close(jnp.polyfit(x, y[:, 0], 2, cov=True)[1], np.polyfit(x, y[:, 0], 2, cov=True)[1], rtol=1e-6)
    _close(jnp.polyfit(x, y, 2, cov="unscaled")[1], np.polyfit(x, y, 2, cov="unscaled")[1], rtol=1e-6)
    with pytest.raises(ValueError):
        jnp.polyfit(x[:3], y[:3, 0], 2, cov=True)
    for bad in (lambda: jnp.polyfit(x, y[:5, 0], 2), lambda: jnp.polyfit(x[:, None], y, 2)):
        with pytest.raises(TypeError):
            bad()
    check_grads(lambda yy: jnp.polyfit(x, yy, 3), (y[:, 0],), order=2, modes=("fwd", "rev"))


def _sorted(r):
    r = np.asarray(r)
    return r[np.lexsort((r.imag, r.real))]


def test_roots(x64):
    _close(_sorted(jnp.roots(P)), _sorted(np.roots(P)), rtol=1e-8)
    p0 = np.array([0.0, 0.0, 1.0, -3.0, 2.0])
    _close(_sorted(jnp.roots(p0)), [1.0, 2.0], rtol=1e-8)
    r = jnp.roots(p0, strip_zeros=False)  # (the two leading zeros stand for NaN roots, as in JAX)
    assert r.shape == (4,) and np.isnan(r[2:]).all() and np.allclose(_sorted(r[:2]), [1.0, 2.0])
    r = nablax.jit(lambda p: jnp.roots(p, strip_zeros=False))(p0)
    assert np.isnan(r[2:]).all() and np.allclose(_sorted(r[:2]), [1.0, 2.0])
    assert jnp.roots(np.array([3.0])).shape == (0,) and jnp.roots(np.array([3.0])).dtype == np.complex128
    _close(_sorted(jnp.roots(np.array([1.0, 0.0, 1.0]))), [-1j, 1j], atol=1e-12)
    with pytest.raises(nablax.errors.ConcretizationTypeError):
        nablax.jit(jnp.roots)(P)
    with pytest.raises(ValueError):
        jnp.roots(np.ones((2, 2)))
    p = np.array([1.0, -6.0, 11.0, -6.0])  # (roots 1, 2, 3: real and simple)
    check_grads(lambda c: jnp.sort(jnp.real(jnp.roots(c))), (p,), order=1, modes=("fwd", "rev"))
